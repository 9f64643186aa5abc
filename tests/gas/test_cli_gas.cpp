// Tests of `rencheng gas solve`: results file, exit statuses on unsolvable networks and bad input.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rencheng.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::test::run_rencheng;
using rencheng::test::slurp;

const fs::path kDir = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "gas";

fs::path temp_path(const std::string& suffix) {
    static int counter = 0;
    return fs::temp_directory_path() / ("rencheng-gas-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++) + suffix);
}

int count(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

TEST(CliGas, SolveGasLib11WritesResults) {
    const fs::path csv = temp_path(".csv");
    const auto r = run_rencheng({"gas", "solve", (kDir / "GasLib-11.net").string(), "--scenario",
                                 (kDir / "GasLib-11.scn").string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("solved"), std::string::npos);
    const std::string text = slurp(csv);
    EXPECT_EQ(text.rfind("time_s,type,id,quantity,value\n", 0), 0u);
    EXPECT_EQ(count(text, ",pressure_pa,"), 11);
    EXPECT_EQ(count(text, ",flow_m3s,"), 11);
    // exit01 withdraws its nomination of 100 000 m³/h through pipe04.
    const auto at = text.find("0,link,pipe04_N02_exit01,flow_m3s,");
    ASSERT_NE(at, std::string::npos);
    const double q = std::stod(text.substr(at + 34));
    EXPECT_NEAR(q, 100.0 / 3.6, 1e-9 * 100);
    fs::remove(csv);
}

// The demo city's generated network has low-pressure districts that carry almost no gas; their
// zones must still stop (the absolute floor of the stopping rule) rather than run to the limit.
TEST(CliGas, DemoCityNetworkSolvesAtTheDefaults) {
    const auto r = run_rencheng(
        {"gas", "solve",
         (fs::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city" / "gas.geojson").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("1 solved"), std::string::npos) << r.out;
}

TEST(CliGas, GasLib40SolvesWithStationsInBypassNoted) {
    const auto r = run_rencheng({"gas", "solve", (kDir / "GasLib-40.net").string(), "--scenario",
                                 (kDir / "GasLib-40.scn").string()});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("note: compressor 'compressorStation_3' runs in bypass"),
              std::string::npos)
        << r.out;
}

TEST(CliGas, InfeasibleComponentExitsFourAndNamesTheNode) {
    // A customer whose minimum pressure the source cannot deliver through a long thin pipe,
    // and a second component with no source at all.
    const fs::path net = temp_path(".geojson");
    const fs::path csv = temp_path(".csv");
    {
        std::FILE* f = std::fopen(net.c_str(), "w");
        std::fputs(
            R"({"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.30,30.60]},"properties":{"id":"G","kind":"source","set_pressure_pa":300000}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.40,30.60]},"properties":{"id":"H","kind":"customer","demand_m3s":0.05,"pressure_min_pa":295000}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.50,30.60]},"properties":{"id":"Z1","kind":"junction"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.51,30.60]},"properties":{"id":"Z2","kind":"customer","demand_m3s":0.01}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.30,30.60],[114.40,30.60]]},"properties":{"id":"P","kind":"pipe","from":"G","to":"H","diameter_m":0.1}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.50,30.60],[114.51,30.60]]},"properties":{"id":"Q","kind":"pipe","from":"Z1","to":"Z2","diameter_m":0.1}}
]})",
            f);
        std::fclose(f);
    }
    const auto r = run_rencheng({"gas", "solve", net.string(), "--results", csv.string()});
    EXPECT_EQ(r.status, 4) << r.out << r.err;
    EXPECT_NE(r.err.find("E404"), std::string::npos);
    EXPECT_NE(r.out.find("node 'H'"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("no_source"), std::string::npos) << r.out;
    // The solved component's values are written, the unsolved one's left out.
    const std::string text = slurp(csv);
    EXPECT_NE(text.find("0,node,H,pressure_pa,"), std::string::npos);
    EXPECT_EQ(text.find("0,node,Z2,"), std::string::npos);
    fs::remove(net);
    fs::remove(csv);
}

TEST(CliGas, BadInputAndMissingFile) {
    const fs::path bad = temp_path(".net");
    {
        std::FILE* f = std::fopen(bad.c_str(), "w");
        std::fputs("<network>\n<framework:nodes>\n</network>\n", f);
        std::fclose(f);
    }
    const auto r = run_rencheng({"gas", "solve", bad.string()});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(":3:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("E206"), std::string::npos) << r.err;
    fs::remove(bad);
    const auto m = run_rencheng({"gas", "solve", "/nonexistent/x.net"});
    EXPECT_EQ(m.status, 3);
    const auto u = run_rencheng({"gas", "solve", "x.geojson", "--scenario", "y.scn"});
    EXPECT_EQ(u.status, 2);
}

} // namespace
