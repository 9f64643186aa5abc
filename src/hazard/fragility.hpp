// Fragility: lognormal and threshold damage-state curves by asset class and intensity measure, a
// built-in library with sources, pipe repair rates, depth–damage and depth–speed curves, and
// readers for user curves (IN-CORE DFR3 JSON and our own JSON form).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace rencheng::hazard {

/// The intensity measure a curve is a function of; each has one fixed unit.
enum class IntensityMeasure : std::uint8_t {
    kPga,           ///< peak ground acceleration, g
    kPgv,           ///< peak ground velocity, cm/s
    kSa10,          ///< spectral acceleration at 1.0 s (5 % damping), g
    kWindGust,      ///< 10 m 3-s gust wind speed, m/s
    kFloodDepth,    ///< water depth above ground, m
    kWindSustained, ///< 10 m sustained (10-min mean) wind speed, m/s
};
/// "pga_g", "pgv_cm_s", "sa10_g", "wind_gust_m_s", "flood_depth_m", "wind_sustained_m_s".
std::string_view intensity_measure_name(IntensityMeasure m);
/// Accepts the names above (case-insensitive) and the IN-CORE demand types "PGA", "PGV",
/// "1.0 SA" / "1.0 sec SA", "wind", "inundationDepth" / "flood depth" (docs/fragility.md).
std::optional<IntensityMeasure> parse_intensity_measure(std::string_view name);

/// Shape of a fragility set.
enum class CurveKind : std::uint8_t {
    /// P(≥ ds) = Φ(ln(IM/θ)/β) per damage state.
    kLognormal,
    /// Deterministic step: P(≥ ds) = 1 when IM ≥ threshold, else 0 (flood depth limits).
    kThreshold,
};
/// "lognormal", "threshold".
std::string_view curve_kind_name(CurveKind k);

/// One damage state's curve: median θ and log-standard deviation β (lognormal), or the
/// threshold in `median` with β = 0 (threshold kind).
struct DamageStateCurve {
    std::string name; ///< e.g. "slight", "moderate", "extensive", "complete", "failed"
    double median = 0.0;
    double beta = 0.0;
};

/// A fragility set: the ordered damage states (least to most severe) of one asset class under
/// one intensity measure.
struct FragilitySet {
    std::string id;          ///< unique in a library, e.g. "hazus.substation.ess1.pga"
    std::string asset_class; ///< e.g. "substation.ess1", "transmission_tower"
    IntensityMeasure measure = IntensityMeasure::kPga;
    CurveKind kind = CurveKind::kLognormal;
    std::vector<DamageStateCurve> states;
    std::string source;    ///< where the numbers come from
    bool verified = false; ///< [V] checked against the source; [R] otherwise (docs/fragility.md)
    std::string note;

    /// P(damage ≥ state k) at intensity `im` (in the measure's unit); k is 0-based into states.
    /// IM <= 0 gives 0.
    [[nodiscard]] double exceedance(std::size_t k, double im) const;
    /// P(≥ ds) for every state, made non-increasing with severity (a more severe state cannot be
    /// likelier: crossing curves are capped by the less severe one's value, HAZUS practice).
    [[nodiscard]] std::vector<double> exceedances(double im) const;
    /// Probabilities of being exactly in each state: [none, states[0], …, states.back()].
    [[nodiscard]] std::vector<double> state_probabilities(double im) const;
    /// The damage state drawn with one uniform u in [0, 1): 0 = none, k = states[k − 1]. It is the
    /// number of exceedances(im) greater than u, so the frequency of each state converges to
    /// state_probabilities(im).
    [[nodiscard]] int sample(double im, double u) const;

    /// Problems (no states, median <= 0, β < 0 or β = 0 in a lognormal set, β != 0 in a
    /// threshold set, medians decreasing with severity) go to `diags` with `file` and this set's
    /// id as element. Returns true when valid.
    bool validate(Diagnostics& diags, const std::string& file = {}, int line = 0) const;
};

/// Fragility sets keyed by (asset class, measure) and by id.
class FragilityLibrary {
public:
    /// The built-in library (docs/fragility.md): HAZUS substations ESS1–ESS6, pumping plants,
    /// bridges HWB1/3/5/10/15, buildings C2L/W1 vs PGA/Sa(1.0); ERAD wind defaults for power
    /// assets; flood-depth thresholds for substations, pump stations, roads, underpasses,
    /// hospitals and telecom sites.
    static FragilityLibrary built_in();

    /// Adds a set; a set with the same id replaces the old one (so user files override the
    /// built-ins), and it becomes the one found for its (class, measure).
    void add(FragilitySet set);
    /// The set for an asset class under a measure; nullptr when none. Class match is
    /// case-insensitive.
    [[nodiscard]] const FragilitySet* find(std::string_view asset_class,
                                           IntensityMeasure measure) const;
    [[nodiscard]] const FragilitySet* find_id(std::string_view id) const;
    [[nodiscard]] const std::vector<FragilitySet>& sets() const { return sets_; }

    /// Reads a JSON file of fragility sets — our own form or an IN-CORE DFR3 fragility set (or
    /// an array of them), told apart by their keys (docs/fragility.md) — and adds every valid
    /// set. Problems go to `diags` naming the file, the line and the JSON field. Returns the
    /// number of sets added.
    std::size_t read_json(const std::filesystem::path& path, Diagnostics& diags);
    std::size_t parse_json(std::string_view text, const std::string& file, Diagnostics& diags);

private:
    std::vector<FragilitySet> sets_;
};

/// Parses our own JSON form: {"fragility_sets": [{"id", "asset_class", "measure", "kind",
/// "source", "verified", "states": [{"name", "median", "beta"} | {"name", "threshold"}]}]}.
std::vector<FragilitySet> parse_fragility_json(std::string_view text, const std::string& file,
                                               Diagnostics& diags);
/// Parses an IN-CORE DFR3 fragility set JSON (one set object, or an array of them): standard
/// "fragilityCurves" of className "LogNormal"/"StandardFragilityCurve" with "median" and "beta"
/// (or "alpha"/"beta" with alphaType "median"), "demandTypes"/"demandType" and "demandUnits";
/// the asset class is the set's "id" (so a scenario names DFR3 sets by their id). Medians are
/// converted from "demandUnits" to our unit (g, cm/s, m/s, m). Newer "rules" curves are read
/// when their single expression is the standard lognormal CDF
/// scipy.stats.norm.cdf((math.log(X) - math.log(median))/(beta)); other expressions, period-
/// dependent, parametric and conditional curves are reported as unsupported.
std::vector<FragilitySet> parse_dfr3_json(std::string_view text, const std::string& file,
                                          Diagnostics& diags);

// ---- Pipes -----------------------------------------------------------------------------------

/// Repair-rate models of buried pipes under wave propagation (PGV).
enum class PipeRepairModel : std::uint8_t {
    kHazusBrittle,  ///< RR[/km] = 0.0001·PGV[cm/s]^2.25
    kHazusDuctile,  ///< 0.3 × the brittle rate
    kAla2001Linear, ///< RR[/1000 ft] = K1·0.00187·PGV[in/s]
    kAla2001Power,  ///< RR[/1000 ft] = K1·0.00108·PGV[in/s]^1.173
};
/// "hazus_brittle", "hazus_ductile", "ala2001_linear", "ala2001_power".
std::string_view pipe_repair_model_name(PipeRepairModel m);
std::optional<PipeRepairModel> parse_pipe_repair_model(std::string_view name);

/// ALA (2001) K1 for a pipe material and joint, e.g. "cast_iron_cement", "cast_iron_rubber",
/// "ductile_iron", "pvc", "asbestos_cement_rubber", "asbestos_cement_cement",
/// "welded_steel_corroded", "welded_steel", "riveted_steel" (docs/fragility.md; [R]).
std::optional<double> ala2001_k1(std::string_view material);

struct PipeRepairRate {
    PipeRepairModel model = PipeRepairModel::kHazusBrittle;
    double k1 = 1.0;            ///< ALA K1 (ignored by the HAZUS forms)
    double leak_fraction = 0.8; ///< share of repairs that are leaks; the rest are breaks
    /// Repairs per km at `pgv_cm_s`.
    [[nodiscard]] double repairs_per_km(double pgv_cm_s) const;
};

struct PipeDamage {
    int leaks = 0;
    int breaks = 0;
    [[nodiscard]] int repairs() const { return leaks + breaks; }
};

/// Number of repairs ~ Poisson(RR·L), each a leak with probability leak_fraction, else a break;
/// draws from `rng` (a fixed number per repair, so results are reproducible).
PipeDamage sample_pipe_damage(const PipeRepairRate& rate, double pgv_cm_s, double length_m,
                              RngStream& rng);
/// A Poisson(λ) draw from uniforms of `rng` (inversion; λ split in chunks of 30 above that).
int sample_poisson(double lambda, RngStream& rng);

// ---- Flood ------------------------------------------------------------------------------------

/// Pregnolato et al. (2017) vehicle speed in standing water, km/h: v = 0.0009w² − 0.5529w +
/// 86.9448 with w the depth in mm; 0 (impassable) at w ≥ 300 mm. At 0 depth it gives 86.94, so
/// a road's speed is min(free-flow speed, v).
double pregnolato_speed_km_h(double depth_m);

/// A piecewise-linear depth–damage curve: damage fraction (0–1) vs water depth (m).
struct DepthDamageCurve {
    std::string id; ///< e.g. "jrc.residential.global"
    std::vector<double> depth_m;
    std::vector<double> damage_fraction;
    std::string source;
    bool verified = false;
    /// Linear interpolation; 0 below the first point when it is above 0 (interpolated from
    /// (0, 0)), the last value beyond the last point.
    [[nodiscard]] double damage_fraction_at(double depth_m) const;
};
/// Built-in depth–damage curves: "jrc.residential.global", "jrc.residential.europe"
/// (Huizinga et al. 2017).
const std::vector<DepthDamageCurve>& depth_damage_curves();
const DepthDamageCurve* find_depth_damage_curve(std::string_view id);

} // namespace rencheng::hazard
