// Tests of valve segments: segments of a hand network, isolation of breaks, who loses water, and
// the valve-layer generators.
#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "parse_ok.hpp"
#include "water/damage.hpp"
#include "water/epanet_inp.hpp"
#include "water/metrics.hpp"
#include "water/segments.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

namespace {

namespace fs = std::filesystem;

// R1 - P1 - J1 - P2 - J2 - P3 - J3 - P4 - J4, and a branch J2 - P5 - J5.
const char* kTree = "[JUNCTIONS]\n J1 0 1\n J2 0 1\n J3 0 1\n J4 0 1\n J5 0 1\n"
                    "[RESERVOIRS]\n R1 50\n[PIPES]\n P1 R1 J1 100 200 120\n"
                    " P2 J1 J2 100 200 120\n P3 J2 J3 100 200 120\n P4 J3 J4 100 200 120\n"
                    " P5 J2 J5 100 200 120\n[OPTIONS]\n UNITS LPS\n";

std::set<std::string> node_ids(const Network& net, const std::vector<NodeIndex>& v) {
    std::set<std::string> s;
    for (const NodeIndex n : v)
        s.insert(net.node_id[n.idx()]);
    return s;
}

std::set<std::string> link_ids(const Network& net, const std::vector<LinkIndex>& v) {
    std::set<std::string> s;
    for (const LinkIndex k : v)
        s.insert(net.link_id[k.idx()]);
    return s;
}

struct Layer {
    Network net;
    std::vector<IsolationValve> valves;
    Segments seg;
};

Layer tree_layer() {
    Layer l{parse_ok(kTree), {}, {}};
    auto valve = [&](const char* link, const char* node) {
        l.valves.push_back({l.net.find_link(link), l.net.find_node(node)});
    };
    valve("P2", "J1"); // 0
    valve("P3", "J3"); // 1
    valve("P5", "J2"); // 2
    l.seg = compute_segments(l.net, l.valves);
    return l;
}

using Ids = std::set<std::string>;

} // namespace

TEST(Segments, HandNetworkSegments) {
    const Layer l = tree_layer();
    // {R1, J1, P1}, {J2, P2, P3}, {J5, P5}, {J3, J4, P4}.
    EXPECT_EQ(l.seg.count, 4);
    const auto& ns = l.seg.node_segment;
    const auto n = [&](const char* id) { return ns[l.net.find_node(id).idx()]; };
    const auto k = [&](const char* id) { return l.seg.link_segment[l.net.find_link(id).idx()]; };
    EXPECT_EQ(n("R1"), n("J1"));
    EXPECT_EQ(k("P1"), n("J1"));
    EXPECT_EQ(k("P2"), n("J2"));
    EXPECT_EQ(k("P3"), n("J2"));
    EXPECT_EQ(k("P5"), n("J5"));
    EXPECT_EQ(n("J3"), n("J4"));
    EXPECT_EQ(k("P4"), n("J3"));
    EXPECT_NE(n("J1"), n("J2"));
    EXPECT_NE(n("J2"), n("J5"));
    EXPECT_NE(n("J2"), n("J3"));
}

TEST(Segments, BreakIsolatesTheRightSegmentAndWhoLosesWater) {
    const Layer l = tree_layer();
    const Isolation iso = isolate_link(l.net, l.valves, l.seg, l.net.find_link("P2"));
    EXPECT_EQ(iso.valves_to_close, (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_EQ(node_ids(l.net, iso.segment_nodes), (Ids{"J2"}));
    EXPECT_EQ(link_ids(l.net, iso.segment_links), (Ids{"P2", "P3"}));
    EXPECT_EQ(link_ids(l.net, iso.links_to_close), (Ids{"P2", "P3", "P5"}));
    EXPECT_EQ(node_ids(l.net, iso.cut_off_nodes), (Ids{"J3", "J4", "J5"}));
    EXPECT_EQ(node_ids(l.net, iso.nodes_without_water), (Ids{"J2", "J3", "J4", "J5"}));
    EXPECT_NE(iso.reason.find("P2"), std::string::npos);

    // A break at the far end only takes its own segment.
    const Isolation far = isolate_link(l.net, l.valves, l.seg, l.net.find_link("P4"));
    EXPECT_EQ(far.valves_to_close, (std::vector<std::int32_t>{1}));
    EXPECT_EQ(node_ids(l.net, far.nodes_without_water), (Ids{"J3", "J4"}));
    EXPECT_TRUE(far.cut_off_nodes.empty());

    // The source's segment: everything downstream loses water.
    const Isolation src = isolate_link(l.net, l.valves, l.seg, l.net.find_link("P1"));
    EXPECT_EQ(node_ids(l.net, src.segment_nodes), (Ids{"R1", "J1"}));
    EXPECT_EQ(node_ids(l.net, src.cut_off_nodes), (Ids{"J2", "J3", "J4", "J5"}));
}

TEST(Segments, IsolationSimulatedGivesZeroSupplyWithReason) {
    // Close what the isolation closes (the isolated break leaks no more): exactly the nodes it
    // names get no water, with the reason.
    const Layer l = tree_layer();
    const Isolation iso = isolate_link(l.net, l.valves, l.seg, l.net.find_link("P2"));
    DamageState d;
    d.closed_links = iso.links_to_close;
    const HydraulicTopology topo(l.net);
    EpsOptions o;
    const DamageResult r = simulate_damage(l.net, topo, d, o);
    const ServiceSnapshot snap = service_snapshot(l.net, r.steps[0], MetricsOptions{});
    const Ids dry = node_ids(l.net, iso.nodes_without_water);
    for (std::int32_t i = 0; i < l.net.node_count(); ++i) {
        if (l.net.node_kind[static_cast<std::size_t>(i)] != NodeKind::kJunction)
            continue;
        const std::string& id = l.net.node_id[static_cast<std::size_t>(i)];
        const NodeService& ns = snap.nodes[static_cast<std::size_t>(i)];
        if (dry.count(id)) {
            EXPECT_EQ(ns.delivered_m3s, 0.0) << id;
            EXPECT_EQ(ns.reason, ServiceReason::kCutOff) << id;
        } else {
            EXPECT_EQ(ns.reason, ServiceReason::kServed) << id;
        }
    }
    EXPECT_LT(r.steps[0].mass_balance_error, 1e-6);
}

TEST(Segments, NoValvesMeansOneSegmentPerComponent) {
    const Network net = parse_ok(kTree);
    const Segments s = compute_segments(net, {});
    EXPECT_EQ(s.count, 1);
    const Isolation iso = isolate_link(net, {}, s, net.find_link("P3"));
    EXPECT_TRUE(iso.valves_to_close.empty());
    EXPECT_EQ(iso.nodes_without_water.size(), 6u);
}

TEST(Segments, ValveMustSitAtAnEndOfItsLink) {
    const Network net = parse_ok(kTree);
    EXPECT_THROW(compute_segments(net, {{net.find_link("P1"), net.find_node("J4")}}), Error);
}

TEST(Segments, NMinus1Layer) {
    const Network net = parse_ok(kTree);
    const auto valves = valve_layer_n_minus_1(net);
    // 10 pipe ends, 6 nodes with pipes: 4 valves; each node keeps one unvalved pipe.
    EXPECT_EQ(valves.size(), 4u);
    std::vector<int> per_node(static_cast<std::size_t>(net.node_count()), 0);
    for (const auto& v : valves)
        ++per_node[v.node.idx()];
    const CsrGraph adj = net.adjacency();
    for (std::int32_t i = 0; i < net.node_count(); ++i)
        EXPECT_EQ(per_node[static_cast<std::size_t>(i)], adj.degree(i) - 1);
    // Valves P1@J1, P2@J2, P3@J2, P3@J3: segments {R1,P1}, {J1,P2}, {J2,P5,J5}, {P3},
    // {J3,P4,J4}.
    const Segments s = compute_segments(net, valves);
    EXPECT_EQ(s.count, 5);
    EXPECT_EQ(s.node_segment[net.find_node("J2").idx()], s.node_segment[net.find_node("J5").idx()]);
}

TEST(Segments, RandomLayerIsSeeded) {
    const Network net = parse_ok(kTree);
    RngStream a(1, 0, 3), b(1, 0, 3);
    const auto va = valve_layer_random(net, 0.5, a);
    const auto vb = valve_layer_random(net, 0.5, b);
    ASSERT_EQ(va.size(), vb.size());
    for (std::size_t i = 0; i < va.size(); ++i)
        EXPECT_TRUE(va[i].link == vb[i].link && va[i].node == vb[i].node);
    RngStream c(1, 0, 3), d(1, 0, 3);
    EXPECT_TRUE(valve_layer_random(net, 0.0, c).empty());
    EXPECT_EQ(valve_layer_random(net, 1.0, d).size(), 10u);
}

TEST(Segments, Net3BreaksIsolateClosedSegments) {
    Diagnostics diags;
    const Network net = read_inp(fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water" /
                                     "net3" / "Net3.inp",
                                 diags);
    ASSERT_FALSE(diags.has_errors());
    const auto valves = valve_layer_n_minus_1(net);
    const Segments seg = compute_segments(net, valves);
    EXPECT_GT(seg.count, net.node_count() / 2);
    // For every pipe: once the valves are shut, no link path without a valve leaves the segment,
    // and every border valve touches the segment.
    std::vector<std::uint8_t> valved(2 * static_cast<std::size_t>(net.link_count()), 0);
    for (const auto& v : valves)
        valved[2 * v.link.idx() + (net.from_node[v.link.idx()] == v.node ? 0 : 1)] = 1;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        if (net.link_kind[static_cast<std::size_t>(k)] != LinkKind::kPipe)
            continue;
        const Isolation iso = isolate_link(net, valves, seg, LinkIndex{k});
        for (const std::int32_t v : iso.valves_to_close) {
            const auto& iv = valves[static_cast<std::size_t>(v)];
            EXPECT_TRUE(seg.link_segment[iv.link.idx()] == iso.segment ||
                        seg.node_segment[iv.node.idx()] == iso.segment);
        }
        for (const LinkIndex l : iso.segment_links) {
            const std::size_t u = l.idx();
            for (int end = 0; end < 2; ++end) {
                const NodeIndex n = end == 0 ? net.from_node[u] : net.to_node[u];
                if (!valved[2 * u + static_cast<std::size_t>(end)]) {
                    EXPECT_EQ(seg.node_segment[n.idx()], iso.segment);
                }
            }
        }
    }
}
