// The stress-test scenario: what a scenario TOML file says (docs/scenario.md).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "hazard/wind.hpp"
#include "model/city.hpp"

namespace rencheng::sim {

/// Kinds of hazard a scenario may hold ([[hazard]] type).
enum class HazardType : std::uint8_t {
    kFailure,        ///< named assets fail at a given time (explicit failures)
    kRandomFailures, ///< N assets of one layer drawn at random per realization (N-k)
    kSupplyLoss,     ///< the city's external power supply or its water sources are lost
    kEarthquake,     ///< a scenario earthquake (ground motion → fragility → damage)
    kRainstorm,      ///< a design storm through the drainage network (needs a drainage layer)
    kTyphoon,        ///< a typhoon track: wind damage, its rain and its storm surge (compound)
};
/// "failure", "random_failures", "supply_loss", "earthquake", "rainstorm", "typhoon".
std::string_view hazard_type_name(HazardType t);

/// One [[hazard]] table. Which fields apply depends on the type (docs/scenario.md).
struct HazardSpec {
    HazardType type = HazardType::kFailure;
    std::string label;    ///< English label for reports; default from the type
    std::string label_zh; ///< Chinese label
    std::int64_t time_s = 0;
    /// failure: the assets ("layer:id"); supply_loss: optional restriction of the supply assets.
    std::vector<std::string> assets;
    /// failure: damage state ("failed", "break", "leak", "closed", "slight" … "complete").
    std::string state = "failed";
    /// random_failures: layer and count.
    std::string layer;
    std::int32_t count = 0;
    /// supply_loss: "power" (supply_220kv buses), "water" (reservoirs) or "gas" (gate
    /// stations, the gas network's sources); the cause
    /// ("loss" or "contamination"); how long the operator takes to restore it (-1: not within
    /// the horizon).
    std::string supply;
    std::string cause = "loss";
    std::int64_t duration_s = -1;
    /// earthquake
    double magnitude = 0.0;
    LonLat epicentre;
    double depth_km = 10.0;
    std::string mechanism = "unspecified";
    double vs30_m_s = 400.0;
    std::string vs30_grid; ///< path of a Vs30 grid CSV (relative to the scenario), optional
    std::string gmpe = "ba08";
    bool variability = true;
    std::string shakemap; ///< path of a ShakeMap grid.xml (relative to the scenario), optional
    std::string pipe_repair_model = "hazus_brittle"; ///< hazard::parse_pipe_repair_model names
    /// rainstorm (docs/scenario.md "Rainstorm"): a design storm from a city's intensity formula
    /// (`rain_city`, return period, duration, hyetograph) or a rain series CSV, starting at
    /// time_s, fed to every rain gage of the drainage model.
    std::string rain_city;              ///< hazard::find_city_rainfall_formula key
    double return_period_years = 50.0;  ///< P, a
    double duration_h = 3.0;            ///< storm duration, h
    std::string hyetograph = "chicago"; ///< "chicago" or "uniform"
    double peak_ratio = 0.4;            ///< Chicago peak position r (fraction of the duration)
    std::int64_t rain_step_s = 300;     ///< hyetograph interval, s
    std::string rain_series;            ///< rain series CSV (relative to the scenario), optional
    double zone_flood_m = 0.15;         ///< a zone loses drainage above this street depth, m
    double asset_radius_m = 100.0;      ///< an asset sees the nearest drainage node within, m
    double min_ponded_area_m2 = 100.0;  ///< ponded-area floor for nodes without Aponded, m²
    double max_flood_depth_m = 3.0;     ///< street depths are capped here, m
    /// typhoon (docs/scenario.md "Typhoon"): the track (fixes in scenario time) or a track CSV,
    /// the wind options, supports of overhead lines, and optionally its rain ([hazard.rain],
    /// the rainstorm keys above) and storm surge ([hazard.surge]) at the drainage outfalls.
    std::vector<hazard::TrackPoint> track;
    std::string track_csv; ///< track CSV (relative to the scenario), optional
    hazard::TyphoonWindOptions wind;
    std::int64_t wind_step_s = 600;       ///< sampling of the wind at each asset, s
    double pole_spacing_m = 50.0;         ///< distribution (<= 35 kV) line span between poles, m
    double tower_spacing_m = 300.0;       ///< transmission (> 35 kV) line span between towers, m
    double overhead_fraction = 1.0;       ///< share of distribution line length on poles (0–1)
    bool typhoon_rain = false;            ///< [hazard.rain] given
    std::int64_t rain_time_s = 0;         ///< [hazard.rain].time_h: start of the typhoon's rain
    bool surge = false;                   ///< [hazard.surge] given
    double surge_peak_m = 0.0;            ///< peak height above the normal stage, m
    std::int64_t landfall_s = -1;         ///< landfall time; -1: the track's closest approach
    std::int64_t surge_peak_offset_s = 0; ///< time of the surge peak after landfall, s
    std::int64_t surge_duration_s = 12 * 3600; ///< base width of the surge pulse, s
    std::optional<double> normal_stage_m;      ///< stage without surge; default per outfall
    std::string surge_series;                  ///< surge/stage CSV (relative to the scenario)
    std::vector<std::string> surge_outfalls;   ///< outfall ids; empty: every outfall
    int surge_line = 0;                        ///< line of [hazard.surge]
    int line = 0;                              ///< line of the [[hazard]] table
    int assets_line = 0;                       ///< line of its `assets` key (0 when absent)
};

/// Dispatch policies of repair crews.
enum class DispatchPolicy : std::uint8_t {
    kCriticalFirst,         ///< components in the cause chain of a critical facility first
    kMostPeoplePerCrewHour, ///< most people restored per crew-hour (travel + repair)
    kPriorityList,          ///< the user's list first, then by people restored
};
/// "critical_first", "most_people_per_crew_hour", "priority_list".
std::string_view dispatch_policy_name(DispatchPolicy p);
std::optional<DispatchPolicy> parse_dispatch_policy(std::string_view name);

/// Lifeline skills of repair crews.
enum class Skill : std::uint8_t { kWater, kPower, kRoads, kGas };
inline constexpr int kSkillCount = 4;
/// "water", "power", "roads", "gas".
std::string_view skill_name(Skill s);
std::optional<Skill> parse_skill(std::string_view name);

struct CrewSpec {
    std::string depot; ///< "facility:<id>" of a depot
    Skill skill = Skill::kWater;
    std::int32_t count = 1;
    int line = 0;
};

/// Mean and standard deviation of a repair's duration (one damage state of one kind of asset).
struct RepairTime {
    double mean_h = 0.0;
    double sd_h = 0.0;
};

/// Repair durations by asset kind and damage state; defaults in docs/scenario.md (HAZUS).
struct RepairTable {
    /// key "<kind>.<state>", e.g. "water_pipe.break", "power_bus.extensive"; see docs.
    std::vector<std::pair<std::string, RepairTime>> entries;
    /// The duration for a kind and state; falls back to "<kind>.failed", then 24 h.
    [[nodiscard]] RepairTime find(std::string_view kind, std::string_view state) const;
};
/// The default table (docs/scenario.md "Repair durations").
RepairTable default_repair_table();

struct RecoverySpec {
    DispatchPolicy policy = DispatchPolicy::kCriticalFirst;
    std::vector<DispatchPolicy> compare; ///< extra policies replayed on the same damage
    std::vector<std::string> priority;   ///< priority_list: assets, most urgent first
    std::vector<CrewSpec> crews;
    RepairTable repair = default_repair_table();
    std::int32_t mobile_generators = 0;
    std::string generator_depot; ///< "facility:<id>"; default the first depot
    std::int32_t water_trucks = 0;
    double water_truck_people = 3000.0; ///< people one truck keeps supplied
    std::string truck_depot;            ///< default the first depot
};

/// Kinds of intervention ([[intervention]] type).
enum class InterventionType : std::uint8_t {
    kBackupHours, ///< set the backup hours of one asset's dependency on one service
    kHarden,      ///< the asset takes no damage from earthquakes or random failures
};

struct InterventionSpec {
    InterventionType type = InterventionType::kHarden;
    std::string asset;
    model::Service service = model::Service::kPower;
    double hours = 0.0;
    int line = 0;
};

/// How service to people is judged ([service]).
struct ServiceSpec {
    double road_access_minutes = 30.0;  ///< travel time to the nearest hospital, free flow
    double water_pressure_m = 10.0;     ///< pressure for a water node to serve (no threshold)
    double power_served_fraction = 1.0; ///< fraction of a bus's load served for it to serve
};

struct OutputSpec {
    std::int32_t events_realizations = 1; ///< realizations whose events go to events.jsonl
};

/// A scenario, as read from its TOML file. Times are integer seconds.
struct Scenario {
    std::filesystem::path file; ///< the scenario file
    std::string name;           ///< short name (file stem by default)
    std::string title;
    std::string title_zh;
    std::filesystem::path city; ///< the bundle, resolved against the scenario's folder
    std::int64_t horizon_s = 72 * 3600;
    std::int64_t step_s = 3600;
    std::uint64_t seed = 2026;
    std::int32_t realizations = 10;
    std::vector<HazardSpec> hazards;
    RecoverySpec recovery;
    std::vector<InterventionSpec> interventions;
    ServiceSpec service;
    OutputSpec outputs;
    std::string fragility_file; ///< user fragility curves (relative to the scenario), optional

    [[nodiscard]] std::int32_t output_count() const {
        return static_cast<std::int32_t>(horizon_s / step_s) + 1;
    }
};

/// Parses the text of a scenario file (`file` names it in diagnostics; relative paths in it are
/// resolved against `file`'s folder). Every problem (syntax, unknown key, wrong type, value out of
/// range, unknown policy or skill) goes to `diags` with file and line.
Scenario parse_scenario(std::string_view text, const std::filesystem::path& file,
                        Diagnostics& diags);
/// Reads and parses a scenario file.
Scenario load_scenario(const std::filesystem::path& file, Diagnostics& diags);

/// Checks the scenario against its city: named assets exist, depots are depots, layers are
/// present, a rainstorm has a drainage layer, a power supply loss has a grid. Problems go to
/// `diags` at the scenario file's lines.
void check_scenario_against_city(const Scenario& scenario, const model::City& city,
                                 Diagnostics& diags);

} // namespace rencheng::sim
