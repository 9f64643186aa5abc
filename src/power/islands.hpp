// Islanding and load shedding: after a set of outages, find the islands, shed load, solve each.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "power/network.hpp"
#include "power/power_flow.hpp"

namespace rencheng::power {

/// Elements taken out of service on top of the case's own statuses. Indices may repeat; an index
/// out of range is ignored (and counted in IslandingResult::ignored_outages).
struct OutageSet {
    std::vector<BranchIndex> branches;
    std::vector<GenIndex> gens;
    std::vector<BusIndex> buses; ///< a bus out takes its load, generators and branches with it
};

/// What the islanding does when an island's AC power flow does not converge.
enum class AcFailurePolicy : std::uint8_t {
    kDeEnergise, ///< the island is de-energised and all its load counts as lost (default)
    kDcFallback, ///< solve the island's DC power flow instead; de-energise only if that fails
};

struct IslandOptions {
    /// The power flow of each energised island (method, tolerance, reactive limits). With kDc
    /// every island is solved DC.
    PowerFlowOptions flow;
    AcFailurePolicy on_ac_failure = AcFailurePolicy::kDeEnergise;
    /// Per-bus shedding priority (empty: all equal). Load is shed from the lowest priority first;
    /// buses of equal priority are shed in proportion to their load. Give critical facilities the
    /// highest value so they are shed last.
    std::vector<double> bus_priority; ///< empty or one per bus (else Error kOutOfRange)
    /// Fraction of an island's generating capacity (Σ PMAX) kept back for losses when shedding:
    /// load is shed down to (1 - margin)·Σ PMAX.
    double shed_loss_margin = 0.03;
    /// Optional warm start, one value per bus of the network (e.g. the base-case solution);
    /// empty: the case's VM and VA.
    std::vector<double> initial_vm_pu, initial_va_rad;

    /// Throws Error(kOutOfRange) naming the first bad option.
    void validate() const;
};

enum class IslandStatus : std::uint8_t {
    kEnergised,   ///< solved AC (or DC when options.flow.method is kDc)
    kDcFallback,  ///< AC did not converge; solved DC (AcFailurePolicy::kDcFallback)
    kDeEnergised, ///< no supply: all its load is lost
};

enum class IslandReason : std::uint8_t {
    kSolved,         ///< energised, solved
    kNoGeneration,   ///< de-energised: no generator in service
    kAcNotConverged, ///< AC did not converge (see status: DC fallback or de-energised)
    kNotSolvable,    ///< de-energised: neither AC nor DC gave a solution
};

/// "energised", "dc-fallback", "de-energised".
std::string_view island_status_name(IslandStatus s);
/// "solved", "no-generation", "ac-not-converged", "not-solvable".
std::string_view island_reason_name(IslandReason r);

/// One island: a connected set of in-service buses. Powers in MW (MVAr), at the solved voltages.
struct Island {
    std::vector<BusIndex> buses; ///< increasing
    BusIndex slack;              ///< invalid when de-energised for lack of generation
    IslandStatus status = IslandStatus::kDeEnergised;
    IslandReason reason = IslandReason::kNoGeneration;
    std::int32_t generators = 0; ///< in service in the island
    double capacity_mw = 0;      ///< Σ PMAX of those generators
    double load_mw = 0;          ///< Σ PD of the island's buses (the case's load)
    double served_mw = 0;        ///< load supplied
    double shed_mw = 0;          ///< load_mw - served_mw: shed, or lost when de-energised
    double generation_mw = 0;    ///< Σ P of its generators as solved
    double shunt_mw = 0;         ///< consumption of bus shunt conductances, GS·|V|²
    double losses_mw = 0;        ///< Σ over its branches of P_from + P_to
    /// The island's power flow: iterations and largest mismatch (also when it did not converge).
    int iterations = 0;
    double max_mismatch_pu = 0;
    bool singular = false;
};

/// The state of the network after the outages. Per-element vectors are in the network's order;
/// a de-energised or out-of-service element has 0 flow and 0 voltage.
struct IslandingResult {
    std::vector<Island> islands;          ///< numbered by their lowest bus
    std::vector<std::int32_t> bus_island; ///< per bus: its island, -1 when the bus is out
    std::vector<double> served_mw;        ///< per bus: load supplied
    std::vector<double> shed_mw;        ///< per bus: load shed or lost (PD - served; 0 if PD ≤ 0)
    std::vector<double> vm_pu, va_rad;  ///< per bus
    std::vector<double> pg_mw, qg_mvar; ///< per generator
    std::vector<double> p_from_mw, q_from_mvar, p_to_mw, q_to_mvar; ///< per branch
    double load_mw = 0; ///< Σ PD over all buses (the case's load)
    double served_mw_total = 0;
    double shed_mw_total = 0; ///< includes the load of buses taken out
    std::int32_t ignored_outages = 0;
    std::int32_t energised_islands = 0;
    std::int32_t de_energised_islands = 0;
};

/// Applies the outages, finds the islands over the in-service branches (weakly connected
/// components of the in-service buses; type-4 buses count as out) and, per island (docs/power.md
/// §7): de-energises it when it has no generator in service; otherwise picks its slack (the
/// case's reference bus if inside, else the bus of the unit with the largest PMAX), sheds load by
/// priority when the load exceeds (1 - margin)·Σ PMAX, redispatches when the slack alone could
/// not balance it, and solves its power flow. Never throws for any outage set; throws
/// Error(kOutOfRange) only for bad options.
IslandingResult solve_islands(const Network& net, const OutageSet& outages,
                              const IslandOptions& options = {});

/// solve_islands for many outage sets on one network (contingency analysis), with a workspace kept
/// between calls. When the outages leave exactly one island with generation, holding the case's
/// reference bus with a unit in service (and the flow is Newton without reactive limits), that
/// island is shed and dispatched as solve_islands does and then solved on the whole network's
/// admittance pattern, with the outaged branches' admittances taken out and the other islands'
/// buses set out (PowerFlowSolver with keep_pattern), from the warm start: the Jacobian pattern
/// and the block LU's analysis (static pivots), made once from the case, serve every such outage
/// set. Any
/// other outage set, or one whose flow does not converge that way, goes to solve_islands. Results
/// equal solve_islands' within the power flow's tolerance and do not depend on the order of the
/// calls. The network must outlive the solver.
class IslandSolver {
public:
    /// Throws Error(kOutOfRange) for bad options (as solve_islands).
    IslandSolver(const Network& net, IslandOptions options);
    ~IslandSolver();
    IslandSolver(const IslandSolver&) = delete;
    IslandSolver& operator=(const IslandSolver&) = delete;

    /// As solve_islands(net, outages, options); never throws for any outage set.
    IslandingResult solve(const OutageSet& outages);

    /// Outage sets solved on the kept pattern, and by solve_islands.
    [[nodiscard]] std::int64_t pattern_solves() const { return pattern_solves_; }
    [[nodiscard]] std::int64_t general_solves() const { return general_solves_; }

private:
    const Network& net_;
    IslandOptions options_;
    BusIndex reference_; ///< the case's only reference bus; invalid: no pattern solves
    std::unique_ptr<PowerFlowSolver> flow_;
    std::int64_t pattern_solves_ = 0, general_solves_ = 0;
};

} // namespace rencheng::power
