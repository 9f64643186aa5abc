// CSV reading after RFC 4180, keeping the line every row starts on.
#include "core/csv.hpp"

#include <charconv>
#include <cmath>
#include <unordered_set>

namespace rencheng {

int CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name)
            return static_cast<int>(i);
    return -1;
}

namespace {

// A cursor over the text that knows its line and column (1-based; columns count bytes).
class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {
        if (text_.starts_with("\xEF\xBB\xBF"))
            pos_ = line_start_ = 3; // UTF-8 byte order mark
    }
    [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    [[nodiscard]] bool at_line_end() const {
        return done() || peek() == '\n' || (peek() == '\r' && peek(1) == '\n');
    }
    [[nodiscard]] int line() const { return line_; }
    [[nodiscard]] int column() const { return static_cast<int>(pos_ - line_start_) + 1; }
    char take() {
        const char c = text_[pos_++];
        if (c == '\n') {
            ++line_;
            line_start_ = pos_;
        }
        return c;
    }
    // Takes the run of bytes up to (not including) the next ',' or line end. No newline inside.
    std::string_view take_unquoted() {
        const std::size_t begin = pos_;
        while (!at_line_end() && text_[pos_] != ',')
            ++pos_;
        return text_.substr(begin, pos_ - begin);
    }
    // Inside quotes: takes the run up to (not including) the next '"' or the end, counting lines.
    std::string_view take_quoted_run() {
        const std::size_t begin = pos_;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            if (text_[pos_++] == '\n') {
                ++line_;
                line_start_ = pos_;
            }
        }
        return text_.substr(begin, pos_ - begin);
    }
    // Moves past the end of the current physical line (LF or CRLF) or to the end of the text.
    void skip_line() {
        while (!done() && peek() != '\n')
            ++pos_;
        if (!done())
            take();
    }
    // At a line end: moves past it.
    void take_line_end() {
        if (peek() == '\r')
            ++pos_;
        if (!done())
            take();
    }
    // True when the line from here is blank (spaces and tabs only) or a '#' comment.
    [[nodiscard]] bool at_skippable_line() const {
        if (peek() == '#')
            return true;
        std::size_t j = pos_;
        while (j < text_.size() && (text_[j] == ' ' || text_[j] == '\t'))
            ++j;
        return j >= text_.size() || text_[j] == '\n' ||
               (text_[j] == '\r' && j + 1 < text_.size() && text_[j + 1] == '\n');
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    int line_ = 1;
};

// Reads one record (RFC 4180 §2: fields separated by commas, a field in double quotes may hold
// commas, line breaks and doubled quotes). Returns false after reporting a syntax error; the
// cursor is then past the rest of the offending line.
bool read_record(Cursor& cur, std::vector<std::string>& fields, const std::string& file,
                 Diagnostics& diags) {
    fields.clear();
    for (;;) {
        std::string field;
        if (cur.peek() == '"' && !cur.done()) {
            const int open_line = cur.line();
            const int open_column = cur.column();
            cur.take();
            for (;;) {
                field += cur.take_quoted_run();
                if (cur.done()) {
                    diags.error(ErrorCode::kCsvSyntax, file, open_line, open_column, "",
                                "quoted field is not closed before the end of the file");
                    return false;
                }
                cur.take(); // a quote: the closing one, or the first of "" standing for one
                if (cur.peek() != '"' || cur.done())
                    break;
                field += cur.take();
            }
            if (!cur.at_line_end() && cur.peek() != ',') {
                diags.error(ErrorCode::kCsvSyntax, file, cur.line(), cur.column(), "",
                            std::string("unexpected character '") + cur.peek() +
                                "' after a closing quote (expected ',' or the end of the line)");
                cur.skip_line();
                return false;
            }
        } else {
            // Unquoted: up to the next comma or line end. A quote inside is kept as data (a
            // lenient reading of RFC 4180, which forbids it, as most spreadsheet exports do).
            field = cur.take_unquoted();
        }
        fields.push_back(std::move(field));
        if (cur.at_line_end()) {
            if (!cur.done())
                cur.take_line_end();
            return true;
        }
        cur.take(); // the comma; a field follows, possibly empty
    }
}

} // namespace

CsvTable parse_csv(std::string_view text, const std::string& file, Diagnostics& diags) {
    CsvTable table;
    table.file = file;
    Cursor cur(text);
    bool have_header = false;
    std::vector<std::string> fields;
    while (!cur.done()) {
        if (cur.at_skippable_line()) {
            cur.skip_line();
            continue;
        }
        const int line = cur.line();
        if (!read_record(cur, fields, file, diags))
            continue;
        if (!have_header) {
            have_header = true;
            std::unordered_set<std::string> seen;
            for (std::size_t i = 0; i < fields.size(); ++i) {
                if (fields[i].empty())
                    diags.error(ErrorCode::kCsvSyntax, file, line, 0, "",
                                "header column " + std::to_string(i + 1) + " has no name");
                else if (!seen.insert(fields[i]).second)
                    diags.error(ErrorCode::kCsvSyntax, file, line, 0, fields[i],
                                "header names column \"" + fields[i] + "\" twice");
            }
            table.header = std::move(fields);
            fields = {};
            continue;
        }
        if (fields.size() != table.header.size()) {
            diags.error(ErrorCode::kCsvSyntax, file, line, 1, "",
                        "row has " + std::to_string(fields.size()) + " fields, the header " +
                            std::to_string(table.header.size()));
            continue;
        }
        table.rows.push_back({line, std::move(fields)});
        fields = {};
    }
    if (!have_header)
        diags.error(ErrorCode::kCsvSyntax, file, 1, 0, "", "no header row (the file is empty)");
    return table;
}

namespace {

std::string_view trim_blanks(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// std::from_chars rejects a leading '+'; accept one (but not "+-1").
std::string_view strip_plus(std::string_view s) {
    if (s.size() > 1 && s.front() == '+' && s[1] != '-' && s[1] != '+')
        s.remove_prefix(1);
    return s;
}

} // namespace

std::optional<double> parse_double(std::string_view s) {
    s = strip_plus(trim_blanks(s));
    if (s.empty())
        return std::nullopt;
    double value = 0.0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    // from_chars also reads "inf" and "nan": not numbers an input file should hold.
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::optional<long long> parse_int(std::string_view s) {
    s = strip_plus(trim_blanks(s));
    if (s.empty())
        return std::nullopt;
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

} // namespace rencheng
