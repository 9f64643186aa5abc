// `rencheng roads assign NET TRIPS`: static user-equilibrium traffic assignment of TNTP files.
#include <cstdio>
#include <memory>
#include <string>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "diagnostics_output.hpp"
#include "transport/assignment.hpp"
#include "transport/tntp.hpp"

namespace rencheng::cli {

namespace {

struct AssignArgs {
    std::string net;
    std::string trips;
    std::string results;
    std::string algorithm = "bush";
    double gap = 1e-10;
    int max_iterations = 1000;
    double toll_factor = 0.0;
    double distance_factor = 0.0;
    std::size_t threads = 0;
};

/// The long CSV of DESIGN.md §5: flow_vehh and time_min (the generalized cost) per link.
std::string results_csv(const transport::AssignmentNetwork& net,
                        const transport::AssignmentResult& res) {
    std::string out = "time_s,type,id,quantity,value\n";
    char buf[64];
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const std::string id = net.link_label(a);
        std::snprintf(buf, sizeof buf, "%.17g", res.flow[static_cast<std::size_t>(a)]);
        out += "0,link," + id + ",flow_vehh," + buf + "\n";
        std::snprintf(buf, sizeof buf, "%.17g", res.cost[static_cast<std::size_t>(a)]);
        out += "0,link," + id + ",time_min," + buf + "\n";
    }
    return out;
}

void run_assign(const AssignArgs& args, CommandContext& ctx) {
    transport::AssignmentOptions opt;
    if (args.algorithm == "fw")
        opt.algorithm = transport::AssignmentAlgorithm::kFrankWolfe;
    else if (args.algorithm == "bush")
        opt.algorithm = transport::AssignmentAlgorithm::kAlgorithmB;
    else
        throw Error(ErrorCode::kUsage,
                    "--algorithm must be fw or bush, not '" + args.algorithm + "'");
    opt.target_gap = args.gap;
    opt.max_iterations = args.max_iterations;
    opt.toll_factor = args.toll_factor;
    opt.distance_factor = args.distance_factor;
    if (auto why = opt.validate(); !why.empty())
        throw Error(ErrorCode::kUsage, why);

    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.net, diags);
    const auto trips = transport::read_tntp_trips(args.trips, diags);
    if (!diags.has_errors())
        transport::check_trips_fit(net, trips, args.trips, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors()) {
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }

    const ThreadLimit limit(args.threads);
    if (!ctx.quiet)
        opt.on_iteration = [](const transport::AssignmentIteration& it) {
            std::fprintf(stderr, "iteration %4d  relative gap %.3e  TSTT %.10g  %.2f s\n",
                         it.iteration, it.relative_gap, it.tstt, it.seconds);
        };
    const auto res = transport::assign_traffic(net, trips, opt);
    if (!args.results.empty())
        write_file_atomic(args.results, results_csv(net, res));

    std::printf("algorithm %s: %s after %d iterations, %.2f s\n",
                std::string(transport::algorithm_name(opt.algorithm)).c_str(),
                res.converged ? "converged" : "NOT converged", res.iterations, res.seconds);
    std::printf("relative gap %.6e (target %.1e)\nTSTT %.12g\nSPTT %.12g\nBeckmann objective "
                "%.12g\n",
                res.relative_gap, opt.target_gap, res.tstt, res.sptt, res.beckmann);
    std::printf("demand assigned %.10g veh/h, unreachable %.10g veh/h\n", res.assigned_demand,
                res.unreachable_demand);
    std::fflush(stdout);
    ctx.exit_code = res.converged ? 0 : exit_status(ErrorCode::kNoConvergence);
}

} // namespace

void add_roads_command(CLI::App& app, CommandContext& ctx) {
    CLI::App* roads = app.add_subcommand("roads", "Road network analyses / 道路网络分析");
    roads->require_subcommand(1);
    auto args = std::make_shared<AssignArgs>();
    CLI::App* assign = roads->add_subcommand(
        "assign", "Static user-equilibrium traffic assignment of TNTP files / 交通均衡分配");
    assign->add_option("net", args->net, "TNTP network file (*_net.tntp)")
        ->required()
        ->type_name("NET");
    assign->add_option("trips", args->trips, "TNTP trips file (*_trips.tntp)")
        ->required()
        ->type_name("TRIPS");
    assign
        ->add_option("--results", args->results,
                     "Write link flow_vehh and time_min as a long CSV to FILE")
        ->type_name("FILE.csv");
    assign->add_option("--algorithm", args->algorithm, "fw (Frank-Wolfe) or bush (Algorithm B)")
        ->capture_default_str();
    assign->add_option("--gap", args->gap, "Target relative gap (TSTT-SPTT)/TSTT")
        ->capture_default_str();
    assign->add_option("--max-iterations", args->max_iterations, "Most iterations")
        ->capture_default_str();
    assign
        ->add_option("--toll-factor", args->toll_factor,
                     "Generalized cost per toll unit, time units (ChicagoSketch: 0.02)")
        ->capture_default_str();
    assign
        ->add_option("--distance-factor", args->distance_factor,
                     "Generalized cost per length unit, time units (ChicagoSketch: 0.04)")
        ->capture_default_str();
    assign->add_option("--threads", args->threads, "Worker threads (0: all)")
        ->capture_default_str();
    assign->footer("Exit status: 0 converged, 1 bad input, 2 usage, 3 a file is missing or "
                   "unreadable, 4 the target gap was not reached (results are still written).\n");
    assign->callback([args, &ctx] { run_assign(*args, ctx); });
}

} // namespace rencheng::cli
