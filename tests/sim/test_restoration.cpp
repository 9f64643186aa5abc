// Restoration tests that read like tables: which crew goes where first, what the cause chain of
// a loss is when a slightly damaged pump has no power, and which feeder sections the operator
// restores through normally-open tie switches before any crew arrives.
#include <gtest/gtest.h>

#include <filesystem>

#include "city_builders.hpp"
#include "power/matpower.hpp"
#include "sim/ensemble.hpp"
#include "sim/metrics.hpp"
#include "sim/simulation.hpp"
#include "water/epanet_inp.hpp"

namespace rencheng::sim {
namespace {

using model::Service;
using testing::dep;
using testing::facility;
using testing::zone;

Scenario scenario(const std::string& body) {
    Diagnostics d;
    Scenario s = parse_scenario("[scenario]\ncity = \".\"\nhorizon_h = 8\nstep_min = 60\n"
                                "realizations = 1\n" +
                                    body,
                                "/tmp/test.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
}

/// Person-hours without service s over the city.
double person_hours_without(const Simulation& sim, const RealizationResult& r, Service s) {
    return curve_metrics(r.served_population[static_cast<int>(s)], sim.service_population(s),
                         sim.scenario().step_s)
        .population_hours_lost;
}

const Event* find_event(const RealizationResult& r, const Simulation& sim, const std::string& asset,
                        EventKind kind, int service = -2) {
    for (const auto& e : r.events)
        if (sim.asset_name(e.asset) == asset && e.kind == kind &&
            (service == -2 || e.service == service))
            return &e;
    return nullptr;
}

// ---- a slightly damaged pump without power -----------------------------------------------------

// Two separate pumped systems: R1 → PU1 → J1 → J2 (zone Z1 and hospital H1) and R2 → PU2 → J3 →
// J4 (zone Z2). PU1 is fed from bus 2, PU2 from bus 3; both buses hang on bus 1.
constexpr const char* kTwoSystemsInp = R"([JUNCTIONS]
J1 10 0
J2 10 5
J3 10 0
J4 10 5
[RESERVOIRS]
R1 50
R2 50
[PIPES]
P1 J1 J2 500 200 100
P2 J3 J4 500 200 100
[PUMPS]
PU1 R1 J1 HEAD C1
PU2 R2 J3 HEAD C1
[CURVES]
C1 10 60
[TIMES]
Duration 24:00
Hydraulic Timestep 1:00
[OPTIONS]
Units LPS
Headloss H-W
[COORDINATES]
J1 114.30 30.60
J2 114.31 30.60
J3 114.30 30.62
J4 114.31 30.62
R1 114.29 30.60
R2 114.29 30.62
[END]
)";

constexpr const char* kThreeBusCase = R"(function mpc = three_bus
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	110	1	1.1	0.9;
	2	1	5	1	0	0	1	1	0	110	1	1.1	0.9;
	3	1	5	1	0	0	1	1	0	110	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	100	-100	1	100	1	100	0	0	0	0	0	0	0	0	0	0	0	0;
];
mpc.branch = [
	1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;
	1	3	0.01	0.1	0	0	0	0	0	0	1	-360	360;
];
)";

model::City two_systems_city() {
    model::City city;
    city.info.name = "Two pumped systems";
    city.info.extent = {114.2, 30.5, 114.4, 30.7};
    Diagnostics d;
    city.water = water::parse_inp(kTwoSystemsInp, "t.inp", d);
    city.power = power::parse_matpower(kThreeBusCase, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    city.power_buses = {{1, {114.29, 30.61}, "supply_220kv", "in-feed", 0},
                        {2, {114.30, 30.605}, "substation_10kv", "S2", 0},
                        {3, {114.30, 30.615}, "substation_10kv", "S3", 0}};
    city.facilities = {facility("H1", model::FacilityKind::kHospital, {114.31, 30.60}),
                       facility("D1", model::FacilityKind::kDepot, {114.30, 30.61})};
    city.zones = {zone("Z1", 1000, {114.31, 30.601}), zone("Z2", 1000, {114.31, 30.621})};
    city.dependencies = {dep("water_link:PU1", Service::kPower, "power_bus:2"),
                         dep("water_link:PU2", Service::kPower, "power_bus:3"),
                         dep("facility:H1", Service::kWater, "water_node:J2"),
                         dep("zone:Z1", Service::kWater, "water_node:J2"),
                         dep("zone:Z2", Service::kWater, "water_node:J4")};
    city.index_assets();
    return city;
}

// The branch feeding bus 2 fails for good (no power crew); pump PU1 also has slight damage and
// pump PU2 fails. One water crew, no roads (no travel):
//
// | pump | damage   | works?           | crew order | zone | water lost          |
// | PU1  | slight   | no: bus 2 is out | second     | Z1   | 0–8 h (no power)    |
// | PU2  | failed   | no               | first      | Z2   | 0–2 h (repair 2 h)  |
//
// Repairing PU1's slight damage brings no water back while bus 2 is dark, so the crew fixes
// PU2 first although the hospital's loss runs through PU1. Z1's loss is caused by the branch,
// not by PU1's slight damage.
TEST(Restoration, SlightDamageWithoutPowerIsNeitherTheCauseNorTheFirstRepair) {
    const model::City city = two_systems_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_branch:1", "water_link:PU2"]
[[hazard]]
type = "failure"
assets = ["water_link:PU1"]
state = "slight"
[recovery.repair_hours]
"water_pump.slight" = [3, 0]
"water_pump.failed" = [2, 0]
[[recovery.crews]]
depot = "facility:D1"
skill = "water"
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const Event* first = find_event(r, sim, "water_link:PU2", EventKind::kCrewDispatched);
    const Event* second = find_event(r, sim, "water_link:PU1", EventKind::kCrewDispatched);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(first->time_s, 0);
    EXPECT_EQ(second->time_s, 2 * 3600);
    const Event* fixed = find_event(r, sim, "water_link:PU2", EventKind::kRepaired);
    ASSERT_NE(fixed, nullptr);
    EXPECT_EQ(fixed->time_s, 2 * 3600);
    // Z2 1000 people × 2 h; Z1 1000 people × 8 h (to the horizon: bus 2 stays dark).
    EXPECT_DOUBLE_EQ(person_hours_without(sim, r, Service::kWater), 1000.0 * 2 + 1000.0 * 8);
    // The hospital's loss: J2 ← PU1 without power ← bus 2 ← the failed branch.
    const Event* lost = find_event(r, sim, "facility:H1", EventKind::kServiceLost,
                                   static_cast<int>(Service::kWater));
    ASSERT_NE(lost, nullptr);
    ASSERT_EQ(lost->chain.size(), 5u);
    EXPECT_EQ(lost->chain[2], "water_link:PU1 function_lost: no power");
    EXPECT_EQ(lost->chain[3], "power_bus:2 function_lost: de-energised");
    EXPECT_EQ(lost->chain[4].rfind("power_branch:1 damaged: failed", 0), 0u) << lost->chain[4];
    // Person-hours by root: the branch for Z1, PU2 for Z2; none on PU1.
    double branch = 0, pu2 = 0;
    for (const auto& rl : r.root_losses) {
        EXPECT_NE(sim.asset_name(rl.root), "water_link:PU1");
        if (sim.asset_name(rl.root) == "power_branch:1")
            branch += rl.person_hours;
        if (sim.asset_name(rl.root) == "water_link:PU2")
            pu2 += rl.person_hours;
    }
    EXPECT_DOUBLE_EQ(branch, 1000.0 * 8);
    EXPECT_DOUBLE_EQ(pu2, 1000.0 * 2);
}

// ---- tie-switch restoration ----------------------------------------------------------------

// Two 10 kV substations A (bus 2) and B (bus 5) fed from the 110 kV bus 1. Feeder A: breaker
// 2–3, section 3–4 behind a sectionalising switch; feeder B: breaker 5–6. A normally-open tie
// joins the feeders' ends, 4–6. Loads: bus 3 2 MW, bus 4 1 MW, bus 6 1 MW.
std::string feeder_case(double breaker_b_rating_mva) {
    return R"(function mpc = two_feeders
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	110	1	1.1	0.9;
	2	1	0	0	0	0	1	1	0	10	1	1.1	0.9;
	3	1	2	0.5	0	0	1	1	0	10	1	1.1	0.9;
	4	1	1	0.2	0	0	1	1	0	10	1	1.1	0.9;
	5	1	0	0	0	0	1	1	0	10	1	1.1	0.9;
	6	1	1	0.2	0	0	1	1	0	10	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	100	-100	1	100	1	100	0	0	0	0	0	0	0	0	0	0	0	0;
];
mpc.branch = [
	1	2	0.001	0.05	0	40	0	0	1	0	1	-360	360;
	1	5	0.001	0.05	0	40	0	0	1	0	1	-360	360;
	2	3	0.01	0.02	0	10	0	0	0	0	1	-360	360;
	3	4	0.01	0.02	0	10	0	0	0	0	1	-360	360;
	5	6	0.01	0.02	0	)" +
           std::to_string(breaker_b_rating_mva) +
           R"(	0	0	0	0	1	-360	360;
	4	6	0.01	0.02	0	10	0	0	0	0	0	-360	360;
];
)";
}

model::City feeder_city(double breaker_b_rating_mva, bool with_switches) {
    model::City city;
    city.info.name = "Two feeders with a tie";
    city.info.extent = {114.2, 30.5, 114.4, 30.7};
    Diagnostics d;
    city.power = power::parse_matpower(feeder_case(breaker_b_rating_mva), "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    city.power_buses = {{1, {114.30, 30.60}, "substation_110kv", "S 110 kV", 0},
                        {2, {114.29, 30.60}, "substation_10kv", "A 10 kV", 0},
                        {5, {114.31, 30.60}, "substation_10kv", "B 10 kV", 0}};
    if (with_switches)
        city.power_switches = {{"CB-A", 3, false, "breaker", 0},
                               {"SW-A", 4, false, "sectionalising", 0},
                               {"CB-B", 5, false, "breaker", 0},
                               {"TIE", 6, true, "tie", 0}};
    city.facilities = {facility("D1", model::FacilityKind::kDepot, {114.30, 30.60})};
    city.zones = {zone("Z3", 2000, {114.292, 30.60}), zone("Z4", 1000, {114.295, 30.60}),
                  zone("Z6", 1000, {114.305, 30.60})};
    city.dependencies = {dep("zone:Z3", Service::kPower, "power_bus:3"),
                         dep("zone:Z4", Service::kPower, "power_bus:4"),
                         dep("zone:Z6", Service::kPower, "power_bus:6")};
    city.index_assets();
    return city;
}

struct TieCase {
    const char* name;
    double breaker_b_mva;
    bool switches;
    double z3_hours, z4_hours, z6_hours; ///< hours without power of each zone (8 h horizon)
};

// Substation A's 10 kV busbar fails at 0 h, no crew:
//
// | switches | feeder B breaker | Z3 (2 MW) | Z4 (1 MW) | Z6 (1 MW) | why | | none     | 10 MVA | 8
// h       | 8 h       | 0 h       | feeder A is dark              | | tie      | 10 MVA           |
// 0 h       | 0 h       | 0 h       | the tie picks up 3–4 from B   | | tie      | 2.5 MVA | 8 h |
// 0 h       | 0 h       | only 4 fits: SW-A opens first |
TEST(Restoration, TieSwitchesRestoreHealthyFeederSections) {
    const TieCase cases[] = {{"no switches", 10, false, 8, 8, 0},
                             {"tie, ample rating", 10, true, 0, 0, 0},
                             {"tie, tight rating", 2.5, true, 8, 0, 0}};
    for (const TieCase& c : cases) {
        SCOPED_TRACE(c.name);
        const model::City city = feeder_city(c.breaker_b_mva, c.switches);
        const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_bus:2"]
)"));
        const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
        const auto z = sim.layer_begin(Layer::kZone);
        EXPECT_FLOAT_EQ(r.downtime_h[static_cast<std::size_t>(z) + 0], c.z3_hours);
        EXPECT_FLOAT_EQ(r.downtime_h[static_cast<std::size_t>(z) + 1], c.z4_hours);
        EXPECT_FLOAT_EQ(r.downtime_h[static_cast<std::size_t>(z) + 2], c.z6_hours);
        const Event* tie = find_event(r, sim, "power_branch:6", EventKind::kFunctionRestored);
        EXPECT_EQ(tie != nullptr, c.switches);
        if (tie != nullptr) {
            EXPECT_EQ(tie->time_s, 0);
            EXPECT_NE(tie->detail.find("TIE"), std::string::npos) << tie->detail;
        }
        // Conservation in the energised island: DC generation = served load.
        EXPECT_LT(r.max_power_imbalance_mw, 1e-6);
    }
}

// When the crew repairs the busbar, the normal configuration serves again and nothing is lost.
TEST(Restoration, RepairedBusbarServesAfterTheTieHeldTheLoad) {
    const model::City city = feeder_city(2.5, true);
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_bus:2"]
time_h = 1
[recovery.repair_hours]
"power_bus.failed" = [3, 0]
[[recovery.crews]]
depot = "facility:D1"
skill = "power"
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto z = static_cast<std::size_t>(sim.layer_begin(Layer::kZone));
    // | zone | lost   | because                                   |
    // | Z3   | 1–4 h  | busbar A out; too big for feeder B's tie |
    // | Z4   | never  | picked up through the tie                 |
    EXPECT_FLOAT_EQ(r.downtime_h[z + 0], 3.0f);
    EXPECT_FLOAT_EQ(r.downtime_h[z + 1], 0.0f);
    EXPECT_FLOAT_EQ(r.downtime_h[z + 2], 0.0f);
    const Event* back = find_event(r, sim, "zone:Z3", EventKind::kServiceRestored,
                                   static_cast<int>(Service::kPower));
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->time_s, 4 * 3600);
}

// ---- one draw per substation and pumping plant -------------------------------------------

// The demo city's substations have two or three buses at one site (220/110 kV with a second
// 220 kV section, 110/10 kV) and its
// pumping plants two pumps each between the same nodes. A strong earthquake right under the city
// damages them, but only the highest-voltage bus of a substation, and both pumps of a plant alike.
TEST(Restoration, EarthquakeDrawsOncePerSubstationAndPumpPlant) {
    const std::filesystem::path demo =
        std::filesystem::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city";
    Diagnostics d;
    const model::City city = model::load_city(demo, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const Scenario sc = [&] {
        Diagnostics e;
        Scenario s = parse_scenario(R"([scenario]
city = ".."
horizon_h = 1
step_min = 60
seed = 7
realizations = 12
[[hazard]]
type = "earthquake"
magnitude = 7.0
epicentre = [114.30, 30.60]
depth_km = 8
vs30_m_s = 300
)",
                                    demo / "scenarios" / "t.toml", e);
        EXPECT_FALSE(e.has_errors()) << e.format();
        return s;
    }();
    const Simulation sim(city, sc);
    auto first_damage = [&](const RealizationResult& r, const std::string& name) {
        const auto a = sim.find_asset(name);
        EXPECT_GE(a, 0) << name;
        return r.first_damage[static_cast<std::size_t>(a)];
    };
    int head_damaged = 0, plants_damaged = 0;
    for (std::int32_t real = 0; real < sc.realizations; ++real) {
        const RealizationResult r = sim.run(real, DispatchPolicy::kCriticalFirst, false);
        // | site                     | exposed bus   | never damaged on their own        |
        // | Grid substation 1        | 3 (220 kV I)  | 4 (110 kV), 5 (220 kV section II) |
        // | Substations 1 … 4        | 6, 8, 10, 12  | 7, 9, 11, 13 (10 kV)              |
        for (const char* lower : {"power_bus:4", "power_bus:5", "power_bus:7", "power_bus:9",
                                  "power_bus:11", "power_bus:13"})
            EXPECT_EQ(first_damage(r, lower), DamageLevel::kNone) << lower << ", r " << real;
        for (const char* head :
             {"power_bus:3", "power_bus:6", "power_bus:8", "power_bus:10", "power_bus:12"})
            head_damaged += first_damage(r, head) != DamageLevel::kNone ? 1 : 0;
        // | plant | pumps      | damage           |
        // | 1     | PU1a, PU1b | the same, always |
        // | 2     | PU2a, PU2b | the same, always |
        EXPECT_EQ(first_damage(r, "water_link:PU1a"), first_damage(r, "water_link:PU1b"));
        EXPECT_EQ(first_damage(r, "water_link:PU2a"), first_damage(r, "water_link:PU2b"));
        plants_damaged += first_damage(r, "water_link:PU1a") != DamageLevel::kNone ? 1 : 0;
    }
    // About 0.4 g under the city: the substations and plants do get damaged.
    EXPECT_GT(head_damaged, 0);
    EXPECT_GT(plants_damaged, 0);
}

} // namespace
} // namespace rencheng::sim
