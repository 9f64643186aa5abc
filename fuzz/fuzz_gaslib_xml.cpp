// Fuzz target for the GasLib XML readers (.net and .scn): any input must be rejected with
// diagnostics or read into a consistent network that the steady-state solver handles.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gas/gaslib_reader.hpp"
#include "gas/steady_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace rencheng::gas;
    try {
        Network net = parse_gaslib_net(text, "fuzz.net");
        const auto n = static_cast<std::size_t>(net.node_count());
        const auto m = static_cast<std::size_t>(net.connection_count());
        if (net.demand_m3s.size() != n || net.pressure_max_pa.size() != n ||
            net.from_node.size() != m || net.outlet_set_pressure_pa.size() != m)
            __builtin_trap();
        for (std::size_t k = 0; k < m; ++k)
            if (net.from_node[k].idx() >= n || net.to_node[k].idx() >= n)
                __builtin_trap();
        if (n <= 200) {
            const auto r = solve_steady_state(net);
            if (r.pressure_pa.size() != n || r.flow_m3s.size() != m)
                __builtin_trap();
        }
    } catch (const rencheng::Error& e) {
        for (const auto& d : e.diagnostics().items())
            (void)rencheng::format_diagnostic(d);
    }
    try {
        Network net;
        net.add_node("entry01", NodeKind::kSource);
        net.add_node("exit01", NodeKind::kCustomer);
        apply_gaslib_scenario(net, text, "fuzz.scn");
        if (net.demand_m3s.size() != 2)
            __builtin_trap();
    } catch (const rencheng::Error& e) {
        (void)e.diagnostics().format();
    }
    return 0;
}
