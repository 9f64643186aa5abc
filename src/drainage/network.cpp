// The drainage network: unit factors, calendar arithmetic and look-ups.
#include "drainage/network.hpp"

#include <algorithm>
#include <cmath>

namespace rencheng::drainage {

bool is_si(FlowUnits u) {
    return u == FlowUnits::kCms || u == FlowUnits::kLps || u == FlowUnits::kMld;
}

double flow_factor(FlowUnits u) {
    // SWMM 5.2 keeps flows in cfs and converts with Qcf[] = {1.0, 448.831, 0.64632, 0.02832,
    // 28.317, 2.4466} per cfs (units.c). Using the same ratios keeps a GPM or MGD model's flows
    // equal to SWMM's; CMS, LPS and MLD are exact.
    constexpr double cfs = units::kCubicFoot;
    switch (u) {
    case FlowUnits::kCfs:
        return cfs;
    case FlowUnits::kGpm:
        return cfs / 448.831;
    case FlowUnits::kMgd:
        return cfs / 0.64632;
    case FlowUnits::kCms:
        return 1.0;
    case FlowUnits::kLps:
        return 1e-3;
    case FlowUnits::kMld:
        return 1.0 / 86.4;
    }
    return 1.0;
}

double swmm_day_number(Seconds s) {
    const Seconds days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    return static_cast<double>(days) + static_cast<double>(s - days * 86400) / 86400.0;
}

std::int32_t Network::node_of_swmm_number(std::int32_t k) const {
    if (k < 0 || k >= node_count())
        return -1;
    return swmm_node_order.empty() ? k : swmm_node_order[static_cast<std::size_t>(k)];
}

std::int32_t Network::link_of_swmm_number(std::int32_t k) const {
    if (k < 0 || k >= link_count())
        return -1;
    return swmm_link_order.empty() ? k : swmm_link_order[static_cast<std::size_t>(k)];
}

double swmm_flow_units_per_cfs(FlowUnits u) {
    switch (u) {
    case FlowUnits::kCfs:
        return 1.0;
    case FlowUnits::kGpm:
        return 448.831;
    case FlowUnits::kMgd:
        return 0.64632;
    case FlowUnits::kCms:
        return 0.02832;
    case FlowUnits::kLps:
        return 28.317;
    case FlowUnits::kMld:
        return 2.4466;
    }
    return 1.0;
}

std::string_view flow_units_name(FlowUnits u) {
    switch (u) {
    case FlowUnits::kCfs:
        return "CFS";
    case FlowUnits::kGpm:
        return "GPM";
    case FlowUnits::kMgd:
        return "MGD";
    case FlowUnits::kCms:
        return "CMS";
    case FlowUnits::kLps:
        return "LPS";
    case FlowUnits::kMld:
        return "MLD";
    }
    return "CFS";
}

double table_lookup(const std::vector<double>& x, const std::vector<double>& y, double v) {
    if (x.empty())
        return 0.0;
    if (v <= x.front())
        return y.front();
    for (std::size_t i = 1; i < x.size(); ++i)
        if (v <= x[i]) {
            const double dx = x[i] - x[i - 1];
            return dx > 0 ? y[i - 1] + (v - x[i - 1]) * (y[i] - y[i - 1]) / dx : y[i];
        }
    return y.back();
}

double series_unit_factor(const UnitFactors& f, SeriesUsage usage) {
    switch (usage) {
    case SeriesUsage::kRainIntensity:
        return f.rain_rate;
    case SeriesUsage::kRainDepth:
        return f.rain_depth;
    case SeriesUsage::kFlow:
        return f.flow;
    case SeriesUsage::kStage:
        return f.length;
    case SeriesUsage::kEvaporation:
        return f.evap_rate;
    default:
        return 1.0;
    }
}

UnitFactors unit_factors(FlowUnits u) {
    UnitFactors f;
    f.flow = flow_factor(u);
    if (is_si(u)) {
        f.length = 1.0;
        f.area = 1.0;
        f.land_area = 1e4; // hectare
        f.volume = 1.0;
        f.rain_depth = 1e-3; // mm
        f.rain_rate = 1e-3 / units::kHour;
        f.evap_rate = 1e-3 / units::kDay;
        f.weir_coeff = 1.0;
    } else {
        f.length = units::kFoot;
        f.area = units::kFoot * units::kFoot;
        f.land_area = 43560.0 * units::kFoot * units::kFoot; // acre
        f.volume = units::kCubicFoot;
        f.rain_depth = units::kInch;
        f.rain_rate = units::kInch / units::kHour;
        f.evap_rate = units::kInch / units::kDay;
        // Q = C·L·h^1.5 with Q in ft³/s and L, h in ft: C is in ft^0.5/s.
        f.weir_coeff = std::sqrt(units::kFoot);
    }
    return f;
}

namespace {

// Days from 0001-01-01 to y-m-d in the proleptic Gregorian calendar (civil-from-days inverse,
// H. Hinnant's algorithm shifted to a March-based year).
long long days_from_civil(long long y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long long>(doe) - 719468; // days since 1970-01-01
}

void civil_from_days(long long z, int& y, int& m, int& d) {
    z += 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<long long>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

// 1899-12-30 is day 0 of SWMM's DateTime (and of spreadsheets).
constexpr long long kEpochFrom1970 = -25569;

} // namespace

Seconds seconds_since_epoch(const CalendarTime& c) {
    const long long days =
        days_from_civil(c.year, static_cast<unsigned>(c.month), static_cast<unsigned>(c.day)) -
        kEpochFrom1970;
    return days * 86400 + c.time_of_day;
}

CalendarTime calendar_from_seconds(Seconds s) {
    long long days = s / 86400;
    Seconds rest = s % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    CalendarTime c;
    civil_from_days(days + kEpochFrom1970, c.year, c.month, c.day);
    c.time_of_day = rest;
    return c;
}

std::string_view curve_type_name(CurveType t) {
    switch (t) {
    case CurveType::kStorage:
        return "STORAGE";
    case CurveType::kDiversion:
        return "DIVERSION";
    case CurveType::kTidal:
        return "TIDAL";
    case CurveType::kRating:
        return "RATING";
    case CurveType::kControl:
        return "CONTROL";
    case CurveType::kShape:
        return "SHAPE";
    case CurveType::kWeir:
        return "WEIR";
    case CurveType::kPump1:
        return "PUMP1";
    case CurveType::kPump2:
        return "PUMP2";
    case CurveType::kPump3:
        return "PUMP3";
    case CurveType::kPump4:
        return "PUMP4";
    case CurveType::kPump5:
        return "PUMP5";
    }
    return "STORAGE";
}

std::string_view xsect_shape_name(XsectShape s) {
    switch (s) {
    case XsectShape::kDummy:
        return "DUMMY";
    case XsectShape::kCircular:
        return "CIRCULAR";
    case XsectShape::kFilledCircular:
        return "FILLED_CIRCULAR";
    case XsectShape::kRectClosed:
        return "RECT_CLOSED";
    case XsectShape::kRectOpen:
        return "RECT_OPEN";
    case XsectShape::kTrapezoidal:
        return "TRAPEZOIDAL";
    case XsectShape::kTriangular:
        return "TRIANGULAR";
    case XsectShape::kParabolic:
        return "PARABOLIC";
    case XsectShape::kPower:
        return "POWER";
    case XsectShape::kRectTriangular:
        return "RECT_TRIANGULAR";
    case XsectShape::kRectRound:
        return "RECT_ROUND";
    case XsectShape::kModBasketHandle:
        return "MODBASKETHANDLE";
    case XsectShape::kHorizEllipse:
        return "HORIZ_ELLIPSE";
    case XsectShape::kVertEllipse:
        return "VERT_ELLIPSE";
    case XsectShape::kArch:
        return "ARCH";
    case XsectShape::kEgg:
        return "EGG";
    case XsectShape::kHorseshoe:
        return "HORSESHOE";
    case XsectShape::kGothic:
        return "GOTHIC";
    case XsectShape::kCatenary:
        return "CATENARY";
    case XsectShape::kSemiElliptical:
        return "SEMIELLIPTICAL";
    case XsectShape::kBasketHandle:
        return "BASKETHANDLE";
    case XsectShape::kSemiCircular:
        return "SEMICIRCULAR";
    case XsectShape::kIrregular:
        return "IRREGULAR";
    case XsectShape::kCustom:
        return "CUSTOM";
    case XsectShape::kForceMain:
        return "FORCE_MAIN";
    case XsectShape::kStreet:
        return "STREET";
    }
    return "DUMMY";
}

namespace {
template <typename Index> Index find_in(const IdMap& map, std::string_view id) {
    const auto it = map.find(id);
    return it == map.end() ? Index{} : Index{it->second};
}
} // namespace

NodeIndex Network::find_node(std::string_view id) const {
    return find_in<NodeIndex>(node_index, id);
}
LinkIndex Network::find_link(std::string_view id) const {
    return find_in<LinkIndex>(link_index, id);
}
SubcatchIndex Network::find_subcatchment(std::string_view id) const {
    return find_in<SubcatchIndex>(subcatchments.index, id);
}
GageIndex Network::find_gage(std::string_view id) const {
    return find_in<GageIndex>(gage_index, id);
}
CurveIndex Network::find_curve(std::string_view id) const {
    return find_in<CurveIndex>(curve_index, id);
}
SeriesIndex Network::find_series(std::string_view id) const {
    return find_in<SeriesIndex>(series_index, id);
}
PatternIndex Network::find_pattern(std::string_view id) const {
    return find_in<PatternIndex>(pattern_index, id);
}
TransectIndex Network::find_transect(std::string_view id) const {
    return find_in<TransectIndex>(transect_index, id);
}

const RawSection* Network::raw_section(std::string_view name) const {
    for (const auto& s : raw_sections)
        if (s.name == name)
            return &s;
    return nullptr;
}

double Network::inlet_offset_depth_m(LinkIndex l) const {
    const double v = inlet_offset_m[l.idx()];
    if (std::isnan(v))
        return 0.0;
    if (options.link_offsets == LinkOffsets::kElevation)
        return v - invert_m[from_node[l.idx()].idx()];
    return v;
}

double Network::outlet_offset_depth_m(LinkIndex l) const {
    const double v = outlet_offset_m[l.idx()];
    if (std::isnan(v))
        return 0.0;
    if (options.link_offsets == LinkOffsets::kElevation)
        return v - invert_m[to_node[l.idx()].idx()];
    return v;
}

double series_value(const TimeSeries& s, double t) {
    const auto& x = s.time_s;
    if (x.empty() || t < x.front() || t > x.back())
        return x.size() == 1 && t == x.front() ? s.value.front() : 0.0;
    const auto it = std::lower_bound(x.begin(), x.end(), t);
    const auto i = static_cast<std::size_t>(it - x.begin());
    if (i == 0)
        return s.value[0];
    const double dx = x[i] - x[i - 1];
    if (dx <= 0)
        return s.value[i];
    return s.value[i - 1] + (t - x[i - 1]) / dx * (s.value[i] - s.value[i - 1]);
}

} // namespace rencheng::drainage
