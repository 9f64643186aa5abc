// Sparse LU of a matrix of 2x2 blocks on a structurally symmetric pattern, with a static pivot
// order: the block form of the power-flow Jacobian (each bus has an angle and a magnitude
// unknown and a P and a Q equation), factored without searching for pivots.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace rencheng::power {

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
    /// place by factor(). set_zero() clears them.
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
    /// updates per factorisation, for tests and benchmarks.
    [[nodiscard]] std::int64_t filled_blocks() const;
    [[nodiscard]] std::int64_t updates() const { return static_cast<std::int64_t>(target_.size()); }

private:
    std::int32_t n_ = 0;
    std::vector<std::int32_t> rank_, by_rank_;
    /// Per rank k: the ranks above k in column k of L (and row k of U), ascending, in
    /// [start_[k], start_[k+1]) of index_.
    std::vector<std::int32_t> start_, index_;
    /// Per update, in order: the offset of the block it subtracts from.
    std::vector<std::int32_t> target_;
    /// Diagonal blocks at [0, 4n), L below the diagonal at lower_, U above at upper_ (4 each per
    /// entry of index_).
    std::vector<double> value_;
    std::size_t lower_ = 0, upper_ = 0;
    std::vector<double> work_;
};

} // namespace rencheng::power
