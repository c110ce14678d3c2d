#include "identity/foreign_routes.hpp"

#include "http/twin_routes.hpp"
#include "identity/profile.hpp"
#include "identity/web.hpp"

#include <nlohmann/json.hpp>

namespace uslugi::identity {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

constexpr std::size_t kShownBytes = 200;  // values re-shown in a form are cut here

std::map<std::string, std::string> raw_of(Request& req) {
    FormInput in(req);
    std::map<std::string, std::string> raw;
    for (auto f : foreign_fields()) raw[std::string(f)] = in.get(std::string(f));
    return raw;
}

nlohmann::json profile_json(const ForeignProfile& p) {
    nlohmann::json j;
    for (auto f : foreign_fields()) j[std::string(f)] = foreign_field(p, f);
    return j;
}

Data country_options(const std::string& chosen, const core::Locale& t) {
    Data list(Data::type::list);
    Data none;
    none.set("value", std::string());
    none.set("label", t.text("identity_foreign.choose_country"));
    none.set("selected", chosen.empty());
    list.push_back(none);
    for (auto c : foreign_countries()) {
        Data item;
        item.set("value", std::string(c));
        item.set("label", t.text("profile.country." + std::string(c)));
        item.set("selected", chosen == c);
        list.push_back(item);
    }
    return list;
}

Response page(const http::Renderer& renderer, Request& req, ForeignService& foreign,
              const std::map<std::string, std::string>* typed, const std::map<std::string, std::string>* errors,
              Status status) {
    const core::Locale& t = renderer.locale(req);
    Data d;
    auto stored = foreign.find(req.account->id);
    std::map<std::string, std::string> values;
    if (typed) values = *typed;
    else if (stored)
        for (auto f : foreign_fields()) values[std::string(f)] = foreign_field(stored->profile, f);
    for (const auto& [k, v] : values) d.set(k + "_value", v.substr(0, kShownBytes));
    d.set("countries", country_options(values["citizenship"], t));
    if (errors) add_field_errors(d, *errors, t);
    if (stored) {
        const std::string state(to_string(stored->check));
        d.set("checked", true);
        d.set("check_state", state);
        d.set("check_text", t.text("identity_foreign.check." + state));
        d.set("check_ok", stored->check == ForeignCheck::valid);
        d.set("can_recheck", stored->check == ForeignCheck::unavailable);
    }
    if (req.query().get_or("saved", "") == "1") d.set("saved", true);
    return renderer.page(req, "identity/foreign_profile", d, t.text("identity_foreign.title"), status);
}

nlohmann::json save_json(const ForeignSave& r, std::int64_t account_id, ForeignService& foreign) {
    return {{"profile", profile_json(r.profile)}, {"check", to_string(r.check)}, {"raised", r.raised},
            {"kind", "foreign"}};
}

Response api_errors(const ForeignSave& r, const core::Locale& t) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& [f, key] : r.errors) fields[f] = {{"code", key}, {"message", t.text(key)}};
    return Response::json({{"error", {{"code", "identity_foreign.invalid"},
                                      {"message", t.text("identity.form.errors_title")},
                                      {"fields", fields}}}},
                          Status::unprocessable_entity);
}

void register_save(http::Router& router, const http::Renderer& renderer, ForeignService& foreign,
                   const std::string& public_url) {
    using Saved = std::pair<std::map<std::string, std::string>, ForeignSave>;
    http::post_twins(
        router, {"/account/foreign", "/api/v1/account/foreign"},
        [&foreign, public_url](Request& req) {
            auto raw = raw_of(req);
            ForeignSave r = foreign.save(context_of(req, public_url), req.account->id, raw);
            return Saved{std::move(raw), std::move(r)};
        },
        [&renderer, &foreign](Request& req, const Saved& s) {
            if (!s.second.ok())
                return page(renderer, req, foreign, &s.first, &s.second.errors, Status::unprocessable_entity);
            return Response::redirect("/account/foreign?saved=1");
        },
        [&renderer, &foreign](Request& req, const Saved& s) {
            if (!s.second.ok()) return api_errors(s.second, renderer.locale(req));
            return Response::json(save_json(s.second, req.account->id, foreign));
        },
        http::for_signed_in());
    router.post("/account/foreign/recheck", [&foreign, public_url](Request& req) {
        foreign.recheck(context_of(req, public_url), req.account->id);
        return Response::redirect("/account/foreign?saved=1");
    }, http::for_signed_in());
}

}  // namespace

void register_foreign_routes(http::Router& router, const http::Renderer& renderer, ForeignService& foreign,
                             const std::string& public_url) {
    router.get("/account/foreign", [&renderer, &foreign](Request& req) {
        return page(renderer, req, foreign, nullptr, nullptr, Status::ok);
    }, http::for_signed_in());
    router.get("/api/v1/account/foreign", [&foreign](Request& req) {
        auto stored = foreign.find(req.account->id);
        if (!stored) return Response::json({{"saved", false}, {"kind", req.account->kind}});
        return Response::json({{"saved", true}, {"kind", req.account->kind}, {"profile", profile_json(stored->profile)},
                               {"check", to_string(stored->check)}});
    }, http::for_signed_in());
    register_save(router, renderer, foreign, public_url);
}

}  // namespace uslugi::identity
