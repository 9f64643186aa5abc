// CSV reading with line numbers (RFC 4180: quoted fields, doubled quotes, CRLF).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"

namespace rencheng {

/// A parsed CSV table. Each row keeps the 1-based line it started on in the file.
struct CsvTable {
    std::string file;
    std::vector<std::string> header;
    struct Row {
        int line = 0;
        std::vector<std::string> fields;
    };
    std::vector<Row> rows;

    /// Column index of `name` in the header, or -1.
    [[nodiscard]] int column(std::string_view name) const;
};

/// Parses `text` (the content of `file`) as CSV with a header row. Blank lines and lines whose
/// first character is '#' are skipped. Problems (unterminated quote, a row with the wrong number
/// of fields, an empty header name, a duplicate header name) go to `diags` with file and line;
/// rows with problems are left out of the result.
CsvTable parse_csv(std::string_view text, const std::string& file, Diagnostics& diags);

/// Parses a whole-string decimal number (leading/trailing blanks allowed); nullopt if it is not
/// one or is not finite.
std::optional<double> parse_double(std::string_view s);
/// Parses a whole-string integer; nullopt otherwise.
std::optional<long long> parse_int(std::string_view s);

} // namespace rencheng
