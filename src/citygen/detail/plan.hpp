// The city plan: the geography every generator stage shares (frame, boundary, river, terrain).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "citygen/citygen.hpp"
#include "core/geo.hpp"

namespace rencheng::citygen::detail {

/// RNG stream ids, one per purpose, so that adding draws for one purpose never shifts another's.
enum StreamId : std::uint32_t {
    kStreamLayout = 1,     ///< radius, boundary, river, grid angle and spacing
    kStreamTerrain = 2,    ///< hills and ground noise
    kStreamJitter = 3,     ///< road node jitter
    kStreamPopulation = 4, ///< zone weights
    kStreamFacilities = 5, ///< facility choice and capacities
    kStreamNames = 6,      ///< street names
    kStreamWater = 7,      ///< pipe ages and materials, isolation valves
};

/// Equirectangular plane around an origin: metres east (x) and north (y). Exact inverse; within
/// 20 km of the origin distances agree with haversine to about 0.1 %, which is all a synthetic
/// layout needs (and it keeps generation independent of PROJ).
class LocalFrame {
public:
    explicit LocalFrame(LonLat origin);
    [[nodiscard]] Xy to_xy(LonLat p) const;
    [[nodiscard]] LonLat to_lonlat(Xy p) const;
    [[nodiscard]] LonLat origin() const { return origin_; }

private:
    LonLat origin_;
    double m_per_deg_lon_;
    double m_per_deg_lat_;
};

/// A meandering river of constant width crossing the whole plan. In river coordinates (u along
/// the mean course, v across it) the centre line is v = offset + sum of three sines of u.
struct River {
    double angle_rad = 0.0; ///< direction of the mean course (u axis), from east, anticlockwise
    double offset_m = 0.0;  ///< mean distance of the course from the city centre
    std::array<double, 3> amplitude_m{};
    std::array<double, 3> wavelength_m{};
    std::array<double, 3> phase_rad{};
    double width_m = 100.0;

    [[nodiscard]] double centre_v(double u) const;
    [[nodiscard]] double slope(double u) const; ///< dv/du of the centre line
    /// Signed distance from the centre line, metres (perpendicular, to first order in the slope);
    /// positive on the left bank (larger v).
    [[nodiscard]] double signed_distance(Xy p) const;
    /// True when p is on the water (closer to the centre line than half the width).
    [[nodiscard]] bool in_water(Xy p) const;
    /// True when p lies within the water or `margin_m` of it (embankment, flood wall).
    [[nodiscard]] bool in_band(Xy p, double margin_m) const;
    /// +1 on the left bank, -1 on the right.
    [[nodiscard]] int side(Xy p) const { return signed_distance(p) >= 0.0 ? 1 : -1; }
    /// True when the segment a-b touches the band of `margin_m` (sampled every 10 m).
    [[nodiscard]] bool segment_touches(Xy a, Xy b, double margin_m) const;
};

/// A Gaussian hill of the terrain.
struct Hill {
    Xy centre;
    double height_m = 0.0;
    double radius_m = 0.0;
};

/// Everything later stages need to agree on, drawn once from the seed.
struct CityPlan {
    GenerateOptions options;
    LocalFrame frame{LonLat{}};
    double radius_m = 0.0;            ///< nominal radius of the built-up area
    std::array<double, 4> boundary{}; ///< amplitude and phase of the 2nd and 3rd harmonics
    River river;
    double embankment_m = 40.0;      ///< no road node or zone within this of the water
    double grid_angle_rad = 0.0;     ///< orientation of the street grid
    double street_spacing_m = 210.0; ///< spacing of the street lattice (local streets)
    double warp_amplitude_m = 30.0;  ///< smooth bending of the street lines
    double warp_wavelength_m = 1800.0;
    std::array<double, 2> warp_phase{};
    double density_scale_m = 1000.0; ///< Clark's b: density falls by e every b metres
    double river_level_m = 18.0;     ///< water surface elevation
    std::vector<Hill> hills;
    double noise_spacing_m = 400.0; ///< lattice of the ground's value noise
    int noise_half = 0;             ///< lattice runs -noise_half .. noise_half in x and y
    std::vector<float> noise;       ///< (2 * noise_half + 1)^2 values in [-1, 1]

    /// Radius of the built-up area in direction theta (radians from east), metres.
    [[nodiscard]] double boundary_radius(double theta) const;
    /// True when p lies in the built-up area.
    [[nodiscard]] bool inside(Xy p) const;
    /// r / boundary_radius(theta): 0 at the centre, 1 on the edge.
    [[nodiscard]] double relative_radius(Xy p) const;
    /// Largest boundary radius in any direction.
    [[nodiscard]] double max_radius() const;
    /// Ground (or river bed) elevation at p, metres.
    [[nodiscard]] double ground_m(Xy p) const;
    /// Clark density shape exp(-r / b) at p (1 at the centre).
    [[nodiscard]] double density_shape(Xy p) const;
};

/// Gross residential density the city area is sized for, persons per km². GB 50137-2011 plans
/// 85-115 m² of urban construction land per person; 100 m² gives 10,000 per km².
inline constexpr double kGrossDensityPerKm2 = 10000.0;

/// Draws the plan from options.seed (streams kStreamLayout and kStreamTerrain).
CityPlan make_plan(const GenerateOptions& options);

} // namespace rencheng::citygen::detail
