// Tests of `rencheng water solve|check`: results file against EPANET's reference, durations,
// cut-off reporting and exit statuses on bad input.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rencheng.hpp"

#include "reference_check.hpp"

namespace {

namespace fs = std::filesystem;

using Result = rencheng::test::CommandResult;
using rencheng::test::slurp;

Result run(const std::vector<std::string>& args) {
    return rencheng::test::run_rencheng(args);
}

fs::path temp_path(const std::string& suffix) {
    static int counter = 0;
    return fs::temp_directory_path() / ("rencheng-water-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++) + suffix);
}

const fs::path kNet1 =
    fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water" / "net1" / "Net1.inp";

/// value of (time, type, id, quantity) in a long CSV text; NaN when absent.
double lookup(const std::string& csv, const std::string& key) {
    const std::size_t at = csv.find("\n" + key + ",");
    if (at == std::string::npos)
        return std::nan("");
    const std::size_t start = at + key.size() + 2;
    return std::stod(csv.substr(start, csv.find('\n', start) - start));
}

} // namespace

TEST(CliWater, SolveNet1MatchesEpanetHeads) {
    const fs::path csv = temp_path(".csv");
    const Result r = run({"water", "solve", kNet1.string(), "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("mass balance"), std::string::npos) << r.out;
    const std::string ours = slurp(csv);
    fs::remove(csv);
    ASSERT_EQ(ours.rfind("time_s,type,id,quantity,value\n", 0), 0u);
    const std::string ref =
        rencheng::water::test_support::read_gz(kNet1.parent_path() / "Net1.csv.gz");
    ASSERT_FALSE(ref.empty());
    int compared = 0;
    for (const char* id : {"10", "11", "12", "13", "21", "22", "23", "31", "32", "2"}) {
        const std::string key = std::string("0,node,") + id + ",head_m";
        const double want = lookup(ref, key);
        ASSERT_FALSE(std::isnan(want)) << key;
        EXPECT_NEAR(lookup(ours, key), want, 1e-3) << key;
        ++compared;
    }
    EXPECT_EQ(compared, 10);
    // Every quantity of DESIGN.md §5, a 24 h run reported hourly.
    for (const char* key :
         {"0,node,10,pressure_m", "0,node,10,demand_m3s", "0,node,2,level_m", "0,link,10,flow_m3s",
          "0,link,10,velocity_ms", "0,link,9,status", "86400,node,10,head_m"})
        EXPECT_FALSE(std::isnan(lookup(ours, key))) << key;
    EXPECT_EQ(lookup(ours, "0,link,9,status"), 1.0); // the pump runs at the start
}

TEST(CliWater, DurationAndPda) {
    const fs::path csv = temp_path(".csv");
    const Result r = run(
        {"water", "solve", kNet1.string(), "--pda", "--duration", "2h", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("pressure-driven"), std::string::npos) << r.out;
    const std::string ours = slurp(csv);
    fs::remove(csv);
    EXPECT_FALSE(std::isnan(lookup(ours, "7200,node,10,head_m")));
    EXPECT_TRUE(std::isnan(lookup(ours, "10800,node,10,head_m")));
    const Result bad = run({"water", "solve", kNet1.string(), "--duration", "24"});
    EXPECT_EQ(bad.status, 2) << bad.err;
    EXPECT_NE(bad.err.find("--duration"), std::string::npos) << bad.err;
}

TEST(CliWater, QualityRowsFollowTheAnalysis) {
    // Net1 asks for chlorine; --quality switches the analysis for one run.
    const fs::path csv = temp_path(".csv");
    Result r = run({"water", "solve", kNet1.string(), "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("water quality (chemical Chlorine)"), std::string::npos) << r.out;
    std::string ours = slurp(csv);
    EXPECT_DOUBLE_EQ(lookup(ours, "0,node,10,concentration_mgl"), 0.5); // initial quality
    EXPECT_FALSE(std::isnan(lookup(ours, "86400,link,10,concentration_mgl")));
    r = run({"water", "solve", kNet1.string(), "--quality", "trace:9", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    ours = slurp(csv);
    EXPECT_DOUBLE_EQ(lookup(ours, "3600,node,9,trace_pct"), 100.0); // the traced reservoir
    EXPECT_TRUE(std::isnan(lookup(ours, "3600,node,9,concentration_mgl")));
    r = run({"water", "solve", kNet1.string(), "--quality", "none", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(csv).find("concentration_mgl"), std::string::npos);
    fs::remove(csv);
    const Result bad = run({"water", "solve", kNet1.string(), "--quality", "colour"});
    EXPECT_EQ(bad.status, 2) << bad.err;
    EXPECT_NE(bad.err.find("--quality"), std::string::npos) << bad.err;
}

TEST(CliWater, TankOverflowIsReportedAndWritten) {
    // R1 (100 m) fills T1 (10 m wide, 2 of 5 m full) faster than J1 draws: full within the first
    // hour, then it spills.
    const fs::path inp = temp_path(".inp");
    std::ofstream(inp) << "[JUNCTIONS]\n J1 40 20\n[RESERVOIRS]\n R1 100\n[TANKS]\n"
                          " T1 50 2 0 5 10 0 * YES\n[PIPES]\n P1 R1 T1 1000 300 130\n"
                          " P2 T1 J1 200 200 130\n[TIMES]\n Duration 6:00\n"
                          "[OPTIONS]\n Units LPS\n";
    const fs::path csv = temp_path(".csv");
    const Result r = run({"water", "solve", inp.string(), "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("tank T1 overflowed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("水池溢流"), std::string::npos) << r.out;
    const std::string ours = slurp(csv);
    fs::remove(csv);
    fs::remove(inp);
    EXPECT_GT(lookup(ours, "21600,node,T1,overflow_m3s"), 0.1);
    const double volume = lookup(ours, "21600,node,T1,overflow_volume_m3");
    // At least four full hours of ~0.3 m³/s.
    EXPECT_GT(volume, 4 * 3600 * 0.1);
    // The printed volume is the one in the file (6 significant digits).
    char printed[64];
    std::snprintf(printed, sizeof printed, "%.6g m3 spilled", volume);
    EXPECT_NE(r.out.find(printed), std::string::npos) << r.out;
}

TEST(CliWater, CutOffZoneIsSolvedAndReported) {
    const fs::path inp = temp_path(".inp");
    std::ofstream(inp) << "[JUNCTIONS]\n J1 10 5\n J2 10 5\n J3 12 5\n[RESERVOIRS]\n R1 60\n"
                          "[PIPES]\n P1 R1 J1 500 200 120\n P2 J1 J2 500 200 120 0 Closed\n"
                          " P3 J2 J3 500 200 120\n[OPTIONS]\n UNITS LPS\n";
    const fs::path csv = temp_path(".csv");
    const Result r = run({"water", "solve", inp.string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("2 junctions without water"), std::string::npos) << r.out;
    const std::string ours = slurp(csv);
    EXPECT_EQ(lookup(ours, "0,node,J2,demand_m3s"), 0.0);
    EXPECT_EQ(lookup(ours, "0,link,P2,status"), 0.0);
    const Result c = run({"water", "check", inp.string()});
    EXPECT_EQ(c.status, 0) << c.err;
    EXPECT_NE(c.out.find("2 nodes not joined"), std::string::npos) << c.out;
    fs::remove(inp);
    fs::remove(csv);
}

TEST(CliWater, PipeLeakageIsReportedAndWritten) {
    // Net1 with EPANET 2.3 [LEAKAGE] on every pipe: EPANET 2.3.5's flow balance gives leakage
    // 618.160 gpm on average, 32.7 % of its 1888.195 gpm of inflow (3369.6 m³ over the day).
    const fs::path inp = kNet1.parent_path().parent_path() / "net1-leakage" / "Net1-leakage.inp";
    const fs::path csv = temp_path(".csv");
    const Result r = run({"water", "solve", inp.string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("pipe leakage / 管道漏损: 3369.58 m3 over the run, 32.7 % of the water "
                         "supplied"),
              std::string::npos)
        << r.out;
    const std::string ours = slurp(csv);
    const double leak = lookup(ours, "0,node,11,leakage_m3s");
    EXPECT_GT(leak, 1e-3);
    EXPECT_NEAR(lookup(ours, "0,node,11,demand_m3s"), 150 * 6.30901964e-5 + leak, 1e-9);
    fs::remove(csv);
}

TEST(CliWater, PumpEnergyIsReportedAndWritten) {
    // Net3 with prices, tariffs and efficiency curves: EPANET 2.2's energy report gives pump 10
    // 58.33 % on line, 78.80 % efficient, 59.06 kW on average, 114.21 a day; demand charge
    // 4379.25 (tests/validation/water/energy/Net3-energy.energy.csv).
    const fs::path inp = kNet1.parent_path().parent_path() / "energy" / "Net3-energy.inp";
    const fs::path csv = temp_path(".csv");
    const Result r = run({"water", "solve", inp.string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("pump energy / 水泵能耗"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("    10             58.33   78.80"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("demand charge / 需量电费 4379.25"), std::string::npos) << r.out;
    const std::string ours = slurp(csv);
    EXPECT_NEAR(lookup(ours, "86400,link,10,power_average_kw"), 59.0643, 1e-3);
    EXPECT_NEAR(lookup(ours, "86400,link,10,cost_per_day"), 114.211, 1e-2);
    EXPECT_NEAR(lookup(ours, "86400,link,335,utilization_pct"), 28.743, 2e-3);
    fs::remove(csv);
}

TEST(CliWater, CheckSummarisesAndRejectsBrokenInput) {
    const Result ok = run({"water", "check", kNet1.string()});
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(ok.out.find("valid EPANET network"), std::string::npos) << ok.out;
    EXPECT_NE(ok.out.find("nodes: 11 (9 junctions, 1 reservoirs, 1 tanks)"), std::string::npos)
        << ok.out;

    const fs::path inp = temp_path(".inp");
    std::ofstream(inp) << "[JUNCTIONS]\n J1 10 5\n J2 abc 5\n[PIPES]\n P1 J1 J9 100 200 120\n";
    const Result bad = run({"water", "check", inp.string()});
    EXPECT_EQ(bad.status, 1) << bad.err;
    EXPECT_NE(bad.err.find(inp.string() + ":3"), std::string::npos) << bad.err;
    const fs::path csv = temp_path(".csv");
    const Result solve = run({"water", "solve", inp.string(), "--results", csv.string()});
    EXPECT_EQ(solve.status, 1);
    EXPECT_FALSE(fs::exists(csv));
    fs::remove(inp);

    const Result missing = run({"water", "check", "/nonexistent/net.inp"});
    EXPECT_EQ(missing.status, 3) << missing.err;
}

TEST(CliWater, ThreadsDoNotChangeTheResults) {
    // A street grid with enough plain pipes (≥ 16,384) to assemble and update them in chunks:
    // the results file is the same byte for byte with one worker thread and with two.
    const int side = 130;
    std::string text = "[JUNCTIONS]\n";
    const auto id = [](int i, int j) { return "J" + std::to_string(i) + "_" + std::to_string(j); };
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j)
            text += " " + id(i, j) + " " + std::to_string(10 + (i * 3 + j * 5) % 7) + " 0.02\n";
    text += "[RESERVOIRS]\n R1 80\n[PIPES]\n";
    int k = 0;
    const auto pipe = [&](const std::string& a, const std::string& b, int d) {
        text += " P" + std::to_string(k) + " " + a + " " + b + " " +
                std::to_string(90 + (k * 7) % 20) + " " + std::to_string(d) + " 110 0 Open\n";
        ++k;
    };
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            if (j + 1 < side)
                pipe(id(i, j), id(i, j + 1), i % 10 == 0 ? 300 : 150);
            if (i + 1 < side && j % 5 == 0)
                pipe(id(i, j), id(i + 1, j), 300);
        }
    pipe("R1", id(0, 0), 800);
    text += "[OPTIONS]\n Units LPS\n Headloss H-W\n[END]\n";
    const fs::path inp = temp_path(".inp");
    {
        std::ofstream o(inp);
        o << text;
    }
    std::vector<std::string> results;
    for (const char* threads : {"1", "2"}) {
        const fs::path csv = temp_path(".csv");
        const Result r = run({"water", "solve", inp.string(), "--duration", "0s", "--threads",
                              threads, "--results", csv.string()});
        ASSERT_EQ(r.status, 0) << r.err;
        results.push_back(slurp(csv));
        fs::remove(csv);
    }
    fs::remove(inp);
    ASSERT_GT(results[0].size(), 100000u);
    EXPECT_TRUE(results[0] == results[1]);
    EXPECT_EQ(run({"water", "solve", kNet1.string(), "--threads", "x"}).status, 2);
}
