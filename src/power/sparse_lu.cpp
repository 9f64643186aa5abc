// SparseLu: SuiteSparse KLU with the symbolic analysis reused across numeric factorisations.
#include "power/sparse_lu.hpp"

#include <cassert>

#include <klu.h>

#include "core/error.hpp"

namespace rencheng::power {

struct SparseLu::Impl {
    klu_common common{};
    klu_symbolic* symbolic = nullptr;
    klu_numeric* numeric = nullptr;
    std::int32_t n = 0;

    Impl() {
        klu_defaults(&common);
        common.halt_if_singular = 1;
    }
    ~Impl() { release(); }
    void release_numeric() {
        if (numeric != nullptr)
            klu_free_numeric(&numeric, &common);
        numeric = nullptr;
    }
    void release() {
        release_numeric();
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

void SparseLu::analyze(const CscMatrix& a) {
    impl_->release();
    impl_->n = a.n;
    // KLU takes non-const pointers but does not modify the pattern.
    impl_->symbolic = klu_analyze(a.n, const_cast<int*>(a.col_start.data()),
                                  const_cast<int*>(a.row.data()), &impl_->common);
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
    if (impl_->numeric != nullptr) {
        // Same pivot order as last time; keep it unless the pivots have degraded.
        if (klu_refactor(ap, ai, ax, impl_->symbolic, impl_->numeric, &impl_->common) != 0 &&
            impl_->common.status == KLU_OK &&
            klu_rcond(impl_->symbolic, impl_->numeric, &impl_->common) != 0 &&
            impl_->common.rcond > 1e-12)
            return true;
        impl_->release_numeric();
    }
    impl_->numeric = klu_factor(ap, ai, ax, impl_->symbolic, &impl_->common);
    if (impl_->numeric == nullptr || impl_->common.status != KLU_OK) {
        impl_->release_numeric();
        return false;
    }
    return true;
}

void SparseLu::solve(std::span<double> b) {
    assert(impl_->numeric != nullptr && static_cast<std::int32_t>(b.size()) == impl_->n);
    klu_solve(impl_->symbolic, impl_->numeric, impl_->n, 1, b.data(), &impl_->common);
}

} // namespace rencheng::power
