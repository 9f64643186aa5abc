// Tests of accessibility: node tables, nearest-facility times to and from facilities (exact
// small cases, closures, the centroid rule) and the forward/reverse symmetry on a two-way grid.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/accessibility.hpp"

namespace rencheng::transport {
namespace {

/// Nodes 1..4 on a line, two-way links with times 1 (1-2), 2 (2-3), 3 (3-4).
AssignmentNetwork line_network() {
    AssignmentNetwork net;
    net.node_count = 4;
    net.zone_count = 0;
    auto both = [&](int a, int b, double t) {
        net.add_link(a - 1, b - 1, 100.0, 1.0, t, 0.15, 4.0);
        net.add_link(b - 1, a - 1, 100.0, 1.0, t, 0.15, 4.0);
    };
    both(1, 2, 1.0);
    both(2, 3, 2.0);
    both(3, 4, 3.0);
    net.build_graph();
    return net;
}

TEST(NodeValues, ReadsAndReportsProblemsWithLines) {
    Diagnostics diags;
    const auto v = parse_node_values_csv(
        "node,population,name\n1,100,a\n2,-5,b\n7,1,c\n1,3,d\nx,1,e\n3,2.5,\n", "pop.csv", 4,
        "population", diags);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].node, 0);
    EXPECT_DOUBLE_EQ(v[0].value, 100.0);
    EXPECT_EQ(v[0].name, "a");
    EXPECT_EQ(v[1].node, 2);
    EXPECT_DOUBLE_EQ(v[1].value, 2.5);
    ASSERT_EQ(diags.error_count(), 4u) << diags.format();
    EXPECT_EQ(diags.items()[0].line, 3);
    EXPECT_EQ(diags.items()[1].line, 4);
    EXPECT_EQ(diags.items()[1].code, ErrorCode::kUnknownReference);
    EXPECT_EQ(diags.items()[2].line, 5);
    EXPECT_EQ(diags.items()[2].code, ErrorCode::kDuplicateId);
    EXPECT_EQ(diags.items()[3].line, 6);
    Diagnostics missing;
    parse_node_values_csv("node\n1\n", "f.csv", 4, "capacity_people", missing);
    EXPECT_TRUE(missing.has_errors());
    Diagnostics plain;
    EXPECT_EQ(parse_node_values_csv("node\n1\n4\n", "f.csv", 4, "", plain).size(), 2u);
    EXPECT_FALSE(plain.has_errors());
}

TEST(Accessibility, NearestFacilityOnALine) {
    const auto net = line_network();
    const std::vector<std::int32_t> facilities{0, 3};
    const auto l = nearest_source_times_to(net, facilities, net.free_flow_time);
    EXPECT_EQ(l.time, (std::vector<double>{0.0, 1.0, 3.0, 0.0}));
    // Node 3 is 3 from both facilities: the lower index (node 1) wins the tie.
    EXPECT_EQ(l.source, (std::vector<std::int32_t>{0, 0, 0, 1}));
    const std::vector<double> pop{10.0, 20.0, 30.0, 40.0};
    const auto s = summarise_accessibility(l, pop, 1.0);
    EXPECT_DOUBLE_EQ(s.population_total, 100.0);
    EXPECT_DOUBLE_EQ(s.population_within, 70.0);
    EXPECT_DOUBLE_EQ(s.population_cut_off, 0.0);
    EXPECT_DOUBLE_EQ(s.population_mean_time, (20.0 * 1.0 + 30.0 * 3.0) / 100.0);
}

TEST(Accessibility, ClosuresCutNodesOff) {
    const auto net = line_network();
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(net.link_count()), 0);
    closed[static_cast<std::size_t>(net.find_link(2, 3))] = 1;
    closed[static_cast<std::size_t>(net.find_link(3, 2))] = 1;
    const std::vector<std::int32_t> facilities{0};
    const auto l = nearest_source_times_to(net, facilities, net.free_flow_time, closed);
    EXPECT_EQ(l.time[1], 1.0);
    EXPECT_EQ(l.time[2], kUnreachable);
    EXPECT_EQ(l.source[3], -1);
    const std::vector<double> pop{10.0, 20.0, 30.0, 0.0};
    const auto s = summarise_accessibility(l, pop, 100.0);
    EXPECT_DOUBLE_EQ(s.population_cut_off, 30.0);
    EXPECT_EQ(s.nodes_cut_off, 1); // node 4 is cut off but nobody lives there
    EXPECT_DOUBLE_EQ(s.population_within, 30.0);
}

TEST(Accessibility, DirectionMattersOnOneWayLinks) {
    AssignmentNetwork net;
    net.node_count = 2;
    net.add_link(0, 1, 100.0, 1.0, 5.0, 0.0, 1.0); // 1 -> 2 takes 5
    net.add_link(1, 0, 100.0, 1.0, 1.0, 0.0, 1.0); // 2 -> 1 takes 1
    net.build_graph();
    const std::vector<std::int32_t> hospital{0};
    EXPECT_DOUBLE_EQ(nearest_source_times_to(net, hospital, net.free_flow_time).time[1], 1.0);
    EXPECT_DOUBLE_EQ(nearest_source_times_from(net, hospital, net.free_flow_time).time[1], 5.0);
}

TEST(Accessibility, CentroidsAreNotPassedThrough) {
    AssignmentNetwork net;
    net.node_count = 3;
    net.zone_count = 2;
    net.first_thru_node = 3; // zones 1 and 2 are centroids
    net.add_link(0, 1, 100.0, 1.0, 1.0, 0.0, 1.0);
    net.add_link(1, 2, 100.0, 1.0, 1.0, 0.0, 1.0);
    net.build_graph();
    const std::vector<std::int32_t> station{0};
    const auto from = nearest_source_times_from(net, station, net.free_flow_time);
    EXPECT_DOUBLE_EQ(from.time[1], 1.0);
    EXPECT_EQ(from.time[2], kUnreachable); // would pass through centroid 2
    const std::vector<std::int32_t> target{2};
    const auto to = nearest_source_times_to(net, target, net.free_flow_time);
    EXPECT_DOUBLE_EQ(to.time[1], 1.0); // zone 2 may start a path
    EXPECT_EQ(to.time[0], kUnreachable);
}

TEST(Accessibility, ForwardEqualsReverseOnATwoWayGrid) {
    // 12 x 9 grid; each street has the same time both ways (a deterministic pseudo-random
    // value), so the time to the nearest source equals the time from it.
    constexpr int kW = 12, kH = 9;
    AssignmentNetwork net;
    net.node_count = kW * kH;
    std::uint32_t state = 12345u;
    auto next_time = [&] {
        state = state * 1664525u + 1013904223u;
        return 0.5 + static_cast<double>(state >> 8) / static_cast<double>(1u << 24) * 4.0;
    };
    auto both = [&](int a, int b) {
        const double t = next_time();
        net.add_link(a, b, 100.0, 1.0, t, 0.15, 4.0);
        net.add_link(b, a, 100.0, 1.0, t, 0.15, 4.0);
    };
    for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) {
            if (x + 1 < kW)
                both(y * kW + x, y * kW + x + 1);
            if (y + 1 < kH)
                both(y * kW + x, (y + 1) * kW + x);
        }
    net.build_graph();
    const std::vector<std::int32_t> sources{5, 50, 100};
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(net.link_count()), 0);
    for (std::size_t a = 0; a < closed.size(); a += 14) { // close both directions of a few
        closed[a] = 1;
        closed[a ^ 1] = 1;
    }
    const auto to = nearest_source_times_to(net, sources, net.free_flow_time, closed);
    const auto from = nearest_source_times_from(net, sources, net.free_flow_time, closed);
    int reached = 0;
    for (std::size_t v = 0; v < to.time.size(); ++v) {
        EXPECT_DOUBLE_EQ(to.time[v], from.time[v]) << v;
        reached += to.time[v] != kUnreachable ? 1 : 0;
    }
    EXPECT_GT(reached, kW * kH / 2);
    // And each source's own label is 0 from itself.
    for (std::size_t s = 0; s < sources.size(); ++s)
        EXPECT_EQ(to.source[static_cast<std::size_t>(sources[s])], static_cast<std::int32_t>(s));
}

} // namespace
} // namespace rencheng::transport
