// The checks of ID-2 against both databases, with fake registries: one
// transaction for the profile, the verification and its jobs; the steps and
// the verdict; idempotent handlers; a registry that is down; data changed
// after a check; one person, one account.
#include <gtest/gtest.h>

#include "db/transaction.hpp"
#include "http/rate_limiter.hpp"
#include "identity/verification.hpp"
#include "notifications/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;
using registries::PassportStatus;

namespace {

struct FakePfr : registries::PensionFundClient {
    registries::SnilsCheck answer = registries::SnilsCheck::match;
    bool down = false;
    int calls = 0;
    registries::PersonIdentity last;
    registries::SnilsCheck check_snils(const registries::PersonIdentity& p) override {
        ++calls;
        last = p;
        if (down) throw registries::RegistryUnavailable("pfr", registries::RegistryUnavailable::Reason::server_error, "down", 503);
        return answer;
    }
};

struct FakeMvd : registries::InteriorClient {
    registries::PassportCheckResult answer{PassportStatus::valid, true, "", std::nullopt, std::nullopt};
    bool down = false;
    int calls = 0;
    registries::PersonIdentity last;
    registries::PassportCheckResult check_passport(const registries::PersonIdentity& p) override {
        ++calls;
        last = p;
        if (down) throw registries::RegistryUnavailable("mvd", registries::RegistryUnavailable::Reason::connection, "refused");
        return answer;
    }
};

struct FakeFns : registries::TaxClient {
    std::optional<std::string> inn = "590600644706";
    int calls = 0;
    std::optional<std::string> find_inn(const registries::PersonIdentity&) override {
        ++calls;
        return inn;
    }
    registries::TaxSummary taxes(std::string_view) override { return {}; }
    nlohmann::json property(std::string_view) override { return {}; }
};

std::map<std::string, std::string> anna() {
    return {{"surname", "Смирнова"},      {"name", "Анна"},          {"patronymic", "Сергеевна"},
            {"gender", "female"},         {"birth_date", "1990-04-12"}, {"birth_place", "г. Пермь"},
            {"snils", "088-391-325 03"},  {"citizenship", "RU"},     {"passport", "5710 726989"},
            {"issue_date", "2010-04-26"}, {"issued_by", "Отделом УФМС России по Пермскому краю"},
            {"department_code", "590-014"}};
}

class VerificationTest : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (HasFatalFailure() || IsSkipped()) return;
        jobs = std::make_unique<jobs::JobStore>(db());
        outbox = std::make_unique<notifications::OutboxStore>(db(), *jobs, notifications::OutboxStore::Clock{}, &protector);
        limiter = std::make_unique<http::RateLimiter>(db());
        identity = std::make_unique<IdentityService>(db(), protector, *jobs, *outbox, *limiter, nullptr);
        profiles = std::make_unique<ProfileService>(*identity, *jobs);
        checks = std::make_unique<VerificationRunner>(*identity, *jobs, pfr, mvd, fns);
        identity->on_erase([this](soci::session& tx, std::int64_t id) { profiles->store().erase(tx, id); });
        account = new_account("+79264337428");
    }

    std::int64_t new_account(const std::string& phone) {
        Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = phone;
        a.email = "anna" + phone.substr(8) + "@example.org";
        a.password_hash = "x";
        return db::transact(db(), [&](soci::session& tx) { return identity->accounts().create(tx, a, 1000); });
    }

    SaveResult submit(std::map<std::string, std::string> raw = anna(), std::int64_t who = 0) {
        return profiles->save(ctx, who ? who : account, raw, SaveMode::submit);
    }

    // Runs the job of a step as the runner would; false when there is no such job.
    bool run(Registry r, std::int64_t verification_id) {
        auto job = jobs->find_by_key(verify_job_key(r, verification_id));
        if (!job) return false;
        checks->run(r, *job);
        return true;
    }

    Level level(std::int64_t id = 0) { return identity->accounts().find(id ? id : account)->level; }
    std::vector<notifications::OutboxMessage> messages(std::int64_t id = 0) {
        return outbox->list_for_recipient(std::to_string(id ? id : account));
    }

    core::DataProtector protector{std::string(32, 'k')};
    std::unique_ptr<jobs::JobStore> jobs;
    std::unique_ptr<notifications::OutboxStore> outbox;
    std::unique_ptr<http::RateLimiter> limiter;
    std::unique_ptr<IdentityService> identity;
    std::unique_ptr<ProfileService> profiles;
    std::unique_ptr<VerificationRunner> checks;
    FakePfr pfr;
    FakeMvd mvd;
    FakeFns fns;
    Context ctx{"session", "127.0.0.1", "test", "ru", "Europe/Moscow", "http://localhost"};
    std::int64_t account = 0;
};

}  // namespace

TEST_P(VerificationTest, SubmitWritesTheProfileTheVerificationAndBothJobs) {
    const SaveResult r = submit();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.sent);
    const auto v = profiles->store().verification(r.verification_id);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->state, VerificationState::checking);
    EXPECT_EQ(v->profile_version, 1);
    for (Registry step : {Registry::pfr, Registry::mvd}) {
        auto job = jobs->find_by_key(verify_job_key(step, r.verification_id));
        ASSERT_TRUE(job) << to_string(step);
        EXPECT_EQ(job->kind, job_kind(step));
        EXPECT_EQ(job->max_attempts, kVerifyMaxAttempts);
    }
    EXPECT_FALSE(jobs->find_by_key(verify_job_key(Registry::fns, r.verification_id)));
    EXPECT_NE(profiles->store().find(account)->submitted_at, 0);
    const auto audit = identity->audit().list(account, false, 10);
    ASSERT_GE(audit.size(), 2u);
    EXPECT_EQ(audit[0].action, "profile_submitted");
    EXPECT_EQ(audit[1].action, "profile_changed");
    EXPECT_NE(audit[1].fields.find("snils"), std::string::npos);
}

TEST_P(VerificationTest, BothChecksPassedMakeTheAccountStandardThenTheInnIsFound) {
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::pfr, id));
    EXPECT_EQ(profiles->store().verification(id)->state, VerificationState::checking);
    EXPECT_EQ(level(), Level::simplified);
    ASSERT_TRUE(run(Registry::mvd, id));
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::passed);
    EXPECT_EQ(v->pfr.state, StepState::passed);
    EXPECT_EQ(v->mvd.state, StepState::passed);
    EXPECT_EQ(level(), Level::standard);
    EXPECT_EQ(identity->accounts().find_by_login({LoginKind::snils, "088-391-325 03"}), account);
    EXPECT_EQ(identity->accounts().find_by_passport("5710 726989"), account);
    // The registries got the person as typed.
    EXPECT_EQ(pfr.last.snils, "088-391-325 03");
    EXPECT_EQ(pfr.last.gender, "female");
    EXPECT_EQ(mvd.last.passport_series, "5710");
    EXPECT_EQ(mvd.last.passport_number, "726989");
    EXPECT_EQ(mvd.last.department_code, "590-014");
    // The user hears of it by SMS and e-mail, once.
    const auto sent = messages();
    ASSERT_EQ(sent.size(), 2u);
    for (const auto& m : sent) EXPECT_EQ(m.template_name, "verification.passed");

    EXPECT_EQ(profiles->store().find(account)->inn, "");
    ASSERT_TRUE(run(Registry::fns, id));
    EXPECT_EQ(profiles->store().find(account)->inn, "590600644706");
    v = profiles->store().verification(id);
    EXPECT_EQ(v->fns.state, StepState::passed);
    EXPECT_FALSE(v->running());
}

TEST_P(VerificationTest, HandlersAreIdempotent) {
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::pfr, id));
    ASSERT_TRUE(run(Registry::pfr, id));
    EXPECT_EQ(pfr.calls, 1) << "a decided step asks the registry no more";
    ASSERT_TRUE(run(Registry::mvd, id));
    ASSERT_TRUE(run(Registry::mvd, id));
    ASSERT_TRUE(run(Registry::fns, id));
    ASSERT_TRUE(run(Registry::fns, id));
    EXPECT_EQ(mvd.calls, 1);
    EXPECT_EQ(fns.calls, 1);
    EXPECT_EQ(messages().size(), 2u);
    int passed = 0;
    for (const auto& e : profiles->store().events(id))
        if (e.subject == "overall" && e.to == "passed") ++passed;
    EXPECT_EQ(passed, 1);
}

TEST_P(VerificationTest, ALostPassportFailsWithTheDateAndNoLevel) {
    mvd.answer.status = PassportStatus::lost;
    mvd.answer.reason = "reported_lost";
    mvd.answer.lost_date = registries::parse_date("2026-11-11");
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::mvd, id));
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::failed);
    EXPECT_EQ(v->reason, "passport_lost");
    EXPECT_EQ(v->mvd.detail, "2026-11-11");
    EXPECT_EQ(v->pfr.state, StepState::cancelled);
    EXPECT_EQ(v->fns.state, StepState::cancelled);
    EXPECT_EQ(level(), Level::simplified);
    ASSERT_TRUE(run(Registry::pfr, id));
    EXPECT_EQ(pfr.calls, 0) << "a failed verification needs no more answers";
    const auto sent = messages();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].template_name, "verification.failed");
}

TEST_P(VerificationTest, SomeoneElsesPassportSaysNothingOfItsState) {
    mvd.answer.status = PassportStatus::lost;
    mvd.answer.owner_matches = false;
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::mvd, id));
    EXPECT_EQ(profiles->store().verification(id)->reason, "passport_not_owner");
}

TEST_P(VerificationTest, SnilsOfAnotherPersonFails) {
    pfr.answer = registries::SnilsCheck::mismatch;
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::mvd, id));
    ASSERT_TRUE(run(Registry::pfr, id));
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::failed);
    EXPECT_EQ(v->reason, "snils_mismatch");
    EXPECT_EQ(v->mvd.state, StepState::passed);
}

TEST_P(VerificationTest, ARegistryDownLeavesTheStepWaitingUntilItRecovers) {
    pfr.down = true;
    const auto id = submit().verification_id;
    ASSERT_TRUE(run(Registry::mvd, id));
    EXPECT_THROW(run(Registry::pfr, id), registries::RegistryUnavailable);
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::checking);
    EXPECT_EQ(v->pfr.state, StepState::waiting);
    EXPECT_EQ(v->pfr.reason, "registry_unavailable");
    EXPECT_THROW(run(Registry::pfr, id), registries::RegistryUnavailable);
    pfr.down = false;
    ASSERT_TRUE(run(Registry::pfr, id));
    v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::passed);
    EXPECT_EQ(v->pfr.state, StepState::passed);
    EXPECT_EQ(v->pfr.reason, "");
    int waits = 0;
    for (const auto& e : profiles->store().events(id))
        if (e.to == "waiting") ++waits;
    EXPECT_EQ(waits, 1) << "retries while waiting add no events";
}

TEST_P(VerificationTest, ARejectedRequestFailsWithTheRegistrysCode) {
    struct Rejecting : FakePfr {
        registries::SnilsCheck check_snils(const registries::PersonIdentity&) override {
            throw registries::RegistryRejected("pfr", 422, "snils.checksum", "bad", "snils");
        }
    } rejecting;
    VerificationRunner strict(*identity, *jobs, rejecting, mvd, fns);
    const auto id = submit().verification_id;
    strict.run(Registry::pfr, *jobs->find_by_key(verify_job_key(Registry::pfr, id)));
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->reason, "registry_rejected");
    EXPECT_EQ(v->pfr.detail, "snils.checksum");
}

TEST_P(VerificationTest, NoInnIsNotAFailure) {
    fns.inn.reset();
    const auto id = submit().verification_id;
    run(Registry::pfr, id);
    run(Registry::mvd, id);
    run(Registry::fns, id);
    auto v = profiles->store().verification(id);
    EXPECT_EQ(v->state, VerificationState::passed);
    EXPECT_EQ(v->fns.state, StepState::passed);
    EXPECT_EQ(v->fns.reason, "inn_not_found");
    EXPECT_EQ(level(), Level::standard);
}

TEST_P(VerificationTest, ChangingCheckedDataDropsTheLevelAndChecksAgain) {
    const auto first = submit().verification_id;
    run(Registry::pfr, first);
    run(Registry::mvd, first);
    run(Registry::fns, first);
    ASSERT_EQ(level(), Level::standard);

    auto changed = anna();
    changed["birth_place"] = "г. Соликамск";  // not checked: nothing happens
    SaveResult r = profiles->save(ctx, account, changed, SaveMode::draft);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.sent);
    EXPECT_EQ(level(), Level::standard);
    EXPECT_EQ(profiles->store().latest(account)->id, first);

    changed["passport"] = "5704 991122";  // checked: back to simplified, and checked again
    r = profiles->save(ctx, account, changed, SaveMode::draft);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.sent);
    EXPECT_TRUE(r.level_dropped);
    EXPECT_EQ(level(), Level::simplified);
    EXPECT_EQ(profiles->store().verification(first)->state, VerificationState::superseded);
    EXPECT_EQ(profiles->store().find(account)->inn, "") << "the INN belonged to the old data";
    EXPECT_EQ(profiles->store().find(account)->version, 2);
    EXPECT_FALSE(identity->accounts().find_by_passport("5710 726989"));
    const auto second = r.verification_id;
    EXPECT_NE(second, first);
    EXPECT_EQ(profiles->store().verification(second)->profile_version, 2);
    // The old jobs, delivered late, change nothing.
    const int before = pfr.calls;
    run(Registry::pfr, first);
    EXPECT_EQ(pfr.calls, before);
}

TEST_P(VerificationTest, ChangingDataWhileCheckingSupersedesTheCheck) {
    const auto first = submit().verification_id;
    run(Registry::pfr, first);
    auto changed = anna();
    changed["name"] = "Анастасия";
    const SaveResult r = submit(changed);
    ASSERT_TRUE(r.sent);
    run(Registry::mvd, first);  // the old job arrives: ignored
    EXPECT_EQ(mvd.calls, 0);
    auto old = profiles->store().verification(first);
    EXPECT_EQ(old->state, VerificationState::superseded);
    EXPECT_EQ(old->mvd.state, StepState::cancelled);
    EXPECT_EQ(identity->accounts().find(account)->name, "Анастасия");
}

TEST_P(VerificationTest, SubmittingTheSameDataTwiceStartsOneCheck) {
    const auto first = submit();
    const auto again = submit();
    EXPECT_TRUE(first.sent);
    EXPECT_FALSE(again.sent);
    EXPECT_EQ(profiles->store().latest(account)->id, first.verification_id);
}

TEST_P(VerificationTest, DraftsAreSavedWithoutCheckingAndBadInputSavesNothing) {
    SaveResult r = profiles->save(ctx, account, {{"surname", "Смирнова"}, {"snils", "088-391-325 03"}}, SaveMode::draft);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r.sent);
    EXPECT_FALSE(profiles->store().latest(account));
    EXPECT_EQ(profiles->store().find(account)->data.snils, "088-391-325 03");

    auto bad = anna();
    bad["snils"] = "088-391-325 04";
    bad["issued_by"] = "<script>alert(1)</script>";
    r = submit(bad);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.errors.at("snils"), "validation.snils.checksum");
    EXPECT_EQ(r.errors.at("issued_by"), "profile.error.text_chars");
    EXPECT_EQ(profiles->store().find(account)->data.issued_by, "");
    EXPECT_FALSE(profiles->store().latest(account));
}

TEST_P(VerificationTest, OnePersonOneAccount) {
    const auto id = submit().verification_id;
    run(Registry::pfr, id);
    run(Registry::mvd, id);
    ASSERT_EQ(level(), Level::standard);

    const auto twin = new_account("+79264337429");
    const auto other = submit(anna(), twin).verification_id;
    run(Registry::pfr, other);
    run(Registry::mvd, other);
    auto v = profiles->store().verification(other);
    EXPECT_EQ(v->state, VerificationState::failed);
    EXPECT_EQ(v->reason, "snils_taken");
    EXPECT_EQ(level(twin), Level::simplified);
    EXPECT_EQ(identity->accounts().find_by_login({LoginKind::snils, "088-391-325 03"}), account);
}

TEST_P(VerificationTest, DeletingTheAccountErasesTheProfile) {
    const auto id = submit().verification_id;
    identity->erase_account(ctx, account);
    EXPECT_FALSE(profiles->store().find(account));
    EXPECT_FALSE(profiles->store().verification(id));
    EXPECT_TRUE(run(Registry::pfr, id));  // the job finds nothing to do
    EXPECT_EQ(pfr.calls, 0);
}

USLUGI_STORE_TEST_SUITE(VerificationTest);
