// The generated ~100k-node street grid the water benchmarks time (bench_water_hydraulics, and
// bench_water_vs_epanet --grid against EPANET on the same network).
#pragma once

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

namespace rencheng::bench {

/// A jittered n × n street grid in LPS with Hazen-Williams losses: every row is a street with a
/// pipe between neighbours; columns are joined at every 5th column and at random elsewhere (about
/// 1.3 links per node, many loops). Mains (600 mm every 20th line, 300 mm every 5th) carry the
/// water from four reservoirs at the corners; distribution pipes are 100-200 mm. Elevations vary
/// smoothly, demands vary per junction and follow a 24-h pattern; one tank floats on the middle.
inline std::string generated_grid_inp(int n) {
    std::mt19937 rng(20260501);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto id = [](int i, int j) { return "J" + std::to_string(i) + "_" + std::to_string(j); };
    std::string text = "[TITLE]\nGenerated jittered grid\n[JUNCTIONS]\n";
    char buf[256];
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double elev =
                20.0 + 10.0 * std::sin(i * 0.02) * std::cos(j * 0.03) + 2.0 * unit(rng);
            const double demand = 0.01 + 0.03 * unit(rng); // L/s
            std::snprintf(buf, sizeof buf, " %s\t%.2f\t%.4f\tP1\n", id(i, j).c_str(), elev, demand);
            text += buf;
        }
    text += "[RESERVOIRS]\n R1 95\n R2 95\n R3 95\n R4 95\n";
    text += "[TANKS]\n T1 30 40 20 50 30 0\n";
    text += "[PIPES]\n";
    int k = 0;
    const auto diameter_mm = [&](int line) {
        if (line % 20 == 0)
            return 600.0;
        if (line % 5 == 0)
            return 300.0;
        return unit(rng) < 0.5 ? 100.0 : (unit(rng) < 0.5 ? 150.0 : 200.0);
    };
    const auto pipe = [&](const std::string& a, const std::string& b, double d_mm) {
        const double length = 100.0 * (0.7 + 0.6 * unit(rng));
        const double c = 90.0 + 40.0 * unit(rng);
        std::snprintf(buf, sizeof buf, " P%d\t%s\t%s\t%.1f\t%.0f\t%.1f\t0\tOpen\n", k++, a.c_str(),
                      b.c_str(), length, d_mm, c);
        text += buf;
    };
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            if (j + 1 < n)
                pipe(id(i, j), id(i, j + 1), diameter_mm(i));
            if (i + 1 < n && (j % 5 == 0 || unit(rng) < 0.15))
                pipe(id(i, j), id(i + 1, j), diameter_mm(j));
        }
    pipe("R1", id(0, 0), 1000);
    pipe("R2", id(0, n - 1), 1000);
    pipe("R3", id(n - 1, 0), 1000);
    pipe("R4", id(n - 1, n - 1), 1000);
    pipe("T1", id(n / 2, n / 2), 400);
    text += "[PATTERNS]\n P1";
    const double mult[24] = {0.5, 0.45, 0.4, 0.4,  0.45, 0.6, 0.9, 1.3, 1.4, 1.3, 1.2, 1.15,
                             1.2, 1.15, 1.1, 1.05, 1.1,  1.3, 1.5, 1.4, 1.2, 1.0, 0.8, 0.6};
    for (const double m : mult) {
        std::snprintf(buf, sizeof buf, " %.2f", m);
        text += buf;
    }
    text += "\n[TIMES]\n Duration 24:00\n Hydraulic Timestep 1:00\n Pattern Timestep 1:00\n"
            " Report Timestep 1:00\n";
    text += "[OPTIONS]\n Units LPS\n Headloss H-W\n";
    text += "[END]\n";
    return text;
}

constexpr int kGridSide = 316; // 99,856 junctions

} // namespace rencheng::bench
