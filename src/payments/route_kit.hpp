#pragma once
// What the groups of payment routes share (lookup_routes.cpp, pay_routes.cpp,
// receipt_routes.cpp): the service, charges and payments as page data and as
// JSON, and the texts of errors.
#include "http/app.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "payments/service.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace uslugi::payments {

struct RouteKit {
    http::Router& router;
    http::App& app;  // forms of visitors without a session need its CSRF cookie
    const http::Renderer& renderer;
    std::shared_ptr<PaymentService> service;
    std::string font_dir;
};
using Kit = std::shared_ptr<const RouteKit>;

// The text of an error code in the request's language: validation codes
// ("driver_licence.format") from locales/validation, the module's own
// ("payments.charge_held") from locales/payments.
std::string error_text(const core::Locale& t, const std::string& code);
// The API's error answer for a PaymentError (422, or 409 for conflicts, 503 when a registry is down).
http::Response api_error(const http::Request& req, const core::Locale& t, const PaymentError& e);
http::Status status_of(const PaymentError& e);

http::Data charge_data(const Charge& c, const core::Locale& t, const std::string& lang);
nlohmann::json charge_json(const Charge& c);
http::Data payment_data(const Payment& p, const core::Locale& t, const http::Request& req);
nlohmann::json payment_json(const Payment& p);
nlohmann::json refund_json(const Refund& r);
// A receipt exists once money was taken (refunded or not).
bool has_receipt(const Payment& p);

// A text field from the JSON body (API) or the form (pages).
std::string field(http::Request& req, const std::string& name);
// A fresh idempotency key for the pay form of a page (one per page view).
std::string new_attempt_key();

void register_lookup_routes(const Kit& kit);
void register_pay_routes(const Kit& kit);
void register_receipt_routes(const Kit& kit);
void register_operator_routes(const Kit& kit);

}  // namespace uslugi::payments
