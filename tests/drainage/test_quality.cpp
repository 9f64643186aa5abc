// Water quality (drainage/quality.hpp, drainage/quality_routing.hpp): the buildup and washoff
// equations, node mixing, reactors, decay and treatment on cases worked by hand, the readers of
// [POLLUTANTS] … [WASHOFF] and [TREATMENT] and their errors, what a run says it simulates, and
// whole runs against EPA SWMM 5.2.4's Runoff Quality Continuity, Subcatchment Washoff Summary,
// Quality Routing Continuity, Outfall Loading Summary and washoff, node and link concentrations
// (tests/validation/drainage/quality/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/quality.hpp"
#include "drainage/quality_routing.hpp"
#include "drainage/quality_swmm_check.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"
#include "support/replace_once.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;
using rencheng::test::csv_rows;
using rencheng::test::read_gz;
using rencheng::test::replace_once;

namespace {

constexpr double kAcre = 4046.8564224; // m²
constexpr double kSwmmLitresPerM3 = 28.317 / (0.3048 * 0.3048 * 0.3048);

fs::path quality_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "quality";
}

// A small SI model (LPS) with every quality section.
const char* const kModel = R"([OPTIONS]
FLOW_UNITS LPS
START_DATE 06/01/2020
END_DATE 06/02/2020
DRY_DAYS 2
[RAINGAGES]
RG1 INTENSITY 0:05 1.0 TIMESERIES R
[SUBCATCHMENTS]
S1 RG1 J1 1.5 60 120 1.5 400
S2 RG1 J1 2.0 40 150 2.0 300
[SUBAREAS]
S1 0.013 0.15 1.5 5 25 OUTLET
S2 0.013 0.20 2.0 5 25 OUTLET
[INFILTRATION]
S1 75 6 4 7 0
S2 60 5 4 7 0
[JUNCTIONS]
J1 100 2 0 0 0
[OUTFALLS]
O1 97 FREE NO
[CONDUITS]
C1 J1 O1 200 0.013 0 0 0 0
[XSECTIONS]
C1 CIRCULAR 0.6 0 0 0 1
[POLLUTANTS]
TSS MG/L 5 0 0 0 NO * 0 0 0
Zn UG/L 20 0 0 0.1 NO TSS 0.3
FC #/L 0 0 0 0
[LANDUSES]
Residential 1.0 0.6 0.5
Open
[COVERAGES]
S1 Residential 70 Open 30
S2 Residential 100
[LOADINGS]
S2 TSS 20 Zn 0.05
[BUILDUP]
Residential TSS POW 60 12 0.5 AREA
Residential Zn SAT 0.02 0 2 CURB
Residential FC EXT 1e9 1.5 L AREA
Open TSS EXP 30 0.3 0 AREA
[WASHOFF]
Residential TSS EXP 0.08 1.6 60 10
Residential Zn RC 1.2 1.1 40 0
Open TSS EMC 100 0 0 0
[TIMESERIES]
R 06/01/2020 02:00 10
R 06/01/2020 03:00 0
L 06/01/2020 00:00 1e8
)";

Network parse(const std::string& text, Diagnostics& d) {
    return parse_swmm_inp(text, "quality.inp", d);
}

} // namespace

// --- the equations, worked by hand ---------------------------------------------------------------

// Buildup after t days from none (Manual Vol. III eq. 2-1 to 2-3), its inverse and SWMM's days to
// the maximum.
TEST(QualityEquations, BuildupFunctions) {
    BuildupParams pow;
    pow.function = BuildupFunction::kPower;
    pow.max_buildup = 60;
    pow.c2 = 12;
    pow.c3 = 0.5;
    pow.max_days = buildup_max_days(pow);
    // log10(60)/0.5 = 3.56 > 3.5: SWMM takes 10 years to the maximum rather than (60/12)^2
    EXPECT_DOUBLE_EQ(pow.max_days, 3650.0);
    EXPECT_DOUBLE_EQ(buildup_after_days(pow, 4.0), 24.0);    // 12·4^0.5
    EXPECT_DOUBLE_EQ(buildup_after_days(pow, 30.0), 60.0);   // past the maximum
    EXPECT_NEAR(buildup_days(pow, 24.0), 4.0, 1e-12);        // the inverse
    EXPECT_DOUBLE_EQ(buildup_days(pow, 70.0), pow.max_days); // at or above the maximum

    BuildupParams exp;
    exp.function = BuildupFunction::kExponential;
    exp.max_buildup = 30;
    exp.c2 = 0.3;
    exp.max_days = buildup_max_days(exp);
    EXPECT_NEAR(exp.max_days, 23.02585093, 1e-8); // −ln(0.001)/0.3
    EXPECT_NEAR(buildup_after_days(exp, 2.0), 30.0 * (1.0 - std::exp(-0.6)), 1e-12); // 13.5356
    EXPECT_NEAR(buildup_days(exp, 13.53565), 2.0, 1e-5);

    BuildupParams sat;
    sat.function = BuildupFunction::kSaturation;
    sat.max_buildup = 80;
    sat.c3 = 2.5;
    sat.max_days = buildup_max_days(sat);
    EXPECT_DOUBLE_EQ(sat.max_days, 2500.0);               // 1000·C3
    EXPECT_DOUBLE_EQ(buildup_after_days(sat, 2.5), 40.0); // half the maximum at C3 days
    EXPECT_DOUBLE_EQ(buildup_days(sat, 40.0), 2.5);

    // otherwise (C1/C2)^(1/C3): 60/12 = 5 days at C3 = 1, reached linearly
    BuildupParams linear = pow;
    linear.c3 = 1.0;
    linear.max_days = buildup_max_days(linear);
    EXPECT_DOUBLE_EQ(linear.max_days, 5.0);
    EXPECT_DOUBLE_EQ(buildup_after_days(linear, 2.0), 24.0);
    EXPECT_DOUBLE_EQ(buildup_after_days(linear, 6.0), 60.0);
}

// Washoff concentrations (eq. 2-5, 2-6, EMC): 10 mm/h of runoff over 1000 m² of a land use.
TEST(QualityEquations, WashoffFunctions) {
    QualityInput in;
    in.rain_rate_per_ms = 3.6e6; // mm/h per m/s
    in.flow_per_m3s = 1000.0;    // L/s per m³/s
    const double q = 10.0 / 3.6e6, area = 1000.0;
    BuildupParams b;
    b.function = BuildupFunction::kExponential;

    // EXP, C1 = 0.08 /h, C2 = 1.6, 10⁶ mg built up: W = 0.08/3600·10^1.6·10⁶ = 884.68 mg/s over
    // Q = 2.7778 L/s: 318.5 mg/L
    WashoffParams w{WashoffFunction::kExponential, 0.08 / 3600.0, 1.6, 0, 0};
    const double c_exp = washoff_concentration(w, b, 1.0e6, q, area, in);
    EXPECT_NEAR(c_exp / 1000.0, 0.08 / 3600.0 * std::pow(10.0, 1.6) * 1.0e6 / (q * area) / 1000.0,
                1e-9);
    EXPECT_NEAR(c_exp / 1000.0, 318.49, 0.01);
    // no buildup: nothing washes off; no runoff: none either
    EXPECT_EQ(washoff_concentration(w, b, 0.0, q, area, in), 0.0);
    EXPECT_EQ(washoff_concentration(w, b, 1.0e6, 0.0, area, in), 0.0);

    // RC, C1 = 1.5 mg/s per (L/s)^1.2: Q = 2.7778 L/s gives 1.5·2.7778^1.2 = 5.111 mg/s, 1.840
    // mg/L
    WashoffParams rc{WashoffFunction::kRatingCurve, 1.5, 1.2, 0, 0};
    const double c_rc = washoff_concentration(rc, b, 1.0, q, area, in);
    EXPECT_NEAR(c_rc * q * area, 1.5 * std::pow(q * area * 1000.0, 1.2), 1e-9);
    EXPECT_NEAR(c_rc / 1000.0, 1.8401, 0.0001);

    // EMC: the concentration itself, whatever the runoff
    WashoffParams emc{WashoffFunction::kEmc, 160.0 * kSwmmLitresPerM3, 0, 0, 0};
    EXPECT_DOUBLE_EQ(washoff_concentration(emc, b, 5.0, q, area, in), 160.0 * kSwmmLitresPerM3);
}

// --- the readers ---------------------------------------------------------------------------------

TEST(QualityReader, ReadsEverySectionInSi) {
    Diagnostics d;
    const Network net = parse(kModel, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    Diagnostics d2;
    const QualityInput in = read_quality_sections(net, "quality.inp", d2);
    ASSERT_FALSE(d2.has_errors()) << d2.format();
    ASSERT_EQ(in.pollutants.size(), 3U);
    EXPECT_EQ(in.pollutants[1].units, ConcentrationUnit::kUgPerL);
    EXPECT_EQ(in.pollutants[2].units, ConcentrationUnit::kCountPerL);
    EXPECT_DOUBLE_EQ(in.pollutants[1].rain_concentration, 20.0);
    EXPECT_DOUBLE_EQ(in.pollutants[1].decay_per_s, 0.1 / 86400.0);
    EXPECT_EQ(in.pollutants[1].co_pollutant, 0);
    EXPECT_DOUBLE_EQ(in.pollutants[1].co_fraction, 0.3);
    EXPECT_DOUBLE_EQ(in.pollutants[1].kg_per_unit(), 1e-9);
    ASSERT_EQ(in.land_uses.size(), 2U);
    const LandUse& res = in.land_uses[0];
    EXPECT_DOUBLE_EQ(res.sweep_interval_s, 86400.0);
    EXPECT_DOUBLE_EQ(res.sweep_availability, 0.6);
    EXPECT_DOUBLE_EQ(res.days_since_swept_s, 43200.0);
    EXPECT_DOUBLE_EQ(in.land_uses[1].sweep_interval_s, 0.0);
    // kg/ha → kg/m²; per curb length as written
    EXPECT_NEAR(res.buildup[0].max_buildup, 60.0 / 1e4, 1e-15);
    EXPECT_NEAR(res.buildup[0].c2, 12.0 / 1e4, 1e-15);
    EXPECT_DOUBLE_EQ(res.buildup[0].max_days, 3650.0); // log10(60)/0.5 > 3.5, as SWMM
    EXPECT_EQ(res.buildup[1].normalizer, BuildupNormalizer::kCurb);
    EXPECT_DOUBLE_EQ(res.buildup[1].max_buildup, 0.02);
    EXPECT_EQ(res.buildup[2].function, BuildupFunction::kExternal);
    EXPECT_NEAR(res.buildup[2].c2, 1.5 / 1e4, 1e-15); // scaling factor per m²
    EXPECT_EQ(res.washoff[0].function, WashoffFunction::kExponential);
    EXPECT_DOUBLE_EQ(res.washoff[0].coeff, 0.08 / 3600.0);
    EXPECT_DOUBLE_EQ(res.washoff[0].sweep_removal, 0.6);
    EXPECT_DOUBLE_EQ(res.washoff[0].bmp_removal, 0.1);
    EXPECT_EQ(res.washoff[1].function, WashoffFunction::kRatingCurve);
    EXPECT_DOUBLE_EQ(res.washoff[1].coeff, 1.2);
    EXPECT_DOUBLE_EQ(in.land_uses[1].washoff[0].coeff, 100.0 * kSwmmLitresPerM3);
    EXPECT_DOUBLE_EQ(in.coverage[0][0], 0.7);
    EXPECT_DOUBLE_EQ(in.coverage[0][1], 0.3);
    EXPECT_DOUBLE_EQ(in.coverage[1][1], 0.0);
    EXPECT_NEAR(in.initial_loading[1][0], 20.0 / 1e4, 1e-15);
    EXPECT_DOUBLE_EQ(in.flow_per_m3s, 1000.0);
    EXPECT_NEAR(in.rain_rate_per_ms, 3.6e6, 1e-6);
}

// US masses are SWMM's pounds, 1/2.203 kg; areas acres.
TEST(QualityReader, UsMassesAreSwmmPounds) {
    std::string text = replace_once(kModel, "FLOW_UNITS LPS", "FLOW_UNITS CFS");
    Diagnostics d;
    const Network net = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const QualityInput in = read_quality_sections(net, "quality.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(in.land_uses[0].buildup[0].max_buildup, 60.0 / 2.203 / kAcre, 1e-15);
    EXPECT_NEAR(in.land_uses[0].buildup[1].max_buildup, 0.02 / 2.203, 1e-15); // per ft of curb
    // counts are counts in any unit system
    EXPECT_NEAR(in.land_uses[0].buildup[2].max_buildup, 1e9 / kAcre, 1e-6);
    EXPECT_NEAR(in.rain_rate_per_ms, 3600.0 / 0.0254, 1e-6);
}

// Bad lines name the file, the line and the field.
TEST(QualityReader, BadLinesNameFileLineAndField) {
    struct Case {
        const char* from;
        const char* to;
        ErrorCode code;
        const char* text;
    };
    const Case cases[] = {
        {"TSS MG/L 5 0 0 0 NO * 0 0 0", "TSS MG/M3 5 0 0 0 NO * 0 0 0", ErrorCode::kUnknownValue,
         "unknown concentration units 'MG/M3'"},
        {"TSS MG/L 5 0 0 0 NO * 0 0 0", "TSS MG/L x 0 0 0 NO * 0 0 0", ErrorCode::kNumberSyntax,
         "Crain 'x' is not a number"},
        {"TSS MG/L 5 0 0 0 NO * 0 0 0", "TSS MG/L -5 0 0 0 NO * 0 0 0", ErrorCode::kOutOfRange,
         "Crain must not be negative"},
        {"FC #/L 0 0 0 0", "FC #/L 0 0 0", ErrorCode::kMissingKey, "a pollutant needs"},
        {"Zn UG/L 20 0 0 0.1 NO TSS 0.3", "Zn UG/L 20 0 0 0.1 NO Pb 0.3",
         ErrorCode::kUnknownReference, "unknown co-pollutant 'Pb'"},
        {"Zn UG/L 20 0 0 0.1 NO TSS 0.3", "Zn UG/L 20 0 0 0.1 MAYBE TSS 0.3",
         ErrorCode::kUnknownValue, "SnowOnly 'MAYBE'"},
        {"FC #/L 0 0 0 0", "TSS #/L 0 0 0 0", ErrorCode::kDuplicateId,
         "pollutant 'TSS' defined twice"},
        {"Residential 1.0 0.6 0.5", "Residential 1.0 1.6 0.5", ErrorCode::kOutOfRange,
         "sweeping availability must be a fraction 0..1"},
        {"Residential 1.0 0.6 0.5", "Residential 1.0 0.6", ErrorCode::kMissingKey,
         "sweeping needs"},
        {"S1 Residential 70 Open 30", "S1 Residential 70 Park 30", ErrorCode::kUnknownReference,
         "unknown land use 'Park'"},
        {"S1 Residential 70 Open 30", "S9 Residential 70 Open 30", ErrorCode::kUnknownReference,
         "unknown subcatchment 'S9'"},
        {"S1 Residential 70 Open 30", "S1 Residential 170 Open 30", ErrorCode::kOutOfRange,
         "percent of area must be 0..100"},
        {"S2 TSS 20 Zn 0.05", "S2 TSS 20 Pb 0.05", ErrorCode::kUnknownReference,
         "unknown pollutant 'Pb'"},
        {"S2 TSS 20 Zn 0.05", "S2 TSS 20 Zn", ErrorCode::kMissingKey, "a loading line"},
        {"Residential TSS POW 60 12 0.5 AREA", "Residential TSS LINEAR 60 12 0.5 AREA",
         ErrorCode::kUnknownValue, "unknown buildup function 'LINEAR'"},
        {"Residential TSS POW 60 12 0.5 AREA", "Residential TSS POW 60 12 0.5 ROOF",
         ErrorCode::kUnknownValue, "unknown normalizer 'ROOF'"},
        {"Residential TSS POW 60 12 0.5 AREA", "Residential TSS POW 60 12 20 AREA",
         ErrorCode::kOutOfRange, "the power buildup exponent C3 must be 0.01..10"},
        {"Residential TSS POW 60 12 0.5 AREA", "Residential TSS POW 60 12 AREA",
         ErrorCode::kMissingKey, "a buildup function needs"},
        {"Residential FC EXT 1e9 1.5 L AREA", "Residential FC EXT 1e9 1.5 Nope AREA",
         ErrorCode::kUnknownReference, "unknown time series 'Nope'"},
        {"Residential FC EXT 1e9 1.5 L AREA", "Residential FC EXT 1e9 1.5 R AREA",
         ErrorCode::kInconsistent, "also feeds a quantity with other units"},
        {"Residential Zn RC 1.2 1.1 40 0", "Residential Zn CURVE 1.2 1.1 40 0",
         ErrorCode::kUnknownValue, "unknown washoff function 'CURVE'"},
        {"Residential Zn RC 1.2 1.1 40 0", "Residential Zn RC 1.2 11 40 0", ErrorCode::kOutOfRange,
         "C2 must be -10..10"},
        {"Residential Zn RC 1.2 1.1 40 0", "Residential Zn RC 1.2 1.1 140 0",
         ErrorCode::kOutOfRange, "sweeping removal must be 0..100 %"},
        {"Residential Zn RC 1.2 1.1 40 0", "Residential Zn RC 1.2 1.1 40 -1",
         ErrorCode::kOutOfRange, "BMP removal must not be negative"},
        {"Open TSS EMC 100 0 0 0", "Open Pb EMC 100 0 0 0", ErrorCode::kUnknownReference,
         "unknown pollutant 'Pb'"},
    };
    for (const auto& c : cases) {
        const std::string text = replace_once(kModel, c.from, c.to);
        Diagnostics d;
        (void)parse(text, d);
        ASSERT_TRUE(d.has_errors()) << c.to;
        const auto& e = d.items().front();
        EXPECT_EQ(e.code, c.code) << c.to << ": " << d.format();
        EXPECT_EQ(e.file, "quality.inp");
        // the line of the changed row
        int line = 1;
        for (std::size_t at = 0, end = text.find(c.to); at < end; ++at)
            line += text[at] == '\n' ? 1 : 0;
        EXPECT_EQ(e.line, line) << c.to;
        EXPECT_NE(e.message.find(c.text), std::string::npos) << e.message;
    }
}

// --- runs ----------------------------------------------------------------------------------------

// A run with pollutants says they are simulated on subcatchments, routed and treated; a run that
// routes no flows keeps them on the subcatchments, with the reason; IGNORE_QUALITY and what the
// quality simulation leaves out (LID units here) keep the old note, with the reason.
TEST(QualityRun, NotesSayWhatIsSimulated) {
    Diagnostics d;
    const Network net = parse(kModel, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = simulate(net);
    EXPECT_TRUE(a.summary.has_quality);
    ASSERT_EQ(a.summary.not_simulated.size(), 1U);
    const std::string& note = a.summary.not_simulated[0];
    EXPECT_TRUE(a.summary.has_quality_routing);
    EXPECT_NE(note.find("routing through the network"), std::string::npos);
    EXPECT_NE(note.find("treatment at nodes are simulated"), std::string::npos);
    EXPECT_NE(note.find("管网中的演算"), std::string::npos);
    const std::string routed = format_summary_csv(net, a);
    EXPECT_NE(routed.find("system,system,quality_TSS_external_outflow_kg,"), std::string::npos);
    EXPECT_NE(routed.find("node,O1,load_Zn_kg,"), std::string::npos);
    EXPECT_NE(routed.find("system,system,quality_FC_routing_continuity_error_pct,"),
              std::string::npos);
    const std::string results = format_results_csv(net, a);
    EXPECT_NE(results.find(",node,J1,quality_TSS_mg_per_l,"), std::string::npos);
    EXPECT_NE(results.find(",link,C1,quality_Zn_ug_per_l,"), std::string::npos);
    EXPECT_NE(results.find(",link,C1,quality_FC_count_per_l,"), std::string::npos);

    const Network unrouted =
        parse(replace_once(kModel, "DRY_DAYS 2", "DRY_DAYS 2\nIGNORE_ROUTING YES"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto t = simulate(unrouted);
    EXPECT_TRUE(t.summary.has_quality);
    EXPECT_FALSE(t.summary.has_quality_routing);
    ASSERT_EQ(t.summary.not_simulated.size(), 1U);
    const std::string& tn = t.summary.not_simulated[0];
    EXPECT_NE(tn.find("buildup and washoff on subcatchments are simulated"), std::string::npos);
    EXPECT_NE(tn.find("not routed through the drainage network (the flows are not routed"),
              std::string::npos);
    EXPECT_NE(tn.find("污染物未在排水管网中演算"), std::string::npos);
    EXPECT_EQ(format_summary_csv(unrouted, t).find("external_outflow_kg"), std::string::npos);
    EXPECT_EQ(format_results_csv(unrouted, t).find(",node,J1,quality_"), std::string::npos);

    const Network ignored =
        parse(replace_once(kModel, "DRY_DAYS 2", "DRY_DAYS 2\nIGNORE_QUALITY YES"), d);
    const auto b = simulate(ignored);
    EXPECT_FALSE(b.summary.has_quality);
    ASSERT_EQ(b.summary.not_simulated.size(), 1U);
    EXPECT_NE(b.summary.not_simulated[0].find("not simulated (IGNORE_QUALITY YES)"),
              std::string::npos);
    // the flows are those of the run with quality
    EXPECT_DOUBLE_EQ(a.summary.runoff.runoff_m3, b.summary.runoff.runoff_m3);
    const std::string summary = format_summary_csv(ignored, b);
    EXPECT_EQ(summary.find("quality_"), std::string::npos);
    EXPECT_EQ(summary.find("washoff_"), std::string::npos);

    const Network lid = parse(std::string(kModel) + "[LID_CONTROLS]\nBC BC\nBC SURFACE 150 0 0.1 "
                                                    "1 5\nBC SOIL 450 0.5 0.2 0.1 5 10 3.5\nBC "
                                                    "STORAGE 300 0.75 0.5 0\n[LID_USAGE]\nS1 BC 1 "
                                                    "100 0 0 0 0\n",
                              d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    // LID units carry the pollutants now (tests/drainage/test_quality_lid.cpp)
    const auto c = simulate(lid);
    EXPECT_TRUE(c.summary.has_quality);
    for (const auto& n : c.summary.not_simulated)
        EXPECT_EQ(n.find("not simulated"), std::string::npos) << n;
}

// The runoff quality balance closes, and the summary and results carry it in kg and mg/L.
TEST(QualityRun, BalanceAndOutputs) {
    Diagnostics d;
    const Network net = parse(kModel, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto r = simulate(net);
    ASSERT_EQ(r.summary.quality.size(), 3U);
    const auto& t = r.summary.quality[0];
    // initial buildup: S1 POW 12·2^0.5 kg/ha on 1.05 ha and EXP 30(1 − e^−0.6) on 0.45 ha, S2
    // its 20 kg/ha loading on 2 ha
    const double init = 12.0 * std::sqrt(2.0) * 1.05 + 30.0 * (1.0 - std::exp(-0.6)) * 0.45 + 40;
    EXPECT_NEAR(t.initial_buildup, init, 1e-9);
    const double in = t.initial_buildup + t.surface_buildup + t.wet_deposition;
    const double out =
        t.sweeping + t.infiltration + t.bmp_removal + t.surface_runoff + t.remaining_buildup;
    EXPECT_NEAR(t.continuity_error_pct, 100.0 * (1.0 - out / in), 1e-9);
    EXPECT_LT(std::abs(t.continuity_error_pct), 2.0);
    EXPECT_GT(t.surface_runoff, 0.0);
    // wet deposition: Crain × the rain (5 mg/L), SWMM's litres
    EXPECT_GT(r.summary.runoff.rain_m3, 0.0);
    EXPECT_NEAR(t.wet_deposition, 5e-6 * kSwmmLitresPerM3 * r.summary.runoff.rain_m3, 1e-12);
    const std::string summary = format_summary_csv(net, r);
    EXPECT_NE(summary.find("system,system,quality_TSS_initial_buildup_kg,"), std::string::npos);
    EXPECT_NE(summary.find("system,system,quality_FC_surface_runoff_count,"), std::string::npos);
    EXPECT_NE(summary.find("subcatch,S1,washoff_Zn_kg,"), std::string::npos);
    const std::string results = format_results_csv(net, r);
    EXPECT_NE(results.find(",subcatch,S1,washoff_TSS_mg_per_l,"), std::string::npos);
    EXPECT_NE(results.find(",subcatch,S2,washoff_Zn_ug_per_l,"), std::string::npos);
    EXPECT_NE(results.find(",subcatch,S2,washoff_FC_count_per_l,"), std::string::npos);
    // Σ washoff of the subcatchments = the surface runoff load (both outlets are nodes)
    double washoff = 0;
    for (std::size_t i = 0; i < 2; ++i)
        washoff += r.summary.subcatch_washoff_kg[i * 3];
    EXPECT_NEAR(washoff, t.surface_runoff, 1e-12);
}

// --- against EPA SWMM 5.2.4 ----------------------------------------------------------------------

namespace {

/// Compares a run of `name.inp` with SWMM's report lines and washoff concentrations
/// (drainage/quality_swmm_check.hpp); returns the largest difference of a report figure and the
/// largest relative difference of a concentration.
std::pair<double, double> compare_with_swmm(const std::string& name) {
    const fs::path dir = quality_dir();
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return rencheng::test::quality::check_runoff_quality(dir, name, net, simulate(net));
}

} // namespace

// SWMM's Example1: TSS with SAT buildup and EXP washoff on two land uses, Lead a co-pollutant of
// TSS (EMC 0: all of it from the co-pollutant), CFS.
TEST(QualityValidation, Example1MatchesSwmm) {
    compare_with_swmm("Example1");
}

// SWMM's Example5 web models: TSS with EXP buildup per curb length, EXP or EMC washoff, 10 mg/L
// in rain, infiltration of ponded pollutant, CFS with groundwater.
TEST(QualityValidation, Example5ExpAndEmcMatchSwmm) {
    compare_with_swmm("Example5-EXP");
    compare_with_swmm("Example5-EMC");
}

// Models written for these tests: POW, SAT, EXP and EXT buildup, RC washoff in L/s, sweeping
// and BMP removal, counts, initial loadings, run-on carrying pollutants (quality-si.inp, LPS); a
// sweeping season across the new year, POW per curb length, RC in CFS, loadings washed off
// without a buildup function, a co-pollutant of a co-pollutant (quality-us.inp, CFS).
TEST(QualityValidation, WrittenModelsMatchSwmm) {
    compare_with_swmm("quality-si");
    compare_with_swmm("quality-us");
}

// Pollutants under snow (snow/snow-si.inp with two land uses): road salt that builds up only while
// snow lies (SnowOnly), and sweeping every half day held while snow lies on the plowable surface.
TEST(QualityValidation, SnowOnlyBuildupAndSweepingUnderSnowMatchSwmm) {
    compare_with_swmm("quality-snow");
}

// --- routing through the network (drainage/quality_routing.hpp) ---------------------------------

namespace {

Pollutant routed_pollutant(double decay_per_day, double initial = 0) {
    Pollutant p;
    p.id = "X";
    p.decay_per_s = decay_per_day / 86400.0;
    p.initial_concentration = initial;
    return p;
}

} // namespace

// A junction without volume mixes at once: the concentration is the loads over the inflow. Two
// links bring 0.2 m³/s at 10 mg/L and 0.3 m³/s at 40 mg/L, a lateral inflow 0.1 m³/s at 100 mg/L:
// (2 + 12 + 10) / 0.6 = 40 mg/L; the link leaving it (a pump: no volume) carries the same.
TEST(QualityRouting, JunctionMixesCompletely) {
    std::vector<NodeState> nodes(4);
    nodes[2].inflow = 0.6;
    nodes[2].depth = 0.5;
    std::vector<LinkState> links(3);
    links[0].n1 = 0, links[0].n2 = 2, links[0].flow = 0.2, links[0].kind = LinkKind::kPump;
    links[1].n1 = 1, links[1].n2 = 2, links[1].flow = 0.3, links[1].kind = LinkKind::kPump;
    links[2].n1 = 2, links[2].n2 = 3, links[2].flow = 0.6, links[2].kind = LinkKind::kPump;
    NetworkQuality q({routed_pollutant(0)}, FlowRouting::kKinwave, 4, 3);
    q.init(nodes, links);
    // the links' concentrations at the step start: set through a step in which each carries its
    // upstream node's water
    nodes[0].inflow = nodes[1].inflow = 1.0;
    q.begin_step();
    q.add_load(0, 0, 10.0, LoadSource::kExternal);
    q.add_load(1, 0, 40.0, LoadSource::kExternal);
    q.route(60, nodes, links, {}, {});
    EXPECT_DOUBLE_EQ(q.link_concentration(0, 0, 1.0), 10.0);
    EXPECT_DOUBLE_EQ(q.link_concentration(1, 0, 1.0), 40.0);
    q.begin_step();
    q.add_load(2, 0, 0.1 * 100.0, LoadSource::kDryWeather);
    q.route(60, nodes, links, {}, {});
    EXPECT_NEAR(q.node_concentration(2, 0, 1.0), 40.0, 1e-12);
    EXPECT_NEAR(q.link_concentration(2, 0, 1.0), 40.0, 1e-12);
    // halfway through the step, the report interpolates from the old value (the first step's)
    EXPECT_NEAR(q.node_concentration(2, 0, 0.5), 0.5 * q.node_concentration(2, 0, 0.0) + 20.0,
                1e-12);
}

// A storage unit is a completely mixed reactor (Manual Vol. III eq. 5-3): 100 m³ at 10 mg/L decays
// first-order over 60 s at 8.64/day (1e-4/s): 10 (1 − 0.006) = 9.94 mg/L, 5.964 g lost to
// reaction; then mixes with 0.5 m³/s at 20 mg/L: (9.94·100 + 20·30) / 130 = 12.2615 mg/L.
// Evaporating 1 m³ from it first concentrates it by 1 + 1/100.
TEST(QualityRouting, StorageUnitIsAReactorWithDecayAndEvaporation) {
    std::vector<NodeState> nodes(1);
    nodes[0].kind = NodeKind::kStorage;
    nodes[0].depth = 1.0;
    nodes[0].volume = nodes[0].old_volume = 100.0;
    nodes[0].inflow = 0.5;
    for (const double evap : {0.0, 1.0}) {
        NetworkQuality q({routed_pollutant(8.64, 10.0)}, FlowRouting::kDynwave, 1, 0);
        q.init(nodes, {});
        q.begin_step();
        q.clear_step_totals();
        q.add_load(0, 0, 0.5 * 20.0, LoadSource::kExternal);
        q.route(60, nodes, {}, {evap}, {0.0});
        const double c1 = 10.0 * (1.0 + evap / 100.0) * (1.0 - 1e-4 * 60);
        EXPECT_NEAR(q.node_concentration(0, 0, 1.0), (c1 * 100 + 20 * 30) / 130, 1e-12);
        q.accumulate(60);
        const auto t = q.finish(nodes, {});
        // reacted: (c before − c after) · V, in kg (mg/L · m³ · L/m³ · kg/mg)
        EXPECT_NEAR(t[0].reacted,
                    10.0 * (1.0 + evap / 100.0) * 1e-4 * 60 * 100 * Pollutant::kLitresPerM3 * 1e-6,
                    1e-12);
        EXPECT_NEAR(t[0].initial_stored, 10.0 * 100 * Pollutant::kLitresPerM3 * 1e-6, 1e-12);
    }
    EXPECT_NEAR((9.94 * 100 + 20 * 30) / 130, 12.2615, 1e-4);
}

// A dynamic-wave conduit takes its inflow from its volume change: v1 = 10 m³ at 5 mg/L, v2 = 16 m³,
// upstream flow q1 = 0.1 m³/s over 60 s: inflow 0.1 + 6/60 = 0.2 m³/s of the upstream node's
// water (30 mg/L): (5·10 + 30·12) / 22 = 18.636 mg/L. Drying out (depth ≤ 1 mm) empties it and
// counts what it held as stored at the end.
TEST(QualityRouting, DynamicWaveConduitMixesItsVolumeChange) {
    std::vector<NodeState> nodes(2);
    nodes[0].inflow = 0.2;
    nodes[0].depth = 0.3;
    std::vector<LinkState> links(1);
    auto& l = links[0];
    l.n1 = 0, l.n2 = 1, l.kind = LinkKind::kConduit;
    l.xs = CrossSection::circular(0.6);
    l.depth = 0.2, l.old_volume = 10.0, l.volume = 10.0, l.flow = 0.1, l.q1 = 0.1;
    NetworkQuality q({routed_pollutant(0, 5.0)}, FlowRouting::kDynwave, 2, 1);
    q.init(nodes, links);
    l.volume = 16.0;
    q.begin_step();
    q.add_load(0, 0, 0.2 * 30.0, LoadSource::kExternal);
    q.route(60, nodes, links, {}, {});
    EXPECT_NEAR(q.node_concentration(0, 0, 1.0), 30.0, 1e-12);
    EXPECT_NEAR(q.link_concentration(0, 0, 1.0), (5.0 * 10 + 30.0 * 12) / 22, 1e-12);
    l.old_volume = 16.0, l.volume = 0.0, l.depth = 0.0005;
    q.begin_step();
    q.route(60, nodes, links, {}, {});
    EXPECT_EQ(q.link_concentration(0, 0, 1.0), 0.0);
}

namespace {

/// Compares a run of `name.inp` with SWMM's routing report lines and concentrations
/// (drainage/quality_swmm_check.hpp, check_routing_quality).
void compare_routing_with_swmm(const std::string& name, double rel, double err_points,
                               double conc_rel) {
    const fs::path dir = quality_dir();
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    (void)rencheng::test::quality::check_routing_quality(dir, name, net, simulate(net), rel,
                                                         err_points, conc_rel);
}

} // namespace

// A removal at a junction takes a fraction of the inflow's concentration out: R = 0.25 + 0.5·FLOW
// with 0.5 m³/s at 40 mg/L in SI (FLOW in m³/s under CMS) leaves (1 − 0.5)·40 = 20 mg/L, and
// C = 0.5·X·R_Y with Y removed by R = 0.4 leaves min(X, 0.5·X·0.4) = 0.2·X; what is taken out
// counts as reacted. DT and DEPTH read the step and the mean depth.
TEST(QualityRouting, TreatmentRemovesAndSetsConcentrations) {
    std::vector<Pollutant> pols = {routed_pollutant(0), routed_pollutant(0), routed_pollutant(0)};
    pols[0].id = "X";
    pols[1].id = "Y";
    pols[2].id = "Z";
    Diagnostics d;
    const Network net = parse_swmm_inp(
        "[OPTIONS]\nFLOW_UNITS CMS\nEND_TIME 01:00\n[JUNCTIONS]\nJ1 0 2\n[OUTFALLS]\n"
        "O1 0 FREE\n[CONDUITS]\nC1 J1 O1 100 0.01 0 0\n[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n"
        "[TREATMENT]\n"
        "J1 X C = 0.5 * X * R_Y\nJ1 Y R = 0.4\n"
        "J1 Z R = 0.25 + 0.5*FLOW + 0*DT*DEPTH\n",
        "t.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    auto treatment = read_treatment(net, pols, "t.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(treatment.size(), 3U);
    EXPECT_FALSE(treatment[0].removal);
    EXPECT_TRUE(treatment[1].removal);
    std::vector<NodeState> nodes(2);
    nodes[0].inflow = 0.5;
    nodes[0].depth = nodes[0].old_depth = 0.4;
    NetworkQuality q(pols, FlowRouting::kKinwave, 2, 0);
    q.set_treatment(std::move(treatment), nullptr, 1.0, 1.0);
    q.init(nodes, {});
    q.begin_step();
    q.clear_step_totals();
    for (std::size_t p = 0; p < 3; ++p)
        q.add_load(0, p, 0.5 * 40.0, LoadSource::kExternal);
    q.route(60, nodes, {}, {}, {});
    EXPECT_NEAR(q.node_concentration(0, 2, 1.0), 20.0, 1e-12);
    EXPECT_NEAR(q.node_concentration(0, 1, 1.0), 0.6 * 40.0, 1e-12);
    EXPECT_NEAR(q.node_concentration(0, 0, 1.0), 0.2 * 40.0, 1e-12);
    q.accumulate(60);
    const auto t = q.finish(nodes, {});
    EXPECT_NEAR(t[2].reacted, 0.5 * 20.0 * 60 * Pollutant::kLitresPerM3 * 1e-6, 1e-12);

    // a function neither R nor C, an unknown variable: errors with the line
    Diagnostics bad;
    const Network wrong =
        parse_swmm_inp("[OPTIONS]\nFLOW_UNITS CMS\nEND_TIME 01:00\n[JUNCTIONS]\nJ1 0 2\n"
                       "[OUTFALLS]\nO1 0 FREE\n[CONDUITS]\nC1 J1 O1 100 0.01 0 "
                       "0\n[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n[TREATMENT]\nJ1 X K = 1\nJ1 Y R = "
                       "2*W\nJ9 Y R = 1\n",
                       "t.inp", bad);
    (void)read_treatment(wrong, pols, "t.inp", bad);
    EXPECT_EQ(bad.error_count(), 3U) << bad.format();
    EXPECT_NE(bad.format().find("'R = ...' or 'C = ...'"), std::string::npos) << bad.format();
}

// A dynamic-wave model written for these tests (LPS): [DWF] pollutants with an hourly pattern and
// the Cdwf default, [INFLOWS] CONCEN with a series and MASS with a pattern, a storage unit, Cinit,
// first-order decay of BOD and of a #/L pollutant, washoff from a subcatchment. Its flows are
// SWMM's, so every figure agrees to the print digit (LPS is SWMM's 28.317 L per ft³: 5·10⁻⁶).
TEST(QualityRoutingValidation, DynamicWaveWithDwfInflowsStorageAndDecayMatchesSwmm) {
    compare_routing_with_swmm("quality-routing", 1e-4, 0.001, 0.003);
}

// The same model without its subcatchment: a sewer network whose pollutants come from [DWF] and
// [INFLOWS] alone (no Runoff Quality Continuity, as SWMM prints none).
TEST(QualityRoutingValidation, SewerWithoutSubcatchmentsMatchesSwmm) {
    compare_routing_with_swmm("quality-sewer", 1e-4, 0.001, 0.003);
    Diagnostics d;
    const Network net = read_swmm_inp(quality_dir() / "quality-sewer.inp", d);
    const auto res = simulate(net);
    const std::string summary = format_summary_csv(net, res);
    EXPECT_EQ(summary.find("surface_runoff"), std::string::npos);
    EXPECT_EQ(summary.find("washoff_"), std::string::npos);
    EXPECT_NE(summary.find("quality_BOD_mass_reacted_kg"), std::string::npos);
}

// The same model with [TREATMENT]: a removal at the storage unit from HRT, FLOW and AREA, a
// concentration there from DT, DEPTH, the pollutant itself and another's removal (R_TSS), and a
// removal of counts at a junction switched by STEP. Every figure to the print digit.
TEST(QualityRoutingValidation, TreatmentAtStorageAndJunctionMatchesSwmm) {
    compare_routing_with_swmm("quality-treatment", 1e-4, 0.003, 0.003);
}

// SWMM's Example6-Final: Example6-Initial with a settling treatment at storage unit SU2
// (C = 20 + (TSS − 20)·EXP(−0.01/3600/DEPTH·DT)): mass reacted within 0.1 % of SWMM's.
TEST(QualityRoutingValidation, Example6TreatmentMatchesSwmm) {
    compare_routing_with_swmm("Example6-Final", 1.5e-2, 0.05, 0.0);
}

// SWMM's Example1 (kinematic wave, TSS and Lead washed off eight subcatchments, one node flooding).
// RenCheng's kinematic-wave flows there are up to 0.3 % off SWMM's in the recession (its outflow
// 0.29 % more, flow continuity error −0.18 % against SWMM's 0.10 %), and the routed loads follow
// them: figures within 0.5 %, continuity error within 0.3 points, concentrations within 0.6 %.
TEST(QualityRoutingValidation, Example1KinematicWaveMatchesSwmm) {
    compare_routing_with_swmm("Example1", 5e-3, 0.3, 0.006);
}

// SWMM's Example1 under steady flow routing with TSS decaying at 2/day: links pass their inlet
// node's water at once, decaying exponentially over the step, and hold no mass. RenCheng's steady
// flows are SWMM's, so every figure agrees to the print digit.
TEST(QualityRoutingValidation, Example1SteadyFlowWithDecayMatchesSwmm) {
    compare_routing_with_swmm("Example1-steady", 2e-4, 0.001, 0.001);
}

// SWMM's Example6-Initial (dynamic wave, TSS with 10 mg/L in rain, a storage unit, weirs): its
// Quality Routing Continuity and outfall load; the flows of near-dry conduits differ from SWMM's
// enough to cross its 1 mm dry limit, so concentrations are not compared.
TEST(QualityRoutingValidation, Example6DynamicWaveMatchesSwmm) {
    compare_routing_with_swmm("Example6-Initial", 5e-3, 0.05, 0.0);
}
