// Clipping an OpenStreetMap import to a polygon or a lon/lat box: clip region files, the cut at
// the boundary on a hand-written file, and the curated Monaco clip.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/csr.hpp"
#include "core/geo.hpp"
#include "transport/clip_region.hpp"
#include "transport/osm_reader.hpp"

namespace rt = rencheng::transport;
using rencheng::BoundingBox;
using rencheng::Diagnostics;
using rencheng::ErrorCode;
using rencheng::LonLat;

namespace {

/// Nodes and links of the Monaco clip inside kPentagon (measured, see the test).
constexpr std::int32_t kPentagonNodes = 137;
constexpr std::int32_t kPentagonLinks = 159;

const std::filesystem::path kMonaco =
    std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests/validation/transport/osm/monaco-centre.osm";

/// A pentagon over Monte-Carlo, Port Hercule and La Condamine, inside the clip's box.
const char* const kPentagon = R"({
  "type": "FeatureCollection",
  "features": [
    {"type": "Feature", "properties": {"name": "centre"},
     "geometry": {"type": "Polygon", "coordinates": [[[7.420, 43.732], [7.430, 43.733],
       [7.431, 43.740], [7.424, 43.741], [7.419, 43.737], [7.420, 43.732]]]}}
  ]
}
)";

/// Nodes 101..109 on latitude 43.73 at lon 7.401..7.409, and 201 (lat 43.731) and 202
/// (lat 43.732) north of 103; way 1 along 101..109, way 2 103-201-202, way 3 108-202.
std::string small_file() {
    std::string s = "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n";
    for (int k = 1; k <= 9; ++k)
        s += "  <node id=\"" + std::to_string(100 + k) + "\" lat=\"43.73\" lon=\"" +
             std::to_string(7.40 + 0.001 * k) + "\"/>\n";
    s += "  <node id=\"201\" lat=\"43.731\" lon=\"7.403\"/>\n";
    s += "  <node id=\"202\" lat=\"43.732\" lon=\"7.403\"/>\n";
    s += "  <way id=\"1\">\n";
    for (int k = 1; k <= 9; ++k)
        s += "    <nd ref=\"" + std::to_string(100 + k) + "\"/>\n";
    s += "    <tag k=\"highway\" v=\"residential\"/>\n  </way>\n";
    s += "  <way id=\"2\">\n    <nd ref=\"103\"/>\n    <nd ref=\"201\"/>\n    <nd ref=\"202\"/>\n"
         "    <tag k=\"highway\" v=\"residential\"/>\n  </way>\n";
    s += "  <way id=\"3\">\n    <nd ref=\"108\"/>\n    <nd ref=\"202\"/>\n"
         "    <tag k=\"highway\" v=\"residential\"/>\n  </way>\n";
    return s + "</osm>\n";
}

bool one_strong_component(const rt::RoadNetwork& net) {
    std::int32_t count = 0;
    rencheng::strongly_connected_components(net.graph, count);
    return count == 1;
}

std::optional<rt::ClipRegion> clip_from(const std::string& text, Diagnostics& diags) {
    return rt::parse_clip_geojson(text, "clip.geojson", diags);
}

} // namespace

TEST(ClipRegion, PolygonsHolesAndBoxes) {
    // Two squares, the first with a square hole.
    Diagnostics diags;
    const auto region = clip_from(R"({"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]],
        [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]]})",
                                  diags);
    ASSERT_TRUE(region) << diags.format();
    EXPECT_EQ(region->polygon_list().size(), 2u);
    EXPECT_TRUE(region->contains({0.5, 0.5}));
    EXPECT_FALSE(region->contains({2.0, 2.0})); // in the hole
    EXPECT_TRUE(region->contains({3.5, 2.0}));
    EXPECT_TRUE(region->contains({10.5, 10.5}));
    EXPECT_FALSE(region->contains({5.0, 5.0}));
    EXPECT_FALSE(region->contains({-0.5, 2.0}));
    EXPECT_DOUBLE_EQ(region->bounds().max_lon, 11.0);

    const auto box = rt::ClipRegion::box({7.0, 43.0, 8.0, 44.0});
    EXPECT_TRUE(box.contains({7.0, 43.0})); // edges included
    EXPECT_TRUE(box.contains({7.5, 43.5}));
    EXPECT_FALSE(box.contains({8.0001, 43.5}));

    std::string why;
    const auto b = rt::parse_lonlat_box("7.418, 43.73,7.432,43.742", why);
    ASSERT_TRUE(b) << why;
    EXPECT_DOUBLE_EQ(b->min_lon, 7.418);
    EXPECT_DOUBLE_EQ(b->max_lat, 43.742);
    EXPECT_FALSE(rt::parse_lonlat_box("7.418,43.73,7.432", why));
    EXPECT_NE(why.find("4 numbers"), std::string::npos);
    EXPECT_FALSE(rt::parse_lonlat_box("7.432,43.73,7.418,43.742", why)); // min > max
    EXPECT_FALSE(rt::parse_lonlat_box("7.4,43.7,7.5,x", why));
    EXPECT_NE(why.find("'x'"), std::string::npos);
    EXPECT_FALSE(rt::parse_lonlat_box("7.4,43.7,190,43.8", why));
}

TEST(ClipRegion, BadFilesNameFileAndLine) {
    struct Case {
        const char* text;
        ErrorCode code;
        int line;
        const char* says;
    };
    const std::vector<Case> cases = {
        // JSON syntax error on line 2.
        {"{\"type\": \"Polygon\",\n \"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]\n", ErrorCode{}, 0,
         ""},
        // Ring not closed, in the second feature (line 3).
        {"{\"type\": \"FeatureCollection\", \"features\": [\n"
         "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Polygon\", "
         "\"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}},\n"
         "{\"type\": \"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"Polygon\", "
         "\"coordinates\": [[[0,0],[1,0],[1,1],[0,1]]]}}\n]}\n",
         ErrorCode::kBadGeometry, 3, "not closed"},
        // A LineString is no region.
        {"{\"type\": \"LineString\", \"coordinates\": [[0,0],[1,1]]}", ErrorCode::kWrongType, 1,
         "Polygon"},
        // Latitude off the globe.
        {"{\"type\": \"Feature\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
         "[[[0,0],[1,0],[1,95],[0,0]]]}}",
         ErrorCode::kOutOfRange, 1, ""},
        // Too few positions, and a ring with no area.
        {"{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[0,0]]]}", ErrorCode::kBadGeometry,
         1, "at least 4"},
        {"{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,1],[2,2],[0,0]]]}",
         ErrorCode::kBadGeometry, 1, "no area"},
        // No polygon at all.
        {"{\"type\": \"FeatureCollection\", \"features\": []}", ErrorCode::kBadGeometry, 1,
         "no polygon"},
    };
    for (const Case& c : cases) {
        Diagnostics diags;
        EXPECT_FALSE(clip_from(c.text, diags)) << c.text;
        ASSERT_TRUE(diags.has_errors()) << c.text;
        const auto& e = diags.items().front();
        EXPECT_EQ(e.file, "clip.geojson");
        if (c.line == 0) {
            EXPECT_GE(e.line, 2) << c.text; // the parser's position
            continue;
        }
        EXPECT_EQ(e.code, c.code) << e.message;
        EXPECT_EQ(e.line, c.line) << e.message;
        EXPECT_NE(e.message.find(c.says), std::string::npos) << e.message;
    }
    Diagnostics missing;
    EXPECT_FALSE(rt::read_clip_geojson("/nonexistent/clip.geojson", missing));
    ASSERT_TRUE(missing.has_errors());
    EXPECT_EQ(missing.items().front().code, ErrorCode::kFileNotFound);
}

TEST(OsmClip, WayKeepsItsInsidePartAndEndsAtTheLastInsideNode) {
    // Box around 103..106 and 201: way 1 keeps 103-106 (one link, ending at 106, the last node
    // inside), the stretch 106-107 across the boundary is dropped; way 2 keeps 103-201 and loses
    // 201-202.
    const auto box = rt::ClipRegion::box({7.4025, 43.7295, 7.4065, 43.7315});
    Diagnostics diags;
    rt::OsmImportReport report;
    const rt::RoadNetwork net = rt::parse_osm_xml(small_file(), "small.osm", diags, &report, &box);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(diags.warning_count(), 0u); // clipping is not a missing node
    EXPECT_EQ(report.ways_unlocated, 0);
    EXPECT_EQ(report.ways_clipped, 2);
    EXPECT_EQ(report.ways_outside, 1);  // way 3, 108-202
    EXPECT_EQ(report.nodes_outside, 6); // 101, 102, 107, 108, 109, 202
    EXPECT_EQ(net.node_count(), 3);     // 103, 106, 201
    for (const char* id : {"103", "106", "201"})
        EXPECT_GE(net.find_node(id), 0) << id;
    ASSERT_EQ(net.link_count(), 2);
    const auto it = std::find(net.link_id.begin(), net.link_id.end(), "w1-1");
    ASSERT_NE(it, net.link_id.end());
    const auto k = static_cast<std::size_t>(it - net.link_id.begin());
    EXPECT_EQ(net.node_id[static_cast<std::size_t>(net.link_from[k])], "103");
    EXPECT_EQ(net.node_id[static_cast<std::size_t>(net.link_to[k])], "106");
    EXPECT_EQ(net.link_geometry[k].size(), 4u);
    EXPECT_NEAR(net.length_m[k], rencheng::haversine_m({7.403, 43.73}, {7.406, 43.73}), 0.01);

    // Nothing drivable inside: an error that says so.
    const auto empty = rt::ClipRegion::box({8.0, 44.0, 8.1, 44.1});
    Diagnostics none;
    rt::parse_osm_xml(small_file(), "small.osm", none, nullptr, &empty);
    ASSERT_TRUE(none.has_errors());
    EXPECT_NE(none.items().back().message.find("clip region"), std::string::npos);
}

TEST(OsmClip, MonacoPentagon) {
    Diagnostics clip_diags;
    const auto region = clip_from(kPentagon, clip_diags);
    ASSERT_TRUE(region) << clip_diags.format();
    Diagnostics diags;
    rt::OsmImportReport report;
    const rt::RoadNetwork net = rt::read_osm(kMonaco, diags, &report, &*region);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    Diagnostics full_diags;
    const rt::RoadNetwork full = rt::read_osm(kMonaco, full_diags);
    ASSERT_FALSE(full_diags.has_errors());

    // Every node and every geometry point inside the polygon; one strongly connected part.
    for (std::int32_t v = 0; v < net.node_count(); ++v)
        EXPECT_TRUE(region->contains(net.node_position[v])) << net.node_id[v];
    for (const auto& line : net.link_geometry)
        for (const LonLat& p : line)
            EXPECT_TRUE(region->contains(p));
    EXPECT_TRUE(one_strong_component(net));
    EXPECT_GT(report.ways_clipped, 0);
    EXPECT_GT(report.nodes_outside, 0);
    // Measured on the curated clip (a regression value: a change to the import shows here).
    EXPECT_EQ(net.node_count(), kPentagonNodes);
    EXPECT_EQ(net.link_count(), kPentagonLinks);
    EXPECT_LT(net.node_count(), full.node_count());
    EXPECT_LT(net.total_length_m(), full.total_length_m());
    // The clipped network keeps most graph nodes of the unclipped one that lie inside (it loses
    // some to the strongly connected reduction, gains the new way ends at the boundary).
    int inside_full = 0;
    for (std::int32_t v = 0; v < full.node_count(); ++v)
        inside_full += region->contains(full.node_position[v]) ? 1 : 0;
    EXPECT_GT(net.node_count(), inside_full / 2);
    EXPECT_LT(net.node_count(), 2 * inside_full);

    // A box clip equals the same rectangle given as a GeoJSON polygon.
    const BoundingBox b{7.420, 43.732, 7.428, 43.739};
    const auto box = rt::ClipRegion::box(b);
    Diagnostics rect_diags;
    const auto rect = clip_from(R"({"type": "Polygon", "coordinates": [[[7.420, 43.732],
        [7.428, 43.732], [7.428, 43.739], [7.420, 43.739], [7.420, 43.732]]]})",
                                rect_diags);
    ASSERT_TRUE(rect);
    Diagnostics d1, d2;
    const rt::RoadNetwork by_box = rt::read_osm(kMonaco, d1, nullptr, &box);
    const rt::RoadNetwork by_rect = rt::read_osm(kMonaco, d2, nullptr, &*rect);
    ASSERT_FALSE(d1.has_errors());
    ASSERT_FALSE(d2.has_errors());
    EXPECT_GT(by_box.node_count(), 50);
    EXPECT_EQ(rt::format_roads_geojson(by_box), rt::format_roads_geojson(by_rect));
}
