#include "db/transaction.hpp"

#include "core/log.hpp"

namespace uslugi::db {

Transaction::Transaction(Connection& c, Mode mode) : c_(c) {
    if (backend_of(*c_) == Backend::sqlite)
        *c_ << (mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN");
    else
        *c_ << (mode == Mode::write ? "BEGIN" : "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

Transaction::~Transaction() {
    if (done_) return;
    try {
        *c_ << "ROLLBACK";
    } catch (const std::exception& e) {
        core::app_log().error("rollback failed: {}", e.what());
    }
}

void Transaction::commit() {
    *c_ << "COMMIT";
    done_ = true;
}

}  // namespace uslugi::db
