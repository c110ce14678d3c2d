// identity/confirmation.hpp: the pure rules (postal address, 30 days between
// letters, which bank field differs) and ConfirmationService against a real
// database with a fake Post and a fake bank: letters and their codes, the
// bank's answer, and the operator's references, confirmation and registration.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <string>

#include "core/clock.hpp"
#include "core/time.hpp"
#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "identity/confirmation.hpp"
#include "jobs/store.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

std::map<std::string, std::string> good_address() {
    return {{"postcode", "614000"}, {"region", "Пермский край"}, {"city", "Пермь"},
            {"street", "ул. Ленина"}, {"house", "1"},             {"flat", "2"}};
}

TEST(ConfirmationRules, AddressNeedsEveryPartAndASixDigitPostcode) {
    PostalAddress a;
    EXPECT_TRUE(parse_address(good_address(), a).empty());
    EXPECT_EQ(a.postcode, "614000");
    EXPECT_EQ(address_line(a), "614000, Пермский край, Пермь, ул. Ленина, 1, 2");
    EXPECT_EQ(address_from_json(address_to_json(a)), a);

    auto raw = good_address();
    raw["postcode"] = "61400";
    raw["city"] = "   ";
    raw["flat"] = "";
    const auto errors = parse_address(raw, a);
    EXPECT_EQ(errors.at("postcode"), "confirmation.error.postcode");
    EXPECT_EQ(errors.at("city"), "confirmation.error.required");
    EXPECT_FALSE(errors.count("flat"));  // a flat is optional
    raw = good_address();
    raw["postcode"] = "6140OO";
    raw["street"] = std::string(300, 'x');
    const auto more = parse_address(raw, a);
    EXPECT_EQ(more.at("postcode"), "confirmation.error.postcode");
    EXPECT_EQ(more.at("street"), "confirmation.error.too_long");
}

TEST(ConfirmationRules, ANewLetterWaitsThirtyDays) {
    LetterRules rules;
    EXPECT_EQ(next_letter_at(std::nullopt, rules), 0);
    EXPECT_EQ(next_letter_at(1000, rules), 1000 + 30 * 86400);
}

registries::VerifiedPerson bank_person() {
    registries::VerifiedPerson v;
    v.surname = "Смирнова";
    v.name = "Анна";
    v.patronymic = "Сергеевна";
    v.birth_date = *core::parse_iso_date("1985-03-15");
    v.snils = "088-391-325 03";
    v.passport_series = "4508";
    v.passport_number = "123456";
    return v;
}

Profile profile_of_anna() {
    Profile p;
    p.surname = "Смирнова";
    p.name = "Анна";
    p.patronymic = "Сергеевна";
    p.gender = "female";
    p.birth_date = "1985-03-15";
    p.birth_place = "г. Пермь";
    p.snils = "088-391-325 03";
    p.citizenship = "RU";
    p.document_type = "passport_rf";
    p.passport = "4508 123456";
    p.issue_date = "2005-04-01";
    p.issued_by = "ОВД";
    p.department_code = "590-001";
    return p;
}

TEST(ConfirmationRules, TheBankDifferenceNamesTheField) {
    const Profile p = profile_of_anna();
    EXPECT_EQ(bank_difference(p, bank_person()), "");
    auto v = bank_person();
    v.surname = "СМИРНОВА";  // case does not matter
    EXPECT_EQ(bank_difference(p, v), "");
    v.name = "Ания";
    EXPECT_EQ(bank_difference(p, v), "name");
    v = bank_person();
    v.birth_date = *core::parse_iso_date("1985-03-16");
    EXPECT_EQ(bank_difference(p, v), "birth_date");
    v = bank_person();
    v.snils = "112-233-445 95";
    EXPECT_EQ(bank_difference(p, v), "snils");
    v = bank_person();
    v.snils.clear();  // without a SNILS the passport decides
    EXPECT_EQ(bank_difference(p, v), "");
    v.passport_number = "654321";
    EXPECT_EQ(bank_difference(p, v), "passport");
}

// ---- the service against a database ----------------------------------------------------------

class FakePost : public registries::PostClient {
public:
    registries::LetterTracking send_letter(const registries::LetterRequest& letter, std::string_view key) override {
        if (down) throw registries::RegistryUnavailable("post", registries::RegistryUnavailable::Reason::connection, "down");
        sent.push_back(letter);
        keys.emplace_back(key);
        registries::LetterTracking t;
        t.tracking_number = "61400012345678";
        t.status = registries::LetterStatus::accepted;
        return t;
    }
    registries::LetterTracking track(std::string_view number) override {
        registries::LetterTracking t;
        t.tracking_number = std::string(number);
        t.status = registries::LetterStatus::arrived;
        return t;
    }
    bool down = false;
    std::vector<registries::LetterRequest> sent;
    std::vector<std::string> keys;
};

class FakeBank : public registries::BankClient {
public:
    std::string authorize_url(std::string_view, std::string_view redirect, std::string_view state) const override {
        return "http://bank/authorize?redirect_uri=" + std::string(redirect) + "&state=" + std::string(state);
    }
    registries::VerifiedPerson exchange_code(std::string_view code) override {
        if (code == "down") throw registries::RegistryUnavailable("bank", registries::RegistryUnavailable::Reason::timeout, "slow");
        if (code == "used") throw registries::RegistryRejected("bank", 400, "bank.code_invalid", "used");
        return person;
    }
    registries::CardPayment pay(const registries::CardPaymentRequest&, std::string_view) override { return {}; }
    registries::CardPayment payment(std::string_view) override { return {}; }
    registries::CardPayment confirm_3ds(std::string_view, std::string_view) override { return {}; }
    registries::CardPayment refund(std::string_view, std::optional<std::int64_t>, std::string_view) override { return {}; }
    registries::VerifiedPerson person = bank_person();
};

class ConfirmationTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        protector_ = std::make_unique<core::DataProtector>(std::string(32, '\x42'));
        jobs_ = std::make_unique<jobs::JobStore>(db());
        outbox_ = std::make_unique<notifications::OutboxStore>(db(), *jobs_, notifications::OutboxStore::Clock{},
                                                               protector_.get());
        limiter_ = std::make_unique<http::RateLimiter>(db());
        identity_ = std::make_unique<IdentityService>(db(), *protector_, *jobs_, *outbox_, *limiter_, nullptr);
        profiles_ = std::make_unique<ProfileStore>(db(), *protector_);
        service_ = std::make_unique<ConfirmationService>(*identity_, *profiles_, *jobs_, &post_, &bank_);
        ctx_.session_hash = "session-a";
        ctx_.ip = "203.0.113.7";
        ctx_.base_url = "https://uslugi.test";
    }
    void TearDown() override {
        service_.reset();
        profiles_.reset();
        identity_.reset();
        StoreTest::TearDown();
    }

    // A standard account whose profile was checked (SNILS and passport indexed).
    std::int64_t standard_anna(const std::string& phone = "+79264337428") {
        return db::transact(db(), [&](soci::session& tx) {
            Account a;
            a.surname = "Смирнова";
            a.name = "Анна";
            a.phone = phone;
            const auto now = core::now_unix();
            const auto id = identity_->accounts().create(tx, a, now);
            identity_->accounts().set_level(tx, id, Level::standard, now);
            const Profile p = profile_of_anna();
            identity_->accounts().set_snils(tx, id, p.snils, now);
            identity_->accounts().set_passport(tx, id, p.passport, now);
            profiles_->save(tx, id, p, 1, true, now);
            return id;
        });
    }

    long long letter_job_count() {
        db::Connection c(db());
        long long n = 0;
        *c << "SELECT COUNT(*) FROM jobs WHERE kind = 'identity.confirm_letter'", soci::into(n);
        return n;
    }

    // Runs the letter's send job as the runner would; returns the code in the letter.
    std::string deliver(std::int64_t account_id) {
        const auto l = service_->latest_letter(account_id);
        service_->run_letter_job("{\"id\":" + std::to_string(l->id) + "}");
        std::smatch m;
        const std::string content = post_.sent.back().content;
        EXPECT_TRUE(std::regex_search(content, m, std::regex("(\\d{8})")));
        return m[1];
    }

    ConfirmationService::Operator op(const std::string& centre = "mfc-perm-1") {
        return {42, "Оператор Петрова", centre, "МФЦ Пермь"};
    }

    std::unique_ptr<core::DataProtector> protector_;
    std::unique_ptr<jobs::JobStore> jobs_;
    std::unique_ptr<notifications::OutboxStore> outbox_;
    std::unique_ptr<http::RateLimiter> limiter_;
    std::unique_ptr<IdentityService> identity_;
    std::unique_ptr<ProfileStore> profiles_;
    std::unique_ptr<ConfirmationService> service_;
    FakePost post_;
    FakeBank bank_;
    Context ctx_;
};

TEST_P(ConfirmationTest, ALetterCarriesASingleUseCodeAndANewOneWaitsThirtyDays) {
    const auto id = standard_anna();
    auto order = service_->order_letter(ctx_, id, good_address());
    ASSERT_TRUE(order.ok());
    EXPECT_EQ(letter_job_count(), 1);
    // Too early for a second letter: the date is the first one's plus 30 days.
    const auto again = service_->order_letter(ctx_, id, good_address());
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(again.not_before, service_->latest_letter(id)->created_at + 30 * 86400);
    EXPECT_EQ(letter_job_count(), 1);

    // Before the Post has it, no code can be typed.
    EXPECT_EQ(service_->check_letter_code(ctx_, id, "12345678").outcome, ConfirmationService::CodeOutcome::no_letter);

    // The Post is down: the job fails (and is retried); nothing is lost.
    post_.down = true;
    const auto l = service_->latest_letter(id);
    EXPECT_THROW(service_->run_letter_job("{\"id\":" + std::to_string(l->id) + "}"), registries::RegistryUnavailable);
    EXPECT_TRUE(service_->latest_letter(id)->tracking.empty());
    post_.down = false;
    const std::string code = deliver(id);
    EXPECT_EQ(post_.keys.back(), "uslugi-confirm-letter-" + std::to_string(l->id));
    EXPECT_EQ(post_.sent.back().recipient.postcode, "614000");
    EXPECT_EQ(service_->latest_letter(id)->tracking, "61400012345678");
    {
        // After the Post accepted the letter only the code's keyed hash is left.
        db::Connection c(db());
        soci::indicator ind = soci::i_ok;
        std::string enc;
        *c << "SELECT code_enc FROM identity_confirm_letters WHERE id = :id", soci::use(static_cast<long long>(l->id)),
            soci::into(enc, ind);
        EXPECT_EQ(ind, soci::i_null);
    }
    // Tracking follows the letter to the post office.
    service_->run_letter_job("{\"id\":" + std::to_string(l->id) + "}");
    EXPECT_EQ(service_->latest_letter(id)->status, "arrived");

    const std::string wrong = code == "11111111" ? "22222222" : "11111111";
    const auto w = service_->check_letter_code(ctx_, id, wrong);
    EXPECT_EQ(w.outcome, ConfirmationService::CodeOutcome::wrong);
    EXPECT_EQ(w.tries_left, 4);
    EXPECT_EQ(service_->check_letter_code(ctx_, id, "123").outcome, ConfirmationService::CodeOutcome::invalid);
    // The per-account counter asks for a pause after a wrong try; a new
    // service day would let it pass, the test clears it instead.
    identity_->throttles().clear("confirm-letter:" + std::to_string(id));
    EXPECT_EQ(service_->check_letter_code(ctx_, id, code).outcome, ConfirmationService::CodeOutcome::confirmed);
    EXPECT_EQ(identity_->accounts().find(id)->level, Level::confirmed);
    EXPECT_EQ(identity_->accounts().find(id)->confirmed_method, "registered_mail");
    EXPECT_EQ(service_->check_letter_code(ctx_, id, code).outcome, ConfirmationService::CodeOutcome::not_standard);
}

TEST_P(ConfirmationTest, AUsedOrExpiredCodeOrTooManyFailuresEndTheLetter) {
    const auto id = standard_anna();
    ASSERT_TRUE(service_->order_letter(ctx_, id, good_address()).ok());
    const std::string code = deliver(id);
    const auto l = service_->latest_letter(id);
    db::transact(db(), [&](soci::session& tx) {
        tx << "UPDATE identity_confirm_letters SET expires_at = 1 WHERE id = :id", soci::use(static_cast<long long>(l->id));
    });
    EXPECT_EQ(service_->check_letter_code(ctx_, id, code).outcome, ConfirmationService::CodeOutcome::expired);
    db::transact(db(), [&](soci::session& tx) {
        tx << "UPDATE identity_confirm_letters SET expires_at = :e, used_at = 5 WHERE id = :id",
            soci::use(static_cast<long long>(core::now_unix() + 1000)), soci::use(static_cast<long long>(l->id));
    });
    EXPECT_EQ(service_->check_letter_code(ctx_, id, code).outcome, ConfirmationService::CodeOutcome::used);
    db::transact(db(), [&](soci::session& tx) {
        tx << "UPDATE identity_confirm_letters SET used_at = NULL, failures = 5 WHERE id = :id",
            soci::use(static_cast<long long>(l->id));
    });
    EXPECT_EQ(service_->check_letter_code(ctx_, id, code).outcome, ConfirmationService::CodeOutcome::no_tries_left);
    EXPECT_EQ(identity_->accounts().find(id)->level, Level::standard);
}

TEST_P(ConfirmationTest, BadAddressesAndSimplifiedAccountsOrderNothing) {
    const auto id = standard_anna();
    auto raw = good_address();
    raw["postcode"] = "12";
    EXPECT_EQ(service_->order_letter(ctx_, id, raw).errors.at("postcode"), "confirmation.error.postcode");
    EXPECT_EQ(letter_job_count(), 0);
    const auto simple = db::transact(db(), [&](soci::session& tx) {
        Account a;
        a.surname = "Кузнецов";
        a.name = "Пётр";
        a.phone = "+79871899272";
        return identity_->accounts().create(tx, a, core::now_unix());
    });
    EXPECT_TRUE(service_->order_letter(ctx_, simple, good_address()).not_standard);
}

TEST_P(ConfirmationTest, TheBankConfirmsMatchingDataAndNamesAFieldThatDiffers) {
    const auto id = standard_anna();
    const std::string url = service_->bank_start(ctx_, id, "https://uslugi.test/account/confirm/bank/return");
    const std::string state = url.substr(url.find("&state=") + 7);
    // Another browser session cannot use the state.
    Context other = ctx_;
    other.session_hash = "session-b";
    EXPECT_EQ(service_->bank_finish(other, id, state, "c1", "").outcome, ConfirmationService::BankOutcome::bad_state);
    EXPECT_EQ(service_->bank_finish(ctx_, id + 1, state, "c1", "").outcome, ConfirmationService::BankOutcome::bad_state);
    EXPECT_EQ(service_->bank_finish(ctx_, id, state, "", "access_denied").outcome,
              ConfirmationService::BankOutcome::declined);
    EXPECT_EQ(service_->bank_finish(ctx_, id, state, "down", "").outcome, ConfirmationService::BankOutcome::unavailable);
    EXPECT_EQ(service_->bank_finish(ctx_, id, state, "used", "").outcome, ConfirmationService::BankOutcome::declined);
    bank_.person.patronymic = "Петровна";
    const auto mismatch = service_->bank_finish(ctx_, id, state, "c2", "");
    EXPECT_EQ(mismatch.outcome, ConfirmationService::BankOutcome::mismatch);
    EXPECT_EQ(mismatch.field, "patronymic");
    EXPECT_EQ(identity_->accounts().find(id)->level, Level::standard);
    bank_.person = bank_person();
    EXPECT_EQ(service_->bank_finish(ctx_, id, state, "c3", "").outcome, ConfirmationService::BankOutcome::confirmed);
    EXPECT_EQ(identity_->accounts().find(id)->confirmed_method, "bank");
}

TEST_P(ConfirmationTest, AnOperatorFindsByDocumentAndConfirmsOnlyThroughTheirOwnReference) {
    const auto id = standard_anna();
    EXPECT_FALSE(service_->operator_find(ctx_, op(), "snils", "112-233-445 95"));  // nobody has it
    const auto card = service_->operator_find(ctx_, op(), "snils", "08839132503");
    ASSERT_TRUE(card);
    EXPECT_EQ(card->surname, "Смирнова");
    EXPECT_EQ(card->passport, "4508 123456");
    ASSERT_TRUE(service_->operator_find(ctx_, op(), "passport", "4508123456"));
    // The reads are in the person's "Who accessed my data".
    const auto reads = identity_->audit().list(id, true, 10);
    ASSERT_GE(reads.size(), 2u);
    EXPECT_EQ(reads.front().actor_kind, "operator");
    EXPECT_EQ(reads.front().organisation, "МФЦ Пермь");

    // Another centre, another operator or another session: the reference names nobody.
    EXPECT_FALSE(service_->open_ref(ctx_, op("mfc-tula-1"), card->ref));
    auto other_op = op();
    other_op.account_id = 43;
    EXPECT_FALSE(service_->open_ref(ctx_, other_op, card->ref));
    Context other = ctx_;
    other.session_hash = "session-b";
    EXPECT_EQ(service_->operator_confirm(other, op(), card->ref, "4508 123456"),
              ConfirmationService::OperatorOutcome::not_found);
    EXPECT_EQ(service_->operator_confirm(ctx_, op("mfc-tula-1"), card->ref, "4508 123456"),
              ConfirmationService::OperatorOutcome::not_found);
    EXPECT_EQ(service_->operator_confirm(ctx_, op(), std::to_string(id), "4508 123456"),
              ConfirmationService::OperatorOutcome::not_found);

    EXPECT_EQ(service_->operator_confirm(ctx_, op(), card->ref, "4508 123457"),
              ConfirmationService::OperatorOutcome::passport_differs);
    EXPECT_EQ(identity_->accounts().find(id)->level, Level::standard);
    EXPECT_EQ(service_->operator_confirm(ctx_, op(), card->ref, "4508 123456"),
              ConfirmationService::OperatorOutcome::confirmed);
    EXPECT_EQ(identity_->accounts().find(id)->confirmed_method, "service_centre");
    EXPECT_EQ(service_->operator_confirm(ctx_, op(), card->ref, "4508 123456"),
              ConfirmationService::OperatorOutcome::already_confirmed);
}

TEST_P(ConfirmationTest, AnOperatorRegistersAConfirmedPersonWhoSetsTheirOwnPassword) {
    std::map<std::string, std::string> raw;
    const Profile p = profile_of_anna();
    for (auto f : profile_fields()) raw[std::string(f)] = field_value(p, f);
    raw["phone"] = "8 926 433-74-28";
    auto bad = raw;
    bad["snils"] = "123";
    bad["phone"] = "anna@example.org";
    const auto refused = service_->operator_register(ctx_, op(), bad);
    EXPECT_TRUE(refused.errors.count("snils"));
    EXPECT_TRUE(refused.errors.count("phone"));

    const auto r = service_->operator_register(ctx_, op(), raw);
    ASSERT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors.begin()->first);
    const auto a = identity_->accounts().find(r.account_id);
    EXPECT_EQ(a->level, Level::confirmed);
    EXPECT_EQ(a->confirmed_method, "service_centre");
    EXPECT_TRUE(a->password_hash.empty());  // nobody but the person will set it
    const auto messages = outbox_->list_for_recipient(std::to_string(r.account_id));
    EXPECT_TRUE(std::any_of(messages.begin(), messages.end(),
                            [](const auto& m) { return m.template_name == "identity_confirmation.registered"; }));
    // The same person again: the documents belong to an account already.
    const auto twice = service_->operator_register(ctx_, op(), raw);
    EXPECT_FALSE(twice.ok());
    EXPECT_TRUE(twice.errors.count("phone"));
}

USLUGI_STORE_TEST_SUITE(ConfirmationTest);

}  // namespace
