// Gas as a lifeline of the stress test, in tables: a lost gate station (customers ride on the
// gas stored in the pipes, then lose it), a pipe break (its segment is shut off by valves, the
// customers there lose gas, the others keep it), gas → hospital, gas crews, cause chains,
// conservation and 1 vs 2 threads (docs/scenario.md "Gas").
#include <gtest/gtest.h>

#include <cmath>

#include "city_builders.hpp"
#include "citygen/citygen.hpp"
#include "gas/isolation.hpp"
#include "gas/linepack.hpp"
#include "report/run_folder.hpp"
#include "sim/ensemble.hpp"
#include "sim/metrics.hpp"
#include "sim/simulation.hpp"

namespace rencheng::sim {
namespace {

using gas::ConnectionKind;
using gas::NodeKind;
using model::Service;
using testing::dep;
using testing::facility;
using testing::zone;

constexpr double kAtm = gas::kNormalPressurePa;
constexpr int kGas = static_cast<int>(Service::kGas);

Scenario scenario(const std::string& body, int horizon_h = 24) {
    Diagnostics d;
    Scenario s =
        parse_scenario("[scenario]\ncity = \".\"\nhorizon_h = " + std::to_string(horizon_h) +
                           "\nstep_min = 60\nrealizations = 1\n" + body,
                       "/tmp/test.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
}

// A sub-high pressure line with two manual isolation valves:
//
//   S =GV= A -P1- B =V1= C -P2- D =V2= E -P3- F
//                 |             |             |
//                 S1            S2            S3
//                 K1 (zone Z1)  K2 (zone Z2)  KH (hospital H)
//
// P1 and P2 are 1 km, P3 5 km, all 0.3 m: P3 holds enough gas to carry the hospital for hours.
gas::Network line_network() {
    gas::Network net;
    auto node = [&](const char* id, NodeKind kind, double lon) {
        const auto n = net.add_node(id, kind);
        net.lon_deg[n.idx()] = lon;
        net.lat_deg[n.idx()] = 30.60;
        return n;
    };
    auto pipe = [&](const char* id, gas::NodeIndex a, gas::NodeIndex b, double length_m,
                    double diameter_m) {
        const auto k = net.add_connection(id, ConnectionKind::kPipe, a, b);
        net.length_m[k.idx()] = length_m;
        net.diameter_m[k.idx()] = diameter_m;
        net.roughness_m[k.idx()] = 0.05e-3;
        net.pressure_class[k.idx()] = gas::PressureClass::kSubHigh;
    };
    auto valve = [&](const char* id, gas::NodeIndex a, gas::NodeIndex b, gas::ValveKind kind) {
        const auto k = net.add_connection(id, ConnectionKind::kValve, a, b);
        net.valve_kind[k.idx()] = kind;
        net.pressure_class[k.idx()] = gas::PressureClass::kSubHigh;
    };
    auto customer = [&](const char* id, double lon, double demand_m3s) {
        const auto n = node(id, NodeKind::kCustomer, lon);
        net.demand_m3s[n.idx()] = demand_m3s;
        net.pressure_min_pa[n.idx()] = kAtm + 0.1e6;
        return n;
    };
    const auto s = node("S", NodeKind::kSource, 114.200);
    net.set_pressure_pa[s.idx()] = kAtm + 0.7e6;
    const auto a = node("A", NodeKind::kJunction, 114.201);
    const auto b = node("B", NodeKind::kJunction, 114.210);
    const auto c = node("C", NodeKind::kJunction, 114.211);
    const auto d = node("D", NodeKind::kJunction, 114.220);
    const auto e = node("E", NodeKind::kJunction, 114.221);
    const auto f = node("F", NodeKind::kJunction, 114.270);
    valve("GV", s, a, gas::ValveKind::kRemote);
    pipe("P1", a, b, 1000.0, 0.3);
    valve("V1", b, c, gas::ValveKind::kManual);
    pipe("P2", c, d, 1000.0, 0.3);
    valve("V2", d, e, gas::ValveKind::kManual);
    pipe("P3", e, f, 5000.0, 0.3);
    pipe("S1", b, customer("K1", 114.210, 0.02), 50.0, 0.1);
    pipe("S2", d, customer("K2", 114.220, 0.02), 50.0, 0.1);
    pipe("S3", f, customer("KH", 114.270, 0.1), 50.0, 0.1);
    return net;
}

model::City gas_city() {
    model::City city;
    city.info.name = "Gas line";
    city.info.extent = {114.1, 30.5, 114.4, 30.7};
    city.gas = line_network();
    city.facilities = {facility("H", model::FacilityKind::kHospital, {114.27, 30.60}),
                       facility("D1", model::FacilityKind::kDepot, {114.20, 30.60})};
    city.zones = {zone("Z1", 1000, {114.21, 30.60}), zone("Z2", 2000, {114.22, 30.60})};
    city.dependencies = {dep("zone:Z1", Service::kGas, "gas_node:K1"),
                         dep("zone:Z2", Service::kGas, "gas_node:K2"),
                         dep("facility:H", Service::kGas, "gas_node:KH")};
    city.index_assets();
    return city;
}

const Event* find_event(const RealizationResult& r, const Simulation& sim, const std::string& asset,
                        EventKind kind, int service = -2) {
    for (const auto& e : r.events)
        if (sim.asset_name(e.asset) == asset && e.kind == kind &&
            (service == -2 || e.service == service))
            return &e;
    return nullptr;
}

/// The first output time at or after t (1 h steps).
std::int64_t next_step(double t_s) {
    return static_cast<std::int64_t>(std::ceil(t_s / 3600.0 - 1e-9)) * 3600;
}

// The gate station is lost at 1 h for good. Nobody loses gas at once: each customer keeps it
// until the linepack model's hours after the cut, then loses it to the horizon; the chain ends
// at the gate station.
//
// | consumer | loses gas at                         | cause chain ends at          |
// | Z1, Z2   | 1 h + their hours, rounded up a step | gas_node:S damaged (supply)  |
// | H        | 1 h + its hours, rounded up a step   | gas_node:S damaged (supply)  |
TEST(GasLifeline, SupplyCutCustomersLoseGasAfterTheirLinepackHours) {
    const model::City city = gas_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "supply_loss"
supply = "gas"
time_h = 1
)"));
    gas::SupplyCut cut;
    cut.sources_out.push_back(city.gas->find_node("S"));
    const gas::LinepackResult lp = gas::simulate_supply_cut(*city.gas, cut);
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    for (const auto& [consumer, customer] : {std::pair<std::string, std::string>{"zone:Z1", "K1"},
                                             {"zone:Z2", "K2"},
                                             {"facility:H", "KH"}}) {
        const double h = lp.hours_to_minimum[city.gas->find_node(customer).idx()];
        ASSERT_TRUE(std::isfinite(h)) << customer;
        ASSERT_GT(h, 1.0) << customer << ": linepack should carry it more than a step";
        ASSERT_LT(h, 20.0) << customer;
        const Event* lost = find_event(r, sim, consumer, EventKind::kServiceLost, kGas);
        ASSERT_NE(lost, nullptr) << consumer;
        EXPECT_EQ(lost->time_s, next_step(3600.0 + h * 3600.0)) << consumer << " h=" << h;
        EXPECT_NE(lost->detail.find("linepack held it for"), std::string::npos) << lost->detail;
        ASSERT_FALSE(lost->chain.empty());
        EXPECT_EQ(lost->chain.back().rfind("gas_node:S damaged: gas supply lost", 0), 0u)
            << lost->chain.back();
        EXPECT_EQ(find_event(r, sim, consumer, EventKind::kServiceRestored, kGas), nullptr);
    }
    // Nobody lost gas at the cut or one step after it.
    EXPECT_EQ(r.served_population[kGas][1], 3000.0);
    EXPECT_EQ(r.served_population[kGas][2], 3000.0);
    EXPECT_EQ(r.served_population[kGas].back(), 0.0);
    EXPECT_GT(r.unmet_demand[kGas], 0.0);
    EXPECT_GE(r.gas_solves, 1);
    EXPECT_LT(r.max_gas_relative_balance, 1e-6);
}

// Pipe P2 breaks at 2 h; one gas crew repairs it in 4 h (no roads: no travel). Valves V1 and V2
// shut the segment C–D; K2 is in it, K1 is upstream, KH beyond V2 lives on P3's gas.
//
// | consumer | gas                                            | why                        |
// | Z1       | kept                                           | upstream of V1             |
// | Z2       | lost 2 h – 6 h (2000 people × 4 h)             | in the segment of P2       |
// | H        | kept: P3's linepack outlasts the 4 h repair    | cut off beyond V2          |
TEST(GasLifeline, PipeBreakShutsItsSegmentAndOnlyItsCustomersLoseGas) {
    const model::City city = gas_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["gas_link:P2"]
time_h = 2
[recovery.repair_hours]
"gas_pipe.break" = [4, 0]
[[recovery.crews]]
depot = "facility:D1"
skill = "gas"
)"));
    const gas::Isolation iso = gas::isolate_break(*city.gas, city.gas->find_connection("P2"));
    ASSERT_EQ(iso.customers_in_segment.size(), 1u);
    ASSERT_EQ(iso.customers_cut_off.size(), 1u);
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    EXPECT_EQ(find_event(r, sim, "zone:Z1", EventKind::kServiceLost, kGas), nullptr);
    EXPECT_EQ(find_event(r, sim, "facility:H", EventKind::kServiceLost, kGas), nullptr);
    const Event* lost = find_event(r, sim, "zone:Z2", EventKind::kServiceLost, kGas);
    ASSERT_NE(lost, nullptr);
    EXPECT_EQ(lost->time_s, 2 * 3600);
    ASSERT_EQ(lost->chain.size(), 3u);
    EXPECT_EQ(lost->chain[0], "zone:Z2 service_lost gas");
    EXPECT_EQ(lost->chain[1],
              "gas_node:K2 function_lost: in the segment shut off around a broken pipe");
    EXPECT_EQ(lost->chain[2].rfind("gas_link:P2 damaged: break", 0), 0u) << lost->chain[2];
    const Event* back = find_event(r, sim, "zone:Z2", EventKind::kServiceRestored, kGas);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->time_s, 6 * 3600);
    const Event* shut = find_event(r, sim, "gas_link:P2", EventKind::kFunctionLost, kGas);
    ASSERT_NE(shut, nullptr);
    EXPECT_NE(shut->detail.find("2 valves closed"), std::string::npos) << shut->detail;
    ASSERT_NE(find_event(r, sim, "gas_link:P2", EventKind::kCrewDispatched), nullptr);
    EXPECT_DOUBLE_EQ(curve_metrics(r.served_population[kGas], sim.service_population(Service::kGas),
                                   sim.scenario().step_s)
                         .population_hours_lost,
                     2000.0 * 4);
    // Restoration of the gas lifeline: one damaged component, repaired at 6 h.
    const auto& rep = r.repaired_count[static_cast<int>(Lifeline::kGas)];
    EXPECT_EQ(r.damaged_count[static_cast<int>(Lifeline::kGas)].back(), 1);
    EXPECT_EQ(rep[5], 0);
    EXPECT_EQ(rep[6], 1);
    EXPECT_LT(r.max_gas_relative_balance, 1e-6);
}

// The hospital's service pipe S3 breaks at 1 h and nobody repairs it: the hospital (boilers,
// kitchens, sterilisers) is without gas from 1 h to the horizon, for that cause.
//
// | consumer | gas lost | chain                                                   |
// | H        | 1 – 24 h | facility:H ← gas_node:KH (shut-off segment) ← S3 broken |
// | Z1, Z2   | never    | upstream of V2                                          |
TEST(GasLifeline, GasToHospital) {
    const model::City city = gas_city();
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "failure"
assets = ["gas_link:S3"]
time_h = 1
)"));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const Event* lost = find_event(r, sim, "facility:H", EventKind::kServiceLost, kGas);
    ASSERT_NE(lost, nullptr);
    EXPECT_EQ(lost->time_s, 3600);
    ASSERT_EQ(lost->chain.size(), 3u);
    EXPECT_EQ(lost->chain[0], "facility:H service_lost gas");
    EXPECT_EQ(lost->chain[2].rfind("gas_link:S3 damaged: break", 0), 0u) << lost->chain[2];
    EXPECT_DOUBLE_EQ(r.facility_downtime_h[0][kGas], 23.0);
    EXPECT_EQ(find_event(r, sim, "zone:Z1", EventKind::kServiceLost, kGas), nullptr);
    EXPECT_EQ(find_event(r, sim, "zone:Z2", EventKind::kServiceLost, kGas), nullptr);
    bool root = false;
    for (const auto& rl : r.root_losses)
        root = root || (sim.asset_name(rl.root) == "gas_link:S3" && rl.service == kGas);
    EXPECT_TRUE(root);
}

// Random gas pipe breaks over six realizations: every solved gas zone balances, and the summary
// is byte-identical for 1 and 2 threads (gas states are shared between realizations through a
// cache, whose contents never depend on which thread filled it).
TEST(GasLifeline, RandomBreaksConserveAndAreTheSameForAnyThreadCount) {
    const model::City city = gas_city();
    Scenario s = scenario(R"(
[[hazard]]
type = "random_failures"
layer = "gas_link"
count = 2
time_h = 1
[[recovery.crews]]
depot = "facility:D1"
skill = "gas"
)");
    s.realizations = 6;
    const Simulation sim(city, s);
    EnsembleOptions one;
    one.threads = 1;
    EnsembleOptions two;
    two.threads = 2;
    const EnsembleResult a = run_ensemble(sim, one);
    const EnsembleResult b = run_ensemble(sim, two);
    EXPECT_EQ(report::format_summary_json(sim, a), report::format_summary_json(sim, b));
    double lost = 0;
    for (const auto& r : a.realizations) {
        EXPECT_LT(r.max_gas_relative_balance, 1e-6) << r.realization;
        EXPECT_EQ(r.damaged_per_layer[static_cast<int>(Layer::kGasLink)], 2);
        lost += population_hours_lost(sim, r)[kGas];
    }
    EXPECT_GT(lost, 0.0); // some draw breaks a pipe that serves someone
    const std::string run_json = report::format_run_json(sim, a, {});
    EXPECT_NE(run_json.find("max_gas_node_imbalance_m3s"), std::string::npos);
}

// A generated city: every zone and every hospital and school depends on its own gas customer
// (dependencies written by the generator), and when the gate station is lost, linepack keeps
// every one of them supplied past the cut, then they lose gas — the gate station at the end of
// every chain.
TEST(GasLifeline, GeneratedCityTiesConsumersToTheirGasCustomers) {
    citygen::GenerateOptions o;
    o.population = 20000;
    o.seed = 7;
    model::City city = citygen::generate_city(o);
    city.index_assets();
    ASSERT_TRUE(city.gas.has_value());
    std::size_t zones = 0, facilities = 0;
    for (const auto& d : city.dependencies) {
        if (d.service != Service::kGas)
            continue;
        EXPECT_TRUE(city.has_asset(d.provider)) << d.provider;
        EXPECT_EQ(d.backup_hours, 0.0);
        const auto n = city.gas->find_node(d.provider.substr(std::string("gas_node:").size()));
        ASSERT_TRUE(n.valid()) << d.provider;
        EXPECT_EQ(city.gas->node_kind[n.idx()], NodeKind::kCustomer);
        zones += d.consumer.starts_with("zone:") ? 1 : 0;
        facilities += d.consumer.starts_with("facility:") ? 1 : 0;
    }
    EXPECT_EQ(zones, city.zones.size());
    std::size_t with_gas = 0;
    for (const auto& f : city.facilities)
        with_gas +=
            f.kind == model::FacilityKind::kHospital || f.kind == model::FacilityKind::kSchool ? 1
                                                                                               : 0;
    EXPECT_EQ(facilities, with_gas);
    const Simulation sim(city, scenario(R"(
[[hazard]]
type = "supply_loss"
supply = "gas"
time_h = 1
)",
                                        48));
    const RealizationResult r = sim.run(0, DispatchPolicy::kCriticalFirst, true);
    const auto& served = r.served_population[kGas];
    EXPECT_EQ(served[0], sim.service_population(Service::kGas));
    EXPECT_EQ(served[1], served[0]) << "linepack: nobody loses gas at the cut";
    EXPECT_LT(served.back(), served[0]);
    for (const auto& e : r.events)
        if (e.kind == EventKind::kServiceLost && e.service == kGas) {
            EXPECT_GT(e.time_s, 3600) << sim.asset_name(e.asset);
            ASSERT_FALSE(e.chain.empty());
            EXPECT_NE(e.chain.back().find("damaged: gas supply lost"), std::string::npos)
                << e.chain.back();
        }
    EXPECT_LT(r.max_gas_relative_balance, 1e-6);
}

TEST(GasLifeline, ScenarioKeys) {
    Diagnostics d;
    const Scenario s = parse_scenario(R"([scenario]
city = "."
[[hazard]]
type = "supply_loss"
supply = "gas"
[[recovery.crews]]
depot = "facility:D1"
skill = "gas"
)",
                                      "/tmp/gas.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    ASSERT_EQ(s.recovery.crews.size(), 1u);
    EXPECT_EQ(s.recovery.crews[0].skill, Skill::kGas);
    // A gas supply loss on a city without a gas network is an error at the hazard's line.
    model::City no_gas = gas_city();
    no_gas.gas.reset();
    no_gas.dependencies.clear();
    no_gas.index_assets();
    Diagnostics d2;
    check_scenario_against_city(s, no_gas, d2);
    EXPECT_TRUE(d2.has_errors());
    EXPECT_NE(d2.format().find("gas supply loss needs a gas network"), std::string::npos);
    EXPECT_NE(d2.format().find("gas.toml:3"), std::string::npos) << d2.format();
}

} // namespace
} // namespace rencheng::sim
