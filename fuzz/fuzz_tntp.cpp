// Fuzz target for the TNTP readers (_net, _trips, _flow, _node): any input is handled without a
// crash, and a network read without errors can be assigned.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transport/assignment.hpp"
#include "transport/tntp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::transport;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics d1, d2, d3, d4;
    const auto net = parse_tntp_net(text, "fuzz_net.tntp", d1);
    const auto trips = parse_tntp_trips(text, "fuzz_trips.tntp", d2);
    const auto flows = parse_tntp_flow(text, "fuzz_flow.tntp", d3);
    const auto nodes = parse_tntp_nodes(text, "fuzz_node.tntp", d4);
    for (const auto* d : {&d1, &d2, &d3, &d4})
        for (const auto& item : d->items())
            (void)rencheng::format_diagnostic(item);
    // Invariants: one entry per link in every array, every node index in range.
    const auto links = static_cast<std::size_t>(net.link_count());
    if (net.term.size() != links || net.capacity.size() != links || net.toll.size() != links ||
        net.source_line.size() != links || net.out.arc_count() != net.link_count() ||
        net.zone_count > net.node_count)
        __builtin_trap();
    for (std::size_t a = 0; a < links; ++a)
        if (net.init[a] < 0 || net.init[a] >= net.node_count || net.term[a] < 0 ||
            net.term[a] >= net.node_count)
            __builtin_trap();
    if (trips.origin_begin.size() != static_cast<std::size_t>(trips.zone_count) + 1 ||
        trips.destination.size() != trips.demand.size())
        __builtin_trap();
    for (std::size_t k = 0; k < trips.destination.size(); ++k)
        if (trips.destination[k] < 0 || trips.destination[k] >= trips.zone_count ||
            !(trips.demand[k] >= 0.0))
            __builtin_trap();
    if (flows.volume.size() != flows.from.size() || nodes.x.size() != nodes.node.size())
        __builtin_trap();
    // A small valid network with its own zones as trips: a few iterations must run cleanly.
    if (!d1.has_errors() && net.node_count > 0 && net.node_count <= 64 && net.zone_count > 0 &&
        links <= 256) {
        std::vector<std::int32_t> o, d;
        std::vector<double> q;
        for (std::int32_t z = 0; z + 1 < net.zone_count; ++z) {
            o.push_back(z);
            d.push_back(z + 1);
            q.push_back(1.0);
        }
        const auto t = TripTable::from_entries(net.zone_count, o, d, q);
        for (auto algo : {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
            AssignmentOptions opt;
            opt.algorithm = algo;
            opt.max_iterations = 5;
            try {
                (void)assign_traffic(net, t, opt);
            } catch (const rencheng::Error& e) {
                // Bad input may be refused (a negative toll term); an internal error is a bug.
                if (e.code() == rencheng::ErrorCode::kInternal)
                    __builtin_trap();
            }
        }
    }
    return 0;
}
