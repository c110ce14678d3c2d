// identity/service.hpp with a real database, outbox and rate limiter:
// registration (ID-1) and sign-in with its second step and throttling (ID-5).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "identity/service.hpp"
#include "core/totp.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

constexpr const char* kPassword = "violet tractor umbrella justice marble";

class IdentityServiceTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        protector_ = std::make_unique<core::DataProtector>(std::string(32, '\x24'));
        jobs_ = std::make_unique<jobs::JobStore>(db());
        outbox_ = std::make_unique<notifications::OutboxStore>(db(), *jobs_, notifications::OutboxStore::Clock{},
                                                               protector_.get());
        limiter_ = std::make_unique<http::RateLimiter>(db());
        service_ = std::make_unique<IdentityService>(db(), *protector_, *jobs_, *outbox_, *limiter_, nullptr);
    }
    void TearDown() override {
        service_.reset();
        StoreTest::TearDown();
    }

    static Context ctx(const std::string& session = "session-a", const std::string& ip = "203.0.113.5") {
        Context c;
        c.session_hash = session;
        c.ip = ip;
        c.device = "Firefox · Linux";
        c.lang = "en";
        c.base_url = "https://uslugi.local";
        return c;
    }

    IdentityService& service() { return *service_; }

    // Messages to an account (its id) or, before there is one, to a phone or
    // e-mail, which the outbox knows only by its blind index.
    std::vector<notifications::OutboxMessage> sent_to(const std::string& recipient) {
        const bool contact = recipient.find_first_of("+@") != std::string::npos;
        return outbox_->list_for_recipient(contact ? "dest:" + protector_->blind_index("destination", recipient)
                                                   : recipient);
    }
    // The newest code sent to `recipient`.
    std::string last_code(const std::string& recipient) {
        const auto messages = sent_to(recipient);
        if (messages.empty()) return "";
        return nlohmann::json::parse(messages.front().params).value("code", "");
    }
    long long count(const std::string& sql) {
        long long n = 0;
        db::Connection c(db());
        *c << sql, soci::into(n);
        return n;
    }
    void exec(const std::string& sql) {
        db::Connection c(db());
        *c << sql;
    }
    // As if the current wait had passed: the counters stay, only the block ends.
    void let_waits_pass() { exec("UPDATE identity_throttles SET blocked_until = 0"); }
    // As if the last code had been sent over a minute ago.
    void let_resend_wait_pass() { exec("UPDATE identity_challenges SET code_sent_at = code_sent_at - 61"); }

    std::int64_t make_account(const std::string& phone = "+79161234567", const std::string& email = "",
                              const std::string& password = kPassword) {
        Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = phone;
        a.email = email;
        a.password_hash = core::password_hash(password);
        return db::transact(db(), [&](soci::session& tx) {
            return service().accounts().create(tx, a, core::now_unix());
        });
    }
    void set_two_factor(std::int64_t id, const std::string& mode, const std::string& secret = "") {
        db::transact(db(), [&](soci::session& tx) {
            service().accounts().set_two_factor(tx, id, mode, secret, core::now_unix());
        });
    }
    // Registers by phone up to the password step.
    void confirmed_registration(const Context& c, const std::string& phone = "+79161234567") {
        ASSERT_TRUE(service().start_registration(c, "Смирнова", "Анна", phone).ok());
        ASSERT_TRUE(service().confirm_registration_code(c, last_code(phone)).ok());
    }

    std::unique_ptr<core::DataProtector> protector_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<notifications::OutboxStore> outbox_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<IdentityService> service_;
};

}  // namespace

// ---- registration ------------------------------------------------------------------------------

TEST_P(IdentityServiceTest, StartRegistrationNamesEachFieldsError) {
    auto r = service().start_registration(ctx(), "", "", "");
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors["surname"], "identity.error.name_required");
    EXPECT_EQ(r.errors["name"], "identity.error.name_required");
    EXPECT_EQ(r.errors["contact"], "identity.error.contact_required");

    r = service().start_registration(ctx(), "Иванов2", "<b>Анна</b>", "12345");
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors["surname"], "identity.error.name_chars");
    EXPECT_EQ(r.errors["name"], "identity.error.name_chars");
    EXPECT_EQ(r.errors["contact"].rfind("validation.mobile_phone.", 0), 0u) << r.errors["contact"];

    std::string long_surname;
    for (int i = 0; i < 61; ++i) long_surname += "я";
    r = service().start_registration(ctx(), long_surname, "Анна", "anna@");
    EXPECT_EQ(r.errors["surname"], "identity.error.name_too_long");
    EXPECT_EQ(r.errors.count("name"), 0u);
    EXPECT_EQ(r.errors["contact"].rfind("validation.email.", 0), 0u) << r.errors["contact"];

    r = service().start_registration(ctx(), "Смирнова", "Анна", "+7 495 123-45-67");
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors["contact"], "validation.mobile_phone.not_mobile") << "a landline gets no SMS";
    EXPECT_EQ(r.errors.size(), 1u);

    // Names of any alphabet with hyphens, apostrophes and spaces are fine.
    r = service().start_registration(ctx(), "О’Коннор-Смит", "Jean Luc", "");
    EXPECT_EQ(r.errors.count("surname"), 0u);
    EXPECT_EQ(r.errors.count("name"), 0u);

    EXPECT_FALSE(service().registration(ctx())) << "nothing started";
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications_outbox"), 0) << "nothing sent";
}

// Blank values of every kind of space count as empty, and names are kept tidy.
TEST_P(IdentityServiceTest, WhitespaceIsTrimmedFromNamesAndLogins) {
    auto r = service().start_registration(ctx(), "   ", "\u00a0\u2009", " ");
    EXPECT_EQ(r.errors["surname"], "identity.error.name_required");
    EXPECT_EQ(r.errors["name"], "identity.error.name_required");
    EXPECT_EQ(r.errors["contact"], "identity.error.contact_required");
    r = service().sign_in(ctx(), " \u3000 ", "x", false);
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors["login"], "identity.error.login_required");

    ASSERT_TRUE(service().start_registration(ctx(), "  Смирнова ", " Анна\u00a0 ", "+79161234567").ok());
    ASSERT_TRUE(service().confirm_registration_code(ctx(), last_code("+79161234567")).ok());
    const Result done = service().finish_registration(ctx(), kPassword, kPassword);
    ASSERT_TRUE(done.ok());
    const auto a = service().accounts().find(done.account_id);
    EXPECT_EQ(a->surname, "Смирнова");
    EXPECT_EQ(a->name, "Анна");
    EXPECT_EQ(a->display_name(), "Анна Смирнова");
}

TEST_P(IdentityServiceTest, TakenContactIsRefusedWithoutSayingWhose) {
    make_account("+79161234567", "anna.smirnova@example.ru");
    auto r = service().start_registration(ctx(), "Петров", "Пётр", "8 (916) 123-45-67");
    EXPECT_EQ(r.outcome, Outcome::contact_taken);
    EXPECT_EQ(r.errors["contact"], "identity.error.phone_taken");
    EXPECT_EQ(r.account_id, 0);
    EXPECT_FALSE(r.challenge);

    r = service().start_registration(ctx(), "Петров", "Пётр", "anna.smirnova@EXAMPLE.RU");
    EXPECT_EQ(r.outcome, Outcome::contact_taken);
    EXPECT_EQ(r.errors["contact"], "identity.error.email_taken");
    EXPECT_EQ(r.account_id, 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications_outbox"), 0) << "the owner is not disturbed by an SMS";
    EXPECT_FALSE(service().registration(ctx()));
}

TEST_P(IdentityServiceTest, SmsCodeTravelsThroughTheOutboxAndConfirms) {
    const Result r = service().start_registration(ctx(), "Смирнова", "Анна", "8 916 123-45-67");
    ASSERT_TRUE(r.ok()) << to_string(r.outcome);
    ASSERT_TRUE(r.challenge);
    EXPECT_EQ(r.challenge->channel, "sms");
    EXPECT_EQ(r.challenge->destination, "+7 916 ***-**-67");
    EXPECT_FALSE(r.challenge->confirmed);
    EXPECT_EQ(r.challenge->tries_left, 3);
    EXPECT_TRUE(r.challenge->can_resend);
    EXPECT_GT(r.challenge->resend_in, 50);
    EXPECT_LE(r.challenge->resend_in, 60);
    EXPECT_GT(r.challenge->code_expires_in, 290);
    EXPECT_LE(r.challenge->code_expires_in, 300);

    const auto messages = sent_to("+79161234567");
    ASSERT_EQ(messages.size(), 1u);
    const auto& m = messages[0];
    EXPECT_EQ(m.channel, notifications::ChannelKind::sms);
    EXPECT_EQ(m.address, "+79161234567");
    EXPECT_EQ(m.template_name, "account.registration_code");
    EXPECT_EQ(m.lang, "en");
    const auto params = nlohmann::json::parse(m.params);
    const std::string code = params.value("code", "");
    ASSERT_EQ(code.size(), 6u);
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_EQ(params.value("minutes", 0), 5);
    EXPECT_EQ(count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify.deliver'"), 1) << "delivery queued with it";

    // Another browser cannot use this session's code.
    EXPECT_EQ(service().confirm_registration_code(ctx("session-b"), code).outcome, Outcome::no_challenge);

    // Not a code at all: no try is spent.
    auto bad = service().confirm_registration_code(ctx(), "abc");
    EXPECT_EQ(bad.outcome, Outcome::invalid);
    EXPECT_EQ(bad.errors["code"], "identity.error.code_format");
    ASSERT_TRUE(bad.challenge);
    EXPECT_EQ(bad.challenge->tries_left, 3);

    const std::string wrong_code = code == "000000" ? "111111" : "000000";
    auto wrong = service().confirm_registration_code(ctx(), wrong_code);
    EXPECT_EQ(wrong.outcome, Outcome::wrong_code);
    EXPECT_EQ(wrong.errors["code"], "identity.error.wrong_code");
    ASSERT_TRUE(wrong.challenge);
    EXPECT_EQ(wrong.challenge->tries_left, 2);

    const auto ok = service().confirm_registration_code(ctx(), code.substr(0, 3) + " " + code.substr(3));
    ASSERT_TRUE(ok.ok()) << to_string(ok.outcome);
    ASSERT_TRUE(ok.challenge);
    EXPECT_TRUE(ok.challenge->confirmed);
    EXPECT_TRUE(service().registration(ctx())->confirmed);
    // Confirmed already: typing the code again changes nothing.
    EXPECT_TRUE(service().confirm_registration_code(ctx(), code).ok());
}

TEST_P(IdentityServiceTest, ResendTooEarlyThenANewCodeReplacesTheOld) {
    ASSERT_TRUE(service().start_registration(ctx(), "Смирнова", "Анна", "+79161234567").ok());
    const std::string first = last_code("+79161234567");

    const Result early = service().resend_registration(ctx());
    EXPECT_EQ(early.outcome, Outcome::resend_too_early);
    EXPECT_EQ(early.message_key, "identity.error.resend_too_early");
    EXPECT_GT(early.retry_after, 0);
    EXPECT_LE(early.retry_after, 60);
    EXPECT_EQ(sent_to("+79161234567").size(), 1u) << "nothing sent";

    let_resend_wait_pass();
    const Result again = service().resend_registration(ctx());
    ASSERT_TRUE(again.ok()) << to_string(again.outcome);
    ASSERT_EQ(sent_to("+79161234567").size(), 2u);
    const std::string second = last_code("+79161234567");
    ASSERT_EQ(second.size(), 6u);
    if (first != second) {
        EXPECT_EQ(service().confirm_registration_code(ctx(), first).outcome, Outcome::wrong_code)
            << "the old code died";
    }
    EXPECT_TRUE(service().confirm_registration_code(ctx(), second).ok());
    EXPECT_EQ(service().resend_registration(ctx()).outcome, Outcome::no_challenge) << "nothing to resend once confirmed";
}

TEST_P(IdentityServiceTest, SendLimitEndsResending) {
    ASSERT_TRUE(service().start_registration(ctx(), "Смирнова", "Анна", "+79161234567").ok());
    const int max_sends = service().options().sms.max_sends;
    for (int i = 1; i < max_sends; ++i) {
        let_resend_wait_pass();
        ASSERT_TRUE(service().resend_registration(ctx()).ok()) << "send " << i + 1;
    }
    let_resend_wait_pass();
    const Result r = service().resend_registration(ctx());
    EXPECT_EQ(r.outcome, Outcome::send_limit);
    EXPECT_EQ(sent_to("+79161234567").size(), static_cast<std::size_t>(max_sends));
}

TEST_P(IdentityServiceTest, FinishRegistrationAppliesThePasswordPolicyAndCreatesTheAccount) {
    EXPECT_EQ(service().finish_registration(ctx(), kPassword, kPassword).outcome, Outcome::no_challenge);
    ASSERT_TRUE(service().start_registration(ctx(), "Смирнова", "Анна", "+79161234567").ok());
    EXPECT_EQ(service().finish_registration(ctx(), kPassword, kPassword).outcome, Outcome::no_challenge)
        << "not before the phone is confirmed";
    ASSERT_TRUE(service().confirm_registration_code(ctx(), last_code("+79161234567")).ok());

    struct Case {
        std::string password, repeated, problem;
    };
    for (const Case& c : std::vector<Case>{{"qwerty123", "qwerty123", "too_weak"},
                                           {"short", "short", "too_short"},
                                           {kPassword, "violet tractor", "mismatch"},
                                           {"Смирнова и синее небо над рекой", "Смирнова и синее небо над рекой",
                                            "contains_name"},
                                           {"zebra 1234567 orbit quartz", "zebra 1234567 orbit quartz",
                                            "contains_contact"}}) {
        const Result r = service().finish_registration(ctx(), c.password, c.repeated);
        EXPECT_EQ(r.outcome, Outcome::invalid) << c.password;
        EXPECT_EQ(r.errors.at("password"), "identity.password." + c.problem) << c.password;
        EXPECT_EQ(r.password.problem, c.problem);
        EXPECT_TRUE(r.challenge) << "the page shows the step again";
    }
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_accounts"), 0);

    const Result done = service().finish_registration(ctx(), kPassword, kPassword);
    ASSERT_TRUE(done.ok()) << to_string(done.outcome);
    ASSERT_GT(done.account_id, 0);
    const auto a = service().accounts().find(done.account_id);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->surname, "Смирнова");
    EXPECT_EQ(a->name, "Анна");
    EXPECT_EQ(a->phone, "+79161234567");
    EXPECT_EQ(a->email, "");
    EXPECT_EQ(a->level, Level::simplified);
    EXPECT_EQ(a->lang, "en");
    EXPECT_TRUE(core::password_verify(a->password_hash, kPassword));
    EXPECT_FALSE(core::password_needs_rehash(a->password_hash));

    const auto audit = service().audit().list(done.account_id, false, 10);
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].action, "registered");
    EXPECT_EQ(audit[0].fields, "phone");
    EXPECT_EQ(audit[0].ip, "203.0.113.5");
    EXPECT_EQ(audit[0].device, "Firefox · Linux");

    EXPECT_FALSE(service().registration(ctx())) << "the challenge is used up";
    EXPECT_EQ(service().finish_registration(ctx(), kPassword, kPassword).outcome, Outcome::no_challenge);
    EXPECT_EQ(service().start_registration(ctx("session-b"), "Петров", "Пётр", "+79161234567").outcome,
              Outcome::contact_taken);

    const auto brief = service().brief(done.account_id);
    ASSERT_TRUE(brief);
    EXPECT_EQ(brief->display_name, "Анна Смирнова");
    EXPECT_EQ(brief->level, "simplified");
}

TEST_P(IdentityServiceTest, TwoRegistrationsOfOnePhoneCreateOneAccount) {
    // Both confirmed the phone before either finished: the second finish loses.
    confirmed_registration(ctx("session-a"));
    let_resend_wait_pass();
    ASSERT_NO_FATAL_FAILURE(confirmed_registration(ctx("session-b")));
    ASSERT_TRUE(service().finish_registration(ctx("session-a"), kPassword, kPassword).ok());
    const Result second = service().finish_registration(ctx("session-b"), kPassword, kPassword);
    EXPECT_EQ(second.outcome, Outcome::contact_taken);
    EXPECT_EQ(second.errors.at("contact"), "identity.error.phone_taken");
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_accounts"), 1);
}

TEST_P(IdentityServiceTest, EmailRegistrationByLinkInAnotherBrowser) {
    const Result r = service().start_registration(ctx(), "Смирнова", "Анна", "Anna.Smirnova@Example.RU");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.challenge->channel, "email");
    EXPECT_EQ(r.challenge->destination, "an***@example.ru");
    const auto messages = sent_to("anna.smirnova@example.ru");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, notifications::ChannelKind::email);
    EXPECT_EQ(messages[0].template_name, "account.confirm_email");
    const auto params = nlohmann::json::parse(messages[0].params);
    const std::string link = params.value("link", "");
    const std::string prefix = "https://uslugi.local/signup/confirm?token=";
    ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
    const std::string token = link.substr(prefix.size());
    EXPECT_EQ(params.value("hours", 0), 24);
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_challenges WHERE link_hash = '" + token + "'"), 0)
        << "only the token's hash is stored";

    EXPECT_EQ(service().confirm_registration_link(ctx("session-b"), "x").outcome, Outcome::no_challenge);
    EXPECT_EQ(service().confirm_registration_link(ctx("session-b"), core::random_token(32)).outcome,
              Outcome::no_challenge);
    const Result confirmed = service().confirm_registration_link(ctx("session-b"), token);
    ASSERT_TRUE(confirmed.ok()) << to_string(confirmed.outcome);
    EXPECT_TRUE(confirmed.challenge->confirmed);
    EXPECT_EQ(service().confirm_registration_link(ctx("session-c"), token).outcome, Outcome::no_challenge)
        << "a link works once";
    const Result done = service().finish_registration(ctx("session-b"), kPassword, kPassword);
    ASSERT_TRUE(done.ok()) << to_string(done.outcome);
    EXPECT_EQ(service().accounts().find(done.account_id)->email, "anna.smirnova@example.ru");
}

// ---- sign-in -------------------------------------------------------------------------------------

TEST_P(IdentityServiceTest, SignInAsksForBothFields) {
    auto r = service().sign_in(ctx(), "", "", false);
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors["login"], "identity.error.login_required");
    EXPECT_EQ(r.errors["password"], "identity.error.password_required");
}

TEST_P(IdentityServiceTest, SignInByPhoneEmailOrSnils) {
    const std::int64_t id = make_account("+79161234567", "anna@example.ru");
    db::transact(db(), [&](soci::session& tx) { service().accounts().set_snils(tx, id, "112-233-445 95", 1); });
    for (const std::string login : {"8 916 123-45-67", "anna@EXAMPLE.ru", "11223344595"}) {
        const Result r = service().sign_in(ctx(), login, kPassword, true);
        ASSERT_TRUE(r.ok()) << login << ": " << to_string(r.outcome);
        EXPECT_EQ(r.account_id, id);
        EXPECT_TRUE(r.remember);
    }
}

TEST_P(IdentityServiceTest, WrongPasswordsMeetGrowingWaitsThenABlock) {
    const std::int64_t id = make_account();
    std::vector<std::int64_t> waits;
    for (int i = 0; i < 3; ++i) {
        const Result r = service().sign_in(ctx(), "+79161234567", "wrong password", false);
        EXPECT_EQ(r.outcome, Outcome::wrong_credentials);
        EXPECT_EQ(r.account_id, 0);
        EXPECT_EQ(r.message_key, i < 2 ? "identity.error.wrong_credentials" : "identity.error.wrong_credentials_wait");
        waits.push_back(r.retry_after);
    }
    EXPECT_EQ(waits, (std::vector<std::int64_t>{0, 0, 2}));

    // During the wait even the right password is refused: guessing gains nothing.
    const Result blocked = service().sign_in(ctx(), "8 916 123 45 67", kPassword, false);
    EXPECT_EQ(blocked.outcome, Outcome::blocked);
    EXPECT_EQ(blocked.message_key, "identity.error.blocked");
    EXPECT_GE(blocked.retry_after, 1);
    EXPECT_LE(blocked.retry_after, 2);
    EXPECT_EQ(blocked.account_id, 0);
    // … from another address too: the counter belongs to the login.
    EXPECT_EQ(service().sign_in(ctx("session-b", "198.51.100.7"), "+79161234567", kPassword, false).outcome,
              Outcome::blocked);

    let_waits_pass();
    EXPECT_EQ(service().sign_in(ctx(), "+79161234567", "wrong", false).retry_after, 4);
    let_waits_pass();
    EXPECT_EQ(service().sign_in(ctx(), "+79161234567", "wrong", false).retry_after, 8);
    let_waits_pass();
    const Result ok = service().sign_in(ctx(), "+79161234567", kPassword, false);
    ASSERT_TRUE(ok.ok()) << to_string(ok.outcome);
    EXPECT_EQ(ok.account_id, id);
    EXPECT_EQ(service().sign_in(ctx(), "+79161234567", "wrong", false).retry_after, 0)
        << "a successful sign-in resets the login's counter";

    const auto audit = service().audit().list(id, false, 20);
    ASSERT_EQ(audit.size(), 6u) << "every failure against the account is in its log";
    for (const auto& e : audit) {
        EXPECT_EQ(e.action, "signin_failed");
        EXPECT_EQ(e.ip, "203.0.113.5");
    }
}

TEST_P(IdentityServiceTest, ThrottleTreatsAnUnknownLoginTheSame) {
    make_account("+79161234567");
    auto sequence = [&](const std::string& login) {
        std::vector<std::tuple<Outcome, std::int64_t, std::string>> out;
        for (int i = 0; i < 3; ++i) {
            const Result r = service().sign_in(ctx(), login, "wrong password", false);
            out.emplace_back(r.outcome, r.retry_after, r.message_key);
        }
        const Result r = service().sign_in(ctx(), login, "wrong password", false);
        out.emplace_back(r.outcome, r.retry_after > 0 ? 1 : 0, r.message_key);
        return out;
    };
    const auto existing = sequence("+79161234567");
    const auto unknown = sequence("+79035550000");
    const auto garbage = sequence("nobody-by-this-name");
    EXPECT_EQ(unknown, existing) << "the answers must not tell whether an account exists";
    EXPECT_EQ(garbage, existing);
    EXPECT_EQ(std::get<0>(existing.back()), Outcome::blocked);
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_audit"), 3)
        << "only the real account's failures are logged (the blocked try checks no password)";
}

TEST_P(IdentityServiceTest, OneLoginInDifferentSpellingsSharesItsCounter) {
    make_account("+79161234567");
    EXPECT_EQ(service().sign_in(ctx(), "+79161234567", "x1", false).retry_after, 0);
    EXPECT_EQ(service().sign_in(ctx(), "8 (916) 123-45-67", "x2", false).retry_after, 0);
    EXPECT_EQ(service().sign_in(ctx(), "89161234567", "x3", false).retry_after, 2);
}

TEST_P(IdentityServiceTest, SmsSecondFactor) {
    const std::int64_t id = make_account();
    set_two_factor(id, "sms");
    const Result first = service().sign_in(ctx(), "+79161234567", kPassword, true);
    ASSERT_EQ(first.outcome, Outcome::second_factor);
    EXPECT_EQ(first.account_id, 0) << "not signed in yet";
    ASSERT_TRUE(first.challenge);
    EXPECT_EQ(first.challenge->channel, "sms");
    EXPECT_EQ(first.challenge->destination, "+7 916 ***-**-67");
    ASSERT_TRUE(service().second_factor(ctx()));

    const auto messages = sent_to(std::to_string(id));
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].template_name, "account.signin_code");
    EXPECT_EQ(messages[0].address, "+79161234567");
    const std::string code = last_code(std::to_string(id));
    ASSERT_EQ(code.size(), 6u);

    EXPECT_EQ(service().confirm_second_factor(ctx("session-b"), code).outcome, Outcome::no_challenge)
        << "the code belongs to the browser that typed the password";
    EXPECT_EQ(service().confirm_second_factor(ctx(), code == "000000" ? "111111" : "000000").outcome,
              Outcome::wrong_code);
    const Result done = service().confirm_second_factor(ctx(), code);
    ASSERT_TRUE(done.ok()) << to_string(done.outcome);
    EXPECT_EQ(done.account_id, id);
    EXPECT_TRUE(done.remember) << "“remember me” survives the second step";
    EXPECT_FALSE(service().second_factor(ctx()));
    EXPECT_EQ(service().confirm_second_factor(ctx(), code).outcome, Outcome::no_challenge) << "used once";
}

TEST_P(IdentityServiceTest, TotpSecondFactorRefusesAReplayedCode) {
    const std::int64_t id = make_account();
    const std::string secret = core::new_totp_secret();
    set_two_factor(id, "totp", secret);

    Result r = service().sign_in(ctx(), "+79161234567", kPassword, false);
    ASSERT_EQ(r.outcome, Outcome::second_factor);
    ASSERT_TRUE(r.challenge);
    EXPECT_EQ(r.challenge->channel, "totp");
    EXPECT_FALSE(r.challenge->can_resend);
    EXPECT_EQ(count("SELECT COUNT(*) FROM notifications_outbox"), 0) << "an app's code is not sent";

    const std::string code = core::totp(secret, core::now_unix());
    const Result done = service().confirm_second_factor(ctx(), code);
    ASSERT_TRUE(done.ok()) << to_string(done.outcome);
    EXPECT_EQ(done.account_id, id);
    EXPECT_FALSE(done.remember);

    // Someone who saw the code signs in with the password and types it again.
    r = service().sign_in(ctx("session-b", "198.51.100.7"), "+79161234567", kPassword, false);
    ASSERT_EQ(r.outcome, Outcome::second_factor);
    const Result replay = service().confirm_second_factor(ctx("session-b", "198.51.100.7"), code);
    EXPECT_EQ(replay.outcome, Outcome::wrong_code) << "an authenticator code works once";
    EXPECT_EQ(replay.account_id, 0);
    // The app's next code is fine.
    const Result next = service().confirm_second_factor(ctx("session-b", "198.51.100.7"),
                                                        core::totp(secret, core::now_unix() + core::kTotpStep));
    ASSERT_TRUE(next.ok()) << to_string(next.outcome);
    EXPECT_EQ(next.account_id, id);
}

// The total failures per challenge hold for authenticator codes too: after
// the last one even a right code is refused.
TEST_P(IdentityServiceTest, TotpChallengeEndsAfterMaxFailures) {
    const std::int64_t id = make_account();
    const std::string secret = core::new_totp_secret();
    set_two_factor(id, "totp", secret);
    ASSERT_EQ(service().sign_in(ctx(), "+79161234567", kPassword, false).outcome, Outcome::second_factor);
    const std::string right = core::totp(secret, core::now_unix());
    // A code no step of the window produces.
    std::string wrong = "000000";
    const std::int64_t now = core::now_unix();
    while (core::totp_match(secret, wrong, now, 2)) wrong[5]++;
    const int max_failures = service().options().sms.max_failures;
    Outcome last = Outcome::ok;
    for (int i = 0; i < max_failures; ++i) {
        let_waits_pass();
        last = service().confirm_second_factor(ctx(), wrong).outcome;
    }
    EXPECT_EQ(last, Outcome::no_tries_left);
    ASSERT_TRUE(service().second_factor(ctx()));
    EXPECT_EQ(service().second_factor(ctx())->tries_left, 0);
    let_waits_pass();
    const Result after = service().confirm_second_factor(ctx(), right);
    EXPECT_NE(after.outcome, Outcome::ok) << "the challenge is spent: the password must be typed again";
    EXPECT_EQ(after.account_id, 0);
}

TEST_P(IdentityServiceTest, WrongSecondStepCodesAreThrottledPerAccount) {
    const std::int64_t id = make_account();
    set_two_factor(id, "sms");
    ASSERT_EQ(service().sign_in(ctx(), "+79161234567", kPassword, false).outcome, Outcome::second_factor);
    const std::string code = last_code(std::to_string(id));
    const std::string wrong = code == "000000" ? "111111" : "000000";
    EXPECT_EQ(service().confirm_second_factor(ctx(), wrong).retry_after, 0);
    EXPECT_EQ(service().confirm_second_factor(ctx(), wrong).retry_after, 0);
    const Result third = service().confirm_second_factor(ctx(), wrong);
    EXPECT_EQ(third.outcome, Outcome::wrong_code);
    EXPECT_EQ(third.retry_after, 2);
    const Result blocked = service().confirm_second_factor(ctx(), code);
    EXPECT_EQ(blocked.outcome, Outcome::blocked) << "while the wait lasts, the right code does not help";
    EXPECT_EQ(blocked.account_id, 0);
}

// ---- accounts -----------------------------------------------------------------------------------

TEST_P(IdentityServiceTest, EraseAccountKeepsAPseudonymousTrace) {
    const std::int64_t id = make_account("+79161234567", "anna@example.ru");
    const std::int64_t other = make_account("+79035550101");
    service().signed_in(ctx(), id, "password");
    service().signed_in(ctx(), other, "password");
    std::vector<std::int64_t> erased;
    service().on_erase([&](soci::session&, std::int64_t account) { erased.push_back(account); });

    service().erase_account(ctx(), id);
    EXPECT_EQ(erased, std::vector<std::int64_t>{id});
    EXPECT_FALSE(service().brief(id)) << "a deleted account has no brief: its sessions end";
    EXPECT_FALSE(service().accounts().find_by_login({LoginKind::phone, "+79161234567"}));
    const auto log = service().audit().list(id, false, 10);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].action, "account_deleted");
    EXPECT_EQ(log[1].action, "signin");
    for (const auto& e : log) {
        EXPECT_EQ(e.ip, "");
        EXPECT_EQ(e.device, "");
    }
    EXPECT_EQ(service().audit().list(other, false, 10).at(0).ip, "203.0.113.5") << "other accounts untouched";
    EXPECT_EQ(service().sign_in(ctx("session-b"), "+79161234567", kPassword, false).outcome,
              Outcome::wrong_credentials);
}

TEST_P(IdentityServiceTest, RecordAccessIsForOthersOnly) {
    const std::int64_t id = make_account();
    AuditEntry self;
    self.account_id = id;
    EXPECT_THROW(service().record_access(self), std::invalid_argument);
    AuditEntry officer;
    officer.account_id = id;
    officer.actor_kind = "officer";
    officer.organisation = "МФЦ";
    officer.fields = "passport";
    service().record_access(officer);
    const auto log = service().audit().list(id, true, 10);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].action, "data_read");
    EXPECT_GT(log[0].at, 0);
}

USLUGI_STORE_TEST_SUITE(IdentityServiceTest);
