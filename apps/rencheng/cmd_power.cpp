// `rencheng power solve CASE.m`: reads a MATPOWER case, runs an AC or DC power flow, writes
// results.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "diagnostics_output.hpp"
#include "power/matpower.hpp"
#include "power/power_flow.hpp"
#include "power/results_csv.hpp"

namespace rencheng::cli {

namespace {

struct PowerSolveOptions {
    std::string case_file;
    std::string results;
    std::string method = "newton";
    bool dc = false;
    bool enforce_q_limits = false;
    bool one_at_a_time = false;
    double tolerance = 1e-8;
    int max_iterations = 0;
};

void run_power_solve(const PowerSolveOptions& opt, CommandContext& ctx) {
    using namespace rencheng::power;
    Diagnostics diags;
    const Network net = read_matpower(opt.case_file, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors()) {
        std::fprintf(stderr, "%s: %zu error%s; not solved\n", opt.case_file.c_str(),
                     diags.error_count(), diags.error_count() == 1 ? "" : "s");
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    PowerFlowOptions o;
    if (opt.dc || opt.method == "dc")
        o.method = PowerFlowMethod::kDc;
    else if (opt.method == "fdxb")
        o.method = PowerFlowMethod::kFastDecoupledXb;
    else if (opt.method == "fdbx")
        o.method = PowerFlowMethod::kFastDecoupledBx;
    else
        o.method = PowerFlowMethod::kNewton;
    o.enforce_q_limits = opt.enforce_q_limits || opt.one_at_a_time;
    o.q_limits_one_at_a_time = opt.one_at_a_time;
    o.tolerance_pu = opt.tolerance;
    o.max_iterations = opt.max_iterations;
    if (o.enforce_q_limits && o.method == PowerFlowMethod::kDc)
        throw Error(ErrorCode::kUsage, "--enforce-q-limits applies to AC power flows, not --dc");

    const PowerFlowResult res = solve_power_flow(net, o);
    const std::string label = net.name.empty() ? opt.case_file : net.name;
    if (!res.converged)
        throw Error(ErrorCode::kNoConvergence, label + ": " + std::string(method_name(o.method)) +
                                                   " power flow " + res.summary(net) +
                                                   "; no results written");
    if (!opt.results.empty())
        write_results_csv(opt.results, net, res);
    if (!ctx.quiet) {
        double gen = 0, load = 0, losses = 0;
        for (double p : res.pg_pu)
            gen += p;
        for (std::size_t i = 0; i < res.vm_pu.size(); ++i)
            if (net.buses.type[i] != BusType::kIsolated)
                load += net.buses.pd_pu[i] + net.buses.gs_pu[i] * res.vm_pu[i] * res.vm_pu[i];
        for (std::size_t k = 0; k < res.p_from_pu.size(); ++k)
            losses += res.p_from_pu[k] + res.p_to_pu[k];
        std::printf("%s: %s power flow (%s) %s\n", label.c_str(),
                    o.method == PowerFlowMethod::kDc ? "DC" : "AC",
                    std::string(method_name(o.method)).c_str(), res.summary(net).c_str());
        if (!res.q_limited.empty())
            std::printf("  %zu generator%s held at a reactive limit\n", res.q_limited.size(),
                        res.q_limited.size() == 1 ? "" : "s");
        std::printf("  generation %.3f MW, load %.3f MW, losses %.3f MW\n", gen * net.base_mva,
                    load * net.base_mva, losses * net.base_mva);
        if (!opt.results.empty())
            std::printf("  results: %s\n", opt.results.c_str());
    }
    std::fflush(stdout);
    ctx.exit_code = 0;
}

} // namespace

void add_power_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* power = app.add_subcommand(
        "power", "The power lifeline: MATPOWER cases and power flow / 电力生命线：潮流计算");
    power->require_subcommand(1);
    auto opt = std::make_shared<PowerSolveOptions>();
    CLI::App* solve = power->add_subcommand(
        "solve", "Solve the AC (Newton-Raphson) or DC power flow of a MATPOWER case / 潮流求解");
    solve->add_option("case", opt->case_file, "The MATPOWER case file (.m, format version 2)")
        ->required()
        ->type_name("CASE.m");
    solve->add_flag("--dc", opt->dc, "DC power flow (same as --method dc)");
    solve->add_option("--method", opt->method, "newton (default), fdxb, fdbx or dc")
        ->check(CLI::IsMember({"newton", "fdxb", "fdbx", "dc"}));
    solve->add_flag("--enforce-q-limits", opt->enforce_q_limits,
                    "Hold generators at their reactive limits, turning their buses to PQ");
    solve->add_flag("--q-limits-one-at-a-time", opt->one_at_a_time,
                    "As --enforce-q-limits, but fix only the largest violation per round");
    solve
        ->add_option("--tolerance", opt->tolerance,
                     "Largest power mismatch accepted, per unit (default 1e-8)")
        ->check(CLI::PositiveNumber);
    solve
        ->add_option("--max-iterations", opt->max_iterations,
                     "Most iterations (default: Newton 10, fast-decoupled 30)")
        ->check(CLI::NonNegativeNumber);
    solve
        ->add_option("--results", opt->results,
                     "Write results as long CSV (time_s,type,id,quantity,value)")
        ->type_name("FILE.csv");
    solve->footer("Exit status: 0 solved, 1 bad case file, 3 a file is missing or unreadable, "
                  "4 the power flow did not converge. See docs/power.md.\n");
    solve->callback([opt, &ctx] { run_power_solve(*opt, ctx); });
}

} // namespace rencheng::cli
