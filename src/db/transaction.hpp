#pragma once
// One helper for every write: begin, run, commit; roll back on any exception.
// SQLite takes the write lock at BEGIN (IMMEDIATE) so two writers never
// deadlock upgrading a read lock; PostgreSQL runs READ COMMITTED by default.
#include "db/database.hpp"

#include <type_traits>

namespace uslugi::db {

class Transaction {
public:
    enum class Mode { write, read_only_snapshot };
    // A read-only snapshot sees one consistent state of the database without
    // taking SQLite's write lock.
    explicit Transaction(Connection& c, Mode mode = Mode::write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& c_;
    bool done_ = false;
};

template <class F>
auto transact(Database& db, F&& body) {
    Connection c(db);
    Transaction tx(c);
    if constexpr (std::is_void_v<std::invoke_result_t<F, soci::session&>>) {
        body(*c);
        tx.commit();
    } else {
        auto result = body(*c);
        tx.commit();
        return result;
    }
}

}  // namespace uslugi::db
