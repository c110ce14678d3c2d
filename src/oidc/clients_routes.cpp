// The operator's page of relying parties (/oidc/clients, staff role "sso"):
// the list, a form that registers a site with the same checks and store calls
// as `uslugi admin sso-client add` (clients.cpp), secret rotation (the secret
// is shown once) and removal after a confirmation step. Every change is
// logged with the operator's account id.
#include "core/clock.hpp"
#include "core/log.hpp"
#include "http/time_zones.hpp"
#include "oidc/clients.hpp"
#include "oidc/route_kit.hpp"

#include <set>
#include <sstream>

namespace uslugi::oidc {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr const char* kRole = "sso";
const char* const kFields[] = {"id",          "name",        "logo",        "auth",   "jwks",     "alg",
                               "redirect_uris", "logout_uris", "backchannel", "scopes", "min_level"};
const char* const kLevels[] = {"simplified", "standard", "confirmed"};

// Non-empty lines of a textarea, trimmed (browsers send CR LF).
std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        const auto b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos) continue;
        const auto e = line.find_last_not_of(" \t\r");
        out.push_back(line.substr(b, e - b + 1));
    }
    return out;
}

std::string joined(const std::vector<std::string>& items, const char* sep) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
    return out;
}

ClientInput input_of(Request& req) {
    const http::Params& f = req.form();
    ClientInput in;
    in.id = f.get_or("id", "");
    in.name = f.get_or("name", "");
    in.logo = f.get_or("logo", "");
    in.auth = f.get_or("auth", "");
    in.jwks = f.get_or("jwks", "");
    in.alg = f.get_or("alg", "");
    in.min_level = f.get_or("min_level", "");
    in.backchannel = f.get_or("backchannel", "");
    in.redirect_uris = lines_of(f.get_or("redirect_uris", ""));
    in.logout_uris = lines_of(f.get_or("logout_uris", ""));
    std::vector<std::string> scopes{"openid"};
    for (const auto s : f.all("scopes")) scopes.emplace_back(s);
    in.scopes = joined(scopes, " ");
    return in;
}

std::string level_word(const Kit& k, const Request& req, const std::string& level) {
    return k->t(req, "oidc_clients.level." + level);
}

Data client_item(const Kit& k, const Request& req, const Client& c) {
    Data d;
    d.set("client_id", c.client_id);
    d.set("name", c.name);
    d.set("auth", std::string(to_string(c.auth)));
    d.set("has_secret", c.auth == ClientAuth::client_secret_basic);
    Data uris{Data::type::list};
    for (const auto& u : c.redirect_uris) uris.push_back(Data(u));
    d.set("redirect_uris", uris);
    d.set("scopes", join_scopes(c.scopes));
    d.set("min_level", level_word(k, req, c.min_level));
    d.set("created", http::local_time(req, c.created_at));
    return d;
}

// The form's choices with what the operator picked (or the defaults) marked.
void add_choices(const Kit& k, const Request& req, Data& d, const ClientInput& in) {
    std::set<std::string> picked;
    std::istringstream words(in.scopes);
    for (std::string w; words >> w;) picked.insert(w);
    Data scopes{Data::type::list};
    for (const auto& s : scope_catalog()) {
        if (s.name == "openid") continue;
        const std::string name(s.name);
        Data item;
        item.set("value", name);
        item.set("label", k->t(req, "oidc.scope." + name + ".title"));
        item.set("checked", picked.count(name) > 0);
        scopes.push_back(item);
    }
    d.set("scope_choices", scopes);
    Data levels{Data::type::list};
    for (const char* l : kLevels) {
        Data item;
        item.set("value", std::string(l));
        item.set("label", level_word(k, req, l));
        item.set("selected", in.min_level == l);
        levels.push_back(item);
    }
    d.set("level_choices", levels);
    d.set("auth_basic", in.auth != "private_key_jwt");
    d.set("auth_jwt", in.auth == "private_key_jwt");
    d.set("alg_es", in.alg == "ES256");
}

void add_values(Data& d, const ClientInput& in) {
    d.set("id", in.id);
    d.set("name", in.name);
    d.set("logo", in.logo);
    d.set("jwks", in.jwks);
    d.set("backchannel", in.backchannel);
    d.set("redirect_uris_text", joined(in.redirect_uris, "\n"));
    d.set("logout_uris_text", joined(in.logout_uris, "\n"));
}

void add_problems(const Kit& k, const Request& req, Data& d, const std::vector<ClientProblem>& problems) {
    Data errors{Data::type::list};
    for (const char* field : kFields)
        for (const auto& p : problems)
            if (p.field == field) {
                const std::string message = k->t(req, "oidc_clients.error." + p.code);
                d.set(p.field + "_error", message);
                d.set(p.field + "_invalid", true);
                Data e;
                e.set("field", p.field);
                e.set("message", message);
                errors.push_back(e);
                break;
            }
    d.set("errors", errors);
    d.set("has_errors", !problems.empty());
}

Response list_page(const Kit& k, Request& req, const ClientInput& in, const std::vector<ClientProblem>& problems,
                   Status status) {
    Data d;
    Data list{Data::type::list};
    const auto clients = k->service.clients().list();
    for (const auto& c : clients) list.push_back(client_item(k, req, c));
    d.set("clients", list);
    d.set("has_clients", !clients.empty());
    d.set("removed", req.query().get_or("done", "") == "removed");
    add_choices(k, req, d, in);
    add_values(d, in);
    add_problems(k, req, d, problems);
    return k->renderer.page(req, "oidc/clients", d, k->t(req, "oidc_clients.title"), status);
}

// The secret (or, for private_key_jwt, only the client id) after creation or rotation.
Response secret_page(const Kit& k, Request& req, const std::string& client_id, const std::string& secret,
                     bool rotated) {
    Data d;
    d.set("client_id", client_id);
    d.set("secret", secret);
    d.set("has_secret", !secret.empty());
    d.set("rotated", rotated);
    return k->renderer.page(req, "oidc/clients_secret", d, k->t(req, "oidc_clients.secret.title"));
}

Response add_site(const Kit& k, Request& req) {
    const ClientInput in = input_of(req);
    const ClientCheck check = check_client(in, core::now_unix());
    if (!check.ok()) return list_page(k, req, in, check.problems, Status::unprocessable_entity);
    const auto registered = register_client(k->service.clients(), check.client);
    if (!registered) return list_page(k, req, in, {{"id", "id_taken"}}, Status::conflict);
    core::app_log().info("oidc: operator {} registered client {} ({})", req.account->id, check.client.client_id,
                         to_string(check.client.auth));
    return secret_page(k, req, check.client.client_id, registered->secret, false);
}

Response rotate_site(const Kit& k, Request& req) {
    const std::string id = req.form().get_or("client_id", "");
    const auto secret = rotate_client_secret(k->service.clients(), id, core::now_unix());
    if (!secret) return k->renderer.error_page(req, Status::not_found);
    core::app_log().info("oidc: operator {} rotated the secret of client {}", req.account->id, id);
    return secret_page(k, req, id, *secret, true);
}

Response confirm_remove(const Kit& k, Request& req) {
    const auto c = k->service.clients().find(req.query().get_or("client_id", ""));
    if (!c) return k->renderer.error_page(req, Status::not_found);
    Data d;
    d.set("client_id", c->client_id);
    d.set("name", c->name);
    return k->renderer.page(req, "oidc/clients_remove", d, k->t(req, "oidc_clients.remove.title"));
}

Response remove_site(const Kit& k, Request& req, db::Database& db) {
    const std::string id = req.form().get_or("client_id", "");
    if (!remove_client(db, id, core::now_unix())) return k->renderer.error_page(req, Status::not_found);
    core::app_log().info("oidc: operator {} removed client {}; its tokens are revoked", req.account->id, id);
    return Response::redirect("/oidc/clients?done=removed");
}

}  // namespace

void register_clients_routes(const Kit& k) {
    http::RouteOptions staff;
    staff.access = http::with_role(kRole);
    k->router.get("/oidc/clients", [k](Request& req) { return list_page(k, req, ClientInput{}, {}, Status::ok); },
                  staff);
    k->router.post("/oidc/clients", [k](Request& req) { return add_site(k, req); }, staff);
    k->router.post("/oidc/clients/rotate", [k](Request& req) { return rotate_site(k, req); }, staff);
    k->router.get("/oidc/clients/remove", [k](Request& req) { return confirm_remove(k, req); }, staff);
    k->router.post("/oidc/clients/remove", [k](Request& req) { return remove_site(k, req, k->service.database()); }, staff);
}

}  // namespace uslugi::oidc
