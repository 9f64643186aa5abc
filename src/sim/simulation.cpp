// One realization of a stress test: damage plan, co-simulation loop with the dependency fixed
// point, cause chains, recovery by crews, mobile generators and water trucks (docs/scenario.md,
// docs/metrics.md).
#include "sim/simulation.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <span>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "drainage/flood.hpp"
#include "drainage/simulation.hpp"
#include "hazard/earthquake.hpp"
#include "hazard/fragility.hpp"
#include "hazard/rainfall.hpp"
#include "hazard/typhoon.hpp"
#include "power/islands.hpp"
#include "sim/gas_lifeline.hpp"
#include "sim/power_switching.hpp"
#include "sim/typhoon.hpp"
#include "transport/shortest_path.hpp"
#include "transport/tntp.hpp"
#include "water/damage.hpp"
#include "water/hydraulics.hpp"

namespace rencheng::sim {

std::string_view layer_name(Layer l) {
    static constexpr std::string_view kNames[] = {
        "facility",      "zone",      "road_node",    "road_link", "water_node",
        "water_link",    "power_bus", "power_branch", "power_gen", "drainage_node",
        "drainage_link", "gas_node",  "gas_link"};
    return kNames[static_cast<int>(l)];
}

std::string_view lifeline_name(Lifeline l) {
    static constexpr std::string_view kNames[] = {"water", "power", "roads", "gas"};
    return kNames[static_cast<int>(l)];
}

std::string_view damage_level_name(DamageLevel d) {
    static constexpr std::string_view kNames[] = {
        "none", "slight", "moderate", "extensive", "complete", "leak", "break", "failed", "closed"};
    return kNames[static_cast<int>(d)];
}

DamageLevel parse_damage_level(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(DamageLevel::kClosed); ++i)
        if (damage_level_name(static_cast<DamageLevel>(i)) == name)
            return static_cast<DamageLevel>(i);
    return DamageLevel::kFailed;
}

std::string_view event_kind_name(EventKind k) {
    static constexpr std::string_view kNames[] = {
        "service_lost",    "service_restored",  "damaged",        "repaired",
        "function_lost",   "function_restored", "backup_started", "backup_exhausted",
        "crew_dispatched", "crew_arrived"};
    return kNames[static_cast<int>(k)];
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// Leak opening of a leaking pipe as a fraction of its cross-section (docs/scenario.md).
constexpr double kLeakAreaFraction = 0.03;
/// Purposes of random draws (RngStream stream ids): adding draws for one never shifts another.
constexpr std::uint32_t kStreamRepair = 2;
constexpr std::uint32_t kStreamRandomFailuresBase = 100; ///< + hazard index
constexpr std::uint32_t kStreamGroundMotionBase = 200;   ///< + hazard index
constexpr std::uint32_t kStreamSeismicDamageBase = 300;  ///< + hazard index
constexpr std::uint32_t kStreamFloodDamage = 400;
constexpr std::uint32_t kStreamFloodRepair = 401;
constexpr std::uint32_t kStreamWindDamageBase = 500; ///< + hazard index
constexpr int kMaxFixedPointIterations = 12;

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

/// The Chinese form of a loss detail written by deliver() and system_state().
std::string detail_zh(const std::string& en) {
    auto starts = [&](const char* p) { return en.rfind(p, 0) == 0; };
    auto rest = [&](const char* p) { return en.substr(std::char_traits<char>::length(p)); };
    if (en == "cut off from every source")
        return "与所有水源断开";
    if (en == "de-energised")
        return "失电";
    if (en == "no open road to a hospital")
        return "无开放道路通往医院";
    if (en == "lost function")
        return "失去功能";
    if (en == "out of service")
        return "停运";
    if (en == "cut off from every gas source")
        return "与所有气源断开";
    if (en == "in the segment shut off around a broken pipe")
        return "位于破损管道的关断区段内";
    if (starts("gas pressure "))
        return "燃气压力 " + rest("gas pressure ");
    if (starts("cut off; linepack held it for "))
        return "气源中断，管存气维持 " + rest("cut off; linepack held it for ");
    if (starts("shut off: "))
        return "关断：" + rest("shut off: ");
    if (starts("pressure "))
        return "水压 " + rest("pressure ");
    if (starts("flooded "))
        return "积水 " + rest("flooded ");
    if (starts("load shed "))
        return "切负荷 " + rest("load shed ");
    if (starts("nearest hospital ")) {
        std::string r = rest("nearest hospital ");
        for (std::size_t i; (i = r.find(" min")) != std::string::npos;)
            r.replace(i, 4, " 分钟");
        return "最近医院 " + r;
    }
    if (starts("no ")) {
        std::string r = rest("no ");
        const bool exhausted = r.find(" (backup exhausted)") != std::string::npos;
        if (exhausted)
            r = r.substr(0, r.find(" (backup exhausted)"));
        static const std::pair<const char*, const char*> kServices[] = {
            {"power", "电力"},           {"water", "供水"},   {"gas", "燃气"},
            {"road_access", "道路通达"}, {"telecom", "通信"}, {"drainage", "排水"}};
        for (const auto& [e, z] : kServices)
            if (r == e)
                return std::string("无") + z + (exhausted ? "（备用耗尽）" : "");
    }
    return en;
}

bool is_critical_kind(model::FacilityKind k) {
    using K = model::FacilityKind;
    return k == K::kHospital || k == K::kShelter || k == K::kFireStation ||
           k == K::kCommandCentre || k == K::kTelecomSite;
}

/// Order in which mobile generators go to facilities (lower first).
int generator_rank(model::FacilityKind k) {
    using K = model::FacilityKind;
    switch (k) {
    case K::kHospital:
        return 0;
    case K::kCommandCentre:
        return 1;
    case K::kTelecomSite:
        return 2;
    case K::kFireStation:
        return 3;
    case K::kShelter:
        return 4;
    default:
        return 9;
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------

struct Simulation::Impl {
    struct Need {
        std::int32_t consumer = -1;
        std::int8_t service = 0;
        std::int64_t backup_s = 0;
        std::int32_t prov_begin = 0, prov_end = 0;
    };
    std::vector<Need> needs;
    std::vector<std::int32_t> prov_asset;
    std::vector<double> prov_threshold;
    std::vector<std::int32_t> need_begin; ///< per asset + 1: its needs (sorted by consumer)
    std::vector<std::uint8_t> is_provider;
    std::vector<std::int32_t> zone_need;     ///< [zone * S + s]
    std::vector<std::int32_t> facility_need; ///< [facility * S + s]
    std::vector<std::int32_t> zone_district;
    std::vector<std::uint8_t> hardened;
    std::vector<std::int32_t> road_node_of; ///< per asset: nearest road node, -1 when no roads
    std::vector<std::uint8_t> critical_facility;

    // water
    std::unique_ptr<water::HydraulicTopology> topo;
    // gas (prepare_gas, Run::gas_step)
    std::unique_ptr<GasLifeline> gas;
    // power
    CsrGraph bus_adj;                    ///< arc ids: branch indices
    std::vector<std::int32_t> gen_begin; ///< per bus + 1, into gen_list
    std::vector<std::int32_t> gen_list;
    std::vector<double> bus_priority;
    std::vector<power::DistributionSwitch> switches; ///< 10 kV switches: isolation and ties
    // roads
    transport::AssignmentNetwork anet;       ///< road nodes + a super source (last node)
    std::vector<std::int32_t> arc_road_link; ///< per anet link: road link, -1 for super links
    std::vector<double> arc_minutes;
    CsrGraph road_adj; ///< undirected: arc ids are road links
    std::int32_t super_source = -1;
    bool have_hospitals = false;

    // crews: one entry per crew
    struct Crew {
        std::int32_t depot = -1; ///< asset
        Skill skill = Skill::kWater;
        std::int32_t node = -1; ///< road node of the depot
        std::int32_t number = 0;
    };
    std::vector<Crew> crews;
    std::int32_t generator_node = -1;
    std::int32_t truck_node = -1;
    std::vector<std::int32_t> priority_rank; ///< per asset, INT_MAX when not listed

    // earthquakes: one field (or ShakeMap) per hazard, and the exposed assets
    struct Quake {
        std::optional<hazard::EarthquakeField> field;
        std::optional<hazard::ShakeMapGrid> shakemap;
        hazard::PipeRepairRate pipe_rate;
    };
    std::vector<Quake> quakes; ///< per hazard (empty entries for other types)
    hazard::FragilityLibrary fragility;
    struct Exposed {
        std::int32_t asset = -1;
        const hazard::FragilitySet* set = nullptr; ///< nullptr: a pipe (repair rate)
        std::vector<std::int32_t> also; ///< the other pumps of its plant: the same damage
    };
    std::vector<Exposed> exposed;
    std::vector<LonLat> exposed_sites;

    // typhoons (prepare_typhoons, Run::plan_typhoon): per hazard its wind field, its landfall and
    // the assets its wind can damage, with the peak wind each sees (the field is deterministic;
    // only the damage draws change between realizations)
    struct WindExposed {
        std::int32_t asset = -1;
        const hazard::FragilitySet* set = nullptr;
        std::int32_t supports = 0; ///< poles or towers in series; 0: the curve is the asset's
        bool towers = false;       ///< supports are transmission towers (else poles)
        double im = 0.0;           ///< the set's measure at the asset's peak, m/s
        double gust_ms = 0.0;      ///< peak 10 m gust, m/s
        std::int64_t time_s = 0;   ///< when the gust peaks there
    };
    struct Typhoon {
        std::optional<hazard::TyphoonWindField> field;
        std::int64_t landfall_s = 0;
        double closest_km = 0.0;
        std::vector<WindExposed> exposed;
    };
    std::vector<Typhoon> typhoons; ///< per hazard (empty entries for other types)

    // rainstorm (prepare_rainstorm, Run::drainage_step): the city's drainage model with the storm
    // in its gages and ponding on, its run without outages, and what each asset sees of the water
    const HazardSpec* rain = nullptr;
    std::optional<drainage::Network> storm_net;
    std::optional<drainage::StreetFlood> street;
    std::filesystem::path drainage_dir; ///< folder of the .inp (rain files of the model)
    std::shared_ptr<const drainage::SimulationResult> storm_base;
    std::vector<std::int32_t> report_end; ///< per output k + 1: reports in (t_{k-1}, t_k]
    struct FloodExposure {
        std::int32_t asset = -1;
        std::int32_t node = -1; ///< drainage node whose street depth the asset sees
        const hazard::FragilitySet* set = nullptr;
    };
    std::vector<FloodExposure> flood_exposed;
    /// per road link: the street nodes nearest its two ends and its middle (-1: none near)
    std::vector<std::array<std::int32_t, 3>> road_flood_node;
    std::vector<std::int32_t> drainage_pumps; ///< drainage link indices of the pumps
    CsrGraph drain_adj;                       ///< undirected: arc ids are drainage links
    std::vector<std::pair<std::int32_t, std::int32_t>> zone_drainage; ///< (zone, node) assets
};

namespace {

using Impl = Simulation::Impl;

std::int32_t nearest_road_node(const transport::RoadNetwork& roads, LonLat p) {
    std::int32_t best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (std::int32_t n = 0; n < roads.node_count(); ++n) {
        const double dx = (roads.node_position[n].lon - p.lon) * std::cos(p.lat * M_PI / 180.0);
        const double dy = roads.node_position[n].lat - p.lat;
        const double d = dx * dx + dy * dy;
        if (d < best_d) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

} // namespace

Simulation::Simulation(const model::City& city, const Scenario& scenario)
    : city_(city), scenario_(scenario), impl_(std::make_unique<Impl>()) {
    Impl& I = *impl_;
    Diagnostics diags;
    check_scenario_against_city(scenario_, city_, diags);
    if (diags.has_errors())
        throw Error(ErrorCode::kInconsistent, std::move(diags));

    // ---- the asset table -------------------------------------------------------------------
    auto add = [&](Layer l, std::int32_t local, std::string name, std::string cls, LonLat p) {
        asset_index_.emplace(name, static_cast<std::int32_t>(asset_name_.size()));
        asset_name_.push_back(std::move(name));
        asset_layer_.push_back(l);
        asset_local_.push_back(local);
        asset_class_.push_back(std::move(cls));
        asset_position_.push_back(p);
    };
    auto begin_layer = [&](Layer l) {
        layer_offset_[static_cast<int>(l)] = static_cast<std::int32_t>(asset_name_.size());
    };
    begin_layer(Layer::kFacility);
    for (std::size_t f = 0; f < city_.facilities.size(); ++f) {
        const auto& fac = city_.facilities[f];
        add(Layer::kFacility, static_cast<std::int32_t>(f), "facility:" + fac.id,
            "facility." + std::string(model::facility_kind_name(fac.kind)), fac.position);
    }
    begin_layer(Layer::kZone);
    for (std::size_t z = 0; z < city_.zones.size(); ++z)
        add(Layer::kZone, static_cast<std::int32_t>(z), "zone:" + city_.zones[z].id, "zone",
            city_.zones[z].centroid);
    begin_layer(Layer::kRoadNode);
    if (city_.roads)
        for (std::int32_t n = 0; n < city_.roads->node_count(); ++n)
            add(Layer::kRoadNode, n, "road_node:" + city_.roads->node_id[n], "road.node",
                city_.roads->node_position[n]);
    begin_layer(Layer::kRoadLink);
    if (city_.roads)
        for (std::int32_t k = 0; k < city_.roads->link_count(); ++k) {
            const auto& g = city_.roads->link_geometry[k];
            const std::string cls =
                city_.roads->bridge[k] != 0
                    ? "road.bridge"
                    : "road." + std::string(transport::road_class_name(city_.roads->link_class[k]));
            add(Layer::kRoadLink, k, "road_link:" + city_.roads->link_id[k], cls,
                g.empty() ? LonLat{} : g[g.size() / 2]);
        }
    begin_layer(Layer::kWaterNode);
    if (city_.water) {
        const auto& w = *city_.water;
        for (std::int32_t n = 0; n < w.node_count(); ++n) {
            static constexpr const char* kCls[] = {"water.junction", "water.reservoir",
                                                   "water.tank"};
            add(Layer::kWaterNode, n, "water_node:" + w.node_id[n],
                kCls[static_cast<int>(w.node_kind[n])], LonLat{w.x[n], w.y[n]});
        }
    }
    begin_layer(Layer::kWaterLink);
    if (city_.water) {
        const auto& w = *city_.water;
        for (std::int32_t k = 0; k < w.link_count(); ++k) {
            const auto a = w.from_node[k].idx(), b = w.to_node[k].idx();
            std::string cls = w.link_kind[k] == water::LinkKind::kPump    ? "water.pump"
                              : w.link_kind[k] == water::LinkKind::kValve ? "water.valve"
                                                                          : "water.pipe";
            add(Layer::kWaterLink, k, "water_link:" + w.link_id[k], std::move(cls),
                LonLat{(w.x[a] + w.x[b]) / 2, (w.y[a] + w.y[b]) / 2});
        }
    }
    std::vector<LonLat> bus_pos;
    begin_layer(Layer::kPowerBus);
    if (city_.power) {
        const auto& p = *city_.power;
        bus_pos.assign(static_cast<std::size_t>(p.buses.count()), LonLat{});
        std::vector<std::string> kind(bus_pos.size(), "bus");
        for (const auto& info : city_.power_buses) {
            const auto b = p.find_bus(info.bus_number);
            if (b.valid()) {
                bus_pos[b.idx()] = info.position;
                kind[b.idx()] = info.kind;
            }
        }
        for (std::int32_t b = 0; b < p.buses.count(); ++b)
            add(Layer::kPowerBus, b, "power_bus:" + std::to_string(p.buses.number[b]),
                "power." + kind[b], bus_pos[b]);
    }
    begin_layer(Layer::kPowerBranch);
    if (city_.power) {
        const auto& p = *city_.power;
        for (std::int32_t k = 0; k < p.branches.count(); ++k) {
            const auto a = bus_pos[p.branches.from[k].idx()], b = bus_pos[p.branches.to[k].idx()];
            add(Layer::kPowerBranch, k, "power_branch:" + std::to_string(k + 1),
                p.branches.tap[k] != 0 ? "power.transformer" : "power.line",
                LonLat{(a.lon + b.lon) / 2, (a.lat + b.lat) / 2});
        }
    }
    begin_layer(Layer::kPowerGen);
    if (city_.power) {
        const auto& p = *city_.power;
        for (std::int32_t g = 0; g < p.gens.count(); ++g)
            add(Layer::kPowerGen, g, "power_gen:" + std::to_string(g + 1), "power.generator",
                bus_pos[p.gens.bus[g].idx()]);
    }
    begin_layer(Layer::kDrainageNode);
    if (city_.drainage) {
        const auto& d = *city_.drainage;
        static constexpr const char* kCls[] = {"drainage.junction", "drainage.outfall",
                                               "drainage.storage", "drainage.divider"};
        for (std::int32_t n = 0; n < d.node_count(); ++n)
            add(Layer::kDrainageNode, n, "drainage_node:" + d.node_id[n],
                kCls[static_cast<int>(d.node_kind[n])], LonLat{d.x[n], d.y[n]});
    }
    begin_layer(Layer::kDrainageLink);
    if (city_.drainage) {
        const auto& d = *city_.drainage;
        static constexpr const char* kCls[] = {"drainage.conduit", "drainage.pump",
                                               "drainage.orifice", "drainage.weir",
                                               "drainage.outlet"};
        for (std::int32_t k = 0; k < d.link_count(); ++k) {
            const auto a = d.from_node[k].idx(), b = d.to_node[k].idx();
            // a pump stands at its wet well (the inlet node); other links at their midpoint
            const LonLat p = d.link_kind[k] == drainage::LinkKind::kPump
                                 ? LonLat{d.x[a], d.y[a]}
                                 : LonLat{(d.x[a] + d.x[b]) / 2, (d.y[a] + d.y[b]) / 2};
            add(Layer::kDrainageLink, k, "drainage_link:" + d.link_id[k],
                kCls[static_cast<int>(d.link_kind[k])], p);
        }
    }
    begin_layer(Layer::kGasNode);
    if (city_.gas) {
        const auto& g = *city_.gas;
        for (std::int32_t n = 0; n < g.node_count(); ++n)
            add(Layer::kGasNode, n, "gas_node:" + g.node_id[n],
                "gas." + std::string(gas::node_kind_name(g.node_kind[n])),
                LonLat{g.lon_deg[n], g.lat_deg[n]});
    }
    begin_layer(Layer::kGasLink);
    if (city_.gas) {
        const auto& g = *city_.gas;
        for (std::int32_t k = 0; k < g.connection_count(); ++k) {
            const auto a = g.from_node[k].idx(), b = g.to_node[k].idx();
            add(Layer::kGasLink, k, "gas_link:" + g.connection_id[k],
                "gas." + std::string(gas::connection_kind_name(g.connection_kind[k])),
                LonLat{(g.lon_deg[a] + g.lon_deg[b]) / 2, (g.lat_deg[a] + g.lat_deg[b]) / 2});
        }
    }
    layer_offset_[kLayerCount] = static_cast<std::int32_t>(asset_name_.size());
    const auto na = asset_name_.size();
    prepare_typhoons();
    prepare_rainstorm();
    prepare_gas();

    // ---- dependencies → needs (consumer, service) with their providers ----------------------
    struct Row {
        std::int32_t consumer, provider;
        int service;
        double backup_h;
        double threshold;
    };
    std::vector<Row> rows;
    for (const auto& d : city_.dependencies) {
        const auto c = find_asset(d.consumer), p = find_asset(d.provider);
        if (c < 0 || p < 0)
            continue; // load_city reported it
        rows.push_back(
            {c, p, static_cast<int>(d.service), d.backup_hours, d.threshold ? *d.threshold : kNaN});
    }
    // Under a rainstorm every zone without a drainage dependency of its own is served by its
    // most flood-prone drainage node (prepare_rainstorm; docs/scenario.md "Rainstorm").
    if (!I.zone_drainage.empty()) {
        std::vector<std::uint8_t> explicit_drainage(na, 0);
        for (const auto& row : rows)
            if (row.service == static_cast<int>(model::Service::kDrainage))
                explicit_drainage[row.consumer] = 1;
        for (const auto& [zone, node] : I.zone_drainage)
            if (!explicit_drainage[zone])
                rows.push_back(
                    {zone, node, static_cast<int>(model::Service::kDrainage), 0.0, kNaN});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        return a.consumer != b.consumer ? a.consumer < b.consumer : a.service < b.service;
    });
    I.is_provider.assign(na, 0);
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i;
        Impl::Need n;
        n.consumer = rows[i].consumer;
        n.service = static_cast<std::int8_t>(rows[i].service);
        n.prov_begin = static_cast<std::int32_t>(I.prov_asset.size());
        double backup_h = 0;
        while (j < rows.size() && rows[j].consumer == rows[i].consumer &&
               rows[j].service == rows[i].service) {
            I.prov_asset.push_back(rows[j].provider);
            I.prov_threshold.push_back(rows[j].threshold);
            I.is_provider[rows[j].provider] = 1;
            backup_h = std::max(backup_h, rows[j].backup_h);
            ++j;
        }
        for (const auto& iv : scenario_.interventions)
            if (iv.type == InterventionType::kBackupHours && find_asset(iv.asset) == n.consumer &&
                static_cast<int>(iv.service) == n.service)
                backup_h = iv.hours;
        n.backup_s = std::llround(backup_h * 3600.0);
        n.prov_end = static_cast<std::int32_t>(I.prov_asset.size());
        I.needs.push_back(n);
        i = j;
    }
    I.need_begin.assign(na + 1, 0);
    for (const auto& n : I.needs)
        ++I.need_begin[static_cast<std::size_t>(n.consumer) + 1];
    for (std::size_t a = 0; a < na; ++a)
        I.need_begin[a + 1] += I.need_begin[a];
    I.zone_need.assign(city_.zones.size() * kServiceCount, -1);
    I.facility_need.assign(city_.facilities.size() * kServiceCount, -1);
    for (std::size_t k = 0; k < I.needs.size(); ++k) {
        const auto& n = I.needs[k];
        const Layer l = asset_layer_[n.consumer];
        if (l == Layer::kZone)
            I.zone_need[asset_local_[n.consumer] * kServiceCount + n.service] =
                static_cast<std::int32_t>(k);
        else if (l == Layer::kFacility)
            I.facility_need[asset_local_[n.consumer] * kServiceCount + n.service] =
                static_cast<std::int32_t>(k);
    }

    // ---- zones and districts -----------------------------------------------------------------
    for (const auto& z : city_.zones)
        districts_.push_back(z.district.empty() ? std::string("-") : z.district);
    std::sort(districts_.begin(), districts_.end());
    districts_.erase(std::unique(districts_.begin(), districts_.end()), districts_.end());
    district_population_.assign(districts_.size(), 0.0);
    for (std::size_t z = 0; z < city_.zones.size(); ++z) {
        const std::string d = city_.zones[z].district.empty() ? "-" : city_.zones[z].district;
        const auto di = static_cast<std::int32_t>(
            std::lower_bound(districts_.begin(), districts_.end(), d) - districts_.begin());
        I.zone_district.push_back(di);
        district_population_[di] += static_cast<double>(city_.zones[z].population);
        for (int s = 0; s < kServiceCount; ++s)
            if (I.zone_need[z * kServiceCount + s] >= 0)
                service_population_[s] += static_cast<double>(city_.zones[z].population);
    }
    I.critical_facility.assign(city_.facilities.size(), 0);
    for (std::size_t f = 0; f < city_.facilities.size(); ++f)
        I.critical_facility[f] = is_critical_kind(city_.facilities[f].kind) ? 1 : 0;

    // ---- interventions: hardening ------------------------------------------------------------
    I.hardened.assign(na, 0);
    for (const auto& iv : scenario_.interventions)
        if (iv.type == InterventionType::kHarden)
            if (const auto a = find_asset(iv.asset); a >= 0)
                I.hardened[a] = 1;
    I.priority_rank.assign(na, std::numeric_limits<std::int32_t>::max());
    for (std::size_t i = 0; i < scenario_.recovery.priority.size(); ++i)
        if (const auto a = find_asset(scenario_.recovery.priority[i]); a >= 0)
            I.priority_rank[a] = std::min(I.priority_rank[a], static_cast<std::int32_t>(i));

    // ---- water -------------------------------------------------------------------------------
    if (city_.water)
        I.topo = std::make_unique<water::HydraulicTopology>(*city_.water);

    // ---- power: bus adjacency, generators per bus, shedding priority ---------------------------
    if (city_.power) {
        const auto& p = *city_.power;
        std::vector<std::int32_t> tails, heads;
        for (std::int32_t k = 0; k < p.branches.count(); ++k) {
            tails.push_back(p.branches.from[k].value());
            heads.push_back(p.branches.to[k].value());
        }
        std::vector<std::int32_t> t2 = tails, h2 = heads;
        t2.insert(t2.end(), heads.begin(), heads.end());
        h2.insert(h2.end(), tails.begin(), tails.end());
        I.bus_adj = build_csr(p.buses.count(), t2, h2);
        // arc ids of the doubled list: k and k + branches; fold back to the branch index
        for (auto& id : I.bus_adj.arc_ids)
            id %= std::max<std::int32_t>(1, p.branches.count());
        I.switches = distribution_switches(city_);
        I.gen_begin.assign(static_cast<std::size_t>(p.buses.count()) + 1, 0);
        for (std::int32_t g = 0; g < p.gens.count(); ++g)
            ++I.gen_begin[p.gens.bus[g].idx() + 1];
        for (std::size_t b = 0; b + 1 < I.gen_begin.size(); ++b)
            I.gen_begin[b + 1] += I.gen_begin[b];
        I.gen_list.assign(static_cast<std::size_t>(p.gens.count()), 0);
        std::vector<std::int32_t> fill(I.gen_begin.begin(), I.gen_begin.end() - 1);
        for (std::int32_t g = 0; g < p.gens.count(); ++g)
            I.gen_list[fill[p.gens.bus[g].idx()]++] = g;
        // Shed last where people and critical facilities depend on the bus (docs/scenario.md).
        I.bus_priority.assign(static_cast<std::size_t>(p.buses.count()), 0.0);
        for (const auto& n : I.needs) {
            if (n.service != static_cast<int>(model::Service::kPower))
                continue;
            double w = 1.0;
            if (asset_layer_[n.consumer] == Layer::kZone)
                w = static_cast<double>(city_.zones[asset_local_[n.consumer]].population);
            else if (asset_layer_[n.consumer] == Layer::kFacility &&
                     I.critical_facility[asset_local_[n.consumer]])
                w = 1e9;
            else
                w = 1e6; // lifeline equipment (pumps)
            for (auto k = n.prov_begin; k < n.prov_end; ++k)
                if (asset_layer_[I.prov_asset[k]] == Layer::kPowerBus)
                    I.bus_priority[asset_local_[I.prov_asset[k]]] += w;
        }
    }

    // ---- roads: the routing graph with a super source at the hospitals ------------------------
    I.road_node_of.assign(na, -1);
    if (city_.roads && city_.roads->node_count() > 0) {
        const auto& r = *city_.roads;
        auto& g = I.anet;
        g.node_count = r.node_count() + 1;
        g.zone_count = 0;
        g.first_thru_node = 1;
        I.super_source = r.node_count();
        for (std::int32_t k = 0; k < r.link_count(); ++k) {
            const double minutes = r.length_m[k] / std::max(0.1, r.free_speed_ms[k]) / 60.0;
            g.add_link(r.link_from[k], r.link_to[k], r.capacity_vehh[k], r.length_m[k], minutes,
                       0.15, 4.0);
            I.arc_road_link.push_back(k);
            I.arc_minutes.push_back(minutes);
            if (r.oneway[k] == 0) {
                g.add_link(r.link_to[k], r.link_from[k], r.capacity_vehh[k], r.length_m[k], minutes,
                           0.15, 4.0);
                I.arc_road_link.push_back(k);
                I.arc_minutes.push_back(minutes);
            }
        }
        for (std::size_t a = 0; a < na; ++a)
            I.road_node_of[a] = asset_layer_[a] == Layer::kRoadNode
                                    ? asset_local_[a]
                                    : nearest_road_node(r, asset_position_[a]);
        // A facility's road node is its road_access provider when it has one.
        for (const auto& n : I.needs)
            if (n.service == static_cast<int>(model::Service::kRoadAccess) &&
                asset_layer_[n.consumer] == Layer::kFacility)
                for (auto k = n.prov_begin; k < n.prov_end; ++k)
                    if (asset_layer_[I.prov_asset[k]] == Layer::kRoadNode) {
                        I.road_node_of[n.consumer] = asset_local_[I.prov_asset[k]];
                        break;
                    }
        for (std::size_t f = 0; f < city_.facilities.size(); ++f)
            if (city_.facilities[f].kind == model::FacilityKind::kHospital) {
                const auto node = I.road_node_of[layer_begin(Layer::kFacility) + f];
                g.add_link(I.super_source, node, 1e9, 0.0, 0.0, 0.15, 4.0);
                I.arc_road_link.push_back(-1);
                I.arc_minutes.push_back(0.0);
                I.have_hospitals = true;
            }
        g.build_graph();
        std::vector<std::int32_t> tails(r.link_from), heads(r.link_to);
        tails.insert(tails.end(), r.link_to.begin(), r.link_to.end());
        heads.insert(heads.end(), r.link_from.begin(), r.link_from.end());
        I.road_adj = build_csr(r.node_count(), tails, heads);
        for (auto& id : I.road_adj.arc_ids)
            id %= std::max<std::int32_t>(1, r.link_count());
    }

    // ---- crews, generators, trucks -------------------------------------------------------------
    std::int32_t first_depot = -1;
    for (std::size_t f = 0; f < city_.facilities.size() && first_depot < 0; ++f)
        if (city_.facilities[f].kind == model::FacilityKind::kDepot)
            first_depot = layer_begin(Layer::kFacility) + static_cast<std::int32_t>(f);
    for (const auto& c : scenario_.recovery.crews) {
        const auto depot = find_asset(c.depot);
        for (std::int32_t i = 0; i < c.count; ++i)
            I.crews.push_back({depot, c.skill, depot >= 0 ? I.road_node_of[depot] : -1,
                               static_cast<std::int32_t>(I.crews.size()) + 1});
    }
    auto depot_node = [&](const std::string& name) {
        const auto a = name.empty() ? first_depot : find_asset(name);
        return a >= 0 ? I.road_node_of[a] : -1;
    };
    I.generator_node = depot_node(scenario_.recovery.generator_depot);
    I.truck_node = depot_node(scenario_.recovery.truck_depot);
    prepare_earthquakes();
}

void Simulation::prepare_earthquakes() {
    Impl& I = *impl_;
    const bool any =
        std::any_of(scenario_.hazards.begin(), scenario_.hazards.end(),
                    [](const HazardSpec& h) { return h.type == HazardType::kEarthquake; });
    I.quakes.resize(scenario_.hazards.size());
    if (!any)
        return;
    Diagnostics diags;
    if (I.fragility.sets().empty()) { // prepare_rainstorm may have loaded it, and points into it
        I.fragility = hazard::FragilityLibrary::built_in();
        if (!scenario_.fragility_file.empty())
            I.fragility.read_json(scenario_.fragility_file, diags);
    }
    for (std::size_t h = 0; h < scenario_.hazards.size(); ++h) {
        const HazardSpec& hz = scenario_.hazards[h];
        if (hz.type != HazardType::kEarthquake)
            continue;
        Impl::Quake& q = I.quakes[h];
        q.pipe_rate.model =
            hazard::parse_pipe_repair_model(hz.pipe_repair_model).value_or(q.pipe_rate.model);
        if (!hz.shakemap.empty()) {
            q.shakemap = hazard::ShakeMapGrid::read(hz.shakemap, diags);
            continue;
        }
        std::optional<hazard::Vs30Field> vs30 =
            hz.vs30_grid.empty() ? std::optional(hazard::Vs30Field::uniform(hz.vs30_m_s))
                                 : hazard::Vs30Field::read_csv(hz.vs30_grid, diags);
        if (!vs30)
            continue;
        hazard::Earthquake quake;
        quake.magnitude = hz.magnitude;
        quake.epicentre = hz.epicentre;
        quake.depth_km = hz.depth_km;
        quake.mechanism = hazard::parse_fault_mechanism(hz.mechanism)
                              .value_or(hazard::FaultMechanism::kUnspecified);
        hazard::EarthquakeOptions options;
        options.model = hz.gmpe == "yu_jin_2008" ? hazard::GroundMotionModel::kYuJin2008Pgv
                                                 : hazard::GroundMotionModel::kBooreAtkinson2008;
        options.variability = hz.variability;
        q.field.emplace(quake, std::move(*vs30), options);
    }
    if (diags.has_errors())
        throw Error(ErrorCode::kInconsistent, std::move(diags));

    // The exposed assets and their curves (docs/scenario.md "Earthquake"): a user set for the
    // asset's own class wins; else the default mapping below.
    using hazard::IntensityMeasure;
    auto user_set = [&](std::int32_t a) -> const hazard::FragilitySet* {
        for (const auto m :
             {IntensityMeasure::kPga, IntensityMeasure::kSa10, IntensityMeasure::kPgv})
            if (const auto* set = I.fragility.find(asset_class_[a], m))
                return set;
        return nullptr;
    };
    // A fragility curve describes a whole plant or substation, so a site gets one draw: the
    // pumps of one plant (same two nodes) share it, and of a substation's buses at one site
    // (220/110 kV, 110/10 kV) only the highest-voltage one is exposed — its loss de-energises
    // the others (docs/scenario.md "Earthquake damage"). Drawing each bus and pump on its own
    // counted one substation two or three times over.
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> pump_plant;
    std::map<std::pair<double, double>, std::int32_t> site_bus; // position → highest-kV bus
    if (city_.power)
        for (const auto& info : city_.power_buses) {
            const auto b = city_.power->find_bus(info.bus_number);
            if (!b.valid())
                continue;
            const auto key = std::make_pair(info.position.lon, info.position.lat);
            const auto it = site_bus.find(key);
            const auto& kv = city_.power->buses.base_kv;
            if (it == site_bus.end() || kv[b.idx()] > kv[static_cast<std::size_t>(it->second)])
                site_bus[key] = b.value();
        }
    for (std::int32_t a = 0; a < asset_count(); ++a) {
        const hazard::FragilitySet* set = user_set(a);
        bool pipe = false;
        const auto local = asset_local_[a];
        switch (asset_layer_[a]) {
        case Layer::kWaterLink:
            if (city_.water->link_kind[local] == water::LinkKind::kPump) {
                const auto u = city_.water->from_node[local].value();
                const auto v = city_.water->to_node[local].value();
                const auto key = std::make_pair(std::min(u, v), std::max(u, v));
                if (const auto it = pump_plant.find(key); it != pump_plant.end()) {
                    I.exposed[it->second].also.push_back(a);
                    continue;
                }
                set =
                    set ? set : I.fragility.find("pumping_plant.anchored", IntensityMeasure::kPga);
                if (set != nullptr)
                    pump_plant.emplace(key, I.exposed.size());
            } else if (city_.water->link_kind[local] != water::LinkKind::kValve && set == nullptr) {
                pipe = true;
            }
            break;
        case Layer::kPowerBus: {
            const auto pos = asset_position_[a];
            if (const auto it = site_bus.find({pos.lon, pos.lat});
                it != site_bus.end() && it->second != local)
                continue; // another bus of the same substation carries the site's damage
            const std::string& cls = asset_class_[a];
            if (set == nullptr && (cls == "power.supply_220kv" || cls == "power.substation_220kv"))
                set = I.fragility.find("substation.ess3", IntensityMeasure::kPga);
            else if (set == nullptr &&
                     (cls == "power.substation_110kv" || cls == "power.substation_10kv"))
                set = I.fragility.find("substation.ess1", IntensityMeasure::kPga);
            break;
        }
        case Layer::kRoadLink:
            if (set == nullptr && city_.roads->bridge[local] != 0)
                set = I.fragility.find("bridge.hwb5", IntensityMeasure::kSa10);
            break;
        case Layer::kGasLink: {
            // Pipes by their repair rate; regulator and compressor stations by the HAZUS
            // pumping-plant curve as a proxy (docs/scenario.md "Gas"); valves are not exposed.
            const auto kind = city_.gas->connection_kind[local];
            if (set == nullptr && I.gas->is_pipe(local))
                pipe = true;
            else if (set == nullptr && (kind == gas::ConnectionKind::kRegulator ||
                                        kind == gas::ConnectionKind::kCompressor))
                set = I.fragility.find("pumping_plant.anchored", IntensityMeasure::kPga);
            break;
        }
        case Layer::kGasNode:
            if (set == nullptr && city_.gas->node_kind[local] == gas::NodeKind::kSource)
                set = I.fragility.find("pumping_plant.anchored", IntensityMeasure::kPga);
            break;
        default:
            break;
        }
        if (pipe || set != nullptr) {
            I.exposed.push_back({a, pipe ? nullptr : set, {}});
            I.exposed_sites.push_back(asset_position_[a]);
        }
    }
}

// ---- typhoon --------------------------------------------------------------------------------

void Simulation::prepare_typhoons() {
    // Per typhoon: its wind field, its landfall (closest approach to the city unless given), and
    // the assets its wind can damage with the peak wind each sees (docs/scenario.md "Typhoon").
    Impl& I = *impl_;
    I.typhoons.resize(scenario_.hazards.size());
    if (std::none_of(scenario_.hazards.begin(), scenario_.hazards.end(),
                     [](const HazardSpec& h) { return h.type == HazardType::kTyphoon; }))
        return;
    if (I.fragility.sets().empty()) {
        I.fragility = hazard::FragilityLibrary::built_in();
        if (!scenario_.fragility_file.empty()) {
            Diagnostics diags;
            I.fragility.read_json(scenario_.fragility_file, diags);
            if (diags.has_errors())
                throw Error(ErrorCode::kInconsistent, std::move(diags));
        }
    }
    using hazard::IntensityMeasure;
    auto wind_set = [&](std::string_view cls) -> const hazard::FragilitySet* {
        if (const auto* s = I.fragility.find(cls, IntensityMeasure::kWindGust))
            return s;
        return I.fragility.find(cls, IntensityMeasure::kWindSustained);
    };
    // One site per substation, as for earthquakes: the highest-voltage bus at a position carries
    // the site's wind damage (its loss de-energises the others).
    std::map<std::pair<double, double>, std::int32_t> site_bus;
    if (city_.power)
        for (const auto& info : city_.power_buses) {
            const auto b = city_.power->find_bus(info.bus_number);
            if (!b.valid())
                continue;
            const auto key = std::make_pair(info.position.lon, info.position.lat);
            const auto it = site_bus.find(key);
            const auto& kv = city_.power->buses.base_kv;
            if (it == site_bus.end() || kv[b.idx()] > kv[static_cast<std::size_t>(it->second)])
                site_bus[key] = b.value();
        }
    const LonLat centre = city_centre(city_);
    for (std::size_t h = 0; h < scenario_.hazards.size(); ++h) {
        const HazardSpec& hz = scenario_.hazards[h];
        if (hz.type != HazardType::kTyphoon)
            continue;
        Impl::Typhoon& ty = I.typhoons[h];
        ty.field.emplace(typhoon_track(hz), hz.wind);
        const auto approach = hazard::closest_approach(ty.field->track(), centre, 60);
        ty.closest_km = approach.distance_km;
        ty.landfall_s = hz.landfall_s >= 0 ? hz.landfall_s : approach.time_s;
        for (std::int32_t a = 0; a < asset_count(); ++a) {
            const std::string& cls = asset_class_[a];
            const auto local = asset_local_[a];
            Impl::WindExposed e;
            e.asset = a;
            e.set = wind_set(cls); // a user set for the asset's own class covers the asset
            if (e.set == nullptr) {
                switch (asset_layer_[a]) {
                case Layer::kPowerBranch: {
                    const auto& p = *city_.power;
                    if (p.branches.tap[local] != 0)
                        break; // transformers stand inside substations
                    const auto f = p.branches.from[local].idx(), t = p.branches.to[local].idx();
                    const double kv = std::max(p.buses.base_kv[f], p.buses.base_kv[t]);
                    const double length_m =
                        haversine_m(asset_position_[layer_begin(Layer::kPowerBus) + f],
                                    asset_position_[layer_begin(Layer::kPowerBus) + t]);
                    e.towers = kv > 35.0;
                    const double overhead_m = e.towers ? length_m : length_m * hz.overhead_fraction;
                    const double spacing = e.towers ? hz.tower_spacing_m : hz.pole_spacing_m;
                    e.supports = static_cast<std::int32_t>(std::ceil(overhead_m / spacing - 1e-9));
                    if (e.supports > 0)
                        e.set = wind_set(e.towers ? "transmission_tower" : "distribution_pole");
                    break;
                }
                case Layer::kPowerBus: {
                    const auto pos = asset_position_[a];
                    const auto it = site_bus.find({pos.lon, pos.lat});
                    if (it != site_bus.end() && it->second != local)
                        break;
                    if (cls.rfind("power.substation", 0) == 0 || cls == "power.supply_220kv")
                        e.set = wind_set("substation");
                    break;
                }
                case Layer::kFacility:
                    // No sourced built-in curve: telecom sites take wind damage from a user set
                    // for "telecom_site" (docs/fragility.md).
                    if (city_.facilities[local].kind == model::FacilityKind::kTelecomSite)
                        e.set = wind_set("telecom_site");
                    break;
                default:
                    break;
                }
            }
            if (e.set == nullptr || e.set->states.empty())
                continue;
            const hazard::PeakWind peak =
                hazard::peak_wind(*ty.field, asset_position_[a], hz.wind_step_s);
            e.gust_ms = peak.gust_ms;
            e.im = e.set->measure == IntensityMeasure::kWindSustained ? peak.sustained_ms
                                                                      : peak.gust_ms;
            e.time_s = peak.time_s;
            if (e.im > 0.0)
                ty.exposed.push_back(e);
        }
    }
}

// ---- rainstorm ------------------------------------------------------------------------------

namespace {

/// The storm as a hyetograph whose first interval starts at the hazard's time.
hazard::Hyetograph storm_hyetograph(const HazardSpec& hz) {
    hazard::Hyetograph h;
    if (hz.type == HazardType::kTyphoon && !hz.typhoon_rain) {
        h.step_s = 3600; // a typhoon with surge and no rain: dry gages
        return h;
    }
    if (!hz.rain_series.empty()) {
        Diagnostics diags;
        auto series = hazard::read_rain_series_csv(hz.rain_series, diags);
        if (!series || diags.has_errors())
            throw Error(ErrorCode::kInconsistent, std::move(diags));
        h = std::move(*series);
    } else {
        const auto* f = hazard::find_city_rainfall_formula(hz.rain_city);
        if (f == nullptr)
            throw Error(ErrorCode::kUnknownValue,
                        "rainstorm: '" + hz.rain_city + "' is not a city of the rainfall library");
        const auto p = f->formula.parameters(hz.return_period_years);
        const auto duration_s = std::llround(hz.duration_h * 3600.0);
        h = hz.hyetograph == "uniform"
                ? hazard::uniform_hyetograph(p, duration_s, hz.rain_step_s)
                : hazard::chicago_hyetograph(p, duration_s, hz.rain_step_s, hz.peak_ratio);
    }
    h.start_s = hz.type == HazardType::kTyphoon ? hz.rain_time_s : hz.time_s;
    return h;
}

/// Every rain gage of the model records the storm: one intensity series (m/s) at the storm's
/// interval, ending with a dry record.
void put_storm_in_gages(drainage::Network& net, const hazard::Hyetograph& h) {
    drainage::TimeSeries ts;
    ts.id = "RENCHENG_STORM";
    while (net.find_series(ts.id).valid())
        ts.id += "_";
    ts.usage = drainage::SeriesUsage::kRainIntensity;
    for (std::size_t k = 0; k <= h.intensity_mm_h.size(); ++k) {
        ts.time_s.push_back(
            static_cast<double>(h.start_s + static_cast<std::int64_t>(k) * h.step_s));
        ts.value.push_back(k < h.intensity_mm_h.size() ? h.intensity_mm_h[k] / 3.6e6 : 0.0);
        ts.dated.push_back(0);
    }
    const auto index = static_cast<std::int32_t>(net.series.size());
    net.series_index.emplace(ts.id, index);
    net.series.push_back(std::move(ts));
    for (auto& g : net.gages) {
        g.format = drainage::RainFormat::kIntensity;
        g.interval_s = h.step_s;
        g.source = drainage::RainSource::kTimeSeries;
        g.series = drainage::SeriesIndex{index};
        g.file.clear();
    }
}

} // namespace

void Simulation::prepare_rainstorm() {
    Impl& I = *impl_;
    for (const auto& hz : scenario_.hazards)
        if ((hz.type == HazardType::kRainstorm ||
             (hz.type == HazardType::kTyphoon && (hz.typhoon_rain || hz.surge))) &&
            I.rain == nullptr)
            I.rain = &hz;
    if (I.rain == nullptr || !city_.drainage)
        return;
    const HazardSpec& hz = *I.rain;
    const drainage::StreetFloodOptions street{hz.min_ponded_area_m2, hz.max_flood_depth_m};

    // The model for the stress test: the storm in its gages, ponding on the streets, run over
    // the horizon and reported at a step that divides the scenario's (at most 5 min).
    drainage::Network net = *city_.drainage;
    put_storm_in_gages(net, storm_hyetograph(hz));
    if (hz.type == HazardType::kTyphoon && hz.surge) {
        // The storm surge raises the outfalls' stage (docs/scenario.md "Typhoon", surge).
        const auto h = static_cast<std::size_t>(&hz - scenario_.hazards.data());
        put_surge_at_outfalls(net, hz, I.typhoons[h].landfall_s, scenario_.horizon_s, 600);
    }
    drainage::enable_street_ponding(net, street);
    net.options.end_s = scenario_.horizon_s;
    net.options.report_start_s = 0;
    net.options.report_step_s = std::gcd(scenario_.step_s, std::int64_t{300});
    I.drainage_dir = city_.files.drainage.empty()
                         ? city_.root
                         : (city_.root / city_.files.drainage).parent_path();
    I.street.emplace(net, street);
    I.storm_net = std::move(net);
    drainage::SimulationOptions so;
    so.base_dir = I.drainage_dir;
    so.hold_at_rest = true; // the dry tail after the storm (docs/scenario.md "Rainstorm")
    so.depth_series_only = true;
    so.report_statistics = false;
    I.storm_base =
        std::make_shared<const drainage::SimulationResult>(drainage::simulate(*I.storm_net, so));

    // Reports of each output step: those in (t_{k-1}, t_k].
    const auto& times = I.storm_base->series.time_s;
    const std::int32_t n_out = scenario_.output_count();
    I.report_end.assign(static_cast<std::size_t>(n_out) + 1, 0);
    for (std::int32_t k = 0; k < n_out; ++k) {
        const std::int64_t t = static_cast<std::int64_t>(k) * scenario_.step_s;
        I.report_end[k + 1] = static_cast<std::int32_t>(
            std::upper_bound(times.begin(), times.end(), t) - times.begin());
    }

    // Deepest street water per node in the run without outages: a zone's drainage is judged at
    // its most flood-prone street node.
    const auto& d = *city_.drainage;
    const auto nn = static_cast<std::size_t>(d.node_count());
    std::vector<double> max_street(nn, 0.0);
    for (std::size_t r = 0; r < times.size(); ++r)
        for (std::size_t n = 0; n < nn; ++n)
            max_street[n] = std::max(
                max_street[n], I.street->depth_m(static_cast<std::int32_t>(n),
                                                 I.storm_base->series.node_depth_m[r * nn + n]));
    const drainage::NodeLocator locator(d);
    const auto dn0 = layer_begin(Layer::kDrainageNode);
    for (std::size_t z = 0; z < city_.zones.size(); ++z) {
        const auto& zone = city_.zones[z];
        std::int32_t best = -1;
        if (zone.ring.size() >= 4)
            for (std::int32_t n = 0; n < d.node_count(); ++n) {
                const bool street_node = d.node_kind[n] == drainage::NodeKind::kJunction ||
                                         d.node_kind[n] == drainage::NodeKind::kDivider;
                if (street_node && point_in_ring(LonLat{d.x[n], d.y[n]}, zone.ring) &&
                    (best < 0 || max_street[n] > max_street[best]))
                    best = n;
            }
        if (best < 0)
            best = locator.nearest(zone.centroid, 1000.0);
        if (best >= 0)
            I.zone_drainage.emplace_back(layer_begin(Layer::kZone) + static_cast<std::int32_t>(z),
                                         dn0 + best);
    }

    // Roads: the street nodes nearest each link's ends and middle.
    if (city_.roads) {
        const auto& r = *city_.roads;
        I.road_flood_node.resize(static_cast<std::size_t>(r.link_count()));
        for (std::int32_t k = 0; k < r.link_count(); ++k) {
            const auto& g = r.link_geometry[k];
            const LonLat ends[3] = {r.node_position[r.link_from[k]], r.node_position[r.link_to[k]],
                                    g.empty() ? r.node_position[r.link_from[k]] : g[g.size() / 2]};
            for (int e = 0; e < 3; ++e)
                I.road_flood_node[k][e] = locator.nearest(ends[e], hz.asset_radius_m);
        }
    }

    // Assets with a flood-depth threshold (docs/scenario.md "Rainstorm"): a user set for the
    // asset's own class wins; else substations, pump stations (water and drainage pumps),
    // hospitals' ground floors and telecom sites by the built-in thresholds.
    if (I.fragility.sets().empty()) {
        I.fragility = hazard::FragilityLibrary::built_in();
        if (!scenario_.fragility_file.empty()) {
            Diagnostics diags;
            I.fragility.read_json(scenario_.fragility_file, diags);
            if (diags.has_errors())
                throw Error(ErrorCode::kInconsistent, std::move(diags));
        }
    }
    using hazard::IntensityMeasure;
    for (std::int32_t a = 0; a < asset_count(); ++a) {
        const hazard::FragilitySet* set =
            I.fragility.find(asset_class_[a], IntensityMeasure::kFloodDepth);
        const std::string& cls = asset_class_[a];
        const auto local = asset_local_[a];
        const char* default_class = nullptr;
        switch (asset_layer_[a]) {
        case Layer::kPowerBus:
            if (cls.rfind("power.substation", 0) == 0 || cls == "power.supply_220kv")
                default_class = "substation";
            break;
        case Layer::kWaterLink:
            if (city_.water->link_kind[local] == water::LinkKind::kPump)
                default_class = "pump_station";
            break;
        case Layer::kDrainageLink:
            if (d.link_kind[local] == drainage::LinkKind::kPump)
                default_class = "pump_station";
            break;
        case Layer::kFacility:
            if (city_.facilities[local].kind == model::FacilityKind::kHospital)
                default_class = "hospital";
            else if (city_.facilities[local].kind == model::FacilityKind::kTelecomSite)
                default_class = "telecom_site";
            break;
        default:
            break;
        }
        if (set == nullptr && default_class != nullptr)
            set = I.fragility.find(default_class, IntensityMeasure::kFloodDepth);
        if (set == nullptr || set->states.empty())
            continue;
        const auto node = locator.nearest(asset_position_[a], hz.asset_radius_m);
        if (node >= 0)
            I.flood_exposed.push_back({a, node, set});
    }
    for (std::int32_t k = 0; k < d.link_count(); ++k)
        if (d.link_kind[k] == drainage::LinkKind::kPump)
            I.drainage_pumps.push_back(k);
    std::vector<std::int32_t> tails, heads;
    for (std::int32_t k = 0; k < d.link_count(); ++k) {
        tails.push_back(d.from_node[k].value());
        heads.push_back(d.to_node[k].value());
    }
    std::vector<std::int32_t> t2 = tails, h2 = heads;
    t2.insert(t2.end(), heads.begin(), heads.end());
    h2.insert(h2.end(), tails.begin(), tails.end());
    I.drain_adj = build_csr(d.node_count(), t2, h2);
    for (auto& id : I.drain_adj.arc_ids)
        id %= std::max<std::int32_t>(1, d.link_count());
}

void Simulation::prepare_gas() {
    if (city_.gas)
        impl_->gas = std::make_unique<GasLifeline>(*city_.gas);
}

Simulation::~Simulation() = default;

std::int32_t Simulation::find_asset(std::string_view name) const {
    const auto it = asset_index_.find(std::string(name));
    return it == asset_index_.end() ? -1 : it->second;
}

bool Simulation::has_lifeline(Lifeline l) const {
    switch (l) {
    case Lifeline::kWater:
        return city_.water.has_value();
    case Lifeline::kPower:
        return city_.power.has_value();
    case Lifeline::kRoads:
        return city_.roads.has_value();
    case Lifeline::kGas:
        return city_.gas.has_value();
    }
    return false;
}

bool Simulation::facility_depends(std::int32_t f, model::Service s) const {
    return impl_->facility_need[static_cast<std::size_t>(f) * kServiceCount +
                                static_cast<std::size_t>(s)] >= 0;
}

std::vector<LonLat> Simulation::asset_line(std::int32_t a) const {
    const auto local = asset_local_[a];
    switch (asset_layer_[a]) {
    case Layer::kRoadLink:
        return city_.roads->link_geometry[local];
    case Layer::kWaterLink: {
        const auto& w = *city_.water;
        const auto i = w.from_node[local].idx(), j = w.to_node[local].idx();
        std::vector<LonLat> line{{w.x[i], w.y[i]}};
        const auto& v = w.vertices[local];
        for (std::size_t k = 0; k + 1 < v.size(); k += 2)
            line.push_back({v[k], v[k + 1]});
        line.push_back({w.x[j], w.y[j]});
        return line;
    }
    case Layer::kDrainageLink: {
        const auto& d = *city_.drainage;
        const auto i = d.from_node[local].idx(), j = d.to_node[local].idx();
        std::vector<LonLat> line{{d.x[i], d.y[i]}};
        if (static_cast<std::size_t>(local) < d.vertices.size()) {
            const auto& v = d.vertices[local];
            for (std::size_t k = 0; k + 1 < v.size(); k += 2)
                line.push_back({v[k], v[k + 1]});
        }
        line.push_back({d.x[j], d.y[j]});
        return line;
    }
    case Layer::kPowerBranch: {
        const auto& p = *city_.power;
        return {asset_position_[layer_begin(Layer::kPowerBus) + p.branches.from[local].value()],
                asset_position_[layer_begin(Layer::kPowerBus) + p.branches.to[local].value()]};
    }
    case Layer::kGasLink: {
        // the geometry holds the whole line, ends included (docs/gas.md)
        const auto& g = *city_.gas;
        std::vector<LonLat> line;
        if (static_cast<std::size_t>(local) < g.vertices.size())
            for (std::size_t k = 0; k + 1 < g.vertices[local].size(); k += 2)
                line.push_back({g.vertices[local][k], g.vertices[local][k + 1]});
        if (line.size() < 2) {
            const auto i = g.from_node[local].idx(), j = g.to_node[local].idx();
            line = {{g.lon_deg[i], g.lat_deg[i]}, {g.lon_deg[j], g.lat_deg[j]}};
        }
        return line;
    }
    default:
        return {};
    }
}

// =============================================================================================
// One realization

namespace {

struct PlannedDamage {
    std::int64_t time_s = 0;
    std::int32_t asset = -1;
    DamageLevel level = DamageLevel::kFailed;
    std::string detail, detail_zh;
    std::int64_t restore_s = -1; ///< operator restoration time (supply loss), -1: by crews
    std::int64_t repair_s = 0;   ///< crew work once on site
    /// Repair-table kind when not the asset's own (typhoon: "power_pole", "power_tower"), and
    /// how many units the crew repairs (poles or towers down; 0: one repair)
    std::string repair_kind;
    std::int32_t repair_units = 0;
};

class Run {
public:
    Run(const Simulation& sim, const Impl& impl, std::int32_t realization, DispatchPolicy policy,
        bool keep_events)
        : S(sim), I(impl), sc(sim.scenario()), city(sim.city()), r_(realization), policy_(policy),
          keep_events_(keep_events) {}

    RealizationResult run();

private:
    const Simulation& S;
    const Impl& I;
    const Scenario& sc;
    const model::City& city;
    std::int32_t r_;
    DispatchPolicy policy_;
    bool keep_events_;

    std::int64_t t_ = 0;
    std::size_t na_ = 0;
    RealizationResult out_;
    std::int32_t seq_ = 0;

    // per asset
    std::vector<DamageLevel> level_;
    std::vector<std::string> damage_detail_;
    std::vector<std::uint8_t> func_; ///< functional: not disabled by damage nor needs
    std::vector<std::uint8_t> down_; ///< func_ false, or no service from its lifeline
    std::vector<std::uint8_t> reported_down_;
    std::vector<std::int32_t> cause_of_; ///< why it is down: the asset upstream, -1 root
    std::vector<std::string> down_detail_;
    std::vector<std::int64_t> repair_done_; ///< time the repair completes, -1 none scheduled
    std::vector<std::int64_t> repair_s_;
    std::vector<std::int64_t> restore_at_; ///< operator restoration, -1 none
    std::vector<std::uint8_t> awaiting_repair_;
    std::vector<std::uint8_t> ever_damaged_;

    // per need
    std::vector<std::uint8_t> met_, held_, reported_held_, on_backup_;
    std::vector<std::int64_t> unmet_since_;
    std::vector<std::int32_t> need_cause_;
    std::vector<std::string> need_detail_;
    std::vector<std::int64_t> generator_from_; ///< mobile generator on site from, -1 none
    std::vector<std::int64_t> truck_from_;

    // water
    std::optional<water::Network> wnet_;
    /// Topologies of the damaged water network per set of split pipes: the splits change only
    /// when a pipe is damaged or repaired, not at every step.
    water::DamagedTopologyCache w_topologies_;
    std::vector<double> w_pressure_;
    std::vector<std::uint8_t> w_cut_;
    std::vector<double> w_required_;
    std::vector<std::uint8_t> w_sig_, w_sig_solved_;
    bool w_have_carry_ = false;
    std::vector<double> carry_volume_, carry_head_;
    std::vector<water::LinkState> carry_status_;
    std::vector<double> carry_setting_;
    std::vector<double> next_volume_, next_head_;
    std::vector<water::LinkState> next_status_;
    std::vector<double> next_setting_;
    double w_unmet_m3s_ = 0;

    // power
    power::IslandingResult pres_;
    std::vector<std::int32_t> ties_closed_; ///< switch indices closed by the last solve, sorted
    std::vector<std::uint8_t> p_sig_, p_sig_solved_;
    bool p_solved_ = false;

    // roads
    std::vector<std::uint8_t> closed_arcs_;
    transport::ShortestPathTree access_tree_, crew_tree_;
    transport::ShortestPathWorkspace ws_;
    std::vector<std::uint8_t> r_sig_, r_sig_solved_;
    bool r_solved_ = false;
    std::vector<double> arc_minutes_; ///< travel times, flooded roads slowed (drainage_step)

    // drainage under a rainstorm (drainage_step, drainage_pumps)
    std::shared_ptr<const drainage::SimulationResult> storm_; ///< the run without outages
    /// The realization's own run from its first pump power change on, routed in step with it.
    std::unique_ptr<drainage::Simulator> storm_live_;
    std::vector<double> flood_depth_;        ///< per drainage node: street depth this step, m
    std::vector<std::uint8_t> flood_closed_; ///< per asset: closed by standing water now
    std::vector<std::string> flood_detail_;  ///< per asset: the depth that closed it
    std::vector<std::uint8_t> flood_hit_;    ///< per flood exposure: failed in this storm
    std::vector<double> flood_u_, flood_z_;  ///< per flood exposure: damage and repair draws
    std::vector<std::uint8_t> pump_running_; ///< per drainage pump: running now
    std::vector<std::uint8_t> road_flooded_ever_;

    // gas (gas_step): the state in force, and per gas node when its supply was cut (-1: fed)
    // and whether it lies in a segment shut off around a break
    std::shared_ptr<const GasSupply> gas_now_;
    std::vector<std::int64_t> gas_since_;
    std::vector<std::uint8_t> gas_vented_;
    std::vector<std::uint8_t> gas_isolated_; ///< per connection: its isolation was reported
    std::vector<std::uint8_t> g_sig_, g_sig_solved_;

    // crews
    struct CrewState {
        std::int64_t free_at = 0;
        std::int32_t node = -1;
    };
    std::vector<CrewState> crew_;
    std::int32_t generators_free_ = 0;

    // attribution of the current step
    std::vector<double> people_now_;
    std::vector<std::uint8_t> critical_now_;
    std::vector<std::uint8_t> in_chain_;
    std::map<std::pair<std::int32_t, int>, std::size_t> root_index_;

    std::vector<PlannedDamage> plan_;
    std::size_t next_plan_ = 0;
    std::array<std::int32_t, kLifelineCount> damaged_{};
    std::array<std::int32_t, kLifelineCount> repaired_{};
    std::vector<std::int32_t> bfs_queue_;
    mutable std::vector<std::uint32_t> bfs_mark_;
    mutable std::uint32_t bfs_stamp_ = 0;

    // ---- helpers -----------------------------------------------------------------------------
    Layer layer(std::int32_t a) const { return S.asset_layer(a); }
    std::int32_t local(std::int32_t a) const { return S.asset_local(a); }
    const std::string& name(std::int32_t a) const { return S.asset_name(a); }
    std::int32_t asset(Layer l, std::int32_t local) const { return S.layer_begin(l) + local; }

    static bool own_ok(DamageLevel d) {
        return d == DamageLevel::kNone || d == DamageLevel::kSlight || d == DamageLevel::kLeak;
    }
    /// True when the asset's own damage explains a loss through it: damage that takes it out of
    /// service, or a leak. Slight damage leaves it working, so a slightly damaged pump without
    /// power is down for want of power, and its chain goes on to the power side.
    bool damage_explains(std::size_t a) const {
        return !own_ok(level_[a]) || level_[a] == DamageLevel::kLeak;
    }

    void event(std::int64_t time, std::int32_t a, EventKind kind, int service, std::int32_t cause,
               EventKind cause_kind, std::string detail, std::string detail_zh,
               std::vector<std::string> chain = {}) {
        if (!keep_events_)
            return;
        Event e;
        e.time_s = time;
        e.seq = seq_++;
        e.asset = a;
        e.service = static_cast<std::int8_t>(service);
        e.kind = kind;
        e.cause_asset = cause;
        e.cause_kind = cause_kind;
        e.detail = std::move(detail);
        e.detail_zh = std::move(detail_zh);
        e.chain = std::move(chain);
        out_.events.push_back(std::move(e));
    }

    std::string repair_kind(std::int32_t a) const;
    std::optional<Lifeline> lifeline_of(std::int32_t a) const;
    void plan_damage();
    void plan_earthquake(std::size_t h);
    void plan_typhoon(std::size_t h);
    void apply_damage_and_repairs();
    void compute_function();
    bool water_step();
    void gas_step();
    void power_step();
    void tie_events(const SwitchingOutcome& sw);
    void road_step();
    void drainage_step(std::int32_t k);
    void drainage_pumps();
    const drainage::ReportSeries& storm_series(std::int32_t k);
    bool deliver(std::int32_t p, int service, double threshold, std::string* detail) const;
    void evaluate_needs();
    void system_state();
    std::int32_t bfs_cause(std::int32_t a) const;
    void walk_chain(std::int32_t consumer, int service, std::int32_t provider,
                    const std::string& first_detail, std::vector<std::string>* chain,
                    std::vector<std::int32_t>* assets) const;
    void record(std::int32_t k, std::int32_t n_out);
    void dispatch();
    void mobile_resources();
};

std::string Run::repair_kind(std::int32_t a) const {
    switch (layer(a)) {
    case Layer::kWaterLink: {
        const auto kind = city.water->link_kind[local(a)];
        return kind == water::LinkKind::kPump    ? "water_pump"
               : kind == water::LinkKind::kValve ? "water_valve"
                                                 : "water_pipe";
    }
    case Layer::kWaterNode: {
        const auto kind = city.water->node_kind[local(a)];
        return kind == water::NodeKind::kReservoir ? "water_source"
               : kind == water::NodeKind::kTank    ? "water_tank"
                                                   : "water_junction";
    }
    case Layer::kGasLink: {
        const auto kind = city.gas->connection_kind[local(a)];
        return kind == gas::ConnectionKind::kRegulator    ? "gas_regulator"
               : kind == gas::ConnectionKind::kCompressor ? "gas_compressor"
               : kind == gas::ConnectionKind::kValve      ? "gas_valve"
                                                          : "gas_pipe";
    }
    case Layer::kGasNode:
        return city.gas->node_kind[local(a)] == gas::NodeKind::kSource ? "gas_source" : "gas_node";
    default:
        return std::string(layer_name(layer(a)));
    }
}

std::optional<Lifeline> Run::lifeline_of(std::int32_t a) const {
    switch (layer(a)) {
    case Layer::kWaterNode:
    case Layer::kWaterLink:
        return Lifeline::kWater;
    case Layer::kPowerBus:
    case Layer::kPowerBranch:
    case Layer::kPowerGen:
        return Lifeline::kPower;
    case Layer::kRoadNode:
    case Layer::kRoadLink:
        return Lifeline::kRoads;
    case Layer::kGasNode:
    case Layer::kGasLink:
        return Lifeline::kGas;
    default:
        return std::nullopt;
    }
}

void Run::plan_damage() {
    // The plan depends only on (seed, realization): every policy replays the same damage.
    for (std::size_t h = 0; h < sc.hazards.size(); ++h) {
        const HazardSpec& hz = sc.hazards[h];
        switch (hz.type) {
        case HazardType::kFailure:
            for (const auto& nm : hz.assets) {
                const auto a = S.find_asset(nm);
                if (a < 0)
                    continue;
                DamageLevel lv = parse_damage_level(hz.state);
                const bool gas_pipe = layer(a) == Layer::kGasLink && I.gas->is_pipe(local(a));
                if (layer(a) == Layer::kWaterLink && lv == DamageLevel::kFailed &&
                    city.water->link_kind[local(a)] == water::LinkKind::kPipe)
                    lv = DamageLevel::kBreak;
                if (gas_pipe && lv == DamageLevel::kFailed)
                    lv = DamageLevel::kBreak;
                if (lv == DamageLevel::kLeak && !gas_pipe &&
                    !(layer(a) == Layer::kWaterLink &&
                      city.water->link_kind[local(a)] == water::LinkKind::kPipe))
                    lv = DamageLevel::kFailed;
                const std::string label = hz.label.empty() ? "scenario failure" : hz.label;
                const std::string label_zh = hz.label_zh.empty() ? "情景设定故障" : hz.label_zh;
                plan_.push_back(
                    {hz.time_s, a, lv, std::string(damage_level_name(lv)) + " (" + label + ")",
                     std::string(damage_level_name(lv)) + "（" + label_zh + "）", -1, 0});
            }
            break;
        case HazardType::kRandomFailures: {
            Layer l = Layer::kWaterLink;
            for (int i = 0; i < kLayerCount; ++i)
                if (layer_name(static_cast<Layer>(i)) == hz.layer)
                    l = static_cast<Layer>(i);
            std::vector<std::int32_t> pool;
            for (std::int32_t k = 0; k < S.layer_size(l); ++k)
                if (!I.hardened[asset(l, k)])
                    pool.push_back(asset(l, k));
            RngStream rng(sc.seed, static_cast<std::uint32_t>(r_),
                          kStreamRandomFailuresBase + static_cast<std::uint32_t>(h));
            const auto n = std::min<std::size_t>(pool.size(), static_cast<std::size_t>(hz.count));
            for (std::size_t i = 0; i < n; ++i) { // partial Fisher–Yates
                const auto j = i + rng.below(pool.size() - i);
                std::swap(pool[i], pool[j]);
                const auto a = pool[i];
                DamageLevel lv = DamageLevel::kFailed;
                if (l == Layer::kWaterLink &&
                    city.water->link_kind[local(a)] == water::LinkKind::kPipe)
                    lv = DamageLevel::kBreak;
                if (l == Layer::kRoadLink)
                    lv = DamageLevel::kClosed;
                if (l == Layer::kGasLink && I.gas->is_pipe(local(a)))
                    lv = DamageLevel::kBreak;
                plan_.push_back({hz.time_s, a, lv,
                                 std::string(damage_level_name(lv)) + " (random N-" +
                                     std::to_string(hz.count) + ")",
                                 std::string(damage_level_name(lv)) + "（随机 N-" +
                                     std::to_string(hz.count) + "）",
                                 -1, 0});
            }
            break;
        }
        case HazardType::kSupplyLoss: {
            std::vector<std::int32_t> targets;
            for (const auto& nm : hz.assets)
                if (const auto a = S.find_asset(nm); a >= 0)
                    targets.push_back(a);
            if (targets.empty() && hz.supply == "power" && city.power) {
                for (const auto& info : city.power_buses)
                    if (info.kind == "supply_220kv")
                        if (const auto b = city.power->find_bus(info.bus_number); b.valid())
                            targets.push_back(asset(Layer::kPowerBus, b.value()));
            }
            if (targets.empty() && hz.supply == "water" && city.water) {
                for (std::int32_t n = 0; n < city.water->node_count(); ++n)
                    if (city.water->node_kind[n] == water::NodeKind::kReservoir)
                        targets.push_back(asset(Layer::kWaterNode, n));
            }
            if (targets.empty() && hz.supply == "gas" && city.gas) {
                for (std::int32_t n = 0; n < city.gas->node_count(); ++n)
                    if (city.gas->node_kind[n] == gas::NodeKind::kSource)
                        targets.push_back(asset(Layer::kGasNode, n));
            }
            const bool contamination = hz.cause == "contamination";
            std::string what = hz.supply == "power"
                                   ? "external supply lost"
                                   : (contamination ? "source contaminated" : "source lost");
            std::string what_zh =
                hz.supply == "power" ? "外部电源中断" : (contamination ? "水源污染" : "水源中断");
            if (hz.supply == "gas") {
                what = "gas supply lost";
                what_zh = "上游气源中断";
            }
            for (const auto a : targets)
                plan_.push_back({hz.time_s, a, DamageLevel::kFailed, what, what_zh,
                                 hz.duration_s >= 0 ? hz.time_s + hz.duration_s
                                                    : std::numeric_limits<std::int64_t>::max(),
                                 0});
            break;
        }
        case HazardType::kEarthquake:
            plan_earthquake(h);
            break;
        case HazardType::kRainstorm:
            break; // its damage comes step by step from the street water (drainage_step)
        case HazardType::kTyphoon:
            plan_typhoon(h); // wind; its rain and surge act through drainage_step
            break;
        }
    }
    std::stable_sort(
        plan_.begin(), plan_.end(),
        [](const PlannedDamage& a, const PlannedDamage& b) { return a.time_s < b.time_s; });
    // Repair durations: one draw per planned damage, in plan order, from their own stream.
    RngStream rng(sc.seed, static_cast<std::uint32_t>(r_), kStreamRepair);
    for (auto& p : plan_) {
        const RepairTime rt =
            sc.recovery.repair.find(p.repair_kind.empty() ? repair_kind(p.asset) : p.repair_kind,
                                    damage_level_name(p.level));
        const double z = rng.normal();
        // n units (poles, towers) one after the other: mean n·μ, standard deviation √n·σ
        const double n = std::max(1.0, static_cast<double>(p.repair_units));
        const double hours =
            std::max(0.1 * n * rt.mean_h, n * rt.mean_h + std::sqrt(n) * rt.sd_h * z);
        p.repair_s = std::llround(hours * 3600.0);
    }
}

void Run::plan_earthquake(std::size_t h) {
    // Ground motion at every exposed site from one stream, then one damage draw per site in
    // site order from another: the same (seed, realization) gives the same damage.
    const HazardSpec& hz = sc.hazards[h];
    const Impl::Quake& q = I.quakes[h];
    std::vector<hazard::GroundMotion> gm;
    if (q.field) {
        RngStream rng(sc.seed, static_cast<std::uint32_t>(r_),
                      kStreamGroundMotionBase + static_cast<std::uint32_t>(h));
        gm = q.field->sample(I.exposed_sites, rng);
    } else if (q.shakemap) {
        gm.reserve(I.exposed_sites.size());
        for (const auto& p : I.exposed_sites)
            gm.push_back(q.shakemap->at(p).value_or(hazard::GroundMotion{}));
    } else {
        return;
    }
    RngStream rng(sc.seed, static_cast<std::uint32_t>(r_),
                  kStreamSeismicDamageBase + static_cast<std::uint32_t>(h));
    const std::string label = hz.label.empty() ? "earthquake" : hz.label;
    for (std::size_t i = 0; i < I.exposed.size(); ++i) {
        const auto a = I.exposed[i].asset;
        const hazard::FragilitySet* set = I.exposed[i].set;
        DamageLevel lv = DamageLevel::kNone;
        std::string why;
        if (set == nullptr) {
            const auto k = local(a);
            // Gas mains are welded steel (sub-high ring) and PE: HAZUS ductile pipe
            // (docs/scenario.md "Gas"); water pipes by the scenario's model.
            const bool gas_pipe = layer(a) == Layer::kGasLink;
            hazard::PipeRepairRate gas_rate;
            gas_rate.model = hazard::PipeRepairModel::kHazusDuctile;
            const hazard::PipeDamage pd = hazard::sample_pipe_damage(
                gas_pipe ? gas_rate : q.pipe_rate, gm[i].pgv_cm_s,
                gas_pipe ? city.gas->length_m[k] : city.water->length_m[k], rng);
            lv = pd.breaks > 0  ? DamageLevel::kBreak
                 : pd.leaks > 0 ? DamageLevel::kLeak
                                : DamageLevel::kNone;
            why = "PGV " + fmt("%.1f", gm[i].pgv_cm_s) + " cm/s, " + std::to_string(pd.repairs()) +
                  " repair" + (pd.repairs() == 1 ? "" : "s");
        } else {
            double im = gm[i].pga_g;
            std::string imn = "PGA " + fmt("%.2f", im) + " g";
            if (set->measure == hazard::IntensityMeasure::kSa10) {
                im = gm[i].sa10_g;
                imn = "Sa(1.0) " + fmt("%.2f", im) + " g";
            } else if (set->measure == hazard::IntensityMeasure::kPgv) {
                im = gm[i].pgv_cm_s;
                imn = "PGV " + fmt("%.1f", im) + " cm/s";
            }
            const int st = set->sample(im, rng.uniform());
            if (st > 0)
                lv = parse_damage_level(set->states[static_cast<std::size_t>(st - 1)].name);
            why = imn;
        }
        if (lv == DamageLevel::kNone || I.hardened[static_cast<std::size_t>(a)])
            continue;
        if (layer(a) == Layer::kRoadLink && lv == DamageLevel::kFailed)
            lv = DamageLevel::kClosed;
        const std::string state(damage_level_name(lv));
        for (std::size_t m = 0; m <= I.exposed[i].also.size(); ++m) {
            // the asset drawn, then the other pumps of its plant
            const auto x = m == 0 ? a : I.exposed[i].also[m - 1];
            if (m > 0 && I.hardened[static_cast<std::size_t>(x)])
                continue;
            plan_.push_back(
                {hz.time_s, x, lv, state + " (" + why + ", " + label + ")",
                 state + "（" + why + "，" + (hz.label_zh.empty() ? "地震" : hz.label_zh) + "）",
                 -1, 0});
        }
    }
}

void Run::plan_typhoon(std::size_t h) {
    // Wind damage at the time each asset's gust peaks: a line fails when any of its poles or
    // towers does (supports in series, independent), an asset with its own curve by that curve.
    // Two uniforms per exposed asset from the hazard's own stream, whatever happens.
    const HazardSpec& hz = sc.hazards[h];
    const Impl::Typhoon& ty = I.typhoons[h];
    RngStream rng(sc.seed, static_cast<std::uint32_t>(r_),
                  kStreamWindDamageBase + static_cast<std::uint32_t>(h));
    const std::string label = hz.label.empty() ? "typhoon" : hz.label;
    const std::string label_zh = hz.label_zh.empty() ? "台风" : hz.label_zh;
    for (const auto& e : ty.exposed) {
        const double u_any = rng.uniform(), u_count = rng.uniform();
        if (I.hardened[static_cast<std::size_t>(e.asset)])
            continue;
        const std::string gust = "gust " + fmt("%.1f", e.gust_ms) + " m/s";
        const std::string gust_zh = "阵风 " + fmt("%.1f", e.gust_ms) + " 米/秒";
        if (e.supports > 0) {
            // A support is down when it reaches the curve's most severe state.
            const double p = e.set->exceedances(e.im).back();
            const int k = hazard::sample_failed_supports(p, e.supports, u_any, u_count);
            if (k == 0)
                continue;
            const std::string n = std::to_string(k) + " of " + std::to_string(e.supports);
            const std::string what = e.towers ? " towers down" : " poles down";
            const std::string what_zh = e.towers ? " 基杆塔倒塌" : " 根电杆倒断";
            PlannedDamage d{e.time_s,
                            e.asset,
                            DamageLevel::kFailed,
                            "failed (" + n + what + ", " + gust + ", " + label + ")",
                            "失效（" + std::to_string(k) + "/" + std::to_string(e.supports) +
                                what_zh + "，" + gust_zh + "，" + label_zh + "）",
                            -1,
                            0};
            d.repair_kind = e.towers ? "power_tower" : "power_pole";
            d.repair_units = k;
            plan_.push_back(std::move(d));
            continue;
        }
        const int st = e.set->sample(e.im, u_any);
        if (st <= 0)
            continue;
        DamageLevel lv = parse_damage_level(e.set->states[static_cast<std::size_t>(st - 1)].name);
        if (layer(e.asset) == Layer::kRoadLink && lv == DamageLevel::kFailed)
            lv = DamageLevel::kClosed;
        const std::string state(damage_level_name(lv));
        plan_.push_back({e.time_s, e.asset, lv, state + " (" + gust + ", " + label + ")",
                         state + "（" + gust_zh + "，" + label_zh + "）", -1, 0});
    }
}

void Run::apply_damage_and_repairs() {
    // Repairs and restorations that are done by now.
    for (std::size_t a = 0; a < na_; ++a) {
        const bool repaired = repair_done_[a] >= 0 && repair_done_[a] <= t_;
        const bool restored = restore_at_[a] >= 0 && restore_at_[a] <= t_;
        if (!repaired && !restored)
            continue;
        level_[a] = DamageLevel::kNone;
        repair_done_[a] = -1;
        restore_at_[a] = -1;
        awaiting_repair_[a] = 0;
        if (const auto l = lifeline_of(static_cast<std::int32_t>(a)))
            ++repaired_[static_cast<int>(*l)];
        event(t_, static_cast<std::int32_t>(a), EventKind::kRepaired, -1, -1, EventKind::kDamaged,
              restored ? "restored by the operator" : "repaired by a crew",
              restored ? "运营方恢复" : "抢修完成");
    }
    while (next_plan_ < plan_.size() && plan_[next_plan_].time_s <= t_) {
        const PlannedDamage& p = plan_[next_plan_++];
        const auto a = static_cast<std::size_t>(p.asset);
        if (level_[a] != DamageLevel::kNone && level_[a] >= p.level &&
            level_[a] != DamageLevel::kLeak)
            continue; // already worse
        const bool first = !ever_damaged_[a];
        level_[a] = p.level;
        damage_detail_[a] = p.detail;
        repair_s_[a] = p.repair_s;
        ever_damaged_[a] = 1;
        if (out_.first_damage[a] == DamageLevel::kNone)
            out_.first_damage[a] = p.level;
        if (first) {
            ++out_.damaged_per_layer[static_cast<int>(layer(p.asset))];
            if (const auto l = lifeline_of(p.asset))
                ++damaged_[static_cast<int>(*l)];
        }
        if (p.restore_s >= 0) {
            restore_at_[a] =
                p.restore_s == std::numeric_limits<std::int64_t>::max() ? -1 : p.restore_s;
            awaiting_repair_[a] = 0;
        } else if (lifeline_of(p.asset)) {
            awaiting_repair_[a] = 1;
        } else {
            // Facilities and zones are repaired by their own staff, no crew needed.
            restore_at_[a] = t_ + p.repair_s;
        }
        event(t_, p.asset, EventKind::kDamaged, -1, -1, EventKind::kDamaged, p.detail, p.detail_zh,
              {name(p.asset) + " damaged: " + p.detail});
    }
}

void Run::compute_function() {
    for (std::size_t a = 0; a < na_; ++a) {
        bool ok = own_ok(level_[a]) && (flood_closed_.empty() || flood_closed_[a] == 0);
        for (auto n = I.need_begin[a]; ok && n < I.need_begin[a + 1]; ++n)
            ok = held_[n] != 0;
        func_[a] = ok ? 1 : 0;
    }
}

bool Run::water_step() {
    if (!city.water)
        return false;
    const auto& base = *city.water;
    const auto wl0 = S.layer_begin(Layer::kWaterLink), wn0 = S.layer_begin(Layer::kWaterNode);
    // The water-side inputs: what is out of service and what leaks.
    for (std::int32_t k = 0; k < base.link_count(); ++k) {
        const auto a = static_cast<std::size_t>(wl0 + k);
        w_sig_[k] = func_[a] ? (level_[a] == DamageLevel::kLeak ? 2 : 1) : 0;
    }
    for (std::int32_t n = 0; n < base.node_count(); ++n)
        w_sig_[base.link_count() + n] = func_[static_cast<std::size_t>(wn0 + n)];
    if (w_sig_ == w_sig_solved_)
        return false;
    w_sig_solved_ = w_sig_;

    water::DamageState damage;
    std::vector<std::uint8_t> forced(static_cast<std::size_t>(base.link_count()), 0);
    for (std::int32_t k = 0; k < base.link_count(); ++k) {
        const auto a = static_cast<std::size_t>(wl0 + k);
        const water::LinkIndex li{k};
        if (!func_[a]) {
            forced[k] = 1;
            if (base.link_kind[k] == water::LinkKind::kPump)
                damage.pump_outages.push_back(li);
            else if (level_[a] == DamageLevel::kBreak)
                damage.breaks.push_back({li});
            else
                damage.closed_links.push_back(li);
        } else if (level_[a] == DamageLevel::kLeak) {
            const double d = base.diameter_m[k];
            damage.leaks.push_back(
                {water::NodeIndex{}, li, 0.5, kLeakAreaFraction * M_PI * d * d / 4.0});
        }
    }
    for (std::int32_t n = 0; n < base.node_count(); ++n) {
        if (func_[static_cast<std::size_t>(wn0 + n)])
            continue;
        if (base.node_kind[n] == water::NodeKind::kReservoir)
            damage.source_losses.push_back(water::NodeIndex{n});
        else if (base.node_kind[n] == water::NodeKind::kTank)
            damage.tank_outages.push_back(water::NodeIndex{n});
    }

    // One EPS segment [t, t + step] from the carried tank levels and link statuses: patterns,
    // controls and tank dynamics stay EPANET's, while the other lifelines change the damage
    // between segments (docs/scenario.md "Co-simulation").
    wnet_->times.pattern_start = base.times.pattern_start + t_;
    wnet_->times.start_clocktime = (base.times.start_clocktime + t_) % 86400;
    water::EpsOptions eo;
    eo.duration = sc.step_s;
    const std::int32_t nt = base.tanks.count();
    eo.before_solve = [&](water::Seconds tl, water::HydraulicState& st) {
        if (tl != 0 || !w_have_carry_)
            return;
        for (std::int32_t i = 0; i < nt; ++i) {
            st.tank_volume_m3[i] = carry_volume_[i];
            st.head_m[base.tanks.node[i].idx()] = carry_head_[i];
        }
        for (std::int32_t k = 0; k < base.link_count(); ++k)
            if (!forced[k]) {
                st.status[k] = carry_status_[k];
                st.setting[k] = carry_setting_[k];
            }
    };
    eo.after_solve = [&](water::Seconds, const water::HydraulicState& st,
                         const water::HydraulicSummary&) {
        next_volume_ = st.tank_volume_m3;
        next_head_.resize(static_cast<std::size_t>(nt));
        for (std::int32_t i = 0; i < nt; ++i)
            next_head_[i] = st.head_m[base.tanks.node[i].idx()];
        next_status_ = st.status;
        next_setting_ = st.setting;
    };
    const water::DamageResult res =
        water::simulate_damage(*wnet_, *I.topo, damage, eo, &w_topologies_);
    ++out_.water_solves;
    out_.max_water_mass_balance = std::max(out_.max_water_mass_balance, res.max_mass_balance_error);
    w_unmet_m3s_ = 0;
    if (res.steps.empty())
        return true;
    const water::DamageStep& s0 = res.steps.front();
    for (std::int32_t n = 0; n < base.node_count(); ++n) {
        w_pressure_[n] = s0.head_m[n] - base.elevation_m[n];
        w_cut_[n] = s0.cut_off[n] != 0 ? 1 : 0;
        w_required_[n] = s0.required_m3s.empty() ? 0.0 : s0.required_m3s[n];
        if (base.node_kind[n] == water::NodeKind::kJunction && w_required_[n] > 0 &&
            (w_cut_[n] || w_pressure_[n] < sc.service.water_pressure_m))
            w_unmet_m3s_ += w_required_[n];
    }
    return true;
}

void Run::gas_step() {
    // The gas network under this step's outages (docs/scenario.md "Gas"): a broken pipe's
    // segment is shut off by its valves and vented, failed or unpowered stations are closed,
    // lost gate stations feed nothing; a part left without a source lives on its linepack.
    if (!I.gas)
        return;
    const auto& g = *city.gas;
    const auto gl0 = S.layer_begin(Layer::kGasLink), gn0 = S.layer_begin(Layer::kGasNode);
    const auto nc = static_cast<std::size_t>(g.connection_count());
    const auto nn = static_cast<std::size_t>(g.node_count());
    for (std::size_t k = 0; k < nc; ++k)
        g_sig_[k] = func_[gl0 + k];
    for (std::size_t n = 0; n < nn; ++n)
        g_sig_[nc + n] = func_[gn0 + n];
    if (gas_now_ && g_sig_ == g_sig_solved_)
        return;
    g_sig_solved_ = g_sig_;
    GasOutages outages;
    std::fill(gas_vented_.begin(), gas_vented_.end(), 0);
    for (std::size_t k = 0; k < nc; ++k) {
        const auto a = static_cast<std::int32_t>(gl0 + k);
        const auto ki = static_cast<std::int32_t>(k);
        if (func_[static_cast<std::size_t>(a)]) {
            gas_isolated_[k] = 0;
            continue;
        }
        outages.connections.push_back(ki);
        if (!I.gas->is_pipe(ki) || level_[static_cast<std::size_t>(a)] != DamageLevel::kBreak)
            continue; // a station or valve out of service stops gas; only a break vents
        const auto iso = I.gas->isolation(ki);
        for (const auto& v : iso->valves)
            outages.connections.push_back(v.valve.value());
        for (const auto c : iso->segment_connections)
            outages.connections.push_back(c.value());
        for (const auto s : iso->sources_to_shut)
            outages.sources.push_back(s.value());
        for (const auto n : iso->segment_nodes)
            gas_vented_[n.idx()] = 1;
        if (!gas_isolated_[k]) {
            gas_isolated_[k] = 1;
            const std::string what =
                "shut off: " + std::to_string(iso->valves.size()) + " valve" +
                (iso->valves.size() == 1 ? "" : "s") + " closed within " +
                fmt("%.0f", iso->isolation_time_s / 60.0) + " min, " +
                std::to_string(iso->customers_in_segment.size()) + " customers in the segment, " +
                std::to_string(iso->customers_cut_off.size()) + " cut off beyond it";
            event(t_, a, EventKind::kFunctionLost, static_cast<int>(model::Service::kGas), -1,
                  EventKind::kDamaged, what, detail_zh(what), {name(a) + " " + what});
        }
    }
    for (std::size_t n = 0; n < nn; ++n) {
        if (func_[gn0 + n])
            continue;
        if (g.node_kind[n] == gas::NodeKind::kSource) {
            outages.sources.push_back(static_cast<std::int32_t>(n));
        } else { // a junction or customer out of service: its connections are shut
            const auto arcs = I.gas->adjacency().arcs(static_cast<std::int32_t>(n));
            outages.connections.insert(outages.connections.end(), arcs.begin(), arcs.end());
        }
    }
    bool computed = false;
    gas_now_ = I.gas->supply(std::move(outages), &computed);
    out_.gas_solves += computed ? 1 : 0;
    out_.max_gas_balance_m3s = std::max(out_.max_gas_balance_m3s, gas_now_->max_balance_m3s);
    out_.max_gas_relative_balance =
        std::max(out_.max_gas_relative_balance, gas_now_->max_relative_balance);
    // Linepack clocks: a customer's starts when its supply is first cut, stops when fed again.
    for (std::size_t n = 0; n < nn; ++n) {
        const double h = gas_now_->hours_to_minimum[n];
        const bool fed = std::isnan(h) ? std::isfinite(gas_now_->pressure_pa[n]) : std::isinf(h);
        if (fed && !gas_vented_[n])
            gas_since_[n] = -1;
        else if (gas_since_[n] < 0)
            gas_since_[n] = t_;
    }
}

void Run::power_step() {
    if (!city.power)
        return;
    const auto& net = *city.power;
    const auto b0 = S.layer_begin(Layer::kPowerBus);
    const auto n = S.layer_size(Layer::kPowerBus) + S.layer_size(Layer::kPowerBranch) +
                   S.layer_size(Layer::kPowerGen);
    for (std::int32_t i = 0; i < n; ++i)
        p_sig_[i] = func_[static_cast<std::size_t>(b0 + i)];
    if (p_solved_ && p_sig_ == p_sig_solved_)
        return;
    p_sig_solved_ = p_sig_;
    p_solved_ = true;
    power::OutageSet outages;
    for (std::int32_t b = 0; b < net.buses.count(); ++b)
        if (!func_[asset(Layer::kPowerBus, b)])
            outages.buses.push_back(power::BusIndex{b});
    for (std::int32_t k = 0; k < net.branches.count(); ++k)
        if (!func_[asset(Layer::kPowerBranch, k)])
            outages.branches.push_back(power::BranchIndex{k});
    for (std::int32_t g = 0; g < net.gens.count(); ++g)
        if (!func_[asset(Layer::kPowerGen, g)])
            outages.gens.push_back(power::GenIndex{g});
    // DC power flow per island: the question here is which buses are energised and how much
    // load is shed, which the DC model answers robustly for any damaged topology
    // (docs/scenario.md "Power").
    power::IslandOptions options;
    options.flow.method = power::PowerFlowMethod::kDc;
    options.bus_priority = I.bus_priority;
    // The operator isolates faults and closes ties to healthy de-energised feeder sections at
    // once; crews come later (docs/scenario.md "Power").
    SwitchingOutcome sw = solve_with_switching(net, I.switches, outages, options);
    pres_ = std::move(sw.state);
    ++out_.power_solves;
    tie_events(sw);
    for (const auto& island : pres_.islands) {
        if (island.status == power::IslandStatus::kDeEnergised)
            continue;
        const double imbalance =
            island.generation_mw - island.served_mw - island.losses_mw - island.shunt_mw;
        out_.max_power_imbalance_mw = std::max(out_.max_power_imbalance_mw, std::fabs(imbalance));
    }
}

void Run::tie_events(const SwitchingOutcome& sw) {
    std::vector<std::int32_t> now = sw.ties;
    std::sort(now.begin(), now.end());
    if (now == ties_closed_)
        return;
    if (keep_events_) {
        auto tie_asset = [&](std::int32_t s) {
            return asset(Layer::kPowerBranch,
                         I.switches[static_cast<std::size_t>(s)].branch.value());
        };
        for (const auto s : now)
            if (!std::binary_search(ties_closed_.begin(), ties_closed_.end(), s)) {
                const std::string& id = I.switches[static_cast<std::size_t>(s)].id;
                event(t_, tie_asset(s), EventKind::kFunctionRestored, -1, -1,
                      EventKind::kFunctionLost,
                      "tie switch " + id + " closed to restore de-energised feeder sections",
                      "联络开关 " + id + " 合闸，恢复失电馈线段供电");
            }
    }
    ties_closed_ = std::move(now);
}

void Run::road_step() {
    if (!city.roads || I.super_source < 0)
        return;
    const auto& r = *city.roads;
    for (std::int32_t k = 0; k < r.link_count(); ++k)
        r_sig_[k] = func_[asset(Layer::kRoadLink, k)];
    for (std::int32_t n = 0; n < r.node_count(); ++n)
        r_sig_[r.link_count() + n] = func_[asset(Layer::kRoadNode, n)];
    if (r_solved_ && r_sig_ == r_sig_solved_)
        return;
    r_sig_solved_ = r_sig_;
    r_solved_ = true;
    for (std::size_t i = 0; i < I.arc_road_link.size(); ++i) {
        const auto k = I.arc_road_link[i];
        if (k < 0) {
            closed_arcs_[i] = 0;
            continue;
        }
        closed_arcs_[i] = (!func_[asset(Layer::kRoadLink, k)] ||
                           !func_[asset(Layer::kRoadNode, r.link_from[k])] ||
                           !func_[asset(Layer::kRoadNode, r.link_to[k])])
                              ? 1
                              : 0;
    }
    transport::shortest_paths(I.anet, I.super_source, arc_minutes_, closed_arcs_, access_tree_,
                              ws_);
}

// ---- drainage under a rainstorm (docs/scenario.md "Rainstorm") ---------------------------------

void Run::drainage_step(std::int32_t k) {
    // The deepest street water of the step ending now, from the drainage run in force; then
    // what it does: roads slowed or closed, exposed assets failed past their flood thresholds.
    if (!storm_)
        return;
    const auto& hz = *I.rain;
    const auto nn = static_cast<std::size_t>(city.drainage->node_count());
    const auto& depth = storm_series(k).node_depth_m;
    for (std::size_t n = 0; n < nn; ++n) {
        double deepest = 0.0;
        for (auto r = I.report_end[k]; r < I.report_end[k + 1]; ++r)
            deepest =
                std::max(deepest, I.street->depth_m(static_cast<std::int32_t>(n),
                                                    depth[static_cast<std::size_t>(r) * nn + n]));
        flood_depth_[n] = deepest;
        out_.max_street_flood_m = std::max(out_.max_street_flood_m, deepest);
    }
    if (city.roads && !I.road_flood_node.empty()) {
        const auto& r = *city.roads;
        std::vector<double> factor(static_cast<std::size_t>(r.link_count()), 1.0);
        for (std::int32_t l = 0; l < r.link_count(); ++l) {
            double d = 0.0;
            for (const auto node : I.road_flood_node[l])
                if (node >= 0)
                    d = std::max(d, flood_depth_[static_cast<std::size_t>(node)]);
            const auto effect = drainage::road_flood_effect(d, r.free_speed_ms[l]);
            factor[l] = effect.speed_factor;
            const auto a = static_cast<std::size_t>(asset(Layer::kRoadLink, l));
            if ((effect.closed ? 1 : 0) == flood_closed_[a])
                continue;
            flood_closed_[a] = effect.closed ? 1 : 0;
            r_solved_ = false;
            if (effect.closed) {
                road_flooded_ever_[a] = 1;
                flood_detail_[a] = "flooded " + fmt("%.2f", d) +
                                   " m >= " + fmt("%.2f", drainage::kRoadClosureDepthM) + " m";
                event(t_, static_cast<std::int32_t>(a), EventKind::kFunctionLost, -1, -1,
                      EventKind::kFunctionLost, flood_detail_[a], detail_zh(flood_detail_[a]),
                      {name(static_cast<std::int32_t>(a)) + " function_lost: " + flood_detail_[a]});
            } else {
                flood_detail_[a].clear();
                event(t_, static_cast<std::int32_t>(a), EventKind::kFunctionRestored, -1, -1,
                      EventKind::kFunctionRestored, "water receded, open again",
                      "积水退去，恢复通行");
            }
        }
        for (std::size_t i = 0; i < I.arc_road_link.size(); ++i) {
            const auto l = I.arc_road_link[i];
            // a closed link is closed by its function; a slowed one takes longer to cross
            const double m =
                l < 0 || factor[l] <= 0.0 ? I.arc_minutes[i] : I.arc_minutes[i] / factor[l];
            if (m != arc_minutes_[i]) {
                arc_minutes_[i] = m;
                r_solved_ = false;
            }
        }
    }
    // Exposed assets fail once per storm when the water reaches their threshold; the damage is
    // applied with the scenario's other damage of this step.
    const bool typhoon = hz.type == HazardType::kTyphoon;
    const std::string label = !hz.label.empty() ? hz.label : typhoon ? "typhoon" : "rainstorm";
    const std::string label_zh = !hz.label_zh.empty() ? hz.label_zh : typhoon ? "台风" : "暴雨";
    std::size_t insert_at = next_plan_;
    for (std::size_t i = 0; i < I.flood_exposed.size(); ++i) {
        if (flood_hit_[i])
            continue;
        const auto& e = I.flood_exposed[i];
        const double d = flood_depth_[static_cast<std::size_t>(e.node)];
        const int st = e.set->sample(d, flood_u_[i]);
        if (st <= 0 || I.hardened[static_cast<std::size_t>(e.asset)])
            continue;
        flood_hit_[i] = 1;
        const auto& state = e.set->states[static_cast<std::size_t>(st - 1)];
        DamageLevel lv = parse_damage_level(state.name);
        if (lv == DamageLevel::kNone)
            lv = DamageLevel::kFailed;
        // The curve is a fragility, not a threshold: water below its median can still do the
        // damage, and the detail says so rather than printing a false inequality.
        const std::string depth_text = fmt("%.2f", d);
        const std::string median_text = fmt("%.2f", state.median);
        const bool above = d >= state.median;
        const char* rel = !above                      ? " m, below the median "
                          : depth_text == median_text ? " m >= "
                                                      : " m > ";
        const char* rel_zh = !above                      ? " 米，低于中值 "
                             : depth_text == median_text ? " 米 ≥ "
                                                         : " 米 > ";
        const std::string what = "flooded " + depth_text + rel + median_text + " m";
        const std::string what_zh = "水淹 " + depth_text + rel_zh + median_text + " 米";
        const RepairTime rt = sc.recovery.repair.find(repair_kind(e.asset), damage_level_name(lv));
        const double hours = std::max(0.1 * rt.mean_h, rt.mean_h + rt.sd_h * flood_z_[i]);
        plan_.insert(plan_.begin() + static_cast<std::ptrdiff_t>(insert_at++),
                     {t_, e.asset, lv, what + " (" + label + ")", what_zh + "（" + label_zh + "）",
                      -1, std::llround(hours * 3600.0)});
    }
}

void Run::drainage_pumps() {
    // Drainage pumps run while they function (power from their bus, not flooded). At the first
    // change the realization takes a run of its own, identical to the shared one so far, and
    // routes it on in step with the co-simulation; each pump stops or restarts in it from the
    // next routing step (docs/scenario.md "Rainstorm", coupling).
    if (!storm_ || I.drainage_pumps.empty())
        return;
    for (std::size_t i = 0; i < I.drainage_pumps.size(); ++i) {
        const auto link = I.drainage_pumps[i];
        const auto a = static_cast<std::size_t>(asset(Layer::kDrainageLink, link));
        const std::uint8_t running = func_[a];
        if (running == pump_running_[i])
            continue;
        pump_running_[i] = running;
        if (!storm_live_) {
            ++out_.drainage_solves;
            drainage::SimulationOptions so;
            so.base_dir = I.drainage_dir;
            so.hold_at_rest = true;
            so.depth_series_only = true;
            so.report_statistics = false;
            storm_live_ = std::make_unique<drainage::Simulator>(*I.storm_net, so);
            storm_series(static_cast<std::int32_t>(t_ / sc.step_s)); // to where this step read
        }
        storm_live_->set_pump_powered(link, running != 0);
    }
}

const drainage::ReportSeries& Run::storm_series(std::int32_t k) {
    // The reports of output step k, those up to t_k: the shared run's, or the realization's own
    // routed that far.
    if (!storm_live_)
        return storm_->series;
    const auto need = static_cast<std::size_t>(I.report_end[k + 1]);
    while (storm_live_->series().time_s.size() < need && storm_live_->step()) {
    }
    return storm_live_->series();
}

bool Run::deliver(std::int32_t p, int service, double threshold, std::string* detail) const {
    (void)service;
    auto fail = [&](std::string d) {
        if (detail != nullptr)
            *detail = std::move(d);
        return false;
    };
    const auto a = static_cast<std::size_t>(p);
    if (!func_[a])
        return fail(own_ok(level_[a]) ? "lost function" : "out of service");
    switch (layer(p)) {
    case Layer::kWaterNode: {
        const auto n = local(p);
        if (city.water->node_kind[n] != water::NodeKind::kJunction || w_pressure_.empty())
            return true;
        if (w_cut_[n])
            return fail("cut off from every source");
        const double thr = std::isnan(threshold) ? sc.service.water_pressure_m : threshold;
        if (w_pressure_[n] < thr)
            return fail("pressure " + fmt("%.1f", w_pressure_[n]) + " m < " + fmt("%.1f", thr) +
                        " m");
        return true;
    }
    case Layer::kPowerBus: {
        if (!p_solved_)
            return true;
        const auto b = local(p);
        const auto island = pres_.bus_island[b];
        if (island < 0 || pres_.islands[island].status == power::IslandStatus::kDeEnergised)
            return fail("de-energised");
        const double pd = city.power->buses.pd_pu[b] * city.power->base_mva;
        if (pd > 0 && pres_.served_mw[b] < (sc.service.power_served_fraction - 1e-9) * pd)
            return fail("load shed " + fmt("%.0f", 100.0 * (1.0 - pres_.served_mw[b] / pd)) + " %");
        return true;
    }
    case Layer::kRoadNode: {
        if (!r_solved_ || !I.have_hospitals)
            return true;
        const double thr = std::isnan(threshold) ? sc.service.road_access_minutes : threshold;
        const double d = access_tree_.dist[local(p)];
        if (!std::isfinite(d))
            return fail("no open road to a hospital");
        if (d > thr)
            return fail("nearest hospital " + fmt("%.0f", d) + " min > " + fmt("%.0f", thr) +
                        " min");
        return true;
    }
    case Layer::kGasNode: {
        if (!gas_now_)
            return true;
        const auto n = static_cast<std::size_t>(local(p));
        if (gas_vented_[n])
            return fail("in the segment shut off around a broken pipe");
        const double h = gas_now_->hours_to_minimum[n];
        const double pa = gas_now_->pressure_pa[n];
        const double kpa = (pa - gas::kNormalPressurePa) / 1000.0;
        if (std::isnan(h) || h <= 0.0) {
            if (!std::isfinite(pa))
                return fail("cut off from every gas source");
            if (std::isnan(h))
                return true; // a junction with gas
            const double min_kpa =
                gas::is_set(city.gas->pressure_min_pa[n])
                    ? (city.gas->pressure_min_pa[n] - gas::kNormalPressurePa) / 1000.0
                    : 1.5;
            return fail("gas pressure " + fmt("%.2f", kpa) + " kPa < " + fmt("%.2f", min_kpa) +
                        " kPa");
        }
        if (std::isinf(h)) {
            if (!std::isnan(threshold) && kpa < threshold)
                return fail("gas pressure " + fmt("%.2f", kpa) + " kPa < " +
                            fmt("%.2f", threshold) + " kPa");
            return true;
        }
        const auto since = gas_since_[n] < 0 ? t_ : gas_since_[n];
        if (static_cast<double>(t_ - since) < h * 3600.0)
            return true; // still on the gas stored in the pipes
        return fail("cut off; linepack held it for " + fmt("%.1f", h) + " h");
    }
    case Layer::kDrainageNode: {
        if (flood_depth_.empty())
            return true;
        const double thr = std::isnan(threshold) ? I.rain->zone_flood_m : threshold;
        const double depth = flood_depth_[static_cast<std::size_t>(local(p))];
        if (depth > thr)
            return fail("flooded " + fmt("%.2f", depth) + " m > " + fmt("%.2f", thr) + " m");
        return true;
    }
    case Layer::kRoadLink: {
        const auto& r = *city.roads;
        const auto k = local(p);
        std::string d1;
        if (deliver(asset(Layer::kRoadNode, r.link_from[k]), service, threshold, &d1) ||
            deliver(asset(Layer::kRoadNode, r.link_to[k]), service, threshold, nullptr))
            return true;
        return fail(d1);
    }
    default:
        return true;
    }
}

void Run::evaluate_needs() {
    std::string detail;
    for (std::size_t k = 0; k < I.needs.size(); ++k) {
        const auto& n = I.needs[k];
        bool met = false;
        std::int32_t cause = -1;
        std::string cause_detail;
        for (auto i = n.prov_begin; i < n.prov_end && !met; ++i) {
            if (deliver(I.prov_asset[i], n.service, I.prov_threshold[i], &detail)) {
                met = true;
            } else if (cause < 0) {
                cause = I.prov_asset[i];
                cause_detail = detail;
            }
        }
        met_[k] = met ? 1 : 0;
        if (met) {
            unmet_since_[k] = -1;
            held_[k] = 1;
            need_cause_[k] = -1;
            continue;
        }
        need_cause_[k] = cause;
        need_detail_[k] = std::move(cause_detail);
        if (unmet_since_[k] < 0)
            unmet_since_[k] = t_;
        const bool backup = t_ - unmet_since_[k] < n.backup_s;
        const bool generator = generator_from_[k] >= 0 && generator_from_[k] <= t_;
        const bool truck = truck_from_[k] >= 0 && truck_from_[k] <= t_;
        held_[k] = (backup || generator || truck) ? 1 : 0;
    }
}

std::int32_t Run::bfs_cause(std::int32_t a) const {
    // The nearest element (in hops through its own lifeline) that is damaged or out of function:
    // the usual reading of "why has this node no water / no power / no access".
    auto& mark = bfs_mark_;
    if (++bfs_stamp_ == 0) {
        std::fill(mark.begin(), mark.end(), 0);
        bfs_stamp_ = 1;
    }
    std::vector<std::int32_t> queue;
    // Out of function, or leaking (a working pipe that loses water); slight damage that leaves
    // an asset working is no cause.
    auto bad = [&](std::int32_t x) {
        return !func_[static_cast<std::size_t>(x)] ||
               level_[static_cast<std::size_t>(x)] == DamageLevel::kLeak;
    };
    const Layer l = layer(a);
    const CsrGraph* g = nullptr;
    Layer node_layer = l, link_layer = l;
    if (l == Layer::kWaterNode) {
        g = &I.topo->adjacency;
        link_layer = Layer::kWaterLink;
    } else if (l == Layer::kPowerBus) {
        g = &I.bus_adj;
        link_layer = Layer::kPowerBranch;
    } else if (l == Layer::kRoadNode) {
        g = &I.road_adj;
        link_layer = Layer::kRoadLink;
    } else if (l == Layer::kDrainageNode) {
        g = &I.drain_adj; // a flooded street: a stopped pump or a failed link nearby
        link_layer = Layer::kDrainageLink;
    } else if (l == Layer::kGasNode && I.gas) {
        g = &I.gas->adjacency(); // a break, a station out, a lost gate station
        link_layer = Layer::kGasLink;
    }
    if (g == nullptr || g->node_count() == 0)
        return -1;
    const std::int32_t start = local(a);
    queue.push_back(start);
    mark[static_cast<std::size_t>(asset(node_layer, start))] = bfs_stamp_;
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
        const auto u = queue[qi];
        const auto ua = asset(node_layer, u);
        if (ua != a && bad(ua))
            return ua;
        if (l == Layer::kPowerBus)
            for (auto gi = I.gen_begin[u]; gi < I.gen_begin[u + 1]; ++gi)
                if (bad(asset(Layer::kPowerGen, I.gen_list[gi])))
                    return asset(Layer::kPowerGen, I.gen_list[gi]);
        const auto heads = g->neighbours(u);
        const auto arcs = g->arcs(u);
        for (std::size_t i = 0; i < heads.size(); ++i) {
            const auto la = asset(link_layer, arcs[i]);
            if (bad(la))
                return la;
            const auto va = static_cast<std::size_t>(asset(node_layer, heads[i]));
            if (mark[va] != bfs_stamp_) {
                mark[va] = bfs_stamp_;
                queue.push_back(heads[i]);
            }
        }
    }
    return -1;
}

void Run::system_state() {
    for (std::size_t a = 0; a < na_; ++a) {
        const auto ai = static_cast<std::int32_t>(a);
        bool down = false;
        std::int32_t cause = -1;
        std::string detail;
        if (!own_ok(level_[a])) {
            down = true;
            detail = damage_detail_[a];
        } else {
            for (auto n = I.need_begin[a]; n < I.need_begin[a + 1] && !down; ++n)
                if (!held_[n]) {
                    down = true;
                    cause = need_cause_[n];
                    const auto sv = static_cast<model::Service>(I.needs[n].service);
                    detail = "no " + std::string(model::service_name(sv)) +
                             (I.needs[n].backup_s > 0 ? " (backup exhausted)" : "");
                }
            if (!down && (layer(ai) == Layer::kWaterNode || layer(ai) == Layer::kPowerBus ||
                          layer(ai) == Layer::kRoadNode || layer(ai) == Layer::kGasNode)) {
                if (!deliver(ai, -1, kNaN, &detail)) {
                    down = true;
                    // keep the previous cause while it still explains the loss
                    const auto prev = cause_of_[a];
                    cause = (down_[a] && prev >= 0 && (!func_[prev] || damage_explains(prev)))
                                ? prev
                                : bfs_cause(ai);
                }
            }
        }
        if (!down && !flood_closed_.empty() && flood_closed_[a]) {
            down = true; // standing water closes it (drainage_step)
            detail = flood_detail_[a];
        }
        down_[a] = down ? 1 : 0;
        cause_of_[a] = down ? cause : -1;
        down_detail_[a] = down ? std::move(detail) : std::string();
    }
}

void Run::walk_chain(std::int32_t consumer, int service, std::int32_t provider,
                     const std::string& first_detail, std::vector<std::string>* chain,
                     std::vector<std::int32_t>* assets) const {
    if (chain != nullptr)
        chain->push_back(name(consumer) + " service_lost " +
                         std::string(model::service_name(static_cast<model::Service>(service))));
    std::int32_t cur = provider;
    std::string detail = first_detail;
    for (int depth = 0; cur >= 0 && depth < 24; ++depth) {
        if (assets != nullptr) {
            if (std::find(assets->begin(), assets->end(), cur) != assets->end())
                break; // a cycle of dependencies
            assets->push_back(cur);
        }
        const auto c = static_cast<std::size_t>(cur);
        if (damage_explains(c)) {
            if (chain != nullptr)
                chain->push_back(name(cur) + " damaged: " + damage_detail_[c]);
            break;
        }
        if (chain != nullptr)
            chain->push_back(
                name(cur) + " function_lost: " +
                (depth == 0 && !first_detail.empty() ? first_detail : down_detail_[c]));
        cur = down_[c] ? cause_of_[c] : (depth == 0 ? bfs_cause(cur) : -1);
        detail.clear();
    }
}

void Run::record(std::int32_t k, std::int32_t n_out) {
    const double step_h = static_cast<double>(sc.step_s) / 3600.0;
    const double dt_h = k + 1 < n_out ? step_h : 0.0;
    std::fill(people_now_.begin(), people_now_.end(), 0.0);
    std::fill(critical_now_.begin(), critical_now_.end(), 0);
    std::vector<std::int32_t> assets;
    std::vector<std::string> chain;

    auto attribute = [&](std::int32_t need, double people, bool critical) {
        const auto& n = I.needs[need];
        assets.clear();
        chain.clear();
        const bool want_chain = true;
        walk_chain(n.consumer, n.service, need_cause_[need], need_detail_[need],
                   want_chain ? &chain : nullptr, &assets);
        for (const auto x : assets) {
            in_chain_[x] = 1;
            people_now_[x] += people;
            if (critical)
                critical_now_[x] = 1;
        }
        if (assets.empty() || dt_h <= 0)
            return;
        const auto root = assets.back();
        const auto key = std::make_pair(root, static_cast<int>(n.service));
        auto it = root_index_.find(key);
        if (it == root_index_.end()) {
            RootLoss rl;
            rl.root = root;
            rl.service = n.service;
            const auto rc = static_cast<std::size_t>(root);
            rl.root_event = damage_explains(rc) ? "damaged: " + damage_detail_[rc]
                                                : "function_lost: " + down_detail_[rc];
            rl.chain = chain;
            it = root_index_.emplace(key, out_.root_losses.size()).first;
            out_.root_losses.push_back(std::move(rl));
        }
        out_.root_losses[it->second].person_hours += people * dt_h;
    };

    auto need_events = [&](std::int32_t need) {
        const auto& n = I.needs[need];
        const auto kk = static_cast<std::size_t>(need);
        const bool held = held_[kk] != 0, was = reported_held_[kk] != 0;
        const bool backup_now = !met_[kk] && held;
        if (backup_now && !on_backup_[kk] && n.backup_s > 0 &&
            !(generator_from_[kk] >= 0 && generator_from_[kk] <= t_))
            event(t_, n.consumer, EventKind::kBackupStarted, n.service, need_cause_[need],
                  EventKind::kFunctionLost,
                  "backup for " + fmt("%.1f", static_cast<double>(n.backup_s) / 3600.0) + " h",
                  "备用 " + fmt("%.1f", static_cast<double>(n.backup_s) / 3600.0) + " 小时");
        if (!held && was && on_backup_[kk])
            event(t_, n.consumer, EventKind::kBackupExhausted, n.service, need_cause_[need],
                  EventKind::kFunctionLost, "backup exhausted", "备用耗尽");
        on_backup_[kk] = backup_now ? 1 : 0;
        if (held == was)
            return;
        reported_held_[kk] = held ? 1 : 0;
        if (!keep_events_)
            return;
        if (!held) {
            std::vector<std::string> ch;
            walk_chain(n.consumer, n.service, need_cause_[need], need_detail_[need], &ch, nullptr);
            event(t_, n.consumer, EventKind::kServiceLost, n.service, need_cause_[need],
                  EventKind::kFunctionLost, need_detail_[need], detail_zh(need_detail_[need]),
                  std::move(ch));
        } else {
            event(t_, n.consumer, EventKind::kServiceRestored, n.service, -1,
                  EventKind::kFunctionRestored,
                  generator_from_[kk] >= 0 && !met_[kk] ? "mobile generator"
                  : truck_from_[kk] >= 0 && !met_[kk]   ? "water truck"
                                                        : "service back",
                  generator_from_[kk] >= 0 && !met_[kk] ? "移动发电车"
                  : truck_from_[kk] >= 0 && !met_[kk]   ? "送水车"
                                                        : "服务恢复");
        }
    };

    // Zones: service to people.
    const auto z0 = S.layer_begin(Layer::kZone);
    for (std::size_t z = 0; z < city.zones.size(); ++z) {
        const double pop = static_cast<double>(city.zones[z].population);
        bool any_lost = false;
        for (int s = 0; s < kServiceCount; ++s) {
            const auto need = I.zone_need[z * kServiceCount + s];
            if (need < 0)
                continue;
            need_events(need);
            if (held_[need]) {
                out_.served_population[s][k] += pop;
            } else {
                any_lost = true;
                out_.district_without[s][I.zone_district[z]][k] += pop;
                attribute(need, pop, false);
            }
        }
        const auto a = static_cast<std::size_t>(z0) + z;
        if (any_lost) {
            out_.downtime_h[a] += static_cast<float>(dt_h);
            out_.service_lost[a] = 1;
        }
    }
    // Facilities.
    const auto f0 = S.layer_begin(Layer::kFacility);
    for (std::size_t f = 0; f < city.facilities.size(); ++f) {
        bool any_lost = false;
        std::uint8_t bits = 0;
        for (int s = 0; s < kServiceCount; ++s) {
            const auto need = I.facility_need[f * kServiceCount + s];
            if (need < 0)
                continue;
            need_events(need);
            if (!held_[need]) {
                any_lost = true;
                bits |= static_cast<std::uint8_t>(1u << s);
                out_.facility_downtime_h[f][s] += dt_h;
                attribute(need, 0.0, I.critical_facility[f] != 0);
            }
        }
        out_.facility_lost_bits[f][k] = bits;
        const auto a = static_cast<std::size_t>(f0) + f;
        if (any_lost || !own_ok(level_[a])) {
            out_.downtime_h[a] += static_cast<float>(dt_h);
            out_.service_lost[a] = out_.service_lost[a] | (any_lost ? 1 : 0);
        }
    }
    // Other needs (lifeline equipment): backup events only.
    for (std::size_t n = 0; n < I.needs.size(); ++n) {
        const Layer l = layer(I.needs[n].consumer);
        if (l != Layer::kZone && l != Layer::kFacility)
            need_events(static_cast<std::int32_t>(n));
    }
    // Function of assets (lifeline assets that serve or need others, facilities).
    for (std::size_t a = 0; a < na_; ++a) {
        const Layer l = layer(static_cast<std::int32_t>(a));
        if (l != Layer::kZone && l != Layer::kFacility && down_[a])
            out_.downtime_h[a] += static_cast<float>(dt_h);
        if (down_[a] == reported_down_[a])
            continue;
        reported_down_[a] = down_[a];
        const bool tracked =
            l != Layer::kZone && (I.is_provider[a] != 0 || I.need_begin[a + 1] > I.need_begin[a] ||
                                  l == Layer::kFacility);
        if (!tracked || !own_ok(level_[a]) || !keep_events_)
            continue;
        const auto ai = static_cast<std::int32_t>(a);
        if (down_[a]) {
            std::vector<std::string> ch{name(ai) + " function_lost: " + down_detail_[a]};
            if (cause_of_[a] >= 0) {
                std::vector<std::string> rest;
                walk_chain(ai, 0, cause_of_[a], std::string(), &rest, nullptr);
                ch.insert(ch.end(), rest.begin() + 1, rest.end());
            }
            event(t_, ai, EventKind::kFunctionLost, -1, cause_of_[a], EventKind::kFunctionLost,
                  down_detail_[a], detail_zh(down_detail_[a]), std::move(ch));
        } else {
            event(t_, ai, EventKind::kFunctionRestored, -1, -1, EventKind::kFunctionRestored,
                  "function back", "功能恢复");
        }
    }
    for (int l = 0; l < kLifelineCount; ++l) {
        out_.damaged_count[l][k] = damaged_[l];
        out_.repaired_count[l][k] = repaired_[l];
    }
    std::int32_t busy = 0;
    for (const auto& c : crew_)
        busy += c.free_at > t_ ? 1 : 0;
    out_.crews_busy[k] = busy;
    out_.unmet_demand[static_cast<int>(model::Service::kWater)] += w_unmet_m3s_ * dt_h * 3600.0;
    if (p_solved_)
        out_.unmet_demand[static_cast<int>(model::Service::kPower)] += pres_.shed_mw_total * dt_h;
    if (gas_now_ && dt_h > 0) { // normal m³ of gas the customers without gas did not get
        const auto& g = *city.gas;
        double unmet_m3s = 0.0;
        for (std::int32_t n = 0; n < g.node_count(); ++n)
            if (g.node_kind[n] == gas::NodeKind::kCustomer && g.demand_m3s[n] > 0 &&
                !deliver(asset(Layer::kGasNode, n), static_cast<int>(model::Service::kGas), kNaN,
                         nullptr))
                unmet_m3s += g.demand_m3s[n];
        out_.unmet_demand[static_cast<int>(model::Service::kGas)] += unmet_m3s * dt_h * 3600.0;
    }
}

void Run::dispatch() {
    if (I.crews.empty())
        return;
    for (std::size_t c = 0; c < I.crews.size(); ++c) {
        auto& crew = crew_[c];
        if (crew.free_at > t_)
            continue;
        const Skill skill = I.crews[c].skill;
        const Lifeline want = skill == Skill::kWater   ? Lifeline::kWater
                              : skill == Skill::kPower ? Lifeline::kPower
                              : skill == Skill::kGas   ? Lifeline::kGas
                                                       : Lifeline::kRoads;
        bool have_routes = city.roads && crew.node >= 0;
        if (have_routes)
            transport::shortest_paths(I.anet, crew.node, arc_minutes_, closed_arcs_, crew_tree_,
                                      ws_);
        std::int32_t best = -1, best_node = -1;
        double best_travel_min = 0;
        double best_key[3] = {0, 0, 0};
        for (std::size_t a = 0; a < na_; ++a) {
            if (!awaiting_repair_[a] || repair_done_[a] >= 0)
                continue;
            const auto ai = static_cast<std::int32_t>(a);
            if (lifeline_of(ai) != want)
                continue;
            double travel = 0;
            std::int32_t node = I.road_node_of[a];
            if (have_routes) {
                if (layer(ai) == Layer::kRoadLink) {
                    const auto k = local(ai);
                    const auto u = city.roads->link_from[k], v = city.roads->link_to[k];
                    node = crew_tree_.dist[u] <= crew_tree_.dist[v] ? u : v;
                }
                travel = node >= 0 ? crew_tree_.dist[node] : transport::kUnreachable;
                if (!std::isfinite(travel))
                    continue; // cannot reach it now: the roads there are closed
            }
            const double work_h = travel / 60.0 + static_cast<double>(repair_s_[a]) / 3600.0;
            // Repairing damage that leaves the asset working (slight) restores nobody, even when
            // the asset lies in a chain of lost service for another reason (a pump without
            // power): such repairs wait until nothing better is left.
            const double people = damage_explains(a) ? people_now_[a] : 0.0;
            const double critical = damage_explains(a) ? critical_now_[a] : 0.0;
            double key[3] = {0, 0, 0};
            switch (policy_) {
            case DispatchPolicy::kCriticalFirst:
                key[0] = critical;
                key[1] = people;
                key[2] = -work_h;
                break;
            case DispatchPolicy::kMostPeoplePerCrewHour:
                key[0] = people / std::max(work_h, 1e-6);
                key[1] = critical;
                key[2] = -work_h;
                break;
            case DispatchPolicy::kPriorityList:
                key[0] = -static_cast<double>(I.priority_rank[a]);
                key[1] = people;
                key[2] = -work_h;
                break;
            }
            const bool better =
                best < 0 || std::lexicographical_compare(best_key, best_key + 3, key, key + 3);
            if (better) {
                best = ai;
                best_node = node;
                best_travel_min = travel;
                std::copy(key, key + 3, best_key);
            }
        }
        if (best < 0)
            continue;
        const auto b = static_cast<std::size_t>(best);
        const auto travel_s = static_cast<std::int64_t>(std::llround(best_travel_min * 60.0));
        repair_done_[b] = t_ + travel_s + repair_s_[b];
        awaiting_repair_[b] = 0;
        crew.free_at = repair_done_[b];
        if (best_node >= 0)
            crew.node = best_node;
        const std::string who =
            std::string(skill_name(skill)) + " crew " + std::to_string(I.crews[c].number);
        event(t_, best, EventKind::kCrewDispatched, -1, I.crews[c].depot,
              EventKind::kCrewDispatched,
              who + ": travel " + fmt("%.0f", best_travel_min) + " min, repair " +
                  fmt("%.1f", static_cast<double>(repair_s_[b]) / 3600.0) + " h",
              std::string(skill_name(skill)) + " 抢修队 " + std::to_string(I.crews[c].number) +
                  "：路程 " + fmt("%.0f", best_travel_min) + " 分钟，修复 " +
                  fmt("%.1f", static_cast<double>(repair_s_[b]) / 3600.0) + " 小时");
        event(t_ + travel_s, best, EventKind::kCrewArrived, -1, I.crews[c].depot,
              EventKind::kCrewDispatched, who + " on site", "抢修队到场");
    }
}

void Run::mobile_resources() {
    const auto& rec = sc.recovery;
    const auto power = static_cast<int>(model::Service::kPower);
    const auto water_s = static_cast<int>(model::Service::kWater);
    auto travel_to = [&](std::int32_t from_node, std::int32_t a) -> double {
        if (!city.roads || from_node < 0)
            return 0.0;
        transport::shortest_paths(I.anet, from_node, arc_minutes_, closed_arcs_, crew_tree_, ws_);
        const auto node = I.road_node_of[static_cast<std::size_t>(a)];
        return node >= 0 ? crew_tree_.dist[node] : transport::kUnreachable;
    };
    if (rec.mobile_generators > 0) {
        std::int32_t in_use = 0;
        for (std::size_t n = 0; n < I.needs.size(); ++n) {
            if (generator_from_[n] >= 0 && met_[n])
                generator_from_[n] = -1; // the grid is back: the generator leaves
            in_use += generator_from_[n] >= 0 ? 1 : 0;
        }
        std::vector<std::pair<int, std::int32_t>> wanting; // (rank, facility)
        for (std::size_t f = 0; f < city.facilities.size(); ++f) {
            const auto need = I.facility_need[f * kServiceCount + power];
            const int rank = generator_rank(city.facilities[f].kind);
            if (need >= 0 && !met_[need] && generator_from_[need] < 0 && rank < 9)
                wanting.emplace_back(rank, static_cast<std::int32_t>(f));
        }
        std::sort(wanting.begin(), wanting.end());
        for (const auto& [rank, f] : wanting) {
            if (in_use >= rec.mobile_generators)
                break;
            const auto need = I.facility_need[static_cast<std::size_t>(f) * kServiceCount + power];
            const auto a = asset(Layer::kFacility, f);
            const double minutes = travel_to(I.generator_node, a);
            if (!std::isfinite(minutes))
                continue;
            generator_from_[need] = t_ + std::llround(minutes * 60.0);
            ++in_use;
            event(t_, a, EventKind::kCrewDispatched, power, -1, EventKind::kCrewDispatched,
                  "mobile generator sent, travel " + fmt("%.0f", minutes) + " min",
                  "派出移动发电车，路程 " + fmt("%.0f", minutes) + " 分钟");
        }
    }
    if (rec.water_trucks > 0) {
        const double capacity = rec.water_trucks * rec.water_truck_people;
        double used = 0;
        std::vector<std::pair<double, std::int32_t>> wanting; // (-population, zone)
        for (std::size_t z = 0; z < city.zones.size(); ++z) {
            const auto need = I.zone_need[z * kServiceCount + water_s];
            if (need < 0)
                continue;
            const double pop = static_cast<double>(city.zones[z].population);
            if (truck_from_[need] >= 0 && met_[need])
                truck_from_[need] = -1;
            if (truck_from_[need] >= 0)
                used += pop;
            else if (!met_[need])
                wanting.emplace_back(-pop, static_cast<std::int32_t>(z));
        }
        std::sort(wanting.begin(), wanting.end());
        for (const auto& [negpop, z] : wanting) {
            if (used - negpop > capacity)
                continue;
            const auto need = I.zone_need[static_cast<std::size_t>(z) * kServiceCount + water_s];
            const auto a = asset(Layer::kZone, z);
            const double minutes = travel_to(I.truck_node, a);
            if (!std::isfinite(minutes))
                continue;
            truck_from_[need] = t_ + std::llround(minutes * 60.0);
            used -= negpop;
            event(t_, a, EventKind::kCrewDispatched, water_s, -1, EventKind::kCrewDispatched,
                  "water trucks sent, travel " + fmt("%.0f", minutes) + " min",
                  "派出送水车，路程 " + fmt("%.0f", minutes) + " 分钟");
        }
    }
}

RealizationResult Run::run() {
    na_ = static_cast<std::size_t>(S.asset_count());
    const std::int32_t n_out = sc.output_count();
    const auto nz = I.needs.size();
    out_.realization = r_;
    out_.policy = policy_;
    for (int s = 0; s < kServiceCount; ++s) {
        out_.served_population[s].assign(static_cast<std::size_t>(n_out), 0.0);
        out_.district_without[s].assign(S.districts().size(),
                                        std::vector<double>(static_cast<std::size_t>(n_out), 0.0));
    }
    out_.facility_downtime_h.assign(city.facilities.size(), {});
    out_.facility_lost_bits.assign(city.facilities.size(),
                                   std::vector<std::uint8_t>(static_cast<std::size_t>(n_out), 0));
    out_.first_damage.assign(na_, DamageLevel::kNone);
    out_.downtime_h.assign(na_, 0.0f);
    out_.service_lost.assign(na_, 0);
    for (int l = 0; l < kLifelineCount; ++l) {
        out_.damaged_count[l].assign(static_cast<std::size_t>(n_out), 0);
        out_.repaired_count[l].assign(static_cast<std::size_t>(n_out), 0);
    }
    out_.crews_busy.assign(static_cast<std::size_t>(n_out), 0);

    level_.assign(na_, DamageLevel::kNone);
    damage_detail_.assign(na_, {});
    func_.assign(na_, 1);
    down_.assign(na_, 0);
    reported_down_.assign(na_, 0);
    cause_of_.assign(na_, -1);
    down_detail_.assign(na_, {});
    repair_done_.assign(na_, -1);
    repair_s_.assign(na_, 0);
    restore_at_.assign(na_, -1);
    awaiting_repair_.assign(na_, 0);
    ever_damaged_.assign(na_, 0);
    people_now_.assign(na_, 0.0);
    critical_now_.assign(na_, 0);
    in_chain_.assign(na_, 0);
    bfs_mark_.assign(na_, 0);
    met_.assign(nz, 1);
    held_.assign(nz, 1);
    reported_held_.assign(nz, 1);
    on_backup_.assign(nz, 0);
    unmet_since_.assign(nz, -1);
    need_cause_.assign(nz, -1);
    need_detail_.assign(nz, {});
    generator_from_.assign(nz, -1);
    truck_from_.assign(nz, -1);
    if (city.water) {
        wnet_ = *city.water;
        const auto nn = static_cast<std::size_t>(city.water->node_count());
        w_pressure_.assign(nn, 0.0);
        w_cut_.assign(nn, 0);
        w_required_.assign(nn, 0.0);
        w_sig_.assign(nn + static_cast<std::size_t>(city.water->link_count()), 0);
    }
    if (city.power)
        p_sig_.assign(static_cast<std::size_t>(S.layer_size(Layer::kPowerBus) +
                                               S.layer_size(Layer::kPowerBranch) +
                                               S.layer_size(Layer::kPowerGen)),
                      0);
    if (city.roads) {
        r_sig_.assign(static_cast<std::size_t>(city.roads->link_count() + city.roads->node_count()),
                      0);
        closed_arcs_.assign(I.arc_road_link.size(), 0);
    }
    if (city.gas) {
        const auto nn = static_cast<std::size_t>(city.gas->node_count());
        const auto nc = static_cast<std::size_t>(city.gas->connection_count());
        gas_since_.assign(nn, -1);
        gas_vented_.assign(nn, 0);
        gas_isolated_.assign(nc, 0);
        g_sig_.assign(nn + nc, 0);
    }
    arc_minutes_ = I.arc_minutes;
    if (I.storm_base) {
        storm_ = I.storm_base;
        flood_depth_.assign(static_cast<std::size_t>(city.drainage->node_count()), 0.0);
        flood_closed_.assign(na_, 0);
        flood_detail_.assign(na_, {});
        road_flooded_ever_.assign(na_, 0);
        flood_hit_.assign(I.flood_exposed.size(), 0);
        // one damage and one repair draw per exposed asset, from streams of their own
        RngStream u_rng(sc.seed, static_cast<std::uint32_t>(r_), kStreamFloodDamage);
        RngStream z_rng(sc.seed, static_cast<std::uint32_t>(r_), kStreamFloodRepair);
        flood_u_.resize(I.flood_exposed.size());
        flood_z_.resize(I.flood_exposed.size());
        for (std::size_t i = 0; i < I.flood_exposed.size(); ++i) {
            flood_u_[i] = u_rng.uniform();
            flood_z_[i] = z_rng.normal();
        }
        pump_running_.assign(I.drainage_pumps.size(), 1);
        storm_live_.reset();
    }
    crew_.resize(I.crews.size());
    for (std::size_t c = 0; c < I.crews.size(); ++c)
        crew_[c] = {0, I.crews[c].node};

    plan_damage();
    for (std::int32_t k = 0; k < n_out; ++k) {
        t_ = static_cast<std::int64_t>(k) * sc.step_s;
        if (k > 0 && !next_volume_.empty()) {
            carry_volume_ = next_volume_;
            carry_head_ = next_head_;
            carry_status_ = next_status_;
            carry_setting_ = next_setting_;
            w_have_carry_ = true;
        }
        w_sig_solved_.clear(); // a new EPS segment at every step
        drainage_step(k);
        apply_damage_and_repairs();
        std::vector<std::uint8_t> previous;
        for (int it = 0; it < kMaxFixedPointIterations; ++it) {
            compute_function();
            water_step();
            gas_step();
            power_step();
            road_step();
            previous = held_;
            evaluate_needs();
            if (held_ == previous)
                break;
        }
        compute_function();
        system_state();
        drainage_pumps();
        record(k, n_out);
        mobile_resources();
        dispatch();
    }
    for (std::size_t a = 0; a < na_; ++a)
        if (in_chain_[a])
            out_.chain_assets.push_back(static_cast<std::int32_t>(a));
    if (storm_) {
        // the run in force at the end: the realization's own, routed to the horizon, or the
        // shared one; the continuity is the worse of the runs the realization read
        drainage::SimulationResult own;
        if (storm_live_)
            own = storm_live_->finish();
        const auto& summary = storm_live_ ? own.summary : storm_->summary;
        out_.drainage_flood_volume_m3 = summary.routing.flooding_m3;
        out_.max_drainage_continuity_pct =
            std::max(std::fabs(summary.flow_routing_continuity_error_pct),
                     std::fabs(I.storm_base->summary.flow_routing_continuity_error_pct));
        for (const auto f : road_flooded_ever_)
            out_.flooded_road_links += f;
    }
    std::sort(out_.root_losses.begin(), out_.root_losses.end(),
              [](const RootLoss& a, const RootLoss& b) {
                  return a.root != b.root ? a.root < b.root : a.service < b.service;
              });
    std::stable_sort(out_.events.begin(), out_.events.end(), [](const Event& a, const Event& b) {
        return a.time_s != b.time_s ? a.time_s < b.time_s : a.seq < b.seq;
    });
    for (std::size_t i = 0; i < out_.events.size(); ++i)
        out_.events[i].seq = static_cast<std::int32_t>(i);
    return std::move(out_);
}

} // namespace

RealizationResult Simulation::run(std::int32_t realization, DispatchPolicy policy,
                                  bool keep_events) const {
    Run r(*this, *impl_, realization, policy, keep_events);
    return r.run();
}

} // namespace rencheng::sim
