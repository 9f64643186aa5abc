// Scenario tests that read like tables: given this damage, these assets lose this service, for
// this long, for this cause — one per kind of dependency, on small cities built here.
#include <gtest/gtest.h>

#include <algorithm>

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

// A reservoir feeds two junctions through a pump; the pump is powered from bus 2, which hangs on
// bus 1 (the grid's in-feed) by one branch. The hospital H1 and the zone Z1 take water at J2.
constexpr const char* kWaterInp = R"([JUNCTIONS]
J1 10 0
J2 10 5
[RESERVOIRS]
R1 50
[PIPES]
P1 J1 J2 500 200 100
[PUMPS]
PU R1 J1 HEAD C1
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
R1 114.29 30.60
[END]
)";

constexpr const char* kPowerCase = R"(function mpc = two_bus
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	110	1	1.1	0.9;
	2	1	10	2	0	0	1	1	0	110	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	100	-100	1	100	1	100	0	0	0	0	0	0	0	0	0	0	0	0;
];
mpc.branch = [
	1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;
];
)";

model::City water_power_city() {
    model::City city;
    city.info.name = "Two-lifeline test city";
    city.info.extent = {114.2, 30.5, 114.4, 30.7};
    Diagnostics d;
    city.water = water::parse_inp(kWaterInp, "t.inp", d);
    city.power = power::parse_matpower(kPowerCase, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    city.power_buses = {{1, {114.29, 30.61}, "supply_220kv", "in-feed", 0},
                        {2, {114.30, 30.61}, "substation_10kv", "S2", 0}};
    city.facilities = {facility("H1", model::FacilityKind::kHospital, {114.31, 30.60}),
                       facility("D1", model::FacilityKind::kDepot, {114.30, 30.60})};
    city.zones = {zone("Z1", 1000, {114.31, 30.601})};
    city.dependencies = {dep("water_link:PU", Service::kPower, "power_bus:2"),
                         dep("facility:H1", Service::kWater, "water_node:J2", 0, 10.0),
                         dep("facility:H1", Service::kPower, "power_bus:2", 2.0),
                         dep("zone:Z1", Service::kWater, "water_node:J2"),
                         dep("zone:Z1", Service::kPower, "power_bus:2")};
    city.index_assets();
    return city;
}

Scenario scenario(const std::string& body) {
    Diagnostics d;
    Scenario s = parse_scenario("[scenario]\ncity = \".\"\nhorizon_h = 8\nstep_min = 60\n"
                                "realizations = 1\n" +
                                    body,
                                "/tmp/test.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
}

std::int32_t facility_index(const model::City& c, const std::string& id) {
    for (std::size_t f = 0; f < c.facilities.size(); ++f)
        if (c.facilities[f].id == id)
            return static_cast<std::int32_t>(f);
    return -1;
}

const Event* find_event(const RealizationResult& r, const Simulation& sim, const std::string& asset,
                        EventKind kind, int service = -2) {
    for (const auto& e : r.events)
        if (sim.asset_name(e.asset) == asset && e.kind == kind &&
            (service == -2 || e.service == service))
            return &e;
    return nullptr;
}

double hours_without(const Simulation& sim, const RealizationResult& r, Service s) {
    return curve_metrics(r.served_population[static_cast<int>(s)], sim.service_population(s),
                         sim.scenario().step_s)
               .population_hours_lost /
           sim.service_population(s);
}

// power → pump → water → hospital: the branch feeding bus 2 fails at 1 h; a power crew at the
// depot repairs it in 3 h (no roads: no travel).
TEST(Cascade, PowerLossStopsThePumpAndTheHospitalLosesWater) {
    const model::City city = water_power_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_branch:1"]
time_h = 1
[recovery.repair_hours]
"power_branch.failed" = [3, 0]
[[recovery.crews]]
depot = "facility:D1"
skill = "power"
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto h1 = facility_index(city, "H1");
    const int water = static_cast<int>(Service::kWater);
    const int power = static_cast<int>(Service::kPower);
    // | asset        | service | lost from | for  | because                          |
    // | facility:H1  | water   | 1 h       | 3 h  | pump PU stopped ← bus 2 ← branch |
    // | facility:H1  | power   | 3 h       | 1 h  | 2 h backup ran out at 3 h        |
    // | zone:Z1      | water   | 1 h       | 3 h  |                                  |
    // | zone:Z1      | power   | 1 h       | 3 h  | no backup                        |
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[h1][water], 3.0);
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[h1][power], 1.0);
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kWater), 3.0);
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kPower), 3.0);
    for (std::int32_t k = 0; k < sim.scenario().output_count(); ++k) {
        const bool lost = k >= 1 && k < 4;
        EXPECT_EQ(r.facility_lost_bits[h1][k] & (1u << water), lost ? (1u << water) : 0u)
            << "t = " << k << " h";
    }
    const Event* e = find_event(r, sim, "facility:H1", EventKind::kServiceLost, water);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->time_s, 3600);
    EXPECT_EQ(sim.asset_name(e->cause_asset), "water_node:J2");
    ASSERT_EQ(e->chain.size(), 5u);
    EXPECT_EQ(e->chain[0], "facility:H1 service_lost water");
    EXPECT_EQ(e->chain[1], "water_node:J2 function_lost: cut off from every source");
    EXPECT_EQ(e->chain[2], "water_link:PU function_lost: no power");
    EXPECT_EQ(e->chain[3], "power_bus:2 function_lost: de-energised");
    EXPECT_EQ(e->chain[4].rfind("power_branch:1 damaged: failed", 0), 0u) << e->chain[4];
    // The hospital's generator: backup started at 1 h, exhausted at 3 h.
    const Event* b = find_event(r, sim, "facility:H1", EventKind::kBackupStarted, power);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->time_s, 3600);
    const Event* x = find_event(r, sim, "facility:H1", EventKind::kBackupExhausted, power);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->time_s, 3 * 3600);
    const Event* fixed = find_event(r, sim, "power_branch:1", EventKind::kRepaired);
    ASSERT_NE(fixed, nullptr);
    EXPECT_EQ(fixed->time_s, 4 * 3600);
    // Attribution: every lost person-hour goes to the branch.
    ASSERT_FALSE(r.root_losses.empty());
    for (const auto& rl : r.root_losses)
        EXPECT_EQ(sim.asset_name(rl.root), "power_branch:1");
    // Power balance of the energised island (DC: generation = load).
    EXPECT_LT(r.max_power_imbalance_mw, 1e-6);
    EXPECT_LT(r.max_water_mass_balance, 1e-6);
}

// Backup hours: the same outage without a repair crew; an intervention gives the hospital 6 h of
// generator fuel instead of 2, so it rides through until 7 h.
TEST(Cascade, BackupHoursExpire) {
    const model::City city = water_power_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_branch:1"]
time_h = 0
[[intervention]]
type = "backup_hours"
asset = "facility:H1"
service = "power"
hours = 6
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto h1 = facility_index(city, "H1");
    const int power = static_cast<int>(Service::kPower);
    // | facility:H1 | power | lost from 6 h | for 2 h (to the 8 h horizon) | backup exhausted |
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[h1][power], 2.0);
    const Event* x = find_event(r, sim, "facility:H1", EventKind::kBackupExhausted, power);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(x->time_s, 6 * 3600);
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kPower), 8.0);
}

// Source loss → water: the reservoir is contaminated for 2 h and reopened by the operator.
TEST(Cascade, SourceLossCutsWaterUntilTheOperatorRestoresIt) {
    const model::City city = water_power_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "supply_loss"
supply = "water"
cause = "contamination"
duration_h = 2
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto h1 = facility_index(city, "H1");
    // | zone:Z1, facility:H1 | water | lost 0 h – 2 h | source contaminated |
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[h1][static_cast<int>(Service::kWater)], 2.0);
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kWater), 2.0);
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kPower), 0.0);
    const Event* e =
        find_event(r, sim, "zone:Z1", EventKind::kServiceLost, static_cast<int>(Service::kWater));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->time_s, 0);
    EXPECT_EQ(e->chain.back(), "water_node:R1 damaged: source contaminated");
    const Event* back = find_event(r, sim, "water_node:R1", EventKind::kRepaired);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->time_s, 2 * 3600);
    EXPECT_EQ(back->detail, "restored by the operator");
    const auto m =
        curve_metrics(r.served_population[static_cast<int>(Service::kWater)], 1000.0, 3600);
    EXPECT_DOUBLE_EQ(m.min_service, 0.0);
    ASSERT_TRUE(m.time_to_restore_h[2].has_value());
    EXPECT_DOUBLE_EQ(*m.time_to_restore_h[2], 2.0);
    EXPECT_DOUBLE_EQ(m.resilience_loss_pct_h, 200.0);
}

// Road closure → access: hospital at A, zones at B and C on the line A – B – C; the link B – C
// closes at 1 h for good.
model::City road_city() {
    model::City city;
    city.info.name = "Road test city";
    city.info.extent = {114.2, 30.5, 114.4, 30.7};
    transport::RoadNetwork r;
    r.add_node("A", {114.30, 30.60});
    r.add_node("B", {114.31, 30.60});
    r.add_node("C", {114.32, 30.60});
    auto link = [&](const std::string& id, int from, int to) {
        r.link_id.push_back(id);
        r.link_from.push_back(from);
        r.link_to.push_back(to);
        r.link_class.push_back(transport::RoadClass::kLocal);
        r.length_m.push_back(1000);
        r.free_speed_ms.push_back(10);
        r.capacity_vehh.push_back(800);
        r.lanes.push_back(1);
        r.oneway.push_back(0);
        r.bridge.push_back(0);
        r.tunnel.push_back(0);
        r.link_name.push_back("");
        r.link_geometry.push_back({r.node_position[from], r.node_position[to]});
        r.link_source_line.push_back(0);
    };
    link("AB", 0, 1);
    link("BC", 1, 2);
    r.build_graph();
    city.roads = std::move(r);
    city.facilities = {facility("H", model::FacilityKind::kHospital, {114.30, 30.60})};
    city.zones = {zone("ZB", 300, {114.31, 30.60}), zone("ZC", 700, {114.32, 30.60})};
    city.dependencies = {dep("facility:H", Service::kRoadAccess, "road_node:A"),
                         dep("zone:ZB", Service::kRoadAccess, "road_node:B"),
                         dep("zone:ZC", Service::kRoadAccess, "road_node:C")};
    city.index_assets();
    return city;
}

TEST(Cascade, RoadClosureCutsAccessToTheHospital) {
    const model::City city = road_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["road_link:BC"]
state = "closed"
time_h = 1
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    // | zone:ZC | road_access | lost from 1 h | 7 h | road_link:BC closed |
    // | zone:ZB | road_access | never                                     |
    const auto& served = r.served_population[static_cast<int>(Service::kRoadAccess)];
    EXPECT_DOUBLE_EQ(served[0], 1000.0);
    for (std::size_t k = 1; k < served.size(); ++k)
        EXPECT_DOUBLE_EQ(served[k], 300.0) << k;
    EXPECT_DOUBLE_EQ(curve_metrics(served, 1000.0, 3600).population_hours_lost, 700.0 * 7);
    const Event* e = find_event(r, sim, "zone:ZC", EventKind::kServiceLost,
                                static_cast<int>(Service::kRoadAccess));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->time_s, 3600);
    ASSERT_EQ(e->chain.size(), 3u);
    EXPECT_EQ(e->chain[1], "road_node:C function_lost: no open road to a hospital");
    EXPECT_EQ(e->chain[2].rfind("road_link:BC damaged: closed", 0), 0u) << e->chain[2];
    EXPECT_EQ(find_event(r, sim, "zone:ZB", EventKind::kServiceLost), nullptr);
}

// The access threshold: B is 100 s from the hospital, C 200 s (1 km links at 10 m/s); with a
// limit of 2 min C is out of reach from the start and B stays within.
TEST(Cascade, AccessBeyondTheTravelTimeLimitCountsAsLost) {
    const model::City city = road_city();
    const Simulation sim(city, scenario("[service]\nroad_access_minutes = 4\n"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto& served = r.served_population[static_cast<int>(Service::kRoadAccess)];
    EXPECT_DOUBLE_EQ(served[0], 1000.0); // 200 s < 4 min
    const Simulation tight(city, scenario("[service]\nroad_access_minutes = 2\n"));
    const RealizationResult r2 = tight.run(0, DispatchPolicy::kCriticalFirst, true);
    EXPECT_DOUBLE_EQ(r2.served_population[static_cast<int>(Service::kRoadAccess)][0], 300.0);
    const Event* e = find_event(r2, tight, "zone:ZC", EventKind::kServiceLost);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->detail, "nearest hospital 3 min > 2 min");
}

// A mobile generator reaches the hospital: with one generator the hospital keeps power after
// its own 2 h backup (the generator arrives before the backup runs out).
TEST(Cascade, MobileGeneratorKeepsTheHospitalPowered) {
    const model::City city = water_power_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["power_branch:1"]
[recovery]
mobile_generators = 1
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto h1 = facility_index(city, "H1");
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[h1][static_cast<int>(Service::kPower)], 0.0);
    // The zone has no generator: it stays without power all along.
    EXPECT_DOUBLE_EQ(hours_without(sim, r, Service::kPower), 8.0);
}

TEST(Cascade, PoliciesReplayTheSameDamage) {
    const model::City city = water_power_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "random_failures"
layer = "water_link"
count = 1
)"));
    for (std::int32_t real = 0; real < 5; ++real) {
        const auto a = sim.run(real, DispatchPolicy::kCriticalFirst, false);
        const auto b = sim.run(real, DispatchPolicy::kMostPeoplePerCrewHour, false);
        EXPECT_EQ(a.first_damage, b.first_damage);
    }
}

} // namespace
} // namespace rencheng::sim
