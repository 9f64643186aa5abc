// Readers of user fragility sets: our own JSON form and IN-CORE DFR3 fragility set JSON.
#include <cctype>
#include <cmath>
#include <map>

#include "core/atomic_file.hpp"
#include "core/json_reader.hpp"
#include "hazard/fragility.hpp"

namespace rencheng::hazard {

namespace {

using nlohmann::json;

/// The source line of every value of a JSON text, in the shape of the document: members of
/// objects by key, elements of arrays by position. Built by a small scanner over text that
/// nlohmann already accepted (so it needs no error handling beyond staying in bounds), because
/// the DOM forgets where its values came from.
struct LineTree {
    int line = 0;
    std::map<std::string, LineTree, std::less<>> members;
    std::vector<LineTree> elements;

    [[nodiscard]] const LineTree* member(std::string_view key) const {
        const auto it = members.find(key);
        return it == members.end() ? nullptr : &it->second;
    }
    [[nodiscard]] const LineTree* element(std::size_t k) const {
        return k < elements.size() ? &elements[k] : nullptr;
    }
};

class LineScanner {
public:
    explicit LineScanner(std::string_view text) : text_(text) {}
    LineTree scan() {
        LineTree root;
        skip_space();
        value(root, 0);
        return root;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;

    void skip_space() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
            if (text_[pos_] == '\n')
                ++line_;
            ++pos_;
        }
    }
    std::string string_token() { // at the opening quote
        std::string s;
        ++pos_;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
                s += text_[pos_ + 1];
                pos_ += 2;
                continue;
            }
            s += text_[pos_++];
        }
        ++pos_;
        return s;
    }
    void value(LineTree& node, int depth) {
        node.line = line_;
        if (pos_ >= text_.size() || depth > 512)
            return;
        const char c = text_[pos_];
        if (c == '{') {
            ++pos_;
            skip_space();
            while (pos_ < text_.size() && text_[pos_] != '}') {
                if (text_[pos_] != '"') { // not valid JSON: stop quietly
                    pos_ = text_.size();
                    return;
                }
                const std::string key = string_token();
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ':')
                    ++pos_;
                skip_space();
                value(node.members[key], depth + 1);
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ',')
                    ++pos_;
                skip_space();
            }
            ++pos_;
        } else if (c == '[') {
            ++pos_;
            skip_space();
            while (pos_ < text_.size() && text_[pos_] != ']') {
                node.elements.emplace_back();
                value(node.elements.back(), depth + 1);
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ',')
                    ++pos_;
                skip_space();
            }
            ++pos_;
        } else if (c == '"') {
            string_token();
        } else {
            while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
                   text_[pos_] != ']' && !std::isspace(static_cast<unsigned char>(text_[pos_])))
                ++pos_;
        }
    }
};

/// Context for reporting a problem at a JSON path with the line of the value concerned.
struct Where {
    const std::string& file;
    Diagnostics& diags;
    void error(ErrorCode code, const LineTree* node, const std::string& id, const std::string& path,
               const std::string& message) const {
        diags.error(code, file, node ? node->line : 0, 0, id, path + ": " + message);
    }
};

const LineTree* child(const LineTree* n, std::string_view key) {
    return n ? n->member(key) : nullptr;
}
const LineTree* child(const LineTree* n, std::size_t k) {
    return n ? n->element(k) : nullptr;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// Reads a string member; reports missing (when required) or wrong type.
std::optional<std::string> get_string(const json& obj, const LineTree* node, std::string_view key,
                                      bool required, const Where& w, const std::string& id,
                                      const std::string& path) {
    const auto it = obj.find(std::string(key));
    if (it == obj.end()) {
        if (required)
            w.error(ErrorCode::kMissingKey, node, id, path + "." + std::string(key),
                    "required field missing");
        return std::nullopt;
    }
    if (!it->is_string()) {
        w.error(ErrorCode::kWrongType, child(node, key), id, path + "." + std::string(key),
                "must be a string");
        return std::nullopt;
    }
    return it->get<std::string>();
}

std::optional<double> get_number(const json& obj, const LineTree* node, std::string_view key,
                                 bool required, const Where& w, const std::string& id,
                                 const std::string& path) {
    const auto it = obj.find(std::string(key));
    if (it == obj.end()) {
        if (required)
            w.error(ErrorCode::kMissingKey, node, id, path + "." + std::string(key),
                    "required field missing");
        return std::nullopt;
    }
    if (!it->is_number()) {
        w.error(ErrorCode::kWrongType, child(node, key), id, path + "." + std::string(key),
                "must be a number");
        return std::nullopt;
    }
    return it->get<double>();
}

void check_keys(const json& obj, const LineTree* node, std::initializer_list<std::string_view> keys,
                const Where& w, const std::string& id, const std::string& path) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        bool known = false;
        for (auto k : keys)
            known = known || it.key() == k;
        if (!known)
            w.error(ErrorCode::kUnknownKey, child(node, it.key()), id, path + "." + it.key(),
                    "unknown field");
    }
}

// ---- Own form ---------------------------------------------------------------------------------

std::optional<FragilitySet> own_set(const json& s, const LineTree* node, std::size_t index,
                                    const Where& w) {
    const std::string path = "fragility_sets[" + std::to_string(index) + "]";
    if (!s.is_object()) {
        w.error(ErrorCode::kWrongType, node, "", path, "must be an object");
        return std::nullopt;
    }
    const std::size_t before = w.diags.error_count();
    FragilitySet set;
    set.id = get_string(s, node, "id", true, w, "", path).value_or("");
    const std::string& id = set.id;
    check_keys(s, node,
               {"id", "asset_class", "measure", "kind", "source", "verified", "note", "states"}, w,
               id, path);
    set.asset_class = get_string(s, node, "asset_class", true, w, id, path).value_or("");
    if (const auto m = get_string(s, node, "measure", true, w, id, path)) {
        if (const auto im = parse_intensity_measure(*m))
            set.measure = *im;
        else
            w.error(ErrorCode::kUnknownValue, child(node, "measure"), id, path + ".measure",
                    "'" + *m +
                        "' is not one of pga_g, pgv_cm_s, sa10_g, wind_gust_m_s, "
                        "wind_sustained_m_s, flood_depth_m");
    }
    if (const auto k = get_string(s, node, "kind", false, w, id, path)) {
        if (*k == "lognormal")
            set.kind = CurveKind::kLognormal;
        else if (*k == "threshold")
            set.kind = CurveKind::kThreshold;
        else
            w.error(ErrorCode::kUnknownValue, child(node, "kind"), id, path + ".kind",
                    "'" + *k + "' is not lognormal or threshold");
    }
    set.source = get_string(s, node, "source", false, w, id, path).value_or("user file");
    set.note = get_string(s, node, "note", false, w, id, path).value_or("");
    if (const auto it = s.find("verified"); it != s.end()) {
        if (it->is_boolean())
            set.verified = it->get<bool>();
        else
            w.error(ErrorCode::kWrongType, child(node, "verified"), id, path + ".verified",
                    "must be true or false");
    }
    const auto states = s.find("states");
    if (states == s.end()) {
        w.error(ErrorCode::kMissingKey, node, id, path + ".states", "required field missing");
    } else if (!states->is_array() || states->empty()) {
        w.error(ErrorCode::kWrongType, child(node, "states"), id, path + ".states",
                "must be a non-empty array");
    } else {
        const LineTree* snode = child(node, "states");
        for (std::size_t k = 0; k < states->size(); ++k) {
            const json& st = (*states)[k];
            const LineTree* stn = child(snode, k);
            const std::string sp = path + ".states[" + std::to_string(k) + "]";
            if (!st.is_object()) {
                w.error(ErrorCode::kWrongType, stn, id, sp, "must be an object");
                continue;
            }
            DamageStateCurve c;
            c.name = get_string(st, stn, "name", true, w, id, sp).value_or("");
            if (set.kind == CurveKind::kThreshold) {
                check_keys(st, stn, {"name", "threshold"}, w, id, sp);
                c.median = get_number(st, stn, "threshold", true, w, id, sp).value_or(0.0);
            } else {
                check_keys(st, stn, {"name", "median", "beta"}, w, id, sp);
                c.median = get_number(st, stn, "median", true, w, id, sp).value_or(0.0);
                c.beta = get_number(st, stn, "beta", true, w, id, sp).value_or(0.0);
            }
            set.states.push_back(c);
        }
    }
    if (w.diags.error_count() > before)
        return std::nullopt;
    if (!set.validate(w.diags, w.file, node ? node->line : 0))
        return std::nullopt;
    return set;
}

// ---- DFR3 -------------------------------------------------------------------------------------

/// Factor from a DFR3 demand unit to our unit of `m`; nullopt for a unit we do not know.
std::optional<double> unit_factor(IntensityMeasure m, std::string_view unit) {
    const std::string u = lower(unit);
    switch (m) {
    case IntensityMeasure::kPga:
    case IntensityMeasure::kSa10:
        if (u == "g")
            return 1.0;
        if (u == "cm/s^2" || u == "cm/s2" || u == "gal")
            return 1.0 / 980.665;
        if (u == "m/s^2" || u == "m/s2")
            return 1.0 / 9.80665;
        return std::nullopt;
    case IntensityMeasure::kPgv:
        if (u == "cm/s" || u == "cms")
            return 1.0;
        if (u == "in/s" || u == "in/sec")
            return 2.54;
        if (u == "m/s")
            return 100.0;
        return std::nullopt;
    case IntensityMeasure::kWindGust:
    case IntensityMeasure::kWindSustained:
        if (u == "m/s")
            return 1.0;
        if (u == "mph")
            return 0.44704;
        if (u == "km/h" || u == "kph")
            return 1.0 / 3.6;
        if (u == "ft/s")
            return 0.3048;
        return std::nullopt;
    case IntensityMeasure::kFloodDepth:
        if (u == "m")
            return 1.0;
        if (u == "ft")
            return 0.3048;
        if (u == "in")
            return 0.0254;
        if (u == "cm")
            return 0.01;
        return std::nullopt;
    }
    return std::nullopt;
}

/// First string of a member that is a string or an array of strings.
std::optional<std::string> first_string(const json& obj, std::string_view key, std::size_t& count) {
    count = 0;
    const auto it = obj.find(std::string(key));
    if (it == obj.end())
        return std::nullopt;
    if (it->is_string()) {
        count = 1;
        return it->get<std::string>();
    }
    if (it->is_array() && !it->empty() && (*it)[0].is_string()) {
        count = it->size();
        return (*it)[0].get<std::string>();
    }
    count = 1; // present but of the wrong type
    return std::nullopt;
}

/// Parses "scipy.stats.norm.cdf((math.log(X) - math.log(M))/(B))" (the form IN-CORE writes for
/// converted standard lognormal curves) into M and B; nullopt for anything else.
std::optional<std::pair<double, double>> lognormal_expression(std::string expr) {
    std::string s;
    for (char c : expr)
        if (!std::isspace(static_cast<unsigned char>(c)))
            s += c;
    const std::string head = "scipy.stats.norm.cdf((math.log(";
    if (s.rfind(head, 0) != 0)
        return std::nullopt;
    std::size_t p = head.size();
    const std::size_t var_end = s.find(')', p);
    if (var_end == std::string::npos)
        return std::nullopt;
    p = var_end + 1;
    const std::string mid = "-math.log(";
    if (s.compare(p, mid.size(), mid) != 0)
        return std::nullopt;
    p += mid.size();
    const std::size_t m_end = s.find(')', p);
    if (m_end == std::string::npos)
        return std::nullopt;
    const std::string median = s.substr(p, m_end - p);
    p = m_end + 1;
    const std::string div = ")/(";
    if (s.compare(p, div.size(), div) != 0)
        return std::nullopt;
    p += div.size();
    const std::size_t b_end = s.find(')', p);
    if (b_end == std::string::npos || s.substr(b_end) != "))")
        return std::nullopt;
    const std::string beta = s.substr(p, b_end - p);
    char* end = nullptr;
    const double m = std::strtod(median.c_str(), &end);
    if (end != median.c_str() + median.size() || median.empty())
        return std::nullopt;
    const double b = std::strtod(beta.c_str(), &end);
    if (end != beta.c_str() + beta.size() || beta.empty())
        return std::nullopt;
    return std::pair{m, b};
}

std::optional<FragilitySet> dfr3_set(const json& s, const LineTree* node, const std::string& path,
                                     const Where& w) {
    if (!s.is_object()) {
        w.error(ErrorCode::kWrongType, node, "", path, "a DFR3 fragility set must be an object");
        return std::nullopt;
    }
    const std::size_t before = w.diags.error_count();
    FragilitySet set;
    set.id = get_string(s, node, "id", true, w, "", path).value_or("");
    const std::string& id = set.id;
    set.asset_class = id;
    set.source = get_string(s, node, "description", false, w, id, path).value_or("IN-CORE DFR3");
    if (const auto a = s.find("authors"); a != s.end() && a->is_array())
        for (const auto& x : *a)
            if (x.is_string())
                set.note += (set.note.empty() ? "" : ", ") + x.get<std::string>();

    std::size_t ndemand = 0, nunit = 0;
    const char* demand_key = s.contains("demandTypes") ? "demandTypes" : "demandType";
    const char* unit_key = s.contains("demandUnits") ? "demandUnits" : "demandUnit";
    const auto demand = first_string(s, demand_key, ndemand);
    const auto unit = first_string(s, unit_key, nunit);
    double factor = 1.0;
    if (!demand) {
        w.error(ndemand ? ErrorCode::kWrongType : ErrorCode::kMissingKey,
                child(node, demand_key) ? child(node, demand_key) : node, id,
                path + "." + demand_key,
                ndemand ? "must be a string or an array of strings" : "required field missing");
    } else if (ndemand > 1) {
        w.error(ErrorCode::kUnsupported, child(node, demand_key), id, path + "." + demand_key,
                "fragility sets with several demand types are not supported");
    } else if (const auto im = parse_intensity_measure(*demand)) {
        set.measure = *im;
        if (!unit) {
            w.error(nunit ? ErrorCode::kWrongType : ErrorCode::kMissingKey,
                    child(node, unit_key) ? child(node, unit_key) : node, id, path + "." + unit_key,
                    nunit ? "must be a string or an array of strings" : "required field missing");
        } else if (const auto f = unit_factor(*im, *unit)) {
            factor = *f;
        } else {
            w.error(ErrorCode::kUnknownValue, child(node, unit_key), id, path + "." + unit_key,
                    "unit '" + *unit + "' is not known for " +
                        std::string(intensity_measure_name(*im)));
        }
    } else {
        w.error(ErrorCode::kUnsupported, child(node, demand_key), id, path + "." + demand_key,
                "demand type '" + *demand +
                    "' is not supported (PGA, PGV, 1.0 SA, wind, inundationDepth)");
    }

    const auto curves = s.find("fragilityCurves");
    const LineTree* cnode = child(node, "fragilityCurves");
    if (curves == s.end()) {
        w.error(ErrorCode::kMissingKey, node, id, path + ".fragilityCurves",
                "required field missing");
    } else if (!curves->is_array() || curves->empty()) {
        w.error(ErrorCode::kWrongType, cnode, id, path + ".fragilityCurves",
                "must be a non-empty array");
    } else {
        for (std::size_t k = 0; k < curves->size(); ++k) {
            const json& c = (*curves)[k];
            const LineTree* n = child(cnode, k);
            const std::string cp = path + ".fragilityCurves[" + std::to_string(k) + "]";
            if (!c.is_object()) {
                w.error(ErrorCode::kWrongType, n, id, cp, "must be an object");
                continue;
            }
            DamageStateCurve st;
            const std::string cls = c.contains("className") && c["className"].is_string()
                                        ? c["className"].get<std::string>()
                                        : "";
            if (c.contains("rules")) {
                // Refactored DFR3 curve: one rule whose expression is a standard lognormal CDF.
                if (const auto rt = c.find("returnType"); rt != c.end() && rt->is_object())
                    st.name = get_string(*rt, child(n, "returnType"), "description", true, w, id,
                                         cp + ".returnType")
                                  .value_or("");
                else
                    w.error(ErrorCode::kMissingKey, n, id, cp + ".returnType",
                            "required field missing");
                const json& rules = c["rules"];
                const LineTree* rn = child(n, "rules");
                if (!rules.is_array() || rules.size() != 1 || !rules[0].is_object() ||
                    !rules[0].contains("expression") || !rules[0]["expression"].is_string()) {
                    w.error(ErrorCode::kUnsupported, rn, id, cp + ".rules",
                            "only a single rule with a lognormal 'expression' is supported");
                    continue;
                }
                const auto mb = lognormal_expression(rules[0]["expression"].get<std::string>());
                if (!mb) {
                    w.error(ErrorCode::kUnsupported, child(child(rn, std::size_t{0}), "expression"),
                            id, cp + ".rules[0].expression",
                            "only scipy.stats.norm.cdf((math.log(X) - math.log(median))/(beta)) "
                            "is supported");
                    continue;
                }
                st.median = mb->first;
                st.beta = mb->second;
            } else {
                if (!cls.empty() && cls != "StandardFragilityCurve" && cls != "LogNormal" &&
                    cls != "FragilityCurve") {
                    w.error(ErrorCode::kUnsupported, child(n, "className"), id, cp + ".className",
                            "curve class '" + cls +
                                "' is not supported (standard lognormal curves only)");
                    continue;
                }
                if (const auto t = get_string(c, n, "curveType", false, w, id, cp);
                    t && *t != "LogNormal" && *t != "Lognormal" && *t != "lognormal") {
                    w.error(ErrorCode::kUnsupported, child(n, "curveType"), id, cp + ".curveType",
                            "curve type '" + *t + "' is not supported (LogNormal only)");
                    continue;
                }
                st.name = get_string(c, n, "description", true, w, id, cp).value_or("");
                st.beta = get_number(c, n, "beta", true, w, id, cp).value_or(0.0);
                if (c.contains("median")) {
                    st.median = get_number(c, n, "median", true, w, id, cp).value_or(0.0);
                } else {
                    const auto alpha = get_number(c, n, "alpha", true, w, id, cp);
                    const auto type =
                        get_string(c, n, "alphaType", false, w, id, cp).value_or("median");
                    if (type == "median") {
                        st.median = alpha.value_or(0.0);
                    } else if (type == "lambda") {
                        st.median = alpha ? std::exp(*alpha) : 0.0; // alpha = ln(median)
                    } else {
                        w.error(ErrorCode::kUnknownValue, child(n, "alphaType"), id,
                                cp + ".alphaType", "'" + type + "' is not median or lambda");
                    }
                }
            }
            st.median *= factor;
            if (!(st.median > 0.0))
                w.error(ErrorCode::kOutOfRange, n, id, cp, "median must be > 0");
            if (!(st.beta > 0.0))
                w.error(ErrorCode::kOutOfRange, n, id, cp, "beta must be > 0");
            set.states.push_back(st);
        }
    }
    if (w.diags.error_count() > before)
        return std::nullopt;
    if (!set.validate(w.diags, w.file, node ? node->line : 0))
        return std::nullopt;
    return set;
}

} // namespace

std::vector<FragilitySet> parse_fragility_json(std::string_view text, const std::string& file,
                                               Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const JsonDocument doc = parse_json(text, file, diags);
    if (diags.error_count() > before)
        return {};
    const LineTree lines = LineScanner(text).scan();
    const Where w{file, diags};
    const json& root = doc.root;
    if (!root.is_object() || !root.contains("fragility_sets")) {
        w.error(ErrorCode::kMissingKey, &lines, "", "fragility_sets",
                "our fragility JSON is an object with a fragility_sets array");
        return {};
    }
    check_keys(root, &lines, {"fragility_sets", "description"}, w, "", "");
    const json& sets = root["fragility_sets"];
    const LineTree* snode = lines.member("fragility_sets");
    if (!sets.is_array()) {
        w.error(ErrorCode::kWrongType, snode, "", "fragility_sets", "must be an array");
        return {};
    }
    std::vector<FragilitySet> out;
    std::map<std::string, int> seen;
    for (std::size_t k = 0; k < sets.size(); ++k) {
        auto s = own_set(sets[k], child(snode, k), k, w);
        if (!s)
            continue;
        const int line = child(snode, k) ? child(snode, k)->line : 0;
        if (const auto it = seen.find(s->id); it != seen.end()) {
            diags.error(ErrorCode::kDuplicateId, file, line, 0, s->id,
                        "fragility_sets[" + std::to_string(k) + "].id: also used on line " +
                            std::to_string(it->second));
            continue;
        }
        seen[s->id] = line;
        out.push_back(std::move(*s));
    }
    if (diags.error_count() > before)
        return {};
    return out;
}

std::vector<FragilitySet> parse_dfr3_json(std::string_view text, const std::string& file,
                                          Diagnostics& diags) {
    const std::size_t before = diags.error_count();
    const JsonDocument doc = parse_json(text, file, diags);
    if (diags.error_count() > before)
        return {};
    const LineTree lines = LineScanner(text).scan();
    const Where w{file, diags};
    std::vector<FragilitySet> out;
    if (doc.root.is_array()) {
        for (std::size_t k = 0; k < doc.root.size(); ++k)
            if (auto s = dfr3_set(doc.root[k], child(&lines, k), "[" + std::to_string(k) + "]", w))
                out.push_back(std::move(*s));
    } else if (auto s = dfr3_set(doc.root, &lines, "$", w)) {
        out.push_back(std::move(*s));
    }
    if (diags.error_count() > before)
        return {};
    return out;
}

std::size_t FragilityLibrary::parse_json(std::string_view text, const std::string& file,
                                         Diagnostics& diags) {
    // Our form is an object with "fragility_sets"; anything else is read as DFR3. A syntax error
    // is reported by whichever parser runs.
    const bool own = text.find("\"fragility_sets\"") != std::string_view::npos;
    auto sets = own ? parse_fragility_json(text, file, diags) : parse_dfr3_json(text, file, diags);
    for (auto& s : sets)
        add(std::move(s));
    return sets.size();
}

std::size_t FragilityLibrary::read_json(const std::filesystem::path& path, Diagnostics& diags) {
    const auto text = read_file(path, diags);
    if (!text)
        return 0;
    return parse_json(*text, path.string(), diags);
}

} // namespace rencheng::hazard
