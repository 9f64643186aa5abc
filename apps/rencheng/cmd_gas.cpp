// `rencheng gas solve NET`: steady-state gas flow of a GasLib (.net + .scn) or GeoJSON network to
// the long results CSV, with a per-component report of what was solved and why not.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "gas/gaslib_reader.hpp"
#include "gas/geojson_io.hpp"
#include "gas/results_csv.hpp"
#include "gas/steady_state.hpp"

namespace rencheng::cli {

namespace {

struct GasOptions {
    std::string network;
    std::string scenario;
    std::string results;
    int max_iterations = 100;
};

bool is_gaslib(const std::string& path) {
    const auto ext = std::filesystem::path(path).extension().string();
    return ext == ".net" || ext == ".xml";
}

gas::Network load(const GasOptions& opt) {
    if (is_gaslib(opt.network)) {
        gas::Network net = gas::read_gaslib_net(opt.network);
        if (!opt.scenario.empty())
            gas::read_gaslib_scenario(net, opt.scenario);
        return net;
    }
    if (!opt.scenario.empty())
        throw Error(ErrorCode::kUsage, "--scenario applies to GasLib .net networks only");
    return gas::read_gas_geojson(opt.network);
}

void run_gas_solve(const GasOptions& opt, CommandContext& ctx) {
    using namespace rencheng::gas;
    const Network net = load(opt);
    SteadyStateOptions so;
    so.max_iterations = opt.max_iterations;
    const SteadyStateResult res = solve_steady_state(net, so);
    if (!opt.results.empty())
        write_results_csv(opt.results, net, res);
    std::size_t solved = 0;
    for (const auto& c : res.components)
        solved += c.status == ComponentStatus::kSolved;
    if (!ctx.quiet) {
        std::printf("%s: %d nodes, %d connections, %zu connected component%s; %zu solved / "
                    "已求解 %zu 个连通分量\n",
                    opt.network.c_str(), net.node_count(), net.connection_count(),
                    res.components.size(), res.components.size() == 1 ? "" : "s", solved, solved);
        for (const auto& c : res.components) {
            std::printf("  component %d (%d nodes): %s, %d Newton iterations, throughput %.6g "
                        "m3/s, largest node imbalance %.3g m3/s\n",
                        c.component, c.node_count,
                        std::string(component_status_name(c.status)).c_str(), c.iterations,
                        c.throughput_m3s, c.max_balance_error_m3s);
            for (const auto& m : c.messages)
                std::printf("    - %s\n", m.c_str());
            for (const auto& m : c.notes)
                std::printf("    note: %s\n", m.c_str());
        }
        if (!opt.results.empty())
            std::printf("  results / 结果: %s\n", opt.results.c_str());
    }
    std::fflush(stdout);
    if (solved != res.components.size()) {
        std::fprintf(stderr,
                     "%s: error E%03d (%s): %zu of %zu components not solved within their "
                     "limits (see the report above)%s\n",
                     opt.network.c_str(), static_cast<int>(ErrorCode::kInfeasible),
                     std::string(error_code_name(ErrorCode::kInfeasible)).c_str(),
                     res.components.size() - solved, res.components.size(),
                     opt.results.empty() ? "" : "; results of every solved zone written");
        ctx.exit_code = exit_status(ErrorCode::kInfeasible);
        return;
    }
    ctx.exit_code = 0;
}

} // namespace

void add_gas_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* gas = app.add_subcommand(
        "gas",
        "The gas lifeline: GasLib and city gas networks, steady flow / 燃气生命线：稳态计算");
    gas->require_subcommand(1);
    auto opt = std::make_shared<GasOptions>();
    CLI::App* solve = gas->add_subcommand(
        "solve", "Steady-state gas flow (pressures and flows) / 燃气管网稳态水力计算");
    solve
        ->add_option("network", opt->network,
                     "The network: GasLib .net (XML) or the city gas GeoJSON (docs/gas.md)")
        ->required()
        ->type_name("NET");
    solve
        ->add_option("--scenario", opt->scenario,
                     "GasLib .scn nomination: entry and exit flows / GasLib 提名流量")
        ->type_name("NET.scn");
    solve
        ->add_option("--results", opt->results,
                     "Write results as long CSV (time_s,type,id,quantity,value): pressure_pa, "
                     "injection_m3s per node, flow_m3s per connection / 结果文件")
        ->type_name("FILE.csv");
    solve->add_option("--max-iterations", opt->max_iterations, "Newton iteration limit per zone")
        ->check(CLI::Range(1, 100000));
    solve->footer("Exit status: 0 every component solved within its limits, 1 bad input, 2 bad "
                  "usage, 3 a file is missing or unreadable, 4 a component is infeasible, has no "
                  "source or did not converge (named in the report). See docs/gas.md.\n");
    solve->callback([opt, &ctx] { run_gas_solve(*opt, ctx); });
}

} // namespace rencheng::cli
