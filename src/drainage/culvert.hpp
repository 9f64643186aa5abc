// Culvert inlet control: the FHWA HDS-5 inlet-control equations (Hydraulic Design of Highway
// Culverts, 3rd ed., FHWA-HIF-12-026, 2012, Appendix A, eqs. A.1–A.3 with the constants of
// Table A.1), applied the way SWMM 5.2 applies them to a conduit with a culvert code (Reference
// Manual Vol. II, culverts): during the dynamic-wave link update a conduit that is not full
// carries at most the flow its inlet passes at the upstream head. SI throughout.
#pragma once

#include <optional>

#include "drainage/xsection.hpp"

namespace rencheng::drainage {

/// One row of HDS-5 Table A.1.
struct CulvertCoefficients {
    int form = 1;  ///< unsubmerged equation form, 1 or 2
    double k = 0;  ///< unsubmerged K
    double m = 0;  ///< unsubmerged M
    double c = 0;  ///< submerged c
    double y = 0;  ///< submerged Y
    double ks = 0; ///< slope correction Ks (−0.5; +0.7 for mitered inlets)
};

/// The Table A.1 row of SWMM's culvert code (1..57, in the table's order). Empty when the code
/// has no row typed here (see docs/drainage.md for the codes covered).
std::optional<CulvertCoefficients> culvert_coefficients(int code);

/// Which equation gave the inlet flow.
enum class CulvertRegime { kUnsubmerged, kTransition, kSubmerged };

struct CulvertFlow {
    double flow_m3s = 0; ///< per barrel
    double dqdh = 0;     ///< d(flow)/d(headwater), m²/s
    CulvertRegime regime = CulvertRegime::kUnsubmerged;
};

/// The inlet-controlled flow of one barrel of section `xs` and barrel slope `slope` under
/// headwater depth `headwater_m` above its upstream invert:
///   unsubmerged form 1: HW/D = Hc/D + K·(Ku·Q/(A·D^0.5))^M + Ks·S, Hc = yc + (A/T)c/2 at the
///                       critical depth yc of Q;
///   unsubmerged form 2: HW/D = K·(Ku·Q/(A·D^0.5))^M;
///   submerged:          HW/D = c·(Ku·Q/(A·D^0.5))² + Y + Ks·S;
/// with D the full depth, A the full area and Ku = 1/√0.3048 (the equations are fitted in
/// feet). Unsubmerged up to HW = 0.95·D, submerged from the head at which Ku·Q/(A·D^0.5) = 4,
/// linear in between (SWMM's transition).
CulvertFlow culvert_inlet_flow(const CulvertCoefficients& k, const CrossSection& xs, double slope,
                               double headwater_m);

} // namespace rencheng::drainage
