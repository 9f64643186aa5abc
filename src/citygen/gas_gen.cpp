// Gas network of the synthetic city: gate stations, a sub-high pressure ring, medium pressure
// mains under the arterials and collectors, low pressure districts under the local streets.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "citygen/detail/gas_layout.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/units.hpp"

namespace rencheng::citygen::detail {

namespace {

using gas::ConnectionIndex;
using gas::ConnectionKind;
using gas::CustomerClass;
using gas::NodeIndex;
using gas::NodeKind;
using gas::PressureClass;
using gas::ValveKind;
using transport::RoadClass;

constexpr double kAtm = gas::kNormalPressurePa; // gauge + kAtm = absolute

// Demand. Residential use of 2,300 MJ per person and year (the quotas used with GB 50028-2006
// §10.2 for households with gas cooking and water heating in central China lie at about
// 2,000-2,900 MJ), natural gas of 36 MJ/m³ lower heating value (at 0 °C, 101.325 kPa). The design
// hour is the average hour times K_m·K_d·K_h = 1.2·1.1·2.5, inside the ranges 1.1-1.3, 1.05-1.2
// and 2.2-3.2 given with GB 50028-2006 §10.2.9 for the month, day and hour peaks.
constexpr double kResidential_MJ_pa = 2300.0;
constexpr double kLhv_MJm3 = 36.0;
constexpr double kPeakFactor = 1.2 * 1.1 * 2.5;
constexpr double kPersonsPerHousehold = 2.62; // China's 7th census (2020)
// Hospitals: kitchens, laundry, sterilisation and hot water, about 2 m³ per bed and day; school
// canteens 0.02 m³ per pupil and day; both peak at twice their day's average hour.
constexpr double kHospital_m3_bed_day = 2.0;
constexpr double kSchool_m3_pupil_day = 0.02;
constexpr double kFacilityPeak = 2.0;

// Pressures, Pa gauge (GB 50028-2006 Table 6.1.6 classes): the gate station holds 0.7 MPa in the
// sub-high (B) ring (0.4-0.8 MPa); ring regulator stations hold 0.3 MPa in the medium (A) network
// (0.2-0.4 MPa); district regulators hold 3 kPa in the low pressure mains (< 10 kPa). Appliances
// rated 2 kPa work down to 0.75 of it (GB 50028-2006 §6.2.8): 1.5 kPa is the customers' minimum;
// a hospital's own regulator on the medium network needs 50 kPa at its inlet.
constexpr double kGateSet = 0.7e6;
constexpr double kSubHighMax = 0.8e6;
constexpr double kMediumSet = 0.3e6;
constexpr double kMediumMax = 0.4e6;
constexpr double kLowSet = 3000.0;
constexpr double kLowMax = 10000.0;
constexpr double kLowCustomerMin = 1500.0;
// A customer above 0.02 m³/s (72 m³/h, some 3,000 people at the design hour) gets a regulator
// cabinet of its own on the medium network: a 90 mm low pressure main loses about 0.3 Pa/m at
// that flow, and the whole district budget (3 kPa set, 1.5 kPa minimum) would go on it.
constexpr double kCabinetAbove_m3s = 0.02;
constexpr double kMediumCustomerMin = 50000.0;

// Pipes: steel for the ring (roughness 0.05 mm), PE100 SDR11 for the rest (0.01 mm); diameters
// are inner diameters of the nominal sizes (e.g. PE dn250 SDR11: 250 − 2·22.7 mm).
constexpr double kSteelRoughness_m = 0.05e-3;
constexpr double kPeRoughness_m = 0.01e-3;

struct Pipe {
    std::int32_t a = 0, b = 0; ///< road nodes
    std::string id;
    double length_m = 0.0;
    RoadClass road = RoadClass::kLocal;
    bool low = false;                      ///< low pressure district main; else medium
    bool valve_a = false, valve_b = false; ///< an isolation valve at that end
};

std::string bare(const std::string& id, char prefix) {
    return id.size() > 1 && id[0] == prefix ? id.substr(1) : id;
}

struct UnionFind {
    std::vector<std::int32_t> parent;
    explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
    std::int32_t find(std::int32_t x) {
        while (parent[static_cast<std::size_t>(x)] != x) {
            auto& p = parent[static_cast<std::size_t>(x)];
            p = parent[static_cast<std::size_t>(p)];
            x = p;
        }
        return x;
    }
    void unite(std::int32_t a, std::int32_t b) {
        a = find(a);
        b = find(b);
        if (a != b) {
            parent[static_cast<std::size_t>(std::max(a, b))] = std::min(a, b);
        }
    }
};

// Builds the network element by element with positions, elevations and class bounds.
class Builder {
public:
    Builder(const CityPlan& plan, gas::Network& net) : plan_(plan), net_(net) {}

    NodeIndex node(std::string id, NodeKind kind, Xy at, PressureClass cls) {
        const NodeIndex n = net_.add_node(std::move(id), kind);
        const LonLat p = round_position(plan_.frame.to_lonlat(at));
        net_.lon_deg[n.idx()] = p.lon;
        net_.lat_deg[n.idx()] = p.lat;
        net_.elevation_m[n.idx()] = std::round(plan_.ground_m(at) * 100.0) / 100.0;
        net_.pressure_max_pa[n.idx()] = kAtm + (cls == PressureClass::kSubHigh  ? kSubHighMax
                                                : cls == PressureClass::kMedium ? kMediumMax
                                                                                : kLowMax);
        xy_.push_back(at);
        return n;
    }
    ConnectionIndex pipe(std::string id, NodeIndex from, NodeIndex to, double length_m,
                         double diameter_m, PressureClass cls) {
        const ConnectionIndex k =
            net_.add_connection(std::move(id), ConnectionKind::kPipe, from, to);
        net_.length_m[k.idx()] = std::max(1.0, std::round(length_m * 100.0) / 100.0);
        net_.diameter_m[k.idx()] = diameter_m;
        net_.roughness_m[k.idx()] =
            cls == PressureClass::kSubHigh ? kSteelRoughness_m : kPeRoughness_m;
        net_.pressure_class[k.idx()] = cls;
        return k;
    }
    ConnectionIndex valve(std::string id, NodeIndex from, NodeIndex to, ValveKind kind,
                          PressureClass cls) {
        const ConnectionIndex k =
            net_.add_connection(std::move(id), ConnectionKind::kValve, from, to);
        net_.valve_kind[k.idx()] = kind;
        net_.pressure_class[k.idx()] = cls;
        return k;
    }
    ConnectionIndex regulator(std::string id, NodeIndex from, NodeIndex to, double outlet_gauge,
                              PressureClass outlet_cls) {
        const ConnectionIndex k =
            net_.add_connection(std::move(id), ConnectionKind::kRegulator, from, to);
        net_.outlet_set_pressure_pa[k.idx()] = kAtm + outlet_gauge;
        net_.pressure_class[k.idx()] = outlet_cls;
        return k;
    }
    [[nodiscard]] Xy xy(NodeIndex n) const { return xy_[n.idx()]; }

private:
    const CityPlan& plan_;
    gas::Network& net_;
    std::vector<Xy> xy_;
};

double dist(Xy a, Xy b) {
    return std::hypot(a.x - b.x, a.y - b.y);
}

} // namespace

GasLayout make_gas(const CityPlan& plan, const RoadLayout& roads,
                   const std::vector<model::PopulationZone>& zones,
                   const std::vector<model::Facility>& facilities) {
    const transport::RoadNetwork& rn = roads.net;
    const std::int32_t n = rn.node_count();
    const auto un = static_cast<std::size_t>(n);
    RngStream rng(plan.options.seed, 0, kStreamGas);
    GasLayout out;
    gas::Network& net = out.network;
    net.title = "Gas network of " + plan.options.name + ", laid out by rencheng generate";
    net.flow_equation = gas::FlowEquation::kGeneral;
    Builder build(plan, net);
    const double pop = static_cast<double>(plan.options.population);

    // One main per pair of connected road nodes (a one-way couplet shares its main).
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
            p.id = "P" + bare(rn.link_id[ul], 'l');
            p.length_m = rn.length_m[ul];
            p.road = rn.link_class[ul];
            p.low = p.road == RoadClass::kLocal;
            pipes.push_back(std::move(p));
        }
    }

    // Low pressure districts: local-street mains joined at nodes where no medium main passes.
    // A district that touches no medium main (no place for its regulator) is laid at medium
    // pressure instead; so is everything when the city has no larger street at all.
    std::vector<std::uint8_t> has_medium(un, 0);
    std::vector<std::int32_t> district(pipes.size(), -1);
    std::int32_t district_count = 0;
    for (int round = 0; round < 8; ++round) {
        std::fill(has_medium.begin(), has_medium.end(), std::uint8_t{0});
        for (const Pipe& p : pipes) {
            if (!p.low) {
                has_medium[static_cast<std::size_t>(p.a)] = 1;
                has_medium[static_cast<std::size_t>(p.b)] = 1;
            }
        }
        if (std::none_of(has_medium.begin(), has_medium.end(), [](auto h) { return h != 0; })) {
            for (Pipe& p : pipes) {
                p.low = false;
            }
            continue;
        }
        // Union of low pipes (vertex = pipe) through low-only road nodes.
        UnionFind uf(pipes.size());
        std::vector<std::int32_t> first_at(un, -1);
        for (std::size_t k = 0; k < pipes.size(); ++k) {
            if (!pipes[k].low) {
                continue;
            }
            for (const std::int32_t v : {pipes[k].a, pipes[k].b}) {
                const auto uv = static_cast<std::size_t>(v);
                if (has_medium[uv]) {
                    continue;
                }
                if (first_at[uv] < 0) {
                    first_at[uv] = static_cast<std::int32_t>(k);
                } else {
                    uf.unite(first_at[uv], static_cast<std::int32_t>(k));
                }
            }
        }
        std::vector<std::int32_t> label(pipes.size(), -1);
        district_count = 0;
        std::vector<std::uint8_t> touches;
        for (std::size_t k = 0; k < pipes.size(); ++k) {
            if (!pipes[k].low) {
                district[k] = -1;
                continue;
            }
            const auto r = static_cast<std::size_t>(uf.find(static_cast<std::int32_t>(k)));
            if (label[r] < 0) {
                label[r] = district_count++;
                touches.push_back(0);
            }
            district[k] = label[r];
            if (has_medium[static_cast<std::size_t>(pipes[k].a)] ||
                has_medium[static_cast<std::size_t>(pipes[k].b)]) {
                touches[static_cast<std::size_t>(district[k])] = 1;
            }
        }
        bool changed = false;
        for (std::size_t k = 0; k < pipes.size(); ++k) {
            if (pipes[k].low && !touches[static_cast<std::size_t>(district[k])]) {
                pipes[k].low = false;
                changed = true;
            }
        }
        if (!changed) {
            break;
        }
    }

    // Isolation valves on the medium mains by the N-1 rule (Walski 1993, as for water): at a
    // junction of three or more medium mains, a valve on each but one drawn at random.
    {
        std::vector<std::vector<std::int32_t>> at(un);
        for (std::size_t k = 0; k < pipes.size(); ++k) {
            if (!pipes[k].low) {
                at[static_cast<std::size_t>(pipes[k].a)].push_back(static_cast<std::int32_t>(k));
                at[static_cast<std::size_t>(pipes[k].b)].push_back(static_cast<std::int32_t>(k));
            }
        }
        for (std::size_t v = 0; v < un; ++v) {
            if (at[v].size() < 3) {
                continue;
            }
            const auto skip = static_cast<std::size_t>(rng.below(at[v].size()));
            for (std::size_t j = 0; j < at[v].size(); ++j) {
                if (j == skip) {
                    continue;
                }
                Pipe& p = pipes[static_cast<std::size_t>(at[v][j])];
                (p.a == static_cast<std::int32_t>(v) ? p.valve_a : p.valve_b) = true;
            }
        }
    }

    // Diameters by population served (inner, m): medium mains PE dn250 (dn315 from 500,000
    // people) under arterials, dn160 under collectors; low pressure mains dn110; the ring steel
    // DN300 (DN400 from 300,000, DN500 from 1,000,000).
    const double d_arterial = pop >= 500000 ? 0.2578 : 0.2046;
    const double d_collector = 0.1308;
    const double d_low = 0.0900;
    const double d_service_low = 0.0900;
    const double d_service_medium = 0.0514;
    const double d_ring = pop >= 1000000 ? 0.4954 : (pop >= 300000 ? 0.3938 : 0.2953);

    // Nodes at the road nodes: a medium node where a medium main passes, a low node where only
    // low mains meet.
    std::vector<NodeIndex> medium_node(un), low_node(un);
    for (std::size_t v = 0; v < un; ++v) {
        const std::string rid = bare(rn.node_id[v], 'n');
        if (has_medium[v]) {
            medium_node[v] = build.node("M" + rid, NodeKind::kJunction, roads.node_xy[v],
                                        PressureClass::kMedium);
        }
    }
    for (const Pipe& p : pipes) {
        for (const std::int32_t v : {p.a, p.b}) {
            const auto uv = static_cast<std::size_t>(v);
            if (p.low && !has_medium[uv] && !low_node[uv].valid()) {
                low_node[uv] = build.node("L" + bare(rn.node_id[uv], 'n'), NodeKind::kJunction,
                                          roads.node_xy[uv], PressureClass::kLow);
            }
        }
    }

    // The mains. A low main ending at a medium node ends at a node of its own there (the
    // district's edge; its regulator may stand there). A valved medium end has a valve from the
    // road node's medium node to the main.
    std::vector<std::vector<std::pair<NodeIndex, std::int32_t>>> district_edges(
        static_cast<std::size_t>(district_count)); // (low edge node, road node)
    std::vector<NodeIndex> low_nodes;
    for (std::size_t v = 0; v < un; ++v) {
        if (low_node[v].valid()) {
            low_nodes.push_back(low_node[v]);
        }
    }
    std::int32_t valve_count = 0;
    for (std::size_t k = 0; k < pipes.size(); ++k) {
        const Pipe& p = pipes[k];
        std::array<NodeIndex, 2> ends;
        for (int e = 0; e < 2; ++e) {
            const std::int32_t v = e == 0 ? p.a : p.b;
            const auto uv = static_cast<std::size_t>(v);
            const std::string rid = bare(rn.node_id[uv], 'n');
            if (p.low) {
                if (!has_medium[uv]) {
                    ends[static_cast<std::size_t>(e)] = low_node[uv];
                } else {
                    const NodeIndex edge = build.node("L" + rid + "_" + p.id, NodeKind::kJunction,
                                                      roads.node_xy[uv], PressureClass::kLow);
                    district_edges[static_cast<std::size_t>(district[k])].emplace_back(edge, v);
                    low_nodes.push_back(edge);
                    ends[static_cast<std::size_t>(e)] = edge;
                }
            } else if (e == 0 ? p.valve_a : p.valve_b) {
                const NodeIndex inner = build.node("M" + rid + "_" + p.id, NodeKind::kJunction,
                                                   roads.node_xy[uv], PressureClass::kMedium);
                const bool big = p.road == RoadClass::kArterial || p.road == RoadClass::kMotorway;
                build.valve("V" + std::to_string(++valve_count), medium_node[uv], inner,
                            big ? ValveKind::kRemote : ValveKind::kManual, PressureClass::kMedium);
                ends[static_cast<std::size_t>(e)] = inner;
            } else {
                ends[static_cast<std::size_t>(e)] = medium_node[uv];
            }
        }
        const double d = p.low ? d_low
                         : p.road == RoadClass::kArterial || p.road == RoadClass::kMotorway
                             ? d_arterial
                             : d_collector;
        build.pipe(p.id, ends[0], ends[1], p.length_m, d,
                   p.low ? PressureClass::kLow : PressureClass::kMedium);
    }

    // District regulators (regulator boxes): one per district at its lowest edge, a second one
    // for districts of more than 40 mains; a manual valve at each inlet.
    {
        std::vector<std::int32_t> mains(static_cast<std::size_t>(district_count), 0);
        for (std::size_t k = 0; k < pipes.size(); ++k) {
            if (pipes[k].low) {
                ++mains[static_cast<std::size_t>(district[k])];
            }
        }
        std::int32_t box = 0;
        for (std::size_t d = 0; d < district_edges.size(); ++d) {
            auto& edges = district_edges[d];
            const std::size_t want = std::min<std::size_t>(edges.size(), mains[d] > 40 ? 2 : 1);
            for (std::size_t j = 0; j < want; ++j) {
                // The lowest edge left: low pressure gas, lighter than air, gains about 5 Pa per
                // metre of rise (GB 50028 additional head), so a box at the bottom of its
                // district feeds uphill. Ties go to a random draw.
                const auto draw = static_cast<std::size_t>(rng.below(edges.size() - j)) + j;
                std::size_t pick = draw;
                for (std::size_t e = j; e < edges.size(); ++e) {
                    const double z = net.elevation_m[edges[e].first.idx()];
                    if (z < net.elevation_m[edges[pick].first.idx()]) {
                        pick = e;
                    }
                }
                std::swap(edges[j], edges[pick]);
                const auto [edge, v] = edges[j];
                const auto uv = static_cast<std::size_t>(v);
                const std::string bid = std::to_string(++box);
                const NodeIndex inlet = build.node("B" + bid, NodeKind::kJunction,
                                                   roads.node_xy[uv], PressureClass::kMedium);
                build.valve("BV" + bid, medium_node[uv], inlet, ValveKind::kManual,
                            PressureClass::kMedium);
                build.regulator("BR" + bid, inlet, edge, kLowSet, PressureClass::kLow);
            }
        }
    }

    // Medium networks: each needs at least one ring regulator station.
    UnionFind mc(un);
    for (const Pipe& p : pipes) {
        if (!p.low) {
            mc.unite(p.a, p.b);
        }
    }
    Xy centre{0.0, 0.0};
    for (const Xy& q : roads.node_xy) {
        centre.x += q.x / static_cast<double>(un);
        centre.y += q.y / static_cast<double>(un);
    }
    auto angle_of = [&](std::size_t v) {
        return std::atan2(roads.node_xy[v].y - centre.y, roads.node_xy[v].x - centre.x);
    };
    auto radius_of = [&](std::size_t v) { return dist(roads.node_xy[v], centre); };
    std::vector<std::int32_t> comp_size(un, 0);
    std::int32_t largest = -1;
    for (std::size_t v = 0; v < un; ++v) {
        if (has_medium[v]) {
            const auto r = static_cast<std::size_t>(mc.find(static_cast<std::int32_t>(v)));
            ++comp_size[r];
            if (largest < 0 || comp_size[r] > comp_size[static_cast<std::size_t>(largest)]) {
                largest = static_cast<std::int32_t>(r);
            }
        }
    }
    std::vector<std::int32_t> ring_sites;
    if (largest >= 0) {
        double r_max = 0.0;
        for (std::size_t v = 0; v < un; ++v) {
            if (has_medium[v] && mc.find(static_cast<std::int32_t>(v)) == largest) {
                r_max = std::max(r_max, radius_of(v));
            }
        }
        // Ring stations about 2.5 km apart on a circle at 70 % of the network's reach.
        const int sectors = std::clamp(
            static_cast<int>(std::lround(2.0 * units::kPi * 0.7 * r_max / 2500.0)), 3, 12);
        for (int s = 0; s < sectors; ++s) {
            const double lo = -units::kPi + 2.0 * units::kPi * s / sectors;
            const double hi = lo + 2.0 * units::kPi / sectors;
            std::int32_t best = -1;
            double best_gap = 1e300;
            for (std::size_t v = 0; v < un; ++v) {
                if (!has_medium[v] || mc.find(static_cast<std::int32_t>(v)) != largest) {
                    continue;
                }
                const double a = angle_of(v);
                if (a < lo || a >= hi) {
                    continue;
                }
                const double gap = std::abs(radius_of(v) - 0.7 * r_max);
                if (gap < best_gap) {
                    best_gap = gap;
                    best = static_cast<std::int32_t>(v);
                }
            }
            if (best >= 0) {
                ring_sites.push_back(best);
            }
        }
        // Every other medium network: a station at its node farthest from the centre.
        std::vector<std::int32_t> far(un, -1);
        for (std::size_t v = 0; v < un; ++v) {
            if (!has_medium[v]) {
                continue;
            }
            const auto r = static_cast<std::size_t>(mc.find(static_cast<std::int32_t>(v)));
            if (static_cast<std::int32_t>(r) == largest) {
                continue;
            }
            if (far[r] < 0 || radius_of(v) > radius_of(static_cast<std::size_t>(far[r]))) {
                far[r] = static_cast<std::int32_t>(v);
            }
        }
        for (const std::int32_t v : far) {
            if (v >= 0) {
                ring_sites.push_back(v);
            }
        }
        std::stable_sort(ring_sites.begin(), ring_sites.end(), [&](std::int32_t x, std::int32_t y) {
            return angle_of(static_cast<std::size_t>(x)) < angle_of(static_cast<std::size_t>(y));
        });
    }

    // The ring: a node beside each station site, joined in angular order by steel mains with a
    // remote valve at the start of each; at each site a regulator station into the medium network
    // behind a remote inlet valve.
    const std::size_t nr = ring_sites.size();
    std::vector<NodeIndex> ring(nr);
    for (std::size_t k = 0; k < nr; ++k) {
        const Xy s = roads.node_xy[static_cast<std::size_t>(ring_sites[k])];
        ring[k] = build.node("R" + std::to_string(k + 1), NodeKind::kJunction, {s.x + 25.0, s.y},
                             PressureClass::kSubHigh);
    }
    const std::size_t ring_mains = nr >= 3 ? nr : (nr == 2 ? 1 : 0);
    for (std::size_t k = 0; k < ring_mains; ++k) {
        const std::string id = std::to_string(k + 1);
        const NodeIndex from = ring[k];
        const NodeIndex to = ring[(k + 1) % nr];
        const NodeIndex start = build.node("R" + id + "o", NodeKind::kJunction, build.xy(from),
                                           PressureClass::kSubHigh);
        build.valve("RV" + id, from, start, ValveKind::kRemote, PressureClass::kSubHigh);
        build.pipe("RP" + id, start, to, 1.15 * dist(build.xy(from), build.xy(to)) + 50.0, d_ring,
                   PressureClass::kSubHigh);
    }
    for (std::size_t k = 0; k < nr; ++k) {
        const std::string id = std::to_string(k + 1);
        const auto site = static_cast<std::size_t>(ring_sites[k]);
        const NodeIndex inlet = build.node("RS" + id + "i", NodeKind::kJunction, build.xy(ring[k]),
                                           PressureClass::kSubHigh);
        build.valve("RSV" + id, ring[k], inlet, ValveKind::kRemote, PressureClass::kSubHigh);
        build.regulator("RS" + id, inlet, medium_node[site], kMediumSet, PressureClass::kMedium);
    }

    // Customers: demands first, to size the gate stations.
    struct Customer {
        std::string asset, id;
        Xy at;
        CustomerClass cls = CustomerClass::kResidential;
        double demand_m3s = 0.0;
        std::int32_t households = 0;
    };
    std::vector<Customer> customers;
    for (const model::PopulationZone& z : zones) {
        Customer c;
        c.asset = "zone:" + z.id;
        c.id = "C" + z.id;
        c.at = plan.frame.to_xy(z.centroid);
        c.demand_m3s = static_cast<double>(z.population) * kResidential_MJ_pa / kLhv_MJm3 /
                       (365.0 * 86400.0) * kPeakFactor;
        c.households = static_cast<std::int32_t>(
            std::lround(static_cast<double>(z.population) / kPersonsPerHousehold));
        customers.push_back(std::move(c));
    }
    for (const model::Facility& f : facilities) {
        Customer c;
        c.asset = "facility:" + f.id;
        c.id = "C" + f.id;
        c.at = plan.frame.to_xy(f.position);
        if (f.kind == model::FacilityKind::kHospital) {
            c.cls = CustomerClass::kCritical;
            c.demand_m3s = f.capacity * kHospital_m3_bed_day / 86400.0 * kFacilityPeak;
        } else if (f.kind == model::FacilityKind::kSchool) {
            c.cls = CustomerClass::kCommercial;
            c.demand_m3s = f.capacity * kSchool_m3_pupil_day / 86400.0 * kFacilityPeak;
        } else {
            continue;
        }
        c.households = 1;
        customers.push_back(std::move(c));
    }
    double total_demand = 0.0;
    for (Customer& c : customers) {
        c.demand_m3s = std::round(c.demand_m3s * 1e7) / 1e7;
        total_demand += c.demand_m3s;
    }

    // Gate stations: one, or two from 300,000 people, each able to carry 1.5 times the whole
    // demand alone, at the city's edge beyond opposite ring stations (at the road node farthest
    // out in that direction, so that the city's extent does not change).
    const std::size_t gates = nr == 0 ? 0 : (pop >= 300000 && nr >= 2 ? 2 : 1);
    for (std::size_t g = 0; g < gates; ++g) {
        const std::size_t k = g == 0 ? 0 : nr / 2;
        const Xy r = build.xy(ring[k]);
        const double len = std::max(1.0, dist(r, centre));
        const Xy dir{(r.x - centre.x) / len, (r.y - centre.y) / len};
        std::size_t edge = 0;
        for (std::size_t v = 1; v < un; ++v) {
            const auto reach = [&](std::size_t u) {
                return (roads.node_xy[u].x - centre.x) * dir.x +
                       (roads.node_xy[u].y - centre.y) * dir.y;
            };
            if (reach(v) > reach(edge)) {
                edge = v;
            }
        }
        const Xy at{roads.node_xy[edge].x, roads.node_xy[edge].y - 30.0};
        const std::string id = std::to_string(g + 1);
        const NodeIndex gs = build.node("GS" + id, NodeKind::kSource, at, PressureClass::kSubHigh);
        net.set_pressure_pa[gs.idx()] = kAtm + kGateSet;
        net.flow_max_m3s[gs.idx()] = std::round(1.5 * total_demand * 1e4) / 1e4;
        const NodeIndex outlet =
            build.node("GS" + id + "o", NodeKind::kJunction, at, PressureClass::kSubHigh);
        build.valve("GV" + id, gs, outlet, ValveKind::kRemote, PressureClass::kSubHigh);
        build.pipe("GP" + id, outlet, ring[k], 1.1 * dist(at, r) + 50.0, d_ring,
                   PressureClass::kSubHigh);
    }

    // Customers on the network: homes and schools on the nearest low pressure main; a customer
    // drawing more than a district main comfortably carries (kCabinetAbove_m3s, a large
    // residential compound) on the nearest medium main through a regulator cabinet of its own;
    // hospitals on the nearest medium main behind an automatic excess-flow valve.
    std::vector<Xy> low_xy, medium_xy;
    std::vector<NodeIndex> medium_nodes;
    for (const NodeIndex v : low_nodes) {
        low_xy.push_back(build.xy(v));
    }
    for (std::size_t v = 0; v < un; ++v) {
        if (medium_node[v].valid()) {
            medium_nodes.push_back(medium_node[v]);
            medium_xy.push_back(roads.node_xy[v]);
        }
    }
    const NearestIndex near_low(low_xy, 250.0);
    const NearestIndex near_medium(medium_xy, 250.0);
    for (const Customer& c : customers) {
        const bool critical = c.cls == CustomerClass::kCritical;
        const bool cabinet = !critical && (low_nodes.empty() || c.demand_m3s > kCabinetAbove_m3s);
        const bool on_medium = critical || cabinet;
        const std::int32_t j = on_medium ? near_medium.nearest(c.at) : near_low.nearest(c.at);
        if (j < 0) {
            continue;
        }
        const NodeIndex tap = on_medium ? medium_nodes[static_cast<std::size_t>(j)]
                                        : low_nodes[static_cast<std::size_t>(j)];
        const NodeIndex node = build.node(c.id, NodeKind::kCustomer, c.at,
                                          critical ? PressureClass::kMedium : PressureClass::kLow);
        net.demand_m3s[node.idx()] = c.demand_m3s;
        net.customer_class[node.idx()] = c.cls;
        net.customer_count[node.idx()] = c.households;
        const double length = std::max(20.0, dist(build.xy(tap), c.at));
        const std::string sid = c.id.substr(1);
        if (critical) {
            net.pressure_min_pa[node.idx()] = kAtm + kMediumCustomerMin;
            const NodeIndex after =
                build.node("E" + sid, NodeKind::kJunction, build.xy(tap), PressureClass::kMedium);
            build.valve("EV" + sid, tap, after, ValveKind::kAutoExcessFlow, PressureClass::kMedium);
            build.pipe("S" + sid, after, node, length, d_service_medium, PressureClass::kMedium);
        } else if (cabinet) {
            net.pressure_min_pa[node.idx()] = kAtm + kLowCustomerMin;
            const NodeIndex inlet =
                build.node("K" + sid, NodeKind::kJunction, c.at, PressureClass::kMedium);
            build.pipe("S" + sid, tap, inlet, length, d_service_medium, PressureClass::kMedium);
            build.regulator("SR" + sid, inlet, node, kLowSet, PressureClass::kLow);
        } else {
            net.pressure_min_pa[node.idx()] = kAtm + kLowCustomerMin;
            build.pipe("S" + sid, tap, node, length, d_service_low, PressureClass::kLow);
        }
        out.customers.emplace_back(c.asset, c.id);
    }
    return out;
}

} // namespace rencheng::citygen::detail
