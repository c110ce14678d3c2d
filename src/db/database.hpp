#pragma once
// The database behind every module: a SOCI connection pool over SQLite (the
// embedded default, WAL, one writer) or PostgreSQL (production).
#include <soci/connection-pool.h>
#include <soci/soci.h>

#include "db/dialect.hpp"
#include "db/prepared.hpp"
#include "db/statement_counter.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace uslugi::db {

struct DatabaseUrl {
    Backend backend;
    std::string connect;  // what SOCI's backend takes
    std::string path;     // SQLite file (empty for PostgreSQL)

    // "sqlite://var/uslugi.db", "sqlite:///abs/path.db", "postgresql://user@host:port/db".
    static DatabaseUrl parse(const std::string& url);
};

// Thrown when no connection frees up in time: the HTTP layer answers 503.
class PoolExhausted : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Database {
public:
    Database(const std::string& url, std::size_t pool_size,
             std::chrono::milliseconds lease_timeout = std::chrono::seconds(5));
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // For work before any connection is leased (choosing migration files);
    // SQL code asks its session: db::backend_of (db/dialect.hpp).
    Backend backend() const { return url_.backend; }
    std::size_t pool_size() const { return size_; }
    std::size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
    // True when a trivial query answers.
    bool ping();

private:
    friend class Connection;
    void open(soci::session& s);
    void suspect_all();
    void recheck(std::size_t pos);
    using Kept = std::unordered_map<std::type_index, std::unique_ptr<Prepared>>;

    DatabaseUrl url_;
    std::size_t size_;
    std::chrono::milliseconds lease_timeout_;
    std::unique_ptr<soci::connection_pool> pool_;
    std::atomic<std::size_t> in_use_{0};
    // A lost connection (the server restarted) usually means they are all
    // lost: one seen broken moves the epoch on, and each session is checked
    // at its next lease when its own epoch is behind. Each slot is touched
    // only by the one holder of its lease.
    std::atomic<std::uint64_t> epoch_{0};
    std::vector<std::uint64_t> checked_epoch_;
    // Each slot's kept statements (db/prepared.hpp), touched like checked_epoch_.
    // Declared after pool_: they go before the sessions they were prepared on.
    std::vector<Kept> kept_;
};

// A pooled connection leased for one scope.
class Connection {
public:
    explicit Connection(Database& db);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    soci::session& operator*() { return *session_; }
    soci::session* operator->() { return session_; }
    Database& database() { return db_; }
    Backend backend() const { return db_.backend(); }

    // This connection's kept statement T (db/prepared.hpp), prepared on first use.
    template <class T>
    T& prepared() {
        auto& slot = db_.kept_[pos_][std::type_index(typeid(T))];
        if (!slot) {
            NotCounted preparing;
            slot = std::make_unique<T>(*session_);
        }
        return static_cast<T&>(*slot);
    }

private:
    void release();

    Database& db_;
    std::size_t pos_;
    soci::session* session_;
    int exceptions_;  // in flight when leased: more at the end means a statement failed
};

}  // namespace uslugi::db
