// EPANET 2.3 pipe leakage ([LEAKAGE], the FAVAD law): the law by hand, no leakage without
// pressure, continuity, and the damage model's accounting. The comparisons with EPANET 2.3.5 are
// tests/validation/water/net1-leakage, leakage-si and leakage-si-pda (WaterReferenceValidation).
#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "parse_ok.hpp"
#include "water/damage.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/head_loss.hpp"
#include "water/hydraulics.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;
namespace fs = std::filesystem;

namespace {

// R1 (head 60 m) - P1 (500 m) - J1 (elevation 10 m, 5 L/s) - P2 (400 m) - J2 (elevation 12 m).
// Leak areas in mm² per 100 m of pipe, expansions in mm² per m of pressure head per 100 m.
const char* const kLine = "[JUNCTIONS]\n J1 10 5\n J2 12 0\n[RESERVOIRS]\n R1 60\n"
                          "[PIPES]\n P1 R1 J1 500 200 120\n P2 J1 J2 400 150 120\n"
                          "[LEAKAGE]\n P1 2.0 0.01\n P2 1.0 0.02\n[OPTIONS]\n UNITS LPS\n";

} // namespace

TEST(Leakage, FavadLawByHand) {
    const Network net = parse_ok(kLine);
    const HydraulicTopology topo(net);
    ASSERT_TRUE(topo.has_leakage);
    const EpsResult res = simulate_eps(net, topo, EpsOptions{});
    ASSERT_TRUE(res.converged) << res.message;
    ASSERT_EQ(res.reports.size(), 1U);
    const EpsSnapshot& s = res.reports[0];
    ASSERT_EQ(s.leakage_m3s.size(), 3U);
    // P1 ends at the reservoir: all of its leakage leaves at J1; P2's goes half to each end.
    // Per junction: A = Σ area × length / 100 (mm²), M = Σ expansion × length / 100 (mm²/m).
    const double a1 = 2.0 * 5.0 + 1.0 * 4.0 / 2.0, m1 = 0.01 * 5.0 + 0.02 * 4.0 / 2.0;
    const double a2 = 1.0 * 4.0 / 2.0, m2 = 0.02 * 4.0 / 2.0;
    // q = Co (A + M p) √p with EPANET's Co = 0.6 √(2g) = 4.8149766 ft^0.5/s (g = 32.2 ft/s²)
    // and mm² → ft²; in SI units Co = 4.8149766e-6 · cfs / 0.3048^2.5 per mm², about
    // 0.6 √(2 · 9.81) · 1e-6 m^0.5/s.
    const double co =
        4.8149766e-6 * epanet_cfs(FlowUnits::kLps) / std::pow(epanet_units::kFoot, 2.5);
    EXPECT_NEAR(co, 0.6 * std::sqrt(2.0 * 9.80665) * 1e-6, 5e-4 * co);
    const double p1 = s.head_m[0] - 10.0, p2 = s.head_m[1] - 12.0;
    ASSERT_GT(p1, 0.0);
    ASSERT_GT(p2, 0.0);
    EXPECT_NEAR(s.leakage_m3s[0], co * (a1 + m1 * p1) * std::sqrt(p1), 1e-7 * s.leakage_m3s[0]);
    EXPECT_NEAR(s.leakage_m3s[1], co * (a2 + m2 * p2) * std::sqrt(p2), 1e-7 * s.leakage_m3s[1]);
    EXPECT_GT(s.leakage_m3s[0], 1e-4); // a real share of the flow, not a rounding
    // The reported demand is EPANET 2.3's: consumer demand plus leakage. The reservoir supplies
    // both, and P2 carries J2's leakage.
    EXPECT_NEAR(s.demand_m3s[0], 0.005 + s.leakage_m3s[0], 1e-12);
    EXPECT_NEAR(s.demand_m3s[1], s.leakage_m3s[1], 1e-12);
    EXPECT_NEAR(-s.demand_m3s[2], 0.005 + s.leakage_m3s[0] + s.leakage_m3s[1], 1e-12);
    EXPECT_NEAR(s.flow_m3s[1], s.leakage_m3s[1], 1e-12);
    EXPECT_LT(res.max_mass_balance_error, 1e-9);
}

TEST(Leakage, NoneWithoutPressure) {
    // J2 stands above the reservoir's head: its pressure is negative and it leaks nothing (the
    // law's barrier), while J1 leaks as usual.
    const Network net = parse_ok("[JUNCTIONS]\n J1 10 5\n J2 70 0\n[RESERVOIRS]\n R1 60\n"
                                 "[PIPES]\n P1 R1 J1 500 200 120\n P2 J1 J2 400 150 120\n"
                                 "[LEAKAGE]\n P1 2.0 0.01\n P2 1.0 0.02\n[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    const EpsResult res = simulate_eps(net, topo, EpsOptions{});
    ASSERT_TRUE(res.converged) << res.message;
    const EpsSnapshot& s = res.reports[0];
    EXPECT_LT(s.head_m[1] - 70.0, 0.0);
    // the barrier leaves p / 1e9 cfs per ft of negative pressure: −2e-9 m³/s here, as EPANET
    EXPECT_NEAR(s.leakage_m3s[1], 0.0, 1e-8);
    EXPECT_GT(s.leakage_m3s[0], 1e-4);
}

TEST(Leakage, AbsentWithoutTheSection) {
    const Network net =
        parse_ok("[JUNCTIONS]\n J1 10 5\n[RESERVOIRS]\n R1 60\n[PIPES]\n P1 R1 J1 500 200 120\n"
                 "[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    EXPECT_FALSE(topo.has_leakage);
    const EpsResult res = simulate_eps(net, topo, EpsOptions{});
    EXPECT_TRUE(res.reports[0].leakage_m3s.empty());
    EXPECT_DOUBLE_EQ(res.reports[0].demand_m3s[0], 0.005);
}

TEST(Leakage, DamageAccountsForIt) {
    // A leak (damage) at J2 beside the network's own pipe leakage: delivered demand is the
    // consumers' alone, the pipe leakage counts with the network's own emitters, and supply
    // balances demand, damage leaks, emitters and leakage.
    const Network net = parse_ok(kLine);
    const HydraulicTopology topo(net);
    DamageState d;
    Leak l;
    l.node = net.find_node("J2");
    l.area_m2 = 1e-4;
    d.leaks.push_back(l);
    const DamageResult res = simulate_damage(net, topo, d, EpsOptions{});
    ASSERT_FALSE(res.steps.empty());
    const DamageStep& st = res.steps[0];
    EXPECT_NEAR(st.delivered_m3s[0], 0.005, 1e-9);
    EXPECT_NEAR(st.delivered_m3s[1], 0.0, 1e-9);
    EXPECT_GT(st.leak_total_m3s, 1e-4);
    EXPECT_GT(st.emitter_m3s, 1e-4); // the pipe leakage
    EXPECT_NEAR(st.supply_m3s, st.demand_m3s + st.leak_total_m3s + st.emitter_m3s, 1e-9);
    EXPECT_LT(res.max_mass_balance_error, 1e-6);
}
