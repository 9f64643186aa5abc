// Runoff water quality (SWMM 5.2 Reference Manual Vol. III, ch. 2–4): the readers of the water
// quality sections, the buildup and washoff equations and the quality state of subcatchments.
#include "drainage/quality.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kDay = 86400.0;
/// SWMM's kg per lb: its mass factor is 2.203·10⁻⁶ lb per mg (swmm5.c Ucf MASS).
constexpr double kSwmmKgPerLb = 1.0 / 2.203;
/// SWMM's MIN_RUNOFF, 0.001 in/h (2.31481·10⁻⁸ ft/s), in m/s.
constexpr double kMinRunoffMs = 2.31481e-8 * 0.3048;

int find_by_id(const auto& items, const std::string& name) {
    for (std::size_t k = 0; k < items.size(); ++k)
        if (IdEqual{}(items[k].id, name))
            return static_cast<int>(k);
    return -1;
}

/// Day of the year (1..366) of a civil date.
int day_of_year(int year, int month, int day) {
    static constexpr int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return kBefore[month - 1] + day + (leap && month > 2 ? 1 : 0);
}

} // namespace

bool in_sweeping_season(const Network& net, double t_s) {
    const Options& o = net.options;
    const CalendarTime c = calendar_from_seconds(seconds_since_epoch(o.start) +
                                                 static_cast<Seconds>(std::floor(t_s + 0.001)));
    const int day = day_of_year(c.year, c.month, c.day);
    // SWMM takes the season's ends as days of 1947, a common year
    const int start = day_of_year(1947, o.sweep_start_month, o.sweep_start_day);
    const int end = day_of_year(1947, o.sweep_end_month, o.sweep_end_day);
    return start <= end ? (day >= start && day <= end) : (day <= end || day >= start);
}

double Pollutant::kg_per_unit() const {
    switch (units) {
    case ConcentrationUnit::kMgPerL:
        return 1.0e-6;
    case ConcentrationUnit::kUgPerL:
        return 1.0e-9;
    case ConcentrationUnit::kCountPerL:
        return 1.0;
    }
    return 1.0;
}

int QualityInput::pollutant_of(const std::string& name) const {
    return find_by_id(pollutants, name);
}
int QualityInput::land_use_of(const std::string& name) const {
    return find_by_id(land_uses, name);
}

double buildup_max_days(const BuildupParams& b) {
    switch (b.function) {
    case BuildupFunction::kPower:
        if (b.c2 * b.c3 == 0.0)
            return 0.0;
        if (std::log10(b.max_buildup) / b.c3 > 3.5) // the inverse power would blow up
            return 3650.0;
        return std::pow(b.max_buildup / b.c2, 1.0 / b.c3);
    case BuildupFunction::kExponential:
        return b.c2 == 0.0 ? 0.0 : -std::log(0.001) / b.c2;
    case BuildupFunction::kSaturation:
        return 1000.0 * b.c3;
    default:
        return 0.0;
    }
}

double buildup_after_days(const BuildupParams& b, double days) {
    if (days == 0.0)
        return 0.0;
    if (days >= b.max_days)
        return b.max_buildup;
    switch (b.function) {
    case BuildupFunction::kPower:
        return std::min(b.max_buildup, b.c2 * std::pow(days, b.c3));
    case BuildupFunction::kExponential:
        return b.max_buildup * (1.0 - std::exp(-days * b.c2));
    case BuildupFunction::kSaturation:
        return days * b.max_buildup / (b.c3 + days);
    default:
        return 0.0;
    }
}

double buildup_days(const BuildupParams& b, double buildup) {
    if (buildup == 0.0)
        return 0.0;
    if (buildup >= b.max_buildup)
        return b.max_days;
    switch (b.function) {
    case BuildupFunction::kPower:
        return b.c2 * b.c3 == 0.0 ? 0.0 : std::pow(buildup / b.c2, 1.0 / b.c3);
    case BuildupFunction::kExponential:
        return b.max_buildup * b.c2 == 0.0 ? 0.0 : -std::log(1.0 - buildup / b.max_buildup) / b.c2;
    case BuildupFunction::kSaturation:
        return b.max_buildup == 0.0 ? 0.0 : buildup * b.c3 / (b.max_buildup - buildup);
    default:
        return 0.0;
    }
}

double washoff_concentration(const WashoffParams& w, const BuildupParams& b, double buildup,
                             double runoff_ms, double area_m2, const QualityInput& in) {
    if (w.function == WashoffFunction::kNone || runoff_ms == 0.0)
        return 0.0;
    if (b.function != BuildupFunction::kNone && buildup == 0.0)
        return 0.0;
    switch (w.function) {
    case WashoffFunction::kExponential: // eq. 2-5: W = C1·q^C2·B, q in in/h or mm/h
        return w.coeff * std::pow(runoff_ms * in.rain_rate_per_ms, w.exponent) * buildup /
               (runoff_ms * area_m2);
    case WashoffFunction::kRatingCurve: { // eq. 2-6: W = C1·Q^C2, Q in the file's flow units
        const double q_m3s = runoff_ms * area_m2;
        return w.coeff * std::pow(q_m3s * in.flow_per_m3s, w.exponent) / q_m3s;
    }
    case WashoffFunction::kEmc:
        return w.coeff;
    default:
        return 0.0;
    }
}

QualityInput read_quality_sections(const Network& net, const std::string& file,
                                   Diagnostics& diags) {
    QualityInput in;
    const bool si = is_si(net.options.flow_units);
    const UnitFactors uf = unit_factors(net.options.flow_units);
    in.rain_rate_per_ms = 1.0 / uf.rain_rate;
    in.flow_per_m3s = 1.0 / uf.flow;
    const auto n_sub = static_cast<std::size_t>(net.subcatchments.count());
    const auto for_rows = [&](const char* section, auto&& fn) {
        if (const auto* raw = net.raw_section(section)) {
            rows::RowReader rr(file, diags, section);
            for (std::size_t r = 0; r < raw->rows.size(); ++r)
                if (!raw->rows[r].empty())
                    fn(rr, raw->rows[r], raw->line[r]);
        }
    };
    // a number at token i, any sign
    const auto number_any = [](rows::RowReader& rr, const std::vector<std::string>& row,
                               std::size_t i, int line, const std::string& id,
                               const char* what) -> std::optional<double> {
        const auto v = rows::parse_number(row[i]);
        if (!v)
            rr.error(ErrorCode::kNumberSyntax, line, id,
                     std::string(what) + " '" + row[i] + "' is not a number", row);
        return v;
    };
    // names first: lines may refer to pollutants and land uses defined further down
    std::vector<std::pair<int, std::string>> co_names; // pollutant, co-pollutant name (and line)
    std::vector<int> co_lines;
    std::vector<std::vector<std::string>> co_rows;
    for_rows("POLLUTANTS", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        const std::string& id = row[0];
        if (row.size() < 6) {
            rr.error(ErrorCode::kMissingKey, line, id,
                     "a pollutant needs units, Crain, Cgw, Crdii and Kdecay", row);
            return;
        }
        if (in.pollutant_of(id) >= 0) {
            rr.error(ErrorCode::kDuplicateId, line, id, "pollutant '" + id + "' defined twice",
                     row);
            return;
        }
        Pollutant p;
        p.id = id;
        if (rows::iequals(row[1], "MG/L"))
            p.units = ConcentrationUnit::kMgPerL;
        else if (rows::iequals(row[1], "UG/L"))
            p.units = ConcentrationUnit::kUgPerL;
        else if (rows::iequals(row[1], "#/L"))
            p.units = ConcentrationUnit::kCountPerL;
        else {
            rr.error(ErrorCode::kUnknownValue, line, id,
                     "unknown concentration units '" + row[1] + "' (MG/L, UG/L or #/L)", row);
            return;
        }
        bool ok = true;
        double* conc[3] = {&p.rain_concentration, &p.groundwater_concentration,
                           &p.rdii_concentration};
        const char* conc_name[3] = {"Crain", "Cgw", "Crdii"};
        for (std::size_t k = 0; k < 3; ++k) {
            const auto v = rr.number(row, 2 + k, line, id, conc_name[k]);
            ok = ok && v.has_value();
            if (v)
                *conc[k] = *v;
        }
        if (const auto v = number_any(rr, row, 5, line, id, "Kdecay"))
            p.decay_per_s = *v / kDay; // may be negative (growth)
        else
            ok = false;
        if (row.size() >= 7) {
            if (rows::iequals(row[6], "YES"))
                p.snow_only = true;
            else if (!rows::iequals(row[6], "NO")) {
                rr.error(ErrorCode::kUnknownValue, line, id,
                         "SnowOnly '" + row[6] + "' is not YES or NO", row);
                ok = false;
            }
        }
        const bool co = row.size() >= 9 && row[7] != "*";
        if (co) {
            if (const auto v = rr.number(row, 8, line, id, "CoFraction"))
                p.co_fraction = *v;
            else
                ok = false;
        }
        if (row.size() >= 10) {
            const auto v = rr.number(row, 9, line, id, "Cdwf");
            ok = ok && v.has_value();
            p.dwf_concentration = v.value_or(0.0);
        }
        if (row.size() >= 11) {
            const auto v = rr.number(row, 10, line, id, "Cinit");
            ok = ok && v.has_value();
            p.initial_concentration = v.value_or(0.0);
        }
        if (!ok)
            return;
        // The co-pollutant is resolved once every pollutant is read (it may come later).
        if (co) {
            co_names.emplace_back(static_cast<int>(in.pollutants.size()), row[7]);
            co_lines.push_back(line);
            co_rows.push_back(row);
        }
        in.pollutants.push_back(p);
    });
    for (std::size_t k = 0; k < co_names.size(); ++k) {
        const int c = in.pollutant_of(co_names[k].second);
        if (c < 0) {
            rows::RowReader rr(file, diags, "POLLUTANTS");
            rr.error(ErrorCode::kUnknownReference, co_lines[k], co_rows[k][0],
                     "unknown co-pollutant '" + co_names[k].second + "'", co_rows[k]);
            continue;
        }
        in.pollutants[static_cast<std::size_t>(co_names[k].first)].co_pollutant = c;
    }
    const std::size_t np = in.pollutants.size();
    for_rows("LANDUSES", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        const std::string& id = row[0];
        if (in.land_use_of(id) >= 0) {
            rr.error(ErrorCode::kDuplicateId, line, id, "land use '" + id + "' defined twice", row);
            return;
        }
        LandUse lu;
        lu.id = id;
        if (row.size() > 1) {
            if (row.size() < 4) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "sweeping needs its interval, availability and days since last swept",
                         row);
                return;
            }
            const auto interval = rr.number(row, 1, line, id, "sweeping interval");
            const auto avail = rr.number(row, 2, line, id, "sweeping availability");
            const auto days0 = rr.number(row, 3, line, id, "days since last swept");
            if (!interval || !avail || !days0)
                return;
            if (*avail > 1.0) {
                rr.error(ErrorCode::kOutOfRange, line, id,
                         "sweeping availability must be a fraction 0..1", row);
                return;
            }
            lu.sweep_interval_s = *interval * kDay;
            lu.sweep_availability = *avail;
            lu.days_since_swept_s = *days0 * kDay;
        }
        lu.buildup.assign(np, BuildupParams{});
        lu.washoff.assign(np, WashoffParams{});
        in.land_uses.push_back(std::move(lu));
    });
    const std::size_t nl = in.land_uses.size();
    in.coverage.assign(n_sub, std::vector<double>(nl, 0.0));
    in.initial_loading.assign(n_sub, std::vector<double>(np, 0.0));
    const auto subcatch_of = [&](rows::RowReader& rr, const std::vector<std::string>& row,
                                 int line) -> int {
        const auto s = net.find_subcatchment(row[0]);
        if (!s.valid()) {
            rr.error(ErrorCode::kUnknownReference, line, row[0],
                     "unknown subcatchment '" + row[0] + "'", row);
            return -1;
        }
        return static_cast<int>(s.idx());
    };
    for_rows("COVERAGES", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        if (row.size() < 3 || row.size() % 2 == 0) {
            rr.error(ErrorCode::kMissingKey, line, row[0],
                     "a coverage line is a subcatchment then land use and percent pairs", row);
            return;
        }
        const int j = subcatch_of(rr, row, line);
        if (j < 0)
            return;
        for (std::size_t k = 1; k + 1 < row.size(); k += 2) {
            const int m = in.land_use_of(row[k]);
            if (m < 0) {
                rr.error(ErrorCode::kUnknownReference, line, row[0],
                         "unknown land use '" + row[k] + "'", row);
                continue;
            }
            const auto pct = rr.number(row, k + 1, line, row[0], "percent of area");
            if (!pct)
                continue;
            if (*pct > 100.0) {
                rr.error(ErrorCode::kOutOfRange, line, row[0], "percent of area must be 0..100",
                         row);
                continue;
            }
            in.coverage[static_cast<std::size_t>(j)][static_cast<std::size_t>(m)] = *pct / 100.0;
        }
    });
    // masses: lbs (as SWMM takes them) or kg for mg and µg pollutants, counts for #/L
    const auto mass_factor = [&](std::size_t p) {
        return in.pollutants[p].units == ConcentrationUnit::kCountPerL ? 1.0
               : si                                                    ? 1.0
                                                                       : kSwmmKgPerLb;
    };
    for_rows("LOADINGS", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        if (row.size() < 3 || row.size() % 2 == 0) {
            rr.error(ErrorCode::kMissingKey, line, row[0],
                     "a loading line is a subcatchment then pollutant and buildup pairs", row);
            return;
        }
        const int j = subcatch_of(rr, row, line);
        if (j < 0)
            return;
        for (std::size_t k = 1; k + 1 < row.size(); k += 2) {
            const int p = in.pollutant_of(row[k]);
            if (p < 0) {
                rr.error(ErrorCode::kUnknownReference, line, row[0],
                         "unknown pollutant '" + row[k] + "'", row);
                continue;
            }
            const auto v = rr.number(row, k + 1, line, row[0], "initial buildup");
            if (v) // lbs/acre or kg/ha
                in.initial_loading[static_cast<std::size_t>(j)][static_cast<std::size_t>(p)] =
                    *v * mass_factor(static_cast<std::size_t>(p)) / uf.land_area;
        }
    });
    // [BUILDUP] and [WASHOFF]: land use, pollutant, function
    const auto lu_pollutant = [&](rows::RowReader& rr, const std::vector<std::string>& row,
                                  int line, int& m, int& p) {
        m = in.land_use_of(row[0]);
        p = row.size() > 1 ? in.pollutant_of(row[1]) : -1;
        if (row.size() < 3) {
            rr.error(ErrorCode::kMissingKey, line, row[0],
                     "a line needs a land use, a pollutant and a function", row);
            return false;
        }
        if (m < 0)
            rr.error(ErrorCode::kUnknownReference, line, row[0],
                     "unknown land use '" + row[0] + "'", row);
        if (p < 0)
            rr.error(ErrorCode::kUnknownReference, line, row[0],
                     "unknown pollutant '" + row[1] + "'", row);
        return m >= 0 && p >= 0;
    };
    for_rows("BUILDUP", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        int m = -1, p = -1;
        if (!lu_pollutant(rr, row, line, m, p))
            return;
        const std::string& id = row[0];
        BuildupParams b;
        const std::string& fn = row[2];
        if (rows::iequals(fn, "NONE"))
            b.function = BuildupFunction::kNone;
        else if (rows::iequals(fn, "POW"))
            b.function = BuildupFunction::kPower;
        else if (rows::iequals(fn, "EXP"))
            b.function = BuildupFunction::kExponential;
        else if (rows::iequals(fn, "SAT"))
            b.function = BuildupFunction::kSaturation;
        else if (rows::iequals(fn, "EXT"))
            b.function = BuildupFunction::kExternal;
        else {
            rr.error(ErrorCode::kUnknownValue, line, id,
                     "unknown buildup function '" + fn + "' (NONE, POW, EXP, SAT or EXT)", row);
            return;
        }
        if (b.function != BuildupFunction::kNone) {
            if (row.size() < 7) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "a buildup function needs C1, C2, C3 and AREA or CURB", row);
                return;
            }
            if (rows::iequals(row[6], "AREA"))
                b.normalizer = BuildupNormalizer::kArea;
            else if (rows::iequals(row[6], "CURB"))
                b.normalizer = BuildupNormalizer::kCurb;
            else {
                rr.error(ErrorCode::kUnknownValue, line, id,
                         "unknown normalizer '" + row[6] + "' (AREA or CURB)", row);
                return;
            }
            const auto c1 = rr.number(row, 3, line, id, "C1");
            const auto c2 = rr.number(row, 4, line, id, "C2");
            if (!c1 || !c2)
                return;
            double c3 = 0;
            if (b.function == BuildupFunction::kExternal) {
                const auto it = net.series_index.find(row[5]);
                if (it == net.series_index.end()) {
                    rr.error(ErrorCode::kUnknownReference, line, id,
                             "unknown time series '" + row[5] + "'", row);
                    return;
                }
                const auto& s = net.series[static_cast<std::size_t>(it->second)];
                if (s.usage != SeriesUsage::kUnused && s.usage != SeriesUsage::kOther &&
                    s.usage != SeriesUsage::kConcentration) {
                    rr.error(ErrorCode::kInconsistent, line, id,
                             "time series '" + row[5] + "' also feeds a quantity with other units",
                             row);
                    return;
                }
                b.series = it->second;
            } else {
                const auto v = rr.number(row, 5, line, id, "C3");
                if (!v)
                    return;
                c3 = *v;
                if (b.function == BuildupFunction::kPower && c3 > 0 && (c3 < 0.01 || c3 > 10.0)) {
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "the power buildup exponent C3 must be 0.01..10", row);
                    return;
                }
            }
            b.max_buildup = *c1;
            b.c2 = *c2;
            b.c3 = c3;
            b.max_days = buildup_max_days(b); // from the file's values, as SWMM
            // mass per acre or hectare → per m²; per unit curb length: as written
            const double per_unit = mass_factor(static_cast<std::size_t>(p)) /
                                    (b.normalizer == BuildupNormalizer::kArea ? uf.land_area : 1.0);
            b.max_buildup *= per_unit;
            // POW: mass per unit per day^C3; EXT: the series' rates are in the file's mass per
            // unit per day
            if (b.function == BuildupFunction::kPower || b.function == BuildupFunction::kExternal)
                b.c2 *= per_unit;
        }
        in.land_uses[static_cast<std::size_t>(m)].buildup[static_cast<std::size_t>(p)] = b;
    });
    for_rows("WASHOFF", [&](rows::RowReader& rr, const std::vector<std::string>& row, int line) {
        int m = -1, p = -1;
        if (!lu_pollutant(rr, row, line, m, p))
            return;
        const std::string& id = row[0];
        WashoffParams w;
        const std::string& fn = row[2];
        if (rows::iequals(fn, "NONE"))
            w.function = WashoffFunction::kNone;
        else if (rows::iequals(fn, "EXP"))
            w.function = WashoffFunction::kExponential;
        else if (rows::iequals(fn, "RC"))
            w.function = WashoffFunction::kRatingCurve;
        else if (rows::iequals(fn, "EMC"))
            w.function = WashoffFunction::kEmc;
        else {
            rr.error(ErrorCode::kUnknownValue, line, id,
                     "unknown washoff function '" + fn + "' (NONE, EXP, RC or EMC)", row);
            return;
        }
        if (w.function != WashoffFunction::kNone) {
            if (row.size() < 5) {
                rr.error(ErrorCode::kMissingKey, line, id, "a washoff function needs C1 and C2",
                         row);
                return;
            }
            const auto c1 = rr.number(row, 3, line, id, "C1");
            const auto c2 = number_any(rr, row, 4, line, id, "C2");
            if (!c1 || !c2)
                return;
            if (*c2 < -10.0 || *c2 > 10.0) {
                rr.error(ErrorCode::kOutOfRange, line, id, "C2 must be -10..10", row);
                return;
            }
            double pct[2] = {0, 0};
            const char* what[2] = {"sweeping removal", "BMP removal"};
            for (std::size_t k = 0; k < 2; ++k) {
                if (row.size() < 6 + k)
                    break;
                const auto v = rr.number(row, 5 + k, line, id, what[k]);
                if (!v)
                    return;
                if (*v > 100.0) {
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             std::string(what[k]) + " must be 0..100 %", row);
                    return;
                }
                pct[k] = *v;
            }
            w.exponent = *c2;
            w.sweep_removal = pct[0] / 100.0;
            w.bmp_removal = pct[1] / 100.0;
            if (w.function == WashoffFunction::kExponential)
                w.coeff = *c1 / 3600.0;
            else if (w.function == WashoffFunction::kEmc)
                w.coeff = *c1 * Pollutant::kLitresPerM3;
            else
                w.coeff = *c1;
        }
        in.land_uses[static_cast<std::size_t>(m)].washoff[static_cast<std::size_t>(p)] = w;
    });
    return in;
}

SurfaceQuality::SurfaceQuality(const Network& net, QualityInput input)
    : net_(&net), in_(std::move(input)) {
    const auto ns = static_cast<std::size_t>(net.subcatchments.count());
    const std::size_t np = in_.pollutants.size(), nl = in_.land_uses.size();
    buildup_.assign(ns * nl * np, 0.0);
    last_swept_.assign(ns * nl, 0.0);
    ponded_.assign(ns * np, 0.0);
    old_conc_.assign(ns * np, 0.0);
    new_conc_.assign(ns * np, 0.0);
    runon_load_.assign(ns * np, 0.0);
    total_load_.assign(ns * np, 0.0);
    totals_.assign(np, QualityTotals{});
    // REMOVALS of the LID controls per pollutant (SWMM drainRmvl; none: 0)
    if (!net.lid_controls.empty()) {
        lid_removal_.assign(net.lid_controls.size() * np, 0.0);
        for (std::size_t c = 0; c < net.lid_controls.size(); ++c)
            for (const auto& [name, fraction] : net.lid_controls[c].removals)
                if (const int p = in_.pollutant_of(name); p >= 0)
                    lid_removal_[c * np + static_cast<std::size_t>(p)] = fraction;
    }
    const double dry_s = net.options.antecedent_dry_s;
    // SWMM's date-times: days since 30 December 1899 as doubles (sweeping compares them)
    const Seconds start_s = seconds_since_epoch(net.options.start);
    start_day_ = std::floor(static_cast<double>(start_s) / kDay);
    start_tod_s_ = static_cast<double>(start_s) - start_day_ * kDay;
    const double start_date = start_day_ + start_tod_s_ / kDay;
    for (std::size_t j = 0; j < ns; ++j) {
        const double area = net.subcatchments.area_m2[j];
        const double curb = net.subcatchments.curb_length[j];
        for (std::size_t i = 0; i < nl; ++i) {
            last_swept_[j * nl + i] = start_date - in_.land_uses[i].days_since_swept_s / kDay;
            const double f = in_.coverage[j][i];
            for (std::size_t p = 0; p < np; ++p) {
                double b = 0;
                if (in_.initial_loading[j][p] > 0)
                    b = in_.initial_loading[j][p] * f * area;
                else if (in_.land_uses[i].buildup[p].function != BuildupFunction::kExternal)
                    // EXT adds nothing before the run (SWMM landuse_getExternalBuildup)
                    b = buildup_of(static_cast<int>(i), p, f * area, f * curb, 0.0, dry_s, 0.0);
                buildup_[(j * nl + i) * np + p] = b;
                totals_[p].initial_buildup += b;
            }
        }
    }
}

double SurfaceQuality::buildup_of(int lu, std::size_t p, double area_m2, double curb, double old,
                                  double dt_s, double t_end_s) const {
    const BuildupParams& b = in_.land_uses[static_cast<std::size_t>(lu)].buildup[p];
    if (b.function == BuildupFunction::kNone || dt_s == 0.0)
        return old;
    const double per_unit = b.normalizer == BuildupNormalizer::kArea ? area_m2 : curb;
    if (per_unit == 0.0)
        return 0.0;
    if (b.function == BuildupFunction::kExternal) { // rate × scaling factor over the step
        double rate = 0;
        if (b.series >= 0) // SWMM looks the series up at the step's end (+1 ms)
            rate = b.c2 *
                   series_value(net_->series[static_cast<std::size_t>(b.series)], t_end_s + 0.001);
        return std::min(old / per_unit + rate * dt_s / kDay, b.max_buildup) * per_unit;
    }
    const double days = buildup_days(b, old / per_unit) + dt_s / kDay;
    return buildup_after_days(b, days) * per_unit;
}

void SurfaceQuality::begin_step() {
    old_conc_ = new_conc_;
    std::fill(new_conc_.begin(), new_conc_.end(), 0.0);
    std::fill(runon_load_.begin(), runon_load_.end(), 0.0);
}

void SurfaceQuality::add_runon(int from, int to, double flow_m3s) {
    for (std::size_t p = 0; p < in_.pollutants.size(); ++p)
        runon_load_[idx(to, p)] += flow_m3s * old_conc_[idx(from, p)];
}

void SurfaceQuality::add_lid_drain_runon(int from, int to, double flow_m3s, int control) {
    for (std::size_t p = 0; p < in_.pollutants.size(); ++p)
        runon_load_[idx(to, p)] +=
            flow_m3s * old_conc_[idx(from, p)] * (1.0 - lid_removal(control, p));
}

void SurfaceQuality::add_outfall_runon(int to, std::size_t p, double mass, double period_s) {
    totals_[p].wet_deposition += mass * in_.pollutants[p].kg_per_unit();
    runon_load_[idx(to, p)] += mass / period_s;
}

void SurfaceQuality::step(int j, double t_s, bool can_sweep, const QualityStepFlows& f) {
    const std::size_t np = in_.pollutants.size(), nl = in_.land_uses.size();
    const auto ju = static_cast<std::size_t>(j);
    const double area = net_->subcatchments.area_m2[ju];
    const double curb = net_->subcatchments.curb_length[ju];
    if (np == 0 || area == 0.0)
        return;
    const double dt = f.dt_s;
    auto bu = [&](std::size_t i, std::size_t p) -> double& {
        return buildup_[(ju * nl + i) * np + p];
    };
    // buildup in dry weather (SWMM surfqual_getBuildup)
    if (f.runoff_ms < kMinRunoffMs) {
        for (std::size_t i = 0; i < nl; ++i) {
            const double fr = in_.coverage[ju][i];
            if (fr == 0.0)
                continue;
            for (std::size_t p = 0; p < np; ++p) {
                if (in_.pollutants[p].snow_only && f.snow_depth_m < 0.001 * 0.0254)
                    continue;
                const double old = bu(i, p);
                const double b = std::max(
                    buildup_of(static_cast<int>(i), p, fr * area, fr * curb, old, dt, t_s + dt),
                    old);
                bu(i, p) = b;
                totals_[p].surface_buildup += b - old;
            }
        }
    }
    // street sweeping on dry days within the season (SWMM surfqual_sweepBuildup)
    if (can_sweep && f.rain_ms <= kMinRunoffMs && !f.plowable_snow) {
        for (std::size_t i = 0; i < nl; ++i) {
            const LandUse& lu = in_.land_uses[i];
            if (in_.coverage[ju][i] == 0.0 || lu.sweep_interval_s == 0.0)
                continue;
            // as SWMM compares its date-times (days, its clock 1 ms ahead), so that a sweep due
            // exactly at a step's start happens in the same step as SWMM's
            const double date = start_day_ + (start_tod_s_ + t_s + 0.001) / kDay;
            double& last = last_swept_[ju * nl + i];
            if (date - last < lu.sweep_interval_s / kDay)
                continue;
            last = date;
            for (std::size_t p = 0; p < np; ++p) {
                const double old = bu(i, p);
                double b = old * (1.0 - lu.sweep_availability * lu.washoff[p].sweep_removal);
                b = std::max(0.0, std::min(old, b));
                bu(i, p) = b;
                totals_[p].sweeping += old - b;
            }
        }
    }
    // washoff (SWMM surfqual_getWashoff): loads in the pollutants' own units (mg, µg, counts)
    std::vector<double> load(np, 0.0);
    if (f.runoff_ms >= kMinRunoffMs) {
        for (std::size_t i = 0; i < nl; ++i) {
            const double fr = in_.coverage[ju][i];
            if (fr <= 0.0)
                continue;
            for (std::size_t p = 0; p < np; ++p) {
                const double kg = in_.pollutants[p].kg_per_unit();
                const BuildupParams& b = in_.land_uses[i].buildup[p];
                const WashoffParams& w = in_.land_uses[i].washoff[p];
                double buildup = bu(i, p);
                const double c =
                    washoff_concentration(w, b, buildup / kg, f.runoff_ms, fr * area, in_);
                double wash = c * f.outflow_m3 * fr * kg; // kg
                if (b.function != BuildupFunction::kNone || buildup > wash) {
                    wash = std::min(wash, buildup);
                    bu(i, p) = buildup - wash;
                } else { // no buildup: the washoff is counted as buildup, to balance
                    totals_[p].surface_buildup += wash;
                    bu(i, p) = 0.0;
                }
                const double bmp = w.bmp_removal * wash;
                if (bmp > 0) {
                    totals_[p].bmp_removal += bmp;
                    wash -= bmp;
                }
                load[p] += wash / kg;
            }
        }
        // co-pollutants: a fraction of the co-pollutant's washoff (in its units)
        for (std::size_t p = 0; p < np; ++p) {
            const int k = in_.pollutants[p].co_pollutant;
            if (k < 0)
                continue;
            const double w = in_.pollutants[p].co_fraction * load[static_cast<std::size_t>(k)];
            totals_[p].surface_buildup += w * in_.pollutants[p].kg_per_unit();
            load[p] += w;
        }
    }
    // ponded water of the non-LID area: wet deposition and run-on mixed with what is ponded
    // (SWMM findPondedLoads; none where LID units cover the whole subcatchment)
    const double lid_area = f.lid_area_m2, non_lid = area - lid_area;
    const double v_rain = f.rain_ms * non_lid * dt;
    for (std::size_t p = 0; p < np && non_lid > 0.0; ++p) {
        const Pollutant& pol = in_.pollutants[p];
        const double kg = pol.kg_per_unit();
        const double w_rain = pol.rain_concentration * Pollutant::kLitresPerM3 * v_rain;
        totals_[p].wet_deposition += w_rain * kg;
        double& ponded = ponded_[idx(j, p)];
        if (f.inflow_m3 == 0.0) { // dry surface without run-on: what is left counts as remaining
            totals_[p].remaining_buildup += ponded * kg;
            ponded = 0.0;
            continue;
        }
        double w_ponded = ponded + w_rain + runon_load_[idx(j, p)] * dt;
        const double c = w_ponded / f.inflow_m3;
        const double w_infil = std::min(c * f.infil_m3, w_ponded);
        totals_[p].infiltration += w_infil * kg;
        w_ponded -= w_infil;
        double w_out = std::min(c * f.outflow_m3, w_ponded);
        double bmp_eff = 0; // area-weighted BMP removal of the land uses
        for (std::size_t i = 0; i < nl; ++i)
            bmp_eff += in_.coverage[ju][i] * in_.land_uses[i].washoff[p].bmp_removal;
        const double bmp = bmp_eff * w_out;
        totals_[p].bmp_removal += bmp * kg;
        w_out -= bmp;
        ponded = c * f.depth_m * non_lid;
        load[p] += w_out;
    }
    // wet deposition on the LID area, and run-on where the units cover everything (SWMM
    // findLidLoads): they leave with the outflow, less what the units keep
    double v_out1 = f.outflow_m3; // runoff before LID treatment
    if (lid_area > 0.0) {
        const double v_lid_rain = f.rain_ms * lid_area * dt;
        const bool lid_runon = lid_area == area;
        v_out1 += v_lid_rain + (lid_runon ? f.runon_m3 : 0.0);
        for (std::size_t p = 0; p < np; ++p) {
            const Pollutant& pol = in_.pollutants[p];
            const double w_rain = pol.rain_concentration * v_lid_rain * Pollutant::kLitresPerM3;
            totals_[p].wet_deposition += w_rain * pol.kg_per_unit();
            load[p] += w_rain + (lid_runon ? runon_load_[idx(j, p)] * dt : 0.0);
        }
    }
    // runoff after LID treatment: surface outflow and underdrain flow
    const double v_surface = f.surface_out_m3 < 0.0 ? f.outflow_m3 : f.surface_out_m3;
    const double v_out2 = v_surface + f.lid_drain_m3;
    // the outflow's concentration (the runoff before treatment carries the load); none below
    // SWMM's MIN_RUNOFF
    const bool has_outflow = v_out2 > kMinRunoffMs * area * dt;
    for (std::size_t p = 0; p < np; ++p) {
        const double c = (v_out1 > 0.0 && has_outflow) ? load[p] / v_out1 : 0.0;
        const double kg = in_.pollutants[p].kg_per_unit();
        // what the LID units take out of the runoff (infiltrated, evaporated, stored) counts as
        // BMP removal
        if (lid_area > 0.0) {
            const double kept = c * (v_out1 - v_out2) * kg;
            if (kept > 0.0)
                totals_[p].bmp_removal += kept;
        }
        total_load_[idx(j, p)] += c * v_out2 * kg;
        // the underdrains' loads are counted below: they may go elsewhere
        if (f.to_network)
            totals_[p].surface_runoff += c * v_surface * kg;
        new_conc_[idx(j, p)] = c;
    }
    // the underdrains' loads at the new concentration: REMOVALS count as BMP removal, the rest
    // as runoff where it goes to a node (SWMM lid_addDrainLoads)
    if (f.drains != nullptr)
        for (const LidDrainLoad& d : *f.drains)
            for (std::size_t p = 0; p < np; ++p) {
                const double w =
                    d.flow_m3s * new_conc_[idx(j, p)] * dt * in_.pollutants[p].kg_per_unit();
                const double r = lid_removal(d.control, p);
                totals_[p].bmp_removal += r * w;
                if (d.to_network)
                    totals_[p].surface_runoff += w * (1.0 - r);
            }
}

SurfaceQuality::SubcatchState SurfaceQuality::state(int j) const {
    const std::size_t np = in_.pollutants.size(), nl = in_.land_uses.size();
    const auto ju = static_cast<std::size_t>(j);
    SubcatchState s;
    for (std::size_t p = 0; p < np; ++p) {
        s.runoff_concentration.push_back(new_conc_[idx(j, p)] / Pollutant::kLitresPerM3);
        s.ponded_mass.push_back(ponded_[idx(j, p)]);
    }
    s.buildup_kg.assign(buildup_.begin() + static_cast<std::ptrdiff_t>(ju * nl * np),
                        buildup_.begin() + static_cast<std::ptrdiff_t>((ju + 1) * nl * np));
    s.last_swept_day.assign(last_swept_.begin() + static_cast<std::ptrdiff_t>(ju * nl),
                            last_swept_.begin() + static_cast<std::ptrdiff_t>((ju + 1) * nl));
    return s;
}

void SurfaceQuality::set_state(int j, const SubcatchState& s) {
    const std::size_t np = in_.pollutants.size(), nl = in_.land_uses.size();
    const auto ju = static_cast<std::size_t>(j);
    // assert: HotStart::read_bytes checked the pollutant and land use counts against the model
    assert(s.runoff_concentration.size() == np && s.ponded_mass.size() == np &&
           s.buildup_kg.size() == nl * np && s.last_swept_day.size() == nl);
    for (std::size_t p = 0; p < np; ++p) {
        const double kg = in_.pollutants[p].kg_per_unit();
        new_conc_[idx(j, p)] = old_conc_[idx(j, p)] =
            s.runoff_concentration[p] * Pollutant::kLitresPerM3;
        totals_[p].initial_buildup += (s.ponded_mass[p] - ponded_[idx(j, p)]) * kg;
        ponded_[idx(j, p)] = s.ponded_mass[p];
        for (std::size_t i = 0; i < nl; ++i) {
            double& b = buildup_[(ju * nl + i) * np + p];
            totals_[p].initial_buildup += s.buildup_kg[i * np + p] - b;
            b = s.buildup_kg[i * np + p];
        }
    }
    for (std::size_t i = 0; i < nl; ++i)
        last_swept_[ju * nl + i] = s.last_swept_day[i];
}

double SurfaceQuality::concentration(int j, std::size_t p, double fr) const {
    return ((1.0 - fr) * old_conc_[idx(j, p)] + fr * new_conc_[idx(j, p)]) /
           Pollutant::kLitresPerM3;
}

std::vector<QualityTotals> SurfaceQuality::finish() const {
    std::vector<QualityTotals> out = totals_;
    const auto ns = static_cast<std::size_t>(net_->subcatchments.count());
    const std::size_t np = in_.pollutants.size(), nl = in_.land_uses.size();
    for (std::size_t p = 0; p < np; ++p) {
        auto& t = out[p];
        for (std::size_t j = 0; j < ns; ++j) {
            for (std::size_t i = 0; i < nl; ++i)
                t.remaining_buildup += buildup_[(j * nl + i) * np + p];
            t.remaining_buildup += ponded_[j * np + p] * in_.pollutants[p].kg_per_unit();
        }
        const double in = t.initial_buildup + t.surface_buildup + t.wet_deposition;
        const double out_kg =
            t.sweeping + t.infiltration + t.bmp_removal + t.surface_runoff + t.remaining_buildup;
        // SWMM: no error below 0.001 of its mass unit
        t.continuity_error_pct = std::abs(in - out_kg) < 0.001 * kSwmmKgPerLb ? 0.0
                                 : in > 0.0     ? 100.0 * (1.0 - out_kg / in)
                                 : out_kg > 0.0 ? 100.0 * (in / out_kg - 1.0)
                                                : 0.0;
    }
    return out;
}

} // namespace rencheng::drainage
