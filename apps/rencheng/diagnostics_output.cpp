// Printing a bundle's diagnostics and turning them into an exit status (diagnostics_output.hpp).
#include "diagnostics_output.hpp"

namespace rencheng::cli {

void print_diagnostics(const Diagnostics& diags, std::FILE* stream, bool quiet) {
    for (const auto& d : diags.items()) {
        if (quiet && d.severity != Severity::kError)
            continue;
        std::fprintf(stream, "%s\n", format_diagnostic(d).c_str());
    }
}

int failure_exit_status(const Diagnostics& diags, bool werror) {
    for (const auto& d : diags.items()) {
        if (d.severity == Severity::kError || (werror && d.severity == Severity::kWarning))
            return exit_status(d.code);
    }
    return 0;
}

} // namespace rencheng::cli
