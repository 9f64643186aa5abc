// Tests of the rencheng command: help, usage errors, and `validate` on the broken-bundle corpus.
//
// tests/cli/broken/<case>/ holds one small bundle with one kind of problem and `expect.txt`:
//     # comment
//     exit 1
//     roads.geojson:7: error E305
// The first line gives the expected exit status; every other line must match a diagnostic that
// `rencheng validate` prints: the file (relative to the case folder), the line (any column), then
// the rest as a prefix ("error E305", or "error E305 [L7]: duplicate"). A line without a line
// number ("city.toml: error E101") matches a diagnostic without one. Adding a case is adding a
// folder.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rencheng.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kSource = RENCHENG_SOURCE_DIR;
const fs::path kBroken = kSource / "tests" / "cli" / "broken";
const fs::path kGood = kSource / "tests" / "cli" / "good";

using Result = rencheng::test::CommandResult;
using rencheng::test::slurp;

Result run(const std::vector<std::string>& args) {
    return rencheng::test::run_rencheng(args);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r')
            l.pop_back();
        out.push_back(l);
    }
    return out;
}

/// Fails when the output shows a sanitizer report or a crash.
void expect_no_crash(const Result& r) {
    EXPECT_NE(r.status, -1) << "killed by a signal\n" << r.err;
    EXPECT_EQ(r.err.find("AddressSanitizer"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("runtime error:"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------------
// Help and usage

TEST(Cli, HelpListsTheSubcommands) {
    const Result r = run({"--help"});
    EXPECT_EQ(r.status, 0) << r.err;
    for (const char* word : {"validate", "info", "generate", "--quiet", "--version"})
        EXPECT_NE(r.out.find(word), std::string::npos) << word << "\n" << r.out;
}

TEST(Cli, EachSubcommandHasHelp) {
    for (const char* sub : {"validate", "info", "generate"}) {
        const Result r = run({sub, "--help"});
        EXPECT_EQ(r.status, 0) << sub << "\n" << r.err;
        EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub << "\n" << r.out;
        EXPECT_NE(r.out.find("--help"), std::string::npos) << sub;
    }
    const Result v = run({"validate", "--help"});
    EXPECT_NE(v.out.find("BUNDLE"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("--werror"), std::string::npos) << v.out;
    EXPECT_NE(v.out.find("city.toml"), std::string::npos) << v.out;
    const Result i = run({"info", "--help"});
    EXPECT_NE(i.out.find("BUNDLE"), std::string::npos) << i.out;
}

TEST(Cli, Version) {
    const Result r = run({"--version"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("rencheng"), std::string::npos) << r.out;
}

TEST(Cli, UnknownOptionIsAUsageError) {
    const Result r = run({"--frobnicate"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--frobnicate"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--help"), std::string::npos) << r.err;

    const Result v = run({"validate", "--frobnicate", kGood.string()});
    EXPECT_EQ(v.status, 2);
    EXPECT_NE(v.err.find("--frobnicate"), std::string::npos) << v.err;
}

TEST(Cli, UnknownSubcommandIsAUsageError) {
    const Result r = run({"frobnicate"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
    const Result none = run({});
    EXPECT_EQ(none.status, 2);
    EXPECT_FALSE(none.err.empty());
}

TEST(Cli, ValidateNeedsABundle) {
    const Result r = run({"validate"});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("bundle"), std::string::npos) << r.err;
}

TEST(Cli, MissingBundlePathIsACleanError) {
    for (const char* sub : {"validate", "info"}) {
        const Result r = run({sub, "/nonexistent/rencheng/bundle"});
        expect_no_crash(r);
        EXPECT_EQ(r.status, 3) << sub << "\n" << r.out << r.err;
        EXPECT_NE((r.out + r.err).find("/nonexistent/rencheng/bundle: error E101"),
                  std::string::npos)
            << r.out << r.err;
    }
}

// ---------------------------------------------------------------------------------------------
// The good bundle

TEST(Cli, GoodBundleValidates) {
    const Result r = run({"validate", kGood.string()});
    expect_no_crash(r);
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("good: valid (0 errors, 0 warnings)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("有效"), std::string::npos) << r.out;
}

TEST(Cli, GoodBundleValidatesQuietly) {
    const Result r = run({"--quiet", "validate", (kGood / "city.toml").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "");
}

TEST(Cli, InfoSummarisesTheGoodBundle) {
    const Result r = run({"info", kGood.string()});
    expect_no_crash(r);
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    for (const char* s :
         {"Good Town (好镇)", "EPSG:4547", "20,950 in 3 zones", "Districts", "4 nodes, 4 links",
          "arterial", "Bridges", "hospital", "capacity 300 beds", "road_access", "4 × 4 cells",
          "elevation 20.0 .. 42.5 m"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
}

TEST(Cli, InfoOnABrokenBundleFails) {
    const Result r = run({"info", (kBroken / "duplicate_facility_id").string()});
    expect_no_crash(r);
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("error E305"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
}

// ---------------------------------------------------------------------------------------------
// The broken-bundle corpus

struct Expectation {
    int status = -1;
    std::vector<std::string> lines;
};

Expectation read_expectation(const fs::path& file) {
    Expectation e;
    for (const auto& l : lines_of(slurp(file))) {
        if (l.empty() || l[0] == '#')
            continue;
        if (e.status < 0 && l.rfind("exit ", 0) == 0) {
            e.status = std::atoi(l.c_str() + 5);
            continue;
        }
        e.lines.push_back(l);
    }
    return e;
}

/// True when diagnostic line `got` (its file relative to `dir`) matches `want`
/// ("file:line: rest" or "file: rest").
bool matches(const std::string& got, const std::string& want, const std::string& dir) {
    std::string g = got;
    if (g.rfind(dir, 0) == 0)
        g = g.substr(dir.size());
    const auto want_colon = want.find(": ");
    if (want_colon == std::string::npos)
        return false;
    const std::string want_loc = want.substr(0, want_colon); // "file" or "file:line"
    const std::string want_rest = want.substr(want_colon + 2);
    const auto got_colon = g.find(": ");
    if (got_colon == std::string::npos)
        return false;
    std::string got_loc = g.substr(0, got_colon); // "file", "file:line" or "file:line:col"
    const std::string got_rest = g.substr(got_colon + 2);
    // Drop the column when the expectation names a line but no column.
    const auto n_colons = [](const std::string& s) { return std::count(s.begin(), s.end(), ':'); };
    if (n_colons(got_loc) == 2 && n_colons(want_loc) == 1)
        got_loc.erase(got_loc.rfind(':'));
    return got_loc == want_loc && got_rest.rfind(want_rest, 0) == 0;
}

std::vector<std::string> broken_cases() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(kBroken, ec))
        if (e.is_directory())
            out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

class BrokenBundle : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenBundle, ValidateReportsIt) {
    const fs::path dir = kBroken / GetParam();
    ASSERT_TRUE(fs::exists(dir / "expect.txt")) << dir;
    const Expectation want = read_expectation(dir / "expect.txt");
    ASSERT_GE(want.status, 0) << "expect.txt has no 'exit N' line";
    ASSERT_FALSE(want.lines.empty()) << "expect.txt names no diagnostic";

    const Result r = run({"validate", dir.string()});
    expect_no_crash(r);
    EXPECT_EQ(r.status, want.status) << r.out << r.err;
    const std::vector<std::string> got = lines_of(r.out);
    ASSERT_FALSE(got.empty());
    EXPECT_NE(got.back().find(": invalid ("), std::string::npos) << got.back();
    EXPECT_NE(got.back().find("无效"), std::string::npos) << got.back();
    const std::string prefix = dir.string() + "/";
    for (const auto& w : want.lines) {
        const bool found = std::any_of(got.begin(), got.end(),
                                       [&](const std::string& g) { return matches(g, w, prefix); });
        EXPECT_TRUE(found) << "expected a diagnostic '" << w << "'; got:\n" << r.out;
    }
    // `info` refuses the same bundle with the same status and does not crash either.
    const Result info = run({"info", dir.string()});
    expect_no_crash(info);
    EXPECT_EQ(info.status, want.status) << info.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenBundle, ::testing::ValuesIn(broken_cases()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                             std::string name = p.param;
                             for (char& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c)))
                                     c = '_';
                             return name;
                         });

TEST(Cli, CorpusHasAtLeastTwelveKinds) {
    EXPECT_GE(broken_cases().size(), 12u);
}

} // namespace
