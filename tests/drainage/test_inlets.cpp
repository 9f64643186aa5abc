// Streets and street inlets: [STREETS]/[INLETS]/[INLET_USAGE] parsing and errors, the street
// transect, the HEC-22 (3rd ed.) capture relations against hand computations (gutter spread,
// on-grade grate and curb opening, sag curb opening and grate in weir, transition and orifice
// flow), and a routed model where the captured flow moves from the street to the sewer.
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/inlet.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "drainage/xsection.hpp"
#include "support/replace_once.hpp"

using namespace rencheng;
using namespace rencheng::drainage;
using rencheng::test::replace_once;

namespace {

constexpr double kFt = 0.3048;
constexpr double kCfs = 0.0283168466;

/// HEC-22 Example 4-7's street (the SWMM 5.2 test street_grate_inlet_7): one side, n 0.016,
/// Sx 0.02, a 0.167 ft depression over W 2 ft, 20 ft to the crown, SL 0.01 (4 ft in 400 ft).
InletSite example_street() {
    InletSite s;
    s.street = true;
    s.long_slope = 4.0 / std::sqrt(400.0 * 400.0 - 16.0); // SWMM's slope of a 400-ft conduit
    s.cross_slope = 0.02;
    s.gutter_depression_m = 0.167 * kFt;
    s.gutter_width_m = 2 * kFt;
    s.roughness = 0.016;
    s.crown_width_m = 20 * kFt;
    s.sides = 1;
    return s;
}

InletSite uniform_street(double sx) {
    InletSite s = example_street();
    s.cross_slope = sx;
    s.gutter_depression_m = 0;
    s.gutter_width_m = 0;
    return s;
}

InletDesign grate(double length_ft, double width_ft, GrateType type) {
    InletDesign d;
    d.type = InletType::kGrate;
    d.grate_length_m = length_ft * kFt;
    d.grate_width_m = width_ft * kFt;
    d.grate_type = type;
    return d;
}

InletDesign curb(double length_ft, double height_ft, ThroatType throat) {
    InletDesign d;
    d.type = InletType::kCurb;
    d.curb_length_m = length_ft * kFt;
    d.curb_height_m = height_ft * kFt;
    d.throat = throat;
    return d;
}

/// street_grate_inlet_7 of the SWMM 5.2 test suite (HEC-22 Example 4-7): 2.3 cfs down a street of
/// three 400-ft conduits; a 2 × 2 ft curved-vane grate at the end of the second sends what it
/// captures to node 5 of a pipe; the bypass goes on down the street to outfall 7.
const char* kGrateModel = R"([OPTIONS]
FLOW_UNITS CFS
FLOW_ROUTING DYNWAVE
START_DATE 07/27/2020
START_TIME 00:00:00
REPORT_START_DATE 07/27/2020
REPORT_START_TIME 01:00:00
END_DATE 07/27/2020
END_TIME 06:00:00
REPORT_STEP 00:15:00
ROUTING_STEP 0:00:30
VARIABLE_STEP 0.75
[JUNCTIONS]
1 100 0 0 0 0
2 96 0 0 0 0
3 92 0 0 0 0
4 2 0 0 0 0
5 1 0 0 0 0
[OUTFALLS]
6 0 FREE NO
7 88 FREE NO
[CONDUITS]
1 1 2 400 0.016 0 0 0 0
2 2 3 400 0.016 0 0 0 0
4 4 5 400 0.01 0 0 0 0
5 5 6 400 0.01 0 0 0 0
6 3 7 400 0.016 0 0 0 0
[XSECTIONS]
1 STREET Street1
2 STREET Street1
4 CIRCULAR 2 0 0 0 1
5 CIRCULAR 2 0 0 0 1
6 STREET Street1
[STREETS]
Street1 20 0.5 2 0.016 0.167 2 1 0 0 0
[INLETS]
CurvedVaneGrate GRATE 2 2 CURVED_VANE
[INLET_USAGE]
2 CurvedVaneGrate 5 1 0 0 0 0
[INFLOWS]
1 FLOW "" FLOW 1.0 1.0 2.3
)";

Network parse(const std::string& text, Diagnostics& diags) {
    return parse_swmm_inp(text, "inlets.inp", diags);
}

/// The first error's line and message, for assertions.
const Diagnostic* first_error(const Diagnostics& d) {
    for (const auto& i : d.items())
        if (i.severity == Severity::kError)
            return &i;
    return nullptr;
}

} // namespace

// --- HEC-22 relations -------------------------------------------------------------------------

TEST(InletHec22, SpreadOnUniformCrossSlopeInvertsIzzard) {
    // eq. 4-2: Q = (0.56/n)·Sx^1.67·SL^0.5·T^2.67 → T = 8.43305 ft for 1.5 cfs (Sx 0.02)
    const InletSite s = uniform_street(0.02);
    EXPECT_NEAR(hec22::flow_spread_m(s, 1.5 * kCfs) / kFt, 8.433048519, 1e-7);
    // and the spread stops at the crown
    EXPECT_NEAR(hec22::flow_spread_m(s, 500 * kCfs), s.crown_width_m, 1e-12);
}

TEST(InletHec22, SpreadOnDepressedGutterWithinIterationTolerance) {
    // eqs. 4-4 and 4-6 solved exactly (fixed point to 1e-13 ft) give T = 8.22248 ft for 2.3 cfs;
    // the model iterates to 0.01 ft as SWMM does
    const double t = hec22::flow_spread_m(example_street(), 2.3 * kCfs) / kFt;
    EXPECT_NEAR(t, 8.222476197, 0.01);
    EXPECT_NEAR(t, 8.229733110, 1e-6); // the 0.01-ft iterate, computed by hand
}

TEST(InletHec22, OnGradeGrateMatchesHec22Example4_7) {
    // HEC-22 Example 4-7: a 2 × 2 ft curved-vane grate in a depressed gutter captures about
    // 1.68 cfs of 2.3 cfs (read from charts). By the equations: Eo = 0.70963 (4-4 with 4-20a),
    // V = Q/A = 2.7242 ft/s below the splash-over velocity Vo = 5.96 ft/s (Rf = 1), side flow
    // Rs = 0.097565 (4-19), Qi = Q·(Rf·Eo + Rs·(1 − Eo)) = 1.697306 cfs (4-21).
    const auto d = grate(2, 2, GrateType::kCurvedVane);
    const double q = hec22::on_grade_capture_m3s(d, example_street(), 2.3 * kCfs, 0.0) / kCfs;
    EXPECT_NEAR(q, 1.697306366, 1e-6);
    EXPECT_NEAR(q, 1.68, 0.03 * 1.68); // the manual's chart-read answer
    EXPECT_NEAR(hec22::splash_over_velocity_ms(GrateType::kCurvedVane, 2 * kFt) / kFt, 5.96, 1e-12);
    // the grate never captures more than reaches it
    EXPECT_LE(hec22::on_grade_capture_m3s(d, example_street(), 0.01 * kCfs, 0.0), 0.01 * kCfs);
}

TEST(InletHec22, OnGradeCurbOpeningPartialCapture) {
    // eq. 4-22a: LT = 0.6·Q^0.42·SL^0.3·(1/(n·Sx))^0.6 = 22.337 ft for 1.5 cfs; a 9.84-ft opening
    // takes E = 1 − (1 − L/LT)^1.8 = 0.64843 of it (eq. 4-23): 0.972650 cfs
    const auto d = curb(9.84, 0.4, ThroatType::kHorizontal);
    const double q = hec22::on_grade_capture_m3s(d, uniform_street(0.02), 1.5 * kCfs, 0) / kCfs;
    EXPECT_NEAR(q, 0.9726502860, 1e-7);
    // an opening longer than LT takes everything
    const auto long_curb = curb(30, 0.4, ThroatType::kHorizontal);
    EXPECT_NEAR(hec22::on_grade_capture_m3s(long_curb, uniform_street(0.02), 1.5 * kCfs, 0),
                1.5 * kCfs, 1e-15);
}

TEST(InletHec22, SagCurbOpeningWeirTransitionOrifice) {
    // 8.2 ft × 0.43 ft opening with a horizontal throat (SWMM test onsag_curb_inlet_12)
    const auto d = curb(8.2, 0.43, ThroatType::kHorizontal);
    const InletSite s = uniform_street(0.05);
    // weir below the opening height (eq. 4-30): 3.0·L·d^1.5
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 0.3 * kFt) / kCfs, 4.042192474, 1e-7);
    // orifice above 1.4 h (eq. 4-31a, head to the throat's centre): 0.67·h·L·√(2g(d − h/2))
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 0.7 * kFt) / kCfs, 13.19474489, 1e-6);
    // between: linear from the weir flow at h to the orifice flow at 1.4 h
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 0.5 * kFt) / kCfs, 8.910320871, 1e-6);
    EXPECT_EQ(hec22::on_sag_capture_m3s(d, s, 0.0), 0.0);
}

TEST(InletHec22, SagGrateWeirAndOrifice) {
    // 5.66 × 2 ft curved vane (open ratio 0.35) on Sx 0.05 (SWMM test onsag_grate_inlet_11)
    const auto d = grate(5.66, 2, GrateType::kCurvedVane);
    const InletSite s = uniform_street(0.05);
    // water over part of its width (d < W·Sx): weir on the wetted perimeter, eq. 4-26
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 0.05 * kFt) / kCfs, 0.09083642579, 1e-9);
    // weir: 3.0·P·di^1.5 with P = L + 2W, di = d − W·Sx/2
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 0.3 * kFt) / kCfs, 3.6225, 1e-7);
    // orifice above d = 1.79·Ao/P: 0.67·Ao·√(2g·di), eq. 4-27
    EXPECT_NEAR(hec22::on_sag_capture_m3s(d, s, 1.0 * kFt) / kCfs, 20.75028636, 1e-6);
}

// --- parsing ----------------------------------------------------------------------------------

TEST(InletParse, SectionsIntoSiStructs) {
    Diagnostics diags;
    const auto text = replace_once(kGrateModel, "CurvedVaneGrate GRATE 2 2 CURVED_VANE\n",
                                   "CurvedVaneGrate GRATE 2 2 CURVED_VANE\n"
                                   "CurvedVaneGrate CURB 9.8 0.5 HORIZONTAL\n");
    const Network net = parse(text, diags);
    ASSERT_FALSE(diags.has_errors()) << format_diagnostic(diags.items().front());
    ASSERT_EQ(net.streets.size(), 1u);
    const auto& st = net.streets[0];
    EXPECT_NEAR(st.crown_width_m, 20 * kFt, 1e-12);
    EXPECT_NEAR(st.curb_height_m, 0.5 * kFt, 1e-12);
    EXPECT_NEAR(st.cross_slope, 0.02, 1e-15);
    EXPECT_NEAR(st.gutter_depression_m, 0.167 * kFt, 1e-12);
    EXPECT_EQ(st.sides, 1);
    ASSERT_EQ(net.inlet_designs.size(), 1u);
    const auto& d = net.inlet_designs[0];
    EXPECT_EQ(d.type, InletType::kCombination); // a GRATE and a CURB row of one id
    EXPECT_EQ(d.grate_type, GrateType::kCurvedVane);
    EXPECT_NEAR(d.curb_length_m, 9.8 * kFt, 1e-12);
    EXPECT_EQ(d.throat, ThroatType::kHorizontal);
    ASSERT_EQ(net.inlet_usage.size(), 1u);
    EXPECT_EQ(net.link_id[net.inlet_usage[0].link.idx()], "2");
    EXPECT_EQ(net.node_id[net.inlet_usage[0].capture_node.idx()], "5");
    EXPECT_EQ(net.xsection[net.find_link("6").idx()].street_index, 0);

    // written back and read again: the same streets and inlets
    Diagnostics d2;
    const Network back = parse(format_swmm_inp(net), d2);
    ASSERT_FALSE(d2.has_errors());
    ASSERT_EQ(back.streets.size(), 1u);
    EXPECT_NEAR(back.streets[0].gutter_width_m, st.gutter_width_m, 1e-12);
    ASSERT_EQ(back.inlet_designs.size(), 1u);
    EXPECT_EQ(back.inlet_designs[0].type, InletType::kCombination);
    ASSERT_EQ(back.inlet_usage.size(), 1u);
    EXPECT_EQ(back.inlet_usage[0].placement, InletPlacement::kAutomatic);
}

TEST(InletParse, ErrorsNameLineAndField) {
    struct Case {
        const char* from;
        const char* to;
        ErrorCode code;
        const char* words;
        int line; ///< of the offending row in kGrateModel
    };
    const Case cases[] = {
        {"CURVED_VANE\n", "CURVY\n", ErrorCode::kUnknownValue, "grate type", 37},
        {"2 CurvedVaneGrate 5 1 0", "2 CurvedVaneGrate 55 1 0", ErrorCode::kUnknownReference,
         "undefined node", 39},
        {"2 CurvedVaneGrate 5 1 0", "2 CurvedVaneGrate 5 1 100", ErrorCode::kOutOfRange,
         "percent clogged", 39},
        {"2 CurvedVaneGrate 5", "4 CurvedVaneGrate 5", ErrorCode::kInconsistent,
         "cannot sit in a CIRCULAR", 39},
        {"GRATE 2 2 CURVED_VANE", "DROP_GRATE 2 2 CURVED_VANE", ErrorCode::kInconsistent,
         "cannot sit in a STREET", 39},
        {"Street1 20 0.5 2 0.016", "Street1 20 0.5 -2 0.016", ErrorCode::kOutOfRange, "cross slope",
         35},
        {"0.167 2 1 0 0 0", "0.167 2 3 0 0 0", ErrorCode::kOutOfRange, "sides", 35},
    };
    for (const auto& c : cases) {
        Diagnostics diags;
        parse(replace_once(kGrateModel, c.from, c.to), diags);
        const auto* e = first_error(diags);
        ASSERT_NE(e, nullptr) << c.to;
        EXPECT_EQ(e->code, c.code) << e->message;
        EXPECT_NE(e->message.find(c.words), std::string::npos) << e->message;
        EXPECT_EQ(e->file, "inlets.inp");
        EXPECT_EQ(e->line, c.line) << e->message;
    }
}

// --- street transect --------------------------------------------------------------------------

TEST(InletStreet, TransectAreaOfTwoSidedStreet) {
    Street s;
    s.crown_width_m = 6;
    s.curb_height_m = 0.15;
    s.cross_slope = 0.02;
    s.roughness = 0.016;
    s.gutter_depression_m = 0.05;
    s.gutter_width_m = 0.6;
    s.sides = 2;
    const auto p = street_profile(s);
    ASSERT_EQ(p.station_m.size(), 9u);
    // curb top at a + Hcurb = 0.2 m, crown at a + Sx·W... = 0.05 + 0.02·6 = 0.17 m
    EXPECT_NEAR(p.elevation_m[1], 0.2, 1e-12);
    EXPECT_NEAR(p.elevation_m[4], 0.17, 1e-12);
    const auto xs = CrossSection::irregular(tabulate_transect(p));
    EXPECT_NEAR(xs.y_full_m(), 0.2, 1e-12);
    // full area, by hand: 12 m wide at 0.2 m, less the road and gutter wedges above each
    // curb foot: per side 0.6·(0.05 + 0.062)/2 + 5.4·(0.062 + 0.17)/2 under the road surface
    const double under = 0.6 * (0.0 + 0.062) / 2.0 + 5.4 * (0.062 + 0.17) / 2.0;
    EXPECT_NEAR(xs.a_full_m2(), 2 * (6 * 0.2 - under), 1e-9);
    EXPECT_NEAR(xs.w_max_m(), 12, 1e-12);
}

// --- routed -----------------------------------------------------------------------------------

TEST(InletRouting, CapturedFlowMovesFromStreetToSewer) {
    Diagnostics diags;
    const Network net = parse(kGrateModel, diags);
    ASSERT_FALSE(diags.has_errors());
    const auto r = simulate(net);
    const auto& q = r.summary.max_flow_m3s;
    const double sewer = q[net.find_link("5").idx()];
    const double bypass = q[net.find_link("6").idx()];
    // steady 2.3 cfs: the grate takes what HEC-22 gives (1.6973 cfs, above), the street carries
    // the rest on; nothing is lost or made between them
    EXPECT_NEAR(sewer / kCfs, 1.697306, 0.01);
    EXPECT_NEAR((sewer + bypass) / kCfs, 2.3, 0.01);
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct), 1.0);
    // SWMM 5.2.4 on the same model: link 5 peaks at 0.0481386 m³/s
    EXPECT_NEAR(sewer, 0.0481386392, 0.02 * 0.0481386392);
}

TEST(InletRouting, StreetWithoutInletsRoutesAsTransect) {
    Diagnostics diags;
    const Network net =
        parse(replace_once(kGrateModel, "2 CurvedVaneGrate 5 1 0 0 0 0\n", ""), diags);
    ASSERT_FALSE(diags.has_errors());
    const auto r = simulate(net);
    // everything stays in the street
    EXPECT_NEAR(r.summary.max_flow_m3s[net.find_link("6").idx()] / kCfs, 2.3, 0.01);
    EXPECT_EQ(r.summary.max_flow_m3s[net.find_link("5").idx()], 0.0);
}

TEST(InletRouting, EveryInletKindRunsAndConserves) {
    // the fuzz seed with every inlet kind: a GENERIC grate with local depression and flow
    // limit, a combination inlet, a slotted drain in a sag, a drop curb inlet in a channel
    const auto path = std::string(RENCHENG_SOURCE_DIR) + "/fuzz/corpus/swmm_inp/street_inlets.inp";
    Diagnostics diags;
    const Network net = read_swmm_inp(path, diags);
    ASSERT_FALSE(diags.has_errors()) << format_diagnostic(diags.items().front());
    ASSERT_EQ(net.inlet_usage.size(), 4u);
    EXPECT_EQ(net.inlet_designs[0].type, InletType::kCombination);
    EXPECT_EQ(net.inlet_designs[0].throat, ThroatType::kInclined);
    EXPECT_EQ(net.streets[1].back_width_m, 8 * kFt);
    const auto r = simulate(net);
    // EPA SWMM 5.2.4 run locally on the same file (its .rpt, cfs to two decimals): peak flows
    // of links 1, 2, 4, 5, 6, 9 and its routing continuity error, −2.493 % (the pipe fills)
    const std::pair<const char*, double> swmm[] = {{"1", 2.41}, {"2", 1.32}, {"4", 1.06},
                                                   {"5", 2.30}, {"6", 0.04}, {"9", 0.01}};
    for (const auto& [id, cfs] : swmm) {
        const double ours = r.summary.max_flow_m3s[net.find_link(id).idx()] / kCfs;
        std::printf("link %s %.4f cfs (SWMM %.2f)\n", id, ours, cfs);
        EXPECT_NEAR(ours, cfs, 0.005 + 0.02 * cfs) << "link " << id;
    }
    std::printf("continuity %.4f %%\n", r.summary.flow_routing_continuity_error_pct);
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct), 2.493 + 0.05);
}

TEST(InletRouting, KinematicWaveLimitsSagCaptureToWhatArrives) {
    const auto path = std::string(RENCHENG_SOURCE_DIR) + "/fuzz/corpus/swmm_inp/street_inlets.inp";
    Diagnostics diags;
    const Network net = read_swmm_inp(path, diags);
    ASSERT_FALSE(diags.has_errors());
    SimulationOptions o;
    o.routing = FlowRouting::kKinwave;
    const auto r = simulate(net, o);
    // EPA SWMM 5.2.4 with FLOW_ROUTING KINWAVE on the same file: peaks in cfs (two decimals)
    // and its routing continuity error, −2.995 %
    const std::pair<const char*, double> swmm[] = {{"1", 2.30}, {"2", 1.30}, {"4", 1.01},
                                                   {"5", 2.31}, {"6", 0.06}, {"9", 0.01}};
    for (const auto& [id, cfs] : swmm) {
        const double ours = r.summary.max_flow_m3s[net.find_link(id).idx()] / kCfs;
        std::printf("link %s %.4f cfs (SWMM %.2f)\n", id, ours, cfs);
        EXPECT_NEAR(ours, cfs, 0.005 + 0.02 * cfs) << "link " << id;
    }
    std::printf("continuity %.4f %%\n", r.summary.flow_routing_continuity_error_pct);
    // ours is −3.055 %, 0.06 points more in magnitude (cause not traced; checked to 0.1 points)
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct), 2.995 + 0.1);
}

TEST(InletRouting, CustomDiversionInletsTakeInTurn) {
    // two custom inlets per side of a two-sided street, 25 % clogged, with a DIVERSION curve
    // (0, 0) (1, 0.8) (3, 2) cfs: 1.15 cfs per side; the first takes 0.75·0.89 = 0.6675, the
    // second 0.75·curve(0.4825) = 0.2895; 2·0.957 = 1.914 cfs of the 2.3 (SWMM 5.2.4 on the same
    // file: peak capture 83.22 %, link 5 1.91 cfs, link 6 0.386 cfs)
    std::string text = replace_once(kGrateModel, "Street1 20 0.5 2 0.016 0.167 2 1 0 0 0",
                                    "Street1 20 0.5 2 0.016 0.167 2 2 0 0 0");
    text = replace_once(text, "CurvedVaneGrate GRATE 2 2 CURVED_VANE", "Cust CUSTOM Capture");
    text = replace_once(text, "2 CurvedVaneGrate 5 1 0 0 0 0", "2 Cust 5 2 25 0 0 0");
    text += "[CURVES]\nCapture DIVERSION 0 0 1 0.8 3 2\n";
    Diagnostics diags;
    const Network net = parse(text, diags);
    ASSERT_FALSE(diags.has_errors()) << format_diagnostic(diags.items().front());
    const auto r = simulate(net);
    const double captured = r.summary.max_flow_m3s[net.find_link("5").idx()] / kCfs;
    const double bypassed = r.summary.max_flow_m3s[net.find_link("6").idx()] / kCfs;
    EXPECT_NEAR(captured, 1.914, 0.005);
    EXPECT_NEAR(bypassed, 0.386, 0.005);
}
