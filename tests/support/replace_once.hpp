// Test support: edits a model text for a test case (one occurrence, which must be there).
#pragma once

#include <string>

#include <gtest/gtest.h>

namespace rencheng::test {

/// `s` with the first `from` replaced by `to`; a failure of the test where `from` is missing.
inline std::string replace_once(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos)
        s.replace(at, from.size(), to);
    return s;
}

} // namespace rencheng::test
