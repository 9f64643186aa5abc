// SWMM 5.2's rainfall interface files ([FILES] SAVE RAINFALL / USE RAINFALL; User's Manual,
// Interface Files): the readings of the rain gages that read rain files (a FILE source), gathered
// once into one binary file that later runs read instead of the rain files. The layout: the stamp
// "SWMM5-RAIN", the number of gages (4-byte integer), per gage its station (1,025 bytes, a
// NUL-terminated name: SWMM 5.2's MAXMSG + 1), its recording interval in seconds and the byte
// positions where its readings begin and end (4-byte integers); then per gage its readings: the
// start of the reading's interval as SWMM's date (an 8-byte day number: days from 30 December 1899
// and the time of day as a fraction) and the depth that fell in it in inches (a 4-byte float). SI
// inside.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rencheng::drainage {

/// The gages of a rainfall interface file.
struct RainfallFile {
    struct Gage {
        std::string station;
        int interval_s = 3600;
        std::vector<double> day;     ///< SWMM day numbers of the readings
        std::vector<float> depth_in; ///< inches per interval, as in the file
    };
    std::vector<Gage> gages;

    /// The gage of `station` (SWMM compares the names exactly), or nullptr.
    [[nodiscard]] const Gage* find(const std::string& station) const;

    /// Reads `path`. Throws rencheng::Error naming the file and what is wrong: a missing stamp, a
    /// gage count or interval that is not positive, positions outside the file or not holding
    /// whole readings, a reading that is not a number.
    static RainfallFile read_file(const std::filesystem::path& path);
    /// Same, from the file's bytes; `file` names it in errors.
    static RainfallFile read_bytes(const std::string& bytes, const std::string& file);
    /// The file's bytes (SWMM's layout; a station's unused bytes are zeros).
    [[nodiscard]] std::string to_bytes() const;
    /// Writes to_bytes() to `path` (a temporary file, then renamed).
    void write_file(const std::filesystem::path& path) const;
};

} // namespace rencheng::drainage
