// Fuzz target for the clip-region reader (roads import-osm --clip): any input must be handled
// without a crash, and a region that is returned must be usable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/clip_region.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto region = rencheng::transport::parse_clip_geojson(text, "fuzz.geojson", diags);
    // Invariants: a region comes back exactly when there is no error; every ring is closed
    // with at least 4 positions; containment can be asked anywhere.
    if (region.has_value() == diags.has_errors())
        __builtin_trap();
    if (region) {
        if (region->polygon_list().empty())
            __builtin_trap();
        for (const auto& polygon : region->polygon_list())
            for (const auto& ring : polygon)
                if (ring.size() < 4 || !(ring.front() == ring.back()))
                    __builtin_trap();
        const auto& b = region->bounds();
        (void)region->contains({0.5 * (b.min_lon + b.max_lon), 0.5 * (b.min_lat + b.max_lat)});
        (void)region->contains({0.0, 0.0});
    }
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
