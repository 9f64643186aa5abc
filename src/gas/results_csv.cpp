// Writer of gas steady-state results in the long CSV form shared by every lifeline.
#include "gas/results_csv.hpp"

#include <charconv>
#include <cmath>

#include "core/atomic_file.hpp"

namespace rencheng::gas {

namespace {

void append_id(std::string& out, const std::string& id) {
    if (id.find_first_of(",\"\n\r") == std::string::npos) {
        out += id;
        return;
    }
    out += '"';
    for (const char c : id) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void row(std::string& out, const char* type, const std::string& id, const char* quantity,
         double v) {
    if (!std::isfinite(v))
        return;
    out += "0,";
    out += type;
    out += ',';
    append_id(out, id);
    out += ',';
    out += quantity;
    out += ',';
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
    out += '\n';
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
