// Groundwater (SWMM 5.2 two-zone aquifer): [AQUIFERS]/[GROUNDWATER] parsing, hand-computed
// fluxes and a lateral-outflow recession with a closed-form solution, and Example5 (SWMM's
// groundwater example) against EPA SWMM 5.2.4's time series and groundwater continuity.
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/groundwater.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

constexpr double kFoot = 0.3048;
constexpr double kInch = 0.0254;
constexpr double kInPerHour = kInch / 3600.0;
constexpr double kAcre = 43560.0 * kFoot * kFoot;

/// A one-subcatchment model with the given [AQUIFERS] and [GROUNDWATER] rows (US units).
std::string model(const std::string& aquifers, const std::string& groundwater,
                  const std::string& units = "CFS") {
    return "[OPTIONS]\nFLOW_UNITS " + units +
           "\nINFILTRATION HORTON\nFLOW_ROUTING KINWAVE\nSTART_DATE 01/01/2020\n"
           "END_DATE 01/02/2020\n[RAINGAGES]\nG1 INTENSITY 0:15 1.0 TIMESERIES R\n"
           "[SUBCATCHMENTS]\nS1 G1 O1 5 0 140 0.5 0\n[SUBAREAS]\nS1 0.01 0.1 0.05 0.05 25 "
           "OUTLET\n[INFILTRATION]\nS1 1.2 0.1 2 7 0\n[OUTFALLS]\nO1 0 FREE NO\n"
           "[PATTERNS]\nM MONTHLY 1 1 1 1 1 1 1 1 1 1 1 1\nH HOURLY 1\n"
           "[TIMESERIES]\nR 0:00 0.5\nR 1:00 0\n[AQUIFERS]\n" +
           aquifers + "[GROUNDWATER]\n" + groundwater;
}

Network parse(const std::string& text, Diagnostics& d) {
    return parse_swmm_inp(text, "gw.inp", d);
}

int line_of(const std::string& text, const std::string& start) {
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (line.rfind(start, 0) == 0)
            return n;
    }
    return -1;
}

bool has_error_at(const Diagnostics& d, int line, const std::string& text) {
    for (const auto& item : d.items())
        if (item.line == line && item.message.find(text) != std::string::npos)
            return true;
    return false;
}

const char* kAquifer = "A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5 0.40\n";
const char* kGroundwater = "S1 A1 O1 6 0.1 1 0 0 0 0 4\n";

} // namespace

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(GroundwaterParse, AquiferAndGroundwaterInSiUnits) {
    Diagnostics d;
    const Network net = parse(model(kAquifer, kGroundwater), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    Diagnostics d2;
    const auto in = read_groundwater_sections(net, "gw.inp", d2);
    ASSERT_FALSE(d2.has_errors()) << d2.format();
    ASSERT_EQ(in.aquifers.size(), 1u);
    const auto& a = in.aquifers[0];
    EXPECT_DOUBLE_EQ(a.porosity, 0.5);
    EXPECT_DOUBLE_EQ(a.wilting_point, 0.15);
    EXPECT_DOUBLE_EQ(a.field_capacity, 0.30);
    EXPECT_DOUBLE_EQ(a.ksat_ms, 0.1 * kInPerHour);
    EXPECT_DOUBLE_EQ(a.k_slope, 12);
    EXPECT_DOUBLE_EQ(a.tension_slope_m, 15 * kFoot);
    EXPECT_DOUBLE_EQ(a.lower_evap_depth_m, 14 * kFoot);
    EXPECT_DOUBLE_EQ(a.lower_loss_ms, 0.002 * kInPerHour);
    EXPECT_DOUBLE_EQ(a.water_table_elev_m, 3.5 * kFoot);
    EXPECT_EQ(a.upper_evap_pattern, -1);
    ASSERT_EQ(in.groundwater.size(), 1u);
    const auto& g = in.groundwater[0];
    EXPECT_EQ(g.subcatchment, 0);
    EXPECT_EQ(g.aquifer, 0);
    EXPECT_DOUBLE_EQ(g.surface_elev_m, 6 * kFoot);
    EXPECT_DOUBLE_EQ(g.a1, 0.1);
    EXPECT_DOUBLE_EQ(g.b1, 1);
    ASSERT_TRUE(g.threshold_elev_m.has_value());
    EXPECT_DOUBLE_EQ(*g.threshold_elev_m, 4 * kFoot);
    EXPECT_FALSE(g.bottom_elev_m.has_value());
    EXPECT_DOUBLE_EQ(in.flow_unit_ms, kFoot / 43560.0); // 1 cfs/acre in m/s
    EXPECT_DOUBLE_EQ(in.length_unit_m, kFoot);

    // SI models: mm/h, m and m³/s per hectare
    Diagnostics d3;
    const Network si = parse(model(kAquifer, "S1 A1 O1 6 0.1 1 0 0 0 0 * * 3.0 0.35\n", "CMS"), d3);
    ASSERT_FALSE(d3.has_errors()) << d3.format();
    const auto in_si = read_groundwater_sections(si, "gw.inp", d3);
    EXPECT_DOUBLE_EQ(in_si.aquifers[0].ksat_ms, 0.1e-3 / 3600);
    EXPECT_DOUBLE_EQ(in_si.aquifers[0].tension_slope_m, 15.0);
    EXPECT_DOUBLE_EQ(in_si.flow_unit_ms, 1e-4);
    const auto& gs = in_si.groundwater[0];
    EXPECT_FALSE(gs.threshold_elev_m.has_value()); // '*': the node's invert
    ASSERT_TRUE(gs.water_table_elev_m.has_value());
    EXPECT_DOUBLE_EQ(*gs.water_table_elev_m, 3.0);
    EXPECT_DOUBLE_EQ(*gs.upper_moisture, 0.35);
}

// The writer writes both sections back as read: the model read again has the same aquifers.
TEST(GroundwaterParse, WriteBackKeepsTheSections) {
    Diagnostics d;
    const Network net =
        parse(model(std::string(kAquifer) + "A2 0.45 0.1 0.2 0.3 10 12 0.3 10 0 -2 1.5 0.25 M\n",
                    std::string(kGroundwater)),
              d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const std::string text = format_swmm_inp(net);
    const Network again = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = read_groundwater_sections(net, "gw.inp", d);
    const auto b = read_groundwater_sections(again, "gw.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(b.aquifers.size(), 2u);
    ASSERT_EQ(b.groundwater.size(), 1u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(a.aquifers[i].id, b.aquifers[i].id);
        EXPECT_DOUBLE_EQ(a.aquifers[i].ksat_ms, b.aquifers[i].ksat_ms);
        EXPECT_DOUBLE_EQ(a.aquifers[i].bottom_elev_m, b.aquifers[i].bottom_elev_m);
        EXPECT_EQ(a.aquifers[i].upper_evap_pattern, b.aquifers[i].upper_evap_pattern);
    }
    EXPECT_GE(b.aquifers[1].upper_evap_pattern, 0);
    EXPECT_DOUBLE_EQ(a.groundwater[0].a1, b.groundwater[0].a1);
    EXPECT_EQ(*a.groundwater[0].threshold_elev_m, *b.groundwater[0].threshold_elev_m);
}

TEST(GroundwaterParse, ErrorsNameLineAndField) {
    struct Case {
        std::string aquifers, groundwater, at, message;
    };
    const std::vector<Case> cases = {
        {"A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5\n", kGroundwater, "A1 0.5",
         "12 values"},
        {"A1 0.5 0.15 x 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5 0.4\n", kGroundwater, "A1 0.5",
         "field capacity 'x'"},
        {"A1 0.5 0.35 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5 0.4\n", kGroundwater, "A1 0.5",
         "wilting point < field capacity"},
        {"A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 4.0 3.5 0.4\n", kGroundwater, "A1 0.5",
         "below the aquifer bottom"},
        {"A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5 0.4 P9\n", kGroundwater, "A1 0.5",
         "pattern 'P9'"},
        {"A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 3.5 0.4 H\n", kGroundwater, "A1 0.5",
         "MONTHLY"},
        {kAquifer, "S9 A1 O1 6 0.1 1 0 0 0 0 4\n", "S9 A1", "subcatchment 'S9'"},
        {kAquifer, "S1 A9 O1 6 0.1 1 0 0 0 0 4\n", "S1 A9", "aquifer 'A9'"},
        {kAquifer, "S1 A1 N9 6 0.1 1 0 0 0 0 4\n", "S1 A1 N9", "node 'N9'"},
        {kAquifer, "S1 A1 O1 6 0.1 1 0 0\n", "S1 A1", "needs subcatchment"},
        {kAquifer, "S1 A1 O1 3 0.1 1 0 0 0 0 4\n", "S1 A1", "surface is below the water table"},
        {kAquifer, "S1 A1 O1 6 0.1 b 0 0 0 0 4\n", "S1 A1", "B1 'b'"},
    };
    for (const auto& c : cases) {
        Diagnostics d;
        const std::string text = model(c.aquifers, c.groundwater);
        const Network net = parse(text, d);
        read_groundwater_sections(net, "gw.inp", d);
        const int line = line_of(text, c.at);
        EXPECT_TRUE(has_error_at(d, line, c.message))
            << "expected an error at line " << line << " with '" << c.message << "', got:\n"
            << d.format();
        // the simulation refuses the model with the same message
        try {
            simulate(net);
            ADD_FAILURE() << "simulated a model with: " << c.message;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
        }
    }
}

// [GWF] errors name the line: a keyword that is not LATERAL or DEEP, a name that is not a
// groundwater variable, an expression that does not parse, an unknown subcatchment.
TEST(GroundwaterParse, CustomFlowExpressionErrorsNameTheLine) {
    struct Case {
        std::string row, message;
    };
    const std::vector<Case> cases = {
        {"S1 SIDEWAYS 0.1*Hgw", "'SIDEWAYS' is not LATERAL or DEEP"},
        {"S1 LATERAL 0.1*Hgx", "not valid"},
        {"S1 DEEP 0.1*(Hgw", "not valid"},
        {"S9 LATERAL 0.1*Hgw", "subcatchment 'S9'"},
        {"S1 LATERAL", "needs subcatchment"},
    };
    for (const auto& c : cases) {
        Diagnostics d;
        const std::string text = model(kAquifer, kGroundwater) + "[GWF]\n" + c.row + "\n";
        const Network net = parse(text, d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        read_groundwater_sections(net, "gw.inp", d);
        const int line = line_of(text, c.row);
        EXPECT_TRUE(has_error_at(d, line, c.message))
            << "expected an error at line " << line << " with '" << c.message << "', got:\n"
            << d.format();
        EXPECT_THROW(simulate(net), Error) << c.row;
    }
}

// A [GWF] expression written as the built-in equation gives the built-in run: DEEP
// 0.002·Hgw/Hgs (in/h) is LGLR 0.002, and LATERAL 0.1·STEP(Hgw−Hcb)·(Hgw−Hcb) added to A1 = 0
// is A1 = 0.1, B1 = 1. Variable names are case-insensitive.
TEST(GroundwaterCustomFlow, ExpressionsOfTheBuiltInEquationsGiveTheBuiltInRun) {
    Diagnostics d;
    const Network built_in = parse(model(kAquifer, kGroundwater), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const Network custom = parse(model("A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0 0.0 3.5 0.40\n",
                                       "S1 A1 O1 6 0 1 0 0 0 0 4\n") +
                                     "[GWF]\nS1 LATERAL 0.1 * STEP(Hgw - Hcb) * (Hgw - hcb)\n"
                                     "S1 DEEP 0.002*HGW/Hgs\n",
                                 d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = simulate(built_in), b = simulate(custom);
    const auto& ga = a.summary.groundwater;
    const auto& gb = b.summary.groundwater;
    ASSERT_GT(ga.lateral_m3, 0.0);
    ASSERT_GT(ga.deep_loss_m3, 0.0);
    EXPECT_NEAR(gb.lateral_m3, ga.lateral_m3, 1e-9 * ga.lateral_m3);
    EXPECT_NEAR(gb.deep_loss_m3, ga.deep_loss_m3, 1e-9 * ga.deep_loss_m3);
    EXPECT_NEAR(gb.final_storage_m3, ga.final_storage_m3, 1e-9 * ga.final_storage_m3);
    ASSERT_EQ(a.series.node_inflow_m3s.size(), b.series.node_inflow_m3s.size());
    for (std::size_t k = 0; k < a.series.node_inflow_m3s.size(); ++k)
        EXPECT_NEAR(b.series.node_inflow_m3s[k], a.series.node_inflow_m3s[k], 1e-12) << k;
}

// A nearly full aquifer takes little infiltration: the surface runs off more than without it,
// and everything the surface infiltrates enters the aquifer.
TEST(GroundwaterCoupling, FullAquiferLimitsInfiltration) {
    Diagnostics d;
    const std::string full = "A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 5.9 0.49\n";
    const std::string no_outflow = "S1 A1 O1 6 0.1 1 0 0 0 0 6\n"; // threshold at the surface
    const Network with = parse(model(full, no_outflow), d);
    std::string text = model(full, no_outflow);
    text.replace(text.find("INFILTRATION"), 0, "IGNORE_GROUNDWATER YES\n");
    const Network without = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = simulate(with).summary;
    const auto b = simulate(without).summary;
    std::printf("[ info ] with groundwater: rain %.2f infil %.2f runoff %.2f m3; without: rain "
                "%.2f infil %.2f runoff %.2f m3; gw continuity %.4f %%\n",
                a.runoff.rain_m3, a.runoff.infil_m3, a.runoff.runoff_m3, b.runoff.rain_m3,
                b.runoff.infil_m3, b.runoff.runoff_m3, a.groundwater_continuity_error_pct);
    ASSERT_TRUE(a.has_groundwater);
    EXPECT_FALSE(b.has_groundwater);
    EXPECT_GT(a.runoff.runoff_m3, 1.5 * b.runoff.runoff_m3);
    EXPECT_LT(a.runoff.infil_m3, 0.5 * b.runoff.infil_m3);
    EXPECT_NEAR(a.groundwater.infil_m3, a.runoff.infil_m3, 1e-9 * a.runoff.rain_m3);
    // EPA SWMM 5.2.4 on this model (runswmm): infiltration 0.059 in, surface runoff 0.024 in,
    // deep percolation 0.048 in over the 5 acres
    const double to_in = 1.0 / (5 * kAcre) / kInch;
    EXPECT_NEAR(a.runoff.infil_m3 * to_in, 0.059, 0.0006);
    EXPECT_NEAR(a.runoff.runoff_m3 * to_in, 0.024, 0.0006);
    EXPECT_NEAR(a.groundwater.deep_loss_m3 * to_in, 0.048, 0.0006);
    // θ and d are clamped below saturation as in SWMM, which costs a little continuity here
    EXPECT_LE(std::abs(a.groundwater_continuity_error_pct), 0.1);
    EXPECT_LE(std::abs(a.runoff_continuity_error_pct), 0.1);
}

// An infiltration trench over a nearly full aquifer exfiltrates at most the room left in it
// (SWMM caps the storage layer's exfiltration with the aquifer's maxInfilVol).
TEST(GroundwaterCoupling, FullAquiferLimitsLidExfiltration) {
    const std::string full = "A1 0.5 0.15 0.30 0.1 12 15.0 0.35 14.0 0.002 0.0 5.9 0.49\n";
    const std::string lids = "[LID_CONTROLS]\nT IT\nT SURFACE 6 0 0.1 1.0 5\n"
                             "T STORAGE 12 0.75 0.5 0\nT DRAIN 0 0.5 6 6\n"
                             "[LID_USAGE]\nS1 T 1 10000 10 0 0 0\n";
    Diagnostics d;
    std::string text = model(full, "S1 A1 O1 6 0.1 1 0 0 0 0 6\n") + lids;
    const Network with = parse(text, d);
    text.replace(text.find("INFILTRATION"), 0, "IGNORE_GROUNDWATER YES\n");
    const Network without = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto a = simulate(with).summary;
    const auto b = simulate(without).summary;
    ASSERT_EQ(a.lid.size(), 1u);
    ASSERT_EQ(b.lid.size(), 1u);
    std::printf("[ info ] trench exfiltration: %.4f m with the aquifer, %.4f m without\n",
                a.lid[0].infil_m, b.lid[0].infil_m);
    EXPECT_GT(b.lid[0].infil_m, 0.0);
    EXPECT_LT(a.lid[0].infil_m, 0.5 * b.lid[0].infil_m);
    // EPA SWMM 5.2.4's LID performance summary of this model: 0.06 in infiltrated with the
    // aquifer (0.07 in left in storage), 0.12 in without (two decimals printed)
    EXPECT_NEAR(a.lid[0].infil_m / kInch, 0.06, 0.005);
    EXPECT_NEAR(a.lid[0].final_storage_m / kInch, 0.07, 0.005);
    EXPECT_NEAR(b.lid[0].infil_m / kInch, 0.12, 0.0051);
    EXPECT_LE(std::abs(a.runoff_continuity_error_pct), 0.1);
}

// ---------------------------------------------------------------------------------------------
// One aquifer by hand

namespace {

Aquifer hand_aquifer() {
    Aquifer a;
    a.porosity = 0.5;
    a.wilting_point = 0.15;
    a.field_capacity = 0.30;
    a.ksat_ms = 0.1 * kInPerHour;
    a.k_slope = 12;
    a.tension_slope_m = 15 * kFoot;
    a.upper_evap_fraction = 0.35;
    a.lower_evap_depth_m = 14 * kFoot;
    a.lower_loss_ms = 0;
    a.bottom_elev_m = 0;
    a.water_table_elev_m = 3.5 * kFoot;
    a.upper_moisture = 0.40;
    return a;
}

SubcatchGroundwater hand_groundwater() {
    SubcatchGroundwater g;
    g.subcatchment = 0;
    g.aquifer = 0;
    g.node = 0;
    g.surface_elev_m = 6 * kFoot;
    g.a1 = 0.1;
    g.b1 = 1;
    return g;
}

} // namespace

// Percolation, evaporation split and deep loss at a given state equal the Manual's formulas.
TEST(GroundwaterState, FluxesEqualTheManualsFormulas) {
    Aquifer a = hand_aquifer();
    a.lower_loss_ms = 0.002 * kInPerHour;
    SubcatchGroundwater g = hand_groundwater();
    g.threshold_elev_m = 4 * kFoot; // no lateral flow below 4 ft
    const double area = 5 * kAcre;
    GroundwaterState s(a, g, area, 0.8, kFoot / 43560.0, kFoot);
    // one dry second with potential evaporation 0.2 in/day, none used by the surface
    const double e = 0.2 * kInch / 86400;
    s.step(1.0, 0.0, 0.0, e, 1.0, GroundwaterNode{0, 0, 0, 0});
    const double theta = 0.42, d = 3.0 * kFoot;
    const auto f = s.fluxes_at(theta, d);
    const double D = 6 * kFoot, upper = D - d;
    const double k = a.ksat_ms * std::exp(-(0.5 - theta) * 12);
    EXPECT_NEAR(f.percolation, k * (1 + 2 * a.tension_slope_m * (theta - 0.30) / upper), 1e-15);
    const double max_evap = e * 0.8; // through the pervious 80 %
    EXPECT_NEAR(f.upper_evap, 0.35 * max_evap, 1e-18);
    const double lower_frac = (14 * kFoot - upper) / (14 * kFoot);
    EXPECT_NEAR(f.lower_evap, lower_frac * 0.65 * max_evap, 1e-18);
    EXPECT_NEAR(f.deep_loss, a.lower_loss_ms * d / D, 1e-18);
    EXPECT_EQ(f.lateral, 0.0);
    // above the threshold: A1·(d − h*)^B1 in cfs/acre with heights in ft
    const auto f2 = s.fluxes_at(theta, 4.5 * kFoot);
    EXPECT_NEAR(f2.lateral, 0.1 * 0.5 * kFoot / 43560.0, 1e-15);
    // while water infiltrates the zones do not evaporate
    s.step(1.0, 1e-3 * area, 0.0, e, 1.0, GroundwaterNode{0, 0, 0, 0});
    const auto f3 = s.fluxes_at(theta, d);
    EXPECT_EQ(f3.upper_evap, 0.0);
    EXPECT_EQ(f3.lower_evap, 0.0);
    EXPECT_NEAR(f3.infil, 1e-3, 1e-15);
}

// With θ at field capacity (no percolation), no evaporation or deep loss and a linear outflow
// A1·(d − h*), the lower zone recedes exponentially: d − h* = (d0 − h*)·exp(−A1'·t/(φ − θ)).
TEST(GroundwaterState, LinearRecessionMatchesTheClosedForm) {
    Aquifer a = hand_aquifer();
    a.upper_moisture = a.field_capacity;
    a.water_table_elev_m = 5.0 * kFoot;
    SubcatchGroundwater g = hand_groundwater();
    g.threshold_elev_m = 1.0 * kFoot;
    const double area = 5 * kAcre;
    GroundwaterState s(a, g, area, 1.0, kFoot / 43560.0, kFoot);
    const double rate = 0.1 / 43560.0;      // 1/s: A1 cfs/acre per ft of head, as ft/s per ft
    const double tau = (0.5 - 0.30) / rate; // time constant, s
    const double h0 = 4.0 * kFoot;          // initial head above the threshold
    const double v0 = s.stored_m3();
    double t = 0, out = 0;
    for (int k = 0; k < 96; ++k) { // one day in 15-minute steps
        s.step(900, 0, 0, 0, 1.0, GroundwaterNode{0, 0, 0, 0});
        t += 900;
        out += 0.5 * (s.old_flow_m3s() + s.new_flow_m3s()) * 900;
        const double h = h0 * std::exp(-t / tau);
        ASSERT_NEAR(s.lower_depth_m() - 1.0 * kFoot, h, 1e-6 * h0) << "t = " << t;
        ASSERT_NEAR(s.new_flow_m3s(), 0.1 * (h / kFoot) * kFoot / 43560.0 * area,
                    1e-5 * 0.1 * 4 * kFoot / 43560.0 * area);
    }
    EXPECT_NEAR(s.theta(), 0.30, 1e-12);
    // The volume lost from storage is the lateral outflow. SWMM sums it trapezoidally from a
    // zero flow at the start, so the first half step's outflow at the initial head is not in it.
    const double q0 = 0.1 * (h0 / kFoot) * kFoot / 43560.0 * area;
    EXPECT_NEAR(v0 - s.stored_m3(), out + 0.5 * q0 * 900, 1e-4 * out);
    EXPECT_NEAR(s.totals().lateral_m3, out, 1e-9 * out);
}

// ---------------------------------------------------------------------------------------------
// Example5 against EPA SWMM 5.2.4

using rencheng::test::read_gz;

namespace {

/// SWMM 5.2.4's groundwater continuity of a 5-acre model, inches, and its routing groundwater
/// inflow, acre-ft.
struct GroundwaterReport {
    double initial, infil, deep, lateral, final_storage, routed_acre_ft;
};

/// The subcatchment's runoff and the outfall's total inflow (runoff plus groundwater outflow) of
/// tests/validation/drainage/`folder`/`name`.inp at every report time against SWMM's
/// (`name`.csv.gz), and the groundwater continuity against SWMM's report.
void expect_groundwater_matches(const std::string& folder, const std::string& name,
                                const GroundwaterReport& swmm) {
    const fs::path dir =
        fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / folder;
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net);
    const auto& s = res.series;
    std::map<std::pair<std::int64_t, std::string>, double> ours;
    for (std::size_t k = 0; k < s.time_s.size(); ++k) {
        ours[{s.time_s[k], "runoff"}] = s.subcatch_runoff_m3s[k];
        ours[{s.time_s[k], "inflow"}] = s.node_inflow_m3s[k];
    }
    std::istringstream in(read_gz(dir / (name + ".csv.gz")));
    std::string line;
    std::getline(in, line);
    double max_err_runoff = 0, max_err_inflow = 0, peak_runoff = 0, peak_inflow = 0;
    double late_inflow_err = 0; // after the rain: groundwater outflow alone
    int compared = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string tok;
        while (std::getline(ls, tok, ','))
            f.push_back(tok);
        if (f.size() != 5)
            continue;
        const bool runoff = f[1] == "subcatch" && f[3] == "runoff_m3s";
        const bool inflow = f[1] == "node" && f[3] == "total_inflow_m3s";
        if (!runoff && !inflow)
            continue;
        const auto t = std::stoll(f[0]);
        const double ref = std::stod(f[4]);
        const auto it = ours.find({t, runoff ? "runoff" : "inflow"});
        ASSERT_NE(it, ours.end()) << "no result at " << t;
        ++compared;
        const double err = std::abs(it->second - ref);
        if (runoff) {
            max_err_runoff = std::max(max_err_runoff, err);
            peak_runoff = std::max(peak_runoff, ref);
        } else {
            max_err_inflow = std::max(max_err_inflow, err);
            peak_inflow = std::max(peak_inflow, ref);
            if (t > 12 * 3600)
                late_inflow_err = std::max(late_inflow_err, err / ref);
        }
    }
    std::printf("[ info ] %s: %d values; runoff max |dq| %.3g of peak %.3g m3/s; outfall "
                "inflow max |dq| %.3g of peak %.3g m3/s; groundwater-only inflow worst %.3f %%\n",
                name.c_str(), compared, max_err_runoff, peak_runoff, max_err_inflow, peak_inflow,
                100 * late_inflow_err);
    EXPECT_EQ(compared, 2 * 192);
    EXPECT_LE(max_err_runoff, 0.005 * peak_runoff);
    EXPECT_LE(max_err_inflow, 0.005 * peak_inflow);
    EXPECT_LE(late_inflow_err, 0.005);

    const auto& sum = res.summary;
    ASSERT_TRUE(sum.has_groundwater);
    const double to_in = 1.0 / (5 * kAcre) / kInch;
    const auto& g = sum.groundwater;
    std::printf("[ info ] %s groundwater (in): initial %.3f infil %.3f deep %.3f lateral "
                "%.3f final %.3f, error %.4f %%\n",
                name.c_str(), g.initial_storage_m3 * to_in, g.infil_m3 * to_in,
                g.deep_loss_m3 * to_in, g.lateral_m3 * to_in, g.final_storage_m3 * to_in,
                sum.groundwater_continuity_error_pct);
    EXPECT_NEAR(g.initial_storage_m3 * to_in, swmm.initial, 0.0005);
    EXPECT_NEAR(g.infil_m3 * to_in, swmm.infil, 0.005);
    EXPECT_NEAR(g.deep_loss_m3 * to_in, swmm.deep, 0.0015);
    EXPECT_NEAR(g.lateral_m3 * to_in, swmm.lateral, 0.01);
    EXPECT_NEAR(g.final_storage_m3 * to_in, swmm.final_storage, 0.01);
    EXPECT_NEAR(g.upper_evap_m3 + g.lower_evap_m3, 0.0, 1e-12); // no evaporation in the model
    EXPECT_LE(std::abs(sum.groundwater_continuity_error_pct), 0.01);
    EXPECT_LE(std::abs(sum.runoff_continuity_error_pct), 0.05);
    // routing continuity counts the groundwater inflow
    EXPECT_NEAR(sum.routing.groundwater_m3 / (43560 * kFoot * kFoot * kFoot), swmm.routed_acre_ft,
                0.005);
    EXPECT_LE(std::abs(sum.flow_routing_continuity_error_pct), 0.05);
}

} // namespace

// SWMM's groundwater example (report: 33.000, 1.391, 0.070, 1.828, 32.493 in; 0.762 acre-ft).
TEST(GroundwaterValidation, Example5MatchesSwmm) {
    expect_groundwater_matches("example5", "Example5",
                               {33.000, 1.391, 0.070, 1.828, 32.493, 0.762});
}

// Example5 with [GWF] expressions using every variable (gwf/gwf.inp): a LATERAL term added to
// the built-in flow and a DEEP loss in place of LGLR (report: 33.000, 1.391, 0.146, 1.797,
// 32.448 in; 0.749 acre-ft).
TEST(GroundwaterValidation, CustomFlowExpressionsMatchSwmm) {
    expect_groundwater_matches("gwf", "gwf", {33.000, 1.391, 0.146, 1.797, 32.448, 0.749});
}
