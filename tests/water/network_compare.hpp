// Field-by-field comparison of two water networks, for the round-trip tests.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "water/network.hpp"

namespace rencheng::water::test_support {

/// Collects the differences between two networks: every field, floating values within `rtol`
/// relative (plus a tiny absolute floor for values that should be zero).
class NetworkDiff {
public:
    explicit NetworkDiff(double rtol = 1e-12) : rtol_(rtol) {}

    std::vector<std::string> compare(const Network& a, const Network& b);

private:
    double rtol_;
    std::vector<std::string> out_;

    bool close(double x, double y) const {
        if (std::isnan(x) && std::isnan(y))
            return true;
        return std::abs(x - y) <= rtol_ * std::max(std::abs(x), std::abs(y)) + 1e-300;
    }
    void num(const std::string& what, double x, double y) {
        if (!close(x, y)) {
            std::ostringstream s;
            s.precision(17);
            s << what << ": " << x << " != " << y;
            out_.push_back(s.str());
        }
    }
    template <typename T> void eq(const std::string& what, const T& x, const T& y) {
        if (!(x == y))
            out_.push_back(what + " differs");
    }
    void nums(const std::string& what, const std::vector<double>& x, const std::vector<double>& y) {
        if (x.size() != y.size()) {
            out_.push_back(what + ": sizes differ");
            return;
        }
        for (std::size_t i = 0; i < x.size(); ++i)
            num(what + "[" + std::to_string(i) + "]", x[i], y[i]);
    }
    void opt(const std::string& what, const std::optional<double>& x,
             const std::optional<double>& y) {
        if (x.has_value() != y.has_value())
            out_.push_back(what + ": presence differs");
        else if (x)
            num(what, *x, *y);
    }
};

inline std::vector<std::string> NetworkDiff::compare(const Network& a, const Network& b) {
    out_.clear();
    eq("title", a.title, b.title);
    eq("node_id", a.node_id, b.node_id);
    eq("node_kind", a.node_kind, b.node_kind);
    nums("elevation_m", a.elevation_m, b.elevation_m);
    nums("emitter_coefficient", a.emitter_coefficient, b.emitter_coefficient);
    nums("initial_quality", a.initial_quality, b.initial_quality);
    eq("has_initial_quality", a.has_initial_quality, b.has_initial_quality);
    nums("x", a.x, b.x);
    nums("y", a.y, b.y);
    eq("has_coordinates", a.has_coordinates, b.has_coordinates);
    eq("head_pattern", a.head_pattern, b.head_pattern);
    eq("tank_of_node", a.tank_of_node, b.tank_of_node);
    eq("demand_begin", a.demand_begin, b.demand_begin);
    if (a.demands.size() == b.demands.size()) {
        for (std::size_t i = 0; i < a.demands.size(); ++i) {
            num("demand[" + std::to_string(i) + "]", a.demands[i].base_m3s, b.demands[i].base_m3s);
            eq("demand pattern", a.demands[i].pattern, b.demands[i].pattern);
            eq("demand category", a.demands[i].category, b.demands[i].category);
        }
    } else {
        out_.push_back("demand counts differ");
    }
    eq("link_id", a.link_id, b.link_id);
    eq("link_kind", a.link_kind, b.link_kind);
    eq("from_node", a.from_node, b.from_node);
    eq("to_node", a.to_node, b.to_node);
    nums("length_m", a.length_m, b.length_m);
    nums("diameter_m", a.diameter_m, b.diameter_m);
    nums("roughness", a.roughness, b.roughness);
    nums("minor_loss", a.minor_loss, b.minor_loss);
    eq("initial_status", a.initial_status, b.initial_status);
    nums("bulk_coefficient", a.bulk_coefficient, b.bulk_coefficient);
    nums("wall_coefficient", a.wall_coefficient, b.wall_coefficient);
    eq("has_bulk", a.has_bulk_coefficient, b.has_bulk_coefficient);
    eq("has_wall", a.has_wall_coefficient, b.has_wall_coefficient);
    nums("leak_area", a.leak_area, b.leak_area);
    nums("leak_expansion", a.leak_expansion, b.leak_expansion);
    eq("pump_of_link", a.pump_of_link, b.pump_of_link);
    eq("valve_of_link", a.valve_of_link, b.valve_of_link);
    if (a.vertices.size() == b.vertices.size())
        for (std::size_t i = 0; i < a.vertices.size(); ++i)
            nums("vertices", a.vertices[i], b.vertices[i]);
    else
        out_.push_back("vertices differ");

    const auto& ta = a.tanks;
    const auto& tb = b.tanks;
    eq("tank node", ta.node, tb.node);
    nums("tank init", ta.initial_level_m, tb.initial_level_m);
    nums("tank min", ta.min_level_m, tb.min_level_m);
    nums("tank max", ta.max_level_m, tb.max_level_m);
    nums("tank diameter", ta.diameter_m, tb.diameter_m);
    nums("tank minvol", ta.min_volume_m3, tb.min_volume_m3);
    eq("tank curve", ta.volume_curve, tb.volume_curve);
    eq("tank overflow", ta.overflow, tb.overflow);
    eq("tank mixing", ta.mixing, tb.mixing);
    nums("tank mixing fraction", ta.mixing_fraction, tb.mixing_fraction);
    eq("tank has mixing", ta.has_mixing, tb.has_mixing);
    nums("tank bulk", ta.bulk_coefficient, tb.bulk_coefficient);

    const auto& pa = a.pumps;
    const auto& pb = b.pumps;
    eq("pump link", pa.link, pb.link);
    eq("pump type", pa.type, pb.type);
    eq("pump curve", pa.curve, pb.curve);
    nums("pump power", pa.power_w, pb.power_w);
    nums("pump speed", pa.speed, pb.speed);
    eq("pump pattern", pa.pattern, pb.pattern);
    if (pa.legacy_values.size() == pb.legacy_values.size())
        for (std::size_t i = 0; i < pa.legacy_values.size(); ++i)
            nums("pump legacy", pa.legacy_values[i], pb.legacy_values[i]);
    eq("pump efficiency", pa.efficiency_curve, pb.efficiency_curve);
    nums("pump price", pa.energy_price, pb.energy_price);
    eq("pump price pattern", pa.price_pattern, pb.price_pattern);

    eq("valve link", a.valves.link, b.valves.link);
    eq("valve kind", a.valves.kind, b.valves.kind);
    nums("valve setting", a.valves.setting, b.valves.setting);
    eq("valve curve", a.valves.curve, b.valves.curve);

    if (a.patterns.size() == b.patterns.size()) {
        for (std::size_t i = 0; i < a.patterns.size(); ++i) {
            eq("pattern id", a.patterns[i].id, b.patterns[i].id);
            nums("pattern " + a.patterns[i].id, a.patterns[i].multipliers,
                 b.patterns[i].multipliers);
        }
    } else {
        out_.push_back("pattern counts differ");
    }
    if (a.curves.size() == b.curves.size()) {
        for (std::size_t i = 0; i < a.curves.size(); ++i) {
            const auto& ca = a.curves[i];
            const auto& cb = b.curves[i];
            eq("curve id", ca.id, cb.id);
            eq("curve kind " + ca.id, ca.kind, cb.kind);
            eq("curve shape " + ca.id, ca.shape, cb.shape);
            nums("curve x " + ca.id, ca.x, cb.x);
            nums("curve y " + ca.id, ca.y, cb.y);
        }
    } else {
        out_.push_back("curve counts differ");
    }

    if (a.controls.size() == b.controls.size()) {
        for (std::size_t i = 0; i < a.controls.size(); ++i) {
            const auto& x = a.controls[i];
            const auto& y = b.controls[i];
            const std::string w = "control[" + std::to_string(i) + "]";
            eq(w + " type", x.type, y.type);
            eq(w + " link", x.link, y.link);
            eq(w + " status", x.status, y.status);
            num(w + " setting", x.setting, y.setting);
            eq(w + " node", x.node, y.node);
            num(w + " level", x.level, y.level);
            eq(w + " time", x.time, y.time);
        }
    } else {
        out_.push_back("control counts differ");
    }
    if (a.rules.size() == b.rules.size()) {
        for (std::size_t i = 0; i < a.rules.size(); ++i) {
            const auto& x = a.rules[i];
            const auto& y = b.rules[i];
            const std::string w = "rule " + x.id;
            eq(w + " id", x.id, y.id);
            opt(w + " priority", x.priority, y.priority);
            if (x.premises.size() != y.premises.size()) {
                out_.push_back(w + " premise counts differ");
                continue;
            }
            for (std::size_t j = 0; j < x.premises.size(); ++j) {
                const auto& p = x.premises[j];
                const auto& q = y.premises[j];
                eq(w + " logic", p.logic, q.logic);
                eq(w + " object", p.object, q.object);
                eq(w + " index", p.index, q.index);
                eq(w + " attribute", p.attribute, q.attribute);
                eq(w + " relation", p.relation, q.relation);
                eq(w + " status", p.status, q.status);
                num(w + " value", p.value, q.value);
            }
            for (int part = 0; part < 2; ++part) {
                const auto& xa = part ? x.else_actions : x.then_actions;
                const auto& ya = part ? y.else_actions : y.then_actions;
                if (xa.size() != ya.size()) {
                    out_.push_back(w + " action counts differ");
                    continue;
                }
                for (std::size_t j = 0; j < xa.size(); ++j) {
                    eq(w + " action object", xa[j].object, ya[j].object);
                    eq(w + " action link", xa[j].link, ya[j].link);
                    eq(w + " action status", xa[j].status, ya[j].status);
                    num(w + " action setting", xa[j].setting, ya[j].setting);
                }
            }
        }
    } else {
        out_.push_back("rule counts differ");
    }

    const auto& oa = a.options;
    const auto& ob = b.options;
    eq("flow units", oa.flow_units, ob.flow_units);
    eq("pressure units", oa.pressure_units, ob.pressure_units);
    eq("headloss", oa.headloss, ob.headloss);
    num("specific gravity", oa.specific_gravity, ob.specific_gravity);
    num("viscosity", oa.viscosity, ob.viscosity);
    num("diffusivity", oa.diffusivity, ob.diffusivity);
    eq("trials", oa.trials, ob.trials);
    num("accuracy", oa.accuracy, ob.accuracy);
    num("head error", oa.head_error_m, ob.head_error_m);
    num("flow change", oa.flow_change_m3s, ob.flow_change_m3s);
    eq("unbalanced", oa.unbalanced_continue, ob.unbalanced_continue);
    eq("unbalanced trials", oa.unbalanced_trials, ob.unbalanced_trials);
    eq("checkfreq", oa.check_freq, ob.check_freq);
    eq("maxcheck", oa.max_check, ob.max_check);
    num("damplimit", oa.damp_limit, ob.damp_limit);
    eq("default pattern id", oa.default_pattern_id, ob.default_pattern_id);
    eq("default pattern", oa.default_pattern, ob.default_pattern);
    num("demand multiplier", oa.demand_multiplier, ob.demand_multiplier);
    eq("demand model", oa.demand_model, ob.demand_model);
    num("minimum pressure", oa.minimum_pressure_m, ob.minimum_pressure_m);
    num("required pressure", oa.required_pressure_m, ob.required_pressure_m);
    num("pressure exponent", oa.pressure_exponent, ob.pressure_exponent);
    num("emitter exponent", oa.emitter_exponent, ob.emitter_exponent);
    eq("backflow", oa.emitter_backflow, ob.emitter_backflow);
    eq("quality", oa.quality, ob.quality);
    num("tolerance", oa.tolerance, ob.tolerance);
    eq("map", oa.map_file, ob.map_file);
    eq("extra options", oa.extra, ob.extra);

    const auto& ma = a.times;
    const auto& mb = b.times;
    eq("duration", ma.duration, mb.duration);
    eq("hydraulic step", ma.hydraulic_step, mb.hydraulic_step);
    eq("quality step", ma.quality_step, mb.quality_step);
    eq("rule step", ma.rule_step, mb.rule_step);
    eq("pattern step", ma.pattern_step, mb.pattern_step);
    eq("pattern start", ma.pattern_start, mb.pattern_start);
    eq("report step", ma.report_step, mb.report_step);
    eq("report start", ma.report_start, mb.report_start);
    eq("start clocktime", ma.start_clocktime, mb.start_clocktime);
    eq("statistic", ma.statistic, mb.statistic);

    opt("global efficiency", a.energy.global_efficiency, b.energy.global_efficiency);
    opt("global price", a.energy.global_price, b.energy.global_price);
    eq("global pattern", a.energy.global_pattern, b.energy.global_pattern);
    opt("demand charge", a.energy.demand_charge, b.energy.demand_charge);
    const auto& ra = a.reactions;
    const auto& rb = b.reactions;
    opt("order bulk", ra.order_bulk, rb.order_bulk);
    opt("order wall", ra.order_wall, rb.order_wall);
    opt("order tank", ra.order_tank, rb.order_tank);
    opt("global bulk", ra.global_bulk, rb.global_bulk);
    opt("global wall", ra.global_wall, rb.global_wall);
    opt("limiting", ra.limiting_potential, rb.limiting_potential);
    opt("roughness correlation", ra.roughness_correlation, rb.roughness_correlation);
    if (a.sources.size() == b.sources.size()) {
        for (std::size_t i = 0; i < a.sources.size(); ++i) {
            eq("source node", a.sources[i].node, b.sources[i].node);
            eq("source type", a.sources[i].type, b.sources[i].type);
            num("source strength", a.sources[i].strength, b.sources[i].strength);
            eq("source pattern", a.sources[i].pattern, b.sources[i].pattern);
        }
    } else {
        out_.push_back("source counts differ");
    }
    eq("report", a.report, b.report);
    eq("backdrop", a.backdrop, b.backdrop);
    if (a.labels.size() == b.labels.size()) {
        for (std::size_t i = 0; i < a.labels.size(); ++i) {
            num("label x", a.labels[i].x, b.labels[i].x);
            num("label y", a.labels[i].y, b.labels[i].y);
            eq("label text", a.labels[i].text, b.labels[i].text);
            eq("label tail", a.labels[i].tail, b.labels[i].tail);
        }
    } else {
        out_.push_back("label counts differ");
    }
    if (a.tags.size() == b.tags.size()) {
        for (std::size_t i = 0; i < a.tags.size(); ++i) {
            eq("tag object", a.tags[i].object, b.tags[i].object);
            eq("tag id", a.tags[i].id, b.tags[i].id);
            eq("tag", a.tags[i].tag, b.tags[i].tag);
        }
    } else {
        out_.push_back("tag counts differ");
    }
    return out_;
}

} // namespace rencheng::water::test_support
