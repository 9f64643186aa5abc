// Small builders of city elements shared by the stress-test table tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/geo.hpp"
#include "model/city.hpp"

namespace rencheng::sim::testing {

inline model::Facility facility(const std::string& id, model::FacilityKind kind, LonLat p) {
    model::Facility f;
    f.id = id;
    f.kind = kind;
    f.name = id;
    f.position = p;
    return f;
}

inline model::PopulationZone zone(const std::string& id, std::int64_t pop, LonLat p,
                                  const std::string& district = "D") {
    model::PopulationZone z;
    z.id = id;
    z.population = pop;
    z.centroid = p;
    z.district = district;
    return z;
}

inline model::Dependency dep(const std::string& c, model::Service s, const std::string& p,
                             double backup_h = 0, std::optional<double> threshold = std::nullopt) {
    model::Dependency d;
    d.consumer = c;
    d.service = s;
    d.provider = p;
    d.backup_hours = backup_h;
    d.threshold = threshold;
    return d;
}

} // namespace rencheng::sim::testing
