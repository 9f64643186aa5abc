// Tests of the ESRI ASCII grid reader and of bilinear elevation look-ups.
#include <gtest/gtest.h>

#include "model/city.hpp"

namespace rencheng::model {
namespace {

// 3 columns, 2 rows, 0.1° cells from (114.0, 30.0); the first row of values is the northern one.
constexpr const char* kGrid = "ncols 3\n"
                              "nrows 2\n"
                              "xllcorner 114.0\n"
                              "yllcorner 30.0\n"
                              "cellsize 0.1\n"
                              "NODATA_value -9999\n"
                              "10 20 30\n"
                              "40 50 60\n";

bool has(const Diagnostics& d, ErrorCode code, int line) {
    for (const auto& x : d.items())
        if (x.code == code && x.line == line)
            return true;
    return false;
}

TEST(Terrain, ReadsAGrid) {
    Diagnostics d;
    const Terrain t = parse_terrain(kGrid, "t.asc", d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_EQ(t.ncols, 3);
    EXPECT_EQ(t.nrows, 2);
    EXPECT_DOUBLE_EQ(t.xll_lon, 114.0);
    EXPECT_DOUBLE_EQ(t.yll_lat, 30.0);
    EXPECT_DOUBLE_EQ(t.cellsize_deg, 0.1);
    ASSERT_EQ(t.elevation_m.size(), 6u);
    EXPECT_FLOAT_EQ(t.elevation_m[0], 10.0f);
    EXPECT_FLOAT_EQ(t.elevation_m[5], 60.0f);
}

TEST(Terrain, CentreHeaderAndWrappedLinesAndCase) {
    Diagnostics d;
    const Terrain t = parse_terrain("NCOLS 3\r\nNROWS 2\r\nXLLCENTER 114.05\r\nYLLCENTER 30.05\r\n"
                                    "CELLSIZE 0.1\r\n10 20\r\n30 40 50\r\n60\r\n",
                                    "t.asc", d);
    EXPECT_TRUE(d.empty()) << d.format();
    EXPECT_NEAR(t.xll_lon, 114.0, 1e-12);
    EXPECT_NEAR(t.yll_lat, 30.0, 1e-12);
    EXPECT_DOUBLE_EQ(t.nodata, -9999.0); // default
    EXPECT_EQ(t.elevation_m.size(), 6u);
}

TEST(Terrain, BilinearElevation) {
    Diagnostics d;
    const Terrain t = parse_terrain(kGrid, "t.asc", d);
    // Cell centres: north row (lat 30.15) 10 20 30, south row (lat 30.05) 40 50 60.
    EXPECT_NEAR(*t.elevation_at({114.05, 30.15}), 10.0, 1e-9);
    EXPECT_NEAR(*t.elevation_at({114.25, 30.05}), 60.0, 1e-9);
    EXPECT_NEAR(*t.elevation_at({114.10, 30.15}), 15.0, 1e-9); // between 10 and 20
    EXPECT_NEAR(*t.elevation_at({114.05, 30.10}), 25.0, 1e-9); // between 10 and 40
    EXPECT_NEAR(*t.elevation_at({114.10, 30.10}), 30.0, 1e-9); // mean of 10 20 40 50
    EXPECT_NEAR(*t.elevation_at({114.00, 30.20}), 10.0, 1e-9); // corner: clamped
    EXPECT_NEAR(*t.elevation_at({114.30, 30.00}), 60.0, 1e-9); // opposite corner
    EXPECT_FALSE(t.elevation_at({113.99, 30.1}).has_value());
    EXPECT_FALSE(t.elevation_at({114.1, 30.21}).has_value());
    EXPECT_FALSE(Terrain{}.elevation_at({114.1, 30.1}).has_value());
}

TEST(Terrain, NodataGivesNothingNearby) {
    Diagnostics d;
    Terrain t = parse_terrain(kGrid, "t.asc", d);
    t.elevation_m[1] = -9999.0f; // the 20
    EXPECT_FALSE(t.elevation_at({114.10, 30.15}).has_value());
    EXPECT_NEAR(*t.elevation_at({114.05, 30.10}), 25.0, 1e-9); // does not touch it
}

TEST(Terrain, TooFewValues) {
    Diagnostics d;
    const Terrain t = parse_terrain(
        "ncols 3\nnrows 2\nxllcorner 114\nyllcorner 30\ncellsize 0.1\n1 2 3\n4 5\n", "t.asc", d);
    ASSERT_TRUE(d.has_errors());
    EXPECT_TRUE(has(d, ErrorCode::kGridSyntax, 7)) << d.format();
    EXPECT_TRUE(t.elevation_m.empty());
}

TEST(Terrain, TooManyValues) {
    Diagnostics d;
    parse_terrain("ncols 2\nnrows 1\nxllcorner 114\nyllcorner 30\ncellsize 0.1\n1 2\n3\n", "t.asc",
                  d);
    EXPECT_TRUE(has(d, ErrorCode::kGridSyntax, 7)) << d.format();
}

TEST(Terrain, BadValueAndHeader) {
    Diagnostics d;
    parse_terrain("ncols 2\nnrows 1\nxllcorner 114\nyllcorner 30\ncellsize 0.1\n1 abc\n", "t.asc",
                  d);
    EXPECT_TRUE(has(d, ErrorCode::kNumberSyntax, 6)) << d.format();
    EXPECT_EQ(d.items()[0].column, 3);

    Diagnostics d2;
    parse_terrain("ncols 2\nxllcorner 114\nyllcorner 30\ncellsize 0.1\n1 2\n", "t.asc", d2);
    ASSERT_TRUE(d2.has_errors());
    EXPECT_EQ(d2.items()[0].code, ErrorCode::kMissingKey);

    Diagnostics d3;
    parse_terrain("ncols -2\nnrows 1\nxllcorner 114\nyllcorner 30\ncellsize 0\n", "t.asc", d3);
    EXPECT_TRUE(has(d3, ErrorCode::kOutOfRange, 1));
    EXPECT_TRUE(has(d3, ErrorCode::kOutOfRange, 5));

    Diagnostics d4;
    parse_terrain("", "t.asc", d4);
    EXPECT_TRUE(d4.has_errors());
}

TEST(Terrain, HugeHeaderIsRefusedWithoutAllocating) {
    Diagnostics d;
    parse_terrain(
        "ncols 100000000\nnrows 100000000\nxllcorner 0\nyllcorner 0\ncellsize 0.000001\n1\n",
        "t.asc", d);
    EXPECT_TRUE(d.has_errors());
}

TEST(Terrain, MissingFile) {
    Diagnostics d;
    read_terrain("/nonexistent/terrain.asc", d);
    ASSERT_TRUE(d.has_errors());
    EXPECT_EQ(d.items()[0].code, ErrorCode::kFileNotFound);
}

} // namespace
} // namespace rencheng::model
