// Climate files and SWMM's daily evaporation from them (see climate_file.hpp).
#include "drainage/climate_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <tuple>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool whole_number(const std::string& s, int& v) {
    if (s.empty())
        return false;
    char* end = nullptr;
    const long x = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0')
        return false;
    v = static_cast<int>(x);
    return true;
}

/// SWMM's 7-day moving averages of the daily mean temperature and range (climate.c Tma).
struct MovingAverage {
    static constexpr int kDays = 7;
    double tave = 0, trange = 0;
    std::array<double, kDays> ta{}, tr{};
    int count = 0, front = 0;

    void add(double tmin, double tmax) {
        const double a = (tmin + tmax) / 2.0;
        const double r = std::abs(tmax - tmin);
        const double n = count;
        if (count == kDays) {
            tave = (tave * n + a - ta[front]) / n;
            trange = (trange * n + r - tr[front]) / n;
            ta[front] = a;
            tr[front] = r;
            front = (front + 1) % kDays;
        } else {
            tave = (tave * n + a) / (n + 1);
            trange = (trange * n + r) / (n + 1);
            ta[front] = a;
            tr[front] = r;
            ++count;
            ++front;
            if (count == kDays)
                front = 0;
        }
    }
};

} // namespace

std::vector<ClimateDay> read_climate_file(const std::filesystem::path& path, bool si) {
    return parse_climate_file(rencheng::read_file(path), path.string(), si);
}

std::vector<ClimateDay> parse_climate_file(const std::string& text, const std::string& file,
                                           bool si) {
    std::vector<ClimateDay> days;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    bool first = true;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        const std::string where = file + ":" + std::to_string(number) + ": climate file: ";
        if (first) { // SWMM getFileFormat: the other formats it knows are not read here
            first = false;
            const bool td3200 = line.compare(0, 3, "DLY") == 0 && line.size() >= 27 &&
                                line.compare(23, 4, "9999") == 0;
            const bool dly0204 = line.size() >= 233;
            const bool ghcnd = line.compare(0, 7, "STATION") == 0;
            if (td3200 || dly0204 || ghcnd)
                throw Error(ErrorCode::kUnsupported,
                            where +
                                (td3200    ? "NCDC TD-3200"
                                 : dly0204 ? "DLY02/DLY04"
                                           : "GHCN-Daily") +
                                " climate files are not yet read (the user-prepared format is)");
        }
        std::istringstream ls(line);
        std::vector<std::string> tok;
        for (std::string t; ls >> t;)
            tok.push_back(t);
        ClimateDay d;
        if (tok.size() < 4 || !whole_number(tok[1], d.year) || !whole_number(tok[2], d.month) ||
            !whole_number(tok[3], d.day))
            throw Error(ErrorCode::kNumberSyntax,
                        where + "'" + line +
                            "' is not 'station year month day [Tmax Tmin Evap Wind]'");
        if (d.month < 1 || d.month > 12)
            throw Error(ErrorCode::kOutOfRange, where + "month " + tok[2] + " is not 1 to 12");
        if (d.day < 1 || d.day > 31)
            continue; // SWMM skips such a line
        double* field[4] = {&d.tmax, &d.tmin, &d.evap, &d.wind};
        static const char* names[4] = {"Tmax", "Tmin", "Evap", "Wind"};
        for (std::size_t k = 0; k < 4; ++k) {
            *field[k] = kMissing;
            if (4 + k >= tok.size() || tok[4 + k][0] == '*')
                continue;
            char* end = nullptr;
            const double x = std::strtod(tok[4 + k].c_str(), &end);
            if (*end != '\0' || !std::isfinite(x))
                throw Error(ErrorCode::kNumberSyntax,
                            where + names[k] + " '" + tok[4 + k] + "' is not a number");
            *field[k] = x;
        }
        if (si) { // SWMM keeps temperatures in °F
            if (!std::isnan(d.tmax))
                d.tmax = 9.0 / 5.0 * d.tmax + 32.0;
            if (!std::isnan(d.tmin))
                d.tmin = 9.0 / 5.0 * d.tmin + 32.0;
        }
        days.push_back(d);
    }
    return days;
}

double hargreaves_mm_day(int day_of_year, double latitude_deg, double tave_f, double trange_f) {
    const double a = 2.0 * std::numbers::pi / 365.0;
    const double ta = (tave_f - 32.0) * 5.0 / 9.0;             // mean temperature, °C
    const double tr = trange_f * 5.0 / 9.0;                    // mean daily range, °C
    const double lambda = 2.50 - 0.002361 * ta;                // latent heat of vaporisation, MJ/kg
    const double dr = 1.0 + 0.033 * std::cos(a * day_of_year); // inverse relative distance
    const double phi = latitude_deg * 2.0 * std::numbers::pi / 360.0;
    const double delta = 0.4093 * std::sin(a * (284.0 + day_of_year)); // solar declination
    const double omega = std::acos(std::clamp(-std::tan(phi) * std::tan(delta), -1.0, 1.0));
    const double ra = 37.6 * dr *
                      (omega * std::sin(phi) * std::sin(delta) +
                       std::cos(phi) * std::cos(delta) * std::sin(omega)); // extraterrestrial
    const double e = 0.0023 * ra / lambda * std::sqrt(tr) * (ta + 17.8);
    return std::max(e, 0.0);
}

namespace {

/// The climate file a model names and the values of it in force on each day of a run.
struct ClimateWalk {
    double latitude = 40.0; ///< SNOWMELT's 5th value (SWMM's default 40°)
    std::int64_t first_day_s = 0;
    std::vector<ClimateDay> days; ///< per run day from the first, no value missing
};

/// SWMM's reading of the climate file over a run (climate.c updateFileValues): the first run day
/// reads the file at its start date (the [TEMPERATURE] FILE line's, else the run's), each later
/// day the file's next day; a value the file lacks keeps the day before's (70 °F for the
/// temperatures, 0 for evaporation and wind before any). `what` names the user in errors.
ClimateWalk walk_climate_file(const Network& net, const std::filesystem::path& base_dir, int days,
                              const std::string& what) {
    ClimateWalk out;
    std::string name;
    std::optional<CalendarTime> file_start;
    if (const auto* raw = net.raw_section("TEMPERATURE"))
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const std::string where =
                net.source_file + ":" + std::to_string(raw->line[r]) + ": [TEMPERATURE] ";
            if (row.empty())
                continue;
            std::string key = row[0];
            for (auto& c : key)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (key == "FILE" && row.size() >= 2) {
                name = row[1];
                if (row.size() >= 3 && row[2] != "*") {
                    file_start = parse_swmm_date(row[2]);
                    if (!file_start)
                        throw Error(ErrorCode::kNumberSyntax,
                                    where + "start date '" + row[2] + "' is not month/day/year");
                }
            } else if (key == "SNOWMELT" && row.size() >= 6) {
                char* end = nullptr;
                out.latitude = std::strtod(row[5].c_str(), &end);
                if (*end != '\0' || !(out.latitude > -89.99 && out.latitude < 89.99))
                    throw Error(ErrorCode::kOutOfRange,
                                where + "latitude '" + row[5] + "' is not between -90 and 90");
            }
        }
    if (name.empty())
        throw Error(ErrorCode::kMissingKey,
                    net.source_file + ": " + what +
                        " needs a climate file ([TEMPERATURE] FILE name; SWMM error 336)");
    const std::filesystem::path dir =
        base_dir.empty() ? std::filesystem::path(net.source_file).parent_path() : base_dir;
    std::filesystem::path path(name);
    if (path.is_relative())
        path = dir / path;
    const std::vector<ClimateDay> file = read_climate_file(path, is_si(net.options.flow_units));
    std::map<std::tuple<int, int, int>, const ClimateDay*> by_date;
    for (const auto& d : file)
        by_date[{d.year, d.month, d.day}] = &d; // a later line of the same date wins
    const CalendarTime sim0{net.options.start.year, net.options.start.month, net.options.start.day,
                            0};
    const CalendarTime f0 = file_start ? *file_start : sim0;
    const bool has_month = std::any_of(file.begin(), file.end(), [&](const ClimateDay& d) {
        return d.year == f0.year && d.month == f0.month;
    });
    if (!has_month)
        throw Error(ErrorCode::kOutOfRange, path.string() + ": climate file: no day of " +
                                                std::to_string(f0.month) + "/" +
                                                std::to_string(f0.year) +
                                                ", where the run starts reading it (SWMM error "
                                                "338)");
    out.first_day_s = seconds_since_epoch(sim0);
    const Seconds file0 = seconds_since_epoch(f0);
    ClimateDay now;
    now.tmin = now.tmax = 70.0;
    for (int k = 0; k <= days; ++k) {
        const CalendarTime fd = calendar_from_seconds(file0 + static_cast<Seconds>(k) * 86400);
        if (const auto it = by_date.find({fd.year, fd.month, fd.day}); it != by_date.end()) {
            const ClimateDay& d = *it->second;
            for (auto [from, to] : {std::pair{d.tmin, &now.tmin}, std::pair{d.tmax, &now.tmax},
                                    std::pair{d.evap, &now.evap}, std::pair{d.wind, &now.wind}})
                if (!std::isnan(from))
                    *to = from;
        }
        const CalendarTime sd =
            calendar_from_seconds(out.first_day_s + static_cast<Seconds>(k) * 86400);
        now.year = sd.year;
        now.month = sd.month;
        now.day = sd.day;
        out.days.push_back(now);
    }
    return out;
}

} // namespace

DailyEvaporation daily_evaporation(const Network& net, const std::filesystem::path& base_dir,
                                   int days, const std::array<double, 12>& temp_adjust_f,
                                   const std::array<double, 12>& evap_adjust_ms) {
    const auto& ev = net.evaporation;
    const bool temperature = ev.type == EvaporationType::kTemperature;
    const ClimateWalk walk =
        walk_climate_file(net, base_dir, days,
                          std::string("[EVAPORATION] ") + (temperature ? "TEMPERATURE" : "FILE"));
    DailyEvaporation out;
    out.first_day_s = walk.first_day_s;
    out.changes_at_midnight = !temperature;
    const UnitFactors units = unit_factors(net.options.flow_units);
    MovingAverage ma;
    for (int k = 0; k <= days; ++k) {
        const ClimateDay& d = walk.days[static_cast<std::size_t>(k)];
        const Seconds day_s = out.first_day_s + static_cast<Seconds>(k) * 86400;
        const auto m = static_cast<std::size_t>(d.month - 1);
        double rate = 0;
        if (temperature) {
            double lo = d.tmin + temp_adjust_f[m], hi = d.tmax + temp_adjust_f[m];
            if (lo > hi)
                std::swap(lo, hi);
            ma.add(lo, hi);
            const int doy =
                static_cast<int>((day_s - seconds_since_epoch({d.year, 1, 1, 0})) / 86400) + 1;
            rate = hargreaves_mm_day(doy, walk.latitude, ma.tave, ma.trange) / 1000.0 / 86400.0;
        } else {
            const double pan = ev.has_pan_coefficients ? ev.pan_coefficients[m] : 1.0;
            rate = d.evap * units.evap_rate * pan;
        }
        out.rate_ms.push_back(rate + evap_adjust_ms[m]);
    }
    return out;
}

DailyClimate daily_climate(const Network& net, const std::filesystem::path& base_dir, int days) {
    const ClimateWalk walk = walk_climate_file(net, base_dir, days, "[TEMPERATURE] snowmelt");
    DailyClimate out;
    out.first_day_s = walk.first_day_s;
    out.days = walk.days;
    return out;
}

} // namespace rencheng::drainage
