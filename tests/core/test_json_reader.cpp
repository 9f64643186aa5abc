// Tests of the JSON reader: feature lines, syntax errors with positions, duplicates, nesting.
#include <gtest/gtest.h>

#include "core/json_reader.hpp"

namespace rencheng {
namespace {

TEST(Json, FeatureLines) {
    const std::string text = R"({
  "type": "FeatureCollection",
  "features": [
    {"type": "Feature", "id": 1},
    {
      "type": "Feature",
      "id": 2
    },

    {"type": "Feature", "properties": {"features": [1, 2]}}
  ]
})";
    Diagnostics diags;
    const JsonDocument doc = parse_json(text, "f.geojson", diags);
    EXPECT_TRUE(diags.empty()) << diags.format();
    ASSERT_EQ(doc.root["features"].size(), 3u);
    EXPECT_EQ(doc.root["features"][1]["id"], 2);
    EXPECT_EQ(doc.feature_lines, (std::vector<int>{4, 5, 10}));
}

TEST(Json, NoFeaturesNoLines) {
    Diagnostics diags;
    const JsonDocument doc =
        parse_json(R"({"a": {"features": [1, 2]}, "b": [true, null]})", "x.json", diags);
    EXPECT_TRUE(diags.empty());
    EXPECT_TRUE(doc.feature_lines.empty());
    EXPECT_EQ(doc.root["b"][0], true);
    EXPECT_TRUE(doc.root["b"][1].is_null());
}

TEST(Json, ScalarsKeepTheirTypes) {
    Diagnostics diags;
    const JsonDocument doc = parse_json(
        R"({"i": -3, "u": 18446744073709551615, "f": 2.5, "s": "\u00e9"})", "t.json", diags);
    EXPECT_TRUE(diags.empty());
    EXPECT_TRUE(doc.root["i"].is_number_integer());
    EXPECT_EQ(doc.root["u"].get<std::uint64_t>(), 18446744073709551615ULL);
    EXPECT_EQ(doc.root["f"], 2.5);
    EXPECT_EQ(doc.root["s"], "\xC3\xA9");
}

TEST(Json, SyntaxErrorHasLineAndColumn) {
    Diagnostics diags;
    const JsonDocument doc = parse_json("{\n  \"a\": 1,\n  \"b\": tru\n}", "bad.json", diags);
    ASSERT_EQ(diags.error_count(), 1u);
    const Diagnostic& d = diags.items()[0];
    EXPECT_EQ(d.code, ErrorCode::kJsonSyntax);
    EXPECT_EQ(d.file, "bad.json");
    EXPECT_EQ(d.line, 3);
    EXPECT_EQ(d.column, 11); // the newline that ends the bad literal "tru"
    EXPECT_EQ(d.message.find("[json.exception"), std::string::npos) << d.message;
    EXPECT_TRUE(doc.root.is_null());
    EXPECT_TRUE(doc.feature_lines.empty());
}

TEST(Json, MissingCommaPosition) {
    Diagnostics diags;
    parse_json("[1,\n 2\n 3]", "c.json", diags);
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_EQ(diags.items()[0].line, 3);
    EXPECT_EQ(diags.items()[0].column, 2);
}

TEST(Json, EmptyAndTruncatedInput) {
    Diagnostics a;
    parse_json("", "e.json", a);
    EXPECT_EQ(a.error_count(), 1u);
    EXPECT_EQ(a.items()[0].line, 1);
    Diagnostics b;
    parse_json("{\"features\": [{}, ", "t.json", b);
    EXPECT_EQ(b.error_count(), 1u);
    Diagnostics c;
    parse_json("{} {}", "two.json", c);
    EXPECT_EQ(c.error_count(), 1u);
}

TEST(Json, DuplicateKeysAreErrors) {
    Diagnostics diags;
    const JsonDocument doc =
        parse_json("{\"id\": 1,\n \"x\": {\"k\": 1, \"k\": 2},\n \"id\": 3}", "d.json", diags);
    ASSERT_EQ(diags.error_count(), 2u);
    EXPECT_EQ(diags.items()[0].line, 2);
    EXPECT_EQ(diags.items()[0].column, 16);
    EXPECT_EQ(diags.items()[0].element_id, "k");
    EXPECT_EQ(diags.items()[1].line, 3);
    EXPECT_EQ(diags.items()[1].column, 2);
    EXPECT_EQ(doc.root["id"], 3);
}

TEST(Json, RepeatedFeaturesKeyKeepsLinesConsistent) {
    Diagnostics a;
    const JsonDocument replaced =
        parse_json("{\"features\": [{}, {}],\n\"features\": 1}", "r.json", a);
    EXPECT_EQ(a.error_count(), 1u);
    EXPECT_TRUE(replaced.feature_lines.empty());
    Diagnostics b;
    const JsonDocument twice =
        parse_json("{\"features\": [{}, {}],\n\"features\": [\n{}]}", "t.json", b);
    EXPECT_EQ(twice.feature_lines, (std::vector<int>{3}));
}

TEST(Json, DeepNestingIsRefusedWithoutCrashing) {
    Diagnostics diags;
    const std::string deep(200000, '[');
    const JsonDocument doc = parse_json(deep, "deep.json", diags);
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_NE(diags.items()[0].message.find("nesting"), std::string::npos);
    EXPECT_TRUE(doc.root.is_null());

    Diagnostics ok;
    const std::string fine = std::string(500, '[') + std::string(500, ']');
    parse_json(fine, "ok.json", ok);
    EXPECT_TRUE(ok.empty()) << ok.format();
}

TEST(Json, InvalidUtf8IsASyntaxError) {
    Diagnostics diags;
    parse_json("{\"a\": \"\xff\"}", "u.json", diags);
    EXPECT_EQ(diags.error_count(), 1u);
}

} // namespace
} // namespace rencheng
