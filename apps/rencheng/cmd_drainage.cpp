// `rencheng drainage solve NET.inp`: SWMM-compatible runoff and flow routing of a drainage model
// to the long results CSV and the summary CSV. `rencheng drainage capacity NET.inp`: the
// network against a city's design storm, its bottlenecks and what-if measures.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command.hpp"
#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "diagnostics_output.hpp"
#include "drainage/capacity.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "hazard/rainfall.hpp"

namespace rencheng::cli {

namespace {

struct DrainageOptions {
    std::string inp;
    std::string routing;
    std::string results;
    std::string summary;
    std::string hot_start_in, hot_start_out;
    bool werror = false;
};

void run_drainage_solve(const DrainageOptions& opt, CommandContext& ctx) {
    using namespace rencheng::drainage;
    SimulationOptions so;
    so.base_dir = std::filesystem::path(opt.inp).parent_path();
    so.use_hot_start = opt.hot_start_in;
    so.save_hot_start = opt.hot_start_out;
    if (opt.routing == "dynwave")
        so.routing = FlowRouting::kDynwave;
    else if (opt.routing == "kinwave")
        so.routing = FlowRouting::kKinwave;
    else if (opt.routing == "steady")
        so.routing = FlowRouting::kSteady;
    else if (!opt.routing.empty())
        throw Error(ErrorCode::kUsage,
                    "--routing '" + opt.routing +
                        "': use dynwave, kinwave or steady / 只能是 dynwave、kinwave 或 steady");
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
        if (s.runoff_from_file)
            std::printf("  runoff read from the runoff interface file / 径流取自径流接口文件\n");
        if (s.has_routing)
            std::printf("  flow routing continuity error / 汇流连续性误差: %.3f %%\n",
                        s.flow_routing_continuity_error_pct);
        if (s.has_groundwater)
            std::printf("  groundwater continuity error / 地下水连续性误差: %.3f %%\n",
                        s.groundwater_continuity_error_pct);
        // Both balances term by term, as SWMM's report tables list them.
        const char* heading = nullptr;
        for (const auto& t : drainage::balance_terms(s)) {
            const std::string_view q = t.quantity;
            const char* h = q.rfind("runoff_", 0) == 0
                                ? "  runoff quantity continuity / 产流水量平衡 (m3):\n"
                            : q.rfind("groundwater_", 0) == 0
                                ? "  groundwater continuity / 地下水水量平衡 (m3):\n"
                                : "  flow routing continuity / 汇流水量平衡 (m3):\n";
            if (h != heading)
                std::printf("%s", heading = h);
            // pad the Chinese label to 14 terminal columns (its characters take two each)
            int cols = 0;
            for (const char* c = t.label_zh; *c; ++c)
                if ((static_cast<unsigned char>(*c) & 0xC0) != 0x80)
                    cols += static_cast<unsigned char>(*c) >= 0xE0 ? 2 : 1;
            std::printf("    %-34s %s%*s %14.3f\n", t.label_en, t.label_zh, std::max(0, 14 - cols),
                        "", t.value_m3);
        }
        std::printf("  flooded volume / 溢流总量: %.3f m3\n", flooded);
        // SWMM's lists of the five worst: node continuity errors (1 − out/in over nodes other
        // than outfalls with more than 0.1 ft³ in), flow instability, time-step critical elements
        if (!s.node_stats.empty()) {
            using Entry = std::pair<double, std::string>;
            const auto print_top = [](const char* title, std::vector<Entry> v, const char* unit) {
                std::stable_sort(v.begin(), v.end(), [](const Entry& a, const Entry& b) {
                    return std::abs(a.first) > std::abs(b.first);
                });
                if (v.size() > 5)
                    v.resize(5);
                if (v.empty())
                    return;
                std::printf("  %s:", title);
                for (const auto& [x, id] : v)
                    std::printf(" %s (%.2f%s)", id.c_str(), x, unit);
                std::printf("\n");
            };
            std::vector<Entry> errors, turns, critical;
            for (std::size_t i = 0; i < s.node_stats.size(); ++i) {
                const auto& st = s.node_stats[i];
                if (net.node_kind[i] != drainage::NodeKind::kOutfall && st.inflow_m3 > 0.0028317)
                    errors.emplace_back(100.0 * (1.0 - st.outflow_m3 / st.inflow_m3),
                                        net.node_id[i]);
                if (st.critical_steps > 0)
                    critical.emplace_back(
                        drainage::percent_of_steps(st.critical_steps, s.routing_steps),
                        "node " + net.node_id[i]);
            }
            for (std::size_t j = 0; j < s.link_stats.size(); ++j) {
                const auto& st = s.link_stats[j];
                if (st.flow_turns > 0 && s.report_steps > 2)
                    turns.emplace_back(drainage::flow_instability_index(st, s.report_steps),
                                       net.link_id[j]);
                if (st.critical_steps > 0)
                    critical.emplace_back(
                        drainage::percent_of_steps(st.critical_steps, s.routing_steps),
                        "link " + net.link_id[j]);
            }
            print_top("highest node continuity errors / 节点连续性误差最大", errors, " %");
            print_top("highest flow instability indexes / 流量不稳定指数最高", turns, "");
            print_top("time-step critical elements / 控制时间步的元素", critical, " %");
        }
        // SWMM's Runoff Quality Continuity, per pollutant (a USE RUNOFF run's: its initial buildup)
        if (s.has_quality && (s.has_runoff || s.runoff_from_file)) {
            std::printf("  runoff quality continuity / 径流水质平衡 (kg; counts for #/L):\n");
            std::printf("    %-44s", "");
            for (const auto& p : s.pollutants)
                std::printf(" %14s", p.id.c_str());
            std::printf("\n");
            const auto line = [&](const char* en, const char* zh, int cols, auto term) {
                std::printf("    %-26s %s%*s", en, zh, std::max(0, 17 - cols), "");
                for (const auto& t : s.quality)
                    std::printf(" %14.3f", term(t));
                std::printf("\n");
            };
            using QT = drainage::QualityTotals;
            line("initial buildup", "初始累积量", 10,
                 [](const QT& t) { return t.initial_buildup; });
            line("surface buildup", "地表累积", 8, [](const QT& t) { return t.surface_buildup; });
            line("wet deposition", "湿沉降", 6, [](const QT& t) { return t.wet_deposition; });
            line("sweeping removal", "清扫去除", 8, [](const QT& t) { return t.sweeping; });
            line("infiltration loss", "下渗损失", 8, [](const QT& t) { return t.infiltration; });
            line("BMP removal", "BMP 去除", 8, [](const QT& t) { return t.bmp_removal; });
            line("surface runoff", "地表径流", 8, [](const QT& t) { return t.surface_runoff; });
            line("remaining buildup", "剩余累积量", 10,
                 [](const QT& t) { return t.remaining_buildup; });
            line("continuity error (%)", "连续性误差", 10,
                 [](const QT& t) { return t.continuity_error_pct; });
            const std::size_t np = s.pollutants.size();
            std::printf("    %-26s %s%*s", "washoff, all subcatchments", "冲刷总量", 9, "");
            for (std::size_t p = 0; p < np; ++p) {
                double w = 0;
                for (std::size_t k = p; k < s.subcatch_washoff_kg.size(); k += np)
                    w += s.subcatch_washoff_kg[k];
                std::printf(" %14.3f", w);
            }
            std::printf("\n");
        }
        if (s.has_quality_routing) { // SWMM's Quality Routing Continuity, per pollutant
            std::printf("  quality routing continuity / 管网水质平衡 (kg; counts for #/L):\n");
            std::printf("    %-44s", "");
            for (const auto& p : s.pollutants)
                std::printf(" %14s", p.id.c_str());
            std::printf("\n");
            const std::size_t np = s.pollutants.size();
            for (std::size_t k = 0; k < 11; ++k) {
                const auto t0 = drainage::routing_quality_terms(s.routing_quality[0])[k];
                std::printf(
                    "    %-26s %s%*s", t0.label_en, t0.label_zh,
                    std::max(0, 17 - 2 * static_cast<int>(std::string(t0.label_zh).size() / 3)),
                    "");
                for (const auto& t : s.routing_quality)
                    std::printf(" %14.3f", drainage::routing_quality_terms(t)[k].value);
                std::printf("\n");
            }
            std::printf("    %-26s %s%*s", "continuity error (%)", "连续性误差", 7, "");
            for (const auto& t : s.routing_quality)
                std::printf(" %14.3f", t.continuity_error_pct);
            std::printf("\n");
            std::printf("    %-26s %s%*s", "load to outfalls", "排口负荷", 9, "");
            for (std::size_t p = 0; p < np; ++p) {
                double w = 0;
                for (std::size_t k = p; k < s.outfall_load_kg.size(); k += np)
                    w += s.outfall_load_kg[k];
                std::printf(" %14.3f", w);
            }
            std::printf("\n");
        }
        for (const auto& note : s.not_simulated)
            std::printf("  note / 注意: %s\n", note.c_str());
        if (s.has_rdii)
            std::printf("  RDII / 降雨入流入渗: sewershed rainfall %.3f m3, RDII produced %.3f m3, "
                        "ratio %.3f\n",
                        s.rdii.sewershed_rain_m3, s.rdii.produced_m3,
                        s.rdii.sewershed_rain_m3 > 0 ? s.rdii.produced_m3 / s.rdii.sewershed_rain_m3
                                                     : 0.0);
        if (!opt.results.empty())
            std::printf("  results: %s\n", opt.results.c_str());
        if (!opt.summary.empty())
            std::printf("  summary: %s\n", opt.summary.c_str());
    }
    std::fflush(stdout);
    ctx.exit_code = 0;
}

struct CapacityCliOptions {
    std::string inp;
    std::string city;
    double return_period_a = 0.0;
    std::string duration = "2h";
    std::string hyetograph = "chicago";
    double peak_ratio = 0.4;
    std::string step = "5min";
    std::string inlet_time = "10min";
    std::string measures;
    std::string out;
    int top = 5;
    bool werror = false;
};

/// A duration: a number with s, min (or m) or h; a bare number is minutes, as in the storm
/// intensity formulas. Throws Error(kUsage) naming the option.
std::int64_t duration_s_of(const std::string& text, const char* option) {
    std::size_t k = 0;
    while (k < text.size() && (std::isdigit(static_cast<unsigned char>(text[k])) || text[k] == '.'))
        ++k;
    const auto value = parse_double(text.substr(0, k));
    const std::string unit = text.substr(k);
    double scale = 0.0;
    if (unit.empty() || unit == "min" || unit == "m")
        scale = 60.0;
    else if (unit == "s")
        scale = 1.0;
    else if (unit == "h")
        scale = 3600.0;
    const double seconds = value ? *value * scale : 0.0;
    if (!value || scale == 0.0 || !(seconds >= 1.0) || seconds > 30.0 * 86400.0 ||
        std::abs(seconds - std::round(seconds)) > 1e-6)
        throw Error(ErrorCode::kUsage, std::string(option) + ": '" + text +
                                           "' is not a duration of whole seconds (e.g. 2h, "
                                           "120min, 300s) / 不是有效的时长");
    return static_cast<std::int64_t>(std::llround(seconds));
}

/// Reads the model and the measures, reporting every problem; false when they stop the run.
bool read_capacity_inputs(const CapacityCliOptions& opt, CommandContext& ctx,
                          drainage::Network& net, std::vector<drainage::Measure>& measures) {
    Diagnostics diags;
    net = drainage::read_swmm_inp(opt.inp, diags);
    if (!opt.measures.empty() && !diags.has_errors())
        measures = drainage::read_measures_toml(opt.measures, net, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors() || (opt.werror && diags.warning_count() > 0)) {
        std::fprintf(stderr, "%zu error%s, %zu warning%s / 输入有误\n", diags.error_count(),
                     diags.error_count() == 1 ? "" : "s", diags.warning_count(),
                     diags.warning_count() == 1 ? "" : "s");
        ctx.exit_code = failure_exit_status(diags, opt.werror);
        return false;
    }
    return true;
}

void print_capacity_report(const drainage::Network& net, const drainage::CapacityReport& rep,
                           int conduits_to_list) {
    using namespace rencheng::drainage;
    int fail = 0, surcharged = 0;
    for (const auto& c : rep.conduits) {
        fail += c.passes ? 0 : 1;
        surcharged += c.surcharged_s > 0 ? 1 : 0;
    }
    const auto& b = rep.base;
    std::printf("Design storm / 设计暴雨: %s\n", rep.storm.c_str());
    std::printf("Rational method / 推理公式法: %zu conduits / 管段, %zu pass / 满足, %d fail / "
                "不满足 (design flow > full-flow capacity / 设计流量超过满管流量)\n",
                rep.conduits.size(), rep.conduits.size() - static_cast<std::size_t>(fail), fail);
    std::printf("Dynamic wave / 动力波: flooded volume / 溢流量 %.1f m3 at %d nodes / 个节点; "
                "%d surcharged conduits / 超载管段; flooded road length / 受淹道路长度 %.0f m; "
                "continuity error / 连续性误差 runoff %.3f %%, routing %.3f %%\n",
                b.flood_volume_m3, b.flooded_nodes, surcharged, b.flooded_road_length_m,
                rep.runoff_continuity_error_pct, b.routing_continuity_error_pct);

    std::vector<std::size_t> worst(rep.conduits.size());
    for (std::size_t i = 0; i < worst.size(); ++i)
        worst[i] = i;
    std::stable_sort(worst.begin(), worst.end(), [&](std::size_t x, std::size_t y) {
        return rep.conduits[x].design_ratio > rep.conduits[y].design_ratio;
    });
    worst.resize(std::min(worst.size(), static_cast<std::size_t>(conduits_to_list)));
    if (!worst.empty() && fail > 0) {
        std::printf("\nHighest design ratios / 设计流量比最大的管段\n");
        std::printf("  %-14s %10s %8s %12s %12s %7s %11s %10s\n", "conduit/管段", "area ha",
                    "tc min", "Q_des m3/s", "Q_full m3/s", "ratio", "peak m3/s", "surch. h");
        for (const std::size_t i : worst) {
            const auto& c = rep.conduits[i];
            if (c.passes)
                break;
            std::printf("  %-14s %10.2f %8.1f %12.3f %12.3f %7.2f %11.3f %10.2f\n",
                        net.link_id[c.link].c_str(), c.area_m2 / 1e4, c.concentration_time_s / 60.0,
                        c.design_flow_m3s, c.full_flow_m3s, c.design_ratio, c.peak_flow_m3s,
                        c.surcharged_s / 3600.0);
        }
    }
    std::printf("\nBottlenecks / 瓶颈管段 (%zu of %d candidates re-run raised to carry the design "
                "flow / 个候选按设计流量扩容重算)\n",
                rep.bottlenecks.size(), rep.bottleneck_candidates);
    if (!rep.bottlenecks.empty()) {
        std::printf("  %4s %-14s %7s %7s %14s %14s %14s\n", "rank", "conduit/管段", "ratio",
                    "scale", "upstream m3", "after m3", "caused m3");
        int rank = 0;
        for (const auto& k : rep.bottlenecks)
            std::printf("  %4d %-14s %7.2f %7.3f %14.1f %14.1f %14.1f\n", ++rank,
                        net.link_id[k.link].c_str(), k.design_ratio, k.scale,
                        k.upstream_flood_before_m3, k.upstream_flood_after_m3, k.flood_caused_m3);
    }
    if (!rep.measures.empty()) {
        std::printf("\nMeasures / 措施 (before → after / 实施前 → 实施后)\n");
        std::printf("  %-22s %-17s %24s %14s %22s\n", "measure/措施", "type/类型",
                    "flood m3 / 溢流量", "nodes / 节点", "road m / 受淹道路");
        for (const auto& m : rep.measures)
            std::printf("  %-22s %-17s %11.1f → %10.1f %6d → %5d %10.0f → %9.0f\n", m.name.c_str(),
                        m.combined ? "all" : std::string(measure_type_name(m.type)).c_str(),
                        b.flood_volume_m3, m.after.flood_volume_m3, b.flooded_nodes,
                        m.after.flooded_nodes, b.flooded_road_length_m,
                        m.after.flooded_road_length_m);
    }
}

void run_drainage_capacity(const CapacityCliOptions& opt, CommandContext& ctx) {
    using namespace rencheng::drainage;
    const hazard::CityRainfallFormula* city = hazard::find_city_rainfall_formula(opt.city);
    if (!city)
        throw Error(ErrorCode::kUsage, "--city: '" + opt.city +
                                           "' is not in the library (see 'rencheng rain cities') "
                                           "/ 城市不在公式库中");
    if (!(opt.return_period_a >= city->min_return_period_a &&
          opt.return_period_a <= city->max_return_period_a)) {
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "--return-period: %g a is outside %s's range %g–%g a / 重现期超出公式范围",
                      opt.return_period_a, city->name_en.c_str(), city->min_return_period_a,
                      city->max_return_period_a);
        throw Error(ErrorCode::kOutOfRange, buf);
    }
    const std::int64_t duration_s = duration_s_of(opt.duration, "--duration");
    const std::int64_t step_s = duration_s_of(opt.step, "--step");
    if (duration_s % step_s != 0)
        throw Error(ErrorCode::kUsage,
                    "--step " + opt.step + " does not divide --duration " + opt.duration);
    if (!(opt.peak_ratio >= 0.0 && opt.peak_ratio <= 1.0))
        throw Error(ErrorCode::kUsage, "--peak-ratio must lie in [0, 1]");
    if (opt.hyetograph != "chicago" && opt.hyetograph != "uniform")
        throw Error(ErrorCode::kUsage,
                    "--hyetograph: '" + opt.hyetograph + "' is not chicago or uniform");
    if (opt.top < 0 || opt.top > 1000)
        throw Error(ErrorCode::kUsage, "--top must lie in [0, 1000]");
    CapacityOptions co;
    co.inlet_time_s = static_cast<double>(duration_s_of(opt.inlet_time, "--inlet-time"));
    co.top_bottlenecks = opt.top;

    Network net;
    std::vector<Measure> measures;
    if (!read_capacity_inputs(opt, ctx, net, measures))
        return;

    const hazard::IntensityParameters p = city->formula.parameters(opt.return_period_a);
    const hazard::Hyetograph h =
        opt.hyetograph == "chicago"
            ? hazard::chicago_hyetograph(p, duration_s, step_s, opt.peak_ratio)
            : hazard::uniform_hyetograph(p, duration_s, step_s);
    DesignStorm storm;
    storm.step_s = h.step_s;
    for (const double i : h.intensity_mm_h)
        storm.intensity_ms.push_back(i / 3.6e6); // mm/h → m/s
    // mm/min → m/s
    storm.mean_intensity_ms = [p](double t_s) { return p.intensity_mm_per_min(t_s / 60.0) / 6e4; };
    char desc[320];
    std::snprintf(desc, sizeof desc, "%s (%s) %s, P = %g a, %s, %g min, %.1f mm",
                  city->name_en.c_str(), city->name_zh.c_str(), city->formula.describe().c_str(),
                  opt.return_period_a, opt.hyetograph.c_str(),
                  static_cast<double>(duration_s) / 60.0, h.depth_mm());
    storm.description = desc;
    if (!city->verified)
        std::fprintf(stderr,
                     "warning: %s's formula is not verified against its official document / "
                     "该城市公式尚未核对官方文件\n",
                     city->name_en.c_str());

    const CapacityReport rep =
        assess_capacity(net, storm, measures, co, std::filesystem::path(opt.inp).parent_path());
    if (!opt.out.empty()) {
        const std::filesystem::path dir(opt.out);
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec)
            throw Error(ErrorCode::kWriteFailed,
                        opt.out + ": cannot create the folder: " + ec.message());
        write_file_atomic(dir / "conduits.csv", format_conduit_capacity_csv(net, rep));
        write_file_atomic(dir / "bottlenecks.csv", format_bottlenecks_csv(net, rep));
        if (!measures.empty())
            write_file_atomic(dir / "measures.csv", format_measures_csv(rep));
    }
    if (!ctx.quiet) {
        print_capacity_report(net, rep, 10);
        if (!opt.out.empty())
            std::printf("\nwritten / 已写入: %s/conduits.csv, bottlenecks.csv%s\n", opt.out.c_str(),
                        measures.empty() ? "" : ", measures.csv");
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
                     "Flow routing: dynwave, kinwave or steady (default: the file's "
                     "FLOW_ROUTING) / 汇流方法：动力波、运动波或恒定流")
        ->type_name("dynwave|kinwave|steady");
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
    solve
        ->add_option("--hotstart", opt->hot_start_in,
                     "Start from a SWMM hot start file (replaces the model's [FILES] USE "
                     "HOTSTART) / 从 SWMM 热启动文件开始计算")
        ->type_name("FILE.hsf");
    solve
        ->add_option("--save-hotstart", opt->hot_start_out,
                     "Save the end state as a SWMM hot start file (replaces the model's [FILES] "
                     "SAVE HOTSTART) / 将结束状态保存为 SWMM 热启动文件")
        ->type_name("FILE.hsf");
    solve->add_flag("--werror", opt->werror,
                    "Treat warnings of the input as errors / 警告视为错误");
    solve->footer("Exit status: 0 solved, 1 bad input or a feature not simulated yet, 2 bad "
                  "usage, 3 a file is missing or unreadable. See docs/drainage.md.\n"
                  "退出码：0 成功，1 输入错误或尚不支持的功能，2 用法错误，3 文件缺失或不可读。");
    solve->callback([opt, &ctx] { run_drainage_solve(*opt, ctx); });

    auto cap = std::make_shared<CapacityCliOptions>();
    CLI::App* capacity = drainage->add_subcommand(
        "capacity", "Network capacity against a design storm: rational-method check, bottlenecks, "
                    "what-if measures / 管网排水能力评估、瓶颈与措施比选");
    capacity->add_option("network", cap->inp, "The SWMM 5 input file / SWMM 输入文件")
        ->required()
        ->type_name("NET.inp");
    capacity
        ->add_option("--city", cap->city, "City of the storm formula (rencheng rain cities) / 城市")
        ->required();
    capacity
        ->add_option("--return-period", cap->return_period_a,
                     "Design return period P, years / 设计重现期（年）")
        ->required();
    capacity->add_option("--duration", cap->duration,
                         "Design storm duration (default 2h) / 降雨历时");
    capacity->add_option("--hyetograph", cap->hyetograph, "chicago (default) or uniform / 雨型");
    capacity->add_option("--peak-ratio", cap->peak_ratio,
                         "Chicago peak position r in [0, 1] (default 0.4) / 雨峰系数");
    capacity->add_option("--step", cap->step, "Hyetograph step (default 5min) / 时间步长");
    capacity->add_option("--inlet-time", cap->inlet_time,
                         "Surface inlet time t1 of the rational method (default 10min) / "
                         "地面集水时间");
    capacity
        ->add_option("--measures", cap->measures,
                     "What-if measures (TOML: storage_tank, pipe_upsize, runoff_reduction) / "
                     "措施文件")
        ->type_name("MEASURES.toml");
    capacity
        ->add_option("--out", cap->out,
                     "Write conduits.csv, bottlenecks.csv, measures.csv into this folder / "
                     "输出目录")
        ->type_name("DIR");
    capacity->add_option("--top", cap->top,
                         "Bottleneck candidates re-run as what-ifs (default 5) / 瓶颈候选数");
    capacity->add_flag("--werror", cap->werror,
                       "Treat warnings of the input as errors / 警告视为错误");
    capacity->footer(
        "See docs/drainage.md \"Capacity assessment\".\nExit status: 0 assessed, 1 bad "
        "input or a feature not simulated yet, 2 bad usage, 3 a file is missing or "
        "unreadable.\n退出码：0 成功，1 输入错误或尚不支持的功能，2 用法错误，3 "
        "文件缺失或不可读。");
    capacity->callback([cap, &ctx] { run_drainage_capacity(*cap, ctx); });
}

} // namespace rencheng::cli
