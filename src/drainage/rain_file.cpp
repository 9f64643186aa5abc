// Rain gage files in the NCDC and Environment Canada formats SWMM 5.2 reads (see rain_file.hpp).
#include "drainage/rain_file.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {

namespace {

constexpr double kInch = 0.0254;

enum class Layout { kNone, kTape, kSpaceDelimited };

/// Recording interval of an NCDC element code, 0 for an unknown one.
double element_interval_s(const std::string& e) {
    if (e == "HPCP")
        return 3600;
    if (e == "QPCP" || e == "QGAG")
        return 900;
    return 0;
}

bool all_digits(const std::string& s) {
    if (s.empty())
        return false;
    for (const char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return false;
    return true;
}

std::string column(const std::string& line, std::size_t pos, std::size_t len) {
    return pos < line.size() ? line.substr(pos, len) : std::string();
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
        ++i;
    return s.substr(i);
}

/// The layout of one line, and its element's interval.
Layout classify(const std::string& line, double& interval_s) {
    // tape: "HPD" + station (6 digits) + division (2 digits) + element
    if (line.size() > 30 && std::isalpha(static_cast<unsigned char>(line[0])) &&
        all_digits(column(line, 3, 6)) && all_digits(column(line, 9, 2))) {
        interval_s = element_interval_s(column(line, 11, 4));
        if (interval_s > 0)
            return Layout::kTape;
    }
    std::istringstream in(line);
    std::string station, division, element;
    if (in >> station >> division >> element && station.size() == 6 && all_digits(station) &&
        all_digits(division)) {
        interval_s = element_interval_s(element);
        if (interval_s > 0)
            return Layout::kSpaceDelimited;
    }
    return Layout::kNone;
}

/// Layout of a file: the first of its first five lines that is a record.
Layout file_layout(std::istream& in, double& interval_s) {
    std::string line;
    for (int i = 0; i < 5 && std::getline(in, line); ++i) {
        const Layout l = classify(line, interval_s);
        if (l != Layout::kNone)
            return l;
    }
    return Layout::kNone;
}

bool date_exists(long year, long month, long day) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= (month == 2 && leap ? 29 : kDays[month - 1]);
}

} // namespace

bool before_rain_start(long year, long month, long day, std::optional<units::Seconds> start_day_s) {
    if (!start_day_s)
        return false;
    if (!date_exists(year, month, day))
        return true;
    return seconds_since_epoch({static_cast<int>(year), static_cast<int>(month),
                                static_cast<int>(day), 0}) < *start_day_s;
}

bool is_ncdc_rain_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    double interval = 0;
    return in && file_layout(in, interval) != Layout::kNone;
}

NcdcRain read_ncdc_rain_file(const std::filesystem::path& path,
                             std::optional<units::Seconds> start_day_s) {
    std::ifstream in(path);
    if (!in)
        throw Error(ErrorCode::kFileNotFound, "rain file " + path.string() + " cannot be read");
    NcdcRain out;
    const Layout layout = file_layout(in, out.interval_s);
    if (layout == Layout::kNone)
        throw Error(ErrorCode::kUnsupported,
                    path.string() + ": not an NCDC TD-3240/3260 precipitation file");
    in.clear();
    in.seekg(0);
    const auto step = static_cast<units::Seconds>(out.interval_s);
    units::Seconds accum_start = 0; // end time of the first accumulated interval
    bool accumulating = false;
    std::string line;
    int line_no = 0;
    auto fail = [&](const std::string& field, const std::string& text) {
        throw Error(ErrorCode::kNumberSyntax, path.string() + ":" + std::to_string(line_no) + ": " +
                                                  field + " '" + text + "' is not a number");
    };
    auto number = [&](const std::string& field, const std::string& text) {
        const std::string t = trim(text);
        char* end = nullptr;
        const long v = std::strtol(t.c_str(), &end, 10);
        if (t.empty() || *end != '\0')
            fail(field, text);
        return v;
    };
    while (std::getline(in, line)) {
        ++line_no;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        double interval = 0;
        if (classify(line, interval) != layout)
            continue; // header or blank line
        if (interval != out.interval_s)
            throw Error(ErrorCode::kUnsupported, path.string() + ":" + std::to_string(line_no) +
                                                     ": elements of different intervals in one "
                                                     "file");
        // the station (columns 4-9, or the first field) is not read: SWMM takes every
        // station's records (rain.c readNWSLine)
        std::string units;
        long year = 0, month = 0, day = 0;
        std::size_t k = 0;        // first value group
        std::size_t group = 0;    // its width
        std::size_t hhmm = 0;     // offset of HHMM in a group
        std::size_t value_at = 0; // offset and width of the value
        std::size_t value_len = 0, flag_at = 0;
        if (layout == Layout::kTape) {
            units = column(line, 15, 2);
            year = number("year", column(line, 17, 4));
            month = number("month", column(line, 21, 2));
            day = number("day", column(line, 23, 4));
            k = 30;
            group = 12;
            hhmm = 0;
            value_at = 4;
            value_len = 6;
            flag_at = 10;
        } else {
            std::istringstream ls(line);
            std::string station, division, element, y, m, d;
            ls >> station >> division >> element >> units >> y >> m >> d;
            year = number("year", y);
            month = number("month", m);
            day = number("day", d);
            k = 28;
            group = 16;
            hhmm = 1;
            value_at = 5;
            value_len = 7;
            flag_at = 13;
        }
        if (before_rain_start(year, month, day, start_day_s))
            continue; // before the gage's start date: skipped unread, flags and all (SWMM)
        if (units != "HI")
            throw Error(ErrorCode::kUnsupported, path.string() + ":" + std::to_string(line_no) +
                                                     ": units '" + units +
                                                     "' (only HI, hundredths of an inch, is read)");
        if (month < 1 || month > 12 || day < 1 || day > 31)
            throw Error(ErrorCode::kOutOfRange,
                        path.string() + ":" + std::to_string(line_no) + ": date out of range");
        const units::Seconds midnight = seconds_since_epoch(
            {static_cast<int>(year), static_cast<int>(month), static_cast<int>(day), 0});
        for (; k + value_at + value_len <= line.size(); k += group) {
            const std::string time_text = column(line, k + hhmm, 4);
            if (trim(time_text).empty())
                break;
            const long t = number("time", time_text);
            const long hour = t / 100, minute = t % 100;
            if (hour >= 25) // the day's total ends the record
                break;
            const long v = number("value", column(line, k + value_at, value_len));
            const char flag = k + flag_at < line.size() ? line[k + flag_at] : ' ';
            const units::Seconds end = midnight + hour * 3600 + minute * 60;
            if (flag == 'a') {
                accum_start = end;
                accumulating = true;
                continue;
            }
            if (flag == 'A') {
                // a missing total (99999) leaves the period open, so a later 'A' spreads over
                // it too; any other total closes it (rain.c saveAccumRainfall)
                if (!accumulating || v == 99999)
                    continue;
                if (v > 0 && end >= accum_start) {
                    const auto n = (end - accum_start) / step + 1;
                    const double each =
                        static_cast<double>(v) / 100.0 * kInch / static_cast<double>(n);
                    for (units::Seconds i = 0; i < n; ++i)
                        out.depth_m.emplace_back(accum_start - step + i * step, each);
                }
                accumulating = false;
                continue;
            }
            const bool missing = flag == 'M' || flag == '[' || flag == ']' || flag == '{' ||
                                 flag == '}' || v >= 9999;
            if (!missing && v > 0)
                out.depth_m.emplace_back(end - step, static_cast<double>(v) / 100.0 * kInch);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// SWMM 5.2.4's other formats: comma-delimited TD-3240/3260, NCDC online, AES and CMC

namespace {

// SWMM reads a rain file with fgets into a 1024-byte buffer: a longer line comes in pieces of
// 1023 characters, each taken as a line of its own, and a line keeps its '\n'.
constexpr std::size_t kSwmmLineChars = 1023;
constexpr double kMmPerInch = 25.40;

/// The next line as SWMM's fgets gives it (with its '\n', cut at a NUL as strlen would);
/// false at the end of the file.
bool next_swmm_line(std::istream& in, std::string& line) {
    line.clear();
    char c = 0;
    while (line.size() < kSwmmLineChars && in.get(c)) {
        line.push_back(c);
        if (c == '\n')
            break;
    }
    if (line.empty())
        return false;
    if (const auto nul = line.find('\0'); nul != std::string::npos)
        line.resize(nul);
    return true;
}

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// The conversions of C's sscanf(text + pos, format) that SWMM's rain.c uses: %Nd and %Nld
/// (white space skipped, then an optional sign and at least one digit, N characters at most),
/// %Ns (white space skipped, then up to N other characters), %c (the next character, whatever
/// it is) and %f; a space in `format` matches any run of white space, any other character itself.
/// Returns the text of each conversion made, in order, stopping at the first that fails: their
/// number is sscanf's count (its EOF, -1, is 0 here; no caller tells the two apart).
std::vector<std::string> scan_fields(std::string_view text, std::size_t pos,
                                     std::string_view format) {
    std::vector<std::string> out;
    if (pos > text.size())
        pos = text.size();
    auto skip_space = [&] {
        while (pos < text.size() && is_space(text[pos]))
            ++pos;
    };
    for (std::size_t f = 0; f < format.size(); ++f) {
        const char fc = format[f];
        if (fc == ' ') {
            skip_space();
            continue;
        }
        if (fc != '%') {
            if (pos >= text.size() || text[pos] != fc)
                return out;
            ++pos;
            continue;
        }
        std::size_t width = 0;
        while (f + 1 < format.size() && is_digit(format[f + 1]))
            width = width * 10 + static_cast<std::size_t>(format[++f] - '0');
        if (f + 1 < format.size() && format[f + 1] == 'l')
            ++f;
        const char conv = f + 1 < format.size() ? format[++f] : '\0';
        if (width == 0)
            width = text.size();
        if (conv == 'c') {
            if (pos >= text.size())
                return out;
            out.emplace_back(1, text[pos++]);
        } else if (conv == 'd') {
            skip_space();
            std::size_t end = pos;
            if (end < text.size() && (text[end] == '+' || text[end] == '-') && width > 1)
                ++end;
            const std::size_t digits_from = end;
            while (end < text.size() && end - pos < width && is_digit(text[end]))
                ++end;
            if (end == digits_from)
                return out;
            out.emplace_back(text.substr(pos, end - pos));
            pos = end;
        } else if (conv == 's') {
            skip_space();
            std::size_t end = pos;
            while (end < text.size() && end - pos < width && !is_space(text[end]))
                ++end;
            if (end == pos)
                return out;
            out.emplace_back(text.substr(pos, end - pos));
            pos = end;
        } else if (conv == 'f') {
            skip_space();
            const std::string rest(text.substr(pos));
            char* end = nullptr;
            (void)std::strtof(rest.c_str(), &end);
            if (end == rest.c_str())
                return out;
            const auto used = static_cast<std::size_t>(end - rest.c_str());
            out.emplace_back(rest.substr(0, used));
            pos += used;
        } else {
            assert(false && "scan_fields: a conversion rain.c does not use");
            return out;
        }
    }
    return out;
}

long to_long(const std::string& digits) {
    return std::strtol(digits.c_str(), nullptr, 10);
}

/// SWMM's recording interval of an NCDC element (getNWSInterval), 0 for another element.
int nws_interval_s(const std::string& element) {
    if (element == "HPCP")
        return 3600;
    if (element == "QPCP" || element == "QGAG")
        return 900;
    return 0;
}

/// What detection learns of a file (rain.c findFileFormat and findNWSOnlineFormat).
struct RainLayout {
    RainFileFormat format = RainFileFormat::kUnknown;
    int header_lines = 0;     ///< lines before the first record
    int interval_s = 0;       ///< the file's recording interval
    std::size_t date_at = 0;  ///< online: column of the date (11 before the last ':')
    std::size_t value_at = 0; ///< online: column of the HPCP / QPCP heading
};

/// The online layout from the file's first line (the heading) and its first record.
RainLayout online_layout(std::istream& in) {
    RainLayout out;
    in.clear();
    in.seekg(0);
    std::string line;
    if (!next_swmm_line(in, line))
        return out;
    std::size_t at = line.find("HPCP");
    if (at != std::string::npos) {
        out.format = RainFileFormat::kNwsOnlineHourly;
        out.interval_s = 3600;
    } else if ((at = line.find("QPCP")) != std::string::npos) {
        out.format = RainFileFormat::kNwsOnlineFifteen;
        out.interval_s = 900;
    } else {
        return out;
    }
    out.value_at = at;
    for (int n = 0; n < 5; ++n) {
        if (!next_swmm_line(in, line))
            return {};
        if (line.find("COOP:") == std::string::npos)
            continue;
        const std::size_t colon = line.rfind(':');
        // SWMM takes the date to start 11 characters before the time's ':' (yyyymmdd hh:mm);
        // a line where that is before its start cannot be read
        if (colon < 11)
            return {};
        out.date_at = colon - 11;
        return out;
    }
    return {};
}

RainLayout detect_layout(std::istream& in) {
    RainLayout out;
    std::string line;
    for (int line_no = 1; line_no <= 5; ++line_no) {
        if (!next_swmm_line(in, line))
            return {};
        auto f = scan_fields(line, 0, "%6ld %2d %4s");
        if (f.size() == 3 && (out.interval_s = nws_interval_s(f[2])) > 0) {
            out.format = RainFileFormat::kNwsSpaceDelimited;
            return out;
        }
        // SWMM looks at column 37 of a shorter line too, where its buffer still holds an
        // earlier line's text: nothing that did not match then
        if (line.size() > 37) {
            f = scan_fields(line, 37, "%2d %4s %2s %4d");
            if (f.size() == 4 && (out.interval_s = nws_interval_s(f[1])) > 0) {
                out.format = RainFileFormat::kNwsSpaceDelimited;
                return out;
            }
        }
        f = scan_fields(line, 0, "%6ld,%2d,%4s");
        if (f.size() == 3 && (out.interval_s = nws_interval_s(f[2])) > 0) {
            out.format = RainFileFormat::kNwsCommaDelimited;
            return out;
        }
        if (line.size() > 37) {
            // a comma-delimited file with station names: SWMM then reads its dates from column
            // 18, inside the name, so it reads no rain from it
            f = scan_fields(line, 37, "%2d,%4s,%2s,%4d");
            if (f.size() == 4 && (out.interval_s = nws_interval_s(f[1])) > 0) {
                out.format = RainFileFormat::kNwsCommaDelimited;
                return out;
            }
        }
        f = scan_fields(line, 0, "%3s%6ld%2d%4s");
        if (f.size() == 4 && (out.interval_s = nws_interval_s(f[3])) > 0) {
            out.format = RainFileFormat::kNwsTape;
            return out;
        }
        f = scan_fields(line, 0, "%5s%6ld");
        if (f.size() == 2 && f[0] == "COOP:") {
            RainLayout online = online_layout(in);
            online.header_lines = out.header_lines;
            return online;
        }
        out.interval_s = 0;
        f = scan_fields(line, 0, "%7ld%3d%2d%2d%3d");
        if (f.size() == 5 && to_long(f[4]) == 123 && line.size() >= 185) {
            out.format = RainFileFormat::kAesHourly;
            out.interval_s = 3600;
            return out;
        }
        f = scan_fields(line, 0, "%7ld%4d%2d%2d%3d");
        if (f.size() == 5 && to_long(f[4]) == 159 && line.size() >= 691) {
            out.format = RainFileFormat::kCmcFifteen;
            out.interval_s = 900;
            return out;
        }
        if (f.size() == 5 && to_long(f[4]) == 123 && line.size() >= 186) {
            out.format = RainFileFormat::kCmcHourly;
            out.interval_s = 3600;
            return out;
        }
        if (scan_fields(line, 0, "%s %d %d %d %d %d %f").size() == 7) {
            out.format = RainFileFormat::kUserPrepared;
            return out;
        }
        ++out.header_lines;
    }
    return {};
}

int days_in_month(long year, long month) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

/// Reads the records of a file in one of SWMM's NWS (comma, online) or AES/CMC formats.
class NwsCmcReader {
public:
    NwsCmcReader(const std::filesystem::path& path, const RainLayout& layout,
                 std::optional<units::Seconds> start_day_s)
        : path_(path), layout_(layout), start_day_s_(start_day_s) {
        rain_.interval_s = layout.interval_s;
    }

    NcdcRain read(std::istream& in) {
        std::string line;
        for (int i = 0; i < layout_.header_lines; ++i) {
            if (!next_swmm_line(in, line))
                return rain_;
            ++line_no_;
        }
        while (next_swmm_line(in, line)) {
            ++line_no_;
            if (layout_.format == RainFileFormat::kNwsCommaDelimited ||
                layout_.format == RainFileFormat::kNwsOnlineHourly ||
                layout_.format == RainFileFormat::kNwsOnlineFifteen)
                read_nws_line(line);
            else
                read_cmc_line(line);
        }
        return rain_;
    }

private:
    [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
        throw Error(code, path_.string() + ":" + std::to_string(line_no_) + ": " + what);
    }

    [[noreturn]] void bad_field(const std::string& field, std::size_t column,
                                const std::string& line) const {
        std::string text = line.substr(std::min(column, line.size()), 12);
        while (!text.empty() && is_space(text.back()))
            text.pop_back();
        fail(ErrorCode::kNumberSyntax, field + " at column " + std::to_string(column + 1) + " ('" +
                                           text + "') is not a number");
    }

    /// Midnight starting the day, or an error for a date that does not exist.
    units::Seconds day_start(long year, long month, long day) const {
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
            day > days_in_month(year, month))
            fail(ErrorCode::kOutOfRange, "date " + std::to_string(year) + "-" +
                                             std::to_string(month) + "-" + std::to_string(day) +
                                             " does not exist");
        return seconds_since_epoch(
            {static_cast<int>(year), static_cast<int>(month), static_cast<int>(day), 0});
    }

    /// A reading of `inches` (SWMM's float) for the interval ending at `end` (saveRainfall).
    void save(units::Seconds end, float inches) {
        rain_.depth_m.emplace_back(end - layout_.interval_s, static_cast<double>(inches) * kInch);
    }

    /// An accumulated total of `v` hundredths ending at `end`, spread evenly over the intervals
    /// from the 'a' reading on (saveAccumRainfall). A missing total (99999) leaves the period
    /// open, as in SWMM, so a later 'A' spreads over it too.
    void save_accumulation(units::Seconds end, long v) {
        if (!accum_start_)
            return;
        const long n = static_cast<long>((end - *accum_start_) / layout_.interval_s) + 1;
        if (v == 99999)
            return;
        if (n > 0) { // an 'A' before its 'a' spreads nothing
            const float x = static_cast<float>(v) / static_cast<float>(n) / 100.0f;
            if (x > 0.0f)
                for (long j = 0; j < n; ++j)
                    save(*accum_start_ + j * layout_.interval_s, x);
        }
        accum_start_.reset();
    }

    /// One reading of an NWS record: its flags and value (rain.c readNWSLine).
    void nws_reading(units::Seconds day, long hour, long minute, long v, char flag) {
        const units::Seconds end = day + hour * 3600 + minute * 60;
        const bool missing =
            flag == '{' || flag == '}' || flag == '[' || flag == ']' || flag == 'M' || v >= 9999;
        if (flag == 'a') {
            accum_start_ = end;
        } else if (flag == 'A') {
            save_accumulation(end, v);
        } else {
            const float x = static_cast<float>(v) / 100.0f;
            if (x > 0 && !missing)
                save(end, x);
        }
    }

    void read_nws_line(const std::string& line) {
        // SWMM's line length leaves out the last character, taken to be the '\n'
        const std::size_t length = line.empty() ? 0 : line.size() - 1;
        const bool online = layout_.format != RainFileFormat::kNwsCommaDelimited;
        const std::size_t date_at = online ? layout_.date_at : 18;
        if (length <= date_at + (online ? 23 : 10))
            return; // too short to be a record: skipped, as by SWMM
        const auto date = scan_fields(line, date_at, online ? "%4d%2d%2d" : "%4d,%2d,%2d");
        if (date.size() < 3)
            return; // a heading or other text
        // by the line's own date: an online "00:00" reading of the start day, which ends the
        // day before, is kept; one of the day before the start is not (SWMM)
        if (before_rain_start(to_long(date[0]), to_long(date[1]), to_long(date[2]), start_day_s_))
            return;
        units::Seconds day = day_start(to_long(date[0]), to_long(date[1]), to_long(date[2]));
        if (online) {
            // one reading a line: " hh:mm" after the date, the value under the heading
            const std::size_t time_at = date_at + 8;
            const auto t = scan_fields(line, time_at, " %2d:%2d");
            long v = 99999;
            char flag = 0;
            const int n = static_cast<int>(t.size()) + online_value(line, v, flag);
            if (n < 3 || t.empty()) // SWMM skips the reading; we name the broken field
                bad_field(t.size() < 2 ? "time" : "value",
                          t.size() < 2 ? time_at : layout_.value_at, line);
            long hour = to_long(t[0]);
            const long minute = t.size() > 1 ? to_long(t[1]) : 0;
            if (hour == 0) { // the hour ending at midnight is hour 24 of the day before
                hour = 24;
                day -= 86400;
            }
            if (hour < 25)
                nws_reading(day, hour, minute, v, flag);
            return;
        }
        for (std::size_t k = 28; k < length; k += 16) {
            const auto g = scan_fields(line, k, ",%2d%2d,%6ld,%c,%c");
            if (g.size() < 3) {
                // SWMM stops reading the line here; text that is not blank is a broken group
                if (line.find_first_not_of(" \t\r\n", k) == std::string::npos)
                    break;
                bad_field(g.size() < 2 ? "time" : "value", k + (g.size() < 2 ? 1 : 6), line);
            }
            const long hour = to_long(g[0]);
            if (hour >= 25)
                break; // the day's total ends the record
            nws_reading(day, hour, to_long(g[1]), to_long(g[2]), g.size() > 3 ? g[3][0] : '\0');
        }
    }

    /// The value and first flag of an online record (rain.c readNwsOnlineValue): decimal
    /// inches when the rest of the line has a '.', else whole hundredths.
    int online_value(const std::string& line, long& v, char& flag) const {
        if (layout_.value_at >= line.size())
            return 0;
        const std::string_view rest = std::string_view(line).substr(layout_.value_at);
        if (rest.find('.') != std::string_view::npos) {
            const auto f = scan_fields(rest, 0, "%f %c");
            if (f.empty())
                return 0;
            const float x = std::strtof(f[0].c_str(), nullptr);
            const float hundredths = 100.0f * x + 0.5f;
            if (!std::isfinite(hundredths) || std::fabs(hundredths) > 1e9f)
                return 0; // beyond a long: not a value (SWMM's conversion is undefined)
            v = static_cast<long>(hundredths);
            if (f.size() > 1)
                flag = f[1][0];
            return static_cast<int>(f.size());
        }
        const auto f = scan_fields(rest, 0, "%ld %c");
        if (f.empty())
            return 0;
        v = to_long(f[0]);
        if (f.size() > 1)
            flag = f[1][0];
        return static_cast<int>(f.size());
    }

    void read_cmc_line(const std::string& line) {
        const bool aes = layout_.format == RainFileFormat::kAesHourly;
        const auto head = scan_fields(line, 0, aes ? "%7ld%3d%2d%2d%3d" : "%7ld%4d%2d%2d%3d");
        if (head.size() < 5)
            return; // not a record: skipped, as by SWMM
        const long element = to_long(head[4]);
        if (element != (layout_.format == RainFileFormat::kCmcFifteen ? 159 : 123))
            return; // another element
        long year = to_long(head[1]);
        if (aes) // SWMM's reading of the 3-digit year: 0..99 are 2000.., 100.. are 1100..
            year += year < 100 ? 2000 : 1000;
        if (before_rain_start(year, to_long(head[2]), to_long(head[3]), start_day_s_))
            return;
        const units::Seconds day = day_start(year, to_long(head[2]), to_long(head[3]));
        const int count = layout_.format == RainFileFormat::kCmcFifteen ? 96 : 24;
        const units::Seconds step = layout_.format == RainFileFormat::kCmcFifteen ? 900 : 3600;
        std::size_t column = aes ? 17 : 18;
        for (int j = 0; j < count; ++j, column += 7) {
            const auto f = scan_fields(line, column, "%6ld%c");
            if (f.size() < 2) {
                if (line.find_first_not_of(" \t\r\n", column) == std::string::npos)
                    return; // a short line: SWMM reads no further
                bad_field("value " + std::to_string(j + 1), column, line);
            }
            const long v = to_long(f[0]);
            // tenths of a mm; SWMM takes the j-th value to END at j intervals after midnight
            // (the first one ends at midnight), see docs/drainage.md
            const auto x = static_cast<float>(static_cast<double>(v) / 10.0 / kMmPerInch);
            if (x > 0 && v != -99999)
                save(day + j * step, x);
        }
    }

    const std::filesystem::path& path_;
    RainLayout layout_;
    NcdcRain rain_;
    int line_no_ = 0;
    std::optional<units::Seconds> accum_start_;
    std::optional<units::Seconds> start_day_s_; ///< the gage's start date, if any
};

} // namespace

RainFileFormat detect_rain_file_format(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return in ? detect_layout(in).format : RainFileFormat::kUnknown;
}

bool is_nws_cmc_format(RainFileFormat format) {
    switch (format) {
    case RainFileFormat::kNwsCommaDelimited:
    case RainFileFormat::kNwsOnlineHourly:
    case RainFileFormat::kNwsOnlineFifteen:
    case RainFileFormat::kAesHourly:
    case RainFileFormat::kCmcHourly:
    case RainFileFormat::kCmcFifteen:
        return true;
    default:
        return false;
    }
}

NcdcRain read_nws_cmc_rain_file(const std::filesystem::path& path,
                                std::optional<units::Seconds> start_day_s) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::kFileNotFound, "rain file " + path.string() + " cannot be read");
    const RainLayout layout = detect_layout(in);
    if (!is_nws_cmc_format(layout.format))
        throw Error(ErrorCode::kUnsupported,
                    path.string() + ": rain file format not recognised (not comma-delimited "
                                    "NCDC, NCDC online, AES or CMC)");
    in.clear();
    in.seekg(0);
    return NwsCmcReader(path, layout, start_day_s).read(in);
}

} // namespace rencheng::drainage
