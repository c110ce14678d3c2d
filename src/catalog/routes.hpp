#pragma once
#include "catalog/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

namespace uslugi::catalog {

// Catalog pages (home, search, categories, services, authorities, life
// situations) and their JSON under /api/v1/. They read only the in-memory
// snapshot, so they never block and need no account.
void register_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog);

}  // namespace uslugi::catalog
