// Writers for the bundle's own files: facilities, population, dependencies, city.toml, terrain.
#include "model/bundle_writer.hpp"

#include <cstdio>
#include <sstream>
#include <string>

#include "core/geojson.hpp"
#include "core/long_csv.hpp"

namespace rencheng::model {

namespace {

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

void file_section(std::string& out, const char* section, const std::string& file) {
    if (file.empty()) {
        return;
    }
    out += "\n[";
    out += section;
    out += "]\n";
    out += "file = " + toml_string(file) + "\n";
}

} // namespace

std::string format_facilities_geojson(const std::vector<Facility>& facilities) {
    std::string out = "{\"type\":\"FeatureCollection\",\"features\":[\n";
    for (std::size_t k = 0; k < facilities.size(); ++k) {
        const Facility& f = facilities[k];
        out += "{\"type\":\"Feature\",\"properties\":{\"id\":";
        append_json_string(out, f.id);
        out += ",\"kind\":\"";
        out += facility_kind_name(f.kind);
        out += "\",\"name\":";
        append_json_string(out, f.name);
        if (!f.name_zh.empty()) {
            out += ",\"name_zh\":";
            append_json_string(out, f.name_zh);
        }
        out += ",\"capacity\":";
        append_fixed(out, f.capacity, 3);
        out += "},\"geometry\":{\"type\":\"Point\",\"coordinates\":";
        append_position(out, f.position);
        out += "}}";
        out += k + 1 < facilities.size() ? ",\n" : "\n";
    }
    out += "]}\n";
    return out;
}

std::string format_population_geojson(const std::vector<PopulationZone>& zones) {
    std::string out = "{\"type\":\"FeatureCollection\",\"features\":[\n";
    for (std::size_t k = 0; k < zones.size(); ++k) {
        const PopulationZone& z = zones[k];
        out += "{\"type\":\"Feature\",\"properties\":{\"id\":";
        append_json_string(out, z.id);
        out += ",\"district\":";
        append_json_string(out, z.district);
        out += ",\"population\":" + std::to_string(z.population);
        if (z.ring.empty()) {
            out += "},\"geometry\":{\"type\":\"Point\",\"coordinates\":";
            append_position(out, z.centroid);
        } else {
            out += "},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[";
            for (std::size_t p = 0; p < z.ring.size(); ++p) {
                if (p > 0) {
                    out += ',';
                }
                append_position(out, z.ring[p]);
            }
            out += "]]";
        }
        out += "}}";
        out += k + 1 < zones.size() ? ",\n" : "\n";
    }
    out += "]}\n";
    return out;
}

std::string format_dependencies_csv(const std::vector<Dependency>& deps) {
    std::string out = "consumer,service,provider,backup_hours,threshold\n";
    for (const Dependency& d : deps) {
        out += csv_field(d.consumer);
        out += ',';
        out += service_name(d.service);
        out += ',';
        out += csv_field(d.provider);
        out += ',';
        append_fixed(out, d.backup_hours, 3);
        out += ',';
        if (d.threshold) {
            append_fixed(out, *d.threshold, 6);
        }
        out += '\n';
    }
    return out;
}

std::string format_water_valves_csv(const std::vector<IsolationValve>& valves) {
    std::string out = "valve,link,node\n";
    for (const IsolationValve& v : valves) {
        out += csv_field(v.id) + ',' + csv_field(v.link) + ',' + csv_field(v.node) + '\n';
    }
    return out;
}

std::string format_city_toml(const CityInfo& info, const BundleFiles& files,
                             const std::string& generator_comment) {
    std::string out;
    std::istringstream lines(generator_comment);
    for (std::string line; std::getline(lines, line);) {
        out += line.empty() ? "#" : "# " + line;
        out += '\n';
    }
    if (!out.empty()) {
        out += '\n';
    }
    out += "[city]\n";
    out += "name = " + toml_string(info.name) + "\n";
    if (!info.name_zh.empty()) {
        out += "name_zh = " + toml_string(info.name_zh) + "\n";
    }
    out += "crs = " + toml_string(info.crs) + "\n";
    char buf[160];
    std::snprintf(buf, sizeof buf, "extent = [%.7f, %.7f, %.7f, %.7f]\n", info.extent.min_lon,
                  info.extent.min_lat, info.extent.max_lon, info.extent.max_lat);
    out += buf;
    file_section(out, "terrain", files.terrain);
    if (!files.roads.empty()) {
        out += "\n[roads]\n";
        out +=
            "format = " + toml_string(files.roads_format.empty() ? "geojson" : files.roads_format) +
            "\n";
        out += "file = " + toml_string(files.roads) + "\n";
    }
    file_section(out, "facilities", files.facilities);
    file_section(out, "population", files.population);
    file_section(out, "dependencies", files.dependencies);
    if (!files.water.empty()) {
        out += "\n[water]\n";
        out += "file = " + toml_string(files.water) + "\n";
        if (!files.water_valves.empty()) {
            out += "valves = " + toml_string(files.water_valves) + "\n";
        }
    }
    if (!files.power.empty()) {
        out += "\n[power]\n";
        out += "file = " + toml_string(files.power) + "\n";
        out += "buses = " + toml_string(files.power_buses) + "\n";
        if (!files.power_switches.empty()) {
            out += "switches = " + toml_string(files.power_switches) + "\n";
        }
    }
    file_section(out, "drainage", files.drainage);
    file_section(out, "gas", files.gas);
    return out;
}

std::string format_power_buses_csv(const std::vector<PowerBusInfo>& buses) {
    std::string out = "bus,lon,lat,kind,name\n";
    for (const PowerBusInfo& b : buses) {
        out += std::to_string(b.bus_number);
        out += ',';
        append_fixed(out, b.position.lon, 7);
        out += ',';
        append_fixed(out, b.position.lat, 7);
        out += ',' + csv_field(b.kind) + ',' + csv_field(b.name) + '\n';
    }
    return out;
}

std::string format_power_switches_csv(const std::vector<PowerSwitch>& switches) {
    std::string out = "switch,branch,normally_open,kind\n";
    for (const PowerSwitch& w : switches) {
        out += csv_field(w.id) + ',' + std::to_string(w.branch_row) + ',' +
               (w.normally_open ? '1' : '0') + ',' + csv_field(w.kind) + '\n';
    }
    return out;
}

std::string format_terrain(const Terrain& t) {
    std::string out;
    char buf[96];
    std::snprintf(buf, sizeof buf, "ncols %d\nnrows %d\n", t.ncols, t.nrows);
    out += buf;
    std::snprintf(buf, sizeof buf, "xllcorner %.7f\nyllcorner %.7f\ncellsize %.7f\n", t.xll_lon,
                  t.yll_lat, t.cellsize_deg);
    out += buf;
    out += "NODATA_value " + format_fixed(t.nodata, 2) + "\n";
    out.reserve(out.size() + t.elevation_m.size() * 7);
    for (int r = 0; r < t.nrows; ++r) {
        for (int c = 0; c < t.ncols; ++c) {
            const float v =
                t.elevation_m[static_cast<std::size_t>(r) * static_cast<std::size_t>(t.ncols) +
                              static_cast<std::size_t>(c)];
            std::snprintf(buf, sizeof buf, c == 0 ? "%.2f" : " %.2f", static_cast<double>(v));
            out += buf;
        }
        out += '\n';
    }
    return out;
}

} // namespace rencheng::model
