#include "identity/store.hpp"

#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <algorithm>

namespace uslugi::identity {

namespace {

constexpr const char* kAccountColumns =
    "id, kind, level, status, surname_enc, name_enc, phone_enc, email_enc, snils_bidx, password_hash, "
    "password_changed_at, security_question, security_answer_hash, two_factor, totp_secret_enc, notify_signin, "
    "lang, created_at, updated_at, roles, confirmed_method, confirmed_at";

std::vector<std::string> split_roles(const std::string& joined) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < joined.size()) {
        const std::size_t end = std::min(joined.find(' ', at), joined.size());
        if (end > at) out.push_back(joined.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

std::string or_empty(const std::string& v, soci::indicator ind) { return ind == soci::i_ok ? v : std::string(); }

// Where a sealed value of an account or a challenge lives (core::SealContext):
// the row's id is its key. Both ids are only known after the INSERT, so
// create() inserts the row first and seals into it in the same transaction:
// nobody sees the row in between, and the id binds the value to this one row
// more firmly than any other key could (two rows never share it).
core::SealContext account_field(std::string_view column, std::int64_t account_id) {
    return {"identity_accounts", column, account_id};
}
core::SealContext challenge_field(std::string_view column, std::int64_t challenge_id) {
    return {"identity_challenges", column, challenge_id};
}

}  // namespace

// ---- accounts ----------------------------------------------------------------------------

std::int64_t AccountStore::create(soci::session& tx, const Account& a, std::int64_t now) {
    const std::string level(to_string(a.level));
    const std::string phone_idx = a.phone.empty() ? "" : index("phone", a.phone);
    const std::string email_idx = a.email.empty() ? "" : index("email", a.email);
    soci::indicator phone_idx_ind = a.phone.empty() ? soci::i_null : soci::i_ok;
    soci::indicator email_idx_ind = a.email.empty() ? soci::i_null : soci::i_ok;
    soci::indicator pw_ind = a.password_hash.empty() ? soci::i_null : soci::i_ok;
    const long long t = now;
    if (!a.phone.empty() && contact_taken(tx, {ContactKind::phone, a.phone})) throw ContactTaken("phone");
    if (!a.email.empty() && contact_taken(tx, {ContactKind::email, a.email})) throw ContactTaken("email");
    long long id = 0;
    try {
        tx << "INSERT INTO identity_accounts (kind, level, phone_bidx, email_bidx, password_hash, "
              "password_changed_at, lang, created_at, updated_at) VALUES (:k, :l, :pi, :ei, :pw, :pt, :lang, :c, :u) "
              "RETURNING id",
            soci::use(a.kind), soci::use(level), soci::use(phone_idx, phone_idx_ind),
            soci::use(email_idx, email_idx_ind), soci::use(a.password_hash, pw_ind), soci::use(t), soci::use(a.lang),
            soci::use(t), soci::use(t), soci::into(id);
    } catch (const soci::soci_error& e) {
        // Two registrations of one contact racing: the unique index decides.
        if (db::is_unique_violation(e)) throw ContactTaken(a.phone.empty() ? "email" : "phone");
        throw;
    }
    const std::string surname = protector_.seal(a.surname, account_field("surname_enc", id));
    const std::string name = protector_.seal(a.name, account_field("name_enc", id));
    const std::string phone = protector_.seal(a.phone, account_field("phone_enc", id));
    const std::string email = protector_.seal(a.email, account_field("email_enc", id));
    soci::indicator sur_ind = a.surname.empty() ? soci::i_null : soci::i_ok;
    soci::indicator name_ind = a.name.empty() ? soci::i_null : soci::i_ok;
    soci::indicator phone_ind = a.phone.empty() ? soci::i_null : soci::i_ok;
    soci::indicator email_ind = a.email.empty() ? soci::i_null : soci::i_ok;
    tx << "UPDATE identity_accounts SET surname_enc = :s, name_enc = :n, phone_enc = :p, email_enc = :e WHERE id = :id",
        soci::use(surname, sur_ind), soci::use(name, name_ind), soci::use(phone, phone_ind),
        soci::use(email, email_ind), soci::use(id);
    return id;
}

db::ResealResult AccountStore::reseal() {
    return db::reseal_legacy_values(
        db_, protector_,
        {"identity_accounts", "id", {}, {"surname_enc", "name_enc", "phone_enc", "email_enc", "totp_secret_enc"},
         [](const std::string& column, std::int64_t id, const std::vector<std::string>&) {
             return account_field(column, id);
         }});
}

namespace {
// One identity_accounts row as kAccountColumns lists it. A kept statement
// reuses these variables from row to row (SOCI leaves a NULL's variable as
// it was), so every nullable column is read through its indicator.
struct AccountRow {
    long long aid = 0, pw_changed = 0, created = 0, updated = 0, confirmed_at = 0;
    int notify = 0;
    std::string kind, level, status, surname, name, phone, email, snils, pw, question, answer, two_factor, totp,
        lang, roles, method;
    soci::indicator i_sur = soci::i_null, i_name = soci::i_null, i_phone = soci::i_null, i_email = soci::i_null,
                    i_snils = soci::i_null, i_pw = soci::i_null, i_pwc = soci::i_null, i_q = soci::i_null,
                    i_a = soci::i_null, i_totp = soci::i_null, i_method = soci::i_null, i_cat = soci::i_null;

    // Prepares `SELECT kAccountColumns FROM identity_accounts WHERE where` on
    // `st`, with `key` bound to :k and the columns bound to this row.
    template <class Use>
    void prepare(soci::statement& st, const Use& key, const std::string& where, soci::details::statement_type type) {
        st.exchange(key);
        bind(st);
        st.alloc();
        st.prepare(std::string("SELECT ") + kAccountColumns + " FROM identity_accounts WHERE " + where, type);
        st.define_and_bind();
    }

private:
    void bind(soci::statement& st) {
        st.exchange(soci::into(aid));
        st.exchange(soci::into(kind));
        st.exchange(soci::into(level));
        st.exchange(soci::into(status));
        st.exchange(soci::into(surname, i_sur));
        st.exchange(soci::into(name, i_name));
        st.exchange(soci::into(phone, i_phone));
        st.exchange(soci::into(email, i_email));
        st.exchange(soci::into(snils, i_snils));
        st.exchange(soci::into(pw, i_pw));
        st.exchange(soci::into(pw_changed, i_pwc));
        st.exchange(soci::into(question, i_q));
        st.exchange(soci::into(answer, i_a));
        st.exchange(soci::into(two_factor));
        st.exchange(soci::into(totp, i_totp));
        st.exchange(soci::into(notify));
        st.exchange(soci::into(lang));
        st.exchange(soci::into(created));
        st.exchange(soci::into(updated));
        st.exchange(soci::into(roles));
        st.exchange(soci::into(method, i_method));
        st.exchange(soci::into(confirmed_at, i_cat));
    }
};

// The statement /account and the security pages read their account with, kept prepared.
struct AccountById : db::Prepared {
    long long key = 0;
    AccountRow row;
    soci::statement st;
    explicit AccountById(soci::session& sql) : st(sql) {
        row.prepare(st, soci::use(key), "id = :k", soci::details::st_repeatable_query);
    }
};

Account account_of(const AccountRow& r, const core::DataProtector& protector) {
    Account a;
    a.id = r.aid;
    a.kind = r.kind;
    a.lang = r.lang;
    a.two_factor = r.two_factor;
    a.roles = split_roles(r.roles);
    a.confirmed_method = or_empty(r.method, r.i_method);
    a.confirmed_at = r.i_cat == soci::i_ok ? r.confirmed_at : 0;
    a.level = parse_level(r.level);
    a.status = r.status == "active" ? AccountStatus::active : AccountStatus::deleted;
    a.surname = protector.open(or_empty(r.surname, r.i_sur), account_field("surname_enc", r.aid));
    a.name = protector.open(or_empty(r.name, r.i_name), account_field("name_enc", r.aid));
    a.phone = protector.open(or_empty(r.phone, r.i_phone), account_field("phone_enc", r.aid));
    a.email = protector.open(or_empty(r.email, r.i_email), account_field("email_enc", r.aid));
    a.has_snils = r.i_snils == soci::i_ok;
    a.password_hash = or_empty(r.pw, r.i_pw);
    a.password_changed_at = r.i_pwc == soci::i_ok ? r.pw_changed : 0;
    a.security_question = or_empty(r.question, r.i_q);
    a.security_answer_hash = or_empty(r.answer, r.i_a);
    a.totp_secret = protector.open(or_empty(r.totp, r.i_totp), account_field("totp_secret_enc", r.aid));
    a.notify_signin = r.notify != 0;
    a.created_at = r.created;
    a.updated_at = r.updated;
    return a;
}
}  // namespace

std::optional<Account> AccountStore::find(std::int64_t id) {
    db::Connection c(db_);
    auto& q = c.prepared<AccountById>();
    q.key = id;
    if (!db::run_prepared(c, q.st)) return std::nullopt;
    return account_of(q.row, protector_);
}

std::optional<Account> AccountStore::find(soci::session& s, std::int64_t id) {
    return load(s, "id = CAST(:k AS BIGINT)", std::to_string(id));
}

std::optional<Account> AccountStore::find_account_by_login(const Login& login) {
    const char* column = login.kind == LoginKind::phone ? "phone_bidx"
                         : login.kind == LoginKind::email ? "email_bidx"
                                                          : "snils_bidx";
    const char* domain = login.kind == LoginKind::phone ? "phone" : login.kind == LoginKind::email ? "email" : "snils";
    db::Connection c(db_);
    auto a = load(*c, std::string("status = 'active' AND ") + column + " = :k", index(domain, login.value));
    return a;
}

std::optional<Account> AccountStore::load(soci::session& s, const std::string& where, const std::string& key) {
    AccountRow row;
    soci::statement st(s);
    row.prepare(st, soci::use(key), where, soci::details::st_one_time_query);
    if (!st.execute(true) || !st.got_data()) return std::nullopt;
    return account_of(row, protector_);
}


namespace {
// What every signed-in request reads of its account, kept prepared on each
// connection; NULL names leave their variables as they were, so read them
// through the indicators.
struct BriefLookup : db::Prepared {
    long long key = 0;
    std::string level, status, surname, name, roles, kind;
    int in_organisations = 0;
    soci::indicator i_sur = soci::i_null, i_name = soci::i_null;
    soci::statement st;
    explicit BriefLookup(soci::session& sql)
        : st((sql.prepare << "SELECT level, status, surname_enc, name_enc, roles, kind, in_organisations "
                             "FROM identity_accounts WHERE id = :id",
              soci::use(key), soci::into(level), soci::into(status), soci::into(surname, i_sur),
              soci::into(name, i_name), soci::into(roles), soci::into(kind), soci::into(in_organisations))) {}
};
}  // namespace

std::optional<Account> AccountStore::find_brief(std::int64_t id) {
    db::Connection c(db_);
    auto& q = c.prepared<BriefLookup>();
    q.key = id;
    if (!db::run_prepared(c, q.st)) return std::nullopt;
    Account a;
    a.in_organisations = q.in_organisations != 0;
    a.roles = split_roles(q.roles);
    a.kind = q.kind;
    a.id = id;
    a.level = parse_level(q.level);
    a.status = q.status == "active" ? AccountStatus::active : AccountStatus::deleted;
    a.surname = protector_.open(or_empty(q.surname, q.i_sur), account_field("surname_enc", id));
    a.name = protector_.open(or_empty(q.name, q.i_name), account_field("name_enc", id));
    return a;
}

void AccountStore::mark_in_organisations(soci::session& tx, std::int64_t id) {
    const long long key = id;
    tx << "UPDATE identity_accounts SET in_organisations = 1 WHERE id = :id AND in_organisations = 0", soci::use(key);
}

std::optional<std::int64_t> AccountStore::find_by_login(const Login& login) {
    const char* column = login.kind == LoginKind::phone ? "phone_bidx"
                         : login.kind == LoginKind::email ? "email_bidx"
                                                          : "snils_bidx";
    const char* domain = login.kind == LoginKind::phone ? "phone" : login.kind == LoginKind::email ? "email" : "snils";
    const std::string idx = index(domain, login.value);
    long long id = 0;
    db::Connection c(db_);
    *c << std::string("SELECT id FROM identity_accounts WHERE status = 'active' AND ") + column + " = :i",
        soci::use(idx), soci::into(id);
    if (!c->got_data()) return std::nullopt;
    return id;
}

bool AccountStore::contact_taken(soci::session& s, const Contact& contact, std::int64_t except_account) {
    const bool phone = contact.kind == ContactKind::phone;
    const std::string idx = index(phone ? "phone" : "email", contact.value);
    const long long except = except_account;
    long long n = 0;
    s << std::string("SELECT COUNT(*) FROM identity_accounts WHERE ") + (phone ? "phone_bidx" : "email_bidx") +
             " = :i AND id <> :e",
        soci::use(idx), soci::use(except), soci::into(n);
    return n > 0;
}

void AccountStore::set_password(soci::session& tx, std::int64_t id, const std::string& hash, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET password_hash = :h, password_changed_at = :t, updated_at = :u WHERE id = :id",
        soci::use(hash), soci::use(t), soci::use(t), soci::use(key);
}

void AccountStore::set_level(soci::session& tx, std::int64_t id, Level level, std::int64_t now) {
    const long long key = id, t = now;
    const std::string l(to_string(level));
    if (level == Level::confirmed) {
        tx << "UPDATE identity_accounts SET level = :l, updated_at = :u WHERE id = :id", soci::use(l), soci::use(t),
            soci::use(key);
        return;
    }
    // Below confirmed, how it was once confirmed no longer holds.
    tx << "UPDATE identity_accounts SET level = :l, confirmed_method = NULL, confirmed_at = NULL, updated_at = :u "
          "WHERE id = :id",
        soci::use(l), soci::use(t), soci::use(key);
}

bool AccountStore::raise_to_confirmed(soci::session& tx, std::int64_t id, const std::string& method,
                                      std::int64_t now) {
    const long long key = id, t = now;
    soci::statement st =
        (tx.prepare << "UPDATE identity_accounts SET level = 'confirmed', confirmed_method = :m, confirmed_at = :t, "
                       "updated_at = :u WHERE id = :id AND level = 'standard' AND status = 'active'",
         soci::use(method), soci::use(t), soci::use(t), soci::use(key));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool AccountStore::set_snils(soci::session& tx, std::int64_t id, const std::string& snils, std::int64_t now) {
    const std::string idx = index("snils", snils);
    const long long key = id, t = now;
    long long other = 0;
    tx << "SELECT COUNT(*) FROM identity_accounts WHERE snils_bidx = :i AND id <> :id", soci::use(idx), soci::use(key),
        soci::into(other);
    if (other > 0) return false;
    try {
        tx << "UPDATE identity_accounts SET snils_bidx = :i, updated_at = :u WHERE id = :id", soci::use(idx),
            soci::use(t), soci::use(key);
    } catch (const soci::soci_error& e) {
        if (db::is_unique_violation(e)) return false;
        throw;
    }
    return true;
}

void AccountStore::clear_snils(soci::session& tx, std::int64_t id, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET snils_bidx = NULL, updated_at = :u WHERE id = :id", soci::use(t), soci::use(key);
}

bool AccountStore::set_passport(soci::session& tx, std::int64_t id, const std::string& passport, std::int64_t now) {
    const std::string idx = index("passport", passport);
    const long long key = id, t = now;
    long long other = 0;
    tx << "SELECT COUNT(*) FROM identity_accounts WHERE passport_bidx = :i AND id <> :id", soci::use(idx),
        soci::use(key), soci::into(other);
    if (other > 0) return false;
    try {
        tx << "UPDATE identity_accounts SET passport_bidx = :i, updated_at = :u WHERE id = :id", soci::use(idx),
            soci::use(t), soci::use(key);
    } catch (const soci::soci_error& e) {
        if (db::is_unique_violation(e)) return false;
        throw;
    }
    return true;
}

void AccountStore::clear_passport(soci::session& tx, std::int64_t id, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET passport_bidx = NULL, updated_at = :u WHERE id = :id", soci::use(t),
        soci::use(key);
}

std::optional<std::int64_t> AccountStore::find_by_passport(const std::string& passport) {
    const std::string idx = index("passport", passport);
    long long id = 0;
    db::Connection c(db_);
    *c << "SELECT id FROM identity_accounts WHERE status = 'active' AND passport_bidx = :i", soci::use(idx),
        soci::into(id);
    if (!c->got_data()) return std::nullopt;
    return id;
}

void AccountStore::set_names(soci::session& tx, std::int64_t id, const std::string& surname, const std::string& name,
                             std::int64_t now) {
    const std::string s = protector_.seal(surname, account_field("surname_enc", id));
    const std::string n = protector_.seal(name, account_field("name_enc", id));
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET surname_enc = :s, name_enc = :n, updated_at = :u WHERE id = :id", soci::use(s),
        soci::use(n), soci::use(t), soci::use(key);
}

void AccountStore::set_contact(soci::session& tx, std::int64_t id, ContactKind kind, const std::string& value,
                               std::int64_t now) {
    const bool phone = kind == ContactKind::phone;
    if (!value.empty() && contact_taken(tx, {kind, value}, id)) throw ContactTaken(phone ? "phone" : "email");
    const std::string sealed = protector_.seal(value, account_field(phone ? "phone_enc" : "email_enc", id));
    const std::string idx = value.empty() ? "" : index(phone ? "phone" : "email", value);
    soci::indicator ind = value.empty() ? soci::i_null : soci::i_ok, idx_ind = ind;
    const long long key = id, t = now;
    const std::string sql = phone ? "UPDATE identity_accounts SET phone_enc = :v, phone_bidx = :i, updated_at = :u WHERE id = :id"
                                  : "UPDATE identity_accounts SET email_enc = :v, email_bidx = :i, updated_at = :u WHERE id = :id";
    try {
        tx << sql, soci::use(sealed, ind), soci::use(idx, idx_ind), soci::use(t), soci::use(key);
    } catch (const soci::soci_error& e) {
        if (db::is_unique_violation(e)) throw ContactTaken(phone ? "phone" : "email");
        throw;
    }
}

void AccountStore::set_security_question(soci::session& tx, std::int64_t id, const std::string& question,
                                         const std::string& answer_hash, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET security_question = :q, security_answer_hash = :a, updated_at = :u WHERE id = :id",
        soci::use(question), soci::use(answer_hash), soci::use(t), soci::use(key);
}

void AccountStore::set_two_factor(soci::session& tx, std::int64_t id, const std::string& mode,
                                  const std::string& totp_secret, std::int64_t now) {
    const std::string sealed = protector_.seal(totp_secret, account_field("totp_secret_enc", id));
    soci::indicator ind = totp_secret.empty() ? soci::i_null : soci::i_ok;
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET two_factor = :m, totp_secret_enc = :s, updated_at = :u WHERE id = :id",
        soci::use(mode), soci::use(sealed, ind), soci::use(t), soci::use(key);
}

bool AccountStore::use_totp_step(std::int64_t id, std::int64_t step) {
    const long long key = id, st = step;
    db::Connection c(db_);
    soci::statement u = (c->prepare << "UPDATE identity_accounts SET totp_last_step = :s WHERE id = :id AND "
                                       "totp_last_step < :s2",
                         soci::use(st), soci::use(key), soci::use(st));
    u.execute(true);
    return u.get_affected_rows() == 1;
}

void AccountStore::set_notify_signin(soci::session& tx, std::int64_t id, bool on, std::int64_t now) {
    const long long key = id, t = now;
    const int v = on ? 1 : 0;
    tx << "UPDATE identity_accounts SET notify_signin = :v, updated_at = :u WHERE id = :id", soci::use(v), soci::use(t),
        soci::use(key);
}

void AccountStore::set_lang(soci::session& tx, std::int64_t id, const std::string& lang, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET lang = :l, updated_at = :u WHERE id = :id", soci::use(lang), soci::use(t),
        soci::use(key);
}

void AccountStore::erase(soci::session& tx, std::int64_t id, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_accounts SET status = 'deleted', surname_enc = NULL, name_enc = NULL, phone_enc = NULL, "
          "phone_bidx = NULL, email_enc = NULL, email_bidx = NULL, snils_bidx = NULL, passport_bidx = NULL, password_hash = NULL, "
          "security_question = NULL, security_answer_hash = NULL, two_factor = 'off', totp_secret_enc = NULL, "
          "notify_signin = 0, roles = '', deleted_at = :d, updated_at = :u WHERE id = :id",
        soci::use(t), soci::use(t), soci::use(key);
    // A deleted account acts for nobody.
    tx << "DELETE FROM identity_staff_roles WHERE account_id = :id", soci::use(key);
}

// ---- challenges --------------------------------------------------------------------------

std::int64_t ChallengeStore::create(soci::session& tx, const Challenge& c, const std::string& link_hash) {
    end_for_session(tx, c.session_hash, c.purpose, c.created_at);
    soci::indicator dest_ind = c.destination.empty() ? soci::i_null : soci::i_ok;
    soci::indicator payload_ind = c.payload.empty() ? soci::i_null : soci::i_ok;
    soci::indicator link_ind = link_hash.empty() ? soci::i_null : soci::i_ok;
    const long long account = c.account_id.value_or(0), created = c.created_at, expires = c.expires_at;
    soci::indicator account_ind = c.account_id ? soci::i_ok : soci::i_null;
    const std::string dest_idx = c.destination.empty() ? "" : protector_.blind_index("destination", c.destination);
    soci::indicator dest_idx_ind = dest_ind;
    long long id = 0;
    tx << "INSERT INTO identity_challenges (purpose, session_hash, account_id, channel, destination_bidx, link_hash, "
          "created_at, expires_at) VALUES (:p, :s, :a, :ch, :di, :lh, :c, :e) RETURNING id",
        soci::use(c.purpose), soci::use(c.session_hash), soci::use(account, account_ind), soci::use(c.channel),
        soci::use(dest_idx, dest_idx_ind), soci::use(link_hash, link_ind), soci::use(created), soci::use(expires),
        soci::into(id);
    const std::string dest = protector_.seal(c.destination, challenge_field("destination_enc", id));
    const std::string payload = protector_.seal(c.payload, challenge_field("payload_enc", id));
    tx << "UPDATE identity_challenges SET destination_enc = :d, payload_enc = :pl WHERE id = :id",
        soci::use(dest, dest_ind), soci::use(payload, payload_ind), soci::use(id);
    return id;
}

db::ResealResult ChallengeStore::reseal() {
    return db::reseal_legacy_values(db_, protector_,
                                    {"identity_challenges", "id", {}, {"destination_enc", "payload_enc"},
                                     [](const std::string& column, std::int64_t id, const std::vector<std::string>&) {
                                         return challenge_field(column, id);
                                     }});
}

std::optional<Challenge> ChallengeStore::load(soci::session& s, std::int64_t challenge_id, std::int64_t now) {
    Challenge c;
    long long id = 0, account = 0, code_exp = 0, code_sent = 0, confirmed = 0, used = 0, created = 0, expires = 0;
    int code_failures = 0, failures = 0, sends = 0;
    std::string dest, payload, code_hash;
    soci::indicator i_acc, i_dest, i_payload, i_code, i_conf, i_used;
    const long long t = now, key = challenge_id;
    s << "SELECT id, purpose, session_hash, account_id, channel, destination_enc, payload_enc, code_hash, "
         "code_expires_at, code_sent_at, code_failures, failures, sends, confirmed_at, used_at, created_at, expires_at "
         "FROM identity_challenges WHERE id = :id AND used_at IS NULL AND expires_at > :t",
        soci::use(key), soci::use(t), soci::into(id), soci::into(c.purpose), soci::into(c.session_hash),
        soci::into(account, i_acc), soci::into(c.channel), soci::into(dest, i_dest), soci::into(payload, i_payload),
        soci::into(code_hash, i_code), soci::into(code_exp), soci::into(code_sent), soci::into(code_failures),
        soci::into(failures), soci::into(sends), soci::into(confirmed, i_conf), soci::into(used, i_used),
        soci::into(created), soci::into(expires);
    if (!s.got_data()) return std::nullopt;
    c.id = id;
    if (i_acc == soci::i_ok) c.account_id = account;
    c.destination = protector_.open(or_empty(dest, i_dest), challenge_field("destination_enc", id));
    c.payload = protector_.open(or_empty(payload, i_payload), challenge_field("payload_enc", id));
    c.code_hash = or_empty(code_hash, i_code);
    c.code_expires_at = code_exp;
    c.code_sent_at = code_sent;
    c.code_failures = code_failures;
    c.failures = failures;
    c.sends = sends;
    if (i_conf == soci::i_ok) c.confirmed_at = confirmed;
    if (i_used == soci::i_ok) c.used_at = used;
    c.created_at = created;
    c.expires_at = expires;
    return c;
}

std::optional<Challenge> ChallengeStore::current(const std::string& session_hash, const std::string& purpose,
                                                 std::int64_t now) {
    db::Connection c(db_);
    long long id = 0;
    const long long t = now;
    *c << "SELECT id FROM identity_challenges WHERE session_hash = :s AND purpose = :p AND used_at IS NULL AND "
          "expires_at > :t ORDER BY id DESC LIMIT 1",
        soci::use(session_hash), soci::use(purpose), soci::use(t), soci::into(id);
    if (!c->got_data()) return std::nullopt;
    return load(*c, id, now);
}

std::optional<Challenge> ChallengeStore::find_by_link(const std::string& link_hash, std::int64_t now) {
    db::Connection c(db_);
    long long id = 0;
    *c << "SELECT id FROM identity_challenges WHERE link_hash = :h", soci::use(link_hash), soci::into(id);
    if (!c->got_data()) return std::nullopt;
    return load(*c, id, now);
}

void ChallengeStore::set_code(soci::session& tx, std::int64_t id, const std::string& code, std::int64_t expires_at,
                              std::int64_t now) {
    const std::string hash = code_hash(id, code);
    const long long key = id, exp = expires_at, t = now;
    tx << "UPDATE identity_challenges SET code_hash = :h, code_expires_at = :e, code_sent_at = :t, code_failures = 0, "
          "sends = sends + 1 WHERE id = :id",
        soci::use(hash), soci::use(exp), soci::use(t), soci::use(key);
}

void ChallengeStore::set_link(soci::session& tx, std::int64_t id, const std::string& link_hash, std::int64_t expires_at,
                              std::int64_t now) {
    const long long key = id, exp = expires_at, t = now;
    tx << "UPDATE identity_challenges SET link_hash = :h, code_expires_at = :e, code_sent_at = :t, sends = sends + 1 "
          "WHERE id = :id",
        soci::use(link_hash), soci::use(exp), soci::use(t), soci::use(key);
}

CodeCheck ChallengeStore::check_code(std::int64_t id, const std::string& typed, const CodeRules& rules,
                                     std::int64_t now) {
    return db::transact(db_, [&](soci::session& tx) {
        const long long key = id, t = now;
        const int per_code = rules.tries_per_code, total = rules.max_failures;
        std::string hash;
        long long expires = 0;
        soci::indicator i_hash;
        tx << "SELECT code_hash, code_expires_at FROM identity_challenges WHERE id = :id AND used_at IS NULL",
            soci::use(key), soci::into(hash, i_hash), soci::into(expires);
        if (!tx.got_data() || i_hash != soci::i_ok) return CodeCheck::no_code;
        if (expires <= t) return CodeCheck::expired;
        // Take a try first; only a wrong code keeps it.
        soci::statement take = (tx.prepare << "UPDATE identity_challenges SET code_failures = code_failures + 1, "
                                              "failures = failures + 1 WHERE id = :id AND code_failures < :pc AND "
                                              "failures < :tf AND used_at IS NULL",
                                soci::use(key), soci::use(per_code), soci::use(total));
        take.execute(true);
        if (take.get_affected_rows() == 0) return CodeCheck::no_tries_left;
        if (!core::constant_time_equal(code_hash(id, normalize_code(typed)), hash)) return CodeCheck::wrong;
        tx << "UPDATE identity_challenges SET code_failures = code_failures - 1, failures = failures - 1, "
              "code_hash = NULL, confirmed_at = :t WHERE id = :id",
            soci::use(t), soci::use(key);
        return CodeCheck::ok;
    });
}

bool ChallengeStore::take_try(std::int64_t id, int max_failures) {
    const long long key = id;
    db::Connection c(db_);
    soci::statement take = (c->prepare << "UPDATE identity_challenges SET failures = failures + 1 WHERE id = :id AND "
                                          "failures < :m AND used_at IS NULL",
                            soci::use(key), soci::use(max_failures));
    take.execute(true);
    return take.get_affected_rows() == 1;
}

void ChallengeStore::give_back_try(soci::session& tx, std::int64_t id) {
    const long long key = id;
    tx << "UPDATE identity_challenges SET failures = failures - 1 WHERE id = :id AND failures > 0", soci::use(key);
}

void ChallengeStore::confirm(soci::session& tx, std::int64_t id, const std::string& session_hash, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_challenges SET confirmed_at = :t, session_hash = :s, link_hash = NULL WHERE id = :id",
        soci::use(t), soci::use(session_hash), soci::use(key);
}

void ChallengeStore::mark_used(soci::session& tx, std::int64_t id, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_challenges SET used_at = :t, code_hash = NULL, link_hash = NULL, payload_enc = NULL "
          "WHERE id = :id",
        soci::use(t), soci::use(key);
}

void ChallengeStore::end_for_session(soci::session& tx, const std::string& session_hash, const std::string& purpose,
                                     std::int64_t now) {
    const long long t = now;
    tx << "UPDATE identity_challenges SET used_at = :t, code_hash = NULL, link_hash = NULL, payload_enc = NULL "
          "WHERE session_hash = :s AND purpose = :p AND used_at IS NULL",
        soci::use(t), soci::use(session_hash), soci::use(purpose);
}

int ChallengeStore::purge(std::int64_t now) {
    const long long t = now - 24 * 3600;
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM identity_challenges WHERE expires_at <= :t", soci::use(t));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

// ---- throttles ---------------------------------------------------------------------------

std::int64_t ThrottleStore::wait(const std::string& key, std::int64_t now) {
    long long until = 0;
    db::Connection c(db_);
    *c << "SELECT blocked_until FROM identity_throttles WHERE key = :k", soci::use(key), soci::into(until);
    if (!c->got_data()) return 0;
    return until > now ? until - now : 0;
}

std::int64_t ThrottleStore::fail(const std::string& key, const ThrottlePolicy& policy, std::int64_t now) {
    return db::transact(db_, [&](soci::session& tx) -> std::int64_t {
        const long long t = now, forget = now - policy.forget_after;
        tx << "INSERT INTO identity_throttles (key, failures, last_failure_at, blocked_until) VALUES (:k, 1, :t, 0) "
              "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN identity_throttles.last_failure_at < :f "
              "AND identity_throttles.blocked_until < :t2 THEN 1 ELSE identity_throttles.failures + 1 END, "
              "last_failure_at = :t3",
            soci::use(key), soci::use(t), soci::use(forget), soci::use(t), soci::use(t);
        int failures = 0;
        tx << "SELECT failures FROM identity_throttles WHERE key = :k", soci::use(key), soci::into(failures);
        const long long wait = wait_after_failures(policy, failures);
        const long long until = now + wait;
        tx << "UPDATE identity_throttles SET blocked_until = :u WHERE key = :k", soci::use(until), soci::use(key);
        return wait;
    });
}

namespace {
// Takes one attempt on `key` in one statement: a new counter starts at one
// failure, an old one is forgotten after its time or counts one more, and a
// key still waiting is left alone (no row comes back). The row lock
// (PostgreSQL) or the write lock (SQLite) makes it a compare-and-set: a
// concurrent attempt sees the wait set after it.
std::optional<int> take_attempt(soci::session& s, const std::string& key, const ThrottlePolicy& policy,
                                std::int64_t now) {
    const long long t = now, forget = now - policy.forget_after;
    int failures = 0;
    s << "INSERT INTO identity_throttles (key, failures, last_failure_at, blocked_until) VALUES (:k, 1, :t, 0) "
         "ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN identity_throttles.last_failure_at < :f "
         "AND identity_throttles.blocked_until < :t2 THEN 1 ELSE identity_throttles.failures + 1 END, "
         "last_failure_at = :t3 WHERE identity_throttles.blocked_until <= :t4 RETURNING failures",
        soci::use(key), soci::use(t), soci::use(forget), soci::use(t), soci::use(t), soci::use(t),
        soci::into(failures);
    if (!s.got_data()) return std::nullopt;
    return failures;
}

// Gives one attempt back, reading the counter first (inside the caller's transaction).
void refund_in(soci::session& tx, const std::string& key, const ThrottlePolicy& policy) {
    int failures = 0;
    long long last = 0;
    tx << "SELECT failures, last_failure_at FROM identity_throttles WHERE key = :k", soci::use(key),
        soci::into(failures), soci::into(last);
    if (!tx.got_data() || failures <= 0) return;
    const int left = failures - 1;
    const long long until = left > 0 ? last + wait_after_failures(policy, left) : 0;
    tx << "UPDATE identity_throttles SET failures = :n, blocked_until = :u WHERE key = :k", soci::use(left),
        soci::use(until), soci::use(key);
}

// Gives back the attempt `taken` counted, in one statement when nobody
// counted another on the key since (the usual case); otherwise as refund_in.
void refund_taken(soci::session& tx, const ThrottleStore::Taken& taken) {
    if (taken.failures > 0) {
        const int left = taken.failures - 1;
        const long long at = taken.at, until = left > 0 ? taken.at + wait_after_failures(taken.policy, left) : 0;
        const int was = taken.failures;
        int now_left = -1;
        // RETURNING tells whether the row matched without a prepared statement
        // of its own (on PostgreSQL that would be three round trips, not one).
        tx << "UPDATE identity_throttles SET failures = :n, blocked_until = :u "
              "WHERE key = :k AND failures = :f AND last_failure_at = :t RETURNING failures",
            soci::use(left), soci::use(until), soci::use(taken.key), soci::use(was), soci::use(at), soci::into(now_left);
        if (tx.got_data()) return;
    }
    refund_in(tx, taken.key, taken.policy);
}
}  // namespace

ThrottleStore::Reservation ThrottleStore::reserve(const std::vector<std::pair<std::string, ThrottlePolicy>>& keys,
                                                  std::int64_t now) {
    Reservation r;
    db::Connection c(db_);
    db::Transaction tx(c);
    for (const auto& [key, policy] : keys) {
        const std::optional<int> failures = take_attempt(*c, key, policy, now);
        if (!failures) {
            long long until = 0;
            *c << "SELECT blocked_until FROM identity_throttles WHERE key = :k", soci::use(key), soci::into(until);
            r.refused_for = std::max<std::int64_t>(1, until - now);
            r.taken.clear();
            return r;  // rolled back: a refused attempt counts nothing
        }
        const long long wait = wait_after_failures(policy, *failures), until = now + wait;
        // A wait of 0 needs no write: blocked_until is already in the past.
        if (wait > 0)
            *c << "UPDATE identity_throttles SET blocked_until = :u WHERE key = :k", soci::use(until), soci::use(key);
        r.wait_if_wrong = std::max<std::int64_t>(r.wait_if_wrong, wait);
        r.taken.push_back({key, policy, *failures, now});
    }
    tx.commit();
    return r;
}

void ThrottleStore::refund(const std::string& key, const ThrottlePolicy& policy) {
    db::transact(db_, [&](soci::session& tx) { refund_in(tx, key, policy); });
}

void ThrottleStore::settle(const std::vector<Taken>& cleared, const std::vector<Taken>& refunded) {
    if (cleared.empty() && refunded.empty()) return;
    db::transact(db_, [&](soci::session& tx) {
        for (const auto& t : cleared) tx << "DELETE FROM identity_throttles WHERE key = :k", soci::use(t.key);
        for (const auto& t : refunded) refund_taken(tx, t);
    });
}

std::vector<std::pair<std::string, std::int64_t>> ThrottleStore::waits(const std::vector<std::string>& keys,
                                                                    std::int64_t now) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    if (keys.empty()) return out;
    std::string sql = "SELECT key, blocked_until FROM identity_throttles WHERE key IN (";
    for (std::size_t i = 0; i < keys.size(); ++i) sql += (i ? ", :k" : ":k") + std::to_string(i);
    sql += ")";
    std::string key;
    long long until = 0;
    db::Connection c(db_);
    soci::statement st(*c);
    st.alloc();
    st.prepare(sql);
    for (const auto& k : keys) st.exchange(soci::use(k));
    st.exchange(soci::into(key));
    st.exchange(soci::into(until));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) out.emplace_back(key, until > now ? until - now : 0);
    return out;
}

std::int64_t ThrottleStore::longest_wait(const std::vector<std::string>& keys, std::int64_t now) {
    std::int64_t longest = 0;
    for (const auto& [key, wait] : waits(keys, now)) longest = std::max(longest, wait);
    return longest;
}

void ThrottleStore::clear(const std::string& key) {
    db::Connection c(db_);
    *c << "DELETE FROM identity_throttles WHERE key = :k", soci::use(key);
}

int ThrottleStore::purge(std::int64_t older_than) {
    const long long t = older_than;
    db::Connection c(db_);
    soci::statement st = (c->prepare << "DELETE FROM identity_throttles WHERE last_failure_at < :t AND blocked_until < :t2",
                          soci::use(t), soci::use(t));
    st.execute(true);
    return static_cast<int>(st.get_affected_rows());
}

// ---- audit -------------------------------------------------------------------------------

void AuditLog::record(soci::session& tx, const AuditEntry& e) {
    const long long at = e.at, account = e.account_id;
    auto ind = [](const std::string& s) { return s.empty() ? soci::i_null : soci::i_ok; };
    soci::indicator i1 = ind(e.actor_id), i2 = ind(e.actor_name), i3 = ind(e.organisation), i4 = ind(e.fields),
                    i5 = ind(e.reason), i6 = ind(e.ip), i7 = ind(e.device);
    tx << "INSERT INTO identity_audit (at, account_id, actor_kind, actor_id, actor_name, organisation, action, fields, "
          "reason, ip, device) VALUES (:at, :a, :k, :ai, :an, :o, :ac, :f, :r, :ip, :d)",
        soci::use(at), soci::use(account), soci::use(e.actor_kind), soci::use(e.actor_id, i1),
        soci::use(e.actor_name, i2), soci::use(e.organisation, i3), soci::use(e.action), soci::use(e.fields, i4),
        soci::use(e.reason, i5), soci::use(e.ip, i6), soci::use(e.device, i7);
}

void AuditLog::record(const AuditEntry& e) {
    db::Connection c(db_);
    record(*c, e);
}

namespace {

// Which of an account's entries a listing shows (the :a placeholder is the account).
constexpr const char* kEverything = "account_id = :a";
constexpr const char* kByOthers = "account_id = :a AND actor_kind <> 'self' AND actor_kind <> 'system'";
constexpr const char* kOwn = "account_id = :a AND actor_kind IN ('self', 'system')";

AuditEntry audit_from(const soci::row& r) {
    auto text = [&r](std::size_t i) { return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string(); };
    auto integer = [&r](std::size_t i) -> std::int64_t {
        if (r.get_properties(i).get_data_type() == soci::dt_integer) return r.get<int>(i);
        return r.get<long long>(i);
    };
    AuditEntry e;
    e.id = integer(0);
    e.at = integer(1);
    e.account_id = integer(2);
    e.actor_kind = text(3);
    e.actor_id = text(4);
    e.actor_name = text(5);
    e.organisation = text(6);
    e.action = text(7);
    e.fields = text(8);
    e.reason = text(9);
    e.ip = text(10);
    e.device = text(11);
    return e;
}

std::vector<AuditEntry> select_audit(db::Database& db, const char* where, std::int64_t account_id, int limit,
                                     int offset) {
    std::vector<AuditEntry> out;
    const long long account = account_id;
    db::Connection c(db);
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT id, at, account_id, actor_kind, actor_id, actor_name, organisation, action, "
                                   "fields, reason, ip, device FROM identity_audit WHERE ") +
                           where + " ORDER BY at DESC, id DESC LIMIT " + std::to_string(limit) + " OFFSET " +
                           std::to_string(offset),
         soci::use(account));
    for (const auto& r : rows) out.push_back(audit_from(r));
    return out;
}

int count_audit(db::Database& db, const char* where, std::int64_t account_id) {
    const long long account = account_id;
    long long n = 0;
    db::Connection c(db);
    *c << std::string("SELECT COUNT(*) FROM identity_audit WHERE ") + where, soci::use(account), soci::into(n);
    return static_cast<int>(n);
}

}  // namespace

std::vector<AuditEntry> AuditLog::list(std::int64_t account_id, bool by_others, int limit, int offset) {
    return select_audit(db_, by_others ? kByOthers : kEverything, account_id, limit, offset);
}

int AuditLog::count(std::int64_t account_id, bool by_others) {
    return count_audit(db_, by_others ? kByOthers : kEverything, account_id);
}

std::vector<AuditEntry> AuditLog::list_own(std::int64_t account_id, int limit, int offset) {
    return select_audit(db_, kOwn, account_id, limit, offset);
}

int AuditLog::count_own(std::int64_t account_id) { return count_audit(db_, kOwn, account_id); }

void AuditLog::erase_network_details(soci::session& tx, std::int64_t account_id) {
    const long long account = account_id;
    tx << "UPDATE identity_audit SET ip = NULL, device = NULL WHERE account_id = :a", soci::use(account);
}

}  // namespace uslugi::identity
