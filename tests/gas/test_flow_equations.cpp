// Tests of the gas flow equations: Colebrook friction, the SI constants of Weymouth and
// Panhandle A/B against Menon's customary-unit forms, and the worked example of MODELS.md.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "gas/flow_equations.hpp"

namespace {

using namespace rencheng::gas;

TEST(GasFriction, ColebrookSatisfiesItsEquationAndMoodyValues) {
    // Reference values from a 200-step fixed-point iteration of Colebrook–White.
    EXPECT_NEAR(friction_factor(1e5, 1e-4 * 0.5, 0.5), 0.01851386607747164, 1e-13);
    EXPECT_NEAR(friction_factor(1e6, 1e-3 * 0.2, 0.2), 0.019943465840476866, 1e-13);
    EXPECT_NEAR(friction_factor(4000, 0.0, 0.3), 0.0399070140556349, 1e-13);
    for (double re : {2500.0, 3e4, 7e6, 1e8}) {
        const double eps = 5e-5, d = 0.6;
        const double l = friction_factor(re, eps, d);
        const double residual =
            1 / std::sqrt(l) + 2 * std::log10(eps / (3.7 * d) + 2.51 / (re * std::sqrt(l)));
        EXPECT_LT(std::abs(residual), 1e-12) << re;
    }
}

TEST(GasFriction, LaminarAndDerivative) {
    double d = 0;
    EXPECT_DOUBLE_EQ(friction_factor(1000, 1e-4, 0.1, &d), 0.064);
    EXPECT_DOUBLE_EQ(d, -64.0 / 1e6);
    for (double re : {5e3, 2e5, 3e7}) {
        double dl = 0;
        friction_factor(re, 1e-4, 0.4, &dl);
        const double h = re * 1e-6;
        const double fd =
            (friction_factor(re + h, 1e-4, 0.4) - friction_factor(re - h, 1e-4, 0.4)) / (2 * h);
        EXPECT_NEAR(dl, fd, 1e-6 * std::abs(fd)) << re;
    }
}

TEST(GasFlowEquations, SiConstantsMatchModels) {
    // MODELS.md §5: "In base SI (m³/s, Pa, m) the leading constants are 137.33, 158.02, 152.88."
    EXPECT_NEAR(empirical_equation(FlowEquation::kWeymouth).constant_si, 137.33, 0.01);
    EXPECT_NEAR(empirical_equation(FlowEquation::kPanhandleA).constant_si, 158.02, 0.01);
    EXPECT_NEAR(empirical_equation(FlowEquation::kPanhandleB).constant_si, 152.88, 0.01);
}

/// Menon (2005) in its own units: Q m³/d, P kPa, L km, D mm (the independent reference).
double menon_m3d(FlowEquation e, double tb, double pb_kpa, double p1, double p2, double g,
                 double tf, double l_km, double z, double d_mm, double eff) {
    const double dp = p1 * p1 - p2 * p2;
    switch (e) {
    case FlowEquation::kWeymouth:
        return 3.7435e-3 * eff * (tb / pb_kpa) * std::pow(dp / (g * tf * l_km * z), 0.5) *
               std::pow(d_mm, 2.667);
    case FlowEquation::kPanhandleA:
        return 4.5965e-3 * eff * std::pow(tb / pb_kpa, 1.0788) *
               std::pow(dp / (std::pow(g, 0.8539) * tf * l_km * z), 0.5394) *
               std::pow(d_mm, 2.6182);
    case FlowEquation::kPanhandleB:
        return 1.002e-2 * eff * std::pow(tb / pb_kpa, 1.02) *
               std::pow(dp / (std::pow(g, 0.961) * tf * l_km * z), 0.51) * std::pow(d_mm, 2.53);
    case FlowEquation::kGeneral:
        break;
    }
    return 0;
}

Network one_pipe(FlowEquation e, double g, double tf, double z, double eff) {
    Network net;
    net.flow_equation = e;
    net.gas.molar_mass_kgmol = g * kMolarMassAir;
    net.gas.temperature_k = tf;
    net.gas.compressibility = z;
    net.gas.pipeline_efficiency = eff;
    const auto a = net.add_node("A", NodeKind::kSource);
    const auto b = net.add_node("B", NodeKind::kCustomer);
    const auto k = net.add_connection("P", ConnectionKind::kPipe, a, b).idx();
    net.length_m[k] = 160e3;
    net.diameter_m[k] = 0.34;
    net.pressure_class[k] = PressureClass::kHigh;
    return net;
}

double law_flow(const LossLaw& law, double dpi) {
    return std::pow(dpi / law.coefficient, 1.0 / law.exponent);
}

TEST(GasFlowEquations, EmpiricalLawsMatchMenonCustomaryForms) {
    for (auto e : {FlowEquation::kWeymouth, FlowEquation::kPanhandleA, FlowEquation::kPanhandleB}) {
        const Network net = one_pipe(e, 0.693, 277.15, 0.9, 0.92);
        const LossLaw law = make_loss_law(net, 0);
        const double p1 = 9e6, p2 = 2e6;
        const double q = law_flow(law, p1 * p1 - p2 * p2);
        const double expected =
            menon_m3d(e, kNormalTemperatureK, kNormalPressurePa / 1000, p1 / 1000, p2 / 1000, 0.693,
                      277.15, 160, 0.9, 340, 0.92) /
            86400;
        EXPECT_NEAR(q, expected, 1e-12 * expected) << flow_equation_name(e);
    }
}

TEST(GasFlowEquations, ModelsWorkedExample) {
    // MODELS.md §5: D 340 mm, 9000/2000 kPa, 160 km, G 0.693, 277.15 K gives Weymouth 32.08,
    // Panhandle A 42.56, Panhandle B 42.35 m³/s with E = 0.92 at base 15 °C. Our base is 0 °C;
    // the factor (Tb/pb)^a of each formula converts.
    const double expected[] = {32.08, 42.56, 42.35};
    int i = 0;
    for (auto e : {FlowEquation::kWeymouth, FlowEquation::kPanhandleA, FlowEquation::kPanhandleB}) {
        const Network net = one_pipe(e, 0.693, 277.15, 1.0, 0.92);
        const LossLaw law = make_loss_law(net, 0);
        const double q0 = law_flow(law, 9e6 * 9e6 - 2e6 * 2e6);
        const double q15 =
            q0 * std::pow(288.15 / kNormalTemperatureK, empirical_equation(e).base_exponent);
        EXPECT_NEAR(q15, expected[i], 0.005 * expected[i]) << flow_equation_name(e);
        ++i;
    }
}

TEST(GasFlowEquations, LossLawDerivativeMatchesFiniteDifference) {
    Network net = one_pipe(FlowEquation::kGeneral, 0.6, 288.15, 0.95, 1.0);
    net.roughness_m[0] = 5e-5;
    const LossLaw law = make_loss_law(net, 0);
    for (double q : {-30.0, -1e-4, 1e-6, 0.5, 40.0}) {
        double d = 0, d1 = 0, d2 = 0;
        law.head(q, d);
        const double h = std::abs(q) * 1e-6;
        const double fd = (law.head(q + h, d1) - law.head(q - h, d2)) / (2 * h);
        EXPECT_NEAR(d, fd, 1e-5 * std::abs(fd)) << q;
    }
    double d0 = 0;
    EXPECT_EQ(law.head(0.0, d0), 0.0);
    EXPECT_GT(d0, 0.0);
}

TEST(GasFlowEquations, BadPipeDataIsAnError) {
    Network net = one_pipe(FlowEquation::kWeymouth, 0.6, 288.15, 1, 1);
    net.diameter_m[0] = 0;
    EXPECT_THROW(make_loss_law(net, 0), rencheng::Error);
}

TEST(GasProperties, PapayCompressibility) {
    // Papay at p_r = 1.306, T_r = 1.502 (GasLib-11 gas at 60 bar, 10 °C): hand calculation.
    const double z = papay_compressibility(60e5, 283.15, 45.9293457336e5, 188.549758911);
    const double pr = 60e5 / 45.9293457336e5, tr = 283.15 / 188.549758911;
    EXPECT_DOUBLE_EQ(z, 1 - 3.52 * pr * std::exp(-2.26 * tr) +
                            0.274 * pr * pr * std::exp(-1.878 * tr));
    EXPECT_NEAR(z, 0.873, 0.002);
}

} // namespace
