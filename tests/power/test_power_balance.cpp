// Per-island power balance after random outage sets (issue 4 acceptance): in every energised
// island, generation = served load + shunt consumption + losses to 1e-6 MW, and per bus served +
// shed = the case's load with 0 <= shed <= load; on case2383wp, on the generated demo city's grid
// and on the bundled case118. The same sets through IslandSolver (the contingency path that keeps
// the Jacobian pattern) give the same islands and the same numbers within the flow's tolerance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "citygen/citygen.hpp"
#include "core/error.hpp"
#include "model/city.hpp"
#include "power/contingency.hpp"
#include "power/islands.hpp"
#include "power/matpower.hpp"

using namespace rencheng;
using namespace rencheng::power;
namespace fs = std::filesystem;

namespace {

constexpr double kBalanceMw = 1e-6;

/// ${RENCHENG_REFERENCE_DATA}/power/matpower/data/<name>.m, else the repository's sibling
/// shared/data; empty when absent.
fs::path shared_case(const std::string& name) {
    fs::path root;
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA"); env != nullptr && *env != 0)
        root = fs::path(env) / "power";
    else
        root = fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "power";
    const fs::path p = root / "matpower" / "data" / (name + ".m");
    return fs::exists(p) ? p : fs::path{};
}

Network read_case(const fs::path& p) {
    Diagnostics d;
    Network net = read_matpower(p, d);
    EXPECT_FALSE(d.has_errors()) << p;
    return net;
}

struct BalanceStats {
    std::int32_t islands_checked = 0; ///< energised islands whose balance was checked
    std::int32_t multi_island_sets = 0;
    std::int32_t sets_with_shedding = 0; ///< load shed in an energised island
    double worst_imbalance_mw = 0;
};

/// Checks one result's per-island balance and load accounting; failures are recorded.
void check_balance(const Network& net, const IslandingResult& r, BalanceStats& stats,
                   const std::string& what) {
    const double base = net.base_mva;
    double shed_sum = 0;
    for (std::size_t isl = 0; isl < r.islands.size(); ++isl) {
        const Island& island = r.islands[isl];
        // served: all PD supplied (negative loads too, as injections); served_of_load: of the
        // positive loads, which with shed makes up the island's load.
        double gen = 0, served = 0, served_of_load = 0, shed = 0, load = 0, shunt = 0, losses = 0;
        for (BusIndex b : island.buses) {
            const std::size_t i = b.idx();
            const double pd = net.buses.pd_pu[i] * base;
            served += r.served_mw[i];
            shed += r.shed_mw[i];
            load += std::max(pd, 0.0);
            ASSERT_GE(r.shed_mw[i], 0.0) << what << ": bus " << net.buses.number[i];
            if (pd > 0) {
                ASSERT_LE(r.shed_mw[i], pd + 1e-9) << what << ": bus " << net.buses.number[i];
                served_of_load += r.served_mw[i];
            }
            if (pd > 0 && island.status != IslandStatus::kDeEnergised) {
                EXPECT_NEAR(r.served_mw[i] + r.shed_mw[i], pd, 1e-9) << what;
            }
            const double vm = island.status == IslandStatus::kDcFallback ? 1.0 : r.vm_pu[i];
            shunt += net.buses.gs_pu[i] * vm * vm * base;
        }
        for (std::size_t g = 0; g < r.pg_mw.size(); ++g)
            if (r.bus_island[net.gens.bus[g].idx()] == static_cast<std::int32_t>(isl))
                gen += r.pg_mw[g];
        for (std::size_t k = 0; k < r.p_from_mw.size(); ++k)
            if (r.bus_island[net.branches.from[k].idx()] == static_cast<std::int32_t>(isl))
                losses += r.p_from_mw[k] + r.p_to_mw[k];
        EXPECT_NEAR(load, island.load_mw, 1e-6) << what;
        EXPECT_LE(shed, load + 1e-9) << what << ": island " << isl;
        shed_sum += shed;
        if (island.status == IslandStatus::kDeEnergised) {
            EXPECT_EQ(gen, 0.0) << what;
            EXPECT_NEAR(shed, load, 1e-9) << what;
            continue;
        }
        // Generation = load + losses + shed - shed: what the units give is what the served load,
        // the shunts and the branches take.
        const double imbalance = std::fabs(gen - (served + shunt + losses));
        EXPECT_LE(imbalance, kBalanceMw)
            << what << ": island " << isl << " generation " << gen << " MW, served " << served
            << ", shunts " << shunt << ", losses " << losses;
        EXPECT_NEAR(served_of_load + shed, load, 1e-6) << what;
        stats.worst_imbalance_mw = std::max(stats.worst_imbalance_mw, imbalance);
        ++stats.islands_checked;
        if (shed > 1e-9)
            ++stats.sets_with_shedding;
    }
    EXPECT_NEAR(shed_sum, r.shed_mw_total, 1e-6) << what;
    EXPECT_LE(r.shed_mw_total, r.load_mw + 1e-9) << what;
    if (r.islands.size() > 1)
        ++stats.multi_island_sets;
}

/// The same state from two solvers: islands, their status, served load and voltages.
void expect_same_state(const Network& net, const IslandingResult& a, const IslandingResult& b,
                       const std::string& what) {
    ASSERT_EQ(a.islands.size(), b.islands.size()) << what;
    for (std::size_t isl = 0; isl < a.islands.size(); ++isl) {
        EXPECT_EQ(a.islands[isl].status, b.islands[isl].status) << what;
        EXPECT_EQ(a.islands[isl].buses, b.islands[isl].buses) << what;
        EXPECT_NEAR(a.islands[isl].served_mw, b.islands[isl].served_mw, 1e-6) << what;
        EXPECT_NEAR(a.islands[isl].generation_mw, b.islands[isl].generation_mw, 1e-4) << what;
    }
    for (std::int32_t i = 0; i < net.buses.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        EXPECT_NEAR(a.vm_pu[k], b.vm_pu[k], 1e-6) << what << ": bus " << net.buses.number[k];
        EXPECT_NEAR(a.va_rad[k], b.va_rad[k], 1e-6) << what << ": bus " << net.buses.number[k];
    }
    for (std::size_t k = 0; k < a.p_from_mw.size(); ++k)
        EXPECT_NEAR(a.p_from_mw[k], b.p_from_mw[k], 1e-4) << what << ": branch " << k + 1;
}

/// `sets` random outage sets of 1..k_max elements: each solved by solve_islands and by one kept
/// IslandSolver, both checked for balance, and compared.
void random_outages(const Network& net, std::int32_t sets, std::int32_t k_max, std::uint64_t seed,
                    BalanceStats& stats) {
    const IslandingResult base = solve_islands(net, {});
    IslandOptions o;
    o.initial_vm_pu = base.vm_pu;
    o.initial_va_rad = base.va_rad;
    IslandSolver kept(net, o);
    const auto outages = sample_n_k(net, sets, k_max, seed);
    for (std::size_t s = 0; s < outages.size(); ++s) {
        const std::string what = net.name + " set " + std::to_string(s);
        IslandingResult general, pattern;
        ASSERT_NO_THROW(general = solve_islands(net, outages[s].outages, o)) << what;
        ASSERT_NO_THROW(pattern = kept.solve(outages[s].outages)) << what;
        check_balance(net, general, stats, what);
        check_balance(net, pattern, stats, what + " (IslandSolver)");
        expect_same_state(net, general, pattern, what);
        if (::testing::Test::HasFatalFailure())
            return;
    }
    EXPECT_GT(kept.pattern_solves(), 0) << "no outage set took the kept-pattern path";
    std::printf("[power] %-16s %d sets: %d energised islands checked, %d sets split, worst "
                "imbalance %.3g MW; IslandSolver: %lld on the kept pattern, %lld general\n",
                net.name.c_str(), sets, stats.islands_checked, stats.multi_island_sets,
                stats.worst_imbalance_mw, static_cast<long long>(kept.pattern_solves()),
                static_cast<long long>(kept.general_solves()));
    ::testing::Test::RecordProperty("pattern_solves", static_cast<int>(kept.pattern_solves()));
    ::testing::Test::RecordProperty("general_solves", static_cast<int>(kept.general_solves()));
}

TEST(PowerBalance, RandomOutagesOnCase2383wp) {
    const fs::path p = shared_case("case2383wp");
    if (p.empty())
        GTEST_SKIP() << "case2383wp.m not found (../shared/data/power)";
    const Network net = read_case(p);
    BalanceStats stats;
    random_outages(net, 60, 4, 4242, stats);
    EXPECT_GT(stats.islands_checked, 60);
    EXPECT_GT(stats.multi_island_sets, 0); // some sets split the grid
    EXPECT_LE(stats.worst_imbalance_mw, kBalanceMw);
}

TEST(PowerBalance, RandomOutagesOnTheGeneratedDemoGrid) {
    citygen::GenerateOptions g;
    g.population = 100000;
    g.seed = 2026;
    g.name = "Demo City";
    const model::City city = citygen::generate_city(g);
    ASSERT_TRUE(city.power.has_value());
    BalanceStats stats;
    random_outages(*city.power, 80, 5, 2026, stats);
    EXPECT_GT(stats.islands_checked, 80);
    EXPECT_GT(stats.multi_island_sets, 0); // radial feeders: outages de-energise sections
    EXPECT_LE(stats.worst_imbalance_mw, kBalanceMw);
}

TEST(PowerBalance, RandomOutagesOnCase118) {
    const Network net = read_case(fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power" /
                                  "case118" / "case118.m");
    BalanceStats stats;
    random_outages(net, 60, 6, 118, stats);
    EXPECT_GT(stats.islands_checked, 60);
    EXPECT_LE(stats.worst_imbalance_mw, kBalanceMw);
}

/// Contingency analysis gives bit-identical outcomes whether each contingency is solved on the
/// kept pattern in one worker or in many (the pivot order comes from the case, not the history).
TEST(PowerBalance, KeptPatternResultsDoNotDependOnOrder) {
    const Network net = read_case(fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power" /
                                  "case118" / "case118.m");
    const auto cs = n_minus_1_contingencies(net);
    IslandOptions o;
    const IslandingResult base = solve_islands(net, {});
    o.initial_vm_pu = base.vm_pu;
    o.initial_va_rad = base.va_rad;
    IslandSolver forward(net, o), backward(net, o);
    std::vector<IslandingResult> a(cs.size()), b(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i)
        a[i] = forward.solve(cs[i].outages);
    for (std::size_t i = cs.size(); i-- > 0;)
        b[i] = backward.solve(cs[i].outages);
    EXPECT_GT(forward.pattern_solves(), static_cast<std::int64_t>(cs.size() / 2));
    for (std::size_t i = 0; i < cs.size(); ++i) {
        ASSERT_EQ(a[i].vm_pu, b[i].vm_pu) << "contingency " << i;
        ASSERT_EQ(a[i].p_from_mw, b[i].p_from_mw) << "contingency " << i;
    }
}

} // namespace
