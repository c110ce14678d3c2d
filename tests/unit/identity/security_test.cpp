// Account settings and recovery (ID-6): the pure parts (answer spelling, QR
// codes) and the use cases on both databases: recovery by SNILS or passport
// with the security question, recovery by phone that looks the same with or
// without an account, two-step sign-in by an app, password change.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "http/session_store.hpp"
#include "identity/recovery.hpp"
#include "identity/security.hpp"
#include "core/totp.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

#include <qrencode.h>

#include <memory>
#include <regex>
#include <vector>

using namespace uslugi;
using namespace uslugi::identity;

// ---- answers ---------------------------------------------------------------------------------

TEST(SecurityAnswer, CaseSpacesPunctuationAndYoDoNotMatter) {
    EXPECT_EQ(normalize_answer("  Санкт-Петербург "), "санкт петербург");
    EXPECT_EQ(normalize_answer("санкт   петербург"), "санкт петербург");
    EXPECT_EQ(normalize_answer("Ёжик в ТУМАНЕ!"), "ежик в тумане");
    EXPECT_EQ(normalize_answer("ежик\tв\nтумане"), "ежик в тумане");
    EXPECT_EQ(normalize_answer("MÜLLER, Anna"), "müller anna");
    EXPECT_EQ(normalize_answer("Школа №57"), "школа 57");
}

TEST(SecurityAnswer, NothingButSeparatorsIsEmpty) {
    EXPECT_EQ(normalize_answer(""), "");
    EXPECT_EQ(normalize_answer("   "), "");
    EXPECT_EQ(normalize_answer("?!-…"), "");
}

TEST(SecurityAnswer, InvalidUtf8NeverBreaksIt) {
    const std::string bad = std::string("ab") + char(0xff) + "cd";
    EXPECT_NO_THROW(normalize_answer(bad));
    EXPECT_FALSE(normalize_answer(bad).empty());
}

TEST(SecurityQuestions, FixedListOfUsualQuestions) {
    EXPECT_GE(kSecurityQuestions.size(), 6u);
    EXPECT_LE(kSecurityQuestions.size(), 8u);
    for (auto q : kSecurityQuestions) EXPECT_TRUE(is_security_question(q));
    EXPECT_FALSE(is_security_question(""));
    EXPECT_FALSE(is_security_question("What is your name?"));
    EXPECT_FALSE(is_security_question("first_pet "));
}

// ---- QR codes --------------------------------------------------------------------------------

namespace {

// The dark modules the SVG's path draws, read back from its "M x y h w v1 h-w z" runs.
std::vector<std::vector<bool>> modules_of(const std::string& svg, int size) {
    std::vector<std::vector<bool>> grid(size, std::vector<bool>(size, false));
    const std::regex run("M(\\d+) (\\d+)h(\\d+)v1h-(\\d+)z");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), run); it != std::sregex_iterator(); ++it) {
        const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), w = std::stoi((*it)[3]);
        EXPECT_EQ(w, std::stoi((*it)[4]));
        for (int i = 0; i < w; ++i) grid.at(y).at(x + i) = true;
    }
    return grid;
}

}  // namespace

TEST(QrSvg, IsOneWellFormedSvgElementWithAnAccessibleName) {
    const std::string uri = core::totp_uri("Госуслуги", "+79264337428", std::string(20, 'k'));
    const std::string svg = qr_svg(uri, "QR-код для \"приложения\" & <ключ>");
    EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
    EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
    EXPECT_NE(svg.find("aria-label=\"QR-код для &quot;приложения&quot; &amp; &lt;ключ&gt;\""), std::string::npos);
    // Nothing a strict CSP refuses: no style, no script, no external reference.
    for (const char* banned : {"style", "<script", "href", "data:"}) EXPECT_EQ(svg.find(banned), std::string::npos) << banned;
    // Every element is closed: <svg>…</svg> around two self-closing children.
    EXPECT_EQ(std::count(svg.begin(), svg.end(), '<'), std::count(svg.begin(), svg.end(), '>'));
    EXPECT_NE(svg.find("<rect "), std::string::npos);
    EXPECT_NE(svg.find("<path "), std::string::npos);
    EXPECT_EQ(svg.find("<rect ") < svg.find("/>"), true);
}

TEST(QrSvg, DrawsExactlyTheModulesOfTheQrCodeWithAQuietZone) {
    const std::string text = "otpauth://totp/Test:anna?secret=JBSWY3DPEHPK3PXP&issuer=Test";
    const std::string svg = qr_svg(text, "QR");
    QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    ASSERT_NE(code, nullptr);
    const int width = code->width, size = width + 8;
    EXPECT_NE(svg.find("viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) + "\""), std::string::npos);
    const auto grid = modules_of(svg, size);
    int dark = 0;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const bool inside = x >= 4 && y >= 4 && x < width + 4 && y < width + 4;
            const bool expected = inside && (code->data[(y - 4) * width + (x - 4)] & 1);
            ASSERT_EQ(grid[y][x], expected) << "module " << x << "," << y;
            dark += expected;
        }
    QRcode_free(code);
    EXPECT_GT(dark, 0);
    // The top-left finder pattern: a dark 7×7 ring.
    for (int i = 0; i < 7; ++i) {
        EXPECT_TRUE(grid[4][4 + i]);
        EXPECT_TRUE(grid[10][4 + i]);
        EXPECT_TRUE(grid[4 + i][4]);
    }
}

TEST(QrSvg, TextTooLongForAQrCodeThrows) {
    EXPECT_THROW(qr_svg(std::string(5000, 'x'), "QR"), std::runtime_error);
}

// ---- use cases on both databases ----------------------------------------------------------------

namespace {

class SecurityServiceTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        core::crypto_init();
        protector_ = std::make_unique<core::DataProtector>(core::random_bytes(32));
        jobs_ = std::make_unique<jobs::JobStore>(db());
        outbox_ = std::make_unique<notifications::OutboxStore>(db(), *jobs_);
        limiter_ = std::make_unique<http::RateLimiter>(db());
        identity_ = std::make_unique<IdentityService>(db(), *protector_, *jobs_, *outbox_, *limiter_, nullptr);
        sessions_ = std::make_unique<http::SessionStore>(db());
        security_ = std::make_unique<SecurityService>(*identity_, *sessions_);
        recovery_ = std::make_unique<RecoveryService>(*identity_, *sessions_, *limiter_);
    }
    void TearDown() override {
        recovery_.reset();
        security_.reset();
        sessions_.reset();
        identity_.reset();
        limiter_.reset();
        outbox_.reset();
        jobs_.reset();
        StoreTest::TearDown();
    }

    static Context context(const std::string& session, const std::string& ip = "203.0.113.7") {
        Context c;
        c.session_hash = session;
        c.ip = ip;
        c.device = "Firefox on Linux";
        c.base_url = "http://portal.test";
        return c;
    }

    std::int64_t make_account(const std::string& phone, const std::string& password = "синий трамвай едет в депо") {
        Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = phone;
        a.password_hash = core::password_hash(password);
        return db::transact(db(), [&](soci::session& tx) { return identity_->accounts().create(tx, a, core::now_unix()); });
    }

    long long outbox_count(const std::string& template_name) {
        long long n = 0;
        db::Connection c(db());
        *c << "SELECT COUNT(*) FROM notifications_outbox WHERE template = :t", soci::use(template_name),
            soci::into(n);
        return n;
    }

    std::vector<std::string> actions(std::int64_t account) {
        std::vector<std::string> out;
        for (const auto& e : identity_->audit().list(account, false, 100)) out.push_back(e.action);
        return out;
    }

    std::unique_ptr<core::DataProtector> protector_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<notifications::OutboxStore> outbox_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<IdentityService> identity_;
    std::unique_ptr<http::SessionStore> sessions_;
    std::unique_ptr<SecurityService> security_;
    std::unique_ptr<RecoveryService> recovery_;
};

const std::string kPassword = "синий трамвай едет в депо";
const std::string kSnils = "088-391-325 03";

}  // namespace

TEST_P(SecurityServiceTest, RecoveryBySnilsAndQuestionSetsANewPasswordAndEndsEverySession) {
    const std::int64_t id = make_account("+79264337428");
    db::transact(db(), [&](soci::session& tx) { ASSERT_TRUE(identity_->accounts().set_snils(tx, id, kSnils, core::now_unix())); });
    ASSERT_TRUE(security_->change_question(context("s-owner"), id, kPassword, "first_pet", "  Рыжик ").ok());
    http::SessionData old_session;
    sessions_->create(old_session, "ru");
    sessions_->sign_in(old_session, id, false, "198.51.100.1", "Chrome on Windows");
    ASSERT_EQ(sessions_->list_for_account(id, "").size(), 1u);

    const Context ctx = context("s-recover");
    EXPECT_FALSE(recovery_->proven(ctx));
    Result r = recovery_->by_question(ctx, "snils", "08839132503", "first_pet", "РЫЖИК");
    ASSERT_TRUE(r.ok()) << to_string(r.outcome);
    EXPECT_TRUE(recovery_->proven(ctx));

    Result weak = recovery_->finish(ctx, "12345678", "12345678");
    EXPECT_EQ(weak.outcome, Outcome::invalid);
    EXPECT_EQ(weak.errors.at("password"), "identity.password.too_weak");
    Result done = recovery_->finish(ctx, "зелёный слон читает газету", "зелёный слон читает газету");
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done.account_id, id);
    const auto a = identity_->accounts().find(id);
    EXPECT_TRUE(core::password_verify(a->password_hash, "зелёный слон читает газету"));
    EXPECT_FALSE(core::password_verify(a->password_hash, kPassword));
    EXPECT_TRUE(sessions_->list_for_account(id, "").empty()) << "every old session ends";
    EXPECT_EQ(outbox_count("security.password_recovered"), 1) << "SMS to the phone";
    EXPECT_EQ(actions(id).front(), "password_recovered");
    // The proof is spent: a second password needs a second proof.
    EXPECT_FALSE(recovery_->proven(ctx));
    EXPECT_EQ(recovery_->finish(ctx, "ещё один длинный пароль", "ещё один длинный пароль").outcome, Outcome::no_challenge);
}

TEST_P(SecurityServiceTest, RecoveryByPassportAndQuestion) {
    const std::int64_t id = make_account("+79871899272");
    db::transact(db(), [&](soci::session& tx) {
        ASSERT_TRUE(identity_->accounts().set_passport(tx, id, "5710 726989", core::now_unix()));
    });
    ASSERT_TRUE(security_->change_question(context("s-owner"), id, kPassword, "first_street", "ул. Ленина").ok());
    const Context ctx = context("s-passport");
    EXPECT_TRUE(recovery_->by_question(ctx, "passport", "57 10 726989", "first_street", "Ленина ул").outcome ==
                Outcome::wrong_credentials)
        << "word order counts";
    EXPECT_TRUE(recovery_->by_question(ctx, "passport", "5710726989", "first_street", "УЛ ЛЕНИНА").ok());
    EXPECT_TRUE(recovery_->proven(ctx));
}

TEST_P(SecurityServiceTest, EveryMismatchGivesTheSameAnswer) {
    const std::int64_t id = make_account("+79371877335");
    db::transact(db(), [&](soci::session& tx) { identity_->accounts().set_snils(tx, id, kSnils, core::now_unix()); });
    ASSERT_TRUE(security_->change_question(context("s-owner"), id, kPassword, "first_pet", "Рыжик").ok());
    const std::int64_t other = make_account("+79179199277");  // no SNILS, no question
    (void)other;

    struct Attempt {
        std::string kind, value, question, answer, ip;
    };
    // Each from its own address so no attempt is throttled by another.
    const std::vector<Attempt> attempts{
        {"snils", kSnils, "first_pet", "Барсик", "192.0.2.1"},              // wrong answer
        {"snils", kSnils, "first_teacher", "Рыжик", "192.0.2.2"},           // wrong question
        {"snils", "112-233-445 95", "first_pet", "Рыжик", "192.0.2.3"},     // nobody has this SNILS
        {"passport", "4508 123456", "first_pet", "Рыжик", "192.0.2.4"},     // nobody has this passport
    };
    for (const auto& a : attempts) {
        Result r = recovery_->by_question(context("s-" + a.ip, a.ip), a.kind, a.value, a.question, a.answer);
        EXPECT_EQ(r.outcome, Outcome::wrong_credentials) << a.value << " " << a.question;
        EXPECT_EQ(r.message_key, "security.error.recover_mismatch");
        EXPECT_TRUE(r.errors.empty()) << "no field is singled out";
        EXPECT_FALSE(recovery_->proven(context("s-" + a.ip, a.ip)));
    }
    // The owner sees the failed attempts on their account, nobody else learns anything.
    const auto list = actions(id);
    EXPECT_EQ(std::count(list.begin(), list.end(), "recover_failed"), 2);
}

TEST_P(SecurityServiceTest, BadFormatsAreFieldErrorsNotMismatches) {
    const Context ctx = context("s-format");
    Result r = recovery_->by_question(ctx, "snils", "088-391-325 04", "nope", "");
    EXPECT_EQ(r.outcome, Outcome::invalid);
    EXPECT_EQ(r.errors.at("id_value"), "validation.snils.checksum");
    EXPECT_EQ(r.errors.at("question"), "security.error.question_required");
    EXPECT_EQ(r.errors.at("answer"), "security.error.answer_required");
    EXPECT_EQ(recovery_->by_question(ctx, "inn", "1", "first_pet", "x").errors.count("id_kind"), 1u);
}

TEST_P(SecurityServiceTest, GuessingTheAnswerIsThrottledPerIdentifierAcrossAddresses) {
    const std::int64_t id = make_account("+79021318912");
    db::transact(db(), [&](soci::session& tx) { identity_->accounts().set_snils(tx, id, kSnils, core::now_unix()); });
    ASSERT_TRUE(security_->change_question(context("s-owner"), id, kPassword, "favourite_book", "Мастер и Маргарита").ok());
    const int free = account_throttle().free_failures;
    for (int i = 0; i < free; ++i) {  // the free failures; the last of them starts the wait
        const std::string ip = "198.51.100." + std::to_string(10 + i);  // a new address each time
        Result r = recovery_->by_question(context("s-" + ip, ip), "snils", kSnils, "favourite_book", "Война и мир");
        EXPECT_EQ(r.outcome, Outcome::wrong_credentials);
    }
    // Now even the right answer waits, from yet another address.
    Result r = recovery_->by_question(context("s-late", "198.51.100.99"), "snils", kSnils, "favourite_book",
                                      "мастер и маргарита");
    EXPECT_EQ(r.outcome, Outcome::blocked);
    EXPECT_GT(r.retry_after, 0);
    EXPECT_FALSE(recovery_->proven(context("s-late", "198.51.100.99")));
}

TEST_P(SecurityServiceTest, RecoveryByPhoneLooksTheSameWithOrWithoutAnAccount) {
    make_account("+79216628323");
    const Context with = context("s-with", "192.0.2.10"), without = context("s-without", "192.0.2.11");
    const std::int64_t before = core::now_unix();
    Result a = recovery_->start(with, "8 921 662-83-23");
    Result b = recovery_->start(without, "+7 917 018-49-41");
    // The two answers are counted from the clock at the time of each: they may
    // differ by the seconds that passed between them, never by more.
    const std::int64_t passed = core::now_unix() - before;
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    ASSERT_TRUE(a.challenge && b.challenge);
    EXPECT_EQ(a.challenge->channel, b.challenge->channel);
    EXPECT_LE(std::abs(a.challenge->code_expires_in - b.challenge->code_expires_in), passed);
    EXPECT_LE(std::abs(a.challenge->resend_in - b.challenge->resend_in), passed);
    EXPECT_EQ(a.challenge->can_resend, b.challenge->can_resend);
    EXPECT_EQ(a.challenge->tries_left, b.challenge->tries_left);
    EXPECT_EQ(outbox_count("security.recover_code"), 1) << "only the real account's phone gets an SMS";

    // A typed code fails the same way for both, trying down the same counters.
    Result wa = recovery_->confirm_code(with, "000000");
    Result wb = recovery_->confirm_code(without, "000000");
    EXPECT_EQ(wa.outcome, Outcome::wrong_code);
    EXPECT_EQ(wb.outcome, Outcome::wrong_code);
    ASSERT_TRUE(wa.challenge && wb.challenge);
    EXPECT_EQ(wa.challenge->tries_left, wb.challenge->tries_left);
    EXPECT_FALSE(recovery_->proven(without));
}

TEST_P(SecurityServiceTest, AnAuthenticatorCodeSwitchesTwoStepOnOnceAndCannotBeReplayed) {
    const std::int64_t id = make_account("+79170184941");
    http::SessionData here, there;
    sessions_->create(here, "ru");
    sessions_->sign_in(here, id, false, "192.0.2.1", "Firefox on Linux");
    sessions_->create(there, "ru");
    sessions_->sign_in(there, id, false, "192.0.2.2", "Safari on iOS");
    const Context ctx = context(here.id_hash);
    // Nothing starts before the password is typed again in this session.
    EXPECT_FALSE(security_->totp_setup(ctx, id, "Госуслуги"));
    EXPECT_EQ(security_->start_reauth(ctx, id, "не тот пароль").outcome, Outcome::invalid);
    ASSERT_TRUE(security_->start_reauth(ctx, id, kPassword).ok()) << "two-step off: the password is enough";
    EXPECT_FALSE(security_->reauthenticated(context(there.id_hash), id)) << "only in the session that typed it";
    auto setup = security_->totp_setup(ctx, id, "Госуслуги");
    ASSERT_TRUE(setup);
    // The same setup on a reload: the app already scanned this secret.
    EXPECT_EQ(security_->totp_setup(ctx, id, "Госуслуги")->secret_base32, setup->secret_base32);
    const auto secret = core::base32_decode(setup->secret_base32);
    ASSERT_TRUE(secret);
    EXPECT_EQ(security_->confirm_totp(ctx, id, "12345").outcome, Outcome::invalid);
    const std::string code = core::totp(*secret, core::now_unix());
    // The code of a step ten minutes ago is refused.
    EXPECT_EQ(security_->confirm_totp(ctx, id, core::totp(*secret, core::now_unix() - 600)).outcome, Outcome::wrong_code);
    ASSERT_TRUE(security_->confirm_totp(ctx, id, code).ok());
    auto a = identity_->accounts().find(id);
    EXPECT_EQ(a->two_factor, "totp");
    EXPECT_EQ(a->totp_secret, *secret);
    EXPECT_EQ(outbox_count("security.two_factor_changed"), 1) << "the owner is told";
    ASSERT_EQ(sessions_->list_for_account(id, here.id_hash).size(), 1u) << "the other session ended";
    // The code that switched it on is spent: the same step cannot be used to sign in.
    const auto step = core::totp_match(*secret, code, core::now_unix());
    ASSERT_TRUE(step);
    EXPECT_FALSE(identity_->accounts().use_totp_step(id, *step));
    // The re-authentication was spent by the change; switching off needs the password and the app's code.
    EXPECT_EQ(security_->disable_two_factor(ctx, id).outcome, Outcome::reauth_required);
    EXPECT_EQ(security_->start_reauth(ctx, id, "не тот пароль").outcome, Outcome::invalid);
    ASSERT_EQ(security_->start_reauth(ctx, id, kPassword).outcome, Outcome::second_factor);
    EXPECT_EQ(security_->disable_two_factor(ctx, id).outcome, Outcome::reauth_required) << "the password alone";
    EXPECT_EQ(security_->confirm_reauth(ctx, id, code).outcome, Outcome::wrong_code) << "a spent code";
    ASSERT_TRUE(security_->confirm_reauth(ctx, id, core::totp(*secret, core::now_unix() + 30)).ok());
    EXPECT_TRUE(security_->disable_two_factor(ctx, id).ok());
    EXPECT_EQ(identity_->accounts().find(id)->two_factor, "off");
    const auto log = actions(id);
    EXPECT_NE(std::find(log.begin(), log.end(), "two_factor_off"), log.end());
}

TEST(SecondProof, RecoveryAsksForTheFactorThatTheFirstProofWasNot) {
    Account a;
    a.phone = "+79264337428";
    a.email = "anna@example.org";
    EXPECT_EQ(second_proof_for(a, "sms", a.phone), SecondProof::none) << "two-step off";
    a.two_factor = "totp";
    a.totp_secret = std::string(20, 'k');
    for (const std::string first : {"sms", "email", "question"})
        EXPECT_EQ(second_proof_for(a, first, first == "sms" ? a.phone : a.email), SecondProof::app) << first;
    a.two_factor = "sms";
    a.totp_secret.clear();
    EXPECT_EQ(second_proof_for(a, "email", a.email), SecondProof::sms);
    EXPECT_EQ(second_proof_for(a, "question", ""), SecondProof::sms);
    EXPECT_EQ(second_proof_for(a, "sms", a.phone), SecondProof::unavailable) << "the phone cannot count twice";
    a.security_question = "first_pet";
    a.security_answer_hash = "hash";
    EXPECT_EQ(second_proof_for(a, "sms", a.phone), SecondProof::question);
    a.phone.clear();
    EXPECT_EQ(second_proof_for(a, "email", a.email), SecondProof::none) << "SMS mode without a phone asks nothing at sign-in either";
}

TEST_P(SecurityServiceTest, RecoveryOfAnAccountWithAnAppNeedsTheAppsCodeBeforeThePassword) {
    const std::int64_t id = make_account("+79219876543");
    const std::string secret(20, 's');
    db::transact(db(), [&](soci::session& tx) { identity_->accounts().set_two_factor(tx, id, "totp", secret, 1); });
    db::transact(db(), [&](soci::session& tx) { ASSERT_TRUE(identity_->accounts().set_snils(tx, id, kSnils, 1)); });
    ASSERT_TRUE(security_->change_question(context("s-own"), id, kPassword, "first_pet", "Рыжик").ok());
    const Context ctx = context("s-recover-app");
    ASSERT_TRUE(recovery_->by_question(ctx, "snils", kSnils, "first_pet", "рыжик").ok());
    EXPECT_TRUE(recovery_->proven(ctx));
    EXPECT_FALSE(recovery_->ready(ctx));
    const auto s = recovery_->second(ctx);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->proof, SecondProof::app);
    const std::string fresh = "новый длинный пароль для проверки";
    EXPECT_EQ(recovery_->finish(ctx, fresh, fresh).outcome, Outcome::second_factor);
    EXPECT_EQ(recovery_->confirm_second_code(ctx, core::totp(secret, core::now_unix() - 600)).outcome, Outcome::wrong_code);
    ASSERT_TRUE(recovery_->confirm_second_code(ctx, core::totp(secret, core::now_unix())).ok());
    EXPECT_TRUE(recovery_->ready(ctx));
    ASSERT_TRUE(recovery_->finish(ctx, fresh, fresh).ok());
    EXPECT_TRUE(core::password_verify(identity_->accounts().find(id)->password_hash, fresh));
}

TEST_P(SecurityServiceTest, ChangingThePasswordKeepsOnlyThisSession) {
    const std::int64_t id = make_account("+79371456307");
    http::SessionData here, there;
    sessions_->create(here, "ru");
    sessions_->sign_in(here, id, false, "192.0.2.1", "Firefox on Linux");
    sessions_->create(there, "ru");
    sessions_->sign_in(there, id, true, "192.0.2.2", "Safari on iOS");
    const Context ctx = context(here.id_hash);

    Result wrong = security_->change_password(ctx, id, "не тот пароль", "зелёный слон читает газету",
                                              "зелёный слон читает газету");
    EXPECT_EQ(wrong.outcome, Outcome::invalid);
    EXPECT_EQ(wrong.errors.at("current_password"), "identity.password.wrong_current");
    EXPECT_EQ(sessions_->list_for_account(id, "").size(), 2u);

    Result same = security_->change_password(ctx, id, kPassword, kPassword, kPassword);
    EXPECT_EQ(same.errors.at("password"), "security.error.same_password");

    ASSERT_TRUE(security_->change_password(ctx, id, kPassword, "зелёный слон читает газету",
                                           "зелёный слон читает газету").ok());
    const auto left = sessions_->list_for_account(id, here.id_hash);
    ASSERT_EQ(left.size(), 1u);
    EXPECT_TRUE(left.front().current);
    EXPECT_EQ(outbox_count("security.password_changed"), 1);
}

TEST_P(SecurityServiceTest, TheActivityPageShowsOnlyTheOwnersActionsAndTheAccessLogOnlyOthers) {
    const std::int64_t id = make_account("+79211181421");
    identity_->audit_self(context("s"), id, "signin", "password");
    AuditEntry read;
    read.account_id = id;
    read.actor_kind = "officer";
    read.actor_name = "Петров П. П.";
    read.organisation = "ОСФР по Пермскому краю";
    read.fields = "snils,passport";
    read.reason = "Заявление о пенсии";
    identity_->record_access(read);
    const AuditPage own = security_->activity(id, 1);
    ASSERT_EQ(own.total, 1);
    EXPECT_EQ(own.entries.front().action, "signin");
    const AuditPage others = security_->access_log(id, 1);
    ASSERT_EQ(others.total, 1);
    EXPECT_EQ(others.entries.front().actor_name, "Петров П. П.");
    EXPECT_EQ(security_->access_log(make_account("+79057361265"), 1).total, 0);
}

USLUGI_STORE_TEST_SUITE(SecurityServiceTest);
