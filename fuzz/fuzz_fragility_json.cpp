// Fuzz target for the fragility JSON readers (our own form and IN-CORE DFR3): any input is
// handled without a crash, and every set read is valid and evaluates to probabilities.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hazard/fragility.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng::hazard;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics d1, d2, d3;
    const auto own = parse_fragility_json(text, "fuzz.json", d1);
    const auto dfr3 = parse_dfr3_json(text, "fuzz_dfr3.json", d2);
    FragilityLibrary lib;
    (void)lib.parse_json(text, "fuzz_lib.json", d3);
    for (const auto* d : {&d1, &d2, &d3})
        for (const auto& item : d->items())
            (void)rencheng::format_diagnostic(item);
    // Sets come back only without errors, and each is valid.
    if ((d1.has_errors() && !own.empty()) || (d2.has_errors() && !dfr3.empty()))
        __builtin_trap();
    for (const auto* sets : {&own, &dfr3})
        for (const auto& s : *sets) {
            rencheng::Diagnostics v;
            if (!s.validate(v))
                __builtin_trap();
            for (double im : {0.0, 0.1, 1.0, 10.0, 1e6}) {
                double sum = 0.0;
                for (double p : s.state_probabilities(im)) {
                    if (!(p >= -1e-12 && p <= 1.0 + 1e-12))
                        __builtin_trap();
                    sum += p;
                }
                if (std::abs(sum - 1.0) > 1e-9)
                    __builtin_trap();
                const int ds = s.sample(im, 0.5);
                if (ds < 0 || ds > static_cast<int>(s.states.size()))
                    __builtin_trap();
            }
        }
    return 0;
}
