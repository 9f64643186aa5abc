// Tests of the steady-state gas solver: analytic single pipes and small networks (1e-9
// relative), regulators and compressors, the automatic pressure level, and per-component reports
// for components without a source or with unmet bounds.
#include <cmath>
#include <limits>
#include <numbers>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "gas/flow_equations.hpp"
#include "gas/steady_state.hpp"

namespace {

using namespace rencheng::gas;

constexpr double kRel = 1e-9;

ConnectionIndex pipe(Network& net, const std::string& id, NodeIndex a, NodeIndex b, double length_m,
                     double diameter_m, PressureClass c = PressureClass::kHigh) {
    const auto k = net.add_connection(id, ConnectionKind::kPipe, a, b);
    net.length_m[k.idx()] = length_m;
    net.diameter_m[k.idx()] = diameter_m;
    net.roughness_m[k.idx()] = 5e-5;
    net.pressure_class[k.idx()] = c;
    return k;
}

/// Source S at `p_source` feeding customer C (demand q) through one pipe.
Network single_pipe(FlowEquation e, double p_source, double q, PressureClass c) {
    Network net;
    net.flow_equation = e;
    net.gas.compressibility = 0.92;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = p_source;
    const auto cu = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[cu.idx()] = q;
    pipe(net, "P1", s, cu, 25e3, 0.5, c);
    return net;
}

/// Δπ = p_from² − p_to² of a squared-pressure pipe written out from the equations of
/// docs/gas.md, independently of LossLaw.
double expected_dpi(const Network& net, std::size_t k, double q) {
    const GasProperties& g = net.gas;
    const double d = net.diameter_m[k], l = net.length_m[k];
    if (net.flow_equation == FlowEquation::kGeneral) {
        const double re =
            4 * g.normal_density_kgm3 * q / (std::numbers::pi * d * g.dynamic_viscosity_pas);
        const double lambda = friction_factor(re, net.roughness_m[k], d);
        const double mdot = g.normal_density_kgm3 * q;
        return 16 * lambda * g.compressibility * (kGasConstant / g.molar_mass_kgmol) *
               g.temperature_k * l * mdot * mdot /
               (std::numbers::pi * std::numbers::pi * std::pow(d, 5));
    }
    // Weymouth in Menon's units, inverted: Q[m³/d] = C (Tb/Pb)·(Δ/(G T L Z))^m·D^b.
    const auto e = empirical_equation(net.flow_equation);
    const double c = e.constant_si * 86400 /
                     std::pow(1000.0, e.base_exponent - e.flow_exponent + e.diameter_exponent);
    const double qd = q * 86400;
    const double ratio =
        qd / (c * std::pow(kNormalTemperatureK / (kNormalPressurePa / 1000), e.base_exponent) *
              std::pow(d * 1000, e.diameter_exponent));
    const double dp_kpa2 = std::pow(ratio, 1 / e.flow_exponent) *
                           std::pow(g.relative_density(), e.gravity_exponent) * g.temperature_k *
                           (l / 1000) * g.compressibility;
    return dp_kpa2 * 1e6;
}

TEST(GasSteadyState, SinglePipeEveryEquationAnalytic) {
    for (auto e : {FlowEquation::kWeymouth, FlowEquation::kPanhandleA, FlowEquation::kPanhandleB,
                   FlowEquation::kGeneral}) {
        const double ps = 50e5, q = 20.0;
        const Network net = single_pipe(e, ps, q, PressureClass::kHigh);
        const auto r = solve_steady_state(net);
        ASSERT_TRUE(r.all_solved()) << flow_equation_name(e);
        const double pc = std::sqrt(ps * ps - expected_dpi(net, 0, q));
        EXPECT_NEAR(r.pressure_pa[1], pc, kRel * pc) << flow_equation_name(e);
        EXPECT_NEAR(r.flow_m3s[0], q, kRel * q);
        EXPECT_NEAR(r.injection_m3s[0], q, kRel * q);
        EXPECT_EQ(r.reference[0], 1);
    }
}

TEST(GasSteadyState, LowPressurePipeGb50028WithElevation) {
    Network net =
        single_pipe(FlowEquation::kGeneral, kNormalPressurePa + 3000, 0.02, PressureClass::kLow);
    net.length_m[0] = 400;
    net.diameter_m[0] = 0.1;
    net.elevation_m[1] = 30; // customer 30 m above the regulator outlet
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    const GasProperties& g = net.gas;
    const double re =
        4 * g.normal_density_kgm3 * 0.02 / (std::numbers::pi * 0.1 * g.dynamic_viscosity_pas);
    const double lambda = friction_factor(re, 5e-5, 0.1);
    const double dp = 8 * lambda * g.normal_density_kgm3 * (g.temperature_k / kNormalTemperatureK) *
                      400 * 0.02 * 0.02 / (std::numbers::pi * std::numbers::pi * std::pow(0.1, 5));
    const double gain = 9.80665 * (g.air_normal_density_kgm3 - g.normal_density_kgm3) * 30;
    const double expected = kNormalPressurePa + 3000 - dp + gain;
    EXPECT_NEAR(r.pressure_pa[1], expected, kRel * expected);
    EXPECT_GT(gain, 100.0); // the elevation term matters at low pressure
}

TEST(GasSteadyState, ParallelAndSeriesPipesAnalytic) {
    // S → J by two parallel Weymouth pipes, J → C by one: the split is q_i ∝ K_i.
    Network net;
    net.flow_equation = FlowEquation::kWeymouth;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 60e5;
    const auto j = net.add_node("J", NodeKind::kJunction);
    const auto c = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[c.idx()] = 30;
    pipe(net, "A", s, j, 40e3, 0.6);
    pipe(net, "B", s, j, 40e3, 0.4);
    pipe(net, "C1", j, c, 10e3, 0.5);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    const double ka = std::pow(0.6, 2.667), kb = std::pow(0.4, 2.667);
    EXPECT_NEAR(r.flow_m3s[0], 30 * ka / (ka + kb), kRel * 30);
    EXPECT_NEAR(r.flow_m3s[1], 30 * kb / (ka + kb), kRel * 30);
    const double pj = std::sqrt(60e5 * 60e5 - expected_dpi(net, 0, r.flow_m3s[0]));
    EXPECT_NEAR(r.pressure_pa[j.idx()], pj, kRel * pj);
    const double pc = std::sqrt(pj * pj - expected_dpi(net, 2, 30));
    EXPECT_NEAR(r.pressure_pa[c.idx()], pc, kRel * pc);
}

/// A meshed network: every node balances and every pipe obeys its law.
TEST(GasSteadyState, MeshBalancesAndObeysLaws) {
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 16e5;
    std::vector<NodeIndex> n;
    for (int i = 0; i < 6; ++i) {
        n.push_back(net.add_node("N" + std::to_string(i), NodeKind::kCustomer));
        net.demand_m3s[n.back().idx()] = 0.2 + 0.1 * i;
    }
    pipe(net, "p0", s, n[0], 2000, 0.3, PressureClass::kMedium);
    pipe(net, "p1", n[0], n[1], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p2", n[1], n[2], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p3", n[2], n[3], 1500, 0.15, PressureClass::kMedium);
    pipe(net, "p4", n[3], n[0], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p5", n[1], n[4], 900, 0.1, PressureClass::kMedium);
    pipe(net, "p6", n[4], n[5], 900, 0.1, PressureClass::kMedium);
    pipe(net, "p7", n[5], n[2], 900, 0.1, PressureClass::kMedium);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    double total = 0;
    for (double d : net.demand_m3s)
        total += d;
    for (double b : node_balance_m3s(net, r.flow_m3s, r.injection_m3s))
        EXPECT_LT(std::abs(b), 1e-12 * total);
    for (std::int32_t k = 0; k < net.connection_count(); ++k) {
        const auto ku = static_cast<std::size_t>(k);
        const double pa = r.pressure_pa[net.from_node[ku].idx()];
        const double pb = r.pressure_pa[net.to_node[ku].idx()];
        double dd = 0;
        const double h = make_loss_law(net, k).head(r.flow_m3s[ku], dd);
        EXPECT_NEAR(pa * pa - pb * pb, h, 1e-9 * std::abs(pa * pa - pb * pb) + 1e-3);
        EXPECT_EQ(r.flow_m3s[ku] > 0, pa > pb) << net.connection_id[ku];
    }
    EXPECT_NEAR(r.injection_m3s[0], total, 1e-12 * total);
}

TEST(GasSteadyState, RegulatorHoldsItsOutletAndPassesTheDemand) {
    // High-pressure source → pipe → regulator (outlet 2.5 kPa gauge) → low-pressure main.
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 4e5;
    const auto in = net.add_node("RI", NodeKind::kJunction);
    const auto out = net.add_node("RO", NodeKind::kJunction);
    const auto c = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[c.idx()] = 0.05;
    net.pressure_min_pa[c.idx()] = kNormalPressurePa + 1500;
    pipe(net, "M", s, in, 3000, 0.2, PressureClass::kMedium);
    const auto reg = net.add_connection("REG", ConnectionKind::kRegulator, in, out);
    net.outlet_set_pressure_pa[reg.idx()] = kNormalPressurePa + 2500;
    pipe(net, "L", out, c, 200, 0.1, PressureClass::kLow);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved()) << (r.components[0].messages.empty() ? ""
                                                                     : r.components[0].messages[0]);
    EXPECT_DOUBLE_EQ(r.pressure_pa[out.idx()], kNormalPressurePa + 2500);
    EXPECT_NEAR(r.flow_m3s[reg.idx()], 0.05, 1e-12);
    EXPECT_NEAR(r.flow_m3s[0], 0.05, 1e-12);
    EXPECT_LT(r.pressure_pa[c.idx()], r.pressure_pa[out.idx()]);
    EXPECT_GT(r.pressure_pa[in.idx()], r.pressure_pa[out.idx()]);
    // A set-point above the inlet pressure is reported, naming the regulator.
    net.outlet_set_pressure_pa[reg.idx()] = 5e5;
    const auto bad = solve_steady_state(net);
    EXPECT_EQ(bad.components[0].status, ComponentStatus::kInfeasible);
    bool named = false;
    for (const auto& m : bad.components[0].messages)
        named = named || m.find("REG") != std::string::npos;
    EXPECT_TRUE(named);
}

TEST(GasSteadyState, CompressorRatioMode) {
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 40e5;
    const auto a = net.add_node("A", NodeKind::kJunction);
    const auto b = net.add_node("B", NodeKind::kJunction);
    const auto c = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[c.idx()] = 50;
    pipe(net, "P1", s, a, 50e3, 0.8);
    const auto cs = net.add_connection("CS", ConnectionKind::kCompressor, a, b);
    net.compressor_mode[cs.idx()] = CompressorMode::kRatio;
    net.pressure_ratio[cs.idx()] = 1.4;
    pipe(net, "P2", b, c, 80e3, 0.8);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    EXPECT_NEAR(r.pressure_pa[b.idx()], 1.4 * r.pressure_pa[a.idx()], 1e-9 * 56e5);
    EXPECT_NEAR(r.flow_m3s[cs.idx()], 50, 1e-9 * 50);
    const double pc = std::sqrt(std::pow(r.pressure_pa[b.idx()], 2) - expected_dpi(net, 2, 50));
    EXPECT_NEAR(r.pressure_pa[c.idx()], pc, kRel * pc);
}

TEST(GasSteadyState, AutomaticLevelIsTheHighestWithinBounds) {
    // GasLib mode: the entry has a nomination and bounds but no set-point.
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.demand_m3s[s.idx()] = -25;
    net.pressure_max_pa[s.idx()] = 70e5;
    net.pressure_min_pa[s.idx()] = 1e5;
    const auto c = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[c.idx()] = 25;
    net.pressure_max_pa[c.idx()] = 60e5;
    net.pressure_min_pa[c.idx()] = 40e5;
    pipe(net, "P", s, c, 30e3, 0.5);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    EXPECT_NEAR(r.pressure_pa[c.idx()], 60e5, 1e-9 * 60e5); // the customer's bound binds
    EXPECT_NEAR(r.injection_m3s[s.idx()], 25, 1e-9 * 25);
    // Unbalanced nomination: the reference must supply more than nominated → reported.
    net.demand_m3s[c.idx()] = 30;
    const auto r2 = solve_steady_state(net);
    EXPECT_EQ(r2.components[0].status, ComponentStatus::kInfeasible);
    EXPECT_NE(r2.components[0].messages.front().find("'S'"), std::string::npos);
}

TEST(GasSteadyState, EveryComponentReportedOnItsOwn) {
    Network net = single_pipe(FlowEquation::kGeneral, 5e5, 1.0, PressureClass::kMedium);
    // A second, separate component with a customer and no source.
    const auto j = net.add_node("J", NodeKind::kJunction);
    const auto orphan = net.add_node("ORPHAN", NodeKind::kCustomer);
    net.demand_m3s[orphan.idx()] = 0.1;
    pipe(net, "P9", j, orphan, 100, 0.1, PressureClass::kMedium);
    // And a closed valve to a third part fed by nobody.
    const auto x = net.add_node("X", NodeKind::kCustomer);
    net.demand_m3s[x.idx()] = 0.1;
    const auto v = net.add_connection("V", ConnectionKind::kValve, NodeIndex{1}, x);
    net.open[v.idx()] = 0;
    const auto r = solve_steady_state(net);
    ASSERT_EQ(r.components.size(), 3u);
    EXPECT_EQ(r.components[0].status, ComponentStatus::kSolved);
    EXPECT_EQ(r.components[1].status, ComponentStatus::kNoSource);
    EXPECT_NE(r.components[1].messages.front().find("'J'"), std::string::npos);
    EXPECT_EQ(r.components[2].status, ComponentStatus::kNoSource);
    EXPECT_TRUE(std::isfinite(r.pressure_pa[1]));
    EXPECT_TRUE(std::isnan(r.pressure_pa[orphan.idx()]));
    EXPECT_TRUE(std::isnan(r.pressure_pa[x.idx()]));
    EXPECT_EQ(r.flow_m3s[v.idx()], 0.0);
    EXPECT_FALSE(r.all_solved());
}

TEST(GasSteadyState, BelowMinimumPressureIsReportedByNode) {
    Network net = single_pipe(FlowEquation::kGeneral, 3e5, 2.0, PressureClass::kMedium);
    net.pressure_min_pa[1] = 2.9e5;
    const auto r = solve_steady_state(net);
    EXPECT_EQ(r.components[0].status, ComponentStatus::kInfeasible);
    ASSERT_FALSE(r.components[0].messages.empty());
    EXPECT_NE(r.components[0].messages.front().find("node 'C'"), std::string::npos);
    EXPECT_TRUE(std::isfinite(r.pressure_pa[1])); // values are still given
}

TEST(GasSteadyState, ShortPipesAndValvesCarryTheFlow) {
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 5e5;
    const auto a = net.add_node("A", NodeKind::kJunction);
    const auto b = net.add_node("B", NodeKind::kJunction);
    const auto c = net.add_node("C", NodeKind::kCustomer);
    net.demand_m3s[c.idx()] = 0.7;
    net.demand_m3s[a.idx()] = 0.2;
    const auto sp = net.add_connection("SP", ConnectionKind::kShortPipe, s, a);
    const auto v = net.add_connection("V", ConnectionKind::kValve, a, b);
    pipe(net, "P", b, c, 1000, 0.2, PressureClass::kMedium);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved());
    EXPECT_NEAR(r.flow_m3s[sp.idx()], 0.9, 1e-12);
    EXPECT_NEAR(r.flow_m3s[v.idx()], 0.7, 1e-12);
    EXPECT_DOUBLE_EQ(r.pressure_pa[b.idx()], 5e5);
    for (double bal : node_balance_m3s(net, r.flow_m3s, r.injection_m3s))
        EXPECT_LT(std::abs(bal), 1e-12);
}

TEST(GasSteadyState, TwoSolvesSideBySideGiveTheSameNumbers) {
    const Network a = single_pipe(FlowEquation::kGeneral, 50e5, 20, PressureClass::kHigh);
    const Network b = single_pipe(FlowEquation::kWeymouth, 30e5, 5, PressureClass::kHigh);
    const auto ra = solve_steady_state(a);
    const auto rb = solve_steady_state(b);
    SteadyStateResult ta, tb;
    std::thread t1([&] { ta = solve_steady_state(a); });
    std::thread t2([&] { tb = solve_steady_state(b); });
    t1.join();
    t2.join();
    EXPECT_EQ(ta.pressure_pa, ra.pressure_pa);
    EXPECT_EQ(tb.pressure_pa, rb.pressure_pa);
    EXPECT_EQ(ta.flow_m3s, ra.flow_m3s);
}

/// The mesh of MeshBalancesAndObeysLaws with the source at `p_source`.
Network mesh(double p_source) {
    Network net;
    const auto s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = p_source;
    std::vector<NodeIndex> n;
    for (int i = 0; i < 6; ++i) {
        n.push_back(net.add_node("N" + std::to_string(i), NodeKind::kCustomer));
        net.demand_m3s[n.back().idx()] = 0.2 + 0.1 * i;
    }
    pipe(net, "p0", s, n[0], 2000, 0.3, PressureClass::kMedium);
    pipe(net, "p1", n[0], n[1], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p2", n[1], n[2], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p3", n[2], n[3], 1500, 0.15, PressureClass::kMedium);
    pipe(net, "p4", n[3], n[0], 1500, 0.2, PressureClass::kMedium);
    pipe(net, "p5", n[1], n[4], 900, 0.1, PressureClass::kMedium);
    pipe(net, "p6", n[4], n[5], 900, 0.1, PressureClass::kMedium);
    pipe(net, "p7", n[5], n[2], 900, 0.1, PressureClass::kMedium);
    return net;
}

TEST(GasSteadyState, WarmStartGivesTheSameStateInFewerIterations) {
    // A draw-down step: the source pressure falls, the demands stay, so the flows stay.
    const auto before = solve_steady_state(mesh(16e5));
    ASSERT_TRUE(before.all_solved());
    const Network net = mesh(12e5);
    const auto cold = solve_steady_state(net);
    const auto warm = solve_steady_state(net, {}, before.flow_m3s);
    ASSERT_TRUE(cold.all_solved());
    ASSERT_TRUE(warm.all_solved());
    EXPECT_GE(cold.iterations, 4);
    EXPECT_LE(warm.iterations, 2);
    for (std::size_t i = 0; i < cold.pressure_pa.size(); ++i)
        EXPECT_NEAR(warm.pressure_pa[i], cold.pressure_pa[i], 1e-9 * cold.pressure_pa[i]);
    for (std::size_t k = 0; k < cold.flow_m3s.size(); ++k)
        EXPECT_NEAR(warm.flow_m3s[k], cold.flow_m3s[k], 1e-9 * 2.7);
    // A start far off (every flow reversed, one not given) still reaches the same state.
    std::vector<double> wrong = before.flow_m3s;
    for (double& q : wrong)
        q = -3.0 * q;
    wrong[2] = std::numeric_limits<double>::quiet_NaN();
    const auto far = solve_steady_state(net, {}, wrong);
    ASSERT_TRUE(far.all_solved());
    for (std::size_t i = 0; i < cold.pressure_pa.size(); ++i)
        EXPECT_NEAR(far.pressure_pa[i], cold.pressure_pa[i], 1e-9 * cold.pressure_pa[i]);
    // One flow per connection or nothing.
    EXPECT_THROW((void)solve_steady_state(net, {}, std::vector<double>(3, 0.0)), rencheng::Error);
}

TEST(GasSteadyState, OptionsAreValidated) {
    SteadyStateOptions o;
    o.max_iterations = 0;
    EXPECT_THROW(o.validate(), rencheng::Error);
    o = {};
    o.flow_tolerance = 0;
    EXPECT_THROW(o.validate(), rencheng::Error);
}

} // namespace
