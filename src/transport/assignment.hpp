// Static user-equilibrium traffic assignment: BPR costs, Frank-Wolfe and Algorithm B.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/tntp.hpp"

namespace rencheng::transport {

enum class AssignmentAlgorithm : std::uint8_t {
    kFrankWolfe, ///< Frank & Wolfe (1956) with exact line search (Sheffi 1985, ch. 4); a baseline
    kAlgorithmB, ///< Dial (2006) bush-based Algorithm B, to tight gaps
};

/// "fw", "bush".
std::string_view algorithm_name(AssignmentAlgorithm a);

/// One record per iteration, for the log callback and the convergence history.
struct AssignmentIteration {
    int iteration = 0;
    double relative_gap = 0.0;
    double tstt = 0.0;
    double seconds = 0.0; ///< wall time since the start of the assignment
};

struct AssignmentOptions {
    AssignmentAlgorithm algorithm = AssignmentAlgorithm::kAlgorithmB;
    /// Stop when the relative gap (TSTT - SPTT) / TSTT is at or below this.
    double target_gap = 1e-10;
    int max_iterations = 1000;
    /// Stop after this much wall time, seconds (0: no limit); checked between iterations.
    double max_seconds = 0.0;
    /// Generalized cost = BPR time + toll_factor * toll + distance_factor * length (TNTP; e.g.
    /// ChicagoSketch: 0.02 min/cent and 0.04 min/mile).
    double toll_factor = 0.0;
    double distance_factor = 0.0;
    /// Per-scenario closures: closed[a] != 0 removes link a (empty: none closed). The topology
    /// is not rebuilt.
    std::vector<std::uint8_t> closed;
    /// Algorithm B: most flow-shifting passes over one bush per visit.
    int inner_passes = 4;
    /// Algorithm B: return every origin's bush flows in AssignmentResult::bush_flow (memory:
    /// zones x links doubles), to warm-start a later assignment of the same trips.
    bool keep_bush_flows = false;
    /// Algorithm B warm start: per zone (size zone_count; an empty entry means none), the link
    /// flows of that origin's bush from an earlier assignment of the same trips, e.g. the
    /// undisrupted network. An origin starts from them when they are feasible here: no flow on a
    /// closed link, flow conservation at every node to 1e-9 of the origin's demand, acyclic.
    /// Otherwise it starts from an all-or-nothing load as usual. Frank-Wolfe ignores it.
    std::vector<std::vector<double>> warm_start_bush_flow;
    /// Called after every iteration (may be empty). The library never prints.
    std::function<void(const AssignmentIteration&)> on_iteration;

    /// Empty when valid, else what is wrong.
    [[nodiscard]] std::string validate() const;
};

struct AssignmentResult {
    std::vector<double> flow;  ///< vehicles per hour per link
    std::vector<double> cost;  ///< generalized cost per link at `flow` (time unit of the file)
    double relative_gap = 0.0; ///< (TSTT - SPTT) / TSTT at `flow`
    double tstt = 0.0;         ///< total system travel time: sum of flow x cost
    double sptt = 0.0;         ///< shortest-path travel time: sum of demand x shortest cost
    double beckmann = 0.0;     ///< Beckmann objective (with the generalized toll/distance terms)
    double assigned_demand = 0.0;
    double unreachable_demand = 0.0; ///< demand between zones with no open path (not assigned)
    int iterations = 0;
    bool converged = false;
    double seconds = 0.0;
    std::vector<AssignmentIteration> history;
    /// Algorithm B with keep_bush_flows: per zone, its bush's link flows (empty: no demand).
    std::vector<std::vector<double>> bush_flow;
    /// Algorithm B: origins that started from warm_start_bush_flow.
    std::int32_t warm_started_origins = 0;
};

/// BPR link time t0 (1 + b (x / c)^p) and its derivative with respect to x.
double bpr_time(double free_flow_time, double b, double power, double capacity, double flow);
double bpr_derivative(double free_flow_time, double b, double power, double capacity, double flow);

/// Generalized link costs at the given flows.
std::vector<double> link_costs(const AssignmentNetwork& net, std::span<const double> flow,
                               double toll_factor, double distance_factor);

/// Relative gap, TSTT, SPTT and Beckmann objective of any link-flow vector (the same definitions
/// as ../shared/data/REFERENCE.md §5). Shortest paths run in parallel; sums are taken in a
/// fixed order, so the numbers do not depend on the thread count.
struct GapReport {
    double relative_gap = 0.0, tstt = 0.0, sptt = 0.0, beckmann = 0.0;
    double unreachable_demand = 0.0;
};
GapReport evaluate_flows(const AssignmentNetwork& net, const TripTable& trips,
                         std::span<const double> flow, const AssignmentOptions& options);

/// One all-or-nothing assignment: every OD demand on its shortest path at the fixed
/// `link_cost` (centroid rule and closures as in shortest_paths). Its SPTT equals the sum of
/// flow x cost. Deterministic for any thread count (trees are built in parallel, loaded in
/// origin order). Throws Error(kInconsistent) when the sizes do not fit the network.
struct AllOrNothingLoad {
    std::vector<double> flow; ///< vehicles per hour per link
    double sptt = 0.0;        ///< sum of demand x shortest cost
    double unreachable_demand = 0.0;
};
AllOrNothingLoad all_or_nothing_assignment(const AssignmentNetwork& net, const TripTable& trips,
                                           std::span<const double> link_cost,
                                           std::span<const std::uint8_t> closed = {});

/// Solves static user equilibrium (Wardrop's first principle, Beckmann et al. 1956) for `trips`
/// on `net`. Throws Error(kInconsistent) when the trips do not fit the network and
/// Error(kUsage) for invalid options. Reaching max_iterations is not an error: the result says
/// converged = false. Deterministic: the same result for any thread count.
AssignmentResult assign_traffic(const AssignmentNetwork& net, const TripTable& trips,
                                const AssignmentOptions& options);

} // namespace rencheng::transport
