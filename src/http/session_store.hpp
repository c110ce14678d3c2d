#pragma once
// Server-side sessions, for signed-in users and anonymous visitors alike
// (language, display mode, region). The cookie holds a random 256-bit token;
// the database holds only its SHA-256, so a leaked table opens no session.
#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace uslugi::http {

struct SessionData {
    std::string id_hash;
    std::string csrf_token;
    std::optional<std::int64_t> account_id;
    std::string lang;
    bool vi_mode = false;  // version for the visually impaired
    std::string region;
    std::string settlement;
    bool remember = false;
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
    std::int64_t idle_timeout = 0;  // seconds without a request before it ends
    std::int64_t expires_at = 0;    // absolute end
};

struct SessionPolicy {
    std::int64_t anonymous_idle = 180LL * 24 * 3600;  // preferences outlive a browser restart
    std::int64_t anonymous_absolute = 365LL * 24 * 3600;
    std::int64_t touch_interval = 60;                 // write last_seen at most once a minute
};

class SessionStore {
public:
    explicit SessionStore(db::Database& db, SessionPolicy policy = {}) : db_(db), policy_(policy) {}

    // The live session for a cookie token, refreshing last_seen when due.
    std::optional<SessionData> find(const std::string& token);
    // A new anonymous session; returns the token for the cookie.
    std::string create(SessionData& out, const std::string& lang);
    // Saves the preference fields (lang, vi_mode, region, settlement).
    void save_preferences(const SessionData& s);
    void destroy(const std::string& id_hash);
    // Deletes ended sessions; returns how many.
    int purge_expired();

    const SessionPolicy& policy() const { return policy_; }

private:
    db::Database& db_;
    SessionPolicy policy_;
};

}  // namespace uslugi::http
