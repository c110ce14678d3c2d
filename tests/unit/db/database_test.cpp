#include <gtest/gtest.h>

#include "db/migrations.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

TEST(DatabaseUrl, ParsesSqliteAndPostgresql) {
    auto s = db::DatabaseUrl::parse("sqlite://var/uslugi.db");
    EXPECT_EQ(s.backend, db::Backend::sqlite);
    EXPECT_EQ(s.path, "var/uslugi.db");
    auto p = db::DatabaseUrl::parse("postgresql://app@127.0.0.1:5432/uslugi");
    EXPECT_EQ(p.backend, db::Backend::postgresql);
    EXPECT_EQ(p.connect, "user='app' host='127.0.0.1' port='5432' dbname='uslugi'");
    auto q = db::DatabaseUrl::parse("postgres://a%40b:p%27w@db.local/x?options=-csearch_path%3Dt1&sslmode=require");
    EXPECT_EQ(q.connect, "user='a@b' password='p\\'w' host='db.local' dbname='x' options='-csearch_path=t1' sslmode='require'");
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

USLUGI_STORE_TEST_SUITE(DatabaseStore);

TEST(ExpandDialect, AutoIncrementKeyPerBackend) {
    const std::string sql = "CREATE TABLE t (id AUTO_ID_PRIMARY_KEY, v TEXT); CREATE TABLE u (id AUTO_ID_PRIMARY_KEY)";
    EXPECT_EQ(db::expand_dialect(sql, db::Backend::sqlite),
              "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT); CREATE TABLE u (id INTEGER PRIMARY KEY AUTOINCREMENT)");
    EXPECT_EQ(db::expand_dialect(sql, db::Backend::postgresql),
              "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, v TEXT); CREATE TABLE u (id BIGSERIAL PRIMARY KEY)");
}
