// Writer of power flow results in the long CSV form `time_s,type,id,quantity,value`.
#pragma once

#include <filesystem>
#include <string>

#include "power/network.hpp"
#include "power/power_flow.hpp"

namespace rencheng::power {

/// The results as long CSV text (DESIGN.md §5, ../shared/data/REFERENCE.md §1 and §4), time 0:
/// `bus` rows (id: the bus number) `vm_pu`, `va_deg`; `gen` rows (id: the 1-based row of
/// mpc.gen) `p_mw`, `q_mvar`; `branch` rows (id: the 1-based row of mpc.branch) `p_from_mw`,
/// `q_from_mvar`, `p_to_mw`, `q_to_mvar`. A DC result has only `va_deg`, `p_mw`, `p_from_mw` and
/// `p_to_mw`, as MATPOWER's DC model has no magnitudes or reactive power. Values are in shortest
/// round-trip form.
std::string format_results_csv(const Network& net, const PowerFlowResult& result);

/// Writes format_results_csv() to `path` atomically. Throws Error(kWriteFailed) on failure.
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const PowerFlowResult& result);

} // namespace rencheng::power
