// Tables of FixedPower.
#include "core/fixed_power.hpp"

namespace rencheng {

FixedPower::FixedPower(double p) : p_(p) {
    c1 = p;
    c2 = c1 * (p - 1.0) / 2.0;
    c3 = c2 * (p - 2.0) / 3.0;
    c4 = c3 * (p - 3.0) / 4.0;
    c5 = c4 * (p - 4.0) / 5.0;
    const auto pl = static_cast<long double>(p);
    for (std::size_t k = 0; k < 256; ++k) {
        const long double c = 1.0L + (static_cast<long double>(k) + 0.5L) / 256.0L;
        inv_centre[k] = static_cast<double>(1.0L / c);
        centre_power[k] = static_cast<double>(std::pow(c, pl));
    }
    for (std::size_t b = 1; b < 2047; ++b)
        scale[b] = static_cast<double>(std::exp2(pl * (static_cast<long double>(b) - 1023.0L)));
}

} // namespace rencheng
