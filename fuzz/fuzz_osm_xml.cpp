// Fuzz target for the OpenStreetMap XML reader: any input must be handled without a crash, and
// what it returns must be a consistent, strongly connected road network.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/csr.hpp"
#include "transport/osm_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    rencheng::transport::OsmImportReport report;
    const auto net = rencheng::transport::parse_osm_xml(text, "fuzz.osm", diags, &report);
    const auto links = static_cast<std::size_t>(net.link_count());
    if (net.link_from.size() != links || net.link_to.size() != links ||
        net.length_m.size() != links || net.link_geometry.size() != links ||
        net.free_speed_ms.size() != links || net.capacity_vehh.size() != links ||
        net.node_position.size() != static_cast<std::size_t>(net.node_count()))
        __builtin_trap();
    for (std::size_t l = 0; l < links; ++l) {
        if (net.link_from[l] < 0 || net.link_from[l] >= net.node_count() || net.link_to[l] < 0 ||
            net.link_to[l] >= net.node_count() || net.link_from[l] == net.link_to[l] ||
            net.link_geometry[l].size() < 2 || !(net.length_m[l] > 0.0) ||
            !(net.free_speed_ms[l] > 0.0) || !(net.capacity_vehh[l] > 0.0) || net.lanes[l] < 1)
            __builtin_trap();
    }
    if (net.node_count() > 0) {
        std::int32_t count = 0;
        rencheng::strongly_connected_components(net.graph, count);
        if (count != 1 || report.nodes_before - report.nodes_dropped != net.node_count())
            __builtin_trap();
    }
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
