// The simulation driver: SWMM 5.2's time loop (swmm5.c execRouting, runoff.c, routing.c,
// massbal.c) over our runoff and routing components.
#include "drainage/simulation.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "drainage/climate_file.hpp"
#include "drainage/controls.hpp"
#include "drainage/culvert.hpp"
#include "drainage/hot_start.hpp"
#include "drainage/inlet.hpp"
#include "drainage/interface_file.hpp"
#include "drainage/lid.hpp"
#include "drainage/rain_file.hpp"
#include "drainage/rainfall_file.hpp"
#include "drainage/rdii.hpp"
#include "drainage/routing.hpp"
#include "drainage/runoff.hpp"
#include "drainage/runoff_file.hpp"
#include "drainage/section_rows.hpp"
#include "drainage/snow.hpp"
#include "drainage/swmm_inp.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Month (0..11) of the time `t` s from the simulation start.
int month_at(const Network& net, double t) {
    const Seconds base = seconds_since_epoch(net.options.start);
    const auto s = static_cast<Seconds>(std::floor(static_cast<double>(base) + t));
    return calendar_from_seconds(s).month - 1;
}

/// [ADJUSTMENTS] (SWMM 5.2 climate.c climate_readAdjustments): monthly factors on rainfall and
/// on the soil's hydraulic conductivity (infiltration, conduit seepage, storage exfiltration),
/// additive monthly changes of the evaporation rate, and per-subcatchment MONTHLY patterns on the
/// pervious area's Manning's n (N-PERV), depression storage (DSTORE) and conductivity (INFIL, in
/// place of the global factor). TEMPERATURE rows change only snowmelt and temperature-based
/// evaporation, neither of which is simulated (both are refused elsewhere), so they are read and
/// have no effect.
struct ClimateAdjustments {
    std::array<double, 12> rain{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    std::array<double, 12> evap_ms{};
    bool evap_given = false;
    std::array<double, 12> hydcon{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    std::array<double, 12> temp_f{}; ///< TEMPERATURE: °F added to the climate file's
    /// FILE and TEMPERATURE evaporation: each day's rate (drainage/climate_file.hpp)
    std::optional<DailyEvaporation> daily;
    /// per subcatchment: pattern index of N-PERV, DSTORE, INFIL (-1: none)
    std::vector<std::array<int, 3>> patterns;
};

ClimateAdjustments read_adjustments(const Network& net) {
    ClimateAdjustments adj;
    const auto* raw = net.raw_section("ADJUSTMENTS");
    if (!raw)
        return adj;
    const UnitFactors f = unit_factors(net.options.flow_units);
    for (std::size_t r = 0; r < raw->rows.size(); ++r) {
        const auto& row = raw->rows[r];
        const std::string where =
            net.source_file + ":" + std::to_string(raw->line[r]) + ": [ADJUSTMENTS] ";
        if (row.size() <= 1)
            continue; // SWMM skips a lone keyword
        std::string key = row[0];
        for (auto& c : key)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        // SWMM matches the keyword by its first letters (match(): TEMP, EVAP, RAIN, CONDUCT)
        const bool temp = key.starts_with("TEMP"), evap = key.starts_with("EVAP"),
                   rain = key.starts_with("RAIN"), cond = key.starts_with("CONDUCT");
        const int which = key == "N-PERV" ? 0 : key == "DSTORE" ? 1 : key == "INFIL" ? 2 : -1;
        if (which >= 0) {
            if (row.size() < 3)
                throw Error(ErrorCode::kMissingKey,
                            where + key + " needs a subcatchment and a pattern");
            const auto sub = net.find_subcatchment(row[1]);
            if (!sub.valid())
                throw Error(ErrorCode::kUnknownReference,
                            where + key + ": subcatchment '" + row[1] + "' is not defined");
            const auto pat = net.find_pattern(row[2]);
            if (!pat.valid())
                throw Error(ErrorCode::kUnknownReference,
                            where + key + ": pattern '" + row[2] + "' is not defined");
            adj.patterns.resize(static_cast<std::size_t>(net.subcatchments.count()), {-1, -1, -1});
            adj.patterns[sub.idx()][static_cast<std::size_t>(which)] = static_cast<int>(pat.idx());
            continue;
        }
        if (!(temp || evap || rain || cond)) {
            throw Error(ErrorCode::kUnknownValue,
                        where + "'" + row[0] +
                            "' is not TEMPERATURE, EVAPORATION, RAINFALL or CONDUCTIVITY");
        }
        if (row.size() < 13)
            throw Error(ErrorCode::kNumberSyntax, where + row[0] + " needs 12 monthly values, " +
                                                      std::to_string(row.size() - 1) + " given");
        std::array<double, 12> v{};
        for (int m = 0; m < 12; ++m) {
            const std::string& tok = row[static_cast<std::size_t>(m) + 1];
            char* stop = nullptr;
            v[m] = std::strtod(tok.c_str(), &stop);
            if (tok.empty() || *stop != '\0' || !std::isfinite(v[m]))
                throw Error(ErrorCode::kNumberSyntax, where + row[0] + " value " +
                                                          std::to_string(m + 1) + " '" + tok +
                                                          "' is not a number");
        }
        if (temp) { // SWMM keeps temperatures in °F: an SI model's °C differences × 9/5
            for (int m = 0; m < 12; ++m)
                adj.temp_f[m] = is_si(net.options.flow_units) ? v[m] * 9.0 / 5.0 : v[m];
        } else if (rain) {
            adj.rain = v;
        } else if (evap) {
            for (int m = 0; m < 12; ++m)
                adj.evap_ms[m] = v[m] * f.evap_rate;
            adj.evap_given = true;
        } else if (cond) {
            for (int m = 0; m < 12; ++m)
                adj.hydcon[m] = v[m] > 0 ? v[m] : 1.0; // SWMM takes a factor <= 0 as 1
        }
    }
    return adj;
}

/// One rain record: intensity (m/s) from `start_s` for the gage's recording interval.
struct RainRecord {
    double start_s = 0;
    double intensity_ms = 0;
};

/// A rain gage's records (zeros dropped, as SWMM does) and interval.
struct GageRain {
    std::vector<RainRecord> records;
    double interval_s = 3600;
    bool used = false;

    double rain_ms(double t) const {
        // the record in force at t (SWMM looks one second ahead of the step start)
        const double tt = t + 1.0;
        auto it = std::upper_bound(records.begin(), records.end(), tt,
                                   [](double x, const RainRecord& r) { return x < r.start_s; });
        if (it == records.begin())
            return 0;
        --it;
        return tt < it->start_s + interval_s ? it->intensity_ms : 0.0;
    }
    /// Next time after t at which the rainfall changes.
    double next_change(double t) const {
        const double tt = t + 1.0;
        auto it = std::upper_bound(records.begin(), records.end(), tt,
                                   [](double x, const RainRecord& r) { return x < r.start_s; });
        double next = it == records.end() ? kInf : it->start_s;
        if (it != records.begin()) {
            const auto& r = *(it - 1);
            if (tt < r.start_s + interval_s)
                next = std::min(next, r.start_s + interval_s);
        }
        return next;
    }
    /// The rainfall SWMM reports at time `t_report` with the gage's state set at `t_state`
    /// (gage_setState at the last runoff step's start, gage_setReportRainfall): the record
    /// current then while `t_report` is in it, none in the gap before the next record, and the
    /// next record's once `t_report` reaches it, however far past (so a report time beyond
    /// the runoff step's own intervals lags the rain, as SWMM's does).
    double report_rain_ms(double t_state, double t_report) const {
        if (records.empty())
            return 0;
        const double ts = t_state + 1.0, tr = t_report + 1.0;
        auto it = std::upper_bound(records.begin(), records.end(), ts,
                                   [](double x, const RainRecord& r) { return x < r.start_s; });
        // the gage's current record: the last one started by t_state (the first if none is)
        const auto cur = it == records.begin() ? it : it - 1;
        const bool started = ts >= cur->start_s;
        const double end = cur->start_s + interval_s;
        const double rain_now = started && ts < end ? cur->intensity_ms : 0.0;
        if (tr < end)
            return rain_now;
        const auto next = cur + 1;
        if (next == records.end() || tr < next->start_s)
            return 0;
        return next->intensity_ms;
    }
};

/// Reads a rain file in SWMM's user-prepared format, one record a line:
/// `station year month day hour minute value` (SWMM 5.2 manual, Rainfall Data Files). Returns the
/// records of `station` (all when empty) as (seconds from the simulation start, value as written),
/// less those before `start_day_s` (before_rain_start).
std::vector<std::pair<double, double>> read_rain_file(const Network& net,
                                                      const std::filesystem::path& path,
                                                      const std::string& station,
                                                      std::optional<Seconds> start_day_s) {
    std::ifstream in(path);
    if (!in)
        throw Error(ErrorCode::kFileNotFound, "rain file " + path.string() + " cannot be read");
    const double base = static_cast<double>(seconds_since_epoch(net.options.start));
    std::vector<std::pair<double, double>> out;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        std::istringstream ls(line);
        std::string sta;
        int y, mo, d, h, mi;
        double v;
        if (!(ls >> sta))
            continue;
        if (!(ls >> y >> mo >> d >> h >> mi >> v))
            throw Error(ErrorCode::kUnsupported,
                        path.string() + ":" + std::to_string(line_no) +
                            ": rain file format not recognised (neither SWMM's user-prepared "
                            "format 'station year month day hour minute value' nor an NCDC, "
                            "AES or CMC format)");
        if (!station.empty() && sta != station)
            continue;
        // skipped before anything else (SWMM rain.c readStdLine): a CUMULATIVE gage's running
        // total starts from the first record kept
        if (before_rain_start(y, mo, d, start_day_s))
            continue;
        CalendarTime c{y, mo, d, static_cast<Seconds>(h) * 3600 + static_cast<Seconds>(mi) * 60};
        out.emplace_back(static_cast<double>(seconds_since_epoch(c)) - base, v);
    }
    return out;
}

/// SWMM's day number of `t` s after the simulation start (whole days and the time of day as a
/// fraction, as its rainfall interface file keeps dates).
double swmm_day(const Network& net, double t) {
    return swmm_day_number(seconds_since_epoch(net.options.start) +
                           static_cast<Seconds>(std::llround(t)));
}

/// A gage's records: from its time series, its rain file or a USE RAINFALL file (`use`; SWMM
/// reads a file gage from there by its station). `save` (may be null) receives the readings of a
/// file gage as a SAVE RAINFALL file holds them (inches per interval at the interval's start).
/// `require_data`: a rain file that yields nothing for the gage is an error (SWMM error 321):
/// no readings above zero in an NCDC, AES or CMC file (SWMM writes only those to its interface
/// file), no record of the gage's station in a user-prepared file (records of zero count), none
/// of either from the gage's start date on, and, with USE RAINFALL, no readings of the station.
/// Under IGNORE_RAINFALL a file gage has no records and its file is not opened (SWMM).
GageRain build_gage(const Network& net, int g, const std::filesystem::path& base_dir,
                    const ClimateAdjustments& adjust, const RainfallFile* use = nullptr,
                    RainfallFile::Gage* save = nullptr, bool require_data = true) {
    const auto& gage = net.gages[g];
    GageRain out;
    out.interval_s = static_cast<double>(gage.interval_s);
    std::vector<std::pair<double, double>> points;
    // file values are in in or mm (per hour for intensities); series values are already SI
    double to_si = 1.0;
    RainFormat format = gage.format;
    if (gage.source == RainSource::kFile && net.options.ignore_rainfall)
        return out; // SWMM reads no rain file under IGNORE_RAINFALL (swmm5.c: no rain_open)
    if (gage.source == RainSource::kFile && use != nullptr) {
        const RainfallFile::Gage* fg = use->find(gage.station);
        if (fg == nullptr || fg->day.empty())
            throw Error(ErrorCode::kMissingKey, "rain gage " + gage.id +
                                                    ": the USE RAINFALL file has no readings of "
                                                    "station '" +
                                                    gage.station + "' (SWMM error 321)");
        const double base = static_cast<double>(seconds_since_epoch(net.options.start));
        out.interval_s = fg->interval_s;
        format = RainFormat::kVolume;
        to_si = 0.0254;
        for (std::size_t i = 0; i < fg->day.size(); ++i)
            points.emplace_back(std::round(fg->day[i] * 86400.0 * 1000.0) / 1000.0 - base,
                                static_cast<double>(fg->depth_in[i]));
    } else if (gage.source == RainSource::kFile) {
        std::filesystem::path p(gage.file);
        if (p.is_relative())
            p = base_dir / p;
        std::optional<Seconds> start_day_s;
        if (gage.file_start)
            start_day_s = seconds_since_epoch(
                {gage.file_start->year, gage.file_start->month, gage.file_start->day, 0});
        const bool ncdc = is_ncdc_rain_file(p);
        const bool nws_cmc = !ncdc && is_nws_cmc_format(detect_rain_file_format(p));
        if (ncdc || nws_cmc) {
            // depths per interval; the file's interval replaces the gage's (SWMM rain.c). SWMM
            // reads every station of an NCDC, AES or CMC file, whatever the gage's station.
            const NcdcRain rain =
                ncdc ? read_ncdc_rain_file(p, start_day_s) : read_nws_cmc_rain_file(p, start_day_s);
            if (require_data && rain.depth_m.empty())
                throw Error(ErrorCode::kMissingKey, "rain gage " + gage.id + ": rain file " +
                                                        p.string() +
                                                        " holds no rain (SWMM error 321)");
            const auto base = seconds_since_epoch(net.options.start);
            out.interval_s = rain.interval_s;
            format = RainFormat::kVolume;
            for (const auto& [t, depth] : rain.depth_m)
                points.emplace_back(static_cast<double>(t - base), depth);
        } else {
            points = read_rain_file(net, p, gage.station, start_day_s);
            if (require_data && points.empty() &&
                detect_rain_file_format(p) == RainFileFormat::kUnknown)
                throw Error(ErrorCode::kUnsupported,
                            "rain gage " + gage.id + ": rain file " + p.string() +
                                " holds no record (SWMM error 319, unknown format)");
            if (require_data && points.empty()) // SWMM: none in the interface file
                throw Error(ErrorCode::kMissingKey,
                            "rain gage " + gage.id + ": rain file " + p.string() +
                                " holds no records of station '" + gage.station + "'" +
                                (start_day_s ? " from the gage's start date" : "") +
                                " (SWMM error 321)");
            to_si = gage.file_in_mm ? 0.001 : 0.0254;
            if (gage.format == RainFormat::kIntensity)
                to_si /= 3600.0;
        }
        if (save != nullptr) { // SWMM rain.c: each reading as inches over the interval
            save->station = gage.station;
            save->interval_s = static_cast<int>(out.interval_s);
            double accum = 0;
            for (const auto& [t, raw] : points) {
                double in = raw * to_si / 0.0254; // inches (per second for intensities)
                if (format == RainFormat::kIntensity)
                    in *= out.interval_s;
                else if (format == RainFormat::kCumulative) {
                    const double total = in;
                    in = total >= accum ? total - accum : total;
                    accum = total >= accum ? accum + in : total;
                }
                save->day.push_back(swmm_day(net, t));
                save->depth_in.push_back(static_cast<float>(in));
            }
        }
    } else {
        if (!gage.series.valid())
            return out;
        const auto& s = net.series[gage.series.idx()];
        for (std::size_t i = 0; i < s.time_s.size(); ++i)
            points.emplace_back(s.time_s[i], s.value[i]);
    }
    double accum = 0;
    // the first reading is the gage's first interval even when it is zero (SWMM
    // getFirstRainfall): its end bounds the first runoff step; later zeros are skipped
    const bool keep_first = true;
    for (const auto& [t, raw] : points) {
        const double r = raw * to_si;
        double rate = 0;
        switch (format) {
        case RainFormat::kIntensity:
            rate = r;
            break;
        case RainFormat::kVolume:
            rate = r / out.interval_s;
            break;
        case RainFormat::kCumulative:
            rate = (r < accum ? r : r - accum) / out.interval_s;
            accum = r;
            break;
        }
        if (rate != 0 || (keep_first && &raw == &points.front().second))
            out.records.push_back({t, rate});
    }
    std::stable_sort(
        out.records.begin(), out.records.end(),
        [](const RainRecord& a, const RainRecord& b) { return a.start_s < b.start_s; });
    // Monthly rainfall adjustment. SWMM converts a record when it reads it, which is when the
    // record before it becomes current, with the factor of the month of the runoff time then
    // (gage.c getNextRainfall, climate_setState). The first record, and the second when the first
    // starts at or before the simulation start, are read before any month is set: factor 1.
    for (std::size_t k = 1; k < out.records.size(); ++k) {
        const double read_at = out.records[k - 1].start_s;
        if (k == 1 && read_at <= 0)
            continue;
        out.records[k].intensity_ms *=
            adjust.rain[static_cast<std::size_t>(month_at(net, std::max(read_at, 0.0)))];
    }
    return out;
}

struct Calendar {
    int month0 = 0; ///< 0..11
    int dow = 0;    ///< 0 = Sunday
    int hour = 0;
};

Calendar calendar_at(const Network& net, double t) {
    const Seconds base = seconds_since_epoch(net.options.start);
    const auto s = static_cast<Seconds>(std::floor(static_cast<double>(base) + t));
    const CalendarTime c = calendar_from_seconds(s);
    Calendar out;
    out.month0 = c.month - 1;
    const auto days = static_cast<std::int64_t>(std::floor(static_cast<double>(s) / 86400.0));
    out.dow = static_cast<int>(((days + 6) % 7 + 7) % 7); // 1899-12-30 was a Saturday
    out.hour = static_cast<int>(c.time_of_day / 3600);
    return out;
}

double pattern_factor(const Network& net, PatternIndex p, const Calendar& c, bool has_weekend) {
    if (!p.valid())
        return 1.0;
    const auto& pat = net.patterns[p.idx()];
    auto at = [&](int i) {
        return i >= 0 && i < static_cast<int>(pat.factors.size()) ? pat.factors[i] : 1.0;
    };
    const bool weekend = c.dow == 0 || c.dow == 6;
    switch (pat.type) {
    case PatternType::kMonthly:
        return at(c.month0);
    case PatternType::kDaily:
        return at(c.dow);
    case PatternType::kHourly:
        return (weekend && has_weekend) ? 1.0 : at(c.hour);
    case PatternType::kWeekend:
        return weekend ? at(c.hour) : 1.0;
    }
    return 1.0;
}

double evaporation_rate(const Network& net, const ClimateAdjustments& adjust, double t,
                        double& next_change) {
    const auto& e = net.evaporation;
    next_change = kInf;
    if (e.type == EvaporationType::kConstant && !adjust.evap_given)
        return e.constant_ms; // no calendar needed (this runs every routing step)
    const Seconds base = seconds_since_epoch(net.options.start);
    const auto s = static_cast<Seconds>(std::floor(static_cast<double>(base) + t));
    const CalendarTime c = calendar_from_seconds(s);
    auto month_end = [&] {
        CalendarTime n{c.year + (c.month == 12 ? 1 : 0), c.month == 12 ? 1 : c.month + 1, 1, 0};
        return static_cast<double>(seconds_since_epoch(n) - base);
    };
    // [ADJUSTMENTS] EVAPORATION adds to the rate of the month (SWMM setEvap)
    const double added = adjust.evap_ms[static_cast<std::size_t>(c.month - 1)];
    switch (e.type) {
    case EvaporationType::kConstant:
        if (adjust.evap_given)
            next_change = month_end();
        return e.constant_ms + added;
    case EvaporationType::kMonthly:
        next_change = month_end();
        return e.monthly_ms[static_cast<std::size_t>(c.month - 1)] + added;
    case EvaporationType::kTimeSeries: {
        // the rate of the series' last point at or before t, held to the next point (SWMM
        // setEvap and setNextEvapDate); before the first point, the first point's rate
        next_change = month_end();
        if (!e.series.valid())
            return added;
        const auto& ts = net.series[e.series.idx()];
        if (ts.time_s.empty())
            return added;
        const auto it = std::upper_bound(ts.time_s.begin(), ts.time_s.end(), t);
        if (it != ts.time_s.end())
            next_change = std::min(next_change, *it);
        const auto i = it == ts.time_s.begin()
                           ? std::size_t{0}
                           : static_cast<std::size_t>(it - ts.time_s.begin()) - 1;
        return ts.value[i] + added;
    }
    case EvaporationType::kTemperature:
    case EvaporationType::kFile: {
        // the day's rate from the climate file; FILE rates change at midnight (SWMM
        // setNextEvapDate), TEMPERATURE ones when a step begins on a new day
        const auto& d = *adjust.daily;
        const Seconds now = base + static_cast<Seconds>(std::floor(t));
        const auto k = std::clamp<Seconds>((now - d.first_day_s) / 86400, 0,
                                           static_cast<Seconds>(d.rate_ms.size()) - 1);
        if (d.changes_at_midnight)
            next_change = static_cast<double>(d.first_day_s + (k + 1) * 86400 - base);
        return d.rate_ms[static_cast<std::size_t>(k)];
    }
    }
    return added;
}

SubcatchmentParams subcatchment_params(const Network& net, int i) {
    const auto& s = net.subcatchments;
    SubcatchmentParams p;
    p.area_m2 = s.area_m2[i];
    p.width_m = s.width_m[i];
    p.slope = s.slope[i];
    p.imperv_fraction = s.imperv_fraction[i];
    p.n_imperv = s.n_imperv[i];
    p.n_perv = s.n_perv[i];
    p.dstore_imperv_m = s.dstore_imperv_m[i];
    p.dstore_perv_m = s.dstore_perv_m[i];
    p.zero_dstore_fraction = s.zero_imperv_fraction[i];
    p.route_to = s.route_to[i];
    p.routed_fraction = s.routed_fraction[i];
    p.has_infiltration = s.has_infiltration[i] != 0;
    p.infiltration = s.infiltration[i];
    if (!s.infiltration[i].model_given)
        p.infiltration.model = net.options.infiltration;
    return p;
}

/// [EVENTS]: flow routing runs only inside these periods (SWMM 5.1.11+, routing.c); between
/// them runoff goes on but nothing enters or moves through the drainage system.
struct RoutingEvents {
    std::vector<std::pair<double, double>> periods; ///< start, end in s from the start, sorted
    std::size_t next = 0;
    bool between = false;

    /// SWMM isBetweenEvents: an event that has ended moves on to the next one.
    bool is_between(double t) {
        if (periods.empty())
            return false;
        if (next >= periods.size())
            return true;
        if (t > periods[next].second) {
            ++next;
            return true;
        }
        return t < periods[next].first;
    }
    double next_start() const { return next < periods.size() ? periods[next].first : kInf; }
};

RoutingEvents read_events(const Network& net) {
    RoutingEvents ev;
    const auto* raw = net.raw_section("EVENTS");
    if (!raw)
        return ev;
    const auto base = seconds_since_epoch(net.options.start);
    for (std::size_t r = 0; r < raw->rows.size(); ++r) {
        const auto& row = raw->rows[r];
        auto fail = [&](const std::string& what) {
            throw Error(ErrorCode::kNumberSyntax, net.source_file + ":" +
                                                      std::to_string(raw->line[r]) + ": [EVENTS] " +
                                                      what);
        };
        if (row.size() != 4)
            fail("needs 'start-date start-time end-date end-time'");
        auto at = [&](const std::string& date, const std::string& time, const char* which) {
            int m = 0, d = 0, y = 0;
            char s1 = 0, s2 = 0;
            std::istringstream ds(date);
            if (!(ds >> m >> s1 >> d >> s2 >> y) || s1 != '/' || s2 != '/' || m < 1 || m > 12 ||
                d < 1 || d > 31)
                fail(std::string(which) + " date '" + date + "' is not month/day/year");
            double parts[3] = {0, 0, 0};
            std::size_t pos = 0;
            for (int i = 0; i < 3 && pos <= time.size(); ++i) {
                const auto end = std::min(time.find(':', pos), time.size());
                const std::string field = time.substr(pos, end - pos);
                char* stop = nullptr;
                parts[i] = std::strtod(field.c_str(), &stop);
                if (field.empty() || *stop != '\0')
                    fail(std::string(which) + " time '" + time + "' is not hours[:minutes]");
                pos = end + 1;
            }
            const double tod = parts[0] * 3600 + parts[1] * 60 + parts[2];
            return static_cast<double>(seconds_since_epoch({y, m, d, 0}) - base) + tod;
        };
        ev.periods.emplace_back(at(row[0], row[1], "start"), at(row[2], row[3], "end"));
    }
    std::stable_sort(ev.periods.begin(), ev.periods.end());
    for (std::size_t i = 0; i + 1 < ev.periods.size(); ++i) // overlapping events end early
        ev.periods[i].second = std::min(ev.periods[i].second, ev.periods[i + 1].first);
    ev.between = !ev.periods.empty();
    return ev;
}

/// SWMM's run length (project.c): its date-times are day numbers, whole days plus the time of
/// day as a fraction, and the run lasts floor((end − start)·86400) s of them, a second short of
/// the exact length where the fractions do not cancel (a start at 03:10 and an end at midnight).
double swmm_duration_s(const Options& o) {
    const Seconds start = seconds_since_epoch(o.start);
    return std::floor((swmm_day_number(start + o.end_s) - swmm_day_number(start)) * 86400.0);
}

void check_supported(const Network& net) {
    auto unsupported = [](const std::string& what) {
        throw Error(ErrorCode::kUnsupported, what + " is not yet simulated");
    };
    for (int j = 0; j < net.link_count(); ++j)
        if (net.link_kind[j] == LinkKind::kConduit && net.xsection[j].culvert_code != 0 &&
            !culvert_coefficients(net.xsection[j].culvert_code))
            unsupported("conduit " + net.link_id[j] + ": culvert inlet control for culvert code " +
                        std::to_string(net.xsection[j].culvert_code) +
                        " (codes 1-23 of HDS-5 Table A.1 are simulated)");
    // interface files: a run that should start from a hot start file or take its rainfall,
    // runoff, RDII or inflows from one would otherwise run without them
    for (const auto& f : net.files) {
        if (rows::iequals(f.mode, "USE") && !rows::iequals(f.kind, "INFLOWS") &&
            !rows::iequals(f.kind, "RDII") && !rows::iequals(f.kind, "HOTSTART") &&
            !rows::iequals(f.kind, "RUNOFF") && !rows::iequals(f.kind, "RAINFALL"))
            unsupported("[FILES] USE " + f.kind + " " + f.name +
                        " (of SWMM's interface files USE INFLOWS, RDII, HOTSTART and RUNOFF are "
                        "read)");
    }
}

} // namespace

double continuity_error_pct(double in, double out) {
    if (std::abs(in - out) < kFoot * kFoot * kFoot)
        return 0.0;
    if (in > 0)
        return 100.0 * (1.0 - out / in);
    if (out > 0)
        return 100.0 * (in / out - 1.0);
    return 0.0;
}

// The state of one run (the body of SWMM's swmm_step loop, split so that a caller can advance the
// run in pieces). It holds references into itself (the router's rules), so it never moves.
struct Simulator::State {
    State(const Network& network, const SimulationOptions& opts);
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    void runoff_execute();
    void accumulate(double h);
    void save_report(double t_old, double t_new);
    bool raining(double t, double ahead_s) const;
    bool lat_steady(const std::vector<double>& ref) const;
    bool controls_act(double t0, double dt);
    void start_window(double t);
    bool at_rest(double t);
    void add_inflows(double t0);
    void step();
    void balances();
    void update_statistics(double dt);
    void node_balance(int n, double dt);
    void start_from(const HotStart& h);
    void set_recovery_factor(double t);
    void runoff_from_file();
    void set_snow_weather(double t);
    void setup_quality();
    [[nodiscard]] HotStart hot_start() const;

    const Network& net;
    const SimulationOptions options;
    const Options& opt;
    SimulationResult result;
    SimulationSummary& sum;
    ReportSeries& rep;
    double total, report_step, wet_step, dry_step;
    int n_nodes, n_links, n_sub;
    RoutingSettings rs;
    bool do_routing, do_runoff;
    FlowRouter router;
    ControlRules rules;
    std::vector<NodeState>& nodes;
    StreetInlets inlets; // [INLET_USAGE] (drainage/inlet.hpp)

    // runoff state
    ClimateAdjustments adjust;           // [ADJUSTMENTS]
    bool has_hydcon_adjustments = false; // CONDUCTIVITY factors or subcatchment patterns
    std::vector<GageRain> gages;
    std::vector<GageRainState> gage_state; ///< each gage's rainfall now and past, for rules
    std::vector<SubcatchmentRunoff> subs;
    std::vector<LidGroup> lids;
    std::vector<std::optional<GroundwaterState>> aquifers;
    std::optional<RdiiInflows> rdii;          // [RDII] and [HYDROGRAPHS]
    std::optional<RoutingInflows> iface_in;   // [FILES] USE INFLOWS
    std::optional<RoutingOutflows> iface_out; // [FILES] SAVE OUTFLOWS
    std::filesystem::path iface_out_path;
    std::filesystem::path hot_start_out; ///< [FILES] SAVE HOTSTART; empty: none
    std::optional<HotStart> hot_in;      ///< [FILES] USE HOTSTART: its pollutants, set later
    std::optional<RunoffFile> runoff_in; ///< [FILES] USE RUNOFF
    std::filesystem::path runoff_in_path;
    std::size_t runoff_in_next = 0;                     ///< the next step to read
    std::vector<double> gw_file_old, gw_file_new;       ///< USE RUNOFF: aquifer outflows, m³/s
    std::vector<double> gw_file_table_m, gw_file_theta; ///< USE RUNOFF: water tables, moisture
    std::optional<RunoffFile> runoff_out;               ///< [FILES] SAVE RUNOFF
    std::filesystem::path runoff_out_path;
    std::vector<double> iface_q, iface_c;
    std::vector<double> old_runoff, new_runoff, sub_rain;
    std::vector<double> sub_evap_ms, sub_infil_ms; ///< the last runoff step's loss rates, m/s
    double old_runoff_t = 0, new_runoff_t = 0;
    bool has_runoff_flag = false;
    std::vector<double> outfall_routed_m3;
    /// [outfall][pollutant]: what outfalls routed onto subcatchments discharged since the last
    /// runoff step, concentration (per L) × m³ (SWMM Outfall.wRouted)
    std::vector<double> outfall_routed_load;

    // snowmelt ([SNOWPACKS], [TEMPERATURE]; drainage/snow.hpp)
    SnowInput snow_in;
    std::vector<std::optional<SnowPack>> packs;
    std::optional<DailyClimate> climate_days; ///< [TEMPERATURE] FILE
    DailyTemperatureCycle temp_cycle;
    double air_temp_c = (70.0 - 32.0) / 1.8; ///< SWMM's 70 °F until a source sets it
    double wind_ms = 0;
    std::int64_t weather_day = std::numeric_limits<std::int64_t>::min();
    bool has_snow = false; ///< some subcatchment had snow at the end of the last runoff step
    std::vector<double> snow_old_m, snow_new_m; ///< snow depth at the last two runoff times

    // pollutant buildup and washoff on subcatchments (drainage/quality.hpp)
    std::optional<SurfaceQuality> quality;
    // the pollutants routed through the network (drainage/quality_routing.hpp)
    std::optional<NetworkQuality> netq;
    std::vector<int> inflow_pollutant; ///< per [INFLOWS] line: its pollutant, -1 for FLOW
    std::vector<int> dwf_line;         ///< per node and pollutant: its [DWF] line, -1: none
    std::string quality_sections;      ///< the quality sections the model holds, for the run's note

    // routing totals (trapezoidal over each step, as SWMM's massbal)
    struct Rates {
        double dw = 0, ww = 0, ex = 0, flood = 0, out = 0, loss = 0;
        double gw = 0; // groundwater inflow
        double ii = 0; // RDII
    } rates;
    bool has_weekend = false;
    std::vector<double> old_lat, old_inflow, old_depth, old_flow;
    double t_route = 0;
    double rule_time = 0; ///< RULE_STEP: when the control rules are next evaluated
    double report_time = 0;
    std::int64_t trials = 0;
    double routed_s = 0; ///< time covered by routed steps

    // holding a system at rest (SimulationOptions::hold_at_rest; docs/drainage.md): the state is
    // checked over windows of rest_window_s routed seconds; a held step routes nothing and
    // counts the inflows and the outflows of the held state, as SWMM's skipped steady steps do
    // (not with a tidal or time-series outfall stage: the boundary itself moves)
    bool may_hold = false;
    bool holding = false;
    double window_start = 0, hold_start = 0, hold_length = 0;
    std::vector<double> rest_depth, rest_lat, lat_now, settings;
    RoutingEvents events;
    bool finished = false;
};

namespace {
RoutingSettings settings_for(const Network& net, const SimulationOptions& options) {
    RoutingSettings rs = routing_settings(net);
    if (options.routing)
        rs.model = *options.routing;
    return rs;
}
} // namespace

Simulator::State::State(const Network& network, const SimulationOptions& opts)
    : net((check_supported(network), network)), options(opts), opt(net.options),
      sum(result.summary), rep(result.series), total(swmm_duration_s(net.options)),
      report_step(static_cast<double>(opt.report_step_s)),
      wet_step(static_cast<double>(opt.wet_step_s)), // lowered below to rain intervals
      dry_step(static_cast<double>(opt.dry_step_s)), n_nodes(net.node_count()),
      n_links(net.link_count()), n_sub(net.subcatchments.count()), rs(settings_for(net, opts)),
      do_routing(n_nodes > 0 && !opt.ignore_routing && rs.model != FlowRouting::kNone),
      do_runoff(n_sub > 0),
      router(net,
             [&] {
                 RoutingSettings r = rs;
                 if (!do_routing)
                     r.model = FlowRouting::kKinwave; // the router still carries the node state
                 return r;
             }()),
      rules(net), nodes(router.nodes()), inlets(net, router.links(), router.nodes()),
      aquifers(n_sub), old_runoff(n_sub, 0.0), new_runoff(n_sub, 0.0), sub_rain(n_sub, 0.0),
      sub_evap_ms(n_sub, 0.0), sub_infil_ms(n_sub, 0.0),
      outfall_routed_m3(net.outfalls.count(), 0.0), report_time(report_step),
      events(read_events(net)) {
    sum.has_runoff = do_runoff;
    sum.has_routing = do_routing;
    sum.dynamic_wave = do_routing && rs.model == FlowRouting::kDynwave;
    // the water quality sections the model holds, named once in the run's note (setup_quality)
    {
        std::string& sections = quality_sections;
        for (const char* name : {"POLLUTANTS", "LANDUSES", "BUILDUP", "WASHOFF", "TREATMENT"})
            if (const auto* raw = net.raw_section(name); raw && !raw->rows.empty())
                sections += (sections.empty() ? "[" : ", [") + std::string(name) + "]";
        for (const auto& f : net.files)
            if (rows::iequals(f.mode, "SAVE") && !rows::iequals(f.kind, "OUTFLOWS") &&
                !rows::iequals(f.kind, "RDII") && !rows::iequals(f.kind, "HOTSTART") &&
                !rows::iequals(f.kind, "RUNOFF") && !rows::iequals(f.kind, "RAINFALL"))
                sum.not_simulated.push_back("[FILES] SAVE " + f.kind + " " + f.name +
                                            ": SWMM interface files are not written / "
                                            "SWMM 接口文件未写出");
    }
    if (!do_routing)
        rs.model = FlowRouting::kKinwave;
    if (!rules.empty())
        router.set_rules(&rules, &gage_state);

    adjust = read_adjustments(net);
    if (net.evaporation.type == EvaporationType::kTemperature ||
        net.evaporation.type == EvaporationType::kFile)
        adjust.daily = daily_evaporation(net, options.base_dir,
                                         static_cast<int>(std::ceil(total / 86400.0)) + 1,
                                         adjust.temp_f, adjust.evap_ms);
    has_hydcon_adjustments =
        !adjust.patterns.empty() ||
        std::any_of(adjust.hydcon.begin(), adjust.hydcon.end(), [](double f) { return f != 1.0; });
    {
        // rainfall interface files (SWMM rain_open): only where some gage reads a rain file, and
        // never under IGNORE_RAINFALL, where SWMM neither reads nor writes one (swmm5.c)
        const bool file_gages = !net.options.ignore_rainfall &&
                                std::any_of(net.gages.begin(), net.gages.end(), [](const auto& g) {
                                    return g.source == RainSource::kFile;
                                });
        std::optional<RainfallFile> use, save;
        std::filesystem::path save_path;
        for (const auto& f : net.files) {
            if (!file_gages || !rows::iequals(f.kind, "RAINFALL"))
                continue;
            std::filesystem::path p(f.name);
            if (p.is_relative())
                p = (options.base_dir.empty() ? std::filesystem::path(net.source_file).parent_path()
                                              : options.base_dir) /
                    p;
            if (rows::iequals(f.mode, "USE"))
                use.emplace(RainfallFile::read_file(p));
            else if (rows::iequals(f.mode, "SAVE")) {
                save.emplace();
                save_path = p;
            }
        }
        for (int g = 0; g < static_cast<int>(net.gages.size()); ++g) {
            RainfallFile::Gage saved;
            const bool saving = save && net.gages[g].source == RainSource::kFile;
            // SWMM writes every file gage's readings to its interface file, each read with its
            // own line's parameters, then gives a gage those of the FIRST entry of its station
            // (rain.c findGageInFile): a later gage of the same station rains as the first,
            // whatever its own format, interval or start date
            int first = g;
            if (!use && net.gages[g].source == RainSource::kFile)
                for (int k = 0; k < g; ++k)
                    if (net.gages[k].source == RainSource::kFile &&
                        net.gages[k].station == net.gages[g].station) {
                        first = k;
                        break;
                    }
            gages.push_back(build_gage(net, g, options.base_dir, adjust, use ? &*use : nullptr,
                                       saving ? &saved : nullptr, first == g));
            if (first != g) {
                gages.back().records = gages[static_cast<std::size_t>(first)].records;
                gages.back().interval_s = gages[static_cast<std::size_t>(first)].interval_s;
            }
            if (saving)
                save->gages.push_back(std::move(saved));
        }
        if (save) // written before the run, as SWMM writes it
            save->write_file(save_path);
    }
    gage_state.assign(gages.size(), GageRainState{});
    lids.reserve(n_sub);
    subs.reserve(n_sub);
    for (int i = 0; i < n_sub; ++i) {
        // LID units take their area out of the subcatchment's surface (SWMM: non-LID area)
        lids.emplace_back(net, i);
        SubcatchmentParams params = subcatchment_params(net, i);
        params.area_m2 -= lids.back().lid_area_m2();
        subs.emplace_back(params);
        if (net.subcatchments.gage[i].valid())
            gages[net.subcatchments.gage[i].idx()].used = true;
    }
    // snow packs, and the air temperature and wind they melt by
    {
        Diagnostics snow_diags;
        snow_in = read_snow_sections(net, net.source_file, snow_diags);
        if (snow_diags.has_errors())
            throw Error(snow_diags.items().front().code, snow_diags.format());
        snow_old_m.assign(static_cast<std::size_t>(n_sub), 0.0);
        snow_new_m.assign(static_cast<std::size_t>(n_sub), 0.0);
        packs.resize(static_cast<std::size_t>(n_sub));
        if (snow_in.active) {
            sum.has_snow = true;
            for (int i = 0; i < n_sub; ++i) {
                const std::string& name = net.subcatchments.snowpack[static_cast<std::size_t>(i)];
                const int k = name.empty() ? -1 : snow_in.pack_of(name);
                if (k < 0)
                    continue;
                packs[static_cast<std::size_t>(i)].emplace(
                    snow_in.packs[static_cast<std::size_t>(k)],
                    net.subcatchments.imperv_fraction[i],
                    subs[static_cast<std::size_t>(i)].area_m2());
                snow_new_m[static_cast<std::size_t>(i)] =
                    packs[static_cast<std::size_t>(i)]->depth_m();
            }
            if (snow_in.climate.source == AirTemperatureSource::kFile ||
                snow_in.climate.wind_from_file)
                climate_days = daily_climate(net, options.base_dir,
                                             static_cast<int>(std::ceil(total / 86400.0)) + 1);
        }
    }
    // a unit hydrograph group's gage is used (SWMM rdii_readUnitHydParams); a USE RDII file is
    // routed even without [RDII] lines (SWMM rdii_openRdii opens it whatever the model holds)
    const bool use_rdii_file = std::any_of(net.files.begin(), net.files.end(), [](const auto& f) {
        return rows::iequals(f.mode, "USE") && rows::iequals(f.kind, "RDII");
    });
    const bool with_rdii = (!net.rdii.empty() || use_rdii_file) && !opt.ignore_rdii;
    if (with_rdii)
        for (const auto& uh : net.hydrographs)
            if (uh.gage.valid())
                gages[uh.gage.idx()].used = true;
    // A used gage reading a time series at a shorter interval than WET_STEP shortens the wet
    // step to its interval (SWMM gage_validate, warning 01); a gage sharing an earlier used
    // gage's series is skipped as SWMM skips co-gages.
    for (std::size_t g = 0; g < gages.size(); ++g) {
        const auto& gage = net.gages[g];
        if (!gages[g].used || gage.source != RainSource::kTimeSeries || !gage.series.valid())
            continue;
        bool co_gage = false;
        for (std::size_t e = 0; e < g; ++e)
            co_gage = co_gage || (gages[e].used && net.gages[e].source == RainSource::kTimeSeries &&
                                  net.gages[e].series == gage.series);
        if (!co_gage && gages[g].interval_s < wet_step)
            wet_step = gages[g].interval_s;
    }
    // an interface file's path: relative to the model's folder
    const auto interface_path = [&](const FileUse& f) {
        const std::filesystem::path dir = options.base_dir.empty()
                                              ? std::filesystem::path(net.source_file).parent_path()
                                              : options.base_dir;
        std::filesystem::path p(f.name);
        return p.is_relative() ? dir / p : p;
    };
    // RDII on the runoff wet step, over the whole run (SWMM createRdiiFile), or read from a USE
    // RDII file; a SAVE RDII file is written before the run, as SWMM writes it
    if (with_rdii) {
        const FileUse* use = nullptr;
        for (const auto& f : net.files)
            if (rows::iequals(f.mode, "USE") && rows::iequals(f.kind, "RDII"))
                use = &f;
        if (use != nullptr) {
            rdii.emplace(RdiiInflows::read_file(net, interface_path(*use)));
        } else {
            rdii.emplace(
                net, wet_step, total,
                [this](int g, double t) {
                    const auto& gage = gages[static_cast<std::size_t>(g)];
                    return gage.used && !opt.ignore_rainfall ? gage.rain_ms(t) : 0.0;
                },
                [this](double t) { return month_at(net, t); });
            sum.has_rdii = !rdii->empty();
            sum.rdii.sewershed_rain_m3 = rdii->sewershed_rain_m3();
            sum.rdii.produced_m3 = rdii->rdii_produced_m3();
            for (const auto& f : net.files)
                if (rows::iequals(f.mode, "SAVE") && rows::iequals(f.kind, "RDII"))
                    rdii->write_file(net, interface_path(f));
        }
    }
    // routing interface files (SWMM iface.c)
    for (const auto& f : net.files) {
        const std::filesystem::path p = interface_path(f);
        if (rows::iequals(f.mode, "USE") && rows::iequals(f.kind, "INFLOWS"))
            iface_in.emplace(net, p);
        if (rows::iequals(f.mode, "SAVE") && rows::iequals(f.kind, "OUTFLOWS") && do_routing) {
            iface_out.emplace(net, rs.model == FlowRouting::kDynwave, report_step);
            iface_out_path = p;
            if (opt.report_start_s <= 0) { // the initial state too (SWMM openFileForOutput)
                iface_q.assign(static_cast<std::size_t>(n_nodes), 0.0);
                for (int n = 0; n < n_nodes; ++n)
                    iface_q[static_cast<std::size_t>(n)] = nodes[n].inflow;
                iface_out->record(0.0, iface_q);
            }
        }
    }
    // groundwater under subcatchments ([AQUIFERS], [GROUNDWATER])
    if (!opt.ignore_groundwater && net.raw_section("GROUNDWATER")) {
        Diagnostics gw_diags;
        const auto gw_in = read_groundwater_sections(net, net.source_file, gw_diags);
        if (gw_diags.has_errors())
            throw Error(gw_diags.items().front().code, gw_diags.format());
        for (const auto& g : gw_in.groundwater) {
            const int i = g.subcatchment;
            const double area = net.subcatchments.area_m2[i];
            const double lid_area = lids[i].lid_area_m2();
            double frac_perv = 1.0 - net.subcatchments.imperv_fraction[i];
            if (lid_area > 0 && area > 0) // SWMM subcatch_getFracPerv
                frac_perv = std::min(
                    (frac_perv * (area - lid_area) + lids[i].pervious_area_m2()) / area, 1.0);
            aquifers[i].emplace(gw_in.aquifers[static_cast<std::size_t>(g.aquifer)], g, area,
                                frac_perv, gw_in.flow_unit_ms, gw_in.length_unit_m);
            sum.has_groundwater = true;
            sum.subcatch_has_aquifer.resize(static_cast<std::size_t>(n_sub), 0);
            sum.subcatch_has_aquifer[static_cast<std::size_t>(i)] = 1;
        }
    }
    // a hot start file's state replaces the initial one (SWMM hotstart_open, after the
    // project's initial state and before routing_open); a SAVE file is written at the end
    if (!options.use_hot_start.empty())
        start_from(HotStart::read_file(net, options.use_hot_start));
    if (!options.save_hot_start.empty())
        hot_start_out = options.save_hot_start;
    for (const auto& f : net.files) {
        if (rows::iequals(f.mode, "USE") && rows::iequals(f.kind, "HOTSTART") &&
            options.use_hot_start.empty())
            start_from(HotStart::read_file(net, interface_path(f)));
        if (rows::iequals(f.mode, "SAVE") && rows::iequals(f.kind, "HOTSTART") &&
            options.save_hot_start.empty())
            hot_start_out = interface_path(f);
        // runoff interface files (SWMM runoff_initFile): USE replaces the runoff computation
        if (rows::iequals(f.kind, "RUNOFF") && do_runoff) {
            if (rows::iequals(f.mode, "USE")) {
                runoff_in_path = interface_path(f);
                runoff_in.emplace(RunoffFile::read_file(net, runoff_in_path));
                gw_file_old.assign(static_cast<std::size_t>(n_sub), 0.0);
                gw_file_new.assign(static_cast<std::size_t>(n_sub), 0.0);
                gw_file_table_m.assign(static_cast<std::size_t>(n_sub), 0.0);
                gw_file_theta.assign(static_cast<std::size_t>(n_sub), 0.0);
                sum.has_runoff = false;
                sum.runoff_from_file = true;
            } else if (rows::iequals(f.mode, "SAVE")) {
                runoff_out.emplace(net);
                runoff_out_path = interface_path(f);
            }
        }
    }
    setup_quality();
    for (const auto& s : subs)
        sum.runoff.initial_storage_m3 += s.stored_m3();
    for (const auto& p : packs)
        if (p)
            sum.runoff.initial_snow_m3 += p->cover_m3();
    for (const auto& g : lids) {
        sum.runoff.initial_storage_m3 += g.stored_m3();
        has_runoff_flag = has_runoff_flag || g.wet();
    }

    sum.routing.initial_storage_m3 = router.stored_volume_m3();
    sum.max_depth_m.assign(n_nodes, 0.0);
    sum.flood_volume_m3.assign(n_nodes, 0.0);
    sum.max_flow_m3s.assign(n_links, 0.0);
    if (options.report_statistics && do_routing) {
        sum.node_stats.assign(n_nodes, NodeStatistics{});
        sum.link_stats.assign(n_links, LinkStatistics{});
    }
    if (options.report_statistics && do_runoff && !runoff_in)
        sum.subcatch_stats.assign(n_sub, SubcatchStatistics{});
    for (int n = 0; n < static_cast<int>(sum.node_stats.size()); ++n) {
        auto& st = sum.node_stats[n];
        st.inflow_m3 = nodes[n].volume; // SWMM's NodeInflow starts from the stored volume
        st.full_depth_m = nodes[n].full_depth_m;
        st.crown_depth_m = nodes[n].crown_depth_m;
        st.full_volume_m3 = nodes[n].full_volume_m3;
    }
    for (int j = 0; j < static_cast<int>(sum.link_stats.size()); ++j) {
        const auto& l = router.links()[j];
        if (l.kind == LinkKind::kConduit && l.xs.shape() != Shape::kDummy) {
            sum.link_stats[j].full_depth_m = l.xs.y_full_m();
            sum.link_stats[j].full_flow_m3s = l.q_full * l.barrels;
            sum.link_stats[j].length_ratio = l.length_m > 0 ? l.mod_length_m / l.length_m : 1.0;
        }
    }
    for (const auto& p : net.patterns)
        has_weekend = has_weekend || p.type == PatternType::kWeekend;
    old_lat.assign(n_nodes, 0.0);
    old_inflow.assign(n_nodes, 0.0);
    old_depth.assign(n_nodes, 0.0);
    old_flow.assign(n_links, 0.0);

    bool moving_boundary = false;
    for (const auto type : net.outfalls.type)
        moving_boundary =
            moving_boundary || type == OutfallType::kTidal || type == OutfallType::kTimeSeries;
    may_hold = options.hold_at_rest && do_routing && n_links > 0 && !moving_boundary;
    if (may_hold) {
        rest_depth.resize(n_nodes);
        for (int n = 0; n < n_nodes; ++n)
            rest_depth[n] = nodes[n].depth;
        rest_lat.assign(n_nodes, 0.0);
        lat_now.assign(n_nodes, 0.0);
    }
}

// Pollutant buildup and washoff on subcatchments, where the model has pollutants and uses nothing
// their simulation leaves out; the run's note says which (docs/drainage.md "Water quality")
void Simulator::State::setup_quality() {
    if (quality_sections.empty())
        return;
    const bool has_pollutants = [&] {
        const auto* raw = net.raw_section("POLLUTANTS");
        return raw != nullptr && !raw->rows.empty();
    }();
    std::string why_en, why_zh;
    const auto because = [&](const char* en, const char* zh) {
        if (why_en.empty()) {
            why_en = en;
            why_zh = zh;
        }
    };
    if (!has_pollutants)
        because("there are no pollutants", "无污染物");
    if (opt.ignore_quality)
        because("IGNORE_QUALITY YES", "IGNORE_QUALITY YES（忽略水质）");
    if (!do_runoff && !do_routing)
        because("there are no subcatchments and no flow routing", "无子汇水区且未进行管网演算");
    if (!why_en.empty()) {
        // a SAVE OUTFLOWS file still has the pollutants' columns, at no concentration (SWMM
        // writes them whatever IGNORE_QUALITY says)
        if (iface_out && has_pollutants) {
            std::vector<Pollutant> ids;
            for (const auto& row : net.raw_section("POLLUTANTS")->rows) {
                Pollutant p;
                p.id = row.empty() ? std::string() : row[0];
                if (row.size() > 1 && rows::iequals(row[1], "UG/L"))
                    p.units = ConcentrationUnit::kUgPerL;
                else if (row.size() > 1 && rows::iequals(row[1], "#/L"))
                    p.units = ConcentrationUnit::kCountPerL;
                ids.push_back(std::move(p));
            }
            iface_out->set_pollutants(ids, {});
        }
        sum.not_simulated.push_back(
            "water quality (" + quality_sections + ") is kept in the model but not simulated (" +
            why_en + "): only flows are computed / 水质（污染物）数据已保留但未模拟（" + why_zh +
            "），仅计算水量");
        return;
    }
    Diagnostics diags;
    QualityInput in = read_quality_sections(net, net.source_file, diags);
    if (diags.has_errors())
        throw Error(diags.items().front().code, diags.format());
    quality.emplace(net, std::move(in));
    // a hot start file's buildup, ponded pollutants and runoff quality (SWMM readRunoff)
    if (hot_in && hot_in->has_runoff)
        for (int i = 0; i < n_sub; ++i) {
            const auto& s = hot_in->subcatchments[static_cast<std::size_t>(i)];
            quality->set_state(
                i, {s.runoff_concentration, s.ponded_mass, s.buildup_kg, s.last_swept_day});
        }
    sum.has_quality = true;
    sum.pollutants = quality->input().pollutants;
    // routing the pollutants through the network, where nothing it leaves out is used
    std::string route_en, route_zh;
    const auto not_routed = [&](const char* en, const char* zh) {
        if (route_en.empty()) {
            route_en = en;
            route_zh = zh;
        }
    };
    if (!do_routing)
        not_routed("the flows are not routed", "未进行管网水流演算");
    // with a USE RUNOFF file the washoff comes from the file: nothing builds up or washes off
    // on the subcatchments (SWMM runoff_readFromFile)
    const std::string surface_en = runoff_in ? "washoff concentrations read from the [FILES] USE "
                                               "RUNOFF file (no buildup or washoff computed)"
                                             : "buildup and washoff on subcatchments";
    const std::string surface_zh = runoff_in
                                       ? "子汇水区冲刷浓度取自 USE RUNOFF 接口文件（不模拟累积"
                                         "与冲刷）"
                                       : "子汇水区污染物累积与冲刷";
    if (!route_en.empty()) {
        sum.not_simulated.push_back(
            "water quality (" + quality_sections + "): pollutant " + surface_en +
            " are simulated, but the pollutants are not routed through the drainage network (" +
            route_en + "; no node or link concentrations) / 水质：已模拟" + surface_zh +
            "，但污染物未在排水管网中演算（" + route_zh + "；无节点与管段浓度）");
        return;
    }
    auto treatment = read_treatment(net, sum.pollutants, net.source_file, diags);
    if (diags.has_errors())
        throw Error(diags.items().front().code, diags.format());
    netq.emplace(sum.pollutants, rs.model, static_cast<std::size_t>(n_nodes),
                 static_cast<std::size_t>(n_links));
    outfall_routed_load.assign(
        static_cast<std::size_t>(net.outfalls.count()) * sum.pollutants.size(), 0.0);
    if (!treatment.empty()) {
        const UnitFactors uf = unit_factors(opt.flow_units);
        netq->set_treatment(std::move(treatment), &router, 1.0 / uf.flow, 1.0 / uf.length);
    }
    if (hot_in) // SWMM skips qualrout_init: the file's concentrations, whatever the depths
        netq->start_from(hot_in->node_quality, hot_in->link_quality, hot_in->node_residence_s,
                         nodes, router.links());
    else
        netq->init(nodes, router.links());
    // routing interface files carry the pollutants' concentrations (SWMM iface.c); the initial
    // line of a SAVE OUTFLOWS file has none but a hot start file's (written before
    // qualrout_init)
    if (iface_in)
        iface_in->match_pollutants(sum.pollutants);
    if (iface_out) {
        std::vector<double> initial;
        if (hot_in)
            initial = hot_in->node_quality;
        iface_out->set_pollutants(sum.pollutants, initial);
    }
    const std::size_t np = sum.pollutants.size();
    for (const auto& line : net.inflows)
        inflow_pollutant.push_back(line.type == ExternalInflow::Type::kFlow
                                       ? -1
                                       : quality->input().pollutant_of(line.constituent));
    dwf_line.assign(static_cast<std::size_t>(n_nodes) * np, -1);
    for (std::size_t k = 0; k < net.dwf.size(); ++k) {
        const int p = quality->input().pollutant_of(net.dwf[k].constituent);
        if (p >= 0 && net.dwf[k].constituent != "FLOW") // a later line replaces (as SWMM)
            dwf_line[net.dwf[k].node.idx() * np + static_cast<std::size_t>(p)] =
                static_cast<int>(k);
    }
    sum.has_quality_routing = true;
    sum.not_simulated.push_back("water quality (" + quality_sections + "): " + surface_en +
                                ", routing through the network (mixing, decay, losses) and "
                                "treatment at nodes are simulated / 水质：已模拟" +
                                surface_zh + "、管网中的演算（混合、衰减、损失）及节点处理");
}

void Simulator::State::start_from(const HotStart& h) {
    for (int i = 0; i < n_sub && !h.subcatchments.empty(); ++i) {
        const auto& s = h.subcatchments[static_cast<std::size_t>(i)];
        if (h.has_runoff) {
            subs[i].set_state(s.depth_m, s.runoff_m3s);
            subs[i].infiltration_state().set_state(s.infiltration);
            new_runoff[i] = s.runoff_m3s;
        }
        if (s.has_groundwater && aquifers[i])
            aquifers[i]->set_state(s.groundwater);
        if (h.has_runoff && s.has_snow && packs[static_cast<std::size_t>(i)])
            for (int k = 0; k < 3; ++k) {
                std::array<double, 5> x{};
                std::copy_n(s.snow.begin() + 5 * k, 5, x.begin());
                packs[static_cast<std::size_t>(i)]->set_state(k, x);
            }
    }
    router.start_from(h.node_depth_m, h.node_lateral_m3s, h.link_flow_m3s, h.link_depth_m,
                      h.link_setting);
    hot_in = h; // its pollutants are set once the quality state is (setup_quality)
}

HotStart Simulator::State::hot_start() const {
    HotStart h;
    h.has_runoff = true;
    h.subcatchments.resize(static_cast<std::size_t>(n_sub));
    for (int i = 0; i < n_sub; ++i) {
        auto& s = h.subcatchments[static_cast<std::size_t>(i)];
        for (std::size_t k = 0; k < 3; ++k)
            s.depth_m[k] = subs[i].subareas()[k].depth_m;
        s.runoff_m3s = new_runoff[i];
        s.infiltration = subs[i].infiltration().state();
        if (aquifers[i]) {
            s.has_groundwater = true;
            s.groundwater = aquifers[i]->state();
        }
        if (const auto& p = packs[static_cast<std::size_t>(i)]) {
            s.has_snow = true;
            for (int k = 0; k < 3; ++k) {
                const auto x = p->state(k);
                std::copy_n(x.begin(), 5, s.snow.begin() + 5 * k);
            }
        }
    }
    for (const auto& nd : nodes) {
        h.node_depth_m.push_back(nd.depth);
        h.node_lateral_m3s.push_back(nd.lat_flow);
    }
    for (const auto& l : router.links()) {
        h.link_flow_m3s.push_back(l.flow);
        h.link_depth_m.push_back(l.depth);
        h.link_setting.push_back(l.setting);
    }
    // water quality (SWMM saveRunoff, saveRouting): what is not simulated is written as zeros
    if (quality)
        for (int i = 0; i < n_sub; ++i) {
            auto st = quality->state(i);
            auto& s = h.subcatchments[static_cast<std::size_t>(i)];
            s.runoff_concentration = std::move(st.runoff_concentration);
            s.ponded_mass = std::move(st.ponded_mass);
            s.buildup_kg = std::move(st.buildup_kg);
            s.last_swept_day = std::move(st.last_swept_day);
        }
    if (netq) {
        const std::size_t np = netq->pollutant_count();
        h.pollutants = np;
        h.node_residence_s.assign(static_cast<std::size_t>(n_nodes), 0.0);
        for (int n = 0; n < n_nodes; ++n) {
            h.node_residence_s[static_cast<std::size_t>(n)] = netq->residence_s(n);
            for (std::size_t p = 0; p < np; ++p)
                h.node_quality.push_back(netq->node_concentration(n, p, 1.0));
        }
        for (int j = 0; j < n_links; ++j)
            for (std::size_t p = 0; p < np; ++p)
                h.link_quality.push_back(netq->link_concentration(j, p, 1.0));
    }
    return h;
}

// [EVAPORATION] RECOVERY: the monthly pattern's factor on the soils' dry-weather recovery, for
// the subcatchments and the storage units' seepage (SWMM setEvap, month of `t`).
void Simulator::State::set_recovery_factor(double t) {
    const auto k = net.evaporation.recovery;
    if (!k.valid())
        return;
    const auto& pat = net.patterns[k.idx()];
    const auto m = static_cast<std::size_t>(month_at(net, t));
    const double r =
        pat.type == PatternType::kMonthly && m < pat.factors.size() ? pat.factors[m] : 1.0;
    for (auto& sub : subs)
        sub.infiltration_state().set_recovery_factor(r);
    router.set_recovery_factor(r);
}

void Simulator::State::runoff_from_file() {
    if (runoff_in_next >= runoff_in->step_count())
        throw Error(ErrorCode::kNumberSyntax,
                    runoff_in_path.string() + ": runoff interface file: its " +
                        std::to_string(runoff_in->step_count()) + " runoff steps end at " +
                        std::to_string(static_cast<long long>(new_runoff_t)) +
                        " s, before the run's end at " +
                        std::to_string(static_cast<long long>(total)) + " s");
    const std::size_t k = runoff_in_next++;
    old_runoff_t = new_runoff_t;
    new_runoff_t = std::min(old_runoff_t + runoff_in->step_s(k), total);
    if (quality) // SWMM subcatch_setOldState: the washoff concentrations become the old ones
        quality->begin_step();
    for (int i = 0; i < n_sub; ++i) {
        const RunoffStepResult r = runoff_in->result(k, static_cast<std::size_t>(i));
        if (quality) // the file's washoff concentrations (SWMM Subcatch newQual), nothing built up
            for (std::size_t p = 0; p < quality->pollutant_count(); ++p)
                quality->set_washoff(i, p, runoff_in->washoff(k, static_cast<std::size_t>(i), p));
        old_runoff[i] = new_runoff[i];
        new_runoff[i] = r.runoff_m3s;
        gw_file_old[i] = gw_file_new[i];
        gw_file_new[i] = r.groundwater_m3s;
        snow_old_m[static_cast<std::size_t>(i)] = snow_new_m[static_cast<std::size_t>(i)];
        snow_new_m[static_cast<std::size_t>(i)] = r.snow_depth_m;
        // what SWMM's output reports of a subcatchment run from the file
        sub_evap_ms[static_cast<std::size_t>(i)] = r.evap_ms;
        sub_infil_ms[static_cast<std::size_t>(i)] = r.infil_ms;
        gw_file_table_m[static_cast<std::size_t>(i)] = r.water_table_m;
        gw_file_theta[static_cast<std::size_t>(i)] = r.upper_moisture;
    }
    ++sum.runoff_steps;
}

// The air temperature, wind and melt coefficients at time `t` (SWMM climate_setState: setTemp
// and setWind at a runoff step's start; the coefficients change with the first step of a day).
void Simulator::State::set_snow_weather(double t) {
    const auto& c = snow_in.climate;
    const bool si = is_si(opt.flow_units);
    const double now = static_cast<double>(seconds_since_epoch(opt.start)) + t;
    const auto day = static_cast<std::int64_t>(std::floor(now / 86400.0));
    const CalendarTime cal = calendar_from_seconds(static_cast<Seconds>(std::floor(now)));
    const auto m = static_cast<std::size_t>(cal.month - 1);
    const std::size_t file_day =
        climate_days ? static_cast<std::size_t>(std::clamp<std::int64_t>(
                           (day * 86400 - climate_days->first_day_s) / 86400, 0,
                           static_cast<std::int64_t>(climate_days->days.size()) - 1))
                     : 0;
    if (day != weather_day) {
        weather_day = day;
        const int doy =
            static_cast<int>(day - seconds_since_epoch({cal.year, 1, 1, 0}) / 86400 + 1);
        if (c.source == AirTemperatureSource::kFile) {
            const auto& d = climate_days->days[file_day];
            temp_cycle.start_day(doy, c.latitude_deg, c.longitude_correction_h,
                                 (d.tmin + adjust.temp_f[m] - 32.0) / 1.8,
                                 (d.tmax + adjust.temp_f[m] - 32.0) / 1.8);
        }
        // without a temperature source SWMM never sets the coefficients (they stay 0)
        if (c.source != AirTemperatureSource::kNone)
            for (auto& p : packs)
                if (p)
                    p->set_melt_coefficients(doy);
    }
    if (c.source == AirTemperatureSource::kFile) {
        air_temp_c = temp_cycle.at_hour((now - static_cast<double>(day) * 86400.0) / 3600.0);
    } else if (c.source == AirTemperatureSource::kTimeSeries) {
        // the series' value interpolated, its first or last value outside it (SWMM
        // table_tseriesLookup with extension); °F or °C as written, plus the month's adjustment
        const auto& ts = net.series[static_cast<std::size_t>(c.series)];
        double v = 0;
        if (!ts.time_s.empty()) {
            if (t <= ts.time_s.front())
                v = ts.value.front();
            else if (t >= ts.time_s.back())
                v = ts.value.back();
            else
                v = series_value(ts, t);
        }
        air_temp_c = (si ? v : (v - 32.0) / 1.8) + adjust.temp_f[m] / 1.8;
    }
    if (c.wind_from_file) // the file's value taken as mph whatever the units, as SWMM does
        wind_ms = climate_days ? climate_days->days[file_day].wind * 0.44704 : 0.0;
    else
        wind_ms = c.wind_ms[m];
}

void Simulator::State::runoff_execute() {
    const double t = new_runoff_t;
    if (snow_in.active) // SWMM climate_setState, before the gages' state
        set_snow_weather(t);
    bool is_raining = false;
    std::vector<double> rain(gages.size(), 0.0);
    // the gages' rain as rain and as snow (at or below the dividing temperature, times the gage's
    // snow catch factor; SWMM gage_getPrecip)
    std::vector<double> liquid(gages.size(), 0.0), snowfall(gages.size(), 0.0);
    const bool snowing = snow_in.active && air_temp_c <= snow_in.climate.dividing_temp_c;
    for (std::size_t g = 0; g < gages.size(); ++g) {
        rain[g] = (gages[g].used && !opt.ignore_rainfall) ? gages[g].rain_ms(t) : 0.0;
        is_raining = is_raining || rain[g] > 0;
        if (snowing)
            snowfall[g] = rain[g] * net.gages[g].snow_catch_factor;
        else
            liquid[g] = rain[g];
    }
    for (std::size_t g = 0; g < gages.size(); ++g) // what control rules read of the gages
        gage_state[g].rain_ms = rain[g];
    set_recovery_factor(t); // SWMM climate_setState at the step's start
    if (runoff_in) {        // SWMM runoff_readFromFile, after the gages' state is set
        runoff_from_file();
        return;
    }
    double next_evap = kInf;
    const double evap = evaporation_rate(net, adjust, t, next_evap);
    double max_step = dry_step;
    if (next_evap - t > 0 && next_evap - t < max_step)
        max_step = next_evap - t;
    for (const auto& g : gages) {
        if (!g.used)
            continue;
        const double dt_next = g.next_change(t) - t;
        if (dt_next > 0 && dt_next < max_step)
            max_step = dt_next;
    }
    double step = (is_raining || has_runoff_flag || has_snow) ? wet_step : dry_step;
    step = std::min(step, max_step);
    const double prev_step = new_runoff_t - old_runoff_t;
    old_runoff_t = new_runoff_t;
    new_runoff_t += step;
    if (new_runoff_t > total) {
        step = total - old_runoff_t;
        new_runoff_t = total;
    }
    // past hourly rain totals, over whole seconds of the step (SWMM gage_updatePastRain)
    for (auto& g : gage_state)
        g.add_step(static_cast<int>(step));
    // run-on from upstream subcatchments: last step's runoff
    std::vector<double> runon(n_sub, 0.0);
    if (quality) // SWMM subcatch_setOldState: the washoff concentrations become the old ones
        quality->begin_step();
    for (int i = 0; i < n_sub; ++i) {
        old_runoff[i] = new_runoff[i];
        const auto k = net.subcatchments.outlet_subcatch[i];
        if (k.valid() && static_cast<int>(k.idx()) != i) {
            runon[k.idx()] += old_runoff[i];
            if (quality) // with its pollutants at last step's washoff concentrations
                quality->add_runon(i, static_cast<int>(k.idx()), old_runoff[i]);
        }
        // LID underdrains sent to another subcatchment: last step's flow
        lids[i].begin_step();
        for (const auto& u : lids[i].units()) {
            const auto d = u.usage().drain_subcatchment;
            if (d.valid() && static_cast<int>(d.idx()) != i) {
                runon[d.idx()] += u.old_drain_m3s;
                if (quality) // less the control's REMOVALS (SWMM lid_addDrainRunon)
                    quality->add_lid_drain_runon(i, static_cast<int>(d.idx()), u.old_drain_m3s,
                                                 u.usage().control);
            }
        }
    }
    // run-on from outfalls routed onto a subcatchment: what they discharged over the last
    // runoff step, as a mean flow (SWMM runoff_getOutfallRunon)
    const std::size_t np_routed = netq ? netq->pollutant_count() : 0;
    if (prev_step > 0)
        for (int o = 0; o < net.outfalls.count(); ++o) {
            const auto k = net.outfalls.route_to[o];
            if (!k.valid() || net.subcatchments.area_m2[k.idx()] <= 0)
                continue;
            runon[k.idx()] += outfall_routed_m3[o] / prev_step;
            sum.runoff.runon_m3 += outfall_routed_m3[o];
            outfall_routed_m3[o] = 0;
            // with the pollutants it carried, as wet deposition onto the subcatchment
            for (std::size_t p = 0; p < np_routed; ++p) {
                double& w = outfall_routed_load[static_cast<std::size_t>(o) * np_routed + p];
                quality->add_outfall_runon(static_cast<int>(k.idx()), p,
                                           w * Pollutant::kLitresPerM3, prev_step);
                w = 0;
            }
        }
    has_runoff_flag = false;
    // snowfall onto the packs and snow removal (SWMM snow_plowSnow), subcatchment by subcatchment
    // before any melts, so that snow plowed onto a later one melts there in this step
    if (snow_in.active) {
        snow_old_m = snow_new_m;
        for (int i = 0; i < n_sub; ++i) {
            auto& p = packs[static_cast<std::size_t>(i)];
            if (!p || net.subcatchments.area_m2[i] == 0)
                continue;
            const auto g = net.subcatchments.gage[i];
            const int to = p->params().removal_subcatchment;
            const double other = to >= 0 && packs[static_cast<std::size_t>(to)]
                                     ? packs[static_cast<std::size_t>(to)]->pervious_area_m2()
                                     : 0.0;
            const PlowResult pr =
                p->add_snow_and_plow(g.valid() ? snowfall[g.idx()] : 0.0, step, other);
            sum.runoff.snow_removed_m3 += pr.removed_m3;
            if (pr.to_other_depth_m > 0)
                packs[static_cast<std::size_t>(to)]->receive_plowed(pr.to_other_depth_m);
        }
    }
    // [ADJUSTMENTS]: the month's conductivity factor, and the subcatchments' own monthly patterns
    // (SWMM climate_setState, infil_setInfilFactor, adjustSubareaParams; month of the step start)
    if (has_hydcon_adjustments) {
        const auto m0 = static_cast<std::size_t>(month_at(net, t));
        router.set_conductivity_factor(adjust.hydcon[m0]);
        for (int i = 0; i < n_sub; ++i) {
            double infil = adjust.hydcon[m0], dstore = 1.0, n_perv = 1.0;
            if (!adjust.patterns.empty()) {
                const auto& p = adjust.patterns[static_cast<std::size_t>(i)];
                auto monthly = [&](int k, double& out) {
                    if (k < 0)
                        return;
                    const auto& pat = net.patterns[static_cast<std::size_t>(k)];
                    if (pat.type == PatternType::kMonthly && m0 < pat.factors.size())
                        out = pat.factors[m0];
                };
                monthly(p[0], n_perv);
                monthly(p[1], dstore);
                monthly(p[2], infil);
            }
            subs[i].infiltration_state().set_conductivity_factor(infil);
            subs[i].set_pervious_factors(dstore, n_perv);
        }
    }
    std::vector<RunoffStepResult> step_results(runoff_out ? static_cast<std::size_t>(n_sub) : 0);
    std::vector<double> step_washoff(
        runoff_out && quality ? static_cast<std::size_t>(n_sub) * quality->pollutant_count() : 0);
    const bool can_sweep = quality && in_sweeping_season(net, old_runoff_t);
    for (int i = 0; i < n_sub; ++i) {
        const auto g = net.subcatchments.gage[i];
        const double r_liquid = g.valid() ? liquid[g.idx()] : 0.0;
        const double r_snow = g.valid() ? snowfall[g.idx()] : 0.0;
        const double r = r_liquid + r_snow; // precipitation, snowfall as its water
        sub_rain[i] = r;
        const double ev = (net.evaporation.dry_only && r > 0) ? 0.0 : evap;
        // a snow pack turns rain and snowfall into what reaches each sub-area
        std::array<double, 3> net_precip{};
        const std::array<double, 3>* net_precip_ms = nullptr;
        if (auto& p = packs[static_cast<std::size_t>(i)]) {
            SnowWeather w;
            w.air_temp_c = air_temp_c;
            w.rain_melt_ms =
                rain_on_snow_melt_ms(r_liquid, air_temp_c, wind_ms, snow_in.climate.elevation_m);
            w.ati_weight = snow_in.climate.ati_weight;
            w.negative_melt_ratio = snow_in.climate.negative_melt_ratio;
            w.adc = snow_in.climate.adc;
            snow_new_m[static_cast<std::size_t>(i)] =
                p->melt(r_liquid, r_snow, step, w, net_precip);
            net_precip_ms = &net_precip;
        }
        subs[i].set_pervious_return_m3s(lids[i].flow_to_pervious_m3s());
        if (aquifers[i]) { // room left in the aquifer's upper zone (SWMM maxInfilVol)
            subs[i].set_max_infil_m(aquifers[i]->max_infil_m());
            lids[i].set_max_native_infil_ms(aquifers[i]->max_infil_m() / step);
        }
        const double stored_before_m3 = subs[i].stored_m3();
        auto v = subs[i].step(step, r, ev, runon[i], net_precip_ms);
        new_runoff[i] = subs[i].runoff_m3s();
        const RunoffStepVolumes surface_v = v; // the non-LID area's, before LID treatment
        double lid_drain_m3 = 0;
        if (!lids[i].empty()) {
            const auto lv = lids[i].step(step, r, ev, runon[i], subs[i], v,
                                         subs[i].infiltration_state(), old_runoff_t);
            lid_drain_m3 = lv.drain_to_node_m3;
            v.rain_m3 += lv.rain_m3;
            v.evap_m3 += lv.evap_m3;
            v.infil_m3 += lv.infil_m3;
            v.runoff_m3 += lv.surface_out_m3 - lv.treated_m3;
            new_runoff[i] = v.runoff_m3 / step;
            sum.runoff.drains_m3 += lv.drain_to_node_m3;
            has_runoff_flag = has_runoff_flag || lids[i].wet();
        }
        if (aquifers[i]) { // SWMM gwater_getGroundwater after the surface and LIDs
            auto& gw = *aquifers[i];
            const auto& nd = nodes[gw.node()];
            double factor = 1.0; // monthly upper-evaporation pattern
            if (gw.upper_evap_pattern() >= 0) {
                const auto& f = net.patterns[gw.upper_evap_pattern()].factors;
                const int m = calendar_at(net, new_runoff_t).month0;
                factor = m < static_cast<int>(f.size()) ? f[m] : 1.0;
            }
            gw.step(step, v.infil_m3, v.evap_m3, ev, factor,
                    GroundwaterNode{nd.invert_m, nd.depth, nd.inflow, nd.volume});
            if (!sum.subcatch_stats.empty()) { // SWMM stats_updateGwaterStats
                auto& st = sum.subcatch_stats[static_cast<std::size_t>(i)];
                const double q = gw.new_flow_m3s();
                if (std::abs(q) > std::abs(st.gw_max_lateral_m3s))
                    st.gw_max_lateral_m3s = q;
                st.gw_theta_s += gw.theta() * step;
                st.gw_table_m_s += gw.water_table_elev_m() * step;
                st.gw_time_s += step;
            }
        }
        double total_runoff_ms = 0;
        for (const auto& a : subs[i].subareas())
            total_runoff_ms += a.runoff_ms * a.area_fraction;
        if (total_runoff_ms > 0)
            has_runoff_flag = true;
        if (quality) { // SWMM runoff_execute: buildup, sweeping and washoff after the runoff
            QualityStepFlows qf;
            qf.dt_s = step;
            qf.runoff_ms = total_runoff_ms;
            qf.rain_ms = r;
            // ponded water at the start, run-on and what reached the sub-areas (SWMM Vinflow)
            qf.inflow_m3 = stored_before_m3 + surface_v.runon_m3;
            for (std::size_t k = 0; k < 3; ++k)
                qf.inflow_m3 += (net_precip_ms != nullptr ? (*net_precip_ms)[k] : r) *
                                subs[i].subareas()[k].area_fraction * subs[i].area_m2() * step;
            qf.infil_m3 = surface_v.infil_m3;
            qf.outflow_m3 = surface_v.runoff_m3;
            qf.depth_m = subs[i].area_m2() > 0 ? subs[i].stored_m3() / subs[i].area_m2() : 0.0;
            std::vector<LidDrainLoad> drains;
            if (!lids[i].empty()) { // SWMM surfqual_getWashoff with a LID group
                const double area = net.subcatchments.area_m2[i];
                // runoff per unit of the whole subcatchment
                qf.runoff_ms = area > 0 ? total_runoff_ms * subs[i].area_m2() / area : 0.0;
                qf.lid_area_m2 = lids[i].lid_area_m2();
                qf.runon_m3 = runon[i] * step;
                qf.surface_out_m3 = new_runoff[i] * step;
                qf.lid_drain_m3 = lids[i].drain_m3s(true) * step;
                for (const auto& u : lids[i].units()) {
                    if (u.usage().to_pervious) // no load (SWMM lid_addDrainLoads)
                        continue;
                    const auto dn = u.usage().drain_node;
                    const auto ds = u.usage().drain_subcatchment;
                    drains.push_back(
                        {u.new_drain_m3s, u.usage().control,
                         dn.valid() || (ds.valid() && static_cast<int>(ds.idx()) == i)});
                }
                qf.drains = &drains;
            }
            qf.snow_depth_m = snow_new_m[static_cast<std::size_t>(i)];
            // no sweeping under more than 0.05 in of snow on the plowable surface (SWMM's
            // MIN_TOTAL_DEPTH)
            if (const auto& p = packs[static_cast<std::size_t>(i)])
                qf.plowable_snow = p->surface_depth_m(kSnowPlowable) > 0.004167 * kFoot;
            const auto to = net.subcatchments.outlet_subcatch[i];
            qf.to_network = !(to.valid() && static_cast<int>(to.idx()) != i);
            quality->step(i, old_runoff_t, can_sweep, qf);
        }
        if (runoff_out) { // SWMM subcatch_getResults at the step's end
            auto& rr = step_results[static_cast<std::size_t>(i)];
            const double area = net.subcatchments.area_m2[i];
            rr.rain_ms = r;
            rr.snow_depth_m = snow_new_m[static_cast<std::size_t>(i)];
            rr.evap_ms = area > 0 ? v.evap_m3 / step / area : 0.0;
            rr.infil_ms = area > 0 ? v.infil_m3 / step / area : 0.0;
            rr.runoff_m3s = new_runoff[i] + lids[i].drain_m3s(true);
            if (rr.runoff_m3s < 2.31481e-8 * kFoot * area) // SWMM MIN_RUNOFF
                rr.runoff_m3s = 0;
            // the washoff at the step's end, none without runoff (SWMM subcatch_getResults)
            if (quality)
                for (std::size_t p = 0; p < quality->pollutant_count(); ++p)
                    step_washoff[static_cast<std::size_t>(i) * quality->pollutant_count() + p] =
                        rr.runoff_m3s > 0 ? quality->concentration(i, p, 1.0) : 0.0;
            if (aquifers[i]) {
                rr.groundwater_m3s = aquifers[i]->new_flow_m3s();
                rr.water_table_m = aquifers[i]->water_table_elev_m();
                rr.upper_moisture = aquifers[i]->theta();
            }
        }
        sum.runoff.rain_m3 += v.rain_m3;
        sum.runoff.evap_m3 += v.evap_m3;
        sum.runoff.infil_m3 += v.infil_m3;
        if (const double area = net.subcatchments.area_m2[i]; area > 0) {
            sub_evap_ms[static_cast<std::size_t>(i)] = v.evap_m3 / step / area;
            sub_infil_ms[static_cast<std::size_t>(i)] = v.infil_m3 / step / area;
        }
        if (!sum.subcatch_stats.empty()) { // SWMM stats_updateSubcatchStats, every runoff step
            auto& st = sum.subcatch_stats[static_cast<std::size_t>(i)];
            st.precip_m3 += v.rain_m3;
            // a subcatchment that is all LID takes its run-on there (SWMM subcatch_getRunoff)
            st.runon_m3 += subs[i].area_m2() > 0 ? v.runon_m3 : runon[i] * step;
            st.evap_m3 += v.evap_m3;
            st.infil_m3 += v.infil_m3;
            st.impervious_runoff_m3 += v.impervious_runoff_m3;
            st.pervious_runoff_m3 += v.pervious_runoff_m3;
            st.runoff_m3 += v.runoff_m3 + lid_drain_m3;
            st.max_runoff_m3s = std::max(st.max_runoff_m3s, new_runoff[i] + lid_drain_m3 / step);
        }
        const auto k = net.subcatchments.outlet_subcatch[i];
        if (!(k.valid() && static_cast<int>(k.idx()) != i))
            sum.runoff.runoff_m3 += v.runoff_m3;
    }
    has_snow = false;
    for (int i = 0; i < n_sub; ++i)
        has_snow = has_snow || (net.subcatchments.area_m2[i] > 0 &&
                                snow_new_m[static_cast<std::size_t>(i)] > 0);
    ++sum.runoff_steps;
    if (runoff_out)
        runoff_out->add_step(step, step_results, step_washoff);
}

void Simulator::State::accumulate(double h) {
    auto& t = sum.routing;
    t.dry_weather_m3 += rates.dw * h;
    t.wet_weather_m3 += rates.ww * h;
    t.external_m3 += rates.ex * h;
    t.flooding_m3 += rates.flood * h;
    t.outflow_m3 += rates.out * h;
    t.losses_m3 += rates.loss * h;
    t.groundwater_m3 += rates.gw * h;
    t.rdii_m3 += rates.ii * h;
    if (netq)
        netq->accumulate(h);
}

void Simulator::State::save_report(double t_old, double t_new) {
    if (report_time > t_new + 1e-6)
        return;
    const double rt = report_time;
    report_time += report_step;
    if (rt < static_cast<double>(opt.report_start_s) - 1e-6)
        return;
    const double f = t_new > t_old ? std::clamp((rt - t_old) / (t_new - t_old), 0.0, 1.0) : 1.0;
    const double f1 = 1.0 - f;
    if (iface_out) { // the outlets' inflow now, not interpolated (SWMM iface_saveOutletResults)
        iface_q.resize(static_cast<std::size_t>(n_nodes));
        for (int n = 0; n < n_nodes; ++n)
            iface_q[static_cast<std::size_t>(n)] = nodes[n].inflow;
        iface_c.clear();
        if (netq) // the concentrations now (SWMM Node newQual)
            for (int n = 0; n < n_nodes; ++n)
                for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                    iface_c.push_back(netq->node_concentration(n, p, 1.0));
        iface_out->record(rt, iface_q, iface_c);
    }
    rep.time_s.push_back(static_cast<std::int64_t>(std::llround(rt)));
    if (options.depth_series_only) {
        for (int n = 0; n < n_nodes; ++n)
            rep.node_depth_m.push_back(do_routing ? f1 * old_depth[n] + f * nodes[n].depth : 0.0);
        return;
    }
    // SWMM node_getResults and link_getResults: old and new states weighted by the report time
    for (int n = 0; n < n_nodes; ++n) {
        const auto& nd = nodes[n];
        if (do_routing) {
            rep.node_depth_m.push_back(f1 * old_depth[n] + f * nd.depth);
            rep.node_flood_m3s.push_back(nd.overflow);
            rep.node_inflow_m3s.push_back(f1 * old_inflow[n] + f * nd.inflow);
            rep.node_volume_m3.push_back(f1 * nd.old_volume + f * nd.volume);
            rep.node_lateral_m3s.push_back(f1 * old_lat[n] + f * nd.lat_flow);
        } else {
            for (auto* v : {&rep.node_depth_m, &rep.node_flood_m3s, &rep.node_inflow_m3s,
                            &rep.node_volume_m3, &rep.node_lateral_m3s})
                v->push_back(0);
        }
    }
    for (int j = 0; j < n_links; ++j) {
        const auto& l = router.links()[j];
        if (!do_routing) {
            for (auto* v : {&rep.link_flow_m3s, &rep.link_depth_m, &rep.link_velocity_ms,
                            &rep.link_volume_m3, &rep.link_capacity})
                v->push_back(0);
            continue;
        }
        double q = f1 * old_flow[j] + f * l.flow;
        // a pump switching on or off reports the nearer state's flow
        if (l.kind == LinkKind::kPump && old_flow[j] * l.flow == 0)
            q = f >= f1 ? l.flow : old_flow[j];
        const double y = f1 * l.old_depth + f * l.depth;
        double u = 0, c = l.setting;
        if (l.kind == LinkKind::kConduit) {
            c = 0;
            if (l.xs.shape() != Shape::kDummy) {
                const double a = l.xs.geometry(y).area_m2;
                c = a / l.xs.a_full_m2();
                if (y > 0.01 * kFoot && a > kFudgeArea) // SWMM link_getVelocity
                    u = q / l.barrels / a;
            }
        }
        rep.link_flow_m3s.push_back(q * l.direction);
        rep.link_depth_m.push_back(y);
        rep.link_velocity_ms.push_back(u * l.direction);
        rep.link_volume_m3.push_back(f1 * l.old_volume + f * l.volume);
        rep.link_capacity.push_back(c);
    }
    if (netq) { // SWMM node_getResults / link_getResults: concentrations at the report time
        for (int n = 0; n < n_nodes; ++n)
            for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                rep.node_quality.push_back(netq->node_concentration(n, p, f));
        for (int j = 0; j < n_links; ++j)
            for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                rep.link_quality.push_back(netq->link_concentration(j, p, f));
    }
    const double fr =
        new_runoff_t > old_runoff_t
            ? std::clamp((rt - old_runoff_t) / (new_runoff_t - old_runoff_t), 0.0, 1.0)
            : 1.0;
    for (int i = 0; i < n_sub; ++i) {
        double q = (1.0 - fr) * old_runoff[i] + fr * new_runoff[i];
        // reported runoff includes LID underdrain flow
        q += (1.0 - fr) * lids[i].drain_m3s(false) + fr * lids[i].drain_m3s(true);
        if (q < 2.31481e-8 * kFoot * net.subcatchments.area_m2[i]) // SWMM MIN_RUNOFF
            q = 0;
        rep.subcatch_runoff_m3s.push_back(q);
        const auto g = net.subcatchments.gage[i];
        rep.subcatch_rain_ms.push_back(g.valid() && gages[g.idx()].used && !opt.ignore_rainfall
                                           ? gages[g.idx()].report_rain_ms(old_runoff_t, rt)
                                           : 0.0);
        // SWMM subcatch_getResults: the loss rates of the last runoff step; the aquifer's
        // outflow weighted, its water table and upper moisture now
        rep.subcatch_evap_ms.push_back(sub_evap_ms[static_cast<std::size_t>(i)]);
        rep.subcatch_infil_ms.push_back(sub_infil_ms[static_cast<std::size_t>(i)]);
        const auto& a = aquifers[static_cast<std::size_t>(i)];
        if (runoff_in) { // the aquifers' states as the runoff file gives them
            const auto u = static_cast<std::size_t>(i);
            rep.subcatch_gw_flow_m3s.push_back((1.0 - fr) * gw_file_old[u] + fr * gw_file_new[u]);
            rep.subcatch_gw_elevation_m.push_back(gw_file_table_m[u]);
            rep.subcatch_soil_moisture.push_back(gw_file_theta[u]);
        } else {
            rep.subcatch_gw_flow_m3s.push_back(
                a ? (1.0 - fr) * a->old_flow_m3s() + fr * a->new_flow_m3s() : 0.0);
            rep.subcatch_gw_elevation_m.push_back(a ? a->water_table_elev_m() : 0.0);
            rep.subcatch_soil_moisture.push_back(a ? a->theta() : 0.0);
        }
        {
            const auto u = static_cast<std::size_t>(i);
            rep.subcatch_snow_depth_m.push_back((1.0 - fr) * snow_old_m[u] + fr * snow_new_m[u]);
        }
        if (quality) // SWMM subcatch_getResults: no washoff where the runoff reported is none
            for (std::size_t p = 0; p < quality->pollutant_count(); ++p)
                rep.subcatch_washoff.push_back(q > 0 ? quality->concentration(i, p, fr) : 0.0);
    }
}

// rain falling at t or starting within `ahead_s`
bool Simulator::State::raining(double t, double ahead_s) const {
    if (opt.ignore_rainfall)
        return false;
    for (const auto& g : gages)
        if (g.used && (g.rain_ms(t) > 0 || g.next_change(t) < t + ahead_s))
            return true;
    return false;
}

// SWMM's lateral inflow test (routing.c inflowHasChanged) with LAT_FLOW_TOL, where a change
// smaller than SWMM's MIN_RUNOFF_FLOW (0.001 cfs) counts as none
bool Simulator::State::lat_steady(const std::vector<double>& ref) const {
    for (int n = 0; n < n_nodes; ++n)
        if (std::abs(lat_now[n] - ref[n]) >
            std::max(opt.lat_flow_tolerance * std::abs(ref[n]), 0.001 * kCfs))
            return false;
    return true;
}

// whether a pump's depth control or a rule would change a link's setting at this step (the rules
// are applied, as the routing step would apply them first; they are idempotent)
bool Simulator::State::controls_act(double t0, double dt) {
    for (int j = 0; j < n_links; ++j) {
        const auto& l = router.links()[j];
        if (l.kind != LinkKind::kPump || router.forced(j))
            continue;
        const double on = net.pumps.startup_depth_m[l.type_index];
        const double off = net.pumps.shutoff_depth_m[l.type_index];
        const double y = nodes[l.n1].depth;
        if ((off > 0 && l.setting > 0 && y < off) || (on > 0 && l.setting == 0 && y > on))
            return true;
    }
    if (rules.empty())
        return false;
    settings.resize(n_links);
    for (int j = 0; j < n_links; ++j)
        settings[j] = router.links()[j].setting;
    rules.apply(router, t0, dt, gage_state);
    router.apply_forced_settings();
    for (int j = 0; j < n_links; ++j)
        if (router.links()[j].setting != settings[j])
            return true;
    return router.settings_moving(); // an orifice still opening or closing
}

void Simulator::State::start_window(double t) {
    window_start = t;
    for (int n = 0; n < n_nodes; ++n)
        rest_depth[n] = nodes[n].depth;
    rest_lat = lat_now;
}

// At rest over the window: then the hold lasts as long as the largest depth change seen over the
// window would take to reach HEAD_TOLERANCE (at most max_hold_s), so that the held state stays
// within HEAD_TOLERANCE of a routed one drifting at that rate.
bool Simulator::State::at_rest(double t) {
    if (raining(t, 0.0) || !lat_steady(rest_lat))
        return false;
    double drift = 0;
    for (int n = 0; n < n_nodes; ++n) {
        const auto& nd = nodes[n];
        if (nd.kind == NodeKind::kOutfall)
            continue;
        if (nd.overflow > 0 || nd.volume > nd.full_volume_m3)
            return false;
        drift = std::max(drift, std::abs(nd.depth - rest_depth[n]));
    }
    if (drift > rs.head_tolerance_m)
        return false;
    const double window = t - window_start;
    hold_length = drift > 0 ? std::min(options.max_hold_s, window * rs.head_tolerance_m / drift)
                            : options.max_hold_s;
    return true;
}

// The lateral inflows of a routing step beginning at t0: external, dry weather, runoff,
// groundwater and LID drains.
void Simulator::State::add_inflows(double t0) {
    const Calendar cal = calendar_at(net, t0);
    {
        std::vector<double> q(n_nodes, 0.0);
        std::vector<char> has(n_nodes, 0);
        for (const auto& in : net.inflows) {
            if (in.type != ExternalInflow::Type::kFlow)
                continue;
            const int n = in.node.idx();
            if (has[n])
                continue; // SWMM uses a node's first FLOW inflow
            has[n] = 1;
            double v = 0;
            if (in.series.valid())
                v += series_value(net.series[in.series.idx()], t0) * in.scale_factor *
                     in.conversion_factor;
            v += in.baseline * pattern_factor(net, in.baseline_pattern, cal, has_weekend);
            q[n] = v;
        }
        for (int n = 0; n < n_nodes; ++n) {
            if (!has[n])
                continue;
            double v = std::abs(q[n]) < kFlowTolerance ? 0.0 : q[n];
            nodes[n].lat_flow += v;
            if (v >= 0)
                rates.ex += v;
            else
                rates.out += -v;
            q[n] = v;
        }
        if (netq) // the pollutants' CONCEN and MASS inflows (SWMM addExternalInflows)
            for (std::size_t k = 0; k < net.inflows.size(); ++k) {
                const auto& in = net.inflows[k];
                const int n = in.node.idx();
                const int p = inflow_pollutant[k];
                if (p < 0 || q[n] < 0)
                    continue;
                double v = in.baseline * pattern_factor(net, in.baseline_pattern, cal, has_weekend);
                if (in.series.valid())
                    v += series_value(net.series[in.series.idx()], t0) * in.scale_factor;
                double w = 0;
                if (in.type == ExternalInflow::Type::kConcentration) {
                    // with any flow entering through an outfall
                    double qn = q[n];
                    if (nodes[n].kind == NodeKind::kOutfall && nodes[n].old_net_inflow < 0)
                        qn -= nodes[n].old_net_inflow;
                    w = v * qn;
                } else { // mass per second × Mfactor, as concentration × m³/s
                    w = v * in.conversion_factor / Pollutant::kLitresPerM3;
                }
                netq->add_load(n, static_cast<std::size_t>(p), w, LoadSource::kExternal);
            }
    }
    // dry weather flow
    for (const auto& d : net.dwf) {
        if (d.constituent != "FLOW")
            continue;
        double f = 1.0;
        for (const auto& p : d.patterns)
            f *= pattern_factor(net, p, cal, has_weekend);
        double v = d.average * f;
        if (std::abs(v) < kFlowTolerance)
            v = 0;
        nodes[d.node.idx()].lat_flow += v;
        rates.dw += v;
        if (netq && v > 0) // the pollutants' dry weather concentrations (SWMM
                           // addDryWeatherInflows): a [DWF] line, else the pollutant's Cdwf
            for (std::size_t p = 0; p < netq->pollutant_count(); ++p) {
                double c = quality->input().pollutants[p].dwf_concentration;
                if (const int k = dwf_line[d.node.idx() * netq->pollutant_count() + p]; k >= 0) {
                    const auto& e = net.dwf[static_cast<std::size_t>(k)];
                    double fp = 1.0;
                    for (const auto& pat : e.patterns)
                        fp *= pattern_factor(net, pat, cal, has_weekend);
                    c = e.average * fp;
                }
                if (c != 0)
                    netq->add_load(d.node.idx(), p, v * c, LoadSource::kDryWeather);
            }
    }
    // RDII (SWMM addRdiiInflows)
    if (rdii)
        rates.ii += rdii->add_inflows(t0, [&](int n, double q) {
            nodes[static_cast<std::size_t>(n)].lat_flow += q;
            if (netq && q > 0)
                for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                    netq->add_load(n, p, q * quality->input().pollutants[p].rdii_concentration,
                                   LoadSource::kRdii);
        });
    // a USE INFLOWS file's flows, as external inflows (SWMM addIfaceInflows)
    if (iface_in) // at SWMM's clock, 1 ms ahead (getDateTime): none from the file's last time
        iface_in->add_inflows(t0 + 0.001, [&](int n, double q, const std::vector<double>& conc) {
            if (std::abs(q) < kFlowTolerance)
                return;
            nodes[static_cast<std::size_t>(n)].lat_flow += q;
            (q >= 0 ? rates.ex : rates.out) += std::abs(q);
            if (netq && q > 0) // the file's concentrations (SWMM addIfaceInflows)
                for (std::size_t p = 0; p < netq->pollutant_count() && p < conc.size(); ++p)
                    if (conc[p] != 0)
                        netq->add_load(n, p, q * conc[p], LoadSource::kExternal);
        });
    if (!do_runoff)
        return;
    // wet weather inflow: runoff interpolated at the step start
    double f =
        new_runoff_t > old_runoff_t ? (t0 - old_runoff_t) / (new_runoff_t - old_runoff_t) : 0.0;
    f = std::clamp(f, 0.0, 1.0);
    for (int i = 0; i < n_sub; ++i) {
        const auto node = net.subcatchments.outlet_node[i];
        if (!node.valid())
            continue;
        const double q = (1.0 - f) * old_runoff[i] + f * new_runoff[i];
        nodes[node.idx()].lat_flow += q;
        rates.ww += q;
        if (netq) // the washoff (SWMM surfqual_getWtdWashoff)
            for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                netq->add_load(node.idx(), p,
                               quality->washoff_load(i, p, f, old_runoff[i], new_runoff[i]),
                               LoadSource::kWetWeather);
    }
    // groundwater outflow of the aquifers (SWMM addGroundwaterInflows), or of a runoff file
    for (int i = 0; i < n_sub; ++i) {
        if (!aquifers[i])
            continue;
        const auto& gw = *aquifers[i];
        const double q = runoff_in ? (1.0 - f) * gw_file_old[i] + f * gw_file_new[i]
                                   : (1.0 - f) * gw.old_flow_m3s() + f * gw.new_flow_m3s();
        if (std::abs(q) < kFlowTolerance)
            continue;
        nodes[gw.node()].lat_flow += q;
        rates.gw += q;
        if (netq && q > 0)
            for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                netq->add_load(gw.node(), p,
                               q * quality->input().pollutants[p].groundwater_concentration,
                               LoadSource::kGroundwater);
    }
    // LID underdrains sent to nodes (SWMM lid_addDrainInflow)
    for (int i = 0; i < n_sub; ++i) {
        for (const auto& u : lids[i].units()) {
            const auto node = u.usage().drain_node;
            if (!node.valid())
                continue;
            const double q = (1.0 - f) * u.old_drain_m3s + f * u.new_drain_m3s;
            nodes[node.idx()].lat_flow += q;
            rates.ww += q;
            if (netq) // at the subcatchment's washoff, less the control's REMOVALS
                for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                    netq->add_load(
                        node.idx(), p,
                        quality->washoff_load(i, p, f, u.old_drain_m3s, u.new_drain_m3s) *
                            (1.0 - quality->lid_removal(u.usage().control, p)),
                        LoadSource::kWetWeather);
        }
    }
}

// One routing step (runoff first, as far as the step reaches).
void Simulator::State::step() {
    double dt = do_routing ? (n_links > 0 ? router.next_step(rs.route_step_s) : rs.route_step_s)
                           : std::min(wet_step, report_step);
    if (!sum.node_stats.empty()) { // SWMM's time-step critical elements
        if (router.critical_node() >= 0)
            ++sum.node_stats[static_cast<std::size_t>(router.critical_node())].critical_steps;
        else if (router.critical_link() >= 0)
            ++sum.link_stats[static_cast<std::size_t>(router.critical_link())].critical_steps;
    }
    if (do_routing && n_links > 0 && events.between) {
        // between events: the largest step to the next runoff or report time before the next
        // event, else the fixed step while the event is still ahead (SWMM)
        const double next_time = std::min(new_runoff_t, report_time);
        if (next_time > t_route && next_time < events.next_start())
            dt = next_time - t_route;
        else if (t_route + rs.route_step_s < events.next_start())
            dt = rs.route_step_s;
    }
    // RULE_STEP: the step ends at the next rule time, and the rules are evaluated only at
    // rule times (SWMM routing_getRoutingStep and evaluateControlRules, 1 ms apart at most)
    const double rule_step = static_cast<double>(net.options.rule_step_s);
    if (do_routing && rule_step > 0 && !rules.empty() && t_route + dt >= rule_time + rule_step)
        dt = rule_time + rule_step - t_route;
    router.set_rules_due(rule_step <= 0 || std::abs(t_route - rule_time) < 0.001);
    double t_next = t_route + dt;
    if (t_next > total) {
        dt = std::max(total - t_route, 0.001);
        t_next = total;
    }
    if (do_runoff)
        while (new_runoff_t < t_next)
            runoff_execute();
    if (!do_routing) {
        const double t_old = t_route;
        t_route = t_next;
        save_report(t_old, t_route);
        return;
    }
    // --- routing_execute
    accumulate(dt / 2);
    rates = Rates{};
    if (netq) { // SWMM massbal_initTimeStepTotals, then initSystemInflows
        netq->clear_step_totals();
        netq->begin_step();
    }
    const double t0 = t_route;
    for (int n = 0; n < n_nodes; ++n) {
        old_lat[n] = nodes[n].lat_flow;
        nodes[n].old_lat_flow = nodes[n].lat_flow;
        nodes[n].lat_flow = 0;
        old_inflow[n] = nodes[n].inflow;
        old_depth[n] = nodes[n].depth;
    }
    for (int j = 0; j < n_links; ++j)
        old_flow[j] = router.links()[j].flow;
    events.between = events.is_between(t0);
    if (events.between) {
        t_route = t_next;
        accumulate(dt / 2);
        save_report(t0, t_route);
        return;
    }
    if (has_hydcon_adjustments && !do_runoff) // SWMM sets the climate at the routing time then
        router.set_conductivity_factor(adjust.hydcon[static_cast<std::size_t>(month_at(net, t0))]);
    if (!do_runoff)
        set_recovery_factor(t0);
    {
        double next_evap = kInf;
        rates.loss = router.set_storage_losses(dt, evaporation_rate(net, adjust, t0, next_evap));
    }
    add_inflows(t0);
    bool held = false;
    if (may_hold) {
        for (int n = 0; n < n_nodes; ++n)
            lat_now[n] = nodes[n].lat_flow;
        if (holding) {
            held = t0 - hold_start < hold_length - 1e-9 && !raining(t0, dt) &&
                   lat_steady(rest_lat) && !controls_act(t0, dt);
            if (!held) {
                holding = false;
                start_window(t0);
            }
        }
    }
    if (held) {
        ++sum.held_steps;
        if (netq) // no inlet captures in a held step
            netq->set_inlet_transfers({});
    } else {
        inlets.capture(nodes, router.links(), rs.model == FlowRouting::kDynwave, dt,
                       !sum.node_stats.empty() &&
                           t0 + dt > static_cast<double>(opt.report_start_s) + 1e-6);
        if (netq && !inlets.empty()) { // the pollutants of the captured flow
            std::vector<InletTransfer> moved;
            inlets.transfers(router.links(), [&](int link, int bypass, int capture, double captured,
                                                 double backflow) {
                moved.push_back({link, bypass, capture, captured, backflow});
            });
            netq->set_inlet_transfers(std::move(moved));
        }
        trials += router.step(t0, dt);
        if (!router.last_step_converged())
            ++sum.nonconverged_steps;
        if (sum.routing_steps > 0 && (sum.min_step_s == 0 || dt < sum.min_step_s))
            sum.min_step_s = dt;
        sum.max_step_s = std::max(sum.max_step_s, dt);
        routed_s += dt;
        rates.loss += router.conduit_losses_m3s(); // conduit evaporation and seepage
        ++sum.routing_steps;
    }
    // SWMM qualrout_execute, also in a held step (as in SWMM's skipped steady steps: the held
    // flows carry the pollutants)
    if (netq)
        netq->route(dt, nodes, router.links(), router.storage_evap_m3(), router.storage_exfil_m3());
    t_route = t_next;
    if (rule_step > 0 && std::abs(t_route - (rule_time + rule_step)) < 0.001)
        rule_time += rule_step;
    for (int o = 0; o < net.outfalls.count(); ++o) {
        const double q = nodes[net.outfalls.node[o].idx()].inflow;
        if (net.outfalls.route_to[o].valid() && q > 0) {
            outfall_routed_m3[o] += q * dt;
            if (netq) // with the outfall's new concentrations (SWMM removeOutflows)
                for (std::size_t p = 0; p < netq->pollutant_count(); ++p)
                    outfall_routed_load[static_cast<std::size_t>(o) * netq->pollutant_count() +
                                        p] +=
                        netq->node_concentration(static_cast<int>(net.outfalls.node[o].idx()), p,
                                                 1.0) *
                        q * dt;
        }
    }
    for (int n = 0; n < n_nodes; ++n) {
        bool flooded = false;
        const double q = router.system_outflow_m3s(n, flooded);
        // a capture node's overflow returns to its inlets' street: not flooding (SWMM
        // inlet_adjustQualOutflows takes it off the flooding total, ponded or not)
        if (!inlets.empty() && inlets.is_capture_node(n) && nodes[n].overflow > 0)
            rates.flood -= nodes[n].overflow;
        if (q > 0) {
            if (flooded)
                rates.flood += q;
            else
                rates.out += q;
        } else {
            rates.ex += -q;
        }
        if (netq) { // the pollutants leaving with it, and with negative lateral flows
            if (q > 0)
                netq->add_outflow(n, q, flooded);
            if (nodes[n].lat_flow < 0)
                netq->add_outflow(n, -nodes[n].lat_flow, false);
        }
    }
    if (netq && !inlets.empty()) // what the inlets move stays in the system
        netq->inlet_outflows(nodes, [&](int n) { return inlets.is_capture_node(n); });
    accumulate(dt / 2);
    // statistics over routing steps, from the report start on (SWMM stats_updateFlowStats)
    const bool in_report = t_route + 1e-6 >= static_cast<double>(opt.report_start_s);
    if (in_report && netq) // SWMM stats_updateFlowStats: the outfalls' pollutant loads
        for (int o = 0; o < net.outfalls.count(); ++o) {
            const int n = net.outfalls.node[o].idx();
            netq->add_outfall_load(static_cast<std::size_t>(o), n, nodes[n].inflow, dt);
        }
    if (in_report)
        update_statistics(dt);
    else
        for (auto n = sum.node_stats.size(); n-- > 0;) // from the start of the run
            node_balance(static_cast<int>(n), dt);
    save_report(t0, t_route);
    if (may_hold && !held && t_route >= window_start + options.rest_window_s - 1e-9) {
        if (at_rest(t_route)) {
            holding = true;
            hold_start = t_route;
            rest_lat = lat_now;
        } else {
            start_window(t_route);
        }
    }
}

// SWMM 5.2's stats_updateFlowStats at the end of a routing step of length dt: the summary's
// peaks and flood volumes and the report statistics of nodes, links, outfalls, storage units and
// pumps.
// SWMM's massbal_updateRoutingTotals per node: the volumes in and out over a step, as the node's
// own balance sees them (a ponded overflow stays in the node).
void Simulator::State::node_balance(int n, double dt) {
    const auto& nd = nodes[n];
    auto& st = sum.node_stats[n];
    st.inflow_m3 += nd.inflow * dt;
    if (nd.kind == NodeKind::kOutfall || (nd.degree == 0 && nd.kind != NodeKind::kStorage))
        st.outflow_m3 += nd.inflow * dt;
    else
        st.outflow_m3 += (nd.outflow + (nd.volume <= nd.full_volume_m3 ? nd.overflow : 0.0)) * dt;
}

void Simulator::State::update_statistics(double dt) {
    ++sum.report_steps;
    sum.report_span_s += dt;
    if (sum.node_stats.empty()) { // the peaks and flood volumes alone
        for (int n = 0; n < n_nodes; ++n) {
            const auto& nd = nodes[n];
            sum.max_depth_m[n] = std::max(sum.max_depth_m[n], nd.depth);
            if (nd.kind != NodeKind::kOutfall && (nd.volume > nd.full_volume_m3 || nd.overflow > 0))
                sum.flood_volume_m3[n] += nd.overflow * dt;
        }
        for (int j = 0; j < n_links; ++j)
            sum.max_flow_m3s[j] = std::max(sum.max_flow_m3s[j], std::abs(router.links()[j].flow));
        return;
    }
    constexpr double kMinFlow = 0.001 * kCfs; // SWMM MIN_RUNOFF_FLOW
    const bool dynwave = rs.model == FlowRouting::kDynwave;
    const auto& links = router.links();
    for (int n = 0; n < n_nodes; ++n) {
        const auto& nd = nodes[n];
        auto& st = sum.node_stats[n];
        node_balance(n, dt);
        st.depth_sum_m += nd.depth;
        if (nd.depth > sum.max_depth_m[n]) {
            sum.max_depth_m[n] = nd.depth;
            st.max_depth_time_s = t_route;
        }
        if (nd.kind != NodeKind::kOutfall) {
            if (nd.volume > nd.full_volume_m3 || nd.overflow > 0) {
                sum.flood_volume_m3[n] += nd.overflow * dt;
                st.flooded_s += dt;
                if (rs.allow_ponding && nd.ponded_area_m2 > 0)
                    st.max_ponded_m3 = std::max(st.max_ponded_m3, nd.volume - nd.full_volume_m3);
            }
            // the head at or above the highest crown (storage units only with a surcharge depth)
            if (dynwave && (nd.kind != NodeKind::kStorage || nd.sur_depth_m > 0) &&
                nd.depth + kFudgeLength >= nd.crown_depth_m)
                st.surcharged_s += dt;
        }
        if (nd.kind == NodeKind::kStorage) {
            st.volume_sum_m3 += nd.volume;
            const double v = std::min(nd.volume, nd.full_volume_m3);
            if (v > st.max_volume_m3) {
                st.max_volume_m3 = v;
                st.max_volume_time_s = t_route;
            }
            st.max_outflow_m3s = std::max(st.max_outflow_m3s, nd.outflow);
        }
        if (nd.kind == NodeKind::kOutfall && nd.inflow >= kMinFlow) {
            ++st.outflow_steps;
            st.outflow_sum_m3s += nd.inflow;
            st.max_outflow_rate_m3s = std::max(st.max_outflow_rate_m3s, nd.inflow);
        }
        st.lateral_inflow_m3 += 0.5 * (nd.old_lat_flow + nd.lat_flow) * dt;
        if (std::abs(nd.lat_flow) > std::abs(st.max_lateral_inflow_m3s))
            st.max_lateral_inflow_m3s = nd.lat_flow;
        if (nd.inflow > st.max_inflow_m3s) {
            st.max_inflow_m3s = nd.inflow;
            st.max_inflow_time_s = t_route;
        }
        if (nd.overflow > st.max_overflow_m3s) {
            st.max_overflow_m3s = nd.overflow;
            st.max_overflow_time_s = t_route;
        }
    }
    for (int j = 0; j < n_links; ++j) {
        const auto& l = links[j];
        auto& st = sum.link_stats[j];
        const double q = std::abs(l.flow);
        if (q > sum.max_flow_m3s[j]) {
            sum.max_flow_m3s[j] = q;
            st.max_flow_time_s = t_route;
        }
        { // SWMM's flow turns (its SGN counts 0 as positive)
            const double dq = l.flow - l.old_flow;
            const int previous = st.flow_turn_sign;
            st.flow_turn_sign = dq < 0 ? -1 : 1;
            if (std::abs(dq) > 0.001 * kCfs && previous * st.flow_turn_sign < 0)
                ++st.flow_turns;
        }
        if (l.kind == LinkKind::kPump) {
            if (q > kMinFlow) {
                st.pump_min_flow_m3s =
                    st.pump_on_steps == 0 ? q : std::min(st.pump_min_flow_m3s, q);
                st.pump_flow_sum_m3s += q;
                st.pump_volume_m3 += q * dt;
                st.pump_on_s += dt;
                // SWMM link_getPower: |Δhead| ft · |flow| cfs / 8.814 hp, at 0.7457 kW per hp
                const auto& a = nodes[l.n1];
                const auto& b = nodes[l.n2];
                const double dh = (a.invert_m + a.depth) - (b.invert_m + b.depth);
                st.pump_energy_kwh +=
                    std::abs(dh) / kFoot * q / kCfs / 8.814 * 0.7457 * dt / 3600.0;
                if (std::abs(l.old_flow) < kMinFlow)
                    ++st.pump_startups;
                if (l.flow_class == FlowClass::kDnDry)
                    st.pump_off_low_s += dt;
                if (l.flow_class == FlowClass::kUpDry)
                    st.pump_off_high_s += dt;
                ++st.pump_on_steps;
            }
            continue;
        }
        if (l.kind != LinkKind::kConduit || l.xs.shape() == Shape::kDummy)
            continue;
        // the mid depth (the kinematic wave keeps the mean of its end depths there, as SWMM's
        // setNewLinkState)
        const double depth = l.depth;
        if (depth > st.max_depth_m)
            st.max_depth_m = depth;
        // SWMM link_getVelocity: none below 0.01 ft of depth. The dynamic wave (EXTRAN) keeps
        // the area at the mid depth from its last update (l.a1), the same value.
        if (q > 0 && depth > 0.01 * kFoot) {
            const double area = dynwave && rs.surcharge != SurchargeMethod::kSlot
                                    ? l.a1
                                    : l.xs.geometry(depth).area_m2;
            if (area > kFudgeArea && q > st.max_velocity_ms * l.barrels * area)
                st.max_velocity_ms = q / l.barrels / area;
        }
        if (q >= st.full_flow_m3s)
            st.above_full_flow_s += dt;
        // full at an end: the dynamic wave's end depths of its last wet update, as its flow
        // class set them (a conduit falling freely into its outlet node is full there when its
        // critical or normal depth is)
        bool up_full = false, dn_full = false;
        const auto& a = nodes[l.n1];
        const auto& b = nodes[l.n2];
        if (dynwave) {
            up_full = (l.full_state & 1) != 0;
            dn_full = (l.full_state & 2) != 0;
            st.flow_class_s[static_cast<std::size_t>(l.flow_class)] += dt;
            if (l.normal_flow)
                st.normal_flow_s += dt;
            if ((l.full_state & 4) != 0)
                st.inlet_control_s += dt;
            if (l.a1 >= l.xs.a_full_m2() &&
                (a.invert_m + a.depth) - (b.invert_m + b.depth) > std::abs(l.slope) * l.length_m)
                st.capacity_limited_s += dt;
        } else { // SWMM setNewLinkState: a full inlet is a full, capacity-limited conduit
            up_full = dn_full = l.a1 >= l.xs.a_full_m2();
            if (up_full)
                st.capacity_limited_s += dt;
        }
        if (up_full && dn_full)
            st.both_ends_full_s += dt;
        if (up_full)
            st.upstream_full_s += dt;
        if (dn_full)
            st.downstream_full_s += dt;
    }
}

void Simulator::State::balances() {
    if (quality) { // SWMM's Runoff Quality Continuity and Subcatchment Washoff Summary
        sum.quality = quality->finish();
        for (int i = 0; i < n_sub; ++i)
            for (std::size_t p = 0; p < quality->pollutant_count(); ++p)
                sum.subcatch_washoff_kg.push_back(quality->washoff_kg(i, p));
    }
    if (netq) { // SWMM's Quality Routing Continuity and the outfalls' loads
        sum.routing_quality = netq->finish(nodes, router.links());
        sum.outfall_load_kg = netq->outfall_loads_kg();
        sum.outfall_load_kg.resize(
            static_cast<std::size_t>(net.outfalls.count()) * netq->pollutant_count(), 0.0);
    }
    for (const auto& s : subs)
        sum.runoff.final_storage_m3 += s.stored_m3();
    for (const auto& p : packs)
        if (p)
            sum.runoff.final_snow_m3 += p->cover_m3();
    for (const auto& g : lids)
        sum.runoff.final_storage_m3 += g.stored_m3();
    // LID performance in [LID_USAGE] order (the groups hold their units last row first)
    for (int i = 0; i < n_sub; ++i) {
        const auto& units = lids[i].units();
        for (auto it = units.rbegin(); it != units.rend(); ++it) {
            const auto& b = it->balance();
            LidPerformance p;
            p.subcatchment = i;
            p.control = it->usage().control;
            p.inflow_m = b.inflow_m;
            p.evap_m = b.evap_m;
            p.infil_m = b.infil_m;
            p.surface_outflow_m = b.surface_outflow_m;
            p.drain_m = b.drain_m;
            p.initial_storage_m = b.initial_storage_m;
            p.final_storage_m = b.final_storage_m;
            sum.lid.push_back(p);
        }
    }
    for (std::size_t i = 0; i < sum.subcatch_stats.size(); ++i) {
        if (!aquifers[i])
            continue;
        auto& st = sum.subcatch_stats[i];
        const auto& t = aquifers[i]->totals();
        st.has_groundwater = true;
        st.gw_infil_m3 = t.infil_m3;
        st.gw_evap_m3 = t.upper_evap_m3 + t.lower_evap_m3;
        st.gw_deep_m3 = t.deep_loss_m3;
        st.gw_lateral_m3 = t.lateral_m3;
        st.gw_final_theta = aquifers[i]->theta();
        st.gw_final_table_m = aquifers[i]->water_table_elev_m();
    }
    for (const auto& a : aquifers) {
        if (!a)
            continue;
        const auto& t = a->totals();
        auto& g = sum.groundwater;
        g.infil_m3 += t.infil_m3;
        g.upper_evap_m3 += t.upper_evap_m3;
        g.lower_evap_m3 += t.lower_evap_m3;
        g.deep_loss_m3 += t.deep_loss_m3;
        g.lateral_m3 += t.lateral_m3;
        g.initial_storage_m3 += t.initial_storage_m3;
        g.final_storage_m3 += a->stored_m3();
    }
    if (sum.has_groundwater) {
        const auto& g = sum.groundwater;
        sum.groundwater_continuity_error_pct = continuity_error_pct(
            g.infil_m3 + g.initial_storage_m3,
            g.upper_evap_m3 + g.lower_evap_m3 + g.deep_loss_m3 + g.lateral_m3 + g.final_storage_m3);
    }
    const auto& ro = sum.runoff;
    sum.runoff_continuity_error_pct =
        continuity_error_pct(ro.rain_m3 + ro.runon_m3 + ro.initial_storage_m3 + ro.initial_snow_m3,
                             ro.evap_m3 + ro.infil_m3 + ro.runoff_m3 + ro.drains_m3 +
                                 ro.snow_removed_m3 + ro.final_storage_m3 + ro.final_snow_m3);
    auto& rt = sum.routing;
    rt.final_storage_m3 = router.final_stored_volume_m3();
    if (!sum.node_stats.empty()) {
        sum.inlet_stats = inlets.statistics();
        for (int j = 0; j < n_links; ++j) { // streets' spread at their peak depth
            const auto& x = net.xsection[static_cast<std::size_t>(j)];
            if (x.shape != XsectShape::kStreet || x.street_index < 0)
                continue;
            const auto& street = net.streets[static_cast<std::size_t>(x.street_index)];
            auto& st = sum.link_stats[static_cast<std::size_t>(j)];
            const double w = router.links()[j].xs.geometry(st.max_depth_m).top_width_m;
            st.max_spread_m = std::min(w / std::max(street.sides, 1), street.crown_width_m);
        }
    }
    for (std::size_t n = 0; n < sum.node_stats.size(); ++n)
        sum.node_stats[n].outflow_m3 += nodes[static_cast<int>(n)].volume;
    double in = rt.initial_storage_m3 + rt.wet_weather_m3 + rt.groundwater_m3 + rt.rdii_m3;
    double out = rt.final_storage_m3 + rt.flooding_m3 + rt.losses_m3;
    (rt.dry_weather_m3 >= 0 ? in : out) += std::abs(rt.dry_weather_m3);
    (rt.external_m3 >= 0 ? in : out) += std::abs(rt.external_m3);
    (rt.outflow_m3 >= 0 ? out : in) += std::abs(rt.outflow_m3);
    sum.flow_routing_continuity_error_pct = do_routing ? continuity_error_pct(in, out) : 0.0;
    sum.mean_trials = sum.routing_steps > 0
                          ? static_cast<double>(trials) / static_cast<double>(sum.routing_steps)
                          : 0.0;
    sum.mean_step_s =
        sum.routing_steps > 0 ? routed_s / static_cast<double>(sum.routing_steps) : 0.0;
}

namespace {
/// The folder relative file names of the model are read from.
std::filesystem::path model_dir(const Network& net, const SimulationOptions& options) {
    if (!options.base_dir.empty())
        return options.base_dir;
    return std::filesystem::path(net.source_file).parent_path();
}
} // namespace

Simulator::Simulator(const Network& net, const SimulationOptions& options) {
    // FILE time series (SWMM's external time series files) are read here, into a copy of the
    // model, so that a Network stays what its .inp says and is written back as such
    const bool has_files = std::any_of(net.series.begin(), net.series.end(),
                                       [](const TimeSeries& t) { return !t.file.empty(); });
    if (has_files) {
        loaded_ = std::make_unique<Network>(net);
        const auto dir = model_dir(net, options);
        for (auto& ts : loaded_->series)
            if (!ts.file.empty())
                ts = read_series_file(net, ts, dir);
    }
    s_ = std::make_unique<State>(loaded_ ? *loaded_ : net, options);
}
Simulator::~Simulator() = default;
Simulator::Simulator(Simulator&&) noexcept = default;
Simulator& Simulator::operator=(Simulator&&) noexcept = default;

double Simulator::time_s() const {
    return s_->t_route;
}
bool Simulator::done() const {
    return !(s_->t_route < s_->total - 1e-9);
}

bool Simulator::step() {
    if (s_->finished)
        throw Error(ErrorCode::kInternal, "drainage simulation stepped after finish()");
    if (done())
        return false;
    s_->step();
    return true;
}

void Simulator::advance_to(double t_s) {
    // a rule `SIMULATION TIME >= t` holds in a step beginning 1 ms before t (ControlRules::apply)
    while (!done() && s_->t_route < t_s - 0.001)
        step();
}

const ReportSeries& Simulator::series() const {
    return s_->rep;
}

void Simulator::set_pump_powered(int link, bool powered) {
    auto& st = *s_;
    if (link < 0 || link >= st.n_links || st.router.links()[link].kind != LinkKind::kPump)
        throw Error(ErrorCode::kInternal,
                    "set_pump_powered: link " + std::to_string(link) + " is not a pump");
    if (!powered) {
        st.router.force_link_setting(link, 0.0);
        return;
    }
    if (!st.router.forced(link))
        return;
    st.router.force_link_setting(link, std::numeric_limits<double>::quiet_NaN());
    // A pump that the model runs without depth controls or rules is switched on again; one with
    // them returns to them.
    const auto& id = st.net.link_id[link];
    const auto pump = st.net.type_index[link];
    auto upper = [](std::string x) {
        for (auto& c : x)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return x;
    };
    bool ruled = false;
    for (const auto& rule : st.net.rules)
        for (const auto& act : rule.actions)
            ruled = ruled || (act.tokens.size() > 1 && upper(act.tokens[1]) == upper(id));
    const bool plain = !ruled && st.net.pumps.initially_on[pump] != 0 &&
                       st.net.pumps.startup_depth_m[pump] <= 0.0 &&
                       st.net.pumps.shutoff_depth_m[pump] <= 0.0;
    if (plain)
        st.router.set_link_setting(link, 1.0);
}

SimulationResult Simulator::finish() {
    while (step()) {
    }
    s_->balances();
    if (s_->iface_out)
        s_->iface_out->write(s_->iface_out_path);
    if (!s_->hot_start_out.empty()) // the state at the end (SWMM hotstart_close)
        s_->hot_start().write_file(s_->net, s_->hot_start_out);
    if (s_->runoff_out)
        s_->runoff_out->write_file(s_->runoff_out_path);
    s_->finished = true;
    return std::move(s_->result);
}

SimulationResult simulate(const Network& net, const SimulationOptions& options) {
    return Simulator(net, options).finish();
}

} // namespace rencheng::drainage
