// The generated city's roads as TNTP files: zones as centroids, a gravity-model trip table.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "citygen/citygen.hpp"
#include "citygen/detail/layout.hpp"
#include "citygen/detail/plan.hpp"
#include "core/units.hpp"
#include "transport/shortest_path.hpp"

namespace rencheng::citygen {

namespace {

// Peak-hour vehicle trips per resident: about 2.2 trips per person a day in Chinese cities,
// 30 % of them by car or taxi, 10 % of the day's trips in the peak hour, 1.3 people per car
// (2.2 x 0.30 x 0.10 / 1.3 = 0.051); docs/generate.md "Roads as TNTP".
constexpr double kPeakTripsPerResident = 0.05;
// Exponential deterrence exp(-beta t) with t the free-flow time in minutes: a mean car trip of
// about 10-15 minutes in a city of a few hundred thousand (Ortuzar & Willumsen, Modelling
// Transport, 4th ed., §5.2 for the form).
constexpr double kGravityBetaPerMin = 0.1;
// Centroid connectors: the walk or drive inside the block to its nearest road node, at a block
// street's speed, never congested (b = 0) and never binding.
constexpr double kConnectorSpeedKmh = 20.0;
constexpr double kConnectorCapacityVehh = 100000.0;
// BPR parameters of the roads (Bureau of Public Roads 1964).
constexpr double kBprB = 0.15;
constexpr double kBprPower = 4.0;

int link_type(transport::RoadClass c) {
    switch (c) {
    case transport::RoadClass::kMotorway:
        return 1;
    case transport::RoadClass::kArterial:
        return 2;
    case transport::RoadClass::kCollector:
        return 3;
    case transport::RoadClass::kLocal:
        return 4;
    }
    return 4;
}

} // namespace

LonLat streets_centre(const transport::RoadNetwork& streets) {
    if (streets.node_position.empty()) {
        return {};
    }
    BoundingBox b{streets.node_position[0].lon, streets.node_position[0].lat,
                  streets.node_position[0].lon, streets.node_position[0].lat};
    for (const LonLat& p : streets.node_position) {
        b.min_lon = std::min(b.min_lon, p.lon);
        b.min_lat = std::min(b.min_lat, p.lat);
        b.max_lon = std::max(b.max_lon, p.lon);
        b.max_lat = std::max(b.max_lat, p.lat);
    }
    return {std::round(0.5 * (b.min_lon + b.max_lon) * 1e6) / 1e6,
            std::round(0.5 * (b.min_lat + b.max_lat) * 1e6) / 1e6};
}

std::string tntp_file_stem(const std::string& city_name) {
    std::string out;
    for (const char c : city_name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80 && std::isalnum(u) != 0) {
            out += static_cast<char>(std::tolower(u));
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') {
        out.pop_back();
    }
    return out.empty() ? std::string("city") : out;
}

CityTntp make_city_tntp(const model::City& city) {
    const transport::RoadNetwork& roads = *city.roads;
    const auto zone_count = static_cast<std::int32_t>(city.zones.size());
    CityTntp out;
    transport::AssignmentNetwork& net = out.net;
    net.zone_count = zone_count;
    net.node_count = zone_count + roads.node_count();
    net.first_thru_node = zone_count + 1;

    // Roads: one link per arc, in the road network's arc order of links.
    for (std::int32_t l = 0; l < roads.link_count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const double length_km = roads.length_m[k] / 1000.0;
        const double minutes = roads.length_m[k] / roads.free_speed_ms[k] / 60.0;
        const double speed_kmh = roads.free_speed_ms[k] / units::kKmPerHour;
        auto add = [&](std::int32_t from, std::int32_t to) {
            net.add_link(zone_count + from, zone_count + to, roads.capacity_vehh[k], length_km,
                         minutes, kBprB, kBprPower);
            net.speed.back() = speed_kmh;
            net.link_type.back() = link_type(roads.link_class[k]);
        };
        add(roads.link_from[k], roads.link_to[k]);
        if (roads.oneway[k] == 0) {
            add(roads.link_to[k], roads.link_from[k]);
        }
    }
    // Connectors: each zone to and from its nearest road node (as the road-access dependency).
    const BoundingBox& e = city.info.extent;
    const detail::LocalFrame frame({0.5 * (e.min_lon + e.max_lon), 0.5 * (e.min_lat + e.max_lat)});
    std::vector<Xy> node_xy;
    for (const LonLat& p : roads.node_position) {
        node_xy.push_back(frame.to_xy(p));
    }
    const detail::NearestIndex nearest(node_xy, 250.0);
    for (std::int32_t z = 0; z < zone_count; ++z) {
        const LonLat c = city.zones[static_cast<std::size_t>(z)].centroid;
        const std::int32_t v = nearest.nearest(frame.to_xy(c));
        const double km = haversine_m(c, roads.node_position[static_cast<std::size_t>(v)]) / 1000.0;
        const double minutes = km / kConnectorSpeedKmh * 60.0;
        for (const bool out_bound : {true, false}) {
            const std::int32_t a = out_bound ? z : zone_count + v;
            const std::int32_t b = out_bound ? zone_count + v : z;
            net.add_link(a, b, kConnectorCapacityVehh, km, minutes, 0.0, kBprPower);
            net.speed.back() = kConnectorSpeedKmh;
            net.link_type.back() = 0;
        }
    }
    net.build_graph();

    // Production-constrained gravity model on free-flow times (docs/generate.md):
    // T_ij = O_i A_j exp(-beta t_ij) / sum_k A_k exp(-beta t_ik) over j != i reachable, with
    // O_i = trips per resident x residents of i and A_j the residents of j.
    std::vector<std::int32_t> origins;
    std::vector<std::int32_t> destinations;
    std::vector<double> demands;
    transport::ShortestPathTree tree;
    transport::ShortestPathWorkspace workspace;
    std::vector<double> w(static_cast<std::size_t>(zone_count), 0.0);
    for (std::int32_t o = 0; o < zone_count; ++o) {
        const double produced =
            kPeakTripsPerResident *
            static_cast<double>(city.zones[static_cast<std::size_t>(o)].population);
        if (produced <= 0.0) {
            continue;
        }
        transport::shortest_paths(net, o, net.free_flow_time, {}, tree, workspace);
        double sum = 0.0;
        for (std::int32_t d = 0; d < zone_count; ++d) {
            const auto k = static_cast<std::size_t>(d);
            const double t = tree.dist[k];
            w[k] = (d == o || !std::isfinite(t)) ? 0.0
                                                 : static_cast<double>(city.zones[k].population) *
                                                       std::exp(-kGravityBetaPerMin * t);
            sum += w[k];
        }
        if (sum <= 0.0) {
            continue;
        }
        for (std::int32_t d = 0; d < zone_count; ++d) {
            // Rounded to 1e-4 veh/h so that the file stays readable; smaller flows are dropped.
            const double q =
                std::round(produced * w[static_cast<std::size_t>(d)] / sum * 1e4) / 1e4;
            if (q > 0.0) {
                origins.push_back(o);
                destinations.push_back(d);
                demands.push_back(q);
            }
        }
    }
    out.trips = transport::TripTable::from_entries(zone_count, std::move(origins),
                                                   std::move(destinations), std::move(demands));

    // Node file: zones at their centroids, then the road nodes.
    std::string& s = out.nodes_text;
    s = "Node\tX\tY\t;\n";
    char buf[96];
    auto node_line = [&](std::int32_t n, LonLat p) {
        std::snprintf(buf, sizeof buf, "%d\t%.7f\t%.7f\t;\n", n, p.lon, p.lat);
        s += buf;
    };
    for (std::int32_t z = 0; z < zone_count; ++z) {
        node_line(z + 1, city.zones[static_cast<std::size_t>(z)].centroid);
    }
    for (std::int32_t v = 0; v < roads.node_count(); ++v) {
        node_line(zone_count + v + 1, roads.node_position[static_cast<std::size_t>(v)]);
    }
    return out;
}

} // namespace rencheng::citygen
