// Loads a city bundle: city.toml, then every file it names, then the checks across files.
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <system_error>

#include <toml++/toml.h>

#include "core/atomic_file.hpp"
#include "drainage/swmm_inp.hpp"
#include "gas/geojson_io.hpp"
#include "model/city.hpp"
#include "power/matpower.hpp"
#include "water/epanet_inp.hpp"

namespace rencheng::model {

namespace fs = std::filesystem;

namespace {

/// Positions may lie this far outside the extent (degrees, about 0.1 m): files round
/// coordinates to 7 decimals.
constexpr double kExtentTolerance_deg = 1e-6;

int line_of(const toml::source_region& s) {
    return static_cast<int>(s.begin.line);
}
int column_of(const toml::source_region& s) {
    return static_cast<int>(s.begin.column);
}

/// Reads the keys of one known section; reports unknown keys and ill-typed values.
class SectionReader {
public:
    SectionReader(const toml::table& table, std::string name, const std::string& file,
                  Diagnostics& diags)
        : table_(table), name_(std::move(name)), file_(file), diags_(diags) {}

    /// Reports every key not in `known`.
    void check_keys(std::initializer_list<std::string_view> known) {
        for (auto&& [key, node] : table_) {
            bool ok = false;
            for (auto k : known)
                ok = ok || key.str() == k;
            if (!ok) {
                std::string list;
                for (auto k : known)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                diags_.error(ErrorCode::kUnknownKey, file_, line_of(key.source()),
                             column_of(key.source()), "",
                             "unknown key '" + std::string(key.str()) + "' in [" + name_ +
                                 "] (known: " + list + ")");
            }
        }
    }

    /// A string value; `line` receives the key's line. Reports a missing (when required),
    /// ill-typed or (when `non_empty`) empty value.
    std::string string(std::string_view key, bool required, int* line = nullptr,
                       bool non_empty = true) {
        const toml::node* node = table_.get(key);
        if (node == nullptr) {
            if (required)
                missing(key);
            return {};
        }
        if (line != nullptr)
            *line = line_of(node->source());
        const auto* s = node->as_string();
        if (s == nullptr || (non_empty && s->get().empty())) {
            diags_.error(ErrorCode::kWrongType, file_, line_of(node->source()),
                         column_of(node->source()), "",
                         "[" + name_ + "]." + std::string(key) + " must be a " +
                             (non_empty ? "non-empty " : "") + "string");
            return {};
        }
        return s->get();
    }

    void missing(std::string_view key) {
        diags_.error(ErrorCode::kMissingKey, file_, line_of(table_.source()), 0, "",
                     "[" + name_ + "] has no '" + std::string(key) + "'");
    }

    [[nodiscard]] const toml::table& table() const { return table_; }

private:
    const toml::table& table_;
    std::string name_;
    const std::string& file_;
    Diagnostics& diags_;
};

/// Reads [city].extent into `out`; leaves it all zero after a report.
void read_extent(SectionReader& city, const std::string& file, Diagnostics& diags,
                 BoundingBox& out) {
    const toml::node* node = city.table().get("extent");
    if (node == nullptr) {
        city.missing("extent");
        return;
    }
    const int line = line_of(node->source());
    const int col = column_of(node->source());
    const auto* arr = node->as_array();
    double v[4] = {0, 0, 0, 0};
    bool numeric = arr != nullptr && arr->size() == 4;
    for (std::size_t i = 0; numeric && i < 4; ++i) {
        const auto x = (*arr)[i].value<double>(); // integers convert too
        numeric = x.has_value() && std::isfinite(*x);
        if (numeric)
            v[i] = *x;
    }
    if (!numeric) {
        diags.error(ErrorCode::kWrongType, file, line, col, "",
                    "[city].extent must be 4 numbers [min_lon, min_lat, max_lon, max_lat]");
        return;
    }
    const BoundingBox box{v[0], v[1], v[2], v[3]};
    bool ok = true;
    auto error = [&](const std::string& message) {
        diags.error(ErrorCode::kOutOfRange, file, line, col, "", message);
        ok = false;
    };
    if (box.min_lon < -180.0 || box.max_lon > 180.0)
        error("[city].extent longitudes must lie in [-180, 180]");
    if (box.min_lat < -90.0 || box.max_lat > 90.0)
        error("[city].extent latitudes must lie in [-90, 90]");
    if (!(box.min_lon < box.max_lon))
        error("[city].extent: min_lon must be less than max_lon (the order is [min_lon, min_lat, "
              "max_lon, max_lat])");
    if (!(box.min_lat < box.max_lat))
        error("[city].extent: min_lat must be less than max_lat (the order is [min_lon, min_lat, "
              "max_lon, max_lat])");
    if (ok)
        out = box;
}

bool extent_valid(const BoundingBox& b) {
    return b.min_lon < b.max_lon && b.min_lat < b.max_lat;
}

bool inside(const BoundingBox& b, LonLat p) {
    return p.lon >= b.min_lon - kExtentTolerance_deg && p.lon <= b.max_lon + kExtentTolerance_deg &&
           p.lat >= b.min_lat - kExtentTolerance_deg && p.lat <= b.max_lat + kExtentTolerance_deg;
}

std::string format_lonlat(LonLat p) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "(%.7f, %.7f)", p.lon, p.lat);
    return buf;
}

/// Reads [power]: the MATPOWER case, then power_buses.csv (one row per bus of the case, inside
/// the extent) and power_switches.csv (branch rows of the case, normally-open switches on
/// branches out of service). False when the case could not be read (its references are then
/// not checked).
template <class Open, class Display>
bool load_power(City& city, const CityToml& ct, bool check_extent, Open& open, Display& display,
                Diagnostics& diags) {
    if (city.files.power.empty())
        return true;
    const auto t = open(city.files.power, "power", ct.power_line);
    if (!t)
        return false;
    const std::string case_name = display(city.files.power);
    std::size_t before = diags.error_count();
    power::Network net = power::parse_matpower(*t, case_name, diags);
    if (diags.error_count() != before)
        return false;
    city.power = std::move(net);
    const power::Network& pn = *city.power;
    const BoundingBox extent = city.info.extent;

    if (auto b = open(city.files.power_buses, "power", ct.power_buses_line)) {
        const std::string name = display(city.files.power_buses);
        before = diags.error_count();
        city.power_buses = parse_power_buses_csv(*b, name, diags);
        std::vector<std::uint8_t> placed(static_cast<std::size_t>(pn.buses.count()), 0);
        for (const auto& info : city.power_buses) {
            const power::BusIndex i = pn.find_bus(info.bus_number);
            if (!i.valid()) {
                diags.error(ErrorCode::kUnknownReference, name, info.source_line, 0,
                            std::to_string(info.bus_number),
                            "bus " + std::to_string(info.bus_number) + " is not a bus of " +
                                city.files.power);
                continue;
            }
            placed[static_cast<std::size_t>(i.idx())] = 1;
            if (check_extent && !inside(extent, info.position))
                diags.error(ErrorCode::kOutsideCity, name, info.source_line, 0,
                            std::to_string(info.bus_number),
                            "bus at " + format_lonlat(info.position) +
                                " lies outside the city extent");
        }
        // Only when the file itself read cleanly: a broken row already has its own error.
        for (std::int32_t i = 0; diags.error_count() == before && i < pn.buses.count(); ++i)
            if (placed[static_cast<std::size_t>(i)] == 0) {
                diags.error(ErrorCode::kMissingKey, name, 0, 0,
                            std::to_string(pn.buses.number[static_cast<std::size_t>(i)]),
                            "bus " + std::to_string(pn.buses.number[static_cast<std::size_t>(i)]) +
                                " of " + city.files.power +
                                " has no row (every bus needs a "
                                "position)");
                break;
            }
    }

    if (auto w = open(city.files.power_switches, "power", ct.power_switches_line)) {
        const std::string name = display(city.files.power_switches);
        city.power_switches = parse_power_switches_csv(*w, name, diags);
        for (const auto& sw : city.power_switches) {
            if (sw.branch_row > pn.branches.count()) {
                diags.error(ErrorCode::kOutOfRange, name, sw.source_line, 0, sw.id,
                            "branch " + std::to_string(sw.branch_row) + " is out of range (" +
                                city.files.power + " has " + std::to_string(pn.branches.count()) +
                                " branches)");
                continue;
            }
            const bool in_service = pn.branches.in_service(power::BranchIndex{sw.branch_row - 1});
            if (sw.normally_open == in_service)
                diags.error(ErrorCode::kInconsistent, name, sw.source_line, 0, sw.id,
                            std::string("switch is normally ") +
                                (sw.normally_open ? "open" : "closed") + " but branch " +
                                std::to_string(sw.branch_row) + " has BR_STATUS " +
                                (in_service ? "1" : "0"));
        }
    }
    return true;
}

/// Reads [drainage]: the SWMM .inp (errors with file:line from the SWMM reader) and, when the
/// network read cleanly, checks that every node with [COORDINATES] (lon/lat in a bundle) lies in
/// the extent. False when the file could not be read cleanly (its references are then not
/// checked).
template <class Open, class Display>
bool load_drainage(City& city, const CityToml& ct, bool check_extent, Open& open, Display& display,
                   Diagnostics& diags) {
    if (city.files.drainage.empty())
        return true;
    const auto t = open(city.files.drainage, "drainage", ct.drainage_line);
    if (!t)
        return false;
    const std::string name = display(city.files.drainage);
    const std::size_t before = diags.error_count();
    drainage::Network net = drainage::parse_swmm_inp(*t, name, diags);
    if (diags.error_count() != before)
        return false;
    for (std::int32_t v = 0; check_extent && v < net.node_count(); ++v) {
        const auto uv = static_cast<std::size_t>(v);
        if (net.has_coordinates[uv] != 0 && !inside(city.info.extent, {net.x[uv], net.y[uv]})) {
            diags.error(ErrorCode::kOutsideCity, name, 0, 0, net.node_id[uv],
                        "node at " + format_lonlat({net.x[uv], net.y[uv]}) +
                            " lies outside the city extent");
            break;
        }
    }
    city.drainage = std::move(net);
    return true;
}

/// Reads [gas]: the city gas GeoJSON (docs/gas.md; its reader's diagnostics carry file, line and
/// element id) and checks that every node with a position lies in the extent.
template <class Open, class Display>
void load_gas(City& city, const CityToml& ct, bool check_extent, Open& open, Display& display,
              Diagnostics& diags) {
    if (city.files.gas.empty())
        return;
    const auto t = open(city.files.gas, "gas", ct.gas_line);
    if (!t)
        return;
    const std::string name = display(city.files.gas);
    gas::Network net;
    try {
        net = gas::parse_gas_geojson(*t, name);
    } catch (const Error& e) {
        if (e.diagnostics().empty())
            diags.error(e.code(), name, 0, 0, "", e.what());
        else
            diags.append(e.diagnostics());
        return;
    }
    for (std::int32_t v = 0; check_extent && v < net.node_count(); ++v) {
        const auto uv = static_cast<std::size_t>(v);
        if (gas::is_set(net.lon_deg[uv]) && gas::is_set(net.lat_deg[uv]) &&
            !inside(city.info.extent, {net.lon_deg[uv], net.lat_deg[uv]})) {
            diags.error(ErrorCode::kOutsideCity, name, 0, 0, net.node_id[uv],
                        "node at " + format_lonlat({net.lon_deg[uv], net.lat_deg[uv]}) +
                            " lies outside the city extent");
            break;
        }
    }
    city.gas = std::move(net);
}

} // namespace

CityToml parse_city_toml(std::string_view text, const std::string& file, Diagnostics& diags) {
    CityToml out;
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        diags.error(ErrorCode::kTomlSyntax, file, line_of(e.source()), column_of(e.source()), "",
                    std::string(e.description()));
        return out;
    }

    bool have_city = false;
    for (auto&& [key, node] : root) {
        const std::string name(key.str());
        const int line = line_of(key.source());
        const int col = column_of(key.source());
        const auto* table = node.as_table();
        const bool known = name == "city" || name == "terrain" || name == "roads" ||
                           name == "facilities" || name == "population" || name == "dependencies" ||
                           name == "water" || name == "power" || name == "drainage" ||
                           name == "gas";
        if (table == nullptr) {
            if (known) {
                diags.error(ErrorCode::kWrongType, file, line, col, "",
                            "'" + name + "' must be a section [" + name + "]");
            } else {
                diags.error(ErrorCode::kUnknownKey, file, line, col, "",
                            "unknown top-level key '" + name + "' (keys belong in a section)");
            }
            continue;
        }
        if (!known) {
            diags.warning(ErrorCode::kUnknownKey, file, line, col, "",
                          "section [" + name + "] is not known to this version; ignored");
            continue;
        }
        SectionReader s(*table, name, file, diags);
        if (name == "city") {
            have_city = true;
            s.check_keys({"name", "name_zh", "crs", "extent"});
            out.info.name = s.string("name", true);
            out.info.name_zh = s.string("name_zh", false, nullptr, false);
            out.info.crs = s.string("crs", true, &out.crs_line);
            read_extent(s, file, diags, out.info.extent);
        } else if (name == "roads") {
            s.check_keys({"format", "file"});
            out.files.roads = s.string("file", true, &out.roads_line);
            int format_line = 0;
            const std::string format = s.string("format", false, &format_line);
            if (!format.empty()) {
                if (format != "geojson") {
                    diags.error(ErrorCode::kUnsupported, file, format_line, 0, "",
                                "[roads].format '" + format + "' is not supported (only geojson)");
                } else {
                    out.files.roads_format = format;
                }
            }
        } else if (name == "water") {
            s.check_keys({"file", "valves"});
            out.files.water = s.string("file", true, &out.water_line);
            out.files.water_valves = s.string("valves", false, &out.water_valves_line);
        } else if (name == "drainage") {
            s.check_keys({"file"});
            out.files.drainage = s.string("file", true, &out.drainage_line);
        } else if (name == "gas") {
            s.check_keys({"file"});
            out.files.gas = s.string("file", true, &out.gas_line);
        } else if (name == "power") {
            s.check_keys({"file", "buses", "switches"});
            out.files.power = s.string("file", true, &out.power_line);
            out.files.power_buses = s.string("buses", true, &out.power_buses_line);
            out.files.power_switches = s.string("switches", false, &out.power_switches_line);
        } else {
            s.check_keys({"file"});
            int* line_out = name == "terrain"      ? &out.terrain_line
                            : name == "facilities" ? &out.facilities_line
                            : name == "population" ? &out.population_line
                                                   : &out.dependencies_line;
            std::string* file_out = name == "terrain"      ? &out.files.terrain
                                    : name == "facilities" ? &out.files.facilities
                                    : name == "population" ? &out.files.population
                                                           : &out.files.dependencies;
            *file_out = s.string("file", true, line_out);
        }
    }
    if (!have_city)
        diags.error(ErrorCode::kMissingKey, file, 0, 0, "",
                    "no [city] section (it needs name, crs and extent)");
    return out;
}

City load_city(const fs::path& path, Diagnostics& diags) {
    City city;
    std::error_code ec;
    fs::path toml_path;
    if (fs::is_directory(path, ec)) {
        city.root = path;
        toml_path = path / "city.toml";
    } else if (fs::exists(path, ec)) {
        city.root = path.parent_path();
        toml_path = path;
    } else {
        diags.error(ErrorCode::kFileNotFound, path.string(), 0, 0, "",
                    "no such bundle folder or city.toml");
        return city;
    }
    if (!fs::exists(toml_path, ec)) {
        diags.error(ErrorCode::kFileNotFound, toml_path.string(), 0, 0, "",
                    "the bundle folder has no city.toml");
        return city;
    }
    const std::string toml_name = toml_path.string();
    const std::optional<std::string> text = read_file(toml_path, diags);
    if (!text)
        return city;
    const CityToml ct = parse_city_toml(*text, toml_name, diags);
    city.info = ct.info;
    city.files = ct.files;

    if (!city.info.crs.empty()) {
        std::string why;
        if (!is_known_crs(city.info.crs, &why))
            diags.error(ErrorCode::kUnknownCrs, toml_name, ct.crs_line, 0, "",
                        "PROJ does not know the CRS '" + city.info.crs + "'" +
                            (why.empty() ? std::string() : ": " + why));
    }
    const BoundingBox extent = city.info.extent;
    const bool check_extent = extent_valid(extent);

    // Reads one named file; nullopt (after a report) when it is missing or unreadable.
    auto open = [&](const std::string& name, const char* section,
                    int key_line) -> std::optional<std::string> {
        if (name.empty())
            return std::nullopt;
        const fs::path p = city.root / name;
        if (!fs::is_regular_file(p, ec)) {
            diags.error(ErrorCode::kFileNotFound, toml_name, key_line, 0, "",
                        std::string("[") + section + "].file names '" + name +
                            "', which does not exist (looked for " + p.string() + ")");
            return std::nullopt;
        }
        return read_file(p, diags);
    };
    auto display = [&](const std::string& name) { return (city.root / name).string(); };
    // A layer whose file could not be read at all: references to it are not checked, so that
    // one broken file does not bury its own error under one per dependency.
    auto unreadable = [&](std::size_t errors_before, std::size_t items) {
        return items == 0 && diags.error_count() > errors_before;
    };
    bool facilities_ok = city.files.facilities.empty();
    bool zones_ok = city.files.population.empty();
    bool roads_ok = city.files.roads.empty();

    if (auto t = open(city.files.terrain, "terrain", ct.terrain_line)) {
        const std::string name = display(city.files.terrain);
        const std::size_t before = diags.error_count();
        Terrain terrain = parse_terrain(*t, name, diags);
        if (diags.error_count() == before) {
            const double tol = terrain.cellsize_deg / 2;
            const double east = terrain.xll_lon + terrain.ncols * terrain.cellsize_deg;
            const double north = terrain.yll_lat + terrain.nrows * terrain.cellsize_deg;
            if (check_extent &&
                (terrain.xll_lon > extent.min_lon + tol || east < extent.max_lon - tol ||
                 terrain.yll_lat > extent.min_lat + tol || north < extent.max_lat - tol))
                diags.warning(ErrorCode::kOutsideCity, name, 1, 0, "",
                              "the terrain grid does not cover the whole city extent");
            city.terrain = std::move(terrain);
        }
    }

    if (auto t = open(city.files.roads, "roads", ct.roads_line)) {
        const std::string name = display(city.files.roads);
        const std::size_t before = diags.error_count();
        transport::RoadNetwork roads = transport::parse_roads_geojson(*t, name, diags);
        roads_ok = !unreadable(before, roads.link_id.size());
        for (std::int32_t l = 0; check_extent && l < roads.link_count(); ++l) {
            const auto li = static_cast<std::size_t>(l);
            for (const LonLat& p : roads.link_geometry[li]) {
                if (inside(extent, p))
                    continue;
                diags.error(ErrorCode::kOutsideCity, name, roads.link_source_line[li], 0,
                            roads.link_id[li],
                            "point " + format_lonlat(p) + " lies outside the city extent");
                break;
            }
        }
        city.roads = std::move(roads);
    } else if (!city.files.roads.empty()) {
        roads_ok = false;
    }

    if (auto t = open(city.files.facilities, "facilities", ct.facilities_line)) {
        const std::string name = display(city.files.facilities);
        const std::size_t before = diags.error_count();
        city.facilities = parse_facilities_geojson(*t, name, diags);
        facilities_ok = !unreadable(before, city.facilities.size());
        for (const auto& f : city.facilities)
            if (check_extent && !inside(extent, f.position))
                diags.error(ErrorCode::kOutsideCity, name, f.source_line, 0, f.id,
                            "facility at " + format_lonlat(f.position) +
                                " lies outside the city extent");
    }

    if (auto t = open(city.files.population, "population", ct.population_line)) {
        const std::string name = display(city.files.population);
        const std::size_t before = diags.error_count();
        city.zones = parse_population_geojson(*t, name, diags);
        zones_ok = !unreadable(before, city.zones.size());
        for (const auto& z : city.zones) {
            if (!check_extent)
                break;
            const LonLat* out = nullptr;
            if (z.ring.empty()) {
                if (!inside(extent, z.centroid))
                    out = &z.centroid;
            } else {
                for (const auto& p : z.ring)
                    if (out == nullptr && !inside(extent, p))
                        out = &p;
            }
            if (out != nullptr)
                diags.error(ErrorCode::kOutsideCity, name, z.source_line, 0, z.id,
                            "zone point " + format_lonlat(*out) + " lies outside the city extent");
        }
    }

    bool water_ok = city.files.water.empty();
    if (auto t = open(city.files.water, "water", ct.water_line)) {
        const std::string name = display(city.files.water);
        const std::size_t before = diags.error_count();
        water::Network net = water::parse_inp(*t, name, diags);
        water_ok = diags.error_count() == before;
        if (water_ok) {
            // [COORDINATES] of a bundle's network are lon/lat (docs/bundle.md).
            for (std::int32_t v = 0; check_extent && v < net.node_count(); ++v) {
                const auto uv = static_cast<std::size_t>(v);
                if (net.has_coordinates[uv] && !inside(extent, {net.x[uv], net.y[uv]})) {
                    diags.error(ErrorCode::kOutsideCity, name, 0, 0, net.node_id[uv],
                                "node at " + format_lonlat({net.x[uv], net.y[uv]}) +
                                    " lies outside the city extent");
                    break;
                }
            }
            city.water = std::move(net);
        }
    } else if (!city.files.water.empty()) {
        water_ok = false;
    }
    if (!city.files.water_valves.empty() && city.files.water.empty()) {
        diags.error(ErrorCode::kInconsistent, toml_name, ct.water_valves_line, 0, "",
                    "[water].valves needs [water].file");
    } else if (auto t = open(city.files.water_valves, "water", ct.water_valves_line)) {
        const std::string name = display(city.files.water_valves);
        city.water_valves = parse_water_valves_csv(*t, name, diags);
        for (const auto& v : city.water_valves) {
            if (!city.water)
                break;
            const water::LinkIndex l = city.water->find_link(v.link);
            if (!l.valid()) {
                diags.error(ErrorCode::kUnknownReference, name, v.source_line, 0, v.id,
                            "link '" + v.link + "' is not a link of the water network");
                continue;
            }
            const auto ul = static_cast<std::size_t>(l.idx());
            if (city.water->link_kind[ul] != water::LinkKind::kPipe &&
                city.water->link_kind[ul] != water::LinkKind::kCvPipe)
                diags.error(ErrorCode::kInconsistent, name, v.source_line, 0, v.id,
                            "link '" + v.link + "' is not a pipe");
            const water::NodeIndex nd = city.water->find_node(v.node);
            if (nd != city.water->from_node[ul] && nd != city.water->to_node[ul])
                diags.error(ErrorCode::kInconsistent, name, v.source_line, 0, v.id,
                            "node '" + v.node + "' is not an end of pipe '" + v.link + "'");
        }
    }

    const bool power_ok = load_power(city, ct, check_extent, open, display, diags);
    const bool drainage_ok = load_drainage(city, ct, check_extent, open, display, diags);
    load_gas(city, ct, check_extent, open, display, diags);

    city.index_assets();

    if (auto t = open(city.files.dependencies, "dependencies", ct.dependencies_line)) {
        const std::string name = display(city.files.dependencies);
        city.dependencies = parse_dependencies_csv(*t, name, diags);
        auto checked = [&](std::string_view asset) {
            if (asset.starts_with("facility:"))
                return facilities_ok;
            if (asset.starts_with("zone:"))
                return zones_ok;
            if (asset.starts_with("road_node:") || asset.starts_with("road_link:"))
                return roads_ok;
            if (asset.starts_with("water_node:") || asset.starts_with("water_link:"))
                return water_ok;
            if (asset.starts_with("power_bus:") || asset.starts_with("power_branch:") ||
                asset.starts_with("power_gen:"))
                return power_ok;
            if (asset.starts_with("drainage_node:") || asset.starts_with("drainage_link:"))
                return drainage_ok;
            if (asset.starts_with("gas_node:") || asset.starts_with("gas_link:"))
                return city.gas.has_value() || city.files.gas.empty(); // else its reader said why
            return true;
        };
        for (const auto& d : city.dependencies) {
            for (const std::string* asset : {&d.consumer, &d.provider}) {
                if (!checked(*asset) || city.has_asset(*asset))
                    continue;
                diags.error(ErrorCode::kUnknownReference, name, d.source_line, 0, d.consumer,
                            std::string(asset == &d.consumer ? "consumer" : "provider") + " '" +
                                *asset + "' is not an asset of this city");
            }
        }
    }
    return city;
}

} // namespace rencheng::model
