// Fault isolation and service restoration by the distribution operator inside the co-simulation:
// healthy 10 kV sections cut off by damage are picked up through normally-open tie switches
// before any crew arrives (docs/scenario.md "Power", docs/power.md §9).
#pragma once

#include <cstdint>
#include <vector>

#include "model/city.hpp"
#include "power/distribution.hpp"
#include "power/islands.hpp"

namespace rencheng::sim {

/// The city's power_switches.csv as the restoration wants them (branch rows are 1-based there).
/// Switches naming no branch of the case are left out (load_city reported them).
std::vector<power::DistributionSwitch> distribution_switches(const model::City& city);

/// What switching achieves for one set of outages.
struct SwitchingOutcome {
    power::IslandingResult state;   ///< islands, flows and served load after switching
    std::int32_t ties_closed = 0;   ///< ties closed to restore de-energised sections
    double restored_mw = 0;         ///< load brought back through them
    std::vector<std::int32_t> ties; ///< their switch indices, in the order they were closed
};

/// The network's state for `outages` after the operator's switching: a damaged bus is taken out
/// (its branches opened, each fault isolated by the nearest switches), faulted feeder sections
/// are isolated, and de-energised healthy sections are restored through ties where the
/// receiving feeder's ratings allow (power::restore_distribution). With no switches this is
/// power::solve_islands on the outages. Never throws for any set of outages.
SwitchingOutcome solve_with_switching(const power::Network& net,
                                      const std::vector<power::DistributionSwitch>& switches,
                                      const power::OutageSet& outages,
                                      const power::IslandOptions& options);

} // namespace rencheng::sim
