// Tests of water service metrics: Todini's index against hand calculations, service reasons,
// pressure deficits and the satisfaction ratio over time.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "parse_ok.hpp"
#include "water/damage.hpp"
#include "water/epanet_inp.hpp"
#include "water/metrics.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

TEST(Metrics, TodiniByHand) {
    // R1 (head 100) feeds J1 (elev 10, 0.02 m³/s) and J2 (elev 20, 0.01 m³/s).
    const Network net =
        parse_ok("[JUNCTIONS]\n J1 10 20\n J2 20 10\n[RESERVOIRS]\n R1 100\n[PIPES]\n"
                 " P1 R1 J1 1000 300 130\n P2 J1 J2 800 200 120\n[OPTIONS]\n UNITS LPS\n");
    // Heads chosen by hand (the index needs no solve): J1 80 m, J2 70 m; flows P1 0.03, P2 0.01.
    const std::vector<double> head{80, 70, 100};
    const std::vector<double> delivered{0.02, 0.01, 0};
    const std::vector<double> flow{0.03, 0.01};
    // Required pressure 15 m: h* = 25, 35. Surplus 0.02·55 + 0.01·35 = 1.45;
    // input 0.03·100 = 3; needed 0.02·25 + 0.01·35 = 0.85; I_r = 1.45 / 2.15.
    EXPECT_NEAR(todini_index(net, head, delivered, flow, 15.0), 1.45 / 2.15, 1e-12);
}

TEST(Metrics, TodiniCountsPumpEnergy) {
    // R1 (head 10) → pump → J1 (elev 0, 0.05 m³/s); pump head gain 40 m.
    const Network net =
        parse_ok("[JUNCTIONS]\n J1 0 50\n J0 0 0\n[RESERVOIRS]\n R1 10\n[PIPES]\n"
                 " P1 R1 J0 10 300 130\n[PUMPS]\n PU1 J0 J1 HEAD C1\n[CURVES]\n C1 50 40\n"
                 "[OPTIONS]\n UNITS LPS\n");
    const std::vector<double> head{48, 9, 10};
    const std::vector<double> delivered{0.05, 0, 0};
    const std::vector<double> flow{0.05, 0.05};
    // Input: 0.05·10 + 0.05·(48 − 9) = 2.45; needed (h* = 20): 1.0; surplus 0.05·28 = 1.4.
    EXPECT_NEAR(todini_index(net, head, delivered, flow, 20.0), 1.4 / 1.45, 1e-12);
}

TEST(Metrics, SolvedTodiniMatchesFormula) {
    const Network net = parse_ok("[JUNCTIONS]\n J1 10 10\n[RESERVOIRS]\n R1 100\n[PIPES]\n"
                                 " P1 R1 J1 1000 300 130\n[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    const DamageResult r = simulate_damage(net, topo, DamageState{}, EpsOptions{});
    MetricsOptions mo;
    mo.required_pressure_m = 20;
    const ServiceSnapshot s = service_snapshot(net, r.steps[0], mo);
    const double h1 = r.steps[0].head_m[0];
    // One demand, one reservoir: I_r = q (h1 − 30) / (q·100 − q·30).
    EXPECT_NEAR(s.todini_index, (h1 - 30) / 70, 1e-9);
    EXPECT_EQ(s.nodes[0].reason, ServiceReason::kServed);
    EXPECT_EQ(s.nodes[0].pressure_deficit_m, 0.0);
    EXPECT_DOUBLE_EQ(s.satisfaction_ratio, 1.0);
}

TEST(Metrics, PressureDeficitAndPartialService) {
    // PDA with 20 m required; the junction sits at ~15 m: partial service, deficit ~5 m.
    const Network net = parse_ok(
        "[JUNCTIONS]\n J1 0 10\n[RESERVOIRS]\n R1 15\n[PIPES]\n P1 R1 J1 1 1000 140\n"
        "[OPTIONS]\n UNITS LPS\n DEMAND MODEL PDA\n MINIMUM PRESSURE 0\n REQUIRED PRESSURE 20\n");
    const HydraulicTopology topo(net);
    const DamageResult r = simulate_damage(net, topo, DamageState{}, EpsOptions{});
    const ServiceSnapshot s = service_snapshot(net, r.steps[0], MetricsOptions{});
    const NodeService& ns = s.nodes[0];
    EXPECT_EQ(ns.reason, ServiceReason::kPartial);
    EXPECT_NEAR(ns.pressure_deficit_m, 20 - ns.pressure_m, 1e-12);
    EXPECT_NEAR(ns.pressure_deficit_m, 5, 0.01);
    EXPECT_NEAR(ns.ratio, std::sqrt(ns.pressure_m / 20), 1e-6);
    EXPECT_NEAR(s.satisfaction_ratio, ns.ratio, 1e-12);
    EXPECT_EQ(service_reason_name(ServiceReason::kCutOff),
              "no water: cut off from every tank and reservoir");
}

TEST(Metrics, SatisfactionOverTimeIsWeightedByStepLength) {
    // A closure from a pattern-free network: 1/2 of the demand is cut off at every step.
    const Network net =
        parse_ok("[JUNCTIONS]\n J1 0 5\n J2 0 5\n[RESERVOIRS]\n R1 60\n[PIPES]\n"
                 " P1 R1 J1 500 200 120\n P2 J1 J2 500 200 120\n[TIMES]\n DURATION 3:00\n"
                 "[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    DamageState d;
    d.closed_links.push_back(net.find_link("P2"));
    const DamageResult r = simulate_damage(net, topo, d, EpsOptions{});
    const ServiceMetrics m = service_metrics(net, r, MetricsOptions{});
    ASSERT_EQ(m.times.size(), 4u);
    EXPECT_NEAR(m.satisfaction_ratio, 0.5, 1e-12);
    for (const auto& t : m.times)
        EXPECT_EQ(t.nodes_without_water, 1);
}
