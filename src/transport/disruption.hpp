// Disruption analysis on an assignment network: closures and capacity cuts, re-assignment,
// changes in travel time, disconnected demand, and link and node criticality rankings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "transport/assignment.hpp"
#include "transport/tntp.hpp"

namespace rencheng::transport {

/// One disrupted link: its capacity is multiplied by `capacity_factor` in [0, 1]; 0 closes it
/// (debris, a collapsed bridge, flooding above the passable depth).
struct LinkDisruption {
    std::int32_t link = -1; ///< 0-based link index
    double capacity_factor = 0.0;
};

/// A scenario's disruptions; a link listed twice keeps the smaller factor.
struct Disruption {
    std::vector<LinkDisruption> links;

    /// closed[a] = 1 for the links with factor 0 (size link_count).
    [[nodiscard]] std::vector<std::uint8_t> closed_mask(std::int32_t link_count) const;
    /// The network with the capacity cuts applied (closed links keep their capacity: the
    /// closure mask removes them).
    [[nodiscard]] AssignmentNetwork apply_capacity_cuts(const AssignmentNetwork& net) const;
};

/// Reads a disruption list: CSV with a header, columns `link` (required: "<init>-<term>" in
/// TNTP node numbers, as in the results CSV) and `capacity_factor` (optional, default 0 =
/// closed; a number in [0, 1]). Every problem goes to `diags` with file, line and field.
Disruption parse_disruption_csv(std::string_view text, const std::string& file,
                                const AssignmentNetwork& net, Diagnostics& diags);
Disruption read_disruption_csv(const std::filesystem::path& path, const AssignmentNetwork& net,
                               Diagnostics& diags);

/// Origin–destination shortest-path costs at given link costs, one entry per OD pair of the
/// trip table (same order as TripTable::destination); kUnreachable when no open path.
std::vector<double> od_costs(const AssignmentNetwork& net, const TripTable& trips,
                             std::span<const double> link_cost,
                             std::span<const std::uint8_t> closed);

/// Change of one OD pair's equilibrium travel cost (network time unit).
struct OdChange {
    std::int32_t origin = 0;      ///< 0-based zone
    std::int32_t destination = 0; ///< 0-based zone
    double demand = 0.0;          ///< veh/h
    double base_cost = 0.0;       ///< before the disruption (kUnreachable if already cut)
    double disrupted_cost = 0.0;  ///< after (kUnreachable when disconnected)
};

struct DisruptionOptions {
    AssignmentOptions assignment; ///< gap, algorithm, cost factors (its `closed` is ignored)
    /// Algorithm B: start the disrupted assignment from the undisrupted bushes where feasible.
    bool warm_start = true;
};

struct DisruptionResult {
    AssignmentResult base;      ///< the undisrupted equilibrium (keeps its bush flows)
    AssignmentResult disrupted; ///< the equilibrium with closures and capacity cuts
    double tstt_change = 0.0;   ///< disrupted.tstt - base.tstt (TSTT over the demand served)
    /// Demand of OD pairs connected before and not after, veh/h: it cannot be served and is
    /// reported here, never given an infinite cost.
    double disconnected_demand = 0.0;
    std::vector<OdChange> od;           ///< every OD pair with demand, trip-table order
    std::vector<OdChange> disconnected; ///< the pairs connected before and not after
};

/// Assigns `trips` to `net` undisrupted and with `disruption`, and compares. Throws as
/// assign_traffic does.
DisruptionResult analyse_disruption(const AssignmentNetwork& net, const TripTable& trips,
                                    const Disruption& disruption, const DisruptionOptions& options);

/// Same, from an undisrupted equilibrium already computed with these options and, for a warm
/// start, keep_bush_flows (it is copied into the result's `base`).
DisruptionResult analyse_disruption(const AssignmentNetwork& net, const TripTable& trips,
                                    const Disruption& disruption, const DisruptionOptions& options,
                                    const AssignmentResult& base);

// ---------------------------------------------------------------------------------------------
// Link criticality

enum class CriticalityMethod : std::uint8_t {
    /// Close the link alone and re-assign to the target gap (Algorithm B warm start): the
    /// change of equilibrium TSTT (Scott et al. 2006, "Network robustness index").
    kReassign,
    /// Cheaper: keep the undisrupted equilibrium link costs, close the link and re-route every
    /// OD pair on shortest paths at those fixed costs; the measure is the rise of the total
    /// cost sum(demand x OD cost) (Jenelius, Petersen & Mattsson 2006, "importance" at fixed
    /// costs). It ignores the congestion the rerouted traffic causes.
    kFixedCostReroute,
};

/// "reassign", "reroute".
std::string_view criticality_method_name(CriticalityMethod m);

struct CriticalityOptions {
    DisruptionOptions disruption;
    CriticalityMethod method = CriticalityMethod::kReassign;
    /// Candidate links: the `candidates` links with the largest undisrupted flow (ties by link
    /// index); 0: every link.
    std::int32_t candidates = 0;
    /// Called after each candidate (index, count), may be empty.
    std::function<void(std::size_t, std::size_t)> on_progress;
};

struct LinkCriticality {
    std::int32_t link = -1;
    double base_flow = 0.0;           ///< undisrupted equilibrium flow, veh/h
    double tstt = 0.0;                ///< with the link closed (reassign), or total OD cost
    double tstt_increase = 0.0;       ///< rise over the undisrupted value
    double disconnected_demand = 0.0; ///< veh/h that lose every path
    double relative_gap = 0.0;        ///< reassign: the gap reached
    bool converged = true;
};

struct CriticalityResult {
    AssignmentResult base;
    std::vector<LinkCriticality> links; ///< candidates in link order
    std::vector<std::int32_t> by_tstt;  ///< positions in `links`, largest TSTT rise first
    /// Positions in `links`, largest disconnected demand first, then by TSTT rise.
    std::vector<std::int32_t> by_disconnected;
};

/// Ranks candidate links by the rise of TSTT and by the demand disconnected when each is
/// closed alone. Deterministic (candidates in order; ties broken by link index).
CriticalityResult link_criticality(const AssignmentNetwork& net, const TripTable& trips,
                                   const CriticalityOptions& options);

// ---------------------------------------------------------------------------------------------
// Connectivity and node criticality

/// Which nodes stay connected with the main part of the network ("mainland"): the strongly
/// connected component of the open links with the largest total `weight` (e.g. population;
/// each node counts 1 when `weight` is empty; ties go to the component holding the lowest
/// node). A node is connected when it can reach the mainland and be reached from it. Zones
/// below <FIRST THRU NODE> only start and end paths, never pass them on (a zone joining two
/// parts does not connect them). `closed_node` (may be empty) takes nodes out entirely.
std::vector<std::uint8_t> connected_to_mainland(const AssignmentNetwork& net,
                                                std::span<const std::uint8_t> closed_link,
                                                std::span<const std::uint8_t> closed_node = {},
                                                std::span<const double> weight = {});

struct NodeCriticality {
    std::int32_t node = -1;
    double own_population = 0.0;      ///< people at the closed node itself
    double isolated_population = 0.0; ///< people elsewhere newly cut off from the mainland
    std::int32_t isolated_nodes = 0;  ///< nodes newly cut off (the closed node excluded)
};

/// Closes each node alone (all its links) and counts the people it isolates: population at
/// other nodes that were connected with the mainland before and are not after (see
/// connected_to_mainland, weighted by population). `population` has one entry per node (>= 0).
/// Returns every node, sorted by own + isolated population (largest first), then isolated nodes,
/// then node index.
std::vector<NodeCriticality> node_criticality(const AssignmentNetwork& net,
                                              std::span<const double> population,
                                              std::span<const std::uint8_t> closed_link = {});

} // namespace rencheng::transport
