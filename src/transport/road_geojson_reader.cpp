// Reads roads.geojson (a FeatureCollection of LineString links) into a RoadNetwork.
#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_set>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/json_reader.hpp"
#include "core/units.hpp"
#include "transport/road_network.hpp"

namespace rencheng::transport {

namespace {

using nlohmann::json;

/// Farthest two positions of one node id may lie apart, metres (docs/bundle.md).
constexpr double kNodeTolerance_m = 1.0;

/// Reports the problems of one feature; remembers whether any was an error.
struct FeatureReport {
    Diagnostics& diags;
    const std::string& file;
    int line;
    std::string id;
    bool failed = false;

    void error(ErrorCode code, std::string message) {
        diags.error(code, file, line, 0, id, std::move(message));
        failed = true;
    }
};

std::string json_type_name(const json& v) {
    if (v.is_number_integer())
        return "an integer";
    if (v.is_number())
        return "a number";
    if (v.is_string())
        return "a string";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_null())
        return "null";
    if (v.is_array())
        return "an array";
    return "an object";
}

/// A position [lon, lat] or [lon, lat, z]; reports a bad one.
std::optional<LonLat> read_position(const json& v, FeatureReport& rep, std::size_t point) {
    const std::string where = "point " + std::to_string(point + 1);
    if (!v.is_array() || v.size() < 2 || v.size() > 3) {
        rep.error(ErrorCode::kBadGeometry, where + " is not a [lon, lat] position");
        return std::nullopt;
    }
    if (!v[0].is_number() || !v[1].is_number()) {
        rep.error(ErrorCode::kBadGeometry, where + " has a non-numeric coordinate");
        return std::nullopt;
    }
    const LonLat p{v[0].get<double>(), v[1].get<double>()};
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || p.lon < -180.0 || p.lon > 180.0 ||
        p.lat < -90.0 || p.lat > 90.0) {
        rep.error(ErrorCode::kOutOfRange, where + " lies outside lon [-180, 180] / lat [-90, 90]");
        return std::nullopt;
    }
    return p;
}

const json* find_key(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

std::optional<std::string> required_string(const json& props, const char* key, FeatureReport& rep) {
    const json* v = find_key(props, key);
    if (v == nullptr) {
        rep.error(ErrorCode::kMissingKey, std::string("missing property '") + key + "'");
        return std::nullopt;
    }
    if (!v->is_string() || v->get_ref<const std::string&>().empty()) {
        rep.error(ErrorCode::kWrongType,
                  std::string("property '") + key + "' must be a non-empty string, not " +
                      (v->is_string() ? std::string("an empty one") : json_type_name(*v)));
        return std::nullopt;
    }
    return v->get<std::string>();
}

/// A positive number; `required` false gives nullopt without a report when it is absent.
std::optional<double> positive_number(const json& props, const char* key, bool required,
                                      FeatureReport& rep) {
    const json* v = find_key(props, key);
    if (v == nullptr || (!required && v->is_null())) {
        if (required)
            rep.error(ErrorCode::kMissingKey, std::string("missing property '") + key + "'");
        return std::nullopt;
    }
    if (!v->is_number()) {
        rep.error(ErrorCode::kWrongType, std::string("property '") + key +
                                             "' must be a number, not " + json_type_name(*v));
        return std::nullopt;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x) || x <= 0.0) {
        rep.error(ErrorCode::kOutOfRange,
                  std::string("property '") + key + "' must be > 0, got " + v->dump());
        return std::nullopt;
    }
    return x;
}

bool optional_bool(const json& props, const char* key, FeatureReport& rep) {
    const json* v = find_key(props, key);
    if (v == nullptr || v->is_null())
        return false;
    if (!v->is_boolean()) {
        rep.error(ErrorCode::kWrongType, std::string("property '") + key +
                                             "' must be true or false, not " + json_type_name(*v));
        return false;
    }
    return v->get<bool>();
}

/// Lanes per direction: an integer >= 1, default 1.
std::int32_t read_lanes(const json& props, FeatureReport& rep) {
    const json* v = find_key(props, "lanes");
    if (v == nullptr || v->is_null())
        return 1;
    if (!v->is_number()) {
        rep.error(ErrorCode::kWrongType,
                  "property 'lanes' must be an integer, not " + json_type_name(*v));
        return 1;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x) || x != std::floor(x)) {
        rep.error(ErrorCode::kWrongType, "property 'lanes' must be an integer, got " + v->dump());
        return 1;
    }
    if (x < 1.0 || x > 64.0) {
        rep.error(ErrorCode::kOutOfRange, "property 'lanes' must be in [1, 64], got " + v->dump());
        return 1;
    }
    return static_cast<std::int32_t>(x);
}

/// Everything one valid feature contributes.
struct LinkRecord {
    std::string id, from, to, name;
    RoadClass road_class = RoadClass::kLocal;
    std::int32_t lanes = 1;
    double speed_kmh = 0.0, capacity_vehh = 0.0, length_m = 0.0;
    bool oneway = false, bridge = false, tunnel = false;
    std::vector<LonLat> geometry;
};

std::optional<LinkRecord> read_feature(const json& f, FeatureReport& rep) {
    if (!f.is_object() || f.value("type", json()) != "Feature") {
        rep.error(ErrorCode::kWrongType, "element of 'features' is not a GeoJSON Feature");
        return std::nullopt;
    }
    const json* props = find_key(f, "properties");
    if (props == nullptr || !props->is_object()) {
        rep.error(ErrorCode::kMissingKey, "feature has no 'properties' object");
        return std::nullopt;
    }
    // The id first, so that every later report names the link.
    LinkRecord r;
    if (auto id = required_string(*props, "id", rep)) {
        r.id = *id;
        rep.id = *id;
    }

    const json* geom = find_key(f, "geometry");
    if (geom == nullptr || !geom->is_object()) {
        rep.error(ErrorCode::kBadGeometry, "feature has no geometry");
    } else if (geom->value("type", json()) != "LineString") {
        const json* t = find_key(*geom, "type");
        rep.error(ErrorCode::kBadGeometry,
                  "geometry must be a LineString, not " + (t != nullptr && t->is_string()
                                                               ? t->get<std::string>()
                                                               : json_type_name(*geom)));
    } else {
        const json* coords = find_key(*geom, "coordinates");
        if (coords == nullptr || !coords->is_array()) {
            rep.error(ErrorCode::kBadGeometry, "LineString has no 'coordinates' array");
        } else if (coords->size() < 2) {
            rep.error(ErrorCode::kBadGeometry, "LineString has " + std::to_string(coords->size()) +
                                                   " point(s); a link needs at least 2");
        } else {
            for (std::size_t i = 0; i < coords->size(); ++i) {
                if (auto p = read_position((*coords)[i], rep, i))
                    r.geometry.push_back(*p);
            }
        }
    }

    if (auto from = required_string(*props, "from", rep))
        r.from = *from;
    if (auto to = required_string(*props, "to", rep))
        r.to = *to;
    if (!r.from.empty() && r.from == r.to)
        rep.error(ErrorCode::kInconsistent,
                  "link starts and ends at the same node '" + r.from + "'");

    if (auto cls = required_string(*props, "class", rep)) {
        if (auto c = parse_road_class(*cls)) {
            r.road_class = *c;
        } else {
            rep.error(ErrorCode::kUnknownValue,
                      "unknown road class '" + *cls + "' (motorway, arterial, collector, local)");
        }
    }
    r.lanes = read_lanes(*props, rep);
    if (auto v = positive_number(*props, "speed_kmh", true, rep))
        r.speed_kmh = *v;
    if (auto v = positive_number(*props, "capacity_vehh", true, rep))
        r.capacity_vehh = *v;
    r.oneway = optional_bool(*props, "oneway", rep);
    r.bridge = optional_bool(*props, "bridge", rep);
    r.tunnel = optional_bool(*props, "tunnel", rep);
    if (const json* name = find_key(*props, "name"); name != nullptr && !name->is_null()) {
        if (name->is_string()) {
            r.name = name->get<std::string>();
        } else {
            rep.error(ErrorCode::kWrongType,
                      "property 'name' must be a string, not " + json_type_name(*name));
        }
    }
    const std::optional<double> given_length = positive_number(*props, "length_m", false, rep);
    if (rep.failed)
        return std::nullopt;

    r.length_m = given_length ? *given_length : polyline_length_m(r.geometry);
    if (!(r.length_m > 0.0)) {
        rep.error(ErrorCode::kBadGeometry,
                  "all points of the line coincide (length 0) and no 'length_m' is given");
        return std::nullopt;
    }
    return r;
}

} // namespace

RoadNetwork parse_roads_geojson(std::string_view text, const std::string& file,
                                Diagnostics& diags) {
    RoadNetwork net;
    const JsonDocument doc = parse_json(text, file, diags);
    if (doc.root.is_null())
        return net; // syntax error, already reported
    if (!doc.root.is_object() || doc.root.value("type", json()) != "FeatureCollection") {
        diags.error(ErrorCode::kWrongType, file, 1, 0, "",
                    "top level must be a GeoJSON FeatureCollection");
        return net;
    }
    const json* features = find_key(doc.root, "features");
    if (features == nullptr || !features->is_array()) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "the FeatureCollection has no 'features' array");
        return net;
    }

    std::unordered_map<std::string, int> link_line; // id → line of its first feature
    for (std::size_t i = 0; i < features->size(); ++i) {
        const int line = i < doc.feature_lines.size() ? doc.feature_lines[i] : 0; // 0: line unknown
        FeatureReport rep{diags, file, line, ""};
        std::optional<LinkRecord> r = read_feature((*features)[i], rep);
        if (!r)
            continue;

        if (const auto [it, inserted] = link_line.emplace(r->id, line); !inserted) {
            rep.error(ErrorCode::kDuplicateId,
                      "link id '" + r->id + "' already used on line " + std::to_string(it->second));
            continue;
        }

        // Node ends: a node met before must be where it was (within kNodeTolerance_m).
        std::int32_t ends[2] = {-1, -1};
        const std::string* end_ids[2] = {&r->from, &r->to};
        const LonLat end_pos[2] = {r->geometry.front(), r->geometry.back()};
        for (int e = 0; e < 2; ++e) {
            const std::int32_t n = net.find_node(*end_ids[e]);
            if (n < 0)
                continue;
            const double d =
                haversine_m(net.node_position[static_cast<std::size_t>(n)], end_pos[e]);
            if (d > kNodeTolerance_m) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.1f m", d);
                rep.error(ErrorCode::kInconsistent,
                          "node '" + *end_ids[e] + "' is " + buf +
                              " away from where an earlier link put it (tolerance 1 m)");
            }
            ends[e] = n;
        }
        if (rep.failed)
            continue;
        for (int e = 0; e < 2; ++e) {
            if (ends[e] < 0)
                ends[e] = net.add_node(*end_ids[e], end_pos[e]);
        }

        net.link_id.push_back(std::move(r->id));
        net.link_from.push_back(ends[0]);
        net.link_to.push_back(ends[1]);
        net.link_class.push_back(r->road_class);
        net.length_m.push_back(r->length_m);
        net.free_speed_ms.push_back(r->speed_kmh * units::kKmPerHour);
        net.capacity_vehh.push_back(r->capacity_vehh);
        net.lanes.push_back(r->lanes);
        net.oneway.push_back(r->oneway ? 1 : 0);
        net.bridge.push_back(r->bridge ? 1 : 0);
        net.tunnel.push_back(r->tunnel ? 1 : 0);
        net.link_name.push_back(std::move(r->name));
        net.link_geometry.push_back(std::move(r->geometry));
        net.link_source_line.push_back(line);
    }
    net.build_graph();
    return net;
}

RoadNetwork read_roads_geojson(const std::filesystem::path& path, Diagnostics& diags) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error& e) {
        diags.error(e.code(), path.string(), 0, 0, "", e.what());
        return {};
    }
    return parse_roads_geojson(text, path.string(), diags);
}

} // namespace rencheng::transport
