// Isolation of a gas break: the valves that shut off the broken pipe's segment, the customers
// who lose gas, and how long closing takes for automatic, remote and manual valves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gas/network.hpp"

namespace rencheng::gas {

/// Times to close a valve once a break happens (docs/gas.md "Isolation"). The defaults are
/// assumptions for a city utility with a SCADA control room and on-call crews; set them from the
/// utility's own records.
struct IsolationOptions {
    /// Automatic excess-flow valves trip on the break's own flow: the actuator's stroke.
    double automatic_close_s = 30.0;
    /// Remote (SCADA) valves: alarm, the operator's confirmation and the actuator's stroke.
    /// US rupture-mitigation valves must be shut within 30 min of identifying a rupture
    /// (49 CFR 192.636); a control room acting on a pressure alarm needs a few minutes.
    double remote_close_s = 300.0;
    /// Manual valves: a crew is dispatched and travels to the first valve.
    double manual_response_s = 2700.0;
    /// Manual valves: finding the box, opening it and turning the valve shut, per valve (a crew
    /// closes its valves one after another; walking between them is included).
    double manual_close_s = 600.0;
    /// Crews closing manual valves at the same time (valves are shared out in turn).
    std::int32_t manual_crews = 1;

    /// Throws Error(kOutOfRange) naming the bad field (negative or non-finite time, no crew).
    void validate() const;
};

/// Elements that stop gas without being closed: closed connections (any kind) and, where gas
/// cannot flow backwards, regulators and compressors (outlet to inlet). Valves that are open are
/// what an isolation closes.
struct ValveToClose {
    ConnectionIndex valve;
    ValveKind kind = ValveKind::kManual;
    double close_time_s = 0.0; ///< seconds after the break when this valve is shut
};

/// What isolating a break does.
struct Isolation {
    ConnectionIndex broken;
    /// The valves to close, by connection index; each shuts one way into the segment.
    std::vector<ValveToClose> valves;
    /// The segment: every node from which gas can still reach the break with those valves shut
    /// (gas crosses pipes both ways, regulators and compressors only from inlet to outlet), and
    /// the connections among them.
    std::vector<NodeIndex> segment_nodes;
    std::vector<ConnectionIndex> segment_connections;
    /// Sources inside the segment: a gate station that feeds the break directly has to be shut
    /// in at the station (its closing counts as a remote valve's time).
    std::vector<NodeIndex> sources_to_shut;
    std::vector<NodeIndex> customers_in_segment;
    /// Customers outside the segment that no source reaches once the valves are shut (gas
    /// crosses open pipes and valves both ways, regulators and compressors inlet to outlet).
    std::vector<NodeIndex> customers_cut_off;
    double demand_lost_m3s = 0.0;     ///< demand of the segment's and the cut-off customers
    std::int64_t households_lost = 0; ///< their customer_count
    double isolation_time_s = 0.0;    ///< when the last valve is shut (0 with none to close)
    std::string reason;               ///< one English line: what closes and who loses gas
};

/// Isolates broken connection `broken` (a pipe, short pipe, resistor, regulator or compressor;
/// a broken valve takes the valves on both of its sides). Throws Error(kOutOfRange) for an index
/// outside the network and options.validate()'s errors.
Isolation isolate_break(const Network& net, ConnectionIndex broken,
                        const IsolationOptions& options = {});

/// Nodes that some source reaches through open connections whose `closed[k]` is 0 (gas crosses
/// pipes, short pipes, resistors and open valves both ways, regulators and compressors only from
/// inlet to outlet). Sources with `source_out[i]` set feed nothing. Sizes: closed has one entry
/// per connection, source_out one per node (empty means none out). Returns 1 per reached node.
std::vector<std::uint8_t> nodes_reached_from_sources(const Network& net,
                                                     const std::vector<std::uint8_t>& closed,
                                                     const std::vector<std::uint8_t>& source_out);

/// True when gas crosses connection `k` only from its inlet (from_node) to its outlet.
[[nodiscard]] bool is_one_way(const Network& net, std::size_t k);

} // namespace rencheng::gas
