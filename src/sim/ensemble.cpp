// Monte Carlo over realizations with results by index (docs/metrics.md "Monte Carlo").
#include "sim/ensemble.hpp"

#include <atomic>
#include <mutex>

#include "core/parallel.hpp"
#include "sim/metrics.hpp"

namespace rencheng::sim {

std::array<double, kServiceCount> population_hours_lost(const Simulation& sim,
                                                        const RealizationResult& r) {
    std::array<double, kServiceCount> out{};
    for (int s = 0; s < kServiceCount; ++s) {
        const double pop = sim.service_population(static_cast<model::Service>(s));
        if (pop > 0)
            out[s] = curve_metrics(r.served_population[s], pop, sim.scenario().step_s)
                         .population_hours_lost;
    }
    return out;
}

EnsembleResult run_ensemble(const Simulation& sim, const EnsembleOptions& options) {
    const Scenario& sc = sim.scenario();
    const std::int32_t first = options.first;
    const std::int32_t count =
        options.count >= 0 ? options.count : std::max(0, sc.realizations - first);
    EnsembleResult out;
    out.realizations.resize(static_cast<std::size_t>(count));
    out.policies.resize(static_cast<std::size_t>(count));
    ThreadLimit limit(options.threads);
    std::atomic<std::uint64_t> done{0};
    std::mutex progress_mutex;
    std::uint64_t reported = 0;
    if (options.progress != nullptr)
        options.progress->start("realizations / 次模拟", static_cast<std::uint64_t>(count));
    parallel_for(static_cast<std::size_t>(count), [&](std::size_t i) {
        const auto r = first + static_cast<std::int32_t>(i);
        const bool keep_events = r < sc.outputs.events_realizations;
        out.realizations[i] = sim.run(r, sc.recovery.policy, keep_events);
        for (const auto p : sc.recovery.compare) {
            const RealizationResult alt = sim.run(r, p, false);
            out.policies[i].push_back({p, population_hours_lost(sim, alt)});
        }
        const auto n = ++done;
        if (options.progress != nullptr) {
            std::lock_guard<std::mutex> lock(progress_mutex);
            reported = std::max<std::uint64_t>(reported, n);
            options.progress->advance(reported);
        }
    });
    if (options.progress != nullptr)
        options.progress->finish();
    return out;
}

} // namespace rencheng::sim
