// The city: what a bundle holds (city.toml, terrain, roads, facilities, population, dependencies).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "drainage/network.hpp"
#include "gas/network.hpp"
#include "power/network.hpp"
#include "transport/road_network.hpp"
#include "water/network.hpp"

namespace rencheng::model {

/// Kinds of critical facility. `capacity` means, by kind: hospital — beds; shelter — persons;
/// fire_station — engines; depot — repair crews; command_centre — staff positions;
/// telecom_site — subscribers served; school — pupils.
enum class FacilityKind : std::uint8_t {
    kHospital,
    kShelter,
    kFireStation,
    kDepot,
    kCommandCentre,
    kTelecomSite,
    kSchool,
};
inline constexpr int kFacilityKindCount = 7;
/// "hospital", "shelter", "fire_station", "depot", "command_centre", "telecom_site", "school".
std::string_view facility_kind_name(FacilityKind k);
std::optional<FacilityKind> parse_facility_kind(std::string_view name);

struct Facility {
    std::string id;
    FacilityKind kind = FacilityKind::kHospital;
    std::string name;
    std::string name_zh;
    LonLat position;
    double capacity = 0.0; ///< unit by kind, see FacilityKind
    int source_line = 0;
};

/// A population zone: a polygon (or a point) with the number of residents.
struct PopulationZone {
    std::string id;
    std::string district;
    std::vector<LonLat> ring; ///< outer ring, closed (first == last); empty for a point zone
    LonLat centroid;          ///< the point for a point zone, the ring's centroid otherwise
    std::int64_t population = 0;
    int source_line = 0;
};

/// Services one asset provides to another (DESIGN.md §4).
enum class Service : std::uint8_t { kPower, kWater, kGas, kRoadAccess, kTelecom, kDrainage };
inline constexpr int kServiceCount = 6;
/// "power", "water", "gas", "road_access", "telecom", "drainage".
std::string_view service_name(Service s);
std::optional<Service> parse_service(std::string_view name);

/// Consumer C needs service S from provider P, with an optional backup and threshold.
/// Assets are named `<layer>:<id>` (docs/bundle.md): facility:, zone:, road_node:, road_link:,
/// water_node:, water_link:, and each other lifeline's layers as they land.
struct Dependency {
    std::string consumer;
    Service service = Service::kPower;
    std::string provider;
    double backup_hours = 0.0; ///< hours the consumer rides through a loss (generator, battery)
    std::optional<double> threshold; ///< service level below which the service counts as lost
                                     ///< (water: pressure m; power: voltage pu; …)
    int source_line = 0;
};

/// An isolation (gate) valve of the water network: on pipe `link`, at its end at node `node`.
/// EPANET has no element for these; they live in the bundle's water_valves.csv (docs/bundle.md).
struct IsolationValve {
    std::string id;
    std::string link;
    std::string node;
    int source_line = 0;
};

/// An elevation surface on a regular lon/lat grid (ESRI ASCII grid, docs/bundle.md).
struct Terrain {
    int ncols = 0;
    int nrows = 0;
    double xll_lon = 0.0; ///< west edge of the grid, degrees
    double yll_lat = 0.0; ///< south edge of the grid, degrees
    double cellsize_deg = 0.0;
    double nodata = -9999.0;
    std::vector<float> elevation_m; ///< row-major, row 0 is the NORTHERN row (file order)

    /// Bilinear elevation at p, metres; nullopt outside the grid or on nodata.
    [[nodiscard]] std::optional<double> elevation_at(LonLat p) const;
};

/// Reads an ESRI ASCII grid (ncols, nrows, xllcorner|xllcenter, yllcorner|yllcenter, cellsize,
/// NODATA_value, then nrows lines of ncols values). Problems go to `diags` with file and line.
Terrain read_terrain(const std::filesystem::path& path, Diagnostics& diags);
Terrain parse_terrain(std::string_view text, const std::string& file, Diagnostics& diags);
/// Writes the same form, values with 2 decimals.
std::string format_terrain(const Terrain& t);

/// What city.toml says about the city itself.
struct CityInfo {
    std::string name;
    std::string name_zh;
    std::string crs;    ///< the CRS for analysis, e.g. "EPSG:4547"; GeoJSON is always WGS84
    BoundingBox extent; ///< lon/lat box every asset must lie in
};

/// File names of the bundle as city.toml gives them, relative to the bundle folder.
struct BundleFiles {
    std::string terrain;
    std::string roads;
    std::string roads_format = "geojson";
    std::string facilities;
    std::string population;
    std::string dependencies;
    std::string water;          ///< EPANET .inp
    std::string water_valves;   ///< isolation valves CSV, optional
    std::string power;          ///< MATPOWER case (.m), [power].file
    std::string power_buses;    ///< bus positions CSV, [power].buses (required with a case)
    std::string power_switches; ///< 10 kV switches CSV, [power].switches, optional
    std::string drainage;       ///< EPA SWMM .inp, [drainage].file
    std::string gas;            ///< city gas network GeoJSON, [gas].file (docs/gas.md)
};

/// Kinds of power bus in power_buses.csv (docs/bundle.md): "supply_220kv" (external grid
/// in-feed, the slack), "substation_220kv" (220 kV side of a 220/110 kV substation),
/// "substation_110kv" (110 kV busbar of a substation), "substation_10kv" (10 kV busbar of a
/// 110/10 kV substation, or a 10 kV switching node), "load_10kv" (a 10 kV feeder section's load
/// point), "generator" (terminal bus of a local power plant).
inline constexpr std::array<std::string_view, 6> kPowerBusKinds = {
    "supply_220kv",    "substation_220kv", "substation_110kv",
    "substation_10kv", "load_10kv",        "generator"};
/// True when `kind` is one of kPowerBusKinds.
bool is_power_bus_kind(std::string_view kind);

/// Where a bus of the power case lies, and what it is (power_buses.csv).
struct PowerBusInfo {
    int bus_number = 0; ///< BUS_I of the case
    LonLat position;
    std::string kind; ///< one of kPowerBusKinds
    std::string name;
    int source_line = 0;
};

/// Kinds of switch in power_switches.csv: "tie" (normally open, between feeders of different
/// substations), "sectionalising" (normally closed, along a feeder), "breaker" (normally closed,
/// a feeder's head at the substation busbar).
inline constexpr std::array<std::string_view, 3> kPowerSwitchKinds = {"tie", "sectionalising",
                                                                      "breaker"};
bool is_power_switch_kind(std::string_view kind);

/// A 10 kV switch: it opens or closes branch row `branch_row` of the case (1-based, the row of
/// `mpc.branch`). A normally-open switch's branch is written with BR_STATUS 0.
struct PowerSwitch {
    std::string id;
    int branch_row = 0; ///< 1-based row of mpc.branch
    bool normally_open = false;
    std::string kind; ///< one of kPowerSwitchKinds
    int source_line = 0;
};

struct City;

/// Every asset of a city by layer, for O(1) lookups of "layer:id" names (docs/bundle.md,
/// dependencies.csv). Built once from a city in O(assets); it copies the ids, so it stays valid
/// while the city changes, but then describes the city as it was.
class AssetRegistry {
public:
    AssetRegistry() = default;
    explicit AssetRegistry(const City& city);

    /// True when `asset` ("layer:id") names an asset of the city the registry was built from.
    [[nodiscard]] bool contains(std::string_view asset) const;
    /// True when `layer` is a layer this version knows ("facility", "zone", "road_node",
    /// "road_link", "water_node", "water_link", "power_bus", "power_branch", "power_gen",
    /// "drainage_node", "drainage_link"). power_bus ids are bus numbers; power_branch and
    /// power_gen ids are 1-based rows of mpc.branch and mpc.gen; drainage ids are SWMM names
    /// (nodes: junctions, outfalls, dividers, storage units; links: conduits, pumps, orifices,
    /// weirs, outlets), compared without regard to ASCII case as SWMM does.
    [[nodiscard]] static bool is_known_layer(std::string_view layer);
    /// True when the registry was built from a city holding as many assets per layer as `city`.
    [[nodiscard]] bool matches_counts(const City& city) const;

private:
    /// Hash and equality that accept std::string_view, so lookups do not allocate.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using IdSet = std::unordered_set<std::string, Hash, std::equal_to<>>;
    IdSet facilities_;
    IdSet zones_;
    IdSet road_nodes_;
    IdSet road_links_;
    IdSet water_nodes_;
    IdSet water_links_;
    IdSet power_buses_;
    /// SWMM names: looked up without regard to ASCII case, as SWMM does (drainage/network.hpp).
    using DrainageIdSet = std::unordered_set<std::string, drainage::IdHash, drainage::IdEqual>;
    DrainageIdSet drainage_nodes_;
    DrainageIdSet drainage_links_;
    IdSet gas_nodes_; ///< gas node ids (docs/gas.md)
    IdSet gas_links_; ///< gas connection ids: pipes, valves, regulators, …
    std::size_t power_branch_count_ = 0;
    std::size_t power_gen_count_ = 0;
};

/// A loaded city bundle.
struct City {
    std::filesystem::path root; ///< the bundle folder
    CityInfo info;
    BundleFiles files;
    std::optional<Terrain> terrain;
    std::optional<transport::RoadNetwork> roads;
    std::optional<water::Network> water;
    std::vector<IsolationValve> water_valves;
    std::optional<power::Network> power;
    std::vector<PowerBusInfo> power_buses; ///< one per bus of `power`, file order
    std::vector<PowerSwitch> power_switches;
    std::optional<drainage::Network> drainage; ///< the storm-drain network, [drainage].file
    std::optional<gas::Network> gas;           ///< the gas network, [gas].file
    std::vector<Facility> facilities;
    std::vector<PopulationZone> zones;
    std::vector<Dependency> dependencies;

    [[nodiscard]] std::int64_t total_population() const;
    /// True when `asset` ("layer:id") names an asset of this city. O(1) once index_assets() has
    /// run (load_city runs it); a linear scan when the index is missing or the number of assets
    /// has changed since.
    [[nodiscard]] bool has_asset(std::string_view asset) const;
    /// Builds the lookup behind has_asset(). Call it again after changing the assets' ids.
    void index_assets();

private:
    std::shared_ptr<const AssetRegistry> registry_; ///< shared read-only between copies
};

/// What city.toml says, with the line of each key that later checks report against.
struct CityToml {
    CityInfo info;
    BundleFiles files;
    int crs_line = 0;
    int terrain_line = 0;
    int roads_line = 0;
    int facilities_line = 0;
    int population_line = 0;
    int dependencies_line = 0;
    int water_line = 0;
    int water_valves_line = 0;
    int power_line = 0;
    int power_buses_line = 0;
    int power_switches_line = 0;
    int drainage_line = 0;
    int gas_line = 0;
};

/// Parses the text of city.toml (`file` names it in diagnostics) and checks its structure: the
/// required [city] keys and their types, the extent's ranges, unknown keys (errors) and sections
/// (warnings). Does not check the CRS with PROJ nor that the named files exist (load_city does).
CityToml parse_city_toml(std::string_view text, const std::string& file, Diagnostics& diags);

/// Parses facilities.geojson (Point features; docs/bundle.md). Checks each feature on its own and
/// ids for uniqueness; load_city checks the positions against the extent.
std::vector<Facility> parse_facilities_geojson(std::string_view text, const std::string& file,
                                               Diagnostics& diags);
/// Parses population.geojson (Polygon or Point features; docs/bundle.md).
std::vector<PopulationZone> parse_population_geojson(std::string_view text, const std::string& file,
                                                     Diagnostics& diags);
/// Parses dependencies.csv (docs/bundle.md). Checks the syntax of asset names, services and
/// numbers; load_city checks that the assets exist.
std::vector<Dependency> parse_dependencies_csv(std::string_view text, const std::string& file,
                                               Diagnostics& diags);

/// Parses water_valves.csv (header valve,link,node; docs/bundle.md). Checks syntax and unique
/// ids; load_city checks that each link is a pipe of the network and the node one of its ends.
std::vector<IsolationValve> parse_water_valves_csv(std::string_view text, const std::string& file,
                                                   Diagnostics& diags);

/// Parses power_buses.csv (header bus,lon,lat,kind,name; docs/bundle.md). Checks syntax, kinds
/// and unique bus numbers; load_city checks the numbers against the case and the extent.
std::vector<PowerBusInfo> parse_power_buses_csv(std::string_view text, const std::string& file,
                                                Diagnostics& diags);
/// Parses power_switches.csv (header switch,branch,normally_open,kind; normally_open is 0 or 1).
/// load_city checks the branch rows against the case.
std::vector<PowerSwitch> parse_power_switches_csv(std::string_view text, const std::string& file,
                                                  Diagnostics& diags);

/// Loads the bundle in `path` (a folder holding city.toml, or the city.toml itself) and checks
/// it: every problem (missing file, bad syntax, unknown CRS, duplicate id, a dependency naming an
/// asset that does not exist, an asset outside the extent, negative population, …) goes to
/// `diags` with file and line. The city returned holds whatever could be read.
City load_city(const std::filesystem::path& path, Diagnostics& diags);

} // namespace rencheng::model
