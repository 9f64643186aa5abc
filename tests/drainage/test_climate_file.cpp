// Climate files in the formats SWMM 5.2.4 reads besides its own (NCDC TD-3200, Environment
// Canada DLY02/DLY04, NCDC GHCN-Daily as Climate Data Online's text): each format's values, units
// and missing values on hand-checked lines, errors naming the file, line and field, SWMM's
// reading of a file in order, and models reading such files against SWMM 5.2.4
// (tests/validation/drainage/climate-formats/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/climate_file.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"
#include "swmm_reference_check.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

/// The entries of `file` for day `day` (the format may spread a day over lines).
std::vector<ClimateDay> entries_of(const ClimateFile& file, int month, int day) {
    std::vector<ClimateDay> out;
    for (const auto& d : file.days)
        if (d.month == month && d.day == day)
            out.push_back(d);
    return out;
}

/// Expects parsing `text` to throw `code` with every piece of `what` in its message.
void expect_error(const std::string& text, const std::vector<std::string>& what, ErrorCode code,
                  ClimateUnits units = ClimateUnits::kAsModel) {
    try {
        (void)parse_climate_file(text, "bad.dat", false, units);
        ADD_FAILURE() << "no error for " << what.front();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        for (const auto& w : what)
            EXPECT_NE(std::string(e.what()).find(w), std::string::npos)
                << "'" << w << "' not in: " << e.what();
    }
}

/// A DLY02/DLY04 line: station 6158355, the element, then 31 day fields (7 characters each;
/// those not given are -99999M).
std::string dly_line(int year, int month, const char* element,
                     const std::map<int, std::string>& fields) {
    char head[32];
    std::snprintf(head, sizeof head, "6158355%04d%02d%s", year, month, element);
    std::string s = head;
    for (int d = 1; d <= 31; ++d) {
        const auto it = fields.find(d);
        s += it == fields.end() ? "-99999M" : it->second;
    }
    return s;
}

const char* kGhcndHeader = "STATION           DATE     TMAX     TMIN     EVAP     AWND\n"
                           "----------------- -------- -------- -------- -------- --------\n";

} // namespace

// TD-3200: `DLY`, station, element, units, year, month, 9999, the number of values, then per
// value day, hour, sign, 5 digits, measurement flag and quality flag. Worked by hand: TMAX 87 °F
// and −3 °F (the T flag does not matter), 99999 missing, a quality flag 2 skipped; EVAP 0.22 in
// (5.588 mm in an SI model); WDMV 192 miles a day = 8 mph; a PRCP record dates July only.
TEST(ClimateFormats, Td3200ValuesUnitsAndMissingValues) {
    const std::string text = "DLY41841000PRCPHI20250799990010107+00000 0\n"
                             "DLY41841000TMAXF 20250799990040107+00087 00207-00003T10307+99999M0"
                             "0407+00085 2\n"
                             "DLY41841000EVAPHI20250799990020107+00022 00207+00013E1\n"
                             "DLY41841000WDMVMI20250799990010107+00192 0\n";
    for (const bool si : {false, true}) {
        const ClimateFile f = parse_climate_file(text, "t.dat", si);
        EXPECT_EQ(f.format, ClimateFormat::kTd3200);
        ASSERT_EQ(f.days.size(), 6U);
        EXPECT_EQ(f.days[0].day, 0); // PRCP: no value, the month kept
        EXPECT_EQ(f.days[0].month, 7);
        EXPECT_TRUE(std::isnan(f.days[0].tmax));
        const auto d1 = entries_of(f, 7, 1);
        ASSERT_EQ(d1.size(), 3U);
        EXPECT_DOUBLE_EQ(d1[0].tmax, 87.0); // °F in either model
        EXPECT_TRUE(std::isnan(d1[0].tmin));
        EXPECT_DOUBLE_EQ(d1[1].evap, si ? 0.22 * 25.4 : 0.22);
        EXPECT_DOUBLE_EQ(d1[2].wind, 8.0);
        EXPECT_EQ(d1[2].line, 4);
        const auto d2 = entries_of(f, 7, 2);
        ASSERT_EQ(d2.size(), 2U);
        EXPECT_DOUBLE_EQ(d2[0].tmax, -3.0);
        EXPECT_DOUBLE_EQ(d2[1].evap, si ? 0.13 * 25.4 : 0.13);
        EXPECT_TRUE(entries_of(f, 7, 3).empty()); // 99999
        EXPECT_TRUE(entries_of(f, 7, 4).empty()); // quality flag 2
    }
}

// DLY02/DLY04: station, year, month, element (001 Tmax, 002 Tmin, 151 evaporation), 31 fields of
// sign, 5 digits and a flag. Worked by hand: 30.5 °C = 86.9 °F, −1.2 °C (flag E, used) = 29.84
// °F, -99999 and blanks missing; evaporation 5.7 mm (0.2244 in in a US model) and, as SWMM reads
// it, 3.1 mm from -00031 (no sign on evaporation); element 012 dates its month only.
TEST(ClimateFormats, Dly0204ValuesUnitsAndMissingValues) {
    const std::string text =
        dly_line(2025, 7, "001", {{1, " 00305 "}, {2, "-00012E"}, {3, "-99999M"}, {4, "       "}}) +
        "\n" + dly_line(2025, 7, "012", {{1, " 00100 "}}) + "\n" +
        dly_line(2025, 7, "151", {{1, " 00057 "}, {2, "-00031 "}}) + "\n";
    for (const bool si : {false, true}) {
        const ClimateFile f = parse_climate_file(text, "d.dat", si);
        EXPECT_EQ(f.format, ClimateFormat::kDly0204);
        ASSERT_EQ(f.days.size(), 5U);
        EXPECT_DOUBLE_EQ(f.days[0].tmax, 9.0 / 5.0 * 30.5 + 32.0);
        EXPECT_NEAR(f.days[1].tmax, 29.84, 1e-12);
        EXPECT_EQ(f.days[2].day, 0); // element 012
        EXPECT_EQ(f.days[2].line, 2);
        EXPECT_DOUBLE_EQ(f.days[3].evap, si ? 5.7 : 5.7 / 25.4);
        EXPECT_DOUBLE_EQ(f.days[4].evap, si ? 3.1 : 3.1 / 25.4);
        EXPECT_TRUE(entries_of(f, 7, 3).empty());
        EXPECT_TRUE(entries_of(f, 7, 4).empty());
    }
}

// GHCN-Daily as Climate Data Online's text: the header's DATE and element columns, ±9999
// missing, a line without a date passed over. C10 (GHCN-Daily's own units): 283 = 28.3 °C =
// 82.94 °F, 56 = 5.6 mm, AWND 45 = 4.5 m/s = 10.0662 mph (SWMM's 0.62137 miles a km); C: the
// same in whole units; F: °F, inches and mph as they are; WDMV (preferred over AWND) km or
// miles a day over 24 h.
TEST(ClimateFormats, GhcndValuesUnitsAndMissingValues) {
    const std::string text = std::string(kGhcndHeader) +
                             "GHCND:USW00093721 20250701 283      172      56       45\n"
                             "GHCND:USW00093721 20250702 -9999    -50      -9999    12\n";
    const ClimateFile c10 = parse_climate_file(text, "g.txt", true, ClimateUnits::kTenthsCelsius);
    EXPECT_EQ(c10.format, ClimateFormat::kGhcnd);
    ASSERT_EQ(c10.days.size(), 2U);
    EXPECT_NEAR(c10.days[0].tmax, 82.94, 1e-12);
    EXPECT_NEAR(c10.days[0].tmin, 9.0 / 5.0 * 17.2 + 32.0, 1e-12);
    EXPECT_NEAR(c10.days[0].evap, 5.6, 1e-12);
    EXPECT_NEAR(c10.days[0].wind, 4.5 / 1000.0 * 0.62137 * 3600.0, 1e-12);
    EXPECT_TRUE(std::isnan(c10.days[1].tmax));
    EXPECT_NEAR(c10.days[1].tmin, 23.0, 1e-12);
    EXPECT_TRUE(std::isnan(c10.days[1].evap));
    EXPECT_EQ(c10.days[1].line, 4);
    // a US model's evaporation in inches
    const ClimateFile c10_us =
        parse_climate_file(text, "g.txt", false, ClimateUnits::kTenthsCelsius);
    EXPECT_NEAR(c10_us.days[0].evap, 0.56 / 2.54, 1e-12);
    // C, the default of an SI model
    const ClimateFile c = parse_climate_file(text, "g.txt", true);
    EXPECT_NEAR(c.days[0].tmin, 9.0 / 5.0 * 172.0 + 32.0, 1e-9);
    EXPECT_NEAR(c.days[0].evap, 56.0, 1e-12);
    EXPECT_NEAR(c.days[0].wind, 45.0 * 3.6 * 0.62137, 1e-9);
    // F, the default of a US model; an SI model's evaporation in mm
    const ClimateFile f = parse_climate_file(text, "g.txt", false);
    EXPECT_DOUBLE_EQ(f.days[0].tmax, 283.0);
    EXPECT_DOUBLE_EQ(f.days[0].evap, 56.0);
    EXPECT_DOUBLE_EQ(f.days[0].wind, 45.0);
    EXPECT_NEAR(parse_climate_file(text, "g.txt", true, ClimateUnits::kFahrenheit).days[0].evap,
                56.0 * 25.4, 1e-9);
    // docs/drainage.md's example: 29.2 °C = 84.56 °F, 6.2 mm, 4.0 m/s = 8.9477 mph
    const std::string doc =
        "STATION           STATION_NAME                                       DATE     PRCP     "
        "TMAX     TMIN     EVAP     AWND\n"
        "GHCND:USW00093721 BALTIMORE WASHINGTON INTERNATIONAL AIRPORT MD US   20250628 0        "
        "292      174      62       40\n";
    const ClimateDay ex =
        parse_climate_file(doc, "ex.txt", true, ClimateUnits::kTenthsCelsius).days.at(0);
    EXPECT_EQ(ex.day, 28);
    EXPECT_NEAR(ex.tmax, 84.56, 1e-12);
    EXPECT_NEAR(ex.tmin, 9.0 / 5.0 * 17.4 + 32.0, 1e-12);
    EXPECT_NEAR(ex.evap, 6.2, 1e-12);
    EXPECT_NEAR(ex.wind, 8.9477, 1e-4);
    // daily wind movement
    const std::string wdmv = "STATION           DATE     TMAX     WDMV\n"
                             "GHCND:USW00093721 20250701 80       240\n";
    EXPECT_DOUBLE_EQ(parse_climate_file(wdmv, "w.txt", false).days[0].wind, 10.0);
    EXPECT_NEAR(parse_climate_file(wdmv, "w.txt", true).days[0].wind, 240.0 * 0.62137 / 24.0,
                1e-12);
}

// Bad lines name the file, the line and the field; a first line of no format SWMM reads, and a
// GHCN-Daily .dly file (which SWMM 5.2.4 does not read), are E312.
TEST(ClimateFormats, BadLinesNameTheFileLineAndField) {
    const std::string td = "DLY41841000TMAXF 20250799990010107+00087 0\n";
    expect_error(td + "DLY41841000TMAXF 20250799990010207+0A087 0\n",
                 {"bad.dat:2:", "TD-3200 value 1 (columns 31-42)", "'0A087'"},
                 ErrorCode::kNumberSyntax);
    expect_error(td + "DLY41841000TMAXF 20250799990020107+00087 0\n",
                 {"bad.dat:2:", "2 values needs 54 characters"}, ErrorCode::kNumberSyntax);
    expect_error(td + "DLY41841000TMAXF 2025\n", {"bad.dat:2:", "at least 30"},
                 ErrorCode::kNumberSyntax);
    expect_error(td + "XLY41841000TMAXF 20250799990010107+00087 0\n",
                 {"bad.dat:2:", "record type", "'XLY'"}, ErrorCode::kUnknownValue);
    expect_error(td + "DLY41841000TMAXF 20251399990010107+00087 0\n", {"bad.dat:2:", "month '13'"},
                 ErrorCode::kOutOfRange);
    const std::string dly = dly_line(2025, 7, "001", {{1, " 00305 "}}) + "\n";
    expect_error(dly + dly_line(2025, 7, "002", {{5, " 0x305 "}}) + "\n",
                 {"bad.dat:2:", "DLY02/DLY04 day 5 (columns 45-51)"}, ErrorCode::kNumberSyntax);
    expect_error(dly + dly_line(2025, 7, "002", {}).substr(0, 100) + "\n",
                 {"bad.dat:2:", "233 characters"}, ErrorCode::kNumberSyntax);
    expect_error(dly + "6158355202x07001\n", {"bad.dat:2:", "year (columns 8-11) '202x'"},
                 ErrorCode::kNumberSyntax);
    expect_error(std::string(kGhcndHeader) + "GHCND:USW00093721 20250701 283      hot\n",
                 {"bad.dat:3:", "GHCN-Daily TMIN (column 37) 'hot'"}, ErrorCode::kNumberSyntax);
    expect_error(std::string(kGhcndHeader) + "GHCND:USW00093721 2025071  283\n",
                 {"bad.dat:3:", "DATE (column 19) '2025071 ' is not YYYYMMDD"},
                 ErrorCode::kNumberSyntax);
    expect_error("USW00093721202507TMAX  283  X -9999   \n", {"bad.dat:1:", ".dly file"},
                 ErrorCode::kUnsupported);
    expect_error("STATION DATE PRCP SNOW\n", {"bad.dat:1:", "no climate file format"},
                 ErrorCode::kUnsupported);
    expect_error("\"STATION\",\"DATE\",\"TMAX\"\n", {"bad.dat:1:", "CSV form"},
                 ErrorCode::kUnsupported);
}

namespace {

/// The days daily_climate gives a US model from 30 June 2025 reading `file` (text) with the
/// [TEMPERATURE] FILE line's `rest` (start date, units).
DailyClimate climate_of(const std::string& file, const std::string& rest, int days) {
    const fs::path dir =
        fs::temp_directory_path() / ("rencheng-climate-formats-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "c.dat") << file;
    Diagnostics d;
    const Network net = parse_swmm_inp(
        "[OPTIONS]\nFLOW_UNITS CFS\nSTART_DATE 06/30/2025\nEND_DATE 07/03/2025\n"
        "[JUNCTIONS]\nJ1 10 2\n[OUTFALLS]\nO1 9 FREE\n[CONDUITS]\nC1 J1 O1 100 0.013 0 0\n"
        "[XSECTIONS]\nC1 CIRCULAR 1 0 0 0 1\n[TEMPERATURE]\nFILE c.dat " +
            rest + "\n",
        "m.inp", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    DailyClimate c;
    try {
        c = daily_climate(net, dir, days);
    } catch (...) {
        fs::remove_all(dir);
        throw;
    }
    fs::remove_all(dir);
    return c;
}

std::string td_record(const char* element, int month, const std::vector<std::pair<int, int>>& v) {
    char head[40];
    std::snprintf(head, sizeof head, "DLY41841000%sF 2025%02d9999%03zu", element, month, v.size());
    std::string s = head;
    for (const auto& [day, x] : v) {
        char g[32];
        std::snprintf(g, sizeof g, "%02d07%c%05d 0", day, x < 0 ? '-' : '+', std::abs(x));
        s += g;
    }
    return s + "\n";
}

} // namespace

// SWMM reads a climate file in order, a month at a time, from the first line of the start month:
// a month's values are those of the lines up to the first of a later month. Here the TMIN of 30
// June follows July's TMAX record, so SWMM never reads it (the day keeps 70 °F), and the TMIN of
// July is read with July. A missing value keeps the day before's; a month the file lacks
// keeps the values of the last day read. The [TEMPERATURE] FILE line's start date and units.
TEST(ClimateFormats, TheFileIsReadInOrderAMonthAtATime) {
    const std::string file = td_record("TMAX", 5, {{30, 60}}) + // before the start month
                             td_record("TMAX", 6, {{29, 81}, {30, 82}}) +
                             td_record("TMAX", 7, {{1, 83}, {3, 85}}) +
                             td_record("TMIN", 6, {{30, 61}}) + td_record("TMIN", 7, {{1, 62}});
    const DailyClimate c = climate_of(file, "", 3);
    ASSERT_EQ(c.days.size(), 4U);
    EXPECT_DOUBLE_EQ(c.days[0].tmax, 82.0);
    EXPECT_DOUBLE_EQ(c.days[0].tmin, 70.0); // June's TMIN comes after July's record
    EXPECT_EQ(c.days[1].month, 7);
    EXPECT_DOUBLE_EQ(c.days[1].tmax, 83.0);
    // July's reading takes the June TMIN record too (its month is not later), then July's
    EXPECT_DOUBLE_EQ(c.days[1].tmin, 62.0);
    EXPECT_DOUBLE_EQ(c.days[2].tmax, 83.0); // 2 July missing: 1 July's
    EXPECT_DOUBLE_EQ(c.days[3].tmax, 85.0);
    // from a start date in May: the run's days read 30 May, 31 May (none), 1 and 2 June (none)
    const DailyClimate may = climate_of(file, "05/30/2025", 3);
    EXPECT_DOUBLE_EQ(may.days[0].tmax, 60.0);
    EXPECT_EQ(may.days[0].month, 6); // dated by the run's calendar
    EXPECT_DOUBLE_EQ(may.days[3].tmax, 60.0);
    // a GHCN-Daily file in tenths of °C
    const std::string g = std::string(kGhcndHeader) + "GHCND:USW00093721 20250630 300 200\n";
    EXPECT_DOUBLE_EQ(climate_of(g, "* C10", 0).days[0].tmax, 86.0);
    EXPECT_DOUBLE_EQ(climate_of(g, "* C", 0).days[0].tmax, 572.0);
    try {
        (void)climate_of(g, "* K", 0);
        ADD_FAILURE() << "units K read";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnknownValue);
        EXPECT_NE(std::string(e.what()).find("m.inp:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("units 'K' are not C10, C or F"), std::string::npos)
            << e.what();
    }
    try {
        (void)climate_of(td_record("TMAX", 8, {{1, 80}}), "", 0);
        ADD_FAILURE() << "a file without the start month read";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no day of 6/2025"), std::string::npos) << e.what();
    }
}

namespace {

fs::path formats_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "climate-formats";
}

/// SWMM's Runoff Quantity Continuity terms of a model (its .rpt: mm, or inches in a US model).
struct Continuity {
    double evap, infil, runoff, final_snow, error_pct;
};

/// Runs `name`.inp from climate-formats/ and checks every value of `name`.csv.gz (link flows
/// within `flow_tol` m³/s, subcatchment runoff within `runoff_tol` m³/s, snow depths within
/// 0.001 mm), the peaks of `name`.summary.csv.gz within 2 % or 0.01 m / 0.001 m³/s, and the
/// runoff continuity terms within 0.0006 of SWMM's printed figure (its last digit is 0.001).
void expect_matches_swmm(const std::string& name, const Continuity& swmm, double flow_tol,
                         double runoff_tol) {
    Diagnostics d;
    const Network net = read_swmm_inp(formats_dir() / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net, SimulationOptions{});
    const auto cmp = rencheng::test::expect_series_match(
        net, res, formats_dir() / (name + ".csv.gz"), {flow_tol, runoff_tol, 0.001}, name);
    EXPECT_GT(cmp.checked, 1000U) << name;
    // continuity errors: SWMM's to its print precision (0.001 %) and a little more
    rencheng::test::expect_summary_match(net, res, formats_dir() / (name + ".summary.csv.gz"),
                                         0.0015, name);
    const double unit_m = is_si(net.options.flow_units) ? 0.001 : 0.0254; // mm or in
    const double area = rencheng::test::study_area_m2(net);
    const auto& r = res.summary.runoff;
    const auto depth = [&](double m3) { return m3 / area / unit_m; };
    EXPECT_NEAR(depth(r.evap_m3), swmm.evap, 0.0006) << name << " evaporation";
    EXPECT_NEAR(depth(r.infil_m3), swmm.infil, 0.0006) << name << " infiltration";
    EXPECT_NEAR(depth(r.runoff_m3), swmm.runoff, 0.0006) << name << " runoff";
    EXPECT_NEAR(depth(r.final_snow_m3), swmm.final_snow, 0.0006) << name << " final snow";
    EXPECT_NEAR(res.summary.runoff_continuity_error_pct, swmm.error_pct, 0.0015) << name;
    std::printf("[ info ] %s: %zu values; largest differences from SWMM: link flow %.2g m3/s, "
                "runoff %.2g m3/s, snow depth %.2g mm; evaporation %.4f (SWMM %.3f) %s\n",
                name.c_str(), cmp.checked, cmp.largest("flow_m3s"), cmp.largest("runoff_m3s"),
                cmp.largest("snow_depth_mm"), depth(r.evap_m3), swmm.evap,
                unit_m > 0.01 ? "in" : "mm");
}

} // namespace

// Evaporation from TD-3200, DLY04 and GHCN-Daily (tenths of °C, C10) files of June and July
// 2025 (missing values, quality flags, estimated and trace flags, an omitted day, elements SWMM
// does not read), over climate-files/'s network from 30 June to 5 July: `*-file` takes
// `[EVAPORATION] FILE` with pan coefficients, `*-temp` `TEMPERATURE` (Hargreaves) from 28 June.
// The link flows below the seeping storage unit differ from SWMM's by up to 0.002 m³/s, as in
// climate-files/ with a user-prepared file (the storage unit's exfiltration, not the climate).
TEST(ClimateFormatsValidation, EvaporationMatchesSwmm) {
    expect_matches_swmm("td3200-file", {1.646, 50.576, 15.361, 0.0, -0.495}, 0.0025, 1e-4);
    expect_matches_swmm("td3200-temp", {1.811, 50.482, 15.313, 0.0, -0.530}, 0.0025, 1e-4);
    expect_matches_swmm("dly-file", {1.624, 50.591, 15.368, 0.0, -0.496}, 0.0025, 1e-4);
    expect_matches_swmm("dly-temp", {1.823, 50.475, 15.310, 0.0, -0.533}, 0.0025, 1e-4);
    expect_matches_swmm("ghcnd-file", {1.624, 50.591, 15.368, 0.0, -0.496}, 0.0025, 1e-4);
    expect_matches_swmm("ghcnd-temp", {1.823, 50.475, 15.310, 0.0, -0.533}, 0.0025, 1e-4);
}

// td3200-temp with its file's records sorted by element, then month (td3200-order.dat): SWMM
// reads a month only up to the first record of a later month, so of June it reads the EVAP
// record alone (28 to 30 June keep 70 °F for Tmax and Tmin, no daily range); July's reading goes
// on to the end of the file, taking June's records as July's days where July's lack a value (3
// July's missing Tmax is 3 June's). Its Hargreaves evaporation falls from 1.811 to 0.488 mm, and
// ours with it.
TEST(ClimateFormatsValidation, RecordOrderMattersAsInSwmm) {
    expect_matches_swmm("td3200-order", {0.488, 50.871, 16.078, 0.0, -0.279}, 0.0025, 1e-4);
}

// Snowmelt on snow/snow-us.inp's four subcatchments (US units) with the air temperature and wind
// of a TD-3200 file (TMAX, TMIN in °F, WDMV miles a day; a missing Tmax, a Tmin of quality 2, a
// day without wind), a GHCN-Daily file in °F and mph (F) read from 30 December 2024 (across the
// new year), and a DLY04 file (no wind: 0). SWMM 5.2.4's Runoff Quantity Continuity in inches.
TEST(ClimateFormatsValidation, SnowmeltMatchesSwmm) {
    expect_matches_swmm("snow-td3200", {0.024, 0.161, 0.166, 1.874, -0.019}, 1e-4, 1e-5);
    expect_matches_swmm("snow-ghcnd", {0.036, 0.557, 0.434, 1.119, -0.035}, 1e-4, 1e-5);
    expect_matches_swmm("snow-dly", {0.028, 0.161, 0.182, 1.826, -0.021}, 1e-4, 1e-5);
}
