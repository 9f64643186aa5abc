// FHWA HDS-5 culvert inlet control (Hydraulic Design of Highway Culverts, 3rd ed., 2012,
// Appendix A) as SWMM 5.2 limits conduit flow with it.
#include "drainage/culvert.hpp"

#include <cmath>
#include <limits>

#include "drainage/routing.hpp"

namespace rencheng::drainage {
namespace {

using swmm_si::kFoot;
using swmm_si::kGravity;

/// Ku: the HDS-5 equations are fitted with Q in ft³/s, A in ft² and D in ft; Q/(A·D^0.5) in SI
/// times 1/√0.3048 (= 1.811, HDS-5's SI Ku) is the same number.
const double kKu = 1.0 / std::sqrt(kFoot);

/// FHWA HDS-5 (3rd ed., 2012), Appendix A, Table A.1 "Constants for Inlet Control Equations",
/// rows 1–23 in the table's order, which is the order of SWMM's culvert codes (SWMM 5.2 User's
/// Manual, culvert code table): form, K, M, c, Y, Ks.
constexpr CulvertCoefficients kTableA1[] = {
    // Circular concrete
    {1, 0.0098, 2.0, 0.0398, 0.67, -0.5}, //  1 square edge with headwall
    {1, 0.0018, 2.0, 0.0292, 0.74, -0.5}, //  2 groove end with headwall
    {1, 0.0045, 2.0, 0.0317, 0.69, -0.5}, //  3 groove end projecting
    // Circular corrugated metal
    {1, 0.0078, 2.0, 0.0379, 0.69, -0.5},  //  4 headwall
    {1, 0.0210, 1.33, 0.0463, 0.75, 0.7},  //  5 mitered to slope
    {1, 0.0340, 1.50, 0.0553, 0.54, -0.5}, //  6 projecting
    // Circular, beveled ring
    {1, 0.0018, 2.50, 0.0300, 0.74, -0.5}, //  7 45° bevels
    {1, 0.0018, 2.50, 0.0243, 0.83, -0.5}, //  8 33.7° bevels
    // Rectangular box, concrete, wingwall flares
    {1, 0.026, 1.0, 0.0347, 0.81, -0.5},  //  9 30° to 75° flares
    {1, 0.061, 0.75, 0.0400, 0.80, -0.5}, // 10 90° and 15° flares
    {1, 0.061, 0.75, 0.0423, 0.82, -0.5}, // 11 0° flares
    // Rectangular box, concrete, flared wingwalls and top edge bevel
    {2, 0.510, 0.667, 0.0309, 0.80, -0.5}, // 12 45° flare, d = 0.043D
    {2, 0.486, 0.667, 0.0249, 0.83, -0.5}, // 13 18° to 33.7° flare, d = 0.083D
    // Rectangular box, concrete, 90° headwall, chamfered or beveled edges
    {2, 0.515, 0.667, 0.0375, 0.79, -0.5},  // 14 3/4" chamfers
    {2, 0.495, 0.667, 0.0314, 0.82, -0.5},  // 15 45° bevels
    {2, 0.486, 0.667, 0.0252, 0.865, -0.5}, // 16 33.7° bevels
    // Rectangular box, concrete, skewed headwall
    {2, 0.545, 0.667, 0.04505, 0.73, -0.5}, // 17 3/4" chamfers, 45° skew
    {2, 0.533, 0.667, 0.0425, 0.705, -0.5}, // 18 3/4" chamfers, 30° skew
    {2, 0.522, 0.667, 0.0402, 0.68, -0.5},  // 19 3/4" chamfers, 15° skew
    {2, 0.498, 0.667, 0.0327, 0.75, -0.5},  // 20 45° bevels, 10°–45° skew
    // Rectangular box, 3/4" chamfers, non-offset flared wingwalls
    {2, 0.497, 0.667, 0.0339, 0.803, -0.5}, // 21 45° flares
    {2, 0.493, 0.667, 0.0361, 0.806, -0.5}, // 22 18.4° flares
    {2, 0.495, 0.667, 0.0386, 0.71, -0.5},  // 23 18.4° flares, 30° skewed barrel
};

/// Unsubmerged form 1: the flow whose critical depth yc satisfies
/// HW/D − Ks·S = yc/D + (A/T)/(2D) + K·(Ku·Qc/(A_full·D^0.5))^M with Qc = A·√(g·A/T).
double form1_flow(const CulvertCoefficients& k, const CrossSection& xs, double slope, double h) {
    const double d = xs.y_full_m();
    const double ad = xs.a_full_m2() * std::sqrt(d);
    const double h_plus = h / d - k.ks * slope;
    double qc = 0;
    auto residual = [&](double yc) {
        const double a = xs.area_m2(yc);
        const double w = xs.top_width_m(yc);
        const double yh = w > 0 ? a / w : yc;
        qc = a * std::sqrt(kGravity * yh);
        return h_plus - yc / d - yh / (2.0 * d) - k.k * std::pow(kKu * qc / ad, k.m);
    };
    // critical depth between 1 % of the headwater and the headwater, by bisection with the
    // false-position step (Illinois variant) to a depth tolerance far below SWMM's 0.001 ft
    double lo = 0.01 * h, hi = h;
    double f_lo = residual(lo), f_hi = residual(hi);
    if (f_lo * f_hi > 0) { // no crossing: the nearer end
        residual(std::abs(f_lo) < std::abs(f_hi) ? lo : hi);
        return qc;
    }
    int side = 0;
    for (int it = 0; it < 200 && hi - lo > 1e-9 * d; ++it) {
        const double x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
        const double f = residual(x);
        if (f * f_hi > 0) {
            hi = x;
            f_hi = f;
            if (side == -1)
                f_lo *= 0.5;
            side = -1;
        } else {
            lo = x;
            f_lo = f;
            if (side == 1)
                f_hi *= 0.5;
            side = 1;
        }
        if (f == 0)
            break;
    }
    residual(0.5 * (lo + hi));
    return qc;
}

CulvertFlow unsubmerged(const CulvertCoefficients& k, const CrossSection& xs, double slope,
                        double h) {
    CulvertFlow out;
    out.regime = CulvertRegime::kUnsubmerged;
    if (h <= 0)
        return out;
    const double d = xs.y_full_m();
    if (k.form == 1)
        out.flow_m3s = form1_flow(k, xs, slope, h);
    else
        out.flow_m3s = xs.a_full_m2() * std::sqrt(d) / kKu * std::pow(h / d / k.k, 1.0 / k.m);
    // exact for form 2 (Q ∝ HW^(1/M)); SWMM uses the same slope for form 1
    out.dqdh = out.flow_m3s / h / k.m;
    return out;
}

CulvertFlow submerged(const CulvertCoefficients& k, const CrossSection& xs, double slope,
                      double h) {
    CulvertFlow out;
    out.regime = CulvertRegime::kSubmerged;
    const double d = xs.y_full_m();
    const double arg = (h / d - k.y - k.ks * slope) / k.c;
    if (arg <= 0) { // no inlet limit
        out.flow_m3s = std::numeric_limits<double>::infinity();
        return out;
    }
    out.flow_m3s = std::sqrt(arg) * xs.a_full_m2() * std::sqrt(d) / kKu;
    out.dqdh = 0.5 * out.flow_m3s / arg / d / k.c;
    return out;
}

} // namespace

std::optional<CulvertCoefficients> culvert_coefficients(int code) {
    constexpr int n = static_cast<int>(sizeof kTableA1 / sizeof kTableA1[0]);
    if (code < 1 || code > n)
        return std::nullopt;
    return kTableA1[code - 1];
}

CulvertFlow culvert_inlet_flow(const CulvertCoefficients& k, const CrossSection& xs, double slope,
                               double headwater_m) {
    const double d = xs.y_full_m();
    // submerged once Ku·Q/(A·D^0.5) would reach 4 (HDS-5's lower limit of the submerged fit)
    const double y2 = d * (16.0 * k.c + k.y + k.ks * slope);
    if (headwater_m >= y2)
        return submerged(k, xs, slope, headwater_m);
    const double y1 = 0.95 * d;
    if (headwater_m <= y1)
        return unsubmerged(k, xs, slope, headwater_m);
    const double q1 = unsubmerged(k, xs, slope, y1).flow_m3s;
    const double q2 = submerged(k, xs, slope, y2).flow_m3s;
    CulvertFlow out;
    out.regime = CulvertRegime::kTransition;
    out.flow_m3s = q1 + (q2 - q1) * (headwater_m - y1) / (y2 - y1);
    out.dqdh = (q2 - q1) / (y2 - y1);
    return out;
}

} // namespace rencheng::drainage
