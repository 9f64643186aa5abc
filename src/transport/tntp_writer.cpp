// TNTP writers: `_net` and `_trips` files that the readers of tntp.cpp read back exactly.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/atomic_file.hpp"
#include "transport/tntp.hpp"

namespace rencheng::transport {

namespace {

/// Shortest text that reads back to the same double.
std::string exact(double v) {
    char buf[40];
    for (int precision = 15; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    return buf;
}

} // namespace

std::string format_tntp_net(const AssignmentNetwork& net) {
    std::string out;
    out += "<NUMBER OF ZONES> " + std::to_string(net.zone_count) + "\n";
    out += "<NUMBER OF NODES> " + std::to_string(net.node_count) + "\n";
    out += "<FIRST THRU NODE> " + std::to_string(net.first_thru_node) + "\n";
    out += "<NUMBER OF LINKS> " + std::to_string(net.link_count()) + "\n";
    out += "<END OF METADATA>\n\n";
    out += "~\tinit_node\tterm_node\tcapacity\tlength\tfree_flow_time\tb\tpower\tspeed\ttoll\t"
           "link_type\t;\n";
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const auto k = static_cast<std::size_t>(a);
        out += "\t" + std::to_string(net.init[k] + 1) + "\t" + std::to_string(net.term[k] + 1) +
               "\t" + exact(net.capacity[k]) + "\t" + exact(net.length[k]) + "\t" +
               exact(net.free_flow_time[k]) + "\t" + exact(net.b[k]) + "\t" + exact(net.power[k]) +
               "\t" + exact(net.speed[k]) + "\t" + exact(net.toll[k]) + "\t" +
               std::to_string(net.link_type[k]) + "\t;\n";
    }
    return out;
}

std::string format_tntp_trips(const TripTable& trips) {
    std::string out;
    out += "<NUMBER OF ZONES> " + std::to_string(trips.zone_count) + "\n";
    out += "<TOTAL OD FLOW> " + exact(trips.total()) + "\n";
    out += "<END OF METADATA>\n\n";
    for (std::int32_t o = 0; o < trips.zone_count; ++o) {
        const auto b = static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o)]);
        const auto e =
            static_cast<std::size_t>(trips.origin_begin[static_cast<std::size_t>(o) + 1]);
        if (b == e)
            continue;
        out += "Origin " + std::to_string(o + 1) + "\n";
        for (std::size_t k = b; k < e; ++k) {
            out += "    " + std::to_string(trips.destination[k] + 1) + " : " +
                   exact(trips.demand[k]) + ";";
            if ((k - b) % 5 == 4 || k + 1 == e)
                out += "\n";
        }
        out += "\n";
    }
    return out;
}

void write_tntp_net(const std::filesystem::path& path, const AssignmentNetwork& net) {
    write_file_atomic(path, format_tntp_net(net));
}

void write_tntp_trips(const std::filesystem::path& path, const TripTable& trips) {
    write_file_atomic(path, format_tntp_trips(trips));
}

} // namespace rencheng::transport
