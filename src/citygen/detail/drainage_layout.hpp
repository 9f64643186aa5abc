// The storm-drain stage of the generator (drainage_gen.cpp, docs/generate.md "The storm drains").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "citygen/detail/layout.hpp"
#include "citygen/detail/plan.hpp"
#include "drainage/network.hpp"
#include "model/city.hpp"

namespace rencheng::citygen::detail {

/// RNG stream of the storm drains (soil and imperviousness scatter). Its own id, so that the
/// draws of every other stage, and so the bytes of their files, do not change.
inline constexpr std::uint32_t kStreamDrainage = 42;

/// Design choices of the storm drains, in SI (docs/generate.md "The storm drains").
inline constexpr double kDrainManholeSpacing_m = 80.0; ///< longest pipe between two manholes
inline constexpr double kDrainCover_m = 1.0;           ///< soil over the pipe crown
inline constexpr double kDrainInletTime_min = 10.0;    ///< surface inlet time t1 of GB 50014
inline constexpr double kDrainMinVelocity_ms = 0.75;   ///< full-pipe velocity at the least slope
inline constexpr double kDrainMaxVelocity_ms = 5.0;    ///< full-pipe velocity at the most slope
inline constexpr double kDrainStormDuration_s = 3.0 * 3600.0; ///< the gauge's storm
inline constexpr double kDrainStormReturnPeriod_a = 50.0;     ///< the gauge's storm
inline constexpr double kDrainSimulation_s = 6.0 * 3600.0;    ///< END_TIME after the start

/// What the storm drains were designed with, for the summary and the tests.
struct DrainageDesign {
    std::string formula_key;      ///< city of the storm intensity formula (rainfall.hpp)
    double return_period_a = 0.0; ///< design return period of the pipes
    double design_area_ha = 0.0;  ///< total subcatchment area
    double largest_design_flow_m3s = 0.0;
};

/// The storm drains: the SWMM network (read back from the text the stage writes, so it is the
/// network the file holds) and the power each pump station needs.
struct DrainageLayout {
    drainage::Network network;
    /// "drainage_link:<pump>" and the number of the nearest 10 kV load bus that feeds it.
    std::vector<std::pair<std::string, std::int32_t>> pump_buses;
    DrainageDesign design;
};

/// Lays the storm drains under the streets: a manhole at every road node and at most every
/// kDrainManholeSpacing_m along a street, a tree of pipes that runs downhill to outfalls on the
/// river (pumped through a wet well where the pipes reach the river below its normal level),
/// laterals under the streets off the tree, subcatchments from the zones, pipes sized by the
/// rational method. `buses` are the power buses (the pumps take the nearest load_10kv one).
/// Throws Error(kInternal) if the network written does not read back.
DrainageLayout make_drainage(const CityPlan& plan, const RoadLayout& roads,
                             const std::vector<model::PopulationZone>& zones,
                             const std::vector<model::PowerBusInfo>& buses);

/// The storm intensity formula nearest to `centre` among the built-in library's cities
/// (hazard::city_rainfall_formulas), by great-circle distance to each city's centre.
std::string nearest_rainfall_formula_key(LonLat centre);

/// Design return period of the pipes for a city of `population` (GB 50014-2021 asks
/// 3–5 years for the central districts of large cities): 3 years below 1,000,000 residents, 5
/// above.
double drainage_design_return_period_a(std::int64_t population);

} // namespace rencheng::citygen::detail
