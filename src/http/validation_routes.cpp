#include "http/validation_routes.hpp"

#include <algorithm>

#include "core/validators.hpp"

namespace uslugi::http {

namespace {
constexpr int kHitsPerMinute = 120;
}

void register_validation_routes(Router& router, const Renderer& renderer, RateLimiter& limiter) {
    router.get("/api/v1/validate/{kind}", [&renderer, &limiter](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const std::string kind = req.param("kind");
        const auto kinds = core::validation_kinds();
        if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
            return Response::json_error(Status::not_found, "validation.unknown_kind", t.text("validation.kind.unknown"));
        const RateDecision d = limiter.hit("validate:" + req.remote_ip, kHitsPerMinute, std::chrono::minutes(1));
        if (!d.allowed) {
            Response r = Response::json_error(Status::too_many_requests, "rate_limited", t.text("errors.429.text"));
            r.set_header("Retry-After", std::to_string(d.retry_after));
            return r;
        }
        const core::ValidationResult result = core::validate(kind, req.query().get_or("value", ""));
        nlohmann::json body{{"valid", result.valid}, {"normalized", result.normalized}};
        if (!result.valid) body["error"] = {{"code", result.error_code}, {"message", t.text(result.message_key())}};
        return Response::json(body);
    }, RouteOptions{.csrf = false, .load_session = true});
}

}  // namespace uslugi::http
