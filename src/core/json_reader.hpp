// JSON reading that remembers the source line of every object, for diagnostics with file:line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace rencheng {

/// A parsed JSON document. `feature_lines[i]` is the 1-based line on which the i-th element of a
/// top-level "features" array (GeoJSON) starts; empty when there is no such array.
struct JsonDocument {
    nlohmann::json root;
    std::vector<int> feature_lines;
};

/// Parses `text` (the content of `file`). A syntax error is reported to `diags` with the file, the
/// line and column where it was found and the parser's message; the result is then null.
/// Duplicate keys in an object are reported as errors too.
JsonDocument parse_json(std::string_view text, const std::string& file, Diagnostics& diags);

} // namespace rencheng
