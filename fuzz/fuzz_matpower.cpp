// Fuzz target for the MATPOWER case reader, writer and power flow: any input is handled cleanly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "power/matpower.hpp"
#include "power/power_flow.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    const auto net = power::parse_matpower(text, "fuzz.m", diags);
    for (const auto& d : diags.items())
        (void)format_diagnostic(d);
    // Invariants: one entry per element in every array; references valid unless reported.
    const auto nb = static_cast<std::size_t>(net.buses.count());
    const auto ng = static_cast<std::size_t>(net.gens.count());
    const auto nl = static_cast<std::size_t>(net.branches.count());
    if (net.buses.type.size() != nb || net.buses.vmin_pu.size() != nb ||
        net.gens.pmin_pu.size() != ng || net.branches.angmax_rad.size() != nl ||
        net.bus_extra.values.size() != nb * static_cast<std::size_t>(net.bus_extra.columns) ||
        net.gen_extra.values.size() != ng * static_cast<std::size_t>(net.gen_extra.columns) ||
        net.branch_extra.values.size() != nl * static_cast<std::size_t>(net.branch_extra.columns))
        __builtin_trap();
    if (diags.has_errors())
        return 0;
    for (std::size_t k = 0; k < nl; ++k)
        if (net.branches.from[k].idx() >= nb || net.branches.to[k].idx() >= nb)
            __builtin_trap();
    for (std::size_t g = 0; g < ng; ++g)
        if (net.gens.bus[g].idx() >= nb)
            __builtin_trap();
    // A case read without errors is written and read back without errors.
    const std::string again = power::format_matpower(net);
    Diagnostics diags2;
    const auto net2 = power::parse_matpower(again, "again.m", diags2);
    if (diags2.has_errors() || net2.buses.count() != net.buses.count() ||
        net2.gens.count() != net.gens.count() || net2.branches.count() != net.branches.count())
        __builtin_trap();
    // Small valid cases are solved: failures are reported, never crashes.
    if (nb <= 64) {
        for (auto m : {power::PowerFlowMethod::kNewton, power::PowerFlowMethod::kDc}) {
            power::PowerFlowOptions o;
            o.method = m;
            try {
                const auto r = power::solve_power_flow(net, o);
                if (r.vm_pu.size() != nb || r.pg_pu.size() != ng || r.p_from_pu.size() != nl)
                    __builtin_trap();
            } catch (const Error&) {
            }
        }
    }
    return 0;
}
