// Long and summary CSV writers of drainage results.
#include "drainage/results_csv.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/atomic_file.hpp"
#include "core/long_csv.hpp"

namespace rencheng::drainage {

namespace {

/// SWMM's report tables as summary rows (docs/drainage.md "Report statistics"): node depths and
/// inflows for every node, flooding and surcharge where they happened, storage units, outfalls,
/// links, conduit surcharge where it happened, pumps.
void append_report_statistics(std::string& out, const Network& net, const SimulationSummary& m) {
    constexpr double kCubicFoot = 0.028316846592;               // m³
    for (std::size_t i = 0; i < m.subcatch_stats.size(); ++i) { // Subcatchment Runoff Summary
        const double area = net.subcatchments.area_m2[i];
        if (area <= 0)
            continue;
        const auto& st = m.subcatch_stats[i];
        const std::string& id = net.subcatchments.id[i];
        const auto mm = [area](double m3) { return 1000.0 * m3 / area; };
        append_summary_row(out, "subcatch", id, "total_precip_mm", mm(st.precip_m3));
        append_summary_row(out, "subcatch", id, "total_runon_mm", mm(st.runon_m3));
        append_summary_row(out, "subcatch", id, "total_evap_mm", mm(st.evap_m3));
        append_summary_row(out, "subcatch", id, "total_infil_mm", mm(st.infil_m3));
        append_summary_row(out, "subcatch", id, "impervious_runoff_mm",
                           mm(st.impervious_runoff_m3));
        append_summary_row(out, "subcatch", id, "pervious_runoff_mm", mm(st.pervious_runoff_m3));
        append_summary_row(out, "subcatch", id, "total_runoff_mm", mm(st.runoff_m3));
        append_summary_row(out, "subcatch", id, "total_runoff_m3", st.runoff_m3);
        append_summary_row(out, "subcatch", id, "peak_runoff_m3s", st.max_runoff_m3s);
        const double in = st.precip_m3 + st.runon_m3;
        append_summary_row(out, "subcatch", id, "runoff_coeff", in > 0 ? st.runoff_m3 / in : 0.0);
        if (st.has_groundwater) { // Groundwater Summary (averages over the runoff time)
            const double t = st.gw_time_s > 0 ? st.gw_time_s : 1.0;
            append_summary_row(out, "subcatch", id, "gw_infil_mm", mm(st.gw_infil_m3));
            append_summary_row(out, "subcatch", id, "gw_evap_mm", mm(st.gw_evap_m3));
            append_summary_row(out, "subcatch", id, "gw_lower_seepage_mm", mm(st.gw_deep_m3));
            append_summary_row(out, "subcatch", id, "gw_lateral_outflow_mm", mm(st.gw_lateral_m3));
            append_summary_row(out, "subcatch", id, "gw_max_lateral_outflow_m3s",
                               st.gw_max_lateral_m3s);
            append_summary_row(out, "subcatch", id, "gw_avg_upper_moisture", st.gw_theta_s / t);
            append_summary_row(out, "subcatch", id, "gw_avg_water_table_m", st.gw_table_m_s / t);
            append_summary_row(out, "subcatch", id, "gw_final_upper_moisture", st.gw_final_theta);
            append_summary_row(out, "subcatch", id, "gw_final_water_table_m", st.gw_final_table_m);
        }
    }
    // LID Performance Summary: one row set per unit, id "subcatchment control" (SWMM names hold
    // no spaces), depths over the unit's area
    for (const auto& p : m.lid) {
        const std::string id = net.subcatchments.id[static_cast<std::size_t>(p.subcatchment)] +
                               " " + net.lid_controls[static_cast<std::size_t>(p.control)].id;
        append_summary_row(out, "lid", id, "total_inflow_mm", 1000.0 * p.inflow_m);
        append_summary_row(out, "lid", id, "evap_loss_mm", 1000.0 * p.evap_m);
        append_summary_row(out, "lid", id, "infil_loss_mm", 1000.0 * p.infil_m);
        append_summary_row(out, "lid", id, "surface_outflow_mm", 1000.0 * p.surface_outflow_m);
        append_summary_row(out, "lid", id, "drain_outflow_mm", 1000.0 * p.drain_m);
        append_summary_row(out, "lid", id, "initial_storage_mm", 1000.0 * p.initial_storage_m);
        append_summary_row(out, "lid", id, "final_storage_mm", 1000.0 * p.final_storage_m);
        const double in = p.initial_storage_m + p.inflow_m;
        const double out_m =
            p.final_storage_m + p.evap_m + p.infil_m + p.surface_outflow_m + p.drain_m;
        append_summary_row(out, "lid", id, "continuity_error_pct",
                           in > 0 ? 100.0 * (in - out_m) / in : 100.0);
    }
    if (!m.has_routing || net.link_count() == 0 || m.node_stats.empty())
        return;
    // Routing Time Step Summary
    append_summary_row(out, "system", "system", "routing_min_step_s", m.min_step_s);
    append_summary_row(out, "system", "system", "routing_avg_step_s", m.mean_step_s);
    append_summary_row(out, "system", "system", "routing_max_step_s", m.max_step_s);
    if (m.dynamic_wave) { // Picard trials (SWMM's kinematic wave counts its Newton evaluations)
        append_summary_row(out, "system", "system", "routing_avg_trials", m.mean_trials);
        append_summary_row(out, "system", "system", "routing_pct_not_converging",
                           percent_of_steps(m.nonconverged_steps, m.routing_steps));
    }
    const double steps = m.report_steps > 0 ? static_cast<double>(m.report_steps) : 1.0;
    const bool dynwave = m.dynamic_wave;
    for (std::size_t i = 0; i < m.node_stats.size(); ++i) {
        const auto& st = m.node_stats[i];
        const std::string& id = net.node_id[i];
        const NodeKind kind = net.node_kind[i];
        const double max_depth = m.max_depth_m[i];
        append_summary_row(out, "node", id, "avg_depth_m", st.depth_sum_m / steps);
        if (st.critical_steps > 0)
            append_summary_row(out, "node", id, "pct_time_step_critical",
                               percent_of_steps(st.critical_steps, m.routing_steps));
        append_summary_row(out, "node", id, "time_of_max_depth_s", st.max_depth_time_s);
        append_summary_row(out, "node", id, "max_lateral_inflow_m3s", st.max_lateral_inflow_m3s);
        append_summary_row(out, "node", id, "max_total_inflow_m3s", st.max_inflow_m3s);
        append_summary_row(out, "node", id, "time_of_max_inflow_s", st.max_inflow_time_s);
        append_summary_row(out, "node", id, "lateral_inflow_volume_m3", st.lateral_inflow_m3);
        append_summary_row(out, "node", id, "total_inflow_volume_m3", st.inflow_m3);
        // SWMM's Flow Balance Error: percent of the outflow, a volume where that is under 1 ft³
        append_summary_row(out, "node", id, "flow_balance_error_m3", st.inflow_m3 - st.outflow_m3);
        if (std::abs(st.outflow_m3) >= kCubicFoot)
            append_summary_row(out, "node", id, "flow_balance_error_pct",
                               100.0 * (st.inflow_m3 - st.outflow_m3) / st.outflow_m3);
        if (kind != NodeKind::kOutfall && st.flooded_s > 0) {
            append_summary_row(out, "node", id, "hours_flooded", st.flooded_s / 3600.0);
            append_summary_row(out, "node", id, "max_flood_rate_m3s", st.max_overflow_m3s);
            append_summary_row(out, "node", id, "time_of_max_flood_s", st.max_overflow_time_s);
            append_summary_row(out, "node", id, "max_ponded_volume_m3", st.max_ponded_m3);
            if (dynwave)
                append_summary_row(out, "node", id, "max_ponded_depth_m",
                                   max_depth - st.full_depth_m);
        }
        if (kind != NodeKind::kOutfall && st.surcharged_s > 0) {
            append_summary_row(out, "node", id, "hours_surcharged", st.surcharged_s / 3600.0);
            append_summary_row(out, "node", id, "max_height_above_crown_m",
                               std::max(0.0, max_depth - st.crown_depth_m));
            append_summary_row(out, "node", id, "min_depth_below_rim_m",
                               std::max(0.0, st.full_depth_m - max_depth));
        }
        if (kind == NodeKind::kStorage) {
            const double avg = st.volume_sum_m3 / steps;
            const double full = st.full_volume_m3;
            append_summary_row(out, "node", id, "avg_volume_m3", avg);
            append_summary_row(out, "node", id, "avg_pct_full",
                               full > 0 ? 100.0 * avg / full : 0.0);
            append_summary_row(out, "node", id, "max_volume_m3", st.max_volume_m3);
            append_summary_row(out, "node", id, "max_pct_full",
                               full > 0 ? 100.0 * st.max_volume_m3 / full : 0.0);
            append_summary_row(out, "node", id, "time_of_max_volume_s", st.max_volume_time_s);
            append_summary_row(out, "node", id, "max_outflow_m3s", st.max_outflow_m3s);
        }
        if (kind == NodeKind::kOutfall) {
            const auto k = static_cast<double>(st.outflow_steps);
            append_summary_row(out, "node", id, "discharge_frequency_pct", 100.0 * k / steps);
            append_summary_row(out, "node", id, "avg_discharge_m3s",
                               k > 0 ? st.outflow_sum_m3s / k : 0.0);
            append_summary_row(out, "node", id, "max_discharge_m3s", st.max_outflow_rate_m3s);
            append_summary_row(out, "node", id, "discharge_volume_m3", st.inflow_m3);
        }
    }
    for (std::size_t j = 0; j < m.link_stats.size(); ++j) {
        const auto& st = m.link_stats[j];
        const std::string& id = net.link_id[j];
        append_summary_row(out, "link", id, "time_of_max_flow_s", st.max_flow_time_s);
        if (st.critical_steps > 0)
            append_summary_row(out, "link", id, "pct_time_step_critical",
                               percent_of_steps(st.critical_steps, m.routing_steps));
        if (m.report_steps > 2)
            append_summary_row(out, "link", id, "flow_instability_index",
                               flow_instability_index(st, m.report_steps));
        if (net.link_kind[j] == LinkKind::kPump) {
            const auto on = static_cast<double>(st.pump_on_steps);
            append_summary_row(out, "link", id, "percent_utilized",
                               m.report_span_s > 0 ? 100.0 * st.pump_on_s / m.report_span_s : 0.0);
            append_summary_row(out, "link", id, "startups", static_cast<double>(st.pump_startups));
            append_summary_row(out, "link", id, "min_flow_m3s", st.pump_min_flow_m3s);
            append_summary_row(out, "link", id, "avg_flow_m3s",
                               on > 0 ? st.pump_flow_sum_m3s / on : 0.0);
            append_summary_row(out, "link", id, "pumped_volume_m3", st.pump_volume_m3);
            append_summary_row(out, "link", id, "energy_kwh", st.pump_energy_kwh);
            const double on_s = st.pump_on_s > 0 ? st.pump_on_s : 1.0;
            append_summary_row(out, "link", id, "pct_off_curve_low",
                               100.0 * st.pump_off_low_s / on_s);
            append_summary_row(out, "link", id, "pct_off_curve_high",
                               100.0 * st.pump_off_high_s / on_s);
            continue;
        }
        if (st.full_depth_m <= 0)
            continue;                                       // not a conduit, or a dummy one
        if (net.xsection[j].shape == XsectShape::kStreet) { // Street Flow Summary
            append_summary_row(out, "link", id, "street_max_spread_m", st.max_spread_m);
            append_summary_row(out, "link", id, "street_max_depth_m", st.max_depth_m);
        }
        append_summary_row(out, "link", id, "max_velocity_ms", st.max_velocity_ms);
        append_summary_row(out, "link", id, "max_over_full_flow",
                           st.full_flow_m3s > 0 ? m.max_flow_m3s[j] / st.full_flow_m3s : 0.0);
        append_summary_row(out, "link", id, "max_over_full_depth",
                           st.max_depth_m / st.full_depth_m);
        if (m.dynamic_wave && m.report_span_s > 0) { // Flow Classification Summary
            static constexpr const char* kClass[] = {"frac_dry",
                                                     "frac_upstream_dry",
                                                     "frac_downstream_dry",
                                                     "frac_subcritical",
                                                     "frac_supercritical",
                                                     "frac_upstream_critical",
                                                     "frac_downstream_critical"};
            append_summary_row(out, "link", id, "adjusted_length_ratio", st.length_ratio);
            for (std::size_t k = 0; k < st.flow_class_s.size(); ++k)
                append_summary_row(out, "link", id, kClass[k],
                                   st.flow_class_s[k] / m.report_span_s);
            append_summary_row(out, "link", id, "frac_normal_flow_limited",
                               st.normal_flow_s / m.report_span_s);
            append_summary_row(out, "link", id, "frac_inlet_control",
                               st.inlet_control_s / m.report_span_s);
        }
        if (st.both_ends_full_s + st.upstream_full_s + st.downstream_full_s + st.above_full_flow_s >
            0) {
            append_summary_row(out, "link", id, "hours_both_ends_full",
                               st.both_ends_full_s / 3600.0);
            append_summary_row(out, "link", id, "hours_upstream_full", st.upstream_full_s / 3600.0);
            append_summary_row(out, "link", id, "hours_downstream_full",
                               st.downstream_full_s / 3600.0);
            append_summary_row(out, "link", id, "hours_above_full_flow",
                               st.above_full_flow_s / 3600.0);
            append_summary_row(out, "link", id, "hours_capacity_limited",
                               st.capacity_limited_s / 3600.0);
        }
    }
    // Street Flow Summary: the inlets on each street conduit (inlet.c writeStreetStats)
    for (const auto& in : m.inlet_stats) {
        const auto j = static_cast<std::size_t>(in.link);
        const std::string& id = net.link_id[j];
        const auto& u = net.inlet_usage[static_cast<std::size_t>(in.usage)];
        const auto& x = net.xsection[j];
        const int sides = x.shape == XsectShape::kStreet && x.street_index >= 0
                              ? net.streets[static_cast<std::size_t>(x.street_index)].sides
                              : 1;
        const double q_max = m.max_flow_m3s[j];
        append_summary_row(out, "link", id, "inlet_on_sag", in.on_sag ? 1.0 : 0.0);
        append_summary_row(out, "link", id, "inlet_count", u.count);
        if (in.flow_periods == 0)
            continue;
        const double fp = static_cast<double>(in.flow_periods) / 100.0;
        const double cp = static_cast<double>(in.capture_periods) / 100.0;
        append_summary_row(out, "link", id, "peak_flow_capture_pct", in.peak_flow_capture_pct);
        append_summary_row(out, "link", id, "avg_flow_capture_pct",
                           cp > 0 ? in.capture_fraction_sum / cp : 0.0);
        append_summary_row(out, "link", id, "bypass_frequency_pct",
                           cp > 0 ? static_cast<double>(in.bypass_periods) / cp : 0.0);
        append_summary_row(out, "link", id, "backflow_frequency_pct",
                           static_cast<double>(in.backflow_periods) / fp);
        append_summary_row(out, "link", id, "peak_capture_per_inlet_m3s",
                           q_max / sides * 0.01 * in.peak_flow_capture_pct / std::max(u.count, 1));
        append_summary_row(out, "link", id, "peak_bypass_m3s",
                           q_max * 0.01 * (100.0 - in.peak_flow_capture_pct));
    }
}

/// The mass unit of a pollutant's totals in quantity names: kg, or count for #/L pollutants.
const char* mass_suffix(const Pollutant& p) {
    return p.units == ConcentrationUnit::kCountPerL ? "_count" : "_kg";
}

/// SWMM's Runoff Quality Continuity (system rows) and Subcatchment Washoff Summary (subcatch
/// rows and a system total) of a run with water quality.
void append_quality(std::string& out, const Network& net, const SimulationSummary& m) {
    if (!m.has_quality)
        return;
    const std::size_t np = m.pollutants.size();
    // a USE RUNOFF run has the table too, its initial buildup alone (as SWMM's)
    const bool runoff = m.has_runoff || m.runoff_from_file;
    for (std::size_t p = 0; p < np && p < m.quality.size() && runoff; ++p) {
        const auto& t = m.quality[p];
        const std::string q = "quality_" + m.pollutants[p].id + "_";
        const std::string u = mass_suffix(m.pollutants[p]);
        const auto add = [&](const char* term, double v) {
            append_summary_row(out, "system", "system", (q + term + u).c_str(), v);
        };
        add("initial_buildup", t.initial_buildup);
        add("surface_buildup", t.surface_buildup);
        add("wet_deposition", t.wet_deposition);
        add("sweeping_removal", t.sweeping);
        add("infiltration_loss", t.infiltration);
        add("bmp_removal", t.bmp_removal);
        add("surface_runoff", t.surface_runoff);
        add("remaining_buildup", t.remaining_buildup);
        append_summary_row(out, "system", "system", (q + "continuity_error_pct").c_str(),
                           t.continuity_error_pct);
    }
    std::vector<double> total(np, 0.0);
    for (std::size_t i = 0; i < static_cast<std::size_t>(net.subcatchments.count()); ++i)
        for (std::size_t p = 0; p < np; ++p) {
            const double w = m.subcatch_washoff_kg[i * np + p];
            total[p] += w;
            append_summary_row(
                out, "subcatch", net.subcatchments.id[i],
                ("washoff_" + m.pollutants[p].id + mass_suffix(m.pollutants[p])).c_str(), w);
        }
    for (std::size_t p = 0; p < np && runoff; ++p)
        append_summary_row(out, "system", "system",
                           ("washoff_" + m.pollutants[p].id + mass_suffix(m.pollutants[p])).c_str(),
                           total[p]);
    if (!m.has_quality_routing)
        return;
    // SWMM's Quality Routing Continuity and the outfalls' loads (Outfall Loading Summary)
    for (std::size_t p = 0; p < np && p < m.routing_quality.size(); ++p) {
        const auto& t = m.routing_quality[p];
        const std::string q = "quality_" + m.pollutants[p].id + "_";
        const std::string u = mass_suffix(m.pollutants[p]);
        for (const auto& term : routing_quality_terms(t))
            append_summary_row(out, "system", "system", (q + term.quantity + u).c_str(),
                               term.value);
        append_summary_row(out, "system", "system", (q + "routing_continuity_error_pct").c_str(),
                           t.continuity_error_pct);
    }
    std::vector<double> outfall_total(np, 0.0);
    for (std::size_t o = 0; o < static_cast<std::size_t>(net.outfalls.count()); ++o)
        for (std::size_t p = 0; p < np; ++p) {
            const double w = m.outfall_load_kg[o * np + p];
            outfall_total[p] += w;
            append_summary_row(
                out, "node", net.node_id[net.outfalls.node[o].idx()],
                ("load_" + m.pollutants[p].id + mass_suffix(m.pollutants[p])).c_str(), w);
        }
    for (std::size_t p = 0; p < np; ++p)
        append_summary_row(
            out, "system", "system",
            ("outfall_load_" + m.pollutants[p].id + mass_suffix(m.pollutants[p])).c_str(),
            outfall_total[p]);
}

} // namespace

std::vector<RoutingQualityTerm> routing_quality_terms(const RoutingQualityTotals& t) {
    return {{"dry_weather_inflow", "dry weather inflow", "旱季入流", t.dry_weather},
            {"wet_weather_inflow", "wet weather inflow", "雨季入流", t.wet_weather},
            {"groundwater_inflow", "groundwater inflow", "地下水入流", t.groundwater},
            {"rdii_inflow", "RDII inflow", "入流入渗", t.rdii},
            {"external_inflow", "external inflow", "外部入流", t.external},
            {"external_outflow", "external outflow", "外排出流", t.outflow},
            {"flooding_loss", "flooding loss", "溢流损失", t.flooding},
            {"exfiltration_loss", "exfiltration loss", "渗漏损失", t.exfiltration},
            {"mass_reacted", "mass reacted", "反应损失", t.reacted},
            {"initial_stored_mass", "initial stored mass", "初始存量", t.initial_stored},
            {"final_stored_mass", "final stored mass", "最终存量", t.final_stored}};
}

std::string concentration_quantity(const Pollutant& p) {
    const char* unit = p.units == ConcentrationUnit::kMgPerL   ? "_mg_per_l"
                       : p.units == ConcentrationUnit::kUgPerL ? "_ug_per_l"
                                                               : "_count_per_l";
    return "quality_" + p.id + unit;
}

std::string washoff_quantity(const Pollutant& p) {
    const char* unit = p.units == ConcentrationUnit::kMgPerL   ? "_mg_per_l"
                       : p.units == ConcentrationUnit::kUgPerL ? "_ug_per_l"
                                                               : "_count_per_l";
    return "washoff_" + p.id + unit;
}

namespace {

/// The rows into `buffer`, handed on after each reporting time.
void format_results_rows(const Network& net, const SimulationResult& result, CsvBuffer& buffer) {
    std::string& out = buffer.text();
    out += "time_s,type,id,quantity,value\n";
    const auto& s = result.series;
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    const auto& has_aquifer = result.summary.subcatch_has_aquifer;
    for (std::size_t k = 0; k < s.time_s.size(); ++k) {
        const auto t = s.time_s[k];
        for (std::size_t i = 0; i < ns; ++i) {
            const std::string& id = net.subcatchments.id[i];
            append_long_row(out, t, "subcatch", id, "rainfall_mmh",
                            3.6e6 * s.subcatch_rain_ms[k * ns + i]);
            append_long_row(out, t, "subcatch", id, "runoff_m3s",
                            s.subcatch_runoff_m3s[k * ns + i]);
            append_long_row(out, t, "subcatch", id, "evap_loss_mmd",
                            8.64e7 * s.subcatch_evap_ms[k * ns + i]);
            append_long_row(out, t, "subcatch", id, "infil_loss_mmh",
                            3.6e6 * s.subcatch_infil_ms[k * ns + i]);
            if (result.summary.has_snow)
                append_long_row(out, t, "subcatch", id, "snow_depth_mm",
                                1000.0 * s.subcatch_snow_depth_m[k * ns + i]);
            if (i < has_aquifer.size() && has_aquifer[i] != 0) {
                append_long_row(out, t, "subcatch", id, "gw_flow_m3s",
                                s.subcatch_gw_flow_m3s[k * ns + i]);
                append_long_row(out, t, "subcatch", id, "gw_elevation_m",
                                s.subcatch_gw_elevation_m[k * ns + i]);
                append_long_row(out, t, "subcatch", id, "soil_moisture",
                                s.subcatch_soil_moisture[k * ns + i]);
            }
            if (result.summary.has_quality) { // washoff concentrations
                const auto& pols = result.summary.pollutants;
                for (std::size_t p = 0; p < pols.size(); ++p)
                    append_long_row(out, t, "subcatch", id, washoff_quantity(pols[p]).c_str(),
                                    s.subcatch_washoff[(k * ns + i) * pols.size() + p]);
            }
        }
        for (std::size_t i = 0; i < nn; ++i) {
            const double depth = s.node_depth_m[k * nn + i];
            append_long_row(out, t, "node", net.node_id[i], "depth_m", depth);
            append_long_row(out, t, "node", net.node_id[i], "head_m", depth + net.invert_m[i]);
            append_long_row(out, t, "node", net.node_id[i], "volume_m3",
                            s.node_volume_m3[k * nn + i]);
            append_long_row(out, t, "node", net.node_id[i], "lateral_inflow_m3s",
                            s.node_lateral_m3s[k * nn + i]);
            append_long_row(out, t, "node", net.node_id[i], "flood_m3s",
                            s.node_flood_m3s[k * nn + i]);
            append_long_row(out, t, "node", net.node_id[i], "total_inflow_m3s",
                            s.node_inflow_m3s[k * nn + i]);
            if (result.summary.has_quality_routing) {
                const auto& pols = result.summary.pollutants;
                for (std::size_t p = 0; p < pols.size(); ++p)
                    append_long_row(out, t, "node", net.node_id[i],
                                    concentration_quantity(pols[p]).c_str(),
                                    s.node_quality[(k * nn + i) * pols.size() + p]);
            }
        }
        for (std::size_t j = 0; j < nl; ++j) {
            append_long_row(out, t, "link", net.link_id[j], "flow_m3s",
                            s.link_flow_m3s[k * nl + j]);
            append_long_row(out, t, "link", net.link_id[j], "depth_m", s.link_depth_m[k * nl + j]);
            append_long_row(out, t, "link", net.link_id[j], "velocity_ms",
                            s.link_velocity_ms[k * nl + j]);
            append_long_row(out, t, "link", net.link_id[j], "volume_m3",
                            s.link_volume_m3[k * nl + j]);
            append_long_row(out, t, "link", net.link_id[j], "capacity",
                            s.link_capacity[k * nl + j]);
            if (result.summary.has_quality_routing) {
                const auto& pols = result.summary.pollutants;
                for (std::size_t p = 0; p < pols.size(); ++p)
                    append_long_row(out, t, "link", net.link_id[j],
                                    concentration_quantity(pols[p]).c_str(),
                                    s.link_quality[(k * nl + j) * pols.size() + p]);
            }
        }
        buffer.flush_block();
    }
}

} // namespace

std::string format_results_csv(const Network& net, const SimulationResult& result) {
    CsvBuffer buffer;
    format_results_rows(net, result, buffer);
    return std::move(buffer.text());
}

std::vector<BalanceTerm> balance_terms(const SimulationSummary& m) {
    std::vector<BalanceTerm> t;
    t.reserve(25);
    const auto add = [&t](const char* q, const char* en, const char* zh, double v) {
        t.push_back(BalanceTerm{q, en, zh, v});
    };
    if (m.has_runoff && !m.runoff_from_file) {
        const auto& r = m.runoff;
        add("runoff_initial_storage_m3", "initial storage", "初始蓄量", r.initial_storage_m3);
        if (m.has_snow)
            add("runoff_initial_snow_cover_m3", "initial snow cover", "初始积雪",
                r.initial_snow_m3);
        add("runoff_precipitation_m3", "total precipitation", "降雨总量", r.rain_m3);
        add("runoff_runon_m3", "outfall runon", "排口回流", r.runon_m3);
        add("runoff_evaporation_loss_m3", "evaporation loss", "蒸发损失", r.evap_m3);
        add("runoff_infiltration_loss_m3", "infiltration loss", "下渗损失", r.infil_m3);
        add("runoff_surface_runoff_m3", "surface runoff", "地表径流", r.runoff_m3);
        add("runoff_lid_drainage_m3", "LID drainage", "海绵设施排水", r.drains_m3);
        if (m.has_snow) {
            add("runoff_snow_removed_m3", "snow removed", "清除积雪", r.snow_removed_m3);
            add("runoff_final_snow_cover_m3", "final snow cover", "最终积雪", r.final_snow_m3);
        }
        add("runoff_final_storage_m3", "final storage", "最终蓄量", r.final_storage_m3);
    }
    if (m.has_groundwater) {
        const auto& g = m.groundwater;
        add("groundwater_initial_storage_m3", "initial storage", "初始蓄量", g.initial_storage_m3);
        add("groundwater_infiltration_m3", "infiltration", "下渗补给", g.infil_m3);
        add("groundwater_upper_zone_et_m3", "upper zone ET", "上层蒸散", g.upper_evap_m3);
        add("groundwater_lower_zone_et_m3", "lower zone ET", "下层蒸散", g.lower_evap_m3);
        add("groundwater_deep_percolation_m3", "deep percolation", "深层渗漏", g.deep_loss_m3);
        add("groundwater_flow_m3", "groundwater flow", "地下水出流", g.lateral_m3);
        add("groundwater_final_storage_m3", "final storage", "最终蓄量", g.final_storage_m3);
    }
    if (m.has_routing) {
        const auto& r = m.routing;
        add("routing_dry_weather_inflow_m3", "dry weather inflow", "旱季入流", r.dry_weather_m3);
        add("routing_wet_weather_inflow_m3", "wet weather inflow", "雨季入流", r.wet_weather_m3);
        add("routing_groundwater_inflow_m3", "groundwater inflow", "地下水入流", r.groundwater_m3);
        add("routing_rdii_inflow_m3", "RDII inflow", "入流入渗", r.rdii_m3);
        add("routing_external_inflow_m3", "external inflow", "外部入流", r.external_m3);
        add("routing_external_outflow_m3", "external outflow", "外排出流", r.outflow_m3);
        add("routing_flooding_loss_m3", "flooding loss", "溢流损失", r.flooding_m3);
        add("routing_evaporation_exfiltration_loss_m3", "evaporation and exfiltration loss",
            "蒸发与渗漏", r.losses_m3);
        add("routing_initial_storage_m3", "initial stored volume", "初始蓄量",
            r.initial_storage_m3);
        add("routing_final_storage_m3", "final stored volume", "最终蓄量", r.final_storage_m3);
    }
    return t;
}

std::string format_summary_csv(const Network& net, const SimulationResult& result) {
    std::string out = "type,id,quantity,value\n";
    const auto& m = result.summary;
    const bool routed = m.has_routing && net.link_count() > 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
        if (routed)
            append_summary_row(out, "node", net.node_id[i], "max_depth_m", m.max_depth_m[i]);
        append_summary_row(out, "node", net.node_id[i], "flood_volume_m3", m.flood_volume_m3[i]);
    }
    if (routed)
        for (std::size_t j = 0; j < static_cast<std::size_t>(net.link_count()); ++j)
            append_summary_row(out, "link", net.link_id[j], "max_flow_m3s", m.max_flow_m3s[j]);
    if (!m.runoff_from_file) // SWMM reports no runoff continuity for runoff read from a file
        append_summary_row(out, "system", "system", "runoff_continuity_error_pct",
                           m.runoff_continuity_error_pct);
    append_summary_row(out, "system", "system", "flow_routing_continuity_error_pct",
                       m.flow_routing_continuity_error_pct);
    if (m.has_groundwater)
        append_summary_row(out, "system", "system", "groundwater_continuity_error_pct",
                           m.groundwater_continuity_error_pct);
    for (const auto& t : balance_terms(m))
        append_summary_row(out, "system", "system", t.quantity, t.value_m3);
    append_quality(out, net, m);
    append_report_statistics(out, net, m);
    return out;
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result) {
    write_csv_atomic(path, [&](CsvBuffer& buffer) { format_results_rows(net, result, buffer); });
}

void write_summary_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result) {
    write_file_atomic(path, format_summary_csv(net, result));
}

} // namespace rencheng::drainage
