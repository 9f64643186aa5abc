// The gas network as a lifeline of the stress test: which customers have gas under a set of
// outages (gate stations lost, pipes broken and their segments shut off, regulators out), and for
// how long the gas stored in a cut-off part keeps its customers supplied (docs/scenario.md "Gas").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gas/isolation.hpp"
#include "gas/network.hpp"
#include "gas/steady_state.hpp"

namespace rencheng::sim {

/// What is out of the gas network at one moment.
struct GasOutages {
    std::vector<std::int32_t> connections; ///< closed: broken, failed, or shut to isolate a break
    std::vector<std::int32_t> sources;     ///< gate stations out (nodes)
};

/// The gas network's state under one set of outages.
struct GasSupply {
    /// Per node: absolute pressure right after the outages (NaN where no source holds it).
    std::vector<double> pressure_pa;
    /// Per node, customers only (NaN elsewhere): hours after the outages began until the
    /// customer falls below its minimum pressure; 0 at once, +inf while a source holds it.
    std::vector<double> hours_to_minimum;
    /// Gas node balance of the components the solver solved: the largest |Σ in − Σ out| at a
    /// node, normal m³/s, and that divided by the component's throughput.
    double max_balance_m3s = 0.0;
    double max_relative_balance = 0.0;
    std::int32_t solved_components = 0;
};

/// The city's gas network prepared for the stress test. Thread-safe: states are computed once
/// per distinct set of outages and shared between realizations (each is a function of the set
/// alone, so the numbers do not depend on which realization computed them first).
class GasLifeline {
public:
    explicit GasLifeline(const gas::Network& net);

    [[nodiscard]] const gas::Network& network() const { return net_; }
    /// The undirected node–connection graph (arc ids: connection indices).
    [[nodiscard]] const CsrGraph& adjacency() const { return adjacency_; }
    /// The state with nothing out.
    [[nodiscard]] const std::shared_ptr<const GasSupply>& intact() const { return intact_; }
    /// The state under `outages` (sorted or not; duplicates allowed). `computed` is set to true
    /// when this call solved it rather than finding it in the cache.
    [[nodiscard]] std::shared_ptr<const GasSupply> supply(GasOutages outages,
                                                          bool* computed = nullptr) const;
    /// The isolation of a break of connection k (valves, segment, customers), cached.
    [[nodiscard]] std::shared_ptr<const gas::Isolation> isolation(std::int32_t k) const;
    /// True when connection k is a pipe-like element that breaks (pipe, short pipe, resistor).
    [[nodiscard]] bool is_pipe(std::int32_t k) const;

private:
    const gas::Network& net_;
    CsrGraph adjacency_;
    std::shared_ptr<const GasSupply> intact_;
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::shared_ptr<const GasSupply>> cache_;
    mutable std::map<std::int32_t, std::shared_ptr<const gas::Isolation>> isolations_;
    /// Hours to minimum of the nodes of a part left without a source (NaN at non-customers),
    /// keyed by the part: its nodes, its open connections and its lost gate stations. The same
    /// part is left behind by many outage sets (every other break repaired or not), and its
    /// draw-down depends on the part alone.
    mutable std::map<std::vector<std::int32_t>, std::shared_ptr<const std::vector<double>>> parts_;
};

} // namespace rencheng::sim
