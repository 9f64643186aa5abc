// Tests of leak localisation: the readings CSV, the ranking on exact data, and the acceptance
// trials: synthetic single leaks with 0.5 kPa sensor noise on a medium pressure grid.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "gas/leak_locate.hpp"

using namespace rencheng;
using namespace rencheng::gas;

namespace {

constexpr int kSide = 8;                       // 8 x 8 nodes
constexpr double kSpacing_m = 300.0;           // between neighbouring nodes
constexpr double kDemand_m3s = 0.008;          // per node: 64 nodes, 0.512 m³/s in all
constexpr double kSourcePa = 101325.0 + 0.3e6; // medium pressure A, 0.3 MPa gauge
constexpr double kDiameter_m = 0.0614;         // PE dn75 SDR11

// The solver's findings, for a failed assertion's message.
std::string findings(const SteadyStateResult& r) {
    std::string out;
    for (const ComponentReport& c : r.components)
        for (const std::string& m : c.messages)
            out += m + "\n";
    return out;
}

std::string node_name(int i, int j) {
    return "N" + std::to_string(i) + "_" + std::to_string(j);
}

// A medium pressure grid of PE dn75 mains fed at one corner by a regulator station held at
// 0.3 MPa gauge; every node takes the same demand. General flow equation (Colebrook).
Network grid() {
    Network net;
    net.flow_equation = FlowEquation::kGeneral;
    for (int c = 0; c < 1; ++c) {
        const NodeIndex s = net.add_node("S" + std::to_string(c), NodeKind::kSource);
        net.set_pressure_pa[s.idx()] = kSourcePa;
    }
    for (int j = 0; j < kSide; ++j)
        for (int i = 0; i < kSide; ++i) {
            const NodeIndex n = net.add_node(node_name(i, j), NodeKind::kCustomer);
            net.demand_m3s[n.idx()] = kDemand_m3s;
        }
    auto pipe = [&](const std::string& id, NodeIndex a, NodeIndex b, double length_m) {
        const ConnectionIndex k = net.add_connection(id, ConnectionKind::kPipe, a, b);
        net.length_m[k.idx()] = length_m;
        net.diameter_m[k.idx()] = kDiameter_m;
        net.roughness_m[k.idx()] = 1e-5;
        net.pressure_class[k.idx()] = PressureClass::kMedium;
    };
    pipe("feed0", net.find_node("S0"), net.find_node(node_name(0, 0)), 50.0);
    for (int j = 0; j < kSide; ++j)
        for (int i = 0; i < kSide; ++i) {
            if (i + 1 < kSide)
                pipe("h" + std::to_string(i) + "_" + std::to_string(j),
                     net.find_node(node_name(i, j)), net.find_node(node_name(i + 1, j)),
                     kSpacing_m);
            if (j + 1 < kSide)
                pipe("v" + std::to_string(i) + "_" + std::to_string(j),
                     net.find_node(node_name(i, j)), net.find_node(node_name(i, j + 1)),
                     kSpacing_m);
        }
    return net;
}

// Sensors on every other node of every other row: 16 of the 64 nodes (25 %), about one per
// 0.36 km² at this spacing.
std::vector<NodeIndex> sensors(const Network& net) {
    std::vector<NodeIndex> out;
    for (int j = 0; j < kSide; j += 2)
        for (int i = 0; i < kSide; i += 2)
            out.push_back(net.find_node(node_name(i + (j / 2) % 2, j)));
    return out;
}

} // namespace

TEST(GasOpsLeak, ReadingsCsvIsCheckedLineByLine) {
    const Network net = grid();
    Diagnostics diags;
    const auto ok = parse_pressure_readings_csv(
        "node,pressure_pa\nN1_1,350000\n# note\nN2_3,349000.5\n", "r.csv", net, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_EQ(ok.size(), 2u);
    EXPECT_EQ(net.node_id[ok[1].node.idx()], "N2_3");
    EXPECT_DOUBLE_EQ(ok[1].pressure_pa, 349000.5);
    EXPECT_EQ(ok[1].source_line, 4);

    // Rows of one node are averaged.
    Diagnostics avg;
    const auto mean = parse_pressure_readings_csv(
        "node,pressure_pa\nN2_2,300000\nN1_1,1\nN2_2,300300\nN2_2,300600\n", "r.csv", net, avg);
    ASSERT_EQ(mean.size(), 2u);
    EXPECT_EQ(net.node_id[mean[0].node.idx()], "N2_2");
    EXPECT_EQ(mean[0].count, 3);
    EXPECT_NEAR(mean[0].pressure_pa, 300300.0, 1e-9);

    Diagnostics bad;
    parse_pressure_readings_csv("node,pressure_pa\nX9,1\nN1_1,abc\nN1_1,-5\nN2_2,1\n", "r.csv", net,
                                bad);
    ASSERT_EQ(bad.error_count(), 3u) << bad.format();
    EXPECT_EQ(bad.items()[0].code, ErrorCode::kUnknownReference);
    EXPECT_EQ(bad.items()[0].line, 2);
    EXPECT_EQ(bad.items()[1].code, ErrorCode::kNumberSyntax);
    EXPECT_EQ(bad.items()[1].line, 3);
    EXPECT_EQ(bad.items()[2].code, ErrorCode::kOutOfRange);
    EXPECT_EQ(bad.items()[2].line, 4);

    Diagnostics no_column;
    parse_pressure_readings_csv("node,p\nN1_1,1\n", "r.csv", net, no_column);
    ASSERT_EQ(no_column.error_count(), 1u);
    EXPECT_EQ(no_column.items()[0].code, ErrorCode::kMissingKey);
}

TEST(GasOpsLeak, AProbeSizedLeakWithoutNoiseIsFoundExactly) {
    const Network net = grid();
    const std::vector<NodeIndex> sens = sensors(net);
    const SensitivityMatrix s = compute_sensitivity(net, sens);
    ASSERT_EQ(s.candidates.size(), 64u); // every customer; the source is never a candidate
    // A leak of exactly the probe flow reproduces its own column: residual 0, q = probe.
    for (const char* at : {"N5_6", "N0_7", "N3_3"}) {
        Network leaky = net;
        const NodeIndex n = net.find_node(at);
        leaky.demand_m3s[n.idx()] += s.probe_flow_m3s;
        const SteadyStateResult r = solve_steady_state(leaky);
        ASSERT_TRUE(r.all_solved()) << findings(r);
        std::vector<double> measured;
        for (const NodeIndex k : sens)
            measured.push_back(r.pressure_pa[k.idx()]);
        const std::vector<LeakCandidate> rank = rank_leak_candidates(s, measured);
        ASSERT_FALSE(rank.empty());
        EXPECT_EQ(rank.front().node, n) << at;
        EXPECT_NEAR(rank.front().leak_flow_m3s, s.probe_flow_m3s, 1e-6 * s.probe_flow_m3s);
        EXPECT_LT(rank.front().rms_residual_pa, 1e-3);
        EXPECT_NEAR(rank.front().correlation, 1.0, 1e-9);
    }
    // Readings equal to the model: no leak explains them better than none.
    const std::vector<LeakCandidate> none = rank_leak_candidates(s, s.base_pressure_pa);
    EXPECT_DOUBLE_EQ(none.front().leak_flow_m3s, 0.0);
    EXPECT_THROW(rank_leak_candidates(s, {1.0}), Error);
}

// Acceptance (issue 7): 200 trials, each a single leak of 0.02-0.06 m³/s (4-12 % of the
// network's demand; a hole of roughly 5-10 mm at 0.3 MPa) at a node drawn at random, pressures
// from the full non-linear steady state. Each of the 16 sensors (25 % of the 64 nodes) gives 30
// readings over the window (e.g. one every 10 s for 5 minutes), each with Gaussian noise of
// 0.5 kPa standard deviation (0.1 % of a 0-0.5 MPa transmitter's span), averaged. The linear
// ranking's best 8 are refined with the non-linear model. The true node must come first in at
// least 80 % of the trials.
TEST(GasOpsLeak, SyntheticLeaksWithHalfKilopascalNoiseRankFirstInEightyPercent) {
    const Network net = grid();
    const std::vector<NodeIndex> sens = sensors(net);
    LeakLocateOptions o;
    o.probe_flow_m3s = 0.04;
    const SensitivityMatrix s = compute_sensitivity(net, sens, {}, o);
    RngStream rng(20261129, 0, 7);
    constexpr int kTrials = 200;
    constexpr double kNoisePa = 500.0;
    constexpr int kReadings = 30;
    int first = 0, top3 = 0, trials = 0, unsolved = 0;
    while (trials < kTrials && unsolved <= kTrials / 10) {
        const auto at = static_cast<std::size_t>(rng.below(64));
        const NodeIndex n = s.candidates[at];
        Network leaky = net;
        leaky.demand_m3s[n.idx()] += rng.uniform(0.02, 0.06);
        const SteadyStateResult r = solve_steady_state(leaky);
        if (!r.all_solved()) {
            // A leak state the solver cannot settle gives no readings to rank: drawn again,
            // counted, and bounded below.
            ++unsolved;
            std::printf("leak at %s not solved: %s", net.node_id[n.idx()].c_str(),
                        findings(r).c_str());
            continue;
        }
        ++trials;
        std::vector<double> measured;
        for (const NodeIndex k : sens) {
            // What the readings CSV holds for a sensor: kReadings readings over the window, each
            // with its own noise; the reader averages them.
            double sum = 0.0;
            for (int j = 0; j < kReadings; ++j)
                sum += r.pressure_pa[k.idx()] + rng.normal(0.0, kNoisePa);
            measured.push_back(sum / kReadings);
        }
        const std::vector<LeakCandidate> rank =
            refine_leak_candidates(net, s, measured, rank_leak_candidates(s, measured), 8);
        first += rank[0].node == n ? 1 : 0;
        for (std::size_t k = 0; k < 3 && k < rank.size(); ++k)
            top3 += rank[k].node == n ? 1 : 0;
    }
    std::printf("leak localisation: first %d / %d, top 3 %d / %d (%d leak states not solved)\n",
                first, trials, top3, trials, unsolved);
    EXPECT_EQ(trials, kTrials);
    EXPECT_GE(first, kTrials * 8 / 10);
    EXPECT_GE(top3, first);
}
