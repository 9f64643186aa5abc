// Reads the TNTP files of the TransportationNetworks collection: _net, _trips, _flow, _node.
#include "transport/tntp.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <span>

#include "core/atomic_file.hpp"

namespace rencheng::transport {

namespace {

/// Largest node or zone count the readers accept (the largest public TNTP networks have about a
/// million nodes); a larger number is an error rather than a huge allocation.
constexpr std::int32_t kMaxCount = 10'000'000;

/// One whitespace-separated token and its 1-based column.
struct Token {
    std::string_view text;
    int column = 0;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

/// Splits `line` (whose first character is at column `first_column`) into tokens.
std::vector<Token> tokenize(std::string_view line, int first_column = 1) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i]))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_space(line[i]))
            ++i;
        if (i > start)
            out.push_back({line.substr(start, i - start), first_column + static_cast<int>(start)});
    }
    return out;
}

/// The text before a '~' comment.
std::string_view strip_comment(std::string_view line) {
    const auto pos = line.find('~');
    return pos == std::string_view::npos ? line : line.substr(0, pos);
}

/// Calls `fn(line_number, line)` for every line of `text` (handles \n and \r\n).
template <typename Fn> void for_each_line(std::string_view text, Fn&& fn) {
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        ++number;
        fn(number, text.substr(pos, end - pos));
        pos = end + 1;
    }
}

std::optional<double> to_double(std::string_view s) {
    double v = 0.0;
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::optional<std::int32_t> to_int(std::string_view s) {
    std::int32_t v = 0;
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size())
        return v;
    // Integers written as reals ("12.0") are accepted when exact.
    if (auto d = to_double(s); d && *d == std::floor(*d) && std::abs(*d) < 2.0e9)
        return static_cast<std::int32_t>(*d);
    return std::nullopt;
}

/// Metadata read from the `<KEY> value` lines at the top of a TNTP file.
struct Metadata {
    std::optional<std::int32_t> zones, nodes, first_thru_node, links;
    std::optional<double> total_od_flow;
    int zones_line = 0, nodes_line = 0, links_line = 0, total_line = 0;
    bool ended = false;
    std::size_t body_offset = 0; ///< byte offset of the first line after <END OF METADATA>
    int body_line = 1;           ///< its line number
};

/// Reads the metadata block. Files without any metadata start their body at line 1.
Metadata read_metadata(std::string_view text, const std::string& file, Diagnostics& diags) {
    Metadata md;
    int number = 0;
    std::size_t pos = 0;
    bool seen_any = false;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        ++number;
        const std::string_view raw = text.substr(pos, end - pos);
        const std::string_view line = trim(raw);
        const std::size_t next = end + 1;
        if (line.empty()) {
            pos = next;
            continue;
        }
        if (line.front() != '<') {
            // Comments may precede the metadata; anything else means there is none.
            if (line.front() == '~') {
                pos = next;
                continue;
            }
            break;
        }
        const auto close = line.find('>');
        if (close == std::string_view::npos) {
            diags.error(ErrorCode::kUnknownKey, file, number, 1, "",
                        "metadata line has no closing '>'");
            pos = next;
            continue;
        }
        seen_any = true;
        std::string key(line.substr(1, close - 1));
        for (char& c : key)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const std::string_view value = trim(strip_comment(line.substr(close + 1)));
        const int value_col = static_cast<int>(raw.find(value.empty() ? line : value)) + 1;
        auto int_value = [&](std::optional<std::int32_t>& slot, int& line_slot, int minimum) {
            auto v = to_int(value);
            if (!v || *v < minimum || *v > kMaxCount) {
                diags.error(v ? ErrorCode::kOutOfRange : ErrorCode::kNumberSyntax, file, number,
                            value_col, "",
                            "<" + key + ">: expected an integer in [" + std::to_string(minimum) +
                                ", " + std::to_string(kMaxCount) + "], found '" +
                                std::string(value) + "'");
                return;
            }
            slot = *v;
            line_slot = number;
        };
        if (key == "END OF METADATA") {
            md.ended = true;
            md.body_offset = std::min(next, text.size());
            md.body_line = number + 1;
            return md;
        }
        int ignored = 0;
        if (key == "NUMBER OF ZONES") {
            int_value(md.zones, md.zones_line, 0);
        } else if (key == "NUMBER OF NODES") {
            int_value(md.nodes, md.nodes_line, 1);
        } else if (key == "FIRST THRU NODE") {
            int_value(md.first_thru_node, ignored, 1);
        } else if (key == "NUMBER OF LINKS") {
            int_value(md.links, md.links_line, 0);
        } else if (key == "TOTAL OD FLOW") {
            auto v = to_double(value);
            if (!v || *v < 0.0) {
                diags.error(ErrorCode::kNumberSyntax, file, number, value_col, "",
                            "<TOTAL OD FLOW>: expected a number >= 0, found '" +
                                std::string(value) + "'");
            } else {
                md.total_od_flow = *v;
                md.total_line = number;
            }
        }
        // Other keys (<ORIGINAL HEADER>, ...) carry no data the engine uses.
        pos = next;
    }
    if (seen_any)
        diags.error(ErrorCode::kMissingKey, file, number, 0, "",
                    "metadata has no <END OF METADATA> line");
    return md;
}

/// Reports a field that failed to parse or lies out of range.
void field_error(Diagnostics& diags, ErrorCode code, const std::string& file, int line,
                 const Token& tok, const std::string& id, std::string_view field,
                 const std::string& what) {
    diags.error(code, file, line, tok.column, id,
                "field '" + std::string(field) + "': " + what + ", found '" +
                    std::string(tok.text) + "'");
}

/// Drops a trailing ';' token or a ';' glued to the last token.
void drop_semicolon(std::vector<Token>& toks) {
    if (toks.empty())
        return;
    if (toks.back().text == ";") {
        toks.pop_back();
    } else if (toks.back().text.back() == ';') {
        toks.back().text.remove_suffix(1);
    }
}

std::optional<std::string> load(const std::filesystem::path& path, Diagnostics& diags) {
    return read_file(path, diags);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// AssignmentNetwork

std::string AssignmentNetwork::link_label(std::int32_t link) const {
    return std::to_string(init[static_cast<std::size_t>(link)] + 1) + "-" +
           std::to_string(term[static_cast<std::size_t>(link)] + 1);
}

std::int32_t AssignmentNetwork::find_link(std::int32_t init_number,
                                          std::int32_t term_number) const {
    const std::int32_t u = init_number - 1;
    if (u < 0 || u >= out.node_count())
        return -1;
    for (const std::int32_t a : out.arcs(u))
        if (term[static_cast<std::size_t>(a)] == term_number - 1)
            return a;
    return -1;
}

void AssignmentNetwork::add_link(std::int32_t from, std::int32_t to, double capacity_vehh,
                                 double length_units, double free_flow_time_min, double bpr_b,
                                 double bpr_power, double toll_units) {
    init.push_back(from);
    term.push_back(to);
    capacity.push_back(capacity_vehh);
    length.push_back(length_units);
    free_flow_time.push_back(free_flow_time_min);
    b.push_back(bpr_b);
    power.push_back(bpr_power);
    speed.push_back(0.0);
    toll.push_back(toll_units);
    link_type.push_back(1);
    source_line.push_back(0);
}

void AssignmentNetwork::build_graph() {
    out = build_csr(node_count, init, term);
    in = build_csr(node_count, term, init);
}

// ---------------------------------------------------------------------------------------------
// TripTable

double TripTable::total() const {
    return std::accumulate(demand.begin(), demand.end(), 0.0);
}

TripTable TripTable::from_entries(std::int32_t zone_count, std::vector<std::int32_t> origins,
                                  std::vector<std::int32_t> destinations,
                                  std::vector<double> demands) {
    TripTable t;
    t.zone_count = zone_count;
    std::vector<std::size_t> order(origins.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return origins[a] != origins[b] ? origins[a] < origins[b]
                                        : destinations[a] < destinations[b];
    });
    t.origin_begin.assign(static_cast<std::size_t>(zone_count) + 1, 0);
    std::int32_t last_o = -1, last_d = -1;
    for (const std::size_t k : order) {
        const std::int32_t o = origins[k], d = destinations[k];
        if (o == d || o < 0 || o >= zone_count || d < 0 || d >= zone_count)
            continue;
        if (o == last_o && d == last_d) {
            t.demand.back() += demands[k];
            continue;
        }
        t.destination.push_back(d);
        t.demand.push_back(demands[k]);
        ++t.origin_begin[static_cast<std::size_t>(o) + 1];
        last_o = o;
        last_d = d;
    }
    for (std::size_t o = 0; o < static_cast<std::size_t>(zone_count); ++o)
        t.origin_begin[o + 1] += t.origin_begin[o];
    return t;
}

// ---------------------------------------------------------------------------------------------
// _net

AssignmentNetwork parse_tntp_net(std::string_view text, const std::string& file,
                                 Diagnostics& diags) {
    AssignmentNetwork net;
    const Metadata md = read_metadata(text, file, diags);
    if (!md.zones)
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "", "metadata has no <NUMBER OF ZONES>");
    const std::int32_t declared_nodes = md.nodes.value_or(0);
    std::int32_t max_node = 0;

    static constexpr std::string_view kFields[] = {
        "init_node", "term_node", "capacity", "length", "free_flow_time",
        "b",         "power",     "speed",    "toll",   "link_type"};
    const std::string_view body = text.substr(md.body_offset);
    for_each_line(body, [&](int rel_line, std::string_view raw) {
        const int line = md.body_line + rel_line - 1;
        std::vector<Token> toks = tokenize(strip_comment(raw));
        drop_semicolon(toks);
        if (toks.empty())
            return;
        if (toks.size() < 7 || toks.size() > 10) {
            diags.error(ErrorCode::kCsvSyntax, file, line, toks.front().column, "",
                        "a link line needs 7 to 10 fields (init_node term_node capacity length "
                        "free_flow_time b power [speed toll link_type]), found " +
                            std::to_string(toks.size()));
            return;
        }
        const auto from = to_int(toks[0].text);
        const auto to = to_int(toks[1].text);
        const std::string id = std::string(toks[0].text) + "-" + std::string(toks[1].text);
        bool ok = true;
        auto node_field = [&](const std::optional<std::int32_t>& v, std::size_t i) {
            if (!v || *v < 1 || *v > kMaxCount || (declared_nodes > 0 && *v > declared_nodes)) {
                field_error(
                    diags, v ? ErrorCode::kUnknownReference : ErrorCode::kNumberSyntax, file, line,
                    toks[i], id, kFields[i],
                    declared_nodes > 0
                        ? "expected a node number in [1, " + std::to_string(declared_nodes) + "]"
                        : "expected a node number in [1, " + std::to_string(kMaxCount) + "]");
                ok = false;
            }
        };
        node_field(from, 0);
        node_field(to, 1);
        double values[10] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        for (std::size_t i = 2; i < toks.size(); ++i) {
            auto v = to_double(toks[i].text);
            if (!v) {
                field_error(diags, ErrorCode::kNumberSyntax, file, line, toks[i], id, kFields[i],
                            "expected a number");
                ok = false;
                continue;
            }
            values[i] = *v;
        }
        if (!ok)
            return;
        auto range_error = [&](std::size_t i, const std::string& what) {
            field_error(diags, ErrorCode::kOutOfRange, file, line, toks[i], id, kFields[i], what);
            ok = false;
        };
        if (values[4] < 0.0)
            range_error(4, "free-flow time must be >= 0");
        if (values[5] < 0.0)
            range_error(5, "BPR b must be >= 0");
        if (values[6] < 0.0 || values[6] > 32.0)
            range_error(6, "BPR power must lie in [0, 32]");
        if (values[3] < 0.0)
            range_error(3, "length must be >= 0");
        if (values[2] < 0.0 || (values[2] == 0.0 && values[5] > 0.0 && values[4] > 0.0))
            range_error(2, "capacity must be > 0 where b > 0");
        if (toks.size() >= 10 && (values[9] != std::floor(values[9]) || std::abs(values[9]) > 1e9))
            range_error(9, "expected an integer");
        if (*from == *to)
            diags.error(ErrorCode::kInconsistent, file, line, toks[0].column, id,
                        "link starts and ends at the same node");
        if (!ok || *from == *to)
            return;
        max_node = std::max({max_node, *from, *to});
        net.init.push_back(*from - 1);
        net.term.push_back(*to - 1);
        net.capacity.push_back(values[2]);
        net.length.push_back(values[3]);
        net.free_flow_time.push_back(values[4]);
        net.b.push_back(values[5]);
        net.power.push_back(values[6]);
        net.speed.push_back(values[7]);
        net.toll.push_back(values[8]);
        net.link_type.push_back(static_cast<std::int32_t>(values[9]));
        net.source_line.push_back(line);
    });

    net.node_count = declared_nodes > 0 ? declared_nodes : max_node;
    net.zone_count = md.zones.value_or(0);
    net.first_thru_node = md.first_thru_node.value_or(1);
    if (net.zone_count > net.node_count) {
        diags.error(ErrorCode::kInconsistent, file, md.zones_line, 0, "",
                    "<NUMBER OF ZONES> " + std::to_string(net.zone_count) +
                        " exceeds the number of nodes " + std::to_string(net.node_count));
        net.zone_count = net.node_count;
    }
    if (md.links && *md.links != net.link_count() && !diags.has_errors())
        diags.warning(ErrorCode::kInconsistent, file, md.links_line, 0, "",
                      "<NUMBER OF LINKS> says " + std::to_string(*md.links) + " but " +
                          std::to_string(net.link_count()) + " links were read");
    // Parallel links would share one "<init>-<term>" id; TNTP results could not tell them apart.
    {
        std::vector<std::size_t> order(net.init.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return net.init[a] != net.init[b]
                       ? net.init[a] < net.init[b]
                       : (net.term[a] != net.term[b] ? net.term[a] < net.term[b] : a < b);
        });
        for (std::size_t k = 1; k < order.size(); ++k) {
            const std::size_t a = order[k - 1], c = order[k];
            if (net.init[a] == net.init[c] && net.term[a] == net.term[c])
                diags.warning(ErrorCode::kDuplicateId, file, net.source_line[c], 1,
                              net.link_label(static_cast<std::int32_t>(c)),
                              "parallel link: same init and term node as line " +
                                  std::to_string(net.source_line[a]) +
                                  "; results name both by the same id");
        }
    }
    net.build_graph();
    return net;
}

AssignmentNetwork read_tntp_net(const std::filesystem::path& path, Diagnostics& diags) {
    if (auto text = load(path, diags))
        return parse_tntp_net(*text, path.string(), diags);
    AssignmentNetwork net;
    net.build_graph();
    return net;
}

// ---------------------------------------------------------------------------------------------
// _trips

TripTable parse_tntp_trips(std::string_view text, const std::string& file, Diagnostics& diags) {
    const Metadata md = read_metadata(text, file, diags);
    if (!md.zones)
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "", "metadata has no <NUMBER OF ZONES>");
    const std::int32_t zones = md.zones.value_or(0);
    std::vector<std::int32_t> origins, dests;
    std::vector<double> demands;
    std::int32_t origin = -1;
    bool origin_error = false;

    const std::string_view body = text.substr(md.body_offset);
    for_each_line(body, [&](int rel_line, std::string_view raw) {
        const int line = md.body_line + rel_line - 1;
        std::string_view rest = strip_comment(raw);
        std::size_t offset = 0; // column offset of `rest` within raw
        const std::string_view t = trim(rest);
        if (t.empty())
            return;
        if (t.size() >= 6 && (t.substr(0, 6) == "Origin" || t.substr(0, 6) == "origin" ||
                              t.substr(0, 6) == "ORIGIN")) {
            offset = static_cast<std::size_t>(t.data() - raw.data()) + 6;
            std::string_view after = rest.substr(offset);
            // The origin number is the first token after the keyword.
            auto toks = tokenize(after.substr(0, after.find(';')), static_cast<int>(offset) + 1);
            if (toks.empty()) {
                diags.error(ErrorCode::kMissingKey, file, line, static_cast<int>(offset), "",
                            "field 'origin': 'Origin' without a zone number");
                origin = -1;
                origin_error = true;
                return;
            }
            const auto o = to_int(toks[0].text);
            if (!o || *o < 1 || *o > zones) {
                field_error(diags, o ? ErrorCode::kUnknownReference : ErrorCode::kNumberSyntax,
                            file, line, toks[0], "", "origin",
                            "expected a zone number in [1, " + std::to_string(zones) + "]");
                origin = -1;
                origin_error = true;
                return;
            }
            origin = *o - 1;
            origin_error = false;
            offset =
                static_cast<std::size_t>(toks[0].text.data() + toks[0].text.size() - raw.data());
            rest = rest.substr(offset);
        }
        // Entries "d : q" separated by ';'.
        std::size_t start = 0;
        while (start <= rest.size()) {
            auto semi = rest.find(';', start);
            const bool last = semi == std::string_view::npos;
            if (last)
                semi = rest.size();
            const std::string_view entry = rest.substr(start, semi - start);
            const int col = static_cast<int>(offset + start) + 1;
            if (!trim(entry).empty()) {
                const auto colon = entry.find(':');
                if (colon == std::string_view::npos) {
                    auto toks = tokenize(entry, col);
                    diags.error(ErrorCode::kCsvSyntax, file, line, toks.front().column, "",
                                "expected 'destination : demand', found '" +
                                    std::string(trim(entry)) + "'");
                } else {
                    auto dtoks = tokenize(entry.substr(0, colon), col);
                    auto qtoks =
                        tokenize(entry.substr(colon + 1), col + static_cast<int>(colon) + 1);
                    if (dtoks.size() != 1 || qtoks.size() != 1) {
                        diags.error(ErrorCode::kCsvSyntax, file, line, col, "",
                                    "expected 'destination : demand', found '" +
                                        std::string(trim(entry)) + "'");
                    } else if (origin < 0) {
                        if (!origin_error)
                            diags.error(ErrorCode::kMissingKey, file, line, col, "",
                                        "field 'origin': demand before any 'Origin' line");
                        origin_error = true;
                    } else {
                        const auto d = to_int(dtoks[0].text);
                        const auto q = to_double(qtoks[0].text);
                        const std::string id =
                            std::to_string(origin + 1) + "-" + std::string(dtoks[0].text);
                        if (!d || *d < 1 || *d > zones) {
                            field_error(
                                diags, d ? ErrorCode::kUnknownReference : ErrorCode::kNumberSyntax,
                                file, line, dtoks[0], id, "destination",
                                "expected a zone number in [1, " + std::to_string(zones) + "]");
                        } else if (!q || *q < 0.0) {
                            field_error(diags,
                                        q ? ErrorCode::kOutOfRange : ErrorCode::kNumberSyntax, file,
                                        line, qtoks[0], id, "demand", "expected a number >= 0");
                        } else if (*q > 0.0) {
                            origins.push_back(origin);
                            dests.push_back(*d - 1);
                            demands.push_back(*q);
                        }
                    }
                }
            }
            if (last)
                break;
            start = semi + 1;
        }
    });

    // Repeated pairs are summed; say so once per pair.
    {
        std::vector<std::size_t> order(origins.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return origins[a] != origins[b] ? origins[a] < origins[b]
                                            : (dests[a] != dests[b] ? dests[a] < dests[b] : a < b);
        });
        for (std::size_t k = 1; k < order.size(); ++k)
            if (origins[order[k]] == origins[order[k - 1]] &&
                dests[order[k]] == dests[order[k - 1]])
                diags.warning(ErrorCode::kDuplicateId, file, 0, 0,
                              std::to_string(origins[order[k]] + 1) + "-" +
                                  std::to_string(dests[order[k]] + 1),
                              "OD pair given more than once; the demands are summed");
    }
    TripTable t =
        TripTable::from_entries(zones, std::move(origins), std::move(dests), std::move(demands));
    if (md.total_od_flow) {
        t.declared_total = *md.total_od_flow;
        // Intrazonal demand is part of the declared total; add it back for the check.
        const double read_total = t.total();
        if (std::abs(read_total - *md.total_od_flow) > 1e-6 * std::max(1.0, *md.total_od_flow) &&
            !diags.has_errors()) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "<TOTAL OD FLOW> says %.10g but the interzonal demands add up to %.10g",
                          *md.total_od_flow, read_total);
            diags.warning(ErrorCode::kInconsistent, file, md.total_line, 0, "", buf);
        }
    }
    return t;
}

TripTable read_tntp_trips(const std::filesystem::path& path, Diagnostics& diags) {
    if (auto text = load(path, diags))
        return parse_tntp_trips(*text, path.string(), diags);
    return TripTable::from_entries(0, {}, {}, {});
}

// ---------------------------------------------------------------------------------------------
// _flow and _node

namespace {

/// Reads a table of numeric rows; a first row whose first token is not a number is a header.
/// `fields` names the columns; `fn(line, tokens)` receives rows of exactly that many numbers.
template <typename Fn>
void read_numeric_table(std::string_view text, const std::string& file, Diagnostics& diags,
                        std::span<const std::string_view> fields, Fn&& fn) {
    bool first = true;
    for_each_line(text, [&](int line, std::string_view raw) {
        std::vector<Token> toks = tokenize(strip_comment(raw));
        drop_semicolon(toks);
        if (toks.empty())
            return;
        if (first) {
            first = false;
            if (!to_double(toks[0].text))
                return; // header line
        }
        if (toks.size() != fields.size()) {
            diags.error(ErrorCode::kCsvSyntax, file, line, toks.front().column, "",
                        "expected " + std::to_string(fields.size()) + " fields, found " +
                            std::to_string(toks.size()));
            return;
        }
        std::vector<double> values(fields.size());
        bool ok = true;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            auto v = to_double(toks[i].text);
            if (!v) {
                field_error(diags, ErrorCode::kNumberSyntax, file, line, toks[i], "", fields[i],
                            "expected a number");
                ok = false;
                continue;
            }
            values[i] = *v;
        }
        if (ok)
            fn(line, toks, values);
    });
}

} // namespace

TntpFlows parse_tntp_flow(std::string_view text, const std::string& file, Diagnostics& diags) {
    static constexpr std::string_view kFields[] = {"from", "to", "volume", "cost"};
    TntpFlows f;
    read_numeric_table(text, file, diags, kFields,
                       [&](int line, const std::vector<Token>& toks, const std::vector<double>& v) {
                           const auto from = to_int(toks[0].text), to = to_int(toks[1].text);
                           const std::string id =
                               std::string(toks[0].text) + "-" + std::string(toks[1].text);
                           if (!from || *from < 1) {
                               field_error(diags, ErrorCode::kNumberSyntax, file, line, toks[0], id,
                                           "from", "expected a node number >= 1");
                               return;
                           }
                           if (!to || *to < 1) {
                               field_error(diags, ErrorCode::kNumberSyntax, file, line, toks[1], id,
                                           "to", "expected a node number >= 1");
                               return;
                           }
                           f.from.push_back(*from);
                           f.to.push_back(*to);
                           f.volume.push_back(v[2]);
                           f.cost.push_back(v[3]);
                           f.source_line.push_back(line);
                       });
    return f;
}

TntpFlows read_tntp_flow(const std::filesystem::path& path, Diagnostics& diags) {
    if (auto text = load(path, diags))
        return parse_tntp_flow(*text, path.string(), diags);
    return {};
}

TntpNodes parse_tntp_nodes(std::string_view text, const std::string& file, Diagnostics& diags) {
    static constexpr std::string_view kFields[] = {"node", "x", "y"};
    TntpNodes n;
    read_numeric_table(text, file, diags, kFields,
                       [&](int line, const std::vector<Token>& toks, const std::vector<double>& v) {
                           const auto id = to_int(toks[0].text);
                           if (!id || *id < 1) {
                               field_error(diags, ErrorCode::kNumberSyntax, file, line, toks[0], "",
                                           "node", "expected a node number >= 1");
                               return;
                           }
                           n.node.push_back(*id);
                           n.x.push_back(v[1]);
                           n.y.push_back(v[2]);
                       });
    return n;
}

TntpNodes read_tntp_nodes(const std::filesystem::path& path, Diagnostics& diags) {
    if (auto text = load(path, diags))
        return parse_tntp_nodes(*text, path.string(), diags);
    return {};
}

bool check_trips_fit(const AssignmentNetwork& net, const TripTable& trips, const std::string& file,
                     Diagnostics& diags) {
    if (trips.zone_count == net.zone_count)
        return true;
    diags.error(ErrorCode::kInconsistent, file, 0, 0, "",
                "the trips have " + std::to_string(trips.zone_count) +
                    " zones but the network has " + std::to_string(net.zone_count));
    return false;
}

} // namespace rencheng::transport
