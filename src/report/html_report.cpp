// The stress test's HTML report: reads a run folder and renders tables and SVG charts in C++.
//
// Everything the reader needs is rendered here, server side, so the report reads the same with
// JavaScript off (tables, map, charts, both languages through a CSS-only toggle); the inline
// script only adds conveniences (remembering the language, map pan/zoom, a click-to-inspect panel).
#include "report/html_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/geojson.hpp"
#include "core/json_reader.hpp"
#include "report/report_assets.hpp"

namespace rencheng::report {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Num = std::optional<double>;

// =============================================================================================
// The run folder, as typed data

/// Statistics over realizations (docs/run-folder.md "stats"); a member is empty when null.
struct Stats {
    Num mean, p10, p50, p90, min, max;
};

/// A curve over summary.time_s with its spread over realizations.
struct Band {
    std::vector<Num> mean, p10, p50, p90;
};

struct ServiceMetrics {
    Stats population_hours_lost;
    Stats resilience_loss_pct_h;
    Stats min_service;
    Stats unmet_demand;
    std::string unmet_demand_unit;
    /// "50", "90", "100" → stats in hours; nullopt where the whole object is null (never restored).
    std::map<std::string, std::optional<Stats>> time_to_restore_h;
};

struct LayerDamage {
    std::string layer;
    Stats damaged;
    Num total;
};

struct FacilityResult {
    std::string asset, kind, name, name_zh;
    std::map<std::string, Stats> downtime_h;
    std::map<std::string, Num> prob_loss;
};

struct DistrictResult {
    std::string district;
    Num population;
    std::map<std::string, Stats> population_hours_lost;
};

struct Cause {
    std::string root, root_event, service;
    Num population_hours, share;
    std::vector<std::string> chain;
};

struct Criticality {
    std::string asset;
    Num frequency, population_hours;
};

struct ExceedancePoint {
    double value = 0;
    double probability = 0;
};

struct RealizationResult {
    long long index = 0;
    std::map<std::string, double> population_hours_lost;
};

struct PolicyResult {
    std::string policy;
    std::map<std::string, Stats> population_hours_lost;
};

struct Hazard {
    std::string type, label, label_zh;
};

struct Summary {
    std::string name, title, title_zh;
    Num horizon_s, step_s, seed;
    long long realizations = 0;
    std::vector<Hazard> hazards;
    std::string city_name, city_name_zh;
    Num population;
    std::vector<std::string> lifelines, services;
    std::vector<double> time_s;
    std::map<std::string, Band> service_curves, restoration_curves;
    std::map<std::string, ServiceMetrics> metrics;
    std::vector<LayerDamage> damage;
    std::vector<FacilityResult> facilities;
    std::vector<DistrictResult> districts;
    std::vector<Cause> top_causes;
    std::vector<Criticality> criticality;
    /// "total" and each service → points in the order given.
    std::map<std::string, std::vector<ExceedancePoint>> exceedance;
    std::vector<RealizationResult> realization_results;
    std::vector<PolicyResult> policies;
};

enum class Shape { kPoint, kLine, kPolygon };

/// One feature of assets.geojson.
struct AssetFeature {
    std::string asset, layer, asset_class, damage_state_r0;
    Num prob_damage, prob_service_loss, downtime_h_mean, population, population_hours_lost_mean;
    Shape shape = Shape::kPoint;
    std::vector<std::vector<LonLat>> parts; ///< points, line parts or polygon rings
};

/// One line of events.jsonl (the members the report uses).
struct Event {
    long long realization = 0;
    double time_s = 0;
    std::string asset, service, event, detail, detail_zh;
    std::vector<std::string> chain;
};

/// A quantity of timeseries.csv over time: per time, its value in each realization.
using TimeSeries = std::map<double, std::vector<double>>;

struct RunFolder {
    fs::path dir;
    json summary_json;
    json run_json;
    Summary summary;
    std::vector<AssetFeature> assets;
    std::vector<Event> events_r0; ///< realization 0's events
    std::map<std::string, long long> event_counts;
    std::set<long long> event_realizations;
    /// "scope|id|quantity" → series; only the city, lifeline and district scopes are kept.
    std::map<std::string, TimeSeries> timeseries;
};

// =============================================================================================
// Reading summary.json: a checker that names the file and the JSON path of every problem

class JsonChecker {
public:
    JsonChecker(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

    void error(ErrorCode code, const std::string& path, std::string message) {
        diags_.error(code, file_, 0, 0, path, std::move(message));
    }

    /// Member `key` of `obj` (an object); nullptr when absent, after a kMissingKey report when
    /// `required`. A present null is returned as such.
    const json* member(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = obj.is_object() ? find_key(obj, key) : nullptr;
        if (v == nullptr && required)
            error(ErrorCode::kMissingKey, join(path, key),
                  std::string("missing key '") + key + "'");
        return v;
    }

    /// A JSON object member, or nullptr (absent, null, or reported as the wrong type).
    const json* object(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = member(obj, key, path, required);
        if (v == nullptr || v->is_null())
            return nullptr;
        if (!v->is_object()) {
            wrong_type(*v, join(path, key), "an object");
            return nullptr;
        }
        return v;
    }

    const json* array(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = member(obj, key, path, required);
        if (v == nullptr || v->is_null())
            return nullptr;
        if (!v->is_array()) {
            wrong_type(*v, join(path, key), "an array");
            return nullptr;
        }
        return v;
    }

    /// A number or null (docs/run-folder.md writes null for undefined values).
    Num number_value(const json& v, const std::string& path) {
        if (v.is_null())
            return std::nullopt;
        if (!v.is_number()) {
            wrong_type(v, path, "a number or null");
            return std::nullopt;
        }
        const double x = v.get<double>();
        if (!std::isfinite(x)) {
            error(ErrorCode::kOutOfRange, path, "must be finite");
            return std::nullopt;
        }
        return x;
    }

    Num number(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = member(obj, key, path, required);
        return v == nullptr ? std::nullopt : number_value(*v, join(path, key));
    }

    std::string string(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = member(obj, key, path, required);
        if (v == nullptr || (v->is_null() && !required))
            return {};
        if (!v->is_string()) {
            wrong_type(*v, join(path, key), "a string");
            return {};
        }
        return v->get<std::string>();
    }

    std::vector<std::string> strings(const json& obj, const char* key, const std::string& path,
                                     bool required) {
        std::vector<std::string> out;
        const json* a = array(obj, key, path, required);
        if (a == nullptr)
            return out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            if ((*a)[i].is_string())
                out.push_back((*a)[i].get<std::string>());
            else
                wrong_type((*a)[i], join(path, key) + "[" + std::to_string(i) + "]", "a string");
        }
        return out;
    }

    Stats stats_value(const json& v, const std::string& path) {
        Stats s;
        if (v.is_null())
            return s;
        if (!v.is_object()) {
            wrong_type(v, path, "a statistics object {mean, p10, p50, p90, min, max}");
            return s;
        }
        s.mean = number(v, "mean", path, true);
        s.p10 = number(v, "p10", path, false);
        s.p50 = number(v, "p50", path, false);
        s.p90 = number(v, "p90", path, false);
        s.min = number(v, "min", path, false);
        s.max = number(v, "max", path, false);
        return s;
    }

    Stats stats(const json& obj, const char* key, const std::string& path, bool required) {
        const json* v = member(obj, key, path, required);
        return v == nullptr ? Stats{} : stats_value(*v, join(path, key));
    }

    /// An array of numbers/nulls of length `n`; empty after a report.
    std::vector<Num> series(const json& obj, const char* key, const std::string& path,
                            std::size_t n, bool required) {
        std::vector<Num> out;
        const json* a = array(obj, key, path, required);
        if (a == nullptr)
            return out;
        if (a->size() != n) {
            error(ErrorCode::kInconsistent, join(path, key),
                  "has " + std::to_string(a->size()) + " values but time_s has " +
                      std::to_string(n));
            return out;
        }
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i)
            out.push_back(number_value((*a)[i], join(path, key) + "[" + std::to_string(i) + "]"));
        return out;
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

private:
    void wrong_type(const json& v, const std::string& path, const char* expected) {
        error(ErrorCode::kWrongType, path,
              std::string("expected ") + expected + ", got " + json_type_name(v));
    }

    std::string file_;
    Diagnostics& diags_;
};

/// Per-key stats of an object {"water": stats, ...}.
std::map<std::string, Stats> stats_by_key(JsonChecker& c, const json& obj, const char* key,
                                          const std::string& path) {
    std::map<std::string, Stats> out;
    if (const json* o = c.object(obj, key, path, false))
        for (const auto& [k, v] : o->items())
            out[k] = c.stats_value(v, JsonChecker::join(JsonChecker::join(path, key), k));
    return out;
}

Band read_band(JsonChecker& c, const json& v, const std::string& path, std::size_t n) {
    Band b;
    if (!v.is_object()) {
        c.error(ErrorCode::kWrongType, path,
                "expected an object {mean, p10, p50, p90}, got " + json_type_name(v));
        return b;
    }
    b.mean = c.series(v, "mean", path, n, true);
    b.p10 = c.series(v, "p10", path, n, false);
    b.p50 = c.series(v, "p50", path, n, false);
    b.p90 = c.series(v, "p90", path, n, false);
    return b;
}

ServiceMetrics read_metrics(JsonChecker& c, const json& v, const std::string& path) {
    ServiceMetrics m;
    if (!v.is_object()) {
        c.error(ErrorCode::kWrongType, path, "expected an object, got " + json_type_name(v));
        return m;
    }
    m.population_hours_lost = c.stats(v, "population_hours_lost", path, true);
    m.resilience_loss_pct_h = c.stats(v, "resilience_loss_pct_h", path, false);
    m.min_service = c.stats(v, "min_service", path, false);
    m.unmet_demand = c.stats(v, "unmet_demand", path, false);
    m.unmet_demand_unit = c.string(v, "unmet_demand_unit", path, false);
    if (const json* t = c.object(v, "time_to_restore_h", path, false)) {
        const std::string tp = JsonChecker::join(path, "time_to_restore_h");
        for (const auto& [k, sv] : t->items()) {
            if (sv.is_null())
                m.time_to_restore_h[k] = std::nullopt;
            else
                m.time_to_restore_h[k] = c.stats_value(sv, JsonChecker::join(tp, k));
        }
    }
    return m;
}

std::string index_path(const char* key, std::size_t i) {
    return std::string(key) + "[" + std::to_string(i) + "]";
}

Summary read_summary(const json& root, JsonChecker& c) {
    Summary s;
    if (!root.is_object()) {
        c.error(ErrorCode::kWrongType, "", "the top level must be an object");
        return s;
    }
    const std::string schema = c.string(root, "schema", "", true);
    if (!schema.empty() && schema != "rencheng.summary/1")
        c.error(ErrorCode::kUnsupported, "schema",
                "schema '" + schema +
                    "' is not known to this version (expected rencheng.summary/1)");

    if (const json* sc = c.object(root, "scenario", "", true)) {
        s.name = c.string(*sc, "name", "scenario", true);
        s.title = c.string(*sc, "title", "scenario", false);
        s.title_zh = c.string(*sc, "title_zh", "scenario", false);
        s.horizon_s = c.number(*sc, "horizon_s", "scenario", true);
        s.step_s = c.number(*sc, "step_s", "scenario", false);
        s.seed = c.number(*sc, "seed", "scenario", false);
        const Num n = c.number(*sc, "realizations", "scenario", true);
        if (n && (*n < 1 || *n != std::floor(*n)))
            c.error(ErrorCode::kOutOfRange, "scenario.realizations", "must be an integer >= 1");
        else if (n)
            s.realizations = static_cast<long long>(*n);
        if (const json* hz = c.array(*sc, "hazards", "scenario", false)) {
            for (std::size_t i = 0; i < hz->size(); ++i) {
                const std::string p = "scenario." + index_path("hazards", i);
                Hazard h;
                h.type = c.string((*hz)[i], "type", p, true);
                h.label = c.string((*hz)[i], "label", p, false);
                h.label_zh = c.string((*hz)[i], "label_zh", p, false);
                s.hazards.push_back(std::move(h));
            }
        }
    }
    if (const json* city = c.object(root, "city", "", false)) {
        s.city_name = c.string(*city, "name", "city", false);
        s.city_name_zh = c.string(*city, "name_zh", "city", false);
        s.population = c.number(*city, "population", "city", false);
    }
    s.lifelines = c.strings(root, "lifelines", "", true);
    s.services = c.strings(root, "services", "", true);

    if (const json* t = c.array(root, "time_s", "", true)) {
        for (std::size_t i = 0; i < t->size(); ++i) {
            const Num x = c.number_value((*t)[i], index_path("time_s", i));
            if (!x) {
                c.error(ErrorCode::kWrongType, index_path("time_s", i), "must be a number");
                continue;
            }
            if (!s.time_s.empty() && *x <= s.time_s.back())
                c.error(ErrorCode::kInconsistent, index_path("time_s", i), "times must increase");
            s.time_s.push_back(*x);
        }
    }
    const std::size_t n_times = s.time_s.size();
    if (const json* sc = c.object(root, "service_curves", "", true))
        for (const auto& [k, v] : sc->items())
            s.service_curves[k] = read_band(c, v, "service_curves." + k, n_times);
    if (const json* rc = c.object(root, "restoration_curves", "", false))
        for (const auto& [k, v] : rc->items())
            s.restoration_curves[k] = read_band(c, v, "restoration_curves." + k, n_times);
    if (const json* m = c.object(root, "metrics", "", true))
        for (const auto& [k, v] : m->items())
            s.metrics[k] = read_metrics(c, v, "metrics." + k);
    for (const std::string& svc : s.services) {
        if (!s.metrics.contains(svc))
            c.error(ErrorCode::kInconsistent, "metrics",
                    "service '" + svc + "' is listed in services but has no metrics");
        if (!s.service_curves.contains(svc))
            c.error(ErrorCode::kInconsistent, "service_curves",
                    "service '" + svc + "' is listed in services but has no service curve");
    }

    if (const json* d = c.object(root, "damage", "", false)) {
        for (const auto& [k, v] : d->items()) {
            LayerDamage ld;
            ld.layer = k;
            ld.damaged = c.stats(v, "damaged", "damage." + k, true);
            ld.total = c.number(v, "total", "damage." + k, false);
            s.damage.push_back(std::move(ld));
        }
    }
    if (const json* fa = c.array(root, "facilities", "", false)) {
        for (std::size_t i = 0; i < fa->size(); ++i) {
            const json& f = (*fa)[i];
            const std::string p = index_path("facilities", i);
            FacilityResult r;
            r.asset = c.string(f, "asset", p, true);
            r.kind = c.string(f, "kind", p, false);
            r.name = c.string(f, "name", p, false);
            r.name_zh = c.string(f, "name_zh", p, false);
            r.downtime_h = stats_by_key(c, f, "downtime_h", p);
            if (const json* pl = c.object(f, "prob_loss", p, false))
                for (const auto& [k, v] : pl->items())
                    r.prob_loss[k] = c.number_value(v, p + ".prob_loss." + k);
            s.facilities.push_back(std::move(r));
        }
    }
    if (const json* da = c.array(root, "districts", "", false)) {
        for (std::size_t i = 0; i < da->size(); ++i) {
            const std::string p = index_path("districts", i);
            DistrictResult r;
            r.district = c.string((*da)[i], "district", p, true);
            r.population = c.number((*da)[i], "population", p, false);
            r.population_hours_lost = stats_by_key(c, (*da)[i], "population_hours_lost", p);
            s.districts.push_back(std::move(r));
        }
    }
    if (const json* tc = c.array(root, "top_causes", "", false)) {
        for (std::size_t i = 0; i < tc->size(); ++i) {
            const std::string p = index_path("top_causes", i);
            Cause r;
            r.root = c.string((*tc)[i], "root", p, true);
            r.root_event = c.string((*tc)[i], "root_event", p, false);
            r.service = c.string((*tc)[i], "service", p, false);
            r.population_hours = c.number((*tc)[i], "population_hours", p, false);
            r.share = c.number((*tc)[i], "share", p, false);
            r.chain = c.strings((*tc)[i], "example_chain", p, false);
            s.top_causes.push_back(std::move(r));
        }
    }
    if (const json* cr = c.array(root, "criticality", "", false)) {
        for (std::size_t i = 0; i < cr->size(); ++i) {
            const std::string p = index_path("criticality", i);
            Criticality r;
            r.asset = c.string((*cr)[i], "asset", p, true);
            r.frequency = c.number((*cr)[i], "frequency", p, false);
            r.population_hours = c.number((*cr)[i], "population_hours", p, false);
            s.criticality.push_back(std::move(r));
        }
    }
    if (const json* ex = c.object(root, "exceedance", "", false)) {
        if (const json* phl = c.object(*ex, "population_hours_lost", "exceedance", false)) {
            for (const auto& [k, v] : phl->items()) {
                const std::string p = "exceedance.population_hours_lost." + k;
                if (!v.is_array()) {
                    c.error(ErrorCode::kWrongType, p,
                            "expected an array of {value, probability}, got " + json_type_name(v));
                    continue;
                }
                auto& pts = s.exceedance[k];
                for (std::size_t i = 0; i < v.size(); ++i) {
                    const std::string pi = p + "[" + std::to_string(i) + "]";
                    const Num x = c.number(v[i], "value", pi, true);
                    const Num pr = c.number(v[i], "probability", pi, true);
                    if (pr && (*pr < 0 || *pr > 1))
                        c.error(ErrorCode::kOutOfRange, pi + ".probability",
                                "must be within [0, 1]");
                    else if (x && pr)
                        pts.push_back({*x, *pr});
                }
            }
        }
    }
    if (const json* ra = c.array(root, "realizations", "", false)) {
        for (std::size_t i = 0; i < ra->size(); ++i) {
            const std::string p = index_path("realizations", i);
            RealizationResult r;
            const Num idx = c.number((*ra)[i], "index", p, true);
            r.index = idx ? static_cast<long long>(*idx) : static_cast<long long>(i);
            if (const json* phl = c.object((*ra)[i], "population_hours_lost", p, true))
                for (const auto& [k, v] : phl->items())
                    if (const Num x = c.number_value(v, p + ".population_hours_lost." + k))
                        r.population_hours_lost[k] = *x;
            s.realization_results.push_back(std::move(r));
        }
    }
    if (const json* po = c.array(root, "policies", "", false)) {
        for (std::size_t i = 0; i < po->size(); ++i) {
            const std::string p = index_path("policies", i);
            PolicyResult r;
            r.policy = c.string((*po)[i], "policy", p, true);
            r.population_hours_lost = stats_by_key(c, (*po)[i], "population_hours_lost", p);
            s.policies.push_back(std::move(r));
        }
    }
    return s;
}

// =============================================================================================
// Reading assets.geojson, events.jsonl, timeseries.csv

std::vector<AssetFeature> read_assets(const std::string& text, const std::string& file,
                                      Diagnostics& diags) {
    std::vector<AssetFeature> out;
    for_each_geojson_feature(
        text, file, diags, [&](const json& feature, GeoJsonFeatureContext& ctx) {
            const json* props = feature_properties(feature, ctx);
            std::string type;
            const json* geom = feature_geometry(feature, type, ctx);
            if (props == nullptr || geom == nullptr)
                return;
            AssetFeature f;
            if (auto a = string_property(*props, "asset", true, ctx)) {
                f.asset = *a;
                ctx.id = *a;
            }
            f.layer = string_property(*props, "layer", true, ctx).value_or("");
            f.asset_class = string_property(*props, "class", false, ctx).value_or("");
            f.damage_state_r0 = string_property(*props, "damage_state_r0", false, ctx).value_or("");
            f.prob_damage = number_property(*props, "prob_damage", false, {0, false}, ctx);
            f.prob_service_loss =
                number_property(*props, "prob_service_loss", false, {0, false}, ctx);
            for (const auto& [key, value] : {std::pair{"prob_damage", f.prob_damage},
                                             std::pair{"prob_service_loss", f.prob_service_loss}})
                if (value && *value > 1)
                    ctx.error(ErrorCode::kOutOfRange,
                              std::string("property '") + key + "' must be within [0, 1]");
            f.downtime_h_mean = number_property(*props, "downtime_h_mean", false, {0, false}, ctx);
            f.population = number_property(*props, "population", false, {0, false}, ctx);
            f.population_hours_lost_mean =
                number_property(*props, "population_hours_lost_mean", false, {0, false}, ctx);

            const json* coords = find_key(*geom, "coordinates");
            if (coords == nullptr || !coords->is_array()) {
                ctx.error(ErrorCode::kBadGeometry, "the geometry has no coordinates array");
                return;
            }
            const auto read_part = [&](const json& arr, const std::string& what) {
                std::vector<LonLat> part;
                if (!arr.is_array()) {
                    ctx.error(ErrorCode::kBadGeometry, what + " is not an array of positions");
                    return part;
                }
                for (std::size_t i = 0; i < arr.size(); ++i)
                    if (auto p = read_position(arr[i], ctx, what + " point " + std::to_string(i)))
                        part.push_back(*p);
                return part;
            };
            if (type == "Point") {
                f.shape = Shape::kPoint;
                if (auto p = read_position(*coords, ctx, "the point"))
                    f.parts.push_back({*p});
            } else if (type == "LineString") {
                f.shape = Shape::kLine;
                f.parts.push_back(read_part(*coords, "the line"));
            } else if (type == "MultiLineString" || type == "Polygon") {
                f.shape = type == "Polygon" ? Shape::kPolygon : Shape::kLine;
                for (std::size_t i = 0; i < coords->size(); ++i)
                    f.parts.push_back(read_part((*coords)[i], "part " + std::to_string(i)));
            } else if (type == "MultiPolygon") {
                f.shape = Shape::kPolygon;
                for (std::size_t i = 0; i < coords->size(); ++i) {
                    if (!(*coords)[i].is_array()) {
                        ctx.error(ErrorCode::kBadGeometry,
                                  "polygon " + std::to_string(i) + " is not an array of rings");
                        continue;
                    }
                    for (std::size_t j = 0; j < (*coords)[i].size(); ++j)
                        f.parts.push_back(
                            read_part((*coords)[i][j], "polygon " + std::to_string(i) + " ring " +
                                                           std::to_string(j)));
                }
            } else {
                ctx.error(ErrorCode::kBadGeometry,
                          "geometry type '" + type +
                              "' is not one of Point, LineString, MultiLineString, Polygon, "
                              "MultiPolygon");
            }
            if (!ctx.failed)
                out.push_back(std::move(f));
        });
    return out;
}

void read_events(const std::string& text, const std::string& file, Diagnostics& diags,
                 RunFolder& run) {
    std::size_t pos = 0;
    int line = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view l(text.data() + pos, end - pos);
        pos = end + 1;
        ++line;
        if (!l.empty() && l.back() == '\r')
            l.remove_suffix(1);
        if (l.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        json v;
        try {
            v = json::parse(l);
        } catch (const json::parse_error& e) {
            // nlohmann's byte offset is within this line, so it is the column.
            diags.error(ErrorCode::kJsonSyntax, file, line, static_cast<int>(e.byte), "",
                        std::string("not a JSON object: ") + e.what());
            continue;
        }
        if (!v.is_object()) {
            diags.error(ErrorCode::kWrongType, file, line, 0, "",
                        "expected a JSON object, got " + json_type_name(v));
            continue;
        }
        const auto field_error = [&](ErrorCode code, const char* key, const std::string& msg) {
            diags.error(code, file, line, 0, "", std::string("field '") + key + "' " + msg);
        };
        Event e;
        bool ok = true;
        const json* r = find_key(v, "realization");
        if (r == nullptr) {
            field_error(ErrorCode::kMissingKey, "realization", "is missing");
            ok = false;
        } else if (!r->is_number_integer() || r->get<long long>() < 0) {
            field_error(ErrorCode::kWrongType, "realization", "must be an integer >= 0");
            ok = false;
        } else {
            e.realization = r->get<long long>();
        }
        const json* t = find_key(v, "time_s");
        if (t == nullptr) {
            field_error(ErrorCode::kMissingKey, "time_s", "is missing");
            ok = false;
        } else if (!t->is_number() || !std::isfinite(t->get<double>())) {
            field_error(ErrorCode::kWrongType, "time_s", "must be a number");
            ok = false;
        } else {
            e.time_s = t->get<double>();
        }
        for (auto [key, target, required] :
             {std::tuple{"asset", &e.asset, true}, std::tuple{"event", &e.event, true},
              std::tuple{"service", &e.service, false}, std::tuple{"detail", &e.detail, false},
              std::tuple{"detail_zh", &e.detail_zh, false}}) {
            const json* f = find_key(v, key);
            if (f == nullptr || f->is_null()) {
                if (required) {
                    field_error(ErrorCode::kMissingKey, key, "is missing");
                    ok = false;
                }
            } else if (!f->is_string()) {
                field_error(ErrorCode::kWrongType, key,
                            "must be a string, got " + json_type_name(*f));
                ok = false;
            } else {
                *target = f->get<std::string>();
            }
        }
        if (const json* ch = find_key(v, "chain"); ch != nullptr && !ch->is_null()) {
            if (!ch->is_array()) {
                field_error(ErrorCode::kWrongType, "chain", "must be an array of strings");
                ok = false;
            } else {
                for (const json& s : *ch)
                    if (s.is_string())
                        e.chain.push_back(s.get<std::string>());
            }
        }
        if (!ok)
            continue;
        ++run.event_counts[e.event];
        run.event_realizations.insert(e.realization);
        if (e.realization == 0)
            run.events_r0.push_back(std::move(e));
    }
}

void read_timeseries(const std::string& text, const std::string& file, Diagnostics& diags,
                     RunFolder& run) {
    const CsvTable table = parse_csv(text, file, diags);
    static constexpr std::array<const char*, 6> kColumns = {"realization", "time_s",   "scope",
                                                            "id",          "quantity", "value"};
    std::array<int, 6> col{};
    bool ok = true;
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
        col[i] = table.column(kColumns[i]);
        if (col[i] < 0) {
            diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                        std::string("the header has no column '") + kColumns[i] +
                            "' (expected realization,time_s,scope,id,quantity,value)");
            ok = false;
        }
    }
    if (!ok)
        return;
    static const std::set<std::string, std::less<>> kScopes = {"city", "district", "facility",
                                                               "lifeline"};
    for (const auto& row : table.rows) {
        const auto field = [&](int i) -> const std::string& { return row.fields[col[i]]; };
        const auto bad = [&](ErrorCode code, int i, const std::string& msg) {
            diags.error(code, file, row.line, 0, "",
                        std::string("column '") + kColumns[i] + "': " + msg);
        };
        const auto realization = parse_int(field(0));
        const auto time_s = parse_double(field(1));
        if (!realization || *realization < 0)
            bad(ErrorCode::kNumberSyntax, 0, "'" + field(0) + "' is not an integer >= 0");
        if (!time_s)
            bad(ErrorCode::kNumberSyntax, 1, "'" + field(1) + "' is not a number");
        if (!kScopes.contains(field(2)))
            bad(ErrorCode::kUnknownValue, 2,
                "'" + field(2) + "' is not one of city, district, facility, lifeline");
        if (field(4).empty())
            bad(ErrorCode::kMissingKey, 4, "is empty");
        // An empty value is a missing one (the JSON files write null there).
        std::optional<double> value;
        if (!field(5).empty()) {
            value = parse_double(field(5));
            if (!value)
                bad(ErrorCode::kNumberSyntax, 5, "'" + field(5) + "' is not a number");
        }
        if (!realization || *realization < 0 || !time_s || !value || field(2) == "facility")
            continue;
        run.timeseries[field(2) + "|" + field(3) + "|" + field(4)][*time_s].push_back(*value);
    }
}

/// Reads the whole run folder; every problem of every file goes to `diags`.
RunFolder read_run_folder(const fs::path& dir, Diagnostics& diags) {
    RunFolder run;
    run.dir = dir;
    if (!fs::is_directory(dir)) {
        diags.error(ErrorCode::kFileNotFound, dir.string(), 0, 0, "",
                    fs::exists(dir) ? "is not a folder" : "the run folder does not exist");
        return run;
    }
    const auto name = [&](const char* f) { return (dir / f).string(); };

    if (auto text = read_file(dir / "summary.json", diags)) {
        const JsonDocument doc = parse_json(*text, name("summary.json"), diags);
        if (!doc.root.is_null()) {
            JsonChecker checker(name("summary.json"), diags);
            run.summary = read_summary(doc.root, checker);
            run.summary_json = doc.root;
        }
    }
    if (auto text = read_file(dir / "run.json", diags)) {
        const JsonDocument doc = parse_json(*text, name("run.json"), diags);
        if (!doc.root.is_null()) {
            JsonChecker checker(name("run.json"), diags);
            if (!doc.root.is_object()) {
                checker.error(ErrorCode::kWrongType, "", "the top level must be an object");
            } else {
                const std::string schema = checker.string(doc.root, "schema", "", true);
                if (!schema.empty() && schema != "rencheng.run/1")
                    checker.error(ErrorCode::kUnsupported, "schema",
                                  "schema '" + schema +
                                      "' is not known to this version (expected rencheng.run/1)");
                run.run_json = doc.root;
            }
        }
    }
    if (auto text = read_file(dir / "assets.geojson", diags))
        run.assets = read_assets(*text, name("assets.geojson"), diags);
    if (auto text = read_file(dir / "events.jsonl", diags))
        read_events(*text, name("events.jsonl"), diags, run);
    if (auto text = read_file(dir / "timeseries.csv", diags))
        read_timeseries(*text, name("timeseries.csv"), diags, run);
    return run;
}

// =============================================================================================
// Text: escaping, the two languages, numbers

std::string esc(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        switch (ch) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += ch;
        }
    }
    return out;
}

/// Both languages of a label, as HTML: the stylesheet shows one of them (the toggle).
std::string bi_html(const std::string& en_html, const std::string& zh_html) {
    return "<span class=\"en\" lang=\"en\">" + en_html + "</span><span class=\"zh\" lang=\"zh\">" +
           zh_html + "</span>";
}

std::string bi(std::string_view en, std::string_view zh) {
    return bi_html(esc(en), esc(zh));
}

struct Words {
    std::string en, zh;
};

/// The two names of a service, lifeline, layer, damage state, facility kind, event or hazard
/// type; an unknown word is shown as it is in both languages.
Words word(const std::string& key) {
    static const std::map<std::string, std::pair<const char*, const char*>, std::less<>> kWords = {
        {"water", {"Water", "供水"}},
        {"power", {"Power", "供电"}},
        {"gas", {"Gas", "供气"}},
        {"road_access", {"Road access", "道路通达"}},
        {"roads", {"Roads", "道路"}},
        {"telecom", {"Telecom", "通信"}},
        {"drainage", {"Drainage", "排水"}},
        {"total", {"Total", "合计"}},
        {"facility", {"Facilities", "设施"}},
        {"zone", {"Population zones", "人口分区"}},
        {"road_node", {"Road nodes", "道路节点"}},
        {"road_link", {"Road links", "道路路段"}},
        {"water_node", {"Water nodes", "供水节点"}},
        {"water_link", {"Water links", "供水管段"}},
        {"power_bus", {"Power buses", "电力母线"}},
        {"power_branch", {"Power branches", "电力支路"}},
        {"power_gen", {"Generators", "发电机"}},
        {"drainage_node", {"Drainage nodes", "排水节点"}},
        {"drainage_link", {"Drainage conduits", "排水管渠"}},
        {"gas_node", {"Gas nodes", "燃气节点"}},
        {"gas_link", {"Gas pipes", "燃气管段"}},
        {"none", {"none", "无损"}},
        {"slight", {"slight", "轻微"}},
        {"moderate", {"moderate", "中等"}},
        {"extensive", {"extensive", "严重"}},
        {"complete", {"complete", "完全破坏"}},
        {"leak", {"leak", "渗漏"}},
        {"break", {"break", "断裂"}},
        {"flooded", {"flooded", "淹没"}},
        {"failed", {"failed", "失效"}},
        {"closed", {"closed", "封闭"}},
        {"hospital", {"hospital", "医院"}},
        {"shelter", {"shelter", "避难所"}},
        {"fire_station", {"fire station", "消防站"}},
        {"depot", {"depot", "抢修基地"}},
        {"command_centre", {"command centre", "指挥中心"}},
        {"telecom_site", {"telecom site", "通信基站"}},
        {"school", {"school", "学校"}},
        {"service_lost", {"service lost", "失去服务"}},
        {"service_restored", {"service restored", "恢复服务"}},
        {"damaged", {"damaged", "损坏"}},
        {"repaired", {"repaired", "修复"}},
        {"function_lost", {"function lost", "功能丧失"}},
        {"function_restored", {"function restored", "功能恢复"}},
        {"backup_started", {"backup started", "备用电源启动"}},
        {"backup_exhausted", {"backup exhausted", "备用电源耗尽"}},
        {"crew_dispatched", {"crew dispatched", "派出抢修队"}},
        {"crew_arrived", {"crew arrived", "抢修队到达"}},
        {"earthquake", {"earthquake", "地震"}},
        {"rainstorm", {"rainstorm", "暴雨"}},
        {"typhoon", {"typhoon", "台风"}},
        {"surge", {"storm surge", "风暴潮"}},
        {"flood", {"flood", "洪水"}},
        {"critical_first", {"critical facilities first", "关键设施优先"}},
        {"most_people", {"most people per crew-hour", "单位工时受益人数优先"}},
        {"priority_list", {"user priority list", "用户指定顺序"}},
    };
    if (const auto it = kWords.find(key); it != kWords.end())
        return {it->second.first, it->second.second};
    return {key, key};
}

std::string bi_word(const std::string& key) {
    const Words w = word(key);
    return bi(w.en, w.zh);
}

/// "1,234,567" for large numbers, three significant digits for small ones, "—" for none.
std::string fmt(Num x) {
    if (!x)
        return "—";
    const double v = *x;
    const double a = std::fabs(v);
    char buf[64];
    if (a >= 1000) {
        std::snprintf(buf, sizeof buf, "%.0f", a);
        std::string digits = buf;
        std::string out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0)
                out += ',';
            out += digits[i];
        }
        return v < 0 ? "−" + out : out;
    }
    // Whole numbers (counts, totals) keep no decimals; others three significant digits.
    const int decimals = a == 0 || v == std::floor(v)
                             ? 0
                             : std::clamp(2 - static_cast<int>(std::floor(std::log10(a))), 0, 3);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string fmt_pct(Num fraction) {
    return fraction ? fmt(*fraction * 100.0) + " %" : "—";
}

std::string fmt_h(Num hours) {
    return hours ? fmt(*hours) + " h" : "—";
}

/// A tick label: the number with as few decimals as needed (trailing zeros dropped).
std::string tick_label(double v) {
    // Compact for large values so that axis labels do not run into each other.
    if (std::fabs(v) >= 1e6)
        return format_fixed(v / 1e6, 2) + "M";
    if (std::fabs(v) >= 1e4)
        return format_fixed(v / 1e3, 1) + "k";
    if (std::fabs(v) >= 1000)
        return fmt(v);
    return format_fixed(v, 3);
}

std::string num_attr(double v) {
    return format_fixed(v, 1);
}

// =============================================================================================
// Colours

struct Rgb {
    double r, g, b;
};

std::string hex(const Rgb& c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(c.r)),
                  static_cast<int>(std::lround(c.g)), static_cast<int>(std::lround(c.b)));
    return buf;
}

/// Sequential yellow–orange–red ramp (ColorBrewer YlOrRd, 8 classes) at t in [0, 1].
std::string ramp(double t) {
    static constexpr std::array<Rgb, 8> kStops = {{{255, 255, 204},
                                                   {255, 237, 160},
                                                   {254, 217, 118},
                                                   {254, 178, 76},
                                                   {253, 141, 60},
                                                   {252, 78, 42},
                                                   {227, 26, 28},
                                                   {177, 0, 38}}};
    t = std::clamp(t, 0.0, 1.0) * (kStops.size() - 1);
    const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(t), kStops.size() - 2);
    const double f = t - static_cast<double>(i);
    const Rgb& a = kStops[i];
    const Rgb& b = kStops[i + 1];
    return hex({a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f});
}

constexpr const char* kNoDamageColour = "#9aa5b1";
constexpr const char* kNoDataColour = "#d5dae0";

std::string damage_state_colour(const std::string& state) {
    static const std::map<std::string, const char*, std::less<>> kColours = {
        {"none", kNoDamageColour}, {"slight", "#fed976"},    {"moderate", "#fd8d3c"},
        {"leak", "#fd8d3c"},       {"extensive", "#e31a1c"}, {"break", "#e31a1c"},
        {"complete", "#67000d"},   {"failed", "#67000d"},    {"flooded", "#2171b5"},
        {"closed", "#6a51a3"}};
    if (state.empty())
        return kNoDataColour;
    const auto it = kColours.find(state);
    return it == kColours.end() ? "#6b7280" : it->second;
}

std::string service_colour(const std::string& service, std::size_t index) {
    static const std::map<std::string, const char*, std::less<>> kColours = {
        {"water", "#1f77b4"},       {"power", "#d62728"}, {"gas", "#8c564b"},
        {"road_access", "#2ca02c"}, {"roads", "#2ca02c"}, {"telecom", "#9467bd"},
        {"drainage", "#17becf"},    {"total", "#333333"}};
    static constexpr std::array<const char*, 6> kOthers = {"#ff7f0e", "#e377c2", "#7f7f7f",
                                                           "#bcbd22", "#17becf", "#aec7e8"};
    const auto it = kColours.find(service);
    return it != kColours.end() ? it->second : kOthers[index % kOthers.size()];
}

// =============================================================================================
// Charts (SVG rendered here, so they read without JavaScript)

/// About `target` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target = 5) {
    if (!(hi > lo))
        return {lo};
    const double raw = (hi - lo) / target;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (const double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    std::vector<double> ticks;
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

/// The upper end of an axis that starts at 0 and must show `max`: the next round tick.
double nice_max(double max) {
    if (!(max > 0))
        return 1;
    const auto t = nice_ticks(0, max, 5);
    return t.back() >= max ? t.back() : t.back() + (t.size() > 1 ? t[1] - t[0] : max);
}

struct Series {
    std::string key; ///< data-series attribute, e.g. the service name
    std::string colour;
    Words label;
    std::vector<double> x;
    std::vector<Num> y, lo, hi; ///< lo/hi: the band (empty for none)
    bool step = false;          ///< draw as a step function (exceedance)
};

struct Chart {
    std::string id;
    Words title, x_label, y_label, description;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool y_percent = false; ///< y values are fractions shown as %
    std::vector<Series> series;
};

class Frame {
public:
    static constexpr double kWidth = 440, kHeight = 250;
    static constexpr double kLeft = 62, kRight = 14, kTop = 12, kBottom = 44;

    Frame(double x0, double x1, double y0, double y1) : x0_(x0), x1_(x1), y0_(y0), y1_(y1) {}
    [[nodiscard]] double x(double v) const {
        return kLeft + (v - x0_) / (x1_ - x0_) * (kWidth - kLeft - kRight);
    }
    [[nodiscard]] double y(double v) const {
        return kHeight - kBottom - (v - y0_) / (y1_ - y0_) * (kHeight - kTop - kBottom);
    }

private:
    double x0_, x1_, y0_, y1_;
};

std::string svg_bi_text(double x, double y, const std::string& attrs, const Words& w) {
    const std::string pos = "x=\"" + num_attr(x) + "\" y=\"" + num_attr(y) + "\" " + attrs;
    return "<text class=\"en\" " + pos + ">" + esc(w.en) + "</text><text class=\"zh\" " + pos +
           ">" + esc(w.zh) + "</text>";
}

std::string svg_open(const std::string& id, const std::string& css_class, double width,
                     double height, const Words& title, const Words& description) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + id + "\" class=\"" +
                    css_class + "\" viewBox=\"0 0 " + num_attr(width) + " " + num_attr(height) +
                    "\" role=\"img\" aria-labelledby=\"" + id + "-t " + id + "-d\">";
    s += "<title id=\"" + id + "-t\">" + esc(title.en) + " / " + esc(title.zh) + "</title>";
    s += "<desc id=\"" + id + "-d\">" + esc(description.en) + " / " + esc(description.zh) +
         "</desc>";
    return s;
}

std::string axes(const Frame& f, const Chart& c) {
    std::string s = "<g class=\"axis\">";
    for (const double t : nice_ticks(c.y0, c.y1, 4)) {
        const double y = f.y(t);
        s += "<line x1=\"" + num_attr(Frame::kLeft) + "\" x2=\"" +
             num_attr(Frame::kWidth - Frame::kRight) + "\" y1=\"" + num_attr(y) + "\" y2=\"" +
             num_attr(y) + "\"/>";
        s += "<text x=\"" + num_attr(Frame::kLeft - 6) + "\" y=\"" + num_attr(y + 4) +
             "\" text-anchor=\"end\">" + (c.y_percent ? tick_label(t * 100) + "%" : tick_label(t)) +
             "</text>";
    }
    for (const double t : nice_ticks(c.x0, c.x1, 6)) {
        const double x = f.x(t);
        s += "<line class=\"tick\" x1=\"" + num_attr(x) + "\" x2=\"" + num_attr(x) + "\" y1=\"" +
             num_attr(Frame::kHeight - Frame::kBottom) + "\" y2=\"" +
             num_attr(Frame::kHeight - Frame::kBottom + 4) + "\"/>";
        const bool at_right = x > Frame::kWidth - Frame::kRight - 20;
        s += "<text x=\"" + num_attr(x) + "\" y=\"" +
             num_attr(Frame::kHeight - Frame::kBottom + 16) + "\" text-anchor=\"" +
             (at_right ? "end" : "middle") + "\">" + tick_label(t) + "</text>";
    }
    s += "</g>";
    s += svg_bi_text((Frame::kLeft + Frame::kWidth - Frame::kRight) / 2, Frame::kHeight - 6,
                     "class=\"label\" text-anchor=\"middle\"", c.x_label);
    s += svg_bi_text(14, (Frame::kTop + Frame::kHeight - Frame::kBottom) / 2,
                     "class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
                         num_attr((Frame::kTop + Frame::kHeight - Frame::kBottom) / 2) + ")\"",
                     c.y_label);
    return s;
}

/// "M x y L x y …" through the defined points; a null starts a new piece.
std::string line_path(const Frame& f, const std::vector<double>& xs, const std::vector<Num>& ys,
                      bool step) {
    std::string d;
    bool pen = false;
    double last_x = 0;
    for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
        if (!ys[i]) {
            pen = false;
            continue;
        }
        const double px = f.x(xs[i]);
        const double py = f.y(*ys[i]);
        // A step function P(X >= x) drops at each value and stays flat until the next one:
        // vertical at the previous x, then horizontal.
        if (pen && step)
            d += "L" + num_attr(last_x) + " " + num_attr(py);
        d += (pen ? "L" : "M") + num_attr(px) + " " + num_attr(py);
        pen = true;
        last_x = px;
    }
    if (step && pen) // beyond the largest value the probability is 0
        d += "L" + num_attr(last_x) + " " + num_attr(f.y(0));
    return d;
}

/// Closed polygons between lo and hi over each run of points where both are defined.
std::string band_path(const Frame& f, const std::vector<double>& xs, const std::vector<Num>& lo,
                      const std::vector<Num>& hi) {
    std::string d;
    std::size_t i = 0;
    const std::size_t n = std::min({xs.size(), lo.size(), hi.size()});
    while (i < n) {
        if (!lo[i] || !hi[i]) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < n && lo[j] && hi[j])
            ++j;
        for (std::size_t k = i; k < j; ++k)
            d += (k == i ? "M" : "L") + num_attr(f.x(xs[k])) + " " + num_attr(f.y(*hi[k]));
        for (std::size_t k = j; k-- > i;)
            d += "L" + num_attr(f.x(xs[k])) + " " + num_attr(f.y(*lo[k]));
        d += "Z";
        i = j;
    }
    return d;
}

std::string render_chart(const Chart& c) {
    const Frame f(c.x0, c.x1, c.y0, c.y1);
    std::string s = "<figure class=\"chart-box\">";
    s += svg_open(c.id, "chart", Frame::kWidth, Frame::kHeight, c.title, c.description);
    s += axes(f, c);
    for (const Series& se : c.series)
        if (!se.lo.empty() && !se.hi.empty()) {
            const std::string d = band_path(f, se.x, se.lo, se.hi);
            if (!d.empty())
                s += "<path class=\"band\" data-series=\"" + esc(se.key) + "\" d=\"" + d +
                     "\" fill=\"" + se.colour + "\"/>";
        }
    for (const Series& se : c.series) {
        const std::string d = line_path(f, se.x, se.y, se.step);
        if (!d.empty())
            s += "<path class=\"curve\" data-series=\"" + esc(se.key) + "\" d=\"" + d +
                 "\" stroke=\"" + se.colour + "\"/>";
    }
    s += "</svg><figcaption>";
    s += "<strong>" + bi(c.title.en, c.title.zh) + "</strong>";
    if (c.series.size() > 1 || !c.series.front().lo.empty()) {
        s += "<span class=\"keys\">";
        for (const Series& se : c.series)
            s += "<span class=\"key\"><i style=\"background:" + se.colour + "\"></i>" +
                 bi(se.label.en, se.label.zh) + "</span>";
        s += "</span>";
    }
    s += "<span class=\"desc\">" + bi(c.description.en, c.description.zh) + "</span>";
    s += "</figcaption></figure>";
    return s;
}

std::string note(const std::string& en, const std::string& zh) {
    return "<p class=\"note\">" + bi(en, zh) + "</p>";
}

// =============================================================================================
// Small statistics the report derives itself

/// Quantile q of `v` (sorted in place), linear between order statistics (Hyndman–Fan type 7).
double quantile(std::vector<double>& v, double q) {
    std::sort(v.begin(), v.end());
    const double h = (static_cast<double>(v.size()) - 1) * q;
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// Population-hours lost per realization, all services together (summary.realizations).
std::vector<double> realization_totals(const Summary& s) {
    std::vector<double> out;
    for (const auto& r : s.realization_results) {
        double total = 0;
        for (const auto& [svc, v] : r.population_hours_lost)
            total += v;
        out.push_back(total);
    }
    return out;
}

std::string service_title(const std::string& svc) {
    return bi_word(svc);
}

std::string scenario_title_en(const Summary& s) {
    return s.title.empty() ? s.name : s.title;
}
std::string scenario_title_zh(const Summary& s) {
    return s.title_zh.empty() ? scenario_title_en(s) : s.title_zh;
}

// =============================================================================================
// Sections

std::string section_open(const char* id, const Words& heading) {
    return std::string("<section id=\"") + id + "\"><h2>" + bi(heading.en, heading.zh) + "</h2>";
}

std::string render_header(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = "<header><div class=\"lang\" role=\"group\" aria-label=\"Language / 语言\">"
                    "<label for=\"lang-en\">English</label><label for=\"lang-zh\">中文</label>"
                    "</div>";
    h += "<p class=\"kicker\">" + bi("RenCheng stress test", "韧城 压力测试") + "</p>";
    h += "<h1>" + bi(scenario_title_en(s), scenario_title_zh(s)) + "</h1>";
    std::string hz_en, hz_zh;
    for (const Hazard& hz : s.hazards) {
        const Words w = word(hz.type);
        hz_en += (hz_en.empty() ? "" : " + ") + (hz.label.empty() ? w.en : hz.label);
        hz_zh += (hz_zh.empty() ? "" : " + ") + (!hz.label_zh.empty() ? hz.label_zh
                                                 : !hz.label.empty()  ? hz.label
                                                                      : w.zh);
    }
    const std::string city_en = s.city_name.empty() ? "the city" : s.city_name;
    const std::string city_zh = s.city_name_zh.empty() ? city_en : s.city_name_zh;
    std::string en = city_en;
    std::string zh = city_zh;
    if (s.population) {
        en += " (population " + fmt(s.population) + ")";
        zh += "（人口 " + fmt(s.population) + "）";
    }
    if (!hz_en.empty()) {
        en += " · " + hz_en;
        zh += " · " + hz_zh;
    }
    en +=
        " · " + std::to_string(s.realizations) + " realization" + (s.realizations == 1 ? "" : "s");
    zh += " · " + std::to_string(s.realizations) + " 次蒙特卡洛模拟";
    if (s.horizon_s) {
        en += " · horizon " + fmt_h(*s.horizon_s / 3600.0);
        zh += " · 时长 " + fmt_h(*s.horizon_s / 3600.0);
    }
    if (s.step_s) {
        en += ", step " + fmt(*s.step_s) + " s";
        zh += "，步长 " + fmt(*s.step_s) + " s";
    }
    if (s.seed) {
        en += " · seed " + format_fixed(*s.seed, 0);
        zh += " · 随机种子 " + format_fixed(*s.seed, 0);
    }
    h += "<p class=\"sub\">" + bi(en, zh) + "</p>";
    h += "<nav aria-label=\"Sections / 目录\"><a href=\"#headline\">" + bi("Summary", "概要") +
         "</a><a href=\"#map\">" + bi("Map", "地图") + "</a><a href=\"#curves\">" +
         bi("Service curves", "服务曲线") + "</a><a href=\"#timeline\">" +
         bi("Restoration", "恢复过程") + "</a><a href=\"#causes\">" + bi("Causes", "原因链") +
         "</a><a href=\"#criticality\">" + bi("Criticality", "关键构件") +
         "</a><a href=\"#montecarlo\">" + bi("Monte Carlo", "蒙特卡洛") + "</a><a href=\"#run\">" +
         bi("Run", "运行信息") + "</a></nav></header>";
    return h;
}

std::string stats_cell(const Stats& st, Num(Stats::*member), bool hours = false) {
    const Num v = st.*member;
    return "<td>" + (hours ? fmt_h(v) : fmt(v)) + "</td>";
}

std::string render_headline(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = section_open("headline", {"Summary", "概要"});

    // One sentence that says the most important number in words (also the text alternative of
    // the whole report's gist).
    std::string worst;
    double worst_v = -1;
    for (const std::string& svc : s.services)
        if (const auto it = s.metrics.find(svc); it != s.metrics.end())
            if (it->second.population_hours_lost.mean &&
                *it->second.population_hours_lost.mean > worst_v) {
                worst_v = *it->second.population_hours_lost.mean;
                worst = svc;
            }
    if (!worst.empty()) {
        const Words w = word(worst);
        h += "<p class=\"lead\">" +
             bi("The largest loss is " + w.en + ": " + fmt(worst_v) +
                    " population-hours without the service on average over the realizations.",
                "损失最大的是" + w.zh + "：平均 " + fmt(worst_v) + " 人·小时无服务。") +
             "</p>";
    }

    h += "<div class=\"scroll\"><table class=\"headline\"><caption>" +
         bi("Service loss per lifeline service (statistics over realizations)",
            "各生命线服务损失（蒙特卡洛统计）") +
         "</caption><thead><tr><th rowspan=\"2\" scope=\"col\">" + bi("Service", "服务") +
         "</th><th colspan=\"4\" scope=\"colgroup\">" +
         bi("Population-hours lost (person·h)", "失去服务的人·小时") +
         "</th><th colspan=\"3\" scope=\"colgroup\">" +
         bi("Time to restoration, P50 (P10–P90)", "恢复时间 P50（P10–P90）") +
         "</th><th rowspan=\"2\" scope=\"col\">" +
         bi("Resilience loss, mean (%·h)", "韧性损失均值（%·h）") +
         "</th><th rowspan=\"2\" scope=\"col\">" + bi("Lowest service, mean", "最低服务水平均值") +
         "</th><th rowspan=\"2\" scope=\"col\">" + bi("Unmet demand, mean", "未满足需求均值") +
         "</th></tr><tr><th scope=\"col\">" + bi("mean", "均值") +
         "</th><th scope=\"col\">P10</th><th scope=\"col\">P50</th><th scope=\"col\">P90</th>"
         "<th scope=\"col\">50 %</th><th scope=\"col\">90 %</th><th scope=\"col\">100 %</th>"
         "</tr></thead><tbody>";
    for (const std::string& svc : s.services) {
        const auto it = s.metrics.find(svc);
        if (it == s.metrics.end())
            continue;
        const ServiceMetrics& m = it->second;
        h += "<tr><th scope=\"row\"><i class=\"dot\" style=\"background:" + service_colour(svc, 0) +
             "\"></i>" + service_title(svc) + "</th>";
        h += stats_cell(m.population_hours_lost, &Stats::mean) +
             stats_cell(m.population_hours_lost, &Stats::p10) +
             stats_cell(m.population_hours_lost, &Stats::p50) +
             stats_cell(m.population_hours_lost, &Stats::p90);
        for (const char* level : {"50", "90", "100"}) {
            const auto t = m.time_to_restore_h.find(level);
            if (t == m.time_to_restore_h.end()) {
                h += "<td>—</td>";
            } else if (!t->second || !t->second->p50) {
                h += "<td>" + bi("never", "未恢复") + "</td>";
            } else {
                h += "<td>" + fmt_h(t->second->p50) + "<small>" + fmt(t->second->p10) + "–" +
                     fmt(t->second->p90) + "</small></td>";
            }
        }
        h += "<td>" + fmt(m.resilience_loss_pct_h.mean) + "</td><td>" +
             fmt_pct(m.min_service.mean) + "</td><td>" +
             (m.unmet_demand.mean ? fmt(m.unmet_demand.mean) + " " + esc(m.unmet_demand_unit)
                                  : std::string("—")) +
             "</td></tr>";
    }
    std::vector<double> totals = realization_totals(s);
    if (!totals.empty() && s.services.size() > 1) {
        double sum = 0;
        for (const double v : totals)
            sum += v;
        const double mean = sum / static_cast<double>(totals.size());
        h += "<tr class=\"total\"><th scope=\"row\">" + bi("All services", "全部服务") +
             "</th><td>" + fmt(mean) + "</td><td>" + fmt(quantile(totals, 0.1)) + "</td><td>" +
             fmt(quantile(totals, 0.5)) + "</td><td>" + fmt(quantile(totals, 0.9)) +
             "</td><td colspan=\"6\"></td></tr>";
    }
    h += "</tbody></table></div>";

    if (!s.damage.empty()) {
        h += "<div class=\"scroll\"><table><caption>" +
             bi("Components damaged per layer", "各图层损坏构件数") +
             "</caption><thead><tr>"
             "<th scope=\"col\">" +
             bi("Layer", "图层") + "</th><th scope=\"col\">" + bi("mean", "均值") +
             "</th><th scope=\"col\">P10</th><th scope=\"col\">P90</th>"
             "<th scope=\"col\">" +
             bi("of", "总数") + "</th></tr></thead><tbody>";
        for (const LayerDamage& d : s.damage)
            h += "<tr><th scope=\"row\">" + bi_word(d.layer) + "</th>" +
                 stats_cell(d.damaged, &Stats::mean) + stats_cell(d.damaged, &Stats::p10) +
                 stats_cell(d.damaged, &Stats::p90) + "<td>" + fmt(d.total) + "</td></tr>";
        h += "</tbody></table></div>";
    }
    h += "</section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// The map

/// Equirectangular projection scaled by cos(latitude) at the centre, fitted to a width.
class MapProjection {
public:
    MapProjection(double west, double south, double east, double north, double width,
                  double max_height)
        : west_(west), north_(north) {
        kx_ = std::cos((south + north) / 2 * std::numbers::pi / 180.0);
        const double dx = std::max((east - west) * kx_, 1e-9);
        const double dy = std::max(north - south, 1e-9);
        scale_ = std::min((width - 2 * kPad) / dx, (max_height - 2 * kPad) / dy);
        width_ = width;
        height_ = dy * scale_ + 2 * kPad;
        x_offset_ = (width - dx * scale_) / 2;
    }
    static constexpr double kPad = 12;
    [[nodiscard]] double x(const LonLat& p) const {
        return x_offset_ + (p.lon - west_) * kx_ * scale_;
    }
    [[nodiscard]] double y(const LonLat& p) const { return kPad + (north_ - p.lat) * scale_; }
    [[nodiscard]] double width() const { return width_; }
    [[nodiscard]] double height() const { return height_; }
    /// Metres per SVG unit (spherical Earth, R = 6371 km), for the scale bar.
    [[nodiscard]] double metres_per_unit() const {
        return 6371000.0 * std::numbers::pi / 180.0 / scale_;
    }

private:
    double west_, north_, kx_ = 1, scale_ = 1, width_ = 0, height_ = 0, x_offset_ = 0;
};

std::string feature_tooltip(const AssetFeature& f) {
    std::string t = f.asset;
    if (!f.asset_class.empty())
        t += " · " + f.asset_class;
    if (f.population)
        t += "\npopulation / 人口: " + fmt(f.population);
    if (f.population_hours_lost_mean)
        t += "\npopulation-hours lost / 失去服务人·小时: " + fmt(f.population_hours_lost_mean);
    if (f.prob_damage)
        t += "\nP(damage) / 损坏概率: " + fmt_pct(f.prob_damage);
    if (!f.damage_state_r0.empty()) {
        const Words w = word(f.damage_state_r0);
        t += "\ndamage state, realization 0 / 第0次模拟损坏状态: " + w.en +
             (w.zh != w.en ? " / " + w.zh : "");
    }
    if (f.prob_service_loss)
        t += "\nP(service loss) / 失去服务概率: " + fmt_pct(f.prob_service_loss);
    if (f.downtime_h_mean)
        t += "\nmean downtime / 平均停运: " + fmt_h(f.downtime_h_mean);
    return t;
}

std::string render_map(const RunFolder& run) {
    std::string h = section_open("map", {"Map of damage and service loss", "损坏与服务损失地图"});
    if (run.assets.empty())
        return h +
               note("assets.geojson holds no features: no map.",
                    "assets.geojson 中没有要素，无法绘制地图。") +
               "</section>";
    double west = 180, east = -180, south = 90, north = -90;
    double max_zone_loss = 0;
    for (const AssetFeature& f : run.assets) {
        for (const auto& part : f.parts)
            for (const LonLat& p : part) {
                west = std::min(west, p.lon);
                east = std::max(east, p.lon);
                south = std::min(south, p.lat);
                north = std::max(north, p.lat);
            }
        if (f.shape == Shape::kPolygon && f.population_hours_lost_mean)
            max_zone_loss = std::max(max_zone_loss, *f.population_hours_lost_mean);
    }
    const MapProjection proj(west, south, east, north, 900, 640);

    std::size_t n_zones = 0, n_links = 0, n_nodes = 0, n_facilities = 0;
    std::string zones, links, nodes, facilities;
    for (const AssetFeature& f : run.assets) {
        const std::string title = "<title>" + esc(feature_tooltip(f)) + "</title>";
        const std::string data =
            " data-asset=\"" + esc(f.asset) + "\" data-layer=\"" + esc(f.layer) + "\"";
        if (f.shape == Shape::kPolygon) {
            ++n_zones;
            std::string d;
            for (const auto& ring : f.parts) {
                for (std::size_t i = 0; i < ring.size(); ++i)
                    d += (i == 0 ? "M" : "L") + num_attr(proj.x(ring[i])) + " " +
                         num_attr(proj.y(ring[i]));
                d += "Z";
            }
            const std::string fill =
                f.population_hours_lost_mean && max_zone_loss > 0
                    ? ramp(*f.population_hours_lost_mean / max_zone_loss)
                    : std::string(f.population_hours_lost_mean ? ramp(0) : kNoDataColour);
            zones += "<path class=\"ft zone\"" + data + " d=\"" + d + "\" fill=\"" + fill + "\">" +
                     title + "</path>";
            continue;
        }
        const std::string prob_colour = !f.prob_damage        ? std::string(kNoDataColour)
                                        : *f.prob_damage == 0 ? std::string(kNoDamageColour)
                                                              : ramp(0.15 + 0.85 * *f.prob_damage);
        const std::string vars =
            " style=\"--p:" + prob_colour + ";--s:" + damage_state_colour(f.damage_state_r0) + "\"";
        if (f.shape == Shape::kLine) {
            ++n_links;
            std::string d;
            for (const auto& part : f.parts)
                for (std::size_t i = 0; i < part.size(); ++i)
                    d += (i == 0 ? "M" : "L") + num_attr(proj.x(part[i])) + " " +
                         num_attr(proj.y(part[i]));
            links +=
                "<path class=\"ft ln\"" + data + vars + " d=\"" + d + "\">" + title + "</path>";
        } else if (f.layer == "facility") {
            ++n_facilities;
            const LonLat& p = f.parts.front().front();
            const std::string fill =
                f.prob_service_loss ? ramp(*f.prob_service_loss) : std::string(kNoDataColour);
            facilities += "<rect class=\"ft fac\"" + data + " x=\"" + num_attr(proj.x(p) - 5) +
                          "\" y=\"" + num_attr(proj.y(p) - 5) +
                          "\" width=\"10\" height=\"10\" fill=\"" + fill + "\">" + title +
                          "</rect>";
        } else {
            ++n_nodes;
            const LonLat& p = f.parts.front().front();
            nodes += "<circle class=\"ft nd\"" + data + vars + " cx=\"" + num_attr(proj.x(p)) +
                     "\" cy=\"" + num_attr(proj.y(p)) + "\" r=\"2.6\">" + title + "</circle>";
        }
    }

    // Scale bar: a round length near a fifth of the width.
    const double target_m = proj.width() / 5 * proj.metres_per_unit();
    const double mag = std::pow(10.0, std::floor(std::log10(target_m)));
    double bar_m = mag;
    for (const double m : {1.0, 2.0, 5.0})
        if (m * mag <= target_m)
            bar_m = m * mag;
    const double bar_w = bar_m / proj.metres_per_unit();
    const std::string bar_label =
        bar_m >= 1000 ? tick_label(bar_m / 1000) + " km" : tick_label(bar_m) + " m";

    const Words desc{"Map of " + std::to_string(n_zones) +
                         " population zones coloured by population-hours "
                         "lost, " +
                         std::to_string(n_links) + " links and " + std::to_string(n_nodes) +
                         " nodes coloured by damage, and " + std::to_string(n_facilities) +
                         " facilities coloured by the probability of losing service.",
                     "地图：" + std::to_string(n_zones) + " 个人口分区按失去服务人·小时着色，" +
                         std::to_string(n_links) + " 条线路和 " + std::to_string(n_nodes) +
                         " 个节点按损坏着色，" + std::to_string(n_facilities) +
                         " 个设施按失去服务概率着色。"};

    h += "<div class=\"map-controls\" role=\"radiogroup\" aria-label=\"Map colouring / 着色方式\">"
         "<input type=\"radio\" name=\"rc-map-mode\" id=\"mode-p\" checked>"
         "<label for=\"mode-p\">" +
         bi("Links and nodes: probability of damage", "线路与节点：损坏概率") +
         "</label><input type=\"radio\" name=\"rc-map-mode\" id=\"mode-s\"><label for=\"mode-s\">" +
         bi("Damage state in realization 0", "第 0 次模拟的损坏状态") +
         "</label><button type=\"button\" id=\"rc-map-reset\" hidden>" +
         bi("Reset view", "复位视图") + "</button></div>";
    h += "<div class=\"map-wrap\">";
    h += svg_open("rc-map", "map", proj.width(), proj.height(), {"Map of the city", "城市地图"},
                  desc);
    h += "<g id=\"rc-map-layers\"><g class=\"zones\">" + zones + "</g><g class=\"links\">" + links +
         "</g><g class=\"nodes\">" + nodes + "</g><g class=\"facilities\">" + facilities +
         "</g></g>";
    const double by = proj.height() - 8;
    h += "<g class=\"scalebar\"><path d=\"M10 " + num_attr(by - 4) + "V" + num_attr(by) + "H" +
         num_attr(10 + bar_w) + "V" + num_attr(by - 4) + "\"/><text x=\"" + num_attr(14 + bar_w) +
         "\" y=\"" + num_attr(by) + "\">" + bar_label + "</text></g>";
    h += "</svg><aside id=\"rc-map-info\" aria-live=\"polite\" hidden></aside></div>";

    // Legend (HTML, so it reads in both languages and without the SVG).
    const auto gradient = [](double from) {
        std::string g = "linear-gradient(to right";
        for (int i = 0; i <= 8; ++i)
            g += "," + ramp(from + (1 - from) * i / 8.0);
        return g + ")";
    };
    h += "<div class=\"legend\"><div><span class=\"grad\" style=\"background:" + gradient(0) +
         "\"></span>" +
         bi("Zones: population-hours lost, 0 – " + fmt(max_zone_loss) + " person·h",
            "分区：失去服务人·小时 0 – " + fmt(max_zone_loss)) +
         "</div><div class=\"legend-p\"><span class=\"grad\" style=\"background:" + gradient(0.15) +
         "\"></span>" +
         bi("Links and nodes: probability of damage, 0 – 100 %", "线路与节点：损坏概率 0 – 100 %") +
         " <i class=\"sw\" style=\"background:" + kNoDamageColour + "\"></i>" +
         bi("never damaged", "从未损坏") + "</div><div class=\"legend-s\">";
    std::set<std::string> states;
    for (const AssetFeature& f : run.assets)
        if (f.shape != Shape::kPolygon && f.layer != "facility" && !f.damage_state_r0.empty())
            states.insert(f.damage_state_r0);
    for (const std::string& st : states)
        h += "<span class=\"key\"><i class=\"sw\" style=\"background:" + damage_state_colour(st) +
             "\"></i>" + bi_word(st) + "</span>";
    if (states.empty())
        h += bi("no damage states given", "无损坏状态数据");
    h += "</div><div><span class=\"grad\" style=\"background:" + gradient(0) + "\"></span>" +
         bi("Facilities (squares): probability of losing any service",
            "设施（方块）：失去任一服务的概率") +
         " <i class=\"sw\" style=\"background:" + kNoDataColour + "\"></i>" +
         bi("no data", "无数据") + "</div></div>";
    h += "<p class=\"hint\">" +
         bi("Hover or focus a feature for its values; with JavaScript on, scroll to zoom, drag to "
            "pan, click for details.",
            "悬停查看数值；启用 JavaScript 时可滚轮缩放、拖动平移、点击查看详情。") +
         "</p></section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Service and restoration curves

std::vector<double> hours_axis(const Summary& s) {
    std::vector<double> x;
    x.reserve(s.time_s.size());
    for (const double t : s.time_s)
        x.push_back(t / 3600.0);
    return x;
}

double horizon_h(const Summary& s) {
    double h = s.horizon_s ? *s.horizon_s / 3600.0 : 0;
    if (!s.time_s.empty())
        h = std::max(h, s.time_s.back() / 3600.0);
    return h > 0 ? h : 1;
}

/// "Mean service falls to 62 % at 6 h and is back above 99 % at 30 h." in both languages.
Words describe_service_curve(const std::vector<double>& hours, const std::vector<Num>& mean) {
    std::size_t low = mean.size();
    for (std::size_t i = 0; i < mean.size(); ++i)
        if (mean[i] && (low == mean.size() || *mean[i] < *mean[low]))
            low = i;
    if (low == mean.size())
        return {"No values.", "无数据。"};
    Words w{"Mean service falls to " + fmt_pct(mean[low]) + " at " + fmt_h(hours[low]),
            "平均服务水平在 " + fmt_h(hours[low]) + " 降至 " + fmt_pct(mean[low])};
    std::optional<double> back;
    for (std::size_t i = low; i < mean.size(); ++i)
        if (mean[i] && *mean[i] >= 0.99) {
            back = hours[i];
            break;
        }
    if (*mean[low] >= 0.99)
        return {"Mean service stays above 99 %.", "平均服务水平始终高于 99 %。"};
    if (back) {
        w.en += " and is back above 99 % at " + fmt_h(back) + ".";
        w.zh += "，于 " + fmt_h(back) + " 恢复到 99 % 以上。";
    } else {
        w.en += " and is not back to 99 % within the horizon.";
        w.zh += "，在模拟时长内未恢复到 99 %。";
    }
    return w;
}

std::string render_curves(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = section_open("curves", {"Service and restoration curves", "服务与恢复曲线"});
    const std::vector<double> hours = hours_axis(s);
    const double x1 = horizon_h(s);
    if (s.realizations == 1)
        h += note("One realization: the curves show it alone, without a P10–P90 band.",
                  "仅一次模拟：曲线即该次结果，无 P10–P90 区间。");
    h += "<div class=\"charts\">";
    std::size_t index = 0;
    for (const std::string& svc : s.services) {
        const auto it = s.service_curves.find(svc);
        const Words w = word(svc);
        if (it == s.service_curves.end() || it->second.mean.empty()) {
            h += note("No service curve for " + w.en + ".", w.zh + "无服务曲线。");
            continue;
        }
        Chart c;
        c.id = "rc-service-" + std::to_string(index);
        c.title = {w.en + ": fraction of population served", w.zh + "：获得服务的人口比例"};
        c.x_label = {"time (h)", "时间（小时）"};
        c.y_label = {"served", "服务比例"};
        c.x1 = x1;
        c.y_percent = true;
        c.description = describe_service_curve(hours, it->second.mean);
        Series se;
        se.key = svc;
        se.colour = service_colour(svc, index);
        se.label = {"mean", "均值"};
        se.x = hours;
        se.y = it->second.mean;
        if (s.realizations > 1) {
            se.lo = it->second.p10;
            se.hi = it->second.p90;
        }
        c.series.push_back(std::move(se));
        if (!c.series.front().lo.empty()) {
            // The key line for the band.
            Series band_key;
            band_key.key = svc + "-band";
            band_key.colour = service_colour(svc, index) + "55";
            band_key.label = {"P10–P90 over realizations", "P10–P90（各次模拟）"};
            c.series.push_back(std::move(band_key));
        }
        h += render_chart(c);
        ++index;
    }

    // Restoration: every lifeline on one chart (lifelines in the summary's order, then others).
    std::vector<std::string> order;
    for (const std::string& l : s.lifelines)
        if (s.restoration_curves.contains(l))
            order.push_back(l);
    for (const auto& [k, v] : s.restoration_curves)
        if (std::find(order.begin(), order.end(), k) == order.end())
            order.push_back(k);
    if (order.empty()) {
        h += note("No restoration curves (nothing was damaged, or the run did not record them).",
                  "无恢复曲线（没有构件损坏，或本次运行未记录）。");
    } else {
        Chart c;
        c.id = "rc-restoration";
        c.title = {"Restoration: fraction of damaged components repaired",
                   "恢复：已修复的损坏构件比例"};
        c.x_label = {"time (h)", "时间（小时）"};
        c.y_label = {"repaired", "修复比例"};
        c.x1 = x1;
        c.y_percent = true;
        std::string en = "Mean restoration at the horizon:";
        std::string zh = "模拟结束时的平均修复比例：";
        for (std::size_t i = 0; i < order.size(); ++i) {
            const Band& b = s.restoration_curves.at(order[i]);
            Series se;
            se.key = order[i];
            se.colour = service_colour(order[i], i);
            se.label = word(order[i]);
            se.x = hours;
            se.y = b.mean;
            if (s.realizations > 1) {
                se.lo = b.p10;
                se.hi = b.p90;
            }
            Num last;
            for (const Num& v : b.mean)
                if (v)
                    last = v;
            en += " " + se.label.en + " " + fmt_pct(last) + (i + 1 < order.size() ? "," : ".");
            zh += se.label.zh + " " + fmt_pct(last) + (i + 1 < order.size() ? "，" : "。");
            c.series.push_back(std::move(se));
        }
        c.description = {en + " Lines: mean; bands: P10–P90.", zh + "线为均值，阴影为 P10–P90。"};
        h += render_chart(c);
    }
    h += "</div></section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Restoration timeline: facility outages in realization 0

struct Outage {
    std::string asset, service;
    double start_s = 0;
    std::optional<double> end_s;
    std::vector<std::string> chain;
};

std::vector<Outage> facility_outages(const std::vector<Event>& events) {
    std::vector<Outage> done;
    std::map<std::pair<std::string, std::string>, Outage> open;
    for (const Event& e : events) {
        if (e.asset.rfind("facility:", 0) != 0)
            continue;
        const auto key = std::make_pair(e.asset, e.service);
        if (e.event == "service_lost" && !open.contains(key)) {
            open[key] = {e.asset, e.service, e.time_s, std::nullopt, e.chain};
        } else if (e.event == "service_restored") {
            if (auto it = open.find(key); it != open.end()) {
                it->second.end_s = e.time_s;
                done.push_back(std::move(it->second));
                open.erase(it);
            }
        }
    }
    for (auto& [k, o] : open)
        done.push_back(std::move(o));
    std::stable_sort(done.begin(), done.end(), [](const Outage& a, const Outage& b) {
        return std::tie(a.start_s, a.asset, a.service) < std::tie(b.start_s, b.asset, b.service);
    });
    return done;
}

std::string chain_text(const std::vector<std::string>& chain) {
    std::string t;
    for (std::size_t i = 0; i < chain.size(); ++i)
        t += (i == 0 ? "" : " ← ") + chain[i];
    return t;
}

std::string render_timeline(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = section_open("timeline", {"Restoration timeline", "恢复时间线"});
    const std::vector<Outage> outages = facility_outages(run.events_r0);
    const double x1 = horizon_h(s);
    constexpr std::size_t kMaxRows = 40;
    if (outages.empty()) {
        h += note("No facility lost service in realization 0 (events.jsonl).",
                  "第 0 次模拟中没有设施失去服务（events.jsonl）。");
    } else {
        const std::size_t rows = std::min(outages.size(), kMaxRows);
        constexpr double kLabelW = 210, kRowH = 18, kTop = 8, kAxisH = 40, kWidth = 900;
        const double height = kTop + static_cast<double>(rows) * kRowH + kAxisH;
        const auto xpos = [&](double hours) {
            return kLabelW + hours / x1 * (kWidth - kLabelW - 14);
        };
        std::size_t still_out = 0;
        for (const Outage& o : outages)
            still_out += o.end_s ? 0 : 1;
        const Words desc{std::to_string(outages.size()) + " facility outages in realization 0, " +
                             std::to_string(still_out) + " not restored within the horizon.",
                         "第 0 次模拟中共 " + std::to_string(outages.size()) +
                             " 次设施停供，其中 " + std::to_string(still_out) +
                             " 次在模拟时长内未恢复。"};
        h += "<figure class=\"wide\">";
        h += svg_open("rc-timeline", "timeline", kWidth, height,
                      {"Facility outages, realization 0", "第 0 次模拟的设施停供"}, desc);
        h += "<g class=\"axis\">";
        for (const double t : nice_ticks(0, x1, 8)) {
            const double x = xpos(t);
            h += "<line x1=\"" + num_attr(x) + "\" x2=\"" + num_attr(x) + "\" y1=\"" +
                 num_attr(kTop) + "\" y2=\"" + num_attr(height - kAxisH + 4) + "\"/><text x=\"" +
                 num_attr(x) + "\" y=\"" + num_attr(height - kAxisH + 18) +
                 "\" text-anchor=\"middle\">" + tick_label(t) + "</text>";
        }
        h += "</g>";
        h += svg_bi_text((kLabelW + kWidth) / 2, height - 6,
                         "class=\"label\" text-anchor=\"middle\"", {"time (h)", "时间（小时）"});
        for (std::size_t i = 0; i < rows; ++i) {
            const Outage& o = outages[i];
            const double y = kTop + static_cast<double>(i) * kRowH;
            const double end_h = o.end_s ? *o.end_s / 3600.0 : x1;
            const Words svc = word(o.service);
            std::string tip = o.asset + " · " + svc.en + " / " + svc.zh + ": " +
                              fmt_h(o.start_s / 3600.0) + " – " +
                              (o.end_s ? fmt_h(end_h) : std::string("not restored / 未恢复"));
            if (!o.chain.empty())
                tip += "\n" + chain_text(o.chain);
            h += "<text class=\"row\" x=\"" + num_attr(kLabelW - 6) + "\" y=\"" +
                 num_attr(y + 12.5) + "\" text-anchor=\"end\">" + esc(o.asset) + " · " +
                 esc(svc.en) + "</text>";
            h += "<rect class=\"bar" + std::string(o.end_s ? "" : " open") + "\" x=\"" +
                 num_attr(xpos(o.start_s / 3600.0)) + "\" y=\"" + num_attr(y + 3) + "\" width=\"" +
                 num_attr(std::max(1.5, xpos(end_h) - xpos(o.start_s / 3600.0))) + "\" height=\"" +
                 num_attr(kRowH - 6) + "\" fill=\"" + service_colour(o.service, 0) + "\"><title>" +
                 esc(tip) + "</title></rect>";
        }
        h += "</svg><figcaption>" + bi(desc.en, desc.zh);
        if (outages.size() > rows)
            h += " " + bi("The first " + std::to_string(rows) + " are drawn.",
                          "图中仅绘出前 " + std::to_string(rows) + " 次。");
        h += " " +
             bi("Hatched bars are still out at the horizon.", "斜纹条表示模拟结束时仍未恢复。") +
             "</figcaption></figure>";
    }

    // Mean downtime per facility and service (summary.facilities).
    if (s.facilities.empty()) {
        h += note("The summary lists no facilities.", "汇总中没有设施。");
    } else {
        std::vector<std::string> services;
        for (const std::string& svc : s.services)
            for (const FacilityResult& f : s.facilities)
                if (f.downtime_h.contains(svc) || f.prob_loss.contains(svc)) {
                    services.push_back(svc);
                    break;
                }
        std::vector<const FacilityResult*> order;
        for (const FacilityResult& f : s.facilities)
            order.push_back(&f);
        const auto worst = [](const FacilityResult* f) {
            double w = 0;
            for (const auto& [k, st] : f->downtime_h)
                w = std::max(w, st.mean.value_or(0));
            return w;
        };
        std::stable_sort(order.begin(), order.end(),
                         [&](const auto* a, const auto* b) { return worst(a) > worst(b); });
        constexpr std::size_t kMaxFacilities = 60;
        h += "<div class=\"scroll\"><table><caption>" +
             bi("Facility downtime: mean hours without the service (probability of any loss)",
                "设施停供：平均无服务小时数（任一损失的概率）") +
             "</caption><thead><tr><th scope=\"col\">" + bi("Facility", "设施") +
             "</th><th scope=\"col\">" + bi("Kind", "类型") + "</th>";
        for (const std::string& svc : services)
            h += "<th scope=\"col\">" + service_title(svc) + "</th>";
        h += "</tr></thead><tbody>";
        for (std::size_t i = 0; i < order.size() && i < kMaxFacilities; ++i) {
            const FacilityResult& f = *order[i];
            const std::string name_en = f.name.empty() ? f.asset : f.name;
            const std::string name_zh = f.name_zh.empty() ? name_en : f.name_zh;
            h += "<tr><th scope=\"row\">" + bi(name_en, name_zh) + "<small>" + esc(f.asset) +
                 "</small></th><td>" + bi_word(f.kind) + "</td>";
            for (const std::string& svc : services) {
                const auto d = f.downtime_h.find(svc);
                const auto p = f.prob_loss.find(svc);
                h += "<td>" + (d == f.downtime_h.end() ? std::string("—") : fmt_h(d->second.mean));
                if (p != f.prob_loss.end())
                    h += "<small>(" + fmt_pct(p->second) + ")</small>";
                h += "</td>";
            }
            h += "</tr>";
        }
        h += "</tbody></table></div>";
        if (order.size() > kMaxFacilities)
            h += note("The " + std::to_string(kMaxFacilities) +
                          " facilities with the longest "
                          "downtime are listed; summary.json has all " +
                          std::to_string(order.size()) + ".",
                      "仅列出停供最长的 " + std::to_string(kMaxFacilities) +
                          " 个设施；summary.json 含全部 " + std::to_string(order.size()) + " 个。");
    }

    if (!run.event_counts.empty()) {
        std::string realizations;
        for (const long long r : run.event_realizations)
            realizations += (realizations.empty() ? "" : ", ") + std::to_string(r);
        h += "<div class=\"scroll\"><table class=\"compact\"><caption>" +
             bi("Events recorded (events.jsonl, realizations " + realizations + ")",
                "记录的事件（events.jsonl，模拟 " + realizations + "）") +
             "</caption><tbody>";
        for (const auto& [event, n] : run.event_counts)
            h += "<tr><th scope=\"row\">" + bi_word(event) + "</th><td>" +
                 fmt(static_cast<double>(n)) + "</td></tr>";
        h += "</tbody></table></div>";
    }
    h += "</section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Causes, criticality, districts, policies

std::string render_causes(const Summary& s) {
    std::string h =
        section_open("causes", {"Cause chains of the largest losses", "最大损失的原因链"});
    if (s.top_causes.empty())
        return h + note("No lost service was traced to a cause.", "没有可追溯原因的服务损失。") +
               "</section>";
    constexpr std::size_t kMax = 12;
    h += "<div class=\"scroll\"><table class=\"causes\"><caption>" +
         bi("Root causes ranked by the population-hours they explain (mean over realizations)",
            "按所致人·小时损失排序的根本原因（各次模拟均值）") +
         "</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">" +
         bi("Root cause", "根本原因") + "</th><th scope=\"col\">" + bi("Service", "服务") +
         "</th><th scope=\"col\">" + bi("person·h", "人·小时") + "</th><th scope=\"col\">" +
         bi("share", "占比") + "</th><th scope=\"col\">" +
         bi("Example chain (effect ← cause)", "示例链（结果 ← 原因）") +
         "</th></tr></thead><tbody>";
    for (std::size_t i = 0; i < s.top_causes.size() && i < kMax; ++i) {
        const Cause& c = s.top_causes[i];
        h += "<tr><td>" + std::to_string(i + 1) + "</td><th scope=\"row\"><code>" + esc(c.root) +
             "</code>";
        if (!c.root_event.empty())
            h += "<small>" + esc(c.root_event) + "</small>";
        h += "</th><td>" + (c.service.empty() ? std::string("—") : service_title(c.service)) +
             "</td><td>" + fmt(c.population_hours) + "</td><td>" + fmt_pct(c.share) + "</td><td>";
        if (c.chain.empty()) {
            h += "—";
        } else {
            h += "<ol class=\"chain\">";
            for (const std::string& step : c.chain)
                h += "<li>" + esc(step) + "</li>";
            h += "</ol>";
        }
        h += "</td></tr>";
    }
    h += "</tbody></table></div></section>";
    return h;
}

std::string render_criticality(const Summary& s) {
    std::string h = section_open("criticality", {"Component criticality", "构件关键性"});
    if (s.criticality.empty())
        return h +
               note("No component lies in a cause chain of lost service.",
                    "没有构件出现在服务损失的原因链中。") +
               "</section>";
    std::vector<const Criticality*> order;
    for (const Criticality& c : s.criticality)
        order.push_back(&c);
    std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
        return a->population_hours.value_or(0) > b->population_hours.value_or(0);
    });
    constexpr std::size_t kMax = 25;
    h += "<div class=\"scroll\"><table><caption>" +
         bi("How often a component lies in the cause chain of lost service, and the "
            "population-hours attributable to it",
            "构件出现在服务损失原因链中的频率及其所致人·小时") +
         "</caption><thead><tr><th scope=\"col\">" + bi("Component", "构件") +
         "</th><th scope=\"col\">" + bi("Frequency (share of realizations)", "频率（占模拟次数）") +
         "</th><th scope=\"col\">" + bi("person·h, mean", "人·小时均值") +
         "</th></tr></thead><tbody>";
    for (std::size_t i = 0; i < order.size() && i < kMax; ++i) {
        const double freq = order[i]->frequency.value_or(0);
        h += "<tr><th scope=\"row\"><code>" + esc(order[i]->asset) +
             "</code></th><td><span "
             "class=\"meter\" style=\"width:" +
             format_fixed(std::clamp(freq, 0.0, 1.0) * 100, 1) + "%\"></span>" +
             fmt_pct(order[i]->frequency) + "</td><td>" + fmt(order[i]->population_hours) +
             "</td></tr>";
    }
    h += "</tbody></table></div>";
    if (order.size() > kMax)
        h += note("Top " + std::to_string(kMax) + " of " + std::to_string(order.size()) + ".",
                  "仅列出 " + std::to_string(order.size()) + " 个中的前 " + std::to_string(kMax) +
                      " 个。");
    h += "</section>";
    return h;
}

std::string render_districts(const Summary& s) {
    if (s.districts.empty() && s.policies.empty())
        return {};
    std::string h =
        section_open("districts", {"Districts and recovery policies", "分区与恢复策略"});
    if (!s.districts.empty()) {
        h += "<div class=\"scroll\"><table><caption>" +
             bi("Population-hours lost per district, mean (P10–P90)",
                "各分区失去服务的人·小时，均值（P10–P90）") +
             "</caption><thead><tr><th scope=\"col\">" + bi("District", "分区") +
             "</th><th scope=\"col\">" + bi("Population", "人口") + "</th>";
        for (const std::string& svc : s.services)
            h += "<th scope=\"col\">" + service_title(svc) + "</th>";
        h += "</tr></thead><tbody>";
        for (const DistrictResult& d : s.districts) {
            h += "<tr><th scope=\"row\">" + esc(d.district) + "</th><td>" + fmt(d.population) +
                 "</td>";
            for (const std::string& svc : s.services) {
                const auto it = d.population_hours_lost.find(svc);
                h += it == d.population_hours_lost.end()
                         ? std::string("<td>—</td>")
                         : "<td>" + fmt(it->second.mean) + "<small>" + fmt(it->second.p10) + "–" +
                               fmt(it->second.p90) + "</small></td>";
            }
            h += "</tr>";
        }
        h += "</tbody></table></div>";
    }
    if (!s.policies.empty()) {
        h += "<div class=\"scroll\"><table><caption>" +
             bi("Recovery policies compared: population-hours lost, mean (P10–P90)",
                "恢复策略比较：失去服务的人·小时，均值（P10–P90）") +
             "</caption><thead><tr><th scope=\"col\">" + bi("Policy", "策略") + "</th>";
        for (const std::string& svc : s.services)
            h += "<th scope=\"col\">" + service_title(svc) + "</th>";
        h += "</tr></thead><tbody>";
        for (const PolicyResult& p : s.policies) {
            h += "<tr><th scope=\"row\">" + bi_word(p.policy) + "</th>";
            for (const std::string& svc : s.services) {
                const auto it = p.population_hours_lost.find(svc);
                h += it == p.population_hours_lost.end()
                         ? std::string("<td>—</td>")
                         : "<td>" + fmt(it->second.mean) + "<small>" + fmt(it->second.p10) + "–" +
                               fmt(it->second.p90) + "</small></td>";
            }
            h += "</tr>";
        }
        h += "</tbody></table></div>";
    }
    h += "</section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo distributions

std::string render_histogram(std::vector<double> totals) {
    std::sort(totals.begin(), totals.end());
    const double lo = totals.front();
    double hi = totals.back();
    const auto bins = static_cast<std::size_t>(
        std::clamp(std::ceil(std::sqrt(static_cast<double>(totals.size()))), 5.0, 30.0));
    if (!(hi > lo))
        hi = lo + std::max(1.0, std::fabs(lo) * 0.1);
    const double width = (hi - lo) / static_cast<double>(bins);
    std::vector<int> counts(bins, 0);
    for (const double v : totals)
        ++counts[std::min(bins - 1, static_cast<std::size_t>((v - lo) / width))];
    const int max_count = *std::max_element(counts.begin(), counts.end());

    Chart c;
    c.id = "rc-histogram";
    c.title = {"Population-hours lost per realization (all services)",
               "每次模拟失去服务的人·小时（全部服务）"};
    c.x_label = {"population-hours lost (person·h)", "失去服务的人·小时"};
    c.y_label = {"realizations", "模拟次数"};
    c.x0 = lo;
    c.x1 = hi;
    c.y1 = nice_max(max_count);
    std::vector<double> sorted = totals;
    c.description = {std::to_string(totals.size()) + " realizations in " + std::to_string(bins) +
                         " bins; median " + fmt(quantile(sorted, 0.5)) + ", range " + fmt(lo) +
                         " – " + fmt(totals.back()) + " person·h.",
                     std::to_string(totals.size()) + " 次模拟分为 " + std::to_string(bins) +
                         " 组；中位数 " + fmt(quantile(sorted, 0.5)) + "，范围 " + fmt(lo) + " – " +
                         fmt(totals.back()) + " 人·小时。"};
    const Frame f(c.x0, c.x1, c.y0, c.y1);
    std::string s = "<figure class=\"chart-box\">";
    s += svg_open(c.id, "chart", Frame::kWidth, Frame::kHeight, c.title, c.description);
    s += axes(f, c);
    for (std::size_t i = 0; i < bins; ++i) {
        if (counts[i] == 0)
            continue;
        const double x0 = f.x(lo + width * static_cast<double>(i));
        const double x1 = f.x(lo + width * static_cast<double>(i + 1));
        const double y = f.y(counts[i]);
        s += "<rect class=\"hbar\" x=\"" + num_attr(x0 + 0.5) + "\" y=\"" + num_attr(y) +
             "\" width=\"" + num_attr(std::max(0.5, x1 - x0 - 1)) + "\" height=\"" +
             num_attr(f.y(0) - y) + "\"><title>" + fmt(lo + width * static_cast<double>(i)) +
             " – " + fmt(lo + width * static_cast<double>(i + 1)) + ": " +
             std::to_string(counts[i]) + "</title></rect>";
    }
    s += "</svg><figcaption><strong>" + bi(c.title.en, c.title.zh) +
         "</strong><span class=\"desc\">" + bi(c.description.en, c.description.zh) +
         "</span></figcaption></figure>";
    return s;
}

std::string render_montecarlo(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = section_open("montecarlo", {"Monte Carlo distributions", "蒙特卡洛分布"});
    const std::vector<double> totals = realization_totals(s);
    if (s.realizations < 2 || totals.size() < 2) {
        h += note("One realization: there is no distribution to show. Run more realizations "
                  "(scenario key realizations, or --realizations N) for the histogram and the "
                  "exceedance curve.",
                  "仅一次模拟，无分布可显示。增加模拟次数（情景键 realizations 或 --realizations "
                  "N）可得到直方图和超越概率曲线。");
        return h + "</section>";
    }
    h += "<div class=\"charts\">" + render_histogram(totals);

    // Exceedance: total first, then services in the summary's order.
    std::vector<std::string> keys;
    if (s.exceedance.contains("total"))
        keys.push_back("total");
    for (const std::string& svc : s.services)
        if (s.exceedance.contains(svc))
            keys.push_back(svc);
    double x_max = 0;
    for (const std::string& k : keys)
        for (const ExceedancePoint& p : s.exceedance.at(k))
            x_max = std::max(x_max, p.value);
    if (keys.empty()) {
        h += note("The summary has no exceedance curve.", "汇总中没有超越概率曲线。");
    } else {
        Chart c;
        c.id = "rc-exceedance";
        c.title = {"Exceedance: probability that population-hours lost exceed x",
                   "超越概率：失去服务人·小时超过 x 的概率"};
        c.x_label = {"population-hours lost (person·h)", "失去服务的人·小时"};
        c.y_label = {"probability", "概率"};
        c.x1 = nice_max(x_max);
        c.y_percent = true;
        std::size_t i = 0;
        for (const std::string& k : keys) {
            std::vector<ExceedancePoint> pts = s.exceedance.at(k);
            std::stable_sort(pts.begin(), pts.end(),
                             [](const auto& a, const auto& b) { return a.value < b.value; });
            Series se;
            se.key = k;
            se.colour = service_colour(k, i++);
            se.label = word(k);
            se.step = true;
            // Below the smallest value every realization exceeds x.
            if (!pts.empty() && pts.front().value > 0) {
                se.x.push_back(0);
                se.y.push_back(pts.front().probability);
            }
            for (const ExceedancePoint& p : pts) {
                se.x.push_back(p.value);
                se.y.push_back(p.probability);
            }
            c.series.push_back(std::move(se));
        }
        std::vector<double> sorted = totals;
        c.description = {"One realization in ten loses more than " + fmt(quantile(sorted, 0.9)) +
                             " person·h over all services.",
                         "十次模拟中有一次全部服务损失超过 " + fmt(quantile(sorted, 0.9)) +
                             " 人·小时。"};
        h += render_chart(c);
    }
    h += "</div></section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Recovery activity from timeseries.csv

/// Mean and P10/P90 over realizations at each time of a series.
Series series_stats(const TimeSeries& ts, bool band) {
    Series se;
    for (const auto& [t, values] : ts) {
        std::vector<double> v = values;
        double sum = 0;
        for (const double x : v)
            sum += x;
        se.x.push_back(t / 3600.0);
        se.y.push_back(sum / static_cast<double>(v.size()));
        if (band) {
            se.lo.push_back(quantile(v, 0.1));
            se.hi.push_back(quantile(v, 0.9));
        }
    }
    return se;
}

std::string render_activity(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = section_open("activity", {"Recovery activity and districts (timeseries.csv)",
                                              "抢修活动与分区（timeseries.csv）"});
    const double x1 = horizon_h(s);
    const bool band = s.realizations > 1;
    std::string charts;
    std::size_t chart_index = 0;

    // timeseries keys are "scope|id|quantity".
    struct Key {
        std::string scope, id, quantity;
    };
    const auto split = [](const std::string& key) {
        const std::size_t a = key.find('|');
        const std::size_t b = key.find('|', a + 1);
        return Key{key.substr(0, a), key.substr(a + 1, b - a - 1), key.substr(b + 1)};
    };
    const auto new_chart = [&](const Words& title, const Words& y_label) {
        Chart c;
        c.id = "rc-activity-" + std::to_string(chart_index++);
        c.title = title;
        c.x_label = {"time (h)", "时间（小时）"};
        c.y_label = y_label;
        c.x1 = x1;
        return c;
    };
    const auto finish = [&](Chart& c, bool with_band) {
        if (c.series.empty())
            return;
        if (!c.y_percent) {
            double y_max = 0;
            for (const Series& se : c.series)
                for (const auto* v : {&se.y, &se.hi})
                    for (const Num& x : *v)
                        y_max = std::max(y_max, x.value_or(0));
            c.y1 = nice_max(y_max);
        }
        if (c.description.en.empty())
            c.description = {"Mean over the realizations in the file" +
                                 std::string(with_band ? ", band P10–P90." : "."),
                             std::string("文件中各次模拟的均值") +
                                 (with_band ? "，阴影为 P10–P90。" : "。")};
        charts += render_chart(c);
    };

    // Crews at work (city scope).
    {
        Chart c = new_chart({"Repair crews at work", "在岗抢修队"}, {"crews", "队数"});
        if (const auto it = run.timeseries.find("city||crews_busy"); it != run.timeseries.end()) {
            Series se = series_stats(it->second, band);
            se.key = "crews_busy";
            se.colour = service_colour("crews", 0);
            se.label = {"crews busy", "在岗队数"};
            c.series.push_back(std::move(se));
        }
        finish(c, band);
    }
    // Damaged and repaired components, per lifeline (lifeline scope) or for the city.
    for (const auto& [quantity, title] :
         {std::pair<std::string, Words>{"damaged_components", {"Damaged components", "损坏构件数"}},
          std::pair<std::string, Words>{"repaired_components",
                                        {"Repaired components", "已修复构件数"}}}) {
        Chart c = new_chart(title, {"components", "构件数"});
        std::size_t i = 0;
        for (const auto& [key, ts] : run.timeseries) {
            const Key k = split(key);
            if (k.quantity != quantity || (k.scope != "lifeline" && k.scope != "city"))
                continue;
            Series se = series_stats(ts, band);
            se.key = k.scope == "city" ? std::string("all") : k.id;
            se.colour = service_colour(se.key, i++);
            se.label = k.scope == "city" ? Words{"all", "全部"} : word(k.id);
            c.series.push_back(std::move(se));
        }
        finish(c, band);
    }

    // Per service: the served fraction of each district (at most ten), from
    // served_fraction_<service> rows or, as the stress test writes them, from
    // population_without_<service> and the district's population in summary.json.
    std::map<std::string, double> district_population;
    for (const DistrictResult& d : s.districts)
        if (d.population && *d.population > 0)
            district_population[d.district] = *d.population;
    for (std::size_t si = 0; si < s.services.size(); ++si) {
        const std::string& svc = s.services[si];
        const Words w = word(svc);
        Chart c = new_chart({w.en + " by district: fraction served", w.zh + "：各分区服务比例"},
                            {"served", "服务比例"});
        c.y_percent = true;
        std::size_t shown = 0, total = 0;
        for (const auto& [key, ts] : run.timeseries) {
            const Key k = split(key);
            if (k.scope != "district")
                continue;
            TimeSeries fraction;
            if (k.quantity == "served_fraction_" + svc) {
                fraction = ts;
            } else if (k.quantity == "population_without_" + svc &&
                       district_population.contains(k.id)) {
                const double pop = district_population.at(k.id);
                for (const auto& [t, values] : ts)
                    for (const double v : values)
                        fraction[t].push_back(std::clamp(1.0 - v / pop, 0.0, 1.0));
            } else {
                continue;
            }
            ++total;
            if (shown == 10)
                continue;
            Series se = series_stats(fraction, false);
            se.key = k.id;
            se.colour = service_colour(k.id, shown++);
            se.label = {k.id, k.id};
            c.series.push_back(std::move(se));
        }
        if (total > shown)
            c.description = {"Mean over the realizations in the file, one line per district (the "
                             "first " +
                                 std::to_string(shown) + " of " + std::to_string(total) + ").",
                             "文件中各次模拟的均值，每条线一个分区（" + std::to_string(total) +
                                 " 个中的前 " + std::to_string(shown) + " 个）。"};
        finish(c, false);
    }
    if (charts.empty())
        h += note("timeseries.csv has no crew, component or district quantities to chart.",
                  "timeseries.csv 中没有可绘制的抢修队、构件或分区数据。");
    else
        h += "<div class=\"charts\">" + charts + "</div>";
    h += "</section>";
    return h;
}

// ---------------------------------------------------------------------------------------------
// Footer, embedded data, the page

std::string json_cell(const json& v) {
    if (v.is_string())
        return esc(v.get<std::string>());
    if (v.is_array()) {
        std::string out;
        for (const json& x : v)
            out += (out.empty() ? "" : " ") +
                   (x.is_string() ? esc(x.get<std::string>()) : esc(x.dump()));
        return "<code>" + out + "</code>";
    }
    if (v.is_number_float()) {
        // Small values (a mass-balance error) keep their magnitude: 1.2e-12, not 0.
        const double x = v.get<double>();
        if (x != 0 && std::fabs(x) < 0.01) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3g", x);
            return buf;
        }
        return fmt(x);
    }
    if (v.is_object()) {
        std::string out;
        for (const auto& [k, x] : v.items())
            out += (out.empty() ? "" : "<br>") + esc(k) + ": " + json_cell(x);
        return out;
    }
    return esc(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string render_footer(const RunFolder& run) {
    static const std::map<std::string, std::pair<const char*, const char*>, std::less<>> kNames = {
        {"rencheng_version", {"RenCheng version", "韧城版本"}},
        {"started_utc", {"Started (UTC)", "开始时间（UTC）"}},
        {"wall_s", {"Wall time (s)", "运行时间（秒）"}},
        {"threads", {"Threads", "线程数"}},
        {"mpi_ranks", {"MPI ranks", "MPI 进程数"}},
        {"scenario_file", {"Scenario file", "情景文件"}},
        {"city_bundle", {"City bundle", "城市数据包"}},
        {"command", {"Command", "命令"}},
        {"checks", {"Checks", "校验"}},
    };
    std::string h = "<footer id=\"run\"><h2>" + bi("Run information", "运行信息") +
                    "</h2><table class=\"compact\"><tbody>";
    // The contract's order first, then any other member.
    std::vector<std::string> keys = {"rencheng_version", "started_utc",   "wall_s",      "threads",
                                     "mpi_ranks",        "scenario_file", "city_bundle", "command"};
    if (run.run_json.is_object())
        for (const auto& [k, v] : run.run_json.items())
            if (k != "schema" && std::find(keys.begin(), keys.end(), k) == keys.end())
                keys.push_back(k);
    if (run.run_json.is_object())
        for (const std::string& k : keys) {
            const json* found = find_key(run.run_json, k.c_str());
            if (found == nullptr)
                continue;
            const json& v = *found;
            const auto it = kNames.find(k);
            h += "<tr><th scope=\"row\">" +
                 (it == kNames.end() ? esc(k) : bi(it->second.first, it->second.second)) +
                 "</th><td>" + json_cell(v) + "</td></tr>";
        }
    h += "</tbody></table><p class=\"fine\">" +
         bi("Made by rencheng report from summary.json, run.json, assets.geojson, timeseries.csv "
            "and events.jsonl. Statistics are over Monte Carlo realizations; P10/P90 are the "
            "10th and 90th percentiles. See docs/report.md.",
            "由 rencheng report 根据 summary.json、run.json、assets.geojson、timeseries.csv 和 "
            "events.jsonl 生成。统计量基于蒙特卡洛模拟；P10/P90 为第 10 和第 90 百分位数。详见 "
            "docs/report.md。") +
         "</p></footer>";
    return h;
}

/// JSON text safe inside a <script> element: '<', '>' and '&' written as \u escapes, so no
/// "</script>" or "<!--" can appear; the JSON value is unchanged.
std::string script_json(const json& v) {
    const std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        if (ch == '<')
            out += "\\u003c";
        else if (ch == '>')
            out += "\\u003e";
        else if (ch == '&')
            out += "\\u0026";
        else
            out += ch;
    }
    return out;
}

std::string render_page(const RunFolder& run) {
    const Summary& s = run.summary;
    std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta name=\"generator\" content=\"rencheng report\">\n<title>";
    h += esc(scenario_title_en(s)) + " — RenCheng / " + esc(scenario_title_zh(s)) + " — 韧城";
    h += "</title>\n<style>\n";
    h += kReportCss;
    h += "</style>\n</head>\n<body>\n";
    // The language toggle works without JavaScript: the stylesheet shows the labels of the
    // checked radio button's language (body:has(#lang-zh:checked)).
    h += "<input type=\"radio\" name=\"rc-lang\" id=\"lang-en\" class=\"vh\" checked>"
         "<input type=\"radio\" name=\"rc-lang\" id=\"lang-zh\" class=\"vh\">\n";
    h += render_header(run);
    h += "\n<main>\n";
    h += render_headline(run) + "\n";
    h += render_map(run) + "\n";
    h += render_curves(run) + "\n";
    h += render_timeline(run) + "\n";
    h += render_causes(s) + "\n";
    h += render_criticality(s) + "\n";
    h += render_districts(s) + "\n";
    h += render_montecarlo(run) + "\n";
    h += render_activity(run) + "\n";
    h += "</main>\n";
    h += render_footer(run);
    h += "\n<script type=\"application/json\" id=\"rc-data\">";
    h += script_json(json{{"summary", run.summary_json}, {"run", run.run_json}});
    h += "</script>\n<script>\n";
    h += kReportJs;
    h += "</script>\n</body>\n</html>\n";
    return h;
}

} // namespace

std::string render_report_html(const std::filesystem::path& run_dir) {
    Diagnostics diags;
    const RunFolder run = read_run_folder(run_dir, diags);
    if (diags.has_errors()) {
        diags.sort();
        ErrorCode code = ErrorCode::kInternal;
        for (const Diagnostic& d : diags.items())
            if (d.severity == Severity::kError) {
                code = d.code;
                break;
            }
        throw Error(code, std::move(diags));
    }
    return render_page(run);
}

void write_report_html(const std::filesystem::path& run_dir) {
    const std::string html = render_report_html(run_dir);
    write_file_atomic(run_dir / "report.html", html);
}

} // namespace rencheng::report
