// Tests of the shared GeoJSON helpers: feature iteration, positions, typed properties, writing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/geojson.hpp"

namespace rencheng {
namespace {

using nlohmann::json;

/// The messages of `diags`, in order.
std::vector<std::string> messages(const Diagnostics& diags) {
    std::vector<std::string> out;
    for (const auto& d : diags.items())
        out.push_back(d.message);
    return out;
}

TEST(GeoJson, FeaturesComeWithTheirLines) {
    const std::string text = "{\"type\": \"FeatureCollection\", \"features\": [\n"
                             "  {\"type\": \"Feature\", \"properties\": {\"id\": \"a\"}},\n"
                             "  {\"type\": \"Feature\", \"properties\": {\"id\": \"b\"}}\n"
                             "]}\n";
    Diagnostics diags;
    std::vector<std::string> ids;
    std::vector<int> lines;
    for_each_geojson_feature(text, "f.geojson", diags,
                             [&](const json& f, GeoJsonFeatureContext& ctx) {
                                 const json* props = feature_properties(f, ctx);
                                 ASSERT_NE(props, nullptr);
                                 ASSERT_TRUE(feature_id(*props, ctx));
                                 ids.push_back(ctx.id);
                                 lines.push_back(ctx.line);
                             });
    EXPECT_TRUE(diags.empty()) << diags.format();
    EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(lines, (std::vector<int>{2, 3}));
}

TEST(GeoJson, NotAFeatureCollection) {
    Diagnostics diags;
    int calls = 0;
    for_each_geojson_feature(R"({"type": "Feature"})", "f.geojson", diags,
                             [&](const json&, GeoJsonFeatureContext&) { ++calls; });
    for_each_geojson_feature(R"({"type": "FeatureCollection"})", "g.geojson", diags,
                             [&](const json&, GeoJsonFeatureContext&) { ++calls; });
    EXPECT_EQ(calls, 0);
    ASSERT_EQ(diags.items().size(), 2u);
    EXPECT_EQ(diags.items()[0].code, ErrorCode::kWrongType);
    EXPECT_EQ(diags.items()[0].message, "top level must be a GeoJSON FeatureCollection");
    EXPECT_EQ(diags.items()[1].code, ErrorCode::kMissingKey);
    EXPECT_EQ(diags.items()[1].file, "g.geojson");
    EXPECT_EQ(diags.items()[1].line, 1);
}

TEST(GeoJson, PositionsNameWhatTheCallerSays) {
    Diagnostics diags;
    const std::string file = "f.geojson";
    GeoJsonFeatureContext ctx{diags, file, 7, "z1"};
    const auto p = read_position(json::parse("[121.5, 31.25, 4.0]"), ctx, "the point");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, (LonLat{121.5, 31.25}));
    EXPECT_FALSE(ctx.failed);

    EXPECT_FALSE(read_position(json::parse("[1]"), ctx, "point 3"));
    EXPECT_FALSE(read_position(json::parse("[1, \"x\"]"), ctx, "ring point 2"));
    EXPECT_FALSE(read_position(json::parse("[181, 0]"), ctx, "the point"));
    EXPECT_TRUE(ctx.failed);
    EXPECT_EQ(messages(diags),
              (std::vector<std::string>{"point 3 is not a [lon, lat] position",
                                        "ring point 2 has a non-numeric coordinate",
                                        "the point lies outside lon [-180, 180] / lat [-90, 90]"}));
    EXPECT_EQ(diags.items()[2].code, ErrorCode::kOutOfRange);
    EXPECT_EQ(diags.items()[2].line, 7);
    EXPECT_EQ(diags.items()[2].element_id, "z1");
}

TEST(GeoJson, TypedProperties) {
    const json props = json::parse(R"({"name": "", "kind": 3, "capacity": -1, "speed": 0,
        "lanes": 2.0, "population": 2.5, "big": 11, "flag": "yes", "none": null})");
    Diagnostics diags;
    const std::string file = "f.geojson";
    GeoJsonFeatureContext ctx{diags, file, 4, "x"};

    EXPECT_EQ(string_property(props, "name", false, ctx), std::string());
    EXPECT_FALSE(string_property(props, "none", false, ctx));
    EXPECT_FALSE(ctx.failed); // optional and empty or null: fine
    EXPECT_FALSE(string_property(props, "name", true, ctx));
    EXPECT_FALSE(string_property(props, "kind", false, ctx));
    EXPECT_FALSE(string_property(props, "missing", true, ctx));
    EXPECT_FALSE(number_property(props, "capacity", true, NumberBound{0.0, false}, ctx));
    EXPECT_FALSE(number_property(props, "speed", true, NumberBound{0.0, true}, ctx));
    EXPECT_EQ(number_property(props, "speed", true, NumberBound{0.0, false}, ctx), 0.0);
    EXPECT_FALSE(number_property(props, "length", false, NumberBound{0.0, true}, ctx));
    EXPECT_EQ(integer_property(props, "lanes", false, IntegerRange{1, 64, "[1, 64]"}, ctx), 2);
    EXPECT_FALSE(integer_property(props, "population", true, IntegerRange{0, 10, "[0, 10]"}, ctx));
    EXPECT_FALSE(integer_property(props, "big", true, IntegerRange{0, 10, "[0, 10]"}, ctx));
    EXPECT_FALSE(bool_property(props, "flag", ctx));
    EXPECT_FALSE(bool_property(props, "none", ctx));
    EXPECT_EQ(messages(diags), (std::vector<std::string>{
                                   "property 'name' must be a non-empty string, not an empty one",
                                   "property 'kind' must be a string, not an integer",
                                   "missing property 'missing'",
                                   "property 'capacity' must be >= 0, got -1",
                                   "property 'speed' must be > 0, got 0",
                                   "property 'population' must be an integer, got 2.5",
                                   "property 'big' must be in [0, 10], got 11",
                                   "property 'flag' must be true or false, not a string",
                               }));
}

TEST(GeoJson, DuplicateIdsNameTheFirstLine) {
    Diagnostics diags;
    const std::string file = "f.geojson";
    std::unordered_map<std::string, int> seen;
    GeoJsonFeatureContext a{diags, file, 3, "n1"};
    GeoJsonFeatureContext b{diags, file, 9, "n1"};
    EXPECT_TRUE(claim_feature_id(seen, "link", a));
    EXPECT_FALSE(claim_feature_id(seen, "link", b));
    EXPECT_TRUE(b.failed);
    ASSERT_EQ(diags.items().size(), 1u);
    EXPECT_EQ(diags.items()[0].code, ErrorCode::kDuplicateId);
    EXPECT_EQ(diags.items()[0].message, "link id 'n1' already used on line 3");
}

TEST(GeoJson, WritesReproducibleText) {
    std::string out;
    append_json_string(out, "a\"b\\c\n\x01 路");
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\u000a\\u0001 路\"");

    EXPECT_EQ(format_fixed(60.0, 3), "60");
    EXPECT_EQ(format_fixed(212.346, 2), "212.35");
    EXPECT_EQ(format_fixed(-0.0001, 2), "0");
    EXPECT_EQ(format_fixed(-9999.0, 2), "-9999");
    EXPECT_EQ(format_fixed(1.5, 0), "2");

    out.clear();
    append_fixed(out, 0.25, 6);
    out += ',';
    append_position(out, LonLat{121.47, -31.23});
    EXPECT_EQ(out, "0.25,[121.4700000,-31.2300000]");
}

} // namespace
} // namespace rencheng
