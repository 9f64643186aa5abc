// Tests of `rencheng power solve`: results file, convergence report, exit statuses.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rencheng.hpp"

#include "reference_data.hpp"

namespace {

namespace fs = std::filesystem;

using Result = rencheng::test::CommandResult;
using rencheng::test::slurp;

Result run(const std::vector<std::string>& args) {
    return rencheng::test::run_rencheng(args);
}

fs::path temp_path(const std::string& suffix) {
    static int counter = 0;
    return fs::temp_directory_path() / ("rencheng-power-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++) + suffix);
}

const fs::path kCase9 =
    fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power" / "case9" / "case9.m";

TEST(CliPower, SolveWritesResultsMatchingMatpower) {
    const fs::path csv = temp_path(".csv");
    const Result r = run({"power", "solve", kCase9.string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("converged after 4 iterations"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("generation 319.641 MW"), std::string::npos) << r.out;
    const auto ours = rencheng::power::testing::parse_long_csv(slurp(csv));
    const auto ref = rencheng::power::testing::parse_long_csv(
        rencheng::power::testing::read_gz(kCase9.parent_path() / "case9.ac.csv.gz"));
    ASSERT_EQ(ours.size(), ref.size());
    for (const auto& [k, v] : ref)
        EXPECT_NEAR(ours.at(k), v, 1e-6);
    fs::remove(csv);
}

TEST(CliPower, DcAndFastDecoupled) {
    const fs::path csv = temp_path(".csv");
    Result r = run({"power", "solve", kCase9.string(), "--dc", "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(csv).find("vm_pu"), std::string::npos);
    r = run({"power", "solve", kCase9.string(), "--method", "fdxb", "--enforce-q-limits"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("(fdxb) converged"), std::string::npos) << r.out;
    fs::remove(csv);
}

TEST(CliPower, BadCaseFileExitsOneWithLocations) {
    const fs::path bad = temp_path(".m");
    std::ofstream(bad) << "function mpc = bad\nmpc.version = '2';\nmpc.baseMVA = 100;\n"
                          "mpc.bus = [1 3 0 0 0 0 1 1 0 345 1 1.1 0.9; 2 9 0 0 0 0 1 1 0 345 1 "
                          "1.1 0.9];\nmpc.gen = [1 0 0 10 -10 1 100 1 10 0];\n"
                          "mpc.branch = [1 3 0.01 0.1 0 0 0 0 0 0 1];\n";
    const Result r = run({"power", "solve", bad.string()});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(bad.string() + ":4:47: error E304 [2]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(":6:17: error E306"), std::string::npos) << r.err;
    fs::remove(bad);
}

TEST(CliPower, UsageAndMissingFile) {
    EXPECT_EQ(run({"power", "solve", "/nonexistent/case.m"}).status, 3);
    EXPECT_EQ(run({"power", "solve", kCase9.string(), "--dc", "--enforce-q-limits"}).status, 2);
    EXPECT_EQ(run({"power", "solve", kCase9.string(), "--method", "gauss"}).status, 2);
    EXPECT_EQ(run({"power"}).status, 2);
}

TEST(CliPower, NonConvergenceExitsFour) {
    const Result r = run({"power", "solve", kCase9.string(), "--max-iterations", "1"});
    EXPECT_EQ(r.status, 4);
    EXPECT_NE(r.err.find("did not converge after 1 iteration"), std::string::npos) << r.err;
}

} // namespace
