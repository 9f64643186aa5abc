// Tank overflow (EPANET 2.2 `Overflow YES`): a full tank keeps its inlets open and spills what
// flows in; the spill is reported and the tank volume stays conserved. Also the supernodal
// Cholesky on patterns whose supernodes are wide.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parse_ok.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/head_loss.hpp"
#include "water/hydraulics.hpp"
#include "water/results_csv.hpp"
#include "water/sparse_cholesky.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

namespace {

constexpr double kPi = 3.14159265358979323846;

/// A reservoir at 100 m fills a 10 m wide tank (bottom 50 m, levels 0-5 m, starting at 2 m)
/// through 1000 m of 300 mm pipe; J1 draws 20 L/s from the tank. Six hourly steps.
std::string filling_tank(bool overflow) {
    return std::string("[JUNCTIONS]\n J1 40 20\n[RESERVOIRS]\n R1 100\n[TANKS]\n"
                       " T1 50 2 0 5 10 0 * ") +
           (overflow ? "YES" : "NO") +
           "\n[PIPES]\n P1 R1 T1 1000 300 130\n P2 T1 J1 200 200 130\n"
           "[TIMES]\n Duration 6:00\n Hydraulic Timestep 1:00\n Report Timestep 1:00\n"
           "[OPTIONS]\n Units LPS\n Headloss H-W\n";
}

struct TankRun {
    EpsResult result;
    std::vector<Seconds> times;      ///< every hydraulic time
    std::vector<double> tank_inflow; ///< net inflow of T1 at each, m³/s
    std::vector<double> tank_volume; ///< volume of T1 at each, m³
    std::vector<double> inlet_flow;  ///< reported flow of P1 at each, m³/s
    std::vector<bool> inlet_open;    ///< whether P1 is open at each
};

TankRun run_tank(const Network& net) {
    const HydraulicTopology topo(net);
    TankRun r;
    EpsOptions opt;
    const std::size_t tank_node = net.tanks.node[0].idx();
    opt.after_solve = [&](Seconds t, const HydraulicState& s, const HydraulicSummary&) {
        r.times.push_back(t);
        r.tank_inflow.push_back(s.node_demand[tank_node]);
        r.tank_volume.push_back(s.tank_volume_m3[0]);
        r.inlet_flow.push_back(reported_flow(s, 0));
        r.inlet_open.push_back(!is_closed(s.status[0]));
    };
    r.result = simulate_eps(net, topo, opt);
    return r;
}

} // namespace

TEST(TankOverflow, FullTankSpillsItsInflow) {
    const Network net = parse_ok(filling_tank(true));
    ASSERT_EQ(net.tanks.count(), 1);
    ASSERT_TRUE(net.tanks.overflow[0]);
    const TankRun r = run_tank(net);
    ASSERT_TRUE(r.result.converged) << r.result.message;
    const double area = kPi * 10.0 * 10.0 / 4.0;
    const double vmax = 5.0 * area;
    const double hmax = 55.0;
    const std::size_t tank_node = net.tanks.node[0].idx();
    // Full within the first hour (inflow ~ 0.3 m³/s, 235 m³ to fill), then spilling.
    ASSERT_GE(r.result.reports.size(), 7u);
    int spilling = 0;
    for (const EpsSnapshot& snap : r.result.reports) {
        EXPECT_LE(snap.head_m[tank_node], hmax + 1e-9) << "t = " << snap.time_s;
        ASSERT_EQ(snap.tank_overflow_m3s.size(), 1u);
        if (snap.time_s >= 7200) {
            // Held at the top; the inlet is open and the whole net inflow spills.
            EXPECT_NEAR(snap.head_m[tank_node], hmax, 1e-9);
            const double inflow = snap.flow_m3s[0] - snap.flow_m3s[1];
            EXPECT_GT(inflow, 0.1);
            EXPECT_NEAR(snap.tank_overflow_m3s[0], inflow, 1e-9);
            ++spilling;
        }
    }
    EXPECT_EQ(spilling, 5);
    // The spill is the inflow of the full hours: the pipe P1 carries the H-W flow of
    // 100 − 55 = 45 m of head, J1's 20 L/s leave through P2.
    const double r_p1 = pipe_resistance(HeadLossFormula::kHazenWilliams, 1000, 0.3, 130,
                                        epanet_cfs(FlowUnits::kLps));
    const double q_full = std::pow(45.0 / r_p1, 1.0 / 1.852) - 0.020;
    ASSERT_EQ(r.result.tank_overflow_volume_m3.size(), 1u);
    const double spill = r.result.tank_overflow_volume_m3[0];
    EXPECT_GT(spill, 4.0 * 3600.0 * q_full); // at least the hours 2-6, more from the first
    // Volume balance: initial + Σ inflow·Δt = final + spill, up to EPANET's rule that a tank
    // within one second's inflow of full is set full (the step that fills it ends there).
    double inflow_volume = 0;
    for (std::size_t k = 0; k + 1 < r.times.size(); ++k)
        inflow_volume += r.tank_inflow[k] * static_cast<double>(r.times[k + 1] - r.times[k]);
    const double v0 = 2.0 * area;
    EXPECT_NEAR(r.tank_volume.back(), vmax, 1e-9);
    EXPECT_NEAR(v0 + inflow_volume, r.tank_volume.back() + spill, r.tank_inflow.front() * 1.0);
    // Each full hour spills the steady full-tank inflow (the solve is to 1e-12 flow change).
    const double full_hours = static_cast<double>(r.times.back() - 7200) / 3600.0;
    EXPECT_GT(full_hours, 3.9);
    EXPECT_LT(r.result.max_storage_error_m3, 1e-6);
}

TEST(TankOverflow, TankWithoutOverflowClosesItsInlet) {
    const Network net = parse_ok(filling_tank(false));
    ASSERT_FALSE(net.tanks.overflow[0]);
    const TankRun r = run_tank(net);
    ASSERT_TRUE(r.result.converged) << r.result.message;
    const std::size_t tank_node = net.tanks.node[0].idx();
    ASSERT_EQ(r.result.tank_overflow_volume_m3.size(), 1u);
    EXPECT_EQ(r.result.tank_overflow_volume_m3[0], 0.0);
    for (const EpsSnapshot& snap : r.result.reports) {
        EXPECT_LE(snap.head_m[tank_node], 55.0 + 1e-9);
        EXPECT_EQ(snap.tank_overflow_m3s[0], 0.0);
    }
    // Each time the tank is full its inlet is closed (it then drains to J1 until the next
    // step, as in EPANET); an overflow tank's inlet never closes.
    const double vmax = 5.0 * kPi * 10.0 * 10.0 / 4.0;
    int full = 0;
    for (std::size_t k = 0; k < r.times.size(); ++k) {
        if (r.tank_volume[k] < vmax)
            continue;
        ++full;
        EXPECT_FALSE(r.inlet_open[k]) << "t = " << r.times[k];
        EXPECT_EQ(r.inlet_flow[k], 0.0);
    }
    EXPECT_GE(full, 5);
    const TankRun yes = run_tank(parse_ok(filling_tank(true)));
    bool inlet_closed = false;
    for (const bool open : yes.inlet_open)
        inlet_closed = inlet_closed || !open;
    EXPECT_FALSE(inlet_closed);
}

TEST(TankOverflow, SpillMatchesWithAndWithoutOverflowBeforeFull) {
    // Until the tank is full both runs are the same; afterwards only the overflow run spills,
    // and it keeps drawing from the reservoir.
    const TankRun yes = run_tank(parse_ok(filling_tank(true)));
    const TankRun no = run_tank(parse_ok(filling_tank(false)));
    ASSERT_FALSE(yes.times.empty());
    ASSERT_FALSE(no.times.empty());
    EXPECT_EQ(yes.times.front(), no.times.front());
    EXPECT_NEAR(yes.tank_inflow.front(), no.tank_inflow.front(), 1e-12);
    EXPECT_GT(yes.result.tank_overflow_volume_m3[0], 0.0);
    EXPECT_EQ(no.result.tank_overflow_volume_m3[0], 0.0);
}

namespace {

/// The value of (time, type, id, quantity) in a long CSV text; NaN when absent.
double csv_value(const std::string& csv, const std::string& key) {
    const std::size_t at = csv.find("\n" + key + ",");
    if (at == std::string::npos)
        return std::nan("");
    const std::size_t start = at + key.size() + 2;
    return std::stod(csv.substr(start, csv.find('\n', start) - start));
}

} // namespace

TEST(TankOverflow, ResultsCsvHasSpillRateAndRunVolume) {
    const Network net = parse_ok(filling_tank(true));
    const TankRun r = run_tank(net);
    const std::string csv = format_results_csv(net, r.result);
    int rows = 0;
    for (const EpsSnapshot& snap : r.result.reports) {
        const std::string key = std::to_string(snap.time_s) + ",node,T1,overflow_m3s";
        const double v = csv_value(csv, key);
        ASSERT_FALSE(std::isnan(v)) << key;
        // Shortest round-trip form: the rate comes back bit for bit.
        EXPECT_EQ(v, snap.tank_overflow_m3s[0]) << key;
        ++rows;
    }
    EXPECT_EQ(rows, 7);
    EXPECT_GT(csv_value(csv, "21600,node,T1,overflow_m3s"), 0.1);
    EXPECT_EQ(csv_value(csv, "0,node,T1,overflow_m3s"), 0.0); // not yet full
    // The run's volume once, at the last reporting time.
    EXPECT_EQ(csv_value(csv, "21600,node,T1,overflow_volume_m3"),
              r.result.tank_overflow_volume_m3[0]);
    EXPECT_TRUE(std::isnan(csv_value(csv, "18000,node,T1,overflow_volume_m3")));
    // A tank that cannot overflow gets no such rows.
    const Network no = parse_ok(filling_tank(false));
    const std::string csv_no = format_results_csv(no, run_tank(no).result);
    EXPECT_EQ(csv_no.find("overflow"), std::string::npos);
    EXPECT_FALSE(std::isnan(csv_value(csv_no, "0,node,T1,level_m")));
}

TEST(SparseCholesky, SupernodalFactorOfWideSupernodes) {
    // A random sparse pattern with a few dense rows (wide supernodes at the top of the tree):
    // the solve recovers x, the factor is the same bit for bit from two numeric objects, and
    // supernodes group columns.
    const int n = 400;
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> node(0, n - 1);
    std::uniform_real_distribution<double> u(0.5, 2.0);
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    for (int i = 0; i + 1 < n; ++i)
        edges.emplace_back(i, i + 1);
    for (int e = 0; e < 600; ++e) {
        const int a = node(rng), b = node(rng);
        if (a != b)
            edges.emplace_back(a, b);
    }
    for (int hub = 0; hub < 3; ++hub)
        for (int j = 0; j < n; j += 7)
            if (j != hub * 101)
                edges.emplace_back(hub * 101, j);
    SymbolicCholesky sym(n, edges);
    EXPECT_LT(sym.supernode_count(), n);
    NumericCholesky a(sym), b(sym);
    std::vector<double> diag(n, 0.05);
    for (auto* num : {&a, &b})
        std::fill(num->values().begin(), num->values().end(), 0.0);
    std::vector<double> x_true(n), rhs(n, 0.0);
    for (int i = 0; i < n; ++i)
        x_true[static_cast<std::size_t>(i)] = std::cos(0.37 * i);
    for (const auto& [i, j] : edges) {
        const double w = u(rng);
        for (auto* num : {&a, &b})
            num->values()[static_cast<std::size_t>(sym.position(i, j))] -= w;
        diag[static_cast<std::size_t>(i)] += w;
        diag[static_cast<std::size_t>(j)] += w;
        rhs[static_cast<std::size_t>(i)] -= w * x_true[static_cast<std::size_t>(j)];
        rhs[static_cast<std::size_t>(j)] -= w * x_true[static_cast<std::size_t>(i)];
    }
    for (int i = 0; i < n; ++i) {
        for (auto* num : {&a, &b})
            num->values()[static_cast<std::size_t>(sym.diagonal_position(i))] +=
                diag[static_cast<std::size_t>(i)];
        rhs[static_cast<std::size_t>(i)] +=
            diag[static_cast<std::size_t>(i)] * x_true[static_cast<std::size_t>(i)];
    }
    ASSERT_EQ(a.factor(sym), -1);
    ASSERT_EQ(b.factor(sym), -1);
    std::vector<double> xa = rhs, xb = rhs;
    a.solve_refined(sym, xa);
    b.solve_refined(sym, xb);
    for (int i = 0; i < n; ++i) {
        EXPECT_NEAR(xa[static_cast<std::size_t>(i)], x_true[static_cast<std::size_t>(i)], 1e-10);
        EXPECT_EQ(xa[static_cast<std::size_t>(i)], xb[static_cast<std::size_t>(i)]);
    }
}
