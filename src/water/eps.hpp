// Extended-period hydraulic simulation with EPANET 2.2's time-step logic: patterns, tanks, simple
// controls and rule-based controls.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "water/hydraulics.hpp"
#include "water/network.hpp"

namespace rencheng::water {

struct EpsOptions {
    HydraulicOptions hydraulic;
    /// Simulated duration in seconds; -1: the network's DURATION.
    Seconds duration = -1;
    /// Last reporting time kept in the results; -1: no limit.
    Seconds report_until = -1;
    /// EPANET integrates tank volumes in ft³ from flows converted with rounded factors (LPS
    /// 28.317 per cfs, CMH 101.94, ...), so an SI network's tanks gain (1 ± 6e-6)·q·Δt. True
    /// reproduces that for comparison with EPANET; false (default) conserves volume exactly.
    bool epanet_volume_rounding = false;
    /// Called at every hydraulic time after demands and controls are set and before the solve
    /// (time in s): lets a caller impose a scenario's state (water/damage.hpp forces closures).
    std::function<void(Seconds, HydraulicState&)> before_solve;
    /// Called after every solve with its summary (time in s), before tanks move.
    std::function<void(Seconds, const HydraulicState&, const HydraulicSummary&)> after_solve;
    [[nodiscard]] std::string validate() const;
};

/// The solution at one reporting time (SI; EPANET's reported quantities).
struct EpsSnapshot {
    Seconds time_s = 0;
    HydraulicSummary summary;
    std::vector<double> head_m;     ///< per node
    std::vector<double> demand_m3s; ///< per node: junction delivered + emitter + pipe leakage;
                                    ///< tank/reservoir inflow
    /// per node: EPANET 2.3 pipe leakage ([LEAKAGE]) out of the junction, part of demand_m3s;
    /// empty when the network has none
    std::vector<double> leakage_m3s;
    std::vector<double> flow_m3s;        ///< per link, 0 when closed
    std::vector<std::uint8_t> cut_off;   ///< per node
    std::vector<std::uint8_t> link_open; ///< per link: 1 open (or active), 0 closed
    /// Per tank: the rate it spills at, m³/s (EPANET 2.2 `Overflow YES` tanks that are full and
    /// still fed: their whole net inflow overflows); 0 otherwise.
    std::vector<double> tank_overflow_m3s;
};

struct EpsResult {
    bool converged = true;    ///< every hydraulic step converged
    int hydraulic_steps = 0;  ///< hydraulic time steps (solved or repeated)
    long long iterations = 0; ///< Newton iterations over all solves
    /// Steps that posed exactly the last solve's problem again (same junction demands, tank and
    /// reservoir heads, statuses and settings, bit for bit): its solution was kept, no solve.
    int repeated_steps = 0;
    /// Largest |Σ node outflows| / total supply over all steps (continuity of every solve).
    double max_mass_balance_error = 0;
    /// Largest |Δ storage − Σ tank inflow · Δt| over the steps, m³.
    double max_storage_error_m3 = 0;
    /// EPANET 2.3 pipe leakage ([LEAKAGE]) and the water supplied, over the steps as EPANET
    /// 2.3's flow balance counts them (flowbalance.c: inflow from reservoirs and junctions with
    /// negative demand, plus the tanks' net drainage when they drained on the whole), m³; at a
    /// single period, the rates at it in m³/s. 0 without leakage.
    double leakage_volume_m3 = 0, supply_volume_m3 = 0;
    std::vector<EpsSnapshot> reports;
    /// Per tank: volume spilled over the whole run by tanks that may overflow, m³.
    std::vector<double> tank_overflow_volume_m3;
    std::string message;
};

/// Runs the extended-period simulation (EPANET 2.2 Users Manual ch. 4 and its Hydraulics chapter):
/// at each hydraulic time demands follow their patterns, controls act, the network is solved;
/// the next step is the smallest of the hydraulic step, the time to the next pattern period or
/// reporting time, to a tank filling or draining, to a control's trigger, and to a rule firing
/// (rules are checked every rule step). Tanks integrate their net inflow (Euler).
/// Results are kept at the reporting times Report Start + k·Report Step. A tank that may overflow
/// (EPANET 2.2 `Overflow YES`) stays at its maximum level when full, its inlets stay open, and
/// what flows in beyond the maximum volume spills (EpsSnapshot::tank_overflow_m3s,
/// EpsResult::tank_overflow_volume_m3).
EpsResult simulate_eps(const Network& net, const HydraulicTopology& topo,
                       const EpsOptions& options);

} // namespace rencheng::water
