// Valve segments of a water network (WNTR's valve layer): the parts a break isolates and who
// loses water when they are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "water/network.hpp"

namespace rencheng::water {

/// An isolation valve on `link` next to its end node `node` (WNTR valve layer: a row
/// (link, node)). Closing it separates the link from the node.
struct IsolationValve {
    LinkIndex link;
    NodeIndex node;
};

/// Segments: the connected components of the network once every valve cuts its link from its
/// node. A link belongs to one segment (pumps and control valves too, as plain links); a node
/// belongs to one segment. Valves sitting between two segments are what isolate them.
struct Segments {
    std::int32_t count = 0;
    std::vector<std::int32_t> node_segment; ///< per node
    std::vector<std::int32_t> link_segment; ///< per link
    /// Valves (indices into the valve layer) on the border of segment s:
    /// border_valves[border_begin[s] .. border_begin[s+1]).
    std::vector<std::int32_t> border_begin;
    std::vector<std::int32_t> border_valves;
};

/// Computes the segments of `net` for the valve layer `valves` (WNTR's valve_segments idea,
/// built here as a union-find over "node" and "link-end" vertices). Throws Error(kOutOfRange)
/// when a valve's node is not an end of its link.
Segments compute_segments(const Network& net, const std::vector<IsolationValve>& valves);

/// What isolating a broken pipe does.
struct Isolation {
    std::int32_t segment = -1;
    std::vector<std::int32_t> valves_to_close; ///< indices into the valve layer
    std::vector<NodeIndex> segment_nodes;      ///< nodes of the isolated segment
    std::vector<LinkIndex> segment_links;      ///< links taken out with it
    /// The links to close in a simulation to the same effect: the segment's links and the links
    /// the closed valves sit on (a closed valve shuts its link), sorted, each once.
    std::vector<LinkIndex> links_to_close;
    /// Nodes without water: the segment's nodes, then the nodes that no longer reach a tank or a
    /// reservoir through open links once the segment is out (links closed in the input count as
    /// closed; pumps and valves as open).
    std::vector<NodeIndex> nodes_without_water;
    std::vector<NodeIndex> cut_off_nodes; ///< of those, the ones outside the segment
    std::string reason;                   ///< one line on why they lose water
};

/// The isolation of broken link `link`: the valves around its segment to close, the segment's
/// nodes and links and who loses water. A segment with no border valve is the whole connected
/// part of the network (no valve can isolate the break).
Isolation isolate_link(const Network& net, const std::vector<IsolationValve>& valves,
                       const Segments& segments, LinkIndex link);

/// WNTR's "strategic N-k" layer with k = N-1: every pipe end gets a valve except one (the pipe
/// with the largest index) at each node. Only pipes get valves.
std::vector<IsolationValve> valve_layer_n_minus_1(const Network& net);

/// A random valve layer: each pipe end gets a valve with probability `fraction`, drawn from `rng`
/// (WNTR's "random" valve layer placement).
std::vector<IsolationValve> valve_layer_random(const Network& net, double fraction, RngStream& rng);

} // namespace rencheng::water
