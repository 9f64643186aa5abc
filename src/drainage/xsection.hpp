// Cross-section geometry of drainage conduits and channels (SWMM 5.2 shapes, computed from their
// geometric definitions in SI): area, top width and hydraulic radius as functions of depth, and
// the inverses flow routing needs (depth of an area, area of a section factor A·R^(2/3)).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

namespace rencheng::drainage {

enum class Shape : std::uint8_t {
    kDummy,          ///< no geometry (a link that only passes flow)
    kCircular,       ///< diameter
    kFilledCircular, ///< diameter, sediment depth at the bottom
    kRectClosed,     ///< height, width; the lid closes over the top 3 % of the depth (SWMM)
    kRectOpen,       ///< height, width
    kTrapezoidal,    ///< height, bottom width, left and right side slopes (horizontal:vertical)
    kTriangular,     ///< height, top width
    kParabolic,      ///< height, top width (y = c·x²)
    kIrregular,      ///< natural channel from a TRANSECTS profile (tabulated at 51 depths)
    kHorseshoe,      ///< height; the standard horseshoe, from its arcs (width = height)
    kEgg,            ///< height; the standard egg, from its arcs (width = 2/3 height)
    kCustom,         ///< closed, of a user's SHAPE curve (tabulated at 51 depths)
    kRectTriangular, ///< closed: height, width, height of the triangular bottom
    kRectRound,      ///< closed: height, width, radius of the circular-arc bottom (>= width/2)
    kModBasket,      ///< closed: height, width, radius of the circular-arc top (>= width/2)
    kPower,          ///< open: height, top width, exponent p (width ∝ depth^(1/p))
};

/// Depth-tabulated geometry of an irregular channel: `area_m2`, `hrad_m` and `width_m` at
/// `area_m2.size()` depths evenly spaced from 0 to `y_full_m` (the first entry is depth 0).
struct GeometryTable {
    double y_full_m = 0;
    std::vector<double> area_m2, hrad_m, width_m;
    double w_max_m = 0; ///< widest width; 0: the largest of width_m
};

/// One station-elevation profile of a natural channel (SWMM [TRANSECTS] after its X1 modifiers are
/// applied): stations in m increasing left to right, elevations in m.
struct TransectProfile {
    std::vector<double> station_m, elevation_m;
    double n_left = 0, n_right = 0, n_channel = 0; ///< Manning's n of the overbanks and channel
    double left_bank_m = 0, right_bank_m = 0;      ///< stations where the main channel begins/ends
};

/// Tabulates a transect at `entries` depths (SWMM uses 51) from its lowest point to its lowest
/// end. The hydraulic radius is the conveyance-equivalent one for the channel's n:
/// R = (n_channel·ΣK / A)^(3/2), where K = A_i·R_i^(2/3)/n_i is summed over the wet pockets of each
/// roughness zone (Chow 1959, §6-6, divided-channel method). Throws rencheng::Error
/// (kInconsistent) for a profile with fewer than two stations or no depth.
GeometryTable tabulate_transect(const TransectProfile& profile, int entries = 51);

/// Tabulates a closed shape of full height `y_full_m` from its SHAPE curve (SWMM 5.2 User's
/// Manual, Custom cross-sections): width/height against depth/height, from the bottom (a curve
/// starting above 0 starts from a point of zero width at 0; one ending below 1 keeps its last
/// width to the top). Area and perimeter are summed over the trapezoids between the curve's
/// points and 50 equal depth steps, the top width closes the perimeter at full depth, as SWMM's
/// shape.c tabulates them. Throws rencheng::Error (kInconsistent) for a curve SWMM refuses: fewer
/// than two points from 0, a first depth outside [0, 1), a negative width or a decreasing depth.
GeometryTable tabulate_shape_curve(const std::vector<double>& depth_ratio,
                                   const std::vector<double>& width_ratio, double y_full_m);

namespace detail {
/// SWMM 5.2's tabulation of the circle for its dynamic wave: the exact circle's area / A_full,
/// hydraulic radius / R_full and top width / D at y/D = 0, 0.02, …, 1 (see xsection.cpp). Here so
/// that CrossSection::geometry() of a circular pipe, the dynamic wave's hottest call, inlines.
struct CircleRows {
    static constexpr int kRows = 50; // intervals
    std::array<double, kRows + 1> area{}, hyd_radius{}, width{};
};
const CircleRows& circle_rows();
} // namespace detail

/// A conduit cross-section. Immutable after construction; every query is in SI (m, m², m³/s).
class CrossSection {
public:
    CrossSection() = default;
    static CrossSection dummy();
    static CrossSection circular(double diameter_m);
    static CrossSection filled_circular(double diameter_m, double filled_depth_m);
    static CrossSection rect_closed(double height_m, double width_m);
    static CrossSection rect_open(double height_m, double width_m);
    static CrossSection trapezoidal(double height_m, double bottom_width_m, double left_slope,
                                    double right_slope);
    static CrossSection triangular(double height_m, double top_width_m);
    static CrossSection parabolic(double height_m, double top_width_m);
    static CrossSection irregular(GeometryTable table);
    /// A closed section of a tabulated shape (tabulate_shape_curve); its section factor peaks at
    /// the largest of the table's rows, as SWMM takes it.
    static CrossSection custom(GeometryTable table);
    /// The standard closed shapes bounded by circular arcs (kHorseshoe, kEgg) of the given
    /// height: area, wetted perimeter and width in closed form from the arcs (see xsection.cpp).
    static CrossSection standard_closed(Shape shape, double height_m);
    /// A rectangle over a triangular bottom of height `bottom_height_m` (SWMM RECT_TRIANGULAR),
    /// over a circular-arc bottom of radius `radius_m` (RECT_ROUND), or under a circular-arc top
    /// of radius `radius_m` (MODBASKETHANDLE); a radius below half the width is half the width.
    /// The first two close over the top 2 % of their area as SWMM's closed rectangle does over
    /// 3 %. Throws rencheng::Error (kInconsistent) for dimensions SWMM refuses.
    static CrossSection rect_triangular(double height_m, double width_m, double bottom_height_m);
    static CrossSection rect_round(double height_m, double width_m, double radius_m);
    static CrossSection mod_basket(double height_m, double width_m, double radius_m);
    /// An open channel whose width grows as depth^(1/p) to `top_width_m` at `height_m` (SWMM
    /// POWER).
    static CrossSection power(double height_m, double top_width_m, double exponent);

    Shape shape() const { return shape_; }
    /// Closed conduits can surcharge; open channels overflow their banks (treated as full).
    bool is_closed() const {
        return shape_ == Shape::kCircular || shape_ == Shape::kFilledCircular ||
               shape_ == Shape::kRectClosed || shape_ == Shape::kHorseshoe ||
               shape_ == Shape::kEgg || shape_ == Shape::kCustom ||
               shape_ == Shape::kRectTriangular || shape_ == Shape::kRectRound ||
               shape_ == Shape::kModBasket;
    }
    /// Geometry from a depth table (irregular channels, custom shapes).
    bool tabulated() const { return shape_ == Shape::kIrregular || shape_ == Shape::kCustom; }
    double y_full_m() const { return y_full_; }
    double a_full_m2() const { return a_full_; }
    double r_full_m() const { return r_full_; }
    double w_max_m() const { return w_max_; }
    /// Section factor A·R^(2/3) when full, and its maximum over all depths (above full for
    /// circular pipes) with the area where the maximum occurs.
    double s_full() const { return s_full_; }
    double s_max() const { return s_max_; }
    double a_max_m2() const { return a_max_; }

    /// Area, hydraulic radius and top width at one depth, as area_m2, hydraulic_radius_m and
    /// top_width_m give them, in one evaluation: dynamic-wave routing needs all three at the
    /// same depths in every Picard trial. A circular pipe is the exception: here it is SWMM's
    /// tabulation of the circle (exact values at y/D = 0, 0.02, …, 1, interpolated linearly,
    /// quadratically below 0.04; see xsection.cpp), which the dynamic wave uses as SWMM does.
    struct Geometry {
        double area_m2 = 0, hyd_radius_m = 0, top_width_m = 0;
    };
    Geometry geometry(double depth_m) const {
        if (circle_ != nullptr && depth_m > 0 && depth_m < y_full_)
            return circle_geometry(depth_m);
        return geometry_general(depth_m);
    }

    double area_m2(double depth_m) const;
    double top_width_m(double depth_m) const;
    double hydraulic_radius_m(double depth_m) const;
    double wetted_perimeter_m(double depth_m) const;
    double depth_of_area_m(double area_m2) const;
    double hydraulic_radius_of_area_m(double area_m2) const;
    /// A·R(A)^(2/3), m^(8/3).
    double section_factor(double area_m2) const;
    /// dS/dA, m^(2/3), by the analytic or a central difference.
    double section_factor_derivative(double area_m2) const;
    /// Area (m²) on the rising branch (A <= a_max) whose section factor is `s`; a_max for s >=
    /// s_max.
    double area_of_section_factor_m2(double s) const;
    /// Critical depth (m) of flow q (m³/s): Q²·T = g·A³, capped at full depth.
    double critical_depth_m(double flow_m3s, double gravity_ms2) const;

    /// Fast forms for the routing inner loop: depth (m) whose section factor is `s` on the rising
    /// branch (full depth at or above s_max), and critical depth, both by interpolation in a
    /// 1,000-row depth table (rows closer near the invert); within 0.1 % of the exact solutions.
    /// The table is shared by all sections of the same shape and size (a city has a few dozen
    /// pipe sizes, so the tables stay in cache) and indexed by buckets of the sought value, so a
    /// lookup is a few comparisons rather than a binary search.
    /// A closed section other than a circle, egg or horseshoe whose section factor peaks below
    /// the crown takes the falling branch for s_full <= s < s_max, as SWMM 5.2 does (normal
    /// depth above the full-pipe flow; see xsection.cpp).
    double depth_of_section_factor_m(double s) const;
    double critical_depth_fast_m(double flow_m3s, double gravity_ms2) const;

private:
    static CrossSection from_table(Shape shape, GeometryTable table);
    static CrossSection arc_section(Shape shape, double height_m, double width_m, double radius_m);
    void finish(); // computes the full and maximum values
    Geometry geometry_general(double depth_m) const;
    /// SWMM's tabulated circle read as SWMM's table_value reads it (linear, and the parabola
    /// through rows i, i+1, i+2 in the first two intervals where it stays positive) on the three
    /// columns at once, for 0 < y < D.
    Geometry circle_geometry(double y) const {
        constexpr int n = detail::CircleRows::kRows;
        constexpr double h = 1.0 / n;
        const double x = y / p1_;
        const int i = std::min(static_cast<int>(x / h), n - 1);
        const double x0 = i * h;
        const double dx = x - x0;
        const double bend = i < 2 ? dx * (x - (x0 + h)) / (h * h) : 0.0;
        auto value = [&](const std::array<double, n + 1>& v) {
            double u = v[i] + dx * (v[i + 1] - v[i]) / h;
            if (i < 2) {
                const double curved = u + bend * (0.5 * v[i] - v[i + 1] + 0.5 * v[i + 2]);
                if (curved > 0)
                    u = curved;
            }
            return std::max(u, 0.0);
        };
        Geometry g;
        g.area_m2 = a_full_ * value(circle_->area);
        g.hyd_radius_m = r_full_ * value(circle_->hyd_radius);
        g.top_width_m = p1_ * value(circle_->width);
        return g;
    }
    double area_raw(double y) const;
    double width_raw(double y) const;
    double perimeter_raw(double y) const;

    Shape shape_ = Shape::kDummy;
    double y_full_ = 0, a_full_ = 0, r_full_ = 0, w_max_ = 0, s_full_ = 0, s_max_ = 0, a_max_ = 0;
    double p1_ = 0, p2_ = 0, p3_ = 0; // shape parameters (see the factories)
    struct DepthLookup;               // depth rows with section factor and A³/T (xsection.cpp)
    std::shared_ptr<const DepthLookup> lut_;
    const detail::CircleRows* circle_ = nullptr; // circular pipes: SWMM's tabulated circle
    // last: only tabulated shapes read it, and routing keeps the hot fields above together
    GeometryTable table_;
    /// kPower: wetted perimeter at t = (y/H)^(1/k), k = max(1/m, 1), in 512 equal steps of t
    std::shared_ptr<const std::vector<double>> power_perimeter_;
    double power_perimeter_exact(double y) const;
    void build_lookup(DepthLookup& lut, int best, int n) const;
};

} // namespace rencheng::drainage
