// Benchmarks of the power lifeline on case9241pegase: reading the case, Newton-Raphson with and
// without reuse of the sparse LU's symbolic analysis, DC power flow, N-1 contingency throughput.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "power/contingency.hpp"
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

/// Newton-Raphson from scratch each time: Ybus, AMD ordering, Jacobian pattern, block LU
/// analysis, 6 iterations.
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

/// Newton-Raphson with the solver kept: Y_bus, the Jacobian pattern and the block LU's analysis
/// are reused, each iteration only factors (the Monte Carlo / time-series use).
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
    // Solves that needed the pivoting LU (KLU) instead of the block LU (docs/power.md §3).
    state.counters["pivoting_fallbacks"] = solver.pivoting_fallbacks();
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

/// N-1 throughput: a fixed, evenly spread subset of case9241pegase's N-1 list (every 40th of the
/// 17 000 branch and generator outages) analysed with `threads` worker threads (the first
/// argument) and DC screening on (second argument 1) or off (0). Counters: contingencies per
/// second (wall clock) and per CPU second.
void BM_NMinus1Case9241pegase(benchmark::State& state) {
    const power::Network* net = large_case();
    if (net == nullptr) {
        state.SkipWithError("case9241pegase.m not found");
        return;
    }
    const auto all = power::n_minus_1_contingencies(*net);
    std::vector<power::Contingency> cs;
    for (std::size_t i = 0; i < all.size(); i += 40)
        cs.push_back(all[i]);
    power::ContingencyOptions o;
    o.dc_screening = state.range(1) != 0;
    const ThreadLimit limit(static_cast<std::size_t>(state.range(0)));
    std::int64_t done = 0;
    int screened = 0;
    // Process CPU time (all threads): contingencies per CPU second is the per-core throughput,
    // which a shared machine does not distort as much as wall-clock time.
    const std::clock_t cpu0 = std::clock();
    for (auto _ : state) {
        const auto rep = power::analyse_contingencies(*net, cs, o);
        done += static_cast<std::int64_t>(cs.size());
        screened = rep.screened;
        benchmark::DoNotOptimize(rep.outcomes.data());
    }
    state.counters["contingencies_per_s"] =
        benchmark::Counter(static_cast<double>(done), benchmark::Counter::kIsRate);
    const double cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    state.counters["contingencies_per_cpu_s"] = cpu_s > 0 ? static_cast<double>(done) / cpu_s : 0;
    state.counters["screened"] = screened;
    state.counters["contingencies"] = static_cast<double>(cs.size());
}
BENCHMARK(BM_NMinus1Case9241pegase)
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

/// One case's power flow as MATPOWER's runpf does it from a loaded case (for
/// bench/power-vs-matpower): admittance matrix, Jacobian pattern and ordering, Newton-Raphson,
/// generator and branch results. `reuse`: the solver is kept, only the numeric work repeats.
void BM_Runpf(benchmark::State& state, const power::Network* net, bool reuse) {
    std::optional<power::PowerFlowSolver> kept;
    if (reuse)
        kept.emplace(*net);
    int iterations = 0;
    for (auto _ : state) {
        const auto r = reuse ? kept->solve() : power::solve_power_flow(*net);
        if (!r.converged)
            state.SkipWithError("did not converge");
        iterations = r.iterations;
        benchmark::DoNotOptimize(r.vm_pu.data());
    }
    state.counters["iterations"] = iterations;
}

/// Registers BM_Runpf/<case>/{cold,reuse} for each case file in RENCHENG_POWER_CASES
/// (colon-separated paths); none without it.
void register_case_benchmarks() {
    static std::vector<std::unique_ptr<power::Network>> nets;
    const char* env = std::getenv("RENCHENG_POWER_CASES");
    if (env == nullptr)
        return;
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
        const std::size_t end = std::min(list.find(':', start), list.size());
        const std::string path = list.substr(start, end - start);
        start = end + 1;
        if (path.empty())
            continue;
        Diagnostics d;
        try {
            auto net = std::make_unique<power::Network>(power::read_matpower(path, d));
            if (d.has_errors())
                continue;
            const std::string name = fs::path(path).stem().string();
            benchmark::RegisterBenchmark(("BM_Runpf/" + name + "/cold").c_str(), BM_Runpf,
                                         net.get(), false)
                ->Unit(benchmark::kMillisecond);
            benchmark::RegisterBenchmark(("BM_Runpf/" + name + "/reuse").c_str(), BM_Runpf,
                                         net.get(), true)
                ->Unit(benchmark::kMillisecond);
            nets.push_back(std::move(net));
        } catch (const std::exception&) {
            // not a readable case: skipped
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    register_case_benchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
