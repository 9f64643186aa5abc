// Benchmarks of the stress test: one 72-hour realization of the M6.5 earthquake and of the 50-year
// 3-hour rainstorm (routed through the city's storm drains) on the demo city and on a generated
// 1,000,000-person city, and the ensemble's throughput (core-seconds per
// realization, goal ≤ 0.5 on the demo city) with 1 and 2 threads (speed-up goal ≥ 1.8×).
// bench/stress-test-throughput measures the same end to end through the CLI.
#include <benchmark/benchmark.h>

#include <ctime>
#include <filesystem>
#include <string>

#include "citygen/citygen.hpp"
#include "core/error.hpp"
#include "model/city.hpp"
#include "sim/ensemble.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng;

const fs::path kDemo = fs::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city";

/// The demo's earthquake scenario (examples/demo-city/scenarios/earthquake-m65.toml) without the
/// compared policy, so that one realization is one run.
sim::Scenario earthquake(std::int32_t realizations) {
    Diagnostics d;
    sim::Scenario s = sim::parse_scenario(R"([scenario]
city = ".."
horizon_h = 72
step_min = 60
seed = 2026
realizations = )" + std::to_string(realizations) +
                                              R"(
[[hazard]]
type = "earthquake"
magnitude = 6.5
epicentre = [114.389, 30.676]
depth_km = 10
mechanism = "strike_slip"
vs30_m_s = 400
[recovery]
mobile_generators = 2
water_trucks = 4
[[recovery.crews]]
depot = "facility:depot_1"
skill = "water"
count = 2
[[recovery.crews]]
depot = "facility:depot_2"
skill = "water"
count = 2
[[recovery.crews]]
depot = "facility:depot_1"
skill = "roads"
[[recovery.crews]]
depot = "facility:depot_2"
skill = "power"
)",
                                          kDemo / "scenarios" / "bench.toml", d);
    if (d.has_errors())
        throw Error(ErrorCode::kInternal, d.format());
    return s;
}

/// The demo's rainstorm scenario (examples/demo-city/scenarios/rainstorm-50y.toml) over 72 hours
/// without the compared policy. The storm is the same in every realization; what varies is the
/// repair times. Realizations read the shared storm routing until a drainage pump's power changes.
sim::Scenario rainstorm(std::int32_t realizations) {
    Diagnostics d;
    sim::Scenario s = sim::parse_scenario(R"([scenario]
city = ".."
horizon_h = 72
step_min = 15
seed = 2026
realizations = )" + std::to_string(realizations) +
                                              R"(
[[hazard]]
type = "rainstorm"
city = "shanghai"
return_period_years = 50
duration_h = 3
hyetograph = "chicago"
peak_ratio = 0.405
step_min = 5
time_h = 1
[recovery]
mobile_generators = 2
[[recovery.crews]]
depot = "facility:depot_1"
skill = "power"
count = 2
[[recovery.crews]]
depot = "facility:depot_2"
skill = "power"
[[recovery.crews]]
depot = "facility:depot_2"
skill = "water"
count = 2
)",
                                          kDemo / "scenarios" / "bench.toml", d);
    if (d.has_errors())
        throw Error(ErrorCode::kInternal, d.format());
    return s;
}

const model::City& demo_city() {
    static const model::City city = [] {
        Diagnostics d;
        model::City c = model::load_city(kDemo, d);
        if (d.has_errors())
            throw Error(ErrorCode::kInternal, d.format());
        return c;
    }();
    return city;
}

const model::City& million_city() {
    static const model::City city = [] {
        citygen::GenerateOptions o;
        o.population = 1000000;
        o.seed = 2026;
        return citygen::generate_city(o);
    }();
    return city;
}

void run_realizations(benchmark::State& state, const model::City& city,
                      const sim::Scenario& scenario) {
    // The set-up (for a rainstorm: the storm routed through the drains without outages, shared
    // by every realization) is not in the timed loop; its CPU time is the counter prepare_cpu_s.
    const std::clock_t c0 = std::clock();
    const sim::Simulation sim(city, scenario);
    state.counters["prepare_cpu_s"] =
        static_cast<double>(std::clock() - c0) / static_cast<double>(CLOCKS_PER_SEC);
    std::int32_t r = 0;
    for (auto _ : state) {
        sim::RealizationResult res =
            sim.run(r++ % 1000, sim::DispatchPolicy::kCriticalFirst, false);
        benchmark::DoNotOptimize(res.served_population[0].data());
    }
    state.counters["assets"] = static_cast<double>(sim.asset_count());
}

// One 72-hour realization of the earthquake, hourly steps (water EPS segment, DC power flow and
// road tree per step, crews and mobile resources).
void BM_earthquake_realization_demo(benchmark::State& state) {
    run_realizations(state, demo_city(), earthquake(1000));
}
BENCHMARK(BM_earthquake_realization_demo)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_earthquake_realization_million(benchmark::State& state) {
    run_realizations(state, million_city(), earthquake(1000));
}
BENCHMARK(BM_earthquake_realization_million)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

// One 72-hour realization of the 50-year rainstorm (15-minute steps): dynamic-wave routing of the
// storm through the storm drains (the set-up, shared; a realization whose pumps lose or regain
// power routes the storm once more on its own), flood depths on roads and at facilities, then the
// co-simulation.
void BM_rainstorm_realization_demo(benchmark::State& state) {
    run_realizations(state, demo_city(), rainstorm(1000));
}
BENCHMARK(BM_rainstorm_realization_demo)->Unit(benchmark::kMillisecond)->UseRealTime();

// The first realization's pumps lose power: it routes the storm once more, in step with it (about
// as long as the set-up), so one iteration.
void BM_rainstorm_realization_million(benchmark::State& state) {
    run_realizations(state, million_city(), rainstorm(1000));
}
BENCHMARK(BM_rainstorm_realization_million)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// The Monte Carlo ensemble of 16 realizations on 1 and 2 threads; the counter core_s_per_real is
// wall time × threads / realizations (what the machine spends per realization).
void BM_ensemble_demo(benchmark::State& state) {
    const std::int32_t n = 16;
    const sim::Simulation sim(demo_city(), earthquake(n));
    sim::EnsembleOptions o;
    o.threads = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        sim::EnsembleResult e = sim::run_ensemble(sim, o);
        benchmark::DoNotOptimize(e.realizations.data());
    }
    state.counters["core_s_per_real"] = benchmark::Counter(
        static_cast<double>(n) / static_cast<double>(state.range(0)),
        benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ensemble_demo)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
