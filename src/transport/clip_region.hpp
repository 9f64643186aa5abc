// A region to clip an OpenStreetMap import to: WGS84 polygons (GeoJSON Polygon or
// MultiPolygon) or a lon/lat box.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"

namespace rencheng::transport {

/// The union of polygons in WGS84 degrees; each polygon is an outer ring followed by its holes
/// (GeoJSON order). A point is inside when it lies inside some polygon's outer ring and inside
/// none of that polygon's holes (even-odd test in lon/lat, fine at city scale; a point exactly
/// on a ring may fall either way).
class ClipRegion {
public:
    using Ring = std::vector<LonLat>;
    using Polygon = std::vector<Ring>;

    /// The box [min_lon, max_lon] x [min_lat, max_lat], edges included.
    static ClipRegion box(const BoundingBox& b);
    /// Polygons as read; rings need at least 4 positions, first equal to last (not checked here:
    /// the reader checks).
    static ClipRegion polygons(std::vector<Polygon> polygons);

    [[nodiscard]] bool contains(LonLat p) const;
    [[nodiscard]] const std::vector<Polygon>& polygon_list() const { return polygons_; }
    [[nodiscard]] const BoundingBox& bounds() const { return bounds_; }

private:
    std::vector<Polygon> polygons_;
    BoundingBox bounds_;
    bool is_box_ = false;
};

/// Parses a clip region from GeoJSON text: a Polygon or MultiPolygon geometry, a Feature with
/// one, or a FeatureCollection of them (their union). Rings: arrays of at least 4 [lon, lat]
/// positions inside lon [-180, 180] / lat [-90, 90], the first equal to the last, enclosing a
/// non-zero area. Problems go to `diags` with the file and the line of the feature (line 1 for a
/// bare geometry); nullopt when there was an error or no polygon at all.
std::optional<ClipRegion> parse_clip_geojson(std::string_view text, const std::string& file,
                                             Diagnostics& diags);
std::optional<ClipRegion> read_clip_geojson(const std::filesystem::path& path, Diagnostics& diags);

/// Parses "min_lon,min_lat,max_lon,max_lat" (degrees); nullopt with `why` set when the text is
/// not four numbers, a coordinate is off the globe, or a minimum is not below its maximum.
std::optional<BoundingBox> parse_lonlat_box(std::string_view text, std::string& why);

} // namespace rencheng::transport
