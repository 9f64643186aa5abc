// Tests of Philox4x32-10 (known answers) and of the seeded streams' reproducibility and moments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace rencheng {
namespace {

using Block = std::array<std::uint32_t, 4>;

// Known-answer vectors of Random123 (kat_vectors, "philox4x32 10").
TEST(Philox, KnownAnswerZero) {
    EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
              (Block{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}));
}

TEST(Philox, KnownAnswerAllOnes) {
    EXPECT_EQ(philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                            {0xffffffffu, 0xffffffffu}),
              (Block{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}));
}

TEST(Philox, KnownAnswerPi) {
    EXPECT_EQ(philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                            {0xa4093822u, 0x299f31d0u}),
              (Block{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}));
}

// Stream layout documented in rng.cpp: key = seed halves, counter = (pos lo, pos hi, r, stream).
TEST(RngStream, FirstBlockIsPhiloxOfDocumentedCounter) {
    const std::uint64_t seed = 0x0123456789abcdefULL;
    RngStream s(seed, 7, 3);
    const Block b = philox4x32_10({0, 0, 7, 3}, {0x89abcdefu, 0x01234567u});
    EXPECT_EQ(s.next_u64(), (std::uint64_t{b[1]} << 32) | b[0]);
    EXPECT_EQ(s.next_u64(), (std::uint64_t{b[3]} << 32) | b[2]);
    EXPECT_EQ(s.position(), 1u);
    s.next_u64();
    EXPECT_EQ(s.position(), 2u);
}

std::vector<double> realization_draws(std::uint64_t seed, std::uint32_t r) {
    RngStream s(seed, r, 1);
    std::vector<double> v;
    for (int i = 0; i < 50; ++i)
        v.push_back(i % 3 == 0 ? s.normal() : s.uniform());
    v.push_back(static_cast<double>(s.below(1000)));
    v.push_back(s.lognormal(2.0, 0.5));
    return v;
}

TEST(RngStream, SameNumbersWhateverTheThreadCountAndOrder) {
    constexpr std::size_t kRealizations = 64;
    std::vector<std::vector<double>> reference(kRealizations);
    for (std::size_t r = kRealizations; r-- > 0;) // serially, in reverse order
        reference[r] = realization_draws(42, static_cast<std::uint32_t>(r));
    for (std::size_t threads : {1u, 2u, 4u}) {
        ThreadLimit limit(threads);
        std::vector<std::vector<double>> got(kRealizations);
        parallel_for(kRealizations, [&](std::size_t r) {
            got[r] = realization_draws(42, static_cast<std::uint32_t>(r));
        });
        EXPECT_EQ(got, reference) << "threads " << threads;
    }
}

TEST(RngStream, DifferentSeedsRealizationsAndStreamsDiffer) {
    std::set<std::uint64_t> first;
    for (std::uint64_t seed : {1ULL, 2ULL, 1ULL << 32})
        for (std::uint32_t r : {0u, 1u})
            for (std::uint32_t id : {0u, 1u, 2u})
                first.insert(RngStream(seed, r, id).next_u64());
    EXPECT_EQ(first.size(), 18u);
}

TEST(RngStream, UniformMomentsOver1e5Draws) {
    // Tolerances are 5 standard errors: mean sd = sqrt(1/12/n); sample variance sd =
    // sqrt((1/80 - 1/144)/n). With a fixed seed the test is deterministic anyway.
    constexpr int n = 100000;
    RngStream s(2024, 0, 0);
    double sum = 0.0, sum2 = 0.0, lo = 1.0, hi = 0.0;
    for (int i = 0; i < n; ++i) {
        const double u = s.uniform();
        sum += u;
        sum2 += u * u;
        lo = std::min(lo, u);
        hi = std::max(hi, u);
    }
    const double mean = sum / n;
    const double var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
    EXPECT_NEAR(var, 1.0 / 12.0, 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
    EXPECT_GE(lo, 0.0);
    EXPECT_LT(hi, 1.0);
    EXPECT_LT(lo, 1e-3);
    EXPECT_GT(hi, 1.0 - 1e-3);
}

TEST(RngStream, NormalMomentsOver1e5Draws) {
    // 5 standard errors: mean sd = 1/sqrt(n), variance sd = sqrt(2/n), third moment sd
    // = sqrt(15/n), kurtosis (fourth moment, 3) sd = sqrt(96/n).
    constexpr int n = 100000;
    RngStream s(7, 3, 9);
    double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
    for (int i = 0; i < n; ++i) {
        const double z = s.normal();
        m1 += z;
        m2 += z * z;
        m3 += z * z * z;
        m4 += z * z * z * z;
    }
    EXPECT_NEAR(m1 / n, 0.0, 5 / std::sqrt(double(n)));
    EXPECT_NEAR(m2 / n, 1.0, 5 * std::sqrt(2.0 / n));
    EXPECT_NEAR(m3 / n, 0.0, 5 * std::sqrt(15.0 / n));
    EXPECT_NEAR(m4 / n, 3.0, 5 * std::sqrt(96.0 / n));
}

TEST(RngStream, LognormalMedian) {
    constexpr int n = 20001;
    RngStream s(11, 0, 4);
    std::vector<double> v(n);
    for (auto& x : v)
        x = s.lognormal(0.6, 0.4);
    std::nth_element(v.begin(), v.begin() + n / 2, v.end());
    // Sample median of n draws: sd ≈ 1.2533 * sigma_ln / sqrt(n) in log space ≈ 0.0035.
    EXPECT_NEAR(std::log(v[n / 2] / 0.6), 0.0, 0.02);
    EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](double x) { return x > 0.0; }));
}

TEST(RngStream, BelowStaysInRangeAndCoversIt) {
    RngStream s(5, 0, 0);
    std::vector<int> counts(7, 0);
    for (int i = 0; i < 70000; ++i) {
        const auto k = s.below(7);
        ASSERT_LT(k, 7u);
        ++counts[k];
    }
    for (int c : counts)
        EXPECT_NEAR(c, 10000, 500); // 5 sd of a binomial(70000, 1/7)
    EXPECT_EQ(s.below(1), 0u);
    const std::uint64_t big = (1ULL << 63) + 12345;
    for (int i = 0; i < 1000; ++i)
        ASSERT_LT(s.below(big), big);
}

TEST(RngStream, UniformRangeOverload) {
    RngStream s(9, 9, 9);
    for (int i = 0; i < 1000; ++i) {
        const double x = s.uniform(-3.0, 5.0);
        ASSERT_GE(x, -3.0);
        ASSERT_LT(x, 5.0);
    }
}

} // namespace
} // namespace rencheng
