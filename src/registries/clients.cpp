#include "registries/clients.hpp"

#include <fmt/format.h>

#include "http/request.hpp"
#include "registries/json_fields.hpp"

namespace uslugi::registries {

using nlohmann::json;

// ---- errors ----------------------------------------------------------------------------------

std::string_view to_string(RegistryUnavailable::Reason r) {
    switch (r) {
        case RegistryUnavailable::Reason::timeout: return "timeout";
        case RegistryUnavailable::Reason::connection: return "connection";
        case RegistryUnavailable::Reason::server_error: return "server_error";
        case RegistryUnavailable::Reason::bad_response: return "bad_response";
        case RegistryUnavailable::Reason::tls: return "tls";
    }
    return "unknown";
}

RegistryUnavailable::RegistryUnavailable(std::string registry, Reason reason, const std::string& detail, int http_status)
    : std::runtime_error(fmt::format("registry {} unavailable ({}): {}", registry, to_string(reason), detail)),
      registry_(std::move(registry)), reason_(reason), http_status_(http_status) {}

RegistryRejected::RegistryRejected(std::string registry, int http_status, std::string code, const std::string& message,
                                   std::string field)
    : std::runtime_error(fmt::format("registry {} rejected the request ({} {}): {}", registry, http_status, code, message)),
      registry_(std::move(registry)), http_status_(http_status), code_(std::move(code)), field_(std::move(field)) {}

// ---- helpers for answers ----------------------------------------------------------------------

namespace {

[[noreturn]] void bad_answer(std::string_view registry, const std::string& what) {
    throw RegistryUnavailable(std::string(registry), RegistryUnavailable::Reason::bad_response, what);
}

// What a registry answered: an absent string reads as "", an absent or odd
// flag as false; a value of another type, or a date that does not parse, is a
// bad answer.
class Answer : public JsonReader {
public:
    explicit Answer(std::string_view registry) : registry_(registry) {}
    [[noreturn]] void fail(const std::string& what) const override { bad_answer(registry_, what); }

    std::string str(const json& j, const char* key) const {
        if (!j.is_object()) fail("the answer is not an object");
        return text(j, key).value_or("");
    }
    static bool flag(const json& j, const char* key) {
        return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
    }
    std::optional<Date> opt_date(const json& j, const char* key) const {
        const std::string s = str(j, key);
        if (s.empty()) return std::nullopt;
        return date_of(s, key);
    }

    void read(const json& j, const char* key, std::string& v) const { v = str(j, key); }
    void read(const json& j, const char* key, std::int64_t& v) const { v = integer(j, key); }
    void read(const json& j, const char* key, int& v) const { v = int(integer(j, key)); }
    void read(const json& j, const char* key, bool& v) const { v = flag(j, key); }
    void read(const json& j, const char* key, Date& v) const { v = date_of(str(j, key), key); }
    void read(const json& j, const char* key, std::optional<Date>& v) const { v = opt_date(j, key); }

private:
    std::string_view registry_;
};

std::string str(std::string_view registry, const json& j, const char* key) { return Answer(registry).str(j, key); }
std::int64_t num(std::string_view registry, const json& j, const char* key) { return Answer(registry).integer(j, key); }
bool flag(const json& j, const char* key) { return Answer::flag(j, key); }
std::optional<Date> opt_date(std::string_view registry, const json& j, const char* key) {
    return Answer(registry).opt_date(j, key);
}

json person_json(const PersonIdentity& p) {
    json j = {{"surname", p.surname}, {"name", p.name}, {"birth_date", format_date(p.birth_date)}};
    if (!p.patronymic.empty()) j["patronymic"] = p.patronymic;
    return j;
}

std::string path_segment(std::string_view value) { return http::url_encode(value); }

Fields<Answer> fields(std::string_view registry, const json& j) { return Fields(Answer(registry), j); }

// Without a key the registry sends again on a repeated request.
HttpTransport::Headers idempotency(std::string_view key) {
    if (key.empty()) return {};
    return {{"Idempotency-Key", std::string(key)}};
}

// ---- implementations ----------------------------------------------------------------------------

// The one transport all the clients share (its pool of connections).
class TransportUser {
public:
    explicit TransportUser(std::shared_ptr<const HttpTransport> t) : t_(std::move(t)) {}

protected:
    std::shared_ptr<const HttpTransport> t_;
};

class HttpPensionFund : public PensionFundClient, TransportUser {
public:
    using TransportUser::TransportUser;
    SnilsCheck check_snils(const PersonIdentity& person) override {
        json body = person_json(person);
        body["snils"] = person.snils;
        if (!person.gender.empty()) body["gender"] = person.gender;
        const json r = t_->call("pfr", "POST", "/pfr/snils/check", &body);
        const std::string result = str("pfr", r, "result");
        if (result == "match") return SnilsCheck::match;
        if (result == "mismatch") return SnilsCheck::mismatch;
        if (result == "not_found") return SnilsCheck::not_found;
        bad_answer("pfr", "unknown result \"" + result + "\"");
    }
};

class HttpInterior : public InteriorClient, TransportUser {
public:
    using TransportUser::TransportUser;
    PassportCheckResult check_passport(const PersonIdentity& person) override {
        json body = person_json(person);
        body["series"] = person.passport_series;
        body["number"] = person.passport_number;
        if (person.passport_issue_date) body["issue_date"] = format_date(*person.passport_issue_date);
        if (!person.department_code.empty()) body["department_code"] = person.department_code;
        const json r = t_->call("mvd", "POST", "/mvd/passport/check", &body);
        PassportCheckResult out;
        const std::string status = str("mvd", r, "status");
        if (status == "valid") out.status = PassportStatus::valid;
        else if (status == "expired") out.status = PassportStatus::expired;
        else if (status == "lost") out.status = PassportStatus::lost;
        else if (status == "not_found") out.status = PassportStatus::not_found;
        else bad_answer("mvd", "unknown status \"" + status + "\"");
        out.owner_matches = flag(r, "owner_matches");
        out.reason = str("mvd", r, "reason");
        out.valid_until = opt_date("mvd", r, "valid_until");
        out.lost_date = opt_date("mvd", r, "lost_date");
        return out;
    }
};

class HttpTax : public TaxClient, TransportUser {
public:
    using TransportUser::TransportUser;
    std::optional<std::string> find_inn(const PersonIdentity& person) override {
        json body = person_json(person);
        body["passport_series"] = person.passport_series;
        body["passport_number"] = person.passport_number;
        const json r = t_->call("fns", "POST", "/fns/inn/find", &body);
        if (str("fns", r, "result") != "found") return std::nullopt;
        return str("fns", r, "inn");
    }
    TaxSummary taxes(std::string_view inn) override {
        const json r = t_->call("fns", "GET", "/fns/taxpayers/" + path_segment(inn) + "/taxes");
        TaxSummary s;
        using S = TaxSummary;
        fields("fns", r).into(s, field("inn", &S::inn), field("accrued", &S::accrued), field("paid", &S::paid),
                              field("owed", &S::owed), field("overdue", &S::overdue));
        for (const json& i : r.value("items", json::array())) {
            using C = TaxCharge;
            C c;
            fields("fns", i).into(c, field("uin", &C::uin), field("kind", &C::kind), field("name", &C::name),
                                  field("object", &C::object), field("kbk", &C::kbk), field("oktmo", &C::oktmo),
                                  field("year", &C::year), field("amount", &C::amount), field("paid", &C::paid),
                                  field("owed", &C::owed), field("due_date", &C::due_date),
                                  field("overdue", &C::overdue));
            s.charges.push_back(std::move(c));
        }
        return s;
    }
    nlohmann::json property(std::string_view inn) override {
        return t_->call("fns", "GET", "/fns/taxpayers/" + path_segment(inn) + "/property");
    }
};

class HttpTrafficPolice : public TrafficPoliceClient, TransportUser {
public:
    using TransportUser::TransportUser;
    FineList fines_by_licence(std::string_view licence, bool include_paid) override {
        return fetch("licence", licence, include_paid);
    }
    FineList fines_by_certificate(std::string_view certificate, bool include_paid) override {
        return fetch("certificate", certificate, include_paid);
    }

private:
    FineList fetch(const char* param, std::string_view number, bool include_paid) {
        std::string path = fmt::format("/gibdd/fines?{}={}", param, http::url_encode(number));
        if (include_paid) path += "&include_paid=true";
        const json r = t_->call("gibdd", "GET", path);
        FineList out;
        out.document_found = flag(r, "document_found");
        out.total_due = num("gibdd", r, "total_due");
        for (const json& fine : r.value("fines", json::array())) {
            using F = TrafficFine;
            F x;
            fields("gibdd", fine).into(x, field("uin", &F::uin), field("article", &F::article),
                                       field("description", &F::description), field("place", &F::place),
                                       field("source", &F::source), field("plate", &F::plate),
                                       field("certificate", &F::certificate), field("amount", &F::amount),
                                       field("amount_due", &F::amount_due), field("offence_date", &F::offence_date),
                                       field("decision_date", &F::decision_date), field("paid", &F::paid));
            const json d = fine.value("discount", json::object());
            fields("gibdd", d).into(x, field("eligible", &F::discount_eligible), field("active", &F::discount_active),
                                    field("until", &F::discount_until));
            x.discount_rate_percent = d.contains("rate_percent") ? int(num("gibdd", d, "rate_percent")) : 0;
            out.fines.push_back(std::move(x));
        }
        return out;
    }
};

class HttpBailiffs : public BailiffsClient, TransportUser {
public:
    using TransportUser::TransportUser;
    std::vector<CourtDebtInfo> debts(std::string_view region, const PersonIdentity& person) override {
        json body = person_json(person);
        body["region"] = std::string(region);
        const json r = t_->call("fssp", "POST", "/fssp/debts/search", &body);
        std::vector<CourtDebtInfo> out;
        for (const json& d : r.value("debts", json::array())) {
            using D = CourtDebtInfo;
            D x;
            fields("fssp", d).into(x, field("number", &D::number), field("subject", &D::subject),
                                   field("department", &D::department), field("bailiff", &D::bailiff),
                                   field("phone", &D::phone), field("uin", &D::uin),
                                   field("opened_date", &D::opened_date), field("amount", &D::amount),
                                   field("remaining", &D::remaining));
            out.push_back(std::move(x));
        }
        return out;
    }
};

class HttpCharges : public ChargesClient, TransportUser {
public:
    using TransportUser::TransportUser;
    void report_paid(std::string_view registry, std::string_view uin, std::int64_t amount,
                     std::string_view payment_id) override {
        if (registry != "gibdd" && registry != "fns" && registry != "fssp")
            throw std::invalid_argument("charges are reported to gibdd, fns or fssp");
        const json body = {{"amount", amount}, {"payment_id", std::string(payment_id)}};
        t_->call(registry, "POST", fmt::format("/{}/charges/{}/payment", registry, path_segment(uin)), &body);
    }
};

LetterStatus letter_status(const std::string& s) {
    if (s == "accepted") return LetterStatus::accepted;
    if (s == "in_transit") return LetterStatus::in_transit;
    if (s == "arrived") return LetterStatus::arrived;
    if (s == "handed_over") return LetterStatus::handed_over;
    bad_answer("post", "unknown letter status \"" + s + "\"");
}

LetterTracking tracking_from(const json& r) {
    LetterTracking t;
    t.tracking_number = str("post", r, "tracking_number");
    t.status = letter_status(str("post", r, "status"));
    t.accepted_at = str("post", r, "accepted_at");
    t.expected_delivery_at = str("post", r, "expected_delivery_at");
    for (const json& e : r.value("history", json::array()))
        t.history.push_back({letter_status(str("post", e, "status")), str("post", e, "at"), str("post", e, "place")});
    return t;
}

class HttpPost : public PostClient, TransportUser {
public:
    using TransportUser::TransportUser;
    LetterTracking send_letter(const LetterRequest& l, std::string_view key) override {
        auto party = [](const PostalParty& p) {
            return json{{"name", p.name}, {"address", {{"postcode", p.postcode}, {"text", p.address}}}};
        };
        json body = {{"recipient", party(l.recipient)}, {"kind", "registered"}, {"content", l.content}};
        if (!l.sender.name.empty()) body["sender"] = party(l.sender);
        if (l.delivery_seconds) body["delivery_seconds"] = *l.delivery_seconds;
        return tracking_from(t_->call("post", "POST", "/post/letters", &body, idempotency(key)));
    }
    LetterTracking track(std::string_view number) override {
        return tracking_from(t_->call("post", "GET", "/post/letters/" + path_segment(number)));
    }
};

CardPayment payment_from(const json& r) {
    CardPayment p;
    p.id = str("bank", r, "id");
    p.status = str("bank", r, "status");
    p.decline_reason = str("bank", r, "decline_reason");
    if (r.contains("action") && r["action"].is_object()) p.action_url = str("bank", r["action"], "url");
    p.amount = num("bank", r, "amount");
    p.refunded_amount = num("bank", r, "refunded_amount");
    p.order_id = str("bank", r, "order_id");
    if (r.contains("card") && r["card"].is_object()) p.card_last4 = str("bank", r["card"], "last4");
    return p;
}

class HttpBank : public BankClient, TransportUser {
public:
    using TransportUser::TransportUser;
    std::string authorize_url(std::string_view client_id, std::string_view redirect_uri,
                              std::string_view state) const override {
        return t_->url(fmt::format("/bank/id/authorize?client_id={}&redirect_uri={}&state={}", http::url_encode(client_id),
                                   http::url_encode(redirect_uri), http::url_encode(state)));
    }
    VerifiedPerson exchange_code(std::string_view code) override {
        const json body = {{"code", std::string(code)}};
        const json r = t_->call("bank", "POST", "/bank/id/token", &body);
        if (!flag(r, "verified") || !r.contains("person")) bad_answer("bank", "the bank did not vouch for the person");
        const json& p = r["person"];
        using V = VerifiedPerson;
        V v;
        v.bank = str("bank", r, "bank");
        fields("bank", p).into(v, field("surname", &V::surname), field("name", &V::name),
                               field("patronymic", &V::patronymic), field("gender", &V::gender),
                               field("birth_date", &V::birth_date), field("birth_place", &V::birth_place),
                               field("snils", &V::snils), field("inn", &V::inn), field("phone", &V::phone),
                               field("email", &V::email));
        const json pass = p.value("passport", json::object());
        fields("bank", pass).into(v, field("series", &V::passport_series), field("number", &V::passport_number),
                                  field("issue_date", &V::passport_issue_date), field("issuer", &V::passport_issuer),
                                  field("department_code", &V::department_code));
        v.address = p.value("address", json::object());
        return v;
    }
    CardPayment pay(const CardPaymentRequest& req, std::string_view key) override {
        if (key.empty()) throw std::invalid_argument("a card payment needs an idempotency key");
        json body = {{"amount", req.amount}, {"currency", "RUB"}, {"description", req.description},
                     {"order_id", req.order_id},
                     {"card", {{"number", req.card.number}, {"expiry", req.card.expiry}, {"cvc", req.card.cvc}}}};
        if (!req.return_url.empty()) body["return_url"] = req.return_url;
        return payment_from(t_->call("bank", "POST", "/bank/payments", &body, {{"Idempotency-Key", std::string(key)}}));
    }
    CardPayment payment(std::string_view id) override {
        return payment_from(t_->call("bank", "GET", "/bank/payments/" + path_segment(id)));
    }
    CardPayment confirm_3ds(std::string_view id, std::string_view code) override {
        const json body = {{"code", std::string(code)}};
        return payment_from(t_->call("bank", "POST", "/bank/payments/" + path_segment(id) + "/3ds", &body));
    }
    CardPayment refund(std::string_view id, std::optional<std::int64_t> amount, std::string_view key) override {
        if (key.empty()) throw std::invalid_argument("a refund needs an idempotency key");
        json body = json::object();
        if (amount) body["amount"] = *amount;
        const json r = t_->call("bank", "POST", "/bank/payments/" + path_segment(id) + "/refunds", &body,
                                {{"Idempotency-Key", std::string(key)}});
        return payment_from(r.value("payment", json::object()));
    }
};

class HttpSms : public SmsGateway, TransportUser {
public:
    using TransportUser::TransportUser;
    std::string send(std::string_view phone, std::string_view text, std::string_view key) override {
        const json body = {{"phone", std::string(phone)}, {"text", std::string(text)}, {"sender", "uslugi"}};
        return str("sms", t_->call("sms", "POST", "/sms/messages", &body, idempotency(key)), "id");
    }
};

class HttpPush : public PushGateway, TransportUser {
public:
    using TransportUser::TransportUser;
    std::string send(std::string_view phone, std::string_view title, std::string_view text,
                     std::string_view key) override {
        const json body = {{"phone", std::string(phone)}, {"title", std::string(title)}, {"body", std::string(text)}};
        return str("push", t_->call("push", "POST", "/push/messages", &body, idempotency(key)), "id");
    }
};

}  // namespace

std::string_view to_string(SnilsCheck r) {
    switch (r) {
        case SnilsCheck::match: return "match";
        case SnilsCheck::mismatch: return "mismatch";
        case SnilsCheck::not_found: return "not_found";
    }
    return "not_found";
}

std::string_view to_string(LetterStatus s) {
    switch (s) {
        case LetterStatus::accepted: return "accepted";
        case LetterStatus::in_transit: return "in_transit";
        case LetterStatus::arrived: return "arrived";
        case LetterStatus::handed_over: return "handed_over";
    }
    return "accepted";
}

RegistryClients make_http_clients(ClientOptions options) {
    RegistryClients c;
    auto t = std::make_shared<const HttpTransport>(std::move(options));
    c.transport = t;
    c.pension_fund = std::make_unique<HttpPensionFund>(t);
    c.interior = std::make_unique<HttpInterior>(t);
    c.tax = std::make_unique<HttpTax>(t);
    c.traffic_police = std::make_unique<HttpTrafficPolice>(t);
    c.bailiffs = std::make_unique<HttpBailiffs>(t);
    c.charges = std::make_unique<HttpCharges>(t);
    c.post = std::make_unique<HttpPost>(t);
    c.bank = std::make_unique<HttpBank>(t);
    c.sms = std::make_unique<HttpSms>(t);
    c.push = std::make_unique<HttpPush>(t);
    return c;
}

}  // namespace uslugi::registries
