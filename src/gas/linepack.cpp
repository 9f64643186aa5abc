// Supply cut and linepack: steady states before and after the cut, then a quasi-steady
// draw-down of every part left without a source (docs/gas.md "Linepack").
#include "gas/linepack.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/units.hpp"

namespace rencheng::gas {

namespace {

double min_pressure(const Network& net, std::size_t i, const LinepackOptions& options) {
    const double p = net.pressure_min_pa[i];
    return is_set(p) && p > 0.0 ? p : options.default_min_pressure_pa;
}

bool is_station(const Network& net, std::size_t k) {
    return net.connection_kind[k] == ConnectionKind::kRegulator ||
           net.connection_kind[k] == ConnectionKind::kCompressor;
}

bool usable(ComponentStatus s) {
    // An infeasible state still holds the computed pressures (docs of solve_steady_state).
    return s == ComponentStatus::kSolved || s == ComponentStatus::kInfeasible;
}

} // namespace

void LinepackOptions::validate() const {
    steady.validate();
    if (steps < 1 || steps > 100000)
        throw Error(ErrorCode::kOutOfRange, "linepack option steps must be in [1, 100000]");
    if (!std::isfinite(default_min_pressure_pa) || default_min_pressure_pa <= 0.0)
        throw Error(ErrorCode::kOutOfRange,
                    "linepack option default_min_pressure_pa must be a pressure > 0 Pa");
}

double linepack_m3(const Network& net, const std::vector<double>& pressure_pa,
                   const std::vector<std::uint8_t>& pipe_mask) {
    const auto nc = static_cast<std::size_t>(net.connection_count());
    const GasProperties& g = net.gas;
    double total = 0.0;
    for (std::size_t k = 0; k < nc; ++k) {
        if (net.connection_kind[k] != ConnectionKind::kPipe ||
            (!pipe_mask.empty() && !pipe_mask[k]))
            continue;
        const double p1 = pressure_pa[net.from_node[k].idx()];
        const double p2 = pressure_pa[net.to_node[k].idx()];
        if (!std::isfinite(p1) || !std::isfinite(p2) || p1 + p2 <= 0.0)
            continue;
        // Mean pressure of a pipe whose squared pressure falls linearly along it.
        const double pm = 2.0 / 3.0 * (p1 + p2 - p1 * p2 / (p1 + p2));
        const double volume =
            units::kPi / 4.0 * net.diameter_m[k] * net.diameter_m[k] * net.length_m[k];
        total += volume * (pm / kNormalPressurePa) * (kNormalTemperatureK / g.temperature_k) /
                 g.compressibility;
    }
    return total;
}

LinepackResult simulate_supply_cut(const Network& net, const SupplyCut& cut,
                                   const LinepackOptions& options) {
    options.validate();
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nc = static_cast<std::size_t>(net.connection_count());
    Network after_net = net;
    for (const NodeIndex s : cut.sources_out) {
        if (!s.valid() || s.value() < 0 || s.idx() >= nn ||
            net.node_kind[s.idx()] != NodeKind::kSource)
            throw Error(ErrorCode::kOutOfRange, "supply cut: a source to cut is not a source");
        after_net.node_kind[s.idx()] = NodeKind::kJunction;
        after_net.set_pressure_pa[s.idx()] = kUnset;
        after_net.demand_m3s[s.idx()] = 0.0;
        // The station is out with its outlets: no dead end of gas at rest is left behind.
        for (std::size_t k = 0; k < nc; ++k)
            if (net.from_node[k] == s || net.to_node[k] == s)
                after_net.open[k] = 0;
    }
    for (const ConnectionIndex k : cut.connections_out) {
        if (!k.valid() || k.value() < 0 || k.idx() >= nc)
            throw Error(ErrorCode::kOutOfRange, "supply cut: no such connection");
        after_net.open[k.idx()] = 0;
    }

    LinepackResult out;
    out.before = solve_steady_state(net, options.steady);
    out.after = solve_steady_state(after_net, options.steady);
    out.hours_to_minimum.assign(nn, std::numeric_limits<double>::quiet_NaN());

    // Components of the post-cut state: fed ones are decided at once, sourceless ones deplete.
    std::vector<std::int32_t> depleting;
    for (const ComponentReport& c : out.after.components)
        if (c.status == ComponentStatus::kNoSource)
            depleting.push_back(c.component);
    auto status_of = [&](std::int32_t comp) {
        for (const ComponentReport& c : out.after.components)
            if (c.component == comp)
                return c.status;
        return ComponentStatus::kNoSource;
    };
    for (std::size_t i = 0; i < nn; ++i) {
        if (net.node_kind[i] != NodeKind::kCustomer)
            continue;
        const std::int32_t comp = out.after.component_of_node[i];
        const ComponentStatus st = status_of(comp);
        if (st == ComponentStatus::kNoSource)
            continue;
        const double p = out.after.pressure_pa[i];
        const bool ok = usable(st) && std::isfinite(p) && p >= min_pressure(net, i, options);
        out.hours_to_minimum[i] = ok ? kForever : 0.0;
        if (!ok)
            out.customers_below_minimum_at_once.emplace_back(static_cast<std::int32_t>(i));
    }

    for (const std::int32_t comp : depleting) {
        DepletingPart part;
        part.component = comp;
        std::vector<std::size_t> nodes, customers;
        for (std::size_t i = 0; i < nn; ++i)
            if (out.after.component_of_node[i] == comp) {
                nodes.push_back(i);
                if (net.node_kind[i] == NodeKind::kCustomer)
                    customers.push_back(i);
                part.demand_m3s += std::max(0.0, net.demand_m3s[i]);
            }
        if (customers.empty())
            continue;
        std::vector<std::uint8_t> mask(nc, 0);
        for (std::size_t k = 0; k < nc; ++k)
            mask[k] = out.after.component_of_node[net.from_node[k].idx()] == comp &&
                              out.after.component_of_node[net.to_node[k].idx()] == comp
                          ? 1
                          : 0;
        // The former entry: the part's highest pressure before the cut.
        std::size_t ref = nodes.front();
        double p_ref = -1.0;
        for (const std::size_t i : nodes)
            if (std::isfinite(out.before.pressure_pa[i]) && out.before.pressure_pa[i] > p_ref) {
                p_ref = out.before.pressure_pa[i];
                ref = i;
            }
        part.reference = NodeIndex{static_cast<std::int32_t>(ref)};
        part.linepack_start_m3 = linepack_m3(net, out.before.pressure_pa, mask);
        auto lose_all_at = [&](double t_h, const std::string& why) {
            for (const std::size_t i : customers)
                if (std::isnan(out.hours_to_minimum[i]))
                    out.hours_to_minimum[i] = t_h;
            part.note = why;
        };
        if (p_ref <= 0.0) {
            lose_all_at(0.0, "no pressure before the cut: the part was not supplied");
            out.parts.push_back(std::move(part));
            continue;
        }
        if (part.demand_m3s <= 0.0) {
            lose_all_at(kForever, "no demand: the linepack is not drawn");
            out.parts.push_back(std::move(part));
            continue;
        }
        double p_floor = p_ref;
        for (const std::size_t i : customers)
            p_floor = std::min(p_floor, min_pressure(net, i, options));

        Network dep = after_net;
        dep.node_kind[ref] = NodeKind::kSource;
        dep.demand_m3s[ref] = std::min(0.0, dep.demand_m3s[ref]);
        std::vector<double> prev_p(nn, std::numeric_limits<double>::quiet_NaN());
        double prev_t = 0.0;
        std::size_t left = customers.size();
        for (int step = 0; step <= options.steps && left > 0; ++step) {
            const double p_set = p_ref - (p_ref - p_floor) * step / options.steps;
            dep.set_pressure_pa[ref] = p_set;
            const SteadyStateResult st = solve_steady_state(dep, options.steady);
            const std::int32_t c = st.component_of_node[ref];
            ComponentStatus cs = ComponentStatus::kNoSource;
            for (const ComponentReport& r : st.components)
                if (r.component == c)
                    cs = r.status;
            if (!usable(cs)) {
                lose_all_at(prev_t, "the draw-down state at " + std::to_string(p_set) +
                                        " Pa could not be solved (" +
                                        std::string(component_status_name(cs)) +
                                        "): the customers left are counted out then");
                left = 0;
                break;
            }
            // A regulator or compressor of the part whose inlet has fallen below its outlet can
            // no longer hold it: the steady state beyond it no longer describes the network.
            // The customers left are counted out at the previous state (conservative: those
            // behind it would draw on its downstream linepack a while longer).
            std::string station;
            for (std::size_t k = 0; k < nc && station.empty(); ++k)
                if (mask[k] && dep.open[k] && is_station(net, k) &&
                    st.pressure_pa[net.from_node[k].idx()] < st.pressure_pa[net.to_node[k].idx()])
                    station = net.connection_id[k];
            if (!station.empty()) {
                lose_all_at(prev_t, "at " + std::to_string(p_set) + " Pa station " + station +
                                        " can no longer hold its outlet pressure: the customers "
                                        "left are counted out then");
                left = 0;
                break;
            }
            const double pack = linepack_m3(net, st.pressure_pa, mask);
            // The time this state is reached: the gas drawn since the cut over the demand. Never
            // earlier than the previous state (the linearised profile may gain a little).
            const double t_h =
                std::max(prev_t, (part.linepack_start_m3 - pack) / part.demand_m3s / 3600.0);
            part.time_h.push_back(t_h);
            part.reference_pressure_pa.push_back(p_set);
            part.linepack_m3.push_back(pack);
            part.linepack_end_m3 = pack;
            for (const std::size_t i : customers) {
                if (!std::isnan(out.hours_to_minimum[i]))
                    continue;
                const double p = st.pressure_pa[i];
                const double pmin = min_pressure(net, i, options);
                if (std::isfinite(p) && p >= pmin) {
                    prev_p[i] = p;
                    continue;
                }
                double t_out = t_h;
                if (std::isfinite(p) && std::isfinite(prev_p[i]) && prev_p[i] > p)
                    t_out = prev_t + (t_h - prev_t) * (prev_p[i] - pmin) / (prev_p[i] - p);
                out.hours_to_minimum[i] = step == 0 ? 0.0 : t_out;
                --left;
            }
            prev_t = t_h;
        }
        if (left > 0)
            lose_all_at(prev_t, "the reference reached the lowest minimum pressure");
        else if (part.note.empty())
            part.note = "every customer fell below its minimum pressure";
        out.parts.push_back(std::move(part));
    }
    // Customers in a part without pipes or without a usable state: at once.
    std::vector<std::uint8_t> listed(nn, 0);
    for (const NodeIndex c : out.customers_below_minimum_at_once)
        listed[c.idx()] = 1;
    for (std::size_t i = 0; i < nn; ++i) {
        if (net.node_kind[i] != NodeKind::kCustomer)
            continue;
        if (std::isnan(out.hours_to_minimum[i]))
            out.hours_to_minimum[i] = 0.0;
        if (out.hours_to_minimum[i] == 0.0 && !listed[i])
            out.customers_below_minimum_at_once.emplace_back(static_cast<std::int32_t>(i));
    }
    std::sort(out.customers_below_minimum_at_once.begin(),
              out.customers_below_minimum_at_once.end());
    return out;
}

} // namespace rencheng::gas
