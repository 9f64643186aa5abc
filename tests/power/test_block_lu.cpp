// Tests of BlockLu (2x2-block sparse LU with static pivots) and of the Newton solver's fallback to
// the pivoting LU when the block LU refuses a Jacobian.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "power/block_lu.hpp"
#include "power/matpower.hpp"
#include "power/power_flow.hpp"

namespace rencheng::power {
namespace {

/// A random structurally symmetric block pattern on n buses (a ring plus random chords), every
/// diagonal present, in CSC form.
void random_pattern(std::int32_t n, std::mt19937& rng, std::vector<std::int32_t>& col_start,
                    std::vector<std::int32_t>& row) {
    std::vector<std::vector<std::int32_t>> adj(static_cast<std::size_t>(n));
    auto link = [&](std::int32_t a, std::int32_t b) {
        adj[static_cast<std::size_t>(a)].push_back(b);
        adj[static_cast<std::size_t>(b)].push_back(a);
    };
    for (std::int32_t i = 0; i < n; ++i)
        link(i, (i + 1) % n);
    std::uniform_int_distribution<std::int32_t> pick(0, n - 1);
    for (std::int32_t c = 0; c < n / 2; ++c) {
        const std::int32_t a = pick(rng), b = pick(rng);
        if (a != b)
            link(a, b);
    }
    col_start.assign(1, 0);
    row.clear();
    for (std::int32_t j = 0; j < n; ++j) {
        auto& a = adj[static_cast<std::size_t>(j)];
        a.push_back(j);
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
        row.insert(row.end(), a.begin(), a.end());
        col_start.push_back(static_cast<std::int32_t>(row.size()));
    }
}

TEST(BlockLu, SolvesRandomBlockSystemsInAnyOrder) {
    std::mt19937 rng(4);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (const std::int32_t n : {1, 2, 7, 60}) {
        std::vector<std::int32_t> col_start, row;
        random_pattern(n, rng, col_start, row);
        std::vector<std::int32_t> rank(static_cast<std::size_t>(n));
        std::iota(rank.begin(), rank.end(), 0);
        std::shuffle(rank.begin(), rank.end(), rng);
        BlockLu lu;
        lu.analyze(n, col_start, row, rank);
        ASSERT_TRUE(lu.analysed());
        EXPECT_GE(lu.filled_blocks(), static_cast<std::int64_t>(row.size()));
        // Dense copy of the matrix: diagonal blocks made dominant, the rest random.
        const auto m = static_cast<std::size_t>(2 * n);
        std::vector<double> dense(m * m, 0.0);
        lu.set_zero();
        for (std::int32_t j = 0; j < n; ++j)
            for (std::int32_t p = col_start[static_cast<std::size_t>(j)];
                 p < col_start[static_cast<std::size_t>(j) + 1]; ++p) {
                const std::int32_t i = row[static_cast<std::size_t>(p)];
                const std::int32_t at = lu.block_offset(i, j);
                ASSERT_GE(at, 0);
                for (int r = 0; r < 2; ++r)
                    for (int c = 0; c < 2; ++c) {
                        double x = u(rng);
                        if (i == j)
                            x += r == c ? 20.0 : 0.0;
                        lu.values()[static_cast<std::size_t>(at + 2 * r + c)] = x;
                        dense[static_cast<std::size_t>(2 * i + r) * m +
                              static_cast<std::size_t>(2 * j + c)] = x;
                    }
            }
        ASSERT_TRUE(lu.factor());
        std::vector<double> b(m), x(m);
        for (double& v : b)
            v = u(rng);
        x = b;
        lu.solve(x);
        double worst = 0;
        for (std::size_t r = 0; r < m; ++r) {
            double ax = 0;
            for (std::size_t c = 0; c < m; ++c)
                ax += dense[r * m + c] * x[c];
            worst = std::max(worst, std::fabs(ax - b[r]));
        }
        EXPECT_LT(worst, 1e-12) << "n = " << n;
    }
}

TEST(BlockLu, ZeroesFillInItselfAndSolvesInRankOrder) {
    // Only the pattern's blocks are written (the rest of values() holds NaN): factor() must zero
    // the blocks that fill-in creates. factor_solve_in_rank_order() (forward substitution inside
    // the factorisation) must give what factor() and solve() give.
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    const std::int32_t n = 80;
    std::vector<std::int32_t> col_start, row;
    random_pattern(n, rng, col_start, row);
    std::vector<std::int32_t> rank(static_cast<std::size_t>(n));
    std::iota(rank.begin(), rank.end(), 0);
    std::shuffle(rank.begin(), rank.end(), rng);
    BlockLu a, b;
    a.analyze(n, col_start, row, rank);
    b.analyze(n, col_start, row, rank);
    ASSERT_GT(a.filled_blocks(), static_cast<std::int64_t>(row.size())); // there is fill-in
    EXPECT_EQ(a.updates(), b.updates());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::fill(a.values().begin(), a.values().end(), nan);
    std::fill(b.values().begin(), b.values().end(), nan);
    for (std::int32_t j = 0; j < n; ++j)
        for (std::int32_t p = col_start[static_cast<std::size_t>(j)];
             p < col_start[static_cast<std::size_t>(j) + 1]; ++p) {
            const std::int32_t i = row[static_cast<std::size_t>(p)];
            const auto at = static_cast<std::size_t>(a.block_offset(i, j));
            ASSERT_EQ(a.block_offset(i, j), b.block_offset(i, j));
            for (std::size_t k = 0; k < 4; ++k) {
                const double x = u(rng) + (i == j && (k == 0 || k == 3) ? 20.0 : 0.0);
                a.values()[at + k] = x;
                b.values()[at + k] = x;
            }
        }
    const auto m = static_cast<std::size_t>(2 * n);
    std::vector<double> rhs(m), x(m), y(m);
    for (double& v : rhs)
        v = u(rng);
    ASSERT_TRUE(a.factor());
    x = rhs;
    a.solve(x);
    // The same system with b and x in elimination order.
    for (std::int32_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < 2; ++c)
            y[2 * static_cast<std::size_t>(b.rank(i)) + c] =
                rhs[2 * static_cast<std::size_t>(i) + c];
    ASSERT_TRUE(b.factor_solve_in_rank_order(y));
    for (std::int32_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < 2; ++c) {
            const double xi = x[2 * static_cast<std::size_t>(i) + c];
            ASSERT_TRUE(std::isfinite(xi));
            EXPECT_NEAR(y[2 * static_cast<std::size_t>(b.rank(i)) + c], xi,
                        1e-13 * (1 + std::fabs(xi)));
        }
}

TEST(BlockLu, RefusesASingularPivotBlock) {
    // Two blocks, [0 0; 0 1] first: the whole matrix is regular, but not with static pivots.
    const std::vector<std::int32_t> col_start{0, 2, 4}, row{0, 1, 0, 1}, rank{0, 1};
    BlockLu lu;
    lu.analyze(2, col_start, row, rank);
    lu.set_zero();
    auto set = [&](std::int32_t i, std::int32_t j, std::array<double, 4> v) {
        const auto at = static_cast<std::size_t>(lu.block_offset(i, j));
        for (std::size_t k = 0; k < 4; ++k)
            lu.values()[at + k] = v[k];
    };
    set(0, 0, {0, 0, 0, 1});
    set(0, 1, {1, 0, 0, 0});
    set(1, 0, {1, 0, 0, 0});
    set(1, 1, {0, 0, 0, 1});
    EXPECT_FALSE(lu.factor());
    EXPECT_EQ(lu.block_offset(0, 1) >= 0, true);
}

/// Bus 2 (PV) sits between a line and a series capacitor of equal and opposite reactance: its
/// self-susceptance is zero, so at a flat start ∂P₂/∂θ₂ = 0 and its pivot block is singular.
constexpr const char* kZeroSelfSusceptance = R"(function mpc = zero_b
mpc.version = '2';
mpc.baseMVA = 100;
mpc.bus = [
 1 3 0 0 0 0 1 1 0 110 1 1.1 0.9;
 2 2 0 0 0 0 1 1 0 110 1 1.1 0.9;
 3 1 30 10 0 0 1 1 0 110 1 1.1 0.9;
];
mpc.gen = [
 1 0 0 100 -100 1 100 1 200 0;
 2 10 0 100 -100 1 100 1 200 0;
];
mpc.branch = [
 1 2 0 0.1 0 0 0 0 0 0 1 -360 360;
 2 3 0 -0.1 0 0 0 0 0 0 1 -360 360;
 1 3 0.01 0.2 0 0 0 0 0 0 1 -360 360;
];
)";

TEST(NewtonPowerFlow, FallsBackToPivotingWhenAPivotBlockIsSingular) {
    Diagnostics d;
    const Network net = parse_matpower(kZeroSelfSusceptance, "zero_b.m", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    PowerFlowSolver solver(net);
    PowerFlowOptions o;
    o.tolerance_pu = 1e-10;
    const PowerFlowResult r = solver.solve(o);
    ASSERT_TRUE(r.converged) << r.summary(net);
    EXPECT_GE(solver.pivoting_fallbacks(), 1);
    EXPECT_LT(r.max_mismatch_pu, 1e-10);
    // Active power balance: generation = load + losses (the only resistance is branch 3's).
    const double losses = r.p_from_pu[2] + r.p_to_pu[2];
    EXPECT_NEAR(r.pg_pu[0] + r.pg_pu[1], 0.30 + losses, 1e-9);
    // The same answer again: the fallback does not depend on what was solved before.
    const PowerFlowResult again = solver.solve(o);
    EXPECT_EQ(again.vm_pu, r.vm_pu);
    EXPECT_EQ(again.va_rad, r.va_rad);
}

TEST(NewtonPowerFlow, Case118NeedsNoPivotingFallback) {
    Diagnostics d;
    const Network net = read_matpower(std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" /
                                          "validation" / "power" / "case118" / "case118.m",
                                      d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    PowerFlowSolver solver(net);
    const PowerFlowResult r = solver.solve();
    ASSERT_TRUE(r.converged);
    EXPECT_EQ(solver.pivoting_fallbacks(), 0);
    EXPECT_EQ(r.iterations, 3); // REFERENCE.md §4, as MATPOWER
}

} // namespace
} // namespace rencheng::power
