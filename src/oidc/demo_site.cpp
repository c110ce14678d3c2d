#include "oidc/demo_site.hpp"

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/transaction.hpp"
#include "http/application.hpp"
#include "http/server.hpp"
#include "http/templates.hpp"
#include "oidc/jose.hpp"
#include "oidc/store.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <sodium.h>

#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

namespace uslugi::oidc {

namespace {

using http::Response;
using http::Status;

struct Fetched {
    int status = 0;
    nlohmann::json json;
};

// One HTTP exchange with the portal (plain HTTP: the demo runs next to it on loopback).
Fetched fetch(const std::string& method, const std::string& url, const std::string& authorization,
              const std::string& form) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(method, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(uri.getHost(), uri.getPort());
    if (!authorization.empty()) request.set("Authorization", authorization);
    if (!form.empty()) {
        request.setContentType("application/x-www-form-urlencoded");
        request.setContentLength(std::streamsize(form.size()));
    }
    session.sendRequest(request) << form;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream body;
    body << in.rdbuf();
    return {int(response.getStatus()), nlohmann::json::parse(body.str(), nullptr, false)};
}

// Standard base64 with padding, as HTTP Basic credentials want it.
std::string base64(const std::string& bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::char_traits<char>::length(out.c_str()));
    return out;
}

std::string page(const std::string& title, const std::string& body) {
    return "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
           "content=\"width=device-width, initial-scale=1\"><title>" + http::escape_html(title) +
           "</title></head><body style=\"font-family:sans-serif;max-width:48rem;margin:1rem auto;padding:0 1rem\">"
           "<header><p><strong>Демо: региональный портал</strong> — сайт, входящий через госуслуги</p></header><main>" +
           body + "</main></body></html>";
}

std::string claims_table(const nlohmann::json& claims) {
    std::string rows;
    for (auto it = claims.begin(); it != claims.end(); ++it)
        rows += "<tr><th scope=\"row\">" + http::escape_html(it.key()) + "</th><td>" +
                http::escape_html(it.value().is_string() ? it.value().get<std::string>() : it.value().dump()) +
                "</td></tr>";
    return "<table><tbody>" + rows + "</tbody></table>";
}

class DemoSite : public http::Application {
public:
    DemoSite(DemoSiteOptions options, std::string secret, std::string base)
        : o_(std::move(options)), secret_(std::move(secret)), base_(std::move(base)) {}

    Plan plan(const http::RawRequest&) override { return {}; }
    Response reject(Status status, std::string_view, const http::Peer&) override {
        return Response::text("error", status);
    }
    Response handle(http::RawRequest&& raw, const http::Peer&) override {
        try {
            http::Request req(std::move(raw));
            if (req.path() == "/") return home(req);
            if (req.path() == "/login") return login();
            if (req.path() == "/callback") return callback(req);
            if (req.path() == "/logout") return logout(req);
            if (req.path() == "/backchannel-logout" && req.method() == http::bhttp::verb::post)
                return backchannel(req);
            return Response::html(page("404", "<h1>Нет такой страницы</h1>"), Status::not_found);
        } catch (const std::exception& e) {
            core::app_log().warn("demo-site: {}", e.what());
            return Response::html(page("Ошибка", "<h1>Вход не удался</h1><p>" + http::escape_html(e.what()) +
                                                     "</p><p><a href=\"/\">На главную</a></p>"),
                                  Status::bad_gateway);
        }
    }

private:
    struct Pending {
        std::string verifier, nonce;
    };
    struct Session {
        nlohmann::json claims, userinfo;
        std::string id_token, sid;
    };

    const nlohmann::json& metadata() {
        std::lock_guard lock(mutex_);
        if (metadata_.is_null()) {
            auto f = fetch("GET", o_.issuer + "/.well-known/openid-configuration", "", "");
            if (f.status != 200) throw std::runtime_error("the portal's discovery document is not available");
            metadata_ = f.json;
        }
        return metadata_;
    }

    std::vector<Key> portal_keys() {
        auto f = fetch("GET", metadata().at("jwks_uri").get<std::string>(), "", "");
        return keys_from_jwks(f.json);
    }

    // The ID token (or logout token) verified: our issuer, our client, not expired.
    nlohmann::json verify(const std::string& token) {
        const auto keys = portal_keys();
        std::vector<const Key*> ptrs;
        for (const auto& k : keys) ptrs.push_back(&k);
        const auto v = verify_jwt(token, ptrs);
        if (!v.jwt) throw std::runtime_error(std::string("token signature: ") + std::string(to_string(v.error)));
        const auto& p = v.jwt->payload;
        if (p.value("iss", "") != metadata().at("issuer").get<std::string>() || p.value("aud", "") != o_.client_id ||
            p.value("exp", std::int64_t(0)) <= core::now_unix())
            throw std::runtime_error("the token is not for this site or has expired");
        return p;
    }

    std::optional<Session> session_of(const http::Request& req) {
        auto c = req.cookie("demo_sid");
        std::lock_guard lock(mutex_);
        if (!c) return std::nullopt;
        auto it = sessions_.find(std::string(*c));
        if (it == sessions_.end()) return std::nullopt;
        return it->second;
    }

    Response home(const http::Request& req) {
        const auto s = session_of(req);
        if (!s)
            return Response::html(page("Региональный портал",
                                       "<h1>Региональный портал</h1><p>Чтобы записаться на приём, войдите.</p>"
                                       "<p><a href=\"/login\">Войти через госуслуги</a></p>"));
        return Response::html(page("Вы вошли", "<h1>Вы вошли через госуслуги</h1><h2>ID-токен</h2>" +
                                                   claims_table(s->claims) + "<h2>Данные (userinfo)</h2>" +
                                                   claims_table(s->userinfo) + "<p><a href=\"/logout\">Выйти</a></p>"));
    }

    Response login() {
        const std::string state = core::random_token(16), nonce = core::random_token(16),
                          verifier = core::random_token(48);
        {
            std::lock_guard lock(mutex_);
            pending_[state] = {verifier, nonce};
        }
        const std::string challenge = b64url(sha256(verifier));
        const std::string url = metadata().at("authorization_endpoint").get<std::string>() + "?response_type=code&client_id=" +
                                http::url_encode(o_.client_id) + "&redirect_uri=" + http::url_encode(base_ + "/callback") +
                                "&scope=" + http::url_encode(o_.scopes) + "&state=" + state + "&nonce=" + nonce +
                                "&code_challenge=" + challenge + "&code_challenge_method=S256";
        return Response::redirect(url, Status::found);
    }

    Response callback(const http::Request& req) {
        const std::string state = req.query().get_or("state", "");
        Pending p;
        {
            std::lock_guard lock(mutex_);
            auto it = pending_.find(state);
            if (it == pending_.end()) throw std::runtime_error("unknown state: start again");
            p = it->second;
            pending_.erase(it);
        }
        if (req.query().has("error")) throw std::runtime_error("the portal answered " + req.query().get_or("error", ""));
        const std::string form = "grant_type=authorization_code&code=" + http::url_encode(req.query().get_or("code", "")) +
                                 "&redirect_uri=" + http::url_encode(base_ + "/callback") + "&code_verifier=" + p.verifier;
        const std::string basic = "Basic " + base64(http::url_encode(o_.client_id) + ":" + http::url_encode(secret_));
        const auto tokens = fetch("POST", metadata().at("token_endpoint").get<std::string>(), basic, form);
        if (tokens.status != 200) throw std::runtime_error("token endpoint: " + tokens.json.dump());
        Session s;
        s.id_token = tokens.json.at("id_token").get<std::string>();
        s.claims = verify(s.id_token);
        if (s.claims.value("nonce", "") != p.nonce) throw std::runtime_error("the ID token's nonce is not ours");
        s.sid = s.claims.value("sid", "");
        s.userinfo = fetch("GET", metadata().at("userinfo_endpoint").get<std::string>(),
                           "Bearer " + tokens.json.at("access_token").get<std::string>(), "").json;
        const std::string cookie = core::random_token(24);
        {
            std::lock_guard lock(mutex_);
            sessions_[cookie] = s;
        }
        Response r = Response::redirect("/");
        r.set_cookie({.name = "demo_sid", .value = cookie});
        return r;
    }

    Response logout(const http::Request& req) {
        const auto s = session_of(req);
        if (!s) return Response::redirect("/");
        return Response::redirect(metadata().at("end_session_endpoint").get<std::string>() + "?id_token_hint=" +
                                      s->id_token + "&post_logout_redirect_uri=" + http::url_encode(base_ + "/"),
                                  Status::found);
    }

    // The portal ended the sign-in: every session of that sid goes.
    Response backchannel(http::Request& req) {
        const auto claims = verify(std::string(req.form().get("logout_token").value_or("")));
        std::lock_guard lock(mutex_);
        for (auto it = sessions_.begin(); it != sessions_.end();)
            it = it->second.sid == claims.value("sid", "") ? sessions_.erase(it) : std::next(it);
        return Response::text("");
    }

    DemoSiteOptions o_;
    std::string secret_, base_;
    std::mutex mutex_;
    nlohmann::json metadata_;
    std::map<std::string, Pending> pending_;
    std::map<std::string, Session> sessions_;
};

// The demo client, registered afresh with a new secret at every start.
std::string register_client(const DemoSiteOptions& o, const std::string& database, const std::string& root,
                            const std::string& base) {
    db::Database db(database, 1);
    db::apply_migrations(db, db::load_migrations(root + "/migrations", db.backend()));
    ClientStore clients(db);
    db::transact(db, [&](soci::session& tx) { clients.remove(tx, o.client_id); });
    Client c;
    c.client_id = o.client_id;
    c.name = "Демо: региональный портал";
    c.redirect_uris = {base + "/callback"};
    c.logout_uris = {base + "/"};
    c.backchannel_uri = base + "/backchannel-logout";
    c.scopes = parse_scopes(o.scopes).value_or(ScopeSet{"openid"});
    c.created_at = c.updated_at = core::now_unix();
    const std::string secret = core::random_token(32);
    c.secret_hash = core::sha256_hex(secret);
    if (!clients.create(c)) throw std::runtime_error("could not register the demo client");
    return secret;
}

}  // namespace

CLI::App* add_demo_site_command(CLI::App& cli, DemoSiteOptions& o) {
    CLI::App* cmd = cli.add_subcommand("demo-site", "a demo regional portal that signs in through uslugi (OpenID Connect)");
    cmd->fallthrough();
    cmd->add_option("--issuer", o.issuer, "the portal's address as browsers reach it")->capture_default_str();
    cmd->add_option("--listen", o.listen, "address to listen on")->capture_default_str();
    cmd->add_option("--port", o.port, "port")->capture_default_str();
    cmd->add_option("--client-id", o.client_id, "its client_id at the portal")->capture_default_str();
    cmd->add_option("--scopes", o.scopes, "what it asks for")->capture_default_str();
    return cmd;
}

int run_demo_site(const DemoSiteOptions& o, const std::string& database, const std::string& root) {
    const std::string base = "http://" + o.listen + ":" + std::to_string(o.port);
    const std::string secret = register_client(o, database, root, base);
    DemoSite site(o, secret, base);
    http::ServerOptions options;
    options.listen = o.listen;
    options.port = o.port;
    options.workers = 4;
    http::Server server(options, site);
    server.bind();
    std::cout << "demo site listening on " << base << " (signs in through " << o.issuer << ")" << std::endl;
    server.run();
    return 0;
}

}  // namespace uslugi::oidc
