#include "identity/profile_store.hpp"

#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace uslugi::identity {

namespace {

std::string or_empty(const std::string& v, soci::indicator ind) { return ind == soci::i_ok ? v : std::string(); }

// Where a sealed value of a profile lives (core::SealContext): a profile is
// the account's, one per account, so the account id is its row's key.
core::SealContext profile_field(std::string_view column, std::int64_t account_id) {
    return {"identity_profiles", column, account_id};
}

constexpr const char* kVerificationColumns =
    "id, account_id, profile_version, state, reason, pfr_state, pfr_reason, pfr_detail, mvd_state, mvd_reason, "
    "mvd_detail, fns_state, fns_reason, fns_detail, created_at, updated_at, finished_at";

std::optional<Verification> load_verification(soci::session& s, const std::string& where, long long key) {
    Verification v;
    long long id = 0, account = 0, created = 0, updated = 0, finished = 0;
    int version = 0;
    std::string state, reason, ps, pr, pd, ms, mr, md, fs, fr, fd;
    soci::indicator i_reason, i_pr, i_pd, i_mr, i_md, i_fr, i_fd, i_fin;
    s << std::string("SELECT ") + kVerificationColumns + " FROM identity_verifications WHERE " + where,
        soci::use(key), soci::into(id), soci::into(account), soci::into(version), soci::into(state),
        soci::into(reason, i_reason), soci::into(ps), soci::into(pr, i_pr), soci::into(pd, i_pd), soci::into(ms),
        soci::into(mr, i_mr), soci::into(md, i_md), soci::into(fs), soci::into(fr, i_fr), soci::into(fd, i_fd),
        soci::into(created), soci::into(updated), soci::into(finished, i_fin);
    if (!s.got_data()) return std::nullopt;
    v.id = id;
    v.account_id = account;
    v.profile_version = version;
    v.state = verification_state_from_string(state);
    v.reason = or_empty(reason, i_reason);
    v.pfr = {step_state_from_string(ps), or_empty(pr, i_pr), or_empty(pd, i_pd)};
    v.mvd = {step_state_from_string(ms), or_empty(mr, i_mr), or_empty(md, i_md)};
    v.fns = {step_state_from_string(fs), or_empty(fr, i_fr), or_empty(fd, i_fd)};
    v.created_at = created;
    v.updated_at = updated;
    v.finished_at = i_fin == soci::i_ok ? finished : 0;
    return v;
}

}  // namespace

bool Verification::running() const {
    if (state == VerificationState::checking) return true;
    return state == VerificationState::passed && !is_final(fns.state);
}

std::string profile_to_json(const Profile& p) {
    nlohmann::json j = nlohmann::json::object();
    for (auto field : profile_fields()) j[std::string(field)] = field_value(p, field);
    return j.dump();
}

Profile profile_from_json(const std::string& text) {
    Profile p;
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) throw std::runtime_error("a stored profile is not a JSON object");
    for (auto field : profile_fields()) {
        auto it = j.find(std::string(field));
        if (it != j.end() && it->is_string()) set_field(p, field, it->get<std::string>());
    }
    return p;
}

// ---- profiles ------------------------------------------------------------------------------

std::optional<StoredProfile> ProfileStore::find(std::int64_t account_id) {
    db::Connection c(db_);
    return find(*c, account_id);
}

std::optional<StoredProfile> ProfileStore::find(soci::session& s, std::int64_t account_id) {
    const long long key = account_id;
    std::string data, inn;
    int version = 0;
    long long updated = 0, submitted = 0;
    soci::indicator i_inn, i_sub;
    s << "SELECT data_enc, inn_enc, version, updated_at, submitted_at FROM identity_profiles WHERE account_id = :a",
        soci::use(key), soci::into(data), soci::into(inn, i_inn), soci::into(version), soci::into(updated),
        soci::into(submitted, i_sub);
    if (!s.got_data()) return std::nullopt;
    StoredProfile p;
    p.account_id = account_id;
    p.data = profile_from_json(protector_.open(data, profile_field("data_enc", account_id)));
    p.inn = protector_.open(or_empty(inn, i_inn), profile_field("inn_enc", account_id));
    p.version = version;
    p.updated_at = updated;
    p.submitted_at = i_sub == soci::i_ok ? submitted : 0;
    return p;
}

void ProfileStore::save(soci::session& tx, std::int64_t account_id, const Profile& p, int version, bool submitted,
                        std::int64_t now) {
    const std::string sealed = protector_.seal(profile_to_json(p), profile_field("data_enc", account_id));
    const long long key = account_id, t = now, sub = now;
    const int v = version;
    soci::indicator sub_ind = submitted ? soci::i_ok : soci::i_null;
    // Both dialects know INSERT … ON CONFLICT (SQLite since 3.24).
    tx << "INSERT INTO identity_profiles (account_id, data_enc, version, updated_at, submitted_at) "
          "VALUES (:a, :d, :v, :u, :s) ON CONFLICT (account_id) DO UPDATE SET data_enc = excluded.data_enc, "
          "version = excluded.version, updated_at = excluded.updated_at, "
          "submitted_at = COALESCE(identity_profiles.submitted_at, excluded.submitted_at)",
        soci::use(key), soci::use(sealed), soci::use(v), soci::use(t), soci::use(sub, sub_ind);
}

void ProfileStore::set_inn(soci::session& tx, std::int64_t account_id, const std::string& inn, std::int64_t now) {
    const std::string sealed = protector_.seal(inn, profile_field("inn_enc", account_id));
    soci::indicator ind = inn.empty() ? soci::i_null : soci::i_ok;
    const long long key = account_id, t = now;
    tx << "UPDATE identity_profiles SET inn_enc = :i, updated_at = :u WHERE account_id = :a", soci::use(sealed, ind),
        soci::use(t), soci::use(key);
}

db::ResealResult ProfileStore::reseal() {
    return db::reseal_legacy_values(db_, protector_,
                                    {"identity_profiles", "account_id", {}, {"data_enc", "inn_enc"},
                                     [](const std::string& column, std::int64_t account_id,
                                        const std::vector<std::string>&) { return profile_field(column, account_id); }});
}

void ProfileStore::erase(soci::session& tx, std::int64_t account_id) {
    const long long key = account_id;
    tx << "DELETE FROM identity_verification_events WHERE verification_id IN "
          "(SELECT id FROM identity_verifications WHERE account_id = :a)",
        soci::use(key);
    tx << "DELETE FROM identity_verifications WHERE account_id = :a", soci::use(key);
    tx << "DELETE FROM identity_profiles WHERE account_id = :a", soci::use(key);
}

// ---- verifications ------------------------------------------------------------------------

std::int64_t ProfileStore::create_verification(soci::session& tx, std::int64_t account_id, int version,
                                               const std::string& actor, std::int64_t now) {
    const long long key = account_id, t = now;
    const int v = version;
    long long id = 0;
    tx << "INSERT INTO identity_verifications (account_id, profile_version, state, created_at, updated_at) "
          "VALUES (:a, :v, 'checking', :c, :u) RETURNING id",
        soci::use(key), soci::use(v), soci::use(t), soci::use(t), soci::into(id);
    record(tx, id, actor, "overall", std::string(to_string(VerificationState::not_sent)),
           std::string(to_string(VerificationState::checking)), "", now);
    return id;
}

std::optional<Verification> ProfileStore::verification(std::int64_t id) {
    db::Connection c(db_);
    return verification(*c, id);
}

std::optional<Verification> ProfileStore::verification(soci::session& s, std::int64_t id) {
    return load_verification(s, "id = :id", id);
}

std::optional<Verification> ProfileStore::latest(std::int64_t account_id) {
    db::Connection c(db_);
    return latest(*c, account_id);
}

std::optional<Verification> ProfileStore::latest(soci::session& s, std::int64_t account_id) {
    return load_verification(
        s, "id = (SELECT MAX(id) FROM identity_verifications WHERE account_id = :a)", account_id);
}

void ProfileStore::lock(soci::session& tx, std::int64_t id, std::int64_t now) {
    const long long key = id, t = now;
    tx << "UPDATE identity_verifications SET updated_at = :u WHERE id = :id", soci::use(t), soci::use(key);
}

bool ProfileStore::set_state(soci::session& tx, const Verification& v, VerificationState to,
                             const std::string& reason, const std::string& actor, std::int64_t now) {
    if (!can_transition(v.state, to))
        throw std::logic_error("verification " + std::to_string(v.id) + ": " + std::string(to_string(v.state)) +
                               " → " + std::string(to_string(to)) + " is not allowed");
    const std::string from_s(to_string(v.state)), to_s(to_string(to));
    soci::indicator reason_ind = reason.empty() ? soci::i_null : soci::i_ok;
    const long long key = v.id, t = now;
    soci::statement st = (tx.prepare << "UPDATE identity_verifications SET state = :to, reason = :r, updated_at = :u, "
                                        "finished_at = COALESCE(finished_at, :f) WHERE id = :id AND state = :from",
                          soci::use(to_s), soci::use(reason, reason_ind), soci::use(t), soci::use(t), soci::use(key),
                          soci::use(from_s));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    record(tx, v.id, actor, "overall", from_s, to_s, reason, now);
    return true;
}

bool ProfileStore::set_step(soci::session& tx, const Verification& v, Registry r, StepState to,
                            const std::string& reason, const std::string& detail, const std::string& actor,
                            std::int64_t now) {
    const StepState from = v.step(r).state;
    if (!can_transition(from, to))
        throw std::logic_error("verification " + std::to_string(v.id) + " step " + std::string(to_string(r)) + ": " +
                               std::string(to_string(from)) + " → " + std::string(to_string(to)) + " is not allowed");
    const std::string col(to_string(r));  // from the enum, never from input
    const std::string from_s(to_string(from)), to_s(to_string(to));
    soci::indicator reason_ind = reason.empty() ? soci::i_null : soci::i_ok;
    soci::indicator detail_ind = detail.empty() ? soci::i_null : soci::i_ok;
    const long long key = v.id, t = now;
    soci::statement st =
        (tx.prepare << "UPDATE identity_verifications SET " + col + "_state = :to, " + col + "_reason = :r, " + col +
                           "_detail = :d, updated_at = :u WHERE id = :id AND " + col + "_state = :from",
         soci::use(to_s), soci::use(reason, reason_ind), soci::use(detail, detail_ind), soci::use(t), soci::use(key),
         soci::use(from_s));
    st.execute(true);
    if (st.get_affected_rows() != 1) return false;
    record(tx, v.id, actor, col, from_s, to_s, reason, now);
    return true;
}

void ProfileStore::record(soci::session& tx, std::int64_t verification_id, const std::string& actor,
                          const std::string& subject, const std::string& from, const std::string& to,
                          const std::string& reason, std::int64_t now) {
    const long long key = verification_id, t = now;
    soci::indicator reason_ind = reason.empty() ? soci::i_null : soci::i_ok;
    tx << "INSERT INTO identity_verification_events (verification_id, at, actor, subject, from_state, to_state, reason) "
          "VALUES (:v, :at, :actor, :s, :f, :t, :r)",
        soci::use(key), soci::use(t), soci::use(actor), soci::use(subject), soci::use(from), soci::use(to),
        soci::use(reason, reason_ind);
}

std::vector<VerificationEvent> ProfileStore::events(std::int64_t verification_id) {
    std::vector<VerificationEvent> out;
    db::Connection c(db_);
    const long long key = verification_id;
    soci::rowset<soci::row> rows = (c->prepare << "SELECT id, at, actor, subject, from_state, to_state, reason FROM "
                                                  "identity_verification_events WHERE verification_id = :v ORDER BY id",
                                    soci::use(key));
    for (const soci::row& r : rows) {
        VerificationEvent e;
        e.verification_id = verification_id;
        e.id = r.get_properties(0).get_data_type() == soci::dt_integer ? r.get<int>(0) : r.get<long long>(0);
        e.at = r.get_properties(1).get_data_type() == soci::dt_integer ? r.get<int>(1) : r.get<long long>(1);
        e.actor = r.get<std::string>(2);
        e.subject = r.get<std::string>(3);
        e.from = r.get<std::string>(4);
        e.to = r.get<std::string>(5);
        e.reason = r.get_indicator(6) == soci::i_ok ? r.get<std::string>(6) : "";
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace uslugi::identity
