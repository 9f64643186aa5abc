// Storm drains of the synthetic city: manholes under the streets, a pipe tree draining downhill
// to outfalls on the river, wet wells and pumps where the pipes arrive below the river's normal
// level, subcatchments from the population zones, pipes sized by the rational method with the
// nearest city's storm intensity formula, and a rain gauge with a Chicago design storm.
// The design rules and their sources are in docs/generate.md ("The storm drains").
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <queue>
#include <string>
#include <tuple>
#include <vector>

#include "citygen/detail/drainage_layout.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "drainage/swmm_inp.hpp"
#include "hazard/rainfall.hpp"

namespace rencheng::citygen::detail {

namespace {

// Pipes and culverts. Manning n of concrete pipes and of cast-in-place box culverts (GB 50014
// gives 0.013-0.014 for concrete pipes and channels).
constexpr double kPipeN = 0.013;
constexpr double kBoxN = 0.014;
// Lane width and the footways on both sides, for the street area around a manhole.
constexpr double kLaneWidth_m = 3.5;
constexpr double kFootways_m = 6.0;
// Runoff coefficients of impervious and pervious surfaces for the rational method (GB 50014
// tabulates 0.85-0.95 for roofs and paving, 0.10-0.20 for green land).
constexpr double kPsiImpervious = 0.90;
constexpr double kPsiPervious = 0.15;
// Subcatchment surfaces (SWMM Reference Manual Vol. I typical values): Manning n of smooth
// paving and of short grass; depression storage, mm; share of impervious area without it.
constexpr double kImpervN = 0.015;
constexpr double kPervN = 0.15;
constexpr double kImpervStore_mm = 2.0;
constexpr double kPervStore_mm = 5.0;
constexpr double kZeroImpervPct = 25.0;
// Horton infiltration of a dry loam (SWMM Reference Manual Vol. I): f0 76.2 mm/h, f∞ 3.81 mm/h
// (hydrologic soil group B/C), decay 4 /h, 7 days to dry.
constexpr double kHortonMax_mmh = 76.2;
constexpr double kHortonMin_mmh = 3.81;
constexpr double kHortonDecay_h = 4.0;
constexpr double kHortonDry_d = 7.0;
// Outfalls and pump stations.
constexpr double kGravityFreeboard_m = 0.5; ///< gravity outfall invert above the normal level
constexpr double kPumpDischarge_m = 1.0;    ///< pumped outfall invert above the normal level
constexpr double kWetWellSump_m = 0.5;      ///< wet well floor below the incoming pipe
constexpr double kPumpStartup_m = 1.5;
constexpr double kPumpShutoff_m = 0.3;
constexpr double kWetWellCycle_s = 300.0;      ///< design flow stored between stop and start
constexpr double kOutfallSpacing_m = 700.0;    ///< least distance between two outfalls
constexpr double kOutfallReach_m = 250.0;      ///< candidates: this much beyond the nearest node
constexpr double kUphillPenalty_m_per_m = 200; ///< tree cost of 1 m of rise against the flow
constexpr double kSampleCell_m = 25.0;         ///< zone sampling for the subcatchments

/// Centres of the cities of the rainfall library (hazard::city_rainfall_formulas), degrees.
struct CityCentre {
    const char* key;
    LonLat centre;
};
constexpr std::array<CityCentre, 6> kFormulaCities = {{
    {"beijing", {116.40, 39.90}},
    {"shanghai", {121.47, 31.23}},
    {"guangzhou", {113.26, 23.13}},
    {"shenzhen", {114.06, 22.54}},
    {"wuhan", {114.30, 30.59}},
    {"zhengzhou", {113.63, 34.75}},
}};

/// A pipe or culvert size. Circular: height = diameter, width 0.
struct Size {
    bool circular = true;
    double height_m = 0.0;
    double width_m = 0.0;
    int barrels = 1;

    [[nodiscard]] double n() const { return circular ? kPipeN : kBoxN; }
    [[nodiscard]] double area_m2() const {
        const double one = circular ? 0.25 * M_PI * height_m * height_m : height_m * width_m;
        return barrels * one;
    }
    [[nodiscard]] double hydraulic_radius_m() const {
        return circular ? 0.25 * height_m : height_m * width_m / (2.0 * (height_m + width_m));
    }
    /// Manning full-flow velocity at slope s, m/s.
    [[nodiscard]] double velocity_ms(double s) const {
        return std::pow(hydraulic_radius_m(), 2.0 / 3.0) * std::sqrt(s) / n();
    }
    /// Slope at which the full-flow velocity is v.
    [[nodiscard]] double slope_for(double v) const {
        const double x = v * n() / std::pow(hydraulic_radius_m(), 2.0 / 3.0);
        return x * x;
    }
};

/// Sizes in increasing capacity and never decreasing height: concrete pipes of GB/T 11836, then
/// box culverts, then two to four barrels of the largest box.
std::vector<Size> size_catalogue() {
    std::vector<Size> out;
    for (double d :
         {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.65, 1.8, 2.0, 2.2, 2.4}) {
        out.push_back({true, d, 0.0, 1});
    }
    for (auto [h, w] : std::initializer_list<std::pair<double, double>>{{2.4, 3.0},
                                                                        {2.4, 3.5},
                                                                        {2.4, 4.0},
                                                                        {2.8, 4.0},
                                                                        {2.8, 5.0},
                                                                        {3.2, 5.0},
                                                                        {3.2, 6.0},
                                                                        {3.6, 6.0},
                                                                        {4.0, 6.0}}) {
        out.push_back({false, h, w, 1});
    }
    for (int b = 2; b <= 4; ++b) {
        out.push_back({false, 4.0, 6.0, b});
    }
    return out;
}

void appendf(std::string& out, const char* fmt, auto... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, fmt, args...);
    out += buf;
}

/// A name SWMM can read: letters, digits, '_', '-', '.'; anything else becomes '_'.
std::string swmm_name(const std::string& s) {
    std::string out = s;
    for (char& c : out) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) {
            c = '_';
        }
    }
    return out;
}

bool inside_ring(const std::vector<Xy>& ring, Xy p) {
    bool in = false;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        const Xy a = ring[i], b = ring[j];
        if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) {
            in = !in;
        }
    }
    return in;
}

double ring_area_m2(const std::vector<Xy>& ring) {
    double a2 = 0.0;
    for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
        a2 += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
    }
    return 0.5 * std::abs(a2);
}

/// Point at arc-length fraction t of a polyline.
Xy along(const std::vector<Xy>& line, double t) {
    double total = 0.0;
    for (std::size_t k = 1; k < line.size(); ++k) {
        total += std::hypot(line[k].x - line[k - 1].x, line[k].y - line[k - 1].y);
    }
    double want = std::clamp(t, 0.0, 1.0) * total;
    for (std::size_t k = 1; k < line.size(); ++k) {
        const double seg = std::hypot(line[k].x - line[k - 1].x, line[k].y - line[k - 1].y);
        if (want <= seg || k + 1 == line.size()) {
            const double f = seg > 0.0 ? std::min(1.0, want / seg) : 0.0;
            return {line[k - 1].x + f * (line[k].x - line[k - 1].x),
                    line[k - 1].y + f * (line[k].y - line[k - 1].y)};
        }
        want -= seg;
    }
    return line.front();
}

/// A street carrying drains: one per pair of road nodes joined by a non-bridge link.
struct Street {
    std::int32_t a = 0, b = 0; ///< road nodes, a = the link's from
    std::int32_t link = 0;
    double length_m = 0.0;
    double width_m = 0.0;
    std::vector<std::int32_t> points; ///< manholes from a to b, ends included
};

/// A manhole (SWMM junction) and the one pipe that leaves it.
struct Manhole {
    std::string name;
    Xy xy;
    double ground_m = 0.0;
    std::int32_t down = -1; ///< downstream manhole; -1 at a root (its pipe goes to the outfall)
    double pipe_length_m = 0.0;
    double street_area_m2 = 0.0;
    // subcatchment
    double area_m2 = 0.0;
    double imperv_area_m2 = 0.0;
    double f0_area = 0.0; ///< Σ area·f0
};

/// A designed pipe.
struct Pipe {
    std::int32_t from = 0;
    std::string to; ///< node name downstream
    std::size_t size = 0;
    double length_m = 0.0;
    double up_invert_m = 0.0;
    double down_invert_m = 0.0;
    double design_flow_m3s = 0.0;
};

} // namespace

std::string nearest_rainfall_formula_key(LonLat centre) {
    const char* best = kFormulaCities[0].key;
    double best_d = 1e300;
    for (const CityCentre& c : kFormulaCities) {
        const double d = haversine_m(centre, c.centre);
        if (d < best_d) {
            best_d = d;
            best = c.key;
        }
    }
    return best;
}

double drainage_design_return_period_a(std::int64_t population) {
    return population >= 1000000 ? 5.0 : 3.0;
}

DrainageLayout make_drainage(const CityPlan& plan, const RoadLayout& roads,
                             const std::vector<model::PopulationZone>& zones,
                             const std::vector<model::PowerBusInfo>& buses) {
    const transport::RoadNetwork& rn = roads.net;
    const std::int32_t n_road = rn.node_count();
    const auto un = static_cast<std::size_t>(n_road);
    RngStream rng(plan.options.seed, 0, kStreamDrainage);
    DrainageLayout out;

    const std::string formula_key = nearest_rainfall_formula_key(plan.options.centre);
    const hazard::CityRainfallFormula* formula = hazard::find_city_rainfall_formula(formula_key);
    if (formula == nullptr) {
        throw Error(ErrorCode::kInternal, "rainfall formula '" + formula_key + "' is missing");
    }
    const double design_p = drainage_design_return_period_a(plan.options.population);
    out.design.formula_key = formula_key;
    out.design.return_period_a = design_p;

    // Manholes at the road nodes.
    std::vector<Manhole> mh(un);
    for (std::size_t v = 0; v < un; ++v) {
        mh[v].name = "J" + swmm_name(rn.node_id[v]);
        mh[v].xy = roads.node_xy[v];
        mh[v].ground_m = plan.ground_m(mh[v].xy);
    }

    // Streets: one per node pair, bridges left out (the drains of the two banks are apart).
    std::vector<Street> streets;
    {
        std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> seen;
        for (std::int32_t l = 0; l < rn.link_count(); ++l) {
            const auto ul = static_cast<std::size_t>(l);
            const std::int32_t a = rn.link_from[ul], b = rn.link_to[ul];
            if (rn.bridge[ul] != 0 || a == b) {
                continue;
            }
            const double width =
                rn.lanes[ul] * (rn.oneway[ul] != 0 ? 1 : 2) * kLaneWidth_m + kFootways_m;
            const auto key = std::minmax(a, b);
            if (auto it = seen.find(key); it != seen.end()) {
                // A second carriageway between the same nodes widens the street.
                streets[it->second].width_m += width - kFootways_m;
                continue;
            }
            seen.emplace(key, streets.size());
            streets.push_back({a, b, l, rn.length_m[ul], width, {}});
        }
    }
    std::vector<std::vector<std::pair<std::int32_t, std::size_t>>> adj(un); // (node, street)
    for (std::size_t s = 0; s < streets.size(); ++s) {
        adj[static_cast<std::size_t>(streets[s].a)].push_back({streets[s].b, s});
        adj[static_cast<std::size_t>(streets[s].b)].push_back({streets[s].a, s});
    }

    // Outfall roots: road nodes near the river, at least kOutfallSpacing_m apart.
    const River& river = plan.river;
    std::vector<double> bank(un);
    for (std::size_t v = 0; v < un; ++v) {
        bank[v] = std::abs(river.signed_distance(mh[v].xy)) - 0.5 * river.width_m;
    }
    std::array<double, 2> nearest_bank{1e300, 1e300};
    for (std::size_t v = 0; v < un; ++v) {
        auto& nb = nearest_bank[river.side(mh[v].xy) > 0 ? 0 : 1];
        nb = std::min(nb, bank[v]);
    }
    std::vector<std::int32_t> candidates;
    for (std::size_t v = 0; v < un; ++v) {
        if (!adj[v].empty() &&
            bank[v] <= nearest_bank[river.side(mh[v].xy) > 0 ? 0 : 1] + kOutfallReach_m) {
            candidates.push_back(static_cast<std::int32_t>(v));
        }
    }
    std::sort(candidates.begin(), candidates.end(), [&](std::int32_t x, std::int32_t y) {
        return std::tie(bank[static_cast<std::size_t>(x)], x) <
               std::tie(bank[static_cast<std::size_t>(y)], y);
    });
    std::vector<std::int32_t> roots;
    for (const std::int32_t c : candidates) {
        const Xy p = mh[static_cast<std::size_t>(c)].xy;
        const bool far = std::all_of(roots.begin(), roots.end(), [&](std::int32_t r) {
            const Xy q = mh[static_cast<std::size_t>(r)].xy;
            return std::hypot(p.x - q.x, p.y - q.y) >= kOutfallSpacing_m;
        });
        if (far) {
            roots.push_back(c);
        }
    }

    // The pipe tree: least cost paths to the roots, where a pipe climbing against the ground
    // costs kUphillPenalty_m_per_m per metre of rise (it has to be buried deeper). A part of the
    // street graph no root reaches gets its node nearest the river as one more root.
    std::vector<double> dist(un, 1e300);
    std::vector<std::int32_t> parent(un, -1);
    std::vector<std::size_t> parent_street(un, 0);
    using Item = std::pair<double, std::int32_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    auto add_root = [&](std::int32_t r) {
        dist[static_cast<std::size_t>(r)] = 0.0;
        heap.push({0.0, r});
    };
    for (const std::int32_t r : roots) {
        add_root(r);
    }
    for (;;) {
        while (!heap.empty()) {
            const auto [d, v] = heap.top();
            heap.pop();
            const auto uv = static_cast<std::size_t>(v);
            if (d > dist[uv]) {
                continue;
            }
            for (const auto& [w, s] : adj[uv]) {
                const auto uw = static_cast<std::size_t>(w);
                // Water flows w -> v.
                const double rise = std::max(0.0, mh[uv].ground_m - mh[uw].ground_m);
                const double nd = d + streets[s].length_m + kUphillPenalty_m_per_m * rise;
                if (nd < dist[uw]) {
                    dist[uw] = nd;
                    parent[uw] = v;
                    parent_street[uw] = s;
                    heap.push({nd, w});
                }
            }
        }
        std::int32_t extra = -1;
        for (std::size_t v = 0; v < un; ++v) {
            if (dist[v] == 1e300 &&
                (extra < 0 || bank[v] < bank[static_cast<std::size_t>(extra)])) {
                extra = static_cast<std::int32_t>(v);
            }
        }
        if (extra < 0) {
            break;
        }
        roots.push_back(extra);
        add_root(extra);
    }

    // Manholes along the streets, and the pipes between them. A street of the tree carries a
    // pipe from the child's end to the parent's; a street off the tree carries a lateral from
    // near its far end to the end nearer the outfall (the lateral stops one manhole short of the
    // far node, which drains its own way).
    std::vector<Xy> line;
    for (std::size_t s = 0; s < streets.size(); ++s) {
        Street& st = streets[s];
        const auto ul = static_cast<std::size_t>(st.link);
        line.clear();
        for (const LonLat& p : rn.link_geometry[ul]) {
            line.push_back(plan.frame.to_xy(p));
        }
        const auto ua = static_cast<std::size_t>(st.a), ub = static_cast<std::size_t>(st.b);
        const bool tree = (parent[ua] == st.b && parent_street[ua] == s) ||
                          (parent[ub] == st.a && parent_street[ub] == s);
        int k = std::max(1, static_cast<int>(std::ceil(st.length_m / kDrainManholeSpacing_m)));
        if (!tree && k == 1) {
            k = 2; // a short lateral: one manhole at the middle of the street
        }
        st.points.push_back(st.a);
        for (int i = 1; i < k; ++i) {
            Manhole m;
            m.name = "M" + swmm_name(rn.link_id[ul]) + "-" + std::to_string(i);
            m.xy = along(line, static_cast<double>(i) / k);
            m.ground_m = plan.ground_m(m.xy);
            st.points.push_back(static_cast<std::int32_t>(mh.size()));
            mh.push_back(std::move(m));
        }
        st.points.push_back(st.b);
        const double seg = st.length_m / k;
        for (std::size_t i = 0; i < st.points.size(); ++i) {
            const double share = (i == 0 || i + 1 == st.points.size()) ? 0.5 : 1.0;
            mh[static_cast<std::size_t>(st.points[i])].street_area_m2 += share * seg * st.width_m;
        }
        // Chain the pipes.
        std::vector<std::int32_t> chain; // upstream to downstream
        if (tree) {
            chain = st.points;
            if (parent[ua] != st.b || parent_street[ua] != s) {
                std::reverse(chain.begin(), chain.end()); // flows b -> a
            }
        } else {
            const bool to_a = std::tie(dist[ua], st.a) <= std::tie(dist[ub], st.b);
            chain.assign(st.points.begin() + 1, st.points.end() - 1); // interior, a side first
            if (to_a) {
                std::reverse(chain.begin(), chain.end());
                chain.push_back(st.a);
            } else {
                chain.push_back(st.b);
            }
        }
        for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
            Manhole& m = mh[static_cast<std::size_t>(chain[i])];
            m.down = chain[i + 1];
            m.pipe_length_m = seg;
        }
    }
    const std::size_t n_mh = mh.size();

    // Subcatchments: each zone sampled on a kSampleCell_m grid, every sample given to the
    // nearest manhole (its inlet's catchment), the zone's exact area shared in proportion.
    {
        std::vector<Xy> pts(n_mh);
        for (std::size_t m = 0; m < n_mh; ++m) {
            pts[m] = mh[m].xy;
        }
        const NearestIndex nearest(pts, 100.0);
        std::vector<Xy> ring;
        std::map<std::int32_t, int> count;
        for (const model::PopulationZone& z : zones) {
            // Drawn for every zone, in zone order, so the scatter does not depend on the shape.
            const double soil = rng.uniform(0.8, 1.2);
            const double jitter = rng.uniform(-0.03, 0.03);
            if (z.ring.size() < 4) {
                continue;
            }
            ring.clear();
            for (const LonLat& p : z.ring) {
                ring.push_back(plan.frame.to_xy(p));
            }
            const double area = ring_area_m2(ring);
            if (area <= 0.0) {
                continue;
            }
            // Imperviousness from the zone's density: 30 % at the edge of town, rising towards
            // 85 % in the dense core (docs/generate.md).
            const double density_km2 = static_cast<double>(z.population) / (area / 1e6);
            const double imperv = std::clamp(
                0.30 + 0.55 * (1.0 - std::exp(-density_km2 / 12000.0)) + jitter, 0.25, 0.92);
            double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
            for (const Xy& p : ring) {
                x0 = std::min(x0, p.x);
                y0 = std::min(y0, p.y);
                x1 = std::max(x1, p.x);
                y1 = std::max(y1, p.y);
            }
            count.clear();
            int total = 0;
            for (double y = (std::floor(y0 / kSampleCell_m) + 0.5) * kSampleCell_m; y < y1;
                 y += kSampleCell_m) {
                for (double x = (std::floor(x0 / kSampleCell_m) + 0.5) * kSampleCell_m; x < x1;
                     x += kSampleCell_m) {
                    if (inside_ring(ring, {x, y})) {
                        ++count[nearest.nearest({x, y})];
                        ++total;
                    }
                }
            }
            if (total == 0) {
                ++count[nearest.nearest(plan.frame.to_xy(z.centroid))];
                total = 1;
            }
            for (const auto& [m, c] : count) {
                const double a = area * c / total;
                Manhole& h = mh[static_cast<std::size_t>(m)];
                h.area_m2 += a;
                h.imperv_area_m2 += a * imperv;
                h.f0_area += a * kHortonMax_mmh * soil;
            }
        }
    }

    // Upstream-first order: breadth-first from the roots up the tree, reversed.
    std::vector<std::vector<std::int32_t>> up(n_mh);
    for (std::size_t m = 0; m < n_mh; ++m) {
        if (mh[m].down >= 0) {
            up[static_cast<std::size_t>(mh[m].down)].push_back(static_cast<std::int32_t>(m));
        }
    }
    std::vector<std::int32_t> order;
    order.reserve(n_mh);
    for (std::size_t m = 0; m < n_mh; ++m) {
        if (mh[m].down < 0) {
            order.push_back(static_cast<std::int32_t>(m));
        }
    }
    for (std::size_t k = 0; k < order.size(); ++k) {
        for (const std::int32_t u : up[static_cast<std::size_t>(order[k])]) {
            order.push_back(u);
        }
    }
    if (order.size() != n_mh) {
        throw Error(ErrorCode::kInternal, "storm drain layout: the pipes do not form a tree");
    }
    std::reverse(order.begin(), order.end());

    // Outfall points: on the river bank (5 m short of the water) when it is within 500 m of the
    // root, else 50 m from the root towards the river (real streets far from the plan's river).
    auto towards_river = [&](Xy p) {
        const double e = 1.0;
        const double gx = std::abs(river.signed_distance({p.x + e, p.y})) -
                          std::abs(river.signed_distance({p.x - e, p.y}));
        const double gy = std::abs(river.signed_distance({p.x, p.y + e})) -
                          std::abs(river.signed_distance({p.x, p.y - e}));
        const double g = std::hypot(gx, gy);
        return g > 0.0 ? Xy{-gx / g, -gy / g} : Xy{1.0, 0.0};
    };

    // Rational method, upstream first: Q = ψ·q(P, t)·F with t = t1 + the longest pipe flow time.
    const std::vector<Size> sizes = size_catalogue();
    std::vector<double> area_ha(n_mh, 0.0), psi_area(n_mh, 0.0), tc_min(n_mh, 0.0);
    std::vector<std::size_t> min_size(n_mh, 0);
    std::vector<double> min_crown(n_mh, 1e300);
    std::vector<Pipe> pipes;
    pipes.reserve(n_mh);
    struct Station {
        std::int32_t root;
        Xy outfall_xy;
        Xy well_xy;
        bool pumped;
        double outfall_invert_m;
        double well_invert_m;
        double well_ground_m;
        double design_flow_m3s;
    };
    std::vector<Station> stations;

    auto size_pipe = [&](std::size_t m, double length, double down_ground, double q) {
        Pipe p;
        p.from = static_cast<std::int32_t>(m);
        p.length_m = std::max(length, 1.0);
        p.design_flow_m3s = q;
        const double fall = (mh[m].ground_m - down_ground) / p.length_m;
        double slope = 0.0;
        std::size_t pick = sizes.size() - 1;
        for (std::size_t k = min_size[m]; k < sizes.size(); ++k) {
            const Size& z = sizes[k];
            const double s = std::clamp(fall, z.slope_for(kDrainMinVelocity_ms),
                                        z.slope_for(kDrainMaxVelocity_ms));
            if (z.velocity_ms(s) * z.area_m2() >= q || k + 1 == sizes.size()) {
                pick = k;
                slope = s;
                break;
            }
        }
        p.size = pick;
        const double h = sizes[pick].height_m;
        double up_inv = std::min(mh[m].ground_m - kDrainCover_m - h,
                                 down_ground - kDrainCover_m - h + slope * p.length_m);
        if (min_crown[m] < 1e300) {
            up_inv = std::min(up_inv, min_crown[m] - h); // crowns aligned (管顶平接)
        }
        p.up_invert_m = up_inv;
        p.down_invert_m = up_inv - slope * p.length_m;
        return p;
    };

    double total_area_ha = 0.0;
    for (const std::int32_t sm : order) {
        const auto m = static_cast<std::size_t>(sm);
        const double local_ha = mh[m].area_m2 / 1e4;
        const double local_imp = mh[m].area_m2 > 0.0 ? mh[m].imperv_area_m2 / mh[m].area_m2 : 0.0;
        total_area_ha += local_ha;
        area_ha[m] += local_ha;
        psi_area[m] += local_ha * (kPsiImpervious * local_imp + kPsiPervious * (1.0 - local_imp));
        tc_min[m] = std::max(tc_min[m], kDrainInletTime_min);
        const double q =
            area_ha[m] > 0.0
                ? psi_area[m] * formula->formula.intensity_lps_ha(design_p, tc_min[m]) / 1000.0
                : 0.0;
        out.design.largest_design_flow_m3s = std::max(out.design.largest_design_flow_m3s, q);
        if (mh[m].down >= 0) {
            const auto d = static_cast<std::size_t>(mh[m].down);
            Pipe p = size_pipe(m, mh[m].pipe_length_m, mh[d].ground_m, q);
            p.to = mh[d].name;
            const Size& z = sizes[p.size];
            const double v = z.velocity_ms((p.up_invert_m - p.down_invert_m) / p.length_m);
            area_ha[d] += area_ha[m];
            psi_area[d] += psi_area[m];
            tc_min[d] = std::max(tc_min[d], tc_min[m] + p.length_m / std::max(v, 0.1) / 60.0);
            min_size[d] = std::max(min_size[d], p.size);
            min_crown[d] = std::min(min_crown[d], p.down_invert_m + z.height_m);
            pipes.push_back(std::move(p));
            continue;
        }
        // A root: its pipe runs to the outfall, or to a pump station's wet well.
        Station st{};
        st.root = sm;
        st.design_flow_m3s = q;
        const Xy dir = towards_river(mh[m].xy);
        const double to_bank = bank[m] - 5.0;
        const double reach = to_bank <= 500.0 ? std::max(10.0, to_bank) : 50.0;
        st.outfall_xy = {mh[m].xy.x + dir.x * reach, mh[m].xy.y + dir.y * reach};
        const double outfall_ground =
            std::max(plan.ground_m(st.outfall_xy), plan.river_level_m + 2.5);
        Pipe p = size_pipe(m, reach, outfall_ground, q);
        if (p.down_invert_m >= plan.river_level_m + kGravityFreeboard_m) {
            st.pumped = false;
            st.outfall_invert_m = p.down_invert_m;
        } else {
            st.pumped = true;
            const double to_well = std::max(10.0, std::min(30.0, 0.5 * reach));
            st.well_xy = {mh[m].xy.x + dir.x * to_well, mh[m].xy.y + dir.y * to_well};
            st.well_ground_m = plan.ground_m(st.well_xy);
            p = size_pipe(m, to_well, st.well_ground_m, q);
            st.well_invert_m = p.down_invert_m - kWetWellSump_m;
            st.outfall_invert_m = plan.river_level_m + kPumpDischarge_m;
        }
        stations.push_back(st);
        const std::string k = std::to_string(stations.size());
        p.to = st.pumped ? "WW" + k : "OF" + k;
        pipes.push_back(std::move(p));
    }
    out.design.design_area_ha = total_area_ha;
    // Node inverts: the lowest pipe end at the node. With crowns aligned and sizes that never
    // shrink downstream that is the leaving pipe's upstream end; the minimum keeps it so anyway.
    std::vector<double> node_invert(n_mh, 1e300);
    for (const Pipe& p : pipes) {
        const auto m = static_cast<std::size_t>(p.from);
        node_invert[m] = std::min(node_invert[m], p.up_invert_m);
    }
    std::map<std::string, std::size_t> by_name;
    for (std::size_t m = 0; m < n_mh; ++m) {
        by_name.emplace(mh[m].name, m);
    }
    for (const Pipe& p : pipes) {
        if (auto it = by_name.find(p.to); it != by_name.end()) {
            node_invert[it->second] = std::min(node_invert[it->second], p.down_invert_m);
        }
    }

    // Pumps: the nearest 10 kV load point feeds each.
    std::vector<Xy> bus_xy;
    std::vector<std::int32_t> bus_number;
    for (const model::PowerBusInfo& b : buses) {
        if (b.kind == "load_10kv") {
            bus_xy.push_back(plan.frame.to_xy(b.position));
            bus_number.push_back(b.bus_number);
        }
    }
    const NearestIndex bus_index(bus_xy, 500.0);

    // The design storm of the gauge: the formula's 50-year 3-hour Chicago storm, r = 0.4.
    const hazard::IntensityParameters storm_p =
        formula->formula.parameters(kDrainStormReturnPeriod_a);
    const hazard::Hyetograph storm = hazard::chicago_hyetograph(
        storm_p, static_cast<std::int64_t>(kDrainStormDuration_s), 300, 0.4);

    // The .inp text, SI units (CMS).
    std::string s;
    s += "[TITLE]\n";
    appendf(s, "Storm drains of %s, generated by rencheng generate (seed %llu)\n",
            swmm_name(plan.options.name).c_str(),
            static_cast<unsigned long long>(plan.options.seed));
    appendf(s, "Pipes sized by the rational method for P = %.0f a with the %s formula %s\n",
            design_p, formula->name_en.c_str(), formula->formula.describe().c_str());
    appendf(s, "Rain gauge RG1: Chicago design storm, P = %.0f a, 3 h, peak ratio 0.4, %.1f mm\n",
            kDrainStormReturnPeriod_a, storm.depth_mm());
    s += "\n[OPTIONS]\n"
         "FLOW_UNITS CMS\n"
         "INFILTRATION HORTON\n"
         "FLOW_ROUTING DYNWAVE\n"
         "LINK_OFFSETS DEPTH\n"
         "ALLOW_PONDING YES\n"
         "START_DATE 07/01/2026\n"
         "START_TIME 00:00:00\n"
         "REPORT_START_DATE 07/01/2026\n"
         "REPORT_START_TIME 00:00:00\n"
         "END_DATE 07/01/2026\n";
    appendf(s, "END_TIME %02d:00:00\n", static_cast<int>(kDrainSimulation_s / 3600.0));
    s += "REPORT_STEP 00:05:00\n"
         "WET_STEP 00:01:00\n"
         "DRY_STEP 00:05:00\n"
         "ROUTING_STEP 5\n"
         "VARIABLE_STEP 0.75\n"
         "MINIMUM_STEP 0.5\n"
         "INERTIAL_DAMPING PARTIAL\n"
         "NORMAL_FLOW_LIMITED BOTH\n"
         "SURCHARGE_METHOD EXTRAN\n";

    s += "\n[RAINGAGES]\nRG1 INTENSITY 0:05 1.0 TIMESERIES design_storm\n";

    s += "\n[SUBCATCHMENTS]\n";
    for (std::size_t m = 0; m < n_mh; ++m) {
        const Manhole& h = mh[m];
        if (h.area_m2 <= 0.0) {
            continue;
        }
        const double flow_length = std::clamp(0.5 * std::sqrt(h.area_m2), 20.0, 150.0);
        const double e = 20.0;
        const double gx =
            (plan.ground_m({h.xy.x + e, h.xy.y}) - plan.ground_m({h.xy.x - e, h.xy.y})) / (2 * e);
        const double gy =
            (plan.ground_m({h.xy.x, h.xy.y + e}) - plan.ground_m({h.xy.x, h.xy.y - e})) / (2 * e);
        const double slope_pct = std::clamp(100.0 * std::hypot(gx, gy), 0.3, 20.0);
        appendf(s, "S%s RG1 %s %.4f %.2f %.2f %.3f 0\n", h.name.c_str(), h.name.c_str(),
                h.area_m2 / 1e4, 100.0 * h.imperv_area_m2 / h.area_m2, h.area_m2 / flow_length,
                slope_pct);
    }
    s += "\n[SUBAREAS]\n";
    for (const Manhole& h : mh) {
        if (h.area_m2 > 0.0) {
            appendf(s, "S%s %.3f %.3f %.1f %.1f %.0f OUTLET\n", h.name.c_str(), kImpervN, kPervN,
                    kImpervStore_mm, kPervStore_mm, kZeroImpervPct);
        }
    }
    s += "\n[INFILTRATION]\n";
    for (const Manhole& h : mh) {
        if (h.area_m2 > 0.0) {
            appendf(s, "S%s %.2f %.2f %.1f %.1f 0\n", h.name.c_str(), h.f0_area / h.area_m2,
                    kHortonMin_mmh, kHortonDecay_h, kHortonDry_d);
        }
    }

    s += "\n[JUNCTIONS]\n;;Name Elev MaxDepth InitDepth SurDepth Aponded\n";
    for (std::size_t m = 0; m < n_mh; ++m) {
        appendf(s, "%s %.3f %.3f 0 0 %.1f\n", mh[m].name.c_str(), node_invert[m],
                mh[m].ground_m - node_invert[m], mh[m].street_area_m2);
    }
    s += "\n[OUTFALLS]\n";
    for (std::size_t k = 0; k < stations.size(); ++k) {
        appendf(s, "OF%zu %.3f FREE NO\n", k + 1, stations[k].outfall_invert_m);
    }
    s += "\n[STORAGE]\n";
    for (std::size_t k = 0; k < stations.size(); ++k) {
        const Station& st = stations[k];
        if (!st.pumped) {
            continue;
        }
        const double area = std::clamp(
            st.design_flow_m3s * kWetWellCycle_s / (kPumpStartup_m - kPumpShutoff_m), 50.0, 2000.0);
        appendf(s, "WW%zu %.3f %.3f 0 FUNCTIONAL 0 0 %.1f 0 0\n", k + 1, st.well_invert_m,
                st.well_ground_m - st.well_invert_m, area);
    }

    s += "\n[CONDUITS]\n";
    std::vector<double> down_offset(pipes.size(), 0.0);
    for (std::size_t k = 0; k < pipes.size(); ++k) {
        const Pipe& p = pipes[k];
        const auto m = static_cast<std::size_t>(p.from);
        double to_invert = p.down_invert_m;
        if (auto it = by_name.find(p.to); it != by_name.end()) {
            to_invert = node_invert[it->second];
        } else if (p.to[0] == 'W') {
            to_invert = stations[std::stoul(p.to.substr(2)) - 1].well_invert_m;
        } else {
            to_invert = stations[std::stoul(p.to.substr(2)) - 1].outfall_invert_m;
        }
        appendf(s, "C%s %s %s %.2f %.3f %.3f %.3f 0 0\n", mh[m].name.c_str(), mh[m].name.c_str(),
                p.to.c_str(), p.length_m, sizes[p.size].n(), p.up_invert_m - node_invert[m],
                std::max(0.0, p.down_invert_m - to_invert));
    }
    s += "\n[PUMPS]\n";
    for (std::size_t k = 0; k < stations.size(); ++k) {
        if (stations[k].pumped) {
            appendf(s, "PS%zu WW%zu OF%zu PC%zu OFF %.2f %.2f\n", k + 1, k + 1, k + 1, k + 1,
                    kPumpStartup_m, kPumpShutoff_m);
        }
    }
    s += "\n[XSECTIONS]\n";
    for (const Pipe& p : pipes) {
        const Size& z = sizes[p.size];
        const Manhole& h = mh[static_cast<std::size_t>(p.from)];
        if (z.circular) {
            appendf(s, "C%s CIRCULAR %.2f 0 0 0 %d\n", h.name.c_str(), z.height_m, z.barrels);
        } else {
            appendf(s, "C%s RECT_CLOSED %.2f %.2f 0 0 %d\n", h.name.c_str(), z.height_m, z.width_m,
                    z.barrels);
        }
    }

    s += "\n[CURVES]\n";
    for (std::size_t k = 0; k < stations.size(); ++k) {
        const Station& st = stations[k];
        if (!st.pumped) {
            continue;
        }
        // An axial-flow pump's head-flow curve through the design point (Hd, Qd): Hd is the lift
        // from the wet well's stop level to the outfall plus 1 m of losses.
        const double qd = std::max(st.design_flow_m3s, 0.05);
        const double hd =
            std::max(2.0, st.outfall_invert_m - (st.well_invert_m + kPumpShutoff_m) + 1.0);
        appendf(s, "PC%zu Pump3 0 %.4f\n", k + 1, 1.3 * qd);
        appendf(s, "PC%zu %.3f %.4f\n", k + 1, 0.5 * hd, 1.2 * qd);
        appendf(s, "PC%zu %.3f %.4f\n", k + 1, hd, qd);
        appendf(s, "PC%zu %.3f %.4f\n", k + 1, 1.25 * hd, 0.6 * qd);
        appendf(s, "PC%zu %.3f 0\n", k + 1, 1.5 * hd);
    }

    s += "\n[TIMESERIES]\n";
    for (std::size_t k = 0; k <= storm.intensity_mm_h.size(); ++k) {
        const auto t =
            static_cast<long long>(storm.start_s + storm.step_s * static_cast<long long>(k));
        const double v = k < storm.intensity_mm_h.size() ? storm.intensity_mm_h[k] : 0.0;
        appendf(s, "design_storm %lld:%02lld %.4f\n", t / 3600, (t % 3600) / 60, v);
    }

    s += "\n[MAP]\nUNITS DEGREES\n";
    s += "\n[COORDINATES]\n";
    auto coord = [&](const std::string& name, Xy p) {
        const LonLat q = round_position(plan.frame.to_lonlat(p));
        appendf(s, "%s %.7f %.7f\n", name.c_str(), q.lon, q.lat);
    };
    for (const Manhole& h : mh) {
        coord(h.name, h.xy);
    }
    for (std::size_t k = 0; k < stations.size(); ++k) {
        coord("OF" + std::to_string(k + 1), stations[k].outfall_xy);
    }
    for (std::size_t k = 0; k < stations.size(); ++k) {
        if (stations[k].pumped) {
            coord("WW" + std::to_string(k + 1), stations[k].well_xy);
        }
    }

    Diagnostics diags;
    out.network = drainage::parse_swmm_inp(s, "drainage.inp", diags);
    if (diags.has_errors()) {
        throw Error(ErrorCode::kInternal,
                    "generated storm drains do not parse: " + diags.items().front().message);
    }
    for (std::size_t k = 0; k < stations.size(); ++k) {
        if (!stations[k].pumped || bus_xy.empty()) {
            continue;
        }
        const std::int32_t b = bus_index.nearest(stations[k].well_xy);
        out.pump_buses.push_back(
            {"drainage_link:PS" + std::to_string(k + 1), bus_number[static_cast<std::size_t>(b)]});
    }
    return out;
}

} // namespace rencheng::citygen::detail
