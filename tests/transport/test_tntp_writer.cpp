// Tests of the TNTP writers: what they write reads back to the same network and trip table.
#include <string>

#include <gtest/gtest.h>

#include "transport/tntp.hpp"

namespace rencheng::transport {
namespace {

const std::string kValidation = std::string(RENCHENG_SOURCE_DIR) + "/tests/validation/transport/";

TEST(TntpWriter, SiouxFallsRoundTripsExactly) {
    Diagnostics diags;
    const auto net = read_tntp_net(kValidation + "SiouxFalls/SiouxFalls_net.tntp", diags);
    const auto trips = read_tntp_trips(kValidation + "SiouxFalls/SiouxFalls_trips.tntp", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    const std::string net_text = format_tntp_net(net);
    const std::string trips_text = format_tntp_trips(trips);
    Diagnostics d2;
    const auto net2 = parse_tntp_net(net_text, "written_net.tntp", d2);
    const auto trips2 = parse_tntp_trips(trips_text, "written_trips.tntp", d2);
    ASSERT_TRUE(d2.empty()) << d2.format();
    EXPECT_EQ(net2.node_count, net.node_count);
    EXPECT_EQ(net2.zone_count, net.zone_count);
    EXPECT_EQ(net2.first_thru_node, net.first_thru_node);
    EXPECT_EQ(net2.init, net.init);
    EXPECT_EQ(net2.term, net.term);
    EXPECT_EQ(net2.capacity, net.capacity);
    EXPECT_EQ(net2.length, net.length);
    EXPECT_EQ(net2.free_flow_time, net.free_flow_time);
    EXPECT_EQ(net2.b, net.b);
    EXPECT_EQ(net2.power, net.power);
    EXPECT_EQ(net2.speed, net.speed);
    EXPECT_EQ(net2.toll, net.toll);
    EXPECT_EQ(net2.link_type, net.link_type);
    EXPECT_EQ(trips2.zone_count, trips.zone_count);
    EXPECT_EQ(trips2.origin_begin, trips.origin_begin);
    EXPECT_EQ(trips2.destination, trips.destination);
    EXPECT_EQ(trips2.demand, trips.demand);
    // Deterministic bytes.
    EXPECT_EQ(format_tntp_net(net2), net_text);
    EXPECT_EQ(format_tntp_trips(trips2), trips_text);
}

TEST(TntpWriter, CentroidsAndNonRoundNumbers) {
    AssignmentNetwork net;
    net.node_count = 5;
    net.zone_count = 3;
    net.first_thru_node = 4;
    net.add_link(0, 3, 1234.5678901234567, 0.1, 1.0 / 3.0, 0.15, 4.0, 2.5);
    net.add_link(3, 4, 1e-7, 12.0, 0.0, 0.0, 1.0);
    net.add_link(4, 2, 99.0, 3.0, 2.0, 0.15, 4.0);
    net.build_graph();
    const auto trips = TripTable::from_entries(3, {0, 0, 2}, {1, 2, 0}, {0.1, 1.0 / 7.0, 5.0});
    Diagnostics diags;
    const auto net2 = parse_tntp_net(format_tntp_net(net), "n.tntp", diags);
    const auto trips2 = parse_tntp_trips(format_tntp_trips(trips), "t.tntp", diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    EXPECT_EQ(net2.first_thru_node, 4);
    EXPECT_EQ(net2.capacity, net.capacity);
    EXPECT_EQ(net2.free_flow_time, net.free_flow_time);
    EXPECT_EQ(net2.toll, net.toll);
    EXPECT_EQ(trips2.demand, trips.demand);
    EXPECT_EQ(trips2.destination, trips.destination);
}

} // namespace
} // namespace rencheng::transport
