#include "db/dialect.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace uslugi::db {

Backend backend_of(soci::session& s) {
    return s.get_backend_name() == "postgresql" ? Backend::postgresql : Backend::sqlite;
}

void lock_for_transaction(soci::session& tx, std::int64_t key) {
    if (backend_of(tx) != Backend::postgresql) return;
    const long long k = key;
    tx << "SELECT pg_advisory_xact_lock(:k)", soci::use(k);
}

bool is_unique_violation(const std::exception& e) {
    if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e))
        return pg->sqlstate() == "23505";
    // Extended result codes are switched on for every SQLite connection
    // (db/database.cpp), so a UNIQUE or PRIMARY KEY refusal is told apart
    // from NOT NULL, CHECK and FOREIGN KEY ones.
    if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
        const int code = lite->result();
        return code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY;
    }
    return false;
}

}  // namespace uslugi::db
