// The water-supply network: struct-of-arrays nodes and links of an EPANET-style model, SI inside.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/csr.hpp"
#include "core/index.hpp"
#include "core/units.hpp"

namespace rencheng::water {

struct NodeTag {};
struct LinkTag {};
struct PatternTag {};
struct CurveTag {};
using NodeIndex = StrongIndex<NodeTag>;
using LinkIndex = StrongIndex<LinkTag>;
using PatternIndex = StrongIndex<PatternTag>;
using CurveIndex = StrongIndex<CurveTag>;
using units::Seconds;

/// Hash of an id that also takes a string_view, so look-ups allocate nothing.
struct IdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};
/// External id → dense index, built once at load time.
using IdMap = std::unordered_map<std::string, std::int32_t, IdHash, std::equal_to<>>;

// ---------------------------------------------------------------------------------------------
// Units of the input file. The flow unit implies the unit system (EPANET 2.2 manual, Table 3.1):
// CFS, GPM, MGD, IMGD, AFD are US customary (lengths ft, diameters in, pressure psi); LPS, LPM,
// MLD, CMH, CMD and EPANET 2.3's CMS are SI (lengths m, diameters mm, pressure m).

enum class FlowUnits : std::uint8_t {
    kCfs,
    kGpm,
    kMgd,
    kImgd,
    kAfd,
    kLps,
    kLpm,
    kMld,
    kCmh,
    kCmd,
    kCms
};
enum class PressureUnits : std::uint8_t { kPsi, kKpa, kMeters, kBar, kFeet };

/// True for the SI flow units (LPS ... CMS).
bool is_si(FlowUnits u);
/// Cubic metres per second in one unit of `u`.
double flow_factor(FlowUnits u);
/// "CFS", "GPM", ...
std::string_view flow_units_name(FlowUnits u);
std::optional<FlowUnits> parse_flow_units(std::string_view upper);
std::string_view pressure_units_name(PressureUnits u);

enum class HeadLossFormula : std::uint8_t { kHazenWilliams, kDarcyWeisbach, kChezyManning };
enum class DemandModel : std::uint8_t { kDda, kPda };

// ---------------------------------------------------------------------------------------------
// Patterns and curves

struct Pattern {
    std::string id;
    std::vector<double> multipliers;
};

/// What a curve is used for. EPANET 2.2 learns a curve's type from the element that refers to it;
/// a curve nobody refers to is kGeneric and its points are kept as written.
enum class CurveKind : std::uint8_t { kGeneric, kPump, kEfficiency, kVolume, kHeadLoss, kValve };

/// How a pump curve is turned into a head-flow function (EPANET 2.2 manual §3.1 "Pump Curve"):
/// one point → power function through (0, 4/3 h), (q, h), (2q, 0); three points with the first at
/// zero flow → power function h = a - b q^c through the three; anything else → piecewise linear.
enum class PumpCurveShape : std::uint8_t { kNone, kSinglePoint, kThreePoint, kMultiPoint };

struct Curve {
    std::string id;
    CurveKind kind = CurveKind::kGeneric;
    /// Points in SI: pump/headloss (flow m³/s, head m), efficiency (flow m³/s, %), volume
    /// (height m, volume m³), valve (% open, % of full-open loss), generic (as written).
    std::vector<double> x, y;
    PumpCurveShape shape = PumpCurveShape::kNone;
    /// For kSinglePoint / kThreePoint: h = a - b q^c (m, m³/s).
    double a = 0, b = 0, c = 0;
};

// ---------------------------------------------------------------------------------------------
// Nodes

enum class NodeKind : std::uint8_t { kJunction, kReservoir, kTank };

/// One demand category of a junction ([JUNCTIONS] base demand, or a [DEMANDS] line, which
/// replaces it as EPANET 2.2 does).
struct Demand {
    double base_m3s = 0;
    PatternIndex pattern; ///< invalid: none given (the default pattern applies)
    std::string category; ///< name after ';' in [DEMANDS], may be empty
};

enum class MixingModel : std::uint8_t { kMixed, kTwoCompartment, kFifo, kLifo };

/// Tanks, indexed by tank number (not node index); `node[t]` is the tank's node.
struct Tanks {
    std::vector<NodeIndex> node;
    std::vector<double> initial_level_m;
    std::vector<double> min_level_m;
    std::vector<double> max_level_m;
    std::vector<double> diameter_m;
    std::vector<double> min_volume_m3;
    std::vector<CurveIndex> volume_curve; ///< invalid: cylindrical
    std::vector<std::uint8_t> overflow;   ///< 1: may overflow at max level (EPANET 2.2)
    std::vector<MixingModel> mixing;      ///< [MIXING]
    std::vector<double> mixing_fraction;  ///< 2COMP compartment volume fraction
    std::vector<std::uint8_t> has_mixing; ///< 1: a [MIXING] line was given
    std::vector<double> bulk_coefficient; ///< [REACTIONS] TANK, per day, file units
    std::vector<std::uint8_t> has_bulk_coefficient;

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(node.size()); }
};

// ---------------------------------------------------------------------------------------------
// Links

enum class LinkKind : std::uint8_t { kPipe, kCvPipe, kPump, kValve };
enum class ValveKind : std::uint8_t { kPrv, kPsv, kPbv, kFcv, kTcv, kGpv, kPcv };
/// Initial status: kOpen/kClosed fix it; kActive lets a valve control (the default for valves).
enum class LinkStatus : std::uint8_t { kOpen, kClosed, kActive };

std::string_view valve_kind_name(ValveKind k);

/// Flow-coefficient ratio Kv/Kv_open, in (0, 1], of a positional control valve (PCV, EPANET 2.3)
/// at `percent_open` (0-100). The valve curve gives % of the fully open Kv against % open (linear
/// interpolation; below its first point the line through the origin, above its last the line to
/// (100, 100)); without a curve the ratio is percent_open / 100. Clamped to [1e-6, 1] as EPANET
/// does. The valve's loss coefficient is then K_open / ratio² (docs/water.md "Valves").
double pcv_flow_coefficient_ratio(const Curve* curve, double percent_open);

/// Pumps, indexed by pump number; `link[p]` is the pump's link.
struct Pumps {
    enum class Type : std::uint8_t { kHeadCurve, kPower, kLegacy };
    std::vector<LinkIndex> link;
    std::vector<Type> type;
    std::vector<CurveIndex> curve;     ///< kHeadCurve
    std::vector<double> power_w;       ///< kPower: constant power
    std::vector<double> speed;         ///< relative speed (SPEED keyword), default 1
    std::vector<PatternIndex> pattern; ///< speed pattern
    /// kLegacy (EPANET 1.x numeric form, still read by EPANET 2.2): the SI points
    /// (0,h0),(q1,h1),(q2,h2) or the single (q1,h1), and the maximum flow when given (else 0).
    std::vector<std::vector<double>> legacy_values;
    // [ENERGY] per pump
    std::vector<CurveIndex> efficiency_curve;
    std::vector<double> energy_price; ///< NaN: none given
    std::vector<PatternIndex> price_pattern;

    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

/// Valves, indexed by valve number; `link[v]` is the valve's link.
struct Valves {
    std::vector<LinkIndex> link;
    std::vector<ValveKind> kind;
    /// Setting in SI: PRV/PSV/PBV pressure head m; FCV flow m³/s; TCV loss coefficient;
    /// PCV percent open; GPV unused (see curve).
    std::vector<double> setting;
    std::vector<CurveIndex> curve; ///< GPV head-loss curve, PCV valve curve
    [[nodiscard]] std::int32_t count() const { return static_cast<std::int32_t>(link.size()); }
};

// ---------------------------------------------------------------------------------------------
// Controls and rules

/// A simple control ([CONTROLS]): LINK id status|setting IF NODE id ABOVE|BELOW v, AT TIME t,
/// AT CLOCKTIME t.
struct Control {
    enum class Type : std::uint8_t { kLowLevel, kHighLevel, kTimer, kTimeOfDay };
    Type type = Type::kTimer;
    LinkIndex link;
    std::optional<LinkStatus> status; ///< OPEN / CLOSED (ACTIVE for valves)
    double setting = 0;               ///< SI (as the link's setting) when no status
    NodeIndex node;                   ///< level controls
    double level = 0;    ///< tank: water level m above the bottom; junction: pressure head m
    Seconds time = 0;    ///< timer: since start; time of day: seconds after midnight
    bool enabled = true; ///< EPANET 2.3: a control written with DISABLED is kept but does not act
};

/// One clause of a rule premise ([RULES], EPANET 2.2 manual §3.1 "Rule-Based Controls").
struct RulePremise {
    enum class Logic : std::uint8_t { kIf, kAnd, kOr };
    enum class Object : std::uint8_t {
        kNode,
        kJunction,
        kReservoir,
        kTank,
        kLink,
        kPipe,
        kPump,
        kValve,
        kSystem
    };
    enum class Attribute : std::uint8_t {
        kDemand,
        kHead,
        kGrade,
        kLevel,
        kPressure,
        kFlow,
        kStatus,
        kSetting,
        kPower,
        kTime,
        kClockTime,
        kFillTime,
        kDrainTime
    };
    enum class Relation : std::uint8_t { kEq, kNe, kLe, kGe, kLt, kGt, kIs, kNot, kBelow, kAbove };
    Logic logic = Logic::kIf;
    Object object = Object::kNode;
    std::int32_t index = -1; ///< node or link index; -1 for SYSTEM
    Attribute attribute = Attribute::kHead;
    Relation relation = Relation::kEq;
    std::optional<LinkStatus> status; ///< STATUS comparisons
    double value = 0;                 ///< SI: flow m³/s, head/level/pressure m; times are seconds
    /// Damaged networks: the other pieces of a pipe that damage split (`index` is its first),
    /// read with it (apply_damage; not written to .inp).
    std::vector<LinkIndex> pieces;
};

struct RuleAction {
    RulePremise::Object object = RulePremise::Object::kLink;
    LinkIndex link;
    std::optional<LinkStatus> status; ///< STATUS = OPEN/CLOSED/ACTIVE
    double setting = 0;               ///< SETTING = v, SI as the link's setting
};

struct Rule {
    std::string id;
    std::vector<RulePremise> premises;
    std::vector<RuleAction> then_actions;
    std::vector<RuleAction> else_actions;
    std::optional<double> priority;
    bool enabled = true; ///< EPANET 2.3: a rule with a DISABLED clause is kept but does not act
};

// ---------------------------------------------------------------------------------------------
// Options, times, energy, quality, report, map data

struct Options {
    FlowUnits flow_units = FlowUnits::kGpm;
    std::optional<PressureUnits> pressure_units; ///< as given; see effective_pressure_units()
    HeadLossFormula headloss = HeadLossFormula::kHazenWilliams;
    double specific_gravity = 1.0;
    double viscosity = 1.0; ///< relative to water at 20 °C
    double diffusivity = 1.0;
    int trials = 200;
    double accuracy = 0.001;
    double head_error_m = 0;    ///< HEADERROR, 0: not used
    double flow_change_m3s = 0; ///< FLOWCHANGE, 0: not used
    bool unbalanced_continue = false;
    int unbalanced_trials = 0; ///< CONTINUE n (0: plain CONTINUE or STOP)
    int check_freq = 2;
    int max_check = 10;
    double damp_limit = 0;
    std::string default_pattern_id; ///< PATTERN option; empty: EPANET default "1"
    PatternIndex default_pattern;   ///< resolved: the option's pattern, else pattern "1" if any
    double demand_multiplier = 1.0;
    DemandModel demand_model = DemandModel::kDda;
    double minimum_pressure_m = 0;
    double required_pressure_m = 0; ///< default: 0.1 pressure units (EPANET 2.2), set at load
    double pressure_exponent = 0.5;
    double emitter_exponent = 0.5;
    bool emitter_backflow = true; ///< EPANET 2.3 EMITTER BACKFLOW YES/NO
    /// QUALITY option tokens after the keyword (NONE, CHEMICAL name units, AGE, TRACE node).
    std::vector<std::string> quality;
    double tolerance = 0.01;
    std::string map_file;
    std::vector<std::vector<std::string>> extra; ///< HYDRAULICS USE/SAVE, SEGMENTS, ... as written
    bool has_required_pressure = false;
};

struct Times {
    Seconds duration = 0;
    Seconds hydraulic_step = 3600;
    std::optional<Seconds> quality_step; ///< default: hydraulic step / 10
    std::optional<Seconds> rule_step;    ///< default: hydraulic step / 10
    Seconds pattern_step = 3600;
    Seconds pattern_start = 0;
    Seconds report_step = 3600;
    Seconds report_start = 0;
    Seconds start_clocktime = 0;
    std::string statistic; ///< NONE / AVERAGED / MINIMUM / MAXIMUM / RANGE; empty: not given
};

struct Energy {
    std::optional<double> global_efficiency; ///< percent
    std::optional<double> global_price;      ///< per kWh
    PatternIndex global_pattern;
    std::optional<double> demand_charge;
};

struct Source {
    NodeIndex node;
    std::string type; ///< CONCEN / MASS / SETPOINT / FLOWPACED
    double strength = 0;
    PatternIndex pattern;
};

/// [REACTIONS], kept in the file's units (no quality solver yet).
struct Reactions {
    std::optional<double> order_bulk, order_wall, order_tank;
    std::optional<double> global_bulk, global_wall;
    std::optional<double> limiting_potential, roughness_correlation;
};

struct Label {
    double x = 0, y = 0;
    std::string text;
    /// Anchor node id and anything after it, as written (EPANET's engine ignores [LABELS]).
    std::vector<std::string> tail;
};

struct Tag {
    std::string object; ///< NODE / LINK
    std::string id;
    std::string tag;
};

// ---------------------------------------------------------------------------------------------
// The network

/// A water distribution network. Nodes and links are struct-of-arrays with dense 0-based indices
/// (junctions, reservoirs and tanks share the node numbering, in file order); external ids map to
/// indices once, at load time. Everything is SI inside; `options.flow_units` only says how the
/// file was written so that the writer can write it back the same way.
struct Network {
    std::string title; ///< [TITLE] lines joined by '\n'

    // Nodes
    std::vector<std::string> node_id;
    std::vector<NodeKind> node_kind;
    std::vector<double> elevation_m;         ///< reservoirs: total head
    std::vector<double> emitter_coefficient; ///< m³/s per m^emitter_exponent, 0: none
    std::vector<double> initial_quality;
    std::vector<std::uint8_t> has_initial_quality;
    std::vector<double> x, y; ///< [COORDINATES], map units
    std::vector<std::uint8_t> has_coordinates;
    std::vector<PatternIndex> head_pattern; ///< reservoirs: head pattern
    std::vector<std::int32_t> tank_of_node; ///< tank number, -1 for other nodes
    /// Demands of junction `n` are demands[demand_begin[n] .. demand_begin[n+1]).
    std::vector<std::int32_t> demand_begin;
    std::vector<Demand> demands;
    IdMap node_index;

    // Links
    std::vector<std::string> link_id;
    std::vector<LinkKind> link_kind;
    std::vector<NodeIndex> from_node, to_node;
    std::vector<double> length_m;
    std::vector<double> diameter_m;
    /// Pipes: Hazen-Williams C, Darcy-Weisbach absolute roughness in m, or Manning n.
    std::vector<double> roughness;
    std::vector<double> minor_loss; ///< K, dimensionless
    std::vector<LinkStatus> initial_status;
    std::vector<double> bulk_coefficient; ///< [REACTIONS] BULK, file units
    std::vector<double> wall_coefficient; ///< [REACTIONS] WALL, file units
    std::vector<std::uint8_t> has_bulk_coefficient, has_wall_coefficient;
    std::vector<double> leak_area, leak_expansion; ///< EPANET 2.3 [LEAKAGE], file units
    std::vector<std::uint8_t> has_leakage;
    std::vector<std::int32_t> pump_of_link;    ///< pump number, -1 for other links
    std::vector<std::int32_t> valve_of_link;   ///< valve number, -1 for other links
    std::vector<std::vector<double>> vertices; ///< [VERTICES]: x0, y0, x1, y1, ...
    IdMap link_index;

    Tanks tanks;
    Pumps pumps;
    Valves valves;

    std::vector<Pattern> patterns;
    IdMap pattern_index;
    std::vector<Curve> curves;
    IdMap curve_index;

    std::vector<Control> controls;
    std::vector<Rule> rules;
    Options options;
    Times times;
    Energy energy;
    Reactions reactions;
    std::vector<Source> sources;
    std::vector<std::vector<std::string>> report; ///< [REPORT] lines as tokens
    std::vector<Label> labels;
    std::vector<std::vector<std::string>> backdrop; ///< [BACKDROP] lines as tokens
    std::vector<Tag> tags;

    [[nodiscard]] std::int32_t node_count() const {
        return static_cast<std::int32_t>(node_id.size());
    }
    [[nodiscard]] std::int32_t link_count() const {
        return static_cast<std::int32_t>(link_id.size());
    }
    [[nodiscard]] std::int32_t junction_count() const;
    [[nodiscard]] std::int32_t reservoir_count() const;
    [[nodiscard]] std::int32_t pipe_count() const; ///< pipes and CV pipes

    /// Index of node / link / pattern / curve `id`; invalid when there is none.
    [[nodiscard]] NodeIndex find_node(std::string_view id) const;
    [[nodiscard]] LinkIndex find_link(std::string_view id) const;
    [[nodiscard]] PatternIndex find_pattern(std::string_view id) const;
    [[nodiscard]] CurveIndex find_curve(std::string_view id) const;

    /// The pattern a demand follows: its own, else the default pattern (invalid: constant).
    [[nodiscard]] PatternIndex effective_pattern(const Demand& d) const {
        return d.pattern.valid() ? d.pattern : options.default_pattern;
    }

    /// Undirected node-link incidence in CSR form: for node u, `neighbours(u)` are the nodes at
    /// the other end of each link touching u and `arcs(u)` those links (each link gives two arcs).
    [[nodiscard]] CsrGraph adjacency() const;
};

/// What split_pipe() made: the new junction and the new pipe (from the junction to the old end).
struct PipeSplit {
    NodeIndex node;
    LinkIndex link;
};

/// Splits pipe (or CV pipe) `link` at `fraction` (0 < f < 1) of its length from its start node,
/// as WNTR's split_pipe does: a new junction `node_id` without demand is appended, `link` keeps
/// its index and runs from its start node to the junction (length f·L, with the pipe's minor loss
/// and vertices before the split point), and a new pipe `link_id` is appended from the junction to
/// the old end node (length (1 − f)·L, no minor loss, the rest of the vertices). Diameter,
/// roughness, kind, initial status and reaction and leakage data are copied, so the two pieces
/// lose together what the pipe lost. The junction's elevation and coordinates are interpolated
/// along the pipe (a reservoir end, whose "elevation" is its head, takes the other end's
/// elevation). Existing node and link indices do not change. Throws Error(kOutOfRange) when
/// `link` is not a pipe or f is outside (0, 1), Error(kDuplicateId) when an id is taken.
PipeSplit split_pipe(Network& net, LinkIndex link, double fraction, const std::string& node_id,
                     const std::string& link_id);

/// What break_pipe() made: the junction at the end of the upstream piece, the one at the start of
/// the downstream piece, and the downstream pipe.
struct PipeBreak {
    NodeIndex upstream_node;
    NodeIndex downstream_node;
    LinkIndex link;
};

/// Breaks a pipe at `fraction` of its length, as WNTR's break_pipe does: split_pipe(), but the
/// downstream piece starts at a second new junction `downstream_node_id` at the same place, so the
/// two broken ends are not connected. Same errors as split_pipe().
PipeBreak break_pipe(Network& net, LinkIndex link, double fraction,
                     const std::string& upstream_node_id, const std::string& downstream_node_id,
                     const std::string& link_id);

/// Pressure unit the file's pressures are in: the PRESSURE option, else psi (US) / m (SI).
PressureUnits effective_pressure_units(const Options& options);

/// Factors from the file's units to SI for a network's options (multiply file values by these).
struct UnitFactors {
    double flow = 1;         ///< m³/s per flow unit
    double length = 1;       ///< m per length unit (ft or m)
    double diameter = 1;     ///< m per diameter unit (in or mm)
    double pressure = 1;     ///< m of water column per pressure unit
    double roughness_dw = 1; ///< m per Darcy-Weisbach roughness unit (millifoot or mm)
    double power = 1;        ///< W per power unit (hp or kW)
    double volume = 1;       ///< m³ per volume unit (ft³ or m³)
};

/// The factors EPANET 2.2 implies: pressure psi = 0.4333 · SG · ft of head, kPa = 6.895 psi,
/// bar = 100 kPa (EPANET 2.2 toolkit units, Ucf[PRESSURE]); the rest are exact.
UnitFactors unit_factors(const Options& options);

} // namespace rencheng::water
