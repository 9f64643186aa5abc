// Loss of a gate station or a transmission line: who falls below minimum pressure at once, and
// how many hours the gas stored in the pipes (linepack) keeps the others supplied.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gas/network.hpp"
#include "gas/steady_state.hpp"

namespace rencheng::gas {

/// Gas held in the pipes of `net` at pressures `pressure_pa` (absolute, per node), normal m³:
/// per pipe, V · (p_m / p_n) · (T_n / T) / Z with the mean pressure of a squared-pressure
/// profile p_m = 2/3 (p1 + p2 − p1 p2 / (p1 + p2)) (Menon 2005, average pipe pressure). Pipes with
/// a NaN end pressure or with `pipe_mask[k] == 0` (when the mask is not empty) count nothing.
double linepack_m3(const Network& net, const std::vector<double>& pressure_pa,
                   const std::vector<std::uint8_t>& pipe_mask = {});

/// What is lost: gate stations (sources; each is taken out with the connections at its node) and
/// connections (a transmission line, a station).
struct SupplyCut {
    std::vector<NodeIndex> sources_out;
    std::vector<ConnectionIndex> connections_out;
};

struct LinepackOptions {
    /// Each state is solved to 1e-9 of the throughput: the curve needs pressures to a few Pa,
    /// and tighter flow tolerances can stall on dead ends left with gas at rest after a cut.
    SteadyStateOptions steady = [] {
        SteadyStateOptions o;
        o.flow_tolerance = 1e-9;
        return o;
    }();
    /// The reference pressure of a depleting part falls in this many equal steps from its
    /// starting value to the lowest minimum pressure of its customers.
    int steps = 60;
    /// Minimum service pressure of customers whose pressure_min_pa is not set, Pa absolute.
    double default_min_pressure_pa = kNormalPressurePa + 1500.0;
    /// Throws Error(kOutOfRange) naming the bad field.
    void validate() const;
};

/// A part of the network left without any source after the cut: it lives on its linepack.
struct DepletingPart {
    std::int32_t component = 0;     ///< component number in the post-cut steady state
    NodeIndex reference;            ///< where gas entered before the cut (highest pressure)
    double demand_m3s = 0.0;        ///< its customers' demand, drawn at a constant rate
    double linepack_start_m3 = 0.0; ///< normal m³ in its pipes before the cut
    double linepack_end_m3 = 0.0;   ///< when the last customer fell below its minimum
    /// Depletion curve: time after the cut (h), the reference pressure and the linepack then.
    std::vector<double> time_h, reference_pressure_pa, linepack_m3;
    std::string note; ///< how the curve ended (every customer below minimum, solver said …)
};

inline constexpr double kForever = std::numeric_limits<double>::infinity();

struct LinepackResult {
    /// Per node, customers only (NaN elsewhere): hours after the cut until the customer's
    /// pressure falls below its minimum. 0: at once (no path from any gas, or the remaining
    /// sources cannot hold it); kForever: a remaining source keeps it supplied.
    std::vector<double> hours_to_minimum;
    std::vector<NodeIndex> customers_below_minimum_at_once;
    std::vector<DepletingPart> parts;
    SteadyStateResult before; ///< the steady state before the cut
    SteadyStateResult after;  ///< right after it, with the remaining sources
};

/// Simulates the loss of `cut` on `net` with a quasi-steady depletion model (docs/gas.md
/// "Linepack"): the steady state before the cut gives the starting linepack; a part left without
/// any source is re-solved with its former entry node as a pressure reference stepped down, each
/// state's linepack deducted from the start and divided by the part's demand giving the time it
/// is reached. Customers below their minimum pressure in a state are out from that time (linear
/// interpolation between steps). Throws Error(kOutOfRange) for bad indices or options.
LinepackResult simulate_supply_cut(const Network& net, const SupplyCut& cut,
                                   const LinepackOptions& options = {});

} // namespace rencheng::gas
