// Tests of the generated storm drains: the pipe tree drains every manhole to an outfall, pipes
// keep their cover, velocities and sizes by the design rules, subcatchments cover the zones,
// pump stations have their wet well, curve and power, the gauge holds the formula's design storm,
// the bundle round-trips, and our dynamic wave runs the network with small continuity errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <unistd.h>

#include "citygen/citygen.hpp"
#include "citygen/detail/drainage_layout.hpp"
#include "core/error.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "hazard/rainfall.hpp"
#include "model/city.hpp"

using namespace rencheng;
namespace fs = std::filesystem;

namespace {

citygen::GenerateOptions demo_options(std::int64_t population = 100000) {
    citygen::GenerateOptions o;
    o.population = population;
    o.seed = 2026;
    o.name = "Demo City";
    o.name_zh = "示范城";
    return o;
}

const model::City& demo_city() {
    static const model::City city = citygen::generate_city(demo_options());
    return city;
}

const drainage::Network& demo_drains() {
    return *demo_city().drainage;
}

/// Full-flow capacity of a conduit by Manning at slope s (one barrel times the barrels).
double full_velocity(const drainage::Network& net, std::size_t l, double s) {
    const drainage::XSection& x = net.xsection[l];
    const double n = net.conduits.roughness[static_cast<std::size_t>(net.type_index[l])];
    double r = 0.0;
    if (x.shape == drainage::XsectShape::kCircular) {
        r = x.geom[0] / 4.0;
    } else {
        r = x.geom[0] * x.geom[1] / (2.0 * (x.geom[0] + x.geom[1]));
    }
    return std::pow(r, 2.0 / 3.0) * std::sqrt(s) / n;
}

/// Rim (ground) elevation of a node: invert + max depth.
double rim(const drainage::Network& net, drainage::NodeIndex v) {
    const auto u = static_cast<std::size_t>(v.idx());
    return net.invert_m[u] + net.max_depth_m[u];
}

class TempDir {
public:
    explicit TempDir(const std::string& name)
        : path_(fs::temp_directory_path() /
                ("rencheng-drainage-gen-" + name + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

} // namespace

TEST(DrainageGen, DesignRulesPickTheNearestFormulaAndTheReturnPeriod) {
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({114.30, 30.60}), "wuhan");
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({116.3, 39.8}), "beijing");
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({121.0, 31.0}), "shanghai");
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({114.1, 22.6}), "shenzhen");
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({113.3, 23.2}), "guangzhou");
    EXPECT_EQ(citygen::detail::nearest_rainfall_formula_key({113.7, 34.7}), "zhengzhou");
    // Every key names a formula of the library.
    for (const auto& f : hazard::city_rainfall_formulas()) {
        EXPECT_NE(hazard::find_city_rainfall_formula(f.key), nullptr);
    }
    EXPECT_EQ(citygen::detail::drainage_design_return_period_a(100000), 3.0);
    EXPECT_EQ(citygen::detail::drainage_design_return_period_a(999999), 3.0);
    EXPECT_EQ(citygen::detail::drainage_design_return_period_a(1000000), 5.0);
}

TEST(DrainageGen, OptionsAreDynamicWaveWithPonding) {
    const drainage::Network& net = demo_drains();
    EXPECT_EQ(net.options.routing, drainage::FlowRouting::kDynwave);
    EXPECT_TRUE(net.options.allow_ponding);
    EXPECT_EQ(net.options.flow_units, drainage::FlowUnits::kCms);
    EXPECT_EQ(net.options.infiltration, drainage::InfiltrationModel::kHorton);
    EXPECT_DOUBLE_EQ(net.options.end_s, citygen::detail::kDrainSimulation_s);
}

TEST(DrainageGen, EveryManholeDrainsToAnOutfall) {
    const drainage::Network& net = demo_drains();
    const model::City& city = demo_city();
    const auto nn = static_cast<std::size_t>(net.node_count());
    // Exactly one link leaves every junction and every wet well; none leaves an outfall.
    std::vector<int> leaving(nn, 0);
    std::vector<std::int32_t> down(nn, -1);
    for (std::int32_t l = 0; l < net.link_count(); ++l) {
        const auto ul = static_cast<std::size_t>(l);
        const auto f = static_cast<std::size_t>(net.from_node[ul].idx());
        ++leaving[f];
        down[f] = net.to_node[ul].idx();
    }
    for (std::size_t v = 0; v < nn; ++v) {
        if (net.node_kind[v] == drainage::NodeKind::kOutfall) {
            EXPECT_EQ(leaving[v], 0) << net.node_id[v];
        } else {
            EXPECT_EQ(leaving[v], 1) << net.node_id[v];
        }
    }
    // Following the links from any node ends at an outfall within node_count steps.
    for (std::size_t v = 0; v < nn; ++v) {
        std::size_t at = v;
        std::size_t steps = 0;
        while (net.node_kind[at] != drainage::NodeKind::kOutfall && steps <= nn) {
            at = static_cast<std::size_t>(down[at]);
            ++steps;
        }
        ASSERT_EQ(net.node_kind[at], drainage::NodeKind::kOutfall) << net.node_id[v];
    }
    // A manhole at every road node.
    for (const std::string& id : city.roads->node_id) {
        EXPECT_TRUE(net.find_node("J" + id).valid()) << id;
    }
    EXPECT_TRUE(city.has_asset("drainage_node:J" + city.roads->node_id.front()));
    EXPECT_GT(net.outfalls.count(), 1);
}

TEST(DrainageGen, PipesKeepCoverVelocityAndNeverShrinkDownstream) {
    const drainage::Network& net = demo_drains();
    std::map<std::int32_t, double> leaving_height; // node -> height of the pipe leaving it
    for (std::int32_t c = 0; c < net.conduits.count(); ++c) {
        const auto l =
            static_cast<std::size_t>(net.conduits.link[static_cast<std::size_t>(c)].idx());
        leaving_height[net.from_node[l].idx()] = net.xsection[l].geom[0];
    }
    int checked = 0;
    for (std::int32_t c = 0; c < net.conduits.count(); ++c) {
        const auto uc = static_cast<std::size_t>(c);
        const auto l = static_cast<std::size_t>(net.conduits.link[uc].idx());
        const drainage::NodeIndex a = net.from_node[l], b = net.to_node[l];
        const double h = net.xsection[l].geom[0];
        const double up =
            net.invert_m[static_cast<std::size_t>(a.idx())] +
            net.inlet_offset_depth_m(drainage::LinkIndex{static_cast<std::int32_t>(l)});
        const double dn =
            net.invert_m[static_cast<std::size_t>(b.idx())] +
            net.outlet_offset_depth_m(drainage::LinkIndex{static_cast<std::int32_t>(l)});
        const double len = net.conduits.length_m[uc];
        ASSERT_GT(len, 0.0);
        const double slope = (up - dn) / len;
        // Downhill, at least the self-cleansing slope and at most the scouring one (2 mm of
        // rounding in the file's inverts allowed).
        const double v = full_velocity(net, l, slope);
        EXPECT_GE(v, citygen::detail::kDrainMinVelocity_ms * 0.97) << net.link_id[l];
        EXPECT_LE(v, citygen::detail::kDrainMaxVelocity_ms * 1.03) << net.link_id[l];
        // Cover over the crown at the upstream end; at the downstream end unless it is a wet
        // well or an outfall.
        EXPECT_LE(up + h, rim(net, a) - citygen::detail::kDrainCover_m + 0.002) << net.link_id[l];
        if (net.node_kind[static_cast<std::size_t>(b.idx())] == drainage::NodeKind::kJunction) {
            EXPECT_LE(dn + h, rim(net, b) - citygen::detail::kDrainCover_m + 0.002)
                << net.link_id[l];
            // Sizes never shrink downstream.
            EXPECT_GE(leaving_height[b.idx()], h - 1e-9) << net.link_id[l];
        }
        ++checked;
    }
    EXPECT_GT(checked, 500);
}

TEST(DrainageGen, SubcatchmentsCoverTheZones) {
    const model::City& city = demo_city();
    const drainage::Network& net = *city.drainage;
    double zone_m2 = 0.0;
    for (const auto& z : city.zones) {
        const LonLat o = z.ring.front();
        const double kx = 111320.0 * std::cos(o.lat * M_PI / 180.0), ky = 110574.0;
        double a2 = 0.0;
        for (std::size_t i = 0, j = z.ring.size() - 1; i < z.ring.size(); j = i++) {
            a2 += (z.ring[j].lon - o.lon) * kx * (z.ring[i].lat - o.lat) * ky -
                  (z.ring[i].lon - o.lon) * kx * (z.ring[j].lat - o.lat) * ky;
        }
        zone_m2 += 0.5 * std::abs(a2);
    }
    double sub_m2 = 0.0;
    const drainage::Subcatchments& s = net.subcatchments;
    for (std::int32_t k = 0; k < s.count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        sub_m2 += s.area_m2[u];
        EXPECT_GE(s.imperv_fraction[u], 0.25 - 1e-9);
        EXPECT_LE(s.imperv_fraction[u], 0.92 + 1e-9);
        EXPECT_GT(s.width_m[u], 0.0);
        EXPECT_GE(s.slope[u], 0.003 - 1e-9);
        EXPECT_TRUE(s.outlet_node[u].valid());
        EXPECT_EQ(s.infiltration[u].model, drainage::InfiltrationModel::kHorton);
    }
    // The sum of the parts is each zone's area (to the 4 decimals of hectares per part).
    EXPECT_NEAR(sub_m2, zone_m2, 0.005 * zone_m2);
    EXPECT_GT(s.count(), 300);
    // Ponded areas: the street around every junction.
    for (std::int32_t v = 0; v < net.node_count(); ++v) {
        const auto u = static_cast<std::size_t>(v);
        if (net.node_kind[u] == drainage::NodeKind::kJunction) {
            EXPECT_GT(net.ponded_area_m2[u], 50.0) << net.node_id[u];
        }
    }
}

TEST(DrainageGen, PumpStationsHaveAWetWellACurveAndPower) {
    const model::City& city = demo_city();
    const drainage::Network& net = *city.drainage;
    ASSERT_GT(net.pumps.count(), 0);
    std::set<std::string> powered;
    for (const auto& d : city.dependencies) {
        if (d.consumer.starts_with("drainage_link:")) {
            EXPECT_EQ(d.service, model::Service::kPower);
            EXPECT_EQ(d.backup_hours, 0.0);
            EXPECT_TRUE(city.has_asset(d.provider)) << d.provider;
            powered.insert(d.consumer);
            // A 10 kV load point.
            const int bus = std::stoi(d.provider.substr(std::string("power_bus:").size()));
            const auto it =
                std::find_if(city.power_buses.begin(), city.power_buses.end(),
                             [&](const model::PowerBusInfo& b) { return b.bus_number == bus; });
            ASSERT_NE(it, city.power_buses.end());
            EXPECT_EQ(it->kind, "load_10kv");
        }
    }
    for (std::int32_t p = 0; p < net.pumps.count(); ++p) {
        const auto l = static_cast<std::size_t>(net.pumps.link[static_cast<std::size_t>(p)].idx());
        EXPECT_EQ(net.node_kind[static_cast<std::size_t>(net.from_node[l].idx())],
                  drainage::NodeKind::kStorage);
        EXPECT_EQ(net.node_kind[static_cast<std::size_t>(net.to_node[l].idx())],
                  drainage::NodeKind::kOutfall);
        const drainage::CurveIndex c = net.pumps.curve[static_cast<std::size_t>(p)];
        ASSERT_TRUE(c.valid());
        EXPECT_EQ(net.curves[static_cast<std::size_t>(c.idx())].type, drainage::CurveType::kPump3);
        EXPECT_GT(net.pumps.startup_depth_m[static_cast<std::size_t>(p)],
                  net.pumps.shutoff_depth_m[static_cast<std::size_t>(p)]);
        EXPECT_EQ(powered.count("drainage_link:" + net.link_id[l]), 1u) << net.link_id[l];
    }
    EXPECT_EQ(static_cast<std::int32_t>(powered.size()), net.pumps.count());
}

TEST(DrainageGen, GaugeHoldsTheFormulasFiftyYearThreeHourStorm) {
    const drainage::Network& net = demo_drains();
    ASSERT_EQ(net.gages.size(), 1u);
    const drainage::RainGage& g = net.gages[0];
    EXPECT_EQ(g.format, drainage::RainFormat::kIntensity);
    EXPECT_EQ(g.interval_s, 300);
    ASSERT_TRUE(g.series.valid());
    const drainage::TimeSeries& ts = net.series[static_cast<std::size_t>(g.series.idx())];
    double depth_m = 0.0;
    for (std::size_t k = 0; k + 1 < ts.value.size(); ++k) {
        depth_m += ts.value[k] * (ts.time_s[k + 1] - ts.time_s[k]);
    }
    const auto* f = hazard::find_city_rainfall_formula("wuhan");
    ASSERT_NE(f, nullptr);
    const double expected_mm = f->formula.depth_mm(50.0, 180.0);
    // Intensities are written with 4 decimals of mm/h.
    EXPECT_NEAR(depth_m * 1000.0, expected_mm, 1e-3 * expected_mm);
    EXPECT_EQ(ts.value.back(), 0.0);
}

TEST(DrainageGen, SameSeedSameFileAndTheBundleRoundTrips) {
    const model::City again = citygen::generate_city(demo_options());
    const std::string text = drainage::format_swmm_inp(*again.drainage);
    EXPECT_EQ(text, drainage::format_swmm_inp(demo_drains()));
    TempDir dir("bundle");
    const auto summary =
        citygen::write_city_bundle(again, demo_options(), dir.path() / "city", false);
    EXPECT_EQ(summary.drainage_conduits, again.drainage->conduits.count());
    EXPECT_EQ(summary.drainage_pumps, again.drainage->pumps.count());
    Diagnostics diags;
    const model::City loaded = model::load_city(dir.path() / "city", diags);
    EXPECT_EQ(diags.error_count(), 0U) << diags.format();
    ASSERT_TRUE(loaded.drainage.has_value());
    EXPECT_EQ(loaded.files.drainage, "drainage.inp");
    EXPECT_EQ(loaded.drainage->node_id, again.drainage->node_id);
    EXPECT_EQ(loaded.drainage->link_id, again.drainage->link_id);
    for (std::size_t v = 0; v < loaded.drainage->invert_m.size(); ++v) {
        EXPECT_NEAR(loaded.drainage->invert_m[v], again.drainage->invert_m[v], 1e-9);
    }
    // Writing what was read gives the same bytes.
    EXPECT_EQ(drainage::format_swmm_inp(*loaded.drainage), text);
}

TEST(DrainageGen, DynamicWaveRunsTheDesignStormWithSmallContinuityErrors) {
    if (std::getenv("RENCHENG_SLOW_TESTS") == nullptr) {
        GTEST_SKIP() << "set RENCHENG_SLOW_TESTS=1 to run the 6-hour dynamic-wave simulation";
    }
    const drainage::SimulationResult r = drainage::simulate(demo_drains());
    const drainage::SimulationSummary& s = r.summary;
    EXPECT_TRUE(s.has_runoff);
    EXPECT_TRUE(s.has_routing);
    EXPECT_LT(std::abs(s.runoff_continuity_error_pct), 1.0);
    EXPECT_LT(std::abs(s.flow_routing_continuity_error_pct), 1.0);
    EXPECT_GT(s.routing.wet_weather_m3, 0.0);
    EXPECT_GT(s.routing.outflow_m3, 0.5 * s.routing.wet_weather_m3);
}
