// Fuzz target for the road analyses' CSV readers (disruption lists, node tables): any input is
// handled without a crash, and what is read is in range.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/accessibility.hpp"
#include "transport/disruption.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::transport;
    static const AssignmentNetwork net = [] {
        AssignmentNetwork n;
        n.node_count = 4;
        n.zone_count = 2;
        n.add_link(0, 1, 100, 1, 1, 0.15, 4);
        n.add_link(1, 2, 100, 1, 1, 0.15, 4);
        n.add_link(2, 3, 100, 1, 1, 0.15, 4);
        n.add_link(3, 0, 100, 1, 1, 0.15, 4);
        n.build_graph();
        return n;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics d1, d2, d3;
    const Disruption dis = parse_disruption_csv(text, "fuzz_closures.csv", net, d1);
    for (const auto& l : dis.links)
        if (l.link < 0 || l.link >= net.link_count() || !(l.capacity_factor >= 0.0) ||
            l.capacity_factor > 1.0)
            __builtin_trap();
    (void)dis.closed_mask(net.link_count());
    (void)dis.apply_capacity_cuts(net);
    for (const auto& rows :
         {parse_node_values_csv(text, "fuzz_pop.csv", net.node_count, "population", d2),
          parse_node_values_csv(text, "fuzz_fac.csv", net.node_count, "", d3)})
        for (const auto& r : rows)
            if (r.node < 0 || r.node >= net.node_count || !(r.value >= 0.0))
                __builtin_trap();
    for (const auto* d : {&d1, &d2, &d3})
        for (const auto& item : d->items())
            (void)rencheng::format_diagnostic(item);
    return 0;
}
