// Tests of contingency analysis: N-1 islands, determinism across threads, screening, ranking.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/parallel.hpp"
#include "power/contingency.hpp"
#include "power/matpower.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::power;

Network bundled(const std::string& name) {
    Diagnostics d;
    Network net = read_matpower(
        fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power" / name / (name + ".m"), d);
    EXPECT_FALSE(d.has_errors());
    return net;
}

/// Branches whose removal disconnects the in-service network, by a plain search per branch
/// (independent of the union-find the library uses).
std::set<std::int32_t> bridges(const Network& net) {
    std::set<std::int32_t> out;
    const auto nb = static_cast<std::size_t>(net.buses.count());
    for (std::int32_t cut = 0; cut < net.branches.count(); ++cut) {
        std::vector<std::uint8_t> seen(nb, 0);
        std::vector<std::size_t> stack{0};
        seen[0] = 1;
        std::size_t reached = 1;
        while (!stack.empty()) {
            const std::size_t u = stack.back();
            stack.pop_back();
            for (std::int32_t k = 0; k < net.branches.count(); ++k) {
                const auto kk = static_cast<std::size_t>(k);
                if (k == cut || net.branches.status[kk] == 0)
                    continue;
                const std::size_t f = net.branches.from[kk].idx(), t = net.branches.to[kk].idx();
                const std::size_t v = f == u ? t : (t == u ? f : nb);
                if (v < nb && !seen[v]) {
                    seen[v] = 1;
                    ++reached;
                    stack.push_back(v);
                }
            }
        }
        if (reached < nb)
            out.insert(cut);
    }
    return out;
}

std::string branch_name(const Network& net, std::int32_t k) {
    const auto kk = static_cast<std::size_t>(k);
    return std::to_string(net.buses.number[net.branches.from[kk].idx()]) + "-" +
           std::to_string(net.buses.number[net.branches.to[kk].idx()]);
}

bool same(const ContingencyOutcome& a, const ContingencyOutcome& b) {
    return a.kind == b.kind && a.element == b.element && a.screened == b.screened &&
           a.islands == b.islands && a.de_energised_islands == b.de_energised_islands &&
           a.non_converged_islands == b.non_converged_islands && a.load_mw == b.load_mw &&
           a.load_lost_mw == b.load_lost_mw && a.overloads == b.overloads &&
           a.max_loading == b.max_loading && a.worst_branch == b.worst_branch &&
           a.voltage_violations == b.voltage_violations &&
           a.max_voltage_violation_pu == b.max_voltage_violation_pu && a.worst_bus == b.worst_bus;
}

TEST(Contingency, NMinus1OnCase14FindsTheRadialBranch) {
    const Network net = bundled("case14");
    const auto cs = n_minus_1_contingencies(net);
    EXPECT_EQ(cs.size(), static_cast<std::size_t>(net.branches.count() + net.gens.count()));
    const ContingencyReport rep = analyse_contingencies(net, cs);
    EXPECT_EQ(rep.base.islands, 1);
    std::set<std::string> islanding;
    for (const auto& o : rep.outcomes)
        if (o.kind == ContingencyKind::kBranch && o.islands > 1)
            islanding.insert(branch_name(net, o.element));
    EXPECT_EQ(islanding, (std::set<std::string>{"7-8"}));
    std::set<std::string> expected;
    for (std::int32_t k : bridges(net))
        expected.insert(branch_name(net, k));
    EXPECT_EQ(islanding, expected);
    EXPECT_EQ(rep.solved, static_cast<std::int32_t>(cs.size()));
    EXPECT_EQ(rep.screened, 0);
}

TEST(Contingency, NMinus1OnCase30FindsTheRadialBranches) {
    const Network net = bundled("case30");
    const ContingencyReport rep = analyse_contingencies(net, n_minus_1_contingencies(net));
    std::set<std::string> islanding;
    for (const auto& o : rep.outcomes) {
        if (o.kind != ContingencyKind::kBranch || o.islands == 1)
            continue;
        islanding.insert(branch_name(net, o.element));
        EXPECT_EQ(o.islands, 2);
        const std::string name = branch_name(net, o.element);
        if (name == "25-26") { // bus 26 (3.5 MW, no generator) goes dark
            EXPECT_EQ(o.de_energised_islands, 1);
            EXPECT_NEAR(o.load_lost_mw, 3.5, 1e-9);
        }
        if (name == "12-13") { // bus 13 has a generator and no load
            EXPECT_EQ(o.de_energised_islands, 0);
            EXPECT_EQ(o.load_lost_mw, 0.0);
        }
    }
    EXPECT_EQ(islanding, (std::set<std::string>{"9-11", "12-13", "25-26"}));
    std::set<std::string> expected;
    for (std::int32_t k : bridges(net))
        expected.insert(branch_name(net, k));
    EXPECT_EQ(islanding, expected);

    // The worst single point of failure is the one that loses load.
    const auto order = rank_contingencies(rep.outcomes);
    ASSERT_FALSE(order.empty());
    const auto& worst = rep.outcomes[static_cast<std::size_t>(order[0])];
    EXPECT_GT(worst.load_lost_mw, 0.0);
    for (std::size_t i = 1; i < order.size(); ++i)
        EXPECT_GE(rep.outcomes[static_cast<std::size_t>(order[i - 1])].load_lost_mw,
                  rep.outcomes[static_cast<std::size_t>(order[i])].load_lost_mw);
}

TEST(Contingency, ResultsDoNotDependOnThreadCount) {
    for (const char* name : {"case30", "case118"}) {
        const Network net = bundled(name);
        const auto cs = n_minus_1_contingencies(net);
        for (bool screening : {false, true}) {
            ContingencyOptions o;
            o.dc_screening = screening;
            ContingencyReport one, two;
            {
                ThreadLimit limit(1);
                one = analyse_contingencies(net, cs, o);
            }
            {
                ThreadLimit limit(2);
                two = analyse_contingencies(net, cs, o);
            }
            ASSERT_EQ(one.outcomes.size(), two.outcomes.size());
            for (std::size_t i = 0; i < one.outcomes.size(); ++i)
                EXPECT_TRUE(same(one.outcomes[i], two.outcomes[i])) << name << " " << i;
            EXPECT_EQ(rank_contingencies(one.outcomes), rank_contingencies(two.outcomes));
        }
    }
}

TEST(Contingency, ScreenedContingenciesHaveNoOverloadWhenSolved) {
    // case30 has ratings (and one branch over its rating in the base case); screening must skip
    // only contingencies that, solved in full, island nothing, lose no load and load no branch
    // beyond what it let pass.
    const Network net = bundled("case30");
    const auto cs = n_minus_1_contingencies(net);
    ContingencyOptions screened;
    screened.dc_screening = true;
    const ContingencyReport s = analyse_contingencies(net, cs, screened);
    const ContingencyReport full = analyse_contingencies(net, cs);
    const IslandingResult base = solve_islands(net, {});
    EXPECT_GT(s.screened, 0);
    EXPECT_EQ(s.screened + s.solved, static_cast<std::int32_t>(cs.size()));
    for (std::size_t i = 0; i < cs.size(); ++i) {
        if (!s.outcomes[i].screened) {
            EXPECT_TRUE(same(s.outcomes[i], full.outcomes[i])) << i;
            continue;
        }
        EXPECT_EQ(full.outcomes[i].islands, 1) << i;
        EXPECT_EQ(full.outcomes[i].load_lost_mw, 0.0) << i;
        // Solved in full, no branch is loaded beyond what screening let pass (below the threshold
        // or near its base loading), give or take the DC estimate's error.
        const IslandingResult r = solve_islands(net, cs[i].outages);
        for (std::size_t k = 0; k < r.p_from_mw.size(); ++k) {
            const double rate = net.branches.rate_a_mva[k];
            if (!(rate > 0))
                continue;
            auto loading = [&](const IslandingResult& x) {
                return std::max(std::hypot(x.p_from_mw[k], x.q_from_mvar[k]),
                                std::hypot(x.p_to_mw[k], x.q_to_mvar[k])) /
                       rate;
            };
            EXPECT_LE(loading(r), std::max(screened.screening_threshold,
                                           loading(base) + screened.screening_increase) +
                                      0.1)
                << i << " branch " << k;
        }
        EXPECT_NEAR(s.outcomes[i].max_loading, full.outcomes[i].max_loading, 0.1) << i;
    }
}

TEST(Contingency, SampledNkIsReproducible) {
    const Network net = bundled("case118");
    const auto a = sample_n_k(net, 50, 5, 7);
    const auto b = sample_n_k(net, 50, 5, 7);
    ASSERT_EQ(a.size(), 50u);
    std::set<std::size_t> sizes;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].outages.branches, b[i].outages.branches);
        EXPECT_EQ(a[i].outages.gens, b[i].outages.gens);
        const std::size_t k = a[i].outages.branches.size() + a[i].outages.gens.size();
        EXPECT_GE(k, 1u);
        EXPECT_LE(k, 5u);
        sizes.insert(k);
        std::set<std::int32_t> distinct;
        for (BranchIndex br : a[i].outages.branches)
            distinct.insert(br.value());
        EXPECT_EQ(distinct.size(), a[i].outages.branches.size());
    }
    EXPECT_EQ(sizes.size(), 5u);
    const auto c = sample_n_k(net, 50, 5, 8);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        differ += a[i].outages.branches != c[i].outages.branches;
    EXPECT_GT(differ, 0u);

    const ContingencyReport rep = analyse_contingencies(net, a);
    for (const auto& o : rep.outcomes) {
        EXPECT_GE(o.load_lost_mw, 0.0);
        EXPECT_LE(o.load_lost_mw, o.load_mw + 1e-9);
    }
}

TEST(Contingency, CommandLineRanksAndWritesResults) {
    const fs::path csv = fs::temp_directory_path() / "rencheng-contingency-case14.csv";
    fs::remove(csv);
    const std::string cmd =
        std::string(RENCHENG_BINARY) + " power contingency " +
        (fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power" / "case14" / "case14.m")
            .string() +
        " --n-1 --top 3 --threads 2 --results " + csv.string() + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(csv);
    std::string line;
    std::size_t rows = 0;
    bool radial = false;
    std::getline(in, line);
    EXPECT_EQ(line.rfind("index,kind,element,outages,screened,islands,", 0), 0u);
    while (std::getline(in, line)) {
        ++rows;
        radial = radial || line.rfind("14,branch,14,branch:14,0,2,", 0) == 0;
    }
    const Network net = bundled("case14");
    EXPECT_EQ(rows, static_cast<std::size_t>(net.branches.count() + net.gens.count()));
    EXPECT_TRUE(radial); // branch 14 (7-8) splits bus 8 off
    fs::remove(csv);
}

TEST(Contingency, BadOptionsThrow) {
    const Network net = bundled("case9");
    ContingencyOptions o;
    o.screening_threshold = 0;
    EXPECT_THROW((void)analyse_contingencies(net, {}, o), Error);
}

} // namespace
