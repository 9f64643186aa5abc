// Groundwater under subcatchments: SWMM 5.2's two-zone aquifer (Reference Manual Vol. I,
// ch. 5). An unsaturated upper zone of moisture content θ above a saturated lower zone of depth
// d; infiltration from the surface enters the upper zone, percolates to the lower zone, part is
// lost to evapotranspiration from both zones and to deep groundwater, and the lower zone drains
// laterally to a node of the drainage system. SI throughout: m, m/s, m³.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "drainage/math_expression.hpp"

namespace rencheng::drainage {

struct Network;

/// One row of [AQUIFERS], converted to SI.
struct Aquifer {
    std::string id;
    int line = 0;
    double porosity = 0;            ///< φ, volume fraction
    double wilting_point = 0;       ///< θ_wp, moisture below which no evaporation occurs
    double field_capacity = 0;      ///< θ_fc, moisture below which no percolation occurs
    double ksat_ms = 0;             ///< saturated hydraulic conductivity, m/s
    double k_slope = 0;             ///< slope of log K versus moisture deficit
    double tension_slope_m = 0;     ///< slope of soil tension versus moisture content, m
    double upper_evap_fraction = 0; ///< share of potential evaporation the upper zone can use
    double lower_evap_depth_m = 0;  ///< depth into the lower zone that evaporation reaches
    double lower_loss_ms = 0;       ///< deep percolation rate of a full aquifer, m/s
    double bottom_elev_m = 0;
    double water_table_elev_m = 0; ///< initial water table
    double upper_moisture = 0;     ///< initial θ
    int upper_evap_pattern = -1;   ///< monthly pattern of the upper evaporation fraction
};

/// One row of [GROUNDWATER]: a subcatchment over an aquifer draining to a node.
struct SubcatchGroundwater {
    int line = 0;
    int subcatchment = -1;
    int aquifer = -1;
    int node = -1;
    double surface_elev_m = 0;
    /// Lateral outflow per unit area, in the model's own units (cfs/acre or m³/s/ha) with heights
    /// in ft or m: A1·(Hgw − Hcb)^B1 − A2·(Hsw − Hcb)^B2 + A3·Hgw·Hsw.
    double a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0;
    double fixed_surface_depth_m = 0; ///< > 0: fixed water depth at the node
    // optional overrides ('*' or absent: the aquifer's value / the node's invert)
    std::optional<double> threshold_elev_m; ///< Hcb as an elevation
    std::optional<double> bottom_elev_m;
    std::optional<double> water_table_elev_m;
    std::optional<double> upper_moisture;
    /// [GWF] custom flow expressions (SWMM 5.2 User's Manual, Groundwater Flow Editor): LATERAL,
    /// in the units of A1 (cfs/acre or m³/s/ha), is added to the flow above; DEEP, in in/h or
    /// mm/h, replaces the deep loss. Their variables (GroundwaterVariable) are in the model's
    /// units.
    std::optional<MathExpression> lateral_flow, deep_flow;
    double rate_unit_ms = 0; ///< in/h or mm/h in m/s: Ks, K, Fi, Fu and DEEP's result
    double area_unit_m2 = 0; ///< acre or hectare in m²: A
};

/// The variables a [GWF] expression may read (SWMM gwater.c GWVarWords), in this order.
enum class GroundwaterVariable : std::int32_t {
    kHgw,   ///< water table height above the aquifer bottom
    kHsw,   ///< surface water height above the bottom
    kHcb,   ///< channel bottom (threshold) height above the bottom
    kHgs,   ///< ground surface height above the bottom
    kKs,    ///< saturated hydraulic conductivity
    kK,     ///< unsaturated hydraulic conductivity at the upper zone's moisture
    kTheta, ///< upper zone moisture content
    kPhi,   ///< porosity
    kFi,    ///< surface infiltration rate
    kFu,    ///< percolation rate from the upper zone
    kA,     ///< subcatchment area
};

struct GroundwaterInput {
    std::vector<Aquifer> aquifers;
    std::vector<SubcatchGroundwater> groundwater;
    double flow_unit_ms = 0; ///< one unit of the lateral-flow formula (cfs/acre or m³/s/ha) in m/s
    double length_unit_m = 0; ///< ft or m: the unit heights enter the lateral-flow formula in
};

/// Reads [AQUIFERS] and [GROUNDWATER] from their raw rows, converting to SI. Errors name
/// `file`, the line and the object: missing or non-numeric values, porosity ≤ field capacity ≤
/// wilting point ordering broken, unknown subcatchments, aquifers, nodes or patterns, a surface
/// below the water table; and [GWF] custom flow expressions (LATERAL or DEEP), whose text must
/// parse with the variables of GroundwaterVariable.
GroundwaterInput read_groundwater_sections(const Network& net, const std::string& file,
                                           Diagnostics& diags);

/// Flux rates of the two zones, m/s over the subcatchment's whole area.
struct GroundwaterFluxes {
    double infil = 0;       ///< from the surface into the upper zone
    double upper_evap = 0;  ///< evapotranspiration from the upper zone
    double lower_evap = 0;  ///< evapotranspiration from the lower zone
    double percolation = 0; ///< upper to lower zone
    double deep_loss = 0;   ///< lower zone to deep groundwater
    double lateral = 0;     ///< lower zone to the node (negative: from the node)
};

/// The state the node offers the aquifer at a runoff step.
struct GroundwaterNode {
    double invert_m = 0;
    double depth_m = 0;
    double inflow_m3s = 0;
    double volume_m3 = 0;
};

/// Cumulative volumes, m³, for SWMM's groundwater continuity table.
struct GroundwaterTotals {
    double infil_m3 = 0, upper_evap_m3 = 0, lower_evap_m3 = 0, deep_loss_m3 = 0, lateral_m3 = 0;
    double initial_storage_m3 = 0, final_storage_m3 = 0;
};

/// The aquifer under one subcatchment.
class GroundwaterState {
public:
    /// `frac_pervious` is the pervious share of the subcatchment's area (LID pervious area
    /// included), the only surface evaporation and infiltration pass through.
    GroundwaterState(const Aquifer& aquifer, const SubcatchGroundwater& gw, double area_m2,
                     double frac_pervious, double flow_unit_ms, double length_unit_m);

    /// Advances `dt_s` seconds. `infil_m3` is the surface's infiltration over the step (pervious
    /// and LID), `surface_evap_m3` the evaporation already taken from the surface,
    /// `evap_rate_ms` the potential evaporation rate, `month0` the month (0..11) for the
    /// upper-evaporation pattern factor `upper_evap_factor`.
    void step(double dt_s, double infil_m3, double surface_evap_m3, double evap_rate_ms,
              double upper_evap_factor, const GroundwaterNode& node);

    /// The infiltration depth over the pervious area the upper zone can still take (SWMM caps
    /// surface infiltration at this volume per step).
    double max_infil_m() const { return max_infil_m_; }
    double theta() const { return theta_; }
    double lower_depth_m() const { return lower_depth_m_; }
    double water_table_elev_m() const { return bottom_m_ + lower_depth_m_; }
    /// Lateral outflow to the node, m³/s, at the start (old) and end (new) of the last step.
    double old_flow_m3s() const { return old_flow_ms_ * area_m2_; }
    double new_flow_m3s() const { return new_flow_ms_ * area_m2_; }
    double stored_m3() const;
    /// The state a SWMM hot start file keeps (gwater_getState): upper-zone moisture, water
    /// table elevation (m), lateral outflow per unit area at the end of the last step (m/s), the
    /// infiltration depth the upper zone can still take (m).
    [[nodiscard]] std::array<double, 4> state() const {
        return {theta_, water_table_elev_m(), new_flow_ms_, max_infil_m_};
    }
    /// Restores such a state (SWMM gwater_setState: the flow becomes the previous step's; a NaN
    /// infiltration room keeps the one computed) and counts it as the initial storage.
    void set_state(const std::array<double, 4>& x);
    const GroundwaterFluxes& fluxes() const { return f_; }
    const GroundwaterTotals& totals() const { return totals_; }
    int node() const { return node_; }
    int upper_evap_pattern() const { return a_.upper_evap_pattern; }

    /// The fluxes at moisture `theta` and lower depth `lower_depth_m` under the limits of the
    /// current step (exposed for tests).
    GroundwaterFluxes fluxes_at(double theta, double lower_depth_m) const;

private:
    Aquifer a_;
    SubcatchGroundwater g_;
    double area_m2_ = 0, frac_perv_ = 0;
    double flow_unit_ms_ = 0, length_unit_m_ = 0;
    double bottom_m_ = 0, total_depth_m_ = 0;
    int node_ = -1;
    // state
    double theta_ = 0, lower_depth_m_ = 0;
    double old_flow_ms_ = 0, new_flow_ms_ = 0;
    double max_infil_m_ = 0;
    // per-step inputs and limits
    double dt_ = 0, infil_ms_ = 0, max_evap_ = 0, avail_evap_ = 0, upper_frac_ = 0;
    double hstar_m_ = 0, hsw_m_ = 0;
    double max_perc_ = 0, max_flow_pos_ = 0, max_flow_neg_ = 0;
    GroundwaterFluxes f_;
    GroundwaterTotals totals_;
};

} // namespace rencheng::drainage
