#pragma once
// What the groups of account-settings routes share (security_*_routes.cpp,
// registered together by register_security_routes): the services, the
// request's Context, texts in the request's language, the API's error answer,
// and the page every flow that waits for a code shows.
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/session_store.hpp"
#include "identity/security.hpp"
#include "identity/web.hpp"

#include <functional>
#include <optional>
#include <string>

namespace uslugi::identity {

// Copied into the handlers that need it: every member refers to something
// that lives as long as the server.
struct SecurityPages {
    http::Router& router;
    const http::Renderer& renderer;
    http::SessionStore& sessions;
    SecurityService* security;
    std::function<Context(const http::Request&)> ctx_of;
    std::function<std::string(const http::Request&, const std::string&)> t;
    std::function<http::Response(const http::Request&, const Result&)> api_error;
};

// A flow that waits for a code: its texts and addresses. `start` is where
// the flow begins again when no code is pending (used or expired).
struct CodeFlow {
    std::string title_key, lead_key, action, resend_action, back, start;
    bool offer_app = false;  // an SMS flow: when SMS is refused, point to the authenticator app
};
// Whether `r` refused to send an SMS (a limit or a wait), so that another way is worth offering.
bool sms_refused(const Result& r);
http::Response code_page(const SecurityPages& pages, http::Request& req, const CodeFlow& flow, const ChallengeView& v,
                         const Result* r, http::Status status);
// The flow's code page with the outcome `r` of the last attempt (none: a
// first visit), or a redirect to its start when no code is pending.
http::Response code_page_or_start(const SecurityPages& pages, http::Request& req, const CodeFlow& flow,
                                  const std::optional<ChallengeView>& pending, const Result* r);

void register_overview_routes(const SecurityPages& pages);
void register_password_routes(const SecurityPages& pages);
void register_two_factor_routes(const SecurityPages& pages);
void register_contact_routes(const SecurityPages& pages);
void register_activity_routes(const SecurityPages& pages);
void register_deletion_routes(const SecurityPages& pages);

}  // namespace uslugi::identity
