// Fuzz target for the SWMM .inp reader and writer, and the section readers the simulation calls
// when it starts: any input must be handled without a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "drainage/groundwater.hpp"
#include "drainage/quality.hpp"
#include "drainage/quality_routing.hpp"
#include "drainage/swmm_inp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    const auto net = drainage::parse_swmm_inp(text, "fuzz.inp", diags);
    for (const auto& d : diags.items())
        (void)format_diagnostic(d);
    // Invariants, errors or not: one entry per node / link / subcatchment in every array.
    const auto nodes = static_cast<std::size_t>(net.node_count());
    const auto links = static_cast<std::size_t>(net.link_count());
    const auto subs = static_cast<std::size_t>(net.subcatchments.count());
    if (net.node_kind.size() != nodes || net.invert_m.size() != nodes ||
        net.outfall_of_node.size() != nodes || net.from_node.size() != links ||
        net.xsection.size() != links || net.type_index.size() != links ||
        net.vertices.size() != links || net.subcatchments.area_m2.size() != subs ||
        net.subcatchments.infiltration.size() != subs)
        __builtin_trap();
    if (diags.has_errors())
        return 0;
    // The sections the simulation reads only when it starts (groundwater; treatment, whose
    // functions are expressions) refuse bad input with a diagnostic, never a crash.
    {
        Diagnostics more;
        (void)drainage::read_groundwater_sections(net, "fuzz.inp", more);
        const auto quality = drainage::read_quality_sections(net, "fuzz.inp", more);
        (void)drainage::read_treatment(net, quality.pollutants, "fuzz.inp", more);
        for (const auto& d : more.items())
            (void)format_diagnostic(d);
    }
    // A network read without errors has every reference in range ...
    for (std::size_t k = 0; k < links; ++k)
        if (net.from_node[k].idx() >= nodes || net.to_node[k].idx() >= nodes)
            __builtin_trap();
    for (std::size_t s = 0; s < subs; ++s)
        if (net.subcatchments.outlet_node[s].valid() ==
            net.subcatchments.outlet_subcatch[s].valid())
            __builtin_trap();
    // ... and is written and read back without errors, to the same counts and the same text.
    const std::string again = drainage::format_swmm_inp(net);
    Diagnostics diags2;
    const auto net2 = drainage::parse_swmm_inp(again, "again.inp", diags2);
    if (diags2.has_errors() || net2.node_count() != net.node_count() ||
        net2.link_count() != net.link_count() ||
        net2.subcatchments.count() != net.subcatchments.count() ||
        net2.series.size() != net.series.size() || net2.curves.size() != net.curves.size())
        __builtin_trap();
    return 0;
}
