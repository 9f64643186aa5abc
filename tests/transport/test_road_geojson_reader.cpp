// Tests of the roads.geojson reader: a good network, and every problem reported with its line.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/road_network.hpp"

namespace rencheng::transport {
namespace {

/// A FeatureCollection with one feature per line: the first feature is on line 3.
std::string collection(const std::vector<std::string>& features) {
    std::string s = "{\"type\": \"FeatureCollection\",\n\"features\": [\n";
    for (std::size_t i = 0; i < features.size(); ++i) {
        s += features[i];
        s += i + 1 < features.size() ? ",\n" : "\n";
    }
    return s + "]}\n";
}

/// A LineString feature; `props` is inserted into the properties object.
std::string link(const std::string& coords, const std::string& props) {
    return R"({"type": "Feature", "geometry": {"type": "LineString", "coordinates": )" + coords +
           R"(}, "properties": {)" + props + "}}";
}

std::string good_props(const std::string& id, const std::string& from, const std::string& to,
                       const std::string& extra = "") {
    return R"("id": ")" + id + R"(", "from": ")" + from + R"(", "to": ")" + to +
           R"(", "class": "arterial", "speed_kmh": 50, "capacity_vehh": 1800)" + extra;
}

const std::string kAB = "[[114.30, 30.60], [114.31, 30.60]]";
const std::string kBC = "[[114.31, 30.60], [114.31, 30.61]]";

/// The codes and lines of the errors in `d`.
std::vector<std::pair<ErrorCode, int>> errors(const Diagnostics& d) {
    std::vector<std::pair<ErrorCode, int>> out;
    for (const auto& x : d.items())
        if (x.severity == Severity::kError)
            out.emplace_back(x.code, x.line);
    return out;
}

bool has_error(const Diagnostics& d, ErrorCode code, int line, const std::string& id = "") {
    for (const auto& x : d.items())
        if (x.severity == Severity::kError && x.code == code && x.line == line &&
            (id.empty() || x.element_id == id))
            return true;
    return false;
}

TEST(RoadGeojson, ReadsAGoodNetwork) {
    Diagnostics d;
    const auto net = parse_roads_geojson(
        collection(
            {link(kAB, good_props("L1", "a", "b", R"(, "lanes": 2, "name": "Jiefang Rd")")),
             link(kBC, good_props("L2", "b", "c",
                                  R"(, "oneway": true, "bridge": true, "length_m": 1200.5)"))}),
        "roads.geojson", d);
    EXPECT_TRUE(d.empty()) << d.format();
    ASSERT_EQ(net.link_count(), 2);
    ASSERT_EQ(net.node_count(), 3);
    EXPECT_EQ(net.node_id[0], "a");
    EXPECT_EQ(net.node_id[2], "c");
    EXPECT_EQ(net.link_from[1], net.find_node("b"));
    EXPECT_EQ(net.link_to[1], net.find_node("c"));
    EXPECT_EQ(net.link_class[0], RoadClass::kArterial);
    EXPECT_EQ(net.lanes[0], 2);
    EXPECT_EQ(net.lanes[1], 1); // default
    EXPECT_EQ(net.link_name[0], "Jiefang Rd");
    EXPECT_NEAR(net.free_speed_ms[0], 50.0 / 3.6, 1e-12);
    EXPECT_DOUBLE_EQ(net.capacity_vehh[0], 1800.0);
    // 0.01° of longitude at 30.6° N, by haversine
    EXPECT_NEAR(net.length_m[0], 957.4, 1.0);
    EXPECT_DOUBLE_EQ(net.length_m[1], 1200.5);
    EXPECT_EQ(net.oneway[0], 0);
    EXPECT_EQ(net.oneway[1], 1);
    EXPECT_EQ(net.bridge[1], 1);
    EXPECT_EQ(net.tunnel[1], 0);
    EXPECT_EQ(net.link_source_line[0], 3);
    EXPECT_EQ(net.link_source_line[1], 4);
    EXPECT_EQ(net.graph.arc_count(), 3); // two arcs for L1, one for the one-way L2
}

TEST(RoadGeojson, NotAFeatureCollection) {
    Diagnostics d;
    parse_roads_geojson(R"({"type": "Feature"})", "r.geojson", d);
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 1));
    Diagnostics d2;
    parse_roads_geojson("[1, 2]", "r.geojson", d2);
    EXPECT_TRUE(d2.has_errors());
    Diagnostics d3;
    parse_roads_geojson(R"({"type": "FeatureCollection", "features": 3})", "r.geojson", d3);
    EXPECT_TRUE(has_error(d3, ErrorCode::kMissingKey, 1));
}

TEST(RoadGeojson, SyntaxErrorIsReportedNotThrown) {
    Diagnostics d;
    const auto net = parse_roads_geojson("{\"type\": \"FeatureCollection\",\n \"features\": [\n{",
                                         "r.geojson", d);
    ASSERT_TRUE(d.has_errors());
    EXPECT_EQ(d.items()[0].code, ErrorCode::kJsonSyntax);
    EXPECT_EQ(net.link_count(), 0);
}

TEST(RoadGeojson, BadGeometries) {
    Diagnostics d;
    parse_roads_geojson(
        collection({
            R"({"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.3, 30.6]}, "properties": {"id": "P"}})",
            link("[[114.3, 30.6]]", good_props("ONE", "a", "b")),
            link("[[114.3, 30.6], [190.0, 30.6]]", good_props("FAR", "a", "b")),
            link(R"([[114.3, 30.6], ["x", 30.6]])", good_props("STR", "a", "b")),
            link("[[114.3, 95.0], [114.3, 30.6]]", good_props("LAT", "a", "b")),
            R"({"type": "Feature", "properties": {"id": "NOGEOM"}})",
            link("[[114.3, 30.6], [114.3, 30.6]]", good_props("ZERO", "a", "b")),
        }),
        "r.geojson", d);
    EXPECT_TRUE(has_error(d, ErrorCode::kBadGeometry, 3, "P"));
    EXPECT_TRUE(has_error(d, ErrorCode::kBadGeometry, 4, "ONE"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 5, "FAR"));
    EXPECT_TRUE(has_error(d, ErrorCode::kBadGeometry, 6, "STR"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 7, "LAT"));
    EXPECT_TRUE(has_error(d, ErrorCode::kBadGeometry, 8, "NOGEOM"));
    EXPECT_TRUE(has_error(d, ErrorCode::kBadGeometry, 9, "ZERO"));
}

TEST(RoadGeojson, BadProperties) {
    Diagnostics d;
    const auto net = parse_roads_geojson(
        collection({
            link(
                kAB,
                R"("from": "a", "to": "b", "class": "local", "speed_kmh": 30, "capacity_vehh": 600)"),
            link(kAB, good_props("CLS", "a", "b")
                          .replace(good_props("CLS", "a", "b").find("arterial"), 8, "highway")),
            link(kAB, good_props("LANES", "a", "b", R"(, "lanes": 0)")),
            link(
                kAB,
                R"("id": "SPD", "from": "a", "to": "b", "class": "local", "speed_kmh": 0, "capacity_vehh": 600)"),
            link(
                kAB,
                R"("id": "CAP", "from": "a", "to": "b", "class": "local", "speed_kmh": 30, "capacity_vehh": -5)"),
            link(
                kAB,
                R"("id": "TYPE", "from": "a", "to": "b", "class": "local", "speed_kmh": "fast", "capacity_vehh": 600)"),
            link(kAB, good_props("ONEWAY", "a", "b", R"(, "oneway": "yes")")),
            link(
                kAB,
                R"("id": 7, "from": "a", "to": "b", "class": "local", "speed_kmh": 30, "capacity_vehh": 600)"),
            link(kAB, good_props("LOOP", "a", "a")),
            link(kAB, good_props("NOFROM", "", "b")),
            link(kAB, good_props("LANES2", "a", "b", R"(, "lanes": 1.5)")),
        }),
        "r.geojson", d);
    EXPECT_TRUE(has_error(d, ErrorCode::kMissingKey, 3));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownValue, 4, "CLS"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 5, "LANES"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 6, "SPD"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 7, "CAP"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 8, "TYPE"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 9, "ONEWAY"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 10));
    EXPECT_TRUE(has_error(d, ErrorCode::kInconsistent, 11, "LOOP"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 12, "NOFROM"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 13, "LANES2"));
    EXPECT_EQ(net.link_count(), 0);
}

TEST(RoadGeojson, DuplicateLinkId) {
    Diagnostics d;
    const auto net = parse_roads_geojson(
        collection({link(kAB, good_props("L1", "a", "b")), link(kBC, good_props("L1", "b", "c"))}),
        "r.geojson", d);
    ASSERT_EQ(errors(d).size(), 1u) << d.format();
    EXPECT_TRUE(has_error(d, ErrorCode::kDuplicateId, 4, "L1"));
    EXPECT_NE(d.items()[0].message.find("line 3"), std::string::npos);
    EXPECT_EQ(net.link_count(), 1);
}

TEST(RoadGeojson, OneNodeAtTwoPlaces) {
    Diagnostics d;
    // b is at 114.31 in L1 but L2 starts at 114.32 (about 960 m away); L3 moves it by 0.5 m only.
    const auto net = parse_roads_geojson(
        collection({link(kAB, good_props("L1", "a", "b")),
                    link("[[114.32, 30.60], [114.32, 30.61]]", good_props("L2", "b", "c")),
                    link("[[114.310005, 30.60], [114.31, 30.59]]", good_props("L3", "b", "d"))}),
        "r.geojson", d);
    ASSERT_EQ(errors(d).size(), 1u) << d.format();
    EXPECT_TRUE(has_error(d, ErrorCode::kInconsistent, 4, "L2"));
    EXPECT_EQ(net.link_count(), 2);
}

TEST(RoadGeojson, EveryProblemOfOneFeatureIsReported) {
    Diagnostics d;
    parse_roads_geojson(
        collection({link(
            "[[114.3, 30.6]]",
            R"("id": "X", "from": "a", "to": "b", "class": "lane", "speed_kmh": -1, "capacity_vehh": 0)")}),
        "r.geojson", d);
    EXPECT_EQ(errors(d).size(), 4u) << d.format();
    for (const auto& x : d.items()) {
        EXPECT_EQ(x.file, "r.geojson");
        EXPECT_EQ(x.line, 3);
        EXPECT_EQ(x.element_id, "X");
    }
}

TEST(RoadGeojson, EmptyCollectionIsAnEmptyNetwork) {
    Diagnostics d;
    const auto net =
        parse_roads_geojson(R"({"type": "FeatureCollection", "features": []})", "r", d);
    EXPECT_TRUE(d.empty());
    EXPECT_EQ(net.link_count(), 0);
    EXPECT_EQ(net.graph.arc_count(), 0);
}

TEST(RoadGeojson, MissingFileIsADiagnostic) {
    Diagnostics d;
    const auto net = read_roads_geojson("/nonexistent/roads.geojson", d);
    ASSERT_TRUE(d.has_errors());
    EXPECT_EQ(d.items()[0].code, ErrorCode::kFileNotFound);
    EXPECT_EQ(net.link_count(), 0);
}

} // namespace
} // namespace rencheng::transport
