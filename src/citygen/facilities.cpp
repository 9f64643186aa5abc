// Critical facilities: hospitals, shelters, fire stations, depots, command centre, telecom,
// schools.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "citygen/detail/layout.hpp"
#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

using model::Facility;
using model::FacilityKind;
using transport::RoadClass;

// Chinese numerals for 1..9999 (十二, 一百零五, 两千 is written 二千 in ordinal names).
std::string zh_number(int n) {
    static constexpr std::array<const char*, 10> kDigit = {"零", "一", "二", "三", "四",
                                                           "五", "六", "七", "八", "九"};
    static constexpr std::array<const char*, 4> kUnit = {"", "十", "百", "千"};
    if (n <= 0 || n > 9999) {
        return std::to_string(n);
    }
    std::array<int, 4> d = {n % 10, (n / 10) % 10, (n / 100) % 10, n / 1000};
    int top = 3;
    while (d[static_cast<std::size_t>(top)] == 0) {
        --top;
    }
    std::string out;
    bool pending_zero = false;
    for (int k = top; k >= 0; --k) {
        const int digit = d[static_cast<std::size_t>(k)];
        if (digit == 0) {
            pending_zero = true;
            continue;
        }
        if (pending_zero && !out.empty()) {
            out += kDigit[0];
        }
        pending_zero = false;
        // 10-19 read 十, 十一 … (not 一十一) when the tens are the leading digit.
        if (!(k == 1 && digit == 1 && k == top)) {
            out += kDigit[static_cast<std::size_t>(digit)];
        }
        out += kUnit[static_cast<std::size_t>(k)];
    }
    return out;
}

double dist(Xy a, Xy b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

// Greedy choice of `count` candidates by descending score, at least `separation` apart; the
// separation halves until enough are found, and as a last resort candidates repeat.
std::vector<std::size_t> pick_spread(const std::vector<Xy>& where, const std::vector<double>& score,
                                     std::size_t count, double separation) {
    std::vector<std::size_t> order(where.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return score[x] > score[y]; });
    std::vector<std::size_t> chosen;
    std::vector<std::uint8_t> used(where.size(), 0);
    for (double sep = separation; chosen.size() < count && !order.empty(); sep *= 0.5) {
        for (std::size_t k : order) {
            if (chosen.size() >= count) {
                break;
            }
            if (used[k] != 0) {
                continue;
            }
            const bool clear = std::all_of(chosen.begin(), chosen.end(), [&](std::size_t c) {
                return dist(where[c], where[k]) >= sep;
            });
            if (clear || sep < 1.0) {
                chosen.push_back(k);
                used[k] = 1;
            }
        }
        if (sep < 1.0) {
            break;
        }
    }
    for (std::size_t k = 0; chosen.size() < count && !order.empty(); ++k) {
        chosen.push_back(order[k % order.size()]);
    }
    return chosen;
}

// Farthest-point sampling: start at `first`, then repeatedly take the candidate farthest from
// all chosen ones (Gonzalez 1985), a 2-approximation of the k-centre cover.
std::vector<std::size_t> farthest_points(const std::vector<Xy>& where, std::size_t first,
                                         std::size_t count) {
    std::vector<std::size_t> chosen;
    if (where.empty()) {
        return chosen;
    }
    std::vector<double> d(where.size(), std::numeric_limits<double>::infinity());
    std::size_t next = first;
    while (chosen.size() < count) {
        chosen.push_back(next);
        for (std::size_t k = 0; k < where.size(); ++k) {
            d[k] = std::min(d[k], dist(where[k], where[next]));
        }
        next = static_cast<std::size_t>(std::max_element(d.begin(), d.end()) - d.begin());
        if (d[next] <= 0.0) {
            next = chosen.size() % where.size(); // all covered: repeat candidates
        }
    }
    return chosen;
}

} // namespace

std::vector<Facility> make_facilities(const CityPlan& plan,
                                      const std::vector<model::PopulationZone>& zones,
                                      const RoadLayout& roads) {
    const auto n = static_cast<double>(plan.options.population);
    RngStream rng(plan.options.seed, 0, kStreamFacilities);
    double area_km2 = 0.0;
    std::vector<Xy> zone_xy;
    for (const auto& z : zones) {
        area_km2 += z.ring.empty() ? 0.0 : ring_area_km2(plan.frame, z.ring);
        zone_xy.push_back(plan.frame.to_xy(z.centroid));
    }
    area_km2 = std::max(area_km2, 0.1);
    const double area_m2 = area_km2 * 1e6;

    std::vector<Facility> out;
    // A facility sits beside its road node or block centre, offset into the block by `dist_m`
    // in a direction that depends on its kind, so two kinds never share a point.
    auto place = [&](Xy base, FacilityKind kind, int serial, double dist_m) {
        const double angle = plan.grid_angle_rad + units::kPi / 4.0 +
                             units::kPi / 2.0 * static_cast<double>(serial % 4) +
                             0.15 * static_cast<double>(kind);
        Xy p{base.x + dist_m * std::cos(angle), base.y + dist_m * std::sin(angle)};
        if (plan.river.in_band(p, 5.0)) {
            p = base;
        }
        return round_position(plan.frame.to_lonlat(p));
    };
    auto add = [&](FacilityKind kind, std::string id, std::string name, std::string name_zh,
                   LonLat pos, double capacity) {
        Facility f;
        f.id = std::move(id);
        f.kind = kind;
        f.name = std::move(name);
        f.name_zh = std::move(name_zh);
        f.position = pos;
        f.capacity = capacity;
        out.push_back(std::move(f));
    };

    // Nodes on arterials (for hospitals, depots, the command centre); all nodes if none.
    std::vector<std::size_t> arterial;
    for (std::size_t v = 0; v < roads.node_xy.size(); ++v) {
        if (roads.node_class[v] == RoadClass::kArterial) {
            arterial.push_back(v);
        }
    }
    if (arterial.empty()) {
        arterial.resize(roads.node_xy.size());
        std::iota(arterial.begin(), arterial.end(), std::size_t{0});
    }
    std::vector<Xy> arterial_xy;
    for (std::size_t v : arterial) {
        arterial_xy.push_back(roads.node_xy[v]);
    }

    // Hospitals: one per 50,000 people (at least one), in the densest places on arterials, with
    // about 5 beds per 1,000 people in all (China had 6.9 per 1,000 in 2021 counting all
    // hospitals; general hospitals hold most of 4-6).
    {
        const auto count = static_cast<std::size_t>(std::max(1L, std::lround(n / 50000.0)));
        std::vector<double> score;
        for (const Xy& p : arterial_xy) {
            score.push_back(plan.density_shape(p) * rng.uniform(0.85, 1.15));
        }
        const auto chosen =
            pick_spread(arterial_xy, score, count, 0.6 * std::sqrt(area_m2 / count));
        std::vector<double> w;
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            w.push_back(k == 0 ? 2.0 : rng.lognormal(1.0, 0.25));
        }
        const auto beds = apportion(std::llround(n * 5.0 / 1000.0), w);
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const int no = static_cast<int>(k) + 1;
            add(FacilityKind::kHospital, "hospital_" + std::to_string(no),
                k == 0 ? std::string("City Central Hospital")
                       : "No. " + std::to_string(no) + " People's Hospital",
                k == 0 ? std::string("市中心医院") : "市第" + zh_number(no) + "人民医院",
                place(arterial_xy[chosen[k]], FacilityKind::kHospital, no, 40.0),
                static_cast<double>(std::max<std::int64_t>(20, beds[k])));
        }
    }

    // Emergency shelters: one per 10,000 people, on the highest ground away from the river
    // (GB 51143-2015 asks for sites safe from flooding), spread over the city.
    {
        const auto count = static_cast<std::size_t>(std::max(1L, std::lround(n / 10000.0)));
        std::vector<double> score;
        std::size_t far_count = 0;
        for (const Xy& p : zone_xy) {
            const double river_m = std::abs(plan.river.signed_distance(p));
            far_count += river_m > 300.0 ? 1 : 0;
            score.push_back(plan.ground_m(p) - plan.river_level_m +
                            0.004 * std::min(river_m, 2000.0) + rng.uniform(0.0, 2.0));
        }
        if (far_count >= count) {
            for (std::size_t k = 0; k < zone_xy.size(); ++k) {
                if (std::abs(plan.river.signed_distance(zone_xy[k])) <= 300.0) {
                    score[k] -= 1e6;
                }
            }
        }
        const auto chosen = pick_spread(zone_xy, score, count, 0.6 * std::sqrt(area_m2 / count));
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const int no = static_cast<int>(k) + 1;
            const double persons =
                std::round(n * 0.3 / count * rng.uniform(0.7, 1.3) / 10.0) * 10.0;
            add(FacilityKind::kShelter, "shelter_" + std::to_string(no),
                "Emergency Shelter No. " + std::to_string(no),
                "第" + zh_number(no) + "应急避难场所",
                place(zone_xy[chosen[k]], FacilityKind::kShelter, no, 60.0),
                std::max(100.0, persons));
        }
    }

    // Fire stations: one per 7 km² of built-up area (the upper end of the 4-7 km² a station may
    // cover under the Chinese urban fire station standard, 建标152-2017), spread by farthest-point
    // sampling over the populated blocks so every block is near one.
    {
        const auto count = static_cast<std::size_t>(std::max(1.0, std::ceil(area_km2 / 7.0)));
        std::size_t first = 0;
        for (std::size_t k = 1; k < zone_xy.size(); ++k) {
            if (std::hypot(zone_xy[k].x, zone_xy[k].y) <
                std::hypot(zone_xy[first].x, zone_xy[first].y)) {
                first = k;
            }
        }
        const auto chosen = farthest_points(zone_xy, first, count);
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const int no = static_cast<int>(k) + 1;
            // The first (central) station is a special-service station with more engines.
            const double engines = k == 0 ? 5.0 : (rng.uniform() < 0.4 ? 4.0 : 3.0);
            add(FacilityKind::kFireStation, "fire_station_" + std::to_string(no),
                "Fire Station No. " + std::to_string(no), "第" + zh_number(no) + "消防救援站",
                place(zone_xy[chosen[k]], FacilityKind::kFireStation, no + 2, 50.0), engines);
        }
    }

    // Repair depots: two or more at the edge of the city on arterials (room for yards, quick
    // access to every district), spread by farthest-point sampling.
    {
        const auto count = static_cast<std::size_t>(std::max(2L, 1 + std::lround(n / 400000.0)));
        std::vector<Xy> cand;
        std::vector<double> rel;
        for (const Xy& p : arterial_xy) {
            if (plan.relative_radius(p) > 0.7) {
                cand.push_back(p);
                rel.push_back(plan.relative_radius(p));
            }
        }
        if (cand.size() < count) {
            cand = roads.node_xy;
            rel.clear();
            for (const Xy& p : cand) {
                rel.push_back(plan.relative_radius(p));
            }
        }
        const auto first =
            static_cast<std::size_t>(std::max_element(rel.begin(), rel.end()) - rel.begin());
        const auto chosen = farthest_points(cand, first, count);
        for (std::size_t k = 0; k < chosen.size(); ++k) {
            const int no = static_cast<int>(k) + 1;
            const double crews =
                std::min(20.0, 4.0 + std::round(n / 100000.0)) + static_cast<double>(rng.below(3));
            add(FacilityKind::kDepot, "depot_" + std::to_string(no),
                "Municipal Repair Depot No. " + std::to_string(no),
                "第" + zh_number(no) + "市政抢修基地",
                place(cand[chosen[k]], FacilityKind::kDepot, no, 40.0), crews);
        }
    }

    // The emergency command centre: on the arterial nearest the centre.
    {
        std::size_t best = 0;
        for (std::size_t k = 1; k < arterial_xy.size(); ++k) {
            if (std::hypot(arterial_xy[k].x, arterial_xy[k].y) <
                std::hypot(arterial_xy[best].x, arterial_xy[best].y)) {
                best = k;
            }
        }
        const double staff = std::min(200.0, 30.0 + 5.0 * std::round(n / 50000.0));
        if (!arterial_xy.empty()) {
            add(FacilityKind::kCommandCentre, "command_centre",
                "Municipal Emergency Command Centre", "市应急指挥中心",
                place(arterial_xy[best], FacilityKind::kCommandCentre, 2, 35.0), staff);
        }
    }

    // Telecom sites: about one per km² (urban macro cells are a few hundred metres to a
    // kilometre apart), on a 1 km lattice over the built-up area, each beside its nearest road
    // node. Subscribers: residents of the blocks it is nearest to, at 1.2 lines per person.
    {
        const NearestIndex node_index(roads.node_xy, 250.0);
        const double spacing = 1000.0;
        const double ox = rng.uniform(0.0, spacing);
        const double oy = rng.uniform(0.0, spacing);
        const int half = static_cast<int>(std::ceil(plan.max_radius() / spacing)) + 1;
        const double ca = std::cos(plan.grid_angle_rad);
        const double sa = std::sin(plan.grid_angle_rad);
        std::vector<std::int32_t> site_node;
        std::vector<std::uint8_t> taken(roads.node_xy.size(), 0);
        for (int j = -half; j <= half; ++j) {
            for (int i = -half; i <= half; ++i) {
                const double a = i * spacing + ox - 0.5 * spacing;
                const double b = j * spacing + oy - 0.5 * spacing;
                const Xy p{a * ca - b * sa, a * sa + b * ca};
                if (!plan.inside(p)) {
                    continue;
                }
                const std::int32_t v = node_index.nearest(p);
                if (v >= 0 && taken[static_cast<std::size_t>(v)] == 0) {
                    taken[static_cast<std::size_t>(v)] = 1;
                    site_node.push_back(v);
                }
            }
        }
        if (site_node.empty() && !roads.node_xy.empty()) {
            site_node.push_back(node_index.nearest({0.0, 0.0}));
        }
        std::vector<Xy> site_xy;
        for (std::int32_t v : site_node) {
            site_xy.push_back(roads.node_xy[static_cast<std::size_t>(v)]);
        }
        std::vector<double> residents(site_xy.size(), 0.0);
        const NearestIndex site_index(site_xy, 1000.0);
        for (std::size_t k = 0; k < zones.size(); ++k) {
            const std::int32_t s = site_index.nearest(zone_xy[k]);
            if (s >= 0) {
                residents[static_cast<std::size_t>(s)] += static_cast<double>(zones[k].population);
            }
        }
        for (std::size_t k = 0; k < site_xy.size(); ++k) {
            const int no = static_cast<int>(k) + 1;
            add(FacilityKind::kTelecomSite, "telecom_site_" + std::to_string(no),
                "Telecom Site " + std::to_string(no), "通信基站" + std::to_string(no),
                place(site_xy[k], FacilityKind::kTelecomSite, no, 25.0),
                std::max(200.0, std::round(residents[k] * 1.2)));
        }
    }

    // Schools: one per 6,500 people, in blocks chosen by systematic sampling of the population
    // (so schools follow where children live); pupils about 11 % of residents (ages 6-15).
    {
        const auto count = static_cast<std::size_t>(std::max(1L, std::lround(n / 6500.0)));
        std::vector<std::size_t> in_zone(zones.size(), 0);
        std::size_t z = 0;
        double cum = zones.empty() ? 0.0 : static_cast<double>(zones[0].population);
        int primary = 0;
        int middle = 0;
        for (std::size_t k = 0; k < count && !zones.empty(); ++k) {
            const double target = (static_cast<double>(k) + 0.5) * n / static_cast<double>(count);
            while (cum < target && z + 1 < zones.size()) {
                ++z;
                cum += static_cast<double>(zones[z].population);
            }
            const int serial = static_cast<int>(in_zone[z]++);
            const double pupils =
                std::round(n * 0.11 / static_cast<double>(count) * rng.uniform(0.8, 1.2) / 10.0) *
                10.0;
            const int no = static_cast<int>(k) + 1;
            const bool is_primary = k % 2 == 0;
            const int level_no = is_primary ? ++primary : ++middle;
            add(FacilityKind::kSchool, "school_" + std::to_string(no),
                "No. " + std::to_string(level_no) +
                    (is_primary ? " Primary School" : " Middle School"),
                "第" + zh_number(level_no) + (is_primary ? "小学" : "中学"),
                place(zone_xy[z], FacilityKind::kSchool, serial, 60.0), std::max(50.0, pupils));
        }
    }

    std::stable_sort(out.begin(), out.end(), [](const Facility& a, const Facility& b) {
        return static_cast<int>(a.kind) < static_cast<int>(b.kind);
    });
    return out;
}

} // namespace rencheng::citygen::detail
