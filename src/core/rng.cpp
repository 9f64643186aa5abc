// Philox4x32-10 counter-based generator and the seeded streams built on it.
#include "core/rng.hpp"

#include <cmath>

#include "core/units.hpp"

namespace rencheng {

namespace {

// Constants of Philox4x32 (Salmon et al. 2011, §3.3 and Table 2): the two round multipliers and
// the Weyl-sequence increments of the key (golden ratio and sqrt(3) - 1, scaled to 2^32).
constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;
constexpr int kRounds = 10;

// One Philox round (paper §3.3): two 32x32 → 64-bit products; the high halves are xored with the
// other counter words and the round key, and the words are permuted.
void philox_round(std::array<std::uint32_t, 4>& x, const std::array<std::uint32_t, 2>& k) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kMultiplier0) * x[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kMultiplier1) * x[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
    const auto lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
    const auto lo1 = static_cast<std::uint32_t>(p1);
    x = {hi1 ^ x[1] ^ k[0], lo1, hi0 ^ x[3] ^ k[1], lo0};
}

} // namespace

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key) {
    // The key schedule adds the Weyl increments between rounds: round i uses key + i * W.
    for (int round = 0; round < kRounds; ++round) {
        if (round > 0) {
            key[0] += kWeyl0;
            key[1] += kWeyl1;
        }
        philox_round(counter, key);
    }
    return counter;
}

// Stream layout. Key: (seed bits 0..31, seed bits 32..63). Counter words:
//   c0 = block position bits 0..31, c1 = block position bits 32..63,
//   c2 = realization, c3 = stream id.
// Every (seed, realization, stream id) thus owns 2^64 blocks of 128 bits, disjoint from every
// other stream's, and block b of a stream is a pure function of (seed, realization, stream, b).
RngStream::RngStream(std::uint64_t seed, std::uint32_t realization, std::uint32_t stream_id)
    : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)},
      realization_(realization), stream_id_(stream_id) {}

std::uint32_t RngStream::next_u32() {
    if (used_ == 4) {
        block_ =
            philox4x32_10({static_cast<std::uint32_t>(position_),
                           static_cast<std::uint32_t>(position_ >> 32), realization_, stream_id_},
                          key_);
        ++position_;
        used_ = 0;
    }
    return block_[static_cast<std::size_t>(used_++)];
}

std::uint64_t RngStream::next_u64() {
    const std::uint64_t lo = next_u32();
    const std::uint64_t hi = next_u32();
    return (hi << 32) | lo;
}

double RngStream::uniform() {
    // The top 53 bits scaled by 2^-53: every double k * 2^-53 in [0, 1) equally likely.
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t RngStream::below(std::uint64_t n) {
    // Rejection sampling: 2^64 mod n values at the bottom are rejected so that what remains is a
    // whole number of copies of [0, n) (the method of OpenBSD's arc4random_uniform).
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
        const std::uint64_t r = next_u64();
        if (r >= threshold)
            return r % n;
    }
}

double RngStream::normal() {
    // Box & Muller (1958): sqrt(-2 ln u1) cos(2 pi u2) is standard normal for independent uniform
    // u1 in (0, 1] and u2 in [0, 1). The sine partner is discarded so no state is cached.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * units::kPi * u2);
}

double RngStream::lognormal(double median, double beta) {
    // ln X ~ N(ln median, beta^2), the usual parameterisation of fragility curves (HAZUS).
    return median * std::exp(beta * normal());
}

} // namespace rencheng
