// Flow routing through a drainage network: SWMM 5.2's kinematic wave and dynamic wave schemes
// (Rossman 2017, SWMM Reference Manual Vol. II) on the SI network model. The router holds all
// state; several routers can run side by side.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "drainage/infiltration.hpp"
#include "drainage/network.hpp"
#include "drainage/xsection.hpp"

namespace rencheng::drainage {

class ControlRules;

/// SWMM works in ft and cfs; its dimensional thresholds are carried into SI here so that the
/// schemes behave alike (SWMM 5.2 consts.h, dynwave.c, dwflow.c).
namespace swmm_si {
inline constexpr double kFoot = 0.3048;
inline constexpr double kCfs = 0.0283168466;
inline constexpr double kGravity = 32.2 * kFoot;             ///< m/s², SWMM's g
inline constexpr double kFudgeLength = 0.0001 * kFoot;       ///< m
inline constexpr double kFudgeArea = 0.0001 * kFoot * kFoot; ///< m²
inline constexpr double kFudgeFlow = 0.0001 * kCfs;          ///< m³/s
inline constexpr double kFlowTolerance = 0.00001 * kCfs;     ///< m³/s, smallest lateral inflow
inline constexpr double kMinSurfaceArea = 12.566 * kFoot * kFoot; ///< m², default MIN_SURFAREA
inline constexpr double kHeadTolerance = 0.005 * kFoot;           ///< m, default HEAD_TOLERANCE
inline constexpr double kMaxVelocity = 50.0 * kFoot;              ///< m/s
inline constexpr double kMinDeltaZ = 0.001 * kFoot;               ///< m, smallest conduit drop
} // namespace swmm_si

enum class FlowClass : std::uint8_t {
    kDry,
    kUpDry,
    kDnDry,
    kSubcritical,
    kSupercritical,
    kUpCritical,
    kDnCritical
};

/// Routing state of one node (SWMM TNode and dynwave's TXnode). Volumes m³, flows m³/s, depths m.
/// The fields every dynamic-wave trial reads or sums per link end come first, so that they share
/// one cache line (the link passes visit the nodes in no useful order).
struct NodeState {
    double inflow = 0, outflow = 0;
    double surf_area = 0, sumdqdh = 0; // dynamic wave
    double depth = 0;
    double invert_m = 0;
    NodeKind kind = NodeKind::kJunction;
    bool converged = false;
    bool has_inflow_link = false; ///< some link ends here (SWMM damps surcharge of nodes without)
    int degree = 0;               ///< number of outgoing links
    double lat_flow = 0;

    double losses = 0;
    double full_depth_m = 0; ///< max depth (raised to the highest connected crown when 0)
    double ponded_area_m2 = 0;
    double crown_depth_m = 0; ///< highest connected conduit crown above the invert
    double sur_depth_m = 0;   ///< surcharge depth allowed above full depth
    double old_depth = 0, old_net_inflow = 0, old_surf_area = 0, dydt = 0;
    double volume = 0, old_volume = 0, full_volume_m3 = 0;
    double overflow = 0;
    double old_lat_flow = 0, old_flow_inflow = 0;
    bool updated = false; // kinematic wave: storage solved this step
};

/// Routing state of one link (SWMM TLink and TConduit). The fields of the dynamic-wave conduit
/// update come first and together (three cache lines, then the cross-section, whose own hot
/// fields fill two more); set-up, kinematic-wave and regulator fields follow. A dynamic-wave
/// trial walks every conduit, and the walk costs about as much in cache misses as in arithmetic.
struct LinkState {
    LinkKind kind = LinkKind::kConduit;
    FlowClass flow_class = FlowClass::kDry;
    bool normal_flow = false;
    bool has_losses = false;
    bool flap_gate = false;
    bool xs_closed = false;     ///< xs.is_closed(), set once (init_state)
    bool outfall_flap1 = false; ///< n1 is an outfall with a flap gate
    bool outfall_flap2 = false; ///< n2 is an outfall with a flap gate
    int barrels = 1;
    int n1 = 0, n2 = 0;            ///< node indices (conduits may be reversed: see direction)
    std::int16_t culvert_code = 0; ///< FHWA HDS-5 culvert code (0: not a culvert)
    /// Dynamic wave, for the statistics: which ends of the conduit were full at the last wet
    /// update (bit 0 the upstream, bit 1 the downstream end; SWMM's Conduit.fullState); bit 2:
    /// the last update's flow was a culvert's inlet-controlled flow (SWMM's inletControl).
    std::uint8_t full_state = 0;
    double offset1 = 0, offset2 = 0; ///< depth of the link invert above the node invert, m
    double length_m = 0, mod_length_m = 0;
    double rough_factor = 0; ///< g·n² (dynamic wave friction)
    double beta = 0;         ///< √S/n (Manning: Q = beta·A·R^(2/3))
    double q_max = 0;
    double q_limit = 0;
    double setting = 1;
    double target_setting = 1;    ///< what the controls asked (orifices that open gradually)
    double open_close_time_s = 0; ///< orifice: time to open or close fully (0: at once)
    // state
    double flow = 0, old_flow = 0;
    double q1 = 0, a1 = 0, a2 = 0; ///< per barrel (kinematic wave: inlet/outlet q1, q2)
    double froude = 0, dqdh = 0;
    double surf_area1 = 0, surf_area2 = 0;
    double depth = 0, volume = 0;
    double crown_width_m = 0; ///< closed: top width at the crown cutoff depth (EXTRAN), set once
    // 192 bytes above: the section's own hot fields (full values, shape parameters, tables)
    // begin on a cache line of their own
    CrossSection xs;

    int direction = 1;  ///< -1 when the conduit was reversed (uphill)
    int type_index = 0; ///< index into the network's conduits/pumps/...
    double slope = 0;
    double q_full = 0;
    double loss_inlet = 0, loss_outlet = 0, loss_avg = 0;
    double q2 = 0; ///< kinematic wave: outlet flow per barrel
    double old_depth = 0, old_volume = 0;
    // regulators
    double reg_surf_area = 0; ///< orifice / weir surface area contributed to nodes
    double reg_length = 0; ///< orifice / weir equivalent length (SWMM: 2·step·√(g·D), >= 200 ft)
    double c_orif = 0, c_weir = 0, h_crit = 0, c_surcharge = 0;
    double pump_x_min = 0, pump_x_max = 0;
    bool pump_on = true;
    // force mains (FORCE_MAIN shape, dynamic wave): friction of the full pipe by Hazen-Williams
    // or Darcy-Weisbach (SWMM forcmain.c; its US-unit constants, so kept in ft)
    // conduit losses ([LOSSES] seepage; evaporation from open conduits)
    double seep_rate_ms = 0;     ///< seepage rate through the wetted bottom width, m/s
    double y_w_max = 0;          ///< depth of the widest width (the seepage width stops there)
    double loss_rate = 0;        ///< evaporation and seepage of the last update, m³/s per barrel
    double evap_rate = 0;        ///< the evaporation part of loss_rate (water quality)
    std::uint8_t force_main = 0; ///< 0: not one; 1: H-W; 2: D-W
    double fm_roughness = 0;     ///< H-W C-factor, or D-W roughness height in ft
    double fm_s_bot = 0;         ///< SWMM's xsect.sBot: g/(1.318·C·lf^0.54)^1.852, or 1/(8·lf)
};

/// Darcy-Weisbach friction factor of a pipe with roughness height e and hydraulic radius r (ft)
/// at Reynolds number re: laminar 64/Re up to 2,000, linear to the turbulent value at 4,000,
/// then Swamee-Jain (SWMM forcemain_getFricFactor).
double force_main_friction_factor(double e, double r, double re);
/// A full force main's friction term per second at velocity v (m/s) and hydraulic radius r (m):
/// the momentum update's Δt·g·S_f/v, with S_f by Hazen-Williams or Darcy-Weisbach (SWMM
/// forcemain_getFricSlope).
double force_main_friction(const LinkState& l, double v, double r);

/// What control rules read of a rain gage: its rainfall in the current runoff step and the
/// depths of the past hours (SWMM gage.c pastRain: [0] the current hour so far, [n] the n-th
/// whole hour back), m/s and m.
struct GageRainState {
    double rain_ms = 0;
    std::array<double, 49> past_m{};
    int past_interval_s = 0; ///< seconds of the current hour so far
    /// Adds a runoff step of `step_s` whole seconds at the current rainfall (SWMM
    /// gage_updatePastRain).
    void add_step(int step_s);
    /// Depth of the past n hours, 1 <= n <= 48 (0 otherwise).
    [[nodiscard]] double past_depth_m(int n) const;
};

/// Options of a routing run derived from the network's [OPTIONS].
struct RoutingSettings {
    FlowRouting model = FlowRouting::kDynwave;
    double route_step_s = 20;
    double courant_factor = 0; ///< VARIABLE_STEP, 0: fixed
    double min_step_s = 0.5;
    double lengthening_step_s = 0;
    double min_surface_area_m2 = swmm_si::kMinSurfaceArea;
    double head_tolerance_m = swmm_si::kHeadTolerance;
    int max_trials = 8;
    bool allow_ponding = false;
    InertialDamping damping = InertialDamping::kPartial;
    NormalFlowLimited normal_flow_limited = NormalFlowLimited::kBoth;
    SurchargeMethod surcharge = SurchargeMethod::kExtran;
};

/// Curve lookup extended beyond its ends: proportional to x below the first point, the last
/// segment's slope (never negative) beyond the last (SWMM's storage and inlet curves).
double curve_lookup_extended(const Curve& c, double x);

/// Converts the network's [OPTIONS] into routing settings (SWMM's defaults for zeros).
RoutingSettings routing_settings(const Network& net);

/// Discharge coefficient C (m^0.5/s, Q = C·L·h^1.5) of a road overtopped by `head_m` of water
/// above its crest with `tail_m` above it downstream (≤ 0: free flow), for a road `road_width_m`
/// wide in the flow direction: the FHWA curves by surface (HDS-5 roadway overtopping; see
/// docs/drainage.md), the submergence factor k_t applied.
double roadway_discharge_coefficient(RoadSurface surface, double head_m, double tail_m,
                                     double road_width_m);

/// Flow router. Construct once per run; call set_lateral_inflows() then step() for each routing
/// step. Throws rencheng::Error(kUnsupported) for network features it does not route.
/// A SWMM 5.2 storage shape's surface area as c0 + c1·d + c2·d² (m², d in m) from its
/// parameters (Storages::param; SWMM 5.2 manual, Storage Unit Properties); zeros for TABULAR and
/// FUNCTIONAL units.
std::array<double, 3> storage_shape_area(StorageShape shape, const std::array<double, 3>& p);

class FlowRouter {
public:
    FlowRouter(const Network& net, const RoutingSettings& settings);

    /// The next routing step (s): the fixed step, or SWMM's Courant-limited variable step for
    /// dynamic wave. `fixed_step_s` is the longest step allowed.
    double next_step(double fixed_step_s);

    /// Routes one step of `dt_s` seconds beginning `t_s` seconds after the simulation start, with
    /// the nodes' lateral inflows already set (node_lateral). Returns the Picard trials used.
    int step(double t_s, double dt_s);
    /// Whether the last step's Picard trials converged (dynamic wave; always true otherwise).
    bool last_step_converged() const { return last_converged_; }
    /// The node, else the conduit, whose Courant limit set the last variable step (-1: none,
    /// or the step was not a variable one).
    int critical_node() const { return critical_node_; }
    int critical_link() const { return critical_link_; }

    /// Control rules evaluated at the start of every step (not owned; may be null).
    /// `gages` (may be null) holds each rain gage's rainfall now and in the past hours, for the
    /// rules' GAGE premises; it must outlive the router.
    void set_rules(const ControlRules* rules, const std::vector<GageRainState>* gages = nullptr) {
        rules_ = rules;
        gages_ = gages;
    }
    /// Whether the next step evaluates the rules (RULE_STEP: only at rule times).
    void set_rules_due(bool due) { rules_due_ = due; }
    /// A link's setting: pump on (1) / off (0), regulator opening fraction, conduit open/closed.
    /// A control's new setting for link j: at once, but for an orifice with an open/close time,
    /// which moves toward it by dt/time a step (step()).
    void set_link_setting(int j, double setting) {
        auto& l = links_[static_cast<std::size_t>(j)];
        l.target_setting = setting;
        if (!(l.open_close_time_s > 0))
            l.setting = setting;
    }
    /// Some orifice is still moving toward its control's setting.
    [[nodiscard]] bool settings_moving() const {
        for (const auto& l : links_)
            if (l.open_close_time_s > 0 && l.setting != l.target_setting)
                return true;
        return false;
    }
    /// Holds link j at `setting` from the next step on, whatever its depth controls and rules say
    /// (a pump without power); NaN releases it to them.
    void force_link_setting(int j, double setting);
    bool forced(int j) const { return !forced_.empty() && !std::isnan(forced_[j]); }
    /// Puts the forced links back to their forced settings (after rules were applied).
    void apply_forced_settings();

    /// Starts from a saved state (a SWMM hot start file) instead of the initial depths: each
    /// node's depth (m) and lateral inflow (m³/s), each link's flow (m³/s, in the link's own
    /// direction: a reversed conduit's reversed), depth (m) and setting. Volumes, the conduits'
    /// end flows and areas and the nodes' inflows follow from them, as SWMM's initNodes and
    /// initLinks set them (SWMM skips its initial node and link depths then). Steady flow
    /// routing starts every link without flow.
    void start_from(const std::vector<double>& node_depth_m,
                    const std::vector<double>& node_lateral_m3s,
                    const std::vector<double>& link_flow_m3s,
                    const std::vector<double>& link_depth_m,
                    const std::vector<double>& link_setting);

    std::vector<NodeState>& nodes() { return nodes_; }
    const std::vector<NodeState>& nodes() const { return nodes_; }
    const std::vector<LinkState>& links() const { return links_; }

    /// Sets each storage unit's evaporation and seepage loss rate (m³/s) for the coming step of
    /// `dt_s` from its depth at the step start and the potential evaporation `evap_ms` (m/s);
    /// returns the total (SWMM storage_getLosses).
    /// The month's factor on soil hydraulic conductivity ([ADJUSTMENTS] CONDUCTIVITY) for
    /// conduit seepage and storage exfiltration from the next step on (SWMM hydconFactor).
    void set_conductivity_factor(double f) { hydcon_ = f; }
    /// The month's soil recovery factor ([EVAPORATION] RECOVERY) for storage seepage from the
    /// next step on (InfiltrationState::set_recovery_factor).
    void set_recovery_factor(double r) {
        for (auto& s : seepage_) {
            s.bottom.set_recovery_factor(r);
            s.bank.set_recovery_factor(r);
        }
    }
    double set_storage_losses(double dt_s, double evap_ms);
    /// Surface area of the storage unit at node n at `depth_m`, m² (treatment's AREA).
    double storage_surface_area_m2(int n, double depth_m) const { return storage_area(n, depth_m); }
    /// Per node, the evaporation and the exfiltration of the storage unit there over the step
    /// set_storage_losses last set, m³ (0 at other nodes); for water quality.
    const std::vector<double>& storage_evap_m3() const { return storage_evap_m3_; }
    const std::vector<double>& storage_exfil_m3() const { return storage_exfil_m3_; }

    /// Total stored volume in nodes and links, m³ (SWMM massbal_getStorage).
    double stored_volume_m3() const;
    /// Evaporation and seepage of all conduits in the last step, m³/s.
    double conduit_losses_m3s() const;
    /// What the routing continuity counts as stored at the end of a run: stored_volume_m3(),
    /// without the links under steady flow routing (SWMM massbal_getStorage).
    double final_stored_volume_m3() const;
    /// Flow leaving the system at node n this step (outfall discharge or flooding), m³/s, and
    /// whether it is flooding; negative: water entering through an outfall.
    double system_outflow_m3s(int n, bool& flooded);

private:
    void build_nodes();
    void build_links();
    void init_state();
    void init_volumes();
    void init_seepage();
    void update_orifice_coefficients(LinkState& l) const;
    double outfall_depth(int n, double y_norm, double y_crit, double z, double t_s) const;
    void set_outfall_depths(double t_s);
    double normal_depth(const LinkState& l, double q) const;
    double critical_depth(const LinkState& l, double q) const;
    double storage_area(int n, double depth) const;
    double storage_volume(int n, double depth) const;
    double storage_depth(int n, double volume) const;
    double node_volume(int n, double depth) const;
    double node_depth_of_volume(int n, double volume) const;
    /// Whether a flap gate (the link's own, or an outfall's at the end the flow leaves) stops
    /// flow q.
    static bool flap_blocks(const LinkState& l, double q) {
        return (l.flap_gate && q * l.direction < 0) || (q > 0 && l.outfall_flap1) ||
               (q < 0 && l.outfall_flap2);
    }
    double regulator_flow(int j); // pumps, orifices, weirs, outlets
    double node_max_outflow(int n, double q, double dt) const;
    double node_outflow_to(int n, int j) const;
    /// Kinematic wave: the flow divider at node n sends this into its outflow link j.
    [[nodiscard]] double divider_outflow(int n, int j) const;
    /// SWMM's check of a node's initial depth (at most its full and surcharge depths, error
    /// 138), every model.
    void validate_node_depths() const;
    /// SWMM's checks of a divider (diversion link attached, weir parameters), every model.
    void validate_dividers() const;
    /// SWMM's checks of the tree layout kinematic wave needs (validateTreeLayout).
    void validate_tree_layout() const;

    // kinematic wave (kinwave.cpp)
    int kinwave_step(double t_s, double dt);
    double kinwave_link(int j, double& qin, double dt);
    /// Evaporation (open conduits, at the current evaporation rate) and seepage of conduit j per
    /// barrel, m³/s, limited to its volume over the step (dynamic wave) or to `q`; kept in
    /// LinkState::loss_rate (SWMM conduit_getLossRate).
    double conduit_loss_rate(int j, bool dynamic_wave, double q, double dt);
    /// Steady flow routing of link j: its inflow passes at once, a conduit's capped at its full
    /// flow, at the normal-flow area (SWMM steadyflow_execute).
    double steady_link(int j, double& qin, double dt);
    void kw_update_storage(int n, std::size_t order_pos, double dt);
    double kw_link_inflow(int j, double dt);

    // dynamic wave (dynwave.cpp)
    int dynwave_step(double t_s, double dt);
    void dw_conduit_flow(int j, int steps, double omega, double dt);
    void dw_non_conduit_flow(int j, int steps, double omega, double dt);
    void dw_update_node_flows(int j);
    bool dw_node_depths(double t_s, double dt, int steps, double omega);
    void dw_set_node_depth(int n, double dt, int steps, double omega);
    FlowClass dw_flow_class(int j, double q, double h1, double h2, double y1, double y2, double& yc,
                            double& yn, double& fasnh) const;
    void dw_surface_area(int j, double q, double length, double& h1, double& h2, double& y1,
                         double& y2, CrossSection::Geometry& g1, CrossSection::Geometry& g2,
                         CrossSection::Geometry& g_mid);
    double dw_variable_step(double max_step);

    const Network& net_;
    RoutingSettings settings_;
    std::vector<NodeState> nodes_;
    std::vector<LinkState> links_;
    std::vector<int> sorted_links_; ///< kinematic wave: upstream before downstream
    // Link lists fixed for the run, so that the per-trial loops do not test every link:
    std::vector<int> dw_conduits_;   ///< dynamic wave: conduits with a cross-section
    std::vector<int> dw_others_;     ///< dynamic wave: the other links (regulators, dummies)
    std::vector<int> outfall_links_; ///< links with an outfall at one end
    /// Seepage of storage units (Green-Ampt through bottom and banks), by storage number.
    struct Seepage {
        bool active = false;
        double ksat_ms = 0, imd = 0;
        double bottom_area_m2 = 0, bank_min_depth_m = 0, bank_max_depth_m = 0, bank_max_area_m2 = 0;
        InfiltrationState bottom, bank;
    };
    std::vector<Seepage> seepage_;
    const ControlRules* rules_ = nullptr;
    const std::vector<GageRainState>* gages_ = nullptr;
    bool rules_due_ = true;
    double hydcon_ = 1.0;         ///< set_conductivity_factor
    double evap_ms_ = 0;          ///< evaporation rate of the current step (set_storage_losses)
    bool conduit_losses_ = false; ///< some conduit can lose water (seepage, or evaporation)
    std::vector<double> forced_;  ///< per link: forced setting, NaN when none (empty: none)
    double variable_step_ = 0;
    std::vector<double> storage_evap_m3_, storage_exfil_m3_; ///< per node, set_storage_losses
    double crown_cutoff_ = 0.96;
    bool last_converged_ = true;
    int critical_node_ = -1, critical_link_ = -1;
};

} // namespace rencheng::drainage
