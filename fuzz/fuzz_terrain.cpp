// Fuzz target for the ESRI ASCII grid reader and elevation look-ups.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/city.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto t = rencheng::model::parse_terrain(text, "fuzz.asc", diags);
    // Invariant: a grid without errors holds exactly nrows × ncols values.
    if (!diags.has_errors() && t.elevation_m.size() != static_cast<std::size_t>(t.ncols) *
                                                           static_cast<std::size_t>(t.nrows))
        __builtin_trap();
    // Look-ups inside, on the edges of and outside the grid.
    const double w = t.ncols * t.cellsize_deg, h = t.nrows * t.cellsize_deg;
    for (double fx : {-0.1, 0.0, 0.37, 0.5, 1.0, 1.1})
        for (double fy : {-0.1, 0.0, 0.61, 1.0, 1.1})
            (void)t.elevation_at({t.xll_lon + fx * w, t.yll_lat + fy * h});
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
