// The byte encoding that carries realizations between MPI ranks: a round trip loses nothing, and
// results of index ranges shipped as bytes merge to what one run over all of them gives.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.hpp"
#include "report/run_folder.hpp"
#include "sim/ensemble.hpp"
#include "sim/ensemble_codec.hpp"

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

// Broken mains and closed roads with a compared policy and kept events: every field is filled.
constexpr const char* kScenario = R"([scenario]
city = ".."
horizon_h = 8
step_min = 60
seed = 3
realizations = 5
[[hazard]]
type = "random_failures"
layer = "water_link"
count = 6
time_h = 1
[[hazard]]
type = "random_failures"
layer = "power_bus"
count = 2
time_h = 2
[recovery]
compare = ["most_people_per_crew_hour"]
mobile_generators = 1
[[recovery.crews]]
depot = "facility:depot_1"
skill = "water"
count = 2
[[recovery.crews]]
depot = "facility:depot_2"
skill = "power"
[outputs]
events_realizations = 3
)";

Simulation make_sim() {
    Diagnostics d;
    const Scenario s = parse_scenario(kScenario, kDemo / "scenarios" / "codec.toml", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return Simulation(demo_city(), s);
}

TEST(EnsembleCodec, RoundTripKeepsEveryByteOfTheRunFolder) {
    const Simulation sim = make_sim();
    EnsembleOptions o;
    o.threads = 1;
    const EnsembleResult e = run_ensemble(sim, o);
    ASSERT_EQ(e.realizations.size(), 5u);
    ASSERT_FALSE(e.realizations[0].events.empty());
    ASSERT_FALSE(e.realizations[0].root_losses.empty());
    const auto bytes = encode_ensemble(e);
    const EnsembleResult back = decode_ensemble(bytes);
    // Encoding the decoded result again gives the same bytes: no field was dropped or altered.
    EXPECT_EQ(bytes, encode_ensemble(back));
    EXPECT_EQ(report::format_summary_json(sim, e), report::format_summary_json(sim, back));
    EXPECT_EQ(report::format_events_jsonl(sim, e), report::format_events_jsonl(sim, back));
    EXPECT_EQ(report::format_timeseries_csv(sim, e), report::format_timeseries_csv(sim, back));
    EXPECT_EQ(report::format_assets_geojson(sim, e), report::format_assets_geojson(sim, back));
    // run.json carries the per-realization checks (conservation, solves).
    const report::RunInfo info;
    EXPECT_EQ(report::format_run_json(sim, e, info), report::format_run_json(sim, back, info));
}

TEST(EnsembleCodec, ShippedSharesMergeToTheWholeRun) {
    const Simulation sim = make_sim();
    EnsembleOptions all;
    all.threads = 2;
    const std::string whole = report::format_summary_json(sim, run_ensemble(sim, all));
    // The split of two MPI ranks over five realizations: [0, 3) and [3, 5).
    EnsembleOptions a, b;
    a.threads = b.threads = 1;
    a.count = 3;
    b.first = 3;
    EnsembleResult merged = decode_ensemble(encode_ensemble(run_ensemble(sim, a)));
    append_ensemble(merged, decode_ensemble(encode_ensemble(run_ensemble(sim, b))));
    ASSERT_EQ(merged.realizations.size(), 5u);
    EXPECT_EQ(merged.realizations[3].realization, 3);
    EXPECT_EQ(whole, report::format_summary_json(sim, merged));
}

TEST(EnsembleCodec, TruncatedOrForeignBytesAreRefused) {
    const Simulation sim = make_sim();
    EnsembleOptions o;
    o.count = 1;
    const auto bytes = encode_ensemble(run_ensemble(sim, o));
    for (const std::size_t cut :
         {std::size_t{0}, std::size_t{3}, bytes.size() / 2, bytes.size() - 1})
        EXPECT_THROW((void)decode_ensemble(std::span(bytes.data(), cut)), Error) << cut;
    auto foreign = bytes;
    foreign[0] ^= 0x5a; // another format version
    EXPECT_THROW((void)decode_ensemble(foreign), Error);
    auto longer = bytes;
    longer.push_back(0);
    EXPECT_THROW((void)decode_ensemble(longer), Error);
}

} // namespace
} // namespace rencheng::sim
