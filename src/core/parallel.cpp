// Parallel loops over TBB with an explicit thread limit.
#include "core/parallel.hpp"

#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

namespace rencheng {

struct ThreadLimit::Impl {
    std::optional<tbb::global_control> control;
};

ThreadLimit::ThreadLimit(std::size_t threads) : impl_(std::make_unique<Impl>()) {
    // tbb::global_control rejects 0; 0 means "leave TBB's default alone".
    if (threads > 0)
        impl_->control.emplace(tbb::global_control::max_allowed_parallelism, threads);
}

ThreadLimit::~ThreadLimit() = default;

std::size_t max_threads() {
    return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
}

void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body, std::size_t grain) {
    if (n == 0)
        return;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain == 0 ? 1 : grain),
                      [&body](const tbb::blocked_range<std::size_t>& r) {
                          for (std::size_t i = r.begin(); i != r.end(); ++i)
                              body(i);
                      });
}

void parallel_for_chunks(std::size_t n, const std::function<void(std::size_t, std::size_t)>& body,
                         std::size_t grain) {
    if (n == 0)
        return;
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, grain == 0 ? 1 : grain),
        [&body](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

} // namespace rencheng
