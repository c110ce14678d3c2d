#pragma once
// Answers that are the same for every visitor without an account who asks
// the same thing (a catalog page in one language, for one place): rendered
// once, compressed once in every coding, kept in memory and served with an
// ETag. Least recently used entries go when the cache outgrows its budget.
// A new catalog version starts a new generation: what was rendered from the
// old one is dropped, and an answer rendered from it while the swap happened
// is not stored.
#include "http/compress.hpp"
#include "http/response.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace uslugi::http {

struct CachedPage {
    Status status = Status::ok;
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;  // no cookies
    Precompressed content;

    std::size_t bytes() const;
    // The answer for one request: 304 when its If-None-Match names this
    // page, else the body in the coding it accepts best.
    Response answer(std::string_view accept_encoding, std::string_view if_none_match) const;
};

class PageCache {
public:
    explicit PageCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
    std::shared_ptr<const CachedPage> find(const std::string& key);
    // Keeps `page` unless the cache moved to a newer generation than the one
    // the caller read before rendering, or the page alone exceeds a shard's share.
    void store(const std::string& key, std::shared_ptr<const CachedPage> page, std::uint64_t generation);
    // Drops everything: the content the pages were rendered from changed.
    void invalidate();

    // A page worth keeping, made from the handler's answer: its body is
    // compressed now and an ETag derived from it; nullptr if it must not be shared.
    static std::shared_ptr<const CachedPage> keep(const Response& response);

    struct Stats {
        std::uint64_t hits = 0, misses = 0, entries = 0, bytes = 0;
    };
    Stats stats() const;

private:
    static constexpr std::size_t kShards = 16;
    using Lru = std::list<std::string>;
    struct Entry {
        std::shared_ptr<const CachedPage> page;
        Lru::iterator position;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Entry> entries;
        Lru order;  // most recently used first
        std::size_t bytes = 0;
        std::uint64_t generation = 0;
    };
    Shard& shard_for(const std::string& key);
    static void evict_oldest(Shard& s);

    const std::size_t max_bytes_;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::uint64_t> hits_{0}, misses_{0};
    std::array<Shard, kShards> shards_;
};

}  // namespace uslugi::http
