// A fresh hydraulic state with every junction's base demands, for tests that call
// solve_hydraulics() directly.
#pragma once

#include "water/hydraulics.hpp"

namespace rencheng::water::test_support {

/// initialize_state() plus the base demands of every demand category at each junction.
inline HydraulicState initial_state(const Network& net, const HydraulicTopology& topo) {
    HydraulicState s(net, topo);
    initialize_state(net, topo, s);
    for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i)
        if (topo.row[i] >= 0)
            for (auto d = net.demand_begin[i]; d < net.demand_begin[i + 1]; ++d)
                s.node_demand[i] += net.demands[static_cast<std::size_t>(d)].base_m3s;
    return s;
}

} // namespace rencheng::water::test_support
