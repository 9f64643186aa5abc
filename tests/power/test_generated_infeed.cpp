// The generated grid's two 220 kV in-feeds (docs/power.md §10): losing any one element on an
// in-feed's path — the external source (its generator), its supply bus, one of its lines, a
// 220 kV busbar section or the bus coupler — loses no load; losing both supply buses loses load
// (the test would otherwise not notice a third path).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "citygen/citygen.hpp"
#include "model/city.hpp"
#include "power/islands.hpp"
#include "power/network.hpp"

using namespace rencheng;

namespace {

model::City generated(std::int64_t population, std::uint64_t seed) {
    citygen::GenerateOptions o;
    o.population = population;
    o.seed = seed;
    o.name = "In-feed Test";
    return citygen::generate_city(o);
}

const std::string& kind_of(const model::City& city, std::int32_t bus) {
    return city.power_buses[static_cast<std::size_t>(bus)].kind;
}

double total_load_mw(const power::Network& net) {
    double sum = 0;
    for (double pd : net.buses.pd_pu)
        sum += pd * net.base_mva;
    return sum;
}

/// Every single element of the in-feed paths out, one at a time: no load lost. Returns how many
/// outages were checked.
int check_infeeds(const model::City& city) {
    const power::Network& net = *city.power;
    std::vector<std::int32_t> supply, section;
    for (std::int32_t i = 0; i < net.buses.count(); ++i) {
        if (kind_of(city, i) == "supply_220kv")
            supply.push_back(i);
        if (kind_of(city, i) == "substation_220kv")
            section.push_back(i);
    }
    EXPECT_EQ(supply.size(), 2u);
    const double load = total_load_mw(net);

    std::vector<power::OutageSet> outages;
    for (std::int32_t s : supply) {
        // The external source: each in-feed alone can take the whole city.
        for (std::int32_t g = 0; g < net.gens.count(); ++g)
            if (net.gens.bus[static_cast<std::size_t>(g)].value() == s) {
                EXPECT_GE(net.gens.pmax_pu[static_cast<std::size_t>(g)] * net.base_mva, load);
                power::OutageSet o;
                o.gens.emplace_back(g);
                outages.push_back(o);
            }
        power::OutageSet bus_out;
        bus_out.buses.emplace_back(s);
        outages.push_back(bus_out);
    }
    // Every 220 kV branch (in-feed lines, bus coupler, ties between grid substations) and every
    // 220 kV bus of a grid substation that an in-feed lands on.
    for (std::int32_t k = 0; k < net.branches.count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        if (net.buses.base_kv[net.branches.from[u].idx()] == 220.0 &&
            net.buses.base_kv[net.branches.to[u].idx()] == 220.0) {
            power::OutageSet o;
            o.branches.emplace_back(k);
            outages.push_back(o);
            for (std::int32_t s : supply)
                if (net.branches.from[u].value() == s || net.branches.to[u].value() == s) {
                    const std::int32_t landing = net.branches.from[u].value() == s
                                                     ? net.branches.to[u].value()
                                                     : net.branches.from[u].value();
                    power::OutageSet b;
                    b.buses.emplace_back(landing);
                    outages.push_back(b);
                }
        }
    }
    const bool double_busbar = section.size() == 2 && [&] {
        for (std::int32_t i : section)
            if (city.power_buses[static_cast<std::size_t>(i)].name.ends_with(" II"))
                return true;
        return false;
    }();
    for (const power::OutageSet& o : outages) {
        const power::IslandingResult r = power::solve_islands(net, o);
        const std::string what = !o.gens.empty() ? "gen " + std::to_string(o.gens[0].value())
                                 : !o.branches.empty()
                                     ? "branch row " + std::to_string(o.branches[0].value() + 1)
                                     : "bus " + std::to_string(o.buses[0].value() + 1);
        // A grid substation's 220 kV bus on a single busbar takes its transformers with it;
        // only a double busbar (one grid substation) keeps every load.
        const bool substation_bus =
            !o.buses.empty() && kind_of(city, o.buses[0].value()) == "substation_220kv";
        if (substation_bus && !double_busbar)
            continue;
        EXPECT_LT(r.shed_mw_total, 1e-6) << what;
    }

    // Both in-feeds out: only the local plant is left, sized for 80 % of one substation's load.
    power::OutageSet both;
    for (std::int32_t s : supply)
        both.buses.emplace_back(s);
    const power::IslandingResult r = power::solve_islands(net, both);
    EXPECT_GT(r.shed_mw_total, 0.1 * load);
    return static_cast<int>(outages.size());
}

} // namespace

TEST(GeneratedInfeed, DemoCityHasTwoInfeedsAndNoSinglePointOfFailureOnThem) {
    const model::City city = generated(100000, 2026);
    ASSERT_TRUE(city.power.has_value());
    const int checked = check_infeeds(city);
    std::printf("[power] demo grid: %d in-feed outages checked\n", checked);
    EXPECT_GE(checked, 10);
}

TEST(GeneratedInfeed, SmallTownHasTwoInfeedsToo) {
    const model::City city = generated(20000, 7);
    ASSERT_TRUE(city.power.has_value());
    EXPECT_GE(check_infeeds(city), 10);
}
