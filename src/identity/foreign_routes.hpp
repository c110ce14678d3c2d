#pragma once
// Pages and /api/v1/ twins of a foreign citizen's profile (ID-5).
#include "http/render.hpp"
#include "http/router.hpp"
#include "identity/foreign_service.hpp"

#include <string>

namespace uslugi::identity {

void register_foreign_routes(http::Router& router, const http::Renderer& renderer, ForeignService& foreign,
                             const std::string& public_url);

}  // namespace uslugi::identity
