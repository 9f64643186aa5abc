// Surface runoff of one subcatchment: SWMM's non-linear reservoir on three sub-areas (impervious
// without depression storage, impervious with it, pervious), infiltration on the pervious part,
// evaporation of ponded water and routing of runoff between sub-areas (SWMM 5.2 Reference Manual
// Vol. I, ch. 3). SI throughout: m, m², s.
#pragma once

#include <array>
#include <limits>

#include "drainage/infiltration.hpp"

namespace rencheng::drainage {

struct SubcatchmentParams {
    double area_m2 = 0;
    double width_m = 0;              ///< characteristic width of overland flow
    double slope = 0;                ///< m/m
    double imperv_fraction = 0;      ///< 0..1
    double n_imperv = 0;             ///< Manning's n of the impervious part
    double n_perv = 0;               ///< Manning's n of the pervious part
    double dstore_imperv_m = 0;      ///< depression storage, impervious
    double dstore_perv_m = 0;        ///< depression storage, pervious
    double zero_dstore_fraction = 0; ///< share of the impervious area without depression storage
    SubareaRouting route_to = SubareaRouting::kOutlet;
    double routed_fraction = 1; ///< share of the routed sub-area's runoff sent internally
    Infiltration infiltration;
    bool has_infiltration = false; ///< false: the pervious area does not infiltrate
};

/// Water volumes of one runoff step, m³.
struct RunoffStepVolumes {
    double rain_m3 = 0;
    double evap_m3 = 0;
    double infil_m3 = 0;
    double runoff_m3 = 0; ///< what leaves the subcatchment
    double runon_m3 = 0;  ///< run-on received (from other subcatchments and outfalls)
    /// Runoff of the impervious and of the pervious sub-areas, including what they send to
    /// the other kind of surface (SWMM's Imperv and Perv Runoff of its subcatchment summary).
    double impervious_runoff_m3 = 0, pervious_runoff_m3 = 0;
};

/// Per sub-area parameters derived from SubcatchmentParams.
struct Subarea {
    double n = 0;        ///< Manning's n; 0 = excess runs off within the step
    double dstore_m = 0; ///< depression storage
    double area_fraction = 0;
    double alpha = 0;           ///< outflow q = alpha·(d − ds)^(5/3), m^(−2/3)/s
    double outlet_fraction = 1; ///< share of its runoff leaving the subcatchment
    // state
    double depth_m = 0;
    double inflow_ms = 0; ///< inflow rate this step (run-on, routed, then rain), m/s
    double runoff_ms = 0; ///< outflow rate at the end of the last step, per unit sub-area area
};

/// The state of one subcatchment's surface. Steps are independent of other subcatchments except
/// through run-on passed in.
class SubcatchmentRunoff {
public:
    SubcatchmentRunoff() = default;
    explicit SubcatchmentRunoff(const SubcatchmentParams& params);

    /// Advances one runoff step of `dt_s` seconds with rainfall `rain_ms` (m/s), potential
    /// evaporation `evap_ms` (m/s) and run-on `runon_m3s` from upstream subcatchments or outfalls
    /// (m³/s, spread over the whole area). Runoff sent between sub-areas is the previous step's,
    /// as in SWMM. Returns the step's volumes; `runoff_m3s()` is the outflow rate at its end.
    /// With a snow pack, `net_precip_ms` gives what reaches each sub-area (rain on bare ground,
    /// melt leaving the pack; drainage/snow.hpp) in place of `rain_ms`, which then is the
    /// precipitation counted in the balance (rain and snowfall).
    RunoffStepVolumes step(double dt_s, double rain_ms, double evap_ms, double runon_m3s,
                           const std::array<double, 3>* net_precip_ms = nullptr);

    /// Outflow (m³/s) leaving the subcatchment at the end of the last step.
    double runoff_m3s() const { return runoff_m3s_; }
    /// Water ponded on the surface, m³.
    double stored_m3() const;
    double area_m2() const { return area_m2_; }
    const std::array<Subarea, 3>& subareas() const { return sub_; }
    /// Restores the ponded depths of the three sub-areas (m) and the outflow (m³/s) a SWMM hot
    /// start file keeps; the flows between sub-areas start from none, as SWMM's do.
    void set_state(const std::array<double, 3>& depth_m, double runoff_m3s) {
        for (std::size_t i = 0; i < 3; ++i)
            sub_[i].depth_m = depth_m[i];
        runoff_m3s_ = runoff_m3s;
    }
    const InfiltrationState& infiltration() const { return infil_; }
    /// The infiltration state itself: LID units step it for the native soil below them when the
    /// subcatchment has no pervious area outside them (drainage/lid.hpp).
    InfiltrationState& infiltration_state() { return infil_; }
    /// Outflow of LID units returned onto the pervious sub-area (m³/s), added to its inflow at the
    /// next step as SWMM does (the flow of the LIDs' previous step).
    void set_pervious_return_m3s(double q) { pervious_return_m3s_ = q; }
    /// Caps the pervious area's infiltration over the next step at `depth_m` (the room left in
    /// the upper zone of an aquifer below, SWMM getSubareaRunoff); infinite when none.
    void set_max_infil_m(double depth_m) { max_infil_m_ = depth_m; }
    /// Monthly factors on the pervious sub-area for the next step ([ADJUSTMENTS] DSTORE and
    /// N-PERV patterns): depression storage times `dstore` (when >= 0), Manning's n times
    /// `n_perv` (no runoff when <= 0); 1 and 1 leave them as given.
    void set_pervious_factors(double dstore, double n_perv) {
        dstore_factor_ = dstore;
        nperv_factor_ = n_perv;
    }

private:
    double subarea_step(int i, double area_m2, double precip_ms, double evap_ms, double dt,
                        RunoffStepVolumes& v);

    double area_m2_ = 0;
    double imperv_fraction_ = 0;
    std::array<Subarea, 3> sub_{}; // 0: impervious w/o storage, 1: impervious, 2: pervious
    SubareaRouting route_to_ = SubareaRouting::kOutlet;
    InfiltrationState infil_;
    double runoff_m3s_ = 0;
    double pervious_return_m3s_ = 0;
    double max_infil_m_ = std::numeric_limits<double>::infinity();
    double dstore_factor_ = 1.0, nperv_factor_ = 1.0;
};

/// Manning's constant of SWMM's overland flow (subcatchments, LID surfaces and swales) in SI:
/// SWMM writes it with the US constant 1.49 (subcatch.c MCOEFF, lid.c) whatever the model's
/// units, which is 1.49·0.3048^(1/3) = 1.002747 in SI, 0.27 % above the exact conversion of
/// Manning's equation (1.4859); the same constant keeps the runoff SWMM's.
double swmm_overland_manning();

/// Overland outflow per unit area, m/s, of the non-linear reservoir:
/// k·(1/n)·(W/A)·√S·(d − ds)^(5/3) with k = swmm_overland_manning(). `area_m2` is the area the
/// width is spread over.
double overland_alpha(double width_m, double area_m2, double slope, double n);

} // namespace rencheng::drainage
