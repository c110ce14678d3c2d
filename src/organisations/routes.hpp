#pragma once
// Pages and /api/v1/ twins of organisations and entrepreneurs (ID-5).
#include "catalog/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "organisations/service.hpp"

#include <memory>

namespace uslugi::organisations {

struct RouteKit {
    http::Router& router;
    const http::Renderer& renderer;
    OrganisationService& service;
    const catalog::CatalogService& catalog;

    std::string t(const http::Request& req, const std::string& key) const { return renderer.locale(req).text(key); }
};
using Kit = std::shared_ptr<const RouteKit>;

void register_routes(http::Router& router, const http::Renderer& renderer, OrganisationService& service,
                     const catalog::CatalogService& catalog);

// Parts, one file each.
void register_organisation_routes(const Kit& kit);
void register_member_routes(const Kit& kit);
void register_entrepreneur_routes(const Kit& kit);

// Shared by the parts.
// The JSON error of a failed use case: 404 for what the account may not see, 503 while the register is down, else 422.
http::Response api_failure(const http::Request& req, const Kit& kit, const Done& d);
http::Status page_status(const Done& d);
// The form's message and field error of a failed use case.
void add_failure(http::Data& d, const http::Request& req, const Kit& kit, const Done& done);
// A path parameter that must be a positive number; nullopt answers 404.
std::optional<std::int64_t> id_param(const http::Request& req, const char* name);
// The services chosen on a form (checkboxes "services") or in JSON (an array of strings).
std::vector<std::string> chosen_services(http::Request& req);
// The ids of `ids` that name catalog services for legal entities (others are dropped).
std::vector<std::string> catalog_services(const Kit& kit, std::vector<std::string> ids);
bool wants_json(const http::Request& req);
// Services an organisation's employee may be given: those of the catalog for legal entities.
http::Data service_choices(const Kit& kit, const http::Request& req, const std::vector<std::string>& chosen);
std::string service_title(const Kit& kit, const http::Request& req, const std::string& id);

}  // namespace uslugi::organisations
