// Writers for the bundle's own files (the generator uses them; readers are in city.cpp & co).
#pragma once

#include <string>
#include <vector>

#include "model/city.hpp"

namespace rencheng::model {

/// facilities.geojson: one Point feature per facility, one feature per line, 7 decimals.
std::string format_facilities_geojson(const std::vector<Facility>& facilities);
/// population.geojson: one Polygon (or Point) feature per zone.
std::string format_population_geojson(const std::vector<PopulationZone>& zones);
/// dependencies.csv with its header consumer,service,provider,backup_hours,threshold.
std::string format_dependencies_csv(const std::vector<Dependency>& deps);
/// water_valves.csv with its header valve,link,node.
std::string format_water_valves_csv(const std::vector<IsolationValve>& valves);
/// power_buses.csv with its header bus,lon,lat,kind,name (positions with 7 decimals).
std::string format_power_buses_csv(const std::vector<PowerBusInfo>& buses);
/// power_switches.csv with its header switch,branch,normally_open,kind.
std::string format_power_switches_csv(const std::vector<PowerSwitch>& switches);
/// city.toml naming the city and its files. `generator_comment` lines are written as a leading
/// comment block (e.g. how the city was generated); may be empty.
std::string format_city_toml(const CityInfo& info, const BundleFiles& files,
                             const std::string& generator_comment);

} // namespace rencheng::model
