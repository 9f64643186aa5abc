// Typhoon wind hazard: a track of central pressure and radius of maximum wind, the Holland (1980)
// gradient wind profile, reduction to the 10 m sustained wind and to the 10 m gust.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"

namespace rencheng::hazard {

/// Air density used by default in the gradient wind balance, kg/m³ (reproduces MODELS.md §8).
inline constexpr double kTyphoonAirDensity = 1.15;
/// Earth's angular velocity, rad/s (Coriolis parameter f = 2Ω sin φ).
inline constexpr double kEarthRotationRadS = 7.2921e-5;

/// Holland's B from Vickery & Wadhera (2008): B = 1.881 − 0.00557·Rm[km] − 0.01295·|φ|[deg],
/// kept within [0.8, 2.5] (docs/hazards.md).
double holland_b_vickery_wadhera(double rmw_km, double latitude_deg);

/// Holland (1980) gradient wind speed at `r_km` from the centre, m/s:
/// Vg = √[(B·Δp/ρ)(Rm/r)^B·e^(−(Rm/r)^B) + (r f/2)²] − r f/2, with Δp in Pa, f = 2Ω sin φ.
/// 0 at r = 0. Preconditions: Δp >= 0, B > 0, Rm > 0.
double holland_gradient_wind_ms(double dp_pa, double holland_b, double rmw_km, double r_km,
                                double latitude_deg, double air_density = kTyphoonAirDensity);

/// Holland (1980) surface pressure at `r_km`, hPa: p = pc + Δp·e^(−(Rm/r)^B).
double holland_pressure_hpa(double central_pressure_hpa, double dp_hpa, double holland_b,
                            double rmw_km, double r_km);

/// The gradient-to-10 m wind factor Km (Harper-style, MODELS.md §8): 0.81 below 6 m/s;
/// 0.81 − 2.96e-3·Vg for 6–19.5; 0.77 − 4.31e-3·Vg for 19.5–45; 0.66 above 45 m/s.
double gradient_to_10m_factor(double gradient_wind_ms);

/// One fix of a typhoon track.
struct TrackPoint {
    std::int64_t time_s = 0;              ///< simulation time, s
    LonLat centre;                        ///< storm centre
    double central_pressure_hpa = 950.0;  ///< pc
    double rmw_km = 30.0;                 ///< radius of maximum wind Rm
    double ambient_pressure_hpa = 1010.0; ///< pn; Δp = pn − pc
    std::optional<double> holland_b;      ///< given B; Vickery & Wadhera when absent
};

/// The storm's state at a time, interpolated linearly between track fixes, with its translation
/// velocity (from the two fixes around t, great-circle).
struct TyphoonState {
    LonLat centre;
    double central_pressure_hpa = 0.0;
    double dp_hpa = 0.0;
    double rmw_km = 0.0;
    double holland_b = 0.0;
    double translation_east_ms = 0.0;
    double translation_north_ms = 0.0;
};

/// A typhoon track: fixes in strictly increasing time.
class TyphoonTrack {
public:
    /// Throws Error(kOutOfRange / kInconsistent) for fewer than 1 point, times not increasing,
    /// rmw <= 0, pc >= ambient pressure, or a given B outside (0, 3].
    explicit TyphoonTrack(std::vector<TrackPoint> points);

    /// Parses a track CSV (docs/hazards.md "Typhoon track CSV"): time_s, lon, lat,
    /// central_pressure_hpa, rmw_km, and optional ambient_pressure_hpa (default 1010) and
    /// holland_b (blank = Vickery & Wadhera). nullopt on error, diagnostics with file and line.
    static std::optional<TyphoonTrack> parse_csv(std::string_view text, const std::string& file,
                                                 Diagnostics& diags);
    static std::optional<TyphoonTrack> read_csv(const std::filesystem::path& path,
                                                Diagnostics& diags);

    [[nodiscard]] const std::vector<TrackPoint>& points() const { return points_; }
    [[nodiscard]] std::int64_t start_s() const { return points_.front().time_s; }
    [[nodiscard]] std::int64_t end_s() const { return points_.back().time_s; }
    /// The state at t; nullopt outside [start_s, end_s] (the storm is not present then).
    [[nodiscard]] std::optional<TyphoonState> state_at(std::int64_t t_s) const;

private:
    std::vector<TrackPoint> points_;
};

struct TyphoonWindOptions {
    double air_density = kTyphoonAirDensity; ///< kg/m³
    /// 3-s gust / 10-min mean at 10 m. 1.5 by default: the upper end of the 1.2–1.5 range of
    /// MODELS.md §8, for the rough urban terrain of a city (docs/hazards.md).
    double gust_factor = 1.5;
    /// Add the storm's translation to the 10 m wind: V = Vsym + k·Vt·cos(angle between the
    /// translation and the local wind direction), which makes the right-hand side (northern
    /// hemisphere) stronger. Off by default.
    bool asymmetry = false;
    double translation_factor = 0.5; ///< k above
    /// Throws Error(kOutOfRange) naming the bad option.
    void validate() const;
};

/// A typhoon's wind over the city through time. Immutable; thread-safe to query.
class TyphoonWindField {
public:
    TyphoonWindField(TyphoonTrack track, TyphoonWindOptions options = {});

    [[nodiscard]] const TyphoonTrack& track() const { return track_; }
    [[nodiscard]] const TyphoonWindOptions& options() const { return options_; }
    /// Gradient-level wind (symmetric Holland profile), m/s; 0 outside the track's time span.
    [[nodiscard]] double gradient_ms(LonLat where, std::int64_t t_s) const;
    /// 10 m sustained (10-min mean) wind = Km(Vg)·Vg (+ translation term when enabled), m/s.
    [[nodiscard]] double sustained_10m_ms(LonLat where, std::int64_t t_s) const;
    /// 10 m gust = gust_factor · sustained, m/s.
    [[nodiscard]] double gust_10m_ms(LonLat where, std::int64_t t_s) const;
    /// Surface pressure, hPa (the ambient pressure outside the track's time span).
    [[nodiscard]] double pressure_hpa(LonLat where, std::int64_t t_s) const;
    /// Largest gust at a point over [t0_s, t1_s] sampled every `step_s` seconds, m/s.
    [[nodiscard]] double max_gust_10m_ms(LonLat where, std::int64_t t0_s, std::int64_t t1_s,
                                         std::int64_t step_s) const;

private:
    TyphoonTrack track_;
    TyphoonWindOptions options_;
};

} // namespace rencheng::hazard
