// The terrain: reading an ESRI ASCII grid with line numbers, and bilinear elevation look-ups.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "model/city.hpp"

namespace rencheng::model {

namespace {

/// Largest grid accepted (cells); a bigger header is reported instead of allocating for it.
constexpr long long kMaxCells = 100'000'000;

/// Splits text into blank-separated tokens, each with its 1-based line and column.
struct Token {
    std::string_view text;
    int line = 0;
    int column = 0;
};

class Tokenizer {
public:
    explicit Tokenizer(std::string_view text) : text_(text) {}

    /// Next token, or a token with empty text at the end.
    Token next() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\n') {
                ++line_;
                line_start_ = pos_ + 1;
                ++pos_;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
            } else {
                break;
            }
        }
        Token t{{}, line_, static_cast<int>(pos_ - line_start_) + 1};
        const std::size_t start = pos_;
        while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        t.text = text_.substr(start, pos_ - start);
        return t;
    }
    /// Line the reader is on (the last line when at the end).
    [[nodiscard]] int line() const { return line_; }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_start_ = 0;
    int line_ = 1;
};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

Terrain parse_terrain(std::string_view text, const std::string& file, Diagnostics& diags) {
    Terrain t;
    Tokenizer tok(text);
    // The header: six (or five, without NODATA_value) "key value" lines, keys in any case.
    bool have_ncols = false, have_nrows = false, have_x = false, have_y = false, have_cell = false;
    bool x_centre = false, y_centre = false;
    double x = 0.0, y = 0.0;
    Token pending;
    bool errors = false;
    auto error = [&](ErrorCode code, const Token& at, std::string message) {
        diags.error(code, file, at.line, at.column, "", std::move(message));
        errors = true;
    };
    for (;;) {
        Token key = tok.next();
        if (key.text.empty()) {
            pending = key;
            break;
        }
        const std::string k = lower(key.text);
        const bool is_key = k == "ncols" || k == "nrows" || k == "xllcorner" || k == "xllcenter" ||
                            k == "yllcorner" || k == "yllcenter" || k == "cellsize" ||
                            k == "nodata_value";
        if (!is_key) {
            pending = key; // the first grid value
            break;
        }
        const Token value = tok.next();
        if (value.text.empty() || value.line != key.line) {
            error(ErrorCode::kGridSyntax, key,
                  "header key '" + std::string(key.text) + "' has no value on its line");
            if (value.text.empty()) {
                pending = value;
                break;
            }
            continue;
        }
        if (k == "ncols" || k == "nrows") {
            const auto n = parse_int(value.text);
            if (!n || *n < 1 || *n > kMaxCells) {
                error(ErrorCode::kOutOfRange, value,
                      k + " must be an integer in [1, 1e8], got '" + std::string(value.text) + "'");
                continue;
            }
            (k == "ncols" ? t.ncols : t.nrows) = static_cast<int>(*n);
            (k == "ncols" ? have_ncols : have_nrows) = true;
            continue;
        }
        const auto v = parse_double(value.text);
        if (!v) {
            error(ErrorCode::kNumberSyntax, value,
                  k + " value '" + std::string(value.text) + "' is not a number");
            continue;
        }
        if (k == "xllcorner" || k == "xllcenter") {
            x = *v;
            x_centre = k == "xllcenter";
            have_x = true;
        } else if (k == "yllcorner" || k == "yllcenter") {
            y = *v;
            y_centre = k == "yllcenter";
            have_y = true;
        } else if (k == "cellsize") {
            if (*v <= 0.0 || *v > 10.0) {
                error(ErrorCode::kOutOfRange, value,
                      "cellsize must be in (0, 10] degrees, got " + std::string(value.text));
                continue;
            }
            t.cellsize_deg = *v;
            have_cell = true;
        } else {
            t.nodata = *v;
        }
    }
    const Token head_end{{}, pending.line, 0};
    if (!have_ncols)
        error(ErrorCode::kMissingKey, head_end, "header has no ncols");
    if (!have_nrows)
        error(ErrorCode::kMissingKey, head_end, "header has no nrows");
    if (!have_x)
        error(ErrorCode::kMissingKey, head_end, "header has no xllcorner/xllcenter");
    if (!have_y)
        error(ErrorCode::kMissingKey, head_end, "header has no yllcorner/yllcenter");
    if (!have_cell)
        error(ErrorCode::kMissingKey, head_end, "header has no cellsize");
    if (errors)
        return Terrain{};
    if (static_cast<long long>(t.ncols) * t.nrows > kMaxCells) {
        error(ErrorCode::kOutOfRange, head_end, "grid of more than 1e8 cells");
        return Terrain{};
    }
    t.xll_lon = x_centre ? x - t.cellsize_deg / 2 : x;
    t.yll_lat = y_centre ? y - t.cellsize_deg / 2 : y;
    if (t.xll_lon < -180.0 || t.xll_lon + t.ncols * t.cellsize_deg > 180.0 + 1e-9 ||
        t.yll_lat < -90.0 || t.yll_lat + t.nrows * t.cellsize_deg > 90.0 + 1e-9) {
        error(ErrorCode::kOutOfRange, head_end,
              "the grid reaches outside lon [-180, 180] / lat "
              "[-90, 90]");
        return Terrain{};
    }

    // The values: nrows × ncols numbers, row 0 the northern row. Lines may wrap (ESRI allows
    // it), so values are counted, not lines.
    const auto expected = static_cast<std::size_t>(t.ncols) * static_cast<std::size_t>(t.nrows);
    t.elevation_m.reserve(expected);
    int bad_values = 0;
    int last_line = pending.line; // where a short grid ends
    for (Token v = pending; !v.text.empty(); v = tok.next()) {
        last_line = v.line;
        if (t.elevation_m.size() == expected) {
            error(ErrorCode::kGridSyntax, v,
                  "more values than nrows × ncols = " + std::to_string(expected));
            break;
        }
        const auto e = parse_double(v.text);
        if (!e) {
            if (++bad_values <= 10)
                error(ErrorCode::kNumberSyntax, v,
                      "grid value '" + std::string(v.text.substr(0, 32)) + "' is not a number");
            t.elevation_m.push_back(static_cast<float>(t.nodata));
            continue;
        }
        t.elevation_m.push_back(static_cast<float>(*e));
    }
    if (t.elevation_m.size() < expected) {
        error(ErrorCode::kGridSyntax, Token{{}, last_line, 0},
              "the grid has " + std::to_string(t.elevation_m.size()) +
                  " values; nrows × ncols = " + std::to_string(t.nrows) + " × " +
                  std::to_string(t.ncols) + " needs " + std::to_string(expected));
    }
    if (errors)
        return Terrain{};
    return t;
}

Terrain read_terrain(const std::filesystem::path& path, Diagnostics& diags) {
    const std::optional<std::string> text = read_file(path, diags);
    return text ? parse_terrain(*text, path.string(), diags) : Terrain{};
}

std::optional<double> Terrain::elevation_at(LonLat p) const {
    if (ncols <= 0 || nrows <= 0 || !(cellsize_deg > 0.0) ||
        elevation_m.size() != static_cast<std::size_t>(ncols) * static_cast<std::size_t>(nrows))
        return std::nullopt;
    const double gx = (p.lon - xll_lon) / cellsize_deg; // columns from the west edge
    const double gy = (p.lat - yll_lat) / cellsize_deg; // rows from the south edge
    if (!(gx >= 0.0 && gx <= ncols && gy >= 0.0 && gy <= nrows))
        return std::nullopt;
    // Values sit at cell centres; interpolate between the four nearest, clamping in the half
    // cell along the border.
    const double fx = std::clamp(gx - 0.5, 0.0, static_cast<double>(ncols - 1));
    const double fy_south = std::clamp(gy - 0.5, 0.0, static_cast<double>(nrows - 1));
    const double fy = static_cast<double>(nrows - 1) - fy_south; // row index from the north
    const int c0 = std::min(static_cast<int>(fx), ncols - 1);
    const int r0 = std::min(static_cast<int>(fy), nrows - 1);
    const int c1 = std::min(c0 + 1, ncols - 1);
    const int r1 = std::min(r0 + 1, nrows - 1);
    const double tx = fx - c0, ty = fy - r0;
    auto at = [&](int r, int c) {
        return static_cast<double>(
            elevation_m[static_cast<std::size_t>(r) * static_cast<std::size_t>(ncols) +
                        static_cast<std::size_t>(c)]);
    };
    // Values are stored as float, so nodata is compared in float too. A nodata corner with zero
    // weight does not spoil the result.
    const auto nodata_f = static_cast<double>(static_cast<float>(nodata));
    const int rows[4] = {r0, r0, r1, r1};
    const int cols[4] = {c0, c1, c0, c1};
    const double weights[4] = {(1 - ty) * (1 - tx), (1 - ty) * tx, ty * (1 - tx), ty * tx};
    double sum = 0.0;
    for (int k = 0; k < 4; ++k) {
        if (weights[k] == 0.0)
            continue;
        const double v = at(rows[k], cols[k]);
        if (v == nodata_f || !std::isfinite(v))
            return std::nullopt;
        sum += weights[k] * v;
    }
    return sum;
}

} // namespace rencheng::model
