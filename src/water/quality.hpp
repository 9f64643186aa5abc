// Water quality: water age, source trace and a reactive chemical, transported with the
// Lagrangian time-driven scheme of EPANET 2.2 (Rossman & Boulos 1996; EPANET 2.2 manual,
// "Water Quality" in Analysis Algorithms) over an extended-period hydraulic simulation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "water/eps.hpp"
#include "water/network.hpp"

namespace rencheng::water {

enum class QualityKind : std::uint8_t { kNone, kChemical, kAge, kTrace };
/// "none", "chemical", "age", "trace".
std::string_view quality_kind_name(QualityKind k);

/// What the network's [OPTIONS] QUALITY line asks for.
struct QualityModel {
    QualityKind kind = QualityKind::kNone;
    std::string chemical_name; ///< e.g. "Chlorine"; empty for age and trace
    std::string units;         ///< "mg/L", "ug/L", "hrs" (age) or "%" (trace)
    NodeIndex trace_node;      ///< the node traced (kTrace)
};

/// Reads the QUALITY option: NONE, CHEMICAL [name] [units], AGE, TRACE node, or a chemical name
/// followed by its units (EPANET accepts any other word as the chemical's name). Throws
/// Error(kUnknownValue) when TRACE names no node of `net` or the units are not mg/L or ug/L.
QualityModel quality_model(const Network& net);

struct QualityOptions {
    /// Replaces the network's QUALITY option when set.
    std::optional<QualityModel> model;
    /// Quality time step, s; 0: the network's QUALITY TIMESTEP (default: hydraulic step / 10),
    /// never longer than the hydraulic step.
    Seconds quality_step = 0;
};

/// Constituent mass balance over the run (EPANET's report section "Water Quality Mass
/// Balance"). Mass is in the quality unit times m³ (mg/L·m³ = g for mg/L; hours·m³ for age).
struct QualityMassBalance {
    double initial = 0; ///< stored in pipes and tanks at the start
    double inflow = 0;  ///< added by sources and reservoirs
    double outflow = 0; ///< left with demands, into reservoirs and over tank overflows
    double reacted = 0; ///< lost to reactions (negative: produced; age grows this way)
    double final = 0;   ///< stored at the end
    /// (outflow + final + max(reacted, 0)) / (initial + inflow − min(reacted, 0)); 1 is exact.
    double ratio = 1;
};

/// Quality at one reporting time: per node (tanks: the tank's outflow quality) and per link
/// (the volume-weighted mean of its segments), in the model's units.
struct QualitySnapshot {
    Seconds time_s = 0;
    std::vector<double> node;
    std::vector<double> link;
};

struct QualityResult {
    QualityModel model;
    EpsResult hydraulics;                 ///< the hydraulic simulation the quality rode on
    std::vector<QualitySnapshot> reports; ///< at the hydraulic reporting times
    QualityMassBalance mass_balance;
    std::int64_t max_segments = 0; ///< the largest number of segments alive at once
};

/// Runs the extended-period hydraulics (simulate_eps with `eps`; its before_solve hook is kept
/// and called) and transports the constituent through it:
/// - every hydraulic period is split into quality steps; each step first reacts the contents of
///   pipes (bulk order n with a limiting potential, wall order 0 or 1 limited by mass transfer
///   through the Sherwood number) and tanks, then visits the nodes in topological order of the
///   flow, mixing the segments that arrive at a node completely and instantaneously and
///   releasing the mixture into the outflow links as a new segment (merged with the last one
///   when within the quality tolerance);
/// - tanks mix as their [MIXING] model says (MIXED, 2COMP, FIFO, LIFO);
/// - sources (CONCEN, MASS, SETPOINT, FLOWPACED) follow their patterns;
/// - age grows by the time step in pipes and tanks; the traced node carries 100 %.
/// Never throws for a hydraulic failure (the hydraulics' own flag says so); throws what
/// quality_model() throws.
QualityResult simulate_quality(const Network& net, const HydraulicTopology& topo,
                               const EpsOptions& eps, const QualityOptions& options = {});

} // namespace rencheng::water
