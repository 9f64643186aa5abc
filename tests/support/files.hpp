// Test support: a file's whole content, and a fresh temporary folder per test.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace rencheng::test {

/// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// An empty folder `rencheng-<prefix>-<name>` under the system's temporary folder (what an
/// earlier run left there removed first).
inline std::filesystem::path fresh_temp_dir(const std::string& prefix, const std::string& name) {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("rencheng-" + prefix + "-" + name);
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

} // namespace rencheng::test
