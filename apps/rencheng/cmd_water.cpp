// `rencheng water solve|check NET.inp`: EPANET network hydraulics to the long results CSV, and
// validation with a summary.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "diagnostics_output.hpp"
#include "water/epanet_inp.hpp"
#include "water/eps.hpp"
#include "water/results_csv.hpp"

namespace rencheng::cli {

namespace {

struct WaterOptions {
    std::string inp;
    std::string results;
    std::string duration;
    std::string quality; ///< "", "none", "age", "trace:NODE"
    bool pda = false;
    bool werror = false;
    std::size_t threads = 0; ///< 0: all cores
};

/// "24h", "90m", "3600s", "2d" or "H:MM[:SS]" → seconds. Throws Error(kUsage).
units::Seconds parse_duration(const std::string& text) {
    const auto bad = [&] {
        return Error(ErrorCode::kUsage, "--duration '" + text +
                                            "': give a number with a unit (s, m, h, d), e.g. "
                                            "24h or 3600s, or H:MM[:SS]");
    };
    if (text.find(':') != std::string::npos) {
        long long parts[3] = {0, 0, 0};
        int n = 0;
        std::size_t pos = 0;
        while (pos <= text.size() && n < 3) {
            const std::size_t end = std::min(text.find(':', pos), text.size());
            const auto r = std::from_chars(text.data() + pos, text.data() + end, parts[n]);
            if (r.ec != std::errc{} || r.ptr != text.data() + end || parts[n] < 0)
                throw bad();
            ++n;
            pos = end + 1;
        }
        if (pos <= text.size() || n < 2 || parts[1] >= 60 || parts[2] >= 60)
            throw bad();
        return parts[0] * 3600 + parts[1] * 60 + parts[2];
    }
    if (text.size() < 2)
        throw bad();
    double value = 0;
    const char unit = text.back();
    const auto r = std::from_chars(text.data(), text.data() + text.size() - 1, value);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size() - 1 || !(value >= 0))
        throw bad();
    double scale = 0;
    switch (unit) {
    case 's':
        scale = 1;
        break;
    case 'm':
        scale = 60;
        break;
    case 'h':
        scale = 3600;
        break;
    case 'd':
        scale = 86400;
        break;
    default:
        throw bad();
    }
    const double s = value * scale;
    if (s > 1e12 || s != static_cast<double>(static_cast<long long>(s)))
        throw bad();
    return static_cast<units::Seconds>(s);
}

/// Reads the network and prints its diagnostics; nullopt (with ctx.exit_code set) on errors.
std::optional<water::Network> load(const WaterOptions& opt, CommandContext& ctx) {
    Diagnostics diags;
    water::Network net = water::read_inp(opt.inp, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors() || (opt.werror && diags.warning_count() > 0)) {
        std::fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", opt.inp.c_str(),
                     diags.error_count(), diags.error_count() == 1 ? "" : "s",
                     diags.warning_count(), diags.warning_count() == 1 ? "" : "s");
        ctx.exit_code = failure_exit_status(diags, opt.werror);
        return std::nullopt;
    }
    return net;
}

std::string format_seconds(units::Seconds s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
}

void run_water_solve(const WaterOptions& opt, CommandContext& ctx) {
    using namespace rencheng::water;
    EpsOptions eo;
    if (!opt.duration.empty())
        eo.duration = parse_duration(opt.duration);
    auto loaded = load(opt, ctx);
    if (!loaded)
        return;
    Network& net = *loaded;
    if (opt.pda)
        net.options.demand_model = DemandModel::kPda;
    if (!opt.quality.empty()) {
        if (opt.quality == "none" || opt.quality == "age") {
            net.options.quality = {opt.quality == "none" ? "NONE" : "AGE"};
        } else if (opt.quality.rfind("trace:", 0) == 0 && opt.quality.size() > 6) {
            net.options.quality = {"TRACE", opt.quality.substr(6)};
        } else {
            throw Error(ErrorCode::kUsage,
                        "--quality '" + opt.quality + "': give none, age or trace:NODE");
        }
    }
    const ThreadLimit limit(opt.threads);
    const HydraulicTopology topo(net);
    // The quality analysis rides on the hydraulics; without one the plain EPS runs.
    const QualityModel qmodel = quality_model(net);
    QualityResult qres;
    if (qmodel.kind != QualityKind::kNone)
        qres = simulate_quality(net, topo, eo);
    else
        qres.hydraulics = simulate_eps(net, topo, eo);
    const EpsResult& res = qres.hydraulics;
    if (!opt.results.empty())
        write_results_csv(opt.results, net, qres);
    // Junctions without water at some reporting time, with the reason.
    std::vector<std::uint8_t> cut(static_cast<std::size_t>(net.node_count()), 0);
    std::int32_t max_cut = 0;
    for (const EpsSnapshot& s : res.reports) {
        max_cut = std::max(max_cut, s.summary.cut_off_nodes);
        for (std::size_t i = 0; i < cut.size(); ++i)
            if (s.cut_off[i] && net.node_kind[i] == NodeKind::kJunction)
                cut[i] = 1;
    }
    if (!ctx.quiet) {
        std::printf("%s: %d nodes, %d links, %s demand; simulated %s in %d hydraulic steps "
                    "(%lld iterations)\n",
                    opt.inp.c_str(), net.node_count(), net.link_count(),
                    net.options.demand_model == DemandModel::kPda ? "pressure-driven"
                                                                  : "demand-driven",
                    format_seconds(res.reports.empty() ? 0 : res.reports.back().time_s).c_str(),
                    res.hydraulic_steps, res.iterations);
        std::printf("  mass balance: largest relative error %.3g\n", res.max_mass_balance_error);
        // EPANET 2.3 pipe leakage: its share of the water supplied (EPANET's "% leakage loss")
        if (topo.has_leakage) {
            const double share = res.supply_volume_m3 > 0
                                     ? 100.0 * res.leakage_volume_m3 / res.supply_volume_m3
                                     : 0.0;
            if (!res.reports.empty() && res.reports.back().time_s > 0)
                std::printf("  pipe leakage / 管道漏损: %.6g m3 over the run, %.3g %% of the water "
                            "supplied\n",
                            res.leakage_volume_m3, share);
            else
                std::printf("  pipe leakage / 管道漏损: %.6g L/s, %.3g %% of the water supplied\n",
                            1000.0 * res.leakage_volume_m3, share);
        }
        if (qmodel.kind != QualityKind::kNone)
            std::printf("  water quality (%s%s%s): mass balance ratio %.6f, at most %lld "
                        "segments\n",
                        std::string(quality_kind_name(qmodel.kind)).c_str(),
                        qmodel.chemical_name.empty() ? "" : " ", qmodel.chemical_name.c_str(),
                        qres.mass_balance.ratio, static_cast<long long>(qres.max_segments));
        // Pump energy over the run, as EPANET's energy report
        if (!res.pump_energy.empty()) {
            std::printf("  pump energy / 水泵能耗 (utilization %%, mean efficiency %%, kWh/m3, "
                        "mean kW, peak kW, cost/day):\n");
            double cost = 0;
            for (std::int32_t j = 0; j < net.pumps.count(); ++j) {
                const PumpEnergy& e = res.pump_energy[static_cast<std::size_t>(j)];
                std::printf("    %-12s %7.2f %7.2f %9.4f %10.2f %10.2f %10.2f\n",
                            net.link_id[net.pumps.link[static_cast<std::size_t>(j)].idx()].c_str(),
                            e.utilization_pct, e.efficiency_pct, e.kwh_per_m3, e.average_kw,
                            e.peak_kw, e.cost_per_day);
                cost += e.cost_per_day;
            }
            std::printf("    demand charge / 需量电费 %.2f, total cost / 总费用 %.2f\n",
                        res.demand_charge, cost + res.demand_charge);
        }
        // Tanks that spilled (EPANET 2.2 `Overflow YES`): volume over the run, peak rate.
        for (std::int32_t t = 0; t < net.tanks.count(); ++t) {
            const auto ut = static_cast<std::size_t>(t);
            const double volume =
                ut < res.tank_overflow_volume_m3.size() ? res.tank_overflow_volume_m3[ut] : 0.0;
            if (!(volume > 0))
                continue;
            double peak = 0;
            for (const EpsSnapshot& s : res.reports)
                if (ut < s.tank_overflow_m3s.size())
                    peak = std::max(peak, s.tank_overflow_m3s[ut]);
            std::printf("  tank %s overflowed / 水池溢流: %.6g m3 spilled over the run, at most "
                        "%.6g L/s at a reporting time\n",
                        net.node_id[net.tanks.node[ut].idx()].c_str(), volume, peak * 1e3);
        }
        const auto n_cut = std::count(cut.begin(), cut.end(), 1);
        if (n_cut > 0) {
            std::printf(
                "  %lld junction%s without water (cut off from every tank and reservoir "
                "by closed links, or reached only against a pump or check valve / 与所有水源隔断):",
                static_cast<long long>(n_cut), n_cut == 1 ? "" : "s");
            int shown = 0;
            for (std::size_t i = 0; i < cut.size() && shown < 10; ++i)
                if (cut[i]) {
                    std::printf(" %s", net.node_id[i].c_str());
                    ++shown;
                }
            std::printf(n_cut > 10 ? " ...\n" : "\n");
        }
        if (!opt.results.empty())
            std::printf("  results: %s\n", opt.results.c_str());
    }
    std::fflush(stdout);
    if (!res.converged) {
        std::fprintf(stderr, "%s: error E%03d (%s): %s%s\n", opt.inp.c_str(),
                     static_cast<int>(ErrorCode::kNoConvergence),
                     std::string(error_code_name(ErrorCode::kNoConvergence)).c_str(),
                     res.message.c_str(),
                     opt.results.empty() ? "" : " (results written, unconverged steps included)");
        ctx.exit_code = exit_status(ErrorCode::kNoConvergence);
        return;
    }
    ctx.exit_code = 0;
}

void run_water_check(const WaterOptions& opt, CommandContext& ctx) {
    using namespace rencheng::water;
    auto loaded = load(opt, ctx);
    if (!loaded)
        return;
    const Network& net = *loaded;
    // Junctions that no open link path joins to a tank or reservoir (closed pipes count as cut).
    const CsrGraph adj = net.adjacency();
    const auto nn = static_cast<std::size_t>(net.node_count());
    std::vector<std::uint8_t> reached(nn, 0);
    std::vector<std::int32_t> queue;
    for (std::size_t i = 0; i < nn; ++i)
        if (net.node_kind[i] != NodeKind::kJunction) {
            reached[i] = 1;
            queue.push_back(static_cast<std::int32_t>(i));
        }
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const auto arcs = adj.arcs(queue[q]);
        const auto heads = adj.neighbours(queue[q]);
        for (std::size_t a = 0; a < arcs.size(); ++a) {
            const auto w = static_cast<std::size_t>(heads[a]);
            if (reached[w] ||
                net.initial_status[static_cast<std::size_t>(arcs[a])] == LinkStatus::kClosed)
                continue;
            reached[w] = 1;
            queue.push_back(heads[a]);
        }
    }
    const auto unreached = std::count(reached.begin(), reached.end(), 0);
    if (!ctx.quiet) {
        std::printf("%s: valid EPANET network\n", opt.inp.c_str());
        std::printf("  nodes: %d (%d junctions, %d reservoirs, %d tanks)\n", net.node_count(),
                    net.junction_count(), net.reservoir_count(), net.tanks.count());
        std::printf("  links: %d (%d pipes, %d pumps, %d valves)\n", net.link_count(),
                    net.pipe_count(), net.pumps.count(), net.valves.count());
        std::printf("  patterns %zu, curves %zu, controls %zu, rules %zu\n", net.patterns.size(),
                    net.curves.size(), net.controls.size(), net.rules.size());
        std::printf("  units %s, head loss %s, demand model %s, duration %s\n",
                    std::string(flow_units_name(net.options.flow_units)).c_str(),
                    net.options.headloss == HeadLossFormula::kHazenWilliams   ? "H-W"
                    : net.options.headloss == HeadLossFormula::kDarcyWeisbach ? "D-W"
                                                                              : "C-M",
                    net.options.demand_model == DemandModel::kPda ? "PDA" : "DDA",
                    format_seconds(net.times.duration).c_str());
        if (unreached > 0)
            std::printf("  %lld node%s not joined to any tank or reservoir by open links "
                        "(they get no water)\n",
                        static_cast<long long>(unreached), unreached == 1 ? "" : "s");
    }
    std::fflush(stdout);
    ctx.exit_code = 0;
}

void add_common(CLI::App* cmd, WaterOptions& opt) {
    cmd->add_option("network", opt.inp, "The EPANET input file")->required()->type_name("NET.inp");
    cmd->add_flag("--werror", opt.werror, "Treat warnings of the input as errors");
}

} // namespace

void add_water_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* water = app.add_subcommand(
        "water", "The water lifeline: EPANET networks and hydraulics / 供水生命线：水力计算");
    water->require_subcommand(1);
    auto solve_opt = std::make_shared<WaterOptions>();
    CLI::App* solve = water->add_subcommand(
        "solve", "Extended-period hydraulics of an EPANET .inp network / 水力求解");
    add_common(solve, *solve_opt);
    solve->add_flag("--pda", solve_opt->pda,
                    "Pressure-driven demand (the file's minimum/required pressures)");
    solve->add_option("--duration", solve_opt->duration,
                      "Simulated time: 24h, 90m, 3600s, 2d or H:MM (default: the file's)");
    solve
        ->add_option("--quality", solve_opt->quality,
                     "Water quality analysis instead of the file's QUALITY option: none, age or "
                     "trace:NODE / 水质分析（水龄、溯源）")
        ->type_name("KIND");
    solve
        ->add_option(
            "--results", solve_opt->results,
            "Write results as long CSV (time_s,type,id,quantity,value); tanks that may "
            "overflow also get overflow_m3s and overflow_volume_m3, pumps their energy use "
            "at the last time / 结果长表（含水池溢流、水泵能耗）")
        ->type_name("FILE.csv");
    solve
        ->add_option("--threads", solve_opt->threads,
                     "Worker threads for large networks (0: all cores); the results are the same "
                     "for any count / 线程数（结果与线程数无关）")
        ->capture_default_str();
    solve->footer("Exit status: 0 solved, 1 bad input, 2 bad usage, 3 a file is missing or "
                  "unreadable, 4 some step did not converge. See docs/water.md.\n");
    solve->callback([solve_opt, &ctx] { run_water_solve(*solve_opt, ctx); });

    auto check_opt = std::make_shared<WaterOptions>();
    CLI::App* check = water->add_subcommand(
        "check", "Validate an EPANET .inp network and summarise it / 校验管网文件");
    add_common(check, *check_opt);
    check->footer("Exit status: 0 valid, 1 errors in the input (file:line: message), 3 the file "
                  "is missing or unreadable.\n");
    check->callback([check_opt, &ctx] { run_water_check(*check_opt, ctx); });
}

} // namespace rencheng::cli
