// Printing a bundle's diagnostics and turning them into an exit status, shared by the subcommands.
#pragma once

#include <cstdio>

#include "core/error.hpp"

namespace rencheng::cli {

/// Prints each diagnostic of `diags` on its own line to `stream`, in their current order; with
/// `quiet`, only the errors.
void print_diagnostics(const Diagnostics& diags, std::FILE* stream, bool quiet);

/// The exit status of the first diagnostic that fails the run: an error, or with `werror` a
/// warning too (docs/errors.md); 0 when there is none.
int failure_exit_status(const Diagnostics& diags, bool werror);

} // namespace rencheng::cli
