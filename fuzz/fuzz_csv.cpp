// Fuzz target for the CSV reader and the number parsers: any input must be handled without a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const rencheng::CsvTable table = rencheng::parse_csv(text, "fuzz.csv", diags);
    // Invariants of the result: every kept row has the header's width and a line in the text.
    for (const auto& row : table.rows) {
        if (row.fields.size() != table.header.size() || row.line < 1)
            __builtin_trap();
        for (const auto& field : row.fields) {
            (void)rencheng::parse_double(field);
            (void)rencheng::parse_int(field);
        }
    }
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
