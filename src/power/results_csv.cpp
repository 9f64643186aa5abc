// Power flow results as long CSV: buses, generators, branches in MW, MVAr, p.u. and degrees.
#include "power/results_csv.hpp"

#include "core/atomic_file.hpp"
#include "core/long_csv.hpp"
#include "core/units.hpp"

namespace rencheng::power {

std::string format_results_csv(const Network& net, const PowerFlowResult& result) {
    const bool dc = result.method == PowerFlowMethod::kDc;
    const double base = net.base_mva;
    constexpr double to_deg = 1.0 / units::kDegree;
    std::string out = "time_s,type,id,quantity,value\n";
    for (std::int32_t i = 0; i < net.buses.count(); ++i) {
        const auto k = static_cast<std::size_t>(i);
        const std::string id = std::to_string(net.buses.number[k]);
        if (!dc)
            append_long_row(out, 0, "bus", id, "vm_pu", result.vm_pu[k]);
        append_long_row(out, 0, "bus", id, "va_deg", result.va_rad[k] * to_deg);
    }
    for (std::int32_t g = 0; g < net.gens.count(); ++g) {
        const auto k = static_cast<std::size_t>(g);
        const std::string id = std::to_string(g + 1);
        append_long_row(out, 0, "gen", id, "p_mw", result.pg_pu[k] * base);
        if (!dc)
            append_long_row(out, 0, "gen", id, "q_mvar", result.qg_pu[k] * base);
    }
    for (std::int32_t l = 0; l < net.branches.count(); ++l) {
        const auto k = static_cast<std::size_t>(l);
        const std::string id = std::to_string(l + 1);
        append_long_row(out, 0, "branch", id, "p_from_mw", result.p_from_pu[k] * base);
        if (!dc)
            append_long_row(out, 0, "branch", id, "q_from_mvar", result.q_from_pu[k] * base);
        append_long_row(out, 0, "branch", id, "p_to_mw", result.p_to_pu[k] * base);
        if (!dc)
            append_long_row(out, 0, "branch", id, "q_to_mvar", result.q_to_pu[k] * base);
    }
    return out;
}

void write_results_csv(const std::filesystem::path& path, const Network& net,
                       const PowerFlowResult& result) {
    write_file_atomic(path, format_results_csv(net, result));
}

} // namespace rencheng::power
