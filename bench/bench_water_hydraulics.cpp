// Benchmarks of the water hydraulic solver: Newton iterations, steady solves and 24-h EPS on a
// generated ~100k-node network, the sparse Cholesky alone on that network's matrix (with CHOLMOD
// and its AMD, METIS and nested-dissection orderings as yardsticks), and EPS on the largest shared
// networks when the data is present.
#include <benchmark/benchmark.h>
#include <cholmod.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"
#include "water/sparse_cholesky.hpp"

#include "generated_grid.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::Diagnostics;
using namespace rencheng::water;
using rencheng::bench::generated_grid_inp;
using rencheng::bench::kGridSide;

const Network& grid_network() {
    static const Network net = [] {
        Diagnostics diags;
        Network n = parse_inp(generated_grid_inp(kGridSide), "grid.inp", diags);
        if (diags.has_errors()) {
            std::fprintf(stderr, "generated grid does not parse\n");
            std::abort();
        }
        return n;
    }();
    return net;
}

const HydraulicTopology& grid_topology() {
    static const HydraulicTopology topo(grid_network());
    return topo;
}

/// Full junction demands at pattern period 0 (what simulate_eps sets before its first solve).
void set_demands(const Network& net, HydraulicState& s) {
    for (std::int32_t i = 0; i < net.node_count(); ++i) {
        if (net.node_kind[static_cast<std::size_t>(i)] != NodeKind::kJunction)
            continue;
        double sum = 0;
        for (auto d = net.demand_begin[static_cast<std::size_t>(i)];
             d < net.demand_begin[static_cast<std::size_t>(i) + 1]; ++d) {
            const Demand& dem = net.demands[static_cast<std::size_t>(d)];
            const PatternIndex p = net.effective_pattern(dem);
            const double m = p.valid() ? net.patterns[p.idx()].multipliers.front() : 1.0;
            sum += dem.base_m3s * m;
        }
        s.node_demand[static_cast<std::size_t>(i)] = sum * net.options.demand_multiplier;
    }
}

void BM_GridParse(benchmark::State& state) {
    const std::string text = generated_grid_inp(kGridSide);
    std::int64_t links = 0;
    for (auto _ : state) {
        Diagnostics diags;
        const Network net = parse_inp(text, "grid.inp", diags);
        links = net.link_count();
        benchmark::DoNotOptimize(links);
    }
    state.counters["links"] = static_cast<double>(links);
}
BENCHMARK(BM_GridParse)->Unit(benchmark::kMillisecond);

/// The symbolic phase alone: minimum-degree ordering, elimination tree, pattern of L, and the
/// fill and flops of that ordering (compare the CHOLMOD yardsticks below).
void BM_GridSymbolic(benchmark::State& state) {
    const Network& net = grid_network();
    const HydraulicTopology& topo = grid_topology();
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        const std::int32_t a = topo.row[net.from_node[static_cast<std::size_t>(k)].idx()];
        const std::int32_t b = topo.row[net.to_node[static_cast<std::size_t>(k)].idx()];
        if (a >= 0 && b >= 0 && a != b)
            edges.emplace_back(a, b);
    }
    std::int64_t nnz = 0;
    double flops = 0;
    for (auto _ : state) {
        const SymbolicCholesky s(topo.junctions, edges);
        nnz = s.factor_nonzeros();
        flops = s.factor_flops();
        benchmark::DoNotOptimize(nnz);
    }
    state.counters["junctions"] = topo.junctions;
    state.counters["L_nonzeros"] = static_cast<double>(nnz);
    state.counters["flops"] = flops;
}
BENCHMARK(BM_GridSymbolic)->Unit(benchmark::kMillisecond);

/// A matrix of the gradient method's form on the grid's pattern: conductances p_k on every
/// link, −p_k off the diagonal between junctions, Σ p_k on the diagonal (links to reservoirs and
/// the tank included), values drawn once. Given in the numbering of HydraulicTopology::row.
struct GridMatrix {
    std::int32_t n = 0;
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    std::vector<double> conductance, diagonal;
};

const GridMatrix& grid_matrix() {
    static const GridMatrix m = [] {
        const Network& net = grid_network();
        const HydraulicTopology& topo = grid_topology();
        GridMatrix g;
        g.n = topo.junctions;
        g.diagonal.assign(static_cast<std::size_t>(g.n), 0.0);
        std::mt19937 rng(20261129);
        std::uniform_real_distribution<double> conductance(1e-3, 1.0);
        for (std::int32_t k = 0; k < net.link_count(); ++k) {
            const std::int32_t a = topo.row[net.from_node[static_cast<std::size_t>(k)].idx()];
            const std::int32_t b = topo.row[net.to_node[static_cast<std::size_t>(k)].idx()];
            const double p = conductance(rng);
            if (a >= 0)
                g.diagonal[static_cast<std::size_t>(a)] += p;
            if (b >= 0)
                g.diagonal[static_cast<std::size_t>(b)] += p;
            if (a >= 0 && b >= 0 && a != b) {
                g.edges.emplace_back(a, b);
                g.conductance.push_back(p);
            }
        }
        return g;
    }();
    return m;
}

void load_grid_matrix(const SymbolicCholesky& sym, NumericCholesky& num) {
    const GridMatrix& g = grid_matrix();
    auto& ax = num.values();
    std::fill(ax.begin(), ax.end(), 0.0);
    for (std::int32_t i = 0; i < g.n; ++i)
        ax[static_cast<std::size_t>(sym.diagonal_position(i))] =
            g.diagonal[static_cast<std::size_t>(i)];
    for (std::size_t e = 0; e < g.edges.size(); ++e)
        ax[static_cast<std::size_t>(sym.position(g.edges[e].first, g.edges[e].second))] -=
            g.conductance[e];
}

void set_factor_counters(benchmark::State& state, double nonzeros, double flops) {
    state.counters["L_nonzeros"] = nonzeros;
    state.counters["flops"] = flops; // Σ c_j² over the column counts of L
}

/// The numeric factorisation alone (what every Newton iteration pays), on the grid's matrix;
/// argument 0 as the solver does it (its chains peeled first), 1 the pattern whole.
void BM_GridCholeskyFactor(benchmark::State& state) {
    const GridMatrix& g = grid_matrix();
    const SymbolicCholesky sym(g.n, g.edges, SymbolicCholesky::Kernel::kAuto, true,
                               state.range(0) == 0 ? SymbolicCholesky::Peel::kAuto
                                                   : SymbolicCholesky::Peel::kNever);
    NumericCholesky num(sym);
    load_grid_matrix(sym, num);
    for (auto _ : state) {
        const std::int32_t bad = num.factor(sym);
        benchmark::DoNotOptimize(bad);
    }
    set_factor_counters(state, static_cast<double>(sym.factor_nonzeros()), sym.factor_flops());
    state.counters["stored_values"] = static_cast<double>(sym.stored_values());
    state.counters["supernodes"] = sym.supernode_count();
    state.counters["update_rows"] = static_cast<double>(sym.update_row_count());
    state.counters["parallel_units"] = sym.parallel_units();
    state.counters["top_share"] = sym.top_work_share();
    state.counters["critical_path_share"] = sym.critical_path_share();
    state.counters["peeled"] = sym.peeled_count();
}
BENCHMARK(BM_GridCholeskyFactor)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// One forward and back substitution with the grid's factor (arguments as above).
void BM_GridCholeskySolve(benchmark::State& state) {
    const GridMatrix& g = grid_matrix();
    const SymbolicCholesky sym(g.n, g.edges, SymbolicCholesky::Kernel::kAuto, true,
                               state.range(0) == 0 ? SymbolicCholesky::Peel::kAuto
                                                   : SymbolicCholesky::Peel::kNever);
    NumericCholesky num(sym);
    load_grid_matrix(sym, num);
    if (num.factor(sym) >= 0)
        state.SkipWithError("grid matrix not positive definite");
    const std::vector<double> rhs(static_cast<std::size_t>(g.n), 1.0);
    std::vector<double> x = rhs;
    for (auto _ : state) {
        state.PauseTiming();
        x = rhs;
        state.ResumeTiming();
        num.solve(sym, x);
        benchmark::DoNotOptimize(x.data());
    }
}
BENCHMARK(BM_GridCholeskySolve)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// CHOLMOD (SuiteSparse, supernodal, with the system's BLAS) on the same matrix as a yardstick:
/// its analysis with the given ordering (fill and flops of that ordering), then the numeric
/// factorisation timed.
void cholmod_factor_benchmark(benchmark::State& state, int ordering) {
    const GridMatrix& g = grid_matrix();
    cholmod_common c;
    cholmod_start(&c);
    const auto nnz = static_cast<std::size_t>(g.n) + g.edges.size();
    cholmod_triplet* t = cholmod_allocate_triplet(
        static_cast<std::size_t>(g.n), static_cast<std::size_t>(g.n), nnz, 1, CHOLMOD_REAL, &c);
    auto* ti = static_cast<int*>(t->i);
    auto* tj = static_cast<int*>(t->j);
    auto* tx = static_cast<double*>(t->x);
    for (std::int32_t i = 0; i < g.n; ++i) {
        ti[t->nnz] = i;
        tj[t->nnz] = i;
        tx[t->nnz++] = g.diagonal[static_cast<std::size_t>(i)];
    }
    for (std::size_t e = 0; e < g.edges.size(); ++e) {
        ti[t->nnz] = std::min(g.edges[e].first, g.edges[e].second); // upper triangle
        tj[t->nnz] = std::max(g.edges[e].first, g.edges[e].second);
        tx[t->nnz++] = -g.conductance[e];
    }
    cholmod_sparse* a = cholmod_triplet_to_sparse(t, nnz, &c);
    c.nmethods = 1;
    c.method[0].ordering = ordering;
    c.postorder = 1;
    c.supernodal = CHOLMOD_SUPERNODAL;
    cholmod_factor* l = cholmod_analyze(a, &c);
    if (l == nullptr) {
        state.SkipWithError("CHOLMOD analysis failed (ordering not available?)");
        for (auto _ : state) {
        }
    } else {
        for (auto _ : state)
            cholmod_factorize(a, l, &c);
        if (c.status != CHOLMOD_OK)
            state.SkipWithError("CHOLMOD factorisation failed");
        set_factor_counters(state, c.lnz, c.fl);
        state.counters["supernodes"] = static_cast<double>(l->nsuper);
    }
    cholmod_free_factor(&l, &c);
    cholmod_free_sparse(&a, &c);
    cholmod_free_triplet(&t, &c);
    cholmod_finish(&c);
}
void BM_GridCholmodFactorAmd(benchmark::State& state) {
    cholmod_factor_benchmark(state, CHOLMOD_AMD);
}
BENCHMARK(BM_GridCholmodFactorAmd)->Unit(benchmark::kMillisecond);
void BM_GridCholmodFactorMetis(benchmark::State& state) {
    cholmod_factor_benchmark(state, CHOLMOD_METIS);
}
BENCHMARK(BM_GridCholmodFactorMetis)->Unit(benchmark::kMillisecond);
/// CHOLMOD's own nested dissection (METIS node separators, CAMD on the parts).
void BM_GridCholmodFactorNesdis(benchmark::State& state) {
    cholmod_factor_benchmark(state, CHOLMOD_NESDIS);
}
BENCHMARK(BM_GridCholmodFactorNesdis)->Unit(benchmark::kMillisecond);

/// HydraulicTopology as a whole (coefficients, adjacency and the symbolic phase).
void BM_GridTopology(benchmark::State& state) {
    const Network& net = grid_network();
    for (auto _ : state) {
        const HydraulicTopology topo(net);
        benchmark::DoNotOptimize(topo.junctions);
    }
}
BENCHMARK(BM_GridTopology)->Unit(benchmark::kMillisecond);

/// One steady solve from EPANET's initial flows; the counter ms_per_iteration is the solve time
/// divided by its Newton iterations (numeric factorisation, solve, status checks).
void BM_GridSteadySolve(benchmark::State& state) {
    const Network& net = grid_network();
    const HydraulicTopology& topo = grid_topology();
    HydraulicState s(net, topo);
    HydraulicSummary sum;
    double seconds = 0;
    std::int64_t iterations = 0;
    for (auto _ : state) {
        state.PauseTiming();
        initialize_state(net, topo, s);
        set_demands(net, s);
        state.ResumeTiming();
        const auto t0 = std::chrono::steady_clock::now();
        sum = solve_hydraulics(net, topo, s, HydraulicOptions{});
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        iterations += sum.iterations;
    }
    if (!sum.converged)
        state.SkipWithError(("did not converge: " + sum.message).c_str());
    state.counters["iterations"] = sum.iterations;
    state.counters["ms_per_iteration"] =
        iterations > 0 ? 1e3 * seconds / static_cast<double>(iterations) : 0.0;
}
BENCHMARK(BM_GridSteadySolve)->Unit(benchmark::kMillisecond);

/// A solve capped at one Newton iteration (not converged; measures one iteration with the
/// per-solve set-up included).
void BM_GridOneNewtonIteration(benchmark::State& state) {
    const Network& net = grid_network();
    const HydraulicTopology& topo = grid_topology();
    HydraulicState s(net, topo);
    HydraulicOptions opt;
    opt.max_trials = 1;
    opt.polish_trials = 0;
    for (auto _ : state) {
        state.PauseTiming();
        initialize_state(net, topo, s);
        set_demands(net, s);
        state.ResumeTiming();
        const auto sum = solve_hydraulics(net, topo, s, opt);
        benchmark::DoNotOptimize(sum.iterations);
    }
}
BENCHMARK(BM_GridOneNewtonIteration)->Unit(benchmark::kMillisecond);

/// The grid solved once (capped at one trial, no polish) and that state kept: every timed
/// solve starts again from the same flows, heads, demands and statuses (restore(), untimed).
struct WarmGrid {
    const Network& net = grid_network();
    const HydraulicTopology& topo = grid_topology();
    HydraulicState s{net, topo};
    HydraulicOptions opt;
    std::vector<double> demand, flow, head, delivered, emitted;
    std::vector<LinkState> status;

    WarmGrid() {
        opt.max_trials = 1;
        opt.polish_trials = 0;
        initialize_state(net, topo, s);
        set_demands(net, s);
        demand = s.node_demand;
        solve_hydraulics(net, topo, s, opt);
        flow = s.flow_m3s;
        head = s.head_m;
        delivered = s.demand_flow;
        emitted = s.emitter_flow;
        status = s.status;
    }
    void restore() {
        s.flow_m3s = flow;
        s.head_m = head;
        s.node_demand = demand;
        s.demand_flow = delivered;
        s.emitter_flow = emitted;
        s.status = status;
    }
    /// Seconds one solve takes.
    double timed_solve() {
        const auto t0 = std::chrono::steady_clock::now();
        const auto sum = solve_hydraulics(net, topo, s, opt);
        benchmark::DoNotOptimize(sum.iterations);
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};

/// One Newton iteration as the iterations after a solve's first one cost it: the per-solve
/// set-up (the cut-off search and pruning, the split of the links into plain pipes and the
/// rest) was done by an untimed solve and is still valid, and every timed solve, capped at one
/// trial, starts from the same flows, heads and demands (copied back untimed).
void BM_GridNewtonIterationWarm(benchmark::State& state) {
    WarmGrid g;
    // The fastest single iteration besides the mean: on a shared machine other work only adds
    // time, so the minimum is the steadiest figure to compare builds by.
    double fastest = 1e300;
    for (auto _ : state) {
        state.PauseTiming();
        g.restore();
        state.ResumeTiming();
        fastest = std::min(fastest, g.timed_solve());
    }
    state.counters["min_ms"] = 1e3 * fastest;
}
BENCHMARK(BM_GridNewtonIterationWarm)->Unit(benchmark::kMillisecond);

/// The cost of one more Newton iteration inside a solve: from the same converged state, solves
/// capped at 1 and at 4 trials (stopping rule out of reach, no polish), timed alternately; the
/// counters are the fastest of each and (fastest at 4 − fastest at 1) / 3. What a solve pays
/// once (the set-up, the refinement check of the last solve, the continuity projection) is in
/// both and cancels.
void BM_GridNewtonIterationMarginal(benchmark::State& state) {
    WarmGrid g;
    g.opt.accuracy = 1e-300;
    double fastest[2] = {1e300, 1e300};
    for (auto _ : state)
        for (int k = 0; k < 2; ++k) {
            state.PauseTiming();
            g.restore();
            g.opt.max_trials = k == 0 ? 1 : 4;
            state.ResumeTiming();
            fastest[k] = std::min(fastest[k], g.timed_solve());
        }
    state.counters["min_1_trial_ms"] = 1e3 * fastest[0];
    state.counters["min_4_trials_ms"] = 1e3 * fastest[1];
    state.counters["ms_per_extra_iteration"] = 1e3 * (fastest[1] - fastest[0]) / 3.0;
}
BENCHMARK(BM_GridNewtonIterationMarginal)->Unit(benchmark::kMillisecond);

void run_eps(benchmark::State& state, const Network& net, const HydraulicTopology& topo) {
    EpsResult res;
    double seconds = 0;
    long long iterations = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        res = simulate_eps(net, topo, EpsOptions{});
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        iterations += res.iterations;
    }
    if (!res.converged)
        state.SetLabel("not every step converged: " + res.message);
    state.counters["nodes"] = net.node_count();
    state.counters["links"] = net.link_count();
    state.counters["steps"] = res.hydraulic_steps;
    state.counters["iterations"] = static_cast<double>(res.iterations);
    state.counters["ms_per_iteration"] =
        iterations > 0 ? 1e3 * seconds / static_cast<double>(iterations) : 0.0;
}

/// 24-h EPS with hourly steps (topology built once, outside the timing).
void BM_GridEps24h(benchmark::State& state) {
    run_eps(state, grid_network(), grid_topology());
}
BENCHMARK(BM_GridEps24h)->Unit(benchmark::kMillisecond);

fs::path shared_water_root() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    if (env != nullptr && fs::is_directory(fs::path(env) / "water"))
        return fs::path(env) / "water";
    const fs::path p = fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "water";
    return fs::is_directory(p) ? p : fs::path();
}

/// The largest shared networks (those with EPANET references first), relative to the data root.
const char* const kSharedNetworks[] = {
    "epanet-example-networks/epanet-tests/exeter/exnet-3.inp",
    "emt/networks/asce-tf-wdst/KL/KL.inp",
    "emt/networks/asce-tf-wdst/ky4/ky4.inp",
    "emt/networks/exeter-benchmarks/DesignResiliance/EXN.inp",
    "epanet-nrtestsuite/public/exeter/exnet.inp",
    "emt/networks/exeter-benchmarks/D-Town Water Distribution Network BWN-II/Original_BWNII/"
    "2_Walski.inp",
    "emt/networks/asce-tf-wdst/ky9/ky9.inp",
    "emt/networks/asce-tf-wdst/Battle of the Water Sensor Networks/BWSN_Network_2.inp",
    "emt/networks/pangaea/PacificCity.inp",
};

struct SharedCase {
    Network net;
    HydraulicTopology topo;
    explicit SharedCase(Network n) : net(std::move(n)), topo(net) {}
};

void register_shared_networks() {
    const fs::path root = shared_water_root();
    if (root.empty()) {
        benchmark::RegisterBenchmark("BM_SharedEps", [](benchmark::State& state) {
            state.SkipWithError("shared reference data not found (RENCHENG_REFERENCE_DATA)");
            for (auto _ : state) {
            }
        });
        return;
    }
    for (const char* rel : kSharedNetworks) {
        const fs::path path = root / rel;
        if (!fs::is_regular_file(path))
            continue;
        const std::string name = "BM_SharedEps/" + path.stem().string();
        benchmark::RegisterBenchmark(name.c_str(), [path](benchmark::State& state) {
            Diagnostics diags;
            Network net = parse_inp(rencheng::read_file(path), path.string(), diags);
            if (diags.has_errors()) {
                state.SkipWithError("does not parse");
                for (auto _ : state) {
                }
                return;
            }
            const SharedCase c(std::move(net));
            run_eps(state, c.net, c.topo);
        })->Unit(benchmark::kMillisecond);
    }
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    // RENCHENG_BENCH_WRITE_GRID=FILE writes the generated network, e.g. to time EPANET on it
    // (scripts/bench-water-vs-epanet FILE).
    if (const char* out = std::getenv("RENCHENG_BENCH_WRITE_GRID"); out != nullptr && *out != 0)
        rencheng::write_file_atomic(out, generated_grid_inp(kGridSide));
    register_shared_networks();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
