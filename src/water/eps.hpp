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

/// Energy use of one pump over the run, as EPANET 2.2's energy report gives it (hydraul.c
/// addenergy and getenergy, output.c saveenergy). At every hydraulic step of length Δt (1 h for a
/// single period) an open pump draws P = ρg·Q·H / η (EPANET's 8.814 ft·lbf/s per hp and
/// 0.7457 kW per hp, times the specific gravity), Q its flow and H the head across it at the
/// start of the step (tank ends at the end of it, as EPANET has them when it counts);
/// η from the pump's efficiency curve at Q / speed, corrected for speed after Sarbu & Borza
/// (η = 100 − (100 − η₁)·(1/speed)^0.1), else the global efficiency (75 % by default),
/// clamped to 1–100 %. The price per kWh is the pump's own, else the global one, times the
/// pump's price pattern, else the global price pattern, at the step's pattern period.
struct PumpEnergy {
    double utilization_pct = 0; ///< share of the simulated time the pump was open, %
    double efficiency_pct = 0;  ///< mean efficiency over the time it was open, %
    /// Mean over the time it was open of P/Q, kWh per m³ pumped (EPANET reports it per m³ for
    /// SI flow units and per million US gallons otherwise).
    double kwh_per_m3 = 0;
    double average_kw = 0;   ///< mean power over the time it was open, kW
    double peak_kw = 0;      ///< the largest power at a hydraulic step, kW
    double energy_kwh = 0;   ///< energy over the run, kWh
    double cost_per_day = 0; ///< cost over the run per day simulated (a single period: × 24)
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
    /// Per pump (pump order): energy use over the run.
    std::vector<PumpEnergy> pump_energy;
    /// The largest total power of all pumps at a hydraulic step, kW, and the demand charge,
    /// that power times the [ENERGY] DEMAND CHARGE per kW.
    double peak_pumping_kw = 0, demand_charge = 0;
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
