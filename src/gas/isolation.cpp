// Isolation of a gas break: a search from the break against the direction gas can flow, stopped
// by open valves (the ones to close), then a search from the sources for who keeps supply.
#include "gas/isolation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace rencheng::gas {

namespace {

void check_time(double v, const char* name) {
    if (!std::isfinite(v) || v < 0.0)
        throw Error(ErrorCode::kOutOfRange,
                    std::string("isolation option ") + name + " must be a time >= 0 s");
}

} // namespace

void IsolationOptions::validate() const {
    check_time(automatic_close_s, "automatic_close_s");
    check_time(remote_close_s, "remote_close_s");
    check_time(manual_response_s, "manual_response_s");
    check_time(manual_close_s, "manual_close_s");
    if (manual_crews < 1)
        throw Error(ErrorCode::kOutOfRange, "isolation option manual_crews must be at least 1");
}

bool is_one_way(const Network& net, std::size_t k) {
    const ConnectionKind kind = net.connection_kind[k];
    return kind == ConnectionKind::kRegulator || kind == ConnectionKind::kCompressor;
}

std::vector<std::uint8_t> nodes_reached_from_sources(const Network& net,
                                                     const std::vector<std::uint8_t>& closed,
                                                     const std::vector<std::uint8_t>& source_out) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nc = static_cast<std::size_t>(net.connection_count());
    if (closed.size() != nc || (!source_out.empty() && source_out.size() != nn))
        throw Error(ErrorCode::kInternal, "nodes_reached_from_sources: mask sizes do not match");
    const CsrGraph adj = net.adjacency();
    std::vector<std::uint8_t> reached(nn, 0);
    std::vector<std::int32_t> queue;
    for (std::size_t i = 0; i < nn; ++i)
        if (net.node_kind[i] == NodeKind::kSource && (source_out.empty() || source_out[i] == 0)) {
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
            if (reached[w] || closed[k] != 0 || net.open[k] == 0)
                continue;
            // Downstream only through a station: from its inlet to its outlet.
            if (is_one_way(net, k) && net.from_node[k].value() != u)
                continue;
            reached[w] = 1;
            queue.push_back(heads[a]);
        }
    }
    return reached;
}

Isolation isolate_break(const Network& net, ConnectionIndex broken,
                        const IsolationOptions& options) {
    options.validate();
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nc = static_cast<std::size_t>(net.connection_count());
    if (!broken.valid() || broken.value() < 0 || broken.idx() >= nc)
        throw Error(ErrorCode::kOutOfRange, "isolate_break: no such connection");
    Isolation out;
    out.broken = broken;
    const std::size_t b = broken.idx();

    // Search from both ends of the break for every node gas can reach it from. Gas enters a
    // station only at its inlet, so from a station's outlet the search continues to the inlet
    // but never from the inlet to the outlet. Open valves stop the search: they are the ones to
    // close. (A broken valve is itself part of the segment.)
    const CsrGraph adj = net.adjacency();
    std::vector<std::uint8_t> in_segment(nn, 0), crossed(nc, 0), border(nc, 0);
    std::vector<std::int32_t> queue;
    crossed[b] = 1;
    for (const NodeIndex end : {net.from_node[b], net.to_node[b]})
        if (!in_segment[end.idx()]) {
            in_segment[end.idx()] = 1;
            queue.push_back(end.value());
        }
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const std::int32_t u = queue[q];
        const auto arcs = adj.arcs(u);
        const auto heads = adj.neighbours(u);
        for (std::size_t a = 0; a < arcs.size(); ++a) {
            const auto k = static_cast<std::size_t>(arcs[a]);
            if (k == b || net.open[k] == 0)
                continue;
            if (net.connection_kind[k] == ConnectionKind::kValve) {
                border[k] = 1;
                continue;
            }
            if (is_one_way(net, k) && net.to_node[k].value() != u)
                continue; // gas cannot flow back through the station from its outlet side
            crossed[k] = 1;
            const auto w = static_cast<std::size_t>(heads[a]);
            if (!in_segment[w]) {
                in_segment[w] = 1;
                queue.push_back(heads[a]);
            }
        }
    }

    // Valves with the segment on both sides shut nothing off, nor do valves whose far side no
    // gas can come from (a dead end, or only the inlet of a station beyond it, as in front of a
    // district regulator). The rest are closed in index order, manual ones shared out among the
    // crews in turn.
    auto feeds = [&](std::size_t valve, std::size_t far) {
        if (net.node_kind[far] == NodeKind::kSource)
            return true;
        const auto arcs = adj.arcs(static_cast<std::int32_t>(far));
        for (const std::int32_t arc : arcs) {
            const auto k = static_cast<std::size_t>(arc);
            if (k == valve || net.open[k] == 0)
                continue;
            if (!is_one_way(net, k) || net.to_node[k].idx() == far)
                return true;
        }
        return false;
    };
    std::int32_t manual_done = 0;
    for (std::size_t k = 0; k < nc; ++k) {
        if (!border[k])
            continue;
        const std::size_t from = net.from_node[k].idx(), to = net.to_node[k].idx();
        if (in_segment[from] && in_segment[to])
            continue;
        if (!feeds(k, in_segment[from] ? to : from))
            continue;
        ValveToClose v;
        v.valve = ConnectionIndex{static_cast<std::int32_t>(k)};
        v.kind = net.valve_kind[k] == ValveKind::kNone ? ValveKind::kManual : net.valve_kind[k];
        switch (v.kind) {
        case ValveKind::kAutoExcessFlow:
            v.close_time_s = options.automatic_close_s;
            break;
        case ValveKind::kRemote:
            v.close_time_s = options.remote_close_s;
            break;
        default: {
            const std::int32_t round = manual_done / options.manual_crews + 1;
            v.close_time_s = options.manual_response_s + round * options.manual_close_s;
            ++manual_done;
            break;
        }
        }
        out.isolation_time_s = std::max(out.isolation_time_s, v.close_time_s);
        out.valves.push_back(v);
    }
    for (std::size_t i = 0; i < nn; ++i) {
        if (!in_segment[i])
            continue;
        out.segment_nodes.emplace_back(static_cast<std::int32_t>(i));
        if (net.node_kind[i] == NodeKind::kSource) {
            out.sources_to_shut.emplace_back(static_cast<std::int32_t>(i));
            out.isolation_time_s = std::max(out.isolation_time_s, options.remote_close_s);
        }
        if (net.node_kind[i] == NodeKind::kCustomer)
            out.customers_in_segment.emplace_back(static_cast<std::int32_t>(i));
    }
    for (std::size_t k = 0; k < nc; ++k)
        if (crossed[k])
            out.segment_connections.emplace_back(static_cast<std::int32_t>(k));

    // Who keeps gas: every connection touching the segment is out (the closed valves among
    // them), and so are the sources shut in.
    std::vector<std::uint8_t> closed(nc, 0), source_out(nn, 0);
    for (std::size_t k = 0; k < nc; ++k)
        if (in_segment[net.from_node[k].idx()] || in_segment[net.to_node[k].idx()])
            closed[k] = 1;
    for (const NodeIndex s : out.sources_to_shut)
        source_out[s.idx()] = 1;
    const std::vector<std::uint8_t> reached = nodes_reached_from_sources(net, closed, source_out);
    for (std::size_t i = 0; i < nn; ++i)
        if (!in_segment[i] && !reached[i] && net.node_kind[i] == NodeKind::kCustomer)
            out.customers_cut_off.emplace_back(static_cast<std::int32_t>(i));
    for (const auto* list : {&out.customers_in_segment, &out.customers_cut_off})
        for (const NodeIndex c : *list) {
            out.demand_lost_m3s += std::max(0.0, net.demand_m3s[c.idx()]);
            out.households_lost += net.customer_count[c.idx()];
        }

    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "%zu valve(s) to close%s, shut by %.0f s: %zu node(s) in the segment, "
                  "%zu customer(s) in it and %zu more cut off",
                  out.valves.size(),
                  out.sources_to_shut.empty() ? "" : " and gate station(s) to shut in",
                  out.isolation_time_s, out.segment_nodes.size(), out.customers_in_segment.size(),
                  out.customers_cut_off.size());
    out.reason = "connection " + net.connection_id[b] + ": " + buf;
    return out;
}

} // namespace rencheng::gas
