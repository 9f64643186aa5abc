// The city's own data: facility kinds and services, the asset registry, and the readers of
// facilities.geojson, population.geojson and dependencies.csv.
#include "model/city.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <unordered_map>

#include "core/csv.hpp"
#include "core/geojson.hpp"

namespace rencheng::model {

namespace {

constexpr std::array<std::string_view, kFacilityKindCount> kFacilityKindNames = {
    "hospital", "shelter", "fire_station", "depot", "command_centre", "telecom_site", "school"};
constexpr std::array<std::string_view, kServiceCount> kServiceNames = {
    "power", "water", "gas", "road_access", "telecom", "drainage"};

} // namespace

std::string_view facility_kind_name(FacilityKind k) {
    const auto i = static_cast<std::size_t>(k);
    return i < kFacilityKindNames.size() ? kFacilityKindNames[i] : "unknown";
}

std::optional<FacilityKind> parse_facility_kind(std::string_view name) {
    for (std::size_t i = 0; i < kFacilityKindNames.size(); ++i)
        if (kFacilityKindNames[i] == name)
            return static_cast<FacilityKind>(i);
    return std::nullopt;
}

bool is_power_bus_kind(std::string_view kind) {
    return std::find(kPowerBusKinds.begin(), kPowerBusKinds.end(), kind) != kPowerBusKinds.end();
}

bool is_power_switch_kind(std::string_view kind) {
    return std::find(kPowerSwitchKinds.begin(), kPowerSwitchKinds.end(), kind) !=
           kPowerSwitchKinds.end();
}

std::string_view service_name(Service s) {
    const auto i = static_cast<std::size_t>(s);
    return i < kServiceNames.size() ? kServiceNames[i] : "unknown";
}

std::optional<Service> parse_service(std::string_view name) {
    for (std::size_t i = 0; i < kServiceNames.size(); ++i)
        if (kServiceNames[i] == name)
            return static_cast<Service>(i);
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Asset registry

namespace {

/// Splits "layer:id" at the first ':'; false when there is none or either side is empty.
bool split_asset(std::string_view asset, std::string_view& layer, std::string_view& id) {
    const auto colon = asset.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == asset.size())
        return false;
    layer = asset.substr(0, colon);
    id = asset.substr(colon + 1);
    return true;
}

} // namespace

AssetRegistry::AssetRegistry(const City& city) {
    facilities_.reserve(city.facilities.size());
    for (const auto& f : city.facilities)
        facilities_.insert(f.id);
    zones_.reserve(city.zones.size());
    for (const auto& z : city.zones)
        zones_.insert(z.id);
    if (city.roads) {
        road_nodes_.insert(city.roads->node_id.begin(), city.roads->node_id.end());
        road_links_.insert(city.roads->link_id.begin(), city.roads->link_id.end());
    }
    if (city.water) {
        water_nodes_.insert(city.water->node_id.begin(), city.water->node_id.end());
        water_links_.insert(city.water->link_id.begin(), city.water->link_id.end());
    }
    if (city.power) {
        for (const std::int64_t number : city.power->buses.number)
            power_buses_.insert(std::to_string(number));
        power_branch_count_ = static_cast<std::size_t>(city.power->branches.count());
        power_gen_count_ = static_cast<std::size_t>(city.power->gens.count());
    }
    if (city.drainage) {
        drainage_nodes_.insert(city.drainage->node_id.begin(), city.drainage->node_id.end());
        drainage_links_.insert(city.drainage->link_id.begin(), city.drainage->link_id.end());
    }
    if (city.gas) {
        gas_nodes_.insert(city.gas->node_id.begin(), city.gas->node_id.end());
        gas_links_.insert(city.gas->connection_id.begin(), city.gas->connection_id.end());
    }
}

namespace {

/// The 1-based row `id` names when it is a plain positive decimal integer within [1, rows].
bool is_row_id(std::string_view id, std::size_t rows) {
    if (id.empty() || id.size() > 9 || id.front() == '0')
        return false;
    std::size_t row = 0;
    for (char c : id) {
        if (c < '0' || c > '9')
            return false;
        row = row * 10 + static_cast<std::size_t>(c - '0');
    }
    return row >= 1 && row <= rows;
}

/// True when `id` is the canonical decimal form of a bus number of `net`.
bool is_power_bus_id(const power::Network& net, std::string_view id) {
    if (id.empty() || id.size() > 18)
        return false;
    std::int64_t v = 0;
    const bool negative = id.front() == '-';
    const std::string_view digits = negative ? id.substr(1) : id;
    if (digits.empty() || (digits.size() > 1 && digits.front() == '0'))
        return false;
    for (char c : digits) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    return net.find_bus(negative ? -v : v).valid();
}

} // namespace

bool AssetRegistry::is_known_layer(std::string_view layer) {
    return layer == "facility" || layer == "zone" || layer == "road_node" || layer == "road_link" ||
           layer == "water_node" || layer == "water_link" || layer == "power_bus" ||
           layer == "power_branch" || layer == "power_gen" || layer == "drainage_node" ||
           layer == "drainage_link" || layer == "gas_node" || layer == "gas_link";
}

bool AssetRegistry::contains(std::string_view asset) const {
    std::string_view layer, id;
    if (!split_asset(asset, layer, id))
        return false;
    if (layer == "facility")
        return facilities_.find(id) != facilities_.end();
    if (layer == "zone")
        return zones_.find(id) != zones_.end();
    if (layer == "road_node")
        return road_nodes_.find(id) != road_nodes_.end();
    if (layer == "road_link")
        return road_links_.find(id) != road_links_.end();
    if (layer == "water_node")
        return water_nodes_.find(id) != water_nodes_.end();
    if (layer == "water_link")
        return water_links_.find(id) != water_links_.end();
    if (layer == "power_bus")
        return power_buses_.find(id) != power_buses_.end();
    if (layer == "power_branch")
        return is_row_id(id, power_branch_count_);
    if (layer == "power_gen")
        return is_row_id(id, power_gen_count_);
    if (layer == "drainage_node")
        return drainage_nodes_.find(id) != drainage_nodes_.end();
    if (layer == "drainage_link")
        return drainage_links_.find(id) != drainage_links_.end();
    if (layer == "gas_node")
        return gas_nodes_.find(id) != gas_nodes_.end();
    if (layer == "gas_link")
        return gas_links_.find(id) != gas_links_.end();
    return false;
}

bool AssetRegistry::matches_counts(const City& city) const {
    // Sets hold distinct ids; a city with duplicate ids never matches and falls back to a scan.
    const std::size_t nodes = city.roads ? city.roads->node_id.size() : 0;
    const std::size_t links = city.roads ? city.roads->link_id.size() : 0;
    const std::size_t wnodes = city.water ? city.water->node_id.size() : 0;
    const std::size_t wlinks = city.water ? city.water->link_id.size() : 0;
    const auto pbuses = static_cast<std::size_t>(city.power ? city.power->buses.count() : 0);
    const auto pbranches = static_cast<std::size_t>(city.power ? city.power->branches.count() : 0);
    const auto pgens = static_cast<std::size_t>(city.power ? city.power->gens.count() : 0);
    const std::size_t dnodes = city.drainage ? city.drainage->node_id.size() : 0;
    const std::size_t dlinks = city.drainage ? city.drainage->link_id.size() : 0;
    const std::size_t gnodes = city.gas ? city.gas->node_id.size() : 0;
    const std::size_t glinks = city.gas ? city.gas->connection_id.size() : 0;
    return facilities_.size() == city.facilities.size() && zones_.size() == city.zones.size() &&
           road_nodes_.size() == nodes && road_links_.size() == links &&
           water_nodes_.size() == wnodes && water_links_.size() == wlinks &&
           power_buses_.size() == pbuses && power_branch_count_ == pbranches &&
           power_gen_count_ == pgens && drainage_nodes_.size() == dnodes &&
           drainage_links_.size() == dlinks && gas_nodes_.size() == gnodes &&
           gas_links_.size() == glinks;
}

std::int64_t City::total_population() const {
    return std::accumulate(
        zones.begin(), zones.end(), std::int64_t{0},
        [](std::int64_t s, const PopulationZone& z) { return s + z.population; });
}

void City::index_assets() {
    registry_ = std::make_shared<const AssetRegistry>(*this);
}

bool City::has_asset(std::string_view asset) const {
    if (registry_ && registry_->matches_counts(*this))
        return registry_->contains(asset);
    // No index (a city built in memory) or a stale one: answer by scanning.
    std::string_view layer, id;
    if (!split_asset(asset, layer, id))
        return false;
    if (layer == "facility")
        return std::any_of(facilities.begin(), facilities.end(),
                           [&](const Facility& f) { return f.id == id; });
    if (layer == "zone")
        return std::any_of(zones.begin(), zones.end(),
                           [&](const PopulationZone& z) { return z.id == id; });
    if (layer == "road_node")
        return roads && roads->find_node(id) >= 0;
    if (layer == "road_link")
        return roads &&
               std::find(roads->link_id.begin(), roads->link_id.end(), id) != roads->link_id.end();
    if (layer == "water_node")
        return water && water->find_node(id).valid();
    if (layer == "water_link")
        return water && water->find_link(id).valid();
    if (layer == "power_bus")
        return power && is_power_bus_id(*power, id);
    if (layer == "power_branch")
        return power && is_row_id(id, static_cast<std::size_t>(power->branches.count()));
    if (layer == "power_gen")
        return power && is_row_id(id, static_cast<std::size_t>(power->gens.count()));
    if (layer == "drainage_node")
        return drainage && drainage->find_node(id).valid();
    if (layer == "drainage_link")
        return drainage && drainage->find_link(id).valid();
    if (layer == "gas_node")
        return gas && gas->find_node(id).valid();
    if (layer == "gas_link")
        return gas && gas->find_connection(id).valid();
    return false;
}

// ---------------------------------------------------------------------------------------------
// GeoJSON readers (facilities, population)

namespace {

using nlohmann::json;

/// Planar area-weighted centroid of a closed ring in lon/lat; the vertex mean when the area
/// vanishes (fine at city scale).
LonLat ring_centroid(const std::vector<LonLat>& ring) {
    double a2 = 0.0, cx = 0.0, cy = 0.0;
    const LonLat o = ring.front(); // shift to the first vertex for precision
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
        const double x0 = ring[i].lon - o.lon, y0 = ring[i].lat - o.lat;
        const double x1 = ring[i + 1].lon - o.lon, y1 = ring[i + 1].lat - o.lat;
        const double c = x0 * y1 - x1 * y0;
        a2 += c;
        cx += (x0 + x1) * c;
        cy += (y0 + y1) * c;
    }
    if (std::abs(a2) < 1e-18) {
        LonLat m{0.0, 0.0};
        for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
            m.lon += ring[i].lon;
            m.lat += ring[i].lat;
        }
        const double n = static_cast<double>(ring.size() - 1);
        return {m.lon / n, m.lat / n};
    }
    return {o.lon + cx / (3.0 * a2), o.lat + cy / (3.0 * a2)};
}

} // namespace

std::vector<Facility> parse_facilities_geojson(std::string_view text, const std::string& file,
                                               Diagnostics& diags) {
    std::vector<Facility> out;
    std::unordered_map<std::string, int> seen; // id → line of its first feature
    for_each_geojson_feature(text, file, diags, [&](const json& f, GeoJsonFeatureContext& rep) {
        const json* props = feature_properties(f, rep);
        if (props == nullptr)
            return;
        Facility fac;
        fac.source_line = rep.line;
        if (auto id = feature_id(*props, rep))
            fac.id = *id;

        std::string type;
        if (const json* geom = feature_geometry(f, type, rep)) {
            if (type != "Point") {
                rep.error(ErrorCode::kBadGeometry,
                          "a facility's geometry must be a Point, not " +
                              (type.empty() ? std::string("an untyped geometry") : type));
            } else if (const json* c = find_key(*geom, "coordinates"); c == nullptr) {
                rep.error(ErrorCode::kBadGeometry, "Point has no 'coordinates'");
            } else if (auto p = read_position(*c, rep, "the point")) {
                fac.position = *p;
            }
        }
        if (auto kind = string_property(*props, "kind", true, rep)) {
            if (auto k = parse_facility_kind(*kind)) {
                fac.kind = *k;
            } else {
                rep.error(ErrorCode::kUnknownValue,
                          "unknown facility kind '" + *kind +
                              "' (hospital, shelter, fire_station, depot, command_centre, "
                              "telecom_site, school)");
            }
        }
        if (auto name = string_property(*props, "name", false, rep))
            fac.name = *name;
        if (auto name = string_property(*props, "name_zh", false, rep))
            fac.name_zh = *name;
        if (auto cap = number_property(*props, "capacity", true, NumberBound{0.0, false}, rep))
            fac.capacity = *cap;
        if (!rep.failed && claim_feature_id(seen, "facility", rep))
            out.push_back(std::move(fac));
    });
    return out;
}

std::vector<PopulationZone> parse_population_geojson(std::string_view text, const std::string& file,
                                                     Diagnostics& diags) {
    std::vector<PopulationZone> out;
    std::unordered_map<std::string, int> seen; // id → line of its first feature
    for_each_geojson_feature(text, file, diags, [&](const json& f, GeoJsonFeatureContext& rep) {
        const json* props = feature_properties(f, rep);
        if (props == nullptr)
            return;
        PopulationZone zone;
        zone.source_line = rep.line;
        if (auto id = feature_id(*props, rep))
            zone.id = *id;

        std::string type;
        if (const json* geom = feature_geometry(f, type, rep)) {
            const json* c = find_key(*geom, "coordinates");
            if (type != "Point" && type != "Polygon") {
                rep.error(ErrorCode::kBadGeometry,
                          "a zone's geometry must be a Polygon or a Point, not " +
                              (type.empty() ? std::string("an untyped geometry") : type));
            } else if (c == nullptr) {
                rep.error(ErrorCode::kBadGeometry, type + " has no 'coordinates'");
            } else if (type == "Point") {
                if (auto p = read_position(*c, rep, "the point"))
                    zone.centroid = *p;
            } else if (!c->is_array() || c->empty() || !(*c)[0].is_array()) {
                rep.error(ErrorCode::kBadGeometry, "Polygon has no outer ring");
            } else {
                const json& ring = (*c)[0];
                bool ok = true;
                for (std::size_t k = 0; k < ring.size() && ok; ++k) {
                    auto p = read_position(ring[k], rep, "ring point " + std::to_string(k + 1));
                    if (p)
                        zone.ring.push_back(*p);
                    ok = p.has_value();
                }
                if (ok && zone.ring.size() < 4) {
                    rep.error(ErrorCode::kBadGeometry,
                              "the outer ring has " + std::to_string(zone.ring.size()) +
                                  " points; a closed ring needs at least 4");
                } else if (ok && !(zone.ring.front() == zone.ring.back())) {
                    rep.error(ErrorCode::kBadGeometry,
                              "the outer ring is not closed (first point != last point)");
                } else if (ok) {
                    zone.centroid = ring_centroid(zone.ring);
                    if (c->size() > 1)
                        diags.warning(ErrorCode::kUnsupported, file, rep.line, 0, zone.id,
                                      "holes (inner rings) are ignored");
                }
            }
        }
        if (auto d = string_property(*props, "district", true, rep))
            zone.district = *d;
        if (auto pop = integer_property(*props, "population", true,
                                        IntegerRange{0, 1'000'000'000'000, "[0, 1e12]"}, rep))
            zone.population = *pop;
        if (!rep.failed && claim_feature_id(seen, "zone", rep))
            out.push_back(std::move(zone));
    });
    return out;
}

// ---------------------------------------------------------------------------------------------
// dependencies.csv

namespace {

constexpr std::array<std::string_view, 5> kDependencyColumns = {"consumer", "service", "provider",
                                                                "backup_hours", "threshold"};

/// Line of the header: the first line that is neither blank nor a '#' comment.
int header_line(std::string_view text) {
    int line = 1;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view l = text.substr(pos, end - pos);
        while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
            l.remove_suffix(1);
        if (!l.empty() && l.front() != '#')
            return line;
        pos = end + 1;
        ++line;
    }
    return 1;
}

bool is_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

} // namespace

std::vector<Dependency> parse_dependencies_csv(std::string_view text, const std::string& file,
                                               Diagnostics& diags) {
    std::vector<Dependency> out;
    const std::size_t errors_before = diags.error_count();
    const CsvTable table = parse_csv(text, file, diags);
    if (table.header.empty()) {
        if (diags.error_count() == errors_before)
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        "no header; expected consumer,service,provider,backup_hours,threshold");
        return out;
    }
    const int hline = header_line(text);
    std::array<int, kDependencyColumns.size()> col{};
    bool header_ok = true;
    for (std::size_t c = 0; c < kDependencyColumns.size(); ++c) {
        col[c] = table.column(kDependencyColumns[c]);
        if (col[c] < 0) {
            diags.error(ErrorCode::kMissingKey, file, hline, 0, "",
                        "missing column '" + std::string(kDependencyColumns[c]) +
                            "'; the header must be consumer,service,provider,backup_hours,"
                            "threshold");
            header_ok = false;
        }
    }
    for (const auto& h : table.header) {
        if (std::find(kDependencyColumns.begin(), kDependencyColumns.end(), h) ==
            kDependencyColumns.end()) {
            diags.error(ErrorCode::kUnknownKey, file, hline, 0, "", "unknown column '" + h + "'");
            header_ok = false;
        }
    }
    if (!header_ok)
        return out;

    for (const auto& row : table.rows) {
        auto field = [&](std::size_t c) -> std::string_view {
            const auto i = static_cast<std::size_t>(col[c]);
            return i < row.fields.size() ? std::string_view(row.fields[i]) : std::string_view();
        };
        Dependency d;
        d.source_line = row.line;
        d.consumer = std::string(field(0));
        d.provider = std::string(field(2));
        bool ok = true;
        auto error = [&](ErrorCode code, std::string message) {
            diags.error(code, file, row.line, 0, d.consumer, std::move(message));
            ok = false;
        };
        for (const auto* asset : {&d.consumer, &d.provider}) {
            const char* role = asset == &d.consumer ? "consumer" : "provider";
            const auto colon = asset->find(':');
            if (asset->empty()) {
                error(ErrorCode::kMissingKey, std::string("empty ") + role);
            } else if (colon == std::string::npos || colon == 0 || colon + 1 == asset->size()) {
                error(ErrorCode::kUnknownReference,
                      std::string(role) + " '" + *asset + "' is not of the form <layer>:<id>");
            } else if (!AssetRegistry::is_known_layer(std::string_view(*asset).substr(0, colon))) {
                error(ErrorCode::kUnknownReference,
                      std::string(role) + " '" + *asset + "' names unknown layer '" +
                          asset->substr(0, colon) +
                          "' (facility, zone, road_node, road_link, water_node, water_link, "
                          "power_bus, power_branch, power_gen, drainage_node, drainage_link)");
            }
        }
        if (auto s = parse_service(field(1))) {
            d.service = *s;
        } else {
            error(ErrorCode::kUnknownValue,
                  "unknown service '" + std::string(field(1)) +
                      "' (power, water, gas, road_access, telecom, drainage)");
        }
        if (!is_blank(field(3))) {
            if (auto h = parse_double(field(3)); !h) {
                error(ErrorCode::kNumberSyntax,
                      "backup_hours '" + std::string(field(3)) + "' is not a number");
            } else if (*h < 0.0) {
                error(ErrorCode::kOutOfRange,
                      "backup_hours must be >= 0, got " + std::string(field(3)));
            } else {
                d.backup_hours = *h;
            }
        }
        if (!is_blank(field(4))) {
            if (auto t = parse_double(field(4))) {
                d.threshold = *t;
            } else {
                error(ErrorCode::kNumberSyntax,
                      "threshold '" + std::string(field(4)) + "' is not a number");
            }
        }
        if (ok && d.consumer == d.provider)
            diags.warning(ErrorCode::kInconsistent, file, row.line, 0, d.consumer,
                          "an asset depends on itself");
        if (ok)
            out.push_back(std::move(d));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// water_valves.csv

std::vector<IsolationValve> parse_water_valves_csv(std::string_view text, const std::string& file,
                                                   Diagnostics& diags) {
    std::vector<IsolationValve> out;
    const std::size_t errors_before = diags.error_count();
    const CsvTable table = parse_csv(text, file, diags);
    if (table.header.empty()) {
        if (diags.error_count() == errors_before)
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        "no header; expected valve,link,node");
        return out;
    }
    const int hline = header_line(text);
    constexpr std::array<std::string_view, 3> kColumns = {"valve", "link", "node"};
    std::array<int, 3> col{};
    bool header_ok = true;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
        col[c] = table.column(kColumns[c]);
        if (col[c] < 0) {
            diags.error(ErrorCode::kMissingKey, file, hline, 0, "",
                        "missing column '" + std::string(kColumns[c]) +
                            "'; the header must be valve,link,node");
            header_ok = false;
        }
    }
    if (!header_ok)
        return out;
    std::unordered_map<std::string, int> seen;
    for (const auto& row : table.rows) {
        auto field = [&](std::size_t c) -> std::string {
            const auto i = static_cast<std::size_t>(col[c]);
            return i < row.fields.size() ? row.fields[i] : std::string();
        };
        IsolationValve v;
        v.id = field(0);
        v.link = field(1);
        v.node = field(2);
        v.source_line = row.line;
        if (v.id.empty() || v.link.empty() || v.node.empty()) {
            diags.error(ErrorCode::kMissingKey, file, row.line, 0, v.id,
                        "a valve needs a valve id, a link and a node");
            continue;
        }
        if (auto [it, fresh] = seen.emplace(v.id, row.line); !fresh) {
            diags.error(ErrorCode::kDuplicateId, file, row.line, 0, v.id,
                        "valve '" + v.id + "' is also on line " + std::to_string(it->second));
            continue;
        }
        out.push_back(std::move(v));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// power_buses.csv and power_switches.csv

namespace {

/// Finds each of `columns` in the table's header; reports the missing ones (the message shows
/// the expected header). False when any is missing.
template <std::size_t N>
bool find_columns(const CsvTable& table, const std::array<std::string_view, N>& columns,
                  std::array<int, N>& col, std::string_view text, const std::string& file,
                  Diagnostics& diags) {
    std::string expected;
    for (auto c : columns)
        expected += (expected.empty() ? "" : ",") + std::string(c);
    bool ok = true;
    for (std::size_t c = 0; c < N; ++c) {
        col[c] = table.column(columns[c]);
        if (col[c] < 0) {
            diags.error(ErrorCode::kMissingKey, file, header_line(text), 0, "",
                        "missing column '" + std::string(columns[c]) + "'; the header must be " +
                            expected);
            ok = false;
        }
    }
    return ok;
}

std::string joined(const auto& names) {
    std::string out;
    for (auto n : names)
        out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

} // namespace

std::vector<PowerBusInfo> parse_power_buses_csv(std::string_view text, const std::string& file,
                                                Diagnostics& diags) {
    std::vector<PowerBusInfo> out;
    const std::size_t errors_before = diags.error_count();
    const CsvTable table = parse_csv(text, file, diags);
    if (table.header.empty()) {
        if (diags.error_count() == errors_before)
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        "no header; expected bus,lon,lat,kind,name");
        return out;
    }
    constexpr std::array<std::string_view, 5> kColumns = {"bus", "lon", "lat", "kind", "name"};
    std::array<int, 5> col{};
    if (!find_columns(table, kColumns, col, text, file, diags))
        return out;
    std::unordered_map<long long, int> seen; // bus number → line
    for (const auto& row : table.rows) {
        auto field = [&](std::size_t c) -> std::string_view {
            const auto i = static_cast<std::size_t>(col[c]);
            return i < row.fields.size() ? std::string_view(row.fields[i]) : std::string_view();
        };
        PowerBusInfo b;
        b.source_line = row.line;
        const std::string id(field(0));
        bool ok = true;
        auto error = [&](ErrorCode code, std::string message) {
            diags.error(code, file, row.line, 0, id, std::move(message));
            ok = false;
        };
        const auto number = parse_int(field(0));
        if (!number || *number < 1 || *number > 2'000'000'000) {
            error(ErrorCode::kNumberSyntax,
                  "bus '" + id + "' is not a positive integer bus number");
        } else {
            b.bus_number = static_cast<int>(*number);
        }
        const auto lon = parse_double(field(1));
        const auto lat = parse_double(field(2));
        if (!lon || *lon < -180.0 || *lon > 180.0)
            error(ErrorCode::kOutOfRange,
                  "lon '" + std::string(field(1)) + "' is not a longitude in [-180, 180]");
        if (!lat || *lat < -90.0 || *lat > 90.0)
            error(ErrorCode::kOutOfRange,
                  "lat '" + std::string(field(2)) + "' is not a latitude in [-90, 90]");
        if (lon && lat)
            b.position = {*lon, *lat};
        b.kind = std::string(field(3));
        if (!is_power_bus_kind(b.kind))
            error(ErrorCode::kUnknownValue,
                  "unknown bus kind '" + b.kind + "' (" + joined(kPowerBusKinds) + ")");
        b.name = std::string(field(4));
        if (ok) {
            if (auto [it, fresh] = seen.emplace(b.bus_number, row.line); !fresh) {
                error(ErrorCode::kDuplicateId,
                      "bus " + id + " is also on line " + std::to_string(it->second));
            }
        }
        if (ok)
            out.push_back(std::move(b));
    }
    return out;
}

std::vector<PowerSwitch> parse_power_switches_csv(std::string_view text, const std::string& file,
                                                  Diagnostics& diags) {
    std::vector<PowerSwitch> out;
    const std::size_t errors_before = diags.error_count();
    const CsvTable table = parse_csv(text, file, diags);
    if (table.header.empty()) {
        if (diags.error_count() == errors_before)
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        "no header; expected switch,branch,normally_open,kind");
        return out;
    }
    constexpr std::array<std::string_view, 4> kColumns = {"switch", "branch", "normally_open",
                                                          "kind"};
    std::array<int, 4> col{};
    if (!find_columns(table, kColumns, col, text, file, diags))
        return out;
    std::unordered_map<std::string, int> seen;
    std::unordered_map<int, std::string> on_branch; // branch row → switch id
    for (const auto& row : table.rows) {
        auto field = [&](std::size_t c) -> std::string_view {
            const auto i = static_cast<std::size_t>(col[c]);
            return i < row.fields.size() ? std::string_view(row.fields[i]) : std::string_view();
        };
        PowerSwitch sw;
        sw.source_line = row.line;
        sw.id = std::string(field(0));
        bool ok = true;
        auto error = [&](ErrorCode code, std::string message) {
            diags.error(code, file, row.line, 0, sw.id, std::move(message));
            ok = false;
        };
        if (sw.id.empty())
            error(ErrorCode::kMissingKey, "empty switch id");
        const auto branch = parse_int(field(1));
        if (!branch || *branch < 1 || *branch > 2'000'000'000) {
            error(ErrorCode::kNumberSyntax,
                  "branch '" + std::string(field(1)) + "' is not a 1-based row of mpc.branch");
        } else {
            sw.branch_row = static_cast<int>(*branch);
        }
        const std::string_view open = field(2);
        if (open == "1" || open == "true") {
            sw.normally_open = true;
        } else if (open == "0" || open == "false") {
            sw.normally_open = false;
        } else {
            error(ErrorCode::kWrongType,
                  "normally_open '" + std::string(open) + "' must be 0 or 1");
        }
        sw.kind = std::string(field(3));
        if (!is_power_switch_kind(sw.kind))
            error(ErrorCode::kUnknownValue,
                  "unknown switch kind '" + sw.kind + "' (" + joined(kPowerSwitchKinds) + ")");
        if (ok && sw.kind == "tie" && !sw.normally_open)
            diags.warning(ErrorCode::kInconsistent, file, row.line, 0, sw.id,
                          "a tie switch is normally open");
        if (ok) {
            if (auto [it, fresh] = seen.emplace(sw.id, row.line); !fresh)
                error(ErrorCode::kDuplicateId,
                      "switch '" + sw.id + "' is also on line " + std::to_string(it->second));
        }
        if (ok) {
            if (auto [it, fresh] = on_branch.emplace(sw.branch_row, sw.id); !fresh)
                error(ErrorCode::kDuplicateId, "branch " + std::to_string(sw.branch_row) +
                                                   " already has switch '" + it->second + "'");
        }
        if (ok)
            out.push_back(std::move(sw));
    }
    return out;
}

} // namespace rencheng::model
