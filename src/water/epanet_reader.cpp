// EPANET 2.2 .inp reader: lines are collected per section in one pass, then read in dependency
// order (options, nodes, patterns and curves, links, then everything that refers to them).
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/atomic_file.hpp"
#include "water/epanet_inp.hpp"

namespace rencheng::water {
namespace {

// EPANET 2.2 limits an id to 31 characters (error 252).
constexpr std::size_t kMaxIdLength = 31;

enum class Section : std::uint8_t {
    kTitle,
    kJunctions,
    kReservoirs,
    kTanks,
    kPipes,
    kPumps,
    kValves,
    kTags,
    kDemands,
    kStatus,
    kPatterns,
    kCurves,
    kControls,
    kRules,
    kEnergy,
    kEmitters,
    kQuality,
    kSources,
    kReactions,
    kMixing,
    kTimes,
    kReport,
    kOptions,
    kCoordinates,
    kVertices,
    kLabels,
    kBackdrop,
    kLeakage,
    kEnd,
    kCount
};

constexpr std::array<std::string_view, static_cast<std::size_t>(Section::kCount)> kSectionNames = {
    "TITLE",     "JUNCTIONS", "RESERVOIRS", "TANKS",    "PIPES",    "PUMPS",
    "VALVES",    "TAGS",      "DEMANDS",    "STATUS",   "PATTERNS", "CURVES",
    "CONTROLS",  "RULES",     "ENERGY",     "EMITTERS", "QUALITY",  "SOURCES",
    "REACTIONS", "MIXING",    "TIMES",      "REPORT",   "OPTIONS",  "COORDINATES",
    "VERTICES",  "LABELS",    "BACKDROP",   "LEAKAGE",  "END"};

/// One data line: its tokens (views into the text, quotes removed), the comment after ';' and
/// the whole line for messages.
struct Line {
    int number = 0;
    std::string_view text;
    std::string_view comment;
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

/// EPANET's keyword rule: `word` matches `keyword` when it starts with it, ignoring case.
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

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r\n\f\v");
    return s.substr(first, last - first + 1);
}

/// Splits a line into tokens: blanks separate, "..." groups (a quoted id may hold blanks), ';'
/// starts a comment.
void tokenize(std::string_view text, Line& line) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\0') {
            ++i;
            continue;
        }
        if (c == ';') {
            line.comment = trim(text.substr(i + 1));
            return;
        }
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
    // Magnitudes beyond 1e100 are no physical quantity; refusing them keeps every unit
    // conversion (and its inverse in the writer) finite.
    if (r.ec != std::errc() || r.ptr != end || !std::isfinite(v) || std::abs(v) > 1e100)
        return std::nullopt;
    return v;
}

/// Time of a TIMES/CONTROLS/RULES value in hours, EPANET 2.2 manual §3.1 [TIMES]: "hh:mm[:ss]" or
/// decimal hours, optionally followed by SEC, MIN, HOURS, DAYS, AM or PM. nullopt when invalid
/// (negative, an AM/PM hour above 12).
std::optional<double> parse_hours(std::string_view value, std::string_view unit) {
    double h = 0;
    if (value.find(':') != std::string_view::npos) {
        double parts[3] = {0, 0, 0};
        int count = 0;
        std::size_t pos = 0;
        while (true) {
            const auto colon = value.find(':', pos);
            const auto piece =
                value.substr(pos, colon == std::string_view::npos ? value.npos : colon - pos);
            if (count >= 3)
                return std::nullopt;
            const auto v = to_number(piece);
            if (!v || *v < 0)
                return std::nullopt;
            parts[count++] = *v;
            if (colon == std::string_view::npos)
                break;
            pos = colon + 1;
        }
        if (count < 2)
            return std::nullopt;
        h = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
    } else {
        const auto v = to_number(value);
        if (!v || *v < 0)
            return std::nullopt;
        h = *v;
    }
    if (h > 1e9) // beyond 100000 years: keeps the count of seconds in range
        return std::nullopt;
    if (unit.empty())
        return h;
    if (starts(unit, "SEC"))
        return h / 3600.0;
    if (starts(unit, "MIN"))
        return h / 60.0;
    if (starts(unit, "HOUR"))
        return h;
    if (starts(unit, "DAY"))
        return h * 24.0;
    if (equals(unit, "AM") || equals(unit, "PM")) {
        if (h >= 13.0)
            return std::nullopt;
        const bool pm = equals(unit, "PM");
        if (h >= 12.0)
            return pm ? h : h - 12.0;
        return pm ? h + 12.0 : h;
    }
    return std::nullopt;
}

bool is_time_unit(std::string_view t) {
    return starts(t, "SEC") || starts(t, "MIN") || starts(t, "HOUR") || starts(t, "DAY") ||
           equals(t, "AM") || equals(t, "PM");
}

Seconds to_seconds(double hours) {
    return static_cast<Seconds>(std::llround(hours * 3600.0));
}

/// EPANET 2.2 manual §3.1 [QUALITY]/[REACTIONS] id ranges: numerically when both bounds are
/// positive integers (then ids that are not numbers are outside), else by string comparison.
bool in_id_range(std::string_view id, std::string_view first, std::string_view last) {
    long long a = 0, b = 0, x = 0;
    const auto int_of = [](std::string_view s, long long& out) {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    };
    if (int_of(first, a) && int_of(last, b) && a > 0 && b > 0)
        return int_of(id, x) && x >= a && x <= b;
    return id >= first && id <= last;
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
    std::vector<std::string> title_lines_;
    Section current_ = Section::kTitle;
    // Per-junction demand lists while reading; flattened into CSR at the end.
    std::vector<std::vector<Demand>> demand_lists_;
    std::vector<std::uint8_t> demands_replaced_;
    std::vector<double> raw_emitter_;
    std::vector<const Line*> curve_first_line_; ///< where each curve is first defined
    std::vector<std::pair<const Line*, std::size_t>> junction_patterns_; ///< line, node

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
        if (current_ < Section::kCount) {
            msg += " in [";
            msg += kSectionNames[static_cast<std::size_t>(current_)];
            msg += "]";
        }
        msg += ": ";
        msg += trim(line.text);
        diags_.add({sev, code, file_, line.number, column, std::string(id), std::move(msg)});
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
    bool check_id(const Line& l, std::string_view id) {
        if (id.size() > kMaxIdLength) {
            error(ErrorCode::kOutOfRange, l, id, "id longer than 31 characters", id);
            return false;
        }
        return true;
    }
    NodeIndex node_ref(const Line& l, std::string_view id, std::string_view owner) {
        const auto it = net_.node_index.find(id);
        if (it == net_.node_index.end()) {
            error(ErrorCode::kUnknownReference, l, owner,
                  "undefined node '" + std::string(id) + "'", id);
            return {};
        }
        return NodeIndex(it->second);
    }
    LinkIndex link_ref(const Line& l, std::string_view id, std::string_view owner) {
        const auto it = net_.link_index.find(id);
        if (it == net_.link_index.end()) {
            error(ErrorCode::kUnknownReference, l, owner,
                  "undefined link '" + std::string(id) + "'", id);
            return {};
        }
        return LinkIndex(it->second);
    }
    PatternIndex pattern_ref(const Line& l, std::string_view id, std::string_view owner, bool& ok) {
        const auto it = net_.pattern_index.find(id);
        if (it == net_.pattern_index.end()) {
            error(ErrorCode::kUnknownReference, l, owner,
                  "undefined pattern '" + std::string(id) + "'", id);
            ok = false;
            return {};
        }
        return PatternIndex(it->second);
    }
    CurveIndex curve_ref(const Line& l, std::string_view id, std::string_view owner, CurveKind kind,
                         bool& ok) {
        const auto it = net_.curve_index.find(id);
        if (it == net_.curve_index.end()) {
            error(ErrorCode::kUnknownReference, l, owner,
                  "undefined curve '" + std::string(id) + "'", id);
            ok = false;
            return {};
        }
        auto& c = net_.curves[static_cast<std::size_t>(it->second)];
        if (c.kind == CurveKind::kGeneric) {
            c.kind = kind;
        } else if (c.kind != kind) {
            error(ErrorCode::kInconsistent, l, owner,
                  "curve '" + std::string(id) + "' is used for two different purposes", id);
            ok = false;
        }
        return CurveIndex(it->second);
    }
    std::optional<LinkStatus> status_word(std::string_view w) {
        if (equals(w, "OPEN"))
            return LinkStatus::kOpen;
        if (equals(w, "CLOSED"))
            return LinkStatus::kClosed;
        if (equals(w, "ACTIVE"))
            return LinkStatus::kActive;
        return std::nullopt;
    }

    /// SI value of a link setting written in file units (pump speed, valve setting).
    double setting_to_si(LinkIndex k, double v) const {
        const auto vi = net_.valve_of_link[k.idx()];
        if (vi < 0)
            return v;
        switch (net_.valves.kind[static_cast<std::size_t>(vi)]) {
        case ValveKind::kPrv:
        case ValveKind::kPsv:
        case ValveKind::kPbv:
            return v * f_.pressure;
        case ValveKind::kFcv:
            return v * f_.flow;
        default:
            return v;
        }
    }

    // ---- passes
    void split_lines();
    void read_options();
    void read_times();
    void read_nodes();
    void read_patterns();
    void read_curves();
    void read_links();
    void read_demands();
    void read_status();
    void read_emitters();
    void read_quality_sections();
    void read_energy();
    void read_controls();
    void read_rules();
    void read_map_sections();
    void read_leakage();
    void finish();

    void add_junction(const Line& l);
    void add_fixed_node(const Line& l, bool tank_section);
    void add_link(const Line& l, Section s);
    bool duplicate_node(const Line& l, std::string_view id);
    void convert_curve(Curve& c);
    void check_valve(const Line& l, LinkIndex k);
    std::optional<RulePremise> read_premise(const Line& l, RulePremise::Logic logic,
                                            std::string_view rule_id);
    std::optional<RuleAction> read_action(const Line& l, std::size_t first,
                                          std::string_view rule_id);
    void begin_section(Section s) { current_ = s; }
};

void Reader::split_lines() {
    std::size_t pos = 0;
    int number = 0;
    bool ended = false;
    Line header_line;
    while (pos < text_.size() && !ended) {
        auto eol = text_.find_first_of("\r\n", pos);
        if (eol == std::string_view::npos)
            eol = text_.size();
        const std::string_view raw = text_.substr(pos, eol - pos);
        ++number;
        if (eol < text_.size() && text_[eol] == '\r' && eol + 1 < text_.size() &&
            text_[eol + 1] == '\n')
            ++eol;
        pos = eol + 1;

        const auto t = trim(raw);
        if (t.empty())
            continue;
        if (t.front() == '[') {
            // EPANET matches a section header by its start: "[JUNCTIONS]" and "[JUNCTIONSxyz"
            // both open [JUNCTIONS]; "[COORDS]" is not [COORDINATES].
            const auto close = t.find(']');
            const auto name = t.substr(1, close == std::string_view::npos ? t.npos : close - 1);
            bool found = false;
            for (std::size_t s = 0; s < kSectionNames.size(); ++s) {
                if (starts(name, kSectionNames[s])) {
                    current_ = static_cast<Section>(s);
                    found = true;
                    break;
                }
            }
            if (!found) {
                Line l;
                l.number = number;
                l.text = raw;
                error(ErrorCode::kUnknownKey, l, {}, "unknown section [" + std::string(name) + "]",
                      name);
                // Lines up to the next known header are skipped, as EPANET stops on the error.
                current_ = Section::kCount;
            }
            if (current_ == Section::kEnd)
                ended = true;
            continue;
        }
        if (current_ == Section::kCount)
            continue;
        if (current_ == Section::kTitle) {
            if (t.front() != ';')
                title_lines_.emplace_back(t);
            continue;
        }
        Line l;
        l.number = number;
        l.text = raw;
        tokenize(raw, l);
        if (l.tokens.empty())
            continue;
        section(current_).push_back(std::move(l));
    }
}

void Reader::read_options() {
    begin_section(Section::kOptions);
    auto& o = net_.options;
    // Units first: every other value depends on them, and [OPTIONS] may come last.
    for (const auto& l : section(Section::kOptions)) {
        const auto key = l.tokens[0];
        if (equals(key, "UNITS")) {
            if (!need(l, 2, "UNITS value"))
                continue;
            const auto u = parse_flow_units(upper(l.tokens[1]));
            if (!u)
                error(ErrorCode::kUnknownValue, l, {},
                      "unknown flow units '" + std::string(l.tokens[1]) + "'", l.tokens[1]);
            else
                o.flow_units = *u;
        } else if (equals(key, "PRESSURE") && l.tokens.size() >= 2 &&
                   !starts(l.tokens[1], "EXPON")) {
            const auto w = l.tokens[1];
            if (equals(w, "PSI"))
                o.pressure_units = PressureUnits::kPsi;
            else if (equals(w, "KPA"))
                o.pressure_units = PressureUnits::kKpa;
            else if (starts(w, "METER") || starts(w, "METRE"))
                o.pressure_units = PressureUnits::kMeters;
            else if (equals(w, "BAR"))
                o.pressure_units = PressureUnits::kBar;
            else if (starts(w, "FEET") || equals(w, "FT"))
                o.pressure_units = PressureUnits::kFeet;
            else
                error(ErrorCode::kUnknownValue, l, {},
                      "unknown pressure units '" + std::string(w) + "'", w);
        } else if (equals(key, "SPECIFIC")) {
            if (auto v = number(l, 2, {}, "specific gravity")) {
                if (*v <= 0)
                    error(ErrorCode::kOutOfRange, l, {}, "specific gravity must be > 0",
                          l.tokens[2]);
                else
                    o.specific_gravity = *v;
            }
        }
    }
    f_ = unit_factors(o);

    for (const auto& l : section(Section::kOptions)) {
        const auto& t = l.tokens;
        const auto key = t[0];
        auto value_at = [&](std::size_t i, const char* what) { return number(l, i, {}, what); };
        auto positive = [&](std::size_t i, const char* what, double& out, double scale = 1.0,
                            bool allow_zero = false) {
            if (auto v = value_at(i, what)) {
                if (*v < 0 || (!allow_zero && *v == 0))
                    error(ErrorCode::kOutOfRange, l, {},
                          std::string(what) + " must be " + (allow_zero ? ">= 0" : "> 0"), t[i]);
                else
                    out = *v * scale;
            }
        };
        // A count EPANET truncates to a whole number (TRIALS, CHECKFREQ, MAXCHECK): at least 1,
        // which it will hold after the truncation (EPANET takes 0.5 as 0 trials, and solves
        // nothing).
        auto count = [&](std::size_t i, const char* what, int& out) {
            if (auto v = value_at(i, what)) {
                if (!(*v >= 1))
                    error(ErrorCode::kOutOfRange, l, {},
                          std::string(what) + " must be at least 1 (a whole number)", t[i]);
                else
                    out = static_cast<int>(std::min(*v, 1e9));
            }
        };
        if (equals(key, "UNITS") || equals(key, "SPECIFIC") ||
            (equals(key, "PRESSURE") && t.size() >= 2 && !starts(t[1], "EXPON"))) {
            continue;
        } else if (equals(key, "HEADLOSS")) {
            if (!need(l, 2, "HEADLOSS formula"))
                continue;
            if (equals(t[1], "H-W"))
                o.headloss = HeadLossFormula::kHazenWilliams;
            else if (equals(t[1], "D-W"))
                o.headloss = HeadLossFormula::kDarcyWeisbach;
            else if (equals(t[1], "C-M"))
                o.headloss = HeadLossFormula::kChezyManning;
            else
                error(ErrorCode::kUnknownValue, l, {},
                      "unknown head-loss formula '" + std::string(t[1]) + "'", t[1]);
        } else if (equals(key, "VISCOSITY")) {
            positive(1, "viscosity", o.viscosity);
        } else if (equals(key, "DIFFUSIVITY")) {
            positive(1, "diffusivity", o.diffusivity, 1.0, true);
        } else if (equals(key, "TRIALS")) {
            count(1, "trials", o.trials);
        } else if (equals(key, "ACCURACY")) {
            positive(1, "accuracy", o.accuracy);
        } else if (equals(key, "HEADERROR")) {
            positive(1, "head error", o.head_error_m, f_.length, true);
        } else if (equals(key, "FLOWCHANGE")) {
            positive(1, "flow change", o.flow_change_m3s, f_.flow, true);
        } else if (equals(key, "UNBALANCED")) {
            if (!need(l, 2, "STOP or CONTINUE"))
                continue;
            if (equals(t[1], "STOP")) {
                o.unbalanced_continue = false;
            } else if (equals(t[1], "CONTINUE")) {
                o.unbalanced_continue = true;
                if (t.size() >= 3) {
                    double v = 0;
                    positive(2, "unbalanced trials", v, 1.0, true);
                    o.unbalanced_trials = static_cast<int>(std::min(v, 1e9));
                }
            } else {
                error(ErrorCode::kUnknownValue, l, {},
                      "UNBALANCED must be STOP or CONTINUE, not '" + std::string(t[1]) + "'", t[1]);
            }
        } else if (equals(key, "PATTERN")) {
            if (need(l, 2, "pattern id"))
                o.default_pattern_id = std::string(t[1]);
        } else if (equals(key, "DEMAND")) {
            if (!need(l, 3, "DEMAND MULTIPLIER/MODEL value"))
                continue;
            if (starts(t[1], "MULT")) {
                positive(2, "demand multiplier", o.demand_multiplier, 1.0, true);
            } else if (equals(t[1], "MODEL")) {
                if (equals(t[2], "DDA"))
                    o.demand_model = DemandModel::kDda;
                else if (equals(t[2], "PDA"))
                    o.demand_model = DemandModel::kPda;
                else
                    error(ErrorCode::kUnknownValue, l, {},
                          "DEMAND MODEL must be DDA or PDA, not '" + std::string(t[2]) + "'", t[2]);
            } else {
                error(ErrorCode::kUnknownKey, l, {}, "unknown option", t[1]);
            }
        } else if (equals(key, "MINIMUM")) {
            positive(2, "minimum pressure", o.minimum_pressure_m, f_.pressure, true);
        } else if (equals(key, "REQUIRED")) {
            positive(2, "required pressure", o.required_pressure_m, f_.pressure, true);
            o.has_required_pressure = true;
        } else if (equals(key, "PRESSURE")) { // PRESSURE EXPONENT
            positive(2, "pressure exponent", o.pressure_exponent);
        } else if (starts(key, "BACKFLOW")) {
            // EPANET 2.3.5 reads and writes BACKFLOW ALLOWED YES/NO (input3.c, inpfile.c); its
            // manual names the same option EMITTER BACKFLOW (below)
            if (!need(l, 3, "BACKFLOW ALLOWED YES|NO"))
                continue;
            if (equals(t[2], "YES") || equals(t[2], "NO"))
                o.emitter_backflow = equals(t[2], "YES");
            else
                error(ErrorCode::kUnknownValue, l, {}, "BACKFLOW ALLOWED must be YES or NO", t[2]);
        } else if (equals(key, "EMITTER")) {
            if (!need(l, 3, "EMITTER EXPONENT|BACKFLOW value"))
                continue;
            if (starts(t[1], "BACKFLOW")) { // EPANET 2.3
                if (equals(t[2], "YES") || equals(t[2], "NO"))
                    o.emitter_backflow = equals(t[2], "YES");
                else
                    error(ErrorCode::kUnknownValue, l, {}, "EMITTER BACKFLOW must be YES or NO",
                          t[2]);
            } else {
                positive(2, "emitter exponent", o.emitter_exponent);
            }
        } else if (equals(key, "QUALITY")) {
            o.quality.assign(t.begin() + 1, t.end());
        } else if (equals(key, "TOLERANCE")) {
            positive(1, "quality tolerance", o.tolerance, 1.0, true);
        } else if (equals(key, "MAP")) {
            if (need(l, 2, "map file"))
                o.map_file = std::string(t[1]);
        } else if (equals(key, "CHECKFREQ")) {
            count(1, "CHECKFREQ", o.check_freq);
        } else if (equals(key, "MAXCHECK")) {
            count(1, "MAXCHECK", o.max_check);
        } else if (equals(key, "DAMPLIMIT")) {
            positive(1, "DAMPLIMIT", o.damp_limit, 1.0, true);
        } else if (equals(key, "HYDRAULICS") || equals(key, "SEGMENTS") || equals(key, "VERIFY")) {
            // Kept as written: file names of a hydraulics file, legacy SEGMENTS count.
            o.extra.emplace_back(t.begin(), t.end());
        } else {
            error(ErrorCode::kUnknownKey, l, {}, "unknown option '" + std::string(key) + "'", key);
        }
    }
}

void Reader::read_times() {
    begin_section(Section::kTimes);
    auto& tm = net_.times;
    for (const auto& l : section(Section::kTimes)) {
        const auto& t = l.tokens;
        const auto key = t[0];
        if (equals(key, "STATISTIC")) {
            if (!need(l, 2, "statistic"))
                continue;
            const auto w = t[1];
            if (starts(w, "NONE") || starts(w, "AVERAGE") || starts(w, "MIN") || starts(w, "MAX") ||
                starts(w, "RANGE"))
                tm.statistic = upper(w);
            else
                error(ErrorCode::kUnknownValue, l, {}, "unknown statistic '" + std::string(w) + "'",
                      w);
            continue;
        }
        Seconds* target = nullptr;
        std::optional<Seconds>* opt_target = nullptr;
        std::size_t value_index = 2;
        if (equals(key, "DURATION")) {
            target = &tm.duration;
            value_index = 1;
        } else if (equals(key, "HYDRAULIC")) {
            target = &tm.hydraulic_step;
        } else if (equals(key, "QUALITY")) {
            opt_target = &tm.quality_step;
        } else if (equals(key, "RULE")) {
            opt_target = &tm.rule_step;
        } else if (equals(key, "PATTERN") && t.size() >= 2) {
            target = starts(t[1], "START") ? &tm.pattern_start : &tm.pattern_step;
        } else if (equals(key, "REPORT") && t.size() >= 2) {
            target = starts(t[1], "START") ? &tm.report_start : &tm.report_step;
        } else if (equals(key, "START")) {
            target = &tm.start_clocktime;
        } else {
            error(ErrorCode::kUnknownKey, l, {}, "unknown time option '" + std::string(key) + "'",
                  key);
            continue;
        }
        if (!need(l, value_index + 1, "time value"))
            continue;
        // The value is the last token, or the one before it when the last is a unit.
        std::string_view value = t[value_index];
        std::string_view unit;
        if (t.size() > value_index + 1 && is_time_unit(t.back())) {
            value = t[t.size() - 2];
            unit = t.back();
        } else if (t.size() > value_index + 1) {
            value = t.back();
        }
        const auto hours = parse_hours(value, unit);
        if (!hours) {
            error(ErrorCode::kOutOfRange, l, {},
                  "invalid time '" + std::string(value) +
                      (unit.empty() ? std::string() : " " + std::string(unit)) + "'",
                  value);
            continue;
        }
        const Seconds s = to_seconds(*hours);
        if (target)
            *target = s;
        else
            *opt_target = s;
    }
}

bool Reader::duplicate_node(const Line& l, std::string_view id) {
    if (net_.node_index.count(id)) {
        error(ErrorCode::kDuplicateId, l, id, "duplicate node id '" + std::string(id) + "'", id);
        return true;
    }
    return false;
}

void Reader::add_junction(const Line& l) {
    const auto& t = l.tokens;
    const auto id = t[0];
    if (!need(l, 2, "id elevation [demand] [pattern]") || !check_id(l, id) || duplicate_node(l, id))
        return;
    const auto elev = number(l, 1, id, "elevation");
    double demand = 0;
    if (t.size() >= 3) {
        if (auto d = number(l, 2, id, "demand"))
            demand = *d;
    }
    const auto n = net_.node_count();
    net_.node_index.emplace(std::string(id), n);
    net_.node_id.emplace_back(id);
    net_.node_kind.push_back(NodeKind::kJunction);
    net_.elevation_m.push_back(elev.value_or(0) * f_.length);
    net_.head_pattern.emplace_back();
    net_.tank_of_node.push_back(-1);
    Demand d;
    d.base_m3s = demand * f_.flow;
    // The pattern id is resolved after [PATTERNS] is read (two passes); keep its line for now.
    if (t.size() >= 4)
        junction_patterns_.emplace_back(&l, static_cast<std::size_t>(n));
    demand_lists_.push_back({d});
    demands_replaced_.push_back(0);
}

void Reader::add_fixed_node(const Line& l, bool tank_section) {
    const auto& t = l.tokens;
    const auto id = t[0];
    if (!need(l, 2,
              tank_section ? "id elevation initlevel minlevel maxlevel diameter"
                           : "id head [pattern]") ||
        !check_id(l, id) || duplicate_node(l, id))
        return;
    // EPANET 2.2 reads a [TANKS] line of at most 3 fields as a reservoir.
    const bool tank = tank_section && t.size() > 3;
    if (tank && !need(l, 6, "id elevation initlevel minlevel maxlevel diameter"))
        return;
    const auto elev = number(l, 1, id, tank ? "elevation" : "head");
    const auto n = net_.node_count();
    net_.node_index.emplace(std::string(id), n);
    net_.node_id.emplace_back(id);
    net_.node_kind.push_back(tank ? NodeKind::kTank : NodeKind::kReservoir);
    net_.elevation_m.push_back(elev.value_or(0) * f_.length);
    net_.head_pattern.emplace_back();
    demand_lists_.emplace_back();
    demands_replaced_.push_back(0);
    if (!tank) {
        net_.tank_of_node.push_back(-1);
        return;
    }
    auto& tk = net_.tanks;
    net_.tank_of_node.push_back(tk.count());
    const double init = number(l, 2, id, "initial level").value_or(0);
    const double lo = number(l, 3, id, "minimum level").value_or(0);
    const double hi = number(l, 4, id, "maximum level").value_or(0);
    const double diam = number(l, 5, id, "diameter").value_or(0);
    double minvol = 0;
    if (t.size() > 6)
        minvol = number(l, 6, id, "minimum volume").value_or(0);
    tk.node.emplace_back(n);
    tk.initial_level_m.push_back(init * f_.length);
    tk.min_level_m.push_back(lo * f_.length);
    tk.max_level_m.push_back(hi * f_.length);
    tk.diameter_m.push_back(diam * f_.length);
    tk.min_volume_m3.push_back(minvol * f_.volume);
    tk.volume_curve.emplace_back();
    tk.overflow.push_back(0);
    tk.mixing.push_back(MixingModel::kMixed);
    tk.mixing_fraction.push_back(1.0);
    tk.has_mixing.push_back(0);
    tk.bulk_coefficient.push_back(0);
    tk.has_bulk_coefficient.push_back(0);
    // EPANET 2.2 manual §3.1 [TANKS]: levels must satisfy min <= init <= max (error 225).
    if (hi < lo || init < lo || init > hi)
        error(ErrorCode::kInconsistent, l, id,
              "tank levels must satisfy minimum <= initial <= maximum", t[2]);
    if (lo < 0 || diam < 0 || minvol < 0)
        error(ErrorCode::kOutOfRange, l, id, "tank level, diameter or volume is negative", t[1]);
    if (t.size() > 8) {
        if (equals(t[8], "YES"))
            tk.overflow.back() = 1;
        else if (!equals(t[8], "NO"))
            error(ErrorCode::kUnknownValue, l, id,
                  "overflow must be YES or NO, not '" + std::string(t[8]) + "'", t[8]);
    }
}

void Reader::read_nodes() {
    const std::size_t expected = section(Section::kJunctions).size() +
                                 section(Section::kReservoirs).size() +
                                 section(Section::kTanks).size();
    net_.node_index.reserve(expected);
    begin_section(Section::kJunctions);
    for (const auto& l : section(Section::kJunctions))
        add_junction(l);
    // Reservoirs and tanks follow the junctions, in file order (as EPANET numbers them).
    const auto& res = section(Section::kReservoirs);
    const auto& tanks = section(Section::kTanks);
    std::size_t i = 0, j = 0;
    while (i < res.size() || j < tanks.size()) {
        if (j >= tanks.size() || (i < res.size() && res[i].number < tanks[j].number)) {
            begin_section(Section::kReservoirs);
            add_fixed_node(res[i++], false);
        } else {
            begin_section(Section::kTanks);
            add_fixed_node(tanks[j++], true);
        }
    }
}

void Reader::read_patterns() {
    begin_section(Section::kPatterns);
    for (const auto& l : section(Section::kPatterns)) {
        const auto id = l.tokens[0];
        if (!check_id(l, id))
            continue;
        auto it = net_.pattern_index.find(id);
        if (it == net_.pattern_index.end()) {
            it = net_.pattern_index
                     .emplace(std::string(id), static_cast<std::int32_t>(net_.patterns.size()))
                     .first;
            net_.patterns.push_back({std::string(id), {}});
        }
        auto& p = net_.patterns[static_cast<std::size_t>(it->second)];
        for (std::size_t i = 1; i < l.tokens.size(); ++i)
            if (auto v = number(l, i, id, "multiplier"))
                p.multipliers.push_back(*v);
    }
}

void Reader::read_curves() {
    begin_section(Section::kCurves);
    for (const auto& l : section(Section::kCurves)) {
        const auto id = l.tokens[0];
        if (!need(l, 3, "id x y") || !check_id(l, id))
            continue;
        auto it = net_.curve_index.find(id);
        if (it == net_.curve_index.end()) {
            it = net_.curve_index
                     .emplace(std::string(id), static_cast<std::int32_t>(net_.curves.size()))
                     .first;
            net_.curves.push_back({});
            net_.curves.back().id = std::string(id);
            curve_first_line_.push_back(&l);
        }
        auto& c = net_.curves[static_cast<std::size_t>(it->second)];
        const auto x = number(l, 1, id, "x value");
        const auto y = number(l, 2, id, "y value");
        if (!x || !y)
            continue;
        // EPANET 2.2 manual §3.1 [CURVES]: X values must be in increasing order (error 230).
        if (!c.x.empty() && *x <= c.x.back())
            error(ErrorCode::kInconsistent, l, id, "curve x values must increase", l.tokens[1]);
        c.x.push_back(*x);
        c.y.push_back(*y);
    }
}

void Reader::add_link(const Line& l, Section s) {
    const auto& t = l.tokens;
    const auto id = t[0];
    const char* form = s == Section::kPipes
                           ? "id node1 node2 length diameter roughness [minorloss] [status]"
                       : s == Section::kPumps ? "id node1 node2 HEAD curve | POWER value ..."
                                              : "id node1 node2 diameter type setting [minorloss]";
    if (!need(l, s == Section::kPipes ? 6 : s == Section::kPumps ? 4 : 6, form) || !check_id(l, id))
        return;
    if (net_.link_index.count(id)) {
        error(ErrorCode::kDuplicateId, l, id, "duplicate link id '" + std::string(id) + "'", id);
        return;
    }
    const auto a = node_ref(l, t[1], id);
    const auto b = node_ref(l, t[2], id);
    if (!a.valid() || !b.valid())
        return;
    if (a == b) {
        error(ErrorCode::kInconsistent, l, id, "link starts and ends at the same node", t[2]);
        return;
    }
    const auto k = LinkIndex(net_.link_count());
    LinkKind kind = LinkKind::kPipe;
    double length = 0, diameter = 0, rough = 0, minor = 0;
    LinkStatus status = LinkStatus::kOpen;
    bool ok = true;

    if (s == Section::kPipes) {
        const auto len = number(l, 3, id, "length");
        const auto dia = number(l, 4, id, "diameter");
        const auto rgh = number(l, 5, id, "roughness");
        if (!len || !dia || !rgh)
            return;
        // EPANET 2.2 takes a status in place of the minor loss when the line has 7 fields.
        std::size_t status_at = 7;
        if (t.size() == 7 && (equals(t[6], "CV") || equals(t[6], "OPEN") || equals(t[6], "CLOSED")))
            status_at = 6;
        else if (t.size() > 6) {
            if (auto m = number(l, 6, id, "minor loss"))
                minor = *m;
            else
                return;
        }
        if (t.size() > status_at) {
            const auto w = t[status_at];
            if (equals(w, "CV"))
                kind = LinkKind::kCvPipe;
            else if (equals(w, "OPEN"))
                status = LinkStatus::kOpen;
            else if (equals(w, "CLOSED"))
                status = LinkStatus::kClosed;
            else {
                error(ErrorCode::kUnknownValue, l, id,
                      "pipe status must be OPEN, CLOSED or CV, not '" + std::string(w) + "'", w);
                return;
            }
        }
        // EPANET 2.2 (error 211): length, diameter and roughness > 0, minor loss >= 0.
        if (*len <= 0 || *dia <= 0 || *rgh <= 0 || minor < 0) {
            error(ErrorCode::kOutOfRange, l, id,
                  "pipe length, diameter and roughness must be > 0 and minor loss >= 0", t[3]);
            return;
        }
        length = *len * f_.length;
        diameter = *dia * f_.diameter;
        rough = net_.options.headloss == HeadLossFormula::kDarcyWeisbach ? *rgh * f_.roughness_dw
                                                                         : *rgh;
    } else if (s == Section::kPumps) {
        kind = LinkKind::kPump;
        auto& p = net_.pumps;
        const std::size_t pi = p.link.size();
        p.link.push_back(k);
        p.type.push_back(Pumps::Type::kHeadCurve);
        p.curve.emplace_back();
        p.power_w.push_back(0);
        p.speed.push_back(1.0);
        p.pattern.emplace_back();
        p.legacy_values.emplace_back();
        p.efficiency_curve.emplace_back();
        p.energy_price.push_back(std::numeric_limits<double>::quiet_NaN());
        p.price_pattern.emplace_back();
        if (to_number(t[3])) {
            // EPANET 1.x form, still read by 2.2: a power, or h1 q1, or h0 h1 q1 h2 q2 [qmax].
            std::vector<double> v;
            for (std::size_t i = 3; i < t.size(); ++i) {
                auto x = number(l, i, id, "pump curve value");
                if (!x)
                    return;
                v.push_back(*x);
            }
            if (v.size() == 1) {
                if (v[0] <= 0) {
                    error(ErrorCode::kOutOfRange, l, id, "pump power must be > 0", t[3]);
                    return;
                }
                p.type[pi] = Pumps::Type::kPower;
                p.power_w[pi] = v[0] * f_.power;
            } else if (v.size() == 2 || v.size() >= 5) {
                p.type[pi] = Pumps::Type::kLegacy;
                // Stored as SI (flow, head) pairs: (q1,h1) or (0,h0),(q1,h1),(q2,h2) [+ qmax].
                std::vector<double> si;
                if (v.size() == 2) {
                    si = {v[1] * f_.flow, v[0] * f_.length};
                } else {
                    si = {0.0,
                          v[0] * f_.length,
                          v[2] * f_.flow,
                          v[1] * f_.length,
                          v[4] * f_.flow,
                          v[3] * f_.length};
                    if (v.size() >= 6)
                        si.push_back(v[5] * f_.flow);
                    if (!(v[0] > v[1] && v[1] > v[3] && v[2] > 0 && v[4] > v[2]))
                        error(ErrorCode::kInconsistent, l, id,
                              "pump curve heads must fall as flows rise", t[3]);
                }
                p.legacy_values[pi] = std::move(si);
            } else {
                error(ErrorCode::kMissingKey, l, id, "legacy pump curve needs 1, 2 or 5 values",
                      t[3]);
                return;
            }
        } else {
            bool has_head = false, has_power = false;
            for (std::size_t i = 3; i < t.size(); i += 2) {
                const auto kw = t[i];
                if (i + 1 >= t.size()) {
                    // EPANET 2.2 reads keyword-value pairs and ignores an unpaired last field.
                    warning(ErrorCode::kMissingKey, l, id,
                            "field '" + std::string(kw) + "' without a value ignored", kw);
                    break;
                }
                const auto val = t[i + 1];
                if (equals(kw, "HEAD")) {
                    p.curve[pi] = curve_ref(l, val, id, CurveKind::kPump, ok);
                    has_head = true;
                } else if (equals(kw, "POWER")) {
                    if (auto x = number(l, i + 1, id, "power")) {
                        if (*x <= 0) {
                            error(ErrorCode::kOutOfRange, l, id, "pump power must be > 0", val);
                            ok = false;
                        }
                        p.power_w[pi] = *x * f_.power;
                        has_power = true;
                    } else {
                        ok = false;
                    }
                } else if (equals(kw, "SPEED")) {
                    if (auto x = number(l, i + 1, id, "speed")) {
                        if (*x < 0) {
                            error(ErrorCode::kOutOfRange, l, id, "pump speed must be >= 0", val);
                            ok = false;
                        }
                        p.speed[pi] = *x;
                    } else {
                        ok = false;
                    }
                } else if (equals(kw, "PATTERN")) {
                    p.pattern[pi] = pattern_ref(l, val, id, ok);
                } else {
                    error(ErrorCode::kUnknownKey, l, id,
                          "unknown pump keyword '" + std::string(kw) + "'", kw);
                    ok = false;
                }
            }
            if (has_head)
                p.type[pi] = Pumps::Type::kHeadCurve;
            else if (has_power)
                p.type[pi] = Pumps::Type::kPower;
            else if (ok) {
                // EPANET 2.2 error 226: no head curve or power rating for pump.
                error(ErrorCode::kMissingKey, l, id, "pump has neither a HEAD curve nor a POWER",
                      id);
            }
        }
    } else { // valves
        kind = LinkKind::kValve;
        const auto dia = number(l, 3, id, "diameter");
        if (!dia)
            return;
        const auto type = upper(t[4]);
        ValveKind vk{};
        if (type == "PRV")
            vk = ValveKind::kPrv;
        else if (type == "PSV")
            vk = ValveKind::kPsv;
        else if (type == "PBV")
            vk = ValveKind::kPbv;
        else if (type == "FCV")
            vk = ValveKind::kFcv;
        else if (type == "TCV")
            vk = ValveKind::kTcv;
        else if (type == "GPV")
            vk = ValveKind::kGpv;
        else if (type == "PCV")
            vk = ValveKind::kPcv;
        else {
            error(ErrorCode::kUnknownValue, l, id, "unknown valve type '" + std::string(t[4]) + "'",
                  t[4]);
            return;
        }
        double setting = 0;
        CurveIndex curve;
        if (vk == ValveKind::kGpv) {
            curve = curve_ref(l, t[5], id, CurveKind::kHeadLoss, ok);
        } else if (auto v = number(l, 5, id, "setting")) {
            setting = *v;
        } else {
            return;
        }
        if (t.size() > 6) {
            if (auto m = number(l, 6, id, "minor loss"))
                minor = *m;
            else
                return;
        }
        if (vk == ValveKind::kPcv && t.size() > 7)
            curve = curve_ref(l, t[7], id, CurveKind::kValve, ok);
        if (*dia <= 0 || minor < 0) {
            error(ErrorCode::kOutOfRange, l, id, "valve diameter must be > 0, minor loss >= 0",
                  t[3]);
            return;
        }
        diameter = *dia * f_.diameter;
        status = LinkStatus::kActive;
        auto& v = net_.valves;
        v.link.push_back(k);
        v.kind.push_back(vk);
        v.curve.push_back(curve);
        switch (vk) {
        case ValveKind::kPrv:
        case ValveKind::kPsv:
        case ValveKind::kPbv:
            setting *= f_.pressure;
            break;
        case ValveKind::kFcv:
            setting *= f_.flow;
            break;
        default:
            break;
        }
        v.setting.push_back(setting);
    }

    net_.link_index.emplace(std::string(id), k.value());
    net_.link_id.emplace_back(id);
    net_.link_kind.push_back(kind);
    net_.from_node.push_back(a);
    net_.to_node.push_back(b);
    net_.length_m.push_back(length);
    net_.diameter_m.push_back(diameter);
    net_.roughness.push_back(rough);
    net_.minor_loss.push_back(minor);
    net_.initial_status.push_back(status);
    net_.bulk_coefficient.push_back(0);
    net_.wall_coefficient.push_back(0);
    net_.has_bulk_coefficient.push_back(0);
    net_.has_wall_coefficient.push_back(0);
    net_.leak_area.push_back(0);
    net_.leak_expansion.push_back(0);
    net_.has_leakage.push_back(0);
    net_.pump_of_link.push_back(kind == LinkKind::kPump ? net_.pumps.count() - 1 : -1);
    net_.valve_of_link.push_back(kind == LinkKind::kValve ? net_.valves.count() - 1 : -1);
    net_.vertices.emplace_back();
    if (kind == LinkKind::kValve)
        check_valve(l, k);
}

/// EPANET 2.2 manual §3.1 [VALVES] and error codes 219/220: PRVs, PSVs and FCVs may not be
/// connected directly to a reservoir or tank; PRVs may not share a downstream node or be in
/// series; PSVs may not share an upstream node or be in series; a PSV may not start at a PRV's
/// or an FCV's downstream node, and a PRV may not end at a PSV's or an FCV's upstream node.
void Reader::check_valve(const Line& l, LinkIndex k) {
    const auto vi = static_cast<std::size_t>(net_.valve_of_link[k.idx()]);
    const ValveKind t = net_.valves.kind[vi];
    const auto j1 = net_.from_node[k.idx()];
    const auto j2 = net_.to_node[k.idx()];
    const auto id = l.tokens[0];
    if (t == ValveKind::kPrv || t == ValveKind::kPsv || t == ValveKind::kFcv) {
        if (net_.node_kind[j1.idx()] != NodeKind::kJunction ||
            net_.node_kind[j2.idx()] != NodeKind::kJunction) {
            error(ErrorCode::kInconsistent, l, id,
                  std::string(valve_kind_name(t)) +
                      " connected directly to a reservoir or tank (put a pipe between them)",
                  l.tokens[1]);
            return;
        }
    }
    for (std::size_t o = 0; o + 1 < net_.valves.link.size(); ++o) {
        const ValveKind u = net_.valves.kind[o];
        const auto lk = net_.valves.link[o];
        const auto v1 = net_.from_node[lk.idx()];
        const auto v2 = net_.to_node[lk.idx()];
        bool bad = false;
        if (u == ValveKind::kPrv && t == ValveKind::kPrv)
            bad = v2 == j2 || v2 == j1 || v1 == j2;
        else if (u == ValveKind::kPsv && t == ValveKind::kPsv)
            bad = v1 == j1 || v1 == j2 || v2 == j1;
        else if (u == ValveKind::kPsv && t == ValveKind::kPrv)
            bad = v1 == j2;
        else if (u == ValveKind::kPrv && t == ValveKind::kPsv)
            bad = v2 == j1;
        else if (u == ValveKind::kFcv && t == ValveKind::kPsv)
            bad = v2 == j1;
        else if (u == ValveKind::kFcv && t == ValveKind::kPrv)
            bad = v1 == j2;
        else if (u == ValveKind::kPsv && t == ValveKind::kFcv)
            bad = v1 == j2;
        else if (u == ValveKind::kPrv && t == ValveKind::kFcv)
            bad = v2 == j1;
        if (bad) {
            error(ErrorCode::kInconsistent, l, id,
                  std::string(valve_kind_name(t)) + " illegally connected to " +
                      std::string(valve_kind_name(u)) + " '" + net_.link_id[lk.idx()] + "'",
                  l.tokens[1]);
            return;
        }
    }
}

void Reader::read_links() {
    // Links are numbered in file order across [PIPES], [PUMPS] and [VALVES].
    struct Ref {
        int line;
        Section s;
        const Line* l;
    };
    std::vector<Ref> all;
    net_.link_index.reserve(section(Section::kPipes).size() + section(Section::kPumps).size() +
                            section(Section::kValves).size());
    for (auto s : {Section::kPipes, Section::kPumps, Section::kValves})
        for (const auto& l : section(s))
            all.push_back({l.number, s, &l});
    std::stable_sort(all.begin(), all.end(),
                     [](const Ref& a, const Ref& b) { return a.line < b.line; });
    for (const auto& r : all) {
        begin_section(r.s);
        add_link(*r.l, r.s);
    }
}

void Reader::read_demands() {
    // Junction and reservoir patterns: resolved now that [PATTERNS] is read.
    begin_section(Section::kJunctions);
    for (const auto& [l, n] : junction_patterns_) {
        bool ok = true;
        demand_lists_[n][0].pattern = pattern_ref(*l, l->tokens[3], l->tokens[0], ok);
    }
    for (auto s : {Section::kReservoirs, Section::kTanks}) {
        begin_section(s);
        for (const auto& l : section(s)) {
            if (l.tokens.size() != 3)
                continue;
            const auto n = net_.find_node(l.tokens[0]);
            if (!n.valid() || net_.node_kind[n.idx()] != NodeKind::kReservoir)
                continue;
            bool ok = true;
            net_.head_pattern[n.idx()] = pattern_ref(l, l.tokens[2], l.tokens[0], ok);
        }
    }

    begin_section(Section::kDemands);
    for (const auto& l : section(Section::kDemands)) {
        const auto& t = l.tokens;
        if (!need(l, 2, "junction demand [pattern] [;category]"))
            continue;
        if (equals(t[0], "MULTIPLY")) {
            // EPANET 1.x form of the demand multiplier, still read by EPANET 2.2.
            if (auto v = number(l, 1, {}, "demand multiplier"))
                net_.options.demand_multiplier = *v;
            continue;
        }
        const auto n = node_ref(l, t[0], t[0]);
        if (!n.valid())
            continue;
        if (net_.node_kind[n.idx()] != NodeKind::kJunction) {
            error(ErrorCode::kInconsistent, l, t[0], "demand given for a reservoir or tank", t[0]);
            continue;
        }
        const auto v = number(l, 1, t[0], "demand");
        if (!v)
            continue;
        Demand d;
        d.base_m3s = *v * f_.flow;
        bool ok = true;
        if (t.size() > 2)
            d.pattern = pattern_ref(l, t[2], t[0], ok);
        d.category = std::string(l.comment);
        // EPANET 2.2: the first [DEMANDS] entry replaces the junction's [JUNCTIONS] demand.
        auto& list = demand_lists_[n.idx()];
        if (!demands_replaced_[n.idx()]) {
            list.clear();
            demands_replaced_[n.idx()] = 1;
        }
        list.push_back(std::move(d));
    }
}

void Reader::read_status() {
    begin_section(Section::kStatus);
    for (const auto& l : section(Section::kStatus)) {
        const auto& t = l.tokens;
        if (!need(l, 2, "link status|setting"))
            continue;
        const auto k = link_ref(l, t[0], t[0]);
        if (!k.valid())
            continue;
        const auto kind = net_.link_kind[k.idx()];
        const auto st = status_word(t[1]);
        if (st) {
            if (*st == LinkStatus::kActive && kind != LinkKind::kValve) {
                error(ErrorCode::kUnknownValue, l, t[0], "only valves can be ACTIVE", t[1]);
                continue;
            }
            if (kind == LinkKind::kCvPipe) {
                // EPANET 2.2 ignores a status given to a check valve (warning, not an error).
                warning(ErrorCode::kInconsistent, l, t[0], "status of a check valve ignored", t[1]);
                continue;
            }
            net_.initial_status[k.idx()] = *st;
            continue;
        }
        const auto v = number(l, 1, t[0], "status or setting");
        if (!v)
            continue;
        if (kind == LinkKind::kPump) {
            if (*v < 0) {
                error(ErrorCode::kOutOfRange, l, t[0], "pump speed must be >= 0", t[1]);
                continue;
            }
            net_.pumps.speed[static_cast<std::size_t>(net_.pump_of_link[k.idx()])] = *v;
            if (*v == 0)
                net_.initial_status[k.idx()] = LinkStatus::kClosed;
        } else if (kind == LinkKind::kValve &&
                   net_.valves.kind[static_cast<std::size_t>(net_.valve_of_link[k.idx()])] !=
                       ValveKind::kGpv) {
            net_.valves.setting[static_cast<std::size_t>(net_.valve_of_link[k.idx()])] =
                setting_to_si(k, *v);
            net_.initial_status[k.idx()] = LinkStatus::kActive;
        } else {
            error(ErrorCode::kUnknownValue, l, t[0],
                  "a numeric setting applies to pumps and valves only", t[1]);
        }
    }
}

void Reader::read_emitters() {
    begin_section(Section::kEmitters);
    for (const auto& l : section(Section::kEmitters)) {
        if (!need(l, 2, "junction coefficient"))
            continue;
        const auto n = node_ref(l, l.tokens[0], l.tokens[0]);
        const auto v = number(l, 1, l.tokens[0], "emitter coefficient");
        if (!n.valid() || !v)
            continue;
        if (net_.node_kind[n.idx()] != NodeKind::kJunction) {
            error(ErrorCode::kInconsistent, l, l.tokens[0], "emitter on a reservoir or tank",
                  l.tokens[0]);
            continue;
        }
        raw_emitter_[n.idx()] = *v;
    }
    // q = K p^n in file units becomes q = K' p^n in SI: K' = K * flow / pressure^n.
    const double scale = f_.flow / std::pow(f_.pressure, net_.options.emitter_exponent);
    for (const auto& l : section(Section::kEmitters)) {
        const auto n = net_.find_node(l.tokens[0]);
        if (!n.valid() || raw_emitter_[n.idx()] == 0)
            continue;
        const double k = raw_emitter_[n.idx()] * scale;
        if (!std::isfinite(k) || k == 0 || !std::isfinite(k / scale)) {
            error(ErrorCode::kOutOfRange, l, l.tokens[0],
                  "emitter coefficient out of range for the EMITTER EXPONENT", l.tokens[1]);
            raw_emitter_[n.idx()] = 0;
            continue;
        }
        net_.emitter_coefficient[n.idx()] = k;
    }
}

void Reader::read_quality_sections() {
    begin_section(Section::kQuality);
    for (const auto& l : section(Section::kQuality)) {
        if (!need(l, 2, "node quality"))
            continue;
        if (l.tokens.size() > 2) {
            // Range form "first last value": every node whose id lies in the range.
            const auto v = number(l, 2, l.tokens[0], "initial quality");
            if (!v)
                continue;
            for (std::size_t i = 0; i < net_.node_id.size(); ++i)
                if (in_id_range(net_.node_id[i], l.tokens[0], l.tokens[1])) {
                    net_.initial_quality[i] = *v;
                    net_.has_initial_quality[i] = 1;
                }
            continue;
        }
        const auto n = node_ref(l, l.tokens[0], l.tokens[0]);
        const auto v = number(l, 1, l.tokens[0], "initial quality");
        if (!n.valid() || !v)
            continue;
        net_.initial_quality[n.idx()] = *v;
        net_.has_initial_quality[n.idx()] = 1;
    }

    begin_section(Section::kSources);
    for (const auto& l : section(Section::kSources)) {
        const auto& t = l.tokens;
        if (!need(l, 2, "node [type] strength [pattern]"))
            continue;
        const auto n = node_ref(l, t[0], t[0]);
        if (!n.valid())
            continue;
        Source s;
        s.node = n;
        std::size_t i = 1;
        if (starts(t[1], "CONCEN") || starts(t[1], "MASS") || starts(t[1], "SETPOINT") ||
            starts(t[1], "FLOWPACED")) {
            s.type = upper(t[1]);
            i = 2;
        }
        const auto v = number(l, i, t[0], "source strength");
        if (!v)
            continue;
        s.strength = *v;
        bool ok = true;
        if (t.size() > i + 1)
            s.pattern = pattern_ref(l, t[i + 1], t[0], ok);
        if (ok)
            net_.sources.push_back(std::move(s));
    }

    begin_section(Section::kReactions);
    auto& r = net_.reactions;
    for (const auto& l : section(Section::kReactions)) {
        const auto& t = l.tokens;
        if (!need(l, 2, "keyword value"))
            continue;
        const auto key = t[0];
        if (equals(key, "ORDER") || equals(key, "GLOBAL")) {
            if (!need(l, 3, "ORDER|GLOBAL BULK|WALL|TANK value"))
                continue;
            const auto v = number(l, 2, {}, "reaction value");
            if (!v)
                continue;
            const bool order = equals(key, "ORDER");
            if (equals(t[1], "BULK"))
                (order ? r.order_bulk : r.global_bulk) = *v;
            else if (equals(t[1], "WALL"))
                (order ? r.order_wall : r.global_wall) = *v;
            else if (order && equals(t[1], "TANK"))
                r.order_tank = *v;
            else
                error(ErrorCode::kUnknownKey, l, {}, "unknown reaction keyword", t[1]);
        } else if (equals(key, "BULK") || equals(key, "WALL") || equals(key, "TANK")) {
            if (!need(l, 3, "BULK|WALL|TANK id value"))
                continue;
            if (t.size() > 3 && !equals(key, "TANK")) {
                // Range form "BULK|WALL first last value": every pipe whose id lies in the range.
                const auto v = number(l, 3, t[1], "reaction coefficient");
                if (!v)
                    continue;
                const bool bulk = equals(key, "BULK");
                for (std::size_t k = 0; k < net_.link_id.size(); ++k) {
                    if (net_.link_kind[k] != LinkKind::kPipe &&
                        net_.link_kind[k] != LinkKind::kCvPipe)
                        continue;
                    if (!in_id_range(net_.link_id[k], t[1], t[2]))
                        continue;
                    (bulk ? net_.bulk_coefficient : net_.wall_coefficient)[k] = *v;
                    (bulk ? net_.has_bulk_coefficient : net_.has_wall_coefficient)[k] = 1;
                }
                continue;
            }
            const auto v = number(l, 2, t[1], "reaction coefficient");
            if (!v)
                continue;
            if (equals(key, "TANK")) {
                const auto n = node_ref(l, t[1], t[1]);
                if (!n.valid())
                    continue;
                const auto ti = net_.tank_of_node[n.idx()];
                if (ti < 0) {
                    error(ErrorCode::kInconsistent, l, t[1], "node is not a tank", t[1]);
                    continue;
                }
                net_.tanks.bulk_coefficient[static_cast<std::size_t>(ti)] = *v;
                net_.tanks.has_bulk_coefficient[static_cast<std::size_t>(ti)] = 1;
            } else {
                const auto k = link_ref(l, t[1], t[1]);
                if (!k.valid())
                    continue;
                if (equals(key, "BULK")) {
                    net_.bulk_coefficient[k.idx()] = *v;
                    net_.has_bulk_coefficient[k.idx()] = 1;
                } else {
                    net_.wall_coefficient[k.idx()] = *v;
                    net_.has_wall_coefficient[k.idx()] = 1;
                }
            }
        } else if (equals(key, "LIMITING")) {
            if (auto v = number(l, 2, {}, "limiting potential"))
                r.limiting_potential = *v;
        } else if (equals(key, "ROUGHNESS")) {
            if (auto v = number(l, 2, {}, "roughness correlation"))
                r.roughness_correlation = *v;
        } else {
            error(ErrorCode::kUnknownKey, l, {},
                  "unknown reaction keyword '" + std::string(key) + "'", key);
        }
    }

    begin_section(Section::kMixing);
    for (const auto& l : section(Section::kMixing)) {
        const auto& t = l.tokens;
        if (!need(l, 2, "tank model [fraction]"))
            continue;
        const auto n = node_ref(l, t[0], t[0]);
        if (!n.valid())
            continue;
        const auto ti = net_.tank_of_node[n.idx()];
        if (ti < 0) {
            error(ErrorCode::kInconsistent, l, t[0], "mixing model for a node that is not a tank",
                  t[0]);
            continue;
        }
        MixingModel m;
        if (starts(t[1], "MIXED"))
            m = MixingModel::kMixed;
        else if (starts(t[1], "2COMP"))
            m = MixingModel::kTwoCompartment;
        else if (starts(t[1], "FIFO"))
            m = MixingModel::kFifo;
        else if (starts(t[1], "LIFO"))
            m = MixingModel::kLifo;
        else {
            error(ErrorCode::kUnknownValue, l, t[0],
                  "unknown mixing model '" + std::string(t[1]) + "'", t[1]);
            continue;
        }
        double frac = 1.0;
        if (m == MixingModel::kTwoCompartment && t.size() > 2) {
            const auto v = number(l, 2, t[0], "compartment fraction");
            if (!v)
                continue;
            frac = *v;
        }
        const auto u = static_cast<std::size_t>(ti);
        net_.tanks.mixing[u] = m;
        net_.tanks.mixing_fraction[u] = frac;
        net_.tanks.has_mixing[u] = 1;
    }
}

void Reader::read_energy() {
    begin_section(Section::kEnergy);
    auto& e = net_.energy;
    for (const auto& l : section(Section::kEnergy)) {
        const auto& t = l.tokens;
        const auto key = t[0];
        if (equals(key, "GLOBAL")) {
            if (!need(l, 3, "GLOBAL EFFIC|PRICE|PATTERN value"))
                continue;
            if (starts(t[1], "EFFIC")) {
                if (auto v = number(l, 2, {}, "efficiency"))
                    e.global_efficiency = *v;
            } else if (starts(t[1], "PRICE")) {
                if (auto v = number(l, 2, {}, "price"))
                    e.global_price = *v;
            } else if (starts(t[1], "PATT")) {
                bool ok = true;
                e.global_pattern = pattern_ref(l, t[2], {}, ok);
            } else {
                error(ErrorCode::kUnknownKey, l, {}, "unknown energy keyword", t[1]);
            }
        } else if (equals(key, "PUMP")) {
            if (!need(l, 4, "PUMP id EFFIC|PRICE|PATTERN value"))
                continue;
            const auto k = link_ref(l, t[1], t[1]);
            if (!k.valid())
                continue;
            const auto pi = net_.pump_of_link[k.idx()];
            if (pi < 0) {
                error(ErrorCode::kInconsistent, l, t[1], "link is not a pump", t[1]);
                continue;
            }
            const auto p = static_cast<std::size_t>(pi);
            bool ok = true;
            if (starts(t[2], "EFFIC"))
                net_.pumps.efficiency_curve[p] =
                    curve_ref(l, t[3], t[1], CurveKind::kEfficiency, ok);
            else if (starts(t[2], "PRICE")) {
                if (auto v = number(l, 3, t[1], "price"))
                    net_.pumps.energy_price[p] = *v;
            } else if (starts(t[2], "PATT"))
                net_.pumps.price_pattern[p] = pattern_ref(l, t[3], t[1], ok);
            else
                error(ErrorCode::kUnknownKey, l, t[1], "unknown energy keyword", t[2]);
        } else if (equals(key, "DEMAND")) {
            if (auto v = number(l, 2, {}, "demand charge"))
                e.demand_charge = *v;
        } else {
            error(ErrorCode::kUnknownKey, l, {},
                  "unknown energy keyword '" + std::string(key) + "'", key);
        }
    }
}

void Reader::read_controls() {
    begin_section(Section::kControls);
    for (const auto& line : section(Section::kControls)) {
        // EPANET 2.3: a control that ends with DISABLED is kept but does not act (input3.c)
        Line l = line;
        const bool enabled = l.tokens.size() <= 6 || !equals(l.tokens.back(), "DISABLED");
        if (!enabled)
            l.tokens.pop_back();
        const auto& t = l.tokens;
        // LINK id status|setting IF NODE id ABOVE|BELOW value
        // LINK id status|setting AT TIME t [unit] | AT CLOCKTIME t [AM|PM]
        // EPANET 2.2 reads the words LINK and NODE by position only ("Pump P1 Open IF Tank T1
        // below 90" is accepted), so they are not checked here either.
        if (!need(l, 6, "LINK id status AT|IF ..."))
            continue;
        const auto k = link_ref(l, t[1], t[1]);
        if (!k.valid())
            continue;
        Control c;
        c.link = k;
        c.enabled = enabled;
        const auto kind = net_.link_kind[k.idx()];
        if (kind == LinkKind::kCvPipe) {
            error(ErrorCode::kInconsistent, l, t[1], "a check valve cannot be controlled", t[1]);
            continue;
        }
        if (auto st = status_word(t[2])) {
            if (*st == LinkStatus::kActive && kind != LinkKind::kValve) {
                error(ErrorCode::kUnknownValue, l, t[1], "only valves can be ACTIVE", t[2]);
                continue;
            }
            c.status = st;
        } else {
            const auto v = number(l, 2, t[1], "status or setting");
            if (!v)
                continue;
            if (kind == LinkKind::kPipe) {
                error(ErrorCode::kUnknownValue, l, t[1], "a pipe takes OPEN or CLOSED only", t[2]);
                continue;
            }
            if (kind == LinkKind::kValve &&
                net_.valves.kind[static_cast<std::size_t>(net_.valve_of_link[k.idx()])] ==
                    ValveKind::kGpv) {
                error(ErrorCode::kUnknownValue, l, t[1], "a GPV takes OPEN or CLOSED only", t[2]);
                continue;
            }
            c.setting = setting_to_si(k, *v);
        }
        if (equals(t[3], "IF")) {
            if (!need(l, 8, "LINK id status IF NODE id ABOVE|BELOW value"))
                continue;
            const auto n = node_ref(l, t[5], t[1]);
            if (!n.valid())
                continue;
            c.node = n;
            if (equals(t[6], "ABOVE"))
                c.type = Control::Type::kHighLevel;
            else if (equals(t[6], "BELOW"))
                c.type = Control::Type::kLowLevel;
            else {
                error(ErrorCode::kUnknownValue, l, t[1],
                      "expected ABOVE or BELOW, not '" + std::string(t[6]) + "'", t[6]);
                continue;
            }
            const auto v = number(l, 7, t[1], "control level");
            if (!v)
                continue;
            const bool tank = net_.node_kind[n.idx()] != NodeKind::kJunction;
            c.level = *v * (tank ? f_.length : f_.pressure);
        } else if (equals(t[3], "AT")) {
            const bool clock = starts(t[4], "CLOCK");
            if (!clock && !equals(t[4], "TIME")) {
                error(ErrorCode::kUnknownValue, l, t[1],
                      "expected TIME or CLOCKTIME, not '" + std::string(t[4]) + "'", t[4]);
                continue;
            }
            const std::string_view unit = t.size() > 6 ? t[6] : std::string_view();
            const auto h = parse_hours(t[5], unit);
            if (!h) {
                error(ErrorCode::kOutOfRange, l, t[1], "invalid time '" + std::string(t[5]) + "'",
                      t[5]);
                continue;
            }
            c.type = clock ? Control::Type::kTimeOfDay : Control::Type::kTimer;
            c.time = to_seconds(*h);
            if (clock)
                c.time %= 86400;
        } else {
            error(ErrorCode::kUnknownValue, l, t[1],
                  "expected IF or AT, not '" + std::string(t[3]) + "'", t[3]);
            continue;
        }
        net_.controls.push_back(c);
    }
}

std::optional<RulePremise> Reader::read_premise(const Line& l, RulePremise::Logic logic,
                                                std::string_view rule_id) {
    using P = RulePremise;
    const auto& t = l.tokens;
    P p;
    p.logic = logic;
    if (t.size() < 2) {
        need(l, 5, "IF object id attribute relation value");
        return std::nullopt;
    }
    const auto obj = t[1];
    std::size_t i = 2;
    if (equals(obj, "NODE"))
        p.object = P::Object::kNode;
    else if (equals(obj, "JUNCTION"))
        p.object = P::Object::kJunction;
    else if (equals(obj, "RESERVOIR"))
        p.object = P::Object::kReservoir;
    else if (equals(obj, "TANK"))
        p.object = P::Object::kTank;
    else if (equals(obj, "LINK"))
        p.object = P::Object::kLink;
    else if (equals(obj, "PIPE"))
        p.object = P::Object::kPipe;
    else if (equals(obj, "PUMP"))
        p.object = P::Object::kPump;
    else if (equals(obj, "VALVE"))
        p.object = P::Object::kValve;
    else if (equals(obj, "SYSTEM"))
        p.object = P::Object::kSystem;
    else {
        error(ErrorCode::kUnknownValue, l, rule_id,
              "unknown rule object '" + std::string(obj) + "'", obj);
        return std::nullopt;
    }
    const bool is_node = p.object <= P::Object::kTank;
    const bool is_system = p.object == P::Object::kSystem;
    if (!is_system) {
        if (t.size() < 3) {
            need(l, 6, "IF object id attribute relation value");
            return std::nullopt;
        }
        if (is_node) {
            const auto n = node_ref(l, t[2], rule_id);
            if (!n.valid())
                return std::nullopt;
            p.index = n.value();
        } else {
            const auto k = link_ref(l, t[2], rule_id);
            if (!k.valid())
                return std::nullopt;
            p.index = k.value();
        }
        i = 3;
    }
    if (t.size() < i + 3) {
        need(l, i + 3, "IF object id attribute relation value");
        return std::nullopt;
    }
    const auto attr = t[i];
    struct A {
        std::string_view word;
        P::Attribute a;
    };
    static constexpr A kAttrs[] = {
        {"DEMAND", P::Attribute::kDemand},       {"HEAD", P::Attribute::kHead},
        {"GRADE", P::Attribute::kGrade},         {"LEVEL", P::Attribute::kLevel},
        {"PRESSURE", P::Attribute::kPressure},   {"FLOW", P::Attribute::kFlow},
        {"STATUS", P::Attribute::kStatus},       {"SETTING", P::Attribute::kSetting},
        {"POWER", P::Attribute::kPower},         {"TIME", P::Attribute::kTime},
        {"CLOCKTIME", P::Attribute::kClockTime}, {"FILLTIME", P::Attribute::kFillTime},
        {"DRAINTIME", P::Attribute::kDrainTime}};
    bool found = false;
    for (const auto& a : kAttrs)
        if (equals(attr, a.word)) {
            p.attribute = a.a;
            found = true;
        }
    // Which attributes go with which objects (EPANET 2.2 manual §3.1 [RULES]).
    const bool node_attr =
        p.attribute == P::Attribute::kDemand || p.attribute == P::Attribute::kHead ||
        p.attribute == P::Attribute::kGrade || p.attribute == P::Attribute::kLevel ||
        p.attribute == P::Attribute::kPressure || p.attribute == P::Attribute::kFillTime ||
        p.attribute == P::Attribute::kDrainTime;
    const bool link_attr =
        p.attribute == P::Attribute::kFlow || p.attribute == P::Attribute::kStatus ||
        p.attribute == P::Attribute::kSetting || p.attribute == P::Attribute::kPower;
    const bool sys_attr = p.attribute == P::Attribute::kDemand ||
                          p.attribute == P::Attribute::kTime ||
                          p.attribute == P::Attribute::kClockTime;
    if (!found || (is_system && !sys_attr) || (is_node && !node_attr) ||
        (!is_node && !is_system && !link_attr)) {
        error(ErrorCode::kUnknownValue, l, rule_id,
              "invalid attribute '" + std::string(attr) + "' for " + std::string(obj), attr);
        return std::nullopt;
    }
    const auto rel = t[i + 1];
    struct R {
        std::string_view word;
        P::Relation r;
    };
    static constexpr R kRels[] = {{"=", P::Relation::kEq},        {"<>", P::Relation::kNe},
                                  {"<=", P::Relation::kLe},       {">=", P::Relation::kGe},
                                  {"<", P::Relation::kLt},        {">", P::Relation::kGt},
                                  {"IS", P::Relation::kIs},       {"NOT", P::Relation::kNot},
                                  {"BELOW", P::Relation::kBelow}, {"ABOVE", P::Relation::kAbove}};
    found = false;
    for (const auto& r : kRels)
        if (equals(rel, r.word)) {
            p.relation = r.r;
            found = true;
        }
    if (!found) {
        error(ErrorCode::kUnknownValue, l, rule_id, "unknown relation '" + std::string(rel) + "'",
              rel);
        return std::nullopt;
    }
    const auto val = t[i + 2];
    const std::string_view unit = t.size() > i + 3 ? t[i + 3] : std::string_view();
    switch (p.attribute) {
    case P::Attribute::kStatus: {
        const auto st = status_word(val);
        if (!st) {
            error(ErrorCode::kUnknownValue, l, rule_id,
                  "status must be OPEN, CLOSED or ACTIVE, not '" + std::string(val) + "'", val);
            return std::nullopt;
        }
        p.status = st;
        return p;
    }
    case P::Attribute::kTime:
    case P::Attribute::kClockTime: {
        const auto h = parse_hours(val, unit);
        if (!h) {
            error(ErrorCode::kOutOfRange, l, rule_id, "invalid time '" + std::string(val) + "'",
                  val);
            return std::nullopt;
        }
        p.value = static_cast<double>(to_seconds(*h));
        return p;
    }
    default:
        break;
    }
    const auto v = to_number(val);
    if (!v) {
        error(ErrorCode::kNumberSyntax, l, rule_id, "bad number '" + std::string(val) + "'", val);
        return std::nullopt;
    }
    switch (p.attribute) {
    case P::Attribute::kDemand:
    case P::Attribute::kFlow:
        p.value = *v * f_.flow;
        break;
    case P::Attribute::kHead:
    case P::Attribute::kGrade:
    case P::Attribute::kLevel:
        p.value = *v * f_.length;
        break;
    case P::Attribute::kPressure:
        p.value = *v * f_.pressure;
        break;
    case P::Attribute::kFillTime:
    case P::Attribute::kDrainTime:
        p.value = *v * 3600.0;
        break;
    case P::Attribute::kPower:
        p.value = *v * 1e3;
        break; // kW in both unit systems
    case P::Attribute::kSetting:
        p.value = setting_to_si(LinkIndex(p.index), *v);
        break;
    default:
        p.value = *v;
        break;
    }
    return p;
}

std::optional<RuleAction> Reader::read_action(const Line& l, std::size_t first,
                                              std::string_view rule_id) {
    using P = RulePremise;
    const auto& t = l.tokens;
    // THEN|ELSE|AND  LINK|PIPE|PUMP|VALVE id STATUS|SETTING = value
    if (t.size() < first + 5) {
        need(l, first + 5, "object id STATUS|SETTING = value");
        return std::nullopt;
    }
    RuleAction a;
    const auto obj = t[first];
    if (equals(obj, "LINK"))
        a.object = P::Object::kLink;
    else if (equals(obj, "PIPE"))
        a.object = P::Object::kPipe;
    else if (equals(obj, "PUMP"))
        a.object = P::Object::kPump;
    else if (equals(obj, "VALVE"))
        a.object = P::Object::kValve;
    else {
        error(ErrorCode::kUnknownValue, l, rule_id,
              "rule actions apply to links, not '" + std::string(obj) + "'", obj);
        return std::nullopt;
    }
    a.link = link_ref(l, t[first + 1], rule_id);
    if (!a.link.valid())
        return std::nullopt;
    const auto attr = t[first + 2];
    const auto val = t[first + 4];
    // EPANET 2.2 does not check the relation word of an action: "=" and "IS" both occur.
    if (!equals(t[first + 3], "=") && !equals(t[first + 3], "IS")) {
        error(ErrorCode::kUnknownValue, l, rule_id, "expected '=' in rule action", t[first + 3]);
        return std::nullopt;
    }
    if (equals(attr, "STATUS")) {
        a.status = status_word(val);
        if (!a.status) {
            error(ErrorCode::kUnknownValue, l, rule_id,
                  "status must be OPEN, CLOSED or ACTIVE, not '" + std::string(val) + "'", val);
            return std::nullopt;
        }
    } else if (equals(attr, "SETTING")) {
        const auto v = to_number(val);
        if (!v) {
            error(ErrorCode::kNumberSyntax, l, rule_id, "bad number '" + std::string(val) + "'",
                  val);
            return std::nullopt;
        }
        a.setting = setting_to_si(a.link, *v);
    } else {
        error(ErrorCode::kUnknownValue, l, rule_id,
              "rule actions set STATUS or SETTING, not '" + std::string(attr) + "'", attr);
        return std::nullopt;
    }
    return a;
}

void Reader::read_rules() {
    begin_section(Section::kRules);
    enum class Part { kNone, kRule, kIf, kThen, kElse, kPriority };
    Part part = Part::kNone;
    Rule* rule = nullptr;
    bool skip = false; // the current rule had an error: skip to the next RULE
    for (const auto& l : section(Section::kRules)) {
        const auto& t = l.tokens;
        const auto key = t[0];
        if (equals(key, "RULE")) {
            if (!need(l, 2, "RULE id"))
                continue;
            if (rule && (part == Part::kRule || part == Part::kIf) && !skip)
                error(ErrorCode::kMissingKey, l, rule->id, "rule has no THEN clause");
            net_.rules.push_back({});
            rule = &net_.rules.back();
            rule->id = std::string(t[1]);
            part = Part::kRule;
            skip = false;
            continue;
        }
        if (!rule) {
            error(ErrorCode::kMissingKey, l, {}, "rule clause before any RULE", key);
            continue;
        }
        if (skip)
            continue;
        const auto fail = [&](const std::string& msg) {
            error(ErrorCode::kInconsistent, l, rule->id, msg, key);
            skip = true;
        };
        if (equals(key, "IF")) {
            if (part != Part::kRule) {
                fail("IF out of order");
                continue;
            }
            part = Part::kIf;
            if (auto p = read_premise(l, RulePremise::Logic::kIf, rule->id))
                rule->premises.push_back(*p);
            else
                skip = true;
        } else if (equals(key, "AND") || equals(key, "OR")) {
            const bool is_and = equals(key, "AND");
            if (part == Part::kIf) {
                if (auto p = read_premise(
                        l, is_and ? RulePremise::Logic::kAnd : RulePremise::Logic::kOr, rule->id))
                    rule->premises.push_back(*p);
                else
                    skip = true;
            } else if (is_and && (part == Part::kThen || part == Part::kElse)) {
                if (auto a = read_action(l, 1, rule->id))
                    (part == Part::kThen ? rule->then_actions : rule->else_actions).push_back(*a);
                else
                    skip = true;
            } else {
                fail(std::string(key) + " out of order");
            }
        } else if (equals(key, "THEN")) {
            if (part != Part::kIf) {
                fail("THEN out of order");
                continue;
            }
            part = Part::kThen;
            if (auto a = read_action(l, 1, rule->id))
                rule->then_actions.push_back(*a);
            else
                skip = true;
        } else if (equals(key, "ELSE")) {
            if (part != Part::kThen) {
                fail("ELSE out of order");
                continue;
            }
            part = Part::kElse;
            if (auto a = read_action(l, 1, rule->id))
                rule->else_actions.push_back(*a);
            else
                skip = true;
        } else if (equals(key, "DISABLED")) {
            // EPANET 2.3: after THEN, ELSE or PRIORITY, the rule is kept but does not act
            if (part != Part::kThen && part != Part::kElse && part != Part::kPriority) {
                fail("DISABLED out of order");
                continue;
            }
            rule->enabled = false;
        } else if (equals(key, "PRIORITY")) {
            if (part != Part::kThen && part != Part::kElse) {
                fail("PRIORITY out of order");
                continue;
            }
            part = Part::kPriority;
            if (auto v = number(l, 1, rule->id, "priority"))
                rule->priority = *v;
            else
                skip = true;
        } else {
            error(ErrorCode::kUnknownKey, l, rule->id,
                  "unknown rule clause '" + std::string(key) + "'", key);
            skip = true;
        }
    }
    if (rule && (part == Part::kRule || part == Part::kIf) && !skip &&
        !section(Section::kRules).empty())
        error(ErrorCode::kMissingKey, section(Section::kRules).back(), rule->id,
              "rule has no THEN clause");
}

void Reader::read_map_sections() {
    begin_section(Section::kCoordinates);
    for (const auto& l : section(Section::kCoordinates)) {
        if (!need(l, 3, "node x y"))
            continue;
        // EPANET 2.2 rejects coordinates of an undefined node (error 203).
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
    // EPANET's engine does not read [LABELS] (only its GUI does): nothing here is an error;
    // a line whose coordinates are not numbers is dropped with a warning.
    begin_section(Section::kLabels);
    for (const auto& l : section(Section::kLabels)) {
        const auto x = l.tokens.size() >= 3 ? to_number(l.tokens[0]) : std::nullopt;
        const auto y = l.tokens.size() >= 3 ? to_number(l.tokens[1]) : std::nullopt;
        if (!x || !y) {
            warning(ErrorCode::kNumberSyntax, l, {}, "label ignored: expected x y \"text\"");
            continue;
        }
        Label lb;
        lb.x = *x;
        lb.y = *y;
        lb.text = std::string(l.tokens[2]);
        lb.tail.assign(l.tokens.begin() + 3, l.tokens.end());
        net_.labels.push_back(std::move(lb));
    }
    begin_section(Section::kBackdrop);
    for (const auto& l : section(Section::kBackdrop))
        net_.backdrop.emplace_back(l.tokens.begin(), l.tokens.end());
    begin_section(Section::kReport);
    for (const auto& l : section(Section::kReport))
        net_.report.emplace_back(l.tokens.begin(), l.tokens.end());
    begin_section(Section::kTags);
    for (const auto& l : section(Section::kTags)) {
        if (!need(l, 3, "NODE|LINK id tag"))
            continue;
        const auto& t = l.tokens;
        if (equals(t[0], "NODE")) {
            if (!node_ref(l, t[1], t[1]).valid())
                continue;
        } else if (equals(t[0], "LINK")) {
            if (!link_ref(l, t[1], t[1]).valid())
                continue;
        } else {
            error(ErrorCode::kUnknownValue, l, t[1], "tag object must be NODE or LINK", t[0]);
            continue;
        }
        net_.tags.push_back({upper(t[0]), std::string(t[1]), std::string(t[2])});
    }
}

void Reader::read_leakage() {
    begin_section(Section::kLeakage);
    for (const auto& l : section(Section::kLeakage)) {
        if (!need(l, 3, "pipe area expansion"))
            continue;
        const auto k = link_ref(l, l.tokens[0], l.tokens[0]);
        const auto a = number(l, 1, l.tokens[0], "leak area");
        const auto e = number(l, 2, l.tokens[0], "leak expansion");
        if (!k.valid() || !a || !e)
            continue;
        if (*a < 0 || *e < 0) {
            error(ErrorCode::kOutOfRange, l, l.tokens[0], "leak area and expansion must be >= 0",
                  l.tokens[1]);
            continue;
        }
        net_.leak_area[k.idx()] = *a;
        net_.leak_expansion[k.idx()] = *e;
        net_.has_leakage[k.idx()] = 1;
    }
}

void Reader::convert_curve(Curve& c) {
    double fx = 1, fy = 1;
    switch (c.kind) {
    case CurveKind::kPump:
    case CurveKind::kHeadLoss:
        fx = f_.flow;
        fy = f_.length;
        break;
    case CurveKind::kEfficiency:
        fx = f_.flow;
        break;
    case CurveKind::kVolume:
        fx = f_.length;
        fy = f_.volume;
        break;
    default:
        break;
    }
    for (auto& v : c.x)
        v *= fx;
    for (auto& v : c.y)
        v *= fy;
}

void Reader::finish() {
    // Tank volume curves ("*" or empty means none).
    begin_section(Section::kTanks);
    for (const auto& l : section(Section::kTanks)) {
        if (l.tokens.size() <= 7 || l.tokens[7] == "*")
            continue;
        const auto n = net_.find_node(l.tokens[0]);
        if (!n.valid() || net_.tank_of_node[n.idx()] < 0)
            continue;
        bool ok = true;
        net_.tanks.volume_curve[static_cast<std::size_t>(net_.tank_of_node[n.idx()])] =
            curve_ref(l, l.tokens[7], l.tokens[0], CurveKind::kVolume, ok);
    }
    for (auto& c : net_.curves)
        convert_curve(c);

    // Pump curve shapes (EPANET 2.2 manual §3.1 "Pump Curve"), checked for a falling head.
    begin_section(Section::kCurves);
    for (auto& c : net_.curves) {
        if (c.kind != CurveKind::kPump || c.x.empty())
            continue;
        const Line& where = *curve_first_line_[static_cast<std::size_t>(&c - net_.curves.data())];
        bool falling = true;
        for (std::size_t i = 1; i < c.y.size(); ++i)
            falling = falling && c.y[i] < c.y[i - 1];
        double h0 = 0, h1 = 0, h2 = 0, q1 = 0, q2 = 0;
        if (c.x.size() == 1) {
            c.shape = PumpCurveShape::kSinglePoint;
            q1 = c.x[0];
            h1 = c.y[0];
            h0 = 4.0 / 3.0 * h1;
            q2 = 2.0 * q1;
            h2 = 0;
        } else if (c.x.size() == 3 && c.x[0] == 0.0) {
            c.shape = PumpCurveShape::kThreePoint;
            h0 = c.y[0];
            q1 = c.x[1];
            h1 = c.y[1];
            q2 = c.x[2];
            h2 = c.y[2];
        } else {
            c.shape = PumpCurveShape::kMultiPoint;
        }
        if (c.shape != PumpCurveShape::kMultiPoint) {
            // h = a - b q^c through the three points.
            if (!(h0 > h1 && h1 > h2 && q1 > 0 && q2 > q1)) {
                falling = false;
            } else {
                c.a = h0;
                c.c = std::log((h0 - h2) / (h0 - h1)) / std::log(q2 / q1);
                c.b = (h0 - h1) / std::pow(q1, c.c);
                if (!(c.c > 0 && c.c <= 20 && c.b > 0))
                    falling = false;
            }
        }
        if (!falling)
            error(ErrorCode::kInconsistent, where, c.id,
                  "pump curve '" + c.id +
                      "' must have heads that fall as flow rises "
                      "(EPANET error 227)");
    }

    // Default pattern: the PATTERN option, else pattern "1" if one exists (EPANET 2.2).
    auto& o = net_.options;
    // An undefined PATTERN option is no error for EPANET 2.2: demands then stay constant.
    o.default_pattern = net_.find_pattern(o.default_pattern_id.empty() ? std::string_view("1")
                                                                       : o.default_pattern_id);
    if (!o.has_required_pressure)
        o.required_pressure_m = 0.1 * f_.pressure;

    for (auto& p : net_.patterns)
        if (p.multipliers.empty())
            p.multipliers.push_back(1.0); // EPANET gives an empty pattern one multiplier of 1

    // Demands in CSR form.
    net_.demand_begin.assign(static_cast<std::size_t>(net_.node_count()) + 1, 0);
    for (std::size_t i = 0; i < demand_lists_.size(); ++i)
        net_.demand_begin[i + 1] =
            net_.demand_begin[i] + static_cast<std::int32_t>(demand_lists_[i].size());
    net_.demands.reserve(static_cast<std::size_t>(net_.demand_begin.back()));
    for (auto& list : demand_lists_)
        for (auto& d : list)
            net_.demands.push_back(std::move(d));

    if (net_.junction_count() == 0)
        diags_.error(ErrorCode::kInconsistent, file_, 0, 0, {},
                     "network has no junctions (EPANET error 223: not enough nodes)");
    if (net_.node_count() > 0 && net_.junction_count() == net_.node_count())
        diags_.error(ErrorCode::kInconsistent, file_, 0, 0, {},
                     "network has no reservoir or tank (EPANET error 224)");
    if (o.demand_model == DemandModel::kPda &&
        o.required_pressure_m - o.minimum_pressure_m < 0.1 * f_.pressure * (1 - 1e-12))
        diags_.error(ErrorCode::kInconsistent, file_, 0, 0, {},
                     "REQUIRED PRESSURE must exceed MINIMUM PRESSURE by at least 0.1 "
                     "(EPANET error 208)");
}

Network Reader::run() {
    split_lines();
    net_.title.clear();
    for (std::size_t i = 0; i < title_lines_.size(); ++i) {
        if (i)
            net_.title += '\n';
        net_.title += title_lines_[i];
    }
    read_options();
    read_times();
    read_nodes();
    const auto nodes = static_cast<std::size_t>(net_.node_count());
    net_.emitter_coefficient.assign(nodes, 0);
    raw_emitter_.assign(nodes, 0);
    net_.initial_quality.assign(nodes, 0);
    net_.has_initial_quality.assign(nodes, 0);
    net_.x.assign(nodes, 0);
    net_.y.assign(nodes, 0);
    net_.has_coordinates.assign(nodes, 0);
    read_patterns();
    read_curves();
    read_links();
    read_demands();
    read_status();
    read_emitters();
    read_quality_sections();
    read_energy();
    read_controls();
    read_rules();
    read_map_sections();
    read_leakage();
    finish();
    return std::move(net_);
}

} // namespace

Network parse_inp(std::string_view text, const std::string& file, Diagnostics& diags) {
    Reader reader(text, file, diags);
    return reader.run();
}

Network read_inp(const std::filesystem::path& path, Diagnostics& diags) {
    const std::string text = read_file(path);
    return parse_inp(text, path.string(), diags);
}

} // namespace rencheng::water
