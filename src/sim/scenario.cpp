// Reads the stress-test scenario TOML (docs/scenario.md) with file:line diagnostics.
#include "sim/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include <toml++/toml.h>

#include "core/atomic_file.hpp"
#include "hazard/earthquake.hpp"
#include "hazard/fragility.hpp"
#include "hazard/rainfall.hpp"

namespace rencheng::sim {

namespace fs = std::filesystem;

std::string_view hazard_type_name(HazardType t) {
    switch (t) {
    case HazardType::kFailure:
        return "failure";
    case HazardType::kRandomFailures:
        return "random_failures";
    case HazardType::kSupplyLoss:
        return "supply_loss";
    case HazardType::kEarthquake:
        return "earthquake";
    case HazardType::kRainstorm:
        return "rainstorm";
    case HazardType::kTyphoon:
        return "typhoon";
    }
    return "?";
}

std::string_view dispatch_policy_name(DispatchPolicy p) {
    switch (p) {
    case DispatchPolicy::kCriticalFirst:
        return "critical_first";
    case DispatchPolicy::kMostPeoplePerCrewHour:
        return "most_people_per_crew_hour";
    case DispatchPolicy::kPriorityList:
        return "priority_list";
    }
    return "?";
}

std::optional<DispatchPolicy> parse_dispatch_policy(std::string_view name) {
    for (auto p : {DispatchPolicy::kCriticalFirst, DispatchPolicy::kMostPeoplePerCrewHour,
                   DispatchPolicy::kPriorityList})
        if (dispatch_policy_name(p) == name)
            return p;
    return std::nullopt;
}

std::string_view skill_name(Skill s) {
    switch (s) {
    case Skill::kWater:
        return "water";
    case Skill::kPower:
        return "power";
    case Skill::kRoads:
        return "roads";
    case Skill::kGas:
        return "gas";
    }
    return "?";
}

std::optional<Skill> parse_skill(std::string_view name) {
    for (auto s : {Skill::kWater, Skill::kPower, Skill::kRoads, Skill::kGas})
        if (skill_name(s) == name)
            return s;
    return std::nullopt;
}

RepairTime RepairTable::find(std::string_view kind, std::string_view state) const {
    const std::string key = std::string(kind) + "." + std::string(state);
    const std::string fallback = std::string(kind) + ".failed";
    const RepairTime* found = nullptr;
    for (const auto& [k, v] : entries) {
        if (k == key)
            return v;
        if (k == fallback)
            found = &v;
    }
    return found != nullptr ? *found : RepairTime{24.0, 0.0};
}

RepairTable default_repair_table() {
    // HAZUS-MH 2.1 Technical Manual restoration functions (normal distributions, mean and σ in
    // days, converted to hours): electric substations (Table 8-?; slight 1 d σ 0.5, moderate 3 d
    // σ 1.5, extensive 7 d σ 3.5, complete 30 d σ 15), water pumping plants (slight 0.9/0.3,
    // moderate 3.1/2.7, extensive 13.5/10, complete 35/18), highway bridges (slight 0.6/0.6,
    // moderate 2.5/2.7, extensive 75/42, complete 230/110). Pipe leaks and breaks, lines, road
    // links and the generic "failed" state are engineering-judgement defaults
    // (docs/scenario.md "Repair durations" says which is which).
    RepairTable t;
    auto add = [&](const char* key, double mean_h, double sd_h) {
        t.entries.emplace_back(key, RepairTime{mean_h, sd_h});
    };
    add("water_pipe.leak", 4, 1);
    add("water_pipe.break", 10, 3);
    add("water_pipe.failed", 10, 3);
    add("water_pump.slight", 0.9 * 24, 0.3 * 24);
    add("water_pump.moderate", 3.1 * 24, 2.7 * 24);
    add("water_pump.extensive", 13.5 * 24, 10 * 24);
    add("water_pump.complete", 35 * 24, 18 * 24);
    add("water_pump.failed", 12, 4);
    add("water_valve.failed", 6, 2);
    add("water_source.failed", 24, 8);
    add("water_tank.failed", 24, 8);
    add("power_bus.slight", 1 * 24, 0.5 * 24);
    add("power_bus.moderate", 3 * 24, 1.5 * 24);
    add("power_bus.extensive", 7 * 24, 3.5 * 24);
    add("power_bus.complete", 30 * 24, 15 * 24);
    add("power_bus.failed", 8, 3);
    add("power_branch.failed", 6, 2);
    add("power_gen.failed", 24, 8);
    // typhoon wind: per pole or tower down (docs/scenario.md "Repair durations")
    add("power_pole.failed", 6, 2);
    add("power_tower.failed", 72, 24);
    add("road_link.slight", 0.6 * 24, 0.6 * 24);
    add("road_link.moderate", 2.5 * 24, 2.7 * 24);
    add("road_link.extensive", 75 * 24, 42 * 24);
    add("road_link.complete", 230 * 24, 110 * 24);
    add("road_link.failed", 6, 2);
    add("road_link.closed", 6, 2);
    add("road_node.failed", 6, 2);
    add("facility.failed", 48, 16);
    // Gas (docs/scenario.md "Repair durations"): engineering-judgement defaults.
    add("gas_pipe.leak", 6, 2);
    add("gas_pipe.break", 12, 4);
    add("gas_pipe.failed", 12, 4);
    add("gas_regulator.slight", 4, 1);
    add("gas_regulator.moderate", 12, 4);
    add("gas_regulator.extensive", 24, 8);
    add("gas_regulator.complete", 48, 16);
    add("gas_regulator.failed", 12, 4);
    add("gas_compressor.failed", 24, 8);
    add("gas_valve.failed", 6, 2);
    add("gas_source.slight", 8, 2);
    add("gas_source.moderate", 24, 8);
    add("gas_source.extensive", 72, 24);
    add("gas_source.complete", 168, 56);
    add("gas_source.failed", 24, 8);
    return t;
}

namespace {

int line_of(const toml::source_region& s) {
    return static_cast<int>(s.begin.line);
}

/// Reads the keys of one table with type and range checks; every problem goes to `diags`.
class Reader {
public:
    Reader(const toml::table& table, std::string name, const std::string& file, Diagnostics& diags)
        : table_(table), name_(std::move(name)), file_(file), diags_(diags) {}

    void check_keys(std::initializer_list<std::string_view> known) {
        for (auto&& [key, node] : table_) {
            if (std::find(known.begin(), known.end(), key.str()) != known.end())
                continue;
            std::string list;
            for (auto k : known)
                list += (list.empty() ? "" : ", ") + std::string(k);
            diags_.error(ErrorCode::kUnknownKey, file_, line_of(key.source()), 0, "",
                         "unknown key '" + std::string(key.str()) + "' in " + name_ +
                             " (known: " + list + ")");
        }
    }

    [[nodiscard]] bool has(std::string_view key) const { return table_.get(key) != nullptr; }
    [[nodiscard]] int line(std::string_view key) const {
        const toml::node* n = table_.get(key);
        return n != nullptr ? line_of(n->source()) : line_of(table_.source());
    }
    [[nodiscard]] int table_line() const { return line_of(table_.source()); }

    void missing(std::string_view key) {
        diags_.error(ErrorCode::kMissingKey, file_, table_line(), 0, "",
                     name_ + " has no '" + std::string(key) + "'");
    }
    void bad(ErrorCode code, std::string_view key, const std::string& message) {
        diags_.error(code, file_, line(key), 0, "", name_ + "." + std::string(key) + " " + message);
    }

    std::optional<std::string> string(std::string_view key, bool required) {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            if (required)
                missing(key);
            return std::nullopt;
        }
        const auto* s = n->as_string();
        if (s == nullptr || s->get().empty()) {
            bad(ErrorCode::kWrongType, key, "must be a non-empty string");
            return std::nullopt;
        }
        return s->get();
    }

    /// A number (integers convert) in [lo, hi].
    std::optional<double> number(std::string_view key, bool required, double lo, double hi) {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            if (required)
                missing(key);
            return std::nullopt;
        }
        const auto v = n->value<double>();
        if (!v.has_value() || n->is_boolean() || n->is_string()) {
            bad(ErrorCode::kWrongType, key, "must be a number");
            return std::nullopt;
        }
        if (!std::isfinite(*v) || *v < lo || *v > hi) {
            bad(ErrorCode::kOutOfRange, key,
                "= " + format_number(*v) + " is out of range [" + format_number(lo) + ", " +
                    format_number(hi) + "]");
            return std::nullopt;
        }
        return *v;
    }

    std::optional<std::int64_t> integer(std::string_view key, bool required, std::int64_t lo,
                                        std::int64_t hi) {
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            if (required)
                missing(key);
            return std::nullopt;
        }
        const auto* i = n->as_integer();
        if (i == nullptr) {
            bad(ErrorCode::kWrongType, key, "must be an integer");
            return std::nullopt;
        }
        const std::int64_t v = i->get();
        if (v < lo || v > hi) {
            bad(ErrorCode::kOutOfRange, key,
                "= " + std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " +
                    std::to_string(hi) + "]");
            return std::nullopt;
        }
        return v;
    }

    std::optional<bool> boolean(std::string_view key) {
        const toml::node* n = table_.get(key);
        if (n == nullptr)
            return std::nullopt;
        const auto* b = n->as_boolean();
        if (b == nullptr) {
            bad(ErrorCode::kWrongType, key, "must be true or false");
            return std::nullopt;
        }
        return b->get();
    }

    std::vector<std::string> strings(std::string_view key, bool required) {
        std::vector<std::string> out;
        const toml::node* n = table_.get(key);
        if (n == nullptr) {
            if (required)
                missing(key);
            return out;
        }
        const auto* arr = n->as_array();
        bool ok = arr != nullptr && (!required || !arr->empty());
        if (arr != nullptr)
            for (const auto& e : *arr) {
                const auto* s = e.as_string();
                if (s == nullptr || s->get().empty())
                    ok = false;
                else
                    out.push_back(s->get());
            }
        if (!ok) {
            bad(ErrorCode::kWrongType, key,
                std::string("must be an array of ") + (required ? "one or more " : "") +
                    "non-empty strings");
            out.clear();
        }
        return out;
    }

    [[nodiscard]] const toml::table& table() const { return table_; }
    [[nodiscard]] const std::string& name() const { return name_; }

    static std::string format_number(double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }

private:
    const toml::table& table_;
    std::string name_;
    const std::string& file_;
    Diagnostics& diags_;
};

/// An asset name "layer:id" with a non-empty layer and id.
bool asset_syntax_ok(std::string_view a) {
    const auto colon = a.find(':');
    return colon != std::string_view::npos && colon > 0 && colon + 1 < a.size();
}

void read_scenario_table(const toml::table& t, const std::string& file, const fs::path& folder,
                         Scenario& s, Diagnostics& diags) {
    Reader r(t, "[scenario]", file, diags);
    r.check_keys({"name", "title", "title_zh", "city", "horizon_h", "step_min", "seed",
                  "realizations", "fragility"});
    if (auto v = r.string("name", false))
        s.name = *v;
    if (auto v = r.string("title", false))
        s.title = *v;
    if (auto v = r.string("title_zh", false))
        s.title_zh = *v;
    if (auto v = r.string("city", true))
        s.city = (folder / *v).lexically_normal();
    if (auto v = r.number("horizon_h", false, 1.0 / 60.0, 24.0 * 366.0))
        s.horizon_s = std::llround(*v * 3600.0);
    if (auto v = r.number("step_min", false, 1.0, 24.0 * 60.0))
        s.step_s = std::llround(*v * 60.0);
    if (s.horizon_s % s.step_s != 0)
        diags.error(ErrorCode::kInconsistent, file, r.line("step_min"), 0, "",
                    "[scenario].step_min must divide horizon_h (" + std::to_string(s.horizon_s) +
                        " s is not a multiple of " + std::to_string(s.step_s) + " s)");
    if (auto v = r.integer("seed", false, 0, std::numeric_limits<std::int64_t>::max()))
        s.seed = static_cast<std::uint64_t>(*v);
    if (auto v = r.integer("realizations", false, 1, 1000000))
        s.realizations = static_cast<std::int32_t>(*v);
    if (auto v = r.string("fragility", false))
        s.fragility_file = (folder / *v).lexically_normal().string();
}

/// The keys of a rainstorm hazard (docs/scenario.md "Rainstorm"); `nested`: a typhoon's
/// [hazard.rain] table, which has no type or labels of its own.
void read_rainstorm(Reader& r, const fs::path& folder, HazardSpec& h, bool nested = false) {
    if (nested)
        r.check_keys({"time_h", "city", "return_period_years", "duration_h", "hyetograph",
                      "peak_ratio", "step_min", "series", "zone_flood_m", "asset_radius_m",
                      "min_ponded_area_m2", "max_flood_depth_m"});
    else
        r.check_keys({"type", "label", "label_zh", "time_h", "city", "return_period_years",
                      "duration_h", "hyetograph", "peak_ratio", "step_min", "series",
                      "zone_flood_m", "asset_radius_m", "min_ponded_area_m2", "max_flood_depth_m"});
    const bool has_city = r.has("city"), has_series = r.has("series");
    if (has_city == has_series) {
        r.bad(has_city ? ErrorCode::kInconsistent : ErrorCode::kMissingKey,
              has_city ? "series" : "city",
              has_city ? "cannot be given with city: a rainstorm is a design storm (city) or a "
                         "rain series (series), not both"
                       : "is required: a rainstorm needs a design storm (city = \"wuhan\", …) or "
                         "a rain series CSV (series = \"rain.csv\")");
    }
    if (auto v = r.string("series", false))
        h.rain_series = (folder / *v).lexically_normal().string();
    const hazard::CityRainfallFormula* formula = nullptr;
    if (auto v = r.string("city", false)) {
        h.rain_city = *v;
        formula = hazard::find_city_rainfall_formula(*v);
        if (formula == nullptr) {
            std::string known;
            for (const auto& c : hazard::city_rainfall_formulas())
                known += (known.empty() ? "" : ", ") + c.key;
            r.bad(ErrorCode::kUnknownValue, "city",
                  "= '" + *v + "' is not a city of the rainfall library (" + known + ")");
        }
    }
    if (auto v = r.number("return_period_years", false, 0.1, 10000.0)) {
        h.return_period_years = *v;
        if (formula != nullptr &&
            (*v < formula->min_return_period_a - 1e-9 || *v > formula->max_return_period_a + 1e-9))
            r.bad(ErrorCode::kOutOfRange, "return_period_years",
                  "= " + Reader::format_number(*v) + " is outside the range of " +
                      formula->name_en + "'s formula (" +
                      Reader::format_number(formula->min_return_period_a) + " to " +
                      Reader::format_number(formula->max_return_period_a) + " years)");
    }
    if (auto v = r.number("duration_h", false, 1.0 / 60.0, 72.0))
        h.duration_h = *v;
    if (auto v = r.string("hyetograph", false)) {
        h.hyetograph = *v;
        if (h.hyetograph != "chicago" && h.hyetograph != "uniform")
            r.bad(ErrorCode::kUnknownValue, "hyetograph",
                  "= '" + *v + "' is not a hyetograph (chicago, uniform)");
    }
    if (auto v = r.number("peak_ratio", false, 0.0, 1.0))
        h.peak_ratio = *v;
    if (auto v = r.number("step_min", false, 1.0, 60.0)) {
        h.rain_step_s = std::llround(*v * 60.0);
        if (std::fabs(*v * 60.0 - static_cast<double>(h.rain_step_s)) > 1e-6)
            r.bad(ErrorCode::kOutOfRange, "step_min", "must be a whole number of seconds");
    }
    const auto duration_s = std::llround(h.duration_h * 3600.0);
    if (h.rain_series.empty() && duration_s % h.rain_step_s != 0)
        r.bad(ErrorCode::kInconsistent, "step_min",
              "must divide duration_h (" + std::to_string(duration_s) + " s is not a multiple of " +
                  std::to_string(h.rain_step_s) + " s)");
    if (auto v = r.number("zone_flood_m", false, 0.01, 5.0))
        h.zone_flood_m = *v;
    if (auto v = r.number("asset_radius_m", false, 1.0, 5000.0))
        h.asset_radius_m = *v;
    if (auto v = r.number("min_ponded_area_m2", false, 1.0, 1e6))
        h.min_ponded_area_m2 = *v;
    if (auto v = r.number("max_flood_depth_m", false, 0.1, 20.0))
        h.max_flood_depth_m = *v;
}

/// The keys of a typhoon hazard (docs/scenario.md "Typhoon"): the track as [[hazard.track]]
/// fixes or a CSV, the wind options, the supports of overhead lines, and the optional
/// [hazard.rain] (rainstorm keys) and [hazard.surge] tables.
void read_typhoon(Reader& r, const std::string& file, const fs::path& folder, Diagnostics& diags,
                  HazardSpec& h) {
    r.check_keys({"type", "label", "label_zh", "track", "track_csv", "gust_factor", "asymmetry",
                  "translation_factor", "air_density", "wind_step_min", "pole_spacing_m",
                  "tower_spacing_m", "overhead_fraction", "rain", "surge"});
    const toml::table& t = r.table();
    const bool has_track = r.has("track"), has_csv = r.has("track_csv");
    if (has_track == has_csv)
        r.bad(has_track ? ErrorCode::kInconsistent : ErrorCode::kMissingKey,
              has_track ? "track_csv" : "track",
              has_track ? "cannot be given with track: the track is inline fixes or a CSV, not "
                          "both"
                        : "is required: a typhoon needs its track ([[hazard.track]] fixes with "
                          "time_h, lon, lat, central_pressure_hpa, rmw_km; or track_csv)");
    if (auto v = r.string("track_csv", false))
        h.track_csv = (folder / *v).lexically_normal().string();
    if (const toml::node* n = t.get("track")) {
        const auto* arr = n->as_array();
        if (arr == nullptr || !arr->is_array_of_tables() || arr->empty()) {
            r.bad(ErrorCode::kWrongType, "track",
                  "must be an array of one or more fix tables ([[hazard.track]])");
        } else {
            int k = 0;
            for (const auto& e : *arr) {
                Reader fr(*e.as_table(), r.name() + " track fix " + std::to_string(++k), file,
                          diags);
                fr.check_keys({"time_h", "lon", "lat", "central_pressure_hpa", "rmw_km",
                               "ambient_pressure_hpa", "holland_b"});
                const auto time = fr.number("time_h", true, 0.0, 24.0 * 366.0);
                const auto lon = fr.number("lon", true, -180.0, 180.0);
                const auto lat = fr.number("lat", true, -90.0, 90.0);
                const auto pc = fr.number("central_pressure_hpa", true, 850.0, 1100.0);
                const auto rmw = fr.number("rmw_km", true, 1.0, 500.0);
                const auto pn = fr.number("ambient_pressure_hpa", false, 900.0, 1100.0);
                const auto b = fr.number("holland_b", false, 0.01, 3.0);
                if (!time || !lon || !lat || !pc || !rmw ||
                    (fr.has("ambient_pressure_hpa") && !pn) || (fr.has("holland_b") && !b))
                    continue;
                hazard::TrackPoint p;
                p.time_s = std::llround(*time * 3600.0);
                p.centre = {*lon, *lat};
                p.central_pressure_hpa = *pc;
                p.rmw_km = *rmw;
                p.ambient_pressure_hpa = pn.value_or(1010.0);
                p.holland_b = b;
                if (p.central_pressure_hpa >= p.ambient_pressure_hpa) {
                    fr.bad(ErrorCode::kOutOfRange, "central_pressure_hpa",
                           "= " + Reader::format_number(*pc) +
                               " must be below the ambient pressure (" +
                               Reader::format_number(p.ambient_pressure_hpa) + " hPa)");
                    continue;
                }
                if (!h.track.empty() && p.time_s <= h.track.back().time_s) {
                    fr.bad(ErrorCode::kInconsistent, "time_h",
                           "must be later than the previous fix's");
                    continue;
                }
                h.track.push_back(p);
            }
        }
    }
    h.wind.asymmetry = true; // the translation asymmetry is part of the typhoon hazard
    if (auto v = r.number("gust_factor", false, 1.0, 3.0))
        h.wind.gust_factor = *v;
    if (auto v = r.boolean("asymmetry"))
        h.wind.asymmetry = *v;
    if (auto v = r.number("translation_factor", false, 0.0, 1.5))
        h.wind.translation_factor = *v;
    if (auto v = r.number("air_density", false, 0.6, 1.9))
        h.wind.air_density = *v;
    if (auto v = r.number("wind_step_min", false, 1.0, 60.0))
        h.wind_step_s = std::llround(*v * 60.0);
    if (auto v = r.number("pole_spacing_m", false, 10.0, 500.0))
        h.pole_spacing_m = *v;
    if (auto v = r.number("tower_spacing_m", false, 50.0, 2000.0))
        h.tower_spacing_m = *v;
    if (auto v = r.number("overhead_fraction", false, 0.0, 1.0))
        h.overhead_fraction = *v;

    auto sub = [&](std::string_view key) -> const toml::table* {
        const toml::node* n = t.get(key);
        if (n == nullptr)
            return nullptr;
        if (!n->is_table()) {
            r.bad(ErrorCode::kWrongType, key,
                  "must be a table [hazard." + std::string(key) + "] after its [[hazard]]");
            return nullptr;
        }
        return n->as_table();
    };
    if (const toml::table* rain = sub("rain")) {
        Reader rr(*rain, r.name() + ".rain", file, diags);
        h.typhoon_rain = true;
        read_rainstorm(rr, folder, h, true);
        if (auto v = rr.number("time_h", false, 0.0, 24.0 * 366.0))
            h.rain_time_s = std::llround(*v * 3600.0);
    }
    if (const toml::table* surge = sub("surge")) {
        Reader sr(*surge, r.name() + ".surge", file, diags);
        h.surge = true;
        h.surge_line = sr.table_line();
        sr.check_keys({"peak_m", "landfall_h", "peak_offset_h", "duration_h", "normal_stage_m",
                       "series", "outfalls"});
        const bool has_peak = sr.has("peak_m"), has_series = sr.has("series");
        if (has_peak == has_series)
            sr.bad(has_peak ? ErrorCode::kInconsistent : ErrorCode::kMissingKey,
                   has_peak ? "series" : "peak_m",
                   has_peak ? "cannot be given with peak_m: the surge is a hydrograph (peak_m) or "
                              "a series CSV (series), not both"
                            : "is required: a surge needs peak_m (with landfall_h, peak_offset_h, "
                              "duration_h) or a series CSV");
        if (has_series)
            for (const char* k : {"landfall_h", "peak_offset_h", "duration_h"})
                if (sr.has(k))
                    sr.bad(ErrorCode::kInconsistent, k,
                           "applies to the peak_m hydrograph, not to a series (its times are the "
                           "scenario's)");
        if (auto v = sr.number("peak_m", false, 0.0, 20.0))
            h.surge_peak_m = *v;
        if (auto v = sr.number("landfall_h", false, 0.0, 24.0 * 366.0))
            h.landfall_s = std::llround(*v * 3600.0);
        if (auto v = sr.number("peak_offset_h", false, -72.0, 72.0))
            h.surge_peak_offset_s = std::llround(*v * 3600.0);
        if (auto v = sr.number("duration_h", false, 0.5, 240.0))
            h.surge_duration_s = std::llround(*v * 3600.0);
        if (auto v = sr.number("normal_stage_m", false, -100.0, 10000.0))
            h.normal_stage_m = *v;
        if (auto v = sr.string("series", false))
            h.surge_series = (folder / *v).lexically_normal().string();
        h.surge_outfalls = sr.strings("outfalls", false);
    }
}

void read_hazard(const toml::table& t, const std::string& file, const fs::path& folder, int index,
                 Scenario& s, Diagnostics& diags) {
    Reader r(t, "[[hazard]] #" + std::to_string(index + 1), file, diags);
    HazardSpec h;
    h.line = r.table_line();
    const auto type = r.string("type", true);
    if (!type)
        return;
    if (auto v = r.string("label", false))
        h.label = *v;
    if (auto v = r.string("label_zh", false))
        h.label_zh = *v;
    if (auto v = r.number("time_h", false, 0.0, 24.0 * 366.0))
        h.time_s = std::llround(*v * 3600.0);
    if (*type == "failure") {
        h.type = HazardType::kFailure;
        r.check_keys({"type", "label", "label_zh", "time_h", "assets", "state"});
        h.assets = r.strings("assets", true);
        if (auto v = r.string("state", false))
            h.state = *v;
        static constexpr std::string_view kStates[] = {
            "failed", "break", "leak", "closed", "slight", "moderate", "extensive", "complete"};
        if (std::find(std::begin(kStates), std::end(kStates), h.state) == std::end(kStates))
            r.bad(ErrorCode::kUnknownValue, "state",
                  "= '" + h.state +
                      "' is not a damage state (failed, break, leak, closed, slight, moderate, "
                      "extensive, complete)");
    } else if (*type == "random_failures") {
        h.type = HazardType::kRandomFailures;
        r.check_keys({"type", "label", "label_zh", "time_h", "layer", "count"});
        if (auto v = r.string("layer", true)) {
            h.layer = *v;
            static constexpr std::string_view kLayers[] = {"water_link", "road_link",
                                                           "power_branch", "power_bus", "gas_link"};
            if (std::find(std::begin(kLayers), std::end(kLayers), h.layer) == std::end(kLayers))
                r.bad(ErrorCode::kUnknownValue, "layer",
                      "= '" + h.layer +
                          "' cannot fail at random (water_link, road_link, power_branch, "
                          "power_bus, gas_link)");
        }
        if (auto v = r.integer("count", true, 1, 100000))
            h.count = static_cast<std::int32_t>(*v);
    } else if (*type == "supply_loss") {
        h.type = HazardType::kSupplyLoss;
        r.check_keys(
            {"type", "label", "label_zh", "time_h", "supply", "cause", "assets", "duration_h"});
        if (auto v = r.string("supply", true)) {
            h.supply = *v;
            if (h.supply != "power" && h.supply != "water" && h.supply != "gas")
                r.bad(ErrorCode::kUnknownValue, "supply",
                      "= '" + h.supply + "' is not a supply (power, water, gas)");
        }
        if (auto v = r.string("cause", false)) {
            h.cause = *v;
            if (h.cause != "loss" && h.cause != "contamination")
                r.bad(ErrorCode::kUnknownValue, "cause",
                      "= '" + h.cause + "' is not a cause (loss, contamination)");
        }
        h.assets = r.strings("assets", false);
        if (auto v = r.number("duration_h", false, 0.0, 24.0 * 366.0))
            h.duration_s = std::llround(*v * 3600.0);
    } else if (*type == "rainstorm") {
        h.type = HazardType::kRainstorm;
        read_rainstorm(r, folder, h);
    } else if (*type == "typhoon") {
        h.type = HazardType::kTyphoon;
        read_typhoon(r, file, folder, diags, h);
    } else if (*type == "earthquake") {
        h.type = HazardType::kEarthquake;
        r.check_keys({"type", "label", "label_zh", "time_h", "magnitude", "epicentre", "depth_km",
                      "mechanism", "vs30_m_s", "vs30_grid", "gmpe", "variability", "shakemap",
                      "pipe_repair_model"});
        if (auto sm = r.string("shakemap", false)) {
            h.shakemap = (folder / *sm).lexically_normal().string();
        } else {
            if (auto v = r.number("magnitude", true, 4.0, 9.5))
                h.magnitude = *v;
            if (const toml::node* n = t.get("epicentre")) {
                const auto* arr = n->as_array();
                std::optional<double> lon, lat;
                if (arr != nullptr && arr->size() == 2) {
                    lon = (*arr)[0].value<double>();
                    lat = (*arr)[1].value<double>();
                }
                if (!lon || !lat || *lon < -180 || *lon > 180 || *lat < -90 || *lat > 90)
                    r.bad(ErrorCode::kWrongType, "epicentre",
                          "must be [lon, lat] in degrees (lon in [-180, 180], lat in [-90, 90])");
                else
                    h.epicentre = {*lon, *lat};
            } else {
                r.missing("epicentre");
            }
            if (auto v = r.number("depth_km", false, 0.0, 700.0))
                h.depth_km = *v;
            if (auto v = r.string("mechanism", false)) {
                h.mechanism = *v;
                if (!hazard::parse_fault_mechanism(*v))
                    r.bad(ErrorCode::kUnknownValue, "mechanism",
                          "= '" + *v +
                              "' is not a mechanism (unspecified, strike_slip, normal, reverse)");
            }
            if (auto v = r.number("vs30_m_s", false, 100.0, 3000.0))
                h.vs30_m_s = *v;
            if (auto v = r.string("vs30_grid", false))
                h.vs30_grid = (folder / *v).lexically_normal().string();
            if (auto v = r.string("gmpe", false)) {
                h.gmpe = *v;
                if (h.gmpe != "ba08" && h.gmpe != "yu_jin_2008")
                    r.bad(ErrorCode::kUnknownValue, "gmpe",
                          "= '" + *v + "' is not a ground-motion model (ba08, yu_jin_2008)");
            }
            if (auto v = r.boolean("variability"))
                h.variability = *v;
        }
        if (auto v = r.string("pipe_repair_model", false)) {
            h.pipe_repair_model = *v;
            if (!hazard::parse_pipe_repair_model(*v))
                r.bad(ErrorCode::kUnknownValue, "pipe_repair_model",
                      "= '" + *v +
                          "' is not a repair-rate model (hazus_brittle, hazus_ductile, "
                          "ala2001_linear, ala2001_power)");
        }
    } else {
        r.bad(ErrorCode::kUnknownValue, "type",
              "= '" + *type +
                  "' is not a hazard type (failure, random_failures, supply_loss, earthquake, "
                  "rainstorm, typhoon)");
        return;
    }
    if (r.has("assets"))
        h.assets_line = r.line("assets");
    for (const auto& a : h.assets)
        if (!asset_syntax_ok(a))
            r.bad(ErrorCode::kWrongType, "assets",
                  "holds '" + a + "', which is not an asset name <layer>:<id>");
    (void)folder;
    s.hazards.push_back(std::move(h));
}

void read_recovery(const toml::table& t, const std::string& file, Scenario& s, Diagnostics& diags) {
    Reader r(t, "[recovery]", file, diags);
    r.check_keys({"policy", "compare", "priority", "crews", "repair_hours", "mobile_generators",
                  "generator_depot", "water_trucks", "water_truck_people", "truck_depot"});
    RecoverySpec& rec = s.recovery;
    if (auto v = r.string("policy", false)) {
        if (auto p = parse_dispatch_policy(*v))
            rec.policy = *p;
        else
            r.bad(ErrorCode::kUnknownValue, "policy",
                  "= '" + *v +
                      "' is not a policy (critical_first, most_people_per_crew_hour, "
                      "priority_list)");
    }
    for (const auto& name : r.strings("compare", false)) {
        if (auto p = parse_dispatch_policy(name)) {
            if (*p != rec.policy &&
                std::find(rec.compare.begin(), rec.compare.end(), *p) == rec.compare.end())
                rec.compare.push_back(*p);
        } else {
            r.bad(ErrorCode::kUnknownValue, "compare", "holds '" + name + "', not a policy");
        }
    }
    rec.priority = r.strings("priority", false);
    for (const auto& a : rec.priority)
        if (!asset_syntax_ok(a))
            r.bad(ErrorCode::kWrongType, "priority", "holds '" + a + "', not <layer>:<id>");
    if (auto v = r.integer("mobile_generators", false, 0, 10000))
        rec.mobile_generators = static_cast<std::int32_t>(*v);
    if (auto v = r.string("generator_depot", false))
        rec.generator_depot = *v;
    if (auto v = r.integer("water_trucks", false, 0, 10000))
        rec.water_trucks = static_cast<std::int32_t>(*v);
    if (auto v = r.number("water_truck_people", false, 1.0, 1e7))
        rec.water_truck_people = *v;
    if (auto v = r.string("truck_depot", false))
        rec.truck_depot = *v;

    if (const toml::node* n = t.get("crews")) {
        const auto* arr = n->as_array();
        if (arr == nullptr || !arr->is_array_of_tables()) {
            r.bad(ErrorCode::kWrongType, "crews", "must be an array of tables [[recovery.crews]]");
        } else {
            int i = 0;
            for (const auto& e : *arr) {
                const auto& ct = *e.as_table();
                Reader cr(ct, "[[recovery.crews]] #" + std::to_string(++i), file, diags);
                cr.check_keys({"depot", "skill", "count"});
                CrewSpec c;
                c.line = cr.table_line();
                if (auto v = cr.string("depot", true)) {
                    c.depot = *v;
                    if (!asset_syntax_ok(c.depot))
                        cr.bad(ErrorCode::kWrongType, "depot", "must be an asset facility:<id>");
                }
                if (auto v = cr.string("skill", true)) {
                    if (auto sk = parse_skill(*v))
                        c.skill = *sk;
                    else
                        cr.bad(ErrorCode::kUnknownValue, "skill",
                               "= '" + *v + "' is not a skill (water, power, roads)");
                }
                if (auto v = cr.integer("count", false, 1, 10000))
                    c.count = static_cast<std::int32_t>(*v);
                rec.crews.push_back(std::move(c));
            }
        }
    }
    if (const toml::node* n = t.get("repair_hours")) {
        const auto* rt = n->as_table();
        if (rt == nullptr) {
            r.bad(ErrorCode::kWrongType, "repair_hours", "must be a table");
        } else {
            for (auto&& [key, value] : *rt) {
                const std::string k(key.str());
                const int line = line_of(key.source());
                const auto dot = k.find('.');
                if (dot == std::string::npos || dot == 0 || dot + 1 == k.size()) {
                    diags.error(ErrorCode::kWrongType, file, line, 0, "",
                                "[recovery.repair_hours] key '" + k +
                                    "' must read <kind>.<state>, e.g. \"water_pipe.break\"; "
                                    "quote it");
                    continue;
                }
                RepairTime rt_value;
                bool ok = false;
                if (auto x = value.value<double>(); x && !value.is_boolean()) {
                    rt_value.mean_h = *x;
                    ok = true;
                } else if (const auto* a = value.as_array(); a != nullptr && a->size() == 2) {
                    auto m = (*a)[0].value<double>();
                    auto sd = (*a)[1].value<double>();
                    if (m && sd) {
                        rt_value = {*m, *sd};
                        ok = true;
                    }
                }
                if (!ok || !(rt_value.mean_h > 0) || !(rt_value.sd_h >= 0) ||
                    !std::isfinite(rt_value.mean_h) || !std::isfinite(rt_value.sd_h)) {
                    diags.error(ErrorCode::kOutOfRange, file, line, 0, "",
                                "[recovery.repair_hours]." + k +
                                    " must be hours > 0 or [mean_h > 0, sd_h >= 0]");
                    continue;
                }
                auto& entries = rec.repair.entries;
                auto it = std::find_if(entries.begin(), entries.end(),
                                       [&](const auto& e) { return e.first == k; });
                if (it != entries.end())
                    it->second = rt_value;
                else
                    entries.emplace_back(k, rt_value);
            }
        }
    }
}

void read_intervention(const toml::table& t, const std::string& file, int index, Scenario& s,
                       Diagnostics& diags) {
    Reader r(t, "[[intervention]] #" + std::to_string(index + 1), file, diags);
    InterventionSpec iv;
    iv.line = r.table_line();
    const auto type = r.string("type", true);
    if (!type)
        return;
    if (auto v = r.string("asset", true)) {
        iv.asset = *v;
        if (!asset_syntax_ok(iv.asset))
            r.bad(ErrorCode::kWrongType, "asset", "must be an asset <layer>:<id>");
    }
    if (*type == "backup_hours") {
        iv.type = InterventionType::kBackupHours;
        r.check_keys({"type", "asset", "service", "hours"});
        if (auto v = r.string("service", true)) {
            if (auto sv = model::parse_service(*v))
                iv.service = *sv;
            else
                r.bad(ErrorCode::kUnknownValue, "service", "= '" + *v + "' is not a service");
        }
        if (auto v = r.number("hours", true, 0.0, 24.0 * 366.0))
            iv.hours = *v;
    } else if (*type == "harden") {
        iv.type = InterventionType::kHarden;
        r.check_keys({"type", "asset"});
    } else {
        r.bad(ErrorCode::kUnknownValue, "type",
              "= '" + *type + "' is not an intervention (backup_hours, harden)");
        return;
    }
    s.interventions.push_back(std::move(iv));
}

template <class Fn>
void for_each_table(const toml::table& root, std::string_view key, const std::string& file,
                    Diagnostics& diags, Fn&& fn) {
    const toml::node* n = root.get(key);
    if (n == nullptr)
        return;
    const auto* arr = n->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
        diags.error(ErrorCode::kWrongType, file, line_of(n->source()), 0, "",
                    "'" + std::string(key) + "' must be an array of tables [[" + std::string(key) +
                        "]]");
        return;
    }
    int i = 0;
    for (const auto& e : *arr)
        fn(*e.as_table(), i++);
}

} // namespace

Scenario parse_scenario(std::string_view text, const fs::path& file, Diagnostics& diags) {
    Scenario s;
    s.file = file;
    s.name = file.stem().string();
    const std::string fname = file.string();
    const fs::path folder = file.parent_path();
    toml::table root;
    try {
        root = toml::parse(text, fname);
    } catch (const toml::parse_error& e) {
        diags.error(ErrorCode::kTomlSyntax, fname, static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column), "", std::string(e.description()));
        return s;
    }
    for (auto&& [key, node] : root) {
        static constexpr std::string_view kKnown[] = {"scenario", "hazard",       "recovery",
                                                      "service",  "intervention", "outputs"};
        if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown))
            diags.error(ErrorCode::kUnknownKey, fname, line_of(key.source()), 0, "",
                        "unknown section or key '" + std::string(key.str()) +
                            "' (known: scenario, hazard, recovery, service, intervention, "
                            "outputs)");
    }
    auto table = [&](std::string_view key) -> const toml::table* {
        const toml::node* n = root.get(key);
        if (n == nullptr)
            return nullptr;
        if (!n->is_table()) {
            diags.error(ErrorCode::kWrongType, fname, line_of(n->source()), 0, "",
                        "'" + std::string(key) + "' must be a table [" + std::string(key) + "]");
            return nullptr;
        }
        return n->as_table();
    };
    if (const auto* t = table("scenario"))
        read_scenario_table(*t, fname, folder, s, diags);
    else
        diags.error(ErrorCode::kMissingKey, fname, 1, 0, "",
                    "the scenario has no [scenario] table (it names the city bundle)");
    for_each_table(root, "hazard", fname, diags, [&](const toml::table& t, int i) {
        read_hazard(t, fname, folder, i, s, diags);
    });
    // One storm drives the drainage model: a rainstorm, or a typhoon's rain and surge.
    int storms = 0;
    for (const auto& h : s.hazards)
        if ((h.type == HazardType::kRainstorm ||
             (h.type == HazardType::kTyphoon && (h.typhoon_rain || h.surge))) &&
            ++storms == 2)
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a scenario holds one storm on the drainage network (a rainstorm, or a "
                        "typhoon with rain or surge); this is the second");
    if (const auto* t = table("recovery"))
        read_recovery(*t, fname, s, diags);
    for_each_table(root, "intervention", fname, diags,
                   [&](const toml::table& t, int i) { read_intervention(t, fname, i, s, diags); });
    if (const auto* t = table("service")) {
        Reader r(*t, "[service]", fname, diags);
        r.check_keys({"road_access_minutes", "water_pressure_m", "power_served_fraction"});
        if (auto v = r.number("road_access_minutes", false, 0.1, 24.0 * 60.0))
            s.service.road_access_minutes = *v;
        if (auto v = r.number("water_pressure_m", false, 0.0, 200.0))
            s.service.water_pressure_m = *v;
        if (auto v = r.number("power_served_fraction", false, 0.0, 1.0))
            s.service.power_served_fraction = *v;
    }
    if (const auto* t = table("outputs")) {
        Reader r(*t, "[outputs]", fname, diags);
        r.check_keys({"events_realizations"});
        if (auto v = r.integer("events_realizations", false, 0, 1000000))
            s.outputs.events_realizations = static_cast<std::int32_t>(*v);
    }
    return s;
}

Scenario load_scenario(const fs::path& file, Diagnostics& diags) {
    const std::optional<std::string> text = read_file(file, diags);
    if (!text) {
        Scenario s;
        s.file = file;
        return s;
    }
    return parse_scenario(*text, file, diags);
}

void check_scenario_against_city(const Scenario& s, const model::City& city, Diagnostics& diags) {
    const std::string fname = s.file.string();
    auto check_asset = [&](const std::string& a, int line, const std::string& what) {
        if (!city.has_asset(a))
            diags.error(ErrorCode::kUnknownReference, fname, line, 0, a,
                        what + " names '" + a + "', which is not an asset of the city " +
                            city.info.name);
    };
    auto check_depot = [&](const std::string& a, int line, const std::string& what) {
        if (a.empty())
            return;
        check_asset(a, line, what);
        bool depot = false;
        for (const auto& f : city.facilities)
            depot = depot || ("facility:" + f.id == a && f.kind == model::FacilityKind::kDepot);
        if (city.has_asset(a) && !depot)
            diags.error(ErrorCode::kInconsistent, fname, line, 0, a,
                        what + ": '" + a + "' is not a facility of kind depot");
    };
    for (const auto& h : s.hazards) {
        for (const auto& a : h.assets)
            check_asset(a, h.assets_line > 0 ? h.assets_line : h.line,
                        std::string(hazard_type_name(h.type)) + " hazard");
        if (h.type == HazardType::kSupplyLoss && h.supply == "power" && !city.power)
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a power supply loss needs a power grid, and the city has none");
        if (h.type == HazardType::kSupplyLoss && h.supply == "gas" && !city.gas)
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a gas supply loss needs a gas network ([gas] file in city.toml), and "
                        "the city has none");
        if (h.type == HazardType::kSupplyLoss && h.supply == "water" && !city.water)
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a water source loss needs a water network, and the city has none");
        if (h.type == HazardType::kRainstorm && !city.drainage)
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a rainstorm needs a drainage network ([drainage] file in city.toml), "
                        "and the city " +
                            city.info.name + " has none");
        if (h.type == HazardType::kRainstorm && city.drainage && city.drainage->gages.empty())
            diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                        "a rainstorm falls on the drainage model's rain gages, and the model has "
                        "none ([RAINGAGES] with subcatchments)");
        if (h.type == HazardType::kTyphoon && (h.typhoon_rain || h.surge) && !city.drainage)
            diags.error(ErrorCode::kInconsistent, fname, h.surge ? h.surge_line : h.line, 0, "",
                        "a typhoon's rain and storm surge fall on the drainage network "
                        "([drainage] file in city.toml), and the city " +
                            city.info.name + " has none");
        if (h.type == HazardType::kTyphoon && city.drainage)
            for (const auto& o : h.surge_outfalls) {
                const auto n = city.drainage->find_node(o);
                if (!n.valid() || city.drainage->outfall_of_node[n.idx()] < 0)
                    diags.error(ErrorCode::kUnknownReference, fname, h.surge_line, 0, o,
                                "[hazard.surge].outfalls names '" + o +
                                    "', which is not an outfall of the city's drainage model");
            }
        if (h.type == HazardType::kRandomFailures) {
            const bool present = (h.layer.rfind("water", 0) == 0 && city.water) ||
                                 (h.layer.rfind("road", 0) == 0 && city.roads) ||
                                 (h.layer.rfind("power", 0) == 0 && city.power) ||
                                 (h.layer.rfind("gas", 0) == 0 && city.gas);
            if (!present)
                diags.error(ErrorCode::kInconsistent, fname, h.line, 0, "",
                            "random failures of layer " + h.layer +
                                ", which the city does not have");
        }
    }
    for (const auto& c : s.recovery.crews)
        check_depot(c.depot, c.line, "[[recovery.crews]] depot");
    for (const auto& a : s.recovery.priority)
        check_asset(a, 0, "[recovery].priority");
    check_depot(s.recovery.generator_depot, 0, "[recovery].generator_depot");
    check_depot(s.recovery.truck_depot, 0, "[recovery].truck_depot");
    for (const auto& iv : s.interventions)
        check_asset(iv.asset, iv.line, "[[intervention]]");
}

} // namespace rencheng::sim
