// An organisation's applications (ID-5) for its head and administrators,
// while they act for it: the list, one application read-only with its
// history, and the JSON twin of the list. Anyone else gets 404.
#include "applications/route_kit.hpp"

#include "catalog/route_kit.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "http/pagination.hpp"

namespace uslugi::applications {

using http::Data;
using http::Request;
using http::Response;
using HttpStatus = http::Status;

namespace {

const std::string kBase = "/account/organisation/applications";

Data card(const Kit& kit, const Request& req, const Application& a, const catalog::Catalog& cat, const core::Locale& t) {
    Data d;
    d.set("href", kBase + "/" + std::to_string(a.id));
    d.set("number", a.number);
    if (const catalog::Service* s = cat.service(a.service_id)) catalog::set_text(d, "service", s->title, req.lang);
    else d.set("service", a.service_id);
    if (const catalog::Authority* au = cat.authority(a.authority_id)) catalog::set_text(d, "authority", au->name, req.lang);
    add_status(d, a.status, t);
    d.set("submitted", when(req, a.submitted_at));
    d.set("due", when(req, a.due_at));
    d.set("applicant", kit->service.applicant_name(a.account_id));
    return d;
}

Response list_page(const Kit& kit, Request& req) {
    const std::size_t page = http::page_of(req);
    std::size_t total = 0;
    const auto list = kit->service.organisation_applications(*req.account, (page - 1) * http::kPageSize, http::kPageSize, &total);
    if (!list) return kit->not_found(req);
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    Data items{Data::type::list};
    for (const auto& a : *list) items.push_back(card(kit, req, a, *cat, t));
    Data d;
    const auto* org = req.account->current_organisation();
    d.set("organisation", org ? org->name : std::string());
    d.set("applications", items);
    d.set("has_applications", total > 0);
    d.set("pagination", http::pagination(kit->renderer, req, page, total));
    return kit->renderer.page(req, "applications/organisation_list", d, t.text("applications_more.organisation.title"));
}

Response detail_page(const Kit& kit, Request& req) {
    const std::int64_t id = id_param(req, "id");
    const auto a = id ? kit->service.organisation_application(*req.account, id) : std::nullopt;
    if (!a) return kit->not_found(req);
    const core::Locale& t = kit->locale(req);
    const auto cat = kit->service.catalog().current();
    Data d = card(kit, req, *a, *cat, t);
    d.set("history", history_data(req, kit->service.history(a->id), t));
    if (const auto def = kit->service.form(a->service_id)) d.set("steps", answers_data(*def, a->values, req.lang, t));
    d.set("result_text", a->result_text);
    d.set("has_result", !a->result_text.empty());
    return kit->renderer.page(req, "applications/organisation_detail", d, t.text("applications.detail.title") + " " + a->number);
}

}  // namespace

void register_organisation_routes(const Kit& kit) {
    kit->router.get(kBase, [kit](Request& req) { return list_page(kit, req); }, http::for_signed_in());
    kit->router.get(kBase + "/{id}", [kit](Request& req) { return detail_page(kit, req); }, http::for_signed_in());
    kit->router.get("/api/v1/organisation/applications", [kit](Request& req) {
        const std::size_t page = http::page_of(req);
        std::size_t total = 0;
        const auto list = kit->service.organisation_applications(*req.account, (page - 1) * http::kPageSize, http::kPageSize, &total);
        if (!list) return Response::json_error(HttpStatus::not_found, "applications.organisation_not_found",
                                               "not acting for an organisation whose applications you may see");
        const core::Locale& t = kit->locale(req);
        const auto cat = kit->service.catalog().current();
        nlohmann::json items = nlohmann::json::array();
        for (const auto& a : *list) {
            nlohmann::json j = application_json(a, *cat, t);
            j["applicant"] = kit->service.applicant_name(a.account_id);
            items.push_back(j);
        }
        return Response::json({{"organisation", req.account->acting_for}, {"applications", items}, {"total", total}, {"page", page}});
    }, http::for_signed_in());
}

}  // namespace uslugi::applications
