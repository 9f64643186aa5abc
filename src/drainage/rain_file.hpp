// Rain gage files in the US National Climatic Data Center's hourly and 15-minute precipitation
// formats (NCDC TD-3240 / DSI-3240 hourly, TD-3260 / DSI-3260 15-minute), which SWMM 5.2 reads
// for a rain gage with a FILE source (SWMM 5.2 User's Manual, Rainfall Data Files):
//   - the fixed-column "tape" record: record type (3, HPD or 15M), station (6), division (2),
//     element (4: HPCP, QPCP, QGAG), units (2), year (4), month (2), day (4), value count (3),
//     then per value hour-minute (4), value (6, hundredths of an inch), two flags;
//   - the space-delimited web record: station (6), division (2), element, units, year, month, day,
//     then per value ` HHMM  vvvvv f f` (16 columns); header lines before the first record.
// A value's time is the END of its recording interval (HHMM = 0100 is the hour from 00:00 to
// 01:00); hour 25 is the day's total and ends the line. Flags: 'M', '[', ']' (missing) and
// '{', '}' (deleted) drop the value, as does 99999; 'a' starts an accumulation period and 'A'
// ends it with the period's total, spread evenly over its intervals; an 'A' total of 99999
// (missing) leaves the period open, as in SWMM 5.2.4 (rain.c saveAccumRainfall).
//
// SWMM 5.2.4's other rain file formats (rain.c), read as SWMM reads them by
// read_nws_cmc_rain_file(): TD-3240/3260 comma-delimited records, the NCDC online (Climate Data
// Online) hourly and 15-minute text, Environment Canada AES hourly records with a 3-digit year
// (HLY01) and CMC hourly (HLY03, HLY21) and 15-minute (FIF21) records. docs/drainage.md has
// each layout and where SWMM departs from the published descriptions.
#pragma once

#include <cstdint>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/units.hpp"

namespace rencheng::drainage {

/// The rainfall read from an NCDC, AES or CMC file (every station the file holds, as SWMM 5.2.4).
struct NcdcRain {
    double interval_s = 3600; ///< 3600 (HPCP) or 900 (QPCP, QGAG)
    /// Start of each interval with rain (seconds since 1899-12-30, as seconds_since_epoch) and
    /// the depth that fell in it, m. Zero values are dropped.
    std::vector<std::pair<units::Seconds, double>> depth_m;
};

/// True when a rain file's record dated `year`-`month`-`day` is skipped for a gage whose
/// [RAINGAGES] line gives the start date `start_day_s` (seconds_since_epoch of its midnight;
/// nullopt: none, nothing is skipped). SWMM 5.2.4 (rain.c) skips the records of a day before the
/// start by the line's own date, and a record whose date does not exist (it reads as day 1 of
/// year 1).
bool before_rain_start(long year, long month, long day, std::optional<units::Seconds> start_day_s);

/// True when the first lines of `path` (up to five, header lines skipped) are NCDC records.
bool is_ncdc_rain_file(const std::filesystem::path& path);

/// Reads every record of an NCDC fixed-column or space-delimited file, whatever its station:
/// SWMM 5.2.4 (rain.c readNWSLine) does not compare the station of these layouts with the
/// gage's, so a file of several stations gives the gage all their readings. Throws
/// rencheng::Error: kFileNotFound when it cannot be read, kNumberSyntax naming file:line and the
/// field for a malformed record, kUnsupported for an element other than HPCP/QPCP/QGAG or units
/// other than hundredths of an inch (HI). `start_day_s`: the gage's start date
/// (before_rain_start); records before it are skipped unread.
NcdcRain read_ncdc_rain_file(const std::filesystem::path& path,
                             std::optional<units::Seconds> start_day_s = std::nullopt);

/// A rain file's format as SWMM 5.2.4 tells it (rain.c findFileFormat).
enum class RainFileFormat : std::uint8_t {
    kUnknown,
    kNwsTape,           ///< TD-3240/3260 fixed columns
    kNwsSpaceDelimited, ///< TD-3240/3260 space-delimited (with or without a station name)
    kNwsCommaDelimited, ///< TD-3240/3260 comma-delimited
    kNwsOnlineHourly,   ///< NCDC online text, HPCP column
    kNwsOnlineFifteen,  ///< NCDC online text, QPCP column
    kAesHourly,         ///< Environment Canada AES HLY01 (3-digit year)
    kCmcHourly,         ///< Environment Canada CMC HLY03 / HLY21
    kCmcFifteen,        ///< Environment Canada CMC FIF21
    kUserPrepared,      ///< SWMM's `station year month day hour minute value`
};

/// The format of `path` as SWMM 5.2.4 detects it: the first of its first five lines that is a
/// record of some format decides (lines before it are headers). kUnknown when none is, or the
/// file cannot be read.
RainFileFormat detect_rain_file_format(const std::filesystem::path& path);

/// True for the formats read_nws_cmc_rain_file() reads (comma-delimited, online, AES, CMC).
bool is_nws_cmc_format(RainFileFormat format);

/// Reads every rain record of a comma-delimited NCDC, NCDC online, AES or CMC file as SWMM 5.2.4
/// does (every station in the file; records of other elements skipped; depths per interval of
/// the file's own interval). Throws rencheng::Error: kFileNotFound when it cannot be read,
/// kUnsupported (E312) when it is not in one of these formats, kNumberSyntax naming file:line
/// and the field for a record field that is not a number, kOutOfRange for an impossible date.
/// `start_day_s`: the gage's start date (before_rain_start); records before it, and records of
/// an impossible date, are skipped unread.
NcdcRain read_nws_cmc_rain_file(const std::filesystem::path& path,
                                std::optional<units::Seconds> start_day_s = std::nullopt);

} // namespace rencheng::drainage
