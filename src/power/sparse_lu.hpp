// Sparse LU factorisation of a real square matrix in CSC form (SuiteSparse KLU), with the
// symbolic analysis kept and reused while the sparsity pattern stays the same.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace rencheng::power {

/// A square sparse matrix in compressed sparse column form: column j holds rows
/// `row[col_start[j] .. col_start[j+1])` with values `value[...]`, rows sorted within a column.
struct CscMatrix {
    std::int32_t n = 0;
    std::vector<std::int32_t> col_start; ///< size n + 1
    std::vector<std::int32_t> row;       ///< size nnz
    std::vector<double> value;           ///< size nnz
    [[nodiscard]] std::int32_t nnz() const { return static_cast<std::int32_t>(row.size()); }
};

/// KLU (Davis & Palamadai Natarajan 2010) behind a small interface. `analyze()` orders the pattern
/// (BTF + AMD, or the caller's order) once; `factor()` then factors new values of the same
/// pattern, re-using the pivot order of the first numeric factorisation after the analysis
/// (klu_refactor, no scaling, no allocation) and falling back to a fresh partial-pivoting
/// factorisation (klu_factor) when that one is poor. The fallback's pivot order serves the next
/// factorisations until `restore_pivots()`, which returns to the first one: a caller that restores
/// before each independent system gets results that do not depend on the order the systems came
/// in. Not thread-safe; one per thread.
class SparseLu {
public:
    SparseLu();
    ~SparseLu();
    SparseLu(const SparseLu&) = delete;
    SparseLu& operator=(const SparseLu&) = delete;
    SparseLu(SparseLu&&) noexcept;
    SparseLu& operator=(SparseLu&&) noexcept;

    /// Symbolic analysis of `a`'s pattern; values are not read. With `ordered`, the rows and
    /// columns are taken to be in a fill-reducing order already (no BTF, no AMD): the pivots then
    /// walk the matrix in memory order. Throws Error(kSingularMatrix) when the pattern is
    /// structurally singular.
    void analyze(const CscMatrix& a, bool ordered = false);
    /// Numeric factorisation of `a`, which must have the analysed pattern. Returns false when the
    /// matrix is numerically singular.
    [[nodiscard]] bool factor(const CscMatrix& a);
    /// Numeric factorisation of `a` with a fresh partial-pivoting order (klu_factor) that
    /// replaces any kept one: the factors depend on `a` alone, not on earlier matrices.
    [[nodiscard]] bool factor_fresh(const CscMatrix& a);
    /// Solves A x = b in place (b becomes x). Precondition: factor() returned true.
    void solve(std::span<double> b);
    /// Drops a fallback factorisation: the next factor() refactors with the first pivot order.
    void restore_pivots();

    [[nodiscard]] bool analysed() const;
    /// A numeric factorisation (the first pivot order) exists.
    [[nodiscard]] bool factored() const;
    /// How many symbolic analyses and numeric factorisations ran (for tests and benchmarks).
    [[nodiscard]] int analyses() const { return analyses_; }
    [[nodiscard]] int factorisations() const { return factorisations_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int analyses_ = 0;
    int factorisations_ = 0;
};

} // namespace rencheng::power
