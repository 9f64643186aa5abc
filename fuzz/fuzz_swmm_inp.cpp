// Fuzz target for the SWMM .inp reader and writer, the section readers the simulation calls when
// it starts, and the simulation of small models: any input must be handled without a crash (a
// rencheng::Error is a handled input).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

#include "core/error.hpp"
#include "drainage/groundwater.hpp"
#include "drainage/quality.hpp"
#include "drainage/quality_routing.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"

namespace {

namespace fs = std::filesystem;

/// An empty folder of this process that the simulated models' relative file names resolve
/// against: what a model reads there does not exist, what it saves there is removed after the
/// run, and the folder itself when the process ends.
class ScratchDir {
public:
    ScratchDir() {
        std::error_code ec;
        path_ = fs::temp_directory_path(ec) / ("rencheng-fuzz-swmm-" + std::to_string(getpid()));
        fs::remove_all(path_, ec);
        fs::create_directories(path_, ec);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }
    /// Empties the folder of what the last run saved.
    void clear() const {
        std::error_code ec;
        if (fs::is_empty(path_, ec) && !ec)
            return;
        fs::remove_all(path_, ec);
        fs::create_directories(path_, ec);
    }

private:
    fs::path path_;
};

/// A file name of the model that stays inside the folder it is resolved against: relative, with
/// no ".." (an absolute name could read a device or overwrite a real file).
bool stays_inside(const std::string& name) {
    const fs::path p(name);
    if (p.has_root_path())
        return false;
    return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

bool files_stay_inside(const rencheng::drainage::Network& net) {
    for (const auto& g : net.gages)
        if (!stays_inside(g.file))
            return false;
    for (const auto& ts : net.series)
        if (!stays_inside(ts.file))
            return false;
    for (const auto& f : net.files)
        if (!stays_inside(f.name))
            return false;
    if (const auto* raw = net.raw_section("TEMPERATURE"))
        for (const auto& row : raw->rows)
            if (row.size() >= 2 && !stays_inside(row[1]))
                return false;
    return true;
}

/// Simulates a small model read without errors, over its first two hours at most and at most a
/// few thousand of its shortest routing steps (an input cannot run long), in the scratch folder.
void simulate_small(const rencheng::drainage::Network& net) {
    using namespace rencheng;
    if (net.node_count() > 30 || net.link_count() > 60 || net.subcatchments.count() > 20 ||
        !files_stay_inside(net))
        return;
    drainage::Network model = net;
    auto& o = model.options;
    const double fixed_s = o.routing_step_s;
    // the shortest step the router takes (drainage/routing.cpp: the variable step's floor)
    const double shortest_s =
        o.variable_step > 0
            ? std::min(fixed_s, std::max(std::min(o.minimum_step_s, fixed_s), 0.001))
            : fixed_s;
    const auto by_steps = static_cast<units::Seconds>(std::min(shortest_s * 5000.0, 7200.0));
    o.end_s = std::min<units::Seconds>({o.end_s, 7200, by_steps});
    if (o.end_s < 1)
        return;
    if (o.report_start_s >= o.end_s)
        o.report_start_s = 0;
    static const ScratchDir scratch;
    drainage::SimulationOptions so;
    so.base_dir = scratch.path();
    try {
        (void)drainage::simulate(model, so);
    } catch (const Error&) {
    }
    scratch.clear();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rencheng;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Diagnostics diags;
    const auto net = drainage::parse_swmm_inp(text, "fuzz.inp", diags);
    for (const auto& d : diags.items())
        (void)format_diagnostic(d);
    // Invariants, errors or not: one entry per node / link / subcatchment in every array.
    const auto nodes = static_cast<std::size_t>(net.node_count());
    const auto links = static_cast<std::size_t>(net.link_count());
    const auto subs = static_cast<std::size_t>(net.subcatchments.count());
    if (net.node_kind.size() != nodes || net.invert_m.size() != nodes ||
        net.outfall_of_node.size() != nodes || net.from_node.size() != links ||
        net.xsection.size() != links || net.type_index.size() != links ||
        net.vertices.size() != links || net.subcatchments.area_m2.size() != subs ||
        net.subcatchments.infiltration.size() != subs)
        __builtin_trap();
    if (diags.has_errors())
        return 0;
    // The sections the simulation reads only when it starts (groundwater; treatment, whose
    // functions are expressions) refuse bad input with a diagnostic, never a crash.
    {
        Diagnostics more;
        (void)drainage::read_groundwater_sections(net, "fuzz.inp", more);
        const auto quality = drainage::read_quality_sections(net, "fuzz.inp", more);
        (void)drainage::read_treatment(net, quality.pollutants, "fuzz.inp", more);
        for (const auto& d : more.items())
            (void)format_diagnostic(d);
    }
    // A network read without errors has every reference in range ...
    for (std::size_t k = 0; k < links; ++k)
        if (net.from_node[k].idx() >= nodes || net.to_node[k].idx() >= nodes)
            __builtin_trap();
    for (std::size_t s = 0; s < subs; ++s)
        if (net.subcatchments.outlet_node[s].valid() ==
            net.subcatchments.outlet_subcatch[s].valid())
            __builtin_trap();
    // ... and is written and read back without errors, to the same counts and the same text.
    const std::string again = drainage::format_swmm_inp(net);
    Diagnostics diags2;
    const auto net2 = drainage::parse_swmm_inp(again, "again.inp", diags2);
    if (diags2.has_errors() || net2.node_count() != net.node_count() ||
        net2.link_count() != net.link_count() ||
        net2.subcatchments.count() != net.subcatchments.count() ||
        net2.series.size() != net.series.size() || net2.curves.size() != net.curves.size())
        __builtin_trap();
    // A small model read without errors is simulated.
    simulate_small(net);
    return 0;
}
