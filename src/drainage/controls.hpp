// Control rules ([CONTROLS]) evaluated each routing step as SWMM 5.2 does (controls.c): premises
// on node depth or head, link flow, depth, status or setting, and simulation time; actions that
// set a pump's status or a regulator's or conduit's setting; conflicts go to the higher priority.
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
    /// settings on the router's links.
    void apply(FlowRouter& router, double t_s, double dt_s) const;

private:
    enum class Object : std::uint8_t { kNode, kLink, kTime };
    enum class Attribute : std::uint8_t { kDepth, kHead, kFlow, kStatus, kSetting, kTime };
    enum class Relation : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
    struct Premise {
        bool is_or = false;
        Object object = Object::kNode;
        Attribute attribute = Attribute::kDepth;
        int index = 0;
        Relation relation = Relation::kEq;
        double value = 0; ///< SI
    };
    struct Action {
        bool else_branch = false;
        int link = 0;
        double setting = 0;
    };
    struct Rule {
        std::vector<Premise> premises;
        std::vector<Action> actions;
        double priority = 0;
    };
    std::vector<Rule> rules_;
};

} // namespace rencheng::drainage
