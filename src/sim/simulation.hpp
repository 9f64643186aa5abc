// One realization of a stress test: damage, the co-simulation of the lifelines step by step, the
// cascade through dependencies with backups, recovery by crews, and what people lost (DESIGN §6).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/geo.hpp"
#include "model/city.hpp"
#include "sim/scenario.hpp"

namespace rencheng::sim {

/// Asset layers the simulation knows (docs/bundle.md names).
enum class Layer : std::uint8_t {
    kFacility,
    kZone,
    kRoadNode,
    kRoadLink,
    kWaterNode,
    kWaterLink,
    kPowerBus,
    kPowerBranch,
    kPowerGen,
    kDrainageNode,
    kDrainageLink,
    kGasNode,
    kGasLink,
};
inline constexpr int kLayerCount = 13;
/// "facility", "zone", "road_node", …
std::string_view layer_name(Layer l);

/// Lifelines with curves and crews.
enum class Lifeline : std::uint8_t { kWater, kPower, kRoads, kGas };
inline constexpr int kLifelineCount = 4;
/// "water", "power", "roads", "gas".
std::string_view lifeline_name(Lifeline l);

inline constexpr int kServiceCount = model::kServiceCount;

/// Damage states (docs/run-folder.md names).
enum class DamageLevel : std::uint8_t {
    kNone,
    kSlight,
    kModerate,
    kExtensive,
    kComplete,
    kLeak,
    kBreak,
    kFailed,
    kClosed,
};
/// "none", "slight", "moderate", "extensive", "complete", "leak", "break", "failed", "closed".
std::string_view damage_level_name(DamageLevel d);
DamageLevel parse_damage_level(std::string_view name);

/// Kinds of event (events.jsonl).
enum class EventKind : std::uint8_t {
    kServiceLost,
    kServiceRestored,
    kDamaged,
    kRepaired,
    kFunctionLost,
    kFunctionRestored,
    kBackupStarted,
    kBackupExhausted,
    kCrewDispatched,
    kCrewArrived,
};
/// "service_lost", "service_restored", "damaged", …
std::string_view event_kind_name(EventKind k);

/// One change of state, with its cause chain (English; the Chinese detail beside it).
struct Event {
    std::int64_t time_s = 0;
    std::int32_t seq = 0;
    std::int32_t asset = -1;
    std::int8_t service = -1; ///< model::Service, -1 when none
    EventKind kind = EventKind::kDamaged;
    std::int32_t cause_asset = -1;
    EventKind cause_kind = EventKind::kFunctionLost;
    std::string detail;
    std::string detail_zh;
    std::vector<std::string> chain;
};

/// People-hours lost to one root cause for one service in one realization.
struct RootLoss {
    std::int32_t root = -1;
    std::int8_t service = 0;
    double person_hours = 0.0;
    std::string root_event;         ///< what happened to the root ("damaged: break")
    std::vector<std::string> chain; ///< the first chain seen for it
};

/// What one realization gives (one policy). Time series have Scenario::output_count() values.
struct RealizationResult {
    std::int32_t realization = 0;
    DispatchPolicy policy = DispatchPolicy::kCriticalFirst;
    /// [service][t]: population with the service (zones with a dependency on it).
    std::array<std::vector<double>, kServiceCount> served_population;
    /// [service][district][t]: population without the service.
    std::array<std::vector<std::vector<double>>, kServiceCount> district_without;
    /// [facility][service]: hours without the service (only services it depends on).
    std::vector<std::array<double, kServiceCount>> facility_downtime_h;
    /// [facility][t]: bit s set when the facility lacks service s at output t.
    std::vector<std::vector<std::uint8_t>> facility_lost_bits;
    /// per asset: first damage (kNone when never), hours without function or service
    std::vector<DamageLevel> first_damage;
    std::vector<float> downtime_h;
    std::vector<std::uint8_t> service_lost; ///< zones/facilities: 1 when any service was lost
    std::array<std::int32_t, kLayerCount> damaged_per_layer{};
    /// [lifeline][t]: damaged components so far and repaired so far.
    std::array<std::vector<std::int32_t>, kLifelineCount> damaged_count;
    std::array<std::vector<std::int32_t>, kLifelineCount> repaired_count;
    std::vector<std::int32_t> crews_busy;             ///< [t]
    std::array<double, kServiceCount> unmet_demand{}; ///< water m³, power MWh, gas normal m³
    std::vector<RootLoss> root_losses;                ///< by (root, service), sorted
    std::vector<std::int32_t> chain_assets;           ///< assets in any chain of lost service
    std::vector<Event> events;
    double max_water_mass_balance = 0.0; ///< largest relative continuity error of a solve
    double max_power_imbalance_mw = 0.0; ///< largest |Σ gen − Σ served − losses − shunts|
    std::int32_t water_solves = 0;
    std::int32_t power_solves = 0;
    // drainage under a rainstorm (docs/scenario.md "Rainstorm")
    /// 1 when a drainage pump's power changed and the realization routed the storm on its own
    /// from then on (docs/scenario.md "Rainstorm", coupling); 0: it read the shared run
    std::int32_t drainage_solves = 0;
    double max_street_flood_m = 0.0;          ///< deepest street water at any node and step, m
    double drainage_flood_volume_m3 = 0.0;    ///< water that left the pipes onto the streets, m³
    double max_drainage_continuity_pct = 0.0; ///< largest |flow-routing continuity error|, %
    std::int32_t flooded_road_links = 0;      ///< road links closed by water at some step
    // gas (docs/scenario.md "Gas")
    std::int32_t gas_solves = 0;           ///< gas states this realization solved (not cached)
    double max_gas_balance_m3s = 0.0;      ///< largest node imbalance of a solved gas zone, m³/s
    double max_gas_relative_balance = 0.0; ///< the same over the zone's throughput
};

/// The city and scenario prepared for many realizations: the asset table, resolved
/// dependencies, the hydraulic topology and the road graph. Built once; run() is const and
/// thread-safe (each call has its own state).
class Simulation {
public:
    /// Throws Error with diagnostics when the scenario does not fit the city.
    Simulation(const model::City& city, const Scenario& scenario);
    ~Simulation();
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    /// Runs realization `realization` under `policy`. Every policy of one realization replays
    /// the same damage. `keep_events` fills RealizationResult::events.
    [[nodiscard]] RealizationResult run(std::int32_t realization, DispatchPolicy policy,
                                        bool keep_events) const;

    [[nodiscard]] const model::City& city() const { return city_; }
    [[nodiscard]] const Scenario& scenario() const { return scenario_; }
    [[nodiscard]] std::int32_t asset_count() const {
        return static_cast<std::int32_t>(asset_name_.size());
    }
    [[nodiscard]] const std::string& asset_name(std::int32_t a) const { return asset_name_[a]; }
    [[nodiscard]] Layer asset_layer(std::int32_t a) const { return asset_layer_[a]; }
    [[nodiscard]] std::int32_t asset_local(std::int32_t a) const { return asset_local_[a]; }
    [[nodiscard]] const std::string& asset_class(std::int32_t a) const { return asset_class_[a]; }
    [[nodiscard]] LonLat asset_position(std::int32_t a) const { return asset_position_[a]; }
    /// The asset's polyline for links, empty for points.
    [[nodiscard]] std::vector<LonLat> asset_line(std::int32_t a) const;
    [[nodiscard]] std::int32_t layer_begin(Layer l) const {
        return layer_offset_[static_cast<int>(l)];
    }
    [[nodiscard]] std::int32_t layer_size(Layer l) const {
        return layer_offset_[static_cast<int>(l) + 1] - layer_offset_[static_cast<int>(l)];
    }
    /// Asset index of "layer:id", or -1.
    [[nodiscard]] std::int32_t find_asset(std::string_view name) const;
    /// Lifelines the city has.
    [[nodiscard]] bool has_lifeline(Lifeline l) const;
    /// True when some zone depends on service s.
    [[nodiscard]] bool has_service_curve(model::Service s) const {
        return service_population_[static_cast<int>(s)] > 0;
    }
    /// Population of the zones depending on service s.
    [[nodiscard]] double service_population(model::Service s) const {
        return service_population_[static_cast<int>(s)];
    }
    /// Districts (sorted names) and the zone → district index map.
    [[nodiscard]] const std::vector<std::string>& districts() const { return districts_; }
    [[nodiscard]] const std::vector<double>& district_population() const {
        return district_population_;
    }
    /// True when facility f depends on service s.
    [[nodiscard]] bool facility_depends(std::int32_t f, model::Service s) const;

    struct Impl;

private:
    void prepare_earthquakes();
    void prepare_rainstorm();
    void prepare_typhoons();
    void prepare_gas();
    const model::City& city_;
    Scenario scenario_;
    std::vector<std::string> asset_name_;
    std::vector<Layer> asset_layer_;
    std::vector<std::int32_t> asset_local_;
    std::vector<std::string> asset_class_;
    std::vector<LonLat> asset_position_;
    std::array<std::int32_t, kLayerCount + 1> layer_offset_{};
    std::unordered_map<std::string, std::int32_t> asset_index_;
    std::array<double, kServiceCount> service_population_{};
    std::vector<std::string> districts_;
    std::vector<double> district_population_;
    std::unique_ptr<Impl> impl_;
};

} // namespace rencheng::sim
