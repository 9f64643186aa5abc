// Clip regions for the OpenStreetMap import: GeoJSON polygons or a lon/lat box.
#include "transport/clip_region.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/atomic_file.hpp"
#include "core/geojson.hpp"
#include "core/json_reader.hpp"

namespace rencheng::transport {

namespace {

using nlohmann::json;

BoundingBox bounds_of(const std::vector<ClipRegion::Polygon>& polygons) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    BoundingBox b{kInf, kInf, -kInf, -kInf};
    for (const auto& polygon : polygons)
        for (const LonLat& p : polygon.front()) { // the holes lie inside the outer ring
            b.min_lon = std::min(b.min_lon, p.lon);
            b.min_lat = std::min(b.min_lat, p.lat);
            b.max_lon = std::max(b.max_lon, p.lon);
            b.max_lat = std::max(b.max_lat, p.lat);
        }
    return b;
}

/// Twice the signed planar area of a ring in degrees² (shoelace).
double twice_area(const ClipRegion::Ring& ring) {
    double s = 0.0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        s += ring[i].lon * ring[i + 1].lat - ring[i + 1].lon * ring[i].lat;
    return s;
}

std::optional<ClipRegion::Ring> read_ring(const json& v, GeoJsonFeatureContext& ctx,
                                          const std::string& what) {
    if (!v.is_array()) {
        ctx.error(ErrorCode::kBadGeometry, what + " is not an array of positions");
        return std::nullopt;
    }
    if (v.size() < 4) {
        ctx.error(ErrorCode::kBadGeometry, what + " has " + std::to_string(v.size()) +
                                               " position(s); a closed ring needs at least 4");
        return std::nullopt;
    }
    ClipRegion::Ring ring;
    bool ok = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto p = read_position(v[i], ctx, what + " position " + std::to_string(i + 1)))
            ring.push_back(*p);
        else
            ok = false;
    }
    if (!ok)
        return std::nullopt;
    if (!(ring.front() == ring.back())) {
        ctx.error(ErrorCode::kBadGeometry,
                  what + " is not closed: its first and last positions differ (RFC 7946 3.1.6)");
        return std::nullopt;
    }
    if (twice_area(ring) == 0.0) {
        ctx.error(ErrorCode::kBadGeometry, what + " encloses no area");
        return std::nullopt;
    }
    return ring;
}

/// The rings of one Polygon's "coordinates"; appends the polygon to `out` when all are valid.
void read_polygon(const json& coords, GeoJsonFeatureContext& ctx, const std::string& what,
                  std::vector<ClipRegion::Polygon>& out) {
    if (!coords.is_array() || coords.empty()) {
        ctx.error(ErrorCode::kBadGeometry, what + " has no rings (its 'coordinates' must be a "
                                                  "non-empty array of rings)");
        return;
    }
    ClipRegion::Polygon polygon;
    bool ok = true;
    for (std::size_t r = 0; r < coords.size(); ++r) {
        const std::string ring_name =
            what + (r == 0 ? std::string(" outer ring") : " hole " + std::to_string(r));
        if (auto ring = read_ring(coords[r], ctx, ring_name))
            polygon.push_back(std::move(*ring));
        else
            ok = false;
    }
    if (ok)
        out.push_back(std::move(polygon));
}

/// A Polygon or MultiPolygon geometry object.
void read_geometry(const json& geom, GeoJsonFeatureContext& ctx,
                   std::vector<ClipRegion::Polygon>& out) {
    if (!geom.is_object()) {
        ctx.error(ErrorCode::kBadGeometry,
                  "geometry is " + json_type_name(geom) + ", not a Polygon or MultiPolygon object");
        return;
    }
    const json* type = find_key(geom, "type");
    const std::string t = type != nullptr && type->is_string() ? type->get<std::string>() : "";
    const json* coords = find_key(geom, "coordinates");
    if (t != "Polygon" && t != "MultiPolygon") {
        ctx.error(ErrorCode::kBadGeometry,
                  "geometry must be a Polygon or MultiPolygon, not " +
                      (t.empty() ? std::string("an object without a string 'type'") : t));
        return;
    }
    if (coords == nullptr) {
        ctx.error(ErrorCode::kBadGeometry, t + " has no 'coordinates'");
        return;
    }
    if (t == "Polygon") {
        read_polygon(*coords, ctx, "polygon", out);
        return;
    }
    if (!coords->is_array() || coords->empty()) {
        ctx.error(ErrorCode::kBadGeometry, "MultiPolygon 'coordinates' must be a non-empty array "
                                           "of polygons");
        return;
    }
    for (std::size_t k = 0; k < coords->size(); ++k)
        read_polygon((*coords)[k], ctx, "polygon " + std::to_string(k + 1), out);
}

void read_feature(const json& f, GeoJsonFeatureContext& ctx,
                  std::vector<ClipRegion::Polygon>& out) {
    if (!f.is_object() || f.value("type", json()) != "Feature") {
        ctx.error(ErrorCode::kWrongType, "element of 'features' is not a GeoJSON Feature");
        return;
    }
    const json* geom = find_key(f, "geometry");
    if (geom == nullptr || geom->is_null()) {
        ctx.error(ErrorCode::kBadGeometry, "feature has no geometry");
        return;
    }
    read_geometry(*geom, ctx, out);
}

std::optional<double> to_number(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    double v = 0.0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

} // namespace

ClipRegion ClipRegion::box(const BoundingBox& b) {
    ClipRegion c;
    c.polygons_ = {{{{b.min_lon, b.min_lat},
                     {b.max_lon, b.min_lat},
                     {b.max_lon, b.max_lat},
                     {b.min_lon, b.max_lat},
                     {b.min_lon, b.min_lat}}}};
    c.bounds_ = b;
    c.is_box_ = true;
    return c;
}

ClipRegion ClipRegion::polygons(std::vector<Polygon> polygons) {
    ClipRegion c;
    c.polygons_ = std::move(polygons);
    c.bounds_ = bounds_of(c.polygons_);
    return c;
}

bool ClipRegion::contains(LonLat p) const {
    if (!bounds_.contains(p))
        return false;
    if (is_box_)
        return true; // the box test is exact, edges included
    for (const Polygon& polygon : polygons_) {
        if (!point_in_ring(p, polygon.front()))
            continue;
        const bool in_hole = std::any_of(polygon.begin() + 1, polygon.end(),
                                         [&](const Ring& hole) { return point_in_ring(p, hole); });
        if (!in_hole)
            return true;
    }
    return false;
}

std::optional<ClipRegion> parse_clip_geojson(std::string_view text, const std::string& file,
                                             Diagnostics& diags) {
    const std::size_t errors_before = diags.error_count();
    const JsonDocument doc = parse_json(text, file, diags);
    if (doc.root.is_null())
        return std::nullopt; // syntax error, already reported
    std::vector<ClipRegion::Polygon> polygons;
    GeoJsonFeatureContext top{diags, file, 1, ""};
    const json* type = doc.root.is_object() ? find_key(doc.root, "type") : nullptr;
    const std::string t = type != nullptr && type->is_string() ? type->get<std::string>() : "";
    if (t == "FeatureCollection") {
        const json* features = find_key(doc.root, "features");
        if (features == nullptr || !features->is_array()) {
            top.error(ErrorCode::kMissingKey, "the FeatureCollection has no 'features' array");
            return std::nullopt;
        }
        for (std::size_t i = 0; i < features->size(); ++i) {
            const int line = i < doc.feature_lines.size() ? doc.feature_lines[i] : 0;
            GeoJsonFeatureContext ctx{diags, file, line, ""};
            read_feature((*features)[i], ctx, polygons);
        }
    } else if (t == "Feature") {
        read_feature(doc.root, top, polygons);
    } else if (t == "Polygon" || t == "MultiPolygon") {
        read_geometry(doc.root, top, polygons);
    } else {
        top.error(ErrorCode::kWrongType, "top level must be a GeoJSON Polygon, MultiPolygon, "
                                         "Feature or FeatureCollection" +
                                             (t.empty() ? std::string() : ", not " + t));
        return std::nullopt;
    }
    if (diags.error_count() > errors_before)
        return std::nullopt;
    if (polygons.empty()) {
        top.error(ErrorCode::kBadGeometry, "no polygon to clip to");
        return std::nullopt;
    }
    return ClipRegion::polygons(std::move(polygons));
}

std::optional<ClipRegion> read_clip_geojson(const std::filesystem::path& path, Diagnostics& diags) {
    const auto text = read_file(path, diags);
    return text ? parse_clip_geojson(*text, path.string(), diags) : std::nullopt;
}

std::optional<BoundingBox> parse_lonlat_box(std::string_view text, std::string& why) {
    std::vector<double> v;
    std::size_t pos = 0;
    while (true) {
        const auto comma = text.find(',', pos);
        const std::string_view part = text.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        const auto x = to_number(part);
        if (!x) {
            why = "'" + std::string(part) + "' is not a number";
            return std::nullopt;
        }
        v.push_back(*x);
        if (comma == std::string_view::npos)
            break;
        pos = comma + 1;
    }
    if (v.size() != 4) {
        why = "expected 4 numbers min_lon,min_lat,max_lon,max_lat, got " + std::to_string(v.size());
        return std::nullopt;
    }
    const BoundingBox b{v[0], v[1], v[2], v[3]};
    if (b.min_lon < -180.0 || b.max_lon > 180.0 || b.min_lat < -90.0 || b.max_lat > 90.0) {
        why = "longitudes must lie in [-180, 180] and latitudes in [-90, 90]";
        return std::nullopt;
    }
    if (!(b.min_lon < b.max_lon) || !(b.min_lat < b.max_lat)) {
        why = "min_lon must be below max_lon and min_lat below max_lat";
        return std::nullopt;
    }
    return b;
}

} // namespace rencheng::transport
