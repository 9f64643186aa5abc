// Disruption analysis: closures and capacity cuts, re-assignment, OD changes, criticality.
#include "transport/disruption.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

#include "core/atomic_file.hpp"
#include "core/csr.hpp"
#include "core/csv.hpp"
#include "core/parallel.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {

std::vector<std::uint8_t> Disruption::closed_mask(std::int32_t link_count) const {
    std::vector<std::uint8_t> closed(static_cast<std::size_t>(link_count), 0);
    for (const LinkDisruption& d : links)
        if (d.capacity_factor <= 0.0)
            closed[static_cast<std::size_t>(d.link)] = 1;
    return closed;
}

AssignmentNetwork Disruption::apply_capacity_cuts(const AssignmentNetwork& net) const {
    AssignmentNetwork cut = net;
    std::vector<double> factor(static_cast<std::size_t>(net.link_count()), 1.0);
    for (const LinkDisruption& d : links)
        factor[static_cast<std::size_t>(d.link)] =
            std::min(factor[static_cast<std::size_t>(d.link)], d.capacity_factor);
    for (std::size_t a = 0; a < factor.size(); ++a)
        if (factor[a] > 0.0 && factor[a] < 1.0)
            cut.capacity[a] *= factor[a];
    return cut;
}

Disruption parse_disruption_csv(std::string_view text, const std::string& file,
                                const AssignmentNetwork& net, Diagnostics& diags) {
    Disruption out;
    const CsvTable table = parse_csv(text, file, diags);
    const int col_link = table.column("link");
    const int col_factor = table.column("capacity_factor");
    if (col_link < 0) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "the disruption list needs a column 'link' (\"<init>-<term>\")");
        return out;
    }
    for (const CsvTable::Row& row : table.rows) {
        const std::string& id = row.fields[static_cast<std::size_t>(col_link)];
        const auto dash = id.find('-');
        std::optional<long long> from, to;
        if (dash != std::string::npos) {
            from = parse_int(std::string_view(id).substr(0, dash));
            to = parse_int(std::string_view(id).substr(dash + 1));
        }
        if (!from || !to) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, col_link + 1, id,
                        "field 'link': expected \"<init>-<term>\" with TNTP node numbers");
            continue;
        }
        const std::int32_t a =
            (*from < 1 || *to < 1 || *from > net.node_count || *to > net.node_count)
                ? -1
                : net.find_link(static_cast<std::int32_t>(*from), static_cast<std::int32_t>(*to));
        if (a < 0) {
            diags.error(ErrorCode::kUnknownReference, file, row.line, col_link + 1, id,
                        "field 'link': no link " + id + " in the network");
            continue;
        }
        double factor = 0.0;
        if (col_factor >= 0) {
            const std::string& f = row.fields[static_cast<std::size_t>(col_factor)];
            const auto v = parse_double(f);
            if (!v) {
                diags.error(ErrorCode::kNumberSyntax, file, row.line, col_factor + 1, id,
                            "field 'capacity_factor': '" + f + "' is not a number");
                continue;
            }
            if (*v < 0.0 || *v > 1.0) {
                diags.error(ErrorCode::kOutOfRange, file, row.line, col_factor + 1, id,
                            "field 'capacity_factor': " + f + " is outside [0, 1]");
                continue;
            }
            factor = *v;
        }
        out.links.push_back({a, factor});
    }
    return out;
}

Disruption read_disruption_csv(const std::filesystem::path& path, const AssignmentNetwork& net,
                               Diagnostics& diags) {
    if (auto text = read_file(path, diags))
        return parse_disruption_csv(*text, path.string(), net, diags);
    return {};
}

std::vector<double> od_costs(const AssignmentNetwork& net, const TripTable& trips,
                             std::span<const double> link_cost,
                             std::span<const std::uint8_t> closed) {
    std::vector<double> out(trips.destination.size(), kUnreachable);
    const auto zones = static_cast<std::size_t>(trips.zone_count);
    parallel_for_chunks(zones, [&](std::size_t begin, std::size_t end) {
        ShortestPathTree tree;
        ShortestPathWorkspace ws;
        for (std::size_t o = begin; o < end; ++o) {
            const auto b = static_cast<std::size_t>(trips.origin_begin[o]);
            const auto e = static_cast<std::size_t>(trips.origin_begin[o + 1]);
            if (b == e)
                continue;
            shortest_paths(net, static_cast<std::int32_t>(o), link_cost, closed, tree, ws);
            for (std::size_t k = b; k < e; ++k)
                out[k] = tree.dist[static_cast<std::size_t>(trips.destination[k])];
        }
    });
    return out;
}

namespace {

/// The undisrupted equilibrium; keeps the bushes for warm starts.
AssignmentResult assign_base(const AssignmentNetwork& net, const TripTable& trips,
                             const DisruptionOptions& options) {
    AssignmentOptions opt = options.assignment;
    opt.closed.clear();
    opt.warm_start_bush_flow.clear();
    opt.keep_bush_flows = options.warm_start;
    return assign_traffic(net, trips, opt);
}

/// Sum of demand x OD cost over the pairs with a path, and the demand of the pairs without.
void total_od_cost(const TripTable& trips, std::span<const double> cost, double& total,
                   double& unreachable) {
    total = 0.0;
    unreachable = 0.0;
    for (std::size_t k = 0; k < cost.size(); ++k) {
        if (trips.demand[k] <= 0.0)
            continue;
        if (cost[k] == kUnreachable)
            unreachable += trips.demand[k];
        else
            total += trips.demand[k] * cost[k];
    }
}

} // namespace

DisruptionResult analyse_disruption(const AssignmentNetwork& net, const TripTable& trips,
                                    const Disruption& disruption,
                                    const DisruptionOptions& options) {
    return analyse_disruption(net, trips, disruption, options, assign_base(net, trips, options));
}

DisruptionResult analyse_disruption(const AssignmentNetwork& net, const TripTable& trips,
                                    const Disruption& disruption, const DisruptionOptions& options,
                                    const AssignmentResult& base) {
    for (const LinkDisruption& d : disruption.links)
        if (d.link < 0 || d.link >= net.link_count() || !(d.capacity_factor >= 0.0) ||
            d.capacity_factor > 1.0)
            throw Error(ErrorCode::kUsage,
                        "disruption: link index or capacity factor out of range");
    DisruptionResult res;
    res.base = base;
    const AssignmentNetwork cut = disruption.apply_capacity_cuts(net);
    AssignmentOptions opt = options.assignment;
    opt.closed = disruption.closed_mask(net.link_count());
    opt.keep_bush_flows = false;
    if (options.warm_start && opt.algorithm == AssignmentAlgorithm::kAlgorithmB)
        opt.warm_start_bush_flow = base.bush_flow;
    res.disrupted = assign_traffic(cut, trips, opt);
    res.tstt_change = res.disrupted.tstt - res.base.tstt;

    // Equilibrium OD costs: at user equilibrium every used path of a pair costs the shortest.
    const std::vector<double> before = od_costs(net, trips, base.cost, {});
    const std::vector<double> after = od_costs(cut, trips, res.disrupted.cost, opt.closed);
    for (std::int32_t o = 0; o < trips.zone_count; ++o)
        for (auto k = static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o)]);
             k < static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o) + 1]);
             ++k) {
            if (trips.demand[k] <= 0.0)
                continue;
            const OdChange c{o, trips.destination[k], trips.demand[k], before[k], after[k]};
            res.od.push_back(c);
            if (before[k] != kUnreachable && after[k] == kUnreachable) {
                res.disconnected.push_back(c);
                res.disconnected_demand += c.demand;
            }
        }
    return res;
}

// ---------------------------------------------------------------------------------------------
// Link criticality

std::string_view criticality_method_name(CriticalityMethod m) {
    return m == CriticalityMethod::kReassign ? "reassign" : "reroute";
}

CriticalityResult link_criticality(const AssignmentNetwork& net, const TripTable& trips,
                                   const CriticalityOptions& options) {
    if (options.candidates < 0)
        throw Error(ErrorCode::kUsage, "criticality: the number of candidates must be >= 0");
    CriticalityResult res;
    res.base = assign_base(net, trips, options.disruption);
    const auto links = static_cast<std::size_t>(net.link_count());

    std::vector<std::int32_t> candidates(links);
    std::iota(candidates.begin(), candidates.end(), 0);
    if (options.candidates > 0 && static_cast<std::size_t>(options.candidates) < links) {
        std::stable_sort(candidates.begin(), candidates.end(), [&](std::int32_t a, std::int32_t b) {
            return res.base.flow[static_cast<std::size_t>(a)] >
                   res.base.flow[static_cast<std::size_t>(b)];
        });
        candidates.resize(static_cast<std::size_t>(options.candidates));
        std::sort(candidates.begin(), candidates.end());
    }
    res.links.resize(candidates.size());

    if (options.method == CriticalityMethod::kReassign) {
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            Disruption d;
            d.links.push_back({candidates[i], 0.0});
            AssignmentOptions opt = options.disruption.assignment;
            opt.closed = d.closed_mask(net.link_count());
            opt.keep_bush_flows = false;
            if (options.disruption.warm_start && opt.algorithm == AssignmentAlgorithm::kAlgorithmB)
                opt.warm_start_bush_flow = res.base.bush_flow;
            opt.on_iteration = nullptr;
            const AssignmentResult r = assign_traffic(net, trips, opt);
            LinkCriticality& lc = res.links[i];
            lc.link = candidates[i];
            lc.base_flow = res.base.flow[static_cast<std::size_t>(lc.link)];
            lc.tstt = r.tstt;
            lc.tstt_increase = r.tstt - res.base.tstt;
            lc.disconnected_demand =
                std::max(0.0, r.unreachable_demand - res.base.unreachable_demand);
            lc.relative_gap = r.relative_gap;
            lc.converged = r.converged;
            if (options.on_progress)
                options.on_progress(i + 1, candidates.size());
        }
    } else {
        // Fixed congested costs: one shortest-path sweep per candidate, candidates in parallel
        // (each writes only its own entry, so the result does not depend on the threads).
        double base_total = 0.0, base_lost = 0.0;
        total_od_cost(trips, od_costs(net, trips, res.base.cost, {}), base_total, base_lost);
        const auto zones = static_cast<std::size_t>(trips.zone_count);
        parallel_for_chunks(candidates.size(), [&](std::size_t begin, std::size_t end) {
            ShortestPathTree tree;
            ShortestPathWorkspace ws;
            std::vector<std::uint8_t> closed(links, 0);
            for (std::size_t i = begin; i < end; ++i) {
                const auto a = static_cast<std::size_t>(candidates[i]);
                closed[a] = 1;
                double total = 0.0, lost = 0.0;
                for (std::size_t o = 0; o < zones; ++o) {
                    const auto b = static_cast<std::size_t>(trips.origin_begin[o]);
                    const auto e = static_cast<std::size_t>(trips.origin_begin[o + 1]);
                    if (b == e)
                        continue;
                    shortest_paths(net, static_cast<std::int32_t>(o), res.base.cost, closed, tree,
                                   ws);
                    for (std::size_t k = b; k < e; ++k) {
                        const double c = tree.dist[static_cast<std::size_t>(trips.destination[k])];
                        if (c == kUnreachable)
                            lost += trips.demand[k];
                        else
                            total += trips.demand[k] * c;
                    }
                }
                closed[a] = 0;
                LinkCriticality& lc = res.links[i];
                lc.link = candidates[i];
                lc.base_flow = res.base.flow[a];
                lc.tstt = total;
                lc.tstt_increase = total - base_total;
                lc.disconnected_demand = std::max(0.0, lost - base_lost);
            }
        });
        if (options.on_progress)
            options.on_progress(candidates.size(), candidates.size());
    }

    res.by_tstt.resize(res.links.size());
    std::iota(res.by_tstt.begin(), res.by_tstt.end(), 0);
    res.by_disconnected = res.by_tstt;
    const auto& lk = res.links;
    std::stable_sort(res.by_tstt.begin(), res.by_tstt.end(), [&](std::int32_t a, std::int32_t b) {
        return lk[static_cast<std::size_t>(a)].tstt_increase >
               lk[static_cast<std::size_t>(b)].tstt_increase;
    });
    std::stable_sort(res.by_disconnected.begin(), res.by_disconnected.end(),
                     [&](std::int32_t a, std::int32_t b) {
                         const auto& la = lk[static_cast<std::size_t>(a)];
                         const auto& lb = lk[static_cast<std::size_t>(b)];
                         if (la.disconnected_demand != lb.disconnected_demand)
                             return la.disconnected_demand > lb.disconnected_demand;
                         return la.tstt_increase > lb.tstt_increase;
                     });
    return res;
}

// ---------------------------------------------------------------------------------------------
// Connectivity

std::vector<std::uint8_t> connected_to_mainland(const AssignmentNetwork& net,
                                                std::span<const std::uint8_t> closed_link,
                                                std::span<const std::uint8_t> closed_node,
                                                std::span<const double> weight) {
    const std::int32_t n = net.node_count;
    const auto nn = static_cast<std::size_t>(n);
    assert(closed_link.empty() || closed_link.size() == static_cast<std::size_t>(net.link_count()));
    assert(closed_node.empty() || closed_node.size() == nn);
    assert(weight.empty() || weight.size() == nn);
    auto node_closed = [&](std::int32_t v) {
        return !closed_node.empty() && closed_node[static_cast<std::size_t>(v)] != 0;
    };
    // A zone that may not be passed through is split: arcs arrive at its node and leave from a
    // copy (numbered n + k), so no path runs through it.
    std::vector<std::int32_t> out_copy(nn, -1);
    std::int32_t total = n;
    for (std::int32_t v = 0; v < n; ++v)
        if (!net.passable(v))
            out_copy[static_cast<std::size_t>(v)] = total++;
    std::vector<std::int32_t> tails, heads;
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const auto k = static_cast<std::size_t>(a);
        const std::int32_t i = net.init[k], j = net.term[k];
        if ((!closed_link.empty() && closed_link[k] != 0) || node_closed(i) || node_closed(j))
            continue;
        const std::int32_t oc = out_copy[static_cast<std::size_t>(i)];
        tails.push_back(oc >= 0 ? oc : i);
        heads.push_back(j);
    }
    const CsrGraph g = build_csr(total, tails, heads);
    const CsrGraph gt = transpose(g);
    std::int32_t count = 0;
    const std::vector<std::int32_t> comp = strongly_connected_components(g, count);
    // The mainland: the component with the largest weight of open network nodes, ties to the
    // lowest node.
    std::vector<double> size(static_cast<std::size_t>(count), 0.0);
    for (std::int32_t v = 0; v < n; ++v)
        if (!node_closed(v))
            size[static_cast<std::size_t>(comp[static_cast<std::size_t>(v)])] +=
                weight.empty() ? 1.0 : weight[static_cast<std::size_t>(v)];
    std::int32_t best = -1;
    for (std::int32_t v = 0; v < n; ++v) {
        if (node_closed(v))
            continue;
        const std::int32_t c = comp[static_cast<std::size_t>(v)];
        if (best < 0 || size[static_cast<std::size_t>(c)] > size[static_cast<std::size_t>(best)])
            best = c;
    }
    std::vector<std::uint8_t> connected(nn, 0);
    if (best < 0)
        return connected;
    // Nodes reachable from the mainland (forward) and nodes that reach it (backward).
    auto sweep = [&](const CsrGraph& graph) {
        std::vector<std::uint8_t> seen(static_cast<std::size_t>(total), 0);
        std::vector<std::int32_t> stack;
        for (std::int32_t v = 0; v < total; ++v)
            if (comp[static_cast<std::size_t>(v)] == best) {
                seen[static_cast<std::size_t>(v)] = 1;
                stack.push_back(v);
            }
        while (!stack.empty()) {
            const std::int32_t u = stack.back();
            stack.pop_back();
            for (const std::int32_t w : graph.neighbours(u))
                if (seen[static_cast<std::size_t>(w)] == 0) {
                    seen[static_cast<std::size_t>(w)] = 1;
                    stack.push_back(w);
                }
        }
        return seen;
    };
    const std::vector<std::uint8_t> from_main = sweep(g);
    const std::vector<std::uint8_t> to_main = sweep(gt);
    for (std::int32_t v = 0; v < n; ++v) {
        if (node_closed(v))
            continue;
        const std::int32_t oc = out_copy[static_cast<std::size_t>(v)];
        const std::int32_t leaves = oc >= 0 ? oc : v;
        connected[static_cast<std::size_t>(v)] =
            from_main[static_cast<std::size_t>(v)] != 0 &&
                    to_main[static_cast<std::size_t>(leaves)] != 0
                ? 1
                : 0;
    }
    return connected;
}

std::vector<NodeCriticality> node_criticality(const AssignmentNetwork& net,
                                              std::span<const double> population,
                                              std::span<const std::uint8_t> closed_link) {
    const auto n = static_cast<std::size_t>(net.node_count);
    if (population.size() != n)
        throw Error(ErrorCode::kInconsistent,
                    "node criticality: " + std::to_string(population.size()) +
                        " population values for " + std::to_string(n) + " nodes");
    const std::vector<std::uint8_t> before =
        connected_to_mainland(net, closed_link, {}, population);
    std::vector<NodeCriticality> out(n);
    parallel_for_chunks(n, [&](std::size_t begin, std::size_t end) {
        std::vector<std::uint8_t> closed_node(n, 0);
        for (std::size_t v = begin; v < end; ++v) {
            closed_node[v] = 1;
            const std::vector<std::uint8_t> after =
                connected_to_mainland(net, closed_link, closed_node, population);
            closed_node[v] = 0;
            NodeCriticality& c = out[v];
            c.node = static_cast<std::int32_t>(v);
            c.own_population = population[v];
            for (std::size_t u = 0; u < n; ++u)
                if (u != v && before[u] != 0 && after[u] == 0) {
                    c.isolated_population += population[u];
                    ++c.isolated_nodes;
                }
        }
    });
    std::stable_sort(out.begin(), out.end(),
                     [](const NodeCriticality& a, const NodeCriticality& b) {
                         const double pa = a.own_population + a.isolated_population;
                         const double pb = b.own_population + b.isolated_population;
                         if (pa != pb)
                             return pa > pb;
                         return a.isolated_nodes > b.isolated_nodes;
                     });
    return out;
}

} // namespace rencheng::transport
