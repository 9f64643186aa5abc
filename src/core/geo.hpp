// Geometry: lon/lat points, great-circle distances, and projections through PROJ.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace rencheng {

/// A WGS84 position in degrees (GeoJSON order: longitude first).
struct LonLat {
    double lon = 0.0;
    double lat = 0.0;
    friend bool operator==(const LonLat&, const LonLat&) = default;
};

/// A position in a local metric plane, metres (x east, y north).
struct Xy {
    double x = 0.0;
    double y = 0.0;
    friend bool operator==(const Xy&, const Xy&) = default;
};

struct BoundingBox {
    double min_lon = 0.0, min_lat = 0.0, max_lon = 0.0, max_lat = 0.0;
    [[nodiscard]] bool contains(LonLat p) const {
        return p.lon >= min_lon && p.lon <= max_lon && p.lat >= min_lat && p.lat <= max_lat;
    }
};

/// Great-circle distance on the mean-radius sphere (haversine), metres.
double haversine_m(LonLat a, LonLat b);

/// Length of a polyline by haversine, metres.
double polyline_length_m(const std::vector<LonLat>& line);

/// Even-odd point-in-polygon on a ring of lon/lat (planar test; fine at city scale).
bool point_in_ring(LonLat p, const std::vector<LonLat>& ring);

/// True when PROJ knows `crs` (e.g. "EPSG:4547", "EPSG:4326", a PROJ string or WKT).
/// `error` receives PROJ's reason when it does not.
bool is_known_crs(const std::string& crs, std::string* error = nullptr);

/// A projection between WGS84 lon/lat and a metric CRS, through PROJ. Each object owns its own
/// PROJ context, so projections on different threads do not share state; one object is not
/// thread-safe.
class Projection {
public:
    /// Azimuthal equidistant projection centred on `origin`: a local metric plane good to well
    /// under 0.1 % within 50 km of the origin.
    static Projection local(LonLat origin);
    /// Projection from WGS84 to `crs` (any CRS PROJ knows). Throws Error(kUnknownCrs).
    static Projection to_crs(const std::string& crs);

    Projection(Projection&&) noexcept;
    Projection& operator=(Projection&&) noexcept;
    ~Projection();

    /// lon/lat (degrees) → x/y (metres, CRS axis order normalised to east, north).
    /// Throws Error(kProjectionFailed) for a point PROJ cannot project.
    [[nodiscard]] Xy forward(LonLat p) const;
    /// x/y → lon/lat.
    [[nodiscard]] LonLat inverse(Xy p) const;
    [[nodiscard]] const std::string& definition() const;

private:
    struct Impl;
    explicit Projection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace rencheng
