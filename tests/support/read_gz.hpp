// Test support: reads the gzip-compressed reference files (EPANET and SWMM results in long CSV).
#pragma once

#include <zlib.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace rencheng::test {

/// Reads a whole gzip file (or a plain one) into a string; empty on failure.
inline std::string read_gz(const std::filesystem::path& p) {
    std::string out;
    gzFile f = gzopen(p.string().c_str(), "rb");
    if (!f)
        return out;
    char buf[65536];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    gzclose(f);
    return out;
}

/// The comma-separated fields of every line of `text` after its header line (the long CSV form
/// of the references and of RenCheng's results and summaries).
inline std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ls(line);
        for (std::string x; std::getline(ls, x, ',');)
            f.push_back(x);
        rows.push_back(std::move(f));
    }
    return rows;
}

} // namespace rencheng::test
