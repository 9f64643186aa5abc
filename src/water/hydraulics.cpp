// Global Gradient Algorithm (Todini & Pilati 1988) with EPANET 2.2's coefficients and status logic.
#include "water/hydraulics.hpp"

#include "core/parallel.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

namespace rencheng::water {

namespace {

using namespace epanet_units;
constexpr double kPi = 3.14159265358979323846;
constexpr double kTinyGradient = 1e-6 * kGradient;  ///< EPANET's TINY as a head-loss gradient
constexpr double kTinyFlow = 1e-6 * kCfs;           ///< EPANET's TINY as a flow
constexpr double kBigConductance = 1e8 / kGradient; ///< EPANET's CBIG as 1/gradient
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// Σ|Δq| / Σ|q| of a Newton step below which the flows count as settled: the remaining error is
/// of the order of its square (quadratic convergence), or, at the round-off floor of networks
/// with flows at EPANET's smallest gradient (~1e-8), no longer falls.
constexpr double kSettled = 1e-8;
/// Networks from this many links on keep their trees in the system
/// (HydraulicOptions::eliminate_trees): their plain pipes are handled in chunks side by side
/// (HydraulicOptions::parallel_links), which the elimination's loops are not, so that setting
/// gives the same bits either way.
constexpr std::size_t kEliminationLinks = 16384;
/// Σ|Δq| / Σ|q| below which a Newton step that fails to halve the change shows the round-off
/// floor (Newton would square a real error): flows at EPANET's smallest gradient carry ~1e-8
/// of noise (on ky4 the polish then wanders between 4e-9 and 4e-8 for ten steps), and where
/// valves conduct 1e5–1e6 times more than the pipes beside them every flow carries ~1e-6 from
/// the heads' last bits (PacificCity's 2,691 TCVs: its polish sat at 1.4–2.3e-6 at every step).
constexpr double kRoundOffFloor = 1e-5;
/// Links or rows per chunk of the loops done side by side (HydraulicOptions::parallel_links).
constexpr std::size_t kLinkChunk = 4096;
/// Node imbalance, relative to the junctions' gross outflow, up to which continuity counts as
/// restored after a solve (project_continuity), and up to which what a projection leaves is
/// sent along the supply forest (push_along_tree) rather than to another projection.
constexpr double kContinuityTolerance = 1e-13;
constexpr double kTreePushLimit = 1e-9;
/// push_along_tree() walks the paths of this many junctions at most; more, and it sweeps the
/// whole forest once.
constexpr std::size_t kSparsePushJunctions = 64;

/// EPANET's initial flow of an open link: 1 ft/s over the diameter `d` (m), in m³/s.
double initial_pipe_flow(double d) {
    return kPi * d * d / 4.0 / (kFoot * kFoot) * kCfs;
}

/// Flow error left after a Newton step that changed the flows by `step` (Σ|Δq| / Σ|q|) when the
/// step before it, at the same statuses, changed them by `previous`. The steps contract by
/// ρ = step / previous; at that rate the error left is step·ρ/(1 − ρ), and Newton's quadratic
/// convergence leaves less (ρ falls further). Infinite when the steps do not contract.
double error_left(double step, double previous) {
    if (!(previous > 0) || !(step < 0.5 * previous))
        return std::numeric_limits<double>::infinity();
    const double rho = step / previous;
    return step * rho / (1.0 - rho);
}

/// Whether two vectors of one-byte values (statuses, flags) hold the same bytes: memcmp, which
/// std::equal does not use for enumerations.
template <typename T> bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
    static_assert(sizeof(T) == 1 && std::is_trivially_copyable_v<T>);
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool missing(double setting) {
    return std::isnan(setting);
}

/// Intercept h0 and slope r of the curve segment bracketing q (EPANET's curvecoeff()).
void curve_segment(const Curve& c, double q, double& h0, double& r) {
    const std::size_t n = c.x.size();
    if (n < 2) {
        h0 = n == 1 ? c.y[0] : 0;
        r = 0;
        return;
    }
    std::size_t k2 = 0;
    while (k2 < n && c.x[k2] < q)
        ++k2;
    if (k2 == 0)
        ++k2;
    else if (k2 == n)
        --k2;
    const std::size_t k1 = k2 - 1;
    r = (c.y[k2] - c.y[k1]) / (c.x[k2] - c.x[k1]);
    h0 = c.y[k1] - r * c.x[k1];
}

/// Power function h = a + b q^c through (0,h0), (q1,h1), (q2,h2) (EPANET's powercurve()).
bool power_curve(double h0, double h1, double h2, double q1, double q2, double& a, double& b,
                 double& c) {
    if (h0 <= 0 || h0 - h1 <= 0 || h1 - h2 <= 0 || q1 <= 0 || q2 - q1 <= 0)
        return false;
    a = h0;
    c = std::log((h0 - h2) / (h0 - h1)) / std::log(q2 / q1);
    if (c <= 0 || c > 20)
        return false;
    b = -(h0 - h1) / std::pow(q1, c);
    return b < 0;
}

} // namespace

double curve_interpolate(const std::vector<double>& x, const std::vector<double>& y, double xx) {
    const std::size_t n = x.size();
    if (n == 0)
        return 0;
    if (xx <= x[0])
        return y[0];
    for (std::size_t k = 1; k < n; ++k) {
        if (x[k] >= xx) {
            const double dx = x[k] - x[k - 1];
            if (std::fabs(dx) < 1e-6)
                return y[k];
            return y[k] - (x[k] - xx) * (y[k] - y[k - 1]) / dx;
        }
    }
    return y[n - 1];
}

std::string HydraulicOptions::validate() const {
    if (!(accuracy >= 0))
        return "accuracy must be >= 0";
    if (!(polish_accuracy >= 0))
        return "polish_accuracy must be >= 0";
    if (polish_trials < 0 || max_trials < 0)
        return "trial counts must be >= 0";
    return {};
}

HydraulicTopology::HydraulicTopology(const Network& net) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    row.assign(nn, -1);
    for (std::size_t i = 0; i < nn; ++i)
        if (net.node_kind[i] == NodeKind::kJunction) {
            row[i] = junctions++;
            node_of_row.push_back(i);
        }
    cfs_m3s = epanet_cfs(net.options.flow_units);
    // VISCOSITY above 1e-3 is relative to water at 20 °C, else an actual value in ft²/s or m²/s
    // (EPANET 2.2 input1.c adjustdata).
    const double v = net.options.viscosity;
    const double viscosity_ft2s =
        v > 1e-3 ? v * 1.1e-5 : (is_si(net.options.flow_units) ? v / (kFoot * kFoot) : v);
    viscosity_m2s = viscosity_ft2s * cfs_m3s / kFoot;
    adjacency = net.adjacency();

    resistance.assign(nl, 0);
    minor.assign(nl, 0);
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    for (std::size_t k = 0; k < nl; ++k) {
        const auto kind = net.link_kind[k];
        if (kind == LinkKind::kPipe || kind == LinkKind::kCvPipe) {
            resistance[k] = pipe_resistance(net.options.headloss, net.length_m[k],
                                            net.diameter_m[k], net.roughness[k], cfs_m3s);
        }
        if (kind != LinkKind::kPump && net.diameter_m[k] > 0)
            minor[k] = minor_loss_coefficient(net.minor_loss[k], net.diameter_m[k], cfs_m3s);
        const std::int32_t a = row[net.from_node[k].idx()];
        const std::int32_t b = row[net.to_node[k].idx()];
        if (a >= 0 && b >= 0 && a != b)
            edges.emplace_back(a, b);
    }
    symbolic = SymbolicCholesky(junctions, edges);
    for (std::size_t i = 0; i < nn; ++i)
        if (row[i] < 0)
            fixed_nodes.push_back(static_cast<std::int32_t>(i));
    for (std::size_t k = 0; k < nl; ++k)
        if (net.link_kind[k] != LinkKind::kPipe || row[net.from_node[k].idx()] < 0 ||
            row[net.to_node[k].idx()] < 0)
            status_links.push_back(static_cast<std::int32_t>(k));
    offdiag.assign(nl, -1);
    for (std::size_t k = 0; k < nl; ++k) {
        const std::int32_t a = row[net.from_node[k].idx()];
        const std::int32_t b = row[net.to_node[k].idx()];
        if (a >= 0 && b >= 0 && a != b)
            offdiag[k] = symbolic.position(a, b);
    }
    diag.resize(static_cast<std::size_t>(junctions));
    for (std::int32_t j = 0; j < junctions; ++j)
        diag[static_cast<std::size_t>(j)] = symbolic.diagonal_position(j);

    // EPANET 2.3 pipe leakage (leakage.c): per 100 ft of pipe, a leak area in mm² and an
    // expansion in mm² per m of pressure head, both given per 100 length units of the file (ft or
    // m, so an SI file's are ×0.3048 per 100 ft); Co = 0.6·√(2g) = 4.8149766 ft^0.5/s. A pipe's
    // leakage goes half to each junction end, whole to a junction whose other end is a tank or
    // reservoir, none between two of those.
    leak_c_fa.assign(nn, 0);
    leak_c_va.assign(nn, 0);
    const double per_100_ft = is_si(net.options.flow_units) ? kFoot : 1.0;
    for (std::size_t k = 0; k < nl; ++k) {
        const auto kind = net.link_kind[k];
        if ((kind != LinkKind::kPipe && kind != LinkKind::kCvPipe) || k >= net.leak_area.size() ||
            (net.leak_area[k] <= 0 && net.leak_expansion[k] <= 0))
            continue;
        const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
        const bool j1 = row[n1] >= 0, j2 = row[n2] >= 0;
        if (!j1 && !j2)
            continue;
        const double sections = net.length_m[k] / kFoot / 100.0 * (j1 && j2 ? 0.5 : 1.0);
        const double fa = 4.8149766e-6 * net.leak_area[k] * per_100_ft / (kFoot * kFoot) * sections;
        const double va = 4.8149766e-6 * net.leak_expansion[k] * per_100_ft / kFoot * sections;
        for (const std::size_t n : {n1, n2})
            if (row[n] >= 0) {
                leak_c_fa[n] += fa; // cfs per ft^0.5 until inverted below
                leak_c_va[n] += va; // cfs per ft^1.5
            }
    }
    for (std::size_t i = 0; i < nn; ++i) {
        leak_c_fa[i] = leak_c_fa[i] > 0 ? 1.0 / (leak_c_fa[i] * leak_c_fa[i]) : 0.0;
        leak_c_va[i] = leak_c_va[i] > 0 ? 1.0 / std::pow(leak_c_va[i], 2.0 / 3.0) : 0.0;
        has_leakage = has_leakage || leak_c_fa[i] > 0 || leak_c_va[i] > 0;
    }

    // Pumps (EPANET 2.2 manual §3.1 "Pumps"; one point: (0, 1.33334 h1), (q1, h1), (2 q1, 0)).
    const auto np = static_cast<std::size_t>(net.pumps.count());
    pump_curve.assign(np, PumpCurve::kNone);
    pump_h0.assign(np, 0);
    pump_r.assign(np, 0);
    pump_n.assign(np, 1);
    pump_hmax.assign(np, 0);
    pump_q0.assign(np, kCfs);
    pump_points.assign(np, CurveIndex{});
    for (std::size_t p = 0; p < np; ++p) {
        const auto type = net.pumps.type[p];
        if (type == Pumps::Type::kPower) {
            double hp =
                net.pumps.power_w[p] / (is_si(net.options.flow_units) ? 745.7 : 745.69987158227022);
            pump_curve[p] = PumpCurve::kConstantPower;
            pump_r[p] = -8.814 * hp * kFoot * kCfs;
            pump_n[p] = -1;
            pump_hmax[p] = 1e10;
            pump_q0[p] = kCfs;
            continue;
        }
        std::vector<double> x, y;
        if (type == Pumps::Type::kHeadCurve && net.pumps.curve[p].valid()) {
            const Curve& c = net.curves[net.pumps.curve[p].idx()];
            x = c.x;
            y = c.y;
            pump_points[p] = net.pumps.curve[p];
        } else if (type == Pumps::Type::kLegacy) {
            const auto& legacy = net.pumps.legacy_values[p];
            for (std::size_t i = 0; i + 1 < legacy.size(); i += 2) {
                x.push_back(legacy[i]);
                y.push_back(legacy[i + 1]);
            }
        }
        double h0 = 0, h1 = 0, h2 = 0, q1 = 0, q2 = 0;
        bool power = false;
        if (x.size() == 1) {
            q1 = x[0];
            h1 = y[0];
            h0 = 1.33334 * h1;
            q2 = 2 * q1;
            h2 = 0;
            power = true;
        } else if (x.size() == 3 && x[0] == 0.0) {
            h0 = y[0];
            q1 = x[1];
            h1 = y[1];
            q2 = x[2];
            h2 = y[2];
            power = true;
        }
        double a = 0, b = 0, c = 0;
        if (power && power_curve(h0, h1, h2, q1, q2, a, b, c)) {
            pump_curve[p] = PumpCurve::kPower;
            pump_h0[p] = -a;
            pump_r[p] = -b;
            pump_n[p] = c;
            pump_q0[p] = q1;
            pump_hmax[p] = h0;
        } else if (x.size() >= 2 && pump_points[p].valid()) {
            pump_curve[p] = PumpCurve::kCustom;
            pump_q0[p] = (x.front() + x.back()) / 2.0;
            pump_hmax[p] = y.front();
        }
    }

    // Tanks: area, head limits, volumes (cylindrical or by volume curve).
    const auto nt = static_cast<std::size_t>(net.tanks.count());
    tank_area_m2.assign(nt, 0);
    tank_hmin.assign(nt, 0);
    tank_hmax.assign(nt, 0);
    tank_vmin.assign(nt, 0);
    tank_vmax.assign(nt, 0);
    tank_v0.assign(nt, 0);
    for (std::size_t t = 0; t < nt; ++t) {
        const double el = net.elevation_m[net.tanks.node[t].idx()];
        const double d = net.tanks.diameter_m[t];
        tank_area_m2[t] = kPi * d * d / 4.0;
        tank_hmin[t] = el + net.tanks.min_level_m[t];
        tank_hmax[t] = el + net.tanks.max_level_m[t];
        if (net.tanks.volume_curve[t].valid()) {
            const Curve& c = net.curves[net.tanks.volume_curve[t].idx()];
            tank_vmin[t] = curve_interpolate(c.x, c.y, net.tanks.min_level_m[t]);
            tank_vmax[t] = curve_interpolate(c.x, c.y, net.tanks.max_level_m[t]);
            tank_v0[t] = curve_interpolate(c.x, c.y, net.tanks.initial_level_m[t]);
            if (tank_area_m2[t] == 0 && c.x.size() >= 2)
                tank_area_m2[t] = (c.y.back() - c.y.front()) / (c.x.back() - c.x.front());
        } else {
            tank_vmin[t] = net.tanks.min_volume_m3[t] > 0
                               ? net.tanks.min_volume_m3[t]
                               : tank_area_m2[t] * net.tanks.min_level_m[t];
            tank_vmax[t] = tank_vmin[t] + (tank_hmax[t] - tank_hmin[t]) * tank_area_m2[t];
            tank_v0[t] = tank_vmin[t] + (net.tanks.initial_level_m[t] - net.tanks.min_level_m[t]) *
                                            tank_area_m2[t];
        }
    }
    find_trees(net);
}

void HydraulicTopology::find_trees(const Network& net) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    // Junctions that may belong to a tree: only pipes (not check valves) to other junctions at
    // them, no emitter, no pipe leakage, and a tank or reservoir in their part of the network
    // (a part without one is cut off whatever its statuses, and solved as such).
    std::vector<std::uint8_t> may(nn, 0), reached(nn, 0);
    std::vector<std::int32_t> degree(nn, 0), queue;
    for (std::size_t i = 0; i < nn; ++i)
        may[i] = row[i] >= 0 && !(net.emitter_coefficient[i] > 0) && leak_c_fa[i] == 0.0 &&
                         leak_c_va[i] == 0.0
                     ? 1
                     : 0;
    for (std::size_t k = 0; k < nl; ++k) {
        const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
        ++degree[n1];
        ++degree[n2];
        if (net.link_kind[k] != LinkKind::kPipe || n1 == n2 || row[n1] < 0 || row[n2] < 0) {
            may[n1] = 0;
            may[n2] = 0;
        }
    }
    for (const std::int32_t i : fixed_nodes) {
        reached[static_cast<std::size_t>(i)] = 1;
        queue.push_back(i);
    }
    for (std::size_t h = 0; h < queue.size(); ++h)
        for (const std::int32_t w : adjacency.neighbours(queue[h]))
            if (!reached[static_cast<std::size_t>(w)]) {
                reached[static_cast<std::size_t>(w)] = 1;
                queue.push_back(w);
            }
    // Leaves taken away one after another (each junction once, when its last pipe but one has
    // gone): the pipes in the order taken, leaves first.
    std::vector<std::uint8_t> gone(nn, 0);
    queue.clear();
    for (std::size_t i = 0; i < nn; ++i)
        if (may[i] && reached[i] && degree[i] == 1)
            queue.push_back(static_cast<std::int32_t>(i));
    std::vector<TreePipe> pipes;
    for (std::size_t h = 0; h < queue.size(); ++h) {
        const auto u = static_cast<std::size_t>(queue[h]);
        if (gone[u] || degree[u] != 1)
            continue;
        const auto nb = adjacency.neighbours(static_cast<std::int32_t>(u));
        const auto arcs = adjacency.arcs(static_cast<std::int32_t>(u));
        std::size_t a = 0;
        while (a < nb.size() && gone[static_cast<std::size_t>(nb[a])])
            ++a;
        if (a == nb.size())
            continue;
        const auto w = static_cast<std::size_t>(nb[a]);
        const std::int32_t k = arcs[a];
        gone[u] = 1;
        pipes.push_back({k, static_cast<std::int32_t>(u), static_cast<std::int32_t>(w),
                         net.from_node[static_cast<std::size_t>(k)].idx() == w, false});
        if (--degree[w] == 1 && may[w] && reached[w])
            queue.push_back(static_cast<std::int32_t>(w));
    }
    if (pipes.empty() || 20 * pipes.size() < static_cast<std::size_t>(junctions))
        return;
    tree_link.assign(nl, 0);
    for (TreePipe& t : pipes) {
        t.root = !gone[static_cast<std::size_t>(t.parent)];
        tree_link[static_cast<std::size_t>(t.link)] = 1;
    }
    for (std::size_t k = 0; k < nl; ++k)
        if ((net.link_kind[k] == LinkKind::kPipe || net.link_kind[k] == LinkKind::kCvPipe) &&
            !tree_link[k])
            core_pipes.push_back(static_cast<std::int32_t>(k));
    tree_pipes = std::move(pipes);
    // The core: the other junctions, in node order.
    core.row.assign(nn, -1);
    for (std::size_t i = 0; i < nn; ++i)
        if (row[i] >= 0 && !gone[i]) {
            core.row[i] = core.rows++;
            core.node_of_row.push_back(i);
        }
    std::vector<std::pair<std::int32_t, std::int32_t>> edges;
    for (std::size_t k = 0; k < nl; ++k) {
        const std::int32_t a = core.row[net.from_node[k].idx()];
        const std::int32_t b = core.row[net.to_node[k].idx()];
        if (a >= 0 && b >= 0 && a != b)
            edges.emplace_back(a, b);
    }
    core.symbolic = SymbolicCholesky(core.rows, edges);
    core.offdiag.assign(nl, -1);
    for (std::size_t k = 0; k < nl; ++k) {
        const std::int32_t a = core.row[net.from_node[k].idx()];
        const std::int32_t b = core.row[net.to_node[k].idx()];
        if (a >= 0 && b >= 0 && a != b)
            core.offdiag[k] = core.symbolic.position(a, b);
    }
    core.diag.resize(static_cast<std::size_t>(core.rows));
    for (std::int32_t j = 0; j < core.rows; ++j)
        core.diag[static_cast<std::size_t>(j)] = core.symbolic.diagonal_position(j);
}

double tank_volume(const Network& net, const HydraulicTopology& topo, std::int32_t tank, double h) {
    const auto t = static_cast<std::size_t>(tank);
    if (net.tanks.volume_curve[t].valid()) {
        const Curve& c = net.curves[net.tanks.volume_curve[t].idx()];
        return curve_interpolate(c.x, c.y, h - net.elevation_m[net.tanks.node[t].idx()]);
    }
    return topo.tank_vmin[t] + (h - topo.tank_hmin[t]) * topo.tank_area_m2[t];
}

double tank_head(const Network& net, const HydraulicTopology& topo, std::int32_t tank, double v) {
    const auto t = static_cast<std::size_t>(tank);
    if (net.tanks.volume_curve[t].valid()) {
        const Curve& c = net.curves[net.tanks.volume_curve[t].idx()];
        return net.elevation_m[net.tanks.node[t].idx()] + curve_interpolate(c.y, c.x, v);
    }
    return topo.tank_hmin[t] + (v - topo.tank_vmin[t]) / topo.tank_area_m2[t];
}

HydraulicState::HydraulicState(const Network& net, const HydraulicTopology& topo) {
    // The numeric factorisations (numeric_, numeric_core_) are made when a solve first needs
    // them (Solver::sys_numeric()): most states use one of the two.
    tree_flow_.assign(topo.tree_pipes.size(), 0);
    power_in_.assign(topo.core_pipes.size(), 0);
    power_out_.assign(topo.core_pipes.size(), 0);
    tree_flow_before_.assign(topo.tree_pipes.size(), 0);
    tree_power_.assign(topo.tree_pipes.size(), 0);
    const auto nn = static_cast<std::size_t>(net.node_count());
    const auto nl = static_cast<std::size_t>(net.link_count());
    head_m.assign(nn, 0);
    node_demand.assign(nn, 0);
    demand_flow.assign(nn, 0);
    emitter_flow.assign(nn, 0);
    leak_fa_flow.assign(nn, 0);
    leak_va_flow.assign(nn, 0);
    cut_off.assign(nn, 0);
    flow_m3s.assign(nl, 0);
    status.assign(nl, LinkState::kOpen);
    setting.assign(nl, kNaN);
    tank_volume_m3.assign(static_cast<std::size_t>(net.tanks.count()), 0);
    p_.assign(nl, 0);
    y_.assign(nl, 0);
    power_.assign(nl, 0);
    f_.assign(static_cast<std::size_t>(topo.junctions), 0);
    xflow_.assign(nn, 0);
    zone_done_.assign(nn, 0);
    cut_off_before_.assign(nn, 0);
    region_.reserve(nn);
    cut_off_status_.assign(nl, LinkState::kOpen);
    cut_off_demand_.assign(nn, 0);
    pruned_link_.assign(nl, 0);
    left_out_.assign(nl, 0);
    rejoin_flow_.assign(nl, 0);
    prune_parent_.assign(nn, -1);
    prune_order_.reserve(nn);
    dfs_disc_.assign(nn, -1);
    dfs_low_.assign(nn, 0);
    dfs_busy_.assign(nn, 0);
    dfs_next_.assign(nn, 0);
    dfs_via_.assign(nn, -1);
    dfs_side_.assign(nn, 0);
    dfs_attach_.assign(nn, -1);
    dfs_hangs_.assign(nn, 0);
    dfs_preorder_.reserve(nn);
    queue_.reserve(nn);
    tree_order_.reserve(nn);
    tree_link_.assign(nn, -1);
    tree_place_.assign(nn, -1);
    tree_sum_.assign(topo.tree_pipes.empty() ? 0 : nn, 0);
}

void initialize_state(const Network& net, const HydraulicTopology& topo, HydraulicState& s) {
    const auto nn = static_cast<std::size_t>(net.node_count());
    s.cut_off_valid_ = false;
    s.polish_floor_ = 0;
    for (std::size_t i = 0; i < nn; ++i) {
        s.head_m[i] = net.elevation_m[i];
        s.emitter_flow[i] = net.emitter_coefficient[i] > 0 ? kCfs : 0.0;
        // EPANET 2.3 starts leakage at 0.001 cfs (its solver needs a flow above zero)
        s.leak_fa_flow[i] = topo.leak_c_fa[i] > 0 ? 0.001 * topo.cfs_m3s : 0.0;
        s.leak_va_flow[i] = topo.leak_c_va[i] > 0 ? 0.001 * topo.cfs_m3s : 0.0;
        s.node_demand[i] = 0;
    }
    for (std::int32_t t = 0; t < net.tanks.count(); ++t) {
        const auto ut = static_cast<std::size_t>(t);
        s.tank_volume_m3[ut] = topo.tank_v0[ut];
        s.head_m[net.tanks.node[ut].idx()] =
            topo.tank_hmin[ut] - net.tanks.min_level_m[ut] + net.tanks.initial_level_m[ut];
    }
    for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
        const auto kind = net.link_kind[k];
        const auto init = net.initial_status[k];
        LinkState st = init == LinkStatus::kClosed ? LinkState::kClosed : LinkState::kOpen;
        double setting = kNaN;
        if (kind == LinkKind::kPump) {
            const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
            // EPANET's pump setting is its speed whether the [STATUS] closes it or not (a closed
            // pump keeps it: a level control closing it again still changes its setting, 1 → 0,
            // and so still splits the time step at its level, as in EPANET 2.2's
            // controltimestep); speed 0 closes it.
            setting = net.pumps.speed[p];
            if (setting == 0.0)
                st = LinkState::kClosed;
        } else if (kind == LinkKind::kValve) {
            const auto v = static_cast<std::size_t>(net.valve_of_link[k]);
            const auto vk = net.valves.kind[v];
            if (vk == ValveKind::kGpv) {
                setting = 0.0; // the curve is in the topology
            } else if (init == LinkStatus::kActive) {
                setting = net.valves.setting[v];
                st = LinkState::kActive;
            }
            if (init == LinkStatus::kActive &&
                (vk == ValveKind::kPrv || vk == ValveKind::kPsv || vk == ValveKind::kFcv))
                st = LinkState::kActive;
        }
        s.status[k] = st;
        s.setting[k] = setting;
        if (is_closed(st)) {
            s.flow_m3s[k] = kZeroFlow;
        } else if (kind == LinkKind::kPump) {
            const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
            s.flow_m3s[k] = setting * topo.pump_q0[p];
        } else {
            s.flow_m3s[k] = initial_pipe_flow(net.diameter_m[k]);
        }
    }
}

namespace {

/// One solve's working context.
struct Solver {
    const Network& net;
    const HydraulicTopology& topo;
    HydraulicState& s;
    bool pda = false;
    double pmin = 0, preq = 0, pexp = 0.5;
    double qexp = 2.0;        ///< emitter head-loss exponent 1/γ
    bool leak = false;        ///< closed links keep EPANET's 1e-8 conductance
    bool no_backflow = false; ///< emitters cannot draw water in (HydraulicOptions)
    /// Whether the plain pipes are handled in chunks side by side (HydraulicOptions).
    [[nodiscard]] bool chunked() const {
        return parallel_links > 0 && s.plain_links_.size() >= parallel_links;
    }
    std::size_t parallel_links = 0;
    bool eliminate_trees = true; ///< HydraulicOptions::eliminate_trees
    bool implicit_valves = true; ///< HydraulicOptions::implicit_pressure_valves
    /// An active PRV or PSV of the last assembly: the node whose head it holds (a PRV's
    /// downstream node, a PSV's upstream one) is held at `hset` by a conductance of
    /// kBigConductance to that head, which absorbs what the node passes on; the valve carries
    /// that flow r (PSV: r, PRV: −r out of its first node) to its other node's row, either
    /// solved for with the heads (implicit) or as the excess of the current flows (EPANET's
    /// lag, `lag`, where EPANET's sign condition holds; 0 where not).
    struct HeldValve {
        std::size_t link = 0;
        std::size_t held = 0;                       ///< the held node
        std::int32_t held_row = -1, other_row = -1; ///< rows of the system
        double hset = 0;
        double raw_diag = 0, raw_f = 0; ///< held row's diagonal and right-hand side before the hold
        double lag = 0;                 ///< EPANET's injection at the other row
        bool prv = false;
    };
    static constexpr std::size_t kMaxHeldValves = 8;
    /// How much of what an active valve passes on comes back to its held node through the
    /// network (φ = −(A₀z)_held, the lag's contraction per step) in the first step of a solve
    /// with held valves: -1 not yet seen, 1 at least kStrongCoupling for one valve (the
    /// valves are solved with the heads), 0 below it for all (the lag converges about as fast
    /// as Newton there: the rest of the solve keeps it and saves the extra substitutions).
    int coupling_ = -1;
    static constexpr double kStrongCoupling = 0.01;
    std::vector<HeldValve> held_;
    std::vector<std::vector<double>> held_z_; ///< A⁻¹ e_other of each held valve (rows)
    /// No tree junction has an emitter in this solve (damage adds leaks as emitters to a
    /// network whose topology was found without them).
    bool trees_plain_ = true;
    /// Whether any junction has flows of its own besides its demand (emitters, pressure-driven
    /// demands): set for each solve.
    bool node_flows_ = true;

    [[nodiscard]] bool junction(NodeIndex n) const { return topo.row[n.idx()] >= 0; }
    [[nodiscard]] double elev(NodeIndex n) const { return net.elevation_m[n.idx()]; }

    // The linear system of the Newton step: every junction, or the core alone while the
    // dead-end trees are left out (s.plain_reduced_, set by classify_links()). Junctions
    // outside the system (a tree's) have row −1 in sys_row() but are junctions all the same:
    // topo.row says which nodes are junctions.
    [[nodiscard]] bool reduced() const { return s.plain_reduced_; }
    [[nodiscard]] const std::vector<std::int32_t>& sys_row() const {
        return reduced() ? topo.core.row : topo.row;
    }
    [[nodiscard]] const std::vector<std::size_t>& sys_node_of_row() const {
        return reduced() ? topo.core.node_of_row : topo.node_of_row;
    }
    [[nodiscard]] const std::vector<std::int32_t>& sys_diag() const {
        return reduced() ? topo.core.diag : topo.diag;
    }
    [[nodiscard]] const std::vector<std::int32_t>& sys_offdiag() const {
        return reduced() ? topo.core.offdiag : topo.offdiag;
    }
    [[nodiscard]] const SymbolicCholesky& sys_symbolic() const {
        return reduced() ? topo.core.symbolic : topo.symbolic;
    }
    [[nodiscard]] NumericCholesky& sys_numeric() const {
        NumericCholesky& numeric = reduced() ? s.numeric_core_ : s.numeric_;
        if (numeric.values().empty()) // made on first use
            numeric = NumericCholesky(sys_symbolic());
        return numeric;
    }

    void closed_coeff(std::size_t k) {
        s.p_[k] = 1.0 / kBigGradient;
        s.y_[k] = s.flow_m3s[k];
    }

    void valve_coeff(std::size_t k) {
        if (is_closed(s.status[k])) {
            closed_coeff(k);
            return;
        }
        const HeadLoss hl = open_valve_head_loss(topo.minor[k], s.flow_m3s[k]);
        s.p_[k] = 1.0 / hl.g;
        s.y_[k] = hl.h / hl.g;
    }

    /// Positional control valve (EPANET 2.3): an open valve whose loss coefficient follows its
    /// percent-open setting, K_open / (Kv/Kv_open)², capped at EPANET's CBIG; fully closed at
    /// 0 % it is CBIG. Without a setting (status fixed OPEN) it is the open valve.
    void pcv_coeff(std::size_t k, std::size_t v) {
        const double setting = s.setting[k];
        if (missing(setting) || is_closed(s.status[k]) || setting >= 100.0) {
            valve_coeff(k);
            return;
        }
        const double m_big = 1e8 * kFoot / (topo.cfs_m3s * topo.cfs_m3s);
        double m = m_big;
        if (setting > 0.0) {
            const CurveIndex c = net.valves.curve[v];
            const double ratio =
                pcv_flow_coefficient_ratio(c.valid() ? &net.curves[c.idx()] : nullptr, setting);
            m = std::min(topo.minor[k] / (ratio * ratio), m_big);
        }
        const HeadLoss hl = open_valve_head_loss(m, s.flow_m3s[k]);
        s.p_[k] = 1.0 / hl.g;
        s.y_[k] = hl.h / hl.g;
    }

    void pipe_coeff(std::size_t k) {
        if (is_closed(s.status[k])) {
            closed_coeff(k);
            return;
        }
        const HeadLoss hl = open_pipe_head_loss(k);
        // One division: y = h·p rather than h/g (round-off of an ulp in the Newton step).
        const double p = 1.0 / hl.g;
        s.p_[k] = p;
        s.y_[k] = hl.h * p;
    }

    /// Head loss of open pipe k at its flow, by the network's formula.
    [[nodiscard]] HeadLoss open_pipe_head_loss(std::size_t k) const {
        const auto formula = net.options.headloss;
        return formula == HeadLossFormula::kDarcyWeisbach
                   ? pipe_head_loss(formula, topo.resistance[k], topo.minor[k], s.flow_m3s[k],
                                    net.diameter_m[k], net.roughness[k], topo.viscosity_m2s)
               : formula == HeadLossFormula::kHazenWilliams
                   ? power_law_head_loss(1.852, topo.resistance[k], topo.minor[k], s.flow_m3s[k],
                                         s.power_[k]) // computed for all links in matrix_coeffs
                   : power_law_head_loss(2.0, topo.resistance[k], topo.minor[k], s.flow_m3s[k],
                                         std::fabs(s.flow_m3s[k]));
    }

    void pump_coeff(std::size_t k) {
        const double setting = s.setting[k];
        if (is_closed(s.status[k]) || setting == 0.0) {
            closed_coeff(k);
            return;
        }
        const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
        const double flow = s.flow_m3s[k];
        const double q = std::fabs(flow);
        double hgrad = 0, hloss = 0;
        switch (topo.pump_curve[p]) {
        case HydraulicTopology::PumpCurve::kNone:
            s.p_[k] = 1.0 / kSmallGradient;
            s.y_[k] = flow;
            return;
        case HydraulicTopology::PumpCurve::kCustom: {
            double h0 = 0, r = 0;
            curve_segment(net.curves[topo.pump_points[p].idx()], q / setting, h0, r);
            hgrad = -r * setting;
            hloss = -h0 * setting * setting + hgrad * flow;
            break;
        }
        case HydraulicTopology::PumpCurve::kConstantPower: {
            const double r = topo.pump_r[p] * setting * setting * setting;
            hgrad = q > 0 ? -r / q / q : kBigGradient * 2;
            if (hgrad > kBigGradient) {
                hgrad = kBigGradient;
                hloss = -hgrad * flow;
            } else if (hgrad < kRqTol) {
                hgrad = kRqTol;
                hloss = -hgrad * flow;
            } else {
                hloss = r / flow;
            }
            break;
        }
        case HydraulicTopology::PumpCurve::kPower: {
            const double h0 = setting * setting * topo.pump_h0[p];
            double n = topo.pump_n[p];
            if (std::fabs(n - 1.0) < 1e-6)
                n = 1.0;
            const double r = topo.pump_r[p] * std::pow(setting, 2.0 - n);
            if (n != 1.0) {
                // EPANET's pumpcoeff() floors |q| at TINY (1e-6 cfs): at zero flow (a pump just
                // opened) q^(n-1) is infinite for n < 1.
                hgrad = n * r * std::pow(std::max(q, kZeroFlow), n - 1.0);
                if (hgrad < kRqTol) {
                    hgrad = kRqTol;
                    hloss = h0 + hgrad * flow;
                } else {
                    hloss = h0 + hgrad * flow / n;
                }
            } else {
                hgrad = r;
                hloss = h0 + hgrad * flow;
            }
            break;
        }
        }
        s.p_[k] = 1.0 / hgrad;
        s.y_[k] = hloss / hgrad;
    }

    /// Head-loss coefficients p = 1/g and y = h/g of link k for its current flow.
    void link_coeff(std::size_t k) {
        switch (net.link_kind[k]) {
        case LinkKind::kPipe:
        case LinkKind::kCvPipe:
            pipe_coeff(k);
            break;
        case LinkKind::kPump:
            pump_coeff(k);
            break;
        case LinkKind::kValve: {
            const auto v = static_cast<std::size_t>(net.valve_of_link[k]);
            switch (net.valves.kind[v]) {
            case ValveKind::kPbv:
                if (missing(s.setting[k]) || s.setting[k] == 0.0 || is_closed(s.status[k]) ||
                    topo.minor[k] * s.flow_m3s[k] * s.flow_m3s[k] > s.setting[k]) {
                    valve_coeff(k);
                } else {
                    s.p_[k] = kBigConductance;
                    s.y_[k] = s.setting[k] * kBigConductance;
                }
                break;
            case ValveKind::kTcv: {
                if (!missing(s.setting[k]) && !is_closed(s.status[k])) {
                    const HeadLoss hl = open_valve_head_loss(
                        minor_loss_coefficient(s.setting[k], net.diameter_m[k], topo.cfs_m3s),
                        s.flow_m3s[k]);
                    s.p_[k] = 1.0 / hl.g;
                    s.y_[k] = hl.h / hl.g;
                } else {
                    valve_coeff(k);
                }
                break;
            }
            case ValveKind::kGpv: {
                if (s.status[k] == LinkState::kClosed || !net.valves.curve[v].valid()) {
                    valve_coeff(k);
                } else {
                    const double q = std::max(std::fabs(s.flow_m3s[k]), kTinyFlow);
                    double h0 = 0, r = 0;
                    curve_segment(net.curves[net.valves.curve[v].idx()], q, h0, r);
                    r = std::max(r, kTinyGradient);
                    s.p_[k] = 1.0 / r;
                    s.y_[k] = (h0 / r + q) * (s.flow_m3s[k] < 0 ? -1.0 : 1.0);
                }
                break;
            }
            case ValveKind::kPrv:
            case ValveKind::kPsv:
            case ValveKind::kFcv:
                if (missing(s.setting[k]))
                    valve_coeff(k);
                else
                    s.p_[k] = 0.0;
                break;
            case ValveKind::kPcv:
                pcv_coeff(k, v);
                break;
            }
            break;
        }
        }
    }

    // Matrix assembly ------------------------------------------------------------------------

    void add_link(std::size_t k, std::vector<double>& ax) {
        const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
        const double p = s.p_[k], y = s.y_[k];
        s.xflow_[n1.idx()] -= s.flow_m3s[k];
        s.xflow_[n2.idx()] += s.flow_m3s[k];
        const std::int32_t r1 = sys_row()[n1.idx()], r2 = sys_row()[n2.idx()];
        if (sys_offdiag()[k] >= 0)
            ax[static_cast<std::size_t>(sys_offdiag()[k])] -= p;
        if (r1 >= 0) {
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r1)])] += p;
            s.f_[static_cast<std::size_t>(r1)] += y;
        } else if (r2 >= 0) {
            s.f_[static_cast<std::size_t>(r2)] += p * s.head_m[n1.idx()];
        }
        if (r2 >= 0) {
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r2)])] += p;
            s.f_[static_cast<std::size_t>(r2)] -= y;
        } else if (r1 >= 0) {
            s.f_[static_cast<std::size_t>(r1)] += p * s.head_m[n2.idx()];
        }
    }

    /// A link touching a zone cut off from every source. The zone has no supply. A zone with
    /// demand has its heads at the elevations (pressure zero: the demand is not met); one without
    /// settles at the level of its surroundings through EPANET's closed-link conductance of
    /// 1e-8 cfs/ft (given to every link of the zone; active pressure valves none).
    void add_cut_off_link(std::size_t k, std::vector<double>& ax) {
        // One small conductance for all of them keeps the zone's rows well scaled.
        double p = 1.0 / kBigGradient;
        if (!is_closed(s.status[k]) && pressure_valve_active(k))
            p = 0;
        if (p == 0)
            return;
        const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
        const std::int32_t r1 = sys_row()[n1.idx()], r2 = sys_row()[n2.idx()];
        const bool fixed1 = r1 < 0 || s.cut_off[n1.idx()] == 2;
        const bool fixed2 = r2 < 0 || s.cut_off[n2.idx()] == 2;
        // A zone held at its elevations draws nothing from the supplied network.
        if ((s.cut_off[n1.idx()] == 2 && !s.cut_off[n2.idx()]) ||
            (s.cut_off[n2.idx()] == 2 && !s.cut_off[n1.idx()]))
            return;
        const double h1 = r1 < 0 ? s.head_m[n1.idx()] : net.elevation_m[n1.idx()];
        const double h2 = r2 < 0 ? s.head_m[n2.idx()] : net.elevation_m[n2.idx()];
        if (!fixed1 && !fixed2 && sys_offdiag()[k] >= 0)
            ax[static_cast<std::size_t>(sys_offdiag()[k])] -= p;
        if (!fixed1)
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r1)])] += p;
        else if (!fixed2)
            s.f_[static_cast<std::size_t>(r2)] += p * h1;
        if (!fixed2)
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r2)])] += p;
        else if (!fixed1)
            s.f_[static_cast<std::size_t>(r1)] += p * h2;
    }

    /// Links whose ends are both reachable: the rest are cut off and left out of the system.
    [[nodiscard]] bool link_in_system(std::size_t k) const {
        return !s.cut_off[net.from_node[k].idx()] && !s.cut_off[net.to_node[k].idx()] &&
               !s.pruned_link_[k];
    }

    /// EPANET 2.3's barrier against a flow below zero (hydcoeffs.c addlowerbarrier), added to
    /// a head loss and its gradient: in ft and cfs there, (a − √(a² + 1e-6))/2 with a = 1e9·q.
    void add_lower_barrier(double q, double& hloss, double& hgrad) const {
        const double a = 1e9 * q / topo.cfs_m3s;
        const double b = std::sqrt(a * a + 1e-6);
        hloss += (a - b) / 2.0 * kFoot;
        hgrad += 0.5e9 * (1.0 - a / b) * kFoot / topo.cfs_m3s;
    }

    void emitter_head_loss(std::size_t i, double& hloss, double& hgrad) const {
        const double ke = std::max(kSmallGradient, std::pow(net.emitter_coefficient[i], -qexp));
        const double q = s.emitter_flow[i];
        if (no_backflow && q <= 0) {
            // A barrier like the PDA demand's at zero flow: no inflow through a leak.
            hgrad = kBigGradient;
            hloss = kBigGradient * q;
            return;
        }
        hgrad = qexp * ke * std::pow(std::fabs(q), qexp - 1.0);
        if (hgrad < kRqTol) {
            hgrad = kRqTol;
            hloss = hgrad * q;
        } else {
            hloss = hgrad * q / qexp;
        }
        if (!net.options.emitter_backflow) // EPANET 2.3 EMITTER BACKFLOW NO
            add_lower_barrier(q, hloss, hgrad);
    }

    /// EPANET 2.3's pipe leakage at a junction as two virtual links to its elevation
    /// (leakage.c): the inverted law p = c·|q|^(m−1)·q, m = 2 for the fixed-area part and 2/3
    /// for the variable-area part, plus its barrier against leakage below zero, evaluated in
    /// EPANET's ft and cfs and returned in m and m per m³/s.
    void leak_head_loss(double q, double c, double m, double& hloss, double& hgrad) const {
        const double qc = q / topo.cfs_m3s;
        const double g = m * c * std::pow(std::fabs(qc), m - 1.0);
        hloss = g * qc / m * kFoot;
        hgrad = g * kFoot / topo.cfs_m3s;
        add_lower_barrier(q, hloss, hgrad);
    }

    /// Whether junction i has pipe leakage, and then its two parts' head losses and gradients at
    /// their present flows (a part without leakage: gradient 0).
    bool leak_terms(std::size_t i, double& hfa, double& gfa, double& hva, double& gva) const {
        hfa = gfa = hva = gva = 0.0;
        if (topo.leak_c_fa[i] > 0)
            leak_head_loss(s.leak_fa_flow[i], topo.leak_c_fa[i], 2.0, hfa, gfa);
        if (topo.leak_c_va[i] > 0)
            leak_head_loss(s.leak_va_flow[i], topo.leak_c_va[i], 2.0 / 3.0, hva, gva);
        return gfa > 0 || gva > 0;
    }

    /// Junction i's pipe leakage (0 in networks without).
    [[nodiscard]] double leakage(std::size_t i) const {
        return topo.has_leakage ? s.leak_fa_flow[i] + s.leak_va_flow[i] : 0.0;
    }

    /// EPANET 2.3's test (leakagehasconverged): every junction's leakage within 1e-4 cfs of what
    /// its pressure head gives directly.
    bool leakage_converged() const {
        if (!topo.has_leakage)
            return true;
        for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
            if (topo.row[i] < 0 || s.cut_off[i] ||
                (topo.leak_c_fa[i] <= 0 && topo.leak_c_va[i] <= 0))
                continue;
            const double p = (s.head_m[i] - net.elevation_m[i]) / kFoot;
            double qref = 0;
            if (p > 0) {
                if (topo.leak_c_fa[i] > 0)
                    qref = std::sqrt(p / topo.leak_c_fa[i]);
                if (topo.leak_c_va[i] > 0)
                    qref += std::pow(p / topo.leak_c_va[i], 1.5);
            }
            const double q = (s.leak_fa_flow[i] + s.leak_va_flow[i]) / topo.cfs_m3s;
            if (std::fabs(qref - q) > 1e-4)
                return false;
        }
        return true;
    }

    /// Wagner et al. (1988) demand as a virtual link (EPANET 2.2 Hydraulics chapter, PDA):
    /// head loss dp·(d/D)^(1/e) between p = pmin and preq, barriers outside [0, D].
    void demand_head_loss(std::size_t i, double& hloss, double& hgrad) const {
        const double dp = preq - pmin;
        const double n = 1.0 / pexp;
        const double d = s.demand_flow[i];
        const double dfull = s.node_demand[i];
        const double r = d / dfull;
        if (r <= 0) {
            hgrad = kBigGradient;
            hloss = kBigGradient * d;
        } else if (r < 1.0) {
            hgrad = n * dp * std::pow(r, n - 1.0) / dfull;
            if (hgrad < kRqTol) {
                hgrad = kRqTol;
                hloss = hgrad * d;
            } else {
                hloss = hgrad * d / n;
            }
        } else {
            hgrad = kBigGradient;
            hloss = dp + kBigGradient * (d - dfull);
        }
    }

    /// Splits the links into plain pipes (s.plain_links_) and the rest (s.other_links_) for
    /// the current statuses, pruning and cut-off zones; kept while those stay the same.
    void classify_links() {
        const std::uint8_t options = static_cast<std::uint8_t>(1 | (pda ? 2 : 0) | (leak ? 4 : 0) |
                                                               (trees_allowed() ? 8 : 0));
        if (s.plain_options_ == options && same_bytes(s.status, s.plain_status_) &&
            same_bytes(s.pruned_link_, s.plain_pruned_) &&
            same_bytes(s.cut_off, s.plain_cut_off_)) {
            if (chunked() && s.plain_row_ptr_.empty()) // lists made by a solve without chunks
                index_plain_rows();
            return;
        }
        s.plain_options_ = options;
        s.plain_status_ = s.status;
        s.plain_pruned_ = s.pruned_link_;
        s.plain_cut_off_ = s.cut_off;
        s.plain_reduced_ = trees_leave();
        tree_settled_ = false;
        s.plain_links_.clear();
        s.other_links_.clear();
        const std::vector<std::int32_t>& rows = sys_row();
        const std::vector<std::int32_t>& diag = sys_diag();
        const std::vector<std::int32_t>& offdiag = sys_offdiag();
        const auto nl = static_cast<std::size_t>(net.link_count());
        for (std::size_t k = 0; k < nl; ++k) {
            if (reduced() && topo.tree_link[k])
                continue; // solved apart (tree_pipe_flows(), set_tree_heads())
            const auto kind = net.link_kind[k];
            const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
            if ((kind == LinkKind::kPipe || kind == LinkKind::kCvPipe) && !is_closed(s.status[k]) &&
                offdiag[k] >= 0 && link_in_system(k)) {
                const std::int32_t r1 = rows[n1], r2 = rows[n2];
                s.plain_links_.push_back(
                    {static_cast<std::int32_t>(k), static_cast<std::int32_t>(n1),
                     static_cast<std::int32_t>(n2), r1, r2, diag[static_cast<std::size_t>(r1)],
                     diag[static_cast<std::size_t>(r2)], offdiag[k]});
            } else {
                s.other_links_.push_back(static_cast<std::int32_t>(k));
            }
        }
        s.plain_row_ptr_.clear();
        s.plain_row_entry_.clear();
        if (chunked())
            index_plain_rows();
    }

    /// Whether the dead-end trees may be left out of the system in this solve: the network has
    /// them, no emitter was added at their junctions, demands are demand-driven, closed links
    /// do not conduct (EPANET's closed-link model would draw flows through closed tree pipes),
    /// and the network is below kEliminationLinks.
    [[nodiscard]] bool trees_allowed() const {
        return eliminate_trees && trees_plain_ && !topo.tree_pipes.empty() && !pda && !leak &&
               static_cast<std::size_t>(net.link_count()) < kEliminationLinks;
    }

    /// Whether they are left out for the current statuses and cut-off zones: every tree pipe
    /// open and every tree junction supplied (a tree with a closed pipe, or in a cut-off zone,
    /// is solved with the whole system, as cut-off zones and their pipes are).
    [[nodiscard]] bool trees_leave() const {
        if (!trees_allowed())
            return false;
        for (const TreePipe& t : topo.tree_pipes)
            if (is_closed(s.status[static_cast<std::size_t>(t.link)]) ||
                s.cut_off[static_cast<std::size_t>(t.child)] ||
                s.cut_off[static_cast<std::size_t>(t.parent)])
                return false;
        return true;
    }

    /// The plain pipes by junction row (HydraulicState::plain_row_ptr_).
    void index_plain_rows() {
        const auto rows = sys_node_of_row().size();
        s.plain_row_ptr_.assign(rows + 1, 0);
        for (const HydraulicState::PlainLink& l : s.plain_links_) {
            ++s.plain_row_ptr_[static_cast<std::size_t>(l.row_from) + 1];
            ++s.plain_row_ptr_[static_cast<std::size_t>(l.row_to) + 1];
        }
        for (std::size_t r = 0; r < rows; ++r)
            s.plain_row_ptr_[r + 1] += s.plain_row_ptr_[r];
        s.plain_row_entry_.resize(static_cast<std::size_t>(s.plain_row_ptr_.back()));
        std::vector<std::int32_t> next(s.plain_row_ptr_.begin(), s.plain_row_ptr_.end() - 1);
        for (const HydraulicState::PlainLink& l : s.plain_links_) {
            const std::int32_t lower = std::min(l.row_from, l.row_to);
            s.plain_row_entry_[static_cast<std::size_t>(
                next[static_cast<std::size_t>(l.row_from)]++)] = {
                l.link, l.row_from == lower ? l.offdiag : -1, 1.0};
            s.plain_row_entry_[static_cast<std::size_t>(
                next[static_cast<std::size_t>(l.row_to)]++)] = {
                l.link, l.row_to == lower && l.row_from != lower ? l.offdiag : -1, -1.0};
        }
    }

    /// The plain pipes' sums into the system on large networks, row by row side by side: each
    /// row takes its pipes in plain-pipe order, starting from the zeros matrix_coeffs set, so
    /// every sum is the one the loop over the pipes gives, bit for bit. A pipe's off-diagonal
    /// entry is taken by its lower row (pipes in parallel share it, and that row).
    void add_plain_links_by_row(std::vector<double>& ax) {
        parallel_for_chunks(
            sys_node_of_row().size(),
            [&](std::size_t r0, std::size_t r1) {
                for (std::size_t r = r0; r < r1; ++r) {
                    double diag = 0, f = 0, excess = 0;
                    for (std::int32_t t = s.plain_row_ptr_[r]; t < s.plain_row_ptr_[r + 1]; ++t) {
                        const HydraulicState::PlainRowEntry& en =
                            s.plain_row_entry_[static_cast<std::size_t>(t)];
                        const auto k = static_cast<std::size_t>(en.link);
                        const double p = s.p_[k];
                        diag += p;
                        // ±y and ∓q: the same sums as adding or subtracting them (x·±1 is exact)
                        f += en.sign * s.y_[k];
                        excess -= en.sign * s.flow_m3s[k];
                        if (en.offdiag >= 0)
                            ax[static_cast<std::size_t>(en.offdiag)] -= p;
                    }
                    ax[static_cast<std::size_t>(sys_diag()[r])] += diag;
                    s.f_[r] += f;
                    s.xflow_[static_cast<std::size_t>(sys_node_of_row()[r])] += excess;
                }
            },
            kLinkChunk);
    }

    /// The plain pipes' coefficients (as pipe_coeff()) and their sums into the system, pipe by
    /// pipe; `head_loss(k)` gives the open pipe's head loss.
    template <typename HeadLossOf>
    void add_plain_links(std::vector<double>& ax, HeadLossOf head_loss) {
        double* const a = ax.data();
        double* const f = s.f_.data();
        double* const xflow = s.xflow_.data();
        double* const pv = s.p_.data();
        double* const yv = s.y_.data();
        const double* const flow_of = s.flow_m3s.data();
        for (const HydraulicState::PlainLink& l : s.plain_links_) {
            const auto k = static_cast<std::size_t>(l.link);
            const HeadLoss hl = head_loss(k);
            const double p = 1.0 / hl.g, y = hl.h * p;
            pv[k] = p;
            yv[k] = y;
            const double q = flow_of[k];
            xflow[static_cast<std::size_t>(l.from)] -= q;
            xflow[static_cast<std::size_t>(l.to)] += q;
            a[static_cast<std::size_t>(l.offdiag)] -= p;
            a[static_cast<std::size_t>(l.diag_from)] += p;
            a[static_cast<std::size_t>(l.diag_to)] += p;
            f[static_cast<std::size_t>(l.row_from)] += y;
            f[static_cast<std::size_t>(l.row_to)] -= y;
        }
    }

    /// The holds of the active PRVs and PSVs (held_), once every other term is in the system:
    /// the held rows' diagonal and right-hand side are kept as they are without the hold, then
    /// the hold is added. Where the valves are too many for a bordered solve each, or two hold
    /// one node, they all take EPANET's lag instead.
    void hold_valves(std::vector<double>& ax) {
        if (held_.empty())
            return;
        bool lagged = held_.size() > kMaxHeldValves;
        for (std::size_t a = 0; a < held_.size() && !lagged; ++a)
            for (std::size_t b = 0; b < a; ++b)
                if (held_[a].held_row == held_[b].held_row)
                    lagged = true;
        for (HeldValve& h : held_) {
            const auto d =
                static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(h.held_row)]);
            h.raw_diag = ax[d];
            h.raw_f = s.f_[static_cast<std::size_t>(h.held_row)];
        }
        for (const HeldValve& h : held_) {
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(h.held_row)])] +=
                kBigConductance;
            s.f_[static_cast<std::size_t>(h.held_row)] += h.hset * kBigConductance;
            if (lagged)
                s.f_[static_cast<std::size_t>(h.other_row)] += h.lag;
        }
        if (lagged)
            held_.clear();
    }

    /// raw_f − (A x)_held of a held valve's row without its hold (`with_f` false: −(A x)_held),
    /// x by rows: what the held node passes on at heads x, the flow the hold absorbs.
    [[nodiscard]] double held_excess(const HeldValve& h, const std::vector<double>& ax,
                                     const std::vector<double>& x, bool with_f) const {
        double sum = h.raw_diag * x[static_cast<std::size_t>(h.held_row)];
        const auto nb = topo.adjacency.neighbours(static_cast<std::int32_t>(h.held));
        const auto arcs = topo.adjacency.arcs(static_cast<std::int32_t>(h.held));
        const std::vector<std::int32_t>& offdiag = sys_offdiag();
        const std::vector<std::int32_t>& rows = sys_row();
        for (std::size_t a = 0; a < nb.size(); ++a) {
            const std::int32_t pos = offdiag[static_cast<std::size_t>(arcs[a])];
            const std::int32_t r = rows[static_cast<std::size_t>(nb[a])];
            if (pos < 0 || r < 0)
                continue;
            bool seen = false; // links in parallel share one entry
            for (std::size_t b = 0; b < a && !seen; ++b)
                seen = offdiag[static_cast<std::size_t>(arcs[b])] == pos;
            if (!seen)
                sum += ax[static_cast<std::size_t>(pos)] * x[static_cast<std::size_t>(r)];
        }
        return (with_f ? h.raw_f : 0.0) - sum;
    }

    /// The held valves' flows solved with the heads (HydraulicOptions::implicit_pressure_valves):
    /// `x` holds A⁻¹F by rows (no valve's flow in it), held_z_ A⁻¹e_other per valve. With r_b
    /// reaching valve b's other row, x + Σ r_b z_b are the heads, and each r_a must be what
    /// its held node then passes on: (I + G) r = N, N_a = held_excess(a, x), G_ab =
    /// (A z_b)_held(a) (dense, one row and column per valve). A valve whose r would flow
    /// backwards takes EPANET's lag instead (then the next status check closes it).
    void solve_held_valves(const std::vector<double>& ax, std::vector<double>& x) {
        const std::size_t m = held_.size();
        std::vector<double> n(m), g(m * m), r(m);
        for (std::size_t a = 0; a < m; ++a) {
            n[a] = held_excess(held_[a], ax, x, true);
            for (std::size_t b = 0; b < m; ++b)
                g[a * m + b] = -held_excess(held_[a], ax, held_z_[b], false);
        }
        if (coupling_ < 0) {
            double phi = 0;
            for (std::size_t a = 0; a < m; ++a)
                phi = std::max(phi, -g[a * m + a]);
            coupling_ = phi >= kStrongCoupling ? 1 : 0;
        }
        std::vector<std::uint8_t> fixed(m, 0);
        for (std::size_t round = 0; round <= m; ++round) {
            // (I + G) r = N over the free valves, the fixed ones' lag moved to the right.
            std::vector<double> mat(m * m, 0.0), rhs(m, 0.0);
            for (std::size_t a = 0; a < m; ++a) {
                if (fixed[a]) {
                    mat[a * m + a] = 1.0;
                    rhs[a] = held_[a].lag;
                    continue;
                }
                rhs[a] = n[a];
                for (std::size_t b = 0; b < m; ++b)
                    mat[a * m + b] = (a == b ? 1.0 : 0.0) + g[a * m + b];
            }
            if (!dense_solve(mat, rhs, m)) { // singular: a valve's zone hangs on it alone
                for (std::size_t a = 0; a < m; ++a)
                    rhs[a] = held_[a].lag;
                std::fill(fixed.begin(), fixed.end(), 1);
            }
            r = rhs;
            bool changed = false;
            for (std::size_t a = 0; a < m; ++a) {
                const double valve_flow = held_[a].prv ? -r[a] : r[a];
                if (!fixed[a] && !(valve_flow > 0.0)) {
                    fixed[a] = 1;
                    changed = true;
                }
            }
            if (!changed)
                break;
        }
        for (std::size_t b = 0; b < m; ++b)
            if (r[b] != 0.0)
                for (std::size_t i = 0; i < held_z_[b].size(); ++i) // the system's rows
                    x[i] += r[b] * held_z_[b][i];
        for (std::size_t a = 0; a < m; ++a)
            if (!fixed[a]) {
                const std::size_t k = held_[a].link;
                s.y_[k] = s.flow_m3s[k] - (held_[a].prv ? -r[a] : r[a]);
            }
    }

    /// Gaussian elimination with partial pivoting of the dense m × m system `mat`·x = `rhs`
    /// (x left in rhs); false if a pivot vanishes.
    static bool dense_solve(std::vector<double>& mat, std::vector<double>& rhs, std::size_t m) {
        for (std::size_t c = 0; c < m; ++c) {
            std::size_t piv = c;
            for (std::size_t r = c + 1; r < m; ++r)
                if (std::fabs(mat[r * m + c]) > std::fabs(mat[piv * m + c]))
                    piv = r;
            if (!(std::fabs(mat[piv * m + c]) > 1e-9))
                return false;
            if (piv != c) {
                for (std::size_t j = 0; j < m; ++j)
                    std::swap(mat[c * m + j], mat[piv * m + j]);
                std::swap(rhs[c], rhs[piv]);
            }
            for (std::size_t r = c + 1; r < m; ++r) {
                const double f = mat[r * m + c] / mat[c * m + c];
                if (f == 0.0)
                    continue;
                for (std::size_t j = c; j < m; ++j)
                    mat[r * m + j] -= f * mat[c * m + j];
                rhs[r] -= f * rhs[c];
            }
        }
        for (std::size_t c = m; c-- > 0;) {
            double v = rhs[c];
            for (std::size_t j = c + 1; j < m; ++j)
                v -= mat[c * m + j] * rhs[j];
            rhs[c] = v / mat[c * m + c];
        }
        return true;
    }

    /// The gradient method's linear system A·H = F for the junction heads (Todini & Pilati 1988;
    /// EPANET 2.2 Users Manual, Hydraulics chapter): A_ii = Σ p over the node's links (plus the
    /// emitter and PDA virtual links), A_ij = −p, F_i = Σ ±y + flow excess − demand + Σ p·H of
    /// fixed-head neighbours, with EPANET's treatment of active PRV, PSV and FCV.
    void matrix_coeffs(std::vector<double>& ax) {
        held_.clear();
        std::fill(ax.begin(), ax.end(), 0.0);
        std::fill(s.f_.begin(), s.f_.end(), 0.0);
        std::fill(s.xflow_.begin(), s.xflow_.end(), 0.0);
        const auto nl = static_cast<std::size_t>(net.link_count());
        classify_links();
        const bool chunks = chunked();
        // |q|^0.852 of every link at once (vectorised; pipe_coeff reads it). On large networks
        // a chunk of links at a time, and the chunk's plain pipes' coefficients with it (while
        // its powers are in cache), side by side.
        const bool hazen_williams = net.options.headloss == HeadLossFormula::kHazenWilliams;
        const double* const resistance = topo.resistance.data();
        const double* const minor = topo.minor.data();
        const double* const flow = s.flow_m3s.data();
        const double* const power = s.power_.data();
        if (chunks) {
            const auto by_link = [](const HydraulicState::PlainLink& l, std::size_t k) {
                return static_cast<std::size_t>(l.link) < k;
            };
            parallel_for_chunks(
                nl,
                [&](std::size_t b, std::size_t e) {
                    if (hazen_williams)
                        flow_powers(s.flow_m3s.data() + b, s.power_.data() + b, e - b, 1.852 - 1.0);
                    // The plain pipes are listed in link order.
                    const auto first =
                        std::lower_bound(s.plain_links_.begin(), s.plain_links_.end(), b, by_link);
                    for (auto it = first;
                         it != s.plain_links_.end() && static_cast<std::size_t>(it->link) < e; ++it)
                        pipe_coeff(static_cast<std::size_t>(it->link));
                },
                kLinkChunk);
        } else if (hazen_williams && reduced()) {
            // Only the pipes outside the trees (the trees' head losses are needed for their
            // heads alone, at the end): gathered, raised, scattered back (each lane's result
            // is the same wherever it sits).
            const std::int32_t* const pipes = topo.core_pipes.data();
            const std::size_t count = topo.core_pipes.size();
            double* const in = s.power_in_.data();
            double* const out = s.power_out_.data();
            for (std::size_t i = 0; i < count; ++i)
                in[i] = flow[pipes[i]];
            flow_powers(in, out, count, 1.852 - 1.0);
            double* const power_of = s.power_.data();
            for (std::size_t i = 0; i < count; ++i)
                power_of[pipes[i]] = out[i];
        } else if (hazen_williams) {
            flow_powers(s.flow_m3s.data(), s.power_.data(), nl, 1.852 - 1.0);
        }
        // Closed links are left out (EPANET keeps them as 1e-8 conductances, which only adds
        // flows of ~1e-6 cfs that break continuity); cut-off zones are handled below.
        // Each link's coefficients are computed and added to the system at once (while its data
        // is in cache; on large networks computed above, side by side): first the plain pipes,
        // whose positions in the system are listed with them, then the other links in link order.
        if (chunks)
            add_plain_links_by_row(ax);
        else if (hazen_williams)
            add_plain_links(ax, [&](std::size_t k) {
                // pipe_coeff() of an open pipe, the arrays read through pointers taken once
                return power_law_head_loss(1.852, resistance[k], minor[k], flow[k], power[k]);
            });
        else
            add_plain_links(ax, [&](std::size_t k) { return open_pipe_head_loss(k); });
        for (const std::int32_t link : s.other_links_) {
            const auto k = static_cast<std::size_t>(link);
            link_coeff(k);
            if (s.pruned_link_[k])
                continue;
            if (!link_in_system(k)) {
                add_cut_off_link(k, ax);
                continue;
            }
            if (s.p_[k] == 0.0 || (is_closed(s.status[k]) && !leak))
                continue;
            add_link(k, ax);
        }
        // A dead-end tree left out of the system draws the demands beyond its root pipe from
        // the junction it hangs on (the exact elimination of its rows: the pipes' own terms
        // cancel).
        // The flow excess (s.xflow_, which the pressure valves read) stays that of the current
        // flows: the root pipe's flow there, the rest (its flow less the demand) into the row.
        if (reduced()) {
            const std::vector<std::int32_t>& rows = sys_row();
            for (std::size_t t = 0; t < topo.tree_pipes.size(); ++t) {
                const TreePipe& tp = topo.tree_pipes[t];
                if (!tp.root)
                    continue;
                const double q = flow[static_cast<std::size_t>(tp.link)];
                const double out = tp.out ? q : -q;
                const auto a = static_cast<std::size_t>(tp.parent);
                s.xflow_[a] -= out;
                s.f_[static_cast<std::size_t>(rows[a])] += out - s.tree_flow_[t];
            }
        }
        // Emitters and pressure-driven demands (virtual links to the node's elevation), then
        // each node's demand and flow excess into its row: node by node (each touches its own
        // row alone), on large networks in chunks side by side.
        const auto node_terms = [&](std::size_t i) {
            const std::int32_t r = sys_row()[i];
            if (r < 0 || s.cut_off[i])
                return;
            const auto ur = static_cast<std::size_t>(r);
            if (!node_flows_ && !topo.has_leakage) { // demands alone (the rest below adds 0)
                s.xflow_[i] -= s.demand_flow[i];
                s.f_[ur] += s.xflow_[i];
                return;
            }
            if (net.emitter_coefficient[i] > 0) {
                double hloss = 0, hgrad = 0;
                emitter_head_loss(i, hloss, hgrad);
                ax[static_cast<std::size_t>(sys_diag()[ur])] += 1.0 / hgrad;
                s.f_[ur] += (hloss + net.elevation_m[i]) / hgrad;
                s.xflow_[i] -= s.emitter_flow[i];
            }
            if (pda && s.node_demand[i] > 0) {
                double hloss = 0, hgrad = 0;
                demand_head_loss(i, hloss, hgrad);
                ax[static_cast<std::size_t>(sys_diag()[ur])] += 1.0 / hgrad;
                s.f_[ur] += (hloss + net.elevation_m[i] + pmin) / hgrad;
            }
            double hfa = 0, gfa = 0, hva = 0, gva = 0;
            if (topo.has_leakage && leak_terms(i, hfa, gfa, hva, gva)) {
                for (const auto& [hl, g] : {std::pair{hfa, gfa}, std::pair{hva, gva}})
                    if (g > 0) {
                        ax[static_cast<std::size_t>(sys_diag()[ur])] += 1.0 / g;
                        s.f_[ur] += (hl + net.elevation_m[i]) / g;
                    }
                s.xflow_[i] -= s.leak_fa_flow[i] + s.leak_va_flow[i];
            }
            s.xflow_[i] -= s.demand_flow[i];
            s.f_[ur] += s.xflow_[i];
        };
        for_junctions(chunks, node_terms);
        // Pressure and flow control valves with a setting.
        for (std::int32_t v = 0; v < net.valves.count(); ++v) {
            const auto uv = static_cast<std::size_t>(v);
            const std::size_t k = net.valves.link[uv].idx();
            if (missing(s.setting[k]) || !link_in_system(k))
                continue;
            const auto kind = net.valves.kind[uv];
            if (kind != ValveKind::kPrv && kind != ValveKind::kPsv && kind != ValveKind::kFcv)
                continue;
            const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
            const std::int32_t i = sys_row()[n1.idx()], j = sys_row()[n2.idx()];
            auto F = [&](std::int32_t r, double v2) {
                if (r >= 0)
                    s.f_[static_cast<std::size_t>(r)] += v2;
            };
            auto D = [&](std::int32_t r, double v2) {
                if (r >= 0)
                    ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r)])] += v2;
            };
            auto as_pipe = [&]() {
                valve_coeff(k);
                if (is_closed(s.status[k]) && !leak)
                    return;
                if (sys_offdiag()[k] >= 0)
                    ax[static_cast<std::size_t>(sys_offdiag()[k])] -= s.p_[k];
                D(i, s.p_[k]);
                D(j, s.p_[k]);
                F(i, s.y_[k] - s.flow_m3s[k]);
                F(j, -(s.y_[k] - s.flow_m3s[k]));
                // Fixed-head ends enter the right-hand side.
                if (i < 0 && j >= 0)
                    F(j, s.p_[k] * s.head_m[n1.idx()]);
                if (j < 0 && i >= 0)
                    F(i, s.p_[k] * s.head_m[n2.idx()]);
            };
            if (kind == ValveKind::kPrv) {
                if (s.status[k] == LinkState::kActive) {
                    const double hset = elev(n2) + s.setting[k];
                    const double x2 = s.xflow_[n2.idx()];
                    s.p_[k] = 0.0;
                    s.y_[k] = s.flow_m3s[k] + x2;
                    if (implicit_valves && coupling_ != 0 && i >= 0 && j >= 0) {
                        held_.push_back({k, n2.idx(), j, i, hset, 0, 0, x2 < 0.0 ? x2 : 0.0, true});
                    } else {
                        F(j, hset * kBigConductance);
                        D(j, kBigConductance);
                        if (x2 < 0.0)
                            F(i, x2);
                    }
                } else {
                    as_pipe();
                }
            } else if (kind == ValveKind::kPsv) {
                if (s.status[k] == LinkState::kActive) {
                    const double hset = elev(n1) + s.setting[k];
                    const double x1 = s.xflow_[n1.idx()];
                    s.p_[k] = 0.0;
                    s.y_[k] = s.flow_m3s[k] - x1;
                    if (implicit_valves && coupling_ != 0 && i >= 0 && j >= 0) {
                        held_.push_back(
                            {k, n1.idx(), i, j, hset, 0, 0, x1 > 0.0 ? x1 : 0.0, false});
                    } else {
                        F(i, hset * kBigConductance);
                        D(i, kBigConductance);
                        if (x1 > 0.0)
                            F(j, x1);
                    }
                } else {
                    as_pipe();
                }
            } else {
                const double q = s.setting[k];
                if (s.status[k] == LinkState::kActive) {
                    s.xflow_[n1.idx()] -= q;
                    s.xflow_[n2.idx()] += q;
                    s.y_[k] = s.flow_m3s[k] - q;
                    F(i, -q);
                    F(j, q);
                    s.p_[k] = 1.0 / kBigGradient;
                    if (sys_offdiag()[k] >= 0)
                        ax[static_cast<std::size_t>(sys_offdiag()[k])] -= s.p_[k];
                    D(i, s.p_[k]);
                    D(j, s.p_[k]);
                    if (i < 0 && j >= 0)
                        F(j, s.p_[k] * s.head_m[n1.idx()]);
                    if (j < 0 && i >= 0)
                        F(i, s.p_[k] * s.head_m[n2.idx()]);
                } else {
                    as_pipe();
                }
            }
        }
        hold_valves(ax);
        for (const std::int32_t u : s.prune_order_) {
            const std::int32_t r = sys_row()[static_cast<std::size_t>(u)];
            if (r < 0)
                continue; // a tree's junction: its head follows its tree's
            ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r)])] = 1.0;
            s.f_[static_cast<std::size_t>(r)] = 0.0;
        }
        // Cut-off junctions in zones with demand, or without any link: head at the elevation.
        if (s.cut_off_count_ > 0)
            for_junctions(chunks, [&](std::size_t i) {
                const std::int32_t r = sys_row()[i];
                if (r < 0 || !s.cut_off[i])
                    return;
                auto& d = ax[static_cast<std::size_t>(sys_diag()[static_cast<std::size_t>(r)])];
                if (d == 0.0 || s.cut_off[i] == 2) {
                    d = 1.0;
                    s.f_[static_cast<std::size_t>(r)] = net.elevation_m[i];
                }
            });
    }

    /// body(i) for every junction i, in node order, or in chunks side by side when `chunks`
    /// (body(i) may touch junction i's own slots and row alone).
    template <typename Body> void for_junctions(bool chunks, const Body& body) const {
        const std::size_t* const junctions = sys_node_of_row().data();
        const std::size_t rows = sys_node_of_row().size();
        if (!chunks) {
            for (std::size_t r = 0; r < rows; ++r)
                body(junctions[r]);
            return;
        }
        parallel_for_chunks(
            rows,
            [&](std::size_t b, std::size_t e) {
                for (std::size_t r = b; r < e; ++r)
                    body(junctions[r]);
            },
            kLinkChunk);
    }

    [[nodiscard]] bool pressure_valve_active(std::size_t k) const {
        return pressure_valve_active(k, s.status[k]);
    }
    [[nodiscard]] bool pressure_valve_active(std::size_t k, LinkState st) const {
        if (net.link_kind[k] != LinkKind::kValve || st != LinkState::kActive ||
            missing(s.setting[k]))
            return false;
        const auto kind = net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])];
        return kind == ValveKind::kPrv || kind == ValveKind::kPsv;
    }

    /// Whether link k can carry flow only from its first node to its second: a pump, a check
    /// valve, a PRV or PSV with a setting (EPANET closes them all on reverse flow). A zone that
    /// reaches the sources only against such links, e.g. only through a pump's outlet after
    /// damage closed the pipes to its inlet, gets no water: it is cut off (with EPANET it hangs
    /// on the zero-flow pump's gradient and shows heads of −1e5 m and more). With EPANET's
    /// closed-link model (leak) every link but an active PRV or PSV conducts both ways, as closed
    /// links do there.
    [[nodiscard]] bool one_way(std::size_t k) const { return one_way(k, s.status[k]); }
    /// one_way() at status `st`.
    [[nodiscard]] bool one_way(std::size_t k, LinkState st) const {
        if (pressure_valve_active(k, st))
            return true;
        if (leak)
            return false;
        const auto kind = net.link_kind[k];
        return kind == LinkKind::kPump || kind == LinkKind::kCvPipe;
    }

    /// find_cut_off()'s result for the current statuses: the last one if no status changed since,
    /// else redone as far as the change needs (redo_cut_off()).
    std::int32_t update_cut_off(std::int32_t previous) {
        if (same_bytes(s.status, s.cut_off_status_))
            return previous;
        return redo_cut_off();
    }

    /// Whether arc u → w of link k passes water in find_cut_off()'s search at status `st`.
    [[nodiscard]] bool passes(std::size_t k, std::size_t u, LinkState st) const {
        if (is_closed(st) && !leak)
            return false;
        return net.from_node[k].idx() == u || !one_way(k, st);
    }

    /// Position of link k among node u's arcs.
    [[nodiscard]] std::size_t arc_place(std::size_t u, std::int32_t k) const {
        const auto arcs = topo.adjacency.arcs(static_cast<std::int32_t>(u));
        return static_cast<std::size_t>(std::find(arcs.begin(), arcs.end(), k) - arcs.begin());
    }

    /// How much of find_cut_off()'s work the statuses now in s.status need redone, against
    /// those it last ran for (s.cut_off_status_; the demands' signs and the closed-link model
    /// the same). Most status changes of an EPS are pumps and valves switching between supplied
    /// nodes off the search's tree: a full search after each cost a tenth of an iteration
    /// (BWSN_Network_2: 48 a run).
    ///   The search from the fixed-head nodes reaches the same nodes in the same order by the
    ///   same links when every arc whose passing changed leaves a node it never scans (cut
    ///   off), or, where it no longer passes, was not the arc the search reached its other node
    ///   by, or, where it now passes, leads to a node the search had reached before it scanned
    ///   that arc. The cut-off zones are then the same when no link whose closing changed joins
    ///   two cut-off nodes; the idle sides when no such link touches an idle junction (else
    ///   only they are searched again).
    enum class CutOffWork { kNone, kSides, kAll };
    [[nodiscard]] CutOffWork cut_off_work() const {
        if (!s.cut_off_valid_ || s.cut_off_leak_ != leak)
            return CutOffWork::kAll;
        CutOffWork work = CutOffWork::kNone;
        const auto nl = static_cast<std::size_t>(net.link_count());
        for (std::size_t k = 0; k < nl; ++k) {
            const LinkState was = s.cut_off_status_[k], now = s.status[k];
            if (was == now)
                continue;
            const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
            if (n1 == n2)
                continue;
            if (is_closed(was) != is_closed(now)) {
                if (s.cut_off[n1] && s.cut_off[n2])
                    return CutOffWork::kAll;
                if (!leak && (s.dfs_side_[n1] || s.dfs_side_[n2]))
                    work = CutOffWork::kSides;
            }
            for (int dir = 0; dir < 2; ++dir) {
                const std::size_t u = dir == 0 ? n1 : n2, w = dir == 0 ? n2 : n1;
                const bool before = passes(k, u, was), after = passes(k, u, now);
                if (before == after || s.cut_off[u] || topo.row[w] < 0)
                    continue;
                const std::int32_t tree = s.tree_link_[w];
                if (before) { // no longer passes
                    if (tree == static_cast<std::int32_t>(k))
                        return CutOffWork::kAll;
                    continue;
                }
                // now passes: w must have been reached before u scanned this arc
                if (s.cut_off[w])
                    return CutOffWork::kAll;
                const auto t = static_cast<std::size_t>(tree);
                const std::size_t parent =
                    net.from_node[t].idx() == w ? net.to_node[t].idx() : net.from_node[t].idx();
                if (s.tree_place_[parent] > s.tree_place_[u] ||
                    (parent == u && arc_place(u, tree) > arc_place(u, k)))
                    return CutOffWork::kAll;
            }
        }
        return work;
    }

    /// find_cut_off() for the current statuses, doing only the work cut_off_work() says is
    /// needed: the same result, bit for bit.
    std::int32_t redo_cut_off() {
        const CutOffWork work = cut_off_work();
        if (work == CutOffWork::kAll)
            return find_cut_off();
        // What find_cut_off() does besides its searches: the flows of the links left out and
        // rejoining, the statuses recorded.
        const auto nl = static_cast<std::size_t>(net.link_count());
        for (std::size_t k = 0; k < nl; ++k) {
            s.left_out_[k] = !link_in_system(k) || s.flow_m3s[k] == 0.0 ? 1 : 0;
            if (!s.left_out_[k])
                s.rejoin_flow_[k] = s.flow_m3s[k];
            if (s.pruned_link_[k])
                s.flow_m3s[k] = 0;
        }
        if (work == CutOffWork::kSides)
            prune_dead_ends_near_changes();
        restore_rejoining_flows();
        std::copy(s.status.begin(), s.status.end(), s.cut_off_status_.begin());
        return s.cut_off_count_;
    }

    /// Sign of junction i's demand: what find_cut_off() and prune_dead_ends() look at.
    [[nodiscard]] std::int8_t demand_sign(std::size_t i) const {
        const double d = s.node_demand[i];
        return static_cast<std::int8_t>(d > 0 ? 1 : (d < 0 ? -1 : 0));
    }

    /// The cut-off zones and pruned dead ends of the last solve when the statuses, the signs of
    /// the junction demands and the closed-link model are still those they were found for (most
    /// EPS steps: only demand values and tank heads change), else find_cut_off().
    std::int32_t refresh_cut_off() {
        bool same = s.cut_off_valid_ && s.cut_off_leak_ == leak;
        const auto nn = static_cast<std::size_t>(net.node_count());
        for (std::size_t i = 0; i < nn && same; ++i)
            same = topo.row[i] < 0 || s.cut_off_demand_[i] == demand_sign(i);
        if (!same)
            return find_cut_off();
        if (same_bytes(s.status, s.cut_off_status_))
            return s.cut_off_count_;
        return redo_cut_off();
    }

    /// Marks junctions with no path of non-closed links to a tank or reservoir, then prunes idle
    /// dead ends; records what it was computed for (refresh_cut_off()).
    std::int32_t find_cut_off() {
        const auto nn = static_cast<std::size_t>(net.node_count());
        const auto nl = static_cast<std::size_t>(net.link_count());
        const CsrGraph& g = topo.adjacency;
        // Links left out of the system so far (cut off or pruned: their flows are set to 0), and
        // the flows of the others, kept for when they rejoin (restore_rejoining_flows()). A
        // flow of exactly 0 counts as left out whether or not this state found it so: a fresh
        // state given the same flows then takes the same path.
        for (std::size_t k = 0; k < nl; ++k) {
            s.left_out_[k] =
                (s.cut_off_valid_ && !link_in_system(k)) || s.flow_m3s[k] == 0.0 ? 1 : 0;
            if (!s.left_out_[k])
                s.rejoin_flow_[k] = s.flow_m3s[k];
        }
        // The idle sides need searching again only near the links whose closing changed when
        // the cut-off zones and the idle junctions come out the same (most status changes).
        const bool sides_known = s.cut_off_valid_ && s.cut_off_leak_ == leak && !leak;
        if (sides_known)
            std::copy(s.cut_off.begin(), s.cut_off.end(), s.cut_off_before_.begin());
        std::fill(s.cut_off.begin(), s.cut_off.end(), 1);
        s.queue_.clear();
        for (std::size_t i = 0; i < nn; ++i) {
            s.tree_link_[i] = -1;
            if (topo.row[i] < 0) {
                s.cut_off[i] = 0;
                s.queue_.push_back(static_cast<std::int32_t>(i));
            }
        }
        // An active PRV or PSV holds a head on one side but creates no water: the nodes beyond it
        // are supplied only if water reaches the valve (the search passes it downstream below).
        // Counting them as sources left a zone behind a PRV fed from a cut-off zone anchored to
        // nothing: a singular matrix (damage states with an isolated tank).
        for (std::size_t h = 0; h < s.queue_.size(); ++h) {
            const auto u = static_cast<std::size_t>(s.queue_[h]);
            const auto nb = g.neighbours(static_cast<std::int32_t>(u));
            const auto arcs = g.arcs(static_cast<std::int32_t>(u));
            for (std::size_t a = 0; a < nb.size(); ++a) {
                const auto w = static_cast<std::size_t>(nb[a]);
                const auto k = static_cast<std::size_t>(arcs[a]);
                if (!s.cut_off[w] || (is_closed(s.status[k]) && !leak))
                    continue;
                // Pumps, check valves, PRVs and PSVs pass water from their first node only.
                if (one_way(k) && net.from_node[k].idx() != u)
                    continue;
                s.cut_off[w] = 0;
                s.tree_link_[w] = static_cast<std::int32_t>(k);
                s.queue_.push_back(static_cast<std::int32_t>(w));
            }
        }
        s.tree_order_.assign(s.queue_.begin(), s.queue_.end());
        std::fill(s.tree_place_.begin(), s.tree_place_.end(), -1);
        for (std::size_t h = 0; h < s.tree_order_.size(); ++h)
            s.tree_place_[static_cast<std::size_t>(s.tree_order_[h])] =
                static_cast<std::int32_t>(h);
        // Zones with demand (2) are told apart from idle ones (1), zone by zone.
        std::int32_t count = 0;
        for (std::size_t i0 = 0; i0 < nn; ++i0) {
            if (s.cut_off[i0] != 1 || s.zone_done_[i0])
                continue;
            s.queue_.clear();
            s.queue_.push_back(static_cast<std::int32_t>(i0));
            s.zone_done_[i0] = 1;
            bool demand = false;
            for (std::size_t h = 0; h < s.queue_.size(); ++h) {
                const auto u = static_cast<std::size_t>(s.queue_[h]);
                demand = demand || s.node_demand[u] > 0 || net.emitter_coefficient[u] > 0 ||
                         topo.leak_c_fa[u] > 0 || topo.leak_c_va[u] > 0;
                const auto nb = g.neighbours(static_cast<std::int32_t>(u));
                const auto arcs = g.arcs(static_cast<std::int32_t>(u));
                for (std::size_t a = 0; a < nb.size(); ++a) {
                    const auto w = static_cast<std::size_t>(nb[a]);
                    const auto k = static_cast<std::size_t>(arcs[a]);
                    if (s.cut_off[w] != 1 || s.zone_done_[w] || is_closed(s.status[k]))
                        continue;
                    s.zone_done_[w] = 1;
                    s.queue_.push_back(static_cast<std::int32_t>(w));
                }
            }
            if (demand)
                for (const std::int32_t u : s.queue_)
                    s.cut_off[static_cast<std::size_t>(u)] = 2;
        }
        // Without branches (demand_sign() of every junction, the row test as a mask).
        bool signs_differ = false;
        const double* const demand = s.node_demand.data();
        const std::int32_t* const row = topo.row.data();
        for (std::size_t i = 0; i < nn; ++i) {
            s.zone_done_[i] = 0;
            count += s.cut_off[i] != 0 ? 1 : 0;
            const double d = demand[i];
            const auto sign =
                static_cast<std::int8_t>(row[i] >= 0 ? (d > 0 ? 1 : 0) - (d < 0 ? 1 : 0) : 0);
            signs_differ = signs_differ || s.cut_off_demand_[i] != sign;
            s.cut_off_demand_[i] = sign;
        }
        if (sides_known && !signs_differ && same_bytes(s.cut_off, s.cut_off_before_)) {
            for (std::size_t k = 0; k < nl; ++k)
                if (s.pruned_link_[k])
                    s.flow_m3s[k] = 0;
            prune_dead_ends_near_changes();
        } else {
            prune_dead_ends();
        }
        restore_rejoining_flows();
        std::copy(s.status.begin(), s.status.end(), s.cut_off_status_.begin());
        s.cut_off_leak_ = leak;
        s.cut_off_count_ = count;
        s.cut_off_valid_ = true;
        return count;
    }

    /// Links that rejoin the system during a solve (a zone no longer cut off, a dead end no longer
    /// idle) take back the flows they had when they left it, not the 0 they were given meanwhile.
    /// At zero flow a pipe's gradient is EPANET's floor RQTOL, a conductance of 1e7 cfs/ft, a tenth
    /// of the CBIG an active PRV holds its head with: a zone of such pipes between PRVs holding
    /// different heads no longer lets them hold, and the next step sends huge flows around the
    /// valves (ky9: a zone cut off behind PRVs closed in trial 1 came back in trial 2; trial 3
    /// sent 1.5e6 m³/s between PRVs ~@RV-10 and ~@RV-12, trial 4's matrix was not positive
    /// definite; tests/water "RejoiningZoneBetweenPrvs" is the same in small). With
    /// EPANET's closed-link model such a zone stays in the system, its pipes carrying its demand
    /// through the closed links' 1e-8 cfs/ft: the flows it left with are that demand's.
    void restore_rejoining_flows() {
        for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
            if (!s.left_out_[k] || !link_in_system(k) || is_closed(s.status[k]))
                continue;
            if (s.rejoin_flow_[k] != 0.0) {
                s.flow_m3s[k] = s.rejoin_flow_[k];
            } else if (net.link_kind[k] == LinkKind::kPipe ||
                       net.link_kind[k] == LinkKind::kCvPipe) {
                // Left out before this solve (at 0): EPANET's initial 1 ft/s, as on a fresh
                // start. At zero flow its pipes would sit at the floor gradient, a conductance of
                // 1e7 cfs/ft against the 1e8 an active PRV holds its head with: a rejoining zone
                // between PRVs holding different heads let them pass 6e5 m³/s between them (ky9
                // damage states after a tank closed; 26 steps of 62 826 ran out of trials).
                s.flow_m3s[k] = initial_pipe_flow(net.diameter_m[k]);
            }
        }
    }

    /// Idle sides: a part of the network that hangs on the rest at one node and holds no
    /// demand, emitter, tank, reservoir, pump or valve — a dead end, a dead end joined by
    /// parallel pipes, an idle loop and whatever hangs on it — carries no flow (one way in and
    /// no water taken or given inside), and each of its junctions has the head of the node it
    /// hangs on. Such sides are taken out of the system, whole: at zero flow their pipes would
    /// sit at EPANET's smallest gradient, a conductance 1e8 times their neighbours', whose
    /// round-off keeps Newton from converging below ~1e-6; and where a side is a loop or
    /// parallel pipes, Newton takes their flows to zero only linearly, by the factor
    /// 1 − 1/1.852 a step (Hazen-Williams), which set the number of iterations of whole EPS
    /// steps (BWSN_Network_2: a dead end on four parallel pipes, an idle triangle of pipes).
    /// (Only in our model of closed links; with EPANET's, closed links carry flow.)
    ///
    /// A side holds idle junctions only, so only they are searched: depth first, with the rest
    /// of the network as one node R above them all (Tarjan's articulation test). A subtree that
    /// no link leaves above the node it hangs on, with no pump or valve, is a side; one that
    /// hangs on R is one if its links out all reach the same node, the one it hangs on.
    void prune_dead_ends() {
        const auto nn = static_cast<std::size_t>(net.node_count());
        std::fill(s.pruned_link_.begin(), s.pruned_link_.end(), 0);
        s.prune_order_.clear();
        if (leak)
            return;
        auto& idle = s.dfs_side_; // per node: idle junction; after the search, in a side
        for (std::size_t u = 0; u < nn; ++u) {
            idle[u] = idle_junction(u) ? 1 : 0;
            if (idle[u])
                s.dfs_disc_[u] = -1;
        }
        s.dfs_preorder_.clear();
        for (std::size_t start = 0; start < nn; ++start)
            search_sides(start);
        mark_sides();
    }

    /// Whether junction u counts as idle for prune_dead_ends(): supplied, no demand, emitter or
    /// leak.
    [[nodiscard]] bool idle_junction(std::size_t u) const {
        return topo.row[u] >= 0 && !s.cut_off[u] && s.node_demand[u] == 0.0 &&
               net.emitter_coefficient[u] == 0.0 && topo.leak_c_fa[u] == 0.0 &&
               topo.leak_c_va[u] == 0.0;
    }

    /// prune_dead_ends()'s class of link k at status `st`: 0 closed, cut off or a loop on one
    /// node; 1 a pipe; 2 another link (never in a side).
    [[nodiscard]] int side_class(std::size_t k, LinkState st) const {
        if (is_closed(st) || s.cut_off[net.from_node[k].idx()] || s.cut_off[net.to_node[k].idx()] ||
            net.from_node[k] == net.to_node[k])
            return 0;
        const auto kind = net.link_kind[k];
        return kind == LinkKind::kPipe || kind == LinkKind::kCvPipe ? 1 : 2;
    }

    /// prune_dead_ends() after the statuses changed from s.cut_off_status_ (what it last ran
    /// for) to s.status, the cut-off zones and the idle junctions the same: a side lies within
    /// one group of idle junctions joined by open pipes, pumps and valves, and what is a side
    /// there depends on that group's links only. So only the groups that a link whose closing
    /// changed touches (as they were and as they are) are searched again, from the same start
    /// node in the same order as the whole search: the same sides and heads. Networks whose
    /// pumps switch by the hour (Net6_plus: 61 pumps, 1,699 idle junctions in 696 groups of
    /// at most 33) searched all their idle junctions after each switch.
    void prune_dead_ends_near_changes() {
        const auto nl = static_cast<std::size_t>(net.link_count());
        const CsrGraph& g = topo.adjacency;
        auto& idle = s.dfs_side_;
        auto& region = s.queue_;
        auto& in_region = s.zone_done_;
        region.clear();
        const auto add = [&](std::size_t u) {
            if (idle[u] && !in_region[u]) {
                in_region[u] = 1;
                region.push_back(static_cast<std::int32_t>(u));
            }
        };
        for (std::size_t k = 0; k < nl; ++k) {
            if (is_closed(s.cut_off_status_[k]) == is_closed(s.status[k]))
                continue;
            add(net.from_node[k].idx());
            add(net.to_node[k].idx());
        }
        // The groups as they were and as they are: idle junctions joined by links of a
        // nonzero class at either status.
        for (std::size_t h = 0; h < region.size(); ++h) {
            const auto u = static_cast<std::size_t>(region[h]);
            const auto nb = g.neighbours(static_cast<std::int32_t>(u));
            const auto arcs = g.arcs(static_cast<std::int32_t>(u));
            for (std::size_t a = 0; a < nb.size(); ++a) {
                const auto k = static_cast<std::size_t>(arcs[a]);
                if (side_class(k, s.status[k]) != 0 || side_class(k, s.cut_off_status_[k]) != 0)
                    add(static_cast<std::size_t>(nb[a]));
            }
        }
        if (region.empty())
            return;
        std::sort(region.begin(), region.end());
        for (const std::int32_t node : region) {
            const auto u = static_cast<std::size_t>(node);
            idle[u] = 1;
            s.dfs_disc_[u] = -1;
            for (const std::int32_t a : g.arcs(node))
                s.pruned_link_[static_cast<std::size_t>(a)] = 0;
        }
        s.prune_order_.erase(std::remove_if(s.prune_order_.begin(), s.prune_order_.end(),
                                            [&](std::int32_t u) {
                                                return in_region[static_cast<std::size_t>(u)] != 0;
                                            }),
                             s.prune_order_.end());
        // search_sides() uses s.queue_ as its stack: the region is copied out first.
        s.region_.assign(region.begin(), region.end());
        for (const std::int32_t u : s.region_)
            in_region[static_cast<std::size_t>(u)] = 0;
        s.dfs_preorder_.clear();
        for (const std::int32_t u : s.region_)
            search_sides(static_cast<std::size_t>(u));
        mark_sides();
    }

    /// Tarjan's search of prune_dead_ends() from idle junction `start`, if it is not yet
    /// discovered and lies next to the rest; appends the nodes it discovers to
    /// s.dfs_preorder_.
    void search_sides(std::size_t start) {
        const CsrGraph& g = topo.adjacency;
        auto& idle = s.dfs_side_;
        if (!idle[start] || s.dfs_disc_[start] >= 0)
            return;
        auto& disc = s.dfs_disc_;
        auto& low = s.dfs_low_;
        auto& busy = s.dfs_busy_;     // pumps and valves at the subtree's nodes
        auto& next = s.dfs_next_;     // the node's next arc to look at
        auto& via = s.dfs_via_;       // the link the search reached the node by
        auto& attach = s.dfs_attach_; // node outside reached from the subtree: -1 none, -2 two
        auto& order = s.dfs_preorder_;
        auto& stack = s.queue_;
        const auto link_class = [&](std::size_t k) { return side_class(k, s.status[k]); };
        const auto merge = [](std::int32_t a, std::int32_t b) {
            return a == -1 ? b : (b == -1 || a == b ? a : -2);
        };
        // Discovery times count from R's 0 within each search; only their order within one
        // group of idle junctions matters.
        std::int32_t time = 1;
        auto discover = [&](std::size_t w, std::int32_t link, bool pump_or_valve,
                            std::int32_t outside) {
            disc[w] = low[w] = time++;
            via[w] = link;
            next[w] = 0;
            busy[w] = pump_or_valve ? 1 : 0;
            attach[w] = outside;
            order.push_back(static_cast<std::int32_t>(w));
            stack.push_back(static_cast<std::int32_t>(w));
        };
        const auto other_end = [&](std::size_t k, std::size_t u) {
            return net.from_node[k].idx() == u ? net.to_node[k].idx() : net.from_node[k].idx();
        };
        // Enter the idle nodes from R by a link of a node next to the rest.
        std::int32_t entry = -1;
        int entry_class = 0;
        for (const std::int32_t a : g.arcs(static_cast<std::int32_t>(start))) {
            const auto k = static_cast<std::size_t>(a);
            entry_class = link_class(k);
            if (entry_class != 0 && !idle[other_end(k, start)]) {
                entry = a;
                break;
            }
        }
        if (entry < 0)
            return; // reached later from a neighbour next to the rest
        stack.clear();
        discover(start, entry, entry_class == 2,
                 static_cast<std::int32_t>(other_end(static_cast<std::size_t>(entry), start)));
        while (!stack.empty()) {
            const auto u = static_cast<std::size_t>(stack.back());
            const auto nb = g.neighbours(static_cast<std::int32_t>(u));
            if (static_cast<std::size_t>(next[u]) < nb.size()) {
                const auto a = static_cast<std::size_t>(next[u]++);
                const std::int32_t link = g.arcs(static_cast<std::int32_t>(u))[a];
                if (link == via[u])
                    continue;
                const int cls = link_class(static_cast<std::size_t>(link));
                if (cls == 0)
                    continue;
                const auto w = static_cast<std::size_t>(nb[a]);
                if (!idle[w]) { // a link to R
                    low[u] = 0;
                    attach[u] = merge(attach[u], static_cast<std::int32_t>(w));
                    busy[u] += cls == 2 ? 1 : 0;
                } else if (disc[w] < 0) {
                    discover(w, link, cls == 2, -1);
                } else {
                    // A link back to an ancestor (or, seen from it, to a descendant).
                    low[u] = std::min(low[u], disc[w]);
                    busy[u] += cls == 2 && disc[w] < disc[u] ? 1 : 0;
                }
                continue;
            }
            stack.pop_back();
            if (stack.empty()) {
                // The subtree entered from R hangs on the one node its links out reach.
                s.dfs_hangs_[u] = busy[u] == 0 && attach[u] >= 0 ? 1 : 0;
                break;
            }
            const auto parent = static_cast<std::size_t>(stack.back());
            low[parent] = std::min(low[parent], low[u]);
            busy[parent] += busy[u];
            attach[parent] = merge(attach[parent], attach[u]);
            s.dfs_hangs_[u] = low[u] >= disc[parent] && busy[u] == 0 ? 1 : 0;
        }
    }

    /// After search_sides() over s.dfs_preorder_: parents before children, a node is in a side
    /// if its subtree is one or its parent is in one; appends the side nodes to s.prune_order_
    /// (children first), marks their links pruned and sets their flows to 0.
    void mark_sides() {
        const CsrGraph& g = topo.adjacency;
        auto& idle = s.dfs_side_;
        const auto other_end = [&](std::size_t k, std::size_t u) {
            return net.from_node[k].idx() == u ? net.to_node[k].idx() : net.from_node[k].idx();
        };
        const std::size_t first = s.prune_order_.size();
        // The heads: a subtree entered from R takes the head of the node it hangs on.
        for (const std::int32_t node : s.dfs_preorder_) {
            const auto u = static_cast<std::size_t>(node);
            const std::size_t parent = other_end(static_cast<std::size_t>(s.dfs_via_[u]), u);
            const bool in_side = s.dfs_hangs_[u] || idle[parent] == 2;
            idle[u] = in_side ? 2 : 1;
            if (!in_side)
                continue;
            s.prune_parent_[u] = static_cast<std::int32_t>(parent);
            s.prune_order_.push_back(node);
            for (const std::int32_t a : g.arcs(node)) {
                const auto k = static_cast<std::size_t>(a);
                if (side_class(k, s.status[k]) != 0) {
                    s.pruned_link_[k] = 1;
                    s.flow_m3s[k] = 0;
                }
            }
        }
        // Children first: set_pruned_heads() walks it backwards.
        std::reverse(s.prune_order_.begin() + static_cast<std::ptrdiff_t>(first),
                     s.prune_order_.end());
    }

    void set_pruned_heads() {
        for (auto it = s.prune_order_.rbegin(); it != s.prune_order_.rend(); ++it) {
            const auto u = static_cast<std::size_t>(*it);
            s.head_m[u] = s.head_m[static_cast<std::size_t>(s.prune_parent_[u])];
        }
    }

    // Status checks (EPANET 2.2 hydstatus) ----------------------------------------------------

    static LinkState cv_status(LinkState st, double dh, double q) {
        if (std::fabs(dh) > kHeadTol) {
            if (dh < -kHeadTol)
                return LinkState::kClosed;
            if (q < -kFlowTol)
                return LinkState::kClosed;
            return LinkState::kOpen;
        }
        if (q < -kFlowTol)
            return LinkState::kClosed;
        return st;
    }

    LinkState prv_status(std::size_t k, LinkState st, double hset, double h1, double h2) const {
        const double hml = topo.minor[k] * s.flow_m3s[k] * s.flow_m3s[k];
        const double q = s.flow_m3s[k];
        switch (st) {
        case LinkState::kActive:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            if (h1 - hml < hset - kHeadTol)
                return LinkState::kOpen;
            return LinkState::kActive;
        case LinkState::kOpen:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            if (h2 >= hset + kHeadTol)
                return LinkState::kActive;
            return LinkState::kOpen;
        case LinkState::kClosed:
            if (h1 >= hset + kHeadTol && h2 < hset - kHeadTol)
                return LinkState::kActive;
            if (h1 < hset - kHeadTol && h1 > h2 + kHeadTol)
                return LinkState::kOpen;
            return LinkState::kClosed;
        case LinkState::kXPressure:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            return st;
        default:
            return st;
        }
    }

    LinkState psv_status(std::size_t k, LinkState st, double hset, double h1, double h2) const {
        const double hml = topo.minor[k] * s.flow_m3s[k] * s.flow_m3s[k];
        const double q = s.flow_m3s[k];
        switch (st) {
        case LinkState::kActive:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            if (h2 + hml > hset + kHeadTol)
                return LinkState::kOpen;
            return LinkState::kActive;
        case LinkState::kOpen:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            if (h1 < hset - kHeadTol)
                return LinkState::kActive;
            return LinkState::kOpen;
        case LinkState::kClosed:
            if (h2 > hset + kHeadTol && h1 > h2 + kHeadTol)
                return LinkState::kOpen;
            if (h1 >= hset + kHeadTol && h1 > h2 + kHeadTol)
                return LinkState::kActive;
            return LinkState::kClosed;
        case LinkState::kXPressure:
            if (q < -kFlowTol)
                return LinkState::kClosed;
            return st;
        default:
            return st;
        }
    }

    /// PRV/PSV status (EPANET's valvestatus()); true if any changed.
    bool valve_status() {
        bool change = false;
        for (std::int32_t v = 0; v < net.valves.count(); ++v) {
            const auto uv = static_cast<std::size_t>(v);
            const std::size_t k = net.valves.link[uv].idx();
            if (missing(s.setting[k]))
                continue;
            const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
            const LinkState old = s.status[k];
            const auto kind = net.valves.kind[uv];
            if ((kind == ValveKind::kPrv || kind == ValveKind::kPsv) && s.cut_off[n1.idx()] &&
                !s.cut_off[n2.idx()]) {
                // No water reaches the valve's inlet but through the valve itself, against its
                // direction, so it cannot be active. An inlet zone with demand would draw reverse
                // flow through it: closed. An idle one may be joined to the outlet through the
                // open valve, without flow, where the outlet head keeps an open valve open (as
                // EPANET leaves it); else closed. Read from the heads as usual, the inlet's
                // (a cut-off node's) would open or activate the valve, the inlet would rejoin
                // through it, the outlet's head would make it active and cut the inlet off again,
                // for ever (PacificCity from 7:30, every trial of every step).
                const double h2 = s.head_m[n2.idx()];
                const bool stays_open =
                    s.cut_off[n1.idx()] == 1 &&
                    (kind == ValveKind::kPrv ? h2 < elev(n2) + s.setting[k] + kHeadTol
                                             : h2 >= elev(n1) + s.setting[k] - kHeadTol);
                s.status[k] = stays_open ? LinkState::kOpen : LinkState::kClosed;
                change = change || old != s.status[k];
                continue;
            }
            if (kind == ValveKind::kPrv)
                s.status[k] = prv_status(k, old, elev(n2) + s.setting[k], s.head_m[n1.idx()],
                                         s.head_m[n2.idx()]);
            else if (kind == ValveKind::kPsv)
                s.status[k] = psv_status(k, old, elev(n1) + s.setting[k], s.head_m[n1.idx()],
                                         s.head_m[n2.idx()]);
            else
                continue;
            change = change || old != s.status[k];
        }
        return change;
    }

    void tank_status(std::size_t k) {
        if (is_closed(s.status[k]))
            return;
        NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
        double q = s.flow_m3s[k];
        std::int32_t t = net.tank_of_node[n1.idx()];
        if (t < 0 || net.node_kind[n1.idx()] != NodeKind::kTank) {
            t = net.tank_of_node[n2.idx()];
            if (t < 0 || net.node_kind[n2.idx()] != NodeKind::kTank)
                return;
            std::swap(n1, n2);
            q = -q;
        }
        const auto ut = static_cast<std::size_t>(t);
        // A zone with demand that no source reaches once this link closed draws water from the
        // tank; its heads, held at the elevations, say nothing of the flow: read as leaving the
        // tank. (From its elevations, a tank emptying into the only zone it feeds reopened its
        // pipe, the zone rejoined and emptied it again, at every trial: a richmond_skeleton copy
        // with [LEAKAGE] from 13:08.)
        const bool feeds_demand = s.cut_off[n2.idx()] == 2;
        const double h = feeds_demand ? std::numeric_limits<double>::infinity()
                                      : s.head_m[n1.idx()] - s.head_m[n2.idx()];
        if (feeds_demand)
            q = std::max(q, 0.0);
        const bool pump = net.link_kind[k] == LinkKind::kPump;
        if (s.head_m[n1.idx()] >= topo.tank_hmax[ut] - kHeadTol && !net.tanks.overflow[ut]) {
            if (pump) {
                if (net.to_node[k] == n1)
                    s.status[k] = LinkState::kTempClosed;
            } else if (cv_status(LinkState::kOpen, h, q) == LinkState::kClosed) {
                s.status[k] = LinkState::kTempClosed;
            }
        }
        if (s.head_m[n1.idx()] <= topo.tank_hmin[ut] + kHeadTol) {
            if (pump) {
                if (net.from_node[k] == n1)
                    s.status[k] = LinkState::kTempClosed;
            } else if (cv_status(LinkState::kClosed, h, q) == LinkState::kOpen) {
                s.status[k] = LinkState::kTempClosed;
            }
        }
    }

    /// CVs, pumps, FCVs and links to tanks (EPANET's linkstatus()); true if any changed. Only
    /// HydraulicTopology::status_links are looked at: the checks do nothing to an open or closed
    /// pipe between two junctions.
    bool link_status() {
        bool change = false;
        for (const std::int32_t link : topo.status_links) {
            const auto k = static_cast<std::size_t>(link);
            const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
            const double dh = s.head_m[n1.idx()] - s.head_m[n2.idx()];
            const LinkState old = s.status[k];
            if (old == LinkState::kXHead || old == LinkState::kTempClosed)
                s.status[k] = LinkState::kOpen;
            const auto kind = net.link_kind[k];
            if (kind == LinkKind::kCvPipe)
                s.status[k] = cv_status(s.status[k], dh, s.flow_m3s[k]);
            if (kind == LinkKind::kPump && s.status[k] >= LinkState::kOpen && s.setting[k] > 0.0) {
                const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
                const double hmax =
                    topo.pump_curve[p] == HydraulicTopology::PumpCurve::kConstantPower
                        ? 1e10
                        : s.setting[k] * s.setting[k] * topo.pump_hmax[p];
                if (-dh > hmax + kHeadTol)
                    s.status[k] = LinkState::kXHead;
                else
                    s.status[k] = LinkState::kOpen;
            }
            if (kind == LinkKind::kValve && !missing(s.setting[k]) &&
                net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])] ==
                    ValveKind::kFcv) {
                LinkState st = old;
                if (dh < -kHeadTol)
                    st = LinkState::kXFcv;
                else if (s.flow_m3s[k] < -kFlowTol)
                    st = LinkState::kXFcv;
                else if (old == LinkState::kXFcv && s.flow_m3s[k] >= s.setting[k])
                    st = LinkState::kActive;
                s.status[k] = st;
            }
            if (!junction(n1) || !junction(n2))
                tank_status(k);
            change = change || old != s.status[k];
        }
        return change;
    }

    /// Simple controls on junction pressure, checked at convergence (EPANET's pswitch()).
    bool pressure_switch() {
        bool any = false;
        for (const Control& c : net.controls) {
            if (!c.link.valid() || !c.enabled || !c.node.valid() || !junction(c.node))
                continue;
            if (c.type != Control::Type::kLowLevel && c.type != Control::Type::kHighLevel)
                continue;
            const double grade = elev(c.node) + c.level;
            const double h = s.head_m[c.node.idx()];
            const bool reset = (c.type == Control::Type::kLowLevel && h <= grade + kHeadTol) ||
                               (c.type == Control::Type::kHighLevel && h >= grade - kHeadTol);
            if (!reset)
                continue;
            const std::size_t k = c.link.idx();
            LinkState target;
            double target_setting;
            control_target(net, c.link, c.status, c.setting, target, target_setting);
            bool change = false;
            const auto kind = net.link_kind[k];
            if (kind == LinkKind::kPipe || kind == LinkKind::kCvPipe) {
                change = s.status[k] != target;
            } else if (kind == LinkKind::kPump) {
                change = s.setting[k] != target_setting;
            } else {
                const bool sm = missing(s.setting[k]), tm = missing(target_setting);
                if (sm != tm || (!sm && s.setting[k] != target_setting))
                    change = true;
                else if (sm && s.status[k] != target)
                    change = true;
            }
            if (change) {
                s.status[k] = target;
                if (kind != LinkKind::kPipe && kind != LinkKind::kCvPipe)
                    s.setting[k] = target_setting;
                any = true;
            }
        }
        return any;
    }

    // Flow update ------------------------------------------------------------------------------

    /// Newton update of link, emitter and demand flows (Todini & Pilati 1988, the gradient
    /// method's flow correction q ← q − (y − p·Δh), p = 1/g, y = h(q)/g); returns Σ|Δq| / Σ|q|.
    double new_flows(double relax) {
        double qsum = 0, dqsum = 0;
        double dqmax = 0;
        const auto nn = static_cast<std::size_t>(net.node_count());
        for (const std::int32_t i : topo.fixed_nodes)
            s.node_demand[static_cast<std::size_t>(i)] = 0;
        // The plain pipes (matrix_coeffs classified them), then the other links. On large
        // networks the plain pipes' changes are computed side by side and summed after, in the
        // same order.
        const double* const head = s.head_m.data();
        const double* const pv = s.p_.data();
        const double* const yv = s.y_.data();
        double* const flow = s.flow_m3s.data();
        const auto change = [&](const HydraulicState::PlainLink& l) {
            const auto k = static_cast<std::size_t>(l.link);
            const double dh =
                head[static_cast<std::size_t>(l.from)] - head[static_cast<std::size_t>(l.to)];
            const double dq = (yv[k] - pv[k] * dh) * relax;
            flow[k] -= dq;
            return dq;
        };
        const std::size_t plain = s.plain_links_.size();
        if (chunked()) {
            // Blocks of kLinkChunk pipes fixed by the count alone, each block's sums kept apart
            // and added in block order: the same sums whatever thread ran which block.
            const std::size_t blocks = (plain + kLinkChunk - 1) / kLinkChunk;
            s.plain_change_.assign(3 * blocks, 0.0);
            parallel_for(blocks, [&](std::size_t bl) {
                const std::size_t b = bl * kLinkChunk, e = std::min(plain, b + kLinkChunk);
                double q = 0, d = 0, m = 0;
                for (std::size_t i = b; i < e; ++i) {
                    const double dq = std::fabs(change(s.plain_links_[i]));
                    q += std::fabs(s.flow_m3s[static_cast<std::size_t>(s.plain_links_[i].link)]);
                    d += dq;
                    m = std::max(m, dq);
                }
                s.plain_change_[3 * bl] = q;
                s.plain_change_[3 * bl + 1] = d;
                s.plain_change_[3 * bl + 2] = m;
            });
            for (std::size_t bl = 0; bl < blocks; ++bl) {
                qsum += s.plain_change_[3 * bl];
                dqsum += s.plain_change_[3 * bl + 1];
                dqmax = std::max(dqmax, s.plain_change_[3 * bl + 2]);
            }
        } else {
            for (const HydraulicState::PlainLink& l : s.plain_links_) {
                const double dq = change(l);
                qsum += std::fabs(flow[static_cast<std::size_t>(l.link)]);
                dqsum += std::fabs(dq);
                dqmax = std::max(dqmax, std::fabs(dq));
            }
        }
        // The trees' pipes, left out of the system: the flow the elimination gives each is
        // the demand beyond it (the step's exact continuity), relaxed as every other flow.
        // Once a full step has set them (tree_settled_) they stay: Δq = 0, Σ|q| the demands'.
        if (reduced() && tree_settled_) {
            qsum += tree_qsum_;
            if (!tree_before_settled_) { // this update started from the demands' flows
                for (std::size_t t = 0; t < topo.tree_pipes.size(); ++t)
                    s.tree_flow_before_[t] =
                        topo.tree_pipes[t].out ? s.tree_flow_[t] : -s.tree_flow_[t];
                tree_before_settled_ = true;
            }
        } else if (reduced()) {
            tree_qsum_ = 0;
            for (std::size_t t = 0; t < topo.tree_pipes.size(); ++t) {
                const TreePipe& tp = topo.tree_pipes[t];
                const auto k = static_cast<std::size_t>(tp.link);
                const double target = tp.out ? s.tree_flow_[t] : -s.tree_flow_[t];
                const double before = flow[k];
                s.tree_flow_before_[t] = before;
                const double dq = (before - target) * relax;
                flow[k] = relax == 1.0 ? target : before - dq;
                qsum += std::fabs(flow[k]);
                tree_qsum_ += std::fabs(target);
                dqsum += std::fabs(dq);
                dqmax = std::max(dqmax, std::fabs(dq));
            }
            tree_settled_ = relax == 1.0;
            tree_before_settled_ = false;
        }
        for (const std::int32_t link : s.other_links_) {
            const auto k = static_cast<std::size_t>(link);
            const NodeIndex n1 = net.from_node[k], n2 = net.to_node[k];
            if (!link_in_system(k) || (is_closed(s.status[k]) && !leak)) {
                s.flow_m3s[k] = 0;
                continue;
            }
            const double dh = s.head_m[n1.idx()] - s.head_m[n2.idx()];
            double dq = (s.y_[k] - s.p_[k] * dh) * relax;
            if (net.link_kind[k] == LinkKind::kPump) {
                const auto p = static_cast<std::size_t>(net.pump_of_link[k]);
                if (topo.pump_curve[p] == HydraulicTopology::PumpCurve::kConstantPower &&
                    dq > s.flow_m3s[k])
                    dq = s.flow_m3s[k] / 2.0;
            }
            s.flow_m3s[k] -= dq;
            qsum += std::fabs(s.flow_m3s[k]);
            dqsum += std::fabs(dq);
            dqmax = std::max(dqmax, std::fabs(dq));
            if (!is_closed(s.status[k])) {
                if (!junction(n1))
                    s.node_demand[n1.idx()] -= s.flow_m3s[k];
                if (!junction(n2))
                    s.node_demand[n2.idx()] += s.flow_m3s[k];
            }
        }
        for (std::size_t i = 0; i < (node_flows_ ? nn : 0); ++i) {
            if (topo.row[i] < 0 || s.cut_off[i])
                continue;
            if (net.emitter_coefficient[i] > 0) {
                double hloss = 0, hgrad = 0;
                emitter_head_loss(i, hloss, hgrad);
                const double dh = s.head_m[i] - net.elevation_m[i];
                const double dq = (hloss - dh) / hgrad * relax;
                s.emitter_flow[i] -= dq;
                qsum += std::fabs(s.emitter_flow[i]);
                dqsum += std::fabs(dq);
                dqmax = std::max(dqmax, std::fabs(dq));
            }
            if (pda && s.node_demand[i] > 0) {
                double hloss = 0, hgrad = 0;
                demand_head_loss(i, hloss, hgrad);
                const double dh = s.head_m[i] - net.elevation_m[i] - pmin;
                const double dq = (hloss - dh) / hgrad * relax;
                s.demand_flow[i] -= dq;
                qsum += std::fabs(s.demand_flow[i]);
                dqsum += std::fabs(dq);
                dqmax = std::max(dqmax, std::fabs(dq));
            }
        }
        // Pipe leakage after the demands, as EPANET 2.3 (newleakageflows): one flow per junction.
        if (topo.has_leakage)
            for (std::size_t i = 0; i < nn; ++i) {
                double hfa = 0, gfa = 0, hva = 0, gva = 0;
                if (topo.row[i] < 0 || s.cut_off[i] || !leak_terms(i, hfa, gfa, hva, gva))
                    continue;
                const double p = s.head_m[i] - net.elevation_m[i];
                double dq = 0;
                if (gfa > 0) {
                    const double d = (hfa - p) / gfa * relax;
                    s.leak_fa_flow[i] -= d;
                    dq += d;
                }
                if (gva > 0) {
                    const double d = (hva - p) / gva * relax;
                    s.leak_va_flow[i] -= d;
                    dq += d;
                }
                qsum += std::fabs(s.leak_fa_flow[i] + s.leak_va_flow[i]);
                dqsum += std::fabs(dq);
                dqmax = std::max(dqmax, std::fabs(dq));
            }
        max_flow_change_ = dqmax;
        // EPANET compares Σ|q| (cfs) with ACCURACY before dividing.
        if (qsum / kCfs > accuracy_)
            return dqsum / qsum;
        return dqsum / kCfs;
    }

    bool pda_converged() const {
        const double tol = 0.001 * kCfs;
        for (std::size_t i = 0; i < static_cast<std::size_t>(net.node_count()); ++i) {
            if (topo.row[i] < 0 || s.cut_off[i] || s.node_demand[i] <= 0)
                continue;
            if (s.demand_flow[i] < -tol)
                return false;
            if (s.demand_flow[i] > tol &&
                s.head_m[i] - net.elevation_m[i] - pmin < -tol * kGradient)
                return false;
        }
        return true;
    }

    /// Assembles, factorises and solves once; false if the matrix was not positive definite
    /// (then `bad_row` is the junction row). `refine`: check the solve's backward error and
    /// refine it where needed (NumericCholesky::solve_refined); false solves once and leaves
    /// the check to be asked for (NumericCholesky::refinement_needed).
    bool newton_step(std::int32_t& bad_node, bool refine = true) {
        classify_links(); // which system: every junction, or the core without the trees
        NumericCholesky& numeric = sys_numeric();
        const SymbolicCholesky& symbolic = sys_symbolic();
        auto& ax = numeric.values();
        matrix_coeffs(ax);
        const std::int32_t bad = numeric.factor(symbolic);
        factored_reduced_ = reduced();
        if (bad >= 0) {
            bad_node = bad;
            return false;
        }
        // The held valves' columns first (the last solve stays the one a refinement check
        // asks about).
        held_z_.resize(held_.size());
        for (std::size_t b = 0; b < held_.size(); ++b)
            numeric.solve_unit(symbolic, held_[b].other_row, held_z_[b]);
        if (refine)
            numeric.solve_refined(symbolic, s.f_);
        else
            numeric.solve_checkable(symbolic, s.f_);
        if (!held_.empty())
            solve_held_valves(ax, s.f_);
        const std::vector<std::size_t>& nodes = sys_node_of_row();
        for (std::size_t r = 0; r < nodes.size(); ++r)
            s.head_m[nodes[r]] = s.f_[r];
        set_pruned_heads();
        return true;
    }

    /// Per tree pipe, the demand beyond it (s.tree_flow_, from its parent to its child), from
    /// the junctions' demands of this solve; and its flow before the first update.
    void tree_pipe_flows() {
        tree_settled_ = false;
        if (topo.tree_pipes.empty())
            return;
        for (const TreePipe& t : topo.tree_pipes)
            s.tree_sum_[static_cast<std::size_t>(t.child)] =
                s.demand_flow[static_cast<std::size_t>(t.child)];
        for (std::size_t t = 0; t < topo.tree_pipes.size(); ++t) { // leaves first
            const TreePipe& tp = topo.tree_pipes[t];
            const double q = s.tree_sum_[static_cast<std::size_t>(tp.child)];
            s.tree_flow_[t] = q;
            if (!tp.root)
                s.tree_sum_[static_cast<std::size_t>(tp.parent)] += q;
            s.tree_flow_before_[t] = s.flow_m3s[static_cast<std::size_t>(tp.link)];
        }
    }

    /// Head loss and gradient of open pipe k at flow q, by the network's formula.
    [[nodiscard]] HeadLoss pipe_head_loss_at(std::size_t k, double q) const {
        const auto formula = net.options.headloss;
        return formula == HeadLossFormula::kDarcyWeisbach
                   ? pipe_head_loss(formula, topo.resistance[k], topo.minor[k], q,
                                    net.diameter_m[k], net.roughness[k], topo.viscosity_m2s)
               : formula == HeadLossFormula::kHazenWilliams
                   ? power_law_head_loss(1.852, topo.resistance[k], topo.minor[k], q)
                   : power_law_head_loss(2.0, topo.resistance[k], topo.minor[k], q, std::fabs(q));
    }

    /// The heads of the trees' junctions while the trees are left out of the system, root
    /// first: the Newton step's own (what solving the whole system gives), the head at the
    /// parent less the pipe's head loss linearised at its flow before the last update,
    /// h(q₀) + g(q₀)·(q − q₀) with q the demand beyond it.
    void set_tree_heads() {
        if (!reduced())
            return;
        const bool hazen_williams = net.options.headloss == HeadLossFormula::kHazenWilliams;
        const std::size_t count = topo.tree_pipes.size();
        if (hazen_williams) // |q|^0.852 of them all at once
            flow_powers(s.tree_flow_before_.data(), s.tree_power_.data(), count, 1.852 - 1.0);
        for (std::size_t t = count; t-- > 0;) {
            const TreePipe& tp = topo.tree_pipes[t];
            const auto k = static_cast<std::size_t>(tp.link);
            const double before = s.tree_flow_before_[t];
            const double target = tp.out ? s.tree_flow_[t] : -s.tree_flow_[t];
            const HeadLoss hl = hazen_williams
                                    ? power_law_head_loss(1.852, topo.resistance[k], topo.minor[k],
                                                          before, s.tree_power_[t])
                                    : pipe_head_loss_at(k, before);
            const double dh = hl.h + hl.g * (target - before); // head at from − head at to
            const double parent = s.head_m[static_cast<std::size_t>(tp.parent)];
            s.head_m[static_cast<std::size_t>(tp.child)] = tp.out ? parent - dh : parent + dh;
        }
    }

    /// An active control valve next to the failing row is switched open (EPANET's badvalve()).
    /// Where no valve touches that row, the first active one (in valve order) touching the
    /// failing row's zone is: the junctions reached from it through the links that enter the
    /// matrix (conducting, not an active valve), none of them holding a fixed head. Such a zone
    /// hangs on its valves alone (a PSV or FCV feeding a dead end whose other links are closed),
    /// its matrix block is singular, and which of its rows meets the zero pivot depends on the
    /// elimination order alone (EPANET's, AMD's or the peel's), not on where the valve is.
    bool bad_valve(std::int32_t row) {
        const auto open_valve = [&](std::size_t v) {
            const std::size_t k = net.valves.link[v].idx();
            const auto kind = net.valves.kind[v];
            if ((kind == ValveKind::kPrv || kind == ValveKind::kPsv || kind == ValveKind::kFcv) &&
                s.status[k] == LinkState::kActive) {
                s.status[k] = kind == ValveKind::kFcv ? LinkState::kXFcv : LinkState::kXPressure;
                return true;
            }
            return false;
        };
        for (std::int32_t v = 0; v < net.valves.count(); ++v) {
            const std::size_t k = net.valves.link[static_cast<std::size_t>(v)].idx();
            const std::int32_t r1 = sys_row()[net.from_node[k].idx()];
            const std::int32_t r2 = sys_row()[net.to_node[k].idx()];
            if (row == r1 || row == r2)
                return open_valve(static_cast<std::size_t>(v));
        }
        const auto nn = static_cast<std::size_t>(net.node_count());
        std::vector<std::uint8_t> in_zone(nn, 0);
        std::vector<std::int32_t> queue{
            static_cast<std::int32_t>(sys_node_of_row()[static_cast<std::size_t>(row)])};
        in_zone[static_cast<std::size_t>(queue[0])] = 1;
        const CsrGraph& g = topo.adjacency;
        for (std::size_t h = 0; h < queue.size(); ++h) {
            const auto nb = g.neighbours(queue[h]);
            const auto arcs = g.arcs(queue[h]);
            for (std::size_t a = 0; a < nb.size(); ++a) {
                const auto w = static_cast<std::size_t>(nb[a]);
                const auto k = static_cast<std::size_t>(arcs[a]);
                if (in_zone[w] || !link_carries_flow(k) ||
                    (net.link_kind[k] == LinkKind::kValve && s.status[k] == LinkState::kActive))
                    continue;
                if (topo.row[w] < 0)
                    return false; // a fixed head: not a zone hanging on its valves
                in_zone[w] = 1;
                queue.push_back(static_cast<std::int32_t>(w));
            }
        }
        for (std::int32_t v = 0; v < net.valves.count(); ++v) {
            const std::size_t k = net.valves.link[static_cast<std::size_t>(v)].idx();
            if ((in_zone[net.from_node[k].idx()] || in_zone[net.to_node[k].idx()]) &&
                open_valve(static_cast<std::size_t>(v)))
                return true;
        }
        return false;
    }

    /// Whether link k's flow enters the continuity equations as assembled last.
    [[nodiscard]] bool link_carries_flow(std::size_t k) const {
        return link_in_system(k) && (!is_closed(s.status[k]) || leak);
    }

    /// What one projection leaves (round-off of its solve, and at the other node of an active
    /// PRV or PSV the part of the held node's correction its valve took up), when it is below
    /// 1e-9 of the junctions' gross outflow `gross`: each supplied junction's imbalance above
    /// a hundredth of the projections' tolerance is sent along the spanning forest of
    /// find_cut_off() towards the fixed-head nodes, into the flow of the link each junction on
    /// the way was reached by. A flow change of that size is far below any head loss the
    /// solve resolves, and continuity is exact in one pass instead of after a projection per
    /// step of its linear convergence (BWSN_Network_2: four or five solves per hydraulic step
    /// before). Larger imbalances are left to the projections, which spread them by the
    /// network's conductances. The round-off the projection leaves elsewhere (below 1e-15 of
    /// `gross` at every junction but the valve's on BWSN_Network_2) stays where it is: walking
    /// only the paths of the few junctions above it (kSparsePushJunctions at most; more, and
    /// the whole forest is swept leaves first), saves ~4 % of a BWSN_Network_2 run.
    void push_along_tree(double gross) {
        const auto nn = static_cast<std::size_t>(net.node_count());
        auto& ex = s.xflow_;
        const double scale = std::max(gross, 1e-9);
        const double floor = 0.01 * kContinuityTolerance * scale;
        double worst = 0;
        std::size_t above = 0;
        for (std::size_t i = 0; i < nn; ++i)
            if (topo.row[i] >= 0 && !s.cut_off[i]) {
                worst = std::max(worst, std::fabs(ex[i]));
                above += std::fabs(ex[i]) > floor ? 1 : 0;
            }
        // nothing to send (already at the projections' own threshold), or too much
        if (worst <= kContinuityTolerance * scale || worst > kTreePushLimit * scale)
            return;
        // One step: junction u's whole imbalance (its own and what came up to it) into the link
        // it was reached by; the node above it, or -1 where u cannot send it on.
        const auto step = [&](std::size_t u) -> std::int64_t {
            const std::int32_t link = s.tree_link_[u];
            if (topo.row[u] < 0 || s.cut_off[u] || link < 0 ||
                !link_carries_flow(static_cast<std::size_t>(link)))
                return -1;
            const auto k = static_cast<std::size_t>(link);
            const bool out_of_u = net.from_node[k].idx() == u;
            const std::size_t other = out_of_u ? net.to_node[k].idx() : net.from_node[k].idx();
            const double e = ex[u];
            s.flow_m3s[k] += out_of_u ? e : -e;
            ex[u] = 0.0;
            ex[other] += e;
            return static_cast<std::int64_t>(other);
        };
        if (above > kSparsePushJunctions) { // the whole forest, leaves first
            for (auto it = s.tree_order_.rbegin(); it != s.tree_order_.rend(); ++it)
                if (ex[static_cast<std::size_t>(*it)] != 0.0)
                    step(static_cast<std::size_t>(*it));
            return;
        }
        for (std::size_t i0 = 0; i0 < nn; ++i0) {
            if (!(std::fabs(ex[i0]) > floor))
                continue;
            for (std::int64_t u = static_cast<std::int64_t>(i0); u >= 0;)
                u = step(static_cast<std::size_t>(u));
        }
    }

    /// Restores exact continuity after the last Newton step. Flows in links at EPANET's
    /// smallest gradient (1/p up to 1e7 cfs/ft) are p·Δh, so round-off in the heads leaves node
    /// imbalances of ~1e-8 m³/s. One more solve with the last factor, A·δh = imbalance, and the
    /// flow changes p·(δh₁ − δh₂) remove them (a projection onto the continuity constraints).
    /// One projection of the flows onto continuity, if any supplied junction's imbalance is
    /// above 1e-13 of the junctions' gross outflow (1e-9 m³/s at least); returns whether an
    /// imbalance above that is left after it (false when none was there to correct).
    bool project_continuity() {
        const auto nn = static_cast<std::size_t>(net.node_count());
        auto& ex = s.xflow_;
        classify_links();
        // The junctions in node order (rows are numbered in node order), and what they draw.
        const std::size_t* const junctions = topo.node_of_row.data();
        const std::size_t rows = topo.node_of_row.size();
        const std::uint8_t* const cut_off = s.cut_off.data();
        const auto drawn = [&](std::size_t i) {
            return s.demand_flow[i] + s.emitter_flow[i] + leakage(i);
        };
        auto excess = [&]() {
            std::fill(ex.begin(), ex.end(), 0.0);
            double* const e = ex.data();
            const double* const flow = s.flow_m3s.data();
            for (const HydraulicState::PlainLink& l : s.plain_links_) {
                const double q = flow[static_cast<std::size_t>(l.link)];
                e[static_cast<std::size_t>(l.from)] -= q;
                e[static_cast<std::size_t>(l.to)] += q;
            }
            for (const std::int32_t link : s.other_links_) {
                const auto k = static_cast<std::size_t>(link);
                if (!link_carries_flow(k))
                    continue;
                e[net.from_node[k].idx()] -= flow[k];
                e[net.to_node[k].idx()] += flow[k];
            }
            if (reduced())
                for (const TreePipe& t : topo.tree_pipes) {
                    const double q = flow[static_cast<std::size_t>(t.link)];
                    e[static_cast<std::size_t>(t.out ? t.parent : t.child)] -= q;
                    e[static_cast<std::size_t>(t.out ? t.child : t.parent)] += q;
                }
            for (std::size_t r = 0; r < rows; ++r) {
                const std::size_t i = junctions[r];
                if (!cut_off[i])
                    e[i] -= drawn(i);
            }
        };
        excess();
        // Active PRVs and PSVs carry whatever their held node needs.
        auto balance_held_nodes = [&]() {
            for (std::int32_t v = 0; v < net.valves.count(); ++v) {
                const std::size_t k = net.valves.link[static_cast<std::size_t>(v)].idx();
                if (!pressure_valve_active(k) || !link_in_system(k))
                    continue;
                const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
                const bool prv = net.valves.kind[static_cast<std::size_t>(v)] == ValveKind::kPrv;
                const std::size_t held = prv ? n2 : n1;
                if (topo.row[held] < 0)
                    continue;
                const double d = prv ? -ex[n2] : ex[n1];
                s.flow_m3s[k] += d;
                ex[n1] -= d;
                ex[n2] += d;
            }
        };
        double worst = 0, gross = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = junctions[r];
            if (!cut_off[i]) {
                worst = std::max(worst, std::fabs(ex[i]));
                gross += std::fabs(drawn(i));
            }
        }
        if (worst <= kContinuityTolerance * std::max(gross, 1e-9) || reduced() != factored_reduced_)
            return false;
        balance_held_nodes();
        // The solve is the last factor's: over the core alone while the trees are left out
        // (their imbalances are round-off: their flows are the demands beyond them).
        const std::vector<std::size_t>& sys_nodes = sys_node_of_row();
        for (std::size_t r = 0; r < sys_nodes.size(); ++r) {
            const std::size_t i = sys_nodes[r];
            s.f_[r] = cut_off[i] ? 0.0 : ex[i];
        }
        sys_numeric().solve(sys_symbolic(), s.f_);
        const std::vector<std::int32_t>& sys_rows = sys_row();
        auto dh = [&](std::size_t n) {
            const std::int32_t r = sys_rows[n];
            return r < 0 || s.cut_off[n] ? 0.0 : s.f_[static_cast<std::size_t>(r)];
        };
        {
            double* const flow = s.flow_m3s.data();
            const double* const pv = s.p_.data();
            const double* const dhr = s.f_.data();
            for (const HydraulicState::PlainLink& l : s.plain_links_) {
                const auto k = static_cast<std::size_t>(l.link);
                flow[k] += pv[k] * (dhr[static_cast<std::size_t>(l.row_from)] -
                                    dhr[static_cast<std::size_t>(l.row_to)]);
            }
        }
        for (const std::int32_t link : s.other_links_) {
            const auto k = static_cast<std::size_t>(link);
            if (!link_carries_flow(k) || s.p_[k] == 0.0 || pressure_valve_active(k))
                continue;
            s.flow_m3s[k] += s.p_[k] * (dh(net.from_node[k].idx()) - dh(net.to_node[k].idx()));
        }
        for (std::size_t i = 0; i < (node_flows_ || topo.has_leakage ? nn : 0); ++i) {
            if (topo.row[i] < 0 || s.cut_off[i])
                continue;
            if (net.emitter_coefficient[i] > 0) {
                double hloss = 0, hgrad = 0;
                emitter_head_loss(i, hloss, hgrad);
                s.emitter_flow[i] += dh(i) / hgrad;
            }
            if (pda && s.node_demand[i] > 0) {
                double hloss = 0, hgrad = 0;
                demand_head_loss(i, hloss, hgrad);
                s.demand_flow[i] += dh(i) / hgrad;
            }
            double hfa = 0, gfa = 0, hva = 0, gva = 0;
            if (topo.has_leakage && leak_terms(i, hfa, gfa, hva, gva)) {
                if (gfa > 0)
                    s.leak_fa_flow[i] += dh(i) / gfa;
                if (gva > 0)
                    s.leak_va_flow[i] += dh(i) / gva;
            }
        }
        // The corrections move a held node by its small share of the solve (its CBIG against
        // its pipes' conductances): its valve takes up what that leaves, exactly, and the next
        // projection corrects the valve's other node.
        excess();
        balance_held_nodes();
        push_along_tree(gross);
        // Net inflows of tanks and reservoirs from the corrected flows.
        for (const std::int32_t i : topo.fixed_nodes)
            s.node_demand[static_cast<std::size_t>(i)] = 0;
        for (const std::int32_t link : s.other_links_) { // plain pipes join two junctions
            const auto k = static_cast<std::size_t>(link);
            if (!link_in_system(k) || is_closed(s.status[k]))
                continue;
            const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
            if (topo.row[n1] < 0)
                s.node_demand[n1] -= s.flow_m3s[k];
            if (topo.row[n2] < 0)
                s.node_demand[n2] += s.flow_m3s[k];
        }
        // Whether another projection is needed, from the imbalances the corrections left (ex
        // follows every flow change above), without summing the links again.
        double left = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = junctions[r];
            if (!cut_off[i])
                left = std::max(left, std::fabs(ex[i]));
        }
        return left > kContinuityTolerance * std::max(gross, 1e-9);
    }

    /// EPANET's largest head-loss error (checkhydbalance in hydsolver.c): over the open links
    /// of the system, |H₁ − H₂ − h(q)| with h the link's head loss at its updated flow (active
    /// PRV, PSV and FCV, which have no head-loss law, left out). Leaves the link coefficients
    /// the flow update used as they were.
    double max_head_error() {
        set_tree_heads();
        double worst = 0;
        const bool hazen_williams = net.options.headloss == HeadLossFormula::kHazenWilliams;
        for (std::size_t k = 0; k < static_cast<std::size_t>(net.link_count()); ++k) {
            if (!link_in_system(k) || is_closed(s.status[k]))
                continue;
            const std::size_t n1 = net.from_node[k].idx(), n2 = net.to_node[k].idx();
            const double p = s.p_[k], y = s.y_[k], power = s.power_[k];
            if (hazen_williams)
                flow_powers(&s.flow_m3s[k], &s.power_[k], 1, 1.852 - 1.0);
            link_coeff(k);
            if (s.p_[k] != 0.0)
                worst = std::max(worst, std::fabs(s.head_m[n1] - s.head_m[n2] - s.y_[k] / s.p_[k]));
            s.p_[k] = p;
            s.y_[k] = y;
            s.power_[k] = power;
        }
        return worst;
    }

    /// The largest flow change of the last flow update (link, emitter, pressure-driven demand
    /// or leakage flow; EPANET's maxflowchange).
    double max_flow_change_ = 0;
    /// Whether the last factorisation was of the core without the trees.
    bool factored_reduced_ = false;
    /// While the trees are left out: whether a full (unrelaxed) update has set their pipes'
    /// flows to the demands beyond them, Σ|q| of those flows, and whether the flows before the
    /// last update (s.tree_flow_before_) are those too.
    bool tree_settled_ = false, tree_before_settled_ = false;
    double tree_qsum_ = 0;
    double accuracy_ = 0.001;
};

} // namespace

void control_target(const Network& net, LinkIndex link, const std::optional<LinkStatus>& status,
                    double setting, LinkState& target, double& target_setting) {
    const std::size_t k = link.idx();
    const auto kind = net.link_kind[k];
    const bool gpv =
        kind == LinkKind::kValve &&
        net.valves.kind[static_cast<std::size_t>(net.valve_of_link[k])] == ValveKind::kGpv;
    if (status) {
        const bool open = *status != LinkStatus::kClosed;
        target = open ? LinkState::kOpen : LinkState::kClosed;
        if (kind == LinkKind::kPump)
            target_setting = open ? 1.0 : 0.0;
        else if (gpv)
            target_setting = 0.0;
        else
            target_setting = kNaN;
        if (*status == LinkStatus::kActive && kind == LinkKind::kValve) {
            target = LinkState::kActive;
            target_setting = net.valves.setting[static_cast<std::size_t>(net.valve_of_link[k])];
        }
        return;
    }
    target_setting = setting;
    if (kind == LinkKind::kPump)
        target = setting > 0 ? LinkState::kOpen : LinkState::kClosed;
    else if (kind == LinkKind::kValve)
        target = LinkState::kActive;
    else
        target = setting > 0 ? LinkState::kOpen : LinkState::kClosed;
}

HydraulicSummary solve_hydraulics(const Network& net, const HydraulicTopology& topo,
                                  HydraulicState& s, const HydraulicOptions& options) {
    Solver sv{net, topo, s};
    sv.pda = net.options.demand_model == DemandModel::kPda;
    sv.pmin = net.options.minimum_pressure_m;
    sv.preq = net.options.required_pressure_m;
    sv.pexp = net.options.pressure_exponent;
    sv.qexp = 1.0 / net.options.emitter_exponent;
    sv.leak = options.closed_link_leakage;
    sv.no_backflow = options.emitter_no_backflow;
    sv.node_flows_ =
        sv.pda || std::any_of(net.emitter_coefficient.begin(), net.emitter_coefficient.end(),
                              [](double c) { return c > 0; });
    sv.parallel_links = options.parallel_links;
    sv.eliminate_trees = options.eliminate_trees;
    // Networks with more PRVs and PSVs than kMaxHeldValves keep the lag throughout (a solve
    // that switched between the two as valves go active and open found a cycle of statuses
    // on a damaged ky9, 57 PRVs).
    sv.implicit_valves =
        options.implicit_pressure_valves &&
        std::count_if(net.valves.kind.begin(), net.valves.kind.end(), [](ValveKind k) {
            return k == ValveKind::kPrv || k == ValveKind::kPsv;
        }) <= static_cast<std::ptrdiff_t>(Solver::kMaxHeldValves);
    sv.trees_plain_ =
        std::none_of(topo.tree_pipes.begin(), topo.tree_pipes.end(), [&](const TreePipe& t) {
            return net.emitter_coefficient[static_cast<std::size_t>(t.child)] > 0;
        });
    const double hacc = options.accuracy > 0 ? options.accuracy : net.options.accuracy;
    sv.accuracy_ = hacc;
    const int max_iter = options.max_trials > 0 ? options.max_trials : net.options.trials;
    const int check_freq = net.options.check_freq > 0 ? net.options.check_freq : 2;
    const int max_check = net.options.max_check;
    const double damp_limit = net.options.damp_limit;
    const double head_error = net.options.head_error_m;
    const double flow_change = net.options.flow_change_m3s;
    const int extra = net.options.unbalanced_continue ? net.options.unbalanced_trials : 0;

    HydraulicSummary out;
    const auto nn = static_cast<std::size_t>(net.node_count());
    for (std::size_t i = 0; i < nn; ++i)
        if (topo.row[i] >= 0)
            s.demand_flow[i] = s.node_demand[i];
    // Pipe leakage starts again from EPANET's 0.001 cfs where a cut-off zone left it at zero
    // (the variable-area law's gradient is infinite there).
    if (topo.has_leakage)
        for (std::size_t i = 0; i < nn; ++i) {
            if (topo.leak_c_fa[i] > 0 && s.leak_fa_flow[i] == 0.0)
                s.leak_fa_flow[i] = 0.001 * topo.cfs_m3s;
            if (topo.leak_c_va[i] > 0 && s.leak_va_flow[i] == 0.0)
                s.leak_va_flow[i] = 0.001 * topo.cfs_m3s;
        }
    // Flows a link left out during this solve takes back if it rejoins
    // (restore_rejoining_flows()); links left out by an earlier solve start at their 0, as on a
    // fresh state (a solve depends only on the state it starts from).
    std::copy(s.flow_m3s.begin(), s.flow_m3s.end(), s.rejoin_flow_.begin());
    out.cut_off_nodes = sv.refresh_cut_off();
    sv.tree_pipe_flows();

    int nextcheck = check_freq;
    double relax = 1.0;
    double relerr = 0;
    int iter = 1;
    const int maxtrials = max_iter + (extra > 0 ? extra : 0);
    bool converged = false;
    double last_relax = 1.0; ///< relaxation of the last main-loop flow update
    int main_stalled = 0;
    double previous_relerr = std::numeric_limits<double>::infinity();
    double before_last = previous_relerr; ///< relerr of the step before the last one
    int last_change = 0;                  ///< iteration after which statuses last changed
    while (iter <= maxtrials) {
        std::int32_t bad = -1;
        // The solve's refinement check (a residual, 5–10 % of an iteration) is left to the
        // last step of the solve, main loop or polish (below; followed by a refined step if its
        // solve needed refinement): the gradient method's matrices are diagonally dominant
        // M-matrices, whose Cholesky solves have not needed refinement on any network tested,
        // and before the last step an unrefined solve would only cost Newton round-off.
        if (!sv.newton_step(bad, false)) {
            if (sv.bad_valve(bad)) {
                last_change = iter;
                out.cut_off_nodes = sv.update_cut_off(out.cut_off_nodes);
                continue;
            }
            out.message = "matrix not positive definite at node '" +
                          net.node_id[sv.sys_node_of_row()[static_cast<std::size_t>(bad)]] + "'";
            break;
        }
        relerr = sv.new_flows(relax);
        last_relax = relax;
        relax = 1.0;
        bool valve_change = false;
        if (damp_limit > 0) {
            if (relerr <= damp_limit) {
                relax = 0.6;
                valve_change = sv.valve_status();
            }
        } else {
            valve_change = sv.valve_status();
        }
        // An ACCURACY below what double precision allows (flows at EPANET's smallest gradient
        // carry round-off of ~1e-7 relative) is met once the error stops falling below 1e-6.
        main_stalled = relerr <= 1e-6 && relerr > 0.5 * previous_relerr ? main_stalled + 1 : 0;
        before_last = previous_relerr;
        previous_relerr = relerr;
        // HEADERROR and FLOWCHANGE, where the file sets them, as EPANET's hasconverged(): the
        // largest head-loss error and flow change once ACCURACY is met.
        const bool ok =
            (relerr <= hacc || main_stalled >= 4) &&
            (flow_change <= 0 || main_stalled >= 4 || sv.max_flow_change_ <= flow_change) &&
            (head_error <= 0 || main_stalled >= 4 || sv.max_head_error() <= head_error) &&
            sv.leakage_converged() && (!sv.pda || sv.pda_converged());
        if (ok) {
            if (iter > max_iter) {
                converged = true;
                break;
            }
            bool change = valve_change;
            if (sv.link_status())
                change = true;
            if (sv.pressure_switch())
                change = true;
            if (!change) {
                converged = true;
                break;
            }
            last_change = iter;
            nextcheck = iter + check_freq;
        } else {
            if (valve_change)
                last_change = iter;
            if (iter <= max_check && iter == nextcheck) {
                if (sv.link_status())
                    last_change = iter;
                nextcheck += check_freq;
            }
        }
        out.cut_off_nodes = sv.update_cut_off(out.cut_off_nodes);
        ++iter;
    }
    out.iterations = std::min(iter, maxtrials);
    // Polish at fixed statuses: EPANET's stopping rule leaves errors of up to a few mm.
    bool factor_valid = converged;
    int stalled = 0;
    // No polish when the last main-loop step, a full Newton step, moved the flows by less than
    // kSettled (EPS steps whose demands barely changed): the state it started from was that
    // close to the solution, and the step leaves an error of the order of the square of it. Nor
    // when the last two steps, at the same statuses, contracted enough to leave an error below
    // polish_accuracy (error_left): the step that would show it is not taken.
    // Nor when it ended within twice the round-off floor an earlier polish of this state stopped
    // on (networks whose valves conduct 1e5–1e6 times more than their pipes: every flow carries
    // ~1e-6 of noise from the heads' last bits, PacificCity's polish stalled there at every step
    // and doubled the iterations).
    const bool same_statuses = last_change < iter - 1;
    const bool polished =
        last_relax == 1.0 &&
        (relerr <= std::max(options.polish_accuracy, kSettled) ||
         (same_statuses && error_left(relerr, before_last) <= options.polish_accuracy) ||
         relerr <= 2.0 * s.polish_floor_);
    if (converged && options.polish_accuracy > 0 && !polished) {
        for (int t = 0; t < options.polish_trials; ++t) {
            std::int32_t bad = -1;
            if (!sv.newton_step(bad, false)) {
                factor_valid = false;
                break;
            }
            const double previous = relerr;
            relerr = sv.new_flows(1.0);
            ++out.iterations;
            if (relerr <= options.polish_accuracy ||
                error_left(relerr, previous) <= options.polish_accuracy ||
                relerr <= 2.0 * s.polish_floor_)
                break;
            // Flows crossing EPANET's small-gradient switch can keep Newton from settling
            // below ~1e-6; stop once it no longer improves. Below kRoundOffFloor a step that does
            // not halve the change is at the round-off floor (Newton would square it): stop.
            stalled = relerr > 0.5 * previous ? stalled + 1 : 0;
            if (stalled >= 3 || (stalled > 0 && relerr <= kRoundOffFloor)) {
                if (relerr <= kRoundOffFloor)
                    s.polish_floor_ = relerr;
                break;
            }
        }
    }
    // The last step's solve (main loop or polish) in need of refinement: one refined step
    // more, at the same statuses (what refining it at once would have given, to within that
    // step).
    if (factor_valid && sv.sys_numeric().refinement_needed(sv.sys_symbolic())) {
        std::int32_t bad = -1;
        if (sv.newton_step(bad)) {
            relerr = sv.new_flows(1.0);
            ++out.iterations;
        } else {
            factor_valid = false;
        }
    }
    if (converged && factor_valid) {
        // Repeated while it leaves an imbalance above its tolerance, up to 40 times (a solve
        // with the same factor each; the first call also checks the Newton steps' own): where a
        // zone hangs on a link 1e14 times weaker than its neighbours (a pump at zero flow behind
        // damage) the first projection's own round-off leaves imbalances of up to 1e-5 of the
        // supply (ky10's worst 1.1e-5 → 5.9e-6 with a second, Net6's 3.8e-9 → 2.4e-15); at the
        // outlet of an active PRV whose pipe conducts nearly as much as the valve's CBIG, each
        // projection leaves part of the held node's correction behind (ky10 damage state 1210
        // at 24 h: 6.9e-6 of supply after two).
        for (int pass = 0; pass < 40 && sv.project_continuity(); ++pass) {
        }
    }
    // The trees' heads, while they are left out of the system, from the last step's flows.
    if (sv.factored_reduced_ && sv.reduced())
        sv.set_tree_heads();
    out.trees_left_out = sv.factored_reduced_;
    out.converged = converged;
    out.relative_error = relerr;
    if (!converged && out.message.empty())
        out.message = "no convergence in " + std::to_string(maxtrials) + " trials";
    // Reported demands: junctions delivered demand + emitter outflow + pipe leakage (EPANET 2.3).
    for (std::size_t i = 0; i < nn; ++i) {
        if (topo.row[i] < 0)
            continue;
        if (s.cut_off[i]) {
            s.demand_flow[i] = 0;
            s.emitter_flow[i] = 0;
            s.leak_fa_flow[i] = 0;
            s.leak_va_flow[i] = 0;
        }
        s.node_demand[i] =
            s.demand_flow[i] + s.emitter_flow[i] + s.leak_fa_flow[i] + s.leak_va_flow[i];
    }
    if (out.cut_off_nodes > 0 && out.message.empty()) {
        out.message = std::to_string(out.cut_off_nodes) +
                      " junction(s) cut off from every source by closed links (or reached only "
                      "against pumps and check valves), no supply there:";
        int listed = 0;
        for (std::size_t i = 0; i < nn && listed < 5; ++i)
            if (s.cut_off[i]) {
                out.message += " '" + net.node_id[i] + "'";
                ++listed;
            }
        if (out.cut_off_nodes > listed)
            out.message += " ...";
    }
    return out;
}

} // namespace rencheng::water
