// Monte Carlo over realizations: threads over TBB, results kept by realization index so the
// aggregate is the same for any thread count or split (docs/metrics.md "Monte Carlo").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/progress.hpp"
#include "sim/simulation.hpp"

namespace rencheng::sim {

/// Population-hours lost per service under one extra dispatch policy, one realization.
struct PolicyOutcome {
    DispatchPolicy policy = DispatchPolicy::kCriticalFirst;
    std::array<double, kServiceCount> population_hours_lost{};
};

struct EnsembleOptions {
    std::int32_t first = 0;  ///< first realization index (a rank's share under MPI)
    std::int32_t count = -1; ///< how many; -1: the scenario's realizations − first
    std::size_t threads = 0; ///< 0: the machine's default
    ProgressSink* progress = nullptr;
};

/// Per-realization results in index order; mergeable: concatenating the results of disjoint
/// index ranges in index order gives what one run over all of them gives.
struct EnsembleResult {
    std::vector<RealizationResult> realizations;      ///< the scenario's policy, index order
    std::vector<std::vector<PolicyOutcome>> policies; ///< per realization: compared policies
};

/// Runs realizations [first, first + count) of the simulation. Realization r keeps its events
/// when r < scenario.outputs.events_realizations. Never throws for a realization's damage (a
/// failed solve is recorded in the result); throws only for exceptions of the solvers' inputs.
EnsembleResult run_ensemble(const Simulation& sim, const EnsembleOptions& options);

/// Population-hours lost per service of one realization (zones depending on each service).
std::array<double, kServiceCount> population_hours_lost(const Simulation& sim,
                                                        const RealizationResult& r);

} // namespace rencheng::sim
