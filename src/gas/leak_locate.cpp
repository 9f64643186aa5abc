// Leak localisation: sensitivity columns by probe solves, ranking by least-squares fit.
#include "gas/leak_locate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/csv.hpp"
#include "core/parallel.hpp"

namespace rencheng::gas {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The first line that is neither blank nor a '#' comment: where the header is.
int first_content_line(std::string_view text) {
    int line = 1;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view l = text.substr(pos, end - pos);
        while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
            l.remove_suffix(1);
        if (!l.empty() && l.front() != '#')
            return line;
        pos = end + 1;
        ++line;
    }
    return 1;
}

// The solver's findings for the component of `node`, one line.
std::string why_unsolved(const SteadyStateResult& r, std::size_t node) {
    const std::int32_t c = r.component_of_node[node];
    for (const ComponentReport& rep : r.components)
        if (rep.component == c) {
            std::string out(component_status_name(rep.status));
            for (std::size_t m = 0; m < rep.messages.size() && m < 3; ++m)
                out += "; " + rep.messages[m];
            if (rep.messages.size() > 3)
                out += "; and " + std::to_string(rep.messages.size() - 3) + " more";
            return out;
        }
    return "not solved";
}

bool component_solved(const SteadyStateResult& r, std::size_t node) {
    const std::int32_t c = r.component_of_node[node];
    for (const ComponentReport& rep : r.components)
        if (rep.component == c)
            return rep.status == ComponentStatus::kSolved;
    return false;
}

} // namespace

std::vector<PressureReading> parse_pressure_readings_csv(std::string_view text,
                                                         const std::string& file,
                                                         const Network& net, Diagnostics& diags) {
    std::vector<PressureReading> out;
    const std::size_t errors_before = diags.error_count();
    const CsvTable table = parse_csv(text, file, diags);
    const int hline = first_content_line(text);
    if (table.header.empty()) {
        if (diags.error_count() == errors_before)
            diags.error(ErrorCode::kMissingKey, file, hline, 0, "",
                        "no header; expected node,pressure_pa");
        return out;
    }
    const int c_node = table.column("node");
    const int c_p = table.column("pressure_pa");
    if (c_node < 0 || c_p < 0) {
        diags.error(ErrorCode::kMissingKey, file, hline, 0, "",
                    std::string("missing column '") + (c_node < 0 ? "node" : "pressure_pa") +
                        "'; the header must be node,pressure_pa");
        return out;
    }
    // Several rows for one node are readings over a window: they are averaged.
    std::vector<std::int32_t> slot(static_cast<std::size_t>(net.node_count()), -1);
    for (const CsvTable::Row& row : table.rows) {
        const std::string& id = row.fields[static_cast<std::size_t>(c_node)];
        const std::string& value = row.fields[static_cast<std::size_t>(c_p)];
        const NodeIndex n = net.find_node(id);
        if (!n.valid()) {
            diags.error(ErrorCode::kUnknownReference, file, row.line, 0, id,
                        "node: '" + id + "' is not a node of the gas network");
            continue;
        }
        const std::optional<double> p = parse_double(value);
        if (!p) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, id,
                        "pressure_pa: '" + value + "' is not a number");
            continue;
        }
        if (*p <= 0.0) {
            diags.error(ErrorCode::kOutOfRange, file, row.line, 0, id,
                        "pressure_pa: " + value + " is not an absolute pressure > 0 Pa");
            continue;
        }
        std::int32_t& at = slot[n.idx()];
        if (at < 0) {
            at = static_cast<std::int32_t>(out.size());
            out.push_back({n, *p, row.line, 1});
        } else {
            PressureReading& r = out[static_cast<std::size_t>(at)];
            r.pressure_pa += (*p - r.pressure_pa) / static_cast<double>(++r.count);
        }
    }
    return out;
}

void LeakLocateOptions::validate() const {
    steady.validate();
    if (!std::isfinite(probe_flow_m3s) || probe_flow_m3s < 0.0)
        throw Error(ErrorCode::kOutOfRange,
                    "leak option probe_flow_m3s must be a flow >= 0 m3/s (0: automatic)");
}

SensitivityMatrix compute_sensitivity(const Network& net, const std::vector<NodeIndex>& sensors,
                                      const std::vector<NodeIndex>& candidates,
                                      const LeakLocateOptions& options) {
    options.validate();
    const auto nn = static_cast<std::size_t>(net.node_count());
    for (const auto* list : {&sensors, &candidates})
        for (const NodeIndex n : *list)
            if (!n.valid() || n.value() < 0 || n.idx() >= nn)
                throw Error(ErrorCode::kOutOfRange, "leak localisation: no such node");
    if (sensors.empty())
        throw Error(ErrorCode::kOutOfRange, "leak localisation needs at least one sensor");

    SensitivityMatrix s;
    s.sensors = sensors;
    const SteadyStateResult base = solve_steady_state(net, options.steady);
    for (const NodeIndex n : sensors)
        if (!component_solved(base, n.idx()))
            throw Error(ErrorCode::kNoConvergence,
                        "leak localisation: the network without a leak does not solve where "
                        "sensor node " +
                            net.node_id[n.idx()] + " is (" + why_unsolved(base, n.idx()) + ")");
    if (candidates.empty()) {
        for (std::size_t i = 0; i < nn; ++i)
            if (net.node_kind[i] != NodeKind::kSource && component_solved(base, i))
                s.candidates.emplace_back(static_cast<std::int32_t>(i));
    } else {
        s.candidates = candidates;
    }
    double demand = 0.0;
    for (std::size_t i = 0; i < nn; ++i)
        if (net.node_kind[i] == NodeKind::kCustomer)
            demand += std::max(0.0, net.demand_m3s[i]);
    s.probe_flow_m3s =
        options.probe_flow_m3s > 0.0 ? options.probe_flow_m3s : std::max(1e-6, 0.01 * demand);
    for (const NodeIndex n : sensors)
        s.base_pressure_pa.push_back(base.pressure_pa[n.idx()]);

    // One probe solve per candidate. Each column is written by its own task into its own slot,
    // so the matrix does not depend on the thread count.
    const std::size_t ns = sensors.size();
    s.dp_dq.assign(ns * s.candidates.size(), kNaN);
    parallel_for_chunks(
        s.candidates.size(),
        [&](std::size_t begin, std::size_t end) {
            Network probe = net;
            for (std::size_t c = begin; c < end; ++c) {
                const std::size_t at = s.candidates[c].idx();
                const double before = probe.demand_m3s[at];
                probe.demand_m3s[at] = before + s.probe_flow_m3s;
                const SteadyStateResult r = solve_steady_state(probe, options.steady);
                probe.demand_m3s[at] = before;
                bool ok = true;
                for (const NodeIndex n : sensors)
                    ok = ok && component_solved(r, n.idx());
                if (!ok)
                    continue;
                for (std::size_t k = 0; k < ns; ++k)
                    s.dp_dq[c * ns + k] =
                        (r.pressure_pa[sensors[k].idx()] - s.base_pressure_pa[k]) /
                        s.probe_flow_m3s;
            }
        },
        8);
    return s;
}

std::vector<LeakCandidate> rank_leak_candidates(const SensitivityMatrix& s,
                                                const std::vector<double>& measured_pa) {
    const std::size_t ns = s.sensors.size();
    if (measured_pa.size() != ns)
        throw Error(ErrorCode::kOutOfRange,
                    "leak localisation: " + std::to_string(measured_pa.size()) + " readings for " +
                        std::to_string(ns) + " sensors");
    std::vector<double> r(ns);
    double rr = 0.0;
    for (std::size_t k = 0; k < ns; ++k) {
        r[k] = measured_pa[k] - s.base_pressure_pa[k];
        rr += r[k] * r[k];
    }
    std::vector<LeakCandidate> out;
    for (std::size_t c = 0; c < s.candidates.size(); ++c) {
        double ss = 0.0, sr = 0.0;
        bool ok = true;
        for (std::size_t k = 0; k < ns; ++k) {
            const double v = s.value(k, c);
            ok = ok && std::isfinite(v);
            ss += v * v;
            sr += v * r[k];
        }
        if (!ok)
            continue;
        LeakCandidate lc;
        lc.node = s.candidates[c];
        // A leak only withdraws gas: q >= 0. A candidate the probe does not move at all (its
        // column is zero) explains nothing: q = 0, residual |r|.
        lc.leak_flow_m3s = ss > 0.0 ? std::max(0.0, sr / ss) : 0.0;
        const double q = lc.leak_flow_m3s;
        const double res2 = std::max(0.0, rr - 2.0 * q * sr + q * q * ss);
        lc.rms_residual_pa = std::sqrt(res2 / static_cast<double>(ns));
        lc.correlation = ss > 0.0 && rr > 0.0 ? sr / std::sqrt(ss * rr) : 0.0;
        out.push_back(lc);
    }
    std::stable_sort(out.begin(), out.end(), [](const LeakCandidate& a, const LeakCandidate& b) {
        if (a.rms_residual_pa != b.rms_residual_pa)
            return a.rms_residual_pa < b.rms_residual_pa;
        return a.node < b.node;
    });
    return out;
}

std::vector<LeakCandidate> refine_leak_candidates(const Network& net, const SensitivityMatrix& s,
                                                  const std::vector<double>& measured_pa,
                                                  std::vector<LeakCandidate> ranked,
                                                  std::size_t top,
                                                  const LeakLocateOptions& options) {
    options.validate();
    const std::size_t ns = s.sensors.size();
    if (measured_pa.size() != ns)
        throw Error(ErrorCode::kOutOfRange, "leak localisation: readings and sensors differ");
    top = std::min(top, ranked.size());
    std::vector<std::size_t> column(static_cast<std::size_t>(net.node_count()), 0);
    for (std::size_t c = 0; c < s.candidates.size(); ++c)
        column[s.candidates[c].idx()] = c;
    Network leaky = net;
    for (std::size_t t = 0; t < top; ++t) {
        LeakCandidate& lc = ranked[t];
        const std::size_t at = lc.node.idx();
        const std::size_t c = column[at];
        double ss = 0.0;
        for (std::size_t k = 0; k < ns; ++k)
            ss += s.value(k, c) * s.value(k, c);
        if (!(ss > 0.0))
            continue;
        const double base_demand = leaky.demand_m3s[at];
        double q = std::max(lc.leak_flow_m3s, 0.1 * s.probe_flow_m3s);
        std::vector<double> r(ns);
        bool ok = true;
        for (int step = 0; step <= 3 && ok; ++step) {
            leaky.demand_m3s[at] = base_demand + q;
            const SteadyStateResult st = solve_steady_state(leaky, options.steady);
            for (const NodeIndex n : s.sensors)
                ok = ok && component_solved(st, n.idx());
            if (!ok)
                break;
            double sr = 0.0;
            for (std::size_t k = 0; k < ns; ++k) {
                r[k] = measured_pa[k] - st.pressure_pa[s.sensors[k].idx()];
                sr += s.value(k, c) * r[k];
            }
            if (step == 3)
                break;
            // Gauss-Newton on q with the sensitivity column as the slope; a leak only withdraws.
            q = std::max(0.0, q + sr / ss);
        }
        leaky.demand_m3s[at] = base_demand;
        if (!ok)
            continue;
        double rr = 0.0, sr = 0.0, mm = 0.0;
        for (std::size_t k = 0; k < ns; ++k) {
            rr += r[k] * r[k];
            const double d = measured_pa[k] - s.base_pressure_pa[k];
            sr += s.value(k, c) * d;
            mm += d * d;
        }
        lc.leak_flow_m3s = q;
        lc.rms_residual_pa = std::sqrt(rr / static_cast<double>(ns));
        lc.correlation = mm > 0.0 ? sr / std::sqrt(ss * mm) : 0.0;
    }
    std::stable_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(top),
                     [](const LeakCandidate& a, const LeakCandidate& b) {
                         if (a.rms_residual_pa != b.rms_residual_pa)
                             return a.rms_residual_pa < b.rms_residual_pa;
                         return a.node < b.node;
                     });
    return ranked;
}

} // namespace rencheng::gas
