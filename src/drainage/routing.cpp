// Flow router set-up and the parts kinematic and dynamic wave share: conduit parameters, node
// storage, outfall boundary depths and regulator (pump, orifice, weir, outlet) flows.
#include "drainage/routing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

#include "core/error.hpp"
#include "drainage/controls.hpp"
#include "drainage/inlet.hpp"

namespace rencheng::drainage {

using namespace swmm_si;

namespace {} // namespace

double force_main_friction_factor(double e, double r, double re) {
    re = std::max(re, 10.0);
    if (re <= 2000.0)
        return 64.0 / re;
    if (re < 4000.0) {
        const double f = force_main_friction_factor(e, r, 4000.0);
        return 0.032 + (f - 0.032) * (re - 2000.0) / 2000.0;
    }
    double f = e / 3.7 / (4.0 * r);
    if (re < 1.0e10)
        f += 5.74 / std::pow(re, 0.9);
    f = std::log10(f);
    return 0.25 / f / f;
}

double force_main_friction(const LinkState& l, double v, double r) {
    const double v_ft = v / kFoot, r_ft = r / kFoot;
    if (l.force_main == 1)
        return l.fm_s_bot * std::pow(v_ft, 0.852) / std::pow(r_ft, 1.1667);
    constexpr double kViscosity = 1.1e-5; // ft²/s, water at 20 °C (SWMM forcmain.c)
    const double re = 4.0 * r_ft * v_ft / kViscosity;
    return force_main_friction_factor(l.fm_roughness, r_ft, re) * l.fm_s_bot * v_ft / r_ft;
}

namespace {

/// Piecewise-linear curve lookup with the end values held (SWMM table_lookup).
double curve_lookup(const Curve& c, double x) {
    return table_lookup(c.x, c.y, x);
}

/// Step lookup: the y of the interval x falls in (SWMM table_intervalLookup, pump curves 1, 2).
double curve_interval(const Curve& c, double x) {
    for (std::size_t i = 0; i < c.x.size(); ++i)
        if (x < c.x[i])
            return c.y[i];
    return c.y.empty() ? 0.0 : c.y.back();
}

double curve_slope(const Curve& c, double x) {
    const auto n = c.x.size();
    if (n < 2)
        return 0;
    std::size_t i = 1;
    while (i < n - 1 && x > c.x[i])
        ++i;
    const double dx = c.x[i] - c.x[i - 1];
    return dx > 0 ? (c.y[i] - c.y[i - 1]) / dx : 0.0;
}

/// FHWA roadway overtopping coefficients (US units: C in ft^0.5/s, heads in ft), read from
/// Figure 10 of "Bridge Waterways Analysis Model: Research Report", FHWA/RD-86/108 (1986), the
/// roadway-overtopping curves FHWA HDS-5 (Hydraulic Design of Highway Culverts) uses. Each table
/// is (x, y) pairs, linear between them and held beyond the ends.
struct RoadTable {
    const double (*xy)[2];
    int n;
};
double road_lookup(const RoadTable& t, double x) {
    if (x <= t.xy[0][0])
        return t.xy[0][1];
    for (int i = 1; i < t.n; ++i)
        if (x <= t.xy[i][0])
            return t.xy[i - 1][1] + (x - t.xy[i - 1][0]) * (t.xy[i][1] - t.xy[i - 1][1]) /
                                        (t.xy[i][0] - t.xy[i - 1][0]);
    return t.xy[t.n - 1][1];
}
// C_r for head / road width <= 0.15, by the head in ft
constexpr double kCrLowPaved[][2] = {{0.0, 2.85}, {0.2, 2.95}, {0.7, 3.03}, {4.0, 3.05}};
constexpr double kCrLowGravel[][2] = {{0.0, 2.5},  {0.5, 2.7},  {1.0, 2.8},  {1.5, 2.9},
                                      {2.0, 2.98}, {2.5, 3.02}, {3.0, 3.03}, {4.0, 3.05}};
// C_r for head / road width > 0.15, by that ratio
constexpr double kCrHighPaved[][2] = {{0.15, 3.05}, {0.25, 3.10}};
constexpr double kCrHighGravel[][2] = {{0.15, 2.95}, {0.30, 3.10}};
// submergence factor k_t by the ratio of downstream to upstream head over the road
constexpr double kKtPaved[][2] = {{0.8, 1.0},   {0.85, 0.98}, {0.90, 0.92},
                                  {0.93, 0.85}, {0.95, 0.80}, {0.97, 0.70},
                                  {0.98, 0.60}, {0.99, 0.50}, {1.00, 0.40}};
constexpr double kKtGravel[][2] = {{0.75, 1.00}, {0.80, 0.985}, {0.83, 0.97}, {0.86, 0.93},
                                   {0.89, 0.90}, {0.90, 0.87},  {0.92, 0.80}, {0.94, 0.70},
                                   {0.96, 0.60}, {0.98, 0.50},  {0.99, 0.40}, {1.00, 0.24}};

} // namespace

/// Storage-curve lookup (SWMM table_lookupEx): proportional to x below the first point, and
/// extended with the last segment's slope (never negative) beyond the last.
double curve_lookup_extended(const Curve& c, double x) {
    const auto n = c.x.size();
    if (n == 0)
        return 0;
    if (x <= c.x.front())
        return c.x.front() > 0 ? x / c.x.front() * c.y.front() : c.y.front();
    double slope = 0;
    for (std::size_t i = 1; i < n; ++i) {
        const double dx = c.x[i] - c.x[i - 1];
        if (dx != 0)
            slope = (c.y[i] - c.y[i - 1]) / dx;
        if (x <= c.x[i])
            return dx > 0 ? c.y[i - 1] + (x - c.x[i - 1]) * (c.y[i] - c.y[i - 1]) / dx : c.y[i];
    }
    return c.y.back() + std::max(slope, 0.0) * (x - c.x.back());
}

double roadway_discharge_coefficient(RoadSurface surface, double head_m, double tail_m,
                                     double road_width_m) {
    if (head_m <= 0)
        return 0;
    const bool paved = surface == RoadSurface::kPaved;
    double cr;
    if (head_m / road_width_m <= 0.15)
        cr = paved ? road_lookup({kCrLowPaved, 4}, head_m / kFoot)
                   : road_lookup({kCrLowGravel, 8}, head_m / kFoot);
    else
        cr = paved ? road_lookup({kCrHighPaved, 2}, head_m / road_width_m)
                   : road_lookup({kCrHighGravel, 2}, head_m / road_width_m);
    double kt = 1.0;
    if (tail_m > 0)
        kt = paved ? road_lookup({kKtPaved, 9}, tail_m / head_m)
                   : road_lookup({kKtGravel, 12}, tail_m / head_m);
    return cr * kt * std::sqrt(kFoot); // Q = C·L·h^1.5 in cfs → m³/s
}

namespace {

/// Builds the geometry of a link's cross-section; throws for shapes not supported.
CrossSection make_cross_section(const Network& net, LinkIndex l) {
    const auto& x = net.xsection[l.idx()];
    const auto& g = x.geom;
    switch (x.shape) {
    case XsectShape::kDummy:
        return CrossSection::dummy();
    case XsectShape::kCircular:
    case XsectShape::kForceMain: // a circle; its friction when full is the link's business
        return CrossSection::circular(g[0]);
    case XsectShape::kFilledCircular:
        return CrossSection::filled_circular(g[0], g[1]);
    case XsectShape::kRectClosed:
        return CrossSection::rect_closed(g[0], g[1]);
    case XsectShape::kRectOpen:
        return CrossSection::rect_open(g[0], g[1]);
    case XsectShape::kTrapezoidal:
        return CrossSection::trapezoidal(g[0], g[1], g[2], g[3]);
    case XsectShape::kTriangular:
        return CrossSection::triangular(g[0], g[1]);
    case XsectShape::kParabolic:
        return CrossSection::parabolic(g[0], g[1]);
    case XsectShape::kHorseshoe:
        return CrossSection::standard_closed(Shape::kHorseshoe, g[0]);
    case XsectShape::kEgg:
        return CrossSection::standard_closed(Shape::kEgg, g[0]);
    case XsectShape::kRectTriangular:
    case XsectShape::kRectRound:
    case XsectShape::kModBasketHandle:
    case XsectShape::kPower:
        try {
            switch (x.shape) {
            case XsectShape::kRectTriangular:
                return CrossSection::rect_triangular(g[0], g[1], g[2]);
            case XsectShape::kRectRound:
                return CrossSection::rect_round(g[0], g[1], g[2]);
            case XsectShape::kModBasketHandle:
                return CrossSection::mod_basket(g[0], g[1], g[2]);
            default:
                return CrossSection::power(g[0], g[1], g[2]);
            }
        } catch (const Error& e) {
            throw Error(e.code(), "link " + net.link_id[l.idx()] + ": " + e.what());
        }
    case XsectShape::kCustom: {
        const auto& c = net.curves.at(x.shape_curve.idx());
        try {
            return CrossSection::custom(tabulate_shape_curve(c.x, c.y, g[0]));
        } catch (const Error& e) {
            throw Error(e.code(),
                        "link " + net.link_id[l.idx()] + ": SHAPE curve " + c.id + ": " + e.what());
        }
    }
    case XsectShape::kStreet: // a street is a transect of curb, gutter, road and backing
        return CrossSection::irregular(tabulate_transect(
            street_profile(net.streets.at(static_cast<std::size_t>(x.street_index)))));
    case XsectShape::kIrregular: {
        const auto& t = net.transects.at(x.transect.idx());
        TransectProfile p;
        const double xf = t.station_factor > 0 ? t.station_factor : 1.0;
        for (std::size_t i = 0; i < t.station_m.size(); ++i) {
            p.station_m.push_back(t.station_m[i] * xf);
            p.elevation_m.push_back(t.elevation_m[i] + t.elevation_offset_m);
        }
        const double lf = t.meander_factor > 0 ? t.meander_factor : 1.0;
        p.n_channel = t.n_channel * std::sqrt(lf);
        p.n_left = t.n_left > 0 ? t.n_left : t.n_channel;
        p.n_right = t.n_right > 0 ? t.n_right : t.n_channel;
        p.left_bank_m = t.left_bank_m * xf;
        p.right_bank_m = t.right_bank_m * xf;
        return CrossSection::irregular(tabulate_transect(p));
    }
    default:
        throw Error(ErrorCode::kUnsupported, "link " + net.link_id[l.idx()] +
                                                 ": cross-section shape " +
                                                 std::string(xsect_shape_name(x.shape)) +
                                                 " is not yet supported by flow routing");
    }
}

} // namespace

RoutingSettings routing_settings(const Network& net) {
    const auto& o = net.options;
    RoutingSettings s;
    s.model = o.routing;
    s.route_step_s = o.routing_step_s > 0 ? o.routing_step_s : 20.0;
    s.courant_factor = o.variable_step;
    s.lengthening_step_s = o.lengthening_step_s;
    s.min_step_s = std::max(std::min(o.minimum_step_s, s.route_step_s), 0.001);
    if (o.min_surface_area_m2 > 0)
        s.min_surface_area_m2 = o.min_surface_area_m2;
    if (o.head_tolerance_m > 0)
        s.head_tolerance_m = o.head_tolerance_m;
    if (o.max_trials > 0)
        s.max_trials = o.max_trials;
    s.allow_ponding = o.allow_ponding;
    s.damping = o.inertial_damping;
    s.normal_flow_limited = o.normal_flow_limited;
    s.surcharge = o.surcharge_method;
    return s;
}

FlowRouter::FlowRouter(const Network& net, const RoutingSettings& settings)
    : net_(net), settings_(settings) {
    build_nodes();
    build_links();
    validate_node_depths();
    validate_dividers();
    if (settings_.model != FlowRouting::kDynwave)
        validate_tree_layout();
    auto outfall_flap = [&](int n) {
        return nodes_[n].kind == NodeKind::kOutfall &&
               net_.outfalls.flap_gate[net_.outfall_of_node[n]] != 0;
    };
    for (int j = 0; j < static_cast<int>(links_.size()); ++j) {
        auto& l = links_[j];
        l.outfall_flap1 = outfall_flap(l.n1);
        l.outfall_flap2 = outfall_flap(l.n2);
        if (l.kind == LinkKind::kConduit && l.xs.shape() != Shape::kDummy)
            dw_conduits_.push_back(j);
        else
            dw_others_.push_back(j);
        if (nodes_[l.n2].kind == NodeKind::kOutfall || nodes_[l.n1].kind == NodeKind::kOutfall)
            outfall_links_.push_back(j);
    }
    init_state();
    init_seepage();
}

void FlowRouter::init_seepage() {
    const auto& st = net_.storages;
    seepage_.resize(static_cast<std::size_t>(st.count()));
    for (int k = 0; k < st.count(); ++k) {
        auto& s = seepage_[k];
        if (!st.has_seepage[k] || st.seepage_ksat_ms[k] <= 0)
            continue;
        s.active = true;
        s.ksat_ms = st.seepage_ksat_ms[k];
        s.imd = st.seepage_initial_deficit[k];
        Infiltration ga;
        ga.model = InfiltrationModel::kModifiedGreenAmpt;
        ga.suction_m = st.seepage_suction_m[k];
        ga.ksat_ms = s.ksat_ms;
        ga.initial_deficit = s.imd;
        s.bottom = InfiltrationState(ga);
        s.bank = InfiltrationState(ga);
        constexpr double kBig = 1e10;
        if (st.shape[k] == StorageShape::kFunctional) {
            const auto& p = st.param[k];
            s.bottom_area_m2 = p[2] + (p[1] == 0 ? p[0] : 0.0);
            s.bank_max_depth_m = s.bank_max_area_m2 = kBig;
        } else if (st.shape[k] == StorageShape::kTabular && st.curve[k].valid()) {
            // banks: the rising part of the area curve above any flat bottom (SWMM exfil.c)
            const auto& c = net_.curves[st.curve[k].idx()];
            s.bottom_area_m2 = curve_lookup_extended(c, 0.0);
            double last = c.y.empty() ? 0.0 : c.y.front();
            for (std::size_t i = 1; i < c.x.size(); ++i) {
                const double a = c.y[i];
                if (a < last)
                    break;
                if (a > last) {
                    s.bank_max_area_m2 = a;
                    s.bank_max_depth_m = c.x[i];
                } else if (s.bank_max_area_m2 == 0) {
                    s.bank_min_depth_m = c.x[i];
                } else {
                    break;
                }
                last = a;
            }
        } else { // the 5.2 shapes: the area at depth 0 is the bottom, the rest are banks
            s.bottom_area_m2 = storage_shape_area(st.shape[k], st.param[k])[0];
            s.bank_max_depth_m = s.bank_max_area_m2 = kBig;
        }
    }
}

void FlowRouter::update_orifice_coefficients(LinkState& l) const {
    // orifice (cOrif) and weir-like (cWeir) coefficients for the current opening (SWMM
    // orifice_setSetting)
    const auto& o = net_.orifices;
    const double cd = o.discharge_coefficient[l.type_index];
    const double h = l.setting * l.xs.y_full_m();
    const double f = l.xs.area_m2(h) * std::sqrt(2.0 * kGravity);
    l.c_orif = cd * f;
    double hw;
    if (o.type[l.type_index] == OrificeType::kBottom) {
        const double a_over_l = l.xs.shape() == Shape::kCircular
                                    ? h / 4.0
                                    : h * l.xs.w_max_m() / (2.0 * (h + l.xs.w_max_m()));
        l.h_crit = cd / 0.414 * a_over_l;
        hw = l.h_crit;
    } else {
        l.h_crit = h;
        hw = h / 2.0;
    }
    l.c_weir = cd * std::sqrt(hw) * f;
}

void GageRainState::add_step(int step_s) {
    const double r = rain_ms;
    while (step_s > 0) {
        const int to_hour = 3600 - past_interval_s;
        if (step_s > to_hour) {
            past_m[0] += to_hour * r;
            for (std::size_t i = past_m.size() - 1; i > 0; --i)
                past_m[i] = past_m[i - 1];
            past_interval_s = 0;
            past_m[0] = 0;
            step_s -= to_hour;
        } else {
            past_m[0] += step_s * r;
            past_interval_s += step_s;
            step_s = 0;
        }
    }
}

double GageRainState::past_depth_m(int n) const {
    if (n < 1 || n >= static_cast<int>(past_m.size()))
        return 0.0;
    double total = 0;
    for (int i = 1; i <= n; ++i)
        total += past_m[static_cast<std::size_t>(i)];
    return total;
}

double FlowRouter::conduit_loss_rate(int j, bool dynamic_wave, double q, double dt) {
    auto& l = links_[static_cast<std::size_t>(j)];
    l.loss_rate = 0;
    l.evap_rate = 0;
    const double depth = 0.5 * (l.old_depth + l.depth);
    if (depth <= kFudgeLength)
        return 0;
    double evap =
        !l.xs_closed && evap_ms_ > 0 ? l.xs.top_width_m(depth) * l.length_m * evap_ms_ : 0.0;
    double seep = 0;
    if (l.seep_rate_ms > 0) {
        // the width at the depth, up to the widest (a closed rectangle's full width)
        const double width = l.xs.shape() == Shape::kRectClosed
                                 ? l.xs.w_max_m()
                                 : l.xs.top_width_m(std::min(depth, l.y_w_max));
        seep = l.seep_rate_ms * hydcon_ * width * l.length_m;
    }
    double total = evap + seep;
    // no more than the conduit holds over the step (dynamic wave) or carries
    const double limit = dynamic_wave ? l.volume / dt : std::abs(q);
    if (total > limit) {
        evap *= limit / total;
        total = limit;
    }
    l.loss_rate = total;
    l.evap_rate = evap;
    return total;
}

double FlowRouter::conduit_losses_m3s() const {
    double total = 0;
    for (const auto& l : links_)
        if (l.kind == LinkKind::kConduit)
            total += l.loss_rate * l.barrels;
    return total;
}

double FlowRouter::set_storage_losses(double dt, double evap_ms) {
    evap_ms_ = evap_ms;
    double total = 0;
    if (net_.storages.count() > 0) {
        storage_evap_m3_.assign(nodes_.size(), 0.0);
        storage_exfil_m3_.assign(nodes_.size(), 0.0);
    }
    for (int k = 0; k < net_.storages.count(); ++k) {
        const int n = net_.storages.node[k].idx();
        auto& nd = nodes_[n];
        const double depth = nd.depth;
        const double area = storage_area(n, depth);
        double evap = evap_ms * net_.storages.evap_factor[k];
        evap = nd.volume > kFudgeArea * kFoot ? evap * area : 0.0;
        double exfil = 0;
        auto& s = seepage_[k];
        if (s.active) {
            s.bottom.set_conductivity_factor(hydcon_);
            s.bank.set_conductivity_factor(hydcon_);
            exfil = (s.imd == 0 ? s.ksat_ms * hydcon_ : s.bottom.rate_ms(dt, 0, 0, depth)) *
                    s.bottom_area_m2;
            if (depth > s.bank_min_depth_m) {
                const double bank_area = std::min(area, s.bank_max_area_m2) - s.bottom_area_m2;
                if (bank_area > 0) {
                    double d = depth > s.bank_max_depth_m
                                   ? depth - s.bank_max_depth_m +
                                         (s.bank_max_depth_m - s.bank_min_depth_m) / 2.0
                                   : (depth - s.bank_min_depth_m) / 2.0;
                    exfil += bank_area *
                             (s.imd == 0 ? s.ksat_ms * hydcon_ : s.bank.rate_ms(dt, 0, 0, d));
                }
            }
        }
        const double loss = (evap + exfil) * dt;
        if (loss > nd.volume && loss > 0) {
            const double r = nd.volume / loss;
            evap *= r;
            exfil *= r;
        }
        nd.losses = evap + exfil;
        storage_evap_m3_[static_cast<std::size_t>(n)] = evap * dt;
        storage_exfil_m3_[static_cast<std::size_t>(n)] = exfil * dt;
        total += nd.losses;
    }
    return total;
}

void FlowRouter::build_nodes() {
    const int n = net_.node_count();
    nodes_.resize(n);
    for (int i = 0; i < n; ++i) {
        auto& s = nodes_[i];
        s.kind = net_.node_kind[i];
        s.invert_m = net_.invert_m[i];
        s.full_depth_m = net_.max_depth_m[i];
        s.sur_depth_m = net_.surcharge_depth_m[i];
        s.ponded_area_m2 = net_.ponded_area_m2[i];
        s.depth = net_.initial_depth_m[i];
        if (s.kind == NodeKind::kOutfall)
            s.full_depth_m = 0;
    }
}

void FlowRouter::build_links() {
    const int m = net_.link_count();
    links_.resize(m);
    const bool dw = settings_.model == FlowRouting::kDynwave;
    for (int j = 0; j < m; ++j) {
        const LinkIndex li(j);
        auto& l = links_[j];
        l.kind = net_.link_kind[j];
        l.n1 = net_.from_node[j].idx();
        l.n2 = net_.to_node[j].idx();
        l.type_index = net_.type_index[j];
        l.offset1 = net_.inlet_offset_depth_m(li);
        l.offset2 = net_.outlet_offset_depth_m(li);
        l.q_limit = net_.max_flow_m3s.empty() ? 0.0 : net_.max_flow_m3s[j];
        l.flow = net_.initial_flow_m3s.empty() ? 0.0 : net_.initial_flow_m3s[j];
        if (l.kind != LinkKind::kPump)
            l.xs = make_cross_section(net_, li);
        l.barrels = std::max(1, net_.xsection[j].barrels);
        l.culvert_code = static_cast<std::int16_t>(net_.xsection[j].culvert_code);
        const auto& loss = net_.losses[j];
        l.loss_inlet = loss.entry;
        l.loss_outlet = loss.exit;
        l.loss_avg = loss.average;
        l.flap_gate = loss.flap_gate;
        switch (l.kind) {
        case LinkKind::kConduit: {
            l.offset1 = std::max(l.offset1, 0.0);
            l.offset2 = std::max(l.offset2, 0.0);
            const auto& xs = net_.xsection[j];
            if (xs.shape == XsectShape::kFilledCircular) {
                l.offset1 += xs.geom[1];
                l.offset2 += xs.geom[1];
            }
            double roughness = net_.conduits.roughness[l.type_index];
            double length = net_.conduits.length_m[l.type_index];
            if (xs.shape == XsectShape::kStreet && xs.street_index >= 0)
                roughness = net_.streets[static_cast<std::size_t>(xs.street_index)].roughness;
            if (xs.shape == XsectShape::kIrregular) {
                const auto& t = net_.transects[xs.transect.idx()];
                const double lf = t.meander_factor > 0 ? t.meander_factor : 1.0;
                roughness = t.n_channel * std::sqrt(lf);
                length /= lf;
            }
            l.length_m = length;
            // slope from the end elevations along the pipe (SWMM conduit_getSlope)
            const double e1 = l.offset1 + nodes_[l.n1].invert_m;
            const double e2 = l.offset2 + nodes_[l.n2].invert_m;
            double delta = std::max(std::abs(e1 - e2), kMinDeltaZ);
            double slope = delta >= length ? delta / length
                                           : delta / std::sqrt(length * length - delta * delta);
            if (net_.options.min_slope > 0 && slope < net_.options.min_slope)
                slope = net_.options.min_slope;
            if (e1 < e2)
                slope = -slope;
            if (dw && slope < 0 && l.xs.shape() != Shape::kDummy) {
                // dynamic wave routes an uphill conduit reversed
                std::swap(l.n1, l.n2);
                std::swap(l.offset1, l.offset2);
                std::swap(l.loss_inlet, l.loss_outlet);
                slope = -slope;
                l.direction = -1;
                l.flow = -l.flow;
            }
            l.slope = slope;
            // A force main (dynamic wave): its partly full flow takes Manning with an n
            // equivalent to the pipe's full-flow friction (SWMM forcemain_getEquivN); its full
            // flow, the Hazen-Williams or Darcy-Weisbach friction slope (dw_conduit_flow).
            const bool force_main = xs.shape == XsectShape::kForceMain;
            if (force_main) {
                const bool hw =
                    net_.options.force_main_equation == ForceMainEquation::kHazenWilliams;
                const double rough = xs.geom[1];
                if (!(rough > 0))
                    throw Error(ErrorCode::kOutOfRange,
                                "force main " + net_.link_id[j] +
                                    ": its Hazen-Williams C or Darcy-Weisbach roughness (the "
                                    "second geometry value) must be positive (SWMM error 119)");
                // D-W roughness height as written (in or mm) to ft (SWMM UCF(RAINDEPTH))
                l.fm_roughness =
                    hw ? rough : rough / (is_si(net_.options.flow_units) ? 304.8 : 12.0);
                l.force_main = hw ? 1 : 2;
                if (dw) {
                    const double d_ft = l.xs.y_full_m() / kFoot;
                    if (hw)
                        roughness = 1.067 / l.fm_roughness * std::pow(d_ft / slope, 0.04);
                    else
                        roughness = std::sqrt(force_main_friction_factor(l.fm_roughness, d_ft / 4.0,
                                                                         1.0e12) /
                                              185.0) *
                                    std::pow(d_ft, 1.0 / 6.0);
                }
            }
            // SWMM's force main has the circle's section factor with R^0.63 instead of R^(2/3)
            // (in ft): the circle's curve scaled by R_full^(0.63 − 2/3)
            const double s_scale =
                force_main ? std::pow(l.xs.r_full_m() / kFoot, 0.63 - 2.0 / 3.0) : 1.0;
            double lengthen = 1.0;
            if (dw && settings_.lengthening_step_s > 0 && l.xs.shape() != Shape::kDummy) {
                double y_full = l.xs.y_full_m();
                if (!l.xs.is_closed())
                    y_full = l.xs.a_full_m2() / l.xs.top_width_m(y_full);
                const double v_full = s_scale * l.xs.s_full() * std::sqrt(std::abs(slope)) /
                                      roughness / l.xs.a_full_m2();
                const double t = std::min(settings_.route_step_s, settings_.lengthening_step_s);
                const double ratio = (std::sqrt(kGravity * y_full) + v_full) * t / length;
                lengthen = std::max(ratio, 1.0);
            }
            l.mod_length_m = length * lengthen;
            if (lengthen != 1.0) {
                slope /= lengthen;
                roughness /= std::sqrt(lengthen);
            }
            if (force_main && dw)
                l.fm_s_bot =
                    l.force_main == 1
                        ? kGravity / kFoot /
                              std::pow(1.318 * l.fm_roughness * std::pow(lengthen, 0.54), 1.852)
                        : 1.0 / 8.0 / lengthen;
            l.rough_factor = kGravity * roughness * roughness;
            l.beta = l.xs.shape() == Shape::kDummy ? 0.0 : std::sqrt(std::abs(slope)) / roughness;
            l.beta *= s_scale; // a force main's section factor, carried in beta
            l.q_full = l.xs.s_full() * l.beta;
            l.q_max = l.xs.s_max() * l.beta;
            l.has_losses = l.loss_inlet != 0 || l.loss_outlet != 0 || l.loss_avg != 0;
            l.seep_rate_ms = loss.seepage_ms;
            // depth of the widest width: the full depth of an open channel, else the first
            // of 200 depths where a closed section is widest (a circle's half depth)
            l.y_w_max = l.xs.y_full_m();
            if (l.seep_rate_ms > 0 && l.xs.is_closed() && l.xs.shape() != Shape::kDummy) {
                double widest = -1;
                for (int i = 0; i <= 200; ++i) {
                    const double y = l.xs.y_full_m() * i / 200.0;
                    const double w = l.xs.top_width_m(y);
                    if (w > widest * (1.0 + 1e-12)) {
                        widest = w;
                        l.y_w_max = y;
                    }
                }
            }
            break;
        }
        case LinkKind::kPump: {
            const auto& p = net_.pumps;
            const auto curve = p.curve[l.type_index];
            l.pump_on = p.initially_on[l.type_index] != 0;
            l.setting = l.pump_on ? 1.0 : 0.0;
            if (curve.valid()) {
                const auto& c = net_.curves[curve.idx()];
                if (!c.x.empty()) {
                    l.pump_x_min = c.x.front();
                    l.pump_x_max = c.x.back();
                    l.q_full = *std::max_element(c.y.begin(), c.y.end());
                }
            }
            break;
        }
        case LinkKind::kOrifice:
        case LinkKind::kWeir: {
            l.offset1 = std::max(l.offset1, 0.0);
            l.reg_length = std::max(200.0 * kFoot, 2.0 * settings_.route_step_s *
                                                       std::sqrt(kGravity * l.xs.y_full_m()));
            if (l.kind == LinkKind::kOrifice) {
                l.flap_gate = net_.orifices.flap_gate[l.type_index] != 0;
                l.open_close_time_s = net_.orifices.open_close_time_s[l.type_index];
                update_orifice_coefficients(l);
            } else {
                l.flap_gate = net_.weirs.flap_gate[l.type_index] != 0;
                const auto type = net_.weirs.type[l.type_index];
                // equivalent orifice coefficient for a surcharged weir: full-height flow at
                // half the height as head
                const double hf = l.xs.y_full_m();
                double q1 = 0, q2 = 0;
                const auto& w = net_.weirs;
                const double cd = w.coefficient[l.type_index];
                const double len = l.xs.w_max_m();
                switch (type) {
                case WeirType::kTransverse:
                    q1 = cd * std::max(len - 0.1 * w.end_contractions[l.type_index] * hf, 0.0) *
                         std::pow(hf, 1.5);
                    break;
                case WeirType::kSideflow:
                    q1 = cd *
                         std::pow(std::max(len - 0.1 * w.end_contractions[l.type_index] * hf, 0.0),
                                  0.83) *
                         std::pow(hf, 1.67);
                    break;
                default:
                    q1 = 0;
                    break;
                }
                l.c_surcharge = (q1 + q2) / std::sqrt(hf / 2.0);
            }
            break;
        }
        case LinkKind::kOutlet:
            l.offset1 = std::max(l.offset1, 0.0);
            l.flap_gate = net_.outlets.flap_gate[l.type_index] != 0;
            break;
        }
        if (dw && (l.kind == LinkKind::kOrifice || l.kind == LinkKind::kWeir ||
                   l.kind == LinkKind::kOutlet)) {
            // a regulator's crest may not lie below the downstream invert in dynamic wave
            const double crest = nodes_[l.n1].invert_m + l.offset1;
            if (crest < nodes_[l.n2].invert_m)
                l.offset1 = nodes_[l.n2].invert_m - nodes_[l.n1].invert_m;
        }
    }
    // Node full depth reaches at least the crown of every connected link (SWMM link_validate).
    for (const auto& l : links_) {
        const bool bottom_orifice = l.kind == LinkKind::kOrifice &&
                                    net_.orifices.type[l.type_index] == OrificeType::kBottom;
        if (l.kind == LinkKind::kPump || bottom_orifice)
            continue;
        auto& a = nodes_[l.n1];
        if (a.kind != NodeKind::kOutfall && (a.kind != NodeKind::kStorage || a.sur_depth_m > 0))
            a.full_depth_m = std::max(a.full_depth_m, l.offset1 + l.xs.y_full_m());
        auto& b = nodes_[l.n2];
        if (b.kind != NodeKind::kOutfall && (b.kind != NodeKind::kStorage || b.sur_depth_m > 0) &&
            l.kind == LinkKind::kConduit)
            b.full_depth_m = std::max(b.full_depth_m, l.offset2 + l.xs.y_full_m());
    }
    for (const auto& l : links_) {
        nodes_[l.n1].degree++;
        // SWMM counts a link as inflow to its second node, or to its first when that is an
        // outfall (validateGeneralLayout)
        nodes_[nodes_[l.n1].kind == NodeKind::kOutfall ? l.n1 : l.n2].has_inflow_link = true;
    }
    // Kinematic wave: links in topological order so that each sees its inflows.
    const int n = net_.node_count();
    std::vector<int> indeg(n, 0);
    for (const auto& l : links_)
        indeg[l.n2]++;
    std::vector<int> queue;
    for (int i = 0; i < n; ++i)
        if (indeg[i] == 0)
            queue.push_back(i);
    std::vector<std::vector<int>> out(n);
    for (int j = 0; j < static_cast<int>(links_.size()); ++j)
        out[links_[j].n1].push_back(j);
    // A divider's diversion link after its other outflow link: an OVERFLOW divider diverts
    // what the other link did not take (SWMM toposort adjustAdjList).
    for (int d = 0; d < net_.dividers.count(); ++d) {
        auto& o = out[net_.dividers.node[d].idx()];
        const LinkIndex diverted = net_.dividers.diverted_link[d];
        if (o.size() == 2 && diverted.valid() && o[0] == static_cast<int>(diverted.idx()))
            std::swap(o[0], o[1]);
    }
    for (std::size_t q = 0; q < queue.size(); ++q) {
        for (int j : out[queue[q]]) {
            sorted_links_.push_back(j);
            if (--indeg[links_[j].n2] == 0)
                queue.push_back(links_[j].n2);
        }
    }
    if (settings_.model != FlowRouting::kDynwave && sorted_links_.size() != links_.size())
        throw Error(ErrorCode::kInconsistent,
                    "the network has a loop; kinematic wave needs a tree (use DYNWAVE)");
}

void FlowRouter::validate_node_depths() const {
    // after the full depths reach the connected crowns (build_links), as SWMM's node_validate
    // runs after link_validate
    auto text = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
        const auto& nd = nodes_[n];
        if (nd.depth > nd.full_depth_m + nd.sur_depth_m)
            throw Error(ErrorCode::kOutOfRange,
                        "node " + net_.node_id[n] + ": its initial depth " + text(nd.depth) +
                            " m exceeds its maximum depth " +
                            text(nd.full_depth_m + nd.sur_depth_m) +
                            " m (full depth and surcharge depth; SWMM error 138)");
    }
}

void FlowRouter::validate_dividers() const {
    const auto& d = net_.dividers;
    for (int k = 0; k < d.count(); ++k) {
        const int n = d.node[k].idx();
        const std::string& id = net_.node_id[n];
        const LinkIndex l = d.diverted_link[k];
        if (!l.valid() || (links_[l.idx()].n1 != n && links_[l.idx()].n2 != n))
            throw Error(ErrorCode::kInconsistent,
                        "divider " + id +
                            ": its diversion link is not connected to it (SWMM "
                            "error 136)");
        if (d.type[k] == DividerType::kWeir) {
            const double h = d.weir_max_depth_m[k], cw = d.weir_coefficient[k];
            if (!(h > 0) || !(cw > 0) || d.weir_min_flow_m3s[k] > cw * std::pow(h, 1.5))
                throw Error(ErrorCode::kInconsistent,
                            "weir divider " + id +
                                ": the weir height and coefficient must be positive and the "
                                "minimum flow at most the full weir's flow Cw·H^1.5 (SWMM "
                                "error 137)");
        }
    }
}

void FlowRouter::validate_tree_layout() const {
    for (int n = 0; n < static_cast<int>(nodes_.size()); ++n) {
        const auto& nd = nodes_[n];
        const std::string& id = net_.node_id[n];
        switch (nd.kind) {
        case NodeKind::kDivider:
            if (nd.degree > 2)
                throw Error(ErrorCode::kInconsistent,
                            "divider " + id + " has " + std::to_string(nd.degree) +
                                " outflow links; a divider has two (SWMM error 135)");
            break;
        case NodeKind::kOutfall:
            if (nd.degree > 0)
                throw Error(ErrorCode::kInconsistent,
                            "outfall " + id +
                                " is the upstream node of a link; kinematic wave needs outfalls "
                                "at the downstream ends (SWMM error 141)");
            break;
        case NodeKind::kStorage:
            break;
        default:
            if (nd.degree > 1)
                throw Error(ErrorCode::kInconsistent,
                            "node " + id + " has " + std::to_string(nd.degree) +
                                " outflow links; under kinematic wave only a divider or a "
                                "storage unit may have more than one (SWMM error 133; use "
                                "DYNWAVE or a divider)");
        }
    }
    for (int j = 0; j < static_cast<int>(links_.size()); ++j) {
        const auto& l = links_[j];
        const std::string& id = net_.link_id[j];
        if (l.kind == LinkKind::kConduit && l.xs.shape() != Shape::kDummy && l.slope < 0)
            throw Error(ErrorCode::kInconsistent,
                        "conduit " + id +
                            " slopes upward from its first node to its second; kinematic wave "
                            "needs downhill conduits (SWMM error 115; use DYNWAVE)");
        if ((l.kind == LinkKind::kOrifice || l.kind == LinkKind::kWeir ||
             l.kind == LinkKind::kOutlet) &&
            nodes_[l.n1].kind != NodeKind::kStorage)
            throw Error(ErrorCode::kInconsistent,
                        "regulator " + id + " leaves node " + net_.node_id[l.n1] +
                            ", which is not a storage unit; under kinematic wave regulators are "
                            "storage outlets (SWMM error 139)");
    }
}

double FlowRouter::divider_outflow(int n, int j) const {
    const auto& d = net_.dividers;
    const auto k = static_cast<std::size_t>(net_.divider_of_node[n]);
    const auto& nd = nodes_[n];
    const double q_in = nd.inflow + nd.overflow;
    const bool diversion =
        d.diverted_link[k].valid() && d.diverted_link[k].idx() == static_cast<std::size_t>(j);
    double q_div = 0; // diverted flow (SWMM divider_getOutflow)
    switch (d.type[k]) {
    case DividerType::kCutoff:
        q_div = q_in <= d.cutoff_flow_m3s[k] ? 0.0 : q_in - d.cutoff_flow_m3s[k];
        break;
    case DividerType::kOverflow: {
        // the other link takes what it can (its inflow limited to its full flow); the
        // diversion link, evaluated after it, gets the rest
        if (!diversion)
            return q_in;
        const double q = q_in - nd.outflow;
        return q < kFlowTolerance ? 0.0 : q;
    }
    case DividerType::kWeir: {
        const double q_min = d.weir_min_flow_m3s[k];
        const double q_max = d.weir_coefficient[k] * std::pow(d.weir_max_depth_m[k], 1.5);
        if (q_in > q_min) {
            const double f = (q_in - q_min) / (q_max - q_min);
            q_div = f > 1.0 ? q_max * std::sqrt(f) // surcharged weir: orifice flow
                            : d.weir_coefficient[k] * std::pow(f * d.weir_max_depth_m[k], 1.5);
        }
        break;
    }
    case DividerType::kTabular:
        q_div = d.curve[k].valid() ? curve_lookup(net_.curves[d.curve[k].idx()], q_in) : 0.0;
        break;
    }
    q_div = std::min(q_div, q_in);
    return diversion ? q_div : q_in - q_div;
}

void FlowRouter::init_state() {
    const bool dw = settings_.model == FlowRouting::kDynwave;
    crown_cutoff_ = settings_.surcharge == SurchargeMethod::kSlot ? 0.985257 : 0.96;
    // Section constants the dynamic wave would otherwise recompute in every trial.
    for (auto& l : links_) {
        l.xs_closed = l.xs.is_closed();
        l.crown_width_m =
            l.xs_closed ? l.xs.geometry(crown_cutoff_ * l.xs.y_full_m()).top_width_m : 0.0;
    }
    for (auto& nd : nodes_) {
        nd.crown_depth_m = 0;
        nd.full_volume_m3 = 0;
    }
    for (const auto& l : links_) {
        if (l.kind == LinkKind::kPump)
            continue;
        nodes_[l.n1].crown_depth_m =
            std::max(nodes_[l.n1].crown_depth_m, l.offset1 + l.xs.y_full_m());
        nodes_[l.n2].crown_depth_m =
            std::max(nodes_[l.n2].crown_depth_m, l.offset2 + l.xs.y_full_m());
    }
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
        auto& nd = nodes_[i];
        if (nd.kind != NodeKind::kStorage)
            continue;
        nd.full_volume_m3 = storage_volume(i, nd.full_depth_m);
        // SWMM node_validate: no negative volume at full depth (error 140); nor one that
        // overflows (a functional shape's power)
        if (!(nd.full_volume_m3 >= 0) || !std::isfinite(nd.full_volume_m3) ||
            !std::isfinite(storage_volume(i, nd.full_depth_m + nd.sur_depth_m)))
            throw Error(ErrorCode::kOutOfRange,
                        "storage unit " + net_.node_id[i] +
                            ": its volume at full depth is negative or not a finite number "
                            "(SWMM error 140)");
    }
    // A type-1 pump's wet well holds at least the curve's largest volume (SWMM pump_validate).
    for (const auto& l : links_) {
        if (l.kind != LinkKind::kPump)
            continue;
        const auto curve = net_.pumps.curve[l.type_index];
        if (curve.valid() && net_.curves[curve.idx()].type == CurveType::kPump1 &&
            nodes_[l.n1].kind != NodeKind::kStorage)
            nodes_[l.n1].full_volume_m3 = std::max(nodes_[l.n1].full_volume_m3, l.pump_x_max);
    }
    // a conduit given an initial flow starts at its normal depth (SWMM conduit_initState);
    // steady flow routing then starts every link without flow (SWMM initLinks)
    for (auto& l : links_)
        if (l.kind == LinkKind::kConduit && l.flow != 0)
            l.depth = normal_depth(l, l.flow / l.barrels);
    if (settings_.model == FlowRouting::kSteady)
        for (auto& l : links_)
            l.flow = 0;
    if (dw) {
        // initial node depths: average of connected link depths unless given (SWMM
        // initNodeDepths), then conduit depths halfway between their end depths.
        std::vector<double> sum(nodes_.size(), 0.0), cnt(nodes_.size(), 0.0);
        for (auto& l : links_) {
            const double y = l.depth > kFudgeLength ? l.depth + l.offset1 : 0.0;
            sum[l.n1] += y;
            cnt[l.n1] += 1;
            sum[l.n2] += y;
            cnt[l.n2] += 1;
        }
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            auto& nd = nodes_[i];
            if (nd.kind == NodeKind::kOutfall || nd.kind == NodeKind::kStorage || nd.depth > 0)
                continue;
            if (cnt[i] > 0)
                nd.depth = sum[i] / cnt[i];
        }
        set_outfall_depths(0);
        for (auto& l : links_) {
            if (l.kind != LinkKind::kConduit || l.flow != 0)
                continue;
            const double y1 = std::clamp(nodes_[l.n1].depth - l.offset1, 0.0, l.xs.y_full_m());
            const double y2 = std::clamp(nodes_[l.n2].depth - l.offset2, 0.0, l.xs.y_full_m());
            l.depth = std::max(0.5 * (y1 + y2), kFudgeLength);
        }
    }
    init_volumes();
}

void FlowRouter::init_volumes() {
    // SWMM initNodes and initLinks: volumes from the depths, a node's inflow its lateral inflow
    // plus what its links bring, the conduits' end flows and areas from their flow and depth
    for (int i = 0; i < static_cast<int>(nodes_.size()); ++i) {
        auto& nd = nodes_[i];
        nd.old_depth = nd.depth;
        nd.volume = node_volume(i, nd.depth);
        if (settings_.allow_ponding && nd.ponded_area_m2 > 0 && nd.depth > nd.full_depth_m)
            nd.volume = nd.full_volume_m3 + (nd.depth - nd.full_depth_m) * nd.ponded_area_m2;
        nd.old_volume = nd.volume;
        nd.inflow = nd.lat_flow;
        nd.outflow = 0;
    }
    for (auto& l : links_) {
        if (l.kind == LinkKind::kConduit) {
            l.q1 = l.q2 = l.flow / l.barrels;
            l.a1 = l.a2 = l.xs.geometry(l.depth).area_m2;
            l.volume = l.a1 * l.length_m * l.barrels;
            l.old_volume = l.volume;
        }
        if (l.flow >= 0) {
            nodes_[l.n1].outflow += l.flow;
            nodes_[l.n2].inflow += l.flow;
        } else {
            nodes_[l.n1].inflow -= l.flow;
            nodes_[l.n2].outflow -= l.flow;
        }
    }
}

void FlowRouter::start_from(const std::vector<double>& node_depth_m,
                            const std::vector<double>& node_lateral_m3s,
                            const std::vector<double>& link_flow_m3s,
                            const std::vector<double>& link_depth_m,
                            const std::vector<double>& link_setting) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        nodes_[i].depth = node_depth_m[i];
        nodes_[i].lat_flow = node_lateral_m3s[i];
    }
    for (std::size_t j = 0; j < links_.size(); ++j) {
        auto& l = links_[j];
        l.flow = settings_.model == FlowRouting::kSteady ? 0.0 : link_flow_m3s[j];
        l.depth = link_depth_m[j];
        l.setting = l.target_setting = link_setting[j];
        l.old_flow = l.flow;
        l.old_depth = l.depth;
        if (l.kind == LinkKind::kOrifice)
            update_orifice_coefficients(l);
    }
    init_volumes();
}

double FlowRouter::stored_volume_m3() const {
    double v = 0;
    for (const auto& nd : nodes_)
        v += nd.volume;
    for (const auto& l : links_)
        v += l.volume;
    return v;
}

double FlowRouter::final_stored_volume_m3() const {
    if (settings_.model != FlowRouting::kSteady)
        return stored_volume_m3();
    double v = 0;
    for (const auto& nd : nodes_)
        v += nd.volume;
    return v;
}

std::array<double, 3> storage_shape_area(StorageShape shape, const std::array<double, 3>& p) {
    constexpr double kPi = 3.14159265358979323846;
    const double a = p[0] / 2.0, b = p[1] / 2.0; // semi-axes of an elliptical base or top
    switch (shape) {
    case StorageShape::kCylindrical: // an elliptical cylinder
        return {kPi * a * b, 0.0, 0.0};
    case StorageShape::kConical: // an elliptical frustum whose axes grow by the side slope
        return {kPi * a * b, 2.0 * kPi * b * p[2], a > 0 ? kPi * b / a * p[2] * p[2] : 0.0};
    case StorageShape::kParabolic: // an elliptical paraboloid of height p2: A grows with d
        return {0.0, p[2] > 0 ? kPi * a * b / p[2] : 0.0, 0.0};
    case StorageShape::kPyramidal: // a rectangular frustum: (L + 2Zd)(W + 2Zd)
        return {p[0] * p[1], 2.0 * (p[0] + p[1]) * p[2], 4.0 * p[2] * p[2]};
    default:
        return {0.0, 0.0, 0.0};
    }
}

double FlowRouter::storage_area(int n, double d) const {
    const int k = net_.storage_of_node[n];
    const auto& s = net_.storages;
    switch (s.shape[k]) {
    case StorageShape::kTabular:
        return s.curve[k].valid() ? curve_lookup_extended(net_.curves[s.curve[k].idx()], d) : 0.0;
    case StorageShape::kFunctional: {
        const auto& p = s.param[k];
        // a zero coefficient adds nothing, whatever the power (0·∞ would be NaN)
        return p[0] == 0 ? p[2] : p[2] + p[0] * std::pow(d, p[1]);
    }
    default: {
        const auto c = storage_shape_area(s.shape[k], s.param[k]);
        const double y = std::max(d, 0.0);
        return c[0] + y * (c[1] + y * c[2]);
    }
    }
}

double FlowRouter::storage_volume(int n, double d) const {
    if (d <= 0)
        return 0;
    const int k = net_.storage_of_node[n];
    const auto& s = net_.storages;
    if (s.shape[k] == StorageShape::kFunctional) {
        const auto& p = s.param[k];
        const double e = p[1] + 1.0;
        return p[0] == 0 ? p[2] * d : p[2] * d + p[0] / e * std::pow(d, e);
    }
    if (s.shape[k] != StorageShape::kTabular) { // the integral of c0 + c1·d + c2·d²
        const auto c = storage_shape_area(s.shape[k], s.param[k]);
        return d * (c[0] + d * (c[1] / 2.0 + d * c[2] / 3.0));
    }
    if (!s.curve[k].valid())
        return 0;
    // trapezoidal integration of the linear area curve (extrapolated past its ends)
    const auto& c = net_.curves[s.curve[k].idx()];
    double v = 0, x0 = 0, a0 = curve_lookup_extended(c, 0.0);
    for (std::size_t i = 0; i < c.x.size() && c.x[i] < d; ++i) {
        if (c.x[i] <= x0)
            continue;
        const double a = c.y[i];
        v += 0.5 * (a0 + a) * (c.x[i] - x0);
        x0 = c.x[i];
        a0 = a;
    }
    const double a = curve_lookup_extended(c, d);
    v += 0.5 * (a0 + a) * (d - x0);
    return v;
}

double FlowRouter::storage_depth(int n, double v) const {
    const auto& nd = nodes_[n];
    if (nd.full_volume_m3 > 0 && v >= nd.full_volume_m3)
        return nd.full_depth_m;
    if (v <= 0)
        return 0;
    double lo = 0, hi = nd.full_depth_m > 0 ? nd.full_depth_m : 1.0;
    while (storage_volume(n, hi) < v && hi < 1e4)
        hi *= 2;
    double d = 0.5 * (lo + hi);
    for (int it = 0; it < 100; ++it) {
        const double f = storage_volume(n, d) - v;
        if (std::abs(f) <= 1e-10 * std::max(v, 1.0))
            break;
        if (f > 0)
            hi = d;
        else
            lo = d;
        const double a = storage_area(n, d);
        double next = a > 0 ? d - f / a : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        d = next;
        if (hi - lo < 1e-12)
            break;
    }
    return std::min(d, nd.full_depth_m);
}

double FlowRouter::node_volume(int n, double d) const {
    const auto& nd = nodes_[n];
    if (nd.kind == NodeKind::kStorage) {
        if (d >= nd.full_depth_m && nd.full_volume_m3 > 0)
            return nd.full_volume_m3;
        return storage_volume(n, d);
    }
    // non-storage nodes hold no volume below their rim (SWMM node_getVolume)
    if (nd.full_depth_m > 0)
        return nd.full_volume_m3 * (d / nd.full_depth_m);
    return 0;
}

double FlowRouter::node_depth_of_volume(int n, double v) const {
    if (nodes_[n].kind == NodeKind::kStorage)
        return storage_depth(n, v);
    return 0;
}

double FlowRouter::normal_depth(const LinkState& l, double q) const {
    if (l.kind != LinkKind::kConduit || l.xs.shape() == Shape::kDummy)
        return 0;
    q = std::min(std::abs(q), l.q_max);
    if (q <= 0 || l.beta <= 0)
        return 0;
    return l.xs.depth_of_section_factor_m(q / l.beta);
}

double FlowRouter::critical_depth(const LinkState& l, double q) const {
    if (l.kind != LinkKind::kConduit)
        return 0;
    return l.xs.critical_depth_fast_m(q, kGravity);
}

double FlowRouter::outfall_depth(int n, double y_norm, double y_crit, double z, double t_s) const {
    const int k = net_.outfall_of_node[n];
    const auto& o = net_.outfalls;
    const double invert = nodes_[n].invert_m;
    double stage = invert;
    switch (o.type[k]) {
    case OutfallType::kFree:
        return z > 0 ? 0.0 : std::min(y_norm, y_crit);
    case OutfallType::kNormal:
        return z > 0 ? 0.0 : y_norm;
    case OutfallType::kFixed:
        stage = o.fixed_stage_m[k];
        break;
    case OutfallType::kTidal: {
        const auto& c = net_.curves[o.tidal_curve[k].idx()];
        const double start_tod = static_cast<double>(net_.options.start.time_of_day);
        const double hour_s = std::fmod(start_tod + t_s, 86400.0);
        const double x0 = c.x.empty() ? 0.0 : c.x.front();
        stage = curve_lookup(c, x0 + hour_s);
        break;
    }
    case OutfallType::kTimeSeries: {
        const auto& s = net_.series[o.stage_series[k].idx()];
        Curve c;
        c.x = s.time_s;
        c.y = s.value;
        stage = curve_lookup(c, t_s); // ends held (SWMM extends the stage series)
        break;
    }
    }
    y_crit = std::min(y_crit, y_norm);
    if (y_crit + z + invert < stage)
        return stage - invert;
    if (z > 0)
        return stage < invert + z ? std::max(0.0, stage - invert) : z + y_crit;
    return y_crit;
}

void FlowRouter::set_outfall_depths(double t_s) {
    for (const int j : outfall_links_) {
        const auto& l = links_[j];
        int n;
        double z;
        if (nodes_[l.n2].kind == NodeKind::kOutfall) {
            n = l.n2;
            z = l.offset2;
        } else if (nodes_[l.n1].kind == NodeKind::kOutfall) {
            n = l.n1;
            z = l.offset1;
        } else {
            continue;
        }
        double yn = 0, yc = 0;
        if (l.kind == LinkKind::kConduit) {
            const double q = std::abs(l.flow / l.barrels);
            yn = normal_depth(l, q);
            yc = critical_depth(l, q);
        }
        nodes_[n].depth = outfall_depth(n, yn, yc, z, t_s);
    }
}

double FlowRouter::node_max_outflow(int n, double q, double dt) const {
    const auto& nd = nodes_[n];
    if (nd.full_volume_m3 > 0)
        q = std::min(q, nd.inflow + nd.old_volume / dt);
    return std::max(0.0, q);
}

double FlowRouter::regulator_flow(int j) {
    auto& l = links_[j];
    const auto& a = nodes_[l.n1];
    const auto& b = nodes_[l.n2];
    const bool dw = settings_.model == FlowRouting::kDynwave;
    double h1 = a.depth + a.invert_m;
    double h2 = dw ? b.depth + b.invert_m : a.invert_m;
    switch (l.kind) {
    case LinkKind::kPump: {
        l.flow_class = FlowClass::kDry;
        l.dqdh = 0;
        const int k = l.type_index;
        if (l.setting == 0)
            return 0;
        const auto curve = net_.pumps.curve[k];
        double q = 0;
        if (!curve.valid()) {
            q = a.inflow + a.overflow; // ideal pump passes what arrives
        } else {
            const auto& c = net_.curves[curve.idx()];
            // off the curve's range of x: SWMM marks the pump's flow class (UP_DRY, or
            // DN_DRY below a type-4 curve), which its pumping summary counts
            const auto off = [&](double x) {
                if (x < l.pump_x_min || x > l.pump_x_max)
                    l.flow_class = FlowClass::kUpDry;
            };
            switch (c.type) {
            case CurveType::kPump1:
                q = curve_interval(c, a.volume);
                off(a.volume);
                break;
            case CurveType::kPump2:
                q = curve_interval(c, a.depth);
                off(a.depth);
                break;
            case CurveType::kPump3:
            case CurveType::kPump5: {
                // TYPE5: the TYPE3 curve at full speed, moved by the affinity laws to the speed
                // setting s (the head seen at full speed is H/s², the flow s·Q; SWMM
                // pump_getInflow)
                // the lift between the two nodes' heads under every routing (SWMM
                // pump_getInflow; the regulators' kinematic-wave downstream head is their
                // upstream invert, not a pump's)
                const double s = c.type == CurveType::kPump5 ? l.setting : 1.0;
                const double lift = b.depth + b.invert_m - h1;
                const double head = std::max(lift / s / s, 0.0);
                q = curve_lookup(c, head);
                l.dqdh = -curve_slope(c, head) / s;
                off(head);
                break;
            }
            case CurveType::kPump4: {
                const double dh = 0.001 * kFoot;
                q = curve_lookup(c, a.depth);
                l.dqdh = (curve_lookup(c, a.depth + dh) - q) / dh;
                if (a.depth < l.pump_x_min)
                    l.flow_class = FlowClass::kDnDry;
                if (a.depth > l.pump_x_max)
                    l.flow_class = FlowClass::kUpDry;
                break;
            }
            default:
                break;
            }
        }
        return std::max(q, 0.0) * l.setting;
    }
    case LinkKind::kOrifice: {
        double dir = h1 >= h2 ? 1.0 : -1.0;
        double y1 = a.depth;
        if (dir < 0) {
            std::swap(h1, h2);
            y1 = b.depth;
        }
        const bool bottom = net_.orifices.type[l.type_index] == OrificeType::kBottom;
        const double hcrest = a.invert_m + l.offset1;
        double head, f;
        if (bottom) {
            head = h1 < hcrest ? 0.0 : (h2 > hcrest ? h1 - h2 : h1 - hcrest);
            f = std::min(head / l.h_crit, 1.0);
        } else {
            const double hcrown = hcrest + l.xs.y_full_m() * l.setting;
            const double hmid = 0.5 * (hcrest + hcrown);
            f = (h1 < hcrown && hcrown > hcrest) ? (h1 - hcrest) / (hcrown - hcrest) : 1.0;
            head = f < 1.0 ? h1 - hcrest : (h2 < hmid ? h1 - hmid : h1 - h2);
        }
        if (head <= kFudgeLength || y1 <= kFudgeLength || flap_blocks(l, dir)) {
            l.depth = 0;
            l.flow_class = FlowClass::kDry;
            l.reg_surf_area = kFudgeLength * l.reg_length;
            l.dqdh = 0;
            return 0;
        }
        l.flow_class = FlowClass::kSubcritical;
        if (hcrest > h2)
            l.flow_class = dir > 0 ? FlowClass::kDnCritical : FlowClass::kUpCritical;
        const double yo = l.xs.y_full_m() * l.setting;
        if (!bottom) {
            l.depth = yo * f;
            l.reg_surf_area = l.xs.top_width_m(l.depth) * l.reg_length;
        } else {
            l.depth = yo;
            l.reg_surf_area = l.xs.area_m2(yo);
        }
        double q;
        if (f <= 0) {
            q = 0;
            l.dqdh = 0;
        } else if (f < 1.0) {
            q = l.c_weir * std::pow(f, 1.5);
            l.dqdh = 1.5 * q / (f * l.h_crit);
        } else {
            q = l.c_orif * std::sqrt(head);
            l.dqdh = q / (2.0 * head);
        }
        q *= dir;
        if (f < 1.0 && h2 > hcrest) {
            const double ratio = (h2 - hcrest) / (h1 - hcrest);
            q *= std::pow(1.0 - std::pow(ratio, 1.5), 0.385);
        }
        return q;
    }
    case LinkKind::kWeir: {
        const double dir = h1 > h2 ? 1.0 : -1.0;
        if (dir < 0)
            std::swap(h1, h2);
        const int k = l.type_index;
        const auto& w = net_.weirs;
        double hcrest = a.invert_m + l.offset1;
        const double hcrown = hcrest + l.xs.y_full_m();
        if (w.type[k] == WeirType::kRoadway) {
            // FHWA overtopping of the road crest: Q = C·L·h^1.5, C from the road surface and
            // the heads when the width and surface are given, else the coefficient as written;
            // no gate, setting or surcharge (SWMM 5.2 roadway weir)
            const double head_road = h1 - hcrest;
            double q = 0;
            l.dqdh = 0;
            if (head_road > kFudgeLength) {
                const double width = w.road_width_m[k];
                const auto surface = w.road_surface[k];
                const double c =
                    width > 0 && surface != RoadSurface::kNone
                        ? roadway_discharge_coefficient(surface, head_road, h2 - hcrest, width)
                        : w.coefficient[k];
                q = c * l.xs.w_max_m() * std::pow(head_road, 1.5);
                l.dqdh = 1.5 * q / head_road;
            }
            l.depth = std::max(head_road, 0.0);
            l.flow_class = FlowClass::kSubcritical;
            if (hcrest > h2)
                l.flow_class = dir > 0 ? FlowClass::kDnCritical : FlowClass::kUpCritical;
            return dir * q;
        }
        hcrest += (1.0 - l.setting) * l.xs.y_full_m();
        double head = h1 - hcrest;
        l.dqdh = 0;
        if (head <= kFudgeLength || hcrest >= hcrown || flap_blocks(l, dir)) {
            l.depth = 0;
            l.flow_class = FlowClass::kDry;
            return 0;
        }
        l.flow_class = FlowClass::kSubcritical;
        if (hcrest > h2)
            l.flow_class = dir > 0 ? FlowClass::kDnCritical : FlowClass::kUpCritical;
        const double y = l.xs.y_full_m() - (hcrown - std::min(h1, hcrown));
        l.reg_surf_area = l.xs.top_width_m(y) * l.reg_length;
        if (h1 >= hcrown) {
            if (w.can_surcharge[k]) {
                const double ymid = 0.5 * (hcrest + hcrown);
                head = h2 < ymid ? h1 - ymid : h1 - h2;
                const double q = l.c_surcharge * std::sqrt(std::max(head, 0.0));
                l.dqdh = head > 0 ? q / (2.0 * head) : 0.0;
                l.depth = hcrown - hcrest;
                return dir * q;
            }
            head = hcrown - hcrest;
        }
        const double cd = w.coefficient_curve[k].valid()
                              ? curve_lookup(net_.curves[w.coefficient_curve[k].idx()], head)
                              : w.coefficient[k];
        double q1 = 0, q2 = 0, power = 1.5;
        double len = l.xs.w_max_m();
        auto type = w.type[k];
        const double side_slope =
            l.xs.y_full_m() > 0
                ? (l.xs.top_width_m(l.xs.y_full_m() * 0.999999) - l.xs.top_width_m(0)) /
                      (2.0 * l.xs.y_full_m() * 0.999999)
                : 0.0;
        if (type == WeirType::kVNotch && l.setting < 1.0)
            type = WeirType::kTrapezoidal;
        switch (type) {
        case WeirType::kTransverse:
            len = std::max(len - 0.1 * w.end_contractions[k] * head, 0.0);
            q1 = cd * len * std::pow(head, 1.5);
            break;
        case WeirType::kSideflow:
            len = std::max(len - 0.1 * w.end_contractions[k] * head, 0.0);
            if (dir < 0) {
                q1 = cd * len * std::pow(head, 1.5);
            } else {
                q1 = cd * std::pow(len, 0.83) * std::pow(head, 1.67);
                power = 5.0 / 3.0;
            }
            break;
        case WeirType::kVNotch:
            q1 = cd * side_slope * std::pow(head, 2.5);
            power = 2.5;
            break;
        case WeirType::kTrapezoidal: {
            const double yb = (1.0 - l.setting) * l.xs.y_full_m();
            q1 = cd * l.xs.top_width_m(yb) * std::pow(head, 1.5);
            q2 = w.end_coefficient[k] * side_slope * std::pow(head, 2.5);
            break;
        }
        case WeirType::kRoadway:
            break;
        }
        l.dqdh = head > 0 ? (power * q1 + 2.5 * q2) / head : 0.0;
        if (h2 > hcrest) {
            const double ratio = (h2 - hcrest) / (h1 - hcrest);
            q1 *= std::pow(1.0 - std::pow(ratio, power), 0.385);
            if (q2 > 0)
                q2 *= std::pow(1.0 - std::pow(ratio, 2.5), 0.385);
        }
        l.depth = std::min(h1 - hcrest, l.xs.y_full_m());
        return dir * (q1 + q2);
    }
    case LinkKind::kOutlet: {
        const double dir = h1 >= h2 ? 1.0 : -1.0;
        double y1 = a.depth;
        if (dir < 0) {
            std::swap(h1, h2);
            y1 = b.depth;
        }
        const int k = l.type_index;
        const auto rating = net_.outlets.rating[k];
        const double hcrest = a.invert_m + l.offset1;
        const bool by_head =
            rating == OutletRating::kFunctionalHead || rating == OutletRating::kTabularHead;
        const double head = (by_head && dw) ? h1 - std::max(h2, hcrest) : h1 - hcrest;
        if (head <= kFudgeLength || y1 <= kFudgeLength || flap_blocks(l, dir)) {
            l.depth = 0;
            l.flow_class = FlowClass::kDry;
            return 0;
        }
        l.depth = head;
        l.flow_class = FlowClass::kSubcritical;
        double q;
        if (net_.outlets.curve[k].valid())
            q = curve_lookup(net_.curves[net_.outlets.curve[k].idx()], head);
        else
            q = net_.outlets.coefficient[k] * std::pow(head, net_.outlets.exponent[k]);
        return dir * l.setting * q;
    }
    case LinkKind::kConduit:
        break;
    }
    return 0;
}

double FlowRouter::system_outflow_m3s(int n, bool& flooded) {
    auto& nd = nodes_[n];
    flooded = false;
    double out = 0;
    if (nd.kind == NodeKind::kOutfall) {
        if (nd.outflow == 0) {
            out = nd.inflow;
        } else if (nd.inflow == 0) {
            out = -nd.outflow;
            nd.inflow = std::abs(out);
        }
        nd.overflow = 0;
        nd.volume = 0;
    } else if (settings_.model != FlowRouting::kDynwave && nd.degree == 0 &&
               nd.kind != NodeKind::kStorage) {
        if (nd.outflow == 0)
            out = nd.inflow;
        nd.overflow = 0;
        nd.volume = 0;
    } else {
        if (nd.volume <= nd.full_volume_m3)
            out = nd.overflow;
        flooded = out > 0;
    }
    return out;
}

double FlowRouter::next_step(double fixed) {
    if (settings_.model != FlowRouting::kDynwave || settings_.courant_factor == 0 || fixed < 0.001)
        return fixed;
    critical_node_ = critical_link_ = -1;
    variable_step_ = variable_step_ == 0 ? settings_.min_step_s : dw_variable_step(fixed);
    variable_step_ = std::floor(1000.0 * variable_step_) / 1000.0;
    return variable_step_;
}

void FlowRouter::force_link_setting(int j, double setting) {
    if (forced_.empty())
        forced_.assign(links_.size(), std::numeric_limits<double>::quiet_NaN());
    forced_[static_cast<std::size_t>(j)] = setting;
    if (!std::isnan(setting))
        links_[static_cast<std::size_t>(j)].setting = setting;
}

void FlowRouter::apply_forced_settings() {
    for (std::size_t j = 0; j < forced_.size(); ++j)
        if (!std::isnan(forced_[j]))
            links_[j].setting = forced_[j];
}

int FlowRouter::step(double t_s, double dt) {
    // old state (SWMM link_setOldHydState / node_setOldHydState)
    for (auto& l : links_) {
        l.old_depth = l.depth;
        l.old_flow = l.flow;
        l.old_volume = l.volume;
    }
    // one pass over the nodes (SWMM's three: old state, flows, overflow)
    for (auto& nd : nodes_) {
        nd.old_depth = nd.depth;
        nd.old_volume = nd.volume;
        nd.old_flow_inflow = nd.inflow;
        nd.old_net_inflow = nd.inflow - nd.outflow;
        nd.inflow = nd.lat_flow;
        nd.outflow = nd.losses;
        nd.updated = false;
        nd.overflow = 0;
        if (nd.kind != NodeKind::kStorage && nd.volume > nd.full_volume_m3)
            nd.overflow = (nd.volume - nd.full_volume_m3) / dt;
    }
    // pumps switch on and off at their start-up and shut-off depths (SWMM link_setTargetSetting)
    // (dw_others_ holds every link that is not a conduit with a cross-section, in order)
    for (const int j : dw_others_) {
        auto& l = links_[j];
        if (l.kind != LinkKind::kPump)
            continue;
        const double on = net_.pumps.startup_depth_m[l.type_index];
        const double off = net_.pumps.shutoff_depth_m[l.type_index];
        const double y = nodes_[l.n1].depth;
        if (off > 0 && l.setting > 0 && y < off)
            l.setting = 0;
        else if (on > 0 && l.setting == 0 && y > on)
            l.setting = 1;
    }
    if (rules_ && rules_due_)
        rules_->apply(*this, t_s, dt,
                      gages_ != nullptr ? std::span<const GageRainState>(*gages_)
                                        : std::span<const GageRainState>());
    apply_forced_settings();
    // an orifice with an open/close time moves toward its target by dt/time of full travel a
    // step (SWMM orifice_setSetting)
    for (const int j : dw_others_) {
        auto& l = links_[j];
        if (l.kind != LinkKind::kOrifice || !(l.open_close_time_s > 0) ||
            l.setting == l.target_setting)
            continue;
        const double delta = l.target_setting - l.setting;
        const double move = dt / l.open_close_time_s;
        if (move + 0.001 >= std::abs(delta))
            l.setting = l.target_setting;
        else
            l.setting += delta > 0 ? move : -move;
    }
    for (const int j : dw_others_)
        if (links_[j].kind == LinkKind::kOrifice)
            update_orifice_coefficients(links_[j]);
    if (links_.empty())
        return 1;
    return settings_.model == FlowRouting::kDynwave ? dynwave_step(t_s, dt) : kinwave_step(t_s, dt);
}

} // namespace rencheng::drainage
