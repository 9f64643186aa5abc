// Sparse Cholesky factorisation A = L Lᵀ with a symbolic phase (ordering, elimination tree, pattern
// of L) done once per sparsity pattern and a numeric phase that allocates nothing.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace rencheng::water {

/// The symbolic factorisation of an n×n symmetric pattern: a minimum-degree ordering, the
/// elimination tree of the permuted matrix and the pattern of its Cholesky factor (Davis 2006,
/// "Direct Methods for Sparse Linear Systems", ch. 4). Built once per topology, shared read-only.
class SymbolicCholesky {
public:
    SymbolicCholesky() = default;
    /// `edges` are the off-diagonal entries (i, j), i != j, each given once or more (duplicates
    /// are merged); the diagonal is always present.
    SymbolicCholesky(std::int32_t n,
                     const std::vector<std::pair<std::int32_t, std::int32_t>>& edges);

    [[nodiscard]] std::int32_t size() const { return n_; }
    /// Position in the value array (see NumericCholesky::values) of entry (i, j) of A, original
    /// numbering; -1 when (i, j) is not in the pattern.
    [[nodiscard]] std::int32_t position(std::int32_t i, std::int32_t j) const;
    [[nodiscard]] std::int32_t diagonal_position(std::int32_t i) const {
        return diag_pos_[static_cast<std::size_t>(i)];
    }
    [[nodiscard]] std::int32_t value_count() const { return static_cast<std::int32_t>(ci_.size()); }
    [[nodiscard]] std::int64_t factor_nonzeros() const {
        return static_cast<std::int64_t>(li_.size());
    }

private:
    friend class NumericCholesky;
    std::int32_t n_ = 0;
    std::vector<std::int32_t> perm_;    ///< perm_[k] = original index of pivot k
    std::vector<std::int32_t> pinv_;    ///< inverse of perm_
    std::vector<std::int32_t> cp_, ci_; ///< upper triangle of P A Pᵀ, column form
    std::vector<std::int32_t> diag_pos_;
    std::vector<std::int32_t> parent_;  ///< elimination tree
    std::vector<std::int32_t> lp_, li_; ///< pattern of L, column form, diagonal first
    /// Pattern of L by rows (strictly lower part, in the order the numeric phase uses them):
    /// row k holds L(k, rj_[t]), stored at li_/lx_ position rpos_[t], for t in rp_[k]..rp_[k+1).
    std::vector<std::int32_t> rp_, rj_, rpos_;
};

/// The numeric factor for one set of values; the workspace is sized once, so factor() and solve()
/// allocate nothing. One per scenario or thread.
class NumericCholesky {
public:
    NumericCholesky() = default;
    explicit NumericCholesky(const SymbolicCholesky& s);

    /// Values of the upper triangle of the permuted A, addressed by SymbolicCholesky::position().
    [[nodiscard]] std::vector<double>& values() { return ax_; }

    /// Factorises. Returns -1 on success, else the original index of the first row whose pivot
    /// was not positive (the matrix is not positive definite there).
    std::int32_t factor(const SymbolicCholesky& s);
    /// Solves A x = b in place (b in original numbering).
    void solve(const SymbolicCholesky& s, std::vector<double>& b);
    /// Same, followed by one step of iterative refinement (residual b − A x, a second solve):
    /// rows with conductances 1e8 times their neighbours' keep their accuracy.
    void solve_refined(const SymbolicCholesky& s, std::vector<double>& b);

private:
    std::vector<double> ax_, lx_, x_, work_, rhs_, res_;
};

} // namespace rencheng::water
