// Road network of the synthetic city: a jittered hierarchical lattice cut by the river.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include "citygen/detail/layout.hpp"
#include "core/csr.hpp"
#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

using transport::RoadClass;

constexpr double kTwoPi = 2.0 * units::kPi;

// Street names in pinyin, as Chinese cities name them (解放, 中山, 人民 …).
constexpr std::array<const char*, 48> kStreetNames = {
    "Jiefang",  "Zhongshan", "Renmin",     "Heping",    "Minzhu",   "Xinhua", "Jianshe",
    "Wenhua",   "Youyi",     "Changjiang", "Hanshui",   "Qingnian", "Xingfu", "Guangming",
    "Chaoyang", "Dongfeng",  "Huayuan",    "Taoyuan",   "Jinqiao",  "Yinhe",  "Binjiang",
    "Hubin",    "Shuguang",  "Xinmin",     "Fuqiang",   "Kangning", "Anle",   "Changan",
    "Tianhe",   "Longquan",  "Fenghuang",  "Baiyun",    "Qingshan", "Lüyuan", "Yuhua",
    "Jinxiu",   "Ronghua",   "Hongqi",     "Gongnong",  "Xueyuan",  "Keji",   "Chuangye",
    "Huaxia",   "Zhonghua",  "Yingbin",    "Wangjiang", "Nanhu",    "Beihu"};

RoadClass line_class(int line) {
    const int m = ((line % 4) + 4) % 4;
    if (m == 0) {
        return RoadClass::kArterial;
    }
    return m == 2 ? RoadClass::kCollector : RoadClass::kLocal;
}

const char* ordinal_suffix(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) {
        return "th";
    }
    switch (n % 10) {
    case 1:
        return "st";
    case 2:
        return "nd";
    case 3:
        return "rd";
    default:
        return "th";
    }
}

// Rank of a class: higher is more important.
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

struct TmpLink {
    std::int32_t from = 0;
    std::int32_t to = 0;
    RoadClass cls = RoadClass::kLocal;
    int lanes = 1;
    double speed_kmh = 30.0;
    double capacity_per_lane = 800.0;
    bool oneway = false;
    bool bridge = false;
    std::string name;
};

struct Crossing {
    std::int32_t from = 0;
    std::int32_t to = 0;
    RoadClass cls = RoadClass::kLocal;
    bool eligible = false;
    double centre_distance_m = 0.0;
    std::string name;
};

// Per-class link attributes. Capacities per lane follow the usual planning values for Chinese
// urban roads (CJJ 37-2012 gives 1650-2100 pcu/h/lane at 50-60 km/h, less on minor streets).
void set_class_attributes(TmpLink& l, double rel_radius) {
    switch (l.cls) {
    case RoadClass::kMotorway:
    case RoadClass::kArterial:
        l.lanes = rel_radius < 0.5 ? 3 : 2;
        l.speed_kmh = rel_radius < 0.3 ? 50.0 : 60.0;
        l.capacity_per_lane = 1800.0;
        break;
    case RoadClass::kCollector:
        l.lanes = 2;
        l.speed_kmh = 40.0;
        l.capacity_per_lane = 1200.0;
        break;
    case RoadClass::kLocal:
        l.lanes = l.oneway ? 2 : 1;
        l.speed_kmh = 30.0;
        l.capacity_per_lane = 800.0;
        break;
    }
}

// |sin| of the angle between segment a-b and the river's course where the segment crosses it.
double crossing_sine(const River& river, Xy a, Xy b) {
    const double c = std::cos(river.angle_rad);
    const double s = std::sin(river.angle_rad);
    const Xy mid{0.5 * (a.x + b.x), 0.5 * (a.y + b.y)};
    const double m = river.slope(mid.x * c + mid.y * s);
    // The river's tangent (1, m) in river coordinates, turned back to the plane.
    const double tx = c - m * s;
    const double ty = s + m * c;
    const double dx = b.x - a.x;
    const double dy = b.y - a.y;
    const double norm = std::hypot(tx, ty) * std::hypot(dx, dy);
    return norm > 0.0 ? std::abs(tx * dy - ty * dx) / norm : 0.0;
}

} // namespace

LonLat round_position(LonLat p) {
    return {std::round(p.lon * 1e7) / 1e7, std::round(p.lat * 1e7) / 1e7};
}

Lattice make_lattice(const CityPlan& plan) {
    const double s = plan.street_spacing_m;
    Lattice lat;
    lat.k_max = static_cast<int>(std::ceil(1.05 * plan.max_radius() / s)) + 1;
    const int k_max = lat.k_max;
    const auto side_count = static_cast<std::size_t>(2 * k_max + 1);
    // Warped (smooth bends), jittered (less across arterials so they stay straight), rotated to
    // the grid orientation.
    RngStream rng(plan.options.seed, 0, kStreamJitter);
    const double jitter = 0.07 * s;
    const double ca = std::cos(plan.grid_angle_rad);
    const double sa = std::sin(plan.grid_angle_rad);
    lat.points.resize(side_count * side_count);
    for (int j = -k_max; j <= k_max; ++j) {
        for (int i = -k_max; i <= k_max; ++i) {
            const double ja = rng.uniform(-1.0, 1.0) * jitter *
                              (line_class(i) == RoadClass::kArterial ? 0.2 : 1.0);
            const double jb = rng.uniform(-1.0, 1.0) * jitter *
                              (line_class(j) == RoadClass::kArterial ? 0.2 : 1.0);
            const double a0 = i * s;
            const double b0 = j * s;
            const double w = plan.warp_amplitude_m;
            const double a =
                a0 + w * std::sin(kTwoPi * b0 / plan.warp_wavelength_m + plan.warp_phase[0]) + ja;
            const double b =
                b0 + w * std::sin(kTwoPi * a0 / plan.warp_wavelength_m + plan.warp_phase[1]) + jb;
            lat.points[lat.slot(i, j)] = {a * ca - b * sa, a * sa + b * ca};
        }
    }
    return lat;
}

RoadLayout make_roads(const CityPlan& plan) {
    if (plan.options.streets) {
        return make_street_roads(plan);
    }
    const Lattice grid = make_lattice(plan);
    const int k_max = grid.k_max;
    const std::vector<Xy>& lattice = grid.points;
    auto slot = [&](int i, int j) { return grid.slot(i, j); };

    // Nodes: lattice points in the built-up area and clear of the river and its embankment.
    std::vector<std::int32_t> node_of(lattice.size(), -1);
    std::vector<Xy> tmp_xy;
    for (int j = -k_max; j <= k_max; ++j) {
        for (int i = -k_max; i <= k_max; ++i) {
            const Xy p = lattice[slot(i, j)];
            if (plan.inside(p) && !plan.river.in_band(p, plan.embankment_m)) {
                node_of[slot(i, j)] = static_cast<std::int32_t>(tmp_xy.size());
                tmp_xy.push_back(p);
            }
        }
    }

    // Names: each family of parallel lines draws its names from the list from its own offset.
    RngStream name_rng(plan.options.seed, 0, kStreamNames);
    const std::array<int, 2> name_offset = {static_cast<int>(name_rng.below(kStreetNames.size())),
                                            static_cast<int>(name_rng.below(kStreetNames.size()))};
    auto line_name = [&](int family, int line) {
        const int n = static_cast<int>(kStreetNames.size());
        // Family 0 takes every even list slot, family 1 every odd one, so the two never share.
        const int pos = (line + k_max) + name_offset[family];
        const int idx = (2 * (pos % (n / 2)) + family) % n;
        const int cycle = pos / (n / 2);
        std::string base = kStreetNames[static_cast<std::size_t>(idx)];
        const RoadClass c = line_class(line);
        const char* kind = c == RoadClass::kArterial    ? " Avenue"
                           : c == RoadClass::kCollector ? " Road"
                                                        : " Street";
        std::string name;
        if (cycle > 0) {
            name = std::to_string(cycle + 1) + ordinal_suffix(cycle + 1) + " ";
        }
        return name + base + kind;
    };

    std::vector<TmpLink> links;
    std::vector<Crossing> crossings;
    for (int family = 0; family < 2; ++family) {
        for (int line = -k_max; line <= k_max; ++line) {
            const RoadClass cls = line_class(line);
            const std::string name = line_name(family, line);
            // One-way pairs: the two local streets either side of every other collector, in the
            // central area, run in opposite directions (as in many old city centres).
            const int m = ((line % 4) + 4) % 4;
            const int block = (line - m) / 4;
            const bool oneway_line = cls == RoadClass::kLocal && (block % 2 == 0);
            const bool forward = m == 1;
            auto at = [&](int k) { return family == 0 ? slot(k, line) : slot(line, k); };
            int prev = -k_max - 1;
            for (int k = -k_max; k <= k_max; ++k) {
                if (node_of[at(k)] < 0) {
                    continue;
                }
                if (prev < -k_max) {
                    prev = k;
                    continue;
                }
                const std::int32_t na = node_of[at(prev)];
                const std::int32_t nb = node_of[at(k)];
                const Xy a = tmp_xy[na];
                const Xy b = tmp_xy[nb];
                const bool same_side = plan.river.side(a) == plan.river.side(b);
                const bool wet = plan.river.segment_touches(a, b, 5.0);
                const int gap = k - prev;
                if (gap == 1 && same_side && !wet) {
                    TmpLink l;
                    l.cls = cls;
                    const Xy mid{0.5 * (a.x + b.x), 0.5 * (a.y + b.y)};
                    const double rel = plan.relative_radius(mid);
                    l.oneway = oneway_line && rel < 0.45;
                    l.from = (!l.oneway || forward) ? na : nb;
                    l.to = (!l.oneway || forward) ? nb : na;
                    l.name = name;
                    set_class_attributes(l, rel);
                    links.push_back(std::move(l));
                } else if (!same_side && gap <= 5) {
                    // A river crossing, if everything in between is river (not outside the city).
                    bool in_city = true;
                    for (int g = prev + 1; g < k; ++g) {
                        in_city = in_city && plan.inside(lattice[at(g)]);
                    }
                    if (in_city) {
                        Crossing c;
                        c.from = na;
                        c.to = nb;
                        c.cls = cls;
                        // Bridges: every arterial and every other collector, where the line
                        // meets the river at 35 degrees or more (no bridge runs along the river).
                        c.eligible = (cls == RoadClass::kArterial ||
                                      (cls == RoadClass::kCollector && (block % 2 == 0))) &&
                                     crossing_sine(plan.river, a, b) > 0.57;
                        c.centre_distance_m = std::hypot(0.5 * (a.x + b.x), 0.5 * (a.y + b.y));
                        c.name = name + " Bridge";
                        crossings.push_back(std::move(c));
                    }
                }
                prev = k;
            }
        }
    }
    // A city too small for an eligible bridge still gets the crossing nearest its centre.
    const bool any_eligible = std::any_of(crossings.begin(), crossings.end(),
                                          [](const Crossing& c) { return c.eligible; });
    if (!any_eligible && !crossings.empty()) {
        auto best = std::min_element(crossings.begin(), crossings.end(),
                                     [](const Crossing& x, const Crossing& y) {
                                         return x.centre_distance_m < y.centre_distance_m;
                                     });
        best->eligible = true;
    }
    for (const Crossing& c : crossings) {
        if (!c.eligible) {
            continue;
        }
        TmpLink l;
        l.from = c.from;
        l.to = c.to;
        l.cls = c.cls;
        l.bridge = true;
        l.name = c.name;
        set_class_attributes(l, 0.0);
        l.lanes = std::max(l.lanes, 2);
        links.push_back(std::move(l));
    }

    // Strong connectivity: first open one-way links that join different components both ways,
    // then keep the largest strongly connected component.
    const auto node_count = static_cast<std::int32_t>(tmp_xy.size());
    auto components = [&](std::int32_t& count) {
        std::vector<std::int32_t> tails;
        std::vector<std::int32_t> heads;
        for (const TmpLink& l : links) {
            tails.push_back(l.from);
            heads.push_back(l.to);
            if (!l.oneway) {
                tails.push_back(l.to);
                heads.push_back(l.from);
            }
        }
        return strongly_connected_components(build_csr(node_count, tails, heads), count);
    };
    std::int32_t count = 0;
    std::vector<std::int32_t> comp = components(count);
    if (count > 1) {
        bool changed = false;
        for (TmpLink& l : links) {
            if (l.oneway && comp[l.from] != comp[l.to]) {
                l.oneway = false;
                set_class_attributes(l, 1.0);
                changed = true;
            }
        }
        if (changed) {
            comp = components(count);
        }
    }
    std::vector<std::int32_t> comp_size(static_cast<std::size_t>(count), 0);
    for (std::int32_t c : comp) {
        ++comp_size[c];
    }
    const auto biggest = static_cast<std::int32_t>(
        std::max_element(comp_size.begin(), comp_size.end()) - comp_size.begin());

    RoadLayout out;
    transport::RoadNetwork& net = out.net;
    std::vector<std::int32_t> new_index(tmp_xy.size(), -1);
    for (std::int32_t u = 0; u < node_count; ++u) {
        if (comp[u] != biggest) {
            continue;
        }
        new_index[u] = net.node_count();
        const LonLat pos = round_position(plan.frame.to_lonlat(tmp_xy[u]));
        net.add_node("n" + std::to_string(net.node_count() + 1), pos);
        out.node_xy.push_back(plan.frame.to_xy(pos));
        out.node_class.push_back(RoadClass::kLocal);
    }
    for (const TmpLink& l : links) {
        const std::int32_t a = new_index[l.from];
        const std::int32_t b = new_index[l.to];
        if (a < 0 || b < 0) {
            continue;
        }
        net.link_id.push_back("l" + std::to_string(net.link_count() + 1));
        net.link_from.push_back(a);
        net.link_to.push_back(b);
        net.link_class.push_back(l.cls);
        net.link_geometry.push_back({net.node_position[a], net.node_position[b]});
        net.length_m.push_back(std::round(polyline_length_m(net.link_geometry.back()) * 100.0) /
                               100.0);
        net.free_speed_ms.push_back(l.speed_kmh * units::kKmPerHour);
        net.capacity_vehh.push_back(l.capacity_per_lane * l.lanes);
        net.lanes.push_back(l.lanes);
        net.oneway.push_back(l.oneway ? 1 : 0);
        net.bridge.push_back(l.bridge ? 1 : 0);
        net.tunnel.push_back(0);
        net.link_name.push_back(l.name);
        net.link_source_line.push_back(0);
        out.bridges += l.bridge ? 1 : 0;
        for (std::int32_t v : {a, b}) {
            if (class_rank(l.cls) > class_rank(out.node_class[v])) {
                out.node_class[v] = l.cls;
            }
        }
    }
    net.build_graph();
    return out;
}

NearestIndex::NearestIndex(const std::vector<Xy>& points, double cell_m)
    : points_(points), cell_m_(cell_m) {
    if (points_.empty()) {
        return;
    }
    double max_x = points_[0].x;
    double max_y = points_[0].y;
    min_x_ = points_[0].x;
    min_y_ = points_[0].y;
    for (const Xy& p : points_) {
        min_x_ = std::min(min_x_, p.x);
        min_y_ = std::min(min_y_, p.y);
        max_x = std::max(max_x, p.x);
        max_y = std::max(max_y, p.y);
    }
    nx_ = static_cast<int>((max_x - min_x_) / cell_m_) + 1;
    ny_ = static_cast<int>((max_y - min_y_) / cell_m_) + 1;
    std::vector<std::int32_t> cell_of(points_.size());
    start_.assign(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
    for (std::size_t k = 0; k < points_.size(); ++k) {
        const int cx = std::clamp(static_cast<int>((points_[k].x - min_x_) / cell_m_), 0, nx_ - 1);
        const int cy = std::clamp(static_cast<int>((points_[k].y - min_y_) / cell_m_), 0, ny_ - 1);
        cell_of[k] = cy * nx_ + cx;
        ++start_[static_cast<std::size_t>(cell_of[k]) + 1];
    }
    for (std::size_t c = 1; c < start_.size(); ++c) {
        start_[c] += start_[c - 1];
    }
    items_.resize(points_.size());
    std::vector<std::int32_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t k = 0; k < points_.size(); ++k) {
        items_[static_cast<std::size_t>(fill[cell_of[k]]++)] = static_cast<std::int32_t>(k);
    }
}

std::int32_t NearestIndex::nearest(Xy p) const {
    if (points_.empty()) {
        return -1;
    }
    const int cx = std::clamp(static_cast<int>(std::floor((p.x - min_x_) / cell_m_)), 0, nx_ - 1);
    const int cy = std::clamp(static_cast<int>(std::floor((p.y - min_y_) / cell_m_)), 0, ny_ - 1);
    // Every cell of ring r lies at least max(base, (r - 1) cells) from p, base being p's distance
    // to the clamped cell (non-zero only when p is outside the grid).
    const double off_x =
        std::max({0.0, min_x_ + cx * cell_m_ - p.x, p.x - (min_x_ + (cx + 1) * cell_m_)});
    const double off_y =
        std::max({0.0, min_y_ + cy * cell_m_ - p.y, p.y - (min_y_ + (cy + 1) * cell_m_)});
    const double base = std::hypot(off_x, off_y);
    std::int32_t best = -1;
    double best_d2 = 0.0;
    const int max_ring = std::max(nx_, ny_);
    for (int ring = 0; ring <= max_ring; ++ring) {
        if (best >= 0) {
            const double reach = std::max(base, (ring - 1) * cell_m_);
            if (reach > 0.0 && reach * reach > best_d2) {
                break;
            }
        }
        for (int y = cy - ring; y <= cy + ring; ++y) {
            if (y < 0 || y >= ny_) {
                continue;
            }
            const bool edge_row = y == cy - ring || y == cy + ring;
            for (int x = cx - ring; x <= cx + ring; x += edge_row ? 1 : 2 * ring) {
                if (x >= 0 && x < nx_) {
                    const auto c = static_cast<std::size_t>(y * nx_ + x);
                    for (std::int32_t s = start_[c]; s < start_[c + 1]; ++s) {
                        const std::int32_t k = items_[static_cast<std::size_t>(s)];
                        const double dx = points_[k].x - p.x;
                        const double dy = points_[k].y - p.y;
                        const double d2 = dx * dx + dy * dy;
                        if (best < 0 || d2 < best_d2 || (d2 == best_d2 && k < best)) {
                            best = k;
                            best_d2 = d2;
                        }
                    }
                }
                if (ring == 0) {
                    break;
                }
            }
        }
    }
    return best;
}

} // namespace rencheng::citygen::detail
