// EPANET 2.2 input files (.inp): read into a water::Network and write one back.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "water/network.hpp"

namespace rencheng::water {

/// Reads an EPANET 2.2 .inp file (and the EPANET 2.3 additions CMS, [LEAKAGE], PCV valves).
/// Every section is read and kept (see docs/water.md for what is converted and how). Values are
/// converted to SI on the way in, using the flow unit and pressure unit of [OPTIONS]. Every problem
/// of the input goes to `diags` with file, line, column, element id and the offending line; the
/// reader never throws on bad input. When `diags` has errors the network is incomplete and must not
/// be simulated. Throws Error(kFileNotFound / kFileUnreadable) when the file cannot be read.
Network read_inp(const std::filesystem::path& path, Diagnostics& diags);

/// Same, from text already in memory; `file` names it in diagnostics. For tests and fuzzing.
Network parse_inp(std::string_view text, const std::string& file, Diagnostics& diags);

/// Writes the network as an EPANET .inp text in the units it was read in (`options.flow_units`,
/// `options.pressure_units`), with every number in shortest round-trip form, so that reading the
/// text back gives the same network (values equal to within a few ulps of the unit conversion).
std::string format_inp(const Network& net);

/// Writes format_inp(net) to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_inp(const std::filesystem::path& path, const Network& net);

} // namespace rencheng::water
