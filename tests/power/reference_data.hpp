// Test helpers: reading the long-form reference results (.csv.gz) and finding the case sets.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <zlib.h>

namespace rencheng::power::testing {

/// Key of one reference value: type, id, quantity.
using RefKey = std::tuple<std::string, std::string, std::string>;
using RefValues = std::map<RefKey, double>;

/// Reads a gzip-compressed (or plain) text file whole.
inline std::string read_gz(const std::filesystem::path& path) {
    gzFile f = gzopen(path.string().c_str(), "rb");
    if (f == nullptr)
        throw std::runtime_error("cannot open " + path.string());
    std::string out;
    char buf[1 << 16];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return out;
}

/// Parses `time_s,type,id,quantity,value` (ids of power results never need quoting).
inline RefValues parse_long_csv(const std::string& text) {
    RefValues out;
    std::size_t pos = text.find('\n'); // header
    while (pos != std::string::npos && pos + 1 < text.size()) {
        const std::size_t end = text.find('\n', pos + 1);
        const std::string line =
            text.substr(pos + 1, (end == std::string::npos ? text.size() : end) - pos - 1);
        pos = end;
        if (line.empty())
            continue;
        std::vector<std::string> f;
        std::size_t a = 0;
        while (true) {
            const std::size_t c = line.find(',', a);
            f.push_back(line.substr(a, c == std::string::npos ? std::string::npos : c - a));
            if (c == std::string::npos)
                break;
            a = c + 1;
        }
        if (f.size() != 5)
            throw std::runtime_error("bad reference line: " + line);
        out[{f[1], f[2], f[3]}] = std::stod(f[4]);
    }
    return out;
}

/// One case with its references.
struct CaseFiles {
    std::string name;
    std::filesystem::path input, ac, dc;
};

/// The cases bundled in tests/validation/power/<case>/ (<case>.m, <case>.ac.csv.gz,
/// <case>.dc.csv.gz).
inline std::vector<CaseFiles> bundled_cases() {
    std::vector<CaseFiles> out;
    const std::filesystem::path root =
        std::filesystem::path(RENCHENG_SOURCE_DIR) / "tests" / "validation" / "power";
    std::error_code ec;
    for (const auto& d : std::filesystem::directory_iterator(root, ec)) {
        if (!d.is_directory())
            continue;
        const std::string name = d.path().filename().string();
        CaseFiles c{name, d.path() / (name + ".m"), d.path() / (name + ".ac.csv.gz"),
                    d.path() / (name + ".dc.csv.gz")};
        if (std::filesystem::exists(c.input))
            out.push_back(c);
    }
    std::sort(out.begin(), out.end(),
              [](const CaseFiles& a, const CaseFiles& b) { return a.name < b.name; });
    return out;
}

/// The shared reference set: ${RENCHENG_REFERENCE_DATA}/power, else <repo>/../shared/data/power;
/// every matpower/data/<case>.m with reference/matpower/data/<case>.ac.csv.gz. Empty when absent.
inline std::vector<CaseFiles> shared_cases() {
    std::filesystem::path root;
    if (const char* env = std::getenv("RENCHENG_REFERENCE_DATA"); env != nullptr && *env != 0)
        root = std::filesystem::path(env) / "power";
    else
        root = std::filesystem::path(RENCHENG_SOURCE_DIR) / ".." / "shared" / "data" / "power";
    std::vector<CaseFiles> out;
    std::error_code ec;
    const auto data = root / "matpower" / "data";
    for (const auto& d : std::filesystem::directory_iterator(data, ec)) {
        if (d.path().extension() != ".m")
            continue;
        const std::string name = d.path().stem().string();
        const auto ref = root / "reference" / "matpower" / "data";
        CaseFiles c{name, d.path(), ref / (name + ".ac.csv.gz"), ref / (name + ".dc.csv.gz")};
        if (std::filesystem::exists(c.ac))
            out.push_back(c);
    }
    std::sort(out.begin(), out.end(),
              [](const CaseFiles& a, const CaseFiles& b) { return a.name < b.name; });
    return out;
}

} // namespace rencheng::power::testing
