// `rencheng stress-test SCENARIO.toml`: runs a scenario's Monte Carlo stress test on its city and
// writes the run folder (docs/scenario.md, docs/run-folder.md).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "diagnostics_output.hpp"
#include "model/city.hpp"
#include "report/html_report.hpp"
#include "report/run_folder.hpp"
#include "sim/ensemble.hpp"
#include "sim/metrics.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"

#ifdef RENCHENG_WITH_MPI
#include "mpi_runner.hpp"
#endif

#ifndef RENCHENG_VERSION
#define RENCHENG_VERSION "unknown"
#endif

namespace rencheng::cli {

namespace {

namespace fs = std::filesystem;

struct StressOptions {
    std::string scenario;
    std::string out;
    std::size_t threads = 0;
    std::optional<std::int32_t> realizations;
    std::optional<std::uint64_t> seed;
    bool quiet = false;
    std::vector<std::string> argv;
};

std::string utc_stamp(std::time_t t, const char* format) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

void print_summary(const sim::Simulation& sim, const sim::EnsembleResult& ens,
                   const fs::path& dir) {
    const auto& sc = sim.scenario();
    std::printf("\n%s — %s realizations, %s h, seed %llu / 情景 %s：%d 次模拟\n", sc.name.c_str(),
                std::to_string(ens.realizations.size()).c_str(),
                fmt("%.0f", static_cast<double>(sc.horizon_s) / 3600.0).c_str(),
                static_cast<unsigned long long>(sc.seed), sc.name.c_str(),
                static_cast<int>(ens.realizations.size()));
    std::printf("%-12s %14s %14s %12s %12s\n", "service", "person-h lost", "min served", "t90 (h)",
                "t100 (h)");
    std::printf("%-12s %14s %14s %12s %12s\n", "服务", "人·时损失(均值)", "最低服务率", "恢复90%",
                "恢复100%");
    for (int s = 0; s < sim::kServiceCount; ++s) {
        const auto service = static_cast<model::Service>(s);
        if (!sim.has_service_curve(service))
            continue;
        std::vector<double> lost, mins, t90, t100;
        for (const auto& r : ens.realizations) {
            const auto m = sim::curve_metrics(r.served_population[s],
                                              sim.service_population(service), sc.step_s);
            lost.push_back(m.population_hours_lost);
            mins.push_back(m.min_service);
            t90.push_back(m.time_to_restore_h[1] ? *m.time_to_restore_h[1]
                                                 : std::numeric_limits<double>::infinity());
            t100.push_back(m.time_to_restore_h[2] ? *m.time_to_restore_h[2]
                                                  : std::numeric_limits<double>::infinity());
        }
        const auto L = sim::compute_stats(lost), M = sim::compute_stats(mins);
        const auto T90 = sim::compute_stats(t90), T100 = sim::compute_stats(t100);
        auto show = [](const sim::Stat& x, const char* f) {
            return x.defined ? fmt(f, x.value) : std::string("> horizon");
        };
        std::printf("%-12s %14s %13s%% %12s %12s\n",
                    std::string(model::service_name(service)).c_str(), show(L.mean, "%.0f").c_str(),
                    M.mean.defined ? fmt("%.1f", 100.0 * M.mean.value).c_str() : "-",
                    show(T90.p50, "%.1f").c_str(), show(T100.p50, "%.1f").c_str());
    }
    std::printf("(t90, t100: median over realizations / 各次模拟的中位数)\n");
    std::printf("Run folder / 结果目录: %s\n", dir.string().c_str());
}

void run_stress_test(const StressOptions& opt, CommandContext& ctx) {
    // Under mpirun every rank runs this function; rank 0 alone talks and writes (MPI is never
    // initialised otherwise, nor by any other subcommand).
    int rank = 0, ranks = 1;
#ifdef RENCHENG_WITH_MPI
    std::optional<MpiSession> mpi;
    if (launched_by_mpi()) {
        mpi.emplace();
        rank = mpi->rank();
        ranks = mpi->size();
    }
#endif
    const bool quiet = opt.quiet || ctx.quiet || rank != 0;
    const auto started = std::chrono::steady_clock::now();
    const std::time_t now = std::time(nullptr);
    Diagnostics diags;
    sim::Scenario scenario = sim::load_scenario(opt.scenario, diags);
    if (diags.has_errors()) {
        diags.sort();
        if (rank == 0)
            print_diagnostics(diags, stderr, false);
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    if (opt.realizations)
        scenario.realizations = *opt.realizations;
    if (opt.seed)
        scenario.seed = *opt.seed;
    const model::City city = model::load_city(scenario.city, diags);
    if (diags.has_errors()) {
        diags.sort();
        if (rank == 0)
            print_diagnostics(diags, stderr, false);
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    const sim::Simulation simulation(city, scenario);

    const fs::path out =
        opt.out.empty() ? fs::path("runs") / (scenario.name + "-" + utc_stamp(now, "%Y%m%dT%H%M%S"))
                        : fs::path(opt.out);
    std::optional<AtomicDirectory> dir;
    sim::EnsembleOptions eo;
#ifdef RENCHENG_WITH_MPI
    if (mpi) {
        // Rank 0 claims the run folder first, so that a folder that exists stops every rank
        // before any computing.
        int status = 0;
        std::exception_ptr failure;
        if (rank == 0) {
            try {
                dir.emplace(out, false);
            } catch (const Error& e) {
                status = exit_status(e.code());
                failure = std::current_exception();
            }
        }
        status = mpi->broadcast_status(status);
        if (failure)
            std::rethrow_exception(failure);
        if (status != 0) {
            ctx.exit_code = status;
            return;
        }
        mpi->share(scenario.realizations, eo.first, eo.count);
    }
#endif
    if (rank == 0 && !dir)
        dir.emplace(out, false);

    TerminalProgress progress(stderr, quiet);
    eo.threads = opt.threads;
    eo.progress = &progress;
    sim::EnsembleResult ens = sim::run_ensemble(simulation, eo);
#ifdef RENCHENG_WITH_MPI
    if (mpi) {
        ens = mpi->gather(std::move(ens));
        if (rank != 0) {
            ctx.exit_code = 0;
            return;
        }
    }
#endif

    report::RunInfo info;
    info.rencheng_version = RENCHENG_VERSION;
    info.started_utc = utc_stamp(now, "%Y-%m-%dT%H:%M:%SZ");
    info.threads = opt.threads;
    info.mpi_ranks = ranks;
    info.scenario_file = fs::absolute(opt.scenario).lexically_normal().string();
    info.city_bundle = fs::absolute(scenario.city).lexically_normal().string();
    info.command = opt.argv;
    info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report::write_run_folder(dir->path(), simulation, ens, info);
    report::write_report_html(dir->path());
    dir->commit();
    if (!quiet)
        print_summary(simulation, ens, out);
    std::fflush(stdout);
    ctx.exit_code = 0;
}

} // namespace

void add_stress_test_command(CLI::App& app, CommandContext& ctx) {
    auto opt = std::make_shared<StressOptions>();
    CLI::App* cmd = app.add_subcommand(
        "stress-test",
        "Run a scenario's Monte Carlo stress test and write the run folder / 运行压力测试情景");
    cmd->add_option("scenario", opt->scenario, "The scenario file (docs/scenario.md) / 情景文件")
        ->required()
        ->type_name("SCENARIO.toml");
    cmd->add_option("--out", opt->out,
                    "Run folder to write (must not exist or be empty); default "
                    "runs/<scenario>-<UTC time> / 结果目录")
        ->type_name("DIR");
    cmd->add_option("--threads", opt->threads, "Worker threads, 0 = all cores / 线程数")
        ->check(CLI::Range(0, 1024));
    cmd->add_option("--realizations", opt->realizations,
                    "Override the scenario's number of realizations / 模拟次数")
        ->check(CLI::Range(1, 1000000));
    cmd->add_option("--seed", opt->seed, "Override the scenario's seed / 随机种子");
    cmd->add_flag("--quiet", opt->quiet, "No progress bar and no summary / 安静模式");
    cmd->footer("Exit status: 0 success, 1 bad scenario or city, 2 bad command line, 3 I/O "
                "(e.g. the run folder exists), 4 a computation failed. See docs/scenario.md.\n"
#ifdef RENCHENG_WITH_MPI
                "Under `mpirun -n K rencheng stress-test ...` the K processes split the "
                "realizations and rank 0 writes the run folder; summary.json is the same as from "
                "one process. / 用 mpirun -n K 运行时，K 个进程分担模拟，结果与单进程相同。\n"
#endif
    );
    cmd->callback([opt, &ctx, cmd] {
        opt->argv = {"rencheng", "stress-test", opt->scenario};
        for (const auto* o : cmd->get_options())
            if (!o->get_lnames().empty() && o->count() > 0 && o->get_lnames()[0] != "help") {
                opt->argv.push_back("--" + o->get_lnames()[0]);
                if (o->get_type_size() != 0)
                    for (const auto& r : o->results())
                        opt->argv.push_back(r);
            }
        run_stress_test(*opt, ctx);
    });
}

} // namespace rencheng::cli
