// Data-driven validation of the hydraulic solver against EPANET 2.2 reference results: every case
// folder in tests/validation/water and, when present, the shared reference set.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "reference_check.hpp"

namespace fs = std::filesystem;
using namespace rencheng;
using namespace rencheng::water;
using namespace rencheng::water::test_support;

namespace {

/// Widens the default tolerance to 1.5× EPANET's own convergence error (REFERENCE.md §2.2,
/// 'vs ACCURACY 1e-5'): head in m, flow in L/s.
Tolerance tolerance_for(double head_m, double flow_ls) {
    Tolerance t;
    t.head_m = std::max(t.head_m, 1.5 * head_m);
    t.flow_m3s = std::max(t.flow_m3s, 1.5 * flow_ls * 1e-3);
    return t;
}

double number_after(const std::string& s, const std::string& key) {
    const auto p = s.find(key);
    if (p == std::string::npos)
        return 0;
    return std::strtod(s.c_str() + p + key.size(), nullptr);
}

struct SharedCase {
    std::string input; ///< relative to shared/data
    std::string reference;
    double acc_head_m = 0, acc_flow_ls = 0;
};

std::vector<SharedCase> shared_cases() {
    std::vector<SharedCase> out;
    std::ifstream in(shared_root() / "REFERENCE_INDEX.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto f = split_csv(line);
        if (f.size() < 6 || f[0] != "water")
            continue;
        SharedCase c;
        c.input = f[1];
        c.reference = f[2];
        const auto p = f[5].find("ACCURACY 1e-5");
        const std::string tail = p == std::string::npos ? std::string() : f[5].substr(p);
        c.acc_head_m = number_after(tail, "|dHead|=");
        c.acc_flow_ls = number_after(tail, "|dFlow|=");
        out.push_back(c);
    }
    return out;
}

std::set<std::string> read_list(const fs::path& p) {
    std::set<std::string> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        out.insert(line);
    }
    return out;
}

void print(const std::string& name, const CaseResult& r) {
    std::printf("%-4s%s %-90s times=%2d head=%.2e flow=%.2e dem=%.2e fail=%d %.2fs %s %s\n",
                r.passed ? "PASS" : "FAIL", r.converged ? "" : "*", name.c_str(), r.times,
                r.max_head_err, r.max_flow_err, r.max_demand_err, r.failures, r.seconds,
                r.worst.c_str(), r.message.c_str());
}

/// Runs every shared reference network twice: with EPANET's model of closed links (1e-8 cfs/ft
/// conductances, so zones cut off by closed links are fed through them, as in the references)
/// and with ours (zero supply to cut-off zones, closed links carry nothing). Networks listed in
/// shared_passing.txt / shared_passing_zero_supply.txt must pass in that mode.
void run_shared() {
    const fs::path root = shared_root();
    if (!fs::exists(root / "REFERENCE_INDEX.csv"))
        GTEST_SKIP() << "shared reference data not found at " << root;
    const auto passing = read_list(validation_dir() / "shared_passing.txt");
    const auto passing_zero = read_list(validation_dir() / "shared_passing_zero_supply.txt");
    const char* only = std::getenv("RENCHENG_WATER_ONLY");
    int pass = 0, pass_zero = 0, total = 0;
    for (const SharedCase& c : shared_cases()) {
        if (only && c.input.find(only) == std::string::npos)
            continue;
        Tolerance tol = tolerance_for(c.acc_head_m, c.acc_flow_ls);
        tol.epanet_closed_links = true;
        const CaseResult r = check_case(root / c.input, root / c.reference, tol);
        tol.epanet_closed_links = false;
        const CaseResult z = check_case(root / c.input, root / c.reference, tol);
        ++total;
        pass += r.passed ? 1 : 0;
        pass_zero += z.passed ? 1 : 0;
        print(c.input, r);
        if (!z.passed)
            print("  (zero-supply model) " + c.input, z);
        if (passing.count(c.input)) {
            EXPECT_TRUE(r.passed) << c.input << ": " << r.worst << " " << r.message;
        }
        if (passing_zero.count(c.input)) {
            EXPECT_TRUE(z.passed) << c.input << " (zero-supply model): " << z.worst << " "
                                  << z.message;
        }
    }
    std::printf("shared reference networks: %d of %d pass with EPANET's closed-link model, "
                "%d with zero supply to cut-off zones\n",
                pass, total, pass_zero);
}

} // namespace

TEST(WaterReferenceValidation, LocalCases) {
    const fs::path dir = validation_dir();
    // tolerances.csv: case,head_m,flow_ls (EPANET's 'vs ACCURACY 1e-5' figures).
    std::map<std::string, std::pair<double, double>> acc;
    {
        std::ifstream in(dir / "tolerances.csv");
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            const auto f = split_csv(line);
            if (f.size() >= 3)
                acc[f[0]] = {std::stod(f[1]), std::stod(f[2])};
        }
    }
    int cases = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        // quality/ holds water-quality references (tests/water/test_quality.cpp), not hydraulics.
        if (!e.is_directory() || e.path().filename() == "quality")
            continue;
        fs::path inp, ref;
        for (const auto& f : fs::directory_iterator(e.path())) {
            const std::string n = f.path().filename().string();
            if (n.size() > 4 && n.substr(n.size() - 4) == ".inp")
                inp = f.path();
            if (n.size() > 7 && n.substr(n.size() - 7) == ".csv.gz")
                ref = f.path();
        }
        if (inp.empty() || ref.empty())
            continue;
        const std::string name = e.path().filename().string();
        const auto a = acc.count(name) ? acc[name] : std::pair<double, double>{0, 0};
        Tolerance tol = tolerance_for(a.first, a.second);
        tol.epanet_closed_links = true;
        const CaseResult r = check_case(inp, ref, tol);
        print(name, r);
        EXPECT_TRUE(r.passed) << name << ": " << r.worst << " " << r.message;
        // Our own model (closed links carry nothing) passes too, and conserves mass at every
        // hydraulic step: Σ supply − Σ demand − Σ emitter − Σ tank inflow = 0 to 1e-6 of supply.
        tol.epanet_closed_links = false;
        const CaseResult z = check_case(inp, ref, tol);
        EXPECT_TRUE(z.passed) << name << " (zero-supply model): " << z.worst << " " << z.message;
        EXPECT_LT(z.mass_balance, 1e-6) << name;
        EXPECT_TRUE(z.converged) << name << ": " << z.message;
        ++cases;
    }
    EXPECT_GE(cases, 1);
}

TEST(WaterReferenceValidation, SharedSet) {
    run_shared();
}
