#include "db/transaction.hpp"

#include "core/log.hpp"

namespace uslugi::db {

Transaction::Transaction(Connection& c) : c_(c) {
    *c_ << (c_.database().is_sqlite() ? "BEGIN IMMEDIATE" : "BEGIN");
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
