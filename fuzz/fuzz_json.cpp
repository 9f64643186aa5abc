// Fuzz target for the JSON reader: any input must be handled without a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const rencheng::JsonDocument doc = rencheng::parse_json(text, "fuzz.json", diags);
    // Invariants: a failed parse yields a null document without feature lines, and feature
    // lines, when present, match the top-level "features" array one to one.
    if (doc.root.is_null() && !doc.feature_lines.empty())
        __builtin_trap();
    if (!doc.feature_lines.empty()) {
        if (!doc.root.is_object() || !doc.root.contains("features"))
            __builtin_trap();
        const auto& features = doc.root.at("features");
        if (!features.is_array() || features.size() != doc.feature_lines.size())
            __builtin_trap();
    }
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
