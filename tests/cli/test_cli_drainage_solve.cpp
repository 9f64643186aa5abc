// Tests of `rencheng drainage solve` through the binary: a run saves its end state to a hot start
// file given on the command line and another run starts from one (--save-hotstart, --hotstart),
// in place of the model's [FILES] lines; a missing hot start file is a missing file (exit 3).
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

TEST(CliDrainageSolve, MissingHotStartFileIsAMissingFile) {
    const auto r = run_rencheng({"drainage", "solve", (kDir / "hot-use.inp").string(), "--hotstart",
                                 temp("none.hsf").string()});
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_NE(r.err.find("none.hsf"), std::string::npos) << r.err;
}

} // namespace
} // namespace rencheng
