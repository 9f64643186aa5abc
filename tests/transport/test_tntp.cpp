// Tests of the TNTP readers: metadata, links, trips, flow and node files, and their diagnostics.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "transport/tntp.hpp"

namespace rencheng::transport {
namespace {

const char* const kNet = R"(<NUMBER OF ZONES> 2
<NUMBER OF NODES> 4
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 5
<ORIGINAL HEADER>~ Init node Term node Capacity ;
<END OF METADATA>


~	init_node	term_node	capacity	length	free_flow_time	b	power	speed	toll	link_type	;
	1	3	100	1.5	2	0.15	4	0	0	1	;
	3	4	200	2	3	0.15	4	0	5	2	;
	4	2	100	1	1	0.15	4	0	0	1;
	3	2	50	4	6	1	1
	1	2	10	9	20	0	4	60	0	3	;   ~ a comment after the link
)";

TEST(TntpNet, ReadsMetadataAndLinks) {
    Diagnostics diags;
    const auto net = parse_tntp_net(kNet, "t_net.tntp", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(net.node_count, 4);
    EXPECT_EQ(net.zone_count, 2);
    EXPECT_EQ(net.first_thru_node, 3);
    ASSERT_EQ(net.link_count(), 5);
    EXPECT_EQ(net.init[1], 2);
    EXPECT_EQ(net.term[1], 3);
    EXPECT_DOUBLE_EQ(net.capacity[1], 200.0);
    EXPECT_DOUBLE_EQ(net.length[1], 2.0);
    EXPECT_DOUBLE_EQ(net.free_flow_time[1], 3.0);
    EXPECT_DOUBLE_EQ(net.toll[1], 5.0);
    EXPECT_EQ(net.link_type[1], 2);
    EXPECT_EQ(net.source_line[0], 10);
    // A line without speed, toll and type takes the defaults.
    EXPECT_DOUBLE_EQ(net.power[3], 1.0);
    EXPECT_DOUBLE_EQ(net.toll[3], 0.0);
    EXPECT_EQ(net.link_type[3], 1);
    EXPECT_DOUBLE_EQ(net.speed[4], 60.0);
    EXPECT_EQ(net.link_label(2), "4-2");
    EXPECT_EQ(net.find_link(3, 4), 1);
    EXPECT_EQ(net.find_link(4, 3), -1);
    EXPECT_EQ(net.out.arc_count(), 5);
    EXPECT_EQ(net.in.degree(1), 3); // node 2 has links from 4, 3 and 1
    // Zones 1 and 2 are below the first through node: paths may not pass through them.
    EXPECT_FALSE(net.passable(0));
    EXPECT_FALSE(net.passable(1));
    EXPECT_TRUE(net.passable(2));
}

TEST(TntpNet, ReportsEveryBadFieldWithLineAndName) {
    const std::string text = "<NUMBER OF ZONES> 1\n<NUMBER OF NODES> 3\n<END OF METADATA>\n"
                             "1 2 100 1 x 0.15 4 0 0 1 ;\n"  // line 4: bad free_flow_time
                             "1 9 100 1 1 0.15 4 0 0 1 ;\n"  // line 5: unknown node
                             "2 3 0 1 1 0.15 4 0 0 1 ;\n"    // line 6: zero capacity
                             "2 3 100 1 1 -1 4 0 0 1 ;\n"    // line 7: negative b
                             "2 3 100 1 ;\n"                 // line 8: too few fields
                             "3 3 100 1 1 0.15 4 0 0 1 ;\n"; // line 9: self loop
    Diagnostics diags;
    const auto net = parse_tntp_net(text, "bad_net.tntp", diags);
    ASSERT_EQ(diags.error_count(), 6u) << diags.format();
    const auto& it = diags.items();
    EXPECT_EQ(it[0].line, 4);
    EXPECT_EQ(it[0].code, ErrorCode::kNumberSyntax);
    EXPECT_NE(it[0].message.find("free_flow_time"), std::string::npos);
    EXPECT_EQ(it[0].element_id, "1-2");
    EXPECT_EQ(it[0].file, "bad_net.tntp");
    EXPECT_EQ(it[0].column, 11);
    EXPECT_EQ(it[1].line, 5);
    EXPECT_NE(it[1].message.find("term_node"), std::string::npos);
    EXPECT_EQ(it[2].line, 6);
    EXPECT_NE(it[2].message.find("capacity"), std::string::npos);
    EXPECT_EQ(it[3].line, 7);
    EXPECT_NE(it[3].message.find("'b'"), std::string::npos);
    EXPECT_EQ(it[4].line, 8);
    EXPECT_EQ(it[5].line, 9);
    EXPECT_EQ(net.link_count(), 0);
    EXPECT_NE(format_diagnostic(it[0]).find("bad_net.tntp:4:11"), std::string::npos);
}

TEST(TntpNet, MissingMetadata) {
    Diagnostics diags;
    (void)parse_tntp_net("<NUMBER OF NODES> 2\n1 2 1 1 1 0 4 ;\n", "m.tntp", diags);
    EXPECT_TRUE(diags.has_errors());
    bool zones = false, end = false;
    for (const auto& d : diags.items()) {
        zones |= d.message.find("NUMBER OF ZONES") != std::string::npos;
        end |= d.message.find("END OF METADATA") != std::string::npos;
    }
    EXPECT_TRUE(zones);
    EXPECT_TRUE(end);
}

TEST(TntpNet, LinkCountMismatchIsAWarning) {
    Diagnostics diags;
    const auto net = parse_tntp_net(
        "<NUMBER OF ZONES> 1\n<NUMBER OF LINKS> 3\n<END OF METADATA>\n1 2 1 1 1 0 4 ;\n", "w.tntp",
        diags);
    EXPECT_FALSE(diags.has_errors());
    EXPECT_EQ(diags.warning_count(), 1u);
    EXPECT_EQ(net.node_count, 2); // no <NUMBER OF NODES>: the largest node number
}

TEST(TntpNet, MissingFileIsReported) {
    Diagnostics diags;
    const auto net = read_tntp_net("/nonexistent/x_net.tntp", diags);
    EXPECT_TRUE(diags.has_errors());
    EXPECT_EQ(diags.items().front().code, ErrorCode::kFileNotFound);
    EXPECT_EQ(net.link_count(), 0);
}

const char* const kTrips = R"(<NUMBER OF ZONES> 3
<TOTAL OD FLOW> 61.5
<END OF METADATA>

~ a comment
Origin 	1
    1 :      5.0;     2 :    10.0;     3 :    20.5;
Origin 2
    1 :      1.0;   3 : 0;
Origin 3
    1:25;
)";

TEST(TntpTrips, ReadsOriginBlocks) {
    Diagnostics diags;
    const auto t = parse_tntp_trips(kTrips, "t_trips.tntp", diags);
    // The declared total counts the intrazonal 5.0 that the table leaves out: a warning.
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(diags.warning_count(), 1u);
    ASSERT_EQ(t.zone_count, 3);
    ASSERT_EQ(t.origin_begin.size(), 4u);
    EXPECT_EQ(t.origin_begin[1] - t.origin_begin[0], 2); // 1->2, 1->3
    EXPECT_EQ(t.origin_begin[2] - t.origin_begin[1], 1); // 2->1 (2->3 is zero)
    EXPECT_EQ(t.origin_begin[3] - t.origin_begin[2], 1); // 3->1
    EXPECT_EQ(t.destination[0], 1);
    EXPECT_DOUBLE_EQ(t.demand[1], 20.5);
    EXPECT_DOUBLE_EQ(t.demand[3], 25.0);
    EXPECT_DOUBLE_EQ(t.total(), 56.5);
    EXPECT_DOUBLE_EQ(t.declared_total, 61.5);
}

TEST(TntpTrips, ReportsBadEntries) {
    const std::string text = "<NUMBER OF ZONES> 2\n<END OF METADATA>\n"
                             "   2 : 3;\n"           // line 3: before any origin
                             "Origin 1\n"            // line 4
                             "  2 : -1; 5 : 1;\n"    // line 5: negative demand, unknown zone
                             "  2 ; 1 : abc;\n"      // line 6: no colon, bad number
                             "Origin 7\n"            // line 7: unknown origin
                             "  1 : 1;\n"            // line 8: skipped (bad origin)
                             "Origin 2\n  1 : 4;\n"; // fine
    Diagnostics diags;
    const auto t = parse_tntp_trips(text, "bad_trips.tntp", diags);
    ASSERT_EQ(diags.error_count(), 6u) << diags.format();
    const auto& it = diags.items();
    EXPECT_EQ(it[0].line, 3);
    EXPECT_EQ(it[1].line, 5);
    EXPECT_NE(it[1].message.find("demand"), std::string::npos);
    EXPECT_EQ(it[1].element_id, "1-2");
    EXPECT_EQ(it[2].line, 5);
    EXPECT_NE(it[2].message.find("destination"), std::string::npos);
    EXPECT_EQ(it[3].line, 6);
    EXPECT_EQ(it[4].line, 6);
    EXPECT_EQ(it[5].line, 7);
    EXPECT_NE(it[5].message.find("origin"), std::string::npos);
    EXPECT_DOUBLE_EQ(t.total(), 4.0);
}

TEST(TntpTrips, RepeatedPairsAreSummedWithAWarning) {
    Diagnostics diags;
    const auto t = parse_tntp_trips(
        "<NUMBER OF ZONES> 2\n<END OF METADATA>\nOrigin 1\n2 : 3;\nOrigin 1\n2 : 4;\n", "r.tntp",
        diags);
    EXPECT_FALSE(diags.has_errors());
    EXPECT_EQ(diags.warning_count(), 1u);
    ASSERT_EQ(t.demand.size(), 1u);
    EXPECT_DOUBLE_EQ(t.demand[0], 7.0);
}

TEST(TntpFlow, ReadsVolumesAndCosts) {
    Diagnostics diags;
    const auto f = parse_tntp_flow(
        "From \tTo \tVolume \tCost \n1 \t2 \t4494.6576464564205 \t6.0008162373543197 \n"
        "2 3 10 1.5 ;\n",
        "f.tntp", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_EQ(f.from.size(), 2u);
    EXPECT_EQ(f.from[0], 1);
    EXPECT_EQ(f.to[1], 3);
    EXPECT_DOUBLE_EQ(f.volume[0], 4494.6576464564205);
    EXPECT_DOUBLE_EQ(f.cost[1], 1.5);
    EXPECT_EQ(f.source_line[1], 3);

    Diagnostics bad;
    (void)parse_tntp_flow("1 2 x 3\n1 2 3\n", "g.tntp", bad);
    ASSERT_EQ(bad.error_count(), 2u);
    EXPECT_NE(bad.items()[0].message.find("volume"), std::string::npos);
    EXPECT_EQ(bad.items()[1].line, 2);
}

TEST(TntpNodes, ReadsCoordinates) {
    Diagnostics diags;
    const auto n =
        parse_tntp_nodes("Node\tX\tY\t;\n1\t-96.77\t43.61\t;\n2\t-96.71\t43.60\t;\n", "n", diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    ASSERT_EQ(n.node.size(), 2u);
    EXPECT_EQ(n.node[1], 2);
    EXPECT_DOUBLE_EQ(n.x[0], -96.77);
    EXPECT_DOUBLE_EQ(n.y[1], 43.60);
}

TEST(TntpTrips, FitsNetwork) {
    Diagnostics diags;
    const auto net = parse_tntp_net(kNet, "n", diags);
    const auto trips = parse_tntp_trips(kTrips, "t", diags);
    Diagnostics fit;
    EXPECT_FALSE(check_trips_fit(net, trips, "t", fit));
    EXPECT_TRUE(fit.has_errors());
}

TEST(TntpNet, GarbageNeverThrows) {
    const std::string inputs[] = {"",
                                  "<",
                                  "<END OF METADATA>",
                                  "<NUMBER OF ZONES> -3\n<END OF METADATA>\n1 2",
                                  "<NUMBER OF ZONES> 99999999999\n<END OF METADATA>\n",
                                  "~~~\n;;;\n\t\t\n",
                                  "<NUMBER OF ZONES> 1\n<END OF METADATA>\n1 2 1e400 1 1 0 4 ;"};
    for (const auto& s : inputs) {
        Diagnostics d1, d2, d3, d4;
        EXPECT_NO_THROW((void)parse_tntp_net(s, "g", d1));
        EXPECT_NO_THROW((void)parse_tntp_trips(s, "g", d2));
        EXPECT_NO_THROW((void)parse_tntp_flow(s, "g", d3));
        EXPECT_NO_THROW((void)parse_tntp_nodes(s, "g", d4));
    }
}

} // namespace
} // namespace rencheng::transport
