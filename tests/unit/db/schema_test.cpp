#include <gtest/gtest.h>

#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

#include <filesystem>
#include <string>
#include <vector>

using namespace uslugi;

namespace {

// Every purge and scan of a whole table's worth of rows is served by an
// index: asked of SQLite's planner, with the statement as the store runs it
// (literal values in place of the placeholders). PostgreSQL's planner picks
// among indexes of empty, unanalysed tables by chance, so there the index
// is only checked to exist on that table.
class IndexStore : public test_support::StoreTest {
protected:
    std::string plan(const std::string& sql) {
        db::Connection c(db());
        std::string out;
        if (db::backend_of(*c) == db::Backend::sqlite) {
            soci::rowset<soci::row> rows = (c->prepare << "EXPLAIN QUERY PLAN " + sql);
            for (const auto& r : rows) out += r.get<std::string>(3) + "\n";
        } else {
            soci::rowset<soci::row> rows =
                (c->prepare << "SELECT indexname, tablename FROM pg_indexes WHERE schemaname = current_schema()");
            for (const auto& r : rows)
                if (sql.find(" " + r.get<std::string>(1) + " ") != std::string::npos) out += r.get<std::string>(0) + "\n";
        }
        return out;
    }
};

struct Case {
    const char* sql;
    const char* index;
};

TEST_P(IndexStore, PurgesAndScansUseAnIndex) {
    const std::vector<Case> cases = {
        {"DELETE FROM http_sessions WHERE ends_at <= 100", "http_sessions_ends_at"},
        {"DELETE FROM http_rate_limits WHERE window_start < 100", "http_rate_limits_window"},
        {"DELETE FROM identity_challenges WHERE expires_at <= 100", "identity_challenges_expires"},
        {"DELETE FROM identity_throttles WHERE last_failure_at < 100 AND blocked_until < 100",
         "identity_throttles_last_failure"},
        {"DELETE FROM jobs WHERE state = 'done' AND finished_at < 100", "jobs_state_finished_at"},
        {"SELECT id FROM jobs WHERE state = 'running' AND lease_until <= 100 AND attempts >= max_attempts",
         "jobs_state_lease_until"},
        {"SELECT id FROM jobs WHERE state = 'queued' AND run_at <= 100 ORDER BY run_at, id LIMIT 10",
         "jobs_state_run_at"},
        {"SELECT id FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC, id DESC LIMIT 10",
         "jobs_state_updated_at"},
    };
    for (const Case& c : cases) {
        const std::string p = plan(c.sql);
        EXPECT_NE(p.find(c.index), std::string::npos) << c.sql << "\n" << p;
    }
}

USLUGI_STORE_TEST_SUITE(IndexStore);

class ForeignKeyStore : public test_support::StoreTest {};
USLUGI_STORE_TEST_SUITE(ForeignKeyStore);

TEST_P(ForeignKeyStore, AVerificationEventNeedsItsVerification) {
    db::Connection c(db());
    EXPECT_THROW(*c << "INSERT INTO identity_verification_events (verification_id, at, actor, subject, from_state, "
                       "to_state) VALUES (999, 1, 'system', 'overall', 'a', 'b')",
                 soci::soci_error);
    long long id = 0;
    *c << "INSERT INTO identity_verifications (account_id, profile_version, created_at, updated_at) "
          "VALUES (7, 1, 1, 1) RETURNING id",
        soci::into(id);
    auto add_event = [&] {
        *c << "INSERT INTO identity_verification_events (verification_id, at, actor, subject, from_state, to_state) "
              "VALUES (:v, 1, 'system', 'overall', 'a', 'b')",
            soci::use(id);
    };
    EXPECT_NO_THROW(add_event());
    auto drop_verification = [&] { *c << "DELETE FROM identity_verifications WHERE id = :v", soci::use(id); };
    EXPECT_THROW(drop_verification(), soci::soci_error) << "its events go first";
}

// The key arrives in migration 0203, on databases that already hold events.
TEST(ForeignKeyMigration, KeepsTheEventsOfAnOlderSqliteDatabase) {
    const auto dir = std::filesystem::temp_directory_path() / ("uslugi-fk-" + core::to_hex(core::random_bytes(6)));
    std::filesystem::create_directories(dir);
    {
        db::Database old_db("sqlite://" + (dir / "t.db").string(), 1);
        const auto all = db::load_migrations(test_support::source_dir() + "/migrations", db::Backend::sqlite);
        std::vector<db::Migration> before, rest;
        for (const auto& m : all) (m.version < 203 ? before : rest).push_back(m);
        db::apply_migrations(old_db, before);
        {
            db::Connection c(old_db);
            *c << "INSERT INTO identity_verifications (id, account_id, profile_version, created_at, updated_at) "
                  "VALUES (5, 7, 1, 1, 1)";
            *c << "INSERT INTO identity_verification_events (id, verification_id, at, actor, subject, from_state, "
                  "to_state) VALUES (40, 5, 1, 'system', 'overall', 'not_sent', 'checking')";
        }
        db::apply_migrations(old_db, rest);
        db::Connection c(old_db);
        long long verification = 0;
        *c << "SELECT verification_id FROM identity_verification_events WHERE id = 40", soci::into(verification);
        EXPECT_EQ(verification, 5);
        long long next = 0;
        *c << "INSERT INTO identity_verification_events (verification_id, at, actor, subject, from_state, to_state) "
              "VALUES (5, 2, 'system', 'overall', 'checking', 'passed') RETURNING id",
            soci::into(next);
        EXPECT_GT(next, 40) << "ids go on after the kept ones";
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
