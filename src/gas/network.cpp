// The gas network: names of the enumerations, look-ups, element constructors and adjacency.
#include "gas/network.hpp"

#include "core/error.hpp"

namespace rencheng::gas {

std::string_view node_kind_name(NodeKind k) {
    switch (k) {
    case NodeKind::kSource:
        return "source";
    case NodeKind::kJunction:
        return "junction";
    case NodeKind::kCustomer:
        return "customer";
    }
    return "?";
}

std::string_view customer_class_name(CustomerClass c) {
    switch (c) {
    case CustomerClass::kNone:
        return "none";
    case CustomerClass::kResidential:
        return "residential";
    case CustomerClass::kCommercial:
        return "commercial";
    case CustomerClass::kIndustrial:
        return "industrial";
    case CustomerClass::kCritical:
        return "critical";
    }
    return "?";
}

std::string_view connection_kind_name(ConnectionKind k) {
    switch (k) {
    case ConnectionKind::kPipe:
        return "pipe";
    case ConnectionKind::kShortPipe:
        return "short_pipe";
    case ConnectionKind::kResistor:
        return "resistor";
    case ConnectionKind::kValve:
        return "valve";
    case ConnectionKind::kRegulator:
        return "regulator";
    case ConnectionKind::kCompressor:
        return "compressor";
    }
    return "?";
}

std::string_view valve_kind_name(ValveKind k) {
    switch (k) {
    case ValveKind::kNone:
        return "none";
    case ValveKind::kManual:
        return "manual";
    case ValveKind::kRemote:
        return "remote";
    case ValveKind::kAutoExcessFlow:
        return "auto_excess_flow";
    }
    return "?";
}

std::string_view pressure_class_name(PressureClass c) {
    switch (c) {
    case PressureClass::kHigh:
        return "high";
    case PressureClass::kSubHigh:
        return "sub_high";
    case PressureClass::kMedium:
        return "medium";
    case PressureClass::kLow:
        return "low";
    }
    return "?";
}

std::string_view flow_equation_name(FlowEquation e) {
    switch (e) {
    case FlowEquation::kWeymouth:
        return "weymouth";
    case FlowEquation::kPanhandleA:
        return "panhandle_a";
    case FlowEquation::kPanhandleB:
        return "panhandle_b";
    case FlowEquation::kGeneral:
        return "general";
    }
    return "?";
}

double papay_compressibility(double pressure_pa, double temperature_k,
                             double pseudocritical_pressure_pa,
                             double pseudocritical_temperature_k) {
    const double pr = pressure_pa / pseudocritical_pressure_pa;
    const double tr = temperature_k / pseudocritical_temperature_k;
    return 1.0 - 3.52 * pr * std::exp(-2.26 * tr) + 0.274 * pr * pr * std::exp(-1.878 * tr);
}

namespace {
template <typename Index> Index find_in(const IdMap& map, std::string_view id) {
    auto it = map.find(id);
    return it == map.end() ? Index{} : Index{it->second};
}
} // namespace

NodeIndex Network::find_node(std::string_view id) const {
    return find_in<NodeIndex>(node_index, id);
}
ConnectionIndex Network::find_connection(std::string_view id) const {
    return find_in<ConnectionIndex>(connection_index, id);
}

NodeIndex Network::add_node(std::string id, NodeKind kind) {
    const auto index = node_count();
    if (!node_index.emplace(id, index).second)
        throw Error(ErrorCode::kDuplicateId, "duplicate gas node id '" + id + "'");
    node_id.push_back(std::move(id));
    node_kind.push_back(kind);
    lon_deg.push_back(kUnset);
    lat_deg.push_back(kUnset);
    x.push_back(kUnset);
    y.push_back(kUnset);
    elevation_m.push_back(0.0);
    pressure_min_pa.push_back(kUnset);
    pressure_max_pa.push_back(kUnset);
    set_pressure_pa.push_back(kUnset);
    demand_m3s.push_back(0.0);
    flow_min_m3s.push_back(kUnset);
    flow_max_m3s.push_back(kUnset);
    customer_class.push_back(CustomerClass::kNone);
    customer_count.push_back(0);
    return NodeIndex{index};
}

ConnectionIndex Network::add_connection(std::string id, ConnectionKind kind, NodeIndex from,
                                        NodeIndex to) {
    const auto index = connection_count();
    if (!connection_index.emplace(id, index).second)
        throw Error(ErrorCode::kDuplicateId, "duplicate gas connection id '" + id + "'");
    connection_id.push_back(std::move(id));
    connection_kind.push_back(kind);
    from_node.push_back(from);
    to_node.push_back(to);
    length_m.push_back(0.0);
    diameter_m.push_back(0.0);
    roughness_m.push_back(0.0);
    pressure_class.push_back(PressureClass::kMedium);
    drag_factor.push_back(0.0);
    valve_kind.push_back(kind == ConnectionKind::kValve ? ValveKind::kManual : ValveKind::kNone);
    open.push_back(1);
    outlet_set_pressure_pa.push_back(kUnset);
    compressor_mode.push_back(CompressorMode::kOutletPressure);
    pressure_ratio.push_back(1.0);
    max_pressure_ratio.push_back(kUnset);
    inlet_pressure_min_pa.push_back(kUnset);
    outlet_pressure_max_pa.push_back(kUnset);
    pressure_differential_min_pa.push_back(kUnset);
    pressure_differential_max_pa.push_back(kUnset);
    pressure_loss_in_pa.push_back(0.0);
    pressure_loss_out_pa.push_back(0.0);
    connection_flow_min_m3s.push_back(kUnset);
    connection_flow_max_m3s.push_back(kUnset);
    vertices.emplace_back();
    return ConnectionIndex{index};
}

CsrGraph Network::adjacency() const {
    std::vector<std::int32_t> tails, heads;
    const auto m = static_cast<std::size_t>(connection_count());
    tails.reserve(2 * m);
    heads.reserve(2 * m);
    for (std::size_t k = 0; k < m; ++k) {
        tails.push_back(from_node[k].value());
        heads.push_back(to_node[k].value());
    }
    for (std::size_t k = 0; k < m; ++k) {
        tails.push_back(to_node[k].value());
        heads.push_back(from_node[k].value());
    }
    CsrGraph g = build_csr(node_count(), tails, heads);
    for (auto& a : g.arc_ids)
        if (a >= static_cast<std::int32_t>(m))
            a -= static_cast<std::int32_t>(m);
    return g;
}

} // namespace rencheng::gas
