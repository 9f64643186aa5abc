// Streets and street inlets as SWMM 5.2 models them (User's Manual §3.3 "Streets" and "Inlets";
// Reference Manual Vol. II §6.x): a STREET cross-section built from curb, gutter, road and backing
// as a transect; inlets placed in street conduits (GRATE, CURB, COMBINATION, SLOTTED, CUSTOM) or in
// open rectangular/trapezoidal channels (DROP_GRATE, DROP_CURB) that capture part of the flow
// reaching the conduit's downstream (bypass) node and send it to a capture node. Capture follows
// FHWA HEC-22 (Brown et al., Urban Drainage Design Manual, 3rd ed., FHWA-NHI-10-009, 2013,
// ch. 4): gutter spread by Izzard's form of Manning's equation, frontal and side flow capture of
// grates with their splash-over velocity, curb-opening length for full capture on grade, and
// weir / orifice flow in a sag.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/xsection.hpp"

namespace rencheng::drainage {

struct NodeState;
struct LinkState;

/// Parses the raw [STREETS], [INLETS] and [INLET_USAGE] rows of `net` into net.streets,
/// net.inlet_designs and net.inlet_usage (SI) and links STREET cross-sections to their street.
/// Every problem goes to `diags` with `file`, line and id: missing or negative numbers, unknown
/// keywords, unknown streets, links, inlet designs, nodes or curves, a combination inlet with two
/// rows of one kind, an inlet in a conduit whose shape cannot take it (street inlets need a
/// STREET conduit; drop inlets a RECT_OPEN or TRAPEZOIDAL one), a custom curve that is neither a
/// DIVERSION nor a RATING curve, two usages on one conduit.
void read_inlet_sections(Network& net, const std::string& file, Diagnostics& diags);

/// The station-elevation profile of a street (m; elevation 0 at the foot of the curb): backing,
/// curb, depressed gutter and road up to the crown, mirrored for a two-sided street; the road's n
/// in the channel and the backing's n beyond the curbs.
TransectProfile street_profile(const Street& street);

/// What an inlet sees of its conduit, SI. For a street: cross slope Sx, gutter depression `a`
/// (with the inlet's local depression added) over width W, Manning n of the road, half width to
/// the crown, sides. For a channel (drop inlets): its cross-section and Manning factor
/// beta = √S/n (Q = beta·A·R^(2/3)).
struct InletSite {
    bool street = true;
    double long_slope = 0;  ///< SL, conduit slope
    double cross_slope = 0; ///< Sx
    double gutter_depression_m = 0;
    double gutter_width_m = 0;
    double roughness = 0;
    double crown_width_m = 0;
    int sides = 1;
    // channels (drop inlets)
    const CrossSection* channel = nullptr;
    double beta = 0;                   ///< √S/n, SI
    bool trapezoidal = false;          ///< a TRAPEZOIDAL channel (else RECT_OPEN)
    double channel_bottom_width_m = 0; ///< trapezoid bottom width
    double channel_side_slope = 0;     ///< trapezoid mean side slope (run/rise)
};

/// HEC-22 chapter 4 relations, one inlet at a time, SI in and out. The equations are HEC-22's
/// US customary forms (their empirical coefficients are for ft and cfs), evaluated after
/// converting; see docs/drainage.md "Street inlets" for each equation.
namespace hec22 {
/// Spread T (m) of gutter flow `q_m3s` on one side of a street (eqs. 4-2, 4-4, 4-6), at most the
/// crown width.
double flow_spread_m(const InletSite& site, double q_m3s);
/// Flow (m³/s) one inlet on a continuous grade captures of an approach flow `q_m3s` (one side of
/// a street); `depth_m` is the water depth at the bypass node (drop curb inlets).
double on_grade_capture_m3s(const InletDesign& design, const InletSite& site, double q_m3s,
                            double depth_m);
/// Flow (m³/s) one inlet in a sag takes in at a water depth `depth_m` over it.
double on_sag_capture_m3s(const InletDesign& design, const InletSite& site, double depth_m);
/// Splash-over velocity (m/s) of a standard grate of length `length_m` (HEC-22 Chart 5B).
double splash_over_velocity_ms(GrateType type, double length_m);
} // namespace hec22

/// The inlets of a network during a routing run: before each routing step they take the flow they
/// capture out of their bypass nodes' lateral inflow and add it to their capture nodes'; a capture
/// node's overflow of the last step returns to the bypass nodes of its inlets (shared by inlet open
/// area) instead of flooding.
/// SWMM's performance statistics of one street inlet ([INLET_USAGE] row), over the routing
/// steps from the report start (inlet.c updateInletStats).
struct InletStatistics {
    std::int32_t link = -1;            ///< the street conduit
    std::int32_t usage = -1;           ///< index into Network::inlet_usage
    bool on_sag = false;               ///< its placement at its last evaluation
    std::int64_t flow_periods = 0;     ///< steps with approach flow or backflow
    std::int64_t capture_periods = 0;  ///< steps with a net flow into the inlets
    std::int64_t backflow_periods = 0; ///< steps with a net flow out of them
    std::int64_t bypass_periods = 0;   ///< capture steps that let flow go by
    double capture_fraction_sum = 0;   ///< Σ of the captured share over the capture steps
    double peak_flow_m3s = 0;          ///< largest approach flow
    double peak_flow_capture_pct = 0;  ///< the share captured then, %
};

class StreetInlets {
public:
    /// `links`/`nodes`: the router's state after its set-up (conduit slopes, reversed conduits,
    /// node degrees).
    StreetInlets(const Network& net, const std::vector<LinkState>& links,
                 const std::vector<NodeState>& nodes);

    bool empty() const { return inlets_.empty(); }

    /// Adjusts the nodes' lateral inflows for a step of `dt_s` (flows and depths at its start).
    /// `dynwave`: the router is dynamic wave (kinematic wave limits sag capture to what reaches
    /// the node plus what it stores).
    /// `record`: the step ends after the report start, so the inlets' statistics count it.
    void capture(std::vector<NodeState>& nodes, const std::vector<LinkState>& links, bool dynwave,
                 double dt_s, bool record = false);
    /// The statistics of every inlet, in [INLET_USAGE] order.
    std::vector<InletStatistics> statistics() const;

    /// True for a node that receives captured flow (its overflow goes back to the street).
    bool is_capture_node(int n) const { return capture_node_[static_cast<std::size_t>(n)] != 0; }

    /// Flow captured (net of backflow) by the inlets of a usage in the last capture() call, m³/s.
    double net_capture_m3s(std::size_t usage) const {
        return inlets_[usage].captured - inlets_[usage].backflow;
    }
    std::size_t size() const { return inlets_.size(); }
    /// What each inlet moved in the last capture() call, for the pollutants (SWMM
    /// inlet_adjustQualInflows): out(street conduit, bypass node (the conduit's downstream end in
    /// `links`), capture node, captured flow, backflow), flows in m³/s.
    void transfers(const std::vector<LinkState>& links,
                   const std::function<void(int, int, int, double, double)>& out) const;

private:
    struct Inlet {
        const InletUsage* usage = nullptr;
        const InletDesign* design = nullptr;
        int link = 0;
        InletSite site;
        double clog_factor = 1;
        double backflow_ratio = 0;
        double captured = 0, backflow = 0;
        InletStatistics stats;
    };
    bool on_sag(const Inlet& in, const std::vector<NodeState>& nodes, int bypass) const;
    const Network& net_;
    /// Sides of the street whose geometry SWMM 5.2.4 loaded last (see capture()).
    int last_sides_ = 1;
    std::vector<Inlet> inlets_; ///< in SWMM's evaluation order (last [INLET_USAGE] row first)
    std::vector<char> capture_node_;
    std::vector<double> node_capture_;
};

} // namespace rencheng::drainage
