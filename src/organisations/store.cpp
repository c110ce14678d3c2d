#include "organisations/store.hpp"

#include <sstream>

namespace uslugi::organisations {

namespace {

constexpr const char* kOrgColumns = "id, ogrn, inn, kpp, short_name, full_name, address, head_account_id, created_at";
constexpr const char* kMemberColumns = "m.id, m.organisation_id, m.account_id, m.role, m.status, m.services";

// An integer column: SQLite reports its INTEGER PRIMARY KEY ids as int, PostgreSQL BIGINT as long long.
std::int64_t i64(const soci::row& r, std::size_t i) {
    return r.get_properties(i).get_data_type() == soci::dt_integer ? r.get<int>(i) : r.get<long long>(i);
}

Organisation organisation_from(const soci::row& r) {
    Organisation o;
    o.id = i64(r, 0);
    o.ogrn = r.get<std::string>(1);
    o.inn = r.get<std::string>(2);
    o.kpp = r.get<std::string>(3);
    o.short_name = r.get<std::string>(4);
    o.full_name = r.get<std::string>(5);
    o.address = r.get<std::string>(6);
    o.head_account_id = i64(r, 7);
    o.created_at = i64(r, 8);
    return o;
}

Member member_from(const soci::row& r) {
    Member m;
    m.id = i64(r, 0);
    m.organisation_id = i64(r, 1);
    m.account_id = i64(r, 2);
    m.role = role_from_string(r.get<std::string>(3)).value_or(Role::none);
    m.status = member_status_from_string(r.get<std::string>(4)).value_or(MemberStatus::removed);
    m.services = split_words(r.get<std::string>(5));
    return m;
}

std::optional<Organisation> find_where(db::Database& db, const std::string& where, const std::string& key) {
    db::Connection c(db);
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kOrgColumns + " FROM org_organisations WHERE " + where, soci::use(key));
    for (const auto& r : rows) return organisation_from(r);
    return std::nullopt;
}

std::optional<Member> open_member_in(soci::session& s, long long org, long long account) {
    soci::rowset<soci::row> rows =
        (s.prepare << std::string("SELECT ") + kMemberColumns +
                          " FROM org_members m WHERE m.organisation_id = :o AND m.account_id = :a"
                          " AND m.status IN ('invited', 'active') ORDER BY m.id DESC",
         soci::use(org), soci::use(account));
    for (const auto& r : rows) return member_from(r);
    return std::nullopt;
}

}  // namespace

std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

std::int64_t OrganisationStore::create(soci::session& tx, const Organisation& o, std::int64_t now) {
    long long id = 0;
    const long long head = o.head_account_id, t = now;
    tx << "INSERT INTO org_organisations (ogrn, inn, kpp, short_name, full_name, address, head_account_id, created_at) "
          "VALUES (:ogrn, :inn, :kpp, :s, :f, :a, :h, :t) RETURNING id",
        soci::use(o.ogrn), soci::use(o.inn), soci::use(o.kpp), soci::use(o.short_name), soci::use(o.full_name),
        soci::use(o.address), soci::use(head), soci::use(t), soci::into(id);
    return id;
}

std::optional<Organisation> OrganisationStore::find(std::int64_t id) {
    return find_where(db_, "id = CAST(:k AS BIGINT)", std::to_string(id));
}

std::optional<Organisation> OrganisationStore::find_by_ogrn(const std::string& ogrn) {
    return find_where(db_, "ogrn = :k", ogrn);
}

std::int64_t OrganisationStore::add_member(soci::session& tx, const Member& m, std::int64_t invited_by,
                                           std::int64_t now) {
    long long id = 0;
    const long long org = m.organisation_id, account = m.account_id, by = invited_by, t = now;
    const std::string role(to_string(m.role)), status(to_string(m.status)), services = join_words(m.services);
    tx << "INSERT INTO org_members (organisation_id, account_id, role, status, services, invited_by, created_at, "
          "updated_at) VALUES (:o, :a, :r, :s, :sv, :b, :t, :t2) RETURNING id",
        soci::use(org), soci::use(account), soci::use(role), soci::use(status), soci::use(services), soci::use(by),
        soci::use(t), soci::use(t), soci::into(id);
    return id;
}

std::optional<Member> OrganisationStore::member(std::int64_t member_id) {
    db::Connection c(db_);
    const long long id = member_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kMemberColumns + " FROM org_members m WHERE m.id = :id", soci::use(id));
    for (const auto& r : rows) return member_from(r);
    return std::nullopt;
}

std::optional<Member> OrganisationStore::open_member(soci::session& s, std::int64_t organisation_id,
                                                     std::int64_t account_id) {
    return open_member_in(s, organisation_id, account_id);
}

std::optional<Member> OrganisationStore::open_member(std::int64_t organisation_id, std::int64_t account_id) {
    db::Connection c(db_);
    return open_member_in(*c, organisation_id, account_id);
}

std::vector<Member> OrganisationStore::members_of(std::int64_t organisation_id) {
    std::vector<Member> out;
    db::Connection c(db_);
    const long long org = organisation_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kMemberColumns +
                           " FROM org_members m WHERE m.organisation_id = :o AND m.status IN ('invited', 'active')"
                           " ORDER BY CASE m.role WHEN 'head' THEN 0 ELSE 1 END, m.id",
         soci::use(org));
    for (const auto& r : rows) out.push_back(member_from(r));
    return out;
}

std::vector<Membership> OrganisationStore::memberships_of(std::int64_t account_id) {
    std::vector<Membership> out;
    db::Connection c(db_);
    const long long account = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kMemberColumns +
                           ", o.short_name FROM org_members m JOIN org_organisations o ON o.id = m.organisation_id"
                           " WHERE m.account_id = :a AND m.status IN ('invited', 'active') ORDER BY o.short_name, m.id",
         soci::use(account));
    for (const auto& r : rows) out.push_back({member_from(r), r.get<std::string>(6)});
    return out;
}

bool OrganisationStore::set_status(soci::session& tx, std::int64_t member_id, MemberStatus from, MemberStatus to,
                                   std::int64_t now) {
    if (!can_transition(from, to)) return false;
    const long long id = member_id, t = now;
    const std::string f(to_string(from)), s(to_string(to));
    soci::statement st = (tx.prepare << "UPDATE org_members SET status = :s, updated_at = :t WHERE id = :id AND status = :f",
                          soci::use(s), soci::use(t), soci::use(id), soci::use(f));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

void OrganisationStore::set_role(soci::session& tx, std::int64_t member_id, Role role,
                                 const std::vector<std::string>& services, std::int64_t now) {
    const long long id = member_id, t = now;
    const std::string r(to_string(role)), sv = join_words(services);
    tx << "UPDATE org_members SET role = :r, services = :sv, updated_at = :t WHERE id = :id AND role <> 'head'",
        soci::use(r), soci::use(sv), soci::use(t), soci::use(id);
}

std::int64_t OrganisationStore::choice(const std::string& session_hash, std::int64_t account_id) {
    db::Connection c(db_);
    long long org = 0;
    const long long account = account_id;
    *c << "SELECT organisation_id FROM org_session_choice WHERE session_hash = :h AND account_id = :a",
        soci::use(session_hash), soci::use(account), soci::into(org);
    return c->got_data() ? org : 0;
}

void OrganisationStore::set_choice(const std::string& session_hash, std::int64_t account_id,
                                   std::int64_t organisation_id, std::int64_t now) {
    db::Connection c(db_);
    const long long account = account_id, org = organisation_id, t = now;
    *c << "DELETE FROM org_session_choice WHERE session_hash = :h", soci::use(session_hash);
    if (organisation_id == 0) return;  // personal: no row
    *c << "INSERT INTO org_session_choice (session_hash, account_id, organisation_id, updated_at) "
          "VALUES (:h, :a, :o, :t)",
        soci::use(session_hash), soci::use(account), soci::use(org), soci::use(t);
}

std::optional<Entrepreneur> OrganisationStore::entrepreneur(std::int64_t account_id) {
    db::Connection c(db_);
    const long long account = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT ogrnip, inn, short_name, full_name, registered_date, okved, checked_at "
                       "FROM org_entrepreneurs WHERE account_id = :a",
         soci::use(account));
    for (const auto& r : rows) {
        Entrepreneur e;
        e.account_id = account_id;
        e.ogrnip = r.get<std::string>(0);
        e.inn = r.get<std::string>(1);
        e.short_name = r.get<std::string>(2);
        e.full_name = r.get<std::string>(3);
        e.registered_date = r.get<std::string>(4);
        e.okved = r.get<std::string>(5);
        e.checked_at = i64(r, 6);
        return e;
    }
    return std::nullopt;
}

void OrganisationStore::save_entrepreneur(soci::session& tx, const Entrepreneur& e) {
    const long long account = e.account_id, t = e.checked_at;
    tx << "DELETE FROM org_entrepreneurs WHERE account_id = :a", soci::use(account);
    tx << "INSERT INTO org_entrepreneurs (account_id, ogrnip, inn, short_name, full_name, registered_date, okved, "
          "checked_at) VALUES (:a, :o, :i, :s, :f, :r, :k, :t)",
        soci::use(account), soci::use(e.ogrnip), soci::use(e.inn), soci::use(e.short_name), soci::use(e.full_name),
        soci::use(e.registered_date), soci::use(e.okved), soci::use(t);
}

}  // namespace uslugi::organisations
