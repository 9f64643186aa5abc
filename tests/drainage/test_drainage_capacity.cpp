// Capacity assessment on a hand-made network whose answers are known: the rational method by
// hand, the deliberately undersized conduit as the top bottleneck, and what each measure does;
// and the measures file's errors.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>

#include <gtest/gtest.h>

#include "core/parallel.hpp"
#include "drainage/capacity.hpp"
#include "drainage/swmm_inp.hpp"

using namespace rencheng;
using namespace rencheng::drainage;

namespace {

const std::filesystem::path kDir =
    std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "drainage" / "capacity";

Network load() {
    Diagnostics d;
    Network net = read_swmm_inp(kDir / "undersized.inp", d);
    EXPECT_FALSE(d.has_errors());
    return net;
}

// Shanghai P = 5 a: a = 1600(1 + 0.846 lg 5)/166.67 mm/min, b = 7 min, n = 0.656 (MODELS.md §1),
// written out here because the drainage module knows no formula.
double mean_intensity_ms(double t_s) {
    const double a = 1600.0 * (1.0 + 0.846 * std::log10(5.0)) * 6.0 / 1000.0; // mm/min
    return a / std::pow(t_s / 60.0 + 7.0, 0.656) / 6e4;
}

DesignStorm storm() {
    DesignStorm s;
    s.mean_intensity_ms = mean_intensity_ms;
    s.step_s = 300;
    // a peaked one-hour block storm, mm/h (61 mm)
    for (const double i : {20, 40, 80, 150, 150, 100, 60, 40, 20, 10, 10, 10})
        s.intensity_ms.push_back(i / 3.6e6);
    s.description = "test storm";
    return s;
}

/// Manning full flow of a circular pipe, m³/s, at SWMM's slope (drop over the horizontal run).
double manning_full(double d, double n, double drop, double length) {
    const double a = std::numbers::pi * d * d / 4.0;
    const double s = drop / std::sqrt(length * length - drop * drop);
    return a * std::pow(d / 4.0, 2.0 / 3.0) * std::sqrt(s) / n;
}

const ConduitCapacity& of(const Network& net, const std::vector<ConduitCapacity>& v,
                          const char* id) {
    const auto j = net.find_link(id).idx();
    const auto it = std::find_if(
        v.begin(), v.end(), [&](const auto& c) { return static_cast<std::size_t>(c.link) == j; });
    EXPECT_NE(it, v.end()) << id;
    return *it;
}

} // namespace

TEST(DrainageCapacity, RationalMethodByHand) {
    const Network net = load();
    const CapacityOptions o;
    const auto v = rational_design_flows(net, storm(), o);
    ASSERT_EQ(v.size(), 4u);
    const double psi = 0.9 * 0.8 + 0.15 * 0.2; // 0.75
    const double q1 = manning_full(1.0, 0.013, 1.0, 200.0);
    const double q2 = manning_full(0.6, 0.013, 1.0, 200.0);
    const double q3 = manning_full(1.8, 0.013, 1.0, 200.0);
    const double q4 = manning_full(0.5, 0.013, 1.0, 200.0);
    auto travel = [](double q, double d) { return 200.0 / (q / (std::numbers::pi * d * d / 4)); };

    const auto& c1 = of(net, v, "C1");
    EXPECT_NEAR(c1.area_m2, 5e4, 1e-6);
    EXPECT_NEAR(c1.runoff_coefficient, psi, 1e-12);
    EXPECT_NEAR(c1.concentration_time_s, 600.0, 1e-9);
    EXPECT_NEAR(c1.full_flow_m3s, q1, 1e-9 * q1);
    EXPECT_NEAR(c1.design_flow_m3s, psi * mean_intensity_ms(600.0) * 5e4, 1e-12);
    EXPECT_TRUE(c1.passes) << c1.design_ratio;

    // C2 carries S1 + S2; t_c adds C1's full-flow travel time.
    const auto& c2 = of(net, v, "C2");
    const double tc2 = 600.0 + travel(q1, 1.0);
    EXPECT_NEAR(c2.area_m2, 1e5, 1e-6);
    EXPECT_NEAR(c2.concentration_time_s, tc2, 1e-9);
    EXPECT_NEAR(c2.full_flow_m3s, q2, 1e-9 * q2);
    EXPECT_NEAR(c2.design_flow_m3s, psi * mean_intensity_ms(tc2) * 1e5, 1e-12);
    EXPECT_NEAR(c2.design_ratio, c2.design_flow_m3s / q2, 1e-12);
    EXPECT_FALSE(c2.passes);
    EXPECT_GT(c2.design_ratio, 4.0);

    // C3: all 17 ha; the longest path is through C1 and C2.
    const auto& c3 = of(net, v, "C3");
    const double tc3 = std::max(tc2 + travel(q2, 0.6), 600.0 + travel(q4, 0.5));
    EXPECT_NEAR(c3.area_m2, 1.7e5, 1e-6);
    EXPECT_NEAR(c3.concentration_time_s, tc3, 1e-9);
    EXPECT_NEAR(c3.design_flow_m3s, psi * mean_intensity_ms(tc3) * 1.7e5, 1e-12);
    EXPECT_NEAR(c3.full_flow_m3s, q3, 1e-9 * q3);
    EXPECT_TRUE(c3.passes);

    const auto& c4 = of(net, v, "C4");
    EXPECT_FALSE(c4.passes);
    EXPECT_LT(c4.design_ratio, c2.design_ratio);
}

TEST(DrainageCapacity, RationalWorkedExampleOfModels) {
    // MODELS.md §1: ψ = 0.65, F = 20 ha, q = 396.9 L/(s·ha) → Q = 5160 L/s. One subcatchment
    // whose ψ is 0.65 (impervious coefficient 0.65, all impervious) on a single conduit.
    Network net = load();
    CapacityOptions o;
    o.runoff_coefficient_impervious = 0.65;
    DesignStorm s = storm();
    s.mean_intensity_ms = [](double) { return 396.9 / 1e7; }; // L/(s·ha) → m/s
    for (std::int32_t k = 0; k < net.subcatchments.count(); ++k) {
        net.subcatchments.imperv_fraction[k] = 1.0;
        net.subcatchments.area_m2[k] = k == 0 ? 20e4 : 0.0;
    }
    const auto v = rational_design_flows(net, s, o);
    EXPECT_NEAR(of(net, v, "C1").design_flow_m3s, 5.15970, 1e-9);
}

TEST(DrainageCapacity, UndersizedConduitIsTheTopBottleneck) {
    const Network net = load();
    const CapacityReport rep = assess_capacity(net, storm(), {}, CapacityOptions{}, kDir);
    const auto j2 = net.find_node("J2").idx();
    EXPECT_GT(rep.base.node_flood_m3[j2], 100.0);
    EXPECT_GT(rep.base.flooded_nodes, 0);
    EXPECT_LT(std::abs(rep.base.routing_continuity_error_pct), 1.0);
    // flooded road length: conduits with a flooded end, each once
    EXPECT_GE(rep.base.flooded_road_length_m, 400.0); // C1 and C2 touch J2
    ASSERT_FALSE(rep.bottlenecks.empty());
    const Bottleneck& top = rep.bottlenecks.front();
    EXPECT_EQ(net.link_id[top.link], "C2");
    EXPECT_NEAR(top.scale, std::pow(top.design_ratio, 3.0 / 8.0), 1e-12);
    EXPECT_GT(top.flood_caused_m3, 0.9 * top.upstream_flood_before_m3);
    for (std::size_t k = 1; k < rep.bottlenecks.size(); ++k)
        EXPECT_LE(rep.bottlenecks[k].flood_caused_m3, top.flood_caused_m3);
    // the dynamic wave surcharges C2
    const auto& c2 = of(net, rep.conduits, "C2");
    EXPECT_GT(c2.surcharged_s, 0.0);
    EXPECT_GT(c2.upstream_flood_m3, 0.0);
    // and limits the flow (full upstream, grade line steeper than the pipe), as the
    // statistics of the same run say
    EXPECT_GT(c2.capacity_limited_s, 0.0);
    // C3 is downstream of every junction: all flooding is upstream of it
    const double all =
        std::accumulate(rep.base.node_flood_m3.begin(), rep.base.node_flood_m3.end(), 0.0) -
        rep.base.node_flood_m3[net.find_node("O1").idx()];
    EXPECT_NEAR(of(net, rep.conduits, "C3").upstream_flood_m3, all, 1e-9 * all);
}

TEST(DrainageCapacity, MeasuresBeforeAndAfter) {
    const Network net = load();
    Diagnostics d;
    const auto measures = read_measures_toml(kDir / "measures.toml", net, d);
    ASSERT_FALSE(d.has_errors());
    ASSERT_EQ(measures.size(), 3u);
    const CapacityReport rep = assess_capacity(net, storm(), measures, CapacityOptions{}, kDir);
    ASSERT_EQ(rep.measures.size(), 4u); // three, then all together
    const auto j2 = net.find_node("J2").idx();
    const double before = rep.base.flood_volume_m3;
    ASSERT_GT(before, 100.0);
    // a 3000 m³ tank at J2 reduces flooding
    EXPECT_EQ(rep.measures[0].name, "Tank at J2");
    EXPECT_LT(rep.measures[0].after.flood_volume_m3, before - 500.0);
    EXPECT_LT(rep.measures[0].after.node_flood_m3[j2], rep.base.node_flood_m3[j2]);
    // upsizing the bottleneck removes its flooding
    EXPECT_EQ(rep.measures[1].type, MeasureType::kPipeUpsize);
    EXPECT_LT(rep.measures[1].after.node_flood_m3[j2], 1.0);
    EXPECT_LT(rep.measures[1].after.node_flood_m3[net.find_node("J1").idx()], 1.0);
    EXPECT_LT(rep.measures[1].after.flooded_road_length_m, rep.base.flooded_road_length_m);
    // runoff reduction on S1, S2 reduces the flooding they feed
    EXPECT_LT(rep.measures[2].after.flood_volume_m3, before);
    EXPECT_TRUE(rep.measures[3].combined);
    EXPECT_LE(rep.measures[3].after.flood_volume_m3, rep.measures[1].after.flood_volume_m3 + 1.0);
    const std::string csv = format_measures_csv(rep);
    EXPECT_NE(csv.find("Upsize C2,pipe_upsize,C2,"), std::string::npos) << csv;
}

TEST(DrainageCapacity, RunoffReductionSplitsTheTreatedArea) {
    Network net = load();
    Measure m;
    m.name = "roofs";
    m.type = MeasureType::kRunoffReduction;
    m.lid = "green_roof";
    m.subcatchments = {net.find_subcatchment("S1")};
    m.treated_fraction = 0.25;
    m.capture_depth_m = 0.025;
    const double area = net.subcatchments.area_m2[0];
    const double imp_area = area * net.subcatchments.imperv_fraction[0];
    apply_measure(net, m, {});
    ASSERT_EQ(net.subcatchments.count(), 5);
    const auto& sc = net.subcatchments;
    EXPECT_EQ(sc.id[4], "S1#green_roof");
    EXPECT_NEAR(sc.area_m2[0] + sc.area_m2[4], area, 1e-9);
    EXPECT_NEAR(sc.area_m2[4], 0.25 * imp_area, 1e-9);
    EXPECT_NEAR(sc.area_m2[0] * sc.imperv_fraction[0], 0.75 * imp_area, 1e-6);
    EXPECT_EQ(sc.imperv_fraction[4], 1.0);
    EXPECT_EQ(sc.dstore_imperv_m[4], 0.025);
    EXPECT_EQ(sc.outlet_node[4], sc.outlet_node[0]);
    EXPECT_NEAR(sc.width_m[0] + sc.width_m[4], 500.0, 1e-9);
}

TEST(DrainageCapacity, SameNumbersWhateverTheThreadCount) {
    const Network net = load();
    Diagnostics d;
    const auto measures = read_measures_toml(kDir / "measures.toml", net, d);
    const CapacityReport many = assess_capacity(net, storm(), measures, CapacityOptions{}, kDir);
    CapacityReport one;
    {
        const ThreadLimit limit(1);
        one = assess_capacity(net, storm(), measures, CapacityOptions{}, kDir);
    }
    EXPECT_EQ(format_conduit_capacity_csv(net, one), format_conduit_capacity_csv(net, many));
    EXPECT_EQ(format_bottlenecks_csv(net, one), format_bottlenecks_csv(net, many));
    EXPECT_EQ(format_measures_csv(one), format_measures_csv(many));
}

namespace {

/// Parses a measures text and returns the diagnostics.
Diagnostics measures_errors(const std::string& text, std::size_t* read = nullptr) {
    static const Network net = load();
    Diagnostics d;
    const auto m = parse_measures_toml(text, "m.toml", net, d);
    if (read)
        *read = m.size();
    return d;
}

::testing::AssertionResult has_error(const Diagnostics& d, ErrorCode code, int line,
                                     const std::string& words) {
    for (const auto& e : d.items())
        if (e.code == code && e.line == line && e.file == "m.toml" &&
            e.message.find(words) != std::string::npos)
            return ::testing::AssertionSuccess();
    std::string all;
    for (const auto& e : d.items())
        all += std::to_string(e.line) + " " + std::to_string(static_cast<int>(e.code)) + " " +
               e.message + "\n";
    return ::testing::AssertionFailure() << "no error " << static_cast<int>(code) << " at line "
                                         << line << " with '" << words << "'; got:\n"
                                         << all;
}

} // namespace

TEST(DrainageCapacityMeasures, ErrorsNameLineAndKey) {
    std::size_t read = 0;
    auto d = measures_errors(R"([[measure]]
name = "a"
type = "storage_tank"
node = "NOPE"
volume_m3 = 100

[[measure]]
name = "a"
type = "pipe_upsize"
conduit = "C2"
diameter_m = -1

[[measure]]
name = "c"
type = "runoff_reduction"
lid = "green_wall"
subcatchments = ["S1", "S9"]
treated_fraction = 1.5
capture_depth_mm = 20
colour = "green"

[[measure]]
name = "d"
type = "dam"

[[measure]]
name = "e"
type = "storage_tank"
node = "J1"
curve = [[0, 10], [0, 20]]

[[measure]]
type = "storage_tank"
node = "O1"
volume_m3 = 5
depth_m = 2
)",
                             &read);
    EXPECT_EQ(read, 0u);
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownReference, 4, "no node 'NOPE'"));
    EXPECT_TRUE(has_error(d, ErrorCode::kDuplicateId, 8, "'a' is used twice"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 11, "diameter_m"));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownValue, 16, "green_wall"));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownReference, 17, "'S9'"));
    EXPECT_TRUE(has_error(d, ErrorCode::kOutOfRange, 18, "treated_fraction"));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownKey, 20, "colour"));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownValue, 24, "'dam'"));
    EXPECT_TRUE(has_error(d, ErrorCode::kWrongType, 30, "depth_m, area_m2"));
    EXPECT_TRUE(has_error(d, ErrorCode::kMissingKey, 32, "name"));
    EXPECT_TRUE(has_error(d, ErrorCode::kUnsupported, 34, "not a junction"));

    d = measures_errors("[[measure]]\nname = \"x\"\ntype = \"storage_tank\"\nnode = \"J1\"\n");
    EXPECT_TRUE(has_error(d, ErrorCode::kMissingKey, 1, "volume_m3 or curve"));
    d = measures_errors("[[measure]]\nname = \"x\"\ntype = = 3\n");
    EXPECT_TRUE(has_error(d, ErrorCode::kTomlSyntax, 3, ""));
    d = measures_errors("[measures]\nx = 1\n");
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownKey, 1, "measures"));
    EXPECT_TRUE(has_error(d, ErrorCode::kMissingKey, 1, "no [[measure]]"));
    d = measures_errors("[[measure]]\nname = \"u\"\ntype = \"pipe_upsize\"\nconduit = \"J1\"\n"
                        "diameter_m = 1\n");
    EXPECT_TRUE(has_error(d, ErrorCode::kUnknownReference, 4, "no conduit 'J1'"));
    d = measures_errors("[[measure]]\nname = \"t\"\ntype = \"storage_tank\"\nnode = \"J2\"\n"
                        "volume_m3 = 1\n[[measure]]\nname = \"t2\"\ntype = \"storage_tank\"\n"
                        "node = \"J2\"\nvolume_m3 = 2\n");
    EXPECT_TRUE(has_error(d, ErrorCode::kDuplicateId, 9, "already has a tank"));
}

TEST(DrainageCapacityMeasures, GoodFileReads) {
    const Network net = load();
    Diagnostics d;
    const auto m = read_measures_toml(kDir / "measures.toml", net, d);
    ASSERT_FALSE(d.has_errors());
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].type, MeasureType::kStorageTank);
    EXPECT_EQ(m[0].volume_m3, 3000.0);
    EXPECT_EQ(m[0].line, 2);
    EXPECT_EQ(m[1].diameter_m, 1.4);
    EXPECT_EQ(m[2].subcatchments.size(), 2u);
    EXPECT_DOUBLE_EQ(m[2].capture_depth_m, 0.03);
    EXPECT_THROW(read_measures_toml(kDir / "missing.toml", net, d), Error);
}
