// Writer of solver results in the long CSV form `time_s,type,id,quantity,value` (DESIGN.md §5).
#pragma once

#include <filesystem>
#include <string>

#include "water/eps.hpp"
#include "water/network.hpp"

namespace rencheng::water {

/// The results as long CSV text: per reporting time, `node` rows `head_m`, `pressure_m`,
/// `demand_m3s` (tanks also `level_m`, water depth above the bottom) and `link` rows `flow_m3s`,
/// `velocity_ms` (0 for pumps and closed links), `status` (1 open or active, 0 closed), values in
/// shortest round-trip form; ids quoted as RFC 4180 requires.
std::string format_results_csv(const Network& net, const EpsResult& result);

/// Writes format_results_csv() to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const EpsResult& result);

} // namespace rencheng::water
