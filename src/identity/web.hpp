#pragma once
// Small pieces every identity page and API handler shares: the Context of a
// request, the level access of routes, and field errors for forms and JSON.
#include "http/app.hpp"
#include "http/render.hpp"
#include "identity/service.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace uslugi::identity {

// Fields of a POST: a JSON object (API) or a form (pages), under the same
// names. A body that is not a JSON object is a 400; so is a text field given
// as anything but a JSON string or integer (booleans only for flag()).
class FormInput {
public:
    explicit FormInput(http::Request& req);
    std::string get(const std::string& name) const;
    // A yes/no field: a JSON boolean, or a checkbox in a form.
    bool flag(const std::string& name) const;

private:
    http::Request& req_;
    nlohmann::json json_;
    bool is_json_ = false;
};

// Template data of a page that asks for a code (destination, tries, resend wait …).
http::Data code_page_data(const ChallengeView& v, const core::Locale& locale);
// A Result's field errors (with the summary) and its general message with the wait.
void add_result(http::Data& d, const Result& r, const core::Locale& locale);
// The status of a page that shows a failed Result again (never 200).
http::Status failed_page_status(const Result& r);
// The JSON error of a failed Result (never 200).
http::Response api_failure(const Result& r, const core::Locale& locale);

// `public_url` (config), never the request's Host.
Context context_of(const http::Request& req, const std::string& public_url);

// The answer for a link that is unknown, used or expired (the same whatever the reason).
Result invalid_link();

// The page a link from a message opens: what it would confirm ("register",
// "recover" or "contact" texts of identity.link_confirm) and a button that
// POSTs the token to `action`. Nothing changes until the button is pressed.
http::Response link_confirm_page(const http::Request& req, const http::Renderer& renderer, const ChallengeView& v,
                                 const std::string& kind, const std::string& action, const std::string& token);

// The route access of pages that need an account of at least `level`.
http::Access at_least(Level level);

// Template data for a form: "errors" (summary list with anchors), and for each
// field "<field>_error" (its message) and "<field>_invalid" (true).
void add_field_errors(http::Data& d, const FieldErrors& errors, const core::Locale& locale);
// {"error":{"code":"identity.invalid","message":…,"fields":{"name":{"code":…,"message":…}}}}
http::Response json_result_error(const Result& r, const core::Locale& locale, http::Status status);
// The HTTP status an unsuccessful Result deserves in the API.
http::Status status_for(const Result& r);
nlohmann::json challenge_json(const ChallengeView& v);
// "1 minute 5 seconds" style wait text in the user's language.
std::string wait_text(const core::Locale& locale, std::int64_t seconds);
// "45 s", "2 min": a bare duration.
std::string duration_text(const core::Locale& locale, std::int64_t seconds);

}  // namespace uslugi::identity
