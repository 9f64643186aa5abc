// Flood impacts: street depth from ponded volume, road speed in standing water, nearest node.
#include "drainage/flood.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "drainage/routing.hpp"

namespace rencheng::drainage {

double ponded_street_depth_m(double ponded_volume_m3, double ponded_area_m2,
                             const StreetFloodOptions& options) {
    if (!(ponded_volume_m3 > 0.0))
        return 0.0;
    const double area = std::max(ponded_area_m2, options.min_ponded_area_m2);
    if (!(area > 0.0))
        return options.max_depth_m; // no area at all: the water stands as deep as allowed
    return std::min(ponded_volume_m3 / area, options.max_depth_m);
}

void enable_street_ponding(Network& net, const StreetFloodOptions& options) {
    net.options.allow_ponding = true;
    for (std::int32_t n = 0; n < net.node_count(); ++n)
        if (net.node_kind[n] == NodeKind::kJunction || net.node_kind[n] == NodeKind::kDivider)
            net.ponded_area_m2[n] = std::max(net.ponded_area_m2[n], options.min_ponded_area_m2);
}

StreetFlood::StreetFlood(const Network& net, const StreetFloodOptions& options)
    : options_(options) {
    // The router computes SWMM's full depths (MaxDepth 0 → the highest connected crown).
    const FlowRouter router(net, routing_settings(net));
    const auto n = static_cast<std::size_t>(net.node_count());
    full_depth_m_.resize(n);
    surcharge_depth_m_ = net.surcharge_depth_m;
    ponded_area_m2_ = net.ponded_area_m2;
    ponds_.assign(n, 0);
    outfall_.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        full_depth_m_[i] = router.nodes()[i].full_depth_m;
        outfall_[i] = net.node_kind[i] == NodeKind::kOutfall ? 1 : 0;
        ponds_[i] = net.options.allow_ponding && net.ponded_area_m2[i] > 0.0 &&
                            net.node_kind[i] != NodeKind::kOutfall &&
                            net.node_kind[i] != NodeKind::kStorage
                        ? 1
                        : 0;
    }
}

double StreetFlood::depth_m(std::int32_t n, double node_depth_m) const {
    const auto i = static_cast<std::size_t>(n);
    if (outfall_[i] || !(node_depth_m > full_depth_m_[i]))
        return 0.0;
    const double above_rim = node_depth_m - full_depth_m_[i];
    if (ponds_[i])
        return ponded_street_depth_m(above_rim * ponded_area_m2_[i], ponded_area_m2_[i], options_);
    return std::clamp(above_rim - surcharge_depth_m_[i], 0.0, options_.max_depth_m);
}

double flooded_speed_km_h(double depth_m) {
    const double w = std::max(0.0, depth_m) * 1000.0;
    if (w >= 300.0)
        return 0.0;
    return std::max(0.0, 0.0009 * w * w - 0.5529 * w + 86.9448);
}

RoadFloodEffect road_flood_effect(double depth_m, double free_speed_m_s, double closure_depth_m) {
    RoadFloodEffect e;
    if (!(depth_m > 0.0))
        return e;
    if (depth_m >= closure_depth_m) {
        e.speed_factor = 0.0;
        e.closed = true;
        return e;
    }
    if (!(free_speed_m_s > 0.0))
        return e;
    const double v = flooded_speed_km_h(depth_m) / 3.6;
    e.speed_factor = std::clamp(v / free_speed_m_s, 0.0, 1.0);
    e.closed = e.speed_factor <= 0.0;
    return e;
}

NodeLocator::NodeLocator(const Network& net) {
    position_.resize(static_cast<std::size_t>(net.node_count()));
    for (std::int32_t n = 0; n < net.node_count(); ++n) {
        position_[n] = {net.x[n], net.y[n]};
        const bool street =
            net.node_kind[n] == NodeKind::kJunction || net.node_kind[n] == NodeKind::kDivider;
        if (street && (net.has_coordinates.empty() || net.has_coordinates[n] != 0))
            node_.push_back(n);
    }
    std::sort(node_.begin(), node_.end(), [&](std::int32_t a, std::int32_t b) {
        return position_[a].lon != position_[b].lon ? position_[a].lon < position_[b].lon : a < b;
    });
}

std::int32_t NodeLocator::nearest(LonLat p, double radius_m) const {
    // Only nodes within the radius in longitude can be within it: scan that window of the
    // longitude-sorted list (1° of longitude is at least cos(lat)·111.2 km; pad by 1 %).
    const double cos_lat = std::max(1e-6, std::cos(p.lat * M_PI / 180.0));
    const double dlon = 1.01 * radius_m / (111194.9 * cos_lat);
    auto lo = std::lower_bound(node_.begin(), node_.end(), p.lon - dlon,
                               [&](std::int32_t a, double lon) { return position_[a].lon < lon; });
    std::int32_t best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    for (auto it = lo; it != node_.end() && position_[*it].lon <= p.lon + dlon; ++it) {
        const double d = haversine_m(p, position_[*it]);
        if (d <= radius_m && (d < best_d || (d == best_d && *it < best))) {
            best_d = d;
            best = *it;
        }
    }
    return best;
}

} // namespace rencheng::drainage
