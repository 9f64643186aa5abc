// The synthetic city generator behind `rencheng generate`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/geo.hpp"
#include "core/progress.hpp"
#include "model/city.hpp"
#include "transport/road_network.hpp"
#include "transport/tntp.hpp"

namespace rencheng::citygen {

struct GenerateOptions {
    std::int64_t population = 100000; ///< residents, >= 1000
    std::uint64_t seed = 1;
    LonLat centre{114.30, 30.60}; ///< city centre, degrees
    std::string name = "Synthetic City";
    std::string name_zh = "合成城";
    std::string crs = "EPSG:4547"; ///< analysis CRS written to city.toml
    /// `--roads-from`: a real street network (e.g. transport::read_osm of an OpenStreetMap
    /// extract) to lay the city on instead of the synthetic street lattice; `centre` must then be
    /// streets_centre(*streets). Null for a fully synthetic city.
    std::shared_ptr<const transport::RoadNetwork> streets;
    std::string streets_source; ///< the file the streets came from, for city.toml's comment
    /// Throws Error(kOutOfRange) naming the bad option.
    void validate() const;
};

struct GenerateSummary {
    std::int64_t population = 0;
    std::int32_t road_nodes = 0;
    std::int32_t road_links = 0;
    std::int32_t bridges = 0;
    std::int32_t facilities = 0;
    std::int32_t zones = 0;
    std::int32_t dependencies = 0;
    std::int32_t water_junctions = 0;
    std::int32_t water_pipes = 0;
    std::int32_t water_tanks = 0;
    std::int32_t water_pumps = 0;
    std::int32_t water_valves = 0; ///< PRVs and other control valves of the .inp
    std::int32_t power_buses = 0;
    std::int32_t power_branches = 0; ///< lines and transformers, the open ties included
    std::int32_t power_gens = 0;
    std::int32_t power_ties = 0; ///< normally-open 10 kV tie switches
    double power_load_mw = 0.0;  ///< peak load of the case
    double area_km2 = 0.0;
    std::int32_t drainage_junctions = 0; ///< manholes
    std::int32_t drainage_conduits = 0;
    std::int32_t drainage_outfalls = 0;
    std::int32_t drainage_pumps = 0; ///< one per pump station
    std::int32_t drainage_subcatchments = 0;
    double drainage_conduit_km = 0.0;
    std::int32_t gas_nodes = 0;
    std::int32_t gas_sources = 0; ///< gate stations
    std::int32_t gas_pipes = 0;
    std::int32_t gas_valves = 0;     ///< isolation valves
    std::int32_t gas_regulators = 0; ///< ring and district regulator stations
    std::int32_t gas_customers = 0;
    std::int32_t tntp_zones = 0;  ///< zones of the TNTP files written, 0 when none were
    double tntp_trips_vehh = 0.0; ///< total demand of the TNTP trip table, vehicles per hour
};

/// Centre of the bounding box of a street network's nodes, rounded to 1e-6 degrees: the city
/// centre of `generate --roads-from`.
LonLat streets_centre(const transport::RoadNetwork& streets);

/// The city's roads for static traffic assignment (docs/generate.md "Roads as TNTP"): TNTP nodes
/// 1..Z are the population zones (centroids, below <FIRST THRU NODE>), Z+1.. the road nodes;
/// one link per direction of every road, then a centroid connector each way between every zone
/// and its nearest road node; a production-constrained gravity trip table over the zones.
struct CityTntp {
    transport::AssignmentNetwork net;
    transport::TripTable trips;
    std::string nodes_text; ///< the `_node` file: TNTP node, longitude, latitude
};
/// Largest number of zones for which generate writes the TNTP files (the trip table grows as the
/// square of the zones).
inline constexpr std::int32_t kMaxTntpZones = 2000;
/// Builds the TNTP form of `city` (roads and zones required). Deterministic.
CityTntp make_city_tntp(const model::City& city);
/// "<slug>" of the TNTP file names "<slug>_net.tntp", "<slug>_trips.tntp", "<slug>_node.tntp":
/// the city's English name in lower case, runs of other characters as one '_' ("Demo City" →
/// "demo_city"); "city" when nothing is left.
std::string tntp_file_stem(const std::string& city_name);

/// Lays out a city in memory. Same options → same city, bit for bit.
model::City generate_city(const GenerateOptions& options, ProgressSink* progress = nullptr);

/// Counts of a generated (or loaded) city: population, zones and their area, roads, facilities.
GenerateSummary summarize(const model::City& city);

/// The analysis CRS suggested for a city centred at `centre`: the CGCS2000 3-degree
/// Gauss-Kruger zone (EPSG:4534-4554) in China's longitudes, else the WGS84 UTM zone.
std::string default_crs(LonLat centre);

/// Writes `city` as a bundle into `out_dir` atomically (temporary folder, then rename). With
/// `replace`, an existing `out_dir` is replaced; otherwise an existing non-empty folder is an
/// Error(kOutputExists). Same city → same bytes.
GenerateSummary write_city_bundle(const model::City& city, const GenerateOptions& options,
                                  const std::filesystem::path& out_dir, bool replace);

} // namespace rencheng::citygen
