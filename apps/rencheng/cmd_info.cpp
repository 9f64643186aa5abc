// `rencheng info BUNDLE`: a summary table of what a city bundle holds.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "command.hpp"
#include "core/error.hpp"
#include "core/geo.hpp"
#include "diagnostics_output.hpp"
#include "model/city.hpp"

namespace rencheng::cli {

namespace {

struct InfoOptions {
    std::string bundle;
};

/// Columns a UTF-8 string takes on a terminal: East Asian wide characters take two.
std::size_t display_width(const std::string& s) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = c;
        std::size_t len = 1;
        if (c >= 0xF0 && i + 3 < s.size()) {
            len = 4;
            cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                 (s[i + 3] & 0x3Fu);
        } else if (c >= 0xE0 && i + 2 < s.size()) {
            len = 3;
            cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
        } else if (c >= 0xC0 && i + 1 < s.size()) {
            len = 2;
            cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
        }
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
        width += wide ? 2 : 1;
        i += len;
    }
    return width;
}

/// 1234567 → "1,234,567".
std::string thousands(long long v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

/// "1 link", "2 links".
std::string count_of(long long n, const std::string& noun) {
    return thousands(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

/// Unit of a facility's capacity, by kind (city.hpp, FacilityKind).
const char* capacity_unit(model::FacilityKind k) {
    switch (k) {
    case model::FacilityKind::kHospital:
        return "beds";
    case model::FacilityKind::kShelter:
        return "persons";
    case model::FacilityKind::kFireStation:
        return "engines";
    case model::FacilityKind::kDepot:
        return "crews";
    case model::FacilityKind::kCommandCentre:
        return "staff";
    case model::FacilityKind::kTelecomSite:
        return "subscribers";
    case model::FacilityKind::kSchool:
        return "pupils";
    }
    return "";
}

/// A two-column table: label, value; labels padded to one width.
class Table {
public:
    void row(std::string label, std::string value) { rows_.push_back({std::move(label), value}); }
    void print() const {
        std::size_t w = 0;
        for (const auto& r : rows_)
            w = std::max(w, display_width(r[0]));
        for (const auto& r : rows_) {
            std::string line = r[0];
            line.append(w + 2 - display_width(r[0]), ' ');
            line += r[1];
            std::printf("%s\n", line.c_str());
        }
    }

private:
    std::vector<std::array<std::string, 2>> rows_;
};

void print_info(const model::City& city) {
    Table t;
    t.row("City / 城市", city.info.name_zh.empty()
                             ? city.info.name
                             : city.info.name + " (" + city.info.name_zh + ")");
    t.row("CRS / 坐标系", city.info.crs);
    const BoundingBox& e = city.info.extent;
    const double mid_lat = (e.min_lat + e.max_lat) / 2;
    const double width_km = haversine_m({e.min_lon, mid_lat}, {e.max_lon, mid_lat}) / 1000;
    const double height_km = haversine_m({e.min_lon, e.min_lat}, {e.min_lon, e.max_lat}) / 1000;
    t.row("Extent / 范围", "lon " + fixed(e.min_lon, 4) + " .. " + fixed(e.max_lon, 4) + ", lat " +
                               fixed(e.min_lat, 4) + " .. " + fixed(e.max_lat, 4));
    t.row("Area / 面积", fixed(width_km, 1) + " km × " + fixed(height_km, 1) +
                             " km = " + fixed(width_km * height_km, 1) + " km²");

    std::set<std::string> districts;
    for (const auto& z : city.zones)
        if (!z.district.empty())
            districts.insert(z.district);
    t.row("Population / 人口", thousands(city.total_population()) + " in " +
                                   count_of(static_cast<long long>(city.zones.size()), "zone"));
    t.row("Districts / 行政区", thousands(static_cast<long long>(districts.size())));

    if (city.roads) {
        const auto& r = *city.roads;
        long long bridges = 0, tunnels = 0, oneway = 0;
        std::array<long long, 4> links_by_class{};
        std::array<double, 4> length_by_class{};
        for (std::int32_t l = 0; l < r.link_count(); ++l) {
            const auto i = static_cast<std::size_t>(l);
            bridges += r.bridge[i];
            tunnels += r.tunnel[i];
            oneway += r.oneway[i];
            const auto c = static_cast<std::size_t>(r.link_class[i]);
            ++links_by_class[c];
            length_by_class[c] += r.length_m[i];
        }
        t.row("Roads / 道路", count_of(r.node_count(), "node") + ", " +
                                  count_of(r.link_count(), "link") + ", " +
                                  fixed(r.total_length_m() / 1000, 1) + " km");
        for (std::size_t c = 0; c < 4; ++c) {
            t.row("  " +
                      std::string(transport::road_class_name(static_cast<transport::RoadClass>(c))),
                  count_of(links_by_class[c], "link") + ", " + fixed(length_by_class[c] / 1000, 1) +
                      " km");
        }
        t.row("Bridges / 桥梁", thousands(bridges));
        t.row("Tunnels / 隧道", thousands(tunnels));
        t.row("One-way links / 单行", thousands(oneway));
    } else {
        t.row("Roads / 道路", "none");
    }

    if (city.water) {
        const auto& w = *city.water;
        long long tanks = w.tanks.count(), pipes = 0;
        double pipe_km = 0, demand_lps = 0;
        for (std::int32_t l = 0; l < w.link_count(); ++l) {
            const auto k = w.link_kind[static_cast<std::size_t>(l)];
            if (k == water::LinkKind::kPipe || k == water::LinkKind::kCvPipe) {
                ++pipes;
                pipe_km += w.length_m[static_cast<std::size_t>(l)] / 1000;
            }
        }
        for (const auto& d : w.demands)
            demand_lps += d.base_m3s * 1000;
        t.row("Water / 供水", count_of(w.junction_count(), "junction") + ", " +
                                  count_of(w.reservoir_count(), "reservoir") + ", " +
                                  count_of(tanks, "tank"));
        t.row("  pipes", count_of(pipes, "pipe") + ", " + fixed(pipe_km, 1) + " km");
        t.row("  pumps, valves",
              count_of(w.pumps.count(), "pump") + ", " + count_of(w.valves.count(), "valve") +
                  ", " +
                  count_of(static_cast<long long>(city.water_valves.size()), "isolation valve"));
        t.row("  base demand", fixed(demand_lps, 1) + " L/s");
    } else {
        t.row("Water / 供水", "none");
    }

    if (city.power) {
        const auto& p = *city.power;
        double load_mw = 0, capacity_mw = 0;
        for (double pd : p.buses.pd_pu)
            load_mw += pd * p.base_mva;
        for (std::int32_t g = 0; g < p.gens.count(); ++g)
            if (p.gens.in_service(power::GenIndex{g}))
                capacity_mw += p.gens.pmax_pu[static_cast<std::size_t>(g)] * p.base_mva;
        long long in_service = 0, transformers = 0;
        for (std::int32_t k = 0; k < p.branches.count(); ++k) {
            const auto u = static_cast<std::size_t>(k);
            in_service += p.branches.in_service(power::BranchIndex{k}) ? 1 : 0;
            const double kf = p.buses.base_kv[static_cast<std::size_t>(p.branches.from[u].idx())];
            const double kt = p.buses.base_kv[static_cast<std::size_t>(p.branches.to[u].idx())];
            transformers += (p.branches.tap[u] != 0 || kf != kt) ? 1 : 0;
        }
        long long ties = 0;
        for (const auto& w : city.power_switches)
            ties += w.normally_open ? 1 : 0;
        t.row("Power / 电力", thousands(p.buses.count()) + " buses, " +
                                  thousands(p.branches.count()) + " branches (" +
                                  thousands(in_service) + " in service), " +
                                  count_of(p.gens.count(), "generator"));
        t.row("  load, capacity",
              fixed(load_mw, 1) + " MW peak load, " + fixed(capacity_mw, 1) + " MW generation");
        t.row("  transformers", thousands(transformers));
        t.row("  switches", thousands(static_cast<long long>(city.power_switches.size())) +
                                " switches, " + thousands(ties) + " normally open");
    } else {
        t.row("Power / 电力", "none");
    }

    if (city.drainage) {
        const auto& d = *city.drainage;
        long long conduits = d.conduits.count();
        double conduit_km = 0;
        for (double len : d.conduits.length_m)
            conduit_km += len / 1000;
        double catchment_ha = 0, imperv_ha = 0;
        for (std::int32_t s = 0; s < d.subcatchments.count(); ++s) {
            const auto u = static_cast<std::size_t>(s);
            catchment_ha += d.subcatchments.area_m2[u] / 1e4;
            imperv_ha += d.subcatchments.area_m2[u] * d.subcatchments.imperv_fraction[u] / 1e4;
        }
        const long long junctions =
            d.node_count() - d.outfalls.count() - d.storages.count() - d.dividers.count();
        t.row("Drainage / 排水", count_of(junctions, "junction") + ", " +
                                     count_of(d.outfalls.count(), "outfall") + ", " +
                                     count_of(d.storages.count(), "storage unit"));
        t.row("  conduits", count_of(conduits, "conduit") + ", " + fixed(conduit_km, 1) + " km");
        t.row("  pumps, regulators",
              count_of(d.pumps.count(), "pump") + ", " +
                  count_of(d.orifices.count() + d.weirs.count() + d.outlets.count(), "regulator"));
        t.row("  subcatchments",
              count_of(d.subcatchments.count(), "subcatchment") + ", " + fixed(catchment_ha, 1) +
                  " ha (" + fixed(catchment_ha > 0 ? 100 * imperv_ha / catchment_ha : 0.0, 0) +
                  " % impervious)");
    } else {
        t.row("Drainage / 排水", "none");
    }

    t.row("Facilities / 设施", thousands(static_cast<long long>(city.facilities.size())));
    for (int k = 0; k < model::kFacilityKindCount; ++k) {
        const auto kind = static_cast<model::FacilityKind>(k);
        long long count = 0;
        double capacity = 0;
        for (const auto& f : city.facilities) {
            if (f.kind != kind)
                continue;
            ++count;
            capacity += f.capacity;
        }
        if (count == 0)
            continue;
        t.row("  " + std::string(model::facility_kind_name(kind)),
              thousands(count) + ", capacity " + thousands(std::llround(capacity)) + " " +
                  capacity_unit(kind));
    }

    t.row("Dependencies / 依赖", thousands(static_cast<long long>(city.dependencies.size())));
    for (int s = 0; s < model::kServiceCount; ++s) {
        const auto service = static_cast<model::Service>(s);
        const auto count = std::count_if(city.dependencies.begin(), city.dependencies.end(),
                                         [&](const auto& d) { return d.service == service; });
        if (count > 0)
            t.row("  " + std::string(model::service_name(service)), thousands(count));
    }

    if (city.terrain) {
        const auto& g = *city.terrain;
        const auto nodata = static_cast<float>(g.nodata);
        float lo = 0, hi = 0;
        bool any = false;
        for (float v : g.elevation_m) {
            if (v == nodata || !std::isfinite(v))
                continue;
            lo = any ? std::min(lo, v) : v;
            hi = any ? std::max(hi, v) : v;
            any = true;
        }
        t.row(
            "Terrain / 地形",
            std::to_string(g.ncols) + " × " + std::to_string(g.nrows) + " cells of " +
                fixed(g.cellsize_deg * 3600, 1) + "\"" +
                (any ? ", elevation " + fixed(lo, 1) + " .. " + fixed(hi, 1) + " m" : ", no data"));
    } else {
        t.row("Terrain / 地形", "none");
    }
    t.print();
}

void run_info(const InfoOptions& opt, CommandContext& ctx) {
    Diagnostics diags;
    const model::City city = model::load_city(opt.bundle, diags);
    diags.sort();
    print_diagnostics(diags, stderr, ctx.quiet);
    if (diags.has_errors()) {
        std::fprintf(stderr,
                     "rencheng info: the bundle has %zu error(s); fix them first / "
                     "数据包有错误，请先修正\n",
                     diags.error_count());
        ctx.exit_code = failure_exit_status(diags, false);
        return;
    }
    print_info(city);
    std::fflush(stdout);
    ctx.exit_code = 0;
}

} // namespace

void add_info_command(CLI::App& app, CommandContext& ctx) {
    auto opt = std::make_shared<InfoOptions>();
    CLI::App* cmd = app.add_subcommand(
        "info",
        "Summarise what a city bundle holds (population, roads, facilities, …) / 数据包概况");
    add_bundle_argument(*cmd, opt->bundle);
    cmd->footer("Exit status: 0 when the bundle is valid; otherwise its diagnostics are printed "
                "and the status is that of 'rencheng validate'.\n");
    cmd->callback([opt, &ctx] { run_info(*opt, ctx); });
}

} // namespace rencheng::cli
