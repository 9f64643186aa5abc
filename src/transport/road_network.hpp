// The road network: struct-of-arrays nodes and links, directed arcs in CSR form.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/csr.hpp"
#include "core/error.hpp"
#include "core/geo.hpp"
#include "core/index.hpp"

namespace rencheng::transport {

struct RoadNodeTag {};
struct RoadLinkTag {};
using RoadNodeIndex = StrongIndex<RoadNodeTag>;
using RoadLinkIndex = StrongIndex<RoadLinkTag>;

/// Functional class of a road (hierarchy of the network).
enum class RoadClass : std::uint8_t { kMotorway, kArterial, kCollector, kLocal };

/// "motorway", "arterial", "collector", "local".
std::string_view road_class_name(RoadClass c);
std::optional<RoadClass> parse_road_class(std::string_view name);

/// A road network. One link is one road segment between two nodes; a two-way link gives two
/// directed arcs in `graph`, a one-way link one arc (from → to). Struct-of-arrays, dense 0-based
/// indices; external ids map to indices once, at load time.
struct RoadNetwork {
    // Nodes
    std::vector<std::string> node_id;
    std::vector<LonLat> node_position;
    std::unordered_map<std::string, std::int32_t> node_index; ///< id → index

    // Links
    std::vector<std::string> link_id;
    std::vector<std::int32_t> link_from;
    std::vector<std::int32_t> link_to;
    std::vector<RoadClass> link_class;
    std::vector<double> length_m;
    std::vector<double> free_speed_ms;              ///< free-flow speed, m/s
    std::vector<double> capacity_vehh;              ///< capacity per direction, vehicles per hour
    std::vector<std::int32_t> lanes;                ///< lanes per direction
    std::vector<std::uint8_t> oneway;               ///< 1: only from → to
    std::vector<std::uint8_t> bridge;               ///< 1: the link is (or includes) a bridge
    std::vector<std::uint8_t> tunnel;               ///< 1: the link is (or includes) a tunnel
    std::vector<std::string> link_name;             ///< street name, may be empty
    std::vector<std::vector<LonLat>> link_geometry; ///< polyline from → to, >= 2 points
    std::vector<int> link_source_line;              ///< line in the input file, 0 when generated

    // Directed arcs, built by build_graph()
    CsrGraph graph;                        ///< arc ids index arc_link / arc_reverse
    std::vector<std::int32_t> arc_link;    ///< link of each arc
    std::vector<std::uint8_t> arc_reverse; ///< 1: the arc runs to → from

    [[nodiscard]] std::int32_t node_count() const {
        return static_cast<std::int32_t>(node_id.size());
    }
    [[nodiscard]] std::int32_t link_count() const {
        return static_cast<std::int32_t>(link_id.size());
    }
    /// Index of node `id`, or -1.
    [[nodiscard]] std::int32_t find_node(std::string_view id) const;

    /// Appends a node; returns its index. Precondition: the id is new.
    std::int32_t add_node(std::string id, LonLat position);
    /// (Re)builds `graph`, `arc_link` and `arc_reverse` from the link arrays (counting sort).
    void build_graph();
    /// Total length of all links, metres.
    [[nodiscard]] double total_length_m() const;
};

/// Reads roads written as GeoJSON (docs/bundle.md, "roads.geojson"): a FeatureCollection of
/// LineString features, one per link, with properties
///   id (string, required, unique), from / to (node ids, required), class (required),
///   lanes (integer >= 1, default 1), speed_kmh (> 0, required), capacity_vehh (> 0, required),
///   oneway / bridge / tunnel (bool, default false), name (string), length_m (> 0; default the
///   geometry's haversine length).
/// Node positions are the first and last points of the lines; one node id met at two positions
/// more than 1 m apart is an error. Every problem goes to `diags` with file, line and link id.
RoadNetwork read_roads_geojson(const std::filesystem::path& path, Diagnostics& diags);

/// Same, from text already in memory (`file` names it in diagnostics). For tests and fuzzing.
RoadNetwork parse_roads_geojson(std::string_view text, const std::string& file, Diagnostics& diags);

/// Writes the GeoJSON form read by read_roads_geojson: one feature per line, coordinates with 7
/// decimals, numbers in fixed notation, so that the same network gives the same bytes.
std::string format_roads_geojson(const RoadNetwork& net);

} // namespace rencheng::transport
