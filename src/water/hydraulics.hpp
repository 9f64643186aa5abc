// Steady hydraulics of a water network by the Global Gradient Algorithm (Todini & Pilati 1988) with
// EPANET 2.2's link laws, status checks, emitters and demand models.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "water/head_loss.hpp"
#include "water/network.hpp"
#include "water/sparse_cholesky.hpp"

namespace rencheng::water {

/// Options of the hydraulic solver. Defaults follow EPANET 2.2 but converge further. The
/// network's TRIALS, ACCURACY, HEADERROR, FLOWCHANGE, CHECKFREQ, MAXCHECK, DAMPLIMIT and
/// UNBALANCED CONTINUE n are honoured (HEADERROR and FLOWCHANGE as EPANET 2.2 checks them: with
/// ACCURACY, before the status checks).
struct HydraulicOptions {
    /// Stopping rule for EPANET's status logic: Σ|Δq| / Σ|q| below this. 0: the network's ACCURACY.
    double accuracy = 0;
    /// After EPANET's rule is met with no status change, Newton steps continue at fixed statuses
    /// until the flow error left, estimated from the contraction of the last two steps
    /// (Σ|Δq| / Σ|q| of the last step times its ratio to the step before), is below this (0: no
    /// polishing). With 1e-7 one Newton step past EPANET's rule is enough where the error falls
    /// quadratically (1e-3 → 1e-6 → 1e-12: the step to 1e-6 shows ~1e-9 left), and two where an
    /// active PRV or PSV makes it fall linearly (×1/30 a step on BWSN_Network_2). Net3 over 24 h
    /// ends within 3.6e-8 m and 5.2e-9 m³/s of a polish to the round-off floor; 1e-10 took a
    /// second quadratic step that moved no head of the 117 EPANET references beyond round-off.
    /// A tighter value sits at the round-off floor, where the steps only stall.
    double polish_accuracy = 1e-7;
    int polish_trials = 30;
    /// EPANET's model of closed links: a conductance of 1e-8 cfs/ft instead of none. Zones cut
    /// off by closed links are then solved as EPANET solves them (with enormous heads and the
    /// demand drawn through the closed links) instead of getting zero supply. For comparison with
    /// EPANET only.
    bool closed_link_leakage = false;
    /// Trials before giving up; 0: the network's TRIALS.
    int max_trials = 0;
    /// Emitters carry no inflow: q = K p^γ for p > 0 and 0 otherwise (the orifice leak model of
    /// WNTR, used by water/damage.hpp). False keeps EPANET 2.2's signed q = K |p|^γ sign(p).
    bool emitter_no_backflow = false;
    /// From this many plain pipes (open, between two junctions) on, their coefficients, their
    /// sums into the system and their flow updates are computed side by side in chunks; the
    /// numbers are the same bit for bit either way and whatever the thread count. 0: never.
    std::size_t parallel_links = 16384;
    /// Leave the dead-end trees (HydraulicTopology::tree_pipes) out of the Newton step's linear
    /// system where their pipes are open and supplied: the same iterates as solving every
    /// junction, to round-off, for less work, on networks of fewer than 16,384 links. False
    /// solves every junction (for comparison).
    bool eliminate_trees = true;
    /// Solve each active PRV's and PSV's flow with the heads, in the same Newton step: the
    /// water its held node passes on reaches the valve's other node at once (a bordered solve,
    /// one more substitution per valve), instead of EPANET's lag of one step, which makes the
    /// iterations converge only linearly while such a valve is active (×1/25 a step on
    /// BWSN_Network_2). Networks with up to 8 PRVs and PSVs; more, two valves holding one
    /// node, or valves whose passed water barely comes back to their held node (read in the
    /// first step of each solve), and the lag. False keeps EPANET's lag always (for comparison).
    bool implicit_pressure_valves = true;
    /// Empty when valid, else what is wrong.
    [[nodiscard]] std::string validate() const;
};

/// Linear interpolation in a curve's points with the end values held beyond them (EPANET's
/// interp()).
double curve_interpolate(const std::vector<double>& x, const std::vector<double>& y, double xx);

/// Run-time status of a link, in EPANET's order (everything up to kClosed is closed).
enum class LinkState : std::uint8_t {
    kXHead,      ///< pump closed: head above shutoff head
    kTempClosed, ///< closed to keep a full tank from filling or an empty one from draining
    kClosed,
    kOpen,
    kActive,    ///< PRV/PSV/FCV controlling
    kXFlow,     ///< unused, kept for order
    kXFcv,      ///< FCV open: cannot deliver its flow
    kXPressure, ///< PRV/PSV open: cannot hold its pressure
};
inline bool is_closed(LinkState s) {
    return s <= LinkState::kClosed;
}

/// The Newton step's linear system over a set of junction rows: their numbering (in node order),
/// the value positions of the matrix entries and the symbolic factorisation of its pattern.
struct LinearSystem {
    std::int32_t rows = 0;
    std::vector<std::int32_t> row; ///< node → row, -1 outside the system
    std::vector<std::size_t> node_of_row;
    std::vector<std::int32_t> diag;    ///< row → value position
    std::vector<std::int32_t> offdiag; ///< link → value position, -1 if not between two rows
    SymbolicCholesky symbolic;
};

/// A pipe of a dead-end tree (HydraulicTopology::tree_pipes): its link, the junction it leads
/// to away from the rest of the network (child) and the node it hangs on (parent), whether the
/// link runs from parent to child, and whether the parent is outside the trees (the tree's root
/// pipe).
struct TreePipe {
    std::int32_t link, child, parent;
    bool out, root;
};

/// Everything about a network's hydraulics that depends only on its topology and element data:
/// junction numbering, link coefficients, the matrix pattern and its symbolic factorisation.
/// Built once, shared read-only between scenarios and threads.
struct HydraulicTopology {
    explicit HydraulicTopology(const Network& net);

    enum class PumpCurve : std::uint8_t { kNone, kPower, kCustom, kConstantPower };
    std::int32_t junctions = 0;    ///< junctions are the unknown nodes
    std::vector<std::int32_t> row; ///< node → matrix row, -1 for tanks and reservoirs
    std::vector<std::size_t> node_of_row;
    std::vector<double> resistance;    ///< pipes: r of h = r q^n
    std::vector<double> minor;         ///< pipes and valves: m of h = m q²
    std::vector<std::int32_t> offdiag; ///< link → value position, -1 if not junction-junction
    std::vector<std::int32_t> diag;    ///< junction row → value position
    // Pumps (by pump number): head gain = -(h0 + r q^n) for kPower; curve points for kCustom;
    // h = -r/q for kConstantPower.
    std::vector<PumpCurve> pump_curve;
    std::vector<double> pump_h0, pump_r, pump_n, pump_hmax, pump_q0;
    std::vector<CurveIndex> pump_points;
    // Tanks (by tank number).
    std::vector<double> tank_area_m2, tank_hmin, tank_hmax, tank_vmin, tank_vmax, tank_v0;
    /// EPANET 2.3 pipe leakage ([LEAKAGE], FAVAD: q = Co·(A + m·p)·√p per pipe, half to each
    /// junction end, all to the junction where the other end is a tank or reservoir), per node:
    /// the coefficients c of the inverted laws p = c·q² (fixed area) and p = c·q^(2/3)
    /// (variable area) in EPANET's ft and cfs, 0 where the junction has none (leakage.c).
    std::vector<double> leak_c_fa, leak_c_va;
    bool has_leakage = false;
    double cfs_m3s = epanet_units::kCfs; ///< EPANET's effective cfs (see epanet_cfs())
    /// ν such that ν·d is EPANET's ν_ft·d_ft in the flow basis of cfs_m3s (Reynolds number).
    double viscosity_m2s = epanet_units::kViscosity;
    CsrGraph adjacency; ///< node-link incidence (arcs are link indices)
    SymbolicCholesky symbolic;
    /// Links whose status EPANET's status checks can change (check valves, pumps, valves, links
    /// at a tank or reservoir): every link but the pipes between two junctions, which stay open
    /// or closed as the input, controls and damage leave them.
    std::vector<std::int32_t> status_links;
    std::vector<std::int32_t> fixed_nodes; ///< tanks and reservoirs
    /// Dead-end trees: the pipes of junctions that are left with one pipe to another junction
    /// when such junctions are taken away one after another (no emitter, no pipe leakage, only
    /// pipes between junctions at them, in a part of the network that holds a tank or
    /// reservoir), leaves first. Their flows are their demands beyond them, so while they are
    /// open and supplied (demand-driven, not EPANET's closed-link model) the Newton step solves
    /// `core`, the junctions outside them, and the trees' heads follow from their head losses.
    /// Empty (and `core` with no rows) where trees hold under 5 % of the junctions.
    std::vector<TreePipe> tree_pipes;
    std::vector<std::uint8_t> tree_link;  ///< per link: 1 for a tree pipe (empty without trees)
    std::vector<std::int32_t> core_pipes; ///< the pipes outside the trees (empty without trees)
    LinearSystem core;

private:
    void find_trees(const Network& net);
};

/// The state of one scenario: heads, flows, statuses and settings of the current period, tank
/// volumes, and the solver's scratch space (sized once; the Newton loop allocates nothing).
struct HydraulicState {
    HydraulicState(const Network& net, const HydraulicTopology& topo);

    std::vector<double> head_m;       ///< per node
    std::vector<double> node_demand;  ///< per node: full demand (junctions) before solve,
                                      ///< reported demand after; tanks/reservoirs net inflow
    std::vector<double> demand_flow;  ///< per node: delivered demand (PDA)
    std::vector<double> emitter_flow; ///< per node
    /// per node: EPANET 2.3 pipe leakage out of the junction, fixed-area and variable-area parts
    /// (HydraulicTopology::leak_c_fa, leak_c_va); 0 where it has none
    std::vector<double> leak_fa_flow, leak_va_flow;
    std::vector<double> flow_m3s;  ///< per link
    std::vector<LinkState> status; ///< per link
    std::vector<double> setting;   ///< per link: pump speed, valve setting; NaN: none (fixed)
    std::vector<double> tank_volume_m3;
    /// per node: 0 supplied; 1 no open path reaches a fixed head; 2 the same, in a zone with
    /// demand (head held at the elevation)
    std::vector<std::uint8_t> cut_off;
    // scratch
    std::vector<double> p_, y_, f_, xflow_;
    std::vector<double> power_; ///< per link: |flow|^0.852 for Hazen-Williams pipes
    /// Large networks: per block of plain pipes, its Σ|q|, Σ|Δq| and largest |Δq| of the last
    /// flow update.
    std::vector<double> plain_change_;
    std::vector<std::int32_t> queue_;
    std::vector<std::uint8_t> zone_done_;
    /// find_cut_off(): the cut-off flags before its search; prune_dead_ends_near_changes():
    /// the idle junctions it searches again.
    std::vector<std::uint8_t> cut_off_before_;
    std::vector<std::int32_t> region_;
    std::vector<LinkState> cut_off_status_; ///< statuses cut_off was computed for
    /// per node: sign of the junction demand cut_off was computed for (-1, 0, 1)
    std::vector<std::int8_t> cut_off_demand_;
    bool cut_off_valid_ = false; ///< cut_off, pruning and the two keys above are current
    bool cut_off_leak_ = false;  ///< closed_link_leakage they were computed with
    std::int32_t cut_off_count_ = 0;
    std::vector<std::uint8_t> pruned_link_; ///< pipes of idle sides left out of the system
    std::vector<std::uint8_t> left_out_;    ///< per link: out of the system before find_cut_off
    std::vector<double> rejoin_flow_; ///< per link: flow when it left the system in this solve
    std::vector<std::int32_t> prune_parent_; ///< pruned node → the node whose head it takes
    /// Σ|Δq| / Σ|q| at which the last polish stopped on the round-off floor (0: none since
    /// initialize_state()); a later solve whose main loop ends within twice it is not polished.
    double polish_floor_ = 0;
    std::vector<std::int32_t> prune_order_;
    /// prune_dead_ends()'s depth-first search over the idle junctions, per node: discovery
    /// time, lowest discovery time reached from its subtree, pumps and valves in its subtree,
    /// next arc, the link it was reached by, the node outside reached from its subtree (-1
    /// none, -2 more than one), whether its subtree hangs on one node, whether it is an idle
    /// junction (1) in a side (2); and the nodes in discovery order.
    std::vector<std::int32_t> dfs_disc_, dfs_low_, dfs_busy_, dfs_next_, dfs_via_, dfs_attach_;
    std::vector<std::uint8_t> dfs_side_, dfs_hangs_;
    std::vector<std::int32_t> dfs_preorder_;
    /// The search of find_cut_off() from the fixed-head nodes as a spanning forest of the
    /// supplied nodes: the nodes in the order it reached them, and per node the link it was
    /// reached by (-1: a fixed-head node or not reached); and per node its place in that order
    /// (-1: not reached).
    std::vector<std::int32_t> tree_order_, tree_link_, tree_place_;
    /// An open pipe between two junctions, neither cut off nor pruned: the bulk of a network's
    /// links, assembled and updated by a loop without the cases of the other links.
    struct PlainLink {
        std::int32_t link, from, to, row_from, row_to, diag_from, diag_to, offdiag;
    };
    std::vector<PlainLink> plain_links_;
    /// On large networks, the plain pipes by junction row: row r's are entries
    /// plain_row_ptr_[r] .. plain_row_ptr_[r+1] of plain_row_entry_, in plain-pipe order: the
    /// pipe's link, +1 for a pipe leaving the row's node and −1 for one entering it, and the
    /// position of its off-diagonal entry when the row is the lower of its two (else −1).
    struct PlainRowEntry {
        std::int32_t link, offdiag;
        double sign;
    };
    std::vector<std::int32_t> plain_row_ptr_;
    std::vector<PlainRowEntry> plain_row_entry_;
    std::vector<std::int32_t> other_links_; ///< the rest, in link order
    /// Statuses, pruned links and cut-off marks the two lists were made for.
    std::vector<LinkState> plain_status_;
    std::vector<std::uint8_t> plain_pruned_, plain_cut_off_;
    NumericCholesky numeric_;
    /// The dead-end trees (HydraulicTopology::tree_pipes): whether the last classification left
    /// them out of the system, with the options it was made for (pressure-driven demands,
    /// closed-link model); per tree pipe its flow (the demand beyond it, from parent to child)
    /// and its flow before the last update; per node the sum of demands beyond it.
    bool plain_reduced_ = false;
    std::uint8_t plain_options_ = 0;
    std::vector<double> tree_flow_, tree_flow_before_, tree_sum_, tree_power_;
    std::vector<double> power_in_, power_out_; ///< flows and |q|^0.852 of the core's pipes
    NumericCholesky numeric_core_;
};

/// What a solve did.
struct HydraulicSummary {
    bool converged = false;
    int iterations = 0;
    double relative_error = 0;      ///< Σ|Δq| / Σ|q| of the last iteration
    std::int32_t cut_off_nodes = 0; ///< junctions with no path to a source (supply zero there)
    /// Whether the last Newton step left the dead-end trees out of its system
    /// (HydraulicOptions::eliminate_trees).
    bool trees_left_out = false;
    std::string message; ///< why it did not converge, or what was cut off
};

/// Status and setting a control or rule action sets on `link` (EPANET's control semantics: OPEN
/// and CLOSED fix a valve's status, a number sets a pump's speed or a valve's setting).
void control_target(const Network& net, LinkIndex link, const std::optional<LinkStatus>& status,
                    double setting, LinkState& target, double& target_setting);

/// Sets the state to EPANET's initial conditions (inithyd): tank levels, initial statuses and
/// settings, initial flows.
void initialize_state(const Network& net, const HydraulicTopology& topo, HydraulicState& state);

/// Solves the network for the demands in `state.node_demand` (junctions: full demand, m³/s) and
/// the fixed heads in `state.head_m` (tanks, reservoirs), from the statuses and flows in `state`.
/// Never throws for a hydraulic failure: the summary says what happened. Nodes cut off from every
/// source get zero delivered demand, head = elevation, and their links zero flow.
HydraulicSummary solve_hydraulics(const Network& net, const HydraulicTopology& topo,
                                  HydraulicState& state, const HydraulicOptions& options);

/// Tank volume (m³) at head h (m) and head at volume v, with the tank's volume curve if any.
double tank_volume(const Network& net, const HydraulicTopology& topo, std::int32_t tank, double h);
double tank_head(const Network& net, const HydraulicTopology& topo, std::int32_t tank, double v);

/// Reported flow of link k: 0 for closed links (as EPANET reports).
inline double reported_flow(const HydraulicState& s, std::size_t k) {
    return is_closed(s.status[k]) ? 0.0 : s.flow_m3s[k];
}

} // namespace rencheng::water
