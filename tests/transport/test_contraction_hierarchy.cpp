// Tests of the contraction hierarchy: its distances equal Dijkstra's on SiouxFalls (all pairs),
// on generated grids (random queries, one-way costs, closures) and under the centroid rule.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/rng.hpp"
#include "transport/contraction_hierarchy.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {
namespace {

const std::string kValidation = std::string(RENCHENG_SOURCE_DIR) + "/tests/validation/transport/";

void expect_same(double ch, double dijkstra, std::int32_t s, std::int32_t t) {
    if (dijkstra == kUnreachable)
        EXPECT_EQ(ch, kUnreachable) << s << " -> " << t;
    else
        EXPECT_NEAR(ch, dijkstra, 1e-9 * std::max(1.0, dijkstra)) << s << " -> " << t;
}

/// w x h grid, both directions of every street with independent costs in [0.5, 4.5).
AssignmentNetwork grid(int w, int h, std::uint64_t seed) {
    AssignmentNetwork net;
    net.node_count = w * h;
    RngStream rng(seed, 0, 0);
    auto cost = [&] { return 0.5 + 4.0 * rng.uniform(); };
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const int v = y * w + x;
            if (x + 1 < w) {
                net.add_link(v, v + 1, 100.0, 1.0, cost(), 0.15, 4.0);
                net.add_link(v + 1, v, 100.0, 1.0, cost(), 0.15, 4.0);
            }
            if (y + 1 < h) {
                net.add_link(v, v + w, 100.0, 1.0, cost(), 0.15, 4.0);
                net.add_link(v + w, v, 100.0, 1.0, cost(), 0.15, 4.0);
            }
        }
    net.build_graph();
    return net;
}

TEST(ContractionHierarchy, SiouxFallsAllPairsEqualDijkstra) {
    Diagnostics diags;
    const auto net = read_tntp_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp", diags);
    ASSERT_FALSE(diags.has_errors());
    ContractionHierarchy ch(net, net.free_flow_time);
    for (std::int32_t s = 0; s < net.node_count; ++s) {
        const auto tree = shortest_paths(net, s, net.free_flow_time);
        for (std::int32_t t = 0; t < net.node_count; ++t)
            expect_same(ch.distance(s, t), tree.dist[static_cast<std::size_t>(t)], s, t);
    }
}

TEST(ContractionHierarchy, GridRandomQueriesWithClosures) {
    const auto net = grid(30, 25, 7);
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(net.link_count()), 0);
    RngStream pick(11, 0, 0);
    for (auto& c : closed)
        c = pick.uniform() < 0.08 ? 1 : 0;
    for (const bool with_closures : {false, true}) {
        const std::span<const std::uint8_t> mask =
            with_closures ? std::span<const std::uint8_t>(closed) : std::span<const std::uint8_t>();
        ContractionHierarchy ch(net, net.free_flow_time, mask);
        EXPECT_GT(ch.shortcut_count(), 0);
        RngStream q(3, with_closures ? 1 : 0, 0);
        for (int i = 0; i < 300; ++i) {
            const auto s = static_cast<std::int32_t>(q.uniform() * net.node_count);
            const auto t = static_cast<std::int32_t>(q.uniform() * net.node_count);
            const auto tree = shortest_paths(net, s, net.free_flow_time, mask);
            expect_same(ch.distance(s, t), tree.dist[static_cast<std::size_t>(t)], s, t);
        }
    }
}

TEST(ContractionHierarchy, CentroidRuleAllPairs) {
    // 10 x 8 grid whose first 12 nodes are zones that paths may not pass through; some one-way
    // cuts make some pairs unreachable.
    auto net = grid(10, 8, 5);
    net.zone_count = 12;
    net.first_thru_node = 13;
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(net.link_count()), 0);
    for (std::size_t a = 0; a < closed.size(); a += 9)
        closed[a] = 1;
    ContractionHierarchy ch(net, net.free_flow_time, closed);
    int unreachable = 0;
    for (std::int32_t s = 0; s < net.node_count; ++s) {
        const auto tree = shortest_paths(net, s, net.free_flow_time, closed);
        for (std::int32_t t = 0; t < net.node_count; ++t) {
            const double d = tree.dist[static_cast<std::size_t>(t)];
            unreachable += d == kUnreachable ? 1 : 0;
            expect_same(ch.distance(s, t), d, s, t);
        }
    }
    EXPECT_GT(unreachable, 0); // the rule matters here: zone corners get cut off
}

TEST(ContractionHierarchy, DistanceTableEqualsDijkstraUnderTheCentroidRule) {
    // Many-to-many (bucket) queries: every zone to every node and a few nodes to every zone,
    // with closures, against one-to-all Dijkstra.
    auto net = grid(10, 8, 9);
    net.zone_count = 12;
    net.first_thru_node = 13;
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(net.link_count()), 0);
    for (std::size_t a = 0; a < closed.size(); a += 7)
        closed[a] = 1;
    ContractionHierarchy ch(net, net.free_flow_time, closed);
    std::vector<std::int32_t> all(static_cast<std::size_t>(net.node_count));
    for (std::int32_t v = 0; v < net.node_count; ++v)
        all[static_cast<std::size_t>(v)] = v;
    const std::vector<std::int32_t> sources = {0, 5, 11, 12, 40, 79, 5};
    const auto table = ch.distance_table(sources, all);
    ASSERT_EQ(table.size(), sources.size() * all.size());
    int unreachable = 0;
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const auto tree = shortest_paths(net, sources[i], net.free_flow_time, closed);
        for (std::size_t j = 0; j < all.size(); ++j) {
            const double d = tree.dist[j];
            unreachable += d == kUnreachable ? 1 : 0;
            expect_same(table[i * all.size() + j], d, sources[i], all[j]);
        }
    }
    EXPECT_GT(unreachable, 0);
    // Reversed roles: every node to the zones.
    const std::vector<std::int32_t> zones = {0, 3, 7, 11};
    const auto back = ch.distance_table(all, zones);
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto tree = shortest_paths(net, all[i], net.free_flow_time, closed);
        for (std::size_t j = 0; j < zones.size(); ++j)
            expect_same(back[i * zones.size() + j], tree.dist[static_cast<std::size_t>(zones[j])],
                        all[i], zones[j]);
    }
}

TEST(ContractionHierarchy, DistanceTableSiouxFallsAndBadNodes) {
    Diagnostics diags;
    const auto net = read_tntp_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp", diags);
    ASSERT_FALSE(diags.has_errors());
    ContractionHierarchy ch(net, net.free_flow_time);
    std::vector<std::int32_t> all(static_cast<std::size_t>(net.node_count));
    for (std::int32_t v = 0; v < net.node_count; ++v)
        all[static_cast<std::size_t>(v)] = v;
    const auto table = ch.distance_table(all, all);
    for (std::int32_t s = 0; s < net.node_count; ++s) {
        const auto tree = shortest_paths(net, s, net.free_flow_time);
        for (std::int32_t t = 0; t < net.node_count; ++t)
            expect_same(table[static_cast<std::size_t>(s * net.node_count + t)],
                        tree.dist[static_cast<std::size_t>(t)], s, t);
    }
    const std::vector<std::int32_t> bad = {0, net.node_count};
    EXPECT_THROW((void)ch.distance_table(bad, all), Error);
    EXPECT_THROW((void)ch.distance_table(all, bad), Error);
    EXPECT_TRUE(ch.distance_table({}, all).empty());
}

TEST(ContractionHierarchy, RejectsMismatchedCosts) {
    const auto net = grid(3, 3, 1);
    const std::vector<double> short_costs(3, 1.0);
    EXPECT_THROW(ContractionHierarchy(net, short_costs), Error);
}

} // namespace
} // namespace rencheng::transport
