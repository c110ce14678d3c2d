#include "oidc/admin.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/transaction.hpp"
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

// Everything an operator can get wrong, said before anything is written.
Client client_from(const AdminOptions& o) {
    Client c;
    if (!valid_client_id(o.id)) throw std::invalid_argument("--id: 3-64 of a-z 0-9 . _ -");
    c.client_id = o.id;
    c.name = o.name;
    if (c.name.empty()) throw std::invalid_argument("--name is required: the consent screen shows it");
    c.logo_url = o.logo;
    // Pages load images only from the portal itself (Content-Security-Policy img-src 'self').
    if (!c.logo_url.empty() && (c.logo_url.front() != '/' || c.logo_url.rfind("//", 0) == 0 ||
                                c.logo_url.find_first_of(" \"<>\\") != std::string::npos))
        throw std::invalid_argument("--logo must be a path on the portal (/static/…): pages load no images from elsewhere");
    const auto auth = client_auth_from_string(o.auth);
    if (!auth) throw std::invalid_argument("--auth must be client_secret_basic or private_key_jwt");
    c.auth = *auth;
    if (!alg_from_string(o.alg)) throw std::invalid_argument("--alg must be RS256 or ES256");
    c.alg = o.alg;
    for (const auto& u : o.redirect_uris)
        if (!valid_redirect_uri(u)) throw std::invalid_argument("--redirect-uri " + u + ": https:// (http:// only on loopback), no fragment");
    if (o.redirect_uris.empty()) throw std::invalid_argument("at least one --redirect-uri is required");
    c.redirect_uris = o.redirect_uris;
    for (const auto& u : o.logout_uris)
        if (!valid_redirect_uri(u)) throw std::invalid_argument("--post-logout-uri " + u + " is not a valid address");
    c.logout_uris = o.logout_uris;
    if (!o.backchannel.empty() && !valid_redirect_uri(o.backchannel))
        throw std::invalid_argument("--backchannel-logout-uri is not a valid address");
    c.backchannel_uri = o.backchannel;
    auto scopes = parse_scopes(o.scopes);
    if (!scopes) throw std::invalid_argument("--scopes: unknown scope (known: openid fullname birthdate birthplace gender snils inn id_doc email mobile)");
    scopes->insert("openid");
    c.scopes = *scopes;
    if (!acr_rank(o.min_level)) throw std::invalid_argument("--min-level must be simplified, standard or confirmed");
    c.min_level = o.min_level;
    if (c.auth == ClientAuth::private_key_jwt) {
        if (o.jwks_file.empty()) throw std::invalid_argument("private_key_jwt needs --jwks-file (the site's public keys)");
        const auto jwks = nlohmann::json::parse(read_file(o.jwks_file), nullptr, false);
        if (keys_from_jwks(jwks).empty()) throw std::invalid_argument("--jwks-file holds no usable EC P-256 or RSA key");
        c.jwks = jwks.dump();
    }
    c.created_at = c.updated_at = core::now_unix();
    return c;
}

int add_client(db::Database& db, const AdminOptions& o) {
    Client c = client_from(o);
    std::string secret;
    if (c.auth == ClientAuth::client_secret_basic) {
        secret = core::random_token(32);
        c.secret_hash = core::sha256_hex(secret);
    }
    if (!ClientStore(db).create(c)) {
        std::cerr << "uslugi: a client " << c.client_id << " exists already\n";
        return 1;
    }
    std::cout << "client_id: " << c.client_id << "\n";
    if (!secret.empty()) std::cout << "client_secret: " << secret << "\n(shown once: only its hash is kept)\n";
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
    const std::string secret = core::random_token(32);
    if (!ClientStore(db).set_secret(id, core::sha256_hex(secret), core::now_unix())) {
        std::cerr << "uslugi: no client " << id << " with client_secret_basic\n";
        return 1;
    }
    std::cout << "client_id: " << id << "\nclient_secret: " << secret << "\n(the old secret no longer works)\n";
    return 0;
}

int remove_client(db::Database& db, const std::string& id) {
    const bool removed = db::transact(db, [&](soci::session& tx) {
        GrantStore(db).revoke_all_for_client(tx, id, core::now_unix());
        return ClientStore(db).remove(tx, id);
    });
    if (!removed) {
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
    if (o.remove->parsed()) return remove_client(db, o.id);
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
