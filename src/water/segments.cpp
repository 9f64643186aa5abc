// Valve segments: union-find over nodes and link ends, with valves cutting link ends off nodes.
#include "water/segments.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"

namespace rencheng::water {

namespace {

struct UnionFind {
    std::vector<std::int32_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::int32_t find(std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            auto& p = parent[static_cast<std::size_t>(x)];
            p = parent[static_cast<std::size_t>(p)]; // path halving
            x = p;
        }
        return x;
    }
    void unite(std::int32_t a, std::int32_t b) {
        a = find(a);
        b = find(b);
        if (a != b)
            parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
    }
};

bool is_pipe(const Network& net, std::size_t k) {
    return net.link_kind[k] == LinkKind::kPipe || net.link_kind[k] == LinkKind::kCvPipe;
}

} // namespace

Segments compute_segments(const Network& net, const std::vector<IsolationValve>& valves) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    // Vertices: nodes, then each link's start end (nn + 2k) and end end (nn + 2k + 1).
    std::vector<std::uint8_t> valved(2 * nl, 0);
    for (std::size_t v = 0; v < valves.size(); ++v) {
        const IsolationValve& iv = valves[v];
        if (!iv.link.valid() || iv.link.value() < 0 || iv.link.value() >= net.link_count() ||
            !iv.node.valid())
            throw Error(ErrorCode::kOutOfRange, "valve " + std::to_string(v) + ": no such link");
        const std::size_t k = iv.link.idx();
        if (net.from_node[k] == iv.node)
            valved[2 * k] = 1;
        else if (net.to_node[k] == iv.node)
            valved[2 * k + 1] = 1;
        else
            throw Error(ErrorCode::kOutOfRange, "valve " + std::to_string(v) + " on link " +
                                                    net.link_id[k] +
                                                    ": its node is not an end of the link");
    }
    UnionFind uf(nn + 2 * nl);
    const auto vertex = [&](std::size_t x) { return static_cast<std::int32_t>(x); };
    for (std::size_t k = 0; k < nl; ++k) {
        uf.unite(vertex(nn + 2 * k), vertex(nn + 2 * k + 1));
        if (!valved[2 * k])
            uf.unite(vertex(nn + 2 * k), vertex(net.from_node[k].idx()));
        if (!valved[2 * k + 1])
            uf.unite(vertex(nn + 2 * k + 1), vertex(net.to_node[k].idx()));
    }
    Segments s;
    std::vector<std::int32_t> label(nn + 2 * nl, -1);
    auto segment_of = [&](std::size_t x) {
        const auto r = static_cast<std::size_t>(uf.find(vertex(x)));
        if (label[r] < 0)
            label[r] = s.count++;
        return label[r];
    };
    s.node_segment.resize(nn);
    s.link_segment.resize(nl);
    for (std::size_t i = 0; i < nn; ++i)
        s.node_segment[i] = segment_of(i);
    for (std::size_t k = 0; k < nl; ++k)
        s.link_segment[k] = segment_of(nn + 2 * k);
    // Border valves, grouped by segment with a counting sort (a valve borders both its sides).
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    for (std::size_t v = 0; v < valves.size(); ++v) {
        const std::int32_t a = s.link_segment[valves[v].link.idx()];
        const std::int32_t b = s.node_segment[valves[v].node.idx()];
        if (a == b)
            continue; // water goes around this valve: it isolates nothing
        pairs.emplace_back(a, static_cast<std::int32_t>(v));
        pairs.emplace_back(b, static_cast<std::int32_t>(v));
    }
    s.border_begin.assign(static_cast<std::size_t>(s.count) + 1, 0);
    for (const auto& p : pairs)
        ++s.border_begin[static_cast<std::size_t>(p.first) + 1];
    for (std::size_t i = 1; i < s.border_begin.size(); ++i)
        s.border_begin[i] += s.border_begin[i - 1];
    s.border_valves.resize(pairs.size());
    std::vector<std::int32_t> fill(s.border_begin.begin(), s.border_begin.end() - 1);
    for (const auto& p : pairs)
        s.border_valves[static_cast<std::size_t>(fill[static_cast<std::size_t>(p.first)]++)] =
            p.second;
    return s;
}

Isolation isolate_link(const Network& net, const std::vector<IsolationValve>& valves,
                       const Segments& segments, LinkIndex link) {
    if (!link.valid() || link.value() < 0 || link.value() >= net.link_count())
        throw Error(ErrorCode::kOutOfRange, "isolate_link: no such link");
    Isolation out;
    const std::int32_t seg = segments.link_segment[link.idx()];
    out.segment = seg;
    const auto b = static_cast<std::size_t>(segments.border_begin[static_cast<std::size_t>(seg)]);
    const auto e =
        static_cast<std::size_t>(segments.border_begin[static_cast<std::size_t>(seg) + 1]);
    out.valves_to_close.assign(segments.border_valves.begin() + static_cast<std::ptrdiff_t>(b),
                               segments.border_valves.begin() + static_cast<std::ptrdiff_t>(e));
    std::sort(out.valves_to_close.begin(), out.valves_to_close.end());
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    for (std::size_t i = 0; i < nn; ++i)
        if (segments.node_segment[i] == seg)
            out.segment_nodes.emplace_back(static_cast<std::int32_t>(i));
    for (std::size_t k = 0; k < nl; ++k)
        if (segments.link_segment[k] == seg)
            out.segment_links.emplace_back(static_cast<std::int32_t>(k));
    out.links_to_close = out.segment_links;
    for (const std::int32_t v : out.valves_to_close)
        out.links_to_close.push_back(valves[static_cast<std::size_t>(v)].link);
    std::sort(out.links_to_close.begin(), out.links_to_close.end());
    out.links_to_close.erase(std::unique(out.links_to_close.begin(), out.links_to_close.end()),
                             out.links_to_close.end());
    // Breadth-first search from every source outside the segment over open links outside it.
    const CsrGraph adj = net.adjacency();
    std::vector<std::uint8_t> reached(nn, 0);
    std::vector<std::int32_t> queue;
    for (std::size_t i = 0; i < nn; ++i)
        if (net.node_kind[i] != NodeKind::kJunction && segments.node_segment[i] != seg) {
            reached[i] = 1;
            queue.push_back(static_cast<std::int32_t>(i));
        }
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const std::int32_t u = queue[q];
        const auto arcs = adj.arcs(u);
        const auto heads = adj.neighbours(u);
        for (std::size_t a = 0; a < arcs.size(); ++a) {
            const auto k = static_cast<std::size_t>(arcs[a]);
            const auto w = static_cast<std::size_t>(heads[a]);
            if (reached[w] || segments.link_segment[k] == seg || segments.node_segment[w] == seg ||
                (is_pipe(net, k) && net.initial_status[k] == LinkStatus::kClosed))
                continue;
            reached[w] = 1;
            queue.push_back(heads[a]);
        }
    }
    out.nodes_without_water = out.segment_nodes;
    for (std::size_t i = 0; i < nn; ++i)
        if (!reached[i] && segments.node_segment[i] != seg) {
            out.cut_off_nodes.emplace_back(static_cast<std::int32_t>(i));
            out.nodes_without_water.emplace_back(static_cast<std::int32_t>(i));
        }
    out.reason = "link " + net.link_id[link.idx()] + " isolated in segment " + std::to_string(seg) +
                 " by closing " + std::to_string(out.valves_to_close.size()) +
                 " valve(s): " + std::to_string(out.segment_nodes.size()) +
                 " node(s) in the segment, " + std::to_string(out.cut_off_nodes.size()) +
                 " more cut off from every source";
    return out;
}

std::vector<IsolationValve> valve_layer_n_minus_1(const Network& net) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    // The pipe left without a valve at each node: the one with the largest index.
    std::vector<std::int32_t> skip(nn, -1);
    for (std::size_t k = 0; k < nl; ++k)
        if (is_pipe(net, k))
            for (const NodeIndex n : {net.from_node[k], net.to_node[k]})
                skip[n.idx()] = static_cast<std::int32_t>(k);
    std::vector<IsolationValve> out;
    for (std::size_t k = 0; k < nl; ++k) {
        if (!is_pipe(net, k))
            continue;
        for (const NodeIndex n : {net.from_node[k], net.to_node[k]})
            if (skip[n.idx()] != static_cast<std::int32_t>(k))
                out.push_back({LinkIndex{static_cast<std::int32_t>(k)}, n});
    }
    return out;
}

std::vector<IsolationValve> valve_layer_random(const Network& net, double fraction,
                                               RngStream& rng) {
    std::vector<IsolationValve> out;
    for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
        if (!is_pipe(net, k))
            continue;
        for (const NodeIndex n : {net.from_node[k], net.to_node[k]})
            if (rng.uniform() < fraction)
                out.push_back({LinkIndex{static_cast<std::int32_t>(k)}, n});
    }
    return out;
}

} // namespace rencheng::water
