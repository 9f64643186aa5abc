// Streets and street inlets: [STREETS]/[INLETS]/[INLET_USAGE] parsing, the street transect, the
// HEC-22 (3rd ed., 2013, ch. 4) capture relations and the capture step of a routing run.
#include "drainage/inlet.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "drainage/routing.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kFoot = 0.3048;
constexpr double kCfs = swmm_si::kCfs;
/// Approach flow below which an inlet does nothing (SWMM MIN_RUNOFF_FLOW, 0.001 cfs).
constexpr double kMinFlowCfs = 0.001;
/// Captured or returned flows below this are zero (SWMM FUDGE, 0.0001 cfs).
constexpr double kFudgeCfs = 0.0001;
/// HEC-22's gravitational acceleration in its orifice equations (ft/s²; 2g = 64.32).
constexpr double kGravityFt = 32.16;
/// Manning's constant of the US customary form (HEC-22 and SWMM: 1.486).
constexpr double kManningUs = 1.486;

using rows::iequals;
using rows::parse_number;
using rows::RowReader;

template <std::size_t N>
int keyword(std::string_view s, const std::array<std::string_view, N>& words) {
    for (std::size_t i = 0; i < N; ++i)
        if (iequals(s, words[i]))
            return static_cast<int>(i);
    return -1;
}

void read_streets(Network& net, const RawSection& raw, RowReader& rr, double length) {
    IdMap index;
    for (std::size_t r = 0; r < raw.rows.size(); ++r) {
        const auto& row = raw.rows[r];
        const int line = raw.line[r];
        if (row.empty())
            continue;
        const std::string& id = row[0];
        if (row.size() < 5) {
            rr.error(ErrorCode::kMissingKey, line, id,
                     "a street needs crown width, curb height, cross slope and roughness", row);
            continue;
        }
        if (index.count(id)) {
            rr.error(ErrorCode::kDuplicateId, line, id, "second row for the street", row);
            continue;
        }
        static constexpr const char* kNames[] = {"",
                                                 "curb-to-crown width",
                                                 "curb height",
                                                 "cross slope",
                                                 "road roughness",
                                                 "gutter depression",
                                                 "gutter width",
                                                 "sides",
                                                 "backing width",
                                                 "backing slope",
                                                 "backing roughness"};
        std::array<double, 11> x{};
        bool ok = true;
        for (std::size_t k = 1; k < row.size() && k <= 10 && ok; ++k) {
            if (k == 9 || k == 10) {
                if (x[8] <= 0)
                    break; // no backing: its slope and n are not read
            }
            const bool positive = k <= 4 || k >= 9;
            const auto v = rr.number(row, k, line, id, kNames[k], positive);
            ok = v.has_value();
            if (ok)
                x[k] = *v;
        }
        if (!ok)
            continue;
        Street s;
        s.id = id;
        s.line = line;
        s.sides = 2;
        if (row.size() > 7) {
            if (x[7] != 1 && x[7] != 2) {
                rr.error(ErrorCode::kOutOfRange, line, id, "sides must be 1 or 2", row);
                continue;
            }
            s.sides = static_cast<int>(x[7]);
        }
        if (x[8] > 0 && row.size() < 11) {
            rr.error(ErrorCode::kMissingKey, line, id,
                     "a street backing needs its width, slope and roughness", row);
            continue;
        }
        s.crown_width_m = x[1] * length;
        s.curb_height_m = x[2] * length;
        s.cross_slope = x[3] / 100.0;
        s.roughness = x[4];
        s.gutter_depression_m = x[5] * length;
        s.gutter_width_m = x[6] * length;
        s.back_width_m = x[8] * length;
        s.back_slope = x[9] / 100.0;
        s.back_roughness = x[10];
        if (s.gutter_width_m > s.crown_width_m) {
            rr.error(ErrorCode::kOutOfRange, line, id,
                     "gutter width must not exceed the curb-to-crown width", row);
            continue;
        }
        index.emplace(id, static_cast<std::int32_t>(net.streets.size()));
        net.streets.push_back(std::move(s));
    }
}

constexpr std::array<std::string_view, 6> kInletWords = {"GRATE",      "CURB",      "SLOTTED",
                                                         "DROP_GRATE", "DROP_CURB", "CUSTOM"};
constexpr std::array<InletType, 6> kInletTypes = {InletType::kGrate,    InletType::kCurb,
                                                  InletType::kSlotted,  InletType::kDropGrate,
                                                  InletType::kDropCurb, InletType::kCustom};
constexpr std::array<std::string_view, 8> kGrateWords = {
    "P_BAR-50",    "P_BAR-50x100", "P_BAR-30",   "CURVED_VANE",
    "TILT_BAR-45", "TILT_BAR-30",  "RETICULINE", "GENERIC"};
constexpr std::array<std::string_view, 3> kThroatWords = {"HORIZONTAL", "INCLINED", "VERTICAL"};
constexpr std::array<std::string_view, 3> kPlacementWords = {"AUTOMATIC", "ON_GRADE", "ON_SAG"};

void read_designs(Network& net, const RawSection& raw, RowReader& rr, double length, IdMap& index) {
    for (std::size_t r = 0; r < raw.rows.size(); ++r) {
        const auto& row = raw.rows[r];
        const int line = raw.line[r];
        if (row.empty())
            continue;
        const std::string& id = row[0];
        if (row.size() < 3) {
            rr.error(ErrorCode::kMissingKey, line, id, "an inlet needs a type and its parameters",
                     row);
            continue;
        }
        const int k = keyword(row[1], kInletWords);
        if (k < 0) {
            rr.error(ErrorCode::kUnknownValue, line, id,
                     "unknown inlet type '" + row[1] +
                         "' (GRATE, CURB, SLOTTED, DROP_GRATE, DROP_CURB or CUSTOM)",
                     row);
            continue;
        }
        const InletType type = kInletTypes[static_cast<std::size_t>(k)];
        auto it = index.find(id);
        InletDesign fresh;
        fresh.id = id;
        fresh.line = line;
        InletDesign& d = it == index.end() ? fresh : net.inlet_designs[it->second];
        if (it != index.end()) {
            // a second row makes a combination inlet: one GRATE and one CURB row
            const bool combo = (d.type == InletType::kGrate && type == InletType::kCurb) ||
                               (d.type == InletType::kCurb && type == InletType::kGrate);
            if (!combo) {
                rr.error(ErrorCode::kDuplicateId, line, id,
                         "second row for the inlet (only a GRATE and a CURB row may share an id, "
                         "as a combination inlet)",
                         row);
                continue;
            }
        }
        InletDesign next = d;
        bool ok = true;
        auto num = [&](std::size_t i, const char* what, bool positive) {
            const auto v = rr.number(row, i, line, id, what, positive);
            ok = ok && v.has_value();
            return v.value_or(0.0);
        };
        switch (type) {
        case InletType::kGrate:
        case InletType::kDropGrate: {
            if (row.size() < 5) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "a grate needs its length, width and grate type", row);
                continue;
            }
            const double len = num(2, "grate length", true);
            const double wid = num(3, "grate width", true);
            if (!ok)
                continue;
            const int g = keyword(row[4], kGrateWords);
            if (g < 0) {
                rr.error(ErrorCode::kUnknownValue, line, id, "unknown grate type '" + row[4] + "'",
                         row);
                continue;
            }
            next.grate_type = static_cast<GrateType>(g);
            if (next.grate_type == GrateType::kGeneric) {
                if (row.size() < 6) {
                    rr.error(ErrorCode::kMissingKey, line, id,
                             "a GENERIC grate needs its open area fraction", row);
                    continue;
                }
                next.grate_open_fraction = num(5, "open area fraction", true);
                if (ok && next.grate_open_fraction > 1) {
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "open area fraction must be in (0, 1]", row);
                    continue;
                }
                if (row.size() > 6)
                    next.splash_velocity_ms = num(6, "splash-over velocity", false) * length;
            }
            if (!ok)
                continue;
            next.grate_length_m = len * length;
            next.grate_width_m = wid * length;
            break;
        }
        case InletType::kCurb:
        case InletType::kDropCurb: {
            if (row.size() < 4) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "a curb opening needs its length and height", row);
                continue;
            }
            const double len = num(2, "opening length", true);
            const double h = num(3, "opening height", true);
            if (!ok)
                continue;
            next.throat = ThroatType::kVertical;
            if (type == InletType::kCurb && row.size() > 4) {
                const int t = keyword(row[4], kThroatWords);
                if (t < 0) {
                    rr.error(ErrorCode::kUnknownValue, line, id,
                             "unknown throat type '" + row[4] +
                                 "' (HORIZONTAL, INCLINED or VERTICAL)",
                             row);
                    continue;
                }
                next.throat = static_cast<ThroatType>(t);
            }
            next.curb_length_m = len * length;
            next.curb_height_m = h * length;
            break;
        }
        case InletType::kSlotted: {
            if (row.size() < 4) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "a slotted drain needs its length and width", row);
                continue;
            }
            const double len = num(2, "slot length", true);
            const double wid = num(3, "slot width", true);
            if (!ok)
                continue;
            next.slotted_length_m = len * length;
            next.slotted_width_m = wid * length;
            break;
        }
        default: { // CUSTOM
            const auto c = net.find_curve(row[2]);
            if (!c.valid()) {
                rr.error(ErrorCode::kUnknownReference, line, id, "undefined curve '" + row[2] + "'",
                         row);
                continue;
            }
            const auto ct = net.curves[c.idx()].type;
            if (ct != CurveType::kDiversion && ct != CurveType::kRating) {
                rr.error(ErrorCode::kInconsistent, line, id,
                         "a CUSTOM inlet's curve must be a DIVERSION or RATING curve", row);
                continue;
            }
            next.curve = c;
            break;
        }
        }
        next.type = it == index.end() ? type : InletType::kCombination;
        if (it == index.end()) {
            index.emplace(id, static_cast<std::int32_t>(net.inlet_designs.size()));
            net.inlet_designs.push_back(std::move(next));
        } else {
            d = std::move(next);
        }
    }
}

void read_usage(Network& net, const RawSection& raw, RowReader& rr, double length, double flow,
                const IdMap& designs) {
    std::vector<char> used(static_cast<std::size_t>(net.link_count()), 0);
    for (std::size_t r = 0; r < raw.rows.size(); ++r) {
        const auto& row = raw.rows[r];
        const int line = raw.line[r];
        if (row.empty())
            continue;
        const std::string& id = row[0];
        if (row.size() < 3) {
            rr.error(ErrorCode::kMissingKey, line, id,
                     "an inlet usage needs a conduit, an inlet and a capture node", row);
            continue;
        }
        InletUsage u;
        u.line = line;
        u.link = net.find_link(row[0]);
        if (!u.link.valid() || net.link_kind[u.link.idx()] != LinkKind::kConduit) {
            rr.error(ErrorCode::kUnknownReference, line, id, "undefined conduit '" + row[0] + "'",
                     row);
            continue;
        }
        const auto d = designs.find(row[1]);
        if (d == designs.end()) {
            rr.error(ErrorCode::kUnknownReference, line, id, "undefined inlet '" + row[1] + "'",
                     row);
            continue;
        }
        u.design = d->second;
        u.capture_node = net.find_node(row[2]);
        if (!u.capture_node.valid()) {
            rr.error(ErrorCode::kUnknownReference, line, id, "undefined node '" + row[2] + "'",
                     row);
            continue;
        }
        bool ok = true;
        if (row.size() > 3) {
            const auto n = rr.number(row, 3, line, id, "number of inlets", true);
            ok = n.has_value();
            if (ok && (*n != std::floor(*n) || *n > 1e6)) {
                rr.error(ErrorCode::kOutOfRange, line, id,
                         "number of inlets must be a whole number >= 1", row);
                ok = false;
            }
            if (ok)
                u.count = static_cast<int>(*n);
        }
        if (ok && row.size() > 4) {
            const auto v = rr.number(row, 4, line, id, "percent clogged", false);
            ok = v.has_value();
            if (ok && *v > 99) {
                rr.error(ErrorCode::kOutOfRange, line, id, "percent clogged must be in [0, 99]",
                         row);
                ok = false;
            }
            if (ok)
                u.clogged_pct = *v;
        }
        if (ok && row.size() > 5) {
            const auto v = rr.number(row, 5, line, id, "flow restriction", false);
            ok = v.has_value();
            u.flow_limit_m3s = v.value_or(0) * flow;
        }
        if (ok && row.size() > 6) {
            const auto v = rr.number(row, 6, line, id, "local depression height", false);
            ok = v.has_value();
            u.local_depression_m = v.value_or(0) * length;
        }
        if (ok && row.size() > 7) {
            const auto v = rr.number(row, 7, line, id, "local depression width", false);
            ok = v.has_value();
            u.local_width_m = v.value_or(0) * length;
        }
        if (ok && row.size() > 8) {
            const int p = keyword(row[8], kPlacementWords);
            if (p < 0) {
                rr.error(ErrorCode::kUnknownValue, line, id,
                         "unknown placement '" + row[8] + "' (AUTOMATIC, ON_GRADE or ON_SAG)", row);
                ok = false;
            } else {
                u.placement = static_cast<InletPlacement>(p);
            }
        }
        if (!ok)
            continue;
        // the conduit's shape must take the inlet (SWMM inlet_validate)
        const auto& design = net.inlet_designs[static_cast<std::size_t>(u.design)];
        const auto shape = net.xsection[u.link.idx()].shape;
        const bool drop =
            design.type == InletType::kDropGrate || design.type == InletType::kDropCurb;
        const bool channel = shape == XsectShape::kTrapezoidal || shape == XsectShape::kRectOpen;
        const bool fits = design.type == InletType::kCustom || (drop && channel) ||
                          (!drop && shape == XsectShape::kStreet);
        if (!fits) {
            rr.error(ErrorCode::kInconsistent, line, id,
                     std::string("inlet '") + row[1] + "' cannot sit in a " +
                         std::string(xsect_shape_name(shape)) +
                         " conduit (street inlets need a STREET conduit, drop inlets a RECT_OPEN "
                         "or TRAPEZOIDAL one)",
                     row);
            continue;
        }
        if (used[u.link.idx()]) {
            rr.error(ErrorCode::kDuplicateId, line, id, "second inlet usage on the conduit", row);
            continue;
        }
        used[u.link.idx()] = 1;
        net.inlet_usage.push_back(u);
    }
}

// ---------------------------------------------------------------------------------------------
// HEC-22 chapter 4 in US customary units (ft, cfs, ft/s), the units of its coefficients.

/// Grate open area ratios (HEC-22 3rd ed. Chart 9B's grates; TILT_BAR-45 assumed), GENERIC: 1.
constexpr std::array<double, 8> kOpenAreaRatio = {0.90, 0.80, 0.60, 0.35, 0.17, 0.34, 0.80, 1.00};

/// Splash-over velocity Vo = c0 + c1·L − c2·L² + c3·L³ (ft/s, L in ft): published cubic fits of
/// the HEC-22 (3rd ed.) Chart 5B curves of splash-over velocity against grate length, from the
/// Denver UDFCD Urban Storm Drainage Criteria Manual (Streets, Inlets and Storm Drains), the
/// values SWMM 5.2 uses, in the grate order of GrateType.
constexpr std::array<std::array<double, 4>, 7> kSplash = {{{2.22, 4.03, 0.65, 0.06},
                                                           {0.74, 2.44, 0.27, 0.02},
                                                           {1.76, 3.12, 0.45, 0.03},
                                                           {0.30, 4.85, 1.31, 0.15},
                                                           {0.99, 2.64, 0.36, 0.03},
                                                           {0.51, 2.34, 0.20, 0.01},
                                                           {0.28, 2.28, 0.18, 0.01}}};

/// The gutter of one side of a street, US customary.
struct Gutter {
    bool street = true;
    double sl = 0, sx = 0, sw = 0; ///< longitudinal, cross and depressed-gutter slopes
    double a = 0, w = 0;           ///< gutter depression, width (ft)
    double n = 0;
    double t_crown = 0;     ///< ft
    double flow_factor = 0; ///< Izzard: Q = f·T^(8/3) with f = (0.56/n)·SL^½·Sx^(5/3)
    // channels
    const CrossSection* channel = nullptr;
    double beta_si = 0;
    bool trapezoidal = false;
    double bottom_width = 0, side_slope = 0; ///< ft, run/rise
};

Gutter gutter_of(const InletSite& s) {
    Gutter g;
    g.street = s.street;
    g.sl = s.long_slope;
    if (s.street) {
        g.sx = s.cross_slope;
        g.a = s.gutter_depression_m / kFoot;
        g.w = s.gutter_width_m / kFoot;
        g.n = s.roughness;
        g.t_crown = s.crown_width_m / kFoot;
        g.sw = g.w * g.a > 0 ? g.sx + g.a / g.w : g.sx;
    } else {
        // channels: no gutter; SWMM takes a nominal cross slope of 0.01
        g.sx = 0.01;
        g.sw = g.sx;
        g.n = s.roughness;
        g.channel = s.channel;
        g.beta_si = s.beta;
        g.trapezoidal = s.trapezoidal;
        g.bottom_width = s.channel_bottom_width_m / kFoot;
        g.side_slope = s.channel_side_slope;
    }
    g.flow_factor = g.n > 0 ? 0.56 / g.n * std::sqrt(g.sl) * std::pow(g.sx, 1.67) : 0.0;
    return g;
}

/// HEC-22 eq. 4-4: ratio Eo of the depressed gutter's flow to the whole, for a spread `ts`
/// beyond the gutter width `w` and slope ratio `sr` = Sw/Sx (T/W − 1 written as ts/w).
double eo_ratio(double sr, double ts, double w) {
    double x = sr / (ts / w);
    x = std::pow(1.0 + x, 2.67) - 1.0;
    return 1.0 / (1.0 + sr / x);
}

double spread_ft(const Gutter& g, double q) {
    const double f = g.flow_factor;
    if (!(f > 0) || !(q > 0))
        return 0;
    double t = 0;
    if (g.a == 0) {
        t = std::pow(q / f, 0.375); // eq. 4-2
    } else {
        // spread confined to the depressed gutter: eq. 4-2 with the gutter's own slope a/W
        const double f1 = f * std::pow(g.a / g.w / g.sx, 1.67);
        const double tw = std::pow(q / f1, 0.375);
        if (tw <= g.w) {
            t = tw;
        } else {
            // beyond it: the flow outside the gutter, (1 − Eo)·Q, sets the spread beyond W by
            // eq. 4-2 (eq. 4-6), iterated to 0.01 ft
            const double sr = (g.sx + g.a / g.w) / g.sx;
            double ts1 = std::pow(q / f, 0.375) - g.w;
            if (ts1 <= 0)
                ts1 = tw - g.w;
            double ts2 = ts1;
            for (int iter = 1; iter < 11; ++iter) {
                const double eo = eo_ratio(sr, ts1, g.w);
                ts2 = std::pow((1.0 - eo) * q / f, 0.375);
                if (std::abs(ts2 - ts1) < 0.01)
                    break;
                ts1 = ts2;
            }
            t = ts2 + g.w;
        }
    }
    return std::min(t, g.t_crown);
}

/// Share of the flow within width `w` of the curb (eq. 4-16; eq. 4-4 for a depressed gutter).
double gutter_flow_ratio(const Gutter& g, double t, double w) {
    if (t <= w)
        return 1.0;
    if (g.a > 0)
        return eo_ratio(g.sw / g.sx, t - w, w);
    return 1.0 - std::pow(1.0 - w / t, 2.67);
}

/// Flow area over a grate of width `wg` to the flow area over the depressed gutter (eq. 4-20a).
double gutter_area_ratio(const Gutter& g, double t, double wg, double area) {
    if (wg >= g.w || t <= wg)
        return 1.0;
    if (t <= g.w)
        return wg / t;
    const double beyond = 0.5 * (t - g.w) * (t - g.w) * g.sx;
    const double over_grate = wg * (t * g.sx + g.a - wg * g.sw / 2.0);
    return over_grate / (area - beyond);
}

double splash_ft_s(GrateType type, double length_ft) {
    const auto& c = kSplash[static_cast<std::size_t>(type)];
    const double l = length_ft;
    return c[0] + c[1] * l - c[2] * l * l + c[3] * l * l * l;
}

/// On-grade grate (eqs. 4-18 to 4-21): captured flow of approach flow q at spread t.
double grate_on_grade(const InletDesign& d, Gutter g, double q, double t) {
    double lg = d.grate_length_m / kFoot, wg = d.grate_width_m / kFoot;
    double area = 0, eo = 0, qo = q;
    if (!g.street) {
        // a drop grate in a channel: normal flow, the frontal flow that over the grate's width
        const double a_si = g.channel->area_of_section_factor_m2(q * kCfs / g.beta_si);
        const double y_si = g.channel->depth_of_area_m(a_si);
        const double y = y_si / kFoot;
        area = a_si / (kFoot * kFoot);
        t = g.channel->top_width_m(y_si) / kFoot;
        const double beta_us = kManningUs * std::sqrt(g.sl) / g.n;
        eo = beta_us * std::pow(y * wg, 1.67) / std::pow(wg + 2 * y, 0.67) / q;
        if (g.trapezoidal && g.side_slope > 0 && wg > 0.99 * g.bottom_width) {
            wg = g.bottom_width;
            g.sx = 1.0 / g.side_slope;
        }
    } else if (g.a == 0) {
        area = t * t * g.sx / 2.0;
        eo = gutter_flow_ratio(g, t, wg);
        if (t >= g.t_crown)
            qo = g.flow_factor * std::pow(g.t_crown, 2.67);
    } else {
        area = t <= g.w ? t * t * g.sw / 2.0 : (t * t * g.sx + g.a * g.w) / 2.0;
        eo = gutter_flow_ratio(g, t, g.w);
        if (eo < 1.0) {
            if (t >= g.t_crown)
                qo = g.flow_factor * std::pow(g.t_crown, 2.67) / (1.0 - eo);
            eo *= gutter_area_ratio(g, t, wg, area);
        }
    }
    const double v = qo / area;
    const double vo = d.grate_type == GrateType::kGeneric ? d.splash_velocity_ms / kFoot
                                                          : splash_ft_s(d.grate_type, lg);
    double rf = 1.0, rs = 0.0;
    if (v > vo)
        rf = 1.0 - 0.09 * (v - vo); // eq. 4-18
    if (eo < 1.0)
        rs = 1.0 / (1.0 + 0.15 * std::pow(v, 1.8) / g.sx / std::pow(lg, 2.3)); // eq. 4-19
    return q * (rf * eo + rs * (1.0 - eo));                                    // eq. 4-21
}

/// On-grade curb opening of length l (eqs. 4-22a to 4-24).
double curb_on_grade(const Gutter& g, double q, double l, double t) {
    double se = g.sx;
    if (g.a > 0) {
        // Spread within the depressed gutter: eq. 4-4 has no real value there and SWMM 5.2
        // takes the whole approach flow; so do we, to reproduce it.
        if (t < g.w)
            return q;
        se = g.sx + g.a / g.w * eo_ratio(g.sw / g.sx, t - g.w, g.w); // eq. 4-24
    }
    const double lt = 0.6 * std::pow(q, 0.42) * std::pow(g.sl, 0.3) *
                      std::pow(1.0 / (g.n * se), 0.6); // eq. 4-22a
    double e = 1.0;
    if (l < lt)
        e = 1.0 - std::pow(1.0 - l / lt, 1.8); // eq. 4-23
    return std::clamp(e, 0.0, 1.0) * q;
}

/// Sag grate: weir flow on the perimeter (eq. 4-26) below the depth where it equals orifice flow
/// through the open area (eq. 4-27), orifice flow above.
void grate_on_sag(const InletDesign& d, const Gutter& g, double depth, double& qw, double& qo) {
    const double lg = d.grate_length_m / kFoot;
    double wg = d.grate_width_m / kFoot;
    double di = depth, p = 0;
    if (d.type == InletType::kDropGrate) {
        p = 2.0 * (lg + wg);
    } else {
        if (depth <= wg * g.sw) // water covers part of the grate's width
            wg = depth / g.sw;
        di = depth - wg / 2.0 * g.sw; // mean depth over the grate
        p = lg + 2.0 * wg;
    }
    const double ratio = d.grate_type == GrateType::kGeneric
                             ? d.grate_open_fraction
                             : kOpenAreaRatio[static_cast<std::size_t>(d.grate_type)];
    const double ao = lg * wg * ratio;
    if (depth <= 1.79 * ao / p)
        qw = 3.0 * p * std::pow(di, 1.5);
    else
        qo = 0.67 * ao * std::sqrt(2.0 * kGravityFt * di);
}

/// Orifice flow of a curb opening (eq. 4-31a): head to the opening's centroid for a horizontal
/// or inclined throat, to its lip for a vertical one.
double curb_orifice(double di, double h, double l, ThroatType throat) {
    double d = di;
    if (throat == ThroatType::kHorizontal)
        d = di - h / 2.0;
    else if (throat == ThroatType::kInclined)
        d = di - h / 2.0 * 0.7071;
    return 0.67 * h * l * std::sqrt(2.0 * kGravityFt * std::max(d, 0.0));
}

/// Sag curb opening of length l: weir (eq. 4-28 depressed, 4-30 not) up to the curb height (plus
/// depression), orifice above 1.4 h, linear between (HEC-22's transition).
void curb_on_sag(const InletDesign& d, const Gutter& g, double depth, double l, double& qw,
                 double& qo) {
    const double h = d.curb_height_m / kFoot;
    if (l <= 0)
        return;
    if (d.type == InletType::kDropCurb)
        l *= 4.0; // all four sides of a drop inlet
    const double d_orif = 1.4 * h;
    if (depth > d_orif) {
        qo = curb_orifice(depth, h, l, d.throat);
        return;
    }
    double q_weir = 0, d_weir = 0;
    if (g.a == 0 || l > 12.0) {
        d_weir = h;
        if (depth < d_weir) {
            qw = 3.0 * l * std::pow(depth, 1.5);
            return;
        }
        q_weir = 3.0 * l * std::pow(d_weir, 1.5);
    } else {
        const double p = l + 1.8 * g.w;
        d_weir = h + g.a;
        if (depth < d_weir) {
            qw = 2.3 * p * std::pow(depth, 1.5);
            return;
        }
        q_weir = 2.3 * p * std::pow(d_weir, 1.5);
    }
    const double q_orif = curb_orifice(d_orif, h, l, d.throat);
    const double r = (depth - d_weir) / (d_orif - d_weir);
    qw = (1.0 - r) * q_weir;
    qo = r * q_orif;
}

/// Sag slotted drain: weir (eq. 4-32) up to 2.587 × slot width, orifice (eq. 4-33) above.
double slotted_on_sag(const InletDesign& d, double depth) {
    const double l = d.slotted_length_m / kFoot, w = d.slotted_width_m / kFoot;
    if (depth <= 2.587 * w)
        return 2.48 * l * std::pow(depth, 1.5);
    return 0.8 * l * w * std::sqrt(2.0 * kGravityFt * depth);
}

double on_sag_cfs(const InletDesign& d, const Gutter& g, double depth) {
    if (d.slotted_length_m > 0)
        return slotted_on_sag(d, depth);
    double qgw = 0, qgo = 0, qsw = 0, qso = 0, qcw = 0, qco = 0;
    const double lg = d.grate_length_m / kFoot;
    if (lg > 0)
        grate_on_sag(d, g, depth, qgw, qgo);
    const double lc = d.curb_length_m / kFoot;
    if (lc > 0) {
        // the curb opening beyond the grate acts alone; alongside the grate it adds only its
        // orifice flow once the grate runs as an orifice
        if (lc - lg > 0)
            curb_on_sag(d, g, depth, lc - lg, qsw, qso);
        if (qgo > 0)
            curb_on_sag(d, g, depth, lg, qcw, qco);
    }
    return qgw + qgo + qsw + qso + qco;
}

double on_grade_cfs(const InletDesign& d, const Gutter& g, double q, double depth) {
    if (d.type == InletType::kDropCurb)
        return std::min(on_sag_cfs(d, g, depth), q);
    if (d.type == InletType::kDropGrate)
        return std::min(grate_on_grade(d, g, q, 0.0), q);
    double t = spread_ft(g, q);
    if (d.type == InletType::kSlotted)
        return std::min(curb_on_grade(g, q, d.slotted_length_m / kFoot, t), q);
    const double lc = d.curb_length_m / kFoot, lg = d.grate_length_m / kFoot;
    double qc = 0, q1 = q;
    // a curb opening longer than its grate (a sweeper inlet) captures first, upstream
    if (lc > 0 && lc - lg > 0) {
        qc = curb_on_grade(g, q1, lc - lg, t);
        q1 -= qc;
    }
    if (lg > 0 && q1 > 0) {
        if (q1 != q)
            t = spread_ft(g, q1);
        qc += grate_on_grade(d, g, q1, t);
    }
    return qc;
}

/// Open area of a usage's inlets (ft², unclogged share): how a capture node's overflow is split.
double open_area_ft2(const InletDesign& d, const InletUsage& u) {
    double area = 0;
    const double lg = d.grate_length_m / kFoot;
    if (lg > 0) {
        const double ratio = d.grate_type == GrateType::kGeneric
                                 ? d.grate_open_fraction
                                 : kOpenAreaRatio[static_cast<std::size_t>(d.grate_type)];
        area = lg * d.grate_width_m / kFoot * ratio;
    }
    const double curb = (d.curb_length_m - d.grate_length_m) / kFoot;
    if (curb > 0)
        area += curb * d.curb_height_m / kFoot;
    if (d.slotted_length_m > 0)
        area = d.slotted_length_m * d.slotted_width_m / (kFoot * kFoot);
    return area * u.count * (1.0 - u.clogged_pct / 100.0);
}

} // namespace

void read_inlet_sections(Network& net, const std::string& file, Diagnostics& diags) {
    const bool si = is_si(net.options.flow_units);
    const double length = si ? 1.0 : kFoot;
    const double flow = flow_factor(net.options.flow_units);
    if (const auto* raw = net.raw_section("STREETS")) {
        RowReader rr(file, diags, "STREETS");
        read_streets(net, *raw, rr, length);
    }
    for (int j = 0; j < net.link_count(); ++j) {
        auto& x = net.xsection[j];
        if (x.shape != XsectShape::kStreet)
            continue;
        for (std::size_t s = 0; s < net.streets.size(); ++s)
            if (IdEqual{}(net.streets[s].id, x.street))
                x.street_index = static_cast<std::int32_t>(s);
    }
    IdMap designs;
    if (const auto* raw = net.raw_section("INLETS")) {
        RowReader rr(file, diags, "INLETS");
        read_designs(net, *raw, rr, length, designs);
    }
    if (const auto* raw = net.raw_section("INLET_USAGE")) {
        RowReader rr(file, diags, "INLET_USAGE");
        read_usage(net, *raw, rr, length, flow, designs);
    }
}

TransectProfile street_profile(const Street& s) {
    // Points: top of backing, top of curb, foot of curb, gutter's outer edge, crown; then the
    // other side mirrored (SWMM 5.2 User's Manual, Street cross-section figure).
    const double w1 = s.back_width_m, w2 = s.gutter_width_m, w3 = s.crown_width_m;
    const double w4 = w3 - w2;
    const double y3 = s.gutter_depression_m + s.cross_slope * w2;
    const double y1 = s.curb_height_m + s.gutter_depression_m;
    const double y4 = y3 + s.cross_slope * w4;
    const double ymax = std::max(s.back_slope * s.back_width_m + y1, y4);
    TransectProfile p;
    p.station_m = {0.0, w1, w1, w1 + w2, w1 + w3};
    p.elevation_m = {ymax, y1, 0.0, y3, y4};
    if (s.sides == 1) {
        p.station_m.push_back(w1 + w3);
        p.elevation_m.push_back(ymax);
    } else {
        const double x5 = w1 + w3 + w4;
        for (double v : {x5, x5 + w2, x5 + w2, x5 + w2 + w1})
            p.station_m.push_back(v);
        for (double v : {y3, 0.0, y1, ymax})
            p.elevation_m.push_back(v);
    }
    p.n_channel = s.roughness;
    if (s.back_width_m == 0) {
        p.n_left = p.n_right = s.roughness;
        p.left_bank_m = p.station_m.front();
        p.right_bank_m = p.station_m.back();
    } else {
        p.n_left = p.n_right = s.back_roughness;
        p.left_bank_m = p.station_m[1];
        const std::size_t n = p.station_m.size();
        p.right_bank_m = s.sides == 2 ? p.station_m[n - 2] : p.station_m[n - 1];
    }
    return p;
}

namespace hec22 {

double flow_spread_m(const InletSite& site, double q_m3s) {
    return spread_ft(gutter_of(site), q_m3s / kCfs) * kFoot;
}

double on_grade_capture_m3s(const InletDesign& design, const InletSite& site, double q_m3s,
                            double depth_m) {
    const double q = q_m3s / kCfs;
    if (!(q > 0))
        return 0;
    return on_grade_cfs(design, gutter_of(site), q, depth_m / kFoot) * kCfs;
}

double on_sag_capture_m3s(const InletDesign& design, const InletSite& site, double depth_m) {
    if (!(depth_m > 0))
        return 0;
    return on_sag_cfs(design, gutter_of(site), depth_m / kFoot) * kCfs;
}

double splash_over_velocity_ms(GrateType type, double length_m) {
    if (type == GrateType::kGeneric)
        return 0;
    return splash_ft_s(type, length_m / kFoot) * kFoot;
}

} // namespace hec22

// ---------------------------------------------------------------------------------------------

StreetInlets::StreetInlets(const Network& net, const std::vector<LinkState>& links,
                           const std::vector<NodeState>& nodes)
    : net_(net) {
    capture_node_.assign(nodes.size(), 0);
    node_capture_.assign(nodes.size(), 0.0);
    for (auto it = net.inlet_usage.rbegin(); it != net.inlet_usage.rend(); ++it) {
        Inlet in;
        in.usage = &*it;
        in.design = &net.inlet_designs[static_cast<std::size_t>(it->design)];
        in.link = static_cast<int>(it->link.idx());
        in.clog_factor = 1.0 - it->clogged_pct / 100.0;
        const auto& l = links[static_cast<std::size_t>(in.link)];
        const auto& x = net.xsection[it->link.idx()];
        auto& s = in.site;
        s.long_slope = l.slope;
        if (x.shape == XsectShape::kStreet && x.street_index >= 0) {
            const auto& st = net.streets[static_cast<std::size_t>(x.street_index)];
            s.street = true;
            s.cross_slope = st.cross_slope;
            s.gutter_depression_m = st.gutter_depression_m;
            s.gutter_width_m = st.gutter_width_m;
            s.roughness = st.roughness;
            s.sides = st.sides;
            s.crown_width_m = st.crown_width_m;
            // the inlet's local depression deepens the gutter over its own width
            if (it->local_depression_m * it->local_width_m > 0) {
                s.gutter_depression_m += it->local_depression_m;
                s.gutter_width_m = it->local_width_m;
            }
        } else {
            s.street = false;
            s.sides = 1;
            s.roughness = net.conduits.roughness[static_cast<std::size_t>(l.type_index)];
            s.channel = &l.xs;
            s.beta = l.beta;
            s.trapezoidal = x.shape == XsectShape::kTrapezoidal;
            if (s.trapezoidal) {
                s.channel_bottom_width_m = x.geom[1];
                s.channel_side_slope = (x.geom[2] + x.geom[3]) / 2.0;
            }
        }
        capture_node_[it->capture_node.idx()] = 1;
        inlets_.push_back(in);
    }
    if (!inlets_.empty())
        last_sides_ = inlets_.back().site.sides;
    // A capture node's overflow goes back to its inlets: by open area among standard inlets,
    // by number among custom ones, the two groups weighted by their count of usages.
    struct NodeShare {
        int usages = 0, standard = 0, custom_count = 0;
        double area = 0;
    };
    std::vector<NodeShare> share(nodes.size());
    for (const auto& in : inlets_) {
        auto& n = share[in.usage->capture_node.idx()];
        ++n.usages;
        const double a = open_area_ft2(*in.design, *in.usage);
        if (a > 0) {
            ++n.standard;
            n.area += a;
        } else {
            n.custom_count += in.usage->count;
        }
    }
    for (auto& in : inlets_) {
        const auto& n = share[in.usage->capture_node.idx()];
        const double f = static_cast<double>(n.standard) / n.usages;
        const double a = open_area_ft2(*in.design, *in.usage);
        in.backflow_ratio = a > 0 ? a / n.area * f
                                  : static_cast<double>(in.usage->count) / n.custom_count * (1 - f);
    }
}

bool StreetInlets::on_sag(const Inlet& in, const std::vector<NodeState>& nodes, int bypass) const {
    switch (in.usage->placement) {
    case InletPlacement::kOnGrade:
        return false;
    case InletPlacement::kOnSag:
        return true;
    default:
        return nodes[static_cast<std::size_t>(bypass)].degree <= 0; // no link leaves it
    }
}

void StreetInlets::transfers(const std::vector<LinkState>& links,
                             const std::function<void(int, int, int, double, double)>& out) const {
    for (const auto& in : inlets_)
        out(in.link, links[static_cast<std::size_t>(in.link)].n2,
            static_cast<int>(in.usage->capture_node.idx()), in.captured, in.backflow);
}

void StreetInlets::capture(std::vector<NodeState>& nodes, const std::vector<LinkState>& links,
                           bool dynwave, double dt_s, bool record) {
    if (inlets_.empty())
        return;
    std::fill(node_capture_.begin(), node_capture_.end(), 0.0);
    std::vector<double> node_inflow;
    if (!dynwave) {
        // what reaches each node this step: its lateral inflow and its links' inflows
        node_inflow.assign(nodes.size(), 0.0);
        for (std::size_t n = 0; n < nodes.size(); ++n)
            node_inflow[n] = std::max(0.0, nodes[n].lat_flow);
        for (const auto& l : links)
            node_inflow[static_cast<std::size_t>(l.n2)] += std::max(0.0, l.flow);
    }
    for (auto& in : inlets_) {
        const auto& l = links[static_cast<std::size_t>(in.link)];
        const auto bypass = static_cast<std::size_t>(l.n2);
        const double depth = nodes[bypass].depth;
        const double q = std::abs(l.flow);
        const auto& u = *in.usage;
        const auto& d = *in.design;
        const double q_max = u.flow_limit_m3s > 0 ? u.flow_limit_m3s : 1e10;
        const int sides = in.site.sides;
        double captured = 0;
        if (d.type == InletType::kCustom) {
            const auto& c = net_.curves[d.curve.idx()];
            if (c.type == CurveType::kDiversion) {
                // each inlet in turn takes its share of what the ones before it bypassed
                double bypassed = q / sides;
                for (int k = 0; k < u.count; ++k) {
                    double inc = in.clog_factor * curve_lookup_extended(c, bypassed);
                    inc = std::min({inc, q_max, bypassed});
                    captured += inc;
                    bypassed -= inc;
                    if (bypassed < kMinFlowCfs * kCfs)
                        break;
                }
            } else {
                captured = u.count * in.clog_factor * curve_lookup_extended(c, depth);
            }
            captured *= sides;
        } else if (!on_sag(in, nodes, l.n2)) {
            if (q >= kMinFlowCfs * kCfs) {
                last_sides_ = sides;
                double bypassed = q / sides;
                for (int k = 0; k < u.count; ++k) {
                    double qc =
                        hec22::on_grade_capture_m3s(d, in.site, bypassed, depth) * in.clog_factor;
                    qc = std::min({qc, q_max, bypassed});
                    captured += qc;
                    bypassed -= qc;
                    if (bypassed < kMinFlowCfs * kCfs)
                        break;
                }
                captured *= sides;
            }
        } else {
            // SWMM 5.2.4 (getOnSagCapturedFlow) multiplies by the sides of the street it loaded
            // last, before loading this inlet's own: the inlet evaluated before this one (or,
            // first of all, the last in its list). Reproduced so that results compare; it only
            // differs from `sides` when one- and two-sided streets both have inlets.
            const int swmm_sides = last_sides_;
            last_sides_ = sides;
            double qc = hec22::on_sag_capture_m3s(d, in.site, std::abs(depth)) * in.clog_factor;
            captured = std::min(qc, q_max) * swmm_sides * u.count;
        }
        if (std::abs(captured) < kFudgeCfs * kCfs)
            captured = 0;
        in.captured = captured;
        node_capture_[bypass] += captured;
        // the capture node's overflow of the last step comes back up to the street
        in.backflow = nodes[u.capture_node.idx()].overflow * in.backflow_ratio;
        if (std::abs(in.backflow) < kFudgeCfs * kCfs)
            in.backflow = 0;
    }
    for (auto& in : inlets_) {
        const auto& l = links[static_cast<std::size_t>(in.link)];
        const auto bypass = static_cast<std::size_t>(l.n2);
        if (!dynwave && on_sag(in, nodes, l.n2)) {
            // kinematic wave: a sag takes no more than reaches its node plus what it stores
            const double avail = nodes[bypass].volume / dt_s + std::max(node_inflow[bypass], 0.0);
            if (node_capture_[bypass] > avail)
                in.captured *= avail / node_capture_[bypass];
        }
        nodes[bypass].lat_flow -= in.captured - in.backflow;
        nodes[in.usage->capture_node.idx()].lat_flow += in.captured;
        if (record) { // SWMM updateInletStats, with the street's flow at the step's start
            auto& st = in.stats;
            const double q = std::abs(l.flow);
            st.on_sag = on_sag(in, nodes, l.n2);
            if (q < kMinFlowCfs * kCfs && in.backflow <= 0)
                continue;
            ++st.flow_periods;
            const double net = in.captured - in.backflow;
            double fraction = 0;
            if (net > 0) {
                ++st.capture_periods;
                fraction = std::min(net / q, 1.0);
                st.capture_fraction_sum += fraction;
                if (q - net > kMinFlowCfs * kCfs)
                    ++st.bypass_periods;
            } else {
                ++st.backflow_periods;
            }
            if (q > st.peak_flow_m3s) {
                st.peak_flow_m3s = q;
                st.peak_flow_capture_pct = 100.0 * fraction;
            }
        }
    }
}

std::vector<InletStatistics> StreetInlets::statistics() const {
    std::vector<InletStatistics> out;
    for (const auto& in : inlets_) {
        InletStatistics st = in.stats;
        st.link = in.link;
        st.usage = static_cast<std::int32_t>(in.usage - net_.inlet_usage.data());
        out.push_back(st);
    }
    std::sort(out.begin(), out.end(),
              [](const InletStatistics& a, const InletStatistics& b) { return a.usage < b.usage; });
    return out;
}

} // namespace rencheng::drainage
