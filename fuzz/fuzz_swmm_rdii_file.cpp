// Fuzz target for SWMM's RDII interface files ([FILES] USE RDII), binary and text: any input must
// give inflows or a rencheng::Error, never a crash, and the inflows that come back must be finite
// and land on the network's RDII nodes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "drainage/rdii.hpp"
#include "drainage/swmm_inp.hpp"
#include "inflow_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::drainage;
    static const Network net = [] {
        rencheng::Diagnostics d;
        return parse_swmm_inp("[OPTIONS]\nFLOW_UNITS CFS\nSTART_DATE 07/01/2025\nEND_DATE "
                              "07/02/2025\n[RAINGAGES]\nG INTENSITY 0:05 1.0 TIMESERIES R\n"
                              "[JUNCTIONS]\nJ1 0 1\nJ2 0 1\n[OUTFALLS]\nO1 0 FREE\n"
                              "[RDII]\nJ1 UH 10\nJ2 UH 5\n[HYDROGRAPHS]\nUH G\n"
                              "UH All Short 0.1 1 2\n[TIMESERIES]\nR 0 1\n",
                              "net.inp", d);
    }();
    try {
        const RdiiInflows in = RdiiInflows::read_bytes(
            net, std::string(reinterpret_cast<const char*>(data), size), "fuzz.rdii");
        rencheng::fuzz::check_inflows(in, 1);
    } catch (const rencheng::Error&) {
    }
    return 0;
}
