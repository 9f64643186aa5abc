// Progress reporting: an interface for long computations and a terminal progress bar.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace rencheng {

/// What a long computation calls to report progress. The core never prints: the front end passes
/// a sink (a terminal bar, a server's progress channel, or nothing).
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void start(const std::string& label, std::uint64_t total) = 0;
    virtual void advance(std::uint64_t done) = 0; ///< absolute count of work done
    virtual void finish() = 0;
};

/// A progress bar on a terminal. Draws nothing when `out` is not a TTY or when `quiet` is set, so
/// logs and pipes stay clean. Redraws at most ten times a second.
class TerminalProgress final : public ProgressSink {
public:
    explicit TerminalProgress(std::FILE* out = stderr, bool quiet = false);
    void start(const std::string& label, std::uint64_t total) override;
    void advance(std::uint64_t done) override;
    void finish() override;
    [[nodiscard]] bool enabled() const { return enabled_; }

private:
    std::FILE* out_;
    bool enabled_;
    std::string label_;
    std::uint64_t total_ = 0;
    std::uint64_t done_ = 0;
    std::chrono::steady_clock::time_point started_{};
    std::chrono::steady_clock::time_point last_draw_{};
    void draw(bool final);
};

} // namespace rencheng
