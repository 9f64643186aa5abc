// Sparse Cholesky factorisation A = L Lᵀ with a symbolic phase (ordering, elimination tree,
// supernodes and the pattern of L) done once per sparsity pattern and a numeric phase that
// allocates nothing.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace rencheng::water {

/// The symbolic factorisation of an n×n symmetric pattern: an approximate minimum-degree ordering
/// (AMD, Amestoy, Davis & Duff 1996) in elimination-tree postorder, the elimination tree, and the
/// supernodes of L with their row patterns (Davis 2006, "Direct Methods for Sparse Linear
/// Systems", ch. 4; Ng & Peyton 1993 for the supernodal layout). Built once per topology, shared
/// read-only.
class SymbolicCholesky {
public:
    /// How the numeric phase works: supernodal (dense blocks, for factors with wide columns) or
    /// simplicial (L D Lᵀ a row at a time, up-looking; for the thin factors of networks of a few
    /// thousand nodes, whose supernodes are one to three columns wide and where the block
    /// bookkeeping costs more than the arithmetic). kAuto picks by Σ c_j² / Σ c_j over the column
    /// counts c_j of L: simplicial up to 12.
    enum class Kernel { kAuto, kSupernodal, kSimplicial };

    SymbolicCholesky() = default;
    /// `edges` are the off-diagonal entries (i, j), i != j, each given once or more (duplicates
    /// are merged); the diagonal is always present.
    SymbolicCholesky(std::int32_t n,
                     const std::vector<std::pair<std::int32_t, std::int32_t>>& edges,
                     Kernel kernel = Kernel::kAuto);

    /// The kernel chosen (never kAuto).
    [[nodiscard]] Kernel kernel() const { return kernel_; }

    [[nodiscard]] std::int32_t size() const { return n_; }
    /// Position in the value array (see NumericCholesky::values) of entry (i, j) of A, original
    /// numbering; -1 when (i, j) is not in the pattern.
    [[nodiscard]] std::int32_t position(std::int32_t i, std::int32_t j) const;
    [[nodiscard]] std::int32_t diagonal_position(std::int32_t i) const {
        return diag_pos_[static_cast<std::size_t>(i)];
    }
    [[nodiscard]] std::int32_t value_count() const { return static_cast<std::int32_t>(ci_.size()); }
    /// Nonzeros of L (diagonal included).
    [[nodiscard]] std::int64_t factor_nonzeros() const { return factor_nonzeros_; }
    /// Floating-point operations of the factorisation, Σ_j c_j² over the column counts c_j of L
    /// (diagonal included; CHOLMOD's measure), explicit zeros of the supernodes not counted.
    [[nodiscard]] double factor_flops() const { return factor_flops_; }
    /// Values stored in the supernodal blocks of L (factor_nonzeros() plus the explicit zeros
    /// of relaxed supernodes and the unused upper triangles of their diagonal blocks).
    [[nodiscard]] std::int64_t stored_values() const { return sval_ptr_.back(); }
    /// Row indices in the precomputed schedule of descendant updates (Σ over the updates of
    /// the descendant rows each one maps), the memory the schedule costs besides L.
    [[nodiscard]] std::int64_t update_row_count() const {
        return static_cast<std::int64_t>(update_rows_.size());
    }
    /// Number of supernodes (groups of columns of L with one row pattern).
    [[nodiscard]] std::int32_t supernode_count() const {
        return static_cast<std::int32_t>(super_.size()) - 1;
    }

private:
    friend class NumericCholesky;
    std::int32_t n_ = 0;
    Kernel kernel_ = Kernel::kSupernodal;
    std::int64_t factor_nonzeros_ = 0;
    double factor_flops_ = 0;
    std::vector<std::int32_t> perm_;    ///< perm_[k] = original index of pivot k
    std::vector<std::int32_t> pinv_;    ///< inverse of perm_
    std::vector<std::int32_t> cp_, ci_; ///< upper triangle of P A Pᵀ, column form
    std::vector<std::int32_t> diag_pos_;
    std::vector<std::int32_t> parent_; ///< elimination tree
    /// Supernode s holds the pivots super_[s] .. super_[s+1]-1; its rows are
    /// srow_[srow_ptr_[s] .. srow_ptr_[s+1]) (its own pivots first, ascending) and its values a
    /// dense column-major block of rows × columns at lx_[sval_ptr_[s]].
    std::vector<std::int32_t> super_, srow_ptr_, srow_;
    std::vector<std::int64_t> sval_ptr_ = {0};
    std::vector<std::int32_t> snode_of_; ///< pivot → its supernode
    /// Entry p of cp_/ci_ → its value position. Values are numbered by supernode (those of
    /// supernode s are aptr_[s] .. aptr_[s+1]), and within one by their place in L.
    std::vector<std::int32_t> value_of_entry_, aptr_;
    /// Value position → where it goes in the supernodal storage of L.
    std::vector<std::int64_t> amap_;
    /// One update of a supernode by a descendant: rows first_row .. of the descendant, of which
    /// the first pivot_rows fall on the updated supernode's pivots; update_rows_[rows ..] maps
    /// them to rows of the updated supernode.
    struct Update {
        std::int32_t descendant, first_row, pivot_rows;
        std::int64_t rows;
    };
    /// The updates of supernode s are updates_[update_ptr_[s] .. update_ptr_[s+1]), in the
    /// order the left-looking factorisation applies them.
    std::vector<std::int32_t> update_ptr_, update_rows_;
    std::vector<Update> updates_;
    void build_update_schedule();
    /// Simplicial layout (kernel kSimplicial): column j of L is lx[lp_[j] .. lp_[j+1]), its
    /// diagonal first, then rows li_[p] in ascending order. The simplicial factor is L D Lᵀ with
    /// a unit L: the diagonal slot holds 1/D(j). Row k of L (below the diagonal) is
    /// the entries rpat_pos_[t], t in rpat_ptr_[k] .. rpat_ptr_[k+1], of columns rpat_col_[t],
    /// in a topological order of the elimination tree (descendants first), as the up-looking
    /// factorisation computes them.
    std::vector<std::int32_t> lp_, li_, rpat_ptr_, rpat_col_, rpat_pos_;
    void build_simplicial(const std::vector<std::int32_t>& counts);
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
    /// Same, followed by one step of iterative refinement (residual b − A x, a second solve)
    /// when the componentwise backward error of the first solve exceeds 64 ε: rows with
    /// conductances 1e8 times their neighbours' keep their accuracy, and well-scaled systems
    /// skip the second solve.
    void solve_refined(const SymbolicCholesky& s, std::vector<double>& b);

private:
    std::int32_t factor_supernodal(const SymbolicCholesky& s);
    std::int32_t factor_simplicial(const SymbolicCholesky& s);
    void solve_supernodal(const SymbolicCholesky& s);
    void solve_simplicial(const SymbolicCholesky& s);

    std::vector<double> ax_, lx_, work_, rhs_, res_, scale_;
    /// The rows of one supernode below its pivots, gathered during a supernodal solve; the
    /// sparse right-hand side of the simplicial factorisation (zero between uses).
    std::vector<double> gather_;
};

} // namespace rencheng::water
