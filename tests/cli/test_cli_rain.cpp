// Tests of `rencheng rain design|cities` through the binary.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "support/run_rencheng.hpp"

namespace rencheng {
namespace {

using test::run_rencheng;

/// Sums intensity × step of a time_s,intensity_mm_h CSV: its depth in mm.
double csv_depth_mm(const std::string& csv, int& rows) {
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "time_s,intensity_mm_h");
    double depth = 0;
    long long last = -1, step = 0;
    rows = 0;
    while (std::getline(in, line)) {
        long long t = 0;
        double i = 0;
        EXPECT_EQ(std::sscanf(line.c_str(), "%lld,%lf", &t, &i), 2) << line;
        if (last >= 0)
            step = t - last;
        last = t;
        depth += i;
        ++rows;
    }
    return depth * static_cast<double>(step) / 3600.0;
}

TEST(CliRain, DesignChicagoToStdoutConservesDepth) {
    const auto r = run_rencheng({"rain", "design", "--city", "shanghai", "--return-period", "5",
                                 "--duration", "2h", "--step", "1min"});
    ASSERT_EQ(r.status, 0) << r.err;
    int rows = 0;
    // MODELS.md §1: Shanghai P = 5, 120 min: 76.4 mm (the CSV carries 6 decimals).
    EXPECT_NEAR(csv_depth_mm(r.out, rows), 76.40, 0.005);
    EXPECT_EQ(rows, 120);
    EXPECT_NE(r.err.find("76.40 mm"), std::string::npos) << r.err;
}

TEST(CliRain, DesignUniformToFile) {
    const auto out = std::filesystem::temp_directory_path() /
                     ("rencheng-rain-" + std::to_string(::getpid()) + ".csv");
    const auto r =
        run_rencheng({"rain", "design", "--city", "Beijing", "--return-period", "50", "--duration",
                      "180", "--hyetograph", "uniform", "--out", out.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    int rows = 0;
    const double depth = csv_depth_mm(test::slurp(out), rows);
    EXPECT_EQ(rows, 36); // 180 min in 5-min steps
    // Beijing 2001(1+0.811 lg 50)/(180+8)^0.711 L/(s·ha) × 0.006 mm/min per L/(s·ha) × 180 min.
    const double expected =
        2001 * (1 + 0.811 * std::log10(50.0)) / std::pow(188.0, 0.711) * 0.006 * 180.0;
    EXPECT_NEAR(depth, expected, 1e-3);
    EXPECT_NE(r.out.find("depth"), std::string::npos);
    std::filesystem::remove(out);
}

TEST(CliRain, CitiesListsVerifiedFlags) {
    const auto r = run_rencheng({"rain", "cities"});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* k : {"beijing", "shanghai", "guangzhou", "shenzhen", "wuhan", "zhengzhou"})
        EXPECT_NE(r.out.find(k), std::string::npos) << k;
    // Wuhan's line says it is not verified.
    const auto w = r.out.find("wuhan");
    EXPECT_NE(r.out.substr(w, r.out.find('\n', w) - w).find("NO"), std::string::npos);
}

TEST(CliRain, UnverifiedCityWarns) {
    const auto r = run_rencheng({"rain", "design", "--city", "wuhan", "--return-period", "10"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("not verified"), std::string::npos) << r.err;
}

TEST(CliRain, BadArgumentsFailCleanly) {
    const auto out = std::filesystem::temp_directory_path() /
                     ("rencheng-rain-bad-" + std::to_string(::getpid()) + ".csv");
    struct Case {
        std::vector<std::string> args;
        int status;
        const char* words;
    };
    for (const Case& c : {
             Case{{"--city", "atlantis", "--return-period", "5"}, 2, "atlantis"},
             Case{{"--city", "shenzhen", "--return-period", "500"}, 1, "outside"},
             Case{{"--city", "shanghai", "--return-period", "5", "--duration", "3 days"},
                  2,
                  "--duration"},
             Case{{"--city", "shanghai", "--return-period", "5", "--step", "7min"},
                  2,
                  "does not divide"},
             Case{
                 {"--city", "shanghai", "--return-period", "5", "--hyetograph", "huff"}, 2, "huff"},
             Case{{"--city", "shanghai", "--return-period", "5", "--peak-ratio", "2"},
                  2,
                  "peak-ratio"},
             Case{{"--return-period", "5"}, 2, "city"},
         }) {
        std::vector<std::string> args = {"rain", "design"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        args.insert(args.end(), {"--out", out.string()});
        const auto r = run_rencheng(args);
        EXPECT_EQ(r.status, c.status) << r.err;
        EXPECT_NE(r.err.find(c.words), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(out)) << "no output on failure";
    }
}

} // namespace
} // namespace rencheng
