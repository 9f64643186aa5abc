// Typhoon wind: Holland (1980) profile along a track, reduced to the 10 m sustained wind and gust.
#include "hazard/wind.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"

namespace rencheng::hazard {

namespace {
constexpr double kEarthRadiusM = 6371008.8; // mean radius, as core/geo.cpp's haversine
constexpr double kDegToRad = std::numbers::pi / 180.0;

/// Local east/north offset of `p` from `origin`, metres (equirectangular; fine within a few
/// hundred km for directions, distances use haversine).
void offset_m(LonLat origin, LonLat p, double& east, double& north) {
    const double mean_lat = 0.5 * (origin.lat + p.lat) * kDegToRad;
    east = (p.lon - origin.lon) * kDegToRad * std::cos(mean_lat) * kEarthRadiusM;
    north = (p.lat - origin.lat) * kDegToRad * kEarthRadiusM;
}
} // namespace

double holland_b_vickery_wadhera(double rmw_km, double latitude_deg) {
    const double b = 1.881 - 0.00557 * rmw_km - 0.01295 * std::abs(latitude_deg);
    // The regression is fitted for B about 0.8–2.2; keep it in a physical range.
    return std::clamp(b, 0.8, 2.5);
}

double holland_gradient_wind_ms(double dp_pa, double holland_b, double rmw_km, double r_km,
                                double latitude_deg, double air_density) {
    if (r_km <= 0.0)
        return 0.0;
    const double x = std::pow(rmw_km / r_km, holland_b);
    const double f = 2.0 * kEarthRotationRadS * std::sin(std::abs(latitude_deg) * kDegToRad);
    const double rf2 = r_km * 1000.0 * f / 2.0;
    return std::sqrt(holland_b * dp_pa / air_density * x * std::exp(-x) + rf2 * rf2) - rf2;
}

double holland_pressure_hpa(double central_pressure_hpa, double dp_hpa, double holland_b,
                            double rmw_km, double r_km) {
    if (r_km <= 0.0)
        return central_pressure_hpa;
    return central_pressure_hpa + dp_hpa * std::exp(-std::pow(rmw_km / r_km, holland_b));
}

double gradient_to_10m_factor(double vg) {
    if (vg < 6.0)
        return 0.81;
    if (vg < 19.5)
        return 0.81 - 2.96e-3 * vg;
    if (vg < 45.0)
        return 0.77 - 4.31e-3 * vg;
    return 0.66;
}

// ---- Track ------------------------------------------------------------------------------------

TyphoonTrack::TyphoonTrack(std::vector<TrackPoint> points) : points_(std::move(points)) {
    if (points_.empty())
        throw Error(ErrorCode::kOutOfRange, "a typhoon track needs a fix");
    for (std::size_t k = 0; k < points_.size(); ++k) {
        const auto& p = points_[k];
        const std::string at = "typhoon track fix " + std::to_string(k + 1) + ": ";
        if (k > 0 && p.time_s <= points_[k - 1].time_s)
            throw Error(ErrorCode::kInconsistent, at + "times must increase strictly");
        if (!(p.rmw_km > 0.0))
            throw Error(ErrorCode::kOutOfRange, at + "radius of maximum wind must be > 0 km");
        if (!(p.central_pressure_hpa > 800.0 && p.central_pressure_hpa < p.ambient_pressure_hpa))
            throw Error(ErrorCode::kOutOfRange,
                        at + "central pressure must lie between 800 hPa and the ambient pressure");
        if (!(p.ambient_pressure_hpa <= 1100.0))
            throw Error(ErrorCode::kOutOfRange, at + "ambient pressure must be <= 1100 hPa");
        if (p.holland_b && !(*p.holland_b > 0.0 && *p.holland_b <= 3.0))
            throw Error(ErrorCode::kOutOfRange, at + "Holland B must lie in (0, 3]");
        if (!(std::abs(p.centre.lat) <= 90.0 && std::abs(p.centre.lon) <= 180.0))
            throw Error(ErrorCode::kOutOfRange, at + "centre is not a WGS84 position");
    }
}

std::optional<TyphoonState> TyphoonTrack::state_at(std::int64_t t_s) const {
    if (t_s < start_s() || t_s > end_s())
        return std::nullopt;
    std::size_t k = 0;
    while (k + 1 < points_.size() && points_[k + 1].time_s <= t_s)
        ++k;
    const TrackPoint& a = points_[k];
    const TrackPoint& b = k + 1 < points_.size() ? points_[k + 1] : points_[k];
    // The segment the time falls in (the last one at the final fix) gives the translation.
    const TrackPoint& s0 = k + 1 < points_.size() ? a : points_[k > 0 ? k - 1 : 0];
    const TrackPoint& s1 = k + 1 < points_.size() ? b : a;
    const double w =
        &a == &b ? 0.0
                 : static_cast<double>(t_s - a.time_s) / static_cast<double>(b.time_s - a.time_s);
    auto lerp = [w](double x, double y) { return x + w * (y - x); };
    TyphoonState s;
    s.centre = {lerp(a.centre.lon, b.centre.lon), lerp(a.centre.lat, b.centre.lat)};
    s.central_pressure_hpa = lerp(a.central_pressure_hpa, b.central_pressure_hpa);
    s.dp_hpa = lerp(a.ambient_pressure_hpa, b.ambient_pressure_hpa) - s.central_pressure_hpa;
    s.rmw_km = lerp(a.rmw_km, b.rmw_km);
    if (a.holland_b && b.holland_b)
        s.holland_b = lerp(*a.holland_b, *b.holland_b);
    else
        s.holland_b = holland_b_vickery_wadhera(s.rmw_km, s.centre.lat);
    if (s1.time_s > s0.time_s) {
        double east = 0.0, north = 0.0;
        offset_m(s0.centre, s1.centre, east, north);
        const double dt = static_cast<double>(s1.time_s - s0.time_s);
        s.translation_east_ms = east / dt;
        s.translation_north_ms = north / dt;
    }
    return s;
}

std::optional<TyphoonTrack> TyphoonTrack::parse_csv(std::string_view text, const std::string& file,
                                                    Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const CsvTable t = rencheng::parse_csv(text, file, diags);
    if (diags.error_count() > before)
        return std::nullopt;
    const char* required[] = {"time_s", "lon", "lat", "central_pressure_hpa", "rmw_km"};
    for (const char* name : required)
        if (t.column(name) < 0)
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        std::string("typhoon track needs column ") + name);
    if (diags.error_count() > before)
        return std::nullopt;
    const int cpn = t.column("ambient_pressure_hpa"), cb = t.column("holland_b");
    std::vector<TrackPoint> points;
    for (const auto& row : t.rows) {
        auto field = [&](int col) -> const std::string& {
            return row.fields[static_cast<std::size_t>(col)];
        };
        auto number = [&](const char* name, int col) -> std::optional<double> {
            const auto v = parse_double(field(col));
            if (!v)
                diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                            std::string("column ") + name + ": '" + field(col) +
                                "' is not a number");
            return v;
        };
        TrackPoint p;
        const auto time = parse_int(field(t.column("time_s")));
        if (!time)
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                        "column time_s: '" + field(t.column("time_s")) +
                            "' is not a whole number of seconds");
        const auto lon = number("lon", t.column("lon"));
        const auto lat = number("lat", t.column("lat"));
        const auto pc = number("central_pressure_hpa", t.column("central_pressure_hpa"));
        const auto rmw = number("rmw_km", t.column("rmw_km"));
        std::optional<double> pn = 1010.0;
        if (cpn >= 0 && !field(cpn).empty())
            pn = number("ambient_pressure_hpa", cpn);
        std::optional<double> b;
        if (cb >= 0 && !field(cb).empty()) {
            b = number("holland_b", cb);
            if (!b)
                continue;
        }
        if (!time || !lon || !lat || !pc || !rmw || !pn)
            continue;
        p.time_s = *time;
        p.centre = {*lon, *lat};
        p.central_pressure_hpa = *pc;
        p.rmw_km = *rmw;
        p.ambient_pressure_hpa = *pn;
        p.holland_b = b;
        // Check the fix here so the message carries its line.
        try {
            TyphoonTrack one({p});
        } catch (const Error& e) {
            diags.error(e.code(), file, row.line, 0, "",
                        std::string(e.what()).substr(std::string("typhoon track fix 1: ").size()));
            continue;
        }
        if (!points.empty() && p.time_s <= points.back().time_s) {
            diags.error(ErrorCode::kInconsistent, file, row.line, 0, "",
                        "column time_s: times must increase strictly");
            continue;
        }
        points.push_back(p);
    }
    if (diags.error_count() > before)
        return std::nullopt;
    if (points.empty()) {
        diags.error(ErrorCode::kMissingKey, file, 0, 0, "", "typhoon track has no fixes");
        return std::nullopt;
    }
    return TyphoonTrack(std::move(points));
}

std::optional<TyphoonTrack> TyphoonTrack::read_csv(const std::filesystem::path& path,
                                                   Diagnostics& diags) {
    const auto text = read_file(path, diags);
    if (!text)
        return std::nullopt;
    return parse_csv(*text, path.string(), diags);
}

// ---- Wind field -------------------------------------------------------------------------------

void TyphoonWindOptions::validate() const {
    if (!(air_density > 0.5 && air_density < 2.0))
        throw Error(ErrorCode::kOutOfRange,
                    "typhoon option air_density must lie in (0.5, 2) kg/m³");
    if (!(gust_factor >= 1.0 && gust_factor <= 3.0))
        throw Error(ErrorCode::kOutOfRange, "typhoon option gust_factor must lie in [1, 3]");
    if (!(translation_factor >= 0.0 && translation_factor <= 1.5))
        throw Error(ErrorCode::kOutOfRange,
                    "typhoon option translation_factor must lie in [0, 1.5]");
}

TyphoonWindField::TyphoonWindField(TyphoonTrack track, TyphoonWindOptions options)
    : track_(std::move(track)), options_(options) {
    options_.validate();
}

double TyphoonWindField::gradient_ms(LonLat where, std::int64_t t_s) const {
    const auto s = track_.state_at(t_s);
    if (!s)
        return 0.0;
    const double r_km = haversine_m(s->centre, where) / 1000.0;
    return holland_gradient_wind_ms(s->dp_hpa * 100.0, s->holland_b, s->rmw_km, r_km, s->centre.lat,
                                    options_.air_density);
}

double TyphoonWindField::sustained_10m_ms(LonLat where, std::int64_t t_s) const {
    const auto s = track_.state_at(t_s);
    if (!s)
        return 0.0;
    const double r_km = haversine_m(s->centre, where) / 1000.0;
    const double vg = holland_gradient_wind_ms(s->dp_hpa * 100.0, s->holland_b, s->rmw_km, r_km,
                                               s->centre.lat, options_.air_density);
    double v = gradient_to_10m_factor(vg) * vg;
    if (options_.asymmetry && r_km > 0.0) {
        // Unit vector of the symmetric wind: tangential, counter-clockwise in the northern
        // hemisphere, clockwise in the southern one. The translation adds its component along it.
        double east = 0.0, north = 0.0;
        offset_m(s->centre, where, east, north);
        const double len = std::hypot(east, north);
        if (len > 0.0) {
            const double sign = s->centre.lat >= 0.0 ? 1.0 : -1.0;
            const double te = -north / len * sign, tn = east / len * sign;
            v += options_.translation_factor *
                 (te * s->translation_east_ms + tn * s->translation_north_ms);
        }
    }
    return std::max(0.0, v);
}

double TyphoonWindField::gust_10m_ms(LonLat where, std::int64_t t_s) const {
    return options_.gust_factor * sustained_10m_ms(where, t_s);
}

double TyphoonWindField::pressure_hpa(LonLat where, std::int64_t t_s) const {
    const auto s = track_.state_at(t_s);
    if (!s) {
        // Outside the track's span: the ambient pressure of the nearest fix.
        return t_s < track_.start_s() ? track_.points().front().ambient_pressure_hpa
                                      : track_.points().back().ambient_pressure_hpa;
    }
    const double r_km = haversine_m(s->centre, where) / 1000.0;
    return holland_pressure_hpa(s->central_pressure_hpa, s->dp_hpa, s->holland_b, s->rmw_km, r_km);
}

double TyphoonWindField::max_gust_10m_ms(LonLat where, std::int64_t t0_s, std::int64_t t1_s,
                                         std::int64_t step_s) const {
    if (step_s <= 0)
        throw Error(ErrorCode::kOutOfRange, "max gust: step must be > 0 s");
    double best = 0.0;
    for (std::int64_t t = t0_s; t <= t1_s; t += step_s)
        best = std::max(best, gust_10m_ms(where, t));
    return best;
}

} // namespace rencheng::hazard
