// Tests of the GasLib XML and city gas GeoJSON readers: errors with file, line and id; the
// GeoJSON writer reads back to the same network.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "gas/gaslib_reader.hpp"
#include "gas/geojson_io.hpp"
#include "gas/steady_state.hpp"

namespace {

using namespace rencheng::gas;
using rencheng::Error;
using rencheng::ErrorCode;

/// The diagnostics of the Error `fn` throws (fails the test when it does not throw).
template <typename Fn> rencheng::Diagnostics errors_of(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.diagnostics();
    }
    ADD_FAILURE() << "no error";
    return {};
}

bool has(const rencheng::Diagnostics& d, ErrorCode code, int line, const std::string& id) {
    for (const auto& x : d.items())
        if (x.code == code && x.line == line && x.element_id == id)
            return true;
    return false;
}

const char* kNet = R"(<?xml version="1.0"?>
<network xmlns="http://gaslib.zib.de/Gas" xmlns:framework="http://gaslib.zib.de/Framework">
  <framework:nodes>
    <source id="s" x="0" y="0">
      <pressureMin unit="bar" value="1"/>
      <pressureMax unit="bar" value="70"/>
      <gasTemperature unit="Celsius" value="10"/>
    </source>
    <sink id="t" x="1" y="0">
      <pressureMin unit="bar" value="1"/>
      <pressureMax unit="barg" value="60"/>
    </sink>
  </framework:nodes>
  <framework:connections>
    <pipe id="p" from="s" to="t">
      <length unit="km" value="10"/>
      <diameter unit="mm" value="500"/>
      <roughness unit="mm" value="0.1"/>
    </pipe>
  </framework:connections>
</network>
)";

TEST(GasLibReader, ReadsUnits) {
    const Network net = parse_gaslib_net(kNet, "x.net");
    ASSERT_EQ(net.node_count(), 2);
    EXPECT_DOUBLE_EQ(net.pressure_max_pa[1], 60e5 + kNormalPressurePa); // barg
    EXPECT_DOUBLE_EQ(net.gas.temperature_k, 283.15);
    EXPECT_DOUBLE_EQ(net.length_m[0], 1e4);
}

TEST(GasLibReader, ErrorsNameLineAndElement) {
    std::string text = kNet;
    text.replace(text.find("to=\"t\""), 6, "to=\"zz\"");
    text.replace(text.find("value=\"10\"/>\n      <diameter"), 10, "value=\"1x\"");
    const auto d = errors_of([&] { parse_gaslib_net(text, "x.net"); });
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, 15, "p")) << d.format();
    EXPECT_FALSE(d.items().front().file.empty());
    // Not well-formed XML: the line of the problem.
    const auto d2 =
        errors_of([] { parse_gaslib_net("<network>\n<a>\n</b>\n</network>", "y.net"); });
    ASSERT_FALSE(d2.items().empty());
    EXPECT_EQ(d2.items().front().code, ErrorCode::kXmlSyntax);
    EXPECT_EQ(d2.items().front().line, 3);
    // A bad number.
    std::string t3 = kNet;
    t3.replace(t3.find("value=\"500\""), 11, "value=\"5o0\"");
    const auto d3 = errors_of([&] { parse_gaslib_net(t3, "z.net"); });
    EXPECT_TRUE(has(d3, ErrorCode::kNumberSyntax, 17, "p")) << d3.format();
}

TEST(GasLibReader, ScenarioErrors) {
    Network net = parse_gaslib_net(kNet, "x.net");
    const auto d = errors_of([&] {
        apply_gaslib_scenario(net, R"(<boundaryValue><scenario id="a">
<node type="exit" id="nope"><flow bound="both" value="1" unit="1000m_cube_per_hour"/></node>
<node type="exit" id="t"><flow bound="lower" value="1" unit="1000m_cube_per_hour"/></node>
</scenario></boundaryValue>)",
                              "x.scn");
    });
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, 2, "nope"));
    EXPECT_TRUE(has(d, ErrorCode::kUnsupported, 3, "t"));
    EXPECT_EQ(net.demand_m3s[1], 0.0); // nothing half-applied
}

const char* kCity =
    R"({"type":"FeatureCollection","gas":{"relative_density":0.6,"temperature_k":288.15},
"features":[
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.30,30.60]},"properties":{"id":"G1","kind":"source","set_pressure_pa":500000,"capacity_m3s":5}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.31,30.60]},"properties":{"id":"R1in","kind":"junction"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.311,30.60]},"properties":{"id":"R1out","kind":"junction"}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[114.32,30.60]},"properties":{"id":"H","kind":"customer","demand_m3s":0.01,"customer_class":"critical","customer_count":1,"pressure_min_pa":102500}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.30,30.60],[114.31,30.60]]},"properties":{"id":"M1","kind":"pipe","from":"G1","to":"R1in","diameter_m":0.2,"pressure_class":"medium"}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.31,30.60],[114.311,30.60]]},"properties":{"id":"REG1","kind":"regulator","from":"R1in","to":"R1out","set_pressure_pa":104325}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.311,30.60],[114.32,30.60]]},"properties":{"id":"L1","kind":"pipe","from":"R1out","to":"H","diameter_m":0.15,"length_m":900,"pressure_class":"low"}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[114.31,30.60],[114.32,30.60]]},"properties":{"id":"V1","kind":"valve","from":"R1in","to":"H","valve_kind":"remote","closed":true}}
]})";

TEST(GasGeoJson, ReadsSolvesAndRoundTrips) {
    const Network net = parse_gas_geojson(kCity, "city.geojson");
    ASSERT_EQ(net.node_count(), 4);
    ASSERT_EQ(net.connection_count(), 4);
    const auto m1 = net.find_connection("M1").idx();
    EXPECT_NEAR(net.length_m[m1], 958.0, 5.0); // from the geometry (haversine)
    EXPECT_EQ(net.customer_class[3], CustomerClass::kCritical);
    EXPECT_EQ(net.open[net.find_connection("V1").idx()], 0);
    EXPECT_EQ(net.valve_kind[net.find_connection("V1").idx()], ValveKind::kRemote);
    const auto r = solve_steady_state(net);
    ASSERT_TRUE(r.all_solved()) << r.components[0].messages.front();
    EXPECT_DOUBLE_EQ(r.pressure_pa[2], 104325);
    // Round trip: the written text reads back to the same network and the same solution.
    const std::string text = format_gas_geojson(net);
    const Network back = parse_gas_geojson(text, "back.geojson");
    EXPECT_EQ(format_gas_geojson(back), text);
    const auto r2 = solve_steady_state(back);
    for (std::size_t i = 0; i < r.pressure_pa.size(); ++i)
        EXPECT_DOUBLE_EQ(r2.pressure_pa[i], r.pressure_pa[i]);
}

TEST(GasGeoJson, ErrorsNameLineAndId) {
    std::string text = kCity;
    text.replace(text.find("\"diameter_m\":0.2,"), 17, "");
    text.replace(text.find("\"to\":\"H\",\"diameter_m\":0.15"), 8, "\"to\":\"Q\"");
    const auto d = errors_of([&] { parse_gas_geojson(text, "city.geojson"); });
    EXPECT_TRUE(has(d, ErrorCode::kMissingKey, 7, "M1")) << d.format();
    EXPECT_TRUE(has(d, ErrorCode::kUnknownReference, 9, "L1")) << d.format();
    std::string t2 = kCity;
    t2.replace(t2.find("\"kind\":\"junction\""), 17, "\"kind\":\"plant\"");
    const auto d2 = errors_of([&] { parse_gas_geojson(t2, "city.geojson"); });
    EXPECT_TRUE(has(d2, ErrorCode::kUnknownValue, 4, "R1in")) << d2.format();
}

} // namespace
