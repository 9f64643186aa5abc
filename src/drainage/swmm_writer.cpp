// SWMM .inp writer: the network back in the units it was read in, numbers in shortest
// round-trip form, sections in the order the SWMM 5.2 GUI writes them.
#include <charconv>
#include <cmath>
#include <string>

#include "core/atomic_file.hpp"
#include "drainage/swmm_inp.hpp"

namespace rencheng::drainage {
namespace {

constexpr std::string_view kMonthNames[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                              "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

class Writer {
public:
    explicit Writer(const Network& net) : net_(net), f_(unit_factors(net.options.flow_units)) {}
    std::string run();

private:
    const Network& net_;
    UnitFactors f_;
    std::string out_;

    void num(double v) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
    }
    void field(double v) {
        out_ += '\t';
        num(v);
    }
    void word(std::string_view s) {
        // Quote a token that is empty or holds a blank or ';' (SWMM reads "..." as one token).
        // A token at the start of a line that begins with '[' would open a section.
        if (s.empty() || s.front() == '[' ||
            s.find_first_of(std::string_view(" \t\r\n\f\v;\0", 8)) != std::string_view::npos) {
            out_ += '"';
            out_ += s;
            out_ += '"';
        } else {
            out_ += s;
        }
    }
    void field(std::string_view s) {
        out_ += '\t';
        word(s);
    }
    void field(const std::string& s) { field(std::string_view(s)); }
    void field(const char* s) { field(std::string_view(s)); }
    void yes_no(bool b) { field(b ? "YES" : "NO"); }
    void header(std::string_view name) {
        out_ += "\n[";
        out_ += name;
        out_ += "]\n";
    }
    void tokens_line(const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i)
                out_ += '\t';
            word(row[i]);
        }
        out_ += '\n';
    }
    /// h:mm:ss for a whole number of seconds (hours may exceed 24).
    void clock(Seconds s) {
        const Seconds h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
        out_ += std::to_string(h);
        out_ += m < 10 ? ":0" : ":";
        out_ += std::to_string(m);
        out_ += sec < 10 ? ":0" : ":";
        out_ += std::to_string(sec);
    }
    void clock_field(Seconds s) {
        out_ += '\t';
        clock(s);
    }
    /// A time in seconds: h:mm:ss when whole and non-negative, else decimal hours.
    void time_field(double s) {
        out_ += '\t';
        if (s >= 0 && s == std::floor(s) && s < 1e15)
            clock(static_cast<Seconds>(s));
        else
            num(s / units::kHour);
    }
    void date_field(const CalendarTime& c) {
        out_ += '\t';
        if (c.month < 10)
            out_ += '0';
        out_ += std::to_string(c.month);
        out_ += '/';
        if (c.day < 10)
            out_ += '0';
        out_ += std::to_string(c.day);
        out_ += '/';
        out_ += std::to_string(c.year);
    }
    void month_day(int month, int day) {
        out_ += '\t';
        if (month < 10)
            out_ += '0';
        out_ += std::to_string(month);
        out_ += '/';
        if (day < 10)
            out_ += '0';
        out_ += std::to_string(day);
    }
    void option(std::string_view key) {
        out_ += key;
        for (std::size_t i = key.size(); i < 21; ++i)
            out_ += ' ';
    }
    double series_factor(SeriesUsage u) const { return series_unit_factor(f_, u); }
    void offset(double v) {
        if (std::isnan(v))
            field("*");
        else
            field(v / f_.length);
    }
    const std::string& node(NodeIndex n) const { return net_.node_id[n.idx()]; }
    /// The reader's rule: FLOW (any case) unless a pollutant has that name.
    bool is_flow(const std::string& constituent) const {
        if (constituent.size() != 4)
            return false;
        for (std::size_t i = 0; i < 4; ++i) {
            const char c = constituent[i];
            if ((c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c) != "FLOW"[i])
                return false;
        }
        if (const auto* p = net_.raw_section("POLLUTANTS"))
            for (const auto& r : p->rows)
                if (!r.empty() && IdEqual{}(r[0], constituent))
                    return false;
        return true;
    }

    void options();
    void climate();
    void subcatchments();
    void nodes();
    void links();
    void link_details();
    void inflows();
    void tables();
    void map_sections();
};

void Writer::options() {
    const auto& o = net_.options;
    header("OPTIONS");
    static constexpr std::string_view kInfil[] = {"HORTON", "MODIFIED_HORTON", "GREEN_AMPT",
                                                  "MODIFIED_GREEN_AMPT", "CURVE_NUMBER"};
    static constexpr std::string_view kRouting[] = {"NONE", "STEADY", "KINWAVE", "DYNWAVE"};
    static constexpr std::string_view kDamping[] = {"NONE", "PARTIAL", "FULL"};
    static constexpr std::string_view kNormal[] = {"SLOPE", "FROUDE", "BOTH", "NONE"};
    auto line = [&](std::string_view key, std::string_view value) {
        option(key);
        out_ += value;
        out_ += '\n';
    };
    auto yn = [&](std::string_view key, bool b) { line(key, b ? "YES" : "NO"); };
    auto value = [&](std::string_view key, double v) {
        option(key);
        num(v);
        out_ += '\n';
    };
    // counts as integers: the reader takes no exponent there (num writes 100000 as 1e+05)
    auto count = [&](std::string_view key, int v) { line(key, std::to_string(v)); };
    auto date_time = [&](std::string_view dkey, std::string_view tkey, Seconds rel) {
        const auto c = calendar_from_seconds(seconds_since_epoch(o.start) + rel);
        option(dkey);
        date_field(c);
        out_ += '\n';
        option(tkey);
        clock_field(c.time_of_day);
        out_ += '\n';
    };
    line("FLOW_UNITS", flow_units_name(o.flow_units));
    line("INFILTRATION", kInfil[static_cast<int>(o.infiltration)]);
    line("FLOW_ROUTING", kRouting[static_cast<int>(o.routing)]);
    line("LINK_OFFSETS", o.link_offsets == LinkOffsets::kDepth ? "DEPTH" : "ELEVATION");
    line("FORCE_MAIN_EQUATION",
         o.force_main_equation == ForceMainEquation::kHazenWilliams ? "H-W" : "D-W");
    line("SURCHARGE_METHOD", o.surcharge_method == SurchargeMethod::kExtran ? "EXTRAN" : "SLOT");
    value("MIN_SLOPE", o.min_slope * 100.0);
    yn("ALLOW_PONDING", o.allow_ponding);
    yn("SKIP_STEADY_STATE", o.skip_steady_state);
    if (o.ignore_rainfall)
        yn("IGNORE_RAINFALL", true);
    if (o.ignore_snowmelt)
        yn("IGNORE_SNOWMELT", true);
    if (o.ignore_groundwater)
        yn("IGNORE_GROUNDWATER", true);
    if (o.ignore_rdii)
        yn("IGNORE_RDII", true);
    if (o.ignore_routing)
        yn("IGNORE_ROUTING", true);
    if (o.ignore_quality)
        yn("IGNORE_QUALITY", true);
    if (!o.slope_weighting)
        yn("SLOPE_WEIGHTING", false);
    date_time("START_DATE", "START_TIME", 0);
    if (o.has_report_start)
        date_time("REPORT_START_DATE", "REPORT_START_TIME", o.report_start_s);
    date_time("END_DATE", "END_TIME", o.end_s);
    option("SWEEP_START");
    month_day(o.sweep_start_month, o.sweep_start_day);
    out_ += '\n';
    option("SWEEP_END");
    month_day(o.sweep_end_month, o.sweep_end_day);
    out_ += '\n';
    value("DRY_DAYS", o.antecedent_dry_s / units::kDay);
    option("REPORT_STEP");
    clock_field(o.report_step_s);
    out_ += '\n';
    option("WET_STEP");
    clock_field(o.wet_step_s);
    out_ += '\n';
    option("DRY_STEP");
    clock_field(o.dry_step_s);
    out_ += '\n';
    value("ROUTING_STEP", o.routing_step_s);
    if (o.rule_step_s > 0) {
        option("RULE_STEP");
        clock_field(o.rule_step_s);
        out_ += '\n';
    }
    line("INERTIAL_DAMPING", kDamping[static_cast<int>(o.inertial_damping)]);
    line("NORMAL_FLOW_LIMITED", kNormal[static_cast<int>(o.normal_flow_limited)]);
    value("VARIABLE_STEP", o.variable_step);
    value("LENGTHENING_STEP", o.lengthening_step_s);
    value("MIN_SURFAREA", o.min_surface_area_m2 / f_.area);
    count("MAX_TRIALS", o.max_trials);
    value("HEAD_TOLERANCE", o.head_tolerance_m / f_.length);
    value("SYS_FLOW_TOL", o.sys_flow_tolerance * 100.0);
    value("LAT_FLOW_TOL", o.lat_flow_tolerance * 100.0);
    value("MINIMUM_STEP", o.minimum_step_s);
    count("THREADS", o.threads);
    if (!o.compatibility.empty())
        line("COMPATIBILITY", o.compatibility);
    if (!o.tempdir.empty()) {
        option("TEMPDIR");
        word(o.tempdir);
        out_ += '\n';
    }
}

void Writer::climate() {
    const auto& e = net_.evaporation;
    if (e.given || e.recovery.valid() || e.dry_only) {
        header("EVAPORATION");
        switch (e.type) {
        case EvaporationType::kConstant:
            out_ += "CONSTANT";
            field(e.constant_ms / f_.evap_rate);
            break;
        case EvaporationType::kMonthly:
            out_ += "MONTHLY";
            for (double v : e.monthly_ms)
                field(v / f_.evap_rate);
            break;
        case EvaporationType::kTimeSeries:
            out_ += "TIMESERIES";
            field(net_.series[e.series.idx()].id);
            break;
        case EvaporationType::kTemperature:
            out_ += "TEMPERATURE";
            break;
        case EvaporationType::kFile:
            out_ += "FILE";
            if (e.has_pan_coefficients)
                for (double v : e.pan_coefficients)
                    field(v);
            break;
        }
        out_ += '\n';
        if (e.recovery.valid()) {
            out_ += "RECOVERY";
            field(net_.patterns[e.recovery.idx()].id);
            out_ += '\n';
        }
        out_ += "DRY_ONLY";
        yes_no(e.dry_only);
        out_ += '\n';
    }

    if (!net_.gages.empty()) {
        header("RAINGAGES");
        out_ += ";;Name\tFormat\tInterval\tSCF\tSource\n";
        static constexpr std::string_view kFormat[] = {"INTENSITY", "VOLUME", "CUMULATIVE"};
        for (const auto& g : net_.gages) {
            word(g.id);
            field(kFormat[static_cast<int>(g.format)]);
            clock_field(g.interval_s);
            field(g.snow_catch_factor);
            if (g.source == RainSource::kTimeSeries) {
                field("TIMESERIES");
                field(g.series.valid() ? net_.series[g.series.idx()].id : std::string());
            } else {
                field("FILE");
                field(g.file);
                field(g.station);
                field(g.file_in_mm ? "MM" : "IN");
                for (const auto& d : g.file_dates)
                    field(d);
            }
            out_ += '\n';
        }
    }
}

void Writer::subcatchments() {
    const auto& sc = net_.subcatchments;
    if (sc.count() == 0)
        return;
    header("SUBCATCHMENTS");
    out_ += ";;Name\tRain Gage\tOutlet\tArea\t%Imperv\tWidth\t%Slope\tCurbLen\tSnowPack\n";
    for (std::int32_t s = 0; s < sc.count(); ++s) {
        const auto u = static_cast<std::size_t>(s);
        word(sc.id[u]);
        field(sc.gage[u].valid() ? net_.gages[sc.gage[u].idx()].id : std::string("*"));
        field(sc.outlet_node[u].valid()       ? node(sc.outlet_node[u])
              : sc.outlet_subcatch[u].valid() ? sc.id[sc.outlet_subcatch[u].idx()]
                                              : std::string("*"));
        field(sc.area_m2[u] / f_.land_area);
        field(sc.imperv_fraction[u] * 100.0);
        field(sc.width_m[u] / f_.length);
        field(sc.slope[u] * 100.0);
        field(sc.curb_length[u]);
        if (!sc.snowpack[u].empty())
            field(sc.snowpack[u]);
        out_ += '\n';
    }
    header("SUBAREAS");
    out_ += ";;Subcatchment\tN-Imperv\tN-Perv\tS-Imperv\tS-Perv\tPctZero\tRouteTo\tPctRouted\n";
    static constexpr std::string_view kRoute[] = {"OUTLET", "IMPERVIOUS", "PERVIOUS"};
    for (std::int32_t s = 0; s < sc.count(); ++s) {
        const auto u = static_cast<std::size_t>(s);
        if (!sc.has_subareas[u])
            continue;
        word(sc.id[u]);
        field(sc.n_imperv[u]);
        field(sc.n_perv[u]);
        field(sc.dstore_imperv_m[u] / f_.rain_depth);
        field(sc.dstore_perv_m[u] / f_.rain_depth);
        field(sc.zero_imperv_fraction[u] * 100.0);
        field(kRoute[static_cast<int>(sc.route_to[u])]);
        field(sc.routed_fraction[u] * 100.0);
        out_ += '\n';
    }
    header("INFILTRATION");
    static constexpr std::string_view kModel[] = {"HORTON", "MODIFIED_HORTON", "GREEN_AMPT",
                                                  "MODIFIED_GREEN_AMPT", "CURVE_NUMBER"};
    for (std::int32_t s = 0; s < sc.count(); ++s) {
        const auto u = static_cast<std::size_t>(s);
        if (!sc.has_infiltration[u])
            continue;
        const auto& inf = sc.infiltration[u];
        word(sc.id[u]);
        switch (inf.model) {
        case InfiltrationModel::kHorton:
        case InfiltrationModel::kModifiedHorton:
            field(inf.max_rate_ms / f_.rain_rate);
            field(inf.min_rate_ms / f_.rain_rate);
            field(inf.decay_per_s * units::kHour);
            field(inf.dry_time_s / units::kDay);
            field(inf.max_volume_m / f_.rain_depth);
            break;
        case InfiltrationModel::kGreenAmpt:
        case InfiltrationModel::kModifiedGreenAmpt:
            field(inf.suction_m / f_.rain_depth);
            field(inf.ksat_ms / f_.rain_rate);
            field(inf.initial_deficit);
            break;
        case InfiltrationModel::kCurveNumber:
            field(inf.curve_number);
            field(inf.ksat_ms / f_.rain_rate);
            field(inf.dry_time_s / units::kDay);
            break;
        }
        // The model name goes on the line when it was there or differs from the option's.
        if (inf.model_given || inf.model != net_.options.infiltration)
            field(kModel[static_cast<int>(inf.model)]);
        out_ += '\n';
    }
}

void Writer::nodes() {
    auto section_of = [&](NodeKind kind, std::string_view name, std::string_view columns,
                          auto&& body) {
        bool any = false;
        for (std::int32_t n = 0; n < net_.node_count(); ++n) {
            const auto u = static_cast<std::size_t>(n);
            if (net_.node_kind[u] != kind)
                continue;
            if (!any) {
                header(name);
                out_ += columns;
                any = true;
            }
            word(net_.node_id[u]);
            field(net_.invert_m[u] / f_.length);
            body(u);
            out_ += '\n';
        }
    };
    section_of(NodeKind::kJunction, "JUNCTIONS",
               ";;Name\tElevation\tMaxDepth\tInitDepth\tSurDepth\tAponded\n", [&](std::size_t u) {
                   field(net_.max_depth_m[u] / f_.length);
                   field(net_.initial_depth_m[u] / f_.length);
                   field(net_.surcharge_depth_m[u] / f_.length);
                   field(net_.ponded_area_m2[u] / f_.area);
               });
    static constexpr std::string_view kOutfall[] = {"FREE", "NORMAL", "FIXED", "TIDAL",
                                                    "TIMESERIES"};
    section_of(NodeKind::kOutfall, "OUTFALLS",
               ";;Name\tElevation\tType\tStage Data\tGated\tRoute To\n", [&](std::size_t u) {
                   const auto& o = net_.outfalls;
                   const auto k = static_cast<std::size_t>(net_.outfall_of_node[u]);
                   field(kOutfall[static_cast<int>(o.type[k])]);
                   switch (o.type[k]) {
                   case OutfallType::kFixed:
                       field(o.fixed_stage_m[k] / f_.length);
                       break;
                   case OutfallType::kTidal:
                       field(net_.curves[o.tidal_curve[k].idx()].id);
                       break;
                   case OutfallType::kTimeSeries:
                       field(net_.series[o.stage_series[k].idx()].id);
                       break;
                   default:
                       break;
                   }
                   yes_no(o.flap_gate[k] != 0);
                   if (o.route_to[k].valid())
                       field(net_.subcatchments.id[o.route_to[k].idx()]);
               });
    static constexpr std::string_view kDivider[] = {"CUTOFF", "OVERFLOW", "TABULAR", "WEIR"};
    section_of(NodeKind::kDivider, "DIVIDERS",
               ";;Name\tElevation\tDiverted Link\tType\tParameters\n", [&](std::size_t u) {
                   const auto& d = net_.dividers;
                   const auto k = static_cast<std::size_t>(net_.divider_of_node[u]);
                   field(d.diverted_link[k].valid() ? net_.link_id[d.diverted_link[k].idx()]
                                                    : std::string("*"));
                   field(kDivider[static_cast<int>(d.type[k])]);
                   switch (d.type[k]) {
                   case DividerType::kCutoff:
                       field(d.cutoff_flow_m3s[k] / f_.flow);
                       break;
                   case DividerType::kTabular:
                       field(net_.curves[d.curve[k].idx()].id);
                       break;
                   case DividerType::kWeir:
                       field(d.weir_min_flow_m3s[k] / f_.flow);
                       field(d.weir_max_depth_m[k] / f_.length);
                       field(d.weir_coefficient[k] / f_.weir_coeff);
                       break;
                   case DividerType::kOverflow:
                       break;
                   }
                   field(net_.max_depth_m[u] / f_.length);
                   field(net_.initial_depth_m[u] / f_.length);
                   field(net_.surcharge_depth_m[u] / f_.length);
                   field(net_.ponded_area_m2[u] / f_.area);
               });
    static constexpr std::string_view kShape[] = {"TABULAR", "FUNCTIONAL", "CYLINDRICAL",
                                                  "CONICAL", "PARABOLIC",  "PYRAMIDAL"};
    section_of(NodeKind::kStorage, "STORAGE",
               ";;Name\tElev.\tMaxDepth\tInitDepth\tShape\tCurve Type/Params\tSurDepth\tFevap\t"
               "Psi\tKsat\tIMD\n",
               [&](std::size_t u) {
                   const auto& s = net_.storages;
                   const auto k = static_cast<std::size_t>(net_.storage_of_node[u]);
                   field(net_.max_depth_m[u] / f_.length);
                   field(net_.initial_depth_m[u] / f_.length);
                   field(kShape[static_cast<int>(s.shape[k])]);
                   const auto& p = s.param[k];
                   switch (s.shape[k]) {
                   case StorageShape::kTabular:
                       field(net_.curves[s.curve[k].idx()].id);
                       break;
                   case StorageShape::kFunctional:
                       field(p[0] == 0 ? 0.0 : p[0] * std::pow(f_.length, p[1]) / f_.area);
                       field(p[1]);
                       field(p[2] / f_.area);
                       break;
                   case StorageShape::kParabolic:
                       field(p[0] / f_.length);
                       field(p[1] / f_.length);
                       field(p[2] / f_.length);
                       break;
                   default:
                       field(p[0] / f_.length);
                       field(p[1] / f_.length);
                       field(p[2]);
                       break;
                   }
                   field(net_.surcharge_depth_m[u] / f_.length);
                   field(s.evap_factor[k]);
                   if (s.has_seepage[k]) {
                       field(s.seepage_suction_m[k] / f_.rain_depth);
                       field(s.seepage_ksat_ms[k] / f_.rain_rate);
                       field(s.seepage_initial_deficit[k]);
                   }
               });
}

void Writer::links() {
    auto section_of = [&](LinkKind kind, std::string_view name, std::string_view columns,
                          auto&& body) {
        bool any = false;
        for (std::int32_t k = 0; k < net_.link_count(); ++k) {
            const auto u = static_cast<std::size_t>(k);
            if (net_.link_kind[u] != kind)
                continue;
            if (!any) {
                header(name);
                out_ += columns;
                any = true;
            }
            word(net_.link_id[u]);
            field(node(net_.from_node[u]));
            field(node(net_.to_node[u]));
            body(u, static_cast<std::size_t>(net_.type_index[u]));
            out_ += '\n';
        }
    };
    section_of(LinkKind::kConduit, "CONDUITS",
               ";;Name\tFrom Node\tTo Node\tLength\tRoughness\tInOffset\tOutOffset\tInitFlow\t"
               "MaxFlow\n",
               [&](std::size_t u, std::size_t i) {
                   field(net_.conduits.length_m[i] / f_.length);
                   field(net_.conduits.roughness[i]);
                   offset(net_.inlet_offset_m[u]);
                   offset(net_.outlet_offset_m[u]);
                   field(net_.initial_flow_m3s[u] / f_.flow);
                   field(net_.max_flow_m3s[u] / f_.flow);
               });
    section_of(LinkKind::kPump, "PUMPS",
               ";;Name\tFrom Node\tTo Node\tPump Curve\tStatus\tStartup\tShutoff\n",
               [&](std::size_t, std::size_t i) {
                   const auto& p = net_.pumps;
                   field(p.curve[i].valid() ? net_.curves[p.curve[i].idx()].id : std::string("*"));
                   field(p.initially_on[i] ? "ON" : "OFF");
                   field(p.startup_depth_m[i] / f_.length);
                   field(p.shutoff_depth_m[i] / f_.length);
               });
    section_of(LinkKind::kOrifice, "ORIFICES",
               ";;Name\tFrom Node\tTo Node\tType\tOffset\tQcoeff\tGated\tCloseTime\n",
               [&](std::size_t u, std::size_t i) {
                   const auto& o = net_.orifices;
                   field(o.type[i] == OrificeType::kSide ? "SIDE" : "BOTTOM");
                   offset(net_.inlet_offset_m[u]);
                   field(o.discharge_coefficient[i]);
                   yes_no(o.flap_gate[i] != 0);
                   field(o.open_close_time_s[i] / units::kHour);
               });
    static constexpr std::string_view kWeir[] = {"TRANSVERSE", "SIDEFLOW", "V-NOTCH", "TRAPEZOIDAL",
                                                 "ROADWAY"};
    section_of(LinkKind::kWeir, "WEIRS",
               ";;Name\tFrom Node\tTo Node\tType\tCrestHt\tQcoeff\tGated\tEndCon\tEndCoeff\t"
               "Surcharge\tRoadWidth\tRoadSurf\tCoeff. Curve\n",
               [&](std::size_t u, std::size_t i) {
                   const auto& w = net_.weirs;
                   field(kWeir[static_cast<int>(w.type[i])]);
                   offset(net_.inlet_offset_m[u]);
                   field(w.coefficient[i] / f_.weir_coeff);
                   yes_no(w.flap_gate[i] != 0);
                   field(w.end_contractions[i]);
                   field(w.end_coefficient[i] / f_.weir_coeff);
                   yes_no(w.can_surcharge[i] != 0);
                   const bool curve = w.coefficient_curve[i].valid();
                   if (w.type[i] == WeirType::kRoadway || curve ||
                       w.road_surface[i] != RoadSurface::kNone || w.road_width_m[i] != 0) {
                       field(w.road_width_m[i] / f_.length);
                       field(w.road_surface[i] == RoadSurface::kPaved    ? "PAVED"
                             : w.road_surface[i] == RoadSurface::kGravel ? "GRAVEL"
                                                                         : "*");
                   }
                   if (curve)
                       field(net_.curves[w.coefficient_curve[i].idx()].id);
               });
    static constexpr std::string_view kRating[] = {"FUNCTIONAL/DEPTH", "FUNCTIONAL/HEAD",
                                                   "TABULAR/DEPTH", "TABULAR/HEAD"};
    section_of(LinkKind::kOutlet, "OUTLETS",
               ";;Name\tFrom Node\tTo Node\tOffset\tType\tQTable/Qcoeff\tQexpon\tGated\n",
               [&](std::size_t u, std::size_t i) {
                   const auto& o = net_.outlets;
                   offset(net_.inlet_offset_m[u]);
                   field(kRating[static_cast<int>(o.rating[i])]);
                   if (o.rating[i] == OutletRating::kFunctionalDepth ||
                       o.rating[i] == OutletRating::kFunctionalHead) {
                       field(o.coefficient[i] * std::pow(f_.length, o.exponent[i]) / f_.flow);
                       field(o.exponent[i]);
                   } else {
                       field(net_.curves[o.curve[i].idx()].id);
                   }
                   yes_no(o.flap_gate[i] != 0);
               });
}

void Writer::link_details() {
    bool any = false;
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const auto& x = net_.xsection[u];
        if (!x.given)
            continue;
        if (!any) {
            header("XSECTIONS");
            out_ += ";;Link\tShape\tGeom1\tGeom2\tGeom3\tGeom4\tBarrels\tCulvert\n";
            any = true;
        }
        word(net_.link_id[u]);
        field(xsect_shape_name(x.shape));
        if (x.shape == XsectShape::kIrregular) {
            field(net_.transects[x.transect.idx()].id);
        } else if (x.shape == XsectShape::kStreet) {
            field(x.street);
        } else {
            field(x.geom[0] / f_.length);
            if (x.shape == XsectShape::kCustom)
                field(net_.curves[x.shape_curve.idx()].id);
            else
                field(x.shape == XsectShape::kForceMain ? x.geom[1] : x.geom[1] / f_.length);
            const bool g3_length = x.shape == XsectShape::kRectTriangular ||
                                   x.shape == XsectShape::kRectRound ||
                                   x.shape == XsectShape::kModBasketHandle;
            field(g3_length ? x.geom[2] / f_.length : x.geom[2]);
            field(x.geom[3]);
            if (net_.link_kind[u] == LinkKind::kConduit) {
                field(x.barrels);
                field(x.culvert_code);
            }
        }
        out_ += '\n';
    }

    if (!net_.transects.empty()) {
        header("TRANSECTS");
        for (const auto& t : net_.transects) {
            out_ += "NC";
            field(t.n_left);
            field(t.n_right);
            field(t.n_channel);
            out_ += "\nX1";
            field(t.id);
            field(static_cast<double>(t.station_m.size()));
            field(t.left_bank_m / f_.length);
            field(t.right_bank_m / f_.length);
            field(0.0);
            field(0.0);
            field(t.meander_factor);
            field(t.station_factor);
            field(t.elevation_offset_m / f_.length);
            out_ += '\n';
            for (std::size_t i = 0; i < t.station_m.size(); i += 5) {
                out_ += "GR";
                for (std::size_t j = i; j < t.station_m.size() && j < i + 5; ++j) {
                    field(t.elevation_m[j] / f_.length);
                    field(t.station_m[j] / f_.length);
                }
                out_ += '\n';
            }
        }
    }

    any = false;
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const auto& x = net_.losses[u];
        if (!x.given)
            continue;
        if (!any) {
            header("LOSSES");
            out_ += ";;Link\tKentry\tKexit\tKavg\tFlap Gate\tSeepage\n";
            any = true;
        }
        word(net_.link_id[u]);
        field(x.entry);
        field(x.exit);
        field(x.average);
        yes_no(x.flap_gate);
        field(x.seepage_ms / f_.rain_rate);
        out_ += '\n';
    }

    if (!net_.control_text.empty()) {
        header("CONTROLS");
        for (const auto& l : net_.control_text) {
            out_ += l;
            out_ += '\n';
        }
    }
}

void Writer::inflows() {
    if (!net_.inflows.empty()) {
        header("INFLOWS");
        out_ += ";;Node\tConstituent\tTime Series\tType\tMfactor\tSfactor\tBaseline\tPattern\n";
        for (const auto& in : net_.inflows) {
            const bool flow = in.type == ExternalInflow::Type::kFlow;
            word(node(in.node));
            field(in.constituent);
            field(in.series.valid() ? net_.series[in.series.idx()].id : std::string());
            field(flow ? "FLOW" : in.type == ExternalInflow::Type::kMass ? "MASS" : "CONCEN");
            field(in.conversion_factor);
            field(in.scale_factor);
            field(flow ? in.baseline / f_.flow : in.baseline);
            if (in.baseline_pattern.valid())
                field(net_.patterns[in.baseline_pattern.idx()].id);
            out_ += '\n';
        }
    }
    if (!net_.dwf.empty()) {
        header("DWF");
        out_ += ";;Node\tConstituent\tBaseline\tPatterns\n";
        for (const auto& d : net_.dwf) {
            const bool flow = is_flow(d.constituent);
            word(node(d.node));
            field(d.constituent);
            field(flow ? d.average / f_.flow : d.average);
            for (const auto p : d.patterns)
                field(p.valid() ? net_.patterns[p.idx()].id : std::string());
            out_ += '\n';
        }
    }
    if (!net_.rdii.empty()) {
        header("RDII");
        for (const auto& r : net_.rdii) {
            word(node(r.node));
            field(net_.hydrographs[r.hydrograph.idx()].id);
            field(r.sewer_area_m2 / f_.land_area);
            out_ += '\n';
        }
    }
    if (!net_.hydrographs.empty()) {
        header("HYDROGRAPHS");
        static constexpr std::string_view kResponse[] = {"SHORT", "MEDIUM", "LONG"};
        for (const auto& uh : net_.hydrographs) {
            word(uh.id);
            field(uh.gage.valid() ? net_.gages[uh.gage.idx()].id : std::string("*"));
            out_ += '\n';
            for (const auto& p : uh.params) {
                word(uh.id);
                field(p.month == 0 ? std::string_view("ALL") : kMonthNames[p.month - 1]);
                field(kResponse[static_cast<int>(p.response)]);
                field(p.r);
                field(p.t_s / units::kHour);
                field(p.k);
                if (p.has_abstraction) {
                    field(p.dmax_m / f_.rain_depth);
                    field(p.drecov_ms / f_.evap_rate);
                    field(p.dinit_m / f_.rain_depth);
                }
                out_ += '\n';
            }
        }
    }
}

void Writer::tables() {
    if (!net_.curves.empty()) {
        header("CURVES");
        for (const auto& c : net_.curves) {
            double fx = 1, fy = 1;
            switch (c.type) {
            case CurveType::kStorage:
                fx = f_.length;
                fy = f_.area;
                break;
            case CurveType::kDiversion:
                fx = f_.flow;
                fy = f_.flow;
                break;
            case CurveType::kTidal:
                fx = units::kHour;
                fy = f_.length;
                break;
            case CurveType::kRating:
                fx = f_.length;
                fy = f_.flow;
                break;
            case CurveType::kControl:
            case CurveType::kShape:
                break;
            case CurveType::kWeir:
                fx = f_.length;
                fy = f_.weir_coeff;
                break;
            case CurveType::kPump1:
                fx = f_.volume;
                fy = f_.flow;
                break;
            default:
                fx = f_.length;
                fy = f_.flow;
                break;
            }
            if (c.x.empty()) {
                word(c.id);
                field(curve_type_name(c.type));
                out_ += '\n';
            }
            for (std::size_t i = 0; i < c.x.size(); ++i) {
                word(c.id);
                if (i == 0)
                    field(curve_type_name(c.type));
                field(c.x[i] / fx);
                field(c.y[i] / fy);
                out_ += '\n';
            }
        }
    }
    if (!net_.series.empty()) {
        header("TIMESERIES");
        const Seconds start = seconds_since_epoch(net_.options.start);
        for (const auto& ts : net_.series) {
            if (!ts.file.empty()) {
                word(ts.id);
                field("FILE");
                field(ts.file);
                out_ += '\n';
                continue;
            }
            const double f = series_factor(ts.usage);
            double last_date = 0; // relative to the start, as the reader keeps it
            for (std::size_t i = 0; i < ts.time_s.size(); ++i) {
                word(ts.id);
                if (ts.dated[i]) {
                    // Date and time of day of the point's absolute time.
                    const double abs_s = static_cast<double>(start) + ts.time_s[i];
                    const double day_s = std::floor(abs_s / units::kDay) * units::kDay;
                    const auto c = calendar_from_seconds(static_cast<Seconds>(day_s));
                    date_field(c);
                    last_date = day_s - static_cast<double>(start);
                    time_field(abs_s - day_s);
                } else {
                    time_field(ts.time_s[i] - last_date);
                }
                field(ts.value[i] / f);
                out_ += '\n';
            }
        }
    }
    if (!net_.patterns.empty()) {
        header("PATTERNS");
        static constexpr std::string_view kType[] = {"MONTHLY", "DAILY", "HOURLY", "WEEKEND"};
        for (const auto& p : net_.patterns) {
            word(p.id);
            field(kType[static_cast<int>(p.type)]);
            for (std::size_t i = 0; i < p.factors.size(); ++i) {
                if (i > 0 && i % 6 == 0) {
                    out_ += '\n';
                    word(p.id);
                }
                field(p.factors[i]);
            }
            out_ += '\n';
        }
    }
}

void Writer::map_sections() {
    if (!net_.report.empty()) {
        header("REPORT");
        for (const auto& r : net_.report)
            tokens_line(r);
    }
    if (!net_.tags.empty()) {
        header("TAGS");
        for (const auto& t : net_.tags) {
            word(t.object);
            field(t.id);
            field(t.tag);
            out_ += '\n';
        }
    }
    if (net_.map.dimensions || !net_.map.units.empty()) {
        header("MAP");
        if (net_.map.dimensions) {
            out_ += "DIMENSIONS";
            for (double v : *net_.map.dimensions)
                field(v);
            out_ += '\n';
        }
        if (!net_.map.units.empty()) {
            out_ += "UNITS";
            field(net_.map.units);
            out_ += '\n';
        }
    }
    bool any = false;
    for (std::int32_t n = 0; n < net_.node_count(); ++n) {
        const auto u = static_cast<std::size_t>(n);
        if (!net_.has_coordinates[u])
            continue;
        if (!any) {
            header("COORDINATES");
            any = true;
        }
        word(net_.node_id[u]);
        field(net_.x[u]);
        field(net_.y[u]);
        out_ += '\n';
    }
    any = false;
    for (std::int32_t k = 0; k < net_.link_count(); ++k) {
        const auto u = static_cast<std::size_t>(k);
        const auto& v = net_.vertices[u];
        for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
            if (!any) {
                header("VERTICES");
                any = true;
            }
            word(net_.link_id[u]);
            field(v[i]);
            field(v[i + 1]);
            out_ += '\n';
        }
    }
    any = false;
    const auto& sc = net_.subcatchments;
    for (std::int32_t s = 0; s < sc.count(); ++s) {
        const auto& v = sc.polygon[static_cast<std::size_t>(s)];
        for (std::size_t i = 0; i + 1 < v.size(); i += 2) {
            if (!any) {
                header("POLYGONS");
                any = true;
            }
            word(sc.id[static_cast<std::size_t>(s)]);
            field(v[i]);
            field(v[i + 1]);
            out_ += '\n';
        }
    }
    any = false;
    for (const auto& g : net_.gages) {
        if (!g.has_symbol)
            continue;
        if (!any) {
            header("SYMBOLS");
            any = true;
        }
        word(g.id);
        field(g.x);
        field(g.y);
        out_ += '\n';
    }
    if (!net_.labels.empty()) {
        header("LABELS");
        for (const auto& l : net_.labels) {
            num(l.x);
            field(l.y);
            out_ += "\t\"";
            out_ += l.text;
            out_ += '"';
            for (const auto& t : l.tail)
                field(t);
            out_ += '\n';
        }
    }
    if (!net_.backdrop.empty()) {
        header("BACKDROP");
        for (const auto& r : net_.backdrop)
            tokens_line(r);
    }
}

std::string Writer::run() {
    out_ += "[TITLE]\n";
    for (const auto& t : net_.title) {
        out_ += t;
        out_ += '\n';
    }
    options();
    if (!net_.files.empty()) {
        header("FILES");
        for (const auto& f : net_.files) {
            word(f.mode);
            field(f.kind);
            field(f.name);
            out_ += '\n';
        }
    }
    climate();
    subcatchments();
    nodes();
    links();
    link_details();
    // Raw sections (quality, LID, inlets, groundwater, ...) as read, before the tables.
    for (const auto& s : net_.raw_sections) {
        header(s.name);
        for (const auto& r : s.rows)
            tokens_line(r);
    }
    inflows();
    tables();
    map_sections();
    return std::move(out_);
}

} // namespace

std::string format_swmm_inp(const Network& net) {
    Writer w(net);
    return w.run();
}

void write_swmm_inp(const std::filesystem::path& path, const Network& net) {
    write_file_atomic(path, format_swmm_inp(net));
}

} // namespace rencheng::drainage
