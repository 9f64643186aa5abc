// Unit tests of the EPANET .inp writer: units written back, quoting, read → write → read identity.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "network_compare.hpp"
#include "parse_ok.hpp"
#include "water/epanet_inp.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;

namespace {

void expect_round_trip(const std::string& text) {
    const Network a = parse_ok(text);
    const std::string written = format_inp(a);
    const Network b = parse_ok(written, "written.inp");
    const auto diffs = test_support::NetworkDiff(1e-12).compare(a, b);
    EXPECT_TRUE(diffs.empty()) << diffs.front() << "\n" << written;
    // Writing again gives a network that still compares equal.
    const Network c = parse_ok(format_inp(b), "written-twice.inp");
    EXPECT_TRUE(test_support::NetworkDiff(1e-12).compare(a, c).empty());
}

// Every section and most options, in a flow unit with non-trivial factors.
const std::string kEverything = R"([TITLE]
Round trip test
second line

[JUNCTIONS]
 J1 710 150 P1
 "J 2" 700 0
 J3 695 10
 J4 690 5
 J5 680 1
[RESERVOIRS]
 R1 800 P2
[TANKS]
 T1 850 120 100 150 50.5 10 VC YES
 T2 840 12 10 15 20
[PIPES]
 P1 J1 "J 2" 10530 18 100 0.5 Open
 P2 "J 2" J3 5280 14 100 0 Closed
 P3 J3 T1 200 18 100 0 CV
 P4 J3 J4 100 12 110
[PUMPS]
 PU1 R1 J1 HEAD C1 SPEED 1.1 PATTERN P1
 PU2 J4 T2 POWER 30
 PU3 J5 T2 47 33 660 0 1320
[PIPES]
 P5 J4 J5 100 8 120
[VALVES]
 V1 J1 J4 12 PRV 45 0.2
 V2 J3 J5 10 FCV 300
 V3 J4 "J 2" 8 GPV C2
 V4 J5 J1 8 TCV 3.5
[TAGS]
 NODE J1 north
 LINK P1 main
[DEMANDS]
 J3 12 P1 ; domestic
 J3 3 ; fire flow
 J4 7 P2
[STATUS]
 V4 CLOSED
 PU2 CLOSED
[PATTERNS]
 P1 1.0 1.2 1.4 1.6 1.4 1.2 1.0 0.8
 P2 0.9 1.1
[CURVES]
 C1 1500 250
 C2 0 0
 C2 500 10
 VC 0 0
 VC 50 100000
 EFF 1000 60
 EFF 2000 75
[CONTROLS]
 LINK PU1 OPEN IF NODE T1 BELOW 110
 LINK PU1 CLOSED IF NODE J1 ABOVE 80
 LINK V1 50 AT TIME 6:30
 LINK P2 OPEN AT CLOCKTIME 7:15 PM
 LINK PU1 0.9 AT TIME 15
[RULES]
RULE 1
IF TANK T1 LEVEL ABOVE 140
AND SYSTEM CLOCKTIME >= 8 AM
OR JUNCTION J1 PRESSURE < 45.5
AND LINK P1 FLOW > 1000
AND PUMP PU1 STATUS = OPEN
THEN PUMP PU1 STATUS = CLOSED
AND VALVE V1 SETTING = 40
ELSE PUMP PU1 SETTING = 0.8
PRIORITY 2

RULE "Second rule"
IF SYSTEM TIME >= 12:30
AND NODE T1 DRAINTIME < 1.5
AND SYSTEM DEMAND > 2000
THEN VALVE V2 SETTING = 250
[ENERGY]
 Global Efficiency 75
 Global Price 0.1
 Global Pattern P2
 Demand Charge 1.5
 Pump PU1 Efficiency EFF
 Pump PU1 Price 0.2
 Pump PU2 Pattern P1
[EMITTERS]
 J4 0.8
[QUALITY]
 J1 0.5
 R1 1.0
[SOURCES]
 R1 CONCEN 1.5 P1
 J3 MASS 100
[REACTIONS]
 Order Bulk 1
 Order Wall 1
 Order Tank 1
 Global Bulk -0.5
 Global Wall -1
 Bulk P1 -0.3
 Wall P2 -0.7
 Tank T1 -0.1
 Limiting Potential 0.2
 Roughness Correlation 0.3
[MIXING]
 T1 2COMP 0.4
 T2 LIFO
[TIMES]
 Duration 72:00
 Hydraulic Timestep 0:30
 Quality Timestep 0:05
 Rule Timestep 0:03
 Pattern Timestep 3:00
 Pattern Start 1:00
 Report Timestep 2:00
 Report Start 0:00
 Start ClockTime 6 AM
 Statistic NONE
[REPORT]
 Status Yes
 Nodes J1 "J 2"
[OPTIONS]
 Units MGD
 Pressure kPa
 Headloss D-W
 Specific Gravity 1.02
 Viscosity 1.1
 Trials 55
 Accuracy 0.0005
 HeadError 0.01
 FlowChange 0.02
 Unbalanced Continue 10
 Pattern P2
 Demand Multiplier 1.2
 Demand Model PDA
 Minimum Pressure 5
 Required Pressure 40
 Pressure Exponent 0.6
 Emitter Exponent 0.55
 Emitter Backflow NO
 Quality Chlorine mg/L
 Diffusivity 0.9
 Tolerance 0.02
 CheckFreq 3
 MaxCheck 12
 DampLimit 0.05
 Map net.map
[COORDINATES]
 J1 20.5 70.25
 "J 2" 30 70
 T1 50 90
[VERTICES]
 P1 25 71
 P1 27 72
[LABELS]
 6.99 73.63 "Source node" R1
 13.48 68.13 "Pump"
[BACKDROP]
 DIMENSIONS 0.00 0.00 100.00 100.00
 UNITS None
 OFFSET 0.00 0.00
[LEAKAGE]
 P1 1.2 0.3
[END]
)";

} // namespace

TEST(EpanetWriter, EverySectionRoundTrips) {
    expect_round_trip(kEverything);
}

TEST(EpanetWriter, RoundTripInEveryFlowUnit) {
    for (const char* units :
         {"CFS", "GPM", "MGD", "IMGD", "AFD", "LPS", "LPM", "MLD", "CMH", "CMD", "CMS"}) {
        SCOPED_TRACE(units);
        std::string text = kEverything;
        const auto at = text.find("Units MGD");
        text.replace(at, 9, std::string("Units ") + units);
        expect_round_trip(text);
    }
}

TEST(EpanetWriter, WritesTheFileUnitsBack) {
    const Network net = parse_ok("[JUNCTIONS]\n J1 710 150\n[RESERVOIRS]\n R1 800\n"
                                 "[PIPES]\n P1 R1 J1 10530 18 100\n[OPTIONS]\n Units GPM\n");
    const std::string text = format_inp(net);
    EXPECT_NE(text.find("Units\tGPM"), std::string::npos);
    EXPECT_NE(text.find("J1\t710\t150"), std::string::npos) << text;
    EXPECT_NE(text.find("P1\tR1\tJ1\t10530\t18\t100\t0\tOpen"), std::string::npos) << text;
}

TEST(EpanetWriter, QuotesIdsWithBlanks) {
    const Network net = parse_ok("[JUNCTIONS]\n \"Node A\" 1\n[RESERVOIRS]\n R1 5\n"
                                 "[PIPES]\n \"Pipe 1\" R1 \"Node A\" 1 1 100\n"
                                 "[OPTIONS]\n Units LPS\n");
    const std::string text = format_inp(net);
    EXPECT_NE(text.find("\"Pipe 1\"\tR1\t\"Node A\""), std::string::npos) << text;
}

TEST(EpanetWriter, CuratedNetworksRoundTrip) {
    const auto root = std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water";
    for (const char* name : {"net1/Net1.inp", "net3/Net3.inp", "wntr-io/io.inp"}) {
        SCOPED_TRACE(name);
        expect_round_trip(read_file(root / name));
    }
}

TEST(EpanetWriter, WritesAFileAtomically) {
    const Network net = parse_ok(kEverything);
    const auto dir = std::filesystem::temp_directory_path() / "rencheng_water_writer_test";
    std::filesystem::create_directories(dir);
    const auto path = dir / "out.inp";
    write_inp(path, net);
    Diagnostics diags;
    const Network back = read_inp(path, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(back.link_count(), net.link_count());
    std::filesystem::remove_all(dir);
}
