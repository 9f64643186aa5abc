// Fuzz target for SWMM's rainfall interface files ([FILES] USE RAINFALL): any input must give
// gages or a rencheng::Error, never a crash; the gages that come back have a positive interval
// and finite readings, and written again they read back the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/rainfall_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using rencheng::drainage::RainfallFile;
    try {
        const RainfallFile f = RainfallFile::read_bytes(
            std::string(reinterpret_cast<const char*>(data), size), "fuzz.rff");
        for (const auto& g : f.gages) {
            if (g.interval_s <= 0 || g.day.size() != g.depth_in.size())
                std::abort();
            for (std::size_t i = 0; i < g.day.size(); ++i)
                if (!std::isfinite(g.day[i]) || !std::isfinite(g.depth_in[i]))
                    std::abort();
        }
        const RainfallFile again = RainfallFile::read_bytes(f.to_bytes(), "again.rff");
        if (again.gages.size() != f.gages.size())
            std::abort();
        for (std::size_t k = 0; k < f.gages.size(); ++k)
            if (again.gages[k].day != f.gages[k].day ||
                again.gages[k].interval_s != f.gages[k].interval_s)
                std::abort();
    } catch (const rencheng::Error&) {
    }
    return 0;
}
