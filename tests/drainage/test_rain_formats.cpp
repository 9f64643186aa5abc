// Rain files in SWMM 5.2.4's comma-delimited NCDC, NCDC online, AES and CMC formats: format
// detection, each format's values, times, units and flags, bad lines, a gage's start date,
// fixed-column and space-delimited NCDC files of two stations, gages left without data (SWMM's
// error 321), a missing NCDC accumulation total, IGNORE_RAINFALL, dates with text after the year,
// and models reading them against SWMM 5.2.4 (tests/validation/drainage/rain-formats/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/rain_file.hpp"
#include "drainage/rainfall_file.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"
#include "swmm_reference_check.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

constexpr double kInch = 0.0254;

fs::path formats_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "rain-formats";
}

fs::path write_temp(const std::string& name, const std::string& text) {
    const fs::path p =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()) + "_" + name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

/// Removes the files write_temp() made in this process.
void remove_temps() {
    const std::string prefix = "rencheng_rainfmt_" + std::to_string(getpid()) + "_";
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
        if (e.path().filename().string().rfind(prefix, 0) == 0)
            fs::remove_all(e.path());
}

units::Seconds at(int month, int day, int hour, int minute = 0) {
    return seconds_since_epoch({2025, month, day, hour * 3600 + minute * 60});
}

/// The depth (m) of the reading that starts at `t`, -1 when there is none.
double depth_at(const NcdcRain& rain, units::Seconds t) {
    for (const auto& [start, depth] : rain.depth_m)
        if (start == t)
            return depth;
    return -1;
}

std::string cmc_field(long v, char flag = ' ') {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%6ld%c", v, flag);
    return buf;
}

} // namespace

TEST(RainFileFormats, DetectedAsSwmmDetectsThem) {
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "comma.csv"),
              RainFileFormat::kNwsCommaDelimited);
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "online60.txt"),
              RainFileFormat::kNwsOnlineHourly);
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "online15.txt"),
              RainFileFormat::kNwsOnlineFifteen);
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "aes.hly"), RainFileFormat::kAesHourly);
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "cmc.hly"), RainFileFormat::kCmcHourly);
    EXPECT_EQ(detect_rain_file_format(formats_dir() / "cmc.fif"), RainFileFormat::kCmcFifteen);
    EXPECT_EQ(detect_rain_file_format(write_temp("u.dat", "ST1 2025 6 30 1 0 0.5\n")),
              RainFileFormat::kUserPrepared);
    EXPECT_EQ(detect_rain_file_format(
                  write_temp("t.dat", "HPD05300500HPCPHI19490100010020100 00000g 2500 00000\n")),
              RainFileFormat::kNwsTape);
    // a CMC hourly line one character short of SWMM's 186 is not one
    const std::string hly = "110844720250630123" + std::string(166, '0') + "\n";
    EXPECT_EQ(detect_rain_file_format(write_temp("short.hly", hly)), RainFileFormat::kUnknown);
    EXPECT_EQ(detect_rain_file_format(write_temp("x.dat", "a\nb\nc\nd\ne\nST1 2025 6 30 1 0 1\n")),
              RainFileFormat::kUnknown); // only the first five lines are looked at
    EXPECT_FALSE(is_nws_cmc_format(RainFileFormat::kNwsTape));
    EXPECT_TRUE(is_nws_cmc_format(RainFileFormat::kCmcFifteen));
    remove_temps();
}

TEST(RainFileFormats, CommaDelimitedValuesFlagsAndAccumulation) {
    const auto rain = read_nws_cmc_rain_file(formats_dir() / "comma.csv");
    EXPECT_EQ(rain.interval_s, 3600);
    // 0.03 in in the hour to 20:00 on 29 June
    EXPECT_NEAR(depth_at(rain, at(6, 29, 19)), 0.03 * kInch, 1e-9);
    EXPECT_NEAR(depth_at(rain, at(6, 30, 1)), 0.05 * kInch, 1e-9);
    EXPECT_NEAR(depth_at(rain, at(6, 30, 3)), 0.41 * kInch, 1e-9);
    // missing (M, 99999) and deleted ({ }) hours are dropped
    EXPECT_EQ(depth_at(rain, at(6, 30, 9)), -1);
    EXPECT_EQ(depth_at(rain, at(6, 30, 10)), -1);
    // 'a' at 14:00 to 'A' 0.50 at 16:00: 0.50 / 3 in each of the hours from 13:00
    for (int h = 13; h <= 15; ++h)
        EXPECT_NEAR(depth_at(rain, at(6, 30, h)), 0.50 / 3 * kInch, 1e-9) << h;
    // hour 24 is the hour to midnight
    EXPECT_NEAR(depth_at(rain, at(6, 30, 23)), 0.06 * kInch, 1e-9);
    EXPECT_EQ(rain.depth_m.size(), 13U);
}

// docs/drainage.md's worked example
TEST(RainFileFormats, CommaDelimitedWorkedExample) {
    const auto p = write_temp(
        "example.csv", "COOPID,CD,ELEM,UN,YEAR,MO,DA,TIME,HOUR01,F,F\n"
                       "310301,01,HPCP,HI,2025,06,30,0200,000005, , ,1400,000000,a, ,1600,000050,"
                       "A, ,2500,000055, , \n");
    EXPECT_EQ(detect_rain_file_format(p), RainFileFormat::kNwsCommaDelimited);
    const auto rain = read_nws_cmc_rain_file(p);
    ASSERT_EQ(rain.depth_m.size(), 4U);
    EXPECT_EQ(rain.depth_m[0].first, at(6, 30, 1));
    EXPECT_NEAR(rain.depth_m[0].second, 0.00127, 1e-9);
    for (int i = 1; i < 4; ++i) {
        EXPECT_EQ(rain.depth_m[i].first, at(6, 30, 12 + i));
        EXPECT_NEAR(rain.depth_m[i].second, 0.50 / 3 * kInch, 1e-9);
    }
    fs::remove(p);
}

TEST(RainFileFormats, OnlineHourlyDecimalInchesAndMidnight) {
    const auto rain = read_nws_cmc_rain_file(formats_dir() / "online60.txt");
    EXPECT_EQ(rain.interval_s, 3600);
    EXPECT_NEAR(depth_at(rain, at(6, 30, 2)), 0.22 * kInch, 1e-9);
    // "20250701 00:00" is hour 24 of 30 June
    EXPECT_NEAR(depth_at(rain, at(6, 30, 23)), 0.06 * kInch, 1e-9);
    EXPECT_EQ(depth_at(rain, at(6, 30, 9)), -1);  // 999.99 M
    EXPECT_EQ(depth_at(rain, at(6, 30, 10)), -1); // '[': missing
    for (int h = 13; h <= 15; ++h)
        EXPECT_NEAR(depth_at(rain, at(6, 30, h)), 0.50 / 3 * kInch, 1e-9) << h;
    // the two files hold the same rain
    const auto comma = read_nws_cmc_rain_file(formats_dir() / "comma.csv");
    EXPECT_EQ(rain.depth_m, comma.depth_m);
}

TEST(RainFileFormats, OnlineFifteenMinuteHundredths) {
    const auto rain = read_nws_cmc_rain_file(formats_dir() / "online15.txt");
    EXPECT_EQ(rain.interval_s, 900);
    EXPECT_NEAR(depth_at(rain, at(6, 30, 2, 15)), 0.04 * kInch, 1e-9); // "02:30 00004"
    EXPECT_EQ(depth_at(rain, at(6, 30, 8, 45)), -1);                   // 99999 M
    EXPECT_EQ(depth_at(rain, at(6, 30, 9, 0)), -1);                    // '{'
    // 'a' at 14:30, 'A' 0.19 at 15:00: three 15-minute intervals from 14:15
    for (int m : {15, 30, 45})
        EXPECT_NEAR(depth_at(rain, at(6, 30, 14, m)), 0.19 / 3 * kInch, 1e-9) << m;
    EXPECT_NEAR(depth_at(rain, at(6, 30, 23, 45)), 0.04 * kInch, 1e-9); // 1 July 00:00
}

TEST(RainFileFormats, CanadianTenthsOfMmStartAnIntervalEarly) {
    // SWMM takes the first of a day's values to end at midnight: each value lands one
    // interval before the hour (or quarter) it was recorded in
    const auto aes = read_nws_cmc_rain_file(formats_dir() / "aes.hly");
    EXPECT_EQ(aes.interval_s, 3600);
    // 1.3 mm (0.05 in) recorded in the hour to 02:00 on 30 June
    EXPECT_NEAR(depth_at(aes, at(6, 30, 0)), 0.0013, 1e-9);
    EXPECT_NEAR(depth_at(aes, at(6, 30, 1)), 0.0056, 1e-9);
    EXPECT_EQ(depth_at(aes, at(6, 30, 8)), -1);              // -99999M
    EXPECT_NEAR(depth_at(aes, at(6, 30, 22)), 0.0015, 1e-9); // hour 24: 1.5 mm
    const auto hly = read_nws_cmc_rain_file(formats_dir() / "cmc.hly");
    EXPECT_EQ(hly.depth_m, aes.depth_m); // other elements (001, 078) skipped
    const auto fif = read_nws_cmc_rain_file(formats_dir() / "cmc.fif");
    EXPECT_EQ(fif.interval_s, 900);
    EXPECT_NEAR(depth_at(fif, at(6, 30, 2)), 0.0010, 1e-9); // 15-min value to 02:30: 1.0 mm
    double total = 0; // over 30 June, as SWMM's run of cmc-fif.inp totals it
    for (const auto& [t, d] : fif.depth_m)
        if (t >= at(6, 30, 0) && t < at(7, 1, 0))
            total += d;
    EXPECT_NEAR(total, 0.0220, 1e-7);
    // AES's 3-digit year: 100 and above are 1100 + ...
    const std::string line = "1108447" + std::string("9250630") + "123" + cmc_field(0) +
                             cmc_field(25) +
                             [] {
                                 std::string s;
                                 for (int j = 0; j < 22; ++j)
                                     s += cmc_field(-99999, 'M');
                                 return s;
                             }() +
                             "\n";
    const auto old = read_nws_cmc_rain_file(write_temp("old.hly", line));
    ASSERT_EQ(old.depth_m.size(), 1U);
    EXPECT_EQ(old.depth_m[0].first, seconds_since_epoch({1925, 6, 30, 0}));
    EXPECT_NEAR(old.depth_m[0].second, 0.0025, 1e-9);
    remove_temps();
}

TEST(RainFileFormats, BadLinesNameTheFileLineAndField) {
    auto expect_error = [](const std::string& name, const std::string& text, ErrorCode code,
                           const std::string& what) {
        const auto p = write_temp(name, text);
        try {
            (void)read_nws_cmc_rain_file(p);
            ADD_FAILURE() << name << ": no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), code) << e.what();
            EXPECT_NE(std::string(e.what()).find(p.string() + ":" + what), std::string::npos)
                << e.what();
        }
        fs::remove(p);
    };
    const std::string head = "COOPID,CD,ELEM,UN,YEAR,MO,DA\n";
    expect_error("v.csv",
                 head + "310301,01,HPCP,HI,2025,06,30,0100,000005, , ,2500,000005, , \n" +
                     "310301,01,HPCP,HI,2025,07,01,0100,xx0005, , ,2500,000005, , \n",
                 ErrorCode::kNumberSyntax, "3: value at column 35");
    expect_error("d.csv", head + "310301,01,HPCP,HI,2025,02,30,0100,000005, , \n",
                 ErrorCode::kOutOfRange, "2: date 2025-2-30");
    const std::string online =
        "STATION     STATION_NAME  DATE           HPCP     Measurement Flag\n"
        "COOP:310301 ASHEVILLE     20250630 01:00 0.05     \n";
    expect_error("o.txt", online + "COOP:310301 ASHEVILLE     20250630 02:00 abc      \n",
                 ErrorCode::kNumberSyntax, "3: value at column 42");
    expect_error("t.txt", online + "COOP:310301 ASHEVILLE     20250630 xx:00 0.05     \n",
                 ErrorCode::kNumberSyntax, "3: time at column 35");
    std::string cmc = "110844720250630123";
    for (int j = 0; j < 24; ++j)
        cmc += j == 2 ? std::string("   abc ") : cmc_field(1);
    std::string good = "110844720250629123";
    for (int j = 0; j < 24; ++j)
        good += cmc_field(1);
    expect_error("b.hly", good + "\n" + cmc + "\n", ErrorCode::kNumberSyntax,
                 "2: value 3 at column 33");
    expect_error("u.dat", "ST1 2025 6 30 1 0 0.5\n", ErrorCode::kUnsupported, "");
    try {
        (void)read_nws_cmc_rain_file("/nonexistent/rain.csv");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
    }
}

namespace {

/// SWMM's Runoff Quantity Continuity of a model, mm.
struct Continuity {
    double precip, infil, runoff, final_storage, error_pct;
};

/// Runs `name`.inp and checks every value of `name`.csv.gz (link flows within 0.003 m³/s,
/// subcatchment runoff within `runoff_tol` m³/s), the peaks of `name`.summary.csv.gz within 2 % or
/// 0.01 m / 0.001 m³/s, the continuity errors within 0.0015 % and the runoff continuity terms
/// within 0.0006 mm of SWMM's printed figures (its last digit is 0.001 mm).
void expect_matches_swmm(const std::string& name, const Continuity& swmm,
                         double runoff_tol = 1e-5) {
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions opt;
    opt.base_dir = formats_dir();
    const auto res = simulate(net, opt);
    const auto cmp = rencheng::test::expect_series_match(
        net, res, formats_dir() / (name + ".csv.gz"), {0.003, runoff_tol, 0.01}, name);
    EXPECT_GT(cmp.checked, 2000U) << name;
    rencheng::test::expect_summary_match(net, res, formats_dir() / (name + ".summary.csv.gz"),
                                         0.0015, name);
    const double area = rencheng::test::study_area_m2(net);
    const auto& r = res.summary.runoff;
    const auto mm = [&](double m3) { return m3 / area / 0.001; };
    EXPECT_NEAR(mm(r.rain_m3), swmm.precip, 0.0006) << name << " precipitation";
    EXPECT_NEAR(mm(r.infil_m3), swmm.infil, 0.0006) << name << " infiltration";
    EXPECT_NEAR(mm(r.runoff_m3), swmm.runoff, 0.0006) << name << " runoff";
    EXPECT_NEAR(mm(r.final_storage_m3), swmm.final_storage, 0.0006) << name << " final storage";
    EXPECT_NEAR(res.summary.runoff_continuity_error_pct, swmm.error_pct, 0.0015) << name;
    std::printf("[ info ] %s: %zu values; largest differences from SWMM: link flow %.2g m3/s, "
                "runoff %.2g m3/s; precipitation %.4f mm (SWMM %.3f)\n",
                name.c_str(), cmp.checked, cmp.largest("flow_m3s"), cmp.largest("runoff_m3s"),
                mm(r.rain_m3), swmm.precip);
}

} // namespace

// rainfall-files/'s network over 30 June 2025, both gages reading a file of 29 June to 1 July
// (missing, deleted and accumulated readings; other elements; hour 24). SWMM 5.2.4's Runoff
// Quantity Continuity in mm. Link C4's flow differs by up to 0.0029 m³/s at 35 min, while the
// network's initial storage drains (in comma.inp before any rain), as in rainfall-files/.
TEST(RainFileFormatsValidation, CommaDelimitedAndOnlineMatchSwmm) {
    expect_matches_swmm("comma", {37.338, 30.537, 5.505, 1.313, -0.048});
    expect_matches_swmm("online60", {37.338, 30.537, 5.505, 1.313, -0.048});
    expect_matches_swmm("online15", {19.304, 15.920, 2.659, 0.760, -0.178});
}

TEST(RainFileFormatsValidation, CanadianFilesMatchSwmm) {
    expect_matches_swmm("aes-hly", {39.500, 31.681, 5.844, 1.996, -0.052});
    expect_matches_swmm("cmc-hly", {39.500, 31.681, 5.844, 1.996, -0.052});
    expect_matches_swmm("cmc-fif", {22.000, 18.162, 3.055, 0.822, -0.178});
}

// Fixed-column and space-delimited TD-3240 files of two stations: the gages name 310301 and SWMM
// 5.2.4 reads station 310999's records as well (rain.c readNWSLine compares no station), 49.530 mm
// on 30 June where station 310301's own readings come to 19.304 mm.
TEST(RainFileFormatsValidation, NcdcFilesOfTwoStationsMatchSwmm) {
    for (const char* file : {"ncdc-tape.dat", "ncdc-space.dat"}) {
        const auto rain = read_ncdc_rain_file(formats_dir() / file);
        EXPECT_EQ(rain.interval_s, 3600) << file;
        EXPECT_EQ(rain.depth_m.size(), 12U) << file;
        EXPECT_NEAR(depth_at(rain, at(6, 30, 3)), 0.40 * kInch, 1e-9) << file;  // 310301's
        EXPECT_NEAR(depth_at(rain, at(6, 30, 14)), 0.55 * kInch, 1e-9) << file; // 310999's
        EXPECT_NEAR(depth_at(rain, at(6, 30, 19)), 0.08 * kInch, 1e-9) << file; // accumulated
        EXPECT_EQ(depth_at(rain, at(6, 30, 4)), -1) << file;                    // missing
    }
    expect_matches_swmm("ncdc-tape", {49.530, 39.737, 7.573, 2.249, -0.058});
    expect_matches_swmm("ncdc-space", {49.530, 39.737, 7.573, 2.249, -0.058});
}

namespace {

/// Simulating `net` (files from `base_dir`) stops with SWMM's error 321 (a rain file gage with
/// no data), naming `gage` when it is not empty.
void expect_no_rain_stops_the_run(const Network& net, const fs::path& base_dir,
                                  const std::string& gage) {
    SimulationOptions opt;
    opt.base_dir = base_dir;
    try {
        (void)simulate(net, opt);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kMissingKey);
        EXPECT_NE(std::string(e.what()).find("SWMM error 321"), std::string::npos) << e.what();
        if (!gage.empty()) {
            EXPECT_NE(std::string(e.what()).find(gage), std::string::npos) << e.what();
        }
    }
}

} // namespace

// A gage whose file yields no rain stops the run, as SWMM's error 321 does (a CMC record of
// zeros; the gage's station, 310301, is not compared with the file's, 1108447).
TEST(RainFileFormatsValidation, AFileWithoutRainStopsTheRun) {
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::string zero = "110844720250630123";
    for (int j = 0; j < 24; ++j)
        zero += cmc_field(0);
    std::ofstream(dir / "cmc.hly") << zero << "\n";
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / "cmc-hly.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    expect_no_rain_stops_the_run(net, dir, "");
    fs::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// A gage's start date ([RAINGAGES] `... FILE Fname Sta Units Start`): SWMM 5.2.4 skips the
// records of a day before it, by the line's own date, in every format (rain.c).

namespace {

std::optional<units::Seconds> day(int year, int month, int d) {
    return seconds_since_epoch({year, month, d, 0});
}

} // namespace

TEST(RainFileStartDate, FilterByTheRecordsOwnDay) {
    EXPECT_FALSE(before_rain_start(2025, 6, 29, std::nullopt)); // no start date: every record
    EXPECT_TRUE(before_rain_start(2025, 6, 29, day(2025, 6, 30)));
    EXPECT_FALSE(before_rain_start(2025, 6, 30, day(2025, 6, 30))); // the start day itself
    EXPECT_FALSE(before_rain_start(2025, 7, 1, day(2025, 6, 30)));
    EXPECT_TRUE(before_rain_start(2024, 12, 31, day(2025, 1, 1)));
    // a date that does not exist reads as 1 January of year 1 in SWMM: before any start
    EXPECT_TRUE(before_rain_start(2025, 2, 30, day(2025, 1, 1)));
    EXPECT_TRUE(before_rain_start(2025, 13, 1, day(1900, 1, 1)));
    EXPECT_FALSE(before_rain_start(2025, 2, 30, std::nullopt));
}

TEST(RainFileStartDate, RecordsBeforeTheStartAreSkippedInEveryFormat) {
    // comma-delimited (comma.csv: 0.03 in on 29 June, 12 readings from 30 June, 2 on 1 July)
    const auto comma = read_nws_cmc_rain_file(formats_dir() / "comma.csv", day(2025, 6, 30));
    EXPECT_EQ(comma.depth_m.size(), 12U);
    EXPECT_EQ(depth_at(comma, at(6, 29, 19)), -1);
    EXPECT_NEAR(depth_at(comma, at(6, 30, 1)), 0.05 * kInch, 1e-9);
    const auto july = read_nws_cmc_rain_file(formats_dir() / "comma.csv", day(2025, 7, 1));
    ASSERT_EQ(july.depth_m.size(), 2U);
    EXPECT_EQ(july.depth_m[0].first, at(7, 1, 0));
    EXPECT_NEAR(july.depth_m[0].second, 0.09 * kInch, 1e-9);
    EXPECT_EQ(july.depth_m[1].first, at(7, 1, 1));
    // NCDC online: "20250701 00:00" (the hour to midnight of 30 June) is dated 1 July, so kept
    const auto online = read_nws_cmc_rain_file(formats_dir() / "online60.txt", day(2025, 7, 1));
    ASSERT_EQ(online.depth_m.size(), 3U);
    EXPECT_EQ(online.depth_m[0].first, at(6, 30, 23));
    EXPECT_NEAR(online.depth_m[0].second, 0.06 * kInch, 1e-9);
    EXPECT_EQ(
        read_nws_cmc_rain_file(formats_dir() / "online60.txt", day(2025, 6, 30)).depth_m.size(),
        12U);
    // AES and CMC: 1 July's first value (2.3 mm) ends at midnight, so starts on 30 June
    for (const char* f : {"aes.hly", "cmc.hly"}) {
        const auto cmc = read_nws_cmc_rain_file(formats_dir() / f, day(2025, 7, 1));
        ASSERT_EQ(cmc.depth_m.size(), 2U) << f;
        EXPECT_EQ(cmc.depth_m[0].first, at(6, 30, 23)) << f;
        EXPECT_NEAR(cmc.depth_m[0].second, 0.0023, 1e-9) << f;
        EXPECT_NEAR(depth_at(cmc, at(7, 1, 0)), 0.0008, 1e-9) << f;
    }
    // an accumulation opened ('a') on a skipped day is never closed: its total is dropped
    const std::string head = "COOPID,CD,ELEM,UN,YEAR,MO,DA\n";
    const auto accum = write_temp("accum.csv", head + "310301,01,HPCP,HI,2025,06,29,2300,000000,a, "
                                                      ",2500,000000, , \n"
                                                      "310301,01,HPCP,HI,2025,06,30,0100,000021,A, "
                                                      ",0500,000004, , ,2500,000025, , \n");
    const auto all = read_nws_cmc_rain_file(accum);
    ASSERT_EQ(all.depth_m.size(), 4U); // 0.21 in over 22:00, 23:00 and 00:00, then 0.04 in
    EXPECT_EQ(all.depth_m[0].first, at(6, 29, 22));
    EXPECT_NEAR(all.depth_m[0].second, 0.07 * kInch, 1e-7);
    const auto from30 = read_nws_cmc_rain_file(accum, day(2025, 6, 30));
    ASSERT_EQ(from30.depth_m.size(), 1U);
    EXPECT_EQ(from30.depth_m[0].first, at(6, 30, 4));
    // an impossible date is an error, unless a start date skips it (as SWMM does)
    const auto bad = write_temp("bad.csv", head + "310301,01,HPCP,HI,2025,02,30,0100,000005, , \n" +
                                               "310301,01,HPCP,HI,2025,06,30,0100,000005, , \n");
    EXPECT_THROW((void)read_nws_cmc_rain_file(bad), Error);
    EXPECT_EQ(read_nws_cmc_rain_file(bad, day(2025, 1, 1)).depth_m.size(), 1U);
    // the fixed-column TD-3240 record, the same accumulation across the days
    const auto tape = write_temp("tape.dat", "HPD05300500HPCPHI20250600290030200000012  "
                                             "2300000000a 2500000012  \n"
                                             "HPD05300500HPCPHI20250600300030100000021A "
                                             "0500000004  2500000025  \n");
    const auto tape_all = read_ncdc_rain_file(tape);
    EXPECT_EQ(tape_all.depth_m.size(), 5U);
    EXPECT_NEAR(depth_at(tape_all, at(6, 29, 1)), 0.12 * kInch, 1e-9);
    const auto tape_30 = read_ncdc_rain_file(tape, day(2025, 6, 30));
    ASSERT_EQ(tape_30.depth_m.size(), 1U);
    EXPECT_EQ(tape_30.depth_m[0].first, at(6, 30, 4));
    EXPECT_NEAR(tape_30.depth_m[0].second, 0.04 * kInch, 1e-9);
    remove_temps();
}

TEST(RainFileStartDate, ReadFromTheGageLineAndABadDateIsReported) {
    const std::string model = rencheng::read_file(formats_dir() / "start-user.inp");
    auto with_dates = [&](const std::string& dates) {
        std::string text = model;
        const std::string was = "ST1 MM 06/30/2025";
        text.replace(text.find(was), was.size(), "ST1 MM " + dates);
        return text;
    };
    {
        Diagnostics d;
        const Network net = parse_swmm_inp(with_dates("JUL-01-2025 xx"), "a.inp", d);
        ASSERT_FALSE(d.has_errors()) << d.format(); // a later token is not read (SWMM)
        ASSERT_TRUE(net.gages[0].file_start.has_value());
        EXPECT_EQ(net.gages[0].file_start->month, 7);
        EXPECT_EQ(net.gages[0].file_start->day, 1);
        EXPECT_EQ(net.gages[0].file_dates, (std::vector<std::string>{"JUL-01-2025", "xx"}));
        ASSERT_TRUE(net.gages[1].file_start.has_value()); // "6/30/2025 *"
        EXPECT_EQ(net.gages[1].file_start->day, 30);
    }
    {
        Diagnostics d;
        const Network net = parse_swmm_inp(with_dates("*"), "b.inp", d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        EXPECT_FALSE(net.gages[0].file_start.has_value()); // '*': none
    }
    // SWMM 5.2.4: "ERROR 213: invalid date/time 02/30/2025 at line 35 of [RAINGAGE] section"
    Diagnostics d;
    (void)parse_swmm_inp(with_dates("02/30/2025"), "bad.inp", d);
    ASSERT_EQ(d.error_count(), 1U) << d.format();
    const Diagnostic& e = d.items()[0];
    EXPECT_EQ(e.code, ErrorCode::kNumberSyntax);
    EXPECT_EQ(e.file, "bad.inp");
    EXPECT_EQ(e.line, 35);
    EXPECT_EQ(e.column, 60); // the date's column
    EXPECT_EQ(e.element_id, "RG1");
    EXPECT_NE(e.message.find("'02/30/2025'"), std::string::npos) << e.message;
}

// rain-formats/start-*.inp: 29 June to 1 or 2 July with the gages' start dates inside the run.
// start-user: a user-prepared file, ST1 intensities from 30 June (its 29 June storm skipped), ST2
// CUMULATIVE from 30 June (its running total restarts there: SWMM's first depth is the total
// 11.5 mm). start-online60, start-cmc-hly: both gages read one station from 1 July and 30 June
// (online) or 30 June and 1 July (CMC); SWMM gives the second gage the first one's readings
// (rain.c findGageInFile), so both rain from the first's date. A user-prepared file's runoff is
// within 5e-5 m³/s of SWMM's (of peaks up to 0.13 m³/s) with or without a start date:
// rainfall-files/rff-save.inp read directly differs as much.
TEST(RainFileFormatsValidation, StartDatesMatchSwmm) {
    expect_matches_swmm("start-user", {64.500, 42.475, 19.441, 2.833, -0.386}, 6e-5);
    expect_matches_swmm("start-online60", {4.572, 3.750, 0.498, 0.325, -0.037});
    expect_matches_swmm("start-cmc-hly", {40.300, 32.162, 6.022, 2.129, -0.033});
}

// SAVE RAINFALL from gages with start dates: each gage's readings from its own start date, as in
// the files SWMM 5.2.4 wrote (start-*-swmm.rff), bit for bit.
TEST(RainFileFormatsValidation, SavedRainfallFromStartDatesMatchesSwmm) {
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()) + "_save");
    fs::create_directories(tmp);
    for (const auto& [name, data] :
         {std::pair<std::string, std::string>{"start-user", "start-user.dat"},
          {"start-online60", "online60.txt"}}) {
        fs::copy_file(formats_dir() / data, tmp / data, fs::copy_options::overwrite_existing);
        std::string text = rencheng::read_file(formats_dir() / (name + ".inp"));
        text.replace(text.find("[RAINGAGES]"), 11,
                     "[FILES]\nSAVE RAINFALL " + name + "-swmm.rff\n\n[RAINGAGES]");
        Diagnostics d;
        const Network net = parse_swmm_inp(text, (tmp / (name + ".inp")).string(), d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        SimulationOptions so;
        so.base_dir = tmp;
        (void)simulate(net, so);
        const fs::path file = name + "-swmm.rff";
        const RainfallFile ours = RainfallFile::read_file(tmp / file);
        const RainfallFile swmm = RainfallFile::read_file(formats_dir() / file);
        ASSERT_EQ(ours.gages.size(), 2U) << name;
        ASSERT_EQ(swmm.gages.size(), 2U) << name;
        for (std::size_t k = 0; k < 2; ++k) {
            EXPECT_EQ(ours.gages[k].station, swmm.gages[k].station) << name;
            EXPECT_EQ(ours.gages[k].interval_s, swmm.gages[k].interval_s) << name;
            EXPECT_TRUE(ours.gages[k].day == swmm.gages[k].day) << name << " " << k;
            EXPECT_TRUE(ours.gages[k].depth_in == swmm.gages[k].depth_in) << name << " " << k;
        }
        // past the stations' names (SWMM leaves whatever its buffer held there) the bytes are
        // SWMM's: the header, then 2 × (1025-byte name, interval, two positions)
        const std::string a = rencheng::read_file(tmp / file);
        const std::string b = rencheng::read_file(formats_dir() / file);
        ASSERT_EQ(a.size(), b.size()) << name;
        EXPECT_EQ(a.substr(2088), b.substr(2088)) << name;
    }
    // start-user: ST1's 11 readings of 30 June, ST2's 9 (the first its running total, 11.5 mm)
    const RainfallFile user = RainfallFile::read_file(formats_dir() / "start-user-swmm.rff");
    EXPECT_EQ(user.gages[0].day.size(), 11U);
    ASSERT_EQ(user.gages[1].day.size(), 9U);
    EXPECT_NEAR(user.gages[1].depth_in[0], 11.5 / 25.4, 1e-6);
    fs::remove_all(tmp);
}

// An NCDC file whose readings are all zero or missing gives SWMM 5.2.4 no data for the gage
// (only readings above zero reach its interface file): error 321 naming the gage, in the
// fixed-column and the space-delimited layouts alike.
TEST(RainFileFormatsValidation, AnNcdcFileWithoutRainStopsTheRun) {
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()) + "_ncdc");
    fs::create_directories(dir);
    std::ofstream(dir / "ncdc-tape.dat")
        << "HPD31030101HPCPHI20250600300030300000000  0400099999M 2500000000  \n";
    std::ofstream(dir / "ncdc-space.dat")
        << "COOPID CD ELEM UN YEAR MO DA TIME HOUR01 F F\n"
           "310301 01 HPCP HI 2025 06 30 0300  00000     0400  99999 M   2500  00000    \n";
    for (const std::string name : {"ncdc-tape", "ncdc-space"}) {
        Diagnostics d;
        const Network net = read_swmm_inp(formats_dir() / (name + ".inp"), d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        expect_no_rain_stops_the_run(net, dir, "RG1");
    }
    fs::remove_all(dir);
}

// A user-prepared file without a record of the gage's station: SWMM 5.2.4's error 321 naming the
// gage, also for a gage that no subcatchment uses. Records of zero are data (SWMM writes them to
// its interface file), so a file of zeros runs, without rain; under IGNORE_RAINFALL SWMM reads no
// rain file, so nothing stops the run; under USE RAINFALL a station the file lacks is error 321.
TEST(RainFileFormatsValidation, AUserFileWithoutTheStationStopsTheRun) {
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()) + "_user");
    fs::create_directories(dir);
    std::ofstream(dir / "other.dat") << "ST9 2025 6 30 1 0 0.5\nST9 2025 6 30 2 0 1.5\n";
    std::ofstream(dir / "zeros.dat") << "ST1 2025 6 30 1 0 0\nST1 2025 6 30 2 0 0\n";
    const std::string model = rencheng::read_file(formats_dir() / "comma.inp");
    auto with = [&](const std::string& file, const std::string& gage, const std::string& option) {
        std::string text = model;
        const std::string was = "FILE comma.csv 310301 IN";
        for (std::size_t k = text.find(was); k != std::string::npos; k = text.find(was))
            text.replace(k, was.size(), "FILE " + file + " ST1 MM");
        text.insert(text.find("\n[SUBCATCHMENTS]"), gage);
        text.insert(text.find("[OPTIONS]\n") + 10, option);
        Diagnostics d;
        Network net = parse_swmm_inp(text, "user.inp", d);
        EXPECT_FALSE(d.has_errors()) << d.format();
        return net;
    };
    expect_no_rain_stops_the_run(with("other.dat", "", ""), dir, "RG1");
    SimulationOptions opt;
    opt.base_dir = dir;
    EXPECT_EQ(simulate(with("zeros.dat", "", ""), opt).summary.runoff.rain_m3, 0.0);
    // an empty file is of no format (SWMM's error 319, E312 here)
    std::ofstream(dir / "empty.dat").close();
    try {
        (void)simulate(with("empty.dat", "", ""), opt);
        ADD_FAILURE() << "an empty rain file ran";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnsupported) << e.what();
    }
    expect_no_rain_stops_the_run(
        with("zeros.dat", "RG3 VOLUME 0:10 1.0 FILE other.dat ST5 MM\n", ""), dir, "RG3");
    EXPECT_EQ(simulate(with("other.dat", "", "IGNORE_RAINFALL YES\n"), opt).summary.runoff.rain_m3,
              0.0);
    // rainfall-files/rff-use.inp with its second gage's station changed to one the file lacks
    const fs::path rff = formats_dir().parent_path() / "rainfall-files";
    std::string use = rencheng::read_file(rff / "rff-use.inp");
    const std::string was = "missing.dat ST2 MM";
    use.replace(use.find(was), was.size(), "missing.dat ST7 MM");
    Diagnostics d;
    const Network net = parse_swmm_inp(use, "use.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    expect_no_rain_stops_the_run(net, rff, "RG2");
    fs::remove_all(dir);
}

// A start date after the file's last record leaves the gage no data: SWMM's error 321.
TEST(RainFileFormatsValidation, AStartDateAfterTheFileStopsTheRun) {
    std::string text = rencheng::read_file(formats_dir() / "start-user.inp");
    const std::string was = "ST1 MM 06/30/2025";
    text.replace(text.find(was), was.size(), "ST1 MM 07/05/2025");
    Diagnostics d;
    const Network net = parse_swmm_inp(text, "late.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    expect_no_rain_stops_the_run(net, formats_dir(), "RG1");
}

// ---------------------------------------------------------------------------------------------
// Three departures from SWMM 5.2.4 corrected: a missing accumulation total in the NCDC layouts,
// rain files under IGNORE_RAINFALL, and dates with text after the year. Models in
// rain-formats/, SWMM's figures from its report beside each (<name>.swmm-rpt.txt).

namespace {

/// SWMM 5.2.4's figures from `name`.swmm-rpt.txt: Runoff Quantity Continuity (mm), the flow
/// routing continuity error (%) and peak link flows (m³/s, printed to 0.001).
struct ReportFigures {
    Continuity runoff;
    double routing_error_pct;
    std::vector<std::pair<std::string, double>> peak_flow_m3s;
};

/// Runs rain-formats/`name`.inp and checks SWMM's figures: the runoff terms within 0.0006 mm and
/// the runoff continuity error within 0.0015 % of the printed ones (last digit 0.001); the flow
/// routing error within 0.0025 % (this network's routing differs from SWMM's by up to 0.002 %
/// with or without rain, as in ncdc-tape.inp); peak flows within the print precision, 0.001.
void expect_matches_swmm_report(const std::string& name, const ReportFigures& swmm) {
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions opt;
    opt.base_dir = formats_dir();
    const auto res = simulate(net, opt);
    const double area = rencheng::test::study_area_m2(net);
    const auto& r = res.summary.runoff;
    const auto mm = [&](double m3) { return m3 / area / 0.001; };
    EXPECT_NEAR(mm(r.rain_m3), swmm.runoff.precip, 0.0006) << name << " precipitation";
    EXPECT_NEAR(mm(r.infil_m3), swmm.runoff.infil, 0.0006) << name << " infiltration";
    EXPECT_NEAR(mm(r.runoff_m3), swmm.runoff.runoff, 0.0006) << name << " runoff";
    EXPECT_NEAR(mm(r.final_storage_m3), swmm.runoff.final_storage, 0.0006)
        << name << " final storage";
    EXPECT_NEAR(res.summary.runoff_continuity_error_pct, swmm.runoff.error_pct, 0.0015) << name;
    EXPECT_NEAR(res.summary.flow_routing_continuity_error_pct, swmm.routing_error_pct, 0.0025)
        << name;
    for (const auto& [link, q] : swmm.peak_flow_m3s) {
        const LinkIndex k = net.find_link(link);
        ASSERT_TRUE(k.valid()) << link;
        EXPECT_NEAR(res.summary.max_flow_m3s[k.idx()], q, 0.001) << name << " " << link;
    }
    std::printf("[ info ] %s: precipitation %.4f mm (SWMM %.3f), runoff continuity %.4f %% (SWMM "
                "%.3f), flow routing %.4f %% (SWMM %.3f)\n",
                name.c_str(), mm(r.rain_m3), swmm.runoff.precip,
                res.summary.runoff_continuity_error_pct, swmm.runoff.error_pct,
                res.summary.flow_routing_continuity_error_pct, swmm.routing_error_pct);
}

} // namespace

// An 'A' whose total is missing (99999) leaves the accumulation open in both NCDC layouts, as in
// SWMM 5.2.4 (rain.c saveAccumRainfall returns before it resets the start): the later 'A' spreads
// over the whole period, across lines too. accum-*.dat: 0.21 in at 03:00; 'a' 05:00, 'A 99999'
// 07:00, 'A 00012' 10:00 (0.02 in in each hour 04-10); 'a' 22:00, next day 'A 99999' 01:00,
// 'A 00008' 03:00 (0.08/6 in in each hour from 21:00 to 03:00).
TEST(RainFileFormats, NcdcMissingAccumulationTotalLeavesThePeriodOpen) {
    for (const char* file : {"accum-tape.dat", "accum-space.dat"}) {
        const auto rain = read_ncdc_rain_file(formats_dir() / file);
        EXPECT_EQ(rain.depth_m.size(), 13U) << file;
        EXPECT_NEAR(depth_at(rain, at(6, 30, 2)), 0.21 * kInch, 1e-9) << file;
        for (int h = 4; h < 10; ++h)
            EXPECT_NEAR(depth_at(rain, at(6, 30, h)), 0.02 * kInch, 1e-9) << file << " " << h;
        for (int h = 21; h < 27; ++h)
            EXPECT_NEAR(depth_at(rain, at(6, 30, 0) + h * 3600), 0.08 / 6 * kInch, 1e-9)
                << file << " " << h;
        double total = 0;
        for (const auto& [t, depth] : rain.depth_m)
            total += depth;
        EXPECT_NEAR(total, 0.41 * kInch, 1e-9) << file;
    }
    // an accumulation whose only total is missing gives nothing, nor does an 'A' without an 'a'
    for (const char* text : {"HPD31030101HPCPHI20250600300020500000000a 0700099999A \n",
                             "HPD31030101HPCPHI20250600300010300000005A \n"}) {
        const auto rain = read_ncdc_rain_file(write_temp("accum.dat", text));
        EXPECT_TRUE(rain.depth_m.empty()) << text;
    }
    remove_temps();
}

// accum-tape.inp / accum-space.inp (ncdc-tape.inp's network, 30 June to 1 July 12:00): SWMM
// 5.2.4 rains 10.414 mm; closing the period at the missing total gave 5.334 mm.
TEST(RainFileFormatsValidation, NcdcMissingAccumulationTotalMatchesSwmm) {
    const ReportFigures swmm{{10.414, 8.542, 1.383, 0.497, -0.073},
                             -0.389,
                             {{"C1", 0.031}, {"C2", 0.042}, {"C3", 0.007}, {"C4", 0.142}}};
    expect_matches_swmm_report("accum-tape", swmm);
    expect_matches_swmm_report("accum-space", swmm);
}

// Under IGNORE_RAINFALL SWMM 5.2.4 opens no rain file (swmm5.c calls rain_open only without it):
// ignore-rain.inp's gages name a file that does not exist and SWMM runs (groundwater alone feeds
// the network); nor is a USE RAINFALL file read or a SAVE RAINFALL file written.
TEST(RainFileFormatsValidation, IgnoreRainfallReadsNoRainFile) {
    expect_matches_swmm_report(
        "ignore-rain",
        {{0.0, 0.0, 0.0, 0.0, 0.0}, -0.609, {{"C1", 0.014}, {"C2", 0.014}, {"C4", 0.142}}});
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng_rainfmt_" + std::to_string(getpid()) + "_ignore");
    fs::create_directories(dir);
    const std::string model = rencheng::read_file(formats_dir() / "ignore-rain.inp");
    const std::vector<std::string> file_lines = {
        "USE RAINFALL no-such-rain.rff\n", "SAVE RAINFALL " + (dir / "saved.rff").string() + "\n"};
    for (const std::string& files : file_lines) {
        std::string text = model;
        text.insert(text.find("[RAINGAGES]"), "[FILES]\n" + files + "\n");
        Diagnostics d;
        const Network net = parse_swmm_inp(text, "ignore.inp", d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        SimulationOptions opt;
        opt.base_dir = dir;
        EXPECT_EQ(simulate(net, opt).summary.runoff.rain_m3, 0.0) << files;
    }
    EXPECT_FALSE(fs::exists(dir / "saved.rff"));
    fs::remove_all(dir);
}

// SWMM 5.2.4 reads a date by sscanf's "%d%c%d%c%d" (datetime.c datetime_strToDate), or with the
// month's three letters ("%3s%c%d%c%d") where that reads fewer than three fields: what follows
// the year is not read, either separator may be any character, and the text must hold a '/' or
// '-'. Each accepted or refused below as runswmm accepts or refuses it as START_DATE (error 213).
TEST(RainFileStartDate, DatesAreReadAsSwmmReadsThem) {
    const std::vector<std::pair<std::string, CalendarTime>> accepted = {
        {"06/30/2025x", {2025, 6, 30, 0}},   {"06/30/2025/1", {2025, 6, 30, 0}},
        {"07/01/2025abc", {2025, 7, 1, 0}},  {"Jun-30-2025.5", {2025, 6, 30, 0}},
        {"JUN/30/2025+1", {2025, 6, 30, 0}}, {"06/29.2025", {2025, 6, 29, 0}},
        {"+6/29/2025", {2025, 6, 29, 0}},    {"jul-01-2025", {2025, 7, 1, 0}},
        {"06/30/2025", {2025, 6, 30, 0}}};
    for (const auto& [text, date] : accepted) {
        const auto d = parse_swmm_date(text);
        ASSERT_TRUE(d.has_value()) << text;
        EXPECT_EQ(d->year, date.year) << text;
        EXPECT_EQ(d->month, date.month) << text;
        EXPECT_EQ(d->day, date.day) << text;
    }
    for (const char* text : {"JUNE-29-2025", "06/29x/2025", "06.29.2025", "06/29", "2025-06-29",
                             "02/30/2025", "06/30/20250", "JU/30/2025", "*"})
        EXPECT_FALSE(parse_swmm_date(text).has_value()) << text;
}

// date-trailing.inp: start-user.inp with text after the year in START_DATE, REPORT_START_DATE,
// END_DATE, both gages' start dates and two [TIMESERIES] dates (a series added as an inflow to
// J2). SWMM 5.2.4 runs it as with the plain dates: 64.500 mm (the gages' start dates apply; the
// run without them rains 73.167 mm) and 316.8 m³ of inflow.
TEST(RainFileFormatsValidation, DatesWithTextAfterTheYearMatchSwmm) {
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / "date-trailing.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_EQ(net.options.start.day, 29);
    EXPECT_EQ(net.options.end_s, 2 * 86400);  // to 07/01/2025abc
    EXPECT_EQ(net.options.report_start_s, 0); // from 06/29/2025/1
    ASSERT_TRUE(net.gages[0].file_start.has_value());
    EXPECT_EQ(net.gages[0].file_start->day, 30);
    ASSERT_TRUE(net.gages[1].file_start.has_value());
    EXPECT_EQ(net.gages[1].file_start->month, 6);
    expect_matches_swmm_report(
        "date-trailing",
        {{64.500, 42.475, 19.441, 2.833, -0.386},
         0.151,
         {{"C1", 0.445}, {"C2", 0.755}, {"C3", 0.103}, {"C4", 0.201}, {"OR1", 0.204}}});
}
