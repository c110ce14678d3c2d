#include "identity/security.hpp"

#include "core/text.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "core/validators.hpp"
#include "db/transaction.hpp"
#include "core/totp.hpp"

#include <nlohmann/json.hpp>
#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace uslugi::identity {

// ---- Security questions ---------------------------------------------------------------------

bool is_security_question(std::string_view key) {
    return std::find(kSecurityQuestions.begin(), kSecurityQuestions.end(), key) != kSecurityQuestions.end();
}

std::string normalize_answer(std::string_view typed) {
    // The search tokenizer already lower-cases every script and folds ё into е.
    std::string out;
    for (const auto& token : text::tokenize(text::sanitize(typed))) {
        if (!out.empty()) out.push_back(' ');
        out += token.lower;
    }
    return out;
}

// ---- QR codes ------------------------------------------------------------------------------

std::string qr_svg(std::string_view text, std::string_view label) {
    const std::string input(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
    if (!code) throw std::runtime_error("the text does not fit a QR code");
    const int width = code->width;
    constexpr int kQuiet = 4;
    const int size = width + 2 * kQuiet;
    // Runs of dark modules in a row become one rectangle each, which keeps the path short.
    std::string path;
    for (int y = 0; y < width; ++y) {
        int x = 0;
        while (x < width) {
            if (!(code->data[y * width + x] & 1)) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < width && (code->data[y * width + x] & 1)) ++x;
            path += "M" + std::to_string(start + kQuiet) + " " + std::to_string(y + kQuiet) + "h" +
                    std::to_string(x - start) + "v1h-" + std::to_string(x - start) + "z";
        }
    }
    const std::string n = std::to_string(size);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr-code\" viewBox=\"0 0 " + n + " " + n +
           "\" width=\"" + std::to_string(size * 5) + "\" height=\"" + std::to_string(size * 5) +
           "\" role=\"img\" aria-label=\"" + text::html_escape(label) +
           "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
           "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

// ---- helpers ---------------------------------------------------------------------------------

namespace {

Result invalid(const std::string& field, const std::string& key) {
    Result r = Result::of(Outcome::invalid);
    r.errors[field] = key;
    return r;
}

Result gone() { return Result::of(Outcome::no_challenge, "identity.error.signin_required"); }

std::string reauth_key(std::int64_t account_id) { return "reauth:" + std::to_string(account_id); }

int offset_of(int page) { return (std::max(1, std::min(page, 100000)) - 1) * SecurityService::kPageSize; }

}  // namespace

void notify_owner(IdentityService& identity, soci::session& tx, const Account& a, const std::string& what,
                  const std::string& template_name, const Context& ctx, std::int64_t now) {
    const std::string event = "security-" + what + "-" + std::to_string(a.id) + "-" + std::to_string(now) + "-" +
                              core::random_token(6);
    const nlohmann::json params{{"name", a.name}, {"time", core::format_local(now, ctx.time_zone)},
                                {"zone", core::utc_offset_label(ctx.time_zone, now)}, {"ip", ctx.ip},
                                {"device", ctx.device.empty() ? "—" : ctx.device}};
    const std::string recipient = std::to_string(a.id);
    if (!a.phone.empty()) identity.notify(tx, event, recipient, "sms", a.phone, a.lang, template_name, params);
    if (!a.email.empty()) identity.notify(tx, event, recipient, "email", a.email, a.lang, template_name, params);
}

std::optional<Account> SecurityService::active_account(std::int64_t account_id) {
    auto a = identity_.accounts().find(account_id);
    if (!a || a->status != AccountStatus::active) return std::nullopt;
    return a;
}

Result SecurityService::reauthenticate(const Context& ctx, const Account& a, const std::string& password,
                                       const std::string& field) {
    const std::vector<std::string> keys{reauth_key(a.id)};
    if (password.empty()) {
        if (std::int64_t wait = identity_.throttles().wait(keys.front(), core::now_unix()); wait > 0)
            return Result::of(Outcome::blocked, "identity.error.blocked", wait);
        return invalid(field, "identity.error.password_required");
    }
    const auto attempt = identity_.begin_attempt(keys);
    if (!attempt.granted()) return Result::of(Outcome::blocked, "identity.error.blocked", attempt.refused_for);
    if (!identity_.verify_password(a, password)) {
        identity_.audit_self(ctx, a.id, "reauth_failed");
        Result r = invalid(field, "identity.password.wrong_current");
        r.retry_after = attempt.wait_if_wrong;
        if (r.retry_after > 0) r.message_key = "identity.error.blocked";
        return r;
    }
    identity_.end_attempt(attempt, IdentityService::AttemptEnd::proved);
    return {};
}

std::optional<Challenge> SecurityService::own_challenge(const Context& ctx, std::int64_t account_id,
                                                        const std::string& purpose) {
    auto c = identity_.current(ctx, purpose);
    if (!c || c->account_id != account_id) return std::nullopt;
    return c;
}

// ---- password and question ----------------------------------------------------------------------

Result SecurityService::change_password(const Context& ctx, std::int64_t account_id, const std::string& current,
                                        const std::string& password, const std::string& repeated) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    Result r = reauthenticate(ctx, *a, current, "current_password");
    if (r.outcome == Outcome::blocked) return r;
    r.password = identity_.check_password_for(*a, password, repeated);
    if (!r.password.acceptable()) {
        r.outcome = Outcome::invalid;
        r.errors["password"] = "identity.password." + r.password.problem;
    } else if (r.ok() && identity_.verify_password(a, password)) {
        r.outcome = Outcome::invalid;
        r.errors["password"] = "security.error.same_password";
    }
    if (!r.ok()) return r;
    const std::string hash = core::password_hash(password);
    const std::int64_t now = core::now_unix();
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.accounts().set_password(tx, account_id, hash, now);
        identity_.audit_self(tx, ctx, account_id, "password_changed");
        notify_owner(identity_, tx, *a, "password-changed", "security.password_changed", ctx, now);
    });
    identity_.wake();
    // Whoever knew the old password may hold a session: only this one stays.
    sessions_.end_for_account(account_id, ctx.session_hash);
    return r;
}

Result SecurityService::change_question(const Context& ctx, std::int64_t account_id, const std::string& password,
                                        const std::string& question, const std::string& answer) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    Result r = reauthenticate(ctx, *a, password, "password");
    if (r.outcome == Outcome::blocked) return r;
    if (!is_security_question(question)) r.errors["question"] = "security.error.question_required";
    const std::string normalized = normalize_answer(answer);
    if (answer.size() > kAnswerMaxBytes) r.errors["answer"] = "security.error.answer_too_long";
    else if (text::decode_utf8(normalized).size() < kAnswerMinChars)
        r.errors["answer"] = "security.error.answer_too_short";
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const std::string hash = core::password_hash(normalized);
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.accounts().set_security_question(tx, account_id, question, hash, core::now_unix());
        identity_.audit_self(tx, ctx, account_id, "security_question_changed");
    });
    return r;
}

// ---- two-step sign-in -------------------------------------------------------------------------

namespace {
constexpr const char* kReauth = "reauth";
constexpr const char* kReauthCodeTemplate = "security.reauth_code";
Result reauth_required() { return Result::of(Outcome::reauth_required, "security.error.reauth_required"); }
}  // namespace

Result SecurityService::start_reauth(const Context& ctx, std::int64_t account_id, const std::string& password) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    if (ctx.session_hash.empty()) return gone();
    Result r = reauthenticate(ctx, *a, password, "password");
    if (!r.ok()) return r;
    const std::int64_t now = core::now_unix();
    Challenge c;
    c.purpose = kReauth;
    c.account_id = account_id;
    c.expires_at = now + kReauthWindow;
    // The current second factor, exactly as sign-in would ask for it.
    if (a->two_factor == "sms" && !a->phone.empty()) {
        c.channel = "sms";
        c.destination = a->phone;
    } else if (a->two_factor == "totp" && !a->totp_secret.empty()) {
        c.channel = "totp";
    } else {
        c.channel = "password";
        c.session_hash = ctx.session_hash;
        c.created_at = now;
        db::transact(identity_.database(), [&](soci::session& tx) {
            const std::int64_t id = identity_.challenges().create(tx, c);
            identity_.challenges().confirm(tx, id, ctx.session_hash, now);
        });
        return r;
    }
    Result opened = identity_.open_challenge(ctx, c, c.channel == "sms" ? kReauthCodeTemplate : "");
    if (opened.ok()) opened.outcome = Outcome::second_factor;
    return opened;
}

std::optional<ChallengeView> SecurityService::reauth(const Context& ctx, std::int64_t account_id) {
    auto c = own_challenge(ctx, account_id, kReauth);
    if (!c || c->confirmed_at) return std::nullopt;
    return identity_.view(*c);
}

Result SecurityService::resend_reauth(const Context& ctx, std::int64_t account_id) {
    if (!own_challenge(ctx, account_id, kReauth)) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return identity_.resend(ctx, kReauth, kReauthCodeTemplate);
}

Result SecurityService::confirm_reauth(const Context& ctx, std::int64_t account_id, const std::string& code) {
    if (!own_challenge(ctx, account_id, kReauth)) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    Result r = identity_.check_code(ctx, kReauth, code);
    if (r.ok()) r.challenge.reset();
    return r;
}

std::optional<Challenge> SecurityService::fresh_reauth(const Context& ctx, std::int64_t account_id) {
    auto c = own_challenge(ctx, account_id, kReauth);
    if (!c || !c->confirmed_at) return std::nullopt;
    return c;
}

bool SecurityService::reauthenticated(const Context& ctx, std::int64_t account_id) {
    return fresh_reauth(ctx, account_id).has_value();
}

void SecurityService::change_two_factor(const Context& ctx, const Account& a, const std::string& mode,
                                        const std::string& secret, std::optional<std::int64_t> setup_challenge) {
    const std::int64_t now = core::now_unix();
    const auto reauth = fresh_reauth(ctx, a.id);
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.accounts().set_two_factor(tx, a.id, mode, secret, now);
        if (setup_challenge) identity_.challenges().mark_used(tx, *setup_challenge, now);
        if (reauth) identity_.challenges().mark_used(tx, reauth->id, now);
        if (mode == "off") identity_.audit_self(tx, ctx, a.id, "two_factor_off", a.two_factor);
        else identity_.audit_self(tx, ctx, a.id, "two_factor_on", mode);
        notify_owner(identity_, tx, a, "two-factor-changed", "security.two_factor_changed", ctx, now);
    });
    identity_.wake();
    // Whoever else holds a session of this account is out; the routes give this browser a new token.
    sessions_.end_for_account(a.id, ctx.session_hash);
}

Result SecurityService::start_sms_two_factor(const Context& ctx, std::int64_t account_id) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    if (!fresh_reauth(ctx, account_id)) return reauth_required();
    if (a->phone.empty()) return Result::of(Outcome::invalid, "security.error.no_phone");
    Challenge c;
    c.purpose = "two_factor_sms";
    c.account_id = account_id;
    c.channel = "sms";
    c.destination = a->phone;
    c.expires_at = core::now_unix() + 15 * 60;
    return identity_.open_challenge(ctx, c, "security.two_factor_code");
}

Result SecurityService::resend_sms_two_factor(const Context& ctx, std::int64_t account_id) {
    if (!own_challenge(ctx, account_id, "two_factor_sms"))
        return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return identity_.resend(ctx, "two_factor_sms", "security.two_factor_code");
}

Result SecurityService::confirm_sms_two_factor(const Context& ctx, std::int64_t account_id, const std::string& code) {
    const auto c = own_challenge(ctx, account_id, "two_factor_sms");
    const auto a = active_account(account_id);
    if (!c || !a) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    if (!fresh_reauth(ctx, account_id)) return reauth_required();
    Result r = identity_.check_code(ctx, "two_factor_sms", code);
    if (!r.ok()) return r;
    // The phone changed while the code travelled: the code proved the old one.
    if (a->phone != c->destination) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    change_two_factor(ctx, *a, "sms", "", c->id);
    r.challenge.reset();
    return r;
}

std::optional<TotpSetup> SecurityService::totp_setup(const Context& ctx, std::int64_t account_id,
                                                     const std::string& issuer) {
    const auto a = active_account(account_id);
    if (!a || ctx.session_hash.empty() || !fresh_reauth(ctx, account_id)) return std::nullopt;
    std::string secret;
    if (auto c = own_challenge(ctx, account_id, "totp_setup")) {
        const auto payload = nlohmann::json::parse(c->payload, nullptr, false);
        if (payload.is_object())
            if (auto decoded = core::base32_decode(payload.value("secret", ""))) secret = *decoded;
    }
    if (secret.empty()) {
        secret = core::new_totp_secret();
        Challenge c;
        c.purpose = "totp_setup";
        c.account_id = account_id;
        c.channel = "totp";
        c.payload = nlohmann::json{{"secret", core::base32_encode(secret)}}.dump();
        c.expires_at = core::now_unix() + 30 * 60;
        identity_.open_challenge(ctx, c, "");
    }
    const std::string label = !a->phone.empty() ? a->phone : !a->email.empty() ? a->email : std::to_string(a->id);
    return TotpSetup{core::base32_encode(secret), core::totp_uri(issuer, label, secret)};
}

Result SecurityService::confirm_totp(const Context& ctx, std::int64_t account_id, const std::string& typed) {
    const auto c = own_challenge(ctx, account_id, "totp_setup");
    const auto a = active_account(account_id);
    if (!c || !a) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    if (!fresh_reauth(ctx, account_id)) return reauth_required();
    const auto payload = nlohmann::json::parse(c->payload, nullptr, false);
    const auto secret = payload.is_object() ? core::base32_decode(payload.value("secret", "")) : std::nullopt;
    if (!secret || secret->empty()) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const std::int64_t now = core::now_unix();
    const std::vector<std::string> keys{"totp-setup:" + std::to_string(account_id), "ip:code:" + ctx.ip};
    const std::string code = normalize_code(typed);
    if (code.size() != core::kTotpDigits) return invalid("code", "identity.error.code_format");
    const auto attempt = identity_.begin_attempt(keys);
    if (!attempt.granted()) return Result::of(Outcome::blocked, "identity.error.blocked", attempt.refused_for);
    const auto step = core::totp_match(*secret, code, now);
    if (!step) {
        Result r = invalid("code", "security.error.totp_wrong");
        r.outcome = Outcome::wrong_code;
        r.retry_after = attempt.wait_if_wrong;
        return r;
    }
    // The step is spent now, so the code that switched it on cannot also sign in.
    if (!identity_.accounts().use_totp_step(account_id, *step)) {
        identity_.end_attempt(attempt, IdentityService::AttemptEnd::not_a_guess);
        Result r = invalid("code", "security.error.totp_used");
        r.outcome = Outcome::wrong_code;
        return r;
    }
    identity_.end_attempt(attempt, IdentityService::AttemptEnd::proved);
    change_two_factor(ctx, *a, "totp", *secret, c->id);
    return {};
}

Result SecurityService::disable_two_factor(const Context& ctx, std::int64_t account_id) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    if (!fresh_reauth(ctx, account_id)) return reauth_required();
    if (a->two_factor == "off") return {};
    change_two_factor(ctx, *a, "off", "", std::nullopt);
    return {};
}

Result SecurityService::set_notify_signin(const Context& ctx, std::int64_t account_id, bool on) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    if (on && a->email.empty()) return Result::of(Outcome::invalid, "security.error.no_email");
    if (a->notify_signin == on) return {};
    db::transact(identity_.database(), [&](soci::session& tx) {
        identity_.accounts().set_notify_signin(tx, account_id, on, core::now_unix());
        identity_.audit_self(tx, ctx, account_id, on ? "notify_signin_on" : "notify_signin_off");
    });
    return {};
}

// ---- contacts ---------------------------------------------------------------------------------

Result SecurityService::start_contact_change(const Context& ctx, std::int64_t account_id, const std::string& kind,
                                             const std::string& value, const std::string& password) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    if (kind != "phone" && kind != "email") return invalid("kind", "security.error.contact_kind");
    const bool phone = kind == "phone";
    Result r = reauthenticate(ctx, *a, password, "password");
    if (r.outcome == Outcome::blocked) return r;
    const core::ValidationResult v = phone ? core::validate_mobile_phone(value) : validate_account_email(value);
    if (!v) r.errors["value"] = v.message_key();
    else if (v.normalized == (phone ? a->phone : a->email)) r.errors["value"] = "security.error.same_contact";
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const Contact contact{phone ? ContactKind::phone : ContactKind::email, v.normalized};
    {
        db::Connection c(identity_.database());
        if (identity_.accounts().contact_taken(*c, contact, account_id)) {
            r.outcome = Outcome::contact_taken;
            r.errors["value"] = phone ? "security.error.phone_taken" : "security.error.email_taken";
            return r;
        }
    }
    Challenge c;
    c.purpose = "contact";
    c.account_id = account_id;
    c.channel = phone ? "sms" : "email";
    c.destination = v.normalized;
    return identity_.open_challenge(ctx, c, phone ? "security.contact_code" : "security.contact_email",
                                    "/account/security/contacts/confirm");
}

std::optional<ChallengeView> SecurityService::contact_change(const Context& ctx, std::int64_t account_id) {
    auto c = own_challenge(ctx, account_id, "contact");
    if (!c || c->confirmed_at) return std::nullopt;
    return identity_.view(*c);
}

Result SecurityService::resend_contact(const Context& ctx, std::int64_t account_id) {
    auto c = own_challenge(ctx, account_id, "contact");
    if (!c) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const bool email = c->channel == "email";
    return identity_.resend(ctx, "contact", email ? "security.contact_email" : "security.contact_code",
                            "/account/security/contacts/confirm");
}

Result SecurityService::confirm_contact_code(const Context& ctx, std::int64_t account_id, const std::string& code) {
    if (!own_challenge(ctx, account_id, "contact")) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    Result r = identity_.check_code(ctx, "contact", code);
    if (!r.ok()) return r;
    auto c = own_challenge(ctx, account_id, "contact");
    if (!c || !c->confirmed_at) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return apply_contact(ctx, *c);
}

Result SecurityService::confirm_contact_link(const Context& ctx, std::int64_t account_id, const std::string& token) {
    if (token.size() < 20 || token.size() > 100) return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    const std::int64_t now = core::now_unix();
    auto c = identity_.challenges().find_by_link(core::sha256_hex(token), now);
    // A link of another account says nothing about it: the same answer as a wrong link.
    if (!c || c->purpose != "contact" || c->account_id != account_id)
        return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    if (c->code_expires_at <= now) return Result::of(Outcome::code_expired, "identity.error.link_expired");
    return apply_contact(ctx, *c);
}

Result SecurityService::apply_contact(const Context& ctx, const Challenge& c) {
    const auto a = active_account(*c.account_id);
    if (!a) return gone();
    const bool phone = c.channel == "sms";
    const std::int64_t now = core::now_unix();
    Account old = *a;  // the old address hears about the change; the new one just proved itself
    (phone ? old.email : old.phone).clear();
    try {
        db::transact(identity_.database(), [&](soci::session& tx) {
            identity_.accounts().set_contact(tx, a->id, phone ? ContactKind::phone : ContactKind::email, c.destination,
                                             now);
            identity_.challenges().mark_used(tx, c.id, now);
            identity_.audit_self(tx, ctx, a->id, "contact_changed", phone ? "phone" : "email");
            if (!(phone ? old.phone : old.email).empty())
                notify_owner(identity_, tx, old, "contact-changed", "security.contact_changed", ctx, now);
        });
    } catch (const ContactTaken&) {
        Result r = Result::of(Outcome::contact_taken, phone ? "security.error.phone_taken" : "security.error.email_taken");
        r.errors["value"] = r.message_key;
        return r;
    }
    identity_.wake();
    return {};
}

// ---- sessions and logs --------------------------------------------------------------------------

std::vector<http::SessionInfo> SecurityService::sessions(const Context& ctx, std::int64_t account_id) {
    return sessions_.list_for_account(account_id, ctx.session_hash);
}

int SecurityService::end_other_sessions(const Context& ctx, std::int64_t account_id) {
    const int n = sessions_.end_for_account(account_id, ctx.session_hash);
    identity_.audit_self(ctx, account_id, "sessions_ended", std::to_string(n));
    return n;
}

bool SecurityService::end_session(const Context& ctx, std::int64_t account_id, const std::string& handle) {
    const bool ended = sessions_.end_by_handle(account_id, handle);
    if (ended) identity_.audit_self(ctx, account_id, "session_ended");
    return ended;
}

AuditPage SecurityService::activity(std::int64_t account_id, int page) {
    AuditPage p;
    p.total = identity_.audit().count_own(account_id);
    p.entries = identity_.audit().list_own(account_id, kPageSize, offset_of(page));
    return p;
}

AuditPage SecurityService::access_log(std::int64_t account_id, int page) {
    AuditPage p;
    p.total = identity_.audit().count(account_id, true);
    p.entries = identity_.audit().list(account_id, true, kPageSize, offset_of(page));
    return p;
}

// ---- deletion -----------------------------------------------------------------------------------

Result SecurityService::start_deletion(const Context& ctx, std::int64_t account_id, const std::string& password,
                                       bool confirmed) {
    const auto a = active_account(account_id);
    if (!a) return gone();
    Result r = reauthenticate(ctx, *a, password, "password");
    if (r.outcome == Outcome::blocked) return r;
    if (!confirmed) {
        r.outcome = Outcome::invalid;
        r.errors["confirm"] = "security.error.confirm_delete";
    }
    if (!r.ok()) return r;
    Challenge c;
    c.purpose = "delete";
    c.account_id = account_id;
    c.expires_at = core::now_unix() + 15 * 60;
    if (a->two_factor == "sms" && !a->phone.empty()) {
        c.channel = "sms";
        c.destination = a->phone;
    } else if (a->two_factor == "totp" && !a->totp_secret.empty()) {
        c.channel = "totp";
    } else {
        erase(ctx, account_id);
        return r;
    }
    Result opened = identity_.open_challenge(ctx, c, c.channel == "sms" ? "security.delete_code" : "");
    if (opened.ok()) opened.outcome = Outcome::second_factor;
    return opened;
}

std::optional<ChallengeView> SecurityService::deletion(const Context& ctx, std::int64_t account_id) {
    auto c = own_challenge(ctx, account_id, "delete");
    if (!c || c->confirmed_at) return std::nullopt;
    return identity_.view(*c);
}

Result SecurityService::resend_deletion(const Context& ctx, std::int64_t account_id) {
    if (!own_challenge(ctx, account_id, "delete")) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    return identity_.resend(ctx, "delete", "security.delete_code");
}

Result SecurityService::confirm_deletion(const Context& ctx, std::int64_t account_id, const std::string& code) {
    if (!own_challenge(ctx, account_id, "delete")) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    Result r = identity_.check_code(ctx, "delete", code);
    if (!r.ok()) return r;
    auto c = own_challenge(ctx, account_id, "delete");
    if (!c || !c->confirmed_at) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    db::transact(identity_.database(),
                 [&](soci::session& tx) { identity_.challenges().mark_used(tx, c->id, core::now_unix()); });
    erase(ctx, account_id);
    r.challenge.reset();
    return r;
}

void SecurityService::erase(const Context& ctx, std::int64_t account_id) {
    identity_.erase_account(ctx, account_id);
    sessions_.end_for_account(account_id, "");
}

}  // namespace uslugi::identity
