// The typhoon hazard in the stress test: its track from the scenario, the city's centre it is
// measured against, and its storm surge as the stage boundary of the drainage outfalls
// (docs/scenario.md "Typhoon").
#pragma once

#include <cstdint>

#include "core/geo.hpp"
#include "drainage/network.hpp"
#include "hazard/typhoon.hpp"
#include "model/city.hpp"
#include "sim/scenario.hpp"

namespace rencheng::sim {

/// The typhoon's track: its inline fixes or its track CSV. Throws Error with the CSV's
/// diagnostics (file, line, column) when the file is bad.
hazard::TyphoonTrack typhoon_track(const HazardSpec& hz);

/// The point a typhoon's landfall is measured against: the population-weighted centroid of the
/// zones, else the centre of the city's extent.
LonLat city_centre(const model::City& city);

/// Gives the outfalls of `net` (those of [hazard.surge].outfalls, or all) a TIMESERIES stage
/// boundary: their normal stage plus the surge (hydrograph from `landfall_s`, or the series
/// CSV), sampled every `step_s` over [0, horizon_s]. The normal stage is
/// [hazard.surge].normal_stage_m, else a FIXED outfall's stage, else the outfall's invert.
/// Returns the highest stage elevation given to any outfall, m. Throws Error for a bad CSV.
double put_surge_at_outfalls(drainage::Network& net, const HazardSpec& hz, std::int64_t landfall_s,
                             std::int64_t horizon_s, std::int64_t step_s);

} // namespace rencheng::sim
