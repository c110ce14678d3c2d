#pragma once
// What the cabinet's route files share (routes.cpp registers them).
#include "cabinet/service.hpp"
#include "catalog/service.hpp"
#include "http/render.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/router.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace uslugi::cabinet {

struct RouteKit {
    http::Router& router;
    const http::Renderer& renderer;
    CabinetService& service;
    const catalog::CatalogService& catalog;

    std::string t(const http::Request& req, const std::string& key) const { return renderer.locale(req).text(key); }
};
using Kit = std::shared_ptr<const RouteKit>;

void register_document_routes(const Kit& kit);
void register_address_routes(const Kit& kit);

// The typed fields of a form or a JSON object; a JSON array of strings (the
// categories) is joined with spaces. A body that is not a JSON object is a 400.
Fields typed_fields(http::Request& req, const std::vector<std::string>& names);
// A path parameter that must be a positive number; nullopt answers 404.
std::optional<std::int64_t> id_param(const http::Request& req, const char* name);
// {"error":{"code":"cabinet.invalid","message":…,"fields":{"number":{"code":…,"message":…}}}}, 422.
http::Response json_invalid(const http::Request& req, const Kit& kit, const Outcome& o);
// "<field>_error", "<field>_invalid" and the "errors" summary of a form.
void add_errors(http::Data& d, const http::Request& req, const Kit& kit, const std::vector<FieldError>& errors);
// "3 December 2026" in the reader's language.
std::string long_date(const std::optional<Date>& d, const http::Request& req);

}  // namespace uslugi::cabinet
