#pragma once
// Clients of the external systems the portal depends on: the Pension Fund,
// the Interior Ministry, the tax service, the traffic police, the bailiffs,
// the Post, a bank (identity and card acquiring), the SMS gateway and push.
//
// Each is an interface (so services can be tested with fakes) with an HTTP
// implementation that speaks to the real system's shape — in development and
// tests, the `uslugi registries` sandbox. Calls are synchronous, with connect
// and read timeouts, and thread-safe: each call borrows a kept-alive
// connection from a small pool (registries answer many short calls, and a new
// TLS handshake per call would cost more than the call).
//
// Failures come in two kinds:
//   RegistryUnavailable — timeout, connection refused, 5xx (the registry is
//       slow, failing or down): nothing was decided, retry later with back-off;
//   RegistryRejected    — the registry refused this request (4xx, with its
//       stable error code): repeating the same request will not help.
#include <nlohmann/json.hpp>

#include "registries/model.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace uslugi::registries {

inline constexpr std::string_view kDefaultRegistriesUrl = "http://127.0.0.1:8081";

struct ClientOptions {
    std::string base_url{kDefaultRegistriesUrl};   // http[s]://host:port[/prefix]
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{3000};        // each send and each read of the answer
    // https only. Real registries admit only clients with a certificate they
    // issued, and are trusted through their own CA rather than the system's.
    std::string ca_file;           // PEM; empty: the system's CAs
    std::string client_cert_file;  // PEM; with client_key_file
    std::string client_key_file;
    std::size_t max_idle_connections = 8;  // kept alive per base URL
};

class RegistryUnavailable : public std::runtime_error {
public:
    // tls: the handshake failed (the registry's certificate is not trusted, or
    // it refused ours) — a configuration matter, though retrying does no harm.
    enum class Reason { timeout, connection, server_error, bad_response, tls };
    RegistryUnavailable(std::string registry, Reason reason, const std::string& detail, int http_status = 0);
    const std::string& registry() const { return registry_; }
    Reason reason() const { return reason_; }
    int http_status() const { return http_status_; }
    // The sandbox's or registry's error code for 5xx answers ("registry.down"), else "".
    std::string code;

private:
    std::string registry_;
    Reason reason_;
    int http_status_;
};
std::string_view to_string(RegistryUnavailable::Reason r);

class RegistryRejected : public std::runtime_error {
public:
    RegistryRejected(std::string registry, int http_status, std::string code, const std::string& message,
                     std::string field = {});
    const std::string& registry() const { return registry_; }
    int http_status() const { return http_status_; }
    const std::string& code() const { return code_; }    // e.g. "snils.checksum"
    const std::string& field() const { return field_; }

private:
    std::string registry_;
    int http_status_;
    std::string code_;
    std::string field_;
};

// HTTP/1.1 exchanges over POCO's client sessions (TLS for https), kept alive
// in a pool. Answers 2xx and 4xx (4xx as RegistryRejected from call());
// throws RegistryUnavailable otherwise. Bad options throw std::invalid_argument.
class HttpTransport {
public:
    explicit HttpTransport(ClientOptions options);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;
    struct Reply {
        int status = 0;
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers;
    };
    using Headers = std::vector<std::pair<std::string, std::string>>;
    // `registry` names the system in errors; `method` is "GET", "POST", "PUT" or "DELETE".
    Reply request(std::string_view registry, std::string_view method, std::string_view path,
                  const std::string* body = nullptr, const Headers& headers = {}) const;
    // request() with a JSON body and a JSON answer; 4xx → RegistryRejected.
    nlohmann::json call(std::string_view registry, std::string_view method, std::string_view path,
                        const nlohmann::json* body = nullptr, const Headers& headers = {}) const;
    const ClientOptions& options() const { return options_; }
    // base URL + path, for links handed to browsers (bank sign-in).
    std::string url(std::string_view path) const;

private:
    struct Impl;
    ClientOptions options_;
    std::unique_ptr<Impl> impl_;
};

// What the portal knows about a person (from the profile, ID-2).
struct PersonIdentity {
    std::string surname, name, patronymic;
    Date birth_date{};
    std::string gender;  // male | female | "" (unknown)
    std::string snils;
    std::string passport_series, passport_number;
    std::optional<Date> passport_issue_date;
    std::string department_code;
};

// ---- Pension Fund ----------------------------------------------------------------------
enum class SnilsCheck { match, mismatch, not_found };
std::string_view to_string(SnilsCheck r);

class PensionFundClient {
public:
    virtual ~PensionFundClient() = default;
    // Does the SNILS belong to this person (full name, birth date, gender if known)?
    virtual SnilsCheck check_snils(const PersonIdentity& person) = 0;
};

// ---- Interior Ministry -----------------------------------------------------------------
struct PassportCheckResult {
    PassportStatus status = PassportStatus::not_found;  // valid | expired | lost | not_found
    bool owner_matches = false;  // issued to this person (name, birth date, issue date)
    std::string reason;          // expired: age_limit | replaced; lost: reported_lost
    std::optional<Date> valid_until;
    std::optional<Date> lost_date;
};

class InteriorClient {
public:
    virtual ~InteriorClient() = default;
    virtual PassportCheckResult check_passport(const PersonIdentity& person) = 0;
};

// ---- Tax service -------------------------------------------------------------------------
struct TaxCharge {
    std::string uin, kind, name, object, kbk, oktmo;
    int year = 0;
    std::int64_t amount = 0, paid = 0, owed = 0;  // kopecks
    Date due_date{};
    bool overdue = false;
};
struct TaxSummary {
    std::string inn;
    std::int64_t accrued = 0, paid = 0, owed = 0, overdue = 0;
    std::vector<TaxCharge> charges;
};

class TaxClient {
public:
    virtual ~TaxClient() = default;
    // The INN of a person by full name, birth date and passport; nullopt when
    // the tax service has none.
    virtual std::optional<std::string> find_inn(const PersonIdentity& person) = 0;
    // Taxes accrued, paid and owed; RegistryRejected "fns.taxpayer_not_found" for an unknown INN.
    virtual TaxSummary taxes(std::string_view inn) = 0;
    // Real estate, land and vehicles as the tax service knows them (JSON as sent).
    virtual nlohmann::json property(std::string_view inn) = 0;
};

// ---- Traffic police ---------------------------------------------------------------------
struct TrafficFine {
    std::string uin, article, description, place, source, plate, certificate;
    std::int64_t amount = 0, amount_due = 0;
    Date offence_date{}, decision_date{};
    bool paid = false;
    bool discount_eligible = false, discount_active = false;
    int discount_rate_percent = 0;
    std::optional<Date> discount_until;
};
struct FineList {
    bool document_found = false;
    std::vector<TrafficFine> fines;
    std::int64_t total_due = 0;
};

class TrafficPoliceClient {
public:
    virtual ~TrafficPoliceClient() = default;
    virtual FineList fines_by_licence(std::string_view licence, bool include_paid = false) = 0;
    virtual FineList fines_by_certificate(std::string_view certificate, bool include_paid = false) = 0;
};

// ---- Bailiffs -----------------------------------------------------------------------------
struct CourtDebtInfo {
    std::string number, subject, department, bailiff, phone, uin;
    Date opened_date{};
    std::int64_t amount = 0, remaining = 0;
};

class BailiffsClient {
public:
    virtual ~BailiffsClient() = default;
    // Court debts by region code ("59"), full name and birth date.
    virtual std::vector<CourtDebtInfo> debts(std::string_view region, const PersonIdentity& person) = 0;
};

// ---- Charges paid (PAY-3: the authority is told) -------------------------------------------
class ChargesClient {
public:
    virtual ~ChargesClient() = default;
    // registry: gibdd | fns | fssp. Idempotent for one payment_id.
    virtual void report_paid(std::string_view registry, std::string_view uin, std::int64_t amount,
                             std::string_view payment_id) = 0;
};

// ---- Post ------------------------------------------------------------------------------------
struct PostalParty {
    std::string name, postcode, address;
};
struct LetterRequest {
    PostalParty sender, recipient;
    std::string content;                  // what is inside (a confirmation code …)
    std::optional<int> delivery_seconds;  // sandbox only: override the delivery time
};
enum class LetterStatus { accepted, in_transit, arrived, handed_over };
std::string_view to_string(LetterStatus s);
struct LetterEvent {
    LetterStatus status{};
    std::string at;  // ISO 8601 UTC
    std::string place;
};
struct LetterTracking {
    std::string tracking_number;
    LetterStatus status{};
    std::string accepted_at, expected_delivery_at;
    std::vector<LetterEvent> history;
};

class PostClient {
public:
    virtual ~PostClient() = default;
    // Sends a registered letter; the same idempotency key never sends twice.
    virtual LetterTracking send_letter(const LetterRequest& letter, std::string_view idempotency_key) = 0;
    virtual LetterTracking track(std::string_view tracking_number) = 0;
};

// ---- Bank ---------------------------------------------------------------------------------------
struct VerifiedPerson {
    std::string bank;
    std::string surname, name, patronymic, gender, birth_place, snils, inn, phone, email;
    Date birth_date{};
    std::string passport_series, passport_number, passport_issuer, department_code;
    Date passport_issue_date{};
    nlohmann::json address;
};

struct Card {
    std::string number, expiry, cvc;  // expiry "MM/YY"
};
struct CardPaymentRequest {
    std::int64_t amount = 0;  // kopecks
    std::string description, order_id, return_url;
    Card card;
};
struct CardPayment {
    std::string id;
    std::string status;  // succeeded | declined | requires_action
    std::string decline_reason;
    std::string action_url;  // requires_action: where the payer confirms (3-D Secure)
    std::int64_t amount = 0, refunded_amount = 0;
    std::string order_id, card_last4;
};

class BankClient {
public:
    virtual ~BankClient() = default;
    // Where the portal sends the browser to sign in at the bank.
    virtual std::string authorize_url(std::string_view client_id, std::string_view redirect_uri,
                                      std::string_view state) const = 0;
    // Exchanges the one-time code for the person's verified data.
    virtual VerifiedPerson exchange_code(std::string_view code) = 0;
    virtual CardPayment pay(const CardPaymentRequest& request, std::string_view idempotency_key) = 0;
    virtual CardPayment payment(std::string_view id) = 0;
    virtual CardPayment confirm_3ds(std::string_view id, std::string_view code) = 0;
    virtual CardPayment refund(std::string_view id, std::optional<std::int64_t> amount,
                               std::string_view idempotency_key) = 0;
};

// ---- SMS and push -----------------------------------------------------------------------------
class SmsGateway {
public:
    virtual ~SmsGateway() = default;
    // Returns the gateway's message id; the same key never sends twice.
    virtual std::string send(std::string_view phone, std::string_view text, std::string_view idempotency_key) = 0;
};

class PushGateway {
public:
    virtual ~PushGateway() = default;
    virtual std::string send(std::string_view phone, std::string_view title, std::string_view body,
                             std::string_view idempotency_key) = 0;
};

// ---- all of them over HTTP ---------------------------------------------------------------------
struct RegistryClients {
    std::shared_ptr<const HttpTransport> transport;
    std::unique_ptr<PensionFundClient> pension_fund;
    std::unique_ptr<InteriorClient> interior;
    std::unique_ptr<TaxClient> tax;
    std::unique_ptr<TrafficPoliceClient> traffic_police;
    std::unique_ptr<BailiffsClient> bailiffs;
    std::unique_ptr<ChargesClient> charges;
    std::unique_ptr<PostClient> post;
    std::unique_ptr<BankClient> bank;
    std::unique_ptr<SmsGateway> sms;
    std::unique_ptr<PushGateway> push;
};

RegistryClients make_http_clients(ClientOptions options);

}  // namespace uslugi::registries
