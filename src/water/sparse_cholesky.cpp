// Sparse Cholesky: minimum-degree ordering, elimination tree, up-looking numeric factorisation.
#include "water/sparse_cholesky.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <set>

namespace rencheng::water {

namespace {

/// Minimum-degree ordering on the explicit elimination graph (Tinney & Walker 1967, scheme 2):
/// repeatedly eliminate a node of least current degree and join its neighbours into a clique.
/// Ties go to the lowest index so the ordering is deterministic.
std::vector<std::int32_t> minimum_degree(std::int32_t n,
                                         std::vector<std::vector<std::int32_t>> adj) {
    std::vector<std::int32_t> order;
    order.reserve(static_cast<std::size_t>(n));
    std::vector<std::uint8_t> done(static_cast<std::size_t>(n), 0);
    std::set<std::pair<std::int32_t, std::int32_t>> queue;
    for (std::int32_t i = 0; i < n; ++i)
        queue.emplace(static_cast<std::int32_t>(adj[static_cast<std::size_t>(i)].size()), i);
    std::vector<std::int32_t> merged;
    while (!queue.empty()) {
        const auto [deg, v] = *queue.begin();
        queue.erase(queue.begin());
        const auto vi = static_cast<std::size_t>(v);
        done[vi] = 1;
        order.push_back(v);
        const auto nb = adj[vi];
        for (const std::int32_t u : nb) {
            const auto ui = static_cast<std::size_t>(u);
            auto& au = adj[ui];
            queue.erase({static_cast<std::int32_t>(au.size()), u});
            merged.clear();
            std::set_union(au.begin(), au.end(), nb.begin(), nb.end(), std::back_inserter(merged));
            merged.erase(std::remove_if(merged.begin(), merged.end(),
                                        [&](std::int32_t w) { return w == u || w == v; }),
                         merged.end());
            au.assign(merged.begin(), merged.end());
            queue.emplace(static_cast<std::int32_t>(au.size()), u);
        }
        adj[vi].clear();
    }
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

} // namespace

SymbolicCholesky::SymbolicCholesky(std::int32_t n,
                                   const std::vector<std::pair<std::int32_t, std::int32_t>>& edges)
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
    perm_ = minimum_degree(n, adj);
    pinv_.assign(un, 0);
    for (std::int32_t k = 0; k < n; ++k)
        pinv_[static_cast<std::size_t>(perm_[static_cast<std::size_t>(k)])] = k;

    // Upper triangle of C = P A Pᵀ by columns: column j holds rows i <= j, diagonal included.
    std::vector<std::vector<std::int32_t>> cols(un);
    for (std::int32_t i = 0; i < n; ++i) {
        const std::int32_t pi = pinv_[static_cast<std::size_t>(i)];
        cols[static_cast<std::size_t>(pi)].push_back(pi);
        for (const std::int32_t j : adj[static_cast<std::size_t>(i)]) {
            const std::int32_t pj = pinv_[static_cast<std::size_t>(j)];
            if (pi < pj)
                cols[static_cast<std::size_t>(pj)].push_back(pi);
        }
    }
    cp_.assign(un + 1, 0);
    for (std::size_t j = 0; j < un; ++j) {
        std::sort(cols[j].begin(), cols[j].end());
        cp_[j + 1] = cp_[j] + static_cast<std::int32_t>(cols[j].size());
    }
    ci_.reserve(static_cast<std::size_t>(cp_[un]));
    for (const auto& c : cols)
        ci_.insert(ci_.end(), c.begin(), c.end());
    diag_pos_.assign(un, -1);
    for (std::int32_t i = 0; i < n; ++i)
        diag_pos_[static_cast<std::size_t>(i)] = position(i, i);

    // Elimination tree (Liu 1986) with path compression through `ancestor`.
    parent_.assign(un, -1);
    std::vector<std::int32_t> ancestor(un, -1);
    for (std::int32_t k = 0; k < n; ++k) {
        for (std::int32_t p = cp_[static_cast<std::size_t>(k)];
             p < cp_[static_cast<std::size_t>(k) + 1]; ++p) {
            std::int32_t i = ci_[static_cast<std::size_t>(p)];
            while (i != -1 && i < k) {
                const std::int32_t next = ancestor[static_cast<std::size_t>(i)];
                ancestor[static_cast<std::size_t>(i)] = k;
                if (next == -1)
                    parent_[static_cast<std::size_t>(i)] = k;
                i = next;
            }
        }
    }

    // Pattern of L: row k of L is ereach(k); column counts first, then the row indices in the
    // order the numeric phase will write them.
    std::vector<std::int32_t> stack(un), mark(un, -1), counts(un, 1);
    for (std::int32_t k = 0; k < n; ++k) {
        const std::int32_t top = ereach(n, cp_, ci_, k, parent_, stack, mark);
        for (std::int32_t t = top; t < n; ++t)
            ++counts[static_cast<std::size_t>(stack[static_cast<std::size_t>(t)])];
    }
    lp_.assign(un + 1, 0);
    for (std::size_t j = 0; j < un; ++j)
        lp_[j + 1] = lp_[j] + counts[j];
    li_.assign(static_cast<std::size_t>(lp_[un]), 0);
    std::vector<std::int32_t> c(lp_.begin(), lp_.end() - 1);
    std::fill(mark.begin(), mark.end(), -1);
    // The row patterns are kept too (in ereach's topological order, with the position of each
    // L(k,i) in li_), so the numeric phase, run every Newton iteration, walks no tree.
    rp_.assign(un + 1, 0);
    rj_.assign(li_.size() - un, 0);
    rpos_.assign(li_.size() - un, 0);
    for (std::int32_t k = 0; k < n; ++k) {
        const auto uk = static_cast<std::size_t>(k);
        const std::int32_t top = ereach(n, cp_, ci_, k, parent_, stack, mark);
        auto r = static_cast<std::size_t>(rp_[uk]);
        for (std::int32_t t = top; t < n; ++t, ++r) {
            const auto i = static_cast<std::size_t>(stack[static_cast<std::size_t>(t)]);
            rj_[r] = static_cast<std::int32_t>(i);
            rpos_[r] = c[i];
            li_[static_cast<std::size_t>(c[i]++)] = k;
        }
        rp_[uk + 1] = static_cast<std::int32_t>(r);
        li_[static_cast<std::size_t>(c[uk]++)] = k;
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
    return static_cast<std::int32_t>(it - ci_.begin());
}

NumericCholesky::NumericCholesky(const SymbolicCholesky& s)
    : ax_(s.ci_.size(), 0.0), lx_(s.li_.size(), 0.0), x_(static_cast<std::size_t>(s.n_), 0.0),
      work_(static_cast<std::size_t>(s.n_), 0.0), rhs_(static_cast<std::size_t>(s.n_), 0.0),
      res_(static_cast<std::size_t>(s.n_), 0.0) {}

std::int32_t NumericCholesky::factor(const SymbolicCholesky& s) {
    // Up-looking Cholesky (Davis 2006, §4.8): row k of L from a sparse triangular solve with the
    // rows above, L(k,0..k-1) = L(0..k-1,0..k-1)⁻¹ C(0..k-1,k), then L(k,k) = sqrt(c_kk - Σ l²).
    // Row k's pattern (cs_ereach) and where each entry goes come from the symbolic phase.
    const std::int32_t n = s.n_;
    for (std::int32_t k = 0; k < n; ++k) {
        const auto uk = static_cast<std::size_t>(k);
        x_[uk] = 0;
        for (std::int32_t p = s.cp_[uk]; p < s.cp_[uk + 1]; ++p)
            x_[static_cast<std::size_t>(s.ci_[static_cast<std::size_t>(p)])] =
                ax_[static_cast<std::size_t>(p)];
        double d = x_[uk];
        x_[uk] = 0;
        for (std::int32_t t = s.rp_[uk]; t < s.rp_[uk + 1]; ++t) {
            const auto i = static_cast<std::size_t>(s.rj_[static_cast<std::size_t>(t)]);
            const std::int32_t pos = s.rpos_[static_cast<std::size_t>(t)];
            const double lki = x_[i] / lx_[static_cast<std::size_t>(s.lp_[i])];
            x_[i] = 0;
            // Column i of L as far as computed: the entries above row k.
            for (std::int32_t p = s.lp_[i] + 1; p < pos; ++p)
                x_[static_cast<std::size_t>(s.li_[static_cast<std::size_t>(p)])] -=
                    lx_[static_cast<std::size_t>(p)] * lki;
            d -= lki * lki;
            lx_[static_cast<std::size_t>(pos)] = lki;
        }
        if (!(d > 0) || !std::isfinite(d))
            return s.perm_[uk];
        lx_[static_cast<std::size_t>(s.lp_[uk])] = std::sqrt(d);
    }
    return -1;
}

void NumericCholesky::solve(const SymbolicCholesky& s, std::vector<double>& b) {
    const auto n = static_cast<std::size_t>(s.n_);
    for (std::size_t k = 0; k < n; ++k)
        work_[k] = b[static_cast<std::size_t>(s.perm_[k])];
    // L y = P b
    for (std::size_t j = 0; j < n; ++j) {
        const auto p0 = static_cast<std::size_t>(s.lp_[j]);
        const auto p1 = static_cast<std::size_t>(s.lp_[j + 1]);
        work_[j] /= lx_[p0];
        for (std::size_t p = p0 + 1; p < p1; ++p)
            work_[static_cast<std::size_t>(s.li_[p])] -= lx_[p] * work_[j];
    }
    // Lᵀ z = y
    for (std::size_t jj = n; jj-- > 0;) {
        const auto p0 = static_cast<std::size_t>(s.lp_[jj]);
        const auto p1 = static_cast<std::size_t>(s.lp_[jj + 1]);
        double v = work_[jj];
        for (std::size_t p = p0 + 1; p < p1; ++p)
            v -= lx_[p] * work_[static_cast<std::size_t>(s.li_[p])];
        work_[jj] = v / lx_[p0];
    }
    for (std::size_t k = 0; k < n; ++k)
        b[static_cast<std::size_t>(s.perm_[k])] = work_[k];
}

void NumericCholesky::solve_refined(const SymbolicCholesky& s, std::vector<double>& b) {
    const auto n = static_cast<std::size_t>(s.n_);
    std::copy(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n), rhs_.begin());
    solve(s, b);
    // r = b − A x in the permuted numbering, from the upper triangle of C = P A Pᵀ.
    for (std::size_t k = 0; k < n; ++k)
        res_[k] = rhs_[static_cast<std::size_t>(s.perm_[k])];
    for (std::size_t j = 0; j < n; ++j) {
        const double xj = b[static_cast<std::size_t>(s.perm_[j])];
        for (auto p = static_cast<std::size_t>(s.cp_[j]);
             p < static_cast<std::size_t>(s.cp_[j + 1]); ++p) {
            const auto i = static_cast<std::size_t>(s.ci_[p]);
            res_[i] -= ax_[p] * xj;
            if (i != j)
                res_[j] -= ax_[p] * b[static_cast<std::size_t>(s.perm_[i])];
        }
    }
    for (std::size_t k = 0; k < n; ++k)
        rhs_[static_cast<std::size_t>(s.perm_[k])] = res_[k];
    solve(s, rhs_);
    for (std::size_t k = 0; k < n; ++k)
        b[k] += rhs_[k];
}

} // namespace rencheng::water
