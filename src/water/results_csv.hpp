// Writer of solver results in the long CSV form `time_s,type,id,quantity,value` (DESIGN.md §5).
#pragma once

#include <filesystem>
#include <string>

#include "water/eps.hpp"
#include "water/network.hpp"
#include "water/quality.hpp"

namespace rencheng::water {

/// The results as long CSV text: per reporting time, `node` rows `head_m`, `pressure_m`,
/// `demand_m3s` (tanks also `level_m`, water depth above the bottom; tanks that may overflow also
/// `overflow_m3s`, the spill rate, and at the last reporting time `overflow_volume_m3`, the volume
/// spilled over the whole run) and `link` rows `flow_m3s`,
/// `velocity_ms` (0 for pumps and closed links), `status` (1 open or active, 0 closed), values in
/// shortest round-trip form (-0 as 0); ids quoted as RFC 4180 requires.
std::string format_results_csv(const Network& net, const EpsResult& result);

/// The same with the water quality at each reporting time: `node` and `link` rows named by the
/// kind of analysis — `concentration_mgl` (or `concentration_ugl`), `age_h`, `trace_pct` (link
/// rows: the mean over the link's volume). `quality.hydraulics` supplies the hydraulic rows.
std::string format_results_csv(const Network& net, const QualityResult& quality);

/// The quantity name of a quality result in the long CSV ("" for no analysis).
std::string quality_quantity_name(const QualityModel& model);

/// Writes format_results_csv() to `path` atomically, streamed: the text is handed to the file
/// after each reporting time once about 1 MiB has built up, never held whole. Throws
/// Error(kWriteFailed) on failure.
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const EpsResult& result);
void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const QualityResult& quality);

} // namespace rencheng::water
