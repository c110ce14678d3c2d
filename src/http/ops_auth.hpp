#pragma once
// Access to the operator pages under /ops/ (dead jobs, later more) and to /metrics.
//
// TEMPORARY RULE, until operator accounts exist (the identity module brings
// officers and operators with roles): /ops/* is open only to whoever holds the
// operator token configured with --ops-token / USLUGI_OPS_TOKEN. The token is
// sent as the password of HTTP Basic authentication (any user name — so a
// browser asks for it and remembers it for the tab) or as
// "Authorization: Bearer <token>" (how Prometheus scrapes /metrics). Without a
// configured token the /ops routes and /metrics are not registered at all and
// answer 404. Keep the token long and random,
// and reach /ops only over TLS (the proxy in front terminates it).
#include "http/render.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

#include <string>

namespace uslugi::http {

class OpsGuard {
public:
    static constexpr std::size_t kMinTokenLength = 16;

    // Throws std::invalid_argument for a token shorter than kMinTokenLength.
    explicit OpsGuard(std::string token);
    bool enabled() const { return !token_.empty(); }
    // Whether the request carries the operator token (compared in constant time).
    bool allows(const Request& request) const;
    // 401 with a Basic challenge, as an error page or a JSON error.
    Response challenge(const Request& request, const Renderer& renderer) const;

private:
    std::string token_;
};

}  // namespace uslugi::http
