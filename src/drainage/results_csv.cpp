// Long and summary CSV writers of drainage results.
#include "drainage/results_csv.hpp"

#include <charconv>

#include "core/atomic_file.hpp"

namespace rencheng::drainage {

namespace {

void append_number(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v == 0 ? 0.0 : v); // no "-0"
    out.append(buf, r.ptr);
}

void append_id(std::string& out, const std::string& id) {
    if (id.find_first_of(",\"\n\r") == std::string::npos) {
        out += id;
        return;
    }
    out += '"';
    for (const char c : id) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void row(std::string& out, std::int64_t t, const char* type, const std::string& id, const char* q,
         double v) {
    out += std::to_string(t);
    out += ',';
    out += type;
    out += ',';
    append_id(out, id);
    out += ',';
    out += q;
    out += ',';
    append_number(out, v);
    out += '\n';
}

void summary_row(std::string& out, const char* type, const std::string& id, const char* q,
                 double v) {
    out += type;
    out += ',';
    append_id(out, id);
    out += ',';
    out += q;
    out += ',';
    append_number(out, v);
    out += '\n';
}

} // namespace

std::string format_results_csv(const Network& net, const SimulationResult& result) {
    std::string out = "time_s,type,id,quantity,value\n";
    const auto& s = result.series;
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    for (std::size_t k = 0; k < s.time_s.size(); ++k) {
        const auto t = s.time_s[k];
        for (std::size_t i = 0; i < ns; ++i)
            row(out, t, "subcatch", net.subcatchments.id[i], "runoff_m3s",
                s.subcatch_runoff_m3s[k * ns + i]);
        for (std::size_t i = 0; i < nn; ++i) {
            row(out, t, "node", net.node_id[i], "depth_m", s.node_depth_m[k * nn + i]);
            row(out, t, "node", net.node_id[i], "flood_m3s", s.node_flood_m3s[k * nn + i]);
            row(out, t, "node", net.node_id[i], "total_inflow_m3s", s.node_inflow_m3s[k * nn + i]);
        }
        for (std::size_t j = 0; j < nl; ++j)
            row(out, t, "link", net.link_id[j], "flow_m3s", s.link_flow_m3s[k * nl + j]);
    }
    return out;
}

std::vector<BalanceTerm> balance_terms(const SimulationSummary& m) {
    std::vector<BalanceTerm> t;
    if (m.has_runoff && !m.runoff_from_file) {
        const auto& r = m.runoff;
        t.insert(
            t.end(),
            {{"runoff_initial_storage_m3", "initial storage", "初始蓄量", r.initial_storage_m3},
             {"runoff_precipitation_m3", "total precipitation", "降雨总量", r.rain_m3},
             {"runoff_runon_m3", "outfall runon", "排口回流", r.runon_m3},
             {"runoff_evaporation_loss_m3", "evaporation loss", "蒸发损失", r.evap_m3},
             {"runoff_infiltration_loss_m3", "infiltration loss", "下渗损失", r.infil_m3},
             {"runoff_surface_runoff_m3", "surface runoff", "地表径流", r.runoff_m3},
             {"runoff_lid_drainage_m3", "LID drainage", "海绵设施排水", r.drains_m3},
             {"runoff_final_storage_m3", "final storage", "最终蓄量", r.final_storage_m3}});
    }
    if (m.has_routing) {
        const auto& r = m.routing;
        t.insert(
            t.end(),
            {{"routing_dry_weather_inflow_m3", "dry weather inflow", "旱季入流", r.dry_weather_m3},
             {"routing_wet_weather_inflow_m3", "wet weather inflow", "雨季入流", r.wet_weather_m3},
             {"routing_groundwater_inflow_m3", "groundwater inflow", "地下水入流",
              r.groundwater_m3},
             {"routing_rdii_inflow_m3", "RDII inflow", "入流入渗", r.rdii_m3},
             {"routing_external_inflow_m3", "external inflow", "外部入流", r.external_m3},
             {"routing_external_outflow_m3", "external outflow", "外排出流", r.outflow_m3},
             {"routing_flooding_loss_m3", "flooding loss", "溢流损失", r.flooding_m3},
             {"routing_evaporation_exfiltration_loss_m3", "evaporation and exfiltration loss",
              "蒸发与渗漏", r.losses_m3},
             {"routing_initial_storage_m3", "initial stored volume", "初始蓄量",
              r.initial_storage_m3},
             {"routing_final_storage_m3", "final stored volume", "最终蓄量", r.final_storage_m3}});
    }
    return t;
}

std::string format_summary_csv(const Network& net, const SimulationResult& result) {
    std::string out = "type,id,quantity,value\n";
    const auto& m = result.summary;
    const bool routed = m.has_routing && net.link_count() > 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
        if (routed)
            summary_row(out, "node", net.node_id[i], "max_depth_m", m.max_depth_m[i]);
        summary_row(out, "node", net.node_id[i], "flood_volume_m3", m.flood_volume_m3[i]);
    }
    if (routed)
        for (std::size_t j = 0; j < static_cast<std::size_t>(net.link_count()); ++j)
            summary_row(out, "link", net.link_id[j], "max_flow_m3s", m.max_flow_m3s[j]);
    if (!m.runoff_from_file) // SWMM reports no runoff continuity for runoff read from a file
        summary_row(out, "system", "system", "runoff_continuity_error_pct",
                    m.runoff_continuity_error_pct);
    summary_row(out, "system", "system", "flow_routing_continuity_error_pct",
                m.flow_routing_continuity_error_pct);
    for (const auto& t : balance_terms(m))
        summary_row(out, "system", "system", t.quantity, t.value_m3);
    return out;
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result) {
    write_file_atomic(path, format_results_csv(net, result));
}

void write_summary_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result) {
    write_file_atomic(path, format_summary_csv(net, result));
}

} // namespace rencheng::drainage
