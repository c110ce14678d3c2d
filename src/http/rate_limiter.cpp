#include "http/rate_limiter.hpp"

#include "core/clock.hpp"

namespace uslugi::http {

RateDecision RateLimiter::hit(const std::string& key, int limit, std::chrono::seconds window) {
    const long long now = core::now_unix();
    const long long length = window.count();
    const long long start = now - now % length;
    int hits = 0;
    db::Connection c(db_);
    // One statement: concurrent hits on the same key serialise on the row.
    *c << "INSERT INTO http_rate_limits (key, window_start, hits) VALUES (:k, :w, 1) "
          "ON CONFLICT (key) DO UPDATE SET "
          "hits = CASE WHEN http_rate_limits.window_start = excluded.window_start THEN http_rate_limits.hits + 1 ELSE 1 END, "
          "window_start = excluded.window_start "
          "RETURNING hits",
        soci::use(key), soci::use(start), soci::into(hits);
    RateDecision d;
    d.hits = hits;
    d.allowed = hits <= limit;
    if (!d.allowed) d.retry_after = start + length - now;
    return d;
}

int RateLimiter::purge(std::int64_t older_than) {
    const long long before = older_than;
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM http_rate_limits WHERE window_start < :t", soci::use(before));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

}  // namespace uslugi::http
