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
#include "identity/security.hpp"
#include "identity/service.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace uslugi::identity {

// The fixed security questions for a <select>, `selected` marked.
http::Data question_list(const core::Locale& locale, const std::string& selected);

void register_security_routes(http::Router& router, const http::Renderer& renderer, http::SessionStore& sessions,
                              SecurityService& security, const core::Config& config);

// --test-routes only: POST /test/identity/access records a read of an
// account's data by someone else (officers do not exist yet);
// GET /test/identity/audit/{account} lists every audit entry of an account.
void register_security_test_routes(http::Router& router, IdentityService& identity);

}  // namespace uslugi::identity
