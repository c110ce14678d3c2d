#include <gtest/gtest.h>

#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

#include <stdexcept>

using namespace uslugi;

namespace {

class DialectStore : public test_support::StoreTest {
protected:
    void make_probe_table() {
        db::Connection c(db());
        *c << db::expand_dialect(
            "CREATE TABLE dialect_probe (id AUTO_ID_PRIMARY_KEY, k TEXT NOT NULL UNIQUE, "
            "n INTEGER NOT NULL CHECK (n >= 0))",
            db().backend());
    }

    // The error the database raises for `sql`, or a failed test when none.
    std::string error_kind(const std::string& sql) {
        db::Connection c(db());
        try {
            *c << sql;
        } catch (const soci::soci_error& e) {
            return db::is_unique_violation(e) ? "unique" : "other";
        }
        return "none";
    }

    long long insert_returning(const std::string& k) {
        long long id = 0;
        db::transact(db(), [&](soci::session& s) {
            s << "INSERT INTO dialect_probe (k, n) VALUES (:k, 1) RETURNING id", soci::use(k), soci::into(id);
        });
        return id;
    }
};

TEST_P(DialectStore, BackendOfASessionIsTheDatabases) {
    db::Connection c(db());
    EXPECT_EQ(db::backend_of(*c), GetParam());
}

TEST_P(DialectStore, UniqueViolationIsToldFromOtherConstraints) {
    make_probe_table();
    EXPECT_EQ(error_kind("INSERT INTO dialect_probe (k, n) VALUES ('a', 1)"), "none");
    EXPECT_EQ(error_kind("INSERT INTO dialect_probe (k, n) VALUES ('a', 2)"), "unique");
    EXPECT_EQ(error_kind("INSERT INTO dialect_probe (id, k, n) VALUES (1, 'b', 2)"), "unique") << "primary key";
    EXPECT_EQ(error_kind("INSERT INTO dialect_probe (k, n) VALUES ('c', NULL)"), "other") << "not null";
    EXPECT_EQ(error_kind("INSERT INTO dialect_probe (k, n) VALUES ('d', -1)"), "other") << "check";
    EXPECT_EQ(error_kind("INSERT INTO no_such_table (k) VALUES ('e')"), "other");
}

TEST_P(DialectStore, AMessageThatSaysUniqueIsNotAViolation) {
    EXPECT_FALSE(db::is_unique_violation(std::runtime_error("UNIQUE constraint failed: 23505")));
}

TEST_P(DialectStore, InsertReturningGivesTheNewRowsId) {
    make_probe_table();
    const long long first = insert_returning("x");
    const long long second = insert_returning("y");
    EXPECT_GT(first, 0);
    EXPECT_NE(first, second);
    db::Connection c(db());
    std::string k;
    *c << "SELECT k FROM dialect_probe WHERE id = :id", soci::use(second), soci::into(k);
    EXPECT_EQ(k, "y") << "the returned id is the row just inserted, and it was committed";
}

TEST_P(DialectStore, ReturningInsideALargerTransactionKeepsWorking) {
    make_probe_table();
    long long id = 0;
    int count = 0;
    db::transact(db(), [&](soci::session& s) {
        s << "INSERT INTO dialect_probe (k, n) VALUES ('p', 1) RETURNING id", soci::into(id);
        s << "UPDATE dialect_probe SET n = 5 WHERE id = :id", soci::use(id);
        s << "SELECT COUNT(*) FROM dialect_probe WHERE n = 5", soci::into(count);
    });
    EXPECT_EQ(count, 1);
}

TEST_P(DialectStore, LockForTransactionRunsOnBoth) {
    EXPECT_NO_THROW(db::transact(db(), [](soci::session& s) { db::lock_for_transaction(s, 42); }));
}

USLUGI_STORE_TEST_SUITE(DialectStore);

}  // namespace
