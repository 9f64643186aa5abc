// Fuzz target for SWMM user-prepared climate files ([TEMPERATURE] FILE): any input must give
// days or a rencheng::Error, never a crash; the days that come back have a month of 1 to 12 and
// a day of 1 to 31, and their values are finite or missing (NaN).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/climate_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    for (const bool si : {false, true}) {
        try {
            for (const auto& d : rencheng::drainage::parse_climate_file(text, "fuzz.dat", si)) {
                if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
                    std::abort();
                for (const double x : {d.tmax, d.tmin, d.evap, d.wind})
                    if (std::isinf(x))
                        std::abort();
            }
        } catch (const rencheng::Error&) {
        }
    }
    return 0;
}
