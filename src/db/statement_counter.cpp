#include "db/statement_counter.hpp"

#include <soci/logger.h>

namespace uslugi::db {

namespace {

thread_local std::uint64_t statements = 0;

// SOCI calls start_query once per statement prepared on the session, on the
// thread that runs it: a request's statements all land on its own thread.
class Counter : public soci::logger_impl {
public:
    void start_query(const std::string& query) override {
        ++statements;
        last_ = query;
    }
    std::string get_last_query() const override { return last_; }

private:
    logger_impl* do_clone() const override { return new Counter; }
    std::string last_;
};

}  // namespace

void count_statements(soci::session& s) { s.set_logger(new Counter); }

std::uint64_t statements_on_this_thread() { return statements; }

void count_execution() { ++statements; }

NotCounted::~NotCounted() { statements = at_; }

}  // namespace uslugi::db
