// Runoff interface files with pollutants (drainage/runoff_file.hpp): SAVE RUNOFF writes each
// subcatchment's washoff concentrations as EPA SWMM 5.2.4 does, USE RUNOFF routes the pollutants
// of the file's washoff through the network, in both directions against SWMM 5.2.4's runs
// (tests/validation/drainage/quality-runoff-files/); and the two points where routing interface
// files with pollutants follow SWMM (drainage/interface_file.hpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/interface_file.hpp"
#include "drainage/quality_swmm_check.hpp"
#include "drainage/runoff_file.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/files.hpp"
#include "support/replace_once.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;
using rencheng::test::replace_once;
using rencheng::test::slurp;
using rencheng::test::quality::check_routing_quality;
using rencheng::test::quality::check_runoff_quality;

namespace {

fs::path files_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" /
           "quality-runoff-files";
}

fs::path quality_files_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "quality-files";
}

fs::path temp_dir(const std::string& name) {
    return rencheng::test::fresh_temp_dir("quality-runoff-files", name);
}

Network read_model(const fs::path& dir, const std::string& name) {
    Diagnostics d;
    Network net = read_swmm_inp(dir / (name + ".inp"), d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return net;
}

struct Model {
    const char* save;
    const char* use;
    const char* file;
};
// an SI model (LPS, dynamic wave, three pollutants, one in counts, an aquifer in the saved run)
// and a CFS one (kinematic wave, a µg/L co-pollutant, a subcatchment running onto another)
constexpr Model kModels[] = {{"qrof-save", "qrof-use", "qrof-swmm.rof"},
                             {"qrof-us-save", "qrof-us-use", "qrof-us-swmm.rof"}};

} // namespace

// SAVE RUNOFF: the run is SWMM's (its Runoff Quality Continuity and washoff at every report), and
// the file it writes holds SWMM's steps and, per step and subcatchment, SWMM's runoff and washoff
// concentrations (none where the runoff is none).
TEST(RunoffFileQuality, SavedFileHoldsSwmmsWashoff) {
    for (const auto& m : kModels) {
        const Network net = read_model(files_dir(), m.save);
        const auto dir = temp_dir(m.save);
        SimulationOptions so;
        so.base_dir = dir;
        const auto res = simulate(net, so);
        ASSERT_TRUE(res.summary.has_quality) << m.save;
        (void)check_runoff_quality(files_dir(), m.save, net, res);
        const RunoffFile ours = RunoffFile::read_file(net, dir / m.file);
        const RunoffFile swmm = RunoffFile::read_file(net, files_dir() / m.file);
        ASSERT_EQ(ours.pollutant_count(), res.summary.pollutants.size());
        ASSERT_EQ(ours.step_count(), swmm.step_count()) << m.save;
        const std::size_t ns = static_cast<std::size_t>(net.subcatchments.count());
        const std::size_t np = ours.pollutant_count();
        double runoff = 0, washoff = 0;
        std::size_t values = 0, zeros_agree = 0, within_1e6 = 0;
        for (std::size_t k = 0; k < ours.step_count(); ++k) {
            EXPECT_EQ(ours.step_s(k), swmm.step_s(k)) << m.save << " step " << k;
            for (std::size_t i = 0; i < ns; ++i) {
                const double qa = ours.result(k, i).runoff_m3s, qb = swmm.result(k, i).runoff_m3s;
                runoff = std::max(runoff, std::abs(qa - qb) / (std::abs(qb) + 1e-3));
                for (std::size_t p = 0; p < np; ++p) {
                    const double a = ours.washoff(k, i, p), b = swmm.washoff(k, i, p);
                    // where one run has runoff and the other none (at SWMM's MIN_RUNOFF), the
                    // concentration is written in one file only
                    if ((qa > 0) != (qb > 0))
                        continue;
                    if (b == 0) {
                        EXPECT_EQ(a, 0.0) << m.save << " step " << k << " subcatchment " << i;
                        ++zeros_agree;
                        continue;
                    }
                    washoff = std::max(washoff, std::abs(a - b) / std::abs(b));
                    within_1e6 += std::abs(a - b) <= 1e-6 * std::abs(b) ? 1 : 0;
                    ++values;
                }
            }
        }
        // the runs' own agreement: the washoff follows the runoff (within 6·10⁻⁵ of SWMM's in
        // the CFS model, SWMM's acre) and a buildup-limited washoff its buildup
        EXPECT_LT(runoff, 1e-4) << m.save;
        EXPECT_LT(washoff, 2e-4) << m.save;
        EXPECT_GT(values, 1000U) << m.save;
        std::printf("[ info ] %s: SAVE RUNOFF file of %zu steps against SWMM's: runoff within "
                    "%.1e·(|q| + 0.001 m3/s), washoff within %.1e relative, %.1f %% of them "
                    "within 1e-6 (%zu values, %zu zeros as SWMM's)\n",
                    m.save, ours.step_count(), runoff, washoff,
                    100.0 * static_cast<double>(within_1e6) / static_cast<double>(values), values,
                    zeros_agree);
        fs::remove_all(dir);
    }
}

// USE RUNOFF from SWMM's file: nothing builds up or washes off (the Runoff Quality Continuity
// holds the initial buildup alone, as SWMM's), the washoff reported is the file's, and the
// pollutants routed through the changed network match SWMM's run at every report time and in
// its Quality Routing Continuity and outfall loads.
TEST(RunoffFileQuality, RunFromSwmmsFileMatchesSwmm) {
    for (const auto& m : kModels) {
        const Network net = read_model(files_dir(), m.use);
        const auto res = simulate(net, SimulationOptions{});
        EXPECT_TRUE(res.summary.runoff_from_file) << m.use;
        ASSERT_TRUE(res.summary.has_quality_routing) << m.use;
        bool noted = false;
        for (const auto& n : res.summary.not_simulated)
            noted = noted || n.find("washoff concentrations read from the [FILES] USE RUNOFF "
                                    "file") != std::string::npos;
        EXPECT_TRUE(noted) << m.use;
        // the initial buildup and nothing else; the washoff reported is the file's
        (void)check_runoff_quality(files_dir(), m.use, net, res, 1e-6);
        // the summary CSV has the table (SWMM reports it for a USE RUNOFF run)
        EXPECT_NE(format_summary_csv(net, res).find("quality_TSS_initial_buildup_kg"),
                  std::string::npos)
            << m.use;
        // the CFS network's upstream junction J1 differs from SWMM's by up to 1.7 % of its
        // concentration whether the runoff is read or computed (the model without its [FILES]
        // line, run by both: 1.7 % too): RenCheng's dynamic wave routing of this network, not
        // the file; every other node and link within 0.5 %
        const bool si = std::string(m.use) == "qrof-use";
        const auto routed = check_routing_quality(files_dir(), m.use, net, res, si ? 2e-4 : 1e-3,
                                                  0.002, si ? 0.003 : 0.02, si ? 1000 : 500);
        std::printf("[ info ] %s from SWMM's file: routing figures within %.1e, node and link "
                    "concentrations within %.1e·(|c| + 1)\n",
                    m.use, routed.first, routed.second);
    }
}

// SWMM's USE RUNOFF run, from the file RenCheng saved: the same within the runs' agreement.
TEST(RunoffFileQuality, RunFromOwnFileMatchesSwmmsRun) {
    for (const auto& m : kModels) {
        const auto dir = temp_dir(std::string(m.use) + "-own");
        SimulationOptions so;
        so.base_dir = dir;
        (void)simulate(read_model(files_dir(), m.save), so);
        const Network net = read_model(files_dir(), m.use);
        const auto res = simulate(net, so);
        ASSERT_TRUE(res.summary.has_quality_routing) << m.use;
        (void)check_runoff_quality(files_dir(), m.use, net, res, 1e-4);
        const bool si = std::string(m.use) == "qrof-use";
        (void)check_routing_quality(files_dir(), m.use, net, res, 1e-3, 0.01, si ? 0.005 : 0.02,
                                    si ? 1000 : 500);
        fs::remove_all(dir);
    }
}

// A runoff file written for another number of pollutants than the model's is an error naming the
// file (SWMM's rule: the same subcatchments, pollutants and flow units).
TEST(RunoffFileQuality, FileOfOtherPollutantsIsAnErrorNamingTheFile) {
    const Network net = read_model(files_dir(), "qrof-use");
    std::string bytes = slurp(files_dir() / "qrof-swmm.rof");
    ASSERT_GT(bytes.size(), 28U);
    const std::int32_t two = 2; // the pollutant count follows the stamp and the subcatchments
    std::memcpy(bytes.data() + 16, &two, 4);
    const auto dir = temp_dir("bad");
    write_file_atomic(dir / "qrof-swmm.rof", bytes);
    SimulationOptions so;
    so.base_dir = dir;
    std::string what = "no error";
    try {
        (void)simulate(net, so);
    } catch (const Error& e) {
        what = e.what();
    }
    EXPECT_NE(what.find((dir / "qrof-swmm.rof").string()), std::string::npos) << what;
    EXPECT_NE(what.find("it was written for 2 pollutants, the model has 3"), std::string::npos)
        << what;
    // the model with a pollutant less, reading SWMM's file of three
    Diagnostics d;
    std::string text = slurp(files_dir() / "qrof-use.inp");
    text = replace_once(text,
                        "FC      #/L    0      0    0      5.0     NO        *         0.0     "
                        "0     0\n",
                        "");
    for (const char* line :
         {"Urban  FC   POW  1e7 5e6 0.5  AREA\n", "Park   FC   SAT  2e6 0  1  AREA\n",
          "Urban  FC   EXP  0.3  1.0  0   0\n", "Park   FC   RC   50   1.0  0   0\n",
          "J2      FC           \"\"      CONCEN  1.0      1.0      1e5\n"})
        text = replace_once(text, line, "");
    const Network fewer = parse_swmm_inp(text, (files_dir() / "fewer.inp").string(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    what = "no error";
    try {
        (void)simulate(fewer, SimulationOptions{});
    } catch (const Error& e) {
        what = e.what();
    }
    EXPECT_NE(what.find("qrof-swmm.rof: runoff interface file: it was written for 3 pollutants, "
                        "the model has 2"),
              std::string::npos)
        << what;
    fs::remove_all(dir);
}

// With IGNORE_QUALITY a SAVE OUTFLOWS file still lists the model's pollutants after FLOW and has
// their columns, at no concentration: SWMM 5.2.4 writes the same file (checked when these files
// were made: its iface-a.inp run with IGNORE_QUALITY YES writes zeros in every column).
TEST(RoutingFileQuality, IgnoredQualityKeepsThePollutantColumnsAtZero) {
    std::string text = slurp(quality_files_dir() / "iface-a.inp");
    text = replace_once(text, "[OPTIONS]\n", "[OPTIONS]\nIGNORE_QUALITY YES\n");
    Diagnostics d;
    const Network net = parse_swmm_inp(text, (quality_files_dir() / "iface-a.inp").string(), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto dir = temp_dir("ignored");
    SimulationOptions so;
    so.base_dir = dir;
    const auto res = simulate(net, so);
    EXPECT_FALSE(res.summary.has_quality);
    const std::string file = slurp(dir / "iface-a-swmm.txt");
    EXPECT_NE(file.find("\n4    - number of constituents as listed below:\nFLOW LPS\nTSS MG/L\n"
                        "BOD MG/L\nFC #/L\n"),
              std::string::npos)
        << file.substr(0, 400);
    const InterfaceText t =
        parse_interface_text(net, file, (dir / "iface-a-swmm.txt").string(), "routing");
    EXPECT_EQ(t.pollutant, (std::vector<std::string>{"TSS", "BOD", "FC"}));
    EXPECT_EQ(t.quality.size(), t.flow_m3s.size() * 3);
    EXPECT_GT(t.flow_m3s.size(), 100U);
    EXPECT_TRUE(std::all_of(t.quality.begin(), t.quality.end(), [](double c) { return c == 0; }));
    fs::remove_all(dir);
}

// A model without pollutants rejects a USE INFLOWS file that carries pollutants, as SWMM 5.2.4
// does (it reads the pollutant lines only for a model with pollutants: error 353), naming the
// file; a file with FLOW alone is read.
TEST(RoutingFileQuality, ModelWithoutPollutantsRejectsAFileWithPollutants) {
    Diagnostics d;
    const Network net = parse_swmm_inp("[OPTIONS]\nFLOW_UNITS LPS\nSTART_DATE 06/01/2020\n"
                                       "END_DATE 06/02/2020\n[JUNCTIONS]\nO1 0 1\n",
                                       "net.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const std::string file = slurp(quality_files_dir() / "iface-a-swmm.txt");
    std::string what = "no error";
    try {
        RoutingInflows in(net, file, "iface-a-swmm.txt");
    } catch (const Error& e) {
        what = e.what();
    }
    EXPECT_NE(what.find("iface-a-swmm.txt: routing interface file: it carries 3 pollutant(s) "
                        "(TSS, BOD, FC) but the model has no [POLLUTANTS]"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("error 353"), std::string::npos) << what;
    EXPECT_NE(what.find("SWMM 5.2.4 拒绝此文件"), std::string::npos) << what;
    EXPECT_NO_THROW(RoutingInflows(net,
                                   "SWMM5 Interface File\nt\n300 - step\n1 - constituents\n"
                                   "FLOW LPS\n1 - nodes\nO1\nNode Year Mon Day Hr Min Sec FLOW\n"
                                   "O1 2020 06 01 00 05 00 1.5\n",
                                   "flow.txt"));
}
