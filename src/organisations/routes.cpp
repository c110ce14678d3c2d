#include "organisations/routes.hpp"

#include "http/request.hpp"
#include "http/response.hpp"

#include <charconv>

namespace uslugi::organisations {

using http::Data;
using http::Request;
using http::Response;
using http::Status;

bool wants_json(const Request& req) {
    return req.header(http::bhttp::field::content_type).rfind("application/json", 0) == 0;
}

Status page_status(const Done& d) {
    if (d.error == "not_found") return Status::not_found;
    if (d.error == "registry_unavailable") return Status::service_unavailable;
    return Status::unprocessable_entity;
}

Response api_failure(const Request& req, const Kit& kit, const Done& d) {
    Response r = Response::json_error(page_status(d), "organisations." + d.error, kit->t(req, d.message_key));
    if (d.error == "registry_unavailable") r.set_header("Retry-After", "60");
    return r;
}

void add_failure(Data& d, const Request& req, const Kit& kit, const Done& done) {
    const std::string message = kit->t(req, done.message_key);
    d.set("message", message);
    if (!done.field.empty()) {
        d.set(done.field + "_error", message);
        d.set(done.field + "_invalid", true);
    }
}

std::optional<std::int64_t> id_param(const Request& req, const char* name) {
    const std::string v = req.param(name);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc{} || end != v.data() + v.size() || id <= 0) return std::nullopt;
    return id;
}

std::vector<std::string> chosen_services(Request& req) {
    std::vector<std::string> out;
    if (wants_json(req)) {
        const auto j = nlohmann::json::parse(req.body(), nullptr, false);
        if (!j.is_object()) throw http::BadRequest("the body must be a JSON object");
        auto it = j.find("services");
        if (it == j.end() || it->is_null()) return out;
        if (!it->is_array() || it->size() > 500) throw http::BadRequest("services must be an array of service ids");
        for (const auto& s : *it) {
            if (!s.is_string()) throw http::BadRequest("services must be an array of service ids");
            out.push_back(s.get<std::string>());
        }
        return out;
    }
    for (auto v : req.form().all("services")) out.emplace_back(v);
    return out;
}

std::vector<std::string> catalog_services(const Kit& kit, std::vector<std::string> ids) {
    // Only services of the catalog that legal entities may use can be given to an employee.
    const auto cat = kit->catalog.current();
    std::erase_if(ids, [&cat](const std::string& id) {
        const catalog::Service* s = cat->service(id);
        return !s || !s->for_audience("legal");
    });
    return ids;
}

Data service_choices(const Kit& kit, const Request& req, const std::vector<std::string>& chosen) {
    const auto cat = kit->catalog.current();
    Data list(Data::type::list);
    for (const catalog::Service* s : cat->popular({"", "", "legal"}, 1000)) {
        Data item;
        item.set("id", s->id);
        item.set("title", s->title.in(req.lang));
        item.set("checked", std::find(chosen.begin(), chosen.end(), s->id) != chosen.end());
        list.push_back(item);
    }
    return list;
}

std::string service_title(const Kit& kit, const Request& req, const std::string& id) {
    const auto cat = kit->catalog.current();
    const catalog::Service* s = cat->service(id);
    return s ? s->title.in(req.lang) : id;
}

void register_routes(http::Router& router, const http::Renderer& renderer, OrganisationService& service,
                     const catalog::CatalogService& catalog) {
    auto kit = std::make_shared<const RouteKit>(RouteKit{router, renderer, service, catalog});
    register_organisation_routes(kit);
    register_member_routes(kit);
    register_entrepreneur_routes(kit);
}

}  // namespace uslugi::organisations
