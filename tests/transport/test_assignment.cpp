// Tests of BPR costs, shortest paths with closures and the centroid rule, and UE assignment.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/parallel.hpp"
#include "transport/assignment.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {
namespace {

const std::string kValidation = std::string(RENCHENG_SOURCE_DIR) + "/tests/validation/transport/";

AssignmentNetwork load_net(const std::string& path) {
    Diagnostics diags;
    auto net = read_tntp_net(path, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    return net;
}

TripTable load_trips(const std::string& path) {
    Diagnostics diags;
    auto trips = read_tntp_trips(path, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    return trips;
}

/// Largest |inflow - outflow - (demand ending - demand starting)| over the nodes.
double conservation_error(const AssignmentNetwork& net, const TripTable& trips,
                          const std::vector<double>& flow) {
    std::vector<double> balance(static_cast<std::size_t>(net.node_count), 0.0);
    for (std::size_t a = 0; a < flow.size(); ++a) {
        balance[static_cast<std::size_t>(net.term[a])] += flow[a];
        balance[static_cast<std::size_t>(net.init[a])] -= flow[a];
    }
    for (std::size_t o = 0; o < static_cast<std::size_t>(trips.zone_count); ++o)
        for (auto k = static_cast<std::size_t>(trips.origin_begin[o]);
             k < static_cast<std::size_t>(trips.origin_begin[o + 1]); ++k) {
            balance[o] += trips.demand[k];
            balance[static_cast<std::size_t>(trips.destination[k])] -= trips.demand[k];
        }
    double worst = 0.0;
    for (const double b : balance)
        worst = std::max(worst, std::abs(b));
    return worst;
}

TEST(Bpr, TimeAndDerivative) {
    EXPECT_DOUBLE_EQ(bpr_time(10.0, 0.15, 4.0, 100.0, 0.0), 10.0);
    EXPECT_DOUBLE_EQ(bpr_time(10.0, 0.15, 4.0, 100.0, 100.0), 11.5);
    EXPECT_DOUBLE_EQ(bpr_time(10.0, 0.15, 4.0, 100.0, 200.0), 10.0 * (1 + 0.15 * 16));
    EXPECT_DOUBLE_EQ(bpr_time(10.0, 0.5, 2.5, 100.0, 50.0), 10.0 * (1 + 0.5 * std::pow(0.5, 2.5)));
    EXPECT_DOUBLE_EQ(bpr_derivative(10.0, 0.15, 4.0, 100.0, 100.0), 10.0 * 0.15 * 4.0 / 100.0);
    EXPECT_DOUBLE_EQ(bpr_derivative(10.0, 0.15, 4.0, 100.0, 0.0), 0.0);
    // Zero free-flow time (TNTP connectors): constant zero, whatever the capacity.
    EXPECT_DOUBLE_EQ(bpr_time(0.0, 0.15, 4.0, 0.0, 50.0), 0.0);
    EXPECT_DOUBLE_EQ(bpr_derivative(0.0, 0.15, 4.0, 0.0, 50.0), 0.0);
    // A finite-difference check of the derivative.
    const double h = 1e-4, x = 137.0;
    const double fd =
        (bpr_time(3.0, 0.15, 4.0, 120.0, x + h) - bpr_time(3.0, 0.15, 4.0, 120.0, x - h)) / (2 * h);
    EXPECT_NEAR(bpr_derivative(3.0, 0.15, 4.0, 120.0, x), fd, 1e-8);
}

/// 1 -> 3 -> 4 -> 2 and 1 -> 2 direct; zone 2 -> 5 -> ... tests the centroid rule.
AssignmentNetwork small_net(std::int32_t first_thru_node) {
    AssignmentNetwork net;
    net.node_count = 5;
    net.zone_count = 2;
    net.first_thru_node = first_thru_node;
    net.add_link(0, 2, 100, 1, 1, 0.15, 4);  // 0: 1-3
    net.add_link(2, 3, 100, 1, 1, 0.15, 4);  // 1: 3-4
    net.add_link(3, 1, 100, 1, 1, 0.15, 4);  // 2: 4-2
    net.add_link(0, 1, 100, 1, 10, 0.15, 4); // 3: 1-2
    net.add_link(0, 4, 100, 1, 1, 0.15, 4);  // 4: 1-5
    net.add_link(1, 3, 100, 1, 1, 0.15, 4);  // 5: 2-4 (leaves zone 2)
    net.add_link(4, 1, 100, 1, 1, 0.15, 4);  // 6: 5-2
    net.build_graph();
    return net;
}

TEST(ShortestPath, DijkstraWithClosures) {
    const auto net = small_net(1);
    const std::vector<double> cost = {1, 1, 1, 10, 5, 1, 5};
    auto tree = shortest_paths(net, 0, cost);
    EXPECT_DOUBLE_EQ(tree.dist[1], 3.0);
    EXPECT_EQ(path_to(net, tree, 1), (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_TRUE(path_to(net, tree, 0).empty());
    // Close 3-4: the direct link (10) or 1-5-2 (10); closing 1-2 too leaves 1-5-2.
    std::vector<std::uint8_t> closed(7, 0);
    closed[1] = 1;
    closed[3] = 1;
    tree = shortest_paths(net, 0, cost, closed);
    EXPECT_DOUBLE_EQ(tree.dist[1], 10.0);
    EXPECT_EQ(path_to(net, tree, 1), (std::vector<std::int32_t>{4, 6}));
    EXPECT_DOUBLE_EQ(tree.dist[3], 11.0); // 1-5-2-4 passes through zone 2: allowed here
    closed[4] = 1;
    closed[6] = 1;
    tree = shortest_paths(net, 0, cost, closed);
    EXPECT_EQ(tree.dist[1], kUnreachable);
    EXPECT_EQ(tree.pred_link[1], -1);
}

TEST(ShortestPath, CentroidRule) {
    // With <FIRST THRU NODE> 3, zone 2 may end a path but never lie inside one.
    const auto net = small_net(3);
    const std::vector<double> cost = {1, 100, 1, 10, 1, 1, 1};
    const auto tree = shortest_paths(net, 0, cost);
    EXPECT_DOUBLE_EQ(tree.dist[1], 2.0);   // 1-5-2
    EXPECT_DOUBLE_EQ(tree.dist[3], 101.0); // 1-3-4, not 1-5-2-4 (3)
    const auto net1 = small_net(1);
    EXPECT_DOUBLE_EQ(shortest_paths(net1, 0, cost).dist[3], 3.0);
    // From zone 2 itself, its own connectors may be used.
    EXPECT_DOUBLE_EQ(shortest_paths(net, 1, cost).dist[3], 1.0);
}

struct Case {
    AssignmentNetwork net;
    TripTable trips;
};

Case braess() {
    return {load_net(kValidation + "Braess/Braess_net.tntp"),
            load_trips(kValidation + "Braess/Braess_trips.tntp")};
}

TEST(Assignment, BraessAnalyticalEquilibrium) {
    const auto c = braess();
    for (auto algo : {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
        AssignmentOptions opt;
        opt.algorithm = algo;
        opt.target_gap = algo == AssignmentAlgorithm::kAlgorithmB ? 1e-12 : 1e-6;
        opt.max_iterations = 100000;
        const auto r = assign_traffic(c.net, c.trips, opt);
        ASSERT_TRUE(r.converged) << algorithm_name(algo);
        const double e = 1e-8;
        const double tol = algo == AssignmentAlgorithm::kAlgorithmB ? 1e-7 : 1e-3;
        EXPECT_NEAR(r.flow[static_cast<std::size_t>(c.net.find_link(1, 3))], 4 - e / 13, tol);
        EXPECT_NEAR(r.flow[static_cast<std::size_t>(c.net.find_link(1, 4))], 2 + e / 13, tol);
        EXPECT_NEAR(r.flow[static_cast<std::size_t>(c.net.find_link(3, 4))], 2 - 2 * e / 13, tol);
        EXPECT_NEAR(r.tstt, 552.0 + 24 * e / 13,
                    552.0 * (algo == AssignmentAlgorithm::kAlgorithmB ? 1e-10 : 1e-5));
        EXPECT_LE(r.relative_gap, opt.target_gap);
        EXPECT_DOUBLE_EQ(r.assigned_demand, 6.0);
    }
}

TEST(Assignment, SiouxFallsBothAlgorithms) {
    const Case c{load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp"),
                 load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp")};
    AssignmentOptions fw;
    fw.algorithm = AssignmentAlgorithm::kFrankWolfe;
    fw.target_gap = 1e-4;
    fw.max_iterations = 10000; // Frank-Wolfe converges slowly: a baseline, not a tool
    const auto rf = assign_traffic(c.net, c.trips, fw);
    EXPECT_TRUE(rf.converged);
    EXPECT_LE(rf.relative_gap, 1e-4);
    std::vector<AssignmentIteration> seen;
    AssignmentOptions b;
    b.on_iteration = [&](const AssignmentIteration& it) { seen.push_back(it); };
    const auto rb = assign_traffic(c.net, c.trips, b);
    EXPECT_TRUE(rb.converged);
    EXPECT_LE(rb.relative_gap, 1e-10);
    EXPECT_EQ(seen.size(), rb.history.size());
    EXPECT_EQ(static_cast<int>(seen.size()), rb.iterations + 1);
    // Both near the best-known TSTT; FW within what a 1e-4 gap allows.
    EXPECT_NEAR(rb.tstt, 7480225.345, 7480225.345 * 1e-8);
    EXPECT_NEAR(rf.tstt, 7480225.345, 7480225.345 * 1e-3);
    EXPECT_GE(rb.beckmann, 4231335.28711 * (1 - 1e-12)); // UE minimises the Beckmann objective
    EXPECT_LE(rb.beckmann, rf.beckmann);
    // Every OD demand is assigned, and flow is conserved at every node.
    EXPECT_DOUBLE_EQ(rb.unreachable_demand, 0.0);
    EXPECT_NEAR(rb.assigned_demand, 360600.0, 1e-6);
    EXPECT_LE(conservation_error(c.net, c.trips, rb.flow), 1e-9 * 360600.0);
    EXPECT_LE(conservation_error(c.net, c.trips, rf.flow), 1e-9 * 360600.0);
}

TEST(Assignment, SameResultForAnyThreadCount) {
    const Case c{load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp"),
                 load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp")};
    for (auto algo : {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
        AssignmentOptions opt;
        opt.algorithm = algo;
        opt.target_gap = 1e-8;
        opt.max_iterations = 40;
        AssignmentResult one, many;
        {
            const ThreadLimit limit(1);
            one = assign_traffic(c.net, c.trips, opt);
        }
        {
            const ThreadLimit limit(4);
            many = assign_traffic(c.net, c.trips, opt);
        }
        EXPECT_EQ(one.flow, many.flow) << algorithm_name(algo);
        EXPECT_EQ(one.relative_gap, many.relative_gap);
        EXPECT_EQ(one.iterations, many.iterations);
    }
}

TEST(Assignment, TwoAssignmentsSideBySide) {
    // No global state: two networks solved in turn and interleaved give the same answers.
    const auto a = braess();
    const Case s{load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp"),
                 load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp")};
    AssignmentOptions opt;
    opt.target_gap = 1e-8;
    const auto r1 = assign_traffic(a.net, a.trips, opt);
    const auto r2 = assign_traffic(s.net, s.trips, opt);
    const auto r3 = assign_traffic(a.net, a.trips, opt);
    EXPECT_EQ(r1.flow, r3.flow);
    EXPECT_GT(r2.tstt, r1.tstt);
}

TEST(Assignment, ClosuresAndUnreachableDemand) {
    auto c = braess();
    AssignmentOptions opt;
    opt.closed.assign(static_cast<std::size_t>(c.net.link_count()), 0);
    opt.closed[static_cast<std::size_t>(c.net.find_link(3, 4))] = 1; // the Braess link
    for (auto algo : {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
        opt.algorithm = algo;
        opt.target_gap = 1e-9;
        opt.max_iterations = 100000;
        const auto r = assign_traffic(c.net, c.trips, opt);
        EXPECT_TRUE(r.converged);
        // Without the middle link the demand splits 3/3 and each path costs 83 (+1e-8 terms).
        EXPECT_NEAR(r.flow[static_cast<std::size_t>(c.net.find_link(1, 3))], 3.0, 1e-3);
        EXPECT_DOUBLE_EQ(r.flow[static_cast<std::size_t>(c.net.find_link(3, 4))], 0.0);
        EXPECT_NEAR(r.tstt, 6 * 83.0, 1e-3);
    }
    // Close both links out of the origin: nothing can be assigned.
    opt.closed[static_cast<std::size_t>(c.net.find_link(1, 3))] = 1;
    opt.closed[static_cast<std::size_t>(c.net.find_link(1, 4))] = 1;
    opt.algorithm = AssignmentAlgorithm::kAlgorithmB;
    const auto r = assign_traffic(c.net, c.trips, opt);
    EXPECT_DOUBLE_EQ(r.unreachable_demand, 6.0);
    EXPECT_DOUBLE_EQ(r.assigned_demand, 0.0);
    for (const double f : r.flow)
        EXPECT_EQ(f, 0.0);
}

TEST(Assignment, AllOrNothingLoad) {
    const Case c{load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp"),
                 load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp")};
    const auto load = all_or_nothing_assignment(c.net, c.trips, c.net.free_flow_time);
    // Every demand on a shortest path: flow conserved, SPTT = sum of flow x cost, and no
    // other loading costs less at these fixed costs.
    EXPECT_DOUBLE_EQ(load.unreachable_demand, 0.0);
    EXPECT_LE(conservation_error(c.net, c.trips, load.flow), 1e-9 * 360600.0);
    double tstt = 0.0;
    for (std::size_t a = 0; a < load.flow.size(); ++a)
        tstt += load.flow[a] * c.net.free_flow_time[a];
    EXPECT_NEAR(tstt, load.sptt, 1e-9 * load.sptt);
    AssignmentOptions b;
    b.target_gap = 1e-6;
    const auto ue = assign_traffic(c.net, c.trips, b);
    double ue_at_free_flow = 0.0;
    for (std::size_t a = 0; a < ue.flow.size(); ++a)
        ue_at_free_flow += ue.flow[a] * c.net.free_flow_time[a];
    EXPECT_GT(ue_at_free_flow, load.sptt);
    // A closure moves the load off the link; wrong-sized vectors are rejected.
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(c.net.link_count()), 0);
    std::size_t busiest = 0;
    for (std::size_t a = 0; a < load.flow.size(); ++a)
        if (load.flow[a] > load.flow[busiest])
            busiest = a;
    closed[busiest] = 1;
    const auto detour = all_or_nothing_assignment(c.net, c.trips, c.net.free_flow_time, closed);
    EXPECT_EQ(detour.flow[busiest], 0.0);
    EXPECT_GT(detour.sptt, load.sptt);
    EXPECT_LE(conservation_error(c.net, c.trips, detour.flow), 1e-9 * 360600.0);
    const std::vector<double> short_cost(3, 1.0);
    EXPECT_THROW((void)all_or_nothing_assignment(c.net, c.trips, short_cost), Error);
}

TEST(Assignment, GeneralizedCost) {
    const auto c = braess();
    AssignmentOptions opt;
    opt.distance_factor = 0.04;
    opt.toll_factor = 0.02;
    opt.target_gap = 1e-12;
    const auto r = assign_traffic(c.net, c.trips, opt);
    // Every link is 100 long: each path gains 8 (two links) or 12 (three), which moves flow
    // off the Braess link; costs report the generalized cost.
    EXPECT_TRUE(r.converged);
    const auto a = static_cast<std::size_t>(c.net.find_link(1, 4));
    EXPECT_NEAR(r.cost[a], bpr_time(50, 0.02, 1, 1, r.flow[a]) + 4.0, 1e-12);
    EXPECT_LT(r.flow[static_cast<std::size_t>(c.net.find_link(3, 4))], 2.0);
    const auto g = evaluate_flows(c.net, c.trips, r.flow, opt);
    EXPECT_DOUBLE_EQ(g.tstt, r.tstt);
    EXPECT_DOUBLE_EQ(g.relative_gap, r.relative_gap);
}

TEST(Assignment, RejectsMismatchesAndBadOptions) {
    const auto c = braess();
    TripTable t = c.trips;
    t = TripTable::from_entries(3, {0}, {1}, {1.0});
    EXPECT_THROW((void)assign_traffic(c.net, t, {}), Error);
    AssignmentOptions opt;
    opt.target_gap = -1;
    EXPECT_FALSE(opt.validate().empty());
    EXPECT_THROW((void)assign_traffic(c.net, c.trips, opt), Error);
    opt = {};
    opt.closed.assign(2, 0);
    EXPECT_THROW((void)assign_traffic(c.net, c.trips, opt), Error);
    opt = {};
    opt.max_iterations = 0; // one evaluation, no iteration: not converged
    opt.algorithm = AssignmentAlgorithm::kFrankWolfe;
    const auto r = assign_traffic(c.net, c.trips, opt);
    EXPECT_FALSE(r.converged);
    EXPECT_EQ(r.iterations, 0);
}

} // namespace
} // namespace rencheng::transport
