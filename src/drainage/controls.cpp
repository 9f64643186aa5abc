// Control rule compilation and evaluation (SWMM 5.2 User's Manual, Control Rules; controls.c).
#include "drainage/controls.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/error.hpp"
#include "drainage/routing.hpp"

namespace rencheng::drainage {

namespace {

std::string upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

[[noreturn]] void unsupported(const ControlRule& r, const std::string& what) {
    throw Error(ErrorCode::kUnsupported,
                "control rule " + r.id + ": " + what + " is not yet simulated");
}

double parse_number(const ControlRule& r, const std::string& s) {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0')
        unsupported(r, "value '" + s + "'");
    return v;
}

/// "h:mm[:ss]" or decimal hours → seconds.
double parse_hours(const ControlRule& r, const std::string& s) {
    if (s.find(':') == std::string::npos)
        return parse_number(r, s) * 3600.0;
    double parts[3] = {0, 0, 0};
    std::size_t pos = 0;
    for (int i = 0; i < 3 && pos <= s.size(); ++i) {
        const auto end = std::min(s.find(':', pos), s.size());
        parts[i] = parse_number(r, s.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

} // namespace

ControlRules::ControlRules(const Network& net) {
    const UnitFactors uf = unit_factors(net.options.flow_units);
    auto find_link = [&](const ControlRule& r, const std::string& id) {
        const auto l = net.find_link(id);
        if (!l.valid())
            unsupported(r, "unknown link " + id);
        return static_cast<int>(l.idx());
    };
    auto status_value = [&](const ControlRule& r, const std::string& s) {
        const auto u = upper(s);
        if (u == "ON" || u == "OPEN")
            return 1.0;
        if (u == "OFF" || u == "CLOSED")
            return 0.0;
        return parse_number(r, s);
    };
    for (const auto& r : net.rules) {
        Rule rule;
        rule.priority = r.priority.value_or(0.0);
        for (const auto& p : r.premises) {
            const auto& t = p.tokens;
            Premise pr;
            pr.is_or = p.logic == RulePremise::Logic::kOr;
            std::size_t k = 0;
            if (t.size() < 4)
                unsupported(r, "a premise with fewer than four fields");
            const auto object = upper(t[0]);
            if (object == "SIMULATION") {
                if (upper(t[1]) != "TIME")
                    unsupported(r, "SIMULATION " + t[1]);
                pr.object = Object::kTime;
                pr.attribute = Attribute::kTime;
                k = 2;
            } else if (object == "NODE") {
                const auto n = net.find_node(t[1]);
                if (!n.valid())
                    unsupported(r, "unknown node " + t[1]);
                pr.object = Object::kNode;
                pr.index = static_cast<int>(n.idx());
                const auto a = upper(t[2]);
                if (a == "DEPTH")
                    pr.attribute = Attribute::kDepth;
                else if (a == "HEAD")
                    pr.attribute = Attribute::kHead;
                else
                    unsupported(r, "node attribute " + t[2]);
                k = 3;
            } else if (object == "LINK" || object == "CONDUIT" || object == "PUMP" ||
                       object == "ORIFICE" || object == "WEIR" || object == "OUTLET") {
                pr.object = Object::kLink;
                pr.index = find_link(r, t[1]);
                const auto a = upper(t[2]);
                if (a == "FLOW")
                    pr.attribute = Attribute::kFlow;
                else if (a == "DEPTH")
                    pr.attribute = Attribute::kDepth;
                else if (a == "STATUS")
                    pr.attribute = Attribute::kStatus;
                else if (a == "SETTING")
                    pr.attribute = Attribute::kSetting;
                else
                    unsupported(r, "link attribute " + t[2]);
                k = 3;
            } else {
                unsupported(r, "premise object " + t[0]);
            }
            if (t.size() != k + 2)
                unsupported(r, "a premise comparing with another variable");
            const auto rel = t[k];
            if (rel == "=")
                pr.relation = Relation::kEq;
            else if (rel == "<>")
                pr.relation = Relation::kNe;
            else if (rel == "<")
                pr.relation = Relation::kLt;
            else if (rel == "<=")
                pr.relation = Relation::kLe;
            else if (rel == ">")
                pr.relation = Relation::kGt;
            else if (rel == ">=")
                pr.relation = Relation::kGe;
            else
                unsupported(r, "relation " + rel);
            const auto& v = t[k + 1];
            switch (pr.attribute) {
            case Attribute::kTime:
                pr.value = parse_hours(r, v);
                break;
            case Attribute::kDepth:
            case Attribute::kHead:
                pr.value = parse_number(r, v) * uf.length;
                break;
            case Attribute::kFlow:
                pr.value = parse_number(r, v) * uf.flow;
                break;
            case Attribute::kStatus:
            case Attribute::kSetting:
                pr.value = status_value(r, v);
                break;
            }
            rule.premises.push_back(pr);
        }
        for (const auto& a : r.actions) {
            const auto& t = a.tokens;
            if (t.size() != 5 || t[3] != "=")
                unsupported(r, "an action that is not 'object id attribute = value'");
            const auto object = upper(t[0]);
            if (object != "PUMP" && object != "ORIFICE" && object != "WEIR" && object != "OUTLET" &&
                object != "CONDUIT" && object != "LINK")
                unsupported(r, "action on " + t[0]);
            const auto attr = upper(t[2]);
            if (attr != "STATUS" && attr != "SETTING")
                unsupported(r, "action attribute " + t[2]);
            Action ac;
            ac.else_branch = a.else_branch;
            ac.link = find_link(r, t[1]);
            ac.setting = status_value(r, t[4]);
            rule.actions.push_back(ac);
        }
        rules_.push_back(std::move(rule));
    }
}

void ControlRules::apply(FlowRouter& router, double t_s, double dt_s) const {
    const auto& nodes = router.nodes();
    const auto& links = router.links();
    struct Chosen {
        int link;
        double setting;
        double priority;
    };
    std::vector<Chosen> chosen;
    auto holds = [&](const Premise& p) {
        double lhs = 0;
        switch (p.object) {
        case Object::kTime: {
            // equality holds within half a step (SWMM compareTimes)
            const double half = dt_s / 2.0;
            if (p.relation == Relation::kEq)
                return t_s >= p.value - half && t_s < p.value + half;
            if (p.relation == Relation::kNe)
                return t_s < p.value - half || t_s >= p.value + half;
            lhs = t_s;
            break;
        }
        case Object::kNode: {
            const auto& nd = nodes[p.index];
            lhs = p.attribute == Attribute::kHead ? nd.depth + nd.invert_m : nd.depth;
            break;
        }
        case Object::kLink: {
            const auto& l = links[p.index];
            if (p.attribute == Attribute::kFlow)
                lhs = l.flow * l.direction;
            else if (p.attribute == Attribute::kDepth)
                lhs = l.depth;
            else if (p.attribute == Attribute::kStatus)
                lhs = l.setting > 0 ? 1.0 : 0.0;
            else
                lhs = l.setting;
            break;
        }
        }
        switch (p.relation) {
        case Relation::kEq:
            return lhs == p.value;
        case Relation::kNe:
            return lhs != p.value;
        case Relation::kLt:
            return lhs < p.value;
        case Relation::kLe:
            return lhs <= p.value;
        case Relation::kGt:
            return lhs > p.value;
        case Relation::kGe:
            return lhs >= p.value;
        }
        return false;
    };
    for (const auto& rule : rules_) {
        bool result = true;
        for (const auto& p : rule.premises) {
            if (p.is_or) {
                if (!result)
                    result = holds(p);
            } else {
                if (!result)
                    break;
                result = holds(p);
            }
        }
        for (const auto& a : rule.actions) {
            if (a.else_branch == result)
                continue;
            auto it = std::find_if(chosen.begin(), chosen.end(),
                                   [&](const Chosen& c) { return c.link == a.link; });
            if (it == chosen.end())
                chosen.push_back({a.link, a.setting, rule.priority});
            else if (rule.priority > it->priority)
                *it = {a.link, a.setting, rule.priority};
        }
    }
    for (const auto& c : chosen)
        router.set_link_setting(c.link, c.setting);
}

} // namespace rencheng::drainage
