// Elevation grid of the synthetic city: the plan's river valley and hills sampled on lon/lat cells.
#include <cmath>

#include "citygen/detail/layout.hpp"

namespace rencheng::citygen::detail {

model::Terrain make_terrain(const CityPlan& plan, const BoundingBox& box) {
    // 0.0007° cells: about 78 m north-south and 67 m east-west at 30° N, within the 50-100 m
    // of the open DEMs a city would use (SRTM 30 m resampled, ASTER GDEM).
    constexpr double kCell = 0.0007;
    model::Terrain t;
    t.cellsize_deg = kCell;
    t.nodata = -9999.0;
    // Snap the corner to whole cells and cover the box with one spare cell on every side.
    t.xll_lon = (std::floor(box.min_lon / kCell) - 1.0) * kCell;
    t.yll_lat = (std::floor(box.min_lat / kCell) - 1.0) * kCell;
    t.ncols = static_cast<int>(std::ceil((box.max_lon - t.xll_lon) / kCell)) + 1;
    t.nrows = static_cast<int>(std::ceil((box.max_lat - t.yll_lat) / kCell)) + 1;
    t.elevation_m.resize(static_cast<std::size_t>(t.ncols) * static_cast<std::size_t>(t.nrows));
    for (int r = 0; r < t.nrows; ++r) {
        // Row 0 is the northern row (file order); values are at cell centres.
        const double lat = t.yll_lat + (t.nrows - r - 0.5) * kCell;
        for (int c = 0; c < t.ncols; ++c) {
            const double lon = t.xll_lon + (c + 0.5) * kCell;
            const double h = plan.ground_m(plan.frame.to_xy({lon, lat}));
            // Kept to the centimetre the file holds, so memory and file agree.
            t.elevation_m[static_cast<std::size_t>(r) * static_cast<std::size_t>(t.ncols) +
                          static_cast<std::size_t>(c)] =
                static_cast<float>(std::round(h * 100.0) / 100.0);
        }
    }
    return t;
}

} // namespace rencheng::citygen::detail
