// Infiltration into the pervious sub-area of a subcatchment: Horton, modified Horton, Green-Ampt,
// modified Green-Ampt and SCS curve number, with recovery of capacity in dry periods, as the
// SWMM 5.2 Reference Manual Vol. I (Rossman & Huber 2016, ch. 4) defines them. SI throughout.
#pragma once

#include "drainage/network.hpp"

#include <array>

namespace rencheng::drainage {

/// State and stepping of one pervious area's infiltration. `rate_ms` is called once per runoff
/// step; the state carries over between calls.
class InfiltrationState {
public:
    /// No infiltration (an impervious-only or unparameterised subcatchment).
    InfiltrationState() = default;
    explicit InfiltrationState(const Infiltration& params);

    /// Infiltration rate (m/s) over a step of `dt_s` seconds for rainfall `rain_ms` (m/s), run-on
    /// and routed inflow `runon_ms` (m/s) and ponded depth `depth_m` at the step's start. Never
    /// more than the water available, (rain + runon)·dt + depth. Updates the state (cumulative
    /// infiltration, dry-period recovery).
    double rate_ms(double dt_s, double rain_ms, double runon_ms, double depth_m);

    const Infiltration& params() const { return p_; }
    /// Monthly adjustment of the soil's hydraulic conductivity ([ADJUSTMENTS] CONDUCTIVITY or a
    /// subcatchment's INFIL pattern; SWMM infil_setInfilFactor) for the steps that follow:
    /// Horton's f0 and fmin and Green-Ampt's Ks are multiplied by it, Green-Ampt's upper-zone depth
    /// by its square root; the curve number is not adjusted. 1: none.
    void set_conductivity_factor(double f) { factor_ = f; }
    /// The month's soil recovery factor ([EVAPORATION] RECOVERY pattern; SWMM
    /// Evap.recoveryFactor) for the steps that follow: it multiplies the rate at which capacity
    /// recovers in dry weather (Horton's regeneration, Green-Ampt's upper-zone drainage and
    /// divides its time to a new event, the curve number's storage regeneration). 1: none.
    void set_recovery_factor(double r) { recovery_ = r; }

    /// The state a SWMM hot start file keeps of it (infil_getState's six values, SI, zeros
    /// past the model's own): Horton and modified Horton tp (s), Fe (m); Green-Ampt IMD, F (m),
    /// Fu (m), saturated (0/1), T (s, to the next event); curve number S, P, F (m), T (s, dry
    /// time), Se (m), f (m/s, the last rate). All zeros without infiltration.
    [[nodiscard]] std::array<double, 6> state() const;
    /// Restores such a state (SWMM infil_setState); ignored without infiltration.
    void set_state(const std::array<double, 6>& x);

private:
    double horton(double dt, double supply_ms, double depth);
    double modified_horton(double dt, double supply_ms, double depth);
    double green_ampt(double dt, double supply_ms, double depth);
    double green_ampt_unsaturated(double dt, double supply_ms, double depth);
    double green_ampt_saturated(double dt, double supply_ms, double depth);
    double curve_number(double dt, double rain_ms, double depth);

    Infiltration p_;
    bool enabled_ = false;
    double factor_ = 1.0;
    double recovery_ = 1.0;
    // Horton: equivalent time on the decay curve, cumulative infiltration
    double regen_per_s_ = 0;
    double tp_s_ = 0, fe_m_ = 0;
    // Green-Ampt: upper-zone depth Lu, cumulative F and upper-zone Fu, moisture deficit, saturated
    // flag and recovery timer
    double lu_m_ = 0, f_m_ = 0, fu_m_ = 0, imd_ = 0, timer_s_ = 0;
    bool saturated_ = false;
    // Curve number: storage S, Smax, rain P and infiltration F of the event, last rate, dry time
    double s_m_ = 0, smax_m_ = 0, p_m_ = 0, fcn_m_ = 0, last_rate_ms_ = 0, dry_s_ = 0, tmax_s_ = 0,
           se_m_ = 0;
};

/// Green-Ampt cumulative infiltration F2 (m) at the end of a step of `dt_s` s on saturated soil
/// from F1: solves F2 − F1 − c1·ln((F2 + c1)/(F1 + c1)) = Ks·dt with c1 = (ψ + d)·IMD (Newton).
double green_ampt_f2(double f1_m, double c1_m, double ks_ms, double dt_s);

} // namespace rencheng::drainage
