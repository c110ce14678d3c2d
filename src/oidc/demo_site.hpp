#pragma once
// `uslugi demo-site`: a small demo regional portal, a relying party of the
// portal's single sign-on. It registers itself (client "demo-region", a fresh
// secret at every start), signs users in with code + PKCE, verifies the ID
// token against the portal's JWKS, and shows the claims and the userinfo it
// got. Its own tiny HTTP server (http::Server); state lives in memory.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace uslugi::oidc {

struct DemoSiteOptions {
    std::string issuer = "http://127.0.0.1:8080";  // the portal as browsers reach it
    std::string listen = "127.0.0.1";
    std::uint16_t port = 8090;
    std::string client_id = "demo-region";
    std::string scopes = "openid fullname birthdate gender snils inn email mobile";
};

CLI::App* add_demo_site_command(CLI::App& cli, DemoSiteOptions& options);
// Registers (or re-keys) the demo client in `database`, then serves until SIGINT/SIGTERM.
int run_demo_site(const DemoSiteOptions& options, const std::string& database, const std::string& root);

}  // namespace uslugi::oidc
