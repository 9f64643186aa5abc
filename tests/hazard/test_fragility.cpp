// Tests of fragility curves, the built-in library, sampling, pipe repair rates, flood curves and
// the JSON readers (our own form and IN-CORE DFR3).
#include <gtest/gtest.h>

#include <cmath>

#include "hazard/fragility.hpp"

namespace rencheng::hazard {
namespace {

const FragilitySet& built_in(const char* cls, IntensityMeasure m) {
    static const FragilityLibrary lib = FragilityLibrary::built_in();
    const FragilitySet* s = lib.find(cls, m);
    EXPECT_NE(s, nullptr) << cls;
    return *s;
}

// MODELS.md §7 worked examples.
TEST(Fragility, SubstationAndBuildingExamples) {
    const auto& ess1 = built_in("substation.ess1", IntensityMeasure::kPga);
    EXPECT_NEAR(ess1.exceedance(0, 0.3), 0.84, 0.005);
    EXPECT_NEAR(ess1.exceedance(1, 0.3), 0.52, 0.005);
    EXPECT_TRUE(ess1.verified);
    EXPECT_EQ(ess1.states[3].name, "complete");
    const auto& c2l = built_in("building.c2l.moderate_code", IntensityMeasure::kPga);
    EXPECT_NEAR(c2l.exceedance(1, 0.3), 0.50, 1e-12);
    EXPECT_FALSE(built_in("substation.ess5", IntensityMeasure::kPga).verified);
    EXPECT_FALSE(built_in("pumping_plant.anchored", IntensityMeasure::kPga).verified);
    EXPECT_EQ(built_in("bridge.hwb5", IntensityMeasure::kSa10).states[0].median, 0.25);
    EXPECT_EQ(built_in("bridge.hwb5", IntensityMeasure::kSa10).states[0].beta, 0.6);
}

// MODELS.md §8: 31.8 m/s gives P(pole) = 0.19, P(tower) = 0.085.
TEST(Fragility, WindExamples) {
    EXPECT_NEAR(built_in("distribution_pole", IntensityMeasure::kWindGust).exceedance(0, 31.8),
                0.19, 0.005);
    EXPECT_NEAR(built_in("transmission_tower", IntensityMeasure::kWindGust).exceedance(0, 31.8),
                0.085, 0.001);
    for (const char* c :
         {"distribution_line", "pole_transformer", "transmission_line", "substation"})
        EXPECT_EQ(built_in(c, IntensityMeasure::kWindGust).states.size(), 1u) << c;
}

TEST(Fragility, FloodThresholdsAreSteps) {
    const auto& sub = built_in("substation", IntensityMeasure::kFloodDepth);
    EXPECT_EQ(sub.kind, CurveKind::kThreshold);
    EXPECT_EQ(sub.exceedance(0, 0.49), 0.0);
    EXPECT_EQ(sub.exceedance(0, 0.5), 1.0);
    EXPECT_EQ(sub.sample(0.62, 0.999), 1);
    EXPECT_EQ(built_in("road", IntensityMeasure::kFloodDepth).states[0].median, 0.3);
    for (const char* c : {"pump_station", "underpass", "hospital", "telecom_site"})
        EXPECT_GT(built_in(c, IntensityMeasure::kFloodDepth).states[0].median, 0.0) << c;
    // Every built-in set is valid and has a source.
    const FragilityLibrary lib = FragilityLibrary::built_in();
    for (const auto& s : lib.sets()) {
        Diagnostics d;
        EXPECT_TRUE(s.validate(d)) << s.id << "\n" << d.format();
        EXPECT_FALSE(s.source.empty()) << s.id;
    }
}

TEST(Fragility, StateProbabilitiesSumToOneAndSamplingConverges) {
    const auto& ess1 = built_in("substation.ess1", IntensityMeasure::kPga);
    const double im = 0.3;
    const auto p = ess1.state_probabilities(im);
    ASSERT_EQ(p.size(), 5u);
    double sum = 0;
    for (double x : p) {
        EXPECT_GE(x, 0.0);
        sum += x;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    std::vector<int> count(5, 0);
    RngStream rng(2024, 0, 5);
    const int n = 200000;
    for (int k = 0; k < n; ++k)
        ++count[static_cast<std::size_t>(ess1.sample(im, rng.uniform()))];
    // Binomial standard error ≤ √(0.25/n) = 0.0011; allow 5 of them.
    for (std::size_t k = 0; k < 5; ++k)
        EXPECT_NEAR(count[k] / double(n), p[k], 0.0056) << "state " << k;
    EXPECT_EQ(ess1.sample(0.0, 0.0), 0);
    EXPECT_EQ(ess1.sample(100.0, 0.999), 4);
}

TEST(Fragility, CrossingCurvesAreMadeMonotone) {
    // A severe state with a wide β would exceed a milder one at low IM; capping keeps the order.
    FragilitySet s{"x",
                   "x",
                   IntensityMeasure::kPga,
                   CurveKind::kLognormal,
                   {{"a", 0.3, 0.3}, {"b", 0.4, 1.5}},
                   "test",
                   false,
                   ""};
    EXPECT_GT(s.exceedance(1, 0.05), s.exceedance(0, 0.05));
    const auto e = s.exceedances(0.05);
    EXPECT_EQ(e[1], e[0]);
    for (double x : s.state_probabilities(0.05))
        EXPECT_GE(x, 0.0);
}

TEST(Fragility, LibraryOverridesAndLookups) {
    FragilityLibrary lib = FragilityLibrary::built_in();
    const std::size_t n = lib.sets().size();
    FragilitySet mine{"user.ess1",
                      "Substation.ESS1",
                      IntensityMeasure::kPga,
                      CurveKind::kLognormal,
                      {{"failed", 0.5, 0.4}},
                      "me",
                      false,
                      ""};
    lib.add(mine);
    EXPECT_EQ(lib.sets().size(), n + 1);
    EXPECT_EQ(lib.find("substation.ess1", IntensityMeasure::kPga)->id, "user.ess1");
    mine.states[0].median = 0.6;
    lib.add(mine); // same id: replaces
    EXPECT_EQ(lib.sets().size(), n + 1);
    EXPECT_EQ(lib.find_id("user.ess1")->states[0].median, 0.6);
    EXPECT_EQ(lib.find("substation.ess1", IntensityMeasure::kPgv), nullptr);
    EXPECT_EQ(lib.find_id("none"), nullptr);
}

TEST(Fragility, MeasureNames) {
    for (auto m : {IntensityMeasure::kPga, IntensityMeasure::kPgv, IntensityMeasure::kSa10,
                   IntensityMeasure::kWindGust, IntensityMeasure::kFloodDepth,
                   IntensityMeasure::kWindSustained})
        EXPECT_EQ(parse_intensity_measure(intensity_measure_name(m)), m);
    EXPECT_EQ(parse_intensity_measure("PGA"), IntensityMeasure::kPga);
    EXPECT_EQ(parse_intensity_measure("1.0 SA"), IntensityMeasure::kSa10);
    EXPECT_EQ(parse_intensity_measure("inundationDepth"), IntensityMeasure::kFloodDepth);
    EXPECT_FALSE(parse_intensity_measure("0.3 SA"));
}

// MODELS.md §7: PGV 30 cm/s → HAZUS 0.21/km brittle, 0.063 ductile; ALA (K1 = 1) 0.072/km.
TEST(PipeRepair, RatesOfTheWorkedExample) {
    EXPECT_NEAR(PipeRepairRate{PipeRepairModel::kHazusBrittle}.repairs_per_km(30.0), 0.21, 0.001);
    EXPECT_NEAR(PipeRepairRate{PipeRepairModel::kHazusDuctile}.repairs_per_km(30.0), 0.063, 0.0005);
    EXPECT_NEAR(PipeRepairRate{PipeRepairModel::kAla2001Linear}.repairs_per_km(30.0), 0.072,
                0.0005);
    // Power form: 0.00108·(30/2.54)^1.173 per 1000 ft.
    EXPECT_NEAR(PipeRepairRate{PipeRepairModel::kAla2001Power}.repairs_per_km(30.0),
                0.00108 * std::pow(30 / 2.54, 1.173) / 0.3048, 1e-12);
    PipeRepairRate di{PipeRepairModel::kAla2001Linear, *ala2001_k1("ductile_iron")};
    EXPECT_NEAR(di.repairs_per_km(30.0), 0.036, 0.0005);
    EXPECT_EQ(ala2001_k1("cast_iron_rubber"), 0.8);
    EXPECT_FALSE(ala2001_k1("unobtainium"));
    EXPECT_EQ(PipeRepairRate{}.repairs_per_km(0.0), 0.0);
    EXPECT_EQ(parse_pipe_repair_model("ala2001_power"), PipeRepairModel::kAla2001Power);
}

TEST(PipeRepair, PoissonRepairsAndLeakBreakSplit) {
    // λ = 0.21/km × 20 km = 4.2 repairs; mean and variance of Poisson are λ.
    const PipeRepairRate rate{PipeRepairModel::kHazusBrittle};
    const double lambda = rate.repairs_per_km(30.0) * 20.0;
    double sum = 0, sum2 = 0, leaks = 0, repairs = 0;
    const int n = 40000;
    for (int r = 0; r < n; ++r) {
        RngStream rng(77, static_cast<std::uint32_t>(r), 2);
        const PipeDamage d = sample_pipe_damage(rate, 30.0, 20000.0, rng);
        sum += d.repairs();
        sum2 += double(d.repairs()) * d.repairs();
        leaks += d.leaks;
        repairs += d.repairs();
    }
    const double mean = sum / n;
    EXPECT_NEAR(mean, lambda, 0.04);
    EXPECT_NEAR(sum2 / n - mean * mean, lambda, 0.15);
    EXPECT_NEAR(leaks / repairs, 0.8, 0.01);
    // Large λ (chunked) keeps its mean.
    double big = 0;
    for (int r = 0; r < 2000; ++r) {
        RngStream rng(5, static_cast<std::uint32_t>(r), 0);
        big += sample_poisson(250.0, rng);
    }
    EXPECT_NEAR(big / 2000, 250.0, 1.5);
    RngStream rng(1, 0, 0);
    EXPECT_EQ(sample_poisson(0.0, rng), 0);
}

// MODELS.md §9: JRC global 0.8 m → 0.48; Pregnolato 100 mm → 40.7 km/h, 200 mm → 12.4.
TEST(Flood, DepthDamageAndSpeed) {
    const auto* g = find_depth_damage_curve("jrc.residential.global");
    ASSERT_NE(g, nullptr);
    EXPECT_NEAR(g->damage_fraction_at(0.8), 0.48, 0.005);
    EXPECT_NEAR(g->damage_fraction_at(0.5), 0.37, 1e-12);
    EXPECT_EQ(g->damage_fraction_at(10.0), 1.0);
    EXPECT_EQ(g->damage_fraction_at(0.0), 0.0);
    EXPECT_NEAR(g->damage_fraction_at(0.25), 0.185, 1e-12);
    const auto* e = find_depth_damage_curve("jrc.residential.europe");
    ASSERT_NE(e, nullptr);
    EXPECT_NEAR(e->damage_fraction_at(2.5), 0.675, 1e-12);
    EXPECT_EQ(find_depth_damage_curve("nope"), nullptr);

    EXPECT_NEAR(pregnolato_speed_km_h(0.1), 40.7, 0.05);
    EXPECT_NEAR(pregnolato_speed_km_h(0.2), 12.4, 0.05);
    EXPECT_NEAR(pregnolato_speed_km_h(0.0), 86.9448, 1e-9);
    EXPECT_EQ(pregnolato_speed_km_h(0.3), 0.0);
    EXPECT_EQ(pregnolato_speed_km_h(1.0), 0.0);
}

TEST(FragilityJson, OwnFormRoundTrip) {
    const char* text = R"json({
  "fragility_sets": [
    {"id": "my.pole", "asset_class": "distribution_pole", "measure": "wind_gust_m_s",
     "source": "Shafieezadeh 2014 fit", "verified": false,
     "states": [{"name": "failed", "median": 50.0, "beta": 0.3}]},
    {"id": "my.cabinet", "asset_class": "telecom_site", "measure": "flood_depth_m",
     "kind": "threshold", "states": [{"name": "failed", "threshold": 0.8}]}
  ]
})json";
    FragilityLibrary lib = FragilityLibrary::built_in();
    Diagnostics d;
    EXPECT_EQ(lib.parse_json(text, "mine.json", d), 2u) << d.format();
    EXPECT_FALSE(d.has_errors());
    EXPECT_EQ(lib.find("distribution_pole", IntensityMeasure::kWindGust)->id, "my.pole");
    EXPECT_EQ(lib.find("telecom_site", IntensityMeasure::kFloodDepth)->states[0].median, 0.8);
    EXPECT_EQ(lib.find("telecom_site", IntensityMeasure::kFloodDepth)->kind, CurveKind::kThreshold);
}

struct BadCase {
    std::string text;
    int line;
    const char* words;
};

void expect_error(const std::vector<FragilitySet>& sets, const Diagnostics& d, const BadCase& c) {
    EXPECT_TRUE(sets.empty()) << c.text;
    ASSERT_TRUE(d.has_errors()) << c.text;
    const auto& e = d.items().front();
    EXPECT_EQ(e.file, "f.json");
    EXPECT_EQ(e.line, c.line) << d.format();
    EXPECT_NE(e.message.find(c.words), std::string::npos) << d.format();
}

TEST(FragilityJson, OwnFormErrorsNameFileLineAndField) {
    const std::string head = "{\"fragility_sets\": [\n";
    for (const BadCase& c : {
             BadCase{head + "{\"id\": \"a\", \"asset_class\": \"x\", \"measure\": \"pga_g\",\n"
                            "\"states\": [\n{\"name\": \"s\", \"median\": -1, \"beta\": 0.5}]}]}",
                     2, "median must be > 0"},
             BadCase{head +
                         "{\"id\": \"a\", \"asset_class\": \"x\", \"measure\": \"pga\",\n"
                         "\"states\": [\n{\"name\": \"s\", \"median\": \"1\", \"beta\": 0.5}]}]}",
                     4, "fragility_sets[0].states[0].median"},
             BadCase{head + "{\"id\": \"a\", \"asset_class\": \"x\",\n\"measure\": \"mmi\",\n"
                            "\"states\": [{\"name\": \"s\", \"median\": 1, \"beta\": 0.5}]}]}",
                     3, "fragility_sets[0].measure"},
             BadCase{head + "{\"id\": \"a\", \"measure\": \"pga\",\n"
                            "\"states\": [{\"name\": \"s\", \"median\": 1, \"beta\": 0.5}]}]}",
                     2, "fragility_sets[0].asset_class"},
             BadCase{head + "{\"id\": \"a\", \"asset_class\": \"x\", \"measure\": \"pga\",\n"
                            "\"colour\": 1,\n"
                            "\"states\": [{\"name\": \"s\", \"median\": 1, \"beta\": 0.5}]}]}",
                     3, "unknown field"},
             BadCase{head + "{\"id\": \"a\", \"asset_class\": \"x\", \"measure\": \"pga\",\n"
                            "\"states\": [{\"name\": \"s\", \"median\": 1, \"beta\": 0.5}]},\n"
                            "{\"id\": \"a\", \"asset_class\": \"y\", \"measure\": \"pga\",\n"
                            "\"states\": [{\"name\": \"s\", \"median\": 1, \"beta\": 0.5}]}]}",
                     4, "also used on line 2"},
             BadCase{"{\"fragility_sets\": [1,\n", 2, ""},
         }) {
        Diagnostics d;
        expect_error(parse_fragility_json(c.text, "f.json", d), d, c);
    }
}

// An IN-CORE DFR3 fragility set in the legacy standard-curve form (the structure of the sets
// IN-CORE serves for HAZUS bridges), and one in the newer "rules" form.
TEST(Dfr3Json, ReadsStandardAndRuleCurvesWithUnits) {
    const char* legacy = R"json({
  "id": "5b47b2d7337d4a36187c61ce",
  "description": "Bridge Class HWB5 (HAZUS)",
  "authors": ["HAZUS"],
  "demandType": "1.0 SA",
  "demandUnits": "g",
  "hazardType": "earthquake",
  "inventoryType": "bridge",
  "fragilityCurves": [
    {"description": "Slight", "alpha": 0.25, "beta": 0.6, "alphaType": "median",
     "curveType": "LogNormal", "className": "StandardFragilityCurve"},
    {"description": "Moderate", "median": 0.35, "beta": 0.6, "curveType": "LogNormal"},
    {"description": "Extensive", "alpha": -0.7985076962177716, "beta": 0.6,
     "alphaType": "lambda", "curveType": "LogNormal"}
  ]
})json";
    Diagnostics d;
    auto sets = parse_dfr3_json(legacy, "hwb5.json", d);
    ASSERT_EQ(sets.size(), 1u) << d.format();
    const auto& s = sets[0];
    EXPECT_EQ(s.asset_class, "5b47b2d7337d4a36187c61ce");
    EXPECT_EQ(s.measure, IntensityMeasure::kSa10);
    ASSERT_EQ(s.states.size(), 3u);
    EXPECT_EQ(s.states[0].name, "Slight");
    EXPECT_DOUBLE_EQ(s.states[1].median, 0.35);
    EXPECT_NEAR(s.states[2].median, 0.45, 1e-12);

    const char* rules = R"json([{
  "id": "tsunami-momentum", "demandTypes": ["PGV"], "demandUnits": ["in/s"],
  "fragilityCurves": [
    {"className": "FragilityCurveRefactored",
     "returnType": {"type": "Limit State", "unit": "", "description": "LS_0"},
     "rules": [{"expression": "scipy.stats.norm.cdf((math.log(PGV) - math.log(10.0))/(0.5))"}]}
  ]}])json";
    sets = parse_dfr3_json(rules, "r.json", d);
    ASSERT_EQ(sets.size(), 1u) << d.format();
    EXPECT_EQ(sets[0].measure, IntensityMeasure::kPgv);
    EXPECT_NEAR(sets[0].states[0].median, 25.4, 1e-12); // 10 in/s in cm/s
    EXPECT_EQ(sets[0].states[0].beta, 0.5);
    EXPECT_NEAR(sets[0].exceedance(0, 25.4), 0.5, 1e-12);

    // The library tells the forms apart.
    FragilityLibrary lib;
    Diagnostics d2;
    EXPECT_EQ(lib.parse_json(legacy, "hwb5.json", d2), 1u);
    EXPECT_NE(lib.find("5b47b2d7337d4a36187c61ce", IntensityMeasure::kSa10), nullptr);
}

TEST(Dfr3Json, BadInputNamesFileLineAndField) {
    auto set = [](const std::string& top, const std::string& curve) {
        return "{\n\"id\": \"s1\",\n" + top +
               "\"fragilityCurves\": [\n{\"description\": \"Slight\", " + curve + "}]}";
    };
    for (const BadCase& c : {
             BadCase{set("\"demandTypes\": [\"PGA\"], \"demandUnits\": [\"g\"],\n",
                         "\"median\": 0.2, \"beta\": \"x\""),
                     5, "fragilityCurves[0].beta"},
             BadCase{set("\"demandTypes\": [\"PGA\"],\n\"demandUnits\": [\"furlong\"],\n",
                         "\"median\": 0.2, \"beta\": 0.5"),
                     4, "demandUnits"},
             BadCase{
                 set("\"demandTypes\": [\"PGA\", \"PGV\"], \"demandUnits\": [\"g\", \"cm/s\"],\n",
                     "\"median\": 0.2, \"beta\": 0.5"),
                 3, "several demand types"},
             BadCase{set("\"demandUnits\": [\"g\"],\n", "\"median\": 0.2, \"beta\": 0.5"), 1,
                     "demandType"},
             BadCase{set("\"demandTypes\": [\"PGA\"], \"demandUnits\": [\"g\"],\n",
                         "\"median\": 0.2, \"beta\": 0.5, \"curveType\": \"Normal\""),
                     5, "curveType"},
             BadCase{
                 set("\"demandTypes\": [\"PGA\"], \"demandUnits\": [\"g\"],\n", "\"beta\": 0.5"), 5,
                 "alpha"},
             BadCase{set("\"demandTypes\": [\"PGA\"], \"demandUnits\": [\"g\"],\n",
                         "\"className\": \"PeriodStandardFragilityCurve\", \"median\": 1, "
                         "\"beta\": 1"),
                     5, "not supported"},
             BadCase{"{\"id\": \"s\", \"demandTypes\": [\"PGA\"], \"demandUnits\": [\"g\"],\n"
                     "\"fragilityCurves\": [{\"returnType\": {\"description\": \"LS_0\"},\n"
                     "\"rules\": [{\"expression\": \"PGA > 0.3\"}]}]}",
                     3, "expression"},
             BadCase{"{\"id\": ", 1, ""},
         }) {
        Diagnostics d;
        expect_error(parse_dfr3_json(c.text, "f.json", d), d, c);
    }
    Diagnostics d;
    FragilityLibrary lib;
    EXPECT_EQ(lib.read_json("/nonexistent/f.json", d), 0u);
    EXPECT_TRUE(d.has_errors());
}

} // namespace
} // namespace rencheng::hazard
