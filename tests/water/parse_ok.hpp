// Parsing a hand-written .inp snippet that must be valid, for the water tests.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "water/epanet_inp.hpp"

namespace rencheng::water::test_support {

/// parse_inp() of `text` as file `name`, with a test failure listing the diagnostics if it has
/// errors.
inline Network parse_ok(const std::string& text, const std::string& name = "test.inp") {
    Diagnostics diags;
    Network net = parse_inp(text, name, diags);
    EXPECT_FALSE(diags.has_errors()) << name << "\n" << diags.format();
    return net;
}

} // namespace rencheng::water::test_support
