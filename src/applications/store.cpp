#include "applications/store.hpp"

#include "db/dialect.hpp"
#include "db/rows.hpp"
#include "db/transaction.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace uslugi::applications {

namespace {

using db::integer;
using db::text;

// Catalog ids are written with these characters only; anything else cannot
// be an authority and is left out of the statement.
bool is_plain_id(const std::string& s) {
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

constexpr const char* kColumns =
    "id, number, account_id, service_id, authority_id, status, submit_key, officer_id, submitted_at, updated_at, "
    "due_at, decided_at, request_text, result_text, refusal_code, organisation_id";

Application application_from(const soci::row& r) {
    Application a;
    a.id = integer(r, 0);
    a.number = text(r, 1);
    a.account_id = integer(r, 2);
    a.service_id = text(r, 3);
    a.authority_id = text(r, 4);
    a.status = status_from_string(text(r, 5));
    a.submit_key = text(r, 6);
    a.officer_id = integer(r, 7);
    a.submitted_at = integer(r, 8);
    a.updated_at = integer(r, 9);
    a.due_at = integer(r, 10);
    a.decided_at = integer(r, 11);
    a.request_text = text(r, 12);
    a.result_text = text(r, 13);
    a.refusal_code = text(r, 14);
    a.organisation_id = integer(r, 15);
    return a;
}

// The WHERE clause of a queue: fixed text plus values bound in order (see bind_queue).
std::string queue_where(const QueueFilter& f) {
    std::string in;
    for (const auto& a : f.authorities)
        if (is_plain_id(a)) in += (in.empty() ? "'" : ", '") + a + "'";
    if (in.empty()) in = "''";  // no scope: matches nothing
    // "registered" is not sent yet (a marriage waiting for the second spouse): not the authority's to see.
    std::string where = " WHERE authority_id IN (" + in + ") AND status <> 'registered' AND (:s1 = '' OR service_id = :s2) "
                        "AND submitted_at >= :f AND (:t1 = 0 OR submitted_at < :t2)";
    if (f.status == "open" || f.overdue_only) where += " AND status NOT IN ('provided', 'refused', 'cancelled')";
    else if (!f.status.empty()) where += " AND status = '" + std::string(to_string(status_from_string(f.status))) + "'";
    if (f.overdue_only) where += " AND due_at < " + std::to_string(f.now);
    return where;
}

}  // namespace

void replace_forms_in(soci::session& tx, const std::vector<nlohmann::json>& documents, std::int64_t now);

std::string ApplicationStore::seal(std::int64_t account_id, const char* table, const Values& v) const {
    return protector_.seal(v.dump(), core::SealContext(table, "data_enc", account_id));
}

Values ApplicationStore::open(std::int64_t account_id, const char* table, const std::string& sealed) const {
    const Values v = Values::parse(protector_.open(sealed, core::SealContext(table, "data_enc", account_id)), nullptr, false);
    return v.is_object() ? v : Values::object();
}

void replace_forms(db::Database& db, const std::vector<nlohmann::json>& documents, std::int64_t now) {
    db::transact(db, [&](soci::session& tx) { replace_forms_in(tx, documents, now); });
}

void replace_forms_in(soci::session& tx, const std::vector<nlohmann::json>& documents, std::int64_t now) {
    tx << "DELETE FROM applications_forms";
    for (const auto& doc : documents) {
        const std::string id = doc.at("service").get<std::string>(), body = doc.dump();
        const long long t = now;
        tx << "INSERT INTO applications_forms (service_id, definition, loaded_at) VALUES (:s, :d, :t)", soci::use(id),
            soci::use(body), soci::use(t);
    }
}

std::vector<nlohmann::json> ApplicationStore::load_forms() {
    std::vector<nlohmann::json> out;
    db::Connection c(db_);
    soci::rowset<std::string> rows = (c->prepare << "SELECT definition FROM applications_forms ORDER BY service_id");
    for (const auto& r : rows) out.push_back(nlohmann::json::parse(r));
    return out;
}

std::int64_t ApplicationStore::create_draft(const Draft& d) {
    db::Connection c(db_);
    long long id = 0;
    const long long account = d.account_id, step = static_cast<long long>(d.step), t = d.created_at;
    const std::string data = seal(d.account_id, "applications_drafts", d.values);
    *c << "INSERT INTO applications_drafts (account_id, service_id, step, data_enc, submit_key, created_at, updated_at) "
          "VALUES (:a, :s, :st, :d, :k, :c, :u) RETURNING id",
        soci::use(account), soci::use(d.service_id), soci::use(step), soci::use(data), soci::use(d.submit_key),
        soci::use(t), soci::use(t), soci::into(id);
    return id;
}

std::optional<Draft> ApplicationStore::find_draft(std::int64_t account_id, std::int64_t draft_id) {
    db::Connection c(db_);
    return find_draft(*c, account_id, draft_id);
}

std::optional<Draft> ApplicationStore::find_draft(soci::session& s, std::int64_t account_id, std::int64_t draft_id) {
    const long long a = account_id, id = draft_id;
    soci::rowset<soci::row> rows =
        (s.prepare << "SELECT id, account_id, service_id, step, data_enc, submit_key, created_at, updated_at "
                      "FROM applications_drafts WHERE id = :id AND account_id = :a",
         soci::use(id), soci::use(a));
    for (const auto& r : rows) {
        Draft d;
        d.id = integer(r, 0);
        d.account_id = integer(r, 1);
        d.service_id = text(r, 2);
        d.step = static_cast<std::size_t>(integer(r, 3));
        d.values = open(d.account_id, "applications_drafts", text(r, 4));
        d.submit_key = text(r, 5);
        d.created_at = integer(r, 6);
        d.updated_at = integer(r, 7);
        return d;
    }
    return std::nullopt;
}

bool ApplicationStore::save_draft(std::int64_t account_id, std::int64_t draft_id, std::size_t step,
                                  const Values& values, std::int64_t now) {
    db::Connection c(db_);
    const long long a = account_id, id = draft_id, st = static_cast<long long>(step), t = now;
    const std::string data = seal(account_id, "applications_drafts", values);
    soci::statement q = (c->prepare << "UPDATE applications_drafts SET step = :st, data_enc = :d, updated_at = :t "
                                       "WHERE id = :id AND account_id = :a",
                         soci::use(st), soci::use(data), soci::use(t), soci::use(id), soci::use(a));
    q.execute(true);
    return q.get_affected_rows() > 0;
}

void ApplicationStore::delete_draft(soci::session& tx, std::int64_t account_id, std::int64_t draft_id) {
    const long long a = account_id, id = draft_id;
    tx << "DELETE FROM applications_drafts WHERE id = :id AND account_id = :a", soci::use(id), soci::use(a);
}

std::vector<Draft> ApplicationStore::drafts_of(std::int64_t account_id) {
    std::vector<Draft> out;
    db::Connection c(db_);
    const long long a = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT id, service_id, step, created_at, updated_at FROM applications_drafts "
                       "WHERE account_id = :a ORDER BY updated_at DESC, id DESC LIMIT 100",
         soci::use(a));
    for (const auto& r : rows) {
        Draft d;
        d.id = integer(r, 0);
        d.account_id = account_id;
        d.service_id = text(r, 1);
        d.step = static_cast<std::size_t>(integer(r, 2));
        d.created_at = integer(r, 3);
        d.updated_at = integer(r, 4);
        out.push_back(std::move(d));
    }
    return out;
}

std::optional<std::int64_t> ApplicationStore::find_by_submit_key(soci::session& tx, std::int64_t account_id,
                                                                 const std::string& key) {
    long long id = 0;
    soci::indicator ind = soci::i_null;
    const long long a = account_id;
    tx << "SELECT id FROM applications WHERE submit_key = :k AND account_id = :a", soci::use(key), soci::use(a),
        soci::into(id, ind);
    if (!tx.got_data() || ind != soci::i_ok) return std::nullopt;
    return id;
}

std::int64_t ApplicationStore::insert(soci::session& tx, Application& a, int year) {
    long long id = 0;
    const long long account = a.account_id, sub = a.submitted_at, due = a.due_at;
    const std::string status(to_string(a.status)), data = seal(a.account_id, "applications", a.values);
    const std::string provisional = "new-" + a.submit_key;  // replaced by the number below, in the same transaction
    const long long organisation = a.organisation_id;
    soci::indicator organisation_ind = a.organisation_id ? soci::i_ok : soci::i_null;
    tx << "INSERT INTO applications (number, account_id, service_id, authority_id, status, data_enc, submit_key, "
          "submitted_at, updated_at, due_at, organisation_id) VALUES (:n, :a, :s, :au, :st, :d, :k, :sub, :u, :due, :o) "
          "RETURNING id",
        soci::use(provisional), soci::use(account), soci::use(a.service_id), soci::use(a.authority_id),
        soci::use(status), soci::use(data), soci::use(a.submit_key), soci::use(sub), soci::use(sub), soci::use(due),
        soci::use(organisation, organisation_ind), soci::into(id);
    a.id = id;
    a.number = application_number(year, id);
    tx << "UPDATE applications SET number = :n WHERE id = :id", soci::use(a.number), soci::use(id);
    return id;
}

std::optional<Application> ApplicationStore::find(std::int64_t id) {
    db::Connection c(db_);
    return find(*c, id);
}

std::optional<Application> ApplicationStore::find(soci::session& s, std::int64_t id) {
    const long long key = id;
    soci::rowset<soci::row> rows =
        (s.prepare << std::string("SELECT ") + kColumns + ", data_enc FROM applications WHERE id = :id", soci::use(key));
    for (const auto& r : rows) {
        Application a = application_from(r);
        a.values = open(a.account_id, "applications", text(r, 16));
        return a;
    }
    return std::nullopt;
}

std::vector<Application> ApplicationStore::of_account(std::int64_t account_id, std::size_t offset, std::size_t limit) {
    std::vector<Application> out;
    db::Connection c(db_);
    const long long a = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kColumns + " FROM applications WHERE account_id = :a "
                                                           "ORDER BY submitted_at DESC, id DESC LIMIT " +
                           std::to_string(limit) + " OFFSET " + std::to_string(offset),
         soci::use(a));
    for (const auto& r : rows) out.push_back(application_from(r));
    return out;
}

std::vector<Application> ApplicationStore::of_organisation(std::int64_t organisation_id, std::size_t offset,
                                                          std::size_t limit) {
    std::vector<Application> out;
    db::Connection c(db_);
    const long long o = organisation_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kColumns + " FROM applications WHERE organisation_id = :o "
                                                           "ORDER BY submitted_at DESC, id DESC LIMIT " +
                           std::to_string(limit) + " OFFSET " + std::to_string(offset),
         soci::use(o));
    for (const auto& r : rows) out.push_back(application_from(r));
    return out;
}

std::size_t ApplicationStore::count_of_organisation(std::int64_t organisation_id) {
    db::Connection c(db_);
    long long n = 0;
    const long long o = organisation_id;
    *c << "SELECT COUNT(*) FROM applications WHERE organisation_id = :o", soci::use(o), soci::into(n);
    return static_cast<std::size_t>(n);
}

std::size_t ApplicationStore::count_of_account(std::int64_t account_id) {
    db::Connection c(db_);
    long long n = 0;
    const long long a = account_id;
    *c << "SELECT COUNT(*) FROM applications WHERE account_id = :a", soci::use(a), soci::into(n);
    return static_cast<std::size_t>(n);
}

std::vector<Application> ApplicationStore::queue(const QueueFilter& f) {
    std::vector<Application> out;
    db::Connection c(db_);
    const long long from = f.from, to = f.to;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kColumns + " FROM applications" + queue_where(f) +
                           " ORDER BY due_at, id LIMIT " + std::to_string(f.limit) + " OFFSET " + std::to_string(f.offset),
         soci::use(f.service), soci::use(f.service), soci::use(from), soci::use(to), soci::use(to));
    for (const auto& r : rows) out.push_back(application_from(r));
    return out;
}

std::size_t ApplicationStore::count_queue(const QueueFilter& f) {
    db::Connection c(db_);
    long long n = 0;
    const long long from = f.from, to = f.to;
    *c << "SELECT COUNT(*) FROM applications" + queue_where(f), soci::use(f.service), soci::use(f.service),
        soci::use(from), soci::use(to), soci::use(to), soci::into(n);
    return static_cast<std::size_t>(n);
}

bool ApplicationStore::move(soci::session& tx, std::int64_t id, Status from, Status to, const Change& change,
                            std::int64_t now) {
    const long long key = id, t = now, officer = change.officer_id.value_or(0);
    const int set_officer = change.officer_id ? 1 : 0, set_request = change.request_text ? 1 : 0,
              set_result = change.result_text ? 1 : 0, set_refusal = change.refusal_code ? 1 : 0,
              decided = change.decided ? 1 : 0;
    const std::string f(to_string(from)), s(to_string(to)), request = change.request_text.value_or(""),
                      result = change.result_text.value_or(""), refusal = change.refusal_code.value_or("");
    // One fixed statement: each optional column keeps its value unless its flag is 1.
    soci::statement q =
        (tx.prepare << "UPDATE applications SET status = :s, updated_at = :t, "
                       "officer_id = CASE WHEN :so = 1 THEN :o ELSE officer_id END, "
                       "request_text = CASE WHEN :srq = 1 THEN :rq ELSE request_text END, "
                       "result_text = CASE WHEN :srs = 1 THEN :rs ELSE result_text END, "
                       "refusal_code = CASE WHEN :srf = 1 THEN :rf ELSE refusal_code END, "
                       "decided_at = CASE WHEN :sd = 1 THEN :t2 ELSE decided_at END "
                       "WHERE id = :id AND status = :f",
         soci::use(s), soci::use(t), soci::use(set_officer), soci::use(officer), soci::use(set_request),
         soci::use(request), soci::use(set_result), soci::use(result), soci::use(set_refusal), soci::use(refusal),
         soci::use(decided), soci::use(t), soci::use(key), soci::use(f));
    q.execute(true);
    return q.get_affected_rows() > 0;
}

std::int64_t ApplicationStore::add_history(soci::session& tx, std::int64_t id, const HistoryEntry& e) {
    long long entry = 0;
    const long long app = id, at = e.at, actor = e.actor_id;
    soci::indicator actor_ind = e.actor_id ? soci::i_ok : soci::i_null;
    const std::string status(to_string(e.status));
    const int internal = e.internal ? 1 : 0;
    tx << "INSERT INTO applications_history (application_id, at, status, actor_kind, actor_id, comment, internal) "
          "VALUES (:a, :t, :s, :k, :ac, :c, :i) RETURNING id",
        soci::use(app), soci::use(at), soci::use(status), soci::use(e.actor_kind), soci::use(actor, actor_ind),
        soci::use(e.comment), soci::use(internal), soci::into(entry);
    return entry;
}

std::vector<HistoryEntry> ApplicationStore::history(std::int64_t id, bool with_internal) {
    std::vector<HistoryEntry> out;
    db::Connection c(db_);
    const long long app = id;
    const int all = with_internal ? 1 : 0;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT at, status, actor_kind, actor_id, comment, internal FROM applications_history "
                       "WHERE application_id = :a AND (internal = 0 OR :all = 1) ORDER BY id",
         soci::use(app), soci::use(all));
    for (const auto& r : rows) {
        HistoryEntry e;
        e.at = integer(r, 0);
        e.status = status_from_string(text(r, 1));
        e.actor_kind = text(r, 2);
        e.actor_id = integer(r, 3);
        e.comment = text(r, 4);
        e.internal = integer(r, 5) != 0;
        out.push_back(std::move(e));
    }
    return out;
}

std::string FileStorage::path_of(const std::string& hash) const { return dir_ + "/" + hash.substr(0, 2) + "/" + hash; }

std::string FileStorage::put(std::string_view bytes) const {
    const std::string hash = core::sha256_hex(bytes), path = path_of(hash);
    if (std::filesystem::exists(path)) return hash;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    const std::string tmp = path + ".tmp-" + core::random_token(6);
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) throw std::runtime_error("cannot write an attachment to " + dir_);
    }
    std::filesystem::rename(tmp, path);
    return hash;
}

std::optional<std::string> FileStorage::read(const std::string& hash) const {
    if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
    std::ifstream in(path_of(hash), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {

constexpr const char* kFileColumns =
    "id, account_id, draft_id, application_id, field, hash, name, content_type, size, created_at";

StoredFile file_from(const soci::row& r) {
    StoredFile f;
    f.id = integer(r, 0);
    f.account_id = integer(r, 1);
    f.draft_id = integer(r, 2);
    f.application_id = integer(r, 3);
    f.field = text(r, 4);
    f.hash = text(r, 5);
    f.name = text(r, 6);
    f.content_type = text(r, 7);
    f.size = integer(r, 8);
    f.created_at = integer(r, 9);
    return f;
}

std::vector<StoredFile> select_files(db::Database& db, const std::string& where, long long a, long long b) {
    std::vector<StoredFile> out;
    db::Connection c(db);
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kFileColumns + " FROM applications_files WHERE " + where + " ORDER BY id",
         soci::use(a), soci::use(b));
    for (const auto& r : rows) out.push_back(file_from(r));
    return out;
}

}  // namespace

std::int64_t ApplicationStore::add_file(const StoredFile& f) {
    db::Connection c(db_);
    return add_file(*c, f);
}

std::int64_t ApplicationStore::add_file(soci::session& s, const StoredFile& f) {
    long long id = 0;
    const long long account = f.account_id, draft = f.draft_id, app = f.application_id, size = f.size, t = f.created_at;
    soci::indicator draft_ind = f.draft_id ? soci::i_ok : soci::i_null, app_ind = f.application_id ? soci::i_ok : soci::i_null;
    s << "INSERT INTO applications_files (account_id, draft_id, application_id, field, hash, name, content_type, size, "
          "created_at) VALUES (:a, :d, :ap, :f, :h, :n, :ct, :s, :t) RETURNING id",
        soci::use(account), soci::use(draft, draft_ind), soci::use(app, app_ind), soci::use(f.field), soci::use(f.hash),
        soci::use(f.name), soci::use(f.content_type), soci::use(size), soci::use(t), soci::into(id);
    return id;
}

std::vector<StoredFile> ApplicationStore::files_of_draft(std::int64_t account_id, std::int64_t draft_id) {
    return select_files(db_, "account_id = :a AND draft_id = :d AND application_id IS NULL", account_id, draft_id);
}

std::vector<StoredFile> ApplicationStore::files_of_application(std::int64_t application_id) {
    return select_files(db_, "application_id = :a AND :b = 0", application_id, 0);
}

std::optional<StoredFile> ApplicationStore::find_file(std::int64_t id) {
    auto found = select_files(db_, "id = :a AND :b = 0", id, 0);
    if (found.empty()) return std::nullopt;
    return found.front();
}

void ApplicationStore::attach_files(soci::session& tx, std::int64_t account_id, std::int64_t draft_id,
                                    std::int64_t application_id) {
    const long long a = account_id, d = draft_id, app = application_id;
    tx << "UPDATE applications_files SET application_id = :app WHERE account_id = :a AND draft_id = :d AND "
          "application_id IS NULL",
        soci::use(app), soci::use(a), soci::use(d);
}

namespace {

constexpr const char* kComplaintColumns =
    "id, account_id, application_id, authority_id, handler_id, subject, body, status, answer, answered_by, created_at, "
    "answered_at";

Complaint complaint_from(const soci::row& r) {
    Complaint c;
    c.id = integer(r, 0);
    c.account_id = integer(r, 1);
    c.application_id = integer(r, 2);
    c.authority_id = text(r, 3);
    c.handler_id = text(r, 4);
    c.subject = text(r, 5);
    c.body = text(r, 6);
    c.status = text(r, 7);
    c.answer = text(r, 8);
    c.answered_by = integer(r, 9);
    c.created_at = integer(r, 10);
    c.answered_at = integer(r, 11);
    return c;
}

std::vector<Complaint> select_complaints(db::Database& db, const std::string& where, long long key) {
    std::vector<Complaint> out;
    db::Connection c(db);
    soci::rowset<soci::row> rows = (c->prepare << std::string("SELECT ") + kComplaintColumns +
                                                      " FROM applications_complaints WHERE " + where +
                                                      " ORDER BY created_at DESC, id DESC LIMIT 200",
                                    soci::use(key));
    for (const auto& r : rows) out.push_back(complaint_from(r));
    return out;
}

}  // namespace

std::int64_t ComplaintStore::insert(soci::session& tx, const Complaint& c) {
    long long id = 0;
    const long long account = c.account_id, app = c.application_id, t = c.created_at;
    soci::indicator app_ind = c.application_id ? soci::i_ok : soci::i_null;
    tx << "INSERT INTO applications_complaints (account_id, application_id, authority_id, handler_id, subject, body, "
          "status, created_at) VALUES (:a, :ap, :au, :h, :s, :b, 'submitted', :t) RETURNING id",
        soci::use(account), soci::use(app, app_ind), soci::use(c.authority_id), soci::use(c.handler_id),
        soci::use(c.subject), soci::use(c.body), soci::use(t), soci::into(id);
    return id;
}

std::optional<Complaint> ComplaintStore::find(std::int64_t id) {
    auto found = select_complaints(db_, "id = :id", id);
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::vector<Complaint> ComplaintStore::of_account(std::int64_t account_id) {
    return select_complaints(db_, "account_id = :a", account_id);
}

std::vector<Complaint> ComplaintStore::for_handlers(const std::vector<std::string>& handlers) {
    std::string in;
    for (const auto& h : handlers)
        if (is_plain_id(h)) in += (in.empty() ? "'" : ", '") + h + "'";
    if (in.empty()) return {};
    return select_complaints(db_, "handler_id IN (" + in + ") AND :k = 0", 0);
}

bool ComplaintStore::answer(soci::session& tx, std::int64_t id, std::int64_t officer_id, const std::string& text,
                            std::int64_t now) {
    const long long key = id, officer = officer_id, t = now;
    soci::statement q = (tx.prepare << "UPDATE applications_complaints SET status = 'answered', answer = :a, "
                                       "answered_by = :o, answered_at = :t WHERE id = :id AND status IN ('submitted', 'in_review')",
                         soci::use(text), soci::use(officer), soci::use(t), soci::use(key));
    q.execute(true);
    return q.get_affected_rows() > 0;
}

}  // namespace uslugi::applications
