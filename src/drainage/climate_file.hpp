// Climate files ([TEMPERATURE] FILE; SWMM 5.2 User's Manual, "Climate Files") and the daily
// evaporation SWMM draws from them: `[EVAPORATION] FILE` (the file's pan evaporation times the
// month's pan coefficient) and `[EVAPORATION] TEMPERATURE` (Hargreaves' method on the 7-day
// moving averages of the file's daily temperatures, Hargreaves & Samani 1985, as SWMM's
// Reference Manual Vol. I §2.4 gives it). The user-prepared format is read: one line per day,
// `station year month day Tmax Tmin Evap Wind`, `*` or nothing for a missing value (°F and in/day
// for US models, °C and mm/day for SI ones).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rencheng::drainage {

struct Network;

/// One day of a climate file; NaN where the file has no value.
struct ClimateDay {
    int year = 0, month = 0, day = 0;
    double tmax = 0, tmin = 0; ///< °F (an SI file's °C converted, as SWMM does)
    double evap = 0;           ///< in/day or mm/day, as written
    double wind = 0;           ///< mph or km/h, as written
};

/// The days of a user-prepared climate file, in the file's order. Throws rencheng::Error naming
/// the file and line of a line that is not `station year month day [values]` with a date, or a
/// value that is not a number; a file in another of SWMM's formats (NCDC TD-3200, DLY02/04,
/// GHCN-Daily) is E312.
std::vector<ClimateDay> read_climate_file(const std::filesystem::path& path, bool si);
/// Same, from the file's text; `file` names it in errors.
std::vector<ClimateDay> parse_climate_file(const std::string& text, const std::string& file,
                                           bool si);

/// The evaporation rate of each day of a run, from the climate file its [TEMPERATURE] section
/// names (relative to `base_dir`, or to the model's folder when empty).
struct DailyEvaporation {
    std::int64_t first_day_s = 0;     ///< midnight of the run's first day, s since the epoch
    std::vector<double> rate_ms;      ///< per day from the first, m/s, monthly adjustment added
    bool changes_at_midnight = false; ///< FILE: runoff steps end at midnight (SWMM's next date)
};

/// SWMM's daily evaporation for `net` (FILE or TEMPERATURE evaporation), `days` days from the
/// start. `temp_adjust_f` and `evap_adjust_ms` are [ADJUSTMENTS] TEMPERATURE (°F) and EVAPORATION
/// (m/s) by month. Throws rencheng::Error when the model names no climate file, or the file does
/// not reach the run's first month (SWMM errors 337 and 338).
DailyEvaporation daily_evaporation(const Network& net, const std::filesystem::path& base_dir,
                                   int days, const std::array<double, 12>& temp_adjust_f,
                                   const std::array<double, 12>& evap_adjust_ms);

/// The climate file's values in force on each day of a run (a value the file lacks keeps the day
/// before's; 70 °F and 0 before any), for air temperatures and wind speeds.
struct DailyClimate {
    std::int64_t first_day_s = 0; ///< midnight of the run's first day, s since the epoch
    std::vector<ClimateDay> days; ///< per day from the first, dated by the run's calendar
};

/// SWMM's reading of the climate file [TEMPERATURE] FILE names, `days` days from the start.
/// Throws rencheng::Error as daily_evaporation does.
DailyClimate daily_climate(const Network& net, const std::filesystem::path& base_dir, int days);

/// Hargreaves' evaporation (mm/day) on day `day_of_year` at latitude `latitude_deg` from the mean
/// daily temperature `tave_f` and the mean daily range `trange_f` (°F), never negative.
double hargreaves_mm_day(int day_of_year, double latitude_deg, double tave_f, double trange_f);

} // namespace rencheng::drainage
