// The demo bank: identity vouching (the person signs in at the bank, the bank
// hands the portal a one-time code, the portal exchanges it for the person's
// verified data — ID-3 d) and card acquiring (pay, decline, a 3-D Secure step,
// refunds, in full or in part, each by its own idempotency key; never more than
// is left of the payment) with idempotency keys.
//
// Test cards (any future expiry, any 3-digit CVC):
//   4111 1111 1111 1111, 5555 5555 5555 4444, 2200 0000 0000 0004  succeed
//   4000 0000 0000 0002                                          declined: insufficient funds
//   4000 0000 0000 3220                                          3-D Secure; the code is 123456
// Every customer of the demo bank signs in with their phone and the password "demo".
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

namespace uslugi::registries::sandbox {

namespace {

constexpr std::string_view kDemoPassword = "demo";
constexpr std::string_view kThreeDsCode = "123456";
constexpr auto kCodeLifetime = std::chrono::minutes(5);

std::string base_url(const Request& req) {
    std::string host(req.header(http::bhttp::field::host));
    if (host.empty() || host.find_first_of(" \r\n/\\@") != std::string::npos) host = "127.0.0.1";
    return "http://" + host;
}

bool acceptable_redirect(std::string_view uri) {
    if (!(uri.starts_with("http://") || uri.starts_with("https://")) || uri.size() > 2000) return false;
    for (unsigned char c : uri)
        if (c < 0x21 || c == '"' || c == '<' || c == '>' || c == '\\') return false;
    return true;
}

std::string with_query(std::string url, const std::vector<std::pair<std::string, std::string>>& params) {
    const auto hash = url.find('#');
    if (hash != std::string::npos) url.resize(hash);
    for (const auto& [k, v] : params) {
        url += url.find('?') == std::string::npos ? '?' : '&';
        url += k + "=" + http::url_encode(v);
    }
    return url;
}

json person_json(const Person& p) {
    return {{"surname", p.surname}, {"name", p.name}, {"patronymic", p.patronymic}, {"gender", p.gender},
            {"birth_date", format_date(p.birth_date)}, {"birth_place", p.birth_place},
            {"citizenship", p.citizenship}, {"snils", p.snils}, {"inn", p.inn}, {"phone", p.phone},
            {"email", p.email},
            {"passport", {{"series", p.passport.series}, {"number", p.passport.number},
                          {"issue_date", format_date(p.passport.issue_date)}, {"issuer", p.passport.issuer},
                          {"department_code", p.passport.department_code}}},
            {"address", p.address}};
}

json payment_json(const Payment& p, const std::string& base) {
    json refunds = json::array();
    for (const Refund& r : p.refunds)
        refunds.push_back({{"id", r.id}, {"amount", r.amount}, {"reference", r.reference}, {"created_at", iso_time(r.created)}});
    json j = {{"id", p.id}, {"status", p.status}, {"amount", p.amount}, {"currency", p.currency},
              {"description", p.description}, {"order_id", p.order_id},
              {"card", {{"last4", p.card_last4}, {"brand", p.card_brand}}}, {"created_at", iso_time(p.created)},
              {"refunded_amount", p.refunded()}, {"refunds", refunds}};
    if (!p.decline_reason.empty()) j["decline_reason"] = p.decline_reason;
    if (p.status == "requires_action") j["action"] = {{"type", "3ds"}, {"url", base + "/bank/3ds/" + p.id}};
    return j;
}

// Card checks; returns the digits.
std::string check_card(const Body& card) {
    std::string digits;
    for (char c : card.text("number", 64))
        if (c != ' ' && c != '-') digits += c;
    if (digits.find_first_not_of("0123456789") != std::string::npos || !luhn_valid(digits))
        throw ApiError(Status::unprocessable_entity, "card.invalid_number", "the card number is not valid", "card.number");
    const std::string expiry = card.text("expiry", 16);
    unsigned month = 0, year = 0;
    if (expiry.size() != 5 || expiry[2] != '/' || std::sscanf(expiry.c_str(), "%2u/%2u", &month, &year) != 2 || month < 1 ||
        month > 12)
        throw ApiError(Status::unprocessable_entity, "card.invalid_expiry", "the expiry must be MM/YY", "card.expiry");
    const std::chrono::year_month_day now{today()};
    const int y = 2000 + int(year);
    if (y < int(now.year()) || (y == int(now.year()) && month < unsigned(now.month())))
        throw ApiError(Status::unprocessable_entity, "card.expired", "the card has expired", "card.expiry");
    const std::string cvc = card.text("cvc", 16);
    if (cvc.size() != 3 || cvc.find_first_not_of("0123456789") != std::string::npos)
        throw ApiError(Status::unprocessable_entity, "card.invalid_cvc", "the CVC has 3 digits", "card.cvc");
    return digits;
}

// ---- identity: who is this person, according to their bank?

// Checks the demo credentials and hands out a one-time code the portal exchanges.
std::string sign_in(Sandbox& s, const std::string& phone_input, const std::string& password, const std::string& client_id) {
    const auto phone = core::validate_mobile_phone(phone_input);
    const Person* p = phone.valid ? s.data().by_phone(phone.normalized) : nullptr;
    if (!p || password != kDemoPassword)
        throw ApiError(Status::unauthorized, "bank.invalid_credentials", "wrong phone or password");
    if (!p->bank_customer)
        throw ApiError(Status::forbidden, "bank.not_customer", "this person is not a customer of the demo bank");
    const std::string code = random_id("");
    std::lock_guard lock(s.mutex_);
    // Forget codes that were never used.
    for (auto it = s.bank_codes_.begin(); it != s.bank_codes_.end();)
        it = it->second.expires < Clock::now() ? s.bank_codes_.erase(it) : std::next(it);
    s.bank_codes_[code] = BankCode{p->id, client_id, Clock::now() + kCodeLifetime};
    return code;
}

void check_redirect_uri(const std::string& redirect_uri) {
    if (!acceptable_redirect(redirect_uri))
        throw ApiError(Status::bad_request, "bank.invalid_redirect_uri", "redirect_uri must be an http(s) URL", "redirect_uri");
}

http::Data sign_in_form(const std::string& client_id, const std::string& redirect_uri, const std::string& state) {
    http::Data d;
    d.set("client_id", client_id);
    d.set("redirect_uri", redirect_uri);
    d.set("state", state);
    d.set("password_hint", std::string(kDemoPassword));
    return d;
}

Response show_sign_in(Sandbox& s, Request& req) {
    const std::string redirect_uri = req.query().get_or("redirect_uri", "");
    check_redirect_uri(redirect_uri);
    const http::Data d = sign_in_form(req.query().get_or("client_id", ""), redirect_uri, req.query().get_or("state", ""));
    return s.page("bank_signin", d, "Вход в Демо-банк");
}

Response submit_sign_in(Sandbox& s, Request& req) {
    const auto& form = req.form();
    const std::string redirect_uri = form.get_or("redirect_uri", "");
    const std::string state = form.get_or("state", "");
    const std::string client_id = form.get_or("client_id", "");
    check_redirect_uri(redirect_uri);
    if (form.get_or("action", "") == "cancel")
        return Response::redirect(with_query(redirect_uri, {{"error", "access_denied"}, {"state", state}}));
    try {
        const std::string code = sign_in(s, form.get_or("phone", ""), form.get_or("password", ""), client_id);
        return Response::redirect(with_query(redirect_uri, {{"code", code}, {"state", state}}));
    } catch (const ApiError& e) {
        http::Data d = sign_in_form(client_id, redirect_uri, state);
        d.set("phone", form.get_or("phone", ""));
        d.set("error", e.code() == "bank.not_customer"
                           ? std::string("Этот человек не клиент Демо-банка: подтвердить личность через банк нельзя.")
                           : std::string("Неверный телефон или пароль."));
        return s.page("bank_signin", d, "Вход в Демо-банк", e.status());
    }
}

// The same sign-in for API clients and tests.
Response create_session(Sandbox& s, Request& req) {
    Body body(req);
    const std::string code = sign_in(s, body.text("phone", 64), body.text("password", 200),
                                     body.optional_text("client_id", 200).value_or(""));
    return Response::json({{"code", code}, {"expires_in", std::chrono::seconds(kCodeLifetime).count()}},
                          Status::created);
}

Response exchange_code(Sandbox& s, Request& req) {
    Body body(req);
    const std::string code = body.text("code", 200);
    std::string person_id;
    {
        std::lock_guard lock(s.mutex_);
        auto it = s.bank_codes_.find(code);
        if (it == s.bank_codes_.end())
            throw ApiError(Status::bad_request, "bank.code_invalid", "unknown or already used code", "code");
        const BankCode bc = it->second;
        s.bank_codes_.erase(it);  // one use only
        if (bc.expires < Clock::now())
            throw ApiError(Status::bad_request, "bank.code_expired", "the code has expired", "code");
        person_id = bc.person_id;
    }
    const Person* p = s.data().by_id(person_id);
    return Response::json({{"verified", true}, {"bank", "Демо-банк"}, {"person", person_json(*p)}});
}

// ---- card acquiring

std::string required_idempotency_key(const Request& req) {
    std::string key(req.header("Idempotency-Key"));
    if (key.empty())
        throw ApiError(Status::bad_request, "idempotency.missing_key", "the Idempotency-Key header is required",
                       "Idempotency-Key");
    return key;
}

// A payment as the request describes it; the test card decides how it ends.
Payment new_payment(const Body& body) {
    const std::int64_t amount = body.integer("amount", 1, 100'000'000'000);
    const std::string currency = body.optional_text("currency", 8).value_or("RUB");
    if (currency != "RUB")
        throw ApiError(Status::bad_request, "request.invalid_field", "only RUB is accepted", "currency");
    if (!body.has("card") || !body.raw().at("card").is_object())
        throw ApiError(Status::bad_request, "request.missing_field", "card is required", "card");
    const std::string digits = check_card(Body(body.raw().at("card")));
    Payment p;
    p.id = random_id("pay_");
    p.amount = amount;
    p.currency = currency;
    p.description = body.optional_text("description", 500).value_or("");
    p.order_id = body.optional_text("order_id", 100).value_or("");
    p.return_url = body.optional_text("return_url", 2000).value_or("");
    if (!p.return_url.empty() && !acceptable_redirect(p.return_url))
        throw ApiError(Status::bad_request, "request.invalid_field", "return_url must be an http(s) URL", "return_url");
    p.card_last4 = digits.substr(digits.size() - 4);
    p.card_brand = card_brand(digits);
    p.created = Clock::now();
    if (digits == "4000000000000002") {
        p.status = "declined";
        p.decline_reason = "insufficient_funds";
    } else if (digits == "4000000000003220") {
        p.status = "requires_action";
    } else {
        p.status = "succeeded";
    }
    return p;
}

Response create_payment(Sandbox& s, Request& req) {
    const std::string key = required_idempotency_key(req);
    Body body(req);
    const std::string base = base_url(req);
    return s.idempotent("bank/payments", key, body.raw().dump(), [&] {
        const Payment p = new_payment(body);
        std::lock_guard lock(s.mutex_);
        s.payments_[p.id] = p;
        return Response::json(payment_json(p, base), Status::created);
    });
}

Response list_payments(Sandbox& s, Request& req) {
    const std::string order_id = req.query().get_or("order_id", "");
    if (order_id.empty())
        throw ApiError(Status::bad_request, "request.missing_field", "order_id is required", "order_id");
    json list = json::array();
    std::lock_guard lock(s.mutex_);
    for (const auto& [id, p] : s.payments_)
        if (p.order_id == order_id) list.push_back(payment_json(p, base_url(req)));
    return Response::json({{"payments", list}});
}

// The payment `id` (404 when there is none); the caller holds the sandbox's mutex.
Payment& payment_of(Sandbox& s, const std::string& id) {
    auto it = s.payments_.find(id);
    if (it == s.payments_.end()) throw ApiError(Status::not_found, "payment.not_found", "no payment with this id");
    return it->second;
}

Response show_payment(Sandbox& s, Request& req) {
    std::lock_guard lock(s.mutex_);
    return Response::json(payment_json(payment_of(s, req.param("id")), base_url(req)));
}

// Finishes the 3-D Secure step: the right code pays, a wrong one declines.
Payment confirm_3ds(Sandbox& s, const std::string& id, const std::string& code) {
    std::lock_guard lock(s.mutex_);
    Payment& p = payment_of(s, id);
    if (p.status != "requires_action")
        throw ApiError(Status::conflict, "payment.invalid_state", "this payment is not waiting for 3-D Secure");
    if (code == kThreeDsCode) {
        p.status = "succeeded";
    } else {
        p.status = "declined";
        p.decline_reason = "3ds_failed";
    }
    return p;
}

Response submit_3ds_code(Sandbox& s, Request& req) {
    Body body(req);
    const Payment p = confirm_3ds(s, req.param("id"), body.text("code", 32));
    return Response::json(payment_json(p, base_url(req)));
}

Response show_3ds_page(Sandbox& s, Request& req) {
    Payment p;
    {
        std::lock_guard lock(s.mutex_);
        p = payment_of(s, req.param("id"));
    }
    http::Data d;
    d.set("id", p.id);
    d.set("amount", fmt::format("{},{:02d} ₽", p.amount / 100, p.amount % 100));
    d.set("description", p.description);
    d.set("last4", p.card_last4);
    d.set("pending", p.status == "requires_action");
    d.set("code_hint", std::string(kThreeDsCode));
    return s.page("bank_3ds", d, "Подтверждение оплаты");
}

Response submit_3ds_page(Sandbox& s, Request& req) {
    const Payment p = confirm_3ds(s, req.param("id"), req.form().get_or("code", ""));
    if (!p.return_url.empty())
        return Response::redirect(with_query(p.return_url, {{"payment_id", p.id}, {"status", p.status}}));
    http::Data d;
    d.set("id", p.id);
    d.set("succeeded", p.status == "succeeded");
    return s.page("bank_result", d, p.status == "succeeded" ? "Оплата прошла" : "Оплата отклонена");
}

Response create_refund(Sandbox& s, Request& req) {
    const std::string key = required_idempotency_key(req);
    const std::string id = req.param("id");
    Body body(req.body().empty() ? json::object() : Body(req).raw());
    const std::string base = base_url(req);
    return s.idempotent("bank/refunds/" + id, key, body.raw().dump(), [&] {
        std::lock_guard lock(s.mutex_);
        Payment& p = payment_of(s, id);
        if (p.status != "succeeded")
            throw ApiError(Status::conflict, "payment.invalid_state", "only a succeeded payment can be refunded");
        const std::int64_t left = p.amount - p.refunded();
        const std::int64_t amount = body.optional_integer("amount", 1, 100'000'000'000).value_or(left);
        if (amount > left)
            throw ApiError(Status::unprocessable_entity, "refund.amount_exceeds",
                           fmt::format("at most {} kopecks can be refunded", left), "amount");
        // The merchant's reference lets it find the refund when our answer to it was lost.
        const std::string reference = body.optional_text("reference", 100).value_or("");
        p.refunds.push_back(Refund{random_id("ref_"), amount, reference, Clock::now()});
        return Response::json({{"refund", {{"id", p.refunds.back().id}, {"amount", amount}, {"reference", reference},
                                           {"status", "succeeded"}}},
                               {"payment", payment_json(p, base)}},
                              Status::created);
    });
}

}  // namespace

void Sandbox::register_bank_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.get("/bank/id/authorize", bind(show_sign_in), opts);
    router_.post("/bank/id/authorize", bind(submit_sign_in), opts);
    router_.post("/bank/id/sessions", bind(create_session), opts);
    router_.post("/bank/id/token", bind(exchange_code), opts);
    router_.post("/bank/payments", bind(create_payment), opts);
    router_.get("/bank/payments", bind(list_payments), opts);
    router_.get("/bank/payments/{id}", bind(show_payment), opts);
    router_.post("/bank/payments/{id}/3ds", bind(submit_3ds_code), opts);
    router_.get("/bank/3ds/{id}", bind(show_3ds_page), opts);
    router_.post("/bank/3ds/{id}", bind(submit_3ds_page), opts);
    router_.post("/bank/payments/{id}/refunds", bind(create_refund), opts);
}

}  // namespace uslugi::registries::sandbox
