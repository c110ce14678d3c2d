#pragma once
// The applications tables (migrations/0340_applications.sql): form
// definitions, drafts, applications and their history. Form values are sealed
// under the data key, bound to the owner's account.
#include "applications/model.hpp"
#include "core/crypto.hpp"
#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::applications {

struct Draft {
    std::int64_t id = 0, account_id = 0;
    std::string service_id;
    std::size_t step = 0;
    Values values = Values::object();
    std::string submit_key;
    std::int64_t created_at = 0, updated_at = 0;
};

struct Application {
    std::int64_t id = 0;
    std::string number;
    std::int64_t account_id = 0;
    std::string service_id, authority_id;
    Status status = Status::registered;
    Values values = Values::object();  // empty in lists (not opened there)
    std::string submit_key;
    std::int64_t officer_id = 0;
    std::int64_t submitted_at = 0, updated_at = 0, due_at = 0, decided_at = 0;
    std::string request_text, result_text, refusal_code;
    std::int64_t organisation_id = 0;  // applied for in an organisation's name (organisations module's id), else 0
};

struct HistoryEntry {
    std::int64_t at = 0;
    Status status = Status::registered;
    std::string actor_kind;  // applicant | officer | system
    std::int64_t actor_id = 0;
    std::string comment;
    bool internal = false;  // an assignment: for the officers' eyes only (not shown to nor notified to the applicant)
};

// An attachment's row; its bytes are in FileStorage under `hash`.
struct StoredFile {
    std::int64_t id = 0, account_id = 0, draft_id = 0, application_id = 0;
    std::string field, hash, name, content_type;
    std::int64_t size = 0, created_at = 0;
};

// Files outside the database, named by the SHA-256 of their content
// ("<dir>/ab/ab12…"): the same scan uploaded twice is stored once, and a name
// never comes from the user.
class FileStorage {
public:
    explicit FileStorage(std::string dir) : dir_(std::move(dir)) {}
    // Writes the bytes (atomically: a temporary file renamed) unless present; returns the hash.
    std::string put(std::string_view bytes) const;
    std::optional<std::string> read(const std::string& hash) const;

private:
    std::string path_of(const std::string& hash) const;
    std::string dir_;
};

struct QueueFilter {
    std::vector<std::string> authorities;  // the officer's scopes; empty: nothing
    std::string status;                    // "" any, "open" not final, or a status name
    std::string service;
    std::int64_t from = 0, to = 0;         // submitted within [from, to), 0 = open end
    bool overdue_only = false;
    std::int64_t now = 0;
    std::size_t offset = 0, limit = 20;
};

// What a decision changes besides the status.
struct Change {
    std::optional<std::int64_t> officer_id;
    std::optional<std::string> request_text, result_text, refusal_code;
    bool decided = false;
};

class ApplicationStore {
public:
    ApplicationStore(db::Database& db, const core::DataProtector& protector) : db_(db), protector_(protector) {}

    // ---- form definitions (written by `uslugi seed`, see replace_forms) ----
    std::vector<nlohmann::json> load_forms();

    // ---- drafts: every query names the owner, so another's id finds nothing ----
    std::int64_t create_draft(const Draft& d);
    std::optional<Draft> find_draft(std::int64_t account_id, std::int64_t draft_id);
    std::optional<Draft> find_draft(soci::session& tx, std::int64_t account_id, std::int64_t draft_id);
    bool save_draft(std::int64_t account_id, std::int64_t draft_id, std::size_t step, const Values& values,
                    std::int64_t now);
    void delete_draft(soci::session& tx, std::int64_t account_id, std::int64_t draft_id);
    std::vector<Draft> drafts_of(std::int64_t account_id);  // without values

    // ---- applications ----
    std::optional<std::int64_t> find_by_submit_key(soci::session& tx, std::int64_t account_id, const std::string& key);
    // Inserts and gives the row its number; returns the id.
    std::int64_t insert(soci::session& tx, Application& a, int year);
    std::optional<Application> find(std::int64_t id);
    std::optional<Application> find(soci::session& tx, std::int64_t id);
    std::vector<Application> of_account(std::int64_t account_id, std::size_t offset, std::size_t limit);
    std::size_t count_of_account(std::int64_t account_id);
    // An organisation's applications, whoever of its people sent them.
    std::vector<Application> of_organisation(std::int64_t organisation_id, std::size_t offset, std::size_t limit);
    std::size_t count_of_organisation(std::int64_t organisation_id);
    std::vector<Application> queue(const QueueFilter& f);
    std::size_t count_queue(const QueueFilter& f);
    // Conditional on the status still being `from`: false when someone else moved it first.
    bool move(soci::session& tx, std::int64_t id, Status from, Status to, const Change& change, std::int64_t now);
    // Returns the entry's id (the notification's event key names it).
    std::int64_t add_history(soci::session& tx, std::int64_t id, const HistoryEntry& e);
    // The applicant's history; with `with_internal`, also the officers' assignments.
    std::vector<HistoryEntry> history(std::int64_t id, bool with_internal = false);
    // Take / assign (assign_store.cpp): conditional on the owner still being
    // `expected` (0: nobody) and the application not final, so two officers
    // taking one at once end with one owner. False when someone was first.
    bool assign(soci::session& tx, std::int64_t id, std::int64_t expected, std::int64_t officer, std::int64_t now);

    // ---- attachments ----
    std::int64_t add_file(const StoredFile& f);
    std::int64_t add_file(soci::session& tx, const StoredFile& f);
    std::vector<StoredFile> files_of_draft(std::int64_t account_id, std::int64_t draft_id);
    std::vector<StoredFile> files_of_application(std::int64_t application_id);
    std::optional<StoredFile> find_file(std::int64_t id);
    // The draft's files go with the application it became.
    void attach_files(soci::session& tx, std::int64_t account_id, std::int64_t draft_id, std::int64_t application_id);

private:
    std::string seal(std::int64_t account_id, const char* table, const Values& v) const;
    Values open(std::int64_t account_id, const char* table, const std::string& sealed) const;
    db::Database& db_;
    const core::DataProtector& protector_;
};

// A pre-trial complaint (APP-4): submitted, then answered by the superior authority.
struct Complaint {
    std::int64_t id = 0, account_id = 0, application_id = 0;
    std::string authority_id, handler_id, subject, body, status = "submitted", answer;  // status: submitted | in_review | answered
    std::int64_t answered_by = 0, created_at = 0, answered_at = 0;
};

class ComplaintStore {
public:
    explicit ComplaintStore(db::Database& db) : db_(db) {}
    std::int64_t insert(soci::session& tx, const Complaint& c);
    std::optional<Complaint> find(std::int64_t id);
    std::vector<Complaint> of_account(std::int64_t account_id);
    std::vector<Complaint> for_handlers(const std::vector<std::string>& handlers);
    // Conditional on the complaint still waiting: false when it was answered already.
    bool answer(soci::session& tx, std::int64_t id, std::int64_t officer_id, const std::string& text, std::int64_t now);
    // submitted → in_review (complaint_store.cpp): an officer of the handler takes it up; false when not submitted.
    bool review(soci::session& tx, std::int64_t id, std::int64_t officer_id);

private:
    db::Database& db_;
};

// Replaces the stored form definitions with `documents` (checked ones: see
// read_form_files) in one transaction; `uslugi seed` calls it, without the data key.
void replace_forms(db::Database& db, const std::vector<nlohmann::json>& documents, std::int64_t now);

}  // namespace uslugi::applications
