// Link head-loss laws of EPANET 2.2 in SI (see head_loss.hpp for the constants' origin).
#include "water/head_loss.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>

#include "core/fixed_power.hpp"

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

/// |x|^e on four lanes (see flow_powers): FixedPower's operator() on |x| lane by lane, the same
/// operations in the same order.
[[gnu::always_inline]] inline void power4(const double* in, double* result, const FixedPower& pt) {
    V4 x;
    std::memcpy(&x, in, sizeof x);
    const I4 xb = bits(x) & splat_i(0x7fffffffffffffffLL); // |x|
    const I4 k = (xb >> 44) & splat_i(0xff);               // the mantissa's top eight bits
    const I4 b = xb >> 52;                                 // biased exponent
    const V4 m = from_bits((xb & splat_i(0x000fffffffffffffLL)) | splat_i(0x3ff0000000000000LL));
    // c_k: the same top eight bits and a one below them (exactly 1 + (k + ½)/256)
    const V4 c = from_bits((xb & splat_i(0x000ff00000000000LL)) | splat_i(0x3ff0080000000000LL));
    const V4 inv_c{pt.inv_centre[static_cast<std::size_t>(k[0])],
                   pt.inv_centre[static_cast<std::size_t>(k[1])],
                   pt.inv_centre[static_cast<std::size_t>(k[2])],
                   pt.inv_centre[static_cast<std::size_t>(k[3])]};
    const V4 ck_e{pt.centre_power[static_cast<std::size_t>(k[0])],
                  pt.centre_power[static_cast<std::size_t>(k[1])],
                  pt.centre_power[static_cast<std::size_t>(k[2])],
                  pt.centre_power[static_cast<std::size_t>(k[3])]};
    // b is at most 2047 (the sign was cleared)
    const V4 scale{
        pt.scale[static_cast<std::size_t>(b[0])], pt.scale[static_cast<std::size_t>(b[1])],
        pt.scale[static_cast<std::size_t>(b[2])], pt.scale[static_cast<std::size_t>(b[3])]};
    const V4 t = (m - c) * inv_c; // m − c is exact
    const V4 t2 = t * t;
    const V4 series = pt.c1 * t + t2 * ((pt.c2 + pt.c3 * t) + t2 * (pt.c4 + pt.c5 * t));
    const V4 out = scale * (ck_e + ck_e * series);
    // Below 1e-290 (and zero and subnormals): 0, as |q|^e → 0. Not finite (a diverged solve):
    // |q| itself, so that NaN stays NaN and infinity infinite.
    const I4 tiny = from_bits(xb) < splat(1e-290);
    const I4 finite = from_bits(xb) <= splat(1.7976931348623157e308);
    const V4 powered = from_bits((bits(out) & ~tiny & finite) | (xb & ~finite));
    std::memcpy(result, &powered, sizeof powered);
}

/// Tables of the exponent in use (Hazen-Williams: 0.852), made once.
const FixedPower& hazen_williams_tables() {
    static const FixedPower tables(1.852 - 1.0);
    return tables;
}

} // namespace

// AVX2 where the CPU has it, chosen at load time: the same operations in the same order on four
// lanes (no FMA), so the results are identical to the default clone's.
__attribute__((target_clones("avx2", "default"))) void flow_powers(const double* q, double* out,
                                                                   std::size_t count, double e) {
    const FixedPower& hw = hazen_williams_tables();
    // Another exponent (tests): its tables, made once per thread for the last one asked for.
    thread_local std::optional<FixedPower> other;
    if (e != hw.exponent() && (!other || other->exponent() != e))
        other.emplace(e);
    const FixedPower& pt = e == hw.exponent() ? hw : *other;
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4)
        power4(q + i, out + i, pt);
    if (i < count) { // the last one to three, padded with zeros
        double in[4] = {0, 0, 0, 0}, result[4];
        std::memcpy(in, q + i, (count - i) * sizeof(double));
        power4(in, result, pt);
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
