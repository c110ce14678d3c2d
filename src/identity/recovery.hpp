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
// session. That proof stands in for the password only: with two-step sign-in
// on, a second proof (SecondProof) is asked for next, in the same session,
// before the new password is accepted. Only then does the new password (typed
// twice, the registration policy) end every session of the account, tell the
// owner on every channel, and the caller sign this browser in. The pages
// differ between accounts with and without two-step sign-in only after the
// first proof, so they tell a stranger nothing.
#include "http/rate_limiter.hpp"
#include "http/session_store.hpp"
#include "identity/service.hpp"

#include <optional>
#include <string>

namespace uslugi::identity {

// What recovery asks for after the first proof, for an account with two-step
// sign-in on:
//  - app: the app's current code (the sign-in check, replay guard included);
//  - sms: a code to the account's phone. But when the first proof already was
//    a code to that phone, the phone cannot count twice:
//  - question: then SNILS or passport with the security question instead;
//  - unavailable: SMS two-step, recovered by that phone, and no question. Such
//    an account is recovered only where the identity itself is confirmed (a
//    service centre, an online bank, a qualified electronic signature) —
//    never by the contact alone.
enum class SecondProof { none, app, sms, question, unavailable };
std::string_view to_string(SecondProof p);
// `first_channel` and `first_destination` are those of the confirmed proof
// (sms | email | question, and the phone or address it went to).
SecondProof second_proof_for(const Account& a, const std::string& first_channel, const std::string& first_destination);

// Where a proven recovery stands.
struct SecondStep {
    SecondProof proof = SecondProof::none;
    bool done = false;                        // given, or not needed: the password may be set
    std::optional<ChallengeView> challenge;   // the app's or the SMS code being asked for
    Result problem;                           // why no SMS could be sent (send limits)
};

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
    // True when this session gave the first proof for an account.
    bool proven(const Context& ctx);
    // The second proof of this session's recovery; nullopt when nothing is
    // proven yet. Sends the SMS (once) when one is due.
    std::optional<SecondStep> second(const Context& ctx);
    // True when the password may be set: proven, and the second proof given or not needed.
    bool ready(const Context& ctx);
    // The second proof: a code (app or SMS) or SNILS/passport with the question.
    Result confirm_second_code(const Context& ctx, const std::string& code);
    Result confirm_second_question(const Context& ctx, const std::string& id_kind, const std::string& id_value,
                                   const std::string& question, const std::string& answer);
    Result resend_second(const Context& ctx);
    // Sets the password; Result::account_id is the account to sign in.
    // Outcome::second_factor while the second proof is missing.
    Result finish(const Context& ctx, const std::string& password, const std::string& repeated);

private:
    // What IdentityService::open_challenge does, minus the message: for a contact without an account.
    Result open_silent(const Context& ctx, const Challenge& c);
    Result resend_silent(const Context& ctx, const Challenge& c);
    std::optional<Challenge> first_proof(const Context& ctx);
    // The session's second-proof challenge belonging to `first` (nullopt: none yet).
    std::optional<Challenge> second_challenge(const Context& ctx, const Challenge& first);
    Result open_second(const Context& ctx, const Challenge& first, const Account& a, SecondProof proof);
    // SNILS or passport, question and answer against the brute-force counters:
    // the matching account in `matched`. With `expected` set, only that
    // account matches and its own counter counts the failures too.
    Result match_answer(const Context& ctx, const std::string& id_kind, const std::string& id_value,
                        const std::string& question, const std::string& answer, std::int64_t expected,
                        std::int64_t& matched);

    IdentityService& identity_;
    http::SessionStore& sessions_;
    http::RateLimiter& limiter_;
};

}  // namespace uslugi::identity
