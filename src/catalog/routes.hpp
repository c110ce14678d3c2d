#pragma once
#include "catalog/service.hpp"
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

namespace uslugi::catalog {

// Catalog pages (home, search, categories, services, authorities, life
// situations) and their JSON under /api/v1/. They read only the in-memory
// snapshot, so they never block and need no account.
void register_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog,
                     const std::string& font_dir);

// The visitor's place (CAT-3) kept in the session, and service centres nearest first (CAT-4).
void register_place_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                           http::SessionStore& sessions, const CatalogService& catalog);

}  // namespace uslugi::catalog
