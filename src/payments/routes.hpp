#pragma once
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "payments/service.hpp"

#include <memory>
#include <string>

namespace uslugi::payments {

// Look-ups of fines, taxes and court debts (anyone), paying and the payments
// of the signed-in account, receipts (page and PDF), and their /api/v1/ twins.
// `test_routes`: also POST /test/payments/fees, which creates a state fee for
// the signed-in account as the applications module will (integration tests).
void register_routes(http::Router& router, http::App& app, const http::Renderer& renderer, std::shared_ptr<PaymentService> service,
                     const std::string& font_dir, bool test_routes = false);

}  // namespace uslugi::payments
