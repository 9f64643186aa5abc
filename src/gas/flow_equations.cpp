// Flow equations of gas pipes and resistors (docs/gas.md "Flow equations").
#include "gas/flow_equations.hpp"

#include <cmath>
#include <numbers>

#include "core/error.hpp"

namespace rencheng::gas {

namespace {
constexpr double kColebrookFromReynolds = 200.0;
constexpr double kGravity = 9.80665;
} // namespace

namespace {

/// Colebrook–White λ(Re) and dλ/dRe. In x = 1/√λ: F(x) = x + 2 log10(a + b x / Re) = 0,
/// a = ε/(3.7 D), b = 2.51. F is increasing and concave in x, so Newton from the Swamee–Jain
/// start converges monotonically; 50 steps are far more than the 4–6 it needs.
double colebrook(double reynolds, double roughness_m, double diameter_m, double& dlambda_dre) {
    const double a = roughness_m / (3.7 * diameter_m);
    const double b = 2.51;
    const double ln10 = std::numbers::ln10;
    const double sj = 0.25 / std::pow(std::log10(a + 5.74 / std::pow(reynolds, 0.9)), 2);
    double x = 1.0 / std::sqrt(sj);
    for (int it = 0; it < 50; ++it) {
        const double arg = a + b * x / reynolds;
        const double f = x + 2.0 * std::log10(arg);
        const double df = 1.0 + 2.0 / ln10 * (b / reynolds) / arg;
        const double step = f / df;
        x -= step;
        if (std::abs(step) <= 1e-15 * std::abs(x))
            break;
    }
    const double arg = a + b * x / reynolds;
    const double f_x = 1.0 + 2.0 / ln10 * (b / reynolds) / arg;
    const double f_re = 2.0 / ln10 * (-b * x / (reynolds * reynolds)) / arg;
    dlambda_dre = -2.0 / (x * x * x) * (-f_re / f_x);
    return 1.0 / (x * x);
}

} // namespace

double friction_factor(double reynolds, double roughness_m, double diameter_m,
                       double* dlambda_dre) {
    // λ = max(64/Re, Colebrook): continuous in Re (Newton on a mesh with many pipes near the
    // laminar limit cycles on a jump at Re = 2000). Colebrook is only evaluated from
    // Re = 200 on: below that 64/Re (> 0.32) is the larger for any practical roughness.
    double d_cb = 0;
    const double lam = 64.0 / reynolds;
    const double cb = reynolds >= kColebrookFromReynolds
                          ? colebrook(reynolds, roughness_m, diameter_m, d_cb)
                          : 0.0;
    if (lam >= cb) {
        if (dlambda_dre)
            *dlambda_dre = -64.0 / (reynolds * reynolds);
        return lam;
    }
    if (dlambda_dre)
        *dlambda_dre = d_cb;
    return cb;
}

double reynolds_number(double flow_m3s, double diameter_m, const GasProperties& gas) {
    return 4.0 * gas.normal_density_kgm3 * std::abs(flow_m3s) /
           (std::numbers::pi * diameter_m * gas.dynamic_viscosity_pas);
}

EmpiricalEquation empirical_equation(FlowEquation equation) {
    // Menon (2005) eqs. 2.66 (Weymouth), 2.59 (Panhandle A), 2.62 (Panhandle B), SI-metric
    // form: Q [m³/d] = C·E·(Tb/Pb[kPa])^a·((P1² − P2²)[kPa²]/(G^g·Tf·L[km]·Z))^m·D[mm]^b.
    // To q [m³/s], p [Pa], L [m], D [m]: Tb/Pb[kPa] = 1000·Tb/pb, P²[kPa²]/L[km] =
    // p²/L / 1000, D[mm] = 1000·D, so C_SI = C·1000^(a − m + b) / 86400.
    double c = 0, a = 1, g = 1, m = 0.5, b = 2.5;
    switch (equation) {
    case FlowEquation::kWeymouth:
        c = 3.7435e-3, a = 1.0, g = 1.0, m = 0.5, b = 2.667;
        break;
    case FlowEquation::kPanhandleA:
        c = 4.5965e-3, a = 1.0788, g = 0.8539, m = 0.5394, b = 2.6182;
        break;
    case FlowEquation::kPanhandleB:
        c = 1.002e-2, a = 1.02, g = 0.961, m = 0.51, b = 2.53;
        break;
    case FlowEquation::kGeneral:
        throw Error(ErrorCode::kInternal, "general equation has no C");
    }
    return {c * std::pow(1000.0, a - m + b) / 86400.0, a, g, m, b};
}

LossLaw make_loss_law(const Network& net, std::int32_t k) {
    const auto ku = static_cast<std::size_t>(k);
    const GasProperties& gas = net.gas;
    LossLaw law;
    law.kind = net.connection_kind[ku];
    const double d = net.diameter_m[ku];
    const std::string& id = net.connection_id[ku];
    if (!(d > 0))
        throw Error(ErrorCode::kOutOfRange, "gas connection '" + id + "': diameter must be > 0");
    const double area = std::numbers::pi * d * d / 4.0;
    const double rs = gas.specific_gas_constant();
    const double rho_n = gas.normal_density_kgm3;
    law.diameter_m = d;
    law.roughness_m = net.roughness_m[ku];
    law.reynolds_per_flow = reynolds_number(1.0, d, gas);
    if (law.kind == ConnectionKind::kResistor) {
        // Δp = ζ ρ v|v|/2 with ρ at the mean pressure p_m = (p1 + p2)/2 and ρ v A = ṁ = ρ_n q:
        // Δp = ζ ṁ|ṁ| Z R_s T / (2 p_m A²), so p1² − p2² = 2 p_m Δp = ζ Z R_s T ρ_n² q|q| / A².
        law.potential = Potential::kSquared;
        law.exponent = 2.0;
        law.coefficient = net.drag_factor[ku] * gas.compressibility * rs * gas.temperature_k *
                          rho_n * rho_n / (area * area);
        return law;
    }
    const double length = net.length_m[ku];
    if (!(length > 0))
        throw Error(ErrorCode::kOutOfRange, "gas pipe '" + id + "': length must be > 0");
    const double pi2 = std::numbers::pi * std::numbers::pi;
    if (net.pressure_class[ku] == PressureClass::kLow) {
        // GB 50028-2006 eq. 6.2.5-1 in SI: Δp = 8 λ ρ_n (T/T0) L q|q| / (π² D⁵), which is the
        // code's 6.26e7·λ·Q²/d⁵·ρ·T/T0 (Q m³/h, d mm) with 8/π²·1e15/3600² = 6.254e7.
        law.potential = Potential::kLinear;
        law.low_pressure = true;
        law.exponent = 2.0;
        law.coefficient = 8.0 * rho_n * (gas.temperature_k / kNormalTemperatureK) * length /
                          (pi2 * std::pow(d, 5));
        // GB 50028 §6.2.5 additional head: gas lighter than air gains g (ρ_air − ρ_gas) Δz.
        const double dz =
            net.elevation_m[net.to_node[ku].idx()] - net.elevation_m[net.from_node[ku].idx()];
        law.elevation_gain_pa = kGravity * (gas.air_normal_density_kgm3 - rho_n) * dz;
        return law;
    }
    law.potential = Potential::kSquared;
    law.equation = net.flow_equation;
    if (law.equation == FlowEquation::kGeneral) {
        // Isothermal steady flow, kinetic and elevation terms neglected (Menon 2005 eq. 2.30
        // in SI): p1² − p2² = 16 λ Z R_s T L ṁ|ṁ| / (π² D⁵), ṁ = ρ_n q.
        law.exponent = 2.0;
        law.coefficient = 16.0 * gas.compressibility * rs * gas.temperature_k * length * rho_n *
                          rho_n / (pi2 * std::pow(d, 5));
        return law;
    }
    // q = K Δπ^m  ⇔  Δπ = K^(−1/m) q^(1/m).
    const EmpiricalEquation e = empirical_equation(law.equation);
    const double k_flow = e.constant_si * gas.pipeline_efficiency *
                          std::pow(kNormalTemperatureK / kNormalPressurePa, e.base_exponent) *
                          std::pow(d, e.diameter_exponent) /
                          std::pow(std::pow(gas.relative_density(), e.gravity_exponent) *
                                       gas.temperature_k * length * gas.compressibility,
                                   e.flow_exponent);
    law.exponent = 1.0 / e.flow_exponent;
    law.coefficient = std::pow(k_flow, -law.exponent);
    return law;
}

double LossLaw::head(double q, double& derivative) const {
    const double aq = std::abs(q);
    const double sign = q < 0 ? -1.0 : 1.0;
    const bool friction =
        kind == ConnectionKind::kPipe && (low_pressure || equation == FlowEquation::kGeneral);
    if (!friction) {
        const double h = coefficient * std::pow(aq, exponent);
        derivative = coefficient * exponent * std::pow(aq, exponent - 1.0);
        return sign * h;
    }
    if (aq == 0.0) {
        // Laminar limit λ = 64/Re: h = coefficient·64/(Re/|q|)·q is linear through zero.
        derivative = coefficient * 64.0 / reynolds_per_flow;
        return 0.0;
    }
    const double re = reynolds_per_flow * aq;
    double dlambda_dre = 0;
    const double lambda = friction_factor(re, roughness_m, diameter_m, &dlambda_dre);
    // h = c λ(Re) q|q|: dh/dq = c (2 λ |q| + q² dλ/dRe · Re/|q|).
    derivative = coefficient * (2.0 * lambda * aq + aq * aq * dlambda_dre * reynolds_per_flow);
    return sign * coefficient * lambda * aq * aq;
}

} // namespace rencheng::gas
