// Culvert inlet control (FHWA HDS-5 Appendix A): each equation form against a hand computation in
// HDS-5's own feet and cfs, the transition between them, and Example6 (a culvert under a road
// with overtopping) against EPA SWMM 5.2.4.
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "drainage/culvert.hpp"
#include "drainage/routing.hpp"
#include "drainage/simulation.hpp"
#include "drainage/swmm_inp.hpp"
#include "support/read_gz.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::drainage;

namespace {

constexpr double kFt = 0.3048;
constexpr double kCfs = kFt * kFt * kFt;
constexpr double kPi = 3.14159265358979323846;

} // namespace

TEST(CulvertCoefficients, TableA1Rows) {
    const auto c4 = culvert_coefficients(4); // circular CMP, headwall
    ASSERT_TRUE(c4.has_value());
    EXPECT_EQ(c4->form, 1);
    EXPECT_DOUBLE_EQ(c4->k, 0.0078);
    EXPECT_DOUBLE_EQ(c4->m, 2.0);
    EXPECT_DOUBLE_EQ(c4->c, 0.0379);
    EXPECT_DOUBLE_EQ(c4->y, 0.69);
    EXPECT_DOUBLE_EQ(c4->ks, -0.5);
    EXPECT_DOUBLE_EQ(culvert_coefficients(5)->ks, 0.7); // mitered to slope
    EXPECT_EQ(culvert_coefficients(14)->form, 2);
    EXPECT_FALSE(culvert_coefficients(0).has_value());
    EXPECT_FALSE(culvert_coefficients(24).has_value()); // not typed here: refused by simulate
}

// Form 2, box culvert 2 m wide, 1 m high, 90° headwall with 3/4" chamfers (code 14), headwater
// 0.8 m: HW/D = K·(Q/(A·D^0.5))^M in feet and cfs.
TEST(CulvertInlet, Form2UnsubmergedInFeet) {
    const auto k = *culvert_coefficients(14);
    const auto xs = CrossSection::rect_closed(1.0, 2.0);
    const auto r = culvert_inlet_flow(k, xs, 0.01, 0.8);
    EXPECT_EQ(r.regime, CulvertRegime::kUnsubmerged);
    const double d_ft = 1.0 / kFt, a_ft2 = 2.0 / (kFt * kFt), hw_ft = 0.8 / kFt;
    const double q_cfs = a_ft2 * std::sqrt(d_ft) * std::pow(hw_ft / d_ft / 0.515, 1.0 / 0.667);
    EXPECT_NEAR(r.flow_m3s, q_cfs * kCfs, 1e-9 * q_cfs * kCfs);
    EXPECT_NEAR(r.dqdh, r.flow_m3s / 0.8 / 0.667, 1e-12);
}

// Submerged, 3-ft circular CMP with headwall (code 4) at HW = 2·D on a 1 % slope:
// HW/D = c·(Q/(A·D^0.5))² + Y − 0.5·S.
TEST(CulvertInlet, SubmergedInFeet) {
    const auto k = *culvert_coefficients(4);
    const double d = 3 * kFt;
    const auto xs = CrossSection::circular(d);
    const auto r = culvert_inlet_flow(k, xs, 0.01, 2 * d);
    EXPECT_EQ(r.regime, CulvertRegime::kSubmerged);
    const double a_ft2 = kPi * 9.0 / 4.0;
    const double q_cfs = a_ft2 * std::sqrt(3.0) * std::sqrt((2.0 - 0.69 + 0.5 * 0.01) / 0.0379);
    EXPECT_NEAR(r.flow_m3s, q_cfs * kCfs, 1e-3 * q_cfs * kCfs); // SWMM's tabulated circle area
}

// Form 1, the same culvert at HW = 0.6·D: the flow returned satisfies
// HW/D = Hc/D + K·(Q/(A·D^0.5))^M − 0.5·S with Hc = yc + (A/T)/2 at the critical depth of Q.
TEST(CulvertInlet, Form1SatisfiesItsEquation) {
    const auto k = *culvert_coefficients(4);
    const double d = 3 * kFt, s = 0.005;
    const auto xs = CrossSection::circular(d);
    const double hw = 0.6 * d;
    const auto r = culvert_inlet_flow(k, xs, s, hw);
    EXPECT_EQ(r.regime, CulvertRegime::kUnsubmerged);
    ASSERT_GT(r.flow_m3s, 0);
    const double yc = xs.critical_depth_m(r.flow_m3s, swmm_si::kGravity);
    const double hc = yc + xs.area_m2(yc) / xs.top_width_m(yc) / 2;
    const double x = r.flow_m3s / kCfs / (xs.a_full_m2() / (kFt * kFt) * std::sqrt(d / kFt));
    EXPECT_NEAR(hw / d, hc / d + 0.0078 * x * x - 0.5 * s, 2e-3);
}

// The transition joins the unsubmerged and submerged curves continuously and flow rises with
// the headwater throughout.
TEST(CulvertInlet, TransitionIsContinuousAndMonotonic) {
    for (int code : {1, 4, 5, 9, 14, 23}) {
        const auto k = *culvert_coefficients(code);
        const double d = 1.2;
        const auto xs = code >= 9 ? CrossSection::rect_closed(d, 1.5) : CrossSection::circular(d);
        const double s = 0.01;
        const double y1 = 0.95 * d, y2 = d * (16 * k.c + k.y + k.ks * s);
        const double eps = 1e-7;
        EXPECT_NEAR(culvert_inlet_flow(k, xs, s, y1 - eps).flow_m3s,
                    culvert_inlet_flow(k, xs, s, y1 + eps).flow_m3s, 1e-4)
            << "code " << code;
        EXPECT_NEAR(culvert_inlet_flow(k, xs, s, y2 - eps).flow_m3s,
                    culvert_inlet_flow(k, xs, s, y2 + eps).flow_m3s, 1e-4)
            << "code " << code;
        double last = 0;
        for (double hw = 0.05 * d; hw < 3 * d; hw += 0.05 * d) {
            const double q = culvert_inlet_flow(k, xs, s, hw).flow_m3s;
            EXPECT_GT(q, last) << "code " << code << " at HW = " << hw;
            last = q;
        }
    }
}

using rencheng::test::read_gz;

// Example6: a twin-barrel 3-ft CMP culvert (code 4) under a road that overtops, fed from a
// storage pond. The pond's peak depth and the culvert's and road's peak flows against SWMM.
TEST(CulvertValidation, Example6MatchesSwmm) {
    const fs::path dir =
        fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "drainage" / "example6";
    Diagnostics d;
    const Network net = read_swmm_inp(dir / "Example6.inp", d);
    ASSERT_FALSE(d.has_errors()) << d.format();
    SimulationOptions so;
    so.base_dir = dir;
    const auto res = simulate(net, so);
    std::istringstream in(read_gz(dir / "Example6.summary.csv.gz"));
    std::string line;
    std::getline(in, line);
    std::map<std::string, double> ref;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        std::string tok;
        while (std::getline(ls, tok, ','))
            f.push_back(tok);
        if (f.size() == 4)
            ref[f[1] + " " + f[2]] = std::stod(f[3]);
    }
    ASSERT_FALSE(ref.empty());
    const auto n = [&](const char* id) { return net.find_node(id).idx(); };
    const auto l = [&](const char* id) { return net.find_link(id).idx(); };
    const auto& s = res.summary;
    std::printf("[ info ] Example6: pond depth %.4f m (SWMM %.4f), culvert %.4f m3/s (SWMM %.4f), "
                "road %.4f m3/s (SWMM %.4f)\n",
                s.max_depth_m[n("Inlet")], ref["Inlet max_depth_m"], s.max_flow_m3s[l("Culvert")],
                ref["Culvert max_flow_m3s"], s.max_flow_m3s[l("Roadway")],
                ref["Roadway max_flow_m3s"]);
    EXPECT_NEAR(s.max_depth_m[n("Inlet")], ref["Inlet max_depth_m"],
                std::max(0.02 * ref["Inlet max_depth_m"], 0.01));
    EXPECT_NEAR(s.max_flow_m3s[l("Culvert")], ref["Culvert max_flow_m3s"],
                0.02 * ref["Culvert max_flow_m3s"]);
    EXPECT_NEAR(s.max_flow_m3s[l("Roadway")], ref["Roadway max_flow_m3s"],
                std::max(0.02 * ref["Roadway max_flow_m3s"], 0.001));
}
