// Counter-based deterministic random numbers (Philox4x32-10, Salmon et al. 2011).
#pragma once

#include <array>
#include <cstdint>

namespace rencheng {

/// The Philox4x32 bijection with 10 rounds: maps (counter, key) to four 32-bit words.
/// Salmon, Moraes, Dror & Shaw (2011), "Parallel random numbers: as easy as 1, 2, 3", SC'11.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key);

/// A stream of random numbers that depends only on (seed, realization, stream id): the key is the
/// seed (low word, high word), the counter holds (position low word, position high word,
/// realization, stream id), where position counts 128-bit blocks. So realization r of a Monte Carlo
/// run draws the same numbers whichever thread or MPI rank runs it and whatever ran before.
/// Stream ids name the purpose of the draws (damage sampling, repair durations, …) so that adding
/// draws for one purpose does not shift another's.
class RngStream {
public:
    RngStream(std::uint64_t seed, std::uint32_t realization, std::uint32_t stream_id);

    /// Next 64 uniformly distributed bits.
    std::uint64_t next_u64();
    /// Uniform in [0, 1) with 53 random bits.
    double uniform();
    /// Uniform in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n) without modulo bias. Precondition: n > 0.
    std::uint64_t below(std::uint64_t n);
    /// Standard normal (Box–Muller on two uniforms; deterministic, no cached state across calls
    /// other than the counter).
    double normal();
    double normal(double mean, double sd) { return mean + sd * normal(); }
    /// Lognormal with median `median` and logarithmic standard deviation `beta` (fragility form).
    double lognormal(double median, double beta);

    /// Draws consumed so far (each block of Philox output counts as one).
    [[nodiscard]] std::uint64_t position() const { return position_; }

private:
    std::array<std::uint32_t, 2> key_;
    std::uint32_t realization_;
    std::uint32_t stream_id_;
    std::uint64_t position_ = 0;
    std::array<std::uint32_t, 4> block_{};
    int used_ = 4; ///< words of block_ already handed out
    std::uint32_t next_u32();
};

} // namespace rencheng
