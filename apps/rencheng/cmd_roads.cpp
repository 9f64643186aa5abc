// `rencheng roads …`: traffic assignment, disruption analysis, link and node criticality,
// routes, accessibility and evacuation on TNTP networks.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/parallel.hpp"
#include "diagnostics_output.hpp"
#include "transport/accessibility.hpp"
#include "transport/assignment.hpp"
#include "transport/disruption.hpp"
#include "transport/evacuation.hpp"
#include "transport/osm_reader.hpp"
#include "transport/road_network.hpp"
#include "transport/shortest_path.hpp"
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

// ---------------------------------------------------------------------------------------------
// Shared by the analyses below

/// Options common to the analyses that may run an assignment first.
struct AnalysisArgs {
    std::string net;
    std::string trips;
    std::string closures;
    std::string results;
    double gap = 1e-8;
    int max_iterations = 1000;
    double toll_factor = 0.0;
    double distance_factor = 0.0;
    std::size_t threads = 0;
};

/// Prints the diagnostics; on errors sets the exit status and returns false.
bool inputs_ok(Diagnostics& diags, CommandContext& ctx) {
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors()) {
        ctx.exit_code = failure_exit_status(diags, false);
        return false;
    }
    return true;
}

transport::AssignmentOptions assignment_options(const AnalysisArgs& args) {
    transport::AssignmentOptions opt;
    opt.target_gap = args.gap;
    opt.max_iterations = args.max_iterations;
    opt.toll_factor = args.toll_factor;
    opt.distance_factor = args.distance_factor;
    if (auto why = opt.validate(); !why.empty())
        throw Error(ErrorCode::kUsage, why);
    return opt;
}

/// Link times for routing and accessibility: the free-flow time plus the fixed generalized
/// terms, or, with trips, the equilibrium costs of the (disrupted) network.
std::vector<double> link_times(const transport::AssignmentNetwork& net,
                               const transport::TripTable* trips,
                               const transport::Disruption& disruption, const AnalysisArgs& args,
                               const CommandContext& ctx) {
    auto opt = assignment_options(args);
    if (trips == nullptr)
        return transport::link_costs(net, std::vector<double>(net.init.size(), 0.0),
                                     opt.toll_factor, opt.distance_factor);
    const auto cut = disruption.apply_capacity_cuts(net);
    opt.closed = disruption.closed_mask(net.link_count());
    const auto res = transport::assign_traffic(cut, *trips, opt);
    if (!ctx.quiet)
        std::fprintf(stderr,
                     "equilibrium (均衡) for congested times: relative gap %.3e after %d "
                     "iterations%s\n",
                     res.relative_gap, res.iterations, res.converged ? "" : " (NOT converged)");
    return res.cost;
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

/// A TNTP node number given on the command line, checked against the network.
std::int32_t node_argument(const transport::AssignmentNetwork& net, long long number,
                           const char* option) {
    if (number < 1 || number > net.node_count)
        throw Error(ErrorCode::kUsage, std::string(option) + " " + std::to_string(number) +
                                           ": the network has nodes 1.." +
                                           std::to_string(net.node_count));
    return static_cast<std::int32_t>(number - 1);
}

void add_analysis_options(CLI::App* cmd, AnalysisArgs& a, bool trips_option,
                          bool closures_option = true) {
    cmd->add_option("net", a.net, "TNTP network file (*_net.tntp)")->required()->type_name("NET");
    if (trips_option)
        cmd->add_option("--trips", a.trips,
                        "TNTP trips file: route on equilibrium (congested) times instead of "
                        "free-flow times / 用均衡拥堵时间")
            ->type_name("TRIPS");
    if (closures_option)
        cmd->add_option("--closures", a.closures,
                        "CSV of disrupted links: link (\"init-term\"), capacity_factor (0 closed, "
                        "default) / 中断路段清单")
            ->type_name("FILE.csv");
    cmd->add_option("--gap", a.gap, "Target relative gap of the assignments")
        ->capture_default_str();
    cmd->add_option("--max-iterations", a.max_iterations, "Most iterations per assignment")
        ->capture_default_str();
    cmd->add_option("--toll-factor", a.toll_factor, "Generalized cost per toll unit")
        ->capture_default_str();
    cmd->add_option("--distance-factor", a.distance_factor, "Generalized cost per length unit")
        ->capture_default_str();
    cmd->add_option("--threads", a.threads, "Worker threads (0: all)")->capture_default_str();
}

// ---------------------------------------------------------------------------------------------
// roads disrupt

void run_disrupt(const AnalysisArgs& args, int top, CommandContext& ctx) {
    const auto opt = assignment_options(args);
    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.net, diags);
    const auto trips = transport::read_tntp_trips(args.trips, diags);
    if (!diags.has_errors())
        transport::check_trips_fit(net, trips, args.trips, diags);
    transport::Disruption disruption;
    if (!diags.has_errors())
        disruption = transport::read_disruption_csv(args.closures, net, diags);
    if (!inputs_ok(diags, ctx))
        return;
    const ThreadLimit limit(args.threads);
    transport::DisruptionOptions dopt;
    dopt.assignment = opt;
    const auto r = transport::analyse_disruption(net, trips, disruption, dopt);
    std::size_t closed = 0;
    for (const auto& d : disruption.links)
        closed += d.capacity_factor <= 0.0 ? 1 : 0;
    std::printf("disrupted links (中断路段): %zu closed, %zu with reduced capacity\n", closed,
                disruption.links.size() - closed);
    std::printf(
        "TSTT before (扰动前) %.10g, after (扰动后) %.10g, change (变化) %+.10g (%+.3f %%)\n",
        r.base.tstt, r.disrupted.tstt, r.tstt_change,
        r.base.tstt > 0.0 ? 100.0 * r.tstt_change / r.base.tstt : 0.0);
    std::printf("relative gap before %.3e, after %.3e (%d iterations, %d of the origins warm "
                "started)\n",
                r.base.relative_gap, r.disrupted.relative_gap, r.disrupted.iterations,
                r.disrupted.warm_started_origins);
    std::printf("demand disconnected (无法出行需求) %.10g veh/h in %zu OD pairs\n",
                r.disconnected_demand, r.disconnected.size());
    // OD pairs with the largest rise of travel time (those still connected).
    std::vector<const transport::OdChange*> rises;
    for (const auto& ch : r.od)
        if (ch.disrupted_cost != transport::kUnreachable && ch.base_cost != transport::kUnreachable)
            rises.push_back(&ch);
    std::stable_sort(rises.begin(), rises.end(), [](const auto* a, const auto* b) {
        return a->disrupted_cost - a->base_cost > b->disrupted_cost - b->base_cost;
    });
    const auto shown = std::min<std::size_t>(rises.size(), static_cast<std::size_t>(top));
    if (shown > 0) {
        std::printf(
            "\nOD pairs by change of travel time, largest rise first (按出行时间变化排序):\n");
        std::printf("%8s %8s %12s %12s %12s\n", "origin", "dest", "demand", "time_before",
                    "time_after");
        for (std::size_t i = 0; i < shown; ++i)
            std::printf("%8d %8d %12.6g %12.6g %12.6g\n", rises[i]->origin + 1,
                        rises[i]->destination + 1, rises[i]->demand, rises[i]->base_cost,
                        rises[i]->disrupted_cost);
    }
    if (!r.disconnected.empty()) {
        std::printf("\nOD pairs disconnected (断开的OD对):\n%8s %8s %12s\n", "origin", "dest",
                    "demand");
        for (std::size_t i = 0;
             i < std::min<std::size_t>(r.disconnected.size(), static_cast<std::size_t>(top)); ++i)
            std::printf("%8d %8d %12.6g\n", r.disconnected[i].origin + 1,
                        r.disconnected[i].destination + 1, r.disconnected[i].demand);
    }
    if (!args.results.empty()) {
        std::string out = "time_s,type,id,quantity,value\n";
        for (std::int32_t a = 0; a < net.link_count(); ++a) {
            const std::string id = net.link_label(a);
            const auto k = static_cast<std::size_t>(a);
            out += "0,link," + id + ",flow_vehh," + number(r.disrupted.flow[k]) + "\n";
            out += "0,link," + id + ",time_min," + number(r.disrupted.cost[k]) + "\n";
            out += "0,link," + id + ",flow_change_vehh," +
                   number(r.disrupted.flow[k] - r.base.flow[k]) + "\n";
        }
        for (const auto& ch : r.od) {
            const std::string id =
                std::to_string(ch.origin + 1) + "-" + std::to_string(ch.destination + 1);
            if (ch.disrupted_cost == transport::kUnreachable)
                out += "0,od," + id + ",disconnected_vehh," + number(ch.demand) + "\n";
            else
                out += "0,od," + id + ",time_min," + number(ch.disrupted_cost) + "\n";
        }
        write_file_atomic(args.results, out);
    }
    std::fflush(stdout);
    ctx.exit_code =
        r.disrupted.converged && r.base.converged ? 0 : exit_status(ErrorCode::kNoConvergence);
}

// ---------------------------------------------------------------------------------------------
// roads criticality

struct CriticalityArgs {
    AnalysisArgs common;
    int top = 10;
    int candidates = 0;
    std::string method = "reassign";
    std::string population;
};

void run_criticality(const CriticalityArgs& args, CommandContext& ctx) {
    transport::CriticalityOptions opt;
    opt.disruption.assignment = assignment_options(args.common);
    if (args.method == "reassign")
        opt.method = transport::CriticalityMethod::kReassign;
    else if (args.method == "reroute")
        opt.method = transport::CriticalityMethod::kFixedCostReroute;
    else
        throw Error(ErrorCode::kUsage,
                    "--method must be reassign or reroute, not '" + args.method + "'");
    if (args.candidates < 0 || args.top < 0)
        throw Error(ErrorCode::kUsage, "--candidates and --top must be >= 0");
    opt.candidates = args.candidates;
    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.common.net, diags);
    const auto trips = transport::read_tntp_trips(args.common.trips, diags);
    if (!diags.has_errors())
        transport::check_trips_fit(net, trips, args.common.trips, diags);
    std::vector<transport::NodeValue> people;
    if (!diags.has_errors() && !args.population.empty())
        people =
            transport::read_node_values_csv(args.population, net.node_count, "population", diags);
    if (!inputs_ok(diags, ctx))
        return;
    const ThreadLimit limit(args.common.threads);
    if (!ctx.quiet)
        opt.on_progress = [](std::size_t done, std::size_t total) {
            std::fprintf(stderr, "\rlink closures (路段关闭) %zu / %zu", done, total);
            if (done == total)
                std::fputc('\n', stderr);
        };
    const auto r = transport::link_criticality(net, trips, opt);
    const auto top = std::min<std::size_t>(r.links.size(), static_cast<std::size_t>(args.top));
    std::printf("link criticality (路段关键性), method %s, %zu candidate links; undisrupted TSTT "
                "%.10g (gap %.3e)\n",
                std::string(transport::criticality_method_name(opt.method)).c_str(), r.links.size(),
                r.base.tstt, r.base.relative_gap);
    auto table = [&](const std::vector<std::int32_t>& order, const char* title) {
        std::printf("\n%s\n%5s %10s %14s %14s %14s %10s\n", title, "rank", "link", "base_flow",
                    "tstt_increase", "increase_%", "disconn.");
        for (std::size_t i = 0; i < top; ++i) {
            const auto& lc = r.links[static_cast<std::size_t>(order[i])];
            std::printf("%5zu %10s %14.6g %14.6g %14.4f %10.6g\n", i + 1,
                        net.link_label(lc.link).c_str(), lc.base_flow, lc.tstt_increase,
                        r.base.tstt > 0.0 ? 100.0 * lc.tstt_increase / r.base.tstt : 0.0,
                        lc.disconnected_demand);
        }
    };
    table(r.by_tstt, "by rise of TSTT (按总出行时间增加排序):");
    table(r.by_disconnected, "by demand disconnected (按断开需求排序), veh/h:");
    bool all_converged = r.base.converged;
    for (const auto& lc : r.links)
        all_converged = all_converged && lc.converged;

    std::vector<transport::NodeCriticality> nodes;
    if (!args.population.empty()) {
        std::vector<double> pop(static_cast<std::size_t>(net.node_count), 0.0);
        for (const auto& p : people)
            pop[static_cast<std::size_t>(p.node)] = p.value;
        nodes = transport::node_criticality(net, pop);
        std::printf("\nnode criticality (节点关键性): people at the node and people it isolates "
                    "(孤立人口)\n%5s %8s %14s %14s %8s\n",
                    "rank", "node", "own_people", "isolated", "nodes");
        for (std::size_t i = 0; i < std::min<std::size_t>(nodes.size(), top); ++i)
            std::printf("%5zu %8d %14.6g %14.6g %8d\n", i + 1, nodes[i].node + 1,
                        nodes[i].own_population, nodes[i].isolated_population,
                        nodes[i].isolated_nodes);
    }
    if (!args.common.results.empty()) {
        std::string out = "time_s,type,id,quantity,value\n";
        for (const auto& lc : r.links) {
            const std::string id = net.link_label(lc.link);
            out += "0,link," + id + ",base_flow_vehh," + number(lc.base_flow) + "\n";
            out += "0,link," + id + ",tstt_increase_vehmin," + number(lc.tstt_increase) + "\n";
            out += "0,link," + id + ",disconnected_vehh," + number(lc.disconnected_demand) + "\n";
        }
        for (const auto& nc : nodes) {
            const std::string id = std::to_string(nc.node + 1);
            out += "0,node," + id + ",isolated_people," + number(nc.isolated_population) + "\n";
        }
        write_file_atomic(args.common.results, out);
    }
    std::fflush(stdout);
    ctx.exit_code = all_converged ? 0 : exit_status(ErrorCode::kNoConvergence);
}

// ---------------------------------------------------------------------------------------------
// roads route

struct RouteArgs {
    AnalysisArgs common;
    long long from = 0;
    long long to = 0;
};

void run_route(const RouteArgs& args, CommandContext& ctx) {
    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.common.net, diags);
    transport::TripTable trips;
    if (!args.common.trips.empty()) {
        trips = transport::read_tntp_trips(args.common.trips, diags);
        if (!diags.has_errors())
            transport::check_trips_fit(net, trips, args.common.trips, diags);
    }
    transport::Disruption disruption;
    if (!diags.has_errors() && !args.common.closures.empty())
        disruption = transport::read_disruption_csv(args.common.closures, net, diags);
    if (!inputs_ok(diags, ctx))
        return;
    const std::int32_t from = node_argument(net, args.from, "--from");
    const std::int32_t to = node_argument(net, args.to, "--to");
    const ThreadLimit limit(args.common.threads);
    const auto time =
        link_times(net, args.common.trips.empty() ? nullptr : &trips, disruption, args.common, ctx);
    const auto closed = disruption.closed_mask(net.link_count());
    const auto tree = transport::shortest_paths(net, from, time, closed);
    const double t = tree.dist[static_cast<std::size_t>(to)];
    if (t == transport::kUnreachable) {
        std::printf("no open path from node %lld to node %lld (无可通行路径)\n", args.from,
                    args.to);
        std::fflush(stdout);
        ctx.exit_code = 0;
        return;
    }
    const auto links = transport::path_to(net, tree, to);
    double length = 0.0;
    std::string nodes = std::to_string(from + 1);
    for (const std::int32_t a : links) {
        length += net.length[static_cast<std::size_t>(a)];
        nodes += " " + std::to_string(net.term[static_cast<std::size_t>(a)] + 1);
    }
    std::printf("route (路径) %lld -> %lld: time (时间) %.10g, length (长度) %.10g, %zu links\n"
                "nodes: %s\n",
                args.from, args.to, t, length, links.size(), nodes.c_str());
    std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// roads accessibility

struct AccessibilityArgs {
    AnalysisArgs common;
    std::string facilities;
    std::string population;
    std::string direction = "to";
    double threshold = 15.0;
};

void run_accessibility(const AccessibilityArgs& args, CommandContext& ctx) {
    if (args.direction != "to" && args.direction != "from")
        throw Error(ErrorCode::kUsage,
                    "--direction must be to or from, not '" + args.direction + "'");
    if (!(args.threshold >= 0.0))
        throw Error(ErrorCode::kUsage, "--threshold must be >= 0");
    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.common.net, diags);
    transport::TripTable trips;
    std::vector<transport::NodeValue> facilities, people;
    if (!diags.has_errors()) {
        facilities = transport::read_node_values_csv(args.facilities, net.node_count, "", diags);
        if (!args.population.empty())
            people = transport::read_node_values_csv(args.population, net.node_count, "population",
                                                     diags);
        if (!args.common.trips.empty()) {
            trips = transport::read_tntp_trips(args.common.trips, diags);
            if (!diags.has_errors())
                transport::check_trips_fit(net, trips, args.common.trips, diags);
        }
    }
    transport::Disruption disruption;
    if (!diags.has_errors() && !args.common.closures.empty())
        disruption = transport::read_disruption_csv(args.common.closures, net, diags);
    if (!diags.has_errors() && facilities.empty())
        diags.error(ErrorCode::kMissingKey, args.facilities, 0, 0, "", "no facility is listed");
    if (!inputs_ok(diags, ctx))
        return;
    const ThreadLimit limit(args.common.threads);
    const auto time =
        link_times(net, args.common.trips.empty() ? nullptr : &trips, disruption, args.common, ctx);
    const auto closed = disruption.closed_mask(net.link_count());
    std::vector<std::int32_t> sources;
    for (const auto& f : facilities)
        sources.push_back(f.node);
    const auto labels = args.direction == "to"
                            ? transport::nearest_source_times_to(net, sources, time, closed)
                            : transport::nearest_source_times_from(net, sources, time, closed);
    std::vector<double> pop(static_cast<std::size_t>(net.node_count), people.empty() ? 1.0 : 0.0);
    for (const auto& p : people)
        pop[static_cast<std::size_t>(p.node)] = p.value;
    const auto s = transport::summarise_accessibility(labels, pop, args.threshold);
    const char* who = people.empty() ? "nodes" : "people";
    std::printf("accessibility (可达性) %s %zu facilities (设施), %s times, threshold %.6g\n",
                args.direction == "to" ? "to the nearest of" : "from the nearest of",
                facilities.size(), args.common.trips.empty() ? "free-flow" : "congested",
                args.threshold);
    std::printf("%s total (总计) %.10g\n%s within the threshold (阈值内) %.10g (%.2f %%)\n"
                "%s cut off (被隔断) %.10g at %d nodes\nmean time (平均时间) %.6g\n",
                who, s.population_total, who, s.population_within,
                s.population_total > 0.0 ? 100.0 * s.population_within / s.population_total : 0.0,
                who, s.population_cut_off, s.nodes_cut_off, s.population_mean_time);
    if (!args.common.results.empty()) {
        std::string out = "time_s,type,id,quantity,value\n";
        for (std::size_t v = 0; v < labels.time.size(); ++v) {
            const std::string id = std::to_string(v + 1);
            if (labels.source[v] < 0) {
                out += "0,node," + id + ",cut_off,1\n";
                continue;
            }
            out += "0,node," + id + ",time_min," + number(labels.time[v]) + "\n";
            out += "0,node," + id + ",facility_node," +
                   std::to_string(sources[static_cast<std::size_t>(labels.source[v])] + 1) + "\n";
        }
        write_file_atomic(args.common.results, out);
    }
    std::fflush(stdout);
}

// ---------------------------------------------------------------------------------------------
// roads evacuate

struct EvacuateArgs {
    AnalysisArgs common;
    std::string zones;
    std::string shelters;
    double occupancy = 2.0;
};

void run_evacuate(const EvacuateArgs& args, CommandContext& ctx) {
    transport::EvacuationOptions opt;
    opt.vehicle_occupancy = args.occupancy;
    if (auto why = opt.validate(); !why.empty())
        throw Error(ErrorCode::kUsage, "--occupancy: " + why);
    Diagnostics diags;
    const auto net = transport::read_tntp_net(args.common.net, diags);
    std::vector<transport::NodeValue> zone_rows, shelter_rows;
    transport::Disruption disruption;
    if (!diags.has_errors()) {
        zone_rows = transport::read_node_values_csv(args.zones, net.node_count, "people", diags);
        shelter_rows = transport::read_node_values_csv(args.shelters, net.node_count,
                                                       "capacity_people", diags);
        if (!args.common.closures.empty())
            disruption = transport::read_disruption_csv(args.common.closures, net, diags);
    }
    if (!inputs_ok(diags, ctx))
        return;
    const auto cut = disruption.apply_capacity_cuts(net);
    opt.closed = disruption.closed_mask(net.link_count());
    std::vector<transport::EvacuationZone> zones;
    std::vector<transport::Shelter> shelters;
    for (const auto& z : zone_rows)
        zones.push_back({z.node, z.value});
    for (const auto& s : shelter_rows)
        shelters.push_back({s.node, s.value});
    const auto r = transport::plan_evacuation(cut, zones, shelters, opt);
    std::printf("evacuation (疏散): %zu zones, %zu shelters, occupancy %.3g people/vehicle\n",
                zones.size(), shelters.size(), args.occupancy);
    std::printf("people (人数) %.10g, given a shelter place (已安置) %.10g, without one (未安置) "
                "%.10g, of whom cut off from every shelter (被隔断) %.10g\n",
                r.people_total, r.people_served, r.people_unserved, r.people_cut_off);
    std::printf("people moving (需转移) %.10g in %.10g vehicles; person-minutes of travel %.10g\n",
                r.people_moving, r.vehicles, r.total_travel_time_people);
    if (r.vehicles > 0.0)
        std::printf("bottleneck (瓶颈) %.10g veh/h; first arrival %.6g min; clearance time lower "
                    "bound (清空时间下界) %.6g min\n",
                    r.bottleneck_vehh, r.first_arrival_min, r.clearance_time_min);
    std::printf("\n%8s %8s %12s %10s\n", "zone", "shelter", "people", "time_min");
    for (const auto& a : r.assignments)
        std::printf("%8d %8d %12.6g %10.6g\n", zones[static_cast<std::size_t>(a.zone)].node + 1,
                    shelters[static_cast<std::size_t>(a.shelter)].node + 1, a.people,
                    a.travel_time);
    for (std::size_t z = 0; z < zones.size(); ++z)
        if (r.zone_unserved[z] > 0.0)
            std::printf("%8d %8s %12.6g %10s\n", zones[z].node + 1,
                        r.zone_cut_off[z] != 0 ? "cut-off" : "none", r.zone_unserved[z], "-");
    if (!args.common.results.empty()) {
        std::string out = "zone_node,shelter_node,people,travel_time_min\n";
        for (const auto& a : r.assignments)
            out += std::to_string(zones[static_cast<std::size_t>(a.zone)].node + 1) + "," +
                   std::to_string(shelters[static_cast<std::size_t>(a.shelter)].node + 1) + "," +
                   number(a.people) + "," + number(a.travel_time) + "\n";
        for (std::size_t z = 0; z < zones.size(); ++z)
            if (r.zone_unserved[z] > 0.0)
                out +=
                    std::to_string(zones[z].node + 1) + ",," + number(r.zone_unserved[z]) + ",\n";
        write_file_atomic(args.common.results, out);
    }
    std::fflush(stdout);
}

struct ImportOsmArgs {
    std::string input;
    std::string out;
    std::string clip; ///< GeoJSON Polygon / MultiPolygon file
    std::string bbox; ///< "min_lon,min_lat,max_lon,max_lat"
};

/// `roads import-osm`: an OpenStreetMap file to our roads GeoJSON (docs/bundle.md).
void run_import_osm(const ImportOsmArgs& args, CommandContext& ctx) {
    Diagnostics diags;
    std::optional<transport::ClipRegion> clip;
    if (!args.bbox.empty()) {
        std::string why;
        const auto box = transport::parse_lonlat_box(args.bbox, why);
        if (!box)
            throw Error(ErrorCode::kUsage, "--bbox " + args.bbox + ": " + why);
        clip = transport::ClipRegion::box(*box);
    } else if (!args.clip.empty()) {
        clip = transport::read_clip_geojson(args.clip, diags);
        if (!inputs_ok(diags, ctx))
            return;
    }
    transport::OsmImportReport report;
    const transport::RoadNetwork net =
        transport::read_osm(args.input, diags, &report, clip ? &*clip : nullptr);
    if (!inputs_ok(diags, ctx))
        return;
    write_file_atomic(args.out, transport::format_roads_geojson(net));
    if (!ctx.quiet) {
        const auto count = [](const std::vector<std::uint8_t>& v) {
            return static_cast<long long>(std::count(v.begin(), v.end(), std::uint8_t{1}));
        };
        std::printf("imported %s into %s / 已导入\n", args.input.c_str(), args.out.c_str());
        std::printf("  ways         %lld read, %lld drivable / 路段\n",
                    static_cast<long long>(report.ways_read),
                    static_cast<long long>(report.ways_drivable));
        if (clip)
            std::printf("  clipped      %lld ways cut at the boundary, %lld wholly outside, %lld "
                        "nodes outside / 裁剪：边界处截断、完全在外的路段，区域外节点\n",
                        static_cast<long long>(report.ways_clipped),
                        static_cast<long long>(report.ways_outside),
                        static_cast<long long>(report.nodes_outside));
        std::printf("  network      %d nodes, %d links, %.1f km / 节点、路段、总长\n",
                    net.node_count(), net.link_count(), net.total_length_m() / 1000.0);
        std::printf("  one-way      %lld links; bridges %lld, tunnels %lld / 单行、桥梁、隧道\n",
                    count(net.oneway), count(net.bridge), count(net.tunnel));
        std::printf("  dropped      %d nodes, %d links outside the largest strongly connected "
                    "part (%d components) / 非最大强连通部分\n",
                    report.nodes_dropped, report.links_dropped, report.components);
    }
    ctx.exit_code = 0;
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

    auto dargs = std::make_shared<AnalysisArgs>();
    auto dtop = std::make_shared<int>(10);
    CLI::App* disrupt = roads->add_subcommand(
        "disrupt", "Re-assign traffic with closures and capacity cuts; changes in travel time "
                   "and demand disconnected / 道路中断影响分析");
    add_analysis_options(disrupt, *dargs, false);
    disrupt->add_option("--trips", dargs->trips, "TNTP trips file (*_trips.tntp)")
        ->required()
        ->type_name("TRIPS");
    disrupt->get_option("--closures")->required();
    disrupt->add_option("--top", *dtop, "OD pairs listed")->capture_default_str();
    disrupt
        ->add_option("--results", dargs->results,
                     "Long CSV: link flow_vehh, time_min, flow_change_vehh; od time_min or "
                     "disconnected_vehh")
        ->type_name("FILE.csv");
    disrupt->footer("Exit status: 0 done, 1 bad input, 2 usage, 3 a file is missing, 4 an "
                    "assignment did not reach the gap.\n退出码：0 完成，1 输入错误，2 用法错误，"
                    "3 文件缺失，4 未收敛。");
    disrupt->callback([dargs, dtop, &ctx] { run_disrupt(*dargs, *dtop, ctx); });

    auto cargs = std::make_shared<CriticalityArgs>();
    CLI::App* crit = roads->add_subcommand(
        "criticality", "Rank links by the rise of TSTT and the demand disconnected when each "
                       "is closed alone; nodes by the people they isolate / 路段与节点关键性排序");
    add_analysis_options(crit, cargs->common, false, false);
    crit->add_option("--trips", cargs->common.trips, "TNTP trips file (*_trips.tntp)")
        ->required()
        ->type_name("TRIPS");
    crit->add_option("--top", cargs->top, "Rows per ranking printed")->capture_default_str();
    crit->add_option("--candidates", cargs->candidates,
                     "Close only the N links with the largest equilibrium flow (0: all)")
        ->capture_default_str();
    crit->add_option("--method", cargs->method,
                     "reassign (re-assign after each closure) or reroute (shortest paths at fixed "
                     "congested costs, cheaper)")
        ->capture_default_str();
    crit->add_option("--population", cargs->population,
                     "CSV node,population: also rank nodes by the people they isolate")
        ->type_name("FILE.csv");
    crit->add_option("--results", cargs->common.results,
                     "Long CSV: per link base_flow_vehh, tstt_increase_vehmin, disconnected_vehh; "
                     "per node isolated_people")
        ->type_name("FILE.csv");
    crit->footer("Exit status: 0 done, 1 bad input, 2 usage, 3 a file is missing, 4 an "
                 "assignment did not reach the gap.\n退出码：0 完成，1 输入错误，2 用法错误，"
                 "3 文件缺失，4 未收敛。");
    crit->callback([cargs, &ctx] { run_criticality(*cargs, ctx); });

    auto rargs = std::make_shared<RouteArgs>();
    CLI::App* route = roads->add_subcommand(
        "route", "Shortest route between two nodes under closures / 最短路径（考虑中断）");
    add_analysis_options(route, rargs->common, true);
    route->add_option("--from", rargs->from, "Origin node number")->required();
    route->add_option("--to", rargs->to, "Destination node number")->required();
    route->footer("Prints the time, length and nodes of the route, or that no open path exists "
                  "(exit 0 in both cases).\n输出路径时间、长度与节点；无路径时说明之。");
    route->callback([rargs, &ctx] { run_route(*rargs, ctx); });

    auto aargs = std::make_shared<AccessibilityArgs>();
    CLI::App* access = roads->add_subcommand(
        "accessibility", "Travel time to (or from) the nearest facility, people within a "
                         "threshold, nodes cut off / 设施可达性");
    add_analysis_options(access, aargs->common, true);
    access->add_option("--facilities", aargs->facilities, "CSV with a column node (and name)")
        ->required()
        ->type_name("FILE.csv");
    access
        ->add_option("--population", aargs->population,
                     "CSV node,population (default: every node counts 1)")
        ->type_name("FILE.csv");
    access->add_option("--threshold", aargs->threshold, "Time threshold, network time unit (min)")
        ->capture_default_str();
    access
        ->add_option("--direction", aargs->direction,
                     "to: people to the nearest facility; from: emergency vehicles from the "
                     "nearest depot or station")
        ->capture_default_str();
    access
        ->add_option("--results", aargs->common.results,
                     "Long CSV per node: time_min and facility_node, or cut_off")
        ->type_name("FILE.csv");
    access->callback([aargs, &ctx] { run_accessibility(*aargs, ctx); });

    auto eargs = std::make_shared<EvacuateArgs>();
    CLI::App* evac = roads->add_subcommand(
        "evacuate", "Assign people to shelters (min-cost flow) and bound the clearance time / "
                    "疏散安置与清空时间");
    evac->add_option("net", eargs->common.net, "TNTP network file (*_net.tntp)")
        ->required()
        ->type_name("NET");
    evac->add_option("--zones", eargs->zones, "CSV node,people")->required()->type_name("FILE.csv");
    evac->add_option("--shelters", eargs->shelters, "CSV node,capacity_people (and name)")
        ->required()
        ->type_name("FILE.csv");
    evac->add_option("--closures", eargs->common.closures,
                     "CSV of disrupted links: link, capacity_factor (0 closed)")
        ->type_name("FILE.csv");
    evac->add_option("--occupancy", eargs->occupancy, "People per vehicle")->capture_default_str();
    evac->add_option("--results", eargs->common.results,
                     "CSV zone_node,shelter_node,people,travel_time_min (unserved rows have no "
                     "shelter)")
        ->type_name("FILE.csv");
    evac->callback([eargs, &ctx] { run_evacuate(*eargs, ctx); });

    auto oargs = std::make_shared<ImportOsmArgs>();
    CLI::App* osm = roads->add_subcommand(
        "import-osm", "Import the drivable roads of an OpenStreetMap file (.osm.pbf, .osm) as "
                      "roads GeoJSON / 导入开放街道地图道路");
    osm->add_option("input", oargs->input, "OpenStreetMap file (.osm.pbf, .osm, .osm.gz, .osm.bz2)")
        ->required()
        ->type_name("FILE.osm.pbf");
    osm->add_option("-o,--out", oargs->out, "Roads GeoJSON to write (docs/bundle.md)")
        ->required()
        ->type_name("FILE.geojson");
    osm->add_option("--clip", oargs->clip,
                    "Keep only the roads inside this GeoJSON Polygon or MultiPolygon (WGS84) / "
                    "按多边形裁剪")
        ->type_name("POLY.geojson");
    osm->add_option("--bbox", oargs->bbox,
                    "Keep only the roads inside this lon/lat box, degrees / 按经纬度范围裁剪")
        ->type_name("MINLON,MINLAT,MAXLON,MAXLAT")
        ->excludes("--clip");
    osm->footer("Keeps drivable highway classes and the largest strongly connected part; with "
                "--clip or --bbox, a way keeps its parts inside the region and a link crossing the "
                "boundary ends at its last inside node. See docs/transport.md. Exit status: 0 "
                "written, 1 bad input, 2 usage, 3 a file is missing or unreadable.\n");
    osm->callback([oargs, &ctx] { run_import_osm(*oargs, ctx); });
}

} // namespace rencheng::cli
