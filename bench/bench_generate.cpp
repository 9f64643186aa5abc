// Benchmark of the synthetic city generator: generate_city and the bundle text at 100k and 1M.
#include <benchmark/benchmark.h>

#include <string>

#include "citygen/citygen.hpp"
#include "model/bundle_writer.hpp"
#include "transport/road_network.hpp"

namespace {

rencheng::citygen::GenerateOptions options_for(std::int64_t population) {
    rencheng::citygen::GenerateOptions o;
    o.population = population;
    o.seed = 2026;
    return o;
}

// Lays out the city in memory (terrain, roads, zones, facilities, dependencies).
void BM_generate_city(benchmark::State& state) {
    const auto options = options_for(state.range(0));
    for (auto _ : state) {
        rencheng::model::City city = rencheng::citygen::generate_city(options);
        benchmark::DoNotOptimize(city.zones.data());
    }
    state.SetLabel(std::to_string(state.range(0)) + " people");
}
BENCHMARK(BM_generate_city)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Formats every file of the bundle (what write_city_bundle does before touching the disk).
void BM_format_bundle(benchmark::State& state) {
    const rencheng::model::City city =
        rencheng::citygen::generate_city(options_for(state.range(0)));
    std::size_t bytes = 0;
    for (auto _ : state) {
        bytes = rencheng::transport::format_roads_geojson(*city.roads).size() +
                rencheng::model::format_terrain(*city.terrain).size() +
                rencheng::model::format_facilities_geojson(city.facilities).size() +
                rencheng::model::format_population_geojson(city.zones).size() +
                rencheng::model::format_dependencies_csv(city.dependencies).size();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_format_bundle)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
