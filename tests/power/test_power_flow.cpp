// Tests of the power flow solvers: Ybus, Newton-Raphson, fast-decoupled, DC, reactive limits.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "core/units.hpp"
#include "power/matpower.hpp"
#include "power/power_flow.hpp"
#include "power/results_csv.hpp"

namespace rencheng::power {
namespace {

Network load_case(const std::string& name) {
    Diagnostics d;
    Network net = read_matpower(std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" /
                                    "validation" / "power" / name / (name + ".m"),
                                d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return net;
}

Network parse_ok(const std::string& text) {
    Diagnostics d;
    Network net = parse_matpower(text, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return net;
}

/// Two buses joined by a transformer with tap 0.95 and shift 10°, and a load.
constexpr const char* kTwoBus = R"(function mpc = two
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
 1 3 0 0 0 0 1 1 0 110 1 1.1 0.9;
 2 1 50 20 5 10 1 1 0 110 1 1.1 0.9;
];
mpc.gen = [ 1 0 0 100 -100 1.02 100 1 200 0 ];
mpc.branch = [ 1 2 0.01 0.1 0.02 0 0 0 0.95 10 1 -360 360 ];
)";

TEST(Ybus, TransformerWithPhaseShiftAndShunt) {
    const Network net = parse_ok(kTwoBus);
    const Admittance y = make_ybus(net);
    ASSERT_EQ(y.n, 2);
    ASSERT_EQ(y.row.size(), 4u);
    const std::complex<double> ys = 1.0 / std::complex<double>(0.01, 0.1);
    const std::complex<double> tap = std::polar(0.95, 10 * units::kDegree);
    const std::complex<double> ytt = ys + std::complex<double>(0, 0.01);
    // Column 0: (0,0) Yff, (1,0) Ytf; column 1: (0,1) Yft, (1,1) Ytt + shunt.
    EXPECT_NEAR(std::abs(y.value[0] - ytt / (0.95 * 0.95)), 0, 1e-12);
    EXPECT_NEAR(std::abs(y.value[1] - (-ys / tap)), 0, 1e-12);
    EXPECT_NEAR(std::abs(y.value[2] - (-ys / std::conj(tap))), 0, 1e-12);
    EXPECT_NEAR(std::abs(y.value[3] - (ytt + std::complex<double>(0.05, 0.10))), 0, 1e-12);
}

TEST(NewtonPowerFlow, Case9ConvergesLikeMatpower) {
    const Network net = load_case("case9");
    PowerFlowOptions o;
    o.tolerance_pu = 1e-10;
    o.max_iterations = 30;
    const auto r = solve_power_flow(net, o);
    ASSERT_TRUE(r.converged);
    EXPECT_EQ(r.iterations, 4); // REFERENCE.md §4
    EXPECT_LT(r.max_mismatch_pu, 1e-10);
    EXPECT_TRUE(r.worst_bus.valid());
    EXPECT_NEAR(r.vm_pu[8], 0.9956308580482945, 1e-9);
    EXPECT_NEAR(r.pg_pu[0] * 100, 71.64102147448236, 1e-7);
    EXPECT_NE(r.summary(net).find("converged after 4 iterations"), std::string::npos)
        << r.summary(net);
}

TEST(NewtonPowerFlow, SymbolicAnalysisIsReused) {
    Network net = load_case("case118");
    PowerFlowSolver solver(net);
    const auto a = solver.solve();
    ASSERT_TRUE(a.converged);
    EXPECT_EQ(a.symbolic_analyses, 1);
    net.buses.pd_pu[10] *= 1.1; // a new load: same pattern, only refactorisation
    const auto b = solver.solve();
    ASSERT_TRUE(b.converged);
    EXPECT_EQ(b.symbolic_analyses, 0);
    EXPECT_NE(a.va_rad[10], b.va_rad[10]);
}

TEST(NewtonPowerFlow, TwoSolversSideBySide) {
    const Network a = load_case("case14");
    Network b = load_case("case14");
    b.buses.pd_pu[3] *= 0.5;
    PowerFlowSolver sa(a), sb(b);
    const auto ra1 = sa.solve();
    const auto rb = sb.solve();
    const auto ra2 = sa.solve();
    EXPECT_EQ(ra1.va_rad, ra2.va_rad);
    EXPECT_NE(ra1.va_rad[3], rb.va_rad[3]);
}

TEST(FastDecoupled, XbAndBxAgreeWithNewton) {
    for (const char* name : {"case14", "case30", "case118"}) {
        const Network net = load_case(name);
        PowerFlowOptions o;
        o.tolerance_pu = 1e-10;
        const auto nr = solve_power_flow(net, o);
        for (auto m : {PowerFlowMethod::kFastDecoupledXb, PowerFlowMethod::kFastDecoupledBx}) {
            o.method = m;
            o.max_iterations = 100;
            const auto fd = solve_power_flow(net, o);
            ASSERT_TRUE(fd.converged) << name << " " << method_name(m);
            EXPECT_GT(fd.iterations, nr.iterations);
            for (std::size_t i = 0; i < nr.vm_pu.size(); ++i) {
                EXPECT_NEAR(fd.vm_pu[i], nr.vm_pu[i], 1e-8) << name;
                EXPECT_NEAR(fd.va_rad[i], nr.va_rad[i], 1e-8) << name;
            }
        }
    }
}

TEST(QLimits, GeneratorAtItsLimitTurnsItsBusToPq) {
    Network net = load_case("case9");
    net.gens.qmax_pu[2] = -0.2; // gen 3 needs about -10.9 MVAr; hold it to -20
    net.gens.qmin_pu[2] = -0.5;
    PowerFlowOptions o;
    o.tolerance_pu = 1e-10;
    const auto free = solve_power_flow(net, o);
    ASSERT_TRUE(free.converged);
    EXPECT_GT(free.qg_pu[2], -0.2);
    o.enforce_q_limits = true;
    const auto r = solve_power_flow(net, o);
    ASSERT_TRUE(r.converged);
    ASSERT_EQ(r.q_limited.size(), 1u);
    EXPECT_EQ(r.q_limited[0].value(), 2);
    EXPECT_DOUBLE_EQ(r.qg_pu[2], -0.2);
    EXPECT_EQ(r.bus_type[2], BusType::kPq);
    EXPECT_NE(r.vm_pu[2], 1.025); // no longer held
    EXPECT_LT(r.max_mismatch_pu, 1e-10);
}

/// MATPOWER's own test of reactive limits (lib/t/t_pf_ac.m): case14 with tightened limits.
Network case14_tight() {
    Network net = load_case("case14");
    net.gens.qmin_pu[0] = -0.10;
    const double qmax_mvar[] = {10, 30, 29, 15, 15};
    for (std::size_t g = 0; g < 5; ++g)
        net.gens.qmax_pu[g] = qmax_mvar[g] / 100;
    return net;
}

TEST(QLimits, MatpowerCase14WithoutLimits) {
    const auto r = solve_power_flow(case14_tight());
    ASSERT_TRUE(r.converged);
    const double qg[] = {-16.549300542, 43.557100134, 25.075348495, 12.730944405, 17.623451366};
    for (std::size_t g = 0; g < 5; ++g)
        EXPECT_NEAR(r.qg_pu[g] * 100, qg[g], 1e-6) << g;
}

TEST(QLimits, MatpowerCase14AllAtOnceIsInfeasible) {
    PowerFlowOptions o;
    o.enforce_q_limits = true;
    const auto r = solve_power_flow(case14_tight(), o);
    EXPECT_FALSE(r.converged);
    const double qg[] = {-10, 30, 31.608422873, 16.420423190, 15};
    for (std::size_t g = 0; g < 5; ++g)
        EXPECT_NEAR(r.qg_pu[g] * 100, qg[g], 1e-4) << g;
    EXPECT_EQ(r.bus_type[0], BusType::kPq);
    EXPECT_EQ(r.bus_type[1], BusType::kPq);
    EXPECT_EQ(r.bus_type[2], BusType::kRef);
    EXPECT_EQ(r.bus_type[5], BusType::kPv);
    EXPECT_EQ(r.bus_type[7], BusType::kPq);
}

TEST(QLimits, MatpowerCase14OneAtATime) {
    PowerFlowOptions o;
    o.enforce_q_limits = true;
    o.q_limits_one_at_a_time = true;
    const auto r = solve_power_flow(case14_tight(), o);
    ASSERT_TRUE(r.converged);
    const double qg[] = {-6.30936644, 30, 29, 15, 15};
    for (std::size_t g = 0; g < 5; ++g)
        EXPECT_NEAR(r.qg_pu[g] * 100, qg[g], 1e-5) << g;
    EXPECT_EQ(r.bus_type[0], BusType::kRef);
    for (std::size_t b : {1, 2, 5, 7})
        EXPECT_EQ(r.bus_type[b], BusType::kPq) << b;
}

TEST(QLimits, MatpowerCase14DefaultLimits) {
    PowerFlowOptions o;
    o.enforce_q_limits = true;
    o.tolerance_pu = 1e-9;
    const auto r = solve_power_flow(load_case("case14"), o);
    ASSERT_TRUE(r.converged);
    EXPECT_EQ(r.iterations, 5);
    EXPECT_EQ(r.va_rad[0], 0);
}

TEST(QLimits, InfeasibleWhenEveryGeneratorIsOutside) {
    Network net = load_case("case9");
    for (auto& q : net.gens.qmax_pu)
        q = -5;
    for (auto& q : net.gens.qmin_pu)
        q = -6;
    PowerFlowOptions o;
    o.enforce_q_limits = true;
    EXPECT_FALSE(solve_power_flow(net, o).converged);
}

TEST(DcPowerFlow, ThreeBusByHand) {
    // Bus 1 slack, buses 2 and 3 loads; lines 1-2 x=0.1, 2-3 x=0.2 with shift 5°, 1-3 x=0.25.
    const Network net = parse_ok(R"(function mpc = three
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
 1 3 0 0 0 0 1 1 0 110 1 1.1 0.9;
 2 1 60 0 0 0 1 1 0 110 1 1.1 0.9;
 3 1 40 0 10 0 1 1 0 110 1 1.1 0.9;
];
mpc.gen = [ 1 0 0 100 -100 1 100 1 200 0 ];
mpc.branch = [
 1 2 0 0.1 0 0 0 0 0 0 1 -360 360;
 2 3 0 0.2 0 0 0 0 0 5 1 -360 360;
 1 3 0 0.25 0 0 0 0 0 0 1 -360 360;
];
)");
    PowerFlowOptions o;
    o.method = PowerFlowMethod::kDc;
    const auto r = solve_power_flow(net, o);
    ASSERT_TRUE(r.converged);
    // Balance: slack = 60 + 40 + 10 (shunt conductance as load) = 110 MW.
    EXPECT_NEAR(r.pg_pu[0], 1.1, 1e-12);
    // Flows obey P = (θf - θt - shift)/x and Kirchhoff's current law at buses 2 and 3.
    const double sh = 5 * units::kDegree;
    EXPECT_NEAR(r.p_from_pu[0], (r.va_rad[0] - r.va_rad[1]) / 0.1, 1e-12);
    EXPECT_NEAR(r.p_from_pu[1], (r.va_rad[1] - r.va_rad[2] - sh) / 0.2, 1e-12);
    EXPECT_NEAR(r.p_from_pu[0] - r.p_from_pu[1], 0.6, 1e-12);
    EXPECT_NEAR(r.p_from_pu[1] + r.p_from_pu[2], 0.5, 1e-12);
    EXPECT_EQ(r.p_to_pu[2], -r.p_from_pu[2]);
    EXPECT_EQ(r.va_rad[0], 0);
}

TEST(PowerFlow, ResultsCsvHasTheReferenceForm) {
    const Network net = parse_ok(kTwoBus);
    const auto r = solve_power_flow(net);
    ASSERT_TRUE(r.converged);
    const std::string csv = format_results_csv(net, r);
    EXPECT_EQ(csv.rfind("time_s,type,id,quantity,value\n0,bus,1,vm_pu,1.02\n0,bus,1,va_deg,0\n", 0),
              0u)
        << csv;
    EXPECT_NE(csv.find("0,branch,1,q_to_mvar,"), std::string::npos);
    PowerFlowOptions o;
    o.method = PowerFlowMethod::kDc;
    const std::string dc = format_results_csv(net, solve_power_flow(net, o));
    EXPECT_EQ(dc.find("vm_pu"), std::string::npos);
    EXPECT_EQ(dc.find("q_mvar"), std::string::npos);
}

TEST(PowerFlow, OutOfServiceElementsAreZeroAndIsolatedBusesKeepTheirVoltage) {
    std::string text = kTwoBus;
    text.replace(text.find("mpc.gen = [ 1 0 0 100 -100 1.02 100 1 200 0 ];"), 46,
                 "mpc.gen = [ 1 0 0 100 -100 1.02 100 1 200 0; 2 10 5 10 -10 1 100 0 20 0 ];");
    text.replace(text.find(" 2 1 50"), 7, " 2 4 50");
    const Network net = parse_ok(text);
    const auto r = solve_power_flow(net);
    ASSERT_TRUE(r.converged);
    EXPECT_EQ(r.pg_pu[1], 0);
    EXPECT_EQ(r.qg_pu[1], 0);
    EXPECT_EQ(r.p_from_pu[0], 0); // its to bus is isolated
    EXPECT_EQ(r.vm_pu[1], 1.0);
    EXPECT_EQ(r.bus_type[1], BusType::kIsolated);
}

TEST(PowerFlow, NoGeneratorIsAnError) {
    std::string text = kTwoBus;
    text.replace(text.find("1.02 100 1 200"), 14, "1.02 100 0 200");
    const Network net = parse_ok(text);
    try {
        (void)solve_power_flow(net);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInconsistent);
    }
}

TEST(PowerFlow, BadOptionsThrow) {
    const Network net = parse_ok(kTwoBus);
    PowerFlowOptions o;
    o.tolerance_pu = 0;
    EXPECT_THROW((void)solve_power_flow(net, o), Error);
    o = {};
    o.method = PowerFlowMethod::kDc;
    o.enforce_q_limits = true;
    EXPECT_THROW((void)solve_power_flow(net, o), Error);
}

TEST(PowerFlow, IslandWithoutReferenceIsSingular) {
    std::string text = kTwoBus;
    text.replace(text.find(" 2 1 50 20"), 10, " 2 1 50 20 5 10 1 1 0 110 1 1.1 0.9;\n 3 1 50 20");
    const Network net = parse_ok(text); // bus 3 is connected to nothing
    for (auto m :
         {PowerFlowMethod::kNewton, PowerFlowMethod::kFastDecoupledBx, PowerFlowMethod::kDc}) {
        PowerFlowOptions o;
        o.method = m;
        const auto r = solve_power_flow(net, o);
        EXPECT_FALSE(r.converged) << method_name(m);
        EXPECT_TRUE(r.singular) << method_name(m);
        EXPECT_NE(r.summary(net).find("singular"), std::string::npos);
    }
}

TEST(PowerFlow, NonConvergenceIsReportedNotThrown) {
    Network net = parse_ok(kTwoBus);
    net.buses.pd_pu[1] = 40; // far beyond what the line can carry
    const auto r = solve_power_flow(net);
    EXPECT_FALSE(r.converged);
    EXPECT_NE(r.summary(net).find("did not converge"), std::string::npos);
}

} // namespace
} // namespace rencheng::power
