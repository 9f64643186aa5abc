// Distribution restoration: fault isolation by switching zones, greedy pick-up through ties with an
// AC check of the receiving island, mobile generators for what stays dark.
#include "power/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/error.hpp"

namespace rencheng::power {

std::string_view switch_kind_name(DistributionSwitch::Kind k) {
    switch (k) {
    case DistributionSwitch::Kind::kBreaker:
        return "breaker";
    case DistributionSwitch::Kind::kSectionalising:
        return "sectionalising";
    case DistributionSwitch::Kind::kTie:
        return "tie";
    }
    return "unknown";
}

bool parse_switch_kind(std::string_view name, DistributionSwitch::Kind& out) {
    for (auto k : {DistributionSwitch::Kind::kBreaker, DistributionSwitch::Kind::kSectionalising,
                   DistributionSwitch::Kind::kTie})
        if (switch_kind_name(k) == name) {
            out = k;
            return true;
        }
    return false;
}

std::string_view switch_purpose_name(SwitchPurpose p) {
    switch (p) {
    case SwitchPurpose::kIsolate:
        return "isolate";
    case SwitchPurpose::kSplit:
        return "split";
    case SwitchPurpose::kRestore:
        return "restore";
    }
    return "unknown";
}

void RestorationOptions::validate(const Network& net) const {
    if (!bus_priority.empty() &&
        static_cast<std::int32_t>(bus_priority.size()) != net.buses.count())
        throw Error(ErrorCode::kOutOfRange,
                    "restoration: bus_priority must be empty or hold one value per bus (" +
                        std::to_string(net.buses.count()) + "), not " +
                        std::to_string(bus_priority.size()));
    for (double p : bus_priority)
        if (!std::isfinite(p))
            throw Error(ErrorCode::kOutOfRange, "restoration: bus priorities must be finite");
    if (!(loading_limit > 0) || !std::isfinite(loading_limit))
        throw Error(ErrorCode::kOutOfRange, "restoration: loading_limit must be positive");
    if (!(voltage_tolerance_pu >= 0) || !std::isfinite(voltage_tolerance_pu))
        throw Error(ErrorCode::kOutOfRange, "restoration: voltage_tolerance_pu must be >= 0");
    if (!(distribution_max_kv > 0))
        throw Error(ErrorCode::kOutOfRange, "restoration: distribution_max_kv must be positive");
    for (const MobileGenerator& m : mobile_generators)
        if (!(m.p_mw >= 0) || !std::isfinite(m.p_mw))
            throw Error(ErrorCode::kOutOfRange,
                        "restoration: a mobile generator's p_mw must be finite and >= 0");
    IslandOptions io = islands;
    io.bus_priority.clear();
    io.validate();
}

namespace {

/// The working state: branch statuses over a copy of the network, and the switch on each branch.
class Restorer {
public:
    Restorer(const Network& net, const std::vector<DistributionSwitch>& switches,
             const RestorationOptions& options)
        : net_(net), work_(net), switches_(switches), options_(options) {
        const auto nb = static_cast<std::size_t>(net.buses.count());
        const auto nl = static_cast<std::size_t>(net.branches.count());
        switch_on_.assign(nl, -1);
        for (std::size_t s = 0; s < switches.size(); ++s) {
            const BranchIndex k = switches[s].branch;
            if (!k.valid() || k.value() >= net.branches.count())
                throw Error(ErrorCode::kOutOfRange,
                            "restoration: switch '" + switches[s].id + "' names branch " +
                                std::to_string(k.valid() ? k.value() + 1 : 0) +
                                ", which is not a branch of the network");
            switch_on_[static_cast<std::size_t>(k.value())] = static_cast<std::int32_t>(s);
        }
        adj_.assign(nb, {});
        for (std::size_t k = 0; k < nl; ++k) {
            const BusIndex f = net.branches.from[k], t = net.branches.to[k];
            if (!f.valid() || !t.valid())
                continue;
            adj_[static_cast<std::size_t>(f.value())].push_back(static_cast<std::int32_t>(k));
            adj_[static_cast<std::size_t>(t.value())].push_back(static_cast<std::int32_t>(k));
        }
        faulted_.assign(nl, 0);
        isolated_.assign(nb, 0);
        island_opts_ = options.islands;
        island_opts_.bus_priority = options.bus_priority;
        priority_ = options.bus_priority;
        if (priority_.empty())
            priority_.assign(nb, 0.0);
    }

    RestorationResult run(const std::vector<BranchIndex>& faulted);

private:
    [[nodiscard]] bool on(std::size_t k) const { return work_.branches.status[k] != 0; }
    [[nodiscard]] bool transmission(std::size_t k) const {
        const auto f = static_cast<std::size_t>(net_.branches.from[k].value());
        const auto t = static_cast<std::size_t>(net_.branches.to[k].value());
        return std::max(net_.buses.base_kv[f], net_.buses.base_kv[t]) >
               options_.distribution_max_kv;
    }
    /// A branch that can be opened on its own: it carries a switch or is a transmission element.
    [[nodiscard]] bool switchable(std::size_t k) const {
        return switch_on_[k] >= 0 || transmission(k);
    }
    [[nodiscard]] std::int32_t other_end(std::size_t k, std::int32_t bus) const {
        const std::int32_t f = net_.branches.from[k].value();
        return f == bus ? net_.branches.to[k].value() : f;
    }
    [[nodiscard]] double load_mw(std::size_t bus) const {
        return std::max(0.0, net_.buses.pd_pu[bus] * net_.base_mva);
    }

    void set(std::size_t k, bool close, SwitchPurpose purpose, BranchIndex cause,
             double restored = 0) {
        if (on(k) == close)
            return;
        work_.branches.status[k] = close ? 1 : 0;
        SwitchAction a;
        a.switch_index = switch_on_[k];
        a.branch = BranchIndex{static_cast<std::int32_t>(k)};
        a.close = close;
        a.purpose = purpose;
        a.cause = cause;
        a.restored_mw = restored;
        actions_.push_back(a);
    }

    void isolate(std::size_t fault);
    /// Per bus: 1 when it lies in an island with an in-service generator (and is not isolated).
    std::vector<std::uint8_t> energised() const;
    IslandingResult solve() const;
    /// True when the island holding `bus` in `r` is energised without shedding and within the
    /// loading and voltage limits.
    bool acceptable(const IslandingResult& r, std::int32_t bus) const;
    bool restore_step();

    const Network& net_;
    Network work_;
    const std::vector<DistributionSwitch>& switches_;
    const RestorationOptions& options_;
    IslandOptions island_opts_;
    std::vector<double> priority_;
    std::vector<std::int32_t> switch_on_; ///< per branch: its switch or -1
    std::vector<std::vector<std::int32_t>> adj_;
    std::vector<std::uint8_t> faulted_;
    std::vector<std::uint8_t> isolated_;
    std::vector<SwitchAction> actions_;
};

void Restorer::isolate(std::size_t fault) {
    const BranchIndex cause{static_cast<std::int32_t>(fault)};
    if (switchable(fault)) {
        // Its own switch, or the breakers at both ends of a transmission element.
        set(fault, false, SwitchPurpose::kIsolate, cause);
        return;
    }
    // The switching zone of the fault: buses reached without crossing a switchable branch.
    std::vector<std::int32_t> stack = {net_.branches.from[fault].value(),
                                       net_.branches.to[fault].value()};
    std::vector<std::uint8_t> in_zone(isolated_.size(), 0);
    std::vector<std::int32_t> zone;
    while (!stack.empty()) {
        const std::int32_t v = stack.back();
        stack.pop_back();
        if (in_zone[static_cast<std::size_t>(v)] != 0)
            continue;
        in_zone[static_cast<std::size_t>(v)] = 1;
        zone.push_back(v);
        for (std::int32_t k : adj_[static_cast<std::size_t>(v)]) {
            const auto uk = static_cast<std::size_t>(k);
            if ((on(uk) || faulted_[uk] != 0) && !switchable(uk))
                stack.push_back(other_end(uk, v));
        }
    }
    // Open every closed switchable branch on its edge.
    for (std::int32_t v : zone) {
        isolated_[static_cast<std::size_t>(v)] = 1;
        for (std::int32_t k : adj_[static_cast<std::size_t>(v)]) {
            const auto uk = static_cast<std::size_t>(k);
            if (switchable(uk) && on(uk))
                set(uk, false, SwitchPurpose::kIsolate, cause);
        }
    }
    // The zone's own lines are dead.
    for (std::int32_t v : zone)
        for (std::int32_t k : adj_[static_cast<std::size_t>(v)])
            if (!switchable(static_cast<std::size_t>(k)))
                work_.branches.status[static_cast<std::size_t>(k)] = 0;
}

std::vector<std::uint8_t> Restorer::energised() const {
    const auto nb = isolated_.size();
    std::vector<std::uint8_t> live(nb, 0);
    std::vector<std::int32_t> stack;
    for (std::int32_t g = 0; g < work_.gens.count(); ++g) {
        const auto ug = static_cast<std::size_t>(g);
        const BusIndex b = work_.gens.bus[ug];
        if (work_.gens.status[ug] > 0 && b.valid() &&
            isolated_[static_cast<std::size_t>(b.value())] == 0 &&
            work_.buses.type[static_cast<std::size_t>(b.value())] != BusType::kIsolated)
            stack.push_back(b.value());
    }
    while (!stack.empty()) {
        const std::int32_t v = stack.back();
        stack.pop_back();
        if (live[static_cast<std::size_t>(v)] != 0)
            continue;
        live[static_cast<std::size_t>(v)] = 1;
        for (std::int32_t k : adj_[static_cast<std::size_t>(v)]) {
            const auto uk = static_cast<std::size_t>(k);
            const std::int32_t w = other_end(uk, v);
            if (on(uk) && isolated_[static_cast<std::size_t>(w)] == 0 &&
                work_.buses.type[static_cast<std::size_t>(w)] != BusType::kIsolated)
                stack.push_back(w);
        }
    }
    return live;
}

IslandingResult Restorer::solve() const {
    OutageSet out;
    for (std::size_t v = 0; v < isolated_.size(); ++v)
        if (isolated_[v] != 0)
            out.buses.emplace_back(static_cast<std::int32_t>(v));
    return solve_islands(work_, out, island_opts_);
}

bool Restorer::acceptable(const IslandingResult& r, std::int32_t bus) const {
    const std::int32_t island = r.bus_island[static_cast<std::size_t>(bus)];
    if (island < 0)
        return false;
    const Island& is = r.islands[static_cast<std::size_t>(island)];
    if (is.status != IslandStatus::kEnergised || is.shed_mw > 1e-6)
        return false;
    const double tol = options_.voltage_tolerance_pu;
    for (BusIndex b : is.buses) {
        const auto u = static_cast<std::size_t>(b.value());
        if (r.vm_pu[u] < work_.buses.vmin_pu[u] - tol || r.vm_pu[u] > work_.buses.vmax_pu[u] + tol)
            return false;
    }
    for (std::int32_t k = 0; k < work_.branches.count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const double rate = work_.branches.rate_a_mva[u];
        if (!on(u) || rate <= 0 ||
            r.bus_island[static_cast<std::size_t>(work_.branches.from[u].value())] != island)
            continue;
        const double s = std::max(std::hypot(r.p_from_mw[u], r.q_from_mvar[u]),
                                  std::hypot(r.p_to_mw[u], r.q_to_mvar[u]));
        if (s > options_.loading_limit * rate * (1 + 1e-9))
            return false;
    }
    return true;
}

bool Restorer::restore_step() {
    const auto nb = isolated_.size();
    const std::vector<std::uint8_t> live = energised();
    // De-energised healthy groups.
    std::vector<std::int32_t> group(nb, -1);
    std::vector<std::vector<std::int32_t>> groups;
    for (std::size_t s = 0; s < nb; ++s) {
        if (live[s] != 0 || isolated_[s] != 0 || group[s] >= 0 ||
            work_.buses.type[s] == BusType::kIsolated)
            continue;
        const auto id = static_cast<std::int32_t>(groups.size());
        groups.emplace_back();
        std::vector<std::int32_t> stack = {static_cast<std::int32_t>(s)};
        group[s] = id;
        while (!stack.empty()) {
            const std::int32_t v = stack.back();
            stack.pop_back();
            groups.back().push_back(v);
            for (std::int32_t k : adj_[static_cast<std::size_t>(v)]) {
                const auto uk = static_cast<std::size_t>(k);
                const std::int32_t w = other_end(uk, v);
                const auto uw = static_cast<std::size_t>(w);
                if (on(uk) && group[uw] < 0 && isolated_[uw] == 0 &&
                    work_.buses.type[uw] != BusType::kIsolated) {
                    group[uw] = id;
                    stack.push_back(w);
                }
            }
        }
    }
    struct Rank {
        double priority = -std::numeric_limits<double>::infinity();
        double load = 0;
        std::int32_t id = 0;
    };
    std::vector<Rank> order;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        Rank r;
        r.id = static_cast<std::int32_t>(gi);
        for (std::int32_t v : groups[gi]) {
            r.load += load_mw(static_cast<std::size_t>(v));
            if (load_mw(static_cast<std::size_t>(v)) > 0)
                r.priority = std::max(r.priority, priority_[static_cast<std::size_t>(v)]);
        }
        if (r.load > 0)
            order.push_back(r);
    }
    std::sort(order.begin(), order.end(), [](const Rank& a, const Rank& b) {
        if (a.priority != b.priority)
            return a.priority > b.priority;
        if (a.load != b.load)
            return a.load > b.load;
        return a.id < b.id;
    });

    if (order.empty())
        return false;
    // The state before this step: a tie into an island that already sheds load or breaks a
    // limit cannot pass (more load on an island at its generation limit is shed too), so such
    // ties are not tried. This keeps a city-wide blackout or a shedding island from costing one
    // power flow per tie and prefix.
    const IslandingResult base = solve();
    std::vector<std::int8_t> island_ok(base.islands.size(), -1);
    auto live_island_ok = [&](std::int32_t bus) {
        const std::int32_t island = base.bus_island[static_cast<std::size_t>(bus)];
        if (island < 0)
            return false;
        std::int8_t& ok = island_ok[static_cast<std::size_t>(island)];
        if (ok < 0)
            ok = acceptable(base, bus) ? 1 : 0;
        return ok == 1;
    };
    for (const Rank& rank : order) {
        const std::vector<std::int32_t>& members = groups[static_cast<std::size_t>(rank.id)];
        // Open switches with one end in the group and the other energised, not opened to isolate
        // a fault.
        struct Option {
            std::size_t tie = 0;
            std::vector<std::size_t> cuts; ///< switches opened to split the group
            double restored = 0;
            double priority = 0;
        };
        bool have_best = false;
        Option best;
        for (std::int32_t v : members) {
            for (std::int32_t k : adj_[static_cast<std::size_t>(v)]) {
                const auto uk = static_cast<std::size_t>(k);
                const std::int32_t w = other_end(uk, v);
                if (on(uk) || switch_on_[uk] < 0 || faulted_[uk] != 0 ||
                    live[static_cast<std::size_t>(w)] == 0)
                    continue;
                const bool isolating =
                    std::any_of(actions_.begin(), actions_.end(), [&](const SwitchAction& a) {
                        return a.purpose == SwitchPurpose::kIsolate && a.branch.value() == k;
                    });
                if (isolating || !live_island_ok(w))
                    continue;
                // The group's switching sections in breadth-first order from the tie's end; a
                // prefix of them is connected, and restoring it needs the switches from it to the
                // rest opened.
                std::vector<std::int32_t> section(nb, -1);
                std::vector<std::vector<std::int32_t>> sections;
                std::vector<std::int32_t> queue = {v};
                std::vector<std::uint8_t> seen(nb, 0);
                seen[static_cast<std::size_t>(v)] = 1;
                // BFS over the group; a new section starts across a switchable branch.
                std::vector<std::int32_t> sec_of_queue = {0};
                sections.push_back({});
                for (std::size_t qi = 0; qi < queue.size(); ++qi) {
                    const std::int32_t x = queue[qi];
                    const std::int32_t sx = sec_of_queue[qi];
                    section[static_cast<std::size_t>(x)] = sx;
                    sections[static_cast<std::size_t>(sx)].push_back(x);
                    for (std::int32_t e : adj_[static_cast<std::size_t>(x)]) {
                        const auto ue = static_cast<std::size_t>(e);
                        const std::int32_t y = other_end(ue, x);
                        const auto uy = static_cast<std::size_t>(y);
                        if (!on(ue) || seen[uy] != 0 || group[uy] != rank.id)
                            continue;
                        seen[uy] = 1;
                        queue.push_back(y);
                        if (switchable(ue)) {
                            sec_of_queue.push_back(static_cast<std::int32_t>(sections.size()));
                            sections.push_back({});
                        } else {
                            sec_of_queue.push_back(sx);
                        }
                    }
                }
                // Sections are numbered in discovery order, which is breadth-first from the tie.
                // Try the whole group first, then ever smaller prefixes.
                for (std::size_t m = sections.size(); m >= 1; --m) {
                    std::vector<std::size_t> cuts;
                    double restored = 0, prio = -std::numeric_limits<double>::infinity();
                    for (std::size_t sidx = 0; sidx < m; ++sidx)
                        for (std::int32_t x : sections[sidx]) {
                            restored += load_mw(static_cast<std::size_t>(x));
                            if (load_mw(static_cast<std::size_t>(x)) > 0)
                                prio = std::max(prio, priority_[static_cast<std::size_t>(x)]);
                            for (std::int32_t e : adj_[static_cast<std::size_t>(x)]) {
                                const auto ue = static_cast<std::size_t>(e);
                                const std::int32_t y = other_end(ue, x);
                                const std::int32_t sy = section[static_cast<std::size_t>(y)];
                                if (on(ue) && group[static_cast<std::size_t>(y)] == rank.id &&
                                    sy >= static_cast<std::int32_t>(m))
                                    cuts.push_back(ue);
                            }
                        }
                    if (restored <= 0)
                        break;
                    if (have_best && (restored < best.restored ||
                                      (restored == best.restored && prio <= best.priority)))
                        break; // smaller prefixes cannot beat the best option found
                    // Try it.
                    for (std::size_t c : cuts)
                        work_.branches.status[c] = 0;
                    work_.branches.status[uk] = 1;
                    const IslandingResult r = solve();
                    const bool ok = acceptable(r, v);
                    work_.branches.status[uk] = 0;
                    for (std::size_t c : cuts)
                        work_.branches.status[c] = 1;
                    if (ok) {
                        best.tie = uk;
                        best.cuts = cuts;
                        best.restored = restored;
                        best.priority = prio;
                        have_best = true;
                        break;
                    }
                }
            }
        }
        if (have_best) {
            const BranchIndex tie{static_cast<std::int32_t>(best.tie)};
            for (std::size_t c : best.cuts)
                set(c, false, SwitchPurpose::kSplit, tie);
            set(best.tie, true, SwitchPurpose::kRestore, tie, best.restored);
            return true;
        }
    }
    return false;
}

RestorationResult Restorer::run(const std::vector<BranchIndex>& faulted) {
    RestorationResult out;
    const auto nb = isolated_.size();
    const auto nl = faulted_.size();
    for (BranchIndex k : faulted)
        if (k.valid() && k.value() < static_cast<std::int32_t>(nl))
            faulted_[static_cast<std::size_t>(k.value())] = 1;
    for (std::size_t k = 0; k < nl; ++k)
        if (faulted_[k] != 0)
            isolate(k);
    for (std::size_t k = 0; k < nl; ++k)
        if (faulted_[k] != 0)
            work_.branches.status[k] = 0;

    const std::vector<std::uint8_t> live_after_isolation = energised();
    for (std::size_t v = 0; v < nb; ++v)
        if (live_after_isolation[v] == 0)
            out.interrupted_mw += load_mw(v);

    // Greedy restoration, one tie at a time. Each step closes a tie and brings back load, and a
    // tie once closed stays closed, so the loop ends after at most one step per switch.
    for (std::size_t step = 0; step <= switches_.size() && restore_step(); ++step) {
    }
    const std::vector<std::uint8_t> live_after_restoration = energised();
    for (std::size_t v = 0; v < nb; ++v)
        if (live_after_isolation[v] == 0 && live_after_restoration[v] != 0)
            out.restored_mw += load_mw(v);

    // Mobile generators: each one at a bus still dark becomes a unit of its island.
    const std::size_t n_mobile = options_.mobile_generators.size();
    std::vector<std::int32_t> mobile_gen(n_mobile, -1);
    for (std::size_t m = 0; m < n_mobile; ++m) {
        const MobileGenerator& mg = options_.mobile_generators[m];
        if (!mg.bus.valid() || mg.bus.value() >= static_cast<std::int32_t>(nb) || mg.p_mw <= 0)
            continue;
        const auto b = static_cast<std::size_t>(mg.bus.value());
        if (isolated_[b] != 0 || live_after_restoration[b] != 0)
            continue;
        Gens& g = work_.gens;
        g.bus.push_back(mg.bus);
        g.pg_pu.push_back(0);
        g.qg_pu.push_back(0);
        // A genset at power factor 0.8.
        g.qmax_pu.push_back(0.75 * mg.p_mw / work_.base_mva);
        g.qmin_pu.push_back(-0.75 * mg.p_mw / work_.base_mva);
        g.vg_pu.push_back(1.0);
        g.mbase_mva.push_back(mg.p_mw / 0.8);
        g.status.push_back(1);
        g.pmax_pu.push_back(mg.p_mw / work_.base_mva);
        g.pmin_pu.push_back(0);
        mobile_gen[m] = g.count() - 1;
        if (work_.buses.type[b] == BusType::kPq)
            work_.buses.type[b] = BusType::kPv;
    }
    if (!work_.gen_extra.values.empty()) {
        // Keep the extra columns rectangular for the added units.
        work_.gen_extra.values.resize(static_cast<std::size_t>(work_.gens.count()) *
                                          static_cast<std::size_t>(work_.gen_extra.columns),
                                      0.0);
    }

    out.final_state = solve();
    out.actions = actions_;
    out.switch_closed.resize(switches_.size());
    for (std::size_t s = 0; s < switches_.size(); ++s)
        out.switch_closed[s] = on(static_cast<std::size_t>(switches_[s].branch.value())) ? 1 : 0;
    out.branch_in_service.resize(nl);
    for (std::size_t k = 0; k < nl; ++k)
        out.branch_in_service[k] = on(k) ? 1 : 0;
    out.bus_isolated = isolated_;
    out.served_mw = out.final_state.served_mw;
    out.unserved_mw = out.final_state.shed_mw;
    out.load_mw = out.final_state.load_mw;
    out.served_mw_total = out.final_state.served_mw_total;
    out.unserved_mw_total = out.final_state.shed_mw_total;
    out.mobile_served_mw.assign(n_mobile, 0.0);
    for (std::size_t m = 0; m < n_mobile; ++m) {
        if (mobile_gen[m] < 0)
            continue;
        const auto b = static_cast<std::size_t>(options_.mobile_generators[m].bus.value());
        const std::int32_t island = out.final_state.bus_island[b];
        if (island < 0)
            continue;
        const Island& is = out.final_state.islands[static_cast<std::size_t>(island)];
        if (is.status == IslandStatus::kDeEnergised)
            continue;
        // The island's load served, shared among its mobile units by their output.
        const double pg = out.final_state.pg_mw[static_cast<std::size_t>(mobile_gen[m])];
        out.mobile_served_mw[m] = is.generation_mw > 0 ? is.served_mw * pg / is.generation_mw : 0;
        out.mobile_mw += out.mobile_served_mw[m];
    }
    return out;
}

} // namespace

RestorationResult restore_distribution(const Network& net,
                                       const std::vector<DistributionSwitch>& switches,
                                       const std::vector<BranchIndex>& faulted,
                                       const RestorationOptions& options) {
    options.validate(net);
    Restorer r(net, switches, options);
    return r.run(faulted);
}

} // namespace rencheng::power
