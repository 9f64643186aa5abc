// Benchmarks of the steady-state gas solver: a generated medium-pressure city mesh of about
// 100,000 pipes (time per solve and Newton iterations) and GasLib-24.
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

#include "gas/gaslib_reader.hpp"
#include "gas/steady_state.hpp"

namespace {

using namespace rencheng::gas;

/// An n × n jittered street mesh of medium-pressure pipes (2n(n−1) pipes; n = 224 gives
/// 99,904): 100–300 mm distribution pipes, 400 mm mains every 16th line, gate stations at the
/// four corners holding 0.4 MPa absolute, every node a customer of 2–10 m³/h (normal).
Network generated_mesh(int n) {
    std::mt19937 rng(20261129);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Network net;
    net.flow_equation = FlowEquation::kGeneral;
    const auto id = [n](int i, int j) { return i * n + j; };
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const bool corner = (i == 0 || i == n - 1) && (j == 0 || j == n - 1);
            const auto k = net.add_node("N" + std::to_string(id(i, j)),
                                        corner ? NodeKind::kSource : NodeKind::kCustomer);
            if (corner)
                net.set_pressure_pa[k.idx()] = 4e5;
            else
                net.demand_m3s[k.idx()] = (2.0 + 8.0 * unit(rng)) / 3600.0;
        }
    int pipes = 0;
    const auto add = [&](int a, int b, int line) {
        const auto k = net.add_connection("P" + std::to_string(pipes++), ConnectionKind::kPipe,
                                          NodeIndex{a}, NodeIndex{b});
        net.length_m[k.idx()] = 80.0 + 60.0 * unit(rng);
        net.diameter_m[k.idx()] =
            line % 16 == 0 ? 0.4 : (unit(rng) < 0.5 ? 0.1 : (unit(rng) < 0.5 ? 0.2 : 0.3));
        net.roughness_m[k.idx()] = 1e-4;
        net.pressure_class[k.idx()] = PressureClass::kMedium;
    };
    for (int i = 0; i < n; ++i)
        for (int j = 0; j + 1 < n; ++j) {
            add(id(i, j), id(i, j + 1), i);
            add(id(j, i), id(j + 1, i), i);
        }
    return net;
}

void BM_GasSteadyMesh100k(benchmark::State& state) {
    const Network net = generated_mesh(static_cast<int>(state.range(0)));
    int iterations = 0;
    bool solved = false;
    for (auto _ : state) {
        const SteadyStateResult r = solve_steady_state(net);
        iterations = r.iterations;
        solved = r.all_solved();
        benchmark::DoNotOptimize(r.pressure_pa.data());
    }
    state.counters["pipes"] = net.connection_count();
    state.counters["newton_iterations"] = iterations;
    state.counters["solved"] = solved ? 1 : 0;
}
BENCHMARK(BM_GasSteadyMesh100k)->Arg(224)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_GasLib24(benchmark::State& state) {
    const std::filesystem::path dir =
        std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "gas";
    Network net = read_gaslib_net(dir / "GasLib-24.net");
    read_gaslib_scenario(net, dir / "GasLib-24.scn");
    for (auto _ : state) {
        const SteadyStateResult r = solve_steady_state(net);
        benchmark::DoNotOptimize(r.pressure_pa.data());
    }
}
BENCHMARK(BM_GasLib24)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
