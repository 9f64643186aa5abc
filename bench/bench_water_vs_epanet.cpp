// Extended-period hydraulics of the largest shared EPANET networks, RenCheng against EPANET 2.2 in
// the same process, same machine, same run: prints both times per network and their ratio.
//
// EPANET is not part of RenCheng. Build it yourself from its public source outside this
// repository and point EPANET_LIBRARY at the shared library (libepanet2.so); it is loaded at run
// time (dlopen), so this program builds without it and then times RenCheng alone.
//
// Usage: EPANET_LIBRARY=/path/libepanet2.so bench_water_vs_epanet [-n RUNS] [-d HOURS] [--grid]
//                                                [--accuracy A] [--whole] [--lag] [--leakage]
//                                                [NET.inp...]
//   -n RUNS       timed runs per network and engine (default 5; the best is kept)
//   -d HOURS      simulated duration (default 24; the largest shared networks are single-period)
//   --grid        also the generated ~100k-node street grid of bench_water_hydraulics (written to
//                 a temporary file that both engines read)
//   --accuracy A  run EPANET with ACCURACY A (and TRIALS at least 1000) instead of the file's own:
//                 EPANET's default rule stops where RenCheng goes on polishing, so the two engines
//                 give the same results only when EPANET is converged as tightly
//   --whole       RenCheng solves every junction in each Newton step, the dead-end trees left
//                 in (HydraulicOptions::eliminate_trees false)
//   --lag         RenCheng takes EPANET's lag for active PRVs and PSVs, their flows from the last
//                 step's (HydraulicOptions::implicit_pressure_valves false)
//   --leakage     RenCheng takes EPANET's model of closed links, a conductance of 1e-8 cfs/ft
//                 instead of none (HydraulicOptions::closed_link_leakage): a zone fed through a
//                 few small pipes and bounded by closed valves or pumps then gets the same heads
//                 as EPANET's, which the leakage through the closed links shifts (ky9: 1.2 mm)
// Where both engines ran, the largest differences between them over RenCheng's reporting times
// are printed beside the times (heads in m, leaving out nodes whose head is undefined, see
// undefined_heads(); flows in L/s): what "the same results" means here. The two runs stay the
// same history only while their hydraulic steps fall at the same times: where a tank's time to
// fill rounds to the other whole second (EPANET's ROUND(v/q), v/q within its solver's error of
// n + 0.5 s), or a control's level is crossed a second apart, the histories part; the first
// different step is printed, with the largest differences before it.
// Without NET.inp the networks of kSharedNetworks under $RENCHENG_REFERENCE_DATA/water (else
// ../shared/data/water) are used.
//
// What is timed, per run: RenCheng simulate_eps (from initial conditions to the end, results kept
// at every reporting time), the HydraulicTopology (ordering and symbolic factorisation, done once
// per network and shared by every scenario) reported apart; EPANET EN_initH + the EN_runH/EN_nextH
// loop (its EN_openH set-up apart), the two engines' runs alternating (ours, EPANET's, ours, …).
// Parsing is not timed on either side. Times are CPU seconds of the process, every thread counted
// (the machine may be shared; RenCheng's solver works side by side on large networks, EPANET on
// one thread), and wall seconds.
#include <dlfcn.h>

#include <algorithm>
#include <cmath>
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
    /// Leaves out time spent outside what is timed (the results comparison).
    void skip(double cpu_s, double wall_s) {
        cpu0 += cpu_s;
        wall0 += wall_s;
    }
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
    int (*setoption)(Handle, int, double) = nullptr;
    int (*getoption)(Handle, int, double*) = nullptr;
    int (*getcount)(Handle, int, int*) = nullptr;
    int (*getnodeid)(Handle, int, char*) = nullptr;
    int (*getlinkid)(Handle, int, char*) = nullptr;
    int (*getnodevalue)(Handle, int, int, double*) = nullptr;
    int (*getlinkvalue)(Handle, int, int, double*) = nullptr;

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
        get(setoption, "EN_setoption");
        get(getoption, "EN_getoption");
        get(getcount, "EN_getcount");
        get(getnodeid, "EN_getnodeid");
        get(getlinkid, "EN_getlinkid");
        get(getnodevalue, "EN_getnodevalue");
        get(getlinkvalue, "EN_getlinkvalue");
        if (!ok)
            std::fprintf(stderr, "%s lacks EPANET 2.2's EN_* functions\n", path);
        return ok;
    }

    /// Best CPU and wall seconds of `runs` EPS runs (negative if EPANET failed); `steps` its
    /// hydraulic steps and `iterations` its Newton trials over them (EN_ITERATIONS after each
    /// EN_runH), of the run with the best CPU time.
    /// `accuracy` > 0 replaces the file's ACCURACY (TRIALS raised to 1000 at least). After each
    /// EN_runH of the first run, `at_time(handle, t)` is called (untimed) to compare results.
    /// `before_run()` is called before each run, outside the timing: the caller's own run of
    /// the same network goes there, so that the two engines alternate.
    template <typename AtTime, typename BeforeRun>
    Best time_eps(const std::string& inp, long duration_s, int runs, double accuracy, int& steps,
                  long long& iterations, AtTime&& at_time, BeforeRun&& before_run) const {
        Handle ph = nullptr;
        createproject(&ph);
        const std::string rpt = (fs::temp_directory_path() / "rencheng-bench-epanet.rpt").string();
        if (open(ph, inp.c_str(), rpt.c_str(), "") > 100) {
            deleteproject(ph);
            return {};
        }
        constexpr int kDuration = 0; // EN_DURATION
        settimeparam(ph, kDuration, duration_s);
        if (accuracy > 0) {
            constexpr int kTrials = 0, kAccuracy = 1; // EN_TRIALS, EN_ACCURACY
            double trials = 0;
            getoption(ph, kTrials, &trials);
            setoption(ph, kTrials, std::max(trials, 1000.0));
            setoption(ph, kAccuracy, accuracy);
        }
        Best best;
        // EPANET's hydraulics are opened afresh for every run (untimed): after EN_initH alone a
        // second run in the same EN_openH does not start from the file's state (PacificCity:
        // 1,591 trials instead of 290).
        for (int r = 0; r < runs; ++r) {
            before_run();
            if (openH(ph) > 100) {
                best = {};
                break;
            }
            Stopwatch watch;
            initH(ph, 0);
            long t = 0, tstep = 0;
            int run_steps = 0;
            long long run_iterations = 0;
            int err = 0;
            do {
                err = runH(ph, &t);
                if (err > 100)
                    break;
                if (r == 0) {
                    const double paused = clock_seconds(CLOCK_PROCESS_CPUTIME_ID),
                                 paused_wall = clock_seconds(CLOCK_MONOTONIC);
                    at_time(ph, t);
                    watch.skip(clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - paused,
                               clock_seconds(CLOCK_MONOTONIC) - paused_wall);
                }
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

/// Per node, 1 where the head is not defined by the physics: nodes cut off from every source
/// (EPANET leaves a head from its last solve there, REFERENCE.md §2.2), and nodes that reach a
/// tank or reservoir only through a constant-power pump carrying no flow (its head gain P/(ρgQ) is
/// unbounded at Q = 0: RenCheng's pump passes the inlet head on, EPANET's the head that makes its
/// closed-link leakage balance, neither of them physical).
std::vector<std::uint8_t> undefined_heads(const Network& net, const EpsSnapshot& snapshot) {
    const auto nodes = static_cast<std::size_t>(net.node_count());
    std::vector<std::vector<std::size_t>> links_at(nodes);
    for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
        if (k < snapshot.link_open.size() && snapshot.link_open[k] == 0)
            continue;
        const std::int32_t pump = net.pump_of_link[k];
        if (pump >= 0 && net.pumps.type[static_cast<std::size_t>(pump)] == Pumps::Type::kPower &&
            snapshot.flow_m3s[k] == 0)
            continue;
        links_at[net.from_node[k].idx()].push_back(k);
        links_at[net.to_node[k].idx()].push_back(k);
    }
    std::vector<std::uint8_t> undefined(nodes, 1);
    std::vector<std::size_t> queue;
    for (std::size_t n = 0; n < nodes; ++n)
        if (net.node_kind[n] != NodeKind::kJunction) {
            undefined[n] = 0;
            queue.push_back(n);
        }
    while (!queue.empty()) {
        const std::size_t n = queue.back();
        queue.pop_back();
        for (const std::size_t k : links_at[n]) {
            const std::size_t m =
                net.from_node[k].idx() == n ? net.to_node[k].idx() : net.from_node[k].idx();
            if (undefined[m] != 0) {
                undefined[m] = 0;
                queue.push_back(m);
            }
        }
    }
    for (std::size_t n = 0; n < nodes; ++n)
        undefined[n] = static_cast<std::uint8_t>(undefined[n] != 0 || snapshot.cut_off[n] != 0);
    return undefined;
}

/// h:mm:ss of a simulation time in seconds.
std::string clock_time(long t) {
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    return text;
}

/// The largest shared networks with EPANET reference results, then the three largest of all,
/// relative to the data root.
const char* const kSharedNetworks[] = {
    "epanet-example-networks/epanet-tests/exeter/exnet-3.inp",
    "emt/networks/asce-tf-wdst/KL/KL.inp",
    "emt/networks/asce-tf-wdst/ky4/ky4.inp",
    "emt/networks/exeter-benchmarks/DesignResiliance/EXN.inp",
    "epanet-nrtestsuite/public/exeter/exnet.inp",
    // ky9 and the three largest shared networks have no EPANET reference (REFERENCE.md §2.4:
    // EPANET 2.2 and 2.3 disagree on them), so the reference test does not check them; here they
    // are timed and compared with this EPANET all the same.
    "emt/networks/asce-tf-wdst/ky9/ky9.inp",
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
    double accuracy = 0;
    bool whole = false;
    bool lag = false;
    bool leakage = false;
    for (int a = 1; a < argc; ++a) {
        if (std::strcmp(argv[a], "-n") == 0 && a + 1 < argc)
            runs = std::max(1, std::atoi(argv[++a]));
        else if (std::strcmp(argv[a], "-d") == 0 && a + 1 < argc)
            hours = std::max(0L, std::atol(argv[++a]));
        else if (std::strcmp(argv[a], "--grid") == 0)
            grid = true;
        else if (std::strcmp(argv[a], "--accuracy") == 0 && a + 1 < argc)
            accuracy = std::atof(argv[++a]);
        else if (std::strcmp(argv[a], "--whole") == 0)
            whole = true;
        else if (std::strcmp(argv[a], "--lag") == 0)
            lag = true;
        else if (std::strcmp(argv[a], "--leakage") == 0)
            leakage = true;
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
    else if (accuracy > 0)
        std::printf("EPANET runs with ACCURACY %g (TRIALS >= 1000)\n", accuracy);
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
        opt.hydraulic.eliminate_trees = !whole;
        opt.hydraulic.implicit_pressure_valves = !lag;
        opt.hydraulic.closed_link_leakage = leakage;
        Best ours;
        EpsResult res;
        std::vector<long> our_steps; // hydraulic times of the first run
        int our_runs = 0;
        // One run of ours; with EPANET loaded, each one just before one of EPANET's, so that
        // both meet the machine in the same state (on a shared machine one core may run at
        // two thirds of the other's speed for minutes at a time).
        const auto run_ours = [&]() {
            if (our_runs++ == 0)
                opt.after_solve = [&](Seconds t, const HydraulicState&, const HydraulicSummary&) {
                    our_steps.push_back(static_cast<long>(t));
                };
            else
                opt.after_solve = nullptr;
            const Stopwatch watch;
            res = simulate_eps(net, topo, opt);
            ours.add(watch);
        };
        int epanet_steps = 0;
        long long epanet_iterations = 0;
        // The same results: at each of RenCheng's reporting times EPANET reaches, the largest
        // head and flow differences, in SI (EPANET reports in the file's units).
        const double head_factor = is_si(net.options.flow_units) ? 1.0 : 0.3048;
        const double flow_factor_m3s = flow_factor(net.options.flow_units);
        std::vector<int> node_of, link_of; // EPANET index - 1 -> RenCheng index
        // per reporting time both reached: the largest differences there and the node of the
        // largest head difference
        struct Difference {
            long t = 0;
            double head_m = 0, flow_ls = 0;
            int node = -1;
        };
        std::vector<Difference> differences;
        std::vector<long> their_steps;
        const auto compare = [&](Epanet::Handle ph, long t) {
            their_steps.push_back(t);
            const auto it = std::find_if(res.reports.begin(), res.reports.end(),
                                         [&](const EpsSnapshot& r) { return r.time_s == t; });
            if (it == res.reports.end())
                return;
            if (node_of.empty()) {
                constexpr int kNodeCount = 0, kLinkCount = 2; // EN_NODECOUNT, EN_LINKCOUNT
                int nn = 0, nl = 0;
                epanet.getcount(ph, kNodeCount, &nn);
                epanet.getcount(ph, kLinkCount, &nl);
                char id[64];
                for (int i = 1; i <= nn; ++i) {
                    epanet.getnodeid(ph, i, id);
                    const auto k = std::find(net.node_id.begin(), net.node_id.end(), id);
                    node_of.push_back(
                        k == net.node_id.end() ? -1 : static_cast<int>(k - net.node_id.begin()));
                }
                for (int i = 1; i <= nl; ++i) {
                    epanet.getlinkid(ph, i, id);
                    const auto k = std::find(net.link_id.begin(), net.link_id.end(), id);
                    link_of.push_back(
                        k == net.link_id.end() ? -1 : static_cast<int>(k - net.link_id.begin()));
                }
            }
            constexpr int kHead = 10, kFlow = 8; // EN_HEAD, EN_FLOW
            Difference d{t};
            const std::vector<std::uint8_t> undefined = undefined_heads(net, *it);
            for (std::size_t i = 0; i < node_of.size(); ++i) {
                // nodes cut off from every source have no defined head (EPANET leaves one from
                // its last solve there, REFERENCE.md §2.2)
                if (node_of[i] < 0 || undefined[static_cast<std::size_t>(node_of[i])] != 0)
                    continue;
                double h = 0;
                epanet.getnodevalue(ph, static_cast<int>(i) + 1, kHead, &h);
                const double dh =
                    std::abs(h * head_factor - it->head_m[static_cast<std::size_t>(node_of[i])]);
                if (dh > d.head_m) {
                    d.head_m = dh;
                    d.node = node_of[i];
                }
            }
            for (std::size_t i = 0; i < link_of.size(); ++i) {
                if (link_of[i] < 0)
                    continue;
                double q = 0;
                epanet.getlinkvalue(ph, static_cast<int>(i) + 1, kFlow, &q);
                d.flow_ls = std::max(
                    d.flow_ls, 1e3 * std::abs(q * flow_factor_m3s -
                                              it->flow_m3s[static_cast<std::size_t>(link_of[i])]));
            }
            differences.push_back(d);
        };
        const Best theirs = with_epanet
                                ? epanet.time_eps(path, duration_s, runs, accuracy, epanet_steps,
                                                  epanet_iterations, compare, run_ours)
                                : Best{};
        while (our_runs < runs) // EPANET not loaded, or it stopped early
            run_ours();
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
        if (!differences.empty()) {
            // The step times stay the same until a tank event, a control or a status change
            // falls differently: from there on the two runs are two different histories.
            const auto split = std::mismatch(our_steps.begin(), our_steps.end(),
                                             their_steps.begin(), their_steps.end());
            const bool same_steps =
                split.first == our_steps.end() && split.second == their_steps.end();
            const long diverge_t = same_steps                       ? 0
                                   : split.first != our_steps.end() ? *split.first
                                                                    : *split.second;
            const auto largest = [&](bool before_divergence) {
                Difference m;
                for (const Difference& d : differences) {
                    if (before_divergence && !same_steps && d.t >= diverge_t)
                        continue;
                    if (d.head_m > m.head_m || m.node < 0) {
                        m.head_m = d.head_m;
                        m.node = d.node;
                        m.t = d.t;
                    }
                    m.flow_ls = std::max(m.flow_ls, d.flow_ls);
                }
                return m;
            };
            const auto print = [&](const char* what, const Difference& m) {
                std::printf("%-16s   %s: largest |head difference| %.3g m (node %s at %s), |flow "
                            "difference| %.3g L/s\n",
                            "", what, m.head_m,
                            m.node < 0 ? "-"
                                       : net.node_id[static_cast<std::size_t>(m.node)].c_str(),
                            clock_time(m.t).c_str(), m.flow_ls);
            };
            print("results over RenCheng's reporting times", largest(false));
            if (!same_steps) {
                const auto at = [](const std::vector<long>& v,
                                   std::vector<long>::const_iterator i) {
                    return i == v.end() ? std::string("(end)") : clock_time(*i);
                };
                std::printf("%-16s   first different hydraulic step: RenCheng %s, EPANET %s\n", "",
                            at(our_steps, split.first).c_str(),
                            at(their_steps, split.second).c_str());
                if (diverge_t > differences.front().t)
                    print("results before it", largest(true));
            }
        }
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
