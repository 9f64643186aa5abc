// Tests of city.toml parsing: required keys, extent ranges, unknown keys and sections, lines.
#include <gtest/gtest.h>

#include "model/city.hpp"

namespace rencheng::model {
namespace {

bool has(const Diagnostics& d, Severity sev, ErrorCode code, int line) {
    for (const auto& x : d.items())
        if (x.severity == sev && x.code == code && x.line == line)
            return true;
    return false;
}

constexpr const char* kGood = R"(# made by hand
[city]
name = "Demo City"
name_zh = "示范城"
crs = "EPSG:4547"
extent = [114.25, 30.55, 114.35, 30.65]

[terrain]
file = "terrain.asc"

[roads]
format = "geojson"
file = "roads.geojson"

[facilities]
file = "facilities.geojson"

[population]
file = "population.geojson"

[dependencies]
file = "dependencies.csv"
)";

TEST(CityToml, ReadsEverything) {
    Diagnostics d;
    const CityToml c = parse_city_toml(kGood, "city.toml", d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_EQ(c.info.name, "Demo City");
    EXPECT_EQ(c.info.name_zh, "示范城");
    EXPECT_EQ(c.info.crs, "EPSG:4547");
    EXPECT_DOUBLE_EQ(c.info.extent.min_lon, 114.25);
    EXPECT_DOUBLE_EQ(c.info.extent.max_lat, 30.65);
    EXPECT_EQ(c.files.terrain, "terrain.asc");
    EXPECT_EQ(c.files.roads, "roads.geojson");
    EXPECT_EQ(c.files.roads_format, "geojson");
    EXPECT_EQ(c.files.facilities, "facilities.geojson");
    EXPECT_EQ(c.files.population, "population.geojson");
    EXPECT_EQ(c.files.dependencies, "dependencies.csv");
    EXPECT_EQ(c.crs_line, 5);
    EXPECT_EQ(c.terrain_line, 9);
    EXPECT_EQ(c.roads_line, 13);
    EXPECT_EQ(c.dependencies_line, 22);
}

TEST(CityToml, OnlyCityIsRequiredAndIntegersAreNumbers) {
    Diagnostics d;
    const CityToml c = parse_city_toml(
        "[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = [114, 30, 115, 31]\n", "city.toml", d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_DOUBLE_EQ(c.info.extent.max_lon, 115.0);
    EXPECT_TRUE(c.files.roads.empty());
}

TEST(CityToml, SyntaxErrorHasItsLine) {
    Diagnostics d;
    parse_city_toml("[city]\nname = \"X\"\ncrs = \"EPSG:4326\n", "city.toml", d);
    ASSERT_EQ(d.items().size(), 1u);
    EXPECT_EQ(d.items()[0].code, ErrorCode::kTomlSyntax);
    EXPECT_EQ(d.items()[0].line, 3);
}

TEST(CityToml, MissingKeysAndSection) {
    Diagnostics d;
    parse_city_toml("[city]\nname = \"X\"\n", "city.toml", d);
    EXPECT_EQ(d.error_count(), 2u) << d.format(); // crs, extent
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kMissingKey, 1));

    Diagnostics d2;
    parse_city_toml("# nothing\n", "city.toml", d2);
    EXPECT_EQ(d2.error_count(), 1u);
    EXPECT_EQ(d2.items()[0].code, ErrorCode::kMissingKey);

    Diagnostics d3;
    parse_city_toml("[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = [1, 2, 3, 4]\n[roads]\n"
                    "format = \"geojson\"\n",
                    "city.toml", d3);
    EXPECT_TRUE(has(d3, Severity::kError, ErrorCode::kMissingKey, 5)) << d3.format();
}

TEST(CityToml, WrongTypes) {
    Diagnostics d;
    parse_city_toml("[city]\nname = 3\ncrs = \"\"\nextent = [1, 2, 3]\n[terrain]\nfile = true\n",
                    "city.toml", d);
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kWrongType, 2)) << d.format();
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kWrongType, 3));
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kWrongType, 4));
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kWrongType, 6));

    Diagnostics d2;
    parse_city_toml("city = 5\n", "city.toml", d2);
    EXPECT_TRUE(has(d2, Severity::kError, ErrorCode::kWrongType, 1)) << d2.format();
}

TEST(CityToml, ExtentRanges) {
    auto errors_for = [](const std::string& extent) {
        Diagnostics d;
        const CityToml c = parse_city_toml(
            "[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = " + extent + "\n", "city.toml", d);
        EXPECT_DOUBLE_EQ(c.info.extent.max_lon, d.has_errors() ? 0.0 : c.info.extent.max_lon);
        return d.error_count();
    };
    EXPECT_EQ(errors_for("[114.35, 30.55, 114.25, 30.65]"), 1u); // min_lon > max_lon
    EXPECT_EQ(errors_for("[114.25, 30.65, 114.35, 30.55]"), 1u); // min_lat > max_lat
    EXPECT_EQ(errors_for("[114.25, 30.55, 114.25, 30.65]"), 1u); // empty
    EXPECT_EQ(errors_for("[-181, 30, 114, 31]"), 1u);
    EXPECT_EQ(errors_for("[114, -91, 115, 31]"), 1u);
    EXPECT_EQ(errors_for("[114, 30, 115, \"31\"]"), 1u);
    EXPECT_EQ(errors_for("[114, 30, 115, nan]"), 1u);
    EXPECT_EQ(errors_for("[114, 30, 115, 31]"), 0u);
}

TEST(CityToml, UnknownKeysAreErrorsUnknownSectionsWarnings) {
    Diagnostics d;
    parse_city_toml("[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = [1, 2, 3, 4]\n"
                    "population = 5\n[telecom]\nfile = \"sites.geojson\"\n[roads]\nfile = \"r\"\n"
                    "speed = 3\n",
                    "city.toml", d);
    EXPECT_EQ(d.error_count(), 2u) << d.format();
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kUnknownKey, 5));
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kUnknownKey, 10));
    EXPECT_TRUE(has(d, Severity::kWarning, ErrorCode::kUnknownKey, 6));

    Diagnostics d2;
    parse_city_toml("stray = 1\n[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = [1, 2, 3, 4]\n",
                    "city.toml", d2);
    EXPECT_TRUE(has(d2, Severity::kError, ErrorCode::kUnknownKey, 1)) << d2.format();
}

TEST(CityToml, OnlyGeojsonRoads) {
    Diagnostics d;
    parse_city_toml("[city]\nname = \"X\"\ncrs = \"EPSG:4326\"\nextent = [1, 2, 3, 4]\n[roads]\n"
                    "format = \"tntp\"\nfile = \"net.tntp\"\n",
                    "city.toml", d);
    EXPECT_TRUE(has(d, Severity::kError, ErrorCode::kUnsupported, 6)) << d.format();
}

} // namespace
} // namespace rencheng::model
