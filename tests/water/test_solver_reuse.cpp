// What one solve reuses from the last on the same state (the cut-off search) and where the polish
// stops (the estimated error left): results must be those of a solve that redoes and polishes all.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/parallel.hpp"
#include "parse_ok.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

TEST(SolverReuse, CutOffFollowsStatusAndDemandChangesBetweenSolves) {
    // R1 - J1 - J2 - J3: closing P2 cuts J2 and J3 off; their demand decides the zone's kind.
    const Network net = parse_ok("[JUNCTIONS]\n J1 10 5\n J2 10 5\n J3 12 5\n[RESERVOIRS]\n R1 60\n"
                                 "[PIPES]\n P1 R1 J1 500 200 120\n P2 J1 J2 500 200 120\n"
                                 " P3 J2 J3 500 200 120\n[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    HydraulicState s(net, topo);
    initialize_state(net, topo, s);
    const HydraulicOptions opt;
    auto solve = [&](double demand_m3s) {
        for (std::size_t i = 0; i < 3; ++i)
            s.node_demand[i] = demand_m3s;
        return solve_hydraulics(net, topo, s, opt);
    };
    HydraulicSummary sum = solve(0.005);
    ASSERT_TRUE(sum.converged) << sum.message;
    EXPECT_EQ(sum.cut_off_nodes, 0);
    EXPECT_NEAR(s.flow_m3s[0], 0.015, 1e-12);

    s.status[1] = LinkState::kClosed; // a status change: searched again
    sum = solve(0.005);
    EXPECT_EQ(sum.cut_off_nodes, 2);
    EXPECT_EQ(s.cut_off[1], 2); // a zone with demand: held at its elevations, no supply
    EXPECT_EQ(s.cut_off[2], 2);
    EXPECT_DOUBLE_EQ(s.node_demand[1], 0.0);
    EXPECT_NEAR(s.flow_m3s[0], 0.005, 1e-12);

    sum = solve(0.0); // same statuses, demands gone: the zone is idle now
    EXPECT_EQ(sum.cut_off_nodes, 2);
    EXPECT_EQ(s.cut_off[1], 1);
    EXPECT_EQ(s.cut_off[2], 1);

    s.status[1] = LinkState::kOpen; // reopened: supplied again
    sum = solve(0.005);
    ASSERT_TRUE(sum.converged) << sum.message;
    EXPECT_EQ(sum.cut_off_nodes, 0);
    EXPECT_EQ(s.cut_off[1], 0);
    EXPECT_NEAR(s.node_demand[2], 0.005, 1e-12);
    EXPECT_NEAR(s.flow_m3s[0], 0.015, 1e-12);

    // Same statuses and demands: the search is reused and the answer is the same.
    const std::vector<double> heads = s.head_m;
    sum = solve(0.005);
    EXPECT_EQ(sum.cut_off_nodes, 0);
    for (std::size_t i = 0; i < heads.size(); ++i)
        EXPECT_NEAR(s.head_m[i], heads[i], 1e-9);
}

TEST(SolverReuse, EstimatedPolishStopMatchesPolishToTheFloor) {
    // Net3 over 24 h (pumps, tanks, controls): the default polish, which stops on the estimated
    // error left, against one that polishes until the steps stall at round-off.
    const std::filesystem::path inp = std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" /
                                      "validation" / "water" / "net3" / "Net3.inp";
    const Network net = parse_ok(read_file(inp), inp.string());
    const HydraulicTopology topo(net);
    EpsOptions fast;
    fast.duration = 24 * 3600;
    EpsOptions tight = fast;
    tight.hydraulic.polish_accuracy = 1e-15;
    const EpsResult a = simulate_eps(net, topo, fast);
    const EpsResult b = simulate_eps(net, topo, tight);
    ASSERT_TRUE(a.converged) << a.message;
    ASSERT_TRUE(b.converged) << b.message;
    ASSERT_EQ(a.reports.size(), b.reports.size());
    EXPECT_LE(a.iterations, b.iterations);
    EXPECT_LT(a.max_mass_balance_error, 1e-9);
    double head = 0, flow = 0;
    for (std::size_t r = 0; r < a.reports.size(); ++r) {
        for (std::size_t i = 0; i < a.reports[r].head_m.size(); ++i)
            head = std::max(head, std::fabs(a.reports[r].head_m[i] - b.reports[r].head_m[i]));
        for (std::size_t k = 0; k < a.reports[r].flow_m3s.size(); ++k)
            flow = std::max(flow, std::fabs(a.reports[r].flow_m3s[k] - b.reports[r].flow_m3s[k]));
    }
    EXPECT_LT(head, 1e-6);
    EXPECT_LT(flow, 1e-8);
    std::printf("Net3 24 h: %lld iterations (polish to the floor: %lld), worst difference %.2e m, "
                "%.2e m3/s\n",
                a.iterations, b.iterations, head, flow);
}

// A step that poses exactly the last solve's problem again keeps its solution without solving;
// any change of a demand, a fixed head or a status is solved. The kept solution is the one a
// fresh solve of that step gives, to the polish's accuracy.
TEST(SolverReuse, RepeatedStepKeepsTheLastSolutionAndChangesAreSolved) {
    // Pattern 1 1 2 1, a tank: the tank moves (so steps differ) unless closed off; here the
    // tank link is closed at 2:00 by a control, and from then on nothing changes but the
    // pattern.
    const Network net =
        parse_ok("[JUNCTIONS]\n J1 10 5 PAT\n J2 10 5 PAT\n J3 12 5\n[RESERVOIRS]\n R1 60\n"
                 "[TANKS]\n T1 40 5 0 10 10 0\n"
                 "[PIPES]\n P1 R1 J1 500 200 120\n P2 J1 J2 500 200 120\n P3 J2 J3 500 200 120\n"
                 " P4 J3 T1 300 150 120\n[PATTERNS]\n PAT 1 1 1 1 2 2 1 1\n"
                 "[CONTROLS]\n LINK P4 CLOSED AT TIME 2\n"
                 "[TIMES]\n DURATION 8\n HYDRAULIC TIMESTEP 1\n[OPTIONS]\n UNITS LPS\n");
    const HydraulicTopology topo(net);
    EpsOptions opt;
    std::vector<int> iterations;
    opt.after_solve = [&](Seconds, const HydraulicState&, const HydraulicSummary& sum) {
        iterations.push_back(sum.iterations);
    };
    const EpsResult res = simulate_eps(net, topo, opt);
    ASSERT_TRUE(res.converged);
    ASSERT_EQ(res.hydraulic_steps, 9);
    ASSERT_EQ(iterations.size(), 9u);
    // 0:00 and 1:00 differ (the tank moved); 2:00 closes P4; 3:00 repeats 2:00; 4:00 doubles
    // the demand; 5:00 repeats it; 6:00 back to 1; 7:00 and 8:00 repeat.
    const std::vector<bool> repeated = {false, false, false, true, false, true, false, true, true};
    for (std::size_t t = 0; t < 9; ++t)
        EXPECT_EQ(iterations[t] == 0, repeated[t]) << "step " << t;
    EXPECT_EQ(res.repeated_steps, 4);
    // Each kept solution against a fresh solve of its step, from EPANET's initial flows.
    ASSERT_EQ(res.reports.size(), 9u);
    const std::size_t j1 = net.find_node("J1").idx(), t1 = net.find_node("T1").idx();
    for (std::size_t t = 0; t < 9; ++t) {
        if (!repeated[t])
            continue;
        const EpsSnapshot& r = res.reports[t];
        HydraulicState s(net, topo);
        initialize_state(net, topo, s);
        s.head_m[t1] = r.head_m[t1];
        const double mult = (t == 4 || t == 5) ? 2.0 : 1.0;
        for (const char* id : {"J1", "J2"})
            s.node_demand[net.find_node(id).idx()] = 5e-3 * mult;
        s.node_demand[net.find_node("J3").idx()] = 5e-3;
        s.status[net.find_link("P4").idx()] = LinkState::kClosed;
        const HydraulicSummary sum = solve_hydraulics(net, topo, s, HydraulicOptions{});
        ASSERT_TRUE(sum.converged);
        for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
            EXPECT_NEAR(r.head_m[i], s.head_m[i], 1e-9) << "step " << t << " node " << i;
            EXPECT_NEAR(r.demand_m3s[i], s.node_demand[i], 1e-12) << "step " << t;
        }
        for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k)
            EXPECT_NEAR(r.flow_m3s[k], reported_flow(s, k), 1e-12) << "step " << t;
        EXPECT_GT(r.head_m[j1], 40.0);
    }
}

TEST(SolverReuse, PlainPipeSplitFollowsStatusChanges) {
    // A looped 3 × 3 grid fed by a reservoir, with a check valve pipe and a pump: the split of
    // the links into plain pipes and the rest is kept on the state between solves and must be
    // redone whenever a status, a pruned dead end or a cut-off zone changes. Each solve on the
    // reused state is compared, bit for bit, with the same solve on a fresh state.
    const std::string text =
        "[JUNCTIONS]\n A1 10 2\n A2 11 2\n A3 12 2\n B1 10 2\n B2 11 0\n B3 12 2\n C1 10 2\n"
        " C2 11 2\n C3 12 0\n P 5 0\n[RESERVOIRS]\n R1 60\n R2 0\n"
        "[PIPES]\n S R1 A1 200 300 120\n H1 A1 A2 300 200 120\n H2 A2 A3 300 200 120\n"
        " H3 B1 B2 300 150 120\n H4 B2 B3 300 150 120\n H5 C1 C2 300 150 120\n"
        " H6 C2 C3 300 150 120\n V1 A1 B1 300 200 120\n V2 B1 C1 300 150 120\n"
        " V3 A2 B2 300 150 120\n V4 B2 C2 300 150 120\n V5 A3 B3 300 150 120 0 CV\n"
        " V6 B3 C3 300 150 120\n D1 C3 P 100 100 120\n"
        "[PUMPS]\n PU1 R2 P HEAD K1\n[CURVES]\n K1 10 70\n[OPTIONS]\n UNITS LPS\n";
    const Network net = parse_ok(text);
    const HydraulicTopology topo(net);
    HydraulicState reused(net, topo);
    initialize_state(net, topo, reused);
    const std::size_t nl = static_cast<std::size_t>(net.link_count());
    const std::vector<double> demands = reused.node_demand;
    // Statuses to impose before each solve: none; V3 closed; V2 and V4 closed (C1, C2 and C3
    // then hang on V6 and the pump); the pump off (P, without demand at the end of D1, becomes
    // an idle dead end and is pruned); the C row cut off from every source; all open again.
    const std::vector<std::vector<const char*>> closed = {
        {}, {"V3"}, {"V2", "V4"}, {"V2", "V4", "PU1"}, {"PU1"}, {"V2", "V4", "V6", "PU1"}, {}};
    for (std::size_t step = 0; step < closed.size(); ++step) {
        for (std::size_t i = 0; i < demands.size(); ++i)
            reused.node_demand[i] = 1e-3 * (step % 2 == 0 ? 2.0 : 1.0) * (i % 3 == 0 ? 1.0 : 0.5);
        reused.node_demand[net.find_node("P").idx()] = 0.0;
        for (std::size_t k = 0; k < nl; ++k)
            if (net.link_kind[k] != LinkKind::kPump)
                reused.status[k] = LinkState::kOpen;
        reused.status[net.find_link("PU1").idx()] = LinkState::kOpen;
        reused.setting[net.find_link("PU1").idx()] = 1.0;
        for (const char* id : closed[step]) {
            const std::size_t k = net.find_link(id).idx();
            reused.status[k] = LinkState::kClosed;
            if (net.link_kind[k] == LinkKind::kPump)
                reused.setting[k] = 0.0;
        }
        // The fresh state poses the same problem from the same flows and heads, so that both
        // solves take the same path; only what the reused state kept from its earlier solves
        // (the cut-off search, the pruning, the split of the links) differs.
        HydraulicState fresh(net, topo);
        initialize_state(net, topo, fresh);
        fresh.node_demand = reused.node_demand;
        fresh.status = reused.status;
        fresh.setting = reused.setting;
        fresh.flow_m3s = reused.flow_m3s;
        fresh.head_m = reused.head_m;
        const HydraulicSummary a = solve_hydraulics(net, topo, reused, HydraulicOptions{});
        const HydraulicSummary b = solve_hydraulics(net, topo, fresh, HydraulicOptions{});
        ASSERT_TRUE(a.converged) << "step " << step << ": " << a.message;
        ASSERT_TRUE(b.converged) << "step " << step << ": " << b.message;
        EXPECT_EQ(a.iterations, b.iterations) << "step " << step;
        const bool pump_off = step == 3 || step == 4;
        EXPECT_EQ(reused.pruned_link_[net.find_link("D1").idx()], pump_off ? 1 : 0)
            << "step " << step;
        EXPECT_EQ(reused.cut_off[net.find_node("C1").idx()], step == 5 ? 2 : 0) << "step " << step;
        for (std::size_t i = 0; i < demands.size(); ++i)
            EXPECT_EQ(reused.head_m[i], fresh.head_m[i]) << "step " << step << " node " << i;
        for (std::size_t k = 0; k < nl; ++k)
            EXPECT_EQ(reused.flow_m3s[k], fresh.flow_m3s[k]) << "step " << step << " link " << k;
    }
    // The last step reopened everything: B2 is supplied again, nothing is pruned.
    EXPECT_EQ(reused.pruned_link_[net.find_link("D1").idx()], 0);
    EXPECT_EQ(reused.cut_off[net.find_node("B2").idx()], 0);
}

namespace {

/// Closes each link of `net`, then opens it again, one after another, solving after each change
/// on a state that kept its last cut-off search and on a fresh state that searches everything:
/// the same search (spanning forest, zones, idle sides) and the same solve, bit for bit. Returns
/// how many solves found a part cut off.
int toggle_each_link(const Network& net) {
    const HydraulicTopology topo(net);
    HydraulicState reused(net, topo);
    initialize_state(net, topo, reused);
    const auto nl = static_cast<std::size_t>(net.link_count());
    const auto nn = static_cast<std::size_t>(net.node_count());
    int cut_off_solves = 0;
    for (std::size_t step = 0; step < 2 * nl; ++step) {
        const std::size_t k = step / 2;
        const LinkState original = reused.status[k];
        reused.status[k] = step % 2 == 0 ? LinkState::kClosed : LinkState::kOpen;
        // every fifth junction without demand: idle dead ends and loops appear and go
        for (std::size_t i = 0; i < nn; ++i)
            reused.node_demand[i] = topo.row[i] >= 0 ? 1e-3 * static_cast<double>(i % 5) : 0.0;
        HydraulicState fresh(net, topo);
        initialize_state(net, topo, fresh);
        fresh.node_demand = reused.node_demand;
        fresh.status = reused.status;
        fresh.setting = reused.setting;
        fresh.flow_m3s = reused.flow_m3s;
        fresh.head_m = reused.head_m;
        const HydraulicSummary a = solve_hydraulics(net, topo, reused, HydraulicOptions{});
        const HydraulicSummary b = solve_hydraulics(net, topo, fresh, HydraulicOptions{});
        const std::string at = "link " + net.link_id[k] + (step % 2 == 0 ? " closed" : " opened");
        EXPECT_EQ(a.converged, b.converged) << at;
        EXPECT_EQ(a.iterations, b.iterations) << at;
        EXPECT_EQ(a.cut_off_nodes, b.cut_off_nodes) << at;
        cut_off_solves += a.cut_off_nodes > 0 ? 1 : 0;
        EXPECT_EQ(reused.cut_off, fresh.cut_off) << at;
        EXPECT_EQ(reused.tree_order_, fresh.tree_order_) << at;
        EXPECT_EQ(reused.tree_link_, fresh.tree_link_) << at;
        EXPECT_EQ(reused.pruned_link_, fresh.pruned_link_) << at;
        EXPECT_EQ(reused.head_m, fresh.head_m) << at;
        EXPECT_EQ(reused.flow_m3s, fresh.flow_m3s) << at;
        if (step % 2 == 1)
            reused.status[k] = original;
    }
    return cut_off_solves;
}

} // namespace

// A status change between solves redoes the cut-off search only as far as it can change what
// the search finds; what it keeps must be what a full search finds.
TEST(SolverReuse, CutOffSearchRedoneAsFarAsAStatusChangeNeeds) {
    const std::filesystem::path inp = std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" /
                                      "validation" / "water" / "net3" / "Net3.inp";
    EXPECT_GT(toggle_each_link(parse_ok(read_file(inp), inp.string())), 0);
    // A looped grid with a check valve pipe, and a pump feeding a junction without demand at the
    // end of a dead end (pruned when the pump is off).
    EXPECT_GT(toggle_each_link(parse_ok(
                  "[JUNCTIONS]\n A1 10 2\n A2 11 2\n A3 12 2\n B1 10 2\n B2 11 0\n B3 12 2\n"
                  " C1 10 2\n C2 11 2\n C3 12 0\n P 5 0\n[RESERVOIRS]\n R1 60\n R2 0\n"
                  "[PIPES]\n S R1 A1 200 300 120\n H1 A1 A2 300 200 120\n H2 A2 A3 300 200 120\n"
                  " H3 B1 B2 300 150 120\n H4 B2 B3 300 150 120\n H5 C1 C2 300 150 120\n"
                  " H6 C2 C3 300 150 120\n V1 A1 B1 300 200 120\n V2 B1 C1 300 150 120\n"
                  " V3 A2 B2 300 150 120\n V4 B2 C2 300 150 120\n V5 A3 B3 300 150 120 0 CV\n"
                  " V6 B3 C3 300 150 120\n D1 C3 P 100 100 120\n"
                  "[PUMPS]\n PU1 R2 P HEAD K1\n[CURVES]\n K1 10 70\n[OPTIONS]\n UNITS LPS\n")),
              0);
    // Two pumps in parallel from S, a junction without demand (as T and U, every fifth one)
    // that a dead end S-T-U hangs on: with a pump running, T and U are an idle side hanging on
    // S; with both stopped, S-T-U hangs on R1 alone. The loops beyond are fed from R2 as well.
    EXPECT_GT(toggle_each_link(parse_ok(
                  "[JUNCTIONS]\n S 5 0\n A 10 2\n B 10 2\n C 10 2\n F 10 2\n T 6 0\n G 10 2\n"
                  " H 10 2\n K 10 2\n M 10 2\n U 7 0\n[RESERVOIRS]\n R1 20\n R2 45\n"
                  "[PIPES]\n P0 R1 S 100 300 120\n P1 S T 100 100 120\n P2 T U 100 100 120\n"
                  " L1 A B 300 200 120\n L2 B C 300 200 120\n L3 C F 300 200 120\n"
                  " L4 F A 300 200 120\n L5 B G 300 150 120\n L6 G H 300 150 120\n"
                  " L7 H K 300 150 120\n L8 K M 300 150 120\n L9 M B 300 150 120\n"
                  " L10 R2 C 500 200 120\n"
                  "[PUMPS]\n PU1 S A HEAD K1\n PU2 S A HEAD K1\n[CURVES]\n K1 10 30\n"
                  "[OPTIONS]\n UNITS LPS\n")),
              0);
}

namespace {
std::vector<EpsResult> expect_same_whatever_the_threads(const Network& net);
} // namespace

TEST(SolverReuse, LargeNetworkSolvesTheSameWhateverTheThreadCount) {
    // A street grid large enough that its factorisation is laid out in independent subtrees
    // and its plain pipes are handled in chunks side by side: the same heads and flows to the
    // last bit with one thread and with several, and mass conserved.
    const int side = 180;
    std::string text = "[JUNCTIONS]\n";
    char buf[160];
    const auto id = [](int i, int j) { return "J" + std::to_string(i) + "_" + std::to_string(j); };
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            std::snprintf(buf, sizeof buf, " %s %.2f %.4f P1\n", id(i, j).c_str(),
                          20.0 + 8.0 * std::sin(0.05 * i) * std::cos(0.04 * j),
                          0.01 + 0.02 * ((i * 7 + j * 13) % 11) / 10.0);
            text += buf;
        }
    text += "[RESERVOIRS]\n R1 90\n R2 90\n[TANKS]\n T1 30 40 20 50 30 0\n[PIPES]\n";
    int k = 0;
    // Damage for the third variant: every 23rd pipe closed, and every pipe into the block of
    // junctions 40..44 × 40..44, which is cut off with its demand.
    std::string closed = "[STATUS]\n";
    const auto in_block = [](int i, int j) { return i >= 40 && i <= 44 && j >= 40 && j <= 44; };
    const auto pipe = [&](const std::string& a, const std::string& b, double d) {
        std::snprintf(buf, sizeof buf, " P%d %s %s %.1f %.0f %.0f 0 Open\n", k, a.c_str(),
                      b.c_str(), 80.0 + (k * 37) % 40, d, 100.0 + (k * 11) % 30);
        text += buf;
        ++k;
    };
    const auto close_last = [&] { closed += " P" + std::to_string(k - 1) + " Closed\n"; };
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            if (j + 1 < side) {
                pipe(id(i, j), id(i, j + 1), i % 10 == 0 ? 400 : 150);
                if ((k - 1) % 23 == 0 || in_block(i, j) != in_block(i, j + 1))
                    close_last();
            }
            if (i + 1 < side && (j % 5 == 0 || (i * 31 + j * 17) % 7 == 0)) {
                pipe(id(i, j), id(i + 1, j), j % 10 == 0 ? 400 : 150);
                if ((k - 1) % 23 == 0 || in_block(i, j) != in_block(i + 1, j))
                    close_last();
            }
        }
    pipe("R1", id(0, 0), 1000);
    pipe("R2", id(side - 1, side - 1), 1000);
    pipe("T1", id(side / 2, side / 2), 400);
    text += "[PATTERNS]\n P1 0.6 1.0 1.4\n[TIMES]\n Duration 2:00\n Hydraulic Timestep 1:00\n"
            " Pattern Timestep 1:00\n[OPTIONS]\n Units LPS\n Headloss H-W\n";
    // Demand-driven, then pressure-driven with leaks (emitters) on every 97th junction: the
    // node terms of the system are summed node by node too.
    std::string pda = text + " Demand Model PDA\n Minimum Pressure 0\n Required Pressure 20\n"
                             "[EMITTERS]\n";
    for (int n = 0; n < side * side; n += 97)
        pda += " " + id(n / side, n % side) + " 0.05\n";
    const std::pair<const char*, std::string> variants[] = {{"demand-driven", text + "[END]\n"},
                                                            {"pressure-driven", pda + "[END]\n"},
                                                            {"damaged", text + closed + "[END]\n"}};
    for (const auto& [name, variant] : variants) {
        SCOPED_TRACE(name);
        const Network net = parse_ok(variant, "grid.inp");
        const std::vector<EpsResult> runs = expect_same_whatever_the_threads(net);
        if (std::string(name) == "damaged" && !runs.empty()) {
            // The isolated block is cut off and gets no water; the rest is supplied.
            const EpsSnapshot& last = runs[0].reports.back();
            const auto block = static_cast<std::size_t>(net.find_node("J42_42").idx());
            const auto outside = static_cast<std::size_t>(net.find_node("J100_100").idx());
            EXPECT_NE(last.cut_off[block], 0);
            EXPECT_EQ(last.demand_m3s[block], 0.0);
            EXPECT_EQ(last.cut_off[outside], 0);
            EXPECT_GT(last.demand_m3s[outside], 0.0);
        }
    }
}

namespace {

/// The EPS of `net` at 1 and 2 threads and in one pass (parallel_links 0): the same heads and
/// flows to the last bit, each converged with mass conserved. Returns the runs.
std::vector<EpsResult> expect_same_whatever_the_threads(const Network& net) {
    const HydraulicTopology topo(net);
    EXPECT_GE(topo.symbolic.parallel_units(), 2);
    // Two thread counts, and the pipes' loops in one pass (parallel_links 0) for the third.
    std::vector<EpsResult> runs;
    for (const std::size_t threads : {1, 2, 2}) {
        const ThreadLimit limit(threads);
        EpsOptions options;
        if (runs.size() == 2)
            options.hydraulic.parallel_links = 0;
        runs.push_back(simulate_eps(net, topo, options));
        EXPECT_TRUE(runs.back().converged) << runs.back().message;
        EXPECT_LT(runs.back().max_mass_balance_error, 1e-6);
    }
    for (std::size_t run = 1; run < runs.size(); ++run) {
        EXPECT_EQ(runs[0].iterations, runs[run].iterations);
        if (runs[0].reports.size() != runs[run].reports.size()) {
            ADD_FAILURE() << "reports differ in number";
            continue;
        }
        std::size_t differing = 0;
        for (std::size_t r = 0; r < runs[0].reports.size(); ++r) {
            const EpsSnapshot& a = runs[0].reports[r];
            const EpsSnapshot& b = runs[run].reports[r];
            differing += a.head_m != b.head_m ? 1 : 0;
            differing += a.flow_m3s != b.flow_m3s ? 1 : 0;
        }
        EXPECT_EQ(differing, 0u) << "run " << run << ": reports whose heads or flows differ";
    }
    return runs;
}

} // namespace
