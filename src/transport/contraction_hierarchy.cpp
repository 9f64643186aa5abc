// Contraction hierarchy: node ordering with lazy updates, witness searches, upward queries.
#include "transport/contraction_hierarchy.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <limits>
#include <queue>

#include "core/error.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {

namespace {

struct Edge {
    std::int32_t node;
    double cost;
};

using HeapEntry = std::pair<double, std::int32_t>;

/// Adds or lowers the edge to `node` in `list` (parallel edges keep the cheapest).
void add_or_lower(std::vector<Edge>& list, std::int32_t node, double cost) {
    for (Edge& e : list)
        if (e.node == node) {
            e.cost = std::min(e.cost, cost);
            return;
        }
    list.push_back({node, cost});
}

/// The graph being contracted.
class Contractor {
public:
    Contractor(std::int32_t n, std::vector<std::uint8_t> passable)
        : n_(static_cast<std::size_t>(n)), passable_(std::move(passable)), out_(n_), in_(n_),
          contracted_(n_, 0), neighbours_done_(n_, 0), depth_(n_, 0),
          dist_(n_, std::numeric_limits<double>::infinity()) {}

    void add_edge(std::int32_t u, std::int32_t w, double cost) {
        if (u == w)
            return;
        add_or_lower(out_[static_cast<std::size_t>(u)], w, cost);
        add_or_lower(in_[static_cast<std::size_t>(w)], u, cost);
    }

    /// Shortcuts that contracting v needs now; with `apply`, adds them.
    std::int32_t shortcuts(std::int32_t v, bool apply) {
        const auto vv = static_cast<std::size_t>(v);
        if (passable_[vv] == 0)
            return 0; // no path may pass through v, so none is lost by removing it
        std::int32_t count = 0;
        pending_.clear();
        for (const Edge& in : in_[vv]) {
            if (contracted_[static_cast<std::size_t>(in.node)] != 0)
                continue;
            double limit = 0.0;
            bool any = false;
            for (const Edge& out : out_[vv])
                if (contracted_[static_cast<std::size_t>(out.node)] == 0 && out.node != in.node) {
                    limit = std::max(limit, in.cost + out.cost);
                    any = true;
                }
            if (!any)
                continue;
            witness_search(in.node, v, limit);
            for (const Edge& out : out_[vv]) {
                if (contracted_[static_cast<std::size_t>(out.node)] != 0 || out.node == in.node)
                    continue;
                const double via = in.cost + out.cost;
                if (dist_[static_cast<std::size_t>(out.node)] <= via)
                    continue; // a witness path, no longer than the path through v
                ++count;
                if (apply)
                    pending_.push_back({in.node, out.node, via});
            }
            clear_search();
        }
        for (const Shortcut& s : pending_)
            add_edge(s.from, s.to, s.cost);
        return count;
    }

    [[nodiscard]] std::int32_t priority(std::int32_t v) {
        const auto vv = static_cast<std::size_t>(v);
        std::int32_t degree = 0;
        for (const Edge& e : in_[vv])
            degree += contracted_[static_cast<std::size_t>(e.node)] == 0 ? 1 : 0;
        for (const Edge& e : out_[vv])
            degree += contracted_[static_cast<std::size_t>(e.node)] == 0 ? 1 : 0;
        return 2 * (shortcuts(v, false) - degree) + neighbours_done_[vv] + depth_[vv];
    }

    /// Marks v contracted; its remaining edges go to `up` (out) and `down` (in).
    void contract(std::int32_t v, std::vector<std::vector<Edge>>& up,
                  std::vector<std::vector<Edge>>& down, std::int64_t& shortcut_total) {
        shortcut_total += shortcuts(v, true);
        const auto vv = static_cast<std::size_t>(v);
        contracted_[vv] = 1;
        for (const Edge& e : out_[vv])
            if (contracted_[static_cast<std::size_t>(e.node)] == 0) {
                up[vv].push_back(e);
                touch_neighbour(e.node, v);
            }
        for (const Edge& e : in_[vv])
            if (contracted_[static_cast<std::size_t>(e.node)] == 0) {
                down[vv].push_back(e);
                touch_neighbour(e.node, v);
            }
    }

private:
    struct Shortcut {
        std::int32_t from, to;
        double cost;
    };

    void touch_neighbour(std::int32_t x, std::int32_t v) {
        const auto xx = static_cast<std::size_t>(x);
        ++neighbours_done_[xx];
        depth_[xx] = std::max(depth_[xx], depth_[static_cast<std::size_t>(v)] + 1);
    }

    /// Dijkstra from `source` over uncontracted nodes other than `skip`, up to `limit` and a
    /// bounded number of settled nodes; only `source` and passable nodes are expanded.
    void witness_search(std::int32_t source, std::int32_t skip, double limit) {
        constexpr int kSettleLimit = 500;
        dist_[static_cast<std::size_t>(source)] = 0.0;
        touched_.push_back(source);
        heap_.assign(1, {0.0, source});
        int settled = 0;
        while (!heap_.empty() && settled < kSettleLimit) {
            std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
            const auto [d, u] = heap_.back();
            heap_.pop_back();
            const auto uu = static_cast<std::size_t>(u);
            if (d > dist_[uu])
                continue;
            if (d > limit)
                break;
            ++settled;
            if (u != source && passable_[uu] == 0)
                continue;
            for (const Edge& e : out_[uu]) {
                const auto w = static_cast<std::size_t>(e.node);
                if (e.node == skip || contracted_[w] != 0)
                    continue;
                const double nd = d + e.cost;
                if (nd < dist_[w]) {
                    if (dist_[w] == std::numeric_limits<double>::infinity())
                        touched_.push_back(e.node);
                    dist_[w] = nd;
                    heap_.push_back({nd, e.node});
                    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
                }
            }
        }
    }

    void clear_search() {
        for (const std::int32_t t : touched_)
            dist_[static_cast<std::size_t>(t)] = std::numeric_limits<double>::infinity();
        touched_.clear();
    }

    std::size_t n_;
    std::vector<std::uint8_t> passable_;
    std::vector<std::vector<Edge>> out_, in_;
    std::vector<std::uint8_t> contracted_;
    std::vector<std::int32_t> neighbours_done_, depth_;
    std::vector<double> dist_;
    std::vector<std::int32_t> touched_;
    std::vector<HeapEntry> heap_;
    std::vector<Shortcut> pending_;
};

/// Packs per-node edge lists into CSR arrays.
void to_csr(const std::vector<std::vector<Edge>>& lists, std::vector<std::int32_t>& offsets,
            std::vector<std::int32_t>& heads, std::vector<double>& costs) {
    offsets.assign(lists.size() + 1, 0);
    for (std::size_t v = 0; v < lists.size(); ++v)
        offsets[v + 1] = offsets[v] + static_cast<std::int32_t>(lists[v].size());
    heads.clear();
    costs.clear();
    for (const auto& list : lists)
        for (const Edge& e : list) {
            heads.push_back(e.node);
            costs.push_back(e.cost);
        }
}

} // namespace

ContractionHierarchy::ContractionHierarchy(const AssignmentNetwork& net,
                                           std::span<const double> link_cost,
                                           std::span<const std::uint8_t> closed)
    : node_count_(net.node_count) {
    const auto links = static_cast<std::size_t>(net.link_count());
    if (link_cost.size() != links || (!closed.empty() && closed.size() != links))
        throw Error(ErrorCode::kInconsistent,
                    "contraction hierarchy: link costs or closures do not match the links");
    const auto n = static_cast<std::size_t>(node_count_);
    passable_.resize(n);
    for (std::int32_t v = 0; v < node_count_; ++v)
        passable_[static_cast<std::size_t>(v)] = net.passable(v) ? 1 : 0;
    Contractor g(node_count_, passable_);
    for (std::size_t a = 0; a < links; ++a) {
        if (!closed.empty() && closed[a] != 0)
            continue;
        if (!(link_cost[a] >= 0.0))
            throw Error(ErrorCode::kInconsistent, "contraction hierarchy: link " +
                                                      net.link_label(static_cast<std::int32_t>(a)) +
                                                      " has a negative or undefined cost");
        g.add_edge(net.init[a], net.term[a], link_cost[a]);
    }

    // Lazy updates (Geisberger et al. 2008, sec. 3.1): pop the least priority, recompute it,
    // contract the node if it is still the least, else push it back. Ties by node index.
    using Item = std::pair<std::int32_t, std::int32_t>; // priority, node
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    for (std::int32_t v = 0; v < node_count_; ++v)
        queue.push({g.priority(v), v});
    std::vector<std::vector<Edge>> up(n), down(n);
    rank_.assign(n, -1);
    std::int32_t order = 0;
    while (!queue.empty()) {
        const auto [p, v] = queue.top();
        queue.pop();
        if (rank_[static_cast<std::size_t>(v)] >= 0)
            continue;
        const std::int32_t now = g.priority(v);
        if (!queue.empty() && Item{now, v} > queue.top()) {
            queue.push({now, v});
            continue;
        }
        g.contract(v, up, down, shortcuts_);
        rank_[static_cast<std::size_t>(v)] = order++;
    }
    to_csr(up, up_offsets_, up_head_, up_cost_);
    to_csr(down, down_offsets_, down_head_, down_cost_);
    for (Side* side : {&forward_, &backward_})
        side->dist.assign(n, kUnreachable);
}

void ContractionHierarchy::settle_side(Side& side, const std::vector<std::int32_t>& offsets,
                                       const std::vector<std::int32_t>& heads,
                                       const std::vector<double>& costs, std::int32_t endpoint,
                                       double& best, const Side& other) {
    std::pop_heap(side.heap.begin(), side.heap.end(), std::greater<>());
    const auto [d, u] = side.heap.back();
    side.heap.pop_back();
    const auto uu = static_cast<std::size_t>(u);
    if (d > side.dist[uu])
        return;
    // A meeting node lies inside the path unless it is an endpoint: it must be passable.
    if (other.dist[uu] != kUnreachable && passable_[uu] != 0)
        best = std::min(best, d + other.dist[uu]);
    if (u != endpoint && passable_[uu] == 0)
        return;
    for (auto k = static_cast<std::size_t>(offsets[uu]);
         k < static_cast<std::size_t>(offsets[uu + 1]); ++k) {
        const auto w = static_cast<std::size_t>(heads[k]);
        const double nd = d + costs[k];
        if (nd < side.dist[w]) {
            if (side.dist[w] == kUnreachable)
                side.touched.push_back(heads[k]);
            side.dist[w] = nd;
            side.heap.push_back({nd, heads[k]});
            std::push_heap(side.heap.begin(), side.heap.end(), std::greater<>());
        }
    }
}

double ContractionHierarchy::distance(std::int32_t from, std::int32_t to) {
    assert(from >= 0 && from < node_count_ && to >= 0 && to < node_count_);
    if (from == to)
        return 0.0;
    for (Side* side : {&forward_, &backward_}) {
        for (const std::int32_t t : side->touched)
            side->dist[static_cast<std::size_t>(t)] = kUnreachable;
        side->touched.clear();
        side->heap.clear();
    }
    forward_.dist[static_cast<std::size_t>(from)] = 0.0;
    forward_.touched.push_back(from);
    forward_.heap.push_back({0.0, from});
    backward_.dist[static_cast<std::size_t>(to)] = 0.0;
    backward_.touched.push_back(to);
    backward_.heap.push_back({0.0, to});
    double best = kUnreachable;
    // The endpoints themselves may be met at whatever their kind (a path starts or ends there).
    auto endpoint_meet = [&] {
        const double f = forward_.dist[static_cast<std::size_t>(to)];
        const double b = backward_.dist[static_cast<std::size_t>(from)];
        best = std::min(best, std::min(f, b));
    };
    while (true) {
        const bool f_open = !forward_.heap.empty() && forward_.heap.front().first < best;
        const bool b_open = !backward_.heap.empty() && backward_.heap.front().first < best;
        if (!f_open && !b_open)
            break;
        if (f_open && (!b_open || forward_.heap.front().first <= backward_.heap.front().first))
            settle_side(forward_, up_offsets_, up_head_, up_cost_, from, best, backward_);
        else
            settle_side(backward_, down_offsets_, down_head_, down_cost_, to, best, forward_);
        endpoint_meet();
    }
    return best;
}

void ContractionHierarchy::exhaust_side(Side& side, const std::vector<std::int32_t>& offsets,
                                        const std::vector<std::int32_t>& heads,
                                        const std::vector<double>& costs, std::int32_t endpoint) {
    for (const std::int32_t t : side.touched)
        side.dist[static_cast<std::size_t>(t)] = kUnreachable;
    side.touched.clear();
    side.heap.clear();
    side.dist[static_cast<std::size_t>(endpoint)] = 0.0;
    side.touched.push_back(endpoint);
    side.heap.push_back({0.0, endpoint});
    while (!side.heap.empty()) {
        std::pop_heap(side.heap.begin(), side.heap.end(), std::greater<>());
        const auto [d, u] = side.heap.back();
        side.heap.pop_back();
        const auto uu = static_cast<std::size_t>(u);
        if (d > side.dist[uu] || (u != endpoint && passable_[uu] == 0))
            continue; // stale, or a centroid a path may not pass through
        for (auto k = static_cast<std::size_t>(offsets[uu]);
             k < static_cast<std::size_t>(offsets[uu + 1]); ++k) {
            const auto w = static_cast<std::size_t>(heads[k]);
            const double nd = d + costs[k];
            if (nd < side.dist[w]) {
                if (side.dist[w] == kUnreachable)
                    side.touched.push_back(heads[k]);
                side.dist[w] = nd;
                side.heap.push_back({nd, heads[k]});
                std::push_heap(side.heap.begin(), side.heap.end(), std::greater<>());
            }
        }
    }
}

std::vector<double> ContractionHierarchy::distance_table(std::span<const std::int32_t> sources,
                                                         std::span<const std::int32_t> targets) {
    for (const std::int32_t v : sources)
        if (v < 0 || v >= node_count_)
            throw Error(ErrorCode::kOutOfRange, "distance table: source node out of range");
    for (const std::int32_t v : targets)
        if (v < 0 || v >= node_count_)
            throw Error(ErrorCode::kOutOfRange, "distance table: target node out of range");
    const std::size_t cols = targets.size();
    std::vector<double> table(sources.size() * cols, kUnreachable);
    // Buckets in CSR form: the backward searches' labels grouped by the node they reached.
    struct Entry {
        std::int32_t node;
        std::int32_t target; ///< index into `targets`
        double cost;
    };
    std::vector<Entry> entries;
    for (std::size_t j = 0; j < cols; ++j) {
        exhaust_side(backward_, down_offsets_, down_head_, down_cost_, targets[j]);
        for (const std::int32_t v : backward_.touched)
            entries.push_back(
                {v, static_cast<std::int32_t>(j), backward_.dist[static_cast<std::size_t>(v)]});
    }
    const auto n = static_cast<std::size_t>(node_count_);
    std::vector<std::int32_t> bucket_begin(n + 1, 0);
    for (const Entry& e : entries)
        ++bucket_begin[static_cast<std::size_t>(e.node) + 1];
    for (std::size_t v = 0; v < n; ++v)
        bucket_begin[v + 1] += bucket_begin[v];
    std::vector<std::int32_t> fill(bucket_begin.begin(), bucket_begin.end() - 1);
    std::vector<std::int32_t> bucket_target(entries.size());
    std::vector<double> bucket_cost(entries.size());
    for (const Entry& e : entries) { // stable: target order within a bucket
        const auto slot = static_cast<std::size_t>(fill[static_cast<std::size_t>(e.node)]++);
        bucket_target[slot] = e.target;
        bucket_cost[slot] = e.cost;
    }
    entries = {};
    for (std::size_t i = 0; i < sources.size(); ++i) {
        const std::int32_t s = sources[i];
        exhaust_side(forward_, up_offsets_, up_head_, up_cost_, s);
        double* row = table.data() + i * cols;
        for (const std::int32_t v : forward_.touched) {
            const auto vv = static_cast<std::size_t>(v);
            const double df = forward_.dist[vv];
            // A meeting node lies inside the path unless it is one of its ends.
            const bool inner_ok = passable_[vv] != 0 || v == s;
            for (auto k = static_cast<std::size_t>(bucket_begin[vv]);
                 k < static_cast<std::size_t>(bucket_begin[vv + 1]); ++k) {
                const auto j = static_cast<std::size_t>(bucket_target[k]);
                if (!inner_ok && v != targets[j])
                    continue;
                row[j] = std::min(row[j], df + bucket_cost[k]);
            }
        }
        for (std::size_t j = 0; j < cols; ++j)
            if (targets[j] == s)
                row[j] = 0.0;
    }
    return table;
}

} // namespace rencheng::transport
