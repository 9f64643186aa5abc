// `generate --roads-from`: the synthetic city laid on a real street network (the roads as read,
// population blocks drawn over the streets).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "citygen/detail/layout.hpp"
#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

using transport::RoadClass;

// The synthetic city's district names (zones.cpp), so both kinds of city read alike.
constexpr std::array<const char*, 8> kDistrictNames = {
    "Dongcheng District", "Nanhu District", "Xishan District",   "Beiyuan District",
    "Jiangan District",   "Hanxi District", "Qingshan District", "Hongshan District"};
constexpr const char* kCentralDistrict = "Gulou District";

/// A block is kept when it holds at least this much street, metres: less is a road end
/// reaching into the sea, a park or a neighbouring town.
constexpr double kMinStreetPerZone_m = 100.0;

int class_rank(RoadClass c) {
    switch (c) {
    case RoadClass::kMotorway:
        return 3;
    case RoadClass::kArterial:
        return 2;
    case RoadClass::kCollector:
        return 1;
    case RoadClass::kLocal:
        return 0;
    }
    return 0;
}

} // namespace

RoadLayout make_street_roads(const CityPlan& plan) {
    RoadLayout out;
    transport::RoadNetwork& net = out.net;
    net = *plan.options.streets;
    for (LonLat& p : net.node_position) {
        p = round_position(p);
    }
    for (std::int32_t l = 0; l < net.link_count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        std::vector<LonLat>& line = net.link_geometry[k];
        for (LonLat& p : line) {
            p = round_position(p);
        }
        // The line starts and ends exactly at its nodes, as the bundle's reader requires.
        line.front() = net.node_position[static_cast<std::size_t>(net.link_from[k])];
        line.back() = net.node_position[static_cast<std::size_t>(net.link_to[k])];
    }
    out.node_class.assign(net.node_position.size(), RoadClass::kLocal);
    for (const LonLat& p : net.node_position) {
        out.node_xy.push_back(plan.frame.to_xy(p));
    }
    for (std::int32_t l = 0; l < net.link_count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        for (const std::int32_t v : {net.link_from[k], net.link_to[k]}) {
            auto& c = out.node_class[static_cast<std::size_t>(v)];
            if (class_rank(net.link_class[k]) > class_rank(c)) {
                c = net.link_class[k];
            }
        }
        out.bridges += net.bridge[k] != 0 ? 1 : 0;
    }
    net.build_graph();
    return out;
}

std::vector<model::PopulationZone> make_street_zones(const CityPlan& plan,
                                                     const RoadLayout& roads) {
    const double side = kStreetZoneSide_m;
    // Street length in each block, by the midpoint of every segment of every link's line.
    std::map<std::pair<int, int>, double> street_m;
    const transport::RoadNetwork& net = roads.net;
    int i_min = 0, i_max = 0, j_min = 0, j_max = 0;
    bool first = true;
    for (const std::vector<LonLat>& line : net.link_geometry) {
        for (std::size_t s = 0; s + 1 < line.size(); ++s) {
            const Xy a = plan.frame.to_xy(line[s]);
            const Xy b = plan.frame.to_xy(line[s + 1]);
            const int i = static_cast<int>(std::floor(0.5 * (a.x + b.x) / side));
            const int j = static_cast<int>(std::floor(0.5 * (a.y + b.y) / side));
            street_m[{j, i}] += std::hypot(b.x - a.x, b.y - a.y);
            i_min = first ? i : std::min(i_min, i);
            i_max = first ? i : std::max(i_max, i);
            j_min = first ? j : std::min(j_min, j);
            j_max = first ? j : std::max(j_max, j);
            first = false;
        }
    }
    const std::int64_t population = plan.options.population;
    const int sectors =
        std::clamp(static_cast<int>(std::lround(static_cast<double>(population) / 150000.0)), 3,
                   static_cast<int>(kDistrictNames.size()));

    RngStream rng(plan.options.seed, 0, kStreamPopulation);
    std::vector<model::PopulationZone> zones;
    std::vector<double> weights;
    for (int j = j_min; j <= j_max && !first; ++j) {
        for (int i = i_min; i <= i_max; ++i) {
            // Draw for every block, used or not, so one block's fate never shifts another's.
            const double noise = rng.lognormal(1.0, 0.35);
            const double land_use = rng.uniform();
            const auto it = street_m.find({j, i});
            if (it == street_m.end() || it->second < kMinStreetPerZone_m) {
                continue;
            }
            model::PopulationZone z;
            const double x0 = i * side;
            const double y0 = j * side;
            for (const Xy& p : std::array<Xy, 5>{{{x0, y0},
                                                  {x0 + side, y0},
                                                  {x0 + side, y0 + side},
                                                  {x0, y0 + side},
                                                  {x0, y0}}}) {
                z.ring.push_back(round_position(plan.frame.to_lonlat(p)));
            }
            const Xy c{x0 + 0.5 * side, y0 + 0.5 * side};
            z.centroid = round_position(plan.frame.to_lonlat(c));
            if (plan.relative_radius(c) < 0.35) {
                z.district = kCentralDistrict;
            } else {
                const double theta = std::atan2(c.y, c.x) + units::kPi;
                const int sector =
                    std::min(sectors - 1, static_cast<int>(theta / (2.0 * units::kPi) * sectors));
                z.district = kDistrictNames[static_cast<std::size_t>(sector)];
            }
            // People live along streets: street length, a lognormal block-to-block spread, and
            // one block in twelve given over to parks, campuses or industry with few residents.
            double w = it->second * noise;
            if (land_use < 1.0 / 12.0) {
                w *= 0.1;
            }
            weights.push_back(w);
            zones.push_back(std::move(z));
        }
    }
    if (zones.empty()) {
        // Streets too short for any block: one zone at the node nearest the centre.
        const NearestIndex index(roads.node_xy, 250.0);
        const std::int32_t v = index.nearest({0.0, 0.0});
        model::PopulationZone z;
        z.centroid = v >= 0 ? net.node_position[static_cast<std::size_t>(v)] : plan.frame.origin();
        z.district = kCentralDistrict;
        weights.push_back(1.0);
        zones.push_back(std::move(z));
    }
    const std::vector<std::int64_t> counts = apportion(population, weights);
    for (std::size_t k = 0; k < zones.size(); ++k) {
        zones[k].id = "z" + std::to_string(k + 1);
        zones[k].population = counts[k];
    }
    return zones;
}

} // namespace rencheng::citygen::detail
