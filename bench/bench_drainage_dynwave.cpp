// Benchmark of dynamic-wave routing on generated storm drains: one whole SWMM-style run (runoff
// and DYNWAVE routing of the 50-year 3-hour storm over 6 hours) of the drainage.inp of a
// generated city (seed 2026). The argument is the population: 100,000 (the demo city, 1,273
// conduits) and 700,000 (9,918 conduits, the 10,000-conduit network of issue 6). Also the
// friction term's R^1.33333 by FixedPower against std::pow over hydraulic radii a city's pipes
// take (1 mm to 2 m).
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "citygen/citygen.hpp"
#include "core/fixed_power.hpp"
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

std::vector<double> hydraulic_radii() {
    std::vector<double> r(4096);
    for (std::size_t i = 0; i < r.size(); ++i) // 1 mm to 2 m, geometrically spaced and shuffled
        r[(i * 1237) % r.size()] = 1e-3 * std::pow(2000.0, static_cast<double>(i) / r.size());
    return r;
}

void BM_friction_power_std(benchmark::State& state) {
    const auto r = hydraulic_radii();
    for (auto _ : state) {
        double sum = 0;
        for (const double x : r)
            sum += std::pow(x, 1.33333);
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(r.size()));
}
BENCHMARK(BM_friction_power_std);

void BM_friction_power_fixed(benchmark::State& state) {
    const auto r = hydraulic_radii();
    const rencheng::FixedPower power(1.33333);
    for (auto _ : state) {
        double sum = 0;
        for (const double x : r)
            sum += power(x);
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(r.size()));
}
BENCHMARK(BM_friction_power_fixed);

} // namespace

BENCHMARK_MAIN();
