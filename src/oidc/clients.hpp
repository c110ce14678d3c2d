#pragma once
// Registering relying parties: the checks and store calls shared by the
// operator's CLI (`uslugi admin sso-client`, admin.cpp) and the operator page
// (/oidc/clients, clients_routes.cpp), so the two cannot drift apart.
#include "db/database.hpp"
#include "oidc/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::oidc {

// What an operator typed, as text: the CLI's options or the page's fields.
struct ClientInput {
    std::string id, name, logo, auth = "client_secret_basic", jwks, alg = "RS256", scopes = "openid fullname",
                min_level = "simplified", backchannel;
    std::vector<std::string> redirect_uris, logout_uris;
};

// One thing wrong: the field ("id", "name", "logo", "auth", "jwks", "alg",
// "redirect_uris", "logout_uris", "backchannel", "scopes", "min_level") and a
// stable code naming the problem (the page's locale key oidc_clients.error.<code>).
struct ClientProblem {
    std::string field, code;
};

struct ClientCheck {
    Client client;
    std::vector<ClientProblem> problems;  // in the order of the fields; empty: the client may be stored
    bool ok() const { return problems.empty(); }
};

// Everything an operator can get wrong, said before anything is written.
ClientCheck check_client(const ClientInput& in, std::int64_t now);
// The CLI's English sentence for a problem.
std::string cli_message(const ClientProblem& p);

// Stores a checked client; client_secret_basic gets a new secret, returned
// once (only its hash is kept). nullopt when the client id is taken.
struct Registered {
    std::string secret;  // "" for private_key_jwt
};
std::optional<Registered> register_client(ClientStore& store, Client c);
// A new secret for a client_secret_basic client; nullopt when there is none.
std::optional<std::string> rotate_client_secret(ClientStore& store, const std::string& client_id, std::int64_t now);
// Removes a client and revokes its tokens in one transaction; false when unknown.
bool remove_client(db::Database& db, const std::string& client_id, std::int64_t now);

}  // namespace uslugi::oidc
