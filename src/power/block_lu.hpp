// Sparse LU of a matrix of 2x2 blocks on a structurally symmetric pattern, with a static pivot
// order: the block form of the power-flow Jacobian (each bus has an angle and a magnitude
// unknown and a P and a Q equation), factored without searching for pivots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <vector>

namespace rencheng::power {

/// Allocator of cache-line (64-byte) aligned storage, so that a block pair of BlockLu is one line.
template <class T> struct LineAligned {
    using value_type = T;
    static constexpr std::align_val_t kAlign{64};
    LineAligned() = default;
    template <class U> constexpr LineAligned(const LineAligned<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, kAlign); }
    template <class U> bool operator==(const LineAligned<U>&) const noexcept { return true; }
};

/// The Newton power-flow Jacobian, written bus by bus, is a sparse matrix of 2x2 blocks whose
/// pattern is that of the bus admittance matrix. Ordered by approximate minimum degree on the bus
/// graph and factored block by block with the 2x2 diagonal blocks as pivots (no numerical
/// pivoting, as the classic power-flow codes since Tinney & Hart 1967 do), the numeric
/// factorisation becomes a fixed list of small dense operations computed once in `analyze()`:
/// no index search, no pivot search, no allocation. `factor()` refuses a matrix whose pivot block
/// is singular or nearly so; the caller then uses a pivoting LU (SparseLu). A block of the matrix
/// is 4 doubles, row-major: [∂P/∂θ ∂P/∂|V|; ∂Q/∂θ ∂Q/∂|V|] for block row i (equations of bus i)
/// and block column j (unknowns of bus j). Not thread-safe; one per thread.
class BlockLu {
public:
    /// Symbolic analysis: the block pattern (`col_start`, `row`: CSC of an n x n pattern,
    /// structurally symmetric, every diagonal entry present) eliminated in the order `rank`
    /// (rank[i]: the position of block row and column i). Computes the filled pattern and the
    /// list of block updates of the numeric factorisation.
    void analyze(std::int32_t n, std::span<const std::int32_t> col_start,
                 std::span<const std::int32_t> row, std::span<const std::int32_t> rank);

    /// Where block (i, j) starts in values(), or -1 when it is not in the filled pattern.
    [[nodiscard]] std::int32_t block_offset(std::int32_t i, std::int32_t j) const;
    /// The matrix values, 4 per block; filled by the caller through block_offset(), factored in
    /// place by factor(). Only the blocks of the analysed pattern need writing: factor() zeroes
    /// those that fill-in alone creates. set_zero() clears them all.
    [[nodiscard]] std::span<double> values() { return value_; }
    void set_zero();

    /// Numeric factorisation of values() in place. Returns false (values() then undefined) when a
    /// pivot block is singular or nearly singular: |det| ≤ 1e-13 · (largest |entry|)².
    [[nodiscard]] bool factor();
    /// Solves A x = b in place (b becomes x), 2 values per block row in the caller's numbering.
    /// Precondition: factor() returned true.
    void solve(std::span<double> b);

    [[nodiscard]] bool analysed() const { return n_ > 0; }
    /// Blocks in the filled pattern (diagonal, strictly lower and strictly upper) and block
    /// updates L(i,k) D_k⁻¹ U(k,j) per factorisation, for tests and benchmarks.
    [[nodiscard]] std::int64_t filled_blocks() const;
    [[nodiscard]] std::int64_t updates() const;

    /// Solves A x = b in place where b and x are already in elimination order (2 values per rank,
    /// rank as in analyze()): solve() without its two permutations.
    void solve_in_rank_order(std::span<double> b);
    /// factor() and solve_in_rank_order(b) together, the forward substitution done column by
    /// column inside the factorisation (one pass over the factor fewer). False as factor().
    [[nodiscard]] bool factor_solve_in_rank_order(std::span<double> b);
    /// The position of bus block row/column i in elimination order.
    [[nodiscard]] std::int32_t rank(std::int32_t i) const {
        return rank_[static_cast<std::size_t>(i)];
    }
    /// The off-diagonal blocks of the filled pattern come in pairs: block (i, j) with
    /// rank(i) > rank(j) at pair_offset(q), its mirror (j, i) right after it (+4), for q in
    /// [0, pairs()) in increasing memory order.
    [[nodiscard]] std::int64_t pairs() const { return static_cast<std::int64_t>(index_.size()); }
    [[nodiscard]] std::int32_t pair_offset(std::int64_t q) const {
        return static_cast<std::int32_t>(pair_ + 8 * static_cast<std::size_t>(q));
    }

private:
    template <bool kForward> bool factor_impl(double* y);
    /// U x = y in place (rank order), the back substitution.
    void backward(double* y) const;

    std::int32_t n_ = 0;
    std::vector<std::int32_t> rank_, by_rank_;
    /// Per rank k: the ranks above k in column k of L (and row k of U), ascending, in
    /// [start_[k], start_[k+1]) of index_.
    std::vector<std::int32_t> start_, index_;
    /// Per pair update (a < b of a column's structure), in order: the offset of the block pair it
    /// subtracts from.
    std::vector<std::int32_t> target_;
    std::size_t pair_updates_ = 0; ///< target_'s length without its prefetch padding
    /// Per rank k, in [zero_start_[k], zero_start_[k+1]) of zero_: the fill-in pairs that step k
    /// updates first, zeroed there.
    std::vector<std::int32_t> zero_start_, zero_;
    /// Diagonal blocks at [0, 4n); then per entry q of index_ (row r of column k) the pair
    /// L(r, k), U(k, r) side by side at pair_ + 8q: a block update and its mirror image touch
    /// one 64-byte line.
    std::vector<double, LineAligned<double>> value_;
    std::size_t pair_ = 0;
    std::vector<double> work_;
};

} // namespace rencheng::power
