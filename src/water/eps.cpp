// Extended-period hydraulic simulation with EPANET 2.2's time-step, control and rule logic.
#include "water/eps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rencheng::water {

namespace {

using namespace epanet_units;
constexpr Seconds kDay = 86400;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool same_setting(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

double pattern_value(const Network& net, PatternIndex p, long long period) {
    if (!p.valid())
        return 1.0;
    const auto& m = net.patterns[p.idx()].multipliers;
    if (m.empty())
        return 1.0;
    return m[static_cast<std::size_t>(period % static_cast<long long>(m.size()))];
}

struct Simulation {
    const Network& net;
    const HydraulicTopology& topo;
    HydraulicState s;
    Seconds htime = 0;
    Seconds dur = 0;
    Seconds hstep = 3600, pstep = 3600, pstart = 0, rstep = 3600, rstart = 0, tstart = 0;
    Seconds rulestep = 360;
    Seconds rtime = 0;
    Seconds rule_time1 = 0;
    UnitFactors uf;
    /// Tank volume per m³ of inflow: 1, or EPANET's kCfs/cfs_m3s (see EpsOptions).
    double vscale = 1.0;

    Simulation(const Network& n, const HydraulicTopology& t) : net(n), topo(t), s(n, t) {
        uf = unit_factors(n.options);
    }

    /// The flow a closed pump restarts from when a control, a rule or its setting opens it at
    /// `speed`: a constant-power pump its design flow, as EPANET 2.2 resets it (resetpumpflow);
    /// a pump with a head curve its speed times its design flow, EPANET's initial flow of an open
    /// pump (initlinkflow), where EPANET keeps the closed pump's zero flow. From zero flow the
    /// first Newton step sees the curve's flat top near shutoff, a gradient near zero, and sends
    /// several times the design flow through the pump; the iterations then come down the steep
    /// part of the curve by a fixed fraction each (Net6_plus: 0.56 → 0.50 → 0.32 → 0.25 → … →
    /// 0.126 m³/s, nine trials for a pump switched on by a tank level). From the design flow
    /// they converge as at any other step; the solution is the same, within the solve's
    /// tolerance (docs/water.md §13).
    void reset_pump_flow(std::size_t k, double speed) {
        const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
        if (topo.pump_curve[p] == HydraulicTopology::PumpCurve::kConstantPower)
            s.flow_m3s[k] = topo.pump_q0[p];
        else
            s.flow_m3s[k] = (speed > 0 ? speed : 1.0) * topo.pump_q0[p];
    }

    void set_link_status(std::size_t k, bool open) {
        const auto kind = net.link_kind[k];
        const bool gpv =
            kind == LinkKind::kValve &&
            net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])] == ValveKind::kGpv;
        if (open) {
            if (kind == LinkKind::kPump) {
                s.setting[k] = 1.0;
                if (s.status[k] == LinkState::kClosed)
                    reset_pump_flow(k, 1.0);
            }
            if (kind == LinkKind::kValve && !gpv)
                s.setting[k] = kNaN;
            s.status[k] = LinkState::kOpen;
        } else {
            if (kind == LinkKind::kPump)
                s.setting[k] = 0.0;
            if (kind == LinkKind::kValve && !gpv)
                s.setting[k] = kNaN;
            s.status[k] = LinkState::kClosed;
        }
    }

    void set_link_setting(std::size_t k, double value) {
        const auto kind = net.link_kind[k];
        if (kind == LinkKind::kPump) {
            s.setting[k] = value;
            if (value > 0 && is_closed(s.status[k])) {
                reset_pump_flow(k, value);
                s.status[k] = LinkState::kOpen;
            }
            if (value == 0 && !is_closed(s.status[k]))
                s.status[k] = LinkState::kClosed;
        } else if (kind == LinkKind::kValve &&
                   net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])] ==
                       ValveKind::kFcv) {
            s.setting[k] = value;
            s.status[k] = LinkState::kActive;
        } else {
            if (std::isnan(s.setting[k]) && is_closed(s.status[k]))
                s.status[k] = LinkState::kOpen;
            s.setting[k] = value;
        }
    }

    /// Demands, reservoir heads and pump speeds of the current pattern period.
    void demands() {
        const long long p = (htime + pstart) / pstep;
        const double dmult = net.options.demand_multiplier;
        for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
            if (net.node_kind[i] == NodeKind::kJunction) {
                double sum = 0;
                for (auto d = net.demand_begin[i]; d < net.demand_begin[i + 1]; ++d) {
                    const Demand& dm = net.demands[static_cast<std::size_t>(d)];
                    sum += dm.base_m3s * pattern_value(net, net.effective_pattern(dm), p) * dmult;
                }
                s.node_demand[i] = sum;
            } else if (net.node_kind[i] == NodeKind::kReservoir && net.head_pattern[i].valid()) {
                s.head_m[i] = net.elevation_m[i] * pattern_value(net, net.head_pattern[i], p);
            }
        }
        for (std::int32_t q = 0; q < net.pumps.count(); ++q) {
            const auto uq = static_cast<std::size_t>(q);
            if (net.pumps.pattern[uq].valid())
                set_link_setting(net.pumps.link[uq].idx(),
                                 pattern_value(net, net.pumps.pattern[uq], p));
        }
    }

    /// Simple controls on tank levels and times (EPANET's controls()).
    void controls() {
        for (const Control& c : net.controls) {
            if (!c.link.valid() || !c.enabled)
                continue;
            bool reset = false;
            if (c.node.valid() &&
                (c.type == Control::Type::kLowLevel || c.type == Control::Type::kHighLevel)) {
                const auto n = c.node.idx();
                const std::int32_t t = net.tank_of_node[n];
                if (t >= 0 && net.node_kind[n] == NodeKind::kTank) {
                    const double vplus = std::fabs(s.node_demand[n]) * vscale;
                    const double v1 = tank_volume(net, topo, t, s.head_m[n]);
                    const double v2 = tank_volume(net, topo, t, net.elevation_m[n] + c.level);
                    if (c.type == Control::Type::kLowLevel && v1 <= v2 + vplus)
                        reset = true;
                    if (c.type == Control::Type::kHighLevel && v1 >= v2 - vplus)
                        reset = true;
                } else if (net.node_kind[n] == NodeKind::kReservoir) {
                    const double grade = net.elevation_m[n] + c.level;
                    if (c.type == Control::Type::kLowLevel && s.head_m[n] <= grade)
                        reset = true;
                    if (c.type == Control::Type::kHighLevel && s.head_m[n] >= grade)
                        reset = true;
                }
            }
            if (c.type == Control::Type::kTimer && c.time == htime)
                reset = true;
            if (c.type == Control::Type::kTimeOfDay && (htime + tstart) % kDay == c.time)
                reset = true;
            if (!reset)
                continue;
            const std::size_t k = c.link.idx();
            LinkState target;
            double target_setting;
            control_target(net, c.link, c.status, c.setting, target, target_setting);
            const LinkState s1 = is_closed(s.status[k]) ? LinkState::kClosed : LinkState::kOpen;
            const double k1 = s.setting[k];
            double k2 = k1;
            if (net.link_kind[k] != LinkKind::kPipe && net.link_kind[k] != LinkKind::kCvPipe)
                k2 = target_setting;
            if (net.link_kind[k] == LinkKind::kPump && s1 == LinkState::kClosed &&
                target == LinkState::kOpen)
                reset_pump_flow(k, k2);
            if (s1 != target || !same_setting(k1, k2)) {
                s.status[k] = target;
                s.setting[k] = k2;
            }
        }
    }

    bool is_tank(std::size_t n) const {
        return net.node_kind[n] == NodeKind::kTank && net.tank_of_node[n] >= 0;
    }

    void tank_time_step(Seconds& tstep) const {
        for (std::int32_t t = 0; t < net.tanks.count(); ++t) {
            const auto ut = static_cast<std::size_t>(t);
            const std::size_t n = net.tanks.node[ut].idx();
            const double h = s.head_m[n];
            const double q = s.node_demand[n] * vscale;
            if (std::fabs(q) <= kZeroFlow)
                continue;
            double v = 0;
            if (q > 0 && h < topo.tank_hmax[ut])
                v = topo.tank_vmax[ut] - s.tank_volume_m3[ut];
            else if (q < 0 && h > topo.tank_hmin[ut])
                v = topo.tank_vmin[ut] - s.tank_volume_m3[ut];
            else
                continue;
            const auto dt = static_cast<Seconds>(std::floor(v / q + 0.5));
            if (dt > 0 && dt < tstep)
                tstep = dt;
        }
    }

    void control_time_step(Seconds& tstep) const {
        for (const Control& c : net.controls) {
            if (!c.enabled)
                continue;
            Seconds t = 0;
            if (c.node.valid() &&
                (c.type == Control::Type::kLowLevel || c.type == Control::Type::kHighLevel)) {
                const auto n = c.node.idx();
                if (!is_tank(n))
                    continue;
                const std::int32_t ti = net.tank_of_node[n];
                const double h = s.head_m[n];
                const double q = s.node_demand[n] * vscale;
                if (std::fabs(q) <= kZeroFlow)
                    continue;
                const double grade = net.elevation_m[n] + c.level;
                if ((h < grade && c.type == Control::Type::kHighLevel && q > 0) ||
                    (h > grade && c.type == Control::Type::kLowLevel && q < 0)) {
                    const double v = tank_volume(net, topo, ti, grade) -
                                     s.tank_volume_m3[static_cast<std::size_t>(ti)];
                    t = static_cast<Seconds>(std::floor(v / q + 0.5));
                }
            }
            if (c.type == Control::Type::kTimer && c.time > htime)
                t = c.time - htime;
            if (c.type == Control::Type::kTimeOfDay) {
                const Seconds t1 = (htime + tstart) % kDay;
                const Seconds t2 = c.time;
                t = t2 >= t1 ? t2 - t1 : kDay - t1 + t2;
            }
            if (t > 0 && t < tstep && c.link.valid()) {
                const std::size_t k = c.link.idx();
                LinkState target;
                double target_setting;
                control_target(net, c.link, c.status, c.setting, target, target_setting);
                const bool pipe =
                    net.link_kind[k] == LinkKind::kPipe || net.link_kind[k] == LinkKind::kCvPipe;
                if ((!pipe && !same_setting(s.setting[k], target_setting)) || s.status[k] != target)
                    tstep = t;
            }
        }
    }

    /// Per tank: volume spilled so far (tanks that may overflow), m³.
    std::vector<double> spilled_m3;

    void tank_levels(Seconds dt) {
        for (std::int32_t t = 0; t < net.tanks.count(); ++t) {
            const auto ut = static_cast<std::size_t>(t);
            const std::size_t n = net.tanks.node[ut].idx();
            const double q = s.node_demand[n] * vscale;
            double& v = s.tank_volume_m3[ut];
            v += q * static_cast<double>(dt);
            // What a tank that may overflow takes in beyond its maximum volume spills; it stays
            // full (EPANET 2.2 tanklevels and tankstatus with CanOverflow).
            if (net.tanks.overflow[ut] && v > topo.tank_vmax[ut])
                spilled_m3[ut] += v - topo.tank_vmax[ut];
            if (v + q >= topo.tank_vmax[ut])
                v = topo.tank_vmax[ut];
            else if (v - q <= topo.tank_vmin[ut])
                v = topo.tank_vmin[ut];
            s.head_m[n] = tank_head(net, topo, t, v);
        }
    }

    // Rules (EPANET 2.2 manual §3.1 "Rule-Based Controls") ---------------------------------

    bool check_time(const RulePremise& p) const {
        Seconds t1 = 0, t2 = 0;
        if (p.attribute == RulePremise::Attribute::kTime) {
            t1 = rule_time1;
            t2 = htime;
        } else {
            t1 = (rule_time1 + tstart) % kDay;
            t2 = (htime + tstart) % kDay;
        }
        const auto x = static_cast<Seconds>(p.value);
        using R = RulePremise::Relation;
        switch (p.relation) {
        case R::kLt:
        case R::kBelow:
            return t2 < x;
        case R::kLe:
            return t2 <= x;
        case R::kGt:
        case R::kAbove:
            return t2 > x;
        case R::kGe:
            return t2 >= x;
        default: {
            bool flag = false;
            if (t2 < t1)
                flag = x >= t1 || x <= t2;
            else
                flag = x >= t1 && x <= t2;
            return (p.relation == R::kNe || p.relation == R::kNot) ? !flag : flag;
        }
        }
    }

    bool check_status(const RulePremise& p) const {
        if (p.index < 0 || !p.status)
            return false;
        const LinkState st = s.status[static_cast<std::size_t>(p.index)];
        LinkStatus j = LinkStatus::kOpen;
        if (is_closed(st))
            j = LinkStatus::kClosed;
        else if (st == LinkState::kActive)
            j = LinkStatus::kActive;
        // A pipe split by damage is closed only when every piece is: a closure or a control shuts
        // them all, and a check-valve piece held closed beside one that feeds a leak still
        // leaves water moving in the pipe.
        for (const LinkIndex piece : p.pieces)
            if (j == LinkStatus::kClosed && !is_closed(s.status[piece.idx()]))
                j = LinkStatus::kOpen;
        using R = RulePremise::Relation;
        const bool ne = p.relation == R::kNe || p.relation == R::kNot;
        return ne ? j != *p.status : j == *p.status;
    }

    bool check_value(const RulePremise& p) const {
        using A = RulePremise::Attribute;
        const auto i = static_cast<std::size_t>(p.index);
        double x = 0, scale = 1; // x in SI; scale = SI per file unit (tolerance 0.001 file units)
        switch (p.attribute) {
        case A::kDemand:
            scale = uf.flow;
            if (p.object == RulePremise::Object::kSystem) {
                x = 0;
                for (std::size_t n = 0; n < static_cast<std::size_t>(net.node_count()); ++n)
                    if (net.node_kind[n] == NodeKind::kJunction && system_demand_[n] > 0)
                        x += system_demand_[n];
            } else {
                x = s.node_demand[i];
            }
            break;
        case A::kHead:
        case A::kGrade:
            scale = uf.length;
            x = s.head_m[i];
            break;
        case A::kPressure:
            scale = uf.pressure;
            x = s.head_m[i] - net.elevation_m[i];
            break;
        case A::kLevel:
            scale = uf.length;
            x = s.head_m[i] - net.elevation_m[i];
            break;
        case A::kFlow:
            scale = uf.flow;
            x = std::fabs(s.flow_m3s[i]);
            // A pipe split by damage: its pieces carry the same flow unless a leak or break lies
            // between them; leaks only take water out along the pipe, so the largest |flow| is
            // what the pipe draws from the network at the end that feeds it (the larger inflow
            // where a break is fed from both ends), whichever end that is.
            for (const LinkIndex piece : p.pieces)
                x = std::max(x, std::fabs(s.flow_m3s[piece.idx()]));
            break;
        case A::kSetting: {
            if (std::isnan(s.setting[i]))
                return false;
            x = s.setting[i];
            scale = 1;
            if (net.link_kind[i] == LinkKind::kValve) {
                const auto vk = net.valves.kind[static_cast<std::size_t>(net.valve_of_link[i])];
                if (vk == ValveKind::kPrv || vk == ValveKind::kPsv || vk == ValveKind::kPbv)
                    scale = uf.pressure;
                else if (vk == ValveKind::kFcv)
                    scale = uf.flow;
            }
            break;
        }
        case A::kFillTime:
        case A::kDrainTime: {
            if (!is_tank(i))
                return false;
            const auto t = static_cast<std::size_t>(net.tank_of_node[i]);
            const double q = s.node_demand[i] * vscale;
            if (p.attribute == A::kFillTime) {
                if (q <= 1e-6 * kCfs)
                    return false;
                x = (topo.tank_vmax[t] - s.tank_volume_m3[t]) / q;
            } else {
                if (q >= -1e-6 * kCfs)
                    return false;
                x = (topo.tank_vmin[t] - s.tank_volume_m3[t]) / q;
            }
            break;
        }
        default:
            return false;
        }
        const double tol = 1e-3 * scale;
        const double v = p.value;
        using R = RulePremise::Relation;
        switch (p.relation) {
        case R::kEq:
        case R::kIs:
            return std::fabs(x - v) <= tol;
        case R::kNe:
        case R::kNot:
            return std::fabs(x - v) >= tol;
        case R::kLt:
        case R::kBelow:
            return x <= v + tol;
        case R::kLe:
            return x <= v - tol;
        case R::kGt:
        case R::kAbove:
            return x >= v - tol;
        case R::kGe:
            return x >= v + tol;
        }
        return false;
    }

    bool check_premise(const RulePremise& p) const {
        using A = RulePremise::Attribute;
        if (p.attribute == A::kTime || p.attribute == A::kClockTime)
            return check_time(p);
        if (p.attribute == A::kStatus)
            return check_status(p);
        return check_value(p);
    }

    bool eval_premises(const Rule& r) const {
        bool result = true;
        for (const RulePremise& p : r.premises) {
            if (p.logic == RulePremise::Logic::kOr) {
                if (!result)
                    result = check_premise(p);
            } else {
                if (!result)
                    return false;
                result = check_premise(p);
            }
        }
        return result;
    }

    struct Pending {
        const RuleAction* action;
        std::size_t rule;
    };
    std::vector<Pending> actions_;
    std::vector<double> system_demand_;

    void add_actions(std::size_t r, const std::vector<RuleAction>& list) {
        for (const RuleAction& a : list) {
            if (!a.link.valid())
                continue;
            bool found = false;
            for (auto& pa : actions_) {
                if (pa.action->link == a.link) {
                    const double pr = net.rules[r].priority.value_or(0.0);
                    const double pr1 = net.rules[pa.rule].priority.value_or(0.0);
                    if (pr > pr1) {
                        pa.action = &a;
                        pa.rule = r;
                    }
                    found = true;
                    break;
                }
            }
            // EPANET pushes onto the front of its list.
            if (!found)
                actions_.insert(actions_.begin(), Pending{&a, r});
        }
    }

    int check_rules(Seconds dt) {
        rule_time1 = htime - dt + 1;
        actions_.clear();
        for (std::size_t r = 0; r < net.rules.size(); ++r) {
            if (!net.rules[r].enabled) // EPANET 2.3 DISABLED
                continue;
            if (eval_premises(net.rules[r]))
                add_actions(r, net.rules[r].then_actions);
            else
                add_actions(r, net.rules[r].else_actions);
        }
        int n = 0;
        for (const auto& pa : actions_) {
            const RuleAction& a = *pa.action;
            const std::size_t k = a.link.idx();
            const LinkState st = s.status[k];
            bool flag = false;
            if (a.status && *a.status == LinkStatus::kOpen && is_closed(st)) {
                set_link_status(k, true);
                flag = true;
            } else if (a.status && *a.status == LinkStatus::kClosed && !is_closed(st)) {
                set_link_status(k, false);
                flag = true;
            } else if (!a.status) {
                double tol = 1e-3;
                if (net.link_kind[k] == LinkKind::kValve) {
                    const auto vk = net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])];
                    if (vk == ValveKind::kPrv || vk == ValveKind::kPsv || vk == ValveKind::kPbv)
                        tol *= kFoot;
                    else if (vk == ValveKind::kFcv)
                        tol *= kCfs;
                }
                const double v = s.setting[k];
                if (std::isnan(v) || std::fabs(a.setting - v) > tol) {
                    set_link_setting(k, a.setting);
                    flag = true;
                }
            }
            n += flag ? 1 : 0;
        }
        return n;
    }

    void rule_time_step(Seconds& tstep) {
        const Seconds tnow = htime;
        const Seconds tmax = tnow + tstep;
        Seconds dt = rulestep;
        Seconds dt1 = rulestep - (tnow % rulestep);
        dt = std::min(dt, tstep);
        dt1 = std::min(dt1, tstep);
        if (dt1 == 0)
            dt1 = dt;
        do {
            htime += dt1;
            tank_levels(dt1);
            if (check_rules(dt1))
                break;
            dt = std::min(dt, tmax - htime);
            dt1 = dt;
        } while (dt > 0);
        tstep = htime - tnow;
        htime = tnow;
    }

    Seconds time_step() {
        Seconds tstep = hstep;
        const Seconds n = (htime + pstart) / pstep + 1;
        Seconds t = n * pstep - htime;
        if (t > 0 && t < tstep)
            tstep = t;
        t = rtime - htime;
        if (t > 0 && t < tstep)
            tstep = t;
        tank_time_step(tstep);
        control_time_step(tstep);
        if (!net.rules.empty())
            rule_time_step(tstep);
        else
            tank_levels(tstep);
        return tstep;
    }
};

/// Pump energy over the run (EpsResult::pump_energy), summed step by step as EPANET 2.2's
/// addenergy() sums it: time on line, efficiency × time, P/Q × time, P × time, the largest P and
/// the cost, then turned into means by finish().
struct EnergyTally {
    std::vector<double> hours, efficiency_h, kw_per_flow_h, kwh, peak_kw, cost;
    double peak_total_kw = 0;

    explicit EnergyTally(std::size_t pumps)
        : hours(pumps, 0.0), efficiency_h(pumps, 0.0), kw_per_flow_h(pumps, 0.0), kwh(pumps, 0.0),
          peak_kw(pumps, 0.0), cost(pumps, 0.0) {}

    /// The step of dt_h hours that starts at `htime` (pattern period `period`), from the
    /// state the step's length was found in.
    /// `cfs_m3s`: EPANET's m³/s per cfs for the network's flow unit (HydraulicTopology::cfs_m3s,
    /// its rounded factors), so that the power is EPANET's to the last digits.
    void add(const Network& net, const HydraulicState& s, double cfs_m3s, double dt_h,
             long long period) {
        if (dt_h <= 0.0 || hours.empty())
            return;
        const Energy& e = net.energy;
        const double global_price = e.global_price.value_or(0.0);
        const double global_factor = pattern_value(net, e.global_pattern, period);
        const double global_efficiency = e.global_efficiency.value_or(75.0);
        double total = 0;
        for (std::int32_t j = 0; j < net.pumps.count(); ++j) {
            const auto uj = static_cast<std::size_t>(j);
            const std::size_t k = net.pumps.link[uj].idx();
            if (is_closed(s.status[k]) || !(s.setting[k] > 0.0)) // off, or at speed 0
                continue;
            const double q = std::fabs(s.flow_m3s[k]);
            const double dh =
                std::fabs(s.head_m[net.from_node[k].idx()] - s.head_m[net.to_node[k].idx()]);
            double eta = global_efficiency;
            if (const CurveIndex c = net.pumps.efficiency_curve[uj]; c.valid()) {
                const double speed = s.setting[k];
                const Curve& curve = net.curves[c.idx()];
                eta = curve_interpolate(curve.x, curve.y, q / speed);
                eta = 100.0 - (100.0 - eta) * std::pow(1.0 / speed, 0.1);
            }
            eta = std::max(std::min(eta, 100.0), 1.0) / 100.0;
            // EPANET's kW: head (ft) × flow (cfs) × specific gravity / 8.814 / η × 0.7457.
            const double kw =
                dh / kFoot * (q / cfs_m3s) * net.options.specific_gravity / 8.814 / eta * 0.7457;
            total += kw;
            const double own = net.pumps.energy_price[uj];
            double price = !std::isnan(own) && own > 0.0 ? own : global_price;
            price *= net.pumps.price_pattern[uj].valid()
                         ? pattern_value(net, net.pumps.price_pattern[uj], period)
                         : global_factor;
            hours[uj] += dt_h;
            efficiency_h[uj] += eta * dt_h;
            // P/Q with Q no smaller than EPANET's QZERO (1e-6 cfs), in kW per m³/s
            kw_per_flow_h[uj] += kw / std::max(q, 1e-6 * cfs_m3s) * dt_h;
            kwh[uj] += kw * dt_h;
            peak_kw[uj] = std::max(peak_kw[uj], kw);
            cost[uj] += price * kw * dt_h;
        }
        peak_total_kw = std::max(peak_total_kw, total);
    }

    /// Means over the time on line, shares of `duration_h` (0: a single period, counted as one
    /// hour), cost per day; EPANET's saveenergy().
    void finish(const Network& net, double duration_h, EpsResult& out) const {
        out.pump_energy.assign(hours.size(), {});
        for (std::size_t j = 0; j < hours.size(); ++j) {
            PumpEnergy& p = out.pump_energy[j];
            const double t = hours[j];
            p.energy_kwh = kwh[j];
            p.peak_kw = peak_kw[j];
            if (duration_h == 0.0) {
                p.utilization_pct = 100.0 * t;
                p.efficiency_pct = 100.0 * efficiency_h[j];
                p.kwh_per_m3 = kw_per_flow_h[j] / 3600.0;
                p.average_kw = kwh[j];
                p.cost_per_day = cost[j] * 24.0;
                continue;
            }
            p.utilization_pct = 100.0 * t / duration_h;
            if (t > 0.0) {
                p.efficiency_pct = 100.0 * efficiency_h[j] / t;
                p.kwh_per_m3 = kw_per_flow_h[j] / t / 3600.0;
                p.average_kw = kwh[j] / t;
            }
            p.cost_per_day = cost[j] * 24.0 / duration_h;
        }
        out.peak_pumping_kw = peak_total_kw;
        out.demand_charge = peak_total_kw * net.energy.demand_charge.value_or(0.0);
    }
};

/// The inputs and the solution of the last solve, to recognise a step that poses exactly the same
/// problem again (single-period networks, steps where no pattern, tank, control or rule changed
/// anything): junction demands, fixed heads, statuses and settings all bit-identical to what the
/// last solve started from and ended with. Its solution then stands unchanged; re-solving would
/// start there and end there to within round-off, at the cost of a factorisation. Only a
/// converged solve is reused.
struct LastSolve {
    bool valid = false;
    std::vector<double> demand_m3s;   ///< per node: junction demands the solve was given
    std::vector<double> fixed_head_m; ///< per node: tank and reservoir heads (junctions 0)
    std::vector<LinkState> status;    ///< per link, after the solve
    std::vector<double> setting;      ///< per link, after the solve
    std::vector<double> node_demand;  ///< per node, after the solve (delivered, net inflows)
    HydraulicSummary summary;

    void record_inputs(const Network& net, const HydraulicTopology& topo, const HydraulicState& s) {
        const auto nn = static_cast<std::size_t>(net.node_count());
        demand_m3s.resize(nn);
        fixed_head_m.resize(nn);
        for (std::size_t i = 0; i < nn; ++i) {
            const bool junction = topo.row[i] >= 0;
            demand_m3s[i] = junction ? s.node_demand[i] : 0.0;
            fixed_head_m[i] = junction ? 0.0 : s.head_m[i];
        }
    }

    void record_solution(const HydraulicState& s, const HydraulicSummary& sum) {
        valid = sum.converged;
        status = s.status;
        setting = s.setting;
        node_demand = s.node_demand;
        summary = sum;
    }

    [[nodiscard]] bool repeats(const Network& net, const HydraulicTopology& topo,
                               const HydraulicState& s) const {
        if (!valid || s.status != status)
            return false;
        const auto nl = static_cast<std::size_t>(net.link_count());
        for (std::size_t k = 0; k < nl; ++k)
            if (!same_setting(s.setting[k], setting[k]))
                return false;
        const auto nn = static_cast<std::size_t>(net.node_count());
        for (std::size_t i = 0; i < nn; ++i) {
            if (topo.row[i] >= 0 ? s.node_demand[i] != demand_m3s[i]
                                 : s.head_m[i] != fixed_head_m[i])
                return false;
        }
        return true;
    }

    /// Puts back what the solve reported as node demands (demands() overwrote the junctions'
    /// with their requested demand); heads, flows and statuses are still the solve's.
    void restore(HydraulicState& s) const { s.node_demand = node_demand; }
};

} // namespace

std::string EpsOptions::validate() const {
    if (duration < -1)
        return "duration must be >= 0 or -1";
    return hydraulic.validate();
}

EpsResult simulate_eps(const Network& net, const HydraulicTopology& topo,
                       const EpsOptions& options) {
    EpsResult out;
    Simulation sim(net, topo);
    initialize_state(net, topo, sim.s);
    const Times& t = net.times;
    sim.dur = options.duration >= 0 ? options.duration : t.duration;
    // EPANET 2.2's adjustments (input1.c adjustdata): the hydraulic step is at most the pattern
    // and report steps; a report start after the end becomes 0.
    sim.pstep = t.pattern_step > 0 ? t.pattern_step : 3600;
    sim.rstep = t.report_step > 0 ? t.report_step : sim.pstep;
    sim.hstep = t.hydraulic_step > 0 ? t.hydraulic_step : 3600;
    sim.hstep = std::min({sim.hstep, sim.pstep, sim.rstep});
    sim.pstart = t.pattern_start;
    sim.rstart = t.report_start > sim.dur ? 0 : t.report_start;
    sim.tstart = t.start_clocktime;
    sim.rulestep = t.rule_step && *t.rule_step > 0 ? *t.rule_step : sim.hstep / 10;
    sim.rulestep = std::max<Seconds>(1, std::min(sim.rulestep, sim.hstep));
    sim.rtime = sim.rstep;
    if (options.epanet_volume_rounding)
        sim.vscale = epanet_units::kCfs / topo.cfs_m3s;
    sim.system_demand_.assign(static_cast<std::size_t>(net.node_count()), 0);
    sim.spilled_m3.assign(static_cast<std::size_t>(net.tanks.count()), 0.0);
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());

    EnergyTally energy(static_cast<std::size_t>(net.pumps.count()));
    std::vector<double> v0, spilled0;            // tank volumes and spills before a step
    double leaked = 0, inflowed = 0, stored = 0; // EPANET 2.3 flow balance terms, m³
    LastSolve last;
    while (true) {
        sim.demands();
        sim.system_demand_ = sim.s.node_demand;
        sim.controls();
        if (options.before_solve)
            options.before_solve(sim.htime, sim.s);
        HydraulicSummary sum;
        if (last.repeats(net, topo, sim.s)) {
            // The same problem as the last solve, started from its solution: that solution
            // stands (a Newton step from it would move the flows by round-off only).
            last.restore(sim.s);
            sum = last.summary;
            sum.iterations = 0;
            ++out.repeated_steps;
        } else {
            last.record_inputs(net, topo, sim.s);
            sum = solve_hydraulics(net, topo, sim.s, options.hydraulic);
            last.record_solution(sim.s, sum);
        }
        if (options.after_solve)
            options.after_solve(sim.htime, sim.s, sum);
        ++out.hydraulic_steps;
        out.iterations += sum.iterations;
        if (!sum.converged) {
            out.converged = false;
            if (out.message.empty())
                out.message = "t = " + std::to_string(sim.htime) + " s: " + sum.message;
        }
        // Continuity: Σ of every node's outflow (junction demand, tank and reservoir inflow) is 0.
        // EPANET 2.3's flow balance (flowbalance.c): inflow from reservoirs and junctions with
        // negative demand, tanks as the net storage, leakage
        double supply = 0, imbalance = 0, leaking = 0, inflow = 0, storing = 0;
        if (topo.has_leakage)
            for (std::size_t i = 0; i < nn; ++i) {
                leaking += sim.s.leak_fa_flow[i] + sim.s.leak_va_flow[i];
                if (net.node_kind[i] == NodeKind::kTank)
                    storing += sim.s.node_demand[i];
                else if (sim.s.node_demand[i] < 0)
                    inflow -= sim.s.node_demand[i];
            }
        for (std::size_t i = 0; i < nn; ++i) {
            imbalance += sim.s.node_demand[i];
            if (net.node_kind[i] != NodeKind::kJunction && sim.s.node_demand[i] < 0)
                supply -= sim.s.node_demand[i];
            if (net.node_kind[i] == NodeKind::kJunction && sim.s.node_demand[i] < 0)
                supply -= sim.s.node_demand[i];
        }
        // Relative to the supply, with a floor of 1e-9 m³/s for networks at rest.
        out.max_mass_balance_error =
            std::max(out.max_mass_balance_error, std::fabs(imbalance) / std::max(supply, 1e-9));
        const Seconds h = sim.htime;
        const bool report = h >= sim.rstart && (h - sim.rstart) % sim.rstep == 0 &&
                            (options.report_until < 0 || h <= options.report_until);
        if (report) {
            EpsSnapshot snap;
            snap.time_s = h;
            snap.summary = sum;
            snap.head_m = sim.s.head_m;
            snap.demand_m3s = sim.s.node_demand;
            if (topo.has_leakage) {
                snap.leakage_m3s.assign(nn, 0.0);
                for (std::size_t i = 0; i < nn; ++i)
                    snap.leakage_m3s[i] = sim.s.leak_fa_flow[i] + sim.s.leak_va_flow[i];
            }
            snap.flow_m3s.resize(nl);
            for (std::size_t k = 0; k < nl; ++k)
                snap.flow_m3s[k] = reported_flow(sim.s, k);
            snap.cut_off = sim.s.cut_off;
            snap.link_open.resize(nl);
            for (std::size_t k = 0; k < nl; ++k)
                snap.link_open[k] = is_closed(sim.s.status[k]) ? 0 : 1;
            snap.tank_overflow_m3s.assign(static_cast<std::size_t>(net.tanks.count()), 0.0);
            for (std::int32_t k = 0; k < net.tanks.count(); ++k) {
                const auto uk = static_cast<std::size_t>(k);
                const double q = sim.s.node_demand[net.tanks.node[uk].idx()];
                if (net.tanks.overflow[uk] && q > 0 &&
                    sim.s.tank_volume_m3[uk] >= topo.tank_vmax[uk])
                    snap.tank_overflow_m3s[uk] = q;
            }
            out.reports.push_back(std::move(snap));
        }
        if (sim.htime >= sim.dur ||
            (options.report_until >= 0 && sim.htime >= options.report_until)) {
            if (sim.dur == 0) { // a single period: the rates, and an hour of pumping
                leaked = leaking;
                inflowed = inflow;
                stored = storing;
                energy.add(net, sim.s, topo.cfs_m3s, 1.0, (sim.htime + sim.pstart) / sim.pstep);
            }
            break;
        }
        v0.assign(sim.s.tank_volume_m3.begin(), sim.s.tank_volume_m3.end());
        spilled0.assign(sim.spilled_m3.begin(), sim.spilled_m3.end());
        const Seconds step = sim.time_step();
        // Pumping energy over the step, from the state time_step() leaves (tank heads at the
        // step's end, statuses as rules set them), as EPANET's addenergy() after timestep().
        energy.add(net, sim.s, topo.cfs_m3s, static_cast<double>(step) / 3600.0,
                   (sim.htime + sim.pstart) / sim.pstep);
        leaked += leaking * static_cast<double>(step);
        inflowed += inflow * static_cast<double>(step);
        stored += storing * static_cast<double>(step);
        // Storage change plus spill equals net inflow × step, unless a tank hit a limit (then
        // EPANET's rule sets it to the limit within a second's flow).
        for (std::int32_t k = 0; k < net.tanks.count(); ++k) {
            const auto uk = static_cast<std::size_t>(k);
            const double q = sim.s.node_demand[net.tanks.node[uk].idx()] * sim.vscale;
            const double dv = sim.s.tank_volume_m3[uk] - v0[uk];
            const double spill = sim.spilled_m3[uk] - spilled0[uk];
            const double full = topo.tank_vmax[uk], empty = topo.tank_vmin[uk];
            const bool inside = sim.s.tank_volume_m3[uk] < full && sim.s.tank_volume_m3[uk] > empty;
            const bool spilling = net.tanks.overflow[uk] && v0[uk] >= full && spill > 0;
            if (inside || spilling)
                out.max_storage_error_m3 =
                    std::max(out.max_storage_error_m3,
                             std::fabs(dv + spill - q * static_cast<double>(step)));
        }
        sim.htime += step;
        if (sim.htime >= sim.rtime)
            sim.rtime += sim.rstep;
    }
    out.tank_overflow_volume_m3 = sim.spilled_m3;
    energy.finish(net, static_cast<double>(sim.dur == 0 ? 0 : sim.htime) / 3600.0, out);
    out.leakage_volume_m3 = leaked;
    out.supply_volume_m3 = inflowed + std::max(-stored, 0.0); // tanks drained on the whole
    return out;
}

} // namespace rencheng::water
