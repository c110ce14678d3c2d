#include "db/prepared.hpp"

#include "db/database.hpp"
#include "db/statement_counter.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace uslugi::db {

bool run_prepared(Connection& c, soci::statement& st) {
    count_execution();
    const bool row = st.execute(true) && st.got_data();
    if (c.backend() == Backend::sqlite) {
        auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
        sqlite_api::sqlite3_reset(backend->stmt_);
    }
    return row;
}

}  // namespace uslugi::db
