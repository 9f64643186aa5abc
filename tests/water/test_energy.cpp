// Pump energy (EPANET 2.2's energy report): one pump by hand, and four networks against EPANET
// 2.2's own report (tests/validation/water/energy/, made through its toolkit's binary output).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"
#include "water/results_csv.hpp"

#include "parse_ok.hpp"
#include "reference_check.hpp"

using namespace rencheng;
using namespace rencheng::water;
using test_support::parse_ok;
namespace fs = std::filesystem;
using rencheng::water::test_support::shared_root;
using rencheng::water::test_support::validation_dir;

namespace {

// R1 (head 10 m) → pump PU1 → J1 (demand 20 L/s, reached only through the pump): the pump
// carries 20 L/s at the head of its one-point curve, 50 m.
const char* const kOnePump = "[JUNCTIONS]\n J1 0 20\n[RESERVOIRS]\n R1 10\n"
                             "[PUMPS]\n PU1 R1 J1 HEAD C1\n[CURVES]\n C1 20 50\n"
                             "[ENERGY]\n GLOBAL EFFICIENCY 80\n GLOBAL PRICE 0.1\n"
                             " DEMAND CHARGE 2\n[OPTIONS]\n UNITS LPS\n";

struct Reference {
    std::map<std::string, std::vector<double>> pumps; ///< the six values of EPANET's report
    double demand_charge = 0;
};

Reference read_reference(const fs::path& path) {
    Reference r;
    std::ifstream in(path);
    EXPECT_TRUE(in) << path;
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string id, field;
        std::getline(ss, id, ',');
        std::vector<double> v;
        while (std::getline(ss, field, ','))
            v.push_back(std::stod(field));
        if (id == "demand_charge")
            r.demand_charge = v.at(0);
        else
            r.pumps[id] = v;
    }
    return r;
}

/// Runs `inp` and compares its pump energy with EPANET's report in `ref` (kWh per m³ in SI
/// units, per million US gallons otherwise, as EPANET reports them): within `rel` relative
/// (1e-6 absolute at zero). Returns the largest relative difference.
double compare_with_epanet(const fs::path& inp, const fs::path& ref, double rel) {
    Diagnostics diags;
    const Network net = read_inp(inp, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    const HydraulicTopology topo(net);
    EpsOptions opt;
    opt.epanet_volume_rounding = true; // EPANET's tank volumes (SI networks)
    opt.hydraulic.closed_link_leakage = true;
    const EpsResult res = simulate_eps(net, topo, opt);
    EXPECT_TRUE(res.converged) << res.message;
    const Reference r = read_reference(ref);
    EXPECT_EQ(r.pumps.size(), static_cast<std::size_t>(net.pumps.count())) << inp;
    const bool si =
        net.options.flow_units == FlowUnits::kLps || net.options.flow_units == FlowUnits::kLpm ||
        net.options.flow_units == FlowUnits::kMld || net.options.flow_units == FlowUnits::kCmh ||
        net.options.flow_units == FlowUnits::kCmd || net.options.flow_units == FlowUnits::kCms;
    constexpr double kM3PerMgal = 3785.411784;
    double worst = 0;
    const auto check = [&](const std::string& what, double ours, double theirs) {
        const double d = std::fabs(ours - theirs);
        const double scale = std::max(std::fabs(theirs), 1e-6 / rel);
        worst = std::max(worst, d / scale);
        EXPECT_LE(d, rel * scale) << inp.filename() << " " << what << ": " << ours
                                  << " against EPANET's " << theirs;
    };
    for (std::int32_t j = 0; j < net.pumps.count(); ++j) {
        const std::string& id = net.link_id[net.pumps.link[static_cast<std::size_t>(j)].idx()];
        const auto it = r.pumps.find(id);
        if (it == r.pumps.end()) {
            ADD_FAILURE() << "no reference for pump " << id;
            continue;
        }
        const std::vector<double>& v = it->second;
        const PumpEnergy& e = res.pump_energy.at(static_cast<std::size_t>(j));
        check(id + " utilization", e.utilization_pct, v[0]);
        check(id + " efficiency", e.efficiency_pct, v[1]);
        check(id + " kWh per volume", e.kwh_per_m3 * (si ? 1.0 : kM3PerMgal), v[2]);
        check(id + " average kW", e.average_kw, v[3]);
        check(id + " peak kW", e.peak_kw, v[4]);
        check(id + " cost per day", e.cost_per_day, v[5]);
    }
    check("demand charge", res.demand_charge, r.demand_charge);
    return worst;
}

} // namespace

TEST(PumpEnergy, OnePumpByHand) {
    const Network net = parse_ok(kOnePump);
    const HydraulicTopology topo(net);
    const EpsResult res = simulate_eps(net, topo, EpsOptions{});
    ASSERT_TRUE(res.converged) << res.message;
    ASSERT_EQ(res.pump_energy.size(), 1U);
    const PumpEnergy& e = res.pump_energy[0];
    // EPANET's power: H (ft) · Q (cfs) · SG / 8.814 / η · 0.7457 kW, with its 28.317 L/s per cfs:
    // 164.0420 ft · 0.7062895 cfs / 8.814 / 0.8 · 0.7457 = 12.25290 kW; ρgQH/η with g = 9.80665
    // gives 12.25832 kW (EPANET's constants are 0.044 % short of it).
    EXPECT_NEAR(e.peak_kw, 12.25290, 1e-4);
    EXPECT_NEAR(e.peak_kw, 9.80665 * 0.02 * 50.0 / 0.8, 5e-4 * e.peak_kw);
    // A single period counts as one hour on line.
    EXPECT_DOUBLE_EQ(e.utilization_pct, 100.0);
    EXPECT_DOUBLE_EQ(e.efficiency_pct, 80.0);
    EXPECT_DOUBLE_EQ(e.average_kw, e.peak_kw);
    EXPECT_DOUBLE_EQ(e.energy_kwh, e.peak_kw);
    EXPECT_NEAR(e.kwh_per_m3, e.peak_kw / 0.02 / 3600.0, 1e-12);
    EXPECT_NEAR(e.cost_per_day, 0.1 * e.peak_kw * 24.0, 1e-9);
    EXPECT_NEAR(res.demand_charge, 2.0 * e.peak_kw, 1e-9);
    // The results CSV carries them at the last reporting time.
    const std::string csv = format_results_csv(net, res);
    EXPECT_NE(csv.find("0,link,PU1,power_peak_kw,12.25"), std::string::npos) << csv;
    EXPECT_NE(csv.find("0,link,PU1,utilization_pct,100\n"), std::string::npos) << csv;
}

TEST(PumpEnergy, TimeOnLineFollowsTheControls) {
    // Two hours: the pump is closed by a time control after the first; the demand comes from
    // the tank meanwhile. Utilization 50 %, and the means are over the hour it ran.
    const std::string text = std::string(kOnePump) +
                             "[TANKS]\n T1 0 55 0 100 20 0\n[PIPES]\n P1 J1 T1 10 300 120\n"
                             "[CONTROLS]\n LINK PU1 CLOSED AT TIME 1\n"
                             "[TIMES]\n DURATION 2\n HYDRAULIC TIMESTEP 1:00\n";
    const Network net = parse_ok(text);
    const HydraulicTopology topo(net);
    const EpsResult res = simulate_eps(net, topo, EpsOptions{});
    ASSERT_TRUE(res.converged) << res.message;
    const PumpEnergy& e = res.pump_energy.at(0);
    EXPECT_NEAR(e.utilization_pct, 50.0, 1e-12);
    EXPECT_NEAR(e.energy_kwh, e.average_kw * 1.0, 1e-12);
    EXPECT_GT(e.average_kw, 0.0);
    EXPECT_LE(e.average_kw, e.peak_kw);
    EXPECT_NEAR(e.cost_per_day, 0.1 * e.energy_kwh * 24.0 / 2.0, 1e-9);
}

TEST(PumpEnergy, MatchesEpanetReport) {
    // EPANET 2.2 stores its report in single precision (7 digits): within 1e-6 relative. Net3's
    // pump 335 is switched by a tank level, at a time EPANET rounds to whole seconds
    // differently at one switch (28.7442 against 28.7431 % on line): 1e-4 there.
    const fs::path dir = validation_dir() / "energy";
    const fs::path net1 = validation_dir() / "net1" / "Net1.inp";
    EXPECT_LT(compare_with_epanet(net1, dir / "Net1.energy.csv", 1e-6), 1e-6);
    EXPECT_LT(compare_with_epanet(dir / "Net3-energy.inp", dir / "Net3-energy.energy.csv", 1e-4),
              1e-4);
    EXPECT_LT(compare_with_epanet(dir / "Energy-si.inp", dir / "Energy-si.energy.csv", 1e-6), 1e-6);
    const fs::path ky4 =
        shared_root() / "water" / "emt" / "networks" / "asce-tf-wdst" / "ky4" / "ky4.inp";
    if (fs::exists(ky4)) {
        EXPECT_LT(compare_with_epanet(ky4, dir / "ky4.energy.csv", 1e-6), 1e-6);
    }
}
