#include "http/request.hpp"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <sstream>

namespace uslugi::http {

std::optional<std::string_view> Params::get(std::string_view key) const {
    for (const auto& [k, v] : items_)
        if (k == key) return std::string_view(v);
    return std::nullopt;
}

std::string Params::get_or(std::string_view key, std::string_view fallback) const {
    auto v = get(key);
    return std::string(v ? *v : fallback);
}

std::vector<std::string_view> Params::all(std::string_view key) const {
    std::vector<std::string_view> out;
    for (const auto& [k, v] : items_)
        if (k == key) out.emplace_back(v);
    return out;
}

namespace {
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

std::string url_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) throw BadRequest("truncated percent escape");
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) throw BadRequest("malformed percent escape");
            c = static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0') throw BadRequest("NUL byte in request");
        out.push_back(c);
    }
    return out;
}

Params parse_urlencoded(std::string_view text) {
    Params params;
    std::size_t pos = 0;
    while (pos <= text.size() && !text.empty()) {
        std::size_t amp = text.find('&', pos);
        if (amp == std::string_view::npos) amp = text.size();
        std::string_view pair = text.substr(pos, amp - pos);
        if (!pair.empty()) {
            const std::size_t eq = pair.find('=');
            if (eq == std::string_view::npos)
                params.add(url_decode(pair, true), "");
            else
                params.add(url_decode(pair.substr(0, eq), true), url_decode(pair.substr(eq + 1), true));
        }
        if (amp == text.size()) break;
        pos = amp + 1;
    }
    return params;
}

std::map<std::string, std::string, std::less<>> parse_cookie_header(std::string_view header) {
    std::map<std::string, std::string, std::less<>> out;
    std::size_t pos = 0;
    while (pos < header.size()) {
        std::size_t semi = header.find(';', pos);
        if (semi == std::string_view::npos) semi = header.size();
        std::string_view item = header.substr(pos, semi - pos);
        pos = semi + 1;
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        std::string_view value = item.substr(eq + 1);
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        // The first occurrence wins, as browsers send the most specific cookie first.
        out.emplace(std::string(item.substr(0, eq)), std::string(value));
    }
    return out;
}

std::string multipart_boundary(std::string_view content_type) {
    const std::size_t semi = content_type.find(';');
    if (semi == std::string_view::npos) return "";
    Poco::Net::NameValueCollection params;
    std::string value;
    Poco::Net::MessageHeader::splitParameters(std::string(content_type), value, params);
    return params.get("boundary", "");
}

void parse_multipart(const std::string& body, const std::string& boundary, Params& fields,
                     std::vector<UploadedFile>& files) {
    std::istringstream in(body);
    try {
        Poco::Net::MultipartReader reader(in, boundary);
        while (reader.hasNextPart()) {
            Poco::Net::MessageHeader headers;
            reader.nextPart(headers);
            std::string disposition;
            Poco::Net::NameValueCollection params;
            Poco::Net::MessageHeader::splitParameters(headers.get("Content-Disposition", ""),
                                                      disposition, params);
            std::string data;
            Poco::StreamCopier::copyToString(reader.stream(), data);
            if (!iequals(disposition, "form-data") || !params.has("name"))
                throw BadRequest("multipart part without form-data name");
            // The rule url_decode applies to every name and value of a form.
            if (params.get("name").find('\0') != std::string::npos ||
                params.get("filename", "").find('\0') != std::string::npos)
                throw BadRequest("NUL byte in a multipart name");
            if (params.has("filename")) {
                files.push_back({params.get("name"), params.get("filename"),
                                 headers.get("Content-Type", "application/octet-stream"),
                                 std::move(data)});
            } else {
                if (data.find('\0') != std::string::npos) throw BadRequest("NUL byte in form field");
                fields.add(params.get("name"), std::move(data));
            }
        }
    } catch (const Poco::Exception& e) {
        throw BadRequest("malformed multipart body: " + e.displayText());
    }
}

Request::Request(RawRequest raw) : raw_(std::move(raw)) {
    target_ = std::string(raw_.target());
    const std::size_t q = target_.find('?');
    const std::string_view raw_path = std::string_view(target_).substr(0, q);
    if (raw_path.empty() || raw_path.front() != '/') throw BadRequest("request target is not a path");
    path_ = url_decode(raw_path, false);
    if (q != std::string::npos) query_ = parse_urlencoded(std::string_view(target_).substr(q + 1));
    if (auto c = raw_.find(bhttp::field::cookie); c != raw_.end()) cookies_ = parse_cookie_header(c->value());
}

std::string_view Request::header(bhttp::field f) const {
    auto it = raw_.find(f);
    return it == raw_.end() ? std::string_view() : it->value();
}

std::string_view Request::header(std::string_view name) const {
    auto it = raw_.find(name);
    return it == raw_.end() ? std::string_view() : it->value();
}

std::optional<std::string_view> Request::cookie(std::string_view name) const {
    auto it = cookies_.find(name);
    if (it == cookies_.end()) return std::nullopt;
    return std::string_view(it->second);
}

std::string Request::param(std::string_view name) const {
    auto it = path_params.find(name);
    return it == path_params.end() ? std::string() : it->second;
}

bool Request::wants_json() const {
    if (path_.rfind("/api/", 0) == 0) return true;
    const std::string_view accept = header(bhttp::field::accept);
    return accept.find("application/json") != std::string_view::npos &&
           accept.find("text/html") == std::string_view::npos;
}

const Params& Request::form() {
    parse_body();
    return form_;
}

const std::vector<UploadedFile>& Request::files() {
    parse_body();
    return files_;
}

void Request::parse_body() {
    if (body_parsed_) return;
    body_parsed_ = true;
    const std::string_view type = header(bhttp::field::content_type);
    auto media_is = [&](std::string_view media) {
        return type.size() >= media.size() && iequals(type.substr(0, media.size()), media);
    };
    if (media_is("application/x-www-form-urlencoded")) {
        form_ = parse_urlencoded(raw_.body());
    } else if (media_is("multipart/form-data")) {
        const std::string boundary = multipart_boundary(type);
        if (boundary.empty()) throw BadRequest("multipart body without boundary");
        parse_multipart(raw_.body(), boundary, form_, files_);
    }
}

}  // namespace uslugi::http
