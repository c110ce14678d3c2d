#include "http/host_policy.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace uslugi::http {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

bool is_loopback(const std::string& listen) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(listen, ec);
    return !ec && address.is_loopback();
}

// "host:port" → position of the port's colon, if any ("[::1]:8080" keeps its brackets).
std::size_t port_colon(std::string_view host) {
    const auto colon = host.rfind(':');
    if (colon == std::string_view::npos) return colon;
    const auto bracket = host.rfind(']');
    if (bracket != std::string_view::npos && bracket > colon) return std::string_view::npos;
    if (host.front() != '[' && host.find(':') != colon) return std::string_view::npos;  // bare IPv6
    return colon;
}

bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 260) return false;
    return std::all_of(host.begin(), host.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    });
}

}  // namespace

std::string default_public_url(const std::string& listen, std::uint16_t port) {
    if (!is_loopback(listen)) return "";
    const bool v6 = listen.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + listen + "]" : listen) + ":" + std::to_string(port);
}

HostPolicy::HostPolicy(const std::string& public_url, const std::vector<std::string>& extra_hosts,
                       const std::string& listen, std::uint16_t port) {
    base_url_ = public_url;
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
    const auto scheme_end = base_url_.find("://");
    const std::string scheme = scheme_end == std::string::npos ? "" : lower(base_url_.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https")
        throw std::invalid_argument("--public-url must start with https:// (or http:// for a trial): " + public_url);
    const std::string host = base_url_.substr(scheme_end + 3);
    if (!valid_host(host) || host.find('/') != std::string::npos)
        throw std::invalid_argument("--public-url must be scheme://host[:port] without a path: " + public_url);
    base_url_ = scheme + "://" + lower(host);
    const std::string_view default_port = scheme == "https" ? "443" : "80";
    add(host, default_port);
    for (const auto& extra : extra_hosts) {
        if (!valid_host(extra)) throw std::invalid_argument("--allowed-hosts: not a host name: " + extra);
        add(extra, default_port);
    }
    if (is_loopback(listen)) {
        const std::string p = std::to_string(port);
        for (const char* name : {"localhost", "127.0.0.1", "[::1]"}) add(std::string(name) + ":" + p, default_port);
    }
}

void HostPolicy::add(std::string host, std::string_view default_port) {
    host = lower(host);
    if (port_colon(host) == std::string::npos) host += ":" + std::string(default_port);
    if (std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) hosts_.push_back(std::move(host));
}

bool HostPolicy::allows(std::string_view header) const {
    if (hosts_.empty()) return true;  // not configured (unit tests of the pipeline)
    if (!valid_host(header)) return false;
    std::string host = lower(header);
    if (port_colon(host) == std::string::npos) {
        // Without a port the scheme's default is meant: accept either default.
        return std::find(hosts_.begin(), hosts_.end(), host + ":443") != hosts_.end() ||
               std::find(hosts_.begin(), hosts_.end(), host + ":80") != hosts_.end();
    }
    return std::find(hosts_.begin(), hosts_.end(), host) != hosts_.end();
}

}  // namespace uslugi::http
