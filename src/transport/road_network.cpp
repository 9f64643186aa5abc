// The road network: class names, node lookup, directed arcs in CSR form, totals.
#include "transport/road_network.hpp"

#include <cassert>
#include <numeric>

namespace rencheng::transport {

std::string_view road_class_name(RoadClass c) {
    switch (c) {
    case RoadClass::kMotorway:
        return "motorway";
    case RoadClass::kArterial:
        return "arterial";
    case RoadClass::kCollector:
        return "collector";
    case RoadClass::kLocal:
        return "local";
    }
    return "unknown";
}

std::optional<RoadClass> parse_road_class(std::string_view name) {
    if (name == "motorway")
        return RoadClass::kMotorway;
    if (name == "arterial")
        return RoadClass::kArterial;
    if (name == "collector")
        return RoadClass::kCollector;
    if (name == "local")
        return RoadClass::kLocal;
    return std::nullopt;
}

std::int32_t RoadNetwork::find_node(std::string_view id) const {
    // std::unordered_map<std::string, …> has no heterogeneous lookup without a transparent hash.
    const auto it = node_index.find(std::string(id));
    return it == node_index.end() ? -1 : it->second;
}

std::int32_t RoadNetwork::add_node(std::string id, LonLat position) {
    assert(node_index.find(id) == node_index.end()); // precondition: the id is new
    const auto index = static_cast<std::int32_t>(node_id.size());
    node_index.emplace(id, index);
    node_id.push_back(std::move(id));
    node_position.push_back(position);
    return index;
}

void RoadNetwork::build_graph() {
    std::vector<std::int32_t> tails;
    std::vector<std::int32_t> heads;
    tails.reserve(link_id.size() * 2);
    heads.reserve(link_id.size() * 2);
    arc_link.clear();
    arc_reverse.clear();
    arc_link.reserve(link_id.size() * 2);
    arc_reverse.reserve(link_id.size() * 2);
    for (std::size_t l = 0; l < link_id.size(); ++l) {
        tails.push_back(link_from[l]);
        heads.push_back(link_to[l]);
        arc_link.push_back(static_cast<std::int32_t>(l));
        arc_reverse.push_back(0);
        if (oneway[l] == 0) {
            tails.push_back(link_to[l]);
            heads.push_back(link_from[l]);
            arc_link.push_back(static_cast<std::int32_t>(l));
            arc_reverse.push_back(1);
        }
    }
    graph = build_csr(node_count(), tails, heads);
}

double RoadNetwork::total_length_m() const {
    return std::accumulate(length_m.begin(), length_m.end(), 0.0);
}

} // namespace rencheng::transport
