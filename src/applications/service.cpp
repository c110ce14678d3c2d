#include "applications/service.hpp"

#include "applications/photo_check.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"
#include "identity/profile.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace uslugi::applications {

namespace {

std::string today_iso() { return core::format_iso_date(core::today_utc()); }

int year_of(std::int64_t unix_seconds) {
    const auto days = std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)));
    return static_cast<int>(std::chrono::year_month_day(days).year());
}

std::string trimmed(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A free text of an applicant or officer: required, at most kMaxCommentChars.
std::string check_comment(const std::string& value, bool required) {
    const std::string t = trimmed(value);
    if (t.empty()) return required ? "applications.error.required" : "";
    if (t.size() > kMaxCommentChars * 4 || text::decode_utf8(t).size() > kMaxCommentChars)
        return "applications.error.too_long";
    return "";
}

// The decisions an officer takes, each from the statuses it may start from.
struct DecisionRule {
    std::string_view action;
    Status to;
    bool needs_text;
};
constexpr DecisionRule kDecisions[] = {
    {"take", Status::received, false},          {"accept", Status::accepted, false},
    {"request_info", Status::info_requested, true}, {"invite", Status::appointment, true},
    {"issue", Status::provided, true},          {"refuse", Status::refused, true},
    {"confirm_cancel", Status::cancelled, false},
};

}  // namespace

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::ok: return "ok";
        case Outcome::not_found: return "not_found";
        case Outcome::invalid: return "invalid";
        case Outcome::level_too_low: return "level_too_low";
        case Outcome::not_available_here: return "not_available_here";
        case Outcome::wrong_status: return "wrong_status";
        case Outcome::not_permitted: return "not_permitted";
    }
    return "ok";
}

std::vector<nlohmann::json> read_form_files(const std::string& dir, const catalog::Catalog& catalog) {
    std::vector<std::string> files, problems;
    if (std::filesystem::is_directory(dir))
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> out;
    for (const auto& file : files) {
        std::ifstream in(file);
        const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
        try {
            if (doc.is_discarded()) throw std::invalid_argument("not JSON");
            const FormDefinition def = parse_form(doc);
            const catalog::Service* s = catalog.service(def.service);
            if (!s) throw std::invalid_argument("no service \"" + def.service + "\" in the catalog");
            if (!s->online_form) throw std::invalid_argument("the catalog does not offer \"" + def.service + "\" online");
            out.push_back(doc);
        } catch (const std::invalid_argument& e) {
            problems.push_back(std::filesystem::path(file).filename().string() + ": " + e.what());
        }
    }
    if (!problems.empty()) {
        std::string all = "data/forms has problems:";
        for (const auto& p : problems) all += "\n  " + p;
        throw std::invalid_argument(all);
    }
    return out;
}

ApplicationService::ApplicationService(db::Database& db, const core::DataProtector& protector,
                                       catalog::CatalogService& catalog, identity::IdentityService& identity,
                                       identity::ProfileService& profiles, const core::Locales& locales,
                                       const std::string& files_dir)
    : db_(db), store_(db, protector), files_(files_dir), complaints_(db), catalog_(catalog), identity_(identity), profiles_(profiles),
      locales_(locales) {}

void ApplicationService::load_forms() {
    std::map<std::string, std::shared_ptr<const FormDefinition>, std::less<>> loaded;
    for (const auto& doc : store_.load_forms()) {
        try {
            auto def = std::make_shared<const FormDefinition>(parse_form(doc));
            loaded[def->service] = def;
        } catch (const std::invalid_argument& e) {
            core::app_log().error("form skipped: {}", e.what());  // seed checks them: only a hand-edited row gets here
        }
    }
    std::lock_guard lock(mutex_);
    forms_ = std::move(loaded);
}

std::shared_ptr<const FormDefinition> ApplicationService::form(std::string_view service_id) const {
    std::lock_guard lock(mutex_);
    auto it = forms_.find(service_id);
    return it == forms_.end() ? nullptr : it->second;
}

std::int64_t ApplicationService::start_draft(std::int64_t account_id, const std::string& service_id) {
    const auto def = form(service_id);
    if (!def) return 0;
    Draft d;
    d.account_id = account_id;
    d.service_id = service_id;
    d.submit_key = core::random_token(18);
    d.created_at = core::now_unix();
    // Pre-fill (APP-1): what the profile already knows, for the applicant to check.
    const identity::ProfileView view = profiles_.view(account_id);
    for (const auto& step : def->steps)
        for (const auto& f : step.fields)
            if (!f.prefill.empty()) {
                const std::string v = identity::field_value(view.profile.data, f.prefill);
                if (!v.empty()) d.values[f.id] = v;
            }
    return store_.create_draft(d);
}

std::optional<Draft> ApplicationService::draft(std::int64_t account_id, std::int64_t draft_id) {
    return store_.find_draft(account_id, draft_id);
}

std::vector<Draft> ApplicationService::drafts(std::int64_t account_id) { return store_.drafts_of(account_id); }

FieldErrors ApplicationService::save_step(Draft& d, std::size_t step, const Values& incoming, bool check) {
    const auto def = form(d.service_id);
    if (!def || step >= def->steps.size()) return {};
    for (const auto& f : def->steps[step].fields) {
        auto it = incoming.find(f.id);
        if (it != incoming.end()) d.values[f.id] = *it;
        else if (f.type != FieldType::group && f.type != FieldType::file) d.values.erase(f.id);
    }
    FieldErrors errors;
    if (check) {
        Values checked = d.values;
        errors = validate_step(*def, step, checked, today_iso());
        if (errors.empty()) d.values = checked;  // normalized spellings once they are right
    }
    store_.save_draft(d.account_id, d.id, step, d.values, core::now_unix());
    return errors;
}

bool ApplicationService::delete_draft(std::int64_t account_id, std::int64_t draft_id) {
    if (!store_.find_draft(account_id, draft_id)) return false;
    db::transact(db_, [&](soci::session& tx) { store_.delete_draft(tx, account_id, draft_id); });
    return true;
}

std::string ApplicationService::upload(const Draft& d, const std::string& field, const std::string& name,
                                       std::string_view bytes, std::int64_t& file_id) {
    if (const std::string problem = check_upload(bytes); !problem.empty()) return problem;
    if (const auto def = form(d.service_id))  // a field's own check (the passport photo's size and proportions)
        if (const Field* f = def->field(field); f && !f->file_check.empty())
            if (std::string problem = run_file_check(f->file_check, bytes); !problem.empty()) return problem;
    if (store_.files_of_draft(d.account_id, d.id).size() >= kMaxFilesPerDraft) return "applications.error.file_count";
    StoredFile f;
    f.account_id = d.account_id;
    f.draft_id = d.id;
    f.field = field;
    f.hash = files_.put(bytes);
    f.name = clean_file_name(name);
    f.content_type = sniff_content_type(bytes);
    f.size = static_cast<std::int64_t>(bytes.size());
    f.created_at = core::now_unix();
    file_id = store_.add_file(f);
    return "";
}

std::optional<ApplicationService::FileContent> ApplicationService::draft_file(std::int64_t account_id,
                                                                              std::int64_t draft_id, std::int64_t file_id) {
    auto f = store_.find_file(file_id);
    if (!f || f->account_id != account_id || f->draft_id != draft_id || f->application_id) return std::nullopt;
    auto bytes = files_.read(f->hash);
    if (!bytes) return std::nullopt;
    return FileContent{*f, std::move(*bytes)};
}

std::vector<StoredFile> ApplicationService::application_files(const Application& a) {
    std::vector<StoredFile> out;
    for (auto& f : store_.files_of_application(a.id)) {
        const auto it = a.values.find(f.field);
        const bool named = it != a.values.end() && it->is_string() && it->get<std::string>() == std::to_string(f.id);
        if (f.field == "answer" || named) out.push_back(std::move(f));
    }
    return out;
}

std::optional<ApplicationService::FileContent> ApplicationService::application_file(const Application& a,
                                                                                    std::int64_t file_id) {
    for (auto& f : application_files(a))
        if (f.id == file_id) {
            auto bytes = files_.read(f.hash);
            if (!bytes) return std::nullopt;
            return FileContent{f, std::move(*bytes)};
        }
    return std::nullopt;
}

std::string ApplicationService::sending_path(const Draft& d) const {
    const auto it = own_sending_.find(d.service_id);
    return "/applications/drafts/" + std::to_string(d.id) + (it == own_sending_.end() ? "/submit" : it->second);
}

SubmitResult ApplicationService::submit(const identity::Context& ctx, const http::AccountBrief& account,
                                        std::int64_t draft_id, const std::string& submit_key, const std::string& region,
                                        const std::string& settlement) {
    SubmitResult r;
    // Sent already (double click, retry, back button): the same application.
    {
        db::Connection c(db_);
        if (const auto id = store_.find_by_submit_key(*c, account.id, submit_key)) {
            r.application_id = *id;
            r.repeated = true;
            return r;
        }
    }
    auto d = store_.find_draft(account.id, draft_id);
    const auto def = d ? form(d->service_id) : nullptr;
    const auto cat = catalog_.current();
    const catalog::Service* service = d ? cat->service(d->service_id) : nullptr;
    if (!d || !def || !service || d->submit_key != submit_key) {
        // A concurrent send of the same form may have committed (and deleted the
        // draft) since the look-up above: then this is that application, not "not found".
        db::Connection c(db_);
        if (const auto id = store_.find_by_submit_key(*c, account.id, submit_key)) {
            r.application_id = *id;
            r.repeated = true;
            return r;
        }
        return {.outcome = Outcome::not_found};
    }
    if (own_sending_.count(d->service_id)) return {.outcome = Outcome::not_found};  // sent through its own pages
    r.gate = identity::gate(identity::parse_level(account.level), service->min_level, identity_.checks_running(account.id));
    if (!r.gate.allowed) return {.outcome = Outcome::level_too_low, .gate = r.gate};
    const bool everywhere = std::find(service->regions.begin(), service->regions.end(), "*") != service->regions.end();
    if (!everywhere && (region.empty() || !service->available_in(region, settlement)))
        return {.outcome = Outcome::not_available_here};
    bool permitted = true;
    const std::int64_t organisation = applying_for(account, *service, permitted);
    if (!permitted) return {.outcome = Outcome::not_permitted};
    Values values = d->values;
    r.errors = validate_all(*def, values, today_iso(), &r.first_step);
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const std::int64_t now = core::now_unix();
    Application a;
    a.account_id = account.id;
    a.service_id = service->id;
    a.authority_id = service->authority;  // routed to the authority that provides the service
    a.status = Status::registered;
    a.values = values;
    a.submit_key = submit_key;
    a.organisation_id = organisation;
    a.submitted_at = now;
    a.due_at = deadline_after(now, def->deadline_days);
    try {
        db::transact(db_, [&](soci::session& tx) {
            if (const auto id = store_.find_by_submit_key(tx, account.id, submit_key)) {
                r.application_id = *id;
                r.repeated = true;
                return;
            }
            store_.insert(tx, a, year_of(now));
            store_.add_history(tx, a.id, {now, Status::registered, "applicant", account.id, ""});
            transition(tx, a, Status::sent, {"system", 0, ""}, "", {}, now);
            // FEE: the state fee's charge, in this transaction (see on_fee).
            if (service->fee_kopecks > 0 && charge_fee_) charge_fee_(tx, a, service->fee_kopecks);
            if (const auto h = sent_hooks_.find(service->id); h != sent_hooks_.end() && h->second.in_tx) h->second.in_tx(tx, a);
            store_.attach_files(tx, account.id, d->id, a.id);
            store_.delete_draft(tx, account.id, d->id);
            r.application_id = a.id;
        });
    } catch (const std::exception& e) {
        // Two sends of one form at once on PostgreSQL: the loser's INSERT hits the unique key.
        if (!db::is_unique_violation(e)) throw;
        db::Connection c(db_);
        const auto id = store_.find_by_submit_key(*c, account.id, submit_key);
        if (!id) throw;
        r.application_id = *id;
        r.repeated = true;
    }
    if (!r.repeated) identity_.wake();
    if (const auto h = sent_hooks_.find(a.service_id); !r.repeated && h != sent_hooks_.end() && h->second.after) {
        a.status = Status::sent;
        h->second.after(a);
    }
    return r;
}

bool ApplicationService::transition(soci::session& tx, const Application& a, Status to, const Actor& actor,
                                    const std::string& comment, const Change& change, std::int64_t now) {
    // Sending moves registered → sent inside the transaction that inserted the row.
    const Status from = a.status;
    if (!can_transition(from, to)) return false;
    if (!store_.move(tx, a.id, from, to, change, now)) return false;
    const std::int64_t entry = store_.add_history(tx, a.id, {now, to, actor.kind, actor.id, comment});
    notify_applicant(tx, a, to, entry, comment);
    return true;
}

void ApplicationService::notify_applicant(soci::session& tx, const Application& a, Status to, std::int64_t entry_id,
                                          const std::string& comment) {
    const auto account = identity_.accounts().find(tx, a.account_id);
    if (!account || account->status != identity::AccountStatus::active) return;
    const core::Locale& t = locales_.get(account->lang);
    const auto cat = catalog_.current();
    const catalog::Service* s = cat->service(a.service_id);
    const nlohmann::json params{{"name", account->name},
                                {"number", a.number},
                                {"service", s ? s->title.in(account->lang) : a.service_id},
                                {"status", t.text("applications.status." + std::string(to_string(to)))},
                                {"comment", comment}};
    const std::string event = "application-" + std::to_string(a.id) + "-" + std::to_string(entry_id);
    const std::string recipient = std::to_string(a.account_id);
    if (!account->email.empty())
        identity_.notify(tx, event, recipient, "email", account->email, account->lang, "applications.status", params);
    if (!account->phone.empty())
        identity_.notify(tx, event, recipient, "sms", account->phone, account->lang, "applications.status", params);
}

std::optional<Application> ApplicationService::application_of(std::int64_t account_id, std::int64_t id) {
    auto a = store_.find(id);
    if (!a || a->account_id != account_id) return std::nullopt;
    return a;
}

Outcome ApplicationService::withdraw(const identity::Context& ctx, std::int64_t account_id, std::int64_t id,
                                     const std::string& comment) {
    if (!check_comment(comment, false).empty()) return Outcome::invalid;
    const Outcome o = db::transact(db_, [&](soci::session& tx) {
        auto a = store_.find(tx, id);
        if (!a || a->account_id != account_id) return Outcome::not_found;
        if (!may_cancel(a->status)) return Outcome::wrong_status;
        const bool moved = transition(tx, *a, withdrawal_target(a->status), {"applicant", account_id, ""},
                                      trimmed(comment), {}, core::now_unix());
        return moved ? Outcome::ok : Outcome::wrong_status;
    });
    if (o == Outcome::ok) identity_.wake();
    return o;
}

Outcome ApplicationService::answer(const identity::Context& ctx, std::int64_t account_id, std::int64_t id,
                                   const std::string& text, const std::vector<Upload>& files, std::string* problem) {
    const std::string bad_text = check_comment(text, true);
    if (!bad_text.empty()) {
        if (problem) *problem = bad_text;
        return Outcome::invalid;
    }
    if (files.size() > kMaxFilesPerDraft) {
        if (problem) *problem = "applications.error.file_count";
        return Outcome::invalid;
    }
    for (const auto& f : files)
        if (const std::string p = check_upload(f.bytes); !p.empty()) {
            if (problem) *problem = p;
            return Outcome::invalid;  // nothing kept: the answer goes whole or not at all
        }
    const Outcome o = db::transact(db_, [&](soci::session& tx) {
        auto a = store_.find(tx, id);
        if (!a || a->account_id != account_id) return Outcome::not_found;
        if (a->status != Status::info_requested && a->status != Status::correction_required) return Outcome::wrong_status;
        Change change;
        change.request_text = "";
        const std::int64_t now = core::now_unix();
        const bool moved = transition(tx, *a, Status::accepted, {"applicant", account_id, ""}, trimmed(text), change, now);
        if (!moved) return Outcome::wrong_status;
        for (const auto& f : files) {
            StoredFile row;
            row.account_id = account_id;
            row.application_id = a->id;
            row.field = "answer";
            row.hash = files_.put(f.bytes);
            row.name = clean_file_name(f.name);
            row.content_type = sniff_content_type(f.bytes);
            row.size = static_cast<std::int64_t>(f.bytes.size());
            row.created_at = now;
            store_.add_file(tx, row);
        }
        return Outcome::ok;
    });
    if (o == Outcome::ok) identity_.wake();
    return o;
}

std::string ApplicationService::applicant_name(std::int64_t account_id) {
    const auto a = identity_.accounts().find(account_id);
    return a ? a->display_name() : std::string();
}

std::vector<std::string> ApplicationService::officer_scopes(std::int64_t officer_id) {
    return identity_.staff().scopes(officer_id, identity::kRoleOfficer);
}

std::optional<Application> ApplicationService::for_officer(const identity::Context& ctx, const Actor& officer,
                                                           std::int64_t id) {
    auto a = store_.find(id);
    if (!a || a->status == Status::registered) return std::nullopt;  // not sent to the authority yet
    // Only the authority's own officers: a parent authority holds no scope over its children.
    if (!identity_.staff().has(officer.id, identity::kRoleOfficer, a->authority_id)) return std::nullopt;
    identity::AuditEntry e;
    e.at = core::now_unix();
    e.account_id = a->account_id;
    e.actor_kind = "officer";
    e.actor_id = std::to_string(officer.id);
    e.actor_name = officer.name;
    const auto cat = catalog_.current();
    if (const catalog::Authority* au = cat->authority(a->authority_id)) e.organisation = au->name.in("ru");
    e.action = "data_read";
    e.fields = "application";
    e.reason = "application " + a->number;
    e.ip = ctx.ip;
    identity_.record_access(e);
    return a;
}

DecisionResult ApplicationService::decide(const identity::Context& ctx, const Actor& officer, std::int64_t id,
                                          const Decision& d) {
    // Another authority's application is "not found" whatever was asked of it.
    auto a = store_.find(id);
    if (!a || !identity_.staff().has(officer.id, identity::kRoleOfficer, a->authority_id)) return {.outcome = Outcome::not_found};
    const auto rule = std::find_if(std::begin(kDecisions), std::end(kDecisions),
                                   [&](const DecisionRule& r) { return r.action == d.action; });
    if (rule == std::end(kDecisions)) return {.outcome = Outcome::invalid, .errors = {{"action", "applications.error.action"}}};
    DecisionResult result;
    if (const std::string e = check_comment(d.text, rule->needs_text); !e.empty()) result.errors["text"] = e;
    const auto def = form(a->service_id);
    if (d.action == "refuse") {
        const auto& reasons = def ? def->refusal_reasons : std::vector<std::string>{};
        if (std::find(reasons.begin(), reasons.end(), d.reason) == reasons.end())
            result.errors["reason"] = "applications.error.reason";
    }
    if (!result.errors.empty()) {
        result.outcome = Outcome::invalid;
        return result;
    }
    Change change;
    if (d.action == "take") change.officer_id = officer.id;
    if (d.action == "request_info") change.request_text = trimmed(d.text);
    if (d.action == "issue" || d.action == "refuse") {
        change.result_text = trimmed(d.text);
        change.decided = true;
    }
    if (d.action == "refuse") change.refusal_code = d.reason;
    result.outcome = db::transact(db_, [&](soci::session& tx) {
        auto current = store_.find(tx, id);
        if (!current) return Outcome::not_found;
        const bool moved = transition(tx, *current, rule->to, officer, trimmed(d.text), change, core::now_unix());
        return moved ? Outcome::ok : Outcome::wrong_status;
    });
    if (result.outcome == Outcome::ok) identity_.wake();
    return result;
}

ApplicationService::ComplaintResult ApplicationService::complain(std::int64_t account_id, std::int64_t application_id,
                                                                const std::string& subject, const std::string& body) {
    const auto a = application_of(account_id, application_id);
    if (!a) return {.outcome = Outcome::not_found};
    if (subject != "decision" && subject != "official") return {.outcome = Outcome::invalid, .problem = "applications.error.choice"};
    if (const std::string p = check_comment(body, true); !p.empty()) return {.outcome = Outcome::invalid, .problem = p};
    Complaint c;
    c.account_id = account_id;
    c.application_id = a->id;
    c.authority_id = a->authority_id;
    c.subject = subject;
    c.body = trimmed(body);
    return {.id = file_complaint(c)};
}

std::optional<Complaint> ApplicationService::complaint_of(std::int64_t account_id, std::int64_t id) {
    auto c = complaints_.find(id);
    if (!c || c->account_id != account_id) return std::nullopt;
    return c;
}

std::vector<Complaint> ApplicationService::complaints_for_officer(std::int64_t officer_id) {
    return complaints_.for_handlers(officer_scopes(officer_id));
}

std::optional<Complaint> ApplicationService::complaint_for_officer(std::int64_t officer_id, std::int64_t id) {
    auto c = complaints_.find(id);
    if (!c || !identity_.staff().has(officer_id, identity::kRoleOfficer, c->handler_id)) return std::nullopt;
    return c;
}

Outcome ApplicationService::answer_complaint(const Actor& officer, std::int64_t id, const std::string& text,
                                             std::string* problem) {
    const auto c = complaint_for_officer(officer.id, id);
    if (!c) return Outcome::not_found;
    if (const std::string p = check_comment(text, true); !p.empty()) {
        if (problem) *problem = p;
        return Outcome::invalid;
    }
    const Outcome o = db::transact(db_, [&](soci::session& tx) {
        if (!complaints_.answer(tx, id, officer.id, trimmed(text), core::now_unix())) return Outcome::wrong_status;
        notify_complaint(tx, *c, "answered", id);
        return Outcome::ok;
    });
    if (o == Outcome::ok) identity_.wake();
    return o;
}

void ApplicationService::notify_complaint(soci::session& tx, const Complaint& c, const std::string& status_key,
                                          std::int64_t id) {
    const auto account = identity_.accounts().find(tx, c.account_id);
    if (!account || account->status != identity::AccountStatus::active) return;
    const core::Locale& t = locales_.get(account->lang);
    const nlohmann::json params{{"name", account->name}, {"complaint", std::to_string(id)},
                                {"status", t.text("applications.complaint.status." + status_key)}};
    const std::string event = "complaint-" + std::to_string(id) + "-" + status_key, recipient = std::to_string(c.account_id);
    if (!account->email.empty())
        identity_.notify(tx, event, recipient, "email", account->email, account->lang, "applications.complaint", params);
    if (!account->phone.empty())
        identity_.notify(tx, event, recipient, "sms", account->phone, account->lang, "applications.complaint", params);
}

}  // namespace uslugi::applications
