// Snowmelt on subcatchments (SWMM 5.2 Reference Manual Vol. I — Hydrology, Rossman & Huber 2016,
// ch. 6; SWMM 5.2 User's Manual, [SNOWPACKS] and [TEMPERATURE]): snow packs on three surfaces of a
// subcatchment (plowable impervious, other impervious, pervious), snowfall below a dividing
// temperature, degree-day melt with a seasonal melt coefficient in dry weather and an energy
// balance during rain, cold content and the antecedent temperature index, free water held in the
// pack, areal depletion curves and snow removal. SI throughout: depths m (water equivalent),
// rates m/s, temperatures °C, wind m/s.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace rencheng {
class Diagnostics;
}

namespace rencheng::drainage {

struct Network;

/// The three snow surfaces of a subcatchment, in SWMM's order.
enum SnowSurface : int { kSnowPlowable = 0, kSnowImpervious = 1, kSnowPervious = 2 };

/// One surface's parameters of a [SNOWPACKS] line, SI.
struct SnowSurfaceParams {
    /// Melt coefficients on 21 December and 21 June, m/s per °C (file: in/h/°F or mm/h/°C; an SI
    /// value is taken times 1.8², as SWMM 5.2 takes it, see docs/drainage.md).
    double melt_min_ms_c = 0, melt_max_ms_c = 0;
    double base_temp_c = 0;          ///< air temperature at which melt begins
    double free_water_fraction = 0;  ///< free water the pack holds, fraction of its depth
    double initial_depth_m = 0;      ///< snow, water equivalent
    double initial_free_water_m = 0; ///< at most free_water_fraction × initial_depth_m
    double full_cover_depth_m = 0;   ///< depth at 100 % areal cover (not the plowable surface)
};

/// A [SNOWPACKS] parameter set.
struct SnowPackParams {
    std::string id;
    std::array<SnowSurfaceParams, 3> surface{};
    double plowable_fraction = 0; ///< fraction of the impervious area that is plowable
    /// REMOVAL: depth on the plowable surface at which it is plowed (SWMM's default 10⁶ ft: never)
    double removal_depth_m = 1.0e6 * 0.3048;
    /// Fractions of the plowed snow sent out of the watershed, to the other impervious surface,
    /// to the pervious surface, converted to immediate melt and to another subcatchment.
    std::array<double, 5> removal_fraction{};
    int removal_subcatchment = -1; ///< the subcatchment receiving the last fraction
};

/// Where the air temperature comes from ([TEMPERATURE]).
enum class AirTemperatureSource { kNone, kTimeSeries, kFile };

/// The [TEMPERATURE] settings snowmelt uses, SI.
struct SnowClimate {
    AirTemperatureSource source = AirTemperatureSource::kNone;
    int series = -1; ///< TIMESERIES: index into Network::series (values °F or °C as written)
    double dividing_temp_c = (34.0 - 32.0) / 1.8; ///< snow falls at or below it (SWMM: 34 °F)
    double ati_weight = 0.5;                      ///< antecedent temperature index weight (6 h)
    double negative_melt_ratio = 0.6;
    double elevation_m = 0;
    double latitude_deg = 40;
    double longitude_correction_h = 0; ///< file: minutes
    /// Areal depletion curves, impervious [0] and pervious [1]: the fraction of the area covered
    /// at relative depths 0, 0.1, ..., 0.9 of the depth at 100 % cover.
    std::array<std::array<double, 10>, 2> adc{
        {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}};
    bool wind_from_file = false;
    std::array<double, 12> wind_ms{}; ///< MONTHLY wind speeds (file: mph or km/h)
};

/// [SNOWPACKS] and the snowmelt part of [TEMPERATURE].
struct SnowInput {
    std::vector<SnowPackParams> packs;
    SnowClimate climate;
    bool active = false; ///< snow packs exist and IGNORE_SNOWMELT is not set
    int pack_of(const std::string& name) const;
};

/// Reads [SNOWPACKS] and [TEMPERATURE] from their raw rows, converting to SI. Errors name `file`,
/// the line, the snow pack and the field: missing or non-numeric values, an unknown keyword,
/// subcatchment or time series, fractions outside 0..1, a minimum melt coefficient above the
/// maximum, removal fractions adding up to more than 1.
SnowInput read_snow_sections(const Network& net, const std::string& file, Diagnostics& diags);

// --- the melt equations (Reference Manual Vol. I, ch. 6) ---------------------------------------

/// The melt coefficient of day `day_of_year` (1..366): the mean of the June and December
/// coefficients plus half their difference times sin(2π(day − 81)/364) (eq. 6-4, with SWMM's
/// 0.0172615 per day).
double seasonal_melt_coefficient(double min_ms_c, double max_ms_c, int day_of_year);

/// Degree-day melt (eq. 6-3), m/s: coefficient × (Ta − Tbase), none below the base temperature.
double degree_day_melt_ms(double coeff_ms_c, double air_temp_c, double base_temp_c);

/// Saturation vapour pressure at the air temperature, inches of mercury (eq. 6-9).
double saturation_vapor_pressure_inhg(double air_temp_c);

/// Melt during rain (eq. 6-8), m/s, from rain `rain_ms`, air temperature, wind speed and the
/// elevation (through the psychrometric constant); none when the rain is 0.02 in/h or less.
double rain_on_snow_melt_ms(double rain_ms, double air_temp_c, double wind_ms, double elevation_m);

/// The fraction of a surface covered by snow at `relative_depth` (depth over the depth at 100 %
/// cover) on the areal depletion curve `adc` (linear between its tenths, 1 from 1 on).
double areal_snow_cover(const std::array<double, 10>& adc, double relative_depth);

/// The air temperature through a day from its minimum and maximum (a climate file's), as SWMM
/// 5.2 interpolates it (climate.c setTemp, after the Reference Manual's §6.2): the minimum at
/// sunrise, the maximum three hours before sunset, sine curves between; sunrise and sunset from the
/// day of the year, the latitude and the longitude correction.
struct DailyTemperatureCycle {
    double sunrise_h = 6, before_sunset_h = 15; ///< SWMM's Hrsr and Hrss
    double tmin_c = 0, tmax_c = 0;
    double range_before_c = 0; ///< from the day before's maximum to today's minimum
    bool has_previous = false;
    /// Starts day `day_of_year` with its minimum and maximum (°C; swapped when reversed).
    void start_day(int day_of_year, double latitude_deg, double longitude_correction_h,
                   double tmin_c, double tmax_c);
    /// The temperature `hour` hours after midnight, °C.
    double at_hour(double hour) const;
};

/// The weather of one runoff step, shared by every snow pack.
struct SnowWeather {
    double air_temp_c = 21.1; ///< SWMM's 70 °F without a temperature source
    double rain_melt_ms = 0;  ///< melt during rain of the subcatchment's gage, m/s
    double ati_weight = 0.5;  ///< per 6 h
    double negative_melt_ratio = 0.6;
    std::array<std::array<double, 10>, 2> adc{};
};

/// What the plow moved in one step.
struct PlowResult {
    double removed_m3 = 0;       ///< out of the watershed
    double to_other_depth_m = 0; ///< to add to another pack's pervious surface
};

/// The snow pack of one subcatchment: depth, free water, cold content, antecedent temperature
/// index and the state of areal depletion on each of its three surfaces.
class SnowPack {
public:
    SnowPack() = default;
    /// `area_m2` is the subcatchment's area outside LID units, `imperv_fraction` its impervious
    /// share (0..1).
    SnowPack(const SnowPackParams& params, double imperv_fraction, double area_m2);

    /// Sets the melt coefficients for day `day_of_year`.
    void set_melt_coefficients(int day_of_year);
    /// Adds snowfall `snowfall_ms` (m/s of water) over `dt_s` to every surface present and plows
    /// the plowable surface when it reaches the removal depth (SWMM snow_plowSnow).
    /// `other_pervious_m2` is the area of the receiving subcatchment's pervious snow surface (0
    /// when none; then that fraction stays).
    PlowResult add_snow_and_plow(double snowfall_ms, double dt_s, double other_pervious_m2);
    /// Adds `depth_m` of plowed snow to the pervious surface.
    void receive_plowed(double depth_m) { wsnow_[kSnowPervious] += depth_m; }

    /// Melts the pack over `dt_s` with rain `rain_ms` and snowfall `snowfall_ms` (m/s) falling on
    /// the subcatchment, and gives the water reaching each runoff sub-area (0 and 1 impervious,
    /// 2 pervious), m/s. Returns the pack's mean snow depth over the subcatchment, m.
    double melt(double rain_ms, double snowfall_ms, double dt_s, const SnowWeather& w,
                std::array<double, 3>& net_precip_ms);

    /// Snow and free water held, m³.
    double cover_m3() const;
    /// Snow depth (water equivalent) over the subcatchment, m.
    double depth_m() const;
    double pervious_fraction() const { return area_fraction_[kSnowPervious]; }
    /// Area of the pervious snow surface, m².
    double pervious_area_m2() const { return area_fraction_[kSnowPervious] * area_m2_; }
    double surface_depth_m(int s) const { return wsnow_[static_cast<std::size_t>(s)]; }
    double free_water_m(int s) const { return fw_[static_cast<std::size_t>(s)]; }
    double cold_content_m(int s) const { return coldc_[static_cast<std::size_t>(s)]; }
    double ati_c(int s) const { return ati_[static_cast<std::size_t>(s)]; }
    const SnowPackParams& params() const { return p_; }

    /// The state SWMM's hot start files keep of surface `s`: snow, free water, cold content (m),
    /// antecedent temperature index (°C) and the relative depth where the last snowfall's
    /// depletion line begins.
    std::array<double, 5> state(int s) const;
    void set_state(int s, const std::array<double, 5>& x);

private:
    double areal_depletion(int s, double snowfall_ms, double dt_s, const SnowWeather& w);
    double melt_surface(int s, double rain_melt_ms, double asc, double snowfall_ms, double dt_s,
                        const SnowWeather& w);
    void update_cold_content(int s, double asc, double snowfall_ms, double dt_s,
                             const SnowWeather& w);

    SnowPackParams p_;
    double area_m2_ = 0, imperv_fraction_ = 0;
    std::array<double, 3> area_fraction_{};
    std::array<double, 3> coeff_ms_c_{}; ///< today's melt coefficients
    std::array<double, 3> wsnow_{}, fw_{}, coldc_{}, ati_{}, imelt_{};
    std::array<double, 3> awe_{1, 1, 1}, sba_{}, sbws_{};
};

} // namespace rencheng::drainage
