// Tests of CSR construction, transposition and connected components.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/csr.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"

namespace rencheng {
namespace {

using V = std::vector<std::int32_t>;

std::vector<V> as_lists(const CsrGraph& g, bool ids) {
    std::vector<V> out;
    for (std::int32_t u = 0; u < g.node_count(); ++u) {
        const auto s = ids ? g.arcs(u) : g.neighbours(u);
        out.emplace_back(s.begin(), s.end());
    }
    return out;
}

TEST(Csr, BuildKeepsInputOrderPerNode) {
    const V tails{2, 0, 2, 1, 0, 2};
    const V heads{0, 1, 1, 2, 2, 2};
    const CsrGraph g = build_csr(4, tails, heads);
    EXPECT_EQ(g.node_count(), 4);
    EXPECT_EQ(g.arc_count(), 6);
    EXPECT_EQ(g.offsets, (V{0, 2, 3, 6, 6}));
    EXPECT_EQ(as_lists(g, false), (std::vector<V>{{1, 2}, {2}, {0, 1, 2}, {}}));
    EXPECT_EQ(as_lists(g, true), (std::vector<V>{{1, 4}, {3}, {0, 2, 5}, {}}));
    EXPECT_EQ(g.degree(3), 0);
}

TEST(Csr, EmptyGraph) {
    const CsrGraph g = build_csr(0, {}, {});
    EXPECT_EQ(g.node_count(), 0);
    std::int32_t count = -1;
    EXPECT_TRUE(strongly_connected_components(g, count).empty());
    EXPECT_EQ(count, 0);
}

TEST(Csr, RejectsOutOfRangeInput) {
    const V a{0, 1}, b{1, 2}, c{0};
    EXPECT_THROW(build_csr(2, a, b), Error);
    EXPECT_THROW(build_csr(2, a, c), Error);
    EXPECT_THROW(build_csr(-1, {}, {}), Error);
    const V neg{-1};
    try {
        build_csr(3, neg, c);
        FAIL() << "no throw";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInternal);
    }
}

TEST(Csr, TransposeReversesArcsAndKeepsIds) {
    const V tails{2, 0, 2, 1, 0};
    const V heads{0, 1, 1, 2, 2};
    const CsrGraph t = transpose(build_csr(3, tails, heads));
    // In-arcs of node v, ordered by tail then input order.
    EXPECT_EQ(as_lists(t, false), (std::vector<V>{{2}, {0, 2}, {0, 1}}));
    EXPECT_EQ(as_lists(t, true), (std::vector<V>{{0}, {1, 2}, {4, 3}}));
    const CsrGraph tt = transpose(t);
    EXPECT_EQ(as_lists(tt, false), as_lists(build_csr(3, tails, heads), false));
}

// Two cycles {0,1,2} and {3,4} joined one way, plus an isolated node 5 and a tail 6 -> 0.
TEST(Csr, SccOfKnownGraph) {
    const V tails{0, 1, 2, 2, 3, 4, 6};
    const V heads{1, 2, 0, 3, 4, 3, 0};
    const CsrGraph g = build_csr(7, tails, heads);
    std::int32_t count = 0;
    const V c = strongly_connected_components(g, count);
    EXPECT_EQ(count, 4);
    EXPECT_EQ(c[0], c[1]);
    EXPECT_EQ(c[1], c[2]);
    EXPECT_EQ(c[3], c[4]);
    EXPECT_NE(c[0], c[3]);
    EXPECT_NE(c[5], c[0]);
    EXPECT_NE(c[6], c[0]);
    EXPECT_NE(c[5], c[6]);
    // Tarjan finishes a component after all it reaches: numbering is reverse topological.
    EXPECT_GT(c[0], c[3]);
    EXPECT_GT(c[6], c[0]);
}

TEST(Csr, WccOfKnownGraph) {
    const V tails{0, 2, 4};
    const V heads{1, 1, 5};
    std::int32_t count = 0;
    const V c = weakly_connected_components(build_csr(6, tails, heads), count);
    EXPECT_EQ(count, 3);
    EXPECT_EQ(c, (V{0, 0, 0, 1, 2, 2})); // numbered by lowest node
}

TEST(Csr, LongCycleNeedsNoRecursion) {
    constexpr std::int32_t n = 1000000;
    V tails(n), heads(n);
    for (std::int32_t i = 0; i < n; ++i) {
        tails[static_cast<std::size_t>(i)] = i;
        heads[static_cast<std::size_t>(i)] = (i + 1) % n;
    }
    std::int32_t count = 0;
    const V c = strongly_connected_components(build_csr(n, tails, heads), count);
    EXPECT_EQ(count, 1);
    // Without the closing arc the path falls apart into n components.
    tails.pop_back();
    heads.pop_back();
    strongly_connected_components(build_csr(n, tails, heads), count);
    EXPECT_EQ(count, n);
}

// Reference SCC: Kosaraju (1978) with explicit stacks, independent of Tarjan's low-links.
V kosaraju(const CsrGraph& g, std::int32_t& count) {
    const auto n = static_cast<std::size_t>(g.node_count());
    std::vector<char> seen(n, 0);
    V order;
    for (std::size_t s = 0; s < n; ++s) {
        if (seen[s])
            continue;
        std::vector<std::pair<std::int32_t, std::int32_t>> st{{static_cast<std::int32_t>(s), 0}};
        seen[s] = 1;
        while (!st.empty()) {
            auto& [v, k] = st.back();
            const auto nb = g.neighbours(v);
            if (k < static_cast<std::int32_t>(nb.size())) {
                const auto w = nb[static_cast<std::size_t>(k++)];
                if (!seen[static_cast<std::size_t>(w)]) {
                    seen[static_cast<std::size_t>(w)] = 1;
                    st.emplace_back(w, 0);
                }
            } else {
                order.push_back(v);
                st.pop_back();
            }
        }
    }
    const CsrGraph t = transpose(g);
    V comp(n, -1);
    count = 0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        if (comp[static_cast<std::size_t>(*it)] >= 0)
            continue;
        V st{*it};
        comp[static_cast<std::size_t>(*it)] = count;
        while (!st.empty()) {
            const auto v = st.back();
            st.pop_back();
            for (const auto w : t.neighbours(v))
                if (comp[static_cast<std::size_t>(w)] < 0) {
                    comp[static_cast<std::size_t>(w)] = count;
                    st.push_back(w);
                }
        }
        ++count;
    }
    return comp;
}

// True when both labelings describe the same partition.
bool same_partition(const V& a, const V& b) {
    if (a.size() != b.size())
        return false;
    std::map<std::int32_t, std::int32_t> ab, ba;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ab.emplace(a[i], b[i]).first->second != b[i])
            return false;
        if (ba.emplace(b[i], a[i]).first->second != a[i])
            return false;
    }
    return true;
}

TEST(Csr, RandomGraphMatchesReferences) {
    constexpr std::int32_t n = 100000;
    constexpr std::int32_t m = 150000; // mean out-degree 1.5: a giant SCC and many small ones
    RngStream rng(99, 0, 0);
    V tails(m), heads(m);
    for (std::int32_t k = 0; k < m; ++k) {
        tails[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(rng.below(n));
        heads[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(rng.below(n));
    }
    const CsrGraph g = build_csr(n, tails, heads);
    // Every input arc appears once, at its tail, in input order.
    std::vector<V> expect(n);
    for (std::int32_t k = 0; k < m; ++k)
        expect[static_cast<std::size_t>(tails[k])].push_back(k);
    ASSERT_EQ(as_lists(g, true), expect);

    std::int32_t count = 0, ref_count = 0;
    const V scc = strongly_connected_components(g, count);
    const V ref = kosaraju(g, ref_count);
    EXPECT_EQ(count, ref_count);
    EXPECT_TRUE(same_partition(scc, ref));
    EXPECT_GT(count, 1000);
    EXPECT_LT(count, n);
    for (std::int32_t k = 0; k < m; ++k) // reverse topological numbering
        ASSERT_GE(scc[static_cast<std::size_t>(tails[k])], scc[static_cast<std::size_t>(heads[k])]);

    // Reference WCC: breadth-first search over arcs taken both ways.
    std::vector<V> und(n);
    for (std::int32_t k = 0; k < m; ++k) {
        und[static_cast<std::size_t>(tails[k])].push_back(heads[k]);
        und[static_cast<std::size_t>(heads[k])].push_back(tails[k]);
    }
    V wref(n, -1);
    std::int32_t wref_count = 0;
    for (std::int32_t s = 0; s < n; ++s) {
        if (wref[static_cast<std::size_t>(s)] >= 0)
            continue;
        V queue{s};
        wref[static_cast<std::size_t>(s)] = wref_count;
        for (std::size_t q = 0; q < queue.size(); ++q)
            for (const auto w : und[static_cast<std::size_t>(queue[q])])
                if (wref[static_cast<std::size_t>(w)] < 0) {
                    wref[static_cast<std::size_t>(w)] = wref_count;
                    queue.push_back(w);
                }
        ++wref_count;
    }
    std::int32_t wcount = 0;
    const V wcc = weakly_connected_components(g, wcount);
    EXPECT_EQ(wcount, wref_count);
    EXPECT_EQ(wcc, wref); // both number components by their lowest node
}

} // namespace
} // namespace rencheng
