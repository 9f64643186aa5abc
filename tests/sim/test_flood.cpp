// Rainstorm scenarios that read like tables: a design storm through a small storm-drain network
// floods streets; the water closes a road, drowns a substation, and a pump that loses power lets
// a second street flood — with the cause of each loss. Plus the flood-impact functions on their
// own (street depth, depth–speed, nearest node).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "city_builders.hpp"
#include "drainage/flood.hpp"
#include "drainage/swmm_inp.hpp"
#include "power/matpower.hpp"
#include "sim/ensemble.hpp"
#include "sim/simulation.hpp"

namespace rencheng::sim {
namespace {

using model::Service;
using testing::dep;
using testing::facility;
using testing::zone;

// ---- the flood-impact functions ----------------------------------------------------------------

TEST(StreetFlood, PondedVolumeSpreadsOverThePondedAreaWithAFloorAndACap) {
    const drainage::StreetFloodOptions o{100.0, 3.0};
    // | V m³ | A m² | depth m | why                     |
    // | 500  | 1000 | 0.5     | V / A                   |
    // | 50   | 0    | 0.5     | the 100 m² floor        |
    // | 9000 | 1000 | 3.0     | capped                  |
    // | 0    | 1000 | 0       | nothing ponded          |
    EXPECT_DOUBLE_EQ(drainage::ponded_street_depth_m(500.0, 1000.0, o), 0.5);
    EXPECT_DOUBLE_EQ(drainage::ponded_street_depth_m(50.0, 0.0, o), 0.5);
    EXPECT_DOUBLE_EQ(drainage::ponded_street_depth_m(9000.0, 1000.0, o), 3.0);
    EXPECT_DOUBLE_EQ(drainage::ponded_street_depth_m(0.0, 1000.0, o), 0.0);
    EXPECT_DOUBLE_EQ(drainage::ponded_street_depth_m(-5.0, 1000.0, o), 0.0);
}

TEST(RoadFlood, PregnolatoSpeedAndClosureAtThirtyCentimetres) {
    // Pregnolato et al. 2017: v = 0.0009 w² − 0.5529 w + 86.9448 (w in mm).
    EXPECT_NEAR(drainage::flooded_speed_km_h(0.0), 86.9448, 1e-12);
    EXPECT_NEAR(drainage::flooded_speed_km_h(0.1), 0.0009 * 1e4 - 55.29 + 86.9448, 1e-9);
    EXPECT_DOUBLE_EQ(drainage::flooded_speed_km_h(0.3), 0.0);
    // A 50 km/h street: dry → 1; 10 cm → 40.65/50; 29 cm → slow but open; 30 cm → closed.
    const double free = 50.0 / 3.6;
    EXPECT_DOUBLE_EQ(drainage::road_flood_effect(0.0, free).speed_factor, 1.0);
    const auto e10 = drainage::road_flood_effect(0.1, free);
    EXPECT_NEAR(e10.speed_factor, (0.0009 * 1e4 - 55.29 + 86.9448) / 50.0, 1e-9);
    EXPECT_FALSE(e10.closed);
    const auto e29 = drainage::road_flood_effect(0.29, free);
    EXPECT_FALSE(e29.closed);
    EXPECT_GT(e29.speed_factor, 0.0);
    EXPECT_LT(e29.speed_factor, 0.1);
    const auto e30 = drainage::road_flood_effect(0.30, free);
    EXPECT_TRUE(e30.closed);
    EXPECT_DOUBLE_EQ(e30.speed_factor, 0.0);
    // A slow lane (20 km/h) keeps its own speed in 5 cm of water (the curve allows 60 km/h).
    EXPECT_DOUBLE_EQ(drainage::road_flood_effect(0.05, 20.0 / 3.6).speed_factor, 1.0);
}

// A street catchment S1 drains to J1, which a 0.5 m pipe C1 joins to J2; S2 drains to J2, which
// a 1 m pipe joins to the wet well WW; pump P1 (2 m³/s) lifts WW to the river outfall O1.
// J1 floods in a 50-year storm (C1 is far too small); J2 stays dry while the pump runs.
constexpr const char* kDrainageInp = R"([TITLE]
Flood test network
[OPTIONS]
FLOW_UNITS CMS
INFILTRATION HORTON
FLOW_ROUTING DYNWAVE
START_DATE 01/01/2026
START_TIME 00:00:00
END_DATE 01/01/2026
END_TIME 08:00:00
REPORT_STEP 00:05:00
WET_STEP 00:01:00
DRY_STEP 00:05:00
ROUTING_STEP 5
[RAINGAGES]
G1 INTENSITY 0:05 1.0 TIMESERIES NONE
[SUBCATCHMENTS]
S1 G1 J1 3 90 300 1 0
S2 G1 J2 3 90 300 1 0
[SUBAREAS]
S1 0.013 0.1 1 3 0 OUTLET
S2 0.013 0.1 1 3 0 OUTLET
[INFILTRATION]
S1 76 13 4 7 0
S2 76 13 4 7 0
[JUNCTIONS]
J1 10 2 0 0 1000
J2 9 3 0 0 1000
[OUTFALLS]
O1 12 FREE
[STORAGE]
WW 4 20 0 FUNCTIONAL 0 0 60 0 0
[CONDUITS]
C1 J1 J2 200 0.013 0 0 0 0
C2 J2 WW 100 0.013 0 0 0 0
[PUMPS]
P1 WW O1 PC1 ON 0 0
[XSECTIONS]
C1 CIRCULAR 0.5 0 0 0 1
C2 CIRCULAR 1.0 0 0 0 1
[CURVES]
PC1 PUMP2 0 2.0
PC1 10 2.0
[TIMESERIES]
NONE 0:00 0
[COORDINATES]
J1 114.300 30.600
J2 114.310 30.600
WW 114.3125 30.600
O1 114.313 30.600
)";

// Bus 1: the in-feed; bus 2: a 10 kV substation 29 m from J1; bus 3: the pump station's
// substation, far from any street node.
constexpr const char* kPowerCase = R"(function mpc = three_bus
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	110	1	1.1	0.9;
	2	1	5	1	0	0	1	1	0	10	1	1.1	0.9;
	3	1	1	0.2	0	0	1	1	0	10	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	100	-100	1	100	1	100	0	0	0	0	0	0	0	0	0	0	0	0;
];
mpc.branch = [
	1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;
	1	3	0.01	0.1	0	0	0	0	0	0	1	-360	360;
];
)";

// Roads: A (at J1) —L1— B —L2— C (the hospital). Only L1 has a street node within 100 m.
model::City flood_city() {
    model::City city;
    city.info.name = "Flood test city";
    city.info.extent = {114.2, 30.5, 114.4, 30.7};
    Diagnostics d;
    city.drainage = drainage::parse_swmm_inp(kDrainageInp, "flood.inp", d);
    city.power = power::parse_matpower(kPowerCase, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    city.power_buses = {{1, {114.35, 30.65}, "supply_220kv", "in-feed", 0},
                        {2, {114.3003, 30.600}, "substation_10kv", "S2", 0},
                        {3, {114.36, 30.65}, "substation_10kv", "S3", 0}};
    transport::RoadNetwork r;
    r.add_node("A", {114.300, 30.600});
    r.add_node("B", {114.305, 30.600});
    r.add_node("C", {114.320, 30.600});
    auto link = [&](const std::string& id, int from, int to, double length_m) {
        r.link_id.push_back(id);
        r.link_from.push_back(from);
        r.link_to.push_back(to);
        r.link_class.push_back(transport::RoadClass::kLocal);
        r.length_m.push_back(length_m);
        r.free_speed_ms.push_back(50.0 / 3.6);
        r.capacity_vehh.push_back(800);
        r.lanes.push_back(1);
        r.oneway.push_back(0);
        r.bridge.push_back(0);
        r.tunnel.push_back(0);
        r.link_name.push_back("");
        r.link_geometry.push_back({r.node_position[from], r.node_position[to]});
        r.link_source_line.push_back(0);
    };
    link("L1", 0, 1, 480.0);
    link("L2", 1, 2, 1440.0);
    r.build_graph();
    city.roads = std::move(r);
    city.facilities = {facility("H1", model::FacilityKind::kHospital, {114.320, 30.600}),
                       facility("D1", model::FacilityKind::kDepot, {114.305, 30.600})};
    city.zones = {zone("Z1", 1000, {114.300, 30.600}), zone("Z2", 2000, {114.310, 30.600})};
    city.dependencies = {dep("drainage_link:P1", Service::kPower, "power_bus:3"),
                         dep("zone:Z1", Service::kPower, "power_bus:2"),
                         dep("zone:Z1", Service::kRoadAccess, "road_node:A"),
                         dep("facility:H1", Service::kRoadAccess, "road_node:C")};
    city.index_assets();
    return city;
}

Scenario scenario(const std::string& body) {
    Diagnostics d;
    Scenario s = parse_scenario("[scenario]\ncity = \".\"\nhorizon_h = 8\nstep_min = 15\n"
                                "realizations = 2\n" +
                                    body,
                                "/tmp/flood-test.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
}

constexpr const char* kStorm = R"(
[[hazard]]
type = "rainstorm"
city = "shanghai"
return_period_years = 50
duration_h = 3
hyetograph = "chicago"
peak_ratio = 0.405
step_min = 5
time_h = 0
)";

void dump(const RealizationResult& r, const Simulation& sim) {
    if (std::getenv("FLOOD_DUMP") == nullptr)
        return;
    for (const auto& e : r.events) {
        std::printf("%6lld %-24s %-18s %d %s\n", static_cast<long long>(e.time_s),
                    sim.asset_name(e.asset).c_str(), std::string(event_kind_name(e.kind)).c_str(),
                    e.service, e.detail.c_str());
        for (const auto& c : e.chain)
            std::printf("        | %s\n", c.c_str());
    }
    std::printf("max street %.3f, flood volume %.1f, solves %d, cont %.3f\n", r.max_street_flood_m,
                r.drainage_flood_volume_m3, r.drainage_solves, r.max_drainage_continuity_pct);
}

const Event* find_event(const RealizationResult& r, const Simulation& sim, const std::string& asset,
                        EventKind kind, int service = -1) {
    for (const auto& e : r.events)
        if (e.kind == kind && sim.asset_name(e.asset) == asset &&
            (service < 0 || e.service == service))
            return &e;
    return nullptr;
}

TEST(StreetFlood, NodeDepthAboveTheRimIsPondedWater) {
    Diagnostics d;
    auto net = drainage::parse_swmm_inp(kDrainageInp, "flood.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    drainage::enable_street_ponding(net, {100.0, 3.0});
    EXPECT_TRUE(net.options.allow_ponding);
    const drainage::StreetFlood street(net, {100.0, 3.0});
    const auto j1 = net.find_node("J1").value(), o1 = net.find_node("O1").value();
    EXPECT_DOUBLE_EQ(street.full_depth_m(j1), 2.0);
    EXPECT_TRUE(street.ponds(j1));
    EXPECT_DOUBLE_EQ(street.depth_m(j1, 1.5), 0.0);         // below the rim
    EXPECT_DOUBLE_EQ(street.depth_m(j1, 2.42), 2.42 - 2.0); // (y − y_full)·A / A
    EXPECT_DOUBLE_EQ(street.depth_m(j1, 9.0), 3.0);         // capped
    EXPECT_DOUBLE_EQ(street.depth_m(o1, 5.0), 0.0);         // an outfall is no street
    // Nearest street node: J1 for a point 29 m away, nothing within 20 m of it, never WW or O1.
    const drainage::NodeLocator locate(net);
    EXPECT_EQ(locate.nearest({114.3003, 30.600}, 100.0), j1);
    EXPECT_EQ(locate.nearest({114.3003, 30.600}, 20.0), -1);
    EXPECT_EQ(locate.nearest({114.3110, 30.600}, 500.0), net.find_node("J2").value());
}

// ---- drainage → road ---------------------------------------------------------------------------

// | asset         | service     | lost while                       | because                    |
// | road_link:L1  | (function)  | J1's street water ≥ 0.30 m       | flooded                    |
// | zone:Z1       | road_access | the same steps                   | L1 closed by the flood     |
// | zone:Z1       | drainage    | J1's street water > 0.15 m       | J1 flooded                 |
TEST(Flood, StreetWaterClosesTheRoadAndCutsAccessToTheHospital) {
    const model::City city = flood_city();
    const Simulation sim(city, scenario(kStorm));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    dump(r, sim);
    const int access = static_cast<int>(Service::kRoadAccess);
    const int drain = static_cast<int>(Service::kDrainage);
    EXPECT_GT(r.max_street_flood_m, 0.3);
    EXPECT_EQ(r.flooded_road_links, 1); // L1 only
    EXPECT_EQ(r.drainage_solves, 0);    // no pump lost power: the shared run serves
    const Event* closed = find_event(r, sim, "road_link:L1", EventKind::kFunctionLost);
    ASSERT_NE(closed, nullptr);
    EXPECT_EQ(closed->detail.rfind("flooded ", 0), 0u) << closed->detail;
    EXPECT_EQ(find_event(r, sim, "road_link:L2", EventKind::kFunctionLost), nullptr);
    const Event* lost = find_event(r, sim, "zone:Z1", EventKind::kServiceLost, access);
    ASSERT_NE(lost, nullptr);
    EXPECT_EQ(lost->time_s, closed->time_s);
    ASSERT_GE(lost->chain.size(), 3u);
    EXPECT_EQ(lost->chain[0], "zone:Z1 service_lost road_access");
    EXPECT_EQ(lost->chain[1], "road_node:A function_lost: no open road to a hospital");
    EXPECT_EQ(lost->chain[2].rfind("road_link:L1 function_lost: flooded ", 0), 0u)
        << lost->chain[2];
    // The water recedes within the horizon: the road opens and access comes back with it.
    const Event* open = find_event(r, sim, "road_link:L1", EventKind::kFunctionRestored);
    ASSERT_NE(open, nullptr);
    const Event* back = find_event(r, sim, "zone:Z1", EventKind::kServiceRestored, access);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->time_s, open->time_s);
    EXPECT_GT(open->time_s, closed->time_s);
    // Hours without access = the closure, to the step.
    const double hours = static_cast<double>(open->time_s - closed->time_s) / 3600.0;
    EXPECT_NEAR(population_hours_lost(sim, r)[access], 1000.0 * hours, 1e-9);
    // Z1 loses drainage (J1 > 0.15 m) at or before the road closes (0.30 m), and Z2 never does.
    const Event* dz1 = find_event(r, sim, "zone:Z1", EventKind::kServiceLost, drain);
    ASSERT_NE(dz1, nullptr);
    EXPECT_LE(dz1->time_s, closed->time_s);
    EXPECT_EQ(dz1->chain.back().rfind("drainage_node:J1 function_lost: flooded ", 0), 0u)
        << dz1->chain.back();
    EXPECT_EQ(find_event(r, sim, "zone:Z2", EventKind::kServiceLost, drain), nullptr);
    // Continuity of the drainage run as SWMM reports it.
    EXPECT_LT(r.max_drainage_continuity_pct, 1.0);
}

// ---- drainage → substation ---------------------------------------------------------------------

// | asset        | service | lost from                 | for      | because                      |
// | power_bus:2  | —       | J1's water > 0.5 m        | 6 h      | flooded x m > 0.50 m         |
// | zone:Z1      | power   | the same step             | 6 h      | bus 2 out of service         |
TEST(Flood, WaterAboveThePlinthDrownsTheSubstationAndItsZoneLosesPower) {
    const model::City city = flood_city();
    const Simulation sim(city, scenario(std::string(kStorm) + R"(
[recovery.repair_hours]
"power_bus.failed" = [2, 0]
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const int power = static_cast<int>(Service::kPower);
    const Event* dmg = find_event(r, sim, "power_bus:2", EventKind::kDamaged);
    ASSERT_NE(dmg, nullptr);
    EXPECT_EQ(dmg->detail.rfind("flooded ", 0), 0u) << dmg->detail;
    EXPECT_NE(dmg->detail.find(" m > 0.50 m (rainstorm)"), std::string::npos) << dmg->detail;
    // the depth it names is above the threshold
    EXPECT_GT(std::stod(dmg->detail.substr(8)), 0.5);
    const Event* lost = find_event(r, sim, "zone:Z1", EventKind::kServiceLost, power);
    ASSERT_NE(lost, nullptr);
    EXPECT_EQ(lost->time_s, dmg->time_s);
    ASSERT_EQ(lost->chain.size(), 2u);
    EXPECT_EQ(lost->chain[0], "zone:Z1 service_lost power");
    EXPECT_EQ(lost->chain[1], "power_bus:2 damaged: " + dmg->detail);
    // No crew in this scenario: bus 2 stays out to the end of the horizon.
    EXPECT_EQ(find_event(r, sim, "power_bus:2", EventKind::kRepaired), nullptr);
    const double hours = static_cast<double>(8 * 3600 - lost->time_s) / 3600.0;
    EXPECT_NEAR(population_hours_lost(sim, r)[power], 1000.0 * hours, 1e-9);
    // The root of the lost power is the drowned bus.
    bool found = false;
    for (const auto& rl : r.root_losses)
        if (rl.service == power) {
            EXPECT_EQ(sim.asset_name(rl.root), "power_bus:2");
            found = true;
        }
    EXPECT_TRUE(found);
    // The pump's substation (bus 3) is dry and keeps the pump running.
    EXPECT_EQ(find_event(r, sim, "power_bus:3", EventKind::kDamaged), nullptr);
    EXPECT_EQ(r.drainage_solves, 0);
}

// ---- power → drainage pump
// -----------------------------------------------------------------------

// | asset             | service  | lost from | because                                    |
// | drainage_link:P1  | —        | 0:30      | no power ← bus 3 failed                    |
// | zone:Z2           | drainage | later     | J2 flooded ← P1 stopped ← bus 3            |
TEST(Flood, APumpWithoutPowerLetsTheSecondStreetFlood) {
    const model::City city = flood_city();
    const std::string outage = R"(
[[hazard]]
type = "failure"
assets = ["power_bus:3"]
time_h = 0.5
)";
    const Simulation dry(city, scenario(kStorm));
    const Simulation wet(city, scenario(std::string(kStorm) + outage));
    const int drain = static_cast<int>(Service::kDrainage);
    const RealizationResult a = dry.run(0, DispatchPolicy::kCriticalFirst, true);
    const RealizationResult b = wet.run(0, DispatchPolicy::kCriticalFirst, true);
    dump(a, dry);
    dump(b, wet);
    // With the pump: Z2 keeps its drainage. Without: J2 floods and Z2 loses it.
    EXPECT_EQ(find_event(a, dry, "zone:Z2", EventKind::kServiceLost, drain), nullptr);
    EXPECT_EQ(b.drainage_solves, 1); // one rerun: the pump stops at 0:30 and never restarts
    const Event* stop = find_event(b, wet, "drainage_link:P1", EventKind::kFunctionLost);
    ASSERT_NE(stop, nullptr);
    EXPECT_EQ(stop->time_s, 1800);
    const Event* lost = find_event(b, wet, "zone:Z2", EventKind::kServiceLost, drain);
    ASSERT_NE(lost, nullptr);
    EXPECT_GT(lost->time_s, 1800);
    ASSERT_EQ(lost->chain.size(), 4u);
    EXPECT_EQ(lost->chain[0], "zone:Z2 service_lost drainage");
    EXPECT_EQ(lost->chain[1].rfind("drainage_node:J2 function_lost: flooded ", 0), 0u)
        << lost->chain[1];
    EXPECT_EQ(lost->chain[2], "drainage_link:P1 function_lost: no power");
    EXPECT_EQ(lost->chain[3].rfind("power_bus:3 damaged: failed", 0), 0u) << lost->chain[3];
    // The streets stand deeper without the pump; the ponded water stays in the model (nothing
    // is lost from the system: the wet well's rim is above the streets).
    EXPECT_GT(b.max_street_flood_m, a.max_street_flood_m + 0.5);
    EXPECT_DOUBLE_EQ(a.drainage_flood_volume_m3, 0.0);
    EXPECT_DOUBLE_EQ(b.drainage_flood_volume_m3, 0.0);
    // Deep ponding behind a stopped pump costs the routing continuity: the same model run with
    // the pump OFF from the start (no coupling, `rencheng drainage solve`) reports 3.67 %.
    EXPECT_LT(b.max_drainage_continuity_pct, 5.0);
    // The extra lost drainage-hours are the pump's doing (Z2's).
    EXPECT_GT(population_hours_lost(wet, b)[drain], population_hours_lost(dry, a)[drain] + 1.0);
}

// ---- Monte Carlo
// ---------------------------------------------------------------------------------

TEST(Flood, SameNumbersForOneAndTwoThreads) {
    const model::City city = flood_city();
    const Simulation sim(city, scenario(std::string(kStorm) + R"(
[[hazard]]
type = "failure"
assets = ["power_bus:3"]
time_h = 0.5
[[recovery.crews]]
depot = "facility:D1"
skill = "power"
)"));
    EnsembleOptions one, two;
    one.threads = 1;
    two.threads = 2;
    const EnsembleResult a = run_ensemble(sim, one), b = run_ensemble(sim, two);
    ASSERT_EQ(a.realizations.size(), 2u);
    ASSERT_EQ(b.realizations.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& x = a.realizations[i];
        const auto& y = b.realizations[i];
        EXPECT_EQ(x.served_population, y.served_population);
        EXPECT_EQ(x.downtime_h, y.downtime_h);
        EXPECT_EQ(x.drainage_solves, y.drainage_solves);
        EXPECT_EQ(x.drainage_flood_volume_m3, y.drainage_flood_volume_m3);
        EXPECT_EQ(x.max_street_flood_m, y.max_street_flood_m);
        EXPECT_EQ(population_hours_lost(sim, x), population_hours_lost(sim, y));
    }
}

// ---- scenario keys
// -------------------------------------------------------------------------------

TEST(FloodScenario, BadRainstormKeysNameTheirLine) {
    Diagnostics d;
    parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "rainstorm"
city = "atlantis"
return_period_years = 50
hyetograph = "triangle"
step_min = 7
)",
                   "/tmp/bad.toml", d);
    const std::string text = d.format();
    EXPECT_NE(text.find("bad.toml:5"), std::string::npos) << text; // city
    EXPECT_NE(text.find("atlantis"), std::string::npos) << text;
    EXPECT_NE(text.find("bad.toml:7"), std::string::npos) << text; // hyetograph
    EXPECT_NE(text.find("bad.toml:8"), std::string::npos) << text; // step_min must divide 3 h
    Diagnostics d2;
    parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "rainstorm"
return_period_years = 50
)",
                   "/tmp/none.toml", d2);
    EXPECT_TRUE(d2.has_errors());
    EXPECT_NE(d2.format().find("city"), std::string::npos) << d2.format();
    Diagnostics d3;
    parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "rainstorm"
city = "shanghai"
return_period_years = 500
)",
                   "/tmp/range.toml", d3);
    EXPECT_NE(d3.format().find("range.toml:6"), std::string::npos) << d3.format();
}

TEST(FloodScenario, ARainstormNeedsADrainageNetwork) {
    model::City city = flood_city();
    city.drainage.reset();
    city.index_assets();
    const Scenario s = scenario(kStorm);
    Diagnostics d;
    check_scenario_against_city(s, city, d);
    EXPECT_TRUE(d.has_errors());
    EXPECT_NE(d.format().find("drainage"), std::string::npos) << d.format();
}

} // namespace
} // namespace rencheng::sim
