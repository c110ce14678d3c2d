#include "oidc/admin.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "oidc/clients.hpp"
#include "oidc/jose.hpp"
#include "oidc/service.hpp"
#include "oidc/store.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace uslugi::oidc {

struct AdminOptions {
    CLI::App* client = nullptr;
    CLI::App* add = nullptr;
    CLI::App* list = nullptr;
    CLI::App* rotate_secret = nullptr;
    CLI::App* remove = nullptr;
    CLI::App* keys = nullptr;
    CLI::App* rotate_keys = nullptr;
    std::string id, name, logo, auth = "client_secret_basic", jwks_file, alg = "RS256", scopes = "openid fullname",
                min_level = "simplified", backchannel;
    std::vector<std::string> redirect_uris, logout_uris;
};

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The options as the shared checks (clients.cpp) take them; the JWKS file is read here.
ClientInput input_from(const AdminOptions& o) {
    ClientInput in;
    in.id = o.id;
    in.name = o.name;
    in.logo = o.logo;
    in.auth = o.auth;
    in.alg = o.alg;
    in.scopes = o.scopes;
    in.min_level = o.min_level;
    in.backchannel = o.backchannel;
    in.redirect_uris = o.redirect_uris;
    in.logout_uris = o.logout_uris;
    if (o.auth == "private_key_jwt" && !o.jwks_file.empty()) in.jwks = read_file(o.jwks_file);
    return in;
}

int add_client(db::Database& db, const AdminOptions& o) {
    const ClientCheck check = check_client(input_from(o), core::now_unix());
    if (!check.ok()) throw std::invalid_argument(cli_message(check.problems.front()));
    ClientStore store(db);
    const auto registered = register_client(store, check.client);
    if (!registered) {
        std::cerr << "uslugi: a client " << check.client.client_id << " exists already\n";
        return 1;
    }
    std::cout << "client_id: " << check.client.client_id << "\n";
    if (!registered->secret.empty())
        std::cout << "client_secret: " << registered->secret << "\n(shown once: only its hash is kept)\n";
    return 0;
}

int list_clients(db::Database& db) {
    for (const auto& c : ClientStore(db).list()) {
        std::cout << c.client_id << "\t" << c.name << "\t" << to_string(c.auth) << "\t" << join_scopes(c.scopes)
                  << "\tmin " << c.min_level << "\n";
        for (const auto& u : c.redirect_uris) std::cout << "\tredirect " << u << "\n";
    }
    return 0;
}

int rotate_secret(db::Database& db, const std::string& id) {
    ClientStore store(db);
    const auto secret = rotate_client_secret(store, id, core::now_unix());
    if (!secret) {
        std::cerr << "uslugi: no client " << id << " with client_secret_basic\n";
        return 1;
    }
    std::cout << "client_id: " << id << "\nclient_secret: " << *secret << "\n(the old secret no longer works)\n";
    return 0;
}

int remove_one(db::Database& db, const std::string& id) {
    if (!remove_client(db, id, core::now_unix())) {
        std::cerr << "uslugi: no client " << id << "\n";
        return 1;
    }
    std::cout << "removed " << id << "; its tokens are revoked\n";
    return 0;
}

}  // namespace

AdminCommands::AdminCommands(CLI::App& admin) : o_(std::make_unique<AdminOptions>()) {
    AdminOptions& o = *o_;
    o.client = admin.add_subcommand("sso-client", "relying parties of single sign-on (OpenID Connect)");
    o.client->require_subcommand(1);
    o.client->fallthrough();
    o.add = o.client->add_subcommand("add", "register a site; prints its client_id and (once) its secret");
    o.add->fallthrough();
    o.add->add_option("--id", o.id, "client_id: 3-64 of a-z 0-9 . _ -")->required();
    o.add->add_option("--name", o.name, "the site's name on the consent screen")->required();
    o.add->add_option("--redirect-uri", o.redirect_uris, "a redirect URI (exact match; repeat for more)")->required();
    o.add->add_option("--scopes", o.scopes, "what it may ask for, space-separated")->capture_default_str();
    o.add->add_option("--auth", o.auth, "client_secret_basic or private_key_jwt")->capture_default_str();
    o.add->add_option("--jwks-file", o.jwks_file, "private_key_jwt: a JSON file with the site's public JWKS");
    o.add->add_option("--alg", o.alg, "how its ID and access tokens are signed: RS256 or ES256")->capture_default_str();
    o.add->add_option("--min-level", o.min_level, "the least account level it needs")->capture_default_str();
    o.add->add_option("--logo", o.logo, "the site's logo: a path on the portal (/static/…)");
    o.add->add_option("--post-logout-uri", o.logout_uris, "where logout may return (repeat for more)");
    o.add->add_option("--backchannel-logout-uri", o.backchannel, "where logout tokens are POSTed");
    o.list = o.client->add_subcommand("list", "list the registered sites");
    o.list->fallthrough();
    o.rotate_secret = o.client->add_subcommand("rotate-secret", "a new client secret; the old one stops working");
    o.rotate_secret->fallthrough();
    o.rotate_secret->add_option("--id", o.id, "client_id")->required();
    o.remove = o.client->add_subcommand("remove", "remove a site; its tokens stop working at once");
    o.remove->fallthrough();
    o.remove->add_option("--id", o.id, "client_id")->required();
    o.keys = admin.add_subcommand("sso-keys", "the provider's signing keys");
    o.keys->require_subcommand(1);
    o.keys->fallthrough();
    o.rotate_keys = o.keys->add_subcommand("rotate", "new signing keys; the old stay published until their tokens expire");
    o.rotate_keys->fallthrough();  // the data key comes from `admin`'s --data-key / --data-key-file
}

AdminCommands::~AdminCommands() = default;

bool AdminCommands::chosen() const { return o_->client->parsed() || o_->keys->parsed(); }

int AdminCommands::run(const core::Config& cfg, const std::string& root) {
    db::Database db(cfg.database, 1);
    db::apply_migrations(db, db::load_migrations(root + "/migrations", db.backend()));
    const AdminOptions& o = *o_;
    if (o.add->parsed()) return add_client(db, o);
    if (o.list->parsed()) return list_clients(db);
    if (o.rotate_secret->parsed()) return rotate_secret(db, o.id);
    if (o.remove->parsed()) return remove_one(db, o.id);
    if (o.rotate_keys->parsed()) {
        const core::DataProtector protector(core::load_data_key(cfg.data_key, cfg.data_key_file));
        KeyStore store(db);
        KeyRing ring(store, protector);
        ring.rotate(core::now_unix());
        std::cout << "published signing keys (the first two sign from now on):";
        for (const auto& k : ring.published()) std::cout << " " << k->kid();
        std::cout << "\n";
        return 0;
    }
    return 2;
}

}  // namespace uslugi::oidc
