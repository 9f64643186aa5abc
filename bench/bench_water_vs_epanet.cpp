// Extended-period hydraulics of the largest shared EPANET networks, RenCheng against EPANET 2.2 in
// the same process, same machine, same run: prints both times per network and their ratio.
//
// EPANET is not part of RenCheng. Build it yourself from its public source outside this
// repository and point EPANET_LIBRARY at the shared library (libepanet2.so); it is loaded at run
// time (dlopen), so this program builds without it and then times RenCheng alone.
//
// Usage: EPANET_LIBRARY=/path/libepanet2.so bench_water_vs_epanet [-n RUNS] [-d HOURS] [--grid]
//                                                                  [NET.inp...]
//   -n RUNS   timed runs per network and engine (default 5; the best is kept)
//   -d HOURS  simulated duration (default 24; the largest shared networks are single-period)
//   --grid    also the generated ~100k-node street grid of bench_water_hydraulics (written to a
//             temporary file that both engines read)
// Without NET.inp the networks of kSharedNetworks under $RENCHENG_REFERENCE_DATA/water (else
// ../shared/data/water) are used.
//
// What is timed, per run: RenCheng simulate_eps (from initial conditions to the end, results kept
// at every reporting time), the HydraulicTopology (ordering and symbolic factorisation, done once
// per network and shared by every scenario) reported apart; EPANET EN_initH + the EN_runH/EN_nextH
// loop (its EN_openH set-up apart). Parsing is not timed on either side. Times are CPU seconds of
// the process, every thread counted (the machine may be shared; RenCheng's solver works side by
// side on large networks, EPANET on one thread), and wall seconds.
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/hydraulics.hpp"

#include "generated_grid.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng::water;

double clock_seconds(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// CPU time of the whole process (every thread: RenCheng's solver works side by side on large
/// networks) and wall time.
struct Stopwatch {
    double cpu0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = clock_seconds(CLOCK_MONOTONIC);
    [[nodiscard]] double cpu() const { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0; }
    [[nodiscard]] double wall() const { return clock_seconds(CLOCK_MONOTONIC) - wall0; }
};

/// Best (smallest) CPU and wall times over runs, each kept on its own.
struct Best {
    double cpu = -1, wall = -1;
    void add(const Stopwatch& w) {
        const double c = w.cpu(), t = w.wall();
        cpu = cpu < 0 ? c : std::min(cpu, c);
        wall = wall < 0 ? t : std::min(wall, t);
    }
};

/// The few functions of EPANET 2.2's toolkit API used here (its documented C signatures; the
/// project handle is an opaque pointer).
struct Epanet {
    using Handle = void*;
    int (*createproject)(Handle*) = nullptr;
    int (*deleteproject)(Handle) = nullptr;
    int (*open)(Handle, const char*, const char*, const char*) = nullptr;
    int (*settimeparam)(Handle, int, long) = nullptr;
    int (*openH)(Handle) = nullptr;
    int (*initH)(Handle, int) = nullptr;
    int (*runH)(Handle, long*) = nullptr;
    int (*nextH)(Handle, long*) = nullptr;
    int (*closeH)(Handle) = nullptr;
    int (*close)(Handle) = nullptr;
    int (*getstatistic)(Handle, int, double*) = nullptr;

    bool load(const char* path) {
        void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (lib == nullptr) {
            std::fprintf(stderr, "cannot load EPANET_LIBRARY %s: %s\n", path, dlerror());
            return false;
        }
        bool ok = true;
        auto get = [&](auto& fn, const char* name) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
            ok = ok && fn != nullptr;
        };
        get(createproject, "EN_createproject");
        get(deleteproject, "EN_deleteproject");
        get(open, "EN_open");
        get(settimeparam, "EN_settimeparam");
        get(openH, "EN_openH");
        get(initH, "EN_initH");
        get(runH, "EN_runH");
        get(nextH, "EN_nextH");
        get(closeH, "EN_closeH");
        get(close, "EN_close");
        get(getstatistic, "EN_getstatistic");
        if (!ok)
            std::fprintf(stderr, "%s lacks EPANET 2.2's EN_* functions\n", path);
        return ok;
    }

    /// Best CPU and wall seconds of `runs` EPS runs (negative if EPANET failed); `steps` its
    /// hydraulic steps and `iterations` its Newton trials over them (EN_ITERATIONS after each
    /// EN_runH), of the run with the best CPU time.
    Best time_eps(const std::string& inp, long duration_s, int runs, int& steps,
                  long long& iterations) const {
        Handle ph = nullptr;
        createproject(&ph);
        const std::string rpt = (fs::temp_directory_path() / "rencheng-bench-epanet.rpt").string();
        if (open(ph, inp.c_str(), rpt.c_str(), "") > 100) {
            deleteproject(ph);
            return {};
        }
        constexpr int kDuration = 0; // EN_DURATION
        settimeparam(ph, kDuration, duration_s);
        Best best;
        // EPANET's hydraulics are opened afresh for every run (untimed): after EN_initH alone a
        // second run in the same EN_openH does not start from the file's state (PacificCity:
        // 1,591 trials instead of 290).
        for (int r = 0; r < runs; ++r) {
            if (openH(ph) > 100) {
                best = {};
                break;
            }
            const Stopwatch watch;
            initH(ph, 0);
            long t = 0, tstep = 0;
            int run_steps = 0;
            long long run_iterations = 0;
            int err = 0;
            do {
                err = runH(ph, &t);
                if (err > 100)
                    break;
                ++run_steps;
                constexpr int kIterations = 0; // EN_ITERATIONS
                double trials = 0;
                getstatistic(ph, kIterations, &trials);
                run_iterations += static_cast<long long>(trials);
                err = nextH(ph, &tstep);
            } while (tstep > 0 && err <= 100);
            const double cpu_before = best.cpu;
            best.add(watch);
            closeH(ph);
            if (err > 100) {
                best = {};
                break;
            }
            if (best.cpu != cpu_before) {
                steps = run_steps;
                iterations = run_iterations;
            }
        }
        close(ph);
        deleteproject(ph);
        std::remove(rpt.c_str());
        return best;
    }
};

fs::path shared_water_root() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    if (env != nullptr && fs::is_directory(fs::path(env) / "water"))
        return fs::path(env) / "water";
    const fs::path p = fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "water";
    return fs::is_directory(p) ? p : fs::path();
}

/// The largest shared networks with EPANET reference results, then the three largest of all,
/// relative to the data root.
const char* const kSharedNetworks[] = {
    "epanet-example-networks/epanet-tests/exeter/exnet-3.inp",
    "emt/networks/asce-tf-wdst/KL/KL.inp",
    "emt/networks/asce-tf-wdst/ky4/ky4.inp",
    "emt/networks/exeter-benchmarks/DesignResiliance/EXN.inp",
    "epanet-nrtestsuite/public/exeter/exnet.inp",
    "emt/networks/asce-tf-wdst/ky9/ky9.inp",
    // The three largest shared networks have no EPANET reference (REFERENCE.md §2.4: EPANET 2.2
    // and 2.3 disagree on them), so "the same results" is not checked there; timed all the same.
    "emt/networks/asce-tf-wdst/Battle of the Water Sensor Networks/BWSN_Network_2.inp",
    "emt/networks/pangaea/PacificCity.inp",
    "wntr/wntr/tests/networks_for_testing/Net6_plus.inp",
};

} // namespace

int main(int argc, char** argv) {
    int runs = 5;
    long hours = 24;
    std::vector<std::string> nets;
    bool grid = false;
    for (int a = 1; a < argc; ++a) {
        if (std::strcmp(argv[a], "-n") == 0 && a + 1 < argc)
            runs = std::max(1, std::atoi(argv[++a]));
        else if (std::strcmp(argv[a], "-d") == 0 && a + 1 < argc)
            hours = std::max(0L, std::atol(argv[++a]));
        else if (std::strcmp(argv[a], "--grid") == 0)
            grid = true;
        else
            nets.emplace_back(argv[a]);
    }
    if (nets.empty()) {
        const fs::path root = shared_water_root();
        if (root.empty() && !grid) {
            std::fprintf(stderr,
                         "no networks given and no shared data (RENCHENG_REFERENCE_DATA)\n");
            return 1;
        }
        for (const char* rel : kSharedNetworks)
            if (!root.empty() && fs::is_regular_file(root / rel))
                nets.push_back((root / rel).string());
    }
    const fs::path grid_file = fs::temp_directory_path() / "rencheng-bench-grid100k.inp";
    if (grid) {
        rencheng::write_file_atomic(
            grid_file, rencheng::bench::generated_grid_inp(rencheng::bench::kGridSide));
        nets.push_back(grid_file.string());
    }
    Epanet epanet;
    const char* lib = std::getenv("EPANET_LIBRARY");
    const bool with_epanet = lib != nullptr && *lib != 0 && epanet.load(lib);
    if (!with_epanet)
        std::printf("EPANET_LIBRARY not set or not loadable: RenCheng times only\n");
    const long duration_s = hours * 3600;
    std::printf("%-16s %7s %7s %6s %7s %11s %11s %9s %6s %11s %6s %8s %8s\n", "network", "nodes",
                "links", "steps", "repeats", "topology_ms", "rencheng_ms", "wall_ms", "iters",
                "epanet_ms", "iters", "ratio", "wall");
    for (const std::string& path : nets) {
        rencheng::Diagnostics diags;
        const Network net = parse_inp(rencheng::read_file(path), path, diags);
        if (diags.has_errors()) {
            std::fprintf(stderr, "%s does not parse\n", path.c_str());
            continue;
        }
        const Stopwatch setup;
        const HydraulicTopology topo(net);
        const double topology_s = setup.cpu();
        EpsOptions opt;
        opt.duration = duration_s;
        Best ours;
        EpsResult res;
        for (int r = 0; r < runs; ++r) {
            const Stopwatch watch;
            res = simulate_eps(net, topo, opt);
            ours.add(watch);
        }
        int epanet_steps = 0;
        long long epanet_iterations = 0;
        const Best theirs =
            with_epanet ? epanet.time_eps(path, duration_s, runs, epanet_steps, epanet_iterations)
                        : Best{};
        const std::string name = fs::path(path).stem().string();
        char ratio[32] = "n/a", wall_ratio[32] = "n/a", their_ms[32] = "n/a",
             their_iters[32] = "n/a";
        if (theirs.cpu > 0) {
            std::snprintf(their_ms, sizeof their_ms, "%.2f", 1e3 * theirs.cpu);
            std::snprintf(their_iters, sizeof their_iters, "%lld", epanet_iterations);
            std::snprintf(ratio, sizeof ratio, "%.2f", theirs.cpu / ours.cpu);
            std::snprintf(wall_ratio, sizeof wall_ratio, "%.2f", theirs.wall / ours.wall);
        }
        std::printf("%-16s %7d %7d %6d %7d %11.2f %11.2f %9.2f %6lld %11s %6s %8s %8s%s\n",
                    name.c_str(), net.node_count(), net.link_count(), res.hydraulic_steps,
                    res.repeated_steps, 1e3 * topology_s, 1e3 * ours.cpu, 1e3 * ours.wall,
                    res.iterations, their_ms, their_iters, ratio, wall_ratio,
                    res.converged ? "" : "  (not every step converged)");
        if (theirs.cpu > 0 && epanet_steps != res.hydraulic_steps)
            std::printf("%-16s   (EPANET took %d hydraulic steps)\n", "", epanet_steps);
    }
    std::printf("(best of %d runs; rencheng_ms and epanet_ms are CPU time of the process, every "
                "thread counted (RenCheng works side by side on large networks), wall_ms "
                "RenCheng's wall time; ratio = EPANET / RenCheng CPU, wall = the same for wall "
                "time, > 1: RenCheng is faster; topology_ms is RenCheng's once-per-network set-up, "
                "not in rencheng_ms; "
                "iters: Newton iterations over the whole EPS, RenCheng's including its polish; "
                "repeats: RenCheng's steps that posed the last solve's problem again, bit for bit, "
                "and kept its solution)\n",
                runs);
    if (grid)
        fs::remove(grid_file);
    return 0;
}
