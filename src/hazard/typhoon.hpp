// Typhoon hazard beyond the wind profile: the peak wind a site sees over the storm, the storm's
// closest approach to a city, the storm-surge stage hydrograph at the outfalls, and wind damage
// of assets made of many supports in series (poles of a feeder, towers of a line).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "hazard/wind.hpp"

namespace rencheng::hazard {

/// The largest wind a site sees while the storm passes.
struct PeakWind {
    double gust_ms = 0.0;      ///< largest 10 m 3-s gust, m/s
    double sustained_ms = 0.0; ///< largest 10 m 10-min mean wind, m/s
    std::int64_t time_s = 0;   ///< when the gust peaks (first sample at the maximum), s
};

/// Samples the field at the site every `step_s` over the track's span (both ends included).
/// Throws Error(kOutOfRange) when step_s <= 0.
PeakWind peak_wind(const TyphoonWindField& field, LonLat site, std::int64_t step_s);

/// Where the storm's centre passes closest to a point.
struct ClosestApproach {
    std::int64_t time_s = 0;
    double distance_km = 0.0;
};
/// Closest approach sampled every `step_s` along the track (first sample at the minimum).
ClosestApproach closest_approach(const TyphoonTrack& track, LonLat where, std::int64_t step_s);

/// A storm-surge hydrograph: the height of the water above its normal stage,
/// h(t) = peak·cos²(π(t − t_peak)/D) for |t − t_peak| < D/2, else 0 (a raised-cosine pulse of
/// base width D; docs/hazards.md "Storm surge").
struct SurgeHydrograph {
    double peak_m = 0.0;
    std::int64_t peak_time_s = 0;
    std::int64_t duration_s = 12 * 3600;
    [[nodiscard]] double height_m(std::int64_t t_s) const;
};

/// A stage or surge series read from CSV (docs/hazards.md "Surge series CSV"): time and either
/// the absolute stage elevation (`stage_m`) or the height above the normal stage (`surge_m`).
struct SurgeSeries {
    std::vector<std::int64_t> time_s;
    std::vector<double> value_m;
    bool absolute = false; ///< true: stage_m (elevation); false: surge_m (above normal)
    /// Linear interpolation, ends held.
    [[nodiscard]] double at(std::int64_t t_s) const;
};
/// Columns `time_h` or `time_s` (one of them), and `stage_m` or `surge_m` (one of them). Times
/// must increase strictly. nullopt on error, diagnostics naming file, line and column.
std::optional<SurgeSeries> parse_surge_csv(std::string_view text, const std::string& file,
                                           Diagnostics& diags);
std::optional<SurgeSeries> read_surge_csv(const std::filesystem::path& path, Diagnostics& diags);

/// Probability that at least one of n independent supports, each failing with probability p,
/// fails: 1 − (1 − p)^n (0 for n <= 0).
double series_failure_probability(double p, int n);

/// Number of the n supports that fail, drawn with two uniforms in [0, 1): u_any decides whether
/// any fails (u_any < series_failure_probability), u_count how many given at least one
/// (inversion of the binomial conditioned on K >= 1). Always consumes both, so draws stay
/// aligned across assets. Returns 0..n.
int sample_failed_supports(double p, int n, double u_any, double u_count);

} // namespace rencheng::hazard
