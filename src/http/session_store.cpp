#include "http/session_store.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "db/transaction.hpp"

namespace uslugi::http {

namespace {
constexpr const char* kSelect =
    "SELECT id_hash, csrf_token, account_id, lang, vi_mode, region, settlement, remember, "
    "created_at, last_seen_at, idle_timeout, expires_at FROM http_sessions WHERE id_hash = :h";
}

std::optional<SessionData> SessionStore::find(const std::string& token) {
    if (token.size() < 32 || token.size() > 64) return std::nullopt;
    const std::string hash = core::sha256_hex(token);
    SessionData s;
    long long account = 0, created = 0, seen = 0, idle = 0, expires = 0;
    int vi = 0, remember = 0;
    soci::indicator account_ind = soci::i_null, region_ind = soci::i_null, settlement_ind = soci::i_null;
    db::Connection c(db_);
    *c << kSelect, soci::use(hash), soci::into(s.id_hash), soci::into(s.csrf_token),
        soci::into(account, account_ind), soci::into(s.lang), soci::into(vi),
        soci::into(s.region, region_ind), soci::into(s.settlement, settlement_ind), soci::into(remember),
        soci::into(created), soci::into(seen), soci::into(idle), soci::into(expires);
    if (!c->got_data()) return std::nullopt;
    const std::int64_t now = core::now_unix();
    if (now >= expires || now >= seen + idle) {
        *c << "DELETE FROM http_sessions WHERE id_hash = :h", soci::use(hash);
        return std::nullopt;
    }
    if (account_ind == soci::i_ok) s.account_id = account;
    if (region_ind != soci::i_ok) s.region.clear();
    if (settlement_ind != soci::i_ok) s.settlement.clear();
    s.vi_mode = vi != 0;
    s.remember = remember != 0;
    s.created_at = created;
    s.last_seen_at = seen;
    s.idle_timeout = idle;
    s.expires_at = expires;
    if (now - seen >= policy_.touch_interval) {
        const long long now_ll = now;
        *c << "UPDATE http_sessions SET last_seen_at = :t WHERE id_hash = :h", soci::use(now_ll), soci::use(hash);
        s.last_seen_at = now;
    }
    return s;
}

std::string SessionStore::create(SessionData& s, const std::string& lang) {
    const std::string token = core::random_token(32);
    s = SessionData{};
    s.id_hash = core::sha256_hex(token);
    s.csrf_token = core::random_token(32);
    s.lang = lang;
    s.created_at = s.last_seen_at = core::now_unix();
    s.idle_timeout = policy_.anonymous_idle;
    s.expires_at = s.created_at + policy_.anonymous_absolute;
    const long long created = s.created_at, idle = s.idle_timeout, expires = s.expires_at;
    db::Connection c(db_);
    *c << "INSERT INTO http_sessions (id_hash, csrf_token, lang, vi_mode, remember, created_at, "
          "last_seen_at, idle_timeout, expires_at) VALUES (:h, :c, :l, 0, 0, :t, :t2, :i, :e)",
        soci::use(s.id_hash), soci::use(s.csrf_token), soci::use(s.lang), soci::use(created),
        soci::use(created), soci::use(idle), soci::use(expires);
    return token;
}

void SessionStore::save_preferences(const SessionData& s) {
    const int vi = s.vi_mode ? 1 : 0;
    soci::indicator region_ind = s.region.empty() ? soci::i_null : soci::i_ok;
    soci::indicator settlement_ind = s.settlement.empty() ? soci::i_null : soci::i_ok;
    db::Connection c(db_);
    *c << "UPDATE http_sessions SET lang = :l, vi_mode = :v, region = :r, settlement = :s WHERE id_hash = :h",
        soci::use(s.lang), soci::use(vi), soci::use(s.region, region_ind),
        soci::use(s.settlement, settlement_ind), soci::use(s.id_hash);
}

void SessionStore::destroy(const std::string& id_hash) {
    db::Connection c(db_);
    *c << "DELETE FROM http_sessions WHERE id_hash = :h", soci::use(id_hash);
}

int SessionStore::purge_expired() {
    const long long now = core::now_unix();
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM http_sessions WHERE expires_at <= :n OR last_seen_at + idle_timeout <= :n2",
                          soci::use(now), soci::use(now));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

}  // namespace uslugi::http
