#pragma once
// Pages and /api/v1/ twins of the cabinet: "My documents" (with "My vehicles")
// and "My addresses", linked from "My details". Every route is the signed-in
// owner's own: another account's document answers 404, as if absent.
#include "cabinet/service.hpp"
#include "catalog/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

namespace uslugi::cabinet {

void register_routes(http::Router& router, const http::Renderer& renderer, CabinetService& service,
                     const catalog::CatalogService& catalog);

}  // namespace uslugi::cabinet
