// Leak localisation by the sensitivity-matrix method: how a leak at each candidate node would
// move the pressures at the sensors, compared with what the sensors read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "gas/network.hpp"
#include "gas/steady_state.hpp"

namespace rencheng::gas {

/// A pressure sensor's reading: node and absolute pressure (Pa), the mean of `count` rows.
struct PressureReading {
    NodeIndex node;
    double pressure_pa = 0.0;
    int source_line = 0; ///< the node's first row
    int count = 1;       ///< rows averaged
};

/// Parses a readings CSV (header `node,pressure_pa`: a node id of `net` and the measured absolute
/// pressure in Pa; docs/gas.md "Leak localisation"). Several rows for one node (readings over a
/// time window) are averaged into one reading, in the order of each node's first row. Problems
/// (missing column, unknown node, a pressure that is not a positive number) go to `diags` with
/// file and line.
std::vector<PressureReading> parse_pressure_readings_csv(std::string_view text,
                                                         const std::string& file,
                                                         const Network& net, Diagnostics& diags);

struct LeakLocateOptions {
    SteadyStateOptions steady;
    /// The extra withdrawal that probes each candidate, normal m³/s; 0 picks 1 % of the total
    /// customer demand (at least 1e-6 m³/s).
    double probe_flow_m3s = 0.0;
    /// Throws Error(kOutOfRange) naming the bad field.
    void validate() const;
};

/// S[s][c] = ∂p(sensor s)/∂q(leak at candidate c), Pa per normal m³/s, by finite difference of
/// two steady states (the model as given, and with the probe flow withdrawn at c).
struct SensitivityMatrix {
    std::vector<NodeIndex> sensors;
    std::vector<NodeIndex> candidates;
    std::vector<double> base_pressure_pa; ///< per sensor, the model without a leak
    /// Column-major: value(s, c) = dp_dq[c * sensors.size() + s]. A candidate whose probe state
    /// could not be solved has a column of NaN and is never ranked.
    std::vector<double> dp_dq;
    double probe_flow_m3s = 0.0;

    [[nodiscard]] double value(std::size_t s, std::size_t c) const {
        return dp_dq[c * sensors.size() + s];
    }
};

/// The sensitivity matrix of `net` for `sensors` and `candidates` (empty: every junction and
/// customer whose component solves). Throws Error(kNoConvergence) when the leak-free state of a
/// sensor's component does not solve, Error(kOutOfRange) for bad indices or options.
SensitivityMatrix compute_sensitivity(const Network& net, const std::vector<NodeIndex>& sensors,
                                      const std::vector<NodeIndex>& candidates = {},
                                      const LeakLocateOptions& options = {});

/// One candidate leak location, with how well a leak there explains the readings.
struct LeakCandidate {
    NodeIndex node;
    /// The leak flow (normal m³/s, ≥ 0) that best explains the readings from this node, in the
    /// least-squares sense r ≈ q·s_c, r = measured − modelled.
    double leak_flow_m3s = 0.0;
    double rms_residual_pa = 0.0; ///< RMS of r − q·s_c over the sensors (the ranking key)
    double correlation = 0.0;     ///< cos of the angle between r and s_c (1: same shape)
};

/// Ranks every candidate of `s` by the RMS residual of its best-fitting leak, best first (ties by
/// node index). `measured_pa` holds one reading per sensor, in the order of s.sensors. Since the
/// residual is |r|·sqrt(1 − cos²) when q > 0, this is the ranking by correlation of the
/// classical sensitivity-matrix method (Pérez et al. 2011) with the leak held to a withdrawal.
std::vector<LeakCandidate> rank_leak_candidates(const SensitivityMatrix& s,
                                                const std::vector<double>& measured_pa);

/// Refines the `top` best of `ranked` (from rank_leak_candidates on the same readings) with the
/// full non-linear model: for each, the leak flow is fitted by three Gauss-Newton steps on
/// steady states of `net` with that leak (slope from the sensitivity column), and the candidate
/// scored by the RMS residual of the last state; the refined ones are re-ranked among
/// themselves ahead of the rest. This removes the linearisation error of leaks far from the
/// probe flow. A candidate whose leak state does not solve keeps its linear score.
std::vector<LeakCandidate> refine_leak_candidates(const Network& net, const SensitivityMatrix& s,
                                                  const std::vector<double>& measured_pa,
                                                  std::vector<LeakCandidate> ranked,
                                                  std::size_t top,
                                                  const LeakLocateOptions& options = {});

} // namespace rencheng::gas
