// Sparse Cholesky: AMD ordering, elimination tree, supernodes, left-looking supernodal numeric
// factorisation with dense kernels.
#include "water/sparse_cholesky.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "core/parallel.hpp"

#include <suitesparse/amd.h>

namespace rencheng::water {

namespace {

/// Backward error (componentwise, see solve_refined) above which a solve is refined: 64 ε.
constexpr double kRefineBackwardError = 64 * 2.220446049250313e-16;

/// Kernel::kAuto takes the simplicial kernel when Σ c_j² / Σ c_j, the column count of L
/// weighted by the work of each column, is at most this: ~3 on the shared networks of 1–2k
/// nodes, 43 on the 100k-node street grid.
constexpr double kSimplicialColumnCount = 12;

/// A supernodal factor is laid out in independent pieces (SymbolicCholesky's parallel layout)
/// from this many flops of the factorisation on (Σ c_j²; the 100k-node street grid has 35e6,
/// BWSN_Network_2 ~1e6): below it the tasks' start-up costs more than they save.
constexpr double kParallelFlops = 4e6;
/// No subtree (nor unit of subtrees) of the parallel layout holds more than this share of the
/// estimated work: pieces enough to keep a few threads busy to the end.
constexpr double kUnitWorkShare = 1.0 / 16;
/// Rows per chunk of the loops over rows done side by side (parallel layout only).
constexpr std::size_t kRowChunk = 8192;
/// A top supernode of the parallel layout is updated in up to kColumnParts ranges of columns
/// side by side, one range per kPartColumns columns.
constexpr std::int32_t kColumnParts = 4;
constexpr std::int32_t kPartColumns = 16;

/// Approximate minimum-degree ordering of the pattern `adj` (both triangles, no diagonal) by
/// SuiteSparse AMD with its default controls: deterministic, and far less fill and time than an
/// exact minimum degree on 100k-node networks.
std::vector<std::int32_t> amd_ordering(std::int32_t n,
                                       const std::vector<std::vector<std::int32_t>>& adj) {
    std::vector<std::int32_t> ap(static_cast<std::size_t>(n) + 1, 0), ai;
    for (std::int32_t i = 0; i < n; ++i)
        ap[static_cast<std::size_t>(i) + 1] =
            ap[static_cast<std::size_t>(i)] +
            static_cast<std::int32_t>(adj[static_cast<std::size_t>(i)].size());
    ai.reserve(static_cast<std::size_t>(ap.back()));
    for (const auto& a : adj)
        ai.insert(ai.end(), a.begin(), a.end());
    std::vector<std::int32_t> order(static_cast<std::size_t>(n));
    if (ai.empty()) { // no off-diagonal entries (AMD rejects an empty index array): no fill
        for (std::int32_t i = 0; i < n; ++i)
            order[static_cast<std::size_t>(i)] = i;
        return order;
    }
    double control[AMD_CONTROL], info[AMD_INFO];
    amd_defaults(control);
    const int status = amd_order(n, ap.data(), ai.data(), order.data(), control, info);
    if (status != AMD_OK && status != AMD_OK_BUT_JUMBLED)
        throw std::runtime_error("AMD ordering failed (status " + std::to_string(status) + ")");
    return order;
}

/// Nonzero pattern of row k of L (Davis 2006, cs_ereach): walk up the elimination tree from each
/// entry of column k of the upper triangle. Returns top; pattern in stack[top..n).
std::int32_t ereach(std::int32_t n, const std::vector<std::int32_t>& cp,
                    const std::vector<std::int32_t>& ci, std::int32_t k,
                    const std::vector<std::int32_t>& parent, std::vector<std::int32_t>& stack,
                    std::vector<std::int32_t>& mark) {
    std::int32_t top = n;
    mark[static_cast<std::size_t>(k)] = k;
    for (std::int32_t p = cp[static_cast<std::size_t>(k)]; p < cp[static_cast<std::size_t>(k) + 1];
         ++p) {
        std::int32_t i = ci[static_cast<std::size_t>(p)];
        if (i > k)
            continue;
        std::int32_t len = 0;
        // stack[0..len) holds the path; copied below to the top of the stack.
        for (; mark[static_cast<std::size_t>(i)] != k; i = parent[static_cast<std::size_t>(i)]) {
            stack[static_cast<std::size_t>(len++)] = i;
            mark[static_cast<std::size_t>(i)] = k;
        }
        while (len > 0)
            stack[static_cast<std::size_t>(--top)] = stack[static_cast<std::size_t>(--len)];
    }
    return top;
}

/// Upper triangle of C = P A Pᵀ by columns (column j holds rows i <= j, diagonal included).
void permuted_upper(std::int32_t n, const std::vector<std::vector<std::int32_t>>& adj,
                    const std::vector<std::int32_t>& pinv, std::vector<std::int32_t>& cp,
                    std::vector<std::int32_t>& ci) {
    const auto un = static_cast<std::size_t>(n);
    std::vector<std::vector<std::int32_t>> cols(un);
    for (std::int32_t i = 0; i < n; ++i) {
        const std::int32_t pi = pinv[static_cast<std::size_t>(i)];
        cols[static_cast<std::size_t>(pi)].push_back(pi);
        for (const std::int32_t j : adj[static_cast<std::size_t>(i)]) {
            const std::int32_t pj = pinv[static_cast<std::size_t>(j)];
            if (pi < pj)
                cols[static_cast<std::size_t>(pj)].push_back(pi);
        }
    }
    cp.assign(un + 1, 0);
    for (std::size_t j = 0; j < un; ++j) {
        std::sort(cols[j].begin(), cols[j].end());
        cp[j + 1] = cp[j] + static_cast<std::int32_t>(cols[j].size());
    }
    ci.clear();
    ci.reserve(static_cast<std::size_t>(cp[un]));
    for (const auto& c : cols)
        ci.insert(ci.end(), c.begin(), c.end());
}

/// Elimination tree (Liu 1986) with path compression through `ancestor`.
std::vector<std::int32_t> elimination_tree(std::int32_t n, const std::vector<std::int32_t>& cp,
                                           const std::vector<std::int32_t>& ci) {
    const auto un = static_cast<std::size_t>(n);
    std::vector<std::int32_t> parent(un, -1), ancestor(un, -1);
    for (std::int32_t k = 0; k < n; ++k) {
        for (std::int32_t p = cp[static_cast<std::size_t>(k)];
             p < cp[static_cast<std::size_t>(k) + 1]; ++p) {
            std::int32_t i = ci[static_cast<std::size_t>(p)];
            while (i != -1 && i < k) {
                const std::int32_t next = ancestor[static_cast<std::size_t>(i)];
                ancestor[static_cast<std::size_t>(i)] = k;
                if (next == -1)
                    parent[static_cast<std::size_t>(i)] = k;
                i = next;
            }
        }
    }
    return parent;
}

/// Postorder of a forest (Davis 2006, cs_post): children in ascending order, roots likewise.
std::vector<std::int32_t> postorder(const std::vector<std::int32_t>& parent) {
    const auto n = static_cast<std::int32_t>(parent.size());
    std::vector<std::int32_t> head(parent.size(), -1), next(parent.size(), -1), stack, post;
    post.reserve(parent.size());
    for (std::int32_t j = n - 1; j >= 0; --j) {
        const std::int32_t p = parent[static_cast<std::size_t>(j)];
        if (p == -1)
            continue;
        next[static_cast<std::size_t>(j)] = head[static_cast<std::size_t>(p)];
        head[static_cast<std::size_t>(p)] = j;
    }
    for (std::int32_t j = 0; j < n; ++j) {
        if (parent[static_cast<std::size_t>(j)] != -1)
            continue;
        stack.push_back(j);
        while (!stack.empty()) {
            const std::int32_t p = stack.back();
            const std::int32_t i = head[static_cast<std::size_t>(p)];
            if (i == -1) {
                stack.pop_back();
                post.push_back(p);
            } else {
                head[static_cast<std::size_t>(p)] = next[static_cast<std::size_t>(i)];
                stack.push_back(i);
            }
        }
    }
    return post;
}

/// C(r, q) −= Σ_{t<kk} A(r, t)·A(q, t) for q < k1 and r ≥ q (rounded down to a block of four
/// columns; entries above the diagonal may be written and are never read), A and C column-major
/// with leading dimensions lda and ldc, m rows. The dense kernel of the factorisation: blocks of
/// 4 rows × 4 columns accumulate in registers, so each value loaded serves four products.
// Compiled for AVX2 too (chosen at load time where the CPU has it): wider vectors of the same
// products and sums in the same order (no FMA), so the results are identical on every machine.
__attribute__((target_clones("avx2", "default"))) void
lower_update(const double* a, std::int32_t lda, std::int32_t m, std::int32_t k1, std::int32_t kk,
             double* c, std::int32_t ldc) {
    const auto la = static_cast<std::ptrdiff_t>(lda);
    const auto lc = static_cast<std::ptrdiff_t>(ldc);
    std::int32_t q = 0;
    for (; q + 4 <= k1; q += 4) {
        std::int32_t r = q;
        for (; r + 4 <= m; r += 4) {
            double acc[4][4] = {};
            const double* ar = a + r;
            const double* aq = a + q;
            for (std::int32_t t = 0; t < kk; ++t) {
                const double* x = ar + t * la;
                const double* y = aq + t * la;
                for (int i = 0; i < 4; ++i)
                    for (int j = 0; j < 4; ++j)
                        acc[j][i] += x[i] * y[j];
            }
            for (int j = 0; j < 4; ++j)
                for (int i = 0; i < 4; ++i)
                    c[(q + j) * lc + r + i] -= acc[j][i];
        }
        for (; r < m; ++r) {
            double acc[4] = {};
            for (std::int32_t t = 0; t < kk; ++t) {
                const double x = a[r + t * la];
                for (int j = 0; j < 4; ++j)
                    acc[j] += x * a[q + j + t * la];
            }
            for (int j = 0; j < 4; ++j)
                c[(q + j) * lc + r] -= acc[j];
        }
    }
    for (; q < k1; ++q) {
        double* cq = c + q * lc;
        for (std::int32_t t = 0; t < kk; ++t) {
            const double* at = a + t * la;
            const double y = at[q];
            for (std::int32_t r = q; r < m; ++r)
                cq[r] -= at[r] * y;
        }
    }
}

/// C(rel[r], rel[q]) −= Σ_{t<kk} A(r, t)·A(q, t) for q < k1 and r ≥ q (as lower_update, with
/// the rows and columns of C taken through the increasing map rel): a descendant's update
/// subtracted straight into its ancestor's block, with no dense buffer in between. Each entry
/// gets exactly the value that lower_update into a zeroed buffer and adding the buffer gave
/// (x − s = x + (0 − s), sums in the same order), so the factor is unchanged bit for bit.
__attribute__((target_clones("avx2", "default"))) void
lower_update_scattered(const double* a, std::int32_t lda, std::int32_t m, std::int32_t k1,
                       std::int32_t kk, double* c, std::int32_t ldc, const std::int32_t* rel) {
    const auto la = static_cast<std::ptrdiff_t>(lda);
    const auto lc = static_cast<std::ptrdiff_t>(ldc);
    std::int32_t q = 0;
    for (; q + 4 <= k1; q += 4) {
        double* cq[4];
        for (int j = 0; j < 4; ++j)
            cq[j] = c + rel[q + j] * lc;
        std::int32_t r = q;
        for (; r + 4 <= m; r += 4) {
            double acc[4][4] = {};
            const double* ar = a + r;
            const double* aq = a + q;
            for (std::int32_t t = 0; t < kk; ++t) {
                const double* x = ar + t * la;
                const double* y = aq + t * la;
                for (int i = 0; i < 4; ++i)
                    for (int j = 0; j < 4; ++j)
                        acc[j][i] += x[i] * y[j];
            }
            for (int j = 0; j < 4; ++j)
                for (int i = 0; i < 4; ++i)
                    cq[j][rel[r + i]] -= acc[j][i];
        }
        for (; r < m; ++r) {
            double acc[4] = {};
            for (std::int32_t t = 0; t < kk; ++t) {
                const double x = a[r + t * la];
                for (int j = 0; j < 4; ++j)
                    acc[j] += x * a[q + j + t * la];
            }
            for (int j = 0; j < 4; ++j)
                cq[j][rel[r]] -= acc[j];
        }
    }
    for (; q < k1; ++q) {
        double* cq = c + rel[q] * lc;
        std::int32_t r = q;
        for (; r + 4 <= m; r += 4) {
            double acc[4] = {};
            for (std::int32_t t = 0; t < kk; ++t) {
                const double* at = a + t * la;
                const double y = at[q];
                for (int i = 0; i < 4; ++i)
                    acc[i] += at[r + i] * y;
            }
            for (int i = 0; i < 4; ++i)
                cq[rel[r + i]] -= acc[i];
        }
        for (; r < m; ++r) {
            double acc = 0;
            for (std::int32_t t = 0; t < kk; ++t)
                acc += a[r + t * la] * a[q + t * la];
            cq[rel[r]] -= acc;
        }
    }
}

} // namespace

SymbolicCholesky::SymbolicCholesky(std::int32_t n,
                                   const std::vector<std::pair<std::int32_t, std::int32_t>>& edges,
                                   Kernel kernel, bool split, Peel peel)
    : n_(n) {
    const auto un = static_cast<std::size_t>(n);
    std::vector<std::vector<std::int32_t>> adj(un);
    for (const auto& [i, j] : edges) {
        assert(i != j && i >= 0 && j >= 0 && i < n && j < n);
        adj[static_cast<std::size_t>(i)].push_back(j);
        adj[static_cast<std::size_t>(j)].push_back(i);
    }
    for (auto& a : adj) {
        std::sort(a.begin(), a.end());
        a.erase(std::unique(a.begin(), a.end()), a.end());
    }
    if (peel != Peel::kNever && build_peeled(adj, kernel, split, peel))
        return;
    build(adj, kernel, split);
}

void SymbolicCholesky::schedule_peel(std::vector<std::int32_t>& order,
                                     std::vector<std::array<std::int32_t, 2>>& neighbours,
                                     std::vector<std::int32_t>& turn) {
    // Each elimination waits on the one before it along its chain: it reads its own diagonal
    // and its two entries, which the eliminations of its earlier neighbours updated, so one
    // elimination after another in peel order is a chain of dependent divisions, stores and
    // loads. Level of a step: one more than the highest level of the steps that wrote what it
    // reads (diagonals by node, entries by node pair). The steps in order of (level, peel
    // turn) are an elimination order with the same neighbours at every step (two steps that
    // share a node keep their order), and steps of one level are independent: their latencies
    // overlap. Two steps of one level may update the same later entry (a crossing's diagonal);
    // they subtract in the order of their turns, the same every time.
    const auto np = order.size();
    std::vector<std::int32_t> level(np, 0), node_level(turn.size(), 0);
    std::unordered_map<std::uint64_t, std::int32_t> entry_level;
    const auto key = [](std::int32_t a, std::int32_t b) {
        if (a > b)
            std::swap(a, b);
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
               static_cast<std::uint32_t>(b);
    };
    const auto entry = [&](std::int32_t a, std::int32_t b) {
        const auto it = entry_level.find(key(a, b));
        return it == entry_level.end() ? 0 : it->second;
    };
    for (std::size_t t = 0; t < np; ++t) {
        const std::int32_t x = order[t];
        const auto& nb = neighbours[t];
        std::int32_t lv = node_level[static_cast<std::size_t>(x)];
        for (const std::int32_t y : nb)
            if (y >= 0)
                lv = std::max(lv, entry(x, y));
        level[t] = ++lv;
        for (const std::int32_t y : nb)
            if (y >= 0)
                node_level[static_cast<std::size_t>(y)] =
                    std::max(node_level[static_cast<std::size_t>(y)], lv);
        if (nb[1] >= 0) {
            auto& e = entry_level[key(nb[0], nb[1])];
            e = std::max(e, lv);
        }
    }
    std::vector<std::int32_t> sequence(np);
    for (std::size_t t = 0; t < np; ++t)
        sequence[t] = static_cast<std::int32_t>(t);
    std::stable_sort(sequence.begin(), sequence.end(), [&](std::int32_t a, std::int32_t b) {
        return level[static_cast<std::size_t>(a)] < level[static_cast<std::size_t>(b)];
    });
    std::vector<std::int32_t> new_order(np);
    std::vector<std::array<std::int32_t, 2>> new_neighbours(np);
    for (std::size_t k = 0; k < np; ++k) {
        const auto t = static_cast<std::size_t>(sequence[k]);
        new_order[k] = order[t];
        new_neighbours[k] = neighbours[t];
        turn[static_cast<std::size_t>(order[t])] = static_cast<std::int32_t>(k);
    }
    order = std::move(new_order);
    neighbours = std::move(new_neighbours);
}

bool SymbolicCholesky::build_peeled(const std::vector<std::vector<std::int32_t>>& adj,
                                    Kernel kernel, bool split, Peel peel) {
    const std::int32_t n = n_;
    const auto un = static_cast<std::size_t>(n);
    // Eliminate nodes of at most two neighbours one after another, each joining its two
    // neighbours (the entry the elimination fills), until none is left or one node remains.
    std::vector<std::vector<std::int32_t>> left = adj;
    std::vector<std::int32_t> order, stack, turn(un, -1);
    std::vector<std::array<std::int32_t, 2>> neighbours;
    for (std::int32_t i = n - 1; i >= 0; --i)
        if (left[static_cast<std::size_t>(i)].size() <= 2)
            stack.push_back(i);
    std::int32_t remaining = n;
    while (!stack.empty() && remaining > 1) {
        const std::int32_t x = stack.back();
        stack.pop_back();
        auto& lx = left[static_cast<std::size_t>(x)];
        if (turn[static_cast<std::size_t>(x)] >= 0 || lx.size() > 2)
            continue;
        turn[static_cast<std::size_t>(x)] = static_cast<std::int32_t>(order.size());
        --remaining;
        std::array<std::int32_t, 2> nb{-1, -1};
        for (std::size_t k = 0; k < lx.size(); ++k)
            nb[k] = lx[k];
        order.push_back(x);
        neighbours.push_back(nb);
        lx.clear();
        for (const std::int32_t y : nb)
            if (y >= 0) {
                auto& ly = left[static_cast<std::size_t>(y)];
                ly.erase(std::find(ly.begin(), ly.end(), x));
            }
        if (nb[1] >= 0) {
            auto& l0 = left[static_cast<std::size_t>(nb[0])];
            if (std::find(l0.begin(), l0.end(), nb[1]) == l0.end()) {
                l0.push_back(nb[1]);
                left[static_cast<std::size_t>(nb[1])].push_back(nb[0]);
            }
        }
        for (const std::int32_t y : nb)
            if (y >= 0 && left[static_cast<std::size_t>(y)].size() <= 2)
                stack.push_back(y);
    }
    const auto np = static_cast<std::int32_t>(order.size());
    if (np == 0 || (peel == Peel::kAuto && 10 * np < n))
        return false;
    schedule_peel(order, neighbours, turn);

    // The core: the nodes left, in ascending order, with the entries left among them.
    std::vector<std::int32_t> local(un, -1);
    for (std::int32_t i = 0; i < n; ++i)
        if (turn[static_cast<std::size_t>(i)] < 0) {
            local[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(core_nodes_.size());
            core_nodes_.push_back(i);
        }
    const auto nc = static_cast<std::int32_t>(core_nodes_.size());
    std::vector<std::pair<std::int32_t, std::int32_t>> core_edges;
    for (const std::int32_t i : core_nodes_)
        for (const std::int32_t j : left[static_cast<std::size_t>(i)])
            if (i < j)
                core_edges.emplace_back(local[static_cast<std::size_t>(i)],
                                        local[static_cast<std::size_t>(j)]);
    core_.emplace_back(nc, core_edges, kernel, split, Peel::kNever);
    const SymbolicCholesky& core = core_[0];
    kernel_ = core.kernel_;

    perm_.assign(un, 0);
    for (std::int32_t t = 0; t < np; ++t)
        perm_[static_cast<std::size_t>(t)] = order[static_cast<std::size_t>(t)];
    for (std::int32_t k = 0; k < nc; ++k)
        perm_[static_cast<std::size_t>(np + k)] =
            core_nodes_[static_cast<std::size_t>(core.perm_[static_cast<std::size_t>(k)])];
    pinv_.assign(un, 0);
    for (std::int32_t k = 0; k < n; ++k)
        pinv_[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])] = k;

    // Value positions: the core's, then three per peeled node, then the scratch slot.
    peel_base_ = core.value_count();
    value_count_ = peel_base_ + 3 * np + 1;
    const std::int32_t scratch = value_count_ - 1;
    const auto at = [&](std::int32_t a, std::int32_t b) -> std::int32_t {
        const std::int32_t ta = turn[static_cast<std::size_t>(a)];
        const std::int32_t tb = turn[static_cast<std::size_t>(b)];
        if (a == b)
            return ta >= 0 ? peel_base_ + 3 * ta
                           : core.diagonal_position(local[static_cast<std::size_t>(a)]);
        if (ta < 0 && tb < 0)
            return core.position(local[static_cast<std::size_t>(a)],
                                 local[static_cast<std::size_t>(b)]);
        // the entry belongs to the endpoint eliminated first
        const bool a_first = ta >= 0 && (tb < 0 || ta < tb);
        const std::int32_t t = a_first ? ta : tb, other = a_first ? b : a;
        const auto& nb = neighbours[static_cast<std::size_t>(t)];
        if (nb[0] == other)
            return peel_base_ + 3 * t + 1;
        if (nb[1] == other)
            return peel_base_ + 3 * t + 2;
        return -1;
    };
    peel_.resize(static_cast<std::size_t>(np));
    for (std::int32_t t = 0; t < np; ++t) {
        const auto& nb = neighbours[static_cast<std::size_t>(t)];
        PeelStep& st = peel_[static_cast<std::size_t>(t)];
        st.diag0 = nb[0] >= 0 ? at(nb[0], nb[0]) : scratch;
        st.diag1 = nb[1] >= 0 ? at(nb[1], nb[1]) : scratch;
        st.between = nb[1] >= 0 ? at(nb[0], nb[1]) : scratch;
        st.row0 = nb[0] >= 0 ? pinv_[static_cast<std::size_t>(nb[0])] : n;
        st.row1 = nb[1] >= 0 ? pinv_[static_cast<std::size_t>(nb[1])] : n;
        assert(st.diag0 >= 0 && st.diag1 >= 0 && st.between >= 0);
    }
    // Entries the eliminations created (in no caller's pattern) start from zero.
    const auto original = [&](std::int32_t a, std::int32_t b) {
        const auto& la = adj[static_cast<std::size_t>(a)];
        return std::binary_search(la.begin(), la.end(), b);
    };
    for (std::int32_t t = 0; t < np; ++t)
        for (int k = 0; k < 2; ++k) {
            const std::int32_t y =
                neighbours[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)];
            if (y < 0 || !original(order[static_cast<std::size_t>(t)], y))
                peel_zero_.push_back(peel_base_ + 3 * t + 1 + k);
        }
    for (const std::int32_t i : core_nodes_)
        for (const std::int32_t j : left[static_cast<std::size_t>(i)])
            if (i < j && !original(i, j))
                peel_zero_.push_back(at(i, j));
    peel_zero_.push_back(scratch);

    // The caller's pattern in the permuted numbering (upper triangle), for the residual.
    permuted_upper(n, adj, pinv_, cp_, ci_);
    value_of_entry_.assign(ci_.size(), 0);
    for (std::int32_t j = 0; j < n; ++j)
        for (std::int32_t p = cp_[static_cast<std::size_t>(j)];
             p < cp_[static_cast<std::size_t>(j) + 1]; ++p)
            value_of_entry_[static_cast<std::size_t>(p)] =
                at(perm_[static_cast<std::size_t>(ci_[static_cast<std::size_t>(p)])],
                   perm_[static_cast<std::size_t>(j)]);
    diag_pos_.assign(un, -1);
    for (std::int32_t i = 0; i < n; ++i)
        diag_pos_[static_cast<std::size_t>(i)] = at(i, i);
    if (core.parallel_units() > 0)
        build_rows(); // the residual row by row side by side, as the core's

    factor_nonzeros_ = core.factor_nonzeros_;
    factor_flops_ = core.factor_flops_;
    for (const auto& nb : neighbours) {
        const double c = 1.0 + (nb[0] >= 0) + (nb[1] >= 0);
        factor_nonzeros_ += static_cast<std::int64_t>(c);
        factor_flops_ += c * c;
    }
    return true;
}

void SymbolicCholesky::build(std::vector<std::vector<std::int32_t>>& adj, Kernel kernel,
                             bool split) {
    const std::int32_t n = n_;
    const auto un = static_cast<std::size_t>(n);
    // AMD's order, then relabelled in a postorder of its elimination tree: same fill, and the
    // columns of each chain (a supernode) become consecutive.
    const std::vector<std::int32_t> amd = amd_ordering(n, adj);
    pinv_.assign(un, 0);
    for (std::int32_t k = 0; k < n; ++k)
        pinv_[static_cast<std::size_t>(amd[static_cast<std::size_t>(k)])] = k;
    permuted_upper(n, adj, pinv_, cp_, ci_);
    const std::vector<std::int32_t> post = postorder(elimination_tree(n, cp_, ci_));
    perm_.assign(un, 0);
    for (std::int32_t k = 0; k < n; ++k)
        perm_[static_cast<std::size_t>(k)] =
            amd[static_cast<std::size_t>(post[static_cast<std::size_t>(k)])];
    for (std::int32_t k = 0; k < n; ++k)
        pinv_[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])] = k;
    permuted_upper(n, adj, pinv_, cp_, ci_);
    parent_ = elimination_tree(n, cp_, ci_);

    // Column counts of L: row k of L is ereach(k).
    std::vector<std::int32_t> stack(un), mark(un, -1), counts(un, 1);
    for (std::int32_t k = 0; k < n; ++k) {
        const std::int32_t top = ereach(n, cp_, ci_, k, parent_, stack, mark);
        for (std::int32_t t = top; t < n; ++t)
            ++counts[static_cast<std::size_t>(stack[static_cast<std::size_t>(t)])];
    }
    factor_nonzeros_ = 0;
    factor_flops_ = 0;
    for (const std::int32_t c : counts) {
        factor_nonzeros_ += c;
        factor_flops_ += static_cast<double>(c) * c;
    }

    // Supernodes: fundamental ones (column j+1 joins j's when it is j's parent and its column of
    // L is j's minus the diagonal), then relaxed (CHOLMOD's rule, Ashcraft & Grimes 1989): a
    // supernode is merged with the next one, its parent, when the explicit zeros this stores
    // stay few; dense blocks of a few columns beat many one-column ones.
    std::vector<std::int32_t> fundamental;
    for (std::int32_t j = 0; j < n; ++j) {
        const auto uj = static_cast<std::size_t>(j);
        if (!(j > 0 && parent_[uj - 1] == j && counts[uj] == counts[uj - 1] - 1))
            fundamental.push_back(j);
    }
    fundamental.push_back(n);
    super_.assign(1, 0);
    {
        std::int64_t true_nonzeros = 0; // of L in the current merged block
        for (std::size_t t = 0; t + 1 < fundamental.size(); ++t) {
            const std::int32_t f = fundamental[t], l = fundamental[t + 1];
            std::int64_t nz = 0;
            for (std::int32_t j = f; j < l; ++j)
                nz += counts[static_cast<std::size_t>(j)];
            const std::int32_t first = super_.back();
            const bool child = f > first && parent_[static_cast<std::size_t>(f) - 1] == f;
            if (child) {
                // Block [first, l): its rows are its pivots plus the rows below column l-1.
                const std::int64_t cols = l - first;
                const std::int64_t rows = cols + counts[static_cast<std::size_t>(l) - 1] - 1;
                const std::int64_t stored = cols * rows - cols * (cols - 1) / 2;
                const double zeros =
                    static_cast<double>(stored - true_nonzeros - nz) / static_cast<double>(stored);
                const bool merge = cols <= 4 || (cols <= 16 && zeros < 0.8) ||
                                   (cols <= 48 && zeros < 0.1) || zeros < 0.05;
                if (merge) {
                    true_nonzeros += nz;
                    continue;
                }
            }
            if (f > first)
                super_.push_back(f);
            true_nonzeros = nz;
        }
    }
    super_.push_back(n);
    const std::size_t ns = super_.size() - 1;
    snode_of_.assign(un, 0);
    for (std::size_t sn = 0; sn < ns; ++sn)
        for (std::int32_t j = super_[sn]; j < super_[sn + 1]; ++j)
            snode_of_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(sn);
    // Row patterns: a supernode's pivots, then the rows below its last column (from the row
    // patterns ereach(k) in ascending k, so sorted).
    srow_ptr_.assign(ns + 1, 0);
    for (std::size_t sn = 0; sn < ns; ++sn) {
        const std::int32_t last = super_[sn + 1] - 1;
        srow_ptr_[sn + 1] = srow_ptr_[sn] + (super_[sn + 1] - super_[sn]) +
                            counts[static_cast<std::size_t>(last)] - 1;
    }
    srow_.assign(static_cast<std::size_t>(srow_ptr_[ns]), 0);
    std::vector<std::int32_t> fill(srow_ptr_.begin(), srow_ptr_.end() - 1);
    for (std::size_t sn = 0; sn < ns; ++sn)
        for (std::int32_t j = super_[sn]; j < super_[sn + 1]; ++j)
            srow_[static_cast<std::size_t>(fill[sn]++)] = j;
    std::fill(mark.begin(), mark.end(), -1);
    for (std::int32_t k = 0; k < n; ++k) {
        const std::int32_t top = ereach(n, cp_, ci_, k, parent_, stack, mark);
        for (std::int32_t t = top; t < n; ++t) {
            const std::int32_t i = stack[static_cast<std::size_t>(t)];
            const auto sn = static_cast<std::size_t>(snode_of_[static_cast<std::size_t>(i)]);
            if (super_[sn + 1] - 1 == i && k >= super_[sn + 1])
                srow_[static_cast<std::size_t>(fill[sn]++)] = k;
        }
    }
    sval_ptr_.assign(ns + 1, 0);
    for (std::size_t s = 0; s < ns; ++s) {
        const std::int64_t rows = srow_ptr_[s + 1] - srow_ptr_[s];
        const std::int64_t cols = super_[s + 1] - super_[s];
        sval_ptr_[s + 1] = sval_ptr_[s] + rows * cols;
    }
    build_update_schedule();
    // Where each value of A lands in L: entry (i, j), i <= j, of C = P A Pᵀ is L(j, i).
    std::vector<std::int64_t> target(ci_.size(), 0);
    for (std::int32_t j = 0; j < n; ++j)
        for (std::int32_t p = cp_[static_cast<std::size_t>(j)];
             p < cp_[static_cast<std::size_t>(j) + 1]; ++p) {
            const std::int32_t i = ci_[static_cast<std::size_t>(p)];
            const auto s = static_cast<std::size_t>(snode_of_[static_cast<std::size_t>(i)]);
            const auto b = srow_.begin() + srow_ptr_[s];
            const auto e = srow_.begin() + srow_ptr_[s + 1];
            const auto r = std::lower_bound(b, e, j) - b;
            assert(b + r != e && b[r] == j);
            const std::int64_t rows = e - b;
            target[static_cast<std::size_t>(p)] = sval_ptr_[s] + (i - super_[s]) * rows + r;
        }
    // Values are numbered by supernode and, within one, by their place in L: the numeric phase
    // loads a supernode's block from one stretch of A's values, read and written in ascending
    // order, just before it factorises it (while the block is in cache).
    aptr_.assign(ns + 1, 0);
    for (std::size_t p = 0; p < ci_.size(); ++p)
        ++aptr_[static_cast<std::size_t>(snode_of_[static_cast<std::size_t>(ci_[p])]) + 1];
    for (std::size_t sn = 0; sn < ns; ++sn)
        aptr_[sn + 1] += aptr_[sn];
    std::vector<std::int32_t> by_value(ci_.size(), 0); // value position → entry p
    {
        std::vector<std::int32_t> next(aptr_.begin(), aptr_.end() - 1);
        for (std::size_t p = 0; p < ci_.size(); ++p)
            by_value[static_cast<std::size_t>(
                next[static_cast<std::size_t>(snode_of_[static_cast<std::size_t>(ci_[p])])]++)] =
                static_cast<std::int32_t>(p);
    }
    for (std::size_t sn = 0; sn < ns; ++sn)
        std::sort(by_value.begin() + aptr_[sn], by_value.begin() + aptr_[sn + 1],
                  [&](std::int32_t a, std::int32_t b) {
                      return target[static_cast<std::size_t>(a)] <
                             target[static_cast<std::size_t>(b)];
                  });
    value_of_entry_.assign(ci_.size(), 0);
    amap_.assign(ci_.size(), 0);
    for (std::size_t v = 0; v < by_value.size(); ++v) {
        const auto p = static_cast<std::size_t>(by_value[v]);
        value_of_entry_[p] = static_cast<std::int32_t>(v);
        amap_[v] = target[p];
    }
    value_count_ = static_cast<std::int32_t>(ci_.size());
    diag_pos_.assign(un, -1);
    for (std::int32_t i = 0; i < n; ++i)
        diag_pos_[static_cast<std::size_t>(i)] = position(i, i);
    if (kernel == Kernel::kAuto)
        kernel = factor_nonzeros_ > 0 && factor_flops_ <= kSimplicialColumnCount *
                                                              static_cast<double>(factor_nonzeros_)
                     ? Kernel::kSimplicial
                     : Kernel::kSupernodal;
    kernel_ = kernel;
    if (kernel_ == Kernel::kSimplicial)
        build_simplicial(counts);
    else if (split)
        build_parallel_layout();
}

void SymbolicCholesky::build_simplicial(const std::vector<std::int32_t>& counts) {
    const auto un = static_cast<std::size_t>(n_);
    lp_.assign(un + 1, 0);
    for (std::size_t j = 0; j < un; ++j)
        lp_[j + 1] = lp_[j] + counts[j];
    li_.assign(static_cast<std::size_t>(lp_[un]), 0);
    rpat_ptr_.assign(un + 1, 0);
    rpat_col_.clear();
    rpat_pos_.clear();
    rpat_col_.reserve(static_cast<std::size_t>(lp_[un]) - un);
    rpat_pos_.reserve(static_cast<std::size_t>(lp_[un]) - un);
    std::vector<std::int32_t> next(lp_.begin(), lp_.end() - 1), stack(un), mark(un, -1);
    for (std::int32_t k = 0; k < n_; ++k) {
        const auto uk = static_cast<std::size_t>(k);
        li_[static_cast<std::size_t>(next[uk]++)] = k; // the diagonal, first in its column
        // ereach leaves row k's pattern in topological order: every column comes after the
        // descendants whose updates it needs.
        const std::int32_t top = ereach(n_, cp_, ci_, k, parent_, stack, mark);
        for (std::int32_t t = top; t < n_; ++t) {
            const auto j = static_cast<std::size_t>(stack[static_cast<std::size_t>(t)]);
            const std::int32_t pos = next[j]++;
            li_[static_cast<std::size_t>(pos)] = k;
            rpat_col_.push_back(static_cast<std::int32_t>(j));
            rpat_pos_.push_back(pos);
        }
        rpat_ptr_[uk + 1] = static_cast<std::int32_t>(rpat_col_.size());
    }
}

void SymbolicCholesky::build_update_schedule() {
    // The left-looking factorisation visits, for each supernode j, the descendants d with rows
    // among j's pivots, in the order of a linked list that depends on the pattern alone (Ng &
    // Peyton 1993: d waits on the list of the supernode of its next row). That walk, the search
    // for the rows of d that fall on j's pivots and the map of d's rows to j's rows are done
    // here once; the numeric phase streams through the result.
    const std::size_t ns = super_.size() - 1;
    std::vector<std::int32_t> head(ns, -1), next(ns, -1), lpos(ns, 0);
    std::vector<std::int32_t> relative(static_cast<std::size_t>(n_), 0);
    update_ptr_.assign(ns + 1, 0);
    updates_.clear();
    update_rows_.clear();
    for (std::size_t j = 0; j < ns; ++j) {
        const std::int32_t l = super_[j + 1];
        const std::int32_t r0 = srow_ptr_[j], nrows = srow_ptr_[j + 1] - r0;
        for (std::int32_t r = 0; r < nrows; ++r)
            relative[static_cast<std::size_t>(srow_[static_cast<std::size_t>(r0 + r)])] = r;
        for (std::int32_t d = head[j]; d >= 0;) {
            const auto ud = static_cast<std::size_t>(d);
            const std::int32_t next_d = next[ud];
            const std::int32_t dr0 = srow_ptr_[ud], dnrows = srow_ptr_[ud + 1] - dr0;
            const std::int32_t p1 = lpos[ud]; // relative row of d's first row on j's pivots
            std::int32_t p2 = p1;
            while (p2 < dnrows && srow_[static_cast<std::size_t>(dr0 + p2)] < l)
                ++p2;
            updates_.push_back({d, p1, p2 - p1, static_cast<std::int64_t>(update_rows_.size())});
            for (std::int32_t r = p1; r < dnrows; ++r)
                update_rows_.push_back(
                    relative[static_cast<std::size_t>(srow_[static_cast<std::size_t>(dr0 + r)])]);
            lpos[ud] = p2;
            if (p2 < dnrows) {
                const auto t = static_cast<std::size_t>(
                    snode_of_[static_cast<std::size_t>(srow_[static_cast<std::size_t>(dr0 + p2)])]);
                next[ud] = head[t];
                head[t] = d;
            }
            d = next_d;
        }
        update_ptr_[j + 1] = static_cast<std::int32_t>(updates_.size());
        const std::int32_t ncols = l - super_[j];
        if (nrows > ncols) {
            const auto t = static_cast<std::size_t>(
                snode_of_[static_cast<std::size_t>(srow_[static_cast<std::size_t>(r0 + ncols)])]);
            lpos[j] = ncols;
            next[j] = head[t];
            head[t] = static_cast<std::int32_t>(j);
        }
    }
}

void SymbolicCholesky::build_rows() {
    // Both triangles by rows: column j of the upper triangle (rows i ≤ j ascending) gives row j
    // its columns up to j and each row i < j its column j. Columns are visited in ascending
    // order, so every row's columns come out ascending.
    arow_ptr_.assign(static_cast<std::size_t>(n_) + 1, 0);
    for (std::size_t p = 0; p < ci_.size(); ++p)
        ++arow_ptr_[static_cast<std::size_t>(ci_[p]) + 1];
    for (std::int32_t j = 0; j < n_; ++j)
        arow_ptr_[static_cast<std::size_t>(j) + 1] +=
            cp_[static_cast<std::size_t>(j) + 1] - cp_[static_cast<std::size_t>(j)] - 1;
    for (std::size_t k = 0; k < static_cast<std::size_t>(n_); ++k)
        arow_ptr_[k + 1] += arow_ptr_[k];
    arow_col_.assign(static_cast<std::size_t>(arow_ptr_.back()), 0);
    arow_value_.assign(arow_col_.size(), 0);
    std::vector<std::int32_t> next(arow_ptr_.begin(), arow_ptr_.end() - 1);
    for (std::int32_t j = 0; j < n_; ++j)
        for (std::int32_t p = cp_[static_cast<std::size_t>(j)];
             p < cp_[static_cast<std::size_t>(j) + 1]; ++p) {
            const std::int32_t i = ci_[static_cast<std::size_t>(p)];
            const std::int32_t value = value_of_entry_[static_cast<std::size_t>(p)];
            auto at = static_cast<std::size_t>(next[static_cast<std::size_t>(j)]++);
            arow_col_[at] = i;
            arow_value_[at] = value;
            if (i != j) {
                at = static_cast<std::size_t>(next[static_cast<std::size_t>(i)]++);
                arow_col_[at] = j;
                arow_value_[at] = value;
            }
        }
}

void SymbolicCholesky::build_parallel_layout() {
    // Geist & Ng (1989) subtree-to-processor mapping, with pieces fixed by the pattern alone
    // (never by the thread count, so the numbers never depend on it): the heaviest subtree is
    // split into its children and its root left above them, until none holds more than
    // kUnitWorkShare of the work; consecutive subtrees are then gathered into units up to that
    // share (the solves' pieces). The supernodes above (the top) form a tree of their own.
    const auto ns = static_cast<std::int32_t>(super_.size()) - 1;
    if (ns < 2 || factor_flops_ < kParallelFlops)
        return;
    const auto uns = static_cast<std::size_t>(ns);
    // Parent of each supernode, and the work of factorising it (its own dense block and the
    // updates it receives, in multiply-adds).
    std::vector<std::int32_t> sparent(uns, -1);
    std::vector<double> work(uns, 0.0);
    for (std::size_t j = 0; j < uns; ++j) {
        const std::int64_t ncols = super_[j + 1] - super_[j];
        const std::int64_t nrows = srow_ptr_[j + 1] - srow_ptr_[j];
        if (nrows > ncols)
            sparent[j] = snode_of_[static_cast<std::size_t>(
                srow_[static_cast<std::size_t>(srow_ptr_[j] + static_cast<std::int32_t>(ncols))])];
        work[j] = static_cast<double>(ncols * ncols * nrows + nrows * ncols);
        for (std::int32_t u = update_ptr_[j]; u < update_ptr_[j + 1]; ++u) {
            const Update& up = updates_[static_cast<std::size_t>(u)];
            const auto ud = static_cast<std::size_t>(up.descendant);
            const std::int64_t m = srow_ptr_[ud + 1] - srow_ptr_[ud] - up.first_row;
            work[j] += static_cast<double>(m * up.pivot_rows * (super_[ud + 1] - super_[ud]));
        }
    }
    std::vector<double> subtree_work = work, path = work;
    std::vector<std::int32_t> size(uns, 1), child_ptr(uns + 1, 0);
    double total = 0, longest = 0;
    for (std::size_t j = 0; j < uns; ++j) {
        total += work[j];
        longest = std::max(longest, path[j]);
        if (sparent[j] >= 0) { // children come before their parent
            const auto p = static_cast<std::size_t>(sparent[j]);
            subtree_work[p] += subtree_work[j];
            path[p] = std::max(path[p], work[p] + path[j]);
            size[p] += size[j];
            ++child_ptr[p + 1];
        }
    }
    for (std::size_t j = 0; j < uns; ++j)
        child_ptr[j + 1] += child_ptr[j];
    std::vector<std::int32_t> children(static_cast<std::size_t>(child_ptr[uns]));
    {
        std::vector<std::int32_t> next(child_ptr.begin(), child_ptr.end() - 1);
        for (std::size_t j = 0; j < uns; ++j)
            if (sparent[j] >= 0)
                children[static_cast<std::size_t>(next[static_cast<std::size_t>(sparent[j])]++)] =
                    static_cast<std::int32_t>(j);
    }
    const double limit = total * kUnitWorkShare;
    // Heaviest first; ties by index, so the split is the same everywhere.
    const auto lighter = [&](std::int32_t a, std::int32_t b) {
        const double wa = subtree_work[static_cast<std::size_t>(a)];
        const double wb = subtree_work[static_cast<std::size_t>(b)];
        return wa < wb || (wa == wb && a > b);
    };
    std::vector<std::int32_t> heap, kept;
    for (std::int32_t j = 0; j < ns; ++j)
        if (sparent[static_cast<std::size_t>(j)] < 0)
            heap.push_back(j);
    std::make_heap(heap.begin(), heap.end(), lighter);
    std::vector<char> is_top(uns, 0);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), lighter);
        const std::int32_t j = heap.back();
        heap.pop_back();
        const auto uj = static_cast<std::size_t>(j);
        if (subtree_work[uj] <= limit || child_ptr[uj] == child_ptr[uj + 1]) {
            kept.push_back(j);
            continue;
        }
        is_top[uj] = 1;
        for (std::int32_t c = child_ptr[uj]; c < child_ptr[uj + 1]; ++c) {
            heap.push_back(children[static_cast<std::size_t>(c)]);
            std::push_heap(heap.begin(), heap.end(), lighter);
        }
    }
    std::sort(kept.begin(), kept.end());
    if (kept.size() < 2)
        return; // one piece
    std::vector<std::int32_t> subtree_of_root(uns, -1);
    unit_ptr_.assign(1, 0);
    double unit_work = 0;
    for (const std::int32_t root : kept) {
        const double w = subtree_work[static_cast<std::size_t>(root)];
        if (unit_work > 0 && unit_work + w > limit) {
            unit_ptr_.push_back(static_cast<std::int32_t>(subtrees_.size()));
            unit_work = 0;
        }
        subtree_of_root[static_cast<std::size_t>(root)] =
            static_cast<std::int32_t>(subtrees_.size());
        subtrees_.push_back({root - size[static_cast<std::size_t>(root)] + 1, root});
        unit_work += w;
    }
    unit_ptr_.push_back(static_cast<std::int32_t>(subtrees_.size()));
    // The top: its columns, and its tree of tasks.
    std::vector<std::int32_t> top_pos(uns, -1);
    top_index_.assign(static_cast<std::size_t>(n_), -1);
    double top_work = 0;
    for (std::size_t j = 0; j < uns; ++j)
        if (is_top[j] != 0) {
            top_pos[j] = static_cast<std::int32_t>(top_.size());
            top_.push_back(static_cast<std::int32_t>(j));
            top_work += work[j];
            for (std::int32_t c = super_[j]; c < super_[j + 1]; ++c) {
                top_index_[static_cast<std::size_t>(c)] =
                    static_cast<std::int32_t>(top_column_.size());
                top_column_.push_back(c);
            }
        }
    const auto item_of = [&](std::int32_t j) {
        const auto uj = static_cast<std::size_t>(j);
        return is_top[uj] != 0 ? top_pos[uj] : -1 - subtree_of_root[uj];
    };
    top_item_ptr_.assign(1, 0);
    for (const std::int32_t t : top_) {
        const auto ut = static_cast<std::size_t>(t);
        for (std::int32_t c = child_ptr[ut]; c < child_ptr[ut + 1]; ++c)
            top_items_.push_back(item_of(children[static_cast<std::size_t>(c)]));
        top_item_ptr_.push_back(static_cast<std::int32_t>(top_items_.size()));
    }
    for (std::int32_t j = 0; j < ns; ++j)
        if (sparent[static_cast<std::size_t>(j)] < 0)
            root_items_.push_back(item_of(j));
    top_work_share_ = top_work / total;
    critical_path_share_ = longest / total;
    build_rows();
    unit_gather_.assign(1, 0);
    for (std::size_t u = 0; u + 1 < unit_ptr_.size(); ++u) {
        std::int64_t widest = 0;
        for (std::int32_t t = unit_ptr_[u]; t < unit_ptr_[u + 1]; ++t)
            for (std::int32_t j = subtrees_[static_cast<std::size_t>(t)].first;
                 j <= subtrees_[static_cast<std::size_t>(t)].root; ++j) {
                const auto uj = static_cast<std::size_t>(j);
                widest = std::max<std::int64_t>(widest, (srow_ptr_[uj + 1] - srow_ptr_[uj]) -
                                                            (super_[uj + 1] - super_[uj]));
            }
        unit_gather_.push_back(unit_gather_.back() + widest);
    }
}

std::int32_t SymbolicCholesky::position(std::int32_t i, std::int32_t j) const {
    std::int32_t pi = pinv_[static_cast<std::size_t>(i)];
    std::int32_t pj = pinv_[static_cast<std::size_t>(j)];
    if (pi > pj)
        std::swap(pi, pj);
    const auto b = ci_.begin() + cp_[static_cast<std::size_t>(pj)];
    const auto e = ci_.begin() + cp_[static_cast<std::size_t>(pj) + 1];
    const auto it = std::lower_bound(b, e, pi);
    if (it == e || *it != pi)
        return -1;
    return value_of_entry_[static_cast<std::size_t>(it - ci_.begin())];
}

NumericCholesky::NumericCholesky(const SymbolicCholesky& s)
    : ax_(static_cast<std::size_t>(s.value_count_), 0.0),
      lx_(!s.peel_.empty()
              ? 3 * s.peel_.size()
              : static_cast<std::size_t>(s.kernel_ == SymbolicCholesky::Kernel::kSimplicial
                                             ? s.lp_.back()
                                             : s.sval_ptr_.back()),
          0.0),
      work_(static_cast<std::size_t>(s.n_) + (s.peel_.empty() ? 0 : 1), 0.0),
      rhs_(static_cast<std::size_t>(s.n_), 0.0), res_(static_cast<std::size_t>(s.n_), 0.0),
      scale_(static_cast<std::size_t>(s.n_), 0.0),
      top_sums_(s.unit_ptr_.empty() ? 0 : (s.unit_ptr_.size() - 1) * s.top_column_.size()),
      bad_row_(s.unit_ptr_.empty() ? 0 : s.super_.size() - 1, -1),
      gather_(static_cast<std::size_t>(s.n_) +
                  static_cast<std::size_t>(s.unit_gather_.empty() ? 0 : s.unit_gather_.back()),
              0.0) {
    if (!s.peel_.empty()) {
        core_num_.emplace_back(s.core_[0]);
        core_num_[0].ax_.resize(ax_.size(), 0.0);
    }
}

std::int32_t NumericCholesky::factor(const SymbolicCholesky& s) {
    if (!s.peel_.empty())
        return factor_peeled(s);
    if (s.kernel_ == SymbolicCholesky::Kernel::kSimplicial)
        return factor_simplicial(s);
    return s.unit_ptr_.empty() ? factor_supernodal(s) : factor_pieces(s);
}

std::int32_t NumericCholesky::factor_peeled(const SymbolicCholesky& s) {
    // The peeled nodes one by one (L D Lᵀ; each column of L has at most two entries below the
    // diagonal), their updates into the values of the nodes after them, on a copy of the values
    // (the caller's stay as they are, for the residual); then the core from the updated values.
    NumericCholesky& core = core_num_[0];
    double* w = core.ax_.data();
    std::copy(ax_.begin(), ax_.end(), core.ax_.begin());
    for (const std::int32_t p : s.peel_zero_)
        w[static_cast<std::size_t>(p)] = 0.0;
    const auto np = s.peel_.size();
    const double* v = w + s.peel_base_;
    double* l = lx_.data();
    for (std::size_t t = 0; t < np; ++t, v += 3, l += 3) {
        const double d = v[0];
        if (!(d > 0) || !std::isfinite(d))
            return s.perm_[t];
        const SymbolicCholesky::PeelStep& st = s.peel_[t];
        const double inv = 1.0 / d;
        const double l0 = v[1] * inv, l1 = v[2] * inv;
        w[st.diag0] -= l0 * v[1];
        w[st.diag1] -= l1 * v[2];
        w[st.between] -= l0 * v[2];
        l[0] = inv;
        l[1] = l0;
        l[2] = l1;
    }
    const std::int32_t bad = core.factor(s.core_[0]);
    return bad >= 0 ? s.core_nodes_[static_cast<std::size_t>(bad)] : -1;
}

void NumericCholesky::solve_peeled(const SymbolicCholesky& s) {
    // work_ holds P b (peeled pivots first); work_[n] is the scratch row of missing neighbours.
    const auto np = s.peel_.size();
    const auto n = static_cast<std::size_t>(s.n_);
    double* y = work_.data();
    const double* l = lx_.data();
    // A zero y_t changes nothing (the same bits skipped): a right-hand side with few nonzeros
    // (a unit vector) goes through the forward substitution by its path alone.
    for (std::size_t t = 0; t < np; ++t, l += 3) {
        const double yt = y[t];
        if (yt == 0.0)
            continue;
        const SymbolicCholesky::PeelStep& st = s.peel_[t];
        y[st.row0] -= l[1] * yt;
        y[st.row1] -= l[2] * yt;
    }
    y[n] = 0.0;
    NumericCholesky& core = core_num_[0];
    std::copy(y + np, y + n, core.work_.begin());
    core.solve_permuted(s.core_[0]);
    std::copy(core.work_.begin(), core.work_.begin() + static_cast<std::ptrdiff_t>(n - np), y + np);
    for (std::size_t t = np; t-- > 0;) {
        l -= 3;
        const SymbolicCholesky::PeelStep& st = s.peel_[t];
        y[t] = y[t] * l[0] - l[1] * y[st.row0] - l[2] * y[st.row1];
    }
}

std::int32_t NumericCholesky::factor_simplicial(const SymbolicCholesky& s) {
    // Up-looking L D Lᵀ (Davis 2006, cs_chol and LDL): row k of the unit triangle L from the
    // rows above it, solving L(0:k, 0:k) D y = A(0:k, k) over the pattern of row k in the
    // topological order stored by the symbolic phase; gather_ (which the simplicial solve does
    // not use) holds the sparse right-hand side and is all zero between rows. L D Lᵀ rather than
    // L Lᵀ: one division per row instead of a square root and a division, and on chains of
    // dependent pivots (most of a water network) their latency is most of the time.
    const auto n = static_cast<std::size_t>(s.n_);
    double* x = gather_.data();
    double* lx = lx_.data();
    const std::int32_t* li = s.li_.data();
    const std::int32_t* lp = s.lp_.data();
    for (std::size_t k = 0; k < n; ++k) {
        double d = 0;
        for (auto p = static_cast<std::size_t>(s.cp_[k]);
             p < static_cast<std::size_t>(s.cp_[k + 1]); ++p) {
            const auto i = static_cast<std::size_t>(s.ci_[p]);
            const double v = ax_[static_cast<std::size_t>(s.value_of_entry_[p])];
            if (i == k)
                d = v;
            else
                x[i] = v;
        }
        for (std::int32_t t = s.rpat_ptr_[k]; t < s.rpat_ptr_[k + 1]; ++t) {
            const auto j = static_cast<std::size_t>(s.rpat_col_[static_cast<std::size_t>(t)]);
            const std::int32_t pos = s.rpat_pos_[static_cast<std::size_t>(t)];
            const double yj = x[j]; // (D L(k, :)ᵀ)_j
            x[j] = 0;
            for (std::int32_t p = lp[j] + 1; p < pos; ++p)
                x[li[p]] -= lx[p] * yj;
            const double lkj = yj * lx[lp[j]]; // the diagonal slot holds 1/D(j)
            d -= lkj * yj;
            lx[pos] = lkj;
        }
        if (!(d > 0) || !std::isfinite(d))
            return s.perm_[k]; // x is zero again: row k's entries were all consumed
        lx[lp[k]] = 1.0 / d;
    }
    return -1;
}

std::int32_t NumericCholesky::factor_supernodal(const SymbolicCholesky& s) {
    const auto ns = static_cast<std::int32_t>(s.super_.size()) - 1;
    for (std::int32_t j = 0; j < ns; ++j) {
        const std::int32_t bad = factor_supernode(s, j);
        if (bad >= 0)
            return bad;
    }
    return -1;
}

std::int32_t NumericCholesky::factor_pieces(const SymbolicCholesky& s) {
    // The subtrees and the top's supernodes as a tree of tasks, each run once the items it
    // waits on are done: every supernode gets the same updates in the same order as in
    // factor_supernodal, whichever thread runs it, so the factor is the same bit for bit. The
    // result is the first failing supernode's row, as factor_supernodal returns it: supernodes
    // after a known failure are skipped, those before it all run.
    const auto ns = static_cast<std::int32_t>(s.super_.size()) - 1;
    std::atomic<std::int32_t> first_bad{ns};
    parallel_for(s.root_items_.size(),
                 [&](std::size_t i) { factor_item(s, s.root_items_[i], first_bad); });
    const std::int32_t bad = first_bad.load();
    return bad < ns ? bad_row_[static_cast<std::size_t>(bad)] : -1;
}

void NumericCholesky::factor_item(const SymbolicCholesky& s, std::int32_t item,
                                  std::atomic<std::int32_t>& first_bad) {
    const auto fail = [&](std::int32_t j, std::int32_t row) {
        bad_row_[static_cast<std::size_t>(j)] = row;
        std::int32_t seen = first_bad.load();
        while (j < seen && !first_bad.compare_exchange_weak(seen, j)) {
        }
    };
    if (item < 0) {
        const SymbolicCholesky::Subtree& t = s.subtrees_[static_cast<std::size_t>(-1 - item)];
        for (std::int32_t j = t.first; j <= t.root && j < first_bad.load(); ++j) {
            const std::int32_t bad = factor_supernode(s, j);
            if (bad >= 0) {
                fail(j, bad);
                return;
            }
        }
        return;
    }
    const auto i = static_cast<std::size_t>(item);
    const std::int32_t b = s.top_item_ptr_[i], e = s.top_item_ptr_[i + 1];
    parallel_for(static_cast<std::size_t>(e - b), [&](std::size_t c) {
        factor_item(s, s.top_items_[static_cast<std::size_t>(b) + c], first_bad);
    });
    const std::int32_t j = s.top_[i];
    if (j < first_bad.load()) {
        // The top's wide supernodes are updated a range of columns per task.
        const std::int32_t width =
            s.super_[static_cast<std::size_t>(j) + 1] - s.super_[static_cast<std::size_t>(j)];
        const std::int32_t bad =
            factor_supernode(s, j, std::min(kColumnParts, width / kPartColumns));
        if (bad >= 0)
            fail(j, bad);
    }
}

std::int32_t NumericCholesky::factor_supernode(const SymbolicCholesky& s, std::int32_t j,
                                               std::int32_t parts) {
    // Left-looking supernodal Cholesky (Ng & Peyton 1993; CHOLMOD's scheme, Chen, Davis, Hager &
    // Rajamanickam 2008): the updates of every descendant that has rows among the supernode's
    // pivots, computed as dense products, are subtracted; then the dense diagonal block is
    // factorised and the rows below it solved. All in a fixed order: deterministic.
    const auto uj = static_cast<std::size_t>(j);
    const std::int32_t f = s.super_[uj], l = s.super_[uj + 1], ncols = l - f;
    const std::int32_t nrows = s.srow_ptr_[uj + 1] - s.srow_ptr_[uj];
    double* lj = lx_.data() + s.sval_ptr_[uj];
    // L_j starts as the columns of A it holds, zero elsewhere.
    std::fill(lj, lx_.data() + s.sval_ptr_[uj + 1], 0.0);
    for (std::int32_t t = s.aptr_[uj]; t < s.aptr_[uj + 1]; ++t)
        lx_[static_cast<std::size_t>(s.amap_[static_cast<std::size_t>(t)])] =
            ax_[static_cast<std::size_t>(t)];
    // Updates from descendants d, in the schedule's order:
    // L_j -= L_d(rows ≥ f, :) · L_d(rows in [f, l), :)ᵀ.
    // With `parts` > 1, the columns of L_j are cut into that many ranges updated side by side,
    // each by every descendant in the schedule's order: each entry gets the same sums in the
    // same order (the kernel sums each entry over the descendant's columns alone), so the same
    // bits.
    const auto update_columns = [&](std::int32_t c0, std::int32_t c1) {
        for (std::int32_t u = s.update_ptr_[uj]; u < s.update_ptr_[uj + 1]; ++u) {
            const SymbolicCholesky::Update& up = s.updates_[static_cast<std::size_t>(u)];
            const auto ud = static_cast<std::size_t>(up.descendant);
            const std::int32_t dnrows = s.srow_ptr_[ud + 1] - s.srow_ptr_[ud];
            const std::int32_t dncols = s.super_[ud + 1] - s.super_[ud];
            const std::int32_t* rel = s.update_rows_.data() + up.rows;
            // The descendant's rows on L_j's pivots map to L_j's columns, ascending.
            const auto qa =
                static_cast<std::int32_t>(std::lower_bound(rel, rel + up.pivot_rows, c0) - rel);
            const auto qb = static_cast<std::int32_t>(
                std::lower_bound(rel + qa, rel + up.pivot_rows, c1) - rel);
            if (qa < qb)
                lower_update_scattered(lx_.data() + s.sval_ptr_[ud] + up.first_row + qa, dnrows,
                                       dnrows - up.first_row - qa, qb - qa, dncols, lj, nrows,
                                       rel + qa);
        }
    };
    if (parts > 1)
        parallel_for(static_cast<std::size_t>(parts), [&](std::size_t p) {
            const auto ip = static_cast<std::int32_t>(p);
            update_columns(ip * ncols / parts, (ip + 1) * ncols / parts);
        });
    else
        update_columns(0, ncols);
    // Dense Cholesky of the diagonal block and solve of the rows below, in panels of four
    // columns: each panel is first updated by all columns left of it (the blocked kernel),
    // then its own columns are finished one by one.
    for (std::int32_t q0 = 0; q0 < ncols; q0 += 4) {
        const std::int32_t w = std::min<std::int32_t>(4, ncols - q0);
        lower_update(lj + q0, nrows, nrows - q0, w, q0,
                     lj + static_cast<std::ptrdiff_t>(q0) * nrows + q0, nrows);
        for (std::int32_t q = q0; q < q0 + w; ++q) {
            double* cq = lj + static_cast<std::ptrdiff_t>(q) * nrows;
            for (std::int32_t t = q0; t < q; ++t) {
                const double* ct = lj + static_cast<std::ptrdiff_t>(t) * nrows;
                const double a = ct[q];
                for (std::int32_t r = q; r < nrows; ++r)
                    cq[r] -= ct[r] * a;
            }
            const double dq = cq[q];
            if (!(dq > 0) || !std::isfinite(dq))
                return s.perm_[static_cast<std::size_t>(f + q)];
            const double root = std::sqrt(dq);
            const double inverse = 1.0 / root;
            cq[q] = root;
            for (std::int32_t r = q + 1; r < nrows; ++r)
                cq[r] *= inverse;
        }
    }
    return -1;
}

void NumericCholesky::solve(const SymbolicCholesky& s, std::vector<double>& b) {
    const auto n = static_cast<std::size_t>(s.n_);
    check_pending_ = false;
    if (!s.arow_ptr_.empty()) { // a large factor: the permutations side by side
        parallel_for_chunks(
            n,
            [&](std::size_t k0, std::size_t k1) {
                for (std::size_t k = k0; k < k1; ++k)
                    work_[k] = b[static_cast<std::size_t>(s.perm_[k])];
            },
            kRowChunk);
        if (s.peel_.empty())
            solve_pieces(s);
        else
            solve_peeled(s);
        parallel_for_chunks(
            n,
            [&](std::size_t k0, std::size_t k1) {
                for (std::size_t k = k0; k < k1; ++k)
                    b[static_cast<std::size_t>(s.perm_[k])] = work_[k];
            },
            kRowChunk);
        return;
    }
    if (!s.peel_.empty()) {
        for (std::size_t k = 0; k < n; ++k)
            work_[k] = b[static_cast<std::size_t>(s.perm_[k])];
        solve_peeled(s);
        for (std::size_t k = 0; k < n; ++k)
            b[static_cast<std::size_t>(s.perm_[k])] = work_[k];
        return;
    }
    for (std::size_t k = 0; k < n; ++k)
        work_[k] = b[static_cast<std::size_t>(s.perm_[k])];
    solve_permuted(s);
    for (std::size_t k = 0; k < n; ++k)
        b[static_cast<std::size_t>(s.perm_[k])] = work_[k];
}

void NumericCholesky::solve_unit(const SymbolicCholesky& s, std::int32_t row,
                                 std::vector<double>& x) {
    const auto n = static_cast<std::size_t>(s.n_);
    x.resize(n);
    if (!s.arow_ptr_.empty() ||
        (s.peel_.empty() && s.kernel_ != SymbolicCholesky::Kernel::kSimplicial)) {
        std::fill(x.begin(), x.end(), 0.0);
        x[static_cast<std::size_t>(row)] = 1.0;
        solve(s, x);
        return;
    }
    check_pending_ = false;
    std::fill(work_.begin(), work_.begin() + static_cast<std::ptrdiff_t>(n), 0.0);
    work_[static_cast<std::size_t>(s.pinv_[static_cast<std::size_t>(row)])] = 1.0;
    if (s.peel_.empty())
        solve_simplicial(s);
    else
        solve_peeled(s);
    for (std::size_t k = 0; k < n; ++k)
        x[static_cast<std::size_t>(s.perm_[k])] = work_[k];
}

void NumericCholesky::solve_permuted(const SymbolicCholesky& s) {
    if (!s.unit_ptr_.empty())
        solve_pieces(s);
    else if (s.kernel_ == SymbolicCholesky::Kernel::kSimplicial)
        solve_simplicial(s);
    else
        solve_supernodal(s);
}

void NumericCholesky::solve_simplicial(const SymbolicCholesky& s) {
    const auto n = static_cast<std::size_t>(s.n_);
    double* y = work_.data();
    const double* lx = lx_.data();
    const std::int32_t* li = s.li_.data();
    const std::int32_t* lp = s.lp_.data();
    // L y = P b by columns (unit diagonal), y ← D⁻¹ y, then Lᵀ z = y by columns of L, backwards.
    // A zero y_j is skipped (as in solve_peeled).
    for (std::size_t j = 0; j < n; ++j) {
        const double yj = y[j];
        if (yj == 0.0)
            continue;
        for (std::int32_t p = lp[j] + 1; p < lp[j + 1]; ++p)
            y[li[p]] -= lx[p] * yj;
        y[j] = yj * lx[lp[j]]; // 1/D(j)
    }
    for (std::size_t j = n; j-- > 0;) {
        double v = y[j];
        for (std::int32_t p = lp[j] + 1; p < lp[j + 1]; ++p)
            v -= lx[p] * y[li[p]];
        y[j] = v;
    }
}

void NumericCholesky::solve_supernodal(const SymbolicCholesky& s) {
    const auto ns = static_cast<std::int32_t>(s.super_.size()) - 1;
    // L y = P b, supernode by supernode, then Lᵀ z = y backwards.
    for (std::int32_t j = 0; j < ns; ++j)
        forward_supernode<false>(s, j, gather_.data(), s.n_, nullptr);
    for (std::int32_t j = ns; j-- > 0;)
        backward_supernode(s, j, gather_.data());
}

void NumericCholesky::solve_pieces(const SymbolicCholesky& s) {
    // Forward: each unit's subtrees side by side, their sums into the top's rows kept per unit
    // and added in unit order (so the same whatever thread ran which unit), then the top in
    // order. Backward: the top, then the units side by side (they only read the top's rows).
    const std::size_t units = s.unit_ptr_.size() - 1;
    const std::size_t top_columns = s.top_column_.size();
    const auto n = static_cast<std::size_t>(s.n_);
    parallel_for(units, [&](std::size_t u) {
        double* sums = top_sums_.data() + u * top_columns;
        std::fill(sums, sums + top_columns, 0.0);
        double* below = gather_.data() + n + s.unit_gather_[u];
        for (std::int32_t t = s.unit_ptr_[u]; t < s.unit_ptr_[u + 1]; ++t) {
            const SymbolicCholesky::Subtree& st = s.subtrees_[static_cast<std::size_t>(t)];
            const std::int32_t split = s.super_[static_cast<std::size_t>(st.root) + 1];
            for (std::int32_t j = st.first; j <= st.root; ++j)
                forward_supernode<true>(s, j, below, split, sums);
        }
    });
    for (std::size_t u = 0; u < units; ++u) {
        const double* sums = top_sums_.data() + u * top_columns;
        for (std::size_t c = 0; c < top_columns; ++c)
            work_[static_cast<std::size_t>(s.top_column_[c])] += sums[c];
    }
    for (const std::int32_t j : s.top_)
        forward_supernode<false>(s, j, gather_.data(), s.n_, nullptr);
    for (auto it = s.top_.rbegin(); it != s.top_.rend(); ++it)
        backward_supernode(s, *it, gather_.data());
    parallel_for(units, [&](std::size_t u) {
        double* below = gather_.data() + n + s.unit_gather_[u];
        for (std::int32_t t = s.unit_ptr_[u]; t < s.unit_ptr_[u + 1]; ++t) {
            const SymbolicCholesky::Subtree& st = s.subtrees_[static_cast<std::size_t>(t)];
            for (std::int32_t j = st.root; j >= st.first; --j)
                backward_supernode(s, j, below);
        }
    });
}

template <bool kSplit>
void NumericCholesky::forward_supernode(const SymbolicCholesky& s, std::int32_t j, double* below,
                                        std::int32_t split, double* top) {
    const auto [f, ncols, nrows, rows, lj] = block(s, j);
    double* y = work_.data() + f;
    // The rows below the pivots are gathered into a contiguous buffer, updated column by
    // column there and scattered back once: each entry gets the same subtractions in the
    // same order as when updated in place, so the result is the same bit for bit. Rows
    // from `split` on (kSplit) go to the top's sums instead.
    const std::int32_t nbelow = nrows - ncols;
    const auto slot = [&](std::int32_t r) -> double& {
        const auto row = static_cast<std::size_t>(rows[ncols + r]);
        if constexpr (kSplit)
            if (rows[ncols + r] >= split)
                return top[static_cast<std::size_t>(s.top_index_[row])];
        return work_[row];
    };
    for (std::int32_t r = 0; r < nbelow; ++r)
        below[r] = slot(r);
    for (std::int32_t q = 0; q < ncols; ++q) {
        const double* cq = lj + static_cast<std::ptrdiff_t>(q) * nrows;
        const double yq = y[q] / cq[q];
        y[q] = yq;
        for (std::int32_t r = q + 1; r < ncols; ++r)
            y[r] -= cq[r] * yq;
        const double* lq = cq + ncols;
        for (std::int32_t r = 0; r < nbelow; ++r)
            below[r] -= lq[r] * yq;
    }
    for (std::int32_t r = 0; r < nbelow; ++r)
        slot(r) = below[r];
}

NumericCholesky::Block NumericCholesky::block(const SymbolicCholesky& s, std::int32_t j) const {
    const auto uj = static_cast<std::size_t>(j);
    return {s.super_[uj], s.super_[uj + 1] - s.super_[uj], s.srow_ptr_[uj + 1] - s.srow_ptr_[uj],
            s.srow_.data() + s.srow_ptr_[uj], lx_.data() + s.sval_ptr_[uj]};
}

void NumericCholesky::backward_supernode(const SymbolicCholesky& s, std::int32_t j, double* below) {
    const auto [f, ncols, nrows, rows, lj] = block(s, j);
    double* z = work_.data() + f;
    // The solved entries below, gathered once for all the supernode's columns; their part of
    // each column's sum first, four columns at a time (four independent sums in flight rather
    // than one chain of dependent additions), then the diagonal block's part, last column first.
    const std::int32_t nbelow = nrows - ncols;
    for (std::int32_t r = 0; r < nbelow; ++r)
        below[r] = work_[static_cast<std::size_t>(rows[ncols + r])];
    std::int32_t q = 0;
    for (; q + 4 <= ncols; q += 4) {
        const double* l0 = lj + static_cast<std::ptrdiff_t>(q) * nrows + ncols;
        const double* l1 = l0 + nrows;
        const double* l2 = l1 + nrows;
        const double* l3 = l2 + nrows;
        double v0 = z[q], v1 = z[q + 1], v2 = z[q + 2], v3 = z[q + 3];
        for (std::int32_t r = 0; r < nbelow; ++r) {
            const double b = below[r];
            v0 -= l0[r] * b;
            v1 -= l1[r] * b;
            v2 -= l2[r] * b;
            v3 -= l3[r] * b;
        }
        z[q] = v0;
        z[q + 1] = v1;
        z[q + 2] = v2;
        z[q + 3] = v3;
    }
    for (; q < ncols; ++q) {
        const double* lq = lj + static_cast<std::ptrdiff_t>(q) * nrows + ncols;
        double v = z[q];
        for (std::int32_t r = 0; r < nbelow; ++r)
            v -= lq[r] * below[r];
        z[q] = v;
    }
    for (q = ncols; q-- > 0;) {
        const double* cq = lj + static_cast<std::ptrdiff_t>(q) * nrows;
        double v = z[q];
        for (std::int32_t r = q + 1; r < ncols; ++r)
            v -= cq[r] * z[r];
        z[q] = v / cq[q];
    }
}

void NumericCholesky::solve_refined(const SymbolicCholesky& s, std::vector<double>& b) {
    const auto n = static_cast<std::size_t>(s.n_);
    std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n), rhs_.begin());
    solve(s, b);
    if (!backward_error_too_large(s))
        return;
    for (std::size_t k = 0; k < n; ++k)
        rhs_[static_cast<std::size_t>(s.perm_[k])] = res_[k];
    solve(s, rhs_);
    for (std::size_t k = 0; k < n; ++k)
        b[k] += rhs_[k];
}

void NumericCholesky::solve_checkable(const SymbolicCholesky& s, std::vector<double>& b) {
    std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(s.n_), rhs_.begin());
    solve(s, b);
    check_pending_ = true;
}

bool NumericCholesky::refinement_needed(const SymbolicCholesky& s) {
    if (!check_pending_)
        return false;
    check_pending_ = false;
    return backward_error_too_large(s);
}

bool NumericCholesky::backward_error_too_large(const SymbolicCholesky& s) {
    const auto n = static_cast<std::size_t>(s.n_);
    bool refine = false;
    if (!s.arow_ptr_.empty()) {
        // Large factors: the same measure row by row from both triangles, side by side (each
        // row's sums in ascending column order; whether to refine does not depend on the order
        // in which the rows are seen).
        std::atomic<bool> any{false};
        parallel_for_chunks(
            n,
            [&](std::size_t k0, std::size_t k1) {
                bool found = false;
                for (std::size_t k = k0; k < k1; ++k) {
                    double r = rhs_[static_cast<std::size_t>(s.perm_[k])];
                    double scale = std::fabs(r);
                    for (auto p = static_cast<std::size_t>(s.arow_ptr_[k]);
                         p < static_cast<std::size_t>(s.arow_ptr_[k + 1]); ++p) {
                        const double a = ax_[static_cast<std::size_t>(s.arow_value_[p])] *
                                         work_[static_cast<std::size_t>(s.arow_col_[p])];
                        r -= a;
                        scale += std::fabs(a);
                    }
                    res_[k] = r;
                    found = found || std::fabs(r) > kRefineBackwardError * scale;
                }
                if (found)
                    any = true;
            },
            kRowChunk);
        refine = any.load();
    } else {
        refine = residual_needs_refinement(s);
    }
    return refine;
}

bool NumericCholesky::residual_needs_refinement(const SymbolicCholesky& s) {
    const auto n = static_cast<std::size_t>(s.n_);
    // r = b − A x in the permuted numbering, from the upper triangle of C = P A Pᵀ, with the
    // scale |b| + |A|·|x| of each row for the componentwise backward error (Oettli & Prager 1964;
    // LAPACK's xPORFS refines on the same measure).
    for (std::size_t k = 0; k < n; ++k) {
        res_[k] = rhs_[static_cast<std::size_t>(s.perm_[k])];
        scale_[k] = std::fabs(res_[k]);
    }
    // By columns of the upper triangle, as the sums have always been taken (the refinement's
    // decision and its result depend on their round-off); solve() leaves P x in work_. Row j's
    // own sums are carried in registers through column j: the same operations in the same
    // order, without the store and reload per entry that the compiler must keep (i may be j).
    for (std::size_t j = 0; j < n; ++j) {
        const double xj = work_[j];
        double rj = res_[j], sj = scale_[j];
        for (auto p = static_cast<std::size_t>(s.cp_[j]);
             p < static_cast<std::size_t>(s.cp_[j + 1]); ++p) {
            const auto i = static_cast<std::size_t>(s.ci_[p]);
            const double aij = ax_[static_cast<std::size_t>(s.value_of_entry_[p])];
            const double aij_xj = aij * xj;
            if (i != j) {
                res_[i] -= aij_xj;
                scale_[i] += std::fabs(aij_xj);
                const double aij_xi = aij * work_[i];
                rj -= aij_xi;
                sj += std::fabs(aij_xi);
            } else {
                rj -= aij_xj;
                sj += std::fabs(aij_xj);
            }
        }
        res_[j] = rj;
        scale_[j] = sj;
    }
    // The second solve only pays where some row is far from its round-off: a row whose
    // conductances are 1e8 times its neighbours' has a backward error of ~1e8 ε after one solve;
    // a well-scaled system is at a few ε and is left as it is. |r_k| / s_k > 64 ε is tested as
    // |r_k| > 64 ε · s_k (64 ε is a power of two, so the product is exact): no division per row.
    for (std::size_t k = 0; k < n; ++k)
        if (std::fabs(res_[k]) > kRefineBackwardError * scale_[k])
            return true;
    return false;
}

} // namespace rencheng::water
