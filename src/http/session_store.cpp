#include "http/session_store.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "db/transaction.hpp"

#include <algorithm>

namespace uslugi::http {

namespace {
// When a session ends unless a request comes first: what the purge looks up by index.
long long ends_at(std::int64_t last_seen_at, std::int64_t idle_timeout, std::int64_t expires_at) {
    return std::min(last_seen_at + idle_timeout, expires_at);
}

constexpr const char* kSelect =
    "SELECT id_hash, csrf_token, account_id, lang, vi_mode, region, settlement, remember, "
    "created_at, last_seen_at, idle_timeout, expires_at, signed_in_at, ip, device, time_zone FROM http_sessions "
    "WHERE id_hash = :h";
}

std::string SessionData::view_key() const {
    std::string key(vi_mode ? "vi" + std::to_string(vi_options) : "-");
    key.append(1, '|').append(region).append(1, '|').append(settlement);
    return key;
}

namespace {
// The lookup every request with a session cookie makes, kept prepared on each
// connection. Its variables keep the last row's values (SOCI leaves a NULL's
// variable as it was): read each through its indicator into a fresh SessionData.
struct SessionLookup : db::Prepared {
    std::string hash;
    std::string id_hash, csrf_token, lang, region, settlement, ip, device, time_zone;
    long long account = 0, created = 0, seen = 0, idle = 0, expires = 0, signed_in = 0;
    int vi = 0, remember = 0;
    soci::indicator account_ind = soci::i_null, region_ind = soci::i_null, settlement_ind = soci::i_null,
                    signed_in_ind = soci::i_null, ip_ind = soci::i_null, device_ind = soci::i_null,
                    zone_ind = soci::i_null;
    soci::statement st;
    explicit SessionLookup(soci::session& sql)
        : st((sql.prepare << kSelect, soci::use(hash), soci::into(id_hash), soci::into(csrf_token),
              soci::into(account, account_ind), soci::into(lang), soci::into(vi), soci::into(region, region_ind),
              soci::into(settlement, settlement_ind), soci::into(remember), soci::into(created), soci::into(seen),
              soci::into(idle), soci::into(expires), soci::into(signed_in, signed_in_ind), soci::into(ip, ip_ind),
              soci::into(device, device_ind), soci::into(time_zone, zone_ind))) {}

    std::string text(const std::string& value, soci::indicator ind) const { return ind == soci::i_ok ? value : ""; }
};
}  // namespace

std::optional<SessionData> SessionStore::find(const std::string& token) {
    if (token.size() < 32 || token.size() > 64) return std::nullopt;
    const std::string hash = core::sha256_hex(token);
    db::Connection c(db_);
    auto& q = c.prepared<SessionLookup>();
    q.hash = hash;
    if (!db::run_prepared(c, q.st)) return std::nullopt;
    const long long created = q.created, seen = q.seen, idle = q.idle, expires = q.expires;
    const std::int64_t now = core::now_unix();
    if (now >= expires || now >= seen + idle) {
        *c << "DELETE FROM http_sessions WHERE id_hash = :h", soci::use(hash);
        return std::nullopt;
    }
    SessionData s;
    s.id_hash = q.id_hash;
    s.csrf_token = q.csrf_token;
    s.lang = q.lang;
    if (q.account_ind == soci::i_ok) s.account_id = q.account;
    if (q.signed_in_ind == soci::i_ok) s.signed_in_at = q.signed_in;
    s.region = q.text(q.region, q.region_ind);
    s.settlement = q.text(q.settlement, q.settlement_ind);
    s.ip = q.text(q.ip, q.ip_ind);
    s.device = q.text(q.device, q.device_ind);
    s.time_zone = q.text(q.time_zone, q.zone_ind);
    s.vi_mode = (q.vi & 1) != 0;
    s.vi_options = q.vi >> 1;
    s.remember = q.remember != 0;
    s.created_at = created;
    s.last_seen_at = seen;
    s.idle_timeout = idle;
    s.expires_at = expires;
    if (now - seen >= policy_.touch_interval) {
        const long long now_ll = now, ends = ends_at(now, idle, expires);
        *c << "UPDATE http_sessions SET last_seen_at = :t, ends_at = :e WHERE id_hash = :h", soci::use(now_ll),
            soci::use(ends), soci::use(hash);
        s.last_seen_at = now;
    }
    return s;
}

std::string SessionStore::create(SessionData& s, const std::string& lang, const std::string& csrf_token) {
    const std::string token = core::random_token(32);
    s = SessionData{};
    s.id_hash = core::sha256_hex(token);
    s.csrf_token = csrf_token.empty() ? core::random_token(32) : csrf_token;
    s.lang = lang;
    s.created_at = s.last_seen_at = core::now_unix();
    s.idle_timeout = policy_.anonymous_idle;
    s.expires_at = s.created_at + policy_.anonymous_absolute;
    const long long created = s.created_at, idle = s.idle_timeout, expires = s.expires_at,
                    ends = ends_at(created, idle, expires);
    db::Connection c(db_);
    *c << "INSERT INTO http_sessions (id_hash, csrf_token, lang, vi_mode, remember, created_at, "
          "last_seen_at, idle_timeout, expires_at, ends_at) VALUES (:h, :c, :l, 0, 0, :t, :t2, :i, :e, :end)",
        soci::use(s.id_hash), soci::use(s.csrf_token), soci::use(s.lang), soci::use(created),
        soci::use(created), soci::use(idle), soci::use(expires), soci::use(ends);
    return token;
}

void SessionStore::save_preferences(const SessionData& s) {
    const int vi = (s.vi_mode ? 1 : 0) | (s.vi_options << 1);
    soci::indicator region_ind = s.region.empty() ? soci::i_null : soci::i_ok;
    soci::indicator settlement_ind = s.settlement.empty() ? soci::i_null : soci::i_ok;
    soci::indicator zone_ind = s.time_zone.empty() ? soci::i_null : soci::i_ok;
    db::Connection c(db_);
    *c << "UPDATE http_sessions SET lang = :l, vi_mode = :v, region = :r, settlement = :s, time_zone = :z "
          "WHERE id_hash = :h",
        soci::use(s.lang), soci::use(vi), soci::use(s.region, region_ind),
        soci::use(s.settlement, settlement_ind), soci::use(s.time_zone, zone_ind), soci::use(s.id_hash);
}

void SessionStore::destroy(const std::string& id_hash) {
    db::Connection c(db_);
    *c << "DELETE FROM http_sessions WHERE id_hash = :h", soci::use(id_hash);
}

std::string SessionStore::sign_in(SessionData& s, std::int64_t account_id, bool remember, const std::string& ip,
                                  const std::string& device) {
    db::Connection c(db_);
    db::Transaction tx(c);
    std::string token = sign_in(*c, s, account_id, remember, ip, device);
    tx.commit();
    return token;
}

std::string SessionStore::sign_in(soci::session& tx, SessionData& s, std::int64_t account_id, bool remember,
                                  const std::string& ip, const std::string& device) {
    const std::string old_hash = s.id_hash;
    const std::string token = core::random_token(32);
    s.id_hash = core::sha256_hex(token);
    s.csrf_token = core::random_token(32);
    s.account_id = account_id;
    s.remember = remember;
    s.created_at = s.last_seen_at = s.signed_in_at = core::now_unix();
    s.idle_timeout = remember ? policy_.remembered_idle : policy_.signed_in_idle;
    s.expires_at = s.created_at + (remember ? policy_.remembered_absolute : policy_.signed_in_absolute);
    s.ip = ip.substr(0, 64);
    s.device = device.substr(0, 120);
    const long long account = account_id, created = s.created_at, idle = s.idle_timeout, expires = s.expires_at,
                    ends = ends_at(created, idle, expires);
    const int vi = (s.vi_mode ? 1 : 0) | (s.vi_options << 1), rem = remember ? 1 : 0;
    soci::indicator region_ind = s.region.empty() ? soci::i_null : soci::i_ok;
    soci::indicator settlement_ind = s.settlement.empty() ? soci::i_null : soci::i_ok;
    soci::indicator zone_ind = s.time_zone.empty() ? soci::i_null : soci::i_ok;
    // The old row becomes the new one in one statement (a new key, every
    // column set); a row that has gone meanwhile (ended, purged) is made anew.
    if (!old_hash.empty()) {
        std::string moved;
        tx << "UPDATE http_sessions SET id_hash = :h, csrf_token = :c, account_id = :a, lang = :l, vi_mode = :v, "
              "region = :r, settlement = :s, remember = :rem, created_at = :t, last_seen_at = :t2, idle_timeout = :i, "
              "expires_at = :e, ends_at = :end, signed_in_at = :t3, ip = :ip, device = :d, time_zone = :z "
              "WHERE id_hash = :old RETURNING id_hash",
            soci::use(s.id_hash), soci::use(s.csrf_token), soci::use(account), soci::use(s.lang), soci::use(vi),
            soci::use(s.region, region_ind), soci::use(s.settlement, settlement_ind), soci::use(rem),
            soci::use(created), soci::use(created), soci::use(idle), soci::use(expires), soci::use(ends),
            soci::use(created), soci::use(s.ip), soci::use(s.device), soci::use(s.time_zone, zone_ind),
            soci::use(old_hash), soci::into(moved);
        if (tx.got_data()) return token;
    }
    tx << "INSERT INTO http_sessions (id_hash, csrf_token, account_id, lang, vi_mode, region, settlement, remember, "
          "created_at, last_seen_at, idle_timeout, expires_at, ends_at, signed_in_at, ip, device, time_zone) VALUES (:h, "
          ":c, :a, :l, :v, :r, :s, :rem, :t, :t2, :i, :e, :end, :t3, :ip, :d, :z)",
        soci::use(s.id_hash), soci::use(s.csrf_token), soci::use(account), soci::use(s.lang), soci::use(vi),
        soci::use(s.region, region_ind), soci::use(s.settlement, settlement_ind), soci::use(rem), soci::use(created),
        soci::use(created), soci::use(idle), soci::use(expires), soci::use(ends), soci::use(created), soci::use(s.ip),
        soci::use(s.device), soci::use(s.time_zone, zone_ind);
    return token;
}

std::string SessionStore::sign_out(SessionData& s) {
    destroy(s.id_hash);
    SessionData fresh;
    const std::string token = create(fresh, s.lang);
    fresh.vi_mode = s.vi_mode;
    fresh.vi_options = s.vi_options;
    fresh.time_zone = s.time_zone;
    fresh.region = s.region;
    fresh.settlement = s.settlement;
    save_preferences(fresh);
    s = fresh;
    return token;
}

std::vector<SessionInfo> SessionStore::list_for_account(std::int64_t account_id, const std::string& current_hash) {
    std::vector<SessionInfo> out;
    const long long account = account_id, now = core::now_unix();
    db::Connection c(db_);
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT id_hash, signed_in_at, last_seen_at, expires_at, idle_timeout, ip, device, remember "
                       "FROM http_sessions WHERE account_id = :a AND expires_at > :n ORDER BY last_seen_at DESC",
         soci::use(account), soci::use(now));
    auto integer = [](const soci::row& r, std::size_t i) -> std::int64_t {
        if (r.get_indicator(i) != soci::i_ok) return 0;
        if (r.get_properties(i).get_data_type() == soci::dt_integer) return r.get<int>(i);
        return r.get<long long>(i);
    };
    auto text = [](const soci::row& r, std::size_t i) {
        return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string();
    };
    for (const auto& r : rows) {
        SessionInfo info;
        const std::string hash = text(r, 0);
        info.signed_in_at = integer(r, 1);
        info.last_seen_at = integer(r, 2);
        info.expires_at = integer(r, 3);
        if (info.last_seen_at + integer(r, 4) <= now) continue;  // idle too long: already over
        info.ip = text(r, 5);
        info.device = text(r, 6);
        info.remember = integer(r, 7) != 0;
        info.handle = hash.substr(0, 16);
        info.current = hash == current_hash;
        out.push_back(std::move(info));
    }
    return out;
}

int SessionStore::end_for_account(std::int64_t account_id, const std::string& keep_hash) {
    const long long account = account_id;
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM http_sessions WHERE account_id = :a AND id_hash <> :k",
                          soci::use(account), soci::use(keep_hash));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

bool SessionStore::end_by_handle(std::int64_t account_id, const std::string& handle) {
    if (handle.size() != 16 || handle.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
    const long long account = account_id;
    const std::string pattern = handle + "%";
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM http_sessions WHERE account_id = :a AND id_hash LIKE :p",
                          soci::use(account), soci::use(pattern));
    st.execute(true);
    return st.get_affected_rows() > 0;
}

int SessionStore::purge_expired() {
    const long long now = core::now_unix();
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM http_sessions WHERE ends_at <= :n", soci::use(now));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

}  // namespace uslugi::http
