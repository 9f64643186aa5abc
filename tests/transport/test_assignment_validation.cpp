// Validation of UE assignment against best-known solutions: tests/validation/transport/ cases
// and, when the shared data folder is present, Anaheim and Chicago-Sketch (slow tier).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "transport/assignment.hpp"

namespace rencheng::transport {
namespace {

namespace fs = std::filesystem;

/// Acceptance tolerances (docs/transport.md).
constexpr double kGap = 1e-10;
constexpr double kTsttRel = 1e-5;
constexpr double kFlowRel = 1e-3; ///< on links with more than kFlowFloor veh/h
constexpr double kFlowFloor = 1.0;

struct Reference {
    std::map<std::string, double> flow; ///< by "<init>-<term>"
    std::map<std::string, double> cost;
    double tstt = 0.0;
};

/// Reads a long CSV (time_s,type,id,quantity,value) without quoting, as these files are.
void read_long_csv(const fs::path& path, Reference& ref) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line;
    std::getline(in, line);
    ASSERT_EQ(line, "time_s,type,id,quantity,value");
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string s; std::getline(ss, s, ',');)
            f.push_back(s);
        ASSERT_EQ(f.size(), 5u) << line;
        if (f[3] == "flow_vehh")
            ref.flow[f[2]] = std::stod(f[4]);
        else if (f[3] == "time_min")
            ref.cost[f[2]] = std::stod(f[4]);
    }
}

/// The `tstt` row of a summary CSV (type,id,quantity,value).
double read_summary_tstt(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        const auto k = line.find(",tstt,");
        if (k != std::string::npos)
            return std::stod(line.substr(k + 6));
    }
    ADD_FAILURE() << "no tstt in " << path;
    return 0.0;
}

/// The shared data folder's transport part, or empty when absent.
fs::path shared_transport() {
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA")) {
        const fs::path p = fs::path(env) / "transport";
        if (fs::exists(p))
            return p;
    }
    const fs::path p = fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "transport";
    return fs::exists(p) ? p : fs::path();
}

bool slow_tier() {
    const char* env = std::getenv("RENCHENG_SLOW_TESTS");
    return env != nullptr && std::string(env) == "1";
}

struct Outcome {
    double gap = 0, tstt_rel = 0, max_flow_rel = 0, seconds = 0;
    int iterations = 0;
};

Outcome check_case(const fs::path& net_path, const fs::path& trips_path, const Reference& ref,
                   const AssignmentOptions& opt) {
    Diagnostics diags;
    const auto net = read_tntp_net(net_path, diags);
    const auto trips = read_tntp_trips(trips_path, diags);
    EXPECT_FALSE(diags.has_errors()) << diags.format();
    const auto r = assign_traffic(net, trips, opt);
    Outcome o;
    o.gap = r.relative_gap;
    o.iterations = r.iterations;
    o.seconds = r.seconds;
    o.tstt_rel = std::abs(r.tstt - ref.tstt) / ref.tstt;
    EXPECT_TRUE(r.converged);
    EXPECT_LE(r.relative_gap, kGap);
    EXPECT_LE(o.tstt_rel, kTsttRel) << r.tstt << " vs " << ref.tstt;
    EXPECT_EQ(ref.flow.size(), static_cast<std::size_t>(net.link_count()));
    for (std::int32_t a = 0; a < net.link_count(); ++a) {
        const std::string id = net.link_label(a);
        const auto it = ref.flow.find(id);
        if (it == ref.flow.end()) {
            ADD_FAILURE() << "link " << id << " has no reference";
            continue;
        }
        const double got = r.flow[static_cast<std::size_t>(a)];
        if (it->second > kFlowFloor) {
            const double rel = std::abs(got - it->second) / it->second;
            o.max_flow_rel = std::max(o.max_flow_rel, rel);
            EXPECT_LE(rel, kFlowRel) << "link " << id << ": " << got << " vs " << it->second;
        } else {
            EXPECT_NEAR(got, it->second, kFlowFloor) << "link " << id;
        }
    }
    // Every OD demand assigned; flow conserved at every node to 1e-9 of the demand.
    EXPECT_DOUBLE_EQ(r.unreachable_demand, 0.0);
    std::vector<double> balance(static_cast<std::size_t>(net.node_count), 0.0);
    for (std::size_t a = 0; a < r.flow.size(); ++a) {
        balance[static_cast<std::size_t>(net.term[a])] += r.flow[a];
        balance[static_cast<std::size_t>(net.init[a])] -= r.flow[a];
    }
    for (std::size_t o2 = 0; o2 < static_cast<std::size_t>(trips.zone_count); ++o2)
        for (auto k = static_cast<std::size_t>(trips.origin_begin[o2]);
             k < static_cast<std::size_t>(trips.origin_begin[o2 + 1]); ++k) {
            balance[o2] += trips.demand[k];
            balance[static_cast<std::size_t>(trips.destination[k])] -= trips.demand[k];
        }
    for (std::size_t n = 0; n < balance.size(); ++n)
        EXPECT_LE(std::abs(balance[n]), 1e-9 * trips.total()) << "node " << n + 1;
    return o;
}

void report(const std::string& name, const Outcome& o) {
    std::printf("[ %s ] gap %.3e, TSTT rel. error %.3e, max link-flow rel. error %.3e, "
                "%d iterations, %.2f s\n",
                name.c_str(), o.gap, o.tstt_rel, o.max_flow_rel, o.iterations, o.seconds);
}

/// Every folder under tests/validation/transport/ with <prefix>_net.tntp and <prefix>.csv.
TEST(AssignmentValidation, RepositoryCases) {
    const fs::path root = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "transport";
    int cases = 0;
    for (const auto& dir : fs::directory_iterator(root)) {
        if (!dir.is_directory())
            continue;
        for (const auto& f : fs::directory_iterator(dir.path())) {
            const std::string name = f.path().filename().string();
            const auto pos = name.rfind("_net.tntp");
            if (pos == std::string::npos || pos + 9 != name.size())
                continue;
            const std::string prefix = name.substr(0, pos);
            SCOPED_TRACE(prefix);
            Reference ref;
            read_long_csv(dir.path() / (prefix + ".csv"), ref);
            ref.tstt = read_summary_tstt(dir.path() / (prefix + ".summary.csv"));
            AssignmentOptions opt;
            opt.target_gap = kGap;
            report(prefix, check_case(f.path(), dir.path() / (prefix + "_trips.tntp"), ref, opt));
            ++cases;
        }
    }
    EXPECT_GE(cases, 2);
}

/// A network of the shared TransportationNetworks folder. Its reference CSV is the flow file
/// converted line by line (REFERENCE.md §5), so the flow file is read directly (it needs no
/// gzip); the best-known TSTT comes from the reference summary.
void shared_case(const std::string& folder, const std::string& prefix, double toll_factor,
                 double distance_factor) {
    const fs::path root = shared_transport();
    if (root.empty())
        GTEST_SKIP() << "shared data folder not present";
    const fs::path dir = root / "TransportationNetworks" / folder;
    Diagnostics diags;
    const auto flows = read_tntp_flow(dir / (prefix + "_flow.tntp"), diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    Reference ref;
    for (std::size_t k = 0; k < flows.from.size(); ++k) {
        const std::string id = std::to_string(flows.from[k]) + "-" + std::to_string(flows.to[k]);
        ref.flow[id] = flows.volume[k];
        ref.cost[id] = flows.cost[k];
    }
    ref.tstt = read_summary_tstt(root / "reference" / "TransportationNetworks" / folder /
                                 (prefix + ".summary.csv"));
    AssignmentOptions opt;
    opt.target_gap = kGap;
    opt.toll_factor = toll_factor;
    opt.distance_factor = distance_factor;
    report(prefix,
           check_case(dir / (prefix + "_net.tntp"), dir / (prefix + "_trips.tntp"), ref, opt));
}

TEST(AssignmentValidation, Anaheim) {
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
    if (!slow_tier())
        GTEST_SKIP() << "slow in unoptimised builds; set RENCHENG_SLOW_TESTS=1";
#endif
    shared_case("Anaheim", "Anaheim", 0.0, 0.0);
}

TEST(AssignmentValidation, SlowChicagoSketch) {
    if (!slow_tier())
        GTEST_SKIP() << "slow tier: set RENCHENG_SLOW_TESTS=1";
    // Generalized cost of the best-known flows: 0.02 min/cent toll, 0.04 min/mile distance.
    shared_case("Chicago-Sketch", "ChicagoSketch", 0.02, 0.04);
}

} // namespace
} // namespace rencheng::transport
