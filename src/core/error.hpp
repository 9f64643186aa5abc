// Errors and diagnostics: the error-code catalogue, the diagnostics list, typed exceptions.
#pragma once

#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rencheng {

/// The one catalogue of error codes (STYLE.md "Errors in three kinds"). Values are stable: they
/// are printed as `E<value>` / `W<value>` and documented in docs/errors.md. Never renumber; add
/// new codes at the end of their block.
enum class ErrorCode : std::uint16_t {
    // 1xx: files and I/O
    kFileNotFound = 101,
    kFileUnreadable = 102,
    kWriteFailed = 103,
    kOutputExists = 104,
    // 2xx: syntax of an input file
    kTomlSyntax = 201,
    kJsonSyntax = 202,
    kCsvSyntax = 203,
    kNumberSyntax = 204,
    kGridSyntax = 205,
    kXmlSyntax = 206,
    // 3xx: content of an input file
    kMissingKey = 301,
    kWrongType = 302,
    kUnknownKey = 303,
    kOutOfRange = 304,
    kDuplicateId = 305,
    kUnknownReference = 306,
    kUnknownCrs = 307,
    kBadGeometry = 308,
    kOutsideCity = 309,
    kInconsistent = 310,
    kUnknownValue = 311,
    kUnsupported = 312,
    // 4xx: run-time failures of a computation
    kNoConvergence = 401,
    kSingularMatrix = 402,
    kProjectionFailed = 403,
    kInfeasible = 404,
    // 5xx: usage of the command line
    kUsage = 501,
    // 9xx: internal
    kInternal = 901,
};

/// Short stable name of a code, e.g. "file-not-found".
std::string_view error_code_name(ErrorCode code);

/// Process exit status the CLI uses for a failure of this code: 1 bad input, 2 usage,
/// 3 I/O, 4 computation failed, 70 internal.
int exit_status(ErrorCode code);

enum class Severity : std::uint8_t { kError, kWarning, kNote };

/// One problem found in an input. `line` and `column` are 1-based; 0 means unknown.
struct Diagnostic {
    Severity severity = Severity::kError;
    ErrorCode code = ErrorCode::kInternal;
    std::string file;
    int line = 0;
    int column = 0;
    std::string element_id; ///< id of the element concerned, empty when none
    std::string message;
};

/// `file:line:col: error E305 [id]: message` — the form editors and CI logs understand.
std::string format_diagnostic(const Diagnostic& d);

/// Collects every problem of an input so that all are reported together.
class Diagnostics {
public:
    void add(Diagnostic d) { items_.push_back(std::move(d)); }
    void error(ErrorCode code, std::string file, int line, int column, std::string element_id,
               std::string message);
    void warning(ErrorCode code, std::string file, int line, int column, std::string element_id,
                 std::string message);
    void append(const Diagnostics& other);

    [[nodiscard]] bool has_errors() const;
    [[nodiscard]] std::size_t error_count() const;
    [[nodiscard]] std::size_t warning_count() const;
    [[nodiscard]] const std::vector<Diagnostic>& items() const { return items_; }
    [[nodiscard]] bool empty() const { return items_.empty(); }
    /// Stable order for reports: by file, line, column, then insertion order.
    void sort();
    /// Every diagnostic on its own line.
    [[nodiscard]] std::string format() const;

private:
    std::vector<Diagnostic> items_;
};

/// Exception for a failure that cannot be collected and continued past (an unreadable output
/// folder, a solver that diverged). Carries its code, the diagnostics that explain it and where in
/// our code it was raised.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message,
          std::source_location where = std::source_location::current());
    Error(ErrorCode code, Diagnostics diagnostics,
          std::source_location where = std::source_location::current());

    [[nodiscard]] ErrorCode code() const { return code_; }
    [[nodiscard]] const Diagnostics& diagnostics() const { return diagnostics_; }
    [[nodiscard]] const std::source_location& where() const { return where_; }

private:
    ErrorCode code_;
    Diagnostics diagnostics_;
    std::source_location where_;
};

} // namespace rencheng
