// Tests of `rencheng roads assign`: results CSV, summary, and exit statuses on bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support/files.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path kCases = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "transport";

struct CliRun {
    int status = -1;
    std::string out, err;
};

using rencheng::test::slurp;

fs::path temp_path(const std::string& name) {
    return fs::temp_directory_path() /
           ("rencheng-roads-" + std::to_string(::getpid()) + "-" + name);
}

/// Runs `rencheng <args>` through the shell (arguments are quoted by the caller).
CliRun rencheng(const std::string& args) {
    const fs::path out = temp_path("stdout"), err = temp_path("stderr");
    const std::string cmd = std::string("'") + RENCHENG_BINARY + "' " + args + " >'" +
                            out.string() + "' 2>'" + err.string() + "'";
    const int rc = std::system(cmd.c_str());
    CliRun r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove(out);
    fs::remove(err);
    return r;
}

std::string quoted(const fs::path& p) {
    return "'" + p.string() + "'";
}

TEST(RoadsAssignCli, WritesLongCsvAndSummary) {
    const fs::path csv = temp_path("braess.csv");
    const CliRun r = rencheng("-q roads assign " + quoted(kCases / "Braess" / "Braess_net.tntp") +
                              " " + quoted(kCases / "Braess" / "Braess_trips.tntp") +
                              " --gap 1e-10 --results " + quoted(csv));
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("converged"), std::string::npos);
    EXPECT_NE(r.out.find("relative gap"), std::string::npos);
    EXPECT_NE(r.out.find("TSTT 552"), std::string::npos) << r.out;
    const std::string text = slurp(csv);
    fs::remove(csv);
    EXPECT_EQ(text.rfind("time_s,type,id,quantity,value\n", 0), 0u);
    EXPECT_NE(text.find("0,link,1-3,flow_vehh,3.99999999"), std::string::npos) << text;
    EXPECT_NE(text.find("0,link,3-4,time_min,11.99999999"), std::string::npos) << text;
    // Two rows per link plus the header.
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);
}

TEST(RoadsAssignCli, FrankWolfeNotConvergedExits4) {
    const CliRun r =
        rencheng("-q roads assign " + quoted(kCases / "SiouxFalls" / "SiouxFalls_net.tntp") + " " +
                 quoted(kCases / "SiouxFalls" / "SiouxFalls_trips.tntp") +
                 " --algorithm fw --gap 1e-10 --max-iterations 3");
    EXPECT_EQ(r.status, 4) << r.out << r.err;
    EXPECT_NE(r.out.find("NOT converged"), std::string::npos);
}

TEST(RoadsAssignCli, BadInputNamesFileLineAndField) {
    const fs::path net = temp_path("bad_net.tntp");
    {
        std::ofstream f(net);
        f << "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<END OF METADATA>\n"
             "1 3 10 1 1 0.15 4 ;\n3 2 10 1 oops 0.15 4 ;\n";
    }
    const CliRun r = rencheng("roads assign " + quoted(net) + " " +
                              quoted(kCases / "Braess" / "Braess_trips.tntp"));
    fs::remove(net);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("bad_net.tntp:5:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("free_flow_time"), std::string::npos) << r.err;
}

TEST(RoadsAssignCli, MissingFileAndUsage) {
    CliRun r = rencheng("roads assign /nonexistent_net.tntp " +
                        quoted(kCases / "Braess" / "Braess_trips.tntp"));
    EXPECT_EQ(r.status, 3) << r.err;
    r = rencheng("roads assign " + quoted(kCases / "Braess" / "Braess_net.tntp") + " " +
                 quoted(kCases / "Braess" / "Braess_trips.tntp") + " --algorithm msa");
    EXPECT_EQ(r.status, 2) << r.err;
    r = rencheng("roads assign " + quoted(kCases / "Braess" / "Braess_net.tntp") + " " +
                 quoted(kCases / "SiouxFalls" / "SiouxFalls_trips.tntp"));
    EXPECT_EQ(r.status, 1) << r.err; // 24 zones of trips on a 2-zone network
    EXPECT_NE(r.err.find("zones"), std::string::npos) << r.err;
}

} // namespace
