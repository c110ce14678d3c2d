#include "identity/service.hpp"

#include "core/text.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "core/log.hpp"
#include "core/validators.hpp"
#include "db/transaction.hpp"
#include "core/totp.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <semaphore>
#include <thread>

namespace uslugi::identity {

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::ok: return "ok";
        case Outcome::invalid: return "invalid";
        case Outcome::wrong_code: return "wrong_code";
        case Outcome::code_expired: return "code_expired";
        case Outcome::no_tries_left: return "no_tries_left";
        case Outcome::blocked: return "blocked";
        case Outcome::no_challenge: return "no_challenge";
        case Outcome::resend_too_early: return "resend_too_early";
        case Outcome::send_limit: return "send_limit";
        case Outcome::wrong_credentials: return "wrong_credentials";
        case Outcome::second_factor: return "second_factor";
        case Outcome::contact_taken: return "contact_taken";
        case Outcome::reauth_required: return "reauth_required";
    }
    return "ok";
}

namespace {

Result blocked(std::int64_t wait) { return Result::of(Outcome::blocked, "identity.error.blocked", wait); }

bool allowed_name_char(char32_t cp) {
    return text::is_word_char(cp) && !(cp >= U'0' && cp <= U'9');
}

}  // namespace

std::string check_name_part(const std::string& value, bool required) {
    if (value.size() > 400) return "identity.error.name_too_long";
    // Control characters (NUL, line breaks …) are refused, not quietly tidied away.
    for (unsigned char ch : value)
        if (ch < 0x20 || ch == 0x7F) return "identity.error.name_chars";
    const std::string trimmed = tidy_text(value);
    if (trimmed.empty()) return required ? "identity.error.name_required" : "";
    const std::u32string cps = text::decode_utf8(trimmed);
    if (cps.size() > 60) return "identity.error.name_too_long";
    bool has_letter = false;
    for (char32_t cp : cps) {
        if (allowed_name_char(cp)) {
            has_letter = true;
            continue;
        }
        if (cp == U' ' || cp == U'-' || cp == U'\'' || cp == U'’' || cp == U'.') continue;
        return "identity.error.name_chars";
    }
    return has_letter ? "" : "identity.error.name_chars";
}

IdentityService::IdentityService(db::Database& db, const core::DataProtector& protector, jobs::JobStore& jobs,
                                 notifications::OutboxStore& outbox, http::RateLimiter& limiter,
                                 jobs::JobRunner* runner, IdentityOptions options)
    : db_(db),
      protector_(protector),
      outbox_(outbox),
      limiter_(limiter),
      runner_(runner),
      options_(options),
      accounts_(db, protector),
      challenges_(db, protector),
      throttles_(db),
      audit_(db),
      staff_(db),
      dummy_hash_(core::password_hash(core::random_token(16))) {
    (void)jobs;
}

// ---- helpers ---------------------------------------------------------------------------------

namespace {
bool is_address_key(const std::string& key) { return key.rfind("ip:", 0) == 0; }
ThrottlePolicy policy_of(const std::string& key) { return is_address_key(key) ? address_throttle() : account_throttle(); }
}  // namespace

ThrottleStore::Reservation IdentityService::begin_attempt(const std::vector<std::string>& keys) {
    std::vector<std::pair<std::string, ThrottlePolicy>> counters;
    counters.reserve(keys.size());
    for (const auto& k : keys) counters.emplace_back(k, policy_of(k));
    return throttles_.reserve(counters, core::now_unix());
}

void IdentityService::end_attempt(const ThrottleStore::Reservation& attempt, AttemptEnd how) {
    std::vector<ThrottleStore::Taken> cleared, refunded;
    for (const auto& t : attempt.taken) {
        if (how == AttemptEnd::proved && !is_address_key(t.key)) cleared.push_back(t);
        else refunded.push_back(t);
    }
    throttles_.settle(cleared, refunded);
}

void IdentityService::end_attempt(const std::vector<std::string>& keys, AttemptEnd how) {
    ThrottleStore::Reservation unknown;  // counts not known: each refund reads its counter
    for (const auto& k : keys) unknown.taken.push_back({k, policy_of(k), 0, 0});
    end_attempt(unknown, how);
}

std::int64_t IdentityService::link_ttl(const std::string& purpose) const {
    return purpose == "recover" ? options_.recovery_link_ttl : options_.email_link_ttl;
}

std::string IdentityService::destination_key(const std::string& destination) const {
    return "dest:" + protector_.blind_index("destination", destination);
}

void IdentityService::notify(soci::session& tx, const std::string& event_key, const std::string& recipient,
                             const std::string& channel, const std::string& address, const std::string& lang,
                             const std::string& template_name, const nlohmann::json& params) {
    notifications::Message m;
    m.event_key = event_key;
    m.recipient = recipient;
    m.channel = notifications::channel_from_string(channel);
    m.address = address;
    m.lang = lang;
    m.template_name = template_name;
    m.params = params;
    outbox_.enqueue(tx, m);
}

void IdentityService::wake() {
    if (runner_) runner_->notify();
}

void IdentityService::purge() {
    const std::int64_t now = core::now_unix();
    challenges_.purge(now);
    throttles_.purge(now - 24 * 3600);
}

ChallengeView IdentityService::view(const Challenge& c) const {
    const std::int64_t now = core::now_unix();
    ChallengeView v;
    v.purpose = c.purpose;
    v.channel = c.channel;
    if (!c.destination.empty())
        v.destination = mask_contact({c.channel == "email" ? ContactKind::email : ContactKind::phone, c.destination});
    v.confirmed = c.confirmed_at.has_value();
    v.code_expires_in = std::max<std::int64_t>(0, c.code_expires_at - now);
    const CodeRules& rules = options_.sms;
    v.resend_in = std::max<std::int64_t>(0, c.code_sent_at + rules.resend_after - now);
    v.can_resend = c.channel != "totp" && c.sends < rules.max_sends && c.failures < rules.max_failures;
    v.tries_left = std::max(0, std::min(rules.tries_per_code - c.code_failures, rules.max_failures - c.failures));
    if (c.channel == "totp") v.tries_left = std::max(0, rules.max_failures - c.failures);
    return v;
}

std::optional<Challenge> IdentityService::current(const Context& ctx, const std::string& purpose) {
    if (ctx.session_hash.empty()) return std::nullopt;
    return challenges_.current(ctx.session_hash, purpose, core::now_unix());
}

Result IdentityService::check_send_limits(const Context& ctx, const std::string& destination) {
    const auto hour = std::chrono::seconds(3600);
    auto d = limiter_.hit("identity-send:" + protector_.blind_index("destination", destination),
                          options_.sends_per_destination_hour, hour);
    if (!d.allowed) return Result::of(Outcome::blocked, "identity.error.too_many_sends", d.retry_after);
    auto a = limiter_.hit("identity-send-ip:" + ctx.ip, options_.sends_per_address_hour, hour);
    if (!a.allowed) return Result::of(Outcome::blocked, "identity.error.too_many_sends", a.retry_after);
    return {};
}

Result IdentityService::send_code(const Context& ctx, soci::session& tx, const Challenge& c,
                                  const std::string& template_name, const std::string& link_path, std::int64_t now) {
    const std::string recipient = c.account_id ? std::to_string(*c.account_id) : destination_key(c.destination);
    const std::string event_key = "identity-challenge-" + std::to_string(c.id) + "-" + std::to_string(c.sends + 1);
    if (c.channel == "email") {
        const std::string token = core::random_token(32);
        const std::int64_t ttl = link_ttl(c.purpose);
        challenges_.set_link(tx, c.id, core::sha256_hex(token), now + ttl, now);
        nlohmann::json params{{"link", ctx.base_url + link_path + "?token=" + token},
                              {"hours", ttl / 3600}, {"minutes", ttl / 60}};
        notify(tx, event_key, recipient, "email", c.destination, ctx.lang, template_name, params);
    } else if (c.channel == "sms") {
        const std::string code = new_code(options_.sms.digits);
        challenges_.set_code(tx, c.id, code, now + options_.sms.ttl, now);
        notify(tx, event_key, recipient, "sms", c.destination, ctx.lang, template_name,
               {{"code", code}, {"minutes", options_.sms.ttl / 60}});
    }
    return {};
}

Result IdentityService::open_challenge(const Context& ctx, Challenge c, const std::string& template_name,
                                       const std::string& link_path) {
    if (ctx.session_hash.empty()) return Result::of(Outcome::no_challenge);
    const std::int64_t now = core::now_unix();
    if (c.channel != "totp") {
        if (Result r = check_send_limits(ctx, c.destination); !r.ok()) return r;
    }
    c.session_hash = ctx.session_hash;
    c.created_at = now;
    if (c.expires_at == 0) c.expires_at = now + (c.channel == "email" ? link_ttl(c.purpose) : options_.registration_ttl);
    db::transact(db_, [&](soci::session& tx) {
        c.id = challenges_.create(tx, c);
        send_code(ctx, tx, c, template_name, link_path, now);
    });
    wake();
    Result r;
    if (auto fresh = challenges_.current(ctx.session_hash, c.purpose, now)) r.challenge = view(*fresh);
    return r;
}

Result IdentityService::resend(const Context& ctx, const std::string& purpose, const std::string& template_name,
                               const std::string& link_path) {
    auto c = current(ctx, purpose);
    if (!c || c->confirmed_at || c->channel == "totp") return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const std::int64_t now = core::now_unix();
    const ChallengeView v = view(*c);
    if (!v.can_resend) return Result::of(Outcome::send_limit, "identity.error.send_limit");
    if (v.resend_in > 0) return Result::of(Outcome::resend_too_early, "identity.error.resend_too_early", v.resend_in);
    if (Result r = check_send_limits(ctx, c->destination); !r.ok()) return r;
    db::transact(db_, [&](soci::session& tx) { send_code(ctx, tx, *c, template_name, link_path, now); });
    wake();
    Result r;
    if (auto fresh = current(ctx, purpose)) r.challenge = view(*fresh);
    return r;
}

CodeCheck IdentityService::check_app_code(const Challenge& c, const std::string& code, std::int64_t now) {
    // A try is taken before the code is compared, as for SMS codes, so
    // concurrent guesses cannot outrun the challenge's failure limit.
    if (!challenges_.take_try(c.id, options_.sms.max_failures)) return CodeCheck::no_tries_left;
    const auto account = c.account_id ? accounts_.find(*c.account_id) : std::nullopt;
    const auto step = account ? core::totp_match(account->totp_secret, code, now) : std::nullopt;
    if (!step || !accounts_.use_totp_step(account->id, *step)) return CodeCheck::wrong;
    db::transact(db_, [&](soci::session& tx) {
        challenges_.give_back_try(tx, c.id);
        challenges_.confirm(tx, c.id, c.session_hash, now);
    });
    return CodeCheck::ok;
}

std::optional<ChallengeView> IdentityService::peek_link(const std::string& token, const std::string& purpose,
                                                       std::optional<std::int64_t> account_id) {
    if (token.size() < 20 || token.size() > 100) return std::nullopt;
    const std::int64_t now = core::now_unix();
    auto c = challenges_.find_by_link(core::sha256_hex(token), now);
    if (!c || c->purpose != purpose || c->code_expires_at <= now) return std::nullopt;
    if (account_id && c->account_id != account_id) return std::nullopt;
    return view(*c);
}

Result IdentityService::check_code(const Context& ctx, const std::string& purpose, const std::string& typed) {
    auto c = current(ctx, purpose);
    if (!c) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    if (c->confirmed_at) {
        Result r;
        r.challenge = view(*c);
        return r;
    }
    const std::int64_t now = core::now_unix();
    std::vector<std::string> keys{"ip:code:" + ctx.ip};
    if (c->account_id) keys.push_back("acct:" + std::to_string(*c->account_id));
    if (!c->destination.empty()) keys.push_back(destination_key(c->destination));
    // Waiting comes first, whatever is typed (a read; the attempt is reserved below).
    // The challenge goes with the refusal so that the page stays on the code step.
    if (std::int64_t wait = throttles_.longest_wait(keys, now); wait > 0) {
        Result r = blocked(wait);
        r.challenge = view(*c);
        return r;
    }

    const std::string code = normalize_code(typed);
    // Not six digits is a typing slip: say so without taking a try.
    if (code.size() != static_cast<std::size_t>(options_.sms.digits)) {
        Result r = Result::of(Outcome::invalid);
        r.errors["code"] = "identity.error.code_format";
        r.challenge = view(*c);
        return r;
    }
    // A dead code is no guess: say so without counting (the store checks again atomically).
    if (c->channel != "totp" && c->code_expires_at <= now) {
        Result r = Result::of(Outcome::code_expired, "identity.error.code_expired");
        r.challenge = view(*c);
        return r;
    }
    if (view(*c).tries_left == 0) {
        Result r = Result::of(Outcome::no_tries_left, "identity.error.no_tries_left");
        r.challenge = view(*c);
        return r;
    }
    const auto attempt = begin_attempt(keys);
    if (!attempt.granted()) {
        Result r = blocked(attempt.refused_for);
        r.challenge = view(*c);
        return r;
    }
    const CodeCheck check = c->channel == "totp" ? check_app_code(*c, code, now)
                                                 : challenges_.check_code(c->id, code, options_.sms, now);
    Result r;
    switch (check) {
        case CodeCheck::ok: end_attempt(attempt, AttemptEnd::proved); break;
        case CodeCheck::wrong:
            r = Result::of(Outcome::wrong_code, "identity.error.wrong_code", attempt.wait_if_wrong);
            r.errors["code"] = "identity.error.wrong_code";
            break;
        case CodeCheck::expired:
        case CodeCheck::no_code:
            end_attempt(attempt, AttemptEnd::not_a_guess);
            r = Result::of(Outcome::code_expired, "identity.error.code_expired");
            break;
        case CodeCheck::no_tries_left:
            end_attempt(attempt, AttemptEnd::not_a_guess);
            r = Result::of(Outcome::no_tries_left, "identity.error.no_tries_left");
            break;
    }
    if (auto fresh = current(ctx, purpose)) r.challenge = view(*fresh);
    // An app's code is never "used up": the wrong try that spent the
    // challenge's last one says so at once.
    if (check == CodeCheck::wrong && c->channel == "totp" && r.challenge && r.challenge->tries_left == 0) {
        auto spent = std::move(r.challenge);
        r = Result::of(Outcome::no_tries_left, "identity.error.no_tries_left");
        r.challenge = std::move(spent);
    }
    return r;
}

// ---- registration ---------------------------------------------------------------------------

Result IdentityService::start_registration(const Context& ctx, const std::string& surname, const std::string& name,
                                           const std::string& contact_typed) {
    Result r;
    if (auto e = check_name_part(surname, true); !e.empty()) r.errors["surname"] = e;
    if (auto e = check_name_part(name, true); !e.empty()) r.errors["name"] = e;
    std::string contact_error;
    const auto parsed = parse_contact(contact_typed, contact_error);
    if (!parsed) r.errors["contact"] = contact_error;
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const Contact contact = *parsed;
    const auto hits = limiter_.hit("identity-register-ip:" + ctx.ip, options_.registrations_per_address_hour,
                                   std::chrono::hours(1));
    if (!hits.allowed) return Result::of(Outcome::blocked, "identity.error.too_many_sends", hits.retry_after);
    {
        db::Connection c(db_);
        if (accounts_.contact_taken(*c, contact)) {
            r.outcome = Outcome::contact_taken;
            r.errors["contact"] = contact.kind == ContactKind::phone ? "identity.error.phone_taken"
                                                                     : "identity.error.email_taken";
            return r;
        }
    }
    Challenge ch;
    ch.purpose = "register";
    ch.channel = contact.kind == ContactKind::phone ? "sms" : "email";
    ch.destination = contact.value;
    ch.payload = nlohmann::json{{"surname", tidy_text(surname)}, {"name", tidy_text(name)}}.dump();
    return open_challenge(ctx, ch,
                          contact.kind == ContactKind::phone ? "account.registration_code" : "account.confirm_email",
                          "/signup/confirm");
}

std::optional<ChallengeView> IdentityService::registration(const Context& ctx) {
    auto c = current(ctx, "register");
    if (!c) return std::nullopt;
    return view(*c);
}

Result IdentityService::resend_registration(const Context& ctx) {
    auto c = current(ctx, "register");
    const bool email = c && c->channel == "email";
    return resend(ctx, "register", email ? "account.confirm_email" : "account.registration_code", "/signup/confirm");
}

Result IdentityService::confirm_registration_code(const Context& ctx, const std::string& code) {
    return check_code(ctx, "register", code);
}

Result IdentityService::confirm_registration_link(const Context& ctx, const std::string& token) {
    if (token.size() < 20 || token.size() > 100) return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    const std::int64_t now = core::now_unix();
    auto c = challenges_.find_by_link(core::sha256_hex(token), now);
    if (!c || c->purpose != "register") return Result::of(Outcome::no_challenge, "identity.error.link_invalid");
    if (c->code_expires_at <= now) return Result::of(Outcome::code_expired, "identity.error.link_expired");
    // The link may be opened in another browser than the one that asked for it:
    // the registration continues there.
    db::transact(db_, [&](soci::session& tx) { challenges_.confirm(tx, c->id, ctx.session_hash, now); });
    Result r;
    if (auto fresh = current(ctx, "register")) r.challenge = view(*fresh);
    return r;
}

Result IdentityService::finish_registration(const Context& ctx, const std::string& password,
                                            const std::string& repeated) {
    auto c = current(ctx, "register");
    if (!c || !c->confirmed_at) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    nlohmann::json payload = nlohmann::json::parse(c->payload, nullptr, false);
    if (!payload.is_object()) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    Account a;
    a.surname = payload.value("surname", "");
    a.name = payload.value("name", "");
    (c->channel == "sms" ? a.phone : a.email) = c->destination;
    a.lang = ctx.lang;
    Result r;
    r.password = check_new_password(password, repeated, {a.surname, a.name}, {c->destination});
    if (!r.password.acceptable()) {
        r.outcome = Outcome::invalid;
        r.errors["password"] = "identity.password." + r.password.problem;
        r.challenge = view(*c);
        return r;
    }
    a.password_hash = core::password_hash(password);
    const std::int64_t now = core::now_unix();
    try {
        r.account_id = db::transact(db_, [&](soci::session& tx) {
            const std::int64_t id = accounts_.create(tx, a, now);
            challenges_.mark_used(tx, c->id, now);
            audit_self(tx, ctx, id, "registered", c->channel == "sms" ? "phone" : "email");
            return id;
        });
    } catch (const ContactTaken& e) {
        r.outcome = Outcome::contact_taken;
        r.errors["contact"] = e.kind == "phone" ? "identity.error.phone_taken" : "identity.error.email_taken";
        r.message_key = r.errors["contact"];
    }
    return r;
}

// ---- sign-in --------------------------------------------------------------------------------

namespace {
// Argon2id takes ~20 ms of one core and 19 MiB; more verifications at once
// than cores only share the cores and the caches, each getting slower. So at
// most one per core runs; the workers of other sign-ins meanwhile do their
// database work and I/O instead of competing for the same cores.
class Argon2Slots {
public:
    Argon2Slots() : free_(std::max(1u, std::thread::hardware_concurrency())) {}
    template <class F>
    bool run(F&& verify) {
        free_.acquire();
        struct Release {
            std::counting_semaphore<>& s;
            ~Release() { s.release(); }
        } release{free_};
        return verify();
    }

private:
    std::counting_semaphore<> free_;
};

Argon2Slots& argon2_slots() {
    static Argon2Slots slots;
    return slots;
}
}  // namespace

bool IdentityService::verify_password(const std::optional<Account>& a, const std::string& password) const {
    if (password.size() > kPasswordMaxBytes) return false;
    if (!a || a->password_hash.empty()) {
        argon2_slots().run([&] { return core::password_verify(dummy_hash_, password); });
        return false;
    }
    return argon2_slots().run([&] { return core::password_verify(a->password_hash, password); });
}

Result IdentityService::sign_in(const Context& ctx, const std::string& login_typed, const std::string& password,
                                bool remember) {
    Result r;
    if (tidy_text(login_typed).empty()) r.errors["login"] = "identity.error.login_required";
    if (password.empty()) r.errors["password"] = "identity.error.password_required";
    if (!r.errors.empty()) {
        r.outcome = Outcome::invalid;
        return r;
    }
    const std::int64_t now = core::now_unix();
    const auto login = parse_login(login_typed);
    // The counter is per login as typed (normalized), so it works the same
    // whether or not such an account exists and reveals nothing.
    const std::string login_key =
        "login:" + protector_.blind_index("login", login ? login->value : tidy_text(login_typed));
    const std::vector<std::string> keys{login_key, "ip:signin:" + ctx.ip};
    const auto attempt = begin_attempt(keys);
    if (!attempt.granted()) return blocked(attempt.refused_for);

    std::optional<Account> account;
    if (login) account = accounts_.find_account_by_login(*login);
    if (!verify_password(account, password)) {
        const std::int64_t wait = attempt.wait_if_wrong;
        if (account) {
            AuditEntry e;
            e.at = now;
            e.account_id = account->id;
            e.action = "signin_failed";
            e.ip = ctx.ip;
            e.device = ctx.device;
            audit_.record(e);
        }
        r = Result::of(Outcome::wrong_credentials, wait > 0 ? "identity.error.wrong_credentials_wait"
                                                         : "identity.error.wrong_credentials",
                    wait);
        return r;
    }
    end_attempt(attempt, AttemptEnd::proved);
    if (core::password_needs_rehash(account->password_hash)) {
        const std::string fresh = core::password_hash(password);
        db::transact(db_, [&](soci::session& tx) { accounts_.set_password(tx, account->id, fresh, now); });
    }
    r.account_id = account->id;
    r.remember = remember;
    r.account = std::make_shared<const Account>(*account);
    if (account->two_factor == "sms" && !account->phone.empty()) {
        Challenge c;
        c.purpose = "signin";
        c.account_id = account->id;
        c.channel = "sms";
        c.destination = account->phone;
        c.payload = nlohmann::json{{"remember", remember}}.dump();
        c.expires_at = now + 15 * 60;
        Result opened = open_challenge(ctx, c, "account.signin_code");
        if (opened.outcome == Outcome::blocked) return opened;
        opened.outcome = Outcome::second_factor;
        opened.account_id = 0;  // not signed in yet
        return opened;
    }
    if (account->two_factor == "totp" && !account->totp_secret.empty()) {
        Challenge c;
        c.purpose = "signin";
        c.account_id = account->id;
        c.channel = "totp";
        c.payload = nlohmann::json{{"remember", remember}}.dump();
        c.expires_at = now + 15 * 60;
        Result opened = open_challenge(ctx, c, "");
        opened.outcome = Outcome::second_factor;
        opened.account_id = 0;
        return opened;
    }
    return r;
}

std::optional<ChallengeView> IdentityService::second_factor(const Context& ctx) {
    auto c = current(ctx, "signin");
    if (!c || c->confirmed_at) return std::nullopt;
    return view(*c);
}

Result IdentityService::confirm_second_factor(const Context& ctx, const std::string& code) {
    Result r = check_code(ctx, "signin", code);
    if (!r.ok()) return r;
    auto c = current(ctx, "signin");
    if (!c || !c->account_id || !c->confirmed_at) return Result::of(Outcome::no_challenge, "identity.error.no_challenge");
    const nlohmann::json payload = nlohmann::json::parse(c->payload, nullptr, false);
    db::transact(db_, [&](soci::session& tx) { challenges_.mark_used(tx, c->id, core::now_unix()); });
    r.account_id = *c->account_id;
    r.remember = payload.is_object() && payload.value("remember", false);
    r.challenge.reset();
    return r;
}

Result IdentityService::resend_second_factor(const Context& ctx) { return resend(ctx, "signin", "account.signin_code"); }

void IdentityService::signed_in(const Context& ctx, std::int64_t account_id, const std::string& method,
                                const Account* known, const std::function<void(soci::session&)>& rotate) {
    std::optional<Account> loaded;
    if (!known || known->id != account_id) loaded = accounts_.find(account_id);
    const Account* account = known && known->id == account_id ? known : (loaded ? &*loaded : nullptr);
    const bool notice = account && account->notify_signin && !account->email.empty();
    if (!notice && !rotate) {
        audit_self(ctx, account_id, "signin", method);  // one statement: no transaction needed
        return;
    }
    // The new session, the audit entry and the notice commit together: one
    // transaction (one commit, one write lock on SQLite) per sign-in.
    db::transact(db_, [&](soci::session& tx) {
        if (rotate) rotate(tx);
        audit_self(tx, ctx, account_id, "signin", method);
        if (notice) queue_signin_notice(tx, ctx, *account);
    });
    if (notice) wake();
}

void IdentityService::queue_signin_notice(soci::session& tx, const Context& ctx, const Account& account) {
    const std::int64_t now = core::now_unix();
    notify(tx, "identity-signin-" + std::to_string(account.id) + "-" + std::to_string(now) + "-" + core::random_token(6),
           std::to_string(account.id), "email", account.email, account.lang, "account.signin_notice",
           {{"name", account.name}, {"time", core::format_local(now, ctx.time_zone)},
            {"zone", core::utc_offset_label(ctx.time_zone, now)}, {"ip", ctx.ip},
            {"device", ctx.device.empty() ? "—" : ctx.device}});
}

void IdentityService::signed_out(const Context& ctx, std::int64_t account_id) {
    audit_self(ctx, account_id, "signout");
    for (const auto& hook : sign_out_hooks_) hook(ctx, account_id);
}

// ---- passwords and accounts ----------------------------------------------------------------

PasswordVerdict IdentityService::rate_password(const std::string& password,
                                               const std::vector<std::string>& inputs) const {
    return identity::rate_password(password, inputs);
}

PasswordVerdict IdentityService::check_password_for(const Account& a, const std::string& password,
                                                    const std::string& repeated) const {
    std::vector<std::string> contacts;
    if (!a.phone.empty()) contacts.push_back(a.phone);
    if (!a.email.empty()) contacts.push_back(a.email);
    return check_new_password(password, repeated, {a.surname, a.name}, contacts);
}

std::shared_ptr<const http::AccountBrief> IdentityService::brief(std::int64_t account_id) {
    auto a = accounts_.find_brief(account_id);
    if (!a || a->status != AccountStatus::active) return nullptr;
    return brief_of(*a);
}

void IdentityService::mark_in_organisations(soci::session& tx, std::int64_t account_id) {
    accounts_.mark_in_organisations(tx, account_id);
}

std::shared_ptr<const http::AccountBrief> IdentityService::brief_of(const Account& a) {
    auto b = std::make_shared<http::AccountBrief>();
    b->id = a.id;
    b->display_name = a.display_name();
    b->level = std::string(to_string(a.level));
    b->level_rank = static_cast<int>(a.level);
    b->roles = a.roles;
    b->kind = a.kind;
    b->in_organisations = a.in_organisations;
    return b;
}

// The owner hears of the deletion on every contact the account had, written
// with the deletion itself: either both happen or neither.
void IdentityService::confirm_deletion_to(soci::session& tx, const Context& ctx, const Account& a,
                                          std::int64_t now) {
    const std::string event = "identity-deleted-" + std::to_string(a.id) + "-" + std::to_string(now);
    const nlohmann::json params{{"name", a.name}, {"time", core::format_local(now, ctx.time_zone)},
                                {"zone", core::utc_offset_label(ctx.time_zone, now)}, {"ip", ctx.ip},
                                {"device", ctx.device.empty() ? "—" : ctx.device}};
    const std::string recipient = std::to_string(a.id);
    if (!a.phone.empty()) notify(tx, event, recipient, "sms", a.phone, a.lang, "flows.account_deleted", params);
    if (!a.email.empty()) notify(tx, event, recipient, "email", a.email, a.lang, "flows.account_deleted", params);
}

void IdentityService::erase_account(const Context& ctx, std::int64_t account_id) {
    const std::int64_t now = core::now_unix();
    db::transact(db_, [&](soci::session& tx) {
        // Read before the erasure: the confirmation needs the contacts it removes.
        const auto before = accounts_.find(tx, account_id);
        for (const auto& erase : erasers_) erase(tx, account_id);
        accounts_.erase(tx, account_id, now);
        audit_.erase_network_details(tx, account_id);
        AuditEntry e;
        e.at = now;
        e.account_id = account_id;
        e.action = "account_deleted";
        audit_.record(tx, e);  // no address: the trace is pseudonymous
        if (before) confirm_deletion_to(tx, ctx, *before, now);
    });
    wake();
}

void IdentityService::record_access(const AuditEntry& entry) {
    db::Connection c(db_);
    record_access(*c, entry);
}

void IdentityService::record_access(soci::session& tx, const AuditEntry& entry) {
    if (entry.actor_kind == "self") throw std::invalid_argument("record_access is for reads by others");
    AuditEntry e = entry;
    if (e.at == 0) e.at = core::now_unix();
    if (e.action.empty()) e.action = "data_read";
    audit_.record(tx, e);
}

void IdentityService::audit_self(const Context& ctx, std::int64_t account_id, const std::string& action,
                                 const std::string& fields) {
    db::Connection c(db_);
    audit_self(*c, ctx, account_id, action, fields);
}

void IdentityService::audit_self(soci::session& tx, const Context& ctx, std::int64_t account_id,
                                 const std::string& action, const std::string& fields) {
    AuditEntry e;
    e.at = core::now_unix();
    e.account_id = account_id;
    e.action = action;
    e.fields = fields;
    e.ip = ctx.ip;
    e.device = ctx.device;
    audit_.record(tx, e);
}

// ---- the confirmed level (ID-3) ---------------------------------------------------------

namespace {

constexpr std::string_view kConfirmMethods[] = {"service_centre", "registered_mail", "qualified_signature", "bank",
                                                "uec"};

}  // namespace

IdentityService::ConfirmOutcome IdentityService::confirm_identity(soci::session& tx, const Context& ctx,
                                                                  std::int64_t account_id, std::string_view method,
                                                                  const std::string& actor) {
    if (std::find(std::begin(kConfirmMethods), std::end(kConfirmMethods), method) == std::end(kConfirmMethods))
        throw std::invalid_argument("unknown way of confirming an identity: " + std::string(method));
    const std::int64_t now = core::now_unix();
    // The conditional UPDATE decides: two ways finishing at once confirm once.
    if (!accounts_.raise_to_confirmed(tx, account_id, std::string(method), now)) {
        const auto a = accounts_.find(tx, account_id);
        if (!a || a->status != AccountStatus::active) return ConfirmOutcome::not_active;
        return a->level == Level::confirmed ? ConfirmOutcome::already_confirmed : ConfirmOutcome::not_standard;
    }
    AuditEntry e;
    e.at = now;
    e.account_id = account_id;
    e.actor_kind = actor.empty() ? "self" : "system";
    e.actor_id = actor;
    e.action = "level_changed";
    e.fields = "confirmed";
    e.reason = std::string(method);
    e.ip = actor.empty() ? ctx.ip : std::string();
    e.device = actor.empty() ? ctx.device : std::string();
    audit_.record(tx, e);

    const auto a = accounts_.find(tx, account_id);
    const std::string event = "identity-confirmed-" + std::to_string(account_id) + "-" + std::to_string(now);
    const nlohmann::json params{{"name", a->name}};
    const std::string recipient = std::to_string(account_id);
    if (!a->phone.empty()) notify(tx, event, recipient, "sms", a->phone, a->lang, "identity.confirmed", params);
    if (!a->email.empty()) notify(tx, event, recipient, "email", a->email, a->lang, "identity.confirmed", params);
    return ConfirmOutcome::confirmed;
}

}  // namespace uslugi::identity
