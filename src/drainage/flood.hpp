// Flood impacts of a drainage run: street flood depth at each node from SWMM's ponded volume, the
// speed and closure of a road in standing water, and the flood depth at an asset's location
// (docs/drainage.md "Flood impacts").
#pragma once

#include <cstdint>
#include <vector>

#include "core/geo.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {

/// How ponded water becomes a street depth.
struct StreetFloodOptions {
    /// Area a node's water spreads over when its Aponded is 0 (the floor), m².
    double min_ponded_area_m2 = 100.0;
    /// Street depths are capped here: deeper water is reported as this depth, m.
    double max_depth_m = 3.0;
};

/// Street flood depth of ponded water: V_ponded / max(A_ponded, floor), capped at max_depth_m;
/// 0 when V_ponded <= 0. Units: m³, m², m.
double ponded_street_depth_m(double ponded_volume_m3, double ponded_area_m2,
                             const StreetFloodOptions& options);

/// Sets a model up so that flooded water stands on the street around each node and drains back
/// into it when the pipes have room (SWMM's ponding): ALLOW_PONDING YES, and every junction and
/// divider whose Aponded is below the floor gets the floor. Outfalls and storage units are left
/// as they are.
void enable_street_ponding(Network& net, const StreetFloodOptions& options);

/// Street flood depths of one network: knows each node's full depth (the rim, SWMM's full depth
/// including the crown of connected conduits when MaxDepth is 0) and whether it ponds.
class StreetFlood {
public:
    /// Builds the full depths as SWMM's router does. Throws Error(kUnsupported) for a network the
    /// router cannot route.
    StreetFlood(const Network& net, const StreetFloodOptions& options);

    /// Street depth at node n (m) when SWMM's depth there is `node_depth_m`:
    ///  - a node that ponds (ponding allowed and Aponded > 0): V_ponded = (y − y_full)·A_ponded,
    ///    depth = V_ponded / max(A_ponded, floor);
    ///  - any other node: the head above its rim beyond its surcharge depth,
    ///    y − y_full − y_surcharge (a sealed lid holds the surcharge head);
    /// never negative, capped at max_depth_m. Outfalls give 0.
    [[nodiscard]] double depth_m(std::int32_t n, double node_depth_m) const;
    [[nodiscard]] double full_depth_m(std::int32_t n) const { return full_depth_m_[n]; }
    [[nodiscard]] bool ponds(std::int32_t n) const { return ponds_[n] != 0; }
    [[nodiscard]] std::int32_t node_count() const {
        return static_cast<std::int32_t>(full_depth_m_.size());
    }

private:
    StreetFloodOptions options_;
    std::vector<double> full_depth_m_;
    std::vector<double> surcharge_depth_m_;
    std::vector<double> ponded_area_m2_;
    std::vector<std::uint8_t> ponds_;
    std::vector<std::uint8_t> outfall_;
};

/// Water depth at which a road is closed to traffic (Pregnolato et al. 2017: vehicles stop at
/// 300 mm), m.
inline constexpr double kRoadClosureDepthM = 0.3;

/// What standing water does to a road link.
struct RoadFloodEffect {
    double speed_factor = 1.0; ///< flooded speed / free-flow speed, in [0, 1]
    bool closed = false;       ///< depth at or above the closure depth
};

/// Vehicle speed in standing water, km/h (Pregnolato et al. 2017, Transportation Research
/// Part D 55, eq. 5): v = 0.0009·w² − 0.5529·w + 86.9448 with w the depth in mm, for w < 300 mm;
/// 0 at and above 300 mm.
double flooded_speed_km_h(double depth_m);

/// The effect of water `depth_m` deep on a road with free-flow speed `free_speed_m_s`: the speed
/// is min(free-flow, flooded_speed_km_h(depth)), the factor that speed over the free-flow one;
/// closed at depth >= closure_depth_m (factor 0). Dry roads (depth <= 0) keep factor 1.
RoadFloodEffect road_flood_effect(double depth_m, double free_speed_m_s,
                                  double closure_depth_m = kRoadClosureDepthM);

/// Nearest street node (junction or divider) to a point, within a radius: the flood depth an
/// asset sees is the street depth at that node (0 when none is within the radius). Outfalls and
/// storage units are not streets and are never found, nor nodes without coordinates. Node
/// coordinates are lon/lat (the bundle's [COORDINATES]).
class NodeLocator {
public:
    explicit NodeLocator(const Network& net);
    /// The nearest node within `radius_m` metres (great-circle), or -1.
    [[nodiscard]] std::int32_t nearest(LonLat p, double radius_m) const;

private:
    std::vector<LonLat> position_;
    std::vector<std::int32_t> node_; ///< nodes with coordinates, sorted by longitude
};

} // namespace rencheng::drainage
