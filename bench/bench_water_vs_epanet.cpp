// Extended-period hydraulics of the largest shared EPANET networks, RenCheng against EPANET 2.2 in
// the same process, same machine, same run: prints both times per network and their ratio.
//
// EPANET is not part of RenCheng. Build it yourself from its public source outside this
// repository and point EPANET_LIBRARY at the shared library (libepanet2.so); it is loaded at run
// time (dlopen), so this program builds without it and then times RenCheng alone.
//
// Usage: EPANET_LIBRARY=/path/libepanet2.so bench_water_vs_epanet [-n RUNS] [-d HOURS] [NET.inp...]
//   -n RUNS   timed runs per network and engine (default 5; the best is kept)
//   -d HOURS  simulated duration (default 24; the largest shared networks are single-period)
// Without NET.inp the networks of kSharedNetworks under $RENCHENG_REFERENCE_DATA/water (else
// ../shared/data/water) are used.
//
// What is timed, per run: RenCheng simulate_eps (from initial conditions to the end, results kept
// at every reporting time), the HydraulicTopology (ordering and symbolic factorisation, done once
// per network and shared by every scenario) reported apart; EPANET EN_initH + the EN_runH/EN_nextH
// loop (its EN_openH set-up apart). Parsing is not timed on either side. Times are thread CPU
// seconds (the machine may be shared).
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

namespace {

namespace fs = std::filesystem;
using namespace rencheng::water;

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

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

    /// Best CPU time of `runs` EPS runs (s), or -1 if EPANET failed; `steps` its hydraulic steps
    /// and `iterations` its Newton trials over them (EN_ITERATIONS after each EN_runH).
    double time_eps(const std::string& inp, long duration_s, int runs, int& steps,
                    long long& iterations) const {
        Handle ph = nullptr;
        createproject(&ph);
        const std::string rpt = (fs::temp_directory_path() / "rencheng-bench-epanet.rpt").string();
        if (open(ph, inp.c_str(), rpt.c_str(), "") > 100) {
            deleteproject(ph);
            return -1;
        }
        constexpr int kDuration = 0; // EN_DURATION
        settimeparam(ph, kDuration, duration_s);
        double best = -1;
        // EPANET's hydraulics are opened afresh for every run (untimed): after EN_initH alone a
        // second run in the same EN_openH does not start from the file's state (PacificCity:
        // 1,591 trials instead of 290).
        for (int r = 0; r < runs; ++r) {
            if (openH(ph) > 100) {
                best = -1;
                break;
            }
            const double t0 = cpu_seconds();
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
            const double dt = cpu_seconds() - t0;
            closeH(ph);
            if (err > 100) {
                best = -1;
                break;
            }
            if (best < 0 || dt < best) {
                best = dt;
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
    for (int a = 1; a < argc; ++a) {
        if (std::strcmp(argv[a], "-n") == 0 && a + 1 < argc)
            runs = std::max(1, std::atoi(argv[++a]));
        else if (std::strcmp(argv[a], "-d") == 0 && a + 1 < argc)
            hours = std::max(0L, std::atol(argv[++a]));
        else
            nets.emplace_back(argv[a]);
    }
    if (nets.empty()) {
        const fs::path root = shared_water_root();
        if (root.empty()) {
            std::fprintf(stderr,
                         "no networks given and no shared data (RENCHENG_REFERENCE_DATA)\n");
            return 1;
        }
        for (const char* rel : kSharedNetworks)
            if (fs::is_regular_file(root / rel))
                nets.push_back((root / rel).string());
    }
    Epanet epanet;
    const char* lib = std::getenv("EPANET_LIBRARY");
    const bool with_epanet = lib != nullptr && *lib != 0 && epanet.load(lib);
    if (!with_epanet)
        std::printf("EPANET_LIBRARY not set or not loadable: RenCheng times only\n");
    const long duration_s = hours * 3600;
    std::printf("%-16s %7s %7s %6s %7s %11s %11s %6s %11s %6s %8s\n", "network", "nodes", "links",
                "steps", "repeats", "topology_ms", "rencheng_ms", "iters", "epanet_ms", "iters",
                "ratio");
    for (const std::string& path : nets) {
        rencheng::Diagnostics diags;
        const Network net = parse_inp(rencheng::read_file(path), path, diags);
        if (diags.has_errors()) {
            std::fprintf(stderr, "%s does not parse\n", path.c_str());
            continue;
        }
        const double t0 = cpu_seconds();
        const HydraulicTopology topo(net);
        const double topology_s = cpu_seconds() - t0;
        EpsOptions opt;
        opt.duration = duration_s;
        double ours = -1;
        EpsResult res;
        for (int r = 0; r < runs; ++r) {
            const double a = cpu_seconds();
            res = simulate_eps(net, topo, opt);
            const double dt = cpu_seconds() - a;
            ours = ours < 0 ? dt : std::min(ours, dt);
        }
        int epanet_steps = 0;
        long long epanet_iterations = 0;
        const double theirs =
            with_epanet ? epanet.time_eps(path, duration_s, runs, epanet_steps, epanet_iterations)
                        : -1.0;
        const std::string name = fs::path(path).stem().string();
        char ratio[32] = "n/a", their_ms[32] = "n/a", their_iters[32] = "n/a";
        if (theirs > 0) {
            std::snprintf(their_ms, sizeof their_ms, "%.2f", 1e3 * theirs);
            std::snprintf(their_iters, sizeof their_iters, "%lld", epanet_iterations);
            std::snprintf(ratio, sizeof ratio, "%.2f", theirs / ours);
        }
        std::printf("%-16s %7d %7d %6d %7d %11.2f %11.2f %6lld %11s %6s %8s%s\n", name.c_str(),
                    net.node_count(), net.link_count(), res.hydraulic_steps, res.repeated_steps,
                    1e3 * topology_s, 1e3 * ours, res.iterations, their_ms, their_iters, ratio,
                    res.converged ? "" : "  (not every step converged)");
        if (theirs > 0 && epanet_steps != res.hydraulic_steps)
            std::printf("%-16s   (EPANET took %d hydraulic steps)\n", "", epanet_steps);
    }
    std::printf("(best of %d runs, thread CPU time; ratio = EPANET / RenCheng, > 1: RenCheng is "
                "faster; topology_ms is RenCheng's once-per-network set-up, not in rencheng_ms; "
                "iters: Newton iterations over the whole EPS, RenCheng's including its polish; "
                "repeats: RenCheng's steps that posed the last solve's problem again, bit for bit, "
                "and kept its solution)\n",
                runs);
    return 0;
}
