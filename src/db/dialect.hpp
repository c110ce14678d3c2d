#pragma once
// Where SQLite and PostgreSQL differ, code asks here and nowhere else: the
// backend of a session, the few SQL fragments that differ, and what an error
// means. Portable SQL needs none of it.
#include <soci/soci.h>

#include <cstdint>
#include <exception>

namespace uslugi::db {

enum class Backend { sqlite, postgresql };

Backend backend_of(soci::session& s);

// PostgreSQL: a lock held until the transaction ends, so concurrent starters of
// the same one-off work (migrations, a CREATE TABLE IF NOT EXISTS) take turns.
// SQLite: nothing, BEGIN IMMEDIATE already holds the one write lock.
void lock_for_transaction(soci::session& tx, std::int64_t key);

// A UNIQUE index or primary key refused a row: the caller usually lost a race
// and answers "taken". Read from the driver's error code, not its message.
bool is_unique_violation(const std::exception& e);

}  // namespace uslugi::db
