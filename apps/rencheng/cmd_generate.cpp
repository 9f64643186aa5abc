// `rencheng generate`: lay out a synthetic city and write it as a bundle.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "citygen/citygen.hpp"
#include "command.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/progress.hpp"
#include "diagnostics_output.hpp"
#include "transport/osm_reader.hpp"

namespace rencheng::cli {

namespace {

struct GenerateArgs {
    citygen::GenerateOptions options;
    std::string centre;
    std::string crs;
    std::string out;
    std::string roads_from;
    bool force = false;
};

// "LON,LAT" → LonLat; a malformed value is a usage error (exit 2).
LonLat parse_centre(const std::string& text) {
    const auto comma = text.find(',');
    if (comma == std::string::npos) {
        throw Error(ErrorCode::kUsage, "--centre wants LON,LAT in degrees (got '" + text + "')");
    }
    const auto lon = parse_double(text.substr(0, comma));
    const auto lat = parse_double(text.substr(comma + 1));
    if (!lon || !lat) {
        throw Error(ErrorCode::kUsage, "--centre wants LON,LAT in degrees (got '" + text + "')");
    }
    return {*lon, *lat};
}

void run_generate(const GenerateArgs& args, CommandContext& ctx) {
    citygen::GenerateOptions options = args.options;
    if (!args.centre.empty()) {
        options.centre = parse_centre(args.centre);
    }
    if (!args.roads_from.empty()) {
        if (!args.centre.empty()) {
            throw Error(ErrorCode::kUsage,
                        "--centre and --roads-from exclude each other: the streets fix the centre");
        }
        Diagnostics diags;
        transport::OsmImportReport report;
        auto streets = std::make_shared<transport::RoadNetwork>(
            transport::read_osm(args.roads_from, diags, &report));
        diags.sort();
        print_diagnostics(diags, stderr, ctx.quiet);
        if (diags.has_errors()) {
            ctx.exit_code = failure_exit_status(diags, false);
            return;
        }
        options.centre = citygen::streets_centre(*streets);
        options.streets = std::move(streets);
        options.streets_source = args.roads_from;
    }
    options.crs = args.crs.empty() ? citygen::default_crs(options.centre) : args.crs;
    options.validate();

    TerminalProgress progress(stderr, ctx.quiet);
    const model::City city = citygen::generate_city(options, &progress);
    const citygen::GenerateSummary s =
        citygen::write_city_bundle(city, options, args.out, args.force);
    if (!ctx.quiet) {
        std::printf("generated %s (%s) in %s\n", options.name.c_str(), options.name_zh.c_str(),
                    args.out.c_str());
        std::printf("  population   %lld in %d zones, %.1f km2 (%.0f per km2)\n",
                    static_cast<long long>(s.population), s.zones, s.area_km2,
                    s.area_km2 > 0.0 ? static_cast<double>(s.population) / s.area_km2 : 0.0);
        std::printf("  roads        %d nodes, %d links, %d bridges\n", s.road_nodes, s.road_links,
                    s.bridges);
        std::printf("  water        %d junctions, %d pipes, %d tanks, %d pumps, %d PRVs\n",
                    s.water_junctions, s.water_pipes, s.water_tanks, s.water_pumps, s.water_valves);
        std::printf("  power        %d buses, %d branches, %d generators, %d ties, %.1f MW load\n",
                    s.power_buses, s.power_branches, s.power_gens, s.power_ties, s.power_load_mw);
        std::printf("  drainage     %d manholes, %d conduits (%.1f km), %d outfalls, %d pumps, "
                    "%d subcatchments\n",
                    s.drainage_junctions, s.drainage_conduits, s.drainage_conduit_km,
                    s.drainage_outfalls, s.drainage_pumps, s.drainage_subcatchments);
        std::printf("  facilities   %d\n", s.facilities);
        std::printf("  dependencies %d\n", s.dependencies);
        std::printf("  crs          %s\n", options.crs.c_str());
        if (s.tntp_zones > 0) {
            std::printf("  tntp         %s_{net,trips,node}.tntp: %d zones, %.1f veh/h at peak\n",
                        citygen::tntp_file_stem(options.name).c_str(), s.tntp_zones,
                        s.tntp_trips_vehh);
        }
    }
    ctx.exit_code = 0;
}

} // namespace

void add_generate_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<GenerateArgs>();
    CLI::App* sub = app.add_subcommand(
        "generate",
        "Generate a synthetic city bundle: terrain with a river valley, roads with "
        "bridges, population zones, critical facilities, the water network, the power grid and "
        "their dependencies.\n"
        "生成合成城市数据包：地形与河谷、道路与桥梁、人口分区、关键设施、供水管网、电网及其依赖关系"
        "。");
    sub->add_option("-p,--population", args->options.population,
                    "Residents of the city (1000 to 50000000) / 人口")
        ->required();
    sub->add_option("-s,--seed", args->options.seed,
                    "Random seed; the same seed gives the same bytes / 随机种子")
        ->capture_default_str();
    sub->add_option("-o,--out", args->out,
                    "Folder to write the bundle to (must not exist or be empty unless --force) / "
                    "输出目录")
        ->required();
    sub->add_option("--name", args->options.name, "City name / 城市英文名")->capture_default_str();
    sub->add_option("--name-zh", args->options.name_zh, "City name in Chinese / 城市中文名")
        ->capture_default_str();
    sub->add_option("--centre,--center", args->centre,
                    "City centre as LON,LAT in degrees (default 114.30,30.60) / 城市中心经纬度");
    sub->add_option("--crs", args->crs,
                    "Analysis CRS written to city.toml (default: the CGCS2000 3-degree "
                    "Gauss-Kruger zone of the centre, EPSG:4547 at 114E) / 分析坐标系");
    sub->add_option("--roads-from", args->roads_from,
                    "Lay the city on the drivable streets of an OpenStreetMap file (.osm.pbf, "
                    ".osm) instead of a synthetic street grid; the streets fix the centre / "
                    "使用开放街道地图的真实路网")
        ->type_name("FILE.osm.pbf");
    sub->add_flag("-f,--force", args->force, "Replace an existing output folder / 覆盖已有目录");
    sub->callback([args, &ctx]() { run_generate(*args, ctx); });
}

} // namespace rencheng::cli
