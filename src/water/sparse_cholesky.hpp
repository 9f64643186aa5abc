// Sparse Cholesky factorisation A = L Lᵀ with a symbolic phase (ordering, elimination tree,
// supernodes and the pattern of L) done once per sparsity pattern and a numeric phase that
// allocates nothing.
#pragma once

#include <array>
#include <atomic>
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

    /// Whether to peel: eliminate first, one after another by a kernel of their own, the nodes
    /// left with at most two neighbours (a network's trees and chains: dead ends and pipes in
    /// series), and factorise the rest (the core, joined where the eliminations join chain
    /// ends) by the kernel chosen (peeled_count()), the peeled nodes in levels of independent
    /// eliminations (schedule_peel). kAuto peels when a tenth of the nodes or more goes: the
    /// 100k-node street grid (58 % of its nodes in chains, whose one- and two-entry columns
    /// cost the supernodal kernel its block bookkeeping for almost no arithmetic) and the
    /// shared networks (78 % of ky4, 81 % of BWSN_Network_2: the simplicial kernel takes their
    /// chains one dependent pivot after another, the levels side by side). kAlways peels
    /// whatever can be peeled (one node is always left); kNever factorises the pattern whole.
    enum class Peel { kAuto, kAlways, kNever };

    SymbolicCholesky() = default;
    /// `edges` are the off-diagonal entries (i, j), i != j, each given once or more (duplicates
    /// are merged); the diagonal is always present.
    /// `split`: lay a large supernodal factor out in independent pieces (parallel_units());
    /// false keeps it in one piece, as small factors always are.
    SymbolicCholesky(std::int32_t n,
                     const std::vector<std::pair<std::int32_t, std::int32_t>>& edges,
                     Kernel kernel = Kernel::kAuto, bool split = true, Peel peel = Peel::kAuto);

    /// The kernel chosen (never kAuto).
    [[nodiscard]] Kernel kernel() const { return kernel_; }

    [[nodiscard]] std::int32_t size() const { return n_; }
    /// Position in the value array (see NumericCholesky::values) of entry (i, j) of A, original
    /// numbering; -1 when (i, j) is not in the pattern.
    [[nodiscard]] std::int32_t position(std::int32_t i, std::int32_t j) const;
    [[nodiscard]] std::int32_t diagonal_position(std::int32_t i) const {
        return diag_pos_[static_cast<std::size_t>(i)];
    }
    [[nodiscard]] std::int32_t value_count() const { return value_count_; }
    /// Nodes eliminated before the core (0 when the pattern was factorised whole).
    [[nodiscard]] std::int32_t peeled_count() const {
        return static_cast<std::int32_t>(peel_.size());
    }
    /// Nonzeros of L (diagonal included).
    [[nodiscard]] std::int64_t factor_nonzeros() const { return factor_nonzeros_; }
    /// Floating-point operations of the factorisation, Σ_j c_j² over the column counts c_j of L
    /// (diagonal included; CHOLMOD's measure), explicit zeros of the supernodes not counted.
    [[nodiscard]] double factor_flops() const { return factor_flops_; }
    /// Values stored in the supernodal blocks of L (factor_nonzeros() plus the explicit zeros
    /// of relaxed supernodes and the unused upper triangles of their diagonal blocks).
    [[nodiscard]] std::int64_t stored_values() const {
        return core_.empty() ? sval_ptr_.back() : core_[0].stored_values() + 3 * peeled_count();
    }
    /// Row indices in the precomputed schedule of descendant updates (Σ over the updates of
    /// the descendant rows each one maps), the memory the schedule costs besides L.
    [[nodiscard]] std::int64_t update_row_count() const {
        return core_.empty() ? static_cast<std::int64_t>(update_rows_.size())
                             : core_[0].update_row_count();
    }
    /// Number of supernodes (groups of columns of L with one row pattern).
    [[nodiscard]] std::int32_t supernode_count() const {
        return core_.empty() ? static_cast<std::int32_t>(super_.size()) - 1
                             : core_[0].supernode_count();
    }
    /// Independent pieces of the numeric phase: groups of disjoint subtrees of the supernodal
    /// elimination tree, factorised and solved concurrently (0 when the factor is done as one
    /// piece: the simplicial kernel, a factor too small to be worth splitting, or `split` false).
    [[nodiscard]] std::int32_t parallel_units() const {
        if (!core_.empty())
            return core_[0].parallel_units();
        return unit_ptr_.empty() ? 0 : static_cast<std::int32_t>(unit_ptr_.size()) - 1;
    }
    /// Share of the factorisation's estimated work in the supernodes above the units (1 without
    /// units), and in the heaviest chain of dependent supernodes: with enough threads the
    /// factorisation takes at least the latter, the solves about the former's share of theirs.
    [[nodiscard]] double top_work_share() const {
        return core_.empty() ? top_work_share_ : core_[0].top_work_share();
    }
    [[nodiscard]] double critical_path_share() const {
        return core_.empty() ? critical_path_share_ : core_[0].critical_path_share();
    }

private:
    friend class NumericCholesky;
    std::int32_t n_ = 0;
    std::int32_t value_count_ = 0;
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
    /// The parallel layout. A subtree of the supernodal elimination tree is a range of
    /// consecutive supernodes (postorder) ending at its root; unit u holds the subtrees
    /// subtrees_[unit_ptr_[u] .. unit_ptr_[u+1]), in ascending order. No supernode of a subtree
    /// has rows in another subtree: the rows below a supernode's pivots are its ancestors, in its
    /// subtree or among the top supernodes top_ (every supernode in no subtree, ascending).
    struct Subtree {
        std::int32_t first, root;
    };
    std::vector<std::int32_t> unit_ptr_;
    std::vector<Subtree> subtrees_;
    std::vector<std::int32_t> top_;
    /// Column → its index among the columns of the top supernodes (-1 for the others), and back.
    std::vector<std::int32_t> top_index_, top_column_;
    /// The tree of tasks of the factorisation: item i ≥ 0 is top supernode top_[i], item
    /// −1 − t subtree t. Top supernode top_[i] waits on items
    /// top_items_[top_item_ptr_[i] .. top_item_ptr_[i+1]); root_items_ wait on nothing.
    std::vector<std::int32_t> top_item_ptr_, top_items_, root_items_;
    /// Offsets of each unit's rows in the gather buffer of the solve (after the first n).
    std::vector<std::int64_t> unit_gather_;
    double top_work_share_ = 1, critical_path_share_ = 1;
    /// With the parallel layout, both triangles of P A Pᵀ by rows (columns ascending, value
    /// positions), for the refinement's residual row by row side by side.
    std::vector<std::int32_t> arow_ptr_, arow_col_, arow_value_;
    void build_parallel_layout();
    /// arow_ptr_, arow_col_, arow_value_ from cp_, ci_ and value_of_entry_.
    void build_rows();
    /// Simplicial layout (kernel kSimplicial): column j of L is lx[lp_[j] .. lp_[j+1]), its
    /// diagonal first, then rows li_[p] in ascending order. The simplicial factor is L D Lᵀ with
    /// a unit L: the diagonal slot holds 1/D(j). Row k of L (below the diagonal) is
    /// the entries rpat_pos_[t], t in rpat_ptr_[k] .. rpat_ptr_[k+1], of columns rpat_col_[t],
    /// in a topological order of the elimination tree (descendants first), as the up-looking
    /// factorisation computes them.
    std::vector<std::int32_t> lp_, li_, rpat_ptr_, rpat_col_, rpat_pos_;
    void build_simplicial(const std::vector<std::int32_t>& counts);
    void build(std::vector<std::vector<std::int32_t>>& adj, Kernel kernel, bool split);
    /// The peeled layout (peel_ not empty): pivots 0 .. np−1 are the peeled nodes in the order of
    /// their elimination, each with at most two neighbours left at its turn; the rest are the
    /// core's pivots in its own order, the core a factorisation of its own (core_, one element)
    /// whose value positions come first. Peeled node t's values (its diagonal and its entries
    /// with its two neighbours, 0 for a missing one) follow at peel_base_ + 3t .. + 2; the last
    /// value position is a scratch slot that missing neighbours' updates go to.
    bool build_peeled(const std::vector<std::vector<std::int32_t>>& adj, Kernel kernel, bool split,
                      Peel peel);
    /// Reorders the peel (order, each step's neighbours, each node's turn) by levels of
    /// independent eliminations (see the definition).
    static void schedule_peel(std::vector<std::int32_t>& order,
                              std::vector<std::array<std::int32_t, 2>>& neighbours,
                              std::vector<std::int32_t>& turn);
    struct PeelStep {
        /// Value positions of the neighbours' diagonals and of the entry between them (the
        /// scratch slot where missing), and the neighbours' pivots (n_ where missing).
        std::int32_t diag0, diag1, between, row0, row1;
    };
    std::vector<PeelStep> peel_;
    std::int32_t peel_base_ = 0;
    /// Value positions no caller writes (entries the eliminations create): zeroed every
    /// factorisation.
    std::vector<std::int32_t> peel_zero_;
    std::vector<SymbolicCholesky> core_;
    /// Core index → original index.
    std::vector<std::int32_t> core_nodes_;
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
    /// x = A⁻¹ e_row (original numbering; x resized to the order of A): solve() of a unit
    /// vector, whose forward substitution only follows the row's path.
    void solve_unit(const SymbolicCholesky& s, std::int32_t row, std::vector<double>& x);
    /// Same, followed by one step of iterative refinement (residual b − A x, a second solve)
    /// when the componentwise backward error of the first solve exceeds 64 ε: rows with
    /// conductances 1e8 times their neighbours' keep their accuracy, and well-scaled systems
    /// skip the second solve.
    void solve_refined(const SymbolicCholesky& s, std::vector<double>& b);
    /// Solves as solve() and keeps b, so that whether the solve needed refinement can be asked
    /// afterwards (refinement_needed()), for as long as no other solve was made.
    void solve_checkable(const SymbolicCholesky& s, std::vector<double>& b);
    /// Whether the last solve_checkable() solve has a componentwise backward error above
    /// solve_refined()'s threshold; false when the last solve was not one (then nothing is
    /// computed).
    bool refinement_needed(const SymbolicCholesky& s);

private:
    std::int32_t factor_supernodal(const SymbolicCholesky& s);
    std::int32_t factor_pieces(const SymbolicCholesky& s);
    /// Item of the task tree (see SymbolicCholesky::top_items_) after the items it waits on;
    /// supernodes above `first_bad` (the first failing one so far, lowered atomically) skipped.
    void factor_item(const SymbolicCholesky& s, std::int32_t item,
                     std::atomic<std::int32_t>& first_bad);
    /// Factorises supernode j from its descendants; -1 or the original index of the failing row.
    /// `parts` > 1: the descendants' updates in that many ranges of columns side by side.
    std::int32_t factor_supernode(const SymbolicCholesky& s, std::int32_t j,
                                  std::int32_t parts = 1);
    std::int32_t factor_simplicial(const SymbolicCholesky& s);
    std::int32_t factor_peeled(const SymbolicCholesky& s);
    void solve_peeled(const SymbolicCholesky& s);
    /// The substitutions on work_ (the right-hand side permuted in, the solution left there).
    void solve_permuted(const SymbolicCholesky& s);
    void solve_supernodal(const SymbolicCholesky& s);
    void solve_pieces(const SymbolicCholesky& s);
    /// Forward (L y = b) and backward (Lᵀ z = y) substitution through supernode j, its rows
    /// below the pivots gathered in `below`. Forward: rows from column `split` on are
    /// accumulated in `top` (by their index among the top columns) instead of work_.
    /// Supernode j's block of L: first pivot, columns, rows (pivots first) and values.
    struct Block {
        std::int32_t first, ncols, nrows;
        const std::int32_t* rows;
        const double* values;
    };
    [[nodiscard]] Block block(const SymbolicCholesky& s, std::int32_t j) const;
    template <bool kSplit>
    void forward_supernode(const SymbolicCholesky& s, std::int32_t j, double* below,
                           std::int32_t split, double* top);
    void backward_supernode(const SymbolicCholesky& s, std::int32_t j, double* below);
    void solve_simplicial(const SymbolicCholesky& s);
    /// The residual b − A x of the last solve (rhs_ and work_) into res_, by columns of the upper
    /// triangle; whether its componentwise backward error calls for a refinement step.
    bool residual_needs_refinement(const SymbolicCholesky& s);
    /// The check of solve_refined() on the last solve (rhs_ and work_), large factors row by
    /// row side by side, small ones by residual_needs_refinement().
    bool backward_error_too_large(const SymbolicCholesky& s);
    /// Whether rhs_ and work_ hold a solve_checkable() solve not yet checked.
    bool check_pending_ = false;

    std::vector<double> ax_, lx_, work_, rhs_, res_, scale_;
    /// Per unit, its sums into the top columns during the forward substitution.
    std::vector<double> top_sums_;
    /// The failing row of each supernode that failed in a factorisation in pieces.
    std::vector<std::int32_t> bad_row_;
    /// The rows of one supernode below its pivots, gathered during a supernodal solve; the
    /// sparse right-hand side of the simplicial factorisation (zero between uses).
    std::vector<double> gather_;
    /// With a peeled layout, the core's factor (one element); its value array, one as long as
    /// this one's, holds the values being eliminated.
    std::vector<NumericCholesky> core_num_;
};

} // namespace rencheng::water
