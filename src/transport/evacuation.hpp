// Evacuation: people in zones to shelters of limited capacity over the road network
// (minimum-cost flow), and a clearance-time lower bound from a quickest-flow computation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "transport/tntp.hpp"

namespace rencheng::transport {

struct EvacuationZone {
    std::int32_t node = -1; ///< 0-based node where the zone's people enter the network
    double people = 0.0;    ///< >= 0
};

struct Shelter {
    std::int32_t node = -1;       ///< 0-based node
    double capacity_people = 0.0; ///< >= 0
};

struct EvacuationOptions {
    /// People per vehicle (>= 1 is typical; > 0 required): vehicles = people / occupancy.
    double vehicle_occupancy = 2.0;
    /// Link travel time per link (network time unit, minutes); empty: free-flow times.
    std::vector<double> link_time;
    /// closed[a] != 0 removes link a (empty: none). Links with capacity <= 0 are unusable too.
    std::vector<std::uint8_t> closed;

    /// Empty when valid, else what is wrong.
    [[nodiscard]] std::string validate() const;
};

/// People of one zone sent to one shelter.
struct ShelterAssignment {
    std::int32_t zone = 0;    ///< index into the zones given
    std::int32_t shelter = 0; ///< index into the shelters given
    double people = 0.0;
    double travel_time = 0.0; ///< shortest time from the zone's node to the shelter's, minutes
};

struct EvacuationResult {
    std::vector<ShelterAssignment> assignments; ///< zone order, then shelter order
    std::vector<double> zone_served;            ///< people per zone given a shelter place
    std::vector<double> zone_unserved;          ///< people per zone without one
    /// Per zone: 1 when no open path leads to any shelter (its people are all unserved).
    std::vector<std::uint8_t> zone_cut_off;
    std::vector<double> shelter_people; ///< people assigned per shelter
    double people_total = 0.0;
    double people_served = 0.0;
    double people_unserved = 0.0;          ///< = total - served
    double people_cut_off = 0.0;           ///< unserved because no path to any shelter exists
    double people_moving = 0.0;            ///< served at a shelter on another node
    double total_travel_time_people = 0.0; ///< sum of people x travel time, person-minutes
    /// Vehicles that must travel: people_moving / occupancy.
    double vehicles = 0.0;
    /// Maximum flow rate from the zones that send people to the shelters that receive them,
    /// vehicles per hour (the capacity of the minimum cut; Ford & Fulkerson 1956).
    double bottleneck_vehh = 0.0;
    /// Free-flow time of the quickest zone-to-shelter path used, minutes.
    double first_arrival_min = 0.0;
    /// Clearance-time lower bound, minutes: the least T by which a dynamic flow can deliver all
    /// `vehicles` (Ford & Fulkerson 1958 temporally repeated flows; see docs/transport.md).
    /// 0 when nobody has to move.
    double clearance_time_min = 0.0;
};

/// Assigns people to shelters (people on a shelter's own node fill it first, then a
/// minimum-cost flow minimises person-minutes of travel subject to shelter capacities; road
/// capacities do not limit the number of people, only the rate), reports people without a
/// place, and bounds the clearance time. Zones (and shelters) must be on distinct nodes.
/// Throws Error(kUsage) for invalid options, Error(kInconsistent) for bad zones or shelters.
/// Deterministic.
EvacuationResult plan_evacuation(const AssignmentNetwork& net,
                                 std::span<const EvacuationZone> zones,
                                 std::span<const Shelter> shelters,
                                 const EvacuationOptions& options);

/// The least T with sum_k rate_k (T - time_k)^+ >= volume, for steps sorted by time (rates in
/// vehicles per hour, times and T in minutes); +infinity when the rates add up to 0 and
/// volume > 0, and 0 when volume <= 0. The dynamic flow value of temporally repeated
/// successive-shortest-path flows (Burkard, Dlaska & Klinz 1993).
double quickest_time_min(std::span<const double> rate_vehh, std::span<const double> time_min,
                         double volume_veh);

} // namespace rencheng::transport
