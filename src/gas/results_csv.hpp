// Writer of gas steady-state results in the long CSV form `time_s,type,id,quantity,value`
// shared by every lifeline (DESIGN.md §5).
#pragma once

#include <filesystem>
#include <string>

#include "gas/network.hpp"
#include "gas/steady_state.hpp"

namespace rencheng::gas {

/// The results as long CSV text at time 0: `node` rows `pressure_pa` (absolute) and
/// `injection_m3s` (sources only), `link` rows `flow_m3s` (normal m³/s, + from → to) per
/// connection id. Values of components that were not solved (NaN) are left out. Values in
/// shortest round-trip form; ids quoted as RFC 4180 requires.
std::string format_results_csv(const Network& net, const SteadyStateResult& result);

/// Writes format_results_csv() to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const SteadyStateResult& result);

} // namespace rencheng::gas
