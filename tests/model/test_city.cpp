// Tests of the city: names of facility kinds and services, population, the asset registry.
#include <gtest/gtest.h>

#include "model/city.hpp"

namespace rencheng::model {
namespace {

TEST(FacilityKind, NamesRoundTrip) {
    for (int k = 0; k < kFacilityKindCount; ++k) {
        const auto kind = static_cast<FacilityKind>(k);
        const auto parsed = parse_facility_kind(facility_kind_name(kind));
        ASSERT_TRUE(parsed.has_value()) << facility_kind_name(kind);
        EXPECT_EQ(*parsed, kind);
    }
    EXPECT_EQ(facility_kind_name(FacilityKind::kCommandCentre), "command_centre");
    EXPECT_FALSE(parse_facility_kind("command_center").has_value());
    EXPECT_FALSE(parse_facility_kind("").has_value());
}

TEST(Service, NamesRoundTrip) {
    for (int s = 0; s < kServiceCount; ++s) {
        const auto service = static_cast<Service>(s);
        const auto parsed = parse_service(service_name(service));
        ASSERT_TRUE(parsed.has_value());
        EXPECT_EQ(*parsed, service);
    }
    EXPECT_EQ(service_name(Service::kRoadAccess), "road_access");
    EXPECT_FALSE(parse_service("electricity").has_value());
}

City small_city() {
    City c;
    c.facilities.push_back({"H1", FacilityKind::kHospital, "", "", {114.3, 30.6}, 100, 0});
    c.facilities.push_back({"S1", FacilityKind::kShelter, "", "", {114.3, 30.6}, 500, 0});
    PopulationZone z;
    z.id = "Z1";
    z.population = 1200;
    c.zones.push_back(z);
    z.id = "Z2";
    z.population = 3400;
    c.zones.push_back(z);
    transport::RoadNetwork roads;
    roads.add_node("N1", {114.3, 30.6});
    roads.add_node("N2", {114.31, 30.6});
    roads.link_id.push_back("L1");
    c.roads = roads;
    return c;
}

TEST(City, TotalPopulation) {
    EXPECT_EQ(small_city().total_population(), 4600);
    EXPECT_EQ(City{}.total_population(), 0);
}

void expect_assets(const City& c) {
    EXPECT_TRUE(c.has_asset("facility:H1"));
    EXPECT_TRUE(c.has_asset("facility:S1"));
    EXPECT_TRUE(c.has_asset("zone:Z2"));
    EXPECT_TRUE(c.has_asset("road_node:N1"));
    EXPECT_TRUE(c.has_asset("road_link:L1"));
    EXPECT_FALSE(c.has_asset("facility:Z1")); // a zone's id in the facility layer
    EXPECT_FALSE(c.has_asset("zone:H1"));
    EXPECT_FALSE(c.has_asset("road_link:N1"));
    EXPECT_FALSE(c.has_asset("water:J1"));
    EXPECT_FALSE(c.has_asset("H1"));
    EXPECT_FALSE(c.has_asset("facility:"));
    EXPECT_FALSE(c.has_asset(":H1"));
    EXPECT_FALSE(c.has_asset(""));
}

TEST(City, HasAssetWithoutIndexScans) {
    expect_assets(small_city());
}

TEST(City, HasAssetWithIndex) {
    City c = small_city();
    c.index_assets();
    expect_assets(c);
    const City copy = c; // copies share the read-only index
    expect_assets(copy);
}

TEST(City, HasAssetNoticesAddedAssets) {
    City c = small_city();
    c.index_assets();
    c.facilities.push_back({"F9", FacilityKind::kDepot, "", "", {114.3, 30.6}, 3, 0});
    EXPECT_TRUE(c.has_asset("facility:F9")); // counts changed: falls back to a scan
    c.index_assets();
    EXPECT_TRUE(c.has_asset("facility:F9"));
}

TEST(AssetRegistry, Layers) {
    EXPECT_TRUE(AssetRegistry::is_known_layer("facility"));
    EXPECT_TRUE(AssetRegistry::is_known_layer("road_link"));
    EXPECT_FALSE(AssetRegistry::is_known_layer("water"));
    const AssetRegistry r(small_city());
    EXPECT_TRUE(r.contains("road_node:N2"));
    EXPECT_FALSE(r.contains("road_node:N3"));
    EXPECT_TRUE(r.matches_counts(small_city()));
    EXPECT_FALSE(r.matches_counts(City{}));
}

TEST(City, TwoCitiesSideBySide) {
    // No global state: two cities answer for themselves.
    City a = small_city();
    City b;
    b.facilities.push_back({"X1", FacilityKind::kSchool, "", "", {114.3, 30.6}, 800, 0});
    a.index_assets();
    b.index_assets();
    EXPECT_TRUE(a.has_asset("facility:H1"));
    EXPECT_FALSE(b.has_asset("facility:H1"));
    EXPECT_TRUE(b.has_asset("facility:X1"));
    EXPECT_FALSE(a.has_asset("facility:X1"));
}

} // namespace
} // namespace rencheng::model
