// Shared plumbing of the `rencheng` subcommands: each file adds one subcommand to the app.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace rencheng::cli {

/// State shared by the subcommands of one invocation.
struct CommandContext {
    bool quiet = false; ///< --quiet: no progress bar, no chatter
    int exit_code = 0;  ///< set by the subcommand that ran
};

/// Adds the required positional BUNDLE argument of the subcommands that read a city bundle.
inline CLI::Option* add_bundle_argument(CLI::App& cmd, std::string& bundle) {
    return cmd
        .add_option("bundle", bundle,
                    "The bundle: a folder holding city.toml, or the city.toml itself")
        ->required()
        ->type_name("BUNDLE");
}

void add_generate_command(CLI::App& app, CommandContext& ctx);
void add_validate_command(CLI::App& app, CommandContext& ctx);
void add_info_command(CLI::App& app, CommandContext& ctx);
void add_roads_command(CLI::App& app, CommandContext& ctx);
void add_power_command(CLI::App& app, CommandContext& ctx);
void add_water_command(CLI::App& app, CommandContext& ctx);
void add_report_command(CLI::App& app, CommandContext& ctx);
void add_drainage_command(CLI::App& app, CommandContext& ctx);
void add_stress_test_command(CLI::App& app, CommandContext& ctx);
void add_rain_command(CLI::App& app, CommandContext& ctx);
void add_gas_command(CLI::App& app, CommandContext& ctx);
/// `gas isolate` and `gas locate-leak`, added to the `gas` command (call after add_gas_command).
void add_gas_ops_commands(CLI::App& app, CommandContext& ctx);

} // namespace rencheng::cli
