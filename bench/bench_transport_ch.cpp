// Benchmarks of one-to-one shortest-path queries: Dijkstra stopped at the target versus the
// contraction hierarchy (and its preprocessing), on a generated grid and on Chicago-Sketch.
// The speed-up is the ratio of the two query times (docs/transport.md §12).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "transport/contraction_hierarchy.hpp"
#include "transport/shortest_path.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng::transport;

/// 200 x 200 two-way grid, independent random costs per direction (40,000 nodes).
const AssignmentNetwork& grid() {
    static const AssignmentNetwork net = [] {
        constexpr int kSide = 200;
        AssignmentNetwork g;
        g.node_count = kSide * kSide;
        rencheng::RngStream rng(2024, 0, 0);
        for (int y = 0; y < kSide; ++y)
            for (int x = 0; x < kSide; ++x) {
                const int v = y * kSide + x;
                if (x + 1 < kSide) {
                    g.add_link(v, v + 1, 100.0, 1.0, rng.uniform(0.5, 4.5), 0.15, 4.0);
                    g.add_link(v + 1, v, 100.0, 1.0, rng.uniform(0.5, 4.5), 0.15, 4.0);
                }
                if (y + 1 < kSide) {
                    g.add_link(v, v + kSide, 100.0, 1.0, rng.uniform(0.5, 4.5), 0.15, 4.0);
                    g.add_link(v + kSide, v, 100.0, 1.0, rng.uniform(0.5, 4.5), 0.15, 4.0);
                }
            }
        g.build_graph();
        return g;
    }();
    return net;
}

const AssignmentNetwork* chicago() {
    static const std::unique_ptr<AssignmentNetwork> net =
        []() -> std::unique_ptr<AssignmentNetwork> {
        const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
        const fs::path root =
            env != nullptr ? fs::path(env) / "transport"
                           : fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "transport";
        rencheng::Diagnostics diags;
        auto n = std::make_unique<AssignmentNetwork>(read_tntp_net(
            root / "TransportationNetworks" / "Chicago-Sketch" / "ChicagoSketch_net.tntp", diags));
        if (diags.has_errors())
            return nullptr;
        return n;
    }();
    return net.get();
}

const AssignmentNetwork* network(int which) {
    return which == 0 ? &grid() : chicago();
}

std::vector<std::pair<std::int32_t, std::int32_t>> queries(const AssignmentNetwork& net) {
    rencheng::RngStream rng(99, 0, 0);
    std::vector<std::pair<std::int32_t, std::int32_t>> q(1000);
    for (auto& p : q)
        p = {static_cast<std::int32_t>(rng.uniform() * net.node_count),
             static_cast<std::int32_t>(rng.uniform() * net.node_count)};
    return q;
}

void BM_DijkstraOneToOne(benchmark::State& state) {
    const AssignmentNetwork* net = network(static_cast<int>(state.range(0)));
    if (net == nullptr) {
        state.SkipWithError("Chicago-Sketch not found in the shared data folder");
        return;
    }
    const auto q = queries(*net);
    ShortestPathTree tree;
    ShortestPathWorkspace ws;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto [s, t] = q[i++ % q.size()];
        benchmark::DoNotOptimize(shortest_path_cost(*net, s, t, net->free_flow_time, {}, tree, ws));
    }
}
BENCHMARK(BM_DijkstraOneToOne)->Arg(0)->Arg(1)->ArgName("grid0_chicago1");

void BM_ContractionHierarchyQuery(benchmark::State& state) {
    const AssignmentNetwork* net = network(static_cast<int>(state.range(0)));
    if (net == nullptr) {
        state.SkipWithError("Chicago-Sketch not found in the shared data folder");
        return;
    }
    const auto q = queries(*net);
    ContractionHierarchy ch(*net, net->free_flow_time);
    std::size_t i = 0;
    for (auto _ : state) {
        const auto [s, t] = q[i++ % q.size()];
        benchmark::DoNotOptimize(ch.distance(s, t));
    }
    state.counters["shortcuts"] = static_cast<double>(ch.shortcut_count());
}
BENCHMARK(BM_ContractionHierarchyQuery)->Arg(0)->Arg(1)->ArgName("grid0_chicago1");

void BM_ContractionHierarchyBuild(benchmark::State& state) {
    const AssignmentNetwork* net = network(static_cast<int>(state.range(0)));
    if (net == nullptr) {
        state.SkipWithError("Chicago-Sketch not found in the shared data folder");
        return;
    }
    for (auto _ : state) {
        ContractionHierarchy ch(*net, net->free_flow_time);
        benchmark::DoNotOptimize(ch.shortcut_count());
    }
}
BENCHMARK(BM_ContractionHierarchyBuild)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("grid0_chicago1")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

} // namespace

BENCHMARK_MAIN();
