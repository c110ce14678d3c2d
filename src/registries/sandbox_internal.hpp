#pragma once
// Internals of the sandbox server shared by its .cpp files (one per group of
// registries): the Application, its in-memory state, request helpers.
#include "core/i18n.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "http/templates.hpp"
#include "registries/faults.hpp"
#include "registries/model.hpp"
#include "registries/sandbox_server.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace uslugi::registries::sandbox {

using nlohmann::json;
using http::Request;
using http::Response;
using http::Status;
using Clock = std::chrono::system_clock;

// An answer other than success: {"error":{"code","message","field"?}}.
class ApiError : public std::runtime_error {
public:
    ApiError(Status status, std::string code, std::string message, std::string field = {})
        : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
    Status status() const { return status_; }
    const std::string& code() const { return code_; }
    const std::string& field() const { return field_; }
    Response response() const;

private:
    Status status_;
    std::string code_;
    std::string field_;
};

Response json_error(Status status, const std::string& code, const std::string& message, const std::string& field = {});

// The JSON object of a request body, with checked field access.
class Body {
public:
    explicit Body(const Request& request);
    explicit Body(json value) : j_(std::move(value)) {}
    const json& raw() const { return j_; }
    bool has(const char* field) const { return j_.contains(field) && !j_.at(field).is_null(); }
    // A string field: missing → 400 request.missing_field, not a string →
    // request.invalid_field, longer than max_bytes → request.too_long.
    std::string text(const char* field, std::size_t max_bytes = 200) const;
    std::optional<std::string> optional_text(const char* field, std::size_t max_bytes = 200) const;
    Date date(const char* field) const;
    std::int64_t integer(const char* field, std::int64_t min, std::int64_t max) const;
    std::optional<std::int64_t> optional_integer(const char* field, std::int64_t min, std::int64_t max) const;
    // An identifier checked by core::validate(kind): 422 with the validator's code.
    std::string identifier(const char* field, std::string_view kind) const;
    // surname, name, patronymic (optional), birth_date.
    PersonQuery person() const;

private:
    json j_;
};

// An identifier from a path segment or a query parameter.
std::string identifier(std::string_view value, std::string_view kind, const std::string& field);
std::string iso_time(Clock::time_point t);
std::string random_id(std::string_view prefix);

struct Letter {
    std::string tracking;
    Clock::time_point accepted;
    int delivery_seconds = 0;
    json sender, recipient;
    std::string kind, content;
};

// A letter as tracking shows it; with the content and full addresses for the demo inbox.
json letter_json(const Letter& l, Clock::time_point now, bool with_content);

struct Refund {
    std::string id;
    std::int64_t amount = 0;
    std::string reference;  // the merchant's own id of the refund, to find it again after a lost answer
    Clock::time_point created;
};

struct Payment {
    std::string id;
    std::int64_t amount = 0;
    std::string currency = "RUB";
    std::string description, order_id, return_url;
    std::string status;  // pending (hosted page, no card yet) | requires_action | succeeded | declined | cancelled
    std::string decline_reason;
    std::string card_last4, card_brand;
    // Paid from a mobile phone account or an e-wallet (sandbox_wallets.cpp): "mobile" | "wallet", "" for a card.
    std::string wallet, phone, code;
    int wrong_attempts = 0;
    Clock::time_point created;
    std::vector<Refund> refunds;
    std::int64_t refunded() const;
};

struct Message {
    std::string id;
    std::string channel;  // sms | push
    std::string phone;
    std::string sender, title, text;
    Clock::time_point received;
};

struct BankCode {
    std::string person_id;
    std::string client_id;
    Clock::time_point expires;
};

struct ChargePayment {
    std::string payment_id;
    std::int64_t amount = 0;
    Clock::time_point at;
};

struct StoredResponse {
    std::string request_fingerprint;
    Response response;
};

class Sandbox : public http::Application {
public:
    Sandbox(const RegistryData& data, Faults& faults, const SandboxOptions& options, const http::Templates& templates,
            const http::StaticFiles& statics, const core::Locales& locales);

    Plan plan(const http::RawRequest& header) override;
    Response handle(http::RawRequest&& raw, const http::Peer& peer) override;
    Response reject(Status status, std::string_view accept_language, const http::Peer& peer) override;

    // Shared by the route files.
    const RegistryData& data() const { return data_; }
    const SandboxOptions& options() const { return options_; }
    Response page(const std::string& name, const http::Data& data, const std::string& title,
                  Status status = Status::ok) const;
    // Runs `make` once per idempotency key (scope + key); a repeat with the same
    // request answers the stored response, one with another request 409.
    template <typename Make>
    Response idempotent(const std::string& scope, const std::string& key, const std::string& fingerprint, Make&& make);
    // The state of a charge (fine, tax, court debt) the portal reported paid.
    std::optional<ChargePayment> charge_payment(const std::string& uin) const;

    mutable std::mutex mutex_;  // guards everything below
    std::map<std::string, Letter> letters_;
    std::map<std::string, Payment> payments_;
    std::deque<Message> messages_;
    std::map<std::string, BankCode> bank_codes_;
    std::map<std::string, ChargePayment> charges_paid_;
    std::map<std::string, StoredResponse> idempotency_;

private:
    void register_routes();
    void register_identity_routes();  // pfr, mvd, fns
    void register_pension_routes();   // pfr: individual account statements (sandbox_pension.cpp)
    void register_debt_routes();      // gibdd, fssp, charge payments
    void register_post_routes();
    void register_bank_routes();
    void register_checkout_routes();  // the acquirer's hosted card page (sandbox_checkout.cpp)
    void register_wallet_routes();    // mobile phone account and e-wallet payments (sandbox_wallets.cpp)
    void register_utilities_routes(); // utilities invoices by personal account (sandbox_utilities.cpp)
    void register_message_routes();   // sms, push, demo inbox, mail
    void register_admin_routes();
    // The route files keep each handler a plain function of the sandbox and the request.
    http::Handler bind(Response (*handler)(Sandbox&, Request&)) {
        return [this, handler](Request& req) { return handler(*this, req); };
    }
    Response run(Request& request);

    const RegistryData& data_;
    Faults& faults_;
    const SandboxOptions& options_;
    const http::Templates& templates_;
    const http::StaticFiles& statics_;
    const core::Locales& locales_;
    http::Router router_;
    std::mutex idempotency_mutex_;
};

template <typename Make>
Response Sandbox::idempotent(const std::string& scope, const std::string& key, const std::string& fingerprint,
                             Make&& make) {
    if (key.empty()) return make();
    if (key.size() > 255) throw ApiError(Status::bad_request, "idempotency.invalid_key", "Idempotency-Key is longer than 255 bytes", "Idempotency-Key");
    const std::string slot = scope + '\n' + key;
    // One request per key at a time: a concurrent repeat waits for the first.
    std::lock_guard serial(idempotency_mutex_);
    {
        std::lock_guard lock(mutex_);
        if (auto it = idempotency_.find(slot); it != idempotency_.end()) {
            if (it->second.request_fingerprint != fingerprint)
                throw ApiError(Status::conflict, "idempotency.conflict",
                               "this Idempotency-Key was used with a different request");
            Response r = it->second.response;
            r.set_header("Idempotent-Replayed", "true");
            return r;
        }
    }
    Response r = make();
    if (static_cast<unsigned>(r.status) < 500) {
        std::lock_guard lock(mutex_);
        idempotency_[slot] = StoredResponse{fingerprint, r};
    }
    return r;
}

}  // namespace uslugi::registries::sandbox
