// GeoJSON helpers shared by the layer readers and writers: feature iteration with per-feature
// diagnostics, typed property getters, positions, and reproducible JSON text output.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/geo.hpp"

namespace rencheng {

// ---------------------------------------------------------------------------------------------
// Reading

/// Where the problems of one GeoJSON feature go: every report carries the file, the line the
/// feature starts on and its id (empty until the reader knows it). `failed` remembers whether any
/// error was reported, so that the reader can drop the feature after collecting all its problems.
struct GeoJsonFeatureContext {
    Diagnostics& diags;
    const std::string& file;
    int line;
    std::string id;
    bool failed = false;

    /// Reports an error at file:line for the feature and marks it failed.
    void error(ErrorCode code, std::string message);
};

/// How messages name a JSON value's type: "an integer", "a number", "a string", "a boolean",
/// "null", "an array" or "an object".
std::string json_type_name(const nlohmann::json& v);

/// The member `key` of `obj`, or nullptr when there is none. Precondition: `obj` is an object.
const nlohmann::json* find_key(const nlohmann::json& obj, const char* key);

/// Parses `text` (the content of `file`) as a GeoJSON FeatureCollection and calls `fn` once per
/// element of its "features" array, in order, with a context for that element (line 0 when the
/// line is unknown). A syntax error, a top level that is not a FeatureCollection
/// (kWrongType) or a missing "features" array (kMissingKey) is reported and `fn` is not called.
void for_each_geojson_feature(
    std::string_view text, const std::string& file, Diagnostics& diags,
    const std::function<void(const nlohmann::json& feature, GeoJsonFeatureContext& ctx)>& fn);

/// The feature's "properties" object; nullptr after a report when `feature` is not a Feature
/// (kWrongType) or has no properties object (kMissingKey).
const nlohmann::json* feature_properties(const nlohmann::json& feature, GeoJsonFeatureContext& ctx);

/// The feature's "geometry" object, with its "type" in `type` (empty when it has no string type);
/// nullptr after a kBadGeometry report when there is no geometry object.
const nlohmann::json* feature_geometry(const nlohmann::json& feature, std::string& type,
                                       GeoJsonFeatureContext& ctx);

/// A position [lon, lat] or [lon, lat, z] in degrees (z is ignored). A value that is not such an
/// array, or has a non-numeric coordinate, is a kBadGeometry report; one outside lon [-180, 180] /
/// lat [-90, 90] a kOutOfRange report. `what` names the position in the message ("the point",
/// "point 3"). nullopt after a report.
std::optional<LonLat> read_position(const nlohmann::json& v, GeoJsonFeatureContext& ctx,
                                    const std::string& what);

/// The string property `key`. Required: absent is kMissingKey, and anything but a non-empty
/// string (null included) is kWrongType. Optional: absent or null gives nullopt without a report,
/// any string (even empty) is accepted, anything else is kWrongType. nullopt after a report.
std::optional<std::string> string_property(const nlohmann::json& props, const char* key,
                                           bool required, GeoJsonFeatureContext& ctx);

/// The required string property "id", also stored in `ctx.id` so that every later report names
/// the feature; nullopt after a report (see string_property).
std::optional<std::string> feature_id(const nlohmann::json& props, GeoJsonFeatureContext& ctx);

/// The lower bound of a number property: `x >= min`, or `x > min` when `exclusive`.
struct NumberBound {
    double min = 0.0;
    bool exclusive = false;
};

/// The number property `key`, finite and within `bound`. Absent (or, when optional, null) is
/// kMissingKey when required and nullopt without a report otherwise; not a number is kWrongType;
/// non-finite or out of bound is kOutOfRange ("must be >= 0, got -1"). nullopt after a report.
std::optional<double> number_property(const nlohmann::json& props, const char* key, bool required,
                                      NumberBound bound, GeoJsonFeatureContext& ctx);

/// The inclusive range of an integer property and how messages write it ("[0, 1e12]").
struct IntegerRange {
    std::int64_t min = 0;
    std::int64_t max = 0;
    const char* text = "";
};

/// The integer property `key` within `range`. A number with a fractional part (e.g. 2.5) is
/// kWrongType like any non-number; a whole number written as 2.0 is accepted. Absent (or, when
/// optional, null) is kMissingKey when required and nullopt without a report otherwise; out of
/// range is kOutOfRange. nullopt after a report.
std::optional<std::int64_t> integer_property(const nlohmann::json& props, const char* key,
                                             bool required, IntegerRange range,
                                             GeoJsonFeatureContext& ctx);

/// The optional boolean property `key`: false when absent or null; anything but true or false is
/// kWrongType (then false).
bool bool_property(const nlohmann::json& props, const char* key, GeoJsonFeatureContext& ctx);

/// Records that the feature's id (`ctx.id`) is used on `ctx.line`. When an earlier feature has it,
/// reports kDuplicateId ("<kind> id 'x' already used on line 12") and returns false.
bool claim_feature_id(std::unordered_map<std::string, int>& first_line, std::string_view kind,
                      GeoJsonFeatureContext& ctx);

// ---------------------------------------------------------------------------------------------
// Writing (byte-for-byte reproducible)

/// Appends `s` as a JSON string literal: quotes, `"` and `\` escaped, control characters as
/// \u00XX (lowercase hex); other bytes, UTF-8 included, as they are.
void append_json_string(std::string& out, std::string_view s);

/// `v` in fixed notation with at most `decimals` decimals, trailing zeros and a trailing point
/// dropped, and "-0" written "0": format_fixed(60.0, 3) is "60", format_fixed(212.346, 2) is
/// "212.35". Precondition: 0 <= decimals <= 17.
std::string format_fixed(double v, int decimals);

/// Appends format_fixed(v, decimals) to `out`.
void append_fixed(std::string& out, double v, int decimals);

/// Appends a GeoJSON position "[lon,lat]" with 7 decimals (about 1 cm), e.g.
/// "[121.4700000,31.2300000]".
void append_position(std::string& out, const LonLat& p);

} // namespace rencheng
