// Scenario TOML: a good file read key by key, and each kind of error with its line.
#include <gtest/gtest.h>

#include "sim/scenario.hpp"

namespace rencheng::sim {
namespace {

Scenario parse(const std::string& text, Diagnostics& diags) {
    return parse_scenario(text, "/tmp/scen/test.toml", diags);
}

/// The first error's line and code, as "line:code".
std::string first_error(const Diagnostics& d) {
    for (const auto& x : d.items())
        if (x.severity == Severity::kError)
            return std::to_string(x.line) + ":" + std::to_string(static_cast<int>(x.code));
    return "none";
}

TEST(Scenario, ReadsEveryKey) {
    Diagnostics d;
    const Scenario s = parse(R"(
[scenario]
name = "quake"
title = "T"
title_zh = "标题"
city = "../demo-city"
horizon_h = 24
step_min = 30
seed = 7
realizations = 12

[[hazard]]
type = "failure"
assets = ["water_link:P1", "road_link:l2"]
state = "break"
time_h = 1.5

[[hazard]]
type = "random_failures"
layer = "road_link"
count = 3

[[hazard]]
type = "supply_loss"
supply = "water"
cause = "contamination"
duration_h = 12

[recovery]
policy = "most_people_per_crew_hour"
compare = ["critical_first", "priority_list"]
priority = ["water_link:P1"]
mobile_generators = 2
water_trucks = 3
water_truck_people = 2500

[[recovery.crews]]
depot = "facility:D1"
skill = "power"
count = 4

[recovery.repair_hours]
"water_pipe.break" = [12, 2]
"road_link.closed" = 5

[[intervention]]
type = "backup_hours"
asset = "facility:H1"
service = "power"
hours = 72

[[intervention]]
type = "harden"
asset = "water_link:PU1"

[service]
road_access_minutes = 20
water_pressure_m = 12

[outputs]
events_realizations = 3
)",
                             d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    EXPECT_EQ(s.name, "quake");
    EXPECT_EQ(s.title_zh, "标题");
    EXPECT_EQ(s.city, std::filesystem::path("/tmp/demo-city"));
    EXPECT_EQ(s.horizon_s, 24 * 3600);
    EXPECT_EQ(s.step_s, 1800);
    EXPECT_EQ(s.seed, 7u);
    EXPECT_EQ(s.realizations, 12);
    EXPECT_EQ(s.output_count(), 49);
    ASSERT_EQ(s.hazards.size(), 3u);
    EXPECT_EQ(s.hazards[0].type, HazardType::kFailure);
    EXPECT_EQ(s.hazards[0].time_s, 5400);
    EXPECT_EQ(s.hazards[0].state, "break");
    EXPECT_EQ(s.hazards[0].assets.size(), 2u);
    EXPECT_EQ(s.hazards[0].line, 12); // the [[hazard]] header
    EXPECT_EQ(s.hazards[1].count, 3);
    EXPECT_EQ(s.hazards[2].supply, "water");
    EXPECT_EQ(s.hazards[2].duration_s, 12 * 3600);
    EXPECT_EQ(s.recovery.policy, DispatchPolicy::kMostPeoplePerCrewHour);
    ASSERT_EQ(s.recovery.compare.size(), 2u);
    EXPECT_EQ(s.recovery.compare[1], DispatchPolicy::kPriorityList);
    ASSERT_EQ(s.recovery.crews.size(), 1u);
    EXPECT_EQ(s.recovery.crews[0].skill, Skill::kPower);
    EXPECT_EQ(s.recovery.crews[0].count, 4);
    EXPECT_EQ(s.recovery.mobile_generators, 2);
    EXPECT_EQ(s.recovery.water_trucks, 3);
    EXPECT_DOUBLE_EQ(s.recovery.repair.find("water_pipe", "break").mean_h, 12.0);
    EXPECT_DOUBLE_EQ(s.recovery.repair.find("water_pipe", "break").sd_h, 2.0);
    EXPECT_DOUBLE_EQ(s.recovery.repair.find("road_link", "closed").mean_h, 5.0);
    // An unknown state falls back to the kind's "failed" duration.
    EXPECT_DOUBLE_EQ(s.recovery.repair.find("power_bus", "flooded").mean_h,
                     s.recovery.repair.find("power_bus", "failed").mean_h);
    ASSERT_EQ(s.interventions.size(), 2u);
    EXPECT_EQ(s.interventions[0].service, model::Service::kPower);
    EXPECT_DOUBLE_EQ(s.interventions[0].hours, 72.0);
    EXPECT_DOUBLE_EQ(s.service.road_access_minutes, 20.0);
    EXPECT_EQ(s.outputs.events_realizations, 3);
}

TEST(Scenario, DefaultsWhenOnlyTheCityIsGiven) {
    Diagnostics d;
    const Scenario s = parse("[scenario]\ncity = \"c\"\n", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    EXPECT_EQ(s.name, "test"); // the file's stem
    EXPECT_EQ(s.horizon_s, 72 * 3600);
    EXPECT_EQ(s.step_s, 3600);
    EXPECT_EQ(s.realizations, 10);
    EXPECT_EQ(s.recovery.policy, DispatchPolicy::kCriticalFirst);
}

TEST(Scenario, ReadsAnEarthquake) {
    Diagnostics d;
    const Scenario s = parse(R"([scenario]
city = "c"
[[hazard]]
type = "earthquake"
magnitude = 6.5
epicentre = [114.39, 30.68]
depth_km = 12
mechanism = "reverse"
vs30_m_s = 350
gmpe = "yu_jin_2008"
variability = false
pipe_repair_model = "ala2001_linear"
)",
                             d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(s.hazards.size(), 1u);
    const HazardSpec& h = s.hazards[0];
    EXPECT_EQ(h.type, HazardType::kEarthquake);
    EXPECT_DOUBLE_EQ(h.magnitude, 6.5);
    EXPECT_DOUBLE_EQ(h.epicentre.lon, 114.39);
    EXPECT_DOUBLE_EQ(h.epicentre.lat, 30.68);
    EXPECT_DOUBLE_EQ(h.depth_km, 12.0);
    EXPECT_EQ(h.mechanism, "reverse");
    EXPECT_DOUBLE_EQ(h.vs30_m_s, 350.0);
    EXPECT_EQ(h.gmpe, "yu_jin_2008");
    EXPECT_FALSE(h.variability);
    EXPECT_EQ(h.pipe_repair_model, "ala2001_linear");
}

struct BadCase {
    const char* name;
    const char* text;
    const char* expect; ///< "line:code" of the first error
};

class ScenarioErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioErrors, NamesLineAndCode) {
    Diagnostics d;
    (void)parse(GetParam().text, d);
    EXPECT_TRUE(d.has_errors());
    EXPECT_EQ(first_error(d), GetParam().expect) << d.format();
    for (const auto& x : d.items())
        EXPECT_EQ(x.file, "/tmp/scen/test.toml");
}

INSTANTIATE_TEST_SUITE_P(
    Table, ScenarioErrors,
    ::testing::Values(
        BadCase{"syntax", "[scenario]\ncity = \"c\"\nhorizon_h = = 3\n", "3:201"},
        BadCase{"no_scenario", "[outputs]\nevents_realizations = 1\n", "1:301"},
        BadCase{"no_city", "[scenario]\nseed = 1\n", "1:301"},
        BadCase{"unknown_key", "[scenario]\ncity = \"c\"\nhorizon = 3\n", "3:303"},
        BadCase{"unknown_section", "[scenario]\ncity = \"c\"\n[weather]\nx = 1\n", "3:303"},
        BadCase{"wrong_type", "[scenario]\ncity = \"c\"\nrealizations = \"ten\"\n", "3:302"},
        BadCase{"out_of_range", "[scenario]\ncity = \"c\"\nrealizations = 0\n", "3:304"},
        BadCase{"negative_horizon", "[scenario]\ncity = \"c\"\nhorizon_h = -1\n", "3:304"},
        BadCase{"step_not_divisor", "[scenario]\ncity = \"c\"\nhorizon_h = 1\nstep_min = 7\n",
                "4:310"},
        BadCase{"unknown_hazard", "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"meteor\"\n",
                "4:311"},
        BadCase{"rainstorm_without_storm",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"rainstorm\"\n", "3:301"},
        BadCase{"failure_without_assets",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"failure\"\n", "3:301"},
        BadCase{"bad_asset_name",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"failure\"\nassets = [\"P1\"]\n",
                "5:302"},
        BadCase{"bad_state",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"failure\"\nassets = "
                "[\"water_link:P1\"]\nstate = \"melted\"\n",
                "6:311"},
        BadCase{"unknown_hazard_key",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"random_failures\"\nlayer = "
                "\"road_link\"\ncount = 2\nmagnitude = 6\n",
                "7:303"},
        BadCase{"bad_policy", "[scenario]\ncity = \"c\"\n[recovery]\npolicy = \"fastest\"\n",
                "4:311"},
        BadCase{"bad_skill",
                "[scenario]\ncity = \"c\"\n[[recovery.crews]]\ndepot = \"facility:D\"\nskill = "
                "\"telecom\"\n",
                "5:311"},
        BadCase{"bad_repair_hours",
                "[scenario]\ncity = \"c\"\n[recovery.repair_hours]\n\"water_pipe.break\" = -2\n",
                "4:304"},
        BadCase{"bad_supply",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"supply_loss\"\nsupply = "
                "\"telecom\"\n",
                "5:311"},
        BadCase{"bad_intervention",
                "[scenario]\ncity = \"c\"\n[[intervention]]\ntype = \"pray\"\nasset = "
                "\"facility:H\"\n",
                "4:311"},
        BadCase{"quake_without_magnitude",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"earthquake\"\nepicentre = [1, 2]\n",
                "3:301"},
        BadCase{"quake_bad_epicentre",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"earthquake\"\nmagnitude = "
                "6\nepicentre = [200, 2]\n",
                "6:302"},
        BadCase{"quake_bad_mechanism",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"earthquake\"\nmagnitude = "
                "6\nepicentre = [1, 2]\nmechanism = \"oblique\"\n",
                "7:311"},
        BadCase{"quake_magnitude_range",
                "[scenario]\ncity = \"c\"\n[[hazard]]\ntype = \"earthquake\"\nmagnitude = "
                "11\nepicentre = [1, 2]\n",
                "5:304"},
        BadCase{"hazard_not_array", "[scenario]\ncity = \"c\"\n[hazard]\ntype = \"failure\"\n",
                "3:302"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

} // namespace
} // namespace rencheng::sim
