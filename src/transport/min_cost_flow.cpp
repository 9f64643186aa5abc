// Successive shortest paths with potentials (Dijkstra on reduced costs) on real capacities.
#include "transport/min_cost_flow.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "core/error.hpp"

namespace rencheng::transport {

MinCostFlow::MinCostFlow(std::int32_t node_count)
    : node_count_(node_count), adjacency_(static_cast<std::size_t>(node_count)) {
    assert(node_count >= 0);
}

std::int32_t MinCostFlow::add_arc(std::int32_t from, std::int32_t to, double capacity,
                                  double cost) {
    // Preconditions: callers build the network from validated data.
    assert(from >= 0 && from < node_count_ && to >= 0 && to < node_count_);
    assert(capacity >= 0.0 && cost >= 0.0 && std::isfinite(cost));
    const auto id = static_cast<std::int32_t>(original_capacity_.size());
    adjacency_[static_cast<std::size_t>(from)].push_back(static_cast<std::int32_t>(arcs_.size()));
    arcs_.push_back({to, capacity, cost});
    adjacency_[static_cast<std::size_t>(to)].push_back(static_cast<std::int32_t>(arcs_.size()));
    arcs_.push_back({from, 0.0, -cost});
    original_capacity_.push_back(capacity);
    return id;
}

double MinCostFlow::flow(std::int32_t arc) const {
    // The reverse residual capacity is the flow sent.
    return arcs_[static_cast<std::size_t>(2 * arc + 1)].capacity;
}

MinCostFlow::Result MinCostFlow::solve(std::int32_t source, std::int32_t sink, double limit,
                                       double tolerance) {
    assert(source >= 0 && source < node_count_ && sink >= 0 && sink < node_count_);
    Result res;
    if (source == sink || !(limit > 0.0))
        return res;
    double largest = 0.0;
    for (const double c : original_capacity_)
        if (std::isfinite(c))
            largest = std::max(largest, c);
    if (std::isfinite(limit))
        largest = std::max(largest, limit);
    const double eps = tolerance * std::max(largest, 1.0);

    const auto n = static_cast<std::size_t>(node_count_);
    std::vector<double> potential(n, 0.0), dist(n);
    std::vector<std::int32_t> pred(n);
    std::vector<std::uint8_t> done(n);
    struct Entry {
        double key;
        std::int32_t node;
    };
    auto greater = [](const Entry& a, const Entry& b) {
        return a.key != b.key ? a.key > b.key : a.node > b.node;
    };
    std::vector<Entry> heap;
    constexpr double kInf = std::numeric_limits<double>::infinity();

    while (res.flow < limit - eps) {
        std::fill(dist.begin(), dist.end(), kInf);
        std::fill(pred.begin(), pred.end(), -1);
        std::fill(done.begin(), done.end(), 0);
        dist[static_cast<std::size_t>(source)] = 0.0;
        heap.assign(1, {0.0, source});
        while (!heap.empty()) {
            std::pop_heap(heap.begin(), heap.end(), greater);
            const auto [d, u] = heap.back();
            heap.pop_back();
            const auto uu = static_cast<std::size_t>(u);
            if (done[uu] != 0)
                continue;
            done[uu] = 1;
            for (const std::int32_t e : adjacency_[uu]) {
                const Arc& arc = arcs_[static_cast<std::size_t>(e)];
                if (arc.capacity <= eps)
                    continue;
                const auto v = static_cast<std::size_t>(arc.to);
                // Reduced costs are >= 0 up to rounding; clamp so Dijkstra stays valid.
                const double reduced = std::max(0.0, arc.cost + potential[uu] - potential[v]);
                const double nd = d + reduced;
                if (nd < dist[v]) {
                    dist[v] = nd;
                    pred[v] = e;
                    heap.push_back({nd, arc.to});
                    std::push_heap(heap.begin(), heap.end(), greater);
                }
            }
        }
        const double dt = dist[static_cast<std::size_t>(sink)];
        if (dt == kInf)
            break; // maximum flow reached
        // Potentials stay feasible for the residual arcs (Ahuja et al. 1993, lemma 9.11).
        for (std::size_t v = 0; v < n; ++v)
            potential[v] += std::min(dist[v], dt);
        double amount = limit - res.flow;
        double unit_cost = 0.0;
        for (std::int32_t v = sink; v != source;) {
            const std::int32_t e = pred[static_cast<std::size_t>(v)];
            const Arc& arc = arcs_[static_cast<std::size_t>(e)];
            amount = std::min(amount, arc.capacity);
            unit_cost += arc.cost;
            v = arcs_[static_cast<std::size_t>(e ^ 1)].to;
        }
        if (!std::isfinite(amount)) {
            assert(false && "an infinite-capacity path with no limit: unbounded flow");
            throw Error(ErrorCode::kInternal, "min-cost flow: a path of infinite capacity");
        }
        for (std::int32_t v = sink; v != source;) {
            const std::int32_t e = pred[static_cast<std::size_t>(v)];
            arcs_[static_cast<std::size_t>(e)].capacity -= amount;
            arcs_[static_cast<std::size_t>(e ^ 1)].capacity += amount;
            v = arcs_[static_cast<std::size_t>(e ^ 1)].to;
        }
        res.flow += amount;
        res.cost += amount * unit_cost;
        res.steps.push_back({amount, unit_cost});
    }
    return res;
}

} // namespace rencheng::transport
