#pragma once
#include "http/rate_limiter.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

namespace uslugi::http {

// GET /api/v1/validate/{kind}?value=… — the live validation of identifiers on
// the forms (no account needed; limited per client address).
void register_validation_routes(Router& router, const Renderer& renderer, RateLimiter& limiter);

}  // namespace uslugi::http
