// Benchmark of static UE assignment and shortest-path queries on the shared TNTP networks
// (Chicago-Sketch and Berlin-Center, the largest of ../shared/data/transport/
// TransportationNetworks): time to relative gaps 1e-4, 1e-6 and 1e-10 for Frank-Wolfe and
// Algorithm B in the same run (one run per algorithm, the thresholds read off its iteration
// log), one all-or-nothing assignment, and zone-to-zone many-to-many queries by one-to-all
// Dijkstra versus the contraction hierarchy (with its preprocessing). Prints tables; CPU times
// are process user + system time (run with --threads 1 for single-thread figures).
//
//   bench_assignment [--threads N] [--fw-seconds S] [--bush-seconds S] [--only NAME]
//
// The networks are read from $RENCHENG_REFERENCE_DATA/transport or ../shared/data/transport;
// a network that is absent is skipped with a note (exit status 0).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "transport/assignment.hpp"
#include "transport/contraction_hierarchy.hpp"
#include "transport/shortest_path.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng::transport;

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double wall_seconds() {
    using Clock = std::chrono::steady_clock;
    static const auto t0 = Clock::now();
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

fs::path data_root() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    return env != nullptr ? fs::path(env) / "transport"
                          : fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "transport";
}

struct NetworkCase {
    std::string name, folder, net_file, trips_file;
    double toll_factor = 0.0, distance_factor = 0.0;
};

struct Threshold {
    double gap;
    bool reached = false;
    int iteration = 0;
    double cpu = 0.0, wall = 0.0;
};

void time_to_gap(const AssignmentNetwork& net, const TripTable& trips, const NetworkCase& nc,
                 AssignmentAlgorithm algorithm, double cap_seconds) {
    std::vector<Threshold> marks = {{1e-4}, {1e-6}, {1e-10}};
    AssignmentOptions opt;
    opt.algorithm = algorithm;
    opt.target_gap = 1e-10;
    opt.max_iterations = 1000000;
    opt.max_seconds = cap_seconds;
    opt.toll_factor = nc.toll_factor;
    opt.distance_factor = nc.distance_factor;
    const double cpu0 = cpu_seconds(), wall0 = wall_seconds();
    double last_gap = 1.0;
    int last_iteration = 0;
    opt.on_iteration = [&](const AssignmentIteration& it) {
        last_gap = it.relative_gap;
        last_iteration = it.iteration;
        for (Threshold& m : marks)
            if (!m.reached && it.relative_gap <= m.gap) {
                m.reached = true;
                m.iteration = it.iteration;
                m.cpu = cpu_seconds() - cpu0;
                m.wall = wall_seconds() - wall0;
            }
    };
    const AssignmentResult r = assign_traffic(net, trips, opt);
    const double cpu = cpu_seconds() - cpu0;
    for (const Threshold& m : marks) {
        if (m.reached)
            std::printf("| %-14s | %-11s | %7.0e | %9.2f | %9.2f | %10d | reached |\n",
                        nc.name.c_str(), std::string(algorithm_name(algorithm)).c_str(), m.gap,
                        m.cpu, m.wall, m.iteration);
        else
            std::printf("| %-14s | %-11s | %7.0e | %9s | %9s | %10s | not reached: gap %.3e after "
                        "%d iterations, %.1f s CPU (cap %.0f s wall) |\n",
                        nc.name.c_str(), std::string(algorithm_name(algorithm)).c_str(), m.gap, "-",
                        "-", "-", last_gap, last_iteration, cpu, cap_seconds);
    }
    std::fflush(stdout);
    (void)r;
}

void all_or_nothing_timing(const AssignmentNetwork& net, const TripTable& trips,
                           const NetworkCase& nc) {
    std::vector<double> cost = link_costs(net, std::vector<double>(net.free_flow_time.size(), 0.0),
                                          nc.toll_factor, nc.distance_factor);
    double best_cpu = 1e300, best_wall = 1e300, sptt = 0.0;
    for (int rep = 0; rep < 3; ++rep) {
        const double cpu0 = cpu_seconds(), wall0 = wall_seconds();
        const AllOrNothingLoad load = all_or_nothing_assignment(net, trips, cost);
        best_cpu = std::min(best_cpu, cpu_seconds() - cpu0);
        best_wall = std::min(best_wall, wall_seconds() - wall0);
        sptt = load.sptt;
    }
    std::printf("| %-14s | %6d | %8.3f | %8.3f | %.6e |\n", nc.name.c_str(), trips.zone_count,
                best_cpu, best_wall, sptt);
    std::fflush(stdout);
}

void many_to_many(const AssignmentNetwork& net, const NetworkCase& nc) {
    const std::vector<double> cost =
        link_costs(net, std::vector<double>(net.free_flow_time.size(), 0.0), nc.toll_factor,
                   nc.distance_factor);
    std::vector<std::int32_t> zones(static_cast<std::size_t>(net.zone_count));
    for (std::int32_t z = 0; z < net.zone_count; ++z)
        zones[static_cast<std::size_t>(z)] = z;
    const std::size_t n = zones.size();
    // Plain Dijkstra: one one-to-all search per source zone.
    std::vector<double> plain(n * n);
    double cpu0 = cpu_seconds();
    ShortestPathTree tree;
    ShortestPathWorkspace ws;
    for (std::size_t i = 0; i < n; ++i) {
        shortest_paths(net, zones[i], cost, {}, tree, ws);
        for (std::size_t j = 0; j < n; ++j)
            plain[i * n + j] = tree.dist[static_cast<std::size_t>(zones[j])];
    }
    const double dijkstra_cpu = cpu_seconds() - cpu0;
    cpu0 = cpu_seconds();
    ContractionHierarchy ch(net, cost);
    const double build_cpu = cpu_seconds() - cpu0;
    cpu0 = cpu_seconds();
    const std::vector<double> table = ch.distance_table(zones, zones);
    const double query_cpu = cpu_seconds() - cpu0;
    double worst = 0.0;
    for (std::size_t k = 0; k < plain.size(); ++k)
        if (plain[k] != table[k])
            worst = std::max(worst, plain[k] == kUnreachable || table[k] == kUnreachable
                                        ? 1e300
                                        : std::abs(plain[k] - table[k]) / std::max(1.0, plain[k]));
    const double pairs = static_cast<double>(n * n);
    std::printf("| %-14s | %5zu x %-5zu | %8.3f | %11.3e | %8.3f | %8.3f | %11.3e | %7.1f x | "
                "%7.2f x | %.1e |\n",
                nc.name.c_str(), n, n, dijkstra_cpu, pairs / dijkstra_cpu, build_cpu, query_cpu,
                pairs / query_cpu, dijkstra_cpu / query_cpu, dijkstra_cpu / (build_cpu + query_cpu),
                worst);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    std::size_t threads = 1;
    double fw_seconds = 120.0, bush_seconds = 1800.0;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--threads" && has_value)
            threads = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--fw-seconds" && has_value)
            fw_seconds = std::strtod(argv[++i], nullptr);
        else if (arg == "--bush-seconds" && has_value)
            bush_seconds = std::strtod(argv[++i], nullptr);
        else if (arg == "--only" && has_value)
            only = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: %s [--threads N] [--fw-seconds S] [--bush-seconds S] "
                         "[--only Chicago-Sketch|Berlin-Center]\n",
                         argv[0]);
            return 2;
        }
    }
    const rencheng::ThreadLimit limit(threads);
    const std::vector<NetworkCase> cases = {
        {"Chicago-Sketch", "Chicago-Sketch", "ChicagoSketch_net.tntp", "ChicagoSketch_trips.tntp",
         0.02, 0.04},
        {"Berlin-Center", "Berlin-Center", "berlin-center_net.tntp", "berlin-center_trips.tntp",
         0.0, 0.0},
    };
    struct Loaded {
        NetworkCase nc;
        AssignmentNetwork net;
        TripTable trips;
    };
    std::vector<Loaded> loaded;
    for (const NetworkCase& nc : cases) {
        if (!only.empty() && only != nc.name)
            continue;
        const fs::path dir = data_root() / "TransportationNetworks" / nc.folder;
        if (!fs::exists(dir / nc.net_file) || !fs::exists(dir / nc.trips_file)) {
            std::printf("skipped %s: %s not found (set RENCHENG_REFERENCE_DATA)\n", nc.name.c_str(),
                        (dir / nc.net_file).string().c_str());
            continue;
        }
        rencheng::Diagnostics diags;
        const double cpu0 = cpu_seconds();
        Loaded l{nc, read_tntp_net(dir / nc.net_file, diags),
                 read_tntp_trips(dir / nc.trips_file, diags)};
        if (diags.has_errors()) {
            std::fprintf(stderr, "%s", diags.format().c_str());
            return 1;
        }
        std::printf("%s: %d nodes, %d links, %d zones, %.1f veh/h demand; read in %.2f s CPU\n",
                    nc.name.c_str(), l.net.node_count, l.net.link_count(), l.net.zone_count,
                    l.trips.total(), cpu_seconds() - cpu0);
        loaded.push_back(std::move(l));
    }
    if (loaded.empty())
        return 0;
    std::printf("threads: %zu; CPU = process user + system seconds; caps are wall seconds\n\n",
                threads);

    std::printf("Time to relative gap (one run per algorithm) / 收敛到相对间隙的时间\n");
    std::printf("| network        | algorithm   | gap     | CPU s     | wall s    | iterations | "
                "status |\n|---|---|---:|---:|---:|---:|---|\n");
    for (const Loaded& l : loaded) {
        time_to_gap(l.net, l.trips, l.nc, AssignmentAlgorithm::kAlgorithmB, bush_seconds);
        time_to_gap(l.net, l.trips, l.nc, AssignmentAlgorithm::kFrankWolfe, fw_seconds);
    }

    std::printf("\nOne all-or-nothing assignment at free-flow cost (best of 3) / 全有全无分配\n");
    std::printf(
        "| network        | zones  | CPU s    | wall s   | SPTT |\n|---|---:|---:|---:|---:|"
        "\n");
    for (const Loaded& l : loaded)
        all_or_nothing_timing(l.net, l.trips, l.nc);

    std::printf("\nZone-to-zone many-to-many shortest paths at free-flow cost / 多对多最短路\n");
    std::printf("| network        | pairs         | Dijkstra s | pairs/s   | CH build s | CH "
                "query s | pairs/s | query speed-up | incl. build | max rel. diff |\n"
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Loaded& l : loaded)
        many_to_many(l.net, l.nc);
    return 0;
}
