// Link head-loss laws of EPANET 2.2 in SI (see head_loss.hpp for the constants' origin).
#include "water/head_loss.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace rencheng::water {

namespace {
constexpr double kPi = 3.14159265358979323846;
using namespace epanet_units;
} // namespace

double epanet_cfs(FlowUnits units) {
    double per_cfs = 0;
    switch (units) {
    case FlowUnits::kCfs:
        per_cfs = 1.0;
        break;
    case FlowUnits::kGpm:
        per_cfs = 448.831;
        break;
    case FlowUnits::kMgd:
        per_cfs = 0.64632;
        break;
    case FlowUnits::kImgd:
        per_cfs = 0.5382;
        break;
    case FlowUnits::kAfd:
        per_cfs = 1.9837;
        break;
    case FlowUnits::kLps:
        per_cfs = 28.317;
        break;
    case FlowUnits::kLpm:
        per_cfs = 1699.0;
        break;
    case FlowUnits::kMld:
        per_cfs = 2.4466;
        break;
    case FlowUnits::kCmh:
        per_cfs = 101.94;
        break;
    case FlowUnits::kCmd:
        per_cfs = 2446.6;
        break;
    case FlowUnits::kCms:
        return kCfs;
    }
    return flow_factor(units) * per_cfs;
}

double pipe_resistance(HeadLossFormula formula, double length_m, double diameter_m,
                       double roughness, double cfs_m3s) {
    const double kCfs = cfs_m3s;
    const double l_ft = length_m / kFoot;
    const double d_ft = diameter_m / kFoot;
    switch (formula) {
    case HeadLossFormula::kHazenWilliams: {
        // h_ft = r_ft q_cfs^1.852, so h_m = kFoot r_ft (q/kCfs)^1.852.
        const double r_ft = 4.727 * l_ft / std::pow(roughness, 1.852) / std::pow(d_ft, 4.871);
        return kFoot * r_ft / std::pow(kCfs, 1.852);
    }
    case HeadLossFormula::kDarcyWeisbach: {
        const double area = kPi * diameter_m * diameter_m / 4.0;
        const double scale = epanet_units::kCfs / cfs_m3s;
        return length_m / 2.0 / kGravity / diameter_m / (area * area) * scale * scale;
    }
    case HeadLossFormula::kChezyManning: {
        const double a = 4.0 * roughness / (1.49 * kPi * d_ft * d_ft);
        const double r_ft = a * a * std::pow(d_ft / 4.0, -1.333) * l_ft;
        return kFoot * r_ft / (kCfs * kCfs);
    }
    }
    return 0;
}

double minor_loss_coefficient(double k, double diameter_m, double cfs_m3s) {
    const double kCfs = cfs_m3s;
    const double d_ft = diameter_m / kFoot;
    const double m_ft = 0.02517 * k / (d_ft * d_ft * d_ft * d_ft);
    return kFoot * m_ft / (kCfs * kCfs);
}

double friction_factor(double q, double relative_roughness, double s, double& dfdq) {
    // w = Re·π/4; Re 4000 ↔ w = 1000π, Re 2000 ↔ w = 500π.
    constexpr double kW4000 = 1000.0 * kPi;
    constexpr double kW2000 = 500.0 * kPi;
    constexpr double a8 = 4.61841319859066668690;   // 5.74 (π/4)^0.9
    constexpr double a9 = -0.868588963806503655300; // -2 / ln 10
    const double w = q / s;
    if (w >= kW4000) {
        // Swamee & Jain (1976): f = 0.25 / log10(ε/3.7d + 5.74/Re^0.9)².
        const double y1 = a8 / std::pow(w, 0.9);
        const double y2 = relative_roughness / 3.7 + y1;
        const double y3 = a9 * std::log(y2);
        const double f = 1.0 / (y3 * y3);
        dfdq = 1.8 * f * y1 * a9 / y2 / y3 / q;
        return f;
    }
    // Dunlop's cubic between Re 2000 (f = 64/Re) and Re 4000 (Swamee-Jain value and slope).
    constexpr double ab = 3.28895476345399058690e-03;  // 5.74 / 4000^0.9
    constexpr double ac = -5.14214965799093883760e-03; // -2·0.9·2/ln 10 · ab
    const double y2 = relative_roughness / 3.7 + ab;
    const double y3 = a9 * std::log(y2);
    const double fa = 1.0 / (y3 * y3);
    const double fb = (2.0 + ac / (y2 * y3)) * fa;
    const double r = w / kW2000;
    const double x1 = 7.0 * fa - fb;
    const double x2 = 0.128 - 17.0 * fa + 2.5 * fb;
    const double x3 = -0.128 + 13.0 * fa - (fb + fb);
    const double x4 = 0.032 - 3.0 * fa + 0.5 * fb;
    dfdq = (x2 + r * (2.0 * x3 + r * 3.0 * x4)) / s / kW2000;
    return x1 + r * (x2 + r * (x3 + r * x4));
}

HeadLoss pipe_head_loss(HeadLossFormula formula, double r, double m, double q, double diameter_m,
                        double roughness_m, double viscosity_m2s) {
    const double aq = std::fabs(q);
    HeadLoss out;
    if (formula == HeadLossFormula::kDarcyWeisbach) {
        const double s = viscosity_m2s * diameter_m;
        if (aq <= 500.0 * kPi * s) {
            // Hagen-Poiseuille: f = 64/Re gives h = 16π s r q.
            const double rl = 16.0 * kPi * s * r;
            out.h = q * (rl + m * aq);
            out.g = rl + 2.0 * m * aq;
        } else {
            double dfdq = 0;
            const double f = friction_factor(aq, roughness_m / diameter_m, s, dfdq);
            const double r1 = f * r + m;
            out.h = r1 * aq * q;
            out.g = 2.0 * r1 * aq + dfdq * r * aq * aq;
        }
        return out;
    }
    return power_law_head_loss(formula == HeadLossFormula::kHazenWilliams ? 1.852 : 2.0, r, m, q);
}

namespace {

// The four-lane helpers below are internal and inlined into flow_powers() (vectors passed by
// reference): GCC's warning that returning AVX vectors without AVX changes the calling convention
// concerns no call between objects. (Not popped: GCC reports it at the end of the file.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

using V4 = double __attribute__((vector_size(32)));
using I4 = std::int64_t __attribute__((vector_size(32)));

[[gnu::always_inline]] inline I4 bits(const V4& v) {
    I4 i;
    std::memcpy(&i, &v, sizeof i);
    return i;
}
[[gnu::always_inline]] inline V4 from_bits(const I4& i) {
    V4 v;
    std::memcpy(&v, &i, sizeof v);
    return v;
}
[[gnu::always_inline]] inline V4 splat(double x) {
    return V4{x, x, x, x};
}
[[gnu::always_inline]] inline I4 splat_i(std::int64_t x) {
    return I4{x, x, x, x};
}

/// |x|^e on four lanes (see flow_powers). ln|x| = k ln 2 + 2 atanh((m−1)/(m+1)) with
/// m ∈ [√½, √2); then y = e ln|x| = j ln 2 + r, |r| ≤ ln2/2, and |x|^e = 2^j exp(r).
[[gnu::always_inline]] inline void power4(const double* in, double* result, double e) {
    V4 x;
    std::memcpy(&x, in, sizeof x);
    constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2, high 32 bits
    constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 − kLn2Hi
    constexpr double kShift = 6755399441055744.0;          // 1.5·2^52: rounds to an integer
    const I4 xb = bits(x) & splat_i(0x7fffffffffffffffLL); // |x|
    // Exponent and mantissa in [1, 2), then into [√½, √2).
    I4 k = (xb >> 52) - splat_i(1023);
    V4 m = from_bits((xb & splat_i(0x000fffffffffffffLL)) | splat_i(0x3ff0000000000000LL));
    const I4 big = m > splat(1.4142135623730951);
    m = from_bits((bits(m * 0.5) & big) | (bits(m) & ~big));
    k -= big; // big is −1 where true
    const V4 kd = from_bits(k + bits(splat(kShift))) - kShift;
    const V4 s = (m - 1.0) / (m + 1.0);
    const V4 s2 = s * s;
    // 2 atanh(s) = 2 s Σ s^(2i)/(2i+1), |s| ≤ 0.1716: 11 terms leave < 1e-17 relative. The
    // sum in s² by Estrin's scheme (pairs, then pairs of pairs): four dependent steps instead of
    // Horner's ten, so that the lanes' chains overlap.
    const V4 z2 = s2 * s2, z4 = z2 * z2, z8 = z4 * z4;
    const V4 t01 = (1.0 / 5) * s2 + 1.0 / 3, t23 = (1.0 / 9) * s2 + 1.0 / 7;
    const V4 t45 = (1.0 / 13) * s2 + 1.0 / 11, t67 = (1.0 / 17) * s2 + 1.0 / 15;
    const V4 t89 = (1.0 / 21) * s2 + 1.0 / 19;
    const V4 t = (t01 + t23 * z2) + (t45 + t67 * z2) * z4 + t89 * z8;
    const V4 log_m_tail = 2.0 * s * s2 * t; // 2 atanh(s) − 2 s
    // y = e (k ln2_hi + (2s + (k ln2_lo + tail))), the small parts summed first.
    const V4 ln_x = kd * kLn2Hi + (2.0 * s + (kd * kLn2Lo + log_m_tail));
    const V4 y = e * ln_x;
    const V4 jd = (y * 1.4426950408889634 + kShift) - kShift; // nearest integer to y / ln 2
    const V4 r = (y - jd * kLn2Hi) - jd * kLn2Lo;
    // exp(r), |r| ≤ 0.347: Taylor to degree 13 (< 1e-17 relative), by Estrin's scheme.
    const V4 r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    const V4 e01 = r + 1.0, e23 = (1.0 / 6.0) * r + 0.5;
    const V4 e45 = (1.0 / 120.0) * r + 1.0 / 24.0, e67 = (1.0 / 5040.0) * r + 1.0 / 720.0;
    const V4 e89 = (1.0 / 362880.0) * r + 1.0 / 40320.0;
    const V4 e1011 = (1.0 / 39916800.0) * r + 1.0 / 3628800.0;
    const V4 e1213 = (1.0 / 6227020800.0) * r + 1.0 / 479001600.0;
    const V4 p =
        ((e01 + e23 * r2) + (e45 + e67 * r2) * r4) + ((e89 + e1011 * r2) + e1213 * r4) * r8;
    const I4 j = bits(jd + kShift) - bits(splat(kShift));
    const V4 scale = from_bits((j + splat_i(1023)) << 52);
    const V4 out = p * scale;
    // Below 1e-290 (and zero, whose exponent bits give garbage above): 0, as |q|^e → 0. Not
    // finite (a diverged solve): |q| itself, so that NaN stays NaN and infinity infinite.
    const I4 tiny = from_bits(xb) < splat(1e-290);
    const I4 finite = from_bits(xb) <= splat(1.7976931348623157e308);
    const V4 powered = from_bits((bits(out) & ~tiny & finite) | (xb & ~finite));
    std::memcpy(result, &powered, sizeof powered);
}

} // namespace

// AVX2 where the CPU has it, chosen at load time: the same operations in the same order on four
// lanes (no FMA), so the results are identical to the default clone's.
__attribute__((target_clones("avx2", "default"))) void flow_powers(const double* q, double* out,
                                                                   std::size_t count, double e) {
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4)
        power4(q + i, out + i, e);
    if (i < count) { // the last one to three, padded with zeros
        double in[4] = {0, 0, 0, 0}, result[4];
        std::memcpy(in, q + i, (count - i) * sizeof(double));
        power4(in, result, e);
        std::memcpy(out + i, result, (count - i) * sizeof(double));
    }
}

HeadLoss open_valve_head_loss(double m, double q) {
    HeadLoss out;
    if (m > 0) {
        const double g = 2.0 * m * std::fabs(q);
        if (g < kRqTol) {
            out.g = kRqTol;
            out.h = q * kRqTol;
        } else {
            out.g = g;
            out.h = q * g / 2.0;
        }
    } else {
        out.g = kSmallGradient;
        out.h = q * kSmallGradient;
    }
    return out;
}

} // namespace rencheng::water
