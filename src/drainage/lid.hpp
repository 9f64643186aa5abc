// Low-impact development (LID) controls in subcatchments, as SWMM 5.2 models them (Reference
// Manual Vol. III, Water Quality and LIDs, ch. 5): bio-retention cells, rain gardens, green roofs,
// infiltration trenches, permeable pavement, rain barrels, vegetative swales and rooftop
// disconnection. Each LID unit is a stack of layers (surface, pavement, soil, storage with an
// underdrain, or a green roof's drainage mat) whose water levels follow layer continuity
// equations stepped explicitly over the runoff step (a swale's surface with a modified-Puls
// iteration). LID units take their area out of the subcatchment, treat a share of its
// impervious and pervious runoff, and send surface outflow and underdrain flow to the
// subcatchment's outlet, to another node or subcatchment, or back onto its pervious area.
// SI throughout: m, m², s.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "drainage/infiltration.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {

class SubcatchmentRunoff;
struct RunoffStepVolumes;

/// Parses the raw [LID_CONTROLS] and [LID_USAGE] rows of `net` into net.lid_controls and
/// net.lid_usage (SI). Every problem goes to `diags` with `file`, line and the LID or
/// subcatchment id: unknown keywords, missing or negative numbers, percentages over 100, unknown
/// subcatchments, nodes or LID controls, a process without its required layer, LID areas larger
/// than their subcatchment or treated shares over 100 %.
void read_lid_sections(Network& net, const std::string& file, Diagnostics& diags);

/// The two-letter keyword of a LID type (BC, RG, GR, IT, PP, RB, VS, RD).
const char* lid_type_keyword(LidType t);

/// Flux rates of one LID unit over a step, per unit of its area, m/s.
struct LidUnitRates {
    double evap_ms = 0;  ///< evaporation from all layers
    double infil_ms = 0; ///< into the native soil below
    double drain_ms = 0; ///< underdrain (green roof: drainage mat) outflow
    double surface_outflow_ms = 0;
};

/// Cumulative water balance of one LID unit since the start, m of water over the unit's area
/// (SWMM's LID Performance Summary).
struct LidWaterBalance {
    double inflow_m = 0; ///< rain and treated runoff
    double evap_m = 0;
    double infil_m = 0; ///< into the native soil
    double surface_outflow_m = 0;
    double drain_m = 0;
    double initial_storage_m = 0;
    double final_storage_m = 0;
};

/// One LID unit (all `number` replicates of a [LID_USAGE] row share one state). Water levels:
/// ponded depth on the surface, depth in the pavement, soil moisture content, depth in the
/// storage layer (a green roof's drainage mat; a rain barrel's barrel).
class LidUnit {
public:
    /// `subcatch_infil`: the subcatchment's infiltration parameters; a vegetative swale on a
    /// Green-Ampt subcatchment infiltrates by them (SWMM 5.2).
    LidUnit(const LidControl& control, const LidUsage& usage, const Infiltration* subcatch_infil);

    /// Advances one step of `dt_s` seconds with inflow `inflow_ms` (rain and treated runoff over
    /// the unit's area), potential evaporation `evap_ms`, the native soil's infiltration rate
    /// `native_infil_ms` and the time at the step's start `t_start_s` (for pavement clogging
    /// regeneration).
    /// `max_native_infil_ms` caps the storage layer's exfiltration (the room left in an aquifer
    /// below, SWMM's MaxNativeInfil; none by default).
    LidUnitRates step(double dt_s, double inflow_ms, double evap_ms, double native_infil_ms,
                      double t_start_s, double max_native_infil_ms = 1e10);

    /// Water held in the unit per unit area, m (surface, pavement, soil and storage).
    double stored_depth_m() const { return stored_m_; }
    /// True when the last step had inflow, outflow or evaporation (SWMM's "wet LID").
    bool wet() const { return wet_; }
    const LidWaterBalance& balance() const { return balance_; }

    double surface_depth_m() const { return surface_m_; }
    double pavement_depth_m() const { return pavement_m_; }
    double soil_moisture() const { return soil_theta_; }
    double storage_depth_m() const { return storage_m_; }
    /// Time since rainfall last fell on the subcatchment, s (a rain barrel's drain delay).
    double& dry_time_s() { return dry_time_s_; }
    /// Drain flow (m³/s) of the last step and of the one before: the drain opens and closes on
    /// head thresholds that depend on whether it was flowing.
    double old_drain_m3s = 0, new_drain_m3s = 0;

    const LidControl& control() const { return c_; }
    const LidUsage& usage() const { return u_; }
    double area_m2() const { return area_m2_; }
    /// Pervious LIDs infiltrate into the native soil (SWMM isLidPervious).
    bool pervious() const;

private:
    // layer indices of the state vector
    static constexpr int kSurf = 0, kSoil = 1, kStor = 2, kPave = 3, kLayers = 4;
    struct Work; // the step's fluxes and volumes

    void rates(Work& w, const double x[kLayers], double f[kLayers]) const;
    void biocell_rates(Work& w, const double x[], double f[]) const;
    void green_roof_rates(Work& w, const double x[], double f[]) const;
    void trench_rates(Work& w, const double x[], double f[]) const;
    void pavement_rates(Work& w, const double x[], double f[]) const;
    void swale_rates(Work& w, const double x[], double f[]) const;
    void barrel_rates(Work& w, const double x[], double f[]) const;
    void rooftop_rates(Work& w, const double x[], double f[]) const;
    double surface_outflow_ms(const Work& w, double depth) const;
    double soil_percolation_ms(double theta) const;
    double storage_exfiltration_ms(const Work& w) const;
    double drain_rate_ms(double storage, double theta, double pave, double surface) const;
    double drain_mat_outflow_ms(const Work& w, double depth) const;
    double pavement_permeability_ms(double t_start_s);
    void evaporation(Work& w, double surface_vol, double pave_vol, double soil_vol,
                     double storage_vol, double perv_frac) const;

    LidControl c_; ///< with SWMM's derived values (alphas, clog capacities, defaults)
    LidUsage u_;
    double area_m2_ = 0; ///< one unit's area
    double surface_alpha_ = 0, mat_alpha_ = 0;
    bool can_overflow_ = true;
    bool soil_green_ampt_ = false;
    InfiltrationState soil_infil_;
    // state
    double surface_m_ = 0, pavement_m_ = 0, soil_theta_ = 0, storage_m_ = 0;
    double old_flux_[kLayers] = {0, 0, 0, 0};
    double dry_time_s_ = 0;
    double vol_treated_m_ = 0; ///< inflow depth since the pavement last regenerated
    double inflow_total_m_ = 0;
    double next_regen_day_ = 0;
    double stored_m_ = 0;
    bool wet_ = false;
    LidWaterBalance balance_;
};

/// Water volumes of a subcatchment's LID units over one step, m³.
struct LidStepVolumes {
    double rain_m3 = 0;        ///< rain onto the LID area
    double treated_m3 = 0;     ///< runoff of the non-LID area captured by the units
    double surface_out_m3 = 0; ///< surface outflow leaving with the subcatchment's runoff
    double evap_m3 = 0;
    double infil_m3 = 0;
    double drain_to_node_m3 = 0; ///< underdrain flow sent to drainage system nodes
};

/// The LID units of one subcatchment (SWMM's LID group).
class LidGroup {
public:
    LidGroup() = default;
    /// Units of subcatchment `subcatch` from net.lid_usage (none: an empty group).
    LidGroup(const Network& net, int subcatch);

    bool empty() const { return units_.empty(); }
    /// Area taken by the units, m² (the subcatchment's whole area when within 0.1 % of it).
    double lid_area_m2() const { return lid_area_m2_; }
    /// Area of the units that infiltrate, m².
    double pervious_area_m2() const { return perv_area_m2_; }

    /// Starts a runoff step: the last step's drain flows become the old ones.
    void begin_step();
    /// Advances the units over the step the non-LID `surface` has just made (`surface_v` its
    /// volumes). `rain_ms`: rainfall; `evap_ms`: potential evaporation; `runon_m3s`: run-on into
    /// the subcatchment (the units get it only when they cover it all); `native` the
    /// subcatchment's infiltration (stepped here when it has no non-LID pervious area).
    LidStepVolumes step(double dt_s, double rain_ms, double evap_ms, double runon_m3s,
                        const SubcatchmentRunoff& surface, const RunoffStepVolumes& surface_v,
                        InfiltrationState& native, double t_start_s);

    /// Caps the units' exfiltration into the native soil over the next step (m/s): the room left
    /// in the upper zone of an aquifer under the subcatchment.
    void set_max_native_infil_ms(double rate) { max_native_infil_ms_ = rate; }
    /// Outflow returned onto the subcatchment's pervious area by the last step, m³/s.
    double flow_to_pervious_m3s() const { return flow_to_perv_m3s_; }
    /// Total underdrain flow of the last (current) or the step before (previous), m³/s.
    double drain_m3s(bool current) const { return current ? new_drain_m3s_ : old_drain_m3s_; }
    /// Water held in the units, m³.
    double stored_m3() const;
    bool wet() const;
    const std::vector<LidUnit>& units() const { return units_; }

private:
    std::vector<LidUnit> units_; ///< in SWMM's evaluation order (last [LID_USAGE] row first)
    double area_m2_ = 0;         ///< the subcatchment's area
    double imperv_fraction_ = 0;
    NodeIndex outlet_node_;
    SubcatchIndex outlet_subcatch_;
    double lid_area_m2_ = 0, perv_area_m2_ = 0;
    double flow_to_perv_m3s_ = 0, old_drain_m3s_ = 0, new_drain_m3s_ = 0;
    double max_native_infil_ms_ = 1e10;
};

} // namespace rencheng::drainage
