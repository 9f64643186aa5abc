// Runoff water quality on subcatchments (SWMM 5.2 Reference Manual Vol. III — Water Quality,
// Rossman & Huber 2016, ch. 2–4; SWMM 5.2 User's Manual, [POLLUTANTS] … [WASHOFF]): pollutant
// buildup on each land use of a subcatchment in dry weather, street sweeping, washoff by runoff
// (exponential, rating curve, event mean concentration), wet deposition, the pollutants of ponded
// water and of run-on, co-pollutants and BMP removal, and the Runoff Quality Continuity balance.
// Routing of the washoff through the network: drainage/quality_routing.hpp. SI inside: areas
// m², volumes m³, flows m³/s; buildup in kg (counts for #/L pollutants), concentrations in the
// pollutant's own units per m³ (mg, µg or counts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rencheng {
class Diagnostics;
}

namespace rencheng::drainage {

struct Network;

/// [POLLUTANTS] units: concentrations in mg/L, µg/L or counts/L.
enum class ConcentrationUnit : std::uint8_t { kMgPerL, kUgPerL, kCountPerL };

/// One [POLLUTANTS] line. Concentrations as written (the pollutant's units per litre).
struct Pollutant {
    std::string id;
    ConcentrationUnit units = ConcentrationUnit::kMgPerL;
    double rain_concentration = 0;        ///< Crain: in rain (wet deposition)
    double groundwater_concentration = 0; ///< Cgw (routing)
    double rdii_concentration = 0;        ///< Crdii (routing)
    double decay_per_s = 0;               ///< Kdecay (file 1/day; routing, not on surfaces)
    bool snow_only = false;               ///< builds up only while there is snow
    int co_pollutant = -1;                ///< index of the co-pollutant, -1: none
    double co_fraction = 0;               ///< fraction of the co-pollutant's washoff added
    double dwf_concentration = 0;         ///< Cdwf (routing)
    double initial_concentration = 0;     ///< Cinit (routing)
    /// kg per unit of the pollutant's mass (mg: 10⁻⁶, µg: 10⁻⁹); 1 for counts.
    double kg_per_unit() const;
    /// Litres per m³ as SWMM 5.2 counts them: its 28.317 L per ft³ (consts.h LperFT3, where
    /// 28.3168 is exact), 1000.0054 L/m³, used wherever a concentration meets a volume (wet
    /// deposition, EMC washoff, reported concentrations), so that loads match SWMM's.
    static constexpr double kLitresPerM3 = 28.317 / (0.3048 * 0.3048 * 0.3048);
};

/// [BUILDUP] functions (Manual Vol. III §2.2).
enum class BuildupFunction : std::uint8_t { kNone, kPower, kExponential, kSaturation, kExternal };
/// What buildup is normalised to: land use area or curb length.
enum class BuildupNormalizer : std::uint8_t { kArea, kCurb };

/// One [BUILDUP] line, SI: masses in kg (counts for #/L pollutants) per m² of land use (AREA) or
/// per unit of curb length as written in [SUBCATCHMENTS] (CURB).
struct BuildupParams {
    BuildupFunction function = BuildupFunction::kNone;
    BuildupNormalizer normalizer = BuildupNormalizer::kArea;
    double max_buildup = 0; ///< C1: the most buildup possible (EXT: likewise)
    /// C2: POW rate (mass per unit per day^C3), EXP rate constant (1/day), SAT: unused, EXT:
    /// scaling factor of the series
    double c2 = 0;
    /// C3: POW exponent, SAT half-saturation constant (days)
    double c3 = 0;
    int series = -1;     ///< EXT: the time series of loading rates (mass per unit per day)
    double max_days = 0; ///< days to reach the maximum (SWMM's maxDays)
};

/// [WASHOFF] functions (Manual Vol. III §2.3).
enum class WashoffFunction : std::uint8_t { kNone, kExponential, kRatingCurve, kEmc };

/// One [WASHOFF] line.
struct WashoffParams {
    WashoffFunction function = WashoffFunction::kNone;
    /// EXP: C1/3600 (1/s per (runoff in in/h or mm/h)^C2); RC: C1 (pollutant mass units per s per
    /// (flow in the file's flow units)^C2); EMC: concentration per m³ (C1 × 1000).
    double coeff = 0;
    double exponent = 0;
    double sweep_removal = 0; ///< sweeping removal efficiency, 0..1 (file %)
    double bmp_removal = 0;   ///< BMP removal efficiency, 0..1 (file %)
};

/// One [LANDUSES] line with its buildup and washoff per pollutant.
struct LandUse {
    std::string id;
    double sweep_interval_s = 0;        ///< 0: never swept (file days)
    double sweep_availability = 0;      ///< fraction of buildup available for sweeping
    double days_since_swept_s = 0;      ///< at the start (file days)
    std::vector<BuildupParams> buildup; ///< per pollutant
    std::vector<WashoffParams> washoff; ///< per pollutant
};

/// [POLLUTANTS], [LANDUSES], [COVERAGES], [LOADINGS], [BUILDUP] and [WASHOFF], SI.
struct QualityInput {
    std::vector<Pollutant> pollutants;
    std::vector<LandUse> land_uses;
    /// Fraction of each subcatchment's area in each land use: [subcatchment][land use].
    std::vector<std::vector<double>> coverage;
    /// Initial buildup ([LOADINGS]), kg (counts) per m² of subcatchment: [subcatchment][pollutant];
    /// 0: from DRY_DAYS.
    std::vector<std::vector<double>> initial_loading;
    /// Runoff rate in m/s to the file's rainfall rate unit (in/h or mm/h), for EXP washoff.
    double rain_rate_per_ms = 1;
    /// m³/s to the file's flow unit, for RC washoff.
    double flow_per_m3s = 1;
    int pollutant_of(const std::string& name) const;
    int land_use_of(const std::string& name) const;
};

/// Reads the water quality sections from their raw rows, converting to SI. US masses (lbs) are
/// taken as SWMM 5.2 takes them: 1 lb = 1/2.203 kg (SWMM's 2.203·10⁻⁶ lb per mg), so that its
/// reported lbs are RenCheng's kg × 2.203. Errors name `file`, the line, the element and the
/// field: missing or non-numeric values (E301, E204), an unknown keyword (E311), pollutant, land
/// use, subcatchment or time series (E306), values out of range (E304), a second line for one
/// pollutant or land use (E305).
QualityInput read_quality_sections(const Network& net, const std::string& file, Diagnostics& diags);

/// Street sweeping may happen at `t_s` (s after the start): its day of the year lies within
/// SWEEP_START..SWEEP_END (SWMM takes those as days of a common year).
bool in_sweeping_season(const Network& net, double t_s);

// --- the buildup and washoff equations (Reference Manual Vol. III, ch. 2) --------------------

/// Buildup per unit (area or curb) after `days` of buildup from none (eq. 2-1 to 2-3): POW
/// min(C1, C2·t^C3), EXP C1(1 − e^(−C2·t)), SAT C1·t/(C3 + t); C1 once `days` reaches the days
/// to the maximum. EXT and NONE: 0.
double buildup_after_days(const BuildupParams& b, double days);
/// The days of buildup that give `buildup` per unit (the inverse of buildup_after_days).
double buildup_days(const BuildupParams& b, double buildup);
/// SWMM's days to the maximum buildup of a function (POW: (C1/C2)^(1/C3), or 3650 when
/// log10(C1)/C3 > 3.5; EXP: −ln(0.001)/C2; SAT: 1000·C3), 0 when the coefficients make none.
double buildup_max_days(const BuildupParams& b);

/// Concentration of the washoff of one land use, pollutant units per m³: EXP C1·q^C2·B/(q·A),
/// RC C1·Q^C2/Q with Q = q·A in the file's flow units, EMC C1; 0 without runoff or, when the
/// pollutant builds up, without buildup. `runoff_ms` is the subcatchment's runoff per unit area,
/// `area_m2` the land use's area, `buildup` its buildup in pollutant units (mg, µg, counts).
double washoff_concentration(const WashoffParams& w, const BuildupParams& b, double buildup,
                             double runoff_ms, double area_m2, const QualityInput& in);

/// Totals of SWMM's Runoff Quality Continuity of one pollutant, kg (counts for #/L pollutants).
struct QualityTotals {
    double initial_buildup = 0, surface_buildup = 0, wet_deposition = 0;
    double sweeping = 0, infiltration = 0, bmp_removal = 0, surface_runoff = 0;
    double remaining_buildup = 0;
    double continuity_error_pct = 0;
};

/// The underdrain of one LID unit over a runoff step, for its pollutant load (SWMM
/// lid_addDrainLoads). Units returning their outflow onto the pervious area carry none.
struct LidDrainLoad {
    double flow_m3s = 0;     ///< the unit's underdrain flow at the step's end
    int control = -1;        ///< its LID control (Network::lid_controls), for REMOVALS
    bool to_network = false; ///< drains to a node (or to its own subcatchment as outlet)
};

/// What one runoff step of a subcatchment's hydrology gives its water quality. With LID units the
/// surface terms are those of the non-LID area before LID treatment (SWMM's Vinflow, Vinfil,
/// Voutflow) and the LID terms say what the units received and released.
struct QualityStepFlows {
    double dt_s = 0;
    double runoff_ms = 0;  ///< runoff of the sub-areas per unit subcatchment area (before routing)
    double rain_ms = 0;    ///< rain and snowfall of the gage
    double inflow_m3 = 0;  ///< ponded water at the start + run-on + net precipitation (Vinflow)
    double infil_m3 = 0;   ///< infiltration of the non-LID area
    double outflow_m3 = 0; ///< runoff of the non-LID area leaving for the outlet (before LIDs)
    double depth_m = 0;    ///< ponded depth at the end, over the non-LID area
    double snow_depth_m = 0;    ///< snow (water equivalent) over the subcatchment
    bool plowable_snow = false; ///< snow on the plowable surface: no sweeping
    bool to_network = true;     ///< the outlet is a node (or the subcatchment itself)
    // LID units (SWMM surfqual_getWashoff, findLidLoads, lid_addDrainLoads)
    double lid_area_m2 = 0;     ///< area the units take
    double runon_m3 = 0;        ///< run-on over the step (reaches the units when they cover all)
    double surface_out_m3 = -1; ///< runoff leaving after LID treatment; < 0: outflow_m3
    double lid_drain_m3 = 0;    ///< underdrain flow of all units over the step
    const std::vector<LidDrainLoad>* drains = nullptr; ///< per unit with a drain load
};

/// The quality state of every subcatchment: buildup per land use and pollutant, ponded pollutant
/// mass, washoff concentrations of the last two runoff steps, totals.
class SurfaceQuality {
public:
    SurfaceQuality() = default;
    /// Initial buildup from [LOADINGS], else from DRY_DAYS of buildup (SWMM
    /// landuse_getInitBuildup).
    SurfaceQuality(const Network& net, QualityInput input);

    bool empty() const { return in_.pollutants.empty(); }
    const QualityInput& input() const { return in_; }
    std::size_t pollutant_count() const { return in_.pollutants.size(); }

    /// Starts a runoff step: the washoff concentrations move to the old ones; the run-on loads
    /// are cleared.
    void begin_step();
    /// Run-on from subcatchment `from` (its last step's outflow `flow_m3s`) onto `to`.
    void add_runon(int from, int to, double flow_m3s);
    /// Underdrain flow `flow_m3s` (last step's) of a unit of LID control `control` in `from`
    /// sent onto subcatchment `to`: last step's washoff less the control's REMOVALS (SWMM
    /// lid_addDrainRunon).
    void add_lid_drain_runon(int from, int to, double flow_m3s, int control);
    /// Pollutant `p` an outfall routed onto subcatchment `to` over the last routing period,
    /// `mass` in the pollutant's units, spread over `period_s`; it counts as wet deposition
    /// (SWMM runoff_getOutfallRunon).
    void add_outfall_runon(int to, std::size_t p, double mass, double period_s);
    /// Fraction of pollutant p the underdrain of LID control `control` removes (REMOVALS).
    double lid_removal(int control, std::size_t p) const {
        return control < 0 || lid_removal_.empty()
                   ? 0.0
                   : lid_removal_[static_cast<std::size_t>(control) * in_.pollutants.size() + p];
    }
    /// One runoff step of subcatchment `j` starting `t_s` after the simulation start: buildup in
    /// dry weather, sweeping when `can_sweep`, washoff (SWMM runoff_execute's quality part).
    void step(int j, double t_s, bool can_sweep, const QualityStepFlows& f);
    /// Sets subcatchment j's washoff concentration of pollutant p at the end of the runoff step
    /// begun with begin_step() to `per_litre` (the pollutant's units per litre) instead of
    /// computing it: the step read from a runoff interface file (SWMM runoff_readFromFile).
    /// Nothing builds up or washes off, and the balance is left as it is.
    void set_washoff(int j, std::size_t p, double per_litre) {
        new_conc_[idx(j, p)] = per_litre * Pollutant::kLitresPerM3;
    }
    /// Washoff concentration (pollutant units per L) a fraction `fr` into the last runoff step.
    double concentration(int j, std::size_t p, double fr) const;
    /// The washoff load sent to the outlet a fraction `fr` into the last runoff step, from the
    /// runoff `q_old` / `q_new` (m³/s) at the step's ends: concentration (units per L) × m³/s
    /// (SWMM surfqual_getWtdWashoff).
    double washoff_load(int j, std::size_t p, double fr, double q_old, double q_new) const {
        return ((1.0 - fr) * q_old * old_conc_[idx(j, p)] + fr * q_new * new_conc_[idx(j, p)]) /
               Pollutant::kLitresPerM3;
    }
    /// Total washoff of subcatchment j, pollutant p, kg (counts).
    double washoff_kg(int j, std::size_t p) const { return total_load_[idx(j, p)]; }
    /// The balance of each pollutant, the remaining buildup and error set (call once, at the end).
    std::vector<QualityTotals> finish() const;

    /// The state of subcatchment j a hot start file keeps (SWMM 5.2.4 hotstart.c saveRunoff):
    /// per pollutant the runoff's concentration (units per litre) and the mass in ponded water
    /// (units); per land use and pollutant the buildup (kg, counts; `[land use * pollutants +
    /// p]`); per land use the last sweeping (SWMM's date-time, days).
    struct SubcatchState {
        std::vector<double> runoff_concentration, ponded_mass, buildup_kg, last_swept_day;
    };
    SubcatchState state(int j) const;
    /// Replaces subcatchment j's state with a hot start file's (SWMM readRunoff); the balance's
    /// initial buildup becomes its buildup and ponded mass (SWMM massbal_open, after the file is
    /// read). Precondition: the vectors have this model's sizes (a file is checked on reading).
    void set_state(int j, const SubcatchState& s);

private:
    std::size_t idx(int j, std::size_t p) const {
        return static_cast<std::size_t>(j) * in_.pollutants.size() + p;
    }
    double buildup_of(int lu, std::size_t p, double area_m2, double curb, double old, double dt_s,
                      double t_end_s) const;

    const Network* net_ = nullptr;
    QualityInput in_;
    std::vector<double> buildup_;             ///< [subcatchment][land use][pollutant], kg
    std::vector<double> last_swept_;          ///< [subcatchment][land use], SWMM date-time (days)
    double start_day_ = 0, start_tod_s_ = 0;  ///< the start's day number and time of day, s
    std::vector<double> ponded_;              ///< [subcatchment][pollutant], pollutant units
    std::vector<double> old_conc_, new_conc_; ///< [subcatchment][pollutant], units per m³
    std::vector<double> runon_load_;          ///< [subcatchment][pollutant], units per s
    std::vector<double> total_load_;          ///< [subcatchment][pollutant], kg
    std::vector<double> lid_removal_;         ///< [LID control][pollutant], fraction
    std::vector<QualityTotals> totals_;
};

} // namespace rencheng::drainage
