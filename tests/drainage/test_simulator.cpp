// A drainage run advanced step by step (drainage::Simulator): advanced in pieces it gives the
// numbers of one run straight through, bit for bit; a pump without power is off from the next step
// exactly as a top-priority rule switching it off at that time would have it, and returns to its
// own rules when powered again.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

const fs::path kValidation = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage";

Network read(const fs::path& inp) {
    Diagnostics d;
    Network net = read_swmm_inp(inp, d);
    if (d.has_errors())
        throw Error(ErrorCode::kInternal, d.format());
    return net;
}

void expect_identical(const SimulationResult& a, const SimulationResult& b) {
    EXPECT_EQ(a.series.time_s, b.series.time_s);
    EXPECT_EQ(a.series.node_depth_m, b.series.node_depth_m);
    EXPECT_EQ(a.series.node_flood_m3s, b.series.node_flood_m3s);
    EXPECT_EQ(a.series.node_inflow_m3s, b.series.node_inflow_m3s);
    EXPECT_EQ(a.series.link_flow_m3s, b.series.link_flow_m3s);
    EXPECT_EQ(a.series.subcatch_runoff_m3s, b.series.subcatch_runoff_m3s);
    EXPECT_EQ(a.summary.max_depth_m, b.summary.max_depth_m);
    EXPECT_EQ(a.summary.max_flow_m3s, b.summary.max_flow_m3s);
    EXPECT_EQ(a.summary.flood_volume_m3, b.summary.flood_volume_m3);
    EXPECT_EQ(a.summary.routing_steps, b.summary.routing_steps);
    EXPECT_EQ(a.summary.held_steps, b.summary.held_steps);
    EXPECT_EQ(a.summary.routing.flooding_m3, b.summary.routing.flooding_m3);
    EXPECT_EQ(a.summary.routing.outflow_m3, b.summary.routing.outflow_m3);
    EXPECT_EQ(a.summary.runoff.runoff_m3, b.summary.runoff.runoff_m3);
    EXPECT_EQ(a.summary.flow_routing_continuity_error_pct,
              b.summary.flow_routing_continuity_error_pct);
    EXPECT_EQ(a.summary.runoff_continuity_error_pct, b.summary.runoff_continuity_error_pct);
}

int link_index(const Network& net, const std::string& id) {
    for (int j = 0; j < net.link_count(); ++j)
        if (net.link_id[j] == id)
            return j;
    throw Error(ErrorCode::kInternal, "no link " + id);
}

/// A top-priority rule holding `pump` OFF from `from_h` until `to_h` hours, as the reader
/// would read `IF SIMULATION TIME >= from_h AND SIMULATION TIME < to_h THEN PUMP pump STATUS =
/// OFF PRIORITY 1e9`.
ControlRule pump_off_rule(const Network& net, const std::string& pump, double from_h, double to_h) {
    ControlRule rule;
    rule.id = "TEST_OFF";
    rule.priority = 1e9;
    auto premise = [](RulePremise::Logic logic, const char* rel, RuleCondition::Relation r,
                      double h) {
        RulePremise p;
        p.logic = logic;
        p.tokens = {"SIMULATION", "TIME", rel, std::to_string(h)};
        RuleCondition c;
        c.lhs.object = RuleVariable::Object::kSimulation;
        c.lhs.attribute = RuleVariable::Attribute::kTime;
        c.relation = r;
        c.value = h * 3600.0;
        p.condition = c;
        return p;
    };
    rule.premises.push_back(
        premise(RulePremise::Logic::kIf, ">=", RuleCondition::Relation::kGe, from_h));
    rule.premises.push_back(
        premise(RulePremise::Logic::kAnd, "<", RuleCondition::Relation::kLt, to_h));
    RuleAction act;
    act.tokens = {"PUMP", pump, "STATUS", "=", "OFF"};
    RuleSetting off;
    off.link = net.find_link(pump);
    off.kind = RuleSetting::Kind::kStatus;
    off.value = 0;
    act.setting = off;
    rule.actions.push_back(act);
    return rule;
}

} // namespace

TEST(DrainageSimulator, AdvancedInPiecesEqualsOneRunStraightThrough) {
    Network net = read(kValidation / "example1" / "Example1.inp");
    net.options.end_s = 12 * 3600;
    SimulationOptions o;
    o.base_dir = kValidation / "example1";
    o.hold_at_rest = true; // the held dry tail too
    const SimulationResult whole = simulate(net, o);
    ASSERT_GT(whole.summary.held_steps, 0);

    Simulator s(net, o);
    EXPECT_EQ(s.time_s(), 0.0);
    s.advance_to(1000.5);
    EXPECT_GE(s.time_s(), 1000.5 - 0.001);
    const double t1 = s.time_s();
    s.advance_to(500); // behind the clock: nothing routed
    EXPECT_EQ(s.time_s(), t1);
    for (int i = 0; i < 7; ++i)
        ASSERT_TRUE(s.step());
    EXPECT_GT(s.time_s(), t1);
    s.advance_to(4 * 3600);
    // the reports so far are the whole run's first ones
    const auto k = s.series().time_s.size();
    ASSERT_GT(k, 0u);
    EXPECT_LE(s.series().time_s.back(), static_cast<std::int64_t>(s.time_s() + 1e-6));
    for (std::size_t r = 0; r < k; ++r)
        EXPECT_EQ(s.series().time_s[r], whole.series.time_s[r]);
    s.advance_to(7.3 * 3600);
    expect_identical(whole, s.finish());
    EXPECT_THROW(s.step(), Error); // a finished run is spent
}

TEST(DrainageSimulator, APumpWithoutPowerActsAsATopPriorityRule) {
    // Example3: PUMP1 lifts the wet well SU1 by two depth rules; it loses its power from 6 h to
    // 12 h, then returns to its rules.
    const Network net = read(kValidation / "example3" / "Example3.inp");
    SimulationOptions o;
    o.base_dir = kValidation / "example3";
    const int pump = link_index(net, "PUMP1");

    const SimulationResult free_run = simulate(net, o);
    Network ruled = net;
    ruled.rules.push_back(pump_off_rule(ruled, "PUMP1", 6.0, 12.0));
    const SimulationResult by_rule = simulate(ruled, o);

    Simulator s(net, o);
    s.advance_to(6 * 3600);
    s.set_pump_powered(pump, false);
    s.advance_to(12 * 3600);
    s.set_pump_powered(pump, true);
    s.set_pump_powered(pump, true); // powered twice: nothing more happens
    const SimulationResult forced = s.finish();
    expect_identical(by_rule, forced);

    // the pump ran in the window without the outage and is still there after it
    const auto nl = static_cast<std::size_t>(net.link_count());
    double q_free = 0, q_forced = 0, q_after = 0;
    for (std::size_t r = 0; r < forced.series.time_s.size(); ++r) {
        const auto t = forced.series.time_s[r];
        const double q = forced.series.link_flow_m3s[r * nl + static_cast<std::size_t>(pump)];
        if (t > 6 * 3600 && t <= 12 * 3600) {
            q_forced = std::max(q_forced, std::abs(q));
            q_free = std::max(
                q_free,
                std::abs(free_run.series.link_flow_m3s[r * nl + static_cast<std::size_t>(pump)]));
        } else if (t > 12 * 3600) {
            q_after = std::max(q_after, std::abs(q));
        }
    }
    EXPECT_GT(q_free, 0.01);
    EXPECT_EQ(q_forced, 0.0);
    EXPECT_GT(q_after, 0.01);
    // the wet well stands higher without the pump
    const auto n = static_cast<std::size_t>(net.from_node[pump].idx());
    EXPECT_GT(forced.summary.max_depth_m[n], free_run.summary.max_depth_m[n]);
}

TEST(DrainageSimulator, OnlyAPumpLosesPower) {
    const Network net = read(kValidation / "example3" / "Example3.inp");
    SimulationOptions o;
    o.base_dir = kValidation / "example3";
    Simulator s(net, o);
    int conduit = -1;
    for (int j = 0; j < net.link_count() && conduit < 0; ++j)
        if (net.link_kind[j] == LinkKind::kConduit)
            conduit = j;
    ASSERT_GE(conduit, 0);
    EXPECT_THROW(s.set_pump_powered(conduit, false), Error);
    EXPECT_THROW(s.set_pump_powered(net.link_count(), false), Error);
}

TEST(DrainageSimulator, DepthSeriesOnlyKeepsTheDepths) {
    Network net = read(kValidation / "example1" / "Example1.inp");
    net.options.end_s = 6 * 3600;
    SimulationOptions o;
    o.base_dir = kValidation / "example1";
    const SimulationResult full = simulate(net, o);
    o.depth_series_only = true;
    const SimulationResult depths = simulate(net, o);
    EXPECT_EQ(full.series.time_s, depths.series.time_s);
    EXPECT_EQ(full.series.node_depth_m, depths.series.node_depth_m);
    EXPECT_TRUE(depths.series.link_flow_m3s.empty());
    EXPECT_TRUE(depths.series.node_inflow_m3s.empty());
    EXPECT_TRUE(depths.series.subcatch_runoff_m3s.empty());
    EXPECT_EQ(full.summary.max_flow_m3s, depths.summary.max_flow_m3s);
}

namespace {

/// A storage unit of `storage` (its [STORAGE] fields after the name) draining through a pipe to
/// an outfall, with a junction of `junction` ([JUNCTIONS] fields after the name) feeding it a
/// steady 0.1 m³/s, in SI units over an hour.
Network small_model(const std::string& storage, const std::string& junction = "12 3 0 0 0") {
    const std::string text =
        "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 01/01/2020\n"
        "END_TIME 1:00\nREPORT_STEP 0:15\nROUTING_STEP 10\n"
        "[JUNCTIONS]\nJ1 " +
        junction + "\n[STORAGE]\nSU 10 " + storage +
        "\n[OUTFALLS]\nO1 0 FREE\n"
        "[CONDUITS]\nC1 J1 SU 100 0.013 0 0\nC2 SU O1 100 0.013 0 0\n"
        "[XSECTIONS]\nC1 CIRCULAR 0.5 0 0 0\nC2 CIRCULAR 0.5 0 0 0\n"
        "[INFLOWS]\nJ1 FLOW \"\" FLOW 1 1 0.1\n";
    Diagnostics d;
    Network net = parse_swmm_inp(text, "small.inp", d);
    if (d.has_errors())
        throw Error(ErrorCode::kInternal, d.format());
    return net;
}

} // namespace

// SWMM error 138: a node's initial depth above its full depth (raised to the crowns of its
// links) and surcharge depth. It was routed from a depth of 1e6 m into NaN and read a table out
// of bounds.
TEST(DrainageSimulator, InitialDepthAboveTheMaximumIsAnError) {
    const Network deep = small_model("4 0 FUNCTIONAL 0 0 500", "12 3 5 0 0");
    try {
        (void)simulate(deep);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("node J1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("SWMM error 138"), std::string::npos) << e.what();
    }
    // a full depth of 0 is raised to the pipe's crown (0.5 m): an initial 0.4 m is no error
    const Network raised = small_model("4 0 FUNCTIONAL 0 0 500", "12 0 0.4 0 0");
    EXPECT_NO_THROW((void)simulate(raised));
}

// A functional storage shape without its power term (coefficient 0) has its constant area
// whatever the exponent: 0·d^1e6 made the volume NaN above a depth of 1 m.
TEST(DrainageSimulator, StorageWithoutAPowerTermHasItsConstantArea) {
    const Network net = small_model("4 2 FUNCTIONAL 0 1e6 500");
    const SimulationResult a = simulate(net);
    const SimulationResult b = simulate(small_model("4 2 FUNCTIONAL 0 0 500"));
    expect_identical(a, b);
    EXPECT_GT(a.summary.max_depth_m[net.find_node("SU").idx()], 1.0);
}

// SWMM error 140: a storage unit's volume at full depth is negative, or (our addition) overflows.
TEST(DrainageSimulator, StorageVolumeNegativeOrOverflowingIsAnError) {
    for (const char* storage : {"4 0 FUNCTIONAL 1 600 0", "4 0 FUNCTIONAL -10 1 5"}) {
        SCOPED_TRACE(storage);
        try {
            (void)simulate(small_model(storage));
            FAIL() << "expected an error";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("storage unit SU"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("SWMM error 140"), std::string::npos) << e.what();
        }
    }
}
