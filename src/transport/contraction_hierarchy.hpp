// Contraction hierarchy (Geisberger et al. 2008) for repeated one-to-one shortest-path queries
// on a fixed metric of an assignment network.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "transport/tntp.hpp"

namespace rencheng::transport {

/// Preprocessing: nodes are contracted one by one in the order of a lazily updated priority
/// (edge difference + contracted neighbours + search-space depth); contracting v adds a
/// shortcut u -> w when u -> v -> w is the only shortest u -> w path left (a local witness
/// search, limited in settled nodes, decides: a missed witness only adds a superfluous
/// shortcut, never a wrong distance). Queries run Dijkstra upward from the origin and, on the
/// reversed graph, upward from the destination, and meet at the highest node of the path.
///
/// The metric is fixed at build time: `link_cost` and `closed` are copied into the hierarchy.
/// A new closure or new costs need a new build (a full re-contraction; a customisable CH that
/// only re-customises is not implemented). The centroid rule of <FIRST THRU NODE> is kept: no
/// shortcut runs through a zone below it and the queries do not pass through one.
class ContractionHierarchy {
public:
    /// Builds the hierarchy. `link_cost` >= 0 per link; closed[a] != 0 leaves link a out
    /// (empty: none). Throws Error(kInconsistent) when the sizes do not match the network.
    ContractionHierarchy(const AssignmentNetwork& net, std::span<const double> link_cost,
                         std::span<const std::uint8_t> closed = {});

    /// Cost of the shortest path from node `from` to node `to` (0-based), kUnreachable when
    /// there is none. Not thread-safe (scratch space is reused); use one object per thread or
    /// copy it.
    [[nodiscard]] double distance(std::int32_t from, std::int32_t to);

    /// Many-to-many: the costs from every node of `sources` to every node of `targets`
    /// (0-based), row-major (entry i * targets.size() + j), kUnreachable where there is no
    /// path. Bucket algorithm (Knopp et al. 2007): one exhaustive upward search per target on
    /// the reversed graph leaves (target, cost) entries in buckets at the nodes it reaches; one
    /// upward search per source then scans the buckets of the nodes it reaches. Each pair's
    /// answer is the least sum at a meeting node, as for distance(). Not thread-safe either.
    [[nodiscard]] std::vector<double> distance_table(std::span<const std::int32_t> sources,
                                                     std::span<const std::int32_t> targets);

    [[nodiscard]] std::int32_t node_count() const { return node_count_; }
    /// Number of shortcuts added by the contraction.
    [[nodiscard]] std::int64_t shortcut_count() const { return shortcuts_; }
    /// Arcs in the upward and downward search graphs together.
    [[nodiscard]] std::int64_t arc_count() const {
        return static_cast<std::int64_t>(up_head_.size() + down_head_.size());
    }

private:
    struct Side {
        std::vector<double> dist;
        std::vector<std::int32_t> touched;
        std::vector<std::pair<double, std::int32_t>> heap;
    };
    void settle_side(Side& side, const std::vector<std::int32_t>& offsets,
                     const std::vector<std::int32_t>& heads, const std::vector<double>& costs,
                     std::int32_t endpoint, double& best, const Side& other);
    /// Upward search from `endpoint` to exhaustion; `side.touched` lists the nodes reached.
    void exhaust_side(Side& side, const std::vector<std::int32_t>& offsets,
                      const std::vector<std::int32_t>& heads, const std::vector<double>& costs,
                      std::int32_t endpoint);

    std::int32_t node_count_ = 0;
    std::vector<std::uint8_t> passable_;
    std::vector<std::int32_t> rank_;
    // Upward graph (arcs u -> w with rank w > rank u) and downward graph stored reversed (for
    // each w, arcs to u with rank u > rank w of original arcs u -> w): CSR.
    std::vector<std::int32_t> up_offsets_, up_head_;
    std::vector<double> up_cost_;
    std::vector<std::int32_t> down_offsets_, down_head_;
    std::vector<double> down_cost_;
    std::int64_t shortcuts_ = 0;
    Side forward_, backward_;
};

} // namespace rencheng::transport
