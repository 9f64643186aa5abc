// Rainfall-dependent infiltration and inflow (RDII, drainage/rdii.hpp): the RTK unit hydrographs
// against values worked by hand, the initial abstraction, the reader's [HYDROGRAPHS] and [RDII]
// rules (SWMM 5.0's one-line form, error 153, a node listed twice, IGNORE_RDII), and the RDII
// volume in the routing continuity. The comparison with SWMM 5.2.4 is in
// test_drainage_validation.cpp (RdiiMatchesSwmm).
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/rdii.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"

using namespace rencheng;
using namespace rencheng::drainage;

namespace {

/// A junction taking the RDII of 50 ha under one unit hydrograph group (R 0.2, T 1 h, K 1) from
/// a gage that rains 10 mm/h for the first hour; `extra` goes into [HYDROGRAPHS] after the
/// group's lines, `uh_line` replaces its parameter line.
std::string model(const std::string& uh_line = "UH1 ALL SHORT 0.2 1.0 1.0",
                  const std::string& extra = "", const std::string& options = "") {
    return "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 06/01/2025\n"
           "START_TIME 00:00\nEND_DATE 06/01/2025\nEND_TIME 06:00\nREPORT_STEP 0:05\n"
           "WET_STEP 0:15\nDRY_STEP 1:00\nROUTING_STEP 0:00:10\n" +
           options +
           "\n[RAINGAGES]\nRG1 INTENSITY 1:00 1.0 TIMESERIES R1\n"
           "[TIMESERIES]\nR1 0:00 10\nR1 1:00 0\n"
           "[JUNCTIONS]\nJ1 10 3 0 0 0\n[OUTFALLS]\nO1 9 FREE NO\n"
           "[CONDUITS]\nC1 J1 O1 100 0.013 0 0 0 0\n[XSECTIONS]\nC1 CIRCULAR 1.0 0 0 0 1\n"
           "[RDII]\nJ1 UH1 50\n"
           "[HYDROGRAPHS]\nUH1 RG1\n" +
           uh_line + "\n" + extra + "\n";
}

Network parse(const std::string& text, Diagnostics& d) {
    return parse_swmm_inp(text, "rdii.inp", d);
}

/// The RDII inflows of `net`, on SWMM's 15-min step, with the gage's 10 mm/h in the first hour.
RdiiInflows inflows(const Network& net, double duration_s = 6 * 3600.0) {
    return RdiiInflows(
        net, 900.0, duration_s, [](int, double t) { return t < 3600.0 ? 0.010 / 3600.0 : 0.0; },
        [](double) { return 5; });
}

double inflow_at(const RdiiInflows& r, double t) {
    double q = 0;
    r.add_inflows(t, [&](int, double v) { q += v; });
    return q;
}

} // namespace

// The triangle of base 2 h sampled at the midpoints of the 900-s rain intervals: the RDII of the
// step starting at 1800 s convolves the rain of [0, 900) at 1350 s (f = 0.375) and of [900, 1800)
// at 450 s (f = 0.125): 0.2 · (2/7200 s) · 2.5 mm · (0.375 + 0.125) · 50 ha.
TEST(Rdii, ConvolutionAgreesWithTheTriangleWorkedByHand) {
    Diagnostics d;
    const Network net = parse(model(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const RdiiInflows r = inflows(net);
    const double unit = 0.2 * (2.0 / 7200.0) * 0.0025 * 5e5; // m³/s per unit of f
    EXPECT_EQ(inflow_at(r, 0.0), 0.0);
    EXPECT_EQ(inflow_at(r, 899.0), 0.0);
    EXPECT_NEAR(inflow_at(r, 900.0), unit * 0.125, 1e-12);
    EXPECT_NEAR(inflow_at(r, 1800.0), unit * (0.375 + 0.125), 1e-12);
    EXPECT_NEAR(inflow_at(r, 2699.0), unit * (0.375 + 0.125), 1e-12);
    // at 3600 s the four rain intervals sit at 450, 1350, 2250, 3150 s: f = 1/8, 3/8, 5/8, 7/8
    EXPECT_NEAR(inflow_at(r, 3600.0), unit * 2.0, 1e-12);
    // at 7200 s (the peak passed): 3600 + {450, 1350, 2250, 3150} s on the falling limb
    EXPECT_NEAR(inflow_at(r, 7200.0), unit * (0.875 + 0.625 + 0.375 + 0.125), 1e-12);
    EXPECT_EQ(inflow_at(r, 3 * 3600.0), 0.0); // the last interval's base has passed
    EXPECT_DOUBLE_EQ(r.step_s(), 900.0);
}

// The midpoint rule integrates the triangle exactly when T and T·K are whole rain intervals, so
// the RDII volume is R times the rain on the sewershed: 0.2 · 10 mm · 50 ha = 1000 m³.
TEST(Rdii, VolumeIsTheResponseRatioOfTheRain) {
    Diagnostics d;
    const Network net = parse(model(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const RdiiInflows r = inflows(net);
    EXPECT_NEAR(r.sewershed_rain_m3(), 5000.0, 1e-9);
    EXPECT_NEAR(r.rdii_produced_m3(), 1000.0, 1e-9);
}

// An initial abstraction of 4 mm, empty at the start, takes the first 4 mm of the 10 mm: RDII
// from 6 mm, 600 m³. Full at the start (Dinit = Dmax) and not recovering, it takes nothing.
TEST(Rdii, InitialAbstractionTakesTheFirstRain) {
    Diagnostics d;
    const Network a = parse(model("UH1 ALL SHORT 0.2 1.0 1.0 4 0 0"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(a).rdii_produced_m3(), 600.0, 1e-9);
    // the first interval (2.5 mm) vanishes, the second passes 1 mm: at 900 s nothing yet
    EXPECT_EQ(inflow_at(inflows(a), 900.0), 0.0);
    const Network b = parse(model("UH1 ALL SHORT 0.2 1.0 1.0 4 0 4"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(b).rdii_produced_m3(), 1000.0, 1e-9);
    // recovering 96 mm/day = 1 mm per 15 min: a full abstraction regains nothing while it
    // rains, so again 1000 m³
    const Network c = parse(model("UH1 ALL SHORT 0.2 1.0 1.0 4 96 4"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(c).rdii_produced_m3(), 1000.0, 1e-9);
}

// A month's line overrides the ALL line for that month only; lines apply in file order.
TEST(Rdii, MonthLinesOverrideAllMonths) {
    Diagnostics d;
    const Network jun = parse(model("UH1 ALL SHORT 0.2 1.0 1.0", "UH1 JUN SHORT 0.1 1.0 1.0"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(jun).rdii_produced_m3(), 500.0, 1e-9); // month0 5: June
    const Network jul = parse(model("UH1 ALL SHORT 0.2 1.0 1.0", "UH1 JUL SHORT 0.1 1.0 1.0"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(jul).rdii_produced_m3(), 1000.0, 1e-9);
    const Network all_last =
        parse(model("UH1 JUN SHORT 0.1 1.0 1.0", "UH1 ALL SHORT 0.2 1.0 1.0"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(all_last).rdii_produced_m3(), 1000.0, 1e-9);
}

// SWMM 5.0's one-line form (month, then R T K of the three responses, then the abstraction)
// reads as the three lines of 5.2's form.
TEST(Rdii, OldOneLineFormReadsAsThreeResponses) {
    Diagnostics d;
    const Network one = parse(model("UH1 ALL 0.1 1.0 1.0 0.05 2.0 1.0 0.05 1.0 3.0 2 10 0"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const Network three =
        parse(model("UH1 ALL SHORT 0.1 1.0 1.0 2 10 0", "UH1 ALL MEDIUM 0.05 2.0 1.0 2 10 0\n"
                                                        "UH1 ALL LONG 0.05 1.0 3.0 2 10 0"),
              d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(one.hydrographs[0].params.size(), 3U);
    const RdiiInflows a = inflows(one, 12 * 3600.0), b = inflows(three, 12 * 3600.0);
    EXPECT_DOUBLE_EQ(a.rdii_produced_m3(), b.rdii_produced_m3());
    for (double t = 0; t < 12 * 3600.0; t += 900.0)
        EXPECT_DOUBLE_EQ(inflow_at(a, t), inflow_at(b, t)) << t;
}

// R of a month's three responses above 1.01 is SWMM's error 153, named with file and line.
TEST(Rdii, ResponseRatiosAboveOneAreAnError) {
    Diagnostics d;
    parse(model("UH1 ALL SHORT 0.5 1.0 1.0", "UH1 ALL MEDIUM 0.3 2 1\nUH1 AUG LONG 0.25 3 1"), d);
    ASSERT_TRUE(d.has_errors());
    const std::string text = d.format();
    EXPECT_NE(text.find("rdii.inp:"), std::string::npos) << text;
    EXPECT_NE(text.find("add up to 1.05"), std::string::npos) << text;
    EXPECT_NE(text.find("AUG"), std::string::npos) << text;
    Diagnostics ok;
    parse(model("UH1 ALL SHORT 0.5 1.0 1.0", "UH1 ALL MEDIUM 0.3 2 1\nUH1 AUG LONG 0.21 3 1"), ok);
    EXPECT_FALSE(ok.has_errors()) << ok.format();
}

// A base time far beyond the run convolves the run's rain intervals alone: the past it would
// keep holds no rain (K = 1e8, 4e8 intervals of 900 s, took gigabytes). With K = 1e4, at 3600 s
// the rising limb of 1 h gives f = 1/8, 3/8, 5/8, 7/8 as in the triangle worked by hand, over
// its base; at 5 h the four rain intervals, 14850 to 17550 s old, are on the falling limb.
TEST(Rdii, BaseTimeBeyondTheRunKeepsOnlyTheRun) {
    Diagnostics d;
    const Network net = parse(model("UH1 ALL SHORT 0.2 1.0 1e4"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const RdiiInflows r = inflows(net);
    const double base_s = 3600.0 * (1.0 + 1e4);
    const double unit = 0.2 * (2.0 / base_s) * 0.0025 * 5e5;
    EXPECT_NEAR(inflow_at(r, 3600.0), unit * 2.0, 1e-12 * unit);
    EXPECT_NEAR(inflow_at(r, 5 * 3600.0), unit * (4.0 - 50400.0 / (base_s - 3600.0)), 1e-12 * unit);
    Diagnostics d2;
    const Network longer = parse(model("UH1 ALL SHORT 0.2 1.0 1e8"), d2);
    ASSERT_FALSE(d2.has_errors()) << d2.format();
    EXPECT_GE(inflows(longer).rdii_produced_m3(), 0.0);
}

// A base time T·(1 + K) beyond 1e9 hours is an error at its line (its seconds overflowed the
// RDII's count).
TEST(Rdii, BaseTimeBeyondTheLongestTimeIsAnError) {
    Diagnostics d;
    parse(model("UH1 ALL SHORT 0.2 1e50 1e60"), d);
    ASSERT_TRUE(d.has_errors());
    const std::string text = d.format();
    EXPECT_NE(text.find("rdii.inp:"), std::string::npos) << text;
    EXPECT_NE(text.find("exceeds 1e9 hours"), std::string::npos) << text;
    Diagnostics old_form;
    parse(model("UH1 ALL 0.1 1 1e9 0.1 1 1 0.1 1 1 0 0 0"), old_form);
    EXPECT_NE(old_form.format().find("exceeds 1e9 hours"), std::string::npos) << old_form.format();
}

// A node listed twice in [RDII] keeps its last line (SWMM replaces the first).
TEST(Rdii, NodeListedTwiceKeepsItsLastLine) {
    Diagnostics d;
    std::string text = model();
    const auto at = text.find("J1 UH1 50");
    text.replace(at, 9, "J1 UH1 20\nJ1 UH1 50");
    const Network net = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    EXPECT_NEAR(inflows(net).rdii_produced_m3(), 1000.0, 1e-9);
}

// Through a run: the RDII is an inflow of the routing continuity, and IGNORE_RDII drops it.
TEST(Rdii, RunCountsRdiiInTheRoutingContinuity) {
    Diagnostics d;
    const Network net = parse(model(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net);
    const auto& s = res.summary;
    EXPECT_TRUE(s.has_rdii);
    EXPECT_NEAR(s.rdii.produced_m3, 1000.0, 1e-9);
    EXPECT_NEAR(s.rdii.sewershed_rain_m3, 5000.0, 1e-9);
    // the routing counts each step's inflow over the routing steps; the RDII steps hold their
    // value, so the total is the same but for the trapezoid at the step edges
    EXPECT_NEAR(s.routing.rdii_m3, 1000.0, 1.0);
    EXPECT_LT(std::abs(s.flow_routing_continuity_error_pct), 0.5);
    double peak = 0;
    for (const double q : res.series.node_inflow_m3s)
        peak = std::max(peak, q);
    // the peak: at 5400 s the four wet intervals sit at 2250, 3150, 4050, 4950 s, f = 5/8, 7/8,
    // 7/8, 5/8
    EXPECT_NEAR(peak, 0.2 * (2.0 / 7200.0) * 0.0025 * 5e5 * 3.0, 1e-6);

    const Network ignored = parse(model("UH1 ALL SHORT 0.2 1.0 1.0", "", "IGNORE_RDII YES\n"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto none = simulate(ignored);
    EXPECT_FALSE(none.summary.has_rdii);
    EXPECT_EQ(none.summary.routing.rdii_m3, 0.0);
}

namespace {

/// SWMM's binary RDII file: stamp, step, node numbers, then (day, flows in cfs) records.
std::string binary_rdii(std::int32_t step, const std::vector<std::int32_t>& nodes,
                        const std::vector<std::pair<double, std::vector<float>>>& records) {
    std::string b = "SWMM5-RDII";
    const auto put = [&](const void* p, std::size_t n) {
        b.append(static_cast<const char*>(p), n);
    };
    const auto count = static_cast<std::int32_t>(nodes.size());
    put(&step, 4);
    put(&count, 4);
    for (const std::int32_t j : nodes)
        put(&j, 4);
    for (const auto& [day, flows] : records) {
        put(&day, 8);
        put(flows.data(), flows.size() * 4);
    }
    return b;
}

} // namespace

// [FILES] SAVE RDII writes SWMM's binary file and USE RDII reads it back: the same flows at every
// step (as 4-byte floats), held over each step, none in the gaps SWMM leaves for steps without
// any inflow; the run from the file routes them in place of the unit hydrographs.
TEST(Rdii, FileWrittenIsReadBackStepByStep) {
    Diagnostics d;
    const Network net = parse(model(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const RdiiInflows computed = inflows(net);
    const auto path = std::filesystem::temp_directory_path() /
                      ("rencheng-rdii-" + std::to_string(::getpid()) + ".rdii");
    computed.write_file(net, path);
    const RdiiInflows read = RdiiInflows::read_file(net, path);
    std::filesystem::remove(path);
    EXPECT_TRUE(read.from_file());
    EXPECT_DOUBLE_EQ(read.step_s(), 900.0);
    int compared = 0;
    for (double t = 0; t <= 6 * 3600.0; t += 450.0) {
        const double want = inflow_at(computed, t), got = inflow_at(read, t);
        EXPECT_NEAR(got, want, 1e-7 * std::max(want, 1e-9)) << t;
        compared += want > 0 ? 1 : 0;
    }
    EXPECT_GT(compared, 10);
    // A record at 0 s and one at 1800 s: none in between, none after 2700 s.
    const std::string b =
        binary_rdii(900, {0}, {{45809.0, {1.0F}}, {45809.0 + 1800.0 / 86400, {2.0F}}});
    const RdiiInflows gaps = RdiiInflows::read_bytes(net, b, "gaps.rdii");
    const double cfs = 0.02832; // SWMM's m³/s per cfs of a CMS model
    EXPECT_NEAR(inflow_at(gaps, 0.0), cfs, 1e-9);
    EXPECT_NEAR(inflow_at(gaps, 899.0), cfs, 1e-9);
    EXPECT_EQ(inflow_at(gaps, 900.0), 0.0);
    EXPECT_NEAR(inflow_at(gaps, 1800.0), 2 * cfs, 1e-9);
    EXPECT_EQ(inflow_at(gaps, 2700.0), 0.0);
}

// A file that is not one names itself and what is wrong: a record cut short, a node number out
// of range or of a node without an [RDII] line, a flow that is not a number, a text file naming a
// node the network lacks; and a model whose USE RDII file is missing stops with the file's name.
TEST(Rdii, BadFilesAreErrorsNamingTheFile) {
    Diagnostics d;
    const Network net = parse(model(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto fails = [&](const std::string& bytes, const std::string& what) {
        try {
            (void)RdiiInflows::read_bytes(net, bytes, "bad.rdii");
            ADD_FAILURE() << "no error for " << what;
        } catch (const Error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("bad.rdii"), std::string::npos) << m;
            EXPECT_NE(m.find(what), std::string::npos) << m;
        }
    };
    const std::string good = binary_rdii(900, {0}, {{45809.0, {1.0F}}});
    fails(good.substr(0, good.size() - 2), "ends early");
    fails(binary_rdii(900, {7}, {{45809.0, {1.0F}}}), "node number 7");
    fails(binary_rdii(900, {1}, {{45809.0, {1.0F}}}), "has no [RDII] line");
    fails(binary_rdii(900, {0}, {{45809.0, {std::nanf("")}}}), "not a number");
    fails(binary_rdii(0, {0}, {{45809.0, {1.0F}}}), "time step");
    fails(binary_rdii(900, {0}, {}), "no flows");
    fails("SWMM5 Interface File\nt\n900\n1\nFLOW CMS\n1\nJX\nheading\n"
          "JX 2025 06 01 00 00 00 0.1\n",
          "node 'JX' is not in the network");
    const Network use = parse(model() + "[FILES]\nUSE RDII no-such-file.rdii\n", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = std::filesystem::temp_directory_path();
    try {
        (void)simulate(use, so);
        ADD_FAILURE() << "a missing USE RDII file ran";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-file.rdii"), std::string::npos) << e.what();
    }
}

// A text RDII file is routed even by a model without [RDII] lines (SWMM opens a USE RDII file
// whatever the model holds); IGNORE_RDII leaves it out.
TEST(Rdii, TextFileIsRoutedWithoutRdiiLines) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("rencheng-rdii-text-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream f(dir / "ii.txt");
        f << "SWMM5 Interface File\nII\n3600\n1\nFLOW CMS\n1\nJ1\nNode Year Mon Day Hr Min Sec "
             "FLOW\nJ1 2025 06 01 01 00 00 0.25\n";
    }
    const std::string text =
        "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 06/01/2025\n"
        "START_TIME 00:00\nEND_DATE 06/01/2025\nEND_TIME 04:00\nREPORT_STEP 0:15\n"
        "ROUTING_STEP 0:00:10\n[JUNCTIONS]\nJ1 10 3 0 0 0\n[OUTFALLS]\nO1 9 FREE NO\n"
        "[CONDUITS]\nC1 J1 O1 100 0.013 0 0 0 0\n[XSECTIONS]\nC1 CIRCULAR 1.0 0 0 0 1\n"
        "[FILES]\nUSE RDII ii.txt\n";
    Diagnostics d;
    Network net = parse(text, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = dir;
    const auto res = simulate(net, so);
    // 0.25 m³/s for the hour from 1:00: 900 m³ into the system, none before 1:00
    EXPECT_NEAR(res.summary.routing.rdii_m3, 900.0, 1.0);
    net.options.ignore_rdii = true;
    EXPECT_EQ(simulate(net, so).summary.routing.rdii_m3, 0.0);
    std::filesystem::remove_all(dir);
}
