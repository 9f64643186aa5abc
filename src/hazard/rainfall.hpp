// Rainfall hazard: storm intensity formulas (GB 50014), a library of Chinese cities' formulas,
// design hyetographs (Chicago, uniform), rain series from CSV and spatial rain fields.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"

namespace rencheng::hazard {

/// L/(s·ha) per mm/min: 1 mm/min on a hectare is 10 m³ per 60 s = 166.67 L/s, so
/// i[mm/h] = 0.36·q. GB 50014 writes the factor rounded as 167 in "167·A1"; we convert with the
/// exact value, which reproduces the published depth tables (docs/rainfall.md "Units").
inline constexpr double kLpsHaPerMmPerMin = 1000.0 / 6.0;

/// Average intensity over a duration t: i = a / (t + b)^n in mm/min with t in minutes. Every
/// storm intensity formula reduces to these three numbers once the return period is fixed; the
/// Chicago hyetograph is built from them.
struct IntensityParameters {
    double a_mm_min = 0.0; ///< a = A1(1 + C·lg P) (classic) or A(P) (interval form), mm/min
    double b_min = 0.0;    ///< b, minutes
    double n = 0.0;        ///< exponent n, dimensionless

    /// Average intensity over `duration_min` minutes, mm/min. Precondition: duration_min > 0.
    [[nodiscard]] double intensity_mm_per_min(double duration_min) const;
    /// Depth over the most intense `duration_min` minutes, a·t/(t+b)^n, mm.
    [[nodiscard]] double depth_mm(double duration_min) const;
    /// Instantaneous peak of the Chicago hyetograph, a/b^n, mm/min (infinite when b = 0).
    [[nodiscard]] double chicago_peak_mm_per_min() const;
};

/// One parameter of the interval form: value(P) = p1 + p2·ln(P − p3).
struct IntervalParameter {
    double p1 = 0.0;
    double p2 = 0.0;
    double p3 = 0.0;
    /// Precondition: P > p3.
    [[nodiscard]] double value(double return_period_a) const;
};

/// The interval form's parameters valid for return periods in [min_return_period_a,
/// max_return_period_a]: A (mm/min), b (min) and n, each p1 + p2·ln(P − p3).
struct IntervalRange {
    double min_return_period_a = 0.0;
    double max_return_period_a = 0.0;
    IntervalParameter a_mm_min;
    IntervalParameter b_min;
    IntervalParameter n;
};

/// A storm intensity formula, either the GB 50014 classic form
///   q = 167·A1·(1 + C·lg P) / (t + b)^n     [L/(s·ha); P in years (a); t in minutes]
/// or the interval-parameter form q = 167·A(P) / (t + b(P))^n(P).
class StormIntensityFormula {
public:
    enum class Kind : std::uint8_t { kClassic, kInterval };

    /// Classic form from the coefficient as cities publish it, 167·A1 in L/(s·ha) (e.g. Shanghai
    /// 1600), and C, b (min), n. Throws Error(kOutOfRange) for coefficient <= 0, b < 0, n <= 0.
    static StormIntensityFormula classic(double coefficient_lps_ha, double c, double b_min,
                                         double n);
    /// Interval form from its return-period ranges (sorted by return period, contiguous).
    /// Throws Error(kOutOfRange / kInconsistent) for empty or overlapping ranges.
    static StormIntensityFormula interval(std::vector<IntervalRange> ranges);

    [[nodiscard]] Kind kind() const { return kind_; }
    /// The parameters (a, b, n) for return period P in years. In the interval form the range
    /// holding P is used (a P on a shared bound takes the upper range, as the official tables do);
    /// P outside every range throws Error(kOutOfRange). Classic form: precondition P > 0.
    [[nodiscard]] IntensityParameters parameters(double return_period_a) const;

    /// Average intensity q in L/(s·ha) over a rain of `duration_min` minutes and return period P.
    [[nodiscard]] double intensity_lps_ha(double return_period_a, double duration_min) const;
    /// The same in mm/h (0.36·q).
    [[nodiscard]] double intensity_mm_per_h(double return_period_a, double duration_min) const;
    /// Rain depth over the duration, mm (= i[mm/min] · t).
    [[nodiscard]] double depth_mm(double return_period_a, double duration_min) const;

    // Classic form only (0 for the interval form).
    [[nodiscard]] double coefficient_lps_ha() const { return coefficient_lps_ha_; }
    [[nodiscard]] double c() const { return c_; }
    [[nodiscard]] double b_min() const { return b_min_; }
    [[nodiscard]] double n() const { return n_; }
    // Interval form only (empty for the classic form).
    [[nodiscard]] const std::vector<IntervalRange>& ranges() const { return ranges_; }

    /// The formula in one line, e.g. "q = 1600(1+0.846 lgP)/(t+7)^0.656".
    [[nodiscard]] std::string describe() const;

private:
    Kind kind_ = Kind::kClassic;
    double coefficient_lps_ha_ = 0.0;
    double c_ = 0.0;
    double b_min_ = 0.0;
    double n_ = 0.0;
    std::vector<IntervalRange> ranges_;
};

/// A city's formula in the built-in library, with where it comes from.
struct CityRainfallFormula {
    std::string key;     ///< lower-case lookup key, e.g. "shanghai", "shenzhen-central"
    std::string name_en; ///< e.g. "Shanghai"
    std::string name_zh; ///< e.g. "上海"
    StormIntensityFormula formula;
    double min_return_period_a = 1.0;   ///< validity range of P as published
    double max_return_period_a = 100.0; ///<
    std::string source;                 ///< document or public copy the coefficients come from
    /// True when the coefficients were checked against the named source ([V] in MODELS.md);
    /// false for values from memory or a secondary source ([R]) that still need the official text.
    bool verified = false;
    std::string note; ///< caveats (superseded editions, zoned formulas)
};

/// The built-in library: Beijing, Shanghai, Guangzhou (central), Shenzhen (central basin), Wuhan,
/// Zhengzhou (docs/rainfall.md lists each with its source and status).
const std::vector<CityRainfallFormula>& city_rainfall_formulas();
/// Looks a city up by key or English name, case-insensitive; nullptr when unknown.
const CityRainfallFormula* find_city_rainfall_formula(std::string_view key);

/// A rain time series: intensity (mm/h, the mean over each interval) on a regular clock. Interval
/// k covers [start_s + k·step_s, start_s + (k+1)·step_s). Times are integer seconds of
/// simulation time.
struct Hyetograph {
    std::int64_t start_s = 0;
    std::int64_t step_s = 300;
    std::vector<double> intensity_mm_h;

    [[nodiscard]] std::int64_t end_s() const {
        return start_s + step_s * static_cast<std::int64_t>(intensity_mm_h.size());
    }
    /// Total depth, mm.
    [[nodiscard]] double depth_mm() const;
    /// Intensity at time t (mm/h): the interval's mean; 0 before start_s and at or after end_s().
    [[nodiscard]] double intensity_mm_h_at(std::int64_t t_s) const;
    /// Depth fallen in [t0_s, t1_s), mm (exact for the step function; 0 when t1_s <= t0_s).
    [[nodiscard]] double depth_mm_between(std::int64_t t0_s, std::int64_t t1_s) const;
    /// Peak interval intensity, mm/h (0 when empty).
    [[nodiscard]] double peak_mm_h() const;
    /// Largest depth over any window of `intervals` consecutive intervals, mm.
    [[nodiscard]] double max_window_depth_mm(std::size_t intervals) const;
};

/// The Chicago design storm (Keifer & Chu 1957) for intensity parameters `p`: duration
/// `duration_s`, interval `step_s` (must divide duration_s), peak at `peak_ratio`·duration.
/// Each interval holds the exact integral of the instantaneous Chicago curve over it, so the
/// depth of the most intense window of every duration D (in whole intervals, around the peak)
/// equals a·D/(D+b)^n; the total equals p.depth_mm(duration). Throws Error(kOutOfRange) for
/// duration_s <= 0, step_s <= 0, step_s not dividing duration_s, peak_ratio outside [0, 1].
Hyetograph chicago_hyetograph(const IntensityParameters& p, std::int64_t duration_s,
                              std::int64_t step_s, double peak_ratio = 0.4);

/// A uniform design storm: the formula's average intensity over the whole duration in every
/// interval (depth = p.depth_mm(duration)). Same argument checks as chicago_hyetograph.
Hyetograph uniform_hyetograph(const IntensityParameters& p, std::int64_t duration_s,
                              std::int64_t step_s);

/// Parses a rain time series CSV (docs/rainfall.md "Rain series CSV"): a time column (`time_s`
/// seconds, `time_min` minutes, or `time` as seconds, `HH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`)
/// and one value column (`intensity_mm_h` or `intensity` in mm/h, or `depth_mm` per interval).
/// Row times mark interval starts and must be strictly increasing with a constant step; the last
/// row's interval has that step too. With an optional `gauge` column the file holds several
/// gauges (each with its own rows), which read_rain_gauges_csv returns; this function then
/// reports an error. Problems go to `diags` with file, line and column name; returns nullopt on
/// error. `text` is the content of `file`.
std::optional<Hyetograph> parse_rain_series_csv(std::string_view text, const std::string& file,
                                                Diagnostics& diags);
/// Reads and parses a rain series file.
std::optional<Hyetograph> read_rain_series_csv(const std::filesystem::path& path,
                                               Diagnostics& diags);

/// A rain gauge: where it is and what it recorded.
struct RainGauge {
    std::string id;
    LonLat location;
    Hyetograph series;
};

/// Parses a historical event with several gauges: `gauges_text` (file `gauges_file`, header
/// gauge,lon,lat) and `series_text` (file `series_file`: the rain series form above with a
/// `gauge` column). Every gauge needs a location and at least one row; all gauges must share
/// start and step. Returns an empty vector on error, with diagnostics.
std::vector<RainGauge> parse_rain_gauges_csv(std::string_view gauges_text,
                                             const std::string& gauges_file,
                                             std::string_view series_text,
                                             const std::string& series_file, Diagnostics& diags);

/// Rain over space and time: a uniform field (one hyetograph everywhere) or gauges interpolated
/// by inverse-distance weighting, weights 1/d^power (power 2 by default; d great-circle metres;
/// a point within 1 m of a gauge takes that gauge's value). Immutable and thread-safe to query.
class RainField {
public:
    /// The same rain everywhere.
    static RainField uniform(Hyetograph series);
    /// IDW between gauges. Throws Error(kOutOfRange) for no gauges or power <= 0.
    static RainField from_gauges(std::vector<RainGauge> gauges, double power = 2.0);

    /// Intensity at a point and time, mm/h.
    [[nodiscard]] double intensity_mm_per_h(LonLat where, std::int64_t t_s) const;
    /// Depth at a point in [t0_s, t1_s), mm (IDW weights do not change in time, so this is the
    /// weighted mean of the gauges' depths).
    [[nodiscard]] double depth_mm(LonLat where, std::int64_t t0_s, std::int64_t t1_s) const;
    /// Earliest start and latest end over the field's series, seconds.
    [[nodiscard]] std::int64_t start_s() const;
    [[nodiscard]] std::int64_t end_s() const;
    [[nodiscard]] const std::vector<RainGauge>& gauges() const { return gauges_; }
    [[nodiscard]] bool is_uniform() const { return uniform_; }

private:
    bool uniform_ = true;
    double power_ = 2.0;
    std::vector<RainGauge> gauges_; ///< one entry (location unused) when uniform
    /// Normalised IDW weights of the gauges at `where`.
    void weights(LonLat where, std::vector<double>& w) const;
};

} // namespace rencheng::hazard
