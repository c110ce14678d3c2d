#include "db/migrations.hpp"

#include "db/dialect.hpp"
#include "db/transaction.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "core/clock.hpp"

namespace uslugi::db {

namespace fs = std::filesystem;

std::string expand_dialect(std::string sql, Backend backend) {
    static const std::string token = "AUTO_ID_PRIMARY_KEY";
    const std::string replacement =
        backend == Backend::sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
    for (std::size_t pos = sql.find(token); pos != std::string::npos; pos = sql.find(token, pos + replacement.size()))
        sql.replace(pos, token.size(), replacement);
    return sql;
}

std::vector<Migration> load_migrations(const std::string& dir, Backend backend) {
    static const std::regex pattern(R"(^(\d{4})_([a-z0-9_]+?)(\.(sqlite|postgresql))?\.sql$)");
    const std::string own = backend == Backend::sqlite ? "sqlite" : "postgresql";
    std::map<int, Migration> by_version;
    std::map<int, bool> is_specific;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string file = entry.path().filename().string();
        std::smatch m;
        if (!std::regex_match(file, m, pattern)) continue;
        const bool specific = m[4].matched;
        if (specific && m[4].str() != own) continue;
        const int version = std::stoi(m[1].str());
        auto existing = by_version.find(version);
        if (existing != by_version.end()) {
            if (existing->second.name != m[2].str())
                throw std::runtime_error("two migrations share number " + m[1].str());
            if (is_specific[version]) continue;  // a dialect file wins over the portable one
        }
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        by_version[version] = Migration{version, m[2].str(), expand_dialect(text.str(), backend)};
        is_specific[version] = specific;
    }
    std::vector<Migration> out;
    for (auto& [v, m] : by_version) out.push_back(std::move(m));
    return out;
}

std::vector<std::string> split_sql(std::string_view script) {
    std::vector<std::string> out;
    std::string current;
    enum { normal, single, dquote, line_comment, block_comment } state = normal;
    for (std::size_t i = 0; i < script.size(); ++i) {
        const char c = script[i];
        const char next = i + 1 < script.size() ? script[i + 1] : '\0';
        switch (state) {
            case normal:
                if (c == '\'') state = single;
                else if (c == '"') state = dquote;
                else if (c == '-' && next == '-') { state = line_comment; ++i; continue; }
                else if (c == '/' && next == '*') { state = block_comment; ++i; continue; }
                else if (c == ';') {
                    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
                    current.clear();
                    continue;
                }
                break;
            case single: if (c == '\'') state = normal; break;
            case dquote: if (c == '"') state = normal; break;
            case line_comment:
                if (c == '\n') state = normal;
                continue;
            case block_comment:
                if (c == '*' && next == '/') { state = normal; ++i; }
                continue;
        }
        current.push_back(c);
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
    return out;
}

std::vector<std::string> apply_migrations(Database& db, const std::vector<Migration>& all) {
    {
        Connection c(db);
        *c << "CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
    }
    std::vector<std::string> applied;
    for (const Migration& m : all) {
        const bool did = transact(db, [&](soci::session& s) {
            lock_for_transaction(s, 7345001);  // concurrent starters of `uslugi migrate`
            int count = 0;
            s << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version),
                soci::into(count);
            if (count > 0) return false;
            for (const std::string& statement : split_sql(m.sql)) s << statement;
            const long long now = core::now_unix();
            s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
                soci::use(m.version), soci::use(m.name), soci::use(now);
            return true;
        });
        if (did) applied.push_back(m.name);
    }
    return applied;
}

}  // namespace uslugi::db
