// Service metrics of a water network per node and time: delivered against required demand,
// pressure deficit, and the network's satisfaction ratio and Todini resilience index.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "water/damage.hpp"
#include "water/network.hpp"

namespace rencheng::water {

/// Why a node gets what it gets.
enum class ServiceReason : std::uint8_t {
    kNoDemand,   ///< nothing required
    kServed,     ///< all of the required demand delivered
    kPartial,    ///< some delivered: pressure below the required pressure (PDA)
    kNoPressure, ///< connected to a source but nothing delivered (pressure at or below minimum)
    kCutOff,     ///< no open path to any tank or reservoir: zero supply
};
std::string_view service_reason_name(ServiceReason r);

struct NodeService {
    double required_m3s = 0;
    double delivered_m3s = 0;
    double pressure_m = 0;
    double pressure_deficit_m = 0; ///< max(0, required pressure − pressure)
    double ratio = 1;              ///< delivered / required (1 where nothing is required)
    ServiceReason reason = ServiceReason::kNoDemand;
};

struct ServiceSnapshot {
    Seconds time_s = 0;
    std::vector<NodeService> nodes; ///< per node (tanks and reservoirs: kNoDemand)
    double required_m3s = 0;        ///< Σ over junctions with positive demand
    double delivered_m3s = 0;
    double satisfaction_ratio = 1;        ///< delivered / required (1 when nothing is required)
    double todini_index = 0;              ///< see todini_index()
    std::int32_t nodes_without_water = 0; ///< required > 0, delivered 0
};

struct MetricsOptions {
    /// Pressure a node needs for full service, m; negative: the network's REQUIRED PRESSURE.
    double required_pressure_m = -1;
};

/// Todini (2000) resilience index, "Looped water distribution networks design using a resilience
/// index based heuristic approach", Urban Water 2(2) 115-122, eq. (9):
///   I_r = Σ_i q_i (h_i − h*_i) / (Σ_r Q_r H_r + Σ_p P_p/γ − Σ_i q_i h*_i)
/// over junctions i with demand q_i > 0 (delivered, m³/s), head h_i and required head
/// h*_i = elevation + required pressure; reservoirs r with outflow Q_r at head H_r; pumps p with
/// P_p/γ = flow × head gain. As WNTR's todini_index, tanks are not counted as sources.
/// Returns 0 when the denominator is not positive.
double todini_index(const Network& net, const std::vector<double>& head_m,
                    const std::vector<double>& delivered_m3s, const std::vector<double>& flow_m3s,
                    double required_pressure_m);

/// The service of every node at one time.
ServiceSnapshot service_snapshot(const Network& net, const DamageStep& step,
                                 const MetricsOptions& options);

/// Service over a damaged simulation: one snapshot per hydraulic time.
struct ServiceMetrics {
    std::vector<ServiceSnapshot> times;
    /// Σ delivered·Δt / Σ required·Δt over the simulation (each step weighted by the time to the
    /// next one; the last by the one before it, or 1 s for a single step).
    double satisfaction_ratio = 1;
    double min_todini_index = 0;
};
ServiceMetrics service_metrics(const Network& net, const DamageResult& result,
                               const MetricsOptions& options);

} // namespace rencheng::water
