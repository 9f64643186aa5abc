// Writes a road network as GeoJSON (docs/bundle.md "roads.geojson"), byte-for-byte reproducibly.
#include <string>

#include "core/geojson.hpp"
#include "core/units.hpp"
#include "transport/road_network.hpp"

namespace rencheng::transport {

std::string format_roads_geojson(const RoadNetwork& net) {
    std::string out;
    out.reserve(static_cast<std::size_t>(net.link_count()) * 320 + 64);
    out += "{\"type\":\"FeatureCollection\",\"features\":[\n";
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        const auto i = static_cast<std::size_t>(k);
        out += "{\"type\":\"Feature\",\"properties\":{\"id\":";
        append_json_string(out, net.link_id[i]);
        out += ",\"from\":";
        append_json_string(out, net.node_id[static_cast<std::size_t>(net.link_from[i])]);
        out += ",\"to\":";
        append_json_string(out, net.node_id[static_cast<std::size_t>(net.link_to[i])]);
        out += ",\"class\":\"";
        out += road_class_name(net.link_class[i]);
        out += "\",\"lanes\":";
        out += std::to_string(net.lanes[i]);
        out += ",\"speed_kmh\":";
        append_fixed(out, net.free_speed_ms[i] / units::kKmPerHour, 3);
        out += ",\"capacity_vehh\":";
        append_fixed(out, net.capacity_vehh[i], 1);
        out += ",\"oneway\":";
        out += net.oneway[i] != 0 ? "true" : "false";
        out += ",\"bridge\":";
        out += net.bridge[i] != 0 ? "true" : "false";
        out += ",\"tunnel\":";
        out += net.tunnel[i] != 0 ? "true" : "false";
        if (!net.link_name[i].empty()) {
            out += ",\"name\":";
            append_json_string(out, net.link_name[i]);
        }
        out += ",\"length_m\":";
        append_fixed(out, net.length_m[i], 2);
        out += "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[";
        // A link without stored geometry is drawn straight between its end nodes.
        if (i < net.link_geometry.size() && net.link_geometry[i].size() >= 2) {
            bool first = true;
            for (const LonLat& p : net.link_geometry[i]) {
                if (!first) {
                    out += ',';
                }
                first = false;
                append_position(out, p);
            }
        } else {
            append_position(out, net.node_position[static_cast<std::size_t>(net.link_from[i])]);
            out += ',';
            append_position(out, net.node_position[static_cast<std::size_t>(net.link_to[i])]);
        }
        out += "]}}";
        out += k + 1 < net.link_count() ? ",\n" : "\n";
    }
    out += "]}\n";
    return out;
}

} // namespace rencheng::transport
