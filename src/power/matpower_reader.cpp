// MATPOWER case reader: a tokenizer for the MATLAB subset of case files, then checked conversion.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/units.hpp"
#include "power/matpower.hpp"

namespace rencheng::power {

namespace {

// ---------------------------------------------------------------------------------------------
// Tokens

enum class Tok : std::uint8_t { kIdent, kNumber, kString, kPunct, kNewline, kEnd, kBad };

struct Token {
    Tok kind = Tok::kEnd;
    std::string_view text; ///< the source characters
    double number = 0;     ///< kNumber
    std::string str;       ///< kString: the unquoted value
    int line = 1;
    int column = 1;
    std::size_t offset = 0; ///< byte offset of the first character
    bool space_before = false;
};

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_ident_char(char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Splits MATLAB source into tokens. Comments (`%`, `#`, `%{ ... %}` blocks) are dropped; `...`
/// drops the rest of its line and the line end; a line end is a token (it ends a matrix row or a
/// statement). A sign directly before a number is part of the number, as MATLAB reads `1 -2` in a
/// matrix as two elements.
class Lexer {
public:
    Lexer(std::string_view text, const std::string& file, Diagnostics& diags)
        : text_(text), file_(file), diags_(diags) {}

    Token next() {
        bool space = skip_blanks();
        Token t;
        t.line = line_;
        t.column = column();
        t.offset = pos_;
        t.space_before = space;
        if (pos_ >= text_.size()) {
            t.kind = Tok::kEnd;
            return t;
        }
        const char c = text_[pos_];
        if (c == '\n') {
            advance(1);
            prev_value_ = false;
            t.kind = Tok::kNewline;
            t.text = text_.substr(t.offset, 1);
            ++line_;
            line_start_ = pos_;
            at_line_start_ = true;
            return t;
        }
        at_line_start_ = false;
        if (is_ident_start(c)) {
            std::size_t e = pos_;
            while (e < text_.size() && is_ident_char(text_[e]))
                ++e;
            t.text = text_.substr(pos_, e - pos_);
            if (t.text == "Inf" || t.text == "inf") {
                t.kind = Tok::kNumber;
                t.number = std::numeric_limits<double>::infinity();
            } else if (t.text == "NaN" || t.text == "nan") {
                t.kind = Tok::kNumber;
                t.number = std::numeric_limits<double>::quiet_NaN();
            } else {
                t.kind = Tok::kIdent;
            }
            advance(e - pos_);
            prev_value_ = true;
            return t;
        }
        const bool sign =
            (c == '-' || c == '+') && pos_ + 1 < text_.size() &&
            (is_digit(text_[pos_ + 1]) ||
             (text_[pos_ + 1] == '.' && pos_ + 2 < text_.size() && is_digit(text_[pos_ + 2])) ||
             text_.substr(pos_ + 1, 3) == "Inf" || text_.substr(pos_ + 1, 3) == "inf");
        if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) ||
            sign)
            return lex_number(t);
        if (c == '\'' && !(prev_value_ && !space)) {
            return lex_string(t, '\'');
        }
        if (c == '"')
            return lex_string(t, '"');
        t.kind = Tok::kPunct;
        t.text = text_.substr(pos_, 1);
        advance(1);
        prev_value_ = (c == ']' || c == ')' || c == '}' || c == '\'');
        return t;
    }

    [[nodiscard]] std::size_t offset() const { return pos_; }

private:
    void advance(std::size_t n) { pos_ += n; }
    [[nodiscard]] int column() const { return static_cast<int>(pos_ - line_start_) + 1; }

    /// Skips blanks, comments and continuations; true when anything was skipped.
    bool skip_blanks() {
        bool skipped = false;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                advance(1);
                skipped = true;
            } else if (c == '%' || c == '#') {
                if (at_line_start_ && block_open(pos_)) {
                    skip_block_comment();
                } else {
                    while (pos_ < text_.size() && text_[pos_] != '\n')
                        advance(1);
                }
                skipped = true;
            } else if (c == '.' && text_.substr(pos_, 3) == "...") {
                // Continuation: the rest of the line and its end are not there.
                while (pos_ < text_.size() && text_[pos_] != '\n')
                    advance(1);
                if (pos_ < text_.size()) {
                    advance(1);
                    ++line_;
                    line_start_ = pos_;
                }
                skipped = true;
            } else {
                break;
            }
        }
        return skipped;
    }

    /// True when `%{` (or `#{`) stands alone on its line from `p`.
    bool block_open(std::size_t p) const {
        if (p + 1 >= text_.size() || text_[p + 1] != '{')
            return false;
        for (std::size_t q = p + 2; q < text_.size() && text_[q] != '\n'; ++q)
            if (text_[q] != ' ' && text_[q] != '\t' && text_[q] != '\r')
                return false;
        return true;
    }

    void skip_block_comment() {
        const int open_line = line_;
        const int open_col = column();
        int depth = 0;
        while (pos_ < text_.size()) {
            // At the start of a line (after blanks): is it `%{` or `%}` alone?
            std::size_t q = pos_;
            while (q < text_.size() && (text_[q] == ' ' || text_[q] == '\t'))
                ++q;
            std::size_t e = q;
            while (e < text_.size() && text_[e] != '\n')
                ++e;
            std::string_view body = text_.substr(q, e - q);
            while (!body.empty() &&
                   (body.back() == ' ' || body.back() == '\t' || body.back() == '\r'))
                body.remove_suffix(1);
            if (body == "%{" || body == "#{")
                ++depth;
            else if (body == "%}" || body == "#}")
                --depth;
            pos_ = e;
            if (depth == 0)
                return; // the line end is left for the caller
            if (pos_ < text_.size()) {
                advance(1);
                ++line_;
                line_start_ = pos_;
            }
        }
        diags_.error(ErrorCode::kUnknownKey, file_, open_line, open_col, "",
                     "block comment '%{' is never closed by '%}'");
    }

    Token lex_number(Token& t) {
        std::size_t e = pos_;
        bool negative = false;
        if (text_[e] == '-' || text_[e] == '+') {
            negative = text_[e] == '-';
            ++e;
        }
        if (text_.substr(e, 3) == "Inf" || text_.substr(e, 3) == "inf") {
            e += 3;
            t.kind = Tok::kNumber;
            t.number = negative ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
            t.text = text_.substr(pos_, e - pos_);
            advance(e - pos_);
            prev_value_ = true;
            return t;
        }
        const std::size_t digits = e;
        while (e < text_.size() && is_digit(text_[e]))
            ++e;
        if (e < text_.size() && text_[e] == '.') {
            ++e;
            while (e < text_.size() && is_digit(text_[e]))
                ++e;
        }
        if (e < text_.size() &&
            (text_[e] == 'e' || text_[e] == 'E' || text_[e] == 'd' || text_[e] == 'D')) {
            std::size_t x = e + 1;
            if (x < text_.size() && (text_[x] == '+' || text_[x] == '-'))
                ++x;
            if (x < text_.size() && is_digit(text_[x])) {
                while (x < text_.size() && is_digit(text_[x]))
                    ++x;
                e = x;
            }
        }
        t.text = text_.substr(pos_, e - pos_);
        std::string s(text_.substr(digits, e - digits));
        for (char& ch : s)
            if (ch == 'd' || ch == 'D')
                ch = 'e';
        double v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        // An identifier character glued to the number (`12abc`) is not a number.
        const bool glued = e < text_.size() && (is_ident_char(text_[e]) || text_[e] == '.');
        if (r.ec == std::errc::result_out_of_range) {
            v = std::numeric_limits<double>::infinity();
        } else if (r.ec != std::errc() || r.ptr != s.data() + s.size() || glued) {
            std::size_t g = e;
            while (g < text_.size() && (is_ident_char(text_[g]) || text_[g] == '.'))
                ++g;
            t.text = text_.substr(pos_, g - pos_);
            e = g;
            t.kind = Tok::kBad;
            advance(e - pos_);
            prev_value_ = true;
            return t;
        }
        t.kind = Tok::kNumber;
        t.number = negative ? -v : v;
        advance(e - pos_);
        prev_value_ = true;
        return t;
    }

    Token lex_string(Token& t, char quote) {
        std::size_t e = pos_ + 1;
        std::string value;
        bool closed = false;
        while (e < text_.size() && text_[e] != '\n') {
            if (text_[e] == quote) {
                if (e + 1 < text_.size() && text_[e + 1] == quote) {
                    value += quote;
                    e += 2;
                    continue;
                }
                closed = true;
                ++e;
                break;
            }
            value += text_[e];
            ++e;
        }
        t.text = text_.substr(pos_, e - pos_);
        if (!closed) {
            t.kind = Tok::kBad;
            diags_.error(ErrorCode::kUnknownKey, file_, t.line, t.column, "",
                         "string is not closed before the end of the line");
        } else {
            t.kind = Tok::kString;
            t.str = std::move(value);
        }
        advance(e - pos_);
        prev_value_ = true;
        return t;
    }

    std::string_view text_;
    const std::string& file_;
    Diagnostics& diags_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    int line_ = 1;
    bool at_line_start_ = true;
    bool prev_value_ = false;
};

// ---------------------------------------------------------------------------------------------
// Values of the assignments

/// Where a value was written.
struct Pos {
    int line = 0;
    int column = 0;
};

struct Matrix {
    Pos where;                  ///< the '['
    std::int32_t columns = 0;   ///< of the first row
    std::vector<double> values; ///< row-major
    std::vector<Pos> positions; ///< of each value
    std::vector<int> row_line;  ///< line of each row's first value
    [[nodiscard]] std::int32_t rows() const {
        return columns == 0 ? 0 : static_cast<std::int32_t>(values.size()) / columns;
    }
    [[nodiscard]] double at(std::int32_t r, std::int32_t c) const {
        return values[static_cast<std::size_t>(r) * columns + c];
    }
    [[nodiscard]] Pos pos(std::int32_t r, std::int32_t c) const {
        return positions[static_cast<std::size_t>(r) * columns + c];
    }
};

struct Field {
    enum class Kind : std::uint8_t { kNumber, kString, kMatrix, kCell, kBad };
    Kind kind = Kind::kBad;
    Pos where; ///< the field name
    double number = 0;
    std::string str;
    Matrix matrix;
    std::vector<std::string> cell;
};

// MATPOWER column names (MATPOWER manual, Tables B-1 to B-3), for diagnostics.
constexpr const char* kBusColumns[] = {"BUS_I", "BUS_TYPE", "PD",  "QD", "GS",
                                       "BS",    "BUS_AREA", "VM",  "VA", "BASE_KV",
                                       "ZONE",  "VMAX",     "VMIN"};
constexpr const char* kGenColumns[] = {"GEN_BUS", "PG",    "QG",         "QMAX", "QMIN",
                                       "VG",      "MBASE", "GEN_STATUS", "PMAX", "PMIN"};
constexpr const char* kBranchColumns[] = {"F_BUS",     "T_BUS",  "BR_R",   "BR_X", "BR_B",
                                          "RATE_A",    "RATE_B", "RATE_C", "TAP",  "SHIFT",
                                          "BR_STATUS", "ANGMIN", "ANGMAX"};
constexpr std::int32_t kBusCols = 13;
constexpr std::int32_t kGenCols = 10;
constexpr std::int32_t kBranchMinCols = 11;
constexpr std::int32_t kBranchCols = 13;

class Parser {
public:
    Parser(std::string_view text, const std::string& file, Diagnostics& diags)
        : text_(text), file_(file), diags_(diags), lex_(text, file, diags) {
        tok_ = lex_.next();
    }

    Network parse() {
        Network net;
        skip_separators();
        if (tok_.kind == Tok::kIdent && tok_.text == "function")
            parse_function(net);
        while (true) {
            skip_separators();
            if (tok_.kind == Tok::kEnd)
                break;
            if (tok_.kind == Tok::kIdent && (tok_.text == "end" || tok_.text == "return")) {
                bump();
                continue;
            }
            parse_statement();
        }
        build(net);
        return net;
    }

private:
    void bump() { tok_ = lex_.next(); }

    void error(const Token& t, ErrorCode code, std::string message) {
        sink_->error(code, file_, t.line, t.column, "", std::move(message));
    }
    void error_at(Pos p, ErrorCode code, std::string id, std::string message) {
        sink_->error(code, file_, p.line, p.column, std::move(id), std::move(message));
    }

    void skip_separators() {
        while (tok_.kind == Tok::kNewline ||
               (tok_.kind == Tok::kPunct && (tok_.text == ";" || tok_.text == ",")))
            bump();
    }

    /// Skips to the end of the statement: the next line end outside brackets (or the end).
    void recover() {
        int depth = 0;
        while (tok_.kind != Tok::kEnd) {
            if (tok_.kind == Tok::kPunct) {
                const char c = tok_.text[0];
                if (c == '[' || c == '{' || c == '(')
                    ++depth;
                else if ((c == ']' || c == '}' || c == ')') && depth > 0)
                    --depth;
            } else if (tok_.kind == Tok::kNewline && depth == 0) {
                break;
            }
            bump();
        }
    }

    std::string describe(const Token& t) const {
        switch (t.kind) {
        case Tok::kEnd:
            return "the end of the file";
        case Tok::kNewline:
            return "the end of the line";
        default:
            return "'" + std::string(t.text.substr(0, 40)) + "'";
        }
    }

    void parse_function(Network& net) {
        const Token fn = tok_;
        bump();
        if (tok_.kind == Tok::kPunct && tok_.text == "[") {
            error(tok_, ErrorCode::kUnsupported,
                  "a case function returning [baseMVA, bus, gen, ...] is MATPOWER case format "
                  "version 1, which is not supported; convert it with MATPOWER's savecase");
            recover();
            return;
        }
        if (tok_.kind != Tok::kIdent) {
            error(tok_, ErrorCode::kUnknownKey,
                  "expected 'function mpc = name', found " + describe(tok_));
            recover();
            return;
        }
        const Token out = tok_;
        bump();
        if (tok_.kind == Tok::kPunct && tok_.text == "=") {
            if (out.text != "mpc")
                error(out, ErrorCode::kUnsupported,
                      "the case function must return 'mpc', not '" + std::string(out.text) + "'");
            bump();
            if (tok_.kind == Tok::kIdent) {
                net.name = std::string(tok_.text);
                bump();
            } else {
                error(tok_, ErrorCode::kUnknownKey,
                      "expected the function's name after '=', found " + describe(tok_));
            }
        } else {
            net.name = std::string(out.text); // `function name` without an output
            error(fn, ErrorCode::kUnsupported, "the case function must be 'function mpc = name'");
        }
        if (tok_.kind == Tok::kPunct && tok_.text == "(") {
            bump();
            if (tok_.kind == Tok::kPunct && tok_.text == ")")
                bump();
            else
                error(tok_, ErrorCode::kUnsupported, "a case function takes no arguments");
        }
        if (tok_.kind != Tok::kNewline && tok_.kind != Tok::kEnd) {
            error(tok_, ErrorCode::kUnknownKey,
                  "unexpected " + describe(tok_) + " after the function line");
        }
        recover();
    }

    void parse_statement() {
        const Token start = tok_;
        if (!(tok_.kind == Tok::kIdent && tok_.text == "mpc")) {
            if (tok_.kind == Tok::kBad)
                error(tok_, ErrorCode::kNumberSyntax, "not a number: " + describe(tok_));
            else
                error(tok_, ErrorCode::kUnsupported,
                      "unsupported statement starting with " + describe(tok_) +
                          "; a case file holds 'mpc.<field> = <value>;' assignments");
            recover();
            return;
        }
        bump();
        if (!(tok_.kind == Tok::kPunct && tok_.text == ".")) {
            error(tok_, ErrorCode::kUnsupported,
                  "expected '.' after 'mpc', found " + describe(tok_));
            recover();
            return;
        }
        bump();
        if (tok_.kind != Tok::kIdent) {
            error(tok_, ErrorCode::kUnknownKey,
                  "expected a field name after 'mpc.', found " + describe(tok_));
            recover();
            return;
        }
        const Token name = tok_;
        std::string key(name.text);
        bump();
        // Nested fields (`mpc.reserves.zones = ...`) are kept like any other field we do not model.
        while (tok_.kind == Tok::kPunct && tok_.text == "." && !is_known(key)) {
            bump();
            if (tok_.kind != Tok::kIdent)
                break;
            key += "." + std::string(tok_.text);
            bump();
        }
        // Problems in a field we do not model are warnings: the field is dropped, the case is
        // still usable.
        const bool known = is_known(key);
        Diagnostics local;
        if (!known)
            sink_ = &local;
        parse_assignment(start, name, key);
        sink_ = &diags_;
        for (Diagnostic d : local.items()) {
            d.severity = Severity::kWarning;
            d.message = "'mpc." + key + "' is not kept: " + d.message;
            diags_.add(std::move(d));
        }
    }

    void parse_assignment(const Token& start, const Token& name, const std::string& key) {
        if (!(tok_.kind == Tok::kPunct && tok_.text == "=")) {
            error(tok_, ErrorCode::kUnsupported,
                  "expected '=' after 'mpc." + key + "', found " + describe(tok_) +
                      " (only whole-field assignments are supported)");
            recover();
            return;
        }
        bump();
        Field f;
        f.where = {name.line, name.column};
        parse_value(f);
        // The statement ends with ';' or ',' and/or the line end.
        if (tok_.kind == Tok::kPunct && (tok_.text == ";" || tok_.text == ","))
            bump();
        const std::size_t end_offset = tok_.offset;
        if (tok_.kind != Tok::kNewline && tok_.kind != Tok::kEnd) {
            if (f.kind != Field::Kind::kBad)
                error(tok_, ErrorCode::kUnsupported,
                      "unexpected " + describe(tok_) + " after the value of 'mpc." + key +
                          "' (expressions are not supported)");
            f.kind = Field::Kind::kBad;
            recover();
        }
        if (fields_.contains(key) || other_names_.contains(key)) {
            error(name, ErrorCode::kDuplicateId, "'mpc." + key + "' is assigned twice");
            return;
        }
        if (is_known(key)) {
            fields_.emplace(key, std::move(f));
        } else if (f.kind != Field::Kind::kBad) {
            std::string_view src = text_.substr(start.offset, end_offset - start.offset);
            while (!src.empty() && (src.back() == ' ' || src.back() == '\t' || src.back() == '\r' ||
                                    src.back() == '\n'))
                src.remove_suffix(1);
            other_names_.emplace(key, 0);
            others_.push_back({key, std::string(src), name.line});
        }
    }

    static bool is_known(std::string_view key) {
        return key == "version" || key == "baseMVA" || key == "bus" || key == "gen" ||
               key == "branch" || key == "gencost" || key == "bus_name";
    }

    void parse_value(Field& f) {
        if (tok_.kind == Tok::kNumber) {
            f.kind = Field::Kind::kNumber;
            f.number = tok_.number;
            bump();
        } else if (tok_.kind == Tok::kString) {
            f.kind = Field::Kind::kString;
            f.str = tok_.str;
            bump();
        } else if (tok_.kind == Tok::kPunct && tok_.text == "[") {
            f.kind = Field::Kind::kMatrix;
            parse_matrix(f);
        } else if (tok_.kind == Tok::kPunct && tok_.text == "{") {
            f.kind = Field::Kind::kCell;
            parse_cell(f);
        } else {
            if (tok_.kind == Tok::kBad)
                error(tok_, ErrorCode::kNumberSyntax, "not a number: " + describe(tok_));
            else
                error(tok_, ErrorCode::kUnsupported,
                      "expected a number, a quoted string, '[' or '{', found " + describe(tok_));
            f.kind = Field::Kind::kBad;
            recover();
        }
    }

    /// `[ v v v ; v v v ]`: values separated by blanks or ',', rows by ';' or line ends.
    void parse_matrix(Field& f) {
        Matrix& m = f.matrix;
        m.where = {tok_.line, tok_.column};
        const Token open = tok_;
        bump();
        std::vector<double> row;
        std::vector<Pos> row_pos;
        bool bad = false;
        auto end_row = [&](const Token& at) {
            if (row.empty())
                return;
            const auto n = static_cast<std::int32_t>(row.size());
            if (m.columns == 0 && m.values.empty()) {
                m.columns = n;
            } else if (n != m.columns) {
                if (!bad)
                    sink_->error(ErrorCode::kInconsistent, file_, row_pos.front().line,
                                 row_pos.front().column, "",
                                 "row has " + std::to_string(n) +
                                     " values but the first row of "
                                     "the matrix has " +
                                     std::to_string(m.columns));
                bad = true;
            }
            if (!bad) {
                m.values.insert(m.values.end(), row.begin(), row.end());
                m.positions.insert(m.positions.end(), row_pos.begin(), row_pos.end());
                m.row_line.push_back(row_pos.front().line);
            }
            (void)at;
            row.clear();
            row_pos.clear();
        };
        while (true) {
            if (tok_.kind == Tok::kNumber) {
                row.push_back(tok_.number);
                row_pos.push_back({tok_.line, tok_.column});
                bump();
            } else if (tok_.kind == Tok::kBad) {
                // Reported here and kept as NaN, so the rest of the matrix is still checked.
                error(tok_, ErrorCode::kNumberSyntax, "not a number: " + describe(tok_));
                reported_.insert({tok_.line, tok_.column});
                row.push_back(std::numeric_limits<double>::quiet_NaN());
                row_pos.push_back({tok_.line, tok_.column});
                bump();
            } else if (tok_.kind == Tok::kNewline ||
                       (tok_.kind == Tok::kPunct && tok_.text == ";")) {
                end_row(tok_);
                bump();
            } else if (tok_.kind == Tok::kPunct && tok_.text == ",") {
                bump();
            } else if (tok_.kind == Tok::kPunct && tok_.text == "]") {
                end_row(tok_);
                bump();
                break;
            } else if (tok_.kind == Tok::kEnd) {
                error(open, ErrorCode::kUnknownKey, "matrix '[' is never closed by ']'");
                bad = true;
                break;
            } else {
                if (tok_.kind == Tok::kBad)
                    error(tok_, ErrorCode::kNumberSyntax, "not a number: " + describe(tok_));
                else
                    error(tok_, ErrorCode::kUnsupported,
                          "unexpected " + describe(tok_) +
                              " in a matrix (only numbers are supported)");
                bad = true;
                // Skip to the end of this matrix.
                int depth = 0;
                while (tok_.kind != Tok::kEnd) {
                    if (tok_.kind == Tok::kPunct && (tok_.text == "[" || tok_.text == "{"))
                        ++depth;
                    if (tok_.kind == Tok::kPunct && (tok_.text == "]" || tok_.text == "}")) {
                        if (depth == 0)
                            break;
                        --depth;
                    }
                    bump();
                }
                if (tok_.kind == Tok::kPunct && tok_.text == "]")
                    bump();
                break;
            }
        }
        if (bad)
            f.kind = Field::Kind::kBad;
    }

    /// `{ 'a'; 'b' }`: quoted strings separated by ';', ',', blanks or line ends.
    void parse_cell(Field& f) {
        const Token open = tok_;
        bump();
        while (true) {
            if (tok_.kind == Tok::kString) {
                f.cell.push_back(tok_.str);
                bump();
            } else if (tok_.kind == Tok::kNumber) {
                // Numeric cells (e.g. in unmodelled fields) are kept as their text.
                f.cell.emplace_back(tok_.text);
                bump();
            } else if (tok_.kind == Tok::kNewline ||
                       (tok_.kind == Tok::kPunct && (tok_.text == ";" || tok_.text == ","))) {
                bump();
            } else if (tok_.kind == Tok::kPunct && tok_.text == "}") {
                bump();
                return;
            } else if (tok_.kind == Tok::kEnd) {
                error(open, ErrorCode::kUnknownKey, "cell array '{' is never closed by '}'");
                f.kind = Field::Kind::kBad;
                return;
            } else {
                error(tok_, ErrorCode::kUnsupported,
                      "unexpected " + describe(tok_) +
                          " in a cell array (only quoted strings and "
                          "numbers are supported)");
                f.kind = Field::Kind::kBad;
                while (tok_.kind != Tok::kEnd && !(tok_.kind == Tok::kPunct && tok_.text == "}"))
                    bump();
                if (tok_.kind != Tok::kEnd)
                    bump();
                return;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Conversion and checks

    const Field* field(const char* key, Field::Kind kind, bool required) {
        const auto it = fields_.find(key);
        if (it == fields_.end()) {
            if (required)
                diags_.error(ErrorCode::kMissingKey, file_, 0, 0, "",
                             std::string("the case has no 'mpc.") + key + "'");
            return nullptr;
        }
        if (it->second.kind == Field::Kind::kBad)
            return nullptr; // already reported
        if (it->second.kind != kind) {
            static constexpr const char* kNames[] = {"a number", "a quoted string", "a matrix",
                                                     "a cell array", "?"};
            error_at(it->second.where, ErrorCode::kWrongType, "",
                     std::string("'mpc.") + key + "' must be " + kNames[static_cast<int>(kind)]);
            return nullptr;
        }
        return &it->second;
    }

    /// Reports a bad matrix element: `what` row `r`, column `c`.
    void bad_value(const Matrix& m, const char* what, const char* const* names, std::int32_t r,
                   std::int32_t c, const std::string& id, ErrorCode code, const std::string& msg) {
        const Pos p = m.pos(r, c);
        if (reported_.contains({p.line, p.column}))
            return; // not a number: said already
        error_at(m.pos(r, c), code, id,
                 std::string(what) + " row " + std::to_string(r + 1) + ", column " +
                     std::to_string(c + 1) + " " + names[c] + ": " + msg);
    }

    static bool is_integer(double v) {
        return std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15;
    }

    void build(Network& net) {
        net.other_fields = std::move(others_);
        // version
        if (const auto it = fields_.find("version"); it == fields_.end()) {
            diags_.error(ErrorCode::kMissingKey, file_, 0, 0, "",
                         "the case has no 'mpc.version'; only MATPOWER case format version 2 "
                         "is supported");
        } else if (it->second.kind == Field::Kind::kString ||
                   it->second.kind == Field::Kind::kNumber) {
            const bool two = it->second.kind == Field::Kind::kString ? it->second.str == "2"
                                                                     : it->second.number == 2;
            if (!two)
                error_at(it->second.where, ErrorCode::kUnsupported, "",
                         "only MATPOWER case format version '2' is supported");
        } else if (it->second.kind != Field::Kind::kBad) {
            error_at(it->second.where, ErrorCode::kWrongType, "", "'mpc.version' must be '2'");
        }
        // baseMVA
        if (const Field* f = field("baseMVA", Field::Kind::kNumber, true)) {
            if (!(std::isfinite(f->number) && f->number > 0))
                error_at(f->where, ErrorCode::kOutOfRange, "",
                         "'mpc.baseMVA' must be a positive number");
            else
                net.base_mva = f->number;
        }
        const double base = net.base_mva;
        constexpr double deg = units::kDegree;

        // bus
        if (const Field* f = field("bus", Field::Kind::kMatrix, true)) {
            const Matrix& m = f->matrix;
            if (m.rows() > 0 && m.columns < kBusCols) {
                error_at(m.where, ErrorCode::kInconsistent, "",
                         "'mpc.bus' needs 13 columns (BUS_I ... VMIN), it has " +
                             std::to_string(m.columns));
            } else {
                auto& b = net.buses;
                const std::int32_t n = m.rows();
                net.bus_extra.columns = m.rows() > 0 ? m.columns - kBusCols : 0;
                for (std::int32_t r = 0; r < n; ++r) {
                    const double num = m.at(r, 0);
                    std::string id = std::to_string(r + 1);
                    if (!is_integer(num) || num < 1) {
                        bad_value(m, "bus", kBusColumns, r, 0, "", ErrorCode::kOutOfRange,
                                  "the bus number must be a positive integer");
                    } else {
                        id = std::to_string(static_cast<std::int64_t>(num));
                        const auto [it, fresh] = net.bus_index.emplace(
                            static_cast<std::int64_t>(num), static_cast<std::int32_t>(r));
                        if (!fresh)
                            bad_value(m, "bus", kBusColumns, r, 0, id, ErrorCode::kDuplicateId,
                                      "bus " + id + " is defined twice (first in row " +
                                          std::to_string(it->second + 1) + ")");
                    }
                    const double type = m.at(r, 1);
                    if (!(type == 1 || type == 2 || type == 3 || type == 4))
                        bad_value(m, "bus", kBusColumns, r, 1, id, ErrorCode::kOutOfRange,
                                  "the bus type must be 1 (PQ), 2 (PV), 3 (reference) or 4 "
                                  "(isolated)");
                    for (std::int32_t c : {2, 3, 4, 5, 7, 8, 9})
                        if (!std::isfinite(m.at(r, c)))
                            bad_value(m, "bus", kBusColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be a finite number");
                    for (std::int32_t c : {6, 10})
                        if (!is_integer(m.at(r, c)))
                            bad_value(m, "bus", kBusColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be an integer");
                    if (type != 4 && std::isfinite(m.at(r, 7)) && !(m.at(r, 7) > 0))
                        bad_value(m, "bus", kBusColumns, r, 7, id, ErrorCode::kOutOfRange,
                                  "the voltage magnitude must be positive");
                    b.number.push_back(is_integer(num) ? static_cast<std::int64_t>(num) : 0);
                    b.type.push_back((type >= 1 && type <= 4) ? static_cast<BusType>(type)
                                                              : BusType::kPq);
                    b.pd_pu.push_back(m.at(r, 2) / base);
                    b.qd_pu.push_back(m.at(r, 3) / base);
                    b.gs_pu.push_back(m.at(r, 4) / base);
                    b.bs_pu.push_back(m.at(r, 5) / base);
                    b.area.push_back(is_integer(m.at(r, 6)) ? static_cast<std::int64_t>(m.at(r, 6))
                                                            : 0);
                    b.vm_pu.push_back(m.at(r, 7));
                    b.va_rad.push_back(m.at(r, 8) * deg);
                    b.base_kv.push_back(m.at(r, 9));
                    b.zone.push_back(
                        is_integer(m.at(r, 10)) ? static_cast<std::int64_t>(m.at(r, 10)) : 0);
                    b.vmax_pu.push_back(m.at(r, 11));
                    b.vmin_pu.push_back(m.at(r, 12));
                    for (std::int32_t c = kBusCols; c < m.columns; ++c)
                        net.bus_extra.values.push_back(m.at(r, c));
                }
            }
        }

        auto bus_ref = [&](const Matrix& m, const char* what, const char* const* names,
                           std::int32_t r, std::int32_t c, const std::string& id) -> BusIndex {
            const double v = m.at(r, c);
            if (!is_integer(v)) {
                bad_value(m, what, names, r, c, id, ErrorCode::kOutOfRange,
                          "a bus number must be an integer");
                return BusIndex{};
            }
            const BusIndex b = net.find_bus(static_cast<std::int64_t>(v));
            if (!b.valid()) {
                if (net.buses.count() > 0 || fields_.contains("bus"))
                    bad_value(m, what, names, r, c, id, ErrorCode::kUnknownReference,
                              "bus " + std::to_string(static_cast<std::int64_t>(v)) +
                                  " is not in mpc.bus");
                return BusIndex{};
            }
            return b;
        };

        // gen
        if (const Field* f = field("gen", Field::Kind::kMatrix, true)) {
            const Matrix& m = f->matrix;
            if (m.rows() > 0 && m.columns < kGenCols) {
                error_at(m.where, ErrorCode::kInconsistent, "",
                         "'mpc.gen' needs at least 10 columns (GEN_BUS ... PMIN), it has " +
                             std::to_string(m.columns));
            } else {
                auto& g = net.gens;
                net.gen_extra.columns = m.rows() > 0 ? m.columns - kGenCols : 0;
                for (std::int32_t r = 0; r < m.rows(); ++r) {
                    const std::string id = "gen " + std::to_string(r + 1);
                    g.bus.push_back(bus_ref(m, "gen", kGenColumns, r, 0, id));
                    for (std::int32_t c : {1, 2, 5, 6, 7})
                        if (!std::isfinite(m.at(r, c)))
                            bad_value(m, "gen", kGenColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be a finite number");
                    for (std::int32_t c : {3, 4, 8, 9})
                        if (std::isnan(m.at(r, c)))
                            bad_value(m, "gen", kGenColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be a number (Inf is allowed), not NaN");
                    if (std::isfinite(m.at(r, 7)) && m.at(r, 7) > 0 && !(m.at(r, 5) > 0))
                        bad_value(m, "gen", kGenColumns, r, 5, id, ErrorCode::kOutOfRange,
                                  "the voltage set point of a generator in service must be "
                                  "positive");
                    g.pg_pu.push_back(m.at(r, 1) / base);
                    g.qg_pu.push_back(m.at(r, 2) / base);
                    g.qmax_pu.push_back(m.at(r, 3) / base);
                    g.qmin_pu.push_back(m.at(r, 4) / base);
                    g.vg_pu.push_back(m.at(r, 5));
                    g.mbase_mva.push_back(m.at(r, 6));
                    g.status.push_back(m.at(r, 7));
                    g.pmax_pu.push_back(m.at(r, 8) / base);
                    g.pmin_pu.push_back(m.at(r, 9) / base);
                    for (std::int32_t c = kGenCols; c < m.columns; ++c)
                        net.gen_extra.values.push_back(m.at(r, c));
                }
            }
        }

        // branch
        if (const Field* f = field("branch", Field::Kind::kMatrix, true)) {
            const Matrix& m = f->matrix;
            if (m.rows() > 0 && m.columns < kBranchMinCols) {
                error_at(m.where, ErrorCode::kInconsistent, "",
                         "'mpc.branch' needs at least 11 columns (F_BUS ... BR_STATUS), it "
                         "has " +
                             std::to_string(m.columns));
            } else {
                auto& br = net.branches;
                net.branch_extra.columns = m.rows() > 0 ? std::max(0, m.columns - kBranchCols) : 0;
                for (std::int32_t r = 0; r < m.rows(); ++r) {
                    const std::string id = "branch " + std::to_string(r + 1);
                    br.from.push_back(bus_ref(m, "branch", kBranchColumns, r, 0, id));
                    br.to.push_back(bus_ref(m, "branch", kBranchColumns, r, 1, id));
                    for (std::int32_t c : {2, 3, 4, 8, 9, 10})
                        if (!std::isfinite(m.at(r, c)))
                            bad_value(m, "branch", kBranchColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be a finite number");
                    for (std::int32_t c : {5, 6, 7})
                        if (std::isnan(m.at(r, c)))
                            bad_value(m, "branch", kBranchColumns, r, c, id, ErrorCode::kOutOfRange,
                                      "must be a number, not NaN");
                    if (m.at(r, 10) != 0 && m.at(r, 2) == 0 && m.at(r, 3) == 0)
                        bad_value(m, "branch", kBranchColumns, r, 3, id, ErrorCode::kOutOfRange,
                                  "a branch in service needs a nonzero impedance (r = x = 0)");
                    if (m.at(r, 8) < 0)
                        bad_value(m, "branch", kBranchColumns, r, 8, id, ErrorCode::kOutOfRange,
                                  "the tap ratio must not be negative");
                    br.r_pu.push_back(m.at(r, 2));
                    br.x_pu.push_back(m.at(r, 3));
                    br.b_pu.push_back(m.at(r, 4));
                    br.rate_a_mva.push_back(m.at(r, 5));
                    br.rate_b_mva.push_back(m.at(r, 6));
                    br.rate_c_mva.push_back(m.at(r, 7));
                    br.tap.push_back(m.at(r, 8));
                    br.shift_rad.push_back(m.at(r, 9) * deg);
                    br.status.push_back(m.at(r, 10));
                    br.angmin_rad.push_back((m.columns > 11 ? m.at(r, 11) : -360.0) * deg);
                    br.angmax_rad.push_back((m.columns > 12 ? m.at(r, 12) : 360.0) * deg);
                    for (std::int32_t c = kBranchCols; c < m.columns; ++c)
                        net.branch_extra.values.push_back(m.at(r, c));
                }
            }
        }

        // gencost
        if (const Field* f = field("gencost", Field::Kind::kMatrix, false)) {
            const Matrix& m = f->matrix;
            const std::int32_t ng = net.gens.count();
            if (m.rows() > 0 && m.columns < 4) {
                error_at(m.where, ErrorCode::kInconsistent, "",
                         "'mpc.gencost' needs at least 4 columns (MODEL STARTUP SHUTDOWN NCOST)");
            } else if (m.rows() != ng && m.rows() != 2 * ng) {
                error_at(m.where, ErrorCode::kInconsistent, "",
                         "'mpc.gencost' has " + std::to_string(m.rows()) +
                             " rows; it needs one per generator (" + std::to_string(ng) +
                             "), or two with reactive power costs");
            } else {
                bool ok = true;
                static constexpr const char* kCostColumns[] = {"MODEL", "STARTUP", "SHUTDOWN",
                                                               "NCOST"};
                for (std::int32_t r = 0; r < m.rows(); ++r) {
                    const double model = m.at(r, 0);
                    const double n = m.at(r, 3);
                    const std::string id = "gencost " + std::to_string(r + 1);
                    if (model != 1 && model != 2) {
                        bad_value(m, "gencost", kCostColumns, r, 0, id, ErrorCode::kOutOfRange,
                                  "the cost model must be 1 (piecewise linear) or 2 "
                                  "(polynomial)");
                        ok = false;
                    } else if (!is_integer(n) || n < 0 ||
                               4 + (model == 1 ? 2 : 1) * n > m.columns) {
                        bad_value(m, "gencost", kCostColumns, r, 3, id, ErrorCode::kOutOfRange,
                                  "NCOST does not fit the " + std::to_string(m.columns) +
                                      " columns of the matrix");
                        ok = false;
                    }
                }
                if (ok) {
                    net.gencost.columns = m.rows() > 0 ? m.columns : 0;
                    net.gencost.values = m.values;
                }
            }
        }

        // bus_name
        if (const Field* f = field("bus_name", Field::Kind::kCell, false)) {
            if (static_cast<std::int32_t>(f->cell.size()) != net.buses.count())
                error_at(f->where, ErrorCode::kInconsistent, "",
                         "'mpc.bus_name' has " + std::to_string(f->cell.size()) + " names for " +
                             std::to_string(net.buses.count()) + " buses");
            else
                net.bus_names = f->cell;
        }

        // A network without a reference bus is solvable (MATPOWER takes the first PV bus), but
        // worth a word.
        bool has_ref = false;
        for (BusType t : net.buses.type)
            has_ref = has_ref || t == BusType::kRef;
        if (!has_ref && net.buses.count() > 0)
            diags_.warning(ErrorCode::kInconsistent, file_, 0, 0, "",
                           "no bus has type 3 (reference); the first PV bus with a generator in "
                           "service will be the reference");
    }

    std::string_view text_;
    const std::string& file_;
    Diagnostics& diags_;
    Diagnostics* sink_ = &diags_; ///< where parse problems go (a local list for unknown fields)
    Lexer lex_;
    Token tok_;
    std::unordered_map<std::string, Field> fields_;
    std::unordered_map<std::string, int> other_names_;
    std::vector<OtherField> others_;
    std::set<std::pair<int, int>> reported_; ///< line, column of values already reported
};

} // namespace

Network parse_matpower(std::string_view text, const std::string& file, Diagnostics& diags) {
    Parser p(text, file, diags);
    return p.parse();
}

Network read_matpower(const std::filesystem::path& path, Diagnostics& diags) {
    const std::string text = read_file(path);
    return parse_matpower(text, path.string(), diags);
}

} // namespace rencheng::power
