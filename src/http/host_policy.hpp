#pragma once
// The portal's own address. Links in messages (registration, recovery, a new
// e-mail) are built only from the configured public URL, never from the
// request, and a request must name one of the portal's hosts: otherwise a
// forged Host could make a genuine message carry a link to someone else's
// site (security review, defect 1).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::http {

class HostPolicy {
public:
    HostPolicy() = default;
    // `public_url` is "scheme://host[:port]" without a path ("/" at the end
    // is dropped); `extra_hosts` are further names the portal answers to
    // ("host" or "host:port"). A trial listening on a loopback address may
    // also be reached as localhost, 127.0.0.1 and [::1] on `port`.
    // Throws std::invalid_argument for a URL that is not of that form.
    HostPolicy(const std::string& public_url, const std::vector<std::string>& extra_hosts,
               const std::string& listen, std::uint16_t port);

    const std::string& base_url() const { return base_url_; }
    // Whether a Host header names the portal (compared without case; the
    // scheme's default port may be written or left out).
    bool allows(std::string_view host) const;
    const std::vector<std::string>& hosts() const { return hosts_; }

private:
    void add(std::string host, std::string_view default_port);
    std::string base_url_;
    std::vector<std::string> hosts_;  // lower case, always with a port
};

// The public URL a trial gets when none is configured: the listening address
// itself, if it is a loopback one; empty (the caller must insist on
// --public-url) when the portal listens on a public or wildcard address.
std::string default_public_url(const std::string& listen, std::uint16_t port);

}  // namespace uslugi::http
