// Link head-loss laws of EPANET 2.2 in SI (see head_loss.hpp for the constants' origin).
#include "water/head_loss.hpp"

#include <cmath>

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
