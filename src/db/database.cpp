#include "db/database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>

namespace uslugi::db {

namespace {

std::string percent_decode(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size()) {
            out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

std::string quote_keyword_value(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\\' || c == '\'') out.push_back('\\');
        out.push_back(c);
    }
    return out + "'";
}

// SOCI's PostgreSQL backend does not take libpq's URI form, so the URL
// becomes "host=… port=… user=… dbname=… key=value".
std::string libpq_keywords(const std::string& url) {
    std::string_view rest(url);
    rest.remove_prefix(rest.find("://") + 3);
    std::string out;
    auto add = [&](const std::string& key, const std::string& value) {
        if (value.empty()) return;
        if (!out.empty()) out += ' ';
        out += key + "=" + quote_keyword_value(value);
    };
    std::string_view query;
    if (auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::string_view dbname;
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        dbname = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
    }
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = userinfo.find(':');
        add("user", percent_decode(userinfo.substr(0, colon)));
        if (colon != std::string_view::npos) add("password", percent_decode(userinfo.substr(colon + 1)));
    }
    if (auto colon = rest.rfind(':'); colon != std::string_view::npos && rest.find(']') == std::string_view::npos) {
        add("host", percent_decode(rest.substr(0, colon)));
        add("port", std::string(rest.substr(colon + 1)));
    } else {
        add("host", percent_decode(rest));
    }
    add("dbname", percent_decode(dbname));
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        if (auto eq = pair.find('='); eq != std::string_view::npos)
            add(percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
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
}
}  // namespace

Database::Database(const std::string& url, std::size_t pool_size,
                   std::chrono::milliseconds lease_timeout)
    : url_(DatabaseUrl::parse(url)), size_(pool_size), lease_timeout_(lease_timeout),
      pool_(std::make_unique<soci::connection_pool>(pool_size)) {
    if (url_.backend == Backend::sqlite) {
        const auto parent = std::filesystem::path(url_.path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
    }
    for (std::size_t i = 0; i < size_; ++i) {
        soci::session& s = pool_->at(i);
        if (url_.backend == Backend::sqlite) {
            s.open(*soci::factory_sqlite3(), url_.connect);
            prepare_sqlite(s);
        } else {
            s.open(*soci::factory_postgresql(), url_.connect);
            s << "SET TIME ZONE 'UTC'";
        }
    }
}

Database::~Database() = default;

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

Connection::Connection(Database& db) : db_(db), pos_(0), session_(nullptr) {
    if (!db.pool_->try_lease(pos_, static_cast<int>(db.lease_timeout_.count())))
        throw PoolExhausted("no database connection free within the lease timeout");
    db_.in_use_.fetch_add(1, std::memory_order_relaxed);
    session_ = &db_.pool_->at(pos_);
}

Connection::~Connection() {
    db_.in_use_.fetch_sub(1, std::memory_order_relaxed);
    db_.pool_->give_back(pos_);
}

}  // namespace uslugi::db
