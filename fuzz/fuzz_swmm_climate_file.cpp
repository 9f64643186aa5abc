// Fuzz target for SWMM climate files ([TEMPERATURE] FILE) in every format SWMM 5.2.4 reads
// (user-prepared, NCDC TD-3200, DLY02/DLY04, GHCN-Daily): any input must give days or a
// rencheng::Error, never a crash; the days that come back have a month of 1 to 12 and a day of 1
// to 31 (or 0, a line that dates a month with no value), and their values are finite or missing
// (NaN).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/climate_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    using rencheng::drainage::ClimateUnits;
    for (const bool si : {false, true})
        for (const auto units : {ClimateUnits::kAsModel, ClimateUnits::kTenthsCelsius}) {
            try {
                const auto file =
                    rencheng::drainage::parse_climate_file(text, "fuzz.dat", si, units);
                for (const auto& d : file.days) {
                    if (d.month < 1 || d.month > 12 || d.day < 0 || d.day > 31 || d.line < 1)
                        std::abort();
                    for (const double x : {d.tmax, d.tmin, d.evap, d.wind})
                        if (std::isinf(x) || (d.day == 0 && !std::isnan(x)))
                            std::abort();
                }
            } catch (const rencheng::Error&) {
            }
        }
    return 0;
}
