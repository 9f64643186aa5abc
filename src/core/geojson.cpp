// GeoJSON helpers shared by the layer readers and writers (see geojson.hpp).
#include "core/geojson.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include "core/json_reader.hpp"

namespace rencheng {

using nlohmann::json;

void GeoJsonFeatureContext::error(ErrorCode code, std::string message) {
    diags.error(code, file, line, 0, id, std::move(message));
    failed = true;
}

std::string json_type_name(const json& v) {
    if (v.is_number_integer())
        return "an integer";
    if (v.is_number())
        return "a number";
    if (v.is_string())
        return "a string";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_null())
        return "null";
    if (v.is_array())
        return "an array";
    return "an object";
}

const json* find_key(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

void for_each_geojson_feature(
    std::string_view text, const std::string& file, Diagnostics& diags,
    const std::function<void(const json& feature, GeoJsonFeatureContext& ctx)>& fn) {
    const JsonDocument doc = parse_json(text, file, diags);
    if (doc.root.is_null())
        return; // syntax error, already reported
    if (!doc.root.is_object() || doc.root.value("type", json()) != "FeatureCollection") {
        diags.error(ErrorCode::kWrongType, file, 1, 0, "",
                    "top level must be a GeoJSON FeatureCollection");
        return;
    }
    const json* features = find_key(doc.root, "features");
    if (features == nullptr || !features->is_array()) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "the FeatureCollection has no 'features' array");
        return;
    }
    for (std::size_t i = 0; i < features->size(); ++i) {
        const int line = i < doc.feature_lines.size() ? doc.feature_lines[i] : 0; // 0: unknown
        GeoJsonFeatureContext ctx{diags, file, line, ""};
        fn((*features)[i], ctx);
    }
}

const json* feature_properties(const json& feature, GeoJsonFeatureContext& ctx) {
    if (!feature.is_object() || feature.value("type", json()) != "Feature") {
        ctx.error(ErrorCode::kWrongType, "element of 'features' is not a GeoJSON Feature");
        return nullptr;
    }
    const json* props = find_key(feature, "properties");
    if (props == nullptr || !props->is_object()) {
        ctx.error(ErrorCode::kMissingKey, "feature has no 'properties' object");
        return nullptr;
    }
    return props;
}

const json* feature_geometry(const json& feature, std::string& type, GeoJsonFeatureContext& ctx) {
    const json* geom = find_key(feature, "geometry");
    if (geom == nullptr || !geom->is_object()) {
        ctx.error(ErrorCode::kBadGeometry, "feature has no geometry");
        return nullptr;
    }
    const json* t = find_key(*geom, "type");
    type = t != nullptr && t->is_string() ? t->get<std::string>() : std::string();
    return geom;
}

std::optional<LonLat> read_position(const json& v, GeoJsonFeatureContext& ctx,
                                    const std::string& what) {
    if (!v.is_array() || v.size() < 2 || v.size() > 3) {
        ctx.error(ErrorCode::kBadGeometry, what + " is not a [lon, lat] position");
        return std::nullopt;
    }
    if (!v[0].is_number() || !v[1].is_number()) {
        ctx.error(ErrorCode::kBadGeometry, what + " has a non-numeric coordinate");
        return std::nullopt;
    }
    const LonLat p{v[0].get<double>(), v[1].get<double>()};
    if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || p.lon < -180.0 || p.lon > 180.0 ||
        p.lat < -90.0 || p.lat > 90.0) {
        ctx.error(ErrorCode::kOutOfRange, what + " lies outside lon [-180, 180] / lat [-90, 90]");
        return std::nullopt;
    }
    return p;
}

namespace {

/// The property `key`, or nullptr when it is absent (or null and optional): then a kMissingKey
/// report when it is required.
const json* present_property(const json& props, const char* key, bool required,
                             GeoJsonFeatureContext& ctx) {
    const json* v = find_key(props, key);
    if (v == nullptr || (!required && v->is_null())) {
        if (required)
            ctx.error(ErrorCode::kMissingKey, std::string("missing property '") + key + "'");
        return nullptr;
    }
    return v;
}

} // namespace

std::optional<std::string> string_property(const json& props, const char* key, bool required,
                                           GeoJsonFeatureContext& ctx) {
    const json* v = present_property(props, key, required, ctx);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string() || (required && v->get_ref<const std::string&>().empty())) {
        ctx.error(ErrorCode::kWrongType,
                  std::string("property '") + key + "' must be a " +
                      (required ? "non-empty " : "") + "string, not " +
                      (v->is_string() ? std::string("an empty one") : json_type_name(*v)));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<std::string> feature_id(const json& props, GeoJsonFeatureContext& ctx) {
    auto id = string_property(props, "id", true, ctx);
    if (id)
        ctx.id = *id;
    return id;
}

std::optional<double> number_property(const json& props, const char* key, bool required,
                                      NumberBound bound, GeoJsonFeatureContext& ctx) {
    const json* v = present_property(props, key, required, ctx);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_number()) {
        ctx.error(ErrorCode::kWrongType, std::string("property '") + key +
                                             "' must be a number, not " + json_type_name(*v));
        return std::nullopt;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x) || x < bound.min || (bound.exclusive && x == bound.min)) {
        ctx.error(ErrorCode::kOutOfRange, std::string("property '") + key + "' must be " +
                                              (bound.exclusive ? "> " : ">= ") +
                                              format_fixed(bound.min, 6) + ", got " + v->dump());
        return std::nullopt;
    }
    return x;
}

std::optional<std::int64_t> integer_property(const json& props, const char* key, bool required,
                                             IntegerRange range, GeoJsonFeatureContext& ctx) {
    const json* v = present_property(props, key, required, ctx);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_number()) {
        ctx.error(ErrorCode::kWrongType, std::string("property '") + key +
                                             "' must be an integer, not " + json_type_name(*v));
        return std::nullopt;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x) || x != std::floor(x)) {
        ctx.error(ErrorCode::kWrongType,
                  std::string("property '") + key + "' must be an integer, got " + v->dump());
        return std::nullopt;
    }
    if (x < static_cast<double>(range.min) || x > static_cast<double>(range.max)) {
        ctx.error(ErrorCode::kOutOfRange, std::string("property '") + key + "' must be in " +
                                              range.text + ", got " + v->dump());
        return std::nullopt;
    }
    // An integer literal is read exactly; a whole number written with a point went through double.
    return v->is_number_integer() ? v->get<std::int64_t>() : static_cast<std::int64_t>(x);
}

bool bool_property(const json& props, const char* key, GeoJsonFeatureContext& ctx) {
    const json* v = present_property(props, key, false, ctx);
    if (v == nullptr)
        return false;
    if (!v->is_boolean()) {
        ctx.error(ErrorCode::kWrongType, std::string("property '") + key +
                                             "' must be true or false, not " + json_type_name(*v));
        return false;
    }
    return v->get<bool>();
}

bool claim_feature_id(std::unordered_map<std::string, int>& first_line, std::string_view kind,
                      GeoJsonFeatureContext& ctx) {
    const auto [it, inserted] = first_line.emplace(ctx.id, ctx.line);
    if (!inserted)
        ctx.error(ErrorCode::kDuplicateId, std::string(kind) + " id '" + ctx.id +
                                               "' already used on line " +
                                               std::to_string(it->second));
    return inserted;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    out += '"';
}

std::string format_fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf;
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
    }
    return s == "-0" ? "0" : s;
}

void append_fixed(std::string& out, double v, int decimals) {
    out += format_fixed(v, decimals);
}

void append_position(std::string& out, const LonLat& p) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "[%.7f,%.7f]", p.lon, p.lat);
    out += buf;
}

} // namespace rencheng
