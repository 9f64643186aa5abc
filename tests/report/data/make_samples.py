#!/usr/bin/env python3
# Writes the sample run folders of the report tests (tests/report/data/full and minimal), following
# the run-folder contract (docs/run-folder.md). Seeded: running it again gives the same files.
#     python3 tests/report/data/make_samples.py tests/report/data
import json, math, random, os, sys
random.seed(7)

def stats(vals):
    v = sorted(vals); n = len(v)
    def q(p):
        h = (n - 1) * p; lo = math.floor(h); hi = min(lo + 1, n - 1)
        return round(v[lo] + (h - lo) * (v[hi] - v[lo]), 6)
    return {"mean": round(sum(v) / n, 6), "p10": q(.1), "p50": q(.5), "p90": q(.9),
            "min": round(v[0], 6), "max": round(v[-1], 6)}

def curve_stats(curves):
    T = len(curves[0]); out = {"mean": [], "p10": [], "p50": [], "p90": []}
    for t in range(T):
        s = stats([c[t] for c in curves])
        for k in out: out[k].append(s[k])
    return out

def make(name, services, lifelines, R, with_power):
    d = os.path.join(sys.argv[1], name); os.makedirs(d, exist_ok=True)
    step = 6 * 3600; horizon = 72 * 3600
    times = list(range(0, horizon + 1, step)); T = len(times)
    pop = 48000
    # per realization, per service: a dip then recovery
    curves = {s: [] for s in services}; rest = {l: [] for l in lifelines}
    phl = {s: [] for s in services}; rl = {s: [] for s in services}; mins = {s: [] for s in services}
    ttr = {s: {"50": [], "90": [], "100": []} for s in services}
    unmet = {s: [] for s in services}
    for r in range(R):
        for si, s in enumerate(services):
            depth = 0.25 + 0.5 * random.random() * (1 if s != "road_access" else 0.5)
            rec_h = 18 + 30 * random.random() + 6 * si
            c = []
            for t in times:
                h = t / 3600
                if h < 6: q = 1.0 if h == 0 else 1 - depth
                else: q = min(1.0, 1 - depth + depth * (h - 6) / rec_h)
                c.append(round(q, 6))
            curves[s].append(c)
            lost = sum((1 - c[i]) * pop * 6 for i in range(T - 1))
            phl[s].append(lost); rl[s].append(sum((1 - c[i]) * 100 * 6 for i in range(T - 1)))
            mins[s].append(min(c))
            for lv, f in (("50", .5), ("90", .9), ("100", 1.0)):
                ttr[s][lv].append(6 + rec_h * f)
            unmet[s].append(lost * (0.15 if s == "water" else 0.9))
        for li, l in enumerate(lifelines):
            rec_h = 20 + 30 * random.random() + 8 * li
            rest[l].append([round(min(1.0, max(0.0, (t / 3600 - 4) / rec_h)), 6) for t in times])
    metrics = {}
    for s in services:
        metrics[s] = {"population_hours_lost": stats(phl[s]), "resilience_loss_pct_h": stats(rl[s]),
                      "min_service": stats(mins[s]),
                      "time_to_restore_h": {k: stats(v) for k, v in ttr[s].items()},
                      "unmet_demand": stats(unmet[s]),
                      "unmet_demand_unit": {"water": "m3", "power": "MWh"}.get(s, "trips")}
    if name == "minimal":
        metrics["water"]["time_to_restore_h"]["100"] = None  # never fully restored
    # geometry
    W, S = 121.40, 31.20
    zones = []
    for i in range(2):
        for j in range(2):
            x0, y0 = W + i * 0.05, S + j * 0.03
            zones.append((f"Z{i}{j}", [[x0, y0], [x0 + .05, y0], [x0 + .05, y0 + .03], [x0, y0 + .03], [x0, y0]]))
    feats = []
    for zi, (zid, ring) in enumerate(zones):
        zp = 12000
        feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                      "properties": {"asset": f"zone:{zid}", "layer": "zone", "population": zp,
                                     "prob_service_loss": round(0.2 + 0.2 * zi, 3),
                                     "population_hours_lost_mean": round(sum(phl["water"]) / R / 4 * (0.4 + 0.4 * zi), 1)}})
    states = ["none", "break", "leak", "none", "none", "break", "none", "none"]
    nodes = [(W + 0.01 + 0.012 * k, S + 0.015 + 0.03 * (k % 2)) for k in range(9)]
    for k in range(8):
        feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(nodes[k]), list(nodes[k + 1])]},
                      "properties": {"asset": f"water_link:P{k+1}", "layer": "water_link", "class": "water.pipe.cast_iron",
                                     "prob_damage": round(k / 10 if states[k] != "none" else k / 20, 2), "damage_state_r0": states[k],
                                     "downtime_h_mean": round(3.5 * k, 1)}})
    for k in range(9):
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": list(nodes[k])},
                      "properties": {"asset": f"water_node:J{k+1}", "layer": "water_node", "class": "water.junction",
                                     "prob_damage": 0, "damage_state_r0": "none", "prob_service_loss": round(0.1 * k, 2)}})
    if with_power:
        buses = [(W + 0.02, S + 0.05), (W + 0.06, S + 0.05), (W + 0.09, S + 0.01)]
        for b, (x, y) in enumerate(buses):
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                          "properties": {"asset": f"power_bus:{b+1}", "layer": "power_bus", "class": "power.substation.low",
                                         "prob_damage": [0.6, 0.2, 0.0][b], "damage_state_r0": ["flooded", "none", "none"][b]}})
        for b in range(2):
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [list(buses[b]), list(buses[b + 1])]},
                          "properties": {"asset": f"power_branch:{b+1}", "layer": "power_branch", "class": "power.line.overhead",
                                         "prob_damage": [0.4, 0.0][b], "damage_state_r0": ["failed", "none"][b]}})
        for k in range(4):
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[W + 0.0, S + 0.01 * (k + 1)], [W + 0.1, S + 0.01 * (k + 1) + 0.005]]},
                          "properties": {"asset": f"road_link:R{k+1}", "layer": "road_link", "class": "road.primary",
                                         "prob_damage": [0.0, 0.2, 0.8, 0.0][k], "damage_state_r0": ["none", "none", "flooded", "none"][k]}})
    facs = [("H1", "hospital", "Central Hospital", "中心医院", W + 0.03, S + 0.02),
            ("S1", "shelter", "East School Shelter", "东区学校避难所", W + 0.08, S + 0.04),
            ("F1", "fire_station", "Fire Station 1", "第一消防站", W + 0.05, S + 0.055)]
    facilities = []
    for fi, (fid, kind, nm, nz, x, y) in enumerate(facs):
        ps = round(0.8 - 0.3 * fi, 2)
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                      "properties": {"asset": f"facility:{fid}", "layer": "facility", "class": f"facility.{kind}",
                                     "prob_damage": 0.0, "damage_state_r0": "none", "prob_service_loss": ps,
                                     "downtime_h_mean": round(20 - 6 * fi, 1)}})
        facilities.append({"asset": f"facility:{fid}", "kind": kind, "name": nm, "name_zh": nz, "lon": x, "lat": y,
                           "downtime_h": {s: stats([max(0, 20 - 6 * fi + 5 * random.random() - 2 * si) for _ in range(R)]) for si, s in enumerate(services)},
                           "prob_loss": {s: round(max(0, ps - 0.1 * si), 2) for si, s in enumerate(services)}})
    with open(os.path.join(d, "assets.geojson"), "w") as f:
        f.write('{"type": "FeatureCollection", "features": [\n')
        f.write(",\n".join(json.dumps(x, ensure_ascii=False) for x in feats))
        f.write("\n]}\n")
    totals = [sum(phl[s][r] for s in services) for r in range(R)]
    def exc(vals):
        v = sorted(vals, reverse=True); n = len(v)
        return [{"value": round(x, 3), "probability": round((i + 1) / n, 6)} for i, x in enumerate(v)]
    exceed = {"total": exc(totals)}
    for s in services: exceed[s] = exc(phl[s])
    damage = {"water_link": {"damaged": stats([2 + random.randint(0, 3) for _ in range(R)]), "total": 8}}
    if with_power:
        damage["power_bus"] = {"damaged": stats([random.randint(0, 1) for _ in range(R)]), "total": 3}
        damage["road_link"] = {"damaged": stats([random.randint(0, 2) for _ in range(R)]), "total": 4}
    main_svc = services[0]
    causes = [{"root": "power_bus:1" if with_power else "water_link:P2",
               "root_event": "flooded 0.62 m > 0.5 m" if with_power else "break (PGV 38 cm/s)",
               "service": "water", "population_hours": round(stats(phl["water"])["mean"] * 0.55, 1), "share": 0.55,
               "example_chain": (["facility:H1 lost water", "water_link:P3 pump stopped", "power_bus:1 de-energised", "power_bus:1 flooded 0.62 m > 0.5 m"]
                                 if with_power else ["facility:H1 lost water", "water_node:J3 pressure 4.2 m < 10 m", "water_link:P2 break"])}]
    if with_power:
        causes.append({"root": "power_branch:1", "root_event": "line down (gust 48 m/s)", "service": "power",
                       "population_hours": round(stats(phl["power"])["mean"] * 0.7, 1), "share": 0.7,
                       "example_chain": ["zone:Z10 lost power", "power_bus:2 de-energised", "power_branch:1 failed"]})
        causes.append({"root": "road_link:R3", "root_event": "flooded 0.35 m > 0.3 m", "service": "road_access",
                       "population_hours": round(stats(phl["road_access"])["mean"] * 0.9, 1), "share": 0.9,
                       "example_chain": ["zone:Z01 lost road_access", "road_link:R3 flooded 0.35 m > 0.3 m"]})
    crit = [{"asset": c["root"], "frequency": 0.6 if with_power else 1.0, "population_hours": c["population_hours"]} for c in causes]
    crit.append({"asset": "water_link:P6", "frequency": 0.4 if with_power else 1.0, "population_hours": 1234.5})
    realizations = [{"index": r, "population_hours_lost": {s: round(phl[s][r], 3) for s in services},
                     "damaged": {k: 2 for k in damage}} for r in range(R)]
    summary = {
        "schema": "rencheng.summary/1",
        "scenario": {"name": name + "-demo", "title": ("Rainstorm, 50-year, 3 hours" if with_power else "Pipe breaks after an earthquake"),
                     "title_zh": ("50 年一遇 3 小时暴雨" if with_power else "地震后的管道破裂"),
                     "horizon_s": horizon, "step_s": step, "seed": 2026, "realizations": R,
                     "hazards": ([{"type": "rainstorm", "label": "50-year 3-hour rainstorm", "label_zh": "50年一遇3小时暴雨"}] if with_power
                                 else [{"type": "earthquake", "label": "M6.5 earthquake", "label_zh": "6.5 级地震"}])},
        "city": {"name": "Sample City", "name_zh": "样例城", "population": pop, "extent": [W, S, W + 0.1, S + 0.06]},
        "lifelines": lifelines, "services": services, "time_s": times,
        "service_curves": {s: curve_stats(curves[s]) for s in services},
        "restoration_curves": {l: (lambda c: {"mean": c["mean"], "p10": c["p10"], "p90": c["p90"]})(curve_stats(rest[l])) for l in lifelines},
        "metrics": metrics, "damage": damage, "facilities": facilities,
        "districts": ([{"district": "North", "population": 24000, "population_hours_lost": {s: stats([x * 0.4 for x in phl[s]]) for s in services}},
                       {"district": "South", "population": 24000, "population_hours_lost": {s: stats([x * 0.6 for x in phl[s]]) for s in services}}] if with_power else []),
        "top_causes": causes, "criticality": crit,
        "exceedance": {"population_hours_lost": exceed},
        "realizations": realizations,
    }
    if with_power:
        summary["policies"] = [{"policy": "critical_first", "population_hours_lost": {s: stats(phl[s]) for s in services}},
                               {"policy": "most_people", "population_hours_lost": {s: stats([x * 0.92 for x in phl[s]]) for s in services}}]
    with open(os.path.join(d, "summary.json"), "w") as f:
        json.dump(summary, f, ensure_ascii=False, indent=1); f.write("\n")
    run = {"schema": "rencheng.run/1", "rencheng_version": "0.1.0", "started_utc": "2026-11-29T07:00:00Z",
           "wall_s": 12.5, "threads": 2, "mpi_ranks": 1, "scenario_file": "examples/demo-city/scenarios/x.toml",
           "city_bundle": "examples/demo-city", "command": ["rencheng", "stress-test", "examples/demo-city/scenarios/x.toml"]}
    with open(os.path.join(d, "run.json"), "w") as f:
        json.dump(run, f, ensure_ascii=False, indent=1); f.write("\n")
    # timeseries
    rows = ["realization,time_s,scope,id,quantity,value"]
    for r in range(R):
        for ti, t in enumerate(times):
            for s in services:
                rows.append(f"{r},{t},city,,served_fraction_{s},{curves[s][r][ti]:.9g}")
                rows.append(f"{r},{t},city,,population_without_{s},{(1-curves[s][r][ti])*pop:.9g}")
            rows.append(f"{r},{t},city,,crews_busy,{max(0, 4 - abs(ti - 3)) + (r % 2)}")
            for li, l in enumerate(lifelines):
                rows.append(f"{r},{t},lifeline,{l},damaged_components,{4 + r % 3 - li if ti > 0 else 0}")
                rows.append(f"{r},{t},lifeline,{l},repaired_components,{min(4 + r % 3 - li, max(0, ti - 1 - li))}")
            if with_power:
                for di, dn in enumerate(["North", "South"]):
                    for s in services:
                        v = min(1.0, curves[s][r][ti] + 0.05 * (1 - 2 * di))
                        rows.append(f"{r},{t},district,{dn},population_without_{s},{(1 - v) * 24000:.9g}")
            rows.append(f"{r},{t},facility,facility:H1,served_fraction_water,{1 if ti == 0 or ti > 4 else 0}")
    with open(os.path.join(d, "timeseries.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    # events: realization 0 and 1 (outputs.events_realizations = 2 in the full sample)
    ev = []; seq = 0
    for r in range(2 if with_power else 1):
        def e(t, asset, service, event, cause, detail, detail_zh, chain):
            nonlocal_seq[0] += 1
            ev.append({"realization": r, "time_s": t, "seq": nonlocal_seq[0], "asset": asset, "service": service, "event": event,
                       "cause": cause, "detail": detail, "detail_zh": detail_zh, "chain": chain})
        nonlocal_seq = [0]
        if with_power:
            e(3600, "power_bus:1", "", "damaged", None, "flooded 0.62 m > 0.5 m", "淹没 0.62 m > 0.5 m", ["power_bus:1 damaged: flooded 0.62 m > 0.5 m"])
            e(3600, "water_link:P3", "", "function_lost", {"asset": "power_bus:1", "event": "function_lost"}, "pump stopped", "水泵停机", ["water_link:P3 function_lost", "power_bus:1 function_lost", "power_bus:1 damaged: flooded 0.62 m > 0.5 m"])
            e(3600, "facility:H1", "power", "service_lost", {"asset": "power_bus:1", "event": "function_lost"}, "de-energised", "失电", ["facility:H1 service_lost power", "power_bus:1 function_lost", "power_bus:1 damaged: flooded 0.62 m > 0.5 m"])
            e(3600, "facility:H1", "power", "backup_started", None, "generator, 48 h of fuel", "发电机，燃油 48 小时", [])
        e(7200, "facility:H1", "water", "service_lost", {"asset": "water_link:P3", "event": "function_lost"}, "pressure 4.2 m < 10 m", "压力 4.2 m < 10 m",
          ["facility:H1 service_lost water", "water_link:P3 function_lost", "power_bus:1 function_lost", "power_bus:1 damaged: flooded 0.62 m > 0.5 m"] if with_power else ["facility:H1 service_lost water", "water_link:P2 damaged: break"])
        e(10800, "facility:S1", "water", "service_lost", {"asset": "water_link:P2", "event": "function_lost"}, "pressure 2.0 m < 10 m", "压力 2.0 m < 10 m", ["facility:S1 service_lost water", "water_link:P2 damaged: break"])
        e(14400, "water_link:P2", "", "crew_dispatched", None, "crew W1 from depot D1", "抢修队 W1 自 D1 出发", [])
        if with_power:
            e(18000, "facility:F1", "road_access", "service_lost", {"asset": "road_link:R3", "event": "function_lost"}, "road closed", "道路封闭", ["facility:F1 service_lost road_access", "road_link:R3 damaged: flooded 0.35 m > 0.3 m"])
        e(36000, "water_link:P2", "", "repaired", None, "repaired by crew W1", "W1 队修复", [])
        e(36000, "facility:S1", "water", "service_restored", None, "pressure 22 m", "压力 22 m", [])
        if with_power:
            e(54000, "facility:H1", "power", "service_restored", None, "feeder re-energised", "馈线恢复供电", [])
            e(61200, "facility:F1", "road_access", "service_restored", None, "road reopened", "道路重新开放", [])
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        for x in ev: f.write(json.dumps(x, ensure_ascii=False) + "\n")

make("full", ["water", "power", "road_access"], ["water", "power", "roads"], 5, True)
make("minimal", ["water"], ["water"], 1, False)
