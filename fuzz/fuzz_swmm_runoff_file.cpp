// Fuzz target for SWMM's runoff interface files ([FILES] USE RUNOFF): any input must give the
// file's steps or a rencheng::Error, never a crash; the steps that come back are positive, their
// values finite, and written again they read back the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/runoff_file.hpp"
#include "drainage/swmm_inp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::drainage;
    // two subcatchments and a pollutant, in LPS
    static const Network net = [] {
        rencheng::Diagnostics d;
        return parse_swmm_inp(
            "[OPTIONS]\nFLOW_UNITS LPS\nSTART_DATE 07/01/2025\nEND_DATE 07/02/2025\n"
            "[RAINGAGES]\nG INTENSITY 0:05 1.0 TIMESERIES R\n"
            "[SUBCATCHMENTS]\nS1 G J1 1 50 100 1 0\nS2 G J1 1 50 100 1 0\n"
            "[SUBAREAS]\nS1 0.013 0.1 1 5 25 OUTLET\nS2 0.013 0.1 1 5 25 OUTLET\n"
            "[INFILTRATION]\nS1 80 8 4 7 0\nS2 80 8 4 7 0\n"
            "[POLLUTANTS]\nTSS MG/L 0 0 0 0 NO * 0 0 0\n"
            "[JUNCTIONS]\nJ1 10 3 0 0 0\n[OUTFALLS]\nO1 6 FREE NO\n"
            "[CONDUITS]\nC1 J1 O1 100 0.013 0 0 0 0\n[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n"
            "[TIMESERIES]\nR 0 1\n",
            "net.inp", d);
    }();
    try {
        const RunoffFile f = RunoffFile::read_bytes(
            net, std::string(reinterpret_cast<const char*>(data), size), "fuzz.rof");
        const RunoffFile again = RunoffFile::read_bytes(net, f.to_bytes(), "again.rof");
        if (again.step_count() != f.step_count())
            std::abort();
        for (std::size_t k = 0; k < f.step_count(); ++k) {
            if (!(f.step_s(k) > 0) || again.step_s(k) != f.step_s(k))
                std::abort();
            for (std::size_t i = 0; i < 2; ++i) {
                const RunoffStepResult r = f.result(k, i);
                if (!std::isfinite(r.runoff_m3s) || !std::isfinite(r.groundwater_m3s) ||
                    again.result(k, i).runoff_m3s != r.runoff_m3s)
                    std::abort();
            }
        }
    } catch (const rencheng::Error&) {
    }
    return 0;
}
