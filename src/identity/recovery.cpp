#include "identity/recovery.hpp"

#include "core/text.hpp"
#include "core/clock.hpp"
#include "core/validators.hpp"
#include "db/transaction.hpp"
#include "identity/security.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

namespace {

const char* code_template(const std::string& channel) {
    return channel == "email" ? "security.recover_email" : "security.recover_code";
}

constexpr const char* kLinkPath = "/recover/confirm";
constexpr const char* kSecondPurpose = "recover_second";
constexpr const char* kSecondCodeTemplate = "security.recover_second_code";

}  // namespace

std::string_view to_string(SecondProof p) {
    switch (p) {
        case SecondProof::none: return "none";
        case SecondProof::app: return "app";
        case SecondProof::sms: return "sms";
        case SecondProof::question: return "question";
        case SecondProof::unavailable: return "unavailable";
    }
    return "none";
}

SecondProof second_proof_for(const Account& a, const std::string& first_channel, const std::string& first_destination) {
    // The same test sign-in makes: a mode without its phone or secret asks for nothing there either.
    if (a.two_factor == "totp" && !a.totp_secret.empty()) return SecondProof::app;
    if (a.two_factor != "sms" || a.phone.empty()) return SecondProof::none;
    if (first_channel != "sms" || first_destination != a.phone) return SecondProof::sms;
    const bool has_question = is_security_question(a.security_question) && !a.security_answer_hash.empty();
    return has_question ? SecondProof::question : SecondProof::unavailable;
}

Result RecoveryService::start(const Context& ctx, const std::string& typed) {
    Result r;
    std::string error;
    const auto parsed = parse_contact(typed, error);
    if (!parsed) r.errors["contact"] = error;
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const Contact contact = *parsed;
    const bool phone = contact.kind == ContactKind::phone;
    Challenge c;
    c.purpose = "recover";
    c.channel = phone ? "sms" : "email";
    c.destination = contact.value;
    const auto account = identity_.accounts().find_by_login({phone ? LoginKind::phone : LoginKind::email, contact.value});
    if (!account) return open_silent(ctx, c);
    c.account_id = *account;
    return identity_.open_challenge(ctx, c, code_template(c.channel), kLinkPath);
}

Result RecoveryService::open_silent(const Context& ctx, const Challenge& in) {
    if (ctx.session_hash.empty()) return Result::of(Outcome::no_challenge);
    if (Result r = identity_.check_send_limits(ctx, in.destination); !r.ok()) return r;
    const std::int64_t now = core::now_unix();
    const IdentityOptions& o = identity_.options();
    Challenge c = in;
    c.session_hash = ctx.session_hash;
    c.created_at = now;
    c.expires_at = now + (c.channel == "email" ? identity_.link_ttl("recover") : o.registration_ttl);
    db::transact(identity_.database(), [&](soci::session& tx) {
        c.id = identity_.challenges().create(tx, c);
        // A code or link that is never sent: nothing can match it, and the
        // challenge's counters behave like a real one's.
        if (c.channel == "email")
            identity_.challenges().set_link(tx, c.id, core::sha256_hex(core::random_token(32)), now + identity_.link_ttl("recover"), now);
        else
            identity_.challenges().set_code(tx, c.id, new_code(o.sms.digits), now + o.sms.ttl, now);
    });
    Result r;
    if (auto fresh = identity_.current(ctx, "recover")) r.challenge = identity_.view(*fresh);
    return r;
}

std::optional<ChallengeView> RecoveryService::current(const Context& ctx) {
    auto c = identity_.current(ctx, "recover");
    if (!c || c->confirmed_at) return std::nullopt;
    return identity_.view(*c);
}

Result RecoveryService::resend(const Context& ctx) {
    auto c = identity_.current(ctx, "recover");
    if (!c || c->confirmed_at) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    if (c->account_id) return identity_.resend(ctx, "recover", code_template(c->channel), kLinkPath);
    return resend_silent(ctx, *c);
}

Result RecoveryService::resend_silent(const Context& ctx, const Challenge& c) {
    // The checks of IdentityService::resend, in its order.
    const ChallengeView v = identity_.view(c);
    if (!v.can_resend) return Result::of(Outcome::send_limit, "identity.error.send_limit");
    if (v.resend_in > 0) return Result::of(Outcome::resend_too_early, "identity.error.resend_too_early", v.resend_in);
    if (Result r = identity_.check_send_limits(ctx, c.destination); !r.ok()) return r;
    const std::int64_t now = core::now_unix();
    const IdentityOptions& o = identity_.options();
    db::transact(identity_.database(), [&](soci::session& tx) {
        if (c.channel == "email")
            identity_.challenges().set_link(tx, c.id, core::sha256_hex(core::random_token(32)), now + identity_.link_ttl("recover"), now);
        else
            identity_.challenges().set_code(tx, c.id, new_code(o.sms.digits), now + o.sms.ttl, now);
    });
    Result r;
    if (auto fresh = identity_.current(ctx, "recover")) r.challenge = identity_.view(*fresh);
    return r;
}

Result RecoveryService::confirm_code(const Context& ctx, const std::string& code) {
    Result r = identity_.check_code(ctx, "recover", code);
    if (!r.ok()) return r;
    if (!proven(ctx)) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return r;
}

Result RecoveryService::confirm_link(const Context& ctx, const std::string& token) {
    if (token.size() < 20 || token.size() > 100) return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    const std::int64_t now = core::now_unix();
    auto c = identity_.challenges().find_by_link(core::sha256_hex(token), now);
    if (!c || c->purpose != "recover" || !c->account_id) return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    if (c->code_expires_at <= now) return Result::of(Outcome::code_expired, "identity.error.link_expired");
    // Opened in another browser: recovery continues there, as registration does.
    db::transact(identity_.database(),
                 [&](soci::session& tx) { identity_.challenges().confirm(tx, c->id, ctx.session_hash, now); });
    return {};
}

Result RecoveryService::match_answer(const Context& ctx, const std::string& id_kind, const std::string& id_value,
                                    const std::string& question, const std::string& answer, std::int64_t expected,
                                    std::int64_t& matched) {
    Result r;
    std::string normalized;
    if (id_kind != "snils" && id_kind != "passport") {
        r.errors["id_kind"] = "security.error.id_kind";
    } else {
        const auto v = id_kind == "snils" ? core::validate_snils(id_value) : core::validate_passport_rf(id_value);
        if (v) normalized = v.normalized;
        else r.errors["id_value"] = v.message_key();
    }
    if (!is_security_question(question)) r.errors["question"] = "security.error.question_required";
    if (text::sanitize(answer).empty()) r.errors["answer"] = "security.error.answer_required";
    else if (answer.size() > kAnswerMaxBytes) r.errors["answer"] = "security.error.answer_too_long";
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    std::vector<std::string> keys{
        "recover-id:" + identity_.protector().blind_index("recover", id_kind + ":" + normalized),
        "ip:recover:" + ctx.ip};
    if (expected) keys.push_back("acct:" + std::to_string(expected));
    const auto attempt = identity_.begin_attempt(keys);
    if (!attempt.granted()) return Result::of(Outcome::blocked, "identity.error.blocked", attempt.refused_for);

    const auto id = id_kind == "snils" ? identity_.accounts().find_by_login({LoginKind::snils, normalized})
                                       : identity_.accounts().find_by_passport(normalized);
    const auto account = id ? identity_.accounts().find(*id) : std::nullopt;
    // One Argon2 verification whatever matched, so the time says nothing either.
    std::optional<Account> probe;
    if (account && account->status == AccountStatus::active && !account->security_answer_hash.empty() &&
        (!expected || account->id == expected)) {
        probe.emplace();
        probe->password_hash = account->security_answer_hash;
    }
    const bool answer_ok = identity_.verify_password(probe, normalize_answer(answer));
    if (!(probe && answer_ok && account->security_question == question)) {
        if (expected) identity_.audit_self(ctx, expected, "recover_failed", "question");
        else if (account) identity_.audit_self(ctx, account->id, "recover_failed", id_kind);
        return Result::of(Outcome::wrong_credentials, "security.error.recover_mismatch", attempt.wait_if_wrong);
    }
    identity_.end_attempt(keys, IdentityService::AttemptEnd::proved);
    matched = account->id;
    return r;
}

Result RecoveryService::by_question(const Context& ctx, const std::string& id_kind, const std::string& id_value,
                                   const std::string& question, const std::string& answer) {
    std::int64_t account_id = 0;
    Result r = match_answer(ctx, id_kind, id_value, question, answer, 0, account_id);
    if (!r.ok()) return r;
    if (ctx.session_hash.empty()) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const std::int64_t now = core::now_unix();
    Challenge c;
    c.purpose = "recover";
    c.account_id = account_id;
    c.channel = "question";
    c.session_hash = ctx.session_hash;
    c.created_at = now;
    c.expires_at = now + 15 * 60;
    db::transact(identity_.database(), [&](soci::session& tx) {
        const std::int64_t cid = identity_.challenges().create(tx, c);
        identity_.challenges().confirm(tx, cid, ctx.session_hash, now);
    });
    return r;
}

std::optional<Challenge> RecoveryService::first_proof(const Context& ctx) {
    auto c = identity_.current(ctx, "recover");
    if (!c || !c->confirmed_at || !c->account_id) return std::nullopt;
    return c;
}

bool RecoveryService::proven(const Context& ctx) { return first_proof(ctx).has_value(); }

std::optional<Challenge> RecoveryService::second_challenge(const Context& ctx, const Challenge& first) {
    auto c = identity_.current(ctx, kSecondPurpose);
    if (!c || c->account_id != first.account_id) return std::nullopt;
    const auto payload = nlohmann::json::parse(c->payload, nullptr, false);
    // A second proof belongs to one first proof: starting over asks for it again.
    if (!payload.is_object() || payload.value("recover", std::int64_t{0}) != first.id) return std::nullopt;
    return c;
}

Result RecoveryService::open_second(const Context& ctx, const Challenge& first, const Account& a, SecondProof proof) {
    Challenge c;
    c.purpose = kSecondPurpose;
    c.account_id = a.id;
    c.payload = nlohmann::json{{"recover", first.id}}.dump();
    c.expires_at = first.expires_at;
    if (proof == SecondProof::sms) {
        c.channel = "sms";
        c.destination = a.phone;
        return identity_.open_challenge(ctx, c, kSecondCodeTemplate);
    }
    if (proof == SecondProof::app) {
        c.channel = "totp";
        return identity_.open_challenge(ctx, c, "");
    }
    // The question: nothing is sent, so no send limits apply.
    const std::int64_t now = core::now_unix();
    c.channel = "question";
    c.session_hash = ctx.session_hash;
    c.created_at = now;
    db::transact(identity_.database(), [&](soci::session& tx) { identity_.challenges().create(tx, c); });
    return {};
}

std::optional<SecondStep> RecoveryService::second(const Context& ctx) {
    const auto first = first_proof(ctx);
    if (!first) return std::nullopt;
    const auto a = identity_.accounts().find(*first->account_id);
    if (!a || a->status != AccountStatus::active) return std::nullopt;
    SecondStep s;
    s.proof = second_proof_for(*a, first->channel, first->destination);
    if (s.proof == SecondProof::none) s.done = true;
    if (s.proof == SecondProof::none || s.proof == SecondProof::unavailable) return s;
    auto c = second_challenge(ctx, *first);
    if (!c) {
        s.problem = open_second(ctx, *first, *a, s.proof);
        c = second_challenge(ctx, *first);
    }
    if (!c) return s;
    s.done = c->confirmed_at.has_value();
    if (!s.done && c->channel != "question") s.challenge = identity_.view(*c);
    return s;
}

bool RecoveryService::ready(const Context& ctx) {
    const auto s = second(ctx);
    return s && s->done;
}

Result RecoveryService::confirm_second_code(const Context& ctx, const std::string& code) {
    const auto first = first_proof(ctx);
    const auto c = first ? second_challenge(ctx, *first) : std::nullopt;
    if (!c || c->channel == "question") return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return identity_.check_code(ctx, kSecondPurpose, code);
}

Result RecoveryService::confirm_second_question(const Context& ctx, const std::string& id_kind,
                                                const std::string& id_value, const std::string& question,
                                                const std::string& answer) {
    const auto first = first_proof(ctx);
    const auto c = first ? second_challenge(ctx, *first) : std::nullopt;
    if (!c || c->channel != "question") return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    std::int64_t matched = 0;
    Result r = match_answer(ctx, id_kind, id_value, question, answer, *c->account_id, matched);
    if (!r.ok()) return r;
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.challenges().confirm(tx, c->id, ctx.session_hash, core::now_unix());
    });
    return r;
}

Result RecoveryService::resend_second(const Context& ctx) {
    const auto first = first_proof(ctx);
    if (!first) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    if (!second_challenge(ctx, *first)) {
        // The first send was refused (send limits): this is the try again.
        const auto s = second(ctx);
        if (!s || !s->challenge) return s ? s->problem : Result::of(Outcome::no_challenge, "identity.error.no_challenge");
        Result r;
        r.challenge = s->challenge;
        return r;
    }
    return identity_.resend(ctx, kSecondPurpose, kSecondCodeTemplate);
}

Result RecoveryService::finish(const Context& ctx, const std::string& password, const std::string& repeated) {
    const auto c = first_proof(ctx);
    if (!c) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const auto a = identity_.accounts().find(*c->account_id);
    if (!a || a->status != AccountStatus::active) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    // Read again here, not trusted from the pages: the second proof is what
    // stops the contact alone from taking over an account with two-step sign-in.
    const SecondProof proof = second_proof_for(*a, c->channel, c->destination);
    std::optional<Challenge> second;
    if (proof != SecondProof::none) {
        second = second_challenge(ctx, *c);
        if (!second || !second->confirmed_at)
            return Result::of(Outcome::second_factor, proof == SecondProof::unavailable ? "security.recover.second_unavailable"
                                                                                     : "security.recover.second_required");
    }
    Result r;
    r.password = identity_.check_password_for(*a, password, repeated);
    if (!r.password.acceptable()) {
        r.outcome = Outcome::invalid;
        r.errors["password"] = "identity.password." + r.password.problem;
        return r;
    }
    const std::string hash = core::password_hash(password);
    const std::int64_t now = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.accounts().set_password(tx, a->id, hash, now);
        identity_.challenges().mark_used(tx, c->id, now);
        if (second) identity_.challenges().mark_used(tx, second->id, now);
        identity_.audit_self(tx, ctx, a->id, "password_recovered",
                             second ? c->channel + "+" + second->channel : c->channel);
        notify_owner(identity_, tx, *a, "password-recovered", "security.password_recovered", ctx, now);
    });
    identity_.wake();
    // Whoever may have the old password loses every session; the caller signs this browser in.
    sessions_.end_for_account(a->id, "");
    r.account_id = a->id;
    return r;
}

}  // namespace uslugi::identity
