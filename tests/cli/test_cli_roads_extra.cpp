// Tests of `rencheng roads disrupt|criticality|route|accessibility|evacuate` on the hand-built
// cases of tests/validation/transport/disruption/ (answers worked out in their README), and of
// `roads import-osm --clip/--bbox` on the curated Monaco clip.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/run_rencheng.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::test::CommandResult;
using rencheng::test::run_rencheng;
using rencheng::test::slurp;

const fs::path kCases =
    fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "transport" / "disruption";
const std::string kNet = (kCases / "Island" / "Island_net.tntp").string();
const std::string kTrips = (kCases / "Island" / "Island_trips.tntp").string();
const std::string kPopulation = (kCases / "Island" / "population.csv").string();
const std::string kFacilities = (kCases / "Island" / "facilities.csv").string();
const std::string kClosures = (kCases / "Island" / "closures.csv").string();

fs::path temp_file(const std::string& name) {
    return fs::temp_directory_path() /
           ("rencheng-roads-extra-" + std::to_string(::getpid()) + "-" + name);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// Writes `text` to a temporary file and returns its path.
std::string scratch(const std::string& name, const std::string& text) {
    const fs::path p = temp_file(name);
    FILE* f = std::fopen(p.string().c_str(), "wb");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return p.string();
}

TEST(RoadsDisruptCli, BridgeClosureReportsDisconnectedDemand) {
    const fs::path csv = temp_file("disrupt.csv");
    const CommandResult r = run_rencheng({"-q", "roads", "disrupt", kNet, "--trips", kTrips,
                                          "--closures", kClosures, "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "2 closed, 0 with reduced capacity")) << r.out;
    EXPECT_TRUE(has(r.out, "demand disconnected (无法出行需求) 180 veh/h in 3 OD pairs")) << r.out;
    const std::string text = slurp(csv);
    fs::remove(csv);
    EXPECT_TRUE(has(text, "0,od,1-3,disconnected_vehh,100\n")) << text;
    EXPECT_TRUE(has(text, "0,od,3-1,disconnected_vehh,50\n")) << text;
    EXPECT_TRUE(has(text, "0,link,4-5,flow_vehh,0\n")) << text;
    EXPECT_TRUE(has(text, "0,link,4-5,flow_change_vehh,-130\n")) << text;
}

TEST(RoadsCriticalityCli, BridgeFirstByDisconnectedDemandAndNodesByPeople) {
    const fs::path csv = temp_file("crit.csv");
    const CommandResult r =
        run_rencheng({"-q", "roads", "criticality", kNet, "--trips", kTrips, "--population",
                      kPopulation, "--top", "3", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto pos = r.out.find("by demand disconnected");
    ASSERT_NE(pos, std::string::npos) << r.out;
    const std::string ranking = r.out.substr(pos);
    EXPECT_TRUE(has(ranking, "    1        4-5")) << ranking;
    EXPECT_TRUE(has(ranking, "    2        5-4")) << ranking;
    EXPECT_TRUE(has(r.out, "    3        4              0            950        3")) << r.out;
    const std::string text = slurp(csv);
    fs::remove(csv);
    EXPECT_TRUE(has(text, "0,link,4-5,disconnected_vehh,130\n")) << text;
    EXPECT_TRUE(has(text, "0,node,4,isolated_people,950\n")) << text;
    // The cheaper method ranks the bridge the same way.
    const CommandResult f = run_rencheng({"-q", "roads", "criticality", kNet, "--trips", kTrips,
                                          "--method", "reroute", "--top", "1"});
    ASSERT_EQ(f.status, 0) << f.err;
    EXPECT_TRUE(has(f.out.substr(f.out.find("by demand disconnected")), "    1        4-5"));
    EXPECT_TRUE(has(f.out, "method reroute, 14 candidate links"));
    // Candidates: the 2 most loaded links only.
    const CommandResult c =
        run_rencheng({"-q", "roads", "criticality", kNet, "--trips", kTrips, "--candidates", "2"});
    EXPECT_TRUE(has(c.out, "2 candidate links")) << c.out;
}

TEST(RoadsRouteCli, RouteAndClosedRoute) {
    const CommandResult r =
        run_rencheng({"-q", "roads", "route", kNet, "--from", "1", "--to", "3"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "time (时间) 8, length (长度) 3, 3 links")) << r.out;
    EXPECT_TRUE(has(r.out, "nodes: 1 4 5 3")) << r.out;
    const CommandResult c = run_rencheng(
        {"-q", "roads", "route", kNet, "--from", "1", "--to", "3", "--closures", kClosures});
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_TRUE(has(c.out, "no open path from node 1 to node 3")) << c.out;
    // Congested times are longer than free-flow ones.
    const CommandResult g =
        run_rencheng({"-q", "roads", "route", kNet, "--from", "1", "--to", "3", "--trips", kTrips});
    ASSERT_EQ(g.status, 0) << g.err;
    EXPECT_TRUE(has(g.out, "time (时间) 11.0530")) << g.out;
    const CommandResult bad =
        run_rencheng({"-q", "roads", "route", kNet, "--from", "1", "--to", "7"});
    EXPECT_EQ(bad.status, 2) << bad.err;
    EXPECT_TRUE(has(bad.err, "--to 7")) << bad.err;
}

TEST(RoadsAccessibilityCli, PeopleWithinThresholdAndCutOff) {
    const fs::path csv = temp_file("access.csv");
    const CommandResult r =
        run_rencheng({"-q", "roads", "accessibility", kNet, "--facilities", kFacilities,
                      "--population", kPopulation, "--threshold", "5", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "people within the threshold (阈值内) 3150 (79.75 %)")) << r.out;
    const std::string text = slurp(csv);
    fs::remove(csv);
    EXPECT_TRUE(has(text, "0,node,6,time_min,7\n0,node,6,facility_node,2\n")) << text;
    const CommandResult c =
        run_rencheng({"-q", "roads", "accessibility", kNet, "--facilities", kFacilities,
                      "--population", kPopulation, "--closures", kClosures, "--direction", "from"});
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_TRUE(has(c.out, "people cut off (被隔断) 950 at 3 nodes")) << c.out;
}

TEST(RoadsEvacuateCli, ShelterAssignmentAndClearanceBound) {
    const fs::path csv = temp_file("evac.csv");
    const fs::path dir = kCases / "Evacuation";
    const CommandResult r =
        run_rencheng({"-q", "roads", "evacuate", (dir / "Evacuation_net.tntp").string(), "--zones",
                      (dir / "zones.csv").string(), "--shelters", (dir / "shelters.csv").string(),
                      "--occupancy", "1", "--results", csv.string()});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(
        has(r.out, "without one (未安置) 140, of whom cut off from every shelter (被隔断) 40"))
        << r.out;
    EXPECT_TRUE(has(r.out, "bottleneck (瓶颈) 100 veh/h")) << r.out;
    EXPECT_TRUE(has(r.out, "clearance time lower bound (清空时间下界) 562.5 min")) << r.out;
    EXPECT_EQ(slurp(csv), "zone_node,shelter_node,people,travel_time_min\n1,3,300,15\n1,4,600,"
                          "16\n1,,100,\n5,,40,\n");
    fs::remove(csv);
}

TEST(RoadsExtraCli, BadInputNamesFileLineAndField) {
    const std::string closures =
        scratch("bad-closures.csv", "link,capacity_factor\n4-5,0\n4-9,0\n");
    const CommandResult r =
        run_rencheng({"-q", "roads", "disrupt", kNet, "--trips", kTrips, "--closures", closures});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.err, "bad-closures.csv:3")) << r.err;
    EXPECT_TRUE(has(r.err, "E306")) << r.err;
    const std::string pop = scratch("bad-pop.csv", "node,population\n1,10\n2,lots\n");
    const CommandResult p = run_rencheng(
        {"-q", "roads", "accessibility", kNet, "--facilities", kFacilities, "--population", pop});
    EXPECT_EQ(p.status, 1) << p.err;
    EXPECT_TRUE(has(p.err, "bad-pop.csv:3")) << p.err;
    EXPECT_TRUE(has(p.err, "population")) << p.err;
    fs::remove(closures);
    fs::remove(pop);
    const CommandResult m =
        run_rencheng({"-q", "roads", "criticality", kNet, "--trips", kTrips, "--method", "guess"});
    EXPECT_EQ(m.status, 2) << m.err;
    const CommandResult o = run_rencheng({"-q", "roads", "evacuate", kNet, "--zones", kPopulation,
                                          "--shelters", kFacilities, "--occupancy", "0"});
    EXPECT_EQ(o.status, 2) << o.err;
    const CommandResult missing = run_rencheng(
        {"-q", "roads", "evacuate", (kCases / "Evacuation" / "Evacuation_net.tntp").string(),
         "--zones", "/nonexistent/zones.csv", "--shelters",
         (kCases / "Evacuation" / "shelters.csv").string()});
    EXPECT_EQ(missing.status, 3) << missing.err;
    EXPECT_TRUE(has(missing.err, "/nonexistent/zones.csv")) << missing.err;
}

TEST(RoadsImportOsmCli, ClipToPolygonAndBox) {
    const std::string osm =
        (fs::path(RENCHENG_SOURCE_DIR) / "tests/validation/transport/osm/monaco-centre.osm")
            .string();
    const std::string poly =
        scratch("centre.geojson", "{\"type\": \"Polygon\", \"coordinates\": [[[7.420, 43.732], "
                                  "[7.430, 43.733], [7.431, 43.740], [7.424, 43.741], "
                                  "[7.419, 43.737], [7.420, 43.732]]]}\n");
    const fs::path out = temp_file("clipped.geojson");
    const CommandResult r =
        run_rencheng({"roads", "import-osm", osm, "--clip", poly, "--out", out.string()});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "ways cut at the boundary")) << r.out;
    EXPECT_TRUE(has(slurp(out), "\"FeatureCollection\"")) << slurp(out);
    const CommandResult box = run_rencheng({"-q", "roads", "import-osm", osm, "--bbox",
                                            "7.420,43.732,7.428,43.739", "--out", out.string()});
    EXPECT_EQ(box.status, 0) << box.err;
    fs::remove(out);

    // A bad polygon file: error with file:line and exit status 1, nothing written.
    const std::string bad = scratch(
        "open-ring.geojson", "{\"type\": \"FeatureCollection\", \"features\": [\n"
                             "{\"type\": \"Feature\", \"properties\": {}, "
                             "\"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
                             "[[[7.42,43.73],[7.43,43.73],[7.43,43.74],[7.42,43.74]]]}}\n]}\n");
    const CommandResult b =
        run_rencheng({"-q", "roads", "import-osm", osm, "--clip", bad, "--out", out.string()});
    EXPECT_EQ(b.status, 1) << b.err;
    EXPECT_TRUE(has(b.err, "open-ring.geojson:2")) << b.err;
    EXPECT_TRUE(has(b.err, "E308")) << b.err;
    EXPECT_FALSE(fs::exists(out));
    const CommandResult missing =
        run_rencheng({"-q", "roads", "import-osm", osm, "--clip", "/nonexistent/poly.geojson",
                      "--out", out.string()});
    EXPECT_EQ(missing.status, 3) << missing.err;
    // Usage errors: a malformed box, and both options at once.
    const CommandResult bbox = run_rencheng(
        {"-q", "roads", "import-osm", osm, "--bbox", "7.43,43.73,7.42", "--out", out.string()});
    EXPECT_EQ(bbox.status, 2) << bbox.err;
    EXPECT_TRUE(has(bbox.err, "--bbox")) << bbox.err;
    const CommandResult both =
        run_rencheng({"-q", "roads", "import-osm", osm, "--clip", poly, "--bbox",
                      "7.420,43.732,7.428,43.739", "--out", out.string()});
    EXPECT_EQ(both.status, 2) << both.err;
    EXPECT_FALSE(fs::exists(out));
    fs::remove(poly);
    fs::remove(bad);
}

TEST(RoadsExtraCli, HelpIsBilingual) {
    for (const char* sub : {"disrupt", "criticality", "route", "accessibility", "evacuate"}) {
        const CommandResult r = run_rencheng({"roads", sub, "--help"});
        EXPECT_EQ(r.status, 0) << sub;
        EXPECT_TRUE(has(r.out, " / ")) << sub << r.out;
    }
    const CommandResult r = run_rencheng({"roads", "--help"});
    EXPECT_TRUE(has(r.out, "关键性")) << r.out;
    EXPECT_TRUE(has(r.out, "疏散")) << r.out;
}

} // namespace
