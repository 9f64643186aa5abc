// Tests of distances, point-in-polygon and PROJ projections.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "core/units.hpp"

namespace rencheng {
namespace {

TEST(Geo, HaversineOfOneDegreeOfMeridian) {
    const double expected = units::kEarthRadius * units::kDegree; // 111 194.93 m
    EXPECT_NEAR(haversine_m({114.0, 22.0}, {114.0, 23.0}), expected, 1e-6);
    EXPECT_NEAR(haversine_m({0.0, 0.0}, {1.0, 0.0}), expected, 1e-6);
    // Along a parallel the arc shrinks with cos(latitude) (small-angle check).
    EXPECT_NEAR(haversine_m({0.0, 60.0}, {0.001, 60.0}), expected * 0.001 * 0.5, 1e-6);
    EXPECT_EQ(haversine_m({5.0, 5.0}, {5.0, 5.0}), 0.0);
    EXPECT_NEAR(haversine_m({0.0, 0.0}, {180.0, 0.0}), units::kPi * units::kEarthRadius, 1e-3);
}

TEST(Geo, PolylineLengthSumsSegments) {
    const std::vector<LonLat> line{{114.0, 22.0}, {114.0, 22.5}, {114.0, 23.0}};
    EXPECT_NEAR(polyline_length_m(line), haversine_m(line.front(), line.back()), 1e-6);
    EXPECT_EQ(polyline_length_m({}), 0.0);
    EXPECT_EQ(polyline_length_m({{1.0, 1.0}}), 0.0);
}

TEST(Geo, PointInRing) {
    const std::vector<LonLat> square{{0, 0}, {2, 0}, {2, 2}, {0, 2}};
    std::vector<LonLat> closed = square;
    closed.push_back(square.front());
    for (const auto& ring : {square, closed}) {
        EXPECT_TRUE(point_in_ring({1, 1}, ring));
        EXPECT_FALSE(point_in_ring({3, 1}, ring));
        EXPECT_FALSE(point_in_ring({-0.5, 1}, ring));
        EXPECT_FALSE(point_in_ring({1, 2.5}, ring));
    }
    // A "U": the notch is outside.
    const std::vector<LonLat> u{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}};
    EXPECT_FALSE(point_in_ring({1.5, 2}, u));
    EXPECT_TRUE(point_in_ring({0.5, 2}, u));
    EXPECT_TRUE(point_in_ring({1.5, 0.5}, u));
    EXPECT_FALSE(point_in_ring({1, 1}, {}));
}

TEST(Geo, KnownAndUnknownCrs) {
    EXPECT_TRUE(is_known_crs("EPSG:4326"));
    EXPECT_TRUE(is_known_crs("EPSG:4547"));
    std::string why;
    EXPECT_FALSE(is_known_crs("EPSG:999999", &why));
    EXPECT_FALSE(why.empty());
    EXPECT_FALSE(is_known_crs("not a crs at all"));
    try {
        (void)Projection::to_crs("EPSG:999999");
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnknownCrs);
        EXPECT_NE(std::string(e.what()).find("EPSG:999999"), std::string::npos);
    }
}

TEST(Geo, LocalProjectionRoundTrip) {
    const LonLat origin{114.06, 22.54};
    const Projection p = Projection::local(origin);
    const Xy o = p.forward(origin);
    EXPECT_NEAR(o.x, 0.0, 1e-6);
    EXPECT_NEAR(o.y, 0.0, 1e-6);
    for (const LonLat q : {LonLat{114.10, 22.60}, LonLat{113.90, 22.40}, LonLat{114.3, 22.5}}) {
        const LonLat back = p.inverse(p.forward(q));
        EXPECT_LT(haversine_m(q, back), 1e-6);
    }
    // East is +x and north is +y.
    EXPECT_GT(p.forward({114.07, 22.54}).x, 0.0);
    EXPECT_GT(p.forward({114.06, 22.55}).y, 0.0);
}

TEST(Geo, LocalDistancesAgreeWithHaversine) {
    // aeqd gives exact geodesic distances from the origin on the WGS84 ellipsoid; haversine uses
    // the mean-radius sphere. Their ratio is that of the ellipsoid's radius of curvature in the
    // direction travelled, R_a (Euler: 1/R_a = cos^2 a / M + sin^2 a / N), to 6371 km. At 22.5°N
    // M = 6 345 km and N = 6 381 km, so the two differ by up to 0.41 % and 0.1 % cannot hold in
    // every direction. We check 0.5 % everywhere and, tighter, that the ratio is R_a / R to 2e-4.
    const LonLat origin{114.06, 22.54};
    const Projection p = Projection::local(origin);
    constexpr double a_wgs84 = 6378137.0, e2 = 6.69437999014e-3; // NIMA TR8350.2 Table 3.1
    const double s2 = std::pow(std::sin(origin.lat * units::kDegree), 2);
    const double w = 1.0 - e2 * s2;
    const double m_radius = a_wgs84 * (1.0 - e2) / std::pow(w, 1.5);
    const double n_radius = a_wgs84 / std::sqrt(w);
    for (int deg = 0; deg < 360; deg += 15) {
        const double a = deg * units::kDegree;
        // A point about 10 km away in direction `a` (small spherical offset).
        const double d = 10000.0 / units::kEarthRadius;
        const LonLat q{origin.lon +
                           std::sin(a) * d / units::kDegree / std::cos(origin.lat * units::kDegree),
                       origin.lat + std::cos(a) * d / units::kDegree};
        const Xy xy = p.forward(q);
        const double ratio = std::hypot(xy.x, xy.y) / haversine_m(origin, q);
        EXPECT_NEAR(ratio, 1.0, 5e-3) << deg;
        const double r_a =
            1.0 / (std::pow(std::cos(a), 2) / m_radius + std::pow(std::sin(a), 2) / n_radius);
        EXPECT_NEAR(ratio, r_a / units::kEarthRadius, 2e-4) << deg;
    }
}

TEST(Geo, Epsg4547RoundTripsEastNorth) {
    // CGCS2000 / 3-degree Gauss-Kruger CM 114E: false easting 500 km, northing from the equator.
    const Projection p = Projection::to_crs("EPSG:4547");
    EXPECT_EQ(p.definition(), "EPSG:4547");
    const LonLat q{114.05, 22.55};
    const Xy xy = p.forward(q);
    EXPECT_NEAR(xy.x, 500000.0 + 0.05 * 102800.0, 300.0); // ~5.1 km east of the meridian
    EXPECT_NEAR(xy.y, 2.4947e6, 2e3);
    const LonLat back = p.inverse(xy);
    EXPECT_LT(haversine_m(q, back), 1e-6);
}

TEST(Geo, BareProjStringIsACrs) {
    const std::string utm50 = "+proj=utm +zone=50 +datum=WGS84 +units=m";
    EXPECT_TRUE(is_known_crs(utm50));
    const Projection p = Projection::to_crs(utm50);
    const LonLat q{117.0, 30.0}; // on the zone's central meridian: x is the false easting
    const Xy xy = p.forward(q);
    EXPECT_NEAR(xy.x, 500000.0, 1e-3);
    // k0 = 0.9996 times the WGS84 meridian arc to 30°N, 3 320 113.4 m (Snyder 1987, eq. 3-21).
    EXPECT_NEAR(xy.y, 0.9996 * 3320113.4, 1.0);
    EXPECT_LT(haversine_m(q, p.inverse(xy)), 1e-6);
    EXPECT_FALSE(is_known_crs("+proj=nonsense"));
}

TEST(Geo, UnprojectablePointIsProjectionFailed) {
    const Projection p = Projection::local({114.0, 22.0});
    try {
        (void)p.forward({114.0, 95.0});
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kProjectionFailed);
    }
}

TEST(Geo, IndependentProjectionsSideBySide) {
    Projection a = Projection::local({114.0, 22.0});
    Projection b = Projection::local({116.4, 39.9});
    const Xy pa = a.forward({114.01, 22.0});
    Projection moved = std::move(a);
    EXPECT_EQ(moved.forward({114.01, 22.0}), pa);
    EXPECT_NEAR(b.forward({116.4, 39.9}).x, 0.0, 1e-6);
    EXPECT_NE(moved.definition(), b.definition());
}

} // namespace
} // namespace rencheng
