#include "cabinet/routes.hpp"

#include "cabinet/route_kit.hpp"

#include <charconv>

namespace uslugi::cabinet {

using http::Data;
using http::Request;
using http::Response;

Fields typed_fields(Request& req, const std::vector<std::string>& names) {
    Fields out;
    if (req.header(http::bhttp::field::content_type).rfind("application/json", 0) == 0) {
        const auto j = nlohmann::json::parse(req.body(), nullptr, false);
        if (!j.is_object()) throw http::BadRequest("the body must be a JSON object");
        for (const auto& name : names) {
            auto it = j.find(name);
            if (it == j.end() || it->is_null()) continue;
            if (it->is_string()) out[name] = it->get<std::string>();
            else if (it->is_number_integer()) out[name] = it->dump();
            else if (it->is_array()) {
                std::string joined;
                for (const auto& v : *it) {
                    if (!v.is_string()) throw http::BadRequest(name + " must be an array of strings");
                    joined += (joined.empty() ? "" : " ") + v.get<std::string>();
                }
                out[name] = joined;
            } else {
                throw http::BadRequest("field " + name + " must be a string");
            }
        }
        return out;
    }
    for (const auto& name : names) {
        std::string joined;  // checkboxes send one value per box
        for (auto v : req.form().all(name)) joined += (joined.empty() ? "" : " ") + std::string(v);
        out[name] = joined;
    }
    return out;
}

std::optional<std::int64_t> id_param(const Request& req, const char* name) {
    const std::string v = req.param(name);
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
    if (ec != std::errc{} || end != v.data() + v.size() || id <= 0) return std::nullopt;
    return id;
}

Response json_invalid(const Request& req, const Kit& kit, const Outcome& o) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& e : o.errors) {
        std::string code = e.key;
        for (const char* prefix : {"cabinet.error.", "validation."})
            if (code.rfind(prefix, 0) == 0) code = code.substr(std::string(prefix).size());
        fields[e.field] = {{"code", code}, {"message", kit->t(req, e.key)}};
    }
    const std::string message = o.errors.empty() ? kit->t(req, "cabinet.error.invalid") : kit->t(req, o.errors.front().key);
    nlohmann::json body{{"error", {{"code", "cabinet." + o.error}, {"message", message}, {"fields", fields}}}};
    return Response::json(body, http::Status::unprocessable_entity);
}

void add_errors(Data& d, const Request& req, const Kit& kit, const std::vector<FieldError>& errors) {
    Data list{Data::type::list};
    for (const auto& e : errors) {
        const std::string message = kit->t(req, e.key);
        d.set(e.field + "_error", message);
        d.set(e.field + "_invalid", true);
        Data item;
        item.set("field", e.field);
        item.set("message", message);
        list.push_back(item);
    }
    d.set("errors", list);
    d.set("has_errors", !errors.empty());
}

std::string long_date(const std::optional<Date>& d, const Request& req) {
    return d ? core::format_long_date(*d, req.lang) : std::string();
}

void register_routes(http::Router& router, const http::Renderer& renderer, CabinetService& service,
                     const catalog::CatalogService& catalog) {
    auto kit = std::make_shared<const RouteKit>(RouteKit{router, renderer, service, catalog});
    register_document_routes(kit);
    register_address_routes(kit);
}

}  // namespace uslugi::cabinet
