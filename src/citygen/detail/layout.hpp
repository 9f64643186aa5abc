// Internal stages of the generator: roads, zones, facilities, terrain, and a nearest-point index.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "citygen/detail/plan.hpp"
#include "core/geo.hpp"
#include "model/city.hpp"
#include "power/network.hpp"
#include "transport/road_network.hpp"
#include "water/network.hpp"

namespace rencheng::citygen::detail {

/// Nearest of a fixed set of points in the plane, by a uniform bucket grid: O(1) per query for
/// evenly spread points instead of a scan of them all.
class NearestIndex {
public:
    NearestIndex(const std::vector<Xy>& points, double cell_m);
    /// Index of the nearest point (the lowest index among equals); -1 when there are none.
    [[nodiscard]] std::int32_t nearest(Xy p) const;

private:
    std::vector<Xy> points_;
    double cell_m_;
    double min_x_ = 0.0, min_y_ = 0.0;
    int nx_ = 0, ny_ = 0;
    std::vector<std::int32_t> start_; ///< CSR over cells
    std::vector<std::int32_t> items_;
};

/// The street lattice: points (i, j), -k_max <= i, j <= k_max, spaced plan.street_spacing_m,
/// bent by a smooth warp, jittered and rotated to the grid orientation. Lines with index
/// divisible by 4 are arterials, other even ones collectors, odd ones local streets; population
/// zones are the cells between even lines, so their edges follow the collectors and arterials.
struct Lattice {
    int k_max = 0;
    std::vector<Xy> points;
    [[nodiscard]] std::size_t slot(int i, int j) const {
        return static_cast<std::size_t>(j + k_max) * static_cast<std::size_t>(2 * k_max + 1) +
               static_cast<std::size_t>(i + k_max);
    }
    [[nodiscard]] Xy at(int i, int j) const { return points[slot(i, j)]; }
};

/// Draws the lattice (stream kStreamJitter).
Lattice make_lattice(const CityPlan& plan);

/// The road network with what the later stages need to know about each node.
struct RoadLayout {
    transport::RoadNetwork net;                   ///< ids, geometry, attributes; graph built
    std::vector<Xy> node_xy;                      ///< local-plane position of each node
    std::vector<transport::RoadClass> node_class; ///< highest class of a link at the node
    std::int32_t bridges = 0;
};

/// Lays out the street lattice, cuts it at the river, keeps bridges, makes one-way pairs and
/// returns the largest strongly connected part.
RoadLayout make_roads(const CityPlan& plan);

/// The real street network of plan.options.streets as a RoadLayout (streets.cpp): ids,
/// attributes and geometry as read; positions rounded to 7 decimals.
RoadLayout make_street_roads(const CityPlan& plan);

/// Population zones on real streets (streets.cpp, docs/generate.md "On real streets"): square
/// blocks of kStreetZoneSide_m over the streets, kept where they hold enough street, with
/// populations in proportion to their street length and summing exactly to the plan's.
std::vector<model::PopulationZone> make_street_zones(const CityPlan& plan, const RoadLayout& roads);

/// Side of a population zone on real streets, metres (the synthetic blocks are 390-460 m).
inline constexpr double kStreetZoneSide_m = 400.0;

/// Rounds a position to the 7 decimals the files keep, so the city in memory equals the one read
/// back from its files.
LonLat round_position(LonLat p);

/// Block zones with populations summing exactly to the plan's population.
std::vector<model::PopulationZone> make_zones(const CityPlan& plan);

/// Critical facilities placed on the plan, the zones and the roads.
std::vector<model::Facility> make_facilities(const CityPlan& plan,
                                             const std::vector<model::PopulationZone>& zones,
                                             const RoadLayout& roads);

/// The water network under the streets and its isolation valves.
struct WaterLayout {
    water::Network network;
    std::vector<model::IsolationValve> valves;
    std::vector<std::string> road_node_junction; ///< junction id of each road node
};

/// Lays the water network: a junction at every road node, a pipe under every street, two
/// treatment plants with pump stations, hilltop tanks and PRV-fed low zones (stream kStreamWater).
WaterLayout make_water(const CityPlan& plan, const RoadLayout& roads,
                       const std::vector<model::PopulationZone>& zones,
                       const std::vector<model::Facility>& facilities);

/// The power grid (power_gen.cpp, docs/generate.md "The power grid").
struct PowerLayout {
    power::Network network;
    std::vector<model::PowerBusInfo> buses;
    std::vector<model::PowerSwitch> switches;
    std::vector<std::int32_t> zone_bus;     ///< bus number of each zone's load point
    std::vector<std::int32_t> facility_bus; ///< bus number of the load point feeding each facility
    /// Water assets that need power ("water_link:<pump>", "water_node:<source>") and the bus
    /// number that feeds each.
    std::vector<std::pair<std::string, std::int32_t>> water_assets;
};

/// Lays out the grid: loads from the zones, facilities and the water network's pumps and
/// sources; substations, rings, feeders and ties; a gas-fired plant; transformer taps set so the
/// AC power flow holds the 10 kV busbars near 1.03 p.u. Throws Error(kNoConvergence) if the power
/// flow of the result does not converge.
PowerLayout make_power(const CityPlan& plan, const RoadLayout& roads,
                       const std::vector<model::PopulationZone>& zones,
                       const std::vector<model::Facility>& facilities, const water::Network& water);

/// Elevation grid covering `box`.
model::Terrain make_terrain(const CityPlan& plan, const BoundingBox& box);

/// Splits `total` into integer parts proportional to `weights` (largest remainder method, ties to
/// the lower index); the parts sum to `total` exactly.
std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weights);

/// Area of a lon/lat ring, km², in the plan's local frame.
double ring_area_km2(const LocalFrame& frame, const std::vector<LonLat>& ring);

} // namespace rencheng::citygen::detail
