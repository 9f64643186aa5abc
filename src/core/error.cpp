// Error-code catalogue, diagnostics list and the typed exception.
#include "core/error.hpp"

#include <algorithm>
#include <cstdio>

namespace rencheng {

// One case a line: the two switches read as the tables they are.
// clang-format off
std::string_view error_code_name(ErrorCode code) {
    switch (code) {
    case ErrorCode::kFileNotFound: return "file-not-found";
    case ErrorCode::kFileUnreadable: return "file-unreadable";
    case ErrorCode::kWriteFailed: return "write-failed";
    case ErrorCode::kOutputExists: return "output-exists";
    case ErrorCode::kTomlSyntax: return "toml-syntax";
    case ErrorCode::kJsonSyntax: return "json-syntax";
    case ErrorCode::kCsvSyntax: return "csv-syntax";
    case ErrorCode::kNumberSyntax: return "number-syntax";
    case ErrorCode::kGridSyntax: return "grid-syntax";
    case ErrorCode::kXmlSyntax: return "xml-syntax";
    case ErrorCode::kMissingKey: return "missing-key";
    case ErrorCode::kWrongType: return "wrong-type";
    case ErrorCode::kUnknownKey: return "unknown-key";
    case ErrorCode::kOutOfRange: return "out-of-range";
    case ErrorCode::kDuplicateId: return "duplicate-id";
    case ErrorCode::kUnknownReference: return "unknown-reference";
    case ErrorCode::kUnknownCrs: return "unknown-crs";
    case ErrorCode::kBadGeometry: return "bad-geometry";
    case ErrorCode::kOutsideCity: return "outside-city";
    case ErrorCode::kInconsistent: return "inconsistent";
    case ErrorCode::kUnknownValue: return "unknown-value";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kNoConvergence: return "no-convergence";
    case ErrorCode::kSingularMatrix: return "singular-matrix";
    case ErrorCode::kProjectionFailed: return "projection-failed";
    case ErrorCode::kInfeasible: return "infeasible";
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kInternal: return "internal";
    }
    return "unknown";
}

int exit_status(ErrorCode code) {
    const int block = static_cast<int>(code) / 100;
    switch (block) {
    case 1: return 3;
    case 2:
    case 3: return 1;
    case 4: return 4;
    case 5: return 2;
    default: return 70;
    }
}
// clang-format on

std::string format_diagnostic(const Diagnostic& d) {
    std::string out;
    if (!d.file.empty()) {
        out += d.file;
        if (d.line > 0) {
            out += ':' + std::to_string(d.line);
            if (d.column > 0)
                out += ':' + std::to_string(d.column);
        }
        out += ": ";
    }
    const char* sev = d.severity == Severity::kError     ? "error"
                      : d.severity == Severity::kWarning ? "warning"
                                                         : "note";
    char code[8];
    std::snprintf(code, sizeof code, "%c%03d", d.severity == Severity::kError ? 'E' : 'W',
                  static_cast<int>(d.code));
    out += sev;
    out += ' ';
    out += code;
    if (!d.element_id.empty())
        out += " [" + d.element_id + "]";
    out += ": ";
    out += d.message;
    return out;
}

void Diagnostics::error(ErrorCode code, std::string file, int line, int column,
                        std::string element_id, std::string message) {
    items_.push_back({Severity::kError, code, std::move(file), line, column, std::move(element_id),
                      std::move(message)});
}

void Diagnostics::warning(ErrorCode code, std::string file, int line, int column,
                          std::string element_id, std::string message) {
    items_.push_back({Severity::kWarning, code, std::move(file), line, column,
                      std::move(element_id), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(
        std::count_if(items_.begin(), items_.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

std::size_t Diagnostics::warning_count() const {
    return static_cast<std::size_t>(
        std::count_if(items_.begin(), items_.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::kWarning; }));
}

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.file != b.file)
            return a.file < b.file;
        if (a.line != b.line)
            return a.line < b.line;
        return a.column < b.column;
    });
}

std::string Diagnostics::format() const {
    std::string out;
    for (const auto& d : items_) {
        out += format_diagnostic(d);
        out += '\n';
    }
    return out;
}

namespace {
std::string first_message(const Diagnostics& diags) {
    for (const auto& d : diags.items())
        if (d.severity == Severity::kError)
            return format_diagnostic(d);
    return diags.empty() ? std::string("error") : format_diagnostic(diags.items().front());
}
} // namespace

Error::Error(ErrorCode code, const std::string& message, std::source_location where)
    : std::runtime_error(message), code_(code), where_(where) {}

Error::Error(ErrorCode code, Diagnostics diagnostics, std::source_location where)
    : std::runtime_error(first_message(diagnostics)), code_(code),
      diagnostics_(std::move(diagnostics)), where_(where) {}

} // namespace rencheng
