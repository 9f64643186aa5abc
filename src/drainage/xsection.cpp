// Cross-section geometry: closed forms for the regular shapes (the horseshoe and the egg from
// their circular arcs), depth tables read as SWMM reads them for irregular channels, and SWMM's
// tabulated circle for the dynamic wave (CircleRows).
#include "drainage/xsection.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <tuple>

#include "core/error.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kPi = std::numbers::pi;
/// SWMM closes a rectangular conduit's lid progressively above 97 % of the full area, so that the
/// hydraulic radius (and flow) does not jump when the conduit fills (SWMM 5.2 RECT_ALFMAX).
constexpr double kRectAlfMax = 0.97;
/// The same for a rectangle over a triangular or round bottom, above 98 % (SWMM 5.2
/// RECT_TRIANG_ALFMAX, RECT_ROUND_ALFMAX); SWMM takes their largest section factor there, and a
/// modified basket handle's at 96 % of its full area (xsect.c Amax).
constexpr double kRectBottomAlfMax = 0.98;
constexpr double kModBasketAlfMax = 0.96;
/// Depth intervals over which SWMM 5.2 interpolates the critical flow of a circular conduit.
constexpr int kCircleCriticalIntervals = 25;
/// Area intervals of SWMM 5.2's section factor and depth tables of the circle.
constexpr int kCircleAreaIntervals = 50;

// Circle geometry through c = cos(θ/2) = 1 − 2y/d, θ the wetted central angle: sin(θ/2) is
// √(1 − c²), so the width needs no trigonometry and the area and perimeter one acos.
double circle_cos(double y, double d) {
    return std::clamp(1.0 - 2.0 * y / d, -1.0, 1.0);
}
double circle_area(double y, double d) {
    const double c = circle_cos(y, d);
    return d * d / 4.0 * (std::acos(c) - c * std::sqrt(1.0 - c * c));
}
double circle_perimeter(double y, double d) {
    return d * std::acos(circle_cos(y, d));
}
double circle_width(double y, double d) {
    const double c = circle_cos(y, d);
    return d * std::sqrt(1.0 - c * c);
}

} // namespace

/// SWMM 5.2 evaluates a circular conduit's area, hydraulic radius and top width in its dynamic
/// wave from 51-row tables over y/D = 0, 0.02, …, 1 read by table_value (linear, and quadratic
/// through the first three rows below y/D = 0.04). With a shallow flow in a large pipe (a few
/// centimetres in a 5 m tunnel) that representation differs from the exact circle by much more
/// than the tolerances (at y/D = 0.01 the area is 12 % larger, the top width 19 % smaller; at
/// 0.05 both within 1.5 %), and a wave travels and attenuates accordingly, so the dynamic wave
/// evaluates the circle the same way. The rows are the exact circle's values, computed here.
const detail::CircleRows& detail::circle_rows() {
    static const CircleRows rows = [] {
        CircleRows t;
        for (int i = 0; i <= CircleRows::kRows; ++i) {
            const double y = static_cast<double>(i) / CircleRows::kRows; // of a unit diameter
            const double a = circle_area(y, 1.0);
            const double p = circle_perimeter(y, 1.0);
            t.area[i] = a / (kPi / 4.0);
            t.hyd_radius[i] = p > 0 ? a / p / 0.25 : 0.0;
            t.width[i] = circle_width(y, 1.0);
        }
        t.hyd_radius[CircleRows::kRows] = 1.0;
        // SWMM's table starts the hydraulic radius at 1 % of the full pipe's, not 0: a film
        // of water in a dry pipe meets a finite friction term, and the front of a wave down a
        // large dry pipe runs ahead as a trickle accordingly (gate_control_3's 18-ft tunnel)
        t.hyd_radius[0] = 0.01;
        return t;
    }();
    return rows;
}

namespace {

/// Value of the table `v` (n + 1 rows at evenly spaced fractions 0, 1/n, …, 1 of the depth) at
/// fraction x, as SWMM 5.2 reads its geometry tables: linear between rows, and in the first two
/// intervals the parabola through rows i, i+1, i+2 where it stays positive (areas and widths
/// bend most near the invert).
double table_value(const double* v, int n, double x) {
    if (x <= 0)
        return v[0];
    const double h = 1.0 / n;
    const int i = static_cast<int>(x / h);
    if (i >= n)
        return v[n];
    const double x0 = i * h;
    const double x1 = x0 + h;
    double value = v[i] + (x - x0) * (v[i + 1] - v[i]) / h;
    if (i < 2 && n >= 3) {
        // second divided difference of the three rows times (x − x0)(x − x1)
        const double curved =
            value + (x - x0) * (x - x1) / (h * h) * (0.5 * v[i] - v[i + 1] + 0.5 * v[i + 2]);
        if (curved > 0)
            value = curved;
    }
    return std::max(value, 0.0);
}

/// An irregular channel's table at fraction `x` of its full depth (table_value).
double lookup(const std::vector<double>& v, double x) {
    return table_value(v.data(), static_cast<int>(v.size()) - 1, x);
}

/// Fraction x of the abscissa where increasing table `v` takes value `value`.
double inverse_lookup(const std::vector<double>& v, double value) {
    const auto n = static_cast<int>(v.size()) - 1;
    if (value <= v.front())
        return 0;
    if (value >= v.back())
        return 1;
    const auto it = std::upper_bound(v.begin(), v.end(), value);
    const int i = static_cast<int>(it - v.begin()) - 1;
    const double span = v[i + 1] - v[i];
    const double f = span > 0 ? (value - v[i]) / span : 0.0;
    return (i + f) / n;
}

// Horseshoe and egg conduits from their geometric definitions. Each side of these symmetric
// closed shapes is a stack of circular arcs from the invert to the crown; between heights y0 and
// y1 the half width is x(y) = c + √(R² − (y − y_c)²), an arc of radius R centred at (c, y_c),
// across the axis when c < 0. Area, wetted perimeter and top width then have closed
// forms: ∫x dy = c·y + ½(u·√(R² − u²) + R²·asin(u/R)) and the arc length R·asin(u/R), with
// u = y − y_c. All lengths are fractions of the full height H.
struct Arc {
    double y0, y1; // the band of heights the arc bounds
    double c, radius, yc;
    bool from_bottom = false; // the band starts at the bottom of its circle (an invert, c = 0)
};

/// θ − sin θ·cos θ, with its series where the difference would lose digits (θ < 0.01).
double segment_factor(double theta) {
    if (theta < 0.01) {
        const double t2 = theta * theta;
        return 2.0 / 3.0 * t2 * theta * (1.0 - t2 / 5.0 + 2.0 * t2 * t2 / 35.0);
    }
    return theta - std::sin(theta) * std::cos(theta);
}
/// Half angle subtended by a segment of depth h from the bottom of a circle of radius R.
double segment_half_angle(const Arc& arc, double y) {
    const double h = std::clamp(y - arc.y0, 0.0, 2.0 * arc.radius);
    return 2.0 * std::asin(std::sqrt(h / (2.0 * arc.radius)));
}

struct ArcShape {
    std::array<Arc, 3> arcs;          // invert, sides, crown
    std::array<double, 3> a0{}, p0{}; // area and wetted perimeter below each arc's y0
    double w_max = 0;                 // widest width, where the sides meet the crown
};

double arc_u(const Arc& arc, double y) {
    return std::clamp(y - arc.yc, -arc.radius, arc.radius);
}
double arc_half_width(const Arc& arc, double y) {
    const double u = arc_u(arc, y);
    return arc.c + std::sqrt(std::max(arc.radius * arc.radius - u * u, 0.0));
}
/// ∫ half width dy from the arc's y0 to y.
double arc_half_area(const Arc& arc, double y) {
    // a shallow flow in the invert: half the circle segment R²·(θ − sin θ·cos θ), as the
    // primitive below loses digits to asin near −1 there
    if (arc.from_bottom)
        return 0.5 * arc.radius * arc.radius * segment_factor(segment_half_angle(arc, y));
    const auto primitive = [&](double yy) {
        const double u = arc_u(arc, yy);
        const double r2 = arc.radius * arc.radius;
        return arc.c * yy +
               0.5 * (u * std::sqrt(std::max(r2 - u * u, 0.0)) + r2 * std::asin(u / arc.radius));
    };
    return primitive(y) - primitive(arc.y0);
}
/// Length of one side's arc from y0 to y.
double arc_length(const Arc& arc, double y) {
    if (arc.from_bottom)
        return arc.radius * segment_half_angle(arc, y);
    return arc.radius *
           (std::asin(arc_u(arc, y) / arc.radius) - std::asin(arc_u(arc, arc.y0) / arc.radius));
}

ArcShape make_arc_shape(std::array<Arc, 3> arcs) {
    ArcShape s{arcs};
    for (std::size_t i = 1; i < arcs.size(); ++i) {
        s.a0[i] = s.a0[i - 1] + 2.0 * arc_half_area(arcs[i - 1], arcs[i - 1].y1);
        s.p0[i] = s.p0[i - 1] + 2.0 * arc_length(arcs[i - 1], arcs[i - 1].y1);
    }
    s.w_max = 2.0 * arc_half_width(arcs[2], arcs[2].y0);
    return s;
}

const ArcShape& arc_shape(Shape s) {
    // Standard horseshoe of height H = 2r: an invert of radius 2r centred 2r above it, sides of
    // radius 2r centred on the springing line (y = r) at the far side, a semicircular crown of
    // radius r. The invert and the sides, circles of equal radius, meet on the line x + y = r, at
    // y = r·(3/2 − √7/2) = 0.0886·H; A_full = 0.8293·H², R_full = 0.2538·H.
    static const ArcShape horseshoe = [] {
        const double y_meet = 0.75 - std::sqrt(7.0) / 4.0;
        return make_arc_shape({Arc{0.0, y_meet, 0.0, 1.0, 1.0, true},
                               Arc{y_meet, 0.5, -0.5, 1.0, 0.5}, Arc{0.5, 1.0, 0.0, 0.5, 0.5}});
    }();
    // Standard egg of height H = 3r and width 2r (DWA-A 110's Ei 2:3, the standard egg of ASCE
    // MOP FD-5): a crown of radius r centred 2r above the invert, sides of radius 3r = H centred
    // on the springing line at 2r across the axis, an invert of radius r/2. The sides touch the
    // invert circle (centre distance 3r − r/2 = 2.5r) at (0.4r, 0.2r); A_full = 0.5105·H²,
    // R_full = 0.1931·H.
    static const ArcShape egg = [] {
        const double r = 1.0 / 3.0;
        return make_arc_shape({Arc{0.0, 0.2 * r, 0.0, 0.5 * r, 0.5 * r, true},
                               Arc{0.2 * r, 2.0 * r, -2.0 * r, 3.0 * r, 2.0 * r},
                               Arc{2.0 * r, 1.0, 0.0, r, 2.0 * r}});
    }();
    return s == Shape::kEgg ? egg : horseshoe;
}

/// The arc of shape s that bounds relative height x (0 ≤ x ≤ 1).
std::size_t arc_index(const ArcShape& s, double x) {
    std::size_t i = 0;
    while (i + 1 < s.arcs.size() && x > s.arcs[i].y1)
        ++i;
    return i;
}
double arc_shape_area(const ArcShape& s, double x) {
    const std::size_t i = arc_index(s, x);
    return s.a0[i] + 2.0 * arc_half_area(s.arcs[i], x);
}
double arc_shape_perimeter(const ArcShape& s, double x) {
    const std::size_t i = arc_index(s, x);
    return s.p0[i] + 2.0 * arc_length(s.arcs[i], x);
}
double arc_shape_width(const ArcShape& s, double x) {
    return 2.0 * std::max(arc_half_width(s.arcs[arc_index(s, x)], x), 0.0);
}

} // namespace

/// Depth rows of a section with the section factor (rising branch only) and A³/T at each, both
/// non-decreasing, and for each a bucket index: bucket b of K holds the values from
/// ref·(b/K)^p to ref·((b+1)/K)^p and `start[b]` is the first row whose value exceeds the
/// bucket's lower end, so a lookup scans a row or two from there (p = 2 for the section factor,
/// which rises like y^2.2 near the invert of a pipe, p = 4 for A³/T, which rises like y^4).
struct CrossSection::DepthLookup {
    static constexpr int kBuckets = 512;
    struct Index {
        double ref = 0, inv_ref = 0; // 1/ref: a multiplication in the lookup, not a division
        int power = 2;
        std::vector<int> start;
    };
    // (value, depth) pairs: the two rows an interpolation reads share a cache line or two
    // instead of touching a value table and a depth table apart
    struct Row {
        double v = 0, y = 0;
    };
    std::vector<Row> s, c;
    /// Circular pipes: A·√(A/T) at y = i·D/25 on the tabulated circle (i = 0…25; 0 where T is
    /// 0), for critical depth as SWMM 5.2 finds it (see critical_depth_fast_m).
    std::vector<double> circle_qc;
    /// Circular pipes: S/S_full and y/D at A/A_full = 0, 0.02, …, 1 of the exact circle, for the
    /// normal depth as SWMM 5.2 finds it (see depth_of_section_factor_m).
    std::vector<double> circle_psi, circle_y;
    int s_rows = 0;    // last row of the section factor's rising branch
    double y_smax = 0; // depth of the section factor's maximum (a surcharged pipe's normal depth)
    Index s_index, c_index;

    static void build_index(Index& ix, const std::vector<Row>& v, int last, double ref, int power) {
        ix.ref = ref;
        ix.inv_ref = ref > 0 ? 1.0 / ref : 0.0;
        ix.power = power;
        ix.start.resize(kBuckets);
        for (int b = 0; b < kBuckets; ++b) {
            const double t = static_cast<double>(b) / kBuckets;
            const double lower = ref * std::pow(t, power);
            const auto it = std::upper_bound(v.begin(), v.begin() + last + 1, lower,
                                             [](double x, const Row& r) { return x < r.v; });
            ix.start[b] = std::clamp(static_cast<int>(it - v.begin()), 1, last);
        }
    }

    /// The first row i in 1..last with v[i] > x, for v[0] < x < v[last] (std::upper_bound's).
    static int row_above(const Index& ix, const std::vector<Row>& v, double x) {
        // the bucket only picks where the scan starts; the scan finds the same row from any
        double t = ix.ref > 0 ? x * ix.inv_ref : 1.0;
        t = std::sqrt(t);
        if (ix.power == 4)
            t = std::sqrt(t);
        const int b = std::min(static_cast<int>(t * kBuckets), kBuckets - 1);
        int i = ix.start[b];
        while (v[i].v <= x)
            ++i;
        while (i > 1 && v[i - 1].v > x) // a bucket edge rounded past x
            --i;
        return i;
    }

    /// y where v (rising over rows 0..last) takes value x.
    static double interpolate(const Index& ix, const std::vector<Row>& v, int last, double x) {
        if (x <= v[0].v)
            return v[0].y;
        if (x >= v[last].v)
            return v[last].y;
        const auto i = static_cast<std::size_t>(row_above(ix, v, x));
        const Row& lo = v[i - 1];
        const Row& hi = v[i];
        const double span = hi.v - lo.v;
        const double f = span > 0 ? (x - lo.v) / span : 0.0;
        return lo.y + f * (hi.y - lo.y);
    }
};

CrossSection CrossSection::dummy() {
    return CrossSection();
}

CrossSection CrossSection::circular(double diameter_m) {
    CrossSection x;
    x.shape_ = Shape::kCircular;
    x.p1_ = diameter_m;
    x.y_full_ = diameter_m;
    x.circle_ = &detail::circle_rows();
    x.finish();
    return x;
}

CrossSection CrossSection::filled_circular(double diameter_m, double filled_depth_m) {
    CrossSection x;
    x.shape_ = Shape::kFilledCircular;
    x.p1_ = diameter_m;
    x.p2_ = std::clamp(filled_depth_m, 0.0, diameter_m);
    x.y_full_ = diameter_m - x.p2_;
    x.finish();
    return x;
}

CrossSection CrossSection::rect_closed(double height_m, double width_m) {
    CrossSection x;
    x.shape_ = Shape::kRectClosed;
    x.p1_ = width_m;
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::rect_open(double height_m, double width_m) {
    CrossSection x;
    x.shape_ = Shape::kRectOpen;
    x.p1_ = width_m;
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::trapezoidal(double height_m, double bottom_width_m, double left_slope,
                                       double right_slope) {
    CrossSection x;
    x.shape_ = Shape::kTrapezoidal;
    x.p1_ = bottom_width_m;
    x.p2_ = left_slope;
    x.p3_ = right_slope;
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::triangular(double height_m, double top_width_m) {
    CrossSection x;
    x.shape_ = Shape::kTriangular;
    x.p1_ = top_width_m / (2.0 * height_m); // side slope, horizontal per vertical
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::parabolic(double height_m, double top_width_m) {
    CrossSection x;
    x.shape_ = Shape::kParabolic;
    const double half = top_width_m / 2.0;
    x.p1_ = height_m / (half * half); // y = c·x²
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::from_table(Shape shape, GeometryTable table) {
    CrossSection x;
    x.shape_ = shape;
    x.y_full_ = table.y_full_m;
    x.table_ = std::move(table);
    x.finish();
    return x;
}

CrossSection CrossSection::irregular(GeometryTable table) {
    return from_table(Shape::kIrregular, std::move(table));
}

CrossSection CrossSection::custom(GeometryTable table) {
    return from_table(Shape::kCustom, std::move(table));
}

CrossSection CrossSection::standard_closed(Shape shape, double height_m) {
    if (shape != Shape::kHorseshoe && shape != Shape::kEgg)
        throw Error(ErrorCode::kInconsistent,
                    "CrossSection::standard_closed: not a horseshoe or an egg");
    CrossSection x;
    x.shape_ = shape;
    x.y_full_ = height_m;
    x.finish();
    return x;
}

CrossSection CrossSection::rect_triangular(double height_m, double width_m,
                                           double bottom_height_m) {
    if (!(width_m > 0) || !(bottom_height_m > 0) || !(height_m > 0))
        throw Error(ErrorCode::kInconsistent,
                    "RECT_TRIANGULAR: width and triangle height must be > 0");
    CrossSection x;
    x.shape_ = Shape::kRectTriangular;
    x.y_full_ = height_m;
    x.p1_ = width_m;
    x.p2_ = std::min(bottom_height_m, height_m);
    x.p3_ = width_m / (2.0 * x.p2_); // side slope, horizontal per vertical
    x.finish();
    return x;
}

CrossSection CrossSection::arc_section(Shape shape, double height_m, double width_m,
                                       double radius_m) {
    const char* name = shape == Shape::kRectRound ? "RECT_ROUND" : "MODBASKETHANDLE";
    if (!(width_m > 0) || !(height_m > 0))
        throw Error(ErrorCode::kInconsistent, std::string(name) + ": width must be > 0");
    CrossSection x;
    x.shape_ = shape;
    x.y_full_ = height_m;
    x.p1_ = width_m;
    x.p3_ = std::max(radius_m, width_m / 2.0);
    const double half_angle = std::asin(width_m / (2.0 * x.p3_));
    x.p2_ = x.p3_ * (1.0 - std::cos(half_angle)); // height of the arc
    if (x.p2_ > height_m)
        throw Error(ErrorCode::kInconsistent,
                    std::string(name) + ": the arc is higher than the section");
    x.finish();
    return x;
}

CrossSection CrossSection::rect_round(double height_m, double width_m, double radius_m) {
    return arc_section(Shape::kRectRound, height_m, width_m, radius_m);
}

CrossSection CrossSection::mod_basket(double height_m, double width_m, double radius_m) {
    return arc_section(Shape::kModBasket, height_m, width_m, radius_m);
}

CrossSection CrossSection::power(double height_m, double top_width_m, double exponent) {
    if (!(top_width_m > 0) || !(exponent > 0) || !(height_m > 0))
        throw Error(ErrorCode::kInconsistent, "POWER: top width and exponent must be > 0");
    CrossSection x;
    x.shape_ = Shape::kPower;
    x.y_full_ = height_m;
    x.p1_ = top_width_m;
    x.p2_ = 1.0 / exponent; // width ∝ y^p2
    auto rows = std::make_shared<std::vector<double>>(513, 0.0);
    const double k = x.p2_ < 1.0 ? 1.0 / x.p2_ : 1.0;
    for (std::size_t i = 1; i < rows->size(); ++i)
        (*rows)[i] =
            x.power_perimeter_exact(height_m * std::pow(static_cast<double>(i) / 512.0, k));
    x.power_perimeter_ = std::move(rows);
    x.finish();
    return x;
}

double CrossSection::area_raw(double y) const {
    switch (shape_) {
    case Shape::kDummy:
        return 0;
    case Shape::kCircular:
        return circle_area(y, p1_);
    case Shape::kFilledCircular:
        return circle_area(y + p2_, p1_) - circle_area(p2_, p1_);
    case Shape::kRectClosed:
    case Shape::kRectOpen:
        return p1_ * y;
    case Shape::kTrapezoidal:
        return y * (p1_ + 0.5 * (p2_ + p3_) * y);
    case Shape::kTriangular:
        return p1_ * y * y;
    case Shape::kParabolic:
        return 4.0 / 3.0 * std::sqrt(y / p1_) * y;
    case Shape::kIrregular:
    case Shape::kCustom:
        return lookup(table_.area_m2, y / y_full_);
    case Shape::kRectTriangular: // p1 width, p2 triangle height, p3 side slope
        return y <= p2_ ? y * y * p3_ : p2_ * p1_ / 2.0 + (y - p2_) * p1_;
    case Shape::kRectRound: // p1 width, p2 arc height, p3 radius
        return y <= p2_ ? circle_area(y, 2.0 * p3_) : circle_area(p2_, 2.0 * p3_) + (y - p2_) * p1_;
    case Shape::kModBasket: { // p1 width, p2 top arc height, p3 radius
        const double rect = y_full_ - p2_;
        if (y <= rect)
            return y * p1_;
        return rect * p1_ + circle_area(p2_, 2.0 * p3_) - circle_area(y_full_ - y, 2.0 * p3_);
    }
    case Shape::kPower: // p1 top width, p2 = 1/exponent
        return p1_ * y_full_ / (p2_ + 1.0) * std::pow(y / y_full_, p2_ + 1.0);
    case Shape::kHorseshoe:
    case Shape::kEgg:
        return y_full_ * y_full_ * arc_shape_area(arc_shape(shape_), y / y_full_);
    }
    return 0;
}

double CrossSection::width_raw(double y) const {
    switch (shape_) {
    case Shape::kDummy:
        return 0;
    case Shape::kCircular:
        return circle_width(y, p1_);
    case Shape::kFilledCircular:
        return circle_width(y + p2_, p1_);
    case Shape::kRectClosed:
    case Shape::kRectOpen:
        return p1_;
    case Shape::kTrapezoidal:
        return p1_ + (p2_ + p3_) * y;
    case Shape::kTriangular:
        return 2.0 * p1_ * y;
    case Shape::kParabolic:
        return 2.0 * std::sqrt(y / p1_);
    case Shape::kIrregular:
    case Shape::kCustom:
        return lookup(table_.width_m, y / y_full_);
    case Shape::kRectTriangular:
        return y <= p2_ ? 2.0 * p3_ * y : p1_;
    case Shape::kRectRound:
        return y <= p2_ ? circle_width(y, 2.0 * p3_) : p1_;
    case Shape::kModBasket:
        return y <= y_full_ - p2_ ? p1_ : circle_width(y_full_ - y, 2.0 * p3_);
    case Shape::kPower:
        return p1_ * std::pow(y / y_full_, p2_);
    case Shape::kHorseshoe:
    case Shape::kEgg:
        return y_full_ * arc_shape_width(arc_shape(shape_), y / y_full_);
    }
    return 0;
}

double CrossSection::perimeter_raw(double y) const {
    switch (shape_) {
    case Shape::kDummy:
        return 0;
    case Shape::kCircular:
        return circle_perimeter(y, p1_);
    case Shape::kFilledCircular:
        // the sediment surface (a chord) is wetted too
        return circle_perimeter(y + p2_, p1_) - circle_perimeter(p2_, p1_) + circle_width(p2_, p1_);
    case Shape::kRectClosed: {
        double p = p1_ + 2.0 * y;
        const double alpha = y / y_full_;
        if (alpha > kRectAlfMax)
            p += (alpha - kRectAlfMax) / (1.0 - kRectAlfMax) * p1_;
        return p;
    }
    case Shape::kRectOpen:
        return p1_ + 2.0 * y;
    case Shape::kTrapezoidal:
        return p1_ + y * (std::sqrt(1 + p2_ * p2_) + std::sqrt(1 + p3_ * p3_));
    case Shape::kTriangular:
        return 2.0 * y * std::sqrt(1 + p1_ * p1_);
    case Shape::kParabolic: {
        // arc length of y = c·x² from -x to x
        const double x = std::sqrt(y / p1_);
        const double u = 2.0 * p1_ * x;
        return x * std::sqrt(1 + u * u) + std::asinh(u) / (2.0 * p1_);
    }
    case Shape::kRectTriangular:
    case Shape::kRectRound: {
        // the bottom's sides, the walls, and the lid closing over the top 2 % of the area
        const double bottom = shape_ == Shape::kRectTriangular
                                  ? 2.0 * std::min(y, p2_) * std::sqrt(1.0 + p3_ * p3_)
                                  : circle_perimeter(std::min(y, p2_), 2.0 * p3_);
        if (y <= p2_)
            return bottom;
        double p = bottom + 2.0 * (y - p2_);
        const double alpha = area_raw(y) / area_raw(y_full_);
        if (alpha > kRectBottomAlfMax)
            p += (alpha - kRectBottomAlfMax) / (1.0 - kRectBottomAlfMax) * p1_;
        return p;
    }
    case Shape::kModBasket: {
        const double rect = y_full_ - p2_;
        if (y <= rect)
            return p1_ + 2.0 * y;
        const double arc = circle_perimeter(p2_, 2.0 * p3_);
        return p1_ + 2.0 * rect + arc - circle_perimeter(y_full_ - y, 2.0 * p3_);
    }
    case Shape::kPower: {
        // interpolated in the table of power_perimeter_exact (exact at its rows)
        const auto& rows = *power_perimeter_;
        const int n = static_cast<int>(rows.size()) - 1;
        const double k = p2_ < 1.0 ? 1.0 / p2_ : 1.0;
        const double t = std::clamp(std::pow(y / y_full_, 1.0 / k), 0.0, 1.0) * n;
        const int i = std::min(static_cast<int>(t), n - 1);
        return rows[i] + (t - i) * (rows[i + 1] - rows[i]);
    }
    case Shape::kIrregular:
    case Shape::kCustom: {
        const double a = area_raw(y);
        const double r = lookup(table_.hrad_m, y / y_full_);
        return r > 0 ? a / r : 0.0;
    }
    case Shape::kHorseshoe:
    case Shape::kEgg:
        return y_full_ * arc_shape_perimeter(arc_shape(shape_), y / y_full_);
    }
    return 0;
}

double CrossSection::power_perimeter_exact(double y) const {
    // both sides' arc length, x(y) = (w/2)·(y/H)^m, by Gauss-Legendre on 16 panels (in t with
    // y = H·t^k so that the steep bottom of a small m is resolved)
    const double m = p2_, half = p1_ / 2.0, H = y_full_;
    const double k = m < 1.0 ? 1.0 / m : 1.0;
    const double t_end = std::pow(y / H, 1.0 / k);
    static constexpr double gx[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                     0.8611363115940526};
    static constexpr double gw[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                     0.3478548451374538};
    double len = 0;
    const int panels = 16;
    for (int pnl = 0; pnl < panels; ++pnl) {
        const double a = t_end * pnl / panels, b = t_end * (pnl + 1) / panels;
        for (int g = 0; g < 4; ++g) {
            const double t = 0.5 * (a + b) + 0.5 * (b - a) * gx[g];
            // dy/dt = H·k·t^(k−1), dx/dt = half·m·k·t^(m·k − 1)
            const double dy = H * k * std::pow(t, k - 1.0);
            const double dx = half * m * k * std::pow(t, m * k - 1.0);
            len += 0.5 * (b - a) * gw[g] * std::hypot(dx, dy);
        }
    }
    return 2.0 * len;
}

void CrossSection::finish() {
    if (shape_ == Shape::kDummy || y_full_ <= 0)
        return;
    a_full_ = area_raw(y_full_);
    w_max_ = tabulated() ? (table_.w_max_m > 0
                                ? table_.w_max_m
                                : *std::max_element(table_.width_m.begin(), table_.width_m.end()))
                         : width_raw(y_full_);
    if (shape_ == Shape::kCircular)
        w_max_ = p1_;
    if (shape_ == Shape::kFilledCircular)
        w_max_ = p2_ < p1_ / 2 ? p1_ : width_raw(0);
    if (shape_ == Shape::kHorseshoe || shape_ == Shape::kEgg)
        w_max_ = arc_shape(shape_).w_max * y_full_;
    if (shape_ == Shape::kModBasket)
        w_max_ = p1_;
    const double p_full = shape_ == Shape::kRectClosed ? 2.0 * (p1_ + y_full_)
                          : tabulated()                ? 0.0
                                                       : perimeter_raw(y_full_);
    r_full_ = tabulated() ? table_.hrad_m.back() : (p_full > 0 ? a_full_ / p_full : 0.0);
    s_full_ = a_full_ * std::pow(r_full_, 2.0 / 3.0);
    // The section factor peaks below full depth in closed shapes; find the peak on a fine scan of
    // depth refined by golden-section search.
    s_max_ = s_full_;
    a_max_ = a_full_;
    const int n = 200;
    int best = n;
    for (int i = 1; i < n; ++i) {
        const double a = area_raw(y_full_ * i / n);
        const double s = section_factor(a);
        if (s > s_max_) {
            s_max_ = s;
            best = i;
        }
    }
    if (best < n) {
        double lo = y_full_ * (best - 1) / n, hi = y_full_ * (best + 1) / n;
        const double g = (std::sqrt(5.0) - 1) / 2;
        for (int it = 0; it < 60; ++it) {
            const double y1 = hi - g * (hi - lo), y2 = lo + g * (hi - lo);
            if (section_factor(area_raw(y1)) > section_factor(area_raw(y2)))
                hi = y2;
            else
                lo = y1;
        }
        a_max_ = area_raw(0.5 * (lo + hi));
        s_max_ = section_factor(a_max_);
    }
    if (shape_ == Shape::kCustom) {
        // SWMM takes a custom shape's largest section factor from its table's rows (shape.c)
        s_max_ = 0;
        a_max_ = a_full_;
        const std::size_t rows = table_.area_m2.size();
        for (std::size_t i = 1; i < rows; ++i) {
            const double sf = table_.area_m2[i] * std::pow(table_.hrad_m[i], 2.0 / 3.0);
            if (sf > s_max_) {
                s_max_ = sf;
                a_max_ = table_.area_m2[i];
            }
        }
        best = a_max_ < a_full_ ? 0 : n;
    }
    if (shape_ == Shape::kRectTriangular || shape_ == Shape::kRectRound ||
        shape_ == Shape::kModBasket) {
        // SWMM takes these sections' largest section factor at a fixed share of the full area
        a_max_ = (shape_ == Shape::kModBasket ? kModBasketAlfMax : kRectBottomAlfMax) * a_full_;
        s_max_ = section_factor(a_max_);
        best = 0;
    }
    // The depth lookup depends only on the shape and its dimensions: share it between equal
    // sections (tabulated sections keep their own).
    if (tabulated()) {
        auto lut = std::make_shared<DepthLookup>();
        build_lookup(*lut, best, n);
        lut_ = std::move(lut);
        return;
    }
    using Key = std::tuple<int, double, double, double, double>;
    static std::mutex mutex;
    static std::map<Key, std::weak_ptr<const DepthLookup>> shared;
    const Key key{static_cast<int>(shape_), y_full_, p1_, p2_, p3_};
    const std::lock_guard<std::mutex> lock(mutex);
    auto& slot = shared[key];
    lut_ = slot.lock();
    if (!lut_) {
        auto lut = std::make_shared<DepthLookup>();
        build_lookup(*lut, best, n);
        lut_ = lut;
        slot = lut_;
    }
}

void CrossSection::build_lookup(DepthLookup& lut, int best, int n) const {
    // rows quadratically closer near the invert where the functions bend most
    const int rows = 1000;
    const double y_smax = best < n ? depth_of_area_m(a_max_) : y_full_;
    lut.y_smax = y_smax;
    lut.s.resize(rows + 1);
    lut.c.resize(rows + 1);
    for (int i = 0; i <= rows; ++i) {
        const double f = static_cast<double>(i) / rows;
        const double y = y_full_ * f * f;
        lut.s[i].y = lut.c[i].y = y;
        const double a = area_raw(y);
        lut.s[i].v = y <= y_smax ? section_factor(a) : s_max_;
        const double t = width_raw(y);
        lut.c[i].v = t > 0 ? a * a * a / t : (i > 0 ? lut.c[i - 1].v : 0.0);
    }
    lut.s_rows = rows;
    for (int i = 1; i <= rows; ++i)
        if (lut.s[i].y > y_smax) {
            lut.s_rows = i - 1;
            break;
        }
    // A³/T must rise for the lookup; closed shapes flatten near the crown
    for (int i = 1; i <= rows; ++i)
        lut.c[i].v = std::max(lut.c[i].v, lut.c[i - 1].v);
    DepthLookup::build_index(lut.s_index, lut.s, lut.s_rows, lut.s[lut.s_rows].v, 2);
    // A³/T grows without bound at the crown of a closed shape: scale the buckets on the value
    // at 98 % of the rows and let the last bucket hold the rest
    DepthLookup::build_index(lut.c_index, lut.c, rows, lut.c[rows * 49 / 50].v, 4);
    if (shape_ == Shape::kCircular) {
        lut.circle_psi.resize(kCircleAreaIntervals + 1);
        lut.circle_y.resize(kCircleAreaIntervals + 1);
        for (int i = 0; i <= kCircleAreaIntervals; ++i) {
            const double alpha = static_cast<double>(i) / kCircleAreaIntervals;
            const double y = depth_of_area_m(alpha * a_full_);
            lut.circle_y[i] = y / y_full_;
            lut.circle_psi[i] =
                i == 0 ? 0.0 : alpha * std::pow(hydraulic_radius_m(y) / r_full_, 2.0 / 3.0);
        }
        lut.circle_psi[kCircleAreaIntervals] = 1.0;
        lut.circle_y[kCircleAreaIntervals] = 1.0;
        lut.circle_qc.resize(kCircleCriticalIntervals + 1);
        for (int i = 0; i <= kCircleCriticalIntervals; ++i) {
            const auto g = geometry(y_full_ * i / kCircleCriticalIntervals);
            lut.circle_qc[i] =
                g.top_width_m > 0 ? g.area_m2 * std::sqrt(g.area_m2 / g.top_width_m) : 0.0;
        }
    }
}

double CrossSection::depth_of_section_factor_m(double s) const {
    if (s <= 0 || shape_ == Shape::kDummy || !lut_)
        return 0;
    if (!lut_->circle_psi.empty()) {
        // SWMM 5.2 (xsect.c circ_getAofS, circ_getYofA): a flow at or above the full pipe's
        // normal flow (S >= S_full) has the full depth, not the depth of the section factor's
        // maximum; between S/S_full = 0.015 and 1 the area comes from the section factor
        // tabulated at A/A_full = 0, 0.02, …, 1 (linear between rows) and the depth from the
        // depth at the same rows (linear, exact below A/A_full = 0.04). Near full these differ
        // from the exact circle by a few per cent of the depth, and a conduit discharging
        // freely at its normal depth drains its upstream node accordingly.
        const auto& psi_rows = lut_->circle_psi;
        const double psi = s / s_full_;
        if (psi >= 1.0)
            return y_full_;
        if (psi > 0.015) {
            constexpr double h = 1.0 / kCircleAreaIntervals;
            // the row interval holding psi on the rising rows (psi < 1 stays below the maximum)
            const auto it = std::upper_bound(psi_rows.begin(), psi_rows.end() - 2, psi);
            const auto i = static_cast<int>(it - psi_rows.begin()) - 1;
            const double span = psi_rows[i + 1] - psi_rows[i];
            const double alpha =
                std::clamp(i * h + (span > 0 ? (psi - psi_rows[i]) * h / span : 0.0), 0.0, 1.0);
            if (alpha < 0.04)
                return depth_of_area_m(alpha * a_full_);
            const int k = std::min(static_cast<int>(alpha / h), kCircleAreaIntervals - 1);
            const auto& y_rows = lut_->circle_y;
            return y_full_ * (y_rows[k] + (alpha - k * h) * (y_rows[k + 1] - y_rows[k]) / h);
        }
    }
    if (s >= s_max_)
        return lut_->y_smax; // depth_of_area_m(a_max_), solved once
    if (s >= s_full_ && shape_ != Shape::kHorseshoe && shape_ != Shape::kEgg) {
        // A closed section whose section factor peaks below the crown (a closed rectangle's at
        // 97 % of its area) meets a section factor between the full and the peak value twice.
        // SWMM 5.2 solves such a section's normal depth on the falling branch, between the
        // peak's area and the full area (xsect.c generic_getAofS brackets A there), so a flow
        // above the full-pipe flow has a normal depth of 97–100 % of the height, not the lower
        // root near 83–97 %: a dropped outlet's flow class and its share of surface area at
        // the downstream end (normal depth against critical depth) depend on which root.
        // Bisection, S(A) falling from s_max at a_max to s_full at a_full.
        double lo = a_max_, hi = a_full_;
        for (int k = 0; k < 60 && hi - lo > 1e-12 * a_full_; ++k) {
            const double mid = 0.5 * (lo + hi);
            (section_factor(mid) > s ? lo : hi) = mid;
        }
        return depth_of_area_m(0.5 * (lo + hi));
    }
    return lut_->interpolate(lut_->s_index, lut_->s, lut_->s_rows, s);
}

double CrossSection::critical_depth_fast_m(double q, double g) const {
    q = std::abs(q);
    if (q <= 0 || shape_ == Shape::kDummy || !lut_)
        return 0;
    if (!lut_->circle_qc.empty()) {
        // SWMM 5.2 finds the critical depth of a circular conduit from the critical flow at 26
        // depths of its tabulated circle, interpolated linearly (a trickle's critical depth comes
        // out well below the exact one: the critical flow rises like y² near the invert).
        const auto& qc = lut_->circle_qc;
        const double x = q / std::sqrt(g);
        const double dy = y_full_ / kCircleCriticalIntervals;
        for (int i = 1; i < kCircleCriticalIntervals; ++i)
            if (qc[i] >= x)
                return (i - 1 + (x - qc[i - 1]) / (qc[i] - qc[i - 1])) * dy;
        return y_full_; // above the critical flow at 24/25 full (the crown's is 0 in SWMM)
    }
    const double c = q * q / g;
    const int last = static_cast<int>(lut_->c.size()) - 1;
    if (c >= lut_->c[last].v)
        return y_full_;
    return lut_->interpolate(lut_->c_index, lut_->c, last, c);
}

CrossSection::Geometry CrossSection::geometry_general(double y) const {
    Geometry g;
    if (shape_ == Shape::kDummy)
        return g;
    if (y >= y_full_) {
        g.area_m2 = is_closed() ? a_full_ : a_full_ + (y - y_full_) * w_max_;
        g.hyd_radius_m = r_full_;
        g.top_width_m = is_closed() ? 0.0 : w_max_;
        return g;
    }
    if (y <= 0) {
        g.top_width_m = width_raw(0.0);
        return g;
    }
    if (circle_ != nullptr)
        return circle_geometry(y); // SWMM's tabulated circle (see detail::circle_rows)
    if (tabulated()) {
        g.area_m2 = area_m2(y);
        g.hyd_radius_m = hydraulic_radius_m(y);
        g.top_width_m = top_width_m(y);
        return g;
    }
    // area_m2, hydraulic_radius_m and top_width_m for 0 < y < full, the area evaluated once
    g.area_m2 = area_raw(y);
    const double p = perimeter_raw(y);
    g.hyd_radius_m = p > 0 ? g.area_m2 / p : 0.0;
    g.top_width_m = width_raw(y);
    return g;
}

double CrossSection::area_m2(double y) const {
    if (y <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (y >= y_full_)
        return is_closed() ? a_full_ : a_full_ + (y - y_full_) * w_max_;
    return area_raw(y);
}

double CrossSection::top_width_m(double y) const {
    if (shape_ == Shape::kDummy)
        return 0;
    if (y >= y_full_)
        return is_closed() ? 0.0 : w_max_;
    return width_raw(std::max(y, 0.0));
}

double CrossSection::wetted_perimeter_m(double y) const {
    if (y <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (y >= y_full_)
        return r_full_ > 0 ? a_full_ / r_full_ : 0.0;
    return perimeter_raw(y);
}

double CrossSection::hydraulic_radius_m(double y) const {
    if (y <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (y >= y_full_)
        return r_full_;
    if (tabulated())
        return lookup(table_.hrad_m, y / y_full_);
    const double p = perimeter_raw(y);
    return p > 0 ? area_raw(y) / p : 0.0;
}

double CrossSection::depth_of_area_m(double a) const {
    if (a <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (a >= a_full_)
        return is_closed() || w_max_ <= 0 ? y_full_ : y_full_ + (a - a_full_) / w_max_;
    switch (shape_) {
    case Shape::kRectClosed:
    case Shape::kRectOpen:
        return a / p1_;
    case Shape::kTriangular:
        return std::sqrt(a / p1_);
    case Shape::kTrapezoidal: {
        const double s = 0.5 * (p2_ + p3_);
        if (s <= 0)
            return a / p1_;
        return (std::sqrt(p1_ * p1_ + 4.0 * s * a) - p1_) / (2.0 * s);
    }
    case Shape::kIrregular:
    case Shape::kCustom:
        return y_full_ * inverse_lookup(table_.area_m2, a);
    default:
        break;
    }
    // Newton on A(y) = a with dA/dy = T, kept inside a shrinking bracket.
    double lo = 0, hi = y_full_;
    double y = y_full_ * (a / a_full_);
    for (int it = 0; it < 60; ++it) {
        const double f = area_raw(y) - a;
        if (std::abs(f) <= 1e-12 * a_full_)
            break;
        if (f > 0)
            hi = y;
        else
            lo = y;
        const double t = width_raw(y);
        double next = t > 0 ? y - f / t : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        y = next;
        if (hi - lo <= 1e-13 * y_full_)
            break;
    }
    return y;
}

double CrossSection::hydraulic_radius_of_area_m(double a) const {
    if (a <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (a >= a_full_)
        return r_full_;
    switch (shape_) {
    case Shape::kRectClosed: {
        // SWMM's lid rule expressed on area (the same as on depth for a rectangle)
        double p = p1_ + 2.0 * a / p1_;
        if (a / a_full_ > kRectAlfMax)
            p += (a / a_full_ - kRectAlfMax) / (1.0 - kRectAlfMax) * p1_;
        return a / p;
    }
    case Shape::kRectOpen:
        return a / (p1_ + 2.0 * a / p1_);
    default:
        return hydraulic_radius_m(depth_of_area_m(a));
    }
}

double CrossSection::section_factor(double a) const {
    if (a <= 0)
        return 0;
    // a rectangle over a triangular or round bottom: from the largest section factor at 98 % of
    // the area straight to the full one (SWMM rect_triang_getSofA, rect_round_getSofA)
    if ((shape_ == Shape::kRectTriangular || shape_ == Shape::kRectRound) && a_full_ > 0 &&
        a / a_full_ > kRectBottomAlfMax && s_max_ > 0)
        return s_max_ + (s_full_ - s_max_) * (std::min(a / a_full_, 1.0) - kRectBottomAlfMax) /
                            (1.0 - kRectBottomAlfMax);
    return a * std::pow(hydraulic_radius_of_area_m(a), 2.0 / 3.0);
}

double CrossSection::section_factor_derivative(double a) const {
    const double h = std::max(1e-6 * a_full_, 1e-12);
    const double lo = std::max(a - h, 0.0);
    const double hi = a + h;
    return (section_factor(hi) - section_factor(lo)) / (hi - lo);
}

double CrossSection::area_of_section_factor_m2(double s) const {
    if (s <= 0 || shape_ == Shape::kDummy)
        return 0;
    if (s >= s_max_)
        return a_max_;
    // S(A) rises monotonically on [0, a_max]; bracketed Newton.
    double lo = 0, hi = a_max_;
    double a = a_max_ * std::pow(s / s_max_, 0.6); // S ~ A^(5/3) for wide sections
    for (int it = 0; it < 80; ++it) {
        const double f = section_factor(a) - s;
        if (std::abs(f) <= 1e-12 * s_max_)
            break;
        if (f > 0)
            hi = a;
        else
            lo = a;
        const double d = section_factor_derivative(a);
        double next = d > 0 ? a - f / d : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        a = next;
        if (hi - lo <= 1e-14 * a_max_)
            break;
    }
    return a;
}

double CrossSection::critical_depth_m(double q, double g) const {
    q = std::abs(q);
    if (q <= 0 || shape_ == Shape::kDummy)
        return 0;
    // Q²·T = g·A³: Froude number 1. A³/T increases with depth for every shape here.
    const double q2g = q * q / g;
    auto f = [&](double y) {
        const double t = width_raw(y);
        const double a = area_raw(y);
        return t > 0 ? a * a * a / t - q2g : 1.0;
    };
    double hi = y_full_ * 0.999999;
    if (f(hi) <= 0)
        return y_full_;
    double lo = 0;
    for (int it = 0; it < 60 && hi - lo > 1e-10 * y_full_; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (f(mid) > 0)
            hi = mid;
        else
            lo = mid;
    }
    return 0.5 * (lo + hi);
}

GeometryTable tabulate_shape_curve(const std::vector<double>& depth_ratio,
                                   const std::vector<double>& width_ratio, double y_full_m) {
    const auto bad = [](const std::string& why) {
        throw Error(ErrorCode::kInconsistent, "not a valid cross-section shape: " + why);
    };
    const std::size_t n_points = std::min(depth_ratio.size(), width_ratio.size());
    if (n_points == 0)
        bad("no points");
    if (!(y_full_m > 0))
        bad("full height must be > 0");
    // the curve's intervals, walked from the bottom; (y1, w1)–(y2, w2) is the current one
    std::size_t next = 0;
    double y1 = depth_ratio[0], w1 = width_ratio[0];
    ++next;
    if (y1 < 0 || y1 >= 1 || w1 < 0)
        bad("the first depth must lie in [0, 1) and widths must not be negative");
    double w_max = w1;
    double y2 = 0, w2 = 0;
    if (y1 != 0) { // the curve starts above the bottom: from a point of zero width there
        y2 = y1;
        w2 = w1;
        y1 = 0;
        w1 = 0;
    } else {
        if (next >= n_points)
            bad("a curve from depth 0 needs a second point");
        y2 = depth_ratio[next];
        w2 = width_ratio[next];
        ++next;
        if (y2 < y1 || w2 < 0)
            bad("depths must not decrease and widths must not be negative");
        y2 = std::min(y2, 1.0);
        w_max = std::max(w_max, w2);
    }
    constexpr int kIntervals = 50;
    constexpr double dy = 1.0 / kIntervals;
    // trapezoid area and the two sides' length between two depths
    const auto area = [](double ya, double wa, double yb, double wb) {
        return 0.5 * (wa + wb) * (yb - ya);
    };
    const auto sides = [](double ya, double wa, double yb, double wb) {
        const double h = yb - ya, d = std::abs(wb - wa) / 2.0;
        return 2.0 * std::sqrt(h * h + d * d);
    };
    GeometryTable t;
    t.y_full_m = y_full_m;
    t.area_m2.assign(kIntervals + 1, 0.0);
    t.hrad_m.assign(kIntervals + 1, 0.0);
    t.width_m.assign(kIntervals + 1, 0.0);
    t.width_m[0] = w1;
    double a_sum = 0, p_sum = w1; // the bottom is wetted
    double y = 0, w = w1;
    for (int i = 1; i <= kIntervals; ++i) {
        double y_last = y, w_last = w;
        y += dy;
        if (std::abs(y - 1.0) < 1e-6)
            y = 1.0;
        if (y > y2) {
            // up to the curve's points below y, then on along the interval y lies in
            while (y > y2) {
                if (y2 > y_last) {
                    a_sum += area(y_last, w_last, y2, w2);
                    p_sum += sides(y_last, w_last, y2, w2);
                    y_last = y2;
                    w_last = w2;
                }
                y1 = y2;
                w1 = w2;
                if (next >= n_points) { // past the last point: its width to the top
                    y2 = 1.0;
                    break;
                }
                y2 = depth_ratio[next];
                w2 = width_ratio[next];
                ++next;
                w_max = std::max(w_max, w2);
                if (y2 < y1 || w2 < 0)
                    bad("depths must not decrease and widths must not be negative");
                y2 = std::min(y2, 1.0);
            }
            y_last = y1;
            w_last = w1;
        }
        w = y2 == y1 ? w2 : w1 + (y - y1) / (y2 - y1) * (w2 - w1);
        a_sum += area(y_last, w_last, y, w);
        p_sum += sides(y_last, w_last, y, w);
        if (y == 1.0)
            p_sum += w2; // the top closes the section
        t.width_m[static_cast<std::size_t>(i)] = w * y_full_m;
        t.area_m2[static_cast<std::size_t>(i)] = a_sum * y_full_m * y_full_m;
        t.hrad_m[static_cast<std::size_t>(i)] = p_sum > 0 ? a_sum / p_sum * y_full_m : 0.0;
    }
    t.width_m[0] *= y_full_m;
    if (!(a_sum > 0) || !(w_max > 0))
        bad("the shape has no area");
    t.w_max_m = w_max * y_full_m;
    return t;
}

GeometryTable tabulate_transect(const TransectProfile& p, int entries) {
    const auto n = p.station_m.size();
    if (n < 2 || p.elevation_m.size() != n)
        throw Error(ErrorCode::kInconsistent, "a transect needs at least two stations");
    const double ymin = *std::min_element(p.elevation_m.begin(), p.elevation_m.end());
    const double ymax = *std::max_element(p.elevation_m.begin(), p.elevation_m.end());
    if (!(ymax > ymin))
        throw Error(ErrorCode::kInconsistent, "a transect has no depth (all stations level)");
    if (!(p.n_channel > 0))
        throw Error(ErrorCode::kInconsistent, "a transect needs a channel Manning's n > 0");
    const double n_left = p.n_left > 0 ? p.n_left : p.n_channel;
    const double n_right = p.n_right > 0 ? p.n_right : p.n_channel;

    // The profile is closed by vertical walls up to its highest point at both ends.
    std::vector<double> xs, zs;
    xs.push_back(p.station_m.front());
    zs.push_back(ymax);
    xs.insert(xs.end(), p.station_m.begin(), p.station_m.end());
    zs.insert(zs.end(), p.elevation_m.begin(), p.elevation_m.end());
    xs.push_back(p.station_m.back());
    zs.push_back(ymax);

    GeometryTable t;
    t.y_full_m = ymax - ymin;
    t.area_m2.assign(entries, 0.0);
    t.hrad_m.assign(entries, 0.0);
    t.width_m.assign(entries, 0.0);
    for (int i = 1; i < entries; ++i) {
        const double level = ymin + t.y_full_m * i / (entries - 1);
        double area = 0, width = 0, conveyance = 0;
        // Wet area and perimeter accumulated over a pocket of one roughness zone.
        double pa = 0, pp = 0, pn = p.n_channel;
        auto close_pocket = [&]() {
            if (pa > 0 && pp > 0)
                conveyance += pa * std::pow(pa / pp, 2.0 / 3.0) / pn;
            pa = pp = 0;
        };
        for (std::size_t k = 1; k < xs.size(); ++k) {
            const double z0 = zs[k - 1], z1 = zs[k];
            const double lo = std::min(z0, z1), hi = std::max(z0, z1);
            const double dx = std::abs(xs[k] - xs[k - 1]);
            double zone_n = p.n_channel;
            if (xs[k - 1] < p.left_bank_m)
                zone_n = n_left;
            if (xs[k] > p.right_bank_m)
                zone_n = n_right;
            if (lo >= level) { // dry segment ends a pocket
                close_pocket();
                continue;
            }
            if (zone_n != pn) {
                close_pocket();
                pn = zone_n;
            }
            double a, w, wp;
            const double len = std::hypot(dx, hi - lo);
            if (level >= hi) {
                a = dx * ((level - hi) + (level - lo)) / 2.0;
                w = dx;
                wp = len;
            } else {
                const double r = (level - lo) / (hi - lo);
                a = dx * (hi - lo) / 2.0 * r * r;
                w = dx * r;
                wp = len * r;
            }
            pa += a;
            pp += wp;
            area += a;
            width += w;
        }
        close_pocket();
        t.area_m2[i] = area;
        t.width_m[i] = width;
        t.hrad_m[i] = area > 0 ? std::pow(p.n_channel * conveyance / area, 1.5) : t.hrad_m[i - 1];
    }
    t.width_m[0] = t.width_m[1];
    return t;
}

} // namespace rencheng::drainage
