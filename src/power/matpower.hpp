// MATPOWER case files (.m, format version 2): read into a power::Network and write one back.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "power/network.hpp"

namespace rencheng::power {

/// Reads a MATPOWER version 2 case file: `function mpc = name`, `mpc.version`, `mpc.baseMVA`,
/// `mpc.bus`, `mpc.gen`, `mpc.branch`, `mpc.gencost`, `mpc.bus_name`; any other `mpc.<field>`
/// assignment is kept verbatim (see docs/power.md). The file is tokenized as the MATLAB subset case
/// files use: `%` and `#` comments, `%{ ... %}` blocks, `...` continuations, matrices with rows
/// ended by `;` or a new line, cell arrays of quoted strings. Every problem goes to `diags` with
/// file, line, column, the element (bus number, gen or branch row) and the MATPOWER column name;
/// the reader never throws on bad input. When `diags` has errors the network is incomplete and
/// must not be solved. Throws Error(kFileNotFound / kFileUnreadable) when the file cannot be read.
Network read_matpower(const std::filesystem::path& path, Diagnostics& diags);

/// Same, from text in memory; `file` names it in diagnostics. For tests and fuzzing.
Network parse_matpower(std::string_view text, const std::string& file, Diagnostics& diags);

/// The network as MATPOWER case text (version 2) in MATPOWER's units (MW, MVAr, degrees), so that
/// parse_matpower() of the text gives the same network (values equal to within the rounding of the
/// per-unit conversion, 15 significant digits).
std::string format_matpower(const Network& net);

/// Writes format_matpower(net) to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_matpower(const std::filesystem::path& path, const Network& net);

} // namespace rencheng::power
