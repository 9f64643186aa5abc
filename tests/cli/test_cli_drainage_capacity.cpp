// Tests of `rencheng drainage capacity` through the binary: the hand-made network of
// tests/drainage/capacity, its output files, and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/run_rencheng.hpp"

namespace rencheng {
namespace {

namespace fs = std::filesystem;
using test::run_rencheng;

const fs::path kDir = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "drainage" / "capacity";

fs::path temp(const std::string& name) {
    return fs::temp_directory_path() /
           ("rencheng-capacity-" + std::to_string(::getpid()) + "-" + name);
}

std::vector<std::string> base_args() {
    return {"drainage",        "capacity", (kDir / "undersized.inp").string(), "--city", "shanghai",
            "--return-period", "5"};
}

TEST(CliDrainageCapacity, WritesConduitsBottlenecksMeasures) {
    const fs::path out = temp("out");
    fs::remove_all(out);
    auto args = base_args();
    for (const std::string& a : std::vector<std::string>{
             "--measures", (kDir / "measures.toml").string(), "--out", out.string()})
        args.push_back(a);
    const auto r = run_rencheng(args);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("瓶颈管段"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Bottlenecks"), std::string::npos);
    const std::string conduits = test::slurp(out / "conduits.csv");
    EXPECT_EQ(conduits.rfind("conduit,from_node,to_node,", 0), 0u) << conduits;
    // Shanghai P = 5, t = 10 min: q = 396.9 L/(s·ha) (MODELS.md §1) on C1's 5 ha
    EXPECT_NE(conduits.find("C1,J1,J2,200,CIRCULAR,1,5,0.75,10,396.92"), std::string::npos)
        << conduits;
    const std::string bottlenecks = test::slurp(out / "bottlenecks.csv");
    EXPECT_NE(bottlenecks.find("\n1,C2,J2,J3,"), std::string::npos) << bottlenecks;
    const std::string measures = test::slurp(out / "measures.csv");
    EXPECT_NE(measures.find("\nTank at J2,storage_tank,J2,"), std::string::npos) << measures;
    EXPECT_NE(measures.find("\nall,all,*,"), std::string::npos) << measures;
    fs::remove_all(out);
}

TEST(CliDrainageCapacity, BadMeasuresFileNamesLineAndWritesNothing) {
    const fs::path bad = temp("bad.toml");
    std::ofstream(bad) << "[[measure]]\nname = \"t\"\ntype = \"storage_tank\"\nnode = \"J99\"\n"
                          "volume_m3 = 10\n";
    const fs::path out = temp("bad-out");
    fs::remove_all(out);
    auto args = base_args();
    for (const std::string& a :
         std::vector<std::string>{"--measures", bad.string(), "--out", out.string()})
        args.push_back(a);
    const auto r = run_rencheng(args);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find(bad.string() + ":4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("E306"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("J99"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
    fs::remove(bad);
}

TEST(CliDrainageCapacity, UsageErrors) {
    auto args = base_args();
    args[4] = "atlantis";
    auto r = run_rencheng(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("atlantis"), std::string::npos) << r.err;

    args = base_args();
    args.push_back("--duration");
    args.push_back("2 hours");
    r = run_rencheng(args);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("--duration"), std::string::npos) << r.err;

    args = base_args();
    args[6] = "1000";
    r = run_rencheng(args);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find("--return-period"), std::string::npos) << r.err;

    args = base_args();
    args.push_back("--measures");
    args.push_back(temp("missing.toml").string());
    r = run_rencheng(args);
    EXPECT_EQ(r.status, 3) << r.err;
}

} // namespace
} // namespace rencheng
