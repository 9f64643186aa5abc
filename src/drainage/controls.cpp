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

[[noreturn]] void unsupported(const ControlRule& r, const std::string& what) {
    throw Error(ErrorCode::kUnsupported,
                "control rule " + r.id + ": " + what + " is not yet simulated");
}

constexpr double kDay = 86400.0;
constexpr double kTiny = 1e-6;                      // SWMM's TINY
constexpr double kPidTolerance = 1e-4;              // getPIDSetting's tolerance
constexpr double kMinVelocityDepth = 0.01 * 0.3048; // link_getVelocity: no velocity below 0.01 ft
constexpr double kFudgeArea = 0.0001 * 0.3048 * 0.3048; // ... nor below 0.0001 ft² of area

} // namespace

ControlRules::ControlRules(const Network& net)
    : start_s_(static_cast<double>(seconds_since_epoch(net.options.start))) {
    const UnitFactors uf = unit_factors(net.options.flow_units);
    auto variable = [&](const RuleVariable& v) {
        Variable out{v.object, v.attribute, v.index, 1.0, v.past_hours};
        switch (v.attribute) {
        case Attribute::kDepth:
        case Attribute::kMaxDepth:
        case Attribute::kHead:
        case Attribute::kFullDepth:
        case Attribute::kLength:
        case Attribute::kVelocity:
            out.to_file_units = 1.0 / uf.length;
            break;
        case Attribute::kVolume:
            out.to_file_units = 1.0 / uf.volume;
            break;
        case Attribute::kInflow:
        case Attribute::kFlow:
        case Attribute::kFullFlow:
            out.to_file_units = 1.0 / uf.flow;
            break;
        case Attribute::kIntensity:
            out.to_file_units = 1.0 / uf.rain_rate;
            break;
        case Attribute::kPastRain:
            out.to_file_units = 1.0 / uf.rain_depth;
            break;
        case Attribute::kTime:
        case Attribute::kDate:
        case Attribute::kClockTime:
        case Attribute::kTimeOpen:
        case Attribute::kTimeClosed:
            out.to_file_units = 1.0 / kDay;
            break;
        default:
            break;
        }
        return out;
    };
    for (const auto& v : net.rule_variables)
        named_.push_back(variable(v.variable));
    for (const auto& e : net.rule_expressions)
        expressions_.push_back(e.expression);
    for (const auto& r : net.rules) {
        Rule rule;
        rule.priority = r.priority.value_or(0.0);
        for (const auto& p : r.premises) {
            if (!p.condition)
                unsupported(r, "a clause that was not read");
            const RuleCondition& c = *p.condition;
            Premise pr;
            pr.is_or = p.logic == RulePremise::Logic::kOr;
            pr.expression = c.expression;
            pr.lhs = variable(c.lhs);
            pr.relation = c.relation;
            pr.has_rhs = c.rhs.has_value();
            if (c.rhs)
                pr.rhs = variable(*c.rhs);
            pr.value = c.value;
            rule.premises.push_back(pr);
        }
        for (const auto& a : r.actions) {
            if (!a.setting)
                unsupported(r, "an action that was not read");
            const RuleSetting& st = *a.setting;
            Action ac;
            ac.else_branch = a.else_branch;
            ac.link = static_cast<int>(st.link.idx());
            ac.kind = st.kind;
            ac.setting = st.value;
            switch (st.kind) {
            case RuleSetting::Kind::kCurve: {
                const Curve& c = net.curves[st.curve.idx()];
                if (c.x.empty())
                    unsupported(r, "curve " + c.id + " without points");
                ac.x = c.x;
                ac.y = c.y;
                break;
            }
            case RuleSetting::Kind::kTimeSeries: {
                const TimeSeries& ts = net.series[st.series.idx()];
                if (ts.time_s.empty())
                    unsupported(r, "time series " + ts.id +
                                       (ts.file.empty() ? " without points" : " from a FILE"));
                ac.x = ts.time_s;
                ac.y = ts.value;
                break;
            }
            case RuleSetting::Kind::kPid:
                ac.kp = st.pid[0];
                ac.ki = st.pid[1];
                ac.kd = st.pid[2];
                ac.pid = pid_error_.size();
                pid_error_.push_back({0.0, 0.0});
                break;
            case RuleSetting::Kind::kStatus:
            case RuleSetting::Kind::kSetting:
                break;
            }
            rule.actions.push_back(std::move(ac));
        }
        rules_.push_back(std::move(rule));
    }
}

void ControlRules::apply(FlowRouter& router, double t_step_s, double dt_s,
                         std::span<const GageRainState> gages) const {
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
    const double now = start_s_ + t_s; // s since SWMM's day zero
    const double midnight = std::floor(now / kDay) * kDay;
    // The value of a premise variable now, SI (false: SWMM's MISSING, the premise fails).
    auto value_of = [&](const Variable& v, double& out) {
        switch (v.object) {
        case Object::kSimulation:
            switch (v.attribute) {
            case Attribute::kDate:
                out = midnight;
                return true;
            case Attribute::kClockTime:
                out = now - midnight;
                return true;
            case Attribute::kDay: // 1 = Sunday; SWMM's day zero, 1899-12-30, was a Saturday
                out = static_cast<double>((static_cast<std::int64_t>(midnight / kDay) + 6) % 7 + 1);
                return true;
            case Attribute::kMonth:
                out = calendar_from_seconds(static_cast<Seconds>(midnight)).month;
                return true;
            case Attribute::kDayOfYear: {
                const CalendarTime c = calendar_from_seconds(static_cast<Seconds>(midnight));
                const double jan1 =
                    static_cast<double>(seconds_since_epoch(CalendarTime{c.year, 1, 1, 0}));
                out = (midnight - jan1) / kDay + 1.0;
                return true;
            }
            default:
                out = t_s;
                return true;
            }
        case Object::kGage: {
            out = 0;
            if (static_cast<std::size_t>(v.index) < gages.size()) {
                const auto& g = gages[static_cast<std::size_t>(v.index)];
                out =
                    v.attribute == Attribute::kPastRain ? g.past_depth_m(v.past_hours) : g.rain_ms;
            }
            return true;
        }
        case Object::kNode: {
            const auto& nd = nodes[static_cast<std::size_t>(v.index)];
            switch (v.attribute) {
            case Attribute::kMaxDepth:
                out = nd.full_depth_m;
                return true;
            case Attribute::kHead:
                out = nd.depth + nd.invert_m;
                return true;
            case Attribute::kVolume:
                out = nd.volume;
                return true;
            case Attribute::kInflow:
                out = nd.lat_flow;
                return true;
            default:
                out = nd.depth;
                return true;
            }
        }
        case Object::kLink:
            break;
        }
        const auto& l = links[static_cast<std::size_t>(v.index)];
        const bool conduit = l.kind == LinkKind::kConduit;
        switch (v.attribute) {
        case Attribute::kFlow:
            out = l.flow * l.direction;
            return true;
        case Attribute::kDepth:
            out = l.depth;
            return true;
        case Attribute::kFullFlow:
            out = l.q_full;
            return conduit;
        case Attribute::kFullDepth:
            out = l.xs.y_full_m();
            return conduit;
        case Attribute::kLength:
            out = l.length_m;
            return conduit;
        case Attribute::kSlope:
            out = l.slope;
            return conduit;
        case Attribute::kVelocity: {
            out = 0;
            if (!conduit)
                return false;
            if (l.depth > kMinVelocityDepth) {
                const double area = l.xs.area_m2(l.depth);
                if (area > kFudgeArea)
                    out = l.flow / l.barrels / area;
            }
            return true;
        }
        case Attribute::kStatus: // a conduit's or pump's setting
            out = l.setting;
            return conduit || l.kind == LinkKind::kPump;
        case Attribute::kSetting:
            out = l.setting;
            return l.kind == LinkKind::kPump || l.kind == LinkKind::kOrifice ||
                   l.kind == LinkKind::kWeir;
        case Attribute::kTimeOpen:
        case Attribute::kTimeClosed:
            // undefined (the premise fails) while the link is in the other state
            out = t_s - time_last_set_s_[static_cast<std::size_t>(v.index)];
            return (l.setting > 0) == (v.attribute == Attribute::kTimeOpen);
        default:
            return false;
        }
    };
    auto compare = [&](double lhs, Relation r, double rhs) {
        switch (r) {
        case Relation::kEq:
            return lhs == rhs;
        case Relation::kNe:
            return lhs != rhs;
        case Relation::kLt:
            return lhs < rhs;
        case Relation::kLe:
            return lhs <= rhs;
        case Relation::kGt:
            return lhs > rhs;
        case Relation::kGe:
            return lhs >= rhs;
        }
        return false;
    };
    // SWMM's ControlValue and SetPoint: the two sides of the last premise compared, in the
    // file's units (days for times), for CURVE and PID actions.
    auto holds = [&](const Premise& p) {
        if (p.expression >= 0) {
            // a named expression of named variables, in the file's units; a variable that
            // does not apply enters as SWMM's MISSING (−1e10), and a MISSING result fails
            constexpr double kMissing = -1.0e10;
            const double lhs =
                expressions_[static_cast<std::size_t>(p.expression)].evaluate([&](std::int32_t i) {
                    const Variable& v = named_[static_cast<std::size_t>(i)];
                    double x = 0;
                    return value_of(v, x) ? x * v.to_file_units : kMissing;
                });
            double rhs = p.value;
            if (p.has_rhs) {
                if (!value_of(p.rhs, rhs))
                    return false;
                rhs *= p.rhs.to_file_units;
            }
            if (lhs == kMissing)
                return false;
            control_value_ = lhs;
            set_point_ = rhs;
            return compare(lhs, p.relation, rhs);
        }
        double lhs = 0, rhs = p.value;
        if (!value_of(p.lhs, lhs) || (p.has_rhs && !value_of(p.rhs, rhs)))
            return false;
        const double rhs_units = p.has_rhs ? p.rhs.to_file_units : p.lhs.to_file_units;
        const Attribute a = p.lhs.attribute;
        const bool timed = a == Attribute::kTime || a == Attribute::kClockTime ||
                           a == Attribute::kTimeOpen || a == Attribute::kTimeClosed;
        bool result = false;
        if (timed && (p.relation == Relation::kEq || p.relation == Relation::kNe)) {
            // equality of times holds within half a step (SWMM compareTimes)
            const double half = dt_s / 2.0;
            const bool within = lhs >= rhs - half && lhs < rhs + half;
            result = p.relation == Relation::kEq ? within : !within;
        } else {
            control_value_ = lhs * p.lhs.to_file_units;
            set_point_ = rhs * rhs_units;
            result = compare(lhs, p.relation, rhs);
        }
        if (a == Attribute::kTimeOpen || a == Attribute::kTimeClosed)
            control_value_ = lhs / 3600.0; // hours
        return result;
    };
    const double dt_min = dt_s / 60.0;
    auto pid_setting = [&](const Action& a) {
        auto& [e1, e2] = pid_error_[a.pid];
        double e0 = set_point_ - control_value_;
        if (std::fabs(e0) > kTiny)
            e0 /= set_point_ != 0.0 ? set_point_ : control_value_;
        if (std::fabs(e0 - e1) < kPidTolerance) { // the controller is stuck: start afresh
            e2 = 0;
            e1 = 0;
        }
        const double p = e0 - e1;
        const double i = a.ki == 0.0 ? 0.0 : e0 * dt_min / a.ki;
        const double d = a.kd * (e0 - 2.0 * e1 + e2) / dt_min;
        double update = a.kp * (p + i + d);
        if (std::fabs(update) < kPidTolerance)
            update = 0;
        // from the setting last asked for (SWMM: the target, for an orifice still moving)
        const auto& l = links[static_cast<std::size_t>(a.link)];
        double setting = (l.open_close_time_s > 0 ? l.target_setting : l.setting) + update;
        e2 = e1;
        e1 = e0;
        setting = std::max(setting, 0.0);
        if (links[static_cast<std::size_t>(a.link)].kind != LinkKind::kPump)
            setting = std::min(setting, 1.0);
        return setting;
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
            double setting = a.setting;
            switch (a.kind) {
            case RuleSetting::Kind::kCurve:
                setting = table_lookup(a.x, a.y, control_value_);
                break;
            case RuleSetting::Kind::kTimeSeries: // interpolated, end values held
                setting = table_lookup(a.x, a.y, t_s);
                break;
            case RuleSetting::Kind::kPid:
                setting = pid_setting(a);
                break;
            case RuleSetting::Kind::kStatus:
            case RuleSetting::Kind::kSetting:
                break;
            }
            auto it = std::find_if(chosen.begin(), chosen.end(),
                                   [&](const Chosen& c) { return c.link == a.link; });
            if (it == chosen.end())
                chosen.push_back({a.link, setting, rule.priority});
            else if (rule.priority > it->priority)
                *it = {a.link, setting, rule.priority};
        }
    }
    for (const auto& c : chosen) {
        const double old = links[static_cast<std::size_t>(c.link)].setting;
        if (c.setting != old && c.setting * old == 0.0)
            time_last_set_s_[static_cast<std::size_t>(c.link)] = t_s;
        router.set_link_setting(c.link, c.setting);
    }
    for (std::size_t j = 0; j < links.size(); ++j)
        last_setting_[j] = links[j].setting;
}

} // namespace rencheng::drainage
