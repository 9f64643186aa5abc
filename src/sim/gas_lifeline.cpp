// The gas lifeline of the stress test (docs/scenario.md "Gas"): steady states and linepack under
// outages, cached per distinct set of outages.
#include "sim/gas_lifeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "gas/linepack.hpp"

namespace rencheng::sim {

namespace {

/// Minimum service pressure of a customer without its own (gas::LinepackOptions' default).
double min_pressure(const gas::Network& net, std::size_t i, const gas::LinepackOptions& o) {
    const double p = net.pressure_min_pa[i];
    return gas::is_set(p) && p > 0.0 ? p : o.default_min_pressure_pa;
}

/// The node balance of every solved component, from the flows and injections the solver gave:
/// an independent check of conservation (Σ in + injection − Σ out − demand at each node).
void check_balance(const gas::Network& net, const gas::SteadyStateResult& st, GasSupply& out) {
    const std::vector<double> balance = gas::node_balance_m3s(net, st.flow_m3s, st.injection_m3s);
    for (const gas::ComponentReport& c : st.components) {
        if (c.status != gas::ComponentStatus::kSolved)
            continue;
        ++out.solved_components;
        double worst = 0.0;
        for (std::size_t i = 0; i < balance.size(); ++i)
            if (st.component_of_node[i] == c.component)
                worst = std::max(worst, std::fabs(balance[i]));
        out.max_balance_m3s = std::max(out.max_balance_m3s, worst);
        if (c.throughput_m3s > 0.0)
            out.max_relative_balance = std::max(out.max_relative_balance, worst / c.throughput_m3s);
    }
}

} // namespace

GasLifeline::GasLifeline(const gas::Network& net) : net_(net), adjacency_(net.adjacency()) {
    const gas::LinepackOptions options;
    const gas::SteadyStateResult st = gas::solve_steady_state(net_, options.steady);
    auto s = std::make_shared<GasSupply>();
    const auto nn = static_cast<std::size_t>(net_.node_count());
    s->pressure_pa = st.pressure_pa;
    s->hours_to_minimum.assign(nn, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < nn; ++i) {
        if (net_.node_kind[i] != gas::NodeKind::kCustomer)
            continue;
        const double p = st.pressure_pa[i];
        s->hours_to_minimum[i] =
            std::isfinite(p) && p >= min_pressure(net_, i, options) ? gas::kForever : 0.0;
    }
    check_balance(net_, st, *s);
    intact_ = std::move(s);
}

bool GasLifeline::is_pipe(std::int32_t k) const {
    const auto kind = net_.connection_kind[static_cast<std::size_t>(k)];
    return kind == gas::ConnectionKind::kPipe || kind == gas::ConnectionKind::kShortPipe ||
           kind == gas::ConnectionKind::kResistor;
}

std::shared_ptr<const gas::Isolation> GasLifeline::isolation(std::int32_t k) const {
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (const auto it = isolations_.find(k); it != isolations_.end())
            return it->second;
    }
    auto iso = std::make_shared<const gas::Isolation>(
        gas::isolate_break(net_, gas::ConnectionIndex{k}, gas::IsolationOptions{}));
    const std::lock_guard<std::mutex> lock(mutex_);
    return isolations_.emplace(k, std::move(iso)).first->second;
}

namespace {

/// Hours to minimum of the customers of one part left without a source: the part alone, fed
/// before the cut at its node of highest intact pressure (its former entry) through a lossless
/// connection from a stand-in gate station held at that pressure, then cut there
/// (gas::simulate_supply_cut). Solving the part alone rather than the whole network per
/// draw-down state is what keeps a city's earthquake affordable (docs/scenario.md "Gas").
/// `nodes` and `connections` (its open ones) ascending; returns the hours per entry of `nodes`
/// (NaN at nodes that are not customers).
std::vector<double> deplete_part(const gas::Network& net, const gas::Network& after,
                                 const std::vector<double>& intact_pa,
                                 const std::vector<std::size_t>& nodes,
                                 const std::vector<std::int32_t>& connections) {
    std::vector<double> hours(nodes.size(), std::numeric_limits<double>::quiet_NaN());
    auto lose_all_at_once = [&] {
        for (std::size_t j = 0; j < nodes.size(); ++j)
            if (net.node_kind[nodes[j]] == gas::NodeKind::kCustomer)
                hours[j] = 0.0;
        return hours;
    };
    std::size_t ref = nodes.front();
    for (const std::size_t i : nodes)
        if (std::isfinite(intact_pa[i]) &&
            (!std::isfinite(intact_pa[ref]) || intact_pa[i] > intact_pa[ref]))
            ref = i;
    if (!std::isfinite(intact_pa[ref])) // never supplied: nothing stored to live on
        return lose_all_at_once();
    gas::Network sub;
    sub.title = net.title;
    sub.gas = net.gas;
    sub.flow_equation = net.flow_equation;
    std::vector<std::int32_t> local(static_cast<std::size_t>(net.node_count()), -1);
    for (const std::size_t i : nodes) {
        const auto n = sub.add_node(net.node_id[i], after.node_kind[i]).idx();
        local[i] = static_cast<std::int32_t>(n);
        sub.lon_deg[n] = net.lon_deg[i];
        sub.lat_deg[n] = net.lat_deg[i];
        sub.elevation_m[n] = net.elevation_m[i];
        sub.pressure_min_pa[n] = net.pressure_min_pa[i];
        sub.pressure_max_pa[n] = net.pressure_max_pa[i];
        sub.set_pressure_pa[n] = after.set_pressure_pa[i];
        sub.demand_m3s[n] = after.demand_m3s[i];
        sub.customer_class[n] = net.customer_class[i];
        sub.customer_count[n] = net.customer_count[i];
    }
    for (const std::int32_t k : connections) {
        const auto a = local[net.from_node[k].idx()], b = local[net.to_node[k].idx()];
        const auto c = sub.add_connection(net.connection_id[k], net.connection_kind[k],
                                          gas::NodeIndex{a}, gas::NodeIndex{b})
                           .idx();
        const auto ku = static_cast<std::size_t>(k);
        sub.length_m[c] = net.length_m[ku];
        sub.diameter_m[c] = net.diameter_m[ku];
        sub.roughness_m[c] = net.roughness_m[ku];
        sub.pressure_class[c] = net.pressure_class[ku];
        sub.drag_factor[c] = net.drag_factor[ku];
        sub.valve_kind[c] = net.valve_kind[ku];
        sub.outlet_set_pressure_pa[c] = net.outlet_set_pressure_pa[ku];
        sub.compressor_mode[c] = net.compressor_mode[ku];
        sub.pressure_ratio[c] = net.pressure_ratio[ku];
        sub.max_pressure_ratio[c] = net.max_pressure_ratio[ku];
        sub.inlet_pressure_min_pa[c] = net.inlet_pressure_min_pa[ku];
        sub.outlet_pressure_max_pa[c] = net.outlet_pressure_max_pa[ku];
        sub.pressure_differential_min_pa[c] = net.pressure_differential_min_pa[ku];
        sub.pressure_differential_max_pa[c] = net.pressure_differential_max_pa[ku];
        sub.pressure_loss_in_pa[c] = net.pressure_loss_in_pa[ku];
        sub.pressure_loss_out_pa[c] = net.pressure_loss_out_pa[ku];
        sub.connection_flow_min_m3s[c] = net.connection_flow_min_m3s[ku];
        sub.connection_flow_max_m3s[c] = net.connection_flow_max_m3s[ku];
    }
    std::string entry_id = "__rencheng_entry";
    while (sub.find_node(entry_id).valid())
        entry_id += "_";
    const auto entry = sub.add_node(entry_id, gas::NodeKind::kSource);
    sub.set_pressure_pa[entry.idx()] = intact_pa[ref];
    const auto feed = sub.add_connection(entry_id, gas::ConnectionKind::kShortPipe, entry,
                                         gas::NodeIndex{local[ref]});
    // the feed carries the class of a main at the entry (its flow law is lossless anyway)
    for (std::int32_t k = 0; k + 1 < sub.connection_count(); ++k)
        if (sub.from_node[k].value() == local[ref] || sub.to_node[k].value() == local[ref]) {
            sub.pressure_class[feed.idx()] = sub.pressure_class[static_cast<std::size_t>(k)];
            break;
        }
    gas::SupplyCut cut;
    cut.sources_out.push_back(entry);
    // A part whose whole usable linepack — its gas at the intact pressures less its gas with
    // every node at the lowest customer minimum — lasts under a minute (a low-pressure district
    // behind a failed regulator box: 1.5 kPa of 100) skips the draw-down: its customers lose
    // gas at once (no step of the stress test resolves a minute).
    double demand = 0.0, floor_pa = std::numeric_limits<double>::infinity();
    for (const std::size_t i : nodes) {
        demand += std::max(0.0, after.demand_m3s[i]);
        if (net.node_kind[i] == gas::NodeKind::kCustomer)
            floor_pa = std::min(floor_pa, min_pressure(net, i, gas::LinepackOptions{}));
    }
    std::vector<double> intact_sub(static_cast<std::size_t>(sub.node_count()), intact_pa[ref]);
    for (const std::size_t i : nodes)
        if (std::isfinite(intact_pa[i]))
            intact_sub[static_cast<std::size_t>(local[i])] = intact_pa[i];
    const std::vector<double> floor_sub(intact_sub.size(), floor_pa);
    const double usable_m3 = gas::linepack_m3(sub, intact_sub) - gas::linepack_m3(sub, floor_sub);
    if (demand > 0.0 && usable_m3 / demand < 60.0)
        return lose_all_at_once();
    gas::LinepackOptions options;
    options.steps = 20; // hours to a few % of the draw-down: finer than an hourly step needs
    const gas::LinepackResult lp = gas::simulate_supply_cut(sub, cut, options);
    for (std::size_t j = 0; j < nodes.size(); ++j)
        if (net.node_kind[nodes[j]] == gas::NodeKind::kCustomer) {
            const double h = lp.hours_to_minimum[static_cast<std::size_t>(local[nodes[j]])];
            hours[j] = std::isnan(h) ? 0.0 : h;
        }
    return hours;
}

} // namespace

std::shared_ptr<const GasSupply> GasLifeline::supply(GasOutages outages, bool* computed) const {
    if (computed != nullptr)
        *computed = false;
    auto& c = outages.connections;
    auto& s = outages.sources;
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
    std::sort(s.begin(), s.end());
    s.erase(std::unique(s.begin(), s.end()), s.end());
    if (c.empty() && s.empty())
        return intact_;
    std::string key;
    for (const auto k : c)
        key += std::to_string(k) + ",";
    key += "|";
    for (const auto n : s)
        key += std::to_string(n) + ",";
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (const auto it = cache_.find(key); it != cache_.end())
            return it->second;
    }
    // The network right after the outages, as gas::simulate_supply_cut takes it: a lost gate
    // station feeds nothing and its outlets are shut.
    const auto nn = static_cast<std::size_t>(net_.node_count());
    gas::Network after = net_;
    for (const auto n : s) {
        after.node_kind[static_cast<std::size_t>(n)] = gas::NodeKind::kJunction;
        after.set_pressure_pa[static_cast<std::size_t>(n)] = gas::kUnset;
        after.demand_m3s[static_cast<std::size_t>(n)] = 0.0;
        for (const auto k : adjacency_.arcs(n))
            after.open[static_cast<std::size_t>(k)] = 0;
    }
    for (const auto k : c)
        after.open[static_cast<std::size_t>(k)] = 0;
    const gas::LinepackOptions options;
    const gas::SteadyStateResult st = gas::solve_steady_state(after, options.steady);
    auto out = std::make_shared<GasSupply>();
    out->pressure_pa = st.pressure_pa;
    out->hours_to_minimum.assign(nn, std::numeric_limits<double>::quiet_NaN());
    std::map<std::int32_t, std::vector<std::size_t>> parts; // sourceless component → nodes
    std::map<std::int32_t, gas::ComponentStatus> status;
    for (const auto& r : st.components)
        status[r.component] = r.status;
    for (std::size_t i = 0; i < nn; ++i) {
        const auto comp = st.component_of_node[i];
        const auto cs = status.count(comp) ? status[comp] : gas::ComponentStatus::kNoSource;
        if (cs == gas::ComponentStatus::kNoSource) {
            parts[comp].push_back(i);
            continue;
        }
        if (net_.node_kind[i] != gas::NodeKind::kCustomer)
            continue;
        const double p = st.pressure_pa[i];
        const bool usable =
            cs == gas::ComponentStatus::kSolved || cs == gas::ComponentStatus::kInfeasible;
        out->hours_to_minimum[i] =
            usable && std::isfinite(p) && p >= min_pressure(net_, i, options) ? gas::kForever : 0.0;
    }
    for (const auto& [comp, nodes] : parts) {
        bool customers = false;
        for (const std::size_t i : nodes)
            customers = customers || net_.node_kind[i] == gas::NodeKind::kCustomer;
        if (!customers)
            continue;
        // A sourceless part is a whole component: every open connection at one of its nodes
        // lies inside it.
        std::vector<std::int32_t> connections;
        for (const std::size_t i : nodes)
            for (const auto k : adjacency_.arcs(static_cast<std::int32_t>(i)))
                if (after.open[static_cast<std::size_t>(k)])
                    connections.push_back(k);
        std::sort(connections.begin(), connections.end());
        connections.erase(std::unique(connections.begin(), connections.end()), connections.end());
        std::vector<std::int32_t> part_key;
        part_key.reserve(nodes.size() + connections.size() + 2);
        for (const std::size_t i : nodes)
            part_key.push_back(static_cast<std::int32_t>(i));
        part_key.push_back(-1);
        part_key.insert(part_key.end(), connections.begin(), connections.end());
        part_key.push_back(-1);
        for (const std::size_t i : nodes) // lost gate stations: `after` differs there
            if (after.node_kind[i] != net_.node_kind[i])
                part_key.push_back(static_cast<std::int32_t>(i));
        std::shared_ptr<const std::vector<double>> hours;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (const auto it = parts_.find(part_key); it != parts_.end())
                hours = it->second;
        }
        if (!hours) {
            auto h = std::make_shared<const std::vector<double>>(
                deplete_part(net_, after, intact_->pressure_pa, nodes, connections));
            const std::lock_guard<std::mutex> lock(mutex_);
            hours = parts_.emplace(std::move(part_key), std::move(h)).first->second;
        }
        for (std::size_t j = 0; j < nodes.size(); ++j)
            if (net_.node_kind[nodes[j]] == gas::NodeKind::kCustomer)
                out->hours_to_minimum[nodes[j]] = (*hours)[j];
    }
    check_balance(net_, st, *out);
    if (computed != nullptr)
        *computed = true;
    const std::lock_guard<std::mutex> lock(mutex_);
    return cache_.emplace(key, std::move(out)).first->second;
}

} // namespace rencheng::sim
