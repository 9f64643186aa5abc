// Tests of `rencheng stress-test`: the run folder on the demo city, the bad-scenario errors and
// the refusal to overwrite a run folder.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_rencheng.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::test::run_rencheng;
using rencheng::test::slurp;

const fs::path kSource = RENCHENG_SOURCE_DIR;
const fs::path kScenarios = kSource / "examples" / "demo-city" / "scenarios";

fs::path fresh_dir(const std::string& name) {
    const fs::path p =
        fs::temp_directory_path() / ("rencheng-stress-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    return p;
}

TEST(CliStressTest, WritesTheRunFolderOfTheDemoCity) {
    const fs::path out = fresh_dir("demo");
    const auto r = run_rencheng({"stress-test", (kScenarios / "water-mains-n5.toml").string(),
                                 "--realizations", "3", "--threads", "2", "--out", out.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* f :
         {"summary.json", "run.json", "timeseries.csv", "assets.geojson", "events.jsonl"})
        EXPECT_TRUE(fs::exists(out / f)) << f;
    EXPECT_NE(r.out.find("person-h lost"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("人·时损失"), std::string::npos);
    const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
    EXPECT_EQ(summary["schema"], "rencheng.summary/1");
    EXPECT_EQ(summary["scenario"]["realizations"], 3);
    EXPECT_EQ(summary["time_s"].size(), 49u);
    EXPECT_EQ(summary["service_curves"]["water"]["mean"].size(), 49u);
    EXPECT_EQ(summary["damage"]["water_link"]["damaged"]["mean"], 5.0);
    EXPECT_EQ(summary["policies"].size(), 2u);
    EXPECT_GT(summary["metrics"]["water"]["population_hours_lost"]["mean"].get<double>(), 0.0);
    const auto run = nlohmann::json::parse(slurp(out / "run.json"));
    EXPECT_EQ(run["schema"], "rencheng.run/1");
    EXPECT_LT(run["checks"]["max_water_mass_balance_error"].get<double>(), 1e-6);
    // events.jsonl: one object per line, realization 0 only (events_realizations = 1).
    std::ifstream ev(out / "events.jsonl");
    std::string line;
    int lines = 0;
    while (std::getline(ev, line)) {
        const auto e = nlohmann::json::parse(line);
        EXPECT_EQ(e["realization"], 0);
        ++lines;
    }
    EXPECT_GT(lines, 5);
    EXPECT_EQ(
        slurp(out / "timeseries.csv").rfind("realization,time_s,scope,id,quantity,value\n", 0), 0u);
    // The same command with one thread writes the same summary.
    const fs::path out1 = fresh_dir("demo1");
    const auto r1 =
        run_rencheng({"stress-test", (kScenarios / "water-mains-n5.toml").string(),
                      "--realizations", "3", "--threads", "1", "--out", out1.string(), "--quiet"});
    ASSERT_EQ(r1.status, 0) << r1.err;
    EXPECT_EQ(slurp(out / "summary.json"), slurp(out1 / "summary.json"));
    // An existing run folder is not overwritten.
    const auto again = run_rencheng({"stress-test", (kScenarios / "water-mains-n5.toml").string(),
                                     "--realizations", "1", "--out", out.string(), "--quiet"});
    EXPECT_EQ(again.status, 3) << again.err;
    EXPECT_NE(again.err.find("E104"), std::string::npos) << again.err;
    fs::remove_all(out);
    fs::remove_all(out1);
}

TEST(CliStressTest, BadScenarioNamesFileAndLine) {
    const fs::path dir = fresh_dir("bad");
    fs::create_directories(dir);
    std::ofstream(dir / "bad.toml")
        << "[scenario]\ncity = \"" << (kSource / "examples" / "demo-city").string()
        << "\"\nrealizations = -3\n[[hazard]]\ntype = \"rainstorm\"\n";
    const auto r =
        run_rencheng({"stress-test", (dir / "bad.toml").string(), "--out", (dir / "out").string()});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("bad.toml:3"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("E304"), std::string::npos) << r.err;
    // A rainstorm without its design storm (nor a rain series) names the hazard's line.
    EXPECT_NE(r.err.find("bad.toml:4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("E301"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "out"));
    // A scenario naming an asset the city does not have.
    std::ofstream(dir / "ghost.toml")
        << "[scenario]\ncity = \"" << (kSource / "examples" / "demo-city").string()
        << "\"\n[[hazard]]\ntype = \"failure\"\nassets = "
           "[\"water_link:NOPE\"]\n";
    const auto g = run_rencheng(
        {"stress-test", (dir / "ghost.toml").string(), "--out", (dir / "out").string()});
    EXPECT_EQ(g.status, 1);
    EXPECT_NE(g.err.find("ghost.toml:5"), std::string::npos) << g.err;
    EXPECT_NE(g.err.find("water_link:NOPE"), std::string::npos) << g.err;
    EXPECT_FALSE(fs::exists(dir / "out"));
    fs::remove_all(dir);
}

TEST(CliStressTest, MissingScenarioFile) {
    const auto r = run_rencheng({"stress-test", "/nonexistent/x.toml", "--quiet"});
    EXPECT_EQ(r.status, 3) << r.err;
}

} // namespace
