// Kinematic wave routing (SWMM 5.2 Reference Manual Vol. II, ch. 3): each conduit solves the
// continuity equation with Manning normal flow on a four-point implicit grid, links taken
// upstream to downstream; nodes hold no water except storage units.
#include <algorithm>
#include <cmath>

#include "drainage/routing.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {
constexpr double kWx = 0.6;            // distance weighting of the grid
constexpr double kWt = 0.6;            // time weighting
constexpr double kStorageOmega = 0.55; // under-relaxation of storage depth
constexpr int kStorageMaxIter = 10;
constexpr double kStorageStopTol = 0.005 * kFoot;
constexpr double kTiny = 1e-6;
} // namespace

double FlowRouter::node_outflow_to(int n, int j) const {
    const auto& nd = nodes_[n];
    if (nd.kind == NodeKind::kDivider)
        return divider_outflow(n, j);
    if (nd.kind == NodeKind::kStorage) {
        // a conduit leaving a storage unit carries normal flow at the unit's depth
        const auto& l = links_[j];
        if (l.kind != LinkKind::kConduit)
            return 0;
        const double y = nd.depth - l.offset1;
        if (y <= 0)
            return 0;
        if (y >= l.xs.y_full_m())
            return l.q_full;
        return l.beta * l.xs.section_factor(l.xs.area_m2(y));
    }
    return nd.inflow + nd.overflow;
}

double FlowRouter::kw_link_inflow(int j, double dt) {
    auto& l = links_[j];
    const int n1 = l.n1;
    double q = 0;
    if (l.setting == 0) {
        q = 0;
    } else if (l.kind == LinkKind::kConduit) {
        q = node_outflow_to(n1, j);
        if (l.q_limit > 0)
            q = std::min(q, l.q_limit);
    } else if (l.kind == LinkKind::kPump || nodes_[n1].kind == NodeKind::kStorage) {
        q = regulator_flow(j);
    }
    return node_max_outflow(n1, q, dt);
}

void FlowRouter::kw_update_storage(int n, std::size_t pos, double dt) {
    auto& nd = nodes_[n];
    if (nd.kind != NodeKind::kStorage || nd.updated)
        return;
    const double v_fixed = nd.old_volume + 0.5 * (nd.old_net_inflow + nd.inflow - nd.outflow) * dt;
    double d1 = nd.depth;
    for (int iter = 1; iter < kStorageMaxIter; ++iter) {
        double out = 0;
        for (std::size_t k = pos; k < sorted_links_.size(); ++k) {
            const int m = sorted_links_[k];
            if (links_[m].n1 != n)
                break;
            out += kw_link_inflow(m, dt);
        }
        double v2 = std::max(0.0, v_fixed - 0.5 * out * dt);
        nd.overflow = 0;
        if (v2 > nd.full_volume_m3) {
            nd.overflow = (v2 - std::max(nd.old_volume, nd.full_volume_m3)) / dt;
            if (nd.overflow < kFudgeFlow)
                nd.overflow = 0;
            if (!settings_.allow_ponding || nd.ponded_area_m2 == 0)
                v2 = nd.full_volume_m3;
        }
        nd.volume = v2;
        double d2 = storage_depth(n, v2);
        nd.depth = d2;
        d2 = (1.0 - kStorageOmega) * d1 + kStorageOmega * d2;
        const bool stop = std::abs(d2 - d1) <= kStorageStopTol;
        d1 = d2;
        if (stop)
            break;
    }
    nd.updated = true;
}

double FlowRouter::kinwave_link(int j, double& qinflow, double dt) {
    auto& l = links_[j];
    if (l.kind != LinkKind::kConduit || l.xs.shape() == Shape::kDummy)
        return qinflow;
    const auto& xs = l.xs;
    const double q_full = l.q_full, a_full = xs.a_full_m2();
    const double beta1 = l.beta / q_full; // normalised: q = beta1·S(a)
    const double q1 = l.q1 / q_full, q2 = l.q2 / q_full;
    double qin = qinflow / l.barrels / q_full;
    // evaporation and seepage along the conduit, normalised (SWMM kinwave_execute's q3)
    const double q3 = l.seep_rate_ms > 0 || (evap_ms_ > 0 && !l.xs_closed)
                          ? conduit_loss_rate(j, false, qin * q_full, dt) / q_full
                          : (l.evap_rate = 0, l.loss_rate = 0);
    const double a1 = l.a1 / a_full, a2 = l.a2 / a_full;
    const double ain = qin >= 1.0 ? 1.0 : xs.area_of_section_factor_m2(qin / beta1) / a_full;
    double qout, aout;
    if (qin <= kTiny && q2 <= kTiny) {
        qout = 0;
        aout = 0;
    } else {
        // Continuity on the grid: C1·a + C2 + beta1·S(a) = 0 for the outlet area a.
        const double dxdt = l.length_m / dt * a_full / q_full;
        const double c1 = dxdt * kWt / kWx;
        double c2 = (1.0 - kWt) * (ain - a1) - kWt * a2;
        c2 = c2 * dxdt / kWx + (1.0 - kWx) / kWx * (q2 - q1) - qin;
        c2 += q3 / kWx;
        auto f = [&](double a) { return beta1 * xs.section_factor(a * a_full) + c1 * a + c2; };
        auto df = [&](double a) {
            return beta1 * a_full * xs.section_factor_derivative(a * a_full) + c1;
        };
        double a_hi = 1.0, f_hi = 1.0 + c1 + c2;
        double a_lo = xs.a_max_m2() / a_full, f_lo;
        f_lo = a_lo < a_hi ? beta1 * xs.s_max() + c1 * a_lo + c2 : f_hi;
        if (f_hi * f_lo > 0) { // root on the rising branch [0, a_max]
            a_hi = a_lo;
            f_hi = f_lo;
            a_lo = 0;
            f_lo = c2;
        }
        if (f_hi * f_lo <= 0) {
            if (f_lo > f_hi)
                std::swap(a_lo, a_hi);
            double a = a2;
            const double lo = std::min(a_lo, a_hi), hi = std::max(a_lo, a_hi);
            if (a < lo || a > hi)
                a = 0.5 * (lo + hi);
            // safeguarded Newton: f(a_lo) <= 0 <= f(a_hi)
            double xl = a_lo, xh = a_hi;
            for (int it = 0; it < 60; ++it) {
                const double fa = f(a);
                if (std::abs(fa) < 1e-12)
                    break;
                if (fa < 0)
                    xl = a;
                else
                    xh = a;
                const double d = df(a);
                double next = d != 0 ? a - fa / d : 0.5 * (xl + xh);
                if (!(next > std::min(xl, xh) && next < std::max(xl, xh)))
                    next = 0.5 * (xl + xh);
                if (std::abs(next - a) < 1e-10) {
                    a = next;
                    break;
                }
                a = next;
            }
            aout = a;
        } else if (f_lo < 0) {
            aout = qin > 1.0 ? ain : 1.0;
        } else {
            aout = 0;
        }
        qout = beta1 * xs.section_factor(aout * a_full);
        if (qin > 1.0)
            qin = 1.0;
    }
    l.q1 = qin * q_full;
    l.a1 = ain * a_full;
    l.q2 = qout * q_full;
    l.a2 = aout * a_full;
    qinflow = l.q1 * l.barrels;
    return l.q2 * l.barrels;
}

double FlowRouter::steady_link(int j, double& qinflow, double dt) {
    auto& l = links_[j];
    if (l.kind != LinkKind::kConduit)
        return qinflow;
    double q = qinflow / l.barrels;
    l.loss_rate = 0;
    l.evap_rate = 0;
    if (l.xs.shape() == Shape::kDummy) {
        l.a1 = 0;
    } else {
        // evaporation and seepage taken off the flow (SWMM steadyflow_execute)
        if (l.seep_rate_ms > 0 || (evap_ms_ > 0 && !l.xs_closed))
            q -= conduit_loss_rate(j, false, q, dt);
        if (q > l.q_full) {
            q = l.q_full;
            l.a1 = l.xs.a_full_m2();
            qinflow = q * l.barrels;
        } else {
            l.a1 = l.xs.area_of_section_factor_m2(q / l.beta);
        }
    }
    l.a2 = l.a1;
    l.q1 = q;
    l.q2 = q;
    return q * l.barrels;
}

int FlowRouter::kinwave_step(double /*t_s*/, double dt) {
    for (std::size_t i = 0; i < sorted_links_.size(); ++i) {
        const int j = sorted_links_[i];
        auto& l = links_[j];
        if (nodes_[l.n1].kind == NodeKind::kStorage)
            kw_update_storage(l.n1, i, dt);
        double qin = kw_link_inflow(j, dt);
        const double qout = settings_.model == FlowRouting::kSteady ? steady_link(j, qin, dt)
                                                                    : kinwave_link(j, qin, dt);
        l.flow = qout;
        nodes_[l.n1].outflow += qin;
        nodes_[l.n2].inflow += qout;
    }
    // new node states
    for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
        auto& nd = nodes_[n];
        if (nd.kind == NodeKind::kStorage) {
            if (!nd.updated)
                kw_update_storage(n, sorted_links_.size(), dt);
            continue;
        }
        const double net = nd.inflow - nd.outflow - nd.losses;
        nd.volume = nd.old_volume + net * dt;
        if (nd.volume < kFudgeArea * kFoot)
            nd.volume = 0;
        nd.overflow = 0;
        const bool can_pond = settings_.allow_ponding && nd.ponded_area_m2 > 0;
        if (nd.volume > nd.full_volume_m3) {
            nd.overflow = (nd.volume - std::max(nd.old_volume, nd.full_volume_m3)) / dt;
            if (nd.overflow < kFudgeFlow)
                nd.overflow = 0;
            if (!can_pond)
                nd.volume = nd.full_volume_m3;
        }
        nd.depth = 0;
    }
    // new link states; node depths follow the conduit end depths
    auto raise = [&](int n, double y) {
        auto& nd = nodes_[n];
        if (nd.kind == NodeKind::kStorage)
            return;
        if (nd.kind != NodeKind::kOutfall && nd.degree > 0 && nd.overflow > 0)
            y = nd.full_depth_m;
        if (nd.depth < y) {
            nd.depth = y;
            if (nd.full_depth_m > 0 && y > nd.full_depth_m)
                nd.depth = nd.full_depth_m;
        }
    };
    for (auto& l : links_) {
        l.depth = 0;
        l.volume = 0;
        if (l.kind != LinkKind::kConduit)
            continue;
        l.volume = 0.5 * (l.a1 + l.a2) * l.length_m * l.barrels;
        const double y1 = l.xs.depth_of_area_m(l.a1), y2 = l.xs.depth_of_area_m(l.a2);
        l.depth = 0.5 * (y1 + y2);
        raise(l.n1, y1 + l.offset1);
        raise(l.n2, y2 + l.offset2);
    }
    return 1;
}

} // namespace rencheng::drainage
