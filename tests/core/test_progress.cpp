// Tests of the terminal progress bar: silent off a TTY, drawing on one.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "core/progress.hpp"

namespace rencheng {
namespace {

TEST(Progress, WritesNothingToAFile) {
    std::FILE* f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    TerminalProgress p(f);
    EXPECT_FALSE(p.enabled());
    p.start("damage", 100);
    for (std::uint64_t i = 0; i <= 100; ++i)
        p.advance(i);
    p.finish();
    std::fflush(f);
    EXPECT_EQ(std::ftell(f), 0L);
    std::fclose(f);
}

// A pseudo-terminal, so the TTY path can be tested without a real terminal.
struct Pty {
    int master = -1;
    std::FILE* slave = nullptr;
    Pty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
            return;
        const char* name = ::ptsname(master);
        if (name != nullptr)
            slave = std::fopen(name, "w");
        ::fcntl(master, F_SETFL, O_NONBLOCK);
    }
    ~Pty() {
        if (slave != nullptr)
            std::fclose(slave);
        if (master >= 0)
            ::close(master);
    }
    std::string read_all() const {
        std::string out;
        char buf[4096];
        for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;)
            out.append(buf, static_cast<std::size_t>(n));
        return out;
    }
};

TEST(Progress, QuietWritesNothingEvenOnATty) {
    Pty pty;
    if (pty.slave == nullptr)
        GTEST_SKIP() << "no pseudo-terminal here";
    TerminalProgress p(pty.slave, /*quiet=*/true);
    EXPECT_FALSE(p.enabled());
    p.start("x", 10);
    p.finish();
    EXPECT_EQ(pty.read_all(), "");
}

TEST(Progress, DrawsBarOnATty) {
    Pty pty;
    if (pty.slave == nullptr)
        GTEST_SKIP() << "no pseudo-terminal here";
    TerminalProgress p(pty.slave);
    ASSERT_TRUE(p.enabled());
    p.start("realizations", 200);
    for (std::uint64_t i = 1; i <= 200; ++i)
        p.advance(i); // fast: throttled to one draw
    p.finish();
    const std::string out = pty.read_all();
    EXPECT_NE(out.find("\r realizations ["), std::string::npos) << out;
    EXPECT_NE(out.find("100% 200/200"), std::string::npos) << out;
    EXPECT_NE(out.find("  0% 0/200"), std::string::npos) << out;
    // Start draws, the 200 fast advances are throttled, finish draws: 2 or 3 bars, not 200.
    std::size_t bars = 0;
    for (std::size_t at = 0; (at = out.find('\r', at)) != std::string::npos; ++at)
        if (at + 1 < out.size() && out[at + 1] == ' ')
            ++bars;
    EXPECT_LE(bars, 4u);
    EXPECT_EQ(out.back(), '\n');
}

} // namespace
} // namespace rencheng
