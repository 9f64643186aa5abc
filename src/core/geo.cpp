// Great-circle distances, point-in-polygon and projections through PROJ.
#include "core/geo.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <proj.h>

#include "core/error.hpp"
#include "core/units.hpp"

namespace rencheng {

double haversine_m(LonLat a, LonLat b) {
    // Haversine formula (Sinnott 1984, "Virtues of the haversine"), well conditioned for the short
    // distances of a city; the clamp guards asin against rounding just above 1 for antipodes.
    const double phi1 = a.lat * units::kDegree;
    const double phi2 = b.lat * units::kDegree;
    const double dphi = (b.lat - a.lat) * units::kDegree;
    const double dlambda = (b.lon - a.lon) * units::kDegree;
    const double s1 = std::sin(dphi / 2.0);
    const double s2 = std::sin(dlambda / 2.0);
    const double h = s1 * s1 + std::cos(phi1) * std::cos(phi2) * s2 * s2;
    return 2.0 * units::kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
}

double polyline_length_m(const std::vector<LonLat>& line) {
    double length = 0.0;
    for (std::size_t i = 1; i < line.size(); ++i)
        length += haversine_m(line[i - 1], line[i]);
    return length;
}

bool point_in_ring(LonLat p, const std::vector<LonLat>& ring) {
    // Even-odd rule by ray crossing (W. R. Franklin, PNPOLY): count edges crossed by the ray going
    // east from p. Works for open and closed rings alike (a closing edge of length 0 never counts).
    bool inside = false;
    const std::size_t n = ring.size();
    for (std::size_t i = 0, j = n == 0 ? 0 : n - 1; i < n; j = i++) {
        const LonLat& a = ring[i];
        const LonLat& b = ring[j];
        if ((a.lat > p.lat) != (b.lat > p.lat) &&
            p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon)
            inside = !inside;
    }
    return inside;
}

namespace {

// A PROJ context of our own, silenced: the core never prints (STYLE.md), PROJ's reasons are
// returned through errors instead.
PJ_CONTEXT* new_context() {
    PJ_CONTEXT* ctx = proj_context_create();
    if (ctx != nullptr)
        proj_log_level(ctx, PJ_LOG_NONE);
    return ctx;
}

std::string context_error(PJ_CONTEXT* ctx) {
    const int err = proj_context_errno(ctx);
    const char* text = err != 0 ? proj_context_errno_string(ctx, err) : nullptr;
    return text != nullptr ? text : "not a coordinate reference system";
}

// Creates the CRS `crs` names, or nullptr. A bare PROJ string such as "+proj=utm +zone=50
// +datum=WGS84" describes an operation to PROJ unless it says "+type=crs", so one is retried
// with that suffix; `used` receives the definition that worked.
PJ* create_crs(PJ_CONTEXT* ctx, const std::string& crs, std::string& used) {
    used = crs;
    PJ* pj = proj_create(ctx, crs.c_str());
    if (pj != nullptr && proj_is_crs(pj) != 0)
        return pj;
    proj_destroy(pj);
    if (crs.find("+proj=") != std::string::npos && crs.find("+type=crs") == std::string::npos) {
        used = crs + " +type=crs";
        pj = proj_create(ctx, used.c_str());
        if (pj != nullptr && proj_is_crs(pj) != 0)
            return pj;
        proj_destroy(pj);
    }
    return nullptr;
}

} // namespace

bool is_known_crs(const std::string& crs, std::string* error) {
    PJ_CONTEXT* ctx = new_context();
    if (ctx == nullptr) {
        if (error != nullptr)
            *error = "cannot create a PROJ context";
        return false;
    }
    std::string used;
    PJ* pj = create_crs(ctx, crs, used);
    if (pj == nullptr && error != nullptr)
        *error = context_error(ctx);
    proj_destroy(pj); // accepts nullptr
    proj_context_destroy(ctx);
    return pj != nullptr;
}

struct Projection::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    std::string definition;
    ~Impl() {
        proj_destroy(pj);
        if (ctx != nullptr)
            proj_context_destroy(ctx);
    }
};

namespace {

// The operation WGS84 lon/lat → `crs`, normalised so input is (lon, lat) and output (east,
// north) whatever the axis order the EPSG definitions declare (PROJ ≥ 6 honours it otherwise).
PJ* make_operation(PJ_CONTEXT* ctx, const std::string& crs, std::string& reason) {
    std::string used;
    PJ* target = create_crs(ctx, crs, used);
    if (target == nullptr) {
        reason = context_error(ctx);
        return nullptr;
    }
    proj_destroy(target);
    PJ* op = proj_create_crs_to_crs(ctx, "EPSG:4326", used.c_str(), nullptr);
    if (op == nullptr) {
        reason = context_error(ctx);
        return nullptr;
    }
    PJ* normalised = proj_normalize_for_visualization(ctx, op);
    proj_destroy(op);
    if (normalised == nullptr)
        reason = context_error(ctx);
    return normalised;
}

} // namespace

Projection::Projection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Projection::Projection(Projection&&) noexcept = default;
Projection& Projection::operator=(Projection&&) noexcept = default;
Projection::~Projection() = default;

Projection Projection::to_crs(const std::string& crs) {
    auto impl = std::make_unique<Impl>();
    impl->definition = crs;
    impl->ctx = new_context();
    if (impl->ctx == nullptr)
        throw Error(ErrorCode::kProjectionFailed, "cannot create a PROJ context");
    std::string reason;
    impl->pj = make_operation(impl->ctx, crs, reason);
    if (impl->pj == nullptr)
        throw Error(ErrorCode::kUnknownCrs, "unknown CRS \"" + crs + "\": " + reason);
    return Projection(std::move(impl));
}

Projection Projection::local(LonLat origin) {
    // Azimuthal equidistant on WGS84 (Snyder 1987, "Map projections: a working manual", §25):
    // distances and azimuths from the origin are exact, the scale error elsewhere grows as
    // (d/R)^2 / 6, about 0.01 % at 50 km. "+type=crs" makes the string a CRS for crs_to_crs.
    char def[160];
    std::snprintf(def, sizeof def,
                  "+proj=aeqd +lat_0=%.12g +lon_0=%.12g +datum=WGS84 +units=m +type=crs",
                  origin.lat, origin.lon);
    try {
        return to_crs(def);
    } catch (const Error& e) {
        throw Error(ErrorCode::kProjectionFailed, e.what());
    }
}

Xy Projection::forward(LonLat p) const {
    proj_errno_reset(impl_->pj);
    const PJ_COORD out = proj_trans(impl_->pj, PJ_FWD, proj_coord(p.lon, p.lat, 0.0, 0.0));
    if (proj_errno(impl_->pj) != 0 || !std::isfinite(out.xy.x) || !std::isfinite(out.xy.y))
        throw Error(ErrorCode::kProjectionFailed, "cannot project (" + std::to_string(p.lon) +
                                                      ", " + std::to_string(p.lat) + ") to " +
                                                      impl_->definition);
    return {out.xy.x, out.xy.y};
}

LonLat Projection::inverse(Xy p) const {
    proj_errno_reset(impl_->pj);
    const PJ_COORD out = proj_trans(impl_->pj, PJ_INV, proj_coord(p.x, p.y, 0.0, 0.0));
    if (proj_errno(impl_->pj) != 0 || !std::isfinite(out.lp.lam) || !std::isfinite(out.lp.phi))
        throw Error(ErrorCode::kProjectionFailed, "cannot unproject (" + std::to_string(p.x) +
                                                      ", " + std::to_string(p.y) + ") from " +
                                                      impl_->definition);
    return {out.lp.lam, out.lp.phi};
}

const std::string& Projection::definition() const {
    return impl_->definition;
}

} // namespace rencheng
