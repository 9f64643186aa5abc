// Reads every EPANET network of the shared reference data and of tests/validation/water: clean
// parses, rejections where EPANET rejects, element counts, and read → write → read identity.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/atomic_file.hpp"
#include "network_compare.hpp"
#include "water/epanet_inp.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::water;

namespace {

fs::path shared_data_dir() {
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA"))
        return fs::path(env) / "water";
    return fs::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "water";
}

std::vector<fs::path> inp_files(const fs::path& root) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return out;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
        if (!e.is_regular_file())
            continue;
        std::string ext = e.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
        if (ext == ".inp")
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string rel(const fs::path& p, const fs::path& root) {
    return fs::relative(p, root).generic_string();
}

// Inputs EPANET 2.2 itself rejects (../shared/data/REFERENCE.md §2.4): each must give an error.
const std::set<std::string> kRejectedByEpanet22 = {
    "emt/networks/asce-tf-wdst/Bellingham/BELL_CL1.INP", // [CONTROL] is not a section
    "emt/networks/asce-tf-wdst/exnet/exnet.inp",         // Start ClockTime 20 PM
    "emt/networks/exeter-benchmarks/Anytown Water Distribution Network/anytown-exeter.inp",
    "emt/networks/exeter-benchmarks/D-Town Water Distribution Network BWN-II/Original_BWNII/"
    "13_Morley.inp",                                           // [COORDS] is not a section
    "emt/networks/exeter-benchmarks/DesignResiliance/BLA.inp", // coordinates of unknown node
    "emt/networks/exeter-benchmarks/DesignResiliance/PES.inp", // coordinates of unknown node
    "emt/networks/exeter-benchmarks/EXNET/exnet-exeter.inp",   // Start ClockTime 20 PM
    "wntr/wntr/tests/networks_for_testing/cv_controls.inp",    // no junctions (error 223)
};

// Inputs EPANET 2.2 reads but 2.3.5 rejects, or where 2.2 crashed: no expectation beyond "no
// crash"; the outcome is printed.
const std::set<std::string> kEpanetDisagrees = {
    "emt/networks/asce-tf-wdst/Oberlin/OBCL-1.INP",
    "emt/networks/exeter-benchmarks/DesignResiliance/GOY.inp",
    "emt/networks/exeter-benchmarks/Expansion/Wolf-Cordera Ranch/bocika-output.inp",
    "emt/networks/exeter-benchmarks/Expansion/Wolf-Cordera Ranch/wolf-initial-fig.inp",
    "emt/networks/exeter-benchmarks/Expansion/Wolf-Cordera Ranch/wolf-modified-fig.inp",
    "emt/networks/exeter-benchmarks/Expansion/Wolf-Cordera Ranch/wolf-output-fig.inp",
    "emt/networks/exeter-benchmarks/D-Town Water Distribution Network BWN-II/Original_BWNII/"
    "4_Alvisi.inp",
    "epanet-nrtestsuite/public/exeter/goyang.inp",
    "epanet-nrtestsuite/public/exeter/wolf-cordera/bocika.inp",
    "epanet-nrtestsuite/public/exeter/wolf-cordera/wolf-initial.inp",
    "epanet-nrtestsuite/public/exeter/wolf-cordera/wolf-modified.inp",
    "epanet-nrtestsuite/public/exeter/wolf-cordera/wolf-output.inp",
};

/// "nodes/links" per input from the table of REFERENCE.md §2.2 (counts EPANET reported).
std::map<std::string, std::pair<int, int>> reference_counts(const fs::path& reference_md) {
    std::map<std::string, std::pair<int, int>> out;
    std::ifstream in(reference_md);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("| `", 0) != 0)
            continue;
        const auto a = line.find('`');
        const auto b = line.find('`', a + 1);
        if (b == std::string::npos)
            continue;
        const std::string path = line.substr(a + 1, b - a - 1);
        // Columns: | input | flow units | nodes/links | ...
        std::vector<std::string> cols;
        std::size_t pos = 0;
        while ((pos = line.find('|', pos)) != std::string::npos) {
            const auto next = line.find('|', pos + 1);
            if (next == std::string::npos)
                break;
            cols.push_back(line.substr(pos + 1, next - pos - 1));
            pos = next;
        }
        if (cols.size() < 3)
            continue;
        const auto slash = cols[2].find('/');
        if (slash == std::string::npos)
            continue;
        try {
            out[path] = {std::stoi(cols[2].substr(0, slash)), std::stoi(cols[2].substr(slash + 1))};
        } catch (...) {
        }
    }
    return out;
}

struct Outcome {
    int files = 0, clean = 0, rejected = 0, round_trips = 0;
};

Outcome check_folder(const fs::path& root, const fs::path& reference_md) {
    Outcome o;
    const auto counts = reference_counts(reference_md);
    int counted = 0;
    for (const auto& path : inp_files(root)) {
        const std::string name = rel(path, root);
        SCOPED_TRACE(name);
        ++o.files;
        Diagnostics diags;
        const Network net = read_inp(path, diags);
        const bool must_reject = kRejectedByEpanet22.count(name) > 0;
        const bool either = kEpanetDisagrees.count(name) > 0;
        if (must_reject) {
            EXPECT_TRUE(diags.has_errors()) << "EPANET 2.2 rejects this input";
        } else if (!either) {
            EXPECT_FALSE(diags.has_errors()) << diags.format().substr(0, 2000);
        } else {
            std::printf("[ info ] %s: %zu errors (EPANET 2.2 and 2.3.5 disagree on it)\n",
                        name.c_str(), diags.error_count());
        }
        if (diags.has_errors()) {
            ++o.rejected;
            continue;
        }
        ++o.clean;
        if (const auto it = counts.find(name); it != counts.end()) {
            EXPECT_EQ(net.node_count(), it->second.first);
            EXPECT_EQ(net.link_count(), it->second.second);
            ++counted;
        }
        // Read → write → read gives the same network.
        const std::string text = format_inp(net);
        Diagnostics diags2;
        const Network again = parse_inp(text, name + " (written)", diags2);
        EXPECT_FALSE(diags2.has_errors()) << diags2.format().substr(0, 2000);
        const auto diffs = test_support::NetworkDiff(1e-12).compare(net, again);
        EXPECT_TRUE(diffs.empty()) << diffs.size() << " differences, first: " << diffs.front();
        if (diffs.empty())
            ++o.round_trips;
    }
    std::printf("[ info ] %s: %d files, %d clean, %d rejected, %d round trips identical, "
                "%d element counts checked against REFERENCE.md\n",
                root.string().c_str(), o.files, o.clean, o.rejected, o.round_trips, counted);
    return o;
}

} // namespace

TEST(EpanetCorpus, EveryInputOfTheSharedData) {
    const fs::path root = shared_data_dir();
    if (!fs::is_directory(root))
        GTEST_SKIP() << "shared reference data not found at " << root;
    const auto o = check_folder(root, root / ".." / "REFERENCE.md");
    EXPECT_GT(o.files, 100);
    EXPECT_GE(o.rejected, static_cast<int>(kRejectedByEpanet22.size()));
}

TEST(EpanetCorpus, CuratedValidationCases) {
    const fs::path root = fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water";
    const auto o = check_folder(root, root / "no-reference-md");
    EXPECT_GE(o.files, 3);
    EXPECT_EQ(o.clean, o.files);
}

TEST(EpanetCorpus, HandCountedElements) {
    const fs::path file =
        fs::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "water" / "net1" / "Net1.inp";
    Diagnostics diags;
    const Network net = read_inp(file, diags);
    ASSERT_FALSE(diags.has_errors()) << diags.format();
    // Counted by hand in the file.
    EXPECT_EQ(net.junction_count(), 9);
    EXPECT_EQ(net.reservoir_count(), 1);
    EXPECT_EQ(net.tanks.count(), 1);
    EXPECT_EQ(net.pipe_count(), 12);
    EXPECT_EQ(net.pumps.count(), 1);
    EXPECT_EQ(net.valves.count(), 0);
    EXPECT_EQ(net.patterns.size(), 1u);
    EXPECT_EQ(net.patterns[0].multipliers.size(), 12u);
    EXPECT_EQ(net.curves.size(), 1u);
    EXPECT_EQ(net.controls.size(), 2u);
    EXPECT_EQ(net.labels.size(), 3u);
    EXPECT_EQ(net.options.flow_units, FlowUnits::kGpm);
    EXPECT_EQ(net.times.duration, 24 * 3600);
    EXPECT_EQ(net.times.quality_step.value_or(0), 300);
    EXPECT_EQ(net.times.pattern_step, 7200);
}

TEST(EpanetCorpus, LargestNetworkParsesAndRoundTrips) {
    const fs::path root = shared_data_dir();
    if (!fs::is_directory(root))
        GTEST_SKIP() << "shared reference data not found at " << root;
    fs::path largest;
    std::uintmax_t size = 0;
    for (const auto& p : inp_files(root))
        if (fs::file_size(p) > size) {
            size = fs::file_size(p);
            largest = p;
        }
    const std::string text = read_file(largest);
    Diagnostics diags;
    const Network net = parse_inp(text, largest.string(), diags);
    EXPECT_FALSE(diags.has_errors());
    EXPECT_GT(net.link_count(), 1000);
    Diagnostics again;
    const Network back = parse_inp(format_inp(net), largest.string(), again);
    EXPECT_FALSE(again.has_errors());
    EXPECT_EQ(back.link_count(), net.link_count());
}
