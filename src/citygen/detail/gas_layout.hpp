// Internal stage of the generator: the city gas network (gas_gen.cpp, docs/generate.md "The gas
// network").
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "citygen/detail/layout.hpp"
#include "citygen/detail/plan.hpp"
#include "gas/network.hpp"
#include "model/city.hpp"

namespace rencheng::citygen::detail {

/// RNG stream of the gas network (valve placement, regulator choice). A number of its own, well
/// clear of plan.hpp's, so that gas draws never shift another stage's.
inline constexpr std::uint32_t kStreamGas = 41;

/// The gas network and which customer node serves each zone and facility.
struct GasLayout {
    gas::Network network;
    /// (consumer asset "zone:<id>" or "facility:<id>", customer node id).
    std::vector<std::pair<std::string, std::string>> customers;
};

/// Lays out the gas network (docs/generate.md "The gas network"): one or two gate stations at
/// the city edge feeding a sub-high pressure ring, ring regulator stations into a medium
/// pressure network under the arterials and collectors, district regulators into low pressure
/// mains under the local streets, one residential customer per zone, commercial customers for
/// schools, critical customers for hospitals, and isolation valves (stream kStreamGas).
GasLayout make_gas(const CityPlan& plan, const RoadLayout& roads,
                   const std::vector<model::PopulationZone>& zones,
                   const std::vector<model::Facility>& facilities);

} // namespace rencheng::citygen::detail
