#include <gtest/gtest.h>

#include "db/transaction.hpp"
#include "identity/profile_store.hpp"
#include "legacy_seal.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

const std::string kKey(32, 'k');

Profile anna() {
    Profile p;
    p.surname = "Смирнова";
    p.name = "Анна";
    p.patronymic = "Сергеевна";
    p.gender = "female";
    p.birth_date = "1990-04-12";
    p.birth_place = "г. Пермь";
    p.snils = "088-391-325 03";
    p.citizenship = "RU";
    p.document_type = "passport_rf";
    p.passport = "5710 726989";
    p.issue_date = "2010-04-26";
    p.issued_by = "Отделом УФМС России по Пермскому краю";
    p.department_code = "590-014";
    return p;
}

class ProfileStoreTest : public test_support::StoreTest {
protected:
    core::DataProtector protector{kKey};
    std::string raw_row(std::int64_t account_id) {
        db::Connection c(db());
        std::string data, inn;
        soci::indicator i_inn;
        const long long key = account_id;
        *c << "SELECT data_enc, inn_enc FROM identity_profiles WHERE account_id = :a", soci::use(key),
            soci::into(data), soci::into(inn, i_inn);
        return data + "|" + (i_inn == soci::i_ok ? inn : "");
    }
};

}  // namespace

TEST_P(ProfileStoreTest, SavesSealedAndReadsBack) {
    ProfileStore store(db(), protector);
    EXPECT_FALSE(store.find(7));
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, anna(), 1, false, 1000); });
    auto p = store.find(7);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data, anna());
    EXPECT_EQ(p->version, 1);
    EXPECT_EQ(p->updated_at, 1000);
    EXPECT_EQ(p->submitted_at, 0);
    EXPECT_EQ(p->inn, "");
    const std::string raw = raw_row(7);
    for (const char* plain : {"Смирнова", "088-391-325 03", "5710 726989", "590-014", "Пермь"})
        EXPECT_EQ(raw.find(plain), std::string::npos) << plain << " stored in the clear";
}

TEST_P(ProfileStoreTest, SaveReplacesAndKeepsTheFirstSubmission) {
    ProfileStore store(db(), protector);
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, anna(), 1, true, 1000); });
    Profile changed = anna();
    changed.snils = "112-233-445 95";
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, changed, 2, true, 2000); });
    auto p = store.find(7);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->data.snils, "112-233-445 95");
    EXPECT_EQ(p->version, 2);
    EXPECT_EQ(p->updated_at, 2000);
    EXPECT_EQ(p->submitted_at, 1000);
}

TEST_P(ProfileStoreTest, HostileTextIsStoredAsItIs) {
    ProfileStore store(db(), protector);
    Profile p = anna();
    p.birth_place = "г. Пермь'; DROP TABLE identity_profiles; --";
    p.issued_by = "\"quoted\" 'and' \\ back\\slash";
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, p, 1, false, 1000); });
    auto back = store.find(7);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->data, p);
}

TEST_P(ProfileStoreTest, InnIsSealedAndCanBeCleared) {
    ProfileStore store(db(), protector);
    db::transact(db(), [&](soci::session& tx) {
        store.save(tx, 7, anna(), 1, true, 1000);
        store.set_inn(tx, 7, "590600644706", 1100);
    });
    EXPECT_EQ(store.find(7)->inn, "590600644706");
    EXPECT_EQ(raw_row(7).find("590600644706"), std::string::npos);
    db::transact(db(), [&](soci::session& tx) { store.set_inn(tx, 7, "", 1200); });
    EXPECT_EQ(store.find(7)->inn, "");
}

TEST_P(ProfileStoreTest, AProfileSealedUnderAnotherKeyDoesNotOpen) {
    ProfileStore store(db(), protector);
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, anna(), 1, false, 1000); });
    core::DataProtector other(std::string(32, 'x'));
    ProfileStore foreign(db(), other);
    EXPECT_THROW(foreign.find(7), std::runtime_error);
}

// Security review, defect 11: one person's sealed profile (passport, SNILS)
// copied into another account's row does not open there.
TEST_P(ProfileStoreTest, AProfileCopiedToAnotherAccountIsUnreadableThere) {
    ProfileStore store(db(), protector);
    Profile petr = anna();
    petr.surname = "Петров";
    db::transact(db(), [&](soci::session& tx) {
        store.save(tx, 7, anna(), 1, false, 1000);
        store.set_inn(tx, 7, "590600644706", 1000);
        store.save(tx, 8, petr, 1, false, 1000);
    });
    for (const std::string column : {"inn_enc", "data_enc"}) {
        db::Connection c(db());
        *c << "UPDATE identity_profiles SET " + column + " = (SELECT " + column +
                  " FROM identity_profiles WHERE account_id = 7) WHERE account_id = 8";
        EXPECT_THROW(store.find(8), core::UnreadableValue) << column;
    }
    EXPECT_EQ(store.find(7)->data, anna());
    EXPECT_EQ(store.find(7)->inn, "590600644706");
}

TEST_P(ProfileStoreTest, ResealConvertsLegacyProfilesOnce) {
    ProfileStore store(db(), protector);
    db::transact(db(), [&](soci::session& tx) { store.save(tx, 7, anna(), 1, false, 1000); });
    {
        const std::string data = test_support::legacy_seal_v1(kKey, profile_to_json(anna()));
        const std::string inn = test_support::legacy_seal_v1(kKey, "590600644706");
        db::Connection c(db());
        *c << "UPDATE identity_profiles SET data_enc = :d, inn_enc = :i WHERE account_id = 7", soci::use(data),
            soci::use(inn);
    }
    EXPECT_EQ(store.reseal().converted, 2);
    const std::string raw = raw_row(7);
    EXPECT_EQ(raw.rfind("v2.", 0), 0u) << raw;
    EXPECT_NE(raw.find("|v2."), std::string::npos) << raw;
    EXPECT_EQ(store.find(7)->data, anna());
    EXPECT_EQ(store.find(7)->inn, "590600644706");
    EXPECT_EQ(store.reseal().converted, 0);
    EXPECT_EQ(raw_row(7), raw) << "a second run changes nothing";
}

TEST_P(ProfileStoreTest, VerificationStartsCheckingWithPendingSteps) {
    ProfileStore store(db(), protector);
    const auto id = db::transact(db(), [&](soci::session& tx) { return store.create_verification(tx, 7, 3, "user", 1000); });
    auto v = store.verification(id);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->account_id, 7);
    EXPECT_EQ(v->profile_version, 3);
    EXPECT_EQ(v->state, VerificationState::checking);
    EXPECT_EQ(v->pfr.state, StepState::pending);
    EXPECT_EQ(v->mvd.state, StepState::pending);
    EXPECT_EQ(v->fns.state, StepState::pending);
    EXPECT_EQ(v->created_at, 1000);
    EXPECT_EQ(v->finished_at, 0);
    EXPECT_TRUE(v->running());
    const auto events = store.events(id);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].subject, "overall");
    EXPECT_EQ(events[0].from, "not_sent");
    EXPECT_EQ(events[0].to, "checking");
    EXPECT_EQ(events[0].actor, "user");
    EXPECT_EQ(events[0].at, 1000);
}

TEST_P(ProfileStoreTest, LatestIsTheNewestOfTheAccount) {
    ProfileStore store(db(), protector);
    EXPECT_FALSE(store.latest(7));
    std::int64_t a = 0, b = 0;
    db::transact(db(), [&](soci::session& tx) {
        a = store.create_verification(tx, 7, 1, "user", 1000);
        store.create_verification(tx, 8, 1, "user", 1000);
        b = store.create_verification(tx, 7, 2, "user", 2000);
    });
    EXPECT_NE(a, b);
    EXPECT_EQ(store.latest(7)->id, b);
    EXPECT_EQ(store.latest(7)->profile_version, 2);
}

TEST_P(ProfileStoreTest, StepsAndStateMoveOnlyAlongTheMachineAndAreRecorded) {
    ProfileStore store(db(), protector);
    const auto id = db::transact(db(), [&](soci::session& tx) { return store.create_verification(tx, 7, 1, "user", 1000); });
    auto step = [&](Registry r, StepState to, const std::string& reason = "", const std::string& detail = "") {
        return db::transact(db(), [&](soci::session& tx) {
            auto v = store.verification(tx, id);
            return store.set_step(tx, *v, r, to, reason, detail, "system", 1100);
        });
    };
    EXPECT_TRUE(step(Registry::pfr, StepState::running));
    EXPECT_TRUE(step(Registry::pfr, StepState::waiting, "registry_unavailable", "registry.down"));
    EXPECT_TRUE(step(Registry::pfr, StepState::passed));
    EXPECT_THROW(step(Registry::pfr, StepState::failed), std::logic_error);
    EXPECT_THROW(step(Registry::mvd, StepState::passed), std::logic_error);  // pending → passed skips running
    EXPECT_TRUE(step(Registry::mvd, StepState::running));
    EXPECT_TRUE(step(Registry::mvd, StepState::failed, "passport_lost", "2026-11-11"));

    auto v = store.verification(id);
    EXPECT_EQ(v->pfr.state, StepState::passed);
    EXPECT_EQ(v->pfr.reason, "");
    EXPECT_EQ(v->mvd.state, StepState::failed);
    EXPECT_EQ(v->mvd.reason, "passport_lost");
    EXPECT_EQ(v->mvd.detail, "2026-11-11");

    // A stale view (the row moved on meanwhile) changes nothing.
    Verification stale = *v;
    stale.fns.state = StepState::pending;
    db::transact(db(), [&](soci::session& tx) {
        EXPECT_TRUE(store.set_step(tx, *v, Registry::fns, StepState::cancelled, "", "", "system", 1200));
        EXPECT_FALSE(store.set_step(tx, stale, Registry::fns, StepState::running, "", "", "system", 1200));
        EXPECT_TRUE(store.set_state(tx, *v, VerificationState::failed, "passport_lost", "system", 1300));
        EXPECT_FALSE(store.set_state(tx, *v, VerificationState::passed, "", "system", 1300));
    });
    v = store.verification(id);
    EXPECT_EQ(v->state, VerificationState::failed);
    EXPECT_EQ(v->reason, "passport_lost");
    EXPECT_EQ(v->finished_at, 1300);
    EXPECT_FALSE(v->running());
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) {
                     store.set_state(tx, *v, VerificationState::superseded, "", "user", 1400);
                 }),
                 std::logic_error);

    const auto events = store.events(id);
    std::vector<std::string> seen;
    for (const auto& e : events) seen.push_back(e.subject + ":" + e.from + ">" + e.to);
    EXPECT_EQ(seen, (std::vector<std::string>{"overall:not_sent>checking", "pfr:pending>running",
                                              "pfr:running>waiting", "pfr:waiting>passed", "mvd:pending>running",
                                              "mvd:running>failed", "fns:pending>cancelled",
                                              "overall:checking>failed"}));
    EXPECT_EQ(events[2].reason, "registry_unavailable");
    EXPECT_EQ(events.back().reason, "passport_lost");
    EXPECT_EQ(events.back().actor, "system");
}

TEST_P(ProfileStoreTest, PassedThenSupersededKeepsItsFinishTime) {
    ProfileStore store(db(), protector);
    const auto id = db::transact(db(), [&](soci::session& tx) { return store.create_verification(tx, 7, 1, "user", 1000); });
    db::transact(db(), [&](soci::session& tx) {
        store.set_state(tx, *store.verification(tx, id), VerificationState::passed, "", "system", 1500);
    });
    EXPECT_EQ(store.verification(id)->finished_at, 1500);
    EXPECT_TRUE(store.verification(id)->running()) << "the tax service step is still to come";
    db::transact(db(), [&](soci::session& tx) {
        store.set_state(tx, *store.verification(tx, id), VerificationState::superseded, "", "user", 1600);
    });
    EXPECT_EQ(store.verification(id)->state, VerificationState::superseded);
    EXPECT_EQ(store.verification(id)->finished_at, 1500);
}

TEST_P(ProfileStoreTest, EraseRemovesOnlyThatAccountsData) {
    ProfileStore store(db(), protector);
    std::int64_t mine = 0, theirs = 0;
    db::transact(db(), [&](soci::session& tx) {
        store.save(tx, 7, anna(), 1, true, 1000);
        store.save(tx, 8, anna(), 1, true, 1000);
        mine = store.create_verification(tx, 7, 1, "user", 1000);
        theirs = store.create_verification(tx, 8, 1, "user", 1000);
    });
    db::transact(db(), [&](soci::session& tx) { store.erase(tx, 7); });
    EXPECT_FALSE(store.find(7));
    EXPECT_FALSE(store.verification(mine));
    EXPECT_TRUE(store.events(mine).empty());
    EXPECT_TRUE(store.find(8));
    EXPECT_TRUE(store.verification(theirs));
    EXPECT_EQ(store.events(theirs).size(), 1u);
}

USLUGI_STORE_TEST_SUITE(ProfileStoreTest);
