#pragma once
// Rate limits kept in the database, so every instance behind the proxy counts
// the same hits: a fixed window per key ("validate:203.0.113.5"), one atomic
// upsert per hit.
#include <chrono>
#include <cstdint>
#include <string>

#include "db/database.hpp"

namespace uslugi::http {

struct RateDecision {
    bool allowed = true;
    int hits = 0;                    // in the current window, this one included
    std::int64_t retry_after = 0;    // seconds until the window ends, when refused
};

class RateLimiter {
public:
    explicit RateLimiter(db::Database& db) : db_(db) {}
    // Counts a hit for `key`; refused once more than `limit` hits fall in one window.
    RateDecision hit(const std::string& key, int limit, std::chrono::seconds window);
    // Forgets windows that ended before `older_than` (unix seconds); returns how many.
    int purge(std::int64_t older_than);

private:
    db::Database& db_;
};

}  // namespace uslugi::http
