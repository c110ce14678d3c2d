#pragma once
#include <utility>

#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::http {

using Status = boost::beast::http::status;

struct Cookie {
    std::string name;
    std::string value;
    std::optional<std::chrono::seconds> max_age;  // none: a browser-session cookie
    bool http_only = true;
    bool secure = false;
    std::string same_site = "Lax";
    std::string path = "/";

    std::string to_header() const;
};

struct Response {
    Status status = Status::ok;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool cacheable = false;  // handlers opt in; everything else gets Cache-Control: no-store

    static Response html(std::string body, Status status = Status::ok);
    static Response json(const nlohmann::json& value, Status status = Status::ok);
    static Response text(std::string body, Status status = Status::ok);
    static Response redirect(std::string location, Status status = Status::see_other);
    // {"error":{"code":"…","message":"…"}} — the API's one error shape.
    static Response json_error(Status status, std::string code, std::string message);

    void set_header(std::string name, std::string value);
    const std::string* find_header(std::string_view name) const;
    void set_cookie(const Cookie& c) { headers.emplace_back("Set-Cookie", c.to_header()); }
};

}  // namespace uslugi::http
