// Reads roads.geojson (a FeatureCollection of LineString links) into a RoadNetwork.
#include <cstdio>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/geojson.hpp"
#include "core/units.hpp"
#include "transport/road_network.hpp"

namespace rencheng::transport {

namespace {

using nlohmann::json;

/// Farthest two positions of one node id may lie apart, metres (docs/bundle.md).
constexpr double kNodeTolerance_m = 1.0;

/// Everything one valid feature contributes.
struct LinkRecord {
    std::string id, from, to, name;
    RoadClass road_class = RoadClass::kLocal;
    std::int32_t lanes = 1;
    double speed_kmh = 0.0, capacity_vehh = 0.0, length_m = 0.0;
    bool oneway = false, bridge = false, tunnel = false;
    std::vector<LonLat> geometry;
};

std::optional<LinkRecord> read_feature(const json& f, GeoJsonFeatureContext& rep) {
    const json* props = feature_properties(f, rep);
    if (props == nullptr)
        return std::nullopt;
    // The id first, so that every later report names the link.
    LinkRecord r;
    if (auto id = feature_id(*props, rep))
        r.id = *id;

    std::string type;
    if (const json* geom = feature_geometry(f, type, rep)) {
        if (type != "LineString") {
            const json* t = find_key(*geom, "type");
            rep.error(ErrorCode::kBadGeometry,
                      "geometry must be a LineString, not " +
                          (t != nullptr && t->is_string() ? type : json_type_name(*geom)));
        } else if (const json* coords = find_key(*geom, "coordinates");
                   coords == nullptr || !coords->is_array()) {
            rep.error(ErrorCode::kBadGeometry, "LineString has no 'coordinates' array");
        } else if (coords->size() < 2) {
            rep.error(ErrorCode::kBadGeometry, "LineString has " + std::to_string(coords->size()) +
                                                   " point(s); a link needs at least 2");
        } else {
            for (std::size_t i = 0; i < coords->size(); ++i) {
                if (auto p = read_position((*coords)[i], rep, "point " + std::to_string(i + 1)))
                    r.geometry.push_back(*p);
            }
        }
    }

    if (auto from = string_property(*props, "from", true, rep))
        r.from = *from;
    if (auto to = string_property(*props, "to", true, rep))
        r.to = *to;
    if (!r.from.empty() && r.from == r.to)
        rep.error(ErrorCode::kInconsistent,
                  "link starts and ends at the same node '" + r.from + "'");

    if (auto cls = string_property(*props, "class", true, rep)) {
        if (auto c = parse_road_class(*cls)) {
            r.road_class = *c;
        } else {
            rep.error(ErrorCode::kUnknownValue,
                      "unknown road class '" + *cls + "' (motorway, arterial, collector, local)");
        }
    }
    // Lanes per direction: an integer >= 1, default 1.
    if (auto lanes = integer_property(*props, "lanes", false, IntegerRange{1, 64, "[1, 64]"}, rep))
        r.lanes = static_cast<std::int32_t>(*lanes);
    constexpr NumberBound kPositive{0.0, true};
    if (auto v = number_property(*props, "speed_kmh", true, kPositive, rep))
        r.speed_kmh = *v;
    if (auto v = number_property(*props, "capacity_vehh", true, kPositive, rep))
        r.capacity_vehh = *v;
    r.oneway = bool_property(*props, "oneway", rep);
    r.bridge = bool_property(*props, "bridge", rep);
    r.tunnel = bool_property(*props, "tunnel", rep);
    if (auto name = string_property(*props, "name", false, rep))
        r.name = *name;
    const std::optional<double> given_length =
        number_property(*props, "length_m", false, kPositive, rep);
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
    std::unordered_map<std::string, int> link_line; // id → line of its first feature
    for_each_geojson_feature(text, file, diags, [&](const json& f, GeoJsonFeatureContext& rep) {
        std::optional<LinkRecord> r = read_feature(f, rep);
        if (!r || !claim_feature_id(link_line, "link", rep))
            return;

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
            return;
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
        net.link_source_line.push_back(rep.line);
    });
    net.build_graph();
    return net;
}

RoadNetwork read_roads_geojson(const std::filesystem::path& path, Diagnostics& diags) {
    const std::optional<std::string> text = read_file(path, diags);
    return text ? parse_roads_geojson(*text, path.string(), diags) : RoadNetwork{};
}

} // namespace rencheng::transport
