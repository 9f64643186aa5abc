// Distribution restoration: isolate faulted 10 kV sections with the nearest switches, restore the
// healthy de-energised sections through normally-open tie switches where the receiving feeder's
// rating and voltage allow, and serve what is left with mobile generators (docs/power.md §9).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "power/islands.hpp"
#include "power/network.hpp"

namespace rencheng::power {

/// A switch that opens or closes one branch of the network. Its state is the branch's status in
/// the network given (BR_STATUS 0: open); `normally_open` says what it is for.
struct DistributionSwitch {
    enum class Kind : std::uint8_t {
        kBreaker,        ///< a feeder's circuit breaker at the substation busbar
        kSectionalising, ///< normally closed, along a feeder
        kTie,            ///< normally open, between feeders
    };
    BranchIndex branch;
    Kind kind = Kind::kSectionalising;
    bool normally_open = false;
    std::string id;
};

/// "breaker", "sectionalising", "tie"; parse_switch_kind gives the inverse (false if unknown).
std::string_view switch_kind_name(DistributionSwitch::Kind k);
bool parse_switch_kind(std::string_view name, DistributionSwitch::Kind& out);

/// A mobile generator (or storage) connected at `bus` with `p_mw` of capacity.
struct MobileGenerator {
    BusIndex bus;
    double p_mw = 0;
};

struct RestorationOptions {
    /// Per-bus priority (empty: all equal): de-energised groups holding the highest priority are
    /// restored first, and mobile generators shed the lowest priority first. One per bus.
    std::vector<double> bus_priority;
    std::vector<MobileGenerator> mobile_generators;
    /// A branch may carry up to this fraction of RATE_A after a restoration (1: its rating).
    double loading_limit = 1.0;
    /// Voltage limits checked after a restoration: each bus's [VMIN, VMAX] widened by this.
    double voltage_tolerance_pu = 1e-6;
    /// A branch is a transmission element (protected by breakers at both ends, so a fault on it
    /// takes out only itself) when either end's BASE_KV is above this, kV.
    double distribution_max_kv = 35.0;
    /// Power flow and shedding options of every solve (bus_priority is taken from above).
    IslandOptions islands;

    /// Throws Error(kOutOfRange) naming the first bad option.
    void validate(const Network& net) const;
};

/// Why a switch moved.
enum class SwitchPurpose : std::uint8_t {
    kIsolate, ///< opened to isolate a fault
    kSplit,   ///< opened so that only part of a de-energised group is picked up by a tie
    kRestore, ///< a tie closed to restore de-energised sections
};
/// "isolate", "split", "restore".
std::string_view switch_purpose_name(SwitchPurpose p);

struct SwitchAction {
    std::int32_t switch_index = -1; ///< into the switch list; -1: the breaker of a branch that
                                    ///< has no switch in the list (a transformer's breaker)
    BranchIndex branch;
    bool close = false;
    SwitchPurpose purpose = SwitchPurpose::kIsolate;
    /// kIsolate: the faulted branch; kSplit and kRestore: the tie this serves.
    BranchIndex cause;
    double restored_mw = 0; ///< kRestore: load brought back by closing this tie
};

struct RestorationResult {
    std::vector<SwitchAction> actions;           ///< in the order they are carried out
    std::vector<std::uint8_t> switch_closed;     ///< final state of each switch
    std::vector<std::uint8_t> branch_in_service; ///< final status of each branch
    std::vector<std::uint8_t> bus_isolated;      ///< 1: inside a faulted zone, cannot be supplied
    /// Per bus, after restoration and mobile generators: load served and not served, MW.
    std::vector<double> served_mw, unserved_mw;
    /// Per mobile generator: the MW it serves (0 when unused: its bus is energised anyway, lies
    /// in a faulted zone, or is out of range).
    std::vector<double> mobile_served_mw;
    double load_mw = 0;        ///< Σ PD
    double interrupted_mw = 0; ///< load without supply right after isolation
    double restored_mw = 0;    ///< of which brought back through ties
    double mobile_mw = 0;      ///< of which served by mobile generators
    double served_mw_total = 0;
    double unserved_mw_total = 0;
    IslandingResult final_state; ///< the network's state at the end (islands, flows, voltages)
};

/// Fault isolation and service restoration (docs/power.md §9). The isolation rule: a fault on a
/// branch that carries a switch, or on a transmission branch, is cleared by opening that branch
/// alone; a fault on any other branch de-energises its switching zone (the buses reached from
/// it without crossing a switch or a transmission branch), which is isolated by opening every
/// closed switch on the zone's edge — the nearest switches upstream and downstream, or the
/// feeder's breaker when none lies between. Then, repeatedly, the de-energised healthy group
/// with the highest priority (then the most load) is picked up through the open switch that
/// restores the most load: the whole group, or else the largest part of it, in the order of
/// distance from the tie, that keeps every branch of the receiving island within
/// loading_limit·RATE_A and every bus within its voltage limits by an AC power flow. Mobile
/// generators then energise the islands still dark, shedding by priority beyond their capacity.
/// Never throws for any set of faults (indices out of range are ignored); throws
/// Error(kOutOfRange) for bad options or a switch naming a branch out of range.
RestorationResult restore_distribution(const Network& net,
                                       const std::vector<DistributionSwitch>& switches,
                                       const std::vector<BranchIndex>& faulted,
                                       const RestorationOptions& options = {});

} // namespace rencheng::power
