// Benchmark of dynamic-wave routing on generated storm drains: one whole SWMM-style run (runoff
// and DYNWAVE routing of the 50-year 3-hour storm over 6 hours) of the drainage.inp of a
// generated city (seed 2026). The argument is the population: 100,000 (the demo city, 1,273
// conduits) and 700,000 (9,918 conduits, the 10,000-conduit network of issue 6).
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "citygen/citygen.hpp"
#include "drainage/simulation.hpp"

namespace {

const rencheng::drainage::Network& network_for(std::int64_t population) {
    static std::map<std::int64_t, rencheng::drainage::Network> cache;
    auto it = cache.find(population);
    if (it == cache.end()) {
        rencheng::citygen::GenerateOptions o;
        o.population = population;
        o.seed = 2026;
        it = cache.emplace(population, *rencheng::citygen::generate_city(o).drainage).first;
    }
    return it->second;
}

void BM_drainage_dynwave(benchmark::State& state) {
    const rencheng::drainage::Network& net = network_for(state.range(0));
    double routing_error = 0.0;
    std::int64_t steps = 0;
    double trials = 0;
    for (auto _ : state) {
        const rencheng::drainage::SimulationResult r = rencheng::drainage::simulate(net);
        routing_error = r.summary.flow_routing_continuity_error_pct;
        steps = r.summary.routing_steps;
        trials = r.summary.mean_trials;
        benchmark::DoNotOptimize(r.summary.max_depth_m.data());
    }
    state.counters["conduits"] = net.conduits.count();
    state.counters["routing_steps"] = static_cast<double>(steps);
    state.counters["routing_error_pct"] = routing_error;
    state.counters["mean_trials"] = trials;
    state.SetLabel(std::to_string(state.range(0)) + " people");
}
BENCHMARK(BM_drainage_dynwave)->Arg(100000)->Arg(700000)->Iterations(1)->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
