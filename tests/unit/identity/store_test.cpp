// identity/store.hpp on SQLite and PostgreSQL: accounts sealed at rest and
// found by blind indexes, one-time challenges with their limits, brute-force
// counters and the audit log.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/transaction.hpp"
#include "identity/store.hpp"
#include "legacy_seal.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

class IdentityStoreTest : public test_support::StoreTest {
protected:
    IdentityStoreTest() : protector_(std::string(32, '\x42')) {}

    static Account anna() {
        Account a;
        a.surname = "Смирнова";
        a.name = "Анна";
        a.phone = "+79161234567";
        a.email = "anna.smirnova@example.ru";
        a.password_hash = "$argon2id$stub";
        a.lang = "en";
        return a;
    }
    static Account with_phone(std::string phone) {
        Account a;
        a.surname = "Петров";
        a.name = "Пётр";
        a.phone = std::move(phone);
        return a;
    }
    std::int64_t create(AccountStore& store, const Account& a, std::int64_t now = kNow) {
        return db::transact(db(), [&](soci::session& tx) { return store.create(tx, a, now); });
    }
    // Every text column of a row, NULL as "<null>", for looking at what is really stored.
    std::map<std::string, std::string> raw_row(const std::string& table, std::int64_t id) {
        std::map<std::string, std::string> out;
        const long long key = id;
        db::Connection c(db());
        soci::rowset<soci::row> rows = (c->prepare << "SELECT * FROM " + table + " WHERE id = :id", soci::use(key));
        for (const auto& r : rows)
            for (std::size_t i = 0; i < r.size(); ++i) {
                const auto& p = r.get_properties(i);
                std::string v = "<null>";
                if (r.get_indicator(i) == soci::i_ok) {
                    switch (p.get_data_type()) {
                        case soci::dt_string: v = r.get<std::string>(i); break;
                        case soci::dt_integer: v = std::to_string(r.get<int>(i)); break;
                        case soci::dt_long_long: v = std::to_string(r.get<long long>(i)); break;
                        default: v = "<other>"; break;
                    }
                }
                out[p.get_name()] = v;
            }
        return out;
    }
    long long count(const std::string& sql) {
        long long n = 0;
        db::Connection c(db());
        *c << sql, soci::into(n);
        return n;
    }

    core::DataProtector protector_;
};

}  // namespace

// ---- accounts ------------------------------------------------------------------------------

TEST_P(IdentityStoreTest, AccountIsSealedAtRestAndOpensWhole) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    ASSERT_GT(id, 0);

    const auto a = store.find(id);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->id, id);
    EXPECT_EQ(a->surname, "Смирнова");
    EXPECT_EQ(a->name, "Анна");
    EXPECT_EQ(a->phone, "+79161234567");
    EXPECT_EQ(a->email, "anna.smirnova@example.ru");
    EXPECT_EQ(a->password_hash, "$argon2id$stub");
    EXPECT_EQ(a->level, Level::simplified);
    EXPECT_EQ(a->status, AccountStatus::active);
    EXPECT_EQ(a->kind, "citizen");
    EXPECT_EQ(a->lang, "en");
    EXPECT_EQ(a->two_factor, "off");
    EXPECT_FALSE(a->has_snils);
    EXPECT_EQ(a->created_at, kNow);
    EXPECT_EQ(a->password_changed_at, kNow);
    EXPECT_EQ(a->display_name(), "Анна Смирнова");

    // What a stolen database shows: no name, phone or e-mail in any column.
    const auto row = raw_row("identity_accounts", id);
    ASSERT_FALSE(row.empty());
    for (const auto& [column, value] : row) {
        for (const std::string plain : {"Смирнова", "Анна", "+79161234567", "79161234567", "1234567",
                                        "anna.smirnova", "example.ru"})
            EXPECT_EQ(value.find(plain), std::string::npos) << column << " holds " << plain;
    }
    EXPECT_EQ(row.at("phone_enc").rfind("v2.", 0), 0u);
    EXPECT_EQ(row.at("surname_enc").rfind("v2.", 0), 0u);
    EXPECT_EQ(row.at("phone_bidx"), protector_.blind_index("phone", "+79161234567"));
    EXPECT_EQ(row.at("email_bidx"), protector_.blind_index("email", "anna.smirnova@example.ru"));

    // Another data key opens nothing.
    core::DataProtector other(std::string(32, '\x43'));
    AccountStore foreign(db(), other);
    EXPECT_THROW(foreign.find(id), std::runtime_error);
    EXPECT_FALSE(store.find(id + 1000));
}

TEST_P(IdentityStoreTest, FindBriefReadsOnlyNamesLevelAndStatus) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    db::transact(db(), [&](soci::session& tx) { store.set_level(tx, id, Level::standard, kNow); });
    const auto b = store.find_brief(id);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->id, id);
    EXPECT_EQ(b->surname, "Смирнова");
    EXPECT_EQ(b->name, "Анна");
    EXPECT_EQ(b->level, Level::standard);
    EXPECT_EQ(b->status, AccountStatus::active);
    EXPECT_EQ(b->phone, "") << "contacts are not opened for the header";
    EXPECT_EQ(b->password_hash, "");
    EXPECT_FALSE(store.find_brief(id + 1000));
    db::transact(db(), [&](soci::session& tx) { store.erase(tx, id, kNow); });
    EXPECT_EQ(store.find_brief(id)->status, AccountStatus::deleted);
}

TEST_P(IdentityStoreTest, OrganisationHintIsReadWithTheBriefAndSetOnlyForItsAccount) {
    AccountStore store(db(), protector_);
    const std::int64_t anna_id = create(store, anna());
    Account other = anna();
    other.phone = "+79161112233";
    other.email = "other@example.ru";
    const std::int64_t other_id = create(store, other);
    EXPECT_FALSE(store.find_brief(anna_id)->in_organisations) << "a new account has no place in an organisation";
    db::transact(db(), [&](soci::session& tx) { store.mark_in_organisations(tx, anna_id); });
    EXPECT_TRUE(store.find_brief(anna_id)->in_organisations);
    EXPECT_FALSE(store.find_brief(other_id)->in_organisations);
    db::transact(db(), [&](soci::session& tx) { store.mark_in_organisations(tx, anna_id); });  // idempotent
    EXPECT_TRUE(store.find_brief(anna_id)->in_organisations);
}

TEST_P(IdentityStoreTest, AccountWithOnlyAnEmailHasNoPhone) {
    AccountStore store(db(), protector_);
    Account a = anna();
    a.phone.clear();
    a.password_hash.clear();
    const std::int64_t id = create(store, a);
    const auto found = store.find(id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->phone, "");
    EXPECT_EQ(found->password_hash, "");
    const auto row = raw_row("identity_accounts", id);
    EXPECT_EQ(row.at("phone_enc"), "<null>");
    EXPECT_EQ(row.at("phone_bidx"), "<null>") << "NULLs do not collide in the unique index";
    Account b = anna();
    b.phone.clear();
    b.email = "other@example.ru";
    EXPECT_NO_THROW(create(store, b)) << "a second account without a phone";
}

TEST_P(IdentityStoreTest, APhoneOrEmailBelongsToOneAccount) {
    AccountStore store(db(), protector_);
    create(store, anna());
    Account same_phone = with_phone("+79161234567");
    try {
        create(store, same_phone);
        ADD_FAILURE() << "a second account with the phone";
    } catch (const ContactTaken& e) {
        EXPECT_EQ(e.kind, "phone");
    }
    Account same_email = with_phone("+79169999999");
    same_email.email = "anna.smirnova@example.ru";
    try {
        create(store, same_email);
        ADD_FAILURE() << "a second account with the e-mail";
    } catch (const ContactTaken& e) {
        EXPECT_EQ(e.kind, "email");
    }
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_accounts"), 1);

    db::Connection c(db());
    EXPECT_TRUE(store.contact_taken(*c, {ContactKind::phone, "+79161234567"}));
    EXPECT_FALSE(store.contact_taken(*c, {ContactKind::phone, "+79161234568"}));
    EXPECT_TRUE(store.contact_taken(*c, {ContactKind::email, "anna.smirnova@example.ru"}));
}

TEST_P(IdentityStoreTest, ConcurrentCreatesOfOnePhoneLetExactlyOneWin) {
    AccountStore store(db(), protector_);
    constexpr int kThreads = 4;
    for (int round = 0; round < 5; ++round) {
        const std::string phone = "+7916555000" + std::to_string(round);
        std::latch start(kThreads);
        std::atomic<int> won{0}, taken{0}, other{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i)
            threads.emplace_back([&] {
                start.arrive_and_wait();
                try {
                    create(store, with_phone(phone));
                    ++won;
                } catch (const ContactTaken& e) {
                    EXPECT_EQ(e.kind, "phone");
                    ++taken;
                } catch (const std::exception& e) {
                    ADD_FAILURE() << e.what();
                    ++other;
                }
            });
        for (auto& t : threads) t.join();
        EXPECT_EQ(won, 1) << phone;
        EXPECT_EQ(taken, kThreads - 1) << phone;
        EXPECT_EQ(other, 0);
    }
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_accounts"), 5);
}

TEST_P(IdentityStoreTest, FindByLoginByPhoneEmailOrSnils) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    const std::int64_t other = create(store, with_phone("+79035550101"));
    EXPECT_EQ(store.find_by_login({LoginKind::phone, "+79161234567"}), id);
    EXPECT_EQ(store.find_by_login({LoginKind::email, "anna.smirnova@example.ru"}), id);
    EXPECT_EQ(store.find_by_login({LoginKind::phone, "+79035550101"}), other);
    EXPECT_FALSE(store.find_by_login({LoginKind::snils, "112-233-445 95"}));
    EXPECT_FALSE(store.find_by_login({LoginKind::phone, "+79161234568"}));
    // The phone's index is not the e-mail's: a value looked up as another kind finds nothing.
    EXPECT_FALSE(store.find_by_login({LoginKind::email, "+79161234567"}));

    ASSERT_TRUE(db::transact(db(), [&](soci::session& tx) { return store.set_snils(tx, id, "112-233-445 95", kNow); }));
    EXPECT_EQ(store.find_by_login({LoginKind::snils, "112-233-445 95"}), id);
    EXPECT_TRUE(store.find(id)->has_snils);
    db::transact(db(), [&](soci::session& tx) { store.clear_snils(tx, id, kNow); });
    EXPECT_FALSE(store.find_by_login({LoginKind::snils, "112-233-445 95"}));
    EXPECT_FALSE(store.find(id)->has_snils);
}

TEST_P(IdentityStoreTest, SnilsAndPassportBelongToOneAccount) {
    AccountStore store(db(), protector_);
    const std::int64_t a = create(store, anna());
    const std::int64_t b = create(store, with_phone("+79035550101"));
    auto set_snils = [&](std::int64_t id, const std::string& v) {
        return db::transact(db(), [&](soci::session& tx) { return store.set_snils(tx, id, v, kNow); });
    };
    auto set_passport = [&](std::int64_t id, const std::string& v) {
        return db::transact(db(), [&](soci::session& tx) { return store.set_passport(tx, id, v, kNow); });
    };
    EXPECT_TRUE(set_snils(a, "112-233-445 95"));
    EXPECT_FALSE(set_snils(b, "112-233-445 95")) << "another account holds this SNILS";
    EXPECT_FALSE(store.find(b)->has_snils) << "nothing written";
    EXPECT_TRUE(set_snils(a, "112-233-445 95")) << "setting one's own again is fine";

    EXPECT_FALSE(store.find_by_passport("4508 123456"));
    EXPECT_TRUE(set_passport(a, "4508 123456"));
    EXPECT_EQ(store.find_by_passport("4508 123456"), a);
    EXPECT_FALSE(set_passport(b, "4508 123456"));
    EXPECT_EQ(store.find_by_passport("4508 123456"), a);
    EXPECT_FALSE(store.find_by_passport("4508 123457"));
    const auto row = raw_row("identity_accounts", a);
    EXPECT_EQ(row.at("passport_bidx").find("123456"), std::string::npos);
    db::transact(db(), [&](soci::session& tx) { store.clear_passport(tx, a, kNow); });
    EXPECT_FALSE(store.find_by_passport("4508 123456"));
    EXPECT_TRUE(set_passport(b, "4508 123456")) << "free again";
}

TEST_P(IdentityStoreTest, ChangesAreStoredSealed) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    const std::int64_t other = create(store, with_phone("+79035550101"));
    db::transact(db(), [&](soci::session& tx) {
        store.set_names(tx, id, "Иванова", "Анна-Мария", kNow + 1);
        store.set_contact(tx, id, ContactKind::phone, "+79997776655", kNow + 1);
        store.set_contact(tx, id, ContactKind::email, "", kNow + 1);
        store.set_password(tx, id, "$argon2id$new", kNow + 2);
        store.set_level(tx, id, Level::standard, kNow + 2);
        store.set_security_question(tx, id, "pet", "$argon2id$answer", kNow + 2);
        store.set_notify_signin(tx, id, true, kNow + 2);
        store.set_lang(tx, id, "de", kNow + 2);
    });
    const auto a = store.find(id);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->surname, "Иванова");
    EXPECT_EQ(a->name, "Анна-Мария");
    EXPECT_EQ(a->phone, "+79997776655");
    EXPECT_EQ(a->email, "");
    EXPECT_EQ(a->password_hash, "$argon2id$new");
    EXPECT_EQ(a->password_changed_at, kNow + 2);
    EXPECT_EQ(a->level, Level::standard);
    EXPECT_EQ(a->security_question, "pet");
    EXPECT_TRUE(a->notify_signin);
    EXPECT_EQ(a->lang, "de");
    EXPECT_EQ(a->updated_at, kNow + 2);
    EXPECT_EQ(store.find_by_login({LoginKind::phone, "+79997776655"}), id);
    EXPECT_FALSE(store.find_by_login({LoginKind::phone, "+79161234567"})) << "the old phone is released";
    EXPECT_FALSE(store.find_by_login({LoginKind::email, "anna.smirnova@example.ru"}));
    EXPECT_THROW(db::transact(db(), [&](soci::session& tx) {
                     store.set_contact(tx, other, ContactKind::phone, "+79997776655", kNow);
                 }),
                 ContactTaken);
    const auto row = raw_row("identity_accounts", id);
    EXPECT_EQ(row.at("surname_enc").find("Иванова"), std::string::npos);
    EXPECT_EQ(row.at("phone_enc").find("7776655"), std::string::npos);
}

TEST_P(IdentityStoreTest, TotpStepIsUsedOnce) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    const std::string secret = "12345678901234567890";
    db::transact(db(), [&](soci::session& tx) { store.set_two_factor(tx, id, "totp", secret, kNow); });
    const auto a = store.find(id);
    EXPECT_EQ(a->two_factor, "totp");
    EXPECT_EQ(a->totp_secret, secret);
    EXPECT_EQ(raw_row("identity_accounts", id).at("totp_secret_enc").find(secret), std::string::npos);

    EXPECT_TRUE(store.use_totp_step(id, 60'000'000));
    EXPECT_FALSE(store.use_totp_step(id, 60'000'000)) << "the same code twice";
    EXPECT_FALSE(store.use_totp_step(id, 59'999'999)) << "an older code after a newer one";
    EXPECT_TRUE(store.use_totp_step(id, 60'000'001));
    EXPECT_FALSE(store.use_totp_step(id + 1000, 60'000'002)) << "no such account";

    db::transact(db(), [&](soci::session& tx) { store.set_two_factor(tx, id, "off", "", kNow); });
    EXPECT_EQ(store.find(id)->totp_secret, "");
    EXPECT_EQ(raw_row("identity_accounts", id).at("totp_secret_enc"), "<null>");
}

TEST_P(IdentityStoreTest, ConcurrentUseOfOneTotpStepSucceedsOnce) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    constexpr int kThreads = 4;
    std::latch start(kThreads);
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            if (store.use_totp_step(id, 60'000'000)) ++accepted;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(accepted, 1);
}

TEST_P(IdentityStoreTest, EraseLeavesAPseudonymousTombstone) {
    AccountStore store(db(), protector_);
    const std::int64_t id = create(store, anna());
    db::transact(db(), [&](soci::session& tx) {
        store.set_snils(tx, id, "112-233-445 95", kNow);
        store.set_passport(tx, id, "4508 123456", kNow);
        store.set_security_question(tx, id, "pet", "$argon2id$answer", kNow);
        store.set_two_factor(tx, id, "totp", "12345678901234567890", kNow);
        store.set_notify_signin(tx, id, true, kNow);
    });
    db::transact(db(), [&](soci::session& tx) { store.erase(tx, id, kNow + 10); });

    const auto row = raw_row("identity_accounts", id);
    for (const char* column : {"surname_enc", "name_enc", "phone_enc", "phone_bidx", "email_enc", "email_bidx",
                               "snils_bidx", "passport_bidx", "password_hash", "security_question",
                               "security_answer_hash", "totp_secret_enc"})
        EXPECT_EQ(row.at(column), "<null>") << column;
    EXPECT_EQ(row.at("status"), "deleted");
    EXPECT_EQ(row.at("two_factor"), "off");
    EXPECT_EQ(row.at("notify_signin"), "0");
    EXPECT_EQ(row.at("deleted_at"), std::to_string(kNow + 10));

    const auto a = store.find(id);
    ASSERT_TRUE(a) << "the row stays for the audit log";
    EXPECT_EQ(a->status, AccountStatus::deleted);
    EXPECT_EQ(a->surname, "");
    EXPECT_EQ(a->phone, "");
    EXPECT_FALSE(store.find_by_login({LoginKind::phone, "+79161234567"}));
    EXPECT_FALSE(store.find_by_login({LoginKind::snils, "112-233-445 95"}));
    EXPECT_FALSE(store.find_by_passport("4508 123456"));
    // The contacts are free for a new account.
    EXPECT_NO_THROW(create(store, anna()));
}

// ---- sealed values bound to their row (security review, defect 11) --------------------------

// Someone with write access to the database copies one account's sealed
// phone, name or authenticator secret into another account's row: the value
// no longer opens there, and the store reports it as unreadable instead of
// handing out the other person's data. The account it came from still opens.
TEST_P(IdentityStoreTest, AValueCopiedToAnotherAccountIsUnreadableThere) {
    AccountStore store(db(), protector_);
    const std::int64_t anna_id = create(store, anna());
    const std::int64_t petr_id = create(store, with_phone("+79035550101"));
    db::transact(db(), [&](soci::session& tx) {
        store.set_two_factor(tx, anna_id, "totp", "ANNASSECRETANNASSECRET", kNow);
    });
    for (const std::string column : {"phone_enc", "surname_enc", "totp_secret_enc"}) {
        SCOPED_TRACE(column);
        const auto before = raw_row("identity_accounts", petr_id).at(column);
        {
            const long long from = anna_id, to = petr_id;
            db::Connection c(db());
            *c << "UPDATE identity_accounts SET " + column + " = (SELECT " + column +
                      " FROM identity_accounts WHERE id = :from) WHERE id = :to",
                soci::use(from), soci::use(to);
        }
        try {
            const auto petr = store.find(petr_id);
            ADD_FAILURE() << "opened: phone " << (petr ? petr->phone : "?") << ", surname "
                          << (petr ? petr->surname : "?");
        } catch (const core::UnreadableValue& e) {
            EXPECT_NE(std::string(e.what()).find("identity_accounts." + column), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("row " + std::to_string(petr_id)), std::string::npos) << e.what();
        }
        EXPECT_THROW(store.find_account_by_login({LoginKind::phone, "+79035550101"}), core::UnreadableValue);
        if (column == "surname_enc") {
            EXPECT_THROW(store.find_brief(petr_id), core::UnreadableValue);
        }
        const auto a = store.find(anna_id);
        ASSERT_TRUE(a);
        EXPECT_EQ(a->phone, "+79161234567");
        EXPECT_EQ(a->surname, "Смирнова");
        EXPECT_EQ(a->totp_secret, "ANNASSECRETANNASSECRET");
        // Putting the row's own value back makes it whole again.
        const long long to = petr_id;
        soci::indicator ind = before == "<null>" ? soci::i_null : soci::i_ok;
        db::Connection c(db());
        *c << "UPDATE identity_accounts SET " + column + " = :v WHERE id = :to", soci::use(before, ind), soci::use(to);
        ASSERT_TRUE(store.find(petr_id));
        EXPECT_EQ(store.find(petr_id)->phone, "+79035550101");
    }
}

// Accounts written before values were bound to their row hold "v1." values:
// the re-seal turns each into "v2." for its own row, a second run changes
// nothing, and a value that does not open is left as it is.
TEST_P(IdentityStoreTest, ResealConvertsLegacyValuesOnceAndLeavesUnreadableOnes) {
    AccountStore store(db(), protector_);
    const std::int64_t anna_id = create(store, anna());
    const std::int64_t petr_id = create(store, with_phone("+79035550101"));
    const std::string key(32, '\x42');
    auto put = [&](std::int64_t id, const std::string& column, const std::string& value) {
        const long long row = id;
        db::Connection c(db());
        *c << "UPDATE identity_accounts SET " + column + " = :v WHERE id = :id", soci::use(value), soci::use(row);
    };
    put(anna_id, "surname_enc", test_support::legacy_seal_v1(key, "Смирнова"));
    put(anna_id, "name_enc", test_support::legacy_seal_v1(key, "Анна"));
    put(anna_id, "phone_enc", test_support::legacy_seal_v1(key, "+79161234567"));
    put(anna_id, "email_enc", test_support::legacy_seal_v1(key, "anna.smirnova@example.ru"));
    put(anna_id, "totp_secret_enc", test_support::legacy_seal_v1(key, "ANNASSECRET"));
    put(petr_id, "phone_enc", test_support::legacy_seal_v1(key, "+79035550101"));
    const std::string foreign = test_support::legacy_seal_v1(std::string(32, '\x43'), "Петров");
    put(petr_id, "surname_enc", foreign);
    EXPECT_EQ(store.find(anna_id)->phone, "+79161234567") << "v1 opens during the transition";

    const auto first = store.reseal();
    EXPECT_EQ(first.converted, 6);
    EXPECT_EQ(first.unreadable, 1);
    const auto anna_row = raw_row("identity_accounts", anna_id);
    for (const char* column : {"surname_enc", "name_enc", "phone_enc", "email_enc", "totp_secret_enc"})
        EXPECT_EQ(anna_row.at(column).rfind("v2.", 0), 0u) << column;
    const auto petr_row = raw_row("identity_accounts", petr_id);
    EXPECT_EQ(petr_row.at("phone_enc").rfind("v2.", 0), 0u);
    EXPECT_EQ(petr_row.at("surname_enc"), foreign) << "a value that does not open is never replaced";
    EXPECT_EQ(petr_row.at("name_enc").rfind("v2.", 0), 0u) << "untouched: already v2";

    const auto a = store.find(anna_id);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->surname, "Смирнова");
    EXPECT_EQ(a->name, "Анна");
    EXPECT_EQ(a->phone, "+79161234567");
    EXPECT_EQ(a->email, "anna.smirnova@example.ru");
    EXPECT_EQ(a->totp_secret, "ANNASSECRET");
    EXPECT_EQ(a->updated_at, kNow) << "re-sealing is not a change of the account";

    const auto second = store.reseal();
    EXPECT_EQ(second.converted, 0);
    EXPECT_EQ(second.unreadable, 1);
    EXPECT_EQ(raw_row("identity_accounts", anna_id), anna_row) << "a second run changes nothing";
    EXPECT_EQ(raw_row("identity_accounts", petr_id), petr_row);
}

// Several instances starting at once re-seal the same rows: every value is
// converted exactly once, in batches, and every one opens afterwards.
TEST_P(IdentityStoreTest, ConcurrentResealsConvertEachValueOnce) {
    AccountStore store(db(), protector_);
    const std::string key(32, '\x42');
    constexpr int kAccounts = 45;
    std::vector<std::int64_t> ids;
    for (int i = 0; i < kAccounts; ++i) {
        ids.push_back(create(store, with_phone("+7903555" + std::to_string(1000 + i))));
        const long long row = ids.back();
        const std::string v = test_support::legacy_seal_v1(key, "+7903555" + std::to_string(1000 + i));
        db::Connection c(db());
        *c << "UPDATE identity_accounts SET phone_enc = :v WHERE id = :id", soci::use(v), soci::use(row);
    }
    constexpr int kInstances = 3;
    std::latch start(kInstances);
    std::atomic<int> converted{0};
    std::vector<std::thread> threads;
    std::vector<std::string> errors(kInstances);
    for (int i = 0; i < kInstances; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            try {
                converted += db::reseal_legacy_values(db(), protector_,
                                                      {"identity_accounts", "id", {}, {"phone_enc"},
                                                       [](const std::string& column, std::int64_t id,
                                                          const std::vector<std::string>&) {
                                                           return core::SealContext{"identity_accounts", column, id};
                                                       }},
                                                      /*batch=*/7)
                                 .converted;
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    EXPECT_EQ(converted.load(), kAccounts);
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_accounts WHERE SUBSTR(phone_enc, 1, 3) = 'v1.'"), 0);
    for (int i = 0; i < kAccounts; ++i) EXPECT_EQ(store.find(ids[i])->phone, "+7903555" + std::to_string(1000 + i));
}

// ---- challenges -----------------------------------------------------------------------------

namespace {

Challenge registration(const std::string& session, std::int64_t now = kNow) {
    Challenge c;
    c.purpose = "register";
    c.session_hash = session;
    c.channel = "sms";
    c.destination = "+79161234567";
    c.payload = R"({"surname":"Смирнова","name":"Анна"})";
    c.created_at = now;
    c.expires_at = now + 3600;
    return c;
}

}  // namespace

class ChallengeStoreTest : public IdentityStoreTest {
protected:
    std::int64_t open(ChallengeStore& store, const Challenge& c, const std::string& code = "482913",
                      std::int64_t now = kNow) {
        return db::transact(db(), [&](soci::session& tx) {
            const std::int64_t id = store.create(tx, c);
            if (!code.empty()) store.set_code(tx, id, code, now + 300, now);
            return id;
        });
    }
    void new_code(ChallengeStore& store, std::int64_t id, const std::string& code, std::int64_t now) {
        db::transact(db(), [&](soci::session& tx) { store.set_code(tx, id, code, now + 300, now); });
    }
};

TEST_P(ChallengeStoreTest, CreateAndCurrentOpenSealedFields) {
    ChallengeStore store(db(), protector_);
    const std::int64_t id = open(store, registration("session-a"));
    const auto c = store.current("session-a", "register", kNow);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, id);
    EXPECT_EQ(c->channel, "sms");
    EXPECT_EQ(c->destination, "+79161234567");
    EXPECT_EQ(c->payload, R"({"surname":"Смирнова","name":"Анна"})");
    EXPECT_FALSE(c->account_id);
    EXPECT_EQ(c->sends, 1);
    EXPECT_EQ(c->code_sent_at, kNow);
    EXPECT_EQ(c->code_expires_at, kNow + 300);
    EXPECT_FALSE(c->confirmed_at);

    const auto row = raw_row("identity_challenges", id);
    for (const auto& [column, value] : row) {
        EXPECT_EQ(value.find("1234567"), std::string::npos) << column;
        EXPECT_EQ(value.find("Смирнова"), std::string::npos) << column;
        EXPECT_EQ(value.find("482913"), std::string::npos) << column << ": the code is kept only as a keyed hash";
    }
    EXPECT_EQ(row.at("code_hash"), store.code_hash(id, "482913"));

    EXPECT_FALSE(store.current("session-b", "register", kNow)) << "bound to the session that asked";
    EXPECT_FALSE(store.current("session-a", "signin", kNow));
    EXPECT_FALSE(store.current("session-a", "register", kNow + 3600)) << "past the challenge's deadline";
}

TEST_P(ChallengeStoreTest, ANewChallengeEndsTheSessionsPreviousOne) {
    ChallengeStore store(db(), protector_);
    const std::int64_t first = open(store, registration("session-a"));
    const std::int64_t second = open(store, registration("session-a", kNow + 5), "111111", kNow + 5);
    const auto c = store.current("session-a", "register", kNow + 5);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, second);
    EXPECT_EQ(store.check_code(first, "482913", sms_code_rules(), kNow + 6), CodeCheck::no_code)
        << "the first challenge's code died with it";
}

TEST_P(ChallengeStoreTest, RightCodeConfirmsOnce) {
    ChallengeStore store(db(), protector_);
    const std::int64_t id = open(store, registration("session-a"));
    EXPECT_EQ(store.check_code(id, "482 913", sms_code_rules(), kNow + 10), CodeCheck::ok) << "spaces allowed";
    const auto c = store.current("session-a", "register", kNow + 10);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->confirmed_at, kNow + 10);
    EXPECT_EQ(c->code_failures, 0) << "the try a right code took is given back";
    EXPECT_EQ(c->failures, 0);
    EXPECT_EQ(c->code_hash, "");
    EXPECT_EQ(store.check_code(id, "482913", sms_code_rules(), kNow + 11), CodeCheck::no_code) << "used up";
}

TEST_P(ChallengeStoreTest, ThreeWrongTriesKillTheCode) {
    ChallengeStore store(db(), protector_);
    const CodeRules rules = sms_code_rules();
    ASSERT_EQ(rules.tries_per_code, 3);
    const std::int64_t id = open(store, registration("session-a"));
    EXPECT_EQ(store.check_code(id, "000000", rules, kNow), CodeCheck::wrong);
    EXPECT_EQ(store.check_code(id, "000001", rules, kNow), CodeCheck::wrong);
    EXPECT_EQ(store.check_code(id, "000002", rules, kNow), CodeCheck::wrong);
    EXPECT_EQ(store.check_code(id, "482913", rules, kNow), CodeCheck::no_tries_left)
        << "the fourth try is refused even with the right code";
    const auto c = store.current("session-a", "register", kNow);
    EXPECT_EQ(c->code_failures, 3);
    EXPECT_EQ(c->failures, 3);

    // A new code: its tries start again, the challenge's failures stay.
    new_code(store, id, "135790", kNow + 60);
    const auto after = store.current("session-a", "register", kNow + 60);
    EXPECT_EQ(after->code_failures, 0);
    EXPECT_EQ(after->failures, 3);
    EXPECT_EQ(after->sends, 2);
    EXPECT_EQ(store.check_code(id, "482913", rules, kNow + 60), CodeCheck::wrong) << "the old code died";
    EXPECT_EQ(store.check_code(id, "135790", rules, kNow + 60), CodeCheck::ok);
}

TEST_P(ChallengeStoreTest, MaxFailuresEndTheChallenge) {
    ChallengeStore store(db(), protector_);
    const CodeRules rules = sms_code_rules();
    const std::int64_t id = open(store, registration("session-a"), "100000");
    int wrong = 0;
    std::int64_t t = kNow;
    for (int code = 1; code <= 5; ++code) {
        new_code(store, id, std::to_string(100000 + code), t);
        for (int i = 0; i < rules.tries_per_code; ++i)
            if (store.check_code(id, "999999", rules, t) == CodeCheck::wrong) ++wrong;
        t += 60;
    }
    EXPECT_EQ(wrong, rules.max_failures) << "no more wrong tries than the challenge allows";
    new_code(store, id, "246810", t);
    EXPECT_EQ(store.check_code(id, "246810", rules, t), CodeCheck::no_tries_left)
        << "even a fresh, right code is refused once the challenge is spent";
    EXPECT_EQ(store.current("session-a", "register", t)->failures, rules.max_failures);
}

TEST_P(ChallengeStoreTest, ExpiredCodeIsRefused) {
    ChallengeStore store(db(), protector_);
    const std::int64_t id = open(store, registration("session-a"));
    EXPECT_EQ(store.check_code(id, "482913", sms_code_rules(), kNow + 300), CodeCheck::expired);
    EXPECT_EQ(store.current("session-a", "register", kNow + 300)->failures, 0) << "an expired code costs no try";
    EXPECT_EQ(store.check_code(id, "482913", sms_code_rules(), kNow + 299), CodeCheck::ok);
}

TEST_P(ChallengeStoreTest, NoCodeYetOrUnknownChallenge) {
    ChallengeStore store(db(), protector_);
    const std::int64_t id = open(store, registration("session-a"), "");
    EXPECT_EQ(store.check_code(id, "482913", sms_code_rules(), kNow), CodeCheck::no_code);
    EXPECT_EQ(store.check_code(id + 100, "482913", sms_code_rules(), kNow), CodeCheck::no_code);
}

TEST_P(ChallengeStoreTest, ParallelWrongGuessesNeverExceedTheLimit) {
    ChallengeStore store(db(), protector_);
    const CodeRules rules = sms_code_rules();
    const std::int64_t id = open(store, registration("session-a"), "482913");
    constexpr int kThreads = 6, kGuesses = 5;
    std::latch start(kThreads);
    std::mutex m;
    std::map<CodeCheck, int> results;
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            for (int g = 0; g < kGuesses; ++g) {
                const CodeCheck r = store.check_code(id, std::to_string(100000 + i * 10 + g), rules, kNow);
                std::lock_guard lock(m);
                ++results[r];
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(results[CodeCheck::wrong], rules.tries_per_code);
    EXPECT_EQ(results[CodeCheck::no_tries_left], kThreads * kGuesses - rules.tries_per_code);
    const auto c = store.current("session-a", "register", kNow);
    EXPECT_EQ(c->code_failures, rules.tries_per_code);
    EXPECT_EQ(c->failures, rules.tries_per_code);
}

TEST_P(ChallengeStoreTest, ParallelGuessesAcrossCodesNeverExceedMaxFailures) {
    ChallengeStore store(db(), protector_);
    CodeRules rules = sms_code_rules();
    rules.tries_per_code = 100;  // only the challenge's total limits here
    const std::int64_t id = open(store, registration("session-a"), "482913");
    constexpr int kThreads = 6, kGuesses = 4;
    std::latch start(kThreads);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            for (int g = 0; g < kGuesses; ++g)
                if (store.check_code(id, std::to_string(200000 + i * 10 + g), rules, kNow) == CodeCheck::wrong)
                    ++wrong;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong, rules.max_failures);
    EXPECT_EQ(store.current("session-a", "register", kNow)->failures, rules.max_failures);
}

TEST_P(ChallengeStoreTest, LinksFindTheirChallengeUntilUsed) {
    ChallengeStore store(db(), protector_);
    Challenge c = registration("session-a");
    c.channel = "email";
    c.destination = "anna@example.ru";
    const std::int64_t id = open(store, c, "");
    const std::string hash = core::sha256_hex("link-token-1");
    db::transact(db(), [&](soci::session& tx) { store.set_link(tx, id, hash, kNow + 86400, kNow); });
    const auto found = store.find_by_link(hash, kNow + 10);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, id);
    EXPECT_EQ(found->destination, "anna@example.ru");
    EXPECT_EQ(found->code_expires_at, kNow + 86400);
    EXPECT_EQ(found->sends, 1);
    EXPECT_FALSE(store.find_by_link(core::sha256_hex("link-token-2"), kNow));

    // A new link replaces the old one.
    const std::string hash2 = core::sha256_hex("link-token-2");
    db::transact(db(), [&](soci::session& tx) { store.set_link(tx, id, hash2, kNow + 90000, kNow + 100); });
    EXPECT_FALSE(store.find_by_link(hash, kNow + 100));
    EXPECT_TRUE(store.find_by_link(hash2, kNow + 100));

    // Confirming moves it to the browser that opened the link, and the link dies.
    db::transact(db(), [&](soci::session& tx) { store.confirm(tx, id, "session-b", kNow + 200); });
    EXPECT_FALSE(store.find_by_link(hash2, kNow + 200));
    const auto moved = store.current("session-b", "register", kNow + 200);
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->confirmed_at, kNow + 200);
    EXPECT_FALSE(store.current("session-a", "register", kNow + 200));

    db::transact(db(), [&](soci::session& tx) { store.mark_used(tx, id, kNow + 300); });
    EXPECT_FALSE(store.current("session-b", "register", kNow + 300));
    EXPECT_EQ(raw_row("identity_challenges", id).at("payload_enc"), "<null>") << "the payload goes with use";
}

TEST_P(ChallengeStoreTest, EndForSessionEndsOnlyThatSessionsPurpose) {
    ChallengeStore store(db(), protector_);
    open(store, registration("session-a"));
    Challenge signin = registration("session-a");
    signin.purpose = "signin";
    signin.account_id = 7;
    open(store, signin);
    open(store, registration("session-b"));
    db::transact(db(), [&](soci::session& tx) { store.end_for_session(tx, "session-a", "register", kNow + 1); });
    EXPECT_FALSE(store.current("session-a", "register", kNow + 1));
    const auto s = store.current("session-a", "signin", kNow + 1);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->account_id, 7);
    EXPECT_TRUE(store.current("session-b", "register", kNow + 1));
}

TEST_P(ChallengeStoreTest, PurgeDeletesLongExpiredChallenges) {
    ChallengeStore store(db(), protector_);
    open(store, registration("session-a"));
    EXPECT_EQ(store.purge(kNow + 3600), 0) << "ended only just now: kept a day";
    EXPECT_EQ(store.purge(kNow + 3600 + 24 * 3600), 1);
    EXPECT_EQ(count("SELECT COUNT(*) FROM identity_challenges"), 0);
}

// ---- throttles --------------------------------------------------------------------------------

class ThrottleStoreTest : public IdentityStoreTest {};

TEST_P(ThrottleStoreTest, WaitsGrowWithFailuresAndClear) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    EXPECT_EQ(store.wait("login:x", kNow), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow), 2);
    EXPECT_EQ(store.wait("login:x", kNow), 2);
    EXPECT_EQ(store.wait("login:x", kNow + 1), 1);
    EXPECT_EQ(store.wait("login:x", kNow + 2), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow + 2), 4);
    EXPECT_EQ(store.fail("login:x", p, kNow + 6), 8);
    EXPECT_EQ(store.wait("login:y", kNow + 6), 0) << "keys are independent";

    store.clear("login:x");
    EXPECT_EQ(store.wait("login:x", kNow + 6), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow + 6), 0) << "counting starts again";
}

TEST_P(ThrottleStoreTest, LockAfterTooManyFailures) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    std::int64_t wait = 0;
    for (int i = 0; i < p.lock_after; ++i) wait = store.fail("acct:1", p, kNow + i);
    EXPECT_EQ(wait, p.lock_seconds);
    EXPECT_EQ(store.wait("acct:1", kNow + p.lock_after - 1), p.lock_seconds);
}

TEST_P(ThrottleStoreTest, OldFailuresAreForgotten) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    for (int i = 0; i < 5; ++i) store.fail("login:x", p, kNow);
    EXPECT_EQ(store.wait("login:x", kNow), 8);
    // Long after the last failure (and after its wait) the count starts again.
    EXPECT_EQ(store.fail("login:x", p, kNow + p.forget_after + 1), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow + p.forget_after + 2), 0);
    EXPECT_EQ(store.fail("login:x", p, kNow + p.forget_after + 3), 2);

    // Within the window they still count.
    for (int i = 0; i < 3; ++i) store.fail("login:y", p, kNow);
    EXPECT_EQ(store.fail("login:y", p, kNow + p.forget_after - 1), 4);

    // A lock is not forgotten while it lasts.
    ThrottlePolicy quick = p;
    quick.forget_after = 60;
    for (int i = 0; i < quick.lock_after; ++i) store.fail("login:z", quick, kNow);
    EXPECT_EQ(store.fail("login:z", quick, kNow + 120), quick.lock_seconds)
        << "a failure during the lock must not reset the count";

    EXPECT_EQ(store.purge(kNow + 10), 0);
    EXPECT_GE(store.purge(kNow + 10 * 3600), 3);
    EXPECT_EQ(store.wait("login:x", kNow + 10 * 3600), 0);
}

TEST_P(ThrottleStoreTest, ParallelFailuresAreAllCounted) {
    ThrottleStore store(db());
    ThrottlePolicy p;
    p.free_failures = 1000;
    p.lock_after = 10'000;
    constexpr int kThreads = 4, kEach = 10;
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int j = 0; j < kEach; ++j) store.fail("ip:signin:203.0.113.5", p, kNow);
        });
    for (auto& t : threads) t.join();
    long long failures = 0;
    db::Connection c(db());
    *c << "SELECT failures FROM identity_throttles WHERE key = 'ip:signin:203.0.113.5'", soci::into(failures);
    EXPECT_EQ(failures, kThreads * kEach);
}

// The review's race: many attempts at once, each reserving before it checks.
// Only as many get through as the policy lets fail before its first wait.
TEST_P(ThrottleStoreTest, ParallelReservationsGrantOnlyTheFreeAttempts) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    constexpr int kThreads = 4, kEach = 8;
    std::latch start(kThreads);
    std::atomic<int> granted{0}, refused{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i)
        threads.emplace_back([&] {
            start.arrive_and_wait();
            for (int j = 0; j < kEach; ++j) {
                const auto r = store.reserve({{"login:race", p}}, kNow);
                (r.granted() ? granted : refused)++;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(granted.load(), p.free_failures);
    EXPECT_EQ(refused.load(), kThreads * kEach - p.free_failures);
    EXPECT_GT(store.wait("login:race", kNow), 0);
}

TEST_P(ThrottleStoreTest, AReservationRefusedOnOneKeyCountsOnNone) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    for (int i = 0; i < p.free_failures; ++i) ASSERT_TRUE(store.reserve({{"login:a", p}}, kNow).granted());
    const auto refused = store.reserve({{"ip:signin:203.0.113.9", address_throttle()}, {"login:a", p}}, kNow);
    EXPECT_FALSE(refused.granted());
    EXPECT_EQ(refused.refused_for, wait_after_failures(p, p.free_failures));
    long long address_failures = -1;
    db::Connection c(db());
    *c << "SELECT COUNT(*) FROM identity_throttles WHERE key = 'ip:signin:203.0.113.9' AND failures > 0",
        soci::into(address_failures);
    EXPECT_EQ(address_failures, 0) << "the refused attempt was rolled back on every key";
}

TEST_P(ThrottleStoreTest, RefundGivesBackOneAttemptAndItsWait) {
    ThrottleStore store(db());
    const ThrottlePolicy p = account_throttle();
    for (int i = 0; i < p.free_failures; ++i) ASSERT_TRUE(store.reserve({{"ip:x", p}}, kNow).granted());
    EXPECT_GT(store.wait("ip:x", kNow), 0) << "the third failure makes the next attempt wait";
    store.refund("ip:x", p);
    EXPECT_EQ(store.wait("ip:x", kNow), 0) << "two failures: no wait yet";
    EXPECT_TRUE(store.reserve({{"ip:x", p}}, kNow).granted());
}

// A right secret: the per-login counter goes, the per-address one gets its try
// back, both in one transaction and without reading the counters again.
TEST_P(ThrottleStoreTest, SettleClearsAndRefundsWhatTheReservationTook) {
    ThrottleStore store(db());
    const ThrottlePolicy login = account_throttle(), address = address_throttle();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.reserve({{"ip:s", address}}, kNow).granted());
    const auto r = store.reserve({{"login:s", login}, {"ip:s", address}}, kNow);
    ASSERT_TRUE(r.granted());
    ASSERT_EQ(r.taken.size(), 2u);
    EXPECT_EQ(r.taken[0].failures, 1);
    EXPECT_EQ(r.taken[1].failures, 6);
    store.settle({r.taken[0]}, {r.taken[1]});
    db::Connection c(db());
    long long logins = -1, failures = -1;
    *c << "SELECT COUNT(*) FROM identity_throttles WHERE key = 'login:s'", soci::into(logins);
    *c << "SELECT failures FROM identity_throttles WHERE key = 'ip:s'", soci::into(failures);
    EXPECT_EQ(logins, 0);
    EXPECT_EQ(failures, 5) << "the address keeps the five earlier failures, not this try";
}

// Another attempt counted on the key between the reservation and its end:
// the refund must take back exactly one failure, not restore the old count.
TEST_P(ThrottleStoreTest, SettleAfterAConcurrentAttemptRefundsOnlyItsOwn) {
    ThrottleStore store(db());
    ThrottlePolicy p = address_throttle();
    const auto mine = store.reserve({{"ip:c", p}}, kNow);
    ASSERT_TRUE(mine.granted());
    ASSERT_TRUE(store.reserve({{"ip:c", p}}, kNow).granted());  // someone else's wrong guess
    store.settle({}, mine.taken);
    db::Connection c(db());
    long long failures = -1;
    *c << "SELECT failures FROM identity_throttles WHERE key = 'ip:c'", soci::into(failures);
    EXPECT_EQ(failures, 1) << "the other attempt still counts";
}

// ---- audit -----------------------------------------------------------------------------------

class AuditLogTest : public IdentityStoreTest {
protected:
    static AuditEntry entry(std::int64_t account, std::int64_t at, std::string action, std::string actor = "self") {
        AuditEntry e;
        e.account_id = account;
        e.at = at;
        e.action = std::move(action);
        e.actor_kind = std::move(actor);
        e.ip = "203.0.113.5";
        e.device = "Firefox · Linux";
        return e;
    }
};

TEST_P(AuditLogTest, ListsNewestFirstAndReadsByOthersApart) {
    AuditLog log(db());
    log.record(entry(1, kNow, "registered"));
    log.record(entry(1, kNow + 10, "signin"));
    AuditEntry officer = entry(1, kNow + 20, "data_read", "officer");
    officer.actor_id = "77-001";
    officer.actor_name = "Петрова М. И.";
    officer.organisation = "МФЦ Тверского района";
    officer.fields = "passport,snils";
    officer.reason = "Заявление 17";
    officer.ip.clear();
    log.record(officer);
    log.record(entry(1, kNow + 30, "purge", "system"));
    log.record(entry(1, kNow + 40, "data_read", "site"));
    log.record(entry(2, kNow + 50, "signin"));

    const auto all = log.list(1, false, 10);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[0].at, kNow + 40);
    EXPECT_EQ(all[4].action, "registered");
    for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1].at, all[i].at);
    for (const auto& e : all) EXPECT_EQ(e.account_id, 1) << "never another account's entries";

    const auto others = log.list(1, true, 10);
    ASSERT_EQ(others.size(), 2u);
    EXPECT_EQ(others[0].actor_kind, "site");
    EXPECT_EQ(others[1].actor_kind, "officer");
    EXPECT_EQ(others[1].actor_id, "77-001");
    EXPECT_EQ(others[1].actor_name, "Петрова М. И.");
    EXPECT_EQ(others[1].organisation, "МФЦ Тверского района");
    EXPECT_EQ(others[1].fields, "passport,snils");
    EXPECT_EQ(others[1].reason, "Заявление 17");
    EXPECT_EQ(others[1].ip, "");

    EXPECT_EQ(log.count(1, false), 5);
    EXPECT_EQ(log.count(1, true), 2);
    EXPECT_EQ(log.count(2, false), 1);
    EXPECT_EQ(log.count(3, false), 0);

    const auto own = log.list_own(1, 10);
    ASSERT_EQ(own.size(), 3u) << "the owner's own entries and the system's";
    EXPECT_EQ(own[0].actor_kind, "system");
    EXPECT_EQ(own[1].action, "signin");
    EXPECT_EQ(own[2].action, "registered");
    EXPECT_EQ(log.count_own(1), 3);
    EXPECT_EQ(log.list_own(1, 2, 2).size(), 1u);

    const auto page2 = log.list(1, false, 2, 2);
    ASSERT_EQ(page2.size(), 2u);
    EXPECT_EQ(page2[0].at, kNow + 20);
    EXPECT_EQ(page2[1].at, kNow + 10);
    EXPECT_TRUE(log.list(1, false, 10, 5).empty());
}

TEST_P(AuditLogTest, SameSecondKeepsInsertionOrderNewestFirst) {
    AuditLog log(db());
    for (const char* a : {"first", "second", "third"}) log.record(entry(1, kNow, a));
    const auto all = log.list(1, false, 10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].action, "third");
    EXPECT_EQ(all[2].action, "first");
}

TEST_P(AuditLogTest, RecordInTheCallersTransactionRollsBackWithIt) {
    AuditLog log(db());
    try {
        db::transact(db(), [&](soci::session& tx) {
            log.record(tx, entry(1, kNow, "password_changed"));
            throw std::runtime_error("the change failed");
        });
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(log.count(1, false), 0);
    db::transact(db(), [&](soci::session& tx) { log.record(tx, entry(1, kNow, "password_changed")); });
    EXPECT_EQ(log.count(1, false), 1);
}

TEST_P(AuditLogTest, EraseNetworkDetailsOfOneAccountOnly) {
    AuditLog log(db());
    log.record(entry(1, kNow, "signin"));
    log.record(entry(1, kNow + 1, "signin_failed"));
    log.record(entry(2, kNow + 2, "signin"));
    db::transact(db(), [&](soci::session& tx) { log.erase_network_details(tx, 1); });
    for (const auto& e : log.list(1, false, 10)) {
        EXPECT_EQ(e.ip, "");
        EXPECT_EQ(e.device, "");
        EXPECT_FALSE(e.action.empty()) << "what happened stays";
    }
    EXPECT_EQ(log.count(1, false), 2);
    const auto other = log.list(2, false, 10);
    ASSERT_EQ(other.size(), 1u);
    EXPECT_EQ(other[0].ip, "203.0.113.5");
    EXPECT_EQ(other[0].device, "Firefox · Linux");
}

// ---- challenges sealed in their row (security review, defect 11) ----------------------------

TEST_P(ChallengeStoreTest, APayloadCopiedToAnotherChallengeIsUnreadableThere) {
    ChallengeStore store(db(), protector_);
    const std::int64_t a = open(store, registration("session-a"));
    Challenge other = registration("session-b");
    other.payload = R"({"surname":"Петров","name":"Пётр"})";
    const std::int64_t b = open(store, other);
    {
        const long long from = a, to = b;
        db::Connection c(db());
        *c << "UPDATE identity_challenges SET payload_enc = (SELECT payload_enc FROM identity_challenges WHERE id = "
              ":from) WHERE id = :to",
            soci::use(from), soci::use(to);
    }
    EXPECT_THROW(store.current("session-b", "register", kNow), core::UnreadableValue);
    const auto first = store.current("session-a", "register", kNow);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->payload, R"({"surname":"Смирнова","name":"Анна"})");
}

TEST_P(ChallengeStoreTest, ResealConvertsLegacyChallenges) {
    ChallengeStore store(db(), protector_);
    const std::int64_t id = open(store, registration("session-a"));
    const std::string key(32, '\x42');
    {
        const long long row = id;
        const std::string d = test_support::legacy_seal_v1(key, "+79161234567");
        const std::string p = test_support::legacy_seal_v1(key, R"({"surname":"Смирнова"})");
        db::Connection c(db());
        *c << "UPDATE identity_challenges SET destination_enc = :d, payload_enc = :p WHERE id = :id", soci::use(d),
            soci::use(p), soci::use(row);
    }
    EXPECT_EQ(store.reseal().converted, 2);
    const auto row = raw_row("identity_challenges", id);
    EXPECT_EQ(row.at("destination_enc").rfind("v2.", 0), 0u);
    EXPECT_EQ(row.at("payload_enc").rfind("v2.", 0), 0u);
    const auto c = store.current("session-a", "register", kNow);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->destination, "+79161234567");
    EXPECT_EQ(c->payload, R"({"surname":"Смирнова"})");
    EXPECT_EQ(store.reseal().converted, 0);
    EXPECT_EQ(raw_row("identity_challenges", id), row);
}

USLUGI_STORE_TEST_SUITE(IdentityStoreTest);
USLUGI_STORE_TEST_SUITE(ChallengeStoreTest);
USLUGI_STORE_TEST_SUITE(ThrottleStoreTest);
USLUGI_STORE_TEST_SUITE(AuditLogTest);
