// Tests of the bundle's drainage layer: [drainage] in city.toml, the SWMM .inp it names, the
// drainage_node / drainage_link asset layers, the city.toml writer.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include "model/bundle_writer.hpp"
#include "model/city.hpp"

namespace rencheng::model {
namespace {

namespace fs = std::filesystem;

const fs::path kGood = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "cli" / "good";

// Two junctions draining to a wet well, a pump lifting it to the river outfall; lon/lat
// coordinates inside the good bundle's extent.
constexpr const char* kInp = R"([TITLE]
tiny storm drain

[OPTIONS]
FLOW_UNITS CMS
FLOW_ROUTING DYNWAVE
ALLOW_PONDING YES
START_DATE 01/01/2026
END_DATE 01/01/2026
END_TIME 01:00:00

[JUNCTIONS]
;;Name Elev MaxDepth InitDepth SurDepth Aponded
J1 10 2 0 0 500
J2 9 2 0 0 400

[OUTFALLS]
Out1 8 FREE NO

[STORAGE]
WW1 6 3 0 FUNCTIONAL 0 0 20

[CONDUITS]
C1 J1 J2 100 0.013 0 0 0 0
C2 J2 WW1 100 0.013 0 0 0 0

[PUMPS]
P1 WW1 Out1 * ON 0 0

[XSECTIONS]
C1 CIRCULAR 0.5 0 0 0 1
C2 CIRCULAR 0.6 0 0 0 1

[COORDINATES]
J1 114.26 30.56
J2 114.27 30.57
WW1 114.28 30.58
Out1 114.29 30.59
)";

class TempBundle {
public:
    explicit TempBundle(const std::string& name)
        : dir_(fs::temp_directory_path() /
               ("rencheng-drainage-bundle-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        for (const auto& e : fs::directory_iterator(kGood))
            fs::copy(e.path(), dir_ / e.path().filename());
        append("city.toml", "\n[drainage]\nfile = \"drainage.inp\"\n");
        write("drainage.inp", kInp);
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
    [[nodiscard]] const fs::path& dir() const { return dir_; }

private:
    fs::path dir_;
};

bool has(const Diagnostics& d, ErrorCode code, const std::string& file_end, int line) {
    for (const auto& x : d.items())
        if (x.severity == Severity::kError && x.code == code && x.line == line &&
            x.file.ends_with(file_end))
            return true;
    return false;
}

TEST(DrainageBundle, LoadsTheNetworkAndItsAssetLayers) {
    TempBundle b("good");
    b.append("dependencies.csv", "drainage_link:P1,power,zone:Z1,0,\n"
                                 "drainage_node:WW1,power,zone:Z1,0,\n"
                                 "facility:H1,drainage,drainage_node:j2,0,\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_TRUE(c.drainage.has_value());
    EXPECT_EQ(c.files.drainage, "drainage.inp");
    EXPECT_EQ(c.drainage->node_count(), 4);
    EXPECT_EQ(c.drainage->link_count(), 3);
    EXPECT_EQ(c.drainage->pumps.count(), 1);
    EXPECT_DOUBLE_EQ(c.drainage->ponded_area_m2[0], 500.0);
    EXPECT_TRUE(c.has_asset("drainage_node:J1"));
    EXPECT_TRUE(c.has_asset("drainage_node:Out1"));
    EXPECT_TRUE(c.has_asset("drainage_node:WW1"));
    EXPECT_TRUE(c.has_asset("drainage_node:ww1")); // SWMM names ignore ASCII case
    EXPECT_FALSE(c.has_asset("drainage_node:J3"));
    EXPECT_FALSE(c.has_asset("drainage_node:C1")); // a link, not a node
    EXPECT_TRUE(c.has_asset("drainage_link:C2"));
    EXPECT_TRUE(c.has_asset("drainage_link:P1"));
    EXPECT_FALSE(c.has_asset("drainage_link:J1"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("drainage_node"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("drainage_link"));
    EXPECT_FALSE(AssetRegistry::is_known_layer("drainage_pump"));
    // A city built in memory (no index) answers by scanning, the same way.
    City fresh;
    fresh.drainage = c.drainage;
    EXPECT_TRUE(fresh.has_asset("drainage_node:J2"));
    EXPECT_TRUE(fresh.has_asset("drainage_link:p1"));
    EXPECT_FALSE(fresh.has_asset("drainage_link:P2"));
}

TEST(DrainageBundle, BadInpIsReportedWithFileAndLine) {
    TempBundle b("bad-inp");
    std::string text = kInp;
    // Line 25 of the file: the length of C2 is not a number.
    text.replace(text.find("C2 J2 WW1 100"), 13, "C2 J2 WW1 1x0");
    b.write("drainage.inp", text);
    b.append("dependencies.csv", "drainage_link:P9,power,zone:Z1,0,\n");
    Diagnostics d;
    const City c = load_city(b.dir(), d);
    EXPECT_FALSE(c.drainage.has_value());
    ASSERT_TRUE(d.has_errors());
    bool inp_error = false;
    for (const auto& x : d.items()) {
        // The references into a network that did not read are not checked.
        EXPECT_FALSE(x.file.ends_with("dependencies.csv")) << d.format();
        inp_error = inp_error || (x.file.ends_with("drainage.inp") && x.line == 25);
    }
    EXPECT_TRUE(inp_error) << d.format();
}

TEST(DrainageBundle, MissingFileAndUnknownReferencesAreErrors) {
    {
        TempBundle b("missing");
        fs::remove(b.dir() / "drainage.inp");
        Diagnostics d;
        const City c = load_city(b.dir(), d);
        EXPECT_FALSE(c.drainage.has_value());
        EXPECT_TRUE(has(d, ErrorCode::kFileNotFound, "city.toml", 25)) << d.format();
    }
    {
        TempBundle b("refs");
        b.append("dependencies.csv", "drainage_link:P2,power,zone:Z1,0,\n"
                                     "drainage_node:J9,power,zone:Z1,0,\n");
        Diagnostics d;
        load_city(b.dir(), d);
        EXPECT_EQ(d.error_count(), 2u) << d.format();
        for (const auto& x : d.items())
            EXPECT_EQ(x.code, ErrorCode::kUnknownReference);
    }
    {
        // drainage_* names without a [drainage] network name nothing.
        TempBundle b("no-network");
        fs::copy_file(kGood / "city.toml", b.dir() / "city.toml",
                      fs::copy_options::overwrite_existing);
        b.append("dependencies.csv", "drainage_node:J1,power,zone:Z1,0,\n");
        Diagnostics d;
        load_city(b.dir(), d);
        EXPECT_EQ(d.error_count(), 1u) << d.format();
    }
}

TEST(DrainageBundle, NodeOutsideTheExtentIsAnError) {
    TempBundle b("outside");
    std::string text = kInp;
    text.replace(text.find("Out1 114.29"), 11, "Out1 115.29");
    b.write("drainage.inp", text);
    Diagnostics d;
    load_city(b.dir(), d);
    ASSERT_EQ(d.error_count(), 1u) << d.format();
    EXPECT_EQ(d.items()[0].code, ErrorCode::kOutsideCity);
    EXPECT_EQ(d.items()[0].element_id, "Out1");
}

TEST(DrainageBundle, TomlKeyIsReadCheckedAndWritten) {
    Diagnostics d;
    const CityToml t = parse_city_toml(
        "[city]\nname = \"x\"\ncrs = \"EPSG:4547\"\nextent = [1, 2, 3, 4]\n\n[drainage]\n"
        "file = \"storm.inp\"\nfiles = \"s.inp\"\n",
        "city.toml", d);
    EXPECT_EQ(t.files.drainage, "storm.inp");
    EXPECT_EQ(t.drainage_line, 7);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownKey, "city.toml", 8)) << d.format();

    BundleFiles files;
    files.drainage = "drainage.inp";
    CityInfo info;
    info.name = "x";
    info.crs = "EPSG:4547";
    info.extent = {1, 2, 3, 4};
    const std::string toml = format_city_toml(info, files, "");
    EXPECT_NE(toml.find("[drainage]\nfile = \"drainage.inp\""), std::string::npos) << toml;
    Diagnostics td;
    const CityToml back = parse_city_toml(toml, "city.toml", td);
    EXPECT_TRUE(td.empty()) << td.format();
    EXPECT_EQ(back.files.drainage, "drainage.inp");
}

} // namespace
} // namespace rencheng::model
