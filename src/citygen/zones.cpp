// Population zones: lattice blocks between collectors, with Clark-model counts summing exactly.
#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string>

#include "citygen/detail/layout.hpp"
#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

constexpr std::array<const char*, 8> kDistrictNames = {
    "Dongcheng District", "Nanhu District", "Xishan District",   "Beiyuan District",
    "Jiangan District",   "Hanxi District", "Qingshan District", "Hongshan District"};
constexpr const char* kCentralDistrict = "Gulou District";

// Shoelace area (signed) and centroid of a closed ring in the plane.
double shoelace(const std::vector<Xy>& ring, Xy* centroid) {
    double a2 = 0.0;
    double cx = 0.0;
    double cy = 0.0;
    for (std::size_t k = 0; k + 1 < ring.size(); ++k) {
        const double cross = ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y;
        a2 += cross;
        cx += (ring[k].x + ring[k + 1].x) * cross;
        cy += (ring[k].y + ring[k + 1].y) * cross;
    }
    if (centroid != nullptr && a2 != 0.0) {
        *centroid = {cx / (3.0 * a2), cy / (3.0 * a2)};
    }
    return 0.5 * a2;
}

} // namespace

std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weights) {
    std::vector<std::int64_t> parts(weights.size(), 0);
    const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (weights.empty() || sum <= 0.0) {
        if (!parts.empty()) {
            parts[0] = total;
        }
        return parts;
    }
    std::vector<double> remainder(weights.size());
    std::int64_t given = 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const double quota = static_cast<double>(total) * weights[k] / sum;
        parts[k] = static_cast<std::int64_t>(std::floor(quota));
        remainder[k] = quota - static_cast<double>(parts[k]);
        given += parts[k];
    }
    std::vector<std::size_t> order(weights.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return remainder[x] > remainder[y]; });
    // Rounding can leave the floors a little off in either direction; fix up one at a time.
    for (std::size_t k = 0; given < total; k = (k + 1) % order.size()) {
        ++parts[order[k]];
        ++given;
    }
    for (std::size_t k = order.size(); given > total;) {
        k = (k == 0 ? order.size() : k) - 1;
        if (parts[order[k]] > 0) {
            --parts[order[k]];
            --given;
        }
    }
    return parts;
}

double ring_area_km2(const LocalFrame& frame, const std::vector<LonLat>& ring) {
    std::vector<Xy> xy;
    xy.reserve(ring.size());
    for (const LonLat& p : ring) {
        xy.push_back(frame.to_xy(p));
    }
    return std::abs(shoelace(xy, nullptr)) / 1e6;
}

std::vector<model::PopulationZone> make_zones(const CityPlan& plan) {
    const Lattice grid = make_lattice(plan);
    const int k_max = grid.k_max;
    const std::int64_t population = plan.options.population;
    const int sectors =
        std::clamp(static_cast<int>(std::lround(static_cast<double>(population) / 150000.0)), 3,
                   static_cast<int>(kDistrictNames.size()));

    RngStream rng(plan.options.seed, 0, kStreamPopulation);
    std::vector<model::PopulationZone> zones;
    std::vector<double> weights;
    // Cells between even lattice lines: blocks of two street spacings (about 400-460 m).
    const int first = -k_max + ((k_max % 2 == 0) ? 0 : 1);
    for (int j0 = first; j0 + 2 <= k_max; j0 += 2) {
        for (int i0 = first; i0 + 2 <= k_max; i0 += 2) {
            // Draw for every cell, used or not, so one cell's fate never shifts another's draws.
            const double noise = rng.lognormal(1.0, 0.35);
            const double land_use = rng.uniform();
            const Xy centre = grid.at(i0 + 1, j0 + 1);
            if (!plan.inside(centre)) {
                continue;
            }
            constexpr std::array<std::array<int, 2>, 9> kRing = {
                {{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}, {0, 0}}};
            std::vector<Xy> ring;
            for (const auto& d : kRing) {
                ring.push_back(grid.at(i0 + d[0], j0 + d[1]));
            }
            // No population in the river: the whole block, edges included, must be on one bank.
            const int bank = plan.river.side(centre);
            bool dry = true;
            for (std::size_t k = 0; k + 1 < ring.size() && dry; ++k) {
                dry = plan.river.side(ring[k]) == bank &&
                      !plan.river.segment_touches(ring[k], ring[k + 1], 10.0);
            }
            if (!dry) {
                continue;
            }
            model::PopulationZone z;
            for (const Xy& p : ring) {
                z.ring.push_back(round_position(plan.frame.to_lonlat(p)));
            }
            z.ring.back() = z.ring.front();
            std::vector<Xy> rounded;
            for (const LonLat& p : z.ring) {
                rounded.push_back(plan.frame.to_xy(p));
            }
            Xy c = centre;
            const double area_m2 = std::abs(shoelace(rounded, &c));
            z.centroid = plan.frame.to_lonlat(c);
            const double rel = plan.relative_radius(c);
            if (rel < 0.35) {
                z.district = kCentralDistrict;
            } else {
                const double theta = std::atan2(c.y, c.x) + units::kPi;
                const int sector =
                    std::min(sectors - 1, static_cast<int>(theta / (2.0 * units::kPi) * sectors));
                z.district = kDistrictNames[static_cast<std::size_t>(sector)];
            }
            // Clark's exponential density, a lognormal block-to-block spread, and one block in
            // twelve given over to parks, campuses or industry with few residents.
            double w = plan.density_shape(c) * area_m2 * noise;
            if (land_use < 1.0 / 12.0) {
                w *= 0.1;
            }
            // Blocks cut by the city edge are only partly built up.
            if (rel > 0.9) {
                w *= 0.6;
            }
            weights.push_back(w);
            zones.push_back(std::move(z));
        }
    }
    if (zones.empty()) {
        // Only possible for a plan with no dry block at all: one point zone at the driest
        // lattice point near the centre keeps the bundle valid.
        model::PopulationZone z;
        Xy best = grid.at(0, 0);
        double best_d = -1.0;
        for (int j = -2; j <= 2; ++j) {
            for (int i = -2; i <= 2; ++i) {
                const double d = std::abs(plan.river.signed_distance(grid.at(i, j)));
                if (d > best_d) {
                    best_d = d;
                    best = grid.at(i, j);
                }
            }
        }
        z.centroid = round_position(plan.frame.to_lonlat(best));
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
