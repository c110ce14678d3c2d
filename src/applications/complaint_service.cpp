// Pre-trial complaints (APP-4), the parts every kind shares: routing to the
// superior authority, and the review status; plus the standalone kind (no
// application: an official's or an authority's action).
#include "applications/service.hpp"

#include "core/clock.hpp"
#include "core/text.hpp"
#include "db/transaction.hpp"

namespace uslugi::applications {

std::int64_t ApplicationService::file_complaint(Complaint c) {
    // The superior authority answers: the catalog parent, or the authority itself at the top.
    const auto cat = catalog_.current();
    const catalog::Authority* au = cat->authority(c.authority_id);
    c.handler_id = au && !au->parent.empty() && cat->authority(au->parent) ? au->parent : c.authority_id;
    c.created_at = core::now_unix();
    const std::int64_t id = db::transact(db_, [&](soci::session& tx) {
        const std::int64_t cid = complaints_.insert(tx, c);
        notify_complaint(tx, c, "submitted", cid);
        return cid;
    });
    identity_.wake();
    return id;
}

ApplicationService::ComplaintResult ApplicationService::complain_about(std::int64_t account_id,
                                                                      const std::string& authority_id,
                                                                      const std::string& subject,
                                                                      const std::string& body) {
    if (authority_id.size() > 100 || !catalog_.current()->authority(authority_id))
        return {.outcome = Outcome::invalid, .problem = "applications_more.complaint.bad_authority"};
    if (subject != "official" && subject != "action")
        return {.outcome = Outcome::invalid, .problem = "applications.error.choice"};
    std::string text = body;
    const auto b = text.find_first_not_of(" \t\r\n");
    text = b == std::string::npos ? std::string() : text.substr(b, text.find_last_not_of(" \t\r\n") - b + 1);
    if (text.empty()) return {.outcome = Outcome::invalid, .problem = "applications.error.required"};
    if (text.size() > kMaxCommentChars * 4 || text::decode_utf8(text).size() > kMaxCommentChars)
        return {.outcome = Outcome::invalid, .problem = "applications.error.too_long"};
    Complaint c;
    c.account_id = account_id;
    c.authority_id = authority_id;
    c.subject = subject;
    c.body = text;
    return {.id = file_complaint(c)};
}

Outcome ApplicationService::review_complaint(const Actor& officer, std::int64_t id) {
    const auto c = complaint_for_officer(officer.id, id);
    if (!c) return Outcome::not_found;
    const Outcome o = db::transact(db_, [&](soci::session& tx) {
        if (!complaints_.review(tx, id, officer.id)) return Outcome::wrong_status;
        notify_complaint(tx, *c, "in_review", id);
        return Outcome::ok;
    });
    if (o == Outcome::ok) identity_.wake();
    return o;
}

}  // namespace uslugi::applications
