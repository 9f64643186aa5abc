// EPA SWMM 5.2 .inp reader: lines are collected per section in one pass; object names are
// registered from every section next, so that references resolve whatever the section order;
// then each section is read, and time series are converted once their users are known.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.hpp"
#include "drainage/inlet.hpp"
#include "drainage/lid.hpp"
#include "drainage/quality.hpp"
#include "drainage/section_rows.hpp"
#include "drainage/snow.hpp"
#include "drainage/swmm_inp.hpp"

namespace rencheng::drainage {
namespace {

enum class Section : std::uint8_t {
    kTitle,
    kOptions,
    kFiles,
    kRaingages,
    kEvaporation,
    kSubcatchments,
    kSubareas,
    kInfiltration,
    kJunctions,
    kOutfalls,
    kDividers,
    kStorage,
    kConduits,
    kPumps,
    kOrifices,
    kWeirs,
    kOutlets,
    kXsections,
    kTransects,
    kLosses,
    kControls,
    kInflows,
    kDwf,
    kPatterns,
    kRdii,
    kHydrographs,
    kCurves,
    kTimeseries,
    kReport,
    kMap,
    kCoordinates,
    kVertices,
    kPolygons,
    kSymbols,
    kLabels,
    kBackdrop,
    kTags,
    kRaw, ///< one of kRawSectionNames
    kCount
};

constexpr std::array<std::string_view, static_cast<std::size_t>(Section::kRaw)> kSectionNames = {
    "TITLE",       "OPTIONS",      "FILES",     "RAINGAGES",  "EVAPORATION", "SUBCATCHMENTS",
    "SUBAREAS",    "INFILTRATION", "JUNCTIONS", "OUTFALLS",   "DIVIDERS",    "STORAGE",
    "CONDUITS",    "PUMPS",        "ORIFICES",  "WEIRS",      "OUTLETS",     "XSECTIONS",
    "TRANSECTS",   "LOSSES",       "CONTROLS",  "INFLOWS",    "DWF",         "PATTERNS",
    "RDII",        "HYDROGRAPHS",  "CURVES",    "TIMESERIES", "REPORT",      "MAP",
    "COORDINATES", "VERTICES",     "POLYGONS",  "SYMBOLS",    "LABELS",      "BACKDROP",
    "TAGS"};

/// One data line: its tokens (views into the text, quotes removed) and the whole line.
struct Line {
    int number = 0;
    std::string_view text;
    std::vector<std::string_view> tokens;
};

char upper_char(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = upper_char(c);
    return out;
}

/// SWMM's keyword rule (findmatch/match): `word` matches `keyword` when it starts with it,
/// ignoring case.
bool starts(std::string_view word, std::string_view keyword) {
    if (word.size() < keyword.size() || keyword.empty())
        return false;
    for (std::size_t i = 0; i < keyword.size(); ++i)
        if (upper_char(word[i]) != keyword[i])
            return false;
    return true;
}

bool equals(std::string_view word, std::string_view keyword) {
    return word.size() == keyword.size() && starts(word, keyword);
}

/// Index of the first keyword `word` starts with, or -1.
template <std::size_t N>
int find_keyword(std::string_view word, const std::array<std::string_view, N>& keywords) {
    for (std::size_t i = 0; i < N; ++i)
        if (starts(word, keywords[i]))
            return static_cast<int>(i);
    return -1;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r\n\f\v");
    return s.substr(first, last - first + 1);
}

/// SWMM's getTokens: blanks separate, "..." groups (a quoted name may hold blanks or be empty),
/// ';' starts a comment.
void tokenize(std::string_view text, Line& line) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' ||
            c == '\0') {
            ++i;
            continue;
        }
        if (c == ';')
            return;
        if (c == '"') {
            const auto close = text.find('"', i + 1);
            const std::size_t end = close == std::string_view::npos ? n : close;
            line.tokens.push_back(text.substr(i + 1, end - i - 1));
            i = end + 1;
            continue;
        }
        const std::size_t start = i;
        while (i < n && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != ';' &&
               text[i] != '"' && text[i] != '\f' && text[i] != '\v' && text[i] != '\0')
            ++i;
        line.tokens.push_back(text.substr(start, i - start));
    }
}

std::optional<double> to_number(std::string_view s) {
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    if (s.empty())
        return std::nullopt;
    double v = 0;
    const auto* end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, v, std::chars_format::general);
    // Magnitudes beyond 1e100, or nonzero below 1e-100, are no physical quantity; refusing
    // them keeps every unit conversion (and its inverse in the writer) finite and the products
    // of a few of them (a cross-section's area, its section factor A·R^(2/3)) from underflowing
    // to zero. The slack lets a value at a limit come back through a unit conversion and its
    // inverse a few ulps beyond it.
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v) || std::abs(v) > 1.000001e100 ||
        (v != 0 && std::abs(v) < 0.999999e-100))
        return std::nullopt;
    return v;
}

std::optional<long long> to_integer(std::string_view s) {
    long long v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size())
        return std::nullopt;
    return v;
}

/// A time of day or duration as SWMM's datetime_strToTime reads it: decimal hours, or
/// h[:m[:s]] with non-negative integer parts (hours may exceed 24). In seconds.
std::optional<double> parse_time_s(std::string_view s) {
    if (auto h = to_number(s)) {
        if (std::abs(*h) > 1e9) // beyond 100000 years: keeps counts of seconds in range
            return std::nullopt;
        return *h * 3600.0;
    }
    long long parts[3] = {0, 0, 0};
    int count = 0;
    std::size_t pos = 0;
    while (true) {
        const auto colon = s.find(':', pos);
        const auto piece = s.substr(pos, colon == std::string_view::npos ? s.npos : colon - pos);
        if (count >= 3)
            return std::nullopt;
        const auto v = to_integer(piece);
        if (!v || *v < 0 || *v > 1000000000LL)
            return std::nullopt;
        parts[count++] = *v;
        if (colon == std::string_view::npos)
            break;
        pos = colon + 1;
    }
    if (count < 2)
        return std::nullopt;
    return static_cast<double>(parts[0] * 3600 + parts[1] * 60 + parts[2]);
}

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

int days_in_month(int year, int month) {
    static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return kDays[month - 1];
}

bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/// C's sscanf "%d" at `pos`: blanks skipped, an optional sign, then digits (a value beyond any
/// date's is held at 10^9); nullopt when no digit follows. Moves `pos` past what it read.
std::optional<long long> scan_int(std::string_view s, std::size_t& pos) {
    std::size_t i = pos;
    while (i < s.size() && is_c_space(s[i]))
        ++i;
    const bool negative = i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    if (i >= s.size() || s[i] < '0' || s[i] > '9')
        return std::nullopt;
    long long v = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
        v = std::min(v * 10 + (s[i] - '0'), 1000000000LL);
    pos = i;
    return negative ? -v : v;
}

/// A date as SWMM 5.2.4's datetime_strToDate reads it in its default M/D/Y order: the text must
/// hold a '/' or '-'; then sscanf's "%d%c%d%c%d" (month, any one character, day, any one
/// character, year), or, where that reads fewer than three fields, "%3s%c%d%c%d" with the month
/// as its first three letters (any case). What follows the year is not read, so
/// `06/30/2025x` is 30 June 2025; a date that does not exist is none.
std::optional<CalendarTime> parse_date(std::string_view s) {
    if (s.find_first_of("/-") == std::string_view::npos)
        return std::nullopt;
    // the fields after the month: separator, day, separator, year; their count
    auto rest = [&](std::size_t pos, long long& day, long long& year) {
        int n = 0;
        if (pos < s.size()) { // %c: any character, blanks included
            ++pos;
            ++n;
            if (const auto d = scan_int(s, pos)) {
                day = *d;
                ++n;
                if (pos < s.size()) {
                    ++pos;
                    ++n;
                    if (const auto y = scan_int(s, pos)) {
                        year = *y;
                        ++n;
                    }
                }
            }
        }
        return n;
    };
    long long month = 0, day = 0, year = 0; // unread fields stay 0, as SWMM's do
    std::size_t pos = 0;
    int n = 0;
    if (const auto m = scan_int(s, pos)) {
        month = *m;
        n = 1 + rest(pos, day, year);
    }
    if (n < 3) { // the month's name: "%3s", up to three characters up to a blank
        month = 0;
        pos = 0;
        while (pos < s.size() && is_c_space(s[pos]))
            ++pos;
        const std::size_t from = pos;
        while (pos < s.size() && pos - from < 3 && !is_c_space(s[pos]))
            ++pos;
        if (pos == from)
            return std::nullopt;
        n = 1 + rest(pos, day, year);
        if (n < 3)
            return std::nullopt;
        const std::string name = upper(s.substr(from, pos - from));
        for (std::size_t k = 0; k < kMonths.size(); ++k)
            if (name == kMonths[k])
                month = static_cast<long long>(k) + 1;
    }
    if (month < 1 || month > 12 || year < 1 || year > 9999 || day < 1 ||
        day > days_in_month(static_cast<int>(year), static_cast<int>(month)))
        return std::nullopt;
    CalendarTime c;
    c.year = static_cast<int>(year);
    c.month = static_cast<int>(month);
    c.day = static_cast<int>(day);
    return c;
}

bool starts_with_star(std::string_view s) {
    return !s.empty() && s.front() == '*';
}

bool looks_like_date(std::string_view s) {
    return s.find('/') != std::string_view::npos || s.find('-') != std::string_view::npos;
}

/// Everything the reader needs while it works.
class Reader {
public:
    Reader(std::string_view text, const std::string& file, Diagnostics& diags)
        : text_(text), file_(file), diags_(diags) {}

    Network run();

private:
    std::string_view text_;
    const std::string& file_;
    Diagnostics& diags_;
    Network net_;
    UnitFactors f_;
    std::array<std::vector<Line>, static_cast<std::size_t>(Section::kCount)> lines_;
    std::vector<std::string_view> title_lines_;
    std::vector<std::string_view> control_lines_;
    std::vector<int> control_numbers_;
    std::string current_name_;
    /// Per time series: the line of the first reference that fixed its usage.
    std::vector<int> series_usage_line_;
    std::vector<const Line*> series_first_line_;
    std::vector<const Line*> curve_first_line_;
    std::vector<const Line*> node_line_, link_line_, subcatch_line_;
    std::vector<std::uint8_t> curve_typed_;

    std::vector<Line>& section(Section s) { return lines_[static_cast<std::size_t>(s)]; }

    // ---- diagnostics
    void error(ErrorCode code, const Line& line, std::string_view id, const std::string& message,
               std::string_view at = {}) {
        report(Severity::kError, code, line, id, message, at);
    }
    void warning(ErrorCode code, const Line& line, std::string_view id, const std::string& message,
                 std::string_view at = {}) {
        report(Severity::kWarning, code, line, id, message, at);
    }
    void report(Severity sev, ErrorCode code, const Line& line, std::string_view id,
                const std::string& message, std::string_view at) {
        int column = 0;
        if (!at.empty() && at.data() >= line.text.data() &&
            at.data() <= line.text.data() + line.text.size())
            column = static_cast<int>(at.data() - line.text.data()) + 1;
        std::string msg = message;
        if (!current_name_.empty()) {
            msg += " in [";
            msg += current_name_;
            msg += "]";
        }
        msg += ": ";
        msg += trim(line.text);
        diags_.add({sev, code, file_, line.number, column, std::string(id), std::move(msg)});
    }
    void begin_section(Section s) {
        current_name_ = std::string(kSectionNames[static_cast<std::size_t>(s)]);
    }

    // ---- field helpers
    bool need(const Line& l, std::size_t n, std::string_view what) {
        if (l.tokens.size() >= n)
            return true;
        error(ErrorCode::kMissingKey, l, l.tokens.empty() ? std::string_view() : l.tokens[0],
              "too few fields (" + std::to_string(l.tokens.size()) + ", need " + std::to_string(n) +
                  ": " + std::string(what) + ")");
        return false;
    }
    std::optional<double> number(const Line& l, std::size_t i, std::string_view id,
                                 std::string_view what) {
        if (i >= l.tokens.size()) {
            error(ErrorCode::kMissingKey, l, id, "missing " + std::string(what));
            return std::nullopt;
        }
        auto v = to_number(l.tokens[i]);
        if (!v)
            error(ErrorCode::kNumberSyntax, l, id,
                  "bad number '" + std::string(l.tokens[i]) + "' for " + std::string(what),
                  l.tokens[i]);
        return v;
    }
    /// A number that must be >= 0.
    std::optional<double> non_negative(const Line& l, std::size_t i, std::string_view id,
                                       std::string_view what) {
        auto v = number(l, i, id, what);
        if (v && *v < 0) {
            error(ErrorCode::kOutOfRange, l, id, std::string(what) + " must be >= 0", l.tokens[i]);
            return std::nullopt;
        }
        return v;
    }
    /// Optional number at i: `fallback` when the line is shorter; "*" also gives the fallback.
    std::optional<double> optional_number(const Line& l, std::size_t i, std::string_view id,
                                          std::string_view what, double fallback) {
        if (i >= l.tokens.size() || l.tokens[i] == "*")
            return fallback;
        return number(l, i, id, what);
    }
    std::optional<bool> yes_no(const Line& l, std::size_t i, std::string_view id,
                               std::string_view what) {
        const auto w = l.tokens[i];
        if (starts(w, "YES"))
            return true;
        if (starts(w, "NO"))
            return false;
        error(ErrorCode::kUnknownValue, l, id,
              "expected YES or NO for " + std::string(what) + ", got '" + std::string(w) + "'", w);
        return std::nullopt;
    }
    void unknown_keyword(const Line& l, std::size_t i, std::string_view id, std::string_view what) {
        error(ErrorCode::kUnknownValue, l, id,
              "unknown " + std::string(what) + " '" + std::string(l.tokens[i]) + "'", l.tokens[i]);
    }

    template <typename Index>
    Index lookup(const IdMap& map, const Line& l, std::string_view id, std::string_view owner,
                 std::string_view kind) {
        const auto it = map.find(id);
        if (it == map.end()) {
            error(ErrorCode::kUnknownReference, l, owner,
                  "undefined " + std::string(kind) + " '" + std::string(id) + "'", id);
            return {};
        }
        return Index(it->second);
    }
    NodeIndex node_ref(const Line& l, std::string_view id, std::string_view owner) {
        return lookup<NodeIndex>(net_.node_index, l, id, owner, "node");
    }
    LinkIndex link_ref(const Line& l, std::string_view id, std::string_view owner) {
        return lookup<LinkIndex>(net_.link_index, l, id, owner, "link");
    }
    SubcatchIndex subcatch_ref(const Line& l, std::string_view id, std::string_view owner) {
        return lookup<SubcatchIndex>(net_.subcatchments.index, l, id, owner, "subcatchment");
    }
    PatternIndex pattern_ref(const Line& l, std::string_view id, std::string_view owner) {
        return lookup<PatternIndex>(net_.pattern_index, l, id, owner, "time pattern");
    }
    CurveIndex curve_ref(const Line& l, std::string_view id, std::string_view owner,
                         std::initializer_list<CurveType> types) {
        const auto c = lookup<CurveIndex>(net_.curve_index, l, id, owner, "curve");
        if (!c.valid())
            return c;
        const auto t = net_.curves[c.idx()].type;
        if (std::find(types.begin(), types.end(), t) == types.end()) {
            error(ErrorCode::kInconsistent, l, owner,
                  "curve '" + std::string(id) + "' is of type " + std::string(curve_type_name(t)) +
                      ", which does not fit here",
                  id);
            return {};
        }
        return c;
    }
    /// Resolves a time series and records what it is used for (its values' unit).
    SeriesIndex series_ref(const Line& l, std::string_view id, std::string_view owner,
                           SeriesUsage usage) {
        const auto s = lookup<SeriesIndex>(net_.series_index, l, id, owner, "time series");
        if (!s.valid())
            return s;
        auto& ts = net_.series[s.idx()];
        if (ts.usage == SeriesUsage::kUnused) {
            ts.usage = usage;
            series_usage_line_[s.idx()] = l.number;
        } else if (ts.usage != usage) {
            error(ErrorCode::kInconsistent, l, owner,
                  "time series '" + std::string(id) +
                      "' is used for two quantities of different units (first use at line " +
                      std::to_string(series_usage_line_[s.idx()]) + ")",
                  id);
        }
        return s;
    }

    /// Registers an id in `map`; false (and an error) when it is there already.
    bool register_id(IdMap& map, const Line& l, std::string_view id, std::string_view kind,
                     std::int32_t index) {
        if (id.empty()) {
            error(ErrorCode::kMissingKey, l, id, "empty " + std::string(kind) + " name");
            return false;
        }
        if (!map.emplace(std::string(id), index).second) {
            error(ErrorCode::kDuplicateId, l, id,
                  "duplicate " + std::string(kind) + " name '" + std::string(id) + "'", id);
            return false;
        }
        return true;
    }

    // ---- passes
    void split_lines();
    void read_options();
    void register_objects();
    void read_tables();
    void read_transects();
    void read_gages();
    void read_subcatchments();
    void read_nodes();
    void read_links();
    void read_link_details();
    void read_inflows();
    void read_climate();
    void read_controls();
    void read_map_sections();
    void finish();

    void read_junction(const Line& l, NodeIndex n);
    void read_outfall(const Line& l, NodeIndex n);
    void read_divider(const Line& l, NodeIndex n);
    void read_storage(const Line& l, NodeIndex n);
    void read_conduit(const Line& l, LinkIndex k);
    void read_pump(const Line& l, LinkIndex k);
    void read_orifice(const Line& l, LinkIndex k);
    void read_weir(const Line& l, LinkIndex k);
    void read_outlet(const Line& l, LinkIndex k);
    void read_xsection(const Line& l);
    bool read_offset(const Line& l, std::size_t i, std::string_view id, double& out);
    void convert_curve(Curve& c);
    std::optional<RuleVariable> rule_variable(const Line& l, std::size_t& k, std::string_view rule);
    void read_rule_name(const Line& l, bool variable);
    std::optional<std::int32_t> named_rule_variable(std::string_view name) const;
    std::optional<std::int32_t> named_rule_expression(std::string_view name) const;
    std::optional<RuleCondition> rule_condition(const Line& l, std::string_view rule);
    std::optional<RuleSetting> rule_setting(const Line& l, std::string_view rule);
    void convert_series(TimeSeries& ts);
    void add_node(const Line& l, NodeKind kind);
    void add_link(const Line& l, LinkKind kind);
};

void Reader::split_lines() {
    std::size_t pos = 0;
    int number = 0;
    Section current = Section::kCount;
    RawSection* raw = nullptr;
    bool skipping = false;
    while (pos < text_.size()) {
        auto eol = text_.find_first_of("\r\n", pos);
        if (eol == std::string_view::npos)
            eol = text_.size();
        const std::string_view raw_text = text_.substr(pos, eol - pos);
        ++number;
        if (eol < text_.size() && text_[eol] == '\r' && eol + 1 < text_.size() &&
            text_[eol + 1] == '\n')
            ++eol;
        pos = eol + 1;

        const auto t = trim(raw_text);
        if (t.empty())
            continue;
        if (t.front() == '[') {
            const auto close = t.find(']');
            const auto name =
                upper(trim(t.substr(1, close == std::string_view::npos ? t.npos : close - 1)));
            skipping = false;
            raw = nullptr;
            current = Section::kCount;
            for (std::size_t s = 0; s < kSectionNames.size(); ++s)
                if (name == kSectionNames[s])
                    current = static_cast<Section>(s);
            if (current == Section::kCount) {
                for (const auto r : kRawSectionNames) {
                    if (name == r) {
                        current = Section::kRaw;
                        auto it = std::find_if(net_.raw_sections.begin(), net_.raw_sections.end(),
                                               [&](const RawSection& s) { return s.name == r; });
                        if (it == net_.raw_sections.end()) {
                            net_.raw_sections.push_back({std::string(r), {}, {}});
                            raw = &net_.raw_sections.back();
                        } else {
                            raw = &*it;
                        }
                    }
                }
            }
            if (current == Section::kCount) {
                Line l;
                l.number = number;
                l.text = raw_text;
                current_name_.clear();
                error(ErrorCode::kUnknownKey, l, {}, "unknown section [" + name + "]",
                      raw_text.substr(static_cast<std::size_t>(t.data() - raw_text.data())));
                // Its lines are skipped (SWMM stops at the unknown section).
                skipping = true;
            }
            continue;
        }
        if (skipping)
            continue;
        if (current == Section::kCount) {
            // Data before any section header: SWMM reports it as out of place.
            if (t.front() != ';') {
                Line l;
                l.number = number;
                l.text = raw_text;
                current_name_.clear();
                error(ErrorCode::kUnknownKey, l, {}, "data line outside any section");
            }
            continue;
        }
        if (current == Section::kTitle) {
            if (t.front() != ';')
                title_lines_.push_back(t);
            continue;
        }
        if (current == Section::kControls) {
            if (t.front() != ';') {
                // The comment after a rule line is not part of it.
                const auto semi = t.find(';');
                control_lines_.push_back(trim(t.substr(0, semi)));
                control_numbers_.push_back(number);
            }
            continue;
        }
        Line l;
        l.number = number;
        l.text = raw_text;
        tokenize(raw_text, l);
        if (l.tokens.empty())
            continue;
        if (current == Section::kRaw) {
            std::vector<std::string> row;
            row.reserve(l.tokens.size());
            for (auto tok : l.tokens)
                row.emplace_back(tok);
            raw->rows.push_back(std::move(row));
            raw->line.push_back(number);
            continue;
        }
        section(current).push_back(std::move(l));
    }
}

// ---------------------------------------------------------------------------------------------
// OPTIONS

void Reader::read_options() {
    begin_section(Section::kOptions);
    auto& o = net_.options;
    // Units first: other values depend on them, and [OPTIONS] may come anywhere.
    for (const auto& l : section(Section::kOptions)) {
        if (l.tokens.size() < 2 || !starts(l.tokens[0], "FLOW_UNITS"))
            continue;
        static constexpr std::array<std::string_view, 6> kUnits = {"CFS", "GPM", "MGD",
                                                                   "CMS", "LPS", "MLD"};
        const int k = find_keyword(l.tokens[1], kUnits);
        if (k < 0)
            unknown_keyword(l, 1, {}, "flow units");
        else
            o.flow_units = static_cast<FlowUnits>(k);
    }
    f_ = unit_factors(o.flow_units);

    std::optional<CalendarTime> start_date, end_date, report_date;
    std::optional<double> start_time, end_time, report_time;
    const Line* start_line = nullptr;
    const Line* end_line = nullptr;
    const Line* report_line = nullptr;
    const Line* report_step_line = nullptr;
    for (const auto& l : section(Section::kOptions)) {
        const auto key = l.tokens[0];
        if (l.tokens.size() < 2) {
            // SWMM ignores an option without a value; say so rather than drop it silently.
            warning(ErrorCode::kMissingKey, l, {},
                    "option '" + std::string(key) + "' has no value and is ignored");
            continue;
        }
        const auto v = l.tokens[1];
        auto keyword = [&](auto const& words, auto& out, std::string_view what) {
            const int k = find_keyword(v, words);
            if (k < 0)
                unknown_keyword(l, 1, {}, what);
            else
                out = static_cast<std::remove_reference_t<decltype(out)>>(k);
        };
        auto flag = [&](bool& out) {
            if (auto b = yes_no(l, 1, {}, key))
                out = *b;
        };
        auto date = [&](std::optional<CalendarTime>& out) {
            if (auto d = parse_date(v))
                out = d;
            else
                error(ErrorCode::kNumberSyntax, l, {}, "bad date '" + std::string(v) + "'", v);
        };
        auto time_of_day = [&](std::optional<double>& out) {
            if (auto t = parse_time_s(v); t && *t >= 0)
                out = t;
            else
                error(ErrorCode::kNumberSyntax, l, {}, "bad time '" + std::string(v) + "'", v);
        };
        auto step = [&](Seconds& out, bool zero_ok) {
            const auto t = parse_time_s(v);
            if (!t || *t < 0 || (!zero_ok && std::llround(*t) <= 0)) {
                error(ErrorCode::kOutOfRange, l, {}, "bad time step '" + std::string(v) + "'", v);
                return;
            }
            out = std::llround(*t);
        };
        auto seconds = [&](double& out, bool positive) {
            // ROUTING_STEP / LENGTHENING_STEP: decimal seconds, or h:m:s.
            std::optional<double> t = to_number(v);
            if (!t && v.find(':') != std::string_view::npos)
                t = parse_time_s(v);
            if (!t || (positive ? *t <= 0 : *t < 0)) {
                error(ErrorCode::kOutOfRange, l, {}, "bad time step '" + std::string(v) + "'", v);
                return;
            }
            out = *t;
        };
        auto value = [&](double& out, double lo, double hi, double scale) {
            if (auto x = number(l, 1, {}, key)) {
                if (*x < lo || *x > hi)
                    error(ErrorCode::kOutOfRange, l, {},
                          std::string(key) + " out of range [" + std::to_string(lo) + ", " +
                              std::to_string(hi) + "]",
                          v);
                else
                    out = *x * scale;
            }
        };
        auto integer = [&](int& out) {
            const auto x = to_integer(v);
            if (!x || *x < 0 || *x > 1000000)
                error(ErrorCode::kOutOfRange, l, {},
                      "bad " + std::string(key) + " '" + std::string(v) + "'", v);
            else
                out = static_cast<int>(*x);
        };
        constexpr double kInf = std::numeric_limits<double>::infinity();

        if (starts(key, "FLOW_UNITS")) {
            // read above
        } else if (starts(key, "INFILTRATION")) {
            static constexpr std::array<std::string_view, 5> k = {
                "HORTON", "MODIFIED_HORTON", "GREEN_AMPT", "MODIFIED_GREEN_AMPT", "CURVE_NUMBER"};
            keyword(k, o.infiltration, "infiltration model");
        } else if (starts(key, "FLOW_ROUTING")) {
            static constexpr std::array<std::string_view, 9> k = {
                "NONE", "STEADY", "KINWAVE", "XKINWAVE", "DYNWAVE", "NF", "KW", "EKW", "DW"};
            static constexpr FlowRouting map[9] = {
                FlowRouting::kNone,    FlowRouting::kSteady,  FlowRouting::kKinwave,
                FlowRouting::kKinwave, FlowRouting::kDynwave, FlowRouting::kSteady,
                FlowRouting::kKinwave, FlowRouting::kKinwave, FlowRouting::kDynwave};
            // Exact words first: "NF" is no prefix of "NONE" but "NONE" would not match "NF".
            int m = -1;
            for (std::size_t i = 0; i < k.size() && m < 0; ++i)
                if (equals(v, k[i]))
                    m = static_cast<int>(i);
            if (m < 0)
                m = find_keyword(v, k);
            if (m < 0)
                unknown_keyword(l, 1, {}, "flow routing method");
            else
                o.routing = map[m];
        } else if (starts(key, "LINK_OFFSETS")) {
            static constexpr std::array<std::string_view, 2> k = {"DEPTH", "ELEVATION"};
            keyword(k, o.link_offsets, "link offset type");
        } else if (starts(key, "FORCE_MAIN_EQUATION")) {
            static constexpr std::array<std::string_view, 2> k = {"H-W", "D-W"};
            keyword(k, o.force_main_equation, "force main equation");
        } else if (starts(key, "INERTIAL_DAMPING")) {
            static constexpr std::array<std::string_view, 3> k = {"NONE", "PARTIAL", "FULL"};
            keyword(k, o.inertial_damping, "inertial damping");
        } else if (starts(key, "NORMAL_FLOW_LIMITED")) {
            static constexpr std::array<std::string_view, 4> k = {"SLOPE", "FROUDE", "BOTH",
                                                                  "NONE"};
            keyword(k, o.normal_flow_limited, "normal flow limitation");
        } else if (starts(key, "SURCHARGE_METHOD")) {
            static constexpr std::array<std::string_view, 2> k = {"EXTRAN", "SLOT"};
            keyword(k, o.surcharge_method, "surcharge method");
        } else if (starts(key, "START_DATE")) {
            date(start_date);
            start_line = &l;
        } else if (starts(key, "START_TIME")) {
            time_of_day(start_time);
            start_line = &l;
        } else if (starts(key, "END_DATE")) {
            date(end_date);
            end_line = &l;
        } else if (starts(key, "END_TIME")) {
            time_of_day(end_time);
            end_line = &l;
        } else if (starts(key, "REPORT_START_DATE")) {
            date(report_date);
            report_line = &l;
        } else if (starts(key, "REPORT_START_TIME")) {
            time_of_day(report_time);
            report_line = &l;
        } else if (starts(key, "SWEEP_START") || starts(key, "SWEEP_END")) {
            const auto d = parse_date(std::string(v) + "/1947");
            if (!d) {
                error(ErrorCode::kNumberSyntax, l, {}, "bad month/day '" + std::string(v) + "'", v);
            } else if (starts(key, "SWEEP_START")) {
                o.sweep_start_month = d->month;
                o.sweep_start_day = d->day;
            } else {
                o.sweep_end_month = d->month;
                o.sweep_end_day = d->day;
            }
        } else if (starts(key, "DRY_DAYS")) {
            value(o.antecedent_dry_s, 0, kInf, units::kDay);
        } else if (starts(key, "WET_STEP")) {
            step(o.wet_step_s, false);
        } else if (starts(key, "DRY_STEP")) {
            step(o.dry_step_s, false);
        } else if (starts(key, "REPORT_STEP")) {
            step(o.report_step_s, false);
            report_step_line = &l;
        } else if (starts(key, "RULE_STEP")) {
            step(o.rule_step_s, true);
        } else if (starts(key, "ROUTING_STEP")) {
            seconds(o.routing_step_s, true);
        } else if (starts(key, "LENGTHENING_STEP")) {
            seconds(o.lengthening_step_s, false);
        } else if (starts(key, "MINIMUM_STEP")) {
            value(o.minimum_step_s, 0, kInf, 1.0);
        } else if (starts(key, "VARIABLE_STEP")) {
            value(o.variable_step, 0, 2, 1.0);
        } else if (starts(key, "MIN_SURFAREA")) {
            value(o.min_surface_area_m2, 0, kInf, f_.area);
        } else if (starts(key, "MIN_SLOPE")) {
            value(o.min_slope, 0, 99.999999, 0.01);
        } else if (starts(key, "MAX_TRIALS")) {
            integer(o.max_trials);
        } else if (starts(key, "HEAD_TOLERANCE")) {
            value(o.head_tolerance_m, 0, kInf, f_.length);
        } else if (starts(key, "SYS_FLOW_TOL")) {
            value(o.sys_flow_tolerance, 0, kInf, 0.01);
        } else if (starts(key, "LAT_FLOW_TOL")) {
            value(o.lat_flow_tolerance, 0, kInf, 0.01);
        } else if (starts(key, "THREADS")) {
            integer(o.threads);
        } else if (starts(key, "ALLOW_PONDING")) {
            flag(o.allow_ponding);
        } else if (starts(key, "SLOPE_WEIGHTING")) {
            flag(o.slope_weighting);
        } else if (starts(key, "SKIP_STEADY_STATE")) {
            flag(o.skip_steady_state);
        } else if (starts(key, "IGNORE_RAINFALL")) {
            flag(o.ignore_rainfall);
        } else if (starts(key, "IGNORE_SNOWMELT")) {
            flag(o.ignore_snowmelt);
        } else if (starts(key, "IGNORE_GROUNDWATER")) {
            flag(o.ignore_groundwater);
        } else if (starts(key, "IGNORE_ROUTING")) {
            flag(o.ignore_routing);
        } else if (starts(key, "IGNORE_QUALITY")) {
            flag(o.ignore_quality);
        } else if (starts(key, "IGNORE_RDII")) {
            flag(o.ignore_rdii);
        } else if (starts(key, "TEMPDIR")) {
            o.tempdir = std::string(v);
        } else if (starts(key, "COMPATIBILITY")) {
            if (v == "3" || v == "4" || v == "5")
                o.compatibility = std::string(v);
            else
                unknown_keyword(l, 1, {}, "compatibility");
        } else {
            error(ErrorCode::kUnknownKey, l, {}, "unknown option '" + std::string(key) + "'", key);
        }
    }

    if (start_date) {
        o.start.year = start_date->year;
        o.start.month = start_date->month;
        o.start.day = start_date->day;
    }
    o.start.time_of_day = start_time ? std::llround(*start_time) : 0;
    const Seconds start = seconds_since_epoch(o.start);
    // SWMM: END_DATE defaults to the start date and END_TIME to midnight.
    CalendarTime end = end_date.value_or(o.start);
    end.time_of_day = end_time ? std::llround(*end_time) : 0;
    o.end_s = seconds_since_epoch(end) - start;
    Line no_line; // for checks that no single line causes
    if (o.end_s <= 0)
        error(ErrorCode::kOutOfRange, end_line ? *end_line : no_line, {},
              "the simulation ends before it starts (END_DATE / END_TIME)");
    // A time of day may run over many days (decimal hours), but a date stops at 12/31/9999: the
    // start and the end must be dates (the writer writes them as such).
    const Seconds last_second = seconds_since_epoch({9999, 12, 31, 86399});
    if (start > last_second)
        error(ErrorCode::kOutOfRange, start_line ? *start_line : no_line, {},
              "the simulation starts after 12/31/9999 (START_DATE / START_TIME)");
    else if (start + o.end_s > last_second)
        error(ErrorCode::kOutOfRange, end_line ? *end_line : no_line, {},
              "the simulation ends after 12/31/9999 (END_DATE / END_TIME)");
    // SWMM 5.2 (project.c): a report start without a date is the simulation start, and one
    // before the start is moved to it; it must come before the end.
    if (report_date || report_time) {
        o.has_report_start = true;
        if (report_date) {
            CalendarTime r = *report_date;
            r.time_of_day = report_time ? std::llround(*report_time) : 0;
            o.report_start_s = std::max<Seconds>(0, seconds_since_epoch(r) - start);
        }
        if (o.end_s > 0 && o.report_start_s >= o.end_s)
            error(ErrorCode::kOutOfRange, report_line ? *report_line : no_line, {},
                  "the report starts after the simulation ends");
    }
    if (static_cast<double>(o.report_step_s) < o.routing_step_s)
        error(ErrorCode::kOutOfRange, report_step_line ? *report_step_line : no_line, {},
              "the reporting step is shorter than the routing step");
}

// ---------------------------------------------------------------------------------------------
// Object names, from every section before any reference is resolved.

void Reader::add_node(const Line& l, NodeKind kind) {
    const auto id = l.tokens[0];
    const auto n = static_cast<std::int32_t>(net_.node_id.size());
    if (!register_id(net_.node_index, l, id, "node", n))
        return;
    net_.node_id.emplace_back(id);
    net_.node_kind.push_back(kind);
    node_line_.push_back(&l);
}

void Reader::add_link(const Line& l, LinkKind kind) {
    const auto id = l.tokens[0];
    const auto k = static_cast<std::int32_t>(net_.link_id.size());
    if (!register_id(net_.link_index, l, id, "link", k))
        return;
    net_.link_id.emplace_back(id);
    net_.link_kind.push_back(kind);
    link_line_.push_back(&l);
}

void Reader::register_objects() {
    begin_section(Section::kRaingages);
    for (const auto& l : section(Section::kRaingages)) {
        RainGage g;
        g.id = std::string(l.tokens[0]);
        if (register_id(net_.gage_index, l, l.tokens[0], "rain gage",
                        static_cast<std::int32_t>(net_.gages.size())))
            net_.gages.push_back(std::move(g));
    }
    begin_section(Section::kSubcatchments);
    for (const auto& l : section(Section::kSubcatchments)) {
        auto& sc = net_.subcatchments;
        if (register_id(sc.index, l, l.tokens[0], "subcatchment",
                        static_cast<std::int32_t>(sc.id.size()))) {
            sc.id.emplace_back(l.tokens[0]);
            subcatch_line_.push_back(&l);
        }
    }
    const std::pair<Section, NodeKind> node_sections[] = {
        {Section::kJunctions, NodeKind::kJunction},
        {Section::kOutfalls, NodeKind::kOutfall},
        {Section::kDividers, NodeKind::kDivider},
        {Section::kStorage, NodeKind::kStorage}};
    for (const auto& [s, kind] : node_sections) {
        begin_section(s);
        for (const auto& l : section(s))
            add_node(l, kind);
    }
    const std::pair<Section, LinkKind> link_sections[] = {{Section::kConduits, LinkKind::kConduit},
                                                          {Section::kPumps, LinkKind::kPump},
                                                          {Section::kOrifices, LinkKind::kOrifice},
                                                          {Section::kWeirs, LinkKind::kWeir},
                                                          {Section::kOutlets, LinkKind::kOutlet}};
    for (const auto& [s, kind] : link_sections) {
        begin_section(s);
        for (const auto& l : section(s))
            add_link(l, kind);
    }
    // Tables: one object per name, its lines accumulated in file order.
    begin_section(Section::kTimeseries);
    for (const auto& l : section(Section::kTimeseries)) {
        if (net_.series_index.find(l.tokens[0]) != net_.series_index.end())
            continue;
        net_.series_index.emplace(std::string(l.tokens[0]),
                                  static_cast<std::int32_t>(net_.series.size()));
        TimeSeries ts;
        ts.id = std::string(l.tokens[0]);
        net_.series.push_back(std::move(ts));
        series_first_line_.push_back(&l);
    }
    series_usage_line_.assign(net_.series.size(), 0);
    begin_section(Section::kCurves);
    for (const auto& l : section(Section::kCurves)) {
        if (net_.curve_index.find(l.tokens[0]) != net_.curve_index.end())
            continue;
        net_.curve_index.emplace(std::string(l.tokens[0]),
                                 static_cast<std::int32_t>(net_.curves.size()));
        Curve c;
        c.id = std::string(l.tokens[0]);
        net_.curves.push_back(std::move(c));
        curve_first_line_.push_back(&l);
    }
    begin_section(Section::kPatterns);
    for (const auto& l : section(Section::kPatterns)) {
        if (net_.pattern_index.find(l.tokens[0]) != net_.pattern_index.end())
            continue;
        net_.pattern_index.emplace(std::string(l.tokens[0]),
                                   static_cast<std::int32_t>(net_.patterns.size()));
        Pattern p;
        p.id = std::string(l.tokens[0]);
        net_.patterns.push_back(std::move(p));
    }
    begin_section(Section::kTransects);
    for (const auto& l : section(Section::kTransects)) {
        if (!equals(l.tokens[0], "X1") || l.tokens.size() < 2)
            continue;
        Transect t;
        t.id = std::string(l.tokens[1]);
        if (register_id(net_.transect_index, l, l.tokens[1], "transect",
                        static_cast<std::int32_t>(net_.transects.size())))
            net_.transects.push_back(std::move(t));
    }
    begin_section(Section::kHydrographs);
    for (const auto& l : section(Section::kHydrographs)) {
        if (net_.hydrograph_index.find(l.tokens[0]) != net_.hydrograph_index.end())
            continue;
        net_.hydrograph_index.emplace(std::string(l.tokens[0]),
                                      static_cast<std::int32_t>(net_.hydrographs.size()));
        UnitHydrograph u;
        u.id = std::string(l.tokens[0]);
        net_.hydrographs.push_back(std::move(u));
    }
}

// ---------------------------------------------------------------------------------------------
// TIMESERIES, CURVES, PATTERNS

void Reader::read_tables() {
    begin_section(Section::kTimeseries);
    // SWMM: a time-only entry is relative to the last date given in the series, else to the
    // simulation start (input.c: lastDate = StartDate + StartTime).
    const Seconds start = seconds_since_epoch(net_.options.start);
    std::vector<double> last_date_s(net_.series.size(), 0.0); // relative to the start
    for (const auto& l : section(Section::kTimeseries)) {
        const auto s = net_.find_series(l.tokens[0]);
        auto& ts = net_.series[s.idx()];
        if (!need(l, 3, "name and a time and value, or FILE and a file name"))
            continue;
        if (starts(l.tokens[1], "FILE")) {
            if (!ts.time_s.empty() || !ts.file.empty())
                error(ErrorCode::kInconsistent, l, ts.id,
                      "a FILE time series must have one line only", l.tokens[1]);
            ts.file = std::string(l.tokens[2]);
            continue;
        }
        if (!ts.file.empty()) {
            error(ErrorCode::kInconsistent, l, ts.id, "time series already read from a FILE");
            continue;
        }
        std::size_t k = 1;
        while (k < l.tokens.size()) {
            bool dated = false;
            if (looks_like_date(l.tokens[k]) && k + 2 < l.tokens.size() + 0 &&
                !to_number(l.tokens[k])) {
                const auto d = parse_date(l.tokens[k]);
                if (!d) {
                    error(ErrorCode::kNumberSyntax, l, ts.id,
                          "bad date '" + std::string(l.tokens[k]) + "'", l.tokens[k]);
                    break;
                }
                CalendarTime c = *d;
                c.time_of_day = 0;
                last_date_s[s.idx()] = static_cast<double>(seconds_since_epoch(c) - start);
                dated = true;
                ++k;
            }
            if (k + 1 >= l.tokens.size()) {
                error(ErrorCode::kMissingKey, l, ts.id, "a time without a value");
                break;
            }
            const auto t = parse_time_s(l.tokens[k]);
            if (!t) {
                error(ErrorCode::kNumberSyntax, l, ts.id,
                      "bad time '" + std::string(l.tokens[k]) + "'", l.tokens[k]);
                break;
            }
            const auto v = number(l, k + 1, ts.id, "time series value");
            if (!v)
                break;
            const double time = last_date_s[s.idx()] + *t;
            // The writer writes a dated point as the date of its time: keep it a valid date (a
            // negative time of -1e9 h wrote the year -112054, which did not read back).
            if (dated) {
                const int year =
                    calendar_from_seconds(start + static_cast<Seconds>(std::floor(time))).year;
                if (year < 1 || year > 9999) {
                    error(ErrorCode::kOutOfRange, l, ts.id, "time outside the years 1 to 9999",
                          l.tokens[k]);
                    break;
                }
            }
            if (!ts.time_s.empty() && time < ts.time_s.back()) {
                error(ErrorCode::kOutOfRange, l, ts.id, "time series times must not decrease",
                      l.tokens[k]);
                break;
            }
            ts.time_s.push_back(time);
            ts.value.push_back(*v);
            ts.dated.push_back(dated ? 1 : 0);
            k += 2;
        }
    }

    begin_section(Section::kCurves);
    static constexpr std::array<std::string_view, 12> kCurveWords = {
        "STORAGE", "DIVERSION", "TIDAL", "RATING", "CONTROL", "SHAPE",
        "WEIR",    "PUMP1",     "PUMP2", "PUMP3",  "PUMP4",   "PUMP5"};
    static constexpr CurveType kCurveTypes[12] = {
        CurveType::kStorage, CurveType::kDiversion, CurveType::kTidal, CurveType::kRating,
        CurveType::kControl, CurveType::kShape,     CurveType::kWeir,  CurveType::kPump1,
        CurveType::kPump2,   CurveType::kPump3,     CurveType::kPump4, CurveType::kPump5};
    curve_typed_.assign(net_.curves.size(), 0);
    for (const auto& l : section(Section::kCurves)) {
        const auto c = net_.find_curve(l.tokens[0]);
        auto& curve = net_.curves[c.idx()];
        std::size_t k = 1;
        if (&l == curve_first_line_[c.idx()]) {
            if (!need(l, 2, "name and type"))
                continue;
            const int t = find_keyword(l.tokens[1], kCurveWords);
            if (t < 0) {
                unknown_keyword(l, 1, curve.id, "curve type");
                continue;
            }
            curve.type = kCurveTypes[t];
            curve_typed_[c.idx()] = 1;
            k = 2;
        } else if (l.tokens.size() % 2 == 0 && find_keyword(l.tokens[1], kCurveWords) >= 0) {
            // SWMM allows the type to be repeated on later lines.
            k = 2;
        }
        if ((l.tokens.size() - k) % 2 != 0) {
            error(ErrorCode::kMissingKey, l, curve.id, "curve points come in x y pairs");
            continue;
        }
        for (; k + 1 < l.tokens.size(); k += 2) {
            const auto x = number(l, k, curve.id, "curve x value");
            const auto y = number(l, k + 1, curve.id, "curve y value");
            if (!x || !y)
                break;
            if (!curve.x.empty() && *x <= curve.x.back()) {
                error(ErrorCode::kOutOfRange, l, curve.id, "curve x values must increase",
                      l.tokens[k]);
                break;
            }
            curve.x.push_back(*x);
            curve.y.push_back(*y);
        }
    }
    for (std::size_t c = 0; c < net_.curves.size(); ++c)
        if (curve_typed_[c])
            convert_curve(net_.curves[c]);

    begin_section(Section::kPatterns);
    static constexpr std::array<std::string_view, 4> kPatternWords = {"MONTHLY", "DAILY", "HOURLY",
                                                                      "WEEKEND"};
    std::vector<std::uint8_t> typed(net_.patterns.size(), 0);
    for (const auto& l : section(Section::kPatterns)) {
        const auto p = net_.find_pattern(l.tokens[0]);
        auto& pat = net_.patterns[p.idx()];
        std::size_t k = 1;
        if (!typed[p.idx()]) {
            if (!need(l, 2, "name and type"))
                continue;
            const int t = find_keyword(l.tokens[1], kPatternWords);
            if (t < 0) {
                unknown_keyword(l, 1, pat.id, "pattern type");
                continue;
            }
            pat.type = static_cast<PatternType>(t);
            typed[p.idx()] = 1;
            k = 2;
        }
        for (; k < l.tokens.size(); ++k) {
            const auto v = number(l, k, pat.id, "pattern factor");
            if (!v)
                break;
            pat.factors.push_back(*v);
        }
    }
    for (std::size_t p = 0; p < net_.patterns.size(); ++p) {
        auto& pat = net_.patterns[p];
        const std::size_t need_n = pat.type == PatternType::kMonthly ? 12
                                   : pat.type == PatternType::kDaily ? 7
                                                                     : 24;
        if (typed[p] && pat.factors.size() > need_n) {
            // Find the pattern's first line to point at.
            for (const auto& l : section(Section::kPatterns))
                if (IdEqual{}(l.tokens[0], pat.id)) {
                    error(ErrorCode::kOutOfRange, l, pat.id,
                          "too many factors (" + std::to_string(pat.factors.size()) + ", at most " +
                              std::to_string(need_n) + ")");
                    break;
                }
        }
    }
}

void Reader::convert_curve(Curve& c) {
    double fx = 1, fy = 1;
    switch (c.type) {
    case CurveType::kStorage:
        fx = f_.length;
        fy = f_.area;
        break;
    case CurveType::kDiversion:
        fx = f_.flow;
        fy = f_.flow;
        break;
    case CurveType::kTidal:
        fx = units::kHour;
        fy = f_.length;
        break;
    case CurveType::kRating:
        fx = f_.length;
        fy = f_.flow;
        break;
    case CurveType::kControl:
    case CurveType::kShape:
        break;
    case CurveType::kWeir:
        fx = f_.length;
        fy = f_.weir_coeff;
        break;
    case CurveType::kPump1:
        fx = f_.volume;
        fy = f_.flow;
        break;
    case CurveType::kPump2:
    case CurveType::kPump3:
    case CurveType::kPump4:
    case CurveType::kPump5:
        fx = f_.length;
        fy = f_.flow;
        break;
    }
    for (auto& v : c.x)
        v *= fx;
    for (auto& v : c.y)
        v *= fy;
}

void Reader::read_transects() {
    begin_section(Section::kTransects);
    double n_left = 0, n_right = 0, n_channel = 0;
    bool have_nc = false;
    Transect* cur = nullptr;
    for (const auto& l : section(Section::kTransects)) {
        const auto key = l.tokens[0];
        if (equals(key, "NC")) {
            if (!need(l, 4, "NC nLeft nRight nChannel"))
                continue;
            const auto a = number(l, 1, {}, "left bank n");
            const auto b = number(l, 2, {}, "right bank n");
            const auto c = number(l, 3, {}, "channel n");
            if (a && b && c) {
                n_left = *a;
                n_right = *b;
                n_channel = *c;
                have_nc = true;
            }
        } else if (equals(key, "X1")) {
            cur = nullptr;
            if (!need(l, 10, "X1 name nSta xLeft xRight 0 0 0 Lfactor Wfactor Eoffset"))
                continue;
            const auto t = net_.find_transect(l.tokens[1]);
            if (!t.valid())
                continue; // duplicate, reported
            auto& tr = net_.transects[t.idx()];
            if (!have_nc)
                error(ErrorCode::kMissingKey, l, tr.id,
                      "transect without a preceding NC (Manning n) line");
            tr.n_left = n_left;
            tr.n_right = n_right;
            tr.n_channel = n_channel;
            double x[10] = {};
            bool ok = true;
            for (std::size_t i = 2; i < 10; ++i) {
                const auto v = number(l, i, tr.id, "X1 value");
                if (!v) {
                    ok = false;
                    break;
                }
                x[i] = *v;
            }
            if (!ok)
                continue;
            tr.left_bank_m = x[3] * f_.length;
            tr.right_bank_m = x[4] * f_.length;
            tr.meander_factor = x[7];
            tr.station_factor = x[8];
            tr.elevation_offset_m = x[9] * f_.length;
            cur = &tr;
        } else if (equals(key, "GR")) {
            if (!cur) {
                error(ErrorCode::kInconsistent, l, {}, "GR line without a preceding X1 line");
                continue;
            }
            if ((l.tokens.size() - 1) % 2 != 0) {
                error(ErrorCode::kMissingKey, l, cur->id,
                      "GR values come in elevation station pairs");
                continue;
            }
            for (std::size_t k = 1; k + 1 < l.tokens.size(); k += 2) {
                const auto e = number(l, k, cur->id, "GR elevation");
                const auto s = number(l, k + 1, cur->id, "GR station");
                if (!e || !s)
                    break;
                cur->elevation_m.push_back(*e * f_.length);
                cur->station_m.push_back(*s * f_.length);
            }
        } else {
            unknown_keyword(l, 0, {}, "transect record (NC, X1 or GR)");
        }
    }
    for (std::size_t t = 0; t < net_.transects.size(); ++t) {
        if (net_.transects[t].station_m.size() < 2)
            for (const auto& l : section(Section::kTransects))
                if (equals(l.tokens[0], "X1") && l.tokens.size() > 1 &&
                    IdEqual{}(l.tokens[1], net_.transects[t].id)) {
                    error(ErrorCode::kMissingKey, l, net_.transects[t].id,
                          "transect needs at least two GR stations");
                    break;
                }
    }
}

// ---------------------------------------------------------------------------------------------
// RAINGAGES, EVAPORATION

void Reader::read_gages() {
    begin_section(Section::kRaingages);
    for (const auto& l : section(Section::kRaingages)) {
        const auto g = net_.find_gage(l.tokens[0]);
        if (!g.valid())
            continue;
        auto& gage = net_.gages[g.idx()];
        if (!need(l, 6, "name, format, interval, snow catch factor, source and its name"))
            continue;
        static constexpr std::array<std::string_view, 3> kFormats = {"INTENSITY", "VOLUME",
                                                                     "CUMULATIVE"};
        const int fmt = find_keyword(l.tokens[1], kFormats);
        if (fmt < 0) {
            unknown_keyword(l, 1, gage.id, "rain format");
            continue;
        }
        gage.format = static_cast<RainFormat>(fmt);
        const auto interval = parse_time_s(l.tokens[2]);
        if (!interval || std::llround(*interval) <= 0) {
            error(ErrorCode::kOutOfRange, l, gage.id,
                  "bad recording interval '" + std::string(l.tokens[2]) + "'", l.tokens[2]);
            continue;
        }
        gage.interval_s = std::llround(*interval);
        const auto scf = number(l, 3, gage.id, "snow catch factor");
        if (!scf)
            continue;
        gage.snow_catch_factor = *scf;
        if (starts(l.tokens[4], "TIMESERIES")) {
            gage.source = RainSource::kTimeSeries;
            gage.series =
                series_ref(l, l.tokens[5], gage.id,
                           gage.format == RainFormat::kIntensity ? SeriesUsage::kRainIntensity
                                                                 : SeriesUsage::kRainDepth);
        } else if (starts(l.tokens[4], "FILE")) {
            if (!need(l, 8, "FILE name station units"))
                continue;
            gage.source = RainSource::kFile;
            gage.file = std::string(l.tokens[5]);
            gage.station = std::string(l.tokens[6]);
            if (starts(l.tokens[7], "IN"))
                gage.file_in_mm = false;
            else if (starts(l.tokens[7], "MM"))
                gage.file_in_mm = true;
            else
                unknown_keyword(l, 7, gage.id, "rain depth units (IN or MM)");
            for (std::size_t k = 8; k < l.tokens.size(); ++k)
                gage.file_dates.emplace_back(l.tokens[k]);
            // SWMM 5.2.4 reads only the first date, the start ('*': none); error 213 otherwise
            if (l.tokens.size() > 8 && !starts_with_star(l.tokens[8])) {
                if (auto d = parse_date(l.tokens[8]))
                    gage.file_start = d;
                else
                    error(ErrorCode::kNumberSyntax, l, gage.id,
                          "bad rain file start date '" + std::string(l.tokens[8]) + "'",
                          l.tokens[8]);
            }
        } else {
            unknown_keyword(l, 4, gage.id, "rain data source (TIMESERIES or FILE)");
        }
    }
}

void Reader::read_climate() {
    begin_section(Section::kEvaporation);
    auto& e = net_.evaporation;
    for (const auto& l : section(Section::kEvaporation)) {
        const auto key = l.tokens[0];
        if (starts(key, "CONSTANT")) {
            e.type = EvaporationType::kConstant;
            e.given = true;
            if (auto v = non_negative(l, 1, {}, "evaporation rate"))
                e.constant_ms = *v * f_.evap_rate;
        } else if (starts(key, "MONTHLY")) {
            e.type = EvaporationType::kMonthly;
            e.given = true;
            if (!need(l, 13, "12 monthly rates"))
                continue;
            for (std::size_t m = 0; m < 12; ++m)
                if (auto v = non_negative(l, m + 1, {}, "monthly evaporation rate"))
                    e.monthly_ms[m] = *v * f_.evap_rate;
        } else if (starts(key, "TIMESERIES")) {
            e.type = EvaporationType::kTimeSeries;
            e.given = true;
            if (need(l, 2, "time series name"))
                e.series = series_ref(l, l.tokens[1], {}, SeriesUsage::kEvaporation);
        } else if (starts(key, "TEMPERATURE")) {
            e.type = EvaporationType::kTemperature;
            e.given = true;
        } else if (starts(key, "FILE")) {
            e.type = EvaporationType::kFile;
            e.given = true;
            if (l.tokens.size() > 1) {
                if (!need(l, 13, "12 monthly pan coefficients"))
                    continue;
                e.has_pan_coefficients = true;
                for (std::size_t m = 0; m < 12; ++m)
                    if (auto v = non_negative(l, m + 1, {}, "pan coefficient"))
                        e.pan_coefficients[m] = *v;
            }
        } else if (starts(key, "RECOVERY")) {
            if (need(l, 2, "pattern name"))
                e.recovery = pattern_ref(l, l.tokens[1], {});
        } else if (starts(key, "DRY_ONLY")) {
            if (need(l, 2, "YES or NO"))
                if (auto b = yes_no(l, 1, {}, "DRY_ONLY"))
                    e.dry_only = *b;
        } else {
            unknown_keyword(l, 0, {}, "evaporation keyword");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SUBCATCHMENTS, SUBAREAS, INFILTRATION

void Reader::read_subcatchments() {
    auto& sc = net_.subcatchments;
    const auto n = static_cast<std::size_t>(sc.count());
    sc.gage.assign(n, {});
    sc.outlet_node.assign(n, {});
    sc.outlet_subcatch.assign(n, {});
    sc.area_m2.assign(n, 0);
    sc.imperv_fraction.assign(n, 0);
    sc.width_m.assign(n, 0);
    sc.slope.assign(n, 0);
    sc.curb_length.assign(n, 0);
    sc.snowpack.assign(n, {});
    sc.n_imperv.assign(n, 0);
    sc.n_perv.assign(n, 0);
    sc.dstore_imperv_m.assign(n, 0);
    sc.dstore_perv_m.assign(n, 0);
    sc.zero_imperv_fraction.assign(n, 0);
    sc.route_to.assign(n, SubareaRouting::kOutlet);
    sc.routed_fraction.assign(n, 1.0);
    sc.has_subareas.assign(n, 0);
    sc.infiltration.assign(n, {});
    sc.has_infiltration.assign(n, 0);
    sc.polygon.assign(n, {});

    begin_section(Section::kSubcatchments);
    for (std::size_t s = 0; s < n; ++s) {
        const Line& l = *subcatch_line_[s];
        const auto id = l.tokens[0];
        if (!need(l, 8, "name, rain gage, outlet, area, %imperv, width, %slope, curb length"))
            continue;
        sc.gage[s] = lookup<GageIndex>(net_.gage_index, l, l.tokens[1], id, "rain gage");
        // The outlet may be a node or another subcatchment; SWMM looks for a node first and
        // accepts a subcatchment draining to itself (its runoff then leaves the system).
        const auto out = l.tokens[2];
        if (auto it = net_.node_index.find(out); it != net_.node_index.end())
            sc.outlet_node[s] = NodeIndex(it->second);
        else if (auto jt = sc.index.find(out); jt != sc.index.end())
            sc.outlet_subcatch[s] = SubcatchIndex(jt->second);
        else
            error(ErrorCode::kUnknownReference, l, id,
                  "undefined outlet node or subcatchment '" + std::string(out) + "'", out);
        if (auto v = non_negative(l, 3, id, "area"))
            sc.area_m2[s] = *v * f_.land_area;
        if (auto v = non_negative(l, 4, id, "percent impervious")) {
            if (*v > 100)
                // SWMM 5.2 (subcatch_readParams) takes MIN(value, 100).
                warning(ErrorCode::kOutOfRange, l, id,
                        "percent impervious above 100 is taken as 100", l.tokens[4]);
            sc.imperv_fraction[s] = std::min(*v, 100.0) / 100.0;
        }
        if (auto v = non_negative(l, 5, id, "width"))
            sc.width_m[s] = *v * f_.length;
        if (auto v = non_negative(l, 6, id, "percent slope"))
            sc.slope[s] = *v / 100.0;
        if (auto v = non_negative(l, 7, id, "curb length"))
            sc.curb_length[s] = *v;
        if (l.tokens.size() > 8) {
            sc.snowpack[s] = std::string(l.tokens[8]);
            const auto* packs = net_.raw_section("SNOWPACKS");
            bool found = false;
            if (packs)
                for (const auto& row : packs->rows)
                    found = found || (!row.empty() && IdEqual{}(row[0], l.tokens[8]));
            if (!found)
                error(ErrorCode::kUnknownReference, l, id,
                      "undefined snow pack '" + std::string(l.tokens[8]) + "'", l.tokens[8]);
        }
    }

    begin_section(Section::kSubareas);
    for (const auto& l : section(Section::kSubareas)) {
        const auto s = subcatch_ref(l, l.tokens[0], l.tokens[0]);
        if (!s.valid())
            continue;
        const auto u = s.idx();
        const auto id = l.tokens[0];
        if (sc.has_subareas[u])
            error(ErrorCode::kDuplicateId, l, id, "second [SUBAREAS] line for the subcatchment",
                  id);
        if (!need(l, 7, "Nimp Nperv Simp Sperv %Zero RouteTo"))
            continue;
        const auto ni = non_negative(l, 1, id, "impervious n");
        const auto np = non_negative(l, 2, id, "pervious n");
        const auto si = non_negative(l, 3, id, "impervious depression storage");
        const auto sp = non_negative(l, 4, id, "pervious depression storage");
        const auto z = number(l, 5, id, "percent zero-storage impervious");
        if (!ni || !np || !si || !sp || !z)
            continue;
        if (*z < 0 || *z > 100) {
            error(ErrorCode::kOutOfRange, l, id, "percent zero-storage must be in [0, 100]",
                  l.tokens[5]);
            continue;
        }
        static constexpr std::array<std::string_view, 3> kRoute = {"OUTLET", "IMPERVIOUS",
                                                                   "PERVIOUS"};
        const int r = find_keyword(l.tokens[6], kRoute);
        if (r < 0) {
            unknown_keyword(l, 6, id, "subarea routing");
            continue;
        }
        double routed = 100.0;
        if (l.tokens.size() > 7) {
            const auto p = number(l, 7, id, "percent routed");
            if (!p)
                continue;
            if (*p < 0 || *p > 100) {
                error(ErrorCode::kOutOfRange, l, id, "percent routed must be in [0, 100]",
                      l.tokens[7]);
                continue;
            }
            routed = *p;
        }
        sc.n_imperv[u] = *ni;
        sc.n_perv[u] = *np;
        sc.dstore_imperv_m[u] = *si * f_.rain_depth;
        sc.dstore_perv_m[u] = *sp * f_.rain_depth;
        sc.zero_imperv_fraction[u] = *z / 100.0;
        sc.route_to[u] = static_cast<SubareaRouting>(r);
        sc.routed_fraction[u] = routed / 100.0;
        sc.has_subareas[u] = 1;
    }

    begin_section(Section::kInfiltration);
    static constexpr std::array<std::string_view, 5> kModels = {
        "HORTON", "MODIFIED_HORTON", "GREEN_AMPT", "MODIFIED_GREEN_AMPT", "CURVE_NUMBER"};
    for (const auto& l : section(Section::kInfiltration)) {
        const auto s = subcatch_ref(l, l.tokens[0], l.tokens[0]);
        if (!s.valid())
            continue;
        const auto u = s.idx();
        const auto id = l.tokens[0];
        if (sc.has_infiltration[u])
            error(ErrorCode::kDuplicateId, l, id, "second [INFILTRATION] line for the subcatchment",
                  id);
        Infiltration inf;
        inf.model = net_.options.infiltration;
        std::size_t ntok = l.tokens.size();
        // SWMM 5.2: the model may be named in the last field, overriding the option.
        if (ntok > 1) {
            const int m = find_keyword(l.tokens[ntok - 1], kModels);
            if (m >= 0 && !to_number(l.tokens[ntok - 1])) {
                inf.model = static_cast<InfiltrationModel>(m);
                inf.model_given = true;
                --ntok;
            }
        }
        const bool horton = inf.model == InfiltrationModel::kHorton ||
                            inf.model == InfiltrationModel::kModifiedHorton;
        const std::size_t required = horton ? 5 : 4;
        if (ntok < required) {
            error(ErrorCode::kMissingKey, l, id,
                  "too few infiltration parameters for the model (" + std::to_string(ntok - 1) +
                      ", need " + std::to_string(required - 1) + ")");
            continue;
        }
        double p[5] = {0, 0, 0, 0, 0};
        bool ok = true;
        const std::size_t count = horton ? std::min<std::size_t>(ntok - 1, 5) : 3;
        for (std::size_t i = 0; i < count; ++i) {
            const auto v = non_negative(l, i + 1, id, "infiltration parameter");
            if (!v) {
                ok = false;
                break;
            }
            p[i] = *v;
        }
        if (!ok)
            continue;
        switch (inf.model) {
        case InfiltrationModel::kHorton:
        case InfiltrationModel::kModifiedHorton:
            if (p[1] > p[0]) {
                error(ErrorCode::kOutOfRange, l, id, "Horton minimum rate exceeds the maximum rate",
                      l.tokens[2]);
                continue;
            }
            inf.max_rate_ms = p[0] * f_.rain_rate;
            inf.min_rate_ms = p[1] * f_.rain_rate;
            inf.decay_per_s = p[2] / units::kHour;
            inf.dry_time_s = p[3] * units::kDay;
            inf.max_volume_m = p[4] * f_.rain_depth;
            break;
        case InfiltrationModel::kGreenAmpt:
        case InfiltrationModel::kModifiedGreenAmpt:
            // SWMM 5.2 (grnampt_setParams): Ksat > 0 and a deficit in [0, 1].
            if (p[1] <= 0) {
                error(ErrorCode::kOutOfRange, l, id,
                      "Green-Ampt saturated conductivity must be > 0", l.tokens[2]);
                continue;
            }
            if (p[2] > 1.0) {
                error(ErrorCode::kOutOfRange, l, id,
                      "Green-Ampt initial moisture deficit must be <= 1", l.tokens[3]);
                continue;
            }
            inf.suction_m = p[0] * f_.rain_depth;
            inf.ksat_ms = p[1] * f_.rain_rate;
            inf.initial_deficit = p[2];
            break;
        case InfiltrationModel::kCurveNumber:
            // SWMM 5.2 (curvenum_setParams) clamps the curve number to [10, 99] (kept as
            // written here; the runoff model clamps) and needs a drying time > 0.
            if (p[2] <= 0) {
                error(ErrorCode::kOutOfRange, l, id, "curve number drying time must be > 0",
                      l.tokens[3]);
                continue;
            }
            inf.curve_number = p[0];
            inf.ksat_ms = p[1] * f_.rain_rate;
            inf.dry_time_s = p[2] * units::kDay;
            break;
        }
        sc.infiltration[u] = inf;
        sc.has_infiltration[u] = 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Nodes

void Reader::read_junction(const Line& l, NodeIndex n) {
    const auto id = l.tokens[0];
    if (!need(l, 2, "name and invert elevation"))
        return;
    const auto u = n.idx();
    if (auto v = number(l, 1, id, "invert elevation"))
        net_.invert_m[u] = *v * f_.length;
    if (auto v = optional_number(l, 2, id, "maximum depth", 0))
        net_.max_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, 3, id, "initial depth", 0))
        net_.initial_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, 4, id, "surcharge depth", 0))
        net_.surcharge_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, 5, id, "ponded area", 0))
        net_.ponded_area_m2[u] = *v * f_.area;
}

void Reader::read_outfall(const Line& l, NodeIndex n) {
    const auto id = l.tokens[0];
    auto& o = net_.outfalls;
    net_.outfall_of_node[n.idx()] = o.count();
    o.node.push_back(n);
    o.type.push_back(OutfallType::kFree);
    o.fixed_stage_m.push_back(0);
    o.tidal_curve.emplace_back();
    o.stage_series.emplace_back();
    o.flap_gate.push_back(0);
    o.route_to.emplace_back();
    const auto k = static_cast<std::size_t>(o.count() - 1);
    if (!need(l, 3, "name, invert elevation and type"))
        return;
    if (auto v = number(l, 1, id, "invert elevation"))
        net_.invert_m[n.idx()] = *v * f_.length;
    static constexpr std::array<std::string_view, 5> kTypes = {"FREE", "NORMAL", "FIXED", "TIDAL",
                                                               "TIMESERIES"};
    const int t = find_keyword(l.tokens[2], kTypes);
    if (t < 0) {
        unknown_keyword(l, 2, id, "outfall type");
        return;
    }
    o.type[k] = static_cast<OutfallType>(t);
    std::size_t next = 3;
    if (o.type[k] == OutfallType::kFixed || o.type[k] == OutfallType::kTidal ||
        o.type[k] == OutfallType::kTimeSeries) {
        if (!need(l, 4, "the outfall's stage, tidal curve or time series"))
            return;
        if (o.type[k] == OutfallType::kFixed) {
            if (auto v = number(l, 3, id, "fixed stage"))
                o.fixed_stage_m[k] = *v * f_.length;
        } else if (o.type[k] == OutfallType::kTidal) {
            o.tidal_curve[k] = curve_ref(l, l.tokens[3], id, {CurveType::kTidal});
        } else {
            o.stage_series[k] = series_ref(l, l.tokens[3], id, SeriesUsage::kStage);
        }
        next = 4;
    }
    if (l.tokens.size() > next) {
        if (auto b = yes_no(l, next, id, "flap gate"))
            o.flap_gate[k] = *b ? 1 : 0;
    }
    if (l.tokens.size() > next + 1)
        o.route_to[k] = subcatch_ref(l, l.tokens[next + 1], id);
    if (l.tokens.size() > next + 2)
        error(ErrorCode::kUnknownKey, l, id, "too many fields", l.tokens[next + 2]);
}

void Reader::read_divider(const Line& l, NodeIndex n) {
    const auto id = l.tokens[0];
    auto& d = net_.dividers;
    net_.divider_of_node[n.idx()] = d.count();
    d.node.push_back(n);
    d.diverted_link.emplace_back();
    d.type.push_back(DividerType::kOverflow);
    d.cutoff_flow_m3s.push_back(0);
    d.curve.emplace_back();
    d.weir_min_flow_m3s.push_back(0);
    d.weir_max_depth_m.push_back(0);
    d.weir_coefficient.push_back(0);
    const auto k = static_cast<std::size_t>(d.count() - 1);
    if (!need(l, 4, "name, invert elevation, diverted link and type"))
        return;
    if (auto v = number(l, 1, id, "invert elevation"))
        net_.invert_m[n.idx()] = *v * f_.length;
    if (!l.tokens[2].empty() && l.tokens[2] != "*")
        d.diverted_link[k] = link_ref(l, l.tokens[2], id);
    static constexpr std::array<std::string_view, 4> kTypes = {"CUTOFF", "OVERFLOW", "TABULAR",
                                                               "WEIR"};
    const int t = find_keyword(l.tokens[3], kTypes);
    if (t < 0) {
        unknown_keyword(l, 3, id, "divider type");
        return;
    }
    d.type[k] = static_cast<DividerType>(t);
    std::size_t next = 4;
    switch (d.type[k]) {
    case DividerType::kCutoff:
        if (auto v = number(l, 4, id, "cutoff flow"))
            d.cutoff_flow_m3s[k] = *v * f_.flow;
        next = 5;
        break;
    case DividerType::kTabular:
        if (need(l, 5, "diversion curve"))
            d.curve[k] = curve_ref(l, l.tokens[4], id, {CurveType::kDiversion});
        next = 5;
        break;
    case DividerType::kWeir: {
        const auto q = number(l, 4, id, "weir minimum flow");
        const auto h = number(l, 5, id, "weir maximum depth");
        const auto c = number(l, 6, id, "weir coefficient");
        if (q)
            d.weir_min_flow_m3s[k] = *q * f_.flow;
        if (h)
            d.weir_max_depth_m[k] = *h * f_.length;
        if (c)
            d.weir_coefficient[k] = *c * f_.weir_coeff;
        next = 7;
        break;
    }
    case DividerType::kOverflow:
        break;
    }
    const auto u = n.idx();
    if (auto v = optional_number(l, next, id, "maximum depth", 0))
        net_.max_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, next + 1, id, "initial depth", 0))
        net_.initial_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, next + 2, id, "surcharge depth", 0))
        net_.surcharge_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, next + 3, id, "ponded area", 0))
        net_.ponded_area_m2[u] = *v * f_.area;
}

void Reader::read_storage(const Line& l, NodeIndex n) {
    const auto id = l.tokens[0];
    auto& s = net_.storages;
    net_.storage_of_node[n.idx()] = s.count();
    s.node.push_back(n);
    s.shape.push_back(StorageShape::kFunctional);
    s.curve.emplace_back();
    s.param.push_back({0, 0, 0});
    s.evap_factor.push_back(0);
    s.seepage_suction_m.push_back(0);
    s.seepage_ksat_ms.push_back(0);
    s.seepage_initial_deficit.push_back(0);
    s.has_seepage.push_back(0);
    const auto k = static_cast<std::size_t>(s.count() - 1);
    if (!need(l, 6, "name, invert, max depth, initial depth, shape and its parameters"))
        return;
    const auto u = n.idx();
    if (auto v = number(l, 1, id, "invert elevation"))
        net_.invert_m[u] = *v * f_.length;
    if (auto v = non_negative(l, 2, id, "maximum depth"))
        net_.max_depth_m[u] = *v * f_.length;
    if (auto v = non_negative(l, 3, id, "initial depth"))
        net_.initial_depth_m[u] = *v * f_.length;
    static constexpr std::array<std::string_view, 6> kShapes = {
        "TABULAR", "FUNCTIONAL", "CYLINDRICAL", "CONICAL", "PARABOLIC", "PYRAMIDAL"};
    const int t = find_keyword(l.tokens[4], kShapes);
    if (t < 0) {
        unknown_keyword(l, 4, id, "storage shape");
        return;
    }
    s.shape[k] = static_cast<StorageShape>(t);
    std::size_t next = 6;
    if (s.shape[k] == StorageShape::kTabular) {
        s.curve[k] = curve_ref(l, l.tokens[5], id, {CurveType::kStorage});
    } else {
        if (!need(l, 8, "three shape parameters"))
            return;
        double p[3] = {};
        for (std::size_t i = 0; i < 3; ++i) {
            const auto v = number(l, 5 + i, id, "storage shape parameter");
            if (!v)
                return;
            p[i] = *v;
        }
        next = 8;
        const auto bad = [&](std::size_t i, const char* what) {
            error(ErrorCode::kOutOfRange, l, id, what, l.tokens[5 + i]);
        };
        if (s.shape[k] == StorageShape::kFunctional) {
            if (p[2] < 0)
                return bad(2, "the constant area must be >= 0");
            // A = a1·d^a2 + a0 in file units → SI: a1 scales with L^(2-a2).
            const double a1 = p[0] == 0 ? 0.0 : p[0] * f_.area / std::pow(f_.length, p[1]);
            if (!std::isfinite(a1) || (p[0] != 0 && a1 == 0))
                return bad(1, "the area exponent is too large in magnitude for the coefficient "
                              "to be a finite nonzero number in SI units");
            s.param[k] = {a1, p[1], p[2] * f_.area};
        } else {
            if (p[0] <= 0)
                return bad(0, "the storage length must be > 0");
            if (p[1] <= 0)
                return bad(1, "the storage width must be > 0");
            if (p[2] < 0)
                return bad(2, "the storage slope or height must be >= 0");
            if (s.shape[k] == StorageShape::kParabolic && p[2] == 0)
                return bad(2, "the paraboloid's height must be > 0");
            const bool third_is_length = s.shape[k] == StorageShape::kParabolic;
            s.param[k] = {p[0] * f_.length, p[1] * f_.length,
                          third_is_length ? p[2] * f_.length : p[2]};
        }
    }
    // SWMM 5.2: surcharge depth, evaporation factor, then seepage (Green-Ampt) parameters.
    if (auto v = optional_number(l, next, id, "surcharge depth", 0))
        net_.surcharge_depth_m[u] = *v * f_.length;
    if (auto v = optional_number(l, next + 1, id, "evaporation factor", 0))
        s.evap_factor[k] = *v;
    if (l.tokens.size() > next + 2) {
        if (l.tokens.size() < next + 5) {
            error(ErrorCode::kMissingKey, l, id,
                  "seepage needs three values: suction head, conductivity, initial deficit");
            return;
        }
        const auto a = non_negative(l, next + 2, id, "seepage suction head");
        const auto b = non_negative(l, next + 3, id, "seepage conductivity");
        const auto c = non_negative(l, next + 4, id, "seepage initial deficit");
        if (!a || !b || !c)
            return;
        s.seepage_suction_m[k] = *a * f_.rain_depth;
        s.seepage_ksat_ms[k] = *b * f_.rain_rate;
        s.seepage_initial_deficit[k] = *c;
        s.has_seepage[k] = 1;
        if (l.tokens.size() > next + 5)
            error(ErrorCode::kUnknownKey, l, id, "too many fields", l.tokens[next + 5]);
    }
}

void Reader::read_nodes() {
    const auto n = static_cast<std::size_t>(net_.node_count());
    net_.invert_m.assign(n, 0);
    net_.max_depth_m.assign(n, 0);
    net_.initial_depth_m.assign(n, 0);
    net_.surcharge_depth_m.assign(n, 0);
    net_.ponded_area_m2.assign(n, 0);
    net_.x.assign(n, 0);
    net_.y.assign(n, 0);
    net_.has_coordinates.assign(n, 0);
    net_.outfall_of_node.assign(n, -1);
    net_.storage_of_node.assign(n, -1);
    net_.divider_of_node.assign(n, -1);
    for (std::size_t u = 0; u < n; ++u) {
        const Line& l = *node_line_[u];
        const NodeIndex node(static_cast<std::int32_t>(u));
        switch (net_.node_kind[u]) {
        case NodeKind::kJunction:
            begin_section(Section::kJunctions);
            read_junction(l, node);
            break;
        case NodeKind::kOutfall:
            begin_section(Section::kOutfalls);
            read_outfall(l, node);
            break;
        case NodeKind::kDivider:
            begin_section(Section::kDividers);
            read_divider(l, node);
            break;
        case NodeKind::kStorage:
            begin_section(Section::kStorage);
            read_storage(l, node);
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Links

bool Reader::read_offset(const Line& l, std::size_t i, std::string_view id, double& out) {
    if (i >= l.tokens.size()) {
        out = 0;
        return true;
    }
    if (l.tokens[i] == "*" && net_.options.link_offsets == LinkOffsets::kElevation) {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    const auto v = number(l, i, id, "offset");
    if (!v)
        return false;
    out = *v * f_.length;
    return true;
}

void Reader::read_conduit(const Line& l, LinkIndex k) {
    const auto id = l.tokens[0];
    auto& c = net_.conduits;
    net_.type_index[k.idx()] = c.count();
    c.link.push_back(k);
    c.length_m.push_back(0);
    c.roughness.push_back(0);
    const auto i = static_cast<std::size_t>(c.count() - 1);
    if (!need(l, 7, "name, inlet node, outlet node, length, n, inlet and outlet offsets"))
        return;
    if (auto v = number(l, 3, id, "length")) {
        if (*v <= 0)
            error(ErrorCode::kOutOfRange, l, id, "conduit length must be > 0", l.tokens[3]);
        else
            c.length_m[i] = *v * f_.length;
    }
    if (auto v = number(l, 4, id, "Manning n")) {
        if (*v <= 0)
            error(ErrorCode::kOutOfRange, l, id, "Manning n must be > 0", l.tokens[4]);
        else
            c.roughness[i] = *v;
    }
    read_offset(l, 5, id, net_.inlet_offset_m[k.idx()]);
    read_offset(l, 6, id, net_.outlet_offset_m[k.idx()]);
    if (auto v = optional_number(l, 7, id, "initial flow", 0))
        net_.initial_flow_m3s[k.idx()] = *v * f_.flow;
    if (auto v = optional_number(l, 8, id, "maximum flow", 0)) {
        if (*v < 0)
            error(ErrorCode::kOutOfRange, l, id, "maximum flow must be >= 0", l.tokens[8]);
        else
            net_.max_flow_m3s[k.idx()] = *v * f_.flow;
    }
}

void Reader::read_pump(const Line& l, LinkIndex k) {
    const auto id = l.tokens[0];
    auto& p = net_.pumps;
    net_.type_index[k.idx()] = p.count();
    p.link.push_back(k);
    p.curve.emplace_back();
    p.initially_on.push_back(1);
    p.startup_depth_m.push_back(0);
    p.shutoff_depth_m.push_back(0);
    const auto i = static_cast<std::size_t>(p.count() - 1);
    if (!need(l, 4, "name, inlet node, outlet node and pump curve"))
        return;
    if (l.tokens[3] != "*")
        p.curve[i] = curve_ref(l, l.tokens[3], id,
                               {CurveType::kPump1, CurveType::kPump2, CurveType::kPump3,
                                CurveType::kPump4, CurveType::kPump5});
    if (l.tokens.size() > 4) {
        if (equals(l.tokens[4], "ON"))
            p.initially_on[i] = 1;
        else if (equals(l.tokens[4], "OFF"))
            p.initially_on[i] = 0;
        else
            unknown_keyword(l, 4, id, "pump status (ON or OFF)");
    }
    if (auto v = optional_number(l, 5, id, "startup depth", 0))
        p.startup_depth_m[i] = *v * f_.length;
    if (auto v = optional_number(l, 6, id, "shutoff depth", 0))
        p.shutoff_depth_m[i] = *v * f_.length;
}

void Reader::read_orifice(const Line& l, LinkIndex k) {
    const auto id = l.tokens[0];
    auto& o = net_.orifices;
    net_.type_index[k.idx()] = o.count();
    o.link.push_back(k);
    o.type.push_back(OrificeType::kSide);
    o.discharge_coefficient.push_back(0);
    o.flap_gate.push_back(0);
    o.open_close_time_s.push_back(0);
    const auto i = static_cast<std::size_t>(o.count() - 1);
    if (!need(l, 6, "name, inlet node, outlet node, type, offset, discharge coefficient"))
        return;
    if (starts(l.tokens[3], "SIDE"))
        o.type[i] = OrificeType::kSide;
    else if (starts(l.tokens[3], "BOTTOM"))
        o.type[i] = OrificeType::kBottom;
    else
        unknown_keyword(l, 3, id, "orifice type (SIDE or BOTTOM)");
    read_offset(l, 4, id, net_.inlet_offset_m[k.idx()]);
    if (auto v = non_negative(l, 5, id, "discharge coefficient"))
        o.discharge_coefficient[i] = *v;
    if (l.tokens.size() > 6)
        if (auto b = yes_no(l, 6, id, "flap gate"))
            o.flap_gate[i] = *b ? 1 : 0;
    if (l.tokens.size() > 7)
        if (auto v = non_negative(l, 7, id, "open/close time"))
            o.open_close_time_s[i] = *v * units::kHour;
}

void Reader::read_weir(const Line& l, LinkIndex k) {
    const auto id = l.tokens[0];
    auto& w = net_.weirs;
    net_.type_index[k.idx()] = w.count();
    w.link.push_back(k);
    w.type.push_back(WeirType::kTransverse);
    w.coefficient.push_back(0);
    w.flap_gate.push_back(0);
    w.end_contractions.push_back(0);
    w.end_coefficient.push_back(0);
    w.can_surcharge.push_back(1);
    w.road_width_m.push_back(0);
    w.road_surface.push_back(RoadSurface::kNone);
    w.coefficient_curve.emplace_back();
    const auto i = static_cast<std::size_t>(w.count() - 1);
    if (!need(l, 6, "name, inlet node, outlet node, type, crest height, discharge coefficient"))
        return;
    static constexpr std::array<std::string_view, 5> kTypes = {"TRANSVERSE", "SIDEFLOW", "V-NOTCH",
                                                               "TRAPEZOIDAL", "ROADWAY"};
    const int t = find_keyword(l.tokens[3], kTypes);
    if (t < 0)
        unknown_keyword(l, 3, id, "weir type");
    else
        w.type[i] = static_cast<WeirType>(t);
    read_offset(l, 4, id, net_.inlet_offset_m[k.idx()]);
    if (auto v = non_negative(l, 5, id, "discharge coefficient"))
        w.coefficient[i] = *v * f_.weir_coeff;
    const auto given = [&](std::size_t j) { return l.tokens.size() > j && l.tokens[j] != "*"; };
    if (given(6))
        if (auto b = yes_no(l, 6, id, "flap gate"))
            w.flap_gate[i] = *b ? 1 : 0;
    if (given(7))
        if (auto v = non_negative(l, 7, id, "end contractions"))
            w.end_contractions[i] = *v;
    if (given(8))
        if (auto v = non_negative(l, 8, id, "end discharge coefficient"))
            w.end_coefficient[i] = *v * f_.weir_coeff;
    if (given(9))
        if (auto b = yes_no(l, 9, id, "surcharge"))
            w.can_surcharge[i] = *b ? 1 : 0;
    if (given(10))
        if (auto v = non_negative(l, 10, id, "road width"))
            w.road_width_m[i] = *v * f_.length;
    if (given(11)) {
        if (equals(l.tokens[11], "PAVED"))
            w.road_surface[i] = RoadSurface::kPaved;
        else if (equals(l.tokens[11], "GRAVEL"))
            w.road_surface[i] = RoadSurface::kGravel;
        else
            unknown_keyword(l, 11, id, "road surface (PAVED or GRAVEL)");
    }
    if (given(12))
        w.coefficient_curve[i] = curve_ref(l, l.tokens[12], id, {CurveType::kWeir});
}

void Reader::read_outlet(const Line& l, LinkIndex k) {
    const auto id = l.tokens[0];
    auto& o = net_.outlets;
    net_.type_index[k.idx()] = o.count();
    o.link.push_back(k);
    o.rating.push_back(OutletRating::kFunctionalDepth);
    o.coefficient.push_back(0);
    o.exponent.push_back(0);
    o.curve.emplace_back();
    o.flap_gate.push_back(0);
    const auto i = static_cast<std::size_t>(o.count() - 1);
    if (!need(l, 6, "name, inlet node, outlet node, offset, rating type and its parameters"))
        return;
    read_offset(l, 3, id, net_.inlet_offset_m[k.idx()]);
    const auto r = l.tokens[4];
    const bool head = upper(r).find("/HEAD") != std::string::npos;
    std::size_t next = 0;
    if (starts(r, "FUNCTIONAL")) {
        o.rating[i] = head ? OutletRating::kFunctionalHead : OutletRating::kFunctionalDepth;
        if (!need(l, 7, "coefficient and exponent"))
            return;
        const auto c = number(l, 5, id, "coefficient");
        const auto e = number(l, 6, id, "exponent");
        if (!c || !e)
            return;
        o.exponent[i] = *e;
        o.coefficient[i] = *c * f_.flow / std::pow(f_.length, *e);
        next = 7;
    } else if (starts(r, "TABULAR")) {
        o.rating[i] = head ? OutletRating::kTabularHead : OutletRating::kTabularDepth;
        o.curve[i] = curve_ref(l, l.tokens[5], id, {CurveType::kRating});
        next = 6;
    } else {
        unknown_keyword(l, 4, id, "outlet rating (FUNCTIONAL/DEPTH, TABULAR/HEAD, ...)");
        return;
    }
    if (l.tokens.size() > next)
        if (auto b = yes_no(l, next, id, "flap gate"))
            o.flap_gate[i] = *b ? 1 : 0;
}

void Reader::read_links() {
    const auto n = static_cast<std::size_t>(net_.link_count());
    net_.from_node.assign(n, {});
    net_.to_node.assign(n, {});
    net_.inlet_offset_m.assign(n, 0);
    net_.outlet_offset_m.assign(n, 0);
    net_.initial_flow_m3s.assign(n, 0);
    net_.max_flow_m3s.assign(n, 0);
    net_.xsection.assign(n, {});
    net_.losses.assign(n, {});
    net_.type_index.assign(n, -1);
    net_.vertices.assign(n, {});
    for (std::size_t u = 0; u < n; ++u) {
        const Line& l = *link_line_[u];
        const LinkIndex link(static_cast<std::int32_t>(u));
        const Section sections[] = {Section::kConduits, Section::kPumps, Section::kOrifices,
                                    Section::kWeirs, Section::kOutlets};
        begin_section(sections[static_cast<std::size_t>(net_.link_kind[u])]);
        if (l.tokens.size() >= 3) {
            net_.from_node[u] = node_ref(l, l.tokens[1], l.tokens[0]);
            net_.to_node[u] = node_ref(l, l.tokens[2], l.tokens[0]);
        }
        switch (net_.link_kind[u]) {
        case LinkKind::kConduit:
            read_conduit(l, link);
            break;
        case LinkKind::kPump:
            read_pump(l, link);
            break;
        case LinkKind::kOrifice:
            read_orifice(l, link);
            break;
        case LinkKind::kWeir:
            read_weir(l, link);
            break;
        case LinkKind::kOutlet:
            read_outlet(l, link);
            break;
        }
        if (l.tokens.size() < 3)
            continue; // reported by the reader of its kind
    }
}

void Reader::read_xsection(const Line& l) {
    const auto id = l.tokens[0];
    const auto k = link_ref(l, id, id);
    if (!k.valid() || !need(l, 3, "link, shape and its parameters"))
        return;
    auto& x = net_.xsection[k.idx()];
    const auto kind = net_.link_kind[k.idx()];
    if (kind == LinkKind::kPump || kind == LinkKind::kOutlet) {
        error(ErrorCode::kInconsistent, l, id, "pumps and outlets have no cross-section", id);
        return;
    }
    if (x.given)
        error(ErrorCode::kDuplicateId, l, id, "second [XSECTIONS] line for the link", id);
    static constexpr std::array<std::string_view, 26> kShapes = {
        "DUMMY",        "CIRCULAR",        "FILLED_CIRCULAR", "RECT_CLOSED",  "RECT_OPEN",
        "TRAPEZOIDAL",  "TRIANGULAR",      "PARABOLIC",       "POWER",        "RECT_TRIANGULAR",
        "RECT_ROUND",   "MODBASKETHANDLE", "HORIZ_ELLIPSE",   "VERT_ELLIPSE", "ARCH",
        "EGG",          "HORSESHOE",       "GOTHIC",          "CATENARY",     "SEMIELLIPTICAL",
        "BASKETHANDLE", "SEMICIRCULAR",    "IRREGULAR",       "CUSTOM",       "FORCE_MAIN",
        "STREET"};
    // Exact names first: "RECT_TRIANGULAR" must not be read as a prefix match of another.
    int s = -1;
    for (std::size_t i = 0; i < kShapes.size() && s < 0; ++i)
        if (equals(l.tokens[1], kShapes[i]))
            s = static_cast<int>(i);
    if (s < 0)
        s = find_keyword(l.tokens[1], kShapes);
    if (s < 0) {
        unknown_keyword(l, 1, id, "cross-section shape");
        return;
    }
    XSection out;
    out.shape = static_cast<XsectShape>(s);
    out.given = true;
    if (out.shape == XsectShape::kIrregular) {
        out.transect = lookup<TransectIndex>(net_.transect_index, l, l.tokens[2], id, "transect");
        x = out;
        return;
    }
    if (out.shape == XsectShape::kStreet) {
        const auto* streets = net_.raw_section("STREETS");
        bool found = false;
        if (streets)
            for (const auto& row : streets->rows)
                found = found || (!row.empty() && IdEqual{}(row[0], l.tokens[2]));
        if (!found)
            error(ErrorCode::kUnknownReference, l, id,
                  "undefined street '" + std::string(l.tokens[2]) + "'", l.tokens[2]);
        out.street = std::string(l.tokens[2]);
        x = out;
        return;
    }
    if (!need(l, 6, "shape and four geometry values"))
        return;
    if (out.shape == XsectShape::kCustom) {
        const auto h = number(l, 2, id, "full height");
        if (!h)
            return;
        if (*h <= 0) {
            error(ErrorCode::kOutOfRange, l, id, "full height must be > 0", l.tokens[2]);
            return;
        }
        out.geom[0] = *h * f_.length;
        out.shape_curve = curve_ref(l, l.tokens[3], id, {CurveType::kShape});
        // SWMM reads Geom3 / Geom4 as numbers it ignores; keep them for the round trip.
        for (std::size_t g = 2; g < 4; ++g)
            if (auto v = to_number(l.tokens[g + 2]))
                out.geom[g] = *v;
    } else {
        for (std::size_t g = 0; g < 4; ++g) {
            const auto v = number(l, g + 2, id, "geometry value");
            if (!v)
                return;
            out.geom[g] = *v;
        }
        if (out.shape != XsectShape::kDummy && out.geom[0] <= 0) {
            error(ErrorCode::kOutOfRange, l, id, "cross-section depth must be > 0", l.tokens[2]);
            return;
        }
        if (out.shape == XsectShape::kForceMain && out.geom[1] <= 0) {
            error(ErrorCode::kOutOfRange, l, id,
                  "a force main's Hazen-Williams C or Darcy-Weisbach roughness must be > 0",
                  l.tokens[3]);
            return;
        }
        // Lengths in SI; the other geometry values stay as written (see XSection).
        out.geom[0] *= f_.length;
        if (out.shape != XsectShape::kForceMain)
            out.geom[1] *= f_.length;
        if (out.shape == XsectShape::kRectTriangular || out.shape == XsectShape::kRectRound ||
            out.shape == XsectShape::kModBasketHandle)
            out.geom[2] *= f_.length;
    }
    if (l.tokens.size() > 6 && kind == LinkKind::kConduit) {
        const auto b = to_integer(l.tokens[6]);
        if (!b || *b < 1 || *b > 100) {
            error(ErrorCode::kOutOfRange, l, id, "barrels must be a whole number >= 1",
                  l.tokens[6]);
            return;
        }
        out.barrels = static_cast<int>(*b);
    }
    if (l.tokens.size() > 7 && kind == LinkKind::kConduit) {
        const auto c = to_integer(l.tokens[7]);
        if (!c || *c < 0 || *c > 57) {
            error(ErrorCode::kOutOfRange, l, id, "culvert code must be in [0, 57]", l.tokens[7]);
            return;
        }
        out.culvert_code = static_cast<int>(*c);
    }
    x = out;
}

void Reader::read_link_details() {
    begin_section(Section::kXsections);
    for (const auto& l : section(Section::kXsections))
        read_xsection(l);

    begin_section(Section::kLosses);
    for (const auto& l : section(Section::kLosses)) {
        const auto id = l.tokens[0];
        const auto k = link_ref(l, id, id);
        if (!k.valid() || !need(l, 4, "link, entry, exit and average loss coefficients"))
            continue;
        if (net_.link_kind[k.idx()] != LinkKind::kConduit) {
            error(ErrorCode::kInconsistent, l, id, "only conduits have losses", id);
            continue;
        }
        auto& x = net_.losses[k.idx()];
        if (x.given)
            error(ErrorCode::kDuplicateId, l, id, "second [LOSSES] line for the link", id);
        const auto a = non_negative(l, 1, id, "entry loss");
        const auto b = non_negative(l, 2, id, "exit loss");
        const auto c = non_negative(l, 3, id, "average loss");
        if (!a || !b || !c)
            continue;
        x.entry = *a;
        x.exit = *b;
        x.average = *c;
        x.given = true;
        if (l.tokens.size() > 4)
            if (auto g = yes_no(l, 4, id, "flap gate"))
                x.flap_gate = *g;
        if (l.tokens.size() > 5)
            if (auto v = non_negative(l, 5, id, "seepage rate"))
                x.seepage_ms = *v * f_.rain_rate;
    }

    // Every conduit, orifice and weir needs a cross-section (SWMM error 207 otherwise).
    for (std::size_t u = 0; u < net_.xsection.size(); ++u) {
        const auto kind = net_.link_kind[u];
        if ((kind == LinkKind::kConduit || kind == LinkKind::kOrifice || kind == LinkKind::kWeir) &&
            !net_.xsection[u].given) {
            const Section sections[] = {Section::kConduits, Section::kPumps, Section::kOrifices,
                                        Section::kWeirs, Section::kOutlets};
            begin_section(sections[static_cast<std::size_t>(kind)]);
            error(ErrorCode::kMissingKey, *link_line_[u], net_.link_id[u],
                  "link has no [XSECTIONS] line");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DWF, INFLOWS, RDII, HYDROGRAPHS

void Reader::read_inflows() {
    // Pollutant names come from [POLLUTANTS], kept as a raw section.
    const auto* pollutants = net_.raw_section("POLLUTANTS");
    const auto is_pollutant = [&](std::string_view name) {
        if (!pollutants)
            return false;
        for (const auto& row : pollutants->rows)
            if (!row.empty() && IdEqual{}(row[0], name))
                return true;
        return false;
    };

    begin_section(Section::kInflows);
    for (const auto& l : section(Section::kInflows)) {
        const auto id = l.tokens[0];
        if (!need(l, 3, "node, constituent and time series"))
            continue;
        ExternalInflow in;
        in.node = node_ref(l, id, id);
        in.constituent = std::string(l.tokens[1]);
        const bool flow = equals(l.tokens[1], "FLOW") && !is_pollutant(l.tokens[1]);
        if (!flow && !is_pollutant(l.tokens[1])) {
            error(ErrorCode::kUnknownReference, l, id,
                  "undefined pollutant '" + std::string(l.tokens[1]) + "'", l.tokens[1]);
            continue;
        }
        in.type = flow ? ExternalInflow::Type::kFlow : ExternalInflow::Type::kConcentration;
        if (!flow && l.tokens.size() > 3) {
            if (starts(l.tokens[3], "CONCEN"))
                in.type = ExternalInflow::Type::kConcentration;
            else if (starts(l.tokens[3], "MASS"))
                in.type = ExternalInflow::Type::kMass;
            else {
                unknown_keyword(l, 3, id, "inflow type (CONCEN or MASS)");
                continue;
            }
        }
        if (!l.tokens[2].empty())
            in.series = series_ref(l, l.tokens[2], id,
                                   flow ? SeriesUsage::kFlow : SeriesUsage::kConcentration);
        if (in.type == ExternalInflow::Type::kMass && l.tokens.size() > 4) {
            const auto cf = number(l, 4, id, "units conversion factor");
            if (!cf)
                continue;
            if (*cf <= 0) {
                error(ErrorCode::kOutOfRange, l, id, "conversion factor must be > 0", l.tokens[4]);
                continue;
            }
            in.conversion_factor = *cf;
        } else if (l.tokens.size() > 4) {
            // FLOW and CONCEN: SWMM ignores the field; keep what the file says for writing back.
            if (auto cf = to_number(l.tokens[4]))
                in.conversion_factor = *cf;
        }
        if (l.tokens.size() > 5)
            if (auto v = number(l, 5, id, "scale factor"))
                in.scale_factor = *v;
        if (l.tokens.size() > 6)
            if (auto v = number(l, 6, id, "baseline"))
                in.baseline = flow ? *v * f_.flow : *v;
        if (l.tokens.size() > 7 && !l.tokens[7].empty())
            in.baseline_pattern = pattern_ref(l, l.tokens[7], id);
        net_.inflows.push_back(std::move(in));
    }

    begin_section(Section::kDwf);
    for (const auto& l : section(Section::kDwf)) {
        const auto id = l.tokens[0];
        if (!need(l, 3, "node, constituent and average value"))
            continue;
        DryWeatherFlow d;
        d.node = node_ref(l, id, id);
        d.constituent = std::string(l.tokens[1]);
        const bool flow = equals(l.tokens[1], "FLOW") && !is_pollutant(l.tokens[1]);
        if (!flow && !is_pollutant(l.tokens[1])) {
            error(ErrorCode::kUnknownReference, l, id,
                  "undefined pollutant '" + std::string(l.tokens[1]) + "'", l.tokens[1]);
            continue;
        }
        const auto v = number(l, 2, id, "average value");
        if (!v)
            continue;
        d.average = flow ? *v * f_.flow : *v;
        for (std::size_t k = 3; k < l.tokens.size() && k < 7; ++k) {
            if (l.tokens[k].empty() || l.tokens[k] == "*")
                d.patterns.emplace_back();
            else
                d.patterns.push_back(pattern_ref(l, l.tokens[k], id));
        }
        // Trailing "no pattern" entries carry nothing.
        while (!d.patterns.empty() && !d.patterns.back().valid())
            d.patterns.pop_back();
        net_.dwf.push_back(std::move(d));
    }

    begin_section(Section::kHydrographs);
    // per group and month, the R of each response and the line that set it last
    struct MonthRatios {
        std::array<double, 3> r{};
        const Line* line = nullptr;
    };
    std::vector<std::array<MonthRatios, 12>> ratios(net_.hydrographs.size());
    auto set_ratios = [&](HydrographIndex h, const UnitHydrographParams& q, const Line& l) {
        const int first = q.month == 0 ? 0 : q.month - 1;
        const int last = q.month == 0 ? 11 : q.month - 1;
        for (int m = first; m <= last; ++m) {
            auto& mr = ratios[h.idx()][static_cast<std::size_t>(m)];
            mr.r[static_cast<std::size_t>(q.response)] = q.r;
            mr.line = &l;
        }
    };
    for (const auto& l : section(Section::kHydrographs)) {
        const auto h = lookup<HydrographIndex>(net_.hydrograph_index, l, l.tokens[0], {}, "");
        auto& uh = net_.hydrographs[h.idx()];
        if (l.tokens.size() == 2) {
            uh.gage = lookup<GageIndex>(net_.gage_index, l, l.tokens[1], uh.id, "rain gage");
            continue;
        }
        if (!need(l, 6, "group, month, response, R, T, K"))
            continue;
        UnitHydrographParams p;
        if (equals(l.tokens[1], "ALL")) {
            p.month = 0;
        } else {
            const int m = find_keyword(upper(l.tokens[1]).substr(0, 3), kMonths);
            if (m < 0 || l.tokens[1].size() < 3) {
                unknown_keyword(l, 1, uh.id, "month");
                continue;
            }
            p.month = m + 1;
        }
        // a triangle's base time T·(1 + K), in hours, within the reader's longest time (1e9 h:
        // its seconds stay a count the RDII computation can hold)
        auto base_time_ok = [&](double t_h, double k, std::size_t token) {
            if (t_h * (1.0 + k) <= 1e9)
                return true;
            error(ErrorCode::kOutOfRange, l, uh.id,
                  "the base time T·(1 + K) of a unit hydrograph exceeds 1e9 hours",
                  l.tokens[token]);
            return false;
        };
        // the IA parameters Dmax, Drecov, Dinit from token `first` on, where given
        auto abstraction = [&](UnitHydrographParams& q, std::size_t first) {
            if (l.tokens.size() <= first)
                return true;
            const auto a = optional_number(l, first, uh.id, "Dmax", 0);
            const auto b = optional_number(l, first + 1, uh.id, "Drecov", 0);
            const auto c = optional_number(l, first + 2, uh.id, "Dinit", 0);
            if (!a || !b || !c)
                return false;
            q.dmax_m = *a * f_.rain_depth;
            q.drecov_ms = *b * f_.evap_rate;
            q.dinit_m = *c * f_.rain_depth;
            q.has_abstraction = true;
            return true;
        };
        const bool old_format = !starts(l.tokens[2], "SHORT") && !starts(l.tokens[2], "MEDIUM") &&
                                !starts(l.tokens[2], "LONG") && l.tokens.size() >= 11;
        if (old_format) {
            // SWMM 5.0's line: month, then R T K of the short, medium and long responses, then
            // the IA parameters shared by the three (SWMM rdii.c readOldUHFormat)
            std::array<UnitHydrographParams, 3> three{p, p, p};
            bool ok = true;
            for (std::size_t r = 0; r < 3 && ok; ++r) {
                const auto rr = non_negative(l, 2 + 3 * r, uh.id, "R");
                const auto tt = non_negative(l, 3 + 3 * r, uh.id, "T");
                const auto kk = non_negative(l, 4 + 3 * r, uh.id, "K");
                ok = rr && tt && kk && base_time_ok(*tt, *kk, 4 + 3 * r) &&
                     abstraction(three[r], 11);
                if (!ok)
                    break;
                three[r].response = static_cast<UnitHydrographParams::Response>(r);
                three[r].r = *rr;
                three[r].t_s = *tt * units::kHour;
                three[r].k = *kk;
            }
            if (ok) {
                uh.params.insert(uh.params.end(), three.begin(), three.end());
                for (const auto& q : three)
                    set_ratios(h, q, l);
            }
            continue;
        }
        if (starts(l.tokens[2], "SHORT"))
            p.response = UnitHydrographParams::Response::kShort;
        else if (starts(l.tokens[2], "MEDIUM"))
            p.response = UnitHydrographParams::Response::kMedium;
        else if (starts(l.tokens[2], "LONG"))
            p.response = UnitHydrographParams::Response::kLong;
        else {
            unknown_keyword(l, 2, uh.id, "response (SHORT, MEDIUM or LONG)");
            continue;
        }
        const auto r = non_negative(l, 3, uh.id, "R");
        const auto t = non_negative(l, 4, uh.id, "T");
        const auto k = non_negative(l, 5, uh.id, "K");
        if (!r || !t || !k || !base_time_ok(*t, *k, 5))
            continue;
        p.r = *r;
        p.t_s = *t * units::kHour;
        p.k = *k;
        if (!abstraction(p, 6))
            continue;
        uh.params.push_back(p);
        set_ratios(h, p, l);
    }
    // the three responses of a month together return at most all the rain (SWMM error 153,
    // with its 1 % allowance)
    for (std::size_t h = 0; h < ratios.size(); ++h)
        for (std::size_t m = 0; m < 12; ++m) {
            const auto& mr = ratios[h][m];
            const double sum = mr.r[0] + mr.r[1] + mr.r[2];
            if (mr.line != nullptr && sum > 1.01) {
                error(ErrorCode::kOutOfRange, *mr.line, net_.hydrographs[h].id,
                      "the R of the short, medium and long responses add up to " +
                          std::to_string(sum) + " in " + std::string(kMonths[m]) +
                          " (at most 1; SWMM error 153)");
                break;
            }
        }
    for (const auto& uh : net_.hydrographs) {
        if (!uh.gage.valid())
            for (const auto& l : section(Section::kHydrographs))
                if (IdEqual{}(l.tokens[0], uh.id)) {
                    error(ErrorCode::kMissingKey, l, uh.id,
                          "unit hydrograph group without its rain gage line");
                    break;
                }
    }

    begin_section(Section::kRdii);
    for (const auto& l : section(Section::kRdii)) {
        const auto id = l.tokens[0];
        if (!need(l, 3, "node, unit hydrograph group and sewershed area"))
            continue;
        Rdii r;
        r.node = node_ref(l, id, id);
        r.hydrograph = lookup<HydrographIndex>(net_.hydrograph_index, l, l.tokens[1], id,
                                               "unit hydrograph group");
        if (auto v = non_negative(l, 2, id, "sewershed area"))
            r.sewer_area_m2 = *v * f_.land_area;
        net_.rdii.push_back(std::move(r));
    }
}

// ---------------------------------------------------------------------------------------------
// CONTROLS: rules kept clause by clause (SWMM 5.2 manual, Control Rules).

void Reader::read_controls() {
    current_name_ = "CONTROLS";
    ControlRule* rule = nullptr;
    enum class Part { kNone, kPremise, kAction };
    Part part = Part::kNone;
    bool in_else = false;
    for (std::size_t i = 0; i < control_lines_.size(); ++i) {
        const auto text = control_lines_[i];
        net_.control_text.emplace_back(text);
        Line l;
        l.number = control_numbers_[i];
        l.text = text;
        tokenize(text, l);
        if (l.tokens.empty())
            continue;
        const auto key = l.tokens[0];
        if (equals(key, "RULE")) {
            if (!need(l, 2, "rule name"))
                continue;
            net_.rules.emplace_back();
            rule = &net_.rules.back();
            rule->id = std::string(l.tokens[1]);
            rule->line = l.number;
            part = Part::kNone;
            in_else = false;
            continue;
        }
        if (equals(key, "VARIABLE") || equals(key, "EXPRESSION")) {
            read_rule_name(l, equals(key, "VARIABLE"));
            continue;
        }
        if (!rule) {
            error(ErrorCode::kInconsistent, l, {}, "control clause outside a RULE", key);
            continue;
        }
        std::vector<std::string> rest;
        for (std::size_t k = 1; k < l.tokens.size(); ++k)
            rest.emplace_back(l.tokens[k]);
        if (equals(key, "IF")) {
            if (part != Part::kNone) {
                error(ErrorCode::kInconsistent, l, rule->id, "IF out of place", key);
                continue;
            }
            part = Part::kPremise;
            rule->premises.push_back({RulePremise::Logic::kIf, std::move(rest), {}});
            rule->premises.back().condition = rule_condition(l, rule->id);
        } else if (equals(key, "AND") || equals(key, "OR")) {
            if (part == Part::kPremise) {
                rule->premises.push_back(
                    {equals(key, "AND") ? RulePremise::Logic::kAnd : RulePremise::Logic::kOr,
                     std::move(rest),
                     {}});
                rule->premises.back().condition = rule_condition(l, rule->id);
            } else if (part == Part::kAction && equals(key, "AND")) {
                rule->actions.push_back({in_else, std::move(rest), {}});
                rule->actions.back().setting = rule_setting(l, rule->id);
            } else {
                error(ErrorCode::kInconsistent, l, rule->id, std::string(key) + " out of place",
                      key);
            }
        } else if (equals(key, "THEN")) {
            if (part != Part::kPremise) {
                error(ErrorCode::kInconsistent, l, rule->id, "THEN without IF", key);
                continue;
            }
            part = Part::kAction;
            rule->actions.push_back({false, std::move(rest), {}});
            rule->actions.back().setting = rule_setting(l, rule->id);
        } else if (equals(key, "ELSE")) {
            if (part != Part::kAction || in_else) {
                error(ErrorCode::kInconsistent, l, rule->id, "ELSE out of place", key);
                continue;
            }
            in_else = true;
            rule->actions.push_back({true, std::move(rest), {}});
            rule->actions.back().setting = rule_setting(l, rule->id);
        } else if (equals(key, "PRIORITY")) {
            if (auto v = number(l, 1, rule->id, "priority"))
                rule->priority = *v;
        } else {
            error(ErrorCode::kUnknownKey, l, rule->id,
                  "unknown rule keyword '" + std::string(key) + "'", key);
        }
    }
    for (const auto& r : net_.rules)
        if (r.premises.empty() || r.actions.empty() ||
            std::all_of(r.actions.begin(), r.actions.end(),
                        [](const RuleAction& a) { return a.else_branch; })) {
            Line l;
            l.number = r.line;
            for (std::size_t i = 0; i < control_numbers_.size(); ++i)
                if (control_numbers_[i] == r.line)
                    l.text = control_lines_[i];
            error(ErrorCode::kMissingKey, l, r.id, "rule needs an IF and a THEN clause");
        }
}

std::optional<std::int32_t> Reader::named_rule_variable(std::string_view name) const {
    for (std::size_t i = 0; i < net_.rule_variables.size(); ++i)
        if (rows::iequals(name, net_.rule_variables[i].name)) // names ignore case, as SWMM's do
            return static_cast<std::int32_t>(i);
    return std::nullopt;
}

std::optional<std::int32_t> Reader::named_rule_expression(std::string_view name) const {
    for (std::size_t i = 0; i < net_.rule_expressions.size(); ++i)
        if (rows::iequals(name, net_.rule_expressions[i].name))
            return static_cast<std::int32_t>(i);
    return std::nullopt;
}

/// `VARIABLE name = object id attribute` or `EXPRESSION name = formula` (SWMM 5.2).
void Reader::read_rule_name(const Line& l, bool variable) {
    const auto& t = l.tokens;
    const std::string_view what = variable ? "VARIABLE" : "EXPRESSION";
    if (t.size() < 4 || t[2] != "=") {
        error(ErrorCode::kMissingKey, l, {}, std::string(what) + " needs 'name = ...'",
              t.size() > 1 ? t[1] : t[0]);
        return;
    }
    const std::string name(t[1]);
    if (named_rule_variable(name) || named_rule_expression(name)) {
        error(ErrorCode::kDuplicateId, l, name, "rule name '" + name + "' defined twice", t[1]);
        return;
    }
    if (variable) {
        std::size_t k = 3;
        auto v = rule_variable(l, k, name);
        if (!v)
            return;
        if (k + 1 < t.size()) {
            error(ErrorCode::kUnknownKey, l, name, "unexpected field in a VARIABLE", t[k + 1]);
            return;
        }
        net_.rule_variables.push_back({name, *v});
        return;
    }
    std::string text;
    for (std::size_t k = 3; k < t.size(); ++k) {
        if (!text.empty())
            text += ' ';
        text += t[k];
    }
    std::string why;
    auto e = MathExpression::parse(
        text, [&](std::string_view n) { return named_rule_variable(n); }, why);
    if (!e) {
        error(ErrorCode::kNumberSyntax, l, name, "bad EXPRESSION: " + why, t[3]);
        return;
    }
    net_.rule_expressions.push_back({name, std::move(*e)});
}

/// `object id attribute` (or `SIMULATION attribute`) at l.tokens[k...]; k ends on the attribute.
std::optional<RuleVariable> Reader::rule_variable(const Line& l, std::size_t& k,
                                                  std::string_view rule) {
    using A = RuleVariable::Attribute;
    static constexpr std::array<std::string_view, 9> kObjects = {
        "GAGE", "NODE", "LINK", "CONDUIT", "PUMP", "ORIFICE", "WEIR", "OUTLET", "SIMULATION"};
    static constexpr std::array<std::string_view, 21> kAttributes = {
        "DEPTH",      "MAXDEPTH", "HEAD",    "VOLUME",    "INFLOW",    "FLOW",     "FULLFLOW",
        "FULLDEPTH",  "STATUS",   "SETTING", "LENGTH",    "SLOPE",     "VELOCITY", "TIMEOPEN",
        "TIMECLOSED", "TIME",     "DATE",    "CLOCKTIME", "DAYOFYEAR", "DAY",      "MONTH"};
    const auto& t = l.tokens;
    if (k >= t.size()) {
        error(ErrorCode::kMissingKey, l, rule, "incomplete rule clause");
        return std::nullopt;
    }
    const int obj = find_keyword(t[k], kObjects);
    if (obj < 0) {
        unknown_keyword(l, k, rule, "rule object");
        return std::nullopt;
    }
    RuleVariable v;
    if (obj == 8) {
        v.object = RuleVariable::Object::kSimulation;
    } else {
        if (++k >= t.size()) {
            error(ErrorCode::kMissingKey, l, rule, "incomplete rule clause");
            return std::nullopt;
        }
        if (obj == 0) {
            v.object = RuleVariable::Object::kGage;
            v.index = lookup<GageIndex>(net_.gage_index, l, t[k], rule, "rain gage").value();
        } else if (obj == 1) {
            v.object = RuleVariable::Object::kNode;
            v.index = node_ref(l, t[k], rule).value();
        } else {
            v.object = RuleVariable::Object::kLink;
            const auto link = link_ref(l, t[k], rule);
            v.index = link.value();
            // PUMP, ORIFICE, WEIR, OUTLET, CONDUIT must name a link of that kind.
            static constexpr LinkKind kKinds[] = {LinkKind::kConduit, LinkKind::kPump,
                                                  LinkKind::kOrifice, LinkKind::kWeir,
                                                  LinkKind::kOutlet};
            if (link.valid() && obj >= 3 && net_.link_kind[link.idx()] != kKinds[obj - 3]) {
                error(ErrorCode::kInconsistent, l, rule,
                      "link '" + std::string(t[k]) + "' is not a " + upper(kObjects[obj]), t[k]);
                return std::nullopt;
            }
        }
        if (v.index == StrongIndex<NodeTag>::kInvalid)
            return std::nullopt;
    }
    if (++k >= t.size()) {
        error(ErrorCode::kMissingKey, l, rule, "incomplete rule clause");
        return std::nullopt;
    }
    if (v.object == RuleVariable::Object::kGage) {
        if (starts(t[k], "INTENSITY")) {
            v.attribute = A::kIntensity;
            return v;
        }
        // the rainfall depth of the past n hours, 1 <= n <= 48 (SWMM getGageAttrib)
        const auto hours = to_number(t[k]);
        if (!hours || *hours < 1 || *hours > 48 || *hours != std::floor(*hours)) {
            error(ErrorCode::kUnknownValue, l, rule,
                  "rain gage attribute '" + std::string(t[k]) +
                      "' is neither INTENSITY nor a number of past hours (1-48)",
                  t[k]);
            return std::nullopt;
        }
        v.attribute = A::kPastRain;
        v.past_hours = static_cast<std::int32_t>(*hours);
        return v;
    }
    // Exact names first: "DAY" must not take "DAYOFYEAR", nor "TIME" "TIMEOPEN".
    int a = -1;
    for (std::size_t i = 0; i < kAttributes.size() && a < 0; ++i)
        if (equals(t[k], kAttributes[i]))
            a = static_cast<int>(i);
    if (a < 0)
        a = find_keyword(t[k], kAttributes);
    if (a < 0) {
        unknown_keyword(l, k, rule, "rule attribute");
        return std::nullopt;
    }
    v.attribute = static_cast<A>(a);
    // Which attributes each object has (SWMM 5.2 controls.c, getPremiseVariable).
    bool ok = false;
    switch (v.object) {
    case RuleVariable::Object::kNode:
        ok = a <= static_cast<int>(A::kInflow);
        break;
    case RuleVariable::Object::kLink:
        if (v.attribute == A::kTimeOpen || v.attribute == A::kTimeClosed) {
            ok = true;
        } else if (obj == 2 || obj == 3) {
            ok = v.attribute == A::kStatus || v.attribute == A::kDepth ||
                 v.attribute == A::kFullFlow || v.attribute == A::kFullDepth ||
                 v.attribute == A::kFlow || v.attribute == A::kLength || v.attribute == A::kSlope ||
                 v.attribute == A::kVelocity;
        } else if (obj == 4) {
            ok = v.attribute == A::kFlow || v.attribute == A::kSetting || v.attribute == A::kStatus;
        } else {
            ok = v.attribute == A::kFlow || v.attribute == A::kSetting;
        }
        break;
    case RuleVariable::Object::kSimulation:
        ok = a >= static_cast<int>(A::kTime) && a <= static_cast<int>(A::kMonth);
        break;
    case RuleVariable::Object::kGage:
        break;
    }
    if (!ok) {
        error(ErrorCode::kUnknownValue, l, rule,
              "attribute '" + std::string(t[k]) + "' does not apply to " + upper(kObjects[obj]),
              t[k]);
        return std::nullopt;
    }
    return v;
}

std::optional<RuleCondition> Reader::rule_condition(const Line& l, std::string_view rule) {
    using A = RuleVariable::Attribute;
    const auto& t = l.tokens;
    std::size_t k = 1;
    RuleCondition c;
    // a named expression or variable stands for the left side (SWMM addPremise's order)
    if (const auto e = t.size() > 1 ? named_rule_expression(t[1]) : std::nullopt) {
        c.expression = *e;
    } else if (const auto v = t.size() > 1 ? named_rule_variable(t[1]) : std::nullopt) {
        c.lhs = net_.rule_variables[static_cast<std::size_t>(*v)].variable;
    } else {
        auto lhs = rule_variable(l, k, rule);
        if (!lhs)
            return std::nullopt;
        c.lhs = *lhs;
    }
    if (++k >= t.size()) {
        error(ErrorCode::kMissingKey, l, rule, "incomplete rule clause");
        return std::nullopt;
    }
    static constexpr std::array<std::string_view, 6> kRelations = {"=", "<>", "<", "<=", ">", ">="};
    int r = -1;
    for (std::size_t i = 0; i < kRelations.size(); ++i)
        if (t[k] == kRelations[i])
            r = static_cast<int>(i);
    if (r < 0) {
        unknown_keyword(l, k, rule, "relation (=, <>, <, <=, >, >=)");
        return std::nullopt;
    }
    c.relation = static_cast<RuleCondition::Relation>(r);
    if (++k >= t.size()) {
        error(ErrorCode::kMissingKey, l, rule, "incomplete rule clause");
        return std::nullopt;
    }
    static constexpr std::array<std::string_view, 9> kObjects = {
        "GAGE", "NODE", "LINK", "CONDUIT", "PUMP", "ORIFICE", "WEIR", "OUTLET", "SIMULATION"};
    if (const auto named = named_rule_variable(t[k])) {
        c.rhs = net_.rule_variables[static_cast<std::size_t>(*named)].variable;
    } else if (c.expression >= 0) {
        // an expression is compared with the number as written
        const auto n = to_number(t[k]);
        if (!n) {
            error(ErrorCode::kNumberSyntax, l, rule,
                  "bad value '" + std::string(t[k]) + "' for the rule expression", t[k]);
            return std::nullopt;
        }
        c.value = *n;
    } else if (find_keyword(t[k], kObjects) >= 0) {
        auto rhs = rule_variable(l, k, rule);
        if (!rhs)
            return std::nullopt;
        c.rhs = *rhs;
    } else {
        const auto v = t[k];
        std::optional<double> x;
        switch (c.lhs.attribute) {
        case A::kStatus:
            if (starts(v, "ON") || starts(v, "OPEN"))
                x = 1.0;
            else if (starts(v, "OFF") || starts(v, "CLOSED"))
                x = 0.0;
            else
                unknown_keyword(l, k, rule, "status (ON, OFF, OPEN, CLOSED)");
            if (!x)
                return std::nullopt;
            break;
        case A::kTime:
        case A::kClockTime:
        case A::kTimeOpen:
        case A::kTimeClosed:
            x = parse_time_s(v);
            break;
        case A::kDate:
            if (auto d = parse_date(v)) {
                d->time_of_day = 0;
                x = static_cast<double>(seconds_since_epoch(*d));
            }
            break;
        case A::kDayOfYear:
            if (auto d = parse_date(std::string(v) + "/1947")) {
                CalendarTime jan1{1947, 1, 1, 0};
                x = static_cast<double>(
                    (seconds_since_epoch(*d) - seconds_since_epoch(jan1)) / 86400 + 1);
            } else if (auto n = to_number(v); n && *n >= 1 && *n <= 365) {
                x = *n;
            }
            break;
        case A::kDay:
            if (auto n = to_number(v); n && *n >= 1 && *n <= 7)
                x = *n;
            break;
        case A::kMonth:
            if (auto n = to_number(v); n && *n >= 1 && *n <= 12)
                x = *n;
            break;
        default: {
            const auto n = to_number(v);
            if (!n)
                break;
            double f = 1;
            switch (c.lhs.attribute) {
            case A::kDepth:
            case A::kMaxDepth:
            case A::kHead:
            case A::kFullDepth:
            case A::kLength:
                f = f_.length;
                break;
            case A::kVolume:
                f = f_.volume;
                break;
            case A::kInflow:
            case A::kFlow:
            case A::kFullFlow:
                f = f_.flow;
                break;
            case A::kVelocity:
                f = f_.length;
                break;
            case A::kIntensity:
                f = f_.rain_rate;
                break;
            case A::kPastRain:
                f = f_.rain_depth;
                break;
            default:
                break;
            }
            x = *n * f;
        }
        }
        if (!x) {
            error(ErrorCode::kNumberSyntax, l, rule,
                  "bad value '" + std::string(v) + "' for the rule attribute", v);
            return std::nullopt;
        }
        c.value = *x;
    }
    if (k + 1 < t.size()) {
        error(ErrorCode::kUnknownKey, l, rule, "unexpected field in a rule clause", t[k + 1]);
        return std::nullopt;
    }
    return c;
}

std::optional<RuleSetting> Reader::rule_setting(const Line& l, std::string_view rule) {
    const auto& t = l.tokens;
    // THEN object id attribute = value
    if (t.size() < 6) {
        error(ErrorCode::kMissingKey, l, rule, "incomplete rule action");
        return std::nullopt;
    }
    static constexpr std::array<std::string_view, 6> kObjects = {"LINK",    "CONDUIT", "PUMP",
                                                                 "ORIFICE", "WEIR",    "OUTLET"};
    const int obj = find_keyword(t[1], kObjects);
    if (obj < 0) {
        unknown_keyword(l, 1, rule, "action object (CONDUIT, PUMP, ORIFICE, WEIR, OUTLET)");
        return std::nullopt;
    }
    RuleSetting a;
    a.link = link_ref(l, t[2], rule);
    if (!a.link.valid())
        return std::nullopt;
    static constexpr LinkKind kKinds[] = {LinkKind::kConduit, LinkKind::kConduit,
                                          LinkKind::kPump,    LinkKind::kOrifice,
                                          LinkKind::kWeir,    LinkKind::kOutlet};
    const auto kind = net_.link_kind[a.link.idx()];
    if (obj > 0 && kind != kKinds[obj]) {
        error(ErrorCode::kInconsistent, l, rule,
              "link '" + std::string(t[2]) + "' is not a " + upper(kObjects[obj]), t[2]);
        return std::nullopt;
    }
    if (t[4] != "=") {
        unknown_keyword(l, 4, rule, "action operator (=)");
        return std::nullopt;
    }
    const bool status = starts(t[3], "STATUS");
    const bool setting = starts(t[3], "SETTING");
    if (status && (kind == LinkKind::kConduit || kind == LinkKind::kPump)) {
        a.kind = RuleSetting::Kind::kStatus;
        if (kind == LinkKind::kPump && starts(t[5], "ON"))
            a.value = 1;
        else if (kind == LinkKind::kPump && starts(t[5], "OFF"))
            a.value = 0;
        else if (kind == LinkKind::kConduit && starts(t[5], "OPEN"))
            a.value = 1;
        else if (kind == LinkKind::kConduit && starts(t[5], "CLOSED"))
            a.value = 0;
        else {
            unknown_keyword(l, 5, rule, "status");
            return std::nullopt;
        }
    } else if (setting && kind != LinkKind::kConduit) {
        if (starts(t[5], "CURVE") || starts(t[5], "TIMESERIES")) {
            if (t.size() < 7) {
                error(ErrorCode::kMissingKey, l, rule, "incomplete rule action");
                return std::nullopt;
            }
            if (starts(t[5], "CURVE")) {
                a.kind = RuleSetting::Kind::kCurve;
                a.curve = curve_ref(l, t[6], rule, {CurveType::kControl});
                if (!a.curve.valid())
                    return std::nullopt;
            } else {
                a.kind = RuleSetting::Kind::kTimeSeries;
                a.series = series_ref(l, t[6], rule, SeriesUsage::kOther);
                if (!a.series.valid())
                    return std::nullopt;
            }
        } else if (starts(t[5], "PID")) {
            if (t.size() < 9) {
                error(ErrorCode::kMissingKey, l, rule, "PID needs kp, ki and kd");
                return std::nullopt;
            }
            a.kind = RuleSetting::Kind::kPid;
            for (std::size_t i = 0; i < 3; ++i) {
                const auto v = number(l, 6 + i, rule, "PID coefficient");
                if (!v)
                    return std::nullopt;
                a.pid[i] = *v;
            }
        } else {
            const auto v = number(l, 5, rule, "setting");
            if (!v)
                return std::nullopt;
            if (kind != LinkKind::kPump && (*v < 0 || *v > 1)) {
                error(ErrorCode::kOutOfRange, l, rule, "a regulator setting must be in [0, 1]",
                      t[5]);
                return std::nullopt;
            }
            a.kind = RuleSetting::Kind::kSetting;
            a.value = *v;
        }
    } else {
        error(ErrorCode::kUnknownValue, l, rule,
              "attribute '" + std::string(t[3]) + "' cannot be set on this link", t[3]);
        return std::nullopt;
    }
    return a;
}

// ---------------------------------------------------------------------------------------------
// REPORT, MAP, COORDINATES, VERTICES, POLYGONS, SYMBOLS, LABELS, BACKDROP, TAGS, FILES, TITLE

void Reader::read_map_sections() {
    auto tokens_of = [](const Line& l) {
        std::vector<std::string> out;
        for (auto t : l.tokens)
            out.emplace_back(t);
        return out;
    };
    begin_section(Section::kReport);
    static constexpr std::array<std::string_view, 10> kReportWords = {
        "DISABLED",   "INPUT",     "SUBCATCHMENTS", "NODES",    "LINKS",
        "CONTINUITY", "FLOWSTATS", "CONTROLS",      "AVERAGES", "LID"};
    for (const auto& l : section(Section::kReport)) {
        if (find_keyword(l.tokens[0], kReportWords) < 0 && !starts(l.tokens[0], "NODESTATS"))
            unknown_keyword(l, 0, {}, "report keyword");
        net_.report.push_back(tokens_of(l));
    }

    begin_section(Section::kMap);
    for (const auto& l : section(Section::kMap)) {
        if (starts(l.tokens[0], "DIMENSIONS")) {
            if (!need(l, 5, "x1 y1 x2 y2"))
                continue;
            std::array<double, 4> d{};
            bool ok = true;
            for (std::size_t i = 0; i < 4 && ok; ++i) {
                const auto v = number(l, i + 1, {}, "map dimension");
                ok = v.has_value();
                if (v)
                    d[i] = *v;
            }
            if (ok)
                net_.map.dimensions = d;
        } else if (starts(l.tokens[0], "UNITS")) {
            if (need(l, 2, "map units"))
                net_.map.units = std::string(l.tokens[1]);
        } else {
            unknown_keyword(l, 0, {}, "map keyword (DIMENSIONS or UNITS)");
        }
    }

    begin_section(Section::kCoordinates);
    for (const auto& l : section(Section::kCoordinates)) {
        if (!need(l, 3, "node x y"))
            continue;
        const auto n = node_ref(l, l.tokens[0], l.tokens[0]);
        const auto x = number(l, 1, l.tokens[0], "x");
        const auto y = number(l, 2, l.tokens[0], "y");
        if (!n.valid() || !x || !y)
            continue;
        net_.x[n.idx()] = *x;
        net_.y[n.idx()] = *y;
        net_.has_coordinates[n.idx()] = 1;
    }
    begin_section(Section::kVertices);
    for (const auto& l : section(Section::kVertices)) {
        if (!need(l, 3, "link x y"))
            continue;
        const auto k = link_ref(l, l.tokens[0], l.tokens[0]);
        const auto x = number(l, 1, l.tokens[0], "x");
        const auto y = number(l, 2, l.tokens[0], "y");
        if (!k.valid() || !x || !y)
            continue;
        net_.vertices[k.idx()].push_back(*x);
        net_.vertices[k.idx()].push_back(*y);
    }
    begin_section(Section::kPolygons);
    for (const auto& l : section(Section::kPolygons)) {
        if (!need(l, 3, "subcatchment x y"))
            continue;
        const auto s = subcatch_ref(l, l.tokens[0], l.tokens[0]);
        const auto x = number(l, 1, l.tokens[0], "x");
        const auto y = number(l, 2, l.tokens[0], "y");
        if (!s.valid() || !x || !y)
            continue;
        net_.subcatchments.polygon[s.idx()].push_back(*x);
        net_.subcatchments.polygon[s.idx()].push_back(*y);
    }
    begin_section(Section::kSymbols);
    for (const auto& l : section(Section::kSymbols)) {
        if (!need(l, 3, "gage x y"))
            continue;
        const auto g = lookup<GageIndex>(net_.gage_index, l, l.tokens[0], l.tokens[0], "rain gage");
        const auto x = number(l, 1, l.tokens[0], "x");
        const auto y = number(l, 2, l.tokens[0], "y");
        if (!g.valid() || !x || !y)
            continue;
        net_.gages[g.idx()].x = *x;
        net_.gages[g.idx()].y = *y;
        net_.gages[g.idx()].has_symbol = true;
    }
    begin_section(Section::kLabels);
    for (const auto& l : section(Section::kLabels)) {
        if (!need(l, 3, "x y label"))
            continue;
        const auto x = number(l, 0, {}, "x");
        const auto y = number(l, 1, {}, "y");
        if (!x || !y)
            continue;
        Label lab;
        lab.x = *x;
        lab.y = *y;
        lab.text = std::string(l.tokens[2]);
        for (std::size_t k = 3; k < l.tokens.size(); ++k)
            lab.tail.emplace_back(l.tokens[k]);
        net_.labels.push_back(std::move(lab));
    }
    begin_section(Section::kBackdrop);
    for (const auto& l : section(Section::kBackdrop))
        net_.backdrop.push_back(tokens_of(l));
    begin_section(Section::kTags);
    for (const auto& l : section(Section::kTags)) {
        if (!need(l, 3, "object type, id and tag"))
            continue;
        const auto kind = l.tokens[0];
        const auto id = l.tokens[1];
        bool found = false;
        if (starts(kind, "NODE"))
            found = net_.node_index.count(id) > 0;
        else if (starts(kind, "LINK"))
            found = net_.link_index.count(id) > 0;
        else if (starts(kind, "SUBCATCH"))
            found = net_.subcatchments.index.count(id) > 0;
        else if (starts(kind, "GAGE"))
            found = net_.gage_index.count(id) > 0;
        else {
            unknown_keyword(l, 0, id, "tag object type");
            continue;
        }
        if (!found) {
            error(ErrorCode::kUnknownReference, l, id,
                  "tag for undefined " + std::string(kind) + " '" + std::string(id) + "'", id);
            continue;
        }
        net_.tags.push_back({std::string(kind), std::string(id), std::string(l.tokens[2])});
    }
    begin_section(Section::kFiles);
    for (const auto& l : section(Section::kFiles)) {
        if (!need(l, 3, "USE|SAVE, file kind and name"))
            continue;
        if (!equals(l.tokens[0], "USE") && !equals(l.tokens[0], "SAVE")) {
            unknown_keyword(l, 0, {}, "file mode (USE or SAVE)");
            continue;
        }
        static constexpr std::array<std::string_view, 6> kKinds = {
            "RAINFALL", "RUNOFF", "HOTSTART", "RDII", "INFLOWS", "OUTFLOWS"};
        if (find_keyword(l.tokens[1], kKinds) < 0) {
            unknown_keyword(l, 1, {}, "interface file kind");
            continue;
        }
        net_.files.push_back(
            {std::string(l.tokens[0]), std::string(l.tokens[1]), std::string(l.tokens[2])});
    }
}

// ---------------------------------------------------------------------------------------------
// Time series units, once their users are known.

void Reader::convert_series(TimeSeries& ts) {
    const double f = series_unit_factor(f_, ts.usage);
    for (auto& v : ts.value)
        v *= f;
}

void Reader::finish() {
    for (auto& ts : net_.series)
        convert_series(ts);
    // A series with neither points nor a file is an empty table (SWMM error 'invalid table').
    begin_section(Section::kTimeseries);
    for (std::size_t s = 0; s < net_.series.size(); ++s)
        if (net_.series[s].time_s.empty() && net_.series[s].file.empty() && series_first_line_[s])
            error(ErrorCode::kMissingKey, *series_first_line_[s], net_.series[s].id,
                  "time series has no points");
    begin_section(Section::kCurves);
    for (std::size_t c = 0; c < net_.curves.size(); ++c)
        if (curve_typed_[c] && net_.curves[c].x.empty())
            error(ErrorCode::kMissingKey, *curve_first_line_[c], net_.curves[c].id,
                  "curve has no points");
    // SWMM numbers the nodes in the order of their lines (its node sections in the file's order),
    // and the links in the order of theirs
    const auto file_order = [](const std::vector<const Line*>& lines) {
        std::vector<std::int32_t> order(lines.size());
        for (std::size_t n = 0; n < order.size(); ++n)
            order[n] = static_cast<std::int32_t>(n);
        std::stable_sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
            return lines[static_cast<std::size_t>(a)]->number <
                   lines[static_cast<std::size_t>(b)]->number;
        });
        if (std::is_sorted(order.begin(), order.end()))
            order.clear(); // the objects' own order
        return order;
    };
    net_.swmm_node_order = file_order(node_line_);
    net_.swmm_link_order = file_order(link_line_);
}

Network Reader::run() {
    split_lines();
    net_.source_file = file_;
    for (const auto t : title_lines_)
        net_.title.emplace_back(t);
    read_options();
    register_objects();
    read_tables();
    read_transects();
    read_gages();
    read_climate();
    read_subcatchments();
    read_nodes();
    read_links();
    read_link_details();
    read_inflows();
    read_controls();
    read_map_sections();
    finish();
    read_lid_sections(net_, file_, diags_);           // typed LID controls from their raw rows
    read_inlet_sections(net_, file_, diags_);         // streets and inlets from their raw rows
    (void)read_snow_sections(net_, file_, diags_);    // [SNOWPACKS], [TEMPERATURE] checked
    (void)read_quality_sections(net_, file_, diags_); // [POLLUTANTS] ... [WASHOFF] checked
    return std::move(net_);
}

} // namespace

Network parse_swmm_inp(std::string_view text, const std::string& file, Diagnostics& diags) {
    Reader reader(text, file, diags);
    return reader.run();
}

Network read_swmm_inp(const std::filesystem::path& path, Diagnostics& diags) {
    const std::string text = read_file(path);
    return parse_swmm_inp(text, path.string(), diags);
}

TimeSeries read_series_file(const Network& net, const TimeSeries& ts,
                            const std::filesystem::path& base_dir) {
    std::filesystem::path path(ts.file);
    if (path.is_relative())
        path = base_dir / path;
    std::string text;
    try {
        text = read_file(path);
    } catch (const Error& e) {
        throw Error(e.code(),
                    "time series " + ts.id + ": FILE " + path.string() + " cannot be read");
    }
    return parse_series_file(net, ts, text, path.string());
}

TimeSeries parse_series_file(const Network& net, const TimeSeries& ts, std::string_view text,
                             const std::string& file) {
    const double factor = series_unit_factor(unit_factors(net.options.flow_units), ts.usage);
    TimeSeries out;
    out.id = ts.id;
    out.usage = ts.usage;
    const Seconds start = seconds_since_epoch(net.options.start);
    double last_date_s = 0; // time-only lines: from the last date given, else from the start
    std::size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;
        const auto fail = [&](const std::string& what) {
            throw Error(ErrorCode::kNumberSyntax, file + ":" + std::to_string(line_no) +
                                                      ": time series " + ts.id + ": " + what +
                                                      ": " + std::string(line));
        };
        // tokens up to a ';' comment, at most the first three (SWMM table_parseFileLine)
        std::vector<std::string_view> tok;
        std::size_t i = 0;
        while (i < line.size() && tok.size() < 3) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
                ++i;
            if (i >= line.size() || line[i] == ';')
                break;
            const std::size_t b = i;
            while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
                   line[i] != ';')
                ++i;
            tok.push_back(line.substr(b, i - b));
        }
        if (tok.empty())
            continue;
        if (tok.size() < 2)
            fail("a line needs [date] time value");
        bool dated = false;
        if (tok.size() == 3) {
            const auto d = parse_date(tok[0]);
            if (!d)
                fail("bad date '" + std::string(tok[0]) + "'");
            CalendarTime c = *d;
            c.time_of_day = 0;
            last_date_s = static_cast<double>(seconds_since_epoch(c) - start);
            dated = true;
            tok.erase(tok.begin());
        }
        const auto t = parse_time_s(tok[0]);
        if (!t)
            fail("bad time '" + std::string(tok[0]) + "'");
        const auto v = to_number(tok[1]);
        if (!v)
            fail("bad value '" + std::string(tok[1]) + "'");
        const double time = last_date_s + *t;
        if (!out.time_s.empty() && time < out.time_s.back())
            fail("times must not decrease");
        out.time_s.push_back(time);
        out.value.push_back(*v * factor);
        out.dated.push_back(dated ? 1 : 0);
    }
    if (out.time_s.empty())
        throw Error(ErrorCode::kMissingKey,
                    file + ": time series " + ts.id + ": the FILE holds no points");
    return out;
}

std::optional<CalendarTime> parse_swmm_date(std::string_view s) {
    return parse_date(s);
}

} // namespace rencheng::drainage
