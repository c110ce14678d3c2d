#pragma once
// Wires the pension account statement into `serve`: the service's hook on
// sending (queue and first attempt) and the applicant's pages.
#include "applications/pension.hpp"
#include "applications/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

#include <string>

namespace uslugi::applications {

void connect_pension(http::Router& router, const http::Renderer& renderer, ApplicationService& service,
                     PensionService& pension, const std::string& public_url, const std::string& font_dir);

}  // namespace uslugi::applications
