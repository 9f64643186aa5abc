// A whole drainage simulation the way SWMM 5.2 runs one: rain gages from time series, runoff at
// the wet/dry step, flow routing at the routing step, point results at report times, and the
// runoff and flow-routing continuity errors as SWMM's report defines them.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drainage/groundwater.hpp"
#include "drainage/inlet.hpp"
#include "drainage/network.hpp"
#include "drainage/quality.hpp"
#include "drainage/quality_routing.hpp"

namespace rencheng::drainage {

struct SimulationOptions {
    /// Overrides the file's FLOW_ROUTING (kKinwave or kDynwave).
    std::optional<FlowRouting> routing;
    /// Folder that relative FILE names of the model (rain files) are resolved against; normally
    /// the folder of the .inp file.
    std::filesystem::path base_dir;
    /// Holds the routing state while the system is at rest instead of routing it (docs/drainage.md
    /// "Holding a system at rest"): no rain now or ahead, lateral inflows steady within
    /// LAT_FLOW_TOL, no node flooded or ponded and no node depth changed by more than
    /// HEAD_TOLERANCE over `rest_window_s`. A held step routes nothing; it ends when an inflow
    /// changes, rain comes, a pump or rule would act, or after `max_hold_s`, when the system is
    /// routed for another window and checked again. Off by default (SWMM routes every step).
    bool hold_at_rest = false;
    double rest_window_s = 300;
    double max_hold_s = 3600;
    /// SWMM's report statistics (SimulationSummary::node_stats and link_stats; docs/drainage.md
    /// "Report statistics"). Off, a dynamic-wave run saves about 3 % of its time and keeps the
    /// peaks, flood volumes and balances alone (the stress test's storms).
    bool report_statistics = true;
    /// The report series hold the times and the node depths only (the other series stay empty):
    /// a long run of a large model kept for its depths needs a fifth of the memory.
    bool depth_series_only = false;
    /// Start from this SWMM hot start file, in place of the model's `[FILES] USE HOTSTART` if it
    /// has one (a forecast run picking up the state a monitoring run left); empty: as the model
    /// says. Not relative to base_dir: as given.
    std::filesystem::path use_hot_start;
    /// Save the end state to this hot start file, in place of the model's `[FILES] SAVE
    /// HOTSTART`; empty: as the model says.
    std::filesystem::path save_hot_start;
};

/// Results at each report time, element-major within a time: value of element i at report k is
/// `v[k * count + i]`. Node values are SWMM's point values interpolated between routing steps.
struct ReportSeries {
    std::vector<std::int64_t> time_s;
    std::vector<double> node_depth_m;
    std::vector<double> node_flood_m3s;
    std::vector<double> node_inflow_m3s;
    std::vector<double> node_volume_m3;   ///< stored (ponded included)
    std::vector<double> node_lateral_m3s; ///< lateral inflow
    std::vector<double> link_flow_m3s;
    std::vector<double> link_depth_m;     ///< conduits: mid depth; regulators: their own depth
    std::vector<double> link_velocity_ms; ///< conduits (signed as the flow), 0 for other links
    std::vector<double> link_volume_m3;
    /// Conduits: area at the depth over the full area; other links: their setting.
    std::vector<double> link_capacity;
    std::vector<double> subcatch_runoff_m3s;
    /// Rainfall intensity of the subcatchment's gage as SWMM reports it (gage_setReportRainfall:
    /// the gage's intervals as of the last runoff step), m/s.
    std::vector<double> subcatch_rain_ms;
    std::vector<double> subcatch_evap_ms;  ///< evaporation loss rate over the subcatchment
    std::vector<double> subcatch_infil_ms; ///< infiltration loss rate over the subcatchment
    /// Where the subcatchment has an aquifer (0 elsewhere): its lateral outflow, water table
    /// elevation and upper-zone moisture.
    std::vector<double> subcatch_gw_flow_m3s;
    std::vector<double> subcatch_gw_elevation_m;
    std::vector<double> subcatch_soil_moisture;
    /// Snow depth (water equivalent) over the subcatchment, m; 0 without a snow pack.
    std::vector<double> subcatch_snow_depth_m;
    /// With water quality (SimulationSummary::has_quality): the washoff concentration of each
    /// pollutant, in its units per litre (mg/L, µg/L, counts/L), subcatchment-major: value of
    /// subcatchment i, pollutant p at report k is `v[(k * count + i) * pollutants + p]`.
    std::vector<double> subcatch_washoff;
    /// With the pollutants routed (SimulationSummary::has_quality_routing): the concentration of
    /// each pollutant in each node and link (pollutant units per litre), `v[(k * count + i) *
    /// pollutants + p]` as subcatch_washoff.
    std::vector<double> node_quality;
    std::vector<double> link_quality;
};

/// Volume totals of the runoff and flow-routing balances, m³ (SWMM massbal.c).
struct RunoffTotals {
    double rain_m3 = 0, evap_m3 = 0, infil_m3 = 0, runoff_m3 = 0;
    double initial_storage_m3 = 0, final_storage_m3 = 0;
    double drains_m3 = 0; ///< LID underdrain flow sent to nodes
    double runon_m3 = 0;  ///< outfall discharge returned onto subcatchments (an inflow)
    /// Snow packs (drainage/snow.hpp): snow and free water held at the start and the end, and
    /// snow plowed out of the watershed.
    double initial_snow_m3 = 0, final_snow_m3 = 0, snow_removed_m3 = 0;
};
struct RoutingTotals {
    double dry_weather_m3 = 0, wet_weather_m3 = 0, external_m3 = 0;
    double flooding_m3 = 0, outflow_m3 = 0;
    double losses_m3 = 0; ///< evaporation and seepage from storage units
    double initial_storage_m3 = 0, final_storage_m3 = 0;
    double groundwater_m3 = 0; ///< lateral groundwater inflow (negative: into the aquifers)
    double rdii_m3 = 0;        ///< rainfall-dependent infiltration and inflow ([RDII])
};

/// SWMM's Rainfall Dependent I/I summary, m³.
struct RdiiTotals {
    double sewershed_rain_m3 = 0; ///< rain on the [RDII] nodes' sewershed areas
    double produced_m3 = 0;       ///< RDII produced, on SWMM's RDII step
};

/// SWMM's LID Performance Summary line of one [LID_USAGE] row: depths over the unit's area, m.
struct LidPerformance {
    std::int32_t subcatchment = -1;
    std::int32_t control = -1; ///< index into Network::lid_controls
    double inflow_m = 0, evap_m = 0, infil_m = 0, surface_outflow_m = 0, drain_m = 0;
    double initial_storage_m = 0, final_storage_m = 0;
};

/// SWMM's Subcatchment Runoff Summary of one subcatchment: volumes over the whole run, m³, and
/// the peak runoff (to its outlet, LID drains included), m³/s.
struct SubcatchStatistics {
    double precip_m3 = 0, runon_m3 = 0, evap_m3 = 0, infil_m3 = 0;
    double impervious_runoff_m3 = 0, pervious_runoff_m3 = 0;
    double runoff_m3 = 0; ///< what left the subcatchment, LID drains included
    double max_runoff_m3s = 0;
    /// SWMM's Groundwater Summary, where the subcatchment has an aquifer: the aquifer's totals
    /// (m³), its lateral outflow largest in magnitude (signed, m³/s), the time integrals of the
    /// upper zone's moisture and of the water table elevation (over runoff steps, s and m·s),
    /// and their final values.
    bool has_groundwater = false;
    double gw_infil_m3 = 0, gw_evap_m3 = 0, gw_deep_m3 = 0, gw_lateral_m3 = 0;
    double gw_max_lateral_m3s = 0;
    double gw_theta_s = 0, gw_table_m_s = 0, gw_time_s = 0;
    double gw_final_theta = 0, gw_final_table_m = 0;
};

/// SWMM's report statistics of a node (its Node Depth, Node Inflow, Node Surcharge, Node Flooding
/// and Storage Volume summaries; SWMM 5.2 stats.c), taken at the end of every routing step from
/// the report start unless said otherwise. Times are seconds from the start of the simulation.
struct NodeStatistics {
    // updated at every step: first, in one cache line
    /// Total inflow volume over the whole run, the initial stored volume included (SWMM's
    /// NodeInflow, from the start of the run, not of the report).
    double inflow_m3 = 0;
    /// Total outflow volume likewise, the final stored volume included (SWMM's NodeOutflow:
    /// what leaves by links, and overflow that is not ponded; an outfall's or a terminal node's
    /// inflow). inflow_m3 − outflow_m3 is the node's flow balance error.
    double outflow_m3 = 0;
    double depth_sum_m = 0;            ///< Σ end-of-step depths (the mean is this / report_steps)
    double lateral_inflow_m3 = 0;      ///< lateral inflow volume (trapezoidal over each step)
    double max_lateral_inflow_m3s = 0; ///< the lateral inflow largest in magnitude, signed
    double max_inflow_m3s = 0;         ///< largest total inflow
    double max_overflow_m3s = 0;
    double max_depth_time_s = 0;
    double max_inflow_time_s = 0;
    double max_overflow_time_s = 0;
    double flooded_s = 0;     ///< time the node overflowed or stood above its full volume
    double max_ponded_m3 = 0; ///< largest volume above full, where the node can pond
    double surcharged_s = 0;  ///< dynamic wave: time the head stood at or above the top crown
    double volume_sum_m3 = 0; ///< storage units: Σ end-of-step volumes
    double max_volume_m3 = 0; ///< storage units: largest volume, capped at full
    double max_volume_time_s = 0;
    double max_outflow_m3s = 0;     ///< storage units: largest outflow
    std::int64_t outflow_steps = 0; ///< outfalls: steps discharging at least 0.001 cfs
    double outflow_sum_m3s = 0;     ///< outfalls: Σ of those discharges
    double max_outflow_rate_m3s = 0;
    std::int64_t critical_steps = 0; ///< variable steps this node's Courant limit set
    double full_depth_m = 0;         ///< the node's full depth (rim), as routed
    double crown_depth_m = 0;        ///< the highest connected crown above the invert
    double full_volume_m3 = 0;
};

/// SWMM's report statistics of a link (Link Flow, Conduit Surcharge and Pumping summaries).
struct LinkStatistics {
    // what every step of a conduit reads or writes: first, in one cache line
    double max_depth_m = 0;       ///< conduits: the mid depth, capped at full
    double max_velocity_ms = 0;   ///< conduits: |flow| per barrel over the area at the mid depth
    double full_flow_m3s = 0;     ///< conduits: normal flow when full, all barrels
    double above_full_flow_s = 0; ///< |flow| at or above the full normal flow (all barrels)
    double both_ends_full_s = 0, upstream_full_s = 0, downstream_full_s = 0;
    double capacity_limited_s = 0; ///< full upstream with the HGL steeper than the conduit
    double max_flow_time_s = 0;
    /// Steps whose flow change (over 0.001 cfs) reversed the last one's sign (SWMM's flow turns;
    /// the flow instability index is 100 of them per 2/3 of the report steps less two).
    std::int64_t flow_turns = 0;
    int flow_turn_sign = 0;
    std::int64_t critical_steps = 0; ///< variable steps this conduit's Courant limit set
    /// Dynamic wave, conduits: time in each flow class (FlowClass order: dry, upstream dry,
    /// downstream dry, subcritical, supercritical, upstream critical, downstream critical),
    /// time limited to normal flow, time under culvert inlet control (SWMM's Flow
    /// Classification Summary).
    std::array<double, 7> flow_class_s{};
    double normal_flow_s = 0, inlet_control_s = 0;
    double length_ratio = 1; ///< conduits: the Courant-lengthened over the actual length
    /// Street conduits: the flow's spread on one side at the peak depth, capped at the street's
    /// width (SWMM's Street Flow Summary: top width over the sides).
    double max_spread_m = 0;
    double full_depth_m = 0;        ///< conduits
    double pump_on_s = 0;           ///< pumps: time passing at least 0.001 cfs
    std::int64_t pump_startups = 0; ///< pumps: steps starting from below 0.001 cfs
    std::int64_t pump_on_steps = 0;
    double pump_min_flow_m3s = 0, pump_flow_sum_m3s = 0, pump_volume_m3 = 0;
    double pump_energy_kwh = 0; ///< ρ·g·|Δhead|·|flow| over the time on (SWMM link_getPower)
    /// Pumps: time on while below the curve's range (type 4 only) and above it or, for types
    /// 1, 2, 3 and 5, off it either way (SWMM's Pumping Summary's % Time Off Pump Curve).
    double pump_off_low_s = 0, pump_off_high_s = 0;
};

/// SWMM's flow instability index of a link: 100 flow turns per two thirds of the report steps
/// less two (0 over two steps or fewer).
inline double flow_instability_index(const LinkStatistics& st, std::int64_t report_steps) {
    return report_steps > 2 ? static_cast<double>(st.flow_turns) * 100.0 /
                                  (2.0 / 3.0 * (static_cast<double>(report_steps) - 2.0))
                            : 0.0;
}

/// The share of `steps` routing steps that `count` of them make, %.
inline double percent_of_steps(std::int64_t count, std::int64_t steps) {
    return steps > 0 ? 100.0 * static_cast<double>(count) / static_cast<double>(steps) : 0.0;
}

struct SimulationSummary {
    bool has_runoff = false; ///< the model has subcatchments whose runoff is computed
    /// The runoff was read from a `[FILES] USE RUNOFF` interface file, not computed (no runoff
    /// continuity then, as SWMM reports none).
    bool runoff_from_file = false;
    bool has_routing = false;            ///< flow routing ran (nodes exist and routing not ignored)
    std::vector<double> max_depth_m;     ///< per node, over all routing steps
    std::vector<double> flood_volume_m3; ///< per node
    std::vector<double> max_flow_m3s;    ///< per link, max |flow| over all routing steps
    /// Per node and per link, for routed runs with SimulationOptions::report_statistics (empty
    /// otherwise).
    std::vector<SubcatchStatistics> subcatch_stats; ///< per subcatchment, where computed
    std::vector<NodeStatistics> node_stats;
    std::vector<LinkStatistics> link_stats;
    bool dynamic_wave = false;     ///< the flow was routed by the dynamic wave
    std::int64_t report_steps = 0; ///< routing steps from the report start (SWMM ReportStepCount)
    double report_span_s = 0;      ///< their total length (SWMM RoutingTimeSpan)
    RunoffTotals runoff;
    RoutingTotals routing;
    double runoff_continuity_error_pct = 0;
    double flow_routing_continuity_error_pct = 0;
    std::int64_t routing_steps = 0;
    std::int64_t runoff_steps = 0;
    std::int64_t held_steps = 0; ///< routing steps held at rest (SimulationOptions::hold_at_rest)
    double mean_trials = 0;      ///< Picard trials per dynamic-wave step
    /// SWMM's Routing Time Step Summary: the shortest step (the first one left out), the longest,
    /// and the routed steps whose Picard trials did not converge.
    double min_step_s = 0, max_step_s = 0, mean_step_s = 0;
    std::int64_t nonconverged_steps = 0;
    std::vector<LidPerformance> lid; ///< per [LID_USAGE] row, by subcatchment then file order
    /// Per [INLET_USAGE] row, for routed runs with report statistics (SWMM's Street Flow
    /// Summary).
    std::vector<InletStatistics> inlet_stats;
    bool has_groundwater = false; ///< some subcatchment has an aquifer ([GROUNDWATER])
    /// Per subcatchment, 1 where it has an aquifer (empty when none has).
    std::vector<std::uint8_t> subcatch_has_aquifer;
    GroundwaterTotals groundwater; ///< SWMM's groundwater continuity, all aquifers
    double groundwater_continuity_error_pct = 0;
    bool has_rdii = false; ///< some node takes RDII inflow ([RDII], not ignored)
    bool has_snow = false; ///< snow packs are simulated ([SNOWPACKS], IGNORE_SNOWMELT NO)
    RdiiTotals rdii;
    /// Pollutant buildup and washoff on subcatchments were simulated (drainage/quality.hpp):
    /// the pollutants, SWMM's Runoff Quality Continuity per pollutant (kg; counts for #/L) and
    /// the washoff of each subcatchment, kg, `subcatch_washoff_kg[i * pollutants + p]`.
    bool has_quality = false;
    std::vector<Pollutant> pollutants;
    std::vector<QualityTotals> quality;
    std::vector<double> subcatch_washoff_kg;
    /// The pollutants were routed through the drainage network (drainage/quality_routing.hpp):
    /// SWMM's Quality Routing Continuity per pollutant (kg; counts for #/L) and each outfall's
    /// load, kg, `outfall_load_kg[outfall * pollutants + p]` (outfalls in [OUTFALLS] order).
    bool has_quality_routing = false;
    std::vector<RoutingQualityTotals> routing_quality;
    std::vector<double> outfall_load_kg;
    /// What the model holds that the run did not simulate (water quality), for the user to see;
    /// English, then Chinese.
    std::vector<std::string> not_simulated;
};

struct SimulationResult {
    ReportSeries series;
    SimulationSummary summary;
};

/// A run advanced step by step: the caller routes it to a time, reads the report series so far
/// and may take power from its pumps between advances (the stress test's coupling, docs/scenario.md
/// "Rainstorm"). A run advanced in pieces gives the numbers of one run straight through: the
/// steps are the same, none is shortened to land on a requested time.
class Simulator {
public:
    /// Throws as simulate() does for a model using something not simulated yet.
    explicit Simulator(const Network& net, const SimulationOptions& options = {});
    ~Simulator();
    Simulator(Simulator&&) noexcept;
    Simulator& operator=(Simulator&&) noexcept;

    /// Routing clock, s from the start.
    double time_s() const;
    /// The clock has reached the end of the simulation.
    bool done() const;
    /// Routes one step; false (and nothing routed) at the end.
    bool step();
    /// Routes whole steps until the next step would begin at or after `t_s` (within the 1 ms a
    /// rule's SIMULATION TIME allows) or the end is reached.
    void advance_to(double t_s);
    /// Report series up to the clock.
    const ReportSeries& series() const;
    /// A pump without power is OFF from the next step whatever its depth controls and rules say;
    /// with power again it returns to them, and a pump the model runs without depth controls or
    /// rules (on from the start) is switched on. Throws Error(kInternal) for a link not a pump.
    void set_pump_powered(int link, bool powered);
    /// Routes to the end and returns the results with the balances; the run is spent.
    SimulationResult finish();

private:
    struct State;
    std::unique_ptr<Network> loaded_; ///< the model with its FILE time series read, when it has any
    std::unique_ptr<State> s_;
};

/// Runs the model from its start to its end. Throws rencheng::Error(kUnsupported) naming the
/// feature when the model uses something not simulated yet (see docs/drainage.md).
SimulationResult simulate(const Network& net, const SimulationOptions& options = {});

/// SWMM's continuity error: 100·(1 − out/in), 0 when |in − out| is below 1 ft³ (as SWMM reports).
double continuity_error_pct(double in_m3, double out_m3);

} // namespace rencheng::drainage
