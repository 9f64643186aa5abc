// Fuzz target for the EPANET .inp reader and writer, and the hydraulic solver on what they read:
// any input must be handled without a crash (a rencheng::Error is a handled input).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto net = rencheng::water::parse_inp(text, "fuzz.inp", diags);
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    // Invariants: every array has one entry per node / link, and every reference is in range.
    const auto nodes = static_cast<std::size_t>(net.node_count());
    const auto links = static_cast<std::size_t>(net.link_count());
    if (net.node_kind.size() != nodes || net.elevation_m.size() != nodes ||
        net.demand_begin.size() != nodes + 1 || net.from_node.size() != links ||
        net.roughness.size() != links || net.vertices.size() != links)
        __builtin_trap();
    for (std::size_t k = 0; k < links; ++k)
        if (net.from_node[k].idx() >= nodes || net.to_node[k].idx() >= nodes)
            __builtin_trap();
    // A network read without errors must be written and read back without errors.
    if (!diags.has_errors()) {
        const std::string again = rencheng::water::format_inp(net);
        rencheng::Diagnostics diags2;
        const auto net2 = rencheng::water::parse_inp(again, "again.inp", diags2);
        if (diags2.has_errors() || net2.node_count() != net.node_count() ||
            net2.link_count() != net.link_count())
            __builtin_trap();
    }
    if (net.node_count() > 0 && !net.from_node.empty())
        (void)net.adjacency();
    // A small network read without errors is solved: two hours of its extended period (controls,
    // rules, tanks, pump energy), with the solver's trials capped so that an input cannot run long.
    if (!diags.has_errors() && net.node_count() > 0 && net.node_count() <= 64 &&
        net.link_count() <= 128) {
        try {
            const rencheng::water::HydraulicTopology topo(net);
            rencheng::water::EpsOptions opt;
            opt.duration = std::min<rencheng::units::Seconds>(net.times.duration, 7200);
            opt.hydraulic.max_trials = 50;
            (void)rencheng::water::simulate_eps(net, topo, opt);
        } catch (const rencheng::Error&) {
        }
    }
    return 0;
}
