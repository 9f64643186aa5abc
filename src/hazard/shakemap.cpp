// USGS ShakeMap grid.xml reader and bilinear interpolation of its fields.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/atomic_file.hpp"
#include "core/csv.hpp"
#include "hazard/earthquake.hpp"

namespace rencheng::hazard {

namespace {

int line_of(std::string_view text, std::size_t pos) {
    pos = std::min(pos, text.size());
    return 1 +
           static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// A start tag `<name …>`: its attribute text and where it starts.
struct Tag {
    std::size_t pos = std::string_view::npos;
    std::string_view attributes;
};

/// Finds the next start tag named `name` at or after `from`.
Tag find_tag(std::string_view text, std::string_view name, std::size_t from = 0) {
    const std::string open = "<" + std::string(name);
    while (true) {
        const std::size_t p = text.find(open, from);
        if (p == std::string_view::npos)
            return {};
        const std::size_t after = p + open.size();
        if (after < text.size() && (std::isspace(static_cast<unsigned char>(text[after])) ||
                                    text[after] == '>' || text[after] == '/')) {
            const std::size_t end = text.find('>', after);
            if (end == std::string_view::npos)
                return {};
            return {p, text.substr(after, end - after)};
        }
        from = after;
    }
}

/// Value of attribute `name` in a tag's attribute text; nullopt when absent.
std::optional<std::string> attribute(std::string_view attrs, std::string_view name) {
    std::size_t from = 0;
    while (true) {
        const std::size_t p = attrs.find(name, from);
        if (p == std::string_view::npos)
            return std::nullopt;
        const bool starts_word = p == 0 || std::isspace(static_cast<unsigned char>(attrs[p - 1]));
        std::size_t q = p + name.size();
        while (q < attrs.size() && std::isspace(static_cast<unsigned char>(attrs[q])))
            ++q;
        if (starts_word && q < attrs.size() && attrs[q] == '=') {
            ++q;
            while (q < attrs.size() && std::isspace(static_cast<unsigned char>(attrs[q])))
                ++q;
            if (q < attrs.size() && (attrs[q] == '"' || attrs[q] == '\'')) {
                const char quote = attrs[q];
                const std::size_t end = attrs.find(quote, q + 1);
                if (end == std::string_view::npos)
                    return std::nullopt;
                return std::string(attrs.substr(q + 1, end - q - 1));
            }
            return std::nullopt;
        }
        from = p + name.size();
    }
}

} // namespace

std::optional<ShakeMapGrid> ShakeMapGrid::parse(std::string_view text, const std::string& file,
                                                Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    ShakeMapGrid g;
    auto need_number = [&](const Tag& tag, std::string_view element,
                           std::string_view name) -> std::optional<double> {
        const auto s = attribute(tag.attributes, name);
        const auto v = s ? parse_double(*s) : std::nullopt;
        if (!v)
            diags.error(s ? ErrorCode::kNumberSyntax : ErrorCode::kMissingKey, file,
                        line_of(text, tag.pos), 0, "",
                        std::string(element) + "." + std::string(name) +
                            (s ? ": '" + *s + "' is not a number" : ": attribute missing"));
        return v;
    };

    if (find_tag(text, "shakemap_grid").pos == std::string_view::npos) {
        diags.error(ErrorCode::kGridSyntax, file, 1, 0, "",
                    "not a ShakeMap grid: no <shakemap_grid> element");
        return std::nullopt;
    }
    // The event is informative: missing attributes are left at 0.
    if (const Tag ev = find_tag(text, "event"); ev.pos != std::string_view::npos) {
        auto num = [&](std::string_view n) {
            const auto s = attribute(ev.attributes, n);
            const auto v = s ? parse_double(*s) : std::nullopt;
            return v.value_or(0.0);
        };
        g.event_.magnitude = num("magnitude");
        g.event_.depth_km = num("depth");
        g.event_.epicentre = {num("lon"), num("lat")};
        g.event_id_ = attribute(ev.attributes, "event_id").value_or("");
    }

    const Tag spec = find_tag(text, "grid_specification");
    if (spec.pos == std::string_view::npos) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "", "no <grid_specification> element");
        return std::nullopt;
    }
    const auto lon_min = need_number(spec, "grid_specification", "lon_min");
    const auto lat_min = need_number(spec, "grid_specification", "lat_min");
    const auto lon_max = need_number(spec, "grid_specification", "lon_max");
    const auto lat_max = need_number(spec, "grid_specification", "lat_max");
    const auto nlon = need_number(spec, "grid_specification", "nlon");
    const auto nlat = need_number(spec, "grid_specification", "nlat");
    if (diags.error_count() > before)
        return std::nullopt;
    const int spec_line = line_of(text, spec.pos);
    if (*nlon < 2 || *nlat < 2 || *nlon != std::floor(*nlon) || *nlat != std::floor(*nlat) ||
        *nlon * *nlat > 5.0e7) {
        diags.error(ErrorCode::kOutOfRange, file, spec_line, 0, "",
                    "grid_specification.nlon/nlat: must be whole numbers >= 2 (and a grid of at "
                    "most 5e7 points)");
        return std::nullopt;
    }
    if (!(*lon_max > *lon_min) || !(*lat_max > *lat_min)) {
        diags.error(ErrorCode::kOutOfRange, file, spec_line, 0, "",
                    "grid_specification: lon_max/lat_max must exceed lon_min/lat_min");
        return std::nullopt;
    }
    g.nlon_ = static_cast<int>(*nlon);
    g.nlat_ = static_cast<int>(*nlat);
    g.lon_min_ = *lon_min;
    g.lat_min_ = *lat_min;
    g.dlon_ = (*lon_max - *lon_min) / (g.nlon_ - 1);
    g.dlat_ = (*lat_max - *lat_min) / (g.nlat_ - 1);

    // Fields, by their 1-based index attribute.
    std::vector<std::pair<int, std::string>> fields;
    for (Tag f = find_tag(text, "grid_field"); f.pos != std::string_view::npos;
         f = find_tag(text, "grid_field", f.pos + 1)) {
        const auto idx = need_number(f, "grid_field", "index");
        const auto name = attribute(f.attributes, "name");
        if (!name)
            diags.error(ErrorCode::kMissingKey, file, line_of(text, f.pos), 0, "",
                        "grid_field.name: attribute missing");
        if (!idx || !name)
            continue;
        fields.emplace_back(static_cast<int>(*idx), upper(*name));
    }
    std::sort(fields.begin(), fields.end());
    for (std::size_t k = 0; k < fields.size(); ++k) {
        if (fields[k].first != static_cast<int>(k) + 1) {
            diags.error(ErrorCode::kInconsistent, file, 1, 0, fields[k].second,
                        "grid_field.index: indices must run 1, 2, … without gaps or repeats");
            return std::nullopt;
        }
        g.field_names_.push_back(fields[k].second);
    }
    if (diags.error_count() > before)
        return std::nullopt;
    const auto ilon = std::find(g.field_names_.begin(), g.field_names_.end(), "LON");
    const auto ilat = std::find(g.field_names_.begin(), g.field_names_.end(), "LAT");
    if (ilon == g.field_names_.end() || ilat == g.field_names_.end()) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "", "grid_field: LON and LAT are required");
        return std::nullopt;
    }
    if (!g.has_field("PGA") && !g.has_field("PGV") && !g.has_field("PSA10")) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "",
                    "grid_field: none of PGA, PGV, PSA10 is present");
        return std::nullopt;
    }
    const auto col_lon = static_cast<std::size_t>(ilon - g.field_names_.begin());
    const auto col_lat = static_cast<std::size_t>(ilat - g.field_names_.begin());
    const std::size_t nf = g.field_names_.size();

    const std::size_t data_open = text.find("<grid_data>");
    const std::size_t data_close = text.find("</grid_data>");
    if (data_open == std::string_view::npos || data_close == std::string_view::npos ||
        data_close < data_open) {
        diags.error(ErrorCode::kGridSyntax, file, 1, 0, "", "no <grid_data> … </grid_data> block");
        return std::nullopt;
    }
    const std::size_t npoints = static_cast<std::size_t>(g.nlon_) * g.nlat_;
    // Each node needs a row of nf numbers (at least two characters each): refuse a specification
    // the data cannot fill before allocating for it.
    if (npoints * nf * 2 > data_close - data_open) {
        diags.error(ErrorCode::kGridSyntax, file, line_of(text, data_close), 0, "",
                    "grid_data: too short for the " + std::to_string(npoints) +
                        " nodes of the grid_specification");
        return std::nullopt;
    }
    g.values_.assign(nf, std::vector<double>(npoints, 0.0));
    std::vector<char> seen(npoints, 0);
    std::size_t filled = 0;
    std::size_t pos = data_open + std::string_view("<grid_data>").size();
    int line = line_of(text, pos);
    std::vector<double> row;
    constexpr int kMaxErrors = 20; // a broken file should not flood the terminal
    while (pos < data_close && static_cast<int>(diags.error_count() - before) < kMaxErrors) {
        const std::size_t eol = std::min(text.find('\n', pos), data_close);
        std::string_view l = text.substr(pos, eol - pos);
        const int this_line = line;
        pos = eol + 1;
        ++line;
        row.clear();
        std::size_t p = 0;
        bool bad = false;
        while (p < l.size()) {
            while (p < l.size() && std::isspace(static_cast<unsigned char>(l[p])))
                ++p;
            if (p >= l.size())
                break;
            std::size_t q = p;
            while (q < l.size() && !std::isspace(static_cast<unsigned char>(l[q])))
                ++q;
            const auto v = parse_double(l.substr(p, q - p));
            if (!v) {
                diags.error(ErrorCode::kNumberSyntax, file, this_line, static_cast<int>(p) + 1, "",
                            "grid_data: '" + std::string(l.substr(p, q - p)) + "' is not a number");
                bad = true;
                break;
            }
            row.push_back(*v);
            p = q;
        }
        if (bad || row.empty())
            continue;
        if (row.size() != nf) {
            diags.error(ErrorCode::kGridSyntax, file, this_line, 0, "",
                        "grid_data: " + std::to_string(row.size()) + " values on the row, " +
                            std::to_string(nf) + " fields declared");
            continue;
        }
        const double fi = (row[col_lon] - g.lon_min_) / g.dlon_;
        const double fj = (row[col_lat] - g.lat_min_) / g.dlat_;
        const long i = std::lround(fi), j = std::lround(fj);
        if (std::abs(fi - static_cast<double>(i)) > 0.01 ||
            std::abs(fj - static_cast<double>(j)) > 0.01 || i < 0 || j < 0 || i >= g.nlon_ ||
            j >= g.nlat_) {
            diags.error(ErrorCode::kOutsideCity, file, this_line, 0, "",
                        "grid_data: point is not a node of the grid_specification");
            continue;
        }
        const std::size_t node =
            static_cast<std::size_t>(j) * g.nlon_ + static_cast<std::size_t>(i);
        if (seen[node]) {
            diags.error(ErrorCode::kDuplicateId, file, this_line, 0, "",
                        "grid_data: grid node given twice");
            continue;
        }
        seen[node] = 1;
        ++filled;
        for (std::size_t f = 0; f < nf; ++f)
            g.values_[f][node] = row[f];
    }
    if (diags.error_count() > before)
        return std::nullopt;
    if (filled != npoints) {
        diags.error(ErrorCode::kGridSyntax, file, line_of(text, data_close), 0, "",
                    "grid_data: " + std::to_string(filled) + " rows for a grid of " +
                        std::to_string(npoints) + " nodes");
        return std::nullopt;
    }
    return g;
}

std::optional<ShakeMapGrid> ShakeMapGrid::read(const std::filesystem::path& path,
                                               Diagnostics& diags) {
    const auto text = read_file(path, diags);
    if (!text)
        return std::nullopt;
    return parse(*text, path.string(), diags);
}

BoundingBox ShakeMapGrid::bounds() const {
    return {lon_min_, lat_min_, lon_min_ + dlon_ * (nlon_ - 1), lat_min_ + dlat_ * (nlat_ - 1)};
}

bool ShakeMapGrid::has_field(std::string_view name) const {
    return std::find(field_names_.begin(), field_names_.end(), upper(name)) != field_names_.end();
}

std::optional<double> ShakeMapGrid::value(std::string_view name, LonLat p) const {
    const auto it = std::find(field_names_.begin(), field_names_.end(), upper(name));
    if (it == field_names_.end())
        return std::nullopt;
    const auto& v = values_[static_cast<std::size_t>(it - field_names_.begin())];
    const double fx = (p.lon - lon_min_) / dlon_;
    const double fy = (p.lat - lat_min_) / dlat_;
    constexpr double eps = 1e-9;
    if (!(fx >= -eps && fy >= -eps && fx <= nlon_ - 1 + eps && fy <= nlat_ - 1 + eps))
        return std::nullopt;
    const int i = std::clamp(static_cast<int>(std::floor(fx)), 0, nlon_ - 2);
    const int j = std::clamp(static_cast<int>(std::floor(fy)), 0, nlat_ - 2);
    const double tx = std::clamp(fx - i, 0.0, 1.0), ty = std::clamp(fy - j, 0.0, 1.0);
    auto at = [&](int ii, int jj) { return v[static_cast<std::size_t>(jj) * nlon_ + ii]; };
    return (1 - tx) * (1 - ty) * at(i, j) + tx * (1 - ty) * at(i + 1, j) +
           (1 - tx) * ty * at(i, j + 1) + tx * ty * at(i + 1, j + 1);
}

std::optional<GroundMotion> ShakeMapGrid::at(LonLat p) const {
    if (!value(field_names_.front(), p))
        return std::nullopt; // outside the grid
    GroundMotion g;
    // ShakeMap stores PGA and PSA in %g, PGV in cm/s.
    g.pga_g = value("PGA", p).value_or(0.0) / 100.0;
    g.pgv_cm_s = value("PGV", p).value_or(0.0);
    g.sa10_g = value("PSA10", p).value_or(0.0) / 100.0;
    return g;
}

} // namespace rencheng::hazard
