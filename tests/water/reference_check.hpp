// Comparison of water solver results with EPANET 2.2 reference results in the long CSV form.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/read_gz.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"

namespace rencheng::water::test_support {

using rencheng::test::read_gz;

/// The curated water references that travel with the repository (tests/validation/water).
inline std::filesystem::path validation_dir() {
    return std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water";
}

/// The shared reference data: $RENCHENG_REFERENCE_DATA when set, else ../shared/data beside
/// the repository (it may not exist: a clone alone has only the curated set).
inline std::filesystem::path shared_root() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    if (env != nullptr && *env != 0)
        return std::filesystem::path(env);
    return std::filesystem::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data";
}

/// Splits one RFC 4180 CSV line.
inline std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> f(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    f.back() += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                f.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            f.emplace_back();
        } else if (c != '\r') {
            f.back() += c;
        }
    }
    return f;
}

struct ReferenceRow {
    Seconds time;
    bool node;
    std::string id;
    std::string quantity;
    double value;
};

inline std::vector<ReferenceRow> read_reference(const std::filesystem::path& p) {
    std::vector<ReferenceRow> rows;
    const std::string text = read_gz(p);
    std::size_t pos = text.find('\n');
    while (pos != std::string::npos && pos + 1 < text.size()) {
        const std::size_t e = text.find('\n', pos + 1);
        const std::string line =
            text.substr(pos + 1, (e == std::string::npos ? text.size() : e) - pos - 1);
        pos = e;
        if (line.empty())
            continue;
        const auto f = split_csv(line);
        if (f.size() < 5)
            continue;
        rows.push_back({std::stoll(f[0]), f[1] == "node", f[2], f[3], std::stod(f[4])});
    }
    return rows;
}

/// Tolerances: heads abs; flows and demands abs or relative (REFERENCE.md §2.2, brief).
struct Tolerance {
    double head_m = 1e-3;
    double flow_m3s = 1e-6;
    double rel = 1e-4;
    /// Solve with EPANET's leaky closed links (networks with zones cut off by closed links).
    bool epanet_closed_links = false;
};

struct CaseResult {
    bool ran = false;
    bool passed = false;
    bool converged = false; ///< every hydraulic step converged
    double max_head_err = 0, max_flow_err = 0, max_demand_err = 0;
    std::string worst; ///< where the worst excess was
    int times = 0;
    int failures = 0;
    double seconds = 0;
    long long iterations = 0;
    double mass_balance = 0;
    std::string message;
};

/// Runs `inp` and compares with `reference` at every reference time.
inline CaseResult check_case(const std::filesystem::path& inp,
                             const std::filesystem::path& reference, const Tolerance& tol) {
    CaseResult r;
    Diagnostics diags;
    Network net;
    try {
        net = read_inp(inp, diags);
    } catch (const std::exception& e) {
        r.message = e.what();
        return r;
    }
    if (diags.has_errors()) {
        r.message = "input errors: " + diags.format().substr(0, 300);
        return r;
    }
    const auto rows = read_reference(reference);
    if (rows.empty()) {
        r.message = "no reference rows";
        return r;
    }
    Seconds last = 0;
    for (const auto& row : rows)
        last = std::max(last, row.time);
    HydraulicTopology topo(net);
    EpsOptions opt;
    opt.hydraulic.closed_link_leakage = tol.epanet_closed_links;
    opt.epanet_volume_rounding = true;
    opt.report_until = last;
    opt.duration = std::max<Seconds>(net.times.duration, 0);
    const auto t0 = std::chrono::steady_clock::now();
    const EpsResult res = simulate_eps(net, topo, opt);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.iterations = res.iterations;
    r.mass_balance = res.max_mass_balance_error;
    r.ran = true;
    r.converged = res.converged;
    std::map<Seconds, const EpsSnapshot*> by_time;
    for (const auto& s : res.reports)
        by_time[s.time_s] = &s;
    r.times = static_cast<int>(by_time.size());
    double worst_excess = 0;
    for (const auto& row : rows) {
        const auto it = by_time.find(row.time);
        if (it == by_time.end()) {
            ++r.failures;
            if (r.message.empty())
                r.message = "no result at t = " + std::to_string(row.time);
            continue;
        }
        const EpsSnapshot& s = *it->second;
        double mine = 0;
        if (row.node) {
            const NodeIndex n = net.find_node(row.id);
            if (!n.valid())
                continue;
            if (row.quantity == "head_m")
                mine = s.head_m[n.idx()];
            else if (row.quantity == "demand_m3s")
                mine = s.demand_m3s[n.idx()];
            else if (row.quantity == "leakage_m3s") // EPANET 2.3 pipe leakage, in the demand too
                mine = n.idx() < s.leakage_m3s.size() ? s.leakage_m3s[n.idx()] : 0.0;
            else
                continue;
        } else {
            const LinkIndex k = net.find_link(row.id);
            if (!k.valid() || row.quantity != "flow_m3s")
                continue;
            mine = s.flow_m3s[k.idx()];
        }
        const double err = std::fabs(mine - row.value);
        double allowed = 0;
        if (row.quantity == "head_m") {
            allowed = tol.head_m;
            r.max_head_err = std::max(r.max_head_err, err);
        } else {
            allowed = std::max(tol.flow_m3s, tol.rel * std::fabs(row.value));
            if (row.quantity == "flow_m3s")
                r.max_flow_err = std::max(r.max_flow_err, err);
            else
                r.max_demand_err = std::max(r.max_demand_err, err);
        }
        if (!(err <= allowed)) {
            ++r.failures;
            const double excess = std::isfinite(err) ? err / allowed : 1e300;
            if (excess > worst_excess) {
                worst_excess = excess;
                std::ostringstream w;
                w << "t=" << row.time << " " << (row.node ? "node " : "link ") << row.id << " "
                  << row.quantity << " mine=" << mine << " ref=" << row.value;
                r.worst = w.str();
            }
        }
    }
    r.passed = r.failures == 0;
    if (!res.converged && r.message.empty())
        r.message = res.message;
    return r;
}

} // namespace rencheng::water::test_support
