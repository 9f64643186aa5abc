// Control rules ([CONTROLS]) evaluated as SWMM 5.2 evaluates them (controls.c): premises on
// node depth, full depth, head, volume or lateral inflow; link flow, depth, full flow, full
// depth, velocity, length, slope, status, setting and the time a link has been open or closed
// (TIMEOPEN, TIMECLOSED); a rain gage's intensity; the simulation's elapsed time, date, clock
// time, day of the week, month and day of the year; named VARIABLEs and EXPRESSIONs over them;
// a value or another such variable on the right. Actions set a pump's status or a link's setting: a
// number, a CONTROL curve of the last premise's value, a time series, or a PID controller.
// Conflicts go to the higher priority.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "drainage/network.hpp"

namespace rencheng::drainage {

class FlowRouter;
struct GageRainState;

class ControlRules {
public:
    ControlRules() = default;
    /// Compiles the network's rules. Throws Error(kUnsupported) naming the rule for a clause
    /// the reader kept unread, or a time series action on a FILE series.
    explicit ControlRules(const Network& net);

    bool empty() const { return rules_.empty(); }
    /// Evaluates every rule at elapsed time `t_s` for a step of `dt_s` and sets the target
    /// settings on the router's links. `gages` holds each rain gage's rainfall now and in the
    /// past hours (empty: no rain). Remembers when each link last switched between closed (setting
    /// 0) and open, for TIMEOPEN and TIMECLOSED, and the PID controllers' past errors.
    void apply(FlowRouter& router, double t_s, double dt_s,
               std::span<const GageRainState> gages = {}) const;

private:
    using Object = RuleVariable::Object;
    using Attribute = RuleVariable::Attribute;
    using Relation = RuleCondition::Relation;
    struct Variable {
        Object object = Object::kSimulation;
        Attribute attribute = Attribute::kTime;
        int index = -1;
        /// SWMM's value of the variable (its user units; days for times and dates) is the SI
        /// value here (seconds for times and dates) times this: CURVE lookups and the PID
        /// controller work in them.
        double to_file_units = 1;
        std::int32_t past_hours = 0; ///< a gage's past rainfall: hours back
    };
    struct Premise {
        bool is_or = false;
        std::int32_t expression = -1; ///< >= 0: the left side is this named expression
        Variable lhs;
        bool has_rhs = false;
        Variable rhs;
        Relation relation = Relation::kEq;
        double value = 0; ///< SI (RuleCondition::value) when !has_rhs
    };
    struct Action {
        bool else_branch = false;
        int link = 0;
        RuleSetting::Kind kind = RuleSetting::Kind::kSetting;
        double setting = 0;
        std::vector<double> x, y; ///< kCurve: CONTROL curve; kTimeSeries: times (s), settings
        double kp = 0, ki = 0, kd = 0;
        std::size_t pid = 0; ///< kPid: index of its past errors in pid_error_
    };
    struct Rule {
        std::vector<Premise> premises;
        std::vector<Action> actions;
        double priority = 0;
    };
    std::vector<Rule> rules_;
    std::vector<Variable> named_;             ///< the network's named VARIABLEs
    std::vector<MathExpression> expressions_; ///< its named EXPRESSIONs, over named_
    double start_s_ = 0;                      ///< seconds_since_epoch of the simulation start
    // Run state for TIMEOPEN / TIMECLOSED, by link: the setting seen at the end of the last
    // evaluation and the time the link last switched between closed and open (the start: 0).
    mutable std::vector<double> last_setting_;
    mutable std::vector<double> time_last_set_s_;
    /// PID controllers' relative set-point errors of the last two evaluations (e1, e2).
    mutable std::vector<std::array<double, 2>> pid_error_;
    /// SWMM's ControlValue and SetPoint (controls.c): both sides of the last premise compared,
    /// in the file's units, kept from one evaluation to the next as SWMM keeps them.
    mutable double control_value_ = 0, set_point_ = 0;
};

} // namespace rencheng::drainage
