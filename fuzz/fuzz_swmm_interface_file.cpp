// Fuzz target for SWMM's routing interface files ([FILES] USE INFLOWS): any input must give
// inflows or a rencheng::Error, never a crash, and the inflows that come back must be finite.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "drainage/interface_file.hpp"
#include "drainage/swmm_inp.hpp"
#include "inflow_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::drainage;
    static const Network net = [] {
        rencheng::Diagnostics d;
        return parse_swmm_inp("[OPTIONS]\nFLOW_UNITS CMS\nSTART_DATE 07/01/2025\nEND_DATE "
                              "07/02/2025\n[JUNCTIONS]\nO1 0 1\nJ2 0 1\n",
                              "net.inp", d);
    }();
    try {
        const RoutingInflows in(net, std::string(reinterpret_cast<const char*>(data), size),
                                "fuzz.txt");
        rencheng::fuzz::check_inflows(in, 1);
    } catch (const rencheng::Error&) {
    }
    return 0;
}
