// The authorization endpoint as the user meets it (ID-7): sign in if needed,
// the level the site needs (what is missing, and the way back), the consent
// screen (the site's name and logo, each item of data in words, allow or
// refuse), then back to the site with a code. Works without JavaScript: the
// consent form carries the request in hidden fields and the session's CSRF token.
#include "identity/model.hpp"
#include "oidc/route_kit.hpp"

namespace uslugi::oidc {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr const char* kRequestFields[] = {"client_id", "redirect_uri", "response_type", "scope", "state",
                                          "nonce", "code_challenge", "code_challenge_method", "acr_values", "prompt"};

AuthorizeRequest request_from(const http::Params& p) {
    auto get = [&p](const char* name) { return std::string(p.get(name).value_or("")); };
    return {get("client_id"), get("redirect_uri"), get("response_type"), get("scope"), get("state"),
            get("nonce"), get("code_challenge"), get("code_challenge_method"), get("acr_values"), get("prompt")};
}

std::vector<std::pair<std::string, std::string>> fields_of(const AuthorizeRequest& r) {
    const std::string values[] = {r.client_id, r.redirect_uri, r.response_type, r.scope, r.state,
                                  r.nonce, r.code_challenge, r.code_challenge_method, r.acr_values, r.prompt};
    std::vector<std::pair<std::string, std::string>> out;
    for (std::size_t i = 0; i < std::size(kRequestFields); ++i)
        if (!values[i].empty()) out.emplace_back(kRequestFields[i], values[i]);
    return out;
}

// "/oidc/authorize?client_id=…": where to come back after signing in or raising the level.
std::string authorize_target(const AuthorizeRequest& r) { return with_query("/oidc/authorize", fields_of(r)); }

Data hidden_fields(const AuthorizeRequest& r) {
    Data list{Data::type::list};
    for (const auto& [name, value] : fields_of(r)) {
        Data f;
        f.set("name", name);
        f.set("value", value);
        list.push_back(f);
    }
    return list;
}

Data site_data(const Client& c) {
    Data d;
    d.set("site_name", c.name);
    d.set("logo_url", c.logo_url);
    d.set("has_logo", !c.logo_url.empty());
    return d;
}

Response consent_page(const Kit& k, const Request& req, const AuthorizeRequest& r, const AuthorizeDecision& d) {
    Data data = site_data(*d.client);
    Data items{Data::type::list};
    for (const auto& scope : data_scopes(d.scopes)) {
        Data item;
        item.set("title", k->t(req, "oidc.scope." + scope + ".title"));
        item.set("text", k->t(req, "oidc.scope." + scope + ".text"));
        items.push_back(item);
    }
    data.set("items", items);
    data.set("has_items", !data_scopes(d.scopes).empty());
    data.set("fields", hidden_fields(r));
    data.set("account_name", req.account ? req.account->display_name : std::string());
    Response page = k->renderer.page(req, "oidc/consent", data, k->t(req, "oidc.consent.title"));
    allow_form_target(page, origin_of(r.redirect_uri));
    return page;
}

Response level_page(const Kit& k, const Request& req, const AuthorizeRequest& r, const AuthorizeDecision& d) {
    const auto need = identity::parse_level(acr_name(d.need_rank));
    const auto have = identity::parse_level(req.account->level);
    const auto gate = identity::gate(have, need, k->identity.checks_running(req.account->id));
    Data data = site_data(*d.client);
    const std::string back = authorize_target(r);
    data.set("need_text", k->t(req, "identity.level." + std::string(acr_name(d.need_rank))));
    data.set("have_text", k->t(req, "identity.level." + req.account->level));
    Data steps{Data::type::list};
    for (auto s : gate.missing) {
        const std::string key = "identity.step." + std::string(identity::to_string(s));
        Data item;
        item.set("title", k->t(req, key + ".title"));
        item.set("text", k->t(req, key + ".text"));
        steps.push_back(item);
    }
    data.set("steps", steps);
    data.set("guide_href", "/access?need=" + std::string(acr_name(d.need_rank)) + "&next=" + http::url_encode(back));
    data.set("retry_href", back);
    data.set("fields", hidden_fields(r));
    Response page = k->renderer.page(req, "oidc/level", data, k->t(req, "oidc.level.title"), Status::forbidden);
    allow_form_target(page, origin_of(r.redirect_uri));
    return page;
}

// Back to the site. After our own sign-in form the browser would check this
// hop against that form's form-action 'self' and refuse it, so a request that
// comes from one of our pages (Sec-Fetch-Site: same-origin) gets a page that
// moves on by itself (Refresh) and has a link, which no form policy governs.
Response back_to_site(const Kit& k, const Request& req, const AuthorizeDecision& d) {
    if (req.method() == http::bhttp::verb::post || req.header("Sec-Fetch-Site") != "same-origin")
        return Response::redirect(d.redirect, req.method() == http::bhttp::verb::post ? Status::see_other : Status::found);
    Data data = site_data(*d.client);
    data.set("href", d.redirect);
    Response page = k->renderer.page(req, "oidc/continue", data, k->t(req, "oidc.continue.title"));
    page.set_header("Refresh", "0;url=" + d.redirect);
    return page;
}

Response answer(const Kit& k, Request& req, const AuthorizeRequest& r, bool consented) {
    const std::int64_t auth_time = req.session ? req.session->signed_in_at : 0;
    const auto d = k->service.authorize(r, req.account.get(), req.session ? req.session->id_hash : "", auth_time,
                                        consented);
    using Kind = AuthorizeDecision::Kind;
    switch (d.kind) {
        case Kind::fatal: return problem_page(k, req, "oidc.problem." + d.error, Status::bad_request);
        case Kind::error_redirect:
        case Kind::code: return back_to_site(k, req, d);
        case Kind::sign_in: return Response::redirect("/signin?next=" + http::url_encode(authorize_target(r)));
        case Kind::level: return level_page(k, req, r, d);
        case Kind::consent: return consent_page(k, req, r, d);
    }
    return problem_page(k, req, "oidc.problem.unknown_client", Status::bad_request);
}

}  // namespace

void register_authorize_routes(const Kit& k) {
    k->router.get("/oidc/authorize", [k](Request& req) { return answer(k, req, request_from(req.query()), false); });
    // The consent form's answer: "allow" or "refuse"; the pipeline checked the CSRF token.
    k->router.post("/oidc/authorize", [k](Request& req) {
        const AuthorizeRequest r = request_from(req.form());
        if (req.form().get_or("decision", "") == "allow") return answer(k, req, r, true);
        if (auto back = k->service.refuse(r)) return Response::redirect(*back, Status::see_other);
        return problem_page(k, req, "oidc.problem.bad_redirect_uri", Status::bad_request);
    }, http::for_signed_in());
}

}  // namespace uslugi::oidc
