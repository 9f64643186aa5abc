// Reader of GasLib XML networks and nomination scenarios (docs/gas.md "GasLib input").
#include "gas/gaslib_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include <pugixml.hpp>

#include "core/atomic_file.hpp"

namespace rencheng::gas {

namespace {

/// Byte offset → 1-based line, for messages (pugixml reports offsets).
class LineIndex {
public:
    explicit LineIndex(std::string_view text) {
        for (std::size_t i = 0; i < text.size(); ++i)
            if (text[i] == '\n')
                breaks_.push_back(static_cast<std::ptrdiff_t>(i));
    }
    [[nodiscard]] int line(std::ptrdiff_t offset) const {
        return static_cast<int>(std::lower_bound(breaks_.begin(), breaks_.end(), offset) -
                                breaks_.begin()) +
               1;
    }

private:
    std::vector<std::ptrdiff_t> breaks_;
};

/// Element names without a namespace prefix ("framework:nodes" → "nodes").
std::string_view local_name(const pugi::xml_node& n) {
    std::string_view s = n.name();
    const auto colon = s.find(':');
    return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

struct Context {
    const std::string& file;
    LineIndex lines;
    Diagnostics diags;

    int line_of(const pugi::xml_node& n) const { return lines.line(n.offset_debug()); }
    void error(ErrorCode code, const pugi::xml_node& n, const std::string& id, std::string msg) {
        diags.error(code, file, line_of(n), 0, id, std::move(msg));
    }
};

std::optional<double> parse_number(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

enum class Quantity {
    kPressure,
    kFlow,
    kLength,
    kSmallLength,
    kTemperature,
    kDensity,
    kMolarMass,
    kNone
};

/// Factor and offset to SI for `unit` of a quantity; nullopt when the unit is unknown.
std::optional<std::pair<double, double>> unit_to_si(Quantity q, std::string_view unit) {
    switch (q) {
    case Quantity::kPressure:
        if (unit == "bar")
            return std::pair{1e5, 0.0};
        if (unit == "barg")
            return std::pair{1e5, kNormalPressurePa};
        if (unit == "Pa")
            return std::pair{1.0, 0.0};
        if (unit == "kPa")
            return std::pair{1e3, 0.0};
        if (unit == "MPa")
            return std::pair{1e6, 0.0};
        break;
    case Quantity::kFlow:
        if (unit == "1000m_cube_per_hour")
            return std::pair{1000.0 / 3600.0, 0.0};
        if (unit == "m_cube_per_hour")
            return std::pair{1.0 / 3600.0, 0.0};
        if (unit == "m_cube_per_s")
            return std::pair{1.0, 0.0};
        break;
    case Quantity::kLength:
    case Quantity::kSmallLength:
        // GasLib-24 writes <height value="0"/> without a unit: metres, as everywhere else.
        if (unit == "m" || unit == "meter" || (q == Quantity::kLength && unit.empty()))
            return std::pair{1.0, 0.0};
        if (unit == "km")
            return std::pair{1000.0, 0.0};
        if (unit == "mm")
            return std::pair{1e-3, 0.0};
        break;
    case Quantity::kTemperature:
        if (unit == "K")
            return std::pair{1.0, 0.0};
        if (unit == "Celsius")
            return std::pair{1.0, 273.15};
        break;
    case Quantity::kDensity:
        if (unit == "kg_per_m_cube")
            return std::pair{1.0, 0.0};
        break;
    case Quantity::kMolarMass:
        if (unit == "kg_per_kmol" || unit == "g_per_mol")
            return std::pair{1e-3, 0.0};
        if (unit == "kg_per_mol")
            return std::pair{1.0, 0.0};
        break;
    case Quantity::kNone:
        if (unit.empty())
            return std::pair{1.0, 0.0};
        break;
    }
    return std::nullopt;
}

/// The SI value of child element `name` (attributes value, unit) of `parent`; nullopt when
/// absent (reported when `required`) or invalid (always reported).
std::optional<double> quantity(Context& ctx, const pugi::xml_node& parent, const char* name,
                               Quantity q, bool required, const std::string& id) {
    const pugi::xml_node child = parent.child(name);
    if (!child) {
        if (required)
            ctx.error(ErrorCode::kMissingKey, parent, id,
                      std::string("<") + parent.name() + "> has no <" + name + ">");
        return std::nullopt;
    }
    const auto value_attr = child.attribute("value");
    if (!value_attr) {
        ctx.error(ErrorCode::kMissingKey, child, id,
                  std::string("<") + name + "> has no value attribute");
        return std::nullopt;
    }
    const auto v = parse_number(value_attr.value());
    if (!v) {
        ctx.error(ErrorCode::kNumberSyntax, child, id,
                  std::string("<") + name + "> value '" + value_attr.value() + "' is not a number");
        return std::nullopt;
    }
    const std::string_view unit = child.attribute("unit").value();
    const auto f = unit_to_si(q, unit);
    if (!f) {
        ctx.error(ErrorCode::kUnknownValue, child, id,
                  std::string("<") + name + "> has unknown unit '" + std::string(unit) + "'");
        return std::nullopt;
    }
    return *v * f->first + f->second;
}

pugi::xml_document parse_xml(std::string_view text, Context& ctx, bool& ok) {
    pugi::xml_document doc;
    const auto res =
        doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    ok = static_cast<bool>(res);
    if (!ok)
        ctx.diags.error(ErrorCode::kXmlSyntax, ctx.file, ctx.lines.line(res.offset), 0, "",
                        std::string("XML: ") + res.description());
    return doc;
}

[[noreturn]] void throw_diagnostics(Context& ctx) {
    ErrorCode code = ErrorCode::kInternal;
    for (const auto& d : ctx.diags.items())
        if (d.severity == Severity::kError) {
            code = d.code;
            break;
        }
    throw Error(code, std::move(ctx.diags));
}

void read_node(Context& ctx, Network& net, const pugi::xml_node& n, bool& gas_read) {
    const std::string_view kind = local_name(n);
    NodeKind k = NodeKind::kJunction;
    if (kind == "source")
        k = NodeKind::kSource;
    else if (kind == "sink")
        k = NodeKind::kCustomer;
    else if (kind != "innode") {
        ctx.error(ErrorCode::kUnknownValue, n, "",
                  "unknown GasLib node <" + std::string(n.name()) + ">");
        return;
    }
    const std::string id = n.attribute("id").value();
    if (id.empty()) {
        ctx.error(ErrorCode::kMissingKey, n, "", "<" + std::string(kind) + "> has no id");
        return;
    }
    if (net.find_node(id).valid()) {
        ctx.error(ErrorCode::kDuplicateId, n, id, "node id '" + id + "' is used twice");
        return;
    }
    const auto i = net.add_node(id, k).idx();
    auto coord = [&](const char* a, std::vector<double>& out) {
        if (const auto attr = n.attribute(a)) {
            if (auto v = parse_number(attr.value()))
                out[i] = *v;
            else
                ctx.error(ErrorCode::kNumberSyntax, n, id,
                          std::string("attribute ") + a + " '" + attr.value() +
                              "' is not a number");
        }
    };
    coord("x", net.x);
    coord("y", net.y);
    coord("geoWGS84Long", net.lon_deg);
    coord("geoWGS84Lat", net.lat_deg);
    if (auto v = quantity(ctx, n, "height", Quantity::kLength, false, id))
        net.elevation_m[i] = *v;
    if (auto v = quantity(ctx, n, "pressureMin", Quantity::kPressure, true, id))
        net.pressure_min_pa[i] = *v;
    if (auto v = quantity(ctx, n, "pressureMax", Quantity::kPressure, true, id))
        net.pressure_max_pa[i] = *v;
    if (auto v = quantity(ctx, n, "flowMin", Quantity::kFlow, false, id))
        net.flow_min_m3s[i] = *v;
    if (auto v = quantity(ctx, n, "flowMax", Quantity::kFlow, false, id))
        net.flow_max_m3s[i] = *v;
    if (k == NodeKind::kSource && !gas_read) {
        gas_read = true;
        GasProperties& g = net.gas;
        if (auto v = quantity(ctx, n, "gasTemperature", Quantity::kTemperature, false, id))
            g.temperature_k = *v;
        if (auto v = quantity(ctx, n, "normDensity", Quantity::kDensity, false, id))
            g.normal_density_kgm3 = *v;
        if (auto v = quantity(ctx, n, "molarMass", Quantity::kMolarMass, false, id))
            g.molar_mass_kgmol = *v;
        if (auto v = quantity(ctx, n, "pseudocriticalPressure", Quantity::kPressure, false, id))
            g.pseudocritical_pressure_pa = *v;
        if (auto v =
                quantity(ctx, n, "pseudocriticalTemperature", Quantity::kTemperature, false, id))
            g.pseudocritical_temperature_k = *v;
    }
}

void read_connection(Context& ctx, Network& net, const pugi::xml_node& c) {
    const std::string_view kind = local_name(c);
    ConnectionKind k{};
    if (kind == "pipe")
        k = ConnectionKind::kPipe;
    else if (kind == "shortPipe")
        k = ConnectionKind::kShortPipe;
    else if (kind == "resistor")
        k = ConnectionKind::kResistor;
    else if (kind == "valve")
        k = ConnectionKind::kValve;
    else if (kind == "controlValve")
        k = ConnectionKind::kRegulator;
    else if (kind == "compressorStation")
        k = ConnectionKind::kCompressor;
    else {
        ctx.error(ErrorCode::kUnsupported, c, c.attribute("id").value(),
                  "unsupported GasLib connection <" + std::string(c.name()) + ">");
        return;
    }
    const std::string id = c.attribute("id").value();
    if (id.empty()) {
        ctx.error(ErrorCode::kMissingKey, c, "", "<" + std::string(kind) + "> has no id");
        return;
    }
    if (net.find_connection(id).valid()) {
        ctx.error(ErrorCode::kDuplicateId, c, id, "connection id '" + id + "' is used twice");
        return;
    }
    NodeIndex ends[2];
    const char* names[2] = {"from", "to"};
    for (int e = 0; e < 2; ++e) {
        const std::string node = c.attribute(names[e]).value();
        ends[e] = net.find_node(node);
        if (!ends[e].valid()) {
            ctx.error(node.empty() ? ErrorCode::kMissingKey : ErrorCode::kUnknownReference, c, id,
                      std::string(names[e]) + " node '" + node + "' is not a node of the network");
        }
    }
    if (!ends[0].valid() || !ends[1].valid())
        return;
    const auto i = net.add_connection(id, k, ends[0], ends[1]).idx();
    net.pressure_class[i] = PressureClass::kHigh;
    if (auto v = quantity(ctx, c, "flowMin", Quantity::kFlow, false, id))
        net.connection_flow_min_m3s[i] = *v;
    if (auto v = quantity(ctx, c, "flowMax", Quantity::kFlow, false, id))
        net.connection_flow_max_m3s[i] = *v;
    switch (k) {
    case ConnectionKind::kPipe:
        if (auto v = quantity(ctx, c, "length", Quantity::kLength, true, id))
            net.length_m[i] = *v;
        if (auto v = quantity(ctx, c, "diameter", Quantity::kSmallLength, true, id))
            net.diameter_m[i] = *v;
        if (auto v = quantity(ctx, c, "roughness", Quantity::kSmallLength, true, id))
            net.roughness_m[i] = *v;
        if (!(net.length_m[i] > 0) || !(net.diameter_m[i] > 0) || net.roughness_m[i] < 0)
            ctx.error(ErrorCode::kOutOfRange, c, id,
                      "pipe needs length > 0, diameter > 0 and roughness >= 0");
        break;
    case ConnectionKind::kResistor:
        if (auto v = quantity(ctx, c, "diameter", Quantity::kSmallLength, true, id))
            net.diameter_m[i] = *v;
        if (auto v = quantity(ctx, c, "dragFactor", Quantity::kNone, true, id))
            net.drag_factor[i] = *v;
        if (!(net.diameter_m[i] > 0) || net.drag_factor[i] < 0)
            ctx.error(ErrorCode::kOutOfRange, c, id,
                      "resistor needs diameter > 0 and dragFactor >= 0");
        break;
    case ConnectionKind::kValve:
        net.valve_kind[i] = ValveKind::kRemote;
        break;
    case ConnectionKind::kRegulator:
    case ConnectionKind::kCompressor:
        if (auto v = quantity(ctx, c, "pressureInMin", Quantity::kPressure, false, id))
            net.inlet_pressure_min_pa[i] = *v;
        if (auto v = quantity(ctx, c, "pressureOutMax", Quantity::kPressure, false, id))
            net.outlet_pressure_max_pa[i] = *v;
        if (auto v = quantity(ctx, c, "pressureLossIn", Quantity::kPressure, false, id))
            net.pressure_loss_in_pa[i] = *v;
        if (auto v = quantity(ctx, c, "pressureLossOut", Quantity::kPressure, false, id))
            net.pressure_loss_out_pa[i] = *v;
        if (auto v = quantity(ctx, c, "pressureDifferentialMin", Quantity::kPressure, false, id))
            net.pressure_differential_min_pa[i] = *v;
        if (auto v = quantity(ctx, c, "pressureDifferentialMax", Quantity::kPressure, false, id))
            net.pressure_differential_max_pa[i] = *v;
        break;
    case ConnectionKind::kShortPipe:
        break;
    }
}

} // namespace

Network parse_gaslib_net(std::string_view text, const std::string& file) {
    Context ctx{file, LineIndex(text), {}};
    bool ok = false;
    const pugi::xml_document doc = parse_xml(text, ctx, ok);
    if (!ok)
        throw_diagnostics(ctx);
    Network net;
    const pugi::xml_node root = doc.document_element();
    if (local_name(root) != "network") {
        ctx.error(ErrorCode::kWrongType, root, "",
                  "not a GasLib network: the root element is <" + std::string(root.name()) + ">");
        throw_diagnostics(ctx);
    }
    bool gas_read = false;
    bool has_nodes = false;
    for (const auto& section : root.children()) {
        const auto name = local_name(section);
        if (name == "information") {
            net.title = section.child_value("framework:title");
        } else if (name == "nodes") {
            has_nodes = true;
            for (const auto& n : section.children())
                if (n.type() == pugi::node_element)
                    read_node(ctx, net, n, gas_read);
        }
    }
    for (const auto& section : root.children())
        if (local_name(section) == "connections")
            for (const auto& c : section.children())
                if (c.type() == pugi::node_element)
                    read_connection(ctx, net, c);
    if (!has_nodes)
        ctx.error(ErrorCode::kMissingKey, root, "", "the network has no <framework:nodes>");
    if (ctx.diags.has_errors())
        throw_diagnostics(ctx);
    // Isothermal model with one constant Z: Papay at the mean of the nodes' mean pressure
    // bounds, the operating range the network is built for (docs/gas.md "Gas properties").
    GasProperties& g = net.gas;
    if (g.pseudocritical_pressure_pa > 0 && g.pseudocritical_temperature_k > 0) {
        double sum = 0;
        int count = 0;
        for (std::int32_t i = 0; i < net.node_count(); ++i) {
            const auto iu = static_cast<std::size_t>(i);
            if (is_set(net.pressure_min_pa[iu]) && is_set(net.pressure_max_pa[iu])) {
                sum += 0.5 * (net.pressure_min_pa[iu] + net.pressure_max_pa[iu]);
                ++count;
            }
        }
        if (count > 0)
            g.compressibility =
                papay_compressibility(sum / count, g.temperature_k, g.pseudocritical_pressure_pa,
                                      g.pseudocritical_temperature_k);
    }
    // GasLib's model constant (Schmidt et al. 2017): dynamic viscosity 1e-5 kg/(m s).
    g.dynamic_viscosity_pas = 1e-5;
    net.flow_equation = FlowEquation::kGeneral;
    return net;
}

Network read_gaslib_net(const std::filesystem::path& path) {
    const std::string text = read_file(path);
    return parse_gaslib_net(text, path.string());
}

void apply_gaslib_scenario(Network& net, std::string_view text, const std::string& file) {
    Context ctx{file, LineIndex(text), {}};
    bool ok = false;
    const pugi::xml_document doc = parse_xml(text, ctx, ok);
    if (!ok)
        throw_diagnostics(ctx);
    const pugi::xml_node root = doc.document_element();
    if (local_name(root) != "boundaryValue") {
        ctx.error(ErrorCode::kWrongType, root, "",
                  "not a GasLib scenario: the root element is <" + std::string(root.name()) + ">");
        throw_diagnostics(ctx);
    }
    const pugi::xml_node scenario = root.child("scenario");
    if (!scenario) {
        ctx.error(ErrorCode::kMissingKey, root, "", "the scenario file has no <scenario>");
        throw_diagnostics(ctx);
    }
    // Demands from the nomination replace the network's (none in a .net).
    std::vector<double> demand = net.demand_m3s;
    for (const auto& n : scenario.children("node")) {
        const std::string id = n.attribute("id").value();
        const std::string_view type = n.attribute("type").value();
        const NodeIndex node = net.find_node(id);
        if (!node.valid()) {
            ctx.error(ErrorCode::kUnknownReference, n, id,
                      "node '" + id + "' of the scenario is not in the network");
            continue;
        }
        if (type != "entry" && type != "exit") {
            ctx.error(ErrorCode::kUnknownValue, n, id,
                      "node type '" + std::string(type) + "' is neither entry nor exit");
            continue;
        }
        double lower = kUnset, upper = kUnset;
        for (const auto& child : n.children()) {
            const std::string_view cname = local_name(child);
            if (cname != "flow" && cname != "pressure")
                continue;
            const std::string_view bound = child.attribute("bound").value();
            const auto v = parse_number(child.attribute("value").value());
            const auto f = unit_to_si(cname == "flow" ? Quantity::kFlow : Quantity::kPressure,
                                      child.attribute("unit").value());
            if (!v || !f) {
                ctx.error(v ? ErrorCode::kUnknownValue : ErrorCode::kNumberSyntax, child, id,
                          std::string("<") + std::string(cname) +
                              "> needs a number value and a known unit");
                continue;
            }
            const double si = *v * f->first + f->second;
            if (bound != "lower" && bound != "upper" && bound != "both") {
                ctx.error(ErrorCode::kUnknownValue, child, id,
                          "bound '" + std::string(bound) + "' is not lower, upper or both");
                continue;
            }
            if (cname == "flow") {
                if (bound != "upper")
                    lower = si;
                if (bound != "lower")
                    upper = si;
            } else {
                auto& pmin = net.pressure_min_pa[node.idx()];
                auto& pmax = net.pressure_max_pa[node.idx()];
                if (bound != "upper")
                    pmin = is_set(pmin) ? std::max(pmin, si) : si;
                if (bound != "lower")
                    pmax = is_set(pmax) ? std::min(pmax, si) : si;
            }
        }
        if (!is_set(lower) || !is_set(upper) || std::abs(lower - upper) > 1e-12 * std::abs(upper)) {
            ctx.error(ErrorCode::kUnsupported, n, id,
                      "the steady-state solver needs one nominated flow: lower and upper bounds "
                      "must both be given and equal");
            continue;
        }
        demand[node.idx()] = type == "entry" ? -upper : upper;
    }
    if (ctx.diags.has_errors())
        throw_diagnostics(ctx);
    net.demand_m3s = std::move(demand);
}

void read_gaslib_scenario(Network& net, const std::filesystem::path& path) {
    const std::string text = read_file(path);
    apply_gaslib_scenario(net, text, path.string());
}

} // namespace rencheng::gas
