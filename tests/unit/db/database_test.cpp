#include <gtest/gtest.h>

#include "db/migrations.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

#include <chrono>
#include <thread>
#include <vector>

using namespace uslugi;

TEST(DatabaseUrl, ParsesSqliteAndPostgresql) {
    auto s = db::DatabaseUrl::parse("sqlite://var/uslugi.db");
    EXPECT_EQ(s.backend, db::Backend::sqlite);
    EXPECT_EQ(s.path, "var/uslugi.db");
    auto p = db::DatabaseUrl::parse("postgresql://app@127.0.0.1:5432/uslugi");
    EXPECT_EQ(p.backend, db::Backend::postgresql);
    EXPECT_EQ(p.connect, "user='app' dbname='uslugi' host='127.0.0.1' port='5432'");
    auto q = db::DatabaseUrl::parse("postgres://a%40b:p%27w@db.local/x?options=-csearch_path%3Dt1&sslmode=require");
    EXPECT_EQ(q.connect, "user='a@b' password='p\\'w' dbname='x' host='db.local' options='-csearch_path=t1' sslmode='require'");
    auto v6 = db::DatabaseUrl::parse("postgresql://[::1]:5433/db");
    EXPECT_EQ(v6.connect, "dbname='db' host='::1' port='5433'");
}

TEST(DatabaseUrl, RejectsWhatLibpqCannotRead) {
    EXPECT_THROW(db::DatabaseUrl::parse("postgresql://app@h/db?no_such_option=1"), std::invalid_argument);
    EXPECT_THROW(db::DatabaseUrl::parse("postgresql://app@[::1/db"), std::invalid_argument);
    EXPECT_THROW(db::DatabaseUrl::parse("postgresql://app@h/db?options=-c%20a%3Db"), std::invalid_argument)
        << "SOCI would cut the value at the blank";
    try {
        db::DatabaseUrl::parse("postgresql://app@h/db?no_such_option=1");
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
    }
}

TEST(DatabaseUrl, RejectsUnknownSchemesAndEmptyPaths) {
    EXPECT_THROW(db::DatabaseUrl::parse("mysql://x"), std::invalid_argument);
    EXPECT_THROW(db::DatabaseUrl::parse("sqlite://"), std::invalid_argument);
    EXPECT_THROW(db::DatabaseUrl::parse("var/uslugi.db"), std::invalid_argument);
}

TEST(SplitSql, SplitsOnSemicolonsOutsideQuotesAndComments) {
    const auto parts = db::split_sql(
        "CREATE TABLE a (x TEXT DEFAULT 'a;b'); -- comment; here\n"
        "/* block; */ INSERT INTO a VALUES ('c'';d');\n  \n");
    ASSERT_EQ(parts.size(), 2u);
    EXPECT_NE(parts[0].find("'a;b'"), std::string::npos);
    EXPECT_NE(parts[1].find("'c'';d'"), std::string::npos);
    EXPECT_EQ(parts[1].find("block"), std::string::npos);
}

class DatabaseStore : public test_support::StoreTest {};

TEST_P(DatabaseStore, MigrationsAreRecordedAndIdempotent) {
    const auto all = db::load_migrations(test_support::source_dir() + "/migrations", db().backend());
    ASSERT_FALSE(all.empty());
    EXPECT_TRUE(db::apply_migrations(db(), all).empty()) << "a second run must apply nothing";
    db::Connection c(db());
    int count = 0;
    *c << "SELECT COUNT(*) FROM schema_migrations", soci::into(count);
    EXPECT_EQ(count, static_cast<int>(all.size()));
}

TEST_P(DatabaseStore, TransactionCommitsOrRollsBackAsAWhole) {
    {
        db::Connection c(db());
        *c << "CREATE TABLE tx_probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
    }
    db::transact(db(), [](soci::session& s) {
        s << "INSERT INTO tx_probe (id, v) VALUES (1, 'kept')";
    });
    EXPECT_THROW(db::transact(db(), [](soci::session& s) {
                     s << "INSERT INTO tx_probe (id, v) VALUES (2, 'lost')";
                     s << "INSERT INTO tx_probe (id, v) VALUES (1, 'duplicate key')";
                 }),
                 soci::soci_error);
    db::Connection c(db());
    int count = 0;
    *c << "SELECT COUNT(*) FROM tx_probe", soci::into(count);
    EXPECT_EQ(count, 1) << "the failed transaction must leave no row behind";
}

TEST_P(DatabaseStore, PingAndPoolAccounting) {
    EXPECT_TRUE(db().ping());
    EXPECT_EQ(db().in_use(), 0u);
    {
        db::Connection a(db());
        db::Connection b(db());
        EXPECT_EQ(db().in_use(), 2u);
    }
    EXPECT_EQ(db().in_use(), 0u);
}

TEST_P(DatabaseStore, ExhaustedPoolThrowsInsteadOfWaitingForever) {
    db::Database small(url(), 1, std::chrono::milliseconds(50));
    db::Connection held(small);
    EXPECT_THROW(db::Connection second(small), db::PoolExhausted);
}

namespace {
std::vector<int> server_pids(db::Database& pool) {
    db::Connection a(pool);
    db::Connection b(pool);
    int pa = 0, pb = 0;
    *a << "SELECT pg_backend_pid()", soci::into(pa);
    *b << "SELECT pg_backend_pid()", soci::into(pb);
    return {pa, pb};
}

// As a server restart does: the server ends the connections, the clients
// learn of it at their next statement.
void end_server_side(db::Database& admin, const std::vector<int>& pids) {
    db::Connection c(admin);
    for (const int pid : pids) *c << "SELECT pg_terminate_backend(:p)", soci::use(pid);
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 10) {
        int left = 0;
        *c << "SELECT COUNT(*) FROM pg_stat_activity WHERE pid IN (:a, :b)", soci::use(pids[0]), soci::use(pids[1]),
            soci::into(left);
        if (left == 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the server did not end the connections";
}
}  // namespace

TEST_P(DatabaseStore, LostConnectionsAreReopenedAfterOneFailure) {
    if (GetParam() == db::Backend::sqlite) GTEST_SKIP() << "an SQLite connection is an open file: it is not lost";
    db::Database pool(url(), 2);
    const std::vector<int> before = server_pids(pool);
    end_server_side(db(), before);
    EXPECT_THROW(
        {
            db::Connection c(pool);
            *c << "SELECT 1";
        },
        soci::soci_error)
        << "the first statement on a lost connection fails";
    for (int i = 0; i < 4; ++i) {
        db::Connection c(pool);
        int one = 0;
        *c << "SELECT 1", soci::into(one);
        EXPECT_EQ(one, 1) << "lease " << i;
    }
    const std::vector<int> after = server_pids(pool);
    EXPECT_NE(after[0], before[0]);
    EXPECT_NE(after[1], before[1]);
    db::Connection c(pool);
    std::string zone;
    *c << "SHOW TIME ZONE", soci::into(zone);
    EXPECT_EQ(zone, "UTC") << "a reopened connection is set up like a new one";
}

USLUGI_STORE_TEST_SUITE(DatabaseStore);

TEST(ExpandDialect, AutoIncrementKeyPerBackend) {
    const std::string sql = "CREATE TABLE t (id AUTO_ID_PRIMARY_KEY, v TEXT); CREATE TABLE u (id AUTO_ID_PRIMARY_KEY)";
    EXPECT_EQ(db::expand_dialect(sql, db::Backend::sqlite),
              "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT); CREATE TABLE u (id INTEGER PRIMARY KEY AUTOINCREMENT)");
    EXPECT_EQ(db::expand_dialect(sql, db::Backend::postgresql),
              "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT); CREATE TABLE u (id BIGSERIAL PRIMARY KEY)");
}
