// Fuzz target for SWMM's external time series files (a [TIMESERIES] FILE): any input must give
// points or a rencheng::Error, never a crash, and the points that come back must be usable
// (finite values, times that do not decrease).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "drainage/swmm_inp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::drainage;
    static const Network net = [] {
        Network n;
        n.options.flow_units = FlowUnits::kCfs;
        return n;
    }();
    TimeSeries ts;
    ts.id = "S1";
    ts.usage = SeriesUsage::kFlow;
    ts.file = "fuzz.dat";
    try {
        const auto out = parse_series_file(
            net, ts, std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.dat");
        if (out.time_s.empty() || out.time_s.size() != out.value.size() ||
            out.time_s.size() != out.dated.size())
            __builtin_trap();
        for (std::size_t i = 0; i < out.time_s.size(); ++i) {
            if (!std::isfinite(out.time_s[i]) || !std::isfinite(out.value[i]))
                __builtin_trap();
            if (i > 0 && out.time_s[i] < out.time_s[i - 1])
                __builtin_trap();
        }
    } catch (const rencheng::Error&) {
    }
    return 0;
}
