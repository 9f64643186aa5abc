// SparseLu: SuiteSparse KLU with the symbolic analysis reused across numeric factorisations.
#include "power/sparse_lu.hpp"

#include <cassert>

#include <klu.h>

#include "core/error.hpp"

namespace rencheng::power {

struct SparseLu::Impl {
    klu_common common{};
    klu_symbolic* symbolic = nullptr;
    klu_numeric* first = nullptr;    ///< the first factorisation after the analysis: its pivots
    klu_numeric* fallback = nullptr; ///< a fresh factorisation when `first`'s pivots were poor
    std::int32_t n = 0;

    Impl() {
        klu_defaults(&common);
        common.halt_if_singular = 1;
    }
    ~Impl() { release(); }
    void release_numeric(klu_numeric*& numeric) {
        if (numeric != nullptr)
            klu_free_numeric(&numeric, &common);
        numeric = nullptr;
    }
    [[nodiscard]] klu_numeric* current() const { return fallback != nullptr ? fallback : first; }
    /// Refactors `numeric` with its own pivot order; false when that failed or the pivots are
    /// poor. Without row scaling: the pivot order is fixed, so scaling would not change it, and
    /// KLU would otherwise recompute the scale factors on every call.
    bool refactor(int* ap, int* ai, double* ax, klu_numeric* numeric) {
        common.scale = -1;
        const bool ok = klu_refactor(ap, ai, ax, symbolic, numeric, &common) != 0 &&
                        common.status == KLU_OK && klu_rcond(symbolic, numeric, &common) != 0 &&
                        common.rcond > 1e-12;
        common.scale = 2;
        return ok;
    }
    void release() {
        release_numeric(fallback);
        release_numeric(first);
        if (symbolic != nullptr)
            klu_free_symbolic(&symbolic, &common);
        symbolic = nullptr;
    }
};

SparseLu::SparseLu() : impl_(std::make_unique<Impl>()) {}
SparseLu::~SparseLu() = default;
SparseLu::SparseLu(SparseLu&&) noexcept = default;
SparseLu& SparseLu::operator=(SparseLu&&) noexcept = default;

bool SparseLu::analysed() const {
    return impl_->symbolic != nullptr;
}

bool SparseLu::factored() const {
    return impl_->first != nullptr;
}

void SparseLu::restore_pivots() {
    impl_->release_numeric(impl_->fallback);
}

void SparseLu::analyze(const CscMatrix& a, bool ordered) {
    impl_->release();
    impl_->n = a.n;
    // KLU takes non-const pointers but does not modify the pattern.
    auto* ap = const_cast<int*>(a.col_start.data());
    auto* ai = const_cast<int*>(a.row.data());
    if (ordered) {
        impl_->common.btf = 0;
        impl_->symbolic = klu_analyze_given(a.n, ap, ai, nullptr, nullptr, &impl_->common);
        impl_->common.btf = 1;
    } else {
        impl_->symbolic = klu_analyze(a.n, ap, ai, &impl_->common);
    }
    if (impl_->symbolic == nullptr)
        throw Error(ErrorCode::kSingularMatrix,
                    "sparse LU: the matrix pattern is structurally singular (KLU status " +
                        std::to_string(impl_->common.status) + ")");
    ++analyses_;
}

bool SparseLu::factor(const CscMatrix& a) {
    assert(impl_->symbolic != nullptr && a.n == impl_->n); // analyze() came first
    auto* ap = const_cast<int*>(a.col_start.data());
    auto* ai = const_cast<int*>(a.row.data());
    auto* ax = const_cast<double*>(a.value.data());
    ++factorisations_;
    // The pivot order in use (the fallback's, else the first's); keep it unless the pivots have
    // degraded.
    if (impl_->current() != nullptr && impl_->refactor(ap, ai, ax, impl_->current()))
        return true;
    impl_->release_numeric(impl_->fallback);
    klu_numeric* fresh = klu_factor(ap, ai, ax, impl_->symbolic, &impl_->common);
    if (fresh == nullptr || impl_->common.status != KLU_OK) {
        impl_->release_numeric(fresh);
        return false;
    }
    (impl_->first == nullptr ? impl_->first : impl_->fallback) = fresh;
    return true;
}

bool SparseLu::factor_fresh(const CscMatrix& a) {
    impl_->release_numeric(impl_->fallback);
    impl_->release_numeric(impl_->first);
    return factor(a);
}

void SparseLu::solve(std::span<double> b) {
    assert(impl_->current() != nullptr && static_cast<std::int32_t>(b.size()) == impl_->n);
    klu_solve(impl_->symbolic, impl_->current(), impl_->n, 1, b.data(), &impl_->common);
}

} // namespace rencheng::power
