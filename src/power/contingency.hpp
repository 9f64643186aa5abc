// Contingency analysis: N-1 over branches and generators, sampled N-k, ranking of the worst.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "power/islands.hpp"
#include "power/network.hpp"

namespace rencheng::power {

enum class ContingencyKind : std::uint8_t {
    kBase,      ///< no outage
    kBranch,    ///< one branch out (N-1)
    kGenerator, ///< one generator out (N-1)
    kMultiple,  ///< several elements out (N-k)
};

/// "base", "branch", "gen", "multiple".
std::string_view contingency_kind_name(ContingencyKind k);

struct Contingency {
    ContingencyKind kind = ContingencyKind::kBase;
    std::int32_t element = -1; ///< the branch or generator row (0-based) for N-1; -1 otherwise
    OutageSet outages;
};

struct ContingencyOptions {
    /// How each post-contingency state is solved: power flow, shedding priorities, what a
    /// non-converging island becomes. The warm start is filled in from the base case.
    IslandOptions islands;
    /// DC screening (docs/power.md §8): with the base case's B matrix factored once per worker,
    /// each branch or generator outage's flow changes are estimated from line outage / power
    /// transfer distribution factors and added to the base case's AC flows. A contingency that
    /// does not island, does not touch the slack, and leaves every rated branch either below
    /// `screening_threshold`·RATE_A or no more than `screening_increase`·RATE_A above its base
    /// loading is reported from the estimate instead of an AC solve. Voltages are not screened: a
    /// screened contingency reports the base case's voltage violations. Off: every contingency is
    /// solved.
    bool dc_screening = false;
    double screening_threshold = 0.9;
    double screening_increase = 0.01;
    /// A branch is overloaded above (1 + overload_tolerance)·RATE_A; a bus violates its limits
    /// beyond [VMIN - voltage_tolerance_pu, VMAX + voltage_tolerance_pu].
    double overload_tolerance = 1e-6;
    double voltage_tolerance_pu = 1e-6;

    /// Throws Error(kOutOfRange) naming the first bad option.
    void validate() const;
};

/// The consequences of one contingency. Loadings are max(|S_from|, |S_to|) / RATE_A over the
/// branches with RATE_A > 0.
struct ContingencyOutcome {
    ContingencyKind kind = ContingencyKind::kBase;
    std::int32_t element = -1;
    bool screened = false; ///< judged safe by DC screening; not solved AC
    std::int32_t islands = 0;
    std::int32_t de_energised_islands = 0;
    std::int32_t non_converged_islands = 0; ///< de-energised because no flow converged
    double load_mw = 0;                     ///< the case's load
    double load_lost_mw = 0;                ///< shed or de-energised
    std::int32_t overloads = 0;
    double max_loading = 0; ///< the largest loading (1 = at RATE_A)
    BranchIndex worst_branch;
    std::int32_t voltage_violations = 0;
    double max_voltage_violation_pu = 0; ///< the largest distance outside [VMIN, VMAX]
    BusIndex worst_bus;
};

struct ContingencyReport {
    ContingencyOutcome base;
    std::vector<ContingencyOutcome> outcomes; ///< in the order of the contingencies given
    std::int32_t solved = 0;                  ///< contingencies solved AC (or DC)
    std::int32_t screened = 0;                ///< contingencies reported from DC screening
    double seconds = 0;
};

/// N-1: every branch in service (in row order), then every generator in service.
std::vector<Contingency> n_minus_1_contingencies(const Network& net, bool branches = true,
                                                 bool generators = true);

/// `count` random outage sets of 1..k_max distinct elements drawn from the branches and generators
/// in service (k uniform in [1, k_max], then the elements uniformly without replacement). Set s
/// draws from RngStream(seed, s, 1), so the sets do not depend on thread count.
std::vector<Contingency> sample_n_k(const Network& net, std::int32_t count, std::int32_t k_max,
                                    std::uint64_t seed);

/// Solves the base case and every contingency (solve_islands), in parallel over the
/// contingencies with rencheng::parallel_for_chunks (one workspace per chunk); results are
/// independent of the thread count. Never throws for a contingency; throws Error(kOutOfRange)
/// for bad options.
ContingencyReport analyse_contingencies(const Network& net,
                                        const std::vector<Contingency>& contingencies,
                                        const ContingencyOptions& options = {});

/// The outcomes' indices from worst to least bad: by load lost, then the largest loading above
/// RATE_A, then the number of voltage violations and their size; ties in input order.
std::vector<std::int32_t> rank_contingencies(const std::vector<ContingencyOutcome>& outcomes);

/// "branch 12 (bus 4-bus 9)", "gen 3 (bus 2)", "3 elements".
std::string describe_contingency(const Network& net, const ContingencyOutcome& outcome);

} // namespace rencheng::power
