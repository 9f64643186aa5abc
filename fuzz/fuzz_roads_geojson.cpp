// Fuzz target for the roads.geojson reader: any input must be handled without a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/road_network.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto net = rencheng::transport::parse_roads_geojson(text, "fuzz.geojson", diags);
    // Invariants: parallel arrays of one length, node indices in range, a consistent graph.
    const auto links = static_cast<std::size_t>(net.link_count());
    if (net.link_from.size() != links || net.link_to.size() != links ||
        net.length_m.size() != links || net.link_geometry.size() != links ||
        net.node_position.size() != static_cast<std::size_t>(net.node_count()))
        __builtin_trap();
    for (std::size_t l = 0; l < links; ++l) {
        if (net.link_from[l] < 0 || net.link_from[l] >= net.node_count() || net.link_to[l] < 0 ||
            net.link_to[l] >= net.node_count() || net.link_geometry[l].size() < 2 ||
            !(net.length_m[l] > 0.0))
            __builtin_trap();
    }
    if (net.graph.node_count() != net.node_count() || net.arc_link.size() != net.graph.heads.size())
        __builtin_trap();
    (void)net.total_length_m();
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
