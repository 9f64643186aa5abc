// Fuzz target for SWMM's hot start files ([FILES] USE HOTSTART): any input must give a state or a
// rencheng::Error, never a crash; a state that comes back holds finite values for every object
// and is written and read back to the same values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/hot_start.hpp"
#include "drainage/swmm_inp.hpp"

namespace {

void check_finite(double x) {
    if (!std::isfinite(x))
        std::abort();
}

void check_same(const rencheng::drainage::HotStart& a, const rencheng::drainage::HotStart& b) {
    if (a.node_depth_m != b.node_depth_m || a.link_flow_m3s != b.link_flow_m3s ||
        a.link_setting != b.link_setting || a.subcatchments.size() != b.subcatchments.size())
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::drainage;
    // two subcatchments (one over an aquifer), a pollutant and a land use, a junction, a storage
    // unit and an outfall (SWMM's order J1, SU1, O1), a conduit and an orifice
    static const Network net = [] {
        rencheng::Diagnostics d;
        return parse_swmm_inp(
            "[OPTIONS]\nFLOW_UNITS CMS\nSTART_DATE 07/01/2025\nEND_DATE 07/02/2025\n"
            "[RAINGAGES]\nG INTENSITY 0:05 1.0 TIMESERIES R\n"
            "[SUBCATCHMENTS]\nS1 G J1 1 50 100 1 0\nS2 G J1 1 50 100 1 0\n"
            "[SUBAREAS]\nS1 0.013 0.1 1 5 25 OUTLET\nS2 0.013 0.1 1 5 25 OUTLET\n"
            "[INFILTRATION]\nS1 80 8 4 7 0\nS2 90 10 0.3 GREEN_AMPT\n"
            "[AQUIFERS]\nA 0.5 0.15 0.3 5 10 15 0.35 4 0.002 0 5 0.3\n"
            "[GROUNDWATER]\nS1 A J1 10 0.002 1.5 0 0 0 0 5\n"
            "[POLLUTANTS]\nTSS MG/L 0 0 0 0 NO * 0 0 0\n[LANDUSES]\nR 0 0 0\n"
            "[JUNCTIONS]\nJ1 10 3 0 0 0\n[STORAGE]\nSU1 8 4 0 FUNCTIONAL 0 0 200 0 0\n"
            "[OUTFALLS]\nO1 6 FREE NO\n[CONDUITS]\nC1 J1 SU1 100 0.013 0 0 0 0\n"
            "[ORIFICES]\nOR1 SU1 O1 BOTTOM 0 0.6 NO 0\n"
            "[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\nOR1 CIRCULAR 0.2 0 0 0\n"
            "[TIMESERIES]\nR 0 1\n",
            "net.inp", d);
    }();
    try {
        const HotStart h = HotStart::read_bytes(
            net, std::string(reinterpret_cast<const char*>(data), size), "fuzz.hsf");
        if (h.node_depth_m.size() != 3 || h.link_flow_m3s.size() != 2)
            std::abort();
        for (const auto& s : h.subcatchments) {
            for (const double x : s.depth_m)
                check_finite(x);
            for (const double x : s.infiltration)
                check_finite(x);
        }
        for (std::size_t n = 0; n < 3; ++n) {
            check_finite(h.node_depth_m[n]);
            check_finite(h.node_lateral_m3s[n]);
        }
        if (h.has_runoff) // a state written is read back the same (floats stay floats)
            check_same(h, HotStart::read_bytes(net, h.to_bytes(net), "again.hsf"));
    } catch (const rencheng::Error&) {
    }
    return 0;
}
