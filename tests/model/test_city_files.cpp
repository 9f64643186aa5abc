// Tests of the readers of facilities.geojson, population.geojson and dependencies.csv.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/city.hpp"

namespace rencheng::model {
namespace {

bool has(const Diagnostics& d, ErrorCode code, int line, const std::string& id = "") {
    for (const auto& x : d.items())
        if (x.severity == Severity::kError && x.code == code && x.line == line &&
            (id.empty() || x.element_id == id))
            return true;
    return false;
}

/// One feature per line; the first on line 2.
std::string collection(const std::vector<std::string>& features) {
    std::string s = "{\"type\": \"FeatureCollection\", \"features\": [\n";
    for (std::size_t i = 0; i < features.size(); ++i)
        s += features[i] + (i + 1 < features.size() ? ",\n" : "\n");
    return s + "]}\n";
}

std::string point(double lon, double lat, const std::string& props) {
    return R"({"type": "Feature", "geometry": {"type": "Point", "coordinates": [)" +
           std::to_string(lon) + ", " + std::to_string(lat) + R"(]}, "properties": {)" + props +
           "}}";
}

TEST(Facilities, ReadsGoodOnes) {
    Diagnostics d;
    const auto f = parse_facilities_geojson(
        collection(
            {point(
                 114.3, 30.6,
                 R"("id": "H1", "kind": "hospital", "name": "A", "name_zh": "甲", "capacity": 300)"),
             point(114.31, 30.61, R"("id": "D1", "kind": "depot", "capacity": 4)")}),
        "f.geojson", d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_EQ(f.size(), 2u);
    EXPECT_EQ(f[0].id, "H1");
    EXPECT_EQ(f[0].kind, FacilityKind::kHospital);
    EXPECT_EQ(f[0].name_zh, "甲");
    EXPECT_DOUBLE_EQ(f[0].capacity, 300.0);
    EXPECT_DOUBLE_EQ(f[1].position.lat, 30.61);
    EXPECT_EQ(f[1].source_line, 3);
}

TEST(Facilities, Problems) {
    Diagnostics d;
    const auto f = parse_facilities_geojson(
        collection({
            point(114.3, 30.6, R"("id": "H1", "kind": "hospital", "capacity": 3)"),
            point(114.3, 30.6, R"("id": "H1", "kind": "hospital", "capacity": 3)"),
            point(114.3, 30.6, R"("id": "K", "kind": "castle", "capacity": 3)"),
            point(114.3, 30.6, R"("id": "C", "kind": "school", "capacity": -1)"),
            point(114.3, 30.6, R"("id": "M", "kind": "school")"),
            R"({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[1,2],[3,4]]}, "properties": {"id": "G", "kind": "school", "capacity": 1}})",
            point(200, 30.6, R"("id": "R", "kind": "school", "capacity": 1)"),
            point(114.3, 30.6, R"("kind": "school", "capacity": 1)"),
        }),
        "f.geojson", d);
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, 3, "H1")) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownValue, 4, "K"));
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, 5, "C"));
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 6, "M"));
    EXPECT_TRUE(has(d, ErrorCode::kBadGeometry, 7, "G"));
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, 8, "R"));
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 9));
    EXPECT_EQ(d.error_count(), 7u);
    ASSERT_EQ(f.size(), 1u);
}

std::string polygon(const std::string& ring, const std::string& props) {
    return R"({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [)" + ring +
           R"(]}, "properties": {)" + props + "}}";
}

const std::string kSquare = "[[114.0, 30.0], [114.2, 30.0], [114.2, 30.2], [114.0, 30.2], "
                            "[114.0, 30.0]]";

TEST(Population, PolygonsAndPoints) {
    Diagnostics d;
    const auto z = parse_population_geojson(
        collection({polygon(kSquare, R"("id": "Z1", "district": "A", "population": 1500)"),
                    point(114.5, 30.5, R"("id": "Z2", "district": "B", "population": 20)")}),
        "p.geojson", d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_EQ(z.size(), 2u);
    EXPECT_EQ(z[0].ring.size(), 5u);
    EXPECT_NEAR(z[0].centroid.lon, 114.1, 1e-9);
    EXPECT_NEAR(z[0].centroid.lat, 30.1, 1e-9);
    EXPECT_EQ(z[0].population, 1500);
    EXPECT_TRUE(z[1].ring.empty());
    EXPECT_DOUBLE_EQ(z[1].centroid.lon, 114.5);
    EXPECT_EQ(z[1].district, "B");
}

TEST(Population, Problems) {
    Diagnostics d;
    parse_population_geojson(
        collection({
            polygon(kSquare, R"("id": "NEG", "district": "A", "population": -5)"),
            polygon(kSquare, R"("id": "FRAC", "district": "A", "population": 2.5)"),
            polygon("[[114.0, 30.0], [114.2, 30.0], [114.2, 30.2], [114.0, 30.2]]",
                    R"("id": "OPEN", "district": "A", "population": 1)"),
            polygon("[[114.0, 30.0], [114.2, 30.0], [114.0, 30.0]]",
                    R"("id": "SHORT", "district": "A", "population": 1)"),
            polygon(kSquare, R"("id": "NOD", "population": 1)"),
            polygon(kSquare, R"("id": "NEG", "district": "A", "population": "many")"),
        }),
        "p.geojson", d);
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, 2, "NEG")) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kWrongType, 3, "FRAC"));
    EXPECT_TRUE(has(d, ErrorCode::kBadGeometry, 4, "OPEN"));
    EXPECT_TRUE(has(d, ErrorCode::kBadGeometry, 5, "SHORT"));
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 6, "NOD"));
    EXPECT_TRUE(has(d, ErrorCode::kWrongType, 7, "NEG"));
}

TEST(Population, DuplicateIdAndIntegralFloat) {
    Diagnostics d;
    const auto z = parse_population_geojson(
        collection({polygon(kSquare, R"("id": "Z", "district": "A", "population": 100.0)"),
                    polygon(kSquare, R"("id": "Z", "district": "A", "population": 1)")}),
        "p.geojson", d);
    EXPECT_TRUE(has(d, ErrorCode::kDuplicateId, 3, "Z")) << d.format();
    ASSERT_EQ(z.size(), 1u);
    EXPECT_EQ(z[0].population, 100);
}

TEST(Dependencies, ReadsRows) {
    Diagnostics d;
    const auto deps = parse_dependencies_csv("consumer,service,provider,backup_hours,threshold\n"
                                             "facility:H1,power,facility:S1,72,\n"
                                             "# a comment\n"
                                             "zone:Z1,water,road_node:N1,,10.5\n",
                                             "d.csv", d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_EQ(deps.size(), 2u);
    EXPECT_EQ(deps[0].consumer, "facility:H1");
    EXPECT_EQ(deps[0].service, Service::kPower);
    EXPECT_DOUBLE_EQ(deps[0].backup_hours, 72.0);
    EXPECT_FALSE(deps[0].threshold.has_value());
    EXPECT_DOUBLE_EQ(deps[1].backup_hours, 0.0);
    EXPECT_DOUBLE_EQ(*deps[1].threshold, 10.5);
    EXPECT_EQ(deps[1].source_line, 4);
}

TEST(Dependencies, RowProblems) {
    Diagnostics d;
    const auto deps = parse_dependencies_csv("consumer,service,provider,backup_hours,threshold\n"
                                             "facility:H1,steam,facility:S1,,\n"
                                             "facility:H1,power,facility:S1,-1,\n"
                                             "facility:H1,power,facility:S1,x,\n"
                                             "facility:H1,power,facility:S1,,high\n"
                                             "H1,power,facility:S1,,\n"
                                             "facility:H1,power,water:J1,,\n"
                                             ",power,facility:S1,,\n",
                                             "d.csv", d);
    EXPECT_TRUE(has(d, ErrorCode::kUnknownValue, 2)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kOutOfRange, 3));
    EXPECT_TRUE(has(d, ErrorCode::kNumberSyntax, 4));
    EXPECT_TRUE(has(d, ErrorCode::kNumberSyntax, 5));
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, 6));
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, 7));
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 8));
    EXPECT_TRUE(deps.empty());
}

TEST(Dependencies, HeaderProblems) {
    Diagnostics d;
    parse_dependencies_csv("# deps\nconsumer,service,provider,backup\nfacility:H1,power,zone:Z,1\n",
                           "d.csv", d);
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 2)) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownKey, 2));

    Diagnostics d2;
    parse_dependencies_csv("", "d.csv", d2);
    EXPECT_TRUE(d2.has_errors());

    Diagnostics d3; // quoted field never closed: the CSV reader reports it
    parse_dependencies_csv("consumer,service,provider,backup_hours,threshold\n"
                           "\"facility:H1,power,zone:Z,1,\n",
                           "d.csv", d3);
    EXPECT_TRUE(has(d3, ErrorCode::kCsvSyntax, 2)) << d3.format();
}

} // namespace
} // namespace rencheng::model
