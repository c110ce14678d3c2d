#pragma once
// Numbered migrations in migrations/: NNNN_module_what.sql (portable), or a
// pair NNNN_module_what.sqlite.sql / .postgresql.sql where dialects differ.
// The commonest difference needs no pair: AUTO_ID_PRIMARY_KEY becomes
// INTEGER PRIMARY KEY AUTOINCREMENT (SQLite) or BIGSERIAL PRIMARY KEY (PostgreSQL).
// Each is applied in its own transaction and recorded in schema_migrations.
#include "db/database.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace uslugi::db {

struct Migration {
    int version;
    std::string name;
    std::string sql;
};

std::vector<Migration> load_migrations(const std::string& dir, Backend backend);
std::string expand_dialect(std::string sql, Backend backend);
// Applies what is missing; safe when several processes start at once.
// Returns the names of the migrations applied now.
std::vector<std::string> apply_migrations(Database& db, const std::vector<Migration>& all);
// Splits a script into statements at semicolons outside quotes and comments.
std::vector<std::string> split_sql(std::string_view script);

}  // namespace uslugi::db
