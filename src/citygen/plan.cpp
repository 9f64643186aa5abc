// The city plan: local frame, built-up boundary, river and terrain model drawn from the seed.
#include "citygen/detail/plan.hpp"

#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

constexpr double kTwoPi = 2.0 * units::kPi;

// Smoothstep-weighted bilinear interpolation, so the value noise has no visible lattice creases.
double smooth(double t) {
    return t * t * (3.0 - 2.0 * t);
}

} // namespace

LocalFrame::LocalFrame(LonLat origin)
    : origin_(origin),
      m_per_deg_lon_(units::kEarthRadius * units::kDegree * std::cos(origin.lat * units::kDegree)),
      m_per_deg_lat_(units::kEarthRadius * units::kDegree) {}

Xy LocalFrame::to_xy(LonLat p) const {
    return {(p.lon - origin_.lon) * m_per_deg_lon_, (p.lat - origin_.lat) * m_per_deg_lat_};
}

LonLat LocalFrame::to_lonlat(Xy p) const {
    return {origin_.lon + p.x / m_per_deg_lon_, origin_.lat + p.y / m_per_deg_lat_};
}

double River::centre_v(double u) const {
    double v = offset_m;
    for (std::size_t k = 0; k < amplitude_m.size(); ++k) {
        v += amplitude_m[k] * std::sin(kTwoPi * u / wavelength_m[k] + phase_rad[k]);
    }
    return v;
}

double River::slope(double u) const {
    double s = 0.0;
    for (std::size_t k = 0; k < amplitude_m.size(); ++k) {
        s += amplitude_m[k] * kTwoPi / wavelength_m[k] *
             std::cos(kTwoPi * u / wavelength_m[k] + phase_rad[k]);
    }
    return s;
}

double River::signed_distance(Xy p) const {
    const double c = std::cos(angle_rad);
    const double s = std::sin(angle_rad);
    const double u = p.x * c + p.y * s;
    const double v = -p.x * s + p.y * c;
    const double m = slope(u);
    return (v - centre_v(u)) / std::sqrt(1.0 + m * m);
}

bool River::in_water(Xy p) const {
    return std::abs(signed_distance(p)) < 0.5 * width_m;
}

bool River::in_band(Xy p, double margin_m) const {
    return std::abs(signed_distance(p)) < 0.5 * width_m + margin_m;
}

bool River::segment_touches(Xy a, Xy b, double margin_m) const {
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const int steps = std::max(1, static_cast<int>(std::ceil(len / 10.0)));
    for (int k = 0; k <= steps; ++k) {
        const double t = static_cast<double>(k) / steps;
        if (in_band({a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)}, margin_m)) {
            return true;
        }
    }
    return false;
}

double CityPlan::boundary_radius(double theta) const {
    return radius_m * (1.0 + boundary[0] * std::sin(2.0 * theta + boundary[1]) +
                       boundary[2] * std::sin(3.0 * theta + boundary[3]));
}

bool CityPlan::inside(Xy p) const {
    return relative_radius(p) <= 1.0;
}

double CityPlan::relative_radius(Xy p) const {
    return std::hypot(p.x, p.y) / boundary_radius(std::atan2(p.y, p.x));
}

double CityPlan::max_radius() const {
    return radius_m * (1.0 + boundary[0] + boundary[2]);
}

double CityPlan::density_shape(Xy p) const {
    return std::exp(-std::hypot(p.x, p.y) / density_scale_m);
}

double CityPlan::ground_m(Xy p) const {
    const double sd = std::abs(river.signed_distance(p));
    const double half = 0.5 * river.width_m;
    if (sd < half) {
        // River bed: 4 m below the water surface mid-stream, 1 m at the banks.
        const double t = sd / half;
        return river_level_m - 4.0 + 3.0 * t * t;
    }
    const double d = sd - half;
    // The valley: a 2.5 m embankment, ground rising about 14 m over the first few kilometres
    // from the river, then a gentle regional slope.
    double h = river_level_m + 2.5 + 14.0 * (1.0 - std::exp(-d / 1200.0)) + 0.0008 * d;
    for (const Hill& hill : hills) {
        const double dx = p.x - hill.centre.x;
        const double dy = p.y - hill.centre.y;
        h += hill.height_m * std::exp(-(dx * dx + dy * dy) / (2.0 * hill.radius_m * hill.radius_m));
    }
    // Value noise on a lattice, faded in away from the bank so the embankment stays clean.
    const int n = 2 * noise_half + 1;
    const double gx = p.x / noise_spacing_m + noise_half;
    const double gy = p.y / noise_spacing_m + noise_half;
    const double fx = std::clamp(gx, 0.0, static_cast<double>(n - 1) - 1e-9);
    const double fy = std::clamp(gy, 0.0, static_cast<double>(n - 1) - 1e-9);
    const int ix = static_cast<int>(fx);
    const int iy = static_cast<int>(fy);
    const double tx = smooth(fx - ix);
    const double ty = smooth(fy - iy);
    auto at = [&](int x, int y) { return static_cast<double>(noise[y * n + x]); };
    const double v = (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) +
                     ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
    h += 1.5 * v * std::min(1.0, d / 200.0);
    return std::clamp(h, river_level_m - 5.0, 95.0);
}

CityPlan make_plan(const GenerateOptions& options) {
    CityPlan plan;
    plan.options = options;
    plan.frame = LocalFrame(options.centre);
    const double n = static_cast<double>(options.population);

    RngStream rng(options.seed, 0, kStreamLayout);
    // Built-up area: the residential zones at the gross density, plus about 15 % for the river,
    // its green banks, parks and edge blocks that hold few people.
    const double area_m2 = 1.15 * n / kGrossDensityPerKm2 * 1e6;
    // Small towns are less dense: never below a 900 m radius, so even 1,000 people get a few
    // blocks, a river crossing and a street grid.
    plan.radius_m = std::max(900.0, std::sqrt(area_m2 / units::kPi));
    plan.boundary = {rng.uniform(0.04, 0.12), rng.uniform(0.0, kTwoPi), rng.uniform(0.02, 0.07),
                     rng.uniform(0.0, kTwoPi)};
    if (options.streets) {
        // On real streets the built-up area is a circle around the centre that holds them all;
        // the draws above still happen so the other draws are those of the synthetic city.
        double reach_m = 0.0;
        for (const LonLat& p : options.streets->node_position) {
            const Xy q = plan.frame.to_xy(p);
            reach_m = std::max(reach_m, std::hypot(q.x, q.y));
        }
        plan.radius_m = reach_m + 50.0;
        plan.boundary[0] = 0.0;
        plan.boundary[2] = 0.0;
    }
    const double r = plan.radius_m;

    River& river = plan.river;
    river.angle_rad = rng.uniform(0.0, units::kPi);
    river.offset_m = (rng.uniform() < 0.5 ? -1.0 : 1.0) * rng.uniform(0.15, 0.32) * r;
    river.amplitude_m = {rng.uniform(0.12, 0.18) * r, rng.uniform(0.02, 0.04) * r,
                         rng.uniform(0.004, 0.008) * r};
    river.wavelength_m = {rng.uniform(2.0, 3.0) * r, rng.uniform(1.0, 1.5) * r,
                          rng.uniform(0.4, 0.6) * r};
    river.phase_rad = {rng.uniform(0.0, kTwoPi), rng.uniform(0.0, kTwoPi),
                       rng.uniform(0.0, kTwoPi)};
    river.width_m = std::clamp(50.0 + 25.0 * std::sqrt(n / 1e5), 60.0, 300.0);
    if (options.streets) {
        // Real streets have their own rivers and coasts, which the plan does not know: the
        // synthetic river runs 2 km beyond the farthest street, so no street, block or facility
        // meets it (its valley still shapes the terrain).
        const double reach = plan.max_radius() + 0.25 * r + river.width_m + 2000.0;
        river.offset_m = (river.offset_m < 0.0 ? -1.0 : 1.0) * reach;
    }

    plan.grid_angle_rad = rng.uniform(-0.26, 0.26);
    plan.street_spacing_m = rng.uniform(195.0, 230.0);
    plan.warp_amplitude_m = rng.uniform(15.0, 35.0);
    plan.warp_wavelength_m = rng.uniform(1400.0, 2400.0);
    plan.warp_phase = {rng.uniform(0.0, kTwoPi), rng.uniform(0.0, kTwoPi)};
    // Clark (1951): D(r) = D0 exp(-r/b). b = R/2.2 puts the centre at about 3.8 times the mean
    // density, as in Chinese cities' cores (Feng, Zhou & Wu 2008 fit b of a few km for Beijing).
    plan.density_scale_m = r / 2.2;

    RngStream trng(options.seed, 0, kStreamTerrain);
    plan.river_level_m = trng.uniform(16.0, 22.0);
    const double rmax = plan.max_radius();
    const int hill_count = std::min(10, 3 + static_cast<int>(r / 1500.0));
    for (int k = 0; k < hill_count; ++k) {
        Hill hill;
        // Hills stand away from the river: redraw a few times if the first place is too close.
        hill.height_m = trng.uniform(10.0, 30.0);
        hill.radius_m = trng.uniform(0.12, 0.25) * r + 300.0;
        for (int attempt = 0; attempt < 30; ++attempt) {
            const double a = trng.uniform(0.0, kTwoPi);
            const double rr = trng.uniform(0.3, 1.25) * rmax;
            hill.centre = {rr * std::cos(a), rr * std::sin(a)};
            if (std::abs(river.signed_distance(hill.centre)) >
                0.3 * r + hill.radius_m + river.width_m) {
                break;
            }
        }
        plan.hills.push_back(hill);
    }
    plan.noise_half = static_cast<int>(std::ceil(1.6 * rmax / plan.noise_spacing_m)) + 2;
    const int nn = 2 * plan.noise_half + 1;
    plan.noise.resize(static_cast<std::size_t>(nn) * nn);
    for (float& v : plan.noise) {
        v = static_cast<float>(trng.uniform(-1.0, 1.0));
    }
    return plan;
}

} // namespace rencheng::citygen::detail
