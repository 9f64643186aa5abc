// Climate files ([TEMPERATURE] FILE; SWMM 5.2 User's Manual, "Climate Files") and the daily
// evaporation SWMM draws from them: `[EVAPORATION] FILE` (the file's pan evaporation times the
// month's pan coefficient) and `[EVAPORATION] TEMPERATURE` (Hargreaves' method on the 7-day
// moving averages of the file's daily temperatures, Hargreaves & Samani 1985, as SWMM's
// Reference Manual Vol. I §2.4 gives it). The four formats SWMM 5.2.4 reads are read as it reads
// them (docs/drainage.md, "Evaporation from a climate file"): the user-prepared format (one line
// per day, `station year month day Tmax Tmin Evap Wind`), NCDC TD-3200 "Summary of the Day",
// Environment Canada DLY02/DLY04 and NCDC GHCN-Daily as Climate Data Online writes it in text.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rencheng::drainage {

struct Network;

/// The formats of climate file SWMM 5.2.4 reads, told apart by the file's first line.
enum class ClimateFormat {
    kUserPrepared, ///< `station year month day Tmax Tmin Evap Wind`, one line per day
    kTd3200,       ///< NCDC TD-3200: one fixed-width `DLY` record per element and month
    kDly0204,      ///< Environment Canada DLY02/DLY04: one 233-character line per element, month
    kGhcnd,        ///< NCDC GHCN-Daily as Climate Data Online's text: a header, a line per day
};

/// Units of a GHCN-Daily file ([TEMPERATURE] FILE's fourth field, SWMM 5.2's C10, C or F).
enum class ClimateUnits {
    kAsModel,       ///< F in a US model, C in an SI one (SWMM's default)
    kTenthsCelsius, ///< C10: 0.1 °C, 0.1 mm, AWND 0.1 m/s, WDMV km (GHCN-Daily's own)
    kCelsius,       ///< C: °C, mm, AWND m/s, WDMV km (CDO "metric")
    kFahrenheit,    ///< F: °F, in, AWND mph, WDMV miles (CDO "standard")
};

/// One day's values from one line of a climate file; NaN where the line gives none. A line that
/// dates a month but gives no value SWMM uses (another element, a day outside 1..31) is kept as
/// one entry of day 0 with every value NaN, because SWMM's reading of the file in order stops
/// at it as at any line of its month.
struct ClimateDay {
    int year = 0, month = 0, day = 0;
    double tmax = 0, tmin = 0; ///< °F (other units converted, as SWMM does)
    double evap = 0;           ///< in/day in a US model, mm/day in an SI one
    double wind = 0;           ///< mph (a user-prepared file's value as written: SWMM takes mph)
    int line = 0;              ///< the file's line it comes from (1-based)
};

/// A climate file's days in the file's order (several entries for one date where the format
/// spreads a day over lines, as TD-3200 and DLY02/04 do, one line per element and month).
struct ClimateFile {
    ClimateFormat format = ClimateFormat::kUserPrepared;
    std::vector<ClimateDay> days;
};

/// Reads a climate file of any format SWMM 5.2.4 reads, telling the format from the first line
/// as SWMM does. `si`: the model's units (a US model's evaporation in in/day, an SI one's in
/// mm/day; a user-prepared file's temperatures in °C); `units`: a GHCN-Daily file's units.
/// Throws rencheng::Error naming the file, line and field of a line or value that does not fit
/// the format (E204 for text that is not a number, E304 for a month outside 1..12), and E312 for
/// a first line of no format SWMM reads (a GHCN-Daily `.dly` file among them: SWMM 5.2.4 does
/// not read that layout).
ClimateFile read_climate_file(const std::filesystem::path& path, bool si,
                              ClimateUnits units = ClimateUnits::kAsModel);
/// Same, from the file's text; `file` names it in errors.
ClimateFile parse_climate_file(const std::string& text, const std::string& file, bool si,
                               ClimateUnits units = ClimateUnits::kAsModel);

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
/// before's; 70 °F and 0 before any), for air temperatures and wind speeds (mph).
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
