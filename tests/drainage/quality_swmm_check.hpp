// Test support for the water quality tests: EPA SWMM 5.2.4's Runoff Quality Continuity,
// Subcatchment Washoff Summary, Quality Routing Continuity and Outfall Loading Summary read from
// the report lines kept beside a model (`<name>.swmm-rpt.txt`, `<name>.swmm-routing-rpt.txt`) and a
// run compared with them and with SWMM's washoff, node and link concentrations at every report time
// (`<name>.washoff.csv.gz`, `<name>.quality.csv.gz`; tests/validation/drainage/quality/README.md).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "drainage/network.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "support/read_gz.hpp"

namespace rencheng::test::quality {

namespace fs = std::filesystem;
using drainage::Network;
using drainage::routing_quality_terms;
using drainage::SimulationResult;

struct SwmmQualityReport {
    std::vector<std::string> pollutants;
    std::vector<std::string> units; ///< lbs, kg or LogN
    /// the nine continuity lines, per pollutant
    std::vector<std::vector<double>> continuity;
    std::map<std::string, std::vector<double>> washoff; ///< per subcatchment, per pollutant
};

inline SwmmQualityReport read_swmm_report(const fs::path& path) {
    std::ifstream f(path);
    SwmmQualityReport r;
    std::string line, prev;
    std::vector<std::string> lines;
    while (std::getline(f, line))
        lines.push_back(line);
    const auto words = [](const std::string& s) {
        std::istringstream in(s);
        std::vector<std::string> w;
        for (std::string x; in >> x;)
            w.push_back(x);
        return w;
    };
    for (std::size_t k = 0; k < lines.size(); ++k) {
        if (k > 0 && lines[k].rfind("  Runoff Quality Continuity", 0) == 0) {
            auto ids = words(lines[k - 1]);
            r.pollutants.assign(ids.begin() + 1, ids.end());
            auto u = words(lines[k]);
            r.units.assign(u.begin() + 3, u.end());
            for (std::size_t i = 0; i < 9; ++i) {
                const auto w = words(lines[k + 2 + i]);
                std::vector<double> v;
                for (std::size_t p = w.size() - r.pollutants.size(); p < w.size(); ++p)
                    v.push_back(std::stod(w[p]));
                r.continuity.push_back(v);
            }
        }
        if (lines[k].find("  Subcatchment      ") == 0)
            for (std::size_t j = k + 2; j < lines.size(); ++j) {
                const auto w = words(lines[j]);
                if (w.empty())
                    break;
                if (w[0].rfind("---", 0) == 0)
                    continue;
                std::vector<double> v;
                for (std::size_t p = 1; p < w.size(); ++p)
                    v.push_back(std::stod(w[p]));
                r.washoff[w[0]] = v;
                if (w[0] == "System")
                    break;
            }
    }
    return r;
}

/// SWMM's figure of `kg` of a pollutant reported in `unit`: lbs are SWMM's (2.203 per kg), LogN
/// the log10 of the count.
inline double as_swmm(double kg, const std::string& unit) {
    if (unit == "LogN")
        return kg > 0 ? std::log10(kg) : kg;
    return unit == "lbs" ? kg * 2.203 : kg;
}

/// Compares a run `res` of `net` (`dir/name.inp`) with SWMM's report lines (`name.swmm-rpt.txt`)
/// and washoff concentrations (`name.washoff.csv.gz`) in `dir`, these within `conc_rel` of SWMM's
/// (and 10⁻⁵); returns the largest difference of a report figure and the largest relative
/// difference of a concentration.
inline std::pair<double, double> check_runoff_quality(const fs::path& dir, const std::string& name,
                                                      const Network& net,
                                                      const SimulationResult& res,
                                                      double conc_rel = 1e-4) {
    const auto& m = res.summary;
    EXPECT_TRUE(m.has_quality) << name;
    const auto ref = read_swmm_report(dir / (name + ".swmm-rpt.txt"));
    EXPECT_EQ(ref.pollutants.size(), m.pollutants.size()) << name;
    if (ref.pollutants.size() != m.pollutants.size() || ref.continuity.size() != 9)
        return {1e9, 1e9};
    double worst = 0, worst_rel = 0;
    // to the print digit (0.0005) and 10⁻⁴ of the figure: SWMM's US volumes are 3.7·10⁻⁵ larger
    // (its 43561.6 ft² per acre), and the runoff agrees with SWMM's to about that
    const auto check = [&](double ours, double swmm, const std::string& what) {
        const double tol = 0.0005 + 1e-4 * std::abs(swmm);
        EXPECT_NEAR(ours, swmm, tol) << name << ": " << what;
        worst = std::max(worst, std::abs(ours - swmm));
    };
    const char* terms[9] = {"initial buildup",  "surface buildup", "wet deposition",
                            "sweeping removal", "infiltration",    "BMP removal",
                            "surface runoff",   "remaining",       "continuity error"};
    for (std::size_t p = 0; p < m.pollutants.size(); ++p) {
        const auto& t = m.quality[p];
        const double v[9] = {t.initial_buildup, t.surface_buildup,  t.wet_deposition,
                             t.sweeping,        t.infiltration,     t.bmp_removal,
                             t.surface_runoff,  t.remaining_buildup};
        const std::string& u = ref.units[p];
        for (std::size_t i = 0; i < 8; ++i)
            check(as_swmm(v[i], u), ref.continuity[i][p], m.pollutants[p].id + " " + terms[i]);
        EXPECT_NEAR(t.continuity_error_pct, ref.continuity[8][p], 0.0015)
            << name << ": " << m.pollutants[p].id << " continuity error";
    }
    const std::size_t np = m.pollutants.size();
    EXPECT_EQ(ref.washoff.size(), static_cast<std::size_t>(net.subcatchments.count()) + 1);
    for (const auto& [id, v] : ref.washoff) {
        std::vector<double> ours(np, 0.0);
        for (int i = 0; i < net.subcatchments.count(); ++i)
            for (std::size_t p = 0; p < np; ++p)
                if (id == "System" || net.subcatchments.id[static_cast<std::size_t>(i)] == id)
                    ours[p] += m.subcatch_washoff_kg[static_cast<std::size_t>(i) * np + p];
        for (std::size_t p = 0; p < np && p < v.size(); ++p)
            check(as_swmm(ours[p], ref.units[p]), v[p],
                  "washoff of " + id + " " + m.pollutants[p].id);
    }
    // the washoff concentrations at every report time (SWMM's binary output, 7 digits)
    const auto& s = res.series;
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    std::size_t checked = 0;
    for (const auto& f : csv_rows(read_gz(dir / (name + ".washoff.csv.gz")))) {
        if (f.size() != 5 || f[0] == "time_s")
            continue;
        const auto t = std::stoll(f[0]);
        const auto it = std::find(s.time_s.begin(), s.time_s.end(), t);
        EXPECT_NE(it, s.time_s.end()) << name << ": no report at " << t;
        if (it == s.time_s.end())
            continue;
        const auto k = static_cast<std::size_t>(it - s.time_s.begin());
        std::size_t p = 0;
        while (p < np && "washoff_" + m.pollutants[p].id != f[3])
            ++p;
        EXPECT_LT(p, np) << f[3];
        if (p == np)
            continue;
        const std::size_t i = net.find_subcatchment(f[2]).idx();
        const double ours = s.subcatch_washoff[(k * ns + i) * np + p], swmm = std::stod(f[4]);
        EXPECT_NEAR(ours, swmm, conc_rel * std::abs(swmm) + 1e-5)
            << name << ": " << f[2] << " " << f[3] << " at " << t << " s";
        if (std::abs(swmm) > 1e-3)
            worst_rel = std::max(worst_rel, std::abs(ours - swmm) / std::abs(swmm));
        ++checked;
    }
    EXPECT_GT(checked, 100U) << name;
    std::printf("[ info ] %s: report figures within %.5f, concentrations within %.1e relative "
                "(%zu values)\n",
                name.c_str(), worst, worst_rel, checked);
    return {worst, worst_rel};
}

/// SWMM's Quality Routing Continuity (11 lines and the error) per pollutant, and the Outfall
/// Loading Summary's loads per outfall (and System), from a .swmm-routing-rpt.txt.
struct SwmmRoutingReport {
    std::vector<std::string> pollutants, units;
    std::vector<std::vector<double>> continuity;
    std::map<std::string, std::vector<double>> outfall_loads;
};

inline SwmmRoutingReport read_swmm_routing_report(const fs::path& path) {
    std::ifstream f(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(f, line);)
        lines.push_back(line);
    const auto words = [](const std::string& s) {
        std::istringstream in(s);
        std::vector<std::string> w;
        for (std::string x; in >> x;)
            w.push_back(x);
        return w;
    };
    SwmmRoutingReport r;
    for (std::size_t k = 1; k < lines.size(); ++k) {
        if (lines[k].rfind("  Quality Routing Continuity", 0) == 0) {
            const auto ids = words(lines[k - 1]);
            r.pollutants.assign(ids.begin() + 1, ids.end());
            const auto u = words(lines[k]);
            r.units.assign(u.begin() + 3, u.end());
            for (std::size_t i = 0; i < 12; ++i) {
                const auto w = words(lines[k + 2 + i]);
                std::vector<double> v;
                for (std::size_t p = w.size() - r.pollutants.size(); p < w.size(); ++p)
                    v.push_back(std::stod(w[p]));
                r.continuity.push_back(v);
            }
        }
        if (lines[k].rfind("  Outfall Node", 0) == 0)
            for (std::size_t j = k + 1; j < lines.size(); ++j) {
                const auto w = words(lines[j]);
                if (w.empty() || w[0].rfind("---", 0) == 0)
                    continue;
                std::vector<double> v;
                for (std::size_t p = w.size() - r.pollutants.size(); p < w.size(); ++p)
                    v.push_back(std::stod(w[p]));
                r.outfall_loads[w[0]] = v;
                if (w[0] == "System")
                    break;
            }
    }
    return r;
}

/// Compares a run `res` of `net` (`dir/name.inp`) with SWMM's routing report lines
/// (`name.swmm-routing-rpt.txt` in `dir`): every figure within `rel` of SWMM's (and the print
/// digit), the continuity error within `err_points`; where `conc_rel` > 0, the node and link
/// concentrations at every report time (`name.quality.csv.gz`, more than `min_values` of them)
/// within conc_rel·(|c| + 1) in the pollutant's units per litre. Returns the largest relative
/// difference of a figure and of a concentration.
inline std::pair<double, double> check_routing_quality(const fs::path& dir, const std::string& name,
                                                       const Network& net,
                                                       const SimulationResult& res, double rel,
                                                       double err_points, double conc_rel,
                                                       std::size_t min_values = 1000) {
    const auto& m = res.summary;
    EXPECT_TRUE(m.has_quality_routing) << name;
    if (!m.has_quality_routing)
        return {1e9, 1e9};
    const auto ref = read_swmm_routing_report(dir / (name + ".swmm-routing-rpt.txt"));
    const std::size_t np = m.pollutants.size();
    EXPECT_EQ(ref.pollutants.size(), np) << name;
    EXPECT_EQ(ref.continuity.size(), 12U) << name;
    if (ref.pollutants.size() != np || ref.continuity.size() != 12)
        return {1e9, 1e9};
    double worst = 0;
    // a count below one is printed as a negative LogN: RenCheng's must be below one too
    const auto check = [&](double kg, double swmm, const std::string& unit,
                           const std::string& what) {
        if (unit == "LogN" && swmm < 0) {
            EXPECT_LT(kg, 1.0) << name << ": " << what;
            return;
        }
        const double ours = as_swmm(kg, unit);
        EXPECT_NEAR(ours, swmm, 0.0005 + rel * std::abs(swmm)) << name << ": " << what;
        worst = std::max(worst, std::abs(ours - swmm) / std::max(std::abs(swmm), 1.0));
    };
    for (std::size_t p = 0; p < np; ++p) {
        const auto terms = routing_quality_terms(m.routing_quality[p]);
        for (std::size_t i = 0; i < 11; ++i)
            check(terms[i].value, ref.continuity[i][p], ref.units[p],
                  m.pollutants[p].id + " " + terms[i].label_en);
        EXPECT_NEAR(m.routing_quality[p].continuity_error_pct, ref.continuity[11][p],
                    0.0015 + err_points)
            << name << ": " << m.pollutants[p].id << " continuity error";
    }
    EXPECT_EQ(ref.outfall_loads.size(), static_cast<std::size_t>(net.outfalls.count()) + 1);
    for (const auto& [id, v] : ref.outfall_loads)
        for (std::size_t p = 0; p < np && p < v.size(); ++p) {
            double kg = 0;
            for (int o = 0; o < net.outfalls.count(); ++o)
                if (id == "System" || net.node_id[net.outfalls.node[o].idx()] == id)
                    kg += m.outfall_load_kg[static_cast<std::size_t>(o) * np + p];
            check(kg, v[p], ref.units[p], "load at outfall " + id + " " + m.pollutants[p].id);
        }
    double worst_conc = 0;
    std::size_t checked = 0;
    if (conc_rel > 0) {
        const auto& s = res.series;
        const auto nn = static_cast<std::size_t>(net.node_count());
        const auto nl = static_cast<std::size_t>(net.link_count());
        for (const auto& f : csv_rows(read_gz(dir / (name + ".quality.csv.gz")))) {
            if (f.size() != 5 || f[0] == "time_s")
                continue;
            const auto t = std::stoll(f[0]);
            const auto it = std::find(s.time_s.begin(), s.time_s.end(), t);
            EXPECT_NE(it, s.time_s.end()) << name << ": no report at " << t;
            if (it == s.time_s.end())
                return {1e9, 1e9};
            const auto k = static_cast<std::size_t>(it - s.time_s.begin());
            std::size_t p = 0;
            while (p < np && "quality_" + m.pollutants[p].id != f[3])
                ++p;
            EXPECT_LT(p, np) << f[3];
            if (p == np)
                return {1e9, 1e9};
            const bool node = f[1] == "node";
            const std::size_t i = node ? net.find_node(f[2]).idx() : net.find_link(f[2]).idx();
            const double ours = node ? s.node_quality[(k * nn + i) * np + p]
                                     : s.link_quality[(k * nl + i) * np + p];
            const double swmm = std::stod(f[4]);
            EXPECT_NEAR(ours, swmm, conc_rel * (std::abs(swmm) + 1.0))
                << name << ": " << f[1] << " " << f[2] << " " << f[3] << " at " << t << " s";
            worst_conc = std::max(worst_conc, std::abs(ours - swmm) / (std::abs(swmm) + 1.0));
            ++checked;
        }
        EXPECT_GT(checked, min_values) << name;
    }
    std::printf("[ info ] %s: routing figures within %.1e of SWMM's, concentrations within "
                "%.1e·(|c| + 1) (%zu values)\n",
                name.c_str(), worst, worst_conc, checked);
    return {worst, worst_conc};
}

} // namespace rencheng::test::quality
