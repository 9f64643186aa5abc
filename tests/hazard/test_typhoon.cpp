// Tests of the typhoon hazard beyond the profile: where the Holland wind peaks, symmetry without
// translation, the sign of the asymmetry in both hemispheres, peak wind per site, closest
// approach, the storm-surge hydrograph and series CSV, and supports failing in series.
#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.hpp"
#include "hazard/typhoon.hpp"

namespace rencheng::hazard {
namespace {

constexpr double kKmPerDegree = 111.19493; // mean-radius sphere, as haversine_m

// The radius where Vg(r) is largest, scanned every 10 m from 1 to 200 km.
double radius_of_peak_km(double dp_pa, double b, double rmw_km, double lat_deg) {
    double best_r = 0.0, best_v = -1.0;
    for (int i = 100; i <= 20000; ++i) {
        const double r = 0.01 * i;
        const double v = holland_gradient_wind_ms(dp_pa, b, rmw_km, r, lat_deg);
        if (v > best_v) {
            best_v = v;
            best_r = r;
        }
    }
    return best_r;
}

TEST(TyphoonProfile, GradientWindPeaksAtTheRadiusOfMaximumWind) {
    // Without Coriolis the cyclostrophic Holland profile peaks exactly at Rm, for any B.
    for (const double b : {0.9, 1.3, 1.8, 2.4})
        for (const double rm : {15.0, 30.0, 60.0})
            EXPECT_NEAR(radius_of_peak_km(8500.0, b, rm, 0.0), rm, 0.011) << b << " " << rm;
    // Coriolis moves the peak slightly inward: within 2 % of Rm at 30° for a super typhoon.
    const double r30 = radius_of_peak_km(8500.0, 1.32, 30.0, 30.0);
    EXPECT_LE(r30, 30.0 + 1e-9);
    EXPECT_GT(r30, 29.4);
}

TyphoonTrack track_north(double lat0, double lat1, double pc = 925.0) {
    // 12 h from lat0 to lat1 along 114.3 E
    return TyphoonTrack({{0, {114.3, lat0}, pc, 30.0, 1010.0, {}},
                         {12 * 3600, {114.3, lat1}, pc, 30.0, 1010.0, {}}});
}

TEST(TyphoonProfile, SymmetricWithoutTranslationOrAsymmetry) {
    // A storm that does not move (one fix) with asymmetry on, and a moving one with it off: the
    // wind is the same east and west, north and south, at equal distance.
    TyphoonWindOptions on;
    on.asymmetry = true;
    const TyphoonWindField still(TyphoonTrack({{0, {114.3, 25.0}, 925.0, 30.0, 1010.0, {}}}), on);
    const TyphoonWindField moving(track_north(24.0, 26.0));
    const double dlat = 40.0 / kKmPerDegree;
    const double dlon = 40.0 / (kKmPerDegree * std::cos(25.0 * M_PI / 180.0));
    const LonLat e{114.3 + dlon, 25.0}, w{114.3 - dlon, 25.0};
    const LonLat n{114.3, 25.0 + dlat}, s{114.3, 25.0 - dlat};
    EXPECT_GT(still.sustained_10m_ms(e, 0), 20.0);
    EXPECT_NEAR(still.sustained_10m_ms(e, 0), still.sustained_10m_ms(w, 0), 1e-9);
    EXPECT_NEAR(moving.sustained_10m_ms(e, 6 * 3600), moving.sustained_10m_ms(w, 6 * 3600), 1e-9);
    // North and south: the profile at each one's own great-circle distance.
    for (const LonLat p : {n, s})
        EXPECT_NEAR(still.gradient_ms(p, 0),
                    holland_gradient_wind_ms(8500.0, holland_b_vickery_wadhera(30.0, 25.0), 30.0,
                                             haversine_m({114.3, 25.0}, p) / 1000.0, 25.0),
                    1e-9);
}

TEST(TyphoonProfile, AsymmetrySignInBothHemispheres) {
    TyphoonWindOptions on;
    on.asymmetry = true;
    const double dlon = 40.0 / (kKmPerDegree * std::cos(25.0 * M_PI / 180.0));
    // Northern hemisphere, moving north: the east (right-hand) side is stronger.
    const TyphoonWindField nh(track_north(24.0, 26.0), on);
    EXPECT_GT(nh.sustained_10m_ms({114.3 + dlon, 25.0}, 6 * 3600),
              nh.sustained_10m_ms({114.3 - dlon, 25.0}, 6 * 3600) + 1.0);
    // Moving south: the west side is now on the right and stronger.
    const TyphoonWindField south(track_north(26.0, 24.0), on);
    EXPECT_GT(south.sustained_10m_ms({114.3 - dlon, 25.0}, 6 * 3600),
              south.sustained_10m_ms({114.3 + dlon, 25.0}, 6 * 3600) + 1.0);
    // Southern hemisphere (clockwise), moving north: the west (left-hand) side is stronger.
    const TyphoonWindField sh(track_north(-26.0, -24.0), on);
    EXPECT_GT(sh.sustained_10m_ms({114.3 - dlon, -25.0}, 6 * 3600),
              sh.sustained_10m_ms({114.3 + dlon, -25.0}, 6 * 3600) + 1.0);
}

TEST(TyphoonPeak, PeakWindAndClosestApproach) {
    const TyphoonWindField f(track_north(24.0, 26.0));
    // A site 30 km east of the path at 25 N: the centre passes at 6 h, the wind peaks as the
    // eye wall (Rm = 30 km) crosses it, i.e. when the centre is about level with the site (a few
    // minutes earlier: the Coriolis term grows as the storm moves north).
    const double dlon = 30.0 / (kKmPerDegree * std::cos(25.0 * M_PI / 180.0));
    const LonLat site{114.3 + dlon, 25.0};
    const PeakWind p = peak_wind(f, site, 60);
    EXPECT_NEAR(static_cast<double>(p.time_s), 6 * 3600.0, 900.0);
    EXPECT_NEAR(p.gust_ms, 1.5 * p.sustained_ms, 1e-9);
    EXPECT_NEAR(p.gust_ms, f.gust_10m_ms(site, p.time_s), 1e-12);
    EXPECT_NEAR(p.gust_ms, f.gust_10m_ms(site, 6 * 3600), 1e-4 * p.gust_ms);
    // No sample of a finer scan is higher than the peak by more than sampling can explain.
    for (std::int64_t t = 0; t <= 12 * 3600; t += 10)
        EXPECT_LE(f.gust_10m_ms(site, t), p.gust_ms + 1e-3) << t;
    const ClosestApproach c = closest_approach(f.track(), site, 60);
    EXPECT_EQ(c.time_s, 6 * 3600);
    EXPECT_NEAR(c.distance_km, 30.0, 0.05);
    EXPECT_THROW(peak_wind(f, site, 0), Error);
}

TEST(StormSurge, RaisedCosineHydrograph) {
    const SurgeHydrograph h{2.5, 10 * 3600, 12 * 3600};
    EXPECT_DOUBLE_EQ(h.height_m(10 * 3600), 2.5);
    EXPECT_NEAR(h.height_m(7 * 3600), 1.25, 1e-12); // D/4 before: cos²(π/4) = 1/2
    EXPECT_NEAR(h.height_m(13 * 3600), 1.25, 1e-12);
    EXPECT_EQ(h.height_m(4 * 3600), 0.0); // D/2 before
    EXPECT_EQ(h.height_m(17 * 3600), 0.0);
    EXPECT_EQ(h.height_m(0), 0.0);
}

TEST(StormSurge, SeriesCsvAndItsErrors) {
    Diagnostics d;
    const auto s = parse_surge_csv("time_h,surge_m\n0,0\n6,2.0\n12,0.5\n", "s.csv", d);
    ASSERT_TRUE(s) << d.format();
    EXPECT_FALSE(s->absolute);
    EXPECT_EQ(s->time_s[1], 6 * 3600);
    EXPECT_NEAR(s->at(3 * 3600), 1.0, 1e-12);
    EXPECT_NEAR(s->at(9 * 3600), 1.25, 1e-12);
    EXPECT_EQ(s->at(24 * 3600), 0.5); // ends held
    Diagnostics d2;
    const auto abs = parse_surge_csv("time_s,stage_m\n0,3.1\n3600,4.2\n", "a.csv", d2);
    ASSERT_TRUE(abs);
    EXPECT_TRUE(abs->absolute);
    Diagnostics d3;
    EXPECT_FALSE(parse_surge_csv("time_h,surge_m\n0,0\n2,x\n3,1\n1,1\n", "bad.csv", d3));
    EXPECT_NE(d3.format().find("bad.csv:3"), std::string::npos) << d3.format(); // x
    EXPECT_NE(d3.format().find("bad.csv:5"), std::string::npos) << d3.format(); // time back
    Diagnostics d4;
    EXPECT_FALSE(parse_surge_csv("time_h,time_s,surge_m\n0,0,0\n", "two.csv", d4));
    EXPECT_NE(d4.format().find("time_h or time_s"), std::string::npos) << d4.format();
}

TEST(WindSupports, SeriesProbabilityAndSampledCounts) {
    EXPECT_EQ(series_failure_probability(0.1, 0), 0.0);
    EXPECT_NEAR(series_failure_probability(0.1, 1), 0.1, 1e-15);
    EXPECT_NEAR(series_failure_probability(0.1, 10), 1.0 - std::pow(0.9, 10), 1e-14);
    EXPECT_NEAR(series_failure_probability(1e-12, 40), 4e-11, 1e-20); // no cancellation
    EXPECT_EQ(series_failure_probability(1.0, 5), 1.0);
    EXPECT_EQ(sample_failed_supports(1.0, 7, 0.3, 0.9), 7);
    EXPECT_EQ(sample_failed_supports(0.2, 7, 0.99, 0.5), 0); // u_any above P(any)
    // Frequencies: P(K >= 1) and E[K] = n p over 200,000 draws (4 σ bounds).
    const double p = 0.07;
    const int n = 30, draws = 200000;
    RngStream rng(7, 0, 0);
    int any = 0;
    double sum = 0.0;
    for (int i = 0; i < draws; ++i) {
        const double u1 = rng.uniform(), u2 = rng.uniform();
        const int k = sample_failed_supports(p, n, u1, u2);
        ASSERT_GE(k, 0);
        ASSERT_LE(k, n);
        any += k > 0 ? 1 : 0;
        sum += k;
    }
    const double q = series_failure_probability(p, n);
    EXPECT_NEAR(static_cast<double>(any) / draws, q, 4.0 * std::sqrt(q * (1 - q) / draws));
    EXPECT_NEAR(sum / draws, n * p, 4.0 * std::sqrt(n * p * (1 - p) / draws));
}

} // namespace
} // namespace rencheng::hazard
