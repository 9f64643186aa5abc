// The measures file of a capacity assessment: [[measure]] tables of storage tanks, pipe upsizes
// and runoff reductions, checked against the network (docs/drainage.md "Measures file").
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <toml++/toml.h>

#include "core/atomic_file.hpp"
#include "drainage/capacity.hpp"

namespace rencheng::drainage {

namespace {

int line_of(const toml::source_region& s) {
    return static_cast<int>(s.begin.line);
}

std::string show(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

/// Reads the keys of one [[measure]] table; every problem goes to the diagnostics with the line
/// of the key (or of the table when the key is missing).
class MeasureReader {
public:
    MeasureReader(const toml::table& t, std::string what, const std::string& file,
                  Diagnostics& diags)
        : t_(t), what_(std::move(what)), file_(file), diags_(diags) {}

    [[nodiscard]] int line(std::string_view key) const {
        const toml::node* n = t_.get(key);
        return line_of(n != nullptr ? n->source() : t_.source());
    }
    [[nodiscard]] bool has(std::string_view key) const { return t_.get(key) != nullptr; }
    void error(ErrorCode code, std::string_view key, const std::string& message,
               const std::string& element = "") {
        diags_.error(code, file_, line(key), 0, element,
                     what_ + (key.empty() ? "" : "." + std::string(key)) + ": " + message);
        ok_ = false;
    }
    [[nodiscard]] bool ok() const { return ok_; }

    void check_keys(std::initializer_list<std::string_view> known) {
        for (auto&& [key, node] : t_) {
            if (std::find(known.begin(), known.end(), key.str()) != known.end())
                continue;
            std::string list;
            for (const auto k : known)
                list += (list.empty() ? "" : ", ") + std::string(k);
            diags_.error(ErrorCode::kUnknownKey, file_, line_of(key.source()), 0, "",
                         what_ + ": unknown key '" + std::string(key.str()) +
                             "' (known here: " + list + ")");
            ok_ = false;
        }
    }

    std::string string(std::string_view key, bool required) {
        const toml::node* n = t_.get(key);
        if (n == nullptr) {
            if (required)
                error(ErrorCode::kMissingKey, key, "missing");
            return {};
        }
        const auto* s = n->as_string();
        if (s == nullptr || s->get().empty()) {
            error(ErrorCode::kWrongType, key, "must be a non-empty string");
            return {};
        }
        return s->get();
    }

    /// A number (integers convert) in (lo, hi].
    double number(std::string_view key, bool required, double lo, double hi) {
        const toml::node* n = t_.get(key);
        if (n == nullptr) {
            if (required)
                error(ErrorCode::kMissingKey, key, "missing");
            return 0.0;
        }
        const auto v = n->value<double>();
        if (!v.has_value() || n->is_boolean() || n->is_string()) {
            error(ErrorCode::kWrongType, key, "must be a number");
            return 0.0;
        }
        if (!std::isfinite(*v) || !(*v > lo) || *v > hi) {
            error(ErrorCode::kOutOfRange, key,
                  "= " + show(*v) + " is out of range (" + show(lo) + ", " + show(hi) + "]");
            return 0.0;
        }
        return *v;
    }

    const toml::node* node(std::string_view key) const { return t_.get(key); }

private:
    const toml::table& t_;
    std::string what_;
    const std::string& file_;
    Diagnostics& diags_;
    bool ok_ = true;
};

void read_tank(MeasureReader& r, Measure& m, const Network& net) {
    r.check_keys({"name", "type", "node", "volume_m3", "depth_m", "curve"});
    const std::string node = r.string("node", true);
    if (!node.empty()) {
        m.node = net.find_node(node);
        if (!m.node.valid())
            r.error(ErrorCode::kUnknownReference, "node", "no node '" + node + "' in the network",
                    node);
        else if (net.node_kind[m.node.idx()] != NodeKind::kJunction)
            r.error(ErrorCode::kUnsupported, "node",
                    "'" + node + "' is not a junction; a tank replaces a junction", node);
    }
    m.depth_m = r.number("depth_m", false, 0.0, 100.0);
    const bool has_volume = r.has("volume_m3");
    const bool has_curve = r.has("curve");
    if (has_volume == has_curve) {
        r.error(ErrorCode::kMissingKey, "", "give either volume_m3 or curve (not both)");
        return;
    }
    if (has_volume) {
        m.volume_m3 = r.number("volume_m3", true, 0.0, 1e9);
        return;
    }
    // curve = [[depth_m, area_m2], ...]: depths increasing from >= 0, areas >= 0
    const toml::node* c = r.node("curve");
    const auto* arr = c->as_array();
    bool good = arr != nullptr && arr->size() >= 2;
    if (good)
        for (const auto& e : *arr) {
            const auto* pair = e.as_array();
            std::optional<double> d, a;
            if (pair != nullptr && pair->size() == 2 && !(*pair)[0].is_boolean() &&
                !(*pair)[1].is_boolean()) {
                d = (*pair)[0].value<double>();
                a = (*pair)[1].value<double>();
            }
            if (!d || !a || !std::isfinite(*d) || !std::isfinite(*a) || *d < 0 || *a < 0 ||
                (!m.curve_depth_m.empty() && *d <= m.curve_depth_m.back())) {
                good = false;
                break;
            }
            m.curve_depth_m.push_back(*d);
            m.curve_area_m2.push_back(*a);
        }
    if (good && *std::max_element(m.curve_area_m2.begin(), m.curve_area_m2.end()) <= 0)
        good = false;
    if (!good) {
        m.curve_depth_m.clear();
        m.curve_area_m2.clear();
        r.error(ErrorCode::kWrongType, "curve",
                "must be two or more [depth_m, area_m2] pairs, depths increasing from 0 or "
                "more, areas not negative and not all zero");
    }
}

void read_upsize(MeasureReader& r, Measure& m, const Network& net) {
    r.check_keys({"name", "type", "conduit", "diameter_m"});
    const std::string id = r.string("conduit", true);
    if (!id.empty()) {
        m.conduit = net.find_link(id);
        if (!m.conduit.valid() || net.link_kind[m.conduit.idx()] != LinkKind::kConduit)
            r.error(ErrorCode::kUnknownReference, "conduit",
                    "no conduit '" + id + "' in the network", id);
        else if (net.xsection[m.conduit.idx()].shape != XsectShape::kCircular)
            r.error(ErrorCode::kUnsupported, "conduit",
                    "'" + id + "' is " +
                        std::string(xsect_shape_name(net.xsection[m.conduit.idx()].shape)) +
                        "; pipe_upsize sets the diameter of a CIRCULAR conduit",
                    id);
    }
    m.diameter_m = r.number("diameter_m", true, 0.0, 50.0);
}

void read_runoff_reduction(MeasureReader& r, Measure& m, const Network& net) {
    r.check_keys({"name", "type", "lid", "subcatchments", "treated_fraction", "capture_depth_mm"});
    m.lid = r.string("lid", true);
    if (!m.lid.empty() && m.lid != "green_roof" && m.lid != "permeable_paving" &&
        m.lid != "bioretention")
        r.error(ErrorCode::kUnknownValue, "lid",
                "'" + m.lid + "' is not green_roof, permeable_paving or bioretention");
    m.treated_fraction = r.number("treated_fraction", true, 0.0, 1.0);
    m.capture_depth_m = r.number("capture_depth_mm", true, 0.0, 2000.0) / 1000.0;
    const toml::node* n = r.node("subcatchments");
    if (n == nullptr) {
        r.error(ErrorCode::kMissingKey, "subcatchments", "missing");
        return;
    }
    const auto* arr = n->as_array();
    if (arr == nullptr || arr->empty()) {
        r.error(ErrorCode::kWrongType, "subcatchments",
                "must be an array of subcatchment ids, or [\"*\"] for all");
        return;
    }
    std::set<std::int32_t> chosen;
    for (const auto& e : *arr) {
        const auto* s = e.as_string();
        if (s == nullptr || s->get().empty()) {
            r.error(ErrorCode::kWrongType, "subcatchments", "must hold non-empty strings");
            return;
        }
        if (s->get() == "*") {
            for (std::int32_t k = 0; k < net.subcatchments.count(); ++k)
                chosen.insert(k);
            continue;
        }
        const SubcatchIndex si = net.find_subcatchment(s->get());
        if (!si.valid())
            r.error(ErrorCode::kUnknownReference, "subcatchments",
                    "no subcatchment '" + s->get() + "' in the network", s->get());
        else
            chosen.insert(si.idx());
    }
    if (chosen.empty() && r.ok())
        r.error(ErrorCode::kInconsistent, "subcatchments", "the network has no subcatchments");
    for (const std::int32_t k : chosen)
        m.subcatchments.push_back(SubcatchIndex{k});
}

} // namespace

std::vector<Measure> parse_measures_toml(std::string_view text, const std::string& file,
                                         const Network& net, Diagnostics& diags) {
    std::vector<Measure> out;
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        diags.error(ErrorCode::kTomlSyntax, file, static_cast<int>(e.source().begin.line),
                    static_cast<int>(e.source().begin.column), "", std::string(e.description()));
        return out;
    }
    for (auto&& [key, node] : root)
        if (key.str() != "measure")
            diags.error(ErrorCode::kUnknownKey, file, line_of(key.source()), 0, "",
                        "unknown key '" + std::string(key.str()) +
                            "' (a measures file holds [[measure]] tables)");
    const toml::node* list = root.get("measure");
    if (list == nullptr) {
        diags.error(ErrorCode::kMissingKey, file, 1, 0, "", "no [[measure]] table");
        return out;
    }
    const auto* arr = list->as_array();
    if (arr == nullptr || !arr->is_array_of_tables() || arr->empty()) {
        diags.error(ErrorCode::kWrongType, file, line_of(list->source()), 0, "",
                    "'measure' must be an array of tables [[measure]]");
        return out;
    }
    std::set<std::string> names;
    std::set<std::int32_t> tank_nodes;
    int index = 0;
    for (const auto& e : *arr) {
        const toml::table& t = *e.as_table();
        ++index;
        MeasureReader r(t, "measure " + std::to_string(index), file, diags);
        Measure m;
        m.line = line_of(t.source());
        m.name = r.string("name", true);
        if (!m.name.empty() && !names.insert(m.name).second)
            r.error(ErrorCode::kDuplicateId, "name", "'" + m.name + "' is used twice", m.name);
        const std::string type = r.string("type", true);
        if (type == "storage_tank") {
            m.type = MeasureType::kStorageTank;
            read_tank(r, m, net);
            if (m.node.valid() && !tank_nodes.insert(m.node.idx()).second)
                r.error(ErrorCode::kDuplicateId, "node",
                        "node '" + net.node_id[m.node.idx()] + "' already has a tank");
        } else if (type == "pipe_upsize") {
            m.type = MeasureType::kPipeUpsize;
            read_upsize(r, m, net);
        } else if (type == "runoff_reduction") {
            m.type = MeasureType::kRunoffReduction;
            read_runoff_reduction(r, m, net);
        } else if (!type.empty()) {
            r.error(ErrorCode::kUnknownValue, "type",
                    "'" + type + "' is not storage_tank, pipe_upsize or runoff_reduction");
        }
        if (r.ok())
            out.push_back(std::move(m));
    }
    return out;
}

std::vector<Measure> read_measures_toml(const std::filesystem::path& path, const Network& net,
                                        Diagnostics& diags) {
    const std::string text = read_file(path);
    return parse_measures_toml(text, path.string(), net, diags);
}

} // namespace rencheng::drainage
