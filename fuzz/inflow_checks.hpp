// What the fuzz targets of inflow files check of what comes back: at a few times, every inflow
// lands on a node of the test network and is finite, and so is the sum.
#pragma once

#include <cmath>

namespace rencheng::fuzz {

/// `inflows.add_inflows(t, add)` at 0 s, 10 min, 1 h, 1 day and far beyond: traps on a node
/// outside 0..max_node or a flow or sum that is not finite.
template <class Inflows> void check_inflows(const Inflows& inflows, int max_node) {
    for (const double t : {0.0, 600.0, 3600.0, 86400.0, 1e9}) {
        const double sum = inflows.add_inflows(t, [max_node](int node, double q) {
            if (node < 0 || node > max_node || !std::isfinite(q))
                __builtin_trap();
        });
        if (!std::isfinite(sum))
            __builtin_trap();
    }
}

} // namespace rencheng::fuzz
