// Tests of gas break isolation on a hand network: the valves to close, the segment, who loses
// gas, one-way stations and the closing times of automatic, remote and manual valves.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "gas/isolation.hpp"

using namespace rencheng;
using namespace rencheng::gas;

namespace {

// S =GV(remote)= n1 -P1- n2 =V1(manual)= n3 -P2- n4 =V2(manual)= n5 -P3- n6 -SC1- C1
// a loop n2 -P4- n7 =V3(auto)= n8 -P5- n5, a bypass valve n3 =V4(manual)= n4 (closed or open
// by the test), and a regulator n4 -REG-> n9 -P6- C2. With `box`, a valve n3 =V5= n10 in front
// of a second regulator n10 -REG2-> n11 -P7- C3.
Network hand_network(bool bypass_open, bool box = false) {
    Network net;
    auto node = [&](const char* id, NodeKind kind = NodeKind::kJunction) {
        return net.add_node(id, kind);
    };
    const NodeIndex s = node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = 500000.0;
    std::vector<NodeIndex> n(10);
    for (int i = 1; i <= 9; ++i)
        n[static_cast<std::size_t>(i)] = node(("n" + std::to_string(i)).c_str());
    const NodeIndex c1 = node("C1", NodeKind::kCustomer);
    const NodeIndex c2 = node("C2", NodeKind::kCustomer);
    net.demand_m3s[c1.idx()] = 0.01;
    net.demand_m3s[c2.idx()] = 0.02;
    net.customer_count[c1.idx()] = 10;
    net.customer_count[c2.idx()] = 20;
    auto conn = [&](const char* id, ConnectionKind kind, NodeIndex a, NodeIndex b,
                    ValveKind vk = ValveKind::kManual) {
        const ConnectionIndex k = net.add_connection(id, kind, a, b);
        if (kind == ConnectionKind::kValve)
            net.valve_kind[k.idx()] = vk;
        if (kind == ConnectionKind::kPipe) {
            net.length_m[k.idx()] = 100.0;
            net.diameter_m[k.idx()] = 0.1;
        }
        return k;
    };
    using K = ConnectionKind;
    conn("GV", K::kValve, s, n[1], ValveKind::kRemote);
    conn("P1", K::kPipe, n[1], n[2]);
    conn("V1", K::kValve, n[2], n[3]);
    conn("P2", K::kPipe, n[3], n[4]);
    conn("V2", K::kValve, n[4], n[5]);
    conn("P3", K::kPipe, n[5], n[6]);
    conn("SC1", K::kPipe, n[6], c1);
    conn("P4", K::kPipe, n[2], n[7]);
    conn("V3", K::kValve, n[7], n[8], ValveKind::kAutoExcessFlow);
    conn("P5", K::kPipe, n[8], n[5]);
    const ConnectionIndex v4 = conn("V4", K::kValve, n[3], n[4]);
    net.open[v4.idx()] = bypass_open ? 1 : 0;
    conn("REG", K::kRegulator, n[4], n[9]);
    conn("P6", K::kPipe, n[9], c2);
    if (box) {
        const NodeIndex n10 = node("n10");
        const NodeIndex n11 = node("n11");
        const NodeIndex c3 = node("C3", NodeKind::kCustomer);
        conn("V5", K::kValve, n[3], n10);
        conn("REG2", K::kRegulator, n10, n11);
        conn("P7", K::kPipe, n11, c3);
    }
    return net;
}

std::set<std::string> valve_ids(const Network& net, const Isolation& iso) {
    std::set<std::string> s;
    for (const ValveToClose& v : iso.valves)
        s.insert(net.connection_id[v.valve.idx()]);
    return s;
}

std::set<std::string> ids(const Network& net, const std::vector<NodeIndex>& nodes) {
    std::set<std::string> s;
    for (const NodeIndex n : nodes)
        s.insert(net.node_id[n.idx()]);
    return s;
}

Isolation isolate(const Network& net, const char* id, const IsolationOptions& o = {}) {
    const ConnectionIndex k = net.find_connection(id);
    EXPECT_TRUE(k.valid()) << id;
    return isolate_break(net, k, o);
}

} // namespace

TEST(GasOpsIsolation, BreakBetweenTwoManualValvesCutsTheRegulatedBranch) {
    const Network net = hand_network(false);
    const Isolation iso = isolate(net, "P2");
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"V1", "V2"}));
    EXPECT_EQ(ids(net, iso.segment_nodes), (std::set<std::string>{"n3", "n4"}));
    EXPECT_TRUE(iso.customers_in_segment.empty());
    // C2 hangs off the regulator whose inlet is in the segment; C1 keeps gas round the loop.
    EXPECT_EQ(ids(net, iso.customers_cut_off), (std::set<std::string>{"C2"}));
    EXPECT_DOUBLE_EQ(iso.demand_lost_m3s, 0.02);
    EXPECT_EQ(iso.households_lost, 20);
    EXPECT_TRUE(iso.sources_to_shut.empty());
    // One crew closes V1 then V2: 45 min to arrive, 10 min each.
    const IsolationOptions o;
    EXPECT_DOUBLE_EQ(iso.isolation_time_s, o.manual_response_s + 2 * o.manual_close_s);
}

TEST(GasOpsIsolation, CrewsWorkInParallelAndAutomaticValvesTripAtOnce) {
    const Network net = hand_network(false);
    IsolationOptions o;
    o.manual_crews = 2;
    const Isolation iso = isolate(net, "P2", o);
    EXPECT_DOUBLE_EQ(iso.isolation_time_s, o.manual_response_s + o.manual_close_s);
    const Isolation loop = isolate(net, "P3", o);
    EXPECT_EQ(valve_ids(net, loop), (std::set<std::string>{"V2", "V3"}));
    EXPECT_EQ(ids(net, loop.customers_in_segment), (std::set<std::string>{"C1"}));
    for (const ValveToClose& v : loop.valves) {
        if (net.connection_id[v.valve.idx()] == "V3") {
            EXPECT_EQ(v.kind, ValveKind::kAutoExcessFlow);
            EXPECT_DOUBLE_EQ(v.close_time_s, o.automatic_close_s);
        } else {
            EXPECT_EQ(v.kind, ValveKind::kManual);
            EXPECT_DOUBLE_EQ(v.close_time_s, o.manual_response_s + o.manual_close_s);
        }
    }
}

TEST(GasOpsIsolation, BreakNextToTheStationShutsItsRemoteValve) {
    const Network net = hand_network(false);
    const Isolation iso = isolate(net, "P1");
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"GV", "V1", "V3"}));
    EXPECT_EQ(ids(net, iso.customers_cut_off), (std::set<std::string>{"C1", "C2"}));
    EXPECT_NEAR(iso.demand_lost_m3s, 0.03, 1e-15);
}

TEST(GasOpsIsolation, GasReachesABreakDownstreamOfARegulatorThroughIt) {
    const Network net = hand_network(false);
    const Isolation iso = isolate(net, "P6");
    // From the regulator's outlet the search crosses to its inlet: gas from upstream must stop.
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"V1", "V2"}));
    EXPECT_EQ(ids(net, iso.segment_nodes), (std::set<std::string>{"n3", "n4", "n9", "C2"}));
    EXPECT_EQ(ids(net, iso.customers_in_segment), (std::set<std::string>{"C2"}));
    EXPECT_TRUE(iso.customers_cut_off.empty());
}

TEST(GasOpsIsolation, AValveInsideTheSegmentIsNotClosed) {
    const Network net = hand_network(true);
    const Isolation iso = isolate(net, "P2");
    // The open bypass V4 joins n3 and n4, both in the segment: closing it shuts nothing off.
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"V1", "V2"}));
}

TEST(GasOpsIsolation, AValveInFrontOfAStationInletIsNotClosed) {
    const Network net = hand_network(false, true);
    const Isolation iso = isolate(net, "P2");
    // No gas comes back through REG2, so V5 needs no closing; C3 still loses its supply.
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"V1", "V2"}));
    EXPECT_EQ(ids(net, iso.customers_cut_off), (std::set<std::string>{"C2", "C3"}));
    // A break beyond REG2 does need V5 shut.
    const Isolation beyond = isolate(net, "P7");
    EXPECT_EQ(valve_ids(net, beyond), (std::set<std::string>{"V5"}));
    EXPECT_EQ(ids(net, beyond.segment_nodes), (std::set<std::string>{"n10", "n11", "C3"}));
}

TEST(GasOpsIsolation, ASourceInsideTheSegmentIsShutIn) {
    Network net = hand_network(false);
    // Without the station valve the break on P1 is fed straight from the gate station.
    net.connection_kind[net.find_connection("GV").idx()] = ConnectionKind::kShortPipe;
    const Isolation iso = isolate(net, "P1");
    EXPECT_EQ(ids(net, iso.sources_to_shut), (std::set<std::string>{"S"}));
    EXPECT_EQ(valve_ids(net, iso), (std::set<std::string>{"V1", "V3"}));
    EXPECT_GE(iso.isolation_time_s, IsolationOptions{}.remote_close_s);
}

TEST(GasOpsIsolation, SourcesReachDownstreamThroughRegulatorsOnly) {
    Network net;
    const NodeIndex s = net.add_node("S", NodeKind::kSource);
    const NodeIndex a = net.add_node("A", NodeKind::kJunction);
    const NodeIndex b = net.add_node("B", NodeKind::kCustomer);
    net.add_connection("REG", ConnectionKind::kRegulator, a, s); // points back at the source
    net.add_connection("P", ConnectionKind::kPipe, a, b);
    const std::vector<std::uint8_t> closed(2, 0);
    std::vector<std::uint8_t> reached = nodes_reached_from_sources(net, closed, {});
    EXPECT_EQ(reached, (std::vector<std::uint8_t>{1, 0, 0}));
    net.from_node[0] = s;
    net.to_node[0] = a;
    reached = nodes_reached_from_sources(net, closed, {});
    EXPECT_EQ(reached, (std::vector<std::uint8_t>{1, 1, 1}));
    reached = nodes_reached_from_sources(net, closed, {1, 0, 0});
    EXPECT_EQ(reached, (std::vector<std::uint8_t>{0, 0, 0}));
}

TEST(GasOpsIsolation, BadInputIsRejected) {
    const Network net = hand_network(false);
    EXPECT_THROW(isolate_break(net, ConnectionIndex{999}), Error);
    EXPECT_THROW(isolate_break(net, ConnectionIndex{}), Error);
    IsolationOptions o;
    o.manual_crews = 0;
    EXPECT_THROW(isolate_break(net, ConnectionIndex{0}, o), Error);
    o = {};
    o.remote_close_s = -1.0;
    EXPECT_THROW(isolate_break(net, ConnectionIndex{0}, o), Error);
}
