// Tests of the synthetic city generator: determinism, population, roads, river, facilities.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <unistd.h>

#include "citygen/citygen.hpp"
#include "citygen/detail/layout.hpp"
#include "citygen/detail/plan.hpp"
#include "core/atomic_file.hpp"
#include "core/csr.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "model/bundle_writer.hpp"
#include "model/city.hpp"
#include "transport/road_network.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using citygen::GenerateOptions;

namespace {

GenerateOptions small_city(std::uint64_t seed, std::int64_t population = 20000) {
    GenerateOptions o;
    o.population = population;
    o.seed = seed;
    o.name = "Test City";
    o.name_zh = "测试城";
    return o;
}

// A fresh empty folder under the system temp folder, removed by the destructor.
class TempDir {
public:
    explicit TempDir(const std::string& tag) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                ("rencheng_citygen_" + tag + "_" + (info ? info->name() : "x") + "_" +
                 std::to_string(::getpid()));
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

std::map<std::string, std::string> read_folder(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        files[e.path().filename().string()] = s.str();
    }
    return files;
}

// The city of seed 11 and 20,000 people, generated once for the tests that only read it.
class SmallCity : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        options_ = new GenerateOptions(small_city(11));
        city_ = new model::City(citygen::generate_city(*options_));
        plan_ = new citygen::detail::CityPlan(citygen::detail::make_plan(*options_));
    }
    static void TearDownTestSuite() {
        delete options_;
        delete city_;
        delete plan_;
    }
    static GenerateOptions* options_;
    static model::City* city_;
    static citygen::detail::CityPlan* plan_;
};
GenerateOptions* SmallCity::options_ = nullptr;
model::City* SmallCity::city_ = nullptr;
citygen::detail::CityPlan* SmallCity::plan_ = nullptr;

double distance_to_nearest_node(const transport::RoadNetwork& net, LonLat p) {
    double best = 1e18;
    for (const LonLat& q : net.node_position) {
        best = std::min(best, haversine_m(p, q));
    }
    return best;
}

} // namespace

TEST(GenerateOptions, ValidateRejectsBadValues) {
    GenerateOptions o;
    EXPECT_NO_THROW(o.validate());
    o.population = 999;
    try {
        o.validate();
        FAIL() << "population 999 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kOutOfRange);
    }
    o = GenerateOptions{};
    o.centre = {200.0, 30.0};
    EXPECT_THROW(o.validate(), Error);
    o = GenerateOptions{};
    o.centre = {114.0, 89.0};
    EXPECT_THROW(o.validate(), Error);
    o = GenerateOptions{};
    o.name = "";
    EXPECT_THROW(o.validate(), Error);
    o = GenerateOptions{};
    o.name = "two\nlines";
    EXPECT_THROW(o.validate(), Error);
}

TEST(GenerateOptions, DefaultCrsFollowsTheGaussKrugerZone) {
    EXPECT_EQ(citygen::default_crs({114.3, 30.6}), "EPSG:4547");
    EXPECT_EQ(citygen::default_crs({121.47, 31.23}), "EPSG:4549"); // Shanghai: 120E zone
    EXPECT_EQ(citygen::default_crs({116.4, 39.9}), "EPSG:4548");   // Beijing: 117E zone
    EXPECT_EQ(citygen::default_crs({2.35, 48.85}), "EPSG:32631");  // Paris: UTM 31N
}

TEST(Apportion, SumsExactlyAndFollowsWeights) {
    const std::vector<double> w = {1.0, 2.0, 3.0, 0.5, 0.0, 7.25};
    for (std::int64_t total : {0LL, 1LL, 7LL, 1000LL, 123457LL}) {
        const auto parts = citygen::detail::apportion(total, w);
        std::int64_t sum = 0;
        for (std::size_t k = 0; k < parts.size(); ++k) {
            sum += parts[k];
            EXPECT_GE(parts[k], 0);
            const double quota = static_cast<double>(total) * w[k] / 13.75;
            EXPECT_LT(std::abs(static_cast<double>(parts[k]) - quota), 1.0);
        }
        EXPECT_EQ(sum, total);
    }
}

TEST(NearestIndex, AgreesWithBruteForce) {
    std::vector<Xy> pts;
    RngStream rng(5, 0, 1);
    for (int k = 0; k < 500; ++k) {
        pts.push_back({rng.uniform(-3000, 3000), rng.uniform(-2000, 2000)});
    }
    const citygen::detail::NearestIndex index(pts, 250.0);
    for (int q = 0; q < 2000; ++q) {
        const Xy p{rng.uniform(-5000, 5000), rng.uniform(-4000, 4000)};
        std::int32_t best = 0;
        for (std::int32_t k = 1; k < static_cast<std::int32_t>(pts.size()); ++k) {
            if (std::hypot(pts[k].x - p.x, pts[k].y - p.y) <
                std::hypot(pts[best].x - p.x, pts[best].y - p.y)) {
                best = k;
            }
        }
        EXPECT_EQ(index.nearest(p), best);
    }
    EXPECT_EQ(citygen::detail::NearestIndex({}, 100.0).nearest({0, 0}), -1);
}

TEST(Generate, SameSeedSameBytes) {
    TempDir a("a");
    TempDir b("b");
    const GenerateOptions o = small_city(42);
    citygen::write_city_bundle(citygen::generate_city(o), o, a.path() / "city", false);
    citygen::write_city_bundle(citygen::generate_city(o), o, b.path() / "city", false);
    const auto fa = read_folder(a.path() / "city");
    const auto fb = read_folder(b.path() / "city");
    // Every file of one run is in the other with the same bytes (the layers that land later add
    // their files; the ones below must be there).
    ASSERT_EQ(fa.size(), fb.size());
    for (const auto& [name, bytes] : fa) {
        ASSERT_TRUE(fb.count(name)) << name;
        EXPECT_TRUE(bytes == fb.at(name)) << name << " differs between two runs";
    }
    for (const char* name :
         {"city.toml", "terrain.asc", "roads.geojson", "facilities.geojson", "population.geojson",
          "dependencies.csv", "water.inp", "water_valves.csv", "power.m", "power_buses.csv",
          "power_switches.csv", "drainage.inp"}) {
        ASSERT_TRUE(fa.count(name)) << name;
    }
    // No timestamps: the comment block says how, not when.
    EXPECT_NE(fa.at("city.toml").find("--population 20000 --seed 42"), std::string::npos);
}

TEST(Generate, DifferentSeedsDiffer) {
    const model::City a = citygen::generate_city(small_city(1));
    const model::City b = citygen::generate_city(small_city(2));
    EXPECT_NE(transport::format_roads_geojson(*a.roads), transport::format_roads_geojson(*b.roads));
    EXPECT_NE(model::format_population_geojson(a.zones), model::format_population_geojson(b.zones));
    EXPECT_NE(model::format_terrain(*a.terrain), model::format_terrain(*b.terrain));
}

TEST(Generate, TwoCitiesSideBySideDoNotInterfere) {
    const std::string before =
        transport::format_roads_geojson(*citygen::generate_city(small_city(3)).roads);
    const model::City other = citygen::generate_city(small_city(4, 50000));
    const std::string after =
        transport::format_roads_geojson(*citygen::generate_city(small_city(3)).roads);
    EXPECT_EQ(before, after);
    EXPECT_GT(other.roads->node_count(), 0);
}

TEST(Generate, PopulationSumsExactlyForManySizes) {
    for (std::int64_t n : {1000LL, 1234LL, 20000LL, 77777LL}) {
        for (std::uint64_t seed : {1ULL, 9ULL}) {
            const model::City c = citygen::generate_city(small_city(seed, n));
            EXPECT_EQ(c.total_population(), n) << "n=" << n << " seed=" << seed;
            EXPECT_FALSE(c.zones.empty());
            EXPECT_GT(c.roads->link_count(), 0);
            for (const auto& z : c.zones) {
                EXPECT_GE(z.population, 0);
            }
        }
    }
}

TEST_F(SmallCity, RoadGraphIsStronglyConnected) {
    const transport::RoadNetwork& net = *city_->roads;
    std::vector<std::int32_t> tails;
    std::vector<std::int32_t> heads;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        tails.push_back(net.link_from[k]);
        heads.push_back(net.link_to[k]);
        if (net.oneway[k] == 0) {
            tails.push_back(net.link_to[k]);
            heads.push_back(net.link_from[k]);
        }
    }
    std::int32_t count = 0;
    strongly_connected_components(build_csr(net.node_count(), tails, heads), count);
    EXPECT_EQ(count, 1);
    // The network's own graph agrees.
    strongly_connected_components(net.graph, count);
    EXPECT_EQ(count, 1);
    EXPECT_GT(std::count(net.oneway.begin(), net.oneway.end(), 1), 0) << "no one-way streets";
}

TEST_F(SmallCity, RoadsHaveHierarchyIdsAndLengths) {
    const transport::RoadNetwork& net = *city_->roads;
    std::set<std::string> ids(net.node_id.begin(), net.node_id.end());
    EXPECT_EQ(ids.size(), net.node_id.size());
    std::map<transport::RoadClass, int> per_class;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        EXPECT_EQ(net.link_id[k], "l" + std::to_string(k + 1));
        EXPECT_GT(net.length_m[k], 10.0);
        EXPECT_NEAR(net.length_m[k], polyline_length_m(net.link_geometry[k]), 0.01);
        EXPECT_GT(net.capacity_vehh[k], 0.0);
        EXPECT_GE(net.lanes[k], 1);
        EXPECT_FALSE(net.link_name[k].empty());
        ++per_class[net.link_class[k]];
    }
    EXPECT_GT(per_class[transport::RoadClass::kArterial], 0);
    EXPECT_GT(per_class[transport::RoadClass::kCollector], 0);
    EXPECT_GT(per_class[transport::RoadClass::kLocal], per_class[transport::RoadClass::kArterial]);
    for (std::int32_t v = 0; v < net.node_count(); ++v) {
        EXPECT_EQ(net.node_id[v], "n" + std::to_string(v + 1));
    }
}

TEST_F(SmallCity, BridgesExistAndEveryBridgeCrossesTheRiver) {
    const transport::RoadNetwork& net = *city_->roads;
    const auto& river = plan_->river;
    int bridges = 0;
    for (std::int32_t k = 0; k < net.link_count(); ++k) {
        const Xy a = plan_->frame.to_xy(net.node_position[net.link_from[k]]);
        const Xy b = plan_->frame.to_xy(net.node_position[net.link_to[k]]);
        if (net.bridge[k] != 0) {
            ++bridges;
            EXPECT_NE(river.side(a), river.side(b)) << net.link_id[k] << " bridges nothing";
            EXPECT_NE(net.link_name[k].find("Bridge"), std::string::npos);
        } else {
            EXPECT_EQ(river.side(a), river.side(b)) << net.link_id[k] << " crosses without bridge";
            EXPECT_FALSE(river.segment_touches(a, b, 0.0)) << net.link_id[k] << " runs on water";
        }
    }
    EXPECT_GE(bridges, 1);
}

TEST_F(SmallCity, NothingStandsInTheRiver) {
    for (const LonLat& p : city_->roads->node_position) {
        EXPECT_FALSE(plan_->river.in_water(plan_->frame.to_xy(p)));
    }
    for (const auto& z : city_->zones) {
        EXPECT_FALSE(plan_->river.in_water(plan_->frame.to_xy(z.centroid))) << z.id;
        for (const LonLat& p : z.ring) {
            EXPECT_FALSE(plan_->river.in_water(plan_->frame.to_xy(p))) << z.id;
        }
    }
    for (const auto& f : city_->facilities) {
        EXPECT_FALSE(plan_->river.in_water(plan_->frame.to_xy(f.position))) << f.id;
    }
}

TEST_F(SmallCity, FacilitiesInsideTheExtentAndNearARoad) {
    const BoundingBox& e = city_->info.extent;
    std::map<model::FacilityKind, int> per_kind;
    std::set<std::string> ids;
    for (const auto& f : city_->facilities) {
        EXPECT_TRUE(e.contains(f.position)) << f.id;
        EXPECT_LT(distance_to_nearest_node(*city_->roads, f.position), 250.0) << f.id;
        EXPECT_FALSE(f.name.empty());
        EXPECT_FALSE(f.name_zh.empty());
        EXPECT_GT(f.capacity, 0.0) << f.id;
        EXPECT_TRUE(ids.insert(f.id).second) << "duplicate " << f.id;
        ++per_kind[f.kind];
    }
    for (int k = 0; k < model::kFacilityKindCount; ++k) {
        EXPECT_GT(per_kind[static_cast<model::FacilityKind>(k)], 0) << k;
    }
    EXPECT_EQ(per_kind[model::FacilityKind::kCommandCentre], 1);
    EXPECT_GE(per_kind[model::FacilityKind::kDepot], 2);
    EXPECT_EQ(per_kind[model::FacilityKind::kShelter], 2);  // 1 per 10,000
    EXPECT_EQ(per_kind[model::FacilityKind::kSchool], 3);   // 1 per 6,500
    EXPECT_EQ(per_kind[model::FacilityKind::kHospital], 1); // at least one
    double beds = 0.0;
    for (const auto& f : city_->facilities) {
        if (f.kind == model::FacilityKind::kHospital) {
            beds += f.capacity;
        }
    }
    EXPECT_GE(beds / 20.0, 4.0); // beds per 1,000 people
    EXPECT_LE(beds / 20.0, 6.0);
    for (const auto& z : city_->zones) {
        EXPECT_TRUE(e.contains(z.centroid));
    }
    for (const LonLat& p : city_->roads->node_position) {
        EXPECT_TRUE(e.contains(p));
    }
}

TEST_F(SmallCity, EveryFacilityAndZoneHasRoadAccess) {
    std::set<std::string> consumers;
    std::set<std::string> nodes(city_->roads->node_id.begin(), city_->roads->node_id.end());
    for (const auto& d : city_->dependencies) {
        if (d.service == model::Service::kWater || d.service == model::Service::kPower ||
            d.service == model::Service::kGas) {
            continue; // test_water_gen.cpp, test_power_gen.cpp and tests/sim (gas) check those
        }
        EXPECT_EQ(d.service, model::Service::kRoadAccess);
        EXPECT_EQ(d.backup_hours, 0.0);
        ASSERT_EQ(d.provider.rfind("road_node:", 0), 0U);
        EXPECT_TRUE(nodes.count(d.provider.substr(10))) << d.provider;
        consumers.insert(d.consumer);
    }
    for (const auto& f : city_->facilities) {
        EXPECT_TRUE(consumers.count("facility:" + f.id)) << f.id;
    }
    for (const auto& z : city_->zones) {
        EXPECT_TRUE(consumers.count("zone:" + z.id)) << z.id;
    }
    const auto road =
        std::count_if(city_->dependencies.begin(), city_->dependencies.end(),
                      [](const auto& d) { return d.service == model::Service::kRoadAccess; });
    EXPECT_EQ(static_cast<std::size_t>(road), city_->facilities.size() + city_->zones.size());
}

TEST_F(SmallCity, TerrainIsAPlainWithAValley) {
    const model::Terrain& t = *city_->terrain;
    ASSERT_GT(t.ncols, 10);
    ASSERT_GT(t.nrows, 10);
    // Cells of 50-100 m.
    EXPECT_GT(t.cellsize_deg * 111000.0, 50.0);
    EXPECT_LT(t.cellsize_deg * 111000.0, 100.0);
    const auto [lo, hi] = std::minmax_element(t.elevation_m.begin(), t.elevation_m.end());
    EXPECT_GT(*lo, 8.0);
    EXPECT_LT(*hi, 95.0);
    EXPECT_GT(*hi - *lo, 10.0);
    // Ground falls toward the river: the third of the blocks nearest to it lies lower than the
    // third farthest from it.
    std::vector<std::pair<double, double>> by_distance; // (distance to river, elevation)
    for (const auto& z : city_->zones) {
        const Xy p = plan_->frame.to_xy(z.centroid);
        const auto h = t.elevation_at(z.centroid);
        ASSERT_TRUE(h.has_value()) << z.id;
        by_distance.emplace_back(std::abs(plan_->river.signed_distance(p)), *h);
    }
    std::sort(by_distance.begin(), by_distance.end());
    const std::size_t third = by_distance.size() / 3;
    ASSERT_GT(third, 0U);
    double near_sum = 0.0, far_sum = 0.0;
    for (std::size_t k = 0; k < third; ++k) {
        near_sum += by_distance[k].second;
        far_sum += by_distance[by_distance.size() - 1 - k].second;
    }
    EXPECT_LT(near_sum, far_sum);
    // The river bed lies below its banks.
    const Xy bank{0.0, plan_->river.centre_v(0.0) + 0.5 * plan_->river.width_m + 60.0};
    const Xy bed{0.0, plan_->river.centre_v(0.0)};
    const double ca = std::cos(plan_->river.angle_rad);
    const double sa = std::sin(plan_->river.angle_rad);
    auto rotate = [&](Xy p) { return Xy{p.x * ca - p.y * sa, p.x * sa + p.y * ca}; };
    EXPECT_LT(plan_->ground_m(rotate(bed)), plan_->ground_m(rotate(bank)) - 2.0);
    EXPECT_TRUE(plan_->river.in_water(rotate(bed)));
}

TEST_F(SmallCity, DensityFallsFromTheCentre) {
    double inner_pop = 0.0, inner_area = 0.0, outer_pop = 0.0, outer_area = 0.0;
    for (const auto& z : city_->zones) {
        const double rel = plan_->relative_radius(plan_->frame.to_xy(z.centroid));
        const double area = citygen::detail::ring_area_km2(plan_->frame, z.ring);
        if (rel < 0.4) {
            inner_pop += static_cast<double>(z.population);
            inner_area += area;
        } else if (rel > 0.7) {
            outer_pop += static_cast<double>(z.population);
            outer_area += area;
        }
    }
    ASSERT_GT(inner_area, 0.0);
    ASSERT_GT(outer_area, 0.0);
    EXPECT_GT(inner_pop / inner_area, outer_pop / outer_area);
    const auto s = citygen::summarize(*city_);
    // Gross density of a Chinese city: several thousand to a few ten thousand per km².
    EXPECT_GT(20000.0 / s.area_km2, 5000.0);
    EXPECT_LT(20000.0 / s.area_km2, 20000.0);
}

TEST(Generate, CityGrowsWithPopulation) {
    const auto small = citygen::summarize(citygen::generate_city(small_city(5, 20000)));
    const model::City big_city = citygen::generate_city(small_city(5, 200000));
    const auto big = citygen::summarize(big_city);
    EXPECT_GT(big.area_km2, 5.0 * small.area_km2);
    // Clark's density gradient: the core is several times denser than the edge.
    const auto plan = citygen::detail::make_plan(small_city(5, 200000));
    double inner_pop = 0.0, inner_area = 0.0, outer_pop = 0.0, outer_area = 0.0;
    for (const auto& z : big_city.zones) {
        const double rel = plan.relative_radius(plan.frame.to_xy(z.centroid));
        const double area = citygen::detail::ring_area_km2(plan.frame, z.ring);
        (rel < 0.3 ? inner_pop : outer_pop) += rel < 0.3 || rel > 0.7 ? z.population : 0;
        (rel < 0.3 ? inner_area : outer_area) += rel < 0.3 || rel > 0.7 ? area : 0.0;
    }
    EXPECT_GT(inner_pop / inner_area, 2.5 * outer_pop / outer_area);
    EXPECT_GT(big.road_nodes, 5 * small.road_nodes);
    EXPECT_GT(big.bridges, small.bridges);
}

TEST(Generate, RoadsRoundTripThroughGeoJson) {
    const model::City c = citygen::generate_city(small_city(8));
    const transport::RoadNetwork& a = *c.roads;
    const std::string text = transport::format_roads_geojson(a);
    Diagnostics diags;
    const transport::RoadNetwork b = transport::parse_roads_geojson(text, "roads.geojson", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_EQ(b.node_count(), a.node_count());
    ASSERT_EQ(b.link_count(), a.link_count());
    for (std::int32_t v = 0; v < a.node_count(); ++v) {
        const std::int32_t w = b.find_node(a.node_id[v]);
        ASSERT_GE(w, 0) << a.node_id[v];
        EXPECT_NEAR(b.node_position[w].lon, a.node_position[v].lon, 1e-9);
        EXPECT_NEAR(b.node_position[w].lat, a.node_position[v].lat, 1e-9);
    }
    for (std::int32_t k = 0; k < a.link_count(); ++k) {
        EXPECT_EQ(b.link_id[k], a.link_id[k]);
        EXPECT_EQ(b.node_id[b.link_from[k]], a.node_id[a.link_from[k]]);
        EXPECT_EQ(b.node_id[b.link_to[k]], a.node_id[a.link_to[k]]);
        EXPECT_EQ(b.link_class[k], a.link_class[k]);
        EXPECT_EQ(b.lanes[k], a.lanes[k]);
        EXPECT_NEAR(b.free_speed_ms[k], a.free_speed_ms[k], 1e-6);
        EXPECT_NEAR(b.capacity_vehh[k], a.capacity_vehh[k], 1e-6);
        EXPECT_EQ(b.oneway[k], a.oneway[k]);
        EXPECT_EQ(b.bridge[k], a.bridge[k]);
        EXPECT_EQ(b.tunnel[k], a.tunnel[k]);
        EXPECT_EQ(b.link_name[k], a.link_name[k]);
        EXPECT_NEAR(b.length_m[k], a.length_m[k], 1e-9);
    }
    // Writing what was read gives the same bytes.
    EXPECT_EQ(transport::format_roads_geojson(b), text);
}

TEST(Generate, GeneratedBundleLoadsWithoutErrors) {
    TempDir dir("load");
    const GenerateOptions o = small_city(21);
    const model::City made = citygen::generate_city(o);
    const auto summary = citygen::write_city_bundle(made, o, dir.path() / "city", false);
    Diagnostics diags;
    const model::City loaded = model::load_city(dir.path() / "city", diags);
    EXPECT_EQ(diags.error_count(), 0U) << diags.format();
    EXPECT_EQ(diags.warning_count(), 0U) << diags.format();
    EXPECT_EQ(loaded.total_population(), 20000);
    EXPECT_EQ(loaded.info.name, "Test City");
    EXPECT_EQ(loaded.info.name_zh, "测试城");
    EXPECT_EQ(loaded.info.crs, "EPSG:4547");
    ASSERT_TRUE(loaded.roads.has_value());
    EXPECT_EQ(loaded.roads->link_count(), summary.road_links);
    EXPECT_EQ(loaded.roads->node_count(), summary.road_nodes);
    EXPECT_EQ(static_cast<std::int32_t>(loaded.facilities.size()), summary.facilities);
    EXPECT_EQ(static_cast<std::int32_t>(loaded.zones.size()), summary.zones);
    EXPECT_EQ(static_cast<std::int32_t>(loaded.dependencies.size()), summary.dependencies);
    ASSERT_TRUE(loaded.terrain.has_value());
    EXPECT_EQ(loaded.terrain->ncols, made.terrain->ncols);
    EXPECT_EQ(loaded.terrain->elevation_m, made.terrain->elevation_m);
    for (std::size_t k = 0; k < made.facilities.size(); ++k) {
        EXPECT_EQ(loaded.facilities[k].id, made.facilities[k].id);
        EXPECT_EQ(loaded.facilities[k].name_zh, made.facilities[k].name_zh);
        EXPECT_EQ(loaded.facilities[k].position, made.facilities[k].position);
        EXPECT_EQ(loaded.facilities[k].capacity, made.facilities[k].capacity);
    }
    // Every facility stands on the terrain.
    for (const auto& f : loaded.facilities) {
        EXPECT_TRUE(loaded.terrain->elevation_at(f.position).has_value()) << f.id;
    }
}

TEST(Generate, ExistingOutputNeedsReplace) {
    TempDir dir("exists");
    const GenerateOptions o = small_city(1, 5000);
    const model::City c = citygen::generate_city(o);
    const fs::path out = dir.path() / "city";
    fs::create_directories(out);
    { std::ofstream(out / "keep.txt") << "x"; }
    try {
        citygen::write_city_bundle(c, o, out, false);
        FAIL() << "wrote over a non-empty folder";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kOutputExists);
    }
    EXPECT_TRUE(fs::exists(out / "keep.txt"));
    citygen::write_city_bundle(c, o, out, true);
    EXPECT_FALSE(fs::exists(out / "keep.txt"));
    EXPECT_TRUE(fs::exists(out / "city.toml"));
    // An existing empty folder is fine without replace.
    const fs::path empty = dir.path() / "empty";
    fs::create_directories(empty);
    EXPECT_NO_THROW(citygen::write_city_bundle(c, o, empty, false));
    EXPECT_TRUE(fs::exists(empty / "roads.geojson"));
}

TEST(Generate, ReportsProgress) {
    struct Recorder : ProgressSink {
        int starts = 0, finishes = 0;
        std::uint64_t total = 0, last = 0;
        void start(const std::string&, std::uint64_t t) override {
            ++starts;
            total = t;
        }
        void advance(std::uint64_t done) override {
            EXPECT_GE(done, last);
            last = done;
        }
        void finish() override { ++finishes; }
    } rec;
    citygen::generate_city(small_city(1, 5000), &rec);
    EXPECT_EQ(rec.starts, 1);
    EXPECT_EQ(rec.finishes, 1);
    EXPECT_EQ(rec.last, rec.total);
}

TEST(Generate, StrongConnectivityRepairDropsAlmostNothing) {
    for (std::uint64_t seed : {1ULL, 2ULL, 3ULL}) {
        const auto plan = citygen::detail::make_plan(small_city(seed, 100000));
        const auto lattice = citygen::detail::make_lattice(plan);
        int candidates = 0;
        for (const Xy& p : lattice.points) {
            candidates += plan.inside(p) && !plan.river.in_band(p, plan.embankment_m) ? 1 : 0;
        }
        const auto roads = citygen::detail::make_roads(plan);
        EXPECT_GE(roads.net.node_count(), 0.95 * candidates) << "seed " << seed;
        EXPECT_GE(roads.bridges, 2) << "seed " << seed;
    }
}
