#pragma once
// Pages and /api/v1/ handlers of the account settings (ID-6): password,
// security question, two-step sign-in, e-mail on sign-in, contacts, recent
// actions, active sessions, "who accessed my data" and deletion. Plus the
// small pieces the recovery pages share with them.
#include "core/config.hpp"
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace uslugi::identity {

// Fields of a POST: a JSON object (API) or a form (pages), under the same
// names. A body that is not a JSON object, or a field that is neither a
// string, a number nor a boolean, is a 400.
class FormInput {
public:
    explicit FormInput(http::Request& req);
    std::string get(const std::string& name) const;
    bool flag(const std::string& name) const;

private:
    http::Request& req_;
    nlohmann::json json_;
    bool is_json_ = false;
};

// Template data of a page that asks for a code (destination, tries, resend wait …).
http::Data code_page_data(const ChallengeView& v, const core::Locale& locale);
// A Result's field errors (with the summary) and its general message.
void add_result(http::Data& d, const Result& r, const core::Locale& locale);
// The status of a page that shows a failed Result again (never 200).
http::Status failed_page_status(const Result& r);
// The fixed security questions for a <select>, `selected` marked.
http::Data question_list(const core::Locale& locale, const std::string& selected);
// The JSON error of a failed Result (never 200).
http::Response api_failure(const Result& r, const core::Locale& locale);

void register_security_routes(http::Router& router, const http::Renderer& renderer, http::SessionStore& sessions,
                              IdentityService& identity, const core::Config& config);

// --test-routes only: POST /test/identity/access records a read of an
// account's data by someone else (officers do not exist yet);
// GET /test/identity/audit/{account} lists every audit entry of an account.
void register_security_test_routes(http::Router& router, IdentityService& identity);

}  // namespace uslugi::identity
