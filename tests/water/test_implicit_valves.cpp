// Active PRVs and PSVs solved with the heads (HydraulicOptions::implicit_pressure_valves): the
// same solution as EPANET's lag of the valve flow by one Newton step, in fewer steps, and the
// lag kept where the network has more such valves than the bordered solve takes.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"

#include "initial_state.hpp"
#include "parse_ok.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::initial_state;
using test_support::parse_ok;
namespace fs = std::filesystem;

namespace {

struct Both {
    HydraulicState implicit, lagged;
    HydraulicSummary implicit_summary, lagged_summary;
    double head = 0, flow = 0;
};

Both solve_both(const Network& net) {
    const HydraulicTopology topo(net);
    const HydraulicState start = initial_state(net, topo);
    Both out{start, start, {}, {}};
    HydraulicOptions opt;
    opt.implicit_pressure_valves = true;
    out.implicit_summary = solve_hydraulics(net, topo, out.implicit, opt);
    opt.implicit_pressure_valves = false;
    out.lagged_summary = solve_hydraulics(net, topo, out.lagged, opt);
    for (std::size_t i = 0; i < out.implicit.head_m.size(); ++i)
        out.head = std::max(out.head, std::fabs(out.implicit.head_m[i] - out.lagged.head_m[i]));
    for (std::size_t k = 0; k < out.implicit.flow_m3s.size(); ++k)
        out.flow = std::max(out.flow, std::fabs(out.implicit.flow_m3s[k] - out.lagged.flow_m3s[k]));
    return out;
}

/// Largest |inflow − outflow − demand| over the junctions.
double worst_imbalance(const Network& net, const HydraulicState& s) {
    std::vector<double> excess(static_cast<std::size_t>(net.node_count()), 0.0);
    for (std::size_t k = 0; k < s.flow_m3s.size(); ++k) {
        excess[net.from_node[k].idx()] -= s.flow_m3s[k];
        excess[net.to_node[k].idx()] += s.flow_m3s[k];
    }
    const HydraulicTopology topo(net);
    double worst = 0;
    for (std::size_t i = 0; i < excess.size(); ++i)
        if (topo.row[i] >= 0)
            worst = std::max(worst, std::fabs(excess[i] - s.node_demand[i]));
    return worst;
}

// Two sources joined by a loop: a PSV holds J2 above 45 m and passes the rest on to J3, whose
// zone is fed back to J1 by a long small pipe; a PRV from the second source's main holds J6 at
// 40 m, and J6 joins the first zone. Both valves active; the water each passes comes back
// round the loops, so the lag converges only linearly.
const char* const kTwoValves = "[JUNCTIONS]\n"
                               " J1 0 2\n J2 0 3\n J3 0 4\n J4 0 3\n J5 0 1\n J6 0 5\n J7 0 2\n"
                               "[RESERVOIRS]\n R1 60\n R2 80\n"
                               "[PIPES]\n"
                               " P1 R1 J1 800 200 120\n P2 J1 J2 500 150 110\n"
                               " P3 J3 J4 400 150 120\n P4 J4 J1 2000 80 100\n"
                               " P5 R2 J5 600 150 120\n P6 J6 J7 300 150 120\n"
                               " P7 J7 J4 700 100 110\n P8 J7 J2 900 80 100\n"
                               "[VALVES]\n V1 J2 J3 150 PSV 57 0\n V2 J5 J6 150 PRV 55 0\n"
                               "[OPTIONS]\n UNITS LPS\n";

} // namespace

TEST(ImplicitValves, SameSolutionAsTheLagInFewerSteps) {
    const Network net = parse_ok(kTwoValves);
    const Both b = solve_both(net);
    ASSERT_TRUE(b.implicit_summary.converged) << b.implicit_summary.message;
    ASSERT_TRUE(b.lagged_summary.converged) << b.lagged_summary.message;
    const auto v1 = net.find_link("V1").idx();
    const auto v2 = net.find_link("V2").idx();
    EXPECT_EQ(b.implicit.status[v1], LinkState::kActive);
    EXPECT_EQ(b.implicit.status[v2], LinkState::kActive);
    EXPECT_EQ(b.implicit.status, b.lagged.status);
    EXPECT_LT(b.head, 1e-6);
    EXPECT_LT(b.flow, 1e-9);
    // the valves hold their heads: J2 at 45 m, J6 at 40 m (elevations 0)
    EXPECT_NEAR(b.implicit.head_m[net.find_node("J2").idx()], 57.0, 1e-6);
    EXPECT_NEAR(b.implicit.head_m[net.find_node("J6").idx()], 55.0, 1e-6);
    EXPECT_LT(worst_imbalance(net, b.implicit), 1e-12);
    EXPECT_LT(b.implicit_summary.iterations, b.lagged_summary.iterations)
        << b.implicit_summary.iterations << " against " << b.lagged_summary.iterations;
}

TEST(ImplicitValves, ManyValvesKeepTheLag) {
    // Nine PRVs in parallel pairs of pipes: more than the bordered solve takes, so both options
    // give the same iterations, bit for bit.
    std::string text = "[JUNCTIONS]\n";
    for (int i = 1; i <= 9; ++i)
        text += " A" + std::to_string(i) + " 0 1\n B" + std::to_string(i) + " 0 2\n";
    text += "[RESERVOIRS]\n R1 70\n[PIPES]\n";
    for (int i = 1; i <= 9; ++i) {
        const std::string n = std::to_string(i);
        text += " PA" + n + " R1 A" + n + " 500 150 120\n";
        if (i > 1)
            text += " PB" + n + " B" + std::to_string(i - 1) + " B" + n + " 800 80 100\n";
    }
    text += "[VALVES]\n";
    for (int i = 1; i <= 9; ++i) {
        const std::string n = std::to_string(i);
        text += " V" + n + " A" + n + " B" + n + " 150 PRV " + std::to_string(30 + i) + " 0\n";
    }
    text += "[OPTIONS]\n UNITS LPS\n";
    const Network net = parse_ok(text);
    const Both b = solve_both(net);
    ASSERT_TRUE(b.implicit_summary.converged);
    EXPECT_EQ(b.implicit_summary.iterations, b.lagged_summary.iterations);
    EXPECT_EQ(b.head, 0.0);
    EXPECT_EQ(b.flow, 0.0);
}

TEST(ImplicitValves, SharedNetworkWithAPsvOverADay) {
    // BWSN_Network_2's PSV VALVE-14830 is active all day; the lag made every step converge
    // linearly (×1/25 a step).
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    const fs::path root = env ? fs::path(env) : fs::path("../shared/data");
    const fs::path path = root / "water" / "emt" / "networks" / "asce-tf-wdst" /
                          "Battle of the Water Sensor Networks" / "BWSN_Network_2.inp";
    if (!fs::exists(path))
        GTEST_SKIP() << "shared data not found at " << path;
    Diagnostics diags;
    const Network net = parse_inp(read_file(path), path.string(), diags);
    ASSERT_FALSE(diags.has_errors());
    const HydraulicTopology topo(net);
    EpsOptions opt;
    opt.duration = 24 * 3600;
    const EpsResult implicit = simulate_eps(net, topo, opt);
    opt.hydraulic.implicit_pressure_valves = false;
    const EpsResult lagged = simulate_eps(net, topo, opt);
    ASSERT_EQ(implicit.reports.size(), lagged.reports.size());
    double head = 0, flow = 0;
    for (std::size_t r = 0; r < implicit.reports.size(); ++r) {
        const EpsSnapshot& a = implicit.reports[r];
        const EpsSnapshot& b = lagged.reports[r];
        ASSERT_EQ(a.time_s, b.time_s);
        for (std::size_t i = 0; i < a.head_m.size(); ++i)
            head = std::max(head, std::fabs(a.head_m[i] - b.head_m[i]));
        for (std::size_t k = 0; k < a.flow_m3s.size(); ++k)
            flow = std::max(flow, std::fabs(a.flow_m3s[k] - b.flow_m3s[k]));
    }
    EXPECT_LT(head, 1e-4);
    EXPECT_LT(flow, 1e-6);
    EXPECT_LT(implicit.iterations * 5, lagged.iterations * 4)
        << implicit.iterations << " against " << lagged.iterations;
}
