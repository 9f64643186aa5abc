// The drainage network: an EPA SWMM 5.x model (subcatchments, nodes, links, tables), SI inside.
//
// Units inside (the reader converts from the file's FLOW_UNITS and its US/SI unit system; the
// writer converts back; Options::flow_units remembers what the file used):
//   lengths, elevations, depths, offsets, widths, stages ....... m
//   areas (subcatchment, ponded, storage surface, sewer area) .. m²
//   volumes ..................................................... m³
//   flows (inflows, DWF, pump/diverted/rated flows, ...) ........ m³/s
//   rainfall intensity, infiltration and seepage rates, evap .... m/s
//   rainfall volume / cumulative depth, depression storage,
//   Green-Ampt suction head, Horton max infiltration volume ..... m
//   times, steps, intervals, durations, decay constants ......... s, 1/s
//   slopes, fractions (imperviousness, zero-storage, routed) .... fraction (file: percent)
//   Manning n ................................................... as written (SWMM uses one n)
//   weir discharge coefficients (Q = C·L·h^1.5 and friends) ..... m^0.5/s (file: ft^0.5/s in US)
//   outlet functional coefficient (Q = C·h^e) ................... m³/s per m^e
//   storage FUNCTIONAL coefficient a1 (A = a1·d^a2 + a0) ........ m^(2-a2), so A is in m²
//   orifice discharge coefficient, loss coefficients, factors ... dimensionless
// Kept as written (no unit in SWMM's engine, or a unit SWMM does not convert): Manning n,
// curb length, snow catch factor, curve number, temperatures, pollutant concentrations,
// CONTROL-curve points, force-main roughness (XSECTIONS FORCE_MAIN Geom2), the values of a
// time series nobody refers to, and every row of the sections listed in RawSection.
// Time series values are converted by what refers to them (TimeSeries::usage).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/index.hpp"
#include "core/units.hpp"
#include "drainage/math_expression.hpp"

namespace rencheng::drainage {

struct NodeTag {};
struct LinkTag {};
struct SubcatchTag {};
struct GageTag {};
struct CurveTag {};
struct SeriesTag {};
struct PatternTag {};
struct TransectTag {};
struct HydrographTag {};
using NodeIndex = StrongIndex<NodeTag>;
using LinkIndex = StrongIndex<LinkTag>;
using SubcatchIndex = StrongIndex<SubcatchTag>;
using GageIndex = StrongIndex<GageTag>;
using CurveIndex = StrongIndex<CurveTag>;
using SeriesIndex = StrongIndex<SeriesTag>;
using PatternIndex = StrongIndex<PatternTag>;
using TransectIndex = StrongIndex<TransectTag>;
using HydrographIndex = StrongIndex<HydrographTag>;
using units::Seconds;

/// Hash of an id that also takes a string_view, so look-ups allocate nothing. SWMM compares
/// names without regard to ASCII case (hash.c, samestr): "Gate_Rate" and "GATE_RATE" are one
/// curve, and two nodes "J1" and "j1" are a duplicate. IdHash and IdEqual do the same.
struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        std::size_t h = 14695981039346656037ULL; // FNV-1a over the upper-cased bytes
        for (const char c : s) {
            h ^= static_cast<unsigned char>((c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c);
            h *= 1099511628211ULL;
        }
        return h;
    }
};
struct IdEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const char x =
                (a[i] >= 'a' && a[i] <= 'z') ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
            const char y =
                (b[i] >= 'a' && b[i] <= 'z') ? static_cast<char>(b[i] - 'a' + 'A') : b[i];
            if (x != y)
                return false;
        }
        return true;
    }
};
/// External id → dense index, built once at load time; look-ups ignore ASCII case, as SWMM's.
using IdMap = std::unordered_map<std::string, std::int32_t, IdHash, IdEqual>;

// ---------------------------------------------------------------------------------------------
// Units of the file. CFS, GPM, MGD are US customary (lengths ft, areas acres, depths in,
// rates in/h); CMS, LPS, MLD are SI (m, hectares, mm, mm/h). SWMM 5.2 manual, Table 3-1.

enum class FlowUnits : std::uint8_t { kCfs, kGpm, kMgd, kCms, kLps, kMld };

/// True for CMS, LPS, MLD.
bool is_si(FlowUnits u);
/// Cubic metres per second in one unit of `u` (SWMM's own factors: 1 cfs = 448.831 gpm =
/// 0.64632 mgd; 1 cms = 1000 lps = 86.4 mld).
double flow_factor(FlowUnits u);
/// SWMM's own factor from its internal cfs to `u` (units.c Qcf: 1, 448.831, 0.64632, 0.02832,
/// 28.317, 2.4466): the flows SWMM reports and writes to its interface files in the model's
/// units are its internal ones times this (for CMS 0.02832, 1.1·10⁻⁴ above the exact
/// 0.0283168).
double swmm_flow_units_per_cfs(FlowUnits u);
std::string_view flow_units_name(FlowUnits u);

/// Factors from the file's units to SI (multiply a file value by these), derived from
/// Options::flow_units.
struct UnitFactors {
    double flow = 1;            ///< m³/s per flow unit
    double length = 1;          ///< m per ft or m
    double area = 1;            ///< m² per ft² or m² (storage curves, ponded area)
    double land_area = 1;       ///< m² per acre or hectare (subcatchments, RDII sewer area)
    double volume = 1;          ///< m³ per ft³ or m³
    double rain_depth = 1;      ///< m per in or mm
    double rain_rate = 1;       ///< m/s per in/h or mm/h (rainfall, infiltration, seepage)
    double evap_rate = 1;       ///< m/s per in/day or mm/day
    double weir_coeff = 1;      ///< (m^0.5/s) per (ft^0.5/s) or (m^0.5/s)
    double hour = units::kHour; ///< s per hour
};
UnitFactors unit_factors(FlowUnits u);

// ---------------------------------------------------------------------------------------------
// Options

enum class InfiltrationModel : std::uint8_t {
    kHorton,
    kModifiedHorton,
    kGreenAmpt,
    kModifiedGreenAmpt,
    kCurveNumber
};
/// FLOW_ROUTING. kNone: SWMM 5.2's NONE (runoff only).
enum class FlowRouting : std::uint8_t { kNone, kSteady, kKinwave, kDynwave };
/// LINK_OFFSETS: link offsets are depths above the node invert, or elevations.
enum class LinkOffsets : std::uint8_t { kDepth, kElevation };
enum class ForceMainEquation : std::uint8_t { kHazenWilliams, kDarcyWeisbach };
enum class InertialDamping : std::uint8_t { kNone, kPartial, kFull };
enum class NormalFlowLimited : std::uint8_t { kSlope, kFroude, kBoth, kNone };
enum class SurchargeMethod : std::uint8_t { kExtran, kSlot };

/// A calendar date (proleptic Gregorian) and a time of day.
struct CalendarTime {
    int year = 2004;
    int month = 1; ///< 1..12
    int day = 1;   ///< 1..31
    Seconds time_of_day = 0;
};
/// Days from 1899-12-30 (SWMM's / Excel's day zero) to `c`'s date, plus the time of day, in s.
Seconds seconds_since_epoch(const CalendarTime& c);
/// Inverse of seconds_since_epoch.
CalendarTime calendar_from_seconds(Seconds s);
/// SWMM's day number of `s` (seconds_since_epoch): whole days since 30 December 1899 plus the
/// time of day as a fraction, the double SWMM keeps date-times in (and writes to its interface
/// files).
double swmm_day_number(Seconds s);
/// A date as SWMM 5.2.4's datetime_strToDate reads it (MM/DD/YYYY, the month as a number or its
/// first three letters; the text must hold a '/' or '-', either separator may be any character
/// and what follows the year is not read: `06/30/2025x` is 30 June 2025); nullopt when it is not
/// one.
std::optional<CalendarTime> parse_swmm_date(std::string_view s);

/// [OPTIONS]. Defaults are SWMM 5.2's (project.c setDefaults). Every time is in seconds from the
/// simulation start (START_DATE + START_TIME) unless its name says otherwise.
struct Options {
    FlowUnits flow_units = FlowUnits::kCfs;
    InfiltrationModel infiltration = InfiltrationModel::kHorton;
    FlowRouting routing = FlowRouting::kDynwave;
    LinkOffsets link_offsets = LinkOffsets::kDepth;
    ForceMainEquation force_main_equation = ForceMainEquation::kHazenWilliams;
    InertialDamping inertial_damping = InertialDamping::kPartial;
    NormalFlowLimited normal_flow_limited = NormalFlowLimited::kBoth;
    SurchargeMethod surcharge_method = SurchargeMethod::kExtran;

    CalendarTime start;         ///< START_DATE, START_TIME
    Seconds end_s = 0;          ///< END_DATE/END_TIME − start
    Seconds report_start_s = 0; ///< REPORT_START_DATE/TIME − start (default: the start)
    int sweep_start_month = 1;  ///< SWEEP_START mm/dd
    int sweep_start_day = 1;
    int sweep_end_month = 12; ///< SWEEP_END mm/dd
    int sweep_end_day = 31;
    double antecedent_dry_s = 0; ///< DRY_DAYS (file: days)

    Seconds report_step_s = 900;
    Seconds wet_step_s = 300;
    Seconds dry_step_s = 3600;
    double routing_step_s = 20;       ///< ROUTING_STEP (may be fractional)
    Seconds rule_step_s = 0;          ///< RULE_STEP, 0: every routing step
    double lengthening_step_s = 0;    ///< LENGTHENING_STEP, 0: none
    double variable_step = 0;         ///< VARIABLE_STEP (Courant safety factor), 0: fixed step
    double minimum_step_s = 0.5;      ///< MINIMUM_STEP
    double min_surface_area_m2 = 0;   ///< MIN_SURFAREA, 0: SWMM's default (12.566 ft²)
    double min_slope = 0;             ///< MIN_SLOPE as a fraction (file: percent), 0: none
    int max_trials = 0;               ///< MAX_TRIALS, 0: SWMM's default (8)
    double head_tolerance_m = 0;      ///< HEAD_TOLERANCE, 0: SWMM's default (0.005 ft)
    double sys_flow_tolerance = 0.05; ///< SYS_FLOW_TOL as a fraction (file: percent)
    double lat_flow_tolerance = 0.05; ///< LAT_FLOW_TOL as a fraction (file: percent)
    int threads = 1;                  ///< THREADS (read and written back, not used)

    bool allow_ponding = false;
    bool skip_steady_state = false;
    bool ignore_rainfall = false;
    bool ignore_snowmelt = false;
    bool ignore_groundwater = false;
    bool ignore_rdii = false;
    bool ignore_routing = false;
    bool ignore_quality = false;
    bool slope_weighting = true; ///< SLOPE_WEIGHTING (legacy; kept)

    std::string tempdir;           ///< TEMPDIR, empty: none
    std::string compatibility;     ///< COMPATIBILITY (legacy; kept as written), empty: none
    bool has_report_start = false; ///< REPORT_START_DATE/TIME given
};

// ---------------------------------------------------------------------------------------------
// Tables: time series, curves, patterns, transects

/// What a time series feeds, learned from the objects that refer to it; it fixes the unit its
/// values are converted with.
enum class SeriesUsage : std::uint8_t {
    kUnused,        ///< nobody refers to it: values kept as written
    kRainIntensity, ///< INTENSITY gage: m/s (file in/h, mm/h)
    kRainDepth,     ///< VOLUME or CUMULATIVE gage: m (file in, mm)
    kFlow,          ///< FLOW inflow: m³/s (file flow units)
    kStage,         ///< TIMESERIES outfall: m
    kEvaporation,   ///< EVAPORATION TIMESERIES: m/s (file in/day, mm/day)
    kTemperature,   ///< TEMPERATURE TIMESERIES: as written (°F / °C)
    kConcentration, ///< a pollutant inflow (CONCEN or MASS): as written
    kOther          ///< referred to where no unit applies (control rules, ...): as written
};
/// The factor from a time series' values as written to SI, by what the series feeds (1 where no
/// unit applies).
double series_unit_factor(const UnitFactors& f, SeriesUsage usage);

/// Linear interpolation in a table of increasing x, its end values held beyond it (SWMM
/// table_lookup); 0 for an empty table.
double table_lookup(const std::vector<double>& x, const std::vector<double>& y, double v);

/// [TIMESERIES]. A series is either inline points or a FILE.
struct TimeSeries {
    std::string id;
    SeriesUsage usage = SeriesUsage::kUnused;
    /// Point times in seconds from the simulation start (negative before it).
    std::vector<double> time_s;
    std::vector<double> value; ///< SI per `usage`
    /// 1: the point was written with a date (written back with one); 0: time only, relative
    /// to the start (SWMM: hours since the start of the simulation).
    std::vector<std::uint8_t> dated;
    std::string file; ///< FILE name as written (not read here); empty: inline points
};

/// The series' value at t (s from the start): linear between its points, 0 outside them (SWMM
/// tseriesLookup without extension).
double series_value(const TimeSeries& s, double t);

enum class CurveType : std::uint8_t {
    kStorage,   ///< depth m → surface area m²
    kDiversion, ///< inflow m³/s → diverted flow m³/s
    kTidal,     ///< hour of day (as s after midnight) → stage m
    kRating,    ///< head m → flow m³/s
    kControl,   ///< control variable → setting (as written)
    kShape,     ///< depth/full depth → width/full depth (dimensionless)
    kWeir,      ///< head m → discharge coefficient m^0.5/s
    kPump1,     ///< wet well volume m³ → flow m³/s
    kPump2,     ///< inlet depth m → flow m³/s
    kPump3,     ///< head m → flow m³/s
    kPump4,     ///< inlet depth m → flow m³/s
    kPump5      ///< head m → flow m³/s (variable speed)
};
std::string_view curve_type_name(CurveType t);

struct Curve {
    std::string id;
    CurveType type = CurveType::kStorage;
    std::vector<double> x, y; ///< SI per `type`
};

enum class PatternType : std::uint8_t { kMonthly, kDaily, kHourly, kWeekend };
struct Pattern {
    std::string id;
    PatternType type = PatternType::kMonthly;
    std::vector<double> factors; ///< 12 monthly, 7 daily (Sun..Sat), 24 hourly/weekend
};

/// [TRANSECTS]: an irregular cross-section (HEC-2 style NC / X1 / GR records).
struct Transect {
    std::string id;
    double n_left = 0, n_right = 0, n_channel = 0; ///< Manning n (NC, in force for this one)
    std::vector<double> station_m;                 ///< GR stations, in order
    std::vector<double> elevation_m;               ///< GR elevations
    double left_bank_m = 0, right_bank_m = 0;      ///< X1 station of the channel banks
    double meander_factor = 0;                     ///< X1 Lfactor (0: none)
    double station_factor = 0;                     ///< X1 Wfactor (0: none)
    double elevation_offset_m = 0;                 ///< X1 Eoffset
};

// ---------------------------------------------------------------------------------------------
// Climate: rain gages, evaporation, temperature

enum class RainFormat : std::uint8_t { kIntensity, kVolume, kCumulative };
enum class RainSource : std::uint8_t { kTimeSeries, kFile };

/// [RAINGAGES], indexed by GageIndex.
struct RainGage {
    std::string id;
    RainFormat format = RainFormat::kIntensity;
    Seconds interval_s = 3600;
    double snow_catch_factor = 1.0;
    RainSource source = RainSource::kTimeSeries;
    SeriesIndex series;                  ///< kTimeSeries
    std::string file;                    ///< kFile: file name as written
    std::string station;                 ///< kFile: station id
    bool file_in_mm = false;             ///< kFile: rain units MM (else IN)
    std::vector<std::string> file_dates; ///< kFile: optional start / end dates, as written
    /// kFile: the start date (the first of file_dates unless it begins with '*'): records of an
    /// earlier day are skipped when the file is read (SWMM 5.2.4 gage.c, rain.c). A later date
    /// is kept as written but not applied, as by SWMM.
    std::optional<CalendarTime> file_start;
    double x = 0, y = 0; ///< [SYMBOLS]
    bool has_symbol = false;
};

enum class EvaporationType : std::uint8_t { kConstant, kMonthly, kTimeSeries, kTemperature, kFile };
/// [EVAPORATION]. Default (no section): constant 0.
struct Evaporation {
    EvaporationType type = EvaporationType::kConstant;
    double constant_ms = 0;
    std::array<double, 12> monthly_ms{};
    SeriesIndex series;
    std::array<double, 12> pan_coefficients{}; ///< FILE: monthly pan coefficients
    bool has_pan_coefficients = false;
    PatternIndex recovery; ///< RECOVERY pattern, invalid: none
    bool dry_only = false; ///< DRY_ONLY YES
    bool given = false;    ///< the section had a type line
};

// ---------------------------------------------------------------------------------------------
// Subcatchments

enum class SubareaRouting : std::uint8_t { kOutlet, kImpervious, kPervious };

/// Infiltration parameters of one subcatchment; which fields apply depends on `model`.
struct Infiltration {
    InfiltrationModel model = InfiltrationModel::kHorton;
    bool model_given = false; ///< the line named its model (SWMM 5.2 last token)
    // Horton / modified Horton
    double max_rate_ms = 0;  ///< f0
    double min_rate_ms = 0;  ///< f∞
    double decay_per_s = 0;  ///< k (file: 1/h)
    double dry_time_s = 0;   ///< drying time (file: days); also curve number's
    double max_volume_m = 0; ///< Horton max infiltration depth, 0: none
    // Green-Ampt / modified Green-Ampt
    double suction_m = 0;       ///< capillary suction head ψ
    double ksat_ms = 0;         ///< saturated conductivity; curve number: (unused) Ksat
    double initial_deficit = 0; ///< θs − θi, fraction
    // Curve number
    double curve_number = 0; ///< as written; SWMM clamps it to [10, 99] when it runs
};

/// [SUBCATCHMENTS] + [SUBAREAS] + [INFILTRATION] + [POLYGONS], struct-of-arrays by SubcatchIndex.
struct Subcatchments {
    std::vector<std::string> id;
    std::vector<GageIndex> gage;
    /// Outlet: a node, or a subcatchment (exactly one is valid; SWMM looks for a node of that
    /// name first). A subcatchment naming itself is accepted as SWMM 5.2 does.
    std::vector<NodeIndex> outlet_node;
    std::vector<SubcatchIndex> outlet_subcatch;
    std::vector<double> area_m2;         ///< file: acres / hectares
    std::vector<double> imperv_fraction; ///< file: percent
    std::vector<double> width_m;         ///< characteristic overland flow width
    std::vector<double> slope;           ///< fraction (file: percent)
    std::vector<double> curb_length;     ///< as written (any length unit)
    std::vector<std::string> snowpack;   ///< [SNOWPACKS] name, empty: none
    // [SUBAREAS]
    std::vector<double> n_imperv, n_perv; ///< Manning n
    std::vector<double> dstore_imperv_m;  ///< depression storage (file: in / mm)
    std::vector<double> dstore_perv_m;
    std::vector<double> zero_imperv_fraction; ///< impervious area without depression storage
    std::vector<SubareaRouting> route_to;
    std::vector<double> routed_fraction;    ///< file: percent (default 100)
    std::vector<std::uint8_t> has_subareas; ///< 1: a [SUBAREAS] line was given
    // [INFILTRATION]
    std::vector<Infiltration> infiltration;
    std::vector<std::uint8_t> has_infiltration;
    // [POLYGONS]: x0, y0, x1, y1, ... in map units
    std::vector<std::vector<double>> polygon;
    IdMap index;

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(id.size()); }
};

// ---------------------------------------------------------------------------------------------
// Nodes

enum class NodeKind : std::uint8_t { kJunction, kOutfall, kStorage, kDivider };
enum class OutfallType : std::uint8_t { kFree, kNormal, kFixed, kTidal, kTimeSeries };

/// Outfalls, indexed by outfall number; `node[o]` is the outfall's node.
struct Outfalls {
    std::vector<NodeIndex> node;
    std::vector<OutfallType> type;
    std::vector<double> fixed_stage_m; ///< kFixed: stage elevation
    std::vector<CurveIndex> tidal_curve;
    std::vector<SeriesIndex> stage_series;
    std::vector<std::uint8_t> flap_gate;
    std::vector<SubcatchIndex> route_to; ///< invalid: none
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(node.size()); }
};

/// STORAGE surface-area relation. kFunctional: A = a1·d^a2 + a0. The 5.2 shapes take three
/// parameters p0, p1, p2 (SWMM 5.2 manual, Storage Unit Properties):
///   kCylindrical: p0, p1 = major and minor base axis (m), p2 unused;
///   kConical: p0, p1 = base major and minor axis (m), p2 = side slope (run/rise);
///   kParabolic: p0, p1 = major and minor axis at the top (m), p2 = height (m);
///   kPyramidal: p0, p1 = base length and width (m), p2 = side slope (run/rise).
enum class StorageShape : std::uint8_t {
    kTabular,
    kFunctional,
    kCylindrical,
    kConical,
    kParabolic,
    kPyramidal
};

/// Storage units, indexed by storage number; `node[s]` is the storage unit's node.
struct Storages {
    std::vector<NodeIndex> node;
    std::vector<StorageShape> shape;
    std::vector<CurveIndex> curve;            ///< kTabular: STORAGE curve (depth m → area m²)
    std::vector<std::array<double, 3>> param; ///< kFunctional: a1 (m^(2-a2)), a2, a0 (m²);
                                              ///< shapes: p0, p1, p2 as above (SI)
    std::vector<double> evap_factor;          ///< fraction of potential evaporation
    /// Seepage (exfiltration) through bottom and sides, Green-Ampt: suction head m, Ksat m/s,
    /// initial moisture deficit. has_seepage 0: none given.
    std::vector<double> seepage_suction_m, seepage_ksat_ms, seepage_initial_deficit;
    std::vector<std::uint8_t> has_seepage;
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(node.size()); }
};

enum class DividerType : std::uint8_t { kCutoff, kOverflow, kTabular, kWeir };

/// Flow dividers, indexed by divider number; `node[d]` is the divider's node.
struct Dividers {
    std::vector<NodeIndex> node;
    std::vector<LinkIndex> diverted_link;
    std::vector<DividerType> type;
    std::vector<double> cutoff_flow_m3s;   ///< kCutoff
    std::vector<CurveIndex> curve;         ///< kTabular: DIVERSION curve
    std::vector<double> weir_min_flow_m3s; ///< kWeir: Qmin
    std::vector<double> weir_max_depth_m;  ///< kWeir: Dmax (Ht)
    std::vector<double> weir_coefficient;  ///< kWeir: Cw, m^0.5/s
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(node.size()); }
};

// ---------------------------------------------------------------------------------------------
// Links

enum class LinkKind : std::uint8_t { kConduit, kPump, kOrifice, kWeir, kOutlet };

/// Every cross-section shape SWMM 5.2 accepts ([XSECTIONS] keywords).
enum class XsectShape : std::uint8_t {
    kDummy,
    kCircular,
    kFilledCircular,
    kRectClosed,
    kRectOpen,
    kTrapezoidal,
    kTriangular,
    kParabolic,
    kPower,
    kRectTriangular,
    kRectRound,
    kModBasketHandle,
    kHorizEllipse,
    kVertEllipse,
    kArch,
    kEgg,
    kHorseshoe,
    kGothic,
    kCatenary,
    kSemiElliptical,
    kBasketHandle,
    kSemiCircular,
    kIrregular,
    kCustom,
    kForceMain,
    kStreet
};
std::string_view xsect_shape_name(XsectShape s);

/// A link's cross-section. geom[0] is the full depth (m) for every shape but kIrregular /
/// kStreet. geom[1..3] hold what SWMM's Geom2..Geom4 mean for the shape; those that are lengths
/// are in m (geom[1] for all shapes but kForceMain, where it is the roughness as written;
/// geom[2] for kRectTriangular, kRectRound, kModBasketHandle); the others are kept as written
/// (side slopes, exponents, size codes, sides to ignore, unused).
struct XSection {
    XsectShape shape = XsectShape::kDummy;
    std::array<double, 4> geom{};
    int barrels = 1;
    int culvert_code = 0;           ///< 0: not a culvert (FHWA HDS-5 code otherwise)
    TransectIndex transect;         ///< kIrregular
    CurveIndex shape_curve;         ///< kCustom: SHAPE curve
    std::string street;             ///< kStreet: [STREETS] name (kept as written)
    std::int32_t street_index = -1; ///< kStreet: index into Network::streets
    bool given = false;             ///< an [XSECTIONS] line was given for the link
};

/// [LOSSES] of a conduit.
struct Losses {
    double entry = 0, exit = 0, average = 0; ///< minor loss coefficients
    bool flap_gate = false;
    double seepage_ms = 0; ///< seepage rate (file in/h, mm/h)
    bool given = false;
};

/// Conduits, indexed by conduit number; `link[c]` is the conduit's link.
struct Conduits {
    std::vector<LinkIndex> link;
    std::vector<double> length_m;
    std::vector<double> roughness; ///< Manning n
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

/// Pumps, indexed by pump number. `curve` invalid: an ideal pump ("*" in the file).
struct Pumps {
    std::vector<LinkIndex> link;
    std::vector<CurveIndex> curve;
    std::vector<std::uint8_t> initially_on; ///< Status ON (default) / OFF
    std::vector<double> startup_depth_m;    ///< 0: none
    std::vector<double> shutoff_depth_m;    ///< 0: none
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

enum class OrificeType : std::uint8_t { kSide, kBottom };
/// Orifices, indexed by orifice number. The crest offset is the link's inlet offset.
struct Orifices {
    std::vector<LinkIndex> link;
    std::vector<OrificeType> type;
    std::vector<double> discharge_coefficient;
    std::vector<std::uint8_t> flap_gate;
    std::vector<double> open_close_time_s; ///< file: hours, 0: instantaneous
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

enum class WeirType : std::uint8_t { kTransverse, kSideflow, kVNotch, kTrapezoidal, kRoadway };
enum class RoadSurface : std::uint8_t { kNone, kPaved, kGravel };
/// Weirs, indexed by weir number. The crest height is the link's inlet offset.
struct Weirs {
    std::vector<LinkIndex> link;
    std::vector<WeirType> type;
    std::vector<double> coefficient; ///< Cd, m^0.5/s
    std::vector<std::uint8_t> flap_gate;
    std::vector<double> end_contractions;
    std::vector<double> end_coefficient;     ///< Cd2 of the triangular ends, m^0.5/s
    std::vector<std::uint8_t> can_surcharge; ///< default 1
    std::vector<double> road_width_m;        ///< kRoadway
    std::vector<RoadSurface> road_surface;
    std::vector<CurveIndex> coefficient_curve; ///< WEIR curve, invalid: none
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

enum class OutletRating : std::uint8_t {
    kFunctionalDepth,
    kFunctionalHead,
    kTabularDepth,
    kTabularHead
};
/// Outlets, indexed by outlet number. The outlet height is the link's inlet offset.
struct Outlets {
    std::vector<LinkIndex> link;
    std::vector<OutletRating> rating;
    std::vector<double> coefficient; ///< functional: Q = C·h^e, C in m³/s per m^e
    std::vector<double> exponent;
    std::vector<CurveIndex> curve; ///< tabular: RATING curve
    std::vector<std::uint8_t> flap_gate;
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

// ---------------------------------------------------------------------------------------------
// Inflows: DWF, external inflows, RDII

/// [INFLOWS] line. Inflow = series(t)·scale_factor·conversion + baseline·pattern(t)
/// (SWMM 5.2 manual, External Inflows). For FLOW the reader has already applied the flow-unit
/// conversion (series values and baseline in m³/s) and SWMM ignores the Mfactor field:
/// conversion_factor is then only the written field, kept for the writer; use it for MASS
/// inflows.
struct ExternalInflow {
    enum class Type : std::uint8_t { kFlow, kConcentration, kMass };
    NodeIndex node;
    std::string constituent; ///< FLOW or a pollutant name
    Type type = Type::kFlow;
    SeriesIndex series;           ///< invalid: none ("" in the file)
    double conversion_factor = 1; ///< Mfactor (mass inflows)
    double scale_factor = 1;      ///< Sfactor
    double baseline = 0;          ///< FLOW: m³/s; pollutants: as written
    PatternIndex baseline_pattern;
};

/// [DWF] line: average dry-weather value and up to four time patterns.
struct DryWeatherFlow {
    NodeIndex node;
    std::string constituent; ///< FLOW or a pollutant name
    double average = 0;      ///< FLOW: m³/s; pollutants: as written
    std::vector<PatternIndex> patterns;
};

/// [RDII] line.
struct Rdii {
    NodeIndex node;
    HydrographIndex hydrograph;
    double sewer_area_m2 = 0; ///< file: acres / hectares
};

/// One [HYDROGRAPHS] parameter line of a unit hydrograph group.
struct UnitHydrographParams {
    int month = 0; ///< 0: ALL, 1..12
    enum class Response : std::uint8_t { kShort, kMedium, kLong } response = Response::kShort;
    double r = 0;         ///< fraction of rainfall that becomes RDII
    double t_s = 0;       ///< time to peak (file: h)
    double k = 0;         ///< recession limb ratio
    double dmax_m = 0;    ///< initial abstraction: max depth (file in / mm)
    double drecov_ms = 0; ///< recovery rate (file in/day, mm/day)
    double dinit_m = 0;   ///< initial depth
    bool has_abstraction = false;
};

struct UnitHydrograph {
    std::string id;
    GageIndex gage;
    std::vector<UnitHydrographParams> params;
};

// ---------------------------------------------------------------------------------------------
// Controls

/// A variable of a rule premise, `object id attribute` (SWMM 5.2 manual, Control Rules).
struct RuleVariable {
    enum class Object : std::uint8_t { kGage, kNode, kLink, kSimulation };
    enum class Attribute : std::uint8_t {
        kDepth,
        kMaxDepth,
        kHead,
        kVolume,
        kInflow,
        kFlow,
        kFullFlow,
        kFullDepth,
        kStatus,
        kSetting,
        kLength,
        kSlope,
        kVelocity,
        kTimeOpen,
        kTimeClosed,
        kTime,
        kDate,
        kClockTime,
        kDayOfYear,
        kDay,
        kMonth,
        kIntensity,
        kPastRain ///< a gage's rainfall depth over the past `past_hours` hours (`GAGE id 24`)
    };
    Object object = Object::kSimulation;
    std::int32_t index = -1; ///< gage, node or link index; -1 for SIMULATION
    Attribute attribute = Attribute::kTime;
    std::int32_t past_hours = 0; ///< kPastRain: 1..48
};

/// A named variable of the rules, `VARIABLE name = object id attribute` (SWMM 5.2): premises and
/// expressions may use the name in its place.
struct RuleNamedVariable {
    std::string name;
    RuleVariable variable;
};
/// A named expression, `EXPRESSION name = formula`, over named variables (indices into
/// Network::rule_variables); a premise may compare it with a value.
struct RuleExpression {
    std::string name;
    MathExpression expression;
};

/// A premise read into its parts: `lhs relation value`, or `lhs relation rhs` when the right
/// side is another variable.
struct RuleCondition {
    enum class Relation : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
    /// >= 0: the left side is this named expression (Network::rule_expressions), `lhs` unused,
    /// and `value` is as written (SWMM compares an expression with the number as written).
    std::int32_t expression = -1;
    RuleVariable lhs;
    Relation relation = Relation::kEq;
    std::optional<RuleVariable> rhs;
    /// The value in SI by the lhs attribute: m (DEPTH, MAXDEPTH, HEAD, FULLDEPTH, LENGTH), m³
    /// (VOLUME), m³/s (INFLOW, FLOW, FULLFLOW), m/s (VELOCITY, gage INTENSITY), m (a gage's
    /// past rainfall depth), as written
    /// (SLOPE, SETTING), 1 or 0 (STATUS ON/OPEN or OFF/CLOSED), s (TIME since the start,
    /// CLOCKTIME after midnight, TIMEOPEN, TIMECLOSED), seconds_since_epoch() of the date at
    /// midnight (DATE), the number (DAY 1..7 with 1 = Sunday, MONTH 1..12, DAYOFYEAR 1..365).
    double value = 0;
};

/// An action read into its parts: `object id STATUS|SETTING = value`.
struct RuleSetting {
    enum class Kind : std::uint8_t { kStatus, kSetting, kCurve, kTimeSeries, kPid };
    LinkIndex link;
    Kind kind = Kind::kSetting;
    /// kStatus: 1 (ON, OPEN) or 0 (OFF, CLOSED); kSetting: the setting as written (a fraction
    /// open for orifices, weirs, outlets; a speed setting for pumps).
    double value = 0;
    CurveIndex curve;            ///< kCurve: CONTROL curve of the first premise's variable
    SeriesIndex series;          ///< kTimeSeries
    std::array<double, 3> pid{}; ///< kPid: kp, ki, kd as written
};

/// One premise clause of a control rule (SWMM 5.2 manual, Control Rules):
/// `IF|AND|OR object id attribute relation value` (value may itself be `object id attribute`).
struct RulePremise {
    enum class Logic : std::uint8_t { kIf, kAnd, kOr };
    Logic logic = Logic::kIf;
    std::vector<std::string> tokens;        ///< after the logic word, as written
    std::optional<RuleCondition> condition; ///< the clause read; empty only after an error
};
/// One action clause: `THEN|AND|ELSE object id attribute = value`.
struct RuleAction {
    bool else_branch = false;
    std::vector<std::string> tokens;    ///< after THEN/ELSE/AND, as written
    std::optional<RuleSetting> setting; ///< the clause read; empty only after an error
};
struct ControlRule {
    std::string id;
    int line = 0; ///< line of RULE in the file
    std::vector<RulePremise> premises;
    std::vector<RuleAction> actions;
    std::optional<double> priority;
};

// ---------------------------------------------------------------------------------------------
// Map and annotation

struct Label {
    double x = 0, y = 0;
    std::string text;
    std::vector<std::string> tail; ///< anchor, font, size, bold, italic as written
};

struct Tag {
    std::string object; ///< Gage / Subcatch / Node / Link
    std::string id;
    std::string tag;
};

/// [MAP] DIMENSIONS and UNITS.
struct MapOptions {
    std::optional<std::array<double, 4>> dimensions;
    std::string units; ///< FEET / METERS / DEGREES / NONE, empty: not given
};

/// [FILES] line: USE|SAVE kind name.
struct FileUse {
    std::string mode; ///< USE / SAVE
    std::string kind; ///< RAINFALL / RUNOFF / HOTSTART / RDII / INFLOWS / OUTFLOWS
    std::string name;
};

/// A section this model keeps row by row without interpreting it (water quality, LID, inlets,
/// groundwater, snowmelt, temperature, ...): every data line's tokens, in file order, written
/// back as they were. Object names in it are not resolved. Which sections: see
/// kRawSectionNames in swmm_inp.hpp and docs/drainage.md.
struct RawSection {
    std::string name; ///< upper case, without brackets, e.g. "LID_CONTROLS"
    std::vector<std::vector<std::string>> rows;
    std::vector<int> line; ///< file line of each row
};

/// LID process types of [LID_CONTROLS] (SWMM 5.2 Reference Manual Vol. III, ch. 5).
enum class LidType : std::uint8_t {
    kBioRetention,        ///< BC
    kRainGarden,          ///< RG
    kGreenRoof,           ///< GR
    kInfiltrationTrench,  ///< IT
    kPermeablePavement,   ///< PP
    kRainBarrel,          ///< RB
    kVegetativeSwale,     ///< VS
    kRooftopDisconnection ///< RD
};

/// One [LID_CONTROLS] process with its layers, SI (file: in or mm, in/h or mm/h, percent, hours).
/// A layer that is absent has zero thickness. Void ratios of the file are kept as void fractions.
struct LidControl {
    std::string id;
    LidType type = LidType::kBioRetention;
    bool type_given = false;
    int line = 0; ///< file line of the type row
    // SURFACE
    double surface_storage_m = 0;     ///< berm height (swale: full depth)
    double surface_void_fraction = 1; ///< 1 − vegetation volume fraction
    double surface_roughness = 0;     ///< Manning's n
    double surface_slope = 0;         ///< fraction (file: percent)
    double surface_side_slope = 0;    ///< swale side slope, run/rise
    // PAVEMENT
    double pavement_thickness_m = 0;
    double pavement_void_fraction = 0; ///< from the void ratio e: e/(1+e)
    double pavement_imperv_fraction = 0;
    double pavement_ksat_ms = 0;
    double pavement_clog_factor = 0; ///< as written (void volumes treated until clogged)
    double pavement_regen_days = 0;
    double pavement_regen_degree = 0;
    // SOIL
    double soil_thickness_m = 0;
    double soil_porosity = 0;
    double soil_field_capacity = 0;
    double soil_wilting_point = 0;
    double soil_ksat_ms = 0;
    double soil_kslope = 0; ///< conductivity slope of K = Ks·exp(−kslope·(φ − θ))
    double soil_suction_m = 0;
    // STORAGE
    double storage_thickness_m = 0; ///< rain barrel: barrel height
    double storage_void_fraction = 0;
    double storage_ksat_ms = 0; ///< seepage rate into native soil
    double storage_clog_factor = 0;
    bool storage_covered = false; ///< rain barrel with a lid: no direct rainfall
    // DRAIN: q = C·(h − offset)^n with h in the file's depth unit and q in its unit per hour
    double drain_coeff = 0;
    double drain_expon = 0;
    double drain_offset_m = 0;
    double drain_delay_s = 0; ///< rain barrel: dry time before it drains (file: hours)
    double drain_open_head_m = 0;
    double drain_close_head_m = 0;
    bool drain_curve_given = false; ///< a control curve named
    /// The control curve's points (x: head above the offset, y: multiplier of the drain flow),
    /// in the file's depth unit as written (SWMM table_lookup: the end values beyond the ends).
    std::vector<double> drain_curve_x, drain_curve_y;
    // DRAINMAT (green roof)
    double mat_thickness_m = 0;
    double mat_void_fraction = 0;
    double mat_roughness = 0;
    /// Depth unit of the file (0.0254 m: in, 0.001 m: mm): the drain equation is in it.
    double depth_unit_m = 0.0254;
    /// REMOVALS: the fraction (file: percent) of each named pollutant's load taken out of the
    /// underdrain flow, as written (a later pair for one pollutant replaces an earlier one).
    std::vector<std::pair<std::string, double>> removals;
};

/// [STREETS]: a street cross-section (SWMM 5.2 User's Manual §3.3.x "Street"), SI. A conduit
/// whose [XSECTIONS] shape is STREET uses it as a transect (drainage/inlet.hpp street_profile).
struct Street {
    std::string id;
    int line = 0;                   ///< file line of the row
    double crown_width_m = 0;       ///< Tcrown: distance from the curb to the crown
    double curb_height_m = 0;       ///< Hcurb
    double cross_slope = 0;         ///< Sx, road cross slope as a fraction (file: percent)
    double roughness = 0;           ///< road Manning n
    double gutter_depression_m = 0; ///< a: depression of the gutter below the road's slope line
    double gutter_width_m = 0;      ///< W: width of the depressed gutter
    int sides = 2;                  ///< 1: one side of a street (half street), 2: both sides
    double back_width_m = 0;        ///< width of the street backing beyond the curb (0: none)
    double back_slope = 0;          ///< backing slope as a fraction (file: percent)
    double back_roughness = 0;      ///< backing Manning n
};

/// [INLETS] inlet kinds (SWMM 5.2; a COMBINATION inlet is a GRATE and a CURB row of one id).
enum class InletType : std::uint8_t {
    kGrate,
    kCurb,
    kCombination,
    kSlotted,
    kDropGrate,
    kDropCurb,
    kCustom
};
/// Grate types of HEC-22 (3rd ed.) Chart 5B (splash-over velocity), and a GENERIC grate whose
/// open area and splash-over velocity are given.
enum class GrateType : std::uint8_t {
    kPBar50,
    kPBar50x100,
    kPBar30,
    kCurvedVane,
    kTiltBar45,
    kTiltBar30,
    kReticuline,
    kGeneric
};
/// Throat of a curb opening (HEC-22 eq. 4-31a and its figure 4-15).
enum class ThroatType : std::uint8_t { kHorizontal, kInclined, kVertical };
/// Where an inlet sits: on a continuous grade, in a sag, or decided by the bypass node
/// (AUTOMATIC: in a sag when no link leaves the node).
enum class InletPlacement : std::uint8_t { kAutomatic, kOnGrade, kOnSag };

/// One inlet design of [INLETS], SI. Lengths that are 0 mark parts the design does not have.
struct InletDesign {
    std::string id;
    int line = 0;
    InletType type = InletType::kCustom;
    double grate_length_m = 0, grate_width_m = 0; ///< along and across the flow
    GrateType grate_type = GrateType::kGeneric;
    double grate_open_fraction = 0; ///< GENERIC: open area / grate area
    double splash_velocity_ms = 0;  ///< GENERIC: splash-over velocity
    double curb_length_m = 0, curb_height_m = 0;
    ThroatType throat = ThroatType::kVertical;
    double slotted_length_m = 0, slotted_width_m = 0;
    CurveIndex curve; ///< CUSTOM: DIVERSION (captured vs approach flow) or RATING (vs depth)
};

/// One [INLET_USAGE] row: `count` identical inlets of a design in a street (or channel) conduit,
/// sending what they capture to `capture_node`; what they bypass goes on down the conduit.
struct InletUsage {
    int line = 0;
    LinkIndex link;
    std::int32_t design = -1; ///< index into Network::inlet_designs
    NodeIndex capture_node;
    int count = 1;             ///< per side of a street
    double clogged_pct = 0;    ///< percent of the inlet clogged
    double flow_limit_m3s = 0; ///< most flow one inlet captures (0: no limit)
    double local_depression_m = 0, local_width_m = 0;
    InletPlacement placement = InletPlacement::kAutomatic;
};

/// One [LID_USAGE] row: `number` identical units of a LID control placed in a subcatchment.
struct LidUsage {
    SubcatchIndex subcatchment;
    std::int32_t control = -1; ///< index into Network::lid_controls
    int number = 0;
    double unit_area_m2 = 0;       ///< area of each unit (file: ft² or m²)
    double width_m = 0;            ///< outflow width of each unit
    double initial_saturation = 0; ///< fraction (file: percent)
    double from_imperv = 0;        ///< share of the impervious runoff treated (file: percent)
    double from_perv = 0;          ///< share of the pervious runoff treated (file: percent)
    bool to_pervious = false;      ///< outflow returned onto the pervious area
    std::string report_file;       ///< as written, not produced
    NodeIndex drain_node;          ///< underdrain outlet; both invalid: the subcatchment's outlet
    SubcatchIndex drain_subcatchment;
    int line = 0;
};

// ---------------------------------------------------------------------------------------------
// The network

/// A SWMM drainage model. Nodes and links are struct-of-arrays with dense 0-based indices
/// (junctions, outfalls, dividers and storage units share the node numbering, in file order of
/// their sections: JUNCTIONS, OUTFALLS, DIVIDERS, STORAGE; links: CONDUITS, PUMPS, ORIFICES,
/// WEIRS, OUTLETS). Everything is SI (see the top of this file).
struct Network {
    std::vector<std::string> title; ///< [TITLE] lines
    /// The file read (read_swmm_inp) or the name given to parse_swmm_inp; FILE names in the
    /// model (rain files, time series files) are relative to its folder, as in SWMM.
    std::string source_file;
    Options options;

    std::vector<RainGage> gages;
    IdMap gage_index;
    Evaporation evaporation;

    Subcatchments subcatchments;

    // Nodes
    std::vector<std::string> node_id;
    std::vector<NodeKind> node_kind;
    std::vector<double> invert_m;    ///< invert elevation
    std::vector<double> max_depth_m; ///< 0: (junction) up to the highest connected crown
    std::vector<double> initial_depth_m;
    std::vector<double> surcharge_depth_m; ///< extra depth above max depth before flooding
    std::vector<double> ponded_area_m2;    ///< junctions and dividers: area of ponding
    std::vector<double> x, y;              ///< [COORDINATES], map units
    std::vector<std::uint8_t> has_coordinates;
    std::vector<std::int32_t> outfall_of_node; ///< -1 for other nodes
    std::vector<std::int32_t> storage_of_node;
    /// SWMM's numbering of the nodes: the order their lines come in the file, whatever the order
    /// of its node sections (node swmm_node_order[j] is SWMM's node j). SWMM's binary interface
    /// files name nodes by that number. Empty: the nodes' own order (a network read from a file
    /// whose node lines come in that order, or one not read from a file).
    std::vector<std::int32_t> swmm_node_order;
    std::vector<std::int32_t> divider_of_node;
    IdMap node_index;

    Outfalls outfalls;
    Storages storages;
    Dividers dividers;

    // Links
    std::vector<std::string> link_id;
    std::vector<LinkKind> link_kind;
    std::vector<NodeIndex> from_node, to_node;
    /// Offsets as written, in m: depths above the node invert (LINK_OFFSETS DEPTH) or
    /// elevations (ELEVATION); NaN where the file had "*" (ELEVATION: at the node invert).
    /// Use inlet_offset_depth_m / outlet_offset_depth_m for depths.
    std::vector<double> inlet_offset_m, outlet_offset_m;
    std::vector<double> initial_flow_m3s; ///< conduits
    std::vector<double> max_flow_m3s;     ///< conduits, 0: no limit
    std::vector<XSection> xsection;
    std::vector<Losses> losses;
    std::vector<std::int32_t> type_index;      ///< index into conduits/pumps/orifices/weirs/outlets
    std::vector<std::vector<double>> vertices; ///< [VERTICES]: x0, y0, x1, y1, ...
    /// SWMM's numbering of the links, as swmm_node_order numbers the nodes (link
    /// swmm_link_order[j] is SWMM's link j; empty: the links' own order). Hot start files list
    /// the links in it.
    std::vector<std::int32_t> swmm_link_order;
    IdMap link_index;
    /// The node / link SWMM numbers `k` (swmm_node_order, swmm_link_order); -1 when out of range.
    [[nodiscard]] std::int32_t node_of_swmm_number(std::int32_t k) const;
    [[nodiscard]] std::int32_t link_of_swmm_number(std::int32_t k) const;

    Conduits conduits;
    Pumps pumps;
    Orifices orifices;
    Weirs weirs;
    Outlets outlets;

    std::vector<Transect> transects;
    IdMap transect_index;
    std::vector<TimeSeries> series;
    IdMap series_index;
    std::vector<Curve> curves;
    IdMap curve_index;
    std::vector<Pattern> patterns;
    IdMap pattern_index;

    std::vector<DryWeatherFlow> dwf;
    std::vector<ExternalInflow> inflows;
    std::vector<Rdii> rdii;
    std::vector<UnitHydrograph> hydrographs;
    IdMap hydrograph_index;

    std::vector<ControlRule> rules;
    std::vector<RuleNamedVariable> rule_variables; ///< [CONTROLS] VARIABLE lines
    std::vector<RuleExpression> rule_expressions;  ///< [CONTROLS] EXPRESSION lines
    std::vector<std::string> control_text; ///< [CONTROLS] lines as written (comments dropped)

    std::vector<std::vector<std::string>> report; ///< [REPORT] lines as tokens
    MapOptions map;
    std::vector<Label> labels;
    std::vector<std::vector<std::string>> backdrop; ///< [BACKDROP] lines as tokens
    std::vector<Tag> tags;
    std::vector<FileUse> files;

    /// Sections kept without interpretation, in the order they were read.
    std::vector<RawSection> raw_sections;

    /// [LID_CONTROLS] and [LID_USAGE] parsed from their raw sections (drainage/lid.hpp).
    std::vector<LidControl> lid_controls;
    std::vector<LidUsage> lid_usage;

    /// [STREETS], [INLETS] and [INLET_USAGE] parsed from their raw sections (drainage/inlet.hpp).
    std::vector<Street> streets;
    std::vector<InletDesign> inlet_designs;
    std::vector<InletUsage> inlet_usage;

    [[nodiscard]] std::int32_t node_count() const {
        return static_cast<std::int32_t>(node_id.size());
    }
    [[nodiscard]] std::int32_t link_count() const {
        return static_cast<std::int32_t>(link_id.size());
    }

    /// Index of an object by id; invalid when there is none.
    [[nodiscard]] NodeIndex find_node(std::string_view id) const;
    [[nodiscard]] LinkIndex find_link(std::string_view id) const;
    [[nodiscard]] SubcatchIndex find_subcatchment(std::string_view id) const;
    [[nodiscard]] GageIndex find_gage(std::string_view id) const;
    [[nodiscard]] CurveIndex find_curve(std::string_view id) const;
    [[nodiscard]] SeriesIndex find_series(std::string_view id) const;
    [[nodiscard]] PatternIndex find_pattern(std::string_view id) const;
    [[nodiscard]] TransectIndex find_transect(std::string_view id) const;

    /// The raw section of that (upper-case) name, or nullptr.
    [[nodiscard]] const RawSection* raw_section(std::string_view name) const;

    /// Link offsets as depths above the node invert (m), whatever LINK_OFFSETS says; "*" → 0.
    [[nodiscard]] double inlet_offset_depth_m(LinkIndex l) const;
    [[nodiscard]] double outlet_offset_depth_m(LinkIndex l) const;
};

} // namespace rencheng::drainage
