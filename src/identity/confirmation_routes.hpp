#pragma once
// Pages of the confirmed level (ID-3): the user's /account/confirm (all the
// ways, the nearest centres first, the registered letter and the bank), and
// the service-centre operator's /operator pages (http::with_role("operator")).
#include "core/config.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "identity/confirmation.hpp"

namespace uslugi::identity {

void register_confirmation_routes(http::Router& router, const http::Renderer& renderer, ConfirmationService& service,
                                  const CentreDirectory& centres, const core::Config& config);
void register_operator_routes(http::Router& router, const http::Renderer& renderer, ConfirmationService& service,
                              const CentreDirectory& centres, const core::Config& config);

// What "My details" shows of the confirmation: a link to the ways for a
// standard account, and the registered letter's tracking number and status.
void add_confirmation_summary(http::Data& d, const http::Request& req, ConfirmationService& service,
                              const core::Locale& locale);

}  // namespace uslugi::identity
