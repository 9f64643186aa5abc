// Dynamic wave routing (SWMM 5.2 Reference Manual Vol. II, ch. 4): link momentum with damped
// inertial terms solved explicitly per Picard trial, node continuity with EXTRAN surcharge or a
// Preissmann slot, under-relaxation between trials and a Courant-limited variable step.
#include <algorithm>
#include <cmath>

#include "core/fixed_power.hpp"
#include "drainage/culvert.hpp"
#include "drainage/routing.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {
constexpr double kOmega = 0.5; // under-relaxation between Picard trials
constexpr double kFudgeVolume = 0.0001 * kFoot * kFoot * kFoot;

double sgn(double x) {
    return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
}

/// Crown cutoff of the Preissmann slot (SWMM dynwave.c SLOT_CROWN_CUTOFF).
constexpr double kSlotCrownCutoff = 0.985257;

/// Width of the Preissmann slot of a closed section at depth y (SURCHARGE_METHOD SLOT): none
/// below the crown cutoff, Sjoberg's w = 0.5423·W·exp(−(y/y_full)^2.4) up to 1.78 times the
/// full depth, 1 % of the widest width above (SWMM dwflow.c getSlotWidth).
double slot_width(const CrossSection& xs, double y) {
    const double y_norm = y / xs.y_full_m();
    if (y_norm < kSlotCrownCutoff)
        return 0.0;
    if (y_norm > 1.78)
        return 0.01 * xs.w_max_m();
    return xs.w_max_m() * 0.5423 * std::exp(-std::pow(y_norm, 2.4));
}

// The friction term's R^1.33333 (SWMM dwflow.c's exponent) and Manning's R^(2/3), evaluated
// once per conduit and trial: tabulated powers instead of std::pow (core/fixed_power.hpp).
const FixedPower kFrictionPower(1.33333);
const FixedPower kManningPower(2.0 / 3.0);
} // namespace

FlowClass FlowRouter::dw_flow_class(int j, double q, double h1, double h2, double y1, double y2,
                                    double& yc, double& yn, double& fasnh) const {
    const auto& l = links_[j];
    double z1 = l.offset1, z2 = l.offset2;
    if (nodes_[l.n1].kind == NodeKind::kOutfall)
        z1 = std::max(0.0, z1 - nodes_[l.n1].depth);
    if (nodes_[l.n2].kind == NodeKind::kOutfall)
        z2 = std::max(0.0, z2 - nodes_[l.n2].depth);
    FlowClass fc = FlowClass::kSubcritical;
    fasnh = 1.0;
    if (y1 > kFudgeLength && y2 > kFudgeLength) {
        // a full end at the offset side is at or above both the normal and the critical depth
        // (neither exceeds full): subcritical without looking them up
        const double yfull = l.xs.y_full_m();
        if (q < 0) {
            if (z1 > 0 && y1 < yfull) {
                yn = normal_depth(l, q);
                yc = critical_depth(l, q);
                if (y1 < std::min(yn, yc))
                    fc = FlowClass::kUpCritical;
            }
        } else if (z2 > 0 && y2 < yfull) {
            yn = normal_depth(l, q);
            yc = critical_depth(l, q);
            const double lo = std::min(yn, yc), hi = std::max(yn, yc);
            if (y2 < lo)
                fc = FlowClass::kDnCritical;
            else if (y2 < hi)
                fasnh = hi - lo < kFudgeLength ? 0.0 : (hi - y2) / (hi - lo);
        }
    } else if (y1 <= kFudgeLength && y2 <= kFudgeLength) {
        fc = FlowClass::kDry;
    } else if (y2 > kFudgeLength) {
        if (h2 < nodes_[l.n1].invert_m + l.offset1) {
            fc = FlowClass::kUpDry;
        } else if (z1 > 0) {
            yn = normal_depth(l, q);
            yc = critical_depth(l, q);
            fc = FlowClass::kUpCritical;
        }
    } else {
        if (h1 < nodes_[l.n2].invert_m + l.offset2) {
            fc = FlowClass::kDnDry;
        } else if (z2 > 0) {
            yn = normal_depth(l, q);
            yc = critical_depth(l, q);
            fc = FlowClass::kDnCritical;
        }
    }
    return fc;
}

void FlowRouter::dw_surface_area(int j, double q, double length, double& h1, double& h2, double& y1,
                                 double& y2, CrossSection::Geometry& g1, CrossSection::Geometry& g2,
                                 CrossSection::Geometry& g_mid) {
    auto& l = links_[j];
    const auto& xs = l.xs;
    double d1 = y1, d2 = y2;
    double yn = 0.5 * (d1 + d2), yc = yn, fasnh = 1.0;
    const double yfull = xs.y_full_m();
    if (d1 >= yfull && d2 >= yfull)
        l.flow_class = FlowClass::kSubcritical;
    else
        l.flow_class = dw_flow_class(j, q, h1, h2, y1, y2, yc, yn, fasnh);
    // the end depths the class settles on (at least kFudgeLength, at most full)
    switch (l.flow_class) {
    case FlowClass::kUpCritical:
        d1 = std::max(yn < yc ? yn : yc, kFudgeLength);
        h1 = nodes_[l.n1].invert_m + l.offset1 + d1;
        break;
    case FlowClass::kDnCritical:
        d2 = std::max(yn < yc ? yn : yc, kFudgeLength);
        h2 = nodes_[l.n2].invert_m + l.offset2 + d2;
        break;
    case FlowClass::kUpDry:
        d1 = kFudgeLength;
        break;
    case FlowClass::kDnDry:
        d2 = kFudgeLength;
        break;
    default:
        break;
    }
    // One geometry evaluation per depth serves both the surface areas here and the momentum
    // update (dm is the mid depth, never below kFudgeLength since d1 and d2 are not).
    // A full end takes the section's full values (what geometry(y_full) returns, without the
    // call), and equal end depths (a dry or a full conduit) share one evaluation.
    const double dm = 0.5 * (d1 + d2);
    // (a closed section's top width at full is 0)
    const CrossSection::Geometry full{xs.a_full_m2(), xs.r_full_m(),
                                      l.xs_closed ? 0.0 : xs.w_max_m()};
    // SLOT: a closed conduit above full adds the slot's area, (y − y_full)·slot width, to the full
    // area (SWMM getArea); its hydraulic radius stays the full one
    const bool slot = settings_.surcharge == SurchargeMethod::kSlot && l.xs_closed;
    auto geometry = [&](double y) {
        if (slot && y > yfull)
            return CrossSection::Geometry{full.area_m2 + (y - yfull) * slot_width(xs, y),
                                          full.hyd_radius_m, 0.0};
        return y == yfull ? full : xs.geometry(y);
    };
    g1 = geometry(d1);
    if (d2 == d1) {
        g2 = g1;
        g_mid = g1; // dm == d1
    } else {
        g2 = geometry(d2);
        g_mid = geometry(dm);
    }
    // top width, held at the crown cutoff in closed conduits (EXTRAN); a bracket around the
    // cutoff depth decides y / yfull >= crown_cutoff_ without dividing unless y is within 1e-12
    // of it (the same decision, bit for bit)
    const bool closed = l.xs_closed;
    const double y_cut = crown_cutoff_ * yfull;
    const double y_cut_lo = y_cut * (1.0 - 1e-12), y_cut_hi = y_cut * (1.0 + 1e-12);
    auto width = [&](double y, const CrossSection::Geometry& g) {
        if (closed && (y >= y_cut_hi || (y >= y_cut_lo && y / yfull >= crown_cutoff_))) {
            // SLOT: the slot's width from the cutoff up (SWMM getWidth)
            if (slot) {
                const double w = slot_width(xs, y);
                if (w > 0)
                    return w;
            }
            return l.crown_width_m;
        }
        return g.top_width_m;
    };
    double sa1 = 0, sa2 = 0;
    switch (l.flow_class) {
    case FlowClass::kSubcritical:
    case FlowClass::kSupercritical: {
        const double w1 = width(d1, g1), w2 = width(d2, g2), wm = width(dm, g_mid);
        sa1 = (w1 + wm) * length / 4.0;
        sa2 = (wm + w2) * length / 4.0 * fasnh;
        break;
    }
    case FlowClass::kUpCritical:
        sa2 = (width(dm, g_mid) + width(d2, g2)) * length * 0.5;
        break;
    case FlowClass::kDnCritical:
        sa1 = (width(d1, g1) + width(dm, g_mid)) * length * 0.5;
        break;
    case FlowClass::kUpDry: {
        const double w1 = width(d1, g1), w2 = width(d2, g2), wm = width(dm, g_mid);
        sa2 = (wm + w2) * length / 4.0;
        if (l.offset1 <= 0)
            sa1 = (w1 + wm) * length / 4.0;
        break;
    }
    case FlowClass::kDnDry: {
        const double w1 = width(d1, g1), w2 = width(d2, g2), wm = width(dm, g_mid);
        sa1 = (wm + w1) * length / 4.0;
        if (l.offset2 <= 0)
            sa2 = (w2 + wm) * length / 4.0;
        break;
    }
    case FlowClass::kDry:
        sa1 = sa2 = kFudgeLength * length / 2.0;
        break;
    }
    l.surf_area1 = sa1;
    l.surf_area2 = sa2;
    y1 = d1;
    y2 = d2;
}

void FlowRouter::dw_conduit_flow(int j, int steps, double omega, double dt) {
    auto& l = links_[j];
    l.loss_rate = 0;
    l.evap_rate = 0;
    const auto& xs = l.xs;
    const double barrels = l.barrels;
    const double q_old = l.old_flow / barrels;
    const double q_last = l.q1;
    const auto& a = nodes_[l.n1];
    const auto& b = nodes_[l.n2];
    const double z1 = a.invert_m + l.offset1, z2 = b.invert_m + l.offset2;
    double h1 = std::max(a.depth + a.invert_m, z1);
    double h2 = std::max(b.depth + b.invert_m, z2);
    const double yfull = xs.y_full_m();
    double y1 = std::max(h1 - z1, kFudgeLength);
    double y2 = std::max(h2 - z2, kFudgeLength);
    // EXTRAN caps the end depths at full; the Preissmann slot lets them rise in the slot
    if (settings_.surcharge != SurchargeMethod::kSlot) {
        y1 = std::min(y1, yfull);
        y2 = std::min(y2, yfull);
    }
    const double a_old = std::max(l.a2, kFudgeArea);
    const double length = l.mod_length_m;
    // with EXTRAN y1, y2 <= yfull here, where geometry() caps at the full values as SWMM does;
    // with SLOT a closed conduit above full adds the slot (dw_surface_area)
    CrossSection::Geometry g1, g2, g_mid;
    dw_surface_area(j, q_last, length, h1, h2, y1, y2, g1, g2, g_mid);
    const double y_mid = 0.5 * (y1 + y2);
    const double a1 = g1.area_m2, r1 = g1.hyd_radius_m, a2 = g2.area_m2;
    double a_mid = g_mid.area_m2;
    const double r_mid = g_mid.hyd_radius_m;
    const bool full = y1 >= yfull && y2 >= yfull;
    const bool closed = l.setting == 0;
    if (l.flow_class == FlowClass::kDry || l.flow_class == FlowClass::kUpDry ||
        l.flow_class == FlowClass::kDnDry || closed || a_mid <= kFudgeArea) {
        l.a1 = 0.5 * (a1 + a2);
        l.q1 = 0; // (q2 is the kinematic wave's; the dynamic wave never reads it)
        l.dqdh = kGravity * dt * a_mid / length * barrels;
        l.froude = 0;
        l.depth = std::min(y_mid, yfull);
        l.volume = l.a1 * l.length_m * barrels;
        l.flow = 0;
        return;
    }
    double v = q_last / a_mid;
    if (std::abs(v) > kMaxVelocity)
        v = kMaxVelocity * sgn(q_last);
    // Froude number on the hydraulic depth A/T (0 when full)
    double froude = 0;
    if (y_mid > kFudgeLength && !(l.xs_closed && yfull - y_mid <= kFudgeLength)) {
        const double hd = g_mid.area_m2 / g_mid.top_width_m;
        froude = std::abs(v) / std::sqrt(kGravity * hd);
    }
    l.froude = froude;
    if (l.flow_class == FlowClass::kSubcritical && froude > 1.0)
        l.flow_class = FlowClass::kSupercritical;
    // inertial damping: full terms below Fr 0.5, none above 1 (PARTIAL)
    double sigma = froude <= 0.5 ? 1.0 : (froude >= 1.0 ? 0.0 : 2.0 * (1.0 - froude));
    double rho = 1.0;
    if (!full && q_last > 0 && h1 >= h2)
        rho = sigma;
    const double a_wtd = a1 + (a_mid - a1) * rho;
    const double r_wtd = r1 + (r_mid - r1) * rho;
    if (settings_.damping == InertialDamping::kNone)
        sigma = 1.0;
    else if (settings_.damping == InertialDamping::kFull)
        sigma = 0.0;
    if (full && l.xs_closed)
        sigma = 0.0;
    // a full force main: Hazen-Williams or Darcy-Weisbach friction at the mid radius
    const double dq1 = full && l.force_main != 0
                           ? dt * force_main_friction(l, std::abs(v), r_mid)
                           : dt * l.rough_factor / kFrictionPower(r_wtd) * std::abs(v);
    const double dq2 = dt * kGravity * a_wtd * (h2 - h1) / length;
    double dq3 = 0, dq4 = 0;
    if (sigma > 0) {
        dq3 = 2.0 * v * (a_mid - a_old) * sigma;
        dq4 = dt * v * v * (a2 - a1) / length * sigma;
    }
    double dq5 = 0;
    if (l.has_losses) {
        const double qa = std::abs(q_last);
        double losses = 0;
        if (a1 > kFudgeArea)
            losses += l.loss_inlet * (qa / a1);
        if (a2 > kFudgeArea)
            losses += l.loss_outlet * (qa / a2);
        if (a_mid > kFudgeArea)
            losses += l.loss_avg * (qa / a_mid);
        dq5 = losses / 2.0 / length * dt;
    }
    // evaporation and seepage along the conduit (SWMM dwflow.c's sixth term)
    double dq6 = 0;
    if (l.seep_rate_ms > 0 || (evap_ms_ > 0 && !l.xs_closed))
        dq6 = conduit_loss_rate(j, true, q_last, dt) * 2.5 * dt * v / l.length_m;
    const double denom = 1.0 + dq1 + dq5;
    double q = (q_old - dq2 + dq3 + dq4 + dq6) / denom;
    l.dqdh = 1.0 / denom * kGravity * dt * a_wtd / length * barrels;
    l.normal_flow = false;
    bool inlet_control = false;
    // a culvert that is not full passes at most its inlet-controlled flow (SWMM dwflow.c); its
    // dq/dh then replaces the conduit's, per barrel as SWMM sets it
    const bool culvert = q > 0 && !full && l.culvert_code > 0;
    if (culvert) {
        if (const auto k = culvert_coefficients(l.culvert_code)) {
            const auto c = culvert_inlet_flow(*k, xs, l.slope, h1 - z1);
            if (c.flow_m3s < q) {
                q = c.flow_m3s;
                l.dqdh = c.dqdh;
                inlet_control = true;
            }
        }
    }
    if (!culvert && q > 0 && settings_.normal_flow_limited != NormalFlowLimited::kNone &&
        y1 < yfull &&
        (l.flow_class == FlowClass::kSubcritical || l.flow_class == FlowClass::kSupercritical)) {
        const bool has_outfall = a.kind == NodeKind::kOutfall || b.kind == NodeKind::kOutfall;
        const auto mode = settings_.normal_flow_limited;
        bool check = false;
        if ((mode == NormalFlowLimited::kSlope || mode == NormalFlowLimited::kBoth ||
             has_outfall) &&
            y1 < y2)
            check = true;
        if (!check && (mode == NormalFlowLimited::kFroude || mode == NormalFlowLimited::kBoth) &&
            !has_outfall && y1 > kFudgeLength && y2 > kFudgeLength) {
            const double hd1 = a1 / g1.top_width_m;
            if (std::abs(q / a1) / std::sqrt(kGravity * hd1) >= 1.0 && y1 < yfull)
                check = true;
        }
        if (check) {
            const double q_norm = l.beta * a1 * kManningPower(r1);
            if (q_norm < q) {
                l.normal_flow = true;
                q = q_norm;
            }
        }
    }
    if (steps > 0) {
        q = (1.0 - omega) * q_last + omega * q;
        if (q * q_last < 0)
            q = 0.001 * kCfs * sgn(q);
    }
    if (l.q_limit > 0 && std::abs(q) > l.q_limit)
        q = sgn(q) * l.q_limit;
    if (flap_blocks(l, q))
        q = 0;
    if (q > kFudgeFlow && a.depth <= kFudgeLength)
        q = kFudgeFlow;
    if (q < -kFudgeFlow && b.depth <= kFudgeLength)
        q = -kFudgeFlow;
    l.a1 = a_mid;
    l.q1 = q;
    l.full_state = static_cast<std::uint8_t>((y1 >= yfull ? 1 : 0) | (y2 >= yfull ? 2 : 0) |
                                             (inlet_control ? 4 : 0));
    l.depth = std::min(y_mid, yfull);
    a_mid = 0.5 * (a1 + a2);
    l.volume = a_mid * l.length_m * barrels;
    l.flow = q * barrels;
}

void FlowRouter::dw_non_conduit_flow(int j, int steps, double omega, double dt) {
    auto& l = links_[j];
    const double q_last = l.flow;
    l.dqdh = 0;
    double q = l.setting == 0 && l.kind != LinkKind::kPump ? 0.0 : regulator_flow(j);
    if (l.kind == LinkKind::kPump && q != 0) {
        const int n = l.n1;
        const auto& nd = nodes_[n];
        const auto curve = net_.pumps.curve[l.type_index];
        if (nd.kind == NodeKind::kStorage) {
            q = node_max_outflow(n, q, dt);
        } else if (curve.valid()) {
            const auto type = net_.curves[curve.idx()].type;
            if (type == CurveType::kPump1) {
                q = node_max_outflow(n, q, dt);
            } else {
                const double net_in = nd.inflow - nd.outflow - q;
                const double vol = 0.5 * (nd.old_net_inflow + net_in) * dt;
                const double y = nd.old_depth + vol / std::max(nd.surf_area, 1e-12);
                if (y <= 0)
                    q = nd.inflow;
            }
        }
    }
    l.surf_area1 = l.kind == LinkKind::kOrifice ? l.reg_surf_area / 2.0 : 0.0;
    l.surf_area2 = l.surf_area1;
    if (l.flow_class == FlowClass::kUpCritical || nodes_[l.n1].kind == NodeKind::kStorage)
        l.surf_area1 = 0;
    if (l.flow_class == FlowClass::kDnCritical || nodes_[l.n2].kind == NodeKind::kStorage)
        l.surf_area2 = 0;
    if (steps > 0 && l.kind != LinkKind::kPump) {
        q = (1.0 - omega) * q_last + omega * q;
        if (q * q_last < 0)
            q = 0.001 * kCfs * sgn(q);
    }
    l.flow = q;
}

namespace {

/// Adds a link's flow and its half surface areas (times its barrels) to the sums of its end
/// nodes, and its dQ/dH to the upstream node's (SWMM's updateNodeFlows; the downstream node's
/// dQ/dH depends on the link kind and is left to the caller).
inline void add_link_to_end_nodes(const LinkState& l, double barrels, NodeState& a, NodeState& b) {
    const double q = l.flow;
    if (q >= 0) {
        a.outflow += q;
        b.inflow += q;
    } else {
        a.inflow -= q;
        b.outflow -= q;
    }
    a.surf_area += l.surf_area1 * barrels;
    b.surf_area += l.surf_area2 * barrels;
    a.sumdqdh += l.dqdh;
    if (l.loss_rate > 0) {
        // a conduit's evaporation and seepage leave its end nodes, half each; an outfall end
        // takes no share (SWMM updateNodeFlows)
        const bool out1 = a.kind == NodeKind::kOutfall, out2 = b.kind == NodeKind::kOutfall;
        double loss = l.loss_rate * barrels;
        if (!out1 && !out2)
            loss /= 2.0;
        if (!out1)
            a.outflow += loss;
        if (!out2)
            b.outflow += loss;
    }
}

} // namespace

void FlowRouter::dw_update_node_flows(int j) {
    const auto& l = links_[j];
    auto& b = nodes_[l.n2];
    add_link_to_end_nodes(l, l.kind == LinkKind::kConduit ? l.barrels : 1, nodes_[l.n1], b);
    const bool type4 = l.kind == LinkKind::kPump && net_.pumps.curve[l.type_index].valid() &&
                       net_.curves[net_.pumps.curve[l.type_index].idx()].type == CurveType::kPump4;
    if (!type4)
        b.sumdqdh += l.dqdh;
}

void FlowRouter::dw_set_node_depth(int i, double dt, int steps, double omega) {
    auto& nd = nodes_[i];
    const bool can_pond = settings_.allow_ponding && nd.ponded_area_m2 > 0;
    const bool ponded = can_pond && nd.depth > nd.full_depth_m;
    const double y_crown = nd.crown_depth_m;
    const double y_old = nd.old_depth;
    const double y_last = nd.depth;
    nd.overflow = 0;
    const double surf_area = std::max(nd.surf_area, settings_.min_surface_area_m2);
    const double dq = nd.inflow - nd.outflow;
    const double dv = 0.5 * (nd.old_net_inflow + dq) * dt;
    bool surcharged;
    if (ponded || settings_.surcharge == SurchargeMethod::kSlot)
        surcharged = false; // the slot's surface area carries a surcharged node (SLOT)
    else if (nd.kind == NodeKind::kStorage)
        surcharged = nd.sur_depth_m > 0 && y_last > nd.full_depth_m;
    else
        surcharged = y_crown > 0 && y_last > y_crown;
    double y_new;
    if (!surcharged) {
        y_new = y_old + dv / surf_area;
        if (!ponded)
            nd.old_surf_area = surf_area;
        if (steps > 0)
            y_new = (1.0 - omega) * y_last + omega * y_new;
        if (ponded && y_new < nd.full_depth_m)
            y_new = nd.full_depth_m - kFudgeLength;
    } else {
        // EXTRAN surcharge: head change from the flow imbalance over Σ dQ/dH, blended with the
        // surface-area form just above the crown
        double denom = nd.sumdqdh;
        if (y_last < 1.25 * y_crown) {
            const double f = (y_last - y_crown) / y_crown;
            denom += (nd.old_surf_area / dt - nd.sumdqdh) * std::exp(-15.0 * f);
        }
        // a surcharged node that no link flows into is damped (SWMM: corr 0.6)
        const double corr = (nd.degree > 0 && !nd.has_inflow_link) ? 0.6 : 1.0;
        const double dy = denom == 0 ? 0.0 : corr * dq / denom;
        y_new = y_last + dy;
        if (y_new < y_crown)
            y_new = y_crown - kFudgeLength;
        if (can_pond && y_new > nd.full_depth_m)
            y_new = nd.full_depth_m + kFudgeLength;
    }
    y_new = std::max(y_new, 0.0);
    double y_max = nd.full_depth_m;
    if (!can_pond)
        y_max += nd.sur_depth_m;
    if (y_new > y_max) {
        if (!can_pond) {
            nd.overflow = dv / dt;
            nd.volume = nd.full_volume_m3;
            y_new = y_max;
        } else {
            nd.volume = std::max(nd.old_volume + dv, nd.full_volume_m3);
            nd.overflow = (nd.volume - std::max(nd.old_volume, nd.full_volume_m3)) / dt;
        }
        if (nd.overflow < kFudgeFlow)
            nd.overflow = 0;
    } else if (nd.kind != NodeKind::kStorage) {
        // node_volume of a manhole, inline
        nd.volume = nd.full_depth_m > 0 ? nd.full_volume_m3 * (y_new / nd.full_depth_m) : 0.0;
    } else {
        nd.volume = node_volume(i, y_new);
    }
    nd.dydt = std::abs(y_new - y_old) / dt;
    nd.depth = y_new;
}

bool FlowRouter::dw_node_depths(double t_s, double dt, int steps, double omega) {
    set_outfall_depths(t_s);
    bool all = true;
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
        auto& nd = nodes_[i];
        if (nd.kind == NodeKind::kOutfall)
            continue;
        const double y_old = nd.depth;
        dw_set_node_depth(i, dt, steps, omega);
        nd.converged = std::abs(y_old - nd.depth) <= settings_.head_tolerance_m;
        all = all && nd.converged;
    }
    return all;
}

int FlowRouter::dynwave_step(double t_s, double dt) {
    const double t_end = t_s + dt;
    for (auto& nd : nodes_) {
        nd.converged = false;
        nd.dydt = 0;
    }
    for (auto& l : links_) {
        l.surf_area1 = l.surf_area2 = 0;
        if (l.kind == LinkKind::kConduit)
            l.a2 = l.a1;
    }
    int steps = 0;
    bool converged = false;
    const double omega = kOmega;
    while (steps < settings_.max_trials) {
        for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
            auto& nd = nodes_[i];
            double area = 0;
            if (nd.kind == NodeKind::kStorage)
                area = storage_area(i, std::min(nd.depth, nd.full_depth_m));
            if (settings_.allow_ponding && nd.ponded_area_m2 > 0 && nd.depth > nd.full_depth_m)
                area = nd.ponded_area_m2;
            nd.surf_area = area;
            nd.inflow = 0;
            nd.outflow = nd.losses;
            if (nd.lat_flow >= 0)
                nd.inflow += nd.lat_flow;
            else
                nd.outflow -= nd.lat_flow;
            nd.sumdqdh = 0;
        }
        // A conduit's flow reads only its end nodes' depths, never the sums being formed, so
        // each conduit is added to its nodes' sums right away (same order, same sums as two
        // passes, one walk over the conduits instead of two).
        // From the third trial on, a link whose end nodes both converged in the trial before
        // keeps its flow (SWMM's bypassed links); the nodes' flags change only in
        // dw_node_depths, after the link passes, so the links read them here.
        const bool may_bypass = steps >= 2;
        for (const int j : dw_conduits_) {
            const auto& l = links_[j];
            auto& a = nodes_[l.n1];
            auto& b = nodes_[l.n2];
            if (!(may_bypass && a.converged && b.converged))
                dw_conduit_flow(j, steps, omega, dt);
            // dw_update_node_flows of a conduit (no pump curve to look at)
            add_link_to_end_nodes(l, l.barrels, a, b);
            b.sumdqdh += l.dqdh;
        }
        for (const int j : dw_others_) {
            auto& l = links_[j];
            if (!(may_bypass && nodes_[l.n1].converged && nodes_[l.n2].converged)) {
                if (l.kind == LinkKind::kConduit) // dummy conduit passes its inflow
                    l.flow = nodes_[l.n1].inflow;
                else
                    dw_non_conduit_flow(j, steps, omega, dt);
            }
            dw_update_node_flows(j);
        }
        converged = dw_node_depths(t_end, dt, steps, omega);
        ++steps;
        if (steps > 1 && converged)
            break;
    }
    last_converged_ = converged;
    return steps;
}

double FlowRouter::dw_variable_step(double max_step) {
    double t_link = max_step;
    int min_link = -1, min_node = -1;
    for (int j = 0; j < static_cast<int>(links_.size()); ++j) {
        const auto& l = links_[j];
        if (l.kind != LinkKind::kConduit)
            continue;
        const double q = std::abs(l.flow) / l.barrels;
        if (q <= kFudgeFlow || l.a1 <= kFudgeArea || l.froude <= 0.01)
            continue;
        double t = l.volume / l.barrels / q;
        t *= l.mod_length_m / l.length_m;
        t *= l.froude / (1.0 + l.froude) * settings_.courant_factor;
        if (t < t_link) {
            t_link = t;
            min_link = j;
        }
    }
    double t_node = t_link;
    for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
        const auto& nd = nodes_[n];
        if (nd.kind == NodeKind::kOutfall || nd.depth <= kFudgeLength ||
            nd.depth + kFudgeLength >= nd.crown_depth_m)
            continue;
        const double max_depth = nd.crown_depth_m * 0.25;
        if (max_depth < kFudgeLength || nd.dydt < kFudgeLength)
            continue;
        if (max_depth / nd.dydt < t_node) {
            t_node = max_depth / nd.dydt;
            min_node = n;
        }
    }
    // the element that set the step (SWMM's time-step critical count: the node where it
    // shortened the links' step, else the link)
    critical_node_ = min_node;
    critical_link_ = min_node >= 0 ? -1 : min_link;
    (void)kFudgeVolume;
    return std::max(std::min(t_link, t_node), settings_.min_step_s);
}

} // namespace rencheng::drainage
