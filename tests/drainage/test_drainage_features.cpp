// SWMM features beyond the core set: horseshoe and egg conduits from their arcs (the basket
// handle refused), roadway weirs, TIMEOPEN / TIMECLOSED control premises and CURVE actions,
// outfalls routed onto subcatchments, NCDC precipitation files, and [ADJUSTMENTS] climate factors.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/climate_file.hpp"
#include "drainage/interface_file.hpp"
#include "drainage/math_expression.hpp"
#include "drainage/rain_file.hpp"
#include "drainage/routing.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "drainage/xsection.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

constexpr double kFootM = 0.3048;
constexpr double kPi = std::numbers::pi;

/// Half width of the standard horseshoe of height D = 2r at height y above the invert: a
/// semicircular crown of radius r above y = r, sides of radius 2r centred on the springing line
/// at the far side, an invert of radius 2r centred 2r above the invert (the sides meet the invert
/// where x + y = r). Written here apart from xsection.cpp's arcs, as the reference they must match.
double horseshoe_half_width(double y, double d) {
    const double r = d / 2.0;
    if (y >= r)
        return std::sqrt(std::max(r * r - (y - r) * (y - r), 0.0));
    const double y_meet = r * (1.5 - std::sqrt(28.0) / 4.0);
    if (y >= y_meet)
        return -r + std::sqrt(4.0 * r * r - (y - r) * (y - r));
    return std::sqrt(std::max(4.0 * r * r - (y - 2.0 * r) * (y - 2.0 * r), 0.0));
}

/// Half width of the standard egg of height H = 3r (width 2r): crown of radius r centred 2r
/// above the invert, sides of radius 3r centred 2r across the axis on the springing line, an
/// invert of radius r/2 that the sides touch at height r/5.
double egg_half_width(double y, double h) {
    const double r = h / 3.0;
    if (y >= 2.0 * r)
        return std::sqrt(std::max(r * r - (y - 2.0 * r) * (y - 2.0 * r), 0.0));
    if (y >= 0.2 * r)
        return -2.0 * r + std::sqrt(9.0 * r * r - (y - 2.0 * r) * (y - 2.0 * r));
    return std::sqrt(std::max(0.25 * r * r - (y - 0.5 * r) * (y - 0.5 * r), 0.0));
}

/// Area below depth y of the symmetric section of half width `half` (midpoint rule, 20,000
/// strips).
template <typename HalfWidth> double strip_area(HalfWidth half, double y) {
    const int n = 20000;
    double a = 0;
    for (int i = 0; i < n; ++i)
        a += 2.0 * half((i + 0.5) / n * y) * y / n;
    return a;
}

/// Wetted perimeter below depth y of the same section: both walls as a polyline through
/// 200,000 points, the ends of each step at depths spaced as t² so the walls' vertical tangent
/// at the invert is resolved.
template <typename HalfWidth> double polyline_perimeter(HalfWidth half, double y) {
    const int n = 200000;
    double p = 0, y0 = 0, x0 = half(0.0);
    for (int i = 1; i <= n; ++i) {
        const double t = static_cast<double>(i) / n;
        const double y1 = y * t * t, x1 = half(y1);
        p += 2.0 * std::hypot(x1 - x0, y1 - y0);
        y0 = y1;
        x0 = x1;
    }
    return p;
}

SimulationResult run_text(const std::string& text, const std::string& name,
                          const fs::path& base_dir = {}) {
    Diagnostics d;
    const Network net = parse_swmm_inp(text, name, d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = base_dir;
    return simulate(net, so);
}

std::string options(const std::string& end_time, const std::string& step = "0:00:05") {
    return "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 01/01/2020\n"
           "START_TIME 00:00:00\nEND_DATE 01/01/2020\nEND_TIME " +
           end_time +
           "\nREPORT_STEP 00:05:00\nWET_STEP 00:01:00\nDRY_STEP 00:05:00\nROUTING_STEP " + step +
           "\n\n";
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Horseshoe and egg from their arcs

TEST(StandardClosedShapes, HorseshoeFullValuesByHand) {
    const double d = 2.0;
    const auto xs = CrossSection::standard_closed(Shape::kHorseshoe, d);
    EXPECT_TRUE(xs.is_closed());
    EXPECT_NEAR(xs.w_max_m(), d, 1e-12);
    // by hand: the sides meet the invert at y_m = (3/4 − √7/4)·D, x_m = D/2 − y_m; invert and
    // side arcs each turn through asin(x_m/D), so P_full = D·(π/2 + 4·asin(√7/4 − 1/4))
    const double p_full = d * (kPi / 2.0 + 4.0 * std::asin(std::sqrt(7.0) / 4.0 - 0.25));
    EXPECT_NEAR(xs.wetted_perimeter_m(d), p_full, 1e-12 * d);
    EXPECT_NEAR(xs.r_full_m(), xs.a_full_m2() / p_full, 1e-12 * d);
    // the published constants of the standard horseshoe, A = 0.8293·D², R = 0.2538·D (four
    // places, truncated: the geometry gives 0.829323 and 0.253855)
    EXPECT_NEAR(xs.a_full_m2() / (d * d), 0.8293, 1e-4);
    EXPECT_NEAR(xs.r_full_m() / d, 0.2538, 1e-4);
    // at mid-height the rest of the section is the crown's semicircle of radius D/2
    EXPECT_NEAR(xs.area_m2(d / 2.0), xs.a_full_m2() - kPi * d * d / 8.0, 1e-12 * d * d);
    EXPECT_NEAR(xs.top_width_m(d / 2.0), d, 1e-12);
    EXPECT_NEAR(xs.wetted_perimeter_m(d / 2.0), p_full - kPi * d / 2.0, 1e-12 * d);
}

TEST(StandardClosedShapes, HorseshoeFollowsItsGeometryAtEveryDepth) {
    const double d = 2.0;
    const auto xs = CrossSection::standard_closed(Shape::kHorseshoe, d);
    const auto half = [d](double y) { return horseshoe_half_width(y, d); };
    EXPECT_NEAR(strip_area(half, d), xs.a_full_m2(), 1e-6 * xs.a_full_m2());
    for (int i = 1; i < 100; ++i) {
        const double y = d * i / 100.0;
        EXPECT_NEAR(xs.area_m2(y), strip_area(half, y), 1e-6 * xs.a_full_m2()) << "y/D " << y / d;
        EXPECT_NEAR(xs.top_width_m(y), 2.0 * half(y), 1e-12 * d) << "y/D " << y / d;
    }
    for (const double f : {0.02, 0.0886, 0.3, 0.5, 0.8, 1.0})
        EXPECT_NEAR(xs.wetted_perimeter_m(f * d), polyline_perimeter(half, f * d), 1e-6 * d) << f;
    // a closed conduit: area held at full above the crown, depth of area inverts area
    EXPECT_DOUBLE_EQ(xs.area_m2(1.2 * d), xs.a_full_m2());
    for (const double f : {0.03, 0.2, 0.5, 0.9})
        EXPECT_NEAR(xs.depth_of_area_m(xs.area_m2(f * d)), f * d, 1e-6 * d) << f;
    // the section factor peaks below the crown, as in every closed shape
    EXPECT_GT(xs.s_max(), xs.s_full());
    EXPECT_LT(xs.a_max_m2(), xs.a_full_m2());
}

TEST(StandardClosedShapes, EggFullValuesByHand) {
    const double h = 1.5, r = h / 3.0; // width 2r = 1 m
    const auto egg = CrossSection::standard_closed(Shape::kEgg, h);
    EXPECT_TRUE(egg.is_closed());
    EXPECT_NEAR(egg.w_max_m(), 1.0, 1e-12); // an egg is 2/3 as wide as it is high
    // widest at the crown's springing line, 2/3 of the height
    EXPECT_NEAR(egg.top_width_m(2.0 * h / 3.0), 1.0, 1e-12);
    EXPECT_LT(egg.top_width_m(0.6 * h), 1.0);
    EXPECT_LT(egg.top_width_m(0.7 * h), 1.0);
    // by hand: the sides (radius 3r) turn through asin(0.6) from the springing line to where they
    // touch the invert, the invert (radius r/2) through asin(0.8) each side, the crown through π
    const double p_full = r * (kPi + 6.0 * std::asin(0.6) + std::asin(0.8));
    EXPECT_NEAR(egg.wetted_perimeter_m(h), p_full, 1e-12);
    // the textbook standard egg: A = 4.594·r², P = 7.930·r, R = 0.579·r; SWMM's full values
    // 0.5105·H² and 0.1931·H
    EXPECT_NEAR(egg.a_full_m2() / (r * r), 4.594, 5e-4);
    EXPECT_NEAR(p_full / r, 7.930, 5e-4);
    EXPECT_NEAR(egg.r_full_m() / r, 0.579, 5e-4);
    EXPECT_NEAR(egg.a_full_m2() / (h * h), 0.5105, 5e-5);
    EXPECT_NEAR(egg.r_full_m() / h, 0.1931, 5e-5);
    // above the springing line the rest is the crown's semicircle
    EXPECT_NEAR(egg.area_m2(2.0 * h / 3.0), egg.a_full_m2() - kPi * r * r / 2.0, 1e-12);
}

TEST(StandardClosedShapes, EggFollowsItsGeometryAtEveryDepth) {
    const double h = 1.5;
    const auto egg = CrossSection::standard_closed(Shape::kEgg, h);
    const auto half = [h](double y) { return egg_half_width(y, h); };
    for (int i = 1; i <= 100; ++i) {
        const double y = h * i / 100.0;
        if (i < 100) {
            EXPECT_NEAR(egg.area_m2(y), strip_area(half, y), 1e-6 * egg.a_full_m2()) << y / h;
            EXPECT_NEAR(egg.top_width_m(y), 2.0 * half(y), 1e-12) << y / h;
        }
        // area rises with depth, and so does the wetted perimeter
        EXPECT_GT(egg.area_m2(y), egg.area_m2(h * (i - 1) / 100.0)) << y / h;
        EXPECT_GT(egg.wetted_perimeter_m(y), egg.wetted_perimeter_m(h * (i - 1) / 100.0)) << y / h;
    }
    for (const double f : {0.01, 1.0 / 15.0, 0.3, 2.0 / 3.0, 0.9, 1.0})
        EXPECT_NEAR(egg.wetted_perimeter_m(f * h), polyline_perimeter(half, f * h), 1e-6 * h) << f;
    // the width is continuous where the arcs join (invert to sides at r/5, sides to crown at 2r)
    for (const double y : {0.2 * h / 3.0, 2.0 * h / 3.0})
        EXPECT_NEAR(egg.top_width_m(y * (1 - 1e-9)), egg.top_width_m(y * (1 + 1e-9)), 1e-6) << y;
    EXPECT_THROW((void)CrossSection::standard_closed(Shape::kCircular, 1.0), Error);
}

TEST(StandardClosedShapes, LowDepthsAreTheInvertArc) {
    // below the invert's top a shallow flow fills a segment of the invert circle (radius D for the
    // horseshoe up to 0.0886·D, H/6 for the egg up to H/15): area, width and wetted perimeter
    // are the segment's, and R → 2y/3 as y → 0
    for (const auto& [shape, rho] : {std::pair{Shape::kHorseshoe, 1.0}, {Shape::kEgg, 1.0 / 6.0}}) {
        const auto xs = CrossSection::standard_closed(shape, 1.0);
        for (const double y : {1e-3, 0.01, 0.05}) {
            const double half_angle = std::acos(1.0 - y / rho);
            const double chord = std::sqrt(2.0 * rho * y - y * y);
            const double area = rho * rho * half_angle - (rho - y) * chord;
            EXPECT_NEAR(xs.area_m2(y), area, 1e-9 * area) << y;
            EXPECT_NEAR(xs.top_width_m(y), 2.0 * chord, 1e-9 * chord) << y;
            EXPECT_NEAR(xs.wetted_perimeter_m(y), 2.0 * rho * half_angle, 1e-9 * rho * half_angle)
                << y;
        }
        // the segment formula above loses digits at tiny depths; its leading term does not:
        // A = (4/3)·√(2ρ)·y^(3/2)·(1 − O(y/ρ))
        for (const double y : {1e-9, 1e-6}) {
            const double area = 4.0 / 3.0 * std::sqrt(2.0 * rho) * std::pow(y, 1.5);
            EXPECT_NEAR(xs.area_m2(y), area, 1e-5 * area) << y;
        }
        EXPECT_NEAR(xs.hydraulic_radius_m(1e-6), 2.0 / 3.0 * 1e-6, 1e-3 * 1e-6);
        EXPECT_EQ(xs.area_m2(0.0), 0.0);
    }
}

TEST(StandardClosedShapes, BasketHandleIsRefusedNamingTheConduit) {
    // no published geometric definition of SWMM's basket handle: a conduit of that shape stops
    // the simulation with E312 rather than running on borrowed numbers
    const std::string text = options("01:00:00") +
                             "[JUNCTIONS]\nJ1 10.0 4.0 0 0 0\n\n[OUTFALLS]\nO1 8.0 FREE NO\n\n"
                             "[CONDUITS]\nBH1 J1 O1 100 0.013 0 0 0 0\n\n"
                             "[XSECTIONS]\nBH1 BASKETHANDLE 2.0 0 0 0 1\n";
    Diagnostics d;
    const Network net = parse_swmm_inp(text, "basket.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    try {
        (void)simulate(net, SimulationOptions{});
        FAIL() << "a basket-handle conduit must not be simulated";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
        EXPECT_NE(std::string(e.what()).find("BH1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("BASKETHANDLE"), std::string::npos) << e.what();
    }
}

TEST(StandardClosedShapes, HorseshoeConduitCarriesManningFlowAtNormalDepth) {
    // a long horseshoe conduit with a steady inflow: the flow through it is the inflow and the
    // depth mid-way is the normal depth of the section
    const std::string text = options("12:00:00") +
                             "[JUNCTIONS]\nJ1 10.0 4.0 0 0 0\n\n[OUTFALLS]\nO1 8.0 NORMAL NO\n\n"
                             "[CONDUITS]\nC1 J1 O1 1000 0.013 0 0 0 0\n\n"
                             "[XSECTIONS]\nC1 HORSESHOE 2.0 0 0 0 1\n\n"
                             "[INFLOWS]\nJ1 FLOW \"\" FLOW 1.0 1.0 2.0\n";
    const auto r = run_text(text, "horseshoe.inp");
    const auto n = r.series.time_s.size();
    ASSERT_GT(n, 10u);
    EXPECT_NEAR(r.series.link_flow_m3s[n - 1], 2.0, 1e-3);
    const auto xs = CrossSection::standard_closed(Shape::kHorseshoe, 2.0);
    const double slope = 2.0 / std::sqrt(1000.0 * 1000.0 - 4.0);
    const double yn =
        xs.depth_of_area_m(xs.area_of_section_factor_m2(2.0 * 0.013 / std::sqrt(slope)));
    EXPECT_GT(yn, 0.3);
    // the outfall stands at normal depth and the upstream node close to it
    EXPECT_NEAR(r.series.node_depth_m[(n - 1) * 2 + 1], yn, 0.01 * yn);
    EXPECT_NEAR(r.series.node_depth_m[(n - 1) * 2 + 0], yn, 0.05 * yn);
    // filling a kilometre of empty pipe costs this run a few percent of continuity whatever the
    // shape: no worse than the circular pipe of the same height
    std::string circular = text;
    circular.replace(circular.find("HORSESHOE"), 9, "CIRCULAR");
    const auto c = run_text(circular, "circular.inp");
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct),
              std::abs(c.summary.flow_routing_continuity_error_pct) + 0.5);
}

// ---------------------------------------------------------------------------------------------
// Roadway weirs

TEST(RoadwayWeir, DischargeCoefficientFromTheFhwaCurves) {
    const double us = std::sqrt(kFootM); // C in ft^0.5/s → m^0.5/s
    // low head over a wide road: C_r by the head, gravel 2.8 at 1 ft, paved 3.03 at 0.7 ft
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kGravel, 1.0 * kFootM, 0, 12.0),
                2.8 * us, 1e-12);
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kPaved, 0.7 * kFootM, 0, 12.0),
                3.03 * us, 1e-12);
    // between the points: linear (paved 0.2 → 0.7 ft: 2.95 → 3.03)
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kPaved, 0.45 * kFootM, 0, 12.0),
                2.99 * us, 1e-12);
    // head above 0.15 road widths: C_r by head / width (paved 0.2 → 3.075)
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kPaved, 0.2, 0, 1.0), 3.075 * us, 1e-12);
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kGravel, 0.6, 0, 2.0), 3.10 * us, 1e-12);
    // submergence: k_t by tail / head (paved 0.9 → 0.92; gravel 0.95 → 0.65; free below 0.8)
    const double h = 0.3 * kFootM;
    const double c_free = roadway_discharge_coefficient(RoadSurface::kPaved, h, 0, 12.0);
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kPaved, h, 0.9 * h, 12.0), 0.92 * c_free,
                1e-12);
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kPaved, h, 0.7 * h, 12.0), c_free,
                1e-12);
    const double g_free = roadway_discharge_coefficient(RoadSurface::kGravel, h, 0, 12.0);
    EXPECT_NEAR(roadway_discharge_coefficient(RoadSurface::kGravel, h, 0.95 * h, 12.0),
                0.65 * g_free, 1e-12);
    EXPECT_EQ(roadway_discharge_coefficient(RoadSurface::kPaved, 0.0, 0, 12.0), 0.0);
}

TEST(RoadwayWeir, SteadyOvertoppingHeadSatisfiesTheWeirEquation) {
    // 2 m³/s over a 20 m long paved road 10 m wide, crest 1 m above the junction's invert
    const std::string text = options("06:00:00") +
                             "[JUNCTIONS]\nJ0 10.5 5.0 0 0 0\nJ1 10.0 5.0 0 0 0\n\n"
                             "[OUTFALLS]\nO1 8.0 FREE NO\n\n"
                             "[CONDUITS]\nC0 J0 J1 100 0.013 0 0 0 0\n\n"
                             "[WEIRS]\nW1 J1 O1 ROADWAY 1.0 1.7 NO 0 0 NO 10 PAVED\n\n"
                             "[XSECTIONS]\nC0 RECT_OPEN 3 5 0 0\nW1 RECT_OPEN 3 20 0 0\n\n"
                             "[INFLOWS]\nJ0 FLOW \"\" FLOW 1.0 1.0 2.0\n";
    const auto r = run_text(text, "roadway.inp");
    const auto n = r.series.time_s.size();
    ASSERT_GT(n, 10u);
    EXPECT_NEAR(r.series.link_flow_m3s[(n - 1) * 2 + 1], 2.0, 1e-4); // links: C0, W1
    // solve Q = C(h)·L·h^1.5 for the head by fixed point
    double h = 0.2;
    for (int i = 0; i < 100; ++i)
        h = std::pow(2.0 / (roadway_discharge_coefficient(RoadSurface::kPaved, h, 0, 10.0) * 20.0),
                     2.0 / 3.0);
    EXPECT_NEAR(r.series.node_depth_m[(n - 1) * 3 + 1], 1.0 + h, 1e-3); // nodes: J0, J1, O1
    // the coefficient as written (1.7) is not the one used when width and surface are given
    EXPECT_GT(std::abs(roadway_discharge_coefficient(RoadSurface::kPaved, h, 0, 10.0) - 1.7), 0.02);
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct), 0.5);
}

// ---------------------------------------------------------------------------------------------
// TIMEOPEN / TIMECLOSED

namespace {

/// A tank with a gate (orifice) to an outfall, a steady inflow, and the given rules.
std::string gate_model(const std::string& rules, const std::string& inflow_m3s = "0.2") {
    return options("04:00:00") +
           "[JUNCTIONS]\n\n[OUTFALLS]\nO1 0.0 FREE NO\n\n"
           "[STORAGE]\nT1 0.0 10.0 2.0 FUNCTIONAL 0 0 500 0 0\n\n"
           "[ORIFICES]\nG1 T1 O1 SIDE 0 0.65 NO 0\n\n"
           "[XSECTIONS]\nG1 RECT_CLOSED 1.0 1.0 0 0\n\n"
           "[INFLOWS]\nT1 FLOW \"\" FLOW 1.0 1.0 " +
           inflow_m3s +
           "\n\n"
           "[CONTROLS]\nRULE R0\nIF SIMULATION TIME = 0:00:00\nTHEN ORIFICE G1 SETTING = 0\n\n" +
           rules +
           "\n[CURVES]\nOPENING Control 0.0 1.0\nOPENING Control 0.5 1.0\n"
           "OPENING Control 1.0 0.2\n";
}

/// The gate's flow at report time t (s).
double gate_flow(const SimulationResult& r, double t) {
    for (std::size_t k = 0; k < r.series.time_s.size(); ++k)
        if (std::abs(static_cast<double>(r.series.time_s[k]) - t) < 1)
            return r.series.link_flow_m3s[k];
    ADD_FAILURE() << "no report at " << t;
    return -1;
}

/// The tank's depth at report time t (s); nodes: O1, T1.
double tank_depth(const SimulationResult& r, double t) {
    for (std::size_t k = 0; k < r.series.time_s.size(); ++k)
        if (std::abs(static_cast<double>(r.series.time_s[k]) - t) < 1)
            return r.series.node_depth_m[k * 2 + 1];
    ADD_FAILURE() << "no report at " << t;
    return -1;
}

} // namespace

TEST(ControlRules, TimeOpenAndTimeClosedCountFromTheLastSwitch) {
    // open at 0:30; close after 1 h open; reopen after 30 min closed
    const auto r = run_text(gate_model("RULE R1\nIF SIMULATION TIME = 0:30:00\n"
                                       "THEN ORIFICE G1 SETTING = 1\n\n"
                                       "RULE R2\nIF ORIFICE G1 TIMEOPEN >= 1:00\n"
                                       "THEN ORIFICE G1 SETTING = 0\n\n"
                                       "RULE R3\nIF ORIFICE G1 TIMECLOSED >= 0:30\n"
                                       "AND SIMULATION TIME > 1:00:00\n"
                                       "THEN ORIFICE G1 SETTING = 1\n"),
                            "timeopen.inp");
    EXPECT_EQ(gate_flow(r, 1200), 0.0);  // 0:20 closed since the start
    EXPECT_GT(gate_flow(r, 2400), 0.1);  // 0:40 open
    EXPECT_GT(gate_flow(r, 5100), 0.1);  // 1:25 still open (55 min)
    EXPECT_EQ(gate_flow(r, 5700), 0.0);  // 1:35 closed at 1:30
    EXPECT_EQ(gate_flow(r, 6900), 0.0);  // 1:55 closed for 25 min
    EXPECT_GT(gate_flow(r, 7500), 0.1);  // 2:05 reopened at 2:00
    EXPECT_GT(gate_flow(r, 10500), 0.1); // 2:55 open for 55 min
    EXPECT_EQ(gate_flow(r, 11100), 0.0); // 3:05 closed again at 3:00
}

TEST(ControlRules, CurveSettingFollowsTheHoursOpen) {
    // open at 0:30 to 1.0; while open, the setting follows OPENING of the hours open: 1.0 for
    // half an hour, then down to 0.2 at one hour
    const auto r = run_text(gate_model("RULE R1\nIF SIMULATION TIME = 0:30:00\n"
                                       "THEN ORIFICE G1 SETTING = 1\n\n"
                                       "RULE R2\nIF ORIFICE G1 TIMEOPEN > 0:00\n"
                                       "THEN ORIFICE G1 SETTING = CURVE OPENING\n",
                                       "1.5"),
                            "curve.inp");
    // the tank's level rises as the gate closes down
    const double open_full = tank_depth(r, 3600); // 1:00, 30 min open: setting 1
    const double middle = tank_depth(r, 4800);    // 1:20, 50 min open: setting 0.36
    const double later = tank_depth(r, 6600);     // 1:50, 80 min open: setting 0.2
    EXPECT_GT(middle, open_full + 0.1);
    EXPECT_GT(later, middle + 1.0);
    // at setting 0.2 the gate is an orifice 0.2 m high: Q = Cd·A·√(2g(h − 0.1))
    EXPECT_NEAR(gate_flow(r, 6600), 0.65 * 0.2 * std::sqrt(2 * 9.80665 * (later - 0.1)), 0.01);
}

// ---------------------------------------------------------------------------------------------
// Outfall routed onto a subcatchment

TEST(OutfallRunon, DischargeBecomesRunonOfTheSubcatchment) {
    // S1 (impervious, 10 mm/h for 1 h) drains to J1 → C1 → O1, whose discharge is routed onto
    // S2, which gets no rain and drains to outfall O2
    const std::string text =
        options("12:00:00") +
        "[RAINGAGES]\nG1 INTENSITY 1:00 1.0 TIMESERIES RAIN\nG2 INTENSITY 1:00 1.0 TIMESERIES "
        "DRY\n\n"
        "[SUBCATCHMENTS]\nS1 G1 J1 10 100 200 1 0\nS2 G2 O2 5 100 100 1 0\n\n"
        "[SUBAREAS]\nS1 0.015 0.1 0 0 100 OUTLET\nS2 0.015 0.1 0 0 100 OUTLET\n\n"
        "[INFILTRATION]\nS1 50 5 2 7 0\nS2 50 5 2 7 0\n\n"
        "[JUNCTIONS]\nJ1 10.0 2.0 0 0 0\n\n[OUTFALLS]\nO1 9.0 FREE NO S2\nO2 5.0 FREE NO\n\n"
        "[CONDUITS]\nC1 J1 O1 200 0.013 0 0 0 0\n\n[XSECTIONS]\nC1 CIRCULAR 0.6 0 0 0 1\n\n"
        "[TIMESERIES]\nRAIN 0:00 10\nRAIN 1:00 0\nDRY 0:00 0\nDRY 1:00 0\n";
    const auto r = run_text(text, "runon.inp");
    const auto& ro = r.summary.runoff;
    // 10 mm on 10 ha = 1,000 m³ fall on S1
    EXPECT_NEAR(ro.rain_m3, 1000.0, 1e-6);
    // nearly all of it reaches O1 and comes back onto S2
    EXPECT_GT(ro.runon_m3, 0.95 * ro.rain_m3);
    EXPECT_LE(ro.runon_m3, ro.rain_m3);
    EXPECT_LT(std::abs(r.summary.runoff_continuity_error_pct), 0.5);
    EXPECT_LT(std::abs(r.summary.flow_routing_continuity_error_pct), 0.5);
    // S2 gets no rain but runs off
    double s2_peak = 0;
    for (std::size_t k = 0; k < r.series.time_s.size(); ++k)
        s2_peak = std::max(s2_peak, r.series.subcatch_runoff_m3s[k * 2 + 1]);
    EXPECT_GT(s2_peak, 0.05);
}

// ---------------------------------------------------------------------------------------------
// NCDC precipitation files

namespace {

fs::path write_temp(const std::string& name, const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("rencheng_" + name);
    std::ofstream(p) << text;
    return p;
}

} // namespace

TEST(NcdcRainFile, TapeRecordsEndTheirHour) {
    const auto p = write_temp(
        "tape.dat",
        // day 1: 0.00 at 01 (first of record); day 2: 0.05 in the hour to 19:00, 0.02 to 20:00
        "HPD05300500HPCPHI19490100010020100 00000g 2500 00000\n"
        "HPD05300500HPCPHI19490100020031900 00005  2000 00002  2500 00007\n"
        // another station's record is read too (SWMM 5.2.4 does not compare stations)
        "HPD99999900HPCPHI19490100020011900 00050  2500 00050\n"
        // missing and deleted values are dropped
        "HPD05300500HPCPHI19490100030030100 99999M 0200 00003{ 2500 00000\n"
        // accumulation from 05:00 to 07:00, 0.09 in over three hours
        "HPD05300500HPCPHI19490100040020500 00000a 0700 00009A 2500 00009\n");
    ASSERT_TRUE(is_ncdc_rain_file(p));
    const auto rain = read_ncdc_rain_file(p);
    EXPECT_EQ(rain.interval_s, 3600);
    const auto day2 = seconds_since_epoch({1949, 1, 2, 0});
    const auto day4 = seconds_since_epoch({1949, 1, 4, 0});
    ASSERT_EQ(rain.depth_m.size(), 6u);
    EXPECT_EQ(rain.depth_m[0].first, day2 + 18 * 3600);
    EXPECT_NEAR(rain.depth_m[0].second, 0.05 * 0.0254, 1e-15);
    EXPECT_EQ(rain.depth_m[1].first, day2 + 19 * 3600);
    EXPECT_NEAR(rain.depth_m[1].second, 0.02 * 0.0254, 1e-15);
    EXPECT_EQ(rain.depth_m[2].first, day2 + 18 * 3600); // station 999999's
    EXPECT_NEAR(rain.depth_m[2].second, 0.50 * 0.0254, 1e-15);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(rain.depth_m[3 + i].first, day4 + (4 + i) * 3600);
        EXPECT_NEAR(rain.depth_m[3 + i].second, 0.03 * 0.0254, 1e-15);
    }
    fs::remove(p);
}

TEST(NcdcRainFile, SpaceDelimitedRecordsAfterHeaders) {
    const auto p = write_temp(
        "web.dat", "COOPID CD ELEM UN YEAR MO DA TIME HOUR01 F F TIME HOUR02 F F\n"
                   "------ -- ---- -- ---- -- -- ---- ------ - - ---- ------ - -\n"
                   "310301 01 HPCP HI 1998 01 07 0100  00000 g   0400  00017     2500  00017  \n"
                   "310301 01 QPCP HI 1998 01 08 0100  00010     2500  00010  \n");
    ASSERT_TRUE(is_ncdc_rain_file(p));
    // two intervals in one file
    EXPECT_THROW((void)read_ncdc_rain_file(p), Error);
    std::ofstream(p) << "COOPID CD ELEM UN YEAR MO DA TIME HOUR01 F F\n"
                        "310301 01 HPCP HI 1998 01 07 0100  00000 g   0400  00017     2500  "
                        "00017  \n"
                        "310301 01 HPCP HI 1998 01 08 2400  00010     2500  00010  \n";
    const auto rain = read_ncdc_rain_file(p);
    ASSERT_EQ(rain.depth_m.size(), 2u);
    EXPECT_EQ(rain.depth_m[0].first, seconds_since_epoch({1998, 1, 7, 3 * 3600}));
    EXPECT_NEAR(rain.depth_m[0].second, 0.17 * 0.0254, 1e-15);
    EXPECT_EQ(rain.depth_m[1].first, seconds_since_epoch({1998, 1, 8, 23 * 3600}));
    fs::remove(p);
}

TEST(NcdcRainFile, BadFieldNamesFileAndLine) {
    const auto p = write_temp("bad.dat", "HPD05300500HPCPHI19490100010020100 00000g 2500 00000\n"
                                         "HPD05300500HPCPHI19490100020011900 0x005  2500 00005\n");
    try {
        (void)read_ncdc_rain_file(p);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNumberSyntax);
        EXPECT_NE(std::string(e.what()).find("bad.dat:2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("value"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(is_ncdc_rain_file(write_temp("user.dat", "STA1 2020 1 1 0 0 0.5\n")));
    fs::remove(p);
}

TEST(NcdcRainFile, GageReadsTheFileAsHourlyDepths) {
    // a gage declared INTENSITY at 5 minutes reading an hourly NCDC file: 0.50 in in the hour
    // to 02:00 on the start day is 12.7 mm over an hour on the subcatchment
    const fs::path dir = fs::temp_directory_path();
    write_temp("gage.dat", "HPD05300500HPCPHI20200100010010200 00050  2500 00050\n");
    const std::string text =
        options("06:00:00") +
        "[RAINGAGES]\nG1 INTENSITY 0:05 1.0 FILE rencheng_gage.dat 053005 IN\n\n"
        "[SUBCATCHMENTS]\nS1 G1 O1 1 100 100 1 0\n\n"
        "[SUBAREAS]\nS1 0.015 0.1 0 0 100 OUTLET\n\n"
        "[INFILTRATION]\nS1 50 5 2 7 0\n\n[OUTFALLS]\nO1 0 FREE NO\n";
    const auto r = run_text(text, "gage.inp", dir);
    EXPECT_NEAR(r.summary.runoff.rain_m3, 0.0127 * 10000.0, 1e-6);
    fs::remove(dir / "rencheng_gage.dat");
}

// ---------------------------------------------------------------------------------------------
// [EVENTS]

TEST(RoutingEvents, RoutingRunsOnlyInsideEventPeriods) {
    // a steady 0.1 m³/s inflow; routing only from 1:00 to 2:00
    const std::string base = options("04:00:00") +
                             "[JUNCTIONS]\nJ1 10.0 2.0 0 0 0\n\n[OUTFALLS]\nO1 9.8 FREE NO\n\n"
                             "[CONDUITS]\nC1 J1 O1 100 0.013 0 0 0 0\n\n"
                             "[XSECTIONS]\nC1 CIRCULAR 0.5 0 0 0 1\n\n"
                             "[INFLOWS]\nJ1 FLOW \"\" FLOW 1.0 1.0 0.1\n";
    const auto all = run_text(base, "all.inp");
    const auto ev = run_text(base + "\n[EVENTS]\n01/01/2020 1:00 01/01/2020 2:00\n", "ev.inp");
    auto flow_at = [](const SimulationResult& r, double t) {
        for (std::size_t k = 0; k < r.series.time_s.size(); ++k)
            if (std::abs(static_cast<double>(r.series.time_s[k]) - t) < 1)
                return r.series.link_flow_m3s[k];
        return -1.0;
    };
    EXPECT_EQ(flow_at(ev, 1800), 0.0);                // 0:30, before the event: nothing routed
    EXPECT_NEAR(flow_at(ev, 6600), 0.1, 1e-3);        // 1:50, inside it
    EXPECT_NEAR(flow_at(all, 1800), 0.1, 1e-3);       // without events the flow is there at once
    EXPECT_EQ(flow_at(ev, 10800), flow_at(ev, 9000)); // after the event nothing moves
    // the inflow counted in the balance is the event's hour only
    EXPECT_NEAR(ev.summary.routing.external_m3, 0.1 * 3600, 0.1 * 10.0);
    EXPECT_NEAR(all.summary.routing.external_m3, 0.1 * (4 * 3600 - 2.5), 0.1 * 10.0);
    // filling the empty pipe costs both runs the same few m³ of continuity (the scheme's
    // transient), no more: nothing is lost or double counted at the event's ends
    const double lost_ev =
        ev.summary.flow_routing_continuity_error_pct / 100.0 * ev.summary.routing.external_m3;
    const double lost_all =
        all.summary.flow_routing_continuity_error_pct / 100.0 * all.summary.routing.external_m3;
    EXPECT_NEAR(lost_ev, lost_all, 0.5);
    // a malformed period names the file and line
    Diagnostics d;
    const Network bad =
        parse_swmm_inp(base + "\n[EVENTS]\n01/01/2020 1:00 13/01/2020 2:00\n", "bad.inp", d);
    try {
        (void)simulate(bad);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNumberSyntax);
        EXPECT_NE(std::string(e.what()).find("bad.inp:"), std::string::npos) << e.what();
    }
}

// ---------------------------------------------------------------------------------------------
// [ADJUSTMENTS]

TEST(ClimateAdjustments, RainfallFactorOfTheMonthWhenTheRecordIsRead) {
    // 10 mm/h in four one-hour records from 31 Jan 20:00; RAINFALL factors 2 in January and 0.5
    // in February. SWMM converts a record when the one before it becomes current: the first two
    // (read at the start) keep factor 1, the one at 1 Feb 01:00 is read at 31 Jan 22:00
    // (January, 2) and the one at 03:00 on 1 Feb 01:00 (February, 0.5).
    auto model = [](const std::string& adjustments) {
        return std::string("[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING KINWAVE\n"
                           "START_DATE 01/31/2020\nSTART_TIME 20:00:00\nEND_DATE 02/01/2020\n"
                           "END_TIME 06:00:00\nREPORT_STEP 00:15:00\nWET_STEP 00:05:00\n"
                           "DRY_STEP 00:15:00\nROUTING_STEP 0:00:30\n\n"
                           "[RAINGAGES]\nG1 INTENSITY 1:00 1.0 TIMESERIES RAIN\n\n"
                           "[SUBCATCHMENTS]\nS1 G1 O1 1 100 100 1 0\n\n"
                           "[SUBAREAS]\nS1 0.015 0.1 0 0 100 OUTLET\n\n"
                           "[INFILTRATION]\nS1 50 5 2 7 0\n\n[OUTFALLS]\nO1 0 FREE NO\n\n"
                           "[TIMESERIES]\nRAIN 0:00 10\nRAIN 1:00 0\nRAIN 2:00 10\nRAIN 3:00 0\n"
                           "RAIN 5:00 10\nRAIN 6:00 0\nRAIN 7:00 10\nRAIN 8:00 0\n") +
               adjustments;
    };
    const auto plain = run_text(model(""), "plain.inp");
    EXPECT_NEAR(plain.summary.runoff.rain_m3, 0.040 * 10000.0, 1e-6);
    const auto adjusted = run_text(
        model("\n[ADJUSTMENTS]\nRAINFALL 2 0.5 1 1 1 1 1 1 1 1 1 1\n"
              "TEMPERATURE 0 0 0 0 0 0 0 0 0 0 0 0\nCONDUCTIVITY 1 1 1 1 1 1 1 1 1 1 1 1\n"),
        "adjusted.inp");
    EXPECT_NEAR(adjusted.summary.runoff.rain_m3, 0.010 * (1 + 1 + 2 + 0.5) * 10000.0, 1e-6);
    EXPECT_LT(std::abs(adjusted.summary.runoff_continuity_error_pct), 0.5);

    // EVAPORATION adds to the month's rate: 2.4 mm/day more in January takes ponded water from
    // the impervious depression storage (0.1 mm) that the plain run leaves to the end
    const auto evap =
        run_text(model("\n[ADJUSTMENTS]\nEVAPORATION 2.4 0 0 0 0 0 0 0 0 0 0 0\n"), "evap.inp");
    EXPECT_EQ(plain.summary.runoff.evap_m3, 0.0);
    EXPECT_GT(evap.summary.runoff.evap_m3, 0.0);
    EXPECT_LT(std::abs(evap.summary.runoff_continuity_error_pct), 0.5);

    // what is not simulated is refused, and a bad row names file and line
    auto refused = [&](const std::string& rows, ErrorCode code, const std::string& text_in_error) {
        Diagnostics d;
        const Network net = parse_swmm_inp(model("\n[ADJUSTMENTS]\n" + rows), "adj.inp", d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        try {
            (void)simulate(net);
            ADD_FAILURE() << rows << ": no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_NE(std::string(e.what()).find(text_in_error), std::string::npos) << e.what();
        }
    };
    refused("N-PERV S9 P1\n", ErrorCode::kUnknownReference,
            "adj.inp:39: [ADJUSTMENTS] N-PERV: subcatchment 'S9'");
    refused("INFIL S1 NOPAT\n", ErrorCode::kUnknownReference, "pattern 'NOPAT'");
    refused("DSTORE S1\n", ErrorCode::kMissingKey, "needs a subcatchment and a pattern");
    refused("RAINFALL 1 1 1\n", ErrorCode::kNumberSyntax, "adj.inp:39:");
    refused("RAINFALL 1 1 x 1 1 1 1 1 1 1 1 1\n", ErrorCode::kNumberSyntax, "value 3 'x'");
    refused("SNOW 1 1 1 1 1 1 1 1 1 1 1 1\n", ErrorCode::kUnknownValue, "SNOW");
}

namespace {

/// A kinematic-wave model: inflow of 0.5 m³/s at A, conduit C0 to node D (a junction row, or a
/// divider's when it names a divider type), the conduits in `links` (1-m circles) below it;
/// `extra` adds sections.
std::string kinwave_layout(const std::string& d_row, const std::string& links,
                           const std::string& extra = "") {
    std::string text = options("01:00:00", "0:00:30");
    text.replace(text.find("DYNWAVE"), 7, "KINWAVE");
    bool divider = false;
    for (const char* type : {"CUTOFF", "OVERFLOW", "TABULAR", "WEIR"})
        divider = divider || d_row.find(type) != std::string::npos;
    std::string xsections = "C0 CIRCULAR 1 0 0 0 1\n";
    std::istringstream rows(links);
    for (std::string row; std::getline(rows, row);)
        if (!row.empty())
            xsections += row.substr(0, row.find(' ')) + " CIRCULAR 1 0 0 0 1\n";
    text += "[JUNCTIONS]\nA 10 2 0 0 0\n" + std::string(divider ? "" : d_row + "\n") +
            "[OUTFALLS]\nO1 8 FREE NO\nO2 8 FREE NO\nO3 8 FREE NO\n" +
            (divider ? "[DIVIDERS]\n" + d_row + "\n" : std::string()) +
            "[CONDUITS]\nC0 A D 100 0.013 0 0 0 0\n" + links + "[XSECTIONS]\n" + xsections +
            "[INFLOWS]\nA FLOW \"\" FLOW 1 1 0.5\n" + extra;
    return text;
}

/// The routing error the model stops with (empty if it runs).
std::string layout_error(const std::string& text) {
    Diagnostics d;
    const Network net = parse_swmm_inp(text, "layout.inp", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    try {
        (void)simulate(net, SimulationOptions{});
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInconsistent) << e.what();
        return e.what();
    }
    return {};
}

} // namespace

TEST(KinematicWaveLayout, TwoOutflowsNeedADivider) {
    const std::string two = "C1 D O1 100 0.013 0 0 0 0\nC2 D O2 100 0.013 0 0 0 0\n";
    // a junction with two outflow links would send its inflow down both (SWMM stops: 133)
    const std::string e = layout_error(kinwave_layout("D 9 2 0 0 0", two));
    EXPECT_NE(e.find("node D has 2 outflow links"), std::string::npos) << e;
    EXPECT_NE(e.find("133"), std::string::npos) << e;
    // a divider may have two: the cutoff sends 0.2 m³/s on and diverts the rest into C2
    Diagnostics d;
    const Network net =
        parse_swmm_inp(kinwave_layout("D 9 C2 CUTOFF 0.2 2 0 0 0", two), "divider.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net, SimulationOptions{});
    const auto flow = [&](const char* id) {
        return res.summary.max_flow_m3s[net.find_link(id).idx()];
    };
    EXPECT_NEAR(flow("C0"), 0.5, 1e-9);
    EXPECT_NEAR(flow("C1"), 0.2, 1e-9);
    EXPECT_NEAR(flow("C2"), 0.3, 1e-9);
    // ...but not three (135)
    const std::string three = two + "C3 D O3 100 0.013 0 0 0 0\n";
    const std::string e3 = layout_error(kinwave_layout("D 9 C2 CUTOFF 0.2 2 0 0 0", three));
    EXPECT_NE(e3.find("divider D has 3 outflow links"), std::string::npos) << e3;
}

TEST(KinematicWaveLayout, DividerChecksHoldUnderEveryRouting) {
    const std::string two = "C1 D O1 100 0.013 0 0 0 0\nC2 D O2 100 0.013 0 0 0 0\n";
    // the diversion link must leave or enter the divider (136)
    std::string text = kinwave_layout("D 9 C0 CUTOFF 0.2 2 0 0 0", two);
    EXPECT_EQ(layout_error(text), ""); // C0 enters D: accepted, as SWMM accepts it
    text = kinwave_layout("D 9 C3 CUTOFF 0.2 2 0 0 0", two + "C3 A O3 100 0.013 0 0 0 0\n");
    EXPECT_NE(layout_error(text).find("136"), std::string::npos);
    // a weir divider needs a height and a coefficient, and Qmin ≤ Cw·H^1.5 (137); also under
    // dynamic wave, where the divider is otherwise a junction
    std::string weir = kinwave_layout("D 9 C2 CUTOFF 0.2 2 0 0 0", two);
    weir.replace(weir.find("CUTOFF 0.2"), 10, "WEIR 2.0 0.5 1.0");
    const std::string e = layout_error(weir);
    EXPECT_NE(e.find("weir divider D"), std::string::npos) << e;
    weir.replace(weir.find("KINWAVE"), 7, "DYNWAVE");
    EXPECT_NE(layout_error(weir).find("137"), std::string::npos);
}

TEST(KinematicWaveLayout, UphillConduitsAndJunctionRegulatorsAreRefused) {
    // an uphill conduit (115): dynamic wave routes it reversed, kinematic wave cannot
    std::string text = kinwave_layout("D 11 2 0 0 0", "C1 D O1 100 0.013 0 0 0 0\n");
    const std::string e = layout_error(text);
    EXPECT_NE(e.find("conduit C0 slopes upward"), std::string::npos) << e;
    // a weir leaving a junction carries nothing under kinematic wave (139)
    text = kinwave_layout("D 9 2 0 0 0", "",
                          "[WEIRS]\nW1 D O1 TRANSVERSE 0.5 1.84 NO 0 0\n"
                          "[XSECTIONS]\nW1 RECT_OPEN 1 2 0 0\n");
    const std::string e2 = layout_error(text);
    EXPECT_NE(e2.find("regulator W1 leaves node D"), std::string::npos) << e2;
    EXPECT_NE(e2.find("139"), std::string::npos) << e2;
}

TEST(SteadyFlowRouting, InflowAboveFullFlowFloodsTheRest) {
    // A 0.5-m pipe, n 0.013, 100 m long, 1 m of fall, fed 1 m³/s for an hour (then falling to 0
    // in 30 s): steady flow passes its full flow, Q = (1/n)·A·R^(2/3)·√S with A = π·0.25²,
    // R = 0.125 m and S = 1/√(100² − 1) (SWMM's slope of a pipe that falls 1 m along 100 m);
    // the inflow above it floods, and nothing is stored in the pipe.
    std::string text = options("02:00:00", "0:00:30");
    text.replace(text.find("DYNWAVE"), 7, "STEADY");
    text += "[JUNCTIONS]\nA 10 2 0 0 0\n[OUTFALLS]\nO 9 FREE NO\n"
            "[CONDUITS]\nC A O 100 0.013 0 0 0 0\n[XSECTIONS]\nC CIRCULAR 0.5 0 0 0 1\n"
            "[TIMESERIES]\nQ 0:00 1.0\nQ 1:00 1.0\nQ 1:00:30 0\nQ 2:00 0\n"
            "[INFLOWS]\nA FLOW Q FLOW 1 1 0\n";
    Diagnostics d;
    const Network net = parse_swmm_inp(text, "capacity.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net, SimulationOptions{});
    const double pi = std::acos(-1.0);
    const double q_full = 1.0 / 0.013 * (pi * 0.0625) * std::pow(0.125, 2.0 / 3.0) *
                          std::sqrt(1.0 / std::sqrt(100.0 * 100.0 - 1.0));
    EXPECT_NEAR(res.summary.max_flow_m3s[net.find_link("C").idx()], q_full, 1e-3 * q_full);
    const auto& t = res.summary.routing;
    EXPECT_NEAR(t.external_m3, t.outflow_m3 + t.flooding_m3, 1e-9 * t.external_m3);
    EXPECT_EQ(t.final_storage_m3, 0.0);
    // an hour above full flow: the pipe passes q_full·3600 s of it and floods the rest
    EXPECT_NEAR(t.flooding_m3, (1.0 - q_full) * 3600.0, 0.01 * (1.0 - q_full) * 3600.0);
    EXPECT_NEAR(res.summary.flood_volume_m3[net.find_node("A").idx()], t.flooding_m3, 1e-6);
}

TEST(ForceMain, DarcyWeisbachFrictionFactor) {
    // laminar below Re 2,000; Swamee-Jain above 4,000; linear from 0.032 at 2,000 between
    EXPECT_DOUBLE_EQ(force_main_friction_factor(0.001, 0.25, 1000.0), 0.064);
    const double e = 0.0005, r = 0.25, d = 4.0 * r, re = 1.0e5;
    const double swamee_jain =
        0.25 / std::pow(std::log10(e / (3.7 * d) + 5.74 / std::pow(re, 0.9)), 2.0);
    EXPECT_NEAR(force_main_friction_factor(e, r, re), swamee_jain, 1e-15);
    const double f4000 = force_main_friction_factor(e, r, 4000.0);
    EXPECT_NEAR(force_main_friction_factor(e, r, 3000.0), 0.032 + (f4000 - 0.032) * 0.5, 1e-15);
}

TEST(ForceMain, FullPipeHeadLossIsHazenWilliamsOrDarcyWeisbach) {
    // A pump lifts a wet well through two 250-m lengths of 0.5-m force main. At 7,500 s the
    // pipe runs full at a steady ~0.38 m³/s: the head dropped along its first length is the
    // Hazen-Williams loss 10.67·L·Q^1.852/(C^1.852·D^4.87) (C 120) or the Darcy-Weisbach loss
    // f·L/D·V²/2g (roughness 0.5 mm, f by Swamee-Jain at ν = 1.1e-5 ft²/s), and not Manning's.
    const fs::path dir =
        fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "force-main";
    const double pi = std::acos(-1.0), length = 250.0, d = 0.5;
    for (const char* name : {"force-main-hw.inp", "force-main-dw.inp"}) {
        Diagnostics diags;
        const Network net = read_swmm_inp(dir / name, diags);
        ASSERT_FALSE(diags.has_errors()) << diags.format();
        const auto res = simulate(net, SimulationOptions{});
        const auto& s = res.series;
        const auto k = static_cast<std::size_t>(std::find(s.time_s.begin(), s.time_s.end(), 7500) -
                                                s.time_s.begin());
        ASSERT_LT(k, s.time_s.size());
        const auto nn = static_cast<std::size_t>(net.node_count());
        const auto nl = static_cast<std::size_t>(net.link_count());
        const double q = s.link_flow_m3s[k * nl + net.find_link("FM1").idx()];
        const double h2 = 18.0 + s.node_depth_m[k * nn + net.find_node("J2").idx()];
        const double h3 = 17.0 + s.node_depth_m[k * nn + net.find_node("J3").idx()];
        ASSERT_GT(q, 0.3);
        double loss = 0;
        if (std::string(name) == "force-main-hw.inp") {
            loss =
                10.67 * length * std::pow(q, 1.852) / (std::pow(120.0, 1.852) * std::pow(d, 4.87));
        } else {
            const double v = q / (pi * d * d / 4.0);
            const double re = v * d / (1.1e-5 * 0.3048 * 0.3048);
            const double f =
                0.25 / std::pow(std::log10(0.0005 / (3.7 * d) + 5.74 / std::pow(re, 0.9)), 2.0);
            loss = f * length / d * v * v / (2.0 * 9.81);
        }
        EXPECT_NEAR(h2 - h3, loss, 0.01 * loss) << name;
    }
}

TEST(ControlRules, NamedVariablesAndExpressionsAreCheckedWhereWritten) {
    const std::string head = options("01:00:00") +
                             "[JUNCTIONS]\nJ1 10 2 0 0 0\n[OUTFALLS]\nO1 8 FREE NO\n"
                             "[CONDUITS]\nC1 J1 O1 100 0.013 0 0 0 0\n"
                             "[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n[CONTROLS]\n";
    auto errors = [&](const std::string& controls) {
        Diagnostics d;
        (void)parse_swmm_inp(head + controls, "named.inp", d);
        return d.format();
    };
    // accepted: names in any case, an expression over them, a named right-hand side
    EXPECT_EQ(errors("VARIABLE Y1 = NODE J1 DEPTH\nVARIABLE q = LINK C1 FLOW\n"
                     "EXPRESSION e = 2 * SQRT(ABS(Q)) + y1 ^ 2 - STEP(y1 - 1)\n"
                     "RULE R1\nIF E > 0.5\nAND y1 > Y1\nTHEN CONDUIT C1 STATUS = OPEN\n"),
              "");
    // an unknown name in an expression, a function without '(' and a duplicate name are
    // errors naming the file, the line and the token
    const std::string unknown = errors("VARIABLE y1 = NODE J1 DEPTH\nEXPRESSION e = y1 + y2\n");
    EXPECT_NE(unknown.find("named.inp:"), std::string::npos) << unknown;
    EXPECT_NE(unknown.find("'y2' is not a named VARIABLE"), std::string::npos) << unknown;
    EXPECT_NE(errors("VARIABLE y1 = NODE J1 DEPTH\nEXPRESSION e = SQRT y1\n").find("needs '('"),
              std::string::npos);
    EXPECT_NE(
        errors("VARIABLE y1 = NODE J1 DEPTH\nVARIABLE Y1 = LINK C1 FLOW\n").find("defined twice"),
        std::string::npos);
}

TEST(MathExpressionTest, PrecedenceFunctionsAndSigns) {
    std::string why;
    auto value = [&](const char* text, double x = 0) {
        const auto e = MathExpression::parse(
            text,
            [](std::string_view n) -> std::optional<std::int32_t> {
                return n == "x" ? std::optional<std::int32_t>(0) : std::nullopt;
            },
            why);
        EXPECT_TRUE(e.has_value()) << text << ": " << why;
        return e ? e->evaluate([&](std::int32_t) { return x; }) : 0.0;
    };
    EXPECT_DOUBLE_EQ(value("1 + 2 * 3"), 7.0);
    EXPECT_DOUBLE_EQ(value("(1 + 2) * 3"), 9.0);
    EXPECT_DOUBLE_EQ(value("2 ^ 3 ^ 2"), 512.0); // right to left
    EXPECT_DOUBLE_EQ(value("-x ^ 2", 3.0), -9.0);
    EXPECT_DOUBLE_EQ(value("-x * 2 + 1", 3.0), -5.0);
    EXPECT_DOUBLE_EQ(value("STEP(x - 1) + SGN(-x) + ABS(-2)", 2.0), 2.0);
    EXPECT_NEAR(value("LOG10(1000) + LOG(EXP(2)) + SQRT(16)"), 9.0, 1e-12);
    EXPECT_NEAR(value("ACOT(1) + ATAN(1)"), std::acos(-1.0) / 2.0, 1e-12);
    // illegal arithmetic is 0, as SWMM's mathexpr.c evaluates it
    EXPECT_EQ(value("x ^ 1.5", -4.0), 0.0);
    EXPECT_EQ(value("0 ^ 0"), 0.0);
    EXPECT_EQ(value("SQRT(x)", -1.0), 0.0);
    EXPECT_EQ(value("LOG(x)", 0.0), 0.0);
    EXPECT_EQ(value("COT(x)", 0.0), 0.0);
    EXPECT_EQ(value("LOG10(x)", 0.0), 0.0);
    EXPECT_EQ(value("ASIN(x) + 1", 2.0), 0.0); // not a number: the whole result is 0
    EXPECT_DOUBLE_EQ(value("x ^ 1.5", 4.0), 8.0);
    EXPECT_FALSE(MathExpression::parse(
        "1 +", [](std::string_view) { return std::nullopt; }, why));
    EXPECT_FALSE(MathExpression::parse(
        "(1", [](std::string_view) { return std::nullopt; }, why));
    // nesting is bounded: a long run of '(' is an error, not a stack overflow
    const std::string deep(100000, '(');
    EXPECT_FALSE(MathExpression::parse(
        deep, [](std::string_view) { return std::nullopt; }, why));
    EXPECT_NE(why.find("nests"), std::string::npos) << why;
}

// Water quality is kept in the model but not simulated, and the run says so instead of leaving
// the pollutants out silently; a model without them gets no such note.
TEST(NotSimulated, WaterQualityIsNamedInTheSummary) {
    const fs::path dir = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage";
    Diagnostics d;
    const Network with = read_swmm_inp(dir / "example1" / "Example1.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = simulate(with);
    ASSERT_EQ(a.summary.not_simulated.size(), 1U);
    EXPECT_NE(a.summary.not_simulated[0].find("[POLLUTANTS]"), std::string::npos);
    const Network without = read_swmm_inp(dir / "extran1" / "extran1.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_TRUE(simulate(without).summary.not_simulated.empty());
}

// [FILES] interface files whose objects a model lacks: a rainfall interface file where no rain
// gage reads a rain file is neither read nor written (SWMM opens none), silently; the run goes on.
TEST(NotSimulated, RainfallFileWithoutFileGagesIsIgnored) {
    const fs::path dir = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage";
    Diagnostics d;
    Network net = read_swmm_inp(dir / "extran1" / "extran1.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const fs::path tmp = fs::temp_directory_path() / "rencheng-rainfall-none";
    fs::create_directories(tmp);
    SimulationOptions so;
    so.base_dir = tmp;
    net.files.push_back({"SAVE", "RAINFALL", "rain.dat"});
    const auto res = simulate(net, so);
    EXPECT_TRUE(res.summary.not_simulated.empty());
    EXPECT_FALSE(fs::exists(tmp / "rain.dat"));
    net.files.back().mode = "USE";
    EXPECT_NO_THROW((void)simulate(net, so));
    fs::remove_all(tmp);
}

// A USE INFLOWS file's problems name the file and line; flows interpolate between report times
// and stop outside them (SWMM iface.c).
TEST(RoutingInterfaceFile, ReadInterpolatedAndCheckedWithFileAndLine) {
    Diagnostics d;
    const Network net = parse_swmm_inp("[OPTIONS]\nFLOW_UNITS CMS\nSTART_DATE 07/01/2025\n"
                                       "END_DATE 07/02/2025\n[JUNCTIONS]\nO1 0 1\nJ2 0 1\n",
                                       "net.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const std::string head = "SWMM5 Interface File\ntitle\n300 - step\n1 - constituents\nFLOW LPS\n"
                             "2 - nodes\nO1\nX9\nNode Year Mon Day Hr Min Sec FLOW\n";
    const RoutingInflows in(net,
                            head + "O1 2025 07 01 00 05 00 100\nX9 2025 07 01 00 05 00 5\n"
                                   "O1 2025 07 01 00 10 00 300\nX9 2025 07 01 00 10 00 5\n",
                            "f.txt");
    auto at = [&](double t) {
        double q = 0;
        in.add_inflows(t, [&](int node, double v) {
            EXPECT_EQ(node, 0); // X9 is not in the network: skipped
            q += v;
        });
        return q;
    };
    EXPECT_EQ(at(200.0), 0.0);          // before the first time
    EXPECT_NEAR(at(300.0), 0.1, 1e-12); // L/s → m³/s
    EXPECT_NEAR(at(450.0), 0.2, 1e-12); // halfway
    EXPECT_NEAR(at(600.0), 0.3, 1e-12);
    EXPECT_EQ(at(601.0), 0.0); // after the last
    auto error_of = [&](const std::string& text) {
        try {
            RoutingInflows bad(net, text, "f.txt");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(error_of("SWMM4\n").find("f.txt:1:"), std::string::npos);
    EXPECT_NE(error_of(head + "O1 2025 07 01 00 05 00 abc\n")
                  .find("f.txt:10: routing interface "
                        "file: bad flow 'abc'"),
              std::string::npos);
    EXPECT_NE(error_of(head + "O1 2025 07 01 00 05 00 1\n").find("ends early"), std::string::npos);
    EXPECT_NE(error_of("SWMM5\nt\n300\n1\nFLOW XYZ\n")
                  .find("f.txt:5: routing interface file: "
                        "unknown flow units 'XYZ'"),
              std::string::npos);
}

// Hargreaves' evaporation worked by hand for 21 June (day 172) at 31.2°N, a mean temperature of
// 25 °C (77 °F) and a mean daily range of 10 °C (18 °F): declination 0.4093·sin(2π/365·456) =
// 0.4093 rad, sunset hour angle 1.8038 rad, extraterrestrial radiation 41.319 MJ/m²/day,
// latent heat 2.4410 MJ/kg: E = 0.0023·41.319/2.4410·√10·(25 + 17.8) = 5.2694 mm/day; none when
// the formula goes negative (below −17.8 °C).
TEST(ClimateFile, HargreavesByHand) {
    EXPECT_NEAR(hargreaves_mm_day(172, 31.2, 77.0, 18.0), 5.2694, 1e-4);
    EXPECT_EQ(hargreaves_mm_day(172, 31.2, -10.0, 18.0), 0.0);
    // the same day is shorter in winter: less radiation, less evaporation
    EXPECT_LT(hargreaves_mm_day(355, 31.2, 77.0, 18.0), 0.6 * 5.2694);
}

// A user-prepared climate file: `*` or nothing is missing, SI temperatures become °F, a day out
// of 1..31 gives no value (SWMM reads none from it, but the line still dates its month); a bad
// line names the file and line; a first line of no format SWMM reads is E312.
TEST(ClimateFile, UserPreparedFormatAndErrors) {
    const auto file = parse_climate_file(
        "S1 2025 6 30 30.0 20.0 5.5 2.0\n\nS1 2025 7 1 * 18.5\nS1 2025 7 40 1 1\n", "c.dat", true);
    EXPECT_EQ(file.format, ClimateFormat::kUserPrepared);
    const auto& days = file.days;
    ASSERT_EQ(days.size(), 3U);
    EXPECT_DOUBLE_EQ(days[0].tmax, 86.0);
    EXPECT_DOUBLE_EQ(days[0].tmin, 68.0);
    EXPECT_DOUBLE_EQ(days[0].evap, 5.5);
    EXPECT_DOUBLE_EQ(days[0].wind, 2.0);
    EXPECT_EQ(days[0].line, 1);
    EXPECT_TRUE(std::isnan(days[1].tmax));
    EXPECT_DOUBLE_EQ(days[1].tmin, 9.0 / 5.0 * 18.5 + 32.0);
    EXPECT_TRUE(std::isnan(days[1].evap));
    EXPECT_EQ(days[1].line, 3);
    EXPECT_EQ(days[2].day, 0);
    EXPECT_EQ(days[2].month, 7);
    EXPECT_TRUE(std::isnan(days[2].tmax));
    const auto fails = [](const std::string& text, const std::string& what, ErrorCode code) {
        try {
            (void)parse_climate_file(text, "bad.dat", false);
            ADD_FAILURE() << "no error for " << what;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    fails("S1 2025 6 30 30\nS1 2025 June 1 20\n", "bad.dat:2", ErrorCode::kNumberSyntax);
    fails("S1 2025 6 30 hot 20\n", "Tmax 'hot' is not a number", ErrorCode::kNumberSyntax);
    fails("S1 2025 13 30 1 2\n", "month '13'", ErrorCode::kOutOfRange);
    fails("STATION,DATE,PRCP\n", "bad.dat:1: climate file: the first line is of no",
          ErrorCode::kUnsupported);
    fails("S1 2025 6 30\n", "of no climate file format", ErrorCode::kUnsupported);
}

// [EVAPORATION] FILE and TEMPERATURE need a climate file, and one that reaches the run's first
// month (SWMM errors 336 and 338).
TEST(ClimateFile, EvaporationWithoutTheFileIsAnError) {
    const std::string base =
        "[OPTIONS]\nFLOW_UNITS CMS\nSTART_DATE 06/30/2025\nEND_DATE 07/01/2025\n"
        "[JUNCTIONS]\nJ1 10 2\n[OUTFALLS]\nO1 9 FREE\n[CONDUITS]\nC1 J1 O1 100 0.013 0 0\n"
        "[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n[EVAPORATION]\nTEMPERATURE\n";
    Diagnostics d;
    const Network none = parse_swmm_inp(base, "none.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    try {
        (void)simulate(none);
        ADD_FAILURE() << "TEMPERATURE evaporation ran without a climate file";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("[TEMPERATURE] FILE"), std::string::npos) << e.what();
    }
    const auto dir = std::filesystem::temp_directory_path() / "rencheng-climate-file-test";
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "late.dat");
        f << "S1 2025 8 1 30 20 5 2\n";
    }
    const Network late = parse_swmm_inp(base + "[TEMPERATURE]\nFILE late.dat\n", "late.inp", d);
    SimulationOptions so;
    so.base_dir = dir;
    try {
        (void)simulate(late, so);
        ADD_FAILURE() << "a climate file without the run's month ran";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no day of 6/2025"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

// The SWMM 5.2 storage shapes' surface areas worked by hand: an elliptical cylinder of axes 18 and
// 12 m holds π·9·6 m² at every depth; a conical unit (base axes 15 and 9 m, side slope 2) at 1 m
// has axes 15 + 2·2·1 = 19 m and 9·19/15 = 11.4 m: π·9.5·5.7 = 170.12 m²; a paraboloid 4 m high
// with top axes 24 and 15 m holds π·12·7.5·d/4 at depth d; a pyramidal frustum (12 × 8 m, side
// slope 1.5) at 2 m is (12 + 6)·(8 + 6) = 252 m².
TEST(StorageShapes, AreasByHand) {
    const auto area = [](StorageShape shape, std::array<double, 3> p, double d) {
        const auto c = storage_shape_area(shape, p);
        return c[0] + d * (c[1] + d * c[2]);
    };
    const double pi = std::numbers::pi;
    EXPECT_NEAR(area(StorageShape::kCylindrical, {18, 12, 0}, 3.0), pi * 9 * 6, 1e-9);
    EXPECT_NEAR(area(StorageShape::kConical, {15, 9, 2}, 1.0), pi * 9.5 * 5.7, 1e-9);
    EXPECT_NEAR(area(StorageShape::kParabolic, {24, 15, 4}, 1.0), pi * 12 * 7.5 / 4, 1e-9);
    EXPECT_NEAR(area(StorageShape::kParabolic, {24, 15, 4}, 4.0), pi * 12 * 7.5, 1e-9);
    EXPECT_NEAR(area(StorageShape::kPyramidal, {12, 8, 1.5}, 2.0), 252.0, 1e-9);
}

// A recovery factor r scales the dry-weather recovery rate: after the same wet hour, Horton
// capacity recovering for an hour at r = 2 equals recovering for two hours at r = 1; at r = 0 it
// does not recover.
TEST(Infiltration, RecoveryFactorScalesDryWeatherRecovery) {
    Infiltration h;
    h.model = InfiltrationModel::kHorton;
    h.max_rate_ms = 80e-3 / 3600;
    h.min_rate_ms = 5e-3 / 3600;
    h.decay_per_s = 4.0 / 3600;
    h.dry_time_s = 2 * 86400.0;
    const auto after = [&](double r, double dry_s) {
        InfiltrationState s(h);
        for (int k = 0; k < 12; ++k)
            (void)s.rate_ms(300, 30e-3 / 3600, 0, 0.0); // a wet hour
        s.set_recovery_factor(r);
        for (double t = 0; t < dry_s; t += 300)
            (void)s.rate_ms(300, 0, 0, 0.0);
        return s.state()[0]; // the time on the decay curve
    };
    const double wet = after(1.0, 0.0);
    EXPECT_GT(wet, 0.0);
    EXPECT_NEAR(after(2.0, 3600), after(1.0, 7200), 1e-9 * wet);
    EXPECT_LT(after(1.0, 3600), wet);
    EXPECT_NEAR(after(0.0, 3600), wet, 1e-9 * wet);
}
