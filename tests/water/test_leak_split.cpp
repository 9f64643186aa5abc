// Leaks and breaks at their position along a pipe (WNTR's split_pipe / break_pipe idea): the split
// itself, the damaged solve against the same network split by hand in an .inp, mass balance with
// the leak, and the damaged network written back to .inp.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "parse_ok.hpp"
#include "water/damage.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

namespace {

/// A looped network: R1 (50 m) - P1 - J1; J1 - P2 - J2 - P3 - J3 and J1 - P4 - J3. P2 has a
/// vertex and a minor loss. LPS, Hazen-Williams.
constexpr const char* kLoop = R"([JUNCTIONS]
J1 10 5
J2 12 5
J3 8 5
[RESERVOIRS]
R1 50
[PIPES]
P1 R1 J1 1000 300 120 0
P2 J1 J2 800 200 110 2
P3 J2 J3 600 150 100 0
P4 J1 J3 1200 150 100 0
[COORDINATES]
R1 0 0
J1 1000 0
J2 1000 800
J3 1600 800
[VERTICES]
P2 1000 400
[OPTIONS]
Units LPS
Headloss H-W
)";

/// Cd·A·sqrt(2g) in L/s per m^0.5 for Cd 0.75.
double emitter_lps(double area_m2) {
    return 0.75 * area_m2 * std::sqrt(2 * 9.81) * 1e3;
}

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// kLoop with P2 split by hand at 30 % (240 m + 560 m; the minor loss stays on the first piece)
/// and the leak as an emitter at the new junction (elevation 10 + 0.3·2 = 10.6 m).
std::string split_by_hand(double area_m2) {
    return std::string("[JUNCTIONS]\nJ1 10 5\nJ2 12 5\nJ3 8 5\nP2_leak1 10.6 0\n"
                       "[RESERVOIRS]\nR1 50\n[PIPES]\nP1 R1 J1 1000 300 120 0\n"
                       "P2 J1 P2_leak1 240 200 110 2\nP3 J2 J3 600 150 100 0\n"
                       "P4 J1 J3 1200 150 100 0\nP2_1 P2_leak1 J2 560 200 110 0\n"
                       "[EMITTERS]\nP2_leak1 ") +
           number(emitter_lps(area_m2)) + "\n[OPTIONS]\nUnits LPS\nHeadloss H-W\n";
}

/// kLoop with P2 broken by hand at 50 % (400 m + 400 m), both ends leaking.
std::string broken_by_hand(double area_m2) {
    const std::string k = number(emitter_lps(area_m2));
    return "[JUNCTIONS]\nJ1 10 5\nJ2 12 5\nJ3 8 5\nA 11 0\nB 11 0\n"
           "[RESERVOIRS]\nR1 50\n[PIPES]\nP1 R1 J1 1000 300 120 0\n"
           "P2 J1 A 400 200 110 2\nP3 J2 J3 600 150 100 0\n"
           "P4 J1 J3 1200 150 100 0\nP2_1 B J2 400 200 110 0\n"
           "[EMITTERS]\nA " +
           k + "\nB " + k + "\n[OPTIONS]\nUnits LPS\nHeadloss H-W\n";
}

/// One steady solve of a network with orifice emitters (no inflow), as the damage model does.
EpsSnapshot solve_plain(const Network& net) {
    const HydraulicTopology topo(net);
    EpsOptions o;
    o.duration = 0;
    o.hydraulic.emitter_no_backflow = true;
    const EpsResult r = simulate_eps(net, topo, o);
    EXPECT_TRUE(r.converged) << r.message;
    EXPECT_EQ(r.reports.size(), 1u);
    return r.reports.at(0);
}

DamageResult solve_damaged(const Network& net, const DamageState& d) {
    const HydraulicTopology topo(net);
    EpsOptions o;
    o.duration = 0;
    return simulate_damage(net, topo, d, o);
}

} // namespace

TEST(SplitPipe, KeepsTheOriginalIndicesAndSplitsLengthAndCourse) {
    Network net = parse_ok(kLoop);
    const Network before = net;
    const LinkIndex p2 = net.find_link("P2");
    const PipeSplit s = split_pipe(net, p2, 0.25, "N", "P2b");
    EXPECT_EQ(s.node.value(), before.node_count());
    EXPECT_EQ(s.link.value(), before.link_count());
    for (std::int32_t i = 0; i < before.node_count(); ++i)
        EXPECT_EQ(net.node_id[static_cast<std::size_t>(i)],
                  before.node_id[static_cast<std::size_t>(i)]);
    EXPECT_EQ(net.to_node[p2.idx()], s.node);
    EXPECT_EQ(net.from_node[s.link.idx()], s.node);
    EXPECT_EQ(net.to_node[s.link.idx()], before.to_node[p2.idx()]);
    EXPECT_DOUBLE_EQ(net.length_m[p2.idx()] + net.length_m[s.link.idx()], 800.0);
    EXPECT_DOUBLE_EQ(net.length_m[p2.idx()], 200.0);
    EXPECT_DOUBLE_EQ(net.minor_loss[p2.idx()], 2.0);
    EXPECT_DOUBLE_EQ(net.minor_loss[s.link.idx()], 0.0);
    EXPECT_DOUBLE_EQ(net.diameter_m[s.link.idx()], net.diameter_m[p2.idx()]);
    EXPECT_DOUBLE_EQ(net.roughness[s.link.idx()], 110.0);
    EXPECT_DOUBLE_EQ(net.elevation_m[s.node.idx()], 10.5);
    // A quarter of the drawn course (800 map units through the vertex at (1000, 400)).
    ASSERT_TRUE(net.has_coordinates[s.node.idx()]);
    EXPECT_DOUBLE_EQ(net.x[s.node.idx()], 1000.0);
    EXPECT_DOUBLE_EQ(net.y[s.node.idx()], 200.0);
    EXPECT_TRUE(net.vertices[p2.idx()].empty());
    EXPECT_EQ(net.vertices[s.link.idx()], (std::vector<double>{1000, 400}));
    EXPECT_EQ(net.demand_begin.size(), static_cast<std::size_t>(net.node_count()) + 1);
}

TEST(SplitPipe, WithoutALeakTheHeadsDoNotChange) {
    const Network net = parse_ok(kLoop);
    Network split = net;
    (void)split_pipe(split, split.find_link("P2"), 0.37, "N", "P2b");
    (void)split_pipe(split, split.find_link("P4"), 0.5, "M", "P4b");
    const EpsSnapshot a = solve_plain(net), b = solve_plain(split);
    for (std::int32_t i = 0; i < net.node_count(); ++i)
        EXPECT_NEAR(a.head_m[static_cast<std::size_t>(i)], b.head_m[static_cast<std::size_t>(i)],
                    1e-8);
    EXPECT_NEAR(a.flow_m3s[net.find_link("P2").idx()], b.flow_m3s[split.find_link("P2b").idx()],
                1e-10);
}

TEST(SplitPipe, RejectsWhatCannotBeSplit) {
    Network net = parse_ok(kLoop);
    const auto code = [&](auto f) {
        try {
            f();
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::kInternal;
    };
    EXPECT_EQ(code([&] { split_pipe(net, net.find_link("P2"), 0.0, "N", "X"); }),
              ErrorCode::kOutOfRange);
    EXPECT_EQ(code([&] { split_pipe(net, net.find_link("P2"), 1.0, "N", "X"); }),
              ErrorCode::kOutOfRange);
    EXPECT_EQ(code([&] { split_pipe(net, net.find_link("P2"), 0.5, "J1", "X"); }),
              ErrorCode::kDuplicateId);
    EXPECT_EQ(code([&] { split_pipe(net, net.find_link("P2"), 0.5, "N", "P3"); }),
              ErrorCode::kDuplicateId);
    EXPECT_EQ(code([&] { break_pipe(net, net.find_link("P2"), 0.5, "N", "N", "X"); }),
              ErrorCode::kDuplicateId);
    EXPECT_EQ(net.node_count(), 4); // nothing was added by the failed calls
}

TEST(LeakAlongPipe, MatchesTheNetworkSplitByHand) {
    const Network net = parse_ok(kLoop);
    DamageState d;
    Leak leak;
    leak.link = net.find_link("P2");
    leak.position = 0.3;
    leak.area_m2 = 4e-4;
    d.leaks.push_back(leak);
    const DamageResult r = solve_damaged(net, d);
    ASSERT_TRUE(r.converged);
    const DamageStep& s = r.steps.at(0);
    const Network hand = parse_ok(split_by_hand(4e-4));
    const EpsSnapshot h = solve_plain(hand);
    ASSERT_EQ(r.network.node_count(), hand.node_count());
    for (std::int32_t i = 0; i < hand.node_count(); ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const NodeIndex n = r.network.find_node(hand.node_id[ui]);
        ASSERT_TRUE(n.valid()) << hand.node_id[ui];
        EXPECT_NEAR(s.head_m[n.idx()], h.head_m[ui], 1e-8) << hand.node_id[ui];
    }
    for (std::int32_t k = 0; k < hand.link_count(); ++k) {
        const auto uk = static_cast<std::size_t>(k);
        const LinkIndex l = r.network.find_link(hand.link_id[uk]);
        ASSERT_TRUE(l.valid()) << hand.link_id[uk];
        EXPECT_NEAR(s.flow_m3s[l.idx()], h.flow_m3s[uk], 1e-10) << hand.link_id[uk];
    }
    // The leak is the orifice law at the new junction, and the flow difference of the two pieces.
    const std::size_t n = r.network.find_node("P2_leak1").idx();
    const double p = s.head_m[n] - r.network.elevation_m[n];
    ASSERT_GT(p, 0);
    EXPECT_NEAR(s.leak_m3s[n], 0.75 * 4e-4 * std::sqrt(2 * 9.81 * p), 1e-12);
    EXPECT_NEAR(s.flow_m3s[net.find_link("P2").idx()] -
                    s.flow_m3s[r.network.find_link("P2_1").idx()],
                s.leak_m3s[n], 1e-9);
    // Mass balance with the leak: the reservoir supplies 15 L/s of demand plus the leak.
    EXPECT_NEAR(s.supply_m3s, 0.015 + s.leak_total_m3s, 1e-9);
    EXPECT_NEAR(s.leak_total_m3s, s.leak_m3s[n], 1e-15);
    EXPECT_LT(s.mass_balance_error, 1e-6);
}

TEST(LeakAlongPipe, PositionMatters) {
    // The same leak near the reservoir end of P2 sees more pressure than near J2 (12 m high).
    const Network net = parse_ok(kLoop);
    double leak_at[2] = {0, 0};
    const double positions[2] = {0.05, 0.95};
    for (int i = 0; i < 2; ++i) {
        DamageState d;
        Leak leak;
        leak.link = net.find_link("P2");
        leak.position = positions[i];
        leak.area_m2 = 1e-3;
        d.leaks.push_back(leak);
        leak_at[i] = solve_damaged(net, d).steps.at(0).leak_total_m3s;
    }
    EXPECT_GT(leak_at[0], leak_at[1] * 1.01);
}

TEST(LeakAlongPipe, SeveralPointsOnOnePipeAndClosure) {
    const Network net = parse_ok(kLoop);
    DamageState d;
    for (const double pos : {0.75, 0.25}) {
        Leak leak;
        leak.link = net.find_link("P2");
        leak.position = pos;
        leak.area_m2 = 2e-4;
        d.leaks.push_back(leak);
    }
    Break b;
    b.link = net.find_link("P2");
    b.position = 0.5;
    b.area_m2 = 1e-4;
    d.breaks.push_back(b);
    const AppliedDamage a = apply_damage(net, d);
    // Leak at 25 %, break at 50 % (two ends), leak at 75 %: four junctions, three more pieces.
    EXPECT_EQ(a.net.node_count(), net.node_count() + 4);
    EXPECT_EQ(a.net.link_count(), net.link_count() + 3);
    const std::size_t p2 = net.find_link("P2").idx();
    ASSERT_EQ(a.pieces[p2].size(), 3u);
    double total = a.net.length_m[p2];
    for (const LinkIndex piece : a.pieces[p2]) {
        EXPECT_NEAR(a.net.length_m[piece.idx()], 200.0, 1e-9);
        total += a.net.length_m[piece.idx()];
    }
    EXPECT_NEAR(total, 800.0, 1e-9);
    EXPECT_EQ(a.net.to_node[p2], a.net.find_node("P2_leak1"));
    EXPECT_EQ(a.net.from_node[a.pieces[p2][2].idx()], a.net.find_node("P2_leak2"));
    // Closing P2 closes every piece of it.
    d.closed_links.push_back(net.find_link("P2"));
    const AppliedDamage c = apply_damage(net, d);
    EXPECT_TRUE(c.forced_closed[p2]);
    for (const LinkIndex piece : c.pieces[p2])
        EXPECT_TRUE(c.forced_closed[piece.idx()]);
    const DamageResult r = solve_damaged(net, d);
    EXPECT_EQ(r.steps.at(0).leak_total_m3s, 0.0); // the leaks are cut off
    EXPECT_LT(r.steps.at(0).mass_balance_error, 1e-6);
}

TEST(BreakAlongPipe, MatchesTheNetworkBrokenByHand) {
    const Network net = parse_ok(kLoop);
    DamageState d;
    Break b;
    b.link = net.find_link("P2");
    b.area_m2 = 3e-4; // position unknown: the mid-point
    d.breaks.push_back(b);
    const DamageResult r = solve_damaged(net, d);
    const DamageStep& s = r.steps.at(0);
    const Network hand = parse_ok(broken_by_hand(3e-4));
    const EpsSnapshot h = solve_plain(hand);
    const std::size_t a = r.network.find_node("P2_break1a").idx();
    const std::size_t bb = r.network.find_node("P2_break1b").idx();
    EXPECT_NEAR(s.head_m[a], h.head_m[hand.find_node("A").idx()], 1e-8);
    EXPECT_NEAR(s.head_m[bb], h.head_m[hand.find_node("B").idx()], 1e-8);
    for (const char* id : {"J1", "J2", "J3"})
        EXPECT_NEAR(s.head_m[net.find_node(id).idx()], h.head_m[hand.find_node(id).idx()], 1e-8)
            << id;
    // J2 is fed round the loop and feeds the downstream broken end backwards.
    EXPECT_LT(s.flow_m3s[r.network.find_link("P2_1").idx()], 0);
    EXPECT_GT(s.leak_m3s[a], 0);
    EXPECT_GT(s.leak_m3s[bb], 0);
    EXPECT_NEAR(s.supply_m3s, 0.015 + s.leak_m3s[a] + s.leak_m3s[bb], 1e-9);
    EXPECT_LT(s.mass_balance_error, 1e-6);
}

TEST(LeakAlongPipe, DamagedNetworkRoundTripsThroughInp) {
    const Network net = parse_ok(kLoop);
    DamageState d;
    Leak leak;
    leak.link = net.find_link("P4");
    leak.position = 0.6;
    leak.area_m2 = 5e-4;
    d.leaks.push_back(leak);
    const DamageResult r = solve_damaged(net, d);
    // The damaged network as written: the leak is an emitter at the new junction. An .inp numbers
    // junctions before reservoirs and tanks, so the new junction comes back before R1: compare
    // by id.
    const Network back = parse_ok(format_inp(r.network));
    const Network& dn = r.network;
    ASSERT_EQ(back.node_count(), dn.node_count());
    ASSERT_EQ(back.link_count(), dn.link_count());
    const DamageStep& s = r.steps.at(0);
    const EpsSnapshot h = solve_plain(back);
    for (std::int32_t i = 0; i < dn.node_count(); ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const NodeIndex b = back.find_node(dn.node_id[ui]);
        ASSERT_TRUE(b.valid()) << dn.node_id[ui];
        EXPECT_EQ(back.node_kind[b.idx()], dn.node_kind[ui]);
        EXPECT_NEAR(back.elevation_m[b.idx()], dn.elevation_m[ui], 1e-12);
        EXPECT_NEAR(back.emitter_coefficient[b.idx()], dn.emitter_coefficient[ui], 1e-15);
        EXPECT_EQ(back.has_coordinates[b.idx()], dn.has_coordinates[ui]);
        // And it solves to the damaged heads.
        EXPECT_NEAR(h.head_m[b.idx()], s.head_m[ui], 1e-8) << dn.node_id[ui];
    }
    EXPECT_GT(dn.emitter_coefficient[dn.find_node("P4_leak1").idx()], 0);
    for (std::int32_t k = 0; k < dn.link_count(); ++k) {
        const auto uk = static_cast<std::size_t>(k);
        EXPECT_EQ(back.link_id[uk], dn.link_id[uk]);
        EXPECT_EQ(back.node_id[back.from_node[uk].idx()], dn.node_id[dn.from_node[uk].idx()]);
        EXPECT_EQ(back.node_id[back.to_node[uk].idx()], dn.node_id[dn.to_node[uk].idx()]);
        EXPECT_NEAR(back.length_m[uk], dn.length_m[uk], 1e-9);
        EXPECT_NEAR(h.flow_m3s[uk], s.flow_m3s[uk], 1e-10) << dn.link_id[uk];
    }
    // Written again, the text is a fixed point.
    EXPECT_EQ(format_inp(parse_ok(format_inp(back))), format_inp(back));
}
