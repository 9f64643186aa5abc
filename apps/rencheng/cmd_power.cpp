// `rencheng power solve|contingency CASE.m`: power flow of a MATPOWER case, or its N-1 / N-k
// contingency analysis with islanding and load shedding.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "diagnostics_output.hpp"
#include "power/contingency.hpp"
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

struct PowerContingencyOptions {
    std::string case_file;
    bool n_1 = false;
    std::int32_t n_k = 0;
    std::int32_t k_max = 3;
    std::uint64_t seed = 1;
    std::int32_t top = 10;
    bool no_screening = false;
    bool dc_fallback = false;
    std::size_t threads = 0;
    std::string results;
};

/// One row per contingency: its description and numbers, in the order analysed.
std::string outcomes_csv(const power::Network& net, const std::vector<power::Contingency>& cs,
                         const power::ContingencyReport& rep) {
    using namespace rencheng::power;
    std::string out = "index,kind,element,outages,screened,islands,de_energised_islands,"
                      "non_converged_islands,load_lost_mw,overloads,max_loading,worst_branch,"
                      "voltage_violations,max_voltage_violation_pu,worst_bus\n";
    char buf[512];
    for (std::size_t i = 0; i < rep.outcomes.size(); ++i) {
        const ContingencyOutcome& o = rep.outcomes[i];
        std::string outages;
        for (BranchIndex k : cs[i].outages.branches)
            outages += (outages.empty() ? "" : " ") + std::string("branch:") +
                       std::to_string(k.value() + 1);
        for (GenIndex g : cs[i].outages.gens)
            outages +=
                (outages.empty() ? "" : " ") + std::string("gen:") + std::to_string(g.value() + 1);
        std::snprintf(
            buf, sizeof buf, "%zu,%s,%d,%s,%d,%d,%d,%d,%.6f,%d,%.6f,%d,%d,%.6f,%lld\n", i + 1,
            std::string(contingency_kind_name(o.kind)).c_str(), o.element < 0 ? 0 : o.element + 1,
            outages.c_str(), o.screened ? 1 : 0, o.islands, o.de_energised_islands,
            o.non_converged_islands, o.load_lost_mw, o.overloads, o.max_loading,
            o.worst_branch.valid() ? o.worst_branch.value() + 1 : 0, o.voltage_violations,
            o.max_voltage_violation_pu,
            o.worst_bus.valid() ? static_cast<long long>(net.buses.number[o.worst_bus.idx()])
                                : 0LL);
        out += buf;
    }
    return out;
}

void run_power_contingency(const PowerContingencyOptions& opt, CommandContext& ctx) {
    using namespace rencheng::power;
    Diagnostics diags;
    const Network net = read_matpower(opt.case_file, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors()) {
        std::fprintf(stderr, "%s: %zu error%s; not analysed\n", opt.case_file.c_str(),
                     diags.error_count(), diags.error_count() == 1 ? "" : "s");
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    const ThreadLimit limit(opt.threads);
    std::vector<Contingency> cs;
    if (opt.n_1 || opt.n_k == 0)
        cs = n_minus_1_contingencies(net);
    if (opt.n_k > 0) {
        auto sampled = sample_n_k(net, opt.n_k, opt.k_max, opt.seed);
        cs.insert(cs.end(), std::make_move_iterator(sampled.begin()),
                  std::make_move_iterator(sampled.end()));
    }
    ContingencyOptions o;
    o.dc_screening = !opt.no_screening;
    if (opt.dc_fallback)
        o.islands.on_ac_failure = AcFailurePolicy::kDcFallback;
    const ContingencyReport rep = analyse_contingencies(net, cs, o);
    if (!opt.results.empty())
        write_file_atomic(opt.results, outcomes_csv(net, cs, rep));
    if (ctx.quiet) {
        ctx.exit_code = 0;
        return;
    }
    const std::string label = net.name.empty() ? opt.case_file : net.name;
    std::printf("%s: %zu contingencies in %.2f s (%d solved, %d screened by DC), %zu thread%s\n",
                label.c_str(), cs.size(), rep.seconds, rep.solved, rep.screened, max_threads(),
                max_threads() == 1 ? "" : "s");
    std::printf("  base case: %d island%s, %d overload%s (largest loading %.1f%%), %d voltage "
                "violation%s, load lost %.3f MW of %.3f MW\n",
                rep.base.islands, rep.base.islands == 1 ? "" : "s", rep.base.overloads,
                rep.base.overloads == 1 ? "" : "s", 100 * rep.base.max_loading,
                rep.base.voltage_violations, rep.base.voltage_violations == 1 ? "" : "s",
                rep.base.load_lost_mw, rep.base.load_mw);
    std::int32_t islanding = 0, losing = 0, overloading = 0, failing = 0;
    for (const ContingencyOutcome& c : rep.outcomes) {
        failing += c.non_converged_islands > 0;
        islanding += c.islands > rep.base.islands;
        losing += c.load_lost_mw > rep.base.load_lost_mw + 1e-9;
        overloading += c.overloads > rep.base.overloads;
    }
    std::printf("  %d split the network, %d lose load, %d add overloads, %d leave an island whose "
                "power flow does not converge (de-energised)\n",
                islanding, losing, overloading, failing);
    const auto order = rank_contingencies(rep.outcomes);
    const auto top = std::min<std::size_t>(order.size(), static_cast<std::size_t>(opt.top));
    if (top > 0) {
        std::printf("  worst %zu:\n  %4s  %-26s %12s %8s %9s %9s %7s\n", top, "rank", "outage",
                    "load lost MW", "islands", "overloads", "max load", "V viol");
        for (std::size_t r = 0; r < top; ++r) {
            const ContingencyOutcome& c = rep.outcomes[static_cast<std::size_t>(order[r])];
            std::string what = describe_contingency(net, c);
            if (c.kind == ContingencyKind::kMultiple) {
                const auto& os = cs[static_cast<std::size_t>(order[r])].outages;
                what = std::to_string(os.branches.size()) + " branches, " +
                       std::to_string(os.gens.size()) + " gens (#" + std::to_string(order[r] + 1) +
                       ")";
            }
            std::printf("  %4zu  %-26s %12.3f %8d %9d %8.1f%% %7d%s\n", r + 1, what.c_str(),
                        c.load_lost_mw, c.islands, c.overloads, 100 * c.max_loading,
                        c.voltage_violations, c.screened ? "  (screened)" : "");
        }
    }
    if (!opt.results.empty())
        std::printf("  results: %s\n", opt.results.c_str());
    std::fflush(stdout);
    ctx.exit_code = 0;
}

} // namespace

void add_power_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* power = app.add_subcommand(
        "power", "The power lifeline: MATPOWER cases, power flow, contingencies / 电力生命线");
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

    auto copt = std::make_shared<PowerContingencyOptions>();
    CLI::App* cont = power->add_subcommand(
        "contingency",
        "N-1 / N-k contingency analysis with islanding and load shedding / 预想事故分析");
    cont->add_option("case", copt->case_file, "The MATPOWER case file (.m, format version 2)")
        ->required()
        ->type_name("CASE.m");
    cont->add_flag("--n-1", copt->n_1,
                   "Every branch and generator in service, one at a time (the default without "
                   "--n-k)");
    cont->add_option("--n-k", copt->n_k, "Also this many random outage sets of 1..--k-max elements")
        ->check(CLI::NonNegativeNumber);
    cont->add_option("--k-max", copt->k_max, "Most elements in a random outage set (default 3)")
        ->check(CLI::PositiveNumber);
    cont->add_option("--seed", copt->seed, "Seed of the random outage sets (default 1)");
    cont->add_option("--top", copt->top, "Print the K worst contingencies (default 10)")
        ->type_name("K")
        ->check(CLI::NonNegativeNumber);
    cont->add_flag("--no-screening", copt->no_screening,
                   "Solve every contingency in AC (no DC screening of the safe ones)");
    cont->add_flag("--dc-fallback", copt->dc_fallback,
                   "Solve an island DC when its AC power flow does not converge (default: it is "
                   "de-energised)");
    cont->add_option("--threads", copt->threads, "Worker threads (0: all)");
    cont->add_option("--results", copt->results, "Write one CSV row per contingency")
        ->type_name("FILE.csv");
    cont->footer("Exit status: 0 analysed, 1 bad case file, 3 a file is missing or unreadable. "
                 "See docs/power.md.\n");
    cont->callback([copt, &ctx] { run_power_contingency(*copt, ctx); });
}

} // namespace rencheng::cli
