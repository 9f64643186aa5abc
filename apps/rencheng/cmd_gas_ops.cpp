// `rencheng gas isolate NET --break PIPE` and `rencheng gas locate-leak NET --readings FILE.csv`:
// valve isolation of a break and leak localisation, added under the `gas` command.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "diagnostics_output.hpp"
#include "gas/gaslib_reader.hpp"
#include "gas/geojson_io.hpp"
#include "gas/isolation.hpp"
#include "gas/leak_locate.hpp"

namespace rencheng::cli {

namespace {

struct GasOpsOptions {
    std::string network;
    std::string scenario;
    // isolate
    std::string broken;
    int crews = 1;
    // locate-leak
    std::string readings;
    int top = 10;
};

/// Reads NET: a GasLib .net (with its .scn nomination when given) or a network in the city gas
/// GeoJSON format (docs/gas.md).
gas::Network load_network(const GasOpsOptions& opt) {
    const std::filesystem::path path(opt.network);
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".net") {
        gas::Network net = gas::read_gaslib_net(path);
        if (!opt.scenario.empty())
            gas::read_gaslib_scenario(net, opt.scenario);
        return net;
    }
    if (!opt.scenario.empty())
        throw Error(ErrorCode::kUsage, "--scenario applies to GasLib .net networks only");
    return gas::read_gas_geojson(path);
}

std::string minutes(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f min", s / 60.0);
    return buf;
}

std::string_view valve_kind_text(gas::ValveKind k) {
    switch (k) {
    case gas::ValveKind::kAutoExcessFlow:
        return "automatic / 自动";
    case gas::ValveKind::kRemote:
        return "remote / 远程";
    default:
        return "manual / 手动";
    }
}

void run_isolate(const GasOpsOptions& opt, CommandContext& ctx) {
    const gas::Network net = load_network(opt);
    const gas::ConnectionIndex k = net.find_connection(opt.broken);
    if (!k.valid())
        throw Error(ErrorCode::kUsage,
                    "--break '" + opt.broken + "' is not a connection of " + opt.network);
    gas::IsolationOptions o;
    o.manual_crews = opt.crews;
    const gas::Isolation iso = gas::isolate_break(net, k, o);

    std::printf("Break of %s %s / %s 破裂\n",
                std::string(gas::connection_kind_name(net.connection_kind[k.idx()])).c_str(),
                opt.broken.c_str(), opt.broken.c_str());
    std::printf("Valves to close / 需关闭的阀门: %zu\n", iso.valves.size());
    if (!iso.valves.empty())
        std::printf("  %-16s %-20s %s\n", "valve / 阀门", "kind / 类型", "shut after / 关闭用时");
    for (const gas::ValveToClose& v : iso.valves)
        std::printf("  %-16s %-20s %s\n", net.connection_id[v.valve.idx()].c_str(),
                    std::string(valve_kind_text(v.kind)).c_str(), minutes(v.close_time_s).c_str());
    for (const gas::NodeIndex s : iso.sources_to_shut)
        std::printf("Gate station to shut in / 需关停的门站: %s\n", net.node_id[s.idx()].c_str());
    std::printf("Segment / 隔离管段: %zu nodes / 节点, %zu connections / 管段\n",
                iso.segment_nodes.size(), iso.segment_connections.size());
    std::printf("Customers without gas / 停气用户: %zu in the segment / 管段内, %zu cut off beyond "
                "it / 下游被切断 (%lld households / 户, %.4f m3/s)\n",
                iso.customers_in_segment.size(), iso.customers_cut_off.size(),
                static_cast<long long>(iso.households_lost), iso.demand_lost_m3s);
    std::printf("Isolated after / 隔离完成用时: %s\n", minutes(iso.isolation_time_s).c_str());
    if (!ctx.quiet) {
        for (const auto* list : {&iso.customers_in_segment, &iso.customers_cut_off}) {
            if (list->empty())
                continue;
            std::printf("%s:", list == &iso.customers_in_segment ? "In the segment / 管段内用户"
                                                                 : "Cut off / 被切断用户");
            for (const gas::NodeIndex c : *list)
                std::printf(" %s", net.node_id[c.idx()].c_str());
            std::printf("\n");
        }
    }
    ctx.exit_code = 0;
}

void run_locate_leak(const GasOpsOptions& opt, CommandContext& ctx) {
    const gas::Network net = load_network(opt);
    Diagnostics diags;
    const std::optional<std::string> text = read_file(opt.readings, diags);
    std::vector<gas::PressureReading> readings;
    if (text)
        readings = gas::parse_pressure_readings_csv(*text, opt.readings, net, diags);
    if (!diags.has_errors() && readings.empty())
        diags.error(ErrorCode::kMissingKey, opt.readings, 0, 0, "",
                    "no readings: give at least one row node,pressure_pa");
    if (diags.has_errors()) {
        diags.sort();
        print_diagnostics(diags, stderr, ctx.quiet);
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    std::vector<gas::NodeIndex> sensors;
    std::vector<double> measured;
    std::size_t rows = 0;
    for (const gas::PressureReading& r : readings) {
        rows += static_cast<std::size_t>(r.count);
        sensors.push_back(r.node);
        measured.push_back(r.pressure_pa);
    }
    const gas::SensitivityMatrix s = gas::compute_sensitivity(net, sensors);
    // The linear ranking's best (at least 8) are refined with the non-linear model.
    const std::vector<gas::LeakCandidate> rank =
        gas::refine_leak_candidates(net, s, measured, gas::rank_leak_candidates(s, measured),
                                    std::max<std::size_t>(8, static_cast<std::size_t>(opt.top)));
    std::printf("Leak candidates / 泄漏位置候选: %zu sensors / 传感器 (%zu readings averaged / "
                "读数取均值), "
                "%zu candidates / 候选 (probe %.4g m3/s)\n",
                sensors.size(), rows, s.candidates.size(), s.probe_flow_m3s);
    std::printf("%-6s %-16s %14s %22s %14s\n", "rank", "node / 节点", "leak m3/s / 泄漏量",
                "rms residual kPa / 残差", "correlation");
    const std::size_t shown = std::min(rank.size(), static_cast<std::size_t>(opt.top));
    for (std::size_t i = 0; i < shown; ++i)
        std::printf("%-6zu %-16s %14.5f %22.3f %14.4f\n", i + 1,
                    net.node_id[rank[i].node.idx()].c_str(), rank[i].leak_flow_m3s,
                    rank[i].rms_residual_pa / 1000.0, rank[i].correlation);
    ctx.exit_code = 0;
}

void add_network_arguments(CLI::App* cmd, GasOpsOptions& opt) {
    cmd->add_option("network", opt.network,
                    "The gas network: city gas GeoJSON (docs/gas.md) or a GasLib .net")
        ->required()
        ->type_name("NET");
    cmd->add_option("--scenario", opt.scenario, "GasLib .scn nomination for a .net network")
        ->type_name("NET.scn");
}

} // namespace

void add_gas_ops_commands(CLI::App& app, CommandContext& ctx) {
    CLI::App* gas = app.get_subcommand_ptr("gas").get();
    auto iso_opt = std::make_shared<GasOpsOptions>();
    CLI::App* isolate = gas->add_subcommand(
        "isolate", "Valves that isolate a broken pipe, and who loses gas / 爆管关阀隔离分析");
    add_network_arguments(isolate, *iso_opt);
    isolate->add_option("--break", iso_opt->broken, "Id of the broken pipe (any connection)")
        ->required()
        ->type_name("PIPE");
    isolate
        ->add_option("--crews", iso_opt->crews,
                     "Crews closing manual valves at the same time (default 1)")
        ->check(CLI::Range(1, 1000));
    isolate->footer("Valve closing times: automatic 0.5 min, remote 5 min, manual 45 min to arrive "
                    "+ 10 min per valve per crew (docs/gas.md \"Isolation\").\nExit status: 0 "
                    "done, 1 bad input, 2 bad usage, 3 a file is missing or unreadable.\n");
    isolate->callback([iso_opt, &ctx] { run_isolate(*iso_opt, ctx); });

    auto leak_opt = std::make_shared<GasOpsOptions>();
    CLI::App* leak = gas->add_subcommand(
        "locate-leak",
        "Rank candidate leak locations from pressure readings / 根据压力读数定位泄漏");
    add_network_arguments(leak, *leak_opt);
    leak->add_option("--readings", leak_opt->readings,
                     "Sensor readings CSV with header node,pressure_pa (absolute Pa)")
        ->required()
        ->type_name("FILE.csv");
    leak->add_option("--top", leak_opt->top, "How many candidates to print (default 10)")
        ->check(CLI::Range(1, 1000000));
    leak->footer("Sensitivity-matrix method: one steady state per candidate node with a probe "
                 "withdrawal (docs/gas.md \"Leak localisation\").\nExit status: 0 done, 1 bad "
                 "input, 2 bad usage, 3 a file is missing or unreadable, 4 the network does not "
                 "solve.\n");
    leak->callback([leak_opt, &ctx] { run_locate_leak(*leak_opt, ctx); });
}

} // namespace rencheng::cli
