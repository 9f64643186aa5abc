// Tests of the generated gas network and of the operations on it: its make-up, every pipe break
// isolated (checked by an independent graph search), the supply kept outside the segment
// (checked with the steady state), a gate station cut, the bundle's [gas] layer and the
// `gas isolate` / `gas locate-leak` commands.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "citygen/citygen.hpp"
#include "core/rng.hpp"
#include "gas/geojson_io.hpp"
#include "gas/isolation.hpp"
#include "gas/linepack.hpp"
#include "gas/steady_state.hpp"
#include "model/city.hpp"
#include "support/run_rencheng.hpp"

using namespace rencheng;
using namespace rencheng::gas;

namespace {

namespace fs = std::filesystem;

citygen::GenerateOptions city_options(std::int64_t population, std::uint64_t seed) {
    citygen::GenerateOptions o;
    o.population = population;
    o.seed = seed;
    o.name = "Gas City";
    o.name_zh = "燃气城";
    return o;
}

// One city for the whole suite: generating it dominates the run time.
const model::City& city() {
    static const model::City c = citygen::generate_city(city_options(60000, 11));
    return c;
}

// Flows to 1e-9 of the throughput: the checks need pressures to a few Pa, and the network's
// dead ends (valve stubs, unused district edges) hold gas at rest.
SteadyStateOptions steady() {
    SteadyStateOptions o;
    o.flow_tolerance = 1e-9;
    return o;
}

fs::path temp_path(const std::string& suffix) {
    static int counter = 0;
    return fs::temp_directory_path() / ("rencheng-gas-ops-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter++) + suffix);
}

// An adjacency of its own (node -> (connection, other end)), so the checks below share no code
// with the isolation they check.
struct Incidence {
    std::vector<std::vector<std::pair<std::size_t, std::size_t>>> at;
    explicit Incidence(const Network& net) : at(net.node_id.size()) {
        for (std::size_t k = 0; k < net.connection_id.size(); ++k) {
            at[net.from_node[k].idx()].emplace_back(k, net.to_node[k].idx());
            at[net.to_node[k].idx()].emplace_back(k, net.from_node[k].idx());
        }
    }
};

bool station(const Network& net, std::size_t k) {
    return net.connection_kind[k] == ConnectionKind::kRegulator ||
           net.connection_kind[k] == ConnectionKind::kCompressor;
}

// Depth-first search. `upstream`: the nodes from which gas can flow to the start nodes (against
// the stations' direction); otherwise the nodes gas flows to from them. `shut[k]` connections
// are impassable, `blocked` nodes are never entered.
std::vector<char> search(const Network& net, const Incidence& inc, std::vector<std::size_t> stack,
                         const std::vector<char>& shut, const std::vector<char>& blocked,
                         bool upstream) {
    std::vector<char> seen(net.node_id.size(), 0);
    for (const std::size_t s : stack)
        seen[s] = 1;
    while (!stack.empty()) {
        const std::size_t u = stack.back();
        stack.pop_back();
        for (const auto& [k, w] : inc.at[u]) {
            if (shut[k] || !net.open[k] || seen[w] || blocked[w])
                continue;
            if (station(net, k)) {
                // Downstream: from inlet to outlet. Upstream: from outlet back to inlet.
                const std::size_t inlet = net.from_node[k].idx();
                if (upstream ? u == inlet : u != inlet)
                    continue;
            }
            seen[w] = 1;
            stack.push_back(w);
        }
    }
    return seen;
}

} // namespace

TEST(GasOpsCity, GeneratedNetworkHasEveryPart) {
    const Network& net = *city().gas;
    std::map<ConnectionKind, int> kinds;
    std::map<ValveKind, int> valves;
    std::map<PressureClass, int> classes;
    for (std::size_t k = 0; k < net.connection_id.size(); ++k) {
        ++kinds[net.connection_kind[k]];
        if (net.connection_kind[k] == ConnectionKind::kValve)
            ++valves[net.valve_kind[k]];
        if (net.connection_kind[k] == ConnectionKind::kPipe)
            ++classes[net.pressure_class[k]];
    }
    int sources = 0, critical = 0, residential = 0;
    for (std::size_t i = 0; i < net.node_id.size(); ++i) {
        sources += net.node_kind[i] == NodeKind::kSource ? 1 : 0;
        critical += net.customer_class[i] == CustomerClass::kCritical ? 1 : 0;
        residential += net.customer_class[i] == CustomerClass::kResidential ? 1 : 0;
    }
    EXPECT_EQ(sources, 1); // one gate station below 300,000 people
    EXPECT_EQ(residential, static_cast<int>(city().zones.size()));
    int hospitals = 0;
    for (const model::Facility& f : city().facilities)
        hospitals += f.kind == model::FacilityKind::kHospital ? 1 : 0;
    EXPECT_EQ(critical, hospitals);
    EXPECT_GE(kinds[ConnectionKind::kRegulator], 3 + 10); // ring stations and district boxes
    EXPECT_GT(classes[PressureClass::kSubHigh], 2);
    EXPECT_GT(classes[PressureClass::kMedium], 100);
    EXPECT_GT(classes[PressureClass::kLow], 100);
    EXPECT_GT(valves[ValveKind::kRemote], 3);
    EXPECT_GT(valves[ValveKind::kManual], 10);
    EXPECT_EQ(valves[ValveKind::kAutoExcessFlow], hospitals);
    // Every customer is reached from the gate station.
    const std::vector<std::uint8_t> reached =
        nodes_reached_from_sources(net, std::vector<std::uint8_t>(net.connection_id.size(), 0), {});
    for (std::size_t i = 0; i < net.node_id.size(); ++i) {
        if (net.node_kind[i] == NodeKind::kCustomer) {
            EXPECT_TRUE(reached[i]) << net.node_id[i];
        }
    }
    std::printf("gas network: %zu nodes, %d pipes, %d valves, %d regulators\n", net.node_id.size(),
                kinds[ConnectionKind::kPipe], kinds[ConnectionKind::kValve],
                kinds[ConnectionKind::kRegulator]);
}

TEST(GasOpsCity, SameSeedSameGasNetwork) {
    const model::City again = citygen::generate_city(city_options(60000, 11));
    EXPECT_EQ(format_gas_geojson(*again.gas), format_gas_geojson(*city().gas));
}

TEST(GasOpsCity, GeneratedNetworkSolvesWithServicePressure) {
    const Network& net = *city().gas;
    const SteadyStateResult r = solve_steady_state(net, steady());
    for (const ComponentReport& c : r.components) {
        std::string why;
        for (const std::string& m : c.messages)
            why += m + "\n";
        EXPECT_EQ(c.status, ComponentStatus::kSolved) << why;
    }
    double worst_margin = 1e300;
    for (std::size_t i = 0; i < net.node_id.size(); ++i)
        if (net.node_kind[i] == NodeKind::kCustomer) {
            EXPECT_GE(r.pressure_pa[i], net.pressure_min_pa[i]) << net.node_id[i];
            worst_margin = std::min(worst_margin, r.pressure_pa[i] - net.pressure_min_pa[i]);
        }
    std::printf("generated gas network: %d Newton iterations, worst customer margin %.0f Pa\n",
                r.iterations, worst_margin);
}

// Acceptance (issue 7): every pipe break's segment is shut off by the returned valves, and every
// customer outside the segment that isolate_break does not list as cut off keeps a path from the
// gate station; those it lists have none.
TEST(GasOpsCity, EveryPipeBreakIsClosedByTheReturnedValves) {
    const Network& net = *city().gas;
    const Incidence inc(net);
    const std::size_t nc = net.connection_id.size();
    const std::size_t nn = net.node_id.size();
    int breaks = 0, with_valves = 0, customers_kept = 0;
    double worst_time_s = 0.0;
    std::size_t most_valves = 0;
    for (std::size_t k = 0; k < nc; ++k) {
        if (net.connection_kind[k] != ConnectionKind::kPipe)
            continue;
        ++breaks;
        const Isolation iso = isolate_break(net, ConnectionIndex{static_cast<std::int32_t>(k)});
        std::vector<char> shut(nc, 0), blocked(nn, 0);
        shut[k] = 1;
        for (const ValveToClose& v : iso.valves) {
            ASSERT_EQ(net.connection_kind[v.valve.idx()], ConnectionKind::kValve);
            shut[v.valve.idx()] = 1;
        }
        // (1) What can still feed the break: no source unless it is shut in. (Other nodes may
        // be reached, e.g. the dead end between an open valve and a regulator's inlet, but no
        // gas comes from them.)
        const std::vector<char> feeding =
            search(net, inc, {net.from_node[k].idx(), net.to_node[k].idx()}, shut, blocked, true);
        std::set<std::size_t> shut_in;
        for (const NodeIndex s : iso.sources_to_shut)
            shut_in.insert(s.idx());
        std::set<std::size_t> segment;
        for (const NodeIndex n : iso.segment_nodes)
            segment.insert(n.idx());
        for (std::size_t i = 0; i < nn; ++i) {
            if (feeding[i] && net.node_kind[i] == NodeKind::kSource) {
                EXPECT_TRUE(shut_in.count(i)) << "pipe " << net.connection_id[k] << ": source "
                                              << net.node_id[i] << " feeds the break";
            }
        }
        for (const std::size_t i : segment)
            EXPECT_TRUE(feeding[i]) << "pipe " << net.connection_id[k] << ": node "
                                    << net.node_id[i] << " is in the segment but cannot feed it";
        // (2) Who keeps gas: search from the sources that still run, never entering the segment.
        for (const std::size_t s : segment)
            blocked[s] = 1;
        std::vector<std::size_t> sources;
        for (std::size_t i = 0; i < nn; ++i)
            if (net.node_kind[i] == NodeKind::kSource && !shut_in.count(i) && !blocked[i])
                sources.push_back(i);
        const std::vector<char> supplied = search(net, inc, sources, shut, blocked, false);
        std::set<std::size_t> cut;
        for (const NodeIndex c : iso.customers_cut_off)
            cut.insert(c.idx());
        for (std::size_t i = 0; i < nn; ++i) {
            if (net.node_kind[i] != NodeKind::kCustomer || segment.count(i))
                continue;
            EXPECT_EQ(static_cast<bool>(supplied[i]), cut.count(i) == 0)
                << "pipe " << net.connection_id[k] << ", customer " << net.node_id[i];
            customers_kept += supplied[i] ? 1 : 0;
        }
        with_valves += iso.valves.empty() ? 0 : 1;
        worst_time_s = std::max(worst_time_s, iso.isolation_time_s);
        most_valves = std::max(most_valves, iso.valves.size());
    }
    EXPECT_GT(breaks, 200);
    EXPECT_EQ(with_valves, breaks); // the generator gives every main a valve-bounded segment
    std::printf("%d pipe breaks isolated; at most %zu valves, at most %.0f min to shut\n", breaks,
                most_valves, worst_time_s / 60.0);
}

// The steady state confirms the graph check for a sample of breaks: with the valves shut and the
// segment out, every customer isolate_break does not list keeps at least its minimum pressure.
TEST(GasOpsCity, CustomersOutsideTheSegmentKeepServicePressure) {
    const Network& net = *city().gas;
    RngStream rng(5, 0, 1);
    std::vector<std::size_t> pipes;
    for (std::size_t k = 0; k < net.connection_id.size(); ++k)
        if (net.connection_kind[k] == ConnectionKind::kPipe)
            pipes.push_back(k);
    for (int trial = 0; trial < 12; ++trial) {
        const std::size_t k = pipes[rng.below(pipes.size())];
        const Isolation iso = isolate_break(net, ConnectionIndex{static_cast<std::int32_t>(k)});
        Network after = net;
        for (const ValveToClose& v : iso.valves)
            after.open[v.valve.idx()] = 0;
        for (const ConnectionIndex c : iso.segment_connections)
            after.open[c.idx()] = 0;
        std::set<std::size_t> lost;
        for (const auto* list : {&iso.customers_in_segment, &iso.customers_cut_off})
            for (const NodeIndex c : *list) {
                lost.insert(c.idx());
                after.demand_m3s[c.idx()] = 0.0;
            }
        const SteadyStateResult r = solve_steady_state(after, steady());
        for (std::size_t i = 0; i < net.node_id.size(); ++i) {
            if (net.node_kind[i] != NodeKind::kCustomer || lost.count(i))
                continue;
            EXPECT_GE(r.pressure_pa[i], net.pressure_min_pa[i])
                << "break " << net.connection_id[k] << ", customer " << net.node_id[i];
        }
    }
}

TEST(GasOpsCity, GateStationCutLeavesHoursOfLinepack) {
    const Network& net = *city().gas;
    SupplyCut cut;
    for (std::size_t i = 0; i < net.node_id.size(); ++i)
        if (net.node_kind[i] == NodeKind::kSource)
            cut.sources_out.emplace_back(static_cast<std::int32_t>(i));
    LinepackOptions o;
    o.steps = 20;
    const LinepackResult r = simulate_supply_cut(net, cut, o);
    ASSERT_EQ(r.parts.size(), 1u); // the whole network lives on its linepack
    const DepletingPart& part = r.parts.front();
    EXPECT_GT(part.linepack_start_m3, part.linepack_end_m3);
    double first = kForever, last = 0.0;
    for (std::size_t i = 0; i < net.node_id.size(); ++i) {
        if (net.node_kind[i] != NodeKind::kCustomer)
            continue;
        const double h = r.hours_to_minimum[i];
        EXPECT_TRUE(std::isfinite(h)) << net.node_id[i];
        EXPECT_GE(h, 0.0);
        first = std::min(first, h);
        last = std::max(last, h);
    }
    // Every customer keeps gas for a while (the ring's linepack), none for ever.
    EXPECT_GT(first, 0.0);
    std::printf("gate station cut: linepack %.0f -> %.0f m3, customers below minimum after "
                "%.2f to %.2f h (%s)\n",
                part.linepack_start_m3, part.linepack_end_m3, first, last, part.note.c_str());
}

TEST(GasOpsCity, BundleCarriesTheGasLayer) {
    const fs::path dir = temp_path("");
    citygen::write_city_bundle(city(), city_options(60000, 11), dir, false);
    const std::string toml = test::slurp(dir / "city.toml");
    EXPECT_NE(toml.find("[gas]\nfile = \"gas.geojson\""), std::string::npos) << toml;
    Diagnostics diags;
    const model::City back = model::load_city(dir, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_TRUE(back.gas.has_value());
    EXPECT_EQ(back.gas->node_id, city().gas->node_id);
    EXPECT_EQ(back.gas->connection_id, city().gas->connection_id);
    EXPECT_EQ(format_gas_geojson(*back.gas), format_gas_geojson(*city().gas));

    // A [gas] file that is missing is reported against city.toml's line.
    fs::remove(dir / "gas.geojson");
    Diagnostics missing;
    model::load_city(dir, missing);
    ASSERT_TRUE(missing.has_errors());
    EXPECT_EQ(missing.items().front().code, ErrorCode::kFileNotFound);
    fs::remove_all(dir);
}

TEST(GasOpsCity, CliIsolatesABreakOfTheGeneratedNetwork) {
    const Network& net = *city().gas;
    const fs::path file = temp_path(".geojson");
    write_gas_geojson(file, net);
    std::string pipe;
    for (std::size_t k = 0; k < net.connection_id.size() && pipe.empty(); ++k)
        if (net.connection_kind[k] == ConnectionKind::kPipe &&
            net.pressure_class[k] == PressureClass::kMedium)
            pipe = net.connection_id[k];
    const Isolation iso = isolate_break(net, net.find_connection(pipe));
    const auto r = test::run_rencheng({"gas", "isolate", file.string(), "--break", pipe});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("Valves to close / 需关闭的阀门: " + std::to_string(iso.valves.size())),
              std::string::npos)
        << r.out;
    for (const ValveToClose& v : iso.valves)
        EXPECT_NE(r.out.find(net.connection_id[v.valve.idx()]), std::string::npos);

    const auto bad = test::run_rencheng({"gas", "isolate", file.string(), "--break", "nope"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find("nope"), std::string::npos) << bad.err;
    const auto missing =
        test::run_rencheng({"gas", "isolate", (file.string() + ".x"), "--break", pipe});
    EXPECT_EQ(missing.status, 3) << missing.err;
    fs::remove(file);
}

TEST(GasOpsCity, CliRanksTheLeakOfASmallNetwork) {
    // A medium pressure line of five nodes fed at one end; a leak at N3.
    Network net;
    const NodeIndex s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = kNormalPressurePa + 0.3e6;
    net.lon_deg[s.idx()] = 114.3;
    net.lat_deg[s.idx()] = 30.6;
    NodeIndex prev = s;
    for (int i = 1; i <= 5; ++i) {
        const NodeIndex n = net.add_node("N" + std::to_string(i), NodeKind::kCustomer);
        net.demand_m3s[n.idx()] = 0.01;
        net.lon_deg[n.idx()] = 114.3 + 0.005 * i;
        net.lat_deg[n.idx()] = 30.6 + 0.001 * (i % 2);
        const ConnectionIndex k =
            net.add_connection("P" + std::to_string(i), ConnectionKind::kPipe, prev, n);
        net.length_m[k.idx()] = 500.0;
        net.diameter_m[k.idx()] = 0.1;
        net.roughness_m[k.idx()] = 1e-5;
        prev = n;
    }
    // A branch so that a leak at N3 and one at N4 move the sensors differently.
    const NodeIndex b = net.add_node("B1", NodeKind::kCustomer);
    net.demand_m3s[b.idx()] = 0.01;
    net.lon_deg[b.idx()] = 114.315;
    net.lat_deg[b.idx()] = 30.61;
    const ConnectionIndex kb =
        net.add_connection("PB", ConnectionKind::kPipe, net.find_node("N3"), b);
    net.length_m[kb.idx()] = 400.0;
    net.diameter_m[kb.idx()] = 0.08;
    net.roughness_m[kb.idx()] = 1e-5;
    const fs::path file = temp_path(".geojson");
    write_gas_geojson(file, net);

    Network leaky = net;
    leaky.demand_m3s[net.find_node("N3").idx()] += 0.02;
    const SteadyStateResult r = solve_steady_state(leaky);
    ASSERT_TRUE(r.all_solved());
    const fs::path csv = temp_path(".csv");
    {
        std::ofstream out(csv);
        out << "node,pressure_pa\n";
        for (const char* id : {"N1", "N5", "B1"})
            out << id << "," << r.pressure_pa[net.find_node(id).idx()] << "\n";
    }
    const auto ok = test::run_rencheng(
        {"gas", "locate-leak", file.string(), "--readings", csv.string(), "--top", "3"});
    EXPECT_EQ(ok.status, 0) << ok.err;
    const auto first_row = ok.out.find("\n1 ");
    ASSERT_NE(first_row, std::string::npos) << ok.out;
    EXPECT_EQ(ok.out.substr(first_row + 1, 20).find("N3"), 7u) << ok.out;

    // Bad readings: file, line and field.
    {
        std::ofstream out(csv);
        out << "node,pressure_pa\nN1,300000\nZZ,1\n";
    }
    const auto bad =
        test::run_rencheng({"gas", "locate-leak", file.string(), "--readings", csv.string()});
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.err.find(csv.string() + ":3"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("ZZ"), std::string::npos) << bad.err;
    fs::remove(file);
    fs::remove(csv);
}
