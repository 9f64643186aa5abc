// Tests of the MATPOWER case reader and writer.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "core/units.hpp"
#include "power/matpower.hpp"

namespace rencheng::power {
namespace {

constexpr const char* kSmall = R"(function mpc = small
%% a comment
mpc.version = '2';
mpc.baseMVA = 100;
%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1.02	0	345	1	1.1	0.9;
	2	1	90	30	1.5	-19	1	1	-2.5	345	1	1.1	0.9 % trailing comment
	5	2	 -10 ...  continued
	  5  0 0 2 1 0 345 1 1.1 0.9
];
mpc.gen = [
	1	72.3	27.03	300	-300	1.04	100	1	250	10;
	5	85	-10.95	Inf	-Inf	1.025	100	0	270	10;
];
mpc.branch = [
	1	2	0.01	0.0576	0.1	250	250	250	0.98	-3	1	-360	360;
	2	5	0.017	0.092	0.158	0	0	0	0	0	0	-360	360;
];
mpc.gencost = [
	2	1500	0	3	0.11	5	150;
	2	2000	0	3	0.085	1.2	600;
];
mpc.bus_name = {
	'North';
	'It''s';
	'South';
};
mpc.gentype = {
	'ST';
	'GT';
};
)";

Network parse_ok(const std::string& text) {
    Diagnostics d;
    Network net = parse_matpower(text, "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    return net;
}

TEST(MatpowerReader, ReadsAllFieldsInPerUnitAndRadians) {
    const Network net = parse_ok(kSmall);
    EXPECT_EQ(net.name, "small");
    EXPECT_EQ(net.base_mva, 100);
    ASSERT_EQ(net.buses.count(), 3);
    EXPECT_EQ(net.buses.number[2], 5);
    EXPECT_EQ(net.buses.type[0], BusType::kRef);
    EXPECT_EQ(net.buses.type[2], BusType::kPv);
    EXPECT_DOUBLE_EQ(net.buses.pd_pu[1], 0.9);
    EXPECT_DOUBLE_EQ(net.buses.pd_pu[2], -0.1); // sign glued to the number, after a continuation
    EXPECT_DOUBLE_EQ(net.buses.gs_pu[1], 0.015);
    EXPECT_DOUBLE_EQ(net.buses.bs_pu[1], -0.19);
    EXPECT_DOUBLE_EQ(net.buses.va_rad[1], -2.5 * units::kDegree);
    EXPECT_DOUBLE_EQ(net.buses.vm_pu[0], 1.02);
    ASSERT_EQ(net.gens.count(), 2);
    EXPECT_EQ(net.gens.bus[1].value(), 2);
    EXPECT_TRUE(std::isinf(net.gens.qmax_pu[1]) && net.gens.qmax_pu[1] > 0);
    EXPECT_TRUE(std::isinf(net.gens.qmin_pu[1]) && net.gens.qmin_pu[1] < 0);
    EXPECT_FALSE(net.gens.in_service(GenIndex{1}));
    ASSERT_EQ(net.branches.count(), 2);
    EXPECT_DOUBLE_EQ(net.branches.ratio(BranchIndex{0}), 0.98);
    EXPECT_DOUBLE_EQ(net.branches.ratio(BranchIndex{1}), 1.0);
    EXPECT_DOUBLE_EQ(net.branches.shift_rad[0], -3 * units::kDegree);
    EXPECT_FALSE(net.branches.in_service(BranchIndex{1}));
    EXPECT_EQ(net.gencost.rows(), 2);
    EXPECT_EQ(net.gencost.columns, 7);
    ASSERT_EQ(net.bus_names.size(), 3u);
    EXPECT_EQ(net.bus_names[1], "It's");
    ASSERT_EQ(net.other_fields.size(), 1u);
    EXPECT_EQ(net.other_fields[0].name, "gentype");
    EXPECT_EQ(net.find_bus(5).value(), 2);
    EXPECT_FALSE(net.find_bus(3).valid());
}

TEST(MatpowerReader, WriterRoundTrips) {
    const Network a = parse_ok(kSmall);
    const std::string text = format_matpower(a);
    const Network b = parse_ok(text);
    EXPECT_EQ(b.name, a.name);
    ASSERT_EQ(b.buses.count(), a.buses.count());
    for (std::size_t i = 0; i < a.buses.number.size(); ++i) {
        EXPECT_EQ(b.buses.number[i], a.buses.number[i]);
        EXPECT_EQ(b.buses.type[i], a.buses.type[i]);
        EXPECT_NEAR(b.buses.pd_pu[i], a.buses.pd_pu[i], 1e-15);
        EXPECT_NEAR(b.buses.va_rad[i], a.buses.va_rad[i], 1e-15);
        EXPECT_EQ(b.buses.vm_pu[i], a.buses.vm_pu[i]);
    }
    ASSERT_EQ(b.gens.count(), a.gens.count());
    EXPECT_EQ(b.gens.qmax_pu[1], a.gens.qmax_pu[1]);
    ASSERT_EQ(b.branches.count(), a.branches.count());
    EXPECT_EQ(b.branches.tap, a.branches.tap);
    EXPECT_EQ(b.branches.status, a.branches.status);
    EXPECT_EQ(b.gencost.values, a.gencost.values);
    EXPECT_EQ(b.bus_names, a.bus_names);
    ASSERT_EQ(b.other_fields.size(), 1u);
    EXPECT_EQ(b.other_fields[0].text, a.other_fields[0].text);
    // Clean numbers stay clean: 90 MW is written as 90, not 90.00000000000001.
    EXPECT_NE(text.find("\t90\t30\t"), std::string::npos) << text;
}

TEST(MatpowerReader, BundledCasesRoundTrip) {
    for (const char* name : {"case9", "case14", "case30", "case118", "case_ACTIVSg200"}) {
        const auto path = std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" /
                          "power" / name / (std::string(name) + ".m");
        Diagnostics d;
        const Network a = read_matpower(path, d);
        ASSERT_FALSE(d.has_errors()) << d.format();
        const Network b = parse_ok(format_matpower(a));
        EXPECT_EQ(b.buses.count(), a.buses.count()) << name;
        EXPECT_EQ(b.gens.count(), a.gens.count()) << name;
        EXPECT_EQ(b.branches.count(), a.branches.count()) << name;
        EXPECT_EQ(b.bus_extra.columns, a.bus_extra.columns) << name;
        EXPECT_EQ(b.gen_extra.values, a.gen_extra.values) << name;
        EXPECT_EQ(b.branch_extra.values, a.branch_extra.values) << name;
        EXPECT_EQ(b.bus_names, a.bus_names) << name;
        EXPECT_EQ(b.other_fields.size(), a.other_fields.size()) << name;
        for (std::size_t k = 0; k < a.branches.r_pu.size(); ++k)
            EXPECT_EQ(b.branches.x_pu[k], a.branches.x_pu[k]) << name;
    }
}

/// The diagnostics of `text`, formatted.
std::string errors_of(const std::string& text) {
    Diagnostics d;
    (void)parse_matpower(text, "bad.m", d);
    return d.format();
}

std::string with(const std::string& from, const std::string& to) {
    std::string s = kSmall;
    const auto p = s.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    s.replace(p, from.size(), to);
    return s;
}

TEST(MatpowerReader, BadValuesNameLineColumnAndMatpowerColumn) {
    // Bus type 7 in the second bus row (line 8, column 4).
    const std::string e = errors_of(with("2\t1\t90", "2\t7\t90"));
    EXPECT_NE(e.find("bad.m:8:4: error E304"), std::string::npos) << e;
    EXPECT_NE(e.find("BUS_TYPE"), std::string::npos) << e;
    EXPECT_NE(e.find("[2]"), std::string::npos) << e; // the bus number is the element
}

TEST(MatpowerReader, ReportsEveryProblem) {
    std::string s = with("1\t2\t0.01", "1\t9\t0.01"); // unknown bus
    s.replace(s.find("2\t1\t90"), 6, "1\t1\t90");     // duplicate bus 1
    s.replace(s.find("0.0576"), 6, "0.05x6");         // not a number
    const std::string e = errors_of(s);
    EXPECT_NE(e.find("E306"), std::string::npos) << e;
    EXPECT_NE(e.find("bus 9 is not in mpc.bus"), std::string::npos) << e;
    EXPECT_NE(e.find("E305"), std::string::npos) << e;
    EXPECT_NE(e.find("E204"), std::string::npos) << e;
}

TEST(MatpowerReader, StructuralProblems) {
    EXPECT_NE(errors_of(with("mpc.version = '2';", "mpc.version = '1';")).find("E312"),
              std::string::npos);
    EXPECT_NE(errors_of(with("mpc.baseMVA = 100;", "")).find("no 'mpc.baseMVA'"),
              std::string::npos);
    EXPECT_NE(errors_of(with("1	72.3	27.03", "1	72.3")).find("E310"), std::string::npos);
    EXPECT_NE(errors_of(with("mpc.baseMVA = 100;", "mpc.baseMVA = 100 * 2;")).find("E312"),
              std::string::npos);
    EXPECT_NE(errors_of(with("'North';", "'North;")).find("not closed"), std::string::npos);
    EXPECT_NE(errors_of(with("mpc.gencost = [", "mpc.gencost = [\n 2 0 0 3 1 2 3;")).find("rows"),
              std::string::npos);
    EXPECT_NE(errors_of(std::string(kSmall) + "mpc.baseMVA = 10;\n").find("E305"),
              std::string::npos);
    EXPECT_NE(errors_of("function [baseMVA, bus] = old\n").find("version 1"), std::string::npos);
    EXPECT_NE(errors_of("mpc.bus = [1 2 3").find("never closed"), std::string::npos);
}

TEST(MatpowerReader, BlockCommentsAndCommaSeparators) {
    const std::string s = with("mpc.gen = [", "%{\nmpc.nothing = [1 2\n%}\nmpc.gen = [");
    const Network net = parse_ok(s);
    EXPECT_TRUE(net.other_fields.size() == 1);
    const Network n2 = parse_ok(with("1\t3\t0\t0\t0\t0\t1\t1.02", "1,3,0,0,0,0,1,1.02"));
    EXPECT_EQ(n2.buses.count(), 3);
}

TEST(MatpowerReader, UnknownFieldsAreKeptOrDroppedWithAWarning) {
    Diagnostics d;
    const Network net = parse_matpower(std::string(kSmall) + "mpc.reserves.zones = [1 1 0];\n"
                                                             "mpc.areas = [1 2 3 +];\n"
                                                             "mpc.A = sparse(3, 3);\n",
                                       "t.m", d);
    EXPECT_FALSE(d.has_errors()) << d.format();
    EXPECT_EQ(d.warning_count(), 2u) << d.format();
    EXPECT_NE(d.format().find("t.m:34:20: warning W312: 'mpc.areas' is not kept"),
              std::string::npos)
        << d.format();
    ASSERT_EQ(net.other_fields.size(), 2u);
    EXPECT_EQ(net.other_fields[1].name, "reserves.zones");
    EXPECT_EQ(net.other_fields[1].text, "mpc.reserves.zones = [1 1 0];");
    // A statement on a field we model is an error.
    Diagnostics e;
    (void)parse_matpower(std::string(kSmall) + "mpc.bus(1, 3) = 5;\n", "t.m", e);
    EXPECT_TRUE(e.has_errors());
}

TEST(MatpowerReader, MissingFileThrows) {
    Diagnostics d;
    EXPECT_THROW((void)read_matpower("/nonexistent/x.m", d), Error);
}

} // namespace
} // namespace rencheng::power
