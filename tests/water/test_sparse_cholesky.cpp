// The sparse Cholesky of the hydraulic solver against a dense Cholesky on patterns of every shape
// the solver meets: chains, grids, wide supernodes under dense rows, disconnected parts, isolated
// rows; the value numbering; reuse of one symbolic factorisation; refinement; determinism.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/parallel.hpp"
#include "water/sparse_cholesky.hpp"

using namespace rencheng::water;

namespace {

using Edges = std::vector<std::pair<std::int32_t, std::int32_t>>;
using Kernel = SymbolicCholesky::Kernel;

/// Every test runs on both numeric kernels (kAuto would pick one by the shape of L).
constexpr Kernel kKernels[] = {Kernel::kSupernodal, Kernel::kSimplicial};

const char* kernel_name(Kernel k) {
    return k == Kernel::kSimplicial ? "simplicial" : "supernodal";
}

/// A symmetric positive definite matrix of the gradient method's form: −w on each edge, the
/// sum of the incident weights plus a positive shift on the diagonal.
struct TestMatrix {
    std::int32_t n = 0;
    Edges edges;
    std::vector<double> weight, diagonal;

    TestMatrix(std::int32_t size, Edges e, std::uint32_t seed, double shift = 0.05)
        : n(size), edges(std::move(e)) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> u(0.5, 2.0);
        diagonal.assign(static_cast<std::size_t>(n), shift);
        for (const auto& [a, b] : edges) {
            weight.push_back(u(rng));
            diagonal[static_cast<std::size_t>(a)] += weight.back();
            diagonal[static_cast<std::size_t>(b)] += weight.back();
        }
    }

    void load(const SymbolicCholesky& sym, NumericCholesky& num) const {
        auto& ax = num.values();
        std::fill(ax.begin(), ax.end(), 0.0);
        for (std::int32_t i = 0; i < n; ++i)
            ax[static_cast<std::size_t>(sym.diagonal_position(i))] +=
                diagonal[static_cast<std::size_t>(i)];
        for (std::size_t e = 0; e < edges.size(); ++e)
            ax[static_cast<std::size_t>(sym.position(edges[e].first, edges[e].second))] -=
                weight[e];
    }

    [[nodiscard]] std::vector<double> dense() const {
        const auto un = static_cast<std::size_t>(n);
        std::vector<double> a(un * un, 0.0);
        for (std::size_t i = 0; i < un; ++i)
            a[i * un + i] = diagonal[i];
        for (std::size_t e = 0; e < edges.size(); ++e) {
            const auto i = static_cast<std::size_t>(edges[e].first);
            const auto j = static_cast<std::size_t>(edges[e].second);
            a[i * un + j] -= weight[e];
            a[j * un + i] -= weight[e];
        }
        return a;
    }
};

/// Dense Cholesky solve (the textbook algorithm), the reference for the sparse one.
std::vector<double> dense_solve(std::vector<double> a, std::vector<double> b) {
    const std::size_t n = b.size();
    for (std::size_t k = 0; k < n; ++k) {
        a[k * n + k] = std::sqrt(a[k * n + k]);
        for (std::size_t i = k + 1; i < n; ++i)
            a[i * n + k] /= a[k * n + k];
        for (std::size_t j = k + 1; j < n; ++j)
            for (std::size_t i = j; i < n; ++i)
                a[i * n + j] -= a[i * n + k] * a[j * n + k];
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < i; ++k)
            b[i] -= a[i * n + k] * b[k];
        b[i] /= a[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t k = i + 1; k < n; ++k)
            b[i] -= a[k * n + i] * b[k];
        b[i] /= a[i * n + i];
    }
    return b;
}

std::vector<double> right_hand_side(std::int32_t n) {
    std::vector<double> b(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n; ++i)
        b[static_cast<std::size_t>(i)] = std::cos(0.7 * i) + 0.1 * (i % 5);
    return b;
}

using Peel = SymbolicCholesky::Peel;

/// Factorises and solves m sparsely with `kernel`, whole or peeled; compares with the dense
/// solution.
void expect_matches_dense(const TestMatrix& m, Kernel kernel, Peel peel) {
    SCOPED_TRACE(kernel_name(kernel));
    SCOPED_TRACE(peel == Peel::kAlways ? "peeled" : "whole");
    const SymbolicCholesky sym(m.n, m.edges, kernel, true, peel);
    ASSERT_EQ(sym.kernel(), kernel);
    NumericCholesky num(sym);
    m.load(sym, num);
    ASSERT_EQ(num.factor(sym), -1);
    std::vector<double> x = right_hand_side(m.n);
    const std::vector<double> ref = dense_solve(m.dense(), x);
    num.solve(sym, x);
    double scale = 0;
    for (const double v : ref)
        scale = std::max(scale, std::fabs(v));
    for (std::size_t i = 0; i < ref.size(); ++i)
        EXPECT_NEAR(x[i], ref[i], 1e-11 * scale) << "row " << i;
    // Fill: L holds at least the pattern of A, at most a dense triangle.
    const auto n = static_cast<std::int64_t>(m.n);
    std::set<std::pair<std::int32_t, std::int32_t>> distinct;
    for (const auto& [a, b] : m.edges)
        distinct.emplace(std::min(a, b), std::max(a, b));
    EXPECT_GE(sym.factor_nonzeros(), n + static_cast<std::int64_t>(distinct.size()));
    EXPECT_LE(sym.factor_nonzeros(), n * (n + 1) / 2);
    EXPECT_GE(sym.stored_values(), sym.factor_nonzeros());
    EXPECT_GE(sym.factor_flops(), static_cast<double>(sym.factor_nonzeros()));
}

/// Both kernels, each on the whole pattern and peeled.
void expect_matches_dense(const TestMatrix& m) {
    for (const Kernel kernel : kKernels)
        for (const Peel peel : {Peel::kNever, Peel::kAlways})
            expect_matches_dense(m, kernel, peel);
}

Edges grid_edges(int w, int h) {
    Edges e;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            if (x + 1 < w)
                e.emplace_back(y * w + x, y * w + x + 1);
            if (y + 1 < h)
                e.emplace_back(y * w + x, (y + 1) * w + x);
        }
    return e;
}

/// A chain with random chords and a few hub rows tied to every 7th row: wide supernodes at the
/// top of the elimination tree, updates that land on scattered rows of their ancestors.
Edges hub_edges(int n, int chords, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> node(0, n - 1);
    Edges e;
    for (int i = 0; i + 1 < n; ++i)
        e.emplace_back(i, i + 1);
    for (int c = 0; c < chords; ++c) {
        const int a = node(rng), b = node(rng);
        if (a != b)
            e.emplace_back(a, b);
    }
    for (int hub = 0; hub < 3; ++hub)
        for (int j = 0; j < n; j += 7)
            if (j != hub * (n / 4))
                e.emplace_back(hub * (n / 4), j);
    return e;
}

} // namespace

TEST(SparseCholesky, ChainMatchesDense) {
    Edges e;
    for (int i = 0; i + 1 < 200; ++i)
        e.emplace_back(i + 1, i); // either orientation
    expect_matches_dense(TestMatrix(200, e, 1));
}

TEST(SparseCholesky, GridMatchesDense) {
    expect_matches_dense(TestMatrix(17 * 23, grid_edges(17, 23), 2));
}

TEST(SparseCholesky, WideSupernodesMatchDense) {
    expect_matches_dense(TestMatrix(400, hub_edges(400, 600, 3), 3));
    // Dense enough that most updates scatter: many chords.
    expect_matches_dense(TestMatrix(300, hub_edges(300, 3000, 4), 4));
}

TEST(SparseCholesky, DuplicateEdgesAndDisconnectedPartsMatchDense) {
    // Two grids and three isolated rows, with some edges given twice (merged in the pattern;
    // their weights add up in the values).
    Edges e = grid_edges(9, 9);
    for (const auto& [a, b] : grid_edges(6, 11))
        e.emplace_back(a + 81, b + 81);
    e.emplace_back(0, 1);
    e.emplace_back(81 + 7, 81 + 1);
    expect_matches_dense(TestMatrix(81 + 66 + 3, e, 5));
}

TEST(SparseCholesky, NoOffDiagonalEntries) {
    expect_matches_dense(TestMatrix(5, {}, 6, 2.0));
    expect_matches_dense(TestMatrix(1, {}, 6, 3.0));
    // No fill, no descendant updates: the precomputed update schedule is empty.
    EXPECT_EQ(SymbolicCholesky(5, {}).update_row_count(), 0);
}

TEST(SparseCholesky, StreetGridScheduleMatchesDense) {
    // The benchmark network's shape in small: streets along rows, cross streets at every 5th
    // column and at random: many narrow supernodes, each updated by descendants from several
    // subtrees through the precomputed schedule (and the gathered rows of the solve).
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int side = 24;
    Edges e;
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            if (j + 1 < side)
                e.emplace_back(i * side + j, i * side + j + 1);
            if (i + 1 < side && (j % 5 == 0 || u(rng) < 0.15))
                e.emplace_back(i * side + j, (i + 1) * side + j);
        }
    const TestMatrix m(side * side, e, 12, 1e-3);
    expect_matches_dense(m);
    const SymbolicCholesky sym(m.n, m.edges);
    EXPECT_GT(sym.supernode_count(), side);
    // Fill below the supernodes' pivots: descendants update ancestors through the schedule.
    EXPECT_GT(sym.update_row_count(), 0);
}

TEST(SparseCholesky, ValuePositionsNumberThePatternOnce) {
    const TestMatrix m(150, hub_edges(150, 200, 7), 7);
    const SymbolicCholesky sym(m.n, m.edges);
    std::set<std::pair<std::int32_t, std::int32_t>> pattern;
    for (const auto& [a, b] : m.edges)
        pattern.emplace(std::min(a, b), std::max(a, b));
    ASSERT_EQ(sym.value_count(), m.n + static_cast<std::int32_t>(pattern.size()));
    std::vector<int> seen(static_cast<std::size_t>(sym.value_count()), 0);
    for (std::int32_t i = 0; i < m.n; ++i) {
        const std::int32_t p = sym.diagonal_position(i);
        ASSERT_GE(p, 0);
        ASSERT_LT(p, sym.value_count());
        EXPECT_EQ(p, sym.position(i, i));
        ++seen[static_cast<std::size_t>(p)];
    }
    for (const auto& [a, b] : pattern) {
        const std::int32_t p = sym.position(a, b);
        ASSERT_GE(p, 0);
        ASSERT_LT(p, sym.value_count());
        EXPECT_EQ(p, sym.position(b, a));
        ++seen[static_cast<std::size_t>(p)];
    }
    for (const int s : seen)
        EXPECT_EQ(s, 1); // a bijection between the pattern and the value positions
    // Entries outside the pattern have no position.
    int absent = 0;
    for (std::int32_t i = 0; i < m.n && absent < 50; ++i)
        for (std::int32_t j = i + 1; j < m.n && absent < 50; ++j)
            if (pattern.count({i, j}) == 0) {
                EXPECT_EQ(sym.position(i, j), -1);
                ++absent;
            }
    EXPECT_EQ(absent, 50);
}

TEST(SparseCholesky, OneSymbolicServesManyValueSets) {
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        // The same pattern refactorised with new values (as every Newton iteration does): each
        // solve matches the dense one for its own values, and a failed factorisation in between
        // leaves nothing behind.
        const Edges e = hub_edges(250, 400, 8);
        const SymbolicCholesky sym(250, e, kernel);
        NumericCholesky num(sym);
        for (std::uint32_t seed = 10; seed < 14; ++seed) {
            const TestMatrix m(250, e, seed, 0.01 * seed);
            m.load(sym, num);
            ASSERT_EQ(num.factor(sym), -1);
            std::vector<double> x = right_hand_side(250);
            const std::vector<double> ref = dense_solve(m.dense(), x);
            num.solve(sym, x);
            for (std::size_t i = 0; i < ref.size(); ++i)
                EXPECT_NEAR(x[i], ref[i], 1e-10 * (1 + std::fabs(ref[i])));
            if (seed == 11) { // a non-positive pivot, then the next seed must still work
                auto& ax = num.values();
                ax[static_cast<std::size_t>(sym.diagonal_position(17))] = -1.0;
                EXPECT_GE(num.factor(sym), 0);
            }
        }
    }
}

TEST(SparseCholesky, ReportsTheRowThatIsNotPositiveDefinite) {
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        // Rows 0-4 form a chain, rows 5 and 6 stand alone; row 5 has a negative diagonal, so its
        // pivot is the one that fails, whatever the order.
        const TestMatrix m(7, grid_edges(5, 1), 9);
        const SymbolicCholesky sym(7, m.edges, kernel);
        NumericCholesky num(sym);
        m.load(sym, num);
        num.values()[static_cast<std::size_t>(sym.diagonal_position(5))] = -2.0;
        EXPECT_EQ(num.factor(sym), 5);
        // A 2×2 block with |off-diagonal| > diagonal.
        const SymbolicCholesky two(2, {{0, 1}}, kernel);
        NumericCholesky n2(two);
        n2.values()[static_cast<std::size_t>(two.diagonal_position(0))] = 1;
        n2.values()[static_cast<std::size_t>(two.diagonal_position(1))] = 1;
        n2.values()[static_cast<std::size_t>(two.position(0, 1))] = -2;
        EXPECT_GE(n2.factor(two), 0);
    }
}

namespace {

/// Every 37th link conducts 1e8 times more (active pressure valves, links at EPANET's smallest
/// gradient beside ordinary pipes).
void strengthen_every_37th_link(TestMatrix& m) {
    for (std::size_t e = 0; e < m.edges.size(); e += 37) {
        const double extra = 1e8 * m.weight[e];
        m.weight[e] += extra;
        m.diagonal[static_cast<std::size_t>(m.edges[e].first)] += extra;
        m.diagonal[static_cast<std::size_t>(m.edges[e].second)] += extra;
    }
}

/// Componentwise backward error of x for m·x = b, against m's dense form: the largest
/// |b − A x|_i / (|b_i| + Σ_j |A_ij x_j|).
double backward_error(const TestMatrix& m, const std::vector<double>& b,
                      const std::vector<double>& x) {
    const std::vector<double> a = m.dense();
    const auto un = static_cast<std::size_t>(m.n);
    double worst = 0;
    for (std::size_t i = 0; i < un; ++i) {
        double r = b[i], scale = std::fabs(b[i]);
        for (std::size_t j = 0; j < un; ++j) {
            r -= a[i * un + j] * x[j];
            scale += std::fabs(a[i * un + j] * x[j]);
        }
        worst = std::max(worst, std::fabs(r) / scale);
    }
    return worst;
}

} // namespace

TEST(SparseCholesky, RefinementRestoresBadlyScaledRows) {
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        // A grid where a few links carry conductances 1e8 times the others (active pressure
        // valves, links at EPANET's smallest gradient): the refined solve's residual is at
        // round-off of each row's own scale and no larger than the plain solve's.
        TestMatrix m(15 * 15, grid_edges(15, 15), 12, 1e-3);
        strengthen_every_37th_link(m);
        const SymbolicCholesky sym(m.n, m.edges, kernel);
        NumericCholesky num(sym);
        m.load(sym, num);
        ASSERT_EQ(num.factor(sym), -1);
        const std::vector<double> b = right_hand_side(m.n);
        std::vector<double> plain = b, refined = b;
        num.solve(sym, plain);
        num.solve_refined(sym, refined);
        EXPECT_LE(backward_error(m, b, refined), backward_error(m, b, plain));
        EXPECT_LT(backward_error(m, b, refined), 1e-12);
    }
}

TEST(SparseCholesky, CheckableSolveTellsWhetherItNeededRefinement) {
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        for (const bool badly_scaled : {false, true}) {
            SCOPED_TRACE(badly_scaled ? "badly scaled" : "well scaled");
            TestMatrix m(15 * 15, grid_edges(15, 15), 12, 1e-3);
            if (badly_scaled)
                strengthen_every_37th_link(m);
            const SymbolicCholesky sym(m.n, m.edges, kernel);
            NumericCholesky num(sym);
            m.load(sym, num);
            ASSERT_EQ(num.factor(sym), -1);
            const std::vector<double> b = right_hand_side(m.n);
            std::vector<double> plain = b, checkable = b, refined = b;
            num.solve(sym, plain);
            EXPECT_FALSE(num.refinement_needed(sym)); // a plain solve is not checkable
            num.solve_refined(sym, refined);
            num.solve_checkable(sym, checkable);
            EXPECT_EQ(checkable, plain); // the same solve, bit for bit
            // Needed exactly where solve_refined refined (changed the plain solve's result). The
            // gradient method's matrices (diagonally dominant M-matrices) never need it, even
            // these with conductances 1e8 times their neighbours'.
            EXPECT_EQ(num.refinement_needed(sym), refined != plain);
            EXPECT_FALSE(num.refinement_needed(sym)); // asked once per solve
            std::vector<double> again = b;
            num.solve_checkable(sym, again);
            num.solve(sym, again); // another solve: nothing left to check
            EXPECT_FALSE(num.refinement_needed(sym));
        }
    }
}

TEST(SparseCholesky, SameBitsFromEveryNumericObject) {
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        const TestMatrix m(500, hub_edges(500, 900, 13), 13);
        const SymbolicCholesky sym(m.n, m.edges, kernel);
        NumericCholesky a(sym), b(sym);
        m.load(sym, a);
        m.load(sym, b);
        ASSERT_EQ(a.factor(sym), -1);
        ASSERT_EQ(b.factor(sym), -1);
        ASSERT_EQ(b.factor(sym), -1); // factorising twice changes nothing
        std::vector<double> xa = right_hand_side(m.n), xb = xa;
        a.solve_refined(sym, xa);
        b.solve_refined(sym, xb);
        for (std::size_t i = 0; i < xa.size(); ++i)
            EXPECT_EQ(xa[i], xb[i]);
        // A second symbolic analysis of the same pattern gives the same ordering and numbers.
        const SymbolicCholesky again(m.n, m.edges, kernel);
        NumericCholesky c(again);
        m.load(again, c);
        ASSERT_EQ(c.factor(again), -1);
        std::vector<double> xc = right_hand_side(m.n);
        c.solve_refined(again, xc);
        for (std::size_t i = 0; i < xa.size(); ++i)
            EXPECT_EQ(xa[i], xc[i]);
        EXPECT_EQ(again.factor_nonzeros(), sym.factor_nonzeros());
        EXPECT_EQ(again.supernode_count(), sym.supernode_count());
    }
}

TEST(SparseCholesky, KernelsAgreeAndAutoPicksByColumnWidth) {
    // A network-like pattern (a chain with a few loops) factorises thin: kAuto takes the
    // simplicial kernel; the 2-D grid, whose columns of L grow with its side, the supernodal one.
    Edges loops;
    for (int i = 0; i + 1 < 600; ++i)
        loops.emplace_back(i, i + 1);
    for (int i = 0; i + 40 < 600; i += 37)
        loops.emplace_back(i, i + 40);
    EXPECT_EQ(SymbolicCholesky(600, loops).kernel(), Kernel::kSimplicial);
    const Edges grid = grid_edges(60, 60);
    EXPECT_EQ(SymbolicCholesky(3600, grid).kernel(), Kernel::kSupernodal);
    // Both kernels on one system, refactorised after solves (the simplicial factorisation keeps
    // its work vector apart from the solve's): the same solution to round-off.
    for (const Edges* e : std::vector<const Edges*>{&loops, &grid}) {
        const auto n = static_cast<std::int32_t>(e == &loops ? 600 : 3600);
        const SymbolicCholesky a(n, *e, Kernel::kSupernodal), b(n, *e, Kernel::kSimplicial);
        NumericCholesky na(a), nb(b);
        for (std::uint32_t seed = 20; seed < 23; ++seed) {
            const TestMatrix m(n, *e, seed, 0.01);
            m.load(a, na);
            m.load(b, nb);
            ASSERT_EQ(na.factor(a), -1);
            ASSERT_EQ(nb.factor(b), -1);
            std::vector<double> xa = right_hand_side(n), xb = xa;
            na.solve_refined(a, xa);
            nb.solve_refined(b, xb);
            double scale = 0;
            for (const double v : xa)
                scale = std::max(scale, std::fabs(v));
            for (std::size_t i = 0; i < xa.size(); ++i)
                ASSERT_NEAR(xa[i], xb[i], 1e-12 * scale) << "row " << i << " seed " << seed;
        }
    }
}

namespace {

/// m factorised with `sym` and solved (refined) for right_hand_side().
std::vector<double> refined_solution(const TestMatrix& m, const SymbolicCholesky& sym) {
    NumericCholesky num(sym);
    m.load(sym, num);
    EXPECT_EQ(num.factor(sym), -1);
    std::vector<double> x = right_hand_side(m.n);
    num.solve_refined(sym, x);
    return x;
}

/// refined_solution() at 1, 2 and 3 threads: the same bits every time (asserted); returns it.
std::vector<double> same_at_every_thread_count(const TestMatrix& m, const SymbolicCholesky& sym) {
    std::vector<double> first;
    for (const std::size_t threads : {1, 2, 3}) {
        const rencheng::ThreadLimit limit(threads);
        const std::vector<double> x = refined_solution(m, sym);
        if (first.empty())
            first = x;
        else
            EXPECT_TRUE(x == first) << threads << " threads";
    }
    return first;
}

/// Factorises m in pieces at 1, 2 and 3 threads (the same bits every time, asserted) and in one
/// piece; expects the two solutions within 1e-13 of the largest entry. Returns the pieces'.
std::vector<double> expect_pieces_match_one_piece(const TestMatrix& m, const Edges& edges) {
    const SymbolicCholesky pieces(m.n, edges), one(m.n, edges, Kernel::kAuto, false);
    EXPECT_GE(pieces.parallel_units(), 2);
    EXPECT_EQ(one.parallel_units(), 0);
    const std::vector<double> first = same_at_every_thread_count(m, pieces);
    const std::vector<double> x = refined_solution(m, one);
    double scale = 0;
    for (const double v : x)
        scale = std::max(scale, std::fabs(v));
    std::size_t apart = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        apart += std::fabs(first[i] - x[i]) > 1e-13 * scale ? 1 : 0;
    EXPECT_EQ(apart, 0u) << "rows apart from the one-piece solution";
    return first;
}

} // namespace

TEST(SparseCholesky, PiecesMatchOnePieceWhateverTheThreadCount) {
    // A 2-D grid large enough to be laid out in independent subtrees: the factorisation in
    // pieces gives the one-piece factor bit for bit (same updates, same order), the solve the
    // same solution to round-off (only the forward sums into the top's rows are added in another
    // order), and neither depends on how many threads ran them.
    const int side = 90;
    const Edges grid = grid_edges(side, side);
    const std::int32_t n = side * side;
    const SymbolicCholesky pieces(n, grid), one(n, grid, Kernel::kAuto, false);
    ASSERT_EQ(pieces.kernel(), Kernel::kSupernodal);
    ASSERT_GE(pieces.parallel_units(), 4);
    EXPECT_EQ(one.parallel_units(), 0);
    EXPECT_GT(pieces.top_work_share(), 0.0);
    EXPECT_LT(pieces.top_work_share(), 1.0);
    EXPECT_LE(pieces.critical_path_share(), pieces.top_work_share() + 1.0 / 16 + 1e-12);
    EXPECT_EQ(pieces.factor_nonzeros(), one.factor_nonzeros());
    // Small networks stay in one piece.
    EXPECT_EQ(SymbolicCholesky(400, grid_edges(20, 20)).parallel_units(), 0);
    const TestMatrix m(n, grid, 31, 1e-3);
    const std::vector<double> x = expect_pieces_match_one_piece(m, grid);
    // Residual of the pieces' solution, row by row from the matrix itself.
    std::vector<double> r = right_hand_side(n);
    for (std::int32_t i = 0; i < n; ++i)
        r[static_cast<std::size_t>(i)] -=
            m.diagonal[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
    for (std::size_t e = 0; e < grid.size(); ++e) {
        const auto a = static_cast<std::size_t>(grid[e].first);
        const auto b = static_cast<std::size_t>(grid[e].second);
        r[a] += m.weight[e] * x[b];
        r[b] += m.weight[e] * x[a];
    }
    for (std::size_t i = 0; i < r.size(); ++i)
        ASSERT_LT(std::fabs(r[i]), 1e-9) << "row " << i;
}

TEST(SparseCholesky, PiecesReportTheFirstFailingRowAsOnePieceDoes) {
    // Negative diagonals in several subtrees and in the top: whichever thread meets which first,
    // the row reported is the one the one-piece factorisation stops on.
    const int side = 90;
    const Edges grid = grid_edges(side, side);
    const std::int32_t n = side * side;
    const SymbolicCholesky pieces(n, grid), one(n, grid, Kernel::kAuto, false);
    ASSERT_GE(pieces.parallel_units(), 2);
    const TestMatrix m(n, grid, 32, 1e-3);
    for (const auto& bad :
         {std::vector<std::int32_t>{7}, {8099, 4050}, {3, 4000, 8000, 45 * 90 + 45}}) {
        NumericCholesky a(one);
        m.load(one, a);
        for (const std::int32_t row : bad)
            a.values()[static_cast<std::size_t>(one.diagonal_position(row))] = -1.0;
        const std::int32_t expected = a.factor(one);
        ASSERT_GE(expected, 0);
        for (const std::size_t threads : {1, 2}) {
            const rencheng::ThreadLimit limit(threads);
            NumericCholesky b(pieces);
            m.load(pieces, b);
            for (const std::int32_t row : bad)
                b.values()[static_cast<std::size_t>(pieces.diagonal_position(row))] = -1.0;
            EXPECT_EQ(b.factor(pieces), expected) << threads << " threads";
        }
    }
}

TEST(SparseCholesky, PiecesOfSeveralTreesAndWideTopsMatchOnePiece) {
    // Two grids side by side with no link between them (two elimination trees, the second one's
    // subtrees numbered after the first's top) and a grid under hub rows tied to every 7th row
    // (wide top supernodes, updated a range of columns per task): the pieces' solution is the
    // one-piece solution to round-off and the same bits at every thread count.
    const int side = 70;
    Edges two = grid_edges(side, side);
    for (const auto& [a, b] : grid_edges(side, side))
        two.emplace_back(a + side * side, b + side * side);
    const int wide = 90;
    Edges hubs = grid_edges(wide, wide);
    for (int hub = 0; hub < 3; ++hub)
        for (int j = 0; j < wide * wide; j += 7)
            if (j != hub * 1000 + 17)
                hubs.emplace_back(hub * 1000 + 17, j);
    const std::pair<std::int32_t, const Edges*> cases[] = {{2 * side * side, &two},
                                                           {wide * wide, &hubs}};
    for (const auto& [n, edges] : cases) {
        SCOPED_TRACE(n);
        expect_pieces_match_one_piece(TestMatrix(n, *edges, 41, 1e-3), *edges);
    }
}

namespace {

/// The street grid of the benchmark in small: streets along rows, cross streets at every 5th
/// column and at random (most junctions between two others: chains).
Edges street_edges(int side, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Edges e;
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            if (j + 1 < side)
                e.emplace_back(i * side + j, i * side + j + 1);
            if (i + 1 < side && (j % 5 == 0 || u(rng) < 0.15))
                e.emplace_back(i * side + j, (i + 1) * side + j);
        }
    return e;
}

std::int32_t peeled(std::int32_t n, const Edges& e) {
    return SymbolicCholesky(n, e, Kernel::kAuto, true, Peel::kAlways).peeled_count();
}

} // namespace

TEST(SparseCholesky, PeelingTakesTreesAndChains) {
    // What goes before the core: every node that is left with at most two neighbours at its
    // turn, until one node is left. A path, a ring and a tree go whole; a star's leaves go and
    // its hub stays; a 2-D grid gives up its corners alone (their neighbours keep three).
    Edges path, ring, tree, star;
    for (int i = 0; i + 1 < 60; ++i)
        path.emplace_back(i, i + 1);
    ring = path;
    ring.emplace_back(59, 0);
    std::mt19937 rng(3);
    for (int i = 1; i < 80; ++i)
        tree.emplace_back(std::uniform_int_distribution<int>(0, i - 1)(rng), i);
    for (int i = 1; i <= 40; ++i)
        star.emplace_back(0, i);
    EXPECT_EQ(peeled(60, path), 59);
    EXPECT_EQ(peeled(60, ring), 59);
    EXPECT_EQ(peeled(80, tree), 79);
    EXPECT_EQ(peeled(41, star), 40);
    EXPECT_EQ(peeled(100, grid_edges(10, 10)), 4);
    EXPECT_EQ(peeled(1, {}), 0);
    // kAuto where a tenth or more goes (not the 10 × 10 grid's four corners); kNever never.
    EXPECT_EQ(SymbolicCholesky(60, path).peeled_count(), 59);
    EXPECT_EQ(SymbolicCholesky(100, grid_edges(10, 10)).peeled_count(), 0);
    EXPECT_EQ(SymbolicCholesky(60, path, Kernel::kAuto, true, Peel::kNever).peeled_count(), 0);
    for (const Edges* e : {&path, &ring, &tree, &star}) {
        const auto n = static_cast<std::int32_t>(e == &star ? 41 : e == &tree ? 80 : 60);
        expect_matches_dense(TestMatrix(n, *e, 14));
    }
    // A street grid: most of it in chains; the core's solution is the whole pattern's.
    const int side = 30;
    const Edges streets = street_edges(side, 15);
    EXPECT_GT(peeled(side * side, streets), side * side / 3);
    expect_matches_dense(TestMatrix(side * side, streets, 16, 1e-3));
}

TEST(SparseCholesky, PeeledValuePositionsNumberThePatternOnce) {
    // The caller's entries keep distinct positions (the peeled nodes' among them), inside
    // value_count(), which also holds the entries the eliminations create.
    const int side = 20;
    const Edges e = street_edges(side, 17);
    const SymbolicCholesky sym(side * side, e, Kernel::kAuto, true, Peel::kAlways);
    ASSERT_GT(sym.peeled_count(), 0);
    std::set<std::pair<std::int32_t, std::int32_t>> pattern;
    for (const auto& [a, b] : e)
        pattern.emplace(std::min(a, b), std::max(a, b));
    std::set<std::int32_t> seen;
    for (std::int32_t i = 0; i < side * side; ++i) {
        const std::int32_t p = sym.diagonal_position(i);
        ASSERT_GE(p, 0);
        ASSERT_LT(p, sym.value_count());
        EXPECT_EQ(p, sym.position(i, i));
        EXPECT_TRUE(seen.insert(p).second);
    }
    for (const auto& [a, b] : pattern) {
        const std::int32_t p = sym.position(a, b);
        ASSERT_GE(p, 0);
        ASSERT_LT(p, sym.value_count());
        EXPECT_EQ(p, sym.position(b, a));
        EXPECT_TRUE(seen.insert(p).second);
    }
    EXPECT_EQ(sym.position(0, side * side - 1), -1);
}

TEST(SparseCholesky, PeeledFactorReportsTheFailingRowAndRefines) {
    const int side = 24;
    const Edges e = street_edges(side, 18);
    const std::int32_t n = side * side;
    for (const Kernel kernel : kKernels) {
        SCOPED_TRACE(kernel_name(kernel));
        const SymbolicCholesky sym(n, e, kernel, true, Peel::kAlways);
        // A negative diagonal on a chain junction (peeled) and on a crossing (in the core): the
        // rest is diagonally dominant, so that row is the one that fails, in any order; the
        // next values factorise again.
        const std::int32_t chain = 1 * side + 2, crossing = 10 * side + 10;
        ASSERT_LT(peeled(n, e), n);
        const TestMatrix m(n, e, 19, 1e-3);
        NumericCholesky num(sym);
        for (const std::int32_t row : {chain, crossing}) {
            m.load(sym, num);
            num.values()[static_cast<std::size_t>(sym.diagonal_position(row))] = -1.0;
            EXPECT_EQ(num.factor(sym), row);
        }
        m.load(sym, num);
        ASSERT_EQ(num.factor(sym), -1);
        // Conductances 1e8 times their neighbours': the refined solve is at round-off.
        TestMatrix strong(n, e, 20, 1e-3);
        strengthen_every_37th_link(strong);
        strong.load(sym, num);
        ASSERT_EQ(num.factor(sym), -1);
        const std::vector<double> b = right_hand_side(n);
        std::vector<double> x = b;
        num.solve_refined(sym, x);
        EXPECT_LT(backward_error(strong, b, x), 1e-12);
    }
}

TEST(SparseCholesky, LargeStreetGridIsPeeledTheSameWhateverTheThreadCount) {
    // kAuto peels a large street grid (not a 2-D grid of the same size, whose chains are its
    // four corners); its core is large enough to be laid out in pieces; the solution is the same
    // bits at 1, 2 and 3 threads and the whole pattern's to round-off.
    const int side = 200;
    const std::int32_t n = side * side;
    const Edges e = street_edges(side, 21);
    const SymbolicCholesky sym(n, e);
    EXPECT_GT(sym.peeled_count(), n / 2);
    EXPECT_GE(sym.parallel_units(), 2);
    EXPECT_EQ(SymbolicCholesky(n, grid_edges(side, side)).peeled_count(), 0);
    const SymbolicCholesky whole(n, e, Kernel::kAuto, true, Peel::kNever);
    const TestMatrix m(n, e, 22, 1e-3);
    const std::vector<double> first = same_at_every_thread_count(m, sym);
    const std::vector<double> x = refined_solution(m, whole);
    double scale = 0;
    for (const double v : x)
        scale = std::max(scale, std::fabs(v));
    for (std::size_t i = 0; i < x.size(); ++i)
        ASSERT_NEAR(first[i], x[i], 1e-11 * scale) << "row " << i;
}

TEST(SparseCholesky, PeeledRandomPatternsMatchDense) {
    // Random forests with a few extra links, repeated links and isolated rows: whatever the
    // peel leaves (nothing, a loop or a dense knot), both kernels match the dense solution.
    std::mt19937 rng(23);
    for (int trial = 0; trial < 40; ++trial) {
        SCOPED_TRACE(trial);
        const int n = std::uniform_int_distribution<int>(2, 120)(rng);
        Edges e;
        for (int i = 1; i < n; ++i)
            if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.9)
                e.emplace_back(std::uniform_int_distribution<int>(0, i - 1)(rng), i);
        const int extra = std::uniform_int_distribution<int>(0, n / 3 + 1)(rng);
        for (int k = 0; k < extra; ++k) {
            const int a = std::uniform_int_distribution<int>(0, n - 1)(rng);
            const int b = std::uniform_int_distribution<int>(0, n - 1)(rng);
            if (a != b)
                e.emplace_back(a, b);
        }
        if (!e.empty())
            e.push_back(e.front()); // a link given twice
        expect_matches_dense(TestMatrix(n, e, 100 + static_cast<std::uint32_t>(trial), 1e-3));
    }
}

TEST(SparseCholesky, UnitSolveMatchesTheSolveOfAUnitVector) {
    // solve_unit's forward substitution follows the unit entry's path alone (zeros skipped):
    // the same bits as solve() of the unit vector, and A x = e to round-off, on both kernels,
    // whole and peeled, for every row of a street grid with dead ends.
    const TestMatrix m(100, street_edges(10, 7), 11);
    for (const Kernel kernel : kKernels)
        for (const Peel peel : {Peel::kNever, Peel::kAlways}) {
            SCOPED_TRACE(kernel_name(kernel));
            SCOPED_TRACE(peel == Peel::kAlways ? "peeled" : "whole");
            const SymbolicCholesky sym(m.n, m.edges, kernel, true, peel);
            NumericCholesky num(sym);
            m.load(sym, num);
            ASSERT_EQ(num.factor(sym), -1);
            const std::vector<double> a = m.dense();
            const auto un = static_cast<std::size_t>(m.n);
            std::vector<double> x;
            for (std::int32_t row = 0; row < m.n; ++row) {
                num.solve_unit(sym, row, x);
                ASSERT_EQ(x.size(), un);
                std::vector<double> e(un, 0.0);
                e[static_cast<std::size_t>(row)] = 1.0;
                num.solve(sym, e);
                EXPECT_EQ(x, e) << "row " << row;
                for (std::size_t i = 0; i < un; ++i) {
                    double r = i == static_cast<std::size_t>(row) ? 1.0 : 0.0;
                    for (std::size_t j = 0; j < un; ++j)
                        r -= a[i * un + j] * x[j];
                    EXPECT_NEAR(r, 0.0, 1e-11) << "row " << row << ", residual row " << i;
                }
            }
        }
}
