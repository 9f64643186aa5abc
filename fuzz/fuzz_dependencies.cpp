// Fuzz target for the dependencies.csv reader and the asset look-up of its names.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/city.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    rencheng::Diagnostics diags;
    const auto deps = rencheng::model::parse_dependencies_csv(text, "fuzz.csv", diags);
    rencheng::model::City city;
    city.facilities.push_back({"H1", rencheng::model::FacilityKind::kHospital, "", "", {}, 1, 0});
    city.index_assets();
    for (const auto& d : deps) {
        if (d.backup_hours < 0.0 || d.source_line < 1)
            __builtin_trap();
        (void)city.has_asset(d.consumer);
        (void)city.has_asset(d.provider);
    }
    for (const auto& d : diags.items())
        (void)rencheng::format_diagnostic(d);
    return 0;
}
