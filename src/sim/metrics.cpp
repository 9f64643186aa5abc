// Resilience metrics of service curves and statistics over realizations (docs/metrics.md).
#include "sim/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rencheng::sim {

CurveMetrics curve_metrics(std::span<const double> served, double population, std::int64_t step_s) {
    CurveMetrics m;
    const double dt_h = static_cast<double>(step_s) / 3600.0;
    const std::size_t n = served.size();
    if (n == 0 || population <= 0)
        return m;
    std::vector<double> q(n);
    for (std::size_t k = 0; k < n; ++k)
        q[k] = std::clamp(served[k] / population, 0.0, 1.0);
    for (std::size_t k = 0; k + 1 < n; ++k) {
        m.population_hours_lost += (population - served[k]) * dt_h;
        m.resilience_loss_pct_h += (100.0 - 100.0 * q[k]) * dt_h;
    }
    m.min_service = *std::min_element(q.begin(), q.end());
    // Q within 1e-9 of the level counts as reaching it (sums of populations in floating point).
    constexpr double kTol = 1e-9;
    for (std::size_t i = 0; i < kRestoreLevels.size(); ++i) {
        const double level = kRestoreLevels[i];
        if (m.min_service >= level - kTol) {
            m.time_to_restore_h[i] = 0.0;
            continue;
        }
        if (q[n - 1] < level - kTol)
            continue; // not restored within the horizon
        std::size_t k = n - 1;
        while (k > 0 && q[k - 1] >= level - kTol)
            --k;
        m.time_to_restore_h[i] = static_cast<double>(k) * dt_h;
    }
    return m;
}

Stat percentile_sorted(const std::vector<double>& x, double p) {
    if (x.empty())
        return {};
    const double h = static_cast<double>(x.size() - 1) * p;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const double frac = h - static_cast<double>(lo);
    double v = x[lo];
    if (frac > 0 && lo + 1 < x.size())
        v = x[lo] + frac * (x[lo + 1] - x[lo]);
    if (!std::isfinite(v))
        return {};
    return {v, true};
}

Stats compute_stats(std::vector<double> values) {
    Stats s;
    if (values.empty())
        return s;
    for (auto& v : values)
        if (std::isnan(v))
            v = std::numeric_limits<double>::infinity();
    std::sort(values.begin(), values.end());
    const bool all_finite = std::isfinite(values.back());
    if (all_finite) {
        // Sum in index order of the sorted values: independent of the order realizations ran.
        const double sum = std::accumulate(values.begin(), values.end(), 0.0);
        s.mean = {sum / static_cast<double>(values.size()), true};
        s.max = {values.back(), true};
    }
    if (std::isfinite(values.front()))
        s.min = {values.front(), true};
    s.p10 = percentile_sorted(values, 0.10);
    s.p50 = percentile_sorted(values, 0.50);
    s.p90 = percentile_sorted(values, 0.90);
    return s;
}

std::vector<ExceedancePoint> exceedance_curve(std::vector<double> values) {
    std::sort(values.begin(), values.end(), std::greater<>());
    std::vector<ExceedancePoint> out;
    const double n = static_cast<double>(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out.push_back({values[i], static_cast<double>(i + 1) / n});
    return out;
}

} // namespace rencheng::sim
