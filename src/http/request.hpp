#pragma once
// A parsed HTTP request as handlers see it: decoded path, query, cookies,
// form fields and uploaded files, plus what the pipeline learned about the
// visitor (session, language, request id).
#include <utility>  // before Boost.Asio under C++20 with GCC 12 (DESIGN.md)

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/text.hpp"
#include "http/account_brief.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::http {

namespace bhttp = boost::beast::http;
using RawRequest = bhttp::request<bhttp::string_body>;

// Ordered key/value pairs: a query string or form may repeat a key.
class Params {
public:
    void add(std::string key, std::string value) { items_.emplace_back(std::move(key), std::move(value)); }
    // The first value of a key, if present.
    std::optional<std::string_view> get(std::string_view key) const;
    std::string get_or(std::string_view key, std::string_view fallback) const;
    std::vector<std::string_view> all(std::string_view key) const;
    bool has(std::string_view key) const { return get(key).has_value(); }
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
    bool empty() const { return items_.empty(); }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct UploadedFile {
    std::string field;
    std::string filename;
    std::string content_type;
    std::string data;
};

struct SessionData;  // session_store.hpp

class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Request {
public:
    explicit Request(RawRequest raw);

    bhttp::verb method() const { return raw_.method(); }
    std::string_view method_name() const { return raw_.method_string(); }
    const std::string& path() const { return path_; }  // percent-decoded
    const std::string& target() const { return target_; }
    const Params& query() const { return query_; }
    std::string_view header(bhttp::field f) const;
    std::string_view header(std::string_view name) const;
    const std::map<std::string, std::string, std::less<>>& cookies() const { return cookies_; }
    std::optional<std::string_view> cookie(std::string_view name) const;
    const std::string& body() const { return raw_.body(); }
    // Form fields from an url-encoded or multipart body (parsed once, on first use).
    const Params& form();
    const std::vector<UploadedFile>& files();
    bool keep_alive() const { return raw_.keep_alive(); }
    bool wants_json() const;

    // Filled by the router.
    std::map<std::string, std::string, std::less<>> path_params;
    std::string route_pattern;
    std::string param(std::string_view name) const;

    // Filled by the pipeline.
    std::string request_id;
    std::string remote_ip;
    bool secure = false;  // reached over TLS (directly or through a trusted proxy)
    std::string lang = "ru";
    // The IANA zone times are shown in: the session's choice, else the configured default.
    std::string time_zone = "Europe/Moscow";
    std::shared_ptr<SessionData> session;
    std::shared_ptr<const AccountBrief> account;  // set when the session is signed in
    std::string new_session_token;    // set when a session was created: the cookie goes out
    bool clear_session_cookie = false;  // the cookie named a session that has ended
    // Without a session: the CSRF token of the visitor's signed cookie (csrf.hpp),
    // and the cookie to send when the pipeline has just made one.
    std::string anonymous_csrf;
    std::string new_csrf_cookie;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

private:
    void parse_body();

    RawRequest raw_;
    std::string target_;
    std::string path_;
    Params query_;
    std::map<std::string, std::string, std::less<>> cookies_;
    bool body_parsed_ = false;
    Params form_;
    std::vector<UploadedFile> files_;
};

// Percent-decoding; `plus_is_space` for application/x-www-form-urlencoded.
// Throws BadRequest on malformed escapes or decoded NUL bytes.
std::string url_decode(std::string_view in, bool plus_is_space);
using text::url_encode;
Params parse_urlencoded(std::string_view text);
std::map<std::string, std::string, std::less<>> parse_cookie_header(std::string_view header);
void parse_multipart(const std::string& body, const std::string& boundary, Params& fields,
                     std::vector<UploadedFile>& files);
// The boundary parameter of a multipart/form-data Content-Type, or "".
std::string multipart_boundary(std::string_view content_type);

}  // namespace uslugi::http
