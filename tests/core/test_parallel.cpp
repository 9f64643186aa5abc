// Tests of the parallel loops and the thread limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/parallel.hpp"

namespace rencheng {
namespace {

TEST(Parallel, ThreadLimitSetsAndRestoresMaxThreads) {
    const std::size_t before = max_threads();
    {
        ThreadLimit one(1);
        EXPECT_EQ(max_threads(), 1u);
    }
    EXPECT_EQ(max_threads(), before);
    {
        ThreadLimit unlimited(0); // leaves the default alone
        EXPECT_EQ(max_threads(), before);
    }
}

TEST(Parallel, ForVisitsEveryIndexOnce) {
    constexpr std::size_t n = 10007;
    std::vector<std::atomic<int>> hits(n);
    parallel_for(
        n, [&](std::size_t i) { hits[i].fetch_add(1); }, 16);
    for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(hits[i].load(), 1) << i;
    parallel_for(0, [&](std::size_t) { FAIL() << "no call for n = 0"; });
}

TEST(Parallel, ChunksCoverTheRangeWithoutOverlap) {
    constexpr std::size_t n = 5000;
    std::vector<std::atomic<int>> hits(n);
    std::atomic<int> chunks{0};
    parallel_for_chunks(
        n,
        [&](std::size_t b, std::size_t e) {
            EXPECT_LT(b, e);
            EXPECT_LE(e, n);
            ++chunks;
            for (std::size_t i = b; i < e; ++i)
                hits[i].fetch_add(1);
        },
        100);
    for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(hits[i].load(), 1) << i;
    EXPECT_GE(chunks.load(), 1);
}

TEST(Parallel, LimitOfOneRunsOnOneThread) {
    ThreadLimit one(1);
    std::mutex m;
    std::vector<std::thread::id> ids;
    parallel_for(1000, [&](std::size_t) {
        std::lock_guard lock(m);
        if (std::find(ids.begin(), ids.end(), std::this_thread::get_id()) == ids.end())
            ids.push_back(std::this_thread::get_id());
    });
    EXPECT_EQ(ids.size(), 1u);
}

} // namespace
} // namespace rencheng
