// Snowmelt (drainage/snow.hpp): the melt equations on cases worked by hand, the snow pack over
// single steps (degree-day melt, cold content, areal depletion, removal), the [SNOWPACKS] and
// [TEMPERATURE] readers' errors, and whole runs against EPA SWMM 5.2.4
// (tests/validation/drainage/snow/).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "drainage/results_csv.hpp"
#include "drainage/simulation.hpp"
#include "drainage/snow.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"
#include "support/replace_once.hpp"
#include "swmm_reference_check.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;
using rencheng::test::replace_once;

namespace {

constexpr double kInch = 0.0254;
constexpr double kInchPerHour = kInch / 3600.0;

double f_to_c(double f) {
    return (f - 32.0) / 1.8;
}
/// A melt coefficient of in/h/°F in m/s/°C.
double coeff_us(double in_h_f) {
    return in_h_f * kInchPerHour * 1.8;
}

/// A pack on a subcatchment that is all pervious (or all impervious with `imperv`), one surface
/// with both melt coefficients `c` in/h/°F, base 32 °F, free water fraction `fwf`, `depth_in`
/// of snow and 100 % cover at `sd100_in`.
SnowPackParams one_surface(double c, double fwf, double depth_in, double sd100_in) {
    SnowPackParams p;
    p.id = "P";
    for (auto& s : p.surface) {
        s.melt_min_ms_c = s.melt_max_ms_c = coeff_us(c);
        s.base_temp_c = 0.0;
        s.free_water_fraction = fwf;
        s.initial_depth_m = depth_in * kInch;
        s.full_cover_depth_m = sd100_in * kInch;
    }
    return p;
}

SnowWeather weather_f(double ta_f) {
    SnowWeather w;
    w.air_temp_c = f_to_c(ta_f);
    w.ati_weight = 0.5;
    w.negative_melt_ratio = 0.6;
    w.adc = {{{0.10, 0.35, 0.53, 0.66, 0.75, 0.82, 0.87, 0.92, 0.95, 0.98},
              {0.05, 0.24, 0.40, 0.52, 0.62, 0.70, 0.77, 0.84, 0.90, 0.95}}};
    return w;
}

} // namespace

// eq. 6-4 with SWMM's 2π/364: the June coefficient on 21 June (day 172), the December one on
// day 355, their mean at the equinox (day 81).
TEST(SnowEquations, SeasonalMeltCoefficient) {
    EXPECT_NEAR(seasonal_melt_coefficient(1.0, 3.0, 172), 3.0, 1e-9);
    EXPECT_NEAR(seasonal_melt_coefficient(1.0, 3.0, 355), 1.0, 1e-3);
    EXPECT_DOUBLE_EQ(seasonal_melt_coefficient(1.0, 3.0, 81), 2.0);
}

// Degree-day melt: 0.002 in/h/°F at 40 °F over a 32 °F base is 0.016 in/h; none below the base.
TEST(SnowEquations, DegreeDayMelt) {
    EXPECT_NEAR(degree_day_melt_ms(coeff_us(0.002), f_to_c(40), 0.0) / kInchPerHour, 0.016, 1e-12);
    EXPECT_EQ(degree_day_melt_ms(coeff_us(0.002), f_to_c(30), 0.0), 0.0);
}

// Melt during rain (eq. 6-8) by hand: 0.5 in/h of rain at 40 °F, wind 10 mph, sea level:
// γ = 0.000359·29.9 = 0.0107341 in Hg/°F, ua = 0.006·10 = 0.06, ea = 8.1175e6·exp(−7701.544 /
// 445.0265) = 0.247517 in Hg, melt = 8·(0.001167 + 7.5·γ·ua + 0.007·0.5) + 8.5·ua·(ea − 0.18)
// = 0.110412 in/h. No melt from rain of 0.02 in/h or less.
TEST(SnowEquations, RainOnSnowMeltByHand) {
    EXPECT_NEAR(saturation_vapor_pressure_inhg(f_to_c(40)), 0.2475167, 1e-6);
    const double m = rain_on_snow_melt_ms(0.5 * kInchPerHour, f_to_c(40), 10 * 0.44704, 0.0);
    EXPECT_NEAR(m / kInchPerHour, 0.1104123, 1e-6);
    EXPECT_EQ(rain_on_snow_melt_ms(0.02 * kInchPerHour, f_to_c(40), 4.47, 0.0), 0.0);
    // at 1000 ft the air pressure is 29.9 − 1.02 + 0.0032 = 28.8832 in Hg: less wind melt
    EXPECT_LT(rain_on_snow_melt_ms(0.5 * kInchPerHour, f_to_c(40), 4.4704, 304.8), m);
}

// The areal depletion curve between its tenths: at 0.25 of the depth at full cover, 0.53 +
// (0.66 − 0.53)·0.5 = 0.595; nothing at 0, full cover from 1 on, and the last tenth runs to 1.
TEST(SnowEquations, DepletionCurveInterpolation) {
    const std::array<double, 10> adc{0.10, 0.35, 0.53, 0.66, 0.75, 0.82, 0.87, 0.92, 0.95, 0.98};
    EXPECT_NEAR(areal_snow_cover(adc, 0.25), 0.595, 1e-9);
    EXPECT_EQ(areal_snow_cover(adc, 0.0), 0.0);
    EXPECT_EQ(areal_snow_cover(adc, 1.2), 1.0);
    EXPECT_NEAR(areal_snow_cover(adc, 0.95), 0.99, 1e-9);
}

// One hour of degree-day melt on a pervious pack of 1 in, no free water held: 0.016 in leaves the
// pack at 40 °F and reaches the pervious sub-area as 0.016 in/h; 0.984 in stays.
TEST(SnowPackStep, DegreeDayMeltOverOneStep) {
    SnowPack pack(one_surface(0.002, 0.0, 1.0, 0.0), 0.0, 10000.0);
    pack.set_melt_coefficients(1);
    std::array<double, 3> np{};
    const double depth = pack.melt(0.0, 0.0, 3600.0, weather_f(40), np);
    EXPECT_NEAR(np[2] / kInchPerHour, 0.016, 1e-9);
    EXPECT_NEAR(depth / kInch, 0.984, 1e-9);
    EXPECT_NEAR(pack.cover_m3(), 0.984 * kInch * 10000.0, 1e-9);
}

// Melt held as free water: a pack of 0.984 in after the melt holds up to 0.05·0.984 = 0.0492 in
// of free water, so all of the 0.016 in of melt stays in it and nothing reaches the ground.
TEST(SnowPackStep, FreeWaterHoldsMelt) {
    SnowPack pack(one_surface(0.002, 0.05, 1.0, 0.0), 0.0, 10000.0);
    pack.set_melt_coefficients(1);
    std::array<double, 3> np{};
    pack.melt(0.0, 0.0, 3600.0, weather_f(40), np);
    EXPECT_EQ(np[2], 0.0);
    EXPECT_NEAR(pack.free_water_m(kSnowPervious) / kInch, 0.016, 1e-9);
}

// Cold content (eq. 6-6, 6-7): six hours at 20 °F move the ATI halfway from 32 to 26 °F; the cold
// content 0.6·0.002·6·6 = 0.0432 in is capped at SWMM's 1·0.007/12·6 = 0.0035 in. The next hour
// at 40 °F pays it off first: melt 0.016 − 0.0035/0.6 = 0.0101667 in/h.
TEST(SnowPackStep, ColdContentDelaysMelt) {
    SnowPack pack(one_surface(0.002, 0.0, 1.0, 0.0), 0.0, 10000.0);
    pack.set_melt_coefficients(1);
    std::array<double, 3> np{};
    pack.melt(0.0, 0.0, 6 * 3600.0, weather_f(20), np);
    EXPECT_EQ(np[2], 0.0);
    EXPECT_NEAR(pack.ati_c(kSnowPervious), f_to_c(26), 1e-9);
    EXPECT_NEAR(pack.cold_content_m(kSnowPervious) / kInch, 0.0035, 1e-9);
    pack.melt(0.0, 0.0, 3600.0, weather_f(40), np);
    EXPECT_NEAR(np[2] / kInchPerHour, 0.016 - 0.0035 / 0.6, 1e-9);
    EXPECT_EQ(pack.cold_content_m(kSnowPervious), 0.0);
    EXPECT_NEAR(pack.ati_c(kSnowPervious), 0.0, 1e-12); // a melting pack's ATI is its base
}

// Areal depletion: 1 in of snow where 2 in gives full cover is at half the depth, so the pervious
// curve's 0.70 of the area melts (0.016·0.70 in/h) and rain falls on the other 0.30 bare.
TEST(SnowPackStep, ArealDepletionScalesMelt) {
    SnowPack pack(one_surface(0.002, 0.0, 1.0, 2.0), 0.0, 10000.0);
    pack.set_melt_coefficients(1);
    std::array<double, 3> np{};
    pack.melt(0.0, 0.0, 3600.0, weather_f(40), np);
    EXPECT_NEAR(np[2] / kInchPerHour, 0.016 * 0.70, 1e-9);
}

// New snow on a partly covered surface (Manual §6.5): 0.4 in falling on 0.5 in where 2 in gives
// full cover covers it all; it then depletes along a line from full cover at (0.5 + 0.75·0.4)/2
// = 0.40 of SD100 down to the curve's 0.46 at 0.25 (0.5/2). At 0.7 in (0.35) the cover is
// 0.46 + (1 − 0.46)/(0.40 − 0.25)·(0.35 − 0.25) = 0.82 of the surface.
TEST(SnowPackStep, NewSnowDepletesAlongItsOwnLine) {
    SnowPack pack(one_surface(0.002, 0.0, 0.5, 2.0), 0.0, 10000.0);
    pack.set_melt_coefficients(1);
    std::array<double, 3> np{};
    const double snowfall = 0.4 * kInchPerHour;
    pack.add_snow_and_plow(snowfall, 3600.0, 0.0);
    pack.melt(0.0, snowfall, 3600.0, weather_f(20), np);
    EXPECT_EQ(np[2], 0.0);
    pack.set_state(kSnowPervious, {0.7 * kInch, 0.0, 0.0, 0.0, 0.25});
    pack.melt(0.0, 0.0, 3600.0, weather_f(40), np);
    EXPECT_NEAR(np[2] / kInchPerHour, 0.016 * 0.82, 1e-9);
}

// Removal: a plowable surface of 0.3 of the area (half of 60 % impervious) reaching its removal
// depth is plowed out (0.2), onto the other impervious (0.2) and pervious (0.3) surfaces, to
// immediate melt (0.1) and to another subcatchment of a third of the area (0.2): the water moved
// adds up to what was plowed.
TEST(SnowPackStep, RemovalFractionsConserveWater) {
    SnowPackParams p = one_surface(0.002, 0.0, 0.0, 0.0);
    p.plowable_fraction = 0.5;
    p.removal_depth_m = 0.5 * kInch;
    p.removal_fraction = {0.2, 0.2, 0.3, 0.1, 0.2};
    p.removal_subcatchment = 1;
    const double area = 10000.0, dt = 3600.0;
    SnowPack a(p, 0.6, area);
    SnowPack b(one_surface(0.002, 0.0, 0.0, 0.0), 0.2, area / 3); // receiving, 0.8 pervious
    a.set_melt_coefficients(1);
    // 0.6 in of snow in the hour, below the removal depth on the other surfaces
    const double snowfall = 0.6 * kInchPerHour;
    const PlowResult r = a.add_snow_and_plow(snowfall, dt, b.pervious_area_m2());
    b.receive_plowed(r.to_other_depth_m);
    const double plowed = 0.6 * kInch * 0.3 * area; // all of the plowable surface's snow
    EXPECT_NEAR(r.removed_m3, 0.2 * plowed, 1e-9);
    EXPECT_EQ(a.surface_depth_m(kSnowPlowable), 0.0);
    // what stays on `a`, beyond the 0.6 in that fell on its other surfaces
    const double kept = a.cover_m3() - 0.6 * kInch * 0.7 * area;
    EXPECT_NEAR(kept, 0.5 * plowed, 1e-9);
    EXPECT_NEAR(b.cover_m3(), 0.2 * plowed, 1e-9);
    // the immediate melt reaches the impervious sub-areas in the same step (cold: nothing else)
    std::array<double, 3> np{};
    a.melt(0.0, snowfall, dt, weather_f(20), np);
    EXPECT_NEAR(np[0] * 0.6 * area * dt, 0.1 * plowed, 1e-9);
    EXPECT_NEAR(r.removed_m3 + kept + b.cover_m3() + np[0] * 0.6 * area * dt, plowed, 1e-9);
}

// The daily temperature cycle of a climate file day (SWMM setTemp): the minimum at sunrise, the
// maximum three hours before sunset; at the equator's equinox sunrise is 6 h and the maximum at
// 15 h.
TEST(SnowEquations, DailyTemperatureCycle) {
    DailyTemperatureCycle c;
    c.start_day(81, 0.0, 0.0, -5.0, 5.0);
    EXPECT_NEAR(c.sunrise_h, 6.0, 0.02);
    EXPECT_NEAR(c.before_sunset_h, 15.0, 0.02);
    EXPECT_NEAR(c.at_hour(c.sunrise_h), -5.0, 1e-9);
    EXPECT_NEAR(c.at_hour(c.before_sunset_h), 5.0, 1e-9);
    EXPECT_GT(c.at_hour(12.0), 0.0);
}

namespace {

const char* kSnowModel = R"([OPTIONS]
FLOW_UNITS CMS
START_DATE 01/15/2025
END_DATE 01/16/2025
[RAINGAGES]
RG1 INTENSITY 1:00 1.0 TIMESERIES P
[SUBCATCHMENTS]
S1 RG1 J1 1 50 100 1 0 Pack
S2 RG1 J1 1 50 100 1 0
[SUBAREAS]
S1 0.013 0.1 1 2 25 OUTLET
S2 0.013 0.1 1 2 25 OUTLET
[INFILTRATION]
S1 30 5 4 7 0
S2 30 5 4 7 0
[SNOWPACKS]
Pack PLOWABLE 0.05 0.15 0 0.1 0 0 0.5
Pack IMPERVIOUS 0.05 0.15 0 0.1 0 0 20
Pack PERVIOUS 0.05 0.15 0 0.1 0 0 20
Pack REMOVAL 5 0.5 0 0 0 0.5 S2
[TEMPERATURE]
TIMESERIES T
WINDSPEED MONTHLY 1 2 3 4 5 6 7 8 9 10 11 12
SNOWMELT 1 0.5 0.6 0 45 0
ADC PERVIOUS 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0
[JUNCTIONS]
J1 10 2 0 0 0
[OUTFALLS]
O1 9 FREE NO
[CONDUITS]
C1 J1 O1 100 0.013 0 0 0
[XSECTIONS]
C1 CIRCULAR 0.5 0 0 0 1
[TIMESERIES]
P 01/15/2025 00:00 2
P 01/15/2025 01:00 2
P 01/15/2025 02:00 2
P 01/15/2025 03:00 2
P 01/15/2025 12:00 3
P 01/15/2025 13:00 3
P 01/15/2025 14:00 0
T 01/15/2025 00:00 -5
T 01/16/2025 00:00 5
)";

Network parse(const std::string& text, Diagnostics& d) {
    return parse_swmm_inp(text, "snow.inp", d);
}

} // namespace

TEST(SnowReader, ReadsSnowPacksInSi) {
    Diagnostics d;
    const Network net = parse(kSnowModel, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    Diagnostics d2;
    const SnowInput in = read_snow_sections(net, "snow.inp", d2);
    ASSERT_EQ(in.packs.size(), 1U);
    EXPECT_TRUE(in.active);
    const auto& p = in.packs[0];
    EXPECT_DOUBLE_EQ(p.plowable_fraction, 0.5);
    EXPECT_NEAR(p.surface[kSnowPervious].full_cover_depth_m, 0.020, 1e-12);
    // an SI coefficient of 0.15 mm/h/°C is taken times 1.8² as SWMM takes it
    EXPECT_NEAR(p.surface[kSnowImpervious].melt_max_ms_c, 0.15e-3 / 3600 * 3.24, 1e-15);
    EXPECT_NEAR(p.removal_depth_m, 0.005, 1e-12);
    EXPECT_EQ(p.removal_subcatchment, 1);
    EXPECT_EQ(in.climate.source, AirTemperatureSource::kTimeSeries);
    EXPECT_NEAR(in.climate.wind_ms[0], 1.0 / 1.608 * 0.44704, 1e-12); // km/h by SWMM's 1.608
    EXPECT_DOUBLE_EQ(in.climate.adc[1][9], 1.0);
    EXPECT_DOUBLE_EQ(in.climate.dividing_temp_c, 1.0);
}

// Bad lines name the file, the line and the field.
TEST(SnowReader, BadLinesNameFileLineAndField) {
    struct Case {
        const char* from;
        const char* to;
        ErrorCode code;
        const char* text;
    };
    const Case cases[] = {
        {"Pack IMPERVIOUS 0.05 0.15 0 0.1 0 0 20", "Pack IMPERVIOUS 0.05 x 0 0.1 0 0 20",
         ErrorCode::kNumberSyntax, "maximum melt coefficient 'x' is not a number"},
        {"Pack PERVIOUS 0.05 0.15 0 0.1 0 0 20", "Pack SIDEWAYS 0.05 0.15 0 0.1 0 0 20",
         ErrorCode::kUnknownValue, "unknown snow pack keyword 'SIDEWAYS'"},
        {"Pack REMOVAL 5 0.5 0 0 0 0.5 S2", "Pack REMOVAL 5 0.5 0.4 0 0 0.5 S2",
         ErrorCode::kOutOfRange, "removal fractions add up to more than 1"},
        {"Pack REMOVAL 5 0.5 0 0 0 0.5 S2", "Pack REMOVAL 5 0.5 0 0 0 0.5 S9",
         ErrorCode::kUnknownReference, "undefined subcatchment 'S9'"},
        {"SNOWMELT 1 0.5 0.6 0 45 0", "SNOWMELT 1 1.5 0.6 0 45 0", ErrorCode::kOutOfRange,
         "ATI weight must be between 0 and 1"},
        {"ADC PERVIOUS 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0",
         "ADC PERVIOUS 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9", ErrorCode::kMissingKey,
         "ADC needs 10 areal depletion fractions"},
        {"TIMESERIES T", "TIMESERIES Nope", ErrorCode::kUnknownReference,
         "undefined time series 'Nope'"},
    };
    for (const auto& c : cases) {
        const std::string text = replace_once(kSnowModel, c.from, c.to);
        std::istringstream in(text);
        std::string line;
        int number = 0, expected_line = 0;
        while (std::getline(in, line)) {
            ++number;
            if (line == c.to)
                expected_line = number;
        }
        Diagnostics d;
        (void)parse(text, d);
        ASSERT_TRUE(d.has_errors()) << c.to;
        const auto& e = d.items().front();
        EXPECT_EQ(e.code, c.code) << c.to << ": " << d.format();
        EXPECT_EQ(e.file, "snow.inp");
        EXPECT_EQ(e.line, expected_line) << c.to;
        EXPECT_NE(e.message.find(c.text), std::string::npos) << e.message;
    }
}

// The sections are written back as read: a round trip gives the same rows.
TEST(SnowReader, WriterKeepsSections) {
    Diagnostics d;
    const Network a = parse(kSnowModel, d);
    ASSERT_FALSE(d.has_errors());
    const Network b = parse(format_swmm_inp(a), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    for (const char* name : {"SNOWPACKS", "TEMPERATURE"}) {
        ASSERT_NE(b.raw_section(name), nullptr) << name;
        EXPECT_EQ(a.raw_section(name)->rows, b.raw_section(name)->rows) << name;
    }
}

// A whole run keeps the water: snowfall, plowing to the other subcatchment and out of the
// watershed, melt; the continuity error is small and the snow terms are in the balance.
TEST(SnowRun, BalanceHoldsSnow) {
    Diagnostics d;
    const Network net = parse(kSnowModel, d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    const auto res = simulate(net, SimulationOptions{});
    const auto& r = res.summary.runoff;
    EXPECT_TRUE(res.summary.has_snow);
    EXPECT_GT(r.snow_removed_m3, 0.0);
    EXPECT_GT(r.final_snow_m3, 0.0);
    EXPECT_LT(std::abs(res.summary.runoff_continuity_error_pct), 0.5);
    bool listed = false;
    for (const auto& t : balance_terms(res.summary))
        listed = listed || t.quantity == std::string("runoff_snow_removed_m3");
    EXPECT_TRUE(listed);
    // IGNORE_SNOWMELT: the same rain is all rain and no snow is kept
    Diagnostics d2;
    const Network off =
        parse(replace_once(kSnowModel, "[OPTIONS]\n", "[OPTIONS]\nIGNORE_SNOWMELT YES\n"), d2);
    const auto res2 = simulate(off, SimulationOptions{});
    EXPECT_FALSE(res2.summary.has_snow);
    EXPECT_EQ(res2.summary.runoff.final_snow_m3, 0.0);
    EXPECT_GT(res2.summary.runoff.runoff_m3, res.summary.runoff.runoff_m3);
}

// --- against SWMM 5.2.4 -----------------------------------------------------------------------

namespace {

fs::path snow_dir() {
    return fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "snow";
}

/// SWMM's Runoff Quantity Continuity terms (mm over the study area, from its .rpt).
struct SwmmContinuity {
    double initial_snow_mm, precip_mm, evap_mm, infil_mm, runoff_mm, removed_mm, final_snow_mm,
        final_storage_mm, error_pct;
};

/// Runs `name`.inp from the snow folder and checks: every subcatchment's snow depth within
/// 0.01 mm and runoff within 0.0005 m³/s and every link flow within 0.0005 m³/s of SWMM's at
/// every report (`name.csv.gz`); peak node depths and link flows within 2 % or 0.01 m / 0.001
/// m³/s and the continuity errors no worse than SWMM's (`name.summary.csv.gz`); the runoff
/// continuity terms within `tol_mm` (the .rpt's last digit) of SWMM's.
void expect_matches_swmm(const std::string& name, const SwmmContinuity& swmm,
                         double tol_mm = 0.002) {
    Diagnostics d;
    const Network net = read_swmm_inp(snow_dir() / (name + ".inp"), d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = snow_dir();
    const auto res = simulate(net, so);
    const auto cmp = rencheng::test::expect_series_match(net, res, snow_dir() / (name + ".csv.gz"),
                                                         {0.0005, 0.0005, 0.01}, name);
    EXPECT_GT(cmp.checked, 1000U);
    rencheng::test::expect_summary_match(net, res, snow_dir() / (name + ".summary.csv.gz"), 0.0015,
                                         name);
    const double area = rencheng::test::study_area_m2(net);
    const auto& r = res.summary.runoff;
    const auto mm = [area](double m3) { return 1000.0 * m3 / area; };
    EXPECT_NEAR(mm(r.initial_snow_m3), swmm.initial_snow_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.rain_m3), swmm.precip_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.evap_m3), swmm.evap_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.infil_m3), swmm.infil_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.runoff_m3), swmm.runoff_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.snow_removed_m3), swmm.removed_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.final_snow_m3), swmm.final_snow_mm, tol_mm) << name;
    EXPECT_NEAR(mm(r.final_storage_m3), swmm.final_storage_mm, tol_mm) << name;
    EXPECT_NEAR(res.summary.runoff_continuity_error_pct, swmm.error_pct, 0.002) << name;
    std::printf("[ info ] %s: %zu values; largest differences from SWMM: snow depth %.2g mm, "
                "subcatchment runoff %.2g m3/s, link flow %.2g m3/s; runoff continuity %.3f %%\n",
                name.c_str(), cmp.checked, cmp.largest("snow_depth_mm"), cmp.largest("runoff_m3s"),
                cmp.largest("flow_m3s"), res.summary.runoff_continuity_error_pct);
}

} // namespace

// SI units, air temperature from a time series, monthly wind: snow from −8 °C on the first day
// (snow catch factor 1.2), plowing on S1 (out of the watershed, onto its own surfaces, to melt
// and onto S3), rain on snow at 4–5 °C on the second day, degree-day melt and a shower on the
// third; S4 has no snow pack, so its snowfall runs off as water. SWMM 5.2.4's report: initial
// snow cover 4.358 mm, precipitation 52.800, evaporation 1.083, infiltration 28.817, surface
// runoff 21.506, snow removed 0.523, final snow cover 4.740, final storage 0.507, error −0.031 %.
TEST(SnowValidation, SiTimeSeriesMatchesSwmm) {
    expect_matches_swmm("snow-si",
                        {4.358, 52.800, 1.083, 28.817, 21.506, 0.523, 4.740, 0.507, -0.031});
}

// US units, air temperature and wind from a climate file (its days' minimum and maximum as a
// daily cycle, a day without Tmin keeping the day before's), another dividing temperature, ATI
// weight, melt ratio, elevation and longitude correction. SWMM 5.2.4's report in inches: initial
// snow 0.174, precipitation 1.991, evaporation 0.043, infiltration 1.057, runoff 0.879, removed
// 0.014, final snow 0.153, final storage 0.021, error −0.038 % (compared in mm, to a little over
// half the report's last digit: its 1.991 in is 1.9915 in, printed from binary).
TEST(SnowValidation, UsClimateFileMatchesSwmm) {
    constexpr double in = 25.4;
    expect_matches_swmm("snow-us",
                        {0.174 * in, 1.991 * in, 0.043 * in, 1.057 * in, 0.879 * in, 0.014 * in,
                         0.153 * in, 0.021 * in, -0.038},
                        0.0006 * in);
}

// Hot start: SWMM 5.2.4's file saved after 33 h of snow-si (snow-hot-save.inp) starts
// snow-hot-use.inp; our run from it matches SWMM's, and the snow state we save at that moment is
// SWMM's (15 values a subcatchment).
TEST(SnowValidation, HotStartCarriesSnowPacks) {
    expect_matches_swmm("snow-hot-use",
                        {25.207, 27.000, 0.817, 26.829, 19.505, 0.0, 4.750, 0.507, -0.028});
    const fs::path tmp =
        fs::temp_directory_path() / ("rencheng-snow-" + std::to_string(::getpid()));
    fs::create_directories(tmp);
    Diagnostics d;
    const Network net = read_swmm_inp(snow_dir() / "snow-hot-save.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = tmp;
    (void)simulate(net, so);
    const std::string ours = rencheng::read_file(tmp / "snow-hot-swmm.hsf");
    const std::string swmm = rencheng::read_file(snow_dir() / "snow-hot-swmm.hsf");
    fs::remove_all(tmp);
    ASSERT_EQ(ours.size(), swmm.size());
    // per subcatchment: 3 depths, runoff, 6 infiltration values, then the 15 of snow (S1 to S3
    // have snow packs and come first)
    const std::size_t header = 15 + 6 * 4;
    double worst = 0;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = 10; k < 25; ++k) {
            const std::size_t at = header + (i * 25 + k) * 8;
            double a = 0, b = 0;
            std::memcpy(&a, ours.data() + at, 8);
            std::memcpy(&b, swmm.data() + at, 8);
            worst = std::max(worst, std::abs(a - b));
            EXPECT_NEAR(a, b, 1e-6 + 1e-6 * std::abs(b)) << "subcatchment " << i << " value " << k;
        }
    std::printf("[ info ] hot start snow state: largest difference from SWMM's file %.2g\n", worst);
}
