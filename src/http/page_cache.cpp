#include "http/page_cache.hpp"

#include "core/crypto.hpp"

#include <functional>

namespace uslugi::http {

std::size_t CachedPage::bytes() const {
    std::size_t n = content.bytes() + content_type.size() + sizeof(CachedPage);
    for (const auto& [name, value] : headers) n += name.size() + value.size();
    return n;
}

Response CachedPage::answer(std::string_view accept_encoding, std::string_view if_none_match) const {
    Response r;
    r.status = status;
    r.content_type = content_type;
    r.headers = headers;
    r.cacheable = true;
    r.set_header("ETag", content.etag);
    // Private: the page depends on the visitor's language and place, which a
    // shared cache on the way does not see; revalidated on every visit.
    r.set_header("Cache-Control", "private, no-cache");
    if (content.varies()) r.set_header("Vary", "Accept-Encoding");
    if (etag_matches(if_none_match, content.etag)) {
        r.status = Status::not_modified;
        r.content_type.clear();
        return r;
    }
    content.answer(accept_encoding, r);
    return r;
}

std::shared_ptr<const CachedPage> PageCache::keep(const Response& response) {
    if (response.status != Status::ok) return nullptr;
    auto page = std::make_shared<CachedPage>();
    for (const auto& h : response.headers) {
        // A cookie belongs to one visitor; an encoded body would be encoded twice.
        if (h.first == "Set-Cookie" || h.first == "Content-Encoding" || h.first == "Cache-Control") return nullptr;
        page->headers.push_back(h);
    }
    page->status = response.status;
    page->content_type = response.content_type;
    // Weak: the same page is sent in several codings under one tag.
    const std::string etag = "W/\"" + core::sha256_hex(response.body).substr(0, 20) + "\"";
    // Made on a visitor's request, so levels that cost about a millisecond
    // for a large page rather than tens (an unseen search costs one render).
    page->content = Precompressed::make(response.body, etag, is_compressible(response.content_type), 9, 5);
    return page;
}

PageCache::Shard& PageCache::shard_for(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const CachedPage> PageCache::find(const std::string& key) {
    Shard& s = shard_for(key);
    const std::uint64_t current = generation();
    std::lock_guard lock(s.mutex);
    auto it = s.entries.find(key);
    if (it == s.entries.end() || s.generation != current) {
        misses_.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    s.order.splice(s.order.begin(), s.order, it->second.position);
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.page;
}

void PageCache::evict_oldest(Shard& s) {
    auto it = s.entries.find(s.order.back());
    s.bytes -= it->second.page->bytes() + it->first.size();
    s.entries.erase(it);
    s.order.pop_back();
}

void PageCache::store(const std::string& key, std::shared_ptr<const CachedPage> page, std::uint64_t generation) {
    if (!page || max_bytes_ == 0) return;
    const std::size_t budget = max_bytes_ / kShards;
    const std::size_t size = page->bytes() + key.size();
    if (size > budget) return;
    Shard& s = shard_for(key);
    std::lock_guard lock(s.mutex);
    if (generation != generation_.load(std::memory_order_acquire)) return;  // rendered from old content
    if (s.generation != generation) {  // the first store since invalidate(): drop the old pages
        s.entries.clear();
        s.order.clear();
        s.bytes = 0;
        s.generation = generation;
    }
    if (auto it = s.entries.find(key); it != s.entries.end()) {
        s.bytes -= it->second.page->bytes() + key.size();
        s.order.erase(it->second.position);
        s.entries.erase(it);
    }
    while (!s.order.empty() && s.bytes + size > budget) evict_oldest(s);
    s.order.push_front(key);
    s.entries.emplace(key, Entry{std::move(page), s.order.begin()});
    s.bytes += size;
}

void PageCache::invalidate() { generation_.fetch_add(1, std::memory_order_acq_rel); }

PageCache::Stats PageCache::stats() const {
    Stats st;
    st.hits = hits_.load(std::memory_order_relaxed);
    st.misses = misses_.load(std::memory_order_relaxed);
    const std::uint64_t current = generation_.load(std::memory_order_acquire);
    for (const Shard& s : shards_) {
        std::lock_guard lock(const_cast<std::mutex&>(s.mutex));
        if (s.generation != current) continue;
        st.entries += s.entries.size();
        st.bytes += s.bytes;
    }
    return st;
}

}  // namespace uslugi::http
