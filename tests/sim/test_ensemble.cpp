// Monte Carlo on the demo city: byte-identical summary.json for 1 and 2 threads, conservation in
// every realization, and a random damage sweep in which no realization throws.
#include <gtest/gtest.h>

#include <filesystem>

#include "report/run_folder.hpp"
#include "sim/ensemble.hpp"
#include "sim/metrics.hpp"

namespace rencheng::sim {
namespace {

namespace fs = std::filesystem;

const fs::path kDemo = fs::path(RENCHENG_SOURCE_DIR) / "examples" / "demo-city";

const model::City& demo_city() {
    static const model::City city = [] {
        Diagnostics d;
        model::City c = model::load_city(kDemo, d);
        EXPECT_FALSE(d.has_errors()) << d.format();
        return c;
    }();
    return city;
}

Scenario demo_scenario(const std::string& body) {
    Diagnostics d;
    Scenario s = parse_scenario(body, kDemo / "scenarios" / "test.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return s;
}

constexpr const char* kMains = R"([scenario]
city = ".."
horizon_h = 12
step_min = 60
seed = 11
realizations = 4
[[hazard]]
type = "random_failures"
layer = "water_link"
count = 4
time_h = 1
[[hazard]]
type = "random_failures"
layer = "road_link"
count = 10
time_h = 1
[recovery]
compare = ["most_people_per_crew_hour"]
mobile_generators = 1
water_trucks = 2
[[recovery.crews]]
depot = "facility:depot_1"
skill = "water"
count = 2
[[recovery.crews]]
depot = "facility:depot_2"
skill = "roads"
)";

TEST(Ensemble, SummaryIsByteIdenticalForOneAndTwoThreads) {
    const Simulation sim(demo_city(), demo_scenario(kMains));
    EnsembleOptions one;
    one.threads = 1;
    EnsembleOptions two;
    two.threads = 2;
    const EnsembleResult a = run_ensemble(sim, one);
    const EnsembleResult b = run_ensemble(sim, two);
    const std::string sa = report::format_summary_json(sim, a);
    EXPECT_EQ(sa, report::format_summary_json(sim, b));
    EXPECT_EQ(report::format_events_jsonl(sim, a), report::format_events_jsonl(sim, b));
    EXPECT_EQ(report::format_timeseries_csv(sim, a), report::format_timeseries_csv(sim, b));
    // A split in two index ranges merges to the same result (the MPI design).
    EnsembleOptions first_half = one, second_half = one;
    first_half.count = 2;
    second_half.first = 2;
    EnsembleResult merged = run_ensemble(sim, first_half);
    EnsembleResult rest = run_ensemble(sim, second_half);
    for (auto& r : rest.realizations)
        merged.realizations.push_back(std::move(r));
    for (auto& p : rest.policies)
        merged.policies.push_back(std::move(p));
    EXPECT_EQ(sa, report::format_summary_json(sim, merged));
    // Different seeds give different damage.
    Scenario other = demo_scenario(kMains);
    other.seed = 12;
    const Simulation sim2(demo_city(), other);
    EXPECT_NE(sa, report::format_summary_json(sim2, run_ensemble(sim2, one)));
}

TEST(Ensemble, EveryRealizationConserves) {
    const Simulation sim(demo_city(), demo_scenario(kMains));
    const EnsembleResult e = run_ensemble(sim, {});
    for (const auto& r : e.realizations) {
        // The water solver's continuity (relative to supply) in every EPS segment.
        EXPECT_LT(r.max_water_mass_balance, 1e-6) << "realization " << r.realization;
        EXPECT_GT(r.water_solves, sim.scenario().output_count() - 1);
        for (int s = 0; s < kServiceCount; ++s)
            for (const double v : r.served_population[s]) {
                EXPECT_GE(v, 0.0);
                EXPECT_LE(v, sim.service_population(static_cast<model::Service>(s)) + 1e-6);
            }
    }
}

TEST(Ensemble, RandomDamageSweepNeverThrows) {
    const Simulation sim(demo_city(), demo_scenario(R"([scenario]
city = ".."
horizon_h = 6
step_min = 60
realizations = 6
[[hazard]]
type = "random_failures"
layer = "water_link"
count = 40
[[hazard]]
type = "random_failures"
layer = "road_link"
count = 60
time_h = 2
[[hazard]]
type = "supply_loss"
supply = "water"
time_h = 3
duration_h = 1
[[recovery.crews]]
depot = "facility:depot_1"
skill = "water"
count = 3
)"));
    EnsembleResult e;
    EXPECT_NO_THROW(e = run_ensemble(sim, {}));
    ASSERT_EQ(e.realizations.size(), 6u);
    for (const auto& r : e.realizations) {
        EXPECT_EQ(r.damaged_per_layer[static_cast<int>(Layer::kWaterLink)], 40);
        EXPECT_EQ(r.damaged_per_layer[static_cast<int>(Layer::kRoadLink)], 60);
        const auto& rep = r.repaired_count[static_cast<int>(Lifeline::kWater)];
        for (std::size_t k = 1; k < rep.size(); ++k)
            EXPECT_GE(rep[k], rep[k - 1]);
        const double lost = population_hours_lost(sim, r)[static_cast<int>(model::Service::kWater)];
        EXPECT_GT(lost, 0.0); // 40 broken mains and the sources lost for an hour hurt someone
    }
}

// The M6.5 earthquake: ground motion and damage draws depend only on (seed, realization).
TEST(Ensemble, EarthquakeDamageIsReproducibleAndPlausible) {
    const Simulation sim(demo_city(), demo_scenario(R"([scenario]
city = ".."
horizon_h = 4
step_min = 60
seed = 5
realizations = 4
[[hazard]]
type = "earthquake"
magnitude = 6.5
epicentre = [114.389, 30.676]
mechanism = "strike_slip"
vs30_m_s = 400
[[recovery.crews]]
depot = "facility:depot_1"
skill = "water"
)"));
    EnsembleOptions one;
    one.threads = 1;
    EnsembleOptions two;
    two.threads = 2;
    const EnsembleResult a = run_ensemble(sim, one);
    const EnsembleResult b = run_ensemble(sim, two);
    EXPECT_EQ(report::format_summary_json(sim, a), report::format_summary_json(sim, b));
    std::int32_t pipes = 0;
    for (const auto& r : a.realizations) {
        pipes += r.damaged_per_layer[static_cast<int>(Layer::kWaterLink)];
        for (std::int32_t k = 0; k < sim.layer_size(Layer::kWaterLink); ++k) {
            const auto d = r.first_damage[sim.layer_begin(Layer::kWaterLink) + k];
            const auto kind = demo_city().water->link_kind[k];
            if (kind == water::LinkKind::kPipe) {
                EXPECT_TRUE(d == DamageLevel::kNone || d == DamageLevel::kLeak ||
                            d == DamageLevel::kBreak);
            }
            if (kind == water::LinkKind::kValve) {
                EXPECT_EQ(d, DamageLevel::kNone); // valves are not exposed
            }
        }
        EXPECT_LT(r.max_water_mass_balance, 1e-6);
        EXPECT_LT(r.max_power_imbalance_mw, 1e-6);
    }
    // About 0.2 g and 20 cm/s over ~100 km of mains: some repairs in four realizations.
    EXPECT_GT(pipes, 0);
}

} // namespace
} // namespace rencheng::sim
