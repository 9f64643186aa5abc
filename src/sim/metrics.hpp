// Resilience metrics of service curves (MODELS.md §11, docs/metrics.md) and statistics over
// Monte Carlo realizations.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace rencheng::sim {

/// Restoration levels reported by time_to_restore_h: 50, 90 and 100 % of the population served.
inline constexpr std::array<double, 3> kRestoreLevels = {0.5, 0.9, 1.0};

/// Metrics of one service curve Q(t) sampled at t_k = k·step (fraction of population served,
/// held constant over [t_k, t_k+1) — the state of the co-simulation during a step).
struct CurveMetrics {
    double population_hours_lost = 0.0; ///< Σ_k (P − served_k)·Δt over k < n−1, person·h
    double resilience_loss_pct_h = 0.0; ///< Bruneau (2003): Σ_k (100 − 100·Q_k)·Δt, %·h
    double min_service = 1.0;           ///< robustness: min_k Q_k
    /// Time (h) from the start after which Q stays at or above 50/90/100 % for good: 0 when it
    /// never fell below, nullopt when it is still below at the horizon.
    std::array<std::optional<double>, 3> time_to_restore_h;
};

/// `served` is the population with the service at each output time; `population` those who
/// depend on it (> 0); `step_s` the output step.
CurveMetrics curve_metrics(std::span<const double> served, double population, std::int64_t step_s);

/// Statistics over realizations. `defined` is false (written as null) when the values are
/// empty or the statistic needs a value that is undefined (an infinite or NaN one).
struct Stat {
    double value = 0.0;
    bool defined = false;
};
struct Stats {
    Stat mean, p10, p50, p90, min, max;
};
/// Mean, P10, P50, P90 (linear interpolation between order statistics, Hyndman & Fan type 7),
/// min and max. Infinite values (e.g. "never restored") sort last and make the statistics that
/// touch them undefined.
Stats compute_stats(std::vector<double> values);
/// One percentile (p in [0, 1]) of sorted values, type 7; undefined when it touches a
/// non-finite value.
Stat percentile_sorted(const std::vector<double>& sorted, double p);

/// Exceedance curve: values sorted from the largest, each with P(X ≥ value) = rank / n.
struct ExceedancePoint {
    double value = 0.0;
    double probability = 0.0;
};
std::vector<ExceedancePoint> exceedance_curve(std::vector<double> values);

} // namespace rencheng::sim
