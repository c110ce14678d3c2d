// The demo bank's other ways to pay (PAY-2): from a mobile phone account and
// from an e-wallet. The portal opens a payment (amount, order, where to come
// back) with an idempotency key, the payer confirms it at the provider — the
// phone with a one-time code the provider sends by SMS (it lands in the
// sandbox's SMS inbox, /sms/messages?phone=…), the e-wallet by signing in
// (login: the wallet's phone, password "demo") — and the portal learns the
// outcome from GET /bank/payments/{id} like a card's. Three wrong codes or
// passwords decline the payment; an unconfirmed one can be cancelled.
#include "core/crypto.hpp"
#include "core/validators.hpp"
#include "registries/sandbox_internal.hpp"

#include <fmt/format.h>

namespace uslugi::registries::sandbox {

namespace {

constexpr std::string_view kWalletPassword = "demo";
constexpr int kMaxWrongAttempts = 3;

std::string wallet_base(const Request& req) {
    std::string host(req.header(http::bhttp::field::host));
    if (host.empty() || host.find_first_of(" \r\n/\\@") != std::string::npos) host = "127.0.0.1";
    return "http://" + host;
}

bool return_url_ok(std::string_view uri) {
    if (!(uri.starts_with("http://") || uri.starts_with("https://")) || uri.size() > 2000) return false;
    for (unsigned char c : uri)
        if (c < 0x21 || c == '"' || c == '<' || c == '>' || c == '\\') return false;
    return true;
}

json wallet_json(const Payment& p, const std::string& base) {
    json j = {{"id", p.id}, {"status", p.status}, {"method", p.wallet}, {"amount", p.amount},
              {"currency", p.currency}, {"description", p.description}, {"order_id", p.order_id},
              {"url", base + "/bank/wallet/" + p.id}, {"created_at", iso_time(p.created)}};
    if (!p.decline_reason.empty()) j["decline_reason"] = p.decline_reason;
    return j;
}

std::string six_digits() {
    std::uint64_t n = 0;
    for (unsigned char b : core::random_bytes(4)) n = n * 256 + b;
    return fmt::format("{:06d}", n % 1'000'000);
}

std::string rubles(std::int64_t kopecks) { return fmt::format("{},{:02d} ₽", kopecks / 100, kopecks % 100); }

// The provider's SMS with the code, into the sandbox's SMS inbox; the caller holds the mutex.
void send_code(Sandbox& s, const Payment& p) {
    Message m;
    m.id = random_id("sms_");
    m.channel = "sms";
    m.phone = p.phone;
    m.sender = "DemoMobile";
    m.text = fmt::format("Код {} — оплата {} со счёта телефона. Никому его не сообщайте.", p.code, rubles(p.amount));
    m.received = Clock::now();
    s.messages_.push_back(m);
}

Response create_wallet_payment(Sandbox& s, Request& req) {
    const std::string key(req.header("Idempotency-Key"));
    if (key.empty())
        throw ApiError(Status::bad_request, "idempotency.missing_key", "the Idempotency-Key header is required",
                       "Idempotency-Key");
    Body body(req);
    const std::string base = wallet_base(req);
    return s.idempotent("bank/wallet-payments", key, body.raw().dump(), [&] {
        Payment p;
        p.wallet = body.text("method", 16);
        if (p.wallet != "mobile" && p.wallet != "wallet")
            throw ApiError(Status::bad_request, "request.invalid_field", "method is mobile or wallet", "method");
        p.id = random_id("pay_");
        p.amount = body.integer("amount", 1, 100'000'000'000);
        p.description = body.optional_text("description", 500).value_or("");
        p.order_id = body.text("order_id", 100);
        p.return_url = body.text("return_url", 2000);
        if (!return_url_ok(p.return_url))
            throw ApiError(Status::bad_request, "request.invalid_field", "return_url must be an http(s) URL", "return_url");
        p.phone = body.identifier("phone", "mobile_phone");
        p.status = "pending";
        p.created = Clock::now();
        std::lock_guard lock(s.mutex_);
        if (p.wallet == "mobile") {
            p.code = six_digits();
            send_code(s, p);
        }
        s.payments_[p.id] = p;
        return Response::json(wallet_json(p, base), Status::created);
    });
}

// The confirmation: the SMS code for the phone, the wallet's password for the
// e-wallet. Throws 422 for a wrong one (the third declines the payment).
Payment confirm(Sandbox& s, const std::string& id, const std::string& secret) {
    std::lock_guard lock(s.mutex_);
    auto it = s.payments_.find(id);
    if (it == s.payments_.end() || it->second.wallet.empty())
        throw ApiError(Status::not_found, "payment.not_found", "no phone or e-wallet payment with this id");
    Payment& p = it->second;
    if (p.status != "pending")
        throw ApiError(Status::conflict, "payment.invalid_state", "the payment is " + p.status + ", not pending");
    const bool right = p.wallet == "mobile" ? secret == p.code : secret == kWalletPassword;
    if (right) {
        p.status = "succeeded";
        return p;
    }
    if (++p.wrong_attempts >= kMaxWrongAttempts) {
        p.status = "declined";
        p.decline_reason = p.wallet == "mobile" ? "code_attempts" : "password_attempts";
        return p;
    }
    throw ApiError(Status::unprocessable_entity, p.wallet == "mobile" ? "wallet.wrong_code" : "wallet.wrong_password",
                   fmt::format("wrong; {} attempts left", kMaxWrongAttempts - p.wrong_attempts),
                   p.wallet == "mobile" ? "code" : "password");
}

Response confirm_json(Sandbox& s, Request& req) {
    Body body(req);
    const std::string secret =
        body.has("code") ? body.text("code", 32) : body.optional_text("password", 200).value_or("");
    return Response::json(wallet_json(confirm(s, req.param("id"), secret), wallet_base(req)));
}

Payment wallet_payment_of(Sandbox& s, const std::string& id) {
    std::lock_guard lock(s.mutex_);
    auto it = s.payments_.find(id);
    if (it == s.payments_.end() || it->second.wallet.empty())
        throw ApiError(Status::not_found, "payment.not_found", "no phone or e-wallet payment with this id");
    return it->second;
}

http::Data page_data(const Payment& p) {
    http::Data d;
    d.set("id", p.id);
    d.set("amount", rubles(p.amount));
    d.set("description", p.description);
    d.set("pending", p.status == "pending");
    d.set("status", p.status);
    d.set("mobile", p.wallet == "mobile");
    d.set("phone", p.phone);
    d.set("password_hint", std::string(kWalletPassword));
    return d;
}

std::string page_title(const Payment& p) {
    return p.wallet == "mobile" ? "Оплата со счёта телефона" : "Оплата электронным кошельком";
}

Response show_wallet_page(Sandbox& s, Request& req) {
    const Payment p = wallet_payment_of(s, req.param("id"));
    return s.page("bank_wallet", page_data(p), page_title(p));
}

Response submit_wallet_page(Sandbox& s, Request& req) {
    const Payment before = wallet_payment_of(s, req.param("id"));
    const auto& form = req.form();
    if (form.get_or("action", "") == "cancel" && before.status == "pending") {
        std::lock_guard lock(s.mutex_);
        Payment& live = s.payments_.at(before.id);
        if (live.status == "pending") live.status = "cancelled";
    }
    try {
        if (before.status == "pending" && form.get_or("action", "") != "cancel")
            confirm(s, before.id, form.get_or(before.wallet == "mobile" ? "code" : "password", ""));
    } catch (const ApiError& e) {
        if (e.status() != Status::unprocessable_entity) throw;
        http::Data d = page_data(before);
        d.set("error", std::string(before.wallet == "mobile" ? "Неверный код из SMS." : "Неверный пароль кошелька."));
        return s.page("bank_wallet", d, page_title(before), e.status());
    }
    const Payment p = wallet_payment_of(s, before.id);
    std::string url = p.return_url;
    url += url.find('?') == std::string::npos ? '?' : '&';
    return Response::redirect(url + "payment_id=" + http::url_encode(p.id) + "&status=" + http::url_encode(p.status));
}

}  // namespace

void Sandbox::register_wallet_routes() {
    const http::RouteOptions opts{.csrf = false, .load_session = false};
    router_.post("/bank/wallet-payments", bind(create_wallet_payment), opts);
    router_.post("/bank/wallet-payments/{id}/confirm", bind(confirm_json), opts);
    router_.get("/bank/wallet/{id}", bind(show_wallet_page), opts);
    router_.post("/bank/wallet/{id}", bind(submit_wallet_page), opts);
}

}  // namespace uslugi::registries::sandbox
