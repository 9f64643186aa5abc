// Reader of GasLib XML networks (.net) and nomination scenarios (.scn) (Schmidt et al. 2017,
// "GasLib — A Library of Gas Network Instances", Data 2(4):40; format: gaslib.zib.de).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "gas/network.hpp"

namespace rencheng::gas {

/// Parses the text of a GasLib `.net` file named `file` (for messages). Sources, sinks and
/// innodes become kSource, kCustomer and kJunction nodes; pipe, shortPipe, resistor, valve
/// (open), controlValve (regulator) and compressorStation connections keep their ids; units
/// are converted to SI (flows 1000 m³/h at normal conditions → m³/s; bar → Pa; barg adds
/// 1.01325 bar). Gas properties come from the first source; Z is Papay's at the mean of the
/// nodes' pressure bounds (docs/gas.md). Every problem is collected with its line; throws
/// Error(kXmlSyntax / kMissingKey / kNumberSyntax / kUnknownValue / kUnknownReference /
/// kDuplicateId, diagnostics) when there is any.
Network parse_gaslib_net(std::string_view text, const std::string& file);
/// Reads `path` and parses it; throws Error(kFileNotFound / kFileUnreadable) when unreadable.
Network read_gaslib_net(const std::filesystem::path& path);

/// Applies a GasLib `.scn` nomination: each `<node type="entry|exit">` sets the node's demand to
/// its nominated flow (−flow for entries; the lower and upper bound must be equal) and
/// intersects its pressure bounds with the scenario's. Other scenario elements (e.g. a pipe's
/// soil temperature) do not concern isothermal steady flow and are ignored. Throws like
/// parse_gaslib_net (kUnknownReference for an id the network lacks).
void apply_gaslib_scenario(Network& net, std::string_view text, const std::string& file);
void read_gaslib_scenario(Network& net, const std::filesystem::path& path);

} // namespace rencheng::gas
