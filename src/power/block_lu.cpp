// BlockLu: right-looking block LU with 2x2 pivots and a precomputed update list.
#include "power/block_lu.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rencheng::power {

namespace {

/// c -= a · b for row-major 2x2 blocks.
inline void subtract_product(double* c, const double* a, const double* b) {
    c[0] -= a[0] * b[0] + a[1] * b[2];
    c[1] -= a[0] * b[1] + a[1] * b[3];
    c[2] -= a[2] * b[0] + a[3] * b[2];
    c[3] -= a[2] * b[1] + a[3] * b[3];
}

} // namespace

void BlockLu::analyze(std::int32_t n, std::span<const std::int32_t> col_start,
                      std::span<const std::int32_t> row, std::span<const std::int32_t> rank) {
    assert(static_cast<std::int32_t>(rank.size()) == n);
    const auto ns = static_cast<std::size_t>(n);
    n_ = n;
    rank_.assign(rank.begin(), rank.end());
    by_rank_.assign(ns, 0);
    for (std::size_t i = 0; i < ns; ++i)
        by_rank_[static_cast<std::size_t>(rank_[i])] = static_cast<std::int32_t>(i);

    // Filled pattern by the elimination tree (symmetric pattern): the structure of column k of L
    // is its own entries below the diagonal and those of its children's columns, less k itself;
    // its parent is the first of them (George & Liu 1981, ch. 5).
    start_.assign(ns + 1, 0);
    index_.clear();
    std::vector<std::int32_t> mark(ns, -1), first_child(ns, -1), next_sibling(ns, -1);
    std::vector<std::int32_t> column;
    for (std::int32_t k = 0; k < n; ++k) {
        column.clear();
        mark[static_cast<std::size_t>(k)] = k;
        const std::int32_t j = by_rank_[static_cast<std::size_t>(k)];
        for (std::int32_t p = col_start[static_cast<std::size_t>(j)];
             p < col_start[static_cast<std::size_t>(j) + 1]; ++p) {
            const std::int32_t r =
                rank_[static_cast<std::size_t>(row[static_cast<std::size_t>(p)])];
            if (r > k && mark[static_cast<std::size_t>(r)] != k) {
                mark[static_cast<std::size_t>(r)] = k;
                column.push_back(r);
            }
        }
        for (std::int32_t c = first_child[static_cast<std::size_t>(k)]; c >= 0;
             c = next_sibling[static_cast<std::size_t>(c)])
            for (std::int32_t q = start_[static_cast<std::size_t>(c)];
                 q < start_[static_cast<std::size_t>(c) + 1]; ++q) {
                const std::int32_t r = index_[static_cast<std::size_t>(q)];
                if (r > k && mark[static_cast<std::size_t>(r)] != k) {
                    mark[static_cast<std::size_t>(r)] = k;
                    column.push_back(r);
                }
            }
        std::sort(column.begin(), column.end());
        index_.insert(index_.end(), column.begin(), column.end());
        start_[static_cast<std::size_t>(k) + 1] = static_cast<std::int32_t>(index_.size());
        if (!column.empty()) {
            const auto parent = static_cast<std::size_t>(column.front());
            next_sibling[static_cast<std::size_t>(k)] = first_child[parent];
            first_child[parent] = k;
        }
    }
    lower_ = 4 * ns;
    upper_ = lower_ + 4 * index_.size();
    value_.assign(upper_ + 4 * index_.size(), 0.0);
    work_.assign(2 * ns, 0.0);

    // The update list: step k subtracts L(i,k) D_k⁻¹ U(k,j) from block (i, j) for every pair i, j
    // of column k's structure.
    auto offset_by_rank = [&](std::int32_t i, std::int32_t j) -> std::int32_t {
        if (i == j)
            return 4 * i;
        const std::int32_t lo = std::min(i, j), hi = std::max(i, j);
        const auto first = index_.begin() + start_[static_cast<std::size_t>(lo)];
        const auto last = index_.begin() + start_[static_cast<std::size_t>(lo) + 1];
        const auto at = std::lower_bound(first, last, hi);
        if (at == last || *at != hi)
            return -1;
        const auto base = i > j ? lower_ : upper_;
        return static_cast<std::int32_t>(base + 4 * static_cast<std::size_t>(at - index_.begin()));
    };
    target_.clear();
    for (std::int32_t k = 0; k < n; ++k) {
        const std::int32_t s = start_[static_cast<std::size_t>(k)];
        const std::int32_t e = start_[static_cast<std::size_t>(k) + 1];
        for (std::int32_t a = s; a < e; ++a)
            for (std::int32_t b = s; b < e; ++b) {
                const std::int32_t t = offset_by_rank(index_[static_cast<std::size_t>(a)],
                                                      index_[static_cast<std::size_t>(b)]);
                assert(t >= 0); // the filled pattern is closed under elimination
                target_.push_back(t);
            }
    }
}

std::int32_t BlockLu::block_offset(std::int32_t i, std::int32_t j) const {
    const std::int32_t ri = rank_[static_cast<std::size_t>(i)];
    const std::int32_t rj = rank_[static_cast<std::size_t>(j)];
    if (ri == rj)
        return 4 * ri;
    const std::int32_t lo = std::min(ri, rj), hi = std::max(ri, rj);
    const auto first = index_.begin() + start_[static_cast<std::size_t>(lo)];
    const auto last = index_.begin() + start_[static_cast<std::size_t>(lo) + 1];
    const auto at = std::lower_bound(first, last, hi);
    if (at == last || *at != hi)
        return -1;
    const auto base = ri > rj ? lower_ : upper_;
    return static_cast<std::int32_t>(base + 4 * static_cast<std::size_t>(at - index_.begin()));
}

void BlockLu::set_zero() {
    std::fill(value_.begin(), value_.end(), 0.0);
}

std::int64_t BlockLu::filled_blocks() const {
    return n_ + 2 * static_cast<std::int64_t>(index_.size());
}

bool BlockLu::factor() {
    double* v = value_.data();
    const std::int32_t* target = target_.data();
    for (std::int32_t k = 0; k < n_; ++k) {
        // The pivot block, inverted in place.
        double* d = v + 4 * static_cast<std::size_t>(k);
        const double det = d[0] * d[3] - d[1] * d[2];
        const double scale = std::max(std::max(std::fabs(d[0]), std::fabs(d[1])),
                                      std::max(std::fabs(d[2]), std::fabs(d[3])));
        if (!(std::fabs(det) > 1e-13 * scale * scale) || !std::isfinite(det))
            return false;
        const double inv_det = 1.0 / det;
        const double d0 = d[0];
        d[0] = d[3] * inv_det;
        d[1] = -d[1] * inv_det;
        d[2] = -d[2] * inv_det;
        d[3] = d0 * inv_det;
        const std::int32_t s = start_[static_cast<std::size_t>(k)];
        const std::int32_t e = start_[static_cast<std::size_t>(k) + 1];
        // Column k of L becomes the multipliers L(:,k) D_k⁻¹.
        for (std::int32_t a = s; a < e; ++a) {
            double* l = v + lower_ + 4 * static_cast<std::size_t>(a);
            const double l0 = l[0], l1 = l[1], l2 = l[2], l3 = l[3];
            l[0] = l0 * d[0] + l1 * d[2];
            l[1] = l0 * d[1] + l1 * d[3];
            l[2] = l2 * d[0] + l3 * d[2];
            l[3] = l2 * d[1] + l3 * d[3];
        }
        // The Schur complement update, in the order analyze() listed it.
        for (std::int32_t a = s; a < e; ++a) {
            const double* l = v + lower_ + 4 * static_cast<std::size_t>(a);
            for (std::int32_t b = s; b < e; ++b)
                subtract_product(v + *target++, l, v + upper_ + 4 * static_cast<std::size_t>(b));
        }
    }
    return true;
}

void BlockLu::solve(std::span<double> b) {
    assert(static_cast<std::int32_t>(b.size()) == 2 * n_);
    const double* v = value_.data();
    double* y = work_.data();
    for (std::int32_t k = 0; k < n_; ++k) {
        const auto from = 2 * static_cast<std::size_t>(by_rank_[static_cast<std::size_t>(k)]);
        y[2 * k] = b[from];
        y[2 * k + 1] = b[from + 1];
    }
    // L y = b, L unit lower triangular by blocks.
    for (std::int32_t k = 0; k < n_; ++k) {
        const double y0 = y[2 * k], y1 = y[2 * k + 1];
        for (std::int32_t a = start_[static_cast<std::size_t>(k)];
             a < start_[static_cast<std::size_t>(k) + 1]; ++a) {
            const double* l = v + lower_ + 4 * static_cast<std::size_t>(a);
            double* yi = y + 2 * index_[static_cast<std::size_t>(a)];
            yi[0] -= l[0] * y0 + l[1] * y1;
            yi[1] -= l[2] * y0 + l[3] * y1;
        }
    }
    // U x = y, U upper triangular by blocks with the inverted pivots on the diagonal.
    for (std::int32_t k = n_ - 1; k >= 0; --k) {
        double t0 = y[2 * k], t1 = y[2 * k + 1];
        for (std::int32_t a = start_[static_cast<std::size_t>(k)];
             a < start_[static_cast<std::size_t>(k) + 1]; ++a) {
            const double* u = v + upper_ + 4 * static_cast<std::size_t>(a);
            const double* xj = y + 2 * index_[static_cast<std::size_t>(a)];
            t0 -= u[0] * xj[0] + u[1] * xj[1];
            t1 -= u[2] * xj[0] + u[3] * xj[1];
        }
        const double* d = v + 4 * static_cast<std::size_t>(k);
        y[2 * k] = d[0] * t0 + d[1] * t1;
        y[2 * k + 1] = d[2] * t0 + d[3] * t1;
    }
    for (std::int32_t k = 0; k < n_; ++k) {
        const auto to = 2 * static_cast<std::size_t>(by_rank_[static_cast<std::size_t>(k)]);
        b[to] = y[2 * k];
        b[to + 1] = y[2 * k + 1];
    }
}

} // namespace rencheng::power
