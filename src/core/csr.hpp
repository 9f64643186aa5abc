// Compressed sparse row (CSR) adjacency built by counting sort.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rencheng {

/// Directed adjacency in CSR form. Arcs leaving node `u` are positions
/// `offsets[u] .. offsets[u+1]-1`; `heads[k]` is the node the arc reaches and `arc_ids[k]` the
/// caller's id of that arc (its index in the input edge list). Within one node, arcs keep the
/// order of the input (the counting sort is stable), so the result is deterministic.
struct CsrGraph {
    std::vector<std::int32_t> offsets; ///< size node_count + 1
    std::vector<std::int32_t> heads;   ///< size arc_count
    std::vector<std::int32_t> arc_ids; ///< size arc_count

    [[nodiscard]] std::int32_t node_count() const {
        return offsets.empty() ? 0 : static_cast<std::int32_t>(offsets.size()) - 1;
    }
    [[nodiscard]] std::int32_t arc_count() const { return static_cast<std::int32_t>(heads.size()); }
    [[nodiscard]] std::int32_t degree(std::int32_t u) const { return offsets[u + 1] - offsets[u]; }
    [[nodiscard]] std::span<const std::int32_t> neighbours(std::int32_t u) const {
        return {heads.data() + offsets[u], static_cast<std::size_t>(degree(u))};
    }
    [[nodiscard]] std::span<const std::int32_t> arcs(std::int32_t u) const {
        return {arc_ids.data() + offsets[u], static_cast<std::size_t>(degree(u))};
    }
};

/// Builds the out-adjacency of `node_count` nodes from arcs `tails[k] -> heads[k]` by counting
/// sort, O(nodes + arcs). Precondition: tails and heads have the same size and every entry lies in
/// [0, node_count); throws rencheng::Error(kInternal) otherwise.
CsrGraph build_csr(std::int32_t node_count, std::span<const std::int32_t> tails,
                   std::span<const std::int32_t> heads);

/// The same graph with every arc reversed (in-adjacency); arc ids are kept.
CsrGraph transpose(const CsrGraph& g);

/// Strongly connected components (iterative Tarjan). Returns the component number of every node;
/// components are numbered 0..count-1 in the order Tarjan completes them, which is a reverse
/// topological order of the condensation: for every arc u -> v, comp[u] >= comp[v]. `count`
/// receives the number of components.
std::vector<std::int32_t> strongly_connected_components(const CsrGraph& g, std::int32_t& count);

/// Weakly connected components of the graph taken as undirected, numbered in the order of their
/// lowest node (node 0 is in component 0).
std::vector<std::int32_t> weakly_connected_components(const CsrGraph& g, std::int32_t& count);

} // namespace rencheng
