// `rencheng drainage solve NET.inp`: SWMM-compatible runoff and flow routing of a drainage model
// to the long results CSV and the summary CSV.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "diagnostics_output.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"

namespace rencheng::cli {

namespace {

struct DrainageOptions {
    std::string inp;
    std::string routing;
    std::string results;
    std::string summary;
    bool werror = false;
};

void run_drainage_solve(const DrainageOptions& opt, CommandContext& ctx) {
    using namespace rencheng::drainage;
    SimulationOptions so;
    so.base_dir = std::filesystem::path(opt.inp).parent_path();
    if (opt.routing == "dynwave")
        so.routing = FlowRouting::kDynwave;
    else if (opt.routing == "kinwave")
        so.routing = FlowRouting::kKinwave;
    else if (!opt.routing.empty())
        throw Error(ErrorCode::kUsage, "--routing '" + opt.routing +
                                           "': use dynwave or kinwave / 只能是 dynwave 或 kinwave");
    Diagnostics diags;
    const Network net = read_swmm_inp(opt.inp, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors() || (opt.werror && diags.warning_count() > 0)) {
        std::fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", opt.inp.c_str(),
                     diags.error_count(), diags.error_count() == 1 ? "" : "s",
                     diags.warning_count(), diags.warning_count() == 1 ? "" : "s");
        ctx.exit_code = failure_exit_status(diags, opt.werror);
        return;
    }
    const SimulationResult res = simulate(net, so);
    if (!opt.results.empty())
        write_results_csv(opt.results, net, res);
    if (!opt.summary.empty())
        write_summary_csv(opt.summary, net, res);
    if (!ctx.quiet) {
        const auto& s = res.summary;
        double flooded = 0;
        for (const double v : s.flood_volume_m3)
            flooded += v;
        std::printf("%s: %d subcatchments, %d nodes, %d links; %lld runoff steps, %lld routing "
                    "steps\n",
                    opt.inp.c_str(), net.subcatchments.count(), net.node_count(), net.link_count(),
                    static_cast<long long>(s.runoff_steps),
                    static_cast<long long>(s.routing_steps));
        if (s.has_runoff)
            std::printf("  runoff continuity error / 产流连续性误差: %.3f %%\n",
                        s.runoff_continuity_error_pct);
        if (s.has_routing)
            std::printf("  flow routing continuity error / 汇流连续性误差: %.3f %%\n",
                        s.flow_routing_continuity_error_pct);
        std::printf("  flooded volume / 溢流总量: %.3f m3\n", flooded);
        if (!opt.results.empty())
            std::printf("  results: %s\n", opt.results.c_str());
        if (!opt.summary.empty())
            std::printf("  summary: %s\n", opt.summary.c_str());
    }
    std::fflush(stdout);
    ctx.exit_code = 0;
}

} // namespace

void add_drainage_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* drainage = app.add_subcommand(
        "drainage", "The drainage lifeline: SWMM models, runoff and flow routing / 排水生命线");
    drainage->require_subcommand(1);
    auto opt = std::make_shared<DrainageOptions>();
    CLI::App* solve = drainage->add_subcommand(
        "solve", "Runoff and flow routing of an EPA SWMM .inp model / 产汇流与管网水力计算");
    solve->add_option("network", opt->inp, "The SWMM 5 input file / SWMM 输入文件")
        ->required()
        ->type_name("NET.inp");
    solve
        ->add_option("--routing", opt->routing,
                     "Flow routing: dynwave or kinwave (default: the file's FLOW_ROUTING) / "
                     "汇流方法：动力波或运动波")
        ->type_name("dynwave|kinwave");
    solve
        ->add_option("--results", opt->results,
                     "Write results at report times as long CSV (time_s,type,id,quantity,value) "
                     "/ 按报告时刻输出结果")
        ->type_name("FILE.csv");
    solve
        ->add_option("--summary", opt->summary,
                     "Write peaks, flood volumes and continuity errors (type,id,quantity,value) "
                     "/ 输出峰值、溢流量和连续性误差")
        ->type_name("FILE.csv");
    solve->add_flag("--werror", opt->werror,
                    "Treat warnings of the input as errors / 警告视为错误");
    solve->footer("Exit status: 0 solved, 1 bad input or a feature not simulated yet, 2 bad "
                  "usage, 3 a file is missing or unreadable. See docs/drainage.md.\n"
                  "退出码：0 成功，1 输入错误或尚不支持的功能，2 用法错误，3 文件缺失或不可读。");
    solve->callback([opt, &ctx] { run_drainage_solve(*opt, ctx); });
}

} // namespace rencheng::cli
