// Benchmarks of core kernels: Philox throughput and CSR construction.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/csr.hpp"
#include "core/rng.hpp"

namespace {

void BM_Philox4x32_10(benchmark::State& state) {
    std::array<std::uint32_t, 4> ctr{0, 0, 0, 0};
    const std::array<std::uint32_t, 2> key{0x12345678u, 0x9abcdef0u};
    for (auto _ : state) {
        auto out = rencheng::philox4x32_10(ctr, key);
        benchmark::DoNotOptimize(out);
        ++ctr[0];
    }
    state.SetBytesProcessed(state.iterations() * 16);
}
BENCHMARK(BM_Philox4x32_10);

void BM_RngStreamUniform(benchmark::State& state) {
    rencheng::RngStream s(42, 0, 0);
    for (auto _ : state)
        benchmark::DoNotOptimize(s.uniform());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngStreamUniform);

void BM_RngStreamNormal(benchmark::State& state) {
    rencheng::RngStream s(42, 0, 1);
    for (auto _ : state)
        benchmark::DoNotOptimize(s.normal());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RngStreamNormal);

// A random graph of 1e6 arcs on 2.5e5 nodes (a road network's ratio of about 4 arcs a node).
void BM_BuildCsr(benchmark::State& state) {
    const auto arcs = static_cast<std::int32_t>(state.range(0));
    const std::int32_t nodes = arcs / 4;
    rencheng::RngStream rng(7, 0, 0);
    std::vector<std::int32_t> tails(static_cast<std::size_t>(arcs));
    std::vector<std::int32_t> heads(static_cast<std::size_t>(arcs));
    for (std::size_t k = 0; k < tails.size(); ++k) {
        tails[k] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(nodes)));
        heads[k] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(nodes)));
    }
    for (auto _ : state) {
        auto g = rencheng::build_csr(nodes, tails, heads);
        benchmark::DoNotOptimize(g.heads.data());
    }
    state.SetItemsProcessed(state.iterations() * arcs);
}
BENCHMARK(BM_BuildCsr)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_StronglyConnected(benchmark::State& state) {
    const std::int32_t arcs = 1000000, nodes = arcs / 4;
    rencheng::RngStream rng(8, 0, 0);
    std::vector<std::int32_t> tails(arcs), heads(arcs);
    for (std::size_t k = 0; k < tails.size(); ++k) {
        tails[k] = static_cast<std::int32_t>(rng.below(nodes));
        heads[k] = static_cast<std::int32_t>(rng.below(nodes));
    }
    const auto g = rencheng::build_csr(nodes, tails, heads);
    for (auto _ : state) {
        std::int32_t count = 0;
        auto comp = rencheng::strongly_connected_components(g, count);
        benchmark::DoNotOptimize(comp.data());
    }
}
BENCHMARK(BM_StronglyConnected)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
