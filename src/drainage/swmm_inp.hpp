// EPA SWMM 5.x input files (.inp): read into a drainage::Network and write one back.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {

/// Sections kept row by row without interpretation (RawSection): water quality, LID, street
/// inlets, groundwater, snowmelt, temperature and climate adjustments, event periods and profiles.
inline constexpr std::array<std::string_view, 20> kRawSectionNames = {
    "POLLUTANTS", "LANDUSES",    "COVERAGES",    "BUILDUP",     "WASHOFF",
    "LOADINGS",   "TREATMENT",   "LID_CONTROLS", "LID_USAGE",   "STREETS",
    "INLETS",     "INLET_USAGE", "AQUIFERS",     "GROUNDWATER", "GWF",
    "SNOWPACKS",  "TEMPERATURE", "ADJUSTMENTS",  "EVENTS",      "PROFILES"};

/// Reads an EPA SWMM 5.2 .inp file. Every section SWMM 5.2 knows is read: the hydrologic and
/// hydraulic ones into typed fields converted to SI (see network.hpp and docs/drainage.md), the
/// ones in kRawSectionNames row by row. Object names are resolved after every section is read, so
/// sections may come in any order. Every problem goes to `diags` with file, line, column, element
/// id and the offending line; the reader never throws on bad input. When `diags` has errors the
/// network is incomplete and must not be simulated. Throws Error(kFileNotFound /
/// kFileUnreadable) when the file cannot be read.
Network read_swmm_inp(const std::filesystem::path& path, Diagnostics& diags);

/// Same, from text already in memory; `file` names it in diagnostics. For tests and fuzzing.
Network parse_swmm_inp(std::string_view text, const std::string& file, Diagnostics& diags);

/// The points of the FILE time series `ts` (`ts.file`, relative names from `base_dir`) in SWMM's
/// external time series format — one `[date] time value` a line (time in decimal hours or
/// H:M[:S]; a time without a date counts from the last date given, else from the simulation
/// start), `;` comments — converted to SI by `ts.usage`, as inline points are. Throws
/// rencheng::Error naming the file and line of a bad line, or the file when it cannot be read or
/// holds no points.
TimeSeries read_series_file(const Network& net, const TimeSeries& ts,
                            const std::filesystem::path& base_dir);
/// Same, from the file's text already in memory; `file` names it in errors.
TimeSeries parse_series_file(const Network& net, const TimeSeries& ts, std::string_view text,
                             const std::string& file);

/// Writes the network as a SWMM 5.2 .inp text in the units it was read in
/// (`options.flow_units`), numbers in shortest round-trip form, so that reading it back gives the
/// same network (values equal to within a few ulps of the unit conversions).
std::string format_swmm_inp(const Network& net);

/// Writes format_swmm_inp(net) to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_swmm_inp(const std::filesystem::path& path, const Network& net);

} // namespace rencheng::drainage
