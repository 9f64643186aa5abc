// Non-linear reservoir runoff of a subcatchment's three sub-areas (SWMM 5.2 Reference Manual
// Vol. I, §3.2–3.4).
#include "drainage/runoff.hpp"

#include <algorithm>
#include <cmath>

#include "core/fixed_power.hpp"

namespace rencheng::drainage {
namespace {

/// Manning's d^(5/3) of the ponded depth above depression storage, six times per Runge-Kutta
/// step of every sub-area: tabulated (core/fixed_power.hpp) instead of std::pow.
const FixedPower kManningPower(5.0 / 3.0);
/// Relative accuracy of the ponded-depth integration (SWMM's ODETOL).
constexpr double kOdeTolerance = 1e-4;
/// Ponded depth above depression storage below which no runoff is produced (SWMM ZERO, 1e-10 ft).
constexpr double kZeroDepth = 1e-10 * 0.3048;

/// dd/dt = i − alpha·(d − ds)^(5/3) for d > ds (Manual eq. 3-6).
double depth_rate(double d, double inflow, double alpha, double ds) {
    const double x = d - ds;
    return inflow - (x > 0 ? alpha * kManningPower(x) : 0.0);
}

/// Integrates the ponded depth over `t` seconds with embedded Runge-Kutta 4(5) steps (Cash & Karp
/// 1990 coefficients) and step-size control on the relative error.
double integrate_depth(double d, double t, double inflow, double alpha, double ds) {
    constexpr double a2 = 0.2, a3 = 0.3, a4 = 0.6, a6 = 0.875; // stage times (a5 = 1)
    (void)a2, (void)a3, (void)a4, (void)a6;                    // the ODE is autonomous
    constexpr double b21 = 0.2, b31 = 3.0 / 40, b32 = 9.0 / 40, b41 = 0.3, b42 = -0.9, b43 = 1.2;
    constexpr double b51 = -11.0 / 54, b52 = 2.5, b53 = -70.0 / 27, b54 = 35.0 / 27;
    constexpr double b61 = 1631.0 / 55296, b62 = 175.0 / 512, b63 = 575.0 / 13824,
                     b64 = 44275.0 / 110592, b65 = 253.0 / 4096;
    constexpr double c1 = 37.0 / 378, c3 = 250.0 / 621, c4 = 125.0 / 594, c6 = 512.0 / 1771;
    constexpr double e1 = c1 - 2825.0 / 27648, e3 = c3 - 18575.0 / 48384, e4 = c4 - 13525.0 / 55296,
                     e5 = -277.0 / 14336, e6 = c6 - 0.25;
    auto f = [&](double y) { return depth_rate(y, inflow, alpha, ds); };
    double x = 0, h = t;
    for (int steps = 0; steps < 10000 && x < t; ++steps) {
        const double k1 = f(d);
        const double scale = std::abs(d) + std::abs(k1 * h) + 1e-30;
        if (x + h > t)
            h = t - x;
        for (;;) {
            const double k2 = f(d + h * b21 * k1);
            const double k3 = f(d + h * (b31 * k1 + b32 * k2));
            const double k4 = f(d + h * (b41 * k1 + b42 * k2 + b43 * k3));
            const double k5 = f(d + h * (b51 * k1 + b52 * k2 + b53 * k3 + b54 * k4));
            const double k6 = f(d + h * (b61 * k1 + b62 * k2 + b63 * k3 + b64 * k4 + b65 * k5));
            const double next = d + h * (c1 * k1 + c3 * k3 + c4 * k4 + c6 * k6);
            const double err = h * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6);
            const double errmax = std::abs(err / scale) / kOdeTolerance;
            if (errmax <= 1.0 || h < 1e-6) {
                x += h;
                d = next;
                h = errmax > 1.89e-4 ? 0.9 * h * std::pow(errmax, -0.2) : 5.0 * h;
                break;
            }
            h = std::max(0.9 * h * std::pow(errmax, -0.25), 0.1 * h);
        }
    }
    return d;
}

} // namespace

double swmm_overland_manning() {
    static const double k = 1.49 * std::cbrt(0.3048);
    return k;
}

double overland_alpha(double width_m, double area_m2, double slope, double n) {
    if (area_m2 <= 0 || n <= 0)
        return 0;
    return swmm_overland_manning() * width_m / area_m2 * std::sqrt(slope) / n;
}

SubcatchmentRunoff::SubcatchmentRunoff(const SubcatchmentParams& p)
    : area_m2_(p.area_m2), imperv_fraction_(p.imperv_fraction), route_to_(p.route_to),
      infil_(p.has_infiltration ? InfiltrationState(p.infiltration) : InfiltrationState()) {
    const double fi = std::clamp(p.imperv_fraction, 0.0, 1.0);
    sub_[0].n = sub_[1].n = p.n_imperv;
    sub_[2].n = p.n_perv;
    sub_[0].dstore_m = 0;
    sub_[1].dstore_m = p.dstore_imperv_m;
    sub_[2].dstore_m = p.dstore_perv_m;
    sub_[0].area_fraction = fi * p.zero_dstore_fraction;
    sub_[1].area_fraction = fi * (1.0 - p.zero_dstore_fraction);
    sub_[2].area_fraction = 1.0 - fi;
    // Both impervious sub-areas spread the width over the whole impervious area (SWMM 5.2).
    const double imperv_area = fi * p.area_m2, perv_area = (1.0 - fi) * p.area_m2;
    sub_[0].alpha = overland_alpha(p.width_m, imperv_area, p.slope, p.n_imperv);
    sub_[1].alpha = sub_[0].alpha;
    sub_[2].alpha = overland_alpha(p.width_m, perv_area, p.slope, p.n_perv);
    // Routing between sub-areas only exists when both kinds of surface do.
    if (fi == 0.0 || fi == 1.0)
        route_to_ = SubareaRouting::kOutlet;
    if (route_to_ == SubareaRouting::kImpervious)
        sub_[2].outlet_fraction = 1.0 - p.routed_fraction;
    if (route_to_ == SubareaRouting::kPervious)
        sub_[0].outlet_fraction = sub_[1].outlet_fraction = 1.0 - p.routed_fraction;
}

double SubcatchmentRunoff::stored_m3() const {
    double d = 0;
    for (const auto& s : sub_)
        d += s.depth_m * s.area_fraction;
    return d * area_m2_;
}

RunoffStepVolumes SubcatchmentRunoff::step(double dt, double rain_ms, double evap_ms,
                                           double runon_m3s,
                                           const std::array<double, 3>* net_precip_ms) {
    RunoffStepVolumes v;
    for (auto& s : sub_)
        s.inflow_ms = 0;
    if (area_m2_ <= 0)
        return v;
    // Run-on spreads uniformly over every sub-area.
    const double runon_ms = runon_m3s / area_m2_;
    for (auto& s : sub_)
        s.inflow_ms += runon_ms;
    // Last step's runoff sent to the other kind of surface (Manual §3.4).
    if (route_to_ == SubareaRouting::kPervious && sub_[2].area_fraction > 0) {
        const double q =
            sub_[0].runoff_ms * sub_[0].area_fraction + sub_[1].runoff_ms * sub_[1].area_fraction;
        sub_[2].inflow_ms += q * (1.0 - sub_[0].outlet_fraction) / sub_[2].area_fraction;
    }
    if (route_to_ == SubareaRouting::kImpervious && sub_[1].area_fraction > 0) {
        sub_[1].inflow_ms += sub_[2].runoff_ms * (1.0 - sub_[2].outlet_fraction) *
                             sub_[2].area_fraction / sub_[1].area_fraction;
    }
    // LID outflow returned onto the pervious area (SWMM subcatch_getRunon)
    if (pervious_return_m3s_ != 0 && imperv_fraction_ < 1.0 && sub_[2].area_fraction > 0)
        sub_[2].inflow_ms += pervious_return_m3s_ / (area_m2_ * sub_[2].area_fraction);
    double outflow_m3s = 0;
    for (int i = 0; i < 3; ++i) {
        const double a = area_m2_ * sub_[i].area_fraction;
        const double precip =
            net_precip_ms != nullptr ? (*net_precip_ms)[static_cast<std::size_t>(i)] : rain_ms;
        const double q_ms = subarea_step(i, a, precip, evap_ms, dt, v);
        sub_[i].runoff_ms = q_ms;
        outflow_m3s += sub_[i].outlet_fraction * q_ms * a;
        (i == 2 ? v.pervious_runoff_m3 : v.impervious_runoff_m3) += q_ms * a * dt;
    }
    v.rain_m3 = rain_ms * dt * area_m2_;
    v.runon_m3 = runon_m3s * dt;
    v.runoff_m3 = outflow_m3s * dt;
    runoff_m3s_ = outflow_m3s;
    return v;
}

double SubcatchmentRunoff::subarea_step(int i, double area, double precip, double evap, double dt,
                                        RunoffStepVolumes& v) {
    if (area <= 0)
        return 0;
    Subarea& s = sub_[i];
    // the pervious area's depression storage and roughness, adjusted by month ([ADJUSTMENTS]
    // DSTORE and N-PERV patterns, SWMM adjustSubareaParams)
    double dstore = s.dstore_m, alpha = s.alpha;
    if (i == 2) {
        if (dstore_factor_ >= 0)
            dstore *= dstore_factor_;
        alpha = nperv_factor_ <= 0 ? 0.0 : alpha / nperv_factor_;
    }
    double t_runoff = dt;
    double moisture = s.depth_m / dt;
    const double surf_evap = std::min(moisture, evap);
    double infil = 0;
    if (i == 2)
        infil = std::min(infil_.rate_ms(dt, precip, s.inflow_ms, s.depth_m), max_infil_m_ / dt);
    s.inflow_ms += precip;
    moisture += s.inflow_ms;
    v.evap_m3 += surf_evap * area * dt;
    v.infil_m3 += infil * area * dt;
    if (surf_evap + infil >= moisture) {
        s.depth_m = 0;
    } else {
        s.inflow_ms -= surf_evap + infil;
        // Fill depression storage first, then integrate the reservoir over the remaining time.
        const double ix = s.inflow_ms;
        double tx = dt;
        if (s.depth_m + ix * tx <= dstore) {
            s.depth_m += ix * tx;
        } else {
            const double dx = dstore - s.depth_m;
            if (dx > 0 && ix > 0) {
                tx -= dx / ix;
                s.depth_m = dstore;
            }
            if (alpha > 0 && tx > 0)
                s.depth_m = integrate_depth(s.depth_m, tx, ix, alpha, dstore);
            else
                s.depth_m += ix * std::max(tx, 0.0);
        }
        s.depth_m = std::max(s.depth_m, 0.0);
        t_runoff = tx;
    }
    const double excess = s.depth_m - dstore;
    if (excess <= kZeroDepth)
        return 0;
    if (s.n > 0)
        return alpha * kManningPower(excess);
    // no overland routing: the whole excess leaves within the step
    s.depth_m = dstore;
    return t_runoff > 0 ? excess / t_runoff : 0.0;
}

} // namespace rencheng::drainage
