// Benchmarks of static UE assignment: time to relative gaps 1e-4, 1e-6 and 1e-10 on
// Chicago-Sketch (shared data folder) for Frank-Wolfe and Algorithm B.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "transport/assignment.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng::transport;

fs::path chicago_folder() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    const fs::path root =
        env != nullptr ? fs::path(env) / "transport"
                       : fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "transport";
    return root / "TransportationNetworks" / "Chicago-Sketch";
}

struct Chicago {
    AssignmentNetwork net;
    TripTable trips;
    bool ok = false;
};

const Chicago& chicago() {
    static const Chicago c = [] {
        Chicago out;
        const fs::path dir = chicago_folder();
        rencheng::Diagnostics diags;
        out.net = read_tntp_net(dir / "ChicagoSketch_net.tntp", diags);
        out.trips = read_tntp_trips(dir / "ChicagoSketch_trips.tntp", diags);
        out.ok = !diags.has_errors();
        return out;
    }();
    return c;
}

/// Args: algorithm (0 Frank-Wolfe, 1 Algorithm B), target gap exponent (4, 6, 10).
/// Frank-Wolfe is stopped after 120 s; the counters say which gap it reached.
void BM_ChicagoSketchTimeToGap(benchmark::State& state) {
    const Chicago& c = chicago();
    if (!c.ok) {
        state.SkipWithError("Chicago-Sketch not found in the shared data folder");
        return;
    }
    AssignmentOptions opt;
    opt.algorithm =
        state.range(0) == 0 ? AssignmentAlgorithm::kFrankWolfe : AssignmentAlgorithm::kAlgorithmB;
    opt.target_gap = std::pow(10.0, -static_cast<double>(state.range(1)));
    opt.max_iterations = 1000000;
    opt.max_seconds = 120.0;
    opt.toll_factor = 0.02;
    opt.distance_factor = 0.04;
    AssignmentResult r;
    for (auto _ : state) {
        r = assign_traffic(c.net, c.trips, opt);
        benchmark::DoNotOptimize(r.tstt);
    }
    state.SetLabel(std::string(algorithm_name(opt.algorithm)) +
                   (r.converged ? " converged" : " stopped at 120 s"));
    state.counters["gap"] = r.relative_gap;
    state.counters["iterations"] = r.iterations;
    state.counters["seconds"] = r.seconds;
}
BENCHMARK(BM_ChicagoSketchTimeToGap)
    ->ArgsProduct({{0, 1}, {4, 6, 10}})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
