#pragma once
// The database behind every module: a SOCI connection pool over SQLite (the
// embedded default, WAL, one writer) or PostgreSQL (production).
#include <soci/connection-pool.h>
#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

namespace uslugi::db {

enum class Backend { sqlite, postgresql };

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

    Backend backend() const { return url_.backend; }
    bool is_sqlite() const { return url_.backend == Backend::sqlite; }
    std::size_t pool_size() const { return size_; }
    std::size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
    // True when a trivial query answers.
    bool ping();

private:
    friend class Connection;
    DatabaseUrl url_;
    std::size_t size_;
    std::chrono::milliseconds lease_timeout_;
    std::unique_ptr<soci::connection_pool> pool_;
    std::atomic<std::size_t> in_use_{0};
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

private:
    Database& db_;
    std::size_t pos_;
    soci::session* session_;
};

}  // namespace uslugi::db
