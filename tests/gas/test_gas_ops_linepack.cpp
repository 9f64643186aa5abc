// Tests of the supply cut and linepack model: the stored gas of a pipe, the hours a cut-off
// pipe keeps a customer above its minimum against the closed-form volume balance, a second
// source that keeps supply, and a customer cut from every pipe.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/units.hpp"
#include "gas/linepack.hpp"

using namespace rencheng;
using namespace rencheng::gas;

namespace {

constexpr double kP0 = kNormalPressurePa + 0.7e6;   // gate station set-point
constexpr double kPmin = kNormalPressurePa + 0.1e6; // the customer's minimum
constexpr double kDemand = 0.05;                    // normal m³/s
constexpr double kLength_m = 5000.0;
constexpr double kDiameter_m = 0.3;

// S =GV= A -P- K: a 5 km, 0.3 m pipe holds plenty of gas and loses almost no pressure to
// friction at this flow.
Network line(bool second_source) {
    Network net;
    const NodeIndex s = net.add_node("S", NodeKind::kSource);
    net.set_pressure_pa[s.idx()] = kP0;
    const NodeIndex a = net.add_node("A", NodeKind::kJunction);
    const NodeIndex k = net.add_node("K", NodeKind::kCustomer);
    net.demand_m3s[k.idx()] = kDemand;
    net.pressure_min_pa[k.idx()] = kPmin;
    net.add_connection("GV", ConnectionKind::kValve, s, a);
    const ConnectionIndex p = net.add_connection("P", ConnectionKind::kPipe, a, k);
    net.length_m[p.idx()] = kLength_m;
    net.diameter_m[p.idx()] = kDiameter_m;
    net.roughness_m[p.idx()] = 0.05e-3;
    net.pressure_class[p.idx()] = PressureClass::kSubHigh;
    if (second_source) {
        const NodeIndex s2 = net.add_node("S2", NodeKind::kSource);
        net.set_pressure_pa[s2.idx()] = kP0;
        const ConnectionIndex q = net.add_connection("Q", ConnectionKind::kPipe, s2, k);
        net.length_m[q.idx()] = 500.0;
        net.diameter_m[q.idx()] = 0.3;
        net.roughness_m[q.idx()] = 0.05e-3;
        net.pressure_class[q.idx()] = PressureClass::kSubHigh;
    }
    return net;
}

// Normal m³ a volume holds per Pa of pressure.
double normal_m3_per_pa(const Network& net, double volume_m3) {
    return volume_m3 / kNormalPressurePa * kNormalTemperatureK / net.gas.temperature_k /
           net.gas.compressibility;
}

} // namespace

TEST(GasOpsLinepack, StoredGasUsesTheMeanPressureOfTheSquaredProfile) {
    const Network net = line(false);
    const double v = units::kPi / 4.0 * kDiameter_m * kDiameter_m * kLength_m;
    // Equal end pressures: the whole pipe at that pressure.
    EXPECT_NEAR(linepack_m3(net, {kP0, 5e5, 5e5}), normal_m3_per_pa(net, v) * 5e5, 1e-9);
    // 8 and 4 bar: p_m = 2/3 (p1 + p2 - p1 p2 / (p1 + p2)).
    const double pm = 2.0 / 3.0 * (8e5 + 4e5 - 8e5 * 4e5 / 12e5);
    EXPECT_NEAR(linepack_m3(net, {kP0, 8e5, 4e5}), normal_m3_per_pa(net, v) * pm, 1e-9);
    // Masked out, or an end without a pressure: nothing.
    EXPECT_EQ(linepack_m3(net, {kP0, 8e5, 4e5}, {0, 0}), 0.0);
    EXPECT_EQ(linepack_m3(net, {kP0, std::nan(""), 4e5}), 0.0);
}

TEST(GasOpsLinepack, HoursOfACutOffPipeMatchTheVolumeBalance) {
    const Network net = line(false);
    SupplyCut cut;
    cut.sources_out.push_back(net.find_node("S"));
    const LinepackResult r = simulate_supply_cut(net, cut);
    ASSERT_EQ(r.parts.size(), 1u);
    const DepletingPart& part = r.parts.front();
    EXPECT_DOUBLE_EQ(part.demand_m3s, kDemand);
    // The gas between the starting pressure and the customer's minimum, drawn at the demand:
    // V (p0 - pmin) / p_n (T_n / T) / Z / q. Friction in this pipe costs well under 0.5 %.
    const double v = units::kPi / 4.0 * kDiameter_m * kDiameter_m * kLength_m;
    const double expected_h = normal_m3_per_pa(net, v) * (kP0 - kPmin) / kDemand / 3600.0;
    const double hours = r.hours_to_minimum[net.find_node("K").idx()];
    EXPECT_NEAR(hours, expected_h, 0.005 * expected_h) << "expected " << expected_h << " h";
    EXPECT_NEAR(part.linepack_start_m3, normal_m3_per_pa(net, v) * kP0,
                1e-3 * part.linepack_start_m3);
    // The curve falls in pressure and linepack and rises in time; the gas drawn equals the
    // demand times the time (the model's balance).
    for (std::size_t k = 1; k < part.time_h.size(); ++k) {
        EXPECT_GE(part.time_h[k], part.time_h[k - 1]);
        EXPECT_LT(part.reference_pressure_pa[k], part.reference_pressure_pa[k - 1]);
        EXPECT_LE(part.linepack_m3[k], part.linepack_m3[k - 1] + 1e-9);
        EXPECT_NEAR((part.linepack_start_m3 - part.linepack_m3[k]) / kDemand / 3600.0,
                    part.time_h[k], 1e-9 * (1.0 + part.time_h[k]));
    }
    EXPECT_TRUE(r.customers_below_minimum_at_once.empty());
}

TEST(GasOpsLinepack, ASecondSourceKeepsTheCustomerSupplied) {
    const Network net = line(true);
    SupplyCut cut;
    cut.sources_out.push_back(net.find_node("S"));
    const LinepackResult r = simulate_supply_cut(net, cut);
    EXPECT_TRUE(r.parts.empty());
    EXPECT_EQ(r.hours_to_minimum[net.find_node("K").idx()], kForever);
    EXPECT_TRUE(std::isnan(r.hours_to_minimum[net.find_node("A").idx()]));
}

TEST(GasOpsLinepack, ACustomerCutFromEveryPipeIsOutAtOnce) {
    const Network net = line(false);
    SupplyCut cut;
    cut.connections_out.push_back(net.find_connection("P"));
    const LinepackResult r = simulate_supply_cut(net, cut);
    const NodeIndex k = net.find_node("K");
    EXPECT_EQ(r.hours_to_minimum[k.idx()], 0.0);
    ASSERT_EQ(r.customers_below_minimum_at_once.size(), 1u);
    EXPECT_EQ(r.customers_below_minimum_at_once.front(), k);
}

TEST(GasOpsLinepack, BadInputIsRejected) {
    const Network net = line(false);
    SupplyCut cut;
    cut.sources_out.push_back(net.find_node("A")); // not a source
    EXPECT_THROW(simulate_supply_cut(net, cut), Error);
    cut = {};
    cut.connections_out.push_back(ConnectionIndex{42});
    EXPECT_THROW(simulate_supply_cut(net, cut), Error);
    LinepackOptions o;
    o.steps = 0;
    EXPECT_THROW(simulate_supply_cut(net, {}, o), Error);
}
