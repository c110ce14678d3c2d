#pragma once
#include "http/render.hpp"
#include "http/router.hpp"

namespace uslugi::catalog {

// The home page and the search results page. The catalog issue fills them
// with services; until then the sections come from the locale files.
void register_routes(http::Router& router, const http::Renderer& renderer);

}  // namespace uslugi::catalog
