// Tests of minimum-cost flow and evacuation planning on small cases with known answers
// (min-cost max-flow, min cut, quickest flow).
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "transport/evacuation.hpp"
#include "transport/min_cost_flow.hpp"

namespace rencheng::transport {
namespace {

TEST(MinCostFlow, ClassicInstance) {
    // s=0, t=3. Maximum flow 3 (cut {0->1, 0->2}); the cheapest way to send it costs 10:
    // 0-1-2-3 (3) and 0-2-3 (3) one unit each, then 0-1-3 (4).
    MinCostFlow g(4);
    const auto a01 = g.add_arc(0, 1, 2.0, 1.0);
    g.add_arc(0, 2, 1.0, 2.0);
    const auto a12 = g.add_arc(1, 2, 1.0, 1.0);
    const auto a13 = g.add_arc(1, 3, 1.0, 3.0);
    g.add_arc(2, 3, 2.0, 1.0);
    const auto r = g.solve(0, 3);
    EXPECT_DOUBLE_EQ(r.flow, 3.0);
    EXPECT_DOUBLE_EQ(r.cost, 10.0);
    EXPECT_DOUBLE_EQ(g.flow(a01), 2.0);
    EXPECT_DOUBLE_EQ(g.flow(a12), 1.0);
    EXPECT_DOUBLE_EQ(g.flow(a13), 1.0);
    for (std::size_t k = 1; k < r.steps.size(); ++k)
        EXPECT_GE(r.steps[k].unit_cost, r.steps[k - 1].unit_cost);
    EXPECT_DOUBLE_EQ(r.steps.back().unit_cost, 4.0);
}

TEST(MinCostFlow, LimitAndReverseArcs) {
    // A case where the second path must undo flow on a middle arc (the reverse residual arc).
    //   0->1 (1, cost 1), 0->2 (1, cost 5), 1->2 (1, cost 1), 1->3 (1, cost 5), 2->3 (1, cost 1)
    // First path 0-1-2-3 costs 3; the second 0-2-(undo 1-2)-1-3 costs 5 - 1 + 5 = 9.
    MinCostFlow g(4);
    g.add_arc(0, 1, 1.0, 1.0);
    g.add_arc(0, 2, 1.0, 5.0);
    const auto mid = g.add_arc(1, 2, 1.0, 1.0);
    g.add_arc(1, 3, 1.0, 5.0);
    g.add_arc(2, 3, 1.0, 1.0);
    const auto r = g.solve(0, 3);
    EXPECT_DOUBLE_EQ(r.flow, 2.0);
    EXPECT_DOUBLE_EQ(r.cost, 12.0);
    EXPECT_DOUBLE_EQ(g.flow(mid), 0.0);
    MinCostFlow h(3);
    h.add_arc(0, 1, 10.0, 2.0);
    h.add_arc(1, 2, 10.0, 3.0);
    const auto lim = h.solve(0, 2, 4.0);
    EXPECT_DOUBLE_EQ(lim.flow, 4.0);
    EXPECT_DOUBLE_EQ(lim.cost, 20.0);
}

TEST(QuickestTime, PiecewiseLinearDynamicFlow) {
    // Two paths: 60 veh/h after 10 min and 120 veh/h after 20 min.
    const std::vector<double> rate{60.0, 120.0}, when{10.0, 20.0};
    EXPECT_DOUBLE_EQ(quickest_time_min(rate, when, 5.0), 15.0);  // first path alone
    EXPECT_DOUBLE_EQ(quickest_time_min(rate, when, 10.0), 20.0); // exactly at the break
    // 1 veh/min (T - 10) + 2 veh/min (T - 20) = 40 -> T = 30.
    EXPECT_DOUBLE_EQ(quickest_time_min(rate, when, 40.0), 30.0);
    EXPECT_DOUBLE_EQ(quickest_time_min(rate, when, 0.0), 0.0);
    EXPECT_EQ(quickest_time_min({}, {}, 1.0), std::numeric_limits<double>::infinity());
}

/// Node 1 holds 1000 people; shelters at node 3 (300 places) and node 4 (600 places).
///   1->2 cap 100 veh/h, 10 min; 2->3 cap 50, 5 min; 2->4 cap 80, 20 min; 3->4 cap 1000, 1 min.
/// Node 5 is an isolated village of 40 people.
AssignmentNetwork evacuation_network() {
    AssignmentNetwork net;
    net.node_count = 5;
    net.add_link(0, 1, 100.0, 1.0, 10.0, 0.15, 4.0);
    net.add_link(1, 2, 50.0, 1.0, 5.0, 0.15, 4.0);
    net.add_link(1, 3, 80.0, 1.0, 20.0, 0.15, 4.0);
    net.add_link(2, 3, 1000.0, 1.0, 1.0, 0.15, 4.0);
    net.build_graph();
    return net;
}

TEST(Evacuation, ShelterAssignmentCapacityShortageAndClearanceBound) {
    const auto net = evacuation_network();
    const std::vector<EvacuationZone> zones{{0, 1000.0}, {4, 40.0}};
    const std::vector<Shelter> shelters{{2, 300.0}, {3, 600.0}};
    EvacuationOptions opt;
    opt.vehicle_occupancy = 1.0;
    const EvacuationResult r = plan_evacuation(net, zones, shelters, opt);
    EXPECT_DOUBLE_EQ(r.people_total, 1040.0);
    EXPECT_DOUBLE_EQ(r.people_served, 900.0);
    EXPECT_DOUBLE_EQ(r.people_unserved, 140.0);
    EXPECT_DOUBLE_EQ(r.people_cut_off, 40.0);
    EXPECT_EQ(r.zone_cut_off, (std::vector<std::uint8_t>{0, 1}));
    EXPECT_DOUBLE_EQ(r.zone_unserved[0], 100.0);
    ASSERT_EQ(r.assignments.size(), 2u);
    EXPECT_EQ(r.assignments[0].shelter, 0);
    EXPECT_DOUBLE_EQ(r.assignments[0].people, 300.0);
    EXPECT_DOUBLE_EQ(r.assignments[0].travel_time, 15.0);
    EXPECT_DOUBLE_EQ(r.assignments[1].people, 600.0);
    EXPECT_DOUBLE_EQ(r.assignments[1].travel_time, 16.0); // 1-2-3-4
    EXPECT_DOUBLE_EQ(r.total_travel_time_people, 300.0 * 15.0 + 600.0 * 16.0);
    // Minimum cut: link 1->2, 100 veh/h. Temporally repeated flows: 50 veh/h over 1-2-3
    // (15 min) and 50 veh/h over 1-2-4 (30 min, as 2->3 is full):
    // 50/60 (T - 15) + 50/60 (T - 30) = 900 -> T = 562.5 min.
    EXPECT_DOUBLE_EQ(r.vehicles, 900.0);
    EXPECT_DOUBLE_EQ(r.bottleneck_vehh, 100.0);
    EXPECT_DOUBLE_EQ(r.first_arrival_min, 15.0);
    EXPECT_NEAR(r.clearance_time_min, 562.5, 1e-9);
    // Occupancy 2 halves the vehicles: 100 T - 2250 = 27000 -> T = 292.5 min.
    opt.vehicle_occupancy = 2.0;
    EXPECT_NEAR(plan_evacuation(net, zones, shelters, opt).clearance_time_min, 292.5, 1e-9);
}

TEST(Evacuation, PeopleOnAShelterNodeStayAndClosuresCount) {
    const auto net = evacuation_network();
    // 200 people at node 3, whose shelter has 300 places: they stay; 100 places are left for
    // node 1, the rest of node 1 goes to node 4.
    const std::vector<EvacuationZone> zones{{0, 500.0}, {2, 200.0}};
    const std::vector<Shelter> shelters{{2, 300.0}, {3, 600.0}};
    EvacuationOptions opt;
    opt.vehicle_occupancy = 1.0;
    const EvacuationResult r = plan_evacuation(net, zones, shelters, opt);
    EXPECT_DOUBLE_EQ(r.people_served, 700.0);
    EXPECT_DOUBLE_EQ(r.shelter_people[0], 300.0);
    EXPECT_DOUBLE_EQ(r.shelter_people[1], 400.0);
    EXPECT_DOUBLE_EQ(r.people_moving, 500.0);
    EXPECT_DOUBLE_EQ(r.zone_served[1], 200.0);
    // Close 1->2: node 1 is cut off from every shelter.
    opt.closed.assign(static_cast<std::size_t>(net.link_count()), 0);
    opt.closed[0] = 1;
    const EvacuationResult c = plan_evacuation(net, zones, shelters, opt);
    EXPECT_DOUBLE_EQ(c.people_served, 200.0);
    EXPECT_DOUBLE_EQ(c.people_cut_off, 500.0);
    EXPECT_DOUBLE_EQ(c.vehicles, 0.0);
    EXPECT_DOUBLE_EQ(c.clearance_time_min, 0.0);
}

TEST(Evacuation, RejectsBadInput) {
    const auto net = evacuation_network();
    const std::vector<EvacuationZone> twice{{0, 1.0}, {0, 2.0}};
    const std::vector<Shelter> shelters{{3, 10.0}};
    EXPECT_THROW(plan_evacuation(net, twice, shelters, {}), Error);
    EvacuationOptions bad;
    bad.vehicle_occupancy = 0.0;
    const std::vector<EvacuationZone> one{{0, 1.0}};
    EXPECT_THROW(plan_evacuation(net, one, shelters, bad), Error);
}

} // namespace
} // namespace rencheng::transport
