// Resilience metrics against MODELS.md §11 and the statistics over realizations.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "sim/metrics.hpp"

namespace rencheng::sim {
namespace {

// Bruneau (2003): a drop to 40 % with linear recovery over 10 days loses 300 %·d. Our curves are
// held constant over each step (left sums), so hourly steps give 300 %·d + half a step's drop.
TEST(Metrics, BruneauTriangle) {
    const int hours = 240;
    std::vector<double> served;
    for (int k = 0; k <= hours + 24; ++k)
        served.push_back(1000.0 * std::min(1.0, 0.4 + 0.6 * k / hours));
    const CurveMetrics m = curve_metrics(served, 1000.0, 3600);
    EXPECT_NEAR(m.resilience_loss_pct_h, 7230.0, 1e-9); // Σ (60 − 60k/240) over k < 240
    EXPECT_NEAR(m.resilience_loss_pct_h / 24.0, 300.0, 300.0 * 0.005); // 300 %·d within 0.5 %
    EXPECT_NEAR(m.population_hours_lost, 72.30 * 1000.0, 1e-6);
    EXPECT_DOUBLE_EQ(m.min_service, 0.4);
    ASSERT_TRUE(m.time_to_restore_h[0] && m.time_to_restore_h[1] && m.time_to_restore_h[2]);
    EXPECT_DOUBLE_EQ(*m.time_to_restore_h[0], 40.0);  // 0.4 + 0.6 k/240 ≥ 0.5 from k = 40
    EXPECT_DOUBLE_EQ(*m.time_to_restore_h[1], 200.0); // ≥ 0.9 from k = 200
    EXPECT_DOUBLE_EQ(*m.time_to_restore_h[2], 240.0);
}

TEST(Metrics, NeverRestoredAndNeverLost) {
    const CurveMetrics lost = curve_metrics(std::vector<double>{100, 20, 30, 60}, 100.0, 1800);
    EXPECT_DOUBLE_EQ(lost.population_hours_lost, (0 + 80 + 70) * 0.5);
    EXPECT_TRUE(lost.time_to_restore_h[0].has_value());
    EXPECT_DOUBLE_EQ(*lost.time_to_restore_h[0], 1.5);
    EXPECT_FALSE(lost.time_to_restore_h[1].has_value());
    const CurveMetrics fine = curve_metrics(std::vector<double>{50, 50}, 50.0, 3600);
    EXPECT_DOUBLE_EQ(fine.population_hours_lost, 0.0);
    EXPECT_DOUBLE_EQ(*fine.time_to_restore_h[2], 0.0);
}

TEST(Metrics, RelapseCountsFromTheLastRecovery) {
    // Restored at 1 h, lost again at 2 h, restored for good at 3 h.
    const CurveMetrics m = curve_metrics(std::vector<double>{0, 10, 0, 10, 10}, 10.0, 3600);
    EXPECT_DOUBLE_EQ(*m.time_to_restore_h[2], 3.0);
}

TEST(Stats, PercentilesType7) {
    const Stats s = compute_stats({4, 1, 3, 2, 5});
    EXPECT_DOUBLE_EQ(s.mean.value, 3.0);
    EXPECT_DOUBLE_EQ(s.p10.value, 1.4);
    EXPECT_DOUBLE_EQ(s.p50.value, 3.0);
    EXPECT_DOUBLE_EQ(s.p90.value, 4.6);
    EXPECT_DOUBLE_EQ(s.min.value, 1.0);
    EXPECT_DOUBLE_EQ(s.max.value, 5.0);
}

TEST(Stats, InfiniteValuesAreUndefinedWhereTheyCount) {
    const double inf = std::numeric_limits<double>::infinity();
    const Stats s = compute_stats({1, 2, 3, 4, inf});
    EXPECT_FALSE(s.mean.defined);
    EXPECT_FALSE(s.max.defined);
    EXPECT_TRUE(s.p50.defined);
    EXPECT_DOUBLE_EQ(s.p50.value, 3.0);
    EXPECT_FALSE(s.p90.defined);
    EXPECT_FALSE(compute_stats({}).mean.defined);
}

TEST(Stats, ExceedanceCurve) {
    const auto e = exceedance_curve({3, 1, 2, 4});
    ASSERT_EQ(e.size(), 4u);
    EXPECT_DOUBLE_EQ(e[0].value, 4);
    EXPECT_DOUBLE_EQ(e[0].probability, 0.25);
    EXPECT_DOUBLE_EQ(e[3].value, 1);
    EXPECT_DOUBLE_EQ(e[3].probability, 1.0);
}

} // namespace
} // namespace rencheng::sim
