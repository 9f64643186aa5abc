// Control rules ([CONTROLS]) evaluated each routing step as SWMM 5.2 does (controls.c): premises
// on node depth or head, link flow, depth, status or setting, the time a link has been open or
// closed (TIMEOPEN, TIMECLOSED) and simulation time; actions that set a pump's status or a
// regulator's or conduit's setting, as a number or from a CONTROL curve of the premise's value;
// conflicts go to the higher priority.
#pragma once

#include <cstdint>
#include <vector>

#include "drainage/network.hpp"

namespace rencheng::drainage {

class FlowRouter;

class ControlRules {
public:
    ControlRules() = default;
    /// Compiles the network's rules. Throws Error(kUnsupported) naming the rule for a premise or
    /// action this evaluator does not know (expressions, PID, curve or time-series settings,
    /// clock times, gages, ...).
    explicit ControlRules(const Network& net);

    bool empty() const { return rules_.empty(); }
    /// Evaluates every rule at elapsed time `t_s` for a step of `dt_s` and sets the target
    /// settings on the router's links. Remembers when each link last switched between closed
    /// (setting 0) and open, for TIMEOPEN and TIMECLOSED.
    void apply(FlowRouter& router, double t_s, double dt_s) const;

private:
    enum class Object : std::uint8_t { kNode, kLink, kTime };
    enum class Attribute : std::uint8_t {
        kDepth,
        kHead,
        kFlow,
        kStatus,
        kSetting,
        kTime,
        kTimeOpen,
        kTimeClosed
    };
    enum class Relation : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
    struct Premise {
        bool is_or = false;
        Object object = Object::kNode;
        Attribute attribute = Attribute::kDepth;
        int index = 0;
        Relation relation = Relation::kEq;
        double value = 0; ///< SI
        /// The premise's value in the file's units (hours for TIMEOPEN/TIMECLOSED) is the SI
        /// value times this; a CURVE action looks its setting up with it (SWMM ControlValue).
        double to_file_units = 1;
    };
    struct Action {
        bool else_branch = false;
        int link = 0;
        double setting = 0;
        /// SETTING = CURVE id: the CONTROL curve's points (empty: the fixed `setting`).
        std::vector<double> curve_x, curve_y;
    };
    struct Rule {
        std::vector<Premise> premises;
        std::vector<Action> actions;
        double priority = 0;
    };
    std::vector<Rule> rules_;
    // Run state for TIMEOPEN / TIMECLOSED, by link: the setting seen at the end of the last
    // evaluation and the time the link last switched between closed and open (the start: 0).
    mutable std::vector<double> last_setting_;
    mutable std::vector<double> time_last_set_s_;
};

} // namespace rencheng::drainage
