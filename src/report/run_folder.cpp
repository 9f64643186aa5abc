// Writers of the stress test's run folder (docs/run-folder.md).
#include "report/run_folder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/long_csv.hpp"
#include "sim/metrics.hpp"

namespace rencheng::report {

namespace {

using json = nlohmann::ordered_json;
using sim::Layer;
using sim::RealizationResult;
using sim::Simulation;

json num(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}

json stat_json(const sim::Stat& s) {
    return s.defined ? json(s.value) : json(nullptr);
}

json stats_json(const sim::Stats& s) {
    json j = json::object();
    j["mean"] = stat_json(s.mean);
    j["p10"] = stat_json(s.p10);
    j["p50"] = stat_json(s.p50);
    j["p90"] = stat_json(s.p90);
    j["min"] = stat_json(s.min);
    j["max"] = stat_json(s.max);
    return j;
}

json stats_of(std::vector<double> v) {
    return stats_json(sim::compute_stats(std::move(v)));
}

std::string service_str(int s) {
    return std::string(model::service_name(static_cast<model::Service>(s)));
}

/// Services with a population curve, in catalogue order.
std::vector<int> curve_services(const Simulation& sim) {
    std::vector<int> out;
    for (int s = 0; s < sim::kServiceCount; ++s)
        if (sim.has_service_curve(static_cast<model::Service>(s)))
            out.push_back(s);
    return out;
}

std::vector<sim::Lifeline> lifelines(const Simulation& sim) {
    std::vector<sim::Lifeline> out;
    for (int l = 0; l < sim::kLifelineCount; ++l)
        if (sim.has_lifeline(static_cast<sim::Lifeline>(l)))
            out.push_back(static_cast<sim::Lifeline>(l));
    return out;
}

/// Per-time statistics of a curve over realizations: {"mean": [...], "p10": [...], ...}.
template <class Get>
json curve_json(std::size_t n_out, std::size_t n_real, Get&& get, bool with_p50) {
    json mean = json::array(), p10 = json::array(), p50 = json::array(), p90 = json::array();
    std::vector<double> v(n_real);
    for (std::size_t k = 0; k < n_out; ++k) {
        for (std::size_t r = 0; r < n_real; ++r)
            v[r] = get(r, k);
        const sim::Stats s = sim::compute_stats(v);
        mean.push_back(stat_json(s.mean));
        p10.push_back(stat_json(s.p10));
        p50.push_back(stat_json(s.p50));
        p90.push_back(stat_json(s.p90));
    }
    json j = json::object();
    j["mean"] = std::move(mean);
    j["p10"] = std::move(p10);
    if (with_p50)
        j["p50"] = std::move(p50);
    j["p90"] = std::move(p90);
    return j;
}

std::string hazard_label(const sim::HazardSpec& h, bool zh) {
    if (zh && !h.label_zh.empty())
        return h.label_zh;
    if (!zh && !h.label.empty())
        return h.label;
    switch (h.type) {
    case sim::HazardType::kFailure:
        return zh ? "设定故障" : "explicit failures";
    case sim::HazardType::kRandomFailures:
        return zh ? "随机故障 N-" + std::to_string(h.count)
                  : "random failures N-" + std::to_string(h.count) + " (" + h.layer + ")";
    case sim::HazardType::kSupplyLoss:
        if (h.supply == "power")
            return zh ? "外部电源中断" : "loss of the external power supply";
        if (h.supply == "gas")
            return zh ? "上游气源中断" : "loss of the gas gate stations";
        return zh ? (h.cause == "contamination" ? "水源污染" : "水源中断")
                  : (h.cause == "contamination" ? "water source contamination"
                                                : "loss of the water sources");
    case sim::HazardType::kEarthquake:
        return zh ? "地震" : "earthquake";
    case sim::HazardType::kRainstorm:
        return zh ? "暴雨" : "rainstorm";
    case sim::HazardType::kTyphoon:
        return zh ? "台风" : "typhoon";
    }
    return "";
}

} // namespace

std::string format_summary_json(const Simulation& sim, const sim::EnsembleResult& ens) {
    const sim::Scenario& sc = sim.scenario();
    const model::City& city = sim.city();
    const auto& R = ens.realizations;
    const std::size_t n_real = R.size();
    const std::size_t n_out = static_cast<std::size_t>(sc.output_count());
    const double step_h = static_cast<double>(sc.step_s) / 3600.0;
    const std::vector<int> services = curve_services(sim);

    json j = json::object();
    j["schema"] = "rencheng.summary/1";
    {
        json s = json::object();
        s["name"] = sc.name;
        s["title"] = sc.title;
        s["title_zh"] = sc.title_zh;
        s["horizon_s"] = sc.horizon_s;
        s["step_s"] = sc.step_s;
        s["seed"] = sc.seed;
        s["realizations"] = n_real;
        json hz = json::array();
        for (const auto& h : sc.hazards)
            hz.push_back({{"type", std::string(sim::hazard_type_name(h.type))},
                          {"label", hazard_label(h, false)},
                          {"label_zh", hazard_label(h, true)}});
        s["hazards"] = std::move(hz);
        s["policy"] = std::string(sim::dispatch_policy_name(sc.recovery.policy));
        j["scenario"] = std::move(s);
    }
    {
        const auto& e = city.info.extent;
        j["city"] = {{"name", city.info.name},
                     {"name_zh", city.info.name_zh},
                     {"population", city.total_population()},
                     {"extent", {e.min_lon, e.min_lat, e.max_lon, e.max_lat}}};
    }
    json ll = json::array();
    for (const auto l : lifelines(sim))
        ll.push_back(std::string(sim::lifeline_name(l)));
    j["lifelines"] = std::move(ll);
    json sv = json::array();
    for (const int s : services)
        sv.push_back(service_str(s));
    j["services"] = std::move(sv);
    json times = json::array();
    for (std::size_t k = 0; k < n_out; ++k)
        times.push_back(static_cast<std::int64_t>(k) * sc.step_s);
    j["time_s"] = std::move(times);

    // Service curves and metrics per service.
    json curves = json::object(), metrics = json::object();
    std::vector<std::array<double, sim::kServiceCount>> ph(n_real);
    for (std::size_t r = 0; r < n_real; ++r)
        ph[r] = sim::population_hours_lost(sim, R[r]);
    for (const int s : services) {
        const double pop = sim.service_population(static_cast<model::Service>(s));
        curves[service_str(s)] = curve_json(
            n_out, n_real,
            [&](std::size_t r, std::size_t k) { return R[r].served_population[s][k] / pop; }, true);
        std::vector<double> lost, rl, mins, unmet;
        std::array<std::vector<double>, 3> ttr;
        for (std::size_t r = 0; r < n_real; ++r) {
            const auto m = sim::curve_metrics(R[r].served_population[s], pop, sc.step_s);
            lost.push_back(m.population_hours_lost);
            rl.push_back(m.resilience_loss_pct_h);
            mins.push_back(m.min_service);
            unmet.push_back(R[r].unmet_demand[s]);
            for (std::size_t i = 0; i < 3; ++i)
                ttr[i].push_back(m.time_to_restore_h[i] ? *m.time_to_restore_h[i]
                                                        : std::numeric_limits<double>::infinity());
        }
        json m = json::object();
        m["population"] = pop;
        m["population_hours_lost"] = stats_of(lost);
        m["resilience_loss_pct_h"] = stats_of(rl);
        m["min_service"] = stats_of(mins);
        m["time_to_restore_h"] = {
            {"50", stats_of(ttr[0])}, {"90", stats_of(ttr[1])}, {"100", stats_of(ttr[2])}};
        const auto service = static_cast<model::Service>(s);
        if (service == model::Service::kWater) {
            m["unmet_demand"] = stats_of(unmet);
            m["unmet_demand_unit"] = "m3";
        } else if (service == model::Service::kPower) {
            m["unmet_demand"] = stats_of(unmet);
            m["unmet_demand_unit"] = "MWh";
        } else if (service == model::Service::kGas) {
            m["unmet_demand"] = stats_of(unmet);
            m["unmet_demand_unit"] = "Nm3"; // normal m³ (0 °C, 101.325 kPa)
        } else {
            m["unmet_demand"] = nullptr;
            m["unmet_demand_unit"] = nullptr;
        }
        metrics[service_str(s)] = std::move(m);
    }
    j["service_curves"] = std::move(curves);

    json restoration = json::object();
    for (const auto l : lifelines(sim)) {
        const auto li = static_cast<int>(l);
        restoration[std::string(sim::lifeline_name(l))] = curve_json(
            n_out, n_real,
            [&](std::size_t r, std::size_t k) {
                const double d = R[r].damaged_count[li][k];
                return d > 0 ? R[r].repaired_count[li][k] / d : 1.0;
            },
            false);
    }
    j["restoration_curves"] = std::move(restoration);
    j["metrics"] = std::move(metrics);

    // Damage per layer.
    json damage = json::object();
    for (int l = 0; l < sim::kLayerCount; ++l) {
        const auto layer = static_cast<Layer>(l);
        if (sim.layer_size(layer) == 0)
            continue;
        std::vector<double> d;
        for (const auto& r : R)
            d.push_back(r.damaged_per_layer[l]);
        damage[std::string(sim::layer_name(layer))] = {{"damaged", stats_of(d)},
                                                       {"total", sim.layer_size(layer)}};
    }
    j["damage"] = std::move(damage);

    // Street flooding under a rainstorm (docs/run-folder.md "flooding").
    if (sim.layer_size(Layer::kDrainageNode) > 0 &&
        std::any_of(sc.hazards.begin(), sc.hazards.end(), [](const sim::HazardSpec& h) {
            return h.type == sim::HazardType::kRainstorm ||
                   (h.type == sim::HazardType::kTyphoon && (h.typhoon_rain || h.surge));
        })) {
        std::vector<double> depth, volume, roads, runs;
        for (const auto& r : R) {
            depth.push_back(r.max_street_flood_m);
            volume.push_back(r.drainage_flood_volume_m3);
            roads.push_back(r.flooded_road_links);
            runs.push_back(r.drainage_solves);
        }
        j["flooding"] = {{"max_street_depth_m", stats_of(depth)},
                         {"flood_volume_m3", stats_of(volume)},
                         {"road_links_closed", stats_of(roads)},
                         {"drainage_reruns", stats_of(runs)}};
    }

    // Facilities.
    json facilities = json::array();
    for (std::size_t f = 0; f < city.facilities.size(); ++f) {
        const auto& fac = city.facilities[f];
        json down = json::object(), prob = json::object();
        for (int s = 0; s < sim::kServiceCount; ++s) {
            if (!sim.facility_depends(static_cast<std::int32_t>(f), static_cast<model::Service>(s)))
                continue;
            std::vector<double> h;
            double lost = 0;
            for (const auto& r : R) {
                h.push_back(r.facility_downtime_h[f][s]);
                bool any = false;
                for (const auto bits : r.facility_lost_bits[f])
                    any = any || (bits & (1u << s)) != 0;
                lost += any ? 1.0 : 0.0;
            }
            down[service_str(s)] = stats_of(h);
            prob[service_str(s)] = n_real > 0 ? lost / static_cast<double>(n_real) : 0.0;
        }
        facilities.push_back({{"asset", "facility:" + fac.id},
                              {"kind", std::string(model::facility_kind_name(fac.kind))},
                              {"name", fac.name},
                              {"name_zh", fac.name_zh},
                              {"lon", fac.position.lon},
                              {"lat", fac.position.lat},
                              {"downtime_h", std::move(down)},
                              {"prob_loss", std::move(prob)}});
    }
    j["facilities"] = std::move(facilities);

    // Districts.
    json districts = json::array();
    for (std::size_t d = 0; d < sim.districts().size(); ++d) {
        json lost = json::object();
        for (const int s : services) {
            std::vector<double> v;
            for (const auto& r : R) {
                double sum = 0;
                const auto& w = r.district_without[s][d];
                for (std::size_t k = 0; k + 1 < w.size(); ++k)
                    sum += w[k] * step_h;
                v.push_back(sum);
            }
            lost[service_str(s)] = stats_of(v);
        }
        districts.push_back({{"district", sim.districts()[d]},
                             {"population", sim.district_population()[d]},
                             {"population_hours_lost", std::move(lost)}});
    }
    j["districts"] = std::move(districts);

    // Top causes: mean person-hours per (root, service) over all realizations.
    struct Cause {
        double sum = 0;
        std::string root_event;
        std::vector<std::string> chain;
    };
    std::map<std::pair<std::int32_t, int>, Cause> causes;
    std::vector<double> root_ph(static_cast<std::size_t>(sim.asset_count()), 0.0);
    std::vector<double> in_chain(static_cast<std::size_t>(sim.asset_count()), 0.0);
    for (const auto& r : R) {
        for (const auto& rl : r.root_losses) {
            auto [it, inserted] = causes.try_emplace({rl.root, rl.service});
            if (inserted) {
                it->second.root_event = rl.root_event;
                it->second.chain = rl.chain;
            }
            it->second.sum += rl.person_hours;
            root_ph[rl.root] += rl.person_hours;
        }
        for (const auto a : r.chain_assets)
            in_chain[a] += 1.0;
    }
    std::vector<std::pair<std::pair<std::int32_t, int>, const Cause*>> sorted_causes;
    for (const auto& [key, c] : causes)
        sorted_causes.emplace_back(key, &c);
    std::stable_sort(sorted_causes.begin(), sorted_causes.end(),
                     [](const auto& a, const auto& b) { return a.second->sum > b.second->sum; });
    json top = json::array();
    const double nr = std::max<double>(1.0, static_cast<double>(n_real));
    for (std::size_t i = 0; i < sorted_causes.size() && i < 20; ++i) {
        const auto& [key, c] = sorted_causes[i];
        double total = 0;
        for (const auto& p : ph)
            total += p[key.second];
        const double mean = c->sum / nr;
        top.push_back({{"root", sim.asset_name(key.first)},
                       {"root_event", c->root_event},
                       {"service", service_str(key.second)},
                       {"population_hours", mean},
                       {"share", total > 0 ? num(c->sum / total) : json(nullptr)},
                       {"example_chain", c->chain}});
    }
    j["top_causes"] = std::move(top);

    std::vector<std::int32_t> crit;
    for (std::int32_t a = 0; a < sim.asset_count(); ++a)
        if (in_chain[a] > 0)
            crit.push_back(a);
    std::stable_sort(crit.begin(), crit.end(), [&](std::int32_t a, std::int32_t b) {
        if (in_chain[a] != in_chain[b])
            return in_chain[a] > in_chain[b];
        return root_ph[a] > root_ph[b];
    });
    json criticality = json::array();
    for (std::size_t i = 0; i < crit.size() && i < 50; ++i)
        criticality.push_back({{"asset", sim.asset_name(crit[i])},
                               {"frequency", in_chain[crit[i]] / nr},
                               {"population_hours", root_ph[crit[i]] / nr}});
    j["criticality"] = std::move(criticality);

    // Exceedance curves of population-hours lost.
    json exc = json::object();
    auto exceed = [&](std::vector<double> v) {
        json a = json::array();
        for (const auto& p : sim::exceedance_curve(std::move(v)))
            a.push_back({{"value", p.value}, {"probability", p.probability}});
        return a;
    };
    {
        std::vector<double> total;
        for (const auto& p : ph) {
            double t = 0;
            for (const int s : services)
                t += p[s];
            total.push_back(t);
        }
        json e = json::object();
        e["total"] = exceed(total);
        for (const int s : services) {
            std::vector<double> v;
            for (const auto& p : ph)
                v.push_back(p[s]);
            e[service_str(s)] = exceed(v);
        }
        exc["population_hours_lost"] = std::move(e);
    }
    j["exceedance"] = std::move(exc);

    json reals = json::array();
    for (std::size_t r = 0; r < n_real; ++r) {
        json lost = json::object(), dmg = json::object();
        for (const int s : services)
            lost[service_str(s)] = ph[r][s];
        for (int l = 0; l < sim::kLayerCount; ++l)
            if (sim.layer_size(static_cast<Layer>(l)) > 0)
                dmg[std::string(sim::layer_name(static_cast<Layer>(l)))] =
                    R[r].damaged_per_layer[l];
        reals.push_back({{"index", R[r].realization},
                         {"population_hours_lost", std::move(lost)},
                         {"damaged", std::move(dmg)}});
    }
    j["realizations"] = std::move(reals);

    json policies = json::array();
    if (!sc.recovery.compare.empty()) {
        auto add = [&](sim::DispatchPolicy p, auto&& get) {
            json lost = json::object();
            for (const int s : services) {
                std::vector<double> v;
                for (std::size_t r = 0; r < n_real; ++r)
                    v.push_back(get(r, s));
                lost[service_str(s)] = stats_of(v);
            }
            policies.push_back({{"policy", std::string(sim::dispatch_policy_name(p))},
                                {"population_hours_lost", std::move(lost)}});
        };
        add(sc.recovery.policy, [&](std::size_t r, int s) { return ph[r][s]; });
        for (std::size_t i = 0; i < sc.recovery.compare.size(); ++i)
            add(sc.recovery.compare[i],
                [&](std::size_t r, int s) { return ens.policies[r][i].population_hours_lost[s]; });
    }
    j["policies"] = std::move(policies);
    return j.dump(1) + "\n";
}

std::string format_run_json(const Simulation& sim, const sim::EnsembleResult& ens,
                            const RunInfo& info) {
    json j = json::object();
    j["schema"] = "rencheng.run/1";
    j["rencheng_version"] = info.rencheng_version;
    j["started_utc"] = info.started_utc;
    j["wall_s"] = info.wall_s;
    j["threads"] = info.threads;
    j["mpi_ranks"] = info.mpi_ranks;
    j["scenario_file"] = info.scenario_file;
    j["city_bundle"] = info.city_bundle;
    j["command"] = info.command;
    double mb = 0, pb = 0, dc = 0;
    long long ws = 0, ps = 0;
    for (const auto& r : ens.realizations) {
        mb = std::max(mb, r.max_water_mass_balance);
        pb = std::max(pb, r.max_power_imbalance_mw);
        dc = std::max(dc, r.max_drainage_continuity_pct);
        ws += r.water_solves;
        ps += r.power_solves;
    }
    j["checks"] = {{"max_water_mass_balance_error", mb},
                   {"max_power_island_imbalance_mw", pb},
                   {"water_segments_solved", ws},
                   {"power_islandings_solved", ps},
                   {"max_drainage_continuity_error_pct", dc}};
    if (sim.has_lifeline(sim::Lifeline::kGas)) { // gas node balance of every solved zone
        double gb = 0, gr = 0;
        long long gs = 0;
        for (const auto& r : ens.realizations) {
            gb = std::max(gb, r.max_gas_balance_m3s);
            gr = std::max(gr, r.max_gas_relative_balance);
            gs += r.gas_solves;
        }
        j["checks"]["max_gas_node_imbalance_m3s"] = gb;
        j["checks"]["max_gas_relative_imbalance"] = gr;
        j["checks"]["gas_states_solved"] = gs;
    }
    (void)sim;
    return j.dump(1) + "\n";
}

namespace {

std::string g9(double v) {
    if (!std::isfinite(v))
        return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

std::string format_timeseries_csv(const Simulation& sim, const sim::EnsembleResult& ens) {
    const sim::Scenario& sc = sim.scenario();
    const std::vector<int> services = curve_services(sim);
    std::string out = "realization,time_s,scope,id,quantity,value\n";
    auto row = [&](std::int32_t r, std::int64_t t, const char* scope, const std::string& id,
                   const std::string& q, double v) {
        out += std::to_string(r) + ',' + std::to_string(t) + ',' + scope + ',' + csv_field(id) +
               ',' + q + ',' + g9(v) + '\n';
    };
    for (const auto& R : ens.realizations) {
        const bool detailed = R.realization < std::max(1, sc.outputs.events_realizations);
        for (std::int32_t k = 0; k < sc.output_count(); ++k) {
            const std::int64_t t = static_cast<std::int64_t>(k) * sc.step_s;
            for (const int s : services) {
                const double pop = sim.service_population(static_cast<model::Service>(s));
                row(R.realization, t, "city", "", "served_fraction_" + service_str(s),
                    R.served_population[s][k] / pop);
                row(R.realization, t, "city", "", "population_without_" + service_str(s),
                    pop - R.served_population[s][k]);
            }
            row(R.realization, t, "city", "", "crews_busy", R.crews_busy[k]);
            for (const auto l : lifelines(sim)) {
                const auto li = static_cast<int>(l);
                const std::string id(sim::lifeline_name(l));
                row(R.realization, t, "lifeline", id, "damaged_components", R.damaged_count[li][k]);
                row(R.realization, t, "lifeline", id, "repaired_components",
                    R.repaired_count[li][k]);
            }
            if (!detailed)
                continue;
            for (std::size_t d = 0; d < sim.districts().size(); ++d)
                for (const int s : services)
                    row(R.realization, t, "district", sim.districts()[d],
                        "population_without_" + service_str(s), R.district_without[s][d][k]);
            for (std::size_t f = 0; f < sim.city().facilities.size(); ++f)
                for (int s = 0; s < sim::kServiceCount; ++s)
                    if (sim.facility_depends(static_cast<std::int32_t>(f),
                                             static_cast<model::Service>(s)))
                        row(R.realization, t, "facility", "facility:" + sim.city().facilities[f].id,
                            "served_fraction_" + service_str(s),
                            (R.facility_lost_bits[f][k] & (1u << s)) != 0 ? 0.0 : 1.0);
        }
    }
    return out;
}

std::string format_assets_geojson(const Simulation& sim, const sim::EnsembleResult& ens) {
    const auto& R = ens.realizations;
    const double nr = std::max<double>(1.0, static_cast<double>(R.size()));
    std::string out = "{\"type\":\"FeatureCollection\",\"features\":[\n";
    bool first = true;
    for (std::int32_t a = 0; a < sim.asset_count(); ++a) {
        const Layer layer = sim.asset_layer(a);
        json geometry;
        if (layer == Layer::kZone) {
            const auto& z = sim.city().zones[sim.asset_local(a)];
            if (z.ring.size() >= 4) {
                json ring = json::array();
                for (const auto& p : z.ring)
                    ring.push_back({p.lon, p.lat});
                geometry = {{"type", "Polygon"}, {"coordinates", json::array({ring})}};
            } else {
                geometry = {{"type", "Point"}, {"coordinates", {z.centroid.lon, z.centroid.lat}}};
            }
        } else {
            const auto line = sim.asset_line(a);
            if (line.size() >= 2) {
                json c = json::array();
                for (const auto& p : line)
                    c.push_back({p.lon, p.lat});
                geometry = {{"type", "LineString"}, {"coordinates", std::move(c)}};
            } else {
                const auto p = sim.asset_position(a);
                geometry = {{"type", "Point"}, {"coordinates", {p.lon, p.lat}}};
            }
        }
        double damaged = 0, lost = 0, down = 0;
        for (const auto& r : R) {
            damaged += r.first_damage[a] != sim::DamageLevel::kNone ? 1 : 0;
            lost += r.service_lost[a];
            down += r.downtime_h[a];
        }
        json props = json::object();
        props["asset"] = sim.asset_name(a);
        props["layer"] = std::string(sim::layer_name(layer));
        props["class"] = sim.asset_class(a);
        props["prob_damage"] = damaged / nr;
        props["damage_state_r0"] =
            R.empty() ? "none" : std::string(sim::damage_level_name(R.front().first_damage[a]));
        if (layer == Layer::kZone || layer == Layer::kFacility)
            props["prob_service_loss"] = lost / nr;
        props["downtime_h_mean"] = down / nr;
        if (layer == Layer::kZone) {
            const double pop = static_cast<double>(sim.city().zones[sim.asset_local(a)].population);
            props["population"] = pop;
            props["population_hours_lost_mean"] = pop * down / nr;
        }
        json f = {{"type", "Feature"},
                  {"properties", std::move(props)},
                  {"geometry", std::move(geometry)}};
        out += (first ? "" : ",\n") + f.dump();
        first = false;
    }
    out += "\n]}\n";
    return out;
}

std::string format_events_jsonl(const Simulation& sim, const sim::EnsembleResult& ens) {
    std::string out;
    for (const auto& r : ens.realizations)
        for (const auto& e : r.events) {
            json j = json::object();
            j["realization"] = r.realization;
            j["time_s"] = e.time_s;
            j["seq"] = e.seq;
            j["asset"] = sim.asset_name(e.asset);
            j["service"] = e.service >= 0 ? json(service_str(e.service)) : json(nullptr);
            j["event"] = std::string(sim::event_kind_name(e.kind));
            j["cause"] = e.cause_asset >= 0
                             ? json{{"asset", sim.asset_name(e.cause_asset)},
                                    {"event", std::string(sim::event_kind_name(e.cause_kind))}}
                             : json(nullptr);
            j["detail"] = e.detail;
            j["detail_zh"] = e.detail_zh;
            j["chain"] = e.chain;
            out += j.dump() + "\n";
        }
    return out;
}

void write_run_folder(const std::filesystem::path& dir, const Simulation& sim,
                      const sim::EnsembleResult& ens, const RunInfo& info) {
    write_file_atomic(dir / "summary.json", format_summary_json(sim, ens));
    write_file_atomic(dir / "run.json", format_run_json(sim, ens, info));
    write_file_atomic(dir / "timeseries.csv", format_timeseries_csv(sim, ens));
    write_file_atomic(dir / "assets.geojson", format_assets_geojson(sim, ens));
    write_file_atomic(dir / "events.jsonl", format_events_jsonl(sim, ens));
}

} // namespace rencheng::report
