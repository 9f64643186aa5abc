// Reader and writer of the city gas network GeoJSON format (docs/gas.md "GeoJSON network").
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "gas/network.hpp"

namespace rencheng::gas {

/// Parses a gas network FeatureCollection: Point features are nodes, LineString features are
/// connections (keys, units and defaults in docs/gas.md); an optional top-level "gas" object
/// sets the gas properties and the flow equation. Every problem is collected with file, line and
/// element id; throws Error(first code, diagnostics) when there is any.
Network parse_gas_geojson(std::string_view text, const std::string& file);
Network read_gas_geojson(const std::filesystem::path& path);

/// The network as GeoJSON text that parse_gas_geojson() reads back to the same network
/// (coordinates to 7 decimals, numbers in shortest round-trip form). Nodes need lon/lat; a
/// connection without vertices is drawn from its from-node to its to-node.
std::string format_gas_geojson(const Network& net);
/// Writes format_gas_geojson() atomically. Throws Error(kWriteFailed).
void write_gas_geojson(const std::filesystem::path& path, const Network& net);

} // namespace rencheng::gas
