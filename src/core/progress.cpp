// Terminal progress bar, drawn only on a TTY.
#include "core/progress.hpp"

#include <algorithm>

#include <unistd.h>

namespace rencheng {

namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(100); // at most ten draws a second
constexpr int kBarWidth = 30;
} // namespace

TerminalProgress::TerminalProgress(std::FILE* out, bool quiet)
    : out_(out), enabled_(!quiet && out != nullptr && ::isatty(::fileno(out)) == 1) {}

void TerminalProgress::start(const std::string& label, std::uint64_t total) {
    label_ = label;
    total_ = total;
    done_ = 0;
    started_ = std::chrono::steady_clock::now();
    last_draw_ = {};
    if (enabled_)
        draw(false);
}

void TerminalProgress::advance(std::uint64_t done) {
    done_ = done;
    if (!enabled_)
        return;
    if (std::chrono::steady_clock::now() - last_draw_ < kRedrawInterval)
        return;
    draw(false);
}

void TerminalProgress::finish() {
    if (!enabled_)
        return;
    draw(true);
    std::fputc('\n', out_);
    std::fflush(out_);
}

void TerminalProgress::draw(bool final) {
    const auto now = std::chrono::steady_clock::now();
    last_draw_ = now;
    const std::uint64_t total = total_;
    const std::uint64_t done = final && total > 0 ? std::max(done_, total) : done_;
    const double fraction =
        total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0.0;
    const int filled = static_cast<int>(fraction * kBarWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kBarWidth, ' ');
    // ETA by linear extrapolation of the elapsed time over the work done so far.
    std::string eta;
    const double elapsed_s = std::chrono::duration<double>(now - started_).count();
    if (!final && done > 0 && total > done) {
        const double rest_s =
            elapsed_s * static_cast<double>(total - done) / static_cast<double>(done);
        eta = " ETA " + std::to_string(static_cast<long long>(rest_s + 0.5)) + "s";
    } else if (final) {
        eta = " in " + std::to_string(static_cast<long long>(elapsed_s + 0.5)) + "s";
    }
    // "\r" returns to the start of the line; "\033[K" clears what a longer previous draw left.
    std::fprintf(out_, "\r %s [%s] %3d%% %llu/%llu%s\033[K", label_.c_str(), bar.c_str(),
                 static_cast<int>(fraction * 100.0), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), eta.c_str());
    std::fflush(out_);
}

} // namespace rencheng
