// Fuzz target for the city gas GeoJSON reader: any input must be rejected with diagnostics or
// read into a consistent network that writes back to text reading to the same network.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gas/geojson_io.hpp"
#include "gas/steady_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace rencheng::gas;
    try {
        const Network net = parse_gas_geojson(text, "fuzz.geojson");
        const auto n = static_cast<std::size_t>(net.node_count());
        const auto m = static_cast<std::size_t>(net.connection_count());
        for (std::size_t k = 0; k < m; ++k)
            if (net.from_node[k].idx() >= n || net.to_node[k].idx() >= n)
                __builtin_trap();
        const std::string written = format_gas_geojson(net);
        const Network back = parse_gas_geojson(written, "back.geojson");
        if (back.node_count() != net.node_count() ||
            back.connection_count() != net.connection_count() ||
            format_gas_geojson(back) != written)
            __builtin_trap();
        if (n <= 200) {
            const auto r = solve_steady_state(net);
            if (r.pressure_pa.size() != n)
                __builtin_trap();
        }
    } catch (const rencheng::Error& e) {
        for (const auto& d : e.diagnostics().items())
            (void)rencheng::format_diagnostic(d);
    }
    return 0;
}
