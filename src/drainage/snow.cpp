// Snowmelt (SWMM 5.2 Reference Manual Vol. I, ch. 6): the [SNOWPACKS] and [TEMPERATURE] readers,
// the melt equations and the snow pack of a subcatchment.
#include "drainage/snow.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "drainage/network.hpp"
#include "drainage/section_rows.hpp"

namespace rencheng::drainage {
namespace {

constexpr double kFoot = 0.3048;
constexpr double kInch = 0.0254;
constexpr double kInchPerHour = kInch / 3600.0; ///< m/s in 1 in/h
constexpr double kMph = 0.44704;                ///< m/s in 1 mph
/// SWMM's km/h per mph (swmm5.c Ucf WINDSPEED), 1.608 where 1.609344 is exact.
constexpr double kSwmmKmhPerMph = 1.608;
/// A pack thinner than this melts away at once (SWMM: 0.001 in).
constexpr double kTracePackM = 0.001 * kInch;
/// Rain or snowfall above this rate counts (SWMM: 0.02 in/h).
constexpr double kPrecipThresholdMs = 0.02 * kInchPerHour;

double to_f(double c) {
    return 1.8 * c + 32.0;
}

std::string upper(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

int SnowInput::pack_of(const std::string& name) const {
    for (std::size_t k = 0; k < packs.size(); ++k)
        if (IdEqual{}(packs[k].id, name))
            return static_cast<int>(k);
    return -1;
}

SnowInput read_snow_sections(const Network& net, const std::string& file, Diagnostics& diags) {
    SnowInput in;
    const bool si = is_si(net.options.flow_units);
    const UnitFactors f = unit_factors(net.options.flow_units);
    // melt coefficients: SWMM converts in/h/°F by 1/43200 to ft/s/°F, and mm/h/°C by
    // 1.8/1097280 (a multiplication by 1.8 where a division would convert per °C to per °F)
    const double coeff = si ? 1.8 * 1.8 * f.rain_rate : f.rain_rate * 1.8;
    const auto temp_c = [si](double v) { return si ? v : (v - 32.0) / 1.8; };

    if (const auto* raw = net.raw_section("SNOWPACKS")) {
        rows::RowReader rr(file, diags, "SNOWPACKS");
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const int line = raw->line[r];
            if (row.empty())
                continue;
            const std::string& id = row[0];
            if (row.size() < 2) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         "a snow pack line needs a surface keyword and its values", row);
                continue;
            }
            const std::string key = upper(row[1]);
            int s = -1;
            if (key == "PLOWABLE")
                s = kSnowPlowable;
            else if (key == "IMPERVIOUS")
                s = kSnowImpervious;
            else if (key == "PERVIOUS")
                s = kSnowPervious;
            else if (key != "REMOVAL") {
                diags.error(ErrorCode::kUnknownValue, file, line, 0, id,
                            "unknown snow pack keyword '" + row[1] +
                                "' (PLOWABLE, IMPERVIOUS, PERVIOUS or REMOVAL) in [SNOWPACKS]: " +
                                rows::join(row));
                continue;
            }
            int k = in.pack_of(id);
            if (k < 0) {
                in.packs.push_back(SnowPackParams{});
                in.packs.back().id = id;
                k = static_cast<int>(in.packs.size()) - 1;
            }
            auto& pack = in.packs[static_cast<std::size_t>(k)];
            const std::size_t n = s >= 0 ? 7 : 6;
            if (row.size() < n + 2) {
                rr.error(ErrorCode::kMissingKey, line, id,
                         s >= 0
                             ? "a " + key + " line needs 7 values (Cmin Cmax Tbase FWF SD0 FW0 " +
                                   (s == kSnowPlowable ? "SNN0)" : "SD100)")
                             : std::string("a REMOVAL line needs 6 values (Dplow Fout Fimp "
                                           "Fperv Fimelt Fsub) and an optional subcatchment"),
                         row);
                continue;
            }
            static const char* const kSurfaceFields[] = {
                "minimum melt coefficient",  "maximum melt coefficient", "base temperature",
                "free water fraction",       "initial snow depth",       "initial free water",
                "last field (SNN0 or SD100)"};
            static const char* const kRemovalFields[] = {
                "removal depth",          "fraction out of the watershed",
                "fraction to impervious", "fraction to pervious",
                "fraction to melt",       "fraction to another subcatchment"};
            std::array<double, 7> x{};
            bool ok = true;
            for (std::size_t i = 0; i < n; ++i) {
                const auto v = rows::parse_number(row[i + 2]);
                const char* what = s >= 0 ? kSurfaceFields[i] : kRemovalFields[i];
                if (!v) {
                    rr.error(ErrorCode::kNumberSyntax, line, id,
                             std::string(what) + " '" + row[i + 2] + "' is not a number", row);
                    ok = false;
                    break;
                }
                // a base temperature may be below zero; nothing else may
                if (*v < 0 && !(s >= 0 && i == 2)) {
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             std::string(what) + " must not be negative", row);
                    ok = false;
                    break;
                }
                x[i] = *v;
            }
            if (!ok)
                continue;
            if (s >= 0) {
                auto& p = pack.surface[static_cast<std::size_t>(s)];
                p.melt_min_ms_c = x[0] * coeff;
                p.melt_max_ms_c = x[1] * coeff;
                p.base_temp_c = temp_c(x[2]);
                p.free_water_fraction = x[3];
                p.initial_depth_m = x[4] * f.rain_depth;
                p.initial_free_water_m = std::min(x[5], x[3] * x[4]) * f.rain_depth;
                if (x[0] > x[1])
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "minimum melt coefficient is above the maximum", row);
                if (x[3] > 1)
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "free water fraction must be between 0 and 1", row);
                if (s == kSnowPlowable) {
                    pack.plowable_fraction = x[6];
                    if (x[6] > 1)
                        rr.error(ErrorCode::kOutOfRange, line, id,
                                 "plowable fraction of the impervious area must be between 0 "
                                 "and 1",
                                 row);
                } else {
                    p.full_cover_depth_m = x[6] * f.rain_depth;
                }
            } else {
                pack.removal_depth_m = x[0] * f.rain_depth;
                double sum = 0;
                for (std::size_t i = 0; i < 5; ++i) {
                    pack.removal_fraction[i] = x[i + 1];
                    sum += x[i + 1];
                }
                if (sum > 1.01) // SWMM's check (snow_validateSnowmelt)
                    rr.error(ErrorCode::kOutOfRange, line, id,
                             "removal fractions add up to more than 1", row);
                pack.removal_subcatchment = -1;
                if (row.size() >= 9) {
                    const auto it = net.subcatchments.index.find(row[8]);
                    if (it == net.subcatchments.index.end())
                        rr.error(ErrorCode::kUnknownReference, line, id,
                                 "undefined subcatchment '" + row[8] + "'", row);
                    else
                        pack.removal_subcatchment = it->second;
                }
            }
        }
    }

    auto& c = in.climate;
    if (const auto* raw = net.raw_section("TEMPERATURE")) {
        rows::RowReader rr(file, diags, "TEMPERATURE");
        for (std::size_t r = 0; r < raw->rows.size(); ++r) {
            const auto& row = raw->rows[r];
            const int line = raw->line[r];
            if (row.empty())
                continue;
            const std::string key = upper(row[0]);
            // the numbers of fields [first, first + count) with `what` naming them in errors
            auto numbers = [&](std::size_t first, std::size_t count, const char* what,
                               std::vector<double>& out) {
                if (row.size() < first + count) {
                    rr.error(ErrorCode::kMissingKey, line, key,
                             key + " needs " + std::to_string(count) + " " + what, row);
                    return false;
                }
                out.clear();
                for (std::size_t i = first; i < first + count; ++i) {
                    const auto v = rows::parse_number(row[i]);
                    if (!v) {
                        rr.error(ErrorCode::kNumberSyntax, line, key,
                                 std::string(what) + ": value " + std::to_string(i - first + 1) +
                                     " '" + row[i] + "' is not a number",
                                 row);
                        return false;
                    }
                    out.push_back(*v);
                }
                return true;
            };
            std::vector<double> v;
            if (key == "TIMESERIES") {
                if (row.size() < 2) {
                    rr.error(ErrorCode::kMissingKey, line, key, "TIMESERIES needs a name", row);
                    continue;
                }
                const auto it = net.series_index.find(row[1]);
                if (it == net.series_index.end()) {
                    rr.error(ErrorCode::kUnknownReference, line, row[1],
                             "undefined time series '" + row[1] + "'", row);
                    continue;
                }
                const auto& ts = net.series[static_cast<std::size_t>(it->second)];
                if (ts.usage != SeriesUsage::kUnused && ts.usage != SeriesUsage::kTemperature &&
                    ts.usage != SeriesUsage::kOther) {
                    rr.error(ErrorCode::kInconsistent, line, row[1],
                             "time series '" + row[1] +
                                 "' of air temperatures also feeds a quantity of another unit",
                             row);
                    continue;
                }
                c.source = AirTemperatureSource::kTimeSeries;
                c.series = it->second;
            } else if (key == "FILE") {
                if (row.size() < 2) {
                    rr.error(ErrorCode::kMissingKey, line, key, "FILE needs a file name", row);
                    continue;
                }
                c.source = AirTemperatureSource::kFile;
            } else if (key == "WINDSPEED") {
                if (row.size() >= 2 && upper(row[1]) == "FILE") {
                    c.wind_from_file = true;
                } else if (row.size() >= 2 && upper(row[1]) == "MONTHLY") {
                    if (!numbers(2, 12, "monthly wind speeds", v))
                        continue;
                    c.wind_from_file = false;
                    for (std::size_t m = 0; m < 12; ++m) {
                        if (v[m] < 0)
                            rr.error(ErrorCode::kOutOfRange, line, key,
                                     "wind speed must not be negative", row);
                        c.wind_ms[m] = si ? v[m] / kSwmmKmhPerMph * kMph : v[m] * kMph;
                    }
                } else {
                    rr.error(ErrorCode::kUnknownValue, line, key,
                             "WINDSPEED must be MONTHLY (12 values) or FILE", row);
                }
            } else if (key == "SNOWMELT") {
                if (!numbers(1, 6,
                             "values (dividing temperature, ATI weight, negative melt ratio, "
                             "elevation, latitude, longitude correction)",
                             v))
                    continue;
                c.dividing_temp_c = temp_c(v[0]);
                c.ati_weight = v[1];
                c.negative_melt_ratio = v[2];
                c.elevation_m = v[3] * f.length;
                c.latitude_deg = v[4];
                c.longitude_correction_h = v[5] / 60.0;
                if (v[1] < 0 || v[1] > 1)
                    rr.error(ErrorCode::kOutOfRange, line, key,
                             "ATI weight must be between 0 and 1", row);
                if (v[2] < 0 || v[2] > 1)
                    rr.error(ErrorCode::kOutOfRange, line, key,
                             "negative melt ratio must be between 0 and 1", row);
                if (!(v[4] > -89.99 && v[4] < 89.99))
                    rr.error(ErrorCode::kOutOfRange, line, key,
                             "latitude must be between -90 and 90", row);
            } else if (key == "ADC") {
                const std::string which = row.size() >= 2 ? upper(row[1]) : std::string();
                const int k = which == "IMPERVIOUS" ? 0 : which == "PERVIOUS" ? 1 : -1;
                if (k < 0) {
                    rr.error(ErrorCode::kUnknownValue, line, key,
                             "ADC must be followed by IMPERVIOUS or PERVIOUS", row);
                    continue;
                }
                if (!numbers(2, 10, "areal depletion fractions", v))
                    continue;
                for (std::size_t i = 0; i < 10; ++i) {
                    if (v[i] < 0 || v[i] > 1) {
                        rr.error(ErrorCode::kOutOfRange, line, key,
                                 "areal depletion fraction " + std::to_string(i + 1) +
                                     " must be between 0 and 1",
                                 row);
                        break;
                    }
                    c.adc[static_cast<std::size_t>(k)][i] = v[i];
                }
            } else {
                rr.error(ErrorCode::kUnknownKey, line, key,
                         "unknown keyword '" + row[0] +
                             "' (TIMESERIES, FILE, WINDSPEED, SNOWMELT or ADC)",
                         row);
            }
        }
    }
    in.active = !in.packs.empty() && !net.options.ignore_snowmelt;
    return in;
}

double seasonal_melt_coefficient(double min_ms_c, double max_ms_c, int day_of_year) {
    // SWMM's angular factor 0.0172615 = 2π/364 per day (climate.c setTemp)
    const double s = std::sin(0.0172615 * (day_of_year - 81.0));
    return 0.5 * (max_ms_c * (1.0 + s) + min_ms_c * (1.0 - s));
}

double degree_day_melt_ms(double coeff_ms_c, double air_temp_c, double base_temp_c) {
    return air_temp_c >= base_temp_c ? coeff_ms_c * (air_temp_c - base_temp_c) : 0.0;
}

double saturation_vapor_pressure_inhg(double air_temp_c) {
    return 8.1175e6 * std::exp(-7701.544 / (to_f(air_temp_c) + 405.0265));
}

double rain_on_snow_melt_ms(double rain_ms, double air_temp_c, double wind_ms, double elevation_m) {
    if (!(rain_ms > kPrecipThresholdMs))
        return 0.0;
    // eq. 6-8 in its own units: in/h, °F, mph, inches of mercury
    const double rain_inh = rain_ms / kInchPerHour;
    const double z_kft = elevation_m / kFoot / 1000.0;
    const double pa = z_kft <= 0 ? 29.9 : 29.9 - 1.02 * z_kft + 0.0032 * std::pow(z_kft, 2.4);
    const double gamma = 0.000359 * pa; // psychrometric constant, in Hg/°F
    const double ua = 0.006 * wind_ms / kMph;
    const double ea = saturation_vapor_pressure_inhg(air_temp_c);
    const double melt_inh =
        (to_f(air_temp_c) - 32.0) * (0.001167 + 7.5 * gamma * ua + 0.007 * rain_inh) +
        8.5 * ua * (ea - 0.18);
    return melt_inh * kInchPerHour;
}

double areal_snow_cover(const std::array<double, 10>& adc, double relative_depth) {
    if (relative_depth <= 0.0)
        return 0.0;
    if (relative_depth >= 0.9999)
        return 1.0;
    const int m = static_cast<int>(relative_depth * 10.0 + 0.00001);
    const double a1 = adc[static_cast<std::size_t>(m)];
    const double a2 = m >= 9 ? 1.0 : adc[static_cast<std::size_t>(m + 1)];
    // SWMM takes the interval's start in single precision (snow.c getArealSnowCover)
    return a1 +
           (a2 - a1) / 0.1 * (relative_depth - 0.1 * static_cast<double>(static_cast<float>(m)));
}

void DailyTemperatureCycle::start_day(int day_of_year, double latitude_deg,
                                      double longitude_correction_h, double tmin, double tmax) {
    if (tmin > tmax)
        std::swap(tmin, tmax);
    const double decl = 0.40928 * std::cos(0.017202 * (172.0 - day_of_year));
    double arg = -std::tan(decl) * std::tan(latitude_deg * std::numbers::pi / 180.0);
    if (arg <= -1.0)
        arg = std::numbers::pi;
    else if (arg >= 1.0)
        arg = 0.0;
    else
        arg = std::acos(arg);
    const double half_day_h = 3.8197 * arg; // radians to hours (12/π)
    sunrise_h = 12.0 - half_day_h + longitude_correction_h;
    before_sunset_h = 12.0 + half_day_h + longitude_correction_h - 3.0;
    range_before_c = (has_previous ? tmax_c : tmax) - tmin;
    has_previous = true;
    tmin_c = tmin;
    tmax_c = tmax;
}

double DailyTemperatureCycle::at_hour(double hour) const {
    const double pi = std::numbers::pi;
    const double day_h = sunrise_h - before_sunset_h; // SWMM's Dhrdy (negative)
    const double night_h = 24.0 + sunrise_h - before_sunset_h;
    const double mid = (sunrise_h + before_sunset_h) / 2.0;
    const double tave = (tmin_c + tmax_c) / 2.0, trng = (tmax_c - tmin_c) / 2.0;
    if (hour < sunrise_h)
        return tmin_c + range_before_c / 2.0 * std::sin(pi / night_h * (sunrise_h - hour));
    if (hour <= before_sunset_h)
        return tave + trng * std::sin(pi / day_h * (mid - hour));
    return tmax_c - trng * std::sin(pi / night_h * (hour - before_sunset_h));
}

SnowPack::SnowPack(const SnowPackParams& params, double imperv_fraction, double area_m2)
    : p_(params), area_m2_(area_m2), imperv_fraction_(std::clamp(imperv_fraction, 0.0, 1.0)) {
    const double f = p_.plowable_fraction;
    area_fraction_[kSnowPlowable] = f * imperv_fraction_;
    area_fraction_[kSnowImpervious] = (1.0 - f) * imperv_fraction_;
    area_fraction_[kSnowPervious] = 1.0 - imperv_fraction_;
    for (std::size_t s = 0; s < 3; ++s) {
        if (area_fraction_[s] > 0) {
            wsnow_[s] = p_.surface[s].initial_depth_m;
            fw_[s] = p_.surface[s].initial_free_water_m;
        }
        ati_[s] = p_.surface[s].base_temp_c;
        awe_[s] = 1.0;
    }
}

void SnowPack::set_melt_coefficients(int day_of_year) {
    for (std::size_t s = 0; s < 3; ++s)
        coeff_ms_c_[s] = seasonal_melt_coefficient(p_.surface[s].melt_min_ms_c,
                                                   p_.surface[s].melt_max_ms_c, day_of_year);
}

PlowResult SnowPack::add_snow_and_plow(double snowfall_ms, double dt, double other_pervious_m2) {
    PlowResult out;
    for (std::size_t s = 0; s < 3; ++s)
        if (area_fraction_[s] > 0) {
            wsnow_[s] += snowfall_ms * dt;
            imelt_[s] = 0.0;
        }
    const double fp = area_fraction_[kSnowPlowable];
    if (fp <= 0 || wsnow_[kSnowPlowable] < p_.removal_depth_m)
        return out;
    // the whole plowable pack is plowed; the fractions say where it goes (Manual §6.6)
    const double exc = wsnow_[kSnowPlowable];
    const auto& fr = p_.removal_fraction;
    out.removed_m3 = fr[0] * exc * fp * area_m2_;
    double moved = fr[0];
    if (area_fraction_[kSnowImpervious] > 0) {
        wsnow_[kSnowImpervious] += fr[1] * exc * fp / area_fraction_[kSnowImpervious];
        moved += fr[1];
    }
    if (area_fraction_[kSnowPervious] > 0) {
        wsnow_[kSnowPervious] += fr[2] * exc * fp / area_fraction_[kSnowPervious];
        moved += fr[2];
    }
    imelt_[kSnowPlowable] = fr[3] * exc / dt;
    moved += fr[3];
    // to another subcatchment's pervious surface: the volume spread over that surface (SWMM
    // 5.2 snow_plowSnow scales the depth by the two area fractions only, which conserves the
    // water only between subcatchments of the same area)
    if (fr[4] > 0 && other_pervious_m2 > 0) {
        out.to_other_depth_m = fr[4] * exc * fp * area_m2_ / other_pervious_m2;
        moved += fr[4];
    }
    wsnow_[kSnowPlowable] = exc * (1.0 - std::min(moved, 1.0));
    return out;
}

double SnowPack::areal_depletion(int s, double snowfall_ms, double dt, const SnowWeather& w) {
    const auto u = static_cast<std::size_t>(s);
    if (s == kSnowPlowable)
        return 1.0;
    const double si = p_.surface[u].full_cover_depth_m;
    if (si == 0.0 || wsnow_[u] >= si) {
        awe_[u] = 1.0;
        return 1.0;
    }
    if (wsnow_[u] == 0.0) {
        awe_[u] = 1.0;
        return 0.0;
    }
    const auto& adc = w.adc[static_cast<std::size_t>(s - 1)];
    if (snowfall_ms > 0.0) {
        // new snow covers the whole area; it then depletes along a straight line from full cover
        // at the depth before the snowfall plus 75 % of the new snow back to the old curve
        // (Manual §6.5, Fig. 6-3)
        const double awe = std::max((wsnow_[u] - snowfall_ms * dt) / si, 0.0);
        awe_[u] = awe;
        sba_[u] = areal_snow_cover(adc, awe);
        sbws_[u] = std::min(awe + 0.75 * snowfall_ms * dt / si, 1.0);
        return 1.0;
    }
    const double rel = wsnow_[u] / si;
    if (rel < awe_[u]) {
        awe_[u] = 1.0;
        return areal_snow_cover(adc, rel);
    }
    if (rel >= sbws_[u])
        return 1.0;
    return sba_[u] + (1.0 - sba_[u]) / (sbws_[u] - awe_[u]) * (rel - awe_[u]);
}

void SnowPack::update_cold_content(int s, double asc, double snowfall_ms, double dt,
                                   const SnowWeather& w) {
    const auto u = static_cast<std::size_t>(s);
    double ati = ati_[u];
    if (snowfall_ms > kPrecipThresholdMs) {
        ati = w.air_temp_c; // new snow takes the air's temperature
    } else {
        // the 6-hour weight brought to the step's length (eq. 6-6)
        const double tipm = 1.0 - std::pow(1.0 - w.ati_weight, dt / (6.0 * 3600.0));
        ati += tipm * (w.air_temp_c - ati);
    }
    const double tbase = p_.surface[u].base_temp_c;
    ati = std::min(ati, tbase);
    // cold content gained at the negative melt ratio times the melt coefficient (eq. 6-7)
    double cc =
        coldc_[u] + w.negative_melt_ratio * coeff_ms_c_[u] * (ati - w.air_temp_c) * dt * asc;
    cc = std::max(cc, 0.0);
    // at most what SWMM's specific heat allows: 0.007/12 of the depth per °F below the base
    cc = std::min(cc, wsnow_[u] * 0.007 / 12.0 * 1.8 * (tbase - ati));
    coldc_[u] = cc;
    ati_[u] = ati;
}

double SnowPack::melt_surface(int s, double rain_melt_ms, double asc, double snowfall_ms, double dt,
                              const SnowWeather& w) {
    const auto u = static_cast<std::size_t>(s);
    const double tbase = p_.surface[u].base_temp_c;
    double smelt = 0;
    if (rain_melt_ms > 0.0)
        smelt = rain_melt_ms;
    else if (w.air_temp_c >= tbase)
        smelt = degree_day_melt_ms(coeff_ms_c_[u], w.air_temp_c, tbase);
    else {
        update_cold_content(s, asc, snowfall_ms, dt, w);
        return 0.0;
    }
    smelt *= asc;
    // melt first pays off the cold content
    const double cc_factor = dt * w.negative_melt_ratio * asc;
    if (smelt * cc_factor > coldc_[u]) {
        smelt -= coldc_[u] / cc_factor;
        coldc_[u] = 0.0;
    } else {
        coldc_[u] -= smelt * cc_factor;
        smelt = 0.0;
    }
    ati_[u] = tbase;
    return smelt;
}

double SnowPack::melt(double rain_ms, double snowfall_ms, double dt, const SnowWeather& w,
                      std::array<double, 3>& net_precip_ms) {
    std::array<double, 3> np{};
    double depth = 0;
    for (int s = 0; s < 3; ++s) {
        const auto u = static_cast<std::size_t>(s);
        double asc = 0, smelt = 0;
        if (wsnow_[u] <= kTracePackM) {
            // a trace of snow melts at once, with its free water
            imelt_[u] += (wsnow_[u] + fw_[u]) / dt;
            wsnow_[u] = fw_[u] = coldc_[u] = 0.0;
        } else {
            asc = areal_depletion(s, snowfall_ms, dt, w);
            smelt = melt_surface(s, w.rain_melt_ms, asc, snowfall_ms, dt, w);
            // route the melt through the pack's free water holding (Manual §6.4)
            const double vmelt = std::min(smelt * dt, wsnow_[u]);
            wsnow_[u] -= vmelt;
            fw_[u] += vmelt + rain_ms * dt * asc;
            const double out =
                std::max(fw_[u] - p_.surface[u].free_water_fraction * wsnow_[u], 0.0);
            fw_[u] -= out;
            smelt = out / dt;
        }
        // melt leaving the pack, immediate melt, and rain on the bare part
        np[u] = smelt + imelt_[u] + rain_ms * (1.0 - asc);
        depth += wsnow_[u] * area_fraction_[u];
    }
    net_precip_ms = {np[kSnowPervious], np[kSnowPervious], np[kSnowPervious]};
    if (imperv_fraction_ > 0.0) {
        const double imperv = (np[kSnowPlowable] * area_fraction_[kSnowPlowable] +
                               np[kSnowImpervious] * area_fraction_[kSnowImpervious]) /
                              imperv_fraction_;
        net_precip_ms[0] = net_precip_ms[1] = imperv;
    } else {
        net_precip_ms[0] = np[kSnowPlowable];
        net_precip_ms[1] = np[kSnowImpervious];
    }
    return depth;
}

double SnowPack::cover_m3() const {
    double d = 0;
    for (std::size_t s = 0; s < 3; ++s)
        d += (wsnow_[s] + fw_[s]) * area_fraction_[s];
    return d * area_m2_;
}

double SnowPack::depth_m() const {
    double d = 0;
    for (std::size_t s = 0; s < 3; ++s)
        d += wsnow_[s] * area_fraction_[s];
    return d;
}

std::array<double, 5> SnowPack::state(int s) const {
    const auto u = static_cast<std::size_t>(s);
    return {wsnow_[u], fw_[u], coldc_[u], ati_[u], awe_[u]};
}

void SnowPack::set_state(int s, const std::array<double, 5>& x) {
    const auto u = static_cast<std::size_t>(s);
    wsnow_[u] = x[0];
    fw_[u] = x[1];
    coldc_[u] = x[2];
    ati_[u] = x[3];
    awe_[u] = x[4];
}

} // namespace rencheng::drainage
