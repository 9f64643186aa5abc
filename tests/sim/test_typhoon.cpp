// Typhoon scenarios that read like tables: the wind brings down the poles of a 10 kV feeder and
// the hospital and the district behind it lose power; the storm surge raises the outfall stage
// so street water stands deeper than under the rain alone; wind, rain and surge in one run give
// the same numbers for one and two threads; bad typhoon keys name their line.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "city_builders.hpp"
#include "drainage/swmm_inp.hpp"
#include "power/matpower.hpp"
#include "sim/ensemble.hpp"
#include "sim/simulation.hpp"
#include "sim/typhoon.hpp"

namespace rencheng::sim {
namespace {

using model::Service;
using testing::dep;
using testing::facility;
using testing::zone;

// Streets J1 (rim 12 m) and J2 (rim 11 m) drain by gravity through C1 and C2 to the river
// outfall O1 (invert 8 m, no flap gate). A river stage above 11 m backs up into J2's street.
constexpr const char* kDrainageInp = R"([TITLE]
Typhoon test network
[OPTIONS]
FLOW_UNITS CMS
INFILTRATION HORTON
FLOW_ROUTING DYNWAVE
START_DATE 01/01/2026
START_TIME 00:00:00
END_DATE 01/01/2026
END_TIME 12:00:00
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
J2 9 2 0 0 1000
[OUTFALLS]
O1 8 FREE NO
[CONDUITS]
C1 J1 J2 200 0.013 0 0 0 0
C2 J2 O1 100 0.013 0 0 0 0
[XSECTIONS]
C1 CIRCULAR 0.8 0 0 0 1
C2 CIRCULAR 1.2 0 0 0 1
[TIMESERIES]
NONE 0:00 0
[COORDINATES]
J1 114.300 30.600
J2 114.302 30.600
O1 114.303 30.600
)";

// Bus 1: the 110 kV in-feed and bus 2 its 10 kV busbar (one substation site); bus 3: a feeder
// section's load point 1.9 km east, fed by the 10 kV overhead line 2–3 (branch 2).
constexpr const char* kPowerCase = R"(function mpc = typhoon_case
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
	1	3	0	0	0	0	1	1	0	110	1	1.1	0.9;
	2	1	0	0	0	0	1	1	0	10	1	1.1	0.9;
	3	1	2	0.5	0	0	1	1	0	10	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	100	-100	1	100	1	100	0	0	0	0	0	0	0	0	0	0	0	0;
];
mpc.branch = [
	1	2	0.001	0.05	0	0	0	0	1	0	1	-360	360;
	2	3	0.01	0.02	0	0	0	0	0	0	1	-360	360;
];
)";

model::City typhoon_city() {
    model::City city;
    city.info.name = "Typhoon test city";
    city.info.extent = {114.2, 30.5, 114.5, 30.7};
    Diagnostics d;
    city.drainage = drainage::parse_swmm_inp(kDrainageInp, "typhoon.inp", d);
    city.power = power::parse_matpower(kPowerCase, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    city.power_buses = {{1, {114.35, 30.65}, "supply_220kv", "in-feed", 0},
                        {2, {114.35, 30.65}, "substation_10kv", "S2", 0},
                        {3, {114.37, 30.65}, "load_10kv", "F1", 0}};
    city.facilities = {facility("H1", model::FacilityKind::kHospital, {114.37, 30.65}),
                       facility("D1", model::FacilityKind::kDepot, {114.35, 30.65})};
    city.zones = {zone("Z1", 1000, {114.301, 30.600}), zone("Z2", 3000, {114.37, 30.65})};
    city.dependencies = {dep("facility:H1", Service::kPower, "power_bus:3", 2.0),
                         dep("zone:Z2", Service::kPower, "power_bus:3")};
    city.index_assets();
    return city;
}

Scenario scenario(const std::string& body, Diagnostics* diags = nullptr) {
    Diagnostics d;
    Scenario s = parse_scenario("[scenario]\ncity = \".\"\nhorizon_h = 12\nstep_min = 15\n"
                                "realizations = 2\n" +
                                    body,
                                "/tmp/typhoon-test.toml", diags != nullptr ? *diags : d);
    if (diags == nullptr) {
        EXPECT_FALSE(d.has_errors()) << d.format();
    }
    return s;
}

// A super typhoon (925 hPa, Rm 30 km) heading north along 114.36 E: its centre passes the
// feeder at 6 h, 1 km to its west. `lon` moves the whole track.
std::string typhoon(double lon = 114.36, const char* keys = "") {
    char buf[800];
    std::snprintf(buf, sizeof buf, R"(
[[hazard]]
type = "typhoon"
label = "Typhoon T"
label_zh = "台风 T"
%s
[[hazard.track]]
time_h = 0
lon = %.4f
lat = 29.65
central_pressure_hpa = 925
rmw_km = 30
[[hazard.track]]
time_h = 12
lon = %.4f
lat = 31.65
central_pressure_hpa = 925
rmw_km = 30
)",
                  keys, lon, lon);
    return buf;
}

constexpr const char* kRain = R"(
[hazard.rain]
city = "shanghai"
return_period_years = 50
duration_h = 3
step_min = 5
time_h = 3
)";

constexpr const char* kSurge = R"(
[hazard.surge]
peak_m = 4.0
peak_offset_h = 0
duration_h = 8
)";

constexpr const char* kCrewsAndHardSubstation = R"(
[[recovery.crews]]
depot = "facility:D1"
skill = "power"
[[intervention]]
type = "harden"
asset = "power_bus:1"
)";

void dump(const RealizationResult& r, const Simulation& sim) {
    if (std::getenv("TYPHOON_DUMP") == nullptr)
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

// ---- wind → pole → feeder → hospital -----------------------------------------------------------

// | asset           | what                      | when            | because | | power_branch:2  |
// damaged: failed, poles    | its peak gust   | gust > 50 m/s on 39 poles      | | power_bus:3 |
// function_lost: no power   | the same step   | branch 2 down                  | | zone:Z2 |
// service_lost power        | the same step   | ← bus 3 ← branch 2             | | facility:H1 |
// service_lost power        | 2 h later       | generator's 2 h ran out        |
TEST(Typhoon, WindBringsDownFeederPolesAndTheHospitalLosesPowerAfterItsBackup) {
    const model::City city = typhoon_city();
    const Simulation sim(city, scenario(typhoon() + kCrewsAndHardSubstation));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    dump(r, sim);
    const int power = static_cast<int>(Service::kPower);
    const Event* down = find_event(r, sim, "power_branch:2", EventKind::kDamaged);
    ASSERT_NE(down, nullptr);
    // 1.9 km of overhead line at 50 m spans: 39 poles; the gust near the eye wall is above the
    // poles' 45 m/s median, so many are down.
    EXPECT_NE(down->detail.find(" of 39 poles down, gust "), std::string::npos) << down->detail;
    EXPECT_NE(down->detail.find("Typhoon T"), std::string::npos) << down->detail;
    EXPECT_NE(down->detail_zh.find("根电杆倒断"), std::string::npos) << down->detail_zh;
    EXPECT_GT(down->time_s, 4 * 3600); // the eye wall passes between 4 and 8 h
    EXPECT_LT(down->time_s, 8 * 3600);
    // The substation was hardened and the transformer is not exposed: only the line fails.
    EXPECT_EQ(find_event(r, sim, "power_bus:1", EventKind::kDamaged), nullptr);
    EXPECT_EQ(find_event(r, sim, "power_branch:1", EventKind::kDamaged), nullptr);
    const Event* z2 = find_event(r, sim, "zone:Z2", EventKind::kServiceLost, power);
    ASSERT_NE(z2, nullptr);
    EXPECT_GE(z2->time_s, down->time_s);
    EXPECT_LT(z2->time_s, down->time_s + 15 * 60); // the step the line fell in
    ASSERT_GE(z2->chain.size(), 3u);
    EXPECT_EQ(z2->chain[0], "zone:Z2 service_lost power");
    EXPECT_EQ(z2->chain[1].rfind("power_bus:3 function_lost", 0), 0u) << z2->chain[1];
    EXPECT_EQ(z2->chain.back().rfind("power_branch:2 damaged: failed (", 0), 0u)
        << z2->chain.back();
    // The hospital runs on its generator for 2 h, then loses power for the same cause.
    const Event* h1 = find_event(r, sim, "facility:H1", EventKind::kServiceLost, power);
    ASSERT_NE(h1, nullptr);
    EXPECT_EQ(h1->time_s, z2->time_s + 2 * 3600);
    EXPECT_EQ(h1->chain.back(), z2->chain.back());
    // Tens of poles at 6 h each (one crew): no repair within the 12 h horizon.
    EXPECT_EQ(find_event(r, sim, "power_branch:2", EventKind::kRepaired), nullptr);
    EXPECT_EQ(r.damaged_per_layer[static_cast<int>(Layer::kPowerBranch)], 1);
}

TEST(Typhoon, AFarTrackBringsNothingDown) {
    const model::City city = typhoon_city();
    const Simulation sim(city, scenario(typhoon(124.36) + kCrewsAndHardSubstation)); // ~950 km
    for (int k = 0; k < 2; ++k) {
        const RealizationResult r = sim.run(k, DispatchPolicy::kCriticalFirst, true);
        EXPECT_EQ(find_event(r, sim, "power_branch:2", EventKind::kDamaged), nullptr);
        EXPECT_EQ(find_event(r, sim, "zone:Z2", EventKind::kServiceLost), nullptr);
    }
}

TEST(Typhoon, UndergroundFeedersAreNotExposed) {
    const model::City city = typhoon_city();
    const Simulation sim(
        city, scenario(typhoon(114.36, "overhead_fraction = 0") + kCrewsAndHardSubstation));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    EXPECT_EQ(find_event(r, sim, "power_branch:2", EventKind::kDamaged), nullptr);
}

// ---- surge → outfall stage → street water ------------------------------------------------------

// | run            | O1 stage            | J2's street water              |
// | rain           | free outfall        | the rain's                     |
// | rain + surge   | 8 m + 4 m at 6 h    | deeper: the river backs up     |
TEST(Typhoon, SurgeRaisesTheOutfallStageAndTheStreetsFloodDeeper) {
    const model::City city = typhoon_city();
    const Simulation rain(city, scenario(typhoon() + kRain + kCrewsAndHardSubstation));
    const Simulation both(city, scenario(typhoon() + kRain + kSurge + kCrewsAndHardSubstation));
    const RealizationResult a = rain.run(0, DispatchPolicy::kCriticalFirst, true);
    const RealizationResult b = both.run(0, DispatchPolicy::kCriticalFirst, true);
    dump(b, both);
    // Under the 50-year rain the pipes carry it; with the river 4 m up, 3 m above J2's invert
    // and 1 m above its rim, water backs up onto the street.
    EXPECT_LT(a.max_street_flood_m, 0.3);
    EXPECT_GT(b.max_street_flood_m, a.max_street_flood_m + 0.5)
        << a.max_street_flood_m << " vs " << b.max_street_flood_m;
    // Z1 is judged at its most flood-prone node and loses drainage only with the surge.
    const int drain = static_cast<int>(Service::kDrainage);
    const Event* lost = find_event(b, both, "zone:Z1", EventKind::kServiceLost, drain);
    ASSERT_NE(lost, nullptr);
    EXPECT_GT(lost->time_s, 3 * 3600); // the surge rises from 2 h, over the rim after 4 h
    EXPECT_NE(lost->detail.find(""), std::string::npos);
    // Continuity of the drainage run with the surge boundary.
    EXPECT_LT(b.max_drainage_continuity_pct, 2.0);
}

TEST(Typhoon, SurgeBoundaryFollowsTheHydrograph) {
    const model::City city = typhoon_city();
    const Scenario s = scenario(typhoon() + kSurge);
    drainage::Network net = *city.drainage;
    const double highest = put_surge_at_outfalls(net, s.hazards[0], 6 * 3600, 12 * 3600, 600);
    EXPECT_NEAR(highest, 12.0, 1e-12); // invert 8 m + 4 m
    ASSERT_EQ(net.outfalls.type[0], drainage::OutfallType::kTimeSeries);
    const auto& ts = net.series[net.outfalls.stage_series[0].idx()];
    EXPECT_EQ(ts.usage, drainage::SeriesUsage::kStage);
    for (std::size_t i = 0; i < ts.time_s.size(); ++i) {
        const double h = ts.time_s[i] / 3600.0;
        const double expect = std::abs(h - 6.0) < 4.0
                                  ? 8.0 + 4.0 * std::pow(std::cos(M_PI * (h - 6.0) / 8.0), 2)
                                  : 8.0;
        EXPECT_NEAR(ts.value[i], expect, 1e-9) << h;
    }
}

// ---- Monte Carlo -------------------------------------------------------------------------------

TEST(Typhoon, CompoundWindRainSurgeSameNumbersForOneAndTwoThreads) {
    const model::City city = typhoon_city();
    const Simulation sim(city, scenario(typhoon() + kRain + kSurge + kCrewsAndHardSubstation));
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
        EXPECT_EQ(x.first_damage, y.first_damage);
        EXPECT_EQ(x.max_street_flood_m, y.max_street_flood_m);
        EXPECT_EQ(x.drainage_flood_volume_m3, y.drainage_flood_volume_m3);
        EXPECT_EQ(population_hours_lost(sim, x), population_hours_lost(sim, y));
        // wind and water in the same run: the feeder is down and the streets are wet
        EXPECT_NE(x.first_damage[static_cast<std::size_t>(sim.find_asset("power_branch:2"))],
                  DamageLevel::kNone);
        EXPECT_GT(x.max_street_flood_m, 0.3);
    }
}

// ---- scenario keys -----------------------------------------------------------------------------

TEST(TyphoonScenario, BadKeysNameTheirLine) {
    Diagnostics d;
    parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "typhoon"
gusts = 1.4
overhead_fraction = 2
[[hazard.track]]
time_h = 0
lon = 114
lat = 22
central_pressure_hpa = 930
rmw_km = 30
[[hazard.track]]
time_h = 0
lon = 114
lat = 23
central_pressure_hpa = 1020
rmw_km = 30
[hazard.surge]
peak_m = 2
series = "stage.csv"
[hazard.rain]
city = "shanghai"
colour = "grey"
)",
                   "/tmp/bad-typhoon.toml", d);
    const std::string text = d.format();
    EXPECT_NE(text.find("bad-typhoon.toml:5"), std::string::npos) << text;  // gusts unknown
    EXPECT_NE(text.find("bad-typhoon.toml:6"), std::string::npos) << text;  // overhead_fraction
    EXPECT_NE(text.find("bad-typhoon.toml:17"), std::string::npos) << text; // pc >= ambient
    EXPECT_NE(text.find("bad-typhoon.toml:21"), std::string::npos) << text; // peak + series
    EXPECT_NE(text.find("bad-typhoon.toml:24"), std::string::npos) << text; // colour unknown
    Diagnostics d1;
    parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "typhoon"
[[hazard.track]]
time_h = 3
lon = 114
lat = 22
central_pressure_hpa = 930
rmw_km = 30
[[hazard.track]]
time_h = 2
lon = 114
lat = 23
central_pressure_hpa = 930
rmw_km = 30
)",
                   "/tmp/back.toml", d1);
    EXPECT_NE(d1.format().find("back.toml:12"), std::string::npos) << d1.format(); // time_h
    Diagnostics d2;
    parse_scenario("[scenario]\ncity = \".\"\n[[hazard]]\ntype = \"typhoon\"\n", "/tmp/t.toml", d2);
    EXPECT_NE(d2.format().find("track"), std::string::npos) << d2.format();
    // A typhoon with rain and a rainstorm: one storm drives the drainage model.
    Diagnostics d3;
    scenario(typhoon() + kRain + "\n[[hazard]]\ntype = \"rainstorm\"\ncity = \"shanghai\"\n", &d3);
    EXPECT_NE(d3.format().find("the second"), std::string::npos) << d3.format();
}

TEST(TyphoonScenario, SurgeNeedsADrainageNetworkAndNamedOutfalls) {
    model::City city = typhoon_city();
    Diagnostics d;
    const Scenario s = scenario(typhoon() + kSurge + "outfalls = [\"O1\", \"J2\"]\n", &d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    Diagnostics c;
    check_scenario_against_city(s, city, c);
    EXPECT_NE(c.format().find("'J2', which is not an outfall"), std::string::npos) << c.format();
    city.drainage.reset();
    city.index_assets();
    Diagnostics c2;
    check_scenario_against_city(scenario(typhoon() + kSurge), city, c2);
    EXPECT_NE(c2.format().find("drainage network"), std::string::npos) << c2.format();
}

TEST(TyphoonScenario, TheDemoSuperTyphoonFitsTheDemoCity) {
    const std::filesystem::path demo =
        std::filesystem::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city";
    Diagnostics d;
    const Scenario s = load_scenario(demo / "scenarios" / "super-typhoon.toml", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(s.hazards.size(), 1u);
    const HazardSpec& h = s.hazards[0];
    EXPECT_EQ(h.type, HazardType::kTyphoon);
    EXPECT_EQ(h.track.size(), 4u);
    EXPECT_EQ(h.track[1].central_pressure_hpa, 925.0);
    EXPECT_TRUE(h.typhoon_rain);
    EXPECT_TRUE(h.surge);
    const model::City city = model::load_city(demo, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    check_scenario_against_city(s, city, d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    // The track passes near the city: closest approach about 45 km, around 12 h.
    const auto approach = hazard::closest_approach(typhoon_track(h), city_centre(city), 60);
    EXPECT_GT(approach.distance_km, 30.0);
    EXPECT_LT(approach.distance_km, 60.0);
    EXPECT_NEAR(static_cast<double>(approach.time_s) / 3600.0, 12.0, 2.0);
}

} // namespace
} // namespace rencheng::sim
