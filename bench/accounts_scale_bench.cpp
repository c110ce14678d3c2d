// Filler data for bench/accounts_scale.sh: rows of identity_accounts,
// http_sessions and identity_audit in PostgreSQL's COPY text format, made the
// way the portal makes them: names, phone and e-mail sealed under the data key
// for their own row and column, phone and e-mail blind indexes of the
// normalized login (identity::parse_login), so that sign-in and the account
// page find these accounts exactly as they find real ones.
//
// Every account shares one password hash (one Argon2id computation up front;
// the bench passes it in), so any of them can sign in with the bench's
// password. Account i has the phone +7950xxxxxxx (i in seven digits), the
// e-mail person<i>@post.test and one remembered session whose cookie token
// is sha256_hex("bench-session-<i>") (the bench computes the same).
//
// Usage: build/accounts_scale_bench --table accounts|sessions|audit
//          --first I --count N --data-key HEX --password-hash HASH [--audit-per-account K]
//        build/accounts_scale_bench --table hash --password PW   (prints the hash to share)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "identity/model.hpp"

namespace {

using uslugi::core::DataProtector;
using uslugi::core::SealContext;

struct Options {
    std::string table;
    std::int64_t first = 1, count = 0;
    std::string data_key, password_hash, password;
    int audit_per_account = 3;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i], value = argv[i + 1];
        if (arg == "--table") o.table = value;
        else if (arg == "--first") o.first = std::atoll(value.c_str());
        else if (arg == "--count") o.count = std::atoll(value.c_str());
        else if (arg == "--data-key") o.data_key = value;
        else if (arg == "--password-hash") o.password_hash = value;
        else if (arg == "--password") o.password = value;
        else if (arg == "--audit-per-account") o.audit_per_account = std::atoi(value.c_str());
        else throw std::invalid_argument("unknown option " + arg);
    }
    if (o.table.empty() || (o.count <= 0 && o.table != "hash"))
        throw std::invalid_argument("--table and --count are required");
    return o;
}

std::string phone_of(std::int64_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+7950%07lld", static_cast<long long>(i));
    return buf;
}

// The login as sign-in normalizes it, so the blind index matches a typed one.
std::string normalized(const std::string& typed) {
    const auto login = uslugi::identity::parse_login(typed);
    if (!login) throw std::runtime_error("not a login: " + typed);
    return login->value;
}

// One account row; the columns are those accounts_scale.sh names in its COPY.
void account_row(const DataProtector& p, const Options& o, std::int64_t id, std::int64_t now, std::string& out) {
    static const char* const surnames[] = {"Иванова", "Петров", "Смирнова", "Кузнецов", "Попова", "Соколов"};
    static const char* const names[] = {"Анна", "Сергей", "Мария", "Дмитрий", "Елена", "Алексей"};
    const std::string phone = normalized(phone_of(id));
    const std::string email = normalized("person" + std::to_string(id) + "@post.test");
    auto seal = [&](const std::string& v, const char* column) {
        return p.seal(v, SealContext("identity_accounts", column, id));
    };
    const std::string t = std::to_string(now - 86400 * (id % 700));
    out += std::to_string(id) + "\tcitizen\tsimplified\tactive\t" + seal(surnames[id % 6], "surname_enc") + "\t" +
           seal(names[(id / 6) % 6], "name_enc") + "\t" + seal(phone, "phone_enc") + "\t" +
           p.blind_index("phone", phone) + "\t" + seal(email, "email_enc") + "\t" + p.blind_index("email", email) +
           "\t" + o.password_hash + "\t" + t + "\toff\t0\tru\t" + t + "\t" + t + "\n";
}

// One remembered session of account `id`, last seen two minutes ago.
void session_row(std::int64_t id, std::int64_t now, std::string& out) {
    const std::string token = uslugi::core::sha256_hex("bench-session-" + std::to_string(id));
    const std::int64_t seen = now - 120, idle = 30LL * 24 * 3600, expires = now + 60LL * 24 * 3600;
    out += uslugi::core::sha256_hex(token) + "\t" + uslugi::core::random_token(32) + "\t" + std::to_string(id) +
           "\tru\t0\t1\t" + std::to_string(now - 3600) + "\t" + std::to_string(seen) + "\t" + std::to_string(idle) +
           "\t" + std::to_string(expires) + "\t" + std::to_string(std::min(seen + idle, expires)) + "\t" +
           std::to_string(now - 3600) + "\t10.20." + std::to_string(id % 250) + "." + std::to_string(id % 199) +
           "\tFirefox on Linux\n";
}

// Past sign-ins of account `id`, one a day.
void audit_rows(const Options& o, std::int64_t id, std::int64_t now, std::string& out) {
    for (int k = 0; k < o.audit_per_account; ++k)
        out += std::to_string(now - 86400 * (k + 1)) + "\t" + std::to_string(id) + "\tself\tsignin\tpassword\t10.20." +
               std::to_string(id % 250) + "." + std::to_string(k) + "\tFirefox on Linux\n";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        if (o.table == "hash") {  // the one Argon2id hash every filler account shares
            std::printf("%s\n", uslugi::core::password_hash(o.password).c_str());
            return 0;
        }
        const DataProtector protector(uslugi::core::load_data_key(o.data_key, ""));
        const std::int64_t now = uslugi::core::now_unix();
        std::ios::sync_with_stdio(false);
        std::string out;
        for (std::int64_t id = o.first; id < o.first + o.count; ++id) {
            if (o.table == "accounts") account_row(protector, o, id, now, out);
            else if (o.table == "sessions") session_row(id, now, out);
            else if (o.table == "audit") audit_rows(o, id, now, out);
            else throw std::invalid_argument("unknown table " + o.table);
            if (out.size() > (1 << 20)) {
                std::fwrite(out.data(), 1, out.size(), stdout);
                out.clear();
            }
        }
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "accounts_scale_bench: %s\n", e.what());
        return 2;
    }
}
