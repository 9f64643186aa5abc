// Capacity assessment: rational-method design flows, the dynamic-wave run of the design storm,
// bottleneck what-ifs and measures (docs/drainage.md "Capacity assessment").
#include "drainage/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "core/long_csv.hpp"
#include "core/parallel.hpp"
#include "drainage/routing.hpp"
#include "drainage/simulation.hpp"

namespace rencheng::drainage {

namespace {

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

/// The node a subcatchment's runoff reaches: its outlet node, or the node at the end of a chain
/// of subcatchments; -1 when the chain ends nowhere (a subcatchment draining onto itself).
std::int32_t outlet_node_of(const Subcatchments& sc, std::int32_t s) {
    for (std::int32_t hops = 0; hops <= sc.count(); ++hops) {
        if (sc.outlet_node[s].valid())
            return sc.outlet_node[s].idx();
        if (!sc.outlet_subcatch[s].valid() ||
            static_cast<std::int32_t>(sc.outlet_subcatch[s].idx()) == s)
            return -1;
        s = sc.outlet_subcatch[s].idx();
    }
    return -1; // a loop of subcatchments
}

/// Links in their routing direction (FlowRouter's n1 → n2: dynamic wave turns uphill conduits
/// round), with what the rational method needs of each.
struct Topology {
    std::vector<std::int32_t> n1, n2;
    std::vector<double> capacity_m3s; ///< full flow of all barrels (pump: its curve's largest)
    std::vector<double> travel_s;     ///< conduit length / full-flow velocity; 0 for others
    std::vector<double> crown_m;      ///< conduit crown above the upstream node's invert
    std::vector<double> full_depth_m; ///< per node
    std::vector<std::vector<std::int32_t>> out, in; ///< links leaving / entering each node
};

Topology build_topology(const Network& net) {
    const FlowRouter router(net, routing_settings(net));
    Topology t;
    const auto nl = static_cast<std::size_t>(net.link_count());
    const auto nn = static_cast<std::size_t>(net.node_count());
    t.n1.resize(nl);
    t.n2.resize(nl);
    t.capacity_m3s.assign(nl, 0.0);
    t.travel_s.assign(nl, 0.0);
    t.crown_m.assign(nl, 0.0);
    t.out.resize(nn);
    t.in.resize(nn);
    t.full_depth_m.resize(nn);
    for (std::size_t i = 0; i < nn; ++i)
        t.full_depth_m[i] = router.nodes()[i].full_depth_m;
    for (std::size_t j = 0; j < nl; ++j) {
        const LinkState& l = router.links()[j];
        t.n1[j] = l.n1;
        t.n2[j] = l.n2;
        const double barrels = std::max(1, l.barrels);
        t.capacity_m3s[j] = std::max(0.0, l.q_full) * barrels;
        if (l.kind == LinkKind::kConduit) {
            t.crown_m[j] = l.offset1 + l.xs.y_full_m();
            const double a_full = l.xs.a_full_m2();
            const double v_full = a_full > 0 ? l.q_full / a_full : 0.0;
            // SWMM's length, not the lengthened one the dynamic wave may use
            t.travel_s[j] = v_full > 0 ? l.length_m / v_full : 0.0;
        }
        t.out[static_cast<std::size_t>(l.n1)].push_back(static_cast<std::int32_t>(j));
        t.in[static_cast<std::size_t>(l.n2)].push_back(static_cast<std::int32_t>(j));
    }
    return t;
}

/// Nodes in flow order: Kahn's algorithm over the links; when only loops remain, the remaining
/// node with the highest invert (then the lowest index) is taken next as if its loop inflow were
/// already in, so a loop is crossed once.
std::vector<std::int32_t> flow_order(const Network& net, const Topology& t) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    std::vector<std::int32_t> pending(nn, 0);
    for (std::size_t i = 0; i < nn; ++i)
        pending[i] = static_cast<std::int32_t>(t.in[i].size());
    std::vector<std::uint8_t> done(nn, 0);
    std::vector<std::int32_t> order, ready;
    order.reserve(nn);
    for (std::size_t i = nn; i-- > 0;)
        if (pending[i] == 0)
            ready.push_back(static_cast<std::int32_t>(i));
    while (order.size() < nn) {
        if (ready.empty()) {
            std::int32_t pick = -1;
            for (std::size_t i = 0; i < nn; ++i)
                if (!done[i] && (pick < 0 || net.invert_m[i] > net.invert_m[pick]))
                    pick = static_cast<std::int32_t>(i);
            pending[pick] = 0;
            ready.push_back(pick);
        }
        const std::int32_t u = ready.back();
        ready.pop_back();
        if (done[u])
            continue;
        done[u] = 1;
        order.push_back(u);
        for (const std::int32_t j : t.out[u]) {
            const std::int32_t v = t.n2[j];
            if (!done[v] && --pending[v] == 0)
                ready.push_back(v);
        }
    }
    return order;
}

bool scalable_shape(XsectShape s) {
    switch (s) {
    case XsectShape::kCircular:
    case XsectShape::kFilledCircular:
    case XsectShape::kRectClosed:
    case XsectShape::kRectOpen:
    case XsectShape::kTrapezoidal:
    case XsectShape::kTriangular:
    case XsectShape::kParabolic:
        return true;
    default:
        return false;
    }
}

/// Multiplies the lengths of a cross-section (full depth and width or sediment depth; side
/// slopes stay) by k: a geometrically similar section carries k^(8/3) times the full flow.
void scale_cross_section(XSection& xs, double k) {
    xs.geom[0] *= k;
    xs.geom[1] *= k;
}

FloodOutcome flood_outcome(const Network& net, const SimulationResult& r,
                           const CapacityOptions& options) {
    FloodOutcome f;
    f.node_flood_m3 = r.summary.flood_volume_m3;
    f.node_flood_m3.resize(static_cast<std::size_t>(net.node_count()), 0.0);
    f.routing_continuity_error_pct = r.summary.flow_routing_continuity_error_pct;
    std::vector<std::uint8_t> flooded(f.node_flood_m3.size(), 0);
    for (std::size_t i = 0; i < f.node_flood_m3.size(); ++i) {
        f.flood_volume_m3 += f.node_flood_m3[i];
        if (f.node_flood_m3[i] > options.flooded_node_min_volume_m3) {
            flooded[i] = 1;
            ++f.flooded_nodes;
        }
    }
    for (std::int32_t c = 0; c < net.conduits.count(); ++c) {
        const std::int32_t j = net.conduits.link[c].idx();
        if (flooded[net.from_node[j].idx()] || flooded[net.to_node[j].idx()])
            f.flooded_road_length_m += net.conduits.length_m[c];
    }
    return f;
}

/// Nodes from which node `start` can be reached along the links (itself included).
std::vector<std::int32_t> upstream_nodes(const Topology& t, std::int32_t start,
                                         std::vector<std::uint8_t>& seen) {
    std::vector<std::int32_t> nodes{start}, stack{start};
    seen[start] = 1;
    while (!stack.empty()) {
        const std::int32_t u = stack.back();
        stack.pop_back();
        for (const std::int32_t j : t.in[u]) {
            const std::int32_t v = t.n1[j];
            if (!seen[v]) {
                seen[v] = 1;
                nodes.push_back(v);
                stack.push_back(v);
            }
        }
    }
    for (const std::int32_t v : nodes)
        seen[v] = 0;
    return nodes;
}

double sum_over(const std::vector<double>& v, const std::vector<std::int32_t>& nodes) {
    double s = 0;
    for (const std::int32_t n : nodes)
        s += v[n];
    return s;
}

std::string num(double v) {
    if (std::isinf(v))
        return "inf";
    return fmt("%.6g", v);
}

} // namespace

void CapacityOptions::validate() const {
    auto bad = [](const char* what, double v) {
        throw Error(ErrorCode::kOutOfRange,
                    std::string(what) + " = " + fmt("%g", v) + " is out of range");
    };
    if (!(inlet_time_s >= 0.0 && inlet_time_s <= 7200.0))
        bad("inlet time (s)", inlet_time_s);
    if (!(runoff_coefficient_impervious >= 0.0 && runoff_coefficient_impervious <= 1.0))
        bad("impervious runoff coefficient", runoff_coefficient_impervious);
    if (!(runoff_coefficient_pervious >= 0.0 && runoff_coefficient_pervious <= 1.0))
        bad("pervious runoff coefficient", runoff_coefficient_pervious);
    if (drain_time_s < 0 || drain_time_s > 30 * 86400)
        bad("drain time (s)", static_cast<double>(drain_time_s));
    if (top_bottlenecks < 0 || top_bottlenecks > 1000)
        bad("bottleneck count", top_bottlenecks);
    if (!(flooded_node_min_volume_m3 >= 0.0))
        bad("flooded node volume (m3)", flooded_node_min_volume_m3);
}

std::string_view measure_type_name(MeasureType t) {
    switch (t) {
    case MeasureType::kStorageTank:
        return "storage_tank";
    case MeasureType::kPipeUpsize:
        return "pipe_upsize";
    case MeasureType::kRunoffReduction:
        return "runoff_reduction";
    }
    return "?";
}

void set_design_storm(Network& net, const DesignStorm& storm, std::int64_t drain_time_s) {
    if (storm.step_s <= 0 || storm.intensity_ms.empty())
        throw Error(ErrorCode::kOutOfRange, "design storm: empty hyetograph or step <= 0");
    TimeSeries ts;
    ts.id = "RENCHENG_DESIGN_STORM";
    while (net.find_series(ts.id).valid())
        ts.id += "_";
    ts.usage = SeriesUsage::kRainIntensity;
    // One point per interval start, then a dry point at the end: SWMM holds a gage's value over
    // its interval.
    for (std::size_t k = 0; k <= storm.intensity_ms.size(); ++k) {
        ts.time_s.push_back(static_cast<double>(static_cast<std::int64_t>(k) * storm.step_s));
        ts.value.push_back(k < storm.intensity_ms.size() ? storm.intensity_ms[k] : 0.0);
        ts.dated.push_back(0);
    }
    const auto index = static_cast<std::int32_t>(net.series.size());
    net.series_index.emplace(ts.id, index);
    net.series.push_back(std::move(ts));
    for (auto& g : net.gages) {
        g.format = RainFormat::kIntensity;
        g.interval_s = storm.step_s;
        g.source = RainSource::kTimeSeries;
        g.series = SeriesIndex{index};
        g.file.clear();
    }
    const auto storm_s = storm.step_s * static_cast<std::int64_t>(storm.intensity_ms.size());
    net.options.end_s = storm_s + drain_time_s;
    net.options.report_start_s = 0;
    net.options.ignore_rainfall = false;
}

std::vector<ConduitCapacity> rational_design_flows(const Network& net, const DesignStorm& storm,
                                                   const CapacityOptions& options) {
    options.validate();
    const Topology t = build_topology(net);
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    std::vector<double> area(nn, 0.0), psi_area(nn, 0.0), tc(nn, 0.0);
    const auto& sc = net.subcatchments;
    for (std::int32_t s = 0; s < sc.count(); ++s) {
        const std::int32_t n = outlet_node_of(sc, s);
        if (n < 0)
            continue;
        const double imp = std::clamp(sc.imperv_fraction[s], 0.0, 1.0);
        const double psi = options.runoff_coefficient_impervious * imp +
                           options.runoff_coefficient_pervious * (1.0 - imp);
        area[n] += sc.area_m2[s];
        psi_area[n] += psi * sc.area_m2[s];
    }
    // Accumulate down the network; at a node with several outgoing links the area is shared in
    // proportion to their full-flow capacities (equally when none has one).
    std::vector<double> link_area(nl, 0.0), link_psi_area(nl, 0.0), link_tc(nl, 0.0);
    for (const std::int32_t u : flow_order(net, t)) {
        if (area[u] > 0.0)
            tc[u] = std::max(tc[u], options.inlet_time_s);
        const auto& outs = t.out[u];
        if (outs.empty())
            continue;
        double total_cap = 0;
        for (const std::int32_t j : outs)
            total_cap += t.capacity_m3s[j];
        for (const std::int32_t j : outs) {
            const double share = total_cap > 0 ? t.capacity_m3s[j] / total_cap
                                               : 1.0 / static_cast<double>(outs.size());
            link_area[j] = share * area[u];
            link_psi_area[j] = share * psi_area[u];
            link_tc[j] = tc[u];
            if (link_area[j] <= 0.0)
                continue;
            const std::int32_t v = t.n2[j];
            area[v] += link_area[j];
            psi_area[v] += link_psi_area[j];
            tc[v] = std::max(tc[v], tc[u] + t.travel_s[j]);
        }
    }
    std::vector<ConduitCapacity> out;
    out.reserve(static_cast<std::size_t>(net.conduits.count()));
    for (std::int32_t c = 0; c < net.conduits.count(); ++c) {
        const std::int32_t j = net.conduits.link[c].idx();
        ConduitCapacity cc;
        cc.link = j;
        cc.area_m2 = link_area[j];
        cc.full_flow_m3s = t.capacity_m3s[j];
        if (cc.area_m2 > 0.0) {
            cc.runoff_coefficient = link_psi_area[j] / cc.area_m2;
            cc.concentration_time_s = link_tc[j];
            cc.intensity_ms = storm.mean_intensity_ms(cc.concentration_time_s);
            cc.design_flow_m3s = cc.intensity_ms * link_psi_area[j];
        }
        if (cc.full_flow_m3s > 0.0)
            cc.design_ratio = cc.design_flow_m3s / cc.full_flow_m3s;
        else
            cc.design_ratio =
                cc.design_flow_m3s > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
        cc.passes = cc.design_ratio <= 1.0;
        out.push_back(cc);
    }
    return out;
}

void apply_measure(Network& net, const Measure& m, const std::vector<double>& full_depth_m) {
    switch (m.type) {
    case MeasureType::kStorageTank: {
        const std::int32_t n = m.node.idx();
        if (net.node_kind[n] != NodeKind::kJunction)
            throw Error(ErrorCode::kUnsupported,
                        "measure '" + m.name + "': node " + net.node_id[n] +
                            " is not a junction; a storage tank replaces a junction");
        const double depth = m.depth_m > 0 ? m.depth_m : full_depth_m[n];
        if (!(depth > 0))
            throw Error(ErrorCode::kInconsistent, "measure '" + m.name + "': node " +
                                                      net.node_id[n] +
                                                      " has no depth; give the tank's depth_m");
        const auto k = net.storages.count();
        net.node_kind[n] = NodeKind::kStorage;
        net.storage_of_node[n] = k;
        net.max_depth_m[n] = depth;
        net.ponded_area_m2[n] = 0.0;
        net.storages.node.push_back(NodeIndex{n});
        if (m.curve_depth_m.empty()) {
            // a prismatic tank: constant plan area, the volume over the depth
            net.storages.shape.push_back(StorageShape::kFunctional);
            net.storages.curve.push_back(CurveIndex{});
            net.storages.param.push_back({0.0, 0.0, m.volume_m3 / depth});
        } else {
            Curve c;
            c.id = "RENCHENG_TANK_" + net.node_id[n];
            while (net.find_curve(c.id).valid())
                c.id += "_";
            c.type = CurveType::kStorage;
            c.x = m.curve_depth_m;
            c.y = m.curve_area_m2;
            const auto ci = static_cast<std::int32_t>(net.curves.size());
            net.curve_index.emplace(c.id, ci);
            net.curves.push_back(std::move(c));
            net.storages.shape.push_back(StorageShape::kTabular);
            net.storages.curve.push_back(CurveIndex{ci});
            net.storages.param.push_back({0.0, 0.0, 0.0});
        }
        net.storages.evap_factor.push_back(0.0);
        net.storages.seepage_suction_m.push_back(0.0);
        net.storages.seepage_ksat_ms.push_back(0.0);
        net.storages.seepage_initial_deficit.push_back(0.0);
        net.storages.has_seepage.push_back(0);
        return;
    }
    case MeasureType::kPipeUpsize: {
        const std::int32_t j = m.conduit.idx();
        if (net.link_kind[j] != LinkKind::kConduit ||
            net.xsection[j].shape != XsectShape::kCircular)
            throw Error(ErrorCode::kUnsupported,
                        "measure '" + m.name + "': link " + net.link_id[j] +
                            " is not a circular conduit; pipe_upsize sets a new diameter");
        net.xsection[j].geom[0] = m.diameter_m;
        return;
    }
    case MeasureType::kRunoffReduction: {
        auto& sc = net.subcatchments;
        for (const SubcatchIndex si : m.subcatchments) {
            const std::int32_t s = si.idx();
            const double a = sc.area_m2[s];
            const double imp = std::clamp(sc.imperv_fraction[s], 0.0, 1.0);
            const double treated = m.treated_fraction * imp * a;
            if (!(treated > 0.0))
                continue;
            const double rest = a - treated;
            // The treated area becomes its own, fully impervious subcatchment whose depression
            // storage is the capture depth: it sheds nothing until that depth has fallen.
            auto copy = [&](auto& v) { v.push_back(v[static_cast<std::size_t>(s)]); };
            const bool split = rest > 1e-9 * a;
            std::int32_t t = s;
            if (split) {
                t = sc.count();
                std::string id = sc.id[s] + "#" + m.lid;
                while (sc.index.count(id) != 0)
                    id += "_";
                sc.id.push_back(id);
                sc.index.emplace(id, t);
                copy(sc.gage);
                copy(sc.outlet_node);
                copy(sc.outlet_subcatch);
                copy(sc.area_m2);
                copy(sc.imperv_fraction);
                copy(sc.width_m);
                copy(sc.slope);
                copy(sc.curb_length);
                copy(sc.snowpack);
                copy(sc.n_imperv);
                copy(sc.n_perv);
                copy(sc.dstore_imperv_m);
                copy(sc.dstore_perv_m);
                copy(sc.zero_imperv_fraction);
                copy(sc.route_to);
                copy(sc.routed_fraction);
                copy(sc.has_subareas);
                copy(sc.infiltration);
                copy(sc.has_infiltration);
                sc.polygon.emplace_back();
                // the rest keeps the untreated impervious area and all pervious area
                sc.imperv_fraction[s] = (imp * a - treated) / rest;
                sc.width_m[s] *= rest / a;
                sc.curb_length[s] *= rest / a;
                sc.area_m2[s] = rest;
                sc.width_m[t] *= treated / a;
                sc.curb_length[t] *= treated / a;
            }
            sc.area_m2[t] = treated;
            sc.imperv_fraction[t] = 1.0;
            sc.dstore_imperv_m[t] = m.capture_depth_m;
            sc.zero_imperv_fraction[t] = 0.0;
            sc.route_to[t] = SubareaRouting::kOutlet;
            sc.routed_fraction[t] = 1.0;
        }
        return;
    }
    }
}

CapacityReport assess_capacity(const Network& input, const DesignStorm& storm,
                               const std::vector<Measure>& measures, const CapacityOptions& options,
                               const std::filesystem::path& base_dir) {
    options.validate();
    CapacityReport rep;
    rep.storm = storm.description;
    Network net = input;
    set_design_storm(net, storm, options.drain_time_s);
    // the assessment is a dynamic-wave one whatever the file routes with
    net.options.routing = FlowRouting::kDynwave;
    rep.conduits = rational_design_flows(net, storm, options);
    const Topology topo = build_topology(net);
    SimulationOptions so;
    so.base_dir = base_dir;
    so.routing = FlowRouting::kDynwave;

    const SimulationResult base = simulate(net, so);
    rep.base = flood_outcome(net, base, options);
    rep.runoff_continuity_error_pct = base.summary.runoff_continuity_error_pct;

    // Dynamic-wave figures per conduit: peak flow, time its upstream end stands above its crown
    // (at report times), flood volume at the nodes upstream.
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto& series = base.series;
    const double report_step = static_cast<double>(net.options.report_step_s);
    std::vector<std::uint8_t> seen(nn, 0);
    std::vector<std::vector<std::int32_t>> upstream(rep.conduits.size());
    for (std::size_t c = 0; c < rep.conduits.size(); ++c) {
        auto& cc = rep.conduits[c];
        const auto j = static_cast<std::size_t>(cc.link);
        cc.peak_flow_m3s = j < base.summary.max_flow_m3s.size() ? base.summary.max_flow_m3s[j] : 0;
        const auto n1 = static_cast<std::size_t>(topo.n1[j]);
        for (std::size_t k = 0; k < series.time_s.size(); ++k)
            if (series.node_depth_m[k * nn + n1] > topo.crown_m[j] + 1e-9)
                cc.surcharged_s += report_step;
        if (j < base.summary.link_stats.size())
            cc.capacity_limited_s = base.summary.link_stats[j].capacity_limited_s;
        if (rep.base.flood_volume_m3 > 0.0) {
            upstream[c] = upstream_nodes(topo, topo.n1[j], seen);
            cc.upstream_flood_m3 = sum_over(rep.base.node_flood_m3, upstream[c]);
        }
    }

    // Bottleneck candidates: failing conduits of a scalable shape with flooding upstream, by that
    // flooding; the first top_bottlenecks are re-run raised to carry their design flow.
    std::vector<std::size_t> cand;
    for (std::size_t c = 0; c < rep.conduits.size(); ++c) {
        const auto& cc = rep.conduits[c];
        if (!cc.passes && std::isfinite(cc.design_ratio) &&
            cc.upstream_flood_m3 > options.flooded_node_min_volume_m3 &&
            scalable_shape(net.xsection[static_cast<std::size_t>(cc.link)].shape))
            cand.push_back(c);
    }
    rep.bottleneck_candidates = static_cast<std::int32_t>(cand.size());
    std::sort(cand.begin(), cand.end(), [&](std::size_t a, std::size_t b) {
        const auto &x = rep.conduits[a], &y = rep.conduits[b];
        if (x.upstream_flood_m3 != y.upstream_flood_m3)
            return x.upstream_flood_m3 > y.upstream_flood_m3;
        if (x.design_ratio != y.design_ratio)
            return x.design_ratio > y.design_ratio;
        return a < b;
    });
    cand.resize(std::min(cand.size(), static_cast<std::size_t>(options.top_bottlenecks)));

    // Every what-if is an independent run; each writes only its own slot.
    struct WhatIf {
        Network net;
        FloodOutcome outcome;
    };
    std::vector<WhatIf> runs;
    runs.reserve(cand.size() + measures.size() + 1);
    for (const std::size_t c : cand) {
        WhatIf w{net, {}};
        const auto& cc = rep.conduits[c];
        scale_cross_section(w.net.xsection[static_cast<std::size_t>(cc.link)],
                            std::pow(cc.design_ratio, 3.0 / 8.0));
        runs.push_back(std::move(w));
    }
    for (const Measure& m : measures) {
        WhatIf w{net, {}};
        apply_measure(w.net, m, topo.full_depth_m);
        runs.push_back(std::move(w));
    }
    if (measures.size() >= 2) {
        WhatIf w{net, {}};
        for (const Measure& m : measures)
            apply_measure(w.net, m, topo.full_depth_m);
        runs.push_back(std::move(w));
    }
    parallel_for(runs.size(), [&](std::size_t i) {
        runs[i].outcome = flood_outcome(runs[i].net, simulate(runs[i].net, so), options);
    });

    for (std::size_t k = 0; k < cand.size(); ++k) {
        const auto& cc = rep.conduits[cand[k]];
        Bottleneck b;
        b.link = cc.link;
        b.design_ratio = cc.design_ratio;
        b.scale = std::pow(cc.design_ratio, 3.0 / 8.0);
        b.upstream_flood_before_m3 = cc.upstream_flood_m3;
        b.upstream_flood_after_m3 = sum_over(runs[k].outcome.node_flood_m3, upstream[cand[k]]);
        b.flood_caused_m3 = b.upstream_flood_before_m3 - b.upstream_flood_after_m3;
        b.system_flood_before_m3 = rep.base.flood_volume_m3;
        b.system_flood_after_m3 = runs[k].outcome.flood_volume_m3;
        rep.bottlenecks.push_back(b);
    }
    std::stable_sort(rep.bottlenecks.begin(), rep.bottlenecks.end(),
                     [](const Bottleneck& a, const Bottleneck& b) {
                         return a.flood_caused_m3 > b.flood_caused_m3;
                     });

    auto target_of = [&](const Measure& m) {
        switch (m.type) {
        case MeasureType::kStorageTank:
            return input.node_id[m.node.idx()];
        case MeasureType::kPipeUpsize:
            return input.link_id[m.conduit.idx()];
        case MeasureType::kRunoffReduction: {
            std::string s;
            for (const auto si : m.subcatchments)
                s += (s.empty() ? "" : " ") + input.subcatchments.id[si.idx()];
            return s;
        }
        }
        return std::string();
    };
    for (std::size_t k = 0; k < measures.size(); ++k) {
        MeasureOutcome mo;
        mo.name = measures[k].name;
        mo.type = measures[k].type;
        mo.target = target_of(measures[k]);
        mo.after = std::move(runs[cand.size() + k].outcome);
        rep.measures.push_back(std::move(mo));
    }
    if (measures.size() >= 2) {
        MeasureOutcome mo;
        mo.name = "all";
        mo.combined = true;
        mo.target = "*";
        mo.after = std::move(runs.back().outcome);
        rep.measures.push_back(std::move(mo));
    }
    return rep;
}

std::string format_conduit_capacity_csv(const Network& net, const CapacityReport& report) {
    std::string out = "conduit,from_node,to_node,length_m,shape,height_m,area_ha,"
                      "runoff_coefficient,concentration_time_min,intensity_lps_ha,"
                      "design_flow_m3s,full_flow_m3s,design_ratio,passes,peak_flow_m3s,"
                      "peak_ratio,surcharged_h,capacity_limited_h,upstream_flood_m3\n";
    for (const auto& c : report.conduits) {
        const auto j = static_cast<std::size_t>(c.link);
        const auto ci = static_cast<std::size_t>(net.type_index[j]);
        const double peak_ratio = c.full_flow_m3s > 0 ? c.peak_flow_m3s / c.full_flow_m3s : 0.0;
        out +=
            csv_field(net.link_id[j]) + "," + csv_field(net.node_id[net.from_node[j].idx()]) + "," +
            csv_field(net.node_id[net.to_node[j].idx()]) + "," + num(net.conduits.length_m[ci]) +
            "," + std::string(xsect_shape_name(net.xsection[j].shape)) + "," +
            num(net.xsection[j].geom[0]) + "," + num(c.area_m2 / 1e4) + "," +
            num(c.runoff_coefficient) + "," + num(c.concentration_time_s / 60.0) + "," +
            // m/s → L/(s·ha): 1 m/s on 1 ha is 1e4 m³/s = 1e7 L/s
            num(c.intensity_ms * 1e7) + "," + num(c.design_flow_m3s) + "," + num(c.full_flow_m3s) +
            "," + num(c.design_ratio) + "," + (c.passes ? "yes" : "no") + "," +
            num(c.peak_flow_m3s) + "," + num(peak_ratio) + "," + num(c.surcharged_s / 3600.0) +
            "," + num(c.capacity_limited_s / 3600.0) + "," + num(c.upstream_flood_m3) + "\n";
    }
    return out;
}

std::string format_bottlenecks_csv(const Network& net, const CapacityReport& report) {
    std::string out = "rank,conduit,from_node,to_node,design_ratio,scale,"
                      "upstream_flood_before_m3,upstream_flood_after_m3,flood_caused_m3,"
                      "system_flood_before_m3,system_flood_after_m3\n";
    int rank = 0;
    for (const auto& b : report.bottlenecks) {
        const auto j = static_cast<std::size_t>(b.link);
        out += std::to_string(++rank) + "," + csv_field(net.link_id[j]) + "," +
               csv_field(net.node_id[net.from_node[j].idx()]) + "," +
               csv_field(net.node_id[net.to_node[j].idx()]) + "," + num(b.design_ratio) + "," +
               num(b.scale) + "," + num(b.upstream_flood_before_m3) + "," +
               num(b.upstream_flood_after_m3) + "," + num(b.flood_caused_m3) + "," +
               num(b.system_flood_before_m3) + "," + num(b.system_flood_after_m3) + "\n";
    }
    return out;
}

std::string format_measures_csv(const CapacityReport& report) {
    std::string out = "measure,type,target,flood_volume_before_m3,flood_volume_after_m3,"
                      "flooded_nodes_before,flooded_nodes_after,flooded_road_length_before_m,"
                      "flooded_road_length_after_m\n";
    const auto& b = report.base;
    for (const auto& m : report.measures) {
        out += csv_field(m.name) + "," +
               (m.combined ? std::string("all") : std::string(measure_type_name(m.type))) + "," +
               csv_field(m.target) + "," + num(b.flood_volume_m3) + "," +
               num(m.after.flood_volume_m3) + "," + std::to_string(b.flooded_nodes) + "," +
               std::to_string(m.after.flooded_nodes) + "," + num(b.flooded_road_length_m) + "," +
               num(m.after.flooded_road_length_m) + "\n";
    }
    return out;
}

} // namespace rencheng::drainage
