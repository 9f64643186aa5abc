// Water network of the synthetic city: pipes under the streets, plants, tanks, pumps, PRV zones.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "citygen/detail/layout.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "water/epanet_inp.hpp"
#include "water/hydraulics.hpp"

namespace rencheng::citygen::detail {

namespace {

using transport::RoadClass;

// Design values. Per-capita demand: GB 50013-2018 Table 4.0.3-2 gives average-day comprehensive
// domestic quotas of about 150-300 L/person/day for large cities of zone I (the Yangtze basin);
// 220 L sits inside it. GB 50013-2018 §4.0.7 adds 8-12 % for unforeseen use and leakage.
constexpr double kPerCapita_lpd = 220.0;
constexpr double kUnforeseen = 1.10;
// GB 50015-2019 Table 3.2.2: hospitals with baths in the wards 250-400 L/bed/day (we take the
// upper end, staff included); primary and middle schools 20-40 L/pupil/day.
constexpr double kHospital_lpd = 400.0;
constexpr double kSchool_lpd = 30.0;
// Pressure zones: the highest node of a zone gets about kTopHead_m at the tank's bottom level;
// a zone spans kZoneBand_m of ground so its lowest node stays below ~70 m static head.
// GB 50013-2018 §3.0.9: minimum service head 10 m for one storey, 12 m for two, +4 m per storey.
constexpr double kTopHead_m = 24.0;
constexpr double kZoneBand_m = 37.0;
constexpr double kLowTopHead_m = 25.0;
// Tanks: 0.5-6.5 m of water; storage 15 % of the served day's demand (GB 50013-2018 §9.9 puts
// regulating storage at about 10-20 % of the maximum day).
constexpr double kTankMin_m = 0.5;
constexpr double kTankMax_m = 6.5;
constexpr double kTankInit_m = 4.0;
constexpr double kTankShare = 0.15;
// Peak-hour design check: every service junction keeps this much at the peak hour of the day
// with the tanks nearly empty; pipes are upsized until it holds.
constexpr double kDesignPressure_m = 18.0;

// Nominal diameters, mm (GB/T 13295 ductile iron and steel mains).
constexpr std::array<int, 15> kDn = {100, 150, 200, 250,  300,  400,  500, 600,
                                     700, 800, 900, 1000, 1200, 1400, 1600};

// The 24-hour demand pattern (multipliers averaging 1). The peak-hour factor 1.45 lies in the
// 1.2-1.6 of GB 50013-2018 §4.0.6 for the hourly variation coefficient.
constexpr std::array<double, 24> kDiurnal = {0.55, 0.50, 0.48, 0.47, 0.52, 0.70, 1.05, 1.40,
                                             1.45, 1.25, 1.10, 1.15, 1.25, 1.10, 0.98, 0.95,
                                             1.02, 1.18, 1.40, 1.45, 1.30, 1.05, 0.80, 0.70};

int dn_at_least(double d_mm) {
    for (int dn : kDn) {
        if (dn >= d_mm - 1e-9) {
            return dn;
        }
    }
    return kDn.back();
}

int next_dn(int dn) {
    for (int d : kDn) {
        if (d > dn) {
            return d;
        }
    }
    return dn;
}

// Hazen-Williams head loss, m, over `length_m` for flow q (m³/s) (SI form, 10.67 coefficient).
double hw_loss_m(double q, double d_m, double c, double length_m) {
    return 10.67 * length_m * std::pow(q / c, 1.852) / std::pow(d_m, 4.8704);
}

std::string junction_id(const std::string& road_id) {
    return "J" + (road_id.size() > 1 && road_id[0] == 'n' ? road_id.substr(1) : road_id);
}

std::string pipe_id(const std::string& road_id) {
    return "P" + (road_id.size() > 1 && road_id[0] == 'l' ? road_id.substr(1) : road_id);
}

struct Pipe {
    std::int32_t a = 0, b = 0; ///< road node indices
    std::string id;
    double length_m = 0.0;
    RoadClass cls = RoadClass::kLocal;
    int dn = 150;
    int c = 130;
    const char* material = "ductile_iron";
    bool closed = false;
    std::int32_t prv = -1; ///< PRV number when the pipe feeds a lower zone through one
};

struct Plant {
    std::int32_t site = 0; ///< road node next to it
    int bank = 1;
    std::int32_t zone = 0; ///< the zone it pumps to
};

// Connected components of the nodes over pipes that join nodes of equal `key`.
std::vector<std::int32_t> components(std::int32_t n, const std::vector<Pipe>& pipes,
                                     const std::vector<std::int32_t>& key) {
    std::vector<std::int32_t> parent(static_cast<std::size_t>(n));
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            parent[static_cast<std::size_t>(x)] =
                parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(x)])];
            x = parent[static_cast<std::size_t>(x)];
        }
        return x;
    };
    for (const Pipe& p : pipes) {
        if (key[static_cast<std::size_t>(p.a)] == key[static_cast<std::size_t>(p.b)]) {
            const std::int32_t ra = find(p.a), rb = find(p.b);
            if (ra != rb) {
                parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
            }
        }
    }
    std::vector<std::int32_t> label(static_cast<std::size_t>(n), -1);
    std::vector<std::int32_t> root_label(static_cast<std::size_t>(n), -1);
    std::int32_t next = 0;
    for (std::int32_t v = 0; v < n; ++v) {
        const auto r = static_cast<std::size_t>(find(v));
        if (root_label[r] < 0) {
            root_label[r] = next++;
        }
        label[static_cast<std::size_t>(v)] = root_label[r];
    }
    return label;
}

void appendf(std::string& out, const char* fmt, auto... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    out += buf;
}

} // namespace

WaterLayout make_water(const CityPlan& plan, const RoadLayout& roads,
                       const std::vector<model::PopulationZone>& zones,
                       const std::vector<model::Facility>& facilities) {
    const transport::RoadNetwork& rn = roads.net;
    const std::int32_t n = rn.node_count();
    const auto un = static_cast<std::size_t>(n);
    RngStream rng(plan.options.seed, 0, kStreamWater);
    WaterLayout out;

    // Junctions at the road nodes, on the ground.
    std::vector<double> elev(un);
    std::vector<int> bank(un);
    for (std::size_t v = 0; v < un; ++v) {
        elev[v] = std::round(plan.ground_m(roads.node_xy[v]) * 100.0) / 100.0;
        bank[v] = plan.river.side(roads.node_xy[v]);
    }

    // One pipe per pair of connected nodes (a one-way couplet shares its main).
    std::vector<Pipe> pipes;
    {
        std::vector<std::pair<std::int64_t, std::int32_t>> keys;
        for (std::int32_t l = 0; l < rn.link_count(); ++l) {
            const auto ul = static_cast<std::size_t>(l);
            const std::int32_t a = std::min(rn.link_from[ul], rn.link_to[ul]);
            const std::int32_t b = std::max(rn.link_from[ul], rn.link_to[ul]);
            if (a != b) {
                keys.emplace_back(static_cast<std::int64_t>(a) * n + b, l);
            }
        }
        std::stable_sort(keys.begin(), keys.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if (k > 0 && keys[k].first == keys[k - 1].first) {
                continue;
            }
            const auto ul = static_cast<std::size_t>(keys[k].second);
            Pipe p;
            p.a = rn.link_from[ul];
            p.b = rn.link_to[ul];
            p.id = pipe_id(rn.link_id[ul]);
            p.length_m = std::max(1.0, std::round(rn.length_m[ul] * 100.0) / 100.0);
            p.cls = rn.link_class[ul];
            pipes.push_back(std::move(p));
        }
        std::sort(pipes.begin(), pipes.end(), [&](const Pipe& x, const Pipe& y) {
            return std::min(x.a, x.b) != std::min(y.a, y.b)
                       ? std::min(x.a, x.b) < std::min(y.a, y.b)
                       : std::max(x.a, x.b) < std::max(y.a, y.b);
        });
    }

    // Initial sizes by hierarchy: transmission mains under the arterials, distribution mains
    // under the collectors, the smallest fire-fighting main (DN150) under local streets. The
    // peak-hour check below upsizes what carries more.
    const double pop = static_cast<double>(plan.options.population);
    const int arterial_dn = pop >= 500000 ? 600 : (pop >= 200000 ? 500 : 400);
    for (Pipe& p : pipes) {
        p.dn = p.cls == RoadClass::kArterial || p.cls == RoadClass::kMotorway
                   ? arterial_dn
                   : (p.cls == RoadClass::kCollector ? 200 : 150);
    }

    // Demands, m³/s at the nearest junction: residents of each zone, hospital beds, pupils.
    std::vector<double> demand(un, 0.0);
    const NearestIndex nearest(roads.node_xy, 250.0);
    for (const model::PopulationZone& z : zones) {
        const std::int32_t v = nearest.nearest(plan.frame.to_xy(z.centroid));
        if (v >= 0) {
            demand[static_cast<std::size_t>(v)] +=
                static_cast<double>(z.population) * kPerCapita_lpd * kUnforeseen / 86400e3;
        }
    }
    for (const model::Facility& f : facilities) {
        double lpd = 0.0;
        if (f.kind == model::FacilityKind::kHospital) {
            lpd = f.capacity * kHospital_lpd;
        } else if (f.kind == model::FacilityKind::kSchool) {
            lpd = f.capacity * kSchool_lpd;
        }
        const std::int32_t v = nearest.nearest(plan.frame.to_xy(f.position));
        if (v >= 0 && lpd > 0.0) {
            demand[static_cast<std::size_t>(v)] += lpd / 86400e3;
        }
    }
    for (double& d : demand) {
        d = std::round(d * 1e7) / 1e7; // 0.0001 L/s, what the file keeps
    }

    // Pressure zones. On each bank the nodes within kZoneBand_m of the bank's highest ground form
    // the main zone (fed by a plant through a hilltop tank); lower ground forms PRV-fed low zones.
    std::array<double, 2> bank_top{-1e9, -1e9};
    for (std::size_t v = 0; v < un; ++v) {
        auto& t = bank_top[bank[v] > 0 ? 0 : 1];
        t = std::max(t, elev[v]);
    }
    std::vector<std::int32_t> level(un); // key: bank * 2 + (0 main, 1 low)
    for (std::size_t v = 0; v < un; ++v) {
        const int bi = bank[v] > 0 ? 0 : 1;
        level[v] =
            bi * 2 + (elev[v] >= bank_top[static_cast<std::size_t>(bi)] - kZoneBand_m ? 0 : 1);
    }
    std::vector<std::int32_t> comp = components(n, pipes, level);
    std::int32_t comp_count = 0;
    for (auto c : comp) {
        comp_count = std::max(comp_count, c + 1);
    }
    // The largest main component of each bank keeps a plant; other main islands join the low
    // ground around them.
    std::vector<std::int32_t> comp_size(static_cast<std::size_t>(comp_count), 0);
    for (auto c : comp) {
        ++comp_size[static_cast<std::size_t>(c)];
    }
    std::array<std::int32_t, 2> served{-1, -1};
    for (std::size_t v = 0; v < un; ++v) {
        if (level[v] % 2 != 0) {
            continue;
        }
        auto& s = served[static_cast<std::size_t>(level[v] / 2)];
        if (s < 0 ||
            comp_size[static_cast<std::size_t>(comp[v])] > comp_size[static_cast<std::size_t>(s)]) {
            s = comp[v];
        }
    }
    for (std::size_t v = 0; v < un; ++v) {
        if (level[v] % 2 == 0 && comp[v] != served[static_cast<std::size_t>(level[v] / 2)]) {
            level[v] += 1;
        }
    }
    // A low pocket that touches no main zone (only the other bank's low ground, across a bridge)
    // joins the low zone next to it, so that every low zone has a main zone to feed it. A small
    // pocket without demand joins the main zone it touches instead: a PRV with no flow would
    // leave it hanging (EPANET then reports meaningless heads there).
    for (int round = 0; round < 8; ++round) {
        comp = components(n, pipes, level);
        comp_count = 0;
        for (auto c : comp) {
            comp_count = std::max(comp_count, c + 1);
        }
        const auto cc = static_cast<std::size_t>(comp_count);
        std::vector<std::uint8_t> touches_main(cc, 0);
        std::vector<std::int32_t> low_neighbour(cc, -1), main_neighbour(cc, -1), size(cc, 0);
        std::vector<double> pocket_demand(cc, 0.0);
        for (std::size_t v = 0; v < un; ++v) {
            pocket_demand[static_cast<std::size_t>(comp[v])] += demand[v];
            ++size[static_cast<std::size_t>(comp[v])];
        }
        for (const Pipe& p : pipes) {
            const auto a = static_cast<std::size_t>(p.a), b = static_cast<std::size_t>(p.b);
            for (int side = 0; side < 2; ++side) {
                const std::size_t u = side == 0 ? a : b, w = side == 0 ? b : a;
                if (level[u] % 2 == 1 && comp[u] != comp[w]) {
                    if (level[w] % 2 == 0) {
                        touches_main[static_cast<std::size_t>(comp[u])] = 1;
                        if (main_neighbour[static_cast<std::size_t>(comp[u])] < 0) {
                            main_neighbour[static_cast<std::size_t>(comp[u])] =
                                static_cast<std::int32_t>(w);
                        }
                    } else if (low_neighbour[static_cast<std::size_t>(comp[u])] < 0) {
                        low_neighbour[static_cast<std::size_t>(comp[u])] =
                            static_cast<std::int32_t>(w);
                    }
                }
            }
        }
        bool merged = false;
        for (std::size_t v = 0; v < un; ++v) {
            const auto c = static_cast<std::size_t>(comp[v]);
            if (level[v] % 2 == 1 && !touches_main[c] && low_neighbour[c] >= 0) {
                level[v] = level[static_cast<std::size_t>(low_neighbour[c])];
                merged = true;
            } else if (level[v] % 2 == 1 && touches_main[c] && pocket_demand[c] == 0.0 &&
                       size[c] <= 5) {
                level[v] = level[static_cast<std::size_t>(main_neighbour[c])];
                merged = true;
            }
        }
        if (!merged) {
            break;
        }
    }
    comp = components(n, pipes, level);
    comp_count = 0;
    for (auto c : comp) {
        comp_count = std::max(comp_count, c + 1);
    }
    const auto ucc = static_cast<std::size_t>(comp_count);
    std::vector<std::uint8_t> comp_main(ucc, 0);
    std::vector<double> comp_top(ucc, -1e9), comp_bottom(ucc, 1e9);
    std::vector<std::int32_t> comp_top_node(ucc, -1);
    std::vector<double> comp_demand(ucc, 0.0);
    std::vector<std::int32_t> comp_nodes(ucc, 0);
    for (std::size_t v = 0; v < un; ++v) {
        const auto c = static_cast<std::size_t>(comp[v]);
        comp_main[c] = level[v] % 2 == 0 ? 1 : 0;
        if (elev[v] > comp_top[c]) {
            comp_top[c] = elev[v];
            comp_top_node[c] = static_cast<std::int32_t>(v);
        }
        comp_bottom[c] = std::min(comp_bottom[c], elev[v]);
        comp_demand[c] += demand[v];
        ++comp_nodes[c];
    }

    // Boundary pipes: a few become PRVs from a main zone into each low zone, the rest are closed
    // zone valves. PRVs are spread out (at least 500 m apart when the boundary allows), preferring
    // the larger streets.
    struct Prv {
        std::int32_t pipe = 0;
        std::int32_t up = 0, down = 0; ///< road nodes: main side, low side
        double setting_m = 0.0;
    };
    std::vector<Prv> prvs;
    std::vector<std::vector<std::int32_t>> boundary(ucc);
    for (std::size_t k = 0; k < pipes.size(); ++k) {
        Pipe& p = pipes[k];
        const auto ca = static_cast<std::size_t>(comp[static_cast<std::size_t>(p.a)]);
        const auto cb = static_cast<std::size_t>(comp[static_cast<std::size_t>(p.b)]);
        if (ca == cb) {
            continue;
        }
        p.closed = true;
        if (comp_main[ca] != comp_main[cb]) {
            boundary[comp_main[ca] ? cb : ca].push_back(static_cast<std::int32_t>(k));
        }
    }
    std::vector<double> comp_hgl(ucc, 0.0);
    for (std::size_t c = 0; c < ucc; ++c) {
        if (comp_main[c]) {
            continue;
        }
        // HGL of the low zone: kLowTopHead_m over its highest ground, at most 70 m over its lowest.
        comp_hgl[c] = std::min(comp_top[c] + kLowTopHead_m, comp_bottom[c] + 70.0);
        std::vector<std::int32_t>& cand = boundary[c];
        std::stable_sort(cand.begin(), cand.end(), [&](std::int32_t x, std::int32_t y) {
            return static_cast<int>(pipes[static_cast<std::size_t>(x)].cls) <
                   static_cast<int>(pipes[static_cast<std::size_t>(y)].cls);
        });
        const std::size_t want =
            std::min<std::size_t>(cand.size(), 1 + static_cast<std::size_t>(comp_nodes[c] / 30));
        std::vector<std::int32_t> chosen;
        for (double spacing : {500.0, 0.0}) {
            for (std::int32_t k : cand) {
                if (chosen.size() >= want) {
                    break;
                }
                if (std::find(chosen.begin(), chosen.end(), k) != chosen.end()) {
                    continue;
                }
                const Pipe& p = pipes[static_cast<std::size_t>(k)];
                const Xy at = roads.node_xy[static_cast<std::size_t>(p.a)];
                // EPANET forbids two PRVs on one downstream node.
                const std::int32_t low_end =
                    comp[static_cast<std::size_t>(p.a)] == static_cast<std::int32_t>(c) ? p.a : p.b;
                bool far = true;
                for (std::int32_t j : chosen) {
                    const Pipe& o = pipes[static_cast<std::size_t>(j)];
                    far = far && o.a != low_end && o.b != low_end;
                }
                for (std::int32_t j : chosen) {
                    const Xy o = roads.node_xy[static_cast<std::size_t>(
                        pipes[static_cast<std::size_t>(j)].a)];
                    far = far && std::hypot(at.x - o.x, at.y - o.y) >= spacing;
                }
                if (far) {
                    chosen.push_back(k);
                }
            }
        }
        for (std::int32_t k : chosen) {
            Pipe& p = pipes[static_cast<std::size_t>(k)];
            const bool a_low = comp[static_cast<std::size_t>(p.a)] == static_cast<std::int32_t>(c);
            Prv v;
            v.pipe = k;
            v.down = a_low ? p.a : p.b;
            v.up = a_low ? p.b : p.a;
            v.setting_m =
                std::round((comp_hgl[c] - elev[static_cast<std::size_t>(v.down)]) * 100.0) / 100.0;
            p.closed = false;
            p.prv = static_cast<std::int32_t>(prvs.size());
            prvs.push_back(v);
        }
    }

    // Plants: one per bank near the river, at opposite ends of its course (upstream end on the
    // left bank, downstream end on the right), each pumping to its bank's main zone tank.
    const double cos_a = std::cos(plan.river.angle_rad), sin_a = std::sin(plan.river.angle_rad);
    auto along = [&](std::size_t v) {
        return roads.node_xy[v].x * cos_a + roads.node_xy[v].y * sin_a;
    };
    std::vector<Plant> plants;
    for (int bi = 0; bi < 2; ++bi) {
        const int side = bi == 0 ? 1 : -1;
        double near_m = 1e18;
        for (std::size_t v = 0; v < un; ++v) {
            if (bank[v] == side) {
                near_m = std::min(near_m, std::abs(plan.river.signed_distance(roads.node_xy[v])));
            }
        }
        std::int32_t best = -1;
        for (std::size_t v = 0; v < un; ++v) {
            if (bank[v] != side ||
                std::abs(plan.river.signed_distance(roads.node_xy[v])) > near_m + 300.0) {
                continue;
            }
            if (best < 0 || (side > 0 ? along(v) < along(static_cast<std::size_t>(best))
                                      : along(v) > along(static_cast<std::size_t>(best)))) {
                best = static_cast<std::int32_t>(v);
            }
        }
        if (best >= 0 && served[static_cast<std::size_t>(bi)] >= 0) {
            Plant p;
            p.site = best;
            p.bank = side;
            p.zone = comp[static_cast<std::size_t>(best)];
            // The zone of the bank's served main (its comp label after relabelling).
            for (std::size_t v = 0; v < un; ++v) {
                if (bank[v] == side && level[v] % 2 == 0) {
                    p.zone = comp[v];
                    break;
                }
            }
            plants.push_back(p);
        }
    }
    if (plants.size() == 1) {
        // The river leaves one bank empty: a second plant at the other end of the same bank.
        Plant p = plants.front();
        std::int32_t best = -1;
        for (std::size_t v = 0; v < un; ++v) {
            if (bank[v] == p.bank &&
                (best < 0 || (p.bank > 0 ? along(v) > along(static_cast<std::size_t>(best))
                                         : along(v) < along(static_cast<std::size_t>(best))))) {
                best = static_cast<std::int32_t>(v);
            }
        }
        p.site = best;
        plants.push_back(p);
    }
    // Demand each main zone serves: its own and that of the low zones fed from it.
    std::vector<double> served_demand(ucc, 0.0);
    for (std::size_t c = 0; c < ucc; ++c) {
        served_demand[c] += comp_demand[c];
    }
    for (std::size_t c = 0; c < ucc; ++c) {
        if (comp_main[c] || boundary[c].empty()) {
            continue;
        }
        // Low zones share their demand among the main zones their PRVs come from.
        std::vector<std::int32_t> ups;
        for (const Prv& v : prvs) {
            if (comp[static_cast<std::size_t>(v.down)] == static_cast<std::int32_t>(c)) {
                ups.push_back(comp[static_cast<std::size_t>(v.up)]);
            }
        }
        for (std::int32_t u : ups) {
            served_demand[static_cast<std::size_t>(u)] +=
                comp_demand[c] / static_cast<double>(ups.size());
        }
    }

    // Materials and Hazen-Williams C by material and age: new-pipe values from the EPANET 2.2
    // manual Table 3.2 (cast iron 130-140, plastic 140-150, steel 140-150), reduced with age as
    // Lamont (1981) observed for unlined and lined iron in soft waters.
    for (Pipe& p : pipes) {
        const double age = std::floor(rng.uniform(0.0, 45.0));
        double c = 0.0;
        if (p.dn >= 400) {
            p.material = age > 30.0 ? "cast_iron" : (p.dn >= 800 ? "steel" : "ductile_iron");
            c = age > 30.0 ? 130.0 - 1.0 * age : 140.0 - 0.6 * age;
        } else if (age < 15.0 && rng.uniform() < 0.5) {
            p.material = "pe";
            c = 145.0 - 0.3 * age;
        } else {
            p.material = age > 30.0 ? "cast_iron" : "ductile_iron";
            c = age > 30.0 ? 130.0 - 1.2 * age : 140.0 - 0.7 * age;
        }
        p.c = static_cast<int>(std::lround(std::max(c, 80.0)));
    }

    // Plant rising mains and tanks.
    struct PlantDesign {
        std::int32_t tank_node = 0; ///< road node the tank stands beside
        double tank_bottom_m = 0.0; ///< tank floor elevation
        double tank_diameter_m = 0.0;
        double q_pump = 0.0; ///< m³/s per pump at the design point
        double h_pump = 0.0; ///< m
        double res_head = 0.0;
        int main_dn = 300;
        double main_length_m = 0.0;
        bool own_tank = true;
    };
    std::vector<PlantDesign> pd(plants.size());
    for (std::size_t k = 0; k < plants.size(); ++k) {
        const auto z = static_cast<std::size_t>(plants[k].zone);
        std::size_t sharing = 0;
        for (const Plant& o : plants) {
            sharing += o.zone == plants[k].zone ? 1 : 0;
        }
        const double q_avg = served_demand[z] / static_cast<double>(sharing);
        PlantDesign& d = pd[k];
        d.own_tank = std::none_of(plants.begin(), plants.begin() + static_cast<long>(k),
                                  [&](const Plant& o) { return o.zone == plants[k].zone; });
        d.tank_node = comp_top_node[z];
        d.tank_bottom_m = std::round((comp_top[z] + kTopHead_m) * 100.0) / 100.0;
        const double volume = kTankShare * served_demand[z] * 86400.0;
        d.tank_diameter_m = std::max(
            8.0, std::round(std::sqrt(4.0 * volume / (units::kPi * (kTankMax_m - kTankMin_m)))));
        // Two equal pumps; together they deliver 1.5 times the average day.
        d.q_pump = std::max(0.75 * q_avg, 0.005);
        const double q_main = 2.0 * d.q_pump;
        d.main_dn = dn_at_least(1000.0 * std::sqrt(4.0 * q_main / (units::kPi * 1.1)));
        const Xy a = roads.node_xy[static_cast<std::size_t>(plants[k].site)];
        const Xy b = roads.node_xy[static_cast<std::size_t>(d.tank_node)];
        d.main_length_m = std::round(std::max(100.0, 1.25 * std::hypot(a.x - b.x, a.y - b.y)));
        d.res_head = std::round((plan.river_level_m + 2.0) * 100.0) / 100.0;
        const double lift = d.tank_bottom_m + kTankInit_m - d.res_head;
        d.h_pump =
            std::round((lift + hw_loss_m(q_main, d.main_dn / 1000.0, 120.0, d.main_length_m)) *
                       10.0) /
            10.0;
    }

    auto write_inp = [&]() {
        std::string s;
        s += "[TITLE]\n";
        s += "Water network of " + plan.options.name + ", laid out by rencheng generate\n";
        s += "\n[JUNCTIONS]\n;ID Elevation Demand Pattern\n";
        for (std::size_t v = 0; v < un; ++v) {
            appendf(s, "%s %.2f %.4f DIURNAL\n", junction_id(rn.node_id[v]).c_str(), elev[v],
                    demand[v] * 1000.0);
        }
        for (std::size_t k = 0; k < plants.size(); ++k) {
            appendf(s, "W%zu %.2f 0\n", k + 1, elev[static_cast<std::size_t>(plants[k].site)]);
        }
        for (std::size_t k = 0; k < prvs.size(); ++k) {
            appendf(s, "V%zu %.2f 0\n", k + 1, elev[static_cast<std::size_t>(prvs[k].down)]);
        }
        s += "\n[RESERVOIRS]\n;ID Head\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            appendf(s, "R%zu %.2f\n", k + 1, pd[k].res_head);
        }
        s += "\n[TANKS]\n;ID Elevation InitLevel MinLevel MaxLevel Diameter MinVol\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            if (pd[k].own_tank) {
                appendf(s, "T%zu %.2f %.2f %.2f %.2f %.1f 0\n", k + 1, pd[k].tank_bottom_m,
                        kTankInit_m, kTankMin_m, kTankMax_m, pd[k].tank_diameter_m);
            }
        }
        s += "\n[PIPES]\n;ID Node1 Node2 Length Diameter Roughness MinorLoss Status\n";
        for (const Pipe& p : pipes) {
            const std::string a = junction_id(rn.node_id[static_cast<std::size_t>(p.a)]);
            std::string b = junction_id(rn.node_id[static_cast<std::size_t>(p.b)]);
            std::string from = a;
            if (p.prv >= 0) {
                // The pipe runs from the main zone to the PRV's upstream node.
                const Prv& v = prvs[static_cast<std::size_t>(p.prv)];
                from = junction_id(rn.node_id[static_cast<std::size_t>(v.up)]);
                b = "V" + std::to_string(p.prv + 1);
            }
            appendf(s, "%s %s %s %.2f %d %d 0 %s\n", p.id.c_str(), from.c_str(), b.c_str(),
                    p.length_m, p.dn, p.c, p.closed ? "Closed" : "Open");
        }
        for (std::size_t k = 0; k < plants.size(); ++k) {
            const std::string top =
                junction_id(rn.node_id[static_cast<std::size_t>(pd[k].tank_node)]);
            appendf(s, "M%zu W%zu %s %.0f %d 120 0 Open\n", k + 1, k + 1, top.c_str(),
                    pd[k].main_length_m, pd[k].main_dn);
            if (pd[k].own_tank) {
                appendf(s, "TP%zu T%zu %s 50 %d 120 0 Open\n", k + 1, k + 1, top.c_str(),
                        std::max(pd[k].main_dn, arterial_dn));
            }
        }
        s += "\n[PUMPS]\n;ID Node1 Node2 Parameters\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            appendf(s, "PU%zua R%zu W%zu HEAD C%zu\n", k + 1, k + 1, k + 1, k + 1);
            appendf(s, "PU%zub R%zu W%zu HEAD C%zu\n", k + 1, k + 1, k + 1, k + 1);
        }
        s += "\n[VALVES]\n;ID Node1 Node2 Diameter Type Setting MinorLoss\n";
        for (std::size_t k = 0; k < prvs.size(); ++k) {
            const Pipe& p = pipes[static_cast<std::size_t>(prvs[k].pipe)];
            appendf(s, "PRV%zu V%zu %s %d PRV %.2f 0\n", k + 1, k + 1,
                    junction_id(rn.node_id[static_cast<std::size_t>(prvs[k].down)]).c_str(),
                    std::max(p.dn, 200), prvs[k].setting_m);
        }
        s += "\n[TAGS]\n";
        for (const Pipe& p : pipes) {
            appendf(s, "LINK %s %s\n", p.id.c_str(), p.material);
        }
        s += "\n[STATUS]\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            appendf(s, "PU%zub Closed\n", k + 1);
        }
        s += "\n[PATTERNS]\n;ID Multipliers\nDIURNAL";
        for (std::size_t h = 0; h < kDiurnal.size(); ++h) {
            appendf(s, " %.2f", kDiurnal[h]);
        }
        s += "\n\n[CURVES]\n;ID Flow(L/s) Head(m)\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            appendf(s, "C%zu %.1f %.1f\n", k + 1, pd[k].q_pump * 1000.0, pd[k].h_pump);
        }
        // Tank-level controls: the duty pump fills the tank and stops when it is nearly full; the
        // second pump joins when the level falls.
        s += "\n[CONTROLS]\n";
        for (std::size_t k = 0; k < plants.size(); ++k) {
            std::size_t t = k;
            for (std::size_t j = 0; j < k; ++j) {
                if (plants[j].zone == plants[k].zone) {
                    t = j;
                    break;
                }
            }
            appendf(s, "LINK PU%zua CLOSED IF NODE T%zu ABOVE %.2f\n", k + 1, t + 1, 6.2);
            appendf(s, "LINK PU%zua OPEN IF NODE T%zu BELOW %.2f\n", k + 1, t + 1, 4.5);
            appendf(s, "LINK PU%zub OPEN IF NODE T%zu BELOW %.2f\n", k + 1, t + 1, 3.0);
            appendf(s, "LINK PU%zub CLOSED IF NODE T%zu ABOVE %.2f\n", k + 1, t + 1, 5.0);
        }
        s += "\n[TIMES]\nDuration 24:00\nHydraulic Timestep 1:00\nPattern Timestep 1:00\n"
             "Report Timestep 1:00\nReport Start 0:00\nStart ClockTime 12 am\n";
        s += "\n[OPTIONS]\nUnits LPS\nHeadloss H-W\nTrials 100\nAccuracy 0.001\n"
             "Unbalanced Continue 10\nPattern DIURNAL\n";
        s += "\n[REPORT]\nStatus No\nSummary No\n";
        s += "\n[COORDINATES]\n;Node X-Coord Y-Coord\n";
        auto coord = [&](const std::string& id, LonLat p) {
            appendf(s, "%s %.7f %.7f\n", id.c_str(), p.lon, p.lat);
        };
        for (std::size_t v = 0; v < un; ++v) {
            coord(junction_id(rn.node_id[v]), rn.node_position[v]);
        }
        for (std::size_t k = 0; k < plants.size(); ++k) {
            const std::size_t v = static_cast<std::size_t>(plants[k].site);
            const double sd = plan.river.signed_distance(roads.node_xy[v]);
            const Xy w = roads.node_xy[v];
            // The intake stands between the site and the river.
            const Xy r{w.x - 0.5 * sd * -sin_a, w.y - 0.5 * sd * cos_a};
            coord("W" + std::to_string(k + 1),
                  round_position(plan.frame.to_lonlat({w.x + 20.0, w.y})));
            coord("R" + std::to_string(k + 1), round_position(plan.frame.to_lonlat(r)));
            if (pd[k].own_tank) {
                const Xy t = roads.node_xy[static_cast<std::size_t>(pd[k].tank_node)];
                coord("T" + std::to_string(k + 1),
                      round_position(plan.frame.to_lonlat({t.x + 30.0, t.y + 30.0})));
            }
        }
        for (std::size_t k = 0; k < prvs.size(); ++k) {
            const Xy d = roads.node_xy[static_cast<std::size_t>(prvs[k].down)];
            const Xy u = roads.node_xy[static_cast<std::size_t>(prvs[k].up)];
            coord("V" + std::to_string(k + 1),
                  round_position(
                      plan.frame.to_lonlat({d.x + 0.1 * (u.x - d.x), d.y + 0.1 * (u.y - d.y)})));
        }
        s += "\n[END]\n";
        return s;
    };

    // Peak-hour design check: tanks nearly empty, pumps off, the peak-hour demand; upsize the
    // pipes with the steepest head loss until every road junction keeps kDesignPressure_m.
    const double peak = *std::max_element(kDiurnal.begin(), kDiurnal.end());
    double gradient = 0.004; // m/m
    for (int iter = 0; iter < 60; ++iter) {
        Diagnostics diags;
        water::Network net = water::parse_inp(write_inp(), "water.inp", diags);
        if (diags.has_errors()) {
            throw Error(ErrorCode::kInternal,
                        "generated water network does not parse: " + diags.items().front().message);
        }
        for (std::size_t l = 0; l < net.link_id.size(); ++l) {
            if (net.link_kind[l] == water::LinkKind::kPump) {
                net.initial_status[l] = water::LinkStatus::kClosed;
            }
        }
        for (auto& lvl : net.tanks.initial_level_m) {
            lvl = kTankMin_m + 0.5;
        }
        const water::HydraulicTopology topo(net);
        water::HydraulicState st(net, topo);
        water::initialize_state(net, topo, st);
        for (std::size_t v = 0; v < un; ++v) {
            st.node_demand[v] = demand[v] * peak;
        }
        const water::HydraulicSummary sum =
            water::solve_hydraulics(net, topo, st, water::HydraulicOptions{});
        double worst = 1e9;
        for (std::size_t v = 0; v < un; ++v) {
            worst = std::min(worst, st.head_m[v] - elev[v]);
        }
        if (sum.converged && worst >= kDesignPressure_m) {
            break;
        }
        bool changed = false;
        for (Pipe& p : pipes) {
            const water::LinkIndex l = net.find_link(p.id);
            const auto ul = static_cast<std::size_t>(l.idx());
            if (p.closed || !l.valid()) {
                continue;
            }
            const double h =
                std::abs(st.head_m[net.from_node[ul].idx()] - st.head_m[net.to_node[ul].idx()]);
            if (h / p.length_m > gradient && next_dn(p.dn) != p.dn) {
                p.dn = next_dn(p.dn);
                changed = true;
            }
        }
        if (!changed) {
            gradient *= 0.7;
        }
    }
    // The file keeps what the design check last solved, with the real pump and tank settings.
    {
        Diagnostics diags;
        out.network = water::parse_inp(write_inp(), "water.inp", diags);
        if (diags.has_errors()) {
            throw Error(ErrorCode::kInternal,
                        "generated water network does not parse: " + diags.items().front().message);
        }
    }

    // Isolation valves by the N-1 rule (Walski 1993): at a junction with k pipes, valves on k-1
    // of them, the unvalved one drawn at random; none at dead ends.
    std::vector<std::vector<std::int32_t>> at(un);
    for (std::size_t k = 0; k < pipes.size(); ++k) {
        at[static_cast<std::size_t>(pipes[k].a)].push_back(static_cast<std::int32_t>(k));
        at[static_cast<std::size_t>(pipes[k].b)].push_back(static_cast<std::int32_t>(k));
    }
    for (std::size_t v = 0; v < un; ++v) {
        if (at[v].size() < 2) {
            continue;
        }
        const auto skip = static_cast<std::size_t>(rng.below(at[v].size()));
        for (std::size_t j = 0; j < at[v].size(); ++j) {
            if (j == skip) {
                continue;
            }
            const Pipe& p = pipes[static_cast<std::size_t>(at[v][j])];
            // A PRV pipe ends at the PRV's node on its low side.
            std::string node = junction_id(rn.node_id[v]);
            if (p.prv >= 0 &&
                static_cast<std::int32_t>(v) == prvs[static_cast<std::size_t>(p.prv)].down) {
                node = "V" + std::to_string(p.prv + 1);
            }
            model::IsolationValve iv;
            iv.id = "IV" + std::to_string(out.valves.size() + 1);
            iv.link = p.id;
            iv.node = std::move(node);
            out.valves.push_back(std::move(iv));
        }
    }
    out.road_node_junction.resize(un);
    for (std::size_t v = 0; v < un; ++v) {
        out.road_node_junction[v] = junction_id(rn.node_id[v]);
    }
    return out;
}

} // namespace rencheng::citygen::detail
