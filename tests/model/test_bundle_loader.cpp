// Tests of load_city: the good bundle of the CLI tests, and problems found across files.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "model/city.hpp"

namespace rencheng::model {
namespace {

namespace fs = std::filesystem;

const fs::path kGood = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "cli" / "good";

bool has(const Diagnostics& d, ErrorCode code, const std::string& file_end, int line) {
    for (const auto& x : d.items())
        if (x.severity == Severity::kError && x.code == code && x.line == line &&
            x.file.ends_with(file_end))
            return true;
    return false;
}

TEST(LoadCity, GoodBundle) {
    Diagnostics d;
    const City c = load_city(kGood, d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_EQ(c.root, kGood);
    EXPECT_EQ(c.info.name, "Good Town");
    EXPECT_EQ(c.info.crs, "EPSG:4547");
    ASSERT_TRUE(c.terrain.has_value());
    EXPECT_EQ(c.terrain->ncols, 4);
    ASSERT_TRUE(c.roads.has_value());
    EXPECT_EQ(c.roads->node_count(), 4);
    EXPECT_EQ(c.roads->link_count(), 4);
    EXPECT_EQ(c.facilities.size(), 3u);
    EXPECT_EQ(c.zones.size(), 3u);
    EXPECT_EQ(c.total_population(), 20950);
    EXPECT_EQ(c.dependencies.size(), 4u);
    EXPECT_TRUE(c.has_asset("road_node:N4"));
    EXPECT_TRUE(c.has_asset("facility:T1"));
    EXPECT_FALSE(c.has_asset("facility:N4"));
    // The terrain covers the town: 4 × 3 cells of 0.025° from (114.25, 30.55).
    ASSERT_TRUE(c.terrain->elevation_at({114.3, 30.6}).has_value());
}

TEST(LoadCity, TheTomlFileItselfWorksToo) {
    Diagnostics d;
    const City c = load_city(kGood / "city.toml", d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_EQ(c.facilities.size(), 3u);
}

TEST(LoadCity, MissingBundle) {
    Diagnostics d;
    load_city("/nonexistent/bundle", d);
    ASSERT_EQ(d.items().size(), 1u);
    EXPECT_EQ(d.items()[0].code, ErrorCode::kFileNotFound);
    EXPECT_EQ(d.items()[0].file, "/nonexistent/bundle");
}

/// A bundle written into a fresh temporary folder, removed at the end.
class TempBundle {
public:
    explicit TempBundle(const std::string& name)
        : dir_(fs::temp_directory_path() /
               ("rencheng-model-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // Start from a copy of the good bundle.
        for (const auto& e : fs::directory_iterator(kGood))
            fs::copy(e.path(), dir_ / e.path().filename());
    }
    ~TempBundle() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    void write(const std::string& file, const std::string& text) const {
        std::ofstream(dir_ / file, std::ios::binary) << text;
    }
    void append(const std::string& file, const std::string& text) const {
        std::ofstream(dir_ / file, std::ios::binary | std::ios::app) << text;
    }
    void remove(const std::string& file) const { fs::remove(dir_ / file); }
    [[nodiscard]] const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

TEST(LoadCity, NoCityToml) {
    TempBundle b("no-toml");
    b.remove("city.toml");
    Diagnostics d;
    load_city(b.dir(), d);
    ASSERT_EQ(d.items().size(), 1u);
    EXPECT_EQ(d.items()[0].code, ErrorCode::kFileNotFound);
    EXPECT_EQ(d.items()[0].file, (b.dir() / "city.toml").string());
}

TEST(LoadCity, NamedFileMissingIsReportedAtItsKey) {
    TempBundle b("missing-file");
    b.remove("facilities.geojson");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kFileNotFound, "city.toml", 16)) << d.format();
    // facility:H1 and facility:T1 in dependencies.csv are not checked against a missing file.
    EXPECT_EQ(d.error_count(), 1u) << d.format();
    EXPECT_EQ(c.roads->link_count(), 4); // the rest still loads
}

TEST(LoadCity, UnknownCrs) {
    TempBundle b("crs");
    b.write("city.toml", "[city]\nname = \"X\"\ncrs = \"EPSG:999999\"\n"
                         "extent = [114.25, 30.55, 114.35, 30.65]\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownCrs, "city.toml", 3)) << d.format();
}

TEST(LoadCity, OutsideTheExtent) {
    TempBundle b("outside");
    b.write("city.toml", "[city]\nname = \"X\"\ncrs = \"EPSG:4547\"\n"
                         "extent = [114.25, 30.55, 114.30, 30.60]\n"
                         "[roads]\nfile = \"roads.geojson\"\n"
                         "[facilities]\nfile = \"facilities.geojson\"\n"
                         "[population]\nfile = \"population.geojson\"\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kOutsideCity, "roads.geojson", 3)) << d.format(); // L2
    EXPECT_FALSE(has(d, ErrorCode::kOutsideCity, "roads.geojson", 2));              // L1
    EXPECT_TRUE(has(d, ErrorCode::kOutsideCity, "facilities.geojson", 2));          // H1
    EXPECT_FALSE(has(d, ErrorCode::kOutsideCity, "facilities.geojson", 3));         // S1
    EXPECT_TRUE(has(d, ErrorCode::kOutsideCity, "population.geojson", 3));          // Z2
    EXPECT_FALSE(has(d, ErrorCode::kOutsideCity, "population.geojson", 2));         // Z1
}

TEST(LoadCity, UnknownReferences) {
    TempBundle b("refs");
    b.append("dependencies.csv",
             "facility:H9,power,road_link:L1,,\nzone:Z1,water,road_node:N9,,\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, "dependencies.csv", 6)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, "dependencies.csv", 7));
    EXPECT_EQ(d.error_count(), 2u);
}

TEST(LoadCity, BrokenLayerDoesNotCascade) {
    TempBundle b("cascade");
    b.write("facilities.geojson", "{\"type\": \"FeatureCollection\", \"features\": [\n{,\n]}\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_EQ(d.error_count(), 1u) << d.format();
    EXPECT_EQ(d.items()[0].code, ErrorCode::kJsonSyntax);
}

TEST(LoadCity, BadExtentSkipsTheExtentChecks) {
    TempBundle b("bad-extent");
    b.write("city.toml", "[city]\nname = \"X\"\ncrs = \"EPSG:4547\"\n"
                         "extent = [114.35, 30.55, 114.25, 30.65]\n"
                         "[facilities]\nfile = \"facilities.geojson\"\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_EQ(d.error_count(), 1u) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, "city.toml", 4));
}

TEST(LoadCity, TerrainNotCoveringTheCityIsAWarning) {
    TempBundle b("terrain");
    b.write("terrain.asc", "ncols 2\nnrows 2\nxllcorner 114.25\nyllcorner 30.55\ncellsize 0.01\n"
                           "1 2\n3 4\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_EQ(d.error_count(), 0u) << d.format();
    EXPECT_EQ(d.warning_count(), 1u);
    EXPECT_TRUE(c.terrain.has_value());
}

// A small water network with lon/lat coordinates inside the good bundle's extent.
const char* kWaterInp = "[JUNCTIONS]\nJ1 20 1.5\nJ2 22 2.5\n\n[RESERVOIRS]\nR1 60\n\n"
                        "[PIPES]\nP1 R1 J1 500 300 120 0 Open\nP2 J1 J2 400 150 120 0 Open\n\n"
                        "[OPTIONS]\nUnits LPS\n\n[COORDINATES]\nJ1 114.30 30.60\n"
                        "J2 114.31 30.60\nR1 114.29 30.60\n\n[END]\n";

TEST(LoadCity, WaterNetworkAndValves) {
    TempBundle b("water");
    b.append("city.toml", "\n[water]\nfile = \"water.inp\"\nvalves = \"water_valves.csv\"\n");
    b.write("water.inp", kWaterInp);
    b.write("water_valves.csv", "valve,link,node\nIV1,P2,J1\nIV2,P2,J2\n");
    b.append("dependencies.csv",
             "zone:Z1,water,water_node:J2,0,10\nfacility:H1,water,water_link:P2,12,\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_TRUE(c.water.has_value());
    EXPECT_EQ(c.water->junction_count(), 2);
    EXPECT_EQ(c.water_valves.size(), 2u);
    EXPECT_TRUE(c.has_asset("water_node:J2"));
    EXPECT_TRUE(c.has_asset("water_node:R1"));
    EXPECT_TRUE(c.has_asset("water_link:P1"));
    EXPECT_FALSE(c.has_asset("water_link:J1"));
    EXPECT_FALSE(c.has_asset("water_node:P1"));
}

TEST(LoadCity, BadWaterFilesAreReportedWithTheirLines) {
    TempBundle b("bad-water");
    b.append("city.toml", "\n[water]\nfile = \"water.inp\"\nvalves = \"water_valves.csv\"\n");
    std::string inp = kWaterInp;
    inp.replace(inp.find("J2 22 2.5"), 9, "J2 22 x.5");
    b.write("water.inp", inp);
    b.write("water_valves.csv", "valve,link,node\nIV1,P2,J1\nIV1,P2,J2\n");
    b.append("dependencies.csv", "zone:Z1,water,water_node:J2,0,10\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_FALSE(c.water.has_value());
    EXPECT_TRUE(has(d, ErrorCode::kNumberSyntax, "water.inp", 3)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, "water_valves.csv", 3)) << d.format();
    // References into the unreadable network are not checked.
    for (const auto& x : d.items())
        EXPECT_FALSE(x.file.ends_with("dependencies.csv")) << d.format();
}

TEST(LoadCity, ValvesMustSitOnPipeEnds) {
    TempBundle b("valve-refs");
    b.append("city.toml", "\n[water]\nfile = \"water.inp\"\nvalves = \"water_valves.csv\"\n");
    b.write("water.inp", kWaterInp);
    b.write("water_valves.csv", "valve,link,node\nIV1,P9,J1\nIV2,P2,R1\n");
    b.append("dependencies.csv", "zone:Z1,water,water_node:J9,0,10\n");
    Diagnostics d;
    load_city(b.dir(), d);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, "water_valves.csv", 2)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kInconsistent, "water_valves.csv", 3)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, "dependencies.csv", 6)) << d.format();
}

} // namespace
} // namespace rencheng::model
