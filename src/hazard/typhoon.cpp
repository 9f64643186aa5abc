// Typhoon hazard: peak wind per site, closest approach, storm-surge hydrograph and series, and
// wind damage of supports in series (docs/hazards.md "Typhoon in the stress test").
#include "hazard/typhoon.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"

namespace rencheng::hazard {

PeakWind peak_wind(const TyphoonWindField& field, LonLat site, std::int64_t step_s) {
    if (step_s <= 0)
        throw Error(ErrorCode::kOutOfRange, "peak wind: step must be > 0 s");
    PeakWind best;
    const auto& track = field.track();
    best.time_s = track.start_s();
    for (std::int64_t t = track.start_s();; t += step_s) {
        const std::int64_t tt = std::min(t, track.end_s());
        const double sustained = field.sustained_10m_ms(site, tt);
        const double gust = field.options().gust_factor * sustained;
        if (gust > best.gust_ms) {
            best.gust_ms = gust;
            best.time_s = tt;
        }
        best.sustained_ms = std::max(best.sustained_ms, sustained);
        if (tt >= track.end_s())
            break;
    }
    return best;
}

ClosestApproach closest_approach(const TyphoonTrack& track, LonLat where, std::int64_t step_s) {
    if (step_s <= 0)
        throw Error(ErrorCode::kOutOfRange, "closest approach: step must be > 0 s");
    ClosestApproach best{track.start_s(), std::numeric_limits<double>::infinity()};
    for (std::int64_t t = track.start_s();; t += step_s) {
        const std::int64_t tt = std::min(t, track.end_s());
        const auto s = track.state_at(tt);
        const double d = haversine_m(s->centre, where) / 1000.0;
        if (d < best.distance_km) {
            best.distance_km = d;
            best.time_s = tt;
        }
        if (tt >= track.end_s())
            break;
    }
    return best;
}

double SurgeHydrograph::height_m(std::int64_t t_s) const {
    if (duration_s <= 0)
        return 0.0;
    const double x =
        static_cast<double>(t_s - peak_time_s) / static_cast<double>(duration_s); // in D
    if (std::abs(x) >= 0.5)
        return 0.0;
    const double c = std::cos(std::numbers::pi * x);
    return peak_m * c * c;
}

double SurgeSeries::at(std::int64_t t_s) const {
    if (time_s.empty())
        return 0.0;
    if (t_s <= time_s.front())
        return value_m.front();
    if (t_s >= time_s.back())
        return value_m.back();
    const auto it = std::upper_bound(time_s.begin(), time_s.end(), t_s);
    const auto k = static_cast<std::size_t>(it - time_s.begin());
    const double w =
        static_cast<double>(t_s - time_s[k - 1]) / static_cast<double>(time_s[k] - time_s[k - 1]);
    return value_m[k - 1] + w * (value_m[k] - value_m[k - 1]);
}

std::optional<SurgeSeries> parse_surge_csv(std::string_view text, const std::string& file,
                                           Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const CsvTable t = rencheng::parse_csv(text, file, diags);
    if (diags.error_count() > before)
        return std::nullopt;
    const int ch = t.column("time_h"), cs = t.column("time_s");
    const int cstage = t.column("stage_m"), csurge = t.column("surge_m");
    if ((ch >= 0) == (cs >= 0))
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "a surge series needs exactly one time column: time_h or time_s");
    if ((cstage >= 0) == (csurge >= 0))
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "a surge series needs exactly one value column: stage_m (elevation) or "
                    "surge_m (height above the normal stage)");
    if (diags.error_count() > before)
        return std::nullopt;
    SurgeSeries out;
    out.absolute = cstage >= 0;
    const int ctime = ch >= 0 ? ch : cs;
    const int cval = out.absolute ? cstage : csurge;
    const char* time_name = ch >= 0 ? "time_h" : "time_s";
    const char* value_name = out.absolute ? "stage_m" : "surge_m";
    for (const auto& row : t.rows) {
        const std::string& tf = row.fields[static_cast<std::size_t>(ctime)];
        const std::string& vf = row.fields[static_cast<std::size_t>(cval)];
        const auto tv = parse_double(tf);
        const auto vv = parse_double(vf);
        if (!tv || !std::isfinite(*tv) || *tv < 0.0) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                        std::string("column ") + time_name + ": '" + tf + "' is not a time >= 0");
            continue;
        }
        if (!vv || !std::isfinite(*vv) || std::abs(*vv) > 100.0) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                        std::string("column ") + value_name + ": '" + vf +
                            "' is not a height in [-100, 100] m");
            continue;
        }
        const auto ts = std::llround(ch >= 0 ? *tv * 3600.0 : *tv);
        if (!out.time_s.empty() && ts <= out.time_s.back()) {
            diags.error(ErrorCode::kInconsistent, file, row.line, 0, "",
                        std::string("column ") + time_name + ": times must increase strictly");
            continue;
        }
        out.time_s.push_back(ts);
        out.value_m.push_back(*vv);
    }
    if (diags.error_count() > before)
        return std::nullopt;
    if (out.time_s.empty()) {
        diags.error(ErrorCode::kMissingKey, file, 0, 0, "", "the surge series has no rows");
        return std::nullopt;
    }
    return out;
}

std::optional<SurgeSeries> read_surge_csv(const std::filesystem::path& path, Diagnostics& diags) {
    const auto text = read_file(path, diags);
    if (!text)
        return std::nullopt;
    return parse_surge_csv(*text, path.string(), diags);
}

double series_failure_probability(double p, int n) {
    if (n <= 0 || p <= 0.0)
        return 0.0;
    if (p >= 1.0)
        return 1.0;
    // 1 − (1 − p)^n without cancellation for small p.
    return -std::expm1(static_cast<double>(n) * std::log1p(-p));
}

int sample_failed_supports(double p, int n, double u_any, double u_count) {
    const double any = series_failure_probability(p, n);
    if (!(u_any < any))
        return 0;
    if (p >= 1.0)
        return n;
    // P(K = k | K >= 1) = C(n,k) p^k (1−p)^(n−k) / any; pmf(k+1) = pmf(k)·(n−k)/(k+1)·p/(1−p).
    const double ratio = p / (1.0 - p);
    double pmf = static_cast<double>(n) * p * std::exp((n - 1) * std::log1p(-p)) / any;
    double cumulative = pmf;
    int k = 1;
    while (k < n && cumulative <= u_count) {
        pmf *= static_cast<double>(n - k) / static_cast<double>(k + 1) * ratio;
        cumulative += pmf;
        ++k;
    }
    return k;
}

} // namespace rencheng::hazard
