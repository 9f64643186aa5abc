// Writer of water solver results in the long CSV form shared by every lifeline (DESIGN.md §5).
#include "water/results_csv.hpp"

#include <cmath>
#include <utility>

#include "core/long_csv.hpp"

namespace rencheng::water {

namespace {

/// The rows into `buffer`, handed on after each reporting time.
void format_rows(const Network& net, const EpsResult& result, const QualityResult* quality,
                 CsvBuffer& buffer) {
    std::string& out = buffer.text();
    out += "time_s,type,id,quantity,value\n";
    constexpr double kPi = 3.14159265358979323846;
    const std::string qname = quality ? quality_quantity_name(quality->model) : std::string();
    std::size_t qi = 0;
    for (const EpsSnapshot& s : result.reports) {
        const QualitySnapshot* q = nullptr;
        if (!qname.empty()) {
            while (qi < quality->reports.size() && quality->reports[qi].time_s < s.time_s)
                ++qi;
            if (qi < quality->reports.size() && quality->reports[qi].time_s == s.time_s)
                q = &quality->reports[qi];
        }
        for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
            append_long_row(out, s.time_s, "node", net.node_id[i], "head_m", s.head_m[i]);
            append_long_row(out, s.time_s, "node", net.node_id[i], "pressure_m",
                            s.head_m[i] - net.elevation_m[i]);
            append_long_row(out, s.time_s, "node", net.node_id[i], "demand_m3s", s.demand_m3s[i]);
            // EPANET 2.3 pipe leakage out of the junction (in demand_m3s too), where it has any
            if (i < s.leakage_m3s.size() && s.leakage_m3s[i] != 0.0)
                append_long_row(out, s.time_s, "node", net.node_id[i], "leakage_m3s",
                                s.leakage_m3s[i]);
            if (net.node_kind[i] == NodeKind::kTank) {
                append_long_row(out, s.time_s, "node", net.node_id[i], "level_m",
                                s.head_m[i] - net.elevation_m[i]);
                // Tanks that may overflow (EPANET 2.2 `Overflow YES`): the spill rate now and,
                // at the last reporting time, the volume spilled over the whole run.
                const auto t = static_cast<std::size_t>(net.tank_of_node[i]);
                if (net.tanks.overflow[t]) {
                    append_long_row(out, s.time_s, "node", net.node_id[i], "overflow_m3s",
                                    t < s.tank_overflow_m3s.size() ? s.tank_overflow_m3s[t] : 0.0);
                    if (&s == &result.reports.back() && t < result.tank_overflow_volume_m3.size())
                        append_long_row(out, s.time_s, "node", net.node_id[i], "overflow_volume_m3",
                                        result.tank_overflow_volume_m3[t]);
                }
            }
            if (q)
                append_long_row(out, s.time_s, "node", net.node_id[i], qname.c_str(), q->node[i]);
        }
        for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
            append_long_row(out, s.time_s, "link", net.link_id[k], "flow_m3s", s.flow_m3s[k]);
            double v = 0;
            const double d = net.diameter_m[k];
            if (net.link_kind[k] != LinkKind::kPump && d > 0)
                v = std::fabs(s.flow_m3s[k]) / (kPi * d * d / 4.0);
            append_long_row(out, s.time_s, "link", net.link_id[k], "velocity_ms", v);
            if (k < s.link_open.size())
                append_long_row(out, s.time_s, "link", net.link_id[k], "status", s.link_open[k]);
            // Pumps, at the last reporting time: their energy use over the run (EPANET's
            // energy report).
            if (net.link_kind[k] == LinkKind::kPump && &s == &result.reports.back()) {
                const auto j = static_cast<std::size_t>(net.pump_of_link[k]);
                if (j < result.pump_energy.size()) {
                    const PumpEnergy& e = result.pump_energy[j];
                    const std::string& id = net.link_id[k];
                    append_long_row(out, s.time_s, "link", id, "utilization_pct",
                                    e.utilization_pct);
                    append_long_row(out, s.time_s, "link", id, "efficiency_pct", e.efficiency_pct);
                    append_long_row(out, s.time_s, "link", id, "energy_kwh_per_m3", e.kwh_per_m3);
                    append_long_row(out, s.time_s, "link", id, "power_average_kw", e.average_kw);
                    append_long_row(out, s.time_s, "link", id, "power_peak_kw", e.peak_kw);
                    append_long_row(out, s.time_s, "link", id, "energy_kwh", e.energy_kwh);
                    append_long_row(out, s.time_s, "link", id, "cost_per_day", e.cost_per_day);
                }
            }
            if (q)
                append_long_row(out, s.time_s, "link", net.link_id[k], qname.c_str(), q->link[k]);
        }
        buffer.flush_block();
    }
}

std::string format_rows(const Network& net, const EpsResult& result, const QualityResult* quality) {
    CsvBuffer buffer;
    format_rows(net, result, quality, buffer);
    return std::move(buffer.text());
}

} // namespace

std::string quality_quantity_name(const QualityModel& model) {
    switch (model.kind) {
    case QualityKind::kNone:
        return {};
    case QualityKind::kChemical:
        return model.units == "ug/L" ? "concentration_ugl" : "concentration_mgl";
    case QualityKind::kAge:
        return "age_h";
    case QualityKind::kTrace:
        return "trace_pct";
    }
    return {};
}

std::string format_results_csv(const Network& net, const EpsResult& result) {
    return format_rows(net, result, nullptr);
}

std::string format_results_csv(const Network& net, const QualityResult& quality) {
    return format_rows(net, quality.hydraulics, &quality);
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const EpsResult& result) {
    write_csv_atomic(path, [&](CsvBuffer& buffer) { format_rows(net, result, nullptr, buffer); });
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const QualityResult& quality) {
    write_csv_atomic(
        path, [&](CsvBuffer& buffer) { format_rows(net, quality.hydraulics, &quality, buffer); });
}

} // namespace rencheng::water
