// `rencheng validate BUNDLE`: loads a city bundle and reports every problem it has.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"
#include "core/error.hpp"
#include "diagnostics_output.hpp"
#include "model/city.hpp"

namespace rencheng::cli {

namespace {

struct ValidateOptions {
    std::string bundle;
    bool werror = false;
};

/// The name the verdict line gives the bundle: its folder's name.
std::string bundle_label(const std::filesystem::path& path) {
    std::filesystem::path p = path;
    if (p.filename() == "city.toml")
        p = p.parent_path();
    if (!p.empty() && p.filename().empty())
        p = p.parent_path(); // "demo-city/"
    std::string name = p.filename().string();
    if (name.empty() || name == ".")
        name = std::filesystem::absolute(p).filename().string();
    return name.empty() ? path.string() : name;
}

void run_validate(const ValidateOptions& opt, CommandContext& ctx) {
    Diagnostics diags;
    const model::City city = model::load_city(opt.bundle, diags);
    diags.sort();
    print_diagnostics(diags, stdout, ctx.quiet);
    const std::size_t errors = diags.error_count();
    const std::size_t warnings = diags.warning_count();
    const bool fail = errors > 0 || (opt.werror && warnings > 0);
    if (!ctx.quiet || fail) {
        std::printf("%s: %s (%zu error%s, %zu warning%s) / %s\n", bundle_label(opt.bundle).c_str(),
                    fail ? "invalid" : "valid", errors, errors == 1 ? "" : "s", warnings,
                    warnings == 1 ? "" : "s", fail ? "无效" : "有效");
    }
    if (!ctx.quiet && city.power) {
        // What the grid holds, so a user sees the case was read (details: rencheng info).
        const auto& p = *city.power;
        double load_mw = 0;
        for (double pd : p.buses.pd_pu)
            load_mw += pd * p.base_mva;
        std::printf("  power grid / 电网: %d buses 母线, %d branches 支路, %d generators 发电机, "
                    "%.1f MW load 负荷, %zu switches 开关\n",
                    p.buses.count(), p.branches.count(), p.gens.count(), load_mw,
                    city.power_switches.size());
    }
    if (!ctx.quiet && city.drainage) {
        const auto& d = *city.drainage;
        std::printf("  drainage / 排水: %d nodes 节点, %d links 管段 (%d conduits 管道, %d pumps "
                    "泵), %d subcatchments 汇水区, %d outfalls 排放口\n",
                    d.node_count(), d.link_count(), d.conduits.count(), d.pumps.count(),
                    d.subcatchments.count(), d.outfalls.count());
    }
    std::fflush(stdout);
    ctx.exit_code = failure_exit_status(diags, opt.werror);
}

} // namespace

void add_validate_command(CLI::App& app, CommandContext& ctx) {
    auto opt = std::make_shared<ValidateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "validate",
        "Check a city bundle and list every problem with file and line / 校验城市数据包");
    add_bundle_argument(*cmd, opt->bundle);
    cmd->add_flag("--werror", opt->werror, "Treat warnings as errors (exit 1 when there are any)");
    cmd->footer("Exit status: 0 valid, 1 bad content or syntax, 3 a file is missing or "
                "unreadable (from the first error listed). See docs/errors.md.\n");
    cmd->callback([opt, &ctx] { run_validate(*opt, ctx); });
}

} // namespace rencheng::cli
