// Rain files in SWMM 5.2.4's comma-delimited NCDC, NCDC online, AES and CMC formats: format
// detection, each format's values, times, units and flags, bad lines, and models reading them
// against SWMM 5.2.4 (tests/validation/drainage/rain-formats/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/rain_file.hpp"
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
/// subcatchment runoff within 1e-5 m³/s), the peaks of `name`.summary.csv.gz within 2 % or
/// 0.01 m / 0.001 m³/s, the continuity errors within 0.0015 % and the runoff continuity terms
/// within 0.0006 mm of SWMM's printed figures (its last digit is 0.001 mm).
void expect_matches_swmm(const std::string& name, const Continuity& swmm) {
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions opt;
    opt.base_dir = formats_dir();
    const auto res = simulate(net, opt);
    const auto cmp = rencheng::test::expect_series_match(
        net, res, formats_dir() / (name + ".csv.gz"), {0.003, 1e-5, 0.01}, name);
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
    SimulationOptions opt;
    opt.base_dir = dir;
    try {
        (void)simulate(net, opt);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kMissingKey);
        EXPECT_NE(std::string(e.what()).find("SWMM error 321"), std::string::npos) << e.what();
    }
    fs::remove_all(dir);
}
