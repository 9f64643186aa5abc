// Dead-end trees left out of the Newton step's linear system (HydraulicOptions::eliminate_trees):
// which pipes form trees, and that solving the core alone gives what solving every junction
// gives, to round-off, with the same iterations; and that a tree closed, cut off or under
// pressure-driven demands is solved with the whole system.
#include <algorithm>
#include <cmath>
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

namespace {

// A loop J1-J2-J3-J4 fed from R1, with a two-level tree on J2 (J5, then J6 and J7 beyond it), a
// one-pipe branch on J3 (J8, pipe drawn towards the loop) and J9 on J4 behind a check valve
// (not a tree: a check valve can close).
const char* const kLoopWithTrees = "[JUNCTIONS]\n"
                                   " J1 10 1\n J2 12 2\n J3 11 1.5\n J4 9 1\n"
                                   " J5 14 2\n J6 15 1\n J7 13 3\n J8 8 2.5\n J9 7 1\n"
                                   "[RESERVOIRS]\n R1 80\n"
                                   "[PIPES]\n"
                                   " P1 R1 J1 400 300 120\n P2 J1 J2 300 200 110\n"
                                   " P3 J2 J3 350 200 100\n P4 J3 J4 300 150 120\n"
                                   " P5 J4 J1 250 200 130\n"
                                   " T1 J2 J5 200 150 100\n T2 J5 J6 150 100 100\n"
                                   " T3 J7 J5 180 100 90\n T4 J8 J3 220 100 110\n"
                                   " CV J4 J9 100 100 100 0 CV\n"
                                   "[OPTIONS]\n UNITS LPS\n";

struct Both {
    HydraulicSummary reduced, whole;
    double head = 0, flow = 0;
};

/// Solves the state both ways from the same start and compares.
Both solve_both(const Network& net, const HydraulicTopology& topo, const HydraulicState& start,
                HydraulicOptions opt) {
    Both out;
    HydraulicState a = start, b = start;
    opt.eliminate_trees = true;
    out.reduced = solve_hydraulics(net, topo, a, opt);
    opt.eliminate_trees = false;
    out.whole = solve_hydraulics(net, topo, b, opt);
    for (std::size_t i = 0; i < a.head_m.size(); ++i)
        out.head = std::max(out.head, std::fabs(a.head_m[i] - b.head_m[i]));
    for (std::size_t k = 0; k < a.flow_m3s.size(); ++k)
        out.flow = std::max(out.flow, std::fabs(a.flow_m3s[k] - b.flow_m3s[k]));
    return out;
}

} // namespace

TEST(TreeElimination, FindsTheDeadEndTreesLeavesFirst) {
    const Network net = parse_ok(kLoopWithTrees);
    const HydraulicTopology topo(net);
    ASSERT_EQ(topo.tree_pipes.size(), 4u); // T1..T4; not the check valve's J9
    auto node = [&](const char* id) { return net.find_node(id).value(); };
    auto link = [&](const char* id) { return net.find_link(id).value(); };
    std::vector<std::int32_t> children;
    for (const TreePipe& t : topo.tree_pipes) {
        children.push_back(t.child);
        // the parent is reached after all of its own children (leaves first)
        const auto place = [&](std::int32_t n) {
            return std::find(children.begin(), children.end(), n) - children.begin();
        };
        EXPECT_EQ(place(t.child), static_cast<std::ptrdiff_t>(children.size()) - 1);
    }
    for (const TreePipe& t : topo.tree_pipes) {
        if (t.link == link("T1")) {
            EXPECT_EQ(t.child, node("J5"));
            EXPECT_EQ(t.parent, node("J2"));
            EXPECT_TRUE(t.out);
            EXPECT_TRUE(t.root);
        } else if (t.link == link("T3")) {
            EXPECT_EQ(t.child, node("J7"));
            EXPECT_FALSE(t.out); // drawn from the child towards the parent
            EXPECT_FALSE(t.root);
        } else if (t.link == link("T4")) {
            EXPECT_EQ(t.child, node("J8"));
            EXPECT_FALSE(t.out);
            EXPECT_TRUE(t.root);
        }
    }
    // T1 comes after T2 and T3 (J5 is a leaf once J6 and J7 are gone)
    const auto at = [&](const char* id) {
        return std::find_if(topo.tree_pipes.begin(), topo.tree_pipes.end(),
                            [&](const TreePipe& t) { return t.link == link(id); }) -
               topo.tree_pipes.begin();
    };
    EXPECT_GT(at("T1"), at("T2"));
    EXPECT_GT(at("T1"), at("T3"));
    EXPECT_EQ(topo.core.rows, 5); // J1..J4 and J9
    EXPECT_EQ(topo.core.row[static_cast<std::size_t>(node("J5"))], -1);
    EXPECT_GE(topo.core.row[static_cast<std::size_t>(node("J9"))], 0);
}

TEST(TreeElimination, NoTreesWhereAJunctionHasAnEmitterOrNoSourceIsReached) {
    // J3 has an emitter: it stays in the system, and the tree on it is J4 alone. J6-J7 reach no
    // tank or reservoir: not a tree (cut off whatever its statuses).
    const Network net = parse_ok("[JUNCTIONS]\n J1 10 1\n J2 10 1\n J3 10 1\n J4 10 1\n"
                                 " J5 10 1\n J6 10 1\n J7 10 1\n"
                                 "[RESERVOIRS]\n R1 50\n"
                                 "[PIPES]\n P1 R1 J1 100 200 120\n P2 J1 J2 100 200 120\n"
                                 " P3 J2 J5 100 200 120\n P4 J5 J1 100 200 120\n"
                                 " P5 J2 J3 100 200 120\n P6 J3 J4 100 200 120\n"
                                 " P7 J6 J7 100 200 120\n"
                                 "[EMITTERS]\n J3 0.5\n"
                                 "[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    ASSERT_EQ(topo.tree_pipes.size(), 1u);
    EXPECT_EQ(topo.tree_pipes[0].child, net.find_node("J4").value());
    EXPECT_EQ(topo.tree_pipes[0].parent, net.find_node("J3").value());
}

TEST(TreeElimination, CoreAloneGivesTheWholeSystemsSolution) {
    const Network net = parse_ok(kLoopWithTrees);
    const HydraulicTopology topo(net);
    const HydraulicState s = initial_state(net, topo);
    const Both r = solve_both(net, topo, s, HydraulicOptions{});
    ASSERT_TRUE(r.reduced.converged) << r.reduced.message;
    ASSERT_TRUE(r.whole.converged) << r.whole.message;
    EXPECT_TRUE(r.reduced.trees_left_out);
    EXPECT_FALSE(r.whole.trees_left_out);
    EXPECT_EQ(r.reduced.iterations, r.whole.iterations);
    EXPECT_LT(r.head, 1e-9);
    EXPECT_LT(r.flow, 1e-12);
    // The tree's flows are the demands beyond it: T1 carries J5, J6 and J7's.
    HydraulicState a = s;
    ASSERT_TRUE(solve_hydraulics(net, topo, a, HydraulicOptions{}).converged);
    const auto k = static_cast<std::size_t>(net.find_link("T1").value());
    EXPECT_NEAR(a.flow_m3s[k], (2 + 1 + 3) * 1e-3, 1e-15);
    // A relaxed start (DAMPLIMIT) and a tight polish, too.
    HydraulicOptions damped;
    damped.polish_accuracy = 1e-12;
    Network net2 = net;
    net2.options.damp_limit = 0.5;
    const Both d = solve_both(net2, topo, s, damped);
    ASSERT_TRUE(d.reduced.converged);
    EXPECT_TRUE(d.reduced.trees_left_out);
    EXPECT_EQ(d.reduced.iterations, d.whole.iterations);
    EXPECT_LT(d.head, 1e-9);
    EXPECT_LT(d.flow, 1e-12);
}

TEST(TreeElimination, ClosedCutOffAndPressureDrivenTreesAreSolvedWhole) {
    const Network net = parse_ok(kLoopWithTrees);
    const HydraulicTopology topo(net);
    HydraulicState s = initial_state(net, topo);
    const auto t2 = static_cast<std::size_t>(net.find_link("T2").value());
    const auto j6 = static_cast<std::size_t>(net.find_node("J6").value());
    s.status[t2] = LinkState::kClosed; // J6 cut off: zero supply there
    Both r = solve_both(net, topo, s, HydraulicOptions{});
    ASSERT_TRUE(r.reduced.converged) << r.reduced.message;
    EXPECT_EQ(r.reduced.cut_off_nodes, 1);
    EXPECT_FALSE(r.reduced.trees_left_out);
    EXPECT_LT(r.head, 1e-9);
    EXPECT_LT(r.flow, 1e-12);
    HydraulicState a = s;
    solve_hydraulics(net, topo, a, HydraulicOptions{});
    EXPECT_EQ(a.cut_off[j6], 2);
    EXPECT_DOUBLE_EQ(a.node_demand[j6], 0.0);

    // Pressure-driven demands: J6 at 15 m with the reservoir at 80 m, a required pressure of
    // 70 m leaves the trees short of their demands.
    Network pda = net;
    pda.options.demand_model = DemandModel::kPda;
    pda.options.required_pressure_m = 70;
    pda.options.minimum_pressure_m = 0;
    const HydraulicTopology topo_pda(pda);
    const HydraulicState sp = initial_state(pda, topo_pda);
    r = solve_both(pda, topo_pda, sp, HydraulicOptions{});
    ASSERT_TRUE(r.reduced.converged) << r.reduced.message;
    EXPECT_EQ(r.reduced.iterations, r.whole.iterations);
    EXPECT_FALSE(r.reduced.trees_left_out);
    EXPECT_EQ(r.head, 0.0); // the same solve: the trees stay in the system
    EXPECT_EQ(r.flow, 0.0);

    // EPANET's closed-link model: solved whole as well.
    HydraulicOptions leak;
    leak.closed_link_leakage = true;
    r = solve_both(net, topo, s, leak);
    EXPECT_FALSE(r.reduced.trees_left_out);
    EXPECT_EQ(r.head, 0.0);
    EXPECT_EQ(r.flow, 0.0);
}

TEST(TreeElimination, Net3OverADayAsTheWholeSystem) {
    // Net3 (pumps, tanks, controls; 24 h): the trees left out at every step they are open.
    const std::filesystem::path inp = std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" /
                                      "validation" / "water" / "net3" / "Net3.inp";
    Diagnostics diags;
    const Network net = parse_inp(read_file(inp), inp.string(), diags);
    ASSERT_FALSE(diags.has_errors());
    const HydraulicTopology topo(net);
    ASSERT_FALSE(topo.tree_pipes.empty());
    EpsOptions reduced;
    reduced.duration = 24 * 3600;
    EpsOptions whole = reduced;
    whole.hydraulic.eliminate_trees = false;
    const EpsResult a = simulate_eps(net, topo, reduced);
    const EpsResult b = simulate_eps(net, topo, whole);
    ASSERT_TRUE(a.converged) << a.message;
    ASSERT_EQ(a.reports.size(), b.reports.size());
    EXPECT_EQ(a.iterations, b.iterations);
    EXPECT_LT(a.max_mass_balance_error, 1e-9);
    double head = 0, flow = 0;
    for (std::size_t r = 0; r < a.reports.size(); ++r) {
        for (std::size_t i = 0; i < a.reports[r].head_m.size(); ++i)
            head = std::max(head, std::fabs(a.reports[r].head_m[i] - b.reports[r].head_m[i]));
        for (std::size_t k = 0; k < a.reports[r].flow_m3s.size(); ++k)
            flow = std::max(flow, std::fabs(a.reports[r].flow_m3s[k] - b.reports[r].flow_m3s[k]));
    }
    EXPECT_LT(head, 1e-8);
    EXPECT_LT(flow, 1e-10);
    std::printf("Net3 24 h: %zu tree pipes, %lld iterations either way, worst difference %.2e m, "
                "%.2e m3/s\n",
                topo.tree_pipes.size(), a.iterations, head, flow);
}

TEST(TreeElimination, SameIteratesTrialByTrialBehindAPressureValve) {
    // A PRV holds B, on which a two-pipe tree hangs (B-T1-T2); the valve's flow each trial is
    // B's flow excess of the flows before it, the tree's root pipe among them. Stopped after
    // each trial count, the two systems give the same state.
    const Network net = parse_ok("[JUNCTIONS]\n A 0 0\n B 0 5\n C 0 3\n T1 5 4\n T2 8 6\n"
                                 " L1 0 2\n L2 0 2\n L3 0 2\n"
                                 "[RESERVOIRS]\n R 90\n"
                                 "[PIPES]\n P1 R A 500 300 120\n P2 B C 400 200 110\n"
                                 " P3 C L1 300 150 110\n P4 L1 L2 300 150 110\n"
                                 " P5 L2 L3 300 150 110\n P6 L3 C 300 150 110\n"
                                 " PT1 B T1 200 100 100\n PT2 T1 T2 200 100 100\n"
                                 " P7 A L2 800 100 100\n"
                                 "[VALVES]\n V A B 300 PRV 40 0\n"
                                 "[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    ASSERT_EQ(topo.tree_pipes.size(), 2u);
    const HydraulicState s = initial_state(net, topo);
    for (int trials = 1; trials <= 8; ++trials) {
        HydraulicOptions o;
        o.max_trials = trials;
        o.polish_accuracy = 0;
        const Both r = solve_both(net, topo, s, o);
        EXPECT_TRUE(r.reduced.trees_left_out) << trials;
        EXPECT_EQ(r.reduced.iterations, r.whole.iterations) << trials;
        EXPECT_EQ(r.reduced.converged, r.whole.converged) << trials;
        EXPECT_LT(r.head, 1e-8) << trials;
        EXPECT_LT(r.flow, 1e-11) << trials;
    }
}
