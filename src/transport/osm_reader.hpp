// OpenStreetMap (.osm.pbf, .osm XML) to a drivable road network, through libosmium.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "transport/clip_region.hpp"
#include "transport/road_network.hpp"

namespace rencheng::transport {

/// Defaults of one OSM highway class (docs/transport.md "OpenStreetMap import").
struct OsmHighwayClass {
    std::string_view highway;         ///< value of the highway tag, e.g. "primary_link"
    RoadClass road_class;             ///< our functional class
    double speed_kmh;                 ///< free speed when there is no usable maxspeed
    double capacity_per_lane_vehh;    ///< capacity of one lane, vehicles per hour
    std::int32_t lanes_per_direction; ///< lanes per direction when there is no lanes tag
};

/// The class table entry of a highway value, or nullopt when the class is not drivable (footway,
/// cycleway, track, path, steps, construction, proposed, …).
std::optional<OsmHighwayClass> osm_highway_class(std::string_view highway);

/// A maxspeed value in km/h: "50", "50 km/h", "30 mph", "walk", "XX:urban" (50), "XX:rural"
/// (80), "XX:motorway" (120), "XX:living_street" (20), "XX:zone30" / "XX:zone:30" (30).
/// nullopt for "none", "signals", "variable" and anything else we cannot read.
std::optional<double> parse_osm_maxspeed(std::string_view value);

/// What the import kept and dropped, for the CLI's summary and the tests.
struct OsmImportReport {
    std::int64_t ways_read = 0;      ///< ways in the file
    std::int64_t ways_drivable = 0;  ///< ways with a drivable highway class and access
    std::int64_t ways_unlocated = 0; ///< drivable ways cut where a node is missing from the file
    std::int64_t ways_clipped = 0;   ///< drivable ways cut at the clip region's boundary
    std::int64_t ways_outside = 0;   ///< drivable ways wholly outside the clip region
    std::int64_t nodes_outside = 0;  ///< nodes of drivable ways outside the clip region
    std::int32_t components = 0;     ///< strongly connected components before the reduction
    std::int32_t nodes_before = 0;   ///< graph nodes before the reduction
    std::int32_t links_before = 0;   ///< links before the reduction
    std::int32_t nodes_dropped = 0;  ///< nodes outside the largest strongly connected component
    std::int32_t links_dropped = 0;  ///< links outside it
};

/// Reads an OpenStreetMap file (.osm.pbf, .osm, .osm.gz, .osm.bz2; the format follows the name)
/// into a drivable road network:
///   - ways with a drivable highway tag (osm_highway_class) and no access=no/private (nor
///     motor_vehicle / motorcar = no), not area=yes;
///   - one link per stretch of a way between graph nodes (way ends and nodes shared by ways);
///     geometry kept, length by haversine;
///   - link id "w<way id>-<k>" (k-th stretch of the way), node id the OSM node id;
///   - oneway=yes/true/1, oneway=-1 (reversed), junction=roundabout/circular and motorways are
///     one-way unless oneway=no; oneway=reversible/alternating ways are left out;
///   - free speed from maxspeed (maxspeed:forward for one-way) or the class; lanes per direction
///     from lanes (halved on two-way roads), lanes:forward/backward, or the class; capacity =
///     lanes x capacity per lane of the class;
///   - bridge and tunnel tags (any value other than "no") kept so hazards can hit them;
///   - with a `clip` region: nodes outside it are left out like nodes missing from the file, so
///     a way keeps its inside part(s) and a link crossing the boundary ends at its last inside
///     node (the part outside, up to the boundary, is dropped);
///   - reduced to its largest strongly connected component (what was dropped is in `report`).
/// Bad tag values are warnings naming the way id and the field, and the class default is used;
/// an unreadable or malformed file is an error naming the file (and the line for XML). Never
/// throws on bad input.
RoadNetwork read_osm(const std::filesystem::path& path, Diagnostics& diags,
                     OsmImportReport* report = nullptr, const ClipRegion* clip = nullptr);

/// Same, from .osm XML text in memory (`file` names it in diagnostics). For tests and fuzzing.
RoadNetwork parse_osm_xml(std::string_view text, const std::string& file, Diagnostics& diags,
                          OsmImportReport* report = nullptr, const ClipRegion* clip = nullptr);

} // namespace rencheng::transport
