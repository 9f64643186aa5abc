// Dijkstra's one-to-all search with a binary heap on the CSR graph of an AssignmentNetwork.
#include "transport/shortest_path.hpp"

#include <algorithm>
#include <cassert>

namespace rencheng::transport {

namespace {

/// Min-heap order on the key, then the node number, so that pops are deterministic.
struct HeapGreater {
    bool operator()(const ShortestPathWorkspace::Entry& a,
                    const ShortestPathWorkspace::Entry& b) const {
        return a.key != b.key ? a.key > b.key : a.node > b.node;
    }
};

} // namespace

namespace {

/// Dijkstra from `origin`; stops when `target` (>= 0) is settled.
void search(const AssignmentNetwork& net, std::int32_t origin, std::int32_t target,
            std::span<const double> link_cost, std::span<const std::uint8_t> closed,
            ShortestPathTree& tree, ShortestPathWorkspace& workspace) {
    const auto n = static_cast<std::size_t>(net.node_count);
    // Preconditions (programmer errors): costs per link, origin a node.
    assert(link_cost.size() == static_cast<std::size_t>(net.link_count()));
    assert(origin >= 0 && static_cast<std::size_t>(origin) < n);
    tree.dist.assign(n, kUnreachable);
    tree.pred_link.assign(n, -1);
    auto& heap = workspace.heap_;
    heap.clear();
    tree.dist[static_cast<std::size_t>(origin)] = 0.0;
    heap.push_back({0.0, origin});
    const bool any_closed = !closed.empty();
    const HeapGreater greater;
    // Lazy deletion: a node may sit in the heap several times; stale entries are skipped.
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), greater);
        const auto [d, u] = heap.back();
        heap.pop_back();
        if (d > tree.dist[static_cast<std::size_t>(u)])
            continue;
        if (u == target)
            return; // settled: its label is final
        if (u != origin && !net.passable(u))
            continue; // centroid: a path may end here but not pass through
        const auto begin = static_cast<std::size_t>(net.out.offsets[static_cast<std::size_t>(u)]);
        const auto end = static_cast<std::size_t>(net.out.offsets[static_cast<std::size_t>(u) + 1]);
        for (std::size_t k = begin; k < end; ++k) {
            const auto a = static_cast<std::size_t>(net.out.arc_ids[k]);
            if (any_closed && closed[a] != 0)
                continue;
            const std::int32_t v = net.out.heads[k];
            const double nd = d + link_cost[a];
            if (nd < tree.dist[static_cast<std::size_t>(v)]) {
                tree.dist[static_cast<std::size_t>(v)] = nd;
                tree.pred_link[static_cast<std::size_t>(v)] = static_cast<std::int32_t>(a);
                heap.push_back({nd, v});
                std::push_heap(heap.begin(), heap.end(), greater);
            }
        }
    }
}

} // namespace

void shortest_paths(const AssignmentNetwork& net, std::int32_t origin,
                    std::span<const double> link_cost, std::span<const std::uint8_t> closed,
                    ShortestPathTree& tree, ShortestPathWorkspace& workspace) {
    search(net, origin, -1, link_cost, closed, tree, workspace);
}

double shortest_path_cost(const AssignmentNetwork& net, std::int32_t origin, std::int32_t target,
                          std::span<const double> link_cost, std::span<const std::uint8_t> closed,
                          ShortestPathTree& tree, ShortestPathWorkspace& workspace) {
    assert(target >= 0 && target < net.node_count);
    search(net, origin, target, link_cost, closed, tree, workspace);
    return tree.dist[static_cast<std::size_t>(target)];
}

ShortestPathTree shortest_paths(const AssignmentNetwork& net, std::int32_t origin,
                                std::span<const double> link_cost,
                                std::span<const std::uint8_t> closed) {
    ShortestPathTree tree;
    ShortestPathWorkspace ws;
    shortest_paths(net, origin, link_cost, closed, tree, ws);
    return tree;
}

std::vector<std::int32_t> path_to(const AssignmentNetwork& net, const ShortestPathTree& tree,
                                  std::int32_t node) {
    std::vector<std::int32_t> links;
    std::int32_t v = node;
    while (v >= 0 && tree.pred_link[static_cast<std::size_t>(v)] >= 0) {
        const std::int32_t a = tree.pred_link[static_cast<std::size_t>(v)];
        links.push_back(a);
        v = net.init[static_cast<std::size_t>(a)];
    }
    std::reverse(links.begin(), links.end());
    return links;
}

} // namespace rencheng::transport
