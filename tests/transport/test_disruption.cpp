// Tests of disruption analysis: closures and capacity cuts with re-assignment (warm start),
// disconnected demand, link criticality and node criticality on cases with known answers.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/disruption.hpp"
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

/// Largest node imbalance of `flow` against the demand that has a path (unreachable pairs are
/// left out, as the assignment leaves them out).
double conservation_error(const AssignmentNetwork& net, const TripTable& trips,
                          const std::vector<double>& flow, std::span<const std::uint8_t> closed) {
    std::vector<double> balance(static_cast<std::size_t>(net.node_count), 0.0);
    for (std::size_t a = 0; a < flow.size(); ++a) {
        balance[static_cast<std::size_t>(net.term[a])] += flow[a];
        balance[static_cast<std::size_t>(net.init[a])] -= flow[a];
    }
    const std::vector<double> zero(flow.size(), 1.0);
    const std::vector<double> reach = od_costs(net, trips, zero, closed);
    for (std::size_t o = 0; o < static_cast<std::size_t>(trips.zone_count); ++o)
        for (auto k = static_cast<std::size_t>(trips.origin_begin[o]);
             k < static_cast<std::size_t>(trips.origin_begin[o + 1]); ++k) {
            if (reach[k] == kUnreachable)
                continue;
            balance[o] += trips.demand[k];
            balance[static_cast<std::size_t>(trips.destination[k])] -= trips.demand[k];
        }
    double worst = 0.0;
    for (const double b : balance)
        worst = std::max(worst, std::abs(b));
    return worst;
}

/// Six nodes; zones 1..3. Mainland {1, 2, 4}; an island {3, 5, 6} reached only over the
/// bridge 4 <-> 5. Every link is two-way (two directed links).
struct BridgeCase {
    AssignmentNetwork net;
    TripTable trips;
    std::vector<double> population{1000.0, 2000.0, 500.0, 0.0, 150.0, 300.0};

    BridgeCase() {
        net.node_count = 6;
        net.zone_count = 3;
        net.first_thru_node = 1;
        auto both = [&](int a, int b, double fft) {
            net.add_link(a - 1, b - 1, 100.0, 1.0, fft, 0.15, 4.0);
            net.add_link(b - 1, a - 1, 100.0, 1.0, fft, 0.15, 4.0);
        };
        both(1, 2, 4.0);
        both(2, 4, 3.0);
        both(1, 4, 5.0);
        both(4, 5, 2.0); // the bridge
        both(5, 3, 1.0);
        both(5, 6, 2.0);
        both(3, 6, 2.0);
        net.build_graph();
        trips = TripTable::from_entries(3, {0, 2, 0, 1}, {2, 0, 1, 2}, {100.0, 50.0, 200.0, 30.0});
    }
};

DisruptionOptions tight() {
    DisruptionOptions o;
    o.assignment.target_gap = 1e-10;
    return o;
}

TEST(Disruption, ReadsTheListWithLineNumbers) {
    const BridgeCase c;
    Diagnostics diags;
    const Disruption d =
        parse_disruption_csv("link,capacity_factor\n4-5,0\n1-2,0.5\n9-9,0\n2-1,1.5\nx,0\n",
                             "closures.csv", c.net, diags);
    ASSERT_EQ(d.links.size(), 2u);
    EXPECT_EQ(c.net.link_label(d.links[0].link), "4-5");
    EXPECT_DOUBLE_EQ(d.links[1].capacity_factor, 0.5);
    ASSERT_EQ(diags.error_count(), 3u) << diags.format();
    EXPECT_EQ(diags.items()[0].line, 4);
    EXPECT_EQ(diags.items()[0].code, ErrorCode::kUnknownReference);
    EXPECT_EQ(diags.items()[1].line, 5);
    EXPECT_EQ(diags.items()[1].code, ErrorCode::kOutOfRange);
    EXPECT_EQ(diags.items()[2].line, 6);
    // The factor column is optional: a list of links closes them.
    Diagnostics d2;
    const Disruption only = parse_disruption_csv("link\n5-4\n", "c.csv", c.net, d2);
    ASSERT_EQ(only.links.size(), 1u);
    EXPECT_EQ(only.closed_mask(c.net.link_count())[static_cast<std::size_t>(only.links[0].link)],
              1);
    Diagnostics d3;
    parse_disruption_csv("edge\n5-4\n", "c.csv", c.net, d3);
    EXPECT_TRUE(d3.has_errors());
}

TEST(Disruption, BridgeClosureDisconnectsTheIslandAndReportsIt) {
    const BridgeCase c;
    Disruption d;
    d.links.push_back({c.net.find_link(4, 5), 0.0});
    d.links.push_back({c.net.find_link(5, 4), 0.0});
    const DisruptionResult r = analyse_disruption(c.net, c.trips, d, tight());
    EXPECT_TRUE(r.base.converged);
    EXPECT_DOUBLE_EQ(r.base.unreachable_demand, 0.0);
    EXPECT_TRUE(r.disrupted.converged);
    // 1->3 (100), 3->1 (50) and 2->3 (30) lose every path; 1->2 (200) is still served.
    EXPECT_DOUBLE_EQ(r.disconnected_demand, 180.0);
    EXPECT_DOUBLE_EQ(r.disrupted.unreachable_demand, 180.0);
    EXPECT_DOUBLE_EQ(r.disrupted.assigned_demand, 200.0);
    ASSERT_EQ(r.disconnected.size(), 3u);
    for (const OdChange& ch : r.disconnected) {
        EXPECT_TRUE(ch.destination == 2 || ch.origin == 2);
        EXPECT_EQ(ch.disrupted_cost, kUnreachable);
        EXPECT_NE(ch.base_cost, kUnreachable);
    }
    EXPECT_TRUE(std::isfinite(r.disrupted.tstt));
    EXPECT_LT(r.disrupted.tstt, r.base.tstt); // fewer trips served
    EXPECT_DOUBLE_EQ(r.disrupted.flow[static_cast<std::size_t>(c.net.find_link(4, 5))], 0.0);
    EXPECT_LT(
        conservation_error(c.net, c.trips, r.disrupted.flow, d.closed_mask(c.net.link_count())),
        1e-9 * c.trips.total());
}

TEST(Disruption, OneDirectionOfTheBridgeCutsOnlyThatDirection) {
    const BridgeCase c;
    Disruption d;
    d.links.push_back({c.net.find_link(5, 4), 0.0});
    const DisruptionResult r = analyse_disruption(c.net, c.trips, d, tight());
    EXPECT_DOUBLE_EQ(r.disconnected_demand, 50.0);
    ASSERT_EQ(r.disconnected.size(), 1u);
    EXPECT_EQ(r.disconnected[0].origin, 2);
    EXPECT_EQ(r.disconnected[0].destination, 0);
}

TEST(Disruption, SiouxFallsClosureConservesFlowAndRaisesTstt) {
    const auto net = load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp");
    const auto trips = load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp");
    Disruption d;
    const std::int32_t closed_link = net.find_link(10, 15);
    ASSERT_GE(closed_link, 0);
    d.links.push_back({closed_link, 0.0});
    const DisruptionResult r = analyse_disruption(net, trips, d, tight());
    ASSERT_TRUE(r.base.converged);
    ASSERT_EQ(r.base.bush_flow.size(), 24u);
    EXPECT_TRUE(r.disrupted.converged);
    EXPECT_LE(r.disrupted.relative_gap, 1e-8);
    EXPECT_GT(r.tstt_change, 0.0);
    EXPECT_GT(r.disrupted.tstt, r.base.tstt * 1.001);
    EXPECT_DOUBLE_EQ(r.disconnected_demand, 0.0);
    EXPECT_DOUBLE_EQ(r.disrupted.unreachable_demand, 0.0);
    EXPECT_DOUBLE_EQ(r.disrupted.flow[static_cast<std::size_t>(closed_link)], 0.0);
    const auto mask = d.closed_mask(net.link_count());
    EXPECT_LT(conservation_error(net, trips, r.disrupted.flow, mask), 1e-9 * trips.total());
    // Origins whose bush did not use the link started warm; the others from scratch.
    EXPECT_GT(r.disrupted.warm_started_origins, 0);
    EXPECT_LT(r.disrupted.warm_started_origins, 24);
    // Same equilibrium as a cold start.
    DisruptionOptions cold = tight();
    cold.warm_start = false;
    const DisruptionResult rc = analyse_disruption(net, trips, d, cold);
    EXPECT_EQ(rc.disrupted.warm_started_origins, 0);
    EXPECT_NEAR(rc.disrupted.tstt, r.disrupted.tstt, 1e-7 * r.disrupted.tstt);
    for (std::size_t a = 0; a < r.disrupted.flow.size(); ++a)
        EXPECT_NEAR(rc.disrupted.flow[a], r.disrupted.flow[a], 1e-3) << net.link_label(a);
    // Every OD pair's time at the new equilibrium is no shorter than before on average.
    double before = 0.0, after = 0.0;
    for (const OdChange& ch : r.od) {
        before += ch.demand * ch.base_cost;
        after += ch.demand * ch.disrupted_cost;
    }
    EXPECT_NEAR(before, r.base.sptt, 1e-9 * before);
    EXPECT_GT(after, before);
}

TEST(Disruption, CapacityCutWarmStartsEveryOrigin) {
    const auto net = load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp");
    const auto trips = load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp");
    Disruption d;
    d.links.push_back({net.find_link(10, 15), 0.5});
    d.links.push_back({net.find_link(15, 10), 0.5});
    const DisruptionResult r = analyse_disruption(net, trips, d, tight());
    EXPECT_EQ(r.disrupted.warm_started_origins, 24); // the old flows stay feasible
    EXPECT_TRUE(r.disrupted.converged);
    EXPECT_GT(r.tstt_change, 0.0);
    EXPECT_LT(r.disrupted.iterations, r.base.iterations);
    EXPECT_GT(r.disrupted.flow[static_cast<std::size_t>(net.find_link(10, 15))], 0.0);
    EXPECT_LT(r.disrupted.flow[static_cast<std::size_t>(net.find_link(10, 15))],
              r.base.flow[static_cast<std::size_t>(net.find_link(10, 15))]);
}

TEST(LinkCriticality, BridgeRanksFirstByDisconnectedDemand) {
    const BridgeCase c;
    CriticalityOptions opt;
    opt.disruption = tight();
    for (const CriticalityMethod m :
         {CriticalityMethod::kReassign, CriticalityMethod::kFixedCostReroute}) {
        opt.method = m;
        const CriticalityResult r = link_criticality(c.net, c.trips, opt);
        ASSERT_EQ(r.links.size(), static_cast<std::size_t>(c.net.link_count()));
        const LinkCriticality& top = r.links[static_cast<std::size_t>(r.by_disconnected[0])];
        EXPECT_EQ(c.net.link_label(top.link), "4-5") << criticality_method_name(m);
        EXPECT_DOUBLE_EQ(top.disconnected_demand, 130.0);
        const LinkCriticality& second = r.links[static_cast<std::size_t>(r.by_disconnected[1])];
        EXPECT_EQ(c.net.link_label(second.link), "5-4");
        EXPECT_DOUBLE_EQ(second.disconnected_demand, 50.0);
        // Links with an alternative disconnect nothing.
        for (const LinkCriticality& lc : r.links)
            if (lc.link != top.link && lc.link != second.link) {
                EXPECT_DOUBLE_EQ(lc.disconnected_demand, 0.0) << c.net.link_label(lc.link);
            }
        // by_tstt is sorted.
        for (std::size_t i = 1; i < r.by_tstt.size(); ++i)
            EXPECT_GE(r.links[static_cast<std::size_t>(r.by_tstt[i - 1])].tstt_increase,
                      r.links[static_cast<std::size_t>(r.by_tstt[i])].tstt_increase);
    }
}

TEST(LinkCriticality, SiouxFallsTopCandidatesByFlow) {
    const auto net = load_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp");
    const auto trips = load_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp");
    CriticalityOptions opt;
    opt.disruption.assignment.target_gap = 1e-8;
    opt.candidates = 6;
    const CriticalityResult r = link_criticality(net, trips, opt);
    ASSERT_EQ(r.links.size(), 6u);
    // The candidates are the six most loaded links.
    std::vector<double> flows = r.base.flow;
    std::sort(flows.begin(), flows.end(), std::greater<>());
    for (const LinkCriticality& lc : r.links) {
        EXPECT_GE(lc.base_flow, flows[5]);
        EXPECT_TRUE(lc.converged);
        EXPECT_GT(lc.tstt_increase, 0.0) << net.link_label(lc.link);
        EXPECT_DOUBLE_EQ(lc.disconnected_demand, 0.0);
    }
    // At fixed congested costs, removing a link never shortens a path.
    opt.method = CriticalityMethod::kFixedCostReroute;
    const CriticalityResult f = link_criticality(net, trips, opt);
    ASSERT_EQ(f.links.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(f.links[i].link, r.links[i].link);
        EXPECT_GE(f.links[i].tstt_increase, 0.0);
    }
}

TEST(Connectivity, CentroidsDoNotJoinParts) {
    AssignmentNetwork net;
    net.node_count = 3;
    net.zone_count = 1;
    net.first_thru_node = 2; // node 1 is a centroid
    net.add_link(1, 0, 100, 1, 1, 0, 1);
    net.add_link(0, 1, 100, 1, 1, 0, 1);
    net.add_link(0, 2, 100, 1, 1, 0, 1);
    net.add_link(2, 0, 100, 1, 1, 0, 1);
    net.build_graph();
    const std::vector<double> pop{0.0, 10.0, 5.0};
    const auto c = connected_to_mainland(net, {}, {}, pop);
    EXPECT_EQ(c, (std::vector<std::uint8_t>{1, 1, 0}));
    net.first_thru_node = 1; // now node 1 may be passed through
    const auto all = connected_to_mainland(net, {}, {}, pop);
    EXPECT_EQ(all, (std::vector<std::uint8_t>{1, 1, 1}));
}

TEST(NodeCriticality, PeopleIsolatedByEachNode) {
    const BridgeCase c;
    const std::vector<NodeCriticality> r = node_criticality(c.net, c.population);
    ASSERT_EQ(r.size(), 6u);
    // Expected (node number, own, isolated, isolated nodes), sorted by own + isolated.
    struct Row {
        int node;
        double own, isolated;
        int nodes;
    };
    // Nodes 4 and 5 tie at 950 people; 4 cuts off more nodes and ranks first.
    const std::vector<Row> expected{{2, 2000, 0, 0},  {1, 1000, 0, 0}, {4, 0, 950, 3},
                                    {5, 150, 800, 2}, {3, 500, 0, 0},  {6, 300, 0, 0}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(r[i].node + 1, expected[i].node) << i;
        EXPECT_DOUBLE_EQ(r[i].own_population, expected[i].own) << i;
        EXPECT_DOUBLE_EQ(r[i].isolated_population, expected[i].isolated) << i;
        EXPECT_EQ(r[i].isolated_nodes, expected[i].nodes) << i;
    }
}

} // namespace
} // namespace rencheng::transport
