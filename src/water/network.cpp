// The water-supply network: unit factors, look-ups and the node-link adjacency.
#include "water/network.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "core/error.hpp"

namespace rencheng::water {

bool is_si(FlowUnits u) {
    return u >= FlowUnits::kLps;
}

double flow_factor(FlowUnits u) {
    using namespace units;
    switch (u) {
    case FlowUnits::kCfs:
        return kCubicFoot;
    case FlowUnits::kGpm:
        return kUsGallon / kMinute;
    case FlowUnits::kMgd:
        return 1e6 * kUsGallon / kDay;
    case FlowUnits::kImgd:
        return 1e6 * kImperialGallon / kDay;
    case FlowUnits::kAfd:
        return kAcreFoot / kDay;
    case FlowUnits::kLps:
        return kLitre;
    case FlowUnits::kLpm:
        return kLitre / kMinute;
    case FlowUnits::kMld:
        return 1e6 * kLitre / kDay;
    case FlowUnits::kCmh:
        return 1.0 / kHour;
    case FlowUnits::kCmd:
        return 1.0 / kDay;
    case FlowUnits::kCms:
        return 1.0;
    }
    return 1.0;
}

namespace {
constexpr std::string_view kFlowNames[] = {"CFS", "GPM", "MGD", "IMGD", "AFD", "LPS",
                                           "LPM", "MLD", "CMH", "CMD",  "CMS"};
} // namespace

std::string_view flow_units_name(FlowUnits u) {
    return kFlowNames[static_cast<int>(u)];
}

std::optional<FlowUnits> parse_flow_units(std::string_view upper) {
    for (int i = 0; i < static_cast<int>(std::size(kFlowNames)); ++i)
        if (upper == kFlowNames[i])
            return static_cast<FlowUnits>(i);
    // EPANET 2.2 also takes "SI" for LPS and "US" for GPM (its default units).
    if (upper == "SI")
        return FlowUnits::kLps;
    if (upper == "US")
        return FlowUnits::kGpm;
    return std::nullopt;
}

std::string_view pressure_units_name(PressureUnits u) {
    switch (u) {
    case PressureUnits::kPsi:
        return "PSI";
    case PressureUnits::kKpa:
        return "KPA";
    case PressureUnits::kMeters:
        return "METERS";
    case PressureUnits::kBar:
        return "BAR";
    case PressureUnits::kFeet:
        return "FEET";
    }
    return "PSI";
}

std::string_view valve_kind_name(ValveKind k) {
    switch (k) {
    case ValveKind::kPrv:
        return "PRV";
    case ValveKind::kPsv:
        return "PSV";
    case ValveKind::kPbv:
        return "PBV";
    case ValveKind::kFcv:
        return "FCV";
    case ValveKind::kTcv:
        return "TCV";
    case ValveKind::kGpv:
        return "GPV";
    case ValveKind::kPcv:
        return "PCV";
    }
    return "PRV";
}

double pcv_flow_coefficient_ratio(const Curve* curve, double percent_open) {
    const double s = percent_open;
    double ratio_pct = s;
    if (curve && !curve->x.empty()) {
        const std::vector<double>& x = curve->x;
        const std::vector<double>& y = curve->y;
        const std::size_t last = x.size() - 1;
        if (s < x[0]) {
            ratio_pct = x[0] > 0 ? s / x[0] * y[0] : y[0];
        } else if (s > x[last]) {
            // EPANET 2.3.5 extrapolates here with 1 where 100 is meant; the line to (100, 100)
            // is what the curve's definition (percent of the fully open Kv) asks for.
            ratio_pct = x[last] < 100 ? y[last] + (s - x[last]) / (100 - x[last]) * (100 - y[last])
                                      : y[last];
        } else if (last == 0) {
            ratio_pct = y[0];
        } else {
            std::size_t k2 = 1;
            while (k2 < last && x[k2] < s)
                ++k2;
            const std::size_t k1 = k2 - 1;
            ratio_pct =
                x[k2] > x[k1] ? y[k1] + (y[k2] - y[k1]) / (x[k2] - x[k1]) * (s - x[k1]) : y[k2];
        }
    }
    return std::clamp(ratio_pct / 100.0, 1e-6, 1.0);
}

UnitFactors unit_factors(const Options& options) {
    using namespace units;
    UnitFactors f;
    f.flow = flow_factor(options.flow_units);
    const bool si = is_si(options.flow_units);
    f.length = si ? 1.0 : kFoot;
    f.diameter = si ? 1e-3 : kInch;
    f.roughness_dw = si ? 1e-3 : 1e-3 * kFoot;
    f.power = si ? 1e3 : kHorsepower;
    f.volume = si ? 1.0 : kCubicFoot;
    // EPANET 2.2: psi per foot of head is 0.4333 times the specific gravity; kPa per psi 6.895.
    // Pressures are stored as metres of the network's fluid (head), so SG divides them.
    const double sg = options.specific_gravity > 0 ? options.specific_gravity : 1.0;
    const double ft_per_psi = 1.0 / (0.4333 * sg);
    switch (effective_pressure_units(options)) {
    case PressureUnits::kPsi:
        f.pressure = ft_per_psi * kFoot;
        break;
    case PressureUnits::kKpa:
        f.pressure = ft_per_psi / 6.895 * kFoot;
        break;
    case PressureUnits::kBar:
        f.pressure = 100.0 * ft_per_psi / 6.895 * kFoot;
        break;
    case PressureUnits::kMeters:
        f.pressure = 1.0 / sg;
        break;
    case PressureUnits::kFeet:
        f.pressure = kFoot / sg;
        break;
    }
    return f;
}

PressureUnits effective_pressure_units(const Options& options) {
    const bool si = is_si(options.flow_units);
    if (!options.pressure_units)
        return si ? PressureUnits::kMeters : PressureUnits::kPsi;
    // EPANET 2.2 ignores PSI for an SI network and reports metres.
    if (si && *options.pressure_units == PressureUnits::kPsi)
        return PressureUnits::kMeters;
    return *options.pressure_units;
}

std::int32_t Network::junction_count() const {
    return static_cast<std::int32_t>(
        std::count(node_kind.begin(), node_kind.end(), NodeKind::kJunction));
}

std::int32_t Network::reservoir_count() const {
    return static_cast<std::int32_t>(
        std::count(node_kind.begin(), node_kind.end(), NodeKind::kReservoir));
}

std::int32_t Network::pipe_count() const {
    return static_cast<std::int32_t>(std::count_if(link_kind.begin(), link_kind.end(), [](auto k) {
        return k == LinkKind::kPipe || k == LinkKind::kCvPipe;
    }));
}

namespace {
template <typename Index> Index find_in(const IdMap& map, std::string_view id) {
    const auto it = map.find(id);
    return it == map.end() ? Index() : Index(it->second);
}
} // namespace

NodeIndex Network::find_node(std::string_view id) const {
    return find_in<NodeIndex>(node_index, id);
}
LinkIndex Network::find_link(std::string_view id) const {
    return find_in<LinkIndex>(link_index, id);
}
PatternIndex Network::find_pattern(std::string_view id) const {
    return find_in<PatternIndex>(pattern_index, id);
}
CurveIndex Network::find_curve(std::string_view id) const {
    return find_in<CurveIndex>(curve_index, id);
}

CsrGraph Network::adjacency() const {
    std::vector<std::int32_t> tails, heads;
    tails.reserve(2 * link_id.size());
    heads.reserve(2 * link_id.size());
    for (std::size_t k = 0; k < link_id.size(); ++k) {
        tails.push_back(from_node[k].value());
        heads.push_back(to_node[k].value());
    }
    for (std::size_t k = 0; k < link_id.size(); ++k) {
        tails.push_back(to_node[k].value());
        heads.push_back(from_node[k].value());
    }
    CsrGraph g = build_csr(node_count(), tails, heads);
    // Arc k and k + links are the two directions of link k: report the link index.
    const auto links = link_count();
    for (auto& a : g.arc_ids)
        if (a >= links)
            a -= links;
    return g;
}

namespace {

/// The point at fraction f along a pipe's drawn course (start node, vertices, end node) and how
/// many of its vertices lie before it. False when an end has no coordinates.
bool point_along(const Network& net, std::size_t k, double f, double& px, double& py,
                 std::size_t& vertices_before) {
    const std::size_t a = net.from_node[k].idx(), b = net.to_node[k].idx();
    if (!net.has_coordinates[a] || !net.has_coordinates[b])
        return false;
    std::vector<double> pts{net.x[a], net.y[a]};
    pts.insert(pts.end(), net.vertices[k].begin(), net.vertices[k].end());
    pts.push_back(net.x[b]);
    pts.push_back(net.y[b]);
    const std::size_t n = pts.size() / 2;
    double total = 0;
    for (std::size_t i = 1; i < n; ++i)
        total += std::hypot(pts[2 * i] - pts[2 * i - 2], pts[2 * i + 1] - pts[2 * i - 1]);
    double target = f * total;
    for (std::size_t i = 1; i < n; ++i) {
        const double seg = std::hypot(pts[2 * i] - pts[2 * i - 2], pts[2 * i + 1] - pts[2 * i - 1]);
        if (target <= seg || i == n - 1) {
            const double t = seg > 0 ? std::clamp(target / seg, 0.0, 1.0) : 0.0;
            px = pts[2 * i - 2] + t * (pts[2 * i] - pts[2 * i - 2]);
            py = pts[2 * i - 1] + t * (pts[2 * i + 1] - pts[2 * i - 1]);
            vertices_before = i - 1;
            return true;
        }
        target -= seg;
    }
    return false;
}

double split_elevation(const Network& net, std::size_t k, double f) {
    const std::size_t a = net.from_node[k].idx(), b = net.to_node[k].idx();
    const bool ra = net.node_kind[a] == NodeKind::kReservoir;
    const bool rb = net.node_kind[b] == NodeKind::kReservoir;
    if (ra && !rb)
        return net.elevation_m[b];
    if (rb && !ra)
        return net.elevation_m[a];
    return net.elevation_m[a] + f * (net.elevation_m[b] - net.elevation_m[a]);
}

NodeIndex append_junction(Network& net, const std::string& id, double elevation_m, bool coords,
                          double px, double py, double quality, bool has_quality) {
    const NodeIndex n{net.node_count()};
    net.node_index.emplace(id, n.value());
    net.node_id.push_back(id);
    net.node_kind.push_back(NodeKind::kJunction);
    net.elevation_m.push_back(elevation_m);
    net.emitter_coefficient.push_back(0);
    net.initial_quality.push_back(quality);
    net.has_initial_quality.push_back(has_quality ? 1 : 0);
    net.x.push_back(coords ? px : 0);
    net.y.push_back(coords ? py : 0);
    net.has_coordinates.push_back(coords ? 1 : 0);
    net.head_pattern.emplace_back();
    net.tank_of_node.push_back(-1);
    // The new node is the last, so its (empty) demand list starts where the demands end.
    if (net.demand_begin.empty())
        net.demand_begin.push_back(0);
    net.demand_begin.push_back(net.demand_begin.back());
    return n;
}

/// Appends a copy of pipe k under `id` and returns its index.
LinkIndex append_pipe_copy(Network& net, std::size_t k, const std::string& id) {
    const LinkIndex l{net.link_count()};
    net.link_index.emplace(id, l.value());
    net.link_id.push_back(id);
    net.link_kind.push_back(net.link_kind[k]);
    net.from_node.push_back(net.from_node[k]);
    net.to_node.push_back(net.to_node[k]);
    net.length_m.push_back(net.length_m[k]);
    net.diameter_m.push_back(net.diameter_m[k]);
    net.roughness.push_back(net.roughness[k]);
    net.minor_loss.push_back(0);
    net.initial_status.push_back(net.initial_status[k]);
    net.bulk_coefficient.push_back(net.bulk_coefficient[k]);
    net.wall_coefficient.push_back(net.wall_coefficient[k]);
    net.has_bulk_coefficient.push_back(net.has_bulk_coefficient[k]);
    net.has_wall_coefficient.push_back(net.has_wall_coefficient[k]);
    net.leak_area.push_back(net.leak_area[k]);
    net.leak_expansion.push_back(net.leak_expansion[k]);
    net.has_leakage.push_back(net.has_leakage[k]);
    net.pump_of_link.push_back(-1);
    net.valve_of_link.push_back(-1);
    net.vertices.emplace_back();
    return l;
}

void check_split(const Network& net, LinkIndex link, double fraction,
                 std::initializer_list<const std::string*> node_ids, const std::string& link_id) {
    if (!link.valid() || link.value() >= net.link_count() ||
        (net.link_kind[link.idx()] != LinkKind::kPipe &&
         net.link_kind[link.idx()] != LinkKind::kCvPipe))
        throw Error(ErrorCode::kOutOfRange, "only a pipe can be split or broken");
    if (!(fraction > 0 && fraction < 1))
        throw Error(ErrorCode::kOutOfRange,
                    "pipe " + net.link_id[link.idx()] + ": split fraction must be in (0, 1)");
    for (const std::string* id : node_ids)
        if (id->empty() || net.find_node(*id).valid())
            throw Error(ErrorCode::kDuplicateId, "node id '" + *id + "' is empty or taken");
    if (node_ids.size() == 2 && **node_ids.begin() == **(node_ids.begin() + 1))
        throw Error(ErrorCode::kDuplicateId, "the two broken ends need different node ids");
    if (link_id.empty() || net.find_link(link_id).valid())
        throw Error(ErrorCode::kDuplicateId, "link id '" + link_id + "' is empty or taken");
}

/// The common part of split_pipe() and break_pipe(): the junction(s) and the downstream piece.
PipeBreak cut_pipe(Network& net, LinkIndex link, double f, const std::string& up_id,
                   const std::string* down_id, const std::string& link_id) {
    const std::size_t k = link.idx();
    double px = 0, py = 0;
    std::size_t before = 0;
    const bool coords = point_along(net, k, f, px, py, before);
    const double elevation = split_elevation(net, k, f);
    const std::size_t a = net.from_node[k].idx(), b = net.to_node[k].idx();
    const bool has_q = net.has_initial_quality[a] || net.has_initial_quality[b];
    const double quality =
        net.initial_quality[a] + f * (net.initial_quality[b] - net.initial_quality[a]);
    PipeBreak out;
    out.upstream_node = append_junction(net, up_id, elevation, coords, px, py, quality, has_q);
    out.downstream_node =
        down_id ? append_junction(net, *down_id, elevation, coords, px, py, quality, has_q)
                : out.upstream_node;
    out.link = append_pipe_copy(net, k, link_id);
    const std::size_t l = out.link.idx();
    const double length = net.length_m[k];
    net.length_m[k] = f * length;
    net.length_m[l] = (1 - f) * length;
    net.to_node[k] = out.upstream_node;
    net.from_node[l] = out.downstream_node;
    if (coords) {
        std::vector<double>& v = net.vertices[k];
        net.vertices[l].assign(v.begin() + static_cast<std::ptrdiff_t>(2 * before), v.end());
        v.resize(2 * before);
    } else {
        net.vertices[l].clear();
    }
    return out;
}

} // namespace

PipeSplit split_pipe(Network& net, LinkIndex link, double fraction, const std::string& node_id,
                     const std::string& link_id) {
    check_split(net, link, fraction, {&node_id}, link_id);
    const PipeBreak b = cut_pipe(net, link, fraction, node_id, nullptr, link_id);
    return {b.upstream_node, b.link};
}

PipeBreak break_pipe(Network& net, LinkIndex link, double fraction,
                     const std::string& upstream_node_id, const std::string& downstream_node_id,
                     const std::string& link_id) {
    check_split(net, link, fraction, {&upstream_node_id, &downstream_node_id}, link_id);
    return cut_pipe(net, link, fraction, upstream_node_id, &downstream_node_id, link_id);
}

} // namespace rencheng::water
