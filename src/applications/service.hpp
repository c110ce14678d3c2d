#pragma once
// Use cases of applications (APP-1 … APP-3): drafts filled step by step,
// sending (level, region, idempotency, number, routing, deadline), the
// applicant's withdrawal and answers, and the officers' decisions. Every
// status change is recorded in the history and told to the applicant through
// the outbox in the same transaction (NOTE-1).
#include "applications/store.hpp"
#include "catalog/service.hpp"
#include "core/i18n.hpp"
#include "http/account_brief.hpp"
#include "identity/service.hpp"
#include "identity/verification.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::applications {

namespace marriage {
class MarriageService;
}

enum class Outcome {
    ok,
    not_found,           // no such object for this person: the pages answer 404
    invalid,             // errors say which fields
    level_too_low,       // the account's level is below the service's minimum
    not_available_here,  // the service is not offered in the user's region
    wrong_status,        // the status does not allow it (any more)
    not_permitted,       // acting for an organisation whose role does not allow this service
};
std::string_view to_string(Outcome o);

struct SubmitResult {
    Outcome outcome = Outcome::ok;
    std::int64_t application_id = 0;
    bool repeated = false;  // the same form was sent before: this is that application
    FieldErrors errors;
    std::optional<std::size_t> first_step;
    identity::LevelGate gate;
};

// Who acts on an application.
struct Actor {
    std::string kind;  // applicant | officer | system
    std::int64_t id = 0;
    std::string name;
};

// An officer's decision (APP-3).
struct Decision {
    std::string action;  // take, accept, request_info, invite, issue, refuse, confirm_cancel
    std::string text;    // the request, the invitation, the result or the refusal's explanation
    std::string reason;  // refuse: one of the form's refusal_reasons
};

struct DecisionResult {
    Outcome outcome = Outcome::ok;
    FieldErrors errors;
};

inline constexpr std::size_t kMaxCommentChars = 2000;

// Reads every data/forms/*.json file, in name order, and checks each against
// the catalog (the service exists and is offered online). Throws
// std::invalid_argument listing every problem.
std::vector<nlohmann::json> read_form_files(const std::string& dir, const catalog::Catalog& catalog);

class ApplicationService {
public:
    ApplicationService(db::Database& db, const core::DataProtector& protector, catalog::CatalogService& catalog,
                       identity::IdentityService& identity, identity::ProfileService& profiles,
                       const core::Locales& locales, const std::string& files_dir);

    // Loads the form definitions `uslugi seed` stored; call before serving.
    void load_forms();
    std::shared_ptr<const FormDefinition> form(std::string_view service_id) const;
    const catalog::CatalogService& catalog() const { return catalog_; }
    ApplicationStore& store() { return store_; }

    // ---- drafts ----
    // A new draft of the service's form with what the profile already knows.
    std::int64_t start_draft(std::int64_t account_id, const std::string& service_id);
    std::optional<Draft> draft(std::int64_t account_id, std::int64_t draft_id);
    std::vector<Draft> drafts(std::int64_t account_id);
    // Merges one step's values into the draft and saves it; with `check`,
    // validates the step first and saves the values even when they have
    // errors (nothing typed is lost), moving on only when they have none.
    FieldErrors save_step(Draft& d, std::size_t step, const Values& incoming, bool check);
    bool delete_draft(std::int64_t account_id, std::int64_t draft_id);
    // Keeps an upload for a file field of the draft: checked by content, size
    // and count; "" and `file_id` set when kept, else the locale key of the problem.
    std::string upload(const Draft& d, const std::string& field, const std::string& name, std::string_view bytes,
                       std::int64_t& file_id);
    std::vector<StoredFile> draft_files(const Draft& d) { return store_.files_of_draft(d.account_id, d.id); }
    // The file and its bytes, only for whose it is: the draft's owner, the
    // application's applicant, or an officer of the application's authority.
    struct FileContent {
        StoredFile file;
        std::string bytes;
    };
    std::optional<FileContent> draft_file(std::int64_t account_id, std::int64_t draft_id, std::int64_t file_id);
    std::optional<FileContent> application_file(const Application& a, std::int64_t file_id);
    // The files an application shows: those its form's values name and the answers'.
    std::vector<StoredFile> application_files(const Application& a);

    // ---- the state fee (FEE: where the payments module plugs in) ----
    // Called inside the sending transaction for a service with a fee, so the
    // charge exists exactly when the application does. Until the payments
    // module sets it, nothing is charged and the summary only says a fee applies.
    using FeeCharger = std::function<void(soci::session& tx, const Application& a, long long fee_kopecks)>;
    void on_fee(FeeCharger charger) { charge_fee_ = std::move(charger); }

    // ---- services with a result at once (the pension statement: pension.hpp) ----
    // `in_tx` runs inside the sending transaction (to queue the work durably),
    // `after` once it is committed (to try it at once).
    struct SentHook {
        std::function<void(soci::session& tx, const Application& a)> in_tx;
        std::function<void(const Application& a)> after;
        std::string result_page;  // the path after /account/applications/{id}/ of the result's own page
        std::string result_label;  // locale key of the link to it
    };
    const SentHook* sent_hook(std::string_view service_id) const {
        const auto h = sent_hooks_.find(service_id);
        return h == sent_hooks_.end() ? nullptr : &h->second;
    }
    void on_sent(const std::string& service_id, SentHook hook) { sent_hooks_[service_id] = std::move(hook); }
    // A service that sends its own way (marriage: a slot held and the second
    // spouse's consent first) names where its summary's button posts; submit() refuses its drafts.
    void send_through(const std::string& service_id, const std::string& path_suffix) { own_sending_[service_id] = path_suffix; }
    std::string sending_path(const Draft& d) const;
    // ---- organisations (ID-5; organisation_service.cpp) ----
    // What the organisations module answers (main.cpp wires it): whether the
    // account, acting for the organisation, may apply for the service in its
    // name; and whether it may see all the organisation's applications.
    struct OrganisationAccess {
        std::function<bool(std::int64_t account_id, std::int64_t organisation_id, const std::string& service_id)> may_apply;
        std::function<bool(std::int64_t account_id, std::int64_t organisation_id)> may_see_all;
    };
    void on_organisations(OrganisationAccess access) { organisations_ = std::move(access); }
    // In whose name the account applies for the service: the organisation it
    // acts for when the service is for legal entities, else 0 (personally).
    // `permitted` is false when the organisation's role does not allow the service.
    std::int64_t applying_for(const http::AccountBrief& account, const catalog::Service& service, bool& permitted) const;
    // The organisation's applications, for its head and administrators acting for it; nullopt for anyone else.
    std::optional<std::vector<Application>> organisation_applications(const http::AccountBrief& account,
                                                                       std::size_t offset, std::size_t limit,
                                                                       std::size_t* total = nullptr);
    std::optional<Application> organisation_application(const http::AccountBrief& account, std::int64_t id);
    // Whether the account acts for an organisation whose applications it may see.
    bool sees_organisation(const http::AccountBrief& account) const;

    // ---- sending ----
    SubmitResult submit(const identity::Context& ctx, const http::AccountBrief& account, std::int64_t draft_id,
                        const std::string& submit_key, const std::string& region, const std::string& settlement);

    // ---- the applicant ----
    std::optional<Application> application_of(std::int64_t account_id, std::int64_t id);
    std::vector<HistoryEntry> history(std::int64_t id, bool with_internal = false) {
        return store_.history(id, with_internal);
    }
    // "Дарья Соколова": the applicant's name for the result document and the officers' pages.
    std::string applicant_name(std::int64_t account_id);
    Outcome withdraw(const identity::Context& ctx, std::int64_t account_id, std::int64_t id, const std::string& comment);
    struct Upload {
        std::string name, bytes;
    };
    // The answer to a request for information, with files (checked as uploads are).
    Outcome answer(const identity::Context& ctx, std::int64_t account_id, std::int64_t id, const std::string& text,
                   const std::vector<Upload>& files = {}, std::string* problem = nullptr);

    // ---- officers (APP-3) ----
    std::vector<std::string> officer_scopes(std::int64_t officer_id);
    // The application, if one of the officer's authorities handles it; the
    // read of the applicant's data is recorded for "Who accessed my data".
    std::optional<Application> for_officer(const identity::Context& ctx, const Actor& officer, std::int64_t id);
    DecisionResult decide(const identity::Context& ctx, const Actor& officer, std::int64_t id, const Decision& d);

    // ---- take / assign (assign_service.cpp) ----
    struct Colleague {
        std::int64_t id = 0;
        std::string name;
    };
    // The officers of one authority: the only ones an application of it may be assigned to.
    std::vector<Colleague> colleagues(const std::string& authority_id);
    // Gives the application to officer `to` (the acting officer themself for
    // "take"), conditional on its owner still being `expected` (0: nobody).
    // not_found: not the officer's authority; invalid: `to` is not an officer
    // of it; wrong_status: someone changed the owner first, or it is decided.
    // Recorded in the history as internal: the applicant is not told.
    Outcome assign(const Actor& by, std::int64_t id, std::int64_t to, std::int64_t expected, const std::string& note);

    // ---- complaints (APP-4) ----
    // A complaint about the decision on (or an official's handling of) one of
    // the applicant's applications, routed to the superior authority.
    struct ComplaintResult {
        Outcome outcome = Outcome::ok;
        std::int64_t id = 0;
        std::string problem;  // locale key when invalid
    };
    ComplaintResult complain(std::int64_t account_id, std::int64_t application_id, const std::string& subject,
                             const std::string& body);
    std::vector<Complaint> complaints_of(std::int64_t account_id) { return complaints_.of_account(account_id); }
    std::optional<Complaint> complaint_of(std::int64_t account_id, std::int64_t id);
    std::vector<Complaint> complaints_for_officer(std::int64_t officer_id);
    std::optional<Complaint> complaint_for_officer(std::int64_t officer_id, std::int64_t id);
    Outcome answer_complaint(const Actor& officer, std::int64_t id, const std::string& text, std::string* problem);
    // A standalone complaint (complaint_service.cpp): against an official
    // ("official") or an authority's action or inaction ("action"), with no
    // application; routed like the others to the authority's superior.
    ComplaintResult complain_about(std::int64_t account_id, const std::string& authority_id, const std::string& subject,
                                   const std::string& body);
    // submitted → in_review, told to the applicant; wrong_status when it is not waiting.
    Outcome review_complaint(const Actor& officer, std::int64_t id);

private:
    friend class marriage::MarriageService;  // moves its applications through transition() and charges the fee
    std::map<std::string, std::string, std::less<>> own_sending_;
    void notify_complaint(soci::session& tx, const Complaint& c, const std::string& status_key, std::int64_t id);
    // Routes `c` to the superior authority (the catalog parent, or the authority
    // itself at the top), stores it and tells the applicant; returns its id.
    std::int64_t file_complaint(Complaint c);
    // The one way a status changes: checked against the state machine,
    // conditional on the status read, recorded, and told to the applicant.
    bool transition(soci::session& tx, const Application& a, Status to, const Actor& actor, const std::string& comment,
                    const Change& change, std::int64_t now);
    void notify_applicant(soci::session& tx, const Application& a, Status to, std::int64_t entry_id,
                          const std::string& comment);

    db::Database& db_;
    ApplicationStore store_;
    FileStorage files_;
    ComplaintStore complaints_;
    catalog::CatalogService& catalog_;
    identity::IdentityService& identity_;
    identity::ProfileService& profiles_;
    const core::Locales& locales_;
    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const FormDefinition>, std::less<>> forms_;
    FeeCharger charge_fee_;
    std::map<std::string, SentHook, std::less<>> sent_hooks_;
    OrganisationAccess organisations_;
};

}  // namespace uslugi::applications
