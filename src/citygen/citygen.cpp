// `rencheng generate`: options, the stages in order, and writing the bundle.
#include "citygen/citygen.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "citygen/detail/drainage_layout.hpp"
#include "citygen/detail/gas_layout.hpp"
#include "citygen/detail/layout.hpp"
#include "citygen/detail/plan.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/swmm_inp.hpp"
#include "gas/geojson_io.hpp"
#include "model/bundle_writer.hpp"
#include "power/matpower.hpp"
#include "water/epanet_inp.hpp"

#ifndef RENCHENG_VERSION
#define RENCHENG_VERSION "unknown"
#endif

namespace rencheng::citygen {

namespace {

constexpr std::int64_t kMinPopulation = 1000;
constexpr std::int64_t kMaxPopulation = 50000000;

bool has_control_char(const std::string& s) {
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
        throw Error(ErrorCode::kWriteFailed, "cannot write " + path.string());
    }
}

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

// Reports stage `done` of `total` to an optional sink.
class Stages {
public:
    Stages(ProgressSink* sink, std::uint64_t total) : sink_(sink) {
        if (sink_ != nullptr) {
            sink_->start("generate", total);
        }
    }
    void done(std::uint64_t n) {
        if (sink_ != nullptr) {
            sink_->advance(n);
        }
    }
    void finish() {
        if (sink_ != nullptr) {
            sink_->finish();
        }
    }

private:
    ProgressSink* sink_;
};

} // namespace

void GenerateOptions::validate() const {
    char buf[160];
    if (population < kMinPopulation || population > kMaxPopulation) {
        std::snprintf(buf, sizeof buf, "--population must be between %lld and %lld (got %lld)",
                      static_cast<long long>(kMinPopulation),
                      static_cast<long long>(kMaxPopulation), static_cast<long long>(population));
        throw Error(ErrorCode::kOutOfRange, buf);
    }
    if (!std::isfinite(centre.lon) || !std::isfinite(centre.lat) || centre.lon < -179.0 ||
        centre.lon > 179.0 || centre.lat < -75.0 || centre.lat > 75.0) {
        std::snprintf(buf, sizeof buf,
                      "--centre must have longitude in [-179, 179] and latitude in [-75, 75] "
                      "(got %.6f,%.6f)",
                      centre.lon, centre.lat);
        throw Error(ErrorCode::kOutOfRange, buf);
    }
    if (name.empty() || has_control_char(name)) {
        throw Error(ErrorCode::kOutOfRange, "--name must be non-empty text on one line");
    }
    if (has_control_char(name_zh)) {
        throw Error(ErrorCode::kOutOfRange, "--name-zh must be text on one line");
    }
    if (crs.empty() || has_control_char(crs)) {
        throw Error(ErrorCode::kOutOfRange, "--crs must be non-empty text on one line");
    }
    std::string why;
    if (!is_known_crs(crs, &why)) {
        throw Error(ErrorCode::kUnknownCrs, "--crs " + crs + " is not a CRS PROJ knows: " + why);
    }
}

std::string default_crs(LonLat centre) {
    // CGCS2000 3-degree Gauss-Kruger zones with central meridians 75°E .. 135°E are EPSG:4534 ..
    // EPSG:4554 (EPSG:4547 is 114°E). Outside China's longitudes fall back to UTM on WGS84.
    const int cm = static_cast<int>(std::lround(centre.lon / 3.0)) * 3;
    if (cm >= 75 && cm <= 135 && centre.lat > 0.0) {
        return "EPSG:" + std::to_string(4534 + (cm - 75) / 3);
    }
    const int zone =
        std::clamp(static_cast<int>(std::floor((centre.lon + 180.0) / 6.0)) + 1, 1, 60);
    return "EPSG:" + std::to_string((centre.lat >= 0.0 ? 32600 : 32700) + zone);
}

model::City generate_city(const GenerateOptions& options, ProgressSink* progress) {
    options.validate();
    Stages stages(progress, 8);
    const detail::CityPlan plan = detail::make_plan(options);
    stages.done(1);

    model::City city;
    city.info.name = options.name;
    city.info.name_zh = options.name_zh;
    city.info.crs = options.crs;
    city.files.terrain = "terrain.asc";
    city.files.roads = "roads.geojson";
    city.files.roads_format = "geojson";
    city.files.facilities = "facilities.geojson";
    city.files.population = "population.geojson";
    city.files.dependencies = "dependencies.csv";
    city.files.water = "water.inp";
    city.files.water_valves = "water_valves.csv";
    city.files.power = "power.m";
    city.files.power_buses = "power_buses.csv";
    city.files.power_switches = "power_switches.csv";
    city.files.drainage = "drainage.inp";
    city.files.gas = "gas.geojson";

    detail::RoadLayout roads = detail::make_roads(plan);
    stages.done(2);
    city.zones =
        options.streets ? detail::make_street_zones(plan, roads) : detail::make_zones(plan);
    stages.done(3);
    city.facilities = detail::make_facilities(plan, city.zones, roads);
    stages.done(4);

    // Road access: every facility and every zone from its nearest road node.
    const detail::NearestIndex nodes(roads.node_xy, 250.0);
    auto access = [&](const std::string& consumer, LonLat where) {
        const std::int32_t v = nodes.nearest(plan.frame.to_xy(where));
        if (v < 0) {
            return;
        }
        model::Dependency d;
        d.consumer = consumer;
        d.service = model::Service::kRoadAccess;
        d.provider = "road_node:" + roads.net.node_id[static_cast<std::size_t>(v)];
        city.dependencies.push_back(std::move(d));
    };
    for (const model::Facility& f : city.facilities) {
        access("facility:" + f.id, f.position);
    }
    for (const model::PopulationZone& z : city.zones) {
        access("zone:" + z.id, z.centroid);
    }
    stages.done(5);

    // Water: facilities that need it and every zone from the nearest junction, at the 10 m
    // minimum service head of GB 50013-2018 §3.0.9; hospitals ride 12 h on their own storage
    // (a day's worth is usual; half of it counts as usable in an outage).
    detail::WaterLayout water = detail::make_water(plan, roads, city.zones, city.facilities);
    auto water_from = [&](const std::string& consumer, LonLat where, double backup_h) {
        const std::int32_t v = nodes.nearest(plan.frame.to_xy(where));
        if (v < 0) {
            return;
        }
        model::Dependency d;
        d.consumer = consumer;
        d.service = model::Service::kWater;
        d.provider = "water_node:" + water.road_node_junction[static_cast<std::size_t>(v)];
        d.backup_hours = backup_h;
        d.threshold = 10.0;
        city.dependencies.push_back(std::move(d));
    };
    for (const model::Facility& f : city.facilities) {
        using K = model::FacilityKind;
        if (f.kind == K::kHospital || f.kind == K::kShelter || f.kind == K::kSchool ||
            f.kind == K::kFireStation) {
            water_from("facility:" + f.id, f.position, f.kind == K::kHospital ? 12.0 : 0.0);
        }
    }
    for (const model::PopulationZone& z : city.zones) {
        water_from("zone:" + z.id, z.centroid, 0.0);
    }
    city.water = std::move(water.network);
    city.water_valves = std::move(water.valves);
    stages.done(6);

    // Power: every zone and every facility from the load point of its feeder; water pumps and
    // sources likewise. Backup hours (docs/bundle.md): hospitals keep 72 h of generator fuel,
    // the command centre 24 h, fire stations 8 h, telecom sites a 4 h battery; shelters, schools,
    // depots, pumps and treatment plants have none.
    detail::PowerLayout grid =
        detail::make_power(plan, roads, city.zones, city.facilities, *city.water);
    auto power_from = [&](const std::string& consumer, std::int32_t bus, double backup_h) {
        model::Dependency d;
        d.consumer = consumer;
        d.service = model::Service::kPower;
        d.provider = "power_bus:" + std::to_string(bus);
        d.backup_hours = backup_h;
        city.dependencies.push_back(std::move(d));
    };
    for (std::size_t f = 0; f < city.facilities.size(); ++f) {
        using K = model::FacilityKind;
        const model::Facility& fac = city.facilities[f];
        const double backup_h = fac.kind == K::kHospital        ? 72.0
                                : fac.kind == K::kCommandCentre ? 24.0
                                : fac.kind == K::kFireStation   ? 8.0
                                : fac.kind == K::kTelecomSite   ? 4.0
                                                                : 0.0;
        power_from("facility:" + fac.id, grid.facility_bus[f], backup_h);
    }
    for (const auto& [asset, bus] : grid.water_assets) {
        power_from(asset, bus, 0.0);
    }
    for (std::size_t z = 0; z < city.zones.size(); ++z) {
        power_from("zone:" + city.zones[z].id, grid.zone_bus[z], 0.0);
    }
    city.power = std::move(grid.network);
    city.power_buses = std::move(grid.buses);
    city.power_switches = std::move(grid.switches);
    // Storm drains (docs/generate.md "The storm drains"), from their own RNG stream; each pump
    // station runs on the nearest 10 kV load point, with no standby generation.
    detail::DrainageLayout drains =
        detail::make_drainage(plan, roads, city.zones, city.power_buses);
    for (const auto& [asset, bus] : drains.pump_buses) {
        power_from(asset, bus, 0.0);
    }
    city.drainage = std::move(drains.network);
    stages.done(7);

    // Gas (docs/generate.md "The gas network"), drawn from its own RNG stream and laid inside the
    // roads' extent, so the other layers' files are the same with or without it.
    // Every zone and every facility with a gas customer (hospitals, schools) is served by it:
    // the customer node the generator laid for it (no backup: boilers and kitchens stop with the
    // gas; its minimum pressure is the node's own).
    detail::GasLayout gas_layout = detail::make_gas(plan, roads, city.zones, city.facilities);
    for (const auto& [consumer, customer] : gas_layout.customers) {
        model::Dependency d;
        d.consumer = consumer;
        d.service = model::Service::kGas;
        d.provider = "gas_node:" + customer;
        city.dependencies.push_back(std::move(d));
    }
    city.gas = std::move(gas_layout.network);

    // Extent: a box around every asset with about 200 m to spare, on a 0.0001° grid.
    BoundingBox box{options.centre.lon, options.centre.lat, options.centre.lon, options.centre.lat};
    auto grow = [&](LonLat p) {
        box.min_lon = std::min(box.min_lon, p.lon);
        box.min_lat = std::min(box.min_lat, p.lat);
        box.max_lon = std::max(box.max_lon, p.lon);
        box.max_lat = std::max(box.max_lat, p.lat);
    };
    for (const LonLat& p : roads.net.node_position) {
        grow(p);
    }
    for (const std::vector<LonLat>& line : roads.net.link_geometry) {
        for (const LonLat& p : line) {
            grow(p);
        }
    }
    for (const model::PopulationZone& z : city.zones) {
        grow(z.centroid);
        for (const LonLat& p : z.ring) {
            grow(p);
        }
    }
    for (const model::Facility& f : city.facilities) {
        grow(f.position);
    }
    for (std::size_t v = 0; v < city.water->x.size(); ++v) {
        grow({city.water->x[v], city.water->y[v]});
    }
    if (city.drainage) {
        for (std::size_t v = 0; v < city.drainage->x.size(); ++v) {
            grow({city.drainage->x[v], city.drainage->y[v]});
        }
    }
    for (const model::PowerBusInfo& b : city.power_buses) {
        grow(b.position);
    }
    constexpr double kPad = 0.002;
    box.min_lon = std::floor((box.min_lon - kPad) * 1e4) / 1e4;
    box.min_lat = std::floor((box.min_lat - kPad) * 1e4) / 1e4;
    box.max_lon = std::ceil((box.max_lon + kPad) * 1e4) / 1e4;
    box.max_lat = std::ceil((box.max_lat + kPad) * 1e4) / 1e4;
    city.info.extent = box;
    city.terrain = detail::make_terrain(plan, box);
    city.roads = std::move(roads.net);
    stages.done(8);
    stages.finish();
    return city;
}

GenerateSummary summarize(const model::City& city) {
    GenerateSummary s;
    s.population = 0;
    for (const model::PopulationZone& z : city.zones) {
        s.population += z.population;
    }
    if (city.roads) {
        s.road_nodes = city.roads->node_count();
        s.road_links = city.roads->link_count();
        s.bridges = static_cast<std::int32_t>(
            std::count(city.roads->bridge.begin(), city.roads->bridge.end(), std::uint8_t{1}));
    }
    if (city.water) {
        s.water_junctions = city.water->junction_count();
        s.water_pipes = city.water->pipe_count();
        s.water_tanks = city.water->tanks.count();
        s.water_pumps = city.water->pumps.count();
        s.water_valves = city.water->valves.count();
    }
    if (city.drainage) {
        const drainage::Network& d = *city.drainage;
        s.drainage_junctions =
            d.node_count() - d.outfalls.count() - d.storages.count() - d.dividers.count();
        s.drainage_conduits = d.conduits.count();
        s.drainage_outfalls = d.outfalls.count();
        s.drainage_pumps = d.pumps.count();
        s.drainage_subcatchments = d.subcatchments.count();
        for (double len : d.conduits.length_m) {
            s.drainage_conduit_km += len / 1000.0;
        }
    }
    if (city.power) {
        s.power_buses = city.power->buses.count();
        s.power_branches = city.power->branches.count();
        s.power_gens = city.power->gens.count();
        for (const double pd : city.power->buses.pd_pu) {
            s.power_load_mw += pd * city.power->base_mva;
        }
        s.power_ties = static_cast<std::int32_t>(
            std::count_if(city.power_switches.begin(), city.power_switches.end(),
                          [](const model::PowerSwitch& w) { return w.normally_open; }));
    }
    if (city.gas) {
        const gas::Network& g = *city.gas;
        for (std::size_t i = 0; i < g.node_id.size(); ++i) {
            s.gas_sources += g.node_kind[i] == gas::NodeKind::kSource ? 1 : 0;
            s.gas_customers += g.node_kind[i] == gas::NodeKind::kCustomer ? 1 : 0;
        }
        for (const gas::ConnectionKind k : g.connection_kind) {
            s.gas_pipes += k == gas::ConnectionKind::kPipe ? 1 : 0;
            s.gas_valves += k == gas::ConnectionKind::kValve ? 1 : 0;
            s.gas_regulators += k == gas::ConnectionKind::kRegulator ? 1 : 0;
        }
        s.gas_nodes = g.node_count();
    }
    s.facilities = static_cast<std::int32_t>(city.facilities.size());
    s.zones = static_cast<std::int32_t>(city.zones.size());
    s.dependencies = static_cast<std::int32_t>(city.dependencies.size());
    const BoundingBox& e = city.info.extent;
    const detail::LocalFrame frame({0.5 * (e.min_lon + e.max_lon), 0.5 * (e.min_lat + e.max_lat)});
    for (const model::PopulationZone& z : city.zones) {
        if (!z.ring.empty()) {
            s.area_km2 += detail::ring_area_km2(frame, z.ring);
        }
    }
    return s;
}

GenerateSummary write_city_bundle(const model::City& city, const GenerateOptions& options,
                                  const std::filesystem::path& out_dir, bool replace) {
    GenerateSummary summary = summarize(city);
    char buf[512];
    std::string comment = "Generated by `rencheng generate` (RenCheng " RENCHENG_VERSION ").\n";
    std::snprintf(
        buf, sizeof buf, "rencheng generate --population %lld --seed %llu --centre %.6f,%.6f",
        static_cast<long long>(options.population), static_cast<unsigned long long>(options.seed),
        options.centre.lon, options.centre.lat);
    comment += std::string("Command: ") + buf + " --name " + quoted(options.name) + " --name-zh " +
               quoted(options.name_zh) + " --crs " + options.crs +
               (options.streets ? " --roads-from " + quoted(options.streets_source) : "") + "\n";
    std::snprintf(buf, sizeof buf,
                  "Population %lld in %d zones over %.2f km2; %d road nodes, %d links "
                  "(%d bridges); %d facilities; %d dependencies.\n",
                  static_cast<long long>(summary.population), summary.zones, summary.area_km2,
                  summary.road_nodes, summary.road_links, summary.bridges, summary.facilities,
                  summary.dependencies);
    comment += buf;
    comment += "The same command with the same version writes the same bytes.";

    AtomicDirectory dir(out_dir, replace);
    const std::filesystem::path& tmp = dir.path();
    write_text(tmp / "city.toml", model::format_city_toml(city.info, city.files, comment));
    if (city.terrain && !city.files.terrain.empty()) {
        write_text(tmp / city.files.terrain, model::format_terrain(*city.terrain));
    }
    if (city.roads && !city.files.roads.empty()) {
        write_text(tmp / city.files.roads, transport::format_roads_geojson(*city.roads));
    }
    if (!city.files.facilities.empty()) {
        write_text(tmp / city.files.facilities, model::format_facilities_geojson(city.facilities));
    }
    if (!city.files.population.empty()) {
        write_text(tmp / city.files.population, model::format_population_geojson(city.zones));
    }
    if (!city.files.dependencies.empty()) {
        write_text(tmp / city.files.dependencies,
                   model::format_dependencies_csv(city.dependencies));
    }
    if (city.water && !city.files.water.empty()) {
        write_text(tmp / city.files.water, water::format_inp(*city.water));
    }
    if (!city.files.water_valves.empty() && !city.files.water.empty()) {
        write_text(tmp / city.files.water_valves,
                   model::format_water_valves_csv(city.water_valves));
    }
    if (city.power && !city.files.power.empty()) {
        write_text(tmp / city.files.power, power::format_matpower(*city.power));
        write_text(tmp / city.files.power_buses, model::format_power_buses_csv(city.power_buses));
        if (!city.files.power_switches.empty()) {
            write_text(tmp / city.files.power_switches,
                       model::format_power_switches_csv(city.power_switches));
        }
    }
    if (city.drainage && !city.files.drainage.empty()) {
        write_text(tmp / city.files.drainage, drainage::format_swmm_inp(*city.drainage));
    }
    // The roads as TNTP (docs/generate.md "Roads as TNTP"), beside the bundle's own files.
    if (city.roads && !city.zones.empty() &&
        static_cast<std::int32_t>(city.zones.size()) <= kMaxTntpZones) {
        const CityTntp tntp = make_city_tntp(city);
        const std::string stem = tntp_file_stem(city.info.name);
        write_text(tmp / (stem + "_net.tntp"), transport::format_tntp_net(tntp.net));
        write_text(tmp / (stem + "_trips.tntp"), transport::format_tntp_trips(tntp.trips));
        write_text(tmp / (stem + "_node.tntp"), tntp.nodes_text);
        summary.tntp_zones = tntp.net.zone_count;
        summary.tntp_trips_vehh = tntp.trips.total();
    }
    if (city.gas && !city.files.gas.empty()) {
        write_text(tmp / city.files.gas, gas::format_gas_geojson(*city.gas));
    }
    dir.commit();
    return summary;
}

} // namespace rencheng::citygen
