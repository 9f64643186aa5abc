// Pollutants with LID units and outfalls routed onto subcatchments (drainage/quality.hpp, docs/
// drainage.md "Water quality"): a REMOVALS percentage applied to a drain load worked by hand, the
// reading of REMOVALS and its errors, and whole runs against EPA SWMM 5.2.4's Runoff Quality
// Continuity, Subcatchment Washoff Summary, Quality Routing Continuity, Outfall Loading Summary,
// LID Performance Summary and washoff, node and link concentrations
// (tests/validation/drainage/quality-lid/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/quality.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "quality_swmm_check.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

fs::path lid_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "quality-lid";
}

// One hectare, 60 % impervious, with a bio-retention cell of 1000 m² draining to J1 and EMC
// washoff of 100 mg/L TSS and 2 mg/L Zn (CMS, SI).
std::string lid_model(const std::string& removals) {
    return "[OPTIONS]\nFLOW_UNITS CMS\nSTART_DATE 06/01/2020\nEND_DATE 06/02/2020\n"
           "[RAINGAGES]\nRG1 INTENSITY 0:05 1.0 TIMESERIES R\n"
           "[SUBCATCHMENTS]\nS1 RG1 J1 1 60 100 1 0\n"
           "[SUBAREAS]\nS1 0.013 0.15 1.5 5 25 OUTLET\n"
           "[INFILTRATION]\nS1 75 6 4 7 0\n"
           "[LID_CONTROLS]\nBC1 BC\nBC1 SURFACE 150 0.1 0.1 1 5\n"
           "BC1 SOIL 600 0.5 0.2 0.1 120 10 80\nBC1 STORAGE 300 0.75 5 0\n"
           "BC1 DRAIN 3 0.5 0 0\n" +
           removals +
           "[LID_USAGE]\nS1 BC1 1 1000 0 0 40 0 * J1\n"
           "[JUNCTIONS]\nJ1 100 2\n[OUTFALLS]\nO1 99 FREE\n"
           "[CONDUITS]\nC1 J1 O1 100 0.013 0 0\n[XSECTIONS]\nC1 CIRCULAR 0.6 0 0 0 1\n"
           "[POLLUTANTS]\nTSS MG/L 0 0 0 0 NO * 0 0 0\nZn MG/L 0 0 0 0 NO * 0 0 0\n"
           "[LANDUSES]\nU\n[COVERAGES]\nS1 U 100\n"
           "[BUILDUP]\nU TSS NONE 0 0 0 AREA\nU Zn NONE 0 0 0 AREA\n"
           "[WASHOFF]\nU TSS EMC 100 0 0 0\nU Zn EMC 2 0 0 0\n"
           "[TIMESERIES]\nR 0 10\nR 1 0\n";
}

int line_of(const std::string& text, const std::string& fragment) {
    std::istringstream in(text);
    int n = 0;
    for (std::string l; std::getline(in, l);) {
        ++n;
        if (l.find(fragment) != std::string::npos)
            return n;
    }
    return 0;
}

} // namespace

// --- REMOVALS by hand ---------------------------------------------------------------------------

// One 60 s step of a subcatchment whose non-LID runoff of 10 m³ carries 100 mg/L TSS and 2 mg/L
// Zn (EMC): the LID units leave 6 m³ of surface runoff and 2 m³ through the underdrain, which
// REMOVALS TSS 80 strips of 80 % of its TSS. SWMM surfqual_getWashoff / lid_addDrainLoads:
//   load 10 m³ × 100 g/m³ = 1 kg TSS, concentration 1 kg / 10 m³ (vOut1) = 100 mg/L,
//   kept by the units (10 − 8) m³ × 100 g/m³ = 0.2 kg → BMP removal,
//   surface runoff 6 m³ × 100 g/m³ = 0.6 kg, the drain 2 m³ × 100 g/m³ = 0.2 kg of which
//   0.8 × 0.2 = 0.16 kg is removed (BMP) and 0.04 kg leaves for J1 (runoff);
//   the subcatchment's washoff is 8 m³ × 100 g/m³ = 0.8 kg (drain before its removal).
// Zn has no removal: its drain load, 2 × 2 = 0.004 kg, all leaves. (Masses are SWMM's: its
// 28.317 L per ft³ make an EMC of 1 mg/L 1.0000054 g/m³.)
TEST(QualityLid, RemovalTakesItsShareOfTheDrainLoad) {
    Diagnostics d;
    const std::string text = lid_model("BC1 REMOVALS TSS 80\n");
    const Network net = parse_swmm_inp(text, "lid.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(net.lid_controls.size(), 1U);
    ASSERT_EQ(net.lid_controls[0].removals.size(), 1U);
    EXPECT_DOUBLE_EQ(net.lid_controls[0].removals[0].second, 0.8);
    QualityInput in = read_quality_sections(net, "lid.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SurfaceQuality q(net, std::move(in));
    EXPECT_DOUBLE_EQ(q.lid_removal(0, 0), 0.8);
    EXPECT_DOUBLE_EQ(q.lid_removal(0, 1), 0.0);

    const double dt = 60;
    const std::vector<LidDrainLoad> drains = {{2.0 / dt, 0, true}};
    QualityStepFlows f;
    f.dt_s = dt;
    f.runoff_ms = 1e-5;
    f.inflow_m3 = 12;
    f.outflow_m3 = 10;
    f.lid_area_m2 = 1000;
    f.surface_out_m3 = 6;
    f.lid_drain_m3 = 2;
    f.drains = &drains;
    q.begin_step();
    q.step(0, 0, false, f);
    const double l = Pollutant::kLitresPerM3 / 1000; // SWMM's litres per m³, over 1000
    EXPECT_NEAR(q.concentration(0, 0, 1.0), 100.0, 1e-12);
    EXPECT_NEAR(q.washoff_kg(0, 0), 0.8 * l, 1e-12);
    // the drain's load to J1 during the step: concentration (per L) × m³/s, less 80 %
    EXPECT_NEAR(q.washoff_load(0, 0, 1.0, 0, 2.0 / dt) * (1 - q.lid_removal(0, 0)) *
                    Pollutant::kLitresPerM3 * dt * 1e-6,
                0.04 * l, 1e-12);
    const auto t = q.finish();
    EXPECT_NEAR(t[0].surface_buildup, 1.0 * l, 1e-12); // EMC without buildup: counted as buildup
    EXPECT_NEAR(t[0].bmp_removal, (0.2 + 0.16) * l, 1e-12);
    EXPECT_NEAR(t[0].surface_runoff, (0.6 + 0.04) * l, 1e-12);
    EXPECT_NEAR(t[1].bmp_removal, 2.0 * 2 * 1e-3 * l, 1e-12);
    EXPECT_NEAR(t[1].surface_runoff, (2.0 * 6 * 1e-3 + 2.0 * 2 * 1e-3) * l, 1e-12);
    EXPECT_NEAR(t[0].continuity_error_pct, 0.0, 1e-9);
}

// REMOVALS pairs: a later pair for a pollutant replaces an earlier one, names are matched as
// SWMM matches them (case-insensitive), and a control without REMOVALS removes nothing.
TEST(QualityLid, RemovalsAreReadPerPollutant) {
    Diagnostics d;
    const Network net = parse_swmm_inp(
        lid_model("BC1 REMOVALS TSS 80 zn 25.5\nBC1 REMOVALS TSS 40\n"), "lid.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    QualityInput in = read_quality_sections(net, "lid.inp", d);
    SurfaceQuality q(net, std::move(in));
    EXPECT_DOUBLE_EQ(q.lid_removal(0, 0), 0.4);
    EXPECT_DOUBLE_EQ(q.lid_removal(0, 1), 0.255);
    EXPECT_DOUBLE_EQ(q.lid_removal(-1, 0), 0.0);
}

// Bad REMOVALS rows: every error names the file, the row's line, the LID control and the field.
TEST(QualityLid, BadRemovalsNameFileLineAndField) {
    struct Case {
        std::string row, message;
        ErrorCode code;
    };
    const std::vector<Case> cases = {
        {"BC1 REMOVALS XYZ 50\n", "unknown pollutant 'XYZ'", ErrorCode::kUnknownReference},
        {"BC1 REMOVALS TSS 120\n", "removal percent of 'TSS' must be within 0-100",
         ErrorCode::kOutOfRange},
        {"BC1 REMOVALS Zn -5\n", "removal percent of 'Zn' must be within 0-100",
         ErrorCode::kOutOfRange},
        {"BC1 REMOVALS TSS abc\n", "removal percent of 'TSS' 'abc' is not a number",
         ErrorCode::kNumberSyntax},
        {"BC1 REMOVALS TSS 50 Zn\n", "pollutant and percent pairs", ErrorCode::kMissingKey},
        {"BC1 REMOVALS TSS\n", "pollutant and percent pairs", ErrorCode::kMissingKey},
    };
    for (const auto& c : cases) {
        Diagnostics d;
        const std::string text = lid_model(c.row);
        (void)parse_swmm_inp(text, "bad-lid.inp", d);
        const int line = line_of(text, c.row.substr(0, c.row.size() - 1));
        bool found = false;
        for (const auto& i : d.items())
            if (i.severity == Severity::kError && i.file == "bad-lid.inp" && i.line == line &&
                i.element_id == "BC1" && i.code == c.code &&
                i.message.find(c.message) != std::string::npos)
                found = true;
        EXPECT_TRUE(found) << "expected an error at bad-lid.inp:" << line << " with '" << c.message
                           << "', got:\n"
                           << d.format();
    }
}

// A run with LID units now simulates the pollutants (it used to keep them unsimulated), and the
// note says so.
TEST(QualityLid, RunsWithLidUnitsSimulateTheirPollutants) {
    Diagnostics d;
    const Network net = parse_swmm_inp(lid_model("BC1 REMOVALS TSS 80\n"), "lid.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net);
    EXPECT_TRUE(res.summary.has_quality);
    EXPECT_TRUE(res.summary.has_quality_routing);
    for (const auto& n : res.summary.not_simulated)
        EXPECT_EQ(n.find("LID"), std::string::npos) << n;
}

// --- against EPA SWMM 5.2.4 ----------------------------------------------------------------------

namespace {

/// SWMM's LID Performance Summary rows (`name.swmm-lid-rpt.txt`): subcatchment, control, the
/// seven depths (in or mm) and the continuity error (%).
struct LidRow {
    std::string subcatchment, control;
    double v[8] = {};
};

std::vector<LidRow> read_lid_report(const fs::path& path) {
    std::ifstream f(path);
    std::vector<LidRow> rows;
    bool in_table = false;
    for (std::string line; std::getline(f, line);) {
        if (line.rfind("  Subcatchment      LID Control", 0) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table || line.find("---") != std::string::npos)
            continue;
        std::istringstream in(line);
        LidRow r;
        if (!(in >> r.subcatchment >> r.control))
            continue;
        for (double& x : r.v)
            in >> x;
        rows.push_back(r);
    }
    return rows;
}

/// Runs `name.inp` of quality-lid/ and compares it with SWMM's runoff quality, routing quality
/// and LID performance report lines and its washoff (within `washoff_rel`), node and link
/// concentrations (check_routing_quality's `routing_rel`, `err_points`, `conc_rel`).
void compare_with_swmm(const std::string& name, double washoff_rel, double routing_rel,
                       double err_points, double conc_rel) {
    const fs::path dir = lid_dir();
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net);
    for (const auto& n : res.summary.not_simulated)
        EXPECT_EQ(n.find("not simulated"), std::string::npos) << name << ": " << n;
    (void)test::quality::check_runoff_quality(dir, name, net, res, washoff_rel);
    (void)test::quality::check_routing_quality(dir, name, net, res, routing_rel, err_points,
                                               conc_rel);
    // the LID Performance Summary, to its print digit (0.005 in or mm); SWMM lists a
    // subcatchment's units last [LID_USAGE] row first
    const auto rows = read_lid_report(dir / (name + ".swmm-lid-rpt.txt"));
    const auto& lid = res.summary.lid;
    ASSERT_EQ(rows.size(), lid.size()) << name;
    const double unit = is_si(net.options.flow_units) ? 0.001 : 0.0254;
    for (const auto& row : rows) {
        const auto it = std::find_if(lid.begin(), lid.end(), [&](const LidPerformance& p) {
            return net.subcatchments.id[static_cast<std::size_t>(p.subcatchment)] ==
                       row.subcatchment &&
                   net.lid_controls[static_cast<std::size_t>(p.control)].id == row.control;
        });
        ASSERT_NE(it, lid.end()) << name << ": " << row.subcatchment << " " << row.control;
        const LidPerformance& p = *it;
        const double ours[7] = {p.inflow_m,          p.evap_m,  p.infil_m,
                                p.surface_outflow_m, p.drain_m, p.initial_storage_m,
                                p.final_storage_m};
        // SWMM's own continuity error of the unit widens the final storage's tolerance (SWMM
        // keeps the final storage one step behind: its rain barrel's leaves −0.07 % unbalanced,
        // RenCheng's closes the balance)
        for (int i = 0; i < 7; ++i) {
            const double tol = 0.0051 + 1e-4 * std::abs(row.v[i]) +
                               (i == 6 ? (std::abs(row.v[7]) + 0.005) / 100 * row.v[0] : 0.0);
            EXPECT_NEAR(ours[i] / unit, row.v[i], tol)
                << name << ": " << row.subcatchment << " " << row.control << " column " << i;
        }
    }
}

} // namespace

// LPS, dynamic wave: a bio-retention cell draining to another node (REMOVALS TSS 80 Zn 40) and
// permeable pavement draining to the outlet (TSS 60), a rain barrel draining onto another
// subcatchment (TSS 50) and a trench returning its outflow to the pervious area (TSS 90, no load
// as SWMM), a subcatchment wholly under permeable pavement with run-on from another (REMOVALS on
// two rows), wet deposition on the LID area, sweeping, BMP removal and a co-pollutant.
TEST(QualityLidValidation, LidUnitsWithRemovalsMatchSwmm) {
    compare_with_swmm("lid-quality-si", 1e-4, 1e-3, 0.02, 1e-3);
}

// CFS, dynamic wave: a bio-retention cell draining to another node and permeable pavement
// treating a quarter of the impervious runoff, both with REMOVALS, and an outfall routed onto a
// subcatchment wholly covered by a bio-retention cell (the outfall's pollutants reach the LID).
TEST(QualityLidValidation, CfsLidUnitsAndOutfallOntoLidMatchSwmm) {
    compare_with_swmm("lid-quality-us", 5e-4, 1e-3, 0.02, 1e-3);
}

// LPS, dynamic wave: an outfall receiving dry-weather flow (TSS, BOD, counts) and washoff routed
// onto a subcatchment partly under a bio-retention cell: its pollutants arrive as wet deposition,
// mix with the ponded water and wash off again to the other outfall.
TEST(QualityLidValidation, OutfallRoutedOntoSubcatchmentMatchesSwmm) {
    compare_with_swmm("outfall-runon-si", 5e-4, 1e-3, 0.02, 1e-3);
}
