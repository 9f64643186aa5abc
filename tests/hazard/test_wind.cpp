// Tests of the Holland typhoon wind profile, the track and the 10 m wind field.
#include <gtest/gtest.h>

#include <cmath>

#include "hazard/wind.hpp"

namespace rencheng::hazard {
namespace {

// MODELS.md §8: Δp = 50 hPa, B = 1.5, Rm = 30 km, φ = 22°: Vg 48.2 m/s at Rm (31.8 at 10 m) and
// 38.6 m/s at 60 km (23.3 at 10 m).
TEST(Holland, WorkedExample) {
    const double vg_rm = holland_gradient_wind_ms(5000.0, 1.5, 30.0, 30.0, 22.0);
    const double vg_60 = holland_gradient_wind_ms(5000.0, 1.5, 30.0, 60.0, 22.0);
    EXPECT_NEAR(vg_rm, 48.2, 0.05);
    EXPECT_NEAR(vg_60, 38.6, 0.05);
    EXPECT_NEAR(gradient_to_10m_factor(vg_rm) * vg_rm, 31.8, 0.05);
    EXPECT_NEAR(gradient_to_10m_factor(vg_60) * vg_60, 23.3, 0.05);
    // Peak ≈ √(BΔp/(ρe)) when the Coriolis term is small.
    EXPECT_NEAR(holland_gradient_wind_ms(5000.0, 1.5, 30.0, 30.0, 0.0),
                std::sqrt(1.5 * 5000.0 / (kTyphoonAirDensity * std::exp(1.0))), 1e-9);
    EXPECT_EQ(holland_gradient_wind_ms(5000.0, 1.5, 30.0, 0.0, 22.0), 0.0);
}

TEST(Holland, PressureProfileAndB) {
    EXPECT_NEAR(holland_pressure_hpa(950, 60, 1.5, 30, 30), 950 + 60 * std::exp(-1.0), 1e-9);
    EXPECT_NEAR(holland_pressure_hpa(950, 60, 1.5, 30, 1e6), 1010, 1e-3);
    EXPECT_NEAR(holland_b_vickery_wadhera(30.0, 22.0), 1.881 - 0.00557 * 30 - 0.01295 * 22, 1e-12);
    EXPECT_EQ(holland_b_vickery_wadhera(300.0, 60.0), 0.8); // clamped
}

TEST(Holland, GradientToSurfaceFactorPieces) {
    EXPECT_EQ(gradient_to_10m_factor(3.0), 0.81);
    EXPECT_NEAR(gradient_to_10m_factor(10.0), 0.81 - 0.0296, 1e-12);
    EXPECT_NEAR(gradient_to_10m_factor(30.0), 0.77 - 0.1293, 1e-12);
    EXPECT_EQ(gradient_to_10m_factor(60.0), 0.66);
}

TyphoonTrack straight_track() {
    // Northward at 0.1° latitude per hour (≈ 3.09 m/s) along 114° E, Δp 50 hPa, Rm 30 km, B 1.5.
    std::vector<TrackPoint> pts;
    for (int h = 0; h <= 4; ++h)
        pts.push_back({h * 3600, {114.0, 21.8 + 0.1 * h}, 960.0, 30.0, 1010.0, 1.5});
    return TyphoonTrack(pts);
}

TEST(TyphoonWindField, MatchesTheProfileAtTheCentreTime) {
    const TyphoonWindField f(straight_track());
    // At t = 2 h the centre is at 22.0 N; a site 30 km due east.
    const LonLat east{114.0 + 30.0 / (111.19493 * std::cos(22.0 * M_PI / 180)), 22.0};
    EXPECT_NEAR(f.gradient_ms(east, 7200), 48.2, 0.05);
    EXPECT_NEAR(f.sustained_10m_ms(east, 7200), 31.8, 0.05);
    EXPECT_NEAR(f.gust_10m_ms(east, 7200), 1.5 * 31.8, 0.08);
    EXPECT_NEAR(f.pressure_hpa(east, 7200), 960 + 50 * std::exp(-1.0), 0.01);
    // Outside the track's span the storm is absent.
    EXPECT_EQ(f.gust_10m_ms(east, -1), 0.0);
    EXPECT_EQ(f.gust_10m_ms(east, 5 * 3600), 0.0);
    EXPECT_EQ(f.pressure_hpa(east, -1), 1010.0);
    EXPECT_NEAR(f.max_gust_10m_ms(east, 0, 4 * 3600, 600), f.gust_10m_ms(east, 7200), 0.5);
}

TEST(TyphoonWindField, InterpolatesBetweenFixesAndDerivesTranslation) {
    const TyphoonTrack t = straight_track();
    const auto s = t.state_at(5400); // 1.5 h
    ASSERT_TRUE(s);
    EXPECT_NEAR(s->centre.lat, 21.95, 1e-12);
    EXPECT_NEAR(s->dp_hpa, 50.0, 1e-12);
    EXPECT_NEAR(s->translation_north_ms, 0.1 * 111194.93 / 3600.0, 0.01);
    EXPECT_NEAR(s->translation_east_ms, 0.0, 1e-9);
    // The last fix keeps the last segment's translation.
    EXPECT_NEAR(t.state_at(4 * 3600)->translation_north_ms, s->translation_north_ms, 1e-9);
    EXPECT_FALSE(t.state_at(4 * 3600 + 1));
}

TEST(TyphoonWindField, AsymmetryStrengthensTheRightSide) {
    TyphoonWindOptions opt;
    opt.asymmetry = true;
    const TyphoonWindField f(straight_track(), opt);
    const TyphoonWindField sym(straight_track());
    const double dlon = 30.0 / (111.19493 * std::cos(22.0 * M_PI / 180));
    const LonLat east{114.0 + dlon, 22.0}, west{114.0 - dlon, 22.0};
    // Moving north, counter-clockwise winds blow north on the east side (with the motion).
    const double vt = 0.1 * 111194.93 / 3600.0;
    EXPECT_NEAR(f.sustained_10m_ms(east, 7200) - sym.sustained_10m_ms(east, 7200), 0.5 * vt, 0.02);
    EXPECT_NEAR(f.sustained_10m_ms(west, 7200) - sym.sustained_10m_ms(west, 7200), -0.5 * vt, 0.02);
}

TEST(TyphoonTrack, BadTracksAreRefused) {
    EXPECT_THROW(TyphoonTrack({}), Error);
    EXPECT_THROW(
        TyphoonTrack({{0, {114, 22}, 960, 30, 1010, {}}, {0, {114, 22}, 960, 30, 1010, {}}}),
        Error);
    EXPECT_THROW(TyphoonTrack({{0, {114, 22}, 1020, 30, 1010, {}}}), Error);
    EXPECT_THROW(TyphoonTrack({{0, {114, 22}, 960, 0, 1010, {}}}), Error);
    EXPECT_THROW(TyphoonTrack({{0, {114, 22}, 960, 30, 1010, 5.0}}), Error);
    TyphoonWindOptions bad;
    bad.gust_factor = 0.5;
    EXPECT_THROW(TyphoonWindField(straight_track(), bad), Error);
}

TEST(TyphoonTrack, CsvReaderAndItsErrors) {
    Diagnostics d;
    const auto t = TyphoonTrack::parse_csv(
        "time_s,lon,lat,central_pressure_hpa,rmw_km,ambient_pressure_hpa,holland_b\n"
        "0,114.0,21.0,950,35,1008,\n3600,114.1,21.3,945,33,,1.6\n",
        "track.csv", d);
    ASSERT_TRUE(t) << d.format();
    ASSERT_EQ(t->points().size(), 2u);
    EXPECT_EQ(t->points()[0].ambient_pressure_hpa, 1008.0);
    EXPECT_FALSE(t->points()[0].holland_b);
    EXPECT_EQ(t->points()[1].ambient_pressure_hpa, 1010.0);
    EXPECT_EQ(*t->points()[1].holland_b, 1.6);
    // Half-way, with one fix lacking B, Vickery & Wadhera is used.
    EXPECT_NEAR(t->state_at(1800)->holland_b, holland_b_vickery_wadhera(34.0, 21.15), 1e-12);

    struct Case {
        const char* text;
        int line;
        const char* words;
    };
    for (const Case c : {
             Case{"time_s,lon,lat,central_pressure_hpa\n0,1,2,950\n", 1, "rmw_km"},
             Case{"time_s,lon,lat,central_pressure_hpa,rmw_km\n0,114,22,950,x\n", 2, "rmw_km"},
             Case{"time_s,lon,lat,central_pressure_hpa,rmw_km\n0,114,22,1050,30\n", 2,
                  "central pressure"},
             Case{"time_s,lon,lat,central_pressure_hpa,rmw_km\n0,114,22,950,30\n0,114,22,950,30\n",
                  3, "increase"},
             Case{"time_s,lon,lat,central_pressure_hpa,rmw_km\n1.5,114,22,950,30\n", 2, "time_s"},
         }) {
        Diagnostics e;
        EXPECT_FALSE(TyphoonTrack::parse_csv(c.text, "track.csv", e)) << c.text;
        ASSERT_TRUE(e.has_errors());
        EXPECT_EQ(e.items().front().file, "track.csv");
        EXPECT_EQ(e.items().front().line, c.line) << e.format();
        EXPECT_NE(e.items().front().message.find(c.words), std::string::npos) << e.format();
    }
}

} // namespace
} // namespace rencheng::hazard
