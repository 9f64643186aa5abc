// Fuzz target for the city.toml parser: any input must be handled without a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/city.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto toml = rencheng::model::parse_city_toml(text, "fuzz.toml", diags);
    // Invariant: an extent that was accepted is a proper box.
    const auto& e = toml.info.extent;
    const bool zero = e.min_lon == 0 && e.min_lat == 0 && e.max_lon == 0 && e.max_lat == 0;
    if (!zero && !(e.min_lon < e.max_lon && e.min_lat < e.max_lat))
        __builtin_trap();
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
