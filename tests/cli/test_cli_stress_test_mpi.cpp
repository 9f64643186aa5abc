// `mpirun -n 2 rencheng stress-test`: two ranks split the realizations and give the same
// summary.json bytes as one process (issue 8, "Reproducibility"). Skipped when rencheng was
// built without MPI or mpirun is not installed.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_rencheng.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::test::run_rencheng;
using rencheng::test::slurp;

const fs::path kScenarios = fs::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city" / "scenarios";

fs::path fresh_dir(const std::string& name) {
    const fs::path p =
        fs::temp_directory_path() / ("rencheng-mpi-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    return p;
}

/// Runs `mpirun -n ranks rencheng args…` through the shell; returns its exit status and leaves
/// stdout and stderr in `log`.
int run_mpi(int ranks, const std::string& args, const fs::path& log) {
    // Root is refused by Open MPI unless told; --oversubscribe lets two ranks share one core.
    // Open MPI's own allocations would be reported as leaks by a sanitized build.
    const std::string cmd =
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
        "ASAN_OPTIONS=detect_leaks=0 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1 "
        "mpirun -n " +
        std::to_string(ranks) + " --oversubscribe " + RENCHENG_BINARY + " " + args + " > " +
        log.string() + " 2>&1";
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool have_mpirun() {
    return std::system("command -v mpirun > /dev/null 2>&1") == 0;
}

TEST(CliStressTestMpi, TwoRanksGiveTheSummaryOfOneProcess) {
#ifndef RENCHENG_HAVE_MPI
    GTEST_SKIP() << "rencheng was built without MPI";
#endif
    if (!have_mpirun())
        GTEST_SKIP() << "mpirun is not installed";
    // Five realizations: an odd count, so the ranks' shares differ (3 + 2).
    const std::string scenario = (kScenarios / "water-mains-n5.toml").string();
    const fs::path one = fresh_dir("one"), two = fresh_dir("two"), log = fresh_dir("log");
    const auto r1 = run_rencheng({"stress-test", scenario, "--realizations", "5", "--threads", "1",
                                  "--out", one.string(), "--quiet"});
    ASSERT_EQ(r1.status, 0) << r1.err;
    const int rc = run_mpi(2,
                           "stress-test " + scenario +
                               " --realizations 5 --threads 1 --quiet --out " + two.string(),
                           log);
    ASSERT_EQ(rc, 0) << slurp(log);
    const std::string s1 = slurp(one / "summary.json");
    ASSERT_FALSE(s1.empty());
    EXPECT_EQ(s1, slurp(two / "summary.json"));
    // Every realization's rows and the kept events came back from rank 1 as well.
    EXPECT_EQ(slurp(one / "timeseries.csv"), slurp(two / "timeseries.csv"));
    EXPECT_EQ(slurp(one / "events.jsonl"), slurp(two / "events.jsonl"));
    EXPECT_EQ(slurp(one / "assets.geojson"), slurp(two / "assets.geojson"));
    const auto run1 = nlohmann::json::parse(slurp(one / "run.json"));
    const auto run2 = nlohmann::json::parse(slurp(two / "run.json"));
    EXPECT_EQ(run1["mpi_ranks"], 1);
    EXPECT_EQ(run2["mpi_ranks"], 2);

    // A run folder that exists stops every rank with the I/O status, and nothing is written.
    const int again = run_mpi(2, "stress-test " + scenario + " --quiet --out " + two.string(), log);
    EXPECT_NE(again, 0);
    EXPECT_NE(slurp(log).find("E104"), std::string::npos) << slurp(log);
    EXPECT_EQ(slurp(one / "summary.json"), slurp(two / "summary.json"));
    fs::remove_all(one);
    fs::remove_all(two);
    fs::remove(log);
}

} // namespace
