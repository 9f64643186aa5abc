// Tests of `rencheng drainage solve` through the binary: a run saves its end state to a hot start
// file given on the command line and another run starts from one (--save-hotstart, --hotstart),
// in place of the model's [FILES] lines; a missing hot start file is a missing file (exit 3); the
// terminal's balances and lists of the worst elements.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_rencheng.hpp"

namespace rencheng {
namespace {

namespace fs = std::filesystem;
using test::run_rencheng;

const fs::path kDir =
    fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "hot-start";

fs::path temp(const std::string& name) {
    return fs::temp_directory_path() /
           ("rencheng-drainage-solve-" + std::to_string(::getpid()) + "-" + name);
}

TEST(CliDrainageSolve, HotStartFilesFromTheCommandLine) {
    const fs::path saved = temp("end.hsf");
    fs::remove(saved);
    // the model SAVEs to hot-swmm.hsf beside itself; --save-hotstart writes here instead
    auto r = run_rencheng(
        {"drainage", "solve", (kDir / "hot-save.inp").string(), "--save-hotstart", saved.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string bytes = test::slurp(saved);
    ASSERT_EQ(bytes.size(), 423U);
    EXPECT_EQ(bytes.rfind("SWMM5-HOTSTART4", 0), 0U);
    // the model USEs hot-swmm.hsf: naming the same file on the command line gives the same run
    const fs::path a = temp("a.csv"), b = temp("b.csv"), c = temp("c.csv");
    r = run_rencheng(
        {"drainage", "solve", (kDir / "hot-use.inp").string(), "--summary", a.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    r = run_rencheng({"drainage", "solve", (kDir / "hot-use.inp").string(), "--summary", b.string(),
                      "--hotstart", (kDir / "hot-swmm.hsf").string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(test::slurp(a), test::slurp(b));
    // and starting from the file the first run saved runs too, a little differently
    r = run_rencheng({"drainage", "solve", (kDir / "hot-use.inp").string(), "--summary", c.string(),
                      "--hotstart", saved.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(test::slurp(a), test::slurp(c));
    for (const auto& p : {saved, a, b, c})
        fs::remove(p);
}

// The terminal shows the balances term by term and SWMM's lists of the five worst nodes and links
// (Example8 with a Preissmann slot: inlet I5 sets 98.99 % of the variable steps, I10 chatters).
TEST(CliDrainageSolve, PrintsBalancesAndTheWorstElements) {
    const fs::path inp = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" /
                         "slot" / "Example8-slot.inp";
    const auto r = run_rencheng({"drainage", "solve", inp.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* s : {"runoff quantity continuity / 产流水量平衡 (m3):",
                          "flow routing continuity / 汇流水量平衡 (m3):", "wet weather inflow",
                          "highest node continuity errors / 节点连续性误差最大:",
                          "highest flow instability indexes / 流量不稳定指数最高: I10 (",
                          "time-step critical elements / 控制时间步的元素: link I5 (98.99 %)"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST(CliDrainageSolve, MissingHotStartFileIsAMissingFile) {
    const auto r = run_rencheng({"drainage", "solve", (kDir / "hot-use.inp").string(), "--hotstart",
                                 temp("none.hsf").string()});
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_NE(r.err.find("none.hsf"), std::string::npos) << r.err;
}

} // namespace
} // namespace rencheng
