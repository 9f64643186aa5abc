// The water-supply network: unit factors, look-ups and the node-link adjacency.
#include "water/network.hpp"

#include <algorithm>

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

} // namespace rencheng::water
