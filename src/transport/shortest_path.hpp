// One-to-all shortest paths on the assignment network with per-scenario costs and closures.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "transport/tntp.hpp"

namespace rencheng::transport {

inline constexpr double kUnreachable = std::numeric_limits<double>::infinity();

/// Labels of one shortest-path tree: `dist[n]` is the cost from the origin to node n
/// (kUnreachable when no path) and `pred_link[n]` the last link of that path (-1 at the origin
/// and at unreachable nodes).
struct ShortestPathTree {
    std::vector<double> dist;
    std::vector<std::int32_t> pred_link;
};

/// Scratch space of one search (a binary heap); one per thread. Reusing it avoids allocation.
class ShortestPathWorkspace {
public:
    struct Entry {
        double key;
        std::int32_t node;
    };
    std::vector<Entry> heap_;
};

/// Dijkstra (1959) with a binary heap from `origin` (0-based node) over `net.out`.
/// `link_cost[a]` >= 0 is the cost of link a in this scenario; a link with `closed[a] != 0` is
/// skipped (pass an empty span when none is closed), so closing a link never rebuilds the
/// topology. Centroid rule (TNTP <FIRST THRU NODE>): a path may start at the origin and end at
/// any node, but never passes through a zone node below first_thru_node.
/// Ties are broken by heap order, deterministically.
void shortest_paths(const AssignmentNetwork& net, std::int32_t origin,
                    std::span<const double> link_cost, std::span<const std::uint8_t> closed,
                    ShortestPathTree& tree, ShortestPathWorkspace& workspace);

/// Convenience form that allocates its own tree and workspace.
ShortestPathTree shortest_paths(const AssignmentNetwork& net, std::int32_t origin,
                                std::span<const double> link_cost,
                                std::span<const std::uint8_t> closed = {});

/// Cost of the shortest path from `origin` to `target` only: the same search as
/// shortest_paths(), stopped when the target is settled (kUnreachable when there is none).
double shortest_path_cost(const AssignmentNetwork& net, std::int32_t origin, std::int32_t target,
                          std::span<const double> link_cost, std::span<const std::uint8_t> closed,
                          ShortestPathTree& tree, ShortestPathWorkspace& workspace);

/// The links of the path to `node` in the tree, from the origin on; empty when unreachable or
/// when node is the origin.
std::vector<std::int32_t> path_to(const AssignmentNetwork& net, const ShortestPathTree& tree,
                                  std::int32_t node);

} // namespace rencheng::transport
