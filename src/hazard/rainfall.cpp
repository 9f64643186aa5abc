// Storm intensity formulas, the city library, design hyetographs, rain series and rain fields.
#include "hazard/rainfall.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"

namespace rencheng::hazard {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

} // namespace

// ---- Intensity parameters ---------------------------------------------------------------------

double IntensityParameters::intensity_mm_per_min(double duration_min) const {
    return a_mm_min / std::pow(duration_min + b_min, n);
}

double IntensityParameters::depth_mm(double duration_min) const {
    if (duration_min <= 0.0)
        return 0.0;
    return a_mm_min * duration_min / std::pow(duration_min + b_min, n);
}

double IntensityParameters::chicago_peak_mm_per_min() const {
    if (b_min <= 0.0)
        return std::numeric_limits<double>::infinity();
    return a_mm_min / std::pow(b_min, n);
}

double IntervalParameter::value(double return_period_a) const {
    return p1 + p2 * std::log(return_period_a - p3);
}

// ---- Storm intensity formula ------------------------------------------------------------------

StormIntensityFormula StormIntensityFormula::classic(double coefficient_lps_ha, double c,
                                                     double b_min, double n) {
    if (!(coefficient_lps_ha > 0.0) || !std::isfinite(coefficient_lps_ha))
        throw Error(ErrorCode::kOutOfRange, "storm intensity coefficient 167·A1 must be > 0");
    if (!(b_min >= 0.0) || !std::isfinite(b_min))
        throw Error(ErrorCode::kOutOfRange, "storm intensity b must be >= 0 minutes");
    if (!(n > 0.0) || !std::isfinite(n))
        throw Error(ErrorCode::kOutOfRange, "storm intensity exponent n must be > 0");
    if (!std::isfinite(c))
        throw Error(ErrorCode::kOutOfRange, "storm intensity C must be finite");
    StormIntensityFormula f;
    f.kind_ = Kind::kClassic;
    f.coefficient_lps_ha_ = coefficient_lps_ha;
    f.c_ = c;
    f.b_min_ = b_min;
    f.n_ = n;
    return f;
}

StormIntensityFormula StormIntensityFormula::interval(std::vector<IntervalRange> ranges) {
    if (ranges.empty())
        throw Error(ErrorCode::kOutOfRange, "interval storm formula needs at least one range");
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        if (!(r.min_return_period_a > 0.0) || !(r.max_return_period_a > r.min_return_period_a))
            throw Error(ErrorCode::kOutOfRange, "interval storm formula range " +
                                                    std::to_string(i + 1) +
                                                    ": return periods must satisfy 0 < min < max");
        // ln(P − p3) must exist over the whole range.
        for (const auto* p : {&r.a_mm_min, &r.b_min, &r.n})
            if (!(r.min_return_period_a > p->p3))
                throw Error(ErrorCode::kOutOfRange,
                            "interval storm formula range " + std::to_string(i + 1) +
                                ": p3 must be below the range's smallest return period");
        if (i > 0 && std::abs(ranges[i - 1].max_return_period_a - r.min_return_period_a) > 1e-9)
            throw Error(ErrorCode::kInconsistent,
                        "interval storm formula ranges must be sorted and contiguous");
    }
    StormIntensityFormula f;
    f.kind_ = Kind::kInterval;
    f.ranges_ = std::move(ranges);
    return f;
}

IntensityParameters StormIntensityFormula::parameters(double return_period_a) const {
    if (kind_ == Kind::kClassic) {
        // q = 167·A1(1 + C lg P)/(t + b)^n in L/(s·ha); a in mm/min is q's numerator / 166.67.
        return {coefficient_lps_ha_ / kLpsHaPerMmPerMin * (1.0 + c_ * std::log10(return_period_a)),
                b_min_, n_};
    }
    // Ranges share their bounds; a P on a bound takes the upper range, as the official tables
    // do (Shenzhen: the P = 10 column is computed with the 10–100 a set).
    for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) {
        const IntervalRange& r = *it;
        if (return_period_a >= r.min_return_period_a - 1e-12 &&
            return_period_a <= r.max_return_period_a + 1e-12)
            return {r.a_mm_min.value(return_period_a), r.b_min.value(return_period_a),
                    r.n.value(return_period_a)};
    }
    throw Error(ErrorCode::kOutOfRange, "return period " + fmt(return_period_a) +
                                            " a is outside the formula's ranges (" +
                                            fmt(ranges_.front().min_return_period_a) + "–" +
                                            fmt(ranges_.back().max_return_period_a) + " a)");
}

double StormIntensityFormula::intensity_lps_ha(double return_period_a, double duration_min) const {
    return kLpsHaPerMmPerMin * parameters(return_period_a).intensity_mm_per_min(duration_min);
}

double StormIntensityFormula::intensity_mm_per_h(double return_period_a,
                                                 double duration_min) const {
    return 60.0 * parameters(return_period_a).intensity_mm_per_min(duration_min); // = 0.36·q
}

double StormIntensityFormula::depth_mm(double return_period_a, double duration_min) const {
    return parameters(return_period_a).depth_mm(duration_min);
}

std::string StormIntensityFormula::describe() const {
    if (kind_ == Kind::kClassic)
        return "q = " + fmt(coefficient_lps_ha_) + "(1+" + fmt(c_) + " lgP)/(t+" + fmt(b_min_) +
               ")^" + fmt(n_);
    std::string s = "q = 167A/(t+b)^n, each p1+p2 ln(P-p3):";
    for (const auto& r : ranges_) {
        auto term = [](const IntervalParameter& p) {
            return fmt(p.p1) + (p.p2 < 0 ? "" : "+") + fmt(p.p2) + " ln(P-" + fmt(p.p3) + ")";
        };
        s += " [P " + fmt(r.min_return_period_a) + "-" + fmt(r.max_return_period_a) +
             ": A=" + term(r.a_mm_min) + ", b=" + term(r.b_min) + ", n=" + term(r.n) + "]";
    }
    return s;
}

// ---- City library -----------------------------------------------------------------------------

const std::vector<CityRainfallFormula>& city_rainfall_formulas() {
    static const std::vector<CityRainfallFormula> cities = [] {
        std::vector<CityRainfallFormula> v;
        v.push_back({"beijing", "Beijing", "北京",
                     StormIntensityFormula::classic(2001.0, 0.811, 8.0, 0.711), 1.0, 100.0,
                     "classic Beijing formula as published in YYer-ai/swmm-copilot "
                     "data/rainfall/classic.yaml",
                     true,
                     "Beijing now applies zoned formulas (DB11/T 969-2016); this single formula "
                     "is the classic one"});
        v.push_back({"shanghai", "Shanghai", "上海",
                     StormIntensityFormula::classic(1600.0, 0.846, 7.0, 0.656), 1.0, 100.0,
                     "DB31/T 1043-2017 (Shanghai storm intensity formula and design storm), as "
                     "used in public code; its Chicago peak ratio r = 0.405",
                     true, ""});
        v.push_back({"guangzhou", "Guangzhou (central)", "广州（中心城区）",
                     StormIntensityFormula::classic(13290.6, 0.607, 39.12, 0.956), 1.0, 100.0,
                     "Guangzhou 2021 formula for the central districts (市水务局 report), as in "
                     "YYer-ai/swmm-copilot guangzhou.yaml; t 1–180 min",
                     true, "valid for t 1–180 min"});
        std::vector<IntervalRange> sz;
        sz.push_back(
            {1.0, 10.0, {27.622, 3.362, 0.771}, {16.655, 2.828, 0.116}, {0.786, -0.029, 0.247}});
        sz.push_back({10.0,
                      100.0,
                      {33.652, -1.991, 6.737},
                      {22.609, -0.760, 6.185},
                      {0.762, -0.037, 5.080}});
        v.push_back({"shenzhen", "Shenzhen (central basin)", "深圳（中部流域）",
                     StormIntensityFormula::interval(std::move(sz)), 1.0, 100.0,
                     "Shenzhen 2024 interval-parameter formula, central basin (official 2024 "
                     "PDF, as in YYer-ai/swmm-copilot shenzhen.yaml); P=10, t=30 gives 58.70 mm "
                     "against the official table's 58.706",
                     true, "P 1–10 and 10–100 a use different parameter sets"});
        v.push_back({"wuhan", "Wuhan", "武汉",
                     StormIntensityFormula::classic(983.0, 0.65, 4.0, 0.56), 1.0, 100.0,
                     "classic Wuhan formula from a secondary source; the official one is "
                     "DB4201/T 641-2020",
                     false, "NOT verified: check DB4201/T 641-2020 before relying on it"});
        v.push_back({"zhengzhou", "Zhengzhou", "郑州",
                     StormIntensityFormula::classic(3073.0, 0.892, 15.1, 0.824), 1.0, 100.0,
                     "classic Zhengzhou formula from a secondary source", false,
                     "NOT verified; revised after the 2021 flood"});
        return v;
    }();
    return cities;
}

const CityRainfallFormula* find_city_rainfall_formula(std::string_view key) {
    const std::string k = lower(key);
    for (const auto& c : city_rainfall_formulas())
        if (c.key == k || lower(c.name_en) == k)
            return &c;
    // Aliases of the zoned entries.
    if (k == "shenzhen-central" || k == "shenzhen_central")
        return find_city_rainfall_formula("shenzhen");
    if (k == "guangzhou-central" || k == "guangzhou_central")
        return find_city_rainfall_formula("guangzhou");
    return nullptr;
}

// ---- Hyetograph -------------------------------------------------------------------------------

double Hyetograph::depth_mm() const {
    double sum = 0.0;
    for (double i : intensity_mm_h)
        sum += i;
    return sum * static_cast<double>(step_s) / 3600.0;
}

double Hyetograph::intensity_mm_h_at(std::int64_t t_s) const {
    if (t_s < start_s || t_s >= end_s() || step_s <= 0)
        return 0.0;
    return intensity_mm_h[static_cast<std::size_t>((t_s - start_s) / step_s)];
}

double Hyetograph::depth_mm_between(std::int64_t t0_s, std::int64_t t1_s) const {
    t0_s = std::max(t0_s, start_s);
    t1_s = std::min(t1_s, end_s());
    if (t1_s <= t0_s || step_s <= 0)
        return 0.0;
    double depth = 0.0;
    std::int64_t k = (t0_s - start_s) / step_s;
    std::int64_t t = t0_s;
    while (t < t1_s) {
        const std::int64_t interval_end = start_s + (k + 1) * step_s;
        const std::int64_t until = std::min(interval_end, t1_s);
        depth +=
            intensity_mm_h[static_cast<std::size_t>(k)] * static_cast<double>(until - t) / 3600.0;
        t = until;
        ++k;
    }
    return depth;
}

double Hyetograph::peak_mm_h() const {
    double peak = 0.0;
    for (double i : intensity_mm_h)
        peak = std::max(peak, i);
    return peak;
}

double Hyetograph::max_window_depth_mm(std::size_t intervals) const {
    if (intervals == 0 || intensity_mm_h.empty())
        return 0.0;
    intervals = std::min(intervals, intensity_mm_h.size());
    const double to_mm = static_cast<double>(step_s) / 3600.0;
    double window = 0.0;
    for (std::size_t k = 0; k < intervals; ++k)
        window += intensity_mm_h[k];
    double best = window;
    for (std::size_t k = intervals; k < intensity_mm_h.size(); ++k) {
        window += intensity_mm_h[k] - intensity_mm_h[k - intervals];
        best = std::max(best, window);
    }
    return best * to_mm;
}

namespace {

void check_design_storm(std::int64_t duration_s, std::int64_t step_s) {
    if (duration_s <= 0)
        throw Error(ErrorCode::kOutOfRange, "storm duration must be > 0 s");
    if (step_s <= 0)
        throw Error(ErrorCode::kOutOfRange, "storm time step must be > 0 s");
    if (duration_s % step_s != 0)
        throw Error(ErrorCode::kOutOfRange, "storm time step " + std::to_string(step_s) +
                                                " s does not divide the duration " +
                                                std::to_string(duration_s) + " s");
}

} // namespace

Hyetograph chicago_hyetograph(const IntensityParameters& p, std::int64_t duration_s,
                              std::int64_t step_s, double peak_ratio) {
    check_design_storm(duration_s, step_s);
    if (!(peak_ratio >= 0.0 && peak_ratio <= 1.0))
        throw Error(ErrorCode::kOutOfRange, "Chicago peak ratio r must lie in [0, 1]");
    // Keifer & Chu (1957): the storm is built so that every window of duration D split r : (1−r)
    // around the peak holds F(D) = a·D/(D+b)^n. So the mass curve measured from the peak is
    // r·F(τb/r) before it and (1−r)·F(τa/(1−r)) after it (τb, τa the time before/after the
    // peak); its derivative is the instantaneous intensity a[(1−n)τ + b]/(τ + b)^(n+1).
    // Interval depths are differences of this mass curve: exact integration, depth conserved.
    const double total_min = static_cast<double>(duration_s) / 60.0;
    const double peak_min = peak_ratio * total_min;
    auto side = [&](double ratio, double tau_min) {
        return ratio > 0.0 ? ratio * p.depth_mm(tau_min / ratio) : 0.0;
    };
    auto mass = [&](double t_min) { // cumulative depth from the storm's start, mm
        if (t_min <= peak_min)
            return side(peak_ratio, peak_min) - side(peak_ratio, peak_min - t_min);
        return side(peak_ratio, peak_min) + side(1.0 - peak_ratio, t_min - peak_min);
    };
    Hyetograph h;
    h.start_s = 0;
    h.step_s = step_s;
    const auto n = static_cast<std::size_t>(duration_s / step_s);
    h.intensity_mm_h.resize(n);
    const double step_h = static_cast<double>(step_s) / 3600.0;
    for (std::size_t k = 0; k < n; ++k) {
        const double t0 = static_cast<double>(static_cast<std::int64_t>(k) * step_s) / 60.0;
        const double t1 = static_cast<double>(static_cast<std::int64_t>(k + 1) * step_s) / 60.0;
        h.intensity_mm_h[k] = std::max(0.0, mass(t1) - mass(t0)) / step_h;
    }
    return h;
}

Hyetograph uniform_hyetograph(const IntensityParameters& p, std::int64_t duration_s,
                              std::int64_t step_s) {
    check_design_storm(duration_s, step_s);
    Hyetograph h;
    h.step_s = step_s;
    const double duration_min = static_cast<double>(duration_s) / 60.0;
    h.intensity_mm_h.assign(static_cast<std::size_t>(duration_s / step_s),
                            p.depth_mm(duration_min) / (duration_min / 60.0));
    return h;
}

// ---- Rain series CSV --------------------------------------------------------------------------

namespace {

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468;
}

/// Parses "HH:MM[:SS]" into seconds.
std::optional<long long> parse_clock(std::string_view s) {
    int h = 0, m = 0, sec = 0;
    char extra = 0;
    const std::string str(s);
    const int got = std::sscanf(str.c_str(), "%d:%d:%d%c", &h, &m, &sec, &extra);
    if (got == 2 || got == 3) {
        if (h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60)
            return std::nullopt;
        // sscanf accepted "HH:MM"; make sure nothing else followed it.
        const auto colons = std::count(str.begin(), str.end(), ':');
        if (got == 2 && colons != 1)
            return std::nullopt;
        for (char c : str)
            if (!std::isdigit(static_cast<unsigned char>(c)) && c != ':' && c != ' ')
                return std::nullopt;
        return static_cast<long long>(h) * 3600 + m * 60 + (got == 3 ? sec : 0);
    }
    return std::nullopt;
}

/// Parses a time field: plain seconds, "HH:MM[:SS]", or "YYYY-MM-DD[ T]HH:MM[:SS]".
std::optional<long long> parse_time_field(std::string_view s) {
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    if (auto v = parse_double(s)) {
        if (std::abs(*v - std::round(*v)) > 1e-9 || std::abs(*v) > 1e15)
            return std::nullopt;
        return static_cast<long long>(std::llround(*v));
    }
    if (s.size() >= 16 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T')) {
        const auto y = parse_int(s.substr(0, 4));
        const auto mo = parse_int(s.substr(5, 2));
        const auto d = parse_int(s.substr(8, 2));
        const auto clock = parse_clock(s.substr(11));
        if (!y || !mo || !d || !clock || *mo < 1 || *mo > 12 || *d < 1 || *d > 31)
            return std::nullopt;
        return days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
               *clock;
    }
    return parse_clock(s);
}

struct SeriesColumns {
    int time = -1;
    double time_scale = 1.0; ///< seconds per unit of a numeric time
    int value = -1;
    bool value_is_depth = false;
    int gauge = -1;
};

std::optional<SeriesColumns> series_columns(const CsvTable& t, const std::string& file,
                                            Diagnostics& diags) {
    SeriesColumns c;
    if ((c.time = t.column("time_s")) < 0) {
        if ((c.time = t.column("time_min")) >= 0)
            c.time_scale = 60.0;
        else
            c.time = t.column("time");
    }
    if ((c.value = t.column("intensity_mm_h")) < 0 && (c.value = t.column("intensity")) < 0) {
        c.value = t.column("depth_mm");
        c.value_is_depth = c.value >= 0;
    }
    c.gauge = t.column("gauge");
    bool ok = true;
    if (c.time < 0) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "rain series needs a time column: time_s, time_min or time");
        ok = false;
    }
    if (c.value < 0) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "rain series needs a value column: intensity_mm_h, intensity or depth_mm");
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return c;
}

struct SeriesRow {
    int line;
    long long time_s;
    double value;
};

/// Builds one hyetograph from rows of one gauge (file order). `id` names the gauge in messages.
std::optional<Hyetograph> build_series(const std::vector<SeriesRow>& rows, bool is_depth,
                                       const std::string& file, const std::string& id,
                                       Diagnostics& diags) {
    if (rows.empty()) {
        diags.error(ErrorCode::kInconsistent, file, 0, 0, id, "rain series has no rows");
        return std::nullopt;
    }
    Hyetograph h;
    h.start_s = rows.front().time_s;
    if (rows.size() == 1) {
        diags.error(ErrorCode::kInconsistent, file, rows.front().line, 0, id,
                    "rain series needs at least two rows to define its time step");
        return std::nullopt;
    }
    h.step_s = rows[1].time_s - rows[0].time_s;
    bool ok = true;
    for (std::size_t k = 1; k < rows.size(); ++k) {
        const long long dt = rows[k].time_s - rows[k - 1].time_s;
        if (dt <= 0) {
            diags.error(ErrorCode::kInconsistent, file, rows[k].line, 0, id,
                        "column time: times must increase strictly");
            ok = false;
        } else if (dt != h.step_s) {
            diags.error(ErrorCode::kInconsistent, file, rows[k].line, 0, id,
                        "column time: step " + std::to_string(dt) +
                            " s differs from the first "
                            "step " +
                            std::to_string(h.step_s) + " s (the series must be regular)");
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    for (const auto& r : rows)
        h.intensity_mm_h.push_back(is_depth ? r.value * 3600.0 / static_cast<double>(h.step_s)
                                            : r.value);
    return h;
}

/// Reads the rows of a rain series table; gauge ids in `gauge_of` when there is a gauge column.
bool read_series_rows(const CsvTable& t, const SeriesColumns& c, const std::string& file,
                      Diagnostics& diags, std::vector<SeriesRow>& rows,
                      std::vector<std::string>& gauge_of) {
    bool ok = true;
    const std::string time_name = t.header[static_cast<std::size_t>(c.time)];
    const std::string value_name = t.header[static_cast<std::size_t>(c.value)];
    for (const auto& row : t.rows) {
        const auto& tf = row.fields[static_cast<std::size_t>(c.time)];
        std::optional<long long> time;
        if (c.time_scale != 1.0) {
            if (auto v = parse_double(tf)) {
                const double s = *v * c.time_scale;
                if (std::abs(s - std::round(s)) < 1e-6 && std::abs(s) < 1e15)
                    time = std::llround(s);
            }
        } else {
            time = parse_time_field(tf);
        }
        if (!time) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                        "column " + time_name + ": '" + tf + "' is not a time (whole seconds)");
            ok = false;
            continue;
        }
        const auto& vf = row.fields[static_cast<std::size_t>(c.value)];
        const auto v = parse_double(vf);
        if (!v) {
            diags.error(ErrorCode::kNumberSyntax, file, row.line, 0, "",
                        "column " + value_name + ": '" + vf + "' is not a number");
            ok = false;
            continue;
        }
        if (*v < 0.0) {
            diags.error(ErrorCode::kOutOfRange, file, row.line, 0, "",
                        "column " + value_name + ": rain must be >= 0");
            ok = false;
            continue;
        }
        rows.push_back({row.line, *time, *v});
        gauge_of.push_back(c.gauge >= 0 ? row.fields[static_cast<std::size_t>(c.gauge)] : "");
    }
    return ok;
}

} // namespace

std::optional<Hyetograph> parse_rain_series_csv(std::string_view text, const std::string& file,
                                                Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const CsvTable t = parse_csv(text, file, diags);
    if (diags.error_count() > before)
        return std::nullopt;
    const auto c = series_columns(t, file, diags);
    if (!c)
        return std::nullopt;
    if (c->gauge >= 0) {
        diags.error(ErrorCode::kUnsupported, file, 1, 0, "",
                    "column gauge: a multi-gauge file must be read as a gauge event "
                    "(parse_rain_gauges_csv / [rain] gauges)");
        return std::nullopt;
    }
    std::vector<SeriesRow> rows;
    std::vector<std::string> gauges;
    if (!read_series_rows(t, *c, file, diags, rows, gauges))
        return std::nullopt;
    return build_series(rows, c->value_is_depth, file, "", diags);
}

std::optional<Hyetograph> read_rain_series_csv(const std::filesystem::path& path,
                                               Diagnostics& diags) {
    const auto text = read_file(path, diags);
    if (!text)
        return std::nullopt;
    return parse_rain_series_csv(*text, path.string(), diags);
}

std::vector<RainGauge> parse_rain_gauges_csv(std::string_view gauges_text,
                                             const std::string& gauges_file,
                                             std::string_view series_text,
                                             const std::string& series_file, Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const CsvTable gt = parse_csv(gauges_text, gauges_file, diags);
    const CsvTable st = parse_csv(series_text, series_file, diags);
    if (diags.error_count() > before)
        return {};
    const int gid = gt.column("gauge"), glon = gt.column("lon"), glat = gt.column("lat");
    for (auto [col, name] : {std::pair{gid, "gauge"}, {glon, "lon"}, {glat, "lat"}})
        if (col < 0)
            diags.error(ErrorCode::kMissingKey, gauges_file, 1, 0, "",
                        std::string("missing column ") + name);
    const auto c = series_columns(st, series_file, diags);
    if (c && c->gauge < 0)
        diags.error(ErrorCode::kMissingKey, series_file, 1, 0, "", "missing column gauge");
    if (diags.error_count() > before)
        return {};

    std::vector<RainGauge> gauges;
    std::map<std::string, std::size_t> index;
    for (const auto& row : gt.rows) {
        const std::string& id = row.fields[static_cast<std::size_t>(gid)];
        const auto lon = parse_double(row.fields[static_cast<std::size_t>(glon)]);
        const auto lat = parse_double(row.fields[static_cast<std::size_t>(glat)]);
        if (id.empty()) {
            diags.error(ErrorCode::kMissingKey, gauges_file, row.line, 0, "",
                        "column gauge: empty id");
            continue;
        }
        if (!lon || *lon < -180.0 || *lon > 180.0 || !lat || *lat < -90.0 || *lat > 90.0) {
            diags.error(ErrorCode::kOutOfRange, gauges_file, row.line, 0, id,
                        "columns lon/lat: not a valid WGS84 position");
            continue;
        }
        if (index.count(id)) {
            diags.error(ErrorCode::kDuplicateId, gauges_file, row.line, 0, id,
                        "gauge listed twice");
            continue;
        }
        index[id] = gauges.size();
        gauges.push_back({id, {*lon, *lat}, {}});
    }
    std::vector<SeriesRow> rows;
    std::vector<std::string> gauge_of;
    read_series_rows(st, *c, series_file, diags, rows, gauge_of);
    std::vector<std::vector<SeriesRow>> per_gauge(gauges.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const auto it = index.find(gauge_of[k]);
        if (it == index.end()) {
            diags.error(ErrorCode::kUnknownReference, series_file, rows[k].line, 0, gauge_of[k],
                        "column gauge: gauge not listed in " + gauges_file);
            continue;
        }
        per_gauge[it->second].push_back(rows[k]);
    }
    if (diags.error_count() > before)
        return {};
    for (std::size_t g = 0; g < gauges.size(); ++g) {
        auto h = build_series(per_gauge[g], c->value_is_depth, series_file, gauges[g].id, diags);
        if (h)
            gauges[g].series = std::move(*h);
    }
    if (diags.error_count() > before)
        return {};
    for (std::size_t g = 1; g < gauges.size(); ++g)
        if (gauges[g].series.step_s != gauges[0].series.step_s ||
            gauges[g].series.start_s != gauges[0].series.start_s)
            diags.error(ErrorCode::kInconsistent, series_file, per_gauge[g].front().line, 0,
                        gauges[g].id,
                        "gauge series must share the start time and step of gauge " + gauges[0].id);
    if (diags.error_count() > before)
        return {};
    return gauges;
}

// ---- Rain field -------------------------------------------------------------------------------

RainField RainField::uniform(Hyetograph series) {
    RainField f;
    f.uniform_ = true;
    f.gauges_.push_back({"uniform", {}, std::move(series)});
    return f;
}

RainField RainField::from_gauges(std::vector<RainGauge> gauges, double power) {
    if (gauges.empty())
        throw Error(ErrorCode::kOutOfRange, "a rain field needs at least one gauge");
    if (!(power > 0.0))
        throw Error(ErrorCode::kOutOfRange, "IDW power must be > 0");
    RainField f;
    f.uniform_ = false;
    f.power_ = power;
    f.gauges_ = std::move(gauges);
    return f;
}

void RainField::weights(LonLat where, std::vector<double>& w) const {
    w.assign(gauges_.size(), 0.0);
    if (uniform_ || gauges_.size() == 1) {
        w[0] = 1.0;
        return;
    }
    double sum = 0.0;
    for (std::size_t g = 0; g < gauges_.size(); ++g) {
        const double d = haversine_m(where, gauges_[g].location);
        if (d < 1.0) { // at a gauge: its own record, not a blend
            std::fill(w.begin(), w.end(), 0.0);
            w[g] = 1.0;
            return;
        }
        w[g] = 1.0 / std::pow(d, power_);
        sum += w[g];
    }
    for (double& x : w)
        x /= sum;
}

double RainField::intensity_mm_per_h(LonLat where, std::int64_t t_s) const {
    if (uniform_)
        return gauges_[0].series.intensity_mm_h_at(t_s);
    std::vector<double> w;
    weights(where, w);
    double v = 0.0;
    for (std::size_t g = 0; g < gauges_.size(); ++g)
        if (w[g] > 0.0)
            v += w[g] * gauges_[g].series.intensity_mm_h_at(t_s);
    return v;
}

double RainField::depth_mm(LonLat where, std::int64_t t0_s, std::int64_t t1_s) const {
    if (uniform_)
        return gauges_[0].series.depth_mm_between(t0_s, t1_s);
    std::vector<double> w;
    weights(where, w);
    double v = 0.0;
    for (std::size_t g = 0; g < gauges_.size(); ++g)
        if (w[g] > 0.0)
            v += w[g] * gauges_[g].series.depth_mm_between(t0_s, t1_s);
    return v;
}

std::int64_t RainField::start_s() const {
    std::int64_t s = std::numeric_limits<std::int64_t>::max();
    for (const auto& g : gauges_)
        s = std::min(s, g.series.start_s);
    return s;
}

std::int64_t RainField::end_s() const {
    std::int64_t e = std::numeric_limits<std::int64_t>::min();
    for (const auto& g : gauges_)
        e = std::max(e, g.series.end_s());
    return e;
}

} // namespace rencheng::hazard
