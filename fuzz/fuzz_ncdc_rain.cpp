// Fuzz target for the NCDC TD-3240/3260 rain file reader and the comma-delimited NCDC, NCDC
// online, AES and CMC reader (rain gages with a FILE source): any
// input must give rain or a rencheng::Error, never a crash, and the rain that comes back must be
// usable (finite, non-negative depths; times in order within a station's file as written).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/error.hpp"
#include "drainage/rain_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader takes a path (SWMM names rain files in the .inp), so the input goes to a file
    // private to this process.
    static const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("rencheng-fuzz-ncdc-" + std::to_string(getpid()));
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    // what a reader returns: a positive interval and finite, non-negative depths
    const auto check = [](const auto& rain) {
        if (!(rain.interval_s > 0))
            __builtin_trap();
        for (const auto& [t, depth] : rain.depth_m)
            if (!std::isfinite(depth) || depth < 0)
                __builtin_trap();
    };
    try {
        (void)rencheng::drainage::is_ncdc_rain_file(path);
        check(rencheng::drainage::read_ncdc_rain_file(path));
        check(rencheng::drainage::read_ncdc_rain_file(path, 1751328000)); // from 1 July 2025
    } catch (const rencheng::Error&) {
    }
    try {
        if (rencheng::drainage::is_nws_cmc_format(
                rencheng::drainage::detect_rain_file_format(path)))
            check(rencheng::drainage::read_nws_cmc_rain_file(path));
    } catch (const rencheng::Error&) {
    }
    return 0;
}
