// EPANET .inp writer: the network back in the units it was read in, numbers in shortest
// round-trip form.
#include <charconv>
#include <cmath>
#include <string>

#include "core/atomic_file.hpp"
#include "water/epanet_inp.hpp"

namespace rencheng::water {
namespace {

class Writer {
public:
    explicit Writer(const Network& net) : net_(net), f_(unit_factors(net.options)) {}
    std::string run();

private:
    const Network& net_;
    UnitFactors f_;
    std::string out_;

    void num(double v) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
    }
    void field(double v) {
        out_ += '\t';
        num(v);
    }
    void id(std::string_view s) {
        // Quote an id that holds a blank or ';' (EPANET 2.2 reads "..." as one token).
        if (s.empty() ||
            s.find_first_of(std::string_view(" \t\r\f\v;\0", 7)) != std::string_view::npos) {
            out_ += '"';
            out_ += s;
            out_ += '"';
        } else {
            out_ += s;
        }
    }
    void field(std::string_view s) {
        out_ += '\t';
        id(s);
    }
    void header(std::string_view name) {
        out_ += "\n[";
        out_ += name;
        out_ += "]\n";
    }
    void time(Seconds s) {
        const Seconds h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        out_ += std::to_string(h);
        out_ += ':';
        if (m < 10)
            out_ += '0';
        out_ += std::to_string(m);
        out_ += ':';
        if (sec < 10)
            out_ += '0';
        out_ += std::to_string(sec);
    }
    const std::string& pattern_id(PatternIndex p) const { return net_.patterns[p.idx()].id; }
    const std::string& curve_id(CurveIndex c) const { return net_.curves[c.idx()].id; }
    double setting_from_si(LinkIndex k, double v) const {
        const auto vi = net_.valve_of_link[k.idx()];
        if (vi < 0)
            return v;
        switch (net_.valves.kind[static_cast<std::size_t>(vi)]) {
        case ValveKind::kPrv:
        case ValveKind::kPsv:
        case ValveKind::kPbv:
            return v / f_.pressure;
        case ValveKind::kFcv:
            return v / f_.flow;
        default:
            return v;
        }
    }
    static std::string_view status_name(LinkStatus s) {
        return s == LinkStatus::kOpen ? "OPEN" : s == LinkStatus::kClosed ? "CLOSED" : "ACTIVE";
    }

    void nodes();
    void links();
    void demands_and_status();
    void patterns_and_curves();
    void controls();
    void rules();
    void energy_and_quality();
    void times_report_options();
    void map_sections();
};

void Writer::nodes() {
    header("JUNCTIONS");
    out_ += ";ID\tElev\tDemand\tPattern\n";
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        if (net_.node_kind[static_cast<std::size_t>(n)] != NodeKind::kJunction)
            continue;
        const auto u = static_cast<std::size_t>(n);
        id(net_.node_id[u]);
        field(net_.elevation_m[u] / f_.length);
        const auto b = net_.demand_begin[u], e = net_.demand_begin[u + 1];
        if (e > b) {
            const auto& d = net_.demands[static_cast<std::size_t>(b)];
            field(d.base_m3s / f_.flow);
            if (d.pattern.valid())
                field(pattern_id(d.pattern));
        } else {
            field(0.0);
        }
        out_ += '\n';
    }
    // Reservoirs and tanks in node order; a new header whenever the kind changes, so that reading
    // the text back numbers the nodes the same way.
    NodeKind open = NodeKind::kJunction;
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        const auto kind = net_.node_kind[u];
        if (kind == NodeKind::kJunction)
            continue;
        if (kind != open) {
            header(kind == NodeKind::kReservoir ? "RESERVOIRS" : "TANKS");
            out_ += kind == NodeKind::kReservoir ? ";ID\tHead\tPattern\n"
                                                 : ";ID\tElevation\tInitLevel\tMinLevel\tMaxLevel"
                                                   "\tDiameter\tMinVol\tVolCurve\tOverflow\n";
            open = kind;
        }
        id(net_.node_id[u]);
        field(net_.elevation_m[u] / f_.length);
        if (kind == NodeKind::kReservoir) {
            if (net_.head_pattern[u].valid())
                field(pattern_id(net_.head_pattern[u]));
        } else {
            const auto t = static_cast<std::size_t>(net_.tank_of_node[u]);
            const auto& tk = net_.tanks;
            field(tk.initial_level_m[t] / f_.length);
            field(tk.min_level_m[t] / f_.length);
            field(tk.max_level_m[t] / f_.length);
            field(tk.diameter_m[t] / f_.length);
            field(tk.min_volume_m3[t] / f_.volume);
            field(tk.volume_curve[t].valid() ? std::string_view(curve_id(tk.volume_curve[t]))
                                             : std::string_view("*"));
            if (tk.overflow[t])
                out_ += "\tYES";
        }
        out_ += '\n';
    }
}

void Writer::links() {
    int open = -1;
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const auto kind = net_.link_kind[u];
        const int section = kind == LinkKind::kPump ? 1 : kind == LinkKind::kValve ? 2 : 0;
        if (section != open) {
            header(section == 0 ? "PIPES" : section == 1 ? "PUMPS" : "VALVES");
            out_ += section == 0
                        ? ";ID\tNode1\tNode2\tLength\tDiameter\tRoughness\tMinorLoss\tStatus\n"
                    : section == 1 ? ";ID\tNode1\tNode2\tParameters\n"
                                   : ";ID\tNode1\tNode2\tDiameter\tType\tSetting\tMinorLoss\n";
            open = section;
        }
        id(net_.link_id[u]);
        field(net_.node_id[net_.from_node[u].idx()]);
        field(net_.node_id[net_.to_node[u].idx()]);
        if (section == 0) {
            field(net_.length_m[u] / f_.length);
            field(net_.diameter_m[u] / f_.diameter);
            field(net_.options.headloss == HeadLossFormula::kDarcyWeisbach
                      ? net_.roughness[u] / f_.roughness_dw
                      : net_.roughness[u]);
            field(net_.minor_loss[u]);
            out_ += kind == LinkKind::kCvPipe                       ? "\tCV"
                    : net_.initial_status[u] == LinkStatus::kClosed ? "\tClosed"
                                                                    : "\tOpen";
        } else if (section == 1) {
            const auto p = static_cast<std::size_t>(net_.pump_of_link[u]);
            const auto& pm = net_.pumps;
            if (pm.type[p] == Pumps::Type::kLegacy) {
                const auto& v = pm.legacy_values[p];
                if (v.size() == 2) {
                    field(v[1] / f_.length);
                    field(v[0] / f_.flow);
                } else if (v.size() >= 6) {
                    field(v[1] / f_.length);
                    field(v[3] / f_.length);
                    field(v[2] / f_.flow);
                    field(v[5] / f_.length);
                    field(v[4] / f_.flow);
                    if (v.size() >= 7)
                        field(v[6] / f_.flow);
                }
            } else {
                if (pm.curve[p].valid()) {
                    out_ += "\tHEAD";
                    field(curve_id(pm.curve[p]));
                }
                if (pm.power_w[p] > 0) {
                    out_ += "\tPOWER";
                    field(pm.power_w[p] / f_.power);
                }
                if (pm.speed[p] != 1.0) {
                    out_ += "\tSPEED";
                    field(pm.speed[p]);
                }
                if (pm.pattern[p].valid()) {
                    out_ += "\tPATTERN";
                    field(pattern_id(pm.pattern[p]));
                }
            }
        } else {
            const auto v = static_cast<std::size_t>(net_.valve_of_link[u]);
            const auto vk = net_.valves.kind[v];
            field(net_.diameter_m[u] / f_.diameter);
            field(valve_kind_name(vk));
            if (vk == ValveKind::kGpv)
                field(curve_id(net_.valves.curve[v]));
            else
                field(setting_from_si(LinkIndex(k), net_.valves.setting[v]));
            field(net_.minor_loss[u]);
            if (vk == ValveKind::kPcv && net_.valves.curve[v].valid())
                field(curve_id(net_.valves.curve[v]));
        }
        out_ += '\n';
    }
}

void Writer::demands_and_status() {
    header("DEMANDS");
    out_ += ";Junction\tDemand\tPattern\tCategory\n";
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        if (net_.node_kind[u] != NodeKind::kJunction)
            continue;
        const auto b = net_.demand_begin[u], e = net_.demand_begin[u + 1];
        // One uncategorised demand is written in [JUNCTIONS] alone; anything else is repeated
        // here in full (the first [DEMANDS] line replaces the [JUNCTIONS] demand).
        if (e - b == 1 && net_.demands[static_cast<std::size_t>(b)].category.empty())
            continue;
        for (auto i = b; i < e; ++i) {
            const auto& d = net_.demands[static_cast<std::size_t>(i)];
            id(net_.node_id[u]);
            field(d.base_m3s / f_.flow);
            if (d.pattern.valid())
                field(pattern_id(d.pattern));
            if (!d.category.empty()) {
                out_ += "\t;";
                out_ += d.category;
            }
            out_ += '\n';
        }
    }

    header("STATUS");
    out_ += ";ID\tStatus/Setting\n";
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const auto kind = net_.link_kind[u];
        const auto st = net_.initial_status[u];
        if ((kind == LinkKind::kPump && st == LinkStatus::kClosed) ||
            (kind == LinkKind::kValve && st != LinkStatus::kActive)) {
            id(net_.link_id[u]);
            out_ += '\t';
            out_ += status_name(st);
            out_ += '\n';
        }
    }
}

void Writer::patterns_and_curves() {
    header("PATTERNS");
    out_ += ";ID\tMultipliers\n";
    for (const auto& p : net_.patterns) {
        for (std::size_t i = 0; i < p.multipliers.size(); i += 6) {
            id(p.id);
            for (std::size_t j = i; j < std::min(i + 6, p.multipliers.size()); ++j)
                field(p.multipliers[j]);
            out_ += '\n';
        }
    }
    header("CURVES");
    out_ += ";ID\tX-Value\tY-Value\n";
    for (const auto& c : net_.curves) {
        double fx = 1, fy = 1;
        const char* label = "";
        switch (c.kind) {
        case CurveKind::kPump:
            fx = f_.flow, fy = f_.length, label = "PUMP";
            break;
        case CurveKind::kHeadLoss:
            fx = f_.flow, fy = f_.length, label = "HEADLOSS";
            break;
        case CurveKind::kEfficiency:
            fx = f_.flow, label = "EFFICIENCY";
            break;
        case CurveKind::kVolume:
            fx = f_.length, fy = f_.volume, label = "VOLUME";
            break;
        case CurveKind::kValve:
            label = "VALVE";
            break;
        case CurveKind::kGeneric:
            break;
        }
        if (*label) {
            out_ += ';';
            out_ += label;
            out_ += ": ";
            out_ += c.id;
            out_ += '\n';
        }
        for (std::size_t i = 0; i < c.x.size(); ++i) {
            id(c.id);
            field(c.x[i] / fx);
            field(c.y[i] / fy);
            out_ += '\n';
        }
    }
}

void Writer::controls() {
    header("CONTROLS");
    for (const auto& c : net_.controls) {
        out_ += "LINK ";
        id(net_.link_id[c.link.idx()]);
        out_ += ' ';
        if (c.status)
            out_ += status_name(*c.status);
        else
            num(setting_from_si(c.link, c.setting));
        switch (c.type) {
        case Control::Type::kLowLevel:
        case Control::Type::kHighLevel: {
            out_ += " IF NODE ";
            id(net_.node_id[c.node.idx()]);
            out_ += c.type == Control::Type::kLowLevel ? " BELOW " : " ABOVE ";
            const bool tank = net_.node_kind[c.node.idx()] != NodeKind::kJunction;
            num(c.level / (tank ? f_.length : f_.pressure));
            break;
        }
        case Control::Type::kTimer:
            out_ += " AT TIME ";
            time(c.time);
            break;
        case Control::Type::kTimeOfDay:
            out_ += " AT CLOCKTIME ";
            time(c.time);
            break;
        }
        if (!c.enabled)
            out_ += " DISABLED";
        out_ += '\n';
    }
}

void Writer::rules() {
    using P = RulePremise;
    header("RULES");
    static constexpr std::string_view kObjects[] = {
        "NODE", "JUNCTION", "RESERVOIR", "TANK", "LINK", "PIPE", "PUMP", "VALVE", "SYSTEM"};
    static constexpr std::string_view kAttrs[] = {
        "DEMAND",  "HEAD",  "GRADE", "LEVEL",     "PRESSURE", "FLOW",     "STATUS",
        "SETTING", "POWER", "TIME",  "CLOCKTIME", "FILLTIME", "DRAINTIME"};
    static constexpr std::string_view kRels[] = {"=", "<>", "<=",  ">=",    "<",
                                                 ">", "IS", "NOT", "BELOW", "ABOVE"};
    for (const auto& r : net_.rules) {
        out_ += "\nRULE ";
        id(r.id);
        out_ += '\n';
        for (const auto& p : r.premises) {
            out_ += p.logic == P::Logic::kIf ? "IF " : p.logic == P::Logic::kAnd ? "AND " : "OR ";
            out_ += kObjects[static_cast<int>(p.object)];
            if (p.object != P::Object::kSystem) {
                out_ += ' ';
                id(p.object <= P::Object::kTank ? net_.node_id[static_cast<std::size_t>(p.index)]
                                                : net_.link_id[static_cast<std::size_t>(p.index)]);
            }
            out_ += ' ';
            out_ += kAttrs[static_cast<int>(p.attribute)];
            out_ += ' ';
            out_ += kRels[static_cast<int>(p.relation)];
            out_ += ' ';
            switch (p.attribute) {
            case P::Attribute::kStatus:
                out_ += status_name(p.status.value_or(LinkStatus::kOpen));
                break;
            case P::Attribute::kTime:
            case P::Attribute::kClockTime:
                time(static_cast<Seconds>(p.value));
                break;
            case P::Attribute::kDemand:
            case P::Attribute::kFlow:
                num(p.value / f_.flow);
                break;
            case P::Attribute::kHead:
            case P::Attribute::kGrade:
            case P::Attribute::kLevel:
                num(p.value / f_.length);
                break;
            case P::Attribute::kPressure:
                num(p.value / f_.pressure);
                break;
            case P::Attribute::kFillTime:
            case P::Attribute::kDrainTime:
                num(p.value / 3600.0);
                break;
            case P::Attribute::kPower:
                num(p.value / 1e3);
                break;
            case P::Attribute::kSetting:
                num(setting_from_si(LinkIndex(p.index), p.value));
                break;
            }
            out_ += '\n';
        }
        auto actions = [&](const std::vector<RuleAction>& list, std::string_view first) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                const auto& a = list[i];
                out_ += i == 0 ? first : std::string_view("AND");
                out_ += ' ';
                out_ += kObjects[static_cast<int>(a.object)];
                out_ += ' ';
                id(net_.link_id[a.link.idx()]);
                if (a.status) {
                    out_ += " STATUS = ";
                    out_ += status_name(*a.status);
                } else {
                    out_ += " SETTING = ";
                    num(setting_from_si(a.link, a.setting));
                }
                out_ += '\n';
            }
        };
        actions(r.then_actions, "THEN");
        actions(r.else_actions, "ELSE");
        if (r.priority) {
            out_ += "PRIORITY ";
            num(*r.priority);
            out_ += '\n';
        }
        if (!r.enabled)
            out_ += "DISABLED\n";
    }
}

void Writer::energy_and_quality() {
    header("ENERGY");
    const auto& e = net_.energy;
    if (e.global_efficiency) {
        out_ += "Global Efficiency";
        field(*e.global_efficiency);
        out_ += '\n';
    }
    if (e.global_price) {
        out_ += "Global Price";
        field(*e.global_price);
        out_ += '\n';
    }
    if (e.global_pattern.valid()) {
        out_ += "Global Pattern";
        field(pattern_id(e.global_pattern));
        out_ += '\n';
    }
    if (e.demand_charge) {
        out_ += "Demand Charge";
        field(*e.demand_charge);
        out_ += '\n';
    }
    const auto& pm = net_.pumps;
    for (std::int32_t p = 0; p < pm.count(); ++p) {
        const auto u = static_cast<std::size_t>(p);
        const auto& lid = net_.link_id[pm.link[u].idx()];
        if (pm.efficiency_curve[u].valid()) {
            out_ += "Pump";
            field(lid);
            out_ += "\tEfficiency";
            field(curve_id(pm.efficiency_curve[u]));
            out_ += '\n';
        }
        if (!std::isnan(pm.energy_price[u])) {
            out_ += "Pump";
            field(lid);
            out_ += "\tPrice";
            field(pm.energy_price[u]);
            out_ += '\n';
        }
        if (pm.price_pattern[u].valid()) {
            out_ += "Pump";
            field(lid);
            out_ += "\tPattern";
            field(pattern_id(pm.price_pattern[u]));
            out_ += '\n';
        }
    }

    header("EMITTERS");
    const double scale = f_.flow / std::pow(f_.pressure, net_.options.emitter_exponent);
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        if (net_.emitter_coefficient[u] == 0)
            continue;
        id(net_.node_id[u]);
        field(net_.emitter_coefficient[u] / scale);
        out_ += '\n';
    }

    header("QUALITY");
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        if (!net_.has_initial_quality[u])
            continue;
        id(net_.node_id[u]);
        field(net_.initial_quality[u]);
        out_ += '\n';
    }

    header("SOURCES");
    for (const auto& s : net_.sources) {
        id(net_.node_id[s.node.idx()]);
        if (!s.type.empty())
            field(s.type);
        field(s.strength);
        if (s.pattern.valid())
            field(pattern_id(s.pattern));
        out_ += '\n';
    }

    header("REACTIONS");
    const auto& r = net_.reactions;
    auto opt = [&](const char* name, const std::optional<double>& v) {
        if (v) {
            out_ += name;
            field(*v);
            out_ += '\n';
        }
    };
    opt("Order Bulk", r.order_bulk);
    opt("Order Wall", r.order_wall);
    opt("Order Tank", r.order_tank);
    opt("Global Bulk", r.global_bulk);
    opt("Global Wall", r.global_wall);
    opt("Limiting Potential", r.limiting_potential);
    opt("Roughness Correlation", r.roughness_correlation);
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        if (net_.has_bulk_coefficient[u]) {
            out_ += "Bulk";
            field(net_.link_id[u]);
            field(net_.bulk_coefficient[u]);
            out_ += '\n';
        }
        if (net_.has_wall_coefficient[u]) {
            out_ += "Wall";
            field(net_.link_id[u]);
            field(net_.wall_coefficient[u]);
            out_ += '\n';
        }
    }
    const auto& tk = net_.tanks;
    for (std::int32_t t = 0; t < tk.count(); ++t) {
        const auto u = static_cast<std::size_t>(t);
        if (tk.has_bulk_coefficient[u]) {
            out_ += "Tank";
            field(net_.node_id[tk.node[u].idx()]);
            field(tk.bulk_coefficient[u]);
            out_ += '\n';
        }
    }

    header("MIXING");
    for (std::int32_t t = 0; t < tk.count(); ++t) {
        const auto u = static_cast<std::size_t>(t);
        if (!tk.has_mixing[u])
            continue;
        id(net_.node_id[tk.node[u].idx()]);
        switch (tk.mixing[u]) {
        case MixingModel::kMixed:
            out_ += "\tMIXED";
            break;
        case MixingModel::kTwoCompartment:
            out_ += "\t2COMP";
            field(tk.mixing_fraction[u]);
            break;
        case MixingModel::kFifo:
            out_ += "\tFIFO";
            break;
        case MixingModel::kLifo:
            out_ += "\tLIFO";
            break;
        }
        out_ += '\n';
    }
}

void Writer::times_report_options() {
    header("TIMES");
    const auto& t = net_.times;
    auto line = [&](const char* name, Seconds s) {
        out_ += name;
        out_ += '\t';
        time(s);
        out_ += '\n';
    };
    line("Duration", t.duration);
    line("Hydraulic Timestep", t.hydraulic_step);
    if (t.quality_step)
        line("Quality Timestep", *t.quality_step);
    if (t.rule_step)
        line("Rule Timestep", *t.rule_step);
    line("Pattern Timestep", t.pattern_step);
    line("Pattern Start", t.pattern_start);
    line("Report Timestep", t.report_step);
    line("Report Start", t.report_start);
    line("Start ClockTime", t.start_clocktime);
    if (!t.statistic.empty()) {
        out_ += "Statistic\t";
        out_ += t.statistic;
        out_ += '\n';
    }

    header("REPORT");
    for (const auto& tokens : net_.report) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                out_ += '\t';
            id(tokens[i]);
        }
        out_ += '\n';
    }

    header("OPTIONS");
    const auto& o = net_.options;
    auto opt = [&](const char* name, double v) {
        out_ += name;
        field(v);
        out_ += '\n';
    };
    out_ += "Units\t";
    out_ += flow_units_name(o.flow_units);
    out_ += '\n';
    if (o.pressure_units) {
        out_ += "Pressure\t";
        out_ += pressure_units_name(*o.pressure_units);
        out_ += '\n';
    }
    out_ += "Headloss\t";
    out_ += o.headloss == HeadLossFormula::kHazenWilliams   ? "H-W"
            : o.headloss == HeadLossFormula::kDarcyWeisbach ? "D-W"
                                                            : "C-M";
    out_ += '\n';
    opt("Specific Gravity", o.specific_gravity);
    opt("Viscosity", o.viscosity);
    opt("Trials", o.trials);
    opt("Accuracy", o.accuracy);
    opt("HeadError", o.head_error_m / f_.length);
    opt("FlowChange", o.flow_change_m3s / f_.flow);
    out_ += "Unbalanced\t";
    if (o.unbalanced_continue) {
        out_ += "Continue";
        if (o.unbalanced_trials > 0)
            field(o.unbalanced_trials);
    } else {
        out_ += "Stop";
    }
    out_ += '\n';
    if (!o.default_pattern_id.empty()) {
        out_ += "Pattern";
        field(o.default_pattern_id);
        out_ += '\n';
    }
    opt("Demand Multiplier", o.demand_multiplier);
    out_ += o.demand_model == DemandModel::kPda ? "Demand Model\tPDA\n" : "Demand Model\tDDA\n";
    opt("Minimum Pressure", o.minimum_pressure_m / f_.pressure);
    if (o.has_required_pressure)
        opt("Required Pressure", o.required_pressure_m / f_.pressure);
    opt("Pressure Exponent", o.pressure_exponent);
    opt("Emitter Exponent", o.emitter_exponent);
    if (!o.emitter_backflow)
        out_ += "Backflow Allowed\tNO\n"; // what EPANET 2.3.5 reads (not its manual's form)
    if (!o.quality.empty()) {
        out_ += "Quality";
        for (const auto& q : o.quality)
            field(q);
        out_ += '\n';
    }
    opt("Diffusivity", o.diffusivity);
    opt("Tolerance", o.tolerance);
    opt("CheckFreq", o.check_freq);
    opt("MaxCheck", o.max_check);
    opt("DampLimit", o.damp_limit);
    if (!o.map_file.empty()) {
        out_ += "Map";
        field(o.map_file);
        out_ += '\n';
    }
    for (const auto& tokens : o.extra) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                out_ += '\t';
            id(tokens[i]);
        }
        out_ += '\n';
    }
}

void Writer::map_sections() {
    header("COORDINATES");
    out_ += ";Node\tX-Coord\tY-Coord\n";
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        if (!net_.has_coordinates[u])
            continue;
        id(net_.node_id[u]);
        field(net_.x[u]);
        field(net_.y[u]);
        out_ += '\n';
    }
    header("VERTICES");
    out_ += ";Link\tX-Coord\tY-Coord\n";
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto& v = net_.vertices[static_cast<std::size_t>(k)];
        for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
            id(net_.link_id[static_cast<std::size_t>(k)]);
            field(v[i]);
            field(v[i + 1]);
            out_ += '\n';
        }
    }
    header("LABELS");
    for (const auto& l : net_.labels) {
        num(l.x);
        field(l.y);
        out_ += "\t\"";
        out_ += l.text;
        out_ += '"';
        for (const auto& t : l.tail)
            field(t);
        out_ += '\n';
    }
    header("BACKDROP");
    for (const auto& tokens : net_.backdrop) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (i)
                out_ += '\t';
            id(tokens[i]);
        }
        out_ += '\n';
    }
    bool any_leak = false;
    for (auto h : net_.has_leakage)
        any_leak = any_leak || h;
    if (any_leak) {
        header("LEAKAGE");
        for (std::int32_t k = 0; k < net_.link_count(); ++k) {
            const auto u = static_cast<std::size_t>(k);
            if (!net_.has_leakage[u])
                continue;
            id(net_.link_id[u]);
            field(net_.leak_area[u]);
            field(net_.leak_expansion[u]);
            out_ += '\n';
        }
    }
}

std::string Writer::run() {
    out_.reserve(256 + 160 * static_cast<std::size_t>(net_.link_count() + net_.node_count()));
    out_ += "[TITLE]\n";
    if (!net_.title.empty()) {
        out_ += net_.title;
        out_ += '\n';
    }
    nodes();
    links();
    header("TAGS");
    for (const auto& t : net_.tags) {
        out_ += t.object;
        field(t.id);
        field(t.tag);
        out_ += '\n';
    }
    demands_and_status();
    patterns_and_curves();
    controls();
    rules();
    energy_and_quality();
    times_report_options();
    map_sections();
    out_ += "\n[END]\n";
    return std::move(out_);
}

} // namespace

std::string format_inp(const Network& net) {
    return Writer(net).run();
}

void write_inp(const std::filesystem::path& path, const Network& net) {
    write_file_atomic(path, format_inp(net));
}

} // namespace rencheng::water
