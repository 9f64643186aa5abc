// SWMM hot start files (drainage/hot_start.hpp, [FILES] SAVE / USE HOTSTART): the state a run
// saves is its end, a run started from a file starts from its state (stored volumes to the cubic
// metre worked by hand), SWMM's older file versions are read, and bad files are errors naming the
// file. Runoff interface files (drainage/runoff_file.hpp, SAVE / USE RUNOFF): a run from the file
// a run saved routes as that run did. The comparisons with SWMM 5.2.4's own files and runs are in
// test_drainage_validation.cpp (HotStartFilesMatchSwmm, RunoffFilesMatchSwmm).
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/hot_start.hpp"
#include "drainage/rainfall_file.hpp"
#include "drainage/runoff_file.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"

using namespace rencheng;
using namespace rencheng::drainage;

namespace {

constexpr double kFoot = 0.3048;
constexpr double kCfs = kFoot * kFoot * kFoot;

/// Two subcatchments (Horton and Green-Ampt) draining to a junction, a conduit into a storage
/// unit of constant area 200 m², emptied through an orifice to an outfall; `hours` long, rain
/// `mm_h` in the first hour. SWMM numbers the nodes J1, SU1, O1 (their lines' order).
std::string model(double mm_h, const std::string& files = "", int hours = 6) {
    return "[OPTIONS]\nFLOW_UNITS CMS\nFLOW_ROUTING DYNWAVE\nSTART_DATE 06/01/2025\n"
           "START_TIME 00:00\nEND_DATE 06/01/2025\nEND_TIME " +
           std::to_string(hours) +
           ":00\nREPORT_STEP 0:05\n"
           "WET_STEP 0:05\nDRY_STEP 0:15\nROUTING_STEP 0:00:10\n"
           "[FILES]\n" +
           files +
           "\n[RAINGAGES]\nRG1 INTENSITY 1:00 1.0 TIMESERIES R1\n"
           "[TIMESERIES]\nR1 0:00 " +
           std::to_string(mm_h) +
           "\nR1 1:00 0\n"
           "[SUBCATCHMENTS]\nS1 RG1 J1 4 30 200 2 0\nS2 RG1 J1 3 20 150 1 0\n"
           "[SUBAREAS]\nS1 0.013 0.2 1.5 5 25 OUTLET\nS2 0.013 0.15 1.5 4 25 OUTLET\n"
           "[INFILTRATION]\nS1 50 5 4 5 0 HORTON\nS2 80 8 0.3 GREEN_AMPT\n"
           "[JUNCTIONS]\nJ1 10 3 0 0 0\n"
           "[STORAGE]\nSU1 8 4 0 FUNCTIONAL 0 0 200 0 0\n"
           "[OUTFALLS]\nO1 6 FREE NO\n"
           "[CONDUITS]\nC1 J1 SU1 100 0.013 0 0 0 0\n"
           "[ORIFICES]\nOR1 SU1 O1 BOTTOM 0 0.6 NO 0\n"
           "[XSECTIONS]\nC1 CIRCULAR 0.8 0 0 0 1\nOR1 CIRCULAR 0.2 0 0 0\n";
}

Network parse(const std::string& text) {
    Diagnostics d;
    Network net = parse_swmm_inp(text, "hot.inp", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return net;
}

std::filesystem::path temp_dir(const char* name) {
    const auto dir = std::filesystem::temp_directory_path() /
                     (std::string("rencheng-") + name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir;
}

/// A hot start file of SWMM's `version` (1-4) for model(): the nodes J1, SU1, O1 at `depth_ft`
/// with lateral inflows `lat_cfs`, the links C1, OR1 at flow 0.5 and 0.25 cfs, depth 0.1 ft and
/// settings 1 and 0.5; version 3 on: each subcatchment's three ponded depths 0.01 ft, runoff 0.2
/// cfs and Horton / Green-Ampt states; version 2: each subcatchment's groundwater moisture and
/// water table instead.
std::string swmm_file(int version, const std::vector<float>& depth_ft,
                      const std::vector<float>& lat_cfs) {
    std::string out = "SWMM5-HOTSTART";
    if (version >= 2)
        out += static_cast<char>('0' + version);
    const auto put_int = [&](std::int32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    const auto put_double = [&](double v) { out.append(reinterpret_cast<const char*>(&v), 8); };
    const auto put_float = [&](float v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    if (version >= 2)
        put_int(2); // subcatchments
    if (version >= 3)
        put_int(0); // land uses
    put_int(3);     // nodes
    put_int(2);     // links
    put_int(0);     // pollutants
    put_int(3);     // CMS
    if (version >= 3) {
        for (int i = 0; i < 2; ++i) {
            for (int k = 0; k < 3; ++k)
                put_double(0.01);
            put_double(0.2);
            const double horton[6] = {1800.0, 0.05, 0, 0, 0, 0};
            const double green_ampt[6] = {0.2, 0.1, 0.04, 1, 600, 0};
            for (const double x : i == 0 ? horton : green_ampt)
                put_double(x);
        }
    } else if (version == 2) {
        for (int i = 0; i < 2; ++i) {
            put_float(0.3F);
            put_float(20.0F);
        }
    }
    for (int n = 0; n < 3; ++n) {
        put_float(depth_ft[static_cast<std::size_t>(n)]);
        put_float(lat_cfs[static_cast<std::size_t>(n)]);
        if (version >= 4 && n == 1)
            put_float(0.0F); // SU1's residence time
    }
    put_float(0.5F);
    put_float(0.1F);
    put_float(1.0F);
    put_float(0.25F);
    put_float(0.1F);
    put_float(0.5F);
    return out;
}

} // namespace

// The file a run saves holds its state at the end: each node's depth and each link's flow as the
// last report (at the end) gives them, to the file's single precision.
TEST(HotStart, SavedStateIsTheRunsEnd) {
    const auto dir = temp_dir("hot-save");
    const Network net = parse(model(20.0, "SAVE HOTSTART end.hsf", 2));
    SimulationOptions so;
    so.base_dir = dir;
    const auto res = simulate(net, so);
    const HotStart h = HotStart::read_file(net, dir / "end.hsf");
    EXPECT_EQ(h.version, 4);
    ASSERT_TRUE(h.has_runoff);
    const auto& s = res.series;
    ASSERT_EQ(s.time_s.back(), 2 * 3600);
    const std::size_t last = s.time_s.size() - 1;
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    for (std::size_t n = 0; n < nn; ++n)
        EXPECT_NEAR(h.node_depth_m[n], s.node_depth_m[last * nn + n],
                    1e-6 * std::max(1.0, s.node_depth_m[last * nn + n]))
            << net.node_id[n];
    double flowing = 0;
    for (std::size_t j = 0; j < nl; ++j) {
        EXPECT_NEAR(h.link_flow_m3s[j], s.link_flow_m3s[last * nl + j], 1e-7) << net.link_id[j];
        flowing += std::abs(h.link_flow_m3s[j]);
    }
    EXPECT_GT(flowing, 1e-3); // the storage unit still drains at the end
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    for (std::size_t i = 0; i < ns; ++i) { // still running off; reports show none below
        const double reported = s.subcatch_runoff_m3s[last * ns + i]; // SWMM's MIN_RUNOFF
        EXPECT_GT(h.subcatchments[i].runoff_m3s, 0.0);
        if (reported > 0) {
            EXPECT_NEAR(h.subcatchments[i].runoff_m3s, reported, 1e-12);
        }
    }
    // the Horton subcatchment has infiltrated: its state has moved on the decay curve
    EXPECT_GT(h.subcatchments[0].infiltration[0], 0.0);
    std::filesystem::remove_all(dir);
}

// A run started from a file starts from its state: the storage unit at 2 m holds 400 m³, the
// Horton subcatchment's pervious area ponded 4 mm deep holds 0.004 · 0.7 · 4 ha = 112 m³, and
// the routing and runoff continuity count them as initial storage; without the file both are 0.
TEST(HotStart, RunStartsFromTheFile) {
    const auto dir = temp_dir("hot-use");
    {
        const Network net = parse(model(0.0));
        HotStart h;
        h.has_runoff = true;
        h.subcatchments.resize(2);
        h.subcatchments[0].depth_m = {0.0, 0.0, 0.004};
        h.node_depth_m.assign(3, 0.0);
        h.node_depth_m[net.find_node("SU1").idx()] = 2.0;
        h.node_lateral_m3s.assign(3, 0.0);
        h.link_flow_m3s = {0.0, 0.0};
        h.link_depth_m = {0.0, 0.0};
        h.link_setting = {1.0, 1.0};
        h.write_file(net, dir / "start.hsf");
    }
    const Network cold = parse(model(0.0));
    const Network hot = parse(model(0.0, "USE HOTSTART start.hsf"));
    SimulationOptions so;
    so.base_dir = dir;
    const auto c = simulate(cold, so);
    const auto r = simulate(hot, so);
    EXPECT_LT(c.summary.routing.initial_storage_m3, 0.01);          // the conduit's least depth
    EXPECT_NEAR(r.summary.routing.initial_storage_m3, 400.0, 1e-4); // 2 m in feet, as a float
    EXPECT_EQ(c.summary.runoff.initial_storage_m3, 0.0);
    EXPECT_NEAR(r.summary.runoff.initial_storage_m3, 112.0, 1e-9);
    // the storage unit drains through its orifice from 2 m: lower at the first report, and the
    // water leaves through the outfall
    const auto nn = static_cast<std::size_t>(hot.node_count());
    const auto su1 = hot.find_node("SU1").idx();
    const double first = r.series.node_depth_m[su1];
    EXPECT_LT(first, 2.0);
    EXPECT_GT(first, 1.5);
    EXPECT_EQ(c.series.node_depth_m[nn + su1], 0.0);
    EXPECT_GT(r.summary.routing.outflow_m3, 350.0);
    std::filesystem::remove_all(dir);
}

// SWMM's older hot start files: version 3 (no storage residence time), version 2 (routing state
// and each subcatchment's groundwater moisture and water table, as floats) and version 1 (the
// routing state alone) are read; the values come out the same in each.
TEST(HotStart, OlderVersionsAreRead) {
    const Network net = parse(model(0.0));
    const std::vector<float> depth_ft = {0.5F, 3.0F, 0.25F}; // SWMM's order: J1, SU1, O1
    const std::vector<float> lat_cfs = {0.4F, 0.0F, 0.0F};
    for (int version = 1; version <= 4; ++version) {
        const HotStart h =
            HotStart::read_bytes(net, swmm_file(version, depth_ft, lat_cfs), "v.hsf");
        EXPECT_EQ(h.version, version);
        EXPECT_EQ(h.has_runoff, version >= 3);
        EXPECT_EQ(h.subcatchments.size(), version >= 2 ? 2U : 0U);
        const auto j1 = net.find_node("J1").idx(), su1 = net.find_node("SU1").idx();
        EXPECT_NEAR(h.node_depth_m[j1], 0.5 * kFoot, 1e-12) << version;
        EXPECT_NEAR(h.node_depth_m[su1], 3.0 * kFoot, 1e-12) << version;
        EXPECT_NEAR(h.node_lateral_m3s[j1], static_cast<double>(0.4F) * kCfs, 1e-12) << version;
        const auto or1 = net.find_link("OR1").idx();
        EXPECT_NEAR(h.link_flow_m3s[or1], 0.25 * kCfs, 1e-12) << version;
        EXPECT_EQ(h.link_setting[or1], 0.5) << version;
        if (version >= 3) {
            const auto& s = h.subcatchments[1];
            EXPECT_NEAR(s.depth_m[2], 0.01 * kFoot, 1e-15);
            EXPECT_NEAR(s.runoff_m3s, 0.2 * kCfs, 1e-15);
            EXPECT_NEAR(s.infiltration[1], 0.1 * kFoot, 1e-15);    // Green-Ampt F, ft → m
            EXPECT_EQ(s.infiltration[4], 600.0);                   // the timer stays in seconds
            EXPECT_EQ(h.subcatchments[0].infiltration[0], 1800.0); // Horton tp (s)
        }
        // a version-3 or 4 file's state written back is SWMM's version 4 with the same values
        if (version == 4) {
            EXPECT_EQ(h.to_bytes(net), swmm_file(4, depth_ft, lat_cfs));
        }
    }
}

TEST(HotStart, BadFilesAreErrorsNamingTheFile) {
    const Network net = parse(model(0.0));
    const auto fails = [&](const std::string& bytes, const std::string& what) {
        try {
            (void)HotStart::read_bytes(net, bytes, "bad.hsf");
            ADD_FAILURE() << "no error for " << what;
        } catch (const Error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("bad.hsf"), std::string::npos) << m;
            EXPECT_NE(m.find(what), std::string::npos) << m;
        }
    };
    const std::string good = swmm_file(4, {0.5F, 3.0F, 0.25F}, {0.0F, 0.0F, 0.0F});
    EXPECT_NO_THROW((void)HotStart::read_bytes(net, good, "good.hsf"));
    fails("SWMM5-RDII....", "not a hot start file");
    fails("", "not a hot start file");
    fails(good.substr(0, 20), "ends in its header");
    fails(good.substr(0, good.size() - 3), "ends early");
    fails(good + "xxxx", "4 bytes more");
    std::string other_units = good;
    const std::int32_t cfs = 0;
    std::memcpy(other_units.data() + 15 + 5 * 4, &cfs, 4);
    fails(other_units, "flow units code 0");
    std::string other_nodes = good;
    const std::int32_t four = 4;
    std::memcpy(other_nodes.data() + 15 + 2 * 4, &four, 4);
    fails(other_nodes, "written for 4 nodes, the model has 3");
    fails(swmm_file(4, {0.5F, std::nanf(""), 0.25F}, {0.0F, 0.0F, 0.0F}),
          "node 'SU1': the depth is not a number");
    const Network use = parse(model(0.0, "USE HOTSTART no-such-file.hsf"));
    SimulationOptions so;
    so.base_dir = std::filesystem::temp_directory_path();
    try {
        (void)simulate(use, so);
        ADD_FAILURE() << "a missing USE HOTSTART file ran";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-file.hsf"), std::string::npos) << e.what();
    }
}

// A run from the runoff file another run saved routes as that run did: the same peaks (the
// file keeps the runoff as 4-byte floats), and in the recession every link flow within the
// runoff SWMM writes as zero (below its MIN_RUNOFF, 2.31481e-8 ft/s over a subcatchment's area:
// 4.9e-4 m³/s for the two); it reports no runoff continuity and says where its runoff came from.
// A model with more runoff steps than the file is an error.
TEST(RunoffFile, RunFromItsOwnFileRoutesTheSame) {
    const auto dir = temp_dir("runoff-file");
    SimulationOptions so;
    so.base_dir = dir;
    const auto saved = simulate(parse(model(20.0, "SAVE RUNOFF ro.rof")), so);
    const Network use_net = parse(model(20.0, "USE RUNOFF ro.rof"));
    const auto used = simulate(use_net, so);
    EXPECT_TRUE(used.summary.runoff_from_file);
    EXPECT_FALSE(used.summary.has_runoff);
    EXPECT_EQ(used.summary.runoff_steps, saved.summary.runoff_steps);
    ASSERT_EQ(used.series.link_flow_m3s.size(), saved.series.link_flow_m3s.size());
    double worst = 0, peak = 0;
    for (std::size_t k = 0; k < used.series.link_flow_m3s.size(); ++k) {
        worst =
            std::max(worst, std::abs(used.series.link_flow_m3s[k] - saved.series.link_flow_m3s[k]));
        peak = std::max(peak, std::abs(saved.series.link_flow_m3s[k]));
    }
    EXPECT_LT(worst, 2.31481e-8 * kFoot * 70000.0);
    EXPECT_GT(peak, 0.09);
    for (std::size_t j = 0; j < saved.summary.max_flow_m3s.size(); ++j)
        EXPECT_NEAR(used.summary.max_flow_m3s[j], saved.summary.max_flow_m3s[j], 1e-6);
    const RunoffFile f = RunoffFile::read_file(use_net, dir / "ro.rof");
    EXPECT_EQ(f.step_count(), static_cast<std::size_t>(saved.summary.runoff_steps));
    // 20 mm/h over the first hour: the first wet step's rainfall as written, in mm/h
    EXPECT_NEAR(f.result(0, 0).rain_ms * 3600.0 * 1000.0, 20.0, 1e-5);
    // a longer run than the file holds
    try {
        (void)simulate(parse(model(20.0, "USE RUNOFF ro.rof", 8)), so);
        ADD_FAILURE() << "a run longer than its runoff file ran";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("ro.rof"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("before the run's end"), std::string::npos)
            << e.what();
    }
    std::filesystem::remove_all(dir);
}

TEST(RunoffFile, BadFilesAreErrorsNamingTheFile) {
    const Network net = parse(model(0.0));
    RunoffFile good_file(net);
    good_file.add_step(300.0, std::vector<RunoffStepResult>(2));
    const std::string good = good_file.to_bytes();
    EXPECT_NO_THROW((void)RunoffFile::read_bytes(net, good, "good.rof"));
    const auto fails = [&](const std::string& bytes, const std::string& what) {
        try {
            (void)RunoffFile::read_bytes(net, bytes, "bad.rof");
            ADD_FAILURE() << "no error for " << what;
        } catch (const Error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("bad.rof"), std::string::npos) << m;
            EXPECT_NE(m.find(what), std::string::npos) << m;
        }
    };
    fails("SWMM5-HOTSTART4", "not a runoff interface file");
    fails(good.substr(0, 20), "ends in its header");
    fails(good.substr(0, good.size() - 4), "does not hold its 1 steps");
    fails(good + good.substr(28), "does not hold its 1 steps");
    std::string set = good;
    const std::int32_t three = 3, zero = 0;
    std::memcpy(set.data() + 12, &three, 4);
    fails(set, "written for 3 subcatchments, the model has 2");
    set = good;
    std::memcpy(set.data() + 12 + 8, &zero, 4);
    fails(set, "flow units code 0");
    set = good;
    std::memcpy(set.data() + 12 + 12, &zero, 4);
    fails(set, "no runoff steps");
    set = good;
    const float nan = std::nanf(""), negative = -5.0F;
    std::memcpy(set.data() + 28, &negative, 4);
    fails(set, "step 1 is not a positive length of time");
    set = good;
    std::memcpy(set.data() + 28 + 4 + 4 * 4, &nan, 4);
    fails(set, "subcatchment 'S1': a value is not a number");
}

// A rainfall interface file written and read back holds the same gages and readings; bad files
// name the file and what is wrong; a gage whose station the file lacks is an error naming both.
TEST(RainfallFile, RoundTripAndBadFiles) {
    RainfallFile f;
    f.gages.push_back({"ST1", 900, {45838.0, 45838.0 + 1.0 / 96.0}, {0.25F, 0.5F}});
    f.gages.push_back({"ST2", 600, {45838.5}, {1.0F}});
    const std::string bytes = f.to_bytes();
    const RainfallFile back = RainfallFile::read_bytes(bytes, "r.rff");
    ASSERT_EQ(back.gages.size(), 2U);
    EXPECT_EQ(back.gages[0].station, "ST1");
    EXPECT_EQ(back.gages[0].interval_s, 900);
    EXPECT_TRUE(back.gages[0].day == f.gages[0].day);
    EXPECT_TRUE(back.gages[1].depth_in == f.gages[1].depth_in);
    EXPECT_EQ(back.find("ST2"), &back.gages[1]);
    EXPECT_EQ(back.find("st2"), nullptr); // SWMM compares stations exactly
    const auto fails = [](const std::string& b, const std::string& what) {
        try {
            (void)RainfallFile::read_bytes(b, "bad.rff");
            ADD_FAILURE() << "no error for " << what;
        } catch (const Error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("bad.rff"), std::string::npos) << m;
            EXPECT_NE(m.find(what), std::string::npos) << m;
        }
    };
    fails("SWMM5-RUNOFF", "not a rainfall interface file");
    fails(bytes.substr(0, 12), "ends in its header");
    fails(bytes.substr(0, 200), "does not fit the file");
    fails(bytes.substr(0, bytes.size() - 5), "not whole readings inside the file");
    std::string bad = bytes;
    const std::int32_t zero = 0;
    std::memcpy(bad.data() + 14 + 1025, &zero, 4);
    fails(bad, "interval 0 is not positive");
    bad = bytes;
    const double nan = std::nan("");
    std::memcpy(bad.data() + 14 + 2 * 1037, &nan, 8);
    fails(bad, "is not a number");
    // a model whose gage reads station ST3 from this file
    const auto dir = temp_dir("rainfall-file");
    f.write_file(dir / "r.rff");
    std::string text = model(0.0, "USE RAINFALL r.rff");
    text.replace(text.find("RG1 INTENSITY 1:00 1.0 TIMESERIES R1"),
                 std::string("RG1 INTENSITY 1:00 1.0 TIMESERIES R1").size(),
                 "RG1 VOLUME 0:15 1.0 FILE rain.dat ST3 IN");
    SimulationOptions so;
    so.base_dir = dir;
    try {
        (void)simulate(parse(text), so);
        ADD_FAILURE() << "a gage without readings in the USE RAINFALL file ran";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("station 'ST3'"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}
