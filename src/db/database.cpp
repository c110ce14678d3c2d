#include "db/database.hpp"
#include "db/statement_counter.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <exception>
#include <filesystem>

namespace uslugi::db {

namespace {

std::string quote_keyword_value(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\\' || c == '\'') out.push_back('\\');
        out.push_back(c);
    }
    return out + "'";
}

std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parse_with_libpq(const std::string& url) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &error),
                                                                          &PQconninfoFree);
    if (options) return options;
    std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw std::invalid_argument("bad PostgreSQL URL '" + url + "' (use postgresql://user@host:port/db): " + why);
}

// libpq reads the URL (PQconninfoParse: percent-decoding, IPv6 hosts, query
// parameters) exactly as it would connecting. The result goes out as
// keywords because SOCI 4.0's PostgreSQL factory re-splits its connect
// string on blanks and '=' (to take out its own "singlerow" option), which
// garbles a URI and any value with a blank in it.
std::string libpq_keywords(const std::string& url) {
    const auto options = parse_with_libpq(url);
    std::string out;
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        const std::string value = o->val;
        if (value.find_first_of(" \t\r\n") != std::string::npos)
            throw std::invalid_argument(std::string("PostgreSQL URL parameter '") + o->keyword +
                                        "' must not contain blanks (SOCI's connect string cannot carry them)");
        if (!out.empty()) out += ' ';
        out += std::string(o->keyword) + "=" + quote_keyword_value(value);
    }
    return out;
}

}  // namespace

DatabaseUrl DatabaseUrl::parse(const std::string& url) {
    auto starts = [&](std::string_view p) { return url.rfind(p, 0) == 0; };
    if (starts("sqlite://")) {
        std::string path = url.substr(9);
        if (path.empty()) throw std::invalid_argument("sqlite URL has no file path: " + url);
        if (path.find_first_of(" '\"") != std::string::npos)
            throw std::invalid_argument("sqlite path must not contain spaces or quotes: " + path);
        return {Backend::sqlite, "db=" + path + " timeout=10", path};
    }
    if (starts("postgresql://") || starts("postgres://")) return {Backend::postgresql, libpq_keywords(url), ""};
    throw std::invalid_argument("unsupported database URL '" + url +
                                "' (use sqlite://PATH or postgresql://user@host:port/db)");
}

namespace {
void prepare_sqlite(soci::session& s) {
    // WAL lets readers run beside the one writer; the busy timeout makes a
    // writer wait for the lock instead of failing at once.
    s << "PRAGMA journal_mode=WAL";
    s << "PRAGMA busy_timeout=10000";
    s << "PRAGMA synchronous=NORMAL";
    s << "PRAGMA foreign_keys=ON";
    // db::is_unique_violation tells a UNIQUE refusal from other constraints.
    auto* backend = static_cast<soci::sqlite3_session_backend*>(s.get_backend());
    sqlite_api::sqlite3_extended_result_codes(backend->conn_, 1);
}

// Only a PostgreSQL connection can be lost; libpq notes it after a failed
// statement, and asking costs no round trip.
bool seen_lost(Backend kind, soci::session& s) {
    if (kind != Backend::postgresql) return false;
    auto* backend = static_cast<soci::postgresql_session_backend*>(s.get_backend());
    return backend == nullptr || PQstatus(backend->conn_) == CONNECTION_BAD;
}
}  // namespace

Database::Database(const std::string& url, std::size_t pool_size,
                   std::chrono::milliseconds lease_timeout)
    : url_(DatabaseUrl::parse(url)), size_(pool_size), lease_timeout_(lease_timeout),
      pool_(std::make_unique<soci::connection_pool>(pool_size)), checked_epoch_(pool_size, 0),
      kept_(pool_size) {
    if (url_.backend == Backend::sqlite) {
        const auto parent = std::filesystem::path(url_.path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
    }
    for (std::size_t i = 0; i < size_; ++i) open(pool_->at(i));
}

Database::~Database() = default;

void Database::open(soci::session& s) {
    count_statements(s);
    if (url_.backend == Backend::sqlite) {
        s.open(*soci::factory_sqlite3(), url_.connect);
        prepare_sqlite(s);
    } else {
        s.open(*soci::factory_postgresql(), url_.connect);
        s << "SET TIME ZONE 'UTC'";
    }
}

void Database::suspect_all() { epoch_.fetch_add(1, std::memory_order_relaxed); }

// is_connected() pings the server, so it runs only after some connection was
// seen lost; a session that fails to reopen stays behind and is tried again
// at its next lease.
void Database::recheck(std::size_t pos) {
    const std::uint64_t epoch = epoch_.load(std::memory_order_relaxed);
    if (checked_epoch_[pos] == epoch) return;
    soci::session& s = pool_->at(pos);
    if (!s.is_connected()) {
        kept_[pos].clear();
        s.close();
        try {
            open(s);
        } catch (...) {
            s.close();  // half set up (connected, not yet in UTC) must not pass the next ping
            throw;
        }
    }
    checked_epoch_[pos] = epoch;
}

bool Database::ping() {
    try {
        Connection c(*this);
        int one = 0;
        *c << "SELECT 1", soci::into(one);
        return one == 1;
    } catch (const std::exception&) {
        return false;
    }
}

Connection::Connection(Database& db)
    : db_(db), pos_(0), session_(nullptr), exceptions_(std::uncaught_exceptions()) {
    if (!db.pool_->try_lease(pos_, static_cast<int>(db.lease_timeout_.count())))
        throw PoolExhausted("no database connection free within the lease timeout");
    db_.in_use_.fetch_add(1, std::memory_order_relaxed);
    session_ = &db_.pool_->at(pos_);
    try {
        db_.recheck(pos_);
    } catch (...) {
        release();
        throw;
    }
}

Connection::~Connection() {
    if (seen_lost(db_.backend(), *session_)) db_.suspect_all();
    // A failed statement may leave a kept one half executed, or the server
    // session gone: prepare them afresh next time.
    if (std::uncaught_exceptions() > exceptions_) db_.kept_[pos_].clear();
    release();
}

void Connection::release() {
    db_.in_use_.fetch_sub(1, std::memory_order_relaxed);
    db_.pool_->give_back(pos_);
}

}  // namespace uslugi::db
