// BlockLu: right-looking block LU with 2x2 pivots and a precomputed update list.
#include "power/block_lu.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rencheng::power {

namespace {

/// How many pair updates ahead factor() prefetches its target (the list is padded by as many).
constexpr std::size_t kPrefetchAhead = 8;

/// Two doubles, one row of a 2x2 block.
using Lanes = double __attribute__((vector_size(16)));
inline Lanes load(const double* p) {
    Lanes x;
    __builtin_memcpy(&x, p, sizeof x);
    return x;
}
inline void store(double* p, Lanes x) {
    __builtin_memcpy(p, &x, sizeof x);
}

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
    // Diagonal blocks first; the pairs from the next 64-byte boundary (value_ is line aligned).
    pair_ = (4 * ns + 7) / 8 * 8;
    value_.assign(pair_ + 8 * index_.size(), 0.0);
    work_.assign(2 * ns, 0.0);

    // The update list: step k subtracts L(i,k) D_k⁻¹ U(k,j) from block (i, j) for every pair i, j
    // of column k's structure. The diagonal ones (i = j) need no list; the others come in mirror
    // pairs (i, j) and (j, i), which share a block pair: one offset for both.
    auto pair_by_rank = [&](std::int32_t lo, std::int32_t hi) -> std::int32_t {
        const auto first = index_.begin() + start_[static_cast<std::size_t>(lo)];
        const auto last = index_.begin() + start_[static_cast<std::size_t>(lo) + 1];
        const auto at = std::lower_bound(first, last, hi);
        if (at == last || *at != hi)
            return -1;
        return static_cast<std::int32_t>(pair_ + 8 * static_cast<std::size_t>(at - index_.begin()));
    };
    // The pairs that only fill-in creates are zeroed by factor() at the step that first updates
    // them (the line is then in cache for that update): the caller writes the pattern's blocks.
    std::vector<std::uint8_t> zeroed(index_.size(), 0);
    for (std::int32_t j = 0; j < n; ++j)
        for (std::int32_t p = col_start[static_cast<std::size_t>(j)];
             p < col_start[static_cast<std::size_t>(j) + 1]; ++p) {
            const std::int32_t ri =
                rank_[static_cast<std::size_t>(row[static_cast<std::size_t>(p)])];
            const std::int32_t rj = rank_[static_cast<std::size_t>(j)];
            if (ri > rj)
                zeroed[(static_cast<std::size_t>(pair_by_rank(rj, ri)) - pair_) / 8] = 1;
        }
    target_.clear();
    zero_.clear();
    zero_start_.assign(ns + 1, 0);
    for (std::int32_t k = 0; k < n; ++k) {
        const std::int32_t s = start_[static_cast<std::size_t>(k)];
        const std::int32_t e = start_[static_cast<std::size_t>(k) + 1];
        for (std::int32_t a = s; a < e; ++a)
            for (std::int32_t b = a + 1; b < e; ++b) {
                const std::int32_t t = pair_by_rank(index_[static_cast<std::size_t>(a)],
                                                    index_[static_cast<std::size_t>(b)]);
                assert(t >= 0); // the filled pattern is closed under elimination
                target_.push_back(t);
                auto& z = zeroed[(static_cast<std::size_t>(t) - pair_) / 8];
                if (!z) {
                    z = 1;
                    zero_.push_back(t);
                }
            }
        zero_start_[static_cast<std::size_t>(k) + 1] = static_cast<std::int32_t>(zero_.size());
    }
    pair_updates_ = target_.size();
    target_.insert(target_.end(), kPrefetchAhead, 0); // prefetched, never updated
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
    // The lower block of the pair first, the upper one after it.
    return static_cast<std::int32_t>(pair_ + 8 * static_cast<std::size_t>(at - index_.begin()) +
                                     (ri > rj ? 0 : 4));
}

void BlockLu::set_zero() {
    std::fill(value_.begin(), value_.end(), 0.0);
}

std::int64_t BlockLu::filled_blocks() const {
    return n_ + 2 * static_cast<std::int64_t>(index_.size());
}

std::int64_t BlockLu::updates() const {
    return static_cast<std::int64_t>(index_.size()) + 2 * static_cast<std::int64_t>(pair_updates_);
}

bool BlockLu::factor() {
    return factor_impl<false>(nullptr);
}

bool BlockLu::factor_solve_in_rank_order(std::span<double> b) {
    assert(static_cast<std::int32_t>(b.size()) == 2 * n_);
    if (!factor_impl<true>(b.data()))
        return false;
    backward(b.data());
    return true;
}

template <bool kForward> bool BlockLu::factor_impl(double* y) {
    double* v = value_.data();
    double* pairs = v + pair_;
    const std::int32_t* target = target_.data();
    const std::int32_t* index = index_.data();
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
        for (std::int32_t z = zero_start_[static_cast<std::size_t>(k)];
             z < zero_start_[static_cast<std::size_t>(k) + 1]; ++z)
            std::fill_n(v + zero_[static_cast<std::size_t>(z)], 8, 0.0);
        // Column k of L becomes the multipliers L(:,k) D_k⁻¹.
        for (std::int32_t a = s; a < e; ++a) {
            double* l = pairs + 8 * static_cast<std::size_t>(a);
            const double l0 = l[0], l1 = l[1], l2 = l[2], l3 = l[3];
            l[0] = l0 * d[0] + l1 * d[2];
            l[1] = l0 * d[1] + l1 * d[3];
            l[2] = l2 * d[0] + l3 * d[2];
            l[3] = l2 * d[1] + l3 * d[3];
            if constexpr (kForward) {
                // y_k is final: the forward substitution's step k while the column is at hand.
                double* yi = y + 2 * index[a];
                yi[0] -= l[0] * y[2 * k] + l[1] * y[2 * k + 1];
                yi[1] -= l[2] * y[2 * k] + l[3] * y[2 * k + 1];
            }
        }
        // The Schur complement update, in the order analyze() listed it: for rows a < b of
        // column k, block (b, a) -= L(b,k) U(k,a) and its mirror (a, b) -= L(a,k) U(k,b), which
        // sit side by side.
        for (std::int32_t a = s; a < e; ++a) {
            const double* la = pairs + 8 * static_cast<std::size_t>(a);
            subtract_product(v + 4 * static_cast<std::size_t>(index[a]), la, la + 4);
            // L(a,k) and U(k,a) in registers: the stores below cannot alias them. The rows of
            // the 2x2 blocks are 2-lane vectors (GCC/Clang vector extension: SSE2 on x86-64,
            // NEON on Arm), each product row a(r,0)·b(0,:) + a(r,1)·b(1,:).
            const double l0 = la[0], l1 = la[1], l2 = la[2], l3 = la[3];
            const Lanes u_top = load(la + 4), u_bottom = load(la + 6);
            for (std::int32_t b = a + 1; b < e; ++b) {
                const double* lb = pairs + 8 * static_cast<std::size_t>(b);
                // The targets are scattered over the factor: ask for the line a few updates
                // ahead (the list is known), which hides most of its latency.
                __builtin_prefetch(v + target[kPrefetchAhead], 1);
                double* t = v + *target++;
                const Lanes w_top = load(lb + 4), w_bottom = load(lb + 6);
                // Block (b, a) -= L(b,k) U(k,a); block (a, b) -= L(a,k) U(k,b).
                store(t, load(t) - (lb[0] * u_top + lb[1] * u_bottom));
                store(t + 2, load(t + 2) - (lb[2] * u_top + lb[3] * u_bottom));
                store(t + 4, load(t + 4) - (l0 * w_top + l1 * w_bottom));
                store(t + 6, load(t + 6) - (l2 * w_top + l3 * w_bottom));
            }
        }
    }
    return true;
}

void BlockLu::solve(std::span<double> b) {
    assert(static_cast<std::int32_t>(b.size()) == 2 * n_);
    double* y = work_.data();
    for (std::int32_t k = 0; k < n_; ++k) {
        const auto from = 2 * static_cast<std::size_t>(by_rank_[static_cast<std::size_t>(k)]);
        y[2 * k] = b[from];
        y[2 * k + 1] = b[from + 1];
    }
    solve_in_rank_order(std::span<double>(work_));
    for (std::int32_t k = 0; k < n_; ++k) {
        const auto to = 2 * static_cast<std::size_t>(by_rank_[static_cast<std::size_t>(k)]);
        b[to] = y[2 * k];
        b[to + 1] = y[2 * k + 1];
    }
}

void BlockLu::solve_in_rank_order(std::span<double> b) {
    assert(static_cast<std::int32_t>(b.size()) == 2 * n_);
    const double* pairs = value_.data() + pair_;
    const std::int32_t* index = index_.data();
    double* y = b.data();
    // L y = b, L unit lower triangular by blocks.
    for (std::int32_t k = 0; k < n_; ++k) {
        const double y0 = y[2 * k], y1 = y[2 * k + 1];
        for (std::int32_t a = start_[static_cast<std::size_t>(k)];
             a < start_[static_cast<std::size_t>(k) + 1]; ++a) {
            const double* l = pairs + 8 * static_cast<std::size_t>(a);
            double* yi = y + 2 * index[a];
            yi[0] -= l[0] * y0 + l[1] * y1;
            yi[1] -= l[2] * y0 + l[3] * y1;
        }
    }
    backward(y);
}

void BlockLu::backward(double* y) const {
    const double* v = value_.data();
    const double* pairs = v + pair_;
    const std::int32_t* index = index_.data();
    // U x = y, U upper triangular by blocks with the inverted pivots on the diagonal.
    for (std::int32_t k = n_ - 1; k >= 0; --k) {
        double t0 = y[2 * k], t1 = y[2 * k + 1];
        for (std::int32_t a = start_[static_cast<std::size_t>(k)];
             a < start_[static_cast<std::size_t>(k) + 1]; ++a) {
            const double* u = pairs + 8 * static_cast<std::size_t>(a) + 4;
            const double* xj = y + 2 * index[a];
            t0 -= u[0] * xj[0] + u[1] * xj[1];
            t1 -= u[2] * xj[0] + u[3] * xj[1];
        }
        const double* d = v + 4 * static_cast<std::size_t>(k);
        y[2 * k] = d[0] * t0 + d[1] * t1;
        y[2 * k + 1] = d[2] * t0 + d[3] * t1;
    }
}

} // namespace rencheng::power
