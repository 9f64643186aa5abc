// Shared plumbing of the `rencheng` subcommands: each file adds one subcommand to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace rencheng::cli {

/// State shared by the subcommands of one invocation.
struct CommandContext {
    bool quiet = false; ///< --quiet: no progress bar, no chatter
    int exit_code = 0;  ///< set by the subcommand that ran
};

void add_generate_command(CLI::App& app, CommandContext& ctx);
void add_validate_command(CLI::App& app, CommandContext& ctx);
void add_info_command(CLI::App& app, CommandContext& ctx);

} // namespace rencheng::cli
