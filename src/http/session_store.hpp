#pragma once
// Server-side sessions, for signed-in users and for anonymous visitors who
// have something to remember (a registration or recovery in progress, a chosen
// language, display mode, time zone or region); merely showing a form stores nothing (see
// csrf.hpp). The cookie holds a random 256-bit token; the database holds only
// its SHA-256, so a leaked table opens no session.
#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::http {

struct SessionData {
    std::string id_hash;
    std::string csrf_token;
    std::optional<std::int64_t> account_id;
    std::string lang;
    bool vi_mode = false;  // version for the visually impaired
    // Its font size, colours and spacing (http/render.hpp: ViOptions), kept while the mode is off.
    // Stored with vi_mode in one column (bit 0 the mode, the rest these), so rows from before keep meaning.
    int vi_options = 0;
    std::string time_zone;  // IANA name chosen in /settings; empty: the configured default
    std::string region;
    std::string settlement;
    bool remember = false;
    std::int64_t created_at = 0;
    std::int64_t last_seen_at = 0;
    std::int64_t idle_timeout = 0;  // seconds without a request before it ends
    std::int64_t expires_at = 0;    // absolute end
    std::int64_t signed_in_at = 0;  // 0: nobody signed in
    std::string ip, device;         // where the sign-in came from

    // What of the session a page for a visitor without an account may look
    // different by, besides the language and time zone the request carries:
    // part of the shared page cache's key. A new preference that changes
    // pages must be added here.
    std::string view_key() const;
};

// A signed-in session as the list of active sessions shows it (ID-6).
struct SessionInfo {
    std::string handle;  // the first 16 hex digits of id_hash: names it in forms, opens nothing
    std::int64_t signed_in_at = 0, last_seen_at = 0, expires_at = 0;
    std::string ip, device;
    bool remember = false;
    bool current = false;
};

struct SessionPolicy {
    // Anonymous rows are cheap to make, so they must not live long: a few hours
    // cover a registration or recovery (a phone code lives an hour, an e-mail
    // link a day but opens a session of its own) and keep a chosen language for
    // the visit; a script making rows by the thousand gets them purged the same day.
    std::int64_t anonymous_idle = 4 * 3600;
    std::int64_t anonymous_absolute = 24 * 3600;
    std::int64_t touch_interval = 60;                 // write last_seen at most once a minute
    // Signed in for this browser session only / with "remember me".
    std::int64_t signed_in_idle = 30 * 60;
    std::int64_t signed_in_absolute = 12 * 3600;
    std::int64_t remembered_idle = 30LL * 24 * 3600;
    std::int64_t remembered_absolute = 90LL * 24 * 3600;
};

class SessionStore {
public:
    explicit SessionStore(db::Database& db, SessionPolicy policy = {}) : db_(db), policy_(policy) {}

    // The live session for a cookie token, refreshing last_seen when due.
    std::optional<SessionData> find(const std::string& token);
    // A new anonymous session; returns the token for the cookie. `csrf_token`
    // keeps the token the visitor's open forms already carry (from the CSRF
    // cookie); empty: a fresh one.
    std::string create(SessionData& out, const std::string& lang, const std::string& csrf_token = "");
    // Saves the preference fields (lang, vi_mode, time_zone, region, settlement).
    void save_preferences(const SessionData& s);
    void destroy(const std::string& id_hash);
    // Signs an account in: the old session ends and a new one (new token, new
    // CSRF token, the same preferences) takes its place, so a token planted
    // before sign-in is worthless after it. Updates `s`; returns the new token.
    std::string sign_in(SessionData& s, std::int64_t account_id, bool remember, const std::string& ip,
                        const std::string& device);
    // The same inside the caller's transaction `tx` (which commits it), so
    // that what else a sign-in writes commits with the new session. A session
    // without a row yet (no id_hash) just gets one.
    std::string sign_in(soci::session& tx, SessionData& s, std::int64_t account_id, bool remember,
                        const std::string& ip, const std::string& device);
    // Signs out: the session ends; a fresh anonymous one keeps the preferences.
    std::string sign_out(SessionData& s);
    std::vector<SessionInfo> list_for_account(std::int64_t account_id, const std::string& current_hash);
    // Ends the account's sessions except `keep_hash` ("" ends all); returns how many.
    int end_for_account(std::int64_t account_id, const std::string& keep_hash);
    // Ends one of the account's sessions by its handle; false if there is none.
    bool end_by_handle(std::int64_t account_id, const std::string& handle);
    // Deletes ended sessions (idle too long or past their absolute end), through
    // the index on ends_at; returns how many.
    int purge_expired();

    const SessionPolicy& policy() const { return policy_; }

private:
    db::Database& db_;
    SessionPolicy policy_;
};

}  // namespace uslugi::http
