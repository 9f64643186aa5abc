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

/// Linear interpolation in a curve, its end values held beyond it (SWMM table_lookup).
double curve_value(const std::vector<double>& x, const std::vector<double>& y, double v) {
    if (v <= x.front())
        return y.front();
    for (std::size_t i = 1; i < x.size(); ++i)
        if (v <= x[i]) {
            const double dx = x[i] - x[i - 1];
            return dx > 0 ? y[i - 1] + (v - x[i - 1]) * (y[i] - y[i - 1]) / dx : y[i];
        }
    return y.back();
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
                else if (a == "TIMEOPEN")
                    pr.attribute = Attribute::kTimeOpen;
                else if (a == "TIMECLOSED")
                    pr.attribute = Attribute::kTimeClosed;
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
            case Attribute::kTimeOpen:
            case Attribute::kTimeClosed:
                pr.value = parse_hours(r, v);
                pr.to_file_units = 1.0 / 3600.0;
                break;
            case Attribute::kDepth:
            case Attribute::kHead:
                pr.value = parse_number(r, v) * uf.length;
                pr.to_file_units = 1.0 / uf.length;
                break;
            case Attribute::kFlow:
                pr.value = parse_number(r, v) * uf.flow;
                pr.to_file_units = 1.0 / uf.flow;
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
            const bool by_curve = t.size() == 6 && t[3] == "=" && upper(t[4]) == "CURVE";
            if ((t.size() != 5 || t[3] != "=") && !by_curve)
                unsupported(r, "an action that is not 'object id attribute = value' or "
                               "'object id SETTING = CURVE id'");
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
            if (by_curve) {
                const auto c = net.find_curve(t[5]);
                if (!c.valid())
                    unsupported(r, "unknown curve " + t[5]);
                ac.curve_x = net.curves[c.idx()].x;
                ac.curve_y = net.curves[c.idx()].y;
                if (ac.curve_x.empty())
                    unsupported(r, "curve " + t[5] + " without points");
            } else {
                ac.setting = status_value(r, t[4]);
            }
            rule.actions.push_back(ac);
        }
        rules_.push_back(std::move(rule));
    }
}

void ControlRules::apply(FlowRouter& router, double t_step_s, double dt_s) const {
    // SWMM takes the date of a routing step as its start plus one millisecond (getDateTime), so a
    // rule `SIMULATION TIME = 0:00:00` does not hold in a first step shorter than 2 ms
    const double t_s = t_step_s + 0.001;
    const auto& nodes = router.nodes();
    const auto& links = router.links();
    struct Chosen {
        int link;
        double setting;
        double priority;
    };
    std::vector<Chosen> chosen;
    // a link that switched between closed and open since the last evaluation (a pump at its
    // start-up or shut-off depth) did so at this step (SWMM evaluateControlRules)
    if (last_setting_.size() != links.size()) {
        last_setting_.resize(links.size());
        for (std::size_t j = 0; j < links.size(); ++j)
            last_setting_[j] = links[j].setting;
        time_last_set_s_.assign(links.size(), 0.0);
    }
    for (std::size_t j = 0; j < links.size(); ++j)
        if (links[j].setting != last_setting_[j] && links[j].setting * last_setting_[j] == 0.0)
            time_last_set_s_[j] = t_s;
    // the value of the last premise compared, in file units, for CURVE actions (SWMM's
    // ControlValue; a SIMULATION TIME premise leaves it as it was)
    double control_value = 0;
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
            if (p.attribute == Attribute::kTimeOpen || p.attribute == Attribute::kTimeClosed) {
                // undefined (the premise fails) while the link is in the other state
                const bool open = l.setting > 0;
                if (open != (p.attribute == Attribute::kTimeOpen))
                    return false;
                const double held = t_s - time_last_set_s_[p.index];
                control_value = held * p.to_file_units;
                const double half = dt_s / 2.0; // time equality within half a step
                if (p.relation == Relation::kEq)
                    return held >= p.value - half && held < p.value + half;
                if (p.relation == Relation::kNe)
                    return held < p.value - half || held >= p.value + half;
                lhs = held;
                break;
            }
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
        if (p.object != Object::kTime)
            control_value = lhs * p.to_file_units;
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
            const double setting =
                a.curve_x.empty() ? a.setting : curve_value(a.curve_x, a.curve_y, control_value);
            auto it = std::find_if(chosen.begin(), chosen.end(),
                                   [&](const Chosen& c) { return c.link == a.link; });
            if (it == chosen.end())
                chosen.push_back({a.link, setting, rule.priority});
            else if (rule.priority > it->priority)
                *it = {a.link, setting, rule.priority};
        }
    }
    for (const auto& c : chosen) {
        const double old = links[c.link].setting;
        if (c.setting != old && c.setting * old == 0.0)
            time_last_set_s_[c.link] = t_s;
        router.set_link_setting(c.link, c.setting);
    }
    for (std::size_t j = 0; j < links.size(); ++j)
        last_setting_[j] = links[j].setting;
}

} // namespace rencheng::drainage
