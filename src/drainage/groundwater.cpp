// SWMM 5.2's two-zone groundwater model (Reference Manual Vol. I — Hydrology, ch. 5: eqs. 5-1
// and 5-2 for the zone balances, §5.2 for each flux) and the reading of [AQUIFERS] and
// [GROUNDWATER].
//
// Upper zone (depth D − d, moisture θ):  (D − d)·dθ/dt = f_I − f_EU − f_U
// Lower zone (depth d, saturated):        (φ − θ)·dd/dt = f_U − f_EL − f_L − f_G
// with, per unit area of the subcatchment:
//   f_EU = min(EU_frac·E_max, E_avail) while θ > θ_wp and nothing infiltrates,
//   f_EL = min(((D_LE − (D − d))/D_LE)·(1 − EU_frac)·E_max, E_avail − f_EU) (fraction in [0, 1]),
//   f_U  = K_s·exp(−(φ − θ)·HCO)·(1 + 2·HCT·(θ − θ_fc)/(D − d)) while θ > θ_fc,
//   f_L  = L_GL·d/D,
//   f_G  = A1·(d − h*)^B1 − A2·(h_sw − h*)^B2 + A3·d·h_sw while d > h*,
// each limited, as SWMM 5.2 does, by what the zone holds over the step.
#include "drainage/groundwater.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <limits>

#include "drainage/network.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kFoot = 0.3048;
/// Relative accuracy of the zone integration (SWMM's GWTOL).
constexpr double kOdeTolerance = 1e-4;
/// Margin kept below saturation for θ and below the surface for d (SWMM's XTOL, 0.001 ft).
constexpr double kMarginTheta = 0.001;
constexpr double kMarginDepth = 0.001 * kFoot;

using rows::join;
using rows::parse_number;

/// Integrates dx/dt = f(x) for the two state variables over `t` seconds with embedded
/// Runge-Kutta 4(5) steps (Cash & Karp 1990 coefficients), the first trial step the whole
/// interval and step-size control on the largest error relative to |x| + |h·dx/dt|.
template <class F> std::array<double, 2> integrate(std::array<double, 2> y, double t, F f) {
    constexpr double b21 = 0.2, b31 = 3.0 / 40, b32 = 9.0 / 40, b41 = 0.3, b42 = -0.9, b43 = 1.2;
    constexpr double b51 = -11.0 / 54, b52 = 2.5, b53 = -70.0 / 27, b54 = 35.0 / 27;
    constexpr double b61 = 1631.0 / 55296, b62 = 175.0 / 512, b63 = 575.0 / 13824,
                     b64 = 44275.0 / 110592, b65 = 253.0 / 4096;
    constexpr double c1 = 37.0 / 378, c3 = 250.0 / 621, c4 = 125.0 / 594, c6 = 512.0 / 1771;
    constexpr double e1 = c1 - 2825.0 / 27648, e3 = c3 - 18575.0 / 48384, e4 = c4 - 13525.0 / 55296,
                     e5 = -277.0 / 14336, e6 = c6 - 0.25;
    using V = std::array<double, 2>;
    auto comb = [&](const V& base, double h, std::initializer_list<std::pair<double, const V*>> k) {
        V out = base;
        for (int i = 0; i < 2; ++i) {
            double s = 0;
            for (const auto& [c, v] : k)
                s += c * (*v)[i];
            out[i] += h * s;
        }
        return out;
    };
    double x = 0, h = t;
    for (int steps = 0; steps < 10000 && x < t; ++steps) {
        const V k1 = f(y);
        V scale{};
        for (int i = 0; i < 2; ++i)
            scale[i] = std::abs(y[i]) + std::abs(k1[i] * h) + 1e-30;
        if (x + h > t)
            h = t - x;
        for (;;) {
            const V k2 = f(comb(y, h, {{b21, &k1}}));
            const V k3 = f(comb(y, h, {{b31, &k1}, {b32, &k2}}));
            const V k4 = f(comb(y, h, {{b41, &k1}, {b42, &k2}, {b43, &k3}}));
            const V k5 = f(comb(y, h, {{b51, &k1}, {b52, &k2}, {b53, &k3}, {b54, &k4}}));
            const V k6 =
                f(comb(y, h, {{b61, &k1}, {b62, &k2}, {b63, &k3}, {b64, &k4}, {b65, &k5}}));
            const V next = comb(y, h, {{c1, &k1}, {c3, &k3}, {c4, &k4}, {c6, &k6}});
            const V err = comb(V{0, 0}, h, {{e1, &k1}, {e3, &k3}, {e4, &k4}, {e5, &k5}, {e6, &k6}});
            double errmax = 0;
            for (int i = 0; i < 2; ++i)
                errmax = std::max(errmax, std::abs(err[i] / scale[i]));
            errmax /= kOdeTolerance;
            if (errmax <= 1.0 || x + h == x) {
                x += h;
                y = next;
                h = errmax > 1.89e-4 ? 0.9 * h * std::pow(errmax, -0.2) : 5.0 * h;
                break;
            }
            h = std::max(0.9 * h * std::pow(errmax, -0.25), 0.1 * h);
        }
    }
    return y;
}

} // namespace

GroundwaterInput read_groundwater_sections(const Network& net, const std::string& file,
                                           Diagnostics& diags) {
    GroundwaterInput in;
    const bool si = is_si(net.options.flow_units);
    in.length_unit_m = si ? 1.0 : kFoot;
    // cfs/acre → m/s, or m³/s/ha → m/s
    in.flow_unit_ms = si ? 1e-4 : kFoot / 43560.0;
    const double rate_unit = (si ? 0.001 : 0.0254) / 3600.0; // in/h or mm/h → m/s
    const double len = in.length_unit_m;

    auto error = [&](ErrorCode code, int line, const std::string& id, const std::string& section,
                     const std::string& msg, const std::vector<std::string>& row) {
        diags.error(code, file, line, 0, id, msg + " in [" + section + "]: " + join(row));
    };

    if (const auto* raw = net.raw_section("AQUIFERS")) {
        static const char* const names[12] = {"porosity",
                                              "wilting point",
                                              "field capacity",
                                              "conductivity",
                                              "conductivity slope",
                                              "tension slope",
                                              "upper evap. fraction",
                                              "lower evap. depth",
                                              "lower GW loss rate",
                                              "bottom elevation",
                                              "water table elevation",
                                              "unsaturated zone moisture"};
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const int line = raw->line[r];
            if (row.empty())
                continue;
            if (row.size() < 13) {
                error(ErrorCode::kMissingKey, line, row[0], "AQUIFERS",
                      "an aquifer needs 12 values after its name", row);
                continue;
            }
            double x[12];
            bool ok = true;
            for (int k = 0; k < 12 && ok; ++k) {
                const auto v = parse_number(row[1 + k]);
                if (!v) {
                    error(ErrorCode::kNumberSyntax, line, row[0], "AQUIFERS",
                          std::string(names[k]) + " '" + row[1 + k] + "' is not a number", row);
                    ok = false;
                } else {
                    x[k] = *v;
                }
            }
            if (!ok)
                continue;
            Aquifer a;
            a.id = row[0];
            a.line = line;
            a.porosity = x[0];
            a.wilting_point = x[1];
            a.field_capacity = x[2];
            a.ksat_ms = x[3] * rate_unit;
            a.k_slope = x[4];
            a.tension_slope_m = x[5] * len;
            a.upper_evap_fraction = x[6];
            a.lower_evap_depth_m = x[7] * len;
            a.lower_loss_ms = x[8] * rate_unit;
            a.bottom_elev_m = x[9] * len;
            a.water_table_elev_m = x[10] * len;
            a.upper_moisture = x[11];
            if (row.size() > 13) {
                const auto p = net.find_pattern(row[13]);
                if (!p.valid()) {
                    error(ErrorCode::kUnknownReference, line, a.id, "AQUIFERS",
                          "upper evaporation pattern '" + row[13] + "' is not defined", row);
                    continue;
                }
                if (net.patterns[p.idx()].type != PatternType::kMonthly) {
                    error(ErrorCode::kInconsistent, line, a.id, "AQUIFERS",
                          "upper evaporation pattern '" + row[13] + "' must be MONTHLY", row);
                    continue;
                }
                a.upper_evap_pattern = static_cast<int>(p.idx());
            }
            // SWMM gwater_validateAquifer
            if (!(a.porosity > 0 && a.field_capacity < a.porosity &&
                  a.wilting_point < a.field_capacity)) {
                error(ErrorCode::kOutOfRange, line, a.id, "AQUIFERS",
                      "needs 0 < wilting point < field capacity < porosity", row);
                continue;
            }
            if (a.ksat_ms <= 0 || a.k_slope < 0 || a.tension_slope_m < 0 ||
                a.upper_evap_fraction < 0 || a.lower_evap_depth_m < 0) {
                error(ErrorCode::kOutOfRange, line, a.id, "AQUIFERS",
                      "conductivity must be positive and its slope, the tension slope and the "
                      "evaporation values not negative",
                      row);
                continue;
            }
            if (a.water_table_elev_m < a.bottom_elev_m) {
                error(ErrorCode::kOutOfRange, line, a.id, "AQUIFERS",
                      "the water table is below the aquifer bottom", row);
                continue;
            }
            if (a.upper_moisture > a.porosity || a.upper_moisture < a.wilting_point) {
                error(ErrorCode::kOutOfRange, line, a.id, "AQUIFERS",
                      "unsaturated zone moisture must lie between wilting point and porosity", row);
                continue;
            }
            bool dup = false;
            for (const auto& b : in.aquifers)
                dup = dup || b.id == a.id;
            if (dup) {
                error(ErrorCode::kDuplicateId, line, a.id, "AQUIFERS", "aquifer defined twice",
                      row);
                continue;
            }
            in.aquifers.push_back(a);
        }
    }

    if (const auto* raw = net.raw_section("GROUNDWATER")) {
        static const char* const names[11] = {"surface elevation",
                                              "A1",
                                              "B1",
                                              "A2",
                                              "B2",
                                              "A3",
                                              "fixed surface water depth",
                                              "threshold elevation",
                                              "bottom elevation",
                                              "water table elevation",
                                              "unsaturated zone moisture"};
        std::vector<char> seen(static_cast<std::size_t>(net.subcatchments.count()), 0);
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const int line = raw->line[r];
            if (row.empty())
                continue;
            if (row.size() < 10) {
                error(ErrorCode::kMissingKey, line, row[0], "GROUNDWATER",
                      "needs subcatchment, aquifer, node, surface elevation, A1, B1, A2, B2, A3 "
                      "and the fixed surface water depth",
                      row);
                continue;
            }
            SubcatchGroundwater g;
            g.line = line;
            const auto s = net.find_subcatchment(row[0]);
            if (!s.valid()) {
                error(ErrorCode::kUnknownReference, line, row[0], "GROUNDWATER",
                      "subcatchment '" + row[0] + "' is not defined", row);
                continue;
            }
            g.subcatchment = static_cast<int>(s.idx());
            for (std::size_t k = 0; k < in.aquifers.size(); ++k)
                if (in.aquifers[k].id == row[1])
                    g.aquifer = static_cast<int>(k);
            if (g.aquifer < 0) {
                error(ErrorCode::kUnknownReference, line, row[0], "GROUNDWATER",
                      "aquifer '" + row[1] + "' is not defined (or has an error)", row);
                continue;
            }
            const auto n = net.find_node(row[2]);
            if (!n.valid()) {
                error(ErrorCode::kUnknownReference, line, row[0], "GROUNDWATER",
                      "node '" + row[2] + "' is not defined", row);
                continue;
            }
            g.node = static_cast<int>(n.idx());
            double x[11];
            std::array<bool, 11> given{};
            bool ok = true;
            for (std::size_t k = 0; k < 11 && ok; ++k) {
                const std::size_t t = 3 + k;
                if (t >= row.size() || (k >= 7 && !row[t].empty() && row[t][0] == '*'))
                    continue;
                const auto v = parse_number(row[t]);
                if (!v) {
                    error(ErrorCode::kNumberSyntax, line, row[0], "GROUNDWATER",
                          std::string(names[k]) + " '" + row[t] + "' is not a number", row);
                    ok = false;
                } else {
                    x[k] = *v;
                    given[k] = true;
                }
            }
            if (!ok)
                continue;
            g.surface_elev_m = x[0] * len;
            g.a1 = x[1];
            g.b1 = x[2];
            g.a2 = x[3];
            g.b2 = x[4];
            g.a3 = x[5];
            g.fixed_surface_depth_m = x[6] * len;
            if (given[7])
                g.threshold_elev_m = x[7] * len;
            if (given[8])
                g.bottom_elev_m = x[8] * len;
            if (given[9])
                g.water_table_elev_m = x[9] * len;
            if (given[10])
                g.upper_moisture = x[10];
            const auto& a = in.aquifers[static_cast<std::size_t>(g.aquifer)];
            const double wt = g.water_table_elev_m.value_or(a.water_table_elev_m);
            if (g.surface_elev_m < wt) {
                error(ErrorCode::kOutOfRange, line, row[0], "GROUNDWATER",
                      "the surface is below the water table", row);
                continue;
            }
            if (seen[static_cast<std::size_t>(g.subcatchment)]) {
                error(ErrorCode::kDuplicateId, line, row[0], "GROUNDWATER",
                      "subcatchment has groundwater defined twice", row);
                continue;
            }
            seen[static_cast<std::size_t>(g.subcatchment)] = 1;
            g.rate_unit_ms = rate_unit;
            g.area_unit_m2 = si ? 1e4 : 43560.0 * kFoot * kFoot;
            in.groundwater.push_back(g);
        }
    }

    if (const auto* raw = net.raw_section("GWF")) {
        static constexpr const char* kVariables[] = {"HGW",   "HSW", "HCB", "HGS", "KS", "K",
                                                     "THETA", "PHI", "FI",  "FU",  "A"};
        const auto variable = [](std::string_view name) -> std::optional<std::int32_t> {
            for (std::int32_t i = 0; i < 11; ++i) {
                const std::string_view v = kVariables[i];
                bool same = v.size() == name.size();
                for (std::size_t c = 0; same && c < v.size(); ++c)
                    same = std::toupper(static_cast<unsigned char>(name[c])) == v[c];
                if (same)
                    return i;
            }
            return std::nullopt;
        };
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const int line = raw->line[r];
            if (row.empty())
                continue;
            if (row.size() < 3) {
                error(ErrorCode::kMissingKey, line, row[0], "GWF",
                      "needs subcatchment, LATERAL or DEEP, and an expression", row);
                continue;
            }
            const auto s = net.find_subcatchment(row[0]);
            if (!s.valid()) {
                error(ErrorCode::kUnknownReference, line, row[0], "GWF",
                      "subcatchment '" + row[0] + "' is not defined", row);
                continue;
            }
            auto starts_with = [&](const std::string& word, const char* prefix) {
                const std::string_view p = prefix;
                if (word.size() < p.size())
                    return false;
                for (std::size_t c = 0; c < p.size(); ++c)
                    if (std::toupper(static_cast<unsigned char>(word[c])) != p[c])
                        return false;
                return true;
            };
            const bool lateral = starts_with(row[1], "LAT");
            if (!lateral && !starts_with(row[1], "DEEP")) {
                error(ErrorCode::kUnknownValue, line, row[0], "GWF",
                      "'" + row[1] + "' is not LATERAL or DEEP", row);
                continue;
            }
            std::string text = row[2];
            for (std::size_t k = 3; k < row.size(); ++k)
                text += " " + row[k];
            std::string why;
            auto expr = MathExpression::parse(text, variable, why);
            if (!expr) {
                error(ErrorCode::kNumberSyntax, line, row[0], "GWF",
                      "the expression is not valid (" + why + ")", row);
                continue;
            }
            SubcatchGroundwater* target = nullptr;
            for (auto& g : in.groundwater)
                if (g.subcatchment == static_cast<int>(s.idx()))
                    target = &g;
            if (target == nullptr) {
                diags.warning(ErrorCode::kInconsistent, file, line, 0, row[0],
                              "subcatchment has no [GROUNDWATER] row: the [GWF] expression is not "
                              "used: " +
                                  join(row));
                continue;
            }
            (lateral ? target->lateral_flow : target->deep_flow) = std::move(*expr);
        }
    }
    return in;
}

GroundwaterState::GroundwaterState(const Aquifer& aquifer, const SubcatchGroundwater& gw,
                                   double area_m2, double frac_pervious, double flow_unit_ms,
                                   double length_unit_m)
    : a_(aquifer), g_(gw), area_m2_(area_m2), frac_perv_(frac_pervious),
      flow_unit_ms_(flow_unit_ms), length_unit_m_(length_unit_m), node_(gw.node) {
    bottom_m_ = gw.bottom_elev_m.value_or(a_.bottom_elev_m);
    total_depth_m_ = gw.surface_elev_m - bottom_m_;
    const double wt = gw.water_table_elev_m.value_or(a_.water_table_elev_m);
    theta_ = gw.upper_moisture.value_or(a_.upper_moisture);
    if (theta_ >= a_.porosity)
        theta_ = a_.porosity - kMarginTheta;
    lower_depth_m_ = wt - bottom_m_;
    if (lower_depth_m_ >= total_depth_m_)
        lower_depth_m_ = total_depth_m_ - kMarginDepth;
    max_infil_m_ =
        frac_perv_ > 0 ? (gw.surface_elev_m - wt) * (a_.porosity - theta_) / frac_perv_ : 0.0;
    totals_.initial_storage_m3 = stored_m3();
    totals_.final_storage_m3 = totals_.initial_storage_m3;
}

void GroundwaterState::set_state(const std::array<double, 4>& x) {
    theta_ = x[0];
    lower_depth_m_ = x[1] - bottom_m_;
    old_flow_ms_ = x[2];
    if (!std::isnan(x[3]))
        max_infil_m_ = x[3];
    totals_.initial_storage_m3 = stored_m3();
    totals_.final_storage_m3 = totals_.initial_storage_m3;
}

double GroundwaterState::stored_m3() const {
    const double upper = total_depth_m_ - lower_depth_m_;
    return (upper * theta_ + lower_depth_m_ * a_.porosity) * area_m2_;
}

GroundwaterFluxes GroundwaterState::fluxes_at(double theta, double lower_depth) const {
    GroundwaterFluxes f;
    lower_depth = std::clamp(lower_depth, 0.0, total_depth_m_);
    const double upper_depth = total_depth_m_ - lower_depth;
    f.infil = infil_ms_;
    // evapotranspiration: none while water infiltrates (Manual §5.2.2)
    if (infil_ms_ <= 0) {
        if (theta > a_.wilting_point)
            f.upper_evap = std::min(upper_frac_ * max_evap_, avail_evap_);
        if (a_.lower_evap_depth_m > 0) {
            const double frac =
                std::clamp((a_.lower_evap_depth_m - upper_depth) / a_.lower_evap_depth_m, 0.0, 1.0);
            f.lower_evap =
                std::min(frac * (1.0 - upper_frac_) * max_evap_, avail_evap_ - f.upper_evap);
        }
    }
    // percolation: unsaturated conductivity times the mean head gradient over the upper zone
    if (upper_depth > 0 && theta > a_.field_capacity) {
        const double k = a_.ksat_ms * std::exp((theta - a_.porosity) * a_.k_slope);
        const double dhdz =
            1.0 + a_.tension_slope_m * 2.0 * (theta - a_.field_capacity) / upper_depth;
        f.percolation = std::min(k * dhdz, max_perc_);
    }
    // the variables of a [GWF] expression, in the model's units (SWMM gwater.c
    // getVariableValue)
    const auto variable = [&](std::int32_t i) {
        const double L = length_unit_m_, R = g_.rate_unit_ms;
        switch (static_cast<GroundwaterVariable>(i)) {
        case GroundwaterVariable::kHgw:
            return lower_depth / L;
        case GroundwaterVariable::kHsw:
            return hsw_m_ / L;
        case GroundwaterVariable::kHcb:
            return hstar_m_ / L;
        case GroundwaterVariable::kHgs:
            return total_depth_m_ / L;
        case GroundwaterVariable::kKs:
            return a_.ksat_ms / R;
        case GroundwaterVariable::kK:
            return a_.ksat_ms * std::exp((theta - a_.porosity) * a_.k_slope) / R;
        case GroundwaterVariable::kTheta:
            return theta;
        case GroundwaterVariable::kPhi:
            return a_.porosity;
        case GroundwaterVariable::kFi:
            return f.infil / R;
        case GroundwaterVariable::kFu:
            return f.percolation / R;
        case GroundwaterVariable::kA:
            return area_m2_ / g_.area_unit_m2;
        }
        return 0.0;
    };
    // deep loss, in proportion to the lower zone's share of the aquifer, or [GWF] DEEP
    if (g_.deep_flow)
        f.deep_loss = g_.deep_flow->evaluate(variable) * g_.rate_unit_ms;
    else
        f.deep_loss = total_depth_m_ > 0 ? a_.lower_loss_ms * lower_depth / total_depth_m_ : 0.0;
    f.deep_loss = std::min(f.deep_loss, lower_depth / dt_);
    // lateral flow to the node, in the model's units of length and flow per area
    double q = 0;
    if (lower_depth > hstar_m_) {
        const double L = length_unit_m_;
        const double t1 =
            g_.b1 == 0.0 ? g_.a1 : g_.a1 * std::pow((lower_depth - hstar_m_) / L, g_.b1);
        double t2 = 0;
        if (g_.b2 == 0.0)
            t2 = g_.a2;
        else if (hsw_m_ > hstar_m_)
            t2 = g_.a2 * std::pow((hsw_m_ - hstar_m_) / L, g_.b2);
        const double t3 = g_.a3 * (lower_depth / L) * (hsw_m_ / L);
        q = (t1 - t2 + t3) * flow_unit_ms_;
        if (q < 0 && g_.a3 != 0.0)
            q = 0;
    }
    if (g_.lateral_flow) // [GWF] LATERAL adds to the flow, whatever the water table
        q += g_.lateral_flow->evaluate(variable) * flow_unit_ms_;
    f.lateral = q >= 0 ? std::min(q, max_flow_pos_) : std::max(q, max_flow_neg_);
    return f;
}

void GroundwaterState::step(double dt, double infil_m3, double surface_evap_m3, double evap_rate_ms,
                            double upper_evap_factor, const GroundwaterNode& node) {
    if (frac_perv_ <= 0 || total_depth_m_ <= 0 || area_m2_ <= 0 || dt <= 0)
        return;
    dt_ = dt;
    infil_ms_ = infil_m3 / area_m2_ / dt;
    // evaporation reaches the aquifer only through the pervious surface, less what the surface
    // already used
    max_evap_ = evap_rate_ms * frac_perv_;
    avail_evap_ = std::max(max_evap_ - surface_evap_m3 / area_m2_ / dt, 0.0);
    upper_frac_ = a_.upper_evap_fraction * upper_evap_factor;
    hstar_m_ = g_.threshold_elev_m ? *g_.threshold_elev_m - bottom_m_ : node.invert_m - bottom_m_;
    hsw_m_ = (g_.fixed_surface_depth_m > 0 ? g_.fixed_surface_depth_m : node.depth_m) +
             node.invert_m - bottom_m_;
    // limits for this step: percolation by the upper zone's water above field capacity, outflow
    // by the lower zone's water, inflow from the node by the upper zone's room and the node's
    // water
    max_perc_ =
        std::max(0.0, (total_depth_m_ - lower_depth_m_) * (theta_ - a_.field_capacity)) / dt;
    max_flow_pos_ = lower_depth_m_ * a_.porosity / dt;
    const double room = (total_depth_m_ - lower_depth_m_) * (a_.porosity - theta_) / dt;
    const double node_water = (node.inflow_m3s + node.volume_m3 / dt) / area_m2_;
    max_flow_neg_ = -std::min(room, node_water);

    auto rates = [&](const std::array<double, 2>& x) {
        const auto f = fluxes_at(x[0], x[1]);
        const double q_upper = f.infil - f.upper_evap - f.percolation;
        const double q_lower = f.percolation - f.deep_loss - f.lower_evap - f.lateral;
        const double upper = total_depth_m_ - x[1];
        const double deficit = a_.porosity - x[0];
        return std::array<double, 2>{upper > 0 ? q_upper / upper : 0.0,
                                     deficit > 0 ? q_lower / deficit : 0.0};
    };
    auto x = integrate({theta_, lower_depth_m_}, dt, rates);
    // keep the state inside the aquifer
    x[0] = std::max(x[0], a_.wilting_point);
    if (x[0] >= a_.porosity) {
        x[0] = a_.porosity - kMarginTheta;
        x[1] = total_depth_m_ - kMarginDepth;
    }
    x[1] = std::max(x[1], 0.0);
    if (x[1] >= total_depth_m_)
        x[1] = total_depth_m_ - kMarginDepth;
    theta_ = x[0];
    lower_depth_m_ = x[1];
    f_ = fluxes_at(theta_, lower_depth_m_);
    old_flow_ms_ = new_flow_ms_;
    new_flow_ms_ = f_.lateral;
    max_infil_m_ = (total_depth_m_ - lower_depth_m_) * (a_.porosity - theta_) / frac_perv_;

    const double v = area_m2_ * dt;
    totals_.infil_m3 += f_.infil * v;
    totals_.upper_evap_m3 += f_.upper_evap * v;
    totals_.lower_evap_m3 += f_.lower_evap * v;
    totals_.deep_loss_m3 += f_.deep_loss * v;
    totals_.lateral_m3 += 0.5 * (old_flow_ms_ + new_flow_ms_) * v;
    totals_.final_storage_m3 = stored_m3();
}

} // namespace rencheng::drainage
