// Writers of drainage simulation results: the long CSV form `time_s,type,id,quantity,value`
// shared by every lifeline (DESIGN.md §5) and the summary form `type,id,quantity,value` of the
// SWMM reference results (shared/data/REFERENCE.md §1, §3).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "drainage/network.hpp"
#include "drainage/simulation.hpp"

namespace rencheng::drainage {

/// Per report time: `subcatch` rows `runoff_m3s`, `evap_loss_mmd`, `infil_loss_mmh` (and
/// `gw_flow_m3s`, `gw_elevation_m`, `soil_moisture` where it has an aquifer); `node` rows
/// `depth_m`, `head_m`, `volume_m3`, `lateral_inflow_m3s`, `flood_m3s`, `total_inflow_m3s`; `link`
/// rows `flow_m3s` (signed, positive from the link's first node to its second as written in the
/// .inp), `depth_m`, `velocity_ms`, `volume_m3`, `capacity`. Values in shortest round-trip form,
/// ids quoted per RFC 4180.
std::string format_results_csv(const Network& net, const SimulationResult& result);

/// The results CSV's quantity of a pollutant's washoff concentration on subcatchments:
/// `washoff_<pollutant>_mg_per_l`, `_ug_per_l` or `_count_per_l` (docs/drainage.md "Water
/// quality").
std::string washoff_quantity(const Pollutant& p);
/// The results CSV's quantity of a pollutant's concentration in nodes and links (routed
/// pollutants): `quality_<pollutant>_mg_per_l`, `_ug_per_l` or `_count_per_l`.
std::string concentration_quantity(const Pollutant& p);

/// One line of SWMM's Quality Routing Continuity: the summary quantity's middle part
/// (`quality_<pollutant>_<term>_kg`), English and Chinese labels, kg (counts).
struct RoutingQualityTerm {
    const char* quantity;
    const char* label_en;
    const char* label_zh;
    double value;
};
std::vector<RoutingQualityTerm> routing_quality_terms(const RoutingQualityTotals& t);

/// One line of SWMM's Runoff Quantity or Flow Routing Continuity table: the summary CSV's
/// quantity, English and Chinese labels, and the volume, m³.
struct BalanceTerm {
    const char* quantity;
    const char* label_en;
    const char* label_zh;
    double value_m3;
};

/// The terms of the runoff balance (where runoff was computed) and of the routing balance (where
/// flow was routed), in SWMM's order.
std::vector<BalanceTerm> balance_terms(const SimulationSummary& summary);

/// Per node `max_depth_m` (when links were routed) and `flood_volume_m3`; per link `max_flow_m3s`
/// (max |flow| over all routing steps); and for `system`, `runoff_continuity_error_pct`,
/// `flow_routing_continuity_error_pct` and the terms of the balances in m³ (`runoff_*_m3` where
/// runoff was computed, `groundwater_*_m3` with aquifers, `routing_*_m3` where flow was routed);
/// then SWMM's report statistics where the run took them (SimulationSummary::subcatch_stats,
/// node_stats, link_stats, lid): docs/drainage.md "Report statistics". With water quality, before
/// those: `system` rows `quality_<pollutant>_<term>_kg` (SWMM's Runoff Quality Continuity; `_count`
/// for #/L pollutants) and `quality_<pollutant>_continuity_error_pct`, per subcatchment
/// `washoff_<pollutant>_kg` and its system total.
std::string format_summary_csv(const Network& net, const SimulationResult& result);

/// Write the texts above atomically. Throw Error(kWriteFailed) on failure.
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result);
void write_summary_csv(const std::filesystem::path& path, const Network& net,
                       const SimulationResult& result);

} // namespace rencheng::drainage
