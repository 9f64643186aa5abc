// Parallel loops over TBB, with a thread limit that callers set explicitly.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace rencheng {

/// Limits the number of worker threads while alive (wraps tbb::global_control).
/// `threads == 0` means the machine's default.
class ThreadLimit {
public:
    explicit ThreadLimit(std::size_t threads);
    ~ThreadLimit();
    ThreadLimit(const ThreadLimit&) = delete;
    ThreadLimit& operator=(const ThreadLimit&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Number of threads parallel_for may use now.
std::size_t max_threads();

/// Calls `body(i)` for every i in [0, n), in parallel. `body` must not depend on the order of
/// calls; results stay deterministic when each i writes only its own slot.
void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body,
                  std::size_t grain = 1);

/// Calls `body(begin, end)` on chunks covering [0, n).
void parallel_for_chunks(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body,
                         std::size_t grain = 1);

} // namespace rencheng
