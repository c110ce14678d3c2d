#pragma once
// The re-seal of sealed values written before they were bound to where they
// live (core::SealContext): "v1." values become "v2." ones. SQL migrations
// cannot do it (they do not have the data key), so `uslugi migrate` and
// `uslugi serve` run it after them. Each module describes its own tables
// (a module owns its tables); this is only the batch loop they share.
#include "core/crypto.hpp"
#include "db/database.hpp"

#include <functional>
#include <string>
#include <vector>

namespace uslugi::db {

struct SealedTable {
    std::string table;
    std::string id_column;                    // integer, unique: pages through the table
    std::vector<std::string> key_columns;     // what `context` needs besides the id, read as text
    std::vector<std::string> sealed_columns;
    // Where `column` of a row lives, from its id and key columns (in order).
    std::function<core::SealContext(const std::string& column, std::int64_t id, const std::vector<std::string>& keys)>
        context;
};

struct ResealResult {
    int converted = 0;   // values now "v2."
    int unreadable = 0;  // "v1." values that do not open (another data key, altered): left as they are
};

// Converts every "v1." value of the table's sealed columns, `batch` rows per
// transaction. Idempotent and safe to interrupt and rerun; several instances
// may run it at once: each value is replaced only if it is still the "v1."
// value that was read (compare-and-set), so a newer value is never
// overwritten and nothing is converted twice.
ResealResult reseal_legacy_values(Database& db, const core::DataProtector& protector, const SealedTable& table,
                                  int batch = 200);

}  // namespace uslugi::db
