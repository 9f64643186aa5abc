// NCDC TD-3240 / TD-3260 precipitation files (see rain_file.hpp).
#include "drainage/rain_file.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

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

} // namespace

bool is_ncdc_rain_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    double interval = 0;
    return in && file_layout(in, interval) != Layout::kNone;
}

NcdcRain read_ncdc_rain_file(const std::filesystem::path& path, const std::string& station) {
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
    const long wanted = all_digits(station) ? std::strtol(station.c_str(), nullptr, 10) : -1;
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
        std::string sta, units;
        long year = 0, month = 0, day = 0;
        std::size_t k = 0;        // first value group
        std::size_t group = 0;    // its width
        std::size_t hhmm = 0;     // offset of HHMM in a group
        std::size_t value_at = 0; // offset and width of the value
        std::size_t value_len = 0, flag_at = 0;
        if (layout == Layout::kTape) {
            sta = column(line, 3, 6);
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
            std::string division, element, y, m, d;
            ls >> sta >> division >> element >> units >> y >> m >> d;
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
        if (wanted >= 0 && std::strtol(sta.c_str(), nullptr, 10) != wanted)
            continue;
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
                if (accumulating && v < 99999 && v > 0 && end >= accum_start) {
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

} // namespace rencheng::drainage
