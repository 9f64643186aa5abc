// Earthquake hazard: ground-motion models (Boore & Atkinson 2008; Yu & Jin 2008 China PGV), Vs30
// fields, per-realization variability, and USGS ShakeMap grid.xml input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/geo.hpp"
#include "core/rng.hpp"

namespace rencheng::hazard {

/// Fault mechanism as Boore & Atkinson (2008) distinguish it (e1…e4).
enum class FaultMechanism : std::uint8_t { kUnspecified, kStrikeSlip, kNormal, kReverse };
/// "unspecified", "strike_slip", "normal", "reverse".
std::string_view fault_mechanism_name(FaultMechanism m);
std::optional<FaultMechanism> parse_fault_mechanism(std::string_view name);

/// An earthquake treated as a point source at the epicentre.
struct Earthquake {
    double magnitude = 6.5; ///< moment magnitude Mw
    LonLat epicentre;
    double depth_km = 10.0; ///< hypocentral depth; used by no model here (BA08 uses Rjb), kept for
                            ///< reports and for hypocentral distance
    FaultMechanism mechanism = FaultMechanism::kUnspecified;
};

/// The three intensity measures the earthquake hazard provides at a site.
struct GroundMotion {
    double pga_g = 0.0;    ///< peak ground acceleration, g
    double pgv_cm_s = 0.0; ///< peak ground velocity, cm/s
    double sa10_g = 0.0;   ///< 5 %-damped pseudo-spectral acceleration at 1.0 s, g
};

/// Intensity measures of Boore & Atkinson (2008) we carry coefficients for.
enum class Ba08Measure : std::uint8_t { kPga, kPgv, kSa10 };

/// One row of the BA08 coefficient tables (Boore & Atkinson 2008, Earthquake Spectra 24(1),
/// Tables 6, 7 and 8; docs/hazards.md lists the values and their source).
struct Ba08Coefficients {
    double e1, e2, e3, e4, e5, e6, e7, mh; ///< magnitude scaling (Table 7)
    double c1, c2, c3, mref, rref, h;      ///< distance scaling (Table 6)
    double blin, b1, b2, vref;             ///< site amplification (Table 8; Vref 760 m/s)
    double sigma, tau, sigma_total;        ///< within-event, between-event, total (ln units)
};
const Ba08Coefficients& ba08_coefficients(Ba08Measure m);

/// Median BA08 ground motion (PGA, Sa in g; PGV in cm/s) for moment magnitude `magnitude`,
/// Joyner–Boore distance `rjb_km` (>= 0), site `vs30_m_s` (> 0) and mechanism, including the
/// linear and nonlinear site terms (the nonlinear one driven by the rock PGA, pga4nl, computed at
/// Vs30 = 760 m/s). BA08 is calibrated for M 5–8, Rjb < 200 km, Vs30 180–1300 m/s; outside that
/// range the equations are extrapolated as written.
double ba08_median(Ba08Measure m, double magnitude, double rjb_km, double vs30_m_s,
                   FaultMechanism mechanism);

/// Site class of the China PGV relation.
enum class ChinaSiteClass : std::uint8_t { kRock, kSoil };
/// Yu & Jin (2008) PGV, cm/s: log10 PGV = a + b·M − c·log10(R + 17), R epicentral distance km
/// (rock: −0.848, 0.775, 1.834; soil: −0.285, 0.711, 1.851). Median only.
double yu_jin_2008_pgv_cm_s(double magnitude, double epicentral_km, ChinaSiteClass site);

/// Vs30 (time-averaged shear-wave velocity of the top 30 m, m/s) over space: one value
/// everywhere, or a regular lon/lat grid interpolated bilinearly (clamped to the grid's edge
/// outside it).
class Vs30Field {
public:
    /// Throws Error(kOutOfRange) for vs30 <= 0.
    static Vs30Field uniform(double vs30_m_s);
    /// Grid of `values_m_s` in row-major order from the south-west corner: value (i, j) at
    /// lon = lon_min + i·dlon, lat = lat_min + j·dlat, index j·nlon + i. Throws
    /// Error(kOutOfRange) for nlon or nlat < 2, spacings <= 0, a size mismatch or a value <= 0.
    static Vs30Field grid(double lon_min_deg, double lat_min_deg, double dlon_deg, double dlat_deg,
                          int nlon, int nlat, std::vector<double> values_m_s);
    /// Reads a grid CSV with header lon,lat,vs30_m_s holding every node of a regular grid (any
    /// order). Problems go to `diags` with file and line; nullopt on error.
    static std::optional<Vs30Field> read_csv(const std::filesystem::path& path, Diagnostics& diags);
    static std::optional<Vs30Field> parse_csv(std::string_view text, const std::string& file,
                                              Diagnostics& diags);

    [[nodiscard]] double at(LonLat p) const;
    [[nodiscard]] bool is_uniform() const { return nlon_ == 0; }

private:
    double uniform_ = 760.0;
    double lon_min_ = 0.0, lat_min_ = 0.0, dlon_ = 0.0, dlat_ = 0.0;
    int nlon_ = 0, nlat_ = 0;
    std::vector<double> values_;
};

/// Which ground-motion model an EarthquakeField uses.
enum class GroundMotionModel : std::uint8_t {
    kBooreAtkinson2008, ///< PGA, PGV, Sa(1.0) from BA08
    /// PGV from Yu & Jin 2008 (site class from Vs30: soil below `china_soil_vs30_m_s`); PGA and
    /// Sa(1.0) from BA08 (the China relation has no acceleration form).
    kYuJin2008Pgv,
};

/// Spatial correlation of the within-event residuals.
enum class WithinEventCorrelation : std::uint8_t {
    kIndependent, ///< one independent draw per site
    /// Exponential model ρ(h) = exp(−3h/range) (Jayaram & Baker 2009), sampled by Cholesky
    /// factorisation of the site correlation matrix; O(sites³), refused above
    /// EarthquakeOptions::max_correlated_sites.
    kExponential,
};

struct EarthquakeOptions {
    GroundMotionModel model = GroundMotionModel::kBooreAtkinson2008;
    double china_soil_vs30_m_s = 500.0; ///< Yu & Jin site class: soil when Vs30 < this
    /// Draw the between-event (τ) and within-event (σ) residuals in sample(); false gives the
    /// median everywhere.
    bool variability = true;
    /// Residuals are truncated at ± this many standard deviations (0 = no truncation).
    double truncation_sd = 3.0;
    WithinEventCorrelation correlation = WithinEventCorrelation::kIndependent;
    double correlation_range_km = 20.0; ///< "range" of the exponential model (ρ = 0.05 there)
    std::size_t max_correlated_sites = 4000;
    /// Throws Error(kOutOfRange) naming the bad option.
    void validate() const;
};

/// An earthquake's ground motion over the city. Rjb is approximated by the epicentral distance
/// (point source; docs/hazards.md): it overestimates the distance near a long rupture.
/// Immutable; median_at is thread-safe.
class EarthquakeField {
public:
    EarthquakeField(Earthquake quake, Vs30Field vs30, EarthquakeOptions options = {});

    [[nodiscard]] const Earthquake& earthquake() const { return quake_; }
    [[nodiscard]] const EarthquakeOptions& options() const { return options_; }
    /// Epicentral distance, km (the Rjb stand-in).
    [[nodiscard]] double distance_km(LonLat site) const;
    /// Median ground motion at a site.
    [[nodiscard]] GroundMotion median_at(LonLat site) const;

    /// One realization at `sites`: each measure is median·exp(τ·η + σ·ε) with η one standard
    /// normal per event (shared by all sites) and ε one per site (independent or correlated per
    /// the options). The same η and ε drive PGA, PGV and Sa(1.0) of a site (full correlation
    /// between measures; docs/hazards.md). Draws come from `rng` in a fixed order (η first, then
    /// ε by site index), so equal streams give equal results whatever thread runs it.
    /// Throws Error(kOutOfRange) when correlated sampling is asked for more sites than allowed.
    [[nodiscard]] std::vector<GroundMotion> sample(const std::vector<LonLat>& sites,
                                                   RngStream& rng) const;

private:
    Earthquake quake_;
    Vs30Field vs30_;
    EarthquakeOptions options_;
};

/// A USGS ShakeMap grid (grid.xml): a regular lon/lat grid of ground-motion fields. PGA and PSA
/// are stored in the file in %g and returned here in g; PGV in cm/s.
class ShakeMapGrid {
public:
    /// Parses grid.xml text (`file` names it in diagnostics). Needs grid_specification, the
    /// grid_field list with LON, LAT and at least one of PGA, PGV, PSA10, and nlon·nlat data rows
    /// on the grid's nodes (any order). nullopt on error, with diagnostics naming file and line.
    static std::optional<ShakeMapGrid> parse(std::string_view text, const std::string& file,
                                             Diagnostics& diags);
    static std::optional<ShakeMapGrid> read(const std::filesystem::path& path, Diagnostics& diags);

    /// Event attributes (magnitude, epicentre, depth) from the <event> element; 0 when absent.
    [[nodiscard]] const Earthquake& event() const { return event_; }
    [[nodiscard]] const std::string& event_id() const { return event_id_; }
    [[nodiscard]] BoundingBox bounds() const;
    [[nodiscard]] int nlon() const { return nlon_; }
    [[nodiscard]] int nlat() const { return nlat_; }
    /// Names of the fields in file order, upper case (LON, LAT, PGA, …).
    [[nodiscard]] const std::vector<std::string>& field_names() const { return field_names_; }
    [[nodiscard]] bool has_field(std::string_view name) const;

    /// Bilinear interpolation of field `name` (as stored in the file, e.g. "PGA" in %g, "MMI");
    /// nullopt when the field is absent or the point lies outside the grid.
    [[nodiscard]] std::optional<double> value(std::string_view name, LonLat p) const;
    /// PGA (g), PGV (cm/s) and PSA10 (g) at a point; nullopt outside the grid. A field the grid
    /// lacks is 0.
    [[nodiscard]] std::optional<GroundMotion> at(LonLat p) const;

private:
    Earthquake event_;
    std::string event_id_;
    double lon_min_ = 0.0, lat_min_ = 0.0, dlon_ = 0.0, dlat_ = 0.0;
    int nlon_ = 0, nlat_ = 0;
    std::vector<std::string> field_names_;
    /// values_[f][j·nlon + i]: field f at node (i, j), j counted from the south.
    std::vector<std::vector<double>> values_;
};

} // namespace rencheng::hazard
