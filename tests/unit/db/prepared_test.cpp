#include <gtest/gtest.h>

#include "db/prepared.hpp"
#include "db/statement_counter.hpp"
#include "store_fixture.hpp"

#include <chrono>
#include <optional>
#include <thread>

using namespace uslugi;

namespace {

int preparations = 0;

struct NoteLookup : db::Prepared {
    long long key = 0;
    std::string text;
    int n = 0;
    soci::indicator text_ind = soci::i_null;
    soci::statement st;
    explicit NoteLookup(soci::session& s)
        : st((s.prepare << "SELECT text, n FROM prepared_notes WHERE id = :id", soci::use(key),
              soci::into(text, text_ind), soci::into(n))) {
        ++preparations;
    }
};

struct Note {
    std::optional<std::string> text;
    int n = 0;
};

std::optional<Note> find_note(db::Database& db, long long id) {
    db::Connection c(db);
    auto& q = c.prepared<NoteLookup>();
    q.key = id;
    if (!db::run_prepared(c, q.st)) return std::nullopt;
    Note note;
    if (q.text_ind == soci::i_ok) note.text = q.text;
    note.n = q.n;
    return note;
}

class PreparedStore : public test_support::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        if (IsSkipped()) return;
        db::Connection c(db());
        *c << "CREATE TABLE prepared_notes (id BIGINT PRIMARY KEY, text TEXT, n INTEGER NOT NULL)";
        *c << "INSERT INTO prepared_notes (id, text, n) VALUES (1, 'first', 10), (2, NULL, 20), (3, 'third', 30)";
        preparations = 0;
    }
};

}  // namespace

TEST_P(PreparedStore, EachRunAnswersWithItsOwnRowAndNullsDoNotLeakFromTheLastOne) {
    db::Database pool(url(), 2);
    for (int round = 0; round < 3; ++round) {
        const auto first = find_note(pool, 1);
        ASSERT_TRUE(first);
        EXPECT_EQ(first->text, "first");
        EXPECT_EQ(first->n, 10);
        const auto second = find_note(pool, 2);
        ASSERT_TRUE(second);
        EXPECT_FALSE(second->text) << "a NULL after a value must read as NULL, round " << round;
        EXPECT_EQ(second->n, 20);
        EXPECT_FALSE(find_note(pool, 99)) << "no row: nothing, not the last row again";
        EXPECT_EQ(find_note(pool, 3)->text, "third");
    }
    EXPECT_LE(preparations, 2) << "prepared once per connection of the pool, not once per run";
}

TEST_P(PreparedStore, PostgresqlKeepsOnePreparedStatementPerConnection) {
    if (GetParam() == db::Backend::sqlite) GTEST_SKIP() << "SQLite has no server-side list of prepared statements";
    db::Database pool(url(), 1);
    for (long long id = 1; id <= 20; ++id) find_note(pool, 1 + id % 3);
    db::Connection c(pool);
    int kept = -1;
    *c << "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE '%prepared_notes%'", soci::into(kept);
    EXPECT_EQ(kept, 1) << "20 runs, one preparation on the server";
}

TEST_P(PreparedStore, CountsOneStatementPerRunIncludingTheFirst) {
    db::Database pool(url(), 1);
    const auto before = db::statements_on_this_thread();
    find_note(pool, 1);
    EXPECT_EQ(db::statements_on_this_thread() - before, 1u) << "the preparation is not a request's statement";
    find_note(pool, 2);
    EXPECT_EQ(db::statements_on_this_thread() - before, 2u);
}

TEST_P(PreparedStore, AFailedStatementMakesTheConnectionPrepareAfresh) {
    db::Database pool(url(), 1);
    ASSERT_TRUE(find_note(pool, 1));
    ASSERT_EQ(preparations, 1);
    EXPECT_THROW(
        {
            db::Connection c(pool);
            c.prepared<NoteLookup>();
            *c << "SELECT no_such_column FROM prepared_notes";
        },
        soci::soci_error);
    const auto again = find_note(pool, 3);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->text, "third");
    EXPECT_EQ(preparations, 2) << "the kept statement went with the failure";
}

TEST_P(PreparedStore, SqliteLookupHoldsNoReadSnapshotBetweenRequests) {
    if (GetParam() == db::Backend::postgresql) GTEST_SKIP() << "about SQLite's write-ahead log";
    db::Database pool(url(), 2);
    ASSERT_TRUE(find_note(pool, 1));  // leaves its statement on one connection of the pool
    db::Connection a(pool), b(pool);
    *a << "UPDATE prepared_notes SET n = n + 1 WHERE id = 1";
    int busy = -1, log = -1, done = -1;
    // A reader still inside a snapshot would stop the checkpoint from
    // truncating the log (busy = 1).
    *b << "PRAGMA wal_checkpoint(TRUNCATE)", soci::into(busy), soci::into(log), soci::into(done);
    EXPECT_EQ(busy, 0);
    EXPECT_EQ(log, 0) << "the log was truncated";
}

TEST_P(PreparedStore, ALostPostgresqlConnectionIsPreparedAgainAfterReopening) {
    if (GetParam() == db::Backend::sqlite) GTEST_SKIP() << "an SQLite connection is an open file: it is not lost";
    db::Database pool(url(), 1);
    ASSERT_TRUE(find_note(pool, 1));
    int pid = 0;
    {
        db::Connection c(pool);
        *c << "SELECT pg_backend_pid()", soci::into(pid);
    }
    {
        db::Connection admin(db());
        *admin << "SELECT pg_terminate_backend(:p)", soci::use(pid);
        int left = 1;
        for (int waited_ms = 0; left != 0 && waited_ms < 10000; waited_ms += 10) {
            *admin << "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = :p", soci::use(pid), soci::into(left);
            if (left != 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ASSERT_EQ(left, 0) << "the server did not end the connection";
    }
    EXPECT_THROW(find_note(pool, 1), soci::soci_error) << "the first run on a lost connection fails";
    const auto again = find_note(pool, 1);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->text, "first");
    EXPECT_EQ(preparations, 2);
}

USLUGI_STORE_TEST_SUITE(PreparedStore);
