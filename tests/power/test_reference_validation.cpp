// Validation against MATPOWER 8.1: AC and DC power flows of the bundled and shared cases.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "core/units.hpp"
#include "power/matpower.hpp"
#include "power/power_flow.hpp"
#include "power/results_csv.hpp"
#include "reference_data.hpp"

namespace rencheng::power {
namespace {

using testing::CaseFiles;

/// Tolerances of the acceptance criteria: |V| 1e-6 p.u., angle 1e-4°, powers 1e-4 MW/MVAr.
double tolerance(const std::string& quantity) {
    if (quantity == "vm_pu")
        return 1e-6;
    return 1e-4;
}

struct Worst {
    double error = 0;
    std::string where;
};

/// Compares our results (as the long CSV the CLI writes) with a reference file; returns the
/// number of values outside tolerance and records the largest error relative to tolerance.
int compare(const Network& net, const PowerFlowResult& res, const std::filesystem::path& ref_path,
            Worst& worst) {
    const auto ours = testing::parse_long_csv(format_results_csv(net, res));
    const auto ref = testing::parse_long_csv(testing::read_gz(ref_path));
    int bad = 0;
    EXPECT_EQ(ours.size(), ref.size()) << ref_path;
    for (const auto& [key, value] : ref) {
        const auto it = ours.find(key);
        if (it == ours.end()) {
            ADD_FAILURE() << "missing " << std::get<0>(key) << " " << std::get<1>(key) << " "
                          << std::get<2>(key);
            ++bad;
            continue;
        }
        const double err = std::fabs(it->second - value);
        const double tol = tolerance(std::get<2>(key));
        if (err / tol > worst.error) {
            worst.error = err / tol;
            worst.where = std::get<0>(key) + " " + std::get<1>(key) + " " + std::get<2>(key) +
                          ": " + std::to_string(it->second) + " vs " + std::to_string(value);
        }
        if (!(err <= tol)) {
            if (bad < 5)
                ADD_FAILURE() << ref_path.filename().string() << ": " << std::get<0>(key) << " "
                              << std::get<1>(key) << " " << std::get<2>(key) << " = " << it->second
                              << ", reference " << value << " (error " << err << ")";
            ++bad;
        }
    }
    return bad;
}

/// Generation = load + shunt consumption + losses (MW).
double balance_error_mw(const Network& net, const PowerFlowResult& res) {
    double gen = 0, load = 0, losses = 0;
    for (std::size_t g = 0; g < res.pg_pu.size(); ++g)
        gen += res.pg_pu[g];
    for (std::int32_t i = 0; i < net.buses.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        if (net.buses.type[k] == BusType::kIsolated)
            continue;
        load += net.buses.pd_pu[k] + net.buses.gs_pu[k] * res.vm_pu[k] * res.vm_pu[k];
    }
    for (std::size_t l = 0; l < res.p_from_pu.size(); ++l)
        losses += res.p_from_pu[l] + res.p_to_pu[l];
    return std::fabs(gen - load - losses) * net.base_mva;
}

void validate(const CaseFiles& c, bool dc) {
    Diagnostics diags;
    const Network net = read_matpower(c.input, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    PowerFlowOptions o;
    // REFERENCE.md §4: NR with pf.tol = 1e-10, at most 30 iterations, Q limits not enforced.
    o.method = dc ? PowerFlowMethod::kDc : PowerFlowMethod::kNewton;
    o.tolerance_pu = 1e-10;
    o.max_iterations = 30;
    PowerFlowSolver solver(net);
    const PowerFlowResult res = solver.solve(o);
    ASSERT_TRUE(res.converged) << c.name << ": " << res.summary(net);
    // The block LU's static pivots serve every reference case (docs/power.md §3).
    EXPECT_EQ(solver.pivoting_fallbacks(), 0) << c.name;
    Worst worst;
    const int bad = compare(net, res, dc ? c.dc : c.ac, worst);
    EXPECT_EQ(bad, 0) << c.name << (dc ? " DC" : " AC") << ": worst " << worst.where;
    EXPECT_LE(balance_error_mw(net, res), 1e-6) << c.name;
    ::testing::Test::RecordProperty("worst_error_over_tolerance", std::to_string(worst.error));
    // The case written back by format_matpower() solves to the same flow.
    Diagnostics again_diags;
    const Network again = parse_matpower(format_matpower(net), c.name + ".m", again_diags);
    ASSERT_FALSE(again_diags.has_errors()) << again_diags.format();
    const PowerFlowResult res2 = solve_power_flow(again, o);
    ASSERT_TRUE(res2.converged);
    for (std::size_t i = 0; i < res.va_rad.size(); ++i) {
        EXPECT_NEAR(res2.vm_pu[i], res.vm_pu[i], 1e-12) << c.name;
        EXPECT_NEAR(res2.va_rad[i], res.va_rad[i], 1e-12) << c.name;
    }
    std::printf("[power] %-18s %s iterations %d, max |error|/tolerance %.3g (%s)\n", c.name.c_str(),
                dc ? "DC" : "AC", res.iterations, worst.error, worst.where.c_str());
}

std::string case_name(const ::testing::TestParamInfo<CaseFiles>& info) {
    return info.param.name;
}

class BundledCase : public ::testing::TestWithParam<CaseFiles> {};
TEST_P(BundledCase, AcMatchesMatpower) {
    validate(GetParam(), false);
}
TEST_P(BundledCase, DcMatchesMatpower) {
    validate(GetParam(), true);
}
INSTANTIATE_TEST_SUITE_P(Validation, BundledCase, ::testing::ValuesIn(testing::bundled_cases()),
                         case_name);

class SharedCase : public ::testing::TestWithParam<CaseFiles> {};
TEST_P(SharedCase, AcMatchesMatpower) {
    validate(GetParam(), false);
}
TEST_P(SharedCase, DcMatchesMatpower) {
    validate(GetParam(), true);
}
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SharedCase);
INSTANTIATE_TEST_SUITE_P(Shared, SharedCase, ::testing::ValuesIn(testing::shared_cases()),
                         case_name);

TEST(Validation, BundledSetIsThere) {
    EXPECT_GE(testing::bundled_cases().size(), 5u);
}

} // namespace
} // namespace rencheng::power
