// Service metrics of a water network: per-node delivery and pressure deficit, satisfaction ratio
// and Todini's resilience index.
#include "water/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace rencheng::water {

std::string_view service_reason_name(ServiceReason r) {
    switch (r) {
    case ServiceReason::kNoDemand:
        return "no demand";
    case ServiceReason::kServed:
        return "served";
    case ServiceReason::kPartial:
        return "partial: pressure below the required pressure";
    case ServiceReason::kNoPressure:
        return "no water: pressure at or below the minimum pressure";
    case ServiceReason::kCutOff:
        return "no water: cut off from every tank and reservoir";
    }
    return "unknown";
}

double todini_index(const Network& net, const std::vector<double>& head_m,
                    const std::vector<double>& delivered_m3s, const std::vector<double>& flow_m3s,
                    double required_pressure_m) {
    double surplus = 0, needed = 0, input = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
        if (net.node_kind[i] == NodeKind::kJunction) {
            const double q = delivered_m3s[i];
            if (q <= 0)
                continue;
            const double h_star = net.elevation_m[i] + required_pressure_m;
            surplus += q * (head_m[i] - h_star);
            needed += q * h_star;
        }
    }
    // Reservoir outflow × head from the flows of the links at reservoirs, and pump energy.
    for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
        const std::size_t a = net.from_node[k].idx(), b = net.to_node[k].idx();
        const double q = flow_m3s[k];
        if (net.node_kind[a] == NodeKind::kReservoir)
            input += q * head_m[a];
        if (net.node_kind[b] == NodeKind::kReservoir)
            input -= q * head_m[b];
        if (net.link_kind[k] == LinkKind::kPump)
            input += q * (head_m[b] - head_m[a]);
    }
    const double denominator = input - needed;
    return denominator > 0 ? surplus / denominator : 0.0;
}

ServiceSnapshot service_snapshot(const Network& net, const DamageStep& step,
                                 const MetricsOptions& options) {
    const double preq = options.required_pressure_m >= 0 ? options.required_pressure_m
                                                         : net.options.required_pressure_m;
    ServiceSnapshot out;
    out.time_s = step.time_s;
    const auto nn = static_cast<std::size_t>(net.node_count());
    out.nodes.resize(nn);
    for (std::size_t i = 0; i < nn; ++i) {
        NodeService& ns = out.nodes[i];
        ns.pressure_m = step.head_m[i] - net.elevation_m[i];
        if (net.node_kind[i] != NodeKind::kJunction)
            continue;
        ns.required_m3s = step.required_m3s[i];
        ns.delivered_m3s = step.delivered_m3s[i];
        if (ns.required_m3s <= 0)
            continue; // no demand (or an inflow): nothing to serve
        ns.pressure_deficit_m = std::max(0.0, preq - ns.pressure_m);
        ns.ratio = std::clamp(ns.delivered_m3s / ns.required_m3s, 0.0, 1.0);
        out.required_m3s += ns.required_m3s;
        out.delivered_m3s += std::min(std::max(ns.delivered_m3s, 0.0), ns.required_m3s);
        // Tolerance of the solver's PDA solution: a ratio within 1e-6 of 1 is full service.
        if (step.cut_off[i] != 0)
            ns.reason = ServiceReason::kCutOff;
        else if (ns.ratio >= 1 - 1e-6)
            ns.reason = ServiceReason::kServed;
        else if (ns.ratio > 1e-9)
            ns.reason = ServiceReason::kPartial;
        else
            ns.reason = ServiceReason::kNoPressure;
        if (ns.reason == ServiceReason::kCutOff || ns.reason == ServiceReason::kNoPressure)
            ++out.nodes_without_water;
    }
    out.satisfaction_ratio = out.required_m3s > 0 ? out.delivered_m3s / out.required_m3s : 1.0;
    out.todini_index = todini_index(net, step.head_m, step.delivered_m3s, step.flow_m3s, preq);
    return out;
}

ServiceMetrics service_metrics(const Network& net, const DamageResult& result,
                               const MetricsOptions& options) {
    ServiceMetrics out;
    double required = 0, delivered = 0;
    const std::size_t n = result.steps.size();
    for (std::size_t s = 0; s < n; ++s) {
        out.times.push_back(service_snapshot(net, result.steps[s], options));
        double dt = 1;
        if (s + 1 < n)
            dt = static_cast<double>(result.steps[s + 1].time_s - result.steps[s].time_s);
        else if (s > 0)
            dt = static_cast<double>(result.steps[s].time_s - result.steps[s - 1].time_s);
        required += out.times.back().required_m3s * dt;
        delivered += out.times.back().delivered_m3s * dt;
        out.min_todini_index = s == 0
                                   ? out.times.back().todini_index
                                   : std::min(out.min_todini_index, out.times.back().todini_index);
    }
    out.satisfaction_ratio = required > 0 ? delivered / required : 1.0;
    return out;
}

} // namespace rencheng::water
