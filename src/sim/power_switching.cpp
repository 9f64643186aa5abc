// Fault isolation and tie-switch restoration of the 10 kV network inside the co-simulation.
#include "sim/power_switching.hpp"

namespace rencheng::sim {

std::vector<power::DistributionSwitch> distribution_switches(const model::City& city) {
    std::vector<power::DistributionSwitch> out;
    if (!city.power)
        return out;
    const std::int32_t branches = city.power->branches.count();
    for (const model::PowerSwitch& s : city.power_switches) {
        power::DistributionSwitch d;
        if (s.branch_row < 1 || s.branch_row > branches ||
            !power::parse_switch_kind(s.kind, d.kind))
            continue;
        d.branch = power::BranchIndex{s.branch_row - 1};
        d.normally_open = s.normally_open;
        d.id = s.id;
        out.push_back(std::move(d));
    }
    return out;
}

SwitchingOutcome solve_with_switching(const power::Network& net,
                                      const std::vector<power::DistributionSwitch>& switches,
                                      const power::OutageSet& outages,
                                      const power::IslandOptions& options) {
    SwitchingOutcome out;
    if (switches.empty()) {
        out.state = power::solve_islands(net, outages, options);
        return out;
    }
    // The restoration works on branch faults: a damaged bus becomes an isolated bus whose every
    // branch is faulted, so the switches around it open and what lies beyond can be picked up
    // from elsewhere; a generator out is simply out of service.
    power::Network work = net;
    std::vector<power::BranchIndex> faulted = outages.branches;
    std::vector<std::uint8_t> bus_out(static_cast<std::size_t>(net.buses.count()), 0);
    for (const power::BusIndex b : outages.buses)
        if (b.valid() && b.value() < net.buses.count()) {
            bus_out[static_cast<std::size_t>(b.value())] = 1;
            work.buses.type[static_cast<std::size_t>(b.value())] = power::BusType::kIsolated;
        }
    for (std::int32_t k = 0; k < net.branches.count(); ++k) {
        const auto f = static_cast<std::size_t>(net.branches.from[k].value());
        const auto t = static_cast<std::size_t>(net.branches.to[k].value());
        if (bus_out[f] != 0 || bus_out[t] != 0)
            faulted.emplace_back(k);
    }
    for (const power::GenIndex g : outages.gens)
        if (g.valid() && g.value() < net.gens.count())
            work.gens.status[static_cast<std::size_t>(g.value())] = 0;
    power::RestorationOptions ro;
    ro.bus_priority = options.bus_priority;
    ro.islands = options;
    ro.islands.bus_priority.clear();
    power::RestorationResult r = power::restore_distribution(work, switches, faulted, ro);
    for (const power::SwitchAction& a : r.actions)
        if (a.purpose == power::SwitchPurpose::kRestore && a.close) {
            ++out.ties_closed;
            out.ties.push_back(a.switch_index);
        }
    out.restored_mw = r.restored_mw;
    out.state = std::move(r.final_state);
    return out;
}

} // namespace rencheng::sim
