// `generate --roads-from`: the synthetic city on real streets (the Monaco clip), the roads as
// TNTP files that assign to gap 1e-10 with conserved flows, and the synthetic path unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "citygen/citygen.hpp"
#include "core/geo.hpp"
#include "support/files.hpp"
#include "transport/assignment.hpp"
#include "transport/osm_reader.hpp"
#include "transport/tntp.hpp"

namespace fs = std::filesystem;
namespace rt = rencheng::transport;
using rencheng::Diagnostics;
using rencheng::citygen::GenerateOptions;

namespace {

const fs::path kSource = RENCHENG_SOURCE_DIR;
const fs::path kClip = kSource / "tests/validation/transport/osm/monaco-centre.osm";

struct CommandResult {
    int status = -1;
    std::string out;
};

CommandResult run_cli(const std::string& args) {
    CommandResult r;
    const std::string cmd = std::string(RENCHENG_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr)
        return r;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p) != nullptr)
        r.out += buf;
    const int raw = pclose(p);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return r;
}

fs::path temp_folder(const std::string& tag) {
    const fs::path p = fs::temp_directory_path() /
                       ("rencheng_generate_osm_" + tag + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    return p;
}

using rencheng::test::slurp;

std::shared_ptr<const rt::RoadNetwork> clip_streets() {
    Diagnostics diags;
    auto net = std::make_shared<rt::RoadNetwork>(rt::read_osm(kClip, diags));
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    return net;
}

GenerateOptions monaco_options() {
    GenerateOptions o;
    o.population = 20000;
    o.seed = 7;
    o.name = "Monaco Test";
    o.streets = clip_streets();
    o.streets_source = kClip.string();
    o.centre = rencheng::citygen::streets_centre(*o.streets);
    o.crs = rencheng::citygen::default_crs(o.centre);
    return o;
}

/// Assigns the city's TNTP form with Algorithm B to gap 1e-10 and checks flow conservation at
/// every node to 1e-9 of the total demand, and that all demand is assigned. The peak-hour table
/// barely congests the roads (all-or-nothing is already at equilibrium), so the demand is also
/// scaled up `stress` times, where the solver has to shift flow.
void check_assigns(const rencheng::citygen::CityTntp& tntp, double stress = 1.0) {
    // Through the files' text, as any TNTP network would be read.
    Diagnostics diags;
    const rt::AssignmentNetwork net =
        rt::parse_tntp_net(rt::format_tntp_net(tntp.net), "city_net.tntp", diags);
    rt::TripTable trips =
        rt::parse_tntp_trips(rt::format_tntp_trips(tntp.trips), "city_trips.tntp", diags);
    for (double& q : trips.demand)
        q *= stress;
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_EQ(net.link_count(), tntp.net.link_count());
    ASSERT_GT(trips.total(), 0.0);
    const rt::TntpNodes nodes = rt::parse_tntp_nodes(tntp.nodes_text, "city_node.tntp", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(static_cast<std::int32_t>(nodes.node.size()), net.node_count);

    rt::AssignmentOptions opt;
    opt.target_gap = 1e-10;
    opt.max_iterations = 500;
    const rt::AssignmentResult res = rt::assign_traffic(net, trips, opt);
    EXPECT_TRUE(res.converged);
    EXPECT_LE(res.relative_gap, 1e-10);
    if (stress > 1.0) {
        EXPECT_GT(res.iterations, 1);
    }
    EXPECT_EQ(res.unreachable_demand, 0.0);
    EXPECT_NEAR(res.assigned_demand, trips.total(), 1e-9 * trips.total());

    std::vector<double> balance(static_cast<std::size_t>(net.node_count), 0.0);
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const auto k = static_cast<std::size_t>(a);
        balance[static_cast<std::size_t>(net.init[k])] -= res.flow[k];
        balance[static_cast<std::size_t>(net.term[k])] += res.flow[k];
    }
    for (std::int32_t o = 0; o < trips.zone_count; ++o) {
        for (std::int32_t e = trips.origin_begin[o]; e < trips.origin_begin[o + 1]; ++e) {
            const auto k = static_cast<std::size_t>(e);
            balance[static_cast<std::size_t>(o)] += trips.demand[k];
            balance[static_cast<std::size_t>(trips.destination[k])] -= trips.demand[k];
        }
    }
    double worst = 0.0;
    for (const double b : balance)
        worst = std::max(worst, std::abs(b));
    EXPECT_LE(worst, 1e-9 * trips.total());
}

} // namespace

TEST(GenerateOsm, CityOnMonacoStreets) {
    const GenerateOptions options = monaco_options();
    const rencheng::model::City city = rencheng::citygen::generate_city(options);
    ASSERT_TRUE(city.roads);
    // The streets are those of the file: same nodes (OSM ids) and links.
    EXPECT_EQ(city.roads->node_count(), options.streets->node_count());
    EXPECT_EQ(city.roads->link_count(), options.streets->link_count());
    EXPECT_EQ(city.roads->node_id, options.streets->node_id);
    EXPECT_EQ(city.roads->link_id, options.streets->link_id);
    EXPECT_EQ(city.roads->tunnel, options.streets->tunnel);

    // Zones over the streets, people summing exactly, each centroid near a street.
    ASSERT_GT(city.zones.size(), 3u);
    std::int64_t people = 0;
    for (const auto& z : city.zones) {
        people += z.population;
        double nearest = 1e9;
        for (const auto& p : city.roads->node_position)
            nearest = std::min(nearest, rencheng::haversine_m(p, z.centroid));
        EXPECT_LT(nearest, 300.0) << z.id;
    }
    EXPECT_EQ(people, options.population);
    EXPECT_FALSE(city.facilities.empty());
    ASSERT_TRUE(city.water);
    EXPECT_EQ(city.water->junction_count() >= city.roads->node_count(), true);
    ASSERT_TRUE(city.power);
    EXPECT_GT(city.power->buses.count(), 0);

    // Same options, same city.
    const rencheng::model::City again = rencheng::citygen::generate_city(options);
    EXPECT_EQ(rt::format_roads_geojson(*again.roads), rt::format_roads_geojson(*city.roads));

    const rencheng::citygen::CityTntp tntp = rencheng::citygen::make_city_tntp(city);
    check_assigns(tntp);
    check_assigns(tntp, 30.0);
}

TEST(GenerateOsm, SyntheticCityTntpAssignsToTightGap) {
    GenerateOptions o;
    o.population = 20000;
    o.seed = 3;
    const rencheng::model::City city = rencheng::citygen::generate_city(o);
    const rencheng::citygen::CityTntp tntp = rencheng::citygen::make_city_tntp(city);
    EXPECT_EQ(tntp.net.zone_count, static_cast<std::int32_t>(city.zones.size()));
    EXPECT_EQ(tntp.net.first_thru_node, tntp.net.zone_count + 1);
    // Production-constrained: each zone sends 0.05 trips per resident (to 1e-4 rounding).
    double residents = 0.0;
    for (const auto& z : city.zones)
        residents += static_cast<double>(z.population);
    EXPECT_NEAR(tntp.trips.total(), 0.05 * residents,
                1e-4 * static_cast<double>(city.zones.size() * city.zones.size()));
    check_assigns(tntp);
    check_assigns(tntp, 30.0);
}

TEST(GenerateOsm, FileStem) {
    EXPECT_EQ(rencheng::citygen::tntp_file_stem("Demo City"), "demo_city");
    EXPECT_EQ(rencheng::citygen::tntp_file_stem("  Synthetic--City 2 "), "synthetic_city_2");
    EXPECT_EQ(rencheng::citygen::tntp_file_stem("示范城"), "city");
}

TEST(GenerateOsm, CliGeneratesOnStreetsAndTheBundleValidatesClean) {
    const fs::path out = temp_folder("cli");
    const CommandResult gen = run_cli("generate --roads-from " + kClip.string() +
                                      " --population 30000 --seed 4 --name \"Monaco Test\" -o " +
                                      out.string() + " --quiet");
    ASSERT_EQ(gen.status, 0) << gen.out;
    for (const char* f :
         {"city.toml", "roads.geojson", "population.geojson", "water.inp", "power.m",
          "monaco_test_net.tntp", "monaco_test_trips.tntp", "monaco_test_node.tntp"}) {
        EXPECT_TRUE(fs::exists(out / f)) << f;
    }
    EXPECT_NE(slurp(out / "city.toml").find("--roads-from"), std::string::npos);
    const CommandResult val = run_cli("validate " + out.string());
    EXPECT_EQ(val.status, 0) << val.out;
    EXPECT_NE(val.out.find("(0 errors, 0 warnings)"), std::string::npos) << val.out;

    // The TNTP files assign through the CLI like any TNTP network.
    const CommandResult assign =
        run_cli("roads assign " + (out / "monaco_test_net.tntp").string() + " " +
                (out / "monaco_test_trips.tntp").string() + " --gap 1e-10");
    EXPECT_EQ(assign.status, 0) << assign.out;

    // Usage: --centre fixes nothing when the streets do.
    const CommandResult both = run_cli("generate --roads-from " + kClip.string() +
                                       " --centre 7.42,43.73 -p 30000 -o " + (out.string() + "_b"));
    EXPECT_EQ(both.status, 2) << both.out;
    // A missing file names itself.
    const CommandResult missing =
        run_cli("generate --roads-from /nonexistent/x.osm.pbf -p 30000 -o " + out.string() + "_c");
    EXPECT_EQ(missing.status, 3) << missing.out;
    EXPECT_NE(missing.out.find("/nonexistent/x.osm.pbf"), std::string::npos) << missing.out;
    EXPECT_FALSE(fs::exists(out.string() + "_c"));
    fs::remove_all(out);
}

TEST(GenerateOsm, ImportOsmWritesRoadsGeoJson) {
    const fs::path out = temp_folder("import");
    fs::create_directories(out);
    const CommandResult r = run_cli("roads import-osm " + kClip.string() + " --out " +
                                    (out / "roads.geojson").string());
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("nodes"), std::string::npos) << r.out;
    Diagnostics diags;
    const rt::RoadNetwork net = rt::read_roads_geojson(out / "roads.geojson", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    Diagnostics d2;
    EXPECT_EQ(net.link_count(), rt::read_osm(kClip, d2).link_count());

    const fs::path broken = out / "broken.osm";
    std::ofstream(broken) << "<osm version=\"0.6\">\n<way id=\"1\">\n</osm>\n";
    const CommandResult bad =
        run_cli("roads import-osm " + broken.string() + " --out " + (out / "b.geojson").string());
    EXPECT_EQ(bad.status, 3) << bad.out;
    EXPECT_NE(bad.out.find("broken.osm:"), std::string::npos) << bad.out;
    EXPECT_FALSE(fs::exists(out / "b.geojson"));
    fs::remove_all(out);
}

TEST(GenerateOsm, SyntheticPathRegeneratesTheDemoCity) {
    // examples/demo-city was written by the command in its city.toml. Without --roads-from the
    // layers this feature touches — roads, zones, facilities, the extent (hence the terrain) and
    // the water network laid on the roads — must come out byte for byte the same. (Lifelines
    // added since the demo was written add their own files and dependencies; the lead
    // regenerates the demo for those.)
    const fs::path demo = kSource / "examples/demo-city";
    if (!fs::exists(demo / "city.toml"))
        GTEST_SKIP() << "no demo city";
    const fs::path out = temp_folder("demo");
    const CommandResult gen =
        run_cli("generate --population 100000 --seed 2026 --centre 114.300000,30.600000 --name "
                "\"Demo City\" --name-zh \"示范城\" --crs EPSG:4547 --quiet -o " +
                out.string());
    ASSERT_EQ(gen.status, 0) << gen.out;
    for (const char* name : {"roads.geojson", "population.geojson", "facilities.geojson",
                             "terrain.asc", "water.inp", "water_valves.csv"}) {
        EXPECT_EQ(slurp(out / name), slurp(demo / name)) << name;
    }
    auto extent_line = [](const std::string& toml) {
        const auto at = toml.find("\nextent = ");
        return at == std::string::npos ? std::string()
                                       : toml.substr(at, toml.find('\n', at + 1) - at);
    };
    const std::string want = extent_line(slurp(demo / "city.toml"));
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(extent_line(slurp(out / "city.toml")), want);
    EXPECT_TRUE(fs::exists(out / "demo_city_net.tntp"));
    fs::remove_all(out);
}
