#include "http/ops_auth.hpp"

#include "core/crypto.hpp"

#include <stdexcept>

namespace uslugi::http {

OpsGuard::OpsGuard(std::string token) : token_(std::move(token)) {
    if (!token_.empty() && token_.size() < kMinTokenLength)
        throw std::invalid_argument("the operator token (--ops-token) must have at least " +
                                    std::to_string(kMinTokenLength) + " characters");
}

bool OpsGuard::allows(const Request& request) const {
    if (token_.empty()) return false;
    const std::string_view auth = request.header(bhttp::field::authorization);
    auto starts = [&](std::string_view scheme) {
        return auth.size() > scheme.size() && std::equal(scheme.begin(), scheme.end(), auth.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
               });
    };
    if (starts("Bearer ")) return core::constant_time_equal(auth.substr(7), token_);
    if (starts("Basic ")) {
        const auto decoded = core::base64_decode(auth.substr(6));
        if (!decoded) return false;
        const auto colon = decoded->find(':');
        if (colon == std::string::npos) return false;
        return core::constant_time_equal(std::string_view(*decoded).substr(colon + 1), token_);
    }
    return false;
}

Response OpsGuard::challenge(const Request& request, const Renderer& renderer) const {
    Response r = request.wants_json()
                     ? Response::json_error(Status::unauthorized, "ops.unauthorized",
                                            renderer.locale(request).text("errors.401.text"))
                     : renderer.error_page(request, Status::unauthorized);
    r.set_header("WWW-Authenticate", "Basic realm=\"uslugi operators\", charset=\"UTF-8\"");
    return r;
}

}  // namespace uslugi::http
