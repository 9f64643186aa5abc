// Validation of the drainage solver against EPA SWMM 5.2.4 summaries (peak node depth, peak
// link flow, node flood volume, continuity errors): the curated models in tests/validation/drainage
// always, and the 88 shared reference models when ../shared/data is present (slow).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/hot_start.hpp"
#include "drainage/rainfall_file.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/runoff_file.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

using rencheng::test::read_gz;

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cur += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cur += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (c != '\r') {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

using Key = std::tuple<std::string, std::string, std::string>;
using Summary = std::map<Key, double>;

Summary parse_summary(const std::string& text) {
    Summary s;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() == 4)
            s[{f[0], f[1], f[2]}] = std::strtod(f[3].c_str(), nullptr);
    }
    return s;
}

/// The acceptance of issue 6: depth within 2 % or 0.01 m, flow within 2 % or 0.001 m³/s, flood
/// volume within 2 % or 1 m³ (at least half the .rpt's print unit, 1.9 m³ for 10^6 gal), and
/// continuity errors no worse than SWMM's (|ours| ≤ |SWMM| + 0.05 points, or ≤ 0.5 %).
struct Outcome {
    bool ran = false;
    std::string error;
    std::vector<std::string> misses;
    std::size_t checked = 0;
    bool pass() const { return ran && misses.empty(); }
};

Outcome compare(const fs::path& inp, const Summary& ref) {
    Outcome o;
    Diagnostics diags;
    Summary ours;
    bool us_units = true;
    try {
        const Network net = read_swmm_inp(inp, diags);
        if (diags.has_errors()) {
            o.error = "input errors: " + diags.format();
            return o;
        }
        us_units = !is_si(net.options.flow_units);
        SimulationOptions so;
        so.base_dir = inp.parent_path();
        const auto res = simulate(net, so);
        ours = parse_summary(format_summary_csv(net, res));
    } catch (const Error& e) {
        o.error = e.what();
        return o;
    }
    o.ran = true;
    for (const auto& [k, v] : ref) {
        const auto& q = std::get<2>(k);
        const auto it = ours.find(k);
        ++o.checked;
        if (it == ours.end()) {
            o.misses.push_back(std::get<1>(k) + " " + q + ": missing");
            continue;
        }
        const double x = it->second;
        double tol = 0;
        if (q == "max_depth_m") {
            tol = std::max(0.02 * std::abs(v), 0.01);
        } else if (q == "max_flow_m3s") {
            tol = std::max(0.02 * std::abs(v), 0.001);
        } else if (q == "flood_volume_m3") {
            tol = std::max({0.02 * std::abs(v), 1.0, us_units ? 1.9 : 0.5});
        } else {
            if (std::abs(x) <= std::abs(v) + 0.05 || std::abs(x) <= 0.5)
                continue;
            o.misses.push_back(q + ": " + std::to_string(x) + " vs SWMM " + std::to_string(v));
            continue;
        }
        if (std::abs(x - v) > tol)
            o.misses.push_back(std::get<0>(k) + " " + std::get<1>(k) + " " + q + ": " +
                               std::to_string(x) + " vs SWMM " + std::to_string(v));
    }
    return o;
}

fs::path shared_root() {
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA"))
        return fs::path(env);
    return fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data";
}

std::set<std::string> read_list(const fs::path& p) {
    std::set<std::string> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (!line.empty() && line[0] != '#')
            out.insert(line);
    }
    return out;
}

/// tests/validation/drainage/`folder` (the folder itself when empty).
fs::path validation_dir(const std::string& folder = {}) {
    const fs::path root = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage";
    return folder.empty() ? root : root / folder;
}

fs::path passing_list() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "drainage" / "shared_passing.txt";
}

std::string report(const Outcome& o) {
    if (!o.ran)
        return "did not run: " + o.error;
    std::string s = std::to_string(o.misses.size()) + " of " + std::to_string(o.checked) +
                    " checks outside tolerance:";
    for (std::size_t i = 0; i < o.misses.size() && i < 5; ++i)
        s += "\n    " + o.misses[i];
    return s;
}

/// The models `names` of tests/validation/drainage/`folder` each within every tolerance of
/// their SWMM summary (`name.summary.csv.gz`, at least `min_rows` rows), every row checked.
void expect_summaries_match(const std::string& folder, std::initializer_list<const char*> names,
                            std::size_t min_rows) {
    const fs::path dir = validation_dir(folder);
    for (const char* name : names) {
        const auto ref = parse_summary(read_gz(dir / (std::string(name) + ".summary.csv.gz")));
        ASSERT_GE(ref.size(), min_rows) << name;
        const auto o = compare(dir / (std::string(name) + ".inp"), ref);
        EXPECT_TRUE(o.pass()) << name << ": " << report(o);
        EXPECT_EQ(o.checked, ref.size()) << name;
    }
}

/// Runs `dir/name.inp`, compares its summary with SWMM's and every link flow at every report
/// time with SWMM's (`name.csv.gz`, link flow_m3s rows) within `tolerance` m³/s.
void expect_link_flows_match(const fs::path& dir, const std::string& name, double tolerance) {
    const auto ref = parse_summary(read_gz(dir / (name + ".summary.csv.gz")));
    const auto o = compare(dir / (name + ".inp"), ref);
    EXPECT_TRUE(o.pass()) << name << ": " << report(o);
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net, SimulationOptions{});
    const auto& s = res.series;
    const auto nl = static_cast<std::size_t>(net.link_count());
    std::istringstream in(read_gz(dir / (name + ".csv.gz")));
    std::string line;
    std::getline(in, line);
    std::size_t checked = 0;
    double worst = 0;
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        ASSERT_EQ(f.size(), 5U) << line;
        const auto t = std::stoll(f[0]);
        const auto it = std::find(s.time_s.begin(), s.time_s.end(), t);
        ASSERT_NE(it, s.time_s.end()) << "no report at " << t << " s";
        const auto k = static_cast<std::size_t>(it - s.time_s.begin());
        const double ours = s.link_flow_m3s[k * nl + net.find_link(f[2]).idx()];
        const double swmm = std::strtod(f[4].c_str(), nullptr);
        worst = std::max(worst, std::abs(ours - swmm));
        EXPECT_NEAR(ours, swmm, tolerance) << name << ": " << f[2] << " at " << t << " s";
        ++checked;
    }
    EXPECT_EQ(checked, s.time_s.size() * nl) << name;
    std::printf("[ info ] %s: %zu link flows, largest difference from SWMM %.4f m3/s\n",
                name.c_str(), checked, worst);
}

/// Runs `dir/name.inp` with its interface files written to (and read from) `files_dir`: the
/// curated models name theirs relative to themselves.
void run_writing_files(const fs::path& dir, const std::string& name, const fs::path& files_dir) {
    Diagnostics d;
    const Network net = read_swmm_inp(dir / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = files_dir;
    (void)simulate(net, so);
}

} // namespace

// Every curated model with a SWMM summary beside it (`<name>.summary.csv.gz`) that is listed
// as passing must still pass; the others are reported.
TEST(DrainageValidation, CuratedModels) {
    const fs::path dir = validation_dir();
    if (!fs::exists(dir))
        GTEST_SKIP() << "no curated drainage models yet";
    const auto passing = read_list(passing_list());
    int cases = 0, passed = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.path().extension() != ".inp")
            continue;
        fs::path summary = e.path();
        summary.replace_extension(".summary.csv.gz");
        if (!fs::exists(summary))
            continue;
        ++cases;
        const auto o = compare(e.path(), parse_summary(read_gz(summary)));
        const std::string name = e.path().filename().string();
        bool listed = false;
        for (const auto& p : passing)
            listed = listed || fs::path(p).filename().string() == name;
        if (o.pass())
            ++passed;
        if (listed)
            EXPECT_TRUE(o.pass()) << name << " regressed: " << report(o);
        else if (!o.pass())
            std::printf("[ info ] %s: %s\n", name.c_str(), report(o).c_str());
    }
    std::printf("[ info ] curated drainage models: %d of %d within tolerance\n", passed, cases);
}

// Flow dividers of the four kinds (CUTOFF, OVERFLOW, TABULAR, WEIR), one branch each: under
// kinematic wave each divides its inflow by its rule; under dynamic wave a divider is a plain
// junction (SWMM 5.2 User's Manual, flow dividers). Models written for this test, references
// from SWMM 5.2.4 (tests/validation/drainage/README.md).
TEST(DrainageValidation, FlowDividersMatchSwmm) {
    expect_summaries_match("dividers", {"dividers_kw", "dividers_dw"}, 25);
}

// Steady flow routing (FLOW_ROUTING STEADY): SWMM's Example1 with its routing switched from
// kinematic wave, the four dividers above, and one pipe fed twice its full flow for an hour
// (capped at full flow, the rest floods). References from SWMM 5.2.4 (README.md there).
TEST(DrainageValidation, SteadyFlowMatchesSwmm) {
    expect_summaries_match("steady", {"Example1-steady", "dividers-steady", "capacity-steady"}, 5);
}

// Control rules on every kind of premise SWMM 5.2 reads but a gage's past rainfall — clock time
// (across midnight), date, day of the week, month, day of the year, gage intensity, node volume,
// lateral inflow, head and full depth, link velocity and full flow, one node's head against
// another's — and settings from a CONTROL curve, a time series and a PID controller, on a storage
// unit emptied by two pumps, three orifices and a weir. Against SWMM 5.2.4: the summary within
// the usual tolerances, and every link's flow at every 5-min report within 0.01 m³/s (SWMM's
// flows run to 2.04 m³/s; a rule acting one step apart from SWMM moves a flow by 0.1–0.6).

TEST(DrainageValidation, ControlRulesMatchSwmmThroughTheRun) {
    const fs::path dir = validation_dir("rules");
    expect_link_flows_match(dir, "rules", 0.01);
    // the same model with variable steps (≤ 30 s) and RULE_STEP 0:01:07: rules evaluated only
    // every 67 s, the routing steps cut to land on those times
    expect_link_flows_match(dir, "rules-rulestep", 0.01);
    // named VARIABLEs and EXPRESSIONs (SQRT, ABS, STEP, COS, ^ of node depths, a link flow and
    // a gage's intensity): the controlled links within 0.0001 m³/s; the outlet sewer C4 once
    // 0.038 m³/s apart, at the report where rule E1 switches within a step of SWMM's switch
    expect_link_flows_match(dir, "rules-expr", 0.05);
    // rule R4 on the gage's rainfall depth of the past 2 hours (`GAGE RG1 2 > 18`, mm) instead
    // of its intensity: the orifice it drives opens at the same report as in SWMM
    expect_link_flows_match(dir, "rules-pastrain", 0.01);
    // the three orifices opening and closing over 15, 30 and 6 minutes ([ORIFICES] open/close
    // time): each moves toward the rules' setting by Δt/time a step, the PID controller acting
    // on the setting last asked for, as in SWMM (every flow within 0.0037 m³/s)
    expect_link_flows_match(dir, "rules-openclose", 0.01);
}

// A TYPE5 pump, its speed setting from a time series (1.0, down to 0.6, up to 1.2, down to
// 0.8), beside a TYPE3 pump on the same curve, both on start-up and shut-off depths: the
// affinity laws (flow ∝ speed, head ∝ speed²) against SWMM 5.2.4 at every report.
TEST(DrainageValidation, VariableSpeedPumpMatchesSwmm) {
    const fs::path dir = validation_dir("pumps");
    expect_link_flows_match(dir, "type5-pump", 0.001);
    // the same under kinematic wave: the pumps' lift is the difference of the two nodes'
    // heads there too (SWMM pump_getInflow; until this version, 0 — the curves read at no lift)
    expect_link_flows_match(dir, "type5-pump-kinwave", 0.01);
}

// SURCHARGE_METHOD SLOT (the Preissmann slot, SWMM 5.2): web/Example8 (dual drainage, whose
// sewers surcharge onto the streets: routing continuity +2.668 % in SWMM with the slot, −2.043 %
// with EXTRAN) and extran3, each with SLOT switched on and nothing else changed, against SWMM
// 5.2.4 run the same way.
// One documented exception: Example8-slot's inlet link I10 starts to flow in one minute (0 to
// 0.23 m³/s between two reports, SWMM's peak 0.2503 at 00:36); that spike's height is +2.2 % here
// (+1.0 % before the subcatchments took SWMM's overland Manning constant, which moved the runoff
// 0.27 %), checked within 3 %.
TEST(DrainageValidation, PreissmannSlotMatchesSwmm) {
    expect_summaries_match("slot", {"extran3-slot"}, 20);
    const fs::path dir = validation_dir("slot");
    const auto ref = parse_summary(read_gz(dir / "Example8-slot.summary.csv.gz"));
    const auto o = compare(dir / "Example8-slot.inp", ref);
    ASSERT_TRUE(o.ran) << o.error;
    EXPECT_EQ(o.checked, ref.size());
    EXPECT_LE(o.misses.size(), 1U) << report(o);
    for (const auto& m : o.misses)
        EXPECT_NE(m.find("link I10 max_flow_m3s"), std::string::npos) << m;
    Diagnostics d;
    const Network net = read_swmm_inp(dir / "Example8-slot.inp", d);
    const auto res = simulate(net, SimulationOptions{});
    const double i10 = res.summary.max_flow_m3s[net.find_link("I10").idx()];
    EXPECT_NEAR(i10, 0.250321, 0.03 * 0.250321);
}

// A force main (FORCE_MAIN shape, Hazen-Williams C 120): a wet well pumped through 500 m of
// 0.5-m pressure pipe, over a rise, to a gravity sewer; the pump cycles on its start-up and
// shut-off depths. Against SWMM 5.2.4 (the physics of the full pipe: drainage_features,
// ForceMain.*).
TEST(DrainageValidation, ForceMainMatchesSwmm) {
    const fs::path dir = validation_dir("force-main");
    const auto ref = parse_summary(read_gz(dir / "force-main-hw.summary.csv.gz"));
    ASSERT_GE(ref.size(), 10U);
    const auto o = compare(dir / "force-main-hw.inp", ref);
    EXPECT_TRUE(o.pass()) << report(o);
    EXPECT_EQ(o.checked, ref.size());
}

// Conduit losses: seepage ([LOSSES], 0–50 mm/h) from two trapezoidal channels and a pipe and
// evaporation (200 mm/day) from the open ones, under dynamic wave, kinematic wave and steady
// flow: a third of the inflow is lost on the way. Against SWMM 5.2.4, routing continuity
// included (dynamic wave −3.315 %, SWMM −3.314 %). The kinematic-wave copy has an open
// rectangle where the others have the pipe: SWMM's kinematic wave solves a circle's outlet area
// only to 0.001 of its full area, and there the two programs' continuity errors part (−1.87 %
// against −1.30 %; docs/drainage.md). losses-evap-series takes its evaporation from a time
// series of rates (50–400 mm/day, stepwise).
TEST(DrainageValidation, ConduitSeepageAndEvaporationMatchSwmm) {
    const fs::path dir = validation_dir("losses");
    for (const char* name :
         {"losses-dynwave", "losses-kinwave", "losses-steady", "losses-evap-series"}) {
        const auto ref = parse_summary(read_gz(dir / (std::string(name) + ".summary.csv.gz")));
        ASSERT_GE(ref.size(), 10U) << name;
        const auto o = compare(dir / (std::string(name) + ".inp"), ref);
        EXPECT_TRUE(o.pass()) << name << ": " << report(o);
        EXPECT_EQ(o.checked, ref.size()) << name;
        // the losses themselves: SWMM's Evaporation Loss + Exfiltration Loss lines
        Diagnostics d;
        const Network net = read_swmm_inp(dir / (std::string(name) + ".inp"), d);
        const auto res = simulate(net, SimulationOptions{});
        // (losses-evap-series: SWMM's 1,265 m³ evaporated and 4,983 m³ seeped)
        const double swmm_losses_m3 = std::string(name) == "losses-dynwave"       ? 6350.0
                                      : std::string(name) == "losses-kinwave"     ? 5725.0
                                      : std::string(name) == "losses-evap-series" ? 6248.0
                                                                                  : 4572.0;
        EXPECT_NEAR(res.summary.routing.losses_m3, swmm_losses_m3, 0.005 * swmm_losses_m3) << name;
    }
}

// RDII from RTK unit hydrographs (drainage/rdii.hpp): three groups on two gages, short, medium
// and long responses, initial abstractions that fill and recover, a triangle shorter than the
// wet step (rain interval 108 s), a node listed twice, a month's own parameters; one model over
// two days, one across the end of July with runoff beside the RDII. Every link flow at every
// 5-min report against SWMM 5.2.4 (largest differences below 0.0001 and 0.0003 m³/s), the
// summaries, and SWMM's Rainfall Dependent I/I table. The month model's RDII is 0.07 % under
// SWMM's: SWMM gives the rain intervals it takes in at the first RDII step of August August's
// parameters (rdii.c getRainfall labels them with the step's month), RenCheng each interval its own
// month.
TEST(DrainageValidation, RdiiMatchesSwmm) {
    const fs::path dir = validation_dir("rdii");
    struct Case {
        const char* name;
        double rain_ml, rdii_ml; // SWMM's report, 10^6 L
        double rdii_tol_ml;
    };
    for (const Case c :
         {Case{"rdii", 12.595, 1.006, 0.0005}, Case{"rdii-month", 12.613, 1.065, 0.0011}}) {
        expect_link_flows_match(dir, c.name, 0.0005);
        Diagnostics d;
        const Network net = read_swmm_inp(dir / (std::string(c.name) + ".inp"), d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        const auto res = simulate(net, SimulationOptions{});
        EXPECT_TRUE(res.summary.has_rdii);
        EXPECT_NEAR(res.summary.rdii.sewershed_rain_m3 / 1000.0, c.rain_ml, 0.0005) << c.name;
        EXPECT_NEAR(res.summary.rdii.produced_m3 / 1000.0, c.rdii_ml, c.rdii_tol_ml) << c.name;
        // SWMM's RDII Inflow line of the routing continuity equals its RDII Produced here
        EXPECT_NEAR(res.summary.routing.rdii_m3 / 1000.0, c.rdii_ml, c.rdii_tol_ml) << c.name;
    }
}

/// The summary CSV of a run of `inp`, parsed.
Summary summary_of(const fs::path& inp) {
    Diagnostics d;
    const Network net = read_swmm_inp(inp, d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = inp.parent_path();
    return parse_summary(format_summary_csv(net, simulate(net, so)));
}

// The summary CSV lists both balances term by term, as SWMM's report tables do: the runoff terms
// of Example1 (acre-feet, three decimals in SWMM 5.2.4's report) and the routing terms of the RDII
// model (10^6 L) agree with SWMM's report to its print precision, and the terms give back the
// continuity errors the summary reports.
TEST(DrainageValidation, SummaryBalanceTermsMatchSwmmReport) {
    const auto term = [](const Summary& s, const std::string& q) {
        const auto it = s.find({"system", "system", q});
        EXPECT_NE(it, s.end()) << q;
        return it == s.end() ? std::nan("") : it->second;
    };
    constexpr double kAcreFoot = 1233.48183754752; // m³
    const Summary ex1 = summary_of(validation_dir("example1") / "Example1.inp");
    for (const auto& [q, swmm] :
         std::vector<std::pair<std::string, double>>{{"runoff_precipitation_m3", 15.679},
                                                     {"runoff_evaporation_loss_m3", 0.0},
                                                     {"runoff_infiltration_loss_m3", 9.346},
                                                     {"runoff_surface_runoff_m3", 6.295},
                                                     {"runoff_final_storage_m3", 0.081},
                                                     {"routing_wet_weather_inflow_m3", 6.295},
                                                     {"routing_flooding_loss_m3", 0.415}})
        EXPECT_NEAR(term(ex1, q) / kAcreFoot, swmm, 0.0005) << q;
    const double rain = term(ex1, "runoff_precipitation_m3");
    const double runoff_out =
        term(ex1, "runoff_evaporation_loss_m3") + term(ex1, "runoff_infiltration_loss_m3") +
        term(ex1, "runoff_surface_runoff_m3") + term(ex1, "runoff_lid_drainage_m3") +
        term(ex1, "runoff_final_storage_m3");
    EXPECT_NEAR(100.0 * (1.0 - runoff_out / rain), term(ex1, "runoff_continuity_error_pct"), 1e-9);

    const Summary rd = summary_of(validation_dir("rdii") / "rdii.inp");
    for (const auto& [q, swmm] : std::vector<std::pair<std::string, double>>{
             {"routing_dry_weather_inflow_m3", 1.512},
             {"routing_wet_weather_inflow_m3", 0.0},
             {"routing_groundwater_inflow_m3", 0.0},
             {"routing_rdii_inflow_m3", 1.006},
             {"routing_external_inflow_m3", 0.0},
             {"routing_external_outflow_m3", 2.508},
             {"routing_flooding_loss_m3", 0.0},
             {"routing_evaporation_exfiltration_loss_m3", 0.0},
             {"routing_initial_storage_m3", 0.0},
             {"routing_final_storage_m3", 0.012}})
        EXPECT_NEAR(term(rd, q) / 1000.0, swmm, 0.0005) << q;
    const double in = term(rd, "routing_dry_weather_inflow_m3") +
                      term(rd, "routing_rdii_inflow_m3") + term(rd, "routing_initial_storage_m3");
    const double out =
        term(rd, "routing_external_outflow_m3") + term(rd, "routing_final_storage_m3");
    EXPECT_NEAR(100.0 * (1.0 - out / in), term(rd, "flow_routing_continuity_error_pct"), 1e-9);
    EXPECT_EQ(rd.count({"system", "system", "runoff_precipitation_m3"}), 0U); // no subcatchments
}

// SWMM's report tables as summary rows (docs/drainage.md "Report statistics"), against SWMM
// 5.2.4's report of the same runs at its print precision: subcatchment runoff, node flooding,
// conduit surcharge and outfall loading of Example1 (kinematic wave, US units), the rain garden's
// run-on, the pumps and the storage unit of
// type5-pump (dynamic wave, SI), the node surcharge and flow balance errors of extran1, the flow
// classes of Example6's culvert and channel.
TEST(DrainageValidation, ReportStatisticsMatchSwmmReport) {
    struct Check {
        const char* type;
        const char* id;
        const char* quantity;
        double swmm; // SWMM's printed value, converted to the row's unit
        double tol;  // half its last printed digit, converted
        // and how far the two runs' own results are apart where they differ: 0.5 % (flows,
        // volumes, energy, percentages), depths 0.01 m as the acceptance's
        double rel = 0.005;
    };
    const auto expect = [](const Summary& s, const std::string& model,
                           const std::vector<Check>& checks) {
        for (const auto& c : checks) {
            const auto it = s.find({c.type, c.id, c.quantity});
            ASSERT_NE(it, s.end()) << model << " " << c.id << " " << c.quantity;
            EXPECT_NEAR(it->second, c.swmm, c.tol + c.rel * std::abs(c.swmm))
                << model << " " << c.id << " " << c.quantity;
        }
    };
    constexpr double cfs = 0.0283168466, ft = 0.3048, mgal = 3785.41178; // m³/s, m, m³
    constexpr double in = 25.4;                                          // mm
    expect(summary_of(validation_dir("example1") / "Example1.inp"), "Example1",
           {// Subcatchment Runoff Summary, depths in inches to two decimals
            {"subcatch", "1", "total_precip_mm", 2.65 * in, 0.005 * in},
            {"subcatch", "1", "total_infil_mm", 1.16 * in, 0.005 * in},
            {"subcatch", "1", "impervious_runoff_mm", 1.32 * in, 0.005 * in},
            {"subcatch", "1", "pervious_runoff_mm", 0.17 * in, 0.005 * in},
            {"subcatch", "1", "total_runoff_mm", 1.48 * in, 0.005 * in},
            {"subcatch", "1", "total_runoff_m3", 0.40 * mgal, 0.005 * mgal},
            {"subcatch", "1", "peak_runoff_m3s", 4.66 * cfs, 0.005 * cfs},
            {"subcatch", "1", "runoff_coeff", 0.559, 0.0005},
            {"subcatch", "2", "total_infil_mm", 1.21 * in, 0.005 * in},
            {"subcatch", "2", "runoff_coeff", 0.539, 0.0005},
            {"node", "10", "hours_flooded", 2.80, 0.005},
            {"node", "10", "max_flood_rate_m3s", 4.54 * cfs, 0.005 * cfs},
            {"node", "10", "time_of_max_flood_s", 4 * 3600 + 60, 60},
            {"link", "6", "hours_both_ends_full", 2.80, 0.005},
            {"link", "6", "hours_upstream_full", 2.80, 0.005},
            {"link", "6", "hours_downstream_full", 2.80, 0.005},
            {"link", "6", "hours_above_full_flow", 2.80, 0.005},
            {"link", "6", "hours_capacity_limited", 2.80, 0.005},
            {"node", "18", "discharge_frequency_pct", 72.87, 0.005},
            {"node", "18", "avg_discharge_m3s", 2.71 * cfs, 0.005 * cfs},
            {"node", "18", "max_discharge_m3s", 19.58 * cfs, 0.005 * cfs},
            // 0.3 % over SWMM's, whose circular kinematic-wave conduits lose that much on the way
            // (see "Continuity errors against SWMM's" in docs/drainage.md)
            {"node", "18", "discharge_volume_m3", 1.914 * mgal, 0}});
    // Flow Classification Summary (fractions of the report time, two decimals in SWMM's
    // report): the culvert under inlet control throughout, the channel limited to normal flow
    expect(summary_of(validation_dir("example6") / "Example6.inp"), "Example6",
           {{"link", "Culvert", "frac_inlet_control", 1.00, 0.005, 0},
            {"link", "Culvert", "frac_supercritical", 0.70, 0.03, 0},
            {"link", "Channel", "frac_subcritical", 0.66, 0.005, 0},
            {"link", "Channel", "frac_supercritical", 0.34, 0.005, 0},
            {"link", "Channel", "frac_normal_flow_limited", 1.00, 0.005, 0},
            {"link", "Channel", "adjusted_length_ratio", 1.00, 0.005, 0}});
    // Groundwater Summary and the groundwater balance (US units, two and three decimals)
    constexpr double acre_ft = 1233.48183754752; // m³
    expect(
        summary_of(validation_dir("gwf") / "gwf.inp"), "gwf",
        {{"subcatch", "1", "gw_infil_mm", 1.39 * in, 0.005 * in},
         {"subcatch", "1", "gw_lower_seepage_mm", 0.15 * in, 0.005 * in},
         {"subcatch", "1", "gw_lateral_outflow_mm", 1.80 * in, 0.005 * in},
         {"subcatch", "1", "gw_max_lateral_outflow_m3s", 0.29 * cfs, 0.005 * cfs},
         {"subcatch", "1", "gw_avg_upper_moisture", 0.37, 0.005},
         {"subcatch", "1", "gw_avg_water_table_m", 4.30 * ft, 0.005 * ft},
         {"subcatch", "1", "gw_final_upper_moisture", 0.33, 0.005},
         {"subcatch", "1", "gw_final_water_table_m", 4.28 * ft, 0.005 * ft},
         {"system", "system", "groundwater_initial_storage_m3", 13.750 * acre_ft, 0.0005 * acre_ft},
         {"system", "system", "groundwater_infiltration_m3", 0.580 * acre_ft, 0.0005 * acre_ft},
         {"system", "system", "groundwater_deep_percolation_m3", 0.061 * acre_ft, 0.0005 * acre_ft},
         {"system", "system", "groundwater_flow_m3", 0.749 * acre_ft, 0.0005 * acre_ft},
         {"system", "system", "groundwater_final_storage_m3", 13.520 * acre_ft, 0.0005 * acre_ft},
         {"system", "system", "groundwater_continuity_error_pct", 0.000, 0.0005, 0}});
    // LID Performance Summary (inches to two decimals)
    expect(summary_of(validation_dir("lid-example4") / "Example4.inp"), "Example4",
           {{"lid", "S1 RainBarrels", "total_inflow_mm", 108.95 * in, 0.005 * in},
            {"lid", "S1 RainBarrels", "surface_outflow_mm", 60.95 * in, 0.005 * in},
            {"lid", "S1 RainBarrels", "drain_outflow_mm", 23.73 * in, 0.005 * in},
            {"lid", "S1 InfilTrench", "infil_loss_mm", 2.40 * in, 0.005 * in},
            {"lid", "S4 Planters", "initial_storage_mm", 1.20 * in, 0.005 * in},
            {"lid", "S5 GreenRoof", "drain_outflow_mm", 0.61 * in, 0.005 * in}});
    // a subcatchment that is all rain garden takes the roof's run-on in the garden
    expect(summary_of(validation_dir("lid-rain-garden") / "rain_garden.inp"), "rain_garden",
           {{"subcatch", "RainGarden", "total_runon_mm", 39.96, 0.005},
            {"subcatch", "RainGarden", "total_infil_mm", 21.45, 0.005},
            {"subcatch", "RainGarden", "total_runoff_mm", 0.00, 0.005},
            {"subcatch", "PitchedRoof", "runoff_coeff", 0.999, 0.0005}});
    // Street Flow Summary: an on-grade curved-vane grate (HEC-22's example 4-7) and a
    // combination inlet that lets most of a street's peak go by
    expect(summary_of(validation_dir("street-grate-inlet-7") / "street_grate_inlet_7.inp"),
           "street_grate_inlet_7",
           {{"link", "2", "street_max_spread_m", 7.626 * ft, 0.0005 * ft},
            {"link", "2", "street_max_depth_m", 0.320 * ft, 0.0005 * ft},
            {"link", "2", "inlet_on_sag", 0, 0, 0},
            {"link", "2", "peak_flow_capture_pct", 73.80, 0.005},
            {"link", "2", "avg_flow_capture_pct", 73.80, 0.005},
            {"link", "2", "bypass_frequency_pct", 100.00, 0.005},
            {"link", "2", "backflow_frequency_pct", 0.00, 0.005, 0},
            {"link", "2", "peak_capture_per_inlet_m3s", 1.70 * cfs, 0.005 * cfs},
            {"link", "2", "peak_bypass_m3s", 0.60 * cfs, 0.005 * cfs},
            {"link", "1", "street_max_spread_m", 10.235 * ft, 0.0005 * ft}});
    expect(summary_of(validation_dir("example7-inlets") / "Example7-Inlets.inp"), "Example7-Inlets",
           {{"link", "Street1", "peak_flow_capture_pct", 17.04, 0.005},
            {"link", "Street1", "avg_flow_capture_pct", 67.84, 0.005},
            {"link", "Street1", "bypass_frequency_pct", 88.77, 0.005},
            {"link", "Street1", "peak_bypass_m3s", 30.97 * cfs, 0.005 * cfs},
            {"link", "Street3", "peak_flow_capture_pct", 14.85, 0.005},
            {"link", "Street3", "bypass_frequency_pct", 90.04, 0.005}});
    // a type-2 pump run past the end of its curve (% time off the curve, high)
    expect(summary_of(validation_dir("slot") / "Example8-slot.inp"), "Example8-slot",
           {{"link", "Pump1", "percent_utilized", 17.09, 0.005},
            {"link", "Pump1", "startups", 2, 0, 0},
            {"link", "Pump1", "avg_flow_m3s", 1.74 * cfs, 0.005 * cfs},
            {"link", "Pump1", "pumped_volume_m3", 0.085 * mgal, 0.0005 * mgal},
            {"link", "Pump1", "energy_kwh", 4.50, 0.005},
            {"link", "Pump1", "pct_off_curve_low", 0.0, 0.05, 0},
            {"link", "Pump1", "pct_off_curve_high", 5.6, 0.05},
            // Highest Flow Instability Indexes (SWMM prints whole numbers): I10 (2), I11 (1)
            {"link", "I10", "flow_instability_index", 2, 0.5, 0},
            {"link", "I11", "flow_instability_index", 1, 0.55, 0},
            // Time-Step Critical Elements: I5 sets 98.99 % of the variable steps
            {"link", "I5", "pct_time_step_critical", 98.99, 0.05, 0}});
    expect(summary_of(validation_dir("pumps") / "type5-pump.inp"), "type5-pump",
           {{"link", "P3", "percent_utilized", 44.35, 0.005},
            {"link", "P3", "startups", 2, 0, 0},
            {"link", "P3", "avg_flow_m3s", 0.47, 0.005},
            {"link", "P3", "pumped_volume_m3", 4466, 0.5},
            {"link", "P3", "energy_kwh", 26.12, 0.005},
            {"link", "P5", "percent_utilized", 100.00, 0.005},
            {"link", "P5", "startups", 1, 0, 0},
            {"link", "P5", "avg_flow_m3s", 0.31, 0.005},
            {"link", "P5", "pumped_volume_m3", 6748, 0.5},
            {"link", "P5", "energy_kwh", 55.65, 0.005},
            {"node", "SU", "avg_volume_m3", 327, 0.5},
            {"node", "SU", "avg_pct_full", 21.8, 0.05},
            {"node", "SU", "max_volume_m3", 922, 0.5},
            {"node", "SU", "max_pct_full", 61.4, 0.05},
            {"node", "SU", "time_of_max_volume_s", 2 * 3600 + 9 * 60, 60},
            {"node", "SU", "max_outflow_m3s", 0.998, 0.0005}});
    expect(summary_of(validation_dir("extran1") / "extran1.inp"), "extran1",
           {{"node", "80408", "hours_surcharged", 2.46, 0.005},
            {"node", "80408", "max_height_above_crown_m", 9.400 * ft, 0.01},
            {"node", "80408", "min_depth_below_rim_m", 0.0, 0.01},
            {"node", "80608", "hours_surcharged", 2.60, 0.005},
            {"node", "80608", "max_height_above_crown_m", 12.700 * ft, 0.01},
            {"node", "82309", "hours_surcharged", 2.74, 0.005},
            {"node", "82309", "max_height_above_crown_m", 16.125 * ft, 0.01},
            {"node", "82309", "min_depth_below_rim_m", 20.375 * ft, 0.01},
            // the Node Inflow Summary's flow balance errors, within 0.03 points
            {"node", "80408", "flow_balance_error_pct", -0.343, 0.03, 0},
            {"node", "80608", "flow_balance_error_pct", 1.460, 0.03, 0},
            {"node", "82309", "flow_balance_error_pct", -0.752, 0.03, 0},
            {"node", "16009", "flow_balance_error_pct", 0.200, 0.03, 0},
            {"node", "10208", "flow_balance_error_pct", 0.000, 0.0005, 0},
            // Routing Time Step Summary (a fixed 20-s step)
            {"system", "system", "routing_avg_step_s", 20.00, 0.005, 0},
            {"system", "system", "routing_max_step_s", 20.00, 0.005, 0},
            {"system", "system", "routing_avg_trials", 2.37, 0.005, 0},
            {"system", "system", "routing_pct_not_converging", 3.68, 0.2, 0}});

    // Without the statistics (SimulationOptions::report_statistics off) the run and its peaks,
    // flood volumes and balances are the same, and the summary has none of the rows above.
    Diagnostics d;
    const fs::path inp = validation_dir("extran1") / "extran1.inp";
    const Network net = read_swmm_inp(inp, d);
    const std::string with = format_summary_csv(net, simulate(net, SimulationOptions{}));
    SimulationOptions off;
    off.report_statistics = false;
    const std::string without = format_summary_csv(net, simulate(net, off));
    EXPECT_EQ(without.find("hours_surcharged"), std::string::npos);
    EXPECT_NE(with.find("hours_surcharged"), std::string::npos);
    // the statistics rows come last: the summary without them is the start of the one with them
    EXPECT_GT(with.size(), without.size());
    EXPECT_EQ(with.compare(0, without.size(), without), 0);
}

// The results CSV's node head, volume and lateral inflow and link depth, velocity, volume and
// capacity, against SWMM 5.2.4's binary output of type5-pump at 01:30 (its values weighted
// between routing steps as SWMM's node_getResults and link_getResults weight them); a
// subcatchment's loss rates and aquifer against gwf/'s.
TEST(DrainageValidation, ResultSeriesMatchSwmmOutput) {
    Diagnostics d;
    const fs::path inp = validation_dir("pumps") / "type5-pump.inp";
    const Network net = read_swmm_inp(inp, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const std::string csv = format_results_csv(net, simulate(net, SimulationOptions{}));
    std::map<std::tuple<std::string, std::string, std::string>, double> at;
    std::istringstream in(csv);
    std::string line;
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() == 5 && f[0] == "5400")
            at[{f[1], f[2], f[3]}] = std::strtod(f[4].c_str(), nullptr);
    }
    struct Check {
        const char *type, *id, *quantity;
        double swmm, tol;
    };
    for (const Check& c :
         std::initializer_list<Check>{{"node", "SU", "head_m", 6.31763, 0.001},
                                      {"node", "SU", "volume_m3", 695.28961, 0.1},
                                      {"node", "J1", "lateral_inflow_m3s", 0.9337, 0.0001},
                                      {"node", "J1", "head_m", 10.26944, 0.001},
                                      {"link", "C1", "depth_m", 0.63471, 0.001},
                                      {"link", "C1", "velocity_ms", 1.77636, 0.002},
                                      {"link", "C1", "volume_m3", 47.80777, 0.05},
                                      {"link", "C1", "capacity", 0.66931, 0.001},
                                      {"link", "C3", "velocity_ms", 2.44211, 0.002},
                                      {"link", "C5", "capacity", 0.29263, 0.001},
                                      {"link", "P3", "capacity", 1.0, 1e-9}, // a pump's setting
                                      {"link", "P5", "capacity", 0.80111, 0.001}}) {
        const auto it = at.find({c.type, c.id, c.quantity});
        ASSERT_NE(it, at.end()) << c.id << " " << c.quantity;
        EXPECT_NEAR(it->second, c.swmm, c.tol) << c.id << " " << c.quantity;
    }
    // a subcatchment's rainfall, loss rates and aquifer (gwf/, US units)
    const fs::path gwf = validation_dir("gwf") / "gwf.inp";
    const Network gnet = read_swmm_inp(gwf, d);
    SimulationOptions so;
    so.base_dir = gwf.parent_path();
    std::istringstream gin(format_results_csv(gnet, simulate(gnet, so)));
    std::map<std::pair<std::string, std::string>, double> sub;
    while (std::getline(gin, line)) {
        const auto f = split_csv(line);
        if (f.size() == 5 && f[1] == "subcatch" && f[2] == "1")
            sub[{f[0], f[3]}] = std::strtod(f[4].c_str(), nullptr);
    }
    constexpr double cfs = 0.0283168466, ft = 0.3048;
    for (const auto& [key, swmm, tol] :
         std::initializer_list<std::tuple<std::pair<std::string, std::string>, double, double>>{
             {{"3600", "rainfall_mmh"}, 0.333 * 25.4, 1e-4},
             {{"7200", "rainfall_mmh"}, 0.630 * 25.4, 1e-4},
             {{"21600", "infil_loss_mmh"}, 0.100071 * 25.4, 0.001},
             {{"21600", "soil_moisture"}, 0.417585, 1e-5},
             {{"21600", "gw_flow_m3s"}, -0.001716 * cfs, 1e-6},
             {{"43200", "gw_flow_m3s"}, 0.237467 * cfs, 1e-5},
             {{"43200", "gw_elevation_m"}, 4.423252 * ft, 0.0005},
             {{"43200", "soil_moisture"}, 0.403588, 1e-5}}) {
        const auto it = sub.find(key);
        ASSERT_NE(it, sub.end()) << key.first << " " << key.second;
        EXPECT_NEAR(it->second, swmm, tol) << key.first << " " << key.second;
    }
}

// Time series read from external files ([TIMESERIES] name FILE path): the rain of a gage (hours
// from the start), an inflow hydrograph (dated lines, a time-only line after them, comments and a
// blank line) and a TIMESERIES outfall stage. Every link flow at every report against SWMM 5.2.4.
TEST(DrainageValidation, TimeSeriesFilesMatchSwmm) {
    const fs::path dir = validation_dir("series-files");
    expect_link_flows_match(dir, "files", 0.0005);
}

// Custom cross-sections (CUSTOM with a SHAPE curve): a chamfered box, an ovoid whose curve starts
// above the bottom and a flared section whose curve ends below the top, two barrels; surcharged
// under dynamic wave behind a fixed outfall stage, and under kinematic wave with flooding. Every
// link flow at every 5-min report within 0.002 m³/s of SWMM 5.2.4's (largest 0.0012 m³/s at
// 3.35 m³/s), the summaries within tolerance.
TEST(DrainageValidation, CustomShapesMatchSwmm) {
    const fs::path dir = validation_dir("custom-shapes");
    expect_link_flows_match(dir, "custom", 0.002);
    expect_link_flows_match(dir, "custom-kw", 0.002);
}

// The shapes SWMM defines by formulas: rectangular-triangular, modified basket handle and power
// under dynamic wave (surcharged behind a fixed outfall stage), the same with rectangular-round
// under kinematic wave (flooding). SWMM's dynamic wave reads a rectangular-round section's
// hydraulic radius in its bottom arc from a formula short of a parenthesis (xsect.c
// rect_round_getRofY: ½r(1 − sin θ)/θ for ½r(1 − sin θ/θ)), so that shape is compared under
// kinematic wave only. Every link flow at every 5-min report within 0.003 m³/s.
TEST(DrainageValidation, AnalyticShapesMatchSwmm) {
    const fs::path dir = validation_dir("analytic-shapes");
    expect_link_flows_match(dir, "shapes", 0.003);
    expect_link_flows_match(dir, "shapes-kw", 0.003);
}

// [ADJUSTMENTS] on the soil: CONDUCTIVITY factors (0.5 in June, 2 in July) on the infiltration
// of a subcatchment, on two channels' seepage and on a storage unit's exfiltration, and a second
// subcatchment's own INFIL, N-PERV and DSTORE patterns, over a run from 30 June into July, with
// Green-Ampt and with Horton infiltration. Every link flow at every 5-min report within 0.002
// m³/s of SWMM 5.2.4's (the adjustments move S2's runoff peak by 0.039 m³/s in SWMM), the
// summaries within tolerance.
TEST(DrainageValidation, SoilAdjustmentsMatchSwmm) {
    const fs::path dir = validation_dir("adjustments");
    expect_link_flows_match(dir, "adj-ga", 0.002);
    expect_link_flows_match(dir, "adj-horton", 0.002);
}

// Routing interface files: rdii/rdii.inp with SAVE OUTFLOWS writes its outfall's flow at every
// report as SWMM 5.2.4 writes it (a_out_swmm.txt, SWMM's own file; 505 rows within 1e-4 m³/s),
// and a downstream model that takes SWMM's file with USE INFLOWS (b.inp) routes it as SWMM does.
TEST(DrainageValidation, RoutingInterfaceFilesMatchSwmm) {
    const fs::path dir = validation_dir("interface-files");
    expect_link_flows_match(dir, "b", 0.0005);
    // SAVE OUTFLOWS, in a folder of its own (the model names its file relative to itself)
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-iface-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    fs::copy_file(dir / "a.inp", tmp / "a.inp", fs::copy_options::overwrite_existing);
    Diagnostics d;
    const Network net = read_swmm_inp(tmp / "a.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    (void)simulate(net, SimulationOptions{});
    auto rows = [](const fs::path& p) {
        std::ifstream in(p);
        std::vector<std::pair<std::string, double>> out; // date, flow
        std::string line;
        for (int i = 0; i < 8 && std::getline(in, line); ++i) {
        }
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            std::string node, y, mo, dd, h, mi, sec;
            double q = 0;
            if (ls >> node >> y >> mo >> dd >> h >> mi >> sec >> q)
                out.emplace_back(y + mo + dd + h + mi + sec, q);
        }
        return out;
    };
    const auto ours = rows(tmp / "a_out.txt");
    const auto swmm = rows(dir / "a_out_swmm.txt");
    fs::remove_all(tmp);
    ASSERT_EQ(ours.size(), swmm.size());
    ASSERT_GT(ours.size(), 500U);
    double worst = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        EXPECT_EQ(ours[i].first, swmm[i].first) << i;
        worst = std::max(worst, std::abs(ours[i].second - swmm[i].second));
    }
    EXPECT_LT(worst, 1e-4);
    std::printf("[ info ] SAVE OUTFLOWS: %zu rows, largest difference from SWMM's file %.6f m3/s\n",
                ours.size(), worst);
}

namespace {

/// SWMM's binary RDII file: its step, node numbers, and (day, flows) records.
struct RdiiFile {
    std::int32_t step = 0;
    std::vector<std::int32_t> nodes;
    std::vector<double> days;
    std::vector<float> flows;
};

RdiiFile read_rdii(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    const std::string b{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    RdiiFile f;
    std::size_t pos = 10;
    const auto take = [&](void* out, std::size_t n) {
        if (pos + n > b.size())
            return false;
        std::memcpy(out, b.data() + pos, n);
        pos += n;
        return true;
    };
    std::int32_t count = 0;
    if (b.compare(0, 10, "SWMM5-RDII") != 0 || !take(&f.step, 4) || !take(&count, 4) || count <= 0)
        return {};
    f.nodes.resize(static_cast<std::size_t>(count));
    take(f.nodes.data(), 4 * f.nodes.size());
    std::vector<float> q(f.nodes.size());
    double day = 0;
    while (take(&day, 8) && take(q.data(), 4 * q.size())) {
        f.days.push_back(day);
        f.flows.insert(f.flows.end(), q.begin(), q.end());
    }
    return f;
}

} // namespace

// RDII interface files ([FILES] SAVE RDII / USE RDII; rdii-files/, the model of rdii/). SAVE:
// RenCheng's file against SWMM 5.2.4's own for the same model, and for the model with its
// [OUTFALLS] before its [JUNCTIONS] (SWMM numbers the nodes in the file's order: the RDII nodes are
// SWMM's 1-5 there): the same header and node numbers, a record at the same dates (to the bit),
// every flow within 2e-4 of SWMM's. USE: models whose unit hydrographs were changed (R 0.03 → 0.09)
// route SWMM's file instead, binary and in its text form: every link flow at every 5-min report
// within 0.0001 m³/s of SWMM's runs from the same files, continuity −0.061 % as SWMM's, and no RDII
// figures (SWMM reports none from a file).
TEST(DrainageValidation, RdiiFilesMatchSwmm) {
    const fs::path dir = validation_dir("rdii-files");
    for (const char* name : {"rdii-use", "rdii-use-text", "rdii-order-use"}) {
        expect_link_flows_match(dir, name, 0.0001);
        Diagnostics d;
        const Network net = read_swmm_inp(dir / (std::string(name) + ".inp"), d);
        const auto res = simulate(net, SimulationOptions{});
        EXPECT_FALSE(res.summary.has_rdii) << name;
        EXPECT_NEAR(res.summary.routing.rdii_m3 / 1000.0, 1.006, 0.0005) << name; // SWMM's ML
    }
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-rdii-files-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    for (const auto& [name, swmm_file] :
         {std::pair<const char*, const char*>{"rdii-save", "rdii-swmm.rdii"},
          std::pair<const char*, const char*>{"rdii-order", "rdii-order-swmm.rdii"}}) {
        run_writing_files(dir, name, tmp);
        const RdiiFile ours = read_rdii(tmp / (std::string(name) + ".rdii"));
        const RdiiFile swmm = read_rdii(dir / swmm_file);
        EXPECT_EQ(ours.step, swmm.step) << name;
        EXPECT_EQ(ours.nodes, swmm.nodes) << name;
        ASSERT_EQ(ours.days.size(), swmm.days.size()) << name;
        EXPECT_GT(ours.days.size(), 400U);
        EXPECT_TRUE(ours.days == swmm.days) << name;
        ASSERT_EQ(ours.flows.size(), swmm.flows.size()) << name;
        double worst = 0;
        for (std::size_t i = 0; i < ours.flows.size(); ++i)
            worst = std::max(worst, std::abs(static_cast<double>(ours.flows[i] - swmm.flows[i])) /
                                        std::max(1e-4, static_cast<double>(swmm.flows[i])));
        EXPECT_LT(worst, 2e-4) << name;
        std::printf("[ info ] SAVE RDII %s: %zu records, flows within %.1e of SWMM's (relative)\n",
                    name, ours.days.size(), worst);
    }
    fs::remove_all(tmp);
}

// [FILES] hot start files (hot-start/): a storm's state saved three hours in and the rest of the
// day run from it, under dynamic wave (Horton, Green-Ampt and curve-number subcatchments, an
// aquifer, ponding, a storage unit with seepage, an orifice set by a rule) and under kinematic
// wave with a pollutant. Each continuing run, read from SWMM 5.2.4's file, matches SWMM's run
// from the same file; the file each first run writes holds SWMM's subcatchment states and
// lateral inflows to 1e-5, its routing state as closely as the runs agree (the seeping storage
// unit, whose SI bottom area SWMM leaves unconverted, 0.4 %), and SWMM's file read and written
// again holds SWMM's values.
TEST(DrainageValidation, HotStartFilesMatchSwmm) {
    const fs::path dir = validation_dir("hot-start");
    expect_link_flows_match(dir, "hot-use", 0.0025);
    expect_link_flows_match(dir, "hot-kw-use", 0.0025);
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-hot-start-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    for (const auto& [name, swmm_file] :
         {std::pair<const char*, const char*>{"hot-save", "hot-swmm.hsf"},
          std::pair<const char*, const char*>{"hot-kw-save", "hot-kw-swmm.hsf"}}) {
        run_writing_files(dir, name, tmp);
        Diagnostics d;
        const Network net = read_swmm_inp(dir / (std::string(name) + ".inp"), d);
        const std::string ours_bytes = rencheng::read_file(tmp / swmm_file);
        const std::string swmm_bytes = rencheng::read_file(dir / swmm_file);
        EXPECT_EQ(ours_bytes.size(), swmm_bytes.size()) << name;
        EXPECT_EQ(ours_bytes.substr(0, 39), swmm_bytes.substr(0, 39)) << name << ": header";
        const HotStart ours = HotStart::read_bytes(net, ours_bytes, "ours");
        const HotStart swmm = HotStart::read_bytes(net, swmm_bytes, "swmm");
        { // SWMM's file read and written again: its layout, and its values to the last bits
            // (feet to metres and back may move a double by an ulp)
            const std::string again = swmm.to_bytes(net);
            ASSERT_EQ(again.size(), swmm_bytes.size()) << name;
            EXPECT_EQ(again.substr(0, 39), swmm_bytes.substr(0, 39)) << name;
            const HotStart back = HotStart::read_bytes(net, again, "again");
            for (std::size_t i = 0; i < back.subcatchments.size(); ++i) {
                EXPECT_NEAR(back.subcatchments[i].runoff_m3s, swmm.subcatchments[i].runoff_m3s,
                            1e-15 * std::abs(swmm.subcatchments[i].runoff_m3s));
                for (std::size_t k = 0; k < 6; ++k)
                    EXPECT_NEAR(back.subcatchments[i].infiltration[k],
                                swmm.subcatchments[i].infiltration[k],
                                1e-15 * std::abs(swmm.subcatchments[i].infiltration[k]));
            }
            EXPECT_EQ(back.node_depth_m, swmm.node_depth_m) << name;
            EXPECT_EQ(back.link_flow_m3s, swmm.link_flow_m3s) << name;
        }
        // relative differences (of values above `floor`), the largest kept per kind
        std::map<std::string, double> worst;
        const auto near = [&](double a, double b, double floor, double tol,
                              const std::string& what) {
            const double e = std::abs(a - b) / std::max(floor, std::abs(b));
            worst[what] = std::max(worst[what], e);
            EXPECT_LT(e, tol) << name << ": " << what << " " << a << " against SWMM's " << b;
        };
        ASSERT_EQ(ours.subcatchments.size(), swmm.subcatchments.size());
        for (std::size_t i = 0; i < ours.subcatchments.size(); ++i) {
            const auto& a = ours.subcatchments[i];
            const auto& b = swmm.subcatchments[i];
            for (std::size_t k = 0; k < 3; ++k)
                near(a.depth_m[k], b.depth_m[k], 1e-4, 1e-5, "ponded depth");
            near(a.runoff_m3s, b.runoff_m3s, 1e-3, 1e-5, "runoff");
            for (std::size_t k = 0; k < 6; ++k)
                near(a.infiltration[k], b.infiltration[k], 1e-6, 1e-5, "infiltration state");
            EXPECT_EQ(a.has_groundwater, b.has_groundwater);
            for (std::size_t k = 0; k < 4; ++k)
                near(a.groundwater[k], b.groundwater[k], 1e-9, 1e-4, "groundwater state");
        }
        for (std::size_t n = 0; n < ours.node_depth_m.size(); ++n) {
            near(ours.node_depth_m[n], swmm.node_depth_m[n], 0.1, 0.006, "node depth");
            near(ours.node_lateral_m3s[n], swmm.node_lateral_m3s[n], 1e-3, 1e-5, "lateral inflow");
        }
        for (std::size_t j = 0; j < ours.link_flow_m3s.size(); ++j) {
            near(ours.link_flow_m3s[j], swmm.link_flow_m3s[j], 1e-3, 0.005, "link flow");
            near(ours.link_depth_m[j], swmm.link_depth_m[j], 0.1, 0.005, "link depth");
            EXPECT_EQ(ours.link_setting[j], swmm.link_setting[j]) << name;
        }
        std::string line;
        for (const auto& [what, e] : worst)
            line += " " + what + " " + std::to_string(e) + ";";
        std::printf("[ info ] SAVE HOTSTART %s against SWMM's file, largest relative "
                    "differences:%s\n",
                    name, line.c_str());
    }
    fs::remove_all(tmp);
}

// [FILES] runoff interface files (runoff-files/): the day of hot-start/ with its runoff saved;
// the saved runoff routed through a larger pipe by a model without the aquifer matches SWMM's run
// from SWMM's file, and the file RenCheng writes holds SWMM's steps and values.
TEST(DrainageValidation, RunoffFilesMatchSwmm) {
    const fs::path dir = validation_dir("runoff-files");
    expect_link_flows_match(dir, "rof-use", 0.0035);
    Diagnostics d;
    const Network use = read_swmm_inp(dir / "rof-use.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(use, SimulationOptions{});
    EXPECT_TRUE(res.summary.runoff_from_file);
    EXPECT_FALSE(res.summary.has_runoff);
    EXPECT_EQ(res.summary.runoff_steps, 272);
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-runoff-files-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    run_writing_files(dir, "rof-save", tmp);
    const Network save = read_swmm_inp(dir / "rof-save.inp", d);
    const RunoffFile ours = RunoffFile::read_file(save, tmp / "rof-swmm.rof");
    const RunoffFile swmm = RunoffFile::read_file(save, dir / "rof-swmm.rof");
    ASSERT_EQ(ours.step_count(), swmm.step_count());
    double runoff = 0, groundwater = 0, table = 0;
    std::vector<double> infil_ours(3, 0.0), infil_swmm(3, 0.0);
    for (std::size_t k = 0; k < ours.step_count(); ++k) {
        EXPECT_EQ(ours.step_s(k), swmm.step_s(k)) << "step " << k;
        for (std::size_t i = 0; i < 3; ++i) {
            const auto a = ours.result(k, i);
            const auto b = swmm.result(k, i);
            runoff = std::max(runoff, std::abs(a.runoff_m3s - b.runoff_m3s));
            groundwater = std::max(groundwater, std::abs(a.groundwater_m3s - b.groundwater_m3s));
            table = std::max(table, std::abs(a.water_table_m - b.water_table_m));
            infil_ours[i] += a.infil_ms * ours.step_s(k);
            infil_swmm[i] += b.infil_ms * swmm.step_s(k);
            EXPECT_EQ(a.evap_ms, b.evap_ms);
        }
    }
    EXPECT_LT(runoff, 1e-5); // of peaks up to 0.72 m3/s
    EXPECT_LT(groundwater, 1e-7);
    EXPECT_LT(table, 1e-5);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_NEAR(infil_ours[i], infil_swmm[i], 1e-5 * infil_swmm[i]) << "subcatchment " << i;
    std::printf("[ info ] SAVE RUNOFF: %zu steps as SWMM's; runoff within %.1e m3/s, groundwater "
                "flow %.1e m3/s, water table %.1e m of SWMM's file\n",
                ours.step_count(), runoff, groundwater, table);
    fs::remove_all(tmp);
}

// Evaporation from a climate file (climate-files/): five days of hot-start/'s network with an
// evaporating storage unit, `[EVAPORATION] FILE` with monthly pan coefficients (a day without
// evaporation in the file keeps the day before's) and `TEMPERATURE` (Hargreaves on the file's
// temperatures from a start date, a latitude, a month's temperature adjustment, a day without
// Tmax). Link flows and SWMM's evaporation losses of the runoff continuity (mm over 15 ha).
TEST(DrainageValidation, ClimateFileEvaporationMatchesSwmm) {
    const fs::path dir = validation_dir("climate-files");
    for (const auto& [name, evap_mm] : {std::pair<const char*, double>{"climate-file", 1.795},
                                        std::pair<const char*, double>{"climate-temp", 2.003}}) {
        expect_link_flows_match(dir, name, 0.0025);
        Diagnostics d;
        const Network net = read_swmm_inp(dir / (std::string(name) + ".inp"), d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        const auto res = simulate(net, SimulationOptions{});
        EXPECT_NEAR(res.summary.runoff.evap_m3 / 150000.0 * 1000.0, evap_mm, 0.0006) << name;
        std::printf("[ info ] %s: runoff evaporation %.4f mm (SWMM %.3f mm)\n", name,
                    res.summary.runoff.evap_m3 / 150.0, evap_mm);
    }
}

// [FILES] rainfall interface files (rainfall-files/): two gages reading one rain file (stations
// ST1, intensities every 15 min from a zero at the start, and ST2, volumes every 10 min) over
// hot-start/'s network. The file RenCheng writes holds SWMM's gages, intervals, positions and
// readings bit for bit; the model whose gages read SWMM's file (their own rain file absent)
// matches SWMM's run from it.
TEST(DrainageValidation, RainfallFilesMatchSwmm) {
    const fs::path dir = validation_dir("rainfall-files");
    expect_link_flows_match(dir, "rff-use", 0.003);
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-rainfall-files-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    fs::copy_file(dir / "rain.dat", tmp / "rain.dat", fs::copy_options::overwrite_existing);
    run_writing_files(dir, "rff-save", tmp);
    const RainfallFile ours = RainfallFile::read_file(tmp / "rain-swmm.rff");
    const RainfallFile swmm = RainfallFile::read_file(dir / "rain-swmm.rff");
    ASSERT_EQ(ours.gages.size(), 2U);
    ASSERT_EQ(swmm.gages.size(), 2U);
    std::size_t readings = 0;
    for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(ours.gages[k].station, swmm.gages[k].station);
        EXPECT_EQ(ours.gages[k].interval_s, swmm.gages[k].interval_s);
        EXPECT_TRUE(ours.gages[k].day == swmm.gages[k].day) << ours.gages[k].station;
        EXPECT_TRUE(ours.gages[k].depth_in == swmm.gages[k].depth_in) << ours.gages[k].station;
        readings += ours.gages[k].day.size();
    }
    EXPECT_EQ(readings, 21U);
    // past the stations' names (SWMM leaves whatever its buffer held there) the bytes are SWMM's
    const std::string a = rencheng::read_file(tmp / "rain-swmm.rff");
    const std::string b = rencheng::read_file(dir / "rain-swmm.rff");
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(a.substr(2088), b.substr(2088)) << "the readings";
    fs::remove_all(tmp);
}

// SWMM 5.2's storage shapes (storage-shapes/): a cylindrical, a conical, a parabolic and a
// pyramidal unit filled by one hydrograph and emptied through orifices, in US units (two of them
// seeping; they overflow) and in SI (without seepage: SWMM's exfiltration takes an SI unit's
// bottom area unconverted, docs/drainage.md). Every orifice's flow at every report.
TEST(DrainageValidation, StorageShapesMatchSwmm) {
    const fs::path dir = validation_dir("storage-shapes");
    expect_link_flows_match(dir, "shapes-us", 1e-5);
    expect_link_flows_match(dir, "shapes-si", 2e-4);
}

// [EVAPORATION] RECOVERY (recovery/): a monthly pattern on the soils' dry-weather recovery (0.3 in
// June, 2.5 in July) over Horton, Green-Ampt and curve-number subcatchments and three storms from
// 29 June to 2 July. Link flows as SWMM's; without the pattern the runoff would differ by up to
// 0.037 m³/s in SWMM, so the pattern is what is being checked.
TEST(DrainageValidation, RecoveryPatternMatchesSwmm) {
    const fs::path dir = validation_dir("recovery");
    expect_link_flows_match(dir, "recovery", 0.003); // below the storage unit: its SI seepage
    Diagnostics d;
    Network net = read_swmm_inp(dir / "recovery.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    ASSERT_TRUE(net.evaporation.recovery.valid());
    const auto with = simulate(net, SimulationOptions{});
    net.evaporation.recovery = PatternIndex{};
    const auto without = simulate(net, SimulationOptions{});
    double diff = 0;
    for (std::size_t k = 0; k < with.series.subcatch_runoff_m3s.size(); ++k)
        diff = std::max(diff, std::abs(with.series.subcatch_runoff_m3s[k] -
                                       without.series.subcatch_runoff_m3s[k]));
    EXPECT_GT(diff, 0.02);
    std::printf("[ info ] recovery: the pattern moves the runoff by up to %.4f m3/s\n", diff);
}

// The shared reference set (REFERENCE.md §3). Slow: run with RENCHENG_SLOW_TESTS=1.
// RENCHENG_DRAINAGE_WRITE_PASSING=FILE writes the list of passing models;
// RENCHENG_DRAINAGE_ONLY=TEXT runs only the models whose path contains TEXT (and prints each
// outcome).
TEST(DrainageValidation, DISABLED_SlowSharedReferenceModels) {
    const fs::path root = shared_root();
    std::ifstream index(root / "REFERENCE_INDEX.csv");
    if (!index)
        GTEST_SKIP() << "shared reference data not found at " << root;
    const auto passing = read_list(passing_list());
    std::string line;
    std::getline(index, line);
    int cases = 0;
    std::vector<std::string> passed;
    while (std::getline(index, line)) {
        const auto f = split_csv(line);
        if (f.size() < 4 || f[0] != "drainage")
            continue;
        const char* only = std::getenv("RENCHENG_DRAINAGE_ONLY");
        if (only && f[1].find(only) == std::string::npos)
            continue;
        ++cases;
        const auto o = compare(root / f[1], parse_summary(read_gz(root / f[3])));
        if (o.pass())
            passed.push_back(f[1]);
        if (passing.count(f[1]))
            EXPECT_TRUE(o.pass()) << f[1] << " regressed: " << report(o);
        else if (!o.pass() || only)
            std::printf("[ info ] %s: %s\n", f[1].c_str(), report(o).c_str());
    }
    std::printf("[ info ] shared drainage models: %zu of %d within tolerance\n", passed.size(),
                cases);
    if (const char* out = std::getenv("RENCHENG_DRAINAGE_WRITE_PASSING")) {
        std::ofstream o(out);
        o << "# Shared SWMM reference models (REFERENCE_INDEX.csv inputs) within the issue-6\n"
             "# tolerances; tests/drainage/test_drainage_validation.cpp asserts they stay so.\n";
        for (const auto& p : passed)
            o << p << '\n';
    }
}
