// Evacuation: shelter assignment by minimum-cost flow and a quickest-flow clearance bound.
#include "transport/evacuation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "transport/min_cost_flow.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::transport {

std::string EvacuationOptions::validate() const {
    if (!(vehicle_occupancy > 0.0) || !std::isfinite(vehicle_occupancy))
        return "the vehicle occupancy must be a finite number > 0";
    for (const double t : link_time)
        if (!(t >= 0.0) || !std::isfinite(t))
            return "link times must be finite numbers >= 0";
    return {};
}

double quickest_time_min(std::span<const double> rate_vehh, std::span<const double> time_min,
                         double volume_veh) {
    if (!(volume_veh > 0.0))
        return 0.0;
    // On [time_k, time_k+1] the delivered volume is R_k T - C_k with R_k the summed rates (per
    // minute) of the first k+1 steps and C_k the summed rate x time.
    double r = 0.0, c = 0.0;
    for (std::size_t k = 0; k < rate_vehh.size(); ++k) {
        if (!(rate_vehh[k] > 0.0))
            continue;
        r += rate_vehh[k] / 60.0;
        c += rate_vehh[k] / 60.0 * time_min[k];
        const double t = (volume_veh + c) / r;
        std::size_t next = k + 1;
        while (next < rate_vehh.size() && !(rate_vehh[next] > 0.0))
            ++next;
        if (next == rate_vehh.size() || t <= time_min[next])
            return t;
    }
    return std::numeric_limits<double>::infinity();
}

namespace {

void check_sites(const AssignmentNetwork& net, std::span<const EvacuationZone> zones,
                 std::span<const Shelter> shelters) {
    const auto n = static_cast<std::size_t>(net.node_count);
    std::vector<std::uint8_t> zone_at(n, 0), shelter_at(n, 0);
    for (const auto& z : zones) {
        if (z.node < 0 || static_cast<std::size_t>(z.node) >= n || !(z.people >= 0.0) ||
            !std::isfinite(z.people))
            throw Error(ErrorCode::kInconsistent, "evacuation: a zone has a bad node or count");
        if (zone_at[static_cast<std::size_t>(z.node)]++ != 0)
            throw Error(ErrorCode::kInconsistent,
                        "evacuation: two zones on node " + std::to_string(z.node + 1));
    }
    for (const auto& s : shelters) {
        if (s.node < 0 || static_cast<std::size_t>(s.node) >= n || !(s.capacity_people >= 0.0) ||
            !std::isfinite(s.capacity_people))
            throw Error(ErrorCode::kInconsistent,
                        "evacuation: a shelter has a bad node or capacity");
        if (shelter_at[static_cast<std::size_t>(s.node)]++ != 0)
            throw Error(ErrorCode::kInconsistent,
                        "evacuation: two shelters on node " + std::to_string(s.node + 1));
    }
}

} // namespace

EvacuationResult plan_evacuation(const AssignmentNetwork& net,
                                 std::span<const EvacuationZone> zones,
                                 std::span<const Shelter> shelters,
                                 const EvacuationOptions& options) {
    if (auto why = options.validate(); !why.empty())
        throw Error(ErrorCode::kUsage, "evacuation options: " + why);
    const auto links = static_cast<std::size_t>(net.link_count());
    if ((!options.link_time.empty() && options.link_time.size() != links) ||
        (!options.closed.empty() && options.closed.size() != links))
        throw Error(ErrorCode::kInconsistent,
                    "evacuation: link times or closures do not match the network's links");
    check_sites(net, zones, shelters);
    const std::vector<double> time =
        options.link_time.empty() ? net.free_flow_time : options.link_time;
    std::vector<std::uint8_t> closed(links, 0);
    for (std::size_t a = 0; a < links; ++a)
        closed[a] =
            (!options.closed.empty() && options.closed[a] != 0) || !(net.capacity[a] > 0.0) ? 1 : 0;

    const std::size_t nz = zones.size(), ns = shelters.size();
    EvacuationResult res;
    res.zone_served.assign(nz, 0.0);
    res.zone_unserved.assign(nz, 0.0);
    res.zone_cut_off.assign(nz, 0);
    res.shelter_people.assign(ns, 0.0);

    // Zone-to-shelter shortest times (the road network has no limit on how many people pass,
    // so the people's min-cost flow is a transportation problem on these times).
    std::vector<double> d(nz * ns, kUnreachable);
    {
        ShortestPathTree tree;
        ShortestPathWorkspace ws;
        for (std::size_t z = 0; z < nz; ++z) {
            if (!(zones[z].people > 0.0))
                continue;
            shortest_paths(net, zones[z].node, time, closed, tree, ws);
            for (std::size_t s = 0; s < ns; ++s)
                d[z * ns + s] = tree.dist[static_cast<std::size_t>(shelters[s].node)];
        }
    }

    // 1. People on a shelter's own node go there first (no travel; this also keeps the nodes
    //    that send vehicles apart from those that receive them, which step 3 relies on).
    std::vector<double> supply(nz), room(ns);
    for (std::size_t s = 0; s < ns; ++s)
        room[s] = shelters[s].capacity_people;
    std::vector<double> assigned(nz * ns, 0.0);
    for (std::size_t z = 0; z < nz; ++z) {
        supply[z] = zones[z].people;
        res.people_total += zones[z].people;
        for (std::size_t s = 0; s < ns; ++s)
            if (shelters[s].node == zones[z].node) {
                const double q = std::min(supply[z], room[s]);
                assigned[z * ns + s] += q;
                supply[z] -= q;
                room[s] -= q;
            }
    }

    // 2. The rest: min-cost flow source -> zone -> shelter -> sink, arc costs the shortest
    //    times, capacities the people left and the places left.
    {
        const auto source = static_cast<std::int32_t>(nz + ns);
        const std::int32_t sink = source + 1;
        MinCostFlow mcf(sink + 1);
        std::vector<std::int32_t> pair_arc(nz * ns, -1);
        for (std::size_t z = 0; z < nz; ++z)
            if (supply[z] > 0.0)
                mcf.add_arc(source, static_cast<std::int32_t>(z), supply[z], 0.0);
        for (std::size_t s = 0; s < ns; ++s)
            if (room[s] > 0.0)
                mcf.add_arc(static_cast<std::int32_t>(nz + s), sink, room[s], 0.0);
        for (std::size_t z = 0; z < nz; ++z)
            for (std::size_t s = 0; s < ns; ++s)
                if (supply[z] > 0.0 && room[s] > 0.0 && d[z * ns + s] != kUnreachable)
                    pair_arc[z * ns + s] =
                        mcf.add_arc(static_cast<std::int32_t>(z), static_cast<std::int32_t>(nz + s),
                                    MinCostFlow::kInfiniteCapacity, d[z * ns + s]);
        mcf.solve(source, sink);
        for (std::size_t k = 0; k < nz * ns; ++k)
            if (pair_arc[k] >= 0)
                assigned[k] += mcf.flow(pair_arc[k]);
    }

    std::vector<std::uint8_t> sends(static_cast<std::size_t>(net.node_count), 0);
    std::vector<std::uint8_t> receives(static_cast<std::size_t>(net.node_count), 0);
    bool any_path = false;
    double first = kUnreachable;
    for (std::size_t z = 0; z < nz; ++z) {
        bool reachable = false;
        for (std::size_t s = 0; s < ns; ++s) {
            const double t = d[z * ns + s];
            reachable = reachable || t != kUnreachable;
            const double q = assigned[z * ns + s];
            if (!(q > 0.0))
                continue;
            res.assignments.push_back(
                {static_cast<std::int32_t>(z), static_cast<std::int32_t>(s), q, t});
            res.zone_served[z] += q;
            res.shelter_people[s] += q;
            res.total_travel_time_people += q * t;
            if (shelters[s].node != zones[z].node) {
                res.people_moving += q;
                sends[static_cast<std::size_t>(zones[z].node)] = 1;
                receives[static_cast<std::size_t>(shelters[s].node)] = 1;
                any_path = true;
                first = std::min(first, t);
            }
        }
        res.zone_unserved[z] = std::max(0.0, zones[z].people - res.zone_served[z]);
        if (!reachable && zones[z].people > 0.0) {
            res.zone_cut_off[z] = 1;
            res.people_cut_off += zones[z].people;
        }
        res.people_served += res.zone_served[z];
    }
    res.people_unserved = std::max(0.0, res.people_total - res.people_served);
    res.vehicles = res.people_moving / options.vehicle_occupancy;
    if (!any_path)
        return res;
    res.first_arrival_min = first;

    // 3. Clearance bound: successive shortest paths from the sending nodes to the receiving
    //    nodes with the links' capacities (veh/h) and times give, step by step, the rates and
    //    path times of the temporally repeated flows (Ford & Fulkerson 1958); zones below
    //    <FIRST THRU NODE> are split so no path passes through them.
    const auto n = static_cast<std::size_t>(net.node_count);
    std::vector<std::int32_t> out_copy(n, -1);
    auto total = static_cast<std::int32_t>(n);
    for (std::int32_t v = 0; v < net.node_count; ++v)
        if (!net.passable(v))
            out_copy[static_cast<std::size_t>(v)] = total++;
    const std::int32_t source = total, sink = total + 1;
    MinCostFlow mcf(total + 2);
    auto leaves = [&](std::int32_t v) {
        const std::int32_t oc = out_copy[static_cast<std::size_t>(v)];
        return oc >= 0 ? oc : v;
    };
    for (std::size_t a = 0; a < links; ++a)
        if (closed[a] == 0)
            mcf.add_arc(leaves(net.init[a]), net.term[a], net.capacity[a], time[a]);
    for (std::int32_t v = 0; v < net.node_count; ++v) {
        if (sends[static_cast<std::size_t>(v)] != 0)
            mcf.add_arc(source, leaves(v), MinCostFlow::kInfiniteCapacity, 0.0);
        if (receives[static_cast<std::size_t>(v)] != 0)
            mcf.add_arc(v, sink, MinCostFlow::kInfiniteCapacity, 0.0);
    }
    const MinCostFlow::Result flow = mcf.solve(source, sink);
    std::vector<double> rate, when;
    for (const auto& step : flow.steps) {
        rate.push_back(step.amount);
        when.push_back(step.unit_cost);
    }
    res.bottleneck_vehh = flow.flow;
    res.clearance_time_min = quickest_time_min(rate, when, res.vehicles);
    return res;
}

} // namespace rencheng::transport
