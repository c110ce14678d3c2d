#pragma once
#include "applications/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

#include <string>

namespace uslugi::applications {

// Filling in and sending a service's form, the cabinet's applications, and
// the authorities' back-office.
void register_routes(http::Router& router, const http::Renderer& renderer, ApplicationService& service,
                     const std::string& public_url, const std::string& font_dir);

}  // namespace uslugi::applications
