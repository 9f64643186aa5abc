// Tests of `rencheng generate` through the built binary: exit codes, output, --force, --quiet.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

struct CommandResult {
    int status = -1;
    std::string out;
};

// Runs the rencheng binary with `args`; stdout and stderr together.
CommandResult rencheng(const std::string& args) {
    CommandResult r;
    const std::string cmd = std::string(RENCHENG_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return r;
    }
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p) != nullptr) {
        r.out += buf;
    }
    const int raw = pclose(p);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return r;
}

fs::path temp_folder(const std::string& tag) {
    const fs::path p = fs::temp_directory_path() /
                       ("rencheng_cli_generate_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    return p;
}

} // namespace

TEST(CliGenerate, WritesABundleAndASummary) {
    const fs::path out = temp_folder("ok");
    const CommandResult r = rencheng("generate --population 5000 --seed 3 --out " + out.string());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("population"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bridges"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::exists(out / "city.toml"));
    // A second run into the same folder fails (exit 3, output exists) unless --force.
    const CommandResult again =
        rencheng("generate --population 5000 --seed 3 --out " + out.string());
    EXPECT_EQ(again.status, 3) << again.out;
    const CommandResult forced =
        rencheng("-q generate --population 5000 --seed 4 --force --out " + out.string());
    EXPECT_EQ(forced.status, 0) << forced.out;
    EXPECT_TRUE(forced.out.empty()) << forced.out;
    fs::remove_all(out);
}

TEST(CliGenerate, BadValuesExitWithOne) {
    const fs::path out = temp_folder("bad");
    EXPECT_EQ(rencheng("generate --population 10 --out " + out.string()).status, 1);
    EXPECT_EQ(rencheng("generate --population 5000 --centre 300,10 --out " + out.string()).status,
              1);
    EXPECT_EQ(rencheng("generate --population 5000 --name '' --out " + out.string()).status, 1);
    EXPECT_FALSE(fs::exists(out));
}

TEST(CliGenerate, UsageErrorsExitWithTwo) {
    const fs::path out = temp_folder("usage");
    EXPECT_EQ(rencheng("generate --out " + out.string()).status, 2); // --population missing
    EXPECT_EQ(rencheng("generate --population many --out " + out.string()).status, 2);
    EXPECT_EQ(rencheng("generate --population 5000 --centre 114 --out " + out.string()).status, 2);
    EXPECT_FALSE(fs::exists(out));
}
