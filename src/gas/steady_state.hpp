// Steady-state gas flow: nodal Newton on squared pressures (pressures for the GB 50028
// low-pressure form) per pressure zone, regulators and compressors as set-point elements, each
// connected component solved or reported with the reason (docs/gas.md "Steady state").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gas/network.hpp"

namespace rencheng::gas {

struct SteadyStateOptions {
    int max_iterations = 100;
    /// Newton stops when Σ|Δq| ≤ flow_tolerance · Σ|q| (flows at normal conditions).
    double flow_tolerance = 1e-11;
    /// A pressure zone without a pressure set-point takes its source with the largest nominated
    /// injection as the pressure reference (the GasLib operating mode, docs/gas.md).
    bool auto_reference = true;
    /// Relative tolerance of the bound checks (node pressures, station limits, nominations).
    double check_tolerance = 1e-9;
    /// A regulator or compressor that the zone method cannot hold at a set-point — one whose
    /// inlet and outlet are also joined by pipes, a second station feeding the same node, a
    /// station closing a loop of zones — runs in bypass (open, no pressure change) and the
    /// report notes it. When false, such a component is reported kUnsupported instead.
    bool bypass_unsupported_stations = true;

    /// Throws Error(kOutOfRange) for a non-positive iteration limit or tolerance.
    void validate() const;
};

enum class ComponentStatus : std::uint8_t {
    kSolved,       ///< converged, every bound met
    kInfeasible,   ///< converged, but a pressure or station bound cannot be met (messages say)
    kNoSource,     ///< no pressure reference: no source, set-point source or station feeds it
    kNotConverged, ///< Newton did not converge within the iteration limit
    kUnsupported   ///< a configuration the solver does not handle (messages say which)
};
std::string_view component_status_name(ComponentStatus s); ///< "solved", "infeasible", ...

/// What happened in one connected component (connections that are open, stations included).
struct ComponentReport {
    std::int32_t component = 0;
    std::int32_t node_count = 0;
    ComponentStatus status = ComponentStatus::kSolved;
    int iterations = 0;                ///< Newton iterations, summed over its zones
    double throughput_m3s = 0;         ///< Σ withdrawals (customers, exits, stations' inlets)
    double max_balance_error_m3s = 0;  ///< largest |Σ in − Σ out| at a node after the solve
    std::vector<std::string> messages; ///< where and why, one finding per line (English)
    std::vector<std::string> notes;    ///< operating decisions (stations run in bypass)
};

struct SteadyStateResult {
    std::vector<double> pressure_pa;     ///< per node, absolute; NaN where not solved
    std::vector<double> flow_m3s;        ///< per connection, normal m³/s; NaN where not solved
    std::vector<double> injection_m3s;   ///< per node: gas entering there (sources), else 0
    std::vector<std::uint8_t> reference; ///< per node: 1 where the pressure was held fixed
    std::vector<std::uint8_t> bypassed;  ///< per connection: station run in bypass
    std::vector<std::int32_t> component_of_node;
    std::vector<ComponentReport> components;
    int iterations = 0; ///< largest number of Newton iterations of any zone

    [[nodiscard]] bool all_solved() const;
};

/// Solves the steady state of `net` with its demands, set-points and open/closed states. Never
/// throws for a component that cannot be solved: the component's report says why and its values
/// are NaN (or, when infeasible, the computed values that violate the bounds). Throws
/// Error(kOutOfRange) for invalid options and for element data that make no flow law.
SteadyStateResult solve_steady_state(const Network& net, const SteadyStateOptions& options = {});

/// As above, with each zone's Newton started from `initial_flow_m3s` (per connection, normal
/// m³/s, e.g. the solution of a nearby state; a NaN entry starts that element at the default)
/// instead of equal flows: a warm start for a sequence of close states, such as the draw-down
/// of linepack, where flows hardly change and Newton then stops after one or two iterations.
/// The solution is the same to the flow tolerance. Throws Error(kOutOfRange) also when the
/// vector's size is not the connection count.
SteadyStateResult solve_steady_state(const Network& net, const SteadyStateOptions& options,
                                     const std::vector<double>& initial_flow_m3s);

/// Net gas balance at every node for given connection flows and injections: Σ inflow + injection
/// − Σ outflow − demand, where sources count their injection only (their nomination is the
/// injection unless they are a pressure reference), normal m³/s. Zero at a solution; NaN flows
/// count as 0.
std::vector<double> node_balance_m3s(const Network& net, const std::vector<double>& flow_m3s,
                                     const std::vector<double>& injection_m3s);

} // namespace rencheng::gas
