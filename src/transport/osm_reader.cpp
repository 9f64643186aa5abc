// OpenStreetMap to a drivable road network: highway ways split at shared nodes, tag defaults by
// class, reduced to the largest strongly connected component.
#include "transport/osm_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <functional>
#include <system_error>
#include <utility>
#include <vector>

#include <osmium/io/any_input.hpp>
#include <osmium/io/reader.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>

#include "core/csr.hpp"
#include "core/units.hpp"

namespace rencheng::transport {

namespace {

// Free speeds are OSRM-like urban defaults; capacities per lane are planning values: HCM 2010
// ch. 11 gives 2,000-2,400 pc/h/lane on freeways (2,000 allows for heavy vehicles), CJJ 37-2012
// gives about 1,800 on urban arterials, 1,600 on secondary and 1,200-1,400 on minor streets;
// residential and service streets with parking and junctions every few tens of metres carry much
// less. The same values as the synthetic generator where the classes meet (docs/transport.md).
constexpr std::array<OsmHighwayClass, 16> kHighwayClasses = {{
    {"motorway", RoadClass::kMotorway, 100.0, 2000.0, 2},
    {"motorway_link", RoadClass::kMotorway, 60.0, 1500.0, 1},
    {"trunk", RoadClass::kMotorway, 80.0, 1900.0, 2},
    {"trunk_link", RoadClass::kMotorway, 50.0, 1500.0, 1},
    {"primary", RoadClass::kArterial, 60.0, 1800.0, 1},
    {"primary_link", RoadClass::kArterial, 40.0, 1500.0, 1},
    {"secondary", RoadClass::kArterial, 50.0, 1600.0, 1},
    {"secondary_link", RoadClass::kArterial, 40.0, 1400.0, 1},
    {"tertiary", RoadClass::kCollector, 40.0, 1200.0, 1},
    {"tertiary_link", RoadClass::kCollector, 30.0, 1200.0, 1},
    {"unclassified", RoadClass::kLocal, 40.0, 1000.0, 1},
    {"residential", RoadClass::kLocal, 30.0, 800.0, 1},
    {"road", RoadClass::kLocal, 30.0, 800.0, 1},
    {"living_street", RoadClass::kLocal, 10.0, 400.0, 1},
    {"service", RoadClass::kLocal, 20.0, 500.0, 1},
    {"busway", RoadClass::kLocal, 30.0, 800.0, 1},
}};

constexpr double kMaxSpeedKmh = 300.0;
constexpr std::int32_t kMaxLanes = 12;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
        s.remove_suffix(1);
    return s;
}

std::string_view tag(const osmium::TagList& tags, const char* key) {
    const char* v = tags.get_value_by_key(key);
    return v == nullptr ? std::string_view{} : std::string_view{v};
}

bool is_no(std::string_view v) {
    return v == "no" || v == "private";
}

bool is_yes(std::string_view v) {
    return v == "yes" || v == "designated" || v == "destination" || v == "permissive" ||
           v == "permit" || v == "customers" || v == "delivery";
}

/// A positive integer lane count, or nullopt.
std::optional<std::int32_t> parse_lanes(std::string_view v) {
    v = trim(v);
    std::int32_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || ptr != v.data() + v.size() || n < 1 || n > kMaxLanes)
        return std::nullopt;
    return n;
}

/// One drivable way as read in the first pass.
struct WayRecord {
    std::int64_t id = 0;
    std::vector<std::int64_t> refs; ///< node ids, in the way's direction of travel
    RoadClass road_class = RoadClass::kLocal;
    double speed_kmh = 0.0;
    double capacity_vehh = 0.0;
    std::int32_t lanes = 1;
    bool oneway = false;
    bool bridge = false;
    bool tunnel = false;
    std::string name;
};

class WayReader {
public:
    WayReader(const std::string& file, Diagnostics& diags) : file_(file), diags_(diags) {}

    /// Reads the tags of `way`; returns false when the way is not a drivable road.
    bool read(const osmium::Way& way, WayRecord& r) {
        const osmium::TagList& tags = way.tags();
        const auto cls = osm_highway_class(tag(tags, "highway"));
        if (!cls)
            return false;
        if (tag(tags, "area") == "yes")
            return false;
        const std::string_view service = tag(tags, "service");
        if (service == "parking_aisle" || service == "driveway" || service == "drive-through" ||
            service == "emergency_access")
            return false;
        // The most specific access tag that is present decides (motorcar > motor_vehicle >
        // vehicle > access).
        for (const char* key : {"motorcar", "motor_vehicle", "vehicle", "access"}) {
            const std::string_view v = tag(tags, key);
            if (v.empty())
                continue;
            if (is_no(v))
                return false;
            if (is_yes(v))
                break;
        }
        r.id = way.id();
        id_ = "way/" + std::to_string(way.id());
        r.road_class = cls->road_class;

        // One-way: explicit tag, else implied by roundabouts and motorways.
        const std::string_view junction = tag(tags, "junction");
        int direction = (junction == "roundabout" || junction == "circular" ||
                         cls->highway == "motorway" || cls->highway == "motorway_link")
                            ? 1
                            : 0;
        const std::string_view ow = trim(tag(tags, "oneway"));
        if (ow == "yes" || ow == "true" || ow == "1") {
            direction = 1;
        } else if (ow == "-1" || ow == "reverse") {
            direction = -1;
        } else if (ow == "no" || ow == "false" || ow == "0") {
            direction = 0;
        } else if (ow == "reversible" || ow == "alternating") {
            // Direction changes with the time of day: no static assignment can use it.
            return false;
        } else if (!ow.empty()) {
            warn("field 'oneway' has value '" + std::string(ow) +
                 "', not yes, no, -1, reversible or alternating; taken as " +
                 (direction == 0 ? "two-way" : "one-way"));
        }
        r.oneway = direction != 0;
        r.refs.clear();
        for (const osmium::NodeRef& ref : way.nodes()) {
            if (r.refs.empty() || r.refs.back() != ref.ref())
                r.refs.push_back(ref.ref());
        }
        if (direction < 0)
            std::reverse(r.refs.begin(), r.refs.end());

        // Free speed: maxspeed in the direction of travel, else the class default.
        r.speed_kmh = cls->speed_kmh;
        const char* speed_key = "maxspeed";
        std::string_view speed_text = tag(tags, "maxspeed");
        if (r.oneway) {
            const char* dir_key = direction > 0 ? "maxspeed:forward" : "maxspeed:backward";
            if (!tag(tags, dir_key).empty()) {
                speed_key = dir_key;
                speed_text = tag(tags, dir_key);
            }
        }
        if (!speed_text.empty()) {
            if (const auto v = parse_osm_maxspeed(speed_text)) {
                r.speed_kmh = *v;
            } else if (speed_text != "none" && speed_text != "signals" &&
                       speed_text != "variable") {
                warn("field '" + std::string(speed_key) + "' has value '" +
                     std::string(speed_text) + "', not a speed; using the class default " +
                     std::to_string(static_cast<int>(cls->speed_kmh)) + " km/h");
            }
        }
        r.speed_kmh = std::round(r.speed_kmh * 1000.0) / 1000.0;

        // Lanes per direction.
        r.lanes = cls->lanes_per_direction;
        auto lanes_of = [&](const char* key) -> std::optional<std::int32_t> {
            const std::string_view v = tag(tags, key);
            if (v.empty())
                return std::nullopt;
            const auto n = parse_lanes(v);
            if (!n)
                warn("field '" + std::string(key) + "' has value '" + std::string(v) +
                     "', not a whole number of lanes from 1 to " + std::to_string(kMaxLanes) +
                     "; ignored");
            return n;
        };
        const auto total = lanes_of("lanes");
        const auto forward = lanes_of(direction < 0 ? "lanes:backward" : "lanes:forward");
        const auto backward = r.oneway ? std::nullopt : lanes_of("lanes:backward");
        if (r.oneway) {
            if (forward)
                r.lanes = *forward;
            else if (total)
                r.lanes = *total;
        } else if (forward && backward) {
            // One value serves both directions: the narrower one bounds the pair.
            r.lanes = std::min(*forward, *backward);
        } else if (total) {
            r.lanes = std::max(1, *total / 2);
        }
        r.capacity_vehh = cls->capacity_per_lane_vehh * r.lanes;

        const std::string_view bridge = tag(tags, "bridge");
        r.bridge = !bridge.empty() && bridge != "no";
        const std::string_view tunnel = tag(tags, "tunnel");
        r.tunnel = !tunnel.empty() && tunnel != "no";
        std::string_view name = tag(tags, "name");
        if (name.empty())
            name = tag(tags, "ref");
        r.name = std::string(name);
        return true;
    }

private:
    void warn(const std::string& message) {
        diags_.warning(ErrorCode::kUnknownValue, file_, 0, 0, id_, id_ + ": " + message);
    }

    const std::string& file_;
    Diagnostics& diags_;
    std::string id_;
};

/// Reads every buffer of `file` holding `entities` and calls `visit` on each object.
template <typename Visit>
void read_entities(const osmium::io::File& file, osmium::osm_entity_bits::type entities,
                   Visit&& visit) {
    osmium::io::Reader reader{file, entities};
    while (osmium::memory::Buffer buffer = reader.read()) {
        for (const osmium::OSMObject& object : buffer.select<osmium::OSMObject>()) {
            visit(object);
        }
    }
    reader.close();
}

/// The reading proper, for a named file or a buffer; throws what libosmium throws.
RoadNetwork import(const std::function<osmium::io::File()>& open, const std::string& file,
                   Diagnostics& diags, OsmImportReport& report, const ClipRegion* clip) {
    // Pass 1: the drivable ways.
    std::vector<WayRecord> ways;
    WayReader way_reader(file, diags);
    read_entities(open(), osmium::osm_entity_bits::way, [&](const osmium::OSMObject& object) {
        if (object.type() != osmium::item_type::way)
            return;
        ++report.ways_read;
        WayRecord r;
        if (way_reader.read(static_cast<const osmium::Way&>(object), r)) {
            if (r.refs.size() >= 2)
                ways.push_back(std::move(r));
        }
    });
    report.ways_drivable = static_cast<std::int64_t>(ways.size());

    // Pass 2: the locations of their nodes.
    std::vector<std::int64_t> ids;
    for (const WayRecord& w : ways)
        ids.insert(ids.end(), w.refs.begin(), w.refs.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<LonLat> where(ids.size());
    std::vector<std::uint8_t> located(ids.size(), 0);
    std::vector<std::uint8_t> outside(ids.size(), 0); // located, but outside the clip region
    auto slot_of = [&](std::int64_t id) -> std::ptrdiff_t {
        const auto it = std::lower_bound(ids.begin(), ids.end(), id);
        return it != ids.end() && *it == id ? it - ids.begin() : -1;
    };
    if (!ids.empty()) {
        read_entities(open(), osmium::osm_entity_bits::node, [&](const osmium::OSMObject& object) {
            if (object.type() != osmium::item_type::node)
                return;
            const auto& node = static_cast<const osmium::Node&>(object);
            const std::ptrdiff_t s = slot_of(node.id());
            if (s < 0)
                return;
            const osmium::Location loc = node.location();
            if (!loc.valid()) {
                diags.warning(ErrorCode::kOutOfRange, file, 0, 0,
                              "node/" + std::to_string(node.id()),
                              "node/" + std::to_string(node.id()) +
                                  ": field 'lon'/'lat' is missing or outside the globe; the "
                                  "node is left out");
                return;
            }
            where[static_cast<std::size_t>(s)] = {loc.lon(), loc.lat()};
            if (clip != nullptr && !clip->contains(where[static_cast<std::size_t>(s)])) {
                outside[static_cast<std::size_t>(s)] = 1;
                ++report.nodes_outside;
                return;
            }
            located[static_cast<std::size_t>(s)] = 1;
        });
    }

    // Graph nodes: way ends (of every located stretch) and nodes used more than once.
    std::vector<std::int32_t> uses(ids.size(), 0);
    std::vector<std::uint8_t> forced(ids.size(), 0);
    std::vector<std::vector<std::ptrdiff_t>> way_slots(ways.size());
    // A node outside the clip region cuts its way like a missing node: the way keeps its
    // inside parts, each ending at its last inside node.
    for (std::size_t w = 0; w < ways.size(); ++w) {
        bool cut = false, clipped = false, inside = false;
        std::vector<std::ptrdiff_t>& slots = way_slots[w];
        for (const std::int64_t ref : ways[w].refs) {
            const std::ptrdiff_t s = slot_of(ref);
            if (located[static_cast<std::size_t>(s)] == 0) {
                (outside[static_cast<std::size_t>(s)] != 0 ? clipped : cut) = true;
                if (!slots.empty() && slots.back() >= 0)
                    forced[static_cast<std::size_t>(slots.back())] = 1;
                slots.push_back(-1);
                continue;
            }
            inside = true;
            if (slots.empty() || slots.back() < 0)
                forced[static_cast<std::size_t>(s)] = 1;
            ++uses[static_cast<std::size_t>(s)];
            slots.push_back(s);
        }
        if (!slots.empty() && slots.back() >= 0)
            forced[static_cast<std::size_t>(slots.back())] = 1;
        if (cut)
            ++report.ways_unlocated;
        if (clipped)
            ++(inside ? report.ways_clipped : report.ways_outside);
    }
    if (report.ways_unlocated > 0) {
        diags.warning(ErrorCode::kUnknownReference, file, 0, 0, "",
                      std::to_string(report.ways_unlocated) +
                          " drivable way(s) refer to nodes missing from the file (an extract's "
                          "edge); they are cut there");
    }

    RoadNetwork all;
    std::vector<std::int32_t> node_of(ids.size(), -1);
    auto graph_node = [&](std::ptrdiff_t s) {
        auto& n = node_of[static_cast<std::size_t>(s)];
        if (n < 0)
            n = all.add_node(std::to_string(ids[static_cast<std::size_t>(s)]),
                             where[static_cast<std::size_t>(s)]);
        return n;
    };
    for (std::size_t w = 0; w < ways.size(); ++w) {
        const WayRecord& r = ways[w];
        const std::vector<std::ptrdiff_t>& slots = way_slots[w];
        int stretch = 0;
        std::int32_t from = -1;
        std::vector<LonLat> geometry;
        for (const std::ptrdiff_t s : slots) {
            if (s < 0) {
                from = -1;
                geometry.clear();
                continue;
            }
            const auto k = static_cast<std::size_t>(s);
            const bool is_graph_node = forced[k] != 0 || uses[k] >= 2;
            geometry.push_back(where[k]);
            if (!is_graph_node)
                continue;
            const std::int32_t node = graph_node(s);
            if (from >= 0) {
                ++stretch;
                // A stretch back to where it started (a loop with no other junction) cannot
                // take anyone anywhere.
                if (node != from) {
                    all.link_id.push_back("w" + std::to_string(r.id) + "-" +
                                          std::to_string(stretch));
                    all.link_from.push_back(from);
                    all.link_to.push_back(node);
                    all.link_class.push_back(r.road_class);
                    all.length_m.push_back(
                        std::max(0.01, std::round(polyline_length_m(geometry) * 100.0) / 100.0));
                    all.free_speed_ms.push_back(r.speed_kmh * units::kKmPerHour);
                    all.capacity_vehh.push_back(r.capacity_vehh);
                    all.lanes.push_back(r.lanes);
                    all.oneway.push_back(r.oneway ? 1 : 0);
                    all.bridge.push_back(r.bridge ? 1 : 0);
                    all.tunnel.push_back(r.tunnel ? 1 : 0);
                    all.link_name.push_back(r.name);
                    all.link_geometry.push_back(geometry);
                    all.link_source_line.push_back(0);
                }
            }
            from = node;
            geometry.assign(1, where[k]);
        }
    }
    all.build_graph();
    report.nodes_before = all.node_count();
    report.links_before = all.link_count();
    if (all.link_count() == 0) {
        diags.error(ErrorCode::kInconsistent, file, 0, 0, "",
                    clip != nullptr
                        ? "no drivable road inside the clip region: no way with a drivable "
                          "highway tag has two consecutive nodes inside it"
                        : "no drivable road: the file has no way with a drivable highway tag "
                          "(motorway … residential, service) whose nodes are in the file");
        return RoadNetwork{};
    }

    // The largest strongly connected component (the lowest-numbered one among equals).
    std::int32_t count = 0;
    const std::vector<std::int32_t> comp = strongly_connected_components(all.graph, count);
    report.components = count;
    std::vector<std::int32_t> size(static_cast<std::size_t>(count), 0);
    for (const std::int32_t c : comp)
        ++size[static_cast<std::size_t>(c)];
    const auto keep =
        static_cast<std::int32_t>(std::max_element(size.begin(), size.end()) - size.begin());
    RoadNetwork net;
    std::vector<std::int32_t> new_index(static_cast<std::size_t>(all.node_count()), -1);
    for (std::int32_t v = 0; v < all.node_count(); ++v) {
        const auto k = static_cast<std::size_t>(v);
        if (comp[k] == keep)
            new_index[k] = net.add_node(all.node_id[k], all.node_position[k]);
    }
    for (std::int32_t l = 0; l < all.link_count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const std::int32_t a = new_index[static_cast<std::size_t>(all.link_from[k])];
        const std::int32_t b = new_index[static_cast<std::size_t>(all.link_to[k])];
        if (a < 0 || b < 0)
            continue;
        net.link_id.push_back(std::move(all.link_id[k]));
        net.link_from.push_back(a);
        net.link_to.push_back(b);
        net.link_class.push_back(all.link_class[k]);
        net.length_m.push_back(all.length_m[k]);
        net.free_speed_ms.push_back(all.free_speed_ms[k]);
        net.capacity_vehh.push_back(all.capacity_vehh[k]);
        net.lanes.push_back(all.lanes[k]);
        net.oneway.push_back(all.oneway[k]);
        net.bridge.push_back(all.bridge[k]);
        net.tunnel.push_back(all.tunnel[k]);
        net.link_name.push_back(std::move(all.link_name[k]));
        net.link_geometry.push_back(std::move(all.link_geometry[k]));
        net.link_source_line.push_back(0);
    }
    net.build_graph();
    report.nodes_dropped = all.node_count() - net.node_count();
    report.links_dropped = all.link_count() - net.link_count();
    if (report.nodes_dropped > 0) {
        diags.add({Severity::kNote, ErrorCode::kInconsistent, file, 0, 0, "",
                   "kept the largest strongly connected part: " + std::to_string(net.node_count()) +
                       " nodes, " + std::to_string(net.link_count()) + " links; dropped " +
                       std::to_string(report.nodes_dropped) + " nodes and " +
                       std::to_string(report.links_dropped) + " links in " +
                       std::to_string(count - 1) + " other component(s)"});
    }
    return net;
}

/// Runs `import` and turns what libosmium throws into diagnostics naming the file.
RoadNetwork import_guarded(const std::function<osmium::io::File()>& open, const std::string& file,
                           Diagnostics& diags, OsmImportReport* report, const ClipRegion* clip) {
    OsmImportReport local;
    OsmImportReport& rep = report != nullptr ? *report : local;
    rep = OsmImportReport{};
    try {
        return import(open, file, diags, rep, clip);
    } catch (const osmium::xml_error& e) {
        diags.error(ErrorCode::kFileUnreadable, file, static_cast<int>(e.line),
                    static_cast<int>(e.column), "", "not valid OSM XML: " + e.error_string);
    } catch (const std::system_error& e) {
        diags.error(ErrorCode::kFileUnreadable, file, 0, 0, "",
                    std::string("cannot read the file: ") + e.what());
    } catch (const std::exception& e) {
        // osmium::pbf_error, io_error, format_version_error, gzip_error, bzip2_error, …
        diags.error(ErrorCode::kFileUnreadable, file, 0, 0, "",
                    std::string("not a readable OSM file: ") + e.what());
    }
    return RoadNetwork{};
}

} // namespace

std::optional<OsmHighwayClass> osm_highway_class(std::string_view highway) {
    for (const OsmHighwayClass& c : kHighwayClasses) {
        if (c.highway == highway)
            return c;
    }
    return std::nullopt;
}

std::optional<double> parse_osm_maxspeed(std::string_view value) {
    const std::string_view v = trim(value);
    if (v == "walk")
        return 6.0;
    // Implicit limits "XX:urban", "XX:zone30", "XX:zone:30" (country code first).
    if (const auto colon = v.find(':'); colon != std::string_view::npos && colon > 0 &&
                                        !std::isdigit(static_cast<unsigned char>(v.front()))) {
        std::string_view kind = v.substr(colon + 1);
        if (kind == "urban")
            return 50.0;
        if (kind == "rural" || kind == "trunk")
            return 80.0;
        if (kind == "motorway")
            return 120.0;
        if (kind == "living_street")
            return 20.0;
        if (kind.starts_with("zone")) {
            kind.remove_prefix(4);
            if (!kind.empty() && kind.front() == ':')
                kind.remove_prefix(1);
            return parse_osm_maxspeed(kind);
        }
        return std::nullopt;
    }
    double number = 0.0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
    if (ec != std::errc{} || !std::isfinite(number))
        return std::nullopt;
    const std::string_view unit = trim(v.substr(static_cast<std::size_t>(ptr - v.data())));
    double kmh = number;
    if (unit == "mph")
        kmh = number * 1.609344;
    else if (unit == "knots")
        kmh = number * 1.852;
    else if (!unit.empty() && unit != "km/h" && unit != "kmh" && unit != "kph")
        return std::nullopt;
    if (kmh <= 0.0 || kmh > kMaxSpeedKmh)
        return std::nullopt;
    return kmh;
}

RoadNetwork read_osm(const std::filesystem::path& path, Diagnostics& diags, OsmImportReport* report,
                     const ClipRegion* clip) {
    const std::string file = path.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        diags.error(ErrorCode::kFileNotFound, file, 0, 0, "", "no such file");
        return RoadNetwork{};
    }
    return import_guarded([&] { return osmium::io::File{file}; }, file, diags, report, clip);
}

RoadNetwork parse_osm_xml(std::string_view text, const std::string& file, Diagnostics& diags,
                          OsmImportReport* report, const ClipRegion* clip) {
    return import_guarded(
        [&] {
            return osmium::io::File{text.data(), text.size(), "osm"};
        },
        file, diags, report, clip);
}

} // namespace rencheng::transport
