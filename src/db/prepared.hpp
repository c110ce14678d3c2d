#pragma once
// Statements a hot path runs on nearly every request (the session lookup, the
// signed-in account's brief), prepared once per pooled connection and kept
// with it. A one-off statement costs PostgreSQL a parse, an analysis and a
// plan each time: for a primary-key read that was about 40 % of the backend's
// time under browser traffic (docs/benchmarks.md); a kept one is planned once
// and then only executed. SQLite skips its compile the same way.
//
// A kept statement is a struct deriving from Prepared that holds its bound
// values and, declared after them, its soci::statement bound to them:
//
//     struct Lookup : db::Prepared {
//         std::string key, value;
//         soci::statement st;
//         explicit Lookup(soci::session& s)
//             : st((s.prepare << "SELECT v FROM t WHERE k = :k", soci::use(key), soci::into(value))) {}
//     };
//     db::Connection c(db);
//     auto& q = c.prepared<Lookup>();
//     q.key = k;
//     if (db::run_prepared(c, q.st)) use(q.value);
//
// The connection drops its kept statements when a statement on it fails or
// when it is reopened, so a statement never outlives the server session it
// was prepared on.
#include <soci/soci.h>

namespace uslugi::db {

class Connection;

struct Prepared {
    Prepared() = default;
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;
    virtual ~Prepared() = default;
};

// Executes a kept statement with the values bound now and fetches its first
// row into the bound variables; true when there was one. On SQLite the
// statement is reset at once, so that it does not hold a read snapshot (and
// with it the WAL) open between requests.
bool run_prepared(Connection& c, soci::statement& st);

}  // namespace uslugi::db
