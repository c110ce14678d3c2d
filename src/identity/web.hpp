#pragma once
// Small pieces every identity page and API handler shares: the Context of a
// request, the signed-in guard, and field errors for forms and JSON.
#include "http/app.hpp"
#include "http/render.hpp"
#include "identity/service.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace uslugi::identity {

// `public_url` (config) or the request's own scheme and Host.
Context context_of(const http::Request& req, const std::string& public_url);

// A page for signed-in users only: nullopt when signed in, else the answer to
// send (a redirect to /signin?next=… for pages, 401 JSON for the API).
std::optional<http::Response> require_account(const http::Request& req, const http::Renderer& renderer);

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
