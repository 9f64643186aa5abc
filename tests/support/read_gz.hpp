// Test support: reads the gzip-compressed reference files (EPANET and SWMM results in long CSV).
#pragma once

#include <zlib.h>

#include <filesystem>
#include <string>

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

} // namespace rencheng::test
