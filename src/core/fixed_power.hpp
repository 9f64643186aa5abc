// x^p for one exponent p fixed at construction, from tables: the power laws of the solvers
// (water's Hazen-Williams |q|^0.852 at every Newton iteration, drainage's R^(4/3) and R^(2/3) at
// every Picard trial) without a libm call each.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>

namespace rencheng {

/// x^p for one exponent p, within 4e-16 relative of the exact power (libm's pow: 1.1e-16) where
/// x^p lies between 1e-290 and 1e290 (beyond, for p > 1, the tabulated (2^E)^p under- or
/// overflows: 0 or infinity, less precise just inside), with
/// one fixed sequence of double operations (no fused multiply-add), so the same bits on every
/// machine. With x = 2^E·m (1 ≤ m < 2) and m in interval k of 256 equal ones of [1, 2), centre
/// c_k = 1 + (k + ½)/256: x^p = (2^E)^p · c_k^p · (1 + t)^p with t = (m − c_k)/c_k, |t| < 1/512;
/// (2^E)^p and c_k^p come from tables computed in long double and rounded once, (1 + t)^p = 1 + s
/// from its binomial series to t⁵ (the next term is below 1e-18), and c_k^p·(1 + s) is taken as
/// c_k^p + c_k^p·s. The tables are public so that a kernel working on several lanes at once
/// (water's flow_powers) gives the same bits as operator().
class FixedPower {
public:
    explicit FixedPower(double p);

    [[nodiscard]] double exponent() const { return p_; }

    /// x^p from the tables for positive normal x; std::pow(x, p) itself for zero, subnormal,
    /// negative, infinite and NaN x.
    double operator()(double x) const {
        const auto bits = std::bit_cast<std::uint64_t>(x);
        // the biased exponent: 1 … 2046 for positive normal x (a sign bit makes it ≥ 2048)
        if ((bits >> 52) - 1 >= 2046)
            return std::pow(x, p_);
        const auto k = static_cast<std::size_t>((bits >> 44) & 0xff); // the mantissa's top 8 bits
        const double m =
            std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
        // c_k: the same top eight bits and a one below them (exactly 1 + (k + ½)/256)
        const double c =
            std::bit_cast<double>((bits & 0x000ff00000000000ULL) | 0x3ff0080000000000ULL);
        const double t = (m - c) * inv_centre[k]; // m − c is exact
        const double t2 = t * t;
        const double s = c1 * t + t2 * ((c2 + c3 * t) + t2 * (c4 + c5 * t));
        return scale[static_cast<std::size_t>(bits >> 52)] *
               (centre_power[k] + centre_power[k] * s);
    }

    double c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0; ///< binomial coefficients C(p, 1..5)
    std::array<double, 256> inv_centre{};          ///< 1 / c_k
    std::array<double, 256> centre_power{};        ///< c_k^p
    /// per biased binary exponent b = E + 1023: (2^E)^p; 0 for b = 0 and 2047 (zero and
    /// subnormals, infinity and NaN), which operator() does not look up.
    std::array<double, 2048> scale{};

private:
    double p_;
};

} // namespace rencheng
