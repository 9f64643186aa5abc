// The simulation driver: SWMM 5.2's time loop (swmm5.c execRouting, runoff.c, routing.c,
// massbal.c) over our runoff and routing components.
#include "drainage/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "drainage/controls.hpp"
#include "drainage/routing.hpp"
#include "drainage/runoff.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One rain record: intensity (m/s) from `start_s` for the gage's recording interval.
struct RainRecord {
    double start_s = 0;
    double intensity_ms = 0;
};

/// A rain gage's records (zeros dropped, as SWMM does) and interval.
struct GageRain {
    std::vector<RainRecord> records;
    double interval_s = 3600;
    bool used = false;

    double rain_ms(double t) const {
        // the record in force at t (SWMM looks one second ahead of the step start)
        const double tt = t + 1.0;
        auto it = std::upper_bound(records.begin(), records.end(), tt,
                                   [](double x, const RainRecord& r) { return x < r.start_s; });
        if (it == records.begin())
            return 0;
        --it;
        return tt < it->start_s + interval_s ? it->intensity_ms : 0.0;
    }
    /// Next time after t at which the rainfall changes.
    double next_change(double t) const {
        const double tt = t + 1.0;
        auto it = std::upper_bound(records.begin(), records.end(), tt,
                                   [](double x, const RainRecord& r) { return x < r.start_s; });
        double next = it == records.end() ? kInf : it->start_s;
        if (it != records.begin()) {
            const auto& r = *(it - 1);
            if (tt < r.start_s + interval_s)
                next = std::min(next, r.start_s + interval_s);
        }
        return next;
    }
};

/// Reads a rain file in SWMM's user-prepared format, one record a line:
/// `station year month day hour minute value` (SWMM 5.2 manual, Rainfall Data Files). Returns the
/// records of `station` (all when empty) as (seconds from the simulation start, value as written).
std::vector<std::pair<double, double>>
read_rain_file(const Network& net, const std::filesystem::path& path, const std::string& station) {
    std::ifstream in(path);
    if (!in)
        throw Error(ErrorCode::kFileNotFound, "rain file " + path.string() + " cannot be read");
    const double base = static_cast<double>(seconds_since_epoch(net.options.start));
    std::vector<std::pair<double, double>> out;
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        std::istringstream ls(line);
        std::string sta;
        int y, mo, d, h, mi;
        double v;
        if (!(ls >> sta))
            continue;
        if (!(ls >> y >> mo >> d >> h >> mi >> v))
            throw Error(ErrorCode::kUnsupported,
                        path.string() + ":" + std::to_string(line_no) +
                            ": rain file format not recognised (only SWMM's user-prepared "
                            "format 'station year month day hour minute value' is read)");
        if (!station.empty() && sta != station)
            continue;
        CalendarTime c{y, mo, d, static_cast<Seconds>(h) * 3600 + static_cast<Seconds>(mi) * 60};
        out.emplace_back(static_cast<double>(seconds_since_epoch(c)) - base, v);
    }
    return out;
}

GageRain build_gage(const Network& net, int g, const std::filesystem::path& base_dir) {
    const auto& gage = net.gages[g];
    GageRain out;
    out.interval_s = static_cast<double>(gage.interval_s);
    std::vector<std::pair<double, double>> points;
    // file values are in in or mm (per hour for intensities); series values are already SI
    double to_si = 1.0;
    if (gage.source == RainSource::kFile) {
        std::filesystem::path p(gage.file);
        if (p.is_relative())
            p = base_dir / p;
        points = read_rain_file(net, p, gage.station);
        to_si = gage.file_in_mm ? 0.001 : 0.0254;
        if (gage.format == RainFormat::kIntensity)
            to_si /= 3600.0;
    } else {
        if (!gage.series.valid())
            return out;
        const auto& s = net.series[gage.series.idx()];
        if (!s.file.empty())
            throw Error(ErrorCode::kUnsupported,
                        "time series " + s.id + ": external FILE series are not yet simulated");
        for (std::size_t i = 0; i < s.time_s.size(); ++i)
            points.emplace_back(s.time_s[i], s.value[i]);
    }
    double accum = 0;
    for (const auto& [t, raw] : points) {
        const double r = raw * to_si;
        double rate = 0;
        switch (gage.format) {
        case RainFormat::kIntensity:
            rate = r;
            break;
        case RainFormat::kVolume:
            rate = r / out.interval_s;
            break;
        case RainFormat::kCumulative:
            rate = (r < accum ? r : r - accum) / out.interval_s;
            accum = r;
            break;
        }
        if (rate != 0)
            out.records.push_back({t, rate});
    }
    std::stable_sort(
        out.records.begin(), out.records.end(),
        [](const RainRecord& a, const RainRecord& b) { return a.start_s < b.start_s; });
    return out;
}

/// Linear interpolation in a time series, 0 outside its range (SWMM tseriesLookup, no extend).
double series_value(const TimeSeries& s, double t) {
    const auto& x = s.time_s;
    if (x.empty() || t < x.front() || t > x.back())
        return x.size() == 1 && t == x.front() ? s.value.front() : 0.0;
    auto it = std::lower_bound(x.begin(), x.end(), t);
    const auto i = static_cast<std::size_t>(it - x.begin());
    if (i == 0)
        return s.value[0];
    const double dx = x[i] - x[i - 1];
    if (dx <= 0)
        return s.value[i];
    return s.value[i - 1] + (t - x[i - 1]) / dx * (s.value[i] - s.value[i - 1]);
}

struct Calendar {
    int month0 = 0; ///< 0..11
    int dow = 0;    ///< 0 = Sunday
    int hour = 0;
};

Calendar calendar_at(const Network& net, double t) {
    const Seconds base = seconds_since_epoch(net.options.start);
    const auto s = static_cast<Seconds>(std::floor(static_cast<double>(base) + t));
    const CalendarTime c = calendar_from_seconds(s);
    Calendar out;
    out.month0 = c.month - 1;
    const auto days = static_cast<std::int64_t>(std::floor(static_cast<double>(s) / 86400.0));
    out.dow = static_cast<int>(((days + 6) % 7 + 7) % 7); // 1899-12-30 was a Saturday
    out.hour = static_cast<int>(c.time_of_day / 3600);
    return out;
}

double pattern_factor(const Network& net, PatternIndex p, const Calendar& c, bool has_weekend) {
    if (!p.valid())
        return 1.0;
    const auto& pat = net.patterns[p.idx()];
    auto at = [&](int i) {
        return i >= 0 && i < static_cast<int>(pat.factors.size()) ? pat.factors[i] : 1.0;
    };
    const bool weekend = c.dow == 0 || c.dow == 6;
    switch (pat.type) {
    case PatternType::kMonthly:
        return at(c.month0);
    case PatternType::kDaily:
        return at(c.dow);
    case PatternType::kHourly:
        return (weekend && has_weekend) ? 1.0 : at(c.hour);
    case PatternType::kWeekend:
        return weekend ? at(c.hour) : 1.0;
    }
    return 1.0;
}

double evaporation_rate(const Network& net, double t, double& next_change) {
    const auto& e = net.evaporation;
    next_change = kInf;
    switch (e.type) {
    case EvaporationType::kConstant:
        return e.constant_ms;
    case EvaporationType::kMonthly: {
        const Seconds base = seconds_since_epoch(net.options.start);
        const auto s = static_cast<Seconds>(std::floor(static_cast<double>(base) + t));
        CalendarTime c = calendar_from_seconds(s);
        CalendarTime n{c.year + (c.month == 12 ? 1 : 0), c.month == 12 ? 1 : c.month + 1, 1, 0};
        next_change = static_cast<double>(seconds_since_epoch(n) - base);
        return e.monthly_ms[c.month - 1];
    }
    default:
        throw Error(ErrorCode::kUnsupported,
                    "EVAPORATION: only CONSTANT and MONTHLY evaporation are simulated so far");
    }
}

SubcatchmentParams subcatchment_params(const Network& net, int i) {
    const auto& s = net.subcatchments;
    SubcatchmentParams p;
    p.area_m2 = s.area_m2[i];
    p.width_m = s.width_m[i];
    p.slope = s.slope[i];
    p.imperv_fraction = s.imperv_fraction[i];
    p.n_imperv = s.n_imperv[i];
    p.n_perv = s.n_perv[i];
    p.dstore_imperv_m = s.dstore_imperv_m[i];
    p.dstore_perv_m = s.dstore_perv_m[i];
    p.zero_dstore_fraction = s.zero_imperv_fraction[i];
    p.route_to = s.route_to[i];
    p.routed_fraction = s.routed_fraction[i];
    p.has_infiltration = s.has_infiltration[i] != 0;
    p.infiltration = s.infiltration[i];
    if (!s.infiltration[i].model_given)
        p.infiltration.model = net.options.infiltration;
    return p;
}

void check_supported(const Network& net) {
    auto unsupported = [](const std::string& what) {
        throw Error(ErrorCode::kUnsupported, what + " is not yet simulated");
    };
    if (!net.rdii.empty() && !net.options.ignore_rdii)
        unsupported("RDII inflow ([RDII])");
    for (const auto& name : {"LID_USAGE", "GROUNDWATER", "SNOWPACKS", "INLET_USAGE"}) {
        const auto* raw = net.raw_section(name);
        if (raw && !raw->rows.empty()) {
            const std::string n = name;
            if (n == "GROUNDWATER" && net.options.ignore_groundwater)
                continue;
            if (n == "SNOWPACKS" && net.options.ignore_snowmelt)
                continue;
            unsupported("[" + n + "]");
        }
    }
    for (int o = 0; o < net.outfalls.count(); ++o)
        if (net.outfalls.route_to[o].valid())
            unsupported("outfall " + net.node_id[net.outfalls.node[o].idx()] +
                        " routed onto a subcatchment");
    for (const auto& in : net.inflows)
        if (in.type == ExternalInflow::Type::kFlow && in.series.valid() &&
            !net.series[in.series.idx()].file.empty())
            unsupported("time series " + net.series[in.series.idx()].id + " read from a FILE");
}

} // namespace

double continuity_error_pct(double in, double out) {
    if (std::abs(in - out) < kFoot * kFoot * kFoot)
        return 0.0;
    if (in > 0)
        return 100.0 * (1.0 - out / in);
    if (out > 0)
        return 100.0 * (in / out - 1.0);
    return 0.0;
}

SimulationResult simulate(const Network& net, const SimulationOptions& options) {
    check_supported(net);
    SimulationResult result;
    auto& sum = result.summary;
    auto& rep = result.series;
    const auto& opt = net.options;
    const double total = static_cast<double>(opt.end_s);
    const double report_step = static_cast<double>(opt.report_step_s);
    const double wet_step = static_cast<double>(opt.wet_step_s);
    const double dry_step = static_cast<double>(opt.dry_step_s);
    const int n_nodes = net.node_count(), n_links = net.link_count();
    const int n_sub = net.subcatchments.count();

    RoutingSettings rs = routing_settings(net);
    if (options.routing)
        rs.model = *options.routing;
    if (rs.model == FlowRouting::kSteady)
        throw Error(ErrorCode::kUnsupported, "FLOW_ROUTING STEADY is not yet simulated");
    const bool do_routing = n_nodes > 0 && !opt.ignore_routing && rs.model != FlowRouting::kNone;
    const bool do_runoff = n_sub > 0;
    sum.has_runoff = do_runoff;
    sum.has_routing = do_routing;
    if (!do_routing)
        rs.model = FlowRouting::kKinwave; // the router still carries the node state
    FlowRouter router(net, rs);
    const ControlRules rules(net);
    if (!rules.empty())
        router.set_rules(&rules);
    auto& nodes = router.nodes();

    // --- runoff state
    std::vector<GageRain> gages;
    for (int g = 0; g < static_cast<int>(net.gages.size()); ++g)
        gages.push_back(build_gage(net, g, options.base_dir));
    std::vector<SubcatchmentRunoff> subs;
    subs.reserve(n_sub);
    for (int i = 0; i < n_sub; ++i) {
        subs.emplace_back(subcatchment_params(net, i));
        if (net.subcatchments.gage[i].valid())
            gages[net.subcatchments.gage[i].idx()].used = true;
    }
    std::vector<double> old_runoff(n_sub, 0.0), new_runoff(n_sub, 0.0), sub_rain(n_sub, 0.0);
    double old_runoff_t = 0, new_runoff_t = 0;
    bool has_runoff_flag = false;
    for (const auto& s : subs)
        sum.runoff.initial_storage_m3 += s.stored_m3();

    auto runoff_execute = [&]() {
        const double t = new_runoff_t;
        bool raining = false;
        std::vector<double> rain(gages.size(), 0.0);
        for (std::size_t g = 0; g < gages.size(); ++g) {
            rain[g] = (gages[g].used && !opt.ignore_rainfall) ? gages[g].rain_ms(t) : 0.0;
            raining = raining || rain[g] > 0;
        }
        double next_evap = kInf;
        const double evap = evaporation_rate(net, t, next_evap);
        double max_step = dry_step;
        if (next_evap - t > 0 && next_evap - t < max_step)
            max_step = next_evap - t;
        for (const auto& g : gages) {
            if (!g.used)
                continue;
            const double dt_next = g.next_change(t) - t;
            if (dt_next > 0 && dt_next < max_step)
                max_step = dt_next;
        }
        double step = (raining || has_runoff_flag) ? wet_step : dry_step;
        step = std::min(step, max_step);
        old_runoff_t = new_runoff_t;
        new_runoff_t += step;
        if (new_runoff_t > total) {
            step = total - old_runoff_t;
            new_runoff_t = total;
        }
        // run-on from upstream subcatchments: last step's runoff
        std::vector<double> runon(n_sub, 0.0);
        for (int i = 0; i < n_sub; ++i) {
            old_runoff[i] = new_runoff[i];
            const auto k = net.subcatchments.outlet_subcatch[i];
            if (k.valid() && static_cast<int>(k.idx()) != i)
                runon[k.idx()] += old_runoff[i];
        }
        has_runoff_flag = false;
        for (int i = 0; i < n_sub; ++i) {
            const auto g = net.subcatchments.gage[i];
            const double r = g.valid() ? rain[g.idx()] : 0.0;
            sub_rain[i] = r;
            const double ev = (net.evaporation.dry_only && r > 0) ? 0.0 : evap;
            const auto v = subs[i].step(step, r, ev, runon[i]);
            new_runoff[i] = subs[i].runoff_m3s();
            double total_runoff_ms = 0;
            for (const auto& a : subs[i].subareas())
                total_runoff_ms += a.runoff_ms * a.area_fraction;
            if (total_runoff_ms > 0)
                has_runoff_flag = true;
            sum.runoff.rain_m3 += v.rain_m3;
            sum.runoff.evap_m3 += v.evap_m3;
            sum.runoff.infil_m3 += v.infil_m3;
            const auto k = net.subcatchments.outlet_subcatch[i];
            if (!(k.valid() && static_cast<int>(k.idx()) != i))
                sum.runoff.runoff_m3 += v.runoff_m3;
        }
        ++sum.runoff_steps;
    };

    // --- routing totals (trapezoidal over each step, as SWMM's massbal)
    struct Rates {
        double dw = 0, ww = 0, ex = 0, flood = 0, out = 0, loss = 0;
    } rates;
    auto accumulate = [&](double h) {
        auto& t = sum.routing;
        t.dry_weather_m3 += rates.dw * h;
        t.wet_weather_m3 += rates.ww * h;
        t.external_m3 += rates.ex * h;
        t.flooding_m3 += rates.flood * h;
        t.outflow_m3 += rates.out * h;
        t.losses_m3 += rates.loss * h;
    };
    sum.routing.initial_storage_m3 = router.stored_volume_m3();
    sum.max_depth_m.assign(n_nodes, 0.0);
    sum.flood_volume_m3.assign(n_nodes, 0.0);
    sum.max_flow_m3s.assign(n_links, 0.0);

    std::vector<std::vector<PatternIndex>> dwf_patterns; // per DWF line, FLOW only
    bool has_weekend = false;
    for (const auto& p : net.patterns)
        has_weekend = has_weekend || p.type == PatternType::kWeekend;

    std::vector<double> old_lat(n_nodes, 0.0), old_inflow(n_nodes, 0.0), old_depth(n_nodes, 0.0);
    std::vector<double> old_flow(n_links, 0.0);
    double t_route = 0;
    double report_time = report_step;
    std::int64_t trials = 0;

    auto save_report = [&](double t_old, double t_new) {
        if (report_time > t_new + 1e-6)
            return;
        const double rt = report_time;
        report_time += report_step;
        if (rt < static_cast<double>(opt.report_start_s) - 1e-6)
            return;
        const double f = t_new > t_old ? std::clamp((rt - t_old) / (t_new - t_old), 0.0, 1.0) : 1.0;
        const double f1 = 1.0 - f;
        rep.time_s.push_back(static_cast<std::int64_t>(std::llround(rt)));
        for (int n = 0; n < n_nodes; ++n) {
            const auto& nd = nodes[n];
            if (do_routing) {
                rep.node_depth_m.push_back(f1 * old_depth[n] + f * nd.depth);
                rep.node_flood_m3s.push_back(nd.overflow);
                rep.node_inflow_m3s.push_back(f1 * old_inflow[n] + f * nd.inflow);
            } else {
                rep.node_depth_m.push_back(0);
                rep.node_flood_m3s.push_back(0);
                rep.node_inflow_m3s.push_back(0);
            }
        }
        for (int j = 0; j < n_links; ++j) {
            const double q = do_routing ? f1 * old_flow[j] + f * router.links()[j].flow : 0.0;
            rep.link_flow_m3s.push_back(q * router.links()[j].direction);
        }
        const double fr =
            new_runoff_t > old_runoff_t
                ? std::clamp((rt - old_runoff_t) / (new_runoff_t - old_runoff_t), 0.0, 1.0)
                : 1.0;
        for (int i = 0; i < n_sub; ++i) {
            double q = (1.0 - fr) * old_runoff[i] + fr * new_runoff[i];
            if (q < 2.31481e-8 * kFoot * net.subcatchments.area_m2[i]) // SWMM MIN_RUNOFF
                q = 0;
            rep.subcatch_runoff_m3s.push_back(q);
        }
    };

    while (t_route < total - 1e-9) {
        double dt = do_routing ? (n_links > 0 ? router.next_step(rs.route_step_s) : rs.route_step_s)
                               : std::min(wet_step, report_step);
        double t_next = t_route + dt;
        if (t_next > total) {
            dt = std::max(total - t_route, 0.001);
            t_next = total;
        }
        if (do_runoff)
            while (new_runoff_t < t_next)
                runoff_execute();
        if (!do_routing) {
            const double t_old = t_route;
            t_route = t_next;
            save_report(t_old, t_route);
            continue;
        }
        // --- routing_execute
        accumulate(dt / 2);
        rates = Rates{};
        const double t0 = t_route;
        for (int n = 0; n < n_nodes; ++n) {
            old_lat[n] = nodes[n].lat_flow;
            nodes[n].old_lat_flow = nodes[n].lat_flow;
            nodes[n].lat_flow = 0;
            old_inflow[n] = nodes[n].inflow;
            old_depth[n] = nodes[n].depth;
        }
        for (int j = 0; j < n_links; ++j)
            old_flow[j] = router.links()[j].flow;
        const Calendar cal = calendar_at(net, t0);
        {
            double next_evap = kInf;
            rates.loss = router.set_storage_losses(dt, evaporation_rate(net, t0, next_evap));
        }
        // external inflows
        {
            std::vector<double> q(n_nodes, 0.0);
            std::vector<char> has(n_nodes, 0);
            for (const auto& in : net.inflows) {
                if (in.type != ExternalInflow::Type::kFlow)
                    continue;
                const int n = in.node.idx();
                if (has[n])
                    continue; // SWMM uses a node's first FLOW inflow
                has[n] = 1;
                double v = 0;
                if (in.series.valid())
                    v += series_value(net.series[in.series.idx()], t0) * in.scale_factor *
                         in.conversion_factor;
                v += in.baseline * pattern_factor(net, in.baseline_pattern, cal, has_weekend);
                q[n] = v;
            }
            for (int n = 0; n < n_nodes; ++n) {
                if (!has[n])
                    continue;
                double v = std::abs(q[n]) < kFlowTolerance ? 0.0 : q[n];
                nodes[n].lat_flow += v;
                if (v >= 0)
                    rates.ex += v;
                else
                    rates.out += -v;
            }
        }
        // dry weather flow
        for (const auto& d : net.dwf) {
            if (d.constituent != "FLOW")
                continue;
            double f = 1.0;
            for (const auto& p : d.patterns)
                f *= pattern_factor(net, p, cal, has_weekend);
            double v = d.average * f;
            if (std::abs(v) < kFlowTolerance)
                v = 0;
            nodes[d.node.idx()].lat_flow += v;
            rates.dw += v;
        }
        // wet weather inflow: runoff interpolated at the step start
        if (do_runoff) {
            double f = new_runoff_t > old_runoff_t
                           ? (t0 - old_runoff_t) / (new_runoff_t - old_runoff_t)
                           : 0.0;
            f = std::clamp(f, 0.0, 1.0);
            for (int i = 0; i < n_sub; ++i) {
                const auto node = net.subcatchments.outlet_node[i];
                if (!node.valid())
                    continue;
                const double q = (1.0 - f) * old_runoff[i] + f * new_runoff[i];
                nodes[node.idx()].lat_flow += q;
                rates.ww += q;
            }
        }
        trials += router.step(t0, dt);
        t_route = t_next;
        ++sum.routing_steps;
        for (int n = 0; n < n_nodes; ++n) {
            bool flooded = false;
            const double q = router.system_outflow_m3s(n, flooded);
            if (q > 0) {
                if (flooded)
                    rates.flood += q;
                else
                    rates.out += q;
            } else {
                rates.ex += -q;
            }
        }
        accumulate(dt / 2);
        // statistics over routing steps
        for (int n = 0; n < n_nodes; ++n) {
            const auto& nd = nodes[n];
            sum.max_depth_m[n] = std::max(sum.max_depth_m[n], nd.depth);
            if (nd.kind != NodeKind::kOutfall && (nd.volume > nd.full_volume_m3 || nd.overflow > 0))
                sum.flood_volume_m3[n] += nd.overflow * dt;
        }
        for (int j = 0; j < n_links; ++j)
            sum.max_flow_m3s[j] = std::max(sum.max_flow_m3s[j], std::abs(router.links()[j].flow));
        save_report(t0, t_route);
    }

    // --- balances
    for (const auto& s : subs)
        sum.runoff.final_storage_m3 += s.stored_m3();
    const auto& ro = sum.runoff;
    sum.runoff_continuity_error_pct =
        continuity_error_pct(ro.rain_m3 + ro.initial_storage_m3,
                             ro.evap_m3 + ro.infil_m3 + ro.runoff_m3 + ro.final_storage_m3);
    auto& rt = sum.routing;
    rt.final_storage_m3 = router.stored_volume_m3();
    double in = rt.initial_storage_m3 + rt.wet_weather_m3;
    double out = rt.final_storage_m3 + rt.flooding_m3 + rt.losses_m3;
    (rt.dry_weather_m3 >= 0 ? in : out) += std::abs(rt.dry_weather_m3);
    (rt.external_m3 >= 0 ? in : out) += std::abs(rt.external_m3);
    (rt.outflow_m3 >= 0 ? out : in) += std::abs(rt.outflow_m3);
    sum.flow_routing_continuity_error_pct = do_routing ? continuity_error_pct(in, out) : 0.0;
    sum.mean_trials = sum.routing_steps > 0
                          ? static_cast<double>(trials) / static_cast<double>(sum.routing_steps)
                          : 0.0;
    return result;
}

} // namespace rencheng::drainage
