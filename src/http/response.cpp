#include "http/response.hpp"

#include <strings.h>

namespace uslugi::http {

std::string Cookie::to_header() const {
    std::string out = name + "=" + value + "; Path=" + path;
    if (max_age) out += "; Max-Age=" + std::to_string(max_age->count());
    if (http_only) out += "; HttpOnly";
    if (secure) out += "; Secure";
    if (!same_site.empty()) out += "; SameSite=" + same_site;
    return out;
}

Response Response::html(std::string body, Status status) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response Response::json(const nlohmann::json& value, Status status) {
    Response r;
    r.status = status;
    r.content_type = "application/json; charset=utf-8";
    // Replace invalid UTF-8 rather than throw: user input ends up in JSON answers.
    r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

Response Response::text(std::string body, Status status) {
    Response r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::move(body);
    return r;
}

Response Response::redirect(std::string location, Status status) {
    Response r;
    r.status = status;
    r.content_type.clear();
    r.set_header("Location", std::move(location));
    return r;
}

Response Response::json_error(Status status, std::string code, std::string message) {
    return json({{"error", {{"code", std::move(code)}, {"message", std::move(message)}}}}, status);
}

void Response::set_header(std::string name, std::string value) {
    for (auto& [n, v] : headers)
        if (strcasecmp(n.c_str(), name.c_str()) == 0) {
            v = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

const std::string* Response::find_header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return &v;
    return nullptr;
}

}  // namespace uslugi::http
