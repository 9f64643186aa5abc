// Tests of the ground-motion models, Vs30 fields, variability sampling and ShakeMap grids.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hazard/earthquake.hpp"

namespace rencheng::hazard {
namespace {

std::string data(const std::string& name) {
    return std::string(RENCHENG_SOURCE_DIR) + "/tests/hazard/data/shakemap/" + name;
}

// MODELS.md §7: M6.5 strike-slip, Rjb = 10 km: PGA 0.190 g on rock (760 m/s), 0.225 g at
// Vs30 400 m/s, PGV 18.7 cm/s at 400 m/s.
TEST(Ba08, WorkedExample) {
    const auto ss = FaultMechanism::kStrikeSlip;
    EXPECT_NEAR(ba08_median(Ba08Measure::kPga, 6.5, 10.0, 760.0, ss), 0.190, 0.0005);
    EXPECT_NEAR(ba08_median(Ba08Measure::kPga, 6.5, 10.0, 400.0, ss), 0.225, 0.0005);
    EXPECT_NEAR(ba08_median(Ba08Measure::kPgv, 6.5, 10.0, 400.0, ss), 18.7, 0.05);
}

TEST(Ba08, SpectralAccelerationAtOneSecond) {
    // Values from an independent evaluation (Python) of eqs. 1–13 with the T = 1.0 s row of
    // BA08 Tables 3, 6–8: rock 0.1253 g, Vs30 400 → 0.1964 g, Vs30 250 → 0.2467 g.
    const auto ss = FaultMechanism::kStrikeSlip;
    EXPECT_NEAR(ba08_median(Ba08Measure::kSa10, 6.5, 10.0, 760.0, ss), 0.12530, 0.00005);
    EXPECT_NEAR(ba08_median(Ba08Measure::kSa10, 6.5, 10.0, 400.0, ss), 0.19637, 0.00005);
    EXPECT_NEAR(ba08_median(Ba08Measure::kSa10, 6.5, 10.0, 250.0, ss), 0.24667, 0.00005);
    const auto& c = ba08_coefficients(Ba08Measure::kSa10);
    EXPECT_DOUBLE_EQ(c.sigma, 0.573);
    EXPECT_DOUBLE_EQ(c.tau, 0.302);
}

TEST(Ba08, ScalingIsPhysical) {
    const auto u = FaultMechanism::kUnspecified;
    // Decays with distance, grows with magnitude, for every measure.
    for (auto m : {Ba08Measure::kPga, Ba08Measure::kPgv, Ba08Measure::kSa10}) {
        double last = 1e9;
        for (double r : {0.0, 5.0, 20.0, 50.0, 100.0, 200.0}) {
            const double y = ba08_median(m, 6.5, r, 760.0, u);
            EXPECT_LT(y, last);
            last = y;
        }
        EXPECT_GT(ba08_median(m, 7.0, 20.0, 760.0, u), ba08_median(m, 6.0, 20.0, 760.0, u));
    }
    // Nonlinear soil: near a large event soft soil amplifies PGA less than weak motion would.
    const double near_ratio = ba08_median(Ba08Measure::kPga, 7.5, 0.0, 200.0, u) /
                              ba08_median(Ba08Measure::kPga, 7.5, 0.0, 760.0, u);
    const double far_ratio = ba08_median(Ba08Measure::kPga, 7.5, 150.0, 200.0, u) /
                             ba08_median(Ba08Measure::kPga, 7.5, 150.0, 760.0, u);
    EXPECT_LT(near_ratio, far_ratio);
    // Reverse faults shake harder than normal ones (e4 > e3).
    EXPECT_GT(ba08_median(Ba08Measure::kPga, 6.5, 10, 760, FaultMechanism::kReverse),
              ba08_median(Ba08Measure::kPga, 6.5, 10, 760, FaultMechanism::kNormal));
}

// MODELS.md §7: Yu & Jin 2008, M6.5, R = 20 km: 20.6 (rock) and 27.1 (soil) cm/s.
TEST(YuJin2008, WorkedExample) {
    EXPECT_NEAR(yu_jin_2008_pgv_cm_s(6.5, 20.0, ChinaSiteClass::kRock), 20.6, 0.05);
    EXPECT_NEAR(yu_jin_2008_pgv_cm_s(6.5, 20.0, ChinaSiteClass::kSoil), 27.1, 0.05);
}

TEST(Vs30Field, UniformAndGridInterpolation) {
    EXPECT_EQ(Vs30Field::uniform(400).at({1, 2}), 400.0);
    EXPECT_THROW(Vs30Field::uniform(0), Error);
    const auto g = Vs30Field::grid(120.0, 30.0, 0.1, 0.1, 2, 2, {200, 400, 600, 800});
    EXPECT_NEAR(g.at({120.0, 30.0}), 200, 1e-9);
    EXPECT_NEAR(g.at({120.1, 30.1}), 800, 1e-9);
    EXPECT_NEAR(g.at({120.05, 30.05}), 500, 1e-9);
    EXPECT_NEAR(g.at({119.0, 29.0}), 200, 1e-9); // clamped to the edge
    EXPECT_THROW(Vs30Field::grid(120, 30, 0.1, 0.1, 2, 2, {200, 400, 600}), Error);

    Diagnostics d;
    const auto f = Vs30Field::parse_csv(
        "lon,lat,vs30_m_s\n120.1,30.1,800\n120,30,200\n120.1,30,400\n120,30.1,600\n", "v.csv", d);
    ASSERT_TRUE(f) << d.format();
    EXPECT_NEAR(f->at({120.05, 30.05}), 500, 1e-9);
    Diagnostics bad;
    EXPECT_FALSE(Vs30Field::parse_csv("lon,lat,vs30_m_s\n120,30,200\n120.1,30,-1\n", "v.csv", bad));
    ASSERT_TRUE(bad.has_errors());
    EXPECT_EQ(bad.items().front().line, 3);
    Diagnostics missing;
    EXPECT_FALSE(Vs30Field::parse_csv("lon,lat,vs30_m_s\n120,30,200\n120.1,30,300\n120,30.1,3\n",
                                      "v.csv", missing));
    EXPECT_TRUE(missing.has_errors());
}

TEST(EarthquakeField, MedianUsesEpicentralDistanceAndSiteVs30) {
    const Earthquake eq{6.5, {116.0, 40.0}, 10.0, FaultMechanism::kStrikeSlip};
    const EarthquakeField f(eq, Vs30Field::uniform(400.0));
    // A site 10 km due north.
    const LonLat site{116.0, 40.0 + 10.0 / 111.19493};
    EXPECT_NEAR(f.distance_km(site), 10.0, 1e-3);
    const GroundMotion g = f.median_at(site);
    EXPECT_NEAR(g.pga_g, 0.225, 0.0005);
    EXPECT_NEAR(g.pgv_cm_s, 18.7, 0.05);
    EXPECT_NEAR(g.sa10_g, 0.19637, 0.0001);

    EarthquakeOptions china;
    china.model = GroundMotionModel::kYuJin2008Pgv;
    const EarthquakeField fc(eq, Vs30Field::uniform(400.0), china);
    const LonLat site20{116.0, 40.0 + 20.0 / 111.19493};
    EXPECT_NEAR(fc.median_at(site20).pgv_cm_s, 27.1, 0.05); // soil: Vs30 400 < 500
    const EarthquakeField fr(eq, Vs30Field::uniform(760.0), china);
    EXPECT_NEAR(fr.median_at(site20).pgv_cm_s, 20.6, 0.05);
    EXPECT_THROW(EarthquakeField({11.0, {}, 10, {}}, Vs30Field::uniform(400)), Error);
}

std::vector<LonLat> ring_of_sites(int n) {
    std::vector<LonLat> sites;
    for (int k = 0; k < n; ++k)
        sites.push_back({116.0 + 0.002 * (k % 10), 40.1 + 0.002 * (k / 10)});
    return sites;
}

TEST(EarthquakeField, SamplingIsDeterministicAndHasTheModelsScatter) {
    const Earthquake eq{6.5, {116.0, 40.0}, 10.0, FaultMechanism::kStrikeSlip};
    const EarthquakeField f(eq, Vs30Field::uniform(400.0));
    const auto sites = ring_of_sites(50);
    RngStream a(42, 7, 3), b(42, 7, 3);
    const auto ga = f.sample(sites, a);
    const auto gb = f.sample(sites, b);
    for (std::size_t s = 0; s < sites.size(); ++s)
        EXPECT_EQ(ga[s].pga_g, gb[s].pga_g);

    // Over many realizations ln(PGA/median) has mean ≈ 0 and sd ≈ √(σ² + τ²) (truncated at
    // 3 sd, which shrinks the sd by about 1.3 %).
    const auto& c = ba08_coefficients(Ba08Measure::kPga);
    const double median = f.median_at(sites[0]).pga_g;
    double sum = 0, sum2 = 0;
    const int n = 4000;
    for (int r = 0; r < n; ++r) {
        RngStream rng(1, static_cast<std::uint32_t>(r), 0);
        const double x = std::log(f.sample({sites[0]}, rng)[0].pga_g / median);
        sum += x;
        sum2 += x * x;
    }
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 0.03);
    EXPECT_NEAR(sd, c.sigma_total * 0.987, 0.025);

    EarthquakeOptions none;
    none.variability = false;
    const EarthquakeField fm(eq, Vs30Field::uniform(400.0), none);
    RngStream r(1, 0, 0);
    EXPECT_EQ(fm.sample({sites[0]}, r)[0].pga_g, median);
}

TEST(EarthquakeField, CorrelatedWithinEventResidualsFollowTheExponentialModel) {
    const Earthquake eq{6.5, {116.0, 40.0}, 10.0, FaultMechanism::kStrikeSlip};
    EarthquakeOptions opt;
    opt.correlation = WithinEventCorrelation::kExponential;
    opt.correlation_range_km = 20.0;
    opt.truncation_sd = 0.0;
    const EarthquakeField f(eq, Vs30Field::uniform(760.0), opt);
    // Two sites 5 km apart at equal distance from the epicentre: ρ = exp(−3·5/20) = 0.472.
    const std::vector<LonLat> sites{{116.0 - 2.5 / 85.2, 40.2}, {116.0 + 2.5 / 85.2, 40.2}};
    const auto med = f.median_at(sites[0]);
    const auto& c = ba08_coefficients(Ba08Measure::kPga);
    const int n = 6000;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int r = 0; r < n; ++r) {
        RngStream rng(9, static_cast<std::uint32_t>(r), 1);
        const auto g = f.sample(sites, rng);
        const double x = std::log(g[0].pga_g / med.pga_g), y = std::log(g[1].pga_g / med.pga_g);
        sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
    }
    const double cov = sxy / n - sx / n * sy / n;
    const double vx = sxx / n - sx / n * sx / n, vy = syy / n - sy / n * sy / n;
    // Total correlation = (τ² + σ²ρ)/(τ² + σ²).
    const double rho = std::exp(-3.0 * 5.0 / 20.0);
    const double expected =
        (c.tau * c.tau + c.sigma * c.sigma * rho) / (c.tau * c.tau + c.sigma * c.sigma);
    EXPECT_NEAR(cov / std::sqrt(vx * vy), expected, 0.03);

    opt.max_correlated_sites = 1;
    const EarthquakeField small(eq, Vs30Field::uniform(760.0), opt);
    RngStream rng(1, 0, 0);
    EXPECT_THROW((void)small.sample(sites, rng), Error);
}

TEST(ShakeMap, SyntheticGridValuesAndBilinearInterpolation) {
    Diagnostics d;
    const auto g = ShakeMapGrid::read(data("test_shakegrid.xml"), d);
    ASSERT_TRUE(g) << d.format();
    EXPECT_EQ(g->nlon(), 2);
    EXPECT_EQ(g->event_id(), "test");
    EXPECT_DOUBLE_EQ(g->event().magnitude, 6.0);
    // Rows: (0.5,0.5) PGV 50 PGA 24; (0.5,1.5) 73 72; (1.5,0.5) 32 54; (1.5,1.5) 84 11.
    EXPECT_DOUBLE_EQ(*g->value("PGA", {0.5, 1.5}), 72.0);
    EXPECT_DOUBLE_EQ(*g->value("pgv", {1.5, 0.5}), 32.0);
    const auto m = g->at({1.0, 1.0});
    ASSERT_TRUE(m);
    EXPECT_NEAR(m->pga_g, (24 + 72 + 54 + 11) / 400.0, 1e-12);
    EXPECT_NEAR(m->pgv_cm_s, (50 + 73 + 32 + 84) / 4.0, 1e-12);
    EXPECT_EQ(m->sa10_g, 0.0); // no PSA10 in this grid
    // A quarter of the way along longitude at the southern edge.
    EXPECT_NEAR(*g->value("PGA", {0.75, 0.5}), 24 + 0.25 * (54 - 24), 1e-12);
    EXPECT_FALSE(g->at({2.0, 1.0}));
    EXPECT_FALSE(g->value("MMI", {1.0, 1.0}));
}

TEST(ShakeMap, LomaPrietaGridPoints) {
    Diagnostics d;
    const auto g = ShakeMapGrid::read(data("loma_prieta_grid.xml"), d);
    ASSERT_TRUE(g) << d.format();
    EXPECT_EQ(g->nlon(), 49);
    EXPECT_EQ(g->nlat(), 29);
    EXPECT_DOUBLE_EQ(g->event().magnitude, 6.9);
    EXPECT_DOUBLE_EQ(g->event().epicentre.lon, -121.88);
    // First data row: -122.5 37.2 PGA 18.09 PGV 12.66 … PSA10 16.32.
    auto m = g->at({-122.5, 37.2});
    ASSERT_TRUE(m);
    EXPECT_NEAR(m->pga_g, 0.1809, 1e-12);
    EXPECT_NEAR(m->pgv_cm_s, 12.66, 1e-12);
    EXPECT_NEAR(m->sa10_g, 0.1632, 1e-12);
    // Last row: -121.3 36.5 PGA 8.46 PGV 5.68 PSA10 9.646.
    m = g->at({-121.3, 36.5});
    ASSERT_TRUE(m);
    EXPECT_NEAR(m->pga_g, 0.0846, 1e-12);
    EXPECT_NEAR(m->sa10_g, 0.09646, 1e-12);
    // Midway between the first two nodes of the first row (PGA 18.09 and 19.11).
    EXPECT_NEAR(*g->value("PGA", {-122.4875, 37.2}), (18.09 + 19.11) / 2, 1e-9);
    EXPECT_NEAR(*g->value("SVEL", {-122.5, 37.2}), 600.0, 1e-12);
    // Reading from the shared reference folder too, when it is there.
    const char* ref = std::getenv("RENCHENG_REFERENCE_DATA");
    const std::string shared =
        (ref ? std::string(ref) : std::string(RENCHENG_SOURCE_DIR) + "/../shared/data") +
        "/seismic/groundfailure/tests/data/loma_prieta/grid.xml";
    if (std::filesystem::exists(shared)) {
        Diagnostics d2;
        const auto g2 = ShakeMapGrid::read(shared, d2);
        ASSERT_TRUE(g2) << d2.format();
        EXPECT_EQ(g2->at({-122.0, 37.0})->pga_g, g->at({-122.0, 37.0})->pga_g);
    }
}

TEST(ShakeMap, BadGridsAreReportedWithLine) {
    const std::string head =
        "<shakemap_grid>\n<event event_id=\"x\" magnitude=\"6\"/>\n"
        "<grid_specification lon_min=\"0\" lat_min=\"0\" lon_max=\"1\" lat_max=\"1\" nlon=\"2\" "
        "nlat=\"2\"/>\n<grid_field index=\"1\" name=\"LON\"/>\n<grid_field index=\"2\" "
        "name=\"LAT\"/>\n<grid_field index=\"3\" name=\"PGA\"/>\n<grid_data>\n";
    struct Case {
        std::string text;
        int line;
        const char* words;
    };
    for (const Case& c : {
             Case{head + "0 0 1\n0 1 2\n1 0 3\n1 1 4\n</grid_data>\n</shakemap_grid>", 0, ""},
             Case{head + "0 0 1\n0 1 2\n1 0 x\n1 1 4\n</grid_data>", 10, "not a number"},
             Case{head + "0 0 100.5\n0 1 200.5\n1 0 300.5\n</grid_data>", 11, "3 rows"},
             Case{head + "0 0 1\n</grid_data>", 9, "too short"},
             Case{head + "0 0 1\n0 1 2\n1 0 3 9\n1 1 4\n</grid_data>", 10, "values on the row"},
             Case{head + "0 0 1\n0 0 2\n1 0 3\n1 1 4\n</grid_data>", 9, "twice"},
             Case{head + "0 0 1\n0 1 2\n1 0 3\n5 1 4\n</grid_data>", 11, "not a node"},
             Case{"<shakemap_grid>\n<grid_specification lon_min=\"0\"/>", 2, "lat_min"},
             Case{"<html></html>", 1, "shakemap_grid"},
             Case{head, 1, "grid_data"},
         }) {
        Diagnostics d;
        const auto g = ShakeMapGrid::parse(c.text, "grid.xml", d);
        if (c.line == 0) {
            EXPECT_TRUE(g) << d.format();
            continue;
        }
        EXPECT_FALSE(g) << c.text;
        ASSERT_TRUE(d.has_errors()) << c.text;
        EXPECT_EQ(d.items().front().file, "grid.xml");
        EXPECT_EQ(d.items().front().line, c.line) << d.format();
        EXPECT_NE(d.items().front().message.find(c.words), std::string::npos) << d.format();
    }
}

} // namespace
} // namespace rencheng::hazard
