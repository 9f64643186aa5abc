// Climate files and SWMM's daily evaporation from them (see climate_file.hpp).
#include "drainage/climate_file.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <optional>
#include <sstream>
#include <string_view>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/network.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

bool whole_number(const std::string& s, int& v) {
    if (s.empty())
        return false;
    char* end = nullptr;
    const long x = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0')
        return false;
    v = static_cast<int>(x);
    return true;
}

/// SWMM's 7-day moving averages of the daily mean temperature and range (climate.c Tma).
struct MovingAverage {
    static constexpr int kDays = 7;
    double tave = 0, trange = 0;
    std::array<double, kDays> ta{}, tr{};
    int count = 0, front = 0;

    void add(double tmin, double tmax) {
        const double a = (tmin + tmax) / 2.0;
        const double r = std::abs(tmax - tmin);
        const double n = count;
        if (count == kDays) {
            tave = (tave * n + a - ta[front]) / n;
            trange = (trange * n + r - tr[front]) / n;
            ta[front] = a;
            tr[front] = r;
            front = (front + 1) % kDays;
        } else {
            tave = (tave * n + a) / (n + 1);
            trange = (trange * n + r) / (n + 1);
            ta[front] = a;
            tr[front] = r;
            ++count;
            ++front;
            if (count == kDays)
                front = 0;
        }
    }
};

constexpr double kMmPerInch = 25.4; // SWMM's MMperINCH

double f_from_c(double c) {
    return 9.0 / 5.0 * c + 32.0;
}

/// C's atoi on `s`: leading blanks, a sign, then digits (0 where there are none).
int leading_int(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-'))
        negative = s[i++] == '-';
    long v = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 100000000; ++i)
        v = v * 10 + (s[i] - '0');
    return static_cast<int>(negative ? -v : v);
}

/// True when `s` is blanks then at least one digit and nothing else (a fixed-width number).
bool blank_padded_digits(std::string_view s) {
    const auto first = s.find_first_not_of(' ');
    if (first == std::string_view::npos)
        return false;
    return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(first), s.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

/// The characters [at, at + n) of `line`, shorter where the line ends first.
std::string_view field(std::string_view line, std::size_t at, std::size_t n) {
    return at >= line.size() ? std::string_view() : line.substr(at, n);
}

/// The climate variables SWMM reads, with the element names NCDC gives them.
enum Var { kTmax, kTmin, kEvap, kWind };

/// The value of `v` in `d` (a `const double&` when `d` is const).
template <class Day> auto& value_of(Day& d, Var v) {
    switch (v) {
    case kTmax:
        return d.tmax;
    case kTmin:
        return d.tmin;
    case kEvap:
        return d.evap;
    case kWind:
        return d.wind;
    }
    return d.wind; // not reached: every Var is a case
}

ClimateDay no_values(int year, int month, int day, int line) {
    ClimateDay d;
    d.year = year;
    d.month = month;
    d.day = day;
    d.line = line;
    d.tmax = d.tmin = d.evap = d.wind = kMissing;
    return d;
}

/// A GHCN-Daily file's header: where its DATE and element columns start (SWMM isGhcndFormat).
struct GhcndColumns {
    std::size_t date = std::string::npos;
    std::array<std::size_t, 4> at{std::string::npos, std::string::npos, std::string::npos,
                                  std::string::npos};
    bool wind_is_movement = true; ///< WDMV (daily wind movement) rather than AWND (mean speed)
};

std::optional<GhcndColumns> ghcnd_columns(std::string_view header) {
    GhcndColumns c;
    c.date = header.find("DATE");
    if (c.date == std::string_view::npos)
        return std::nullopt;
    c.at[kTmin] = header.find("TMIN");
    c.at[kTmax] = header.find("TMAX");
    c.at[kEvap] = header.find("EVAP");
    c.at[kWind] = header.find("WDMV");
    if (c.at[kWind] == std::string_view::npos) {
        c.wind_is_movement = false;
        c.at[kWind] = header.find("AWND");
    }
    if (std::all_of(c.at.begin(), c.at.end(),
                    [](std::size_t p) { return p == std::string_view::npos; }))
        return std::nullopt;
    return c;
}

/// SWMM getFileFormat's test for its own format: `%s %d %d %d %s` matches five items.
bool looks_user_prepared(std::string_view line) {
    std::vector<std::string_view> tok;
    std::size_t i = 0;
    while (tok.size() < 5) {
        i = line.find_first_not_of(" \t", i);
        if (i == std::string_view::npos)
            break;
        const std::size_t j = std::min(line.find_first_of(" \t", i), line.size());
        tok.push_back(line.substr(i, j - i));
        i = j;
    }
    if (tok.size() < 5)
        return false;
    for (std::size_t k = 1; k <= 3; ++k) {
        std::string_view t = tok[k];
        if (!t.empty() && (t[0] == '+' || t[0] == '-'))
            t.remove_prefix(1);
        if (t.empty() || !std::isdigit(static_cast<unsigned char>(t[0])))
            return false;
    }
    return true;
}

/// A GHCN-Daily `.dly` line: an 11-character station, year, month and a 4-letter element.
bool looks_dly_ghcn(std::string_view line) {
    if (line.size() < 21 + 8)
        return false;
    return std::all_of(line.begin() + 11, line.begin() + 17,
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
           std::all_of(line.begin() + 17, line.begin() + 21,
                       [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
}

/// SWMM getFileFormat, in its order; nullopt for none of them.
std::optional<ClimateFormat> detect_format(std::string_view first) {
    if (field(first, 0, 3) == "DLY" && field(first, 23, 4) == "9999")
        return ClimateFormat::kTd3200;
    if (looks_dly_ghcn(first)) // refused before SWMM's DLY02/04 test could misread it
        return std::nullopt;
    if (first.size() + 1 >= 233) { // SWMM counts the line's end in its 233 characters
        const int element = leading_int(field(first, 13, 3));
        if (element == 1 || element == 2 || element == 151)
            return ClimateFormat::kDly0204;
    }
    if (looks_user_prepared(first))
        return ClimateFormat::kUserPrepared;
    if (ghcnd_columns(first))
        return ClimateFormat::kGhcnd;
    return std::nullopt;
}

/// The parser of one format: fills `out` from each line in turn.
class ClimateParser {
public:
    ClimateParser(const std::string& file, bool si, ClimateUnits units, ClimateFile& out)
        : file_(file), si_(si), units_(units), out_(out) {
        if (units_ == ClimateUnits::kAsModel)
            units_ = si ? ClimateUnits::kCelsius : ClimateUnits::kFahrenheit;
    }

    void header(std::string_view line) {
        if (out_.format == ClimateFormat::kGhcnd)
            columns_ = *ghcnd_columns(line);
    }

    void parse(std::string_view line, int number, bool first) {
        number_ = number;
        switch (out_.format) {
        case ClimateFormat::kUserPrepared:
            user_prepared(line);
            break;
        case ClimateFormat::kTd3200:
            td3200(line);
            break;
        case ClimateFormat::kDly0204:
            dly0204(line);
            break;
        case ClimateFormat::kGhcnd:
            if (!first) // the header is no day
                ghcnd(line);
            break;
        }
    }

private:
    std::string where() const { return file_ + ":" + std::to_string(number_) + ": climate file: "; }
    [[noreturn]] void fail(ErrorCode code, const std::string& what) const {
        throw Error(code, where() + what);
    }
    void check_month(int month, std::string_view text) const {
        if (month < 1 || month > 12)
            fail(ErrorCode::kOutOfRange, "month '" + std::string(text) + "' is not 1 to 12");
    }
    /// A fixed-width year and month (TD-3200, DLY02/04).
    void fixed_date(std::string_view line, std::size_t year_at, std::size_t month_at,
                    const char* format, int& year, int& month) const {
        const std::string_view y = field(line, year_at, 4), m = field(line, month_at, 2);
        if (!blank_padded_digits(y))
            fail(ErrorCode::kNumberSyntax,
                 std::string(format) + " year (columns " + std::to_string(year_at + 1) + "-" +
                     std::to_string(year_at + 4) + ") '" + std::string(y) + "' is not a number");
        if (!blank_padded_digits(m))
            fail(ErrorCode::kNumberSyntax,
                 std::string(format) + " month (columns " + std::to_string(month_at + 1) + "-" +
                     std::to_string(month_at + 2) + ") '" + std::string(m) + "' is not a number");
        year = leading_int(y);
        month = leading_int(m);
        check_month(month, m);
    }
    /// One value of a day (the entry for the day is made or extended).
    void put(std::vector<ClimateDay>& line_days, int year, int month, int day, Var v, double x) {
        for (auto& d : line_days)
            if (d.day == day) {
                value_of(d, v) = x; // a later value of the day on the line wins, as in SWMM
                return;
            }
        line_days.push_back(no_values(year, month, day, number_));
        value_of(line_days.back(), v) = x;
    }
    /// The line's days, or one entry of day 0 that keeps its month in the file's order.
    void emit(std::vector<ClimateDay>& line_days, int year, int month) {
        if (line_days.empty())
            line_days.push_back(no_values(year, month, 0, number_));
        out_.days.insert(out_.days.end(), line_days.begin(), line_days.end());
    }

    // `station year month day Tmax Tmin Evap Wind` (SWMM parseUserFileLine)
    void user_prepared(std::string_view text) {
        const std::string line(text);
        std::istringstream ls(line);
        std::vector<std::string> tok;
        for (std::string t; ls >> t;)
            tok.push_back(t);
        ClimateDay d = no_values(0, 0, 0, number_);
        if (tok.size() < 4 || !whole_number(tok[1], d.year) || !whole_number(tok[2], d.month) ||
            !whole_number(tok[3], d.day))
            fail(ErrorCode::kNumberSyntax,
                 "'" + line + "' is not 'station year month day [Tmax Tmin Evap Wind]'");
        check_month(d.month, tok[2]);
        if (d.day < 1 || d.day > 31) { // SWMM reads no value from it
            d.day = 0;
            out_.days.push_back(d);
            return;
        }
        static const char* names[4] = {"Tmax", "Tmin", "Evap", "Wind"};
        for (std::size_t k = 0; k < 4; ++k) {
            if (4 + k >= tok.size() || tok[4 + k][0] == '*')
                continue;
            char* end = nullptr;
            const double x = std::strtod(tok[4 + k].c_str(), &end);
            if (*end != '\0' || !std::isfinite(x))
                fail(ErrorCode::kNumberSyntax,
                     std::string(names[k]) + " '" + tok[4 + k] + "' is not a number");
            value_of(d, static_cast<Var>(k)) = x;
        }
        if (si_) { // SWMM keeps temperatures in °F
            if (!std::isnan(d.tmax))
                d.tmax = f_from_c(d.tmax);
            if (!std::isnan(d.tmin))
                d.tmin = f_from_c(d.tmin);
        }
        out_.days.push_back(d);
    }

    // NCDC TD-3200 (SWMM readTD3200FileLine, parseTD3200FileLine, setTD3200FileValues): columns
    // 1-3 `DLY`, 12-15 the element, 18-21 the year, 22-23 the month, 28-30 the number of values,
    // then per value 12 columns: day, hour, sign, 5 digits, measurement and quality flags.
    void td3200(std::string_view line) {
        if (line.size() + 1 < 30)
            fail(ErrorCode::kNumberSyntax, "a TD-3200 record is at least 30 characters long, "
                                           "this one " +
                                               std::to_string(line.size()));
        if (field(line, 0, 3) != "DLY")
            fail(ErrorCode::kUnknownValue, "TD-3200 record type (columns 1-3) '" +
                                               std::string(field(line, 0, 3)) + "' is not DLY");
        int year = 0, month = 0;
        fixed_date(line, 17, 21, "TD-3200", year, month);
        const std::string_view element = field(line, 11, 4);
        std::optional<Var> var;
        if (element == "TMAX")
            var = kTmax;
        else if (element == "TMIN")
            var = kTmin;
        else if (element == "EVAP")
            var = kEvap;
        else if (element == "WDMV")
            var = kWind;
        std::vector<ClimateDay> line_days;
        if (var) {
            const std::string_view count = field(line, 27, 3);
            if (!blank_padded_digits(count))
                fail(ErrorCode::kNumberSyntax, "TD-3200 number of values (columns 28-30) '" +
                                                   std::string(count) + "' is not a number");
            const int n = leading_int(count);
            // SWMM counts the line's end among the characters it asks for
            if (line.size() + 1 < static_cast<std::size_t>(30 + 12 * n))
                fail(ErrorCode::kNumberSyntax, "TD-3200 record of " + std::to_string(n) +
                                                   " values needs " + std::to_string(30 + 12 * n) +
                                                   " characters, this one has " +
                                                   std::to_string(line.size()));
            for (int j = 0; j < n; ++j) {
                const std::size_t k = 30 + 12 * static_cast<std::size_t>(j);
                const std::string column = "TD-3200 value " + std::to_string(j + 1) + " (columns " +
                                           std::to_string(k + 1) + "-" + std::to_string(k + 12) +
                                           ")";
                const std::string_view day = field(line, k, 2), value = field(line, k + 5, 5);
                const char quality = k + 11 < line.size() ? line[k + 11] : '\0';
                if (!blank_padded_digits(day))
                    fail(ErrorCode::kNumberSyntax,
                         column + ": day '" + std::string(day) + "' is not a number");
                if (value != "99999" && !blank_padded_digits(value))
                    fail(ErrorCode::kNumberSyntax,
                         column + ": value '" + std::string(value) + "' is not a number");
                const int d = leading_int(day);
                // SWMM takes a value whose quality flag is 0 or 1 (valid) and ignores the
                // measurement flag; 99999 is missing
                if (value == "99999" || (quality != '0' && quality != '1') || d < 1 || d > 31)
                    continue;
                double x = leading_int(value);
                if (field(line, k + 4, 1) == "-")
                    x = -x;
                if (*var == kEvap) // hundredths of an inch
                    x = x / 100.0 * (si_ ? kMmPerInch : 1.0);
                else if (*var == kWind) // miles of wind movement a day, as mph
                    x /= 24.0;
                put(line_days, year, month, d, *var, x);
            }
        }
        emit(line_days, year, month);
    }

    // Environment Canada DLY02/DLY04 (SWMM readDLY0204FileLine, parseDLY0204FileLine): columns
    // 1-7 the station, 8-11 the year, 12-13 the month, 14-16 the element (001 maximum, 002
    // minimum temperature, 151 evaporation), then 31 days of 7 columns: sign, 5 digits, flag.
    void dly0204(std::string_view line) {
        if (line.size() + 1 < 16)
            fail(ErrorCode::kNumberSyntax,
                 "a DLY02/DLY04 line is at least 16 characters long, this one " +
                     std::to_string(line.size()));
        int year = 0, month = 0;
        fixed_date(line, 7, 11, "DLY02/DLY04", year, month);
        const int element = leading_int(field(line, 13, 3));
        std::vector<ClimateDay> line_days;
        if (element == 1 || element == 2 || element == 151) {
            if (line.size() + 1 < 233)
                fail(ErrorCode::kNumberSyntax, "a DLY02/DLY04 line of element " +
                                                   std::to_string(element) +
                                                   " holds 31 days in 233 characters, this one " +
                                                   std::to_string(line.size()));
            const Var var = element == 1 ? kTmax : element == 2 ? kTmin : kEvap;
            for (int j = 1; j <= 31; ++j) {
                const std::size_t k = 16 + 7 * static_cast<std::size_t>(j - 1);
                const std::string_view value = field(line, k + 1, 5);
                // 99999 or blanks are missing; SWMM ignores the flag (M, E, T, ...)
                if (value == "99999" || value == "     ")
                    continue;
                if (!blank_padded_digits(value))
                    fail(ErrorCode::kNumberSyntax,
                         "DLY02/DLY04 day " + std::to_string(j) + " (columns " +
                             std::to_string(k + 1) + "-" + std::to_string(k + 7) + ") '" +
                             std::string(field(line, k, 7)) + "' is not a number");
                double x = leading_int(value) / 10.0; // tenths of °C or of mm
                if (var == kEvap) {
                    if (!si_) // SWMM applies no sign to evaporation
                        x /= kMmPerInch;
                } else {
                    if (field(line, k, 1) == "-")
                        x = -x;
                    x = f_from_c(x);
                }
                put(line_days, year, month, j, var, x);
            }
        }
        emit(line_days, year, month);
    }

    // NCDC GHCN-Daily in Climate Data Online's text form (SWMM readGhcndFileLine,
    // parseGhcndFileLine, convertGhcndValue): the header's DATE, TMAX, TMIN, EVAP and WDMV or
    // AWND columns; each day's line has YYYYMMDD under DATE and a number under each element
    // (±9999 or beyond missing).
    void ghcnd(std::string_view line) {
        // SWMM's `%4d%2d%2d` under DATE: blanks skipped, then the date
        const std::size_t at = std::min(line.find_first_not_of(" \t", columns_.date), line.size());
        const std::string_view date = field(line, at, 8);
        // a line with no date under DATE (the dashes under the header, a repeated header) is
        // passed over, as SWMM passes it over
        if (date.empty() || !std::isdigit(static_cast<unsigned char>(date[0])))
            return;
        if (date.size() < 8 || !std::all_of(date.begin(), date.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            }))
            fail(ErrorCode::kNumberSyntax, "GHCN-Daily DATE (column " + std::to_string(at + 1) +
                                               ") '" + std::string(date) + "' is not YYYYMMDD");
        const int year = leading_int(date.substr(0, 4)), month = leading_int(date.substr(4, 2));
        int day = leading_int(date.substr(6, 2));
        check_month(month, date.substr(4, 2));
        if (day < 1 || day > 31)
            day = 0;
        ClimateDay d = no_values(year, month, day, number_);
        static const char* names[4] = {"TMAX", "TMIN", "EVAP", "wind"};
        for (int v = kTmax; day > 0 && v <= kWind; ++v) {
            const std::size_t from = columns_.at[static_cast<std::size_t>(v)];
            if (from == std::string::npos || from >= line.size())
                continue;
            // SWMM's `%8lf` there: blanks skipped, then a number of at most 8 characters
            const std::size_t first = line.find_first_not_of(" \t", from);
            if (first == std::string_view::npos)
                continue;
            const std::string text(field(line, first, 8));
            char* end = nullptr;
            const double x = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || !std::isfinite(x))
                fail(ErrorCode::kNumberSyntax, std::string("GHCN-Daily ") + names[v] + " (column " +
                                                   std::to_string(from + 1) + ") '" + text +
                                                   "' is not a number");
            if (std::abs(x) < 9999.0)
                value_of(d, static_cast<Var>(v)) = ghcnd_value(static_cast<Var>(v), x);
        }
        out_.days.push_back(d);
    }

    /// SWMM convertGhcndValue: a GHCN-Daily value in the file's units to SWMM's (°F, in/day or
    /// mm/day, mph).
    double ghcnd_value(Var v, double x) const {
        constexpr double kMilesPerKm = 0.62137; // SWMM's factor
        switch (v) {
        case kTmax:
        case kTmin:
            return units_ == ClimateUnits::kTenthsCelsius ? f_from_c(x / 10.0)
                   : units_ == ClimateUnits::kCelsius     ? f_from_c(x)
                                                          : x;
        case kEvap: {
            double mm = units_ == ClimateUnits::kTenthsCelsius ? x / 10.0
                        : units_ == ClimateUnits::kCelsius     ? x
                                                               : x * kMmPerInch;
            // SWMM converts a metric file's mm to inches but keeps an F file's inches as they
            // are in a US model (x·25.4/25.4 here)
            return si_ ? mm : (units_ == ClimateUnits::kFahrenheit ? x : mm / kMmPerInch);
        }
        case kWind:
            if (columns_.wind_is_movement) // a day's movement, km or miles
                return units_ == ClimateUnits::kFahrenheit ? x / 24.0 : x * kMilesPerKm / 24.0;
            if (units_ == ClimateUnits::kFahrenheit)
                return x;
            return (units_ == ClimateUnits::kTenthsCelsius ? x / 10.0 : x) / 1000.0 * kMilesPerKm *
                   3600.0;
        }
        return x; // not reached: every Var is a case
    }

    const std::string& file_;
    bool si_;
    ClimateUnits units_;
    ClimateFile& out_;
    GhcndColumns columns_;
    int number_ = 0;
};

} // namespace

ClimateFile read_climate_file(const std::filesystem::path& path, bool si, ClimateUnits units) {
    return parse_climate_file(rencheng::read_file(path), path.string(), si, units);
}

ClimateFile parse_climate_file(const std::string& text, const std::string& file, bool si,
                               ClimateUnits units) {
    ClimateFile out;
    std::optional<ClimateParser> parser;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        const bool first = !parser;
        if (first) { // SWMM getFileFormat: the format is the first line's
            const auto format = detect_format(line);
            const std::string where = file + ":" + std::to_string(number) + ": climate file: ";
            if (!format && looks_dly_ghcn(line))
                throw Error(ErrorCode::kUnsupported,
                            where + "a GHCN-Daily .dly file (station, year, month, element, "
                                    "31 values) is not read, as SWMM 5.2.4 does not read it; "
                                    "GHCN-Daily is read as Climate Data Online's text output "
                                    "(a header line naming DATE, TMAX, TMIN, EVAP, WDMV or AWND)");
            if (!format)
                throw Error(ErrorCode::kUnsupported,
                            where + "the first line is of no climate file format SWMM 5.2 "
                                    "reads: user-prepared 'station year month day Tmax Tmin "
                                    "Evap Wind', NCDC TD-3200, DLY02/DLY04 or GHCN-Daily (a "
                                    "header naming DATE and TMAX, TMIN, EVAP, WDMV or AWND; "
                                    "SWMM error 338)");
            if (*format == ClimateFormat::kGhcnd && line.find(',') != std::string::npos)
                throw Error(ErrorCode::kUnsupported,
                            where + "a GHCN-Daily file in Climate Data Online's CSV form is not "
                                    "read: SWMM reads its text form, by the header's columns");
            out.format = *format;
            parser.emplace(file, si, units, out);
            parser->header(line);
        }
        parser->parse(line, number, first);
    }
    return out;
}

double hargreaves_mm_day(int day_of_year, double latitude_deg, double tave_f, double trange_f) {
    const double a = 2.0 * std::numbers::pi / 365.0;
    const double ta = (tave_f - 32.0) * 5.0 / 9.0;             // mean temperature, °C
    const double tr = trange_f * 5.0 / 9.0;                    // mean daily range, °C
    const double lambda = 2.50 - 0.002361 * ta;                // latent heat of vaporisation, MJ/kg
    const double dr = 1.0 + 0.033 * std::cos(a * day_of_year); // inverse relative distance
    const double phi = latitude_deg * 2.0 * std::numbers::pi / 360.0;
    const double delta = 0.4093 * std::sin(a * (284.0 + day_of_year)); // solar declination
    const double omega = std::acos(std::clamp(-std::tan(phi) * std::tan(delta), -1.0, 1.0));
    const double ra = 37.6 * dr *
                      (omega * std::sin(phi) * std::sin(delta) +
                       std::cos(phi) * std::cos(delta) * std::sin(omega)); // extraterrestrial
    const double e = 0.0023 * ra / lambda * std::sqrt(tr) * (ta + 17.8);
    return std::max(e, 0.0);
}

namespace {

/// The climate file a model names and the values of it in force on each day of a run.
struct ClimateWalk {
    double latitude = 40.0; ///< SNOWMELT's 5th value (SWMM's default 40°)
    std::int64_t first_day_s = 0;
    std::vector<ClimateDay> days; ///< per run day from the first, no value missing
};

/// SWMM's reading of the climate file over a run (climate.c climate_openFile, readFileValues,
/// updateFileValues): the file is read in order, a month at a time. Lines before the first one
/// of the start month (the [TEMPERATURE] FILE line's start date, else the run's) are passed over;
/// a month's values are those of the lines that follow up to the first line of a later year or
/// a later month of the year (a later line of a day overwrites the values it gives). The first
/// run day takes the file's start day, each later day the file's next day; a value the file
/// lacks keeps the day before's (70 °F for the temperatures, 0 for evaporation and wind before
/// any). `what` names the user in errors.
ClimateWalk walk_climate_file(const Network& net, const std::filesystem::path& base_dir, int days,
                              const std::string& what) {
    ClimateWalk out;
    std::string name;
    std::optional<CalendarTime> file_start;
    ClimateUnits units = ClimateUnits::kAsModel;
    if (const auto* raw = net.raw_section("TEMPERATURE"))
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const std::string where =
                net.source_file + ":" + std::to_string(raw->line[r]) + ": [TEMPERATURE] ";
            if (row.empty())
                continue;
            std::string key = row[0];
            for (auto& c : key)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (key == "FILE" && row.size() >= 2) {
                name = row[1];
                file_start.reset();
                if (row.size() >= 3 && row[2] != "*") {
                    file_start = parse_swmm_date(row[2]);
                    if (!file_start)
                        throw Error(ErrorCode::kNumberSyntax,
                                    where + "start date '" + row[2] + "' is not month/day/year");
                }
                units = ClimateUnits::kAsModel;
                if (row.size() >= 4) { // SWMM 5.2: a GHCN-Daily file's units
                    std::string u = row[3];
                    for (auto& c : u)
                        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                    if (u == "C10")
                        units = ClimateUnits::kTenthsCelsius;
                    else if (u == "C")
                        units = ClimateUnits::kCelsius;
                    else if (u == "F")
                        units = ClimateUnits::kFahrenheit;
                    else
                        throw Error(ErrorCode::kUnknownValue, where + "climate file units '" +
                                                                  row[3] + "' are not C10, C or F");
                }
            } else if (key == "SNOWMELT" && row.size() >= 6) {
                char* end = nullptr;
                out.latitude = std::strtod(row[5].c_str(), &end);
                if (*end != '\0' || !(out.latitude > -89.99 && out.latitude < 89.99))
                    throw Error(ErrorCode::kOutOfRange,
                                where + "latitude '" + row[5] + "' is not between -90 and 90");
            }
        }
    if (name.empty())
        throw Error(ErrorCode::kMissingKey,
                    net.source_file + ": " + what +
                        " needs a climate file ([TEMPERATURE] FILE name; SWMM error 336)");
    const std::filesystem::path dir =
        base_dir.empty() ? std::filesystem::path(net.source_file).parent_path() : base_dir;
    std::filesystem::path path(name);
    if (path.is_relative())
        path = dir / path;
    const ClimateFile file = read_climate_file(path, is_si(net.options.flow_units), units);
    const std::vector<ClimateDay>& lines = file.days;
    const CalendarTime sim0{net.options.start.year, net.options.start.month, net.options.start.day,
                            0};
    CalendarTime fd = file_start ? *file_start : sim0; // the file's day being read
    std::size_t next = 0;
    while (next < lines.size() && !(lines[next].year == fd.year && lines[next].month == fd.month))
        ++next;
    if (next == lines.size())
        throw Error(ErrorCode::kOutOfRange, path.string() + ": climate file: no day of " +
                                                std::to_string(fd.month) + "/" +
                                                std::to_string(fd.year) +
                                                ", where the run starts reading it (SWMM error "
                                                "338)");
    // one month of the file: per day 1..31, the values its lines give
    std::array<ClimateDay, 32> month{};
    const auto read_month = [&](int year, int m) {
        month.fill(no_values(year, m, 0, 0));
        for (; next < lines.size(); ++next) {
            const ClimateDay& d = lines[next];
            if (d.year > year || d.month > m) // SWMM's test, which a line of an earlier
                break;                        // month of the year does not stop
            if (d.day < 1 || d.day > 31)
                continue;
            auto& to = month[static_cast<std::size_t>(d.day)];
            for (const Var v : {kTmax, kTmin, kEvap, kWind})
                if (!std::isnan(value_of(d, v)))
                    value_of(to, v) = value_of(d, v);
        }
    };
    read_month(fd.year, fd.month);
    out.first_day_s = seconds_since_epoch(sim0);
    ClimateDay now;
    now.tmin = now.tmax = 70.0;
    for (int k = 0; k <= days; ++k) {
        if (k > 0) {
            const int month_was = fd.month;
            fd = calendar_from_seconds(seconds_since_epoch(fd) + 86400);
            if (fd.month != month_was)
                read_month(fd.year, fd.month);
        }
        const ClimateDay& d = month[static_cast<std::size_t>(fd.day)];
        for (const Var v : {kTmax, kTmin, kEvap, kWind})
            if (!std::isnan(value_of(d, v)))
                value_of(now, v) = value_of(d, v);
        const CalendarTime sd =
            calendar_from_seconds(out.first_day_s + static_cast<Seconds>(k) * 86400);
        now.year = sd.year;
        now.month = sd.month;
        now.day = sd.day;
        out.days.push_back(now);
    }
    return out;
}

} // namespace

DailyEvaporation daily_evaporation(const Network& net, const std::filesystem::path& base_dir,
                                   int days, const std::array<double, 12>& temp_adjust_f,
                                   const std::array<double, 12>& evap_adjust_ms) {
    const auto& ev = net.evaporation;
    const bool temperature = ev.type == EvaporationType::kTemperature;
    const ClimateWalk walk =
        walk_climate_file(net, base_dir, days,
                          std::string("[EVAPORATION] ") + (temperature ? "TEMPERATURE" : "FILE"));
    DailyEvaporation out;
    out.first_day_s = walk.first_day_s;
    out.changes_at_midnight = !temperature;
    const UnitFactors units = unit_factors(net.options.flow_units);
    MovingAverage ma;
    for (int k = 0; k <= days; ++k) {
        const ClimateDay& d = walk.days[static_cast<std::size_t>(k)];
        const Seconds day_s = out.first_day_s + static_cast<Seconds>(k) * 86400;
        const auto m = static_cast<std::size_t>(d.month - 1);
        double rate = 0;
        if (temperature) {
            double lo = d.tmin + temp_adjust_f[m], hi = d.tmax + temp_adjust_f[m];
            if (lo > hi)
                std::swap(lo, hi);
            ma.add(lo, hi);
            const int doy =
                static_cast<int>((day_s - seconds_since_epoch({d.year, 1, 1, 0})) / 86400) + 1;
            rate = hargreaves_mm_day(doy, walk.latitude, ma.tave, ma.trange) / 1000.0 / 86400.0;
        } else {
            const double pan = ev.has_pan_coefficients ? ev.pan_coefficients[m] : 1.0;
            rate = d.evap * units.evap_rate * pan;
        }
        out.rate_ms.push_back(rate + evap_adjust_ms[m]);
    }
    return out;
}

DailyClimate daily_climate(const Network& net, const std::filesystem::path& base_dir, int days) {
    const ClimateWalk walk = walk_climate_file(net, base_dir, days, "[TEMPERATURE] snowmelt");
    DailyClimate out;
    out.first_day_s = walk.first_day_s;
    out.days = walk.days;
    return out;
}

} // namespace rencheng::drainage
