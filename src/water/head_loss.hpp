// Link head-loss laws of EPANET 2.2 (Hazen-Williams, Darcy-Weisbach, Chezy-Manning, minor loss) in
// SI.
#pragma once

#include <cmath>
#include <cstddef>

#include "water/network.hpp"

namespace rencheng::water {

/// EPANET computes in ft and cfs; these constants carry its US-unit formula constants into SI so
/// that our head losses equal EPANET 2.2's (REFERENCE.md §2.3).
namespace epanet_units {
inline constexpr double kFoot = 0.3048;                      ///< m per ft
inline constexpr double kCfs = 0.0283168466;                 ///< m³/s per cfs
inline constexpr double kGradient = kFoot / kCfs;            ///< (m per m³/s) per (ft per cfs)
inline constexpr double kGravity = 32.2 * kFoot;             ///< m/s², EPANET's g
inline constexpr double kViscosity = 1.1e-5 * kFoot * kFoot; ///< m²/s at 20 °C
inline constexpr double kRqTol = 1e-7 * kGradient;           ///< smallest head-loss gradient
inline constexpr double kBigGradient = 1e8 * kGradient;      ///< closed link (CBIG)
inline constexpr double kSmallGradient = 1e-6 * kGradient;   ///< open valve (CSMALL)
inline constexpr double kHeadTol = 0.0005 * kFoot;           ///< status head tolerance, m
inline constexpr double kFlowTol = 1e-4 * kCfs;              ///< status flow tolerance, m³/s
inline constexpr double kZeroFlow = 1e-6 * kCfs;             ///< flow taken as zero, m³/s
} // namespace epanet_units

/// Head loss h (m, positive in the flow direction, signed like q) and its gradient g = dh/dq
/// (m per m³/s, > 0) of one link for the current flow.
struct HeadLoss {
    double h = 0;
    double g = 0;
};

/// Resistance coefficient r of a pipe's friction law h = r q^n in SI (m, m³/s), with EPANET's
/// constants: Hazen-Williams r = 4.727 L C^-1.852 d^-4.871 (ft, cfs); Darcy-Weisbach r = L/(2 g d
/// A²) (friction factor applied later); Chezy-Manning r = (4n/(1.49 π d²))² (d/4)^-1.333 L (ft,
/// cfs) (EPANET 2.2 Users Manual, Table 3.1 and hydcoeffs' resistance). `cfs_m3s` is the cubic foot
/// per second the formula constants are applied with: EPANET converts SI flows with rounded factors
/// (LPS 28.317 per cfs, ...), so its effective cfs differs from 0.0283168466 m³/s by up to 6e-6;
/// see epanet_cfs().
double pipe_resistance(HeadLossFormula formula, double length_m, double diameter_m,
                       double roughness, double cfs_m3s = epanet_units::kCfs);

/// The cubic metres per second that EPANET 2.2 treats as one cfs for a network in `units`:
/// flow_factor(units) times its rounded units-per-cfs constant (REFERENCE.md §2.3).
double epanet_cfs(FlowUnits units);

/// Minor-loss coefficient m of h = m q² for loss coefficient K: m = 8K/(π² g d⁴), EPANET's
/// 0.02517 K / d⁴ in ft and cfs.
double minor_loss_coefficient(double k, double diameter_m, double cfs_m3s = epanet_units::kCfs);

/// Friction head loss plus minor loss of an open pipe for flow q (m³/s).
/// Hazen-Williams and Chezy-Manning: h = r|q|^n + m q², with EPANET's small-flow rule: where
/// n r |q|^(n-1) falls below kRqTol the friction term becomes the line kRqTol·q.
/// Darcy-Weisbach: Hagen-Poiseuille for Re <= 2000, Swamee-Jain above Re 4000 and Dunlop's cubic
/// interpolation between (EPANET 2.2 Hydraulics chapter).
HeadLoss pipe_head_loss(HeadLossFormula formula, double r, double m, double q, double diameter_m,
                        double roughness_m, double viscosity_m2s);

/// out[i] = |q[i]|^e for i < count, e in (0, 1]: FixedPower(e)(|q[i]|) (core/fixed_power.hpp,
/// the same bits), four flows at a time, vectorised where the CPU has AVX2. Within 4e-16 relative
/// of the exact power (mean 8e-17; libm's pow is within 1.1e-16); 0 below 1e-290 (and for q = 0).
/// The Newton iteration raises every Hazen-Williams pipe's flow to 0.852 at every iteration: one
/// batch instead of a libm call each. The tables of 0.852 are made once; another exponent's once
/// per thread for the last one asked for.
void flow_powers(const double* q, double* out, std::size_t count, double e);

/// The Hazen-Williams (n = 1.852) and Chezy-Manning (n = 2) case of pipe_head_loss(), inline:
/// the Newton iteration evaluates it for every pipe, so it is compiled into the loop. `power`
/// is |q|^(n-1) (flow_powers()).
inline HeadLoss power_law_head_loss(double n, double r, double m, double q, double power) {
    // Written as selects, not branches (the signs of the flows and the small-flow rule vary
    // from pipe to pipe without a pattern the branch predictor could learn); the values are
    // those of the branches: the minor-loss terms add exact zeros when m = 0, and the sign is
    // copied from q (h = 0 when q = 0).
    const double aq = std::fabs(q);
    const double g_friction = n * r * power;
    const bool small = g_friction < epanet_units::kRqTol;
    // h = g|q|/n, multiplying by a constant for the two exponents in use (a division per
    // pipe and iteration was a sixth of the assembly's time on ky4).
    const double inv_n = n == 2.0 ? 0.5 : (n == 1.852 ? 1.0 / 1.852 : 1.0 / n);
    double g = small ? epanet_units::kRqTol : g_friction;
    double h = small ? g * aq : g * aq * inv_n;
    const double minor = m > 0 ? m : 0.0;
    h += minor * aq * aq;
    g += 2.0 * minor * aq;
    return {std::copysign(h, q), g};
}

/// The same, computing |q|^(n-1) itself.
inline HeadLoss power_law_head_loss(double n, double r, double m, double q) {
    double power = std::fabs(q);
    if (n != 2.0)
        flow_powers(&q, &power, 1, n - 1.0);
    return power_law_head_loss(n, r, m, q, power);
}

/// Darcy-Weisbach friction factor and its derivative df/dq for |q| (m³/s) above the laminar range.
/// `relative_roughness` = ε/d, `s` = ν·d (m³/s).
double friction_factor(double q, double relative_roughness, double s, double& dfdq);

/// Head loss of an open valve (minor loss m q², or a tiny linear resistance when m = 0).
HeadLoss open_valve_head_loss(double m, double q);

} // namespace rencheng::water
