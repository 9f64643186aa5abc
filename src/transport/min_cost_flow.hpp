// Minimum-cost flow by successive shortest paths with node potentials (real capacities).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace rencheng::transport {

/// A directed network for minimum-cost flow from one source to one sink. Capacities are real
/// numbers >= 0 (kInfiniteCapacity allowed), costs >= 0 (so the potentials start at zero).
/// Successive shortest paths (Ahuja, Magnanti & Orlin 1993, sec. 9.7): each step sends as much
/// as fits along a cheapest residual path, found by Dijkstra on reduced costs
/// c(i,j) + pi(i) - pi(j) >= 0 (Edmonds & Karp 1972). The unit costs of the steps never
/// decrease, which is what the quickest-flow bound of evacuation.hpp needs.
class MinCostFlow {
public:
    static constexpr double kInfiniteCapacity = std::numeric_limits<double>::infinity();

    explicit MinCostFlow(std::int32_t node_count);

    /// Adds arc from → to; returns its id. Preconditions: nodes in range, capacity >= 0,
    /// 0 <= cost < infinity.
    std::int32_t add_arc(std::int32_t from, std::int32_t to, double capacity, double cost);

    /// One augmentation: `amount` sent along a path of unit cost `unit_cost`.
    struct Step {
        double amount = 0.0;
        double unit_cost = 0.0;
    };
    struct Result {
        double flow = 0.0;
        double cost = 0.0;
        std::vector<Step> steps; ///< in order; unit costs nondecreasing
    };

    /// Sends up to `limit` units from `source` to `sink` at least total cost; stops at the
    /// maximum flow. Flows below `tolerance` times the largest finite capacity count as zero.
    /// A path of infinite capacity with an infinite limit is a programmer error (asserted) and
    /// stops the solve. May be called once per object.
    Result solve(std::int32_t source, std::int32_t sink,
                 double limit = std::numeric_limits<double>::infinity(), double tolerance = 1e-12);

    /// Flow on arc `arc` after solve().
    [[nodiscard]] double flow(std::int32_t arc) const;

    [[nodiscard]] std::int32_t node_count() const { return node_count_; }

private:
    struct Arc {
        std::int32_t to;
        double capacity; ///< residual capacity
        double cost;
    };
    std::int32_t node_count_;
    std::vector<Arc> arcs_; ///< arc 2k is arc k, 2k+1 its reverse
    std::vector<double> original_capacity_;
    std::vector<std::vector<std::int32_t>> adjacency_; ///< residual arcs out of each node
};

} // namespace rencheng::transport
