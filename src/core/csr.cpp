// CSR adjacency by counting sort; strongly and weakly connected components.
#include "core/csr.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "core/error.hpp"

namespace rencheng {

namespace {

// Counting sort of arcs by tail (stable): `arc_at(k)` gives (tail, head, id) of the k-th arc in
// input order, so arcs of one tail keep their input order.
template <typename ArcAt>
CsrGraph counting_sort(std::int32_t node_count, std::size_t arc_count, ArcAt arc_at) {
    CsrGraph g;
    g.offsets.assign(static_cast<std::size_t>(node_count) + 1, 0);
    g.heads.resize(arc_count);
    g.arc_ids.resize(arc_count);
    for (std::size_t k = 0; k < arc_count; ++k)
        ++g.offsets[static_cast<std::size_t>(arc_at(k).tail) + 1];
    for (std::size_t u = 0; u < static_cast<std::size_t>(node_count); ++u)
        g.offsets[u + 1] += g.offsets[u];
    std::vector<std::int32_t> next(g.offsets.begin(), g.offsets.end() - 1);
    for (std::size_t k = 0; k < arc_count; ++k) {
        const auto a = arc_at(k);
        const auto slot = static_cast<std::size_t>(next[static_cast<std::size_t>(a.tail)]++);
        g.heads[slot] = a.head;
        g.arc_ids[slot] = a.id;
    }
    return g;
}

struct Arc {
    std::int32_t tail, head, id;
};

} // namespace

CsrGraph build_csr(std::int32_t node_count, std::span<const std::int32_t> tails,
                   std::span<const std::int32_t> heads) {
    if (node_count < 0)
        throw Error(ErrorCode::kInternal,
                    "build_csr: negative node count " + std::to_string(node_count));
    if (tails.size() != heads.size())
        throw Error(ErrorCode::kInternal, "build_csr: " + std::to_string(tails.size()) +
                                              " tails but " + std::to_string(heads.size()) +
                                              " heads");
    if (tails.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        throw Error(ErrorCode::kInternal, "build_csr: too many arcs for 32-bit indices");
    for (std::size_t k = 0; k < tails.size(); ++k) {
        if (tails[k] < 0 || tails[k] >= node_count || heads[k] < 0 || heads[k] >= node_count)
            throw Error(ErrorCode::kInternal, "build_csr: arc " + std::to_string(k) + " (" +
                                                  std::to_string(tails[k]) + " -> " +
                                                  std::to_string(heads[k]) + ") outside [0, " +
                                                  std::to_string(node_count) + ")");
    }
    return counting_sort(node_count, tails.size(), [&](std::size_t k) {
        return Arc{tails[k], heads[k], static_cast<std::int32_t>(k)};
    });
}

CsrGraph transpose(const CsrGraph& g) {
    const std::int32_t n = g.node_count();
    // Tail of the k-th arc in CSR order, so the reversed arcs can be fed in that order.
    std::vector<std::int32_t> tail_of(g.heads.size());
    for (std::int32_t u = 0; u < n; ++u)
        for (std::int32_t k = g.offsets[static_cast<std::size_t>(u)];
             k < g.offsets[static_cast<std::size_t>(u) + 1]; ++k)
            tail_of[static_cast<std::size_t>(k)] = u;
    return counting_sort(n, g.heads.size(), [&](std::size_t k) {
        return Arc{g.heads[k], tail_of[k], g.arc_ids[k]};
    });
}

std::vector<std::int32_t> strongly_connected_components(const CsrGraph& g, std::int32_t& count) {
    // Tarjan (1972), "Depth-first search and linear graph algorithms", with the recursion replaced
    // by an explicit stack of (node, next arc) frames so that 1e6-node paths do not overflow the
    // call stack.
    const auto n = static_cast<std::size_t>(g.node_count());
    constexpr std::int32_t kUnvisited = -1;
    std::vector<std::int32_t> index(n, kUnvisited), low(n, 0), comp(n, -1);
    std::vector<char> on_stack(n, 0);
    std::vector<std::int32_t> tarjan_stack;
    struct Frame {
        std::int32_t node, next_arc;
    };
    std::vector<Frame> call;
    std::int32_t next_index = 0;
    count = 0;
    for (std::size_t root = 0; root < n; ++root) {
        if (index[root] != kUnvisited)
            continue;
        auto visit = [&](std::int32_t v) {
            const auto vi = static_cast<std::size_t>(v);
            index[vi] = low[vi] = next_index++;
            tarjan_stack.push_back(v);
            on_stack[vi] = 1;
            call.push_back({v, g.offsets[vi]});
        };
        visit(static_cast<std::int32_t>(root));
        while (!call.empty()) {
            Frame& f = call.back();
            const auto v = static_cast<std::size_t>(f.node);
            if (f.next_arc < g.offsets[v + 1]) {
                const auto w = g.heads[static_cast<std::size_t>(f.next_arc++)];
                const auto wi = static_cast<std::size_t>(w);
                if (index[wi] == kUnvisited) {
                    visit(w); // invalidates f
                } else if (on_stack[wi]) {
                    low[v] = std::min(low[v], index[wi]);
                }
                continue;
            }
            // All arcs of v done: v roots a component if nothing below reached higher.
            if (low[v] == index[v]) {
                std::int32_t w;
                do {
                    w = tarjan_stack.back();
                    tarjan_stack.pop_back();
                    on_stack[static_cast<std::size_t>(w)] = 0;
                    comp[static_cast<std::size_t>(w)] = count;
                } while (static_cast<std::size_t>(w) != v);
                ++count;
            }
            call.pop_back();
            if (!call.empty()) {
                const auto parent = static_cast<std::size_t>(call.back().node);
                low[parent] = std::min(low[parent], low[v]);
            }
        }
    }
    return comp;
}

std::vector<std::int32_t> weakly_connected_components(const CsrGraph& g, std::int32_t& count) {
    // Union-find with union by size and path halving (Tarjan & van Leeuwen 1984).
    const auto n = static_cast<std::size_t>(g.node_count());
    std::vector<std::int32_t> parent(n), size(n, 1);
    for (std::size_t i = 0; i < n; ++i)
        parent[i] = static_cast<std::int32_t>(i);
    auto find = [&](std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            auto& p = parent[static_cast<std::size_t>(x)];
            p = parent[static_cast<std::size_t>(p)];
            x = p;
        }
        return x;
    };
    for (std::size_t u = 0; u < n; ++u) {
        for (const std::int32_t v : g.neighbours(static_cast<std::int32_t>(u))) {
            auto a = find(static_cast<std::int32_t>(u));
            auto b = find(v);
            if (a == b)
                continue;
            if (size[static_cast<std::size_t>(a)] < size[static_cast<std::size_t>(b)])
                std::swap(a, b);
            parent[static_cast<std::size_t>(b)] = a;
            size[static_cast<std::size_t>(a)] += size[static_cast<std::size_t>(b)];
        }
    }
    // Number components by their lowest node, so the numbering does not depend on union order.
    std::vector<std::int32_t> comp(n, -1), root_comp(n, -1);
    count = 0;
    for (std::size_t u = 0; u < n; ++u) {
        const auto r = static_cast<std::size_t>(find(static_cast<std::int32_t>(u)));
        if (root_comp[r] < 0)
            root_comp[r] = count++;
        comp[u] = root_comp[r];
    }
    return comp;
}

} // namespace rencheng
