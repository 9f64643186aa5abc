// Units helpers: SI inside, conversion factors for the units our input formats use.
#pragma once

namespace rencheng::units {

// Length
inline constexpr double kFoot = 0.3048;      // m
inline constexpr double kInch = 0.0254;      // m
inline constexpr double kMile = 1609.344;    // m
inline constexpr double kKilometre = 1000.0; // m
// Volume and flow
inline constexpr double kUsGallon = 3.785411784e-3;         // m^3
inline constexpr double kImperialGallon = 4.54609e-3;       // m^3
inline constexpr double kLitre = 1e-3;                      // m^3
inline constexpr double kCubicFoot = kFoot * kFoot * kFoot; // m^3
inline constexpr double kAcreFoot = 1233.48183754752;       // m^3
// Time
inline constexpr double kMinute = 60.0; // s
inline constexpr double kHour = 3600.0; // s
inline constexpr double kDay = 86400.0; // s
// Speed
inline constexpr double kKmPerHour = 1000.0 / 3600.0;  // m/s
inline constexpr double kMilePerHour = kMile / 3600.0; // m/s
// Pressure and power
inline constexpr double kPsi = 6894.757293168;            // Pa
inline constexpr double kKiloPascal = 1000.0;             // Pa
inline constexpr double kMegawatt = 1e6;                  // W
inline constexpr double kHorsepower = 745.69987158227022; // W (mechanical)
// Physical constants
inline constexpr double kGravity = 9.80665;       // m/s^2, standard gravity
inline constexpr double kWaterDensity = 998.2;    // kg/m^3 at 20 °C
inline constexpr double kEarthRadius = 6371008.8; // m, IUGG mean radius
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kDegree = kPi / 180.0; // rad

/// Simulation time is an integer count of seconds (STYLE.md "Units and time").
using Seconds = long long;

constexpr double to_hours(Seconds s) {
    return static_cast<double>(s) / kHour;
}
constexpr Seconds from_hours(double h) {
    return static_cast<Seconds>(h * kHour + 0.5);
}

} // namespace rencheng::units
