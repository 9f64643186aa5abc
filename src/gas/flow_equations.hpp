// Flow equations of gas pipes and resistors: the loss law Δφ = h(q) of one element with its
// derivative, for squared-pressure (φ = p²) and pressure (φ = p) potentials; Colebrook friction.
#pragma once

#include "gas/network.hpp"

namespace rencheng::gas {

/// Which potential an element's loss law is written in: kSquared φ = p² (Pa²) for the high,
/// sub-high and medium classes and resistors; kLinear φ = p (Pa) for the GB 50028 low-pressure
/// form.
enum class Potential : std::uint8_t { kSquared, kLinear };

/// Darcy friction factor λ of a pipe: the larger of the laminar 64/Re and Colebrook–White,
/// 1/√λ = −2 log10(ε/(3.7 D) + 2.51/(Re √λ)) (solved by Newton to machine precision), which is
/// continuous in Re; laminar below Re = 200 in any case. Also returns dλ/dRe (exact, by
/// implicit differentiation) in `dlambda_dre` when not null.
/// Preconditions: reynolds > 0, diameter_m > 0, roughness_m >= 0.
double friction_factor(double reynolds, double roughness_m, double diameter_m,
                       double* dlambda_dre = nullptr);

/// Reynolds number of a normal volumetric flow q (m³/s at 0 °C, 101.325 kPa) in a pipe of
/// diameter D: Re = 4 ρ_n |q| / (π D μ) (mass flow is the same at any pressure).
double reynolds_number(double flow_m3s, double diameter_m, const GasProperties& gas);

/// The loss law of one element, Δφ = φ_from − φ_to = h(q) (+ an elevation offset for kLinear),
/// with h odd and increasing in q.
struct LossLaw {
    Potential potential = Potential::kSquared;
    ConnectionKind kind = ConnectionKind::kPipe;
    FlowEquation equation = FlowEquation::kGeneral;
    bool low_pressure = false; ///< GB 50028 low-pressure form (kLinear)
    /// Coefficient: kWeymouth/kPanhandle: Δπ = coefficient · |q|^exponent · sign(q);
    /// kGeneral / low pressure / resistor: Δφ = coefficient · λ · q|q| (λ = 1 for resistors).
    double coefficient = 0;
    double exponent = 2;
    double diameter_m = 0, roughness_m = 0;
    double reynolds_per_flow = 0; ///< Re / |q|
    /// kLinear only: the GB 50028 elevation term g (ρ_air − ρ_gas)(z_to − z_from) in Pa, which is
    /// subtracted: p_from − p_to = h(q) − elevation_gain_pa.
    double elevation_gain_pa = 0;

    /// h(q) in Pa² or Pa, and dh/dq in `derivative` (> 0 except at q = 0 for laws with
    /// exponent > 1, where it is 0).
    double head(double flow_m3s, double& derivative) const;
};

/// The loss law of connection `k` (a pipe or a resistor) of `net`. Throws Error(kOutOfRange) when
/// the element's data make no law (length or diameter not positive).
LossLaw make_loss_law(const Network& net, std::int32_t k);

/// Leading constant of the SI form q = C·E·(T_b/p_b)^a·(Δπ/(G^g·T·L·Z))^m·D^b of Weymouth and
/// Panhandle A/B (q m³/s, p Pa, L m, D m), converted from Menon (2005) customary units (Q m³/d,
/// P kPa, L km, D mm) and the exponents a, g, m, b. Not defined for kGeneral.
struct EmpiricalEquation {
    double constant_si = 0, base_exponent = 1, gravity_exponent = 1, flow_exponent = 0.5,
           diameter_exponent = 2.5;
};
EmpiricalEquation empirical_equation(FlowEquation equation);

} // namespace rencheng::gas
