// Benchmarks of the EPANET .inp reader and writer: a generated 100k-link grid and, when the
// shared reference data is present, its largest network.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "water/epanet_inp.hpp"

namespace {

namespace fs = std::filesystem;
using rencheng::Diagnostics;

/// A square grid of n x n junctions fed by one reservoir: 2 n (n - 1) + 1 pipes.
std::string grid_inp(int n) {
    std::string text = "[JUNCTIONS]\n";
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            text += " J" + std::to_string(i) + "_" + std::to_string(j) + "\t100.25\t1.5\t;\n";
    text += "[RESERVOIRS]\n R1 200\n[PIPES]\n P0 R1 J0_0 10 24 100 0 Open\n";
    int k = 1;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const std::string a = "J" + std::to_string(i) + "_" + std::to_string(j);
            if (j + 1 < n)
                text += " P" + std::to_string(k++) + "\t" + a + "\tJ" + std::to_string(i) + "_" +
                        std::to_string(j + 1) + "\t100.5\t8\t100\t0\tOpen\t;\n";
            if (i + 1 < n)
                text += " P" + std::to_string(k++) + "\t" + a + "\tJ" + std::to_string(i + 1) +
                        "_" + std::to_string(j) + "\t100.5\t8\t100\t0\tOpen\t;\n";
        }
    text += "[OPTIONS]\n Units GPM\n";
    return text;
}

void BM_ParseGrid100kLinks(benchmark::State& state) {
    const std::string text = grid_inp(224);
    std::int64_t links = 0;
    for (auto _ : state) {
        Diagnostics diags;
        const auto net = rencheng::water::parse_inp(text, "grid.inp", diags);
        links = net.link_count();
        benchmark::DoNotOptimize(links);
    }
    state.counters["links"] = static_cast<double>(links);
    state.counters["links_per_s"] = benchmark::Counter(
        static_cast<double>(links), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ParseGrid100kLinks)->Unit(benchmark::kMillisecond);

fs::path largest_shared_network() {
    const char* env = std::getenv("RENCHENG_REFERENCE_DATA");
    const fs::path root = env != nullptr
                              ? fs::path(env) / "water"
                              : fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "water";
    fs::path largest;
    std::uintmax_t size = 0;
    if (!fs::is_directory(root))
        return largest;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        const auto ext = e.path().extension().string();
        if (e.is_regular_file() && (ext == ".inp" || ext == ".INP") && e.file_size() > size) {
            size = e.file_size();
            largest = e.path();
        }
    }
    return largest;
}

void BM_ParseLargestSharedNetwork(benchmark::State& state) {
    const fs::path path = largest_shared_network();
    if (path.empty()) {
        state.SkipWithError("shared reference data not found");
        return;
    }
    const std::string text = rencheng::read_file(path);
    for (auto _ : state) {
        Diagnostics diags;
        const auto net = rencheng::water::parse_inp(text, path.string(), diags);
        benchmark::DoNotOptimize(net.link_count());
    }
    state.SetLabel(path.filename().string());
}
BENCHMARK(BM_ParseLargestSharedNetwork)->Unit(benchmark::kMillisecond);

void BM_WriteGrid100kLinks(benchmark::State& state) {
    Diagnostics diags;
    const auto net = rencheng::water::parse_inp(grid_inp(224), "grid.inp", diags);
    for (auto _ : state) {
        const std::string out = rencheng::water::format_inp(net);
        benchmark::DoNotOptimize(out.size());
    }
}
BENCHMARK(BM_WriteGrid100kLinks)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
