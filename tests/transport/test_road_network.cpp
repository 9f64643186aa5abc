// Tests of the road network: class names, node lookup, arcs of one- and two-way links.
#include <algorithm>

#include <gtest/gtest.h>

#include "transport/road_network.hpp"

namespace rencheng::transport {
namespace {

TEST(RoadClass, NamesRoundTrip) {
    for (auto c :
         {RoadClass::kMotorway, RoadClass::kArterial, RoadClass::kCollector, RoadClass::kLocal}) {
        const auto parsed = parse_road_class(road_class_name(c));
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, c);
    }
    EXPECT_FALSE(parse_road_class("highway").has_value());
    EXPECT_FALSE(parse_road_class("").has_value());
    EXPECT_FALSE(parse_road_class("Motorway").has_value());
}

/// Three nodes in a line, a two-way link a–b and a one-way link b→c.
RoadNetwork small_network() {
    RoadNetwork net;
    net.add_node("a", {114.0, 30.0});
    net.add_node("b", {114.01, 30.0});
    net.add_node("c", {114.02, 30.0});
    auto add_link = [&](std::string id, int from, int to, bool oneway, double length) {
        net.link_id.push_back(std::move(id));
        net.link_from.push_back(from);
        net.link_to.push_back(to);
        net.link_class.push_back(RoadClass::kLocal);
        net.length_m.push_back(length);
        net.free_speed_ms.push_back(10.0);
        net.capacity_vehh.push_back(800.0);
        net.lanes.push_back(1);
        net.oneway.push_back(oneway ? 1 : 0);
        net.bridge.push_back(0);
        net.tunnel.push_back(0);
        net.link_name.emplace_back();
        net.link_geometry.push_back({net.node_position[static_cast<std::size_t>(from)],
                                     net.node_position[static_cast<std::size_t>(to)]});
        net.link_source_line.push_back(0);
    };
    add_link("ab", 0, 1, false, 960.0);
    add_link("bc", 1, 2, true, 970.5);
    return net;
}

TEST(RoadNetwork, FindAndAddNode) {
    RoadNetwork net = small_network();
    EXPECT_EQ(net.node_count(), 3);
    EXPECT_EQ(net.find_node("a"), 0);
    EXPECT_EQ(net.find_node("c"), 2);
    EXPECT_EQ(net.find_node("z"), -1);
    EXPECT_EQ(net.add_node("d", {114.03, 30.0}), 3);
    EXPECT_EQ(net.find_node("d"), 3);
}

TEST(RoadNetwork, TwoWayLinksGiveTwoArcsOneWayLinksOne) {
    RoadNetwork net = small_network();
    net.build_graph();
    ASSERT_EQ(net.graph.node_count(), 3);
    EXPECT_EQ(net.graph.arc_count(), 3);
    ASSERT_EQ(net.arc_link.size(), 3u);
    ASSERT_EQ(net.arc_reverse.size(), 3u);
    // a: one arc to b (forward on ab)
    ASSERT_EQ(net.graph.degree(0), 1);
    const int a_arc = net.graph.arcs(0)[0];
    EXPECT_EQ(net.graph.neighbours(0)[0], 1);
    EXPECT_EQ(net.arc_link[static_cast<std::size_t>(a_arc)], 0);
    EXPECT_EQ(net.arc_reverse[static_cast<std::size_t>(a_arc)], 0);
    // b: back to a (reverse of ab) and on to c (bc)
    ASSERT_EQ(net.graph.degree(1), 2);
    std::vector<int> heads(net.graph.neighbours(1).begin(), net.graph.neighbours(1).end());
    std::sort(heads.begin(), heads.end());
    EXPECT_EQ(heads, (std::vector<int>{0, 2}));
    for (int k = 0; k < 2; ++k) {
        const auto arc = static_cast<std::size_t>(net.graph.arcs(1)[static_cast<std::size_t>(k)]);
        if (net.graph.neighbours(1)[static_cast<std::size_t>(k)] == 0) {
            EXPECT_EQ(net.arc_link[arc], 0);
            EXPECT_EQ(net.arc_reverse[arc], 1);
        } else {
            EXPECT_EQ(net.arc_link[arc], 1);
            EXPECT_EQ(net.arc_reverse[arc], 0);
        }
    }
    // c: nothing leaves it (bc is one-way)
    EXPECT_EQ(net.graph.degree(2), 0);
}

TEST(RoadNetwork, BuildGraphTwiceGivesTheSameGraph) {
    RoadNetwork net = small_network();
    net.build_graph();
    const auto heads = net.graph.heads;
    const auto arcs = net.arc_link;
    net.build_graph();
    EXPECT_EQ(net.graph.heads, heads);
    EXPECT_EQ(net.arc_link, arcs);
}

TEST(RoadNetwork, TotalLength) {
    RoadNetwork net = small_network();
    EXPECT_DOUBLE_EQ(net.total_length_m(), 1930.5);
    EXPECT_DOUBLE_EQ(RoadNetwork{}.total_length_m(), 0.0);
}

TEST(RoadNetwork, EmptyNetworkBuildsAnEmptyGraph) {
    RoadNetwork net;
    net.build_graph();
    EXPECT_EQ(net.graph.arc_count(), 0);
    EXPECT_TRUE(net.arc_link.empty());
}

} // namespace
} // namespace rencheng::transport
