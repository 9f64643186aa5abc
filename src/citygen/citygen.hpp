// The synthetic city generator behind `rencheng generate`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/geo.hpp"
#include "core/progress.hpp"
#include "model/city.hpp"

namespace rencheng::citygen {

struct GenerateOptions {
    std::int64_t population = 100000; ///< residents, >= 1000
    std::uint64_t seed = 1;
    LonLat centre{114.30, 30.60}; ///< city centre, degrees
    std::string name = "Synthetic City";
    std::string name_zh = "合成城";
    std::string crs = "EPSG:4547"; ///< analysis CRS written to city.toml
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
};

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
