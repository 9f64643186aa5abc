// Islanding and load shedding: island detection, slack choice, priority shedding, per-island flow.
#include "power/islands.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <utility>

#include "core/csr.hpp"
#include "core/error.hpp"

namespace rencheng::power {

namespace {

/// An island's power flow, solved on a copy of the island as a network of its own so that the
/// (validated) PowerFlowSolver sees exactly one reference bus. Never throws.
bool solve_island_flow(const Network& sub, const PowerFlowOptions& flow, PowerFlowResult& out) {
    try {
        PowerFlowSolver solver(sub);
        out = solver.solve(flow);
        return out.converged;
    } catch (const std::exception&) {
        out = PowerFlowResult{};
        out.method = flow.method;
        out.converged = false;
        return false;
    }
}

/// The network after a set of outages: the elements in service and, per island, its units and
/// branches in service.
struct Topology {
    std::vector<std::uint8_t> bus_on, bus_case_on, gen_on, br_on;
    std::vector<std::vector<std::int32_t>> island_gens, island_branches;
};

/// Applies the outages and finds the islands: fills res.islands (their buses), res.bus_island and
/// res.ignored_outages, sets every per-element result to off and all the case's load to lost.
Topology find_topology(const Network& net, const OutageSet& outages, IslandingResult& res) {
    const std::int32_t nb = net.buses.count();
    const std::int32_t ng = net.gens.count();
    const std::int32_t nl = net.branches.count();
    const auto nbs = static_cast<std::size_t>(nb);
    const auto ngs = static_cast<std::size_t>(ng);
    const auto nls = static_cast<std::size_t>(nl);
    const double base = net.base_mva;
    // In-service elements after the outages; type-4 buses are out from the start.
    Topology topo;
    auto& bus_on = topo.bus_on;
    auto& bus_case_on = topo.bus_case_on;
    auto& gen_on = topo.gen_on;
    auto& br_on = topo.br_on;
    bus_on.assign(nbs, 0);
    bus_case_on.assign(nbs, 0);
    gen_on.assign(ngs, 0);
    br_on.assign(nls, 0);
    for (std::size_t i = 0; i < nbs; ++i)
        bus_on[i] = bus_case_on[i] = net.buses.type[i] != BusType::kIsolated;
    for (BusIndex b : outages.buses) {
        if (b.valid() && b.value() >= 0 && b.value() < nb)
            bus_on[b.idx()] = 0;
        else
            ++res.ignored_outages;
    }
    for (std::size_t g = 0; g < ngs; ++g)
        gen_on[g] =
            net.gens.status[g] > 0 && net.gens.bus[g].valid() && bus_on[net.gens.bus[g].idx()];
    for (GenIndex g : outages.gens) {
        if (g.valid() && g.value() >= 0 && g.value() < ng)
            gen_on[g.idx()] = 0;
        else
            ++res.ignored_outages;
    }
    for (std::size_t k = 0; k < nls; ++k) {
        const auto f = net.branches.from[k], t = net.branches.to[k];
        br_on[k] = net.branches.status[k] != 0 && f.valid() && t.valid() && bus_on[f.idx()] &&
                   bus_on[t.idx()];
    }
    for (BranchIndex k : outages.branches) {
        if (k.valid() && k.value() >= 0 && k.value() < nl)
            br_on[k.idx()] = 0;
        else
            ++res.ignored_outages;
    }

    // Islands: weakly connected components of the in-service branches, numbered by lowest bus.
    std::vector<std::int32_t> tails, heads;
    for (std::size_t k = 0; k < nls; ++k)
        if (br_on[k]) {
            tails.push_back(net.branches.from[k].value());
            heads.push_back(net.branches.to[k].value());
        }
    std::int32_t ncomp = 0;
    const std::vector<std::int32_t> comp =
        weakly_connected_components(build_csr(nb, tails, heads), ncomp);
    std::vector<std::int32_t> island_of_comp(static_cast<std::size_t>(ncomp), -1);
    res.bus_island.assign(nbs, -1);
    for (std::size_t i = 0; i < nbs; ++i) {
        if (!bus_on[i])
            continue;
        auto& id = island_of_comp[static_cast<std::size_t>(comp[i])];
        if (id < 0) {
            id = static_cast<std::int32_t>(res.islands.size());
            res.islands.emplace_back();
        }
        res.bus_island[i] = id;
        res.islands[static_cast<std::size_t>(id)].buses.push_back(
            BusIndex{static_cast<std::int32_t>(i)});
    }
    auto& island_gens = topo.island_gens;
    island_gens.assign(res.islands.size(), {});
    for (std::size_t g = 0; g < ngs; ++g)
        if (gen_on[g])
            island_gens[static_cast<std::size_t>(res.bus_island[net.gens.bus[g].idx()])].push_back(
                static_cast<std::int32_t>(g));
    auto& island_branches = topo.island_branches;
    island_branches.assign(res.islands.size(), {});
    for (std::size_t k = 0; k < nls; ++k)
        if (br_on[k])
            island_branches[static_cast<std::size_t>(res.bus_island[net.branches.from[k].idx()])]
                .push_back(static_cast<std::int32_t>(k));

    // Defaults: everything off, all load of in-service-in-the-case buses lost.
    res.served_mw.assign(nbs, 0.0);
    res.shed_mw.assign(nbs, 0.0);
    res.vm_pu.assign(nbs, 0.0);
    res.va_rad.assign(nbs, 0.0);
    res.pg_mw.assign(ngs, 0.0);
    res.qg_mvar.assign(ngs, 0.0);
    res.p_from_mw.assign(nls, 0.0);
    res.q_from_mvar.assign(nls, 0.0);
    res.p_to_mw.assign(nls, 0.0);
    res.q_to_mvar.assign(nls, 0.0);
    for (std::size_t i = 0; i < nbs; ++i) {
        if (!bus_case_on[i])
            continue;
        const double pd = net.buses.pd_pu[i] * base;
        res.load_mw += std::max(pd, 0.0);
        res.shed_mw[i] = std::max(pd, 0.0);
    }

    return topo;
}

/// How an island with generation is run (docs/power.md §7): its slack, the load left after
/// shedding and its units' set points.
struct IslandPlan {
    std::vector<double> pd, qd; ///< per island bus, after shedding, per unit
    std::vector<double> pg;     ///< per unit of the island, per unit
    bool shed = false;          ///< some load is shed
    bool redispatched = false;  ///< the units run at a common fraction of PMAX
};

/// Plans island `island` with units `gens` (not empty); sets its slack and capacity.
IslandPlan plan_island(const Network& net, Island& island, const std::vector<std::int32_t>& gens,
                       const IslandOptions& options) {
    const double base = net.base_mva;
    const bool have_priority =
        options.bus_priority.size() == static_cast<std::size_t>(net.buses.count());
    IslandPlan plan;
    // Slack: the case's reference bus if it is here (with a unit in service), else the bus of
    // the unit with the largest PMAX (lowest row on ties).
    double capacity = 0;
    std::int32_t largest = -1;
    for (std::int32_t g : gens) {
        const auto gs = static_cast<std::size_t>(g);
        capacity += std::max(net.gens.pmax_pu[gs], 0.0);
        if (largest < 0 ||
            net.gens.pmax_pu[gs] > net.gens.pmax_pu[static_cast<std::size_t>(largest)])
            largest = g;
    }
    island.capacity_mw = capacity * base;
    BusIndex slack = net.gens.bus[static_cast<std::size_t>(largest)];
    for (std::int32_t g : gens) {
        const BusIndex b = net.gens.bus[static_cast<std::size_t>(g)];
        if (net.buses.type[b.idx()] == BusType::kRef) {
            slack = b;
            break;
        }
    }
    island.slack = slack;

    // Load shedding by priority (lowest first; equal priorities in proportion to load) down
    // to (1 - margin)·capacity. Bus shunts are not shed.
    std::vector<double> pd(island.buses.size()), qd(island.buses.size());
    double demand = 0;
    for (std::size_t j = 0; j < island.buses.size(); ++j) {
        const std::size_t b = island.buses[j].idx();
        pd[j] = net.buses.pd_pu[b];
        qd[j] = net.buses.qd_pu[b];
        demand += pd[j] + net.buses.gs_pu[b];
    }
    double need = demand - (1.0 - options.shed_loss_margin) * capacity;
    plan.shed = need > 0;
    if (need > 0) {
        std::map<double, std::vector<std::size_t>> groups;
        for (std::size_t j = 0; j < island.buses.size(); ++j)
            if (pd[j] > 0)
                groups[have_priority ? options.bus_priority[island.buses[j].idx()] : 0.0].push_back(
                    j);
        for (auto& [priority, members] : groups) {
            if (need <= 0)
                break;
            double group_load = 0;
            for (std::size_t j : members)
                group_load += pd[j];
            const double fraction = need >= group_load ? 1.0 : need / group_load;
            for (std::size_t j : members) {
                pd[j] = fraction >= 1.0 ? 0.0 : pd[j] * (1.0 - fraction);
                qd[j] = fraction >= 1.0 ? 0.0 : qd[j] * (1.0 - fraction);
            }
            need -= group_load;
        }
    }
    double served_demand = 0;
    for (std::size_t j = 0; j < island.buses.size(); ++j)
        served_demand += pd[j] + net.buses.gs_pu[island.buses[j].idx()];

    // Dispatch: set points as in the case, the slack bus taking the balance; when it could not
    // (it would run below zero or above its PMAX) every unit runs at the same fraction of its
    // PMAX, the slack then taking only the losses.
    std::vector<double> pg(gens.size());
    double slack_pg = 0, slack_cap = 0, others = 0;
    for (std::size_t m = 0; m < gens.size(); ++m) {
        const auto g = static_cast<std::size_t>(gens[m]);
        pg[m] = net.gens.pg_pu[g];
        if (net.gens.bus[g] == slack) {
            slack_pg += pg[m];
            slack_cap += std::max(net.gens.pmax_pu[g], 0.0);
        } else {
            others += pg[m];
        }
    }
    const double slack_need = served_demand - others;
    if (slack_need < std::min(0.0, slack_pg) - 1e-9 ||
        slack_need > std::max(slack_cap, slack_pg) + 1e-9) {
        plan.redispatched = true;
        const double fraction = capacity > 0 ? served_demand / capacity : 0.0;
        for (std::size_t m = 0; m < gens.size(); ++m)
            pg[m] = std::max(net.gens.pmax_pu[static_cast<std::size_t>(gens[m])], 0.0) * fraction;
    }

    plan.pd = std::move(pd);
    plan.qd = std::move(qd);
    plan.pg = std::move(pg);
    return plan;
}

/// The islands' counts and the served and shed totals.
void count_totals(IslandingResult& res) {
    for (const Island& island : res.islands) {
        if (island.status == IslandStatus::kDeEnergised)
            ++res.de_energised_islands;
        else
            ++res.energised_islands;
    }
    for (std::size_t i = 0; i < res.served_mw.size(); ++i) {
        res.served_mw_total += res.served_mw[i];
        res.shed_mw_total += res.shed_mw[i];
    }
}

/// Validates the options and their sizes against the network (solve_islands' contract).
void check_options(const Network& net, const IslandOptions& options) {
    options.validate();
    const auto nb = static_cast<std::size_t>(net.buses.count());
    if ((!options.bus_priority.empty() && options.bus_priority.size() != nb) ||
        (!options.initial_vm_pu.empty() && options.initial_vm_pu.size() != nb))
        throw Error(ErrorCode::kOutOfRange,
                    "bus_priority and the warm start must be empty or hold one value per bus");
}

/// IslandSolver's pattern path for outage sets that leave one island with generation, `live`,
/// holding the reference bus: false when its slack would be another bus, or its flow does not
/// converge on the pattern (the general path then takes the outage set).
bool solve_on_pattern(const Network& net, const IslandOptions& options, BusIndex reference,
                      PowerFlowSolver& flow_solver, const Topology& topo, std::size_t live,
                      const OutageSet& outages, IslandingResult& res) {
    const double base = net.base_mva;
    for (std::size_t isl = 0; isl < res.islands.size(); ++isl) {
        Island& island = res.islands[isl];
        for (BusIndex b : island.buses)
            island.load_mw += std::max(net.buses.pd_pu[b.idx()] * base, 0.0);
        island.shed_mw = island.load_mw;
        island.generators = static_cast<std::int32_t>(topo.island_gens[isl].size());
        island.status = IslandStatus::kDeEnergised;
        island.reason = IslandReason::kNoGeneration;
    }
    Island& island = res.islands[live];
    const auto& gens = topo.island_gens[live];
    const IslandPlan plan = plan_island(net, island, gens, options);
    if (island.slack != reference)
        return false;

    const auto nbs = static_cast<std::size_t>(net.buses.count());
    std::vector<std::uint8_t> bus_out(nbs, 0);
    for (std::size_t i = 0; i < nbs; ++i)
        bus_out[i] = res.bus_island[i] != static_cast<std::int32_t>(live);
    std::vector<BranchIndex> branches;
    for (BranchIndex k : outages.branches)
        if (k.valid() && k.value() < net.branches.count())
            branches.push_back(k);
    std::vector<GenIndex> units;
    for (GenIndex g : outages.gens)
        if (g.valid() && g.value() < net.gens.count())
            units.push_back(g);
    flow_solver.set_outages(branches, units, bus_out);
    // The island's loads after shedding and its units' set points.
    std::vector<double> pd = net.buses.pd_pu, qd = net.buses.qd_pu, pg = net.gens.pg_pu;
    for (std::size_t j = 0; j < island.buses.size(); ++j) {
        pd[island.buses[j].idx()] = plan.pd[j];
        qd[island.buses[j].idx()] = plan.qd[j];
    }
    for (std::size_t m = 0; m < gens.size(); ++m)
        pg[static_cast<std::size_t>(gens[m])] = plan.pg[m];
    flow_solver.set_schedule(std::move(pd), std::move(qd), std::move(pg));
    const PowerFlowResult flow = flow_solver.solve(options.flow);
    if (!flow.converged)
        return false;

    island.iterations = flow.iterations;
    island.max_mismatch_pu = flow.max_mismatch_pu;
    island.singular = flow.singular;
    island.status = IslandStatus::kEnergised;
    island.reason = IslandReason::kSolved;
    island.shed_mw = 0;
    for (std::size_t j = 0; j < island.buses.size(); ++j) {
        const std::size_t b = island.buses[j].idx();
        res.vm_pu[b] = flow.vm_pu[b];
        res.va_rad[b] = flow.va_rad[b];
        res.served_mw[b] = plan.pd[j] * base;
        const double case_pd = net.buses.pd_pu[b] * base;
        res.shed_mw[b] = case_pd > 0 ? std::max(case_pd - res.served_mw[b], 0.0) : 0.0;
        island.served_mw += res.served_mw[b];
        island.shed_mw += res.shed_mw[b];
        island.shunt_mw += net.buses.gs_pu[b] * flow.vm_pu[b] * flow.vm_pu[b] * base;
    }
    for (std::int32_t g : gens) {
        const auto gs = static_cast<std::size_t>(g);
        res.pg_mw[gs] = flow.pg_pu[gs] * base;
        res.qg_mvar[gs] = flow.qg_pu[gs] * base;
        island.generation_mw += res.pg_mw[gs];
    }
    for (std::int32_t l : topo.island_branches[live]) {
        const auto k = static_cast<std::size_t>(l);
        res.p_from_mw[k] = flow.p_from_pu[k] * base;
        res.q_from_mvar[k] = flow.q_from_pu[k] * base;
        res.p_to_mw[k] = flow.p_to_pu[k] * base;
        res.q_to_mvar[k] = flow.q_to_pu[k] * base;
        island.losses_mw += res.p_from_mw[k] + res.p_to_mw[k];
    }
    count_totals(res);
    return true;
}

} // namespace

void IslandOptions::validate() const {
    flow.validate();
    if (!(shed_loss_margin >= 0 && shed_loss_margin < 1))
        throw Error(ErrorCode::kOutOfRange, "shed_loss_margin must lie in [0, 1)");
    for (double p : bus_priority)
        if (std::isnan(p))
            throw Error(ErrorCode::kOutOfRange, "bus_priority must not hold NaN");
    if (initial_vm_pu.size() != initial_va_rad.size())
        throw Error(ErrorCode::kOutOfRange,
                    "initial_vm_pu and initial_va_rad must both be empty or both be per bus");
}

std::string_view island_status_name(IslandStatus s) {
    switch (s) {
    case IslandStatus::kEnergised:
        return "energised";
    case IslandStatus::kDcFallback:
        return "dc-fallback";
    case IslandStatus::kDeEnergised:
        return "de-energised";
    }
    return "?";
}

std::string_view island_reason_name(IslandReason r) {
    switch (r) {
    case IslandReason::kSolved:
        return "solved";
    case IslandReason::kNoGeneration:
        return "no-generation";
    case IslandReason::kAcNotConverged:
        return "ac-not-converged";
    case IslandReason::kNotSolvable:
        return "not-solvable";
    }
    return "?";
}

IslandingResult solve_islands(const Network& net, const OutageSet& outages,
                              const IslandOptions& options) {
    check_options(net, options);
    const auto nbs = static_cast<std::size_t>(net.buses.count());
    const double base = net.base_mva;
    const bool warm = options.initial_vm_pu.size() == nbs;

    IslandingResult res;
    const Topology topo = find_topology(net, outages, res);
    const auto& island_gens = topo.island_gens;
    const auto& island_branches = topo.island_branches;

    std::vector<std::int32_t> local(nbs, -1);
    for (std::size_t isl = 0; isl < res.islands.size(); ++isl) {
        Island& island = res.islands[isl];
        const auto& gens = island_gens[isl];
        for (BusIndex b : island.buses)
            island.load_mw += std::max(net.buses.pd_pu[b.idx()] * base, 0.0);
        island.shed_mw = island.load_mw;
        island.generators = static_cast<std::int32_t>(gens.size());
        if (gens.empty()) {
            island.status = IslandStatus::kDeEnergised;
            island.reason = IslandReason::kNoGeneration;
            continue;
        }

        IslandPlan plan = plan_island(net, island, gens, options);
        const BusIndex slack = island.slack;
        std::vector<double>& pd = plan.pd;
        std::vector<double>& qd = plan.qd;
        const std::vector<double>& pg = plan.pg;

        // The island as a network of its own.
        Network sub;
        sub.name = net.name;
        sub.base_mva = net.base_mva;
        const std::size_t n = island.buses.size();
        auto& sb = sub.buses;
        sb.number.resize(n);
        sb.type.resize(n);
        sb.pd_pu = pd;
        sb.qd_pu = qd;
        sb.gs_pu.resize(n);
        sb.bs_pu.resize(n);
        sb.area.resize(n);
        sb.vm_pu.resize(n);
        sb.va_rad.resize(n);
        sb.base_kv.resize(n);
        sb.zone.resize(n);
        sb.vmax_pu.resize(n);
        sb.vmin_pu.resize(n);
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t b = island.buses[j].idx();
            local[b] = static_cast<std::int32_t>(j);
            sb.number[j] = net.buses.number[b];
            sb.type[j] = BusType::kPq;
            sb.gs_pu[j] = net.buses.gs_pu[b];
            sb.bs_pu[j] = net.buses.bs_pu[b];
            sb.area[j] = net.buses.area[b];
            sb.vm_pu[j] = warm && options.initial_vm_pu[b] > 0 ? options.initial_vm_pu[b]
                                                               : net.buses.vm_pu[b];
            sb.va_rad[j] = warm ? options.initial_va_rad[b] : net.buses.va_rad[b];
            sb.base_kv[j] = net.buses.base_kv[b];
            sb.zone[j] = net.buses.zone[b];
            sb.vmax_pu[j] = net.buses.vmax_pu[b];
            sb.vmin_pu[j] = net.buses.vmin_pu[b];
        }
        for (std::int32_t g : gens) {
            const auto gs = static_cast<std::size_t>(g);
            const std::size_t b = net.gens.bus[gs].idx();
            const BusType t = net.buses.type[b];
            if (t == BusType::kPv || t == BusType::kRef)
                sb.type[static_cast<std::size_t>(local[b])] = BusType::kPv;
        }
        sb.type[static_cast<std::size_t>(local[slack.idx()])] = BusType::kRef;
        auto& sg = sub.gens;
        for (std::size_t m = 0; m < gens.size(); ++m) {
            const auto g = static_cast<std::size_t>(gens[m]);
            sg.bus.push_back(BusIndex{local[net.gens.bus[g].idx()]});
            sg.pg_pu.push_back(pg[m]);
            sg.qg_pu.push_back(net.gens.qg_pu[g]);
            sg.qmax_pu.push_back(net.gens.qmax_pu[g]);
            sg.qmin_pu.push_back(net.gens.qmin_pu[g]);
            sg.vg_pu.push_back(net.gens.vg_pu[g]);
            sg.mbase_mva.push_back(net.gens.mbase_mva[g]);
            sg.status.push_back(1.0);
            sg.pmax_pu.push_back(net.gens.pmax_pu[g]);
            sg.pmin_pu.push_back(net.gens.pmin_pu[g]);
        }
        const auto& br = net.branches;
        auto& sl = sub.branches;
        for (std::int32_t kk : island_branches[isl]) {
            const auto k = static_cast<std::size_t>(kk);
            sl.from.push_back(BusIndex{local[br.from[k].idx()]});
            sl.to.push_back(BusIndex{local[br.to[k].idx()]});
            sl.r_pu.push_back(br.r_pu[k]);
            sl.x_pu.push_back(br.x_pu[k]);
            sl.b_pu.push_back(br.b_pu[k]);
            sl.rate_a_mva.push_back(br.rate_a_mva[k]);
            sl.rate_b_mva.push_back(br.rate_b_mva[k]);
            sl.rate_c_mva.push_back(br.rate_c_mva[k]);
            sl.tap.push_back(br.tap[k]);
            sl.shift_rad.push_back(br.shift_rad[k]);
            sl.status.push_back(1.0);
            sl.angmin_rad.push_back(br.angmin_rad[k]);
            sl.angmax_rad.push_back(br.angmax_rad[k]);
        }

        PowerFlowResult flow;
        bool ok = solve_island_flow(sub, options.flow, flow);
        island.iterations = flow.iterations;
        island.max_mismatch_pu = flow.max_mismatch_pu;
        island.singular = flow.singular;
        island.status = IslandStatus::kEnergised;
        island.reason = IslandReason::kSolved;
        if (!ok && options.flow.method != PowerFlowMethod::kDc) {
            island.reason = IslandReason::kAcNotConverged;
            island.status = IslandStatus::kDeEnergised;
            if (options.on_ac_failure == AcFailurePolicy::kDcFallback) {
                PowerFlowOptions dc;
                dc.method = PowerFlowMethod::kDc;
                ok = solve_island_flow(sub, dc, flow);
                if (ok)
                    island.status = IslandStatus::kDcFallback;
                else
                    island.reason = IslandReason::kNotSolvable;
            }
        } else if (!ok) {
            island.reason = IslandReason::kNotSolvable;
            island.status = IslandStatus::kDeEnergised;
        }
        if (!ok) {
            island.status = IslandStatus::kDeEnergised;
            continue;
        }

        // Results back in the network's numbering.
        const bool dc = flow.method == PowerFlowMethod::kDc;
        island.shed_mw = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t b = island.buses[j].idx();
            res.vm_pu[b] = flow.vm_pu[j];
            res.va_rad[b] = flow.va_rad[j];
            res.served_mw[b] = pd[j] * base;
            const double case_pd = net.buses.pd_pu[b] * base;
            res.shed_mw[b] = case_pd > 0 ? std::max(case_pd - res.served_mw[b], 0.0) : 0.0;
            island.served_mw += res.served_mw[b];
            island.shed_mw += res.shed_mw[b];
            const double vm = dc ? 1.0 : flow.vm_pu[j];
            island.shunt_mw += net.buses.gs_pu[b] * vm * vm * base;
        }
        for (std::size_t m = 0; m < gens.size(); ++m) {
            const auto g = static_cast<std::size_t>(gens[m]);
            res.pg_mw[g] = flow.pg_pu[m] * base;
            res.qg_mvar[g] = flow.qg_pu[m] * base;
            island.generation_mw += res.pg_mw[g];
        }
        const auto& bl = island_branches[isl];
        for (std::size_t m = 0; m < bl.size(); ++m) {
            const auto k = static_cast<std::size_t>(bl[m]);
            res.p_from_mw[k] = flow.p_from_pu[m] * base;
            res.q_from_mvar[k] = flow.q_from_pu[m] * base;
            res.p_to_mw[k] = flow.p_to_pu[m] * base;
            res.q_to_mvar[k] = flow.q_to_pu[m] * base;
            island.losses_mw += res.p_from_mw[k] + res.p_to_mw[k];
        }
    }

    count_totals(res);
    return res;
}

// ---------------------------------------------------------------------------------------------

IslandSolver::IslandSolver(const Network& net, IslandOptions options)
    : net_(net), options_(std::move(options)) {
    check_options(net_, options_);
    if (options_.flow.method != PowerFlowMethod::kNewton || options_.flow.enforce_q_limits)
        return;
    // The case's only reference bus, with a unit in service: the slack of every island that
    // holds it.
    BusIndex reference;
    for (std::int32_t b = 0; b < net_.buses.count(); ++b)
        if (net_.buses.type[static_cast<std::size_t>(b)] == BusType::kRef) {
            if (reference.valid())
                return;
            reference = BusIndex{b};
        }
    bool has_unit = false;
    for (std::int32_t g = 0; g < net_.gens.count(); ++g)
        has_unit = has_unit || (net_.gens.in_service(GenIndex{g}) &&
                                net_.gens.bus[static_cast<std::size_t>(g)] == reference);
    if (!reference.valid() || !has_unit)
        return;
    try {
        flow_ = std::make_unique<PowerFlowSolver>(net_, /*keep_pattern=*/true);
        flow_->set_initial_voltages(options_.initial_vm_pu, options_.initial_va_rad);
        // The case itself: this makes the Jacobian pattern and the block LU's analysis that
        // all later solves use.
        if (!flow_->solve(options_.flow).converged)
            flow_.reset();
    } catch (const std::exception&) {
        flow_.reset();
    }
    if (flow_)
        reference_ = reference;
}

IslandSolver::~IslandSolver() = default;

IslandingResult IslandSolver::solve(const OutageSet& outages) {
    if (reference_.valid()) {
        try {
            IslandingResult res;
            const Topology topo = find_topology(net_, outages, res);
            // Exactly one island with generation, holding the reference bus and a unit there.
            std::int32_t live = -1;
            bool single = true;
            for (std::size_t isl = 0; isl < res.islands.size(); ++isl)
                if (!topo.island_gens[isl].empty()) {
                    single = single && live < 0;
                    live = static_cast<std::int32_t>(isl);
                }
            if (single && live >= 0 && res.bus_island[reference_.idx()] == live &&
                solve_on_pattern(net_, options_, reference_, *flow_, topo,
                                 static_cast<std::size_t>(live), outages, res)) {
                ++pattern_solves_;
                return res;
            }
        } catch (const std::exception&) {
            // fall through to the general path
        }
    }
    ++general_solves_;
    return solve_islands(net_, outages, options_);
}

} // namespace rencheng::power
