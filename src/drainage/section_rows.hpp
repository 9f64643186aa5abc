// Reading the rows of a raw SWMM section kept by the reader ([LID_CONTROLS], [STREETS],
// [AQUIFERS]…): numbers, keywords and errors that name the file, the line and the row.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace rencheng::drainage::rows {

/// The token as a finite number, or nothing when it is not one as a whole.
inline std::optional<double> parse_number(std::string_view s) {
    if (s.empty())
        return std::nullopt;
    const std::string tmp(s);
    char* end = nullptr;
    const double v = std::strtod(tmp.c_str(), &end);
    // As the .inp reader's numbers: magnitudes beyond 1e100, or nonzero below 1e-100, are no
    // physical quantity (a street 1e300 wide overflowed its section's tables).
    if (end != tmp.c_str() + tmp.size() || !std::isfinite(v) || std::abs(v) > 1.000001e100 ||
        (v != 0 && std::abs(v) < 0.999999e-100))
        return std::nullopt;
    return v;
}

/// ASCII comparison ignoring case (SWMM keywords are case-insensitive).
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// The row's tokens separated by single spaces, to quote it in an error.
inline std::string join(const std::vector<std::string>& row) {
    std::string s;
    for (const auto& t : row) {
        if (!s.empty())
            s += ' ';
        s += t;
    }
    return s;
}

/// Reads one raw section's rows with file/line diagnostics.
class RowReader {
public:
    RowReader(const std::string& file, Diagnostics& diags, std::string section)
        : file_(file), diags_(diags), section_(std::move(section)) {}

    void error(ErrorCode code, int line, const std::string& id, const std::string& message,
               const std::vector<std::string>& row) {
        diags_.error(code, file_, line, 0, id, message + " in [" + section_ + "]: " + join(row));
    }

    /// Number at token i, >= 0 (> 0 when `positive`), or an error naming `what`.
    std::optional<double> number(const std::vector<std::string>& row, std::size_t i, int line,
                                 const std::string& id, const char* what, bool positive = false) {
        const auto v = parse_number(row[i]);
        if (!v) {
            error(ErrorCode::kNumberSyntax, line, id,
                  std::string(what) + " '" + row[i] + "' is not a number", row);
            return std::nullopt;
        }
        if (positive ? *v <= 0 : *v < 0) {
            error(ErrorCode::kOutOfRange, line, id,
                  std::string(what) + (positive ? " must be > 0" : " must not be negative"), row);
            return std::nullopt;
        }
        return v;
    }

private:
    const std::string& file_;
    Diagnostics& diags_;
    std::string section_;
};

} // namespace rencheng::drainage::rows
