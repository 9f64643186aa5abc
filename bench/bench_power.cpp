// Benchmarks of the power lifeline on case9241pegase: reading the case, Newton-Raphson with and
// without reuse of the sparse LU's symbolic analysis, DC power flow.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "power/matpower.hpp"
#include "power/power_flow.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng;

/// The shared copy of MATPOWER's case9241pegase: ${RENCHENG_REFERENCE_DATA}/power/..., else
/// <repo>/../shared/data/power/...
fs::path case_path() {
    fs::path root;
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA"); env != nullptr && *env != 0)
        root = fs::path(env) / "power";
    else
        root = fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "power";
    return root / "matpower" / "data" / "case9241pegase.m";
}

const power::Network* large_case() {
    static std::optional<power::Network> net = [] {
        std::optional<power::Network> n;
        if (!fs::exists(case_path()))
            return n;
        Diagnostics d;
        n = power::read_matpower(case_path(), d);
        if (d.has_errors())
            n.reset();
        return n;
    }();
    return net ? &*net : nullptr;
}

void BM_ReadCase9241pegase(benchmark::State& state) {
    if (!fs::exists(case_path())) {
        state.SkipWithError("case9241pegase.m not found");
        return;
    }
    for (auto _ : state) {
        Diagnostics d;
        benchmark::DoNotOptimize(power::read_matpower(case_path(), d));
    }
}
BENCHMARK(BM_ReadCase9241pegase)->Unit(benchmark::kMillisecond);

/// Newton-Raphson from scratch each time: Ybus, Jacobian pattern, KLU ordering, 7 iterations.
void BM_NewtonCase9241pegaseCold(benchmark::State& state) {
    const power::Network* net = large_case();
    if (net == nullptr) {
        state.SkipWithError("case9241pegase.m not found");
        return;
    }
    for (auto _ : state) {
        const auto r = power::solve_power_flow(*net);
        if (!r.converged)
            state.SkipWithError("did not converge");
        benchmark::DoNotOptimize(r.vm_pu.data());
    }
}
BENCHMARK(BM_NewtonCase9241pegaseCold)->Unit(benchmark::kMillisecond);

/// Newton-Raphson with the solver kept: the symbolic analysis is reused, each iteration only
/// refactors (the Monte Carlo / time-series use).
void BM_NewtonCase9241pegaseSymbolicReuse(benchmark::State& state) {
    const power::Network* net = large_case();
    if (net == nullptr) {
        state.SkipWithError("case9241pegase.m not found");
        return;
    }
    power::PowerFlowSolver solver(*net);
    (void)solver.solve();
    int analyses = 0, iterations = 0;
    for (auto _ : state) {
        const auto r = solver.solve();
        analyses += r.symbolic_analyses;
        iterations = r.iterations;
        benchmark::DoNotOptimize(r.vm_pu.data());
    }
    state.counters["symbolic_analyses"] = analyses;
    state.counters["iterations"] = iterations;
}
BENCHMARK(BM_NewtonCase9241pegaseSymbolicReuse)->Unit(benchmark::kMillisecond);

void BM_DcCase9241pegase(benchmark::State& state) {
    const power::Network* net = large_case();
    if (net == nullptr) {
        state.SkipWithError("case9241pegase.m not found");
        return;
    }
    power::PowerFlowSolver solver(*net);
    power::PowerFlowOptions o;
    o.method = power::PowerFlowMethod::kDc;
    for (auto _ : state)
        benchmark::DoNotOptimize(solver.solve(o).va_rad.data());
}
BENCHMARK(BM_DcCase9241pegase)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
