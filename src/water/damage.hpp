// Damage of a water network for one scenario (leaks, breaks, closures, pump, tank and source
// outages) and the extended-period simulation of the damaged network with its mass balance.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"
#include "water/network.hpp"

namespace rencheng::water {

/// Gravity used by the orifice leak law (as WNTR), m/s².
inline constexpr double kLeakGravity = 9.81;
/// Default discharge coefficient of a leak (WNTR's default, 0.75).
inline constexpr double kLeakDischargeCoefficient = 0.75;

/// Fraction of what is left of a pipe that a split keeps at least on either side: points closer
/// to an end (or to another point) are moved to that distance, so no piece is of zero length.
inline constexpr double kMinSplitFraction = 1e-3;

/// An orifice leak (WNTR's leak model, WNTR documentation "Hydraulics: leak model"):
/// Q = Cd·A·sqrt(2 g p) for p > 0 and 0 otherwise, p the pressure head (m) where it leaks.
/// Give either `node` (a junction) or `link` (a pipe) with `position` in [0, 1] along it from its
/// start node. A leak along a pipe is put where it is: the pipe is split there (split_pipe(),
/// WNTR's split_pipe idea) and the leak acts at the new junction; at position 0 or 1 it acts at
/// that end node when it is a junction. When the position is not known, 0.5 (the mid-point) is
/// the default.
struct Leak {
    NodeIndex node;
    LinkIndex link;
    double position = 0.5;
    double area_m2 = 0;
    double discharge_coefficient = kLeakDischargeCoefficient;
};

/// A pipe break at `position` along the pipe from its start node (default 0.5, the mid-point):
/// the pipe is cut there into two pieces that end at two new, unconnected junctions
/// (break_pipe(), WNTR's break_pipe), and each broken end leaks through a full-bore opening
/// (area π d²/4 unless `area_m2` > 0).
struct Break {
    LinkIndex link;
    double area_m2 = 0;
    double discharge_coefficient = kLeakDischargeCoefficient;
    double position = 0.5;
};

/// The damage of one scenario. Everything holds for the whole simulation and overrides controls
/// and rules (a closed link stays closed whatever a control says).
struct DamageState {
    std::vector<Leak> leaks;
    std::vector<Break> breaks;
    std::vector<LinkIndex> closed_links;  ///< any link kind: pipes, pumps, valves
    std::vector<LinkIndex> pump_outages;  ///< pump links without power: closed
    std::vector<NodeIndex> tank_outages;  ///< tanks out of service: isolated from the network
    std::vector<NodeIndex> source_losses; ///< reservoirs lost: isolated from the network

    [[nodiscard]] bool empty() const {
        return leaks.empty() && breaks.empty() && closed_links.empty() && pump_outages.empty() &&
               tank_outages.empty() && source_losses.empty();
    }
    /// Empty when the damage fits `net` (indices in range, right element kinds, areas ≥ 0,
    /// 0 < Cd ≤ 1, positions in [0, 1]), else every problem, one per line.
    [[nodiscard]] std::string validate(const Network& net) const;
};

/// A cut apply_damage() made in a pipe for a leak or break along it, in the order the cuts were
/// made (pipes ascending, points by position). The cuts alone fix the damaged network's nodes,
/// links and pipe data (leak sizes only change emitter coefficients), hence its topology.
struct PipeCut {
    std::int32_t link = 0;
    double position = 0; ///< as given, in [0, 1] from the pipe's start node
    bool is_break = false;
    bool operator==(const PipeCut&) const = default;
};

/// The damage turned into what the solver sees. `net` is a copy of the input network with the
/// leaks and breaks along pipes split in (new junctions and pipes appended after the original
/// ones, so every original index keeps its meaning) and emitter coefficients that include the
/// leaks (exponent 0.5). Without such splits it has the same nodes and links, and the
/// HydraulicTopology of the undamaged network serves it unchanged.
struct AppliedDamage {
    Network net;
    std::int32_t original_nodes = 0;          ///< node count of the undamaged network
    std::int32_t original_links = 0;          ///< link count of the undamaged network
    std::vector<double> leak_coefficient_m3s; ///< per node: Σ Cd·A·sqrt(2g), m³/s per m^0.5
    std::vector<std::uint8_t> forced_closed;  ///< per link: 1 closed by the damage
    /// Per original link: the pieces it was split into after itself (appended link indices).
    std::vector<std::vector<LinkIndex>> pieces;
    std::vector<PipeCut> cuts; ///< every cut, in the order made
    [[nodiscard]] bool topology_changed() const {
        return net.node_count() != original_nodes || net.link_count() != original_links;
    }
};

/// Applies `damage` to `net`. New junctions are named `<pipe>_leak<n>` (a leak) and
/// `<pipe>_break<n>a` / `<pipe>_break<n>b` (the two ends of a break), new pipes `<pipe>_<n>`
/// (an id that is taken or longer than EPANET's 31 characters gets a numbered `DMG` id instead).
/// Closing a pipe that was split closes all its pieces, and the network's controls and rule
/// actions on it act on every piece; rule premises on it read every piece (RulePremise::pieces:
/// FLOW the largest |flow|, STATUS closed when all are). Throws
/// Error(kOutOfRange) with validate()'s text when the damage does not fit, and Error(kUnsupported)
/// when the damage has leaks and the network already has emitters with an exponent other than 0.5
/// (the solver has one emitter exponent).
AppliedDamage apply_damage(const Network& net, const DamageState& damage);

/// Forces the damage's closures onto a state (pumps: speed 0; valves: fixed closed).
void impose_damage(const Network& net, const AppliedDamage& applied, HydraulicState& state);

/// One hydraulic time of a damaged simulation (SI; per-node and per-link vectors by the index in
/// the damaged network, DamageResult::network: the original nodes and links first).
struct DamageStep {
    Seconds time_s = 0;
    HydraulicSummary summary;
    std::vector<double> head_m;
    std::vector<double> flow_m3s;      ///< per link, 0 when closed
    std::vector<double> required_m3s;  ///< junctions: demand wanted (patterns applied)
    std::vector<double> delivered_m3s; ///< junctions: demand delivered (0 where cut off)
    std::vector<double> leak_m3s;      ///< leak outflow per node (damage leaks only)
    std::vector<std::uint8_t> cut_off; ///< as HydraulicState::cut_off (1, 2: no path to a source)
    double supply_m3s = 0;             ///< outflow of reservoirs and draining tanks
    double demand_m3s = 0;             ///< Σ delivered demand
    double leak_total_m3s = 0;         ///< Σ leaks
    double emitter_m3s = 0;            ///< Σ the network's own emitters
    double storage_m3s = 0;            ///< Σ tank inflow (rate of storage change)
    /// |supply − demand − leaks − emitters − storage| / supply (1e-9 m³/s floor on supply).
    double mass_balance_error = 0;
};

struct DamageResult {
    /// The damaged network that was simulated (AppliedDamage::net): the original nodes and links
    /// first, then the junctions and pipes of leaks and breaks along pipes.
    Network network;
    EpsResult eps;                 ///< the reporting-time snapshots of the damaged network
    std::vector<DamageStep> steps; ///< every hydraulic time
    double max_mass_balance_error = 0;
    std::int32_t max_cut_off_junctions = 0;
    bool converged = true;
};

/// The HydraulicTopology (with its symbolic Cholesky analysis) of damaged networks of one base
/// network, kept per set of pipe cuts: a sequence of simulate_damage() calls — the time steps of
/// a stress-test realization, whose cuts change only when a pipe is damaged or repaired — builds
/// each once instead of at every call. Holds the `capacity` most recently used topologies.
/// One cache serves one base network whose nodes, links, pipe data and options do not change
/// between calls (its times and demands may); it is cleared when given another network object.
/// Not thread-safe: one per thread or per realization.
class DamagedTopologyCache {
public:
    explicit DamagedTopologyCache(std::size_t capacity = 4);
    /// The topology of `applied.net` (applied = apply_damage(base, …)): from the cache when the
    /// same cuts were seen, else built and kept. The reference is valid until the next call.
    const HydraulicTopology& topology(const Network& base, const AppliedDamage& applied);
    [[nodiscard]] std::int64_t builds() const { return builds_; } ///< topologies built so far
    [[nodiscard]] std::int64_t hits() const { return hits_; }     ///< calls served from the cache

private:
    struct Entry {
        std::vector<PipeCut> cuts;
        std::unique_ptr<HydraulicTopology> topology;
        std::int64_t last_used = 0;
    };
    std::size_t capacity_;
    const Network* base_ = nullptr;
    std::int32_t base_nodes_ = 0, base_links_ = 0;
    std::vector<Entry> entries_;
    std::int64_t clock_ = 0, builds_ = 0, hits_ = 0;
};

/// Extended-period simulation (simulate_eps) of the damaged network; `topo` is the undamaged
/// network's and serves as long as the damage splits no pipe (else the damaged network's own is
/// taken from `cache` when given, or built). The hooks see the state of the damaged network.
/// `options.before_solve` and `options.after_solve` are used by this function (any given are
/// called after its own). Never throws for a hydraulic failure; see apply_damage() for the errors
/// of bad damage.
DamageResult simulate_damage(const Network& net, const HydraulicTopology& topo,
                             const DamageState& damage, const EpsOptions& options,
                             DamagedTopologyCache* cache = nullptr);

/// What random_damage() draws: each count is drawn uniformly in [0, max].
struct RandomDamageOptions {
    int max_leaks = 3;
    int max_breaks = 2;
    int max_closed_links = 3;
    int max_pump_outages = 1;
    int max_tank_outages = 1;
    int max_source_losses = 1;
    double max_leak_area_m2 = 0.01;
};

/// A random damage state of `net` drawn from `rng` (leaks and breaks on pipes, closures of any
/// link, outages of pumps, tanks and reservoirs). For Monte Carlo tests and sampling.
DamageState random_damage(const Network& net, RngStream& rng, const RandomDamageOptions& options);

} // namespace rencheng::water
