// The entrepreneur's profile (ID-5): OGRNIP checked with the tax service.
#include "identity/web.hpp"
#include "organisations/routes.hpp"

#include "http/request.hpp"
#include "http/response.hpp"
#include "http/twin_routes.hpp"

namespace uslugi::organisations {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

namespace {

nlohmann::json entrepreneur_json(const std::optional<Entrepreneur>& e) {
    if (!e) return {{"registered", false}};
    return {{"registered", true}, {"ogrnip", e->ogrnip}, {"inn", e->inn}, {"short_name", e->short_name},
            {"full_name", e->full_name}, {"registered_date", e->registered_date}, {"okved", e->okved}};
}

Response page(const Kit& kit, Request& req, const std::string& typed, const Done* failure) {
    Data d;
    if (auto e = kit->service.entrepreneur(req.account->id)) {
        d.set("registered", true);
        d.set("ogrnip", e->ogrnip);
        d.set("inn", e->inn);
        d.set("full_name", e->full_name);
        d.set("registered_date", identity::format_long(e->registered_date, req.lang));
        d.set("okved", e->okved);
    }
    d.set("confirmed", req.account->level == "confirmed");
    d.set("ogrnip_value", typed);
    if (failure) add_failure(d, req, kit, *failure);
    if (req.query().get_or("saved", "") == "1") d.set("notice", kit->t(req, "organisations.entrepreneur.saved"));
    return kit->renderer.page(req, "organisations/entrepreneur", d, kit->t(req, "organisations.entrepreneur.title"),
                              failure ? page_status(*failure) : Status::ok);
}

}  // namespace

void register_entrepreneur_routes(const Kit& kit) {
    kit->router.get("/account/entrepreneur", [kit](Request& req) { return page(kit, req, "", nullptr); },
                    http::for_signed_in());
    kit->router.get("/api/v1/account/entrepreneur", [kit](Request& req) {
        return Response::json(entrepreneur_json(kit->service.entrepreneur(req.account->id)));
    }, http::for_signed_in());
    http::RouteOptions confirmed;
    confirmed.access = identity::at_least(identity::Level::confirmed);
    http::post_twins(
        kit->router, {"/account/entrepreneur", "/api/v1/account/entrepreneur"},
        [kit](Request& req) {
            const std::string typed = identity::FormInput(req).get("ogrnip");
            return std::make_pair(typed, kit->service.register_entrepreneur(req.account->id, typed));
        },
        [kit](Request& req, const std::pair<std::string, Done>& r) {
            if (!r.second.ok()) return page(kit, req, r.first, &r.second);
            return Response::redirect("/account/entrepreneur?saved=1");
        },
        [kit](Request& req, const std::pair<std::string, Done>& r) {
            if (!r.second.ok()) return api_failure(req, kit, r.second);
            return Response::json(entrepreneur_json(kit->service.entrepreneur(req.account->id)));
        },
        confirmed);
}

}  // namespace uslugi::organisations
