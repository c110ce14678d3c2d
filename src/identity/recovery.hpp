#pragma once
// Recovery of a lost password (ID-6), in two ways, neither of which tells a
// visitor whether an account exists:
//
//  (a) by phone or e-mail: the answer and the next page are the same whether
//      or not an account has that contact. Only a real account's contact gets
//      a code (or a link); for any other a challenge with a code nobody knows
//      is made instead, under the same send limits, so typing codes fails the
//      same way and counts against the same throttles.
//  (b) by SNILS or passport plus the security question (picked from the fixed
//      list) and its answer, in one form: any mismatch is the same "the data
//      does not match", counted per identifier and per address.
//
// A successful proof leaves a confirmed "recover" challenge in the browser
// session; the new password (typed twice, the registration policy) ends every
// session of the account, tells the owner on every channel, and the caller
// signs this browser in.
#include "http/rate_limiter.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"

#include <optional>
#include <string>

namespace uslugi::identity {

class RecoveryService {
public:
    RecoveryService(IdentityService& identity, http::SessionStore& sessions, http::RateLimiter& limiter)
        : identity_(identity), sessions_(sessions), limiter_(limiter) {}

    Result start(const Context& ctx, const std::string& contact);
    // The code page of this session's recovery (nullopt: none in flight or already proven).
    std::optional<ChallengeView> current(const Context& ctx);
    Result resend(const Context& ctx);
    Result confirm_code(const Context& ctx, const std::string& code);
    Result confirm_link(const Context& ctx, const std::string& token);
    // `id_kind`: snils | passport.
    Result by_question(const Context& ctx, const std::string& id_kind, const std::string& id_value,
                       const std::string& question, const std::string& answer);
    // True when this session proved an account and may set its password.
    bool proven(const Context& ctx);
    // Sets the password; Result::account_id is the account to sign in.
    Result finish(const Context& ctx, const std::string& password, const std::string& repeated);

private:
    // What IdentityService::open_challenge does, minus the message: for a contact without an account.
    Result open_silent(const Context& ctx, const Challenge& c);
    Result resend_silent(const Context& ctx, const Challenge& c);

    IdentityService& identity_;
    http::SessionStore& sessions_;
    http::RateLimiter& limiter_;
};

}  // namespace uslugi::identity
