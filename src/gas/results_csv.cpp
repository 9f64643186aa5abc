// Writer of gas steady-state results in the long CSV form shared by every lifeline.
#include "gas/results_csv.hpp"

#include <cmath>

#include "core/atomic_file.hpp"
#include "core/long_csv.hpp"

namespace rencheng::gas {

namespace {

/// A row at time 0; none where the value is not finite (a node no source reaches).
void row(std::string& out, const char* type, const std::string& id, const char* quantity,
         double v) {
    if (std::isfinite(v))
        append_long_row(out, 0, type, id, quantity, v);
}

} // namespace

std::string format_results_csv(const Network& net, const SteadyStateResult& result) {
    std::string out = "time_s,type,id,quantity,value\n";
    for (std::int32_t i = 0; i < net.node_count(); ++i) {
        const auto iu = static_cast<std::size_t>(i);
        row(out, "node", net.node_id[iu], "pressure_pa", result.pressure_pa[iu]);
        if (net.node_kind[iu] == NodeKind::kSource && std::isfinite(result.pressure_pa[iu]))
            row(out, "node", net.node_id[iu], "injection_m3s", result.injection_m3s[iu]);
    }
    for (std::int32_t k = 0; k < net.connection_count(); ++k) {
        const auto ku = static_cast<std::size_t>(k);
        row(out, "link", net.connection_id[ku], "flow_m3s", result.flow_m3s[ku]);
    }
    return out;
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const SteadyStateResult& result) {
    write_file_atomic(path, format_results_csv(net, result));
}

} // namespace rencheng::gas
