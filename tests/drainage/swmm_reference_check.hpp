// Test support for the drainage validation tests: a run against SWMM 5.2.4's reference files in
// the long CSV forms of tests/validation/drainage/README.md (series `time_s,type,id,quantity,
// value` from SWMM's binary output, summary `type,id,quantity,value` from its report).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>

#include "drainage/network.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "support/read_gz.hpp"

namespace rencheng::test {

/// The subcatchments' total area, m²: what SWMM's runoff continuity table divides by.
inline double study_area_m2(const drainage::Network& net) {
    double area = 0;
    for (const double a : net.subcatchments.area_m2)
        area += a;
    return area;
}

/// Tolerances of expect_series_match, by quantity of the reference series.
struct SeriesTolerance {
    double link_flow_m3s = 0.0005;
    double runoff_m3s = 0.0005;
    double snow_depth_mm = 0.01;
};

/// The largest |difference| from SWMM per quantity, and the number of values compared.
struct SeriesComparison {
    std::map<std::string, double> worst;
    std::size_t checked = 0;
    /// The largest |difference| of `quantity` (0 when the series has none).
    [[nodiscard]] double largest(const std::string& quantity) const {
        const auto it = worst.find(quantity);
        return it == worst.end() ? 0.0 : it->second;
    }
};

/// Checks every value of reference series `csv` — link flow_m3s, subcatchment runoff_m3s and
/// snow_depth_mm — against the run's value at the same report time, within `tol`.
inline SeriesComparison expect_series_match(const drainage::Network& net,
                                            const drainage::SimulationResult& res,
                                            const std::filesystem::path& csv,
                                            const SeriesTolerance& tol, const std::string& name) {
    SeriesComparison out;
    const auto& s = res.series;
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    for (const auto& f : csv_rows(read_gz(csv))) {
        EXPECT_EQ(f.size(), 5U) << csv;
        if (f.size() != 5)
            continue;
        const auto t = std::stoll(f[0]);
        const auto it = std::find(s.time_s.begin(), s.time_s.end(), t);
        EXPECT_NE(it, s.time_s.end()) << name << ": no report at " << t;
        if (it == s.time_s.end())
            continue;
        const auto k = static_cast<std::size_t>(it - s.time_s.begin());
        const double ref = std::stod(f[4]);
        double ours = 0, t_ol = 0;
        if (f[3] == "snow_depth_mm") {
            ours = 1000.0 * s.subcatch_snow_depth_m[k * ns + net.find_subcatchment(f[2]).idx()];
            t_ol = tol.snow_depth_mm;
        } else if (f[3] == "runoff_m3s") {
            ours = s.subcatch_runoff_m3s[k * ns + net.find_subcatchment(f[2]).idx()];
            t_ol = tol.runoff_m3s;
        } else {
            ours = s.link_flow_m3s[k * nl + net.find_link(f[2]).idx()];
            t_ol = tol.link_flow_m3s;
        }
        EXPECT_NEAR(ours, ref, t_ol) << name << ": " << f[2] << " " << f[3] << " at " << t << " s";
        out.worst[f[3]] = std::max(out.worst[f[3]], std::abs(ours - ref));
        ++out.checked;
    }
    return out;
}

/// Checks reference summary `summary`: peak node depths within 2 % or 0.01 m, peak link flows
/// within 2 % or 0.001 m³/s, every other row (the continuity errors, %) within `error_pct_tol`.
inline void expect_summary_match(const drainage::Network& net,
                                 const drainage::SimulationResult& res,
                                 const std::filesystem::path& summary, double error_pct_tol,
                                 const std::string& name) {
    std::map<std::tuple<std::string, std::string, std::string>, double> ours;
    for (const auto& f : csv_rows(drainage::format_summary_csv(net, res)))
        if (f.size() == 4)
            ours[{f[0], f[1], f[2]}] = std::stod(f[3]);
    for (const auto& f : csv_rows(read_gz(summary))) {
        EXPECT_EQ(f.size(), 4U) << summary;
        if (f.size() != 4)
            continue;
        const auto key = std::make_tuple(f[0], f[1], f[2]);
        EXPECT_TRUE(ours.count(key)) << name << ": " << f[1] << " " << f[2];
        if (!ours.count(key))
            continue;
        const double v = std::stod(f[3]), x = ours.at(key);
        if (f[2] == "max_depth_m")
            EXPECT_NEAR(x, v, std::max(0.02 * v, 0.01)) << name << " " << f[1];
        else if (f[2] == "max_flow_m3s")
            EXPECT_NEAR(x, v, std::max(0.02 * v, 0.001)) << name << " " << f[1];
        else
            EXPECT_NEAR(x, v, error_pct_tol) << name << " " << f[2];
    }
}

} // namespace rencheng::test
