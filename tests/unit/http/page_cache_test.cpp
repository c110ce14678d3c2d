#include <gtest/gtest.h>

#include "http/compress.hpp"
#include "http/page_cache.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace uslugi::http;

namespace {

Response page_of(const std::string& text, std::size_t repeat = 200) {
    std::string body;
    for (std::size_t i = 0; i < repeat; ++i) body += "<p>" + text + " " + std::to_string(i) + "</p>\n";
    return Response::html(body);
}

}  // namespace

TEST(PageCache, KeepsAndAnswersWithEtagAnd304) {
    PageCache cache(8 * 1024 * 1024);
    const Response original = page_of("Загранпаспорт");
    auto page = PageCache::keep(original);
    ASSERT_TRUE(page);
    cache.store("/services/x\nru", page, cache.generation());
    auto hit = cache.find("/services/x\nru");
    ASSERT_TRUE(hit);
    EXPECT_FALSE(cache.find("/services/x\nen"));

    Response full = hit->answer("gzip, br", "");
    EXPECT_EQ(full.status, Status::ok);
    EXPECT_EQ(unbrotli(full.body), original.body);
    const std::string etag = *full.find_header("ETag");
    EXPECT_EQ(etag.rfind("W/\"", 0), 0u);
    EXPECT_EQ(*full.find_header("Cache-Control"), "private, no-cache");

    Response again = hit->answer("gzip", etag);
    EXPECT_EQ(again.status, Status::not_modified);
    EXPECT_TRUE(again.body.empty());
    // Another page's tag is not this page's.
    EXPECT_EQ(hit->answer("gzip", "W/\"0000\"").status, Status::ok);

    const auto st = cache.stats();
    EXPECT_EQ(st.hits, 1u);
    EXPECT_EQ(st.misses, 1u);
    EXPECT_EQ(st.entries, 1u);
}

TEST(PageCache, RefusesWhatBelongsToOneVisitor) {
    Response with_cookie = page_of("a");
    with_cookie.headers.emplace_back("Set-Cookie", "sid=abc; HttpOnly");
    EXPECT_FALSE(PageCache::keep(with_cookie));
    Response not_found = page_of("b");
    not_found.status = Status::not_found;
    EXPECT_FALSE(PageCache::keep(not_found));
    Response own_policy = page_of("c");
    own_policy.set_header("Cache-Control", "public, max-age=3600");
    EXPECT_FALSE(PageCache::keep(own_policy));
}

TEST(PageCache, NewGenerationDropsOldPagesAndLateStores) {
    PageCache cache(8 * 1024 * 1024);
    const std::uint64_t before = cache.generation();
    cache.store("a", PageCache::keep(page_of("a")), before);
    cache.invalidate();
    EXPECT_FALSE(cache.find("a"));
    // Rendered from the old catalog, stored after the swap: not kept.
    cache.store("b", PageCache::keep(page_of("b")), before);
    EXPECT_FALSE(cache.find("b"));
    cache.store("c", PageCache::keep(page_of("c")), cache.generation());
    EXPECT_TRUE(cache.find("c"));
}

TEST(PageCache, EvictsLeastRecentlyUsedWithinItsBudget) {
    // 16 shards of 64 KiB: a few pages of ~20 KiB each.
    PageCache cache(16 * 64 * 1024);
    const std::uint64_t g = cache.generation();
    for (int i = 0; i < 400; ++i)
        cache.store("page" + std::to_string(i), PageCache::keep(page_of("страница " + std::to_string(i), 300)), g);
    const auto st = cache.stats();
    EXPECT_LE(st.bytes, 16u * 64 * 1024);
    EXPECT_LT(st.entries, 400u);
    EXPECT_TRUE(cache.find("page399"));  // the newest stays
    EXPECT_FALSE(cache.find("page0"));   // the oldest went
}

TEST(PageCache, ServesFromManyThreads) {
    PageCache cache(8 * 1024 * 1024);
    const std::uint64_t g = cache.generation();
    std::vector<std::thread> threads;
    std::atomic<int> answered{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const std::string key = "k" + std::to_string((i + t) % 20);
                if (auto hit = cache.find(key)) {
                    if (!hit->answer("gzip", "").body.empty()) ++answered;
                } else {
                    cache.store(key, PageCache::keep(page_of(key, 30)), g);
                }
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_GT(answered.load(), 0);
    EXPECT_EQ(cache.stats().entries, 20u);
}
