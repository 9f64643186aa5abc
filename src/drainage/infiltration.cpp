// Infiltration models of SWMM 5.2 (Reference Manual Vol. I, ch. 4), stepped per runoff step.
#include "drainage/infiltration.hpp"

#include <algorithm>
#include <cmath>

namespace rencheng::drainage {
namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr double kInch = 0.0254;
constexpr double kFoot = 0.3048;
/// Supply rates below this count as none (SWMM's ZERO, 1e-10 ft/s).
constexpr double kZeroRate = 1e-10 * kFoot;
/// Ponded depth above which curve-number infiltration continues after rain stops (0.05 in).
constexpr double kMinTotalDepth = 0.004167 * kFoot;

} // namespace

InfiltrationState::InfiltrationState(const Infiltration& params) : p_(params), enabled_(true) {
    switch (p_.model) {
    case InfiltrationModel::kHorton:
    case InfiltrationModel::kModifiedHorton: {
        // Recovery: capacity regains 98 % of its deficit in the drying time (Manual eq. 4-8).
        const double dry_s = p_.dry_time_s > 0 ? p_.dry_time_s : 1e-6 * kSecondsPerDay;
        regen_per_s_ = -std::log(1.0 - 0.98) / dry_s;
        break;
    }
    case InfiltrationModel::kGreenAmpt:
    case InfiltrationModel::kModifiedGreenAmpt: {
        // Upper soil zone depth Lu = 4·√Ks inches with Ks in in/h (Manual eq. 4-25).
        const double ks_inh = p_.ksat_ms * 3600.0 / kInch;
        lu_m_ = 4.0 * std::sqrt(ks_inh) * kInch;
        imd_ = p_.initial_deficit;
        break;
    }
    case InfiltrationModel::kCurveNumber: {
        const double cn = std::clamp(p_.curve_number, 10.0, 99.0);
        smax_m_ = (1000.0 / cn - 10.0) * kInch;
        s_m_ = se_m_ = smax_m_;
        regen_per_s_ = p_.dry_time_s > 0 ? 1.0 / p_.dry_time_s : 0;
        // A new event starts after 0.06/regen seconds without rain (6 % recovery).
        tmax_s_ = regen_per_s_ > 0 ? 0.06 / regen_per_s_ : 0;
        break;
    }
    }
}

double InfiltrationState::rate_ms(double dt, double rain_ms, double runon_ms, double depth_m) {
    if (!enabled_)
        return 0;
    switch (p_.model) {
    case InfiltrationModel::kHorton:
        return horton(dt, rain_ms + runon_ms, depth_m);
    case InfiltrationModel::kModifiedHorton:
        return modified_horton(dt, rain_ms + runon_ms, depth_m);
    case InfiltrationModel::kGreenAmpt:
    case InfiltrationModel::kModifiedGreenAmpt:
        return green_ampt(dt, rain_ms + runon_ms, depth_m);
    case InfiltrationModel::kCurveNumber:
        // run-on counts as ponded water, not as rainfall, in the curve-number method
        return curve_number(dt, rain_ms, depth_m + runon_ms * dt);
    }
    return 0;
}

std::array<double, 6> InfiltrationState::state() const {
    if (!enabled_)
        return {};
    switch (p_.model) {
    case InfiltrationModel::kHorton:
    case InfiltrationModel::kModifiedHorton:
        return {tp_s_, fe_m_, 0, 0, 0, 0};
    case InfiltrationModel::kGreenAmpt:
    case InfiltrationModel::kModifiedGreenAmpt:
        return {imd_, f_m_, fu_m_, saturated_ ? 1.0 : 0.0, timer_s_, 0};
    case InfiltrationModel::kCurveNumber:
        return {s_m_, p_m_, fcn_m_, dry_s_, se_m_, last_rate_ms_};
    }
    return {};
}

void InfiltrationState::set_state(const std::array<double, 6>& x) {
    if (!enabled_)
        return;
    switch (p_.model) {
    case InfiltrationModel::kHorton:
    case InfiltrationModel::kModifiedHorton:
        tp_s_ = x[0];
        fe_m_ = x[1];
        break;
    case InfiltrationModel::kGreenAmpt:
    case InfiltrationModel::kModifiedGreenAmpt:
        imd_ = x[0];
        f_m_ = x[1];
        fu_m_ = x[2];
        saturated_ = std::trunc(x[3]) != 0; // SWMM keeps it as a char
        timer_s_ = x[4];
        break;
    case InfiltrationModel::kCurveNumber:
        s_m_ = x[0];
        p_m_ = x[1];
        fcn_m_ = x[2];
        dry_s_ = x[3];
        se_m_ = x[4];
        last_rate_ms_ = x[5];
        break;
    }
}

// Horton: f = fmin + (f0 − fmin)·e^(−kd·tp), stepped on the integrated curve
// F(tp) = fmin·tp + (f0 − fmin)/kd·(1 − e^(−kd·tp)) so that the volume is exact; when supply limits
// the rate, tp advances only to where F reaches the volume infiltrated (Manual §4.2).
double InfiltrationState::horton(double dt, double supply, double depth) {
    const double f0 = p_.max_rate_ms * factor_, fmin = p_.min_rate_ms * factor_;
    const double df = f0 - fmin, kd = p_.decay_per_s, kr = regen_per_s_ * recovery_;
    if (df < 0 || kd < 0 || kr < 0)
        return 0;
    const double fa = supply + depth / dt;
    if (df == 0 || kd == 0)
        return std::max(0.0, std::min(f0, fa));
    double fp = 0;
    double tp = tp_s_;
    if (fa > kZeroRate) {
        const double t1 = tp + dt;
        const double tlim = 16.0 / kd; // e^-16: the curve has reached fmin
        double fp_cum, f1_cum;
        if (tp >= tlim) {
            fp_cum = fmin * tp + df / kd;
            f1_cum = fp_cum + fmin * dt;
        } else {
            fp_cum = fmin * tp + df / kd * (1.0 - std::exp(-kd * tp));
            f1_cum = fmin * t1 + df / kd * (1.0 - std::exp(-kd * t1));
        }
        fp = std::max((f1_cum - fp_cum) / dt, fmin);
        if (fp > fa)
            fp = fa;
        if (t1 > tlim || fp < fa) {
            tp = t1;
        } else {
            // supply-limited: find tp where F(tp) equals the infiltrated volume (Newton)
            const double target = fp_cum + fp * dt;
            tp += dt / 2.0;
            for (int it = 0; it < 20; ++it) {
                const double ex = std::exp(-std::min(60.0, kd * tp));
                const double r = (fmin * tp + df / kd * (1.0 - ex) - target) / (fmin + df * ex);
                tp -= r;
                if (std::abs(r) <= 0.001 * dt)
                    break;
            }
        }
        if (p_.max_volume_m > 0) {
            if (fe_m_ + fp * dt > p_.max_volume_m)
                fp = (p_.max_volume_m - fe_m_) / dt;
            fp = std::max(fp, 0.0);
            fe_m_ += fp * dt;
        }
    } else if (kr > 0) {
        // Dry: capacity recovers along a regeneration curve (Manual eq. 4-7).
        const double r = std::exp(-kr * dt);
        const double x = 1.0 - std::exp(-kd * tp);
        tp = -std::log(1.0 - r * x) / kd;
        if (p_.max_volume_m > 0)
            fe_m_ = fmin * tp + df / kd * (1.0 - std::exp(-kd * tp));
    }
    tp_s_ = tp;
    return fp;
}

// Modified Horton: the rate decays with the infiltrated volume above fmin rather than time,
// f = f0 − kd·Fe (Manual §4.3).
double InfiltrationState::modified_horton(double dt, double supply, double depth) {
    const double f0 = p_.max_rate_ms * factor_, fmin = p_.min_rate_ms * factor_;
    const double df = f0 - fmin, kd = p_.decay_per_s, kr = regen_per_s_ * recovery_;
    if (df < 0 || kd < 0 || kr < 0)
        return 0;
    const double fa = supply + depth / dt;
    if (df == 0 || kd == 0)
        return std::max(0.0, std::min(f0, fa));
    double f = 0;
    if (fa > kZeroRate) {
        if (p_.max_volume_m > 0 && fe_m_ >= p_.max_volume_m)
            return 0;
        const double fp = std::max(f0 - kd * fe_m_, fmin);
        f = std::min(fa, fp);
        fe_m_ += std::max(f - fmin, 0.0) * dt;
        // SWMM 5.2 writes MAX here, which ends infiltration after the first wet step whenever
        // Fmax > 0; the manual's cap is a minimum.
        if (p_.max_volume_m > 0)
            fe_m_ = std::min(fe_m_, p_.max_volume_m);
    } else if (kr > 0) {
        fe_m_ = std::max(fe_m_ * std::exp(-kr * dt), 0.0);
    }
    return f;
}

double green_ampt_f2(double f1, double c1, double ks, double dt) {
    const double f2min = f1 + ks * dt;
    if (c1 == 0)
        return f2min;
    // explicit form for short steps (SWMM 5.2 uses it below 10 s)
    if (dt < 10.0 && f1 > 0.01 * c1)
        return std::max(f1 + ks * (1.0 + c1 / f1) * dt, f2min);
    const double c2 = c1 * std::log(f1 + c1) - ks * dt;
    double f2 = f1;
    for (int i = 0; i < 20; ++i) {
        const double d = (f2 - f1 - c1 * std::log(f2 + c1) + c2) / (1.0 - c1 / (f2 + c1));
        if (std::abs(d) < 0.00001 * kFoot)
            return std::max(f2, f2min);
        f2 -= d;
    }
    return f2min;
}

// Green-Ampt (Mein-Larson two-stage form with SWMM's upper-zone moisture recovery, Manual §4.4).
double InfiltrationState::green_ampt(double dt, double supply, double depth) {
    timer_s_ -= dt;
    return saturated_ ? green_ampt_saturated(dt, supply, depth)
                      : green_ampt_unsaturated(dt, supply, depth);
}

double InfiltrationState::green_ampt_unsaturated(double dt, double supply, double depth) {
    const double ks = p_.ksat_ms * factor_;
    const double lu = factor_ == 1.0 ? lu_m_ : lu_m_ * std::sqrt(factor_);
    const double fumax = p_.initial_deficit * lu;
    double ia = supply + depth / dt;
    if (ia < kZeroRate)
        ia = 0;
    const double lu_ft = lu / kFoot; // the recovery constants are per ft of Lu
    if (ia == 0) {
        // dry: the upper zone drains at kr = √Ks/75 per hour (= Lu[ft]/90000 per s)
        if (fu_m_ <= 0)
            return 0;
        const double df = lu_ft / 90000.0 * recovery_ * fumax * dt;
        f_m_ -= df;
        fu_m_ -= df;
        if (fu_m_ <= 0) {
            fu_m_ = f_m_ = 0;
            imd_ = p_.initial_deficit;
            return 0;
        }
        if (timer_s_ <= 0) { // a new event begins: deficit from the upper zone's moisture
            imd_ = (fumax - fu_m_) / lu;
            f_m_ = 0;
        }
        return 0;
    }
    if (ia <= ks) {
        const double df = ia * dt;
        f_m_ += df;
        fu_m_ = std::min(fu_m_ + df, fumax);
        if (p_.model == InfiltrationModel::kGreenAmpt && timer_s_ <= 0) {
            imd_ = (fumax - fu_m_) / lu;
            f_m_ = 0;
        }
        return ia;
    }
    timer_s_ = 5400.0 / lu_ft / recovery_; // 4.5/√Ks hours before the next event
    const double fs = ks * (p_.suction_m + depth) * imd_ / (ia - ks);
    if (f_m_ > fs) {
        saturated_ = true;
        return green_ampt_saturated(dt, supply, depth);
    }
    if (f_m_ + ia * dt < fs) {
        const double df = ia * dt;
        f_m_ += df;
        fu_m_ = std::min(fu_m_ + df, fumax);
        return ia;
    }
    // surface saturates within the step
    const double ts = std::max(dt - (fs - f_m_) / ia, 0.0);
    const double c1 = (p_.suction_m + depth) * imd_;
    double f2 = green_ampt_f2(fs, c1, ks, ts);
    f2 = std::min(f2, fs + ia * ts);
    const double df = f2 - f_m_;
    f_m_ = f2;
    fu_m_ = std::min(fu_m_ + df, fumax);
    saturated_ = true;
    return df / dt;
}

double InfiltrationState::green_ampt_saturated(double dt, double supply, double depth) {
    const double ks = p_.ksat_ms * factor_;
    const double lu = factor_ == 1.0 ? lu_m_ : lu_m_ * std::sqrt(factor_);
    const double fumax = p_.initial_deficit * lu;
    const double ia = supply + depth / dt;
    if (ia < kZeroRate)
        return 0;
    timer_s_ = 5400.0 / (lu / kFoot) / recovery_;
    const double c1 = (p_.suction_m + depth) * imd_;
    const double f2 = green_ampt_f2(f_m_, c1, ks, dt);
    double df = f2 - f_m_;
    if (df > ia * dt) {
        df = ia * dt;
        saturated_ = false;
    }
    f_m_ += df;
    fu_m_ = std::min(fu_m_ + df, fumax);
    return df / dt;
}

// SCS curve number: cumulative infiltration of the event F = P − P²/(P + S), stepped as a rate;
// storage S recovers in dry weather at Smax/drying-time (Manual §4.5).
double InfiltrationState::curve_number(double dt, double rain, double depth) {
    double f1 = 0;
    const double fa = rain + depth / dt;
    if (rain > kZeroRate) {
        if (dry_s_ >= tmax_s_) { // a new event
            p_m_ = fcn_m_ = last_rate_ms_ = 0;
            se_m_ = s_m_;
        }
        dry_s_ = 0;
        p_m_ += rain * dt;
        const double f_cum = p_m_ * (1.0 - p_m_ / (p_m_ + se_m_));
        f1 = (f_cum - fcn_m_) / dt;
        if (f1 < 0 || s_m_ <= 0)
            f1 = 0;
    } else if (depth > kMinTotalDepth && s_m_ > 0) {
        // ponded water keeps infiltrating at the last rate
        f1 = last_rate_ms_;
        if (f1 * dt > s_m_)
            f1 = s_m_ / dt;
    } else {
        dry_s_ += dt;
    }
    if (f1 > 0) {
        f1 = std::max(std::min(f1, fa), 0.0);
        fcn_m_ += f1 * dt;
        if (regen_per_s_ > 0)
            s_m_ = std::max(s_m_ - f1 * dt, 0.0);
    } else {
        s_m_ = std::min(s_m_ + regen_per_s_ * smax_m_ * dt * recovery_, smax_m_);
    }
    last_rate_ms_ = f1;
    return f1;
}

} // namespace rencheng::drainage
