// Capacity assessment of a drainage network against a design storm: the rational-method design
// flow of every conduit against its full-flow capacity, a dynamic-wave run of the storm, the
// bottleneck list by flooded volume caused, and what-if measures (storage tanks, upsized pipes,
// runoff reduction) reported before and after (docs/drainage.md "Capacity assessment").
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {

/// The design storm, given by the caller (the drainage module knows no intensity formula): the
/// formula's mean intensity over a duration, for the rational method, and the hyetograph that
/// the dynamic-wave run puts in every rain gage.
struct DesignStorm {
    /// Mean intensity over a rain of `duration_s` seconds, m/s (GB 50014: q(P, t) / 166.67 per
    /// mm/min, converted). Must be positive for positive durations.
    std::function<double(double duration_s)> mean_intensity_ms;
    std::int64_t step_s = 300;        ///< hyetograph interval
    std::vector<double> intensity_ms; ///< hyetograph, mean intensity of each interval, m/s
    std::string description;          ///< e.g. "Wuhan P = 3 a, Chicago r = 0.4, 120 min"
};

struct CapacityOptions {
    /// Surface inlet time t1 of the rational method (GB 50014: 5–15 min), s.
    double inlet_time_s = 600.0;
    /// Runoff coefficients ψ of impervious and pervious surface (GB 50014: roofs and paving
    /// 0.85–0.95, green land 0.10–0.20).
    double runoff_coefficient_impervious = 0.90;
    double runoff_coefficient_pervious = 0.15;
    /// The dynamic-wave run continues this long after the storm ends, s.
    std::int64_t drain_time_s = 7200;
    /// Candidates re-run as what-ifs for the bottleneck list.
    int top_bottlenecks = 5;
    /// A node counts as flooded when its flood volume exceeds this, m³ (SWMM prints flooding
    /// to 1 m³ in SI reports).
    double flooded_node_min_volume_m3 = 1.0;
    /// Throws Error(kOutOfRange) naming the option.
    void validate() const;
};

/// Rational method per conduit: Q = i(t_c)·Σψ·F over the contributing area (GB 50014
/// Q = ψ·q·F), t_c = t1 + the longest full-flow travel time from the area's inlets to the
/// conduit's upstream node.
struct ConduitCapacity {
    std::int32_t link = -1;          ///< link index (a conduit)
    double area_m2 = 0;              ///< contributing subcatchment area F
    double runoff_coefficient = 0;   ///< composite ψ = Σψ·F / ΣF (0 without area)
    double concentration_time_s = 0; ///< t_c
    double intensity_ms = 0;         ///< i(t_c)
    double design_flow_m3s = 0;      ///< ψ·i·F
    double full_flow_m3s = 0;        ///< Manning at full depth, all barrels
    double design_ratio = 0;         ///< design / full (infinite for no capacity)
    bool passes = true;              ///< design_ratio <= 1
    double peak_flow_m3s = 0;        ///< dynamic wave: max |flow|
    double surcharged_s = 0;         ///< dynamic wave: time its upstream end is above crown
    /// Dynamic wave: time full upstream with the hydraulic grade line steeper than the conduit
    /// (SWMM's "Hours Capacity Limited", over every routing step).
    double capacity_limited_s = 0;
    double upstream_flood_m3 = 0; ///< dynamic wave: flood volume at nodes upstream
};

/// Flooding of one dynamic-wave run.
struct FloodOutcome {
    double flood_volume_m3 = 0;     ///< total over all nodes
    std::int32_t flooded_nodes = 0; ///< nodes above flooded_node_min_volume_m3
    /// Length of conduits with a flooded node at either end (the streets above them; each
    /// conduit counted once), m.
    double flooded_road_length_m = 0;
    std::vector<double> node_flood_m3; ///< per node
    double routing_continuity_error_pct = 0;
};

/// One bottleneck: a failing conduit raised to carry its design flow in a what-if run.
struct Bottleneck {
    std::int32_t link = -1;
    double design_ratio = 0;
    double scale = 1;                    ///< cross-section lengths multiplied by ratio^(3/8)
    double upstream_flood_before_m3 = 0; ///< at the nodes upstream of the conduit, base run
    double upstream_flood_after_m3 = 0;  ///< the same nodes, conduit upsized
    /// Flooded volume the conduit causes: upstream before − after (ranking key).
    double flood_caused_m3 = 0;
    double system_flood_before_m3 = 0;
    double system_flood_after_m3 = 0;
};

enum class MeasureType : std::uint8_t { kStorageTank, kPipeUpsize, kRunoffReduction };
std::string_view measure_type_name(MeasureType t);

/// A what-if measure read from the measures TOML (docs/drainage.md "Measures file").
struct Measure {
    std::string name;
    MeasureType type = MeasureType::kStorageTank;
    int line = 0; ///< line of its [[measure]] table
    // kStorageTank: the node becomes a storage unit of plan area volume/depth, or of the curve
    NodeIndex node;
    double volume_m3 = 0; ///< 0 when a curve is given
    double depth_m = 0;   ///< 0: the node's full depth
    std::vector<double> curve_depth_m, curve_area_m2;
    // kPipeUpsize: a circular conduit gets a new diameter
    LinkIndex conduit;
    double diameter_m = 0;
    // kRunoffReduction (LID-lite): a fraction of each subcatchment's impervious area holds the
    // first `capture_depth_m` of rain
    std::vector<SubcatchIndex> subcatchments;
    std::string lid; ///< green_roof, permeable_paving or bioretention
    double treated_fraction = 0;
    double capture_depth_m = 0;
};

/// Parses a measures file against the network (ids must exist). Every problem goes to `diags`
/// with the file, line and key; returns the measures read (incomplete on error).
std::vector<Measure> parse_measures_toml(std::string_view text, const std::string& file,
                                         const Network& net, Diagnostics& diags);
/// Reads and parses a measures file; a missing file is Error(kFileNotFound).
std::vector<Measure> read_measures_toml(const std::filesystem::path& path, const Network& net,
                                        Diagnostics& diags);

/// Applies one measure to a copy of the model. `full_depth_m` are the nodes' full depths
/// (FlowRouter's: MaxDepth, or the highest connected crown when 0). Throws Error(kUnsupported)
/// for a measure the model's element cannot take (a tank at an outfall, a non-circular pipe).
void apply_measure(Network& net, const Measure& m, const std::vector<double>& full_depth_m);

struct MeasureOutcome {
    std::string name; ///< the measure's, or "all" for every measure together
    MeasureType type = MeasureType::kStorageTank;
    std::string target; ///< node, conduit or subcatchment ids
    bool combined = false;
    FloodOutcome after;
};

struct CapacityReport {
    std::string storm;
    std::vector<ConduitCapacity> conduits; ///< one per conduit, conduit order
    FloodOutcome base;
    double runoff_continuity_error_pct = 0;
    std::vector<Bottleneck> bottlenecks; ///< ranked, most flood caused first
    std::int32_t bottleneck_candidates = 0;
    std::vector<MeasureOutcome> measures; ///< one per measure, then "all" when there are two+
};

/// Puts the storm in every rain gage of `net` (one intensity series) and sets the run to end
/// `drain_time_s` after it.
void set_design_storm(Network& net, const DesignStorm& storm, std::int64_t drain_time_s);

/// The rational method alone (no simulation): design flow and capacity of every conduit.
/// Throws Error(kUnsupported) for a network the router cannot build.
std::vector<ConduitCapacity> rational_design_flows(const Network& net, const DesignStorm& storm,
                                                   const CapacityOptions& options);

/// The whole assessment: rational method, the dynamic-wave run of the storm, the bottleneck
/// what-ifs and the measures (runs in parallel; the numbers do not depend on the thread count).
/// `base_dir` resolves the model's relative file names. Throws Error(kUnsupported) for a model
/// feature not simulated.
CapacityReport assess_capacity(const Network& net, const DesignStorm& storm,
                               const std::vector<Measure>& measures, const CapacityOptions& options,
                               const std::filesystem::path& base_dir = {});

/// CSV texts of the report (docs/drainage.md gives the columns).
std::string format_conduit_capacity_csv(const Network& net, const CapacityReport& report);
std::string format_bottlenecks_csv(const Network& net, const CapacityReport& report);
std::string format_measures_csv(const CapacityReport& report);

} // namespace rencheng::drainage
