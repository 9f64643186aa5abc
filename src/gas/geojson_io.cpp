// Reader and writer of the city gas network GeoJSON format (docs/gas.md "GeoJSON network").
#include "gas/geojson_io.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/geo.hpp"
#include "core/geojson.hpp"

namespace rencheng::gas {

namespace {

using nlohmann::json;

template <typename E, std::size_t N>
std::optional<E> parse_enum(std::string_view s, const std::array<E, N>& values,
                            std::string_view (*name)(E)) {
    for (const E v : values)
        if (name(v) == s)
            return v;
    return std::nullopt;
}

constexpr std::array kNodeKinds{NodeKind::kSource, NodeKind::kJunction, NodeKind::kCustomer};
constexpr std::array kCustomerClasses{CustomerClass::kNone, CustomerClass::kResidential,
                                      CustomerClass::kCommercial, CustomerClass::kIndustrial,
                                      CustomerClass::kCritical};
constexpr std::array kConnectionKinds{ConnectionKind::kPipe,      ConnectionKind::kShortPipe,
                                      ConnectionKind::kResistor,  ConnectionKind::kValve,
                                      ConnectionKind::kRegulator, ConnectionKind::kCompressor};
constexpr std::array kValveKinds{ValveKind::kManual, ValveKind::kRemote,
                                 ValveKind::kAutoExcessFlow};
constexpr std::array kPressureClasses{PressureClass::kHigh, PressureClass::kSubHigh,
                                      PressureClass::kMedium, PressureClass::kLow};
constexpr std::array kEquations{FlowEquation::kWeymouth, FlowEquation::kPanhandleA,
                                FlowEquation::kPanhandleB, FlowEquation::kGeneral};

std::string_view compressor_mode_name(CompressorMode m) {
    return m == CompressorMode::kRatio ? "ratio" : "outlet_pressure";
}
constexpr std::array kCompressorModes{CompressorMode::kOutletPressure, CompressorMode::kRatio};

template <typename E, std::size_t N>
std::optional<E> enum_property(const json& props, const char* key, bool required,
                               const std::array<E, N>& values, std::string_view (*name)(E),
                               GeoJsonFeatureContext& ctx) {
    const auto s = string_property(props, key, required, ctx);
    if (!s)
        return std::nullopt;
    if (auto v = parse_enum(*s, values, name))
        return v;
    std::string list;
    for (const E v : values)
        list += (list.empty() ? "" : ", ") + std::string(name(v));
    ctx.error(ErrorCode::kUnknownValue,
              std::string("unknown ") + key + " '" + *s + "' (" + list + ")");
    return std::nullopt;
}

void optional_number(const json& props, const char* key, NumberBound bound, double& out,
                     GeoJsonFeatureContext& ctx) {
    if (auto v = number_property(props, key, false, bound, ctx))
        out = *v;
}

constexpr NumberBound kNonNegative{0.0, false};
constexpr NumberBound kPositive{0.0, true};
constexpr NumberBound kAny{-1e300, false};

void read_node(const json& props, LonLat position, Network& net, GeoJsonFeatureContext& ctx,
               std::unordered_map<std::string, int>& seen) {
    const auto id = feature_id(props, ctx);
    const auto kind = enum_property(props, "kind", true, kNodeKinds, node_kind_name, ctx);
    if (!id || !kind || !claim_feature_id(seen, "gas node", ctx))
        return;
    const auto i = net.add_node(*id, *kind).idx();
    net.lon_deg[i] = position.lon;
    net.lat_deg[i] = position.lat;
    optional_number(props, "elevation_m", kAny, net.elevation_m[i], ctx);
    optional_number(props, "pressure_min_pa", kNonNegative, net.pressure_min_pa[i], ctx);
    optional_number(props, "pressure_max_pa", kPositive, net.pressure_max_pa[i], ctx);
    optional_number(props, "set_pressure_pa", kPositive, net.set_pressure_pa[i], ctx);
    if (*kind == NodeKind::kSource) {
        double supply = 0;
        optional_number(props, "supply_m3s", kNonNegative, supply, ctx);
        net.demand_m3s[i] = -supply;
        optional_number(props, "capacity_m3s", kNonNegative, net.flow_max_m3s[i], ctx);
    } else {
        optional_number(props, "demand_m3s", kNonNegative, net.demand_m3s[i], ctx);
    }
    if (auto c = enum_property(props, "customer_class", false, kCustomerClasses,
                               customer_class_name, ctx))
        net.customer_class[i] = *c;
    if (auto n = integer_property(props, "customer_count", false,
                                  IntegerRange{0, 2000000000, "[0, 2e9]"}, ctx))
        net.customer_count[i] = static_cast<std::int32_t>(*n);
    if (is_set(net.pressure_min_pa[i]) && is_set(net.pressure_max_pa[i]) &&
        net.pressure_min_pa[i] > net.pressure_max_pa[i])
        ctx.error(ErrorCode::kInconsistent, "pressure_min_pa is above pressure_max_pa");
}

void read_connection(const json& props, const json& coordinates, Network& net,
                     GeoJsonFeatureContext& ctx, std::unordered_map<std::string, int>& seen) {
    const auto id = feature_id(props, ctx);
    const auto kind =
        enum_property(props, "kind", true, kConnectionKinds, connection_kind_name, ctx);
    const auto from = string_property(props, "from", true, ctx);
    const auto to = string_property(props, "to", true, ctx);
    NodeIndex a, b;
    if (from && !(a = net.find_node(*from)).valid())
        ctx.error(ErrorCode::kUnknownReference, "from node '" + *from + "' is not a gas node");
    if (to && !(b = net.find_node(*to)).valid())
        ctx.error(ErrorCode::kUnknownReference, "to node '" + *to + "' is not a gas node");
    std::vector<double> vertices;
    if (!coordinates.is_array() || coordinates.size() < 2) {
        ctx.error(ErrorCode::kBadGeometry, "a LineString needs at least two positions");
    } else {
        for (std::size_t p = 0; p < coordinates.size(); ++p)
            if (auto pos = read_position(coordinates[p], ctx, "point " + std::to_string(p + 1))) {
                vertices.push_back(pos->lon);
                vertices.push_back(pos->lat);
            }
    }
    if (!id || !kind || !a.valid() || !b.valid() || ctx.failed ||
        !claim_feature_id(seen, "gas connection", ctx))
        return;
    if (a == b) {
        ctx.error(ErrorCode::kInconsistent, "from and to are the same node");
        return;
    }
    const auto k = net.add_connection(*id, *kind, a, b).idx();
    net.vertices[k] = std::move(vertices);
    net.open[k] = bool_property(props, "closed", ctx) ? 0 : 1;
    switch (*kind) {
    case ConnectionKind::kPipe: {
        double length = 0;
        for (std::size_t p = 2; p + 1 < net.vertices[k].size(); p += 2)
            length += haversine_m({net.vertices[k][p - 2], net.vertices[k][p - 1]},
                                  {net.vertices[k][p], net.vertices[k][p + 1]});
        net.length_m[k] = length;
        optional_number(props, "length_m", kPositive, net.length_m[k], ctx);
        if (auto d = number_property(props, "diameter_m", true, kPositive, ctx))
            net.diameter_m[k] = *d;
        net.roughness_m[k] = 1e-4; // steel, 0.1 mm (docs/gas.md)
        optional_number(props, "roughness_m", kNonNegative, net.roughness_m[k], ctx);
        if (auto c = enum_property(props, "pressure_class", false, kPressureClasses,
                                   pressure_class_name, ctx))
            net.pressure_class[k] = *c;
        if (!(net.length_m[k] > 0))
            ctx.error(ErrorCode::kOutOfRange, "pipe length must be > 0 (give length_m)");
        break;
    }
    case ConnectionKind::kResistor:
        if (auto d = number_property(props, "diameter_m", true, kPositive, ctx))
            net.diameter_m[k] = *d;
        if (auto z = number_property(props, "drag_factor", true, kNonNegative, ctx))
            net.drag_factor[k] = *z;
        break;
    case ConnectionKind::kValve:
        if (auto v = enum_property(props, "valve_kind", false, kValveKinds, valve_kind_name, ctx))
            net.valve_kind[k] = *v;
        break;
    case ConnectionKind::kRegulator:
    case ConnectionKind::kCompressor:
        optional_number(props, "set_pressure_pa", kPositive, net.outlet_set_pressure_pa[k], ctx);
        optional_number(props, "inlet_pressure_min_pa", kNonNegative, net.inlet_pressure_min_pa[k],
                        ctx);
        optional_number(props, "outlet_pressure_max_pa", kPositive, net.outlet_pressure_max_pa[k],
                        ctx);
        if (*kind == ConnectionKind::kCompressor) {
            if (auto m = enum_property(props, "mode", false, kCompressorModes, compressor_mode_name,
                                       ctx))
                net.compressor_mode[k] = *m;
            optional_number(props, "pressure_ratio", NumberBound{1.0, false}, net.pressure_ratio[k],
                            ctx);
            optional_number(props, "max_pressure_ratio", NumberBound{1.0, false},
                            net.max_pressure_ratio[k], ctx);
        } else {
            optional_number(props, "pressure_differential_min_pa", kNonNegative,
                            net.pressure_differential_min_pa[k], ctx);
        }
        break;
    case ConnectionKind::kShortPipe:
        break;
    }
}

void read_gas_object(const json& root, Network& net, Diagnostics& diags, const std::string& file) {
    const json* g = root.is_object() ? find_key(root, "gas") : nullptr;
    if (g == nullptr)
        return;
    GeoJsonFeatureContext ctx{diags, file, 0, "gas"};
    if (!g->is_object()) {
        ctx.error(ErrorCode::kWrongType, "\"gas\" must be an object, not " + json_type_name(*g));
        return;
    }
    GasProperties& p = net.gas;
    if (auto v = number_property(*g, "relative_density", false, kPositive, ctx)) {
        p.molar_mass_kgmol = *v * kMolarMassAir;
        p.normal_density_kgm3 = *v * p.air_normal_density_kgm3;
    }
    optional_number(*g, "normal_density_kgm3", kPositive, p.normal_density_kgm3, ctx);
    optional_number(*g, "temperature_k", kPositive, p.temperature_k, ctx);
    optional_number(*g, "compressibility", kPositive, p.compressibility, ctx);
    optional_number(*g, "dynamic_viscosity_pas", kPositive, p.dynamic_viscosity_pas, ctx);
    optional_number(*g, "pipeline_efficiency", kPositive, p.pipeline_efficiency, ctx);
    if (auto e = enum_property(*g, "flow_equation", false, kEquations, flow_equation_name, ctx))
        net.flow_equation = *e;
}

} // namespace

Network parse_gas_geojson(std::string_view text, const std::string& file) {
    Diagnostics diags;
    Network net;
    std::unordered_map<std::string, int> node_seen, connection_seen;
    // Pass 1: nodes (Points), so that connections may come in any order.
    for_each_geojson_feature(text, file, diags, [&](const json& f, GeoJsonFeatureContext& ctx) {
        const json* props = feature_properties(f, ctx);
        std::string type;
        const json* geom = feature_geometry(f, type, ctx);
        if (props == nullptr || geom == nullptr)
            return;
        if (type == "LineString")
            return;
        if (type != "Point") {
            ctx.error(ErrorCode::kBadGeometry,
                      "a gas feature is a Point (node) or a LineString (connection), not " +
                          (type.empty() ? std::string("an untyped geometry") : type));
            return;
        }
        const json* c = find_key(*geom, "coordinates");
        if (c == nullptr) {
            ctx.error(ErrorCode::kBadGeometry, "Point has no 'coordinates'");
            return;
        }
        if (auto p = read_position(*c, ctx, "the point"))
            read_node(*props, *p, net, ctx, node_seen);
    });
    if (!diags.has_errors()) {
        Diagnostics second;
        for_each_geojson_feature(
            text, file, second, [&](const json& f, GeoJsonFeatureContext& ctx) {
                const json* props = feature_properties(f, ctx);
                std::string type;
                const json* geom = feature_geometry(f, type, ctx);
                if (props == nullptr || geom == nullptr || type != "LineString")
                    return;
                const json* c = find_key(*geom, "coordinates");
                static const json kNull;
                read_connection(*props, c ? *c : kNull, net, ctx, connection_seen);
            });
        diags.append(second);
        if (!diags.has_errors())
            read_gas_object(json::parse(text, nullptr, false), net, diags, file);
    }
    if (diags.has_errors()) {
        ErrorCode code = ErrorCode::kInternal;
        for (const auto& d : diags.items())
            if (d.severity == Severity::kError) {
                code = d.code;
                break;
            }
        throw Error(code, std::move(diags));
    }
    return net;
}

Network read_gas_geojson(const std::filesystem::path& path) {
    const std::string text = read_file(path);
    return parse_gas_geojson(text, path.string());
}

namespace {

void append_number(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void key_number(std::string& out, const char* key, double v) {
    if (!is_set(v))
        return;
    out += ",\"";
    out += key;
    out += "\":";
    append_number(out, v);
}

void key_string(std::string& out, const char* key, std::string_view v) {
    out += ",\"";
    out += key;
    out += "\":";
    append_json_string(out, v);
}

} // namespace

std::string format_gas_geojson(const Network& net) {
    std::string out = "{\"type\":\"FeatureCollection\",\"gas\":{\"relative_density\":";
    append_number(out, net.gas.relative_density());
    key_number(out, "normal_density_kgm3", net.gas.normal_density_kgm3);
    key_number(out, "temperature_k", net.gas.temperature_k);
    key_number(out, "compressibility", net.gas.compressibility);
    key_number(out, "dynamic_viscosity_pas", net.gas.dynamic_viscosity_pas);
    key_number(out, "pipeline_efficiency", net.gas.pipeline_efficiency);
    key_string(out, "flow_equation", flow_equation_name(net.flow_equation));
    out += "},\"features\":[\n";
    bool first = true;
    for (std::int32_t i = 0; i < net.node_count(); ++i) {
        const auto iu = static_cast<std::size_t>(i);
        if (!first)
            out += ",\n";
        first = false;
        out += "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":";
        append_position(out, LonLat{is_set(net.lon_deg[iu]) ? net.lon_deg[iu] : 0.0,
                                    is_set(net.lat_deg[iu]) ? net.lat_deg[iu] : 0.0});
        out += "},\"properties\":{\"id\":";
        append_json_string(out, net.node_id[iu]);
        key_string(out, "kind", node_kind_name(net.node_kind[iu]));
        key_number(out, "elevation_m", net.elevation_m[iu]);
        key_number(out, "pressure_min_pa", net.pressure_min_pa[iu]);
        key_number(out, "pressure_max_pa", net.pressure_max_pa[iu]);
        key_number(out, "set_pressure_pa", net.set_pressure_pa[iu]);
        if (net.node_kind[iu] == NodeKind::kSource) {
            key_number(out, "supply_m3s", std::max(0.0, -net.demand_m3s[iu]));
            key_number(out, "capacity_m3s", net.flow_max_m3s[iu]);
        } else {
            key_number(out, "demand_m3s", net.demand_m3s[iu]);
        }
        if (net.customer_class[iu] != CustomerClass::kNone)
            key_string(out, "customer_class", customer_class_name(net.customer_class[iu]));
        if (net.customer_count[iu] > 0)
            key_number(out, "customer_count", net.customer_count[iu]);
        out += "}}";
    }
    for (std::int32_t k = 0; k < net.connection_count(); ++k) {
        const auto ku = static_cast<std::size_t>(k);
        if (!first)
            out += ",\n";
        first = false;
        out += "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[";
        std::vector<double> v = net.vertices[ku];
        if (v.size() < 4) {
            const auto a = net.from_node[ku].idx(), b = net.to_node[ku].idx();
            v = {net.lon_deg[a], net.lat_deg[a], net.lon_deg[b], net.lat_deg[b]};
            for (auto& c : v)
                if (!is_set(c))
                    c = 0.0;
        }
        for (std::size_t p = 0; p + 1 < v.size(); p += 2) {
            if (p > 0)
                out += ',';
            append_position(out, LonLat{v[p], v[p + 1]});
        }
        out += "]},\"properties\":{\"id\":";
        append_json_string(out, net.connection_id[ku]);
        const ConnectionKind kind = net.connection_kind[ku];
        key_string(out, "kind", connection_kind_name(kind));
        key_string(out, "from", net.node_id[net.from_node[ku].idx()]);
        key_string(out, "to", net.node_id[net.to_node[ku].idx()]);
        if (!net.open[ku])
            out += ",\"closed\":true";
        switch (kind) {
        case ConnectionKind::kPipe:
            key_number(out, "length_m", net.length_m[ku]);
            key_number(out, "diameter_m", net.diameter_m[ku]);
            key_number(out, "roughness_m", net.roughness_m[ku]);
            key_string(out, "pressure_class", pressure_class_name(net.pressure_class[ku]));
            break;
        case ConnectionKind::kResistor:
            key_number(out, "diameter_m", net.diameter_m[ku]);
            key_number(out, "drag_factor", net.drag_factor[ku]);
            break;
        case ConnectionKind::kValve:
            key_string(out, "valve_kind", valve_kind_name(net.valve_kind[ku]));
            break;
        case ConnectionKind::kRegulator:
        case ConnectionKind::kCompressor:
            key_number(out, "set_pressure_pa", net.outlet_set_pressure_pa[ku]);
            key_number(out, "inlet_pressure_min_pa", net.inlet_pressure_min_pa[ku]);
            key_number(out, "outlet_pressure_max_pa", net.outlet_pressure_max_pa[ku]);
            if (kind == ConnectionKind::kCompressor) {
                key_string(out, "mode", compressor_mode_name(net.compressor_mode[ku]));
                key_number(out, "pressure_ratio", net.pressure_ratio[ku]);
                key_number(out, "max_pressure_ratio", net.max_pressure_ratio[ku]);
            } else {
                key_number(out, "pressure_differential_min_pa",
                           net.pressure_differential_min_pa[ku]);
            }
            break;
        case ConnectionKind::kShortPipe:
            break;
        }
        out += "}}";
    }
    out += "\n]}\n";
    return out;
}

void write_gas_geojson(const std::filesystem::path& path, const Network& net) {
    write_file_atomic(path, format_gas_geojson(net));
}

} // namespace rencheng::gas
