// Tests of distribution restoration on small hand-built feeders whose answers are known: fault
// isolation by the nearest switches (or the breaker), pick-up through ties within the receiving
// feeder's rating and voltage limits, critical loads first, mobile generators.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "power/distribution.hpp"

using namespace rencheng;
using namespace rencheng::power;

namespace {

/// A 10 kV network built row by row (100 MVA base; loads at unity power factor).
class Feeders {
public:
    Feeders() {
        net.name = "feeders";
        net.base_mva = 100;
    }

    /// Bus `number` (1-based, in order) with `pd_mw` of load.
    void bus(double pd_mw, BusType type = BusType::kPq) {
        auto& b = net.buses;
        const std::int64_t number = b.count() + 1;
        b.number.push_back(number);
        b.type.push_back(type);
        b.pd_pu.push_back(pd_mw / 100);
        b.qd_pu.push_back(0);
        b.gs_pu.push_back(0);
        b.bs_pu.push_back(0);
        b.area.push_back(1);
        b.vm_pu.push_back(1);
        b.va_rad.push_back(0);
        b.base_kv.push_back(10);
        b.zone.push_back(1);
        b.vmax_pu.push_back(1.05);
        b.vmin_pu.push_back(0.95);
        net.bus_index.emplace(number, static_cast<std::int32_t>(number - 1));
    }

    /// A source (substation busbar) at bus `number`.
    void source(std::int64_t number, double pmax_mw) {
        auto& g = net.gens;
        g.bus.emplace_back(static_cast<std::int32_t>(number - 1));
        g.pg_pu.push_back(0);
        g.qg_pu.push_back(0);
        g.qmax_pu.push_back(pmax_mw / 100);
        g.qmin_pu.push_back(-pmax_mw / 100);
        g.vg_pu.push_back(1.0);
        g.mbase_mva.push_back(100);
        g.status.push_back(1);
        g.pmax_pu.push_back(pmax_mw / 100);
        g.pmin_pu.push_back(0);
    }

    /// Branch from → to (bus numbers); returns its index. A switch of `kind` goes on it unless
    /// `with_switch` is false.
    BranchIndex branch(std::int64_t from, std::int64_t to, DistributionSwitch::Kind kind,
                       double rate_mva = 10, double z_pu = 0.01, bool with_switch = true) {
        auto& br = net.branches;
        const bool open = kind == DistributionSwitch::Kind::kTie;
        br.from.emplace_back(static_cast<std::int32_t>(from - 1));
        br.to.emplace_back(static_cast<std::int32_t>(to - 1));
        br.r_pu.push_back(z_pu);
        br.x_pu.push_back(z_pu);
        br.b_pu.push_back(0);
        br.rate_a_mva.push_back(rate_mva);
        br.rate_b_mva.push_back(rate_mva);
        br.rate_c_mva.push_back(rate_mva);
        br.tap.push_back(0);
        br.shift_rad.push_back(0);
        br.status.push_back(open ? 0 : 1);
        br.angmin_rad.push_back(-6.283185307179586);
        br.angmax_rad.push_back(6.283185307179586);
        const BranchIndex k{br.count() - 1};
        if (with_switch) {
            DistributionSwitch s;
            s.branch = k;
            s.kind = kind;
            s.normally_open = open;
            s.id = std::string(switch_kind_name(kind)) + std::to_string(k.value() + 1);
            switches.push_back(s);
        }
        return k;
    }

    Network net;
    std::vector<DistributionSwitch> switches;
};

using Kind = DistributionSwitch::Kind;

/// Feeder A: 1 (source) → 2 → 3 → 4; feeder B: 5 (source) → 6 → 7; tie 4 — 7.
/// Rows: 1 = 1-2 breaker, 2 = 2-3, 3 = 3-4, 4 = 5-6 breaker, 5 = 6-7, 6 = 4-7 tie.
Feeders two_feeders(double load_mw = 1.0, double b_head_rate = 10, double tie_z = 0.01,
                    bool switch_on_3_4 = true) {
    Feeders f;
    f.bus(0, BusType::kRef);
    f.bus(load_mw);
    f.bus(load_mw);
    f.bus(load_mw);
    f.bus(0, BusType::kPv);
    f.bus(load_mw);
    f.bus(load_mw);
    f.source(1, 50);
    f.source(5, 50);
    f.branch(1, 2, Kind::kBreaker);
    f.branch(2, 3, Kind::kSectionalising);
    f.branch(3, 4, Kind::kSectionalising, 10, 0.01, switch_on_3_4);
    f.branch(5, 6, Kind::kBreaker, b_head_rate);
    f.branch(6, 7, Kind::kSectionalising);
    f.branch(4, 7, Kind::kTie, 10, tie_z);
    return f;
}

std::vector<std::pair<std::int32_t, bool>> moves(const RestorationResult& r) {
    std::vector<std::pair<std::int32_t, bool>> out;
    for (const SwitchAction& a : r.actions)
        out.emplace_back(a.branch.value() + 1, a.close);
    return out;
}

} // namespace

TEST(Distribution, FaultOnASwitchedSectionIsOpenedAndTheRestPickedUpByTheTie) {
    Feeders f = two_feeders();
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{1}});
    // Open row 2 (2-3) to isolate; buses 3 and 4 are dark; the tie (row 6) brings them back.
    const std::vector<std::pair<std::int32_t, bool>> expect = {{2, false}, {6, true}};
    EXPECT_EQ(moves(r), expect);
    EXPECT_EQ(r.actions[0].purpose, SwitchPurpose::kIsolate);
    EXPECT_EQ(r.actions[1].purpose, SwitchPurpose::kRestore);
    EXPECT_NEAR(r.actions[1].restored_mw, 2.0, 1e-9);
    EXPECT_NEAR(r.interrupted_mw, 2.0, 1e-9);
    EXPECT_NEAR(r.restored_mw, 2.0, 1e-9);
    EXPECT_NEAR(r.unserved_mw_total, 0.0, 1e-6);
    EXPECT_NEAR(r.served_mw_total, 5.0, 1e-6);
    // Final switch states: the sectionalising switch 2-3 open, the tie closed.
    ASSERT_EQ(r.switch_closed.size(), f.switches.size());
    EXPECT_EQ(r.switch_closed[1], 0);
    EXPECT_EQ(r.switch_closed[5], 1);
    for (std::uint8_t iso : r.bus_isolated)
        EXPECT_EQ(iso, 0);
}

TEST(Distribution, FaultWithoutASwitchDeEnergisesItsZoneUpToTheNearestSwitches) {
    // No switch on 3-4: the fault's zone is {3, 4}, bounded by the switch on 2-3 and the open tie.
    Feeders f = two_feeders(1.0, 10, 0.01, false);
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{2}});
    const std::vector<std::pair<std::int32_t, bool>> expect = {{2, false}};
    EXPECT_EQ(moves(r), expect);
    EXPECT_EQ(r.bus_isolated, (std::vector<std::uint8_t>{0, 0, 1, 1, 0, 0, 0}));
    EXPECT_NEAR(r.unserved_mw[2], 1.0, 1e-9);
    EXPECT_NEAR(r.unserved_mw[3], 1.0, 1e-9);
    EXPECT_NEAR(r.unserved_mw_total, 2.0, 1e-6);
    EXPECT_NEAR(r.restored_mw, 0.0, 1e-12);
}

TEST(Distribution, WithoutSectionalisingSwitchesTheBreakerTakesTheWholeFeeder) {
    Feeders f;
    f.bus(0, BusType::kRef);
    f.bus(1);
    f.bus(1);
    f.bus(1);
    f.source(1, 50);
    f.branch(1, 2, Kind::kBreaker);
    f.branch(2, 3, Kind::kSectionalising, 10, 0.01, false);
    f.branch(3, 4, Kind::kSectionalising, 10, 0.01, false);
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{2}});
    const std::vector<std::pair<std::int32_t, bool>> expect = {{1, false}};
    EXPECT_EQ(moves(r), expect);
    EXPECT_NEAR(r.unserved_mw_total, 3.0, 1e-6);
    EXPECT_EQ(r.bus_isolated, (std::vector<std::uint8_t>{0, 1, 1, 1}));
}

TEST(Distribution, TheReceivingFeedersRatingLimitsThePickUp) {
    // Feeder B's head is rated 3.5 MVA and carries 2 MW: it can take bus 4 (1 MW) but not 3 and 4.
    Feeders f = two_feeders(1.0, 3.5);
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{1}});
    // Isolate at 2-3, split at 3-4 so only bus 4 hangs on the tie, close the tie.
    const std::vector<std::pair<std::int32_t, bool>> expect = {{2, false}, {3, false}, {6, true}};
    EXPECT_EQ(moves(r), expect);
    EXPECT_EQ(r.actions[1].purpose, SwitchPurpose::kSplit);
    EXPECT_NEAR(r.restored_mw, 1.0, 1e-9);
    EXPECT_NEAR(r.unserved_mw[2], 1.0, 1e-9);
    EXPECT_NEAR(r.served_mw[3], 1.0, 1e-9);
    // Feeder B's head within its rating.
    const std::size_t head = 3;
    const double s = std::hypot(r.final_state.p_from_mw[head], r.final_state.q_from_mvar[head]);
    EXPECT_LE(s, 3.5);
    EXPECT_GT(s, 3.0);
}

TEST(Distribution, TheVoltageLimitLimitsThePickUp) {
    // A long weak tie (3.5 p.u. of r and x): both buses through it would sag below 0.95 p.u.;
    // bus 4 alone stays above.
    Feeders f = two_feeders(1.0, 10, 3.5);
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{1}});
    const std::vector<std::pair<std::int32_t, bool>> expect = {{2, false}, {3, false}, {6, true}};
    EXPECT_EQ(moves(r), expect);
    EXPECT_GE(r.final_state.vm_pu[3], 0.95);
    EXPECT_NEAR(r.unserved_mw_total, 1.0, 1e-6);
    // Check the premise: with both buses through the tie the voltage would be too low.
    Network both = f.net;
    both.branches.status[1] = 0;
    both.branches.status[5] = 1;
    const IslandingResult all = solve_islands(both, {});
    EXPECT_LT(all.vm_pu[2], 0.95);
}

TEST(Distribution, CriticalLoadsArePickedUpFirst) {
    // Feeders A (1 → 2 → 3 → 4, 0.5 MW each) and C (8 → 9 → 10, 1.25 MW each) both tie to the end
    // of feeder B (5 → 6 → 7, 1 MW each), whose head is rated 4.2 MVA: B can take all of A or
    // part of C, not both.
    Feeders f;
    for (double pd : {0.0, 0.5, 0.5, 0.5, 0.0, 1.0, 1.0, 0.0, 1.25, 1.25})
        f.bus(pd, f.net.buses.count() == 0 ? BusType::kRef : BusType::kPq);
    f.net.buses.type[4] = BusType::kPv;
    f.net.buses.type[7] = BusType::kPv;
    f.source(1, 50);
    f.source(5, 50);
    f.source(8, 50);
    const BranchIndex a_head = f.branch(1, 2, Kind::kBreaker);
    f.branch(2, 3, Kind::kSectionalising);
    f.branch(3, 4, Kind::kSectionalising);
    f.branch(5, 6, Kind::kBreaker, 4.2);
    f.branch(6, 7, Kind::kSectionalising);
    const BranchIndex c_head = f.branch(8, 9, Kind::kBreaker);
    f.branch(9, 10, Kind::kSectionalising);
    f.branch(4, 7, Kind::kTie);
    f.branch(10, 7, Kind::kTie);

    // Equal priorities: C (2.5 MW) goes first and gets part; A's far end takes what is left.
    const RestorationResult plain = restore_distribution(f.net, f.switches, {a_head, c_head});
    EXPECT_NEAR(plain.served_mw[9], 1.25, 1e-9);
    EXPECT_NEAR(plain.unserved_mw[3], 0.0, 1e-9);
    EXPECT_NEAR(plain.unserved_mw[1] + plain.unserved_mw[2], 1.0, 1e-9);

    // A hospital at bus 2 (priority 10): all of A first; C stays dark.
    RestorationOptions o;
    o.bus_priority.assign(10, 0.0);
    o.bus_priority[1] = 10;
    const RestorationResult r = restore_distribution(f.net, f.switches, {a_head, c_head}, o);
    EXPECT_NEAR(r.served_mw[1], 0.5, 1e-9);
    EXPECT_NEAR(r.served_mw[2] + r.served_mw[3], 1.0, 1e-9);
    EXPECT_NEAR(r.unserved_mw[8] + r.unserved_mw[9], 2.5, 1e-9);
    EXPECT_NEAR(r.restored_mw, 1.5, 1e-9);
}

TEST(Distribution, AMobileGeneratorServesADarkIslandByPriority) {
    // Feeder A loses its head and has no tie; a 1.2 MW genset at bus 3 carries what it can,
    // shedding the lower-priority buses first.
    Feeders f;
    f.bus(0, BusType::kRef);
    f.bus(0.5);
    f.bus(0.5);
    f.bus(0.5);
    f.source(1, 50);
    const BranchIndex head = f.branch(1, 2, Kind::kBreaker);
    f.branch(2, 3, Kind::kSectionalising);
    f.branch(3, 4, Kind::kSectionalising);
    RestorationOptions o;
    o.bus_priority = {0, 0, 0, 10};
    o.mobile_generators.push_back({BusIndex{2}, 1.2});
    o.mobile_generators.push_back({BusIndex{0}, 5.0}); // at an energised bus: unused
    const RestorationResult r = restore_distribution(f.net, f.switches, {head}, o);
    EXPECT_NEAR(r.served_mw[3], 0.5, 1e-9); // the critical bus in full
    // The island serves up to (1 - 3 % margin) of the genset.
    const double usable = 1.2 * (1 - o.islands.shed_loss_margin);
    EXPECT_NEAR(r.served_mw[1] + r.served_mw[2] + r.served_mw[3], usable, 1e-6);
    EXPECT_NEAR(r.served_mw[1], r.served_mw[2], 1e-9); // equal priority: shed in proportion
    ASSERT_EQ(r.mobile_served_mw.size(), 2u);
    EXPECT_NEAR(r.mobile_served_mw[0], usable, 1e-6);
    EXPECT_EQ(r.mobile_served_mw[1], 0.0);
    EXPECT_NEAR(r.mobile_mw, usable, 1e-6);
}

TEST(Distribution, AMobileGeneratorInAFaultedZoneIsNotUsed) {
    Feeders f = two_feeders(1.0, 10, 0.01, false);
    RestorationOptions o;
    o.mobile_generators.push_back({BusIndex{3}, 5.0});
    const RestorationResult r = restore_distribution(f.net, f.switches, {BranchIndex{2}}, o);
    EXPECT_EQ(r.mobile_served_mw[0], 0.0);
    EXPECT_NEAR(r.unserved_mw_total, 2.0, 1e-6);
}

TEST(Distribution, NoFaultNoActionAndBadInputIsRejectedOrIgnored) {
    Feeders f = two_feeders();
    const RestorationResult r =
        restore_distribution(f.net, f.switches, {BranchIndex{99}, BranchIndex{}});
    EXPECT_TRUE(r.actions.empty());
    EXPECT_NEAR(r.unserved_mw_total, 0.0, 1e-6);
    EXPECT_EQ(r.switch_closed[5], 0); // the tie stays open

    RestorationOptions bad;
    bad.bus_priority = {1, 2};
    EXPECT_THROW(restore_distribution(f.net, f.switches, {}, bad), Error);
    RestorationOptions neg;
    neg.mobile_generators.push_back({BusIndex{1}, -1.0});
    EXPECT_THROW(restore_distribution(f.net, f.switches, {}, neg), Error);
    std::vector<DistributionSwitch> wrong = f.switches;
    wrong[0].branch = BranchIndex{40};
    EXPECT_THROW(restore_distribution(f.net, wrong, {}), Error);
}

TEST(Distribution, SwitchKindNamesRoundTrip) {
    for (auto k : {Kind::kBreaker, Kind::kSectionalising, Kind::kTie}) {
        Kind back = Kind::kBreaker;
        ASSERT_TRUE(parse_switch_kind(switch_kind_name(k), back));
        EXPECT_EQ(back, k);
    }
    Kind k = Kind::kTie;
    EXPECT_FALSE(parse_switch_kind("fuse", k));
}
