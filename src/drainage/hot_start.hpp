// SWMM 5.2's hot start files ([FILES] SAVE HOTSTART / USE HOTSTART; User's Manual, Interface
// Files): the state of a model at the end of one run, to start another from it instead of from
// the initial depths. A binary file: the stamp "SWMM5-HOTSTART4" (older files "…3", "…2" or
// "SWMM5-HOTSTART"), the numbers of subcatchments, land uses, nodes, links and pollutants and the
// flow units code as 4-byte integers (version 1 lacks the first two, version 2 the land uses);
// then per subcatchment (version 3 on) eight-byte doubles: the three sub-areas' ponded depths,
// the runoff, six values of infiltration state, four of groundwater state where it has an
// aquifer, fifteen of snow where it has a snow pack, and with pollutants their runoff and ponded
// concentrations, per land use its buildup of each pollutant and when it was last swept; then per
// node four-byte floats: depth, lateral inflow, a storage unit's residence time (version 4), the
// pollutants' concentrations; per link flow, depth, setting and the concentrations. Version 2
// keeps each subcatchment's groundwater moisture and water table first, as floats. Values are in
// SWMM's internal units (ft, cfs, s; buildup in lbs in US models, kg in SI ones, counts for #/L
// pollutants; ponded pollutant mass in mg, µg or counts; concentrations per litre), whatever the
// model's flow units; objects in SWMM's order (the order of their lines in the model's file).
// SWMM 5.2.4's writer (hotstart.c saveRunoff) puts out as many doubles for each buildup as there
// are pollutants, the buildup first, while its reader takes one: with two or more pollutants and a
// land use SWMM misreads its own file. Such a file is read here as written; RenCheng writes the
// layout SWMM's reader takes (the same bytes as SWMM's file with one pollutant). SI inside.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace rencheng::drainage {

struct Network;

/// One model's state as a hot start file holds it, in the network's numbering and SI.
struct HotStart {
    /// A subcatchment's runoff state (present from version 3 on).
    struct Subcatchment {
        std::array<double, 3> depth_m{}; ///< ponded depth of each sub-area (SWMM's order)
        double runoff_m3s = 0;           ///< outflow at the end of the last runoff step
        /// The infiltration state of InfiltrationState::state() (units per model, SI).
        std::array<double, 6> infiltration{};
        bool has_groundwater = false; ///< the model gives the subcatchment an aquifer
        /// GroundwaterState::state(): moisture, water table (m), flow (m/s), infiltration room
        /// (m; NaN when the file does not say).
        std::array<double, 4> groundwater{};
        bool has_snow = false; ///< the subcatchment names a snow pack
        /// SnowPack::state() of the plowable, impervious and pervious surfaces in turn: snow and
        /// free water depth, cold content (m), antecedent temperature index (°C) and the
        /// relative depth where the last snowfall's depletion line starts.
        std::array<double, 15> snow{};
        /// Water quality, where the model has pollutants (else empty): per pollutant the
        /// runoff's concentration (the pollutant's units per litre) and the mass in ponded water
        /// (its units: mg, µg, counts); per land use and pollutant the buildup (kg, counts for
        /// #/L pollutants; `[land use * pollutants + p]`) and per land use when it was last
        /// swept (SWMM's date-time: days since 30 December 1899).
        std::vector<double> runoff_concentration, ponded_mass, buildup_kg, last_swept_day;
    };

    int version = 4;
    bool has_runoff = false; ///< version 3 or 4: subcatchments' state present
    std::vector<Subcatchment> subcatchments;
    std::vector<double> node_depth_m, node_lateral_m3s;
    std::vector<double> link_flow_m3s, link_depth_m, link_setting;
    /// The model's pollutants (as [POLLUTANTS] lists them) and their concentrations at each node
    /// and link, the pollutant's units per litre, `[element * pollutants + p]` (empty: none).
    std::size_t pollutants = 0;
    std::vector<double> node_quality, link_quality;
    /// Hydraulic residence time of each node's water, s (storage units; 0 elsewhere, version 4).
    std::vector<double> node_residence_s;

    /// Reads `path`; the network must have the counts the file was written for (subcatchments,
    /// land uses, nodes, links, pollutants) and the same flow units, as SWMM requires.
    /// Throws rencheng::Error naming the file and what is wrong: a missing or unknown stamp, a
    /// count that differs (pollutants included), a file that ends early or holds a value that is
    /// not a number.
    static HotStart read_file(const Network& net, const std::filesystem::path& path);
    /// Same, from the file's bytes; `file` names it in errors.
    static HotStart read_bytes(const Network& net, const std::string& bytes,
                               const std::string& file);

    /// The bytes of a version-4 file of this state, as SWMM 5.2 writes one for `net` (one value
    /// per buildup, as SWMM reads them); water quality values this state lacks are zeros.
    [[nodiscard]] std::string to_bytes(const Network& net) const;
    /// Writes to_bytes() to `path` (a temporary file, then renamed).
    void write_file(const Network& net, const std::filesystem::path& path) const;
};

} // namespace rencheng::drainage
