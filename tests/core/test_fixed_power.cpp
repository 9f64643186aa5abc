// Tests of FixedPower, the tabulated x^p of the solvers' power laws.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/fixed_power.hpp"

namespace rencheng {
namespace {

TEST(FixedPower, WithinFourUlpsOfTheExactPowerOverTheWholeRange) {
    // drainage's friction and Manning powers, water's Hazen-Williams 0.852 and a few others,
    // against libm's pow (itself within 1.1e-16): x log-uniform from 1e-280 to 1e280 and over
    // the hydraulic radii of a drainage network, 1e-7 m to 60 m
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> decade(-280.0, 280.0);
    for (const double p : {1.33333, 2.0 / 3.0, 0.852, 0.5, 1.0, 1.85}) {
        const FixedPower power(p);
        EXPECT_EQ(power.exponent(), p);
        double worst = 0;
        const auto check = [&](double x) {
            const double exact = std::pow(x, p);
            if (exact > 1e-290 && exact < 1e290) // beyond, (2^E)^p under- or overflows
                worst = std::max(worst, std::abs(power(x) - exact) / exact);
        };
        for (int i = 0; i < 20000; ++i)
            check(std::pow(10.0, decade(rng)));
        for (double x = 1e-7; x < 60.0; x *= 1.0007)
            check(x);
        for (const double x : {1.0, 2.0, std::nextafter(2.0, 0.0), 1.0 + 1.0 / 512, 1e-290,
                               std::numeric_limits<double>::max() / 4})
            check(x);
        EXPECT_LT(worst, 4.5e-16) << "p = " << p;
    }
}

TEST(FixedPower, OutsideItsRangeItIsStdPow) {
    const FixedPower power(2.0 / 3.0);
    EXPECT_EQ(power(0.0), 0.0);
    EXPECT_NEAR(power(1e-300), std::pow(1e-300, 2.0 / 3.0), 4e-16 * std::pow(1e-300, 2.0 / 3.0));
    EXPECT_EQ(power(-0.0), std::pow(-0.0, 2.0 / 3.0));
    EXPECT_EQ(power(4e-320), std::pow(4e-320, 2.0 / 3.0));
    EXPECT_TRUE(std::isnan(power(-1.0)));
    EXPECT_TRUE(std::isnan(power(std::numeric_limits<double>::quiet_NaN())));
    EXPECT_TRUE(std::isinf(power(std::numeric_limits<double>::infinity())));
    // overflow of a power above one: infinity, as std::pow
    EXPECT_TRUE(std::isinf(FixedPower(1.33333)(1e300)));
}

} // namespace
} // namespace rencheng
