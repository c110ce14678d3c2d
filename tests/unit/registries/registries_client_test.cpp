// The HTTP clients of registries/clients.hpp against a real sandbox server
// started in this process on a free port, including its faults: a registry
// that is down, failing, or slower than the client's timeout, and one that
// refuses connections.
#include <gtest/gtest.h>

#include <utility>

#include <boost/asio.hpp>

#include <cstdlib>
#include <thread>

#include "core/crypto.hpp"
#include "http/request.hpp"
#include "registries/clients.hpp"
#include "registries/sandbox_server.hpp"

using namespace uslugi;
using namespace uslugi::registries;
namespace chr = std::chrono;

namespace {

std::string source_dir() {
    if (const char* root = std::getenv("USLUGI_ROOT")) return root;
    return USLUGI_SOURCE_DIR;
}

class RegistriesClient : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        core::crypto_init();
        SandboxOptions o;
        o.port = 0;
        o.mail_dir = "/nonexistent-uslugi-mail";
        o.post_delivery_seconds = 1;
        server_ = new SandboxServer(o, source_dir());
        server_->bind();
        thread_ = new std::thread([] { server_->run(); });
    }
    static void TearDownTestSuite() {
        server_->stop();
        thread_->join();
        delete thread_;
        delete server_;
    }
    void SetUp() override {
        server_->faults().reset();
        ClientOptions o;
        o.base_url = "http://127.0.0.1:" + std::to_string(server_->port());
        o.connect_timeout = chr::milliseconds(1000);
        o.timeout = chr::milliseconds(1000);
        clients_ = make_http_clients(o);
    }
    void TearDown() override { server_->faults().reset(); }

    static const Person& person(const char* id) { return *server_->data().by_id(id); }
    static PersonIdentity identity(const Person& p) {
        PersonIdentity i;
        i.surname = p.surname;
        i.name = p.name;
        i.patronymic = p.patronymic;
        i.birth_date = p.birth_date;
        i.gender = p.gender;
        i.snils = p.snils;
        i.passport_series = p.passport.series;
        i.passport_number = p.passport.number;
        i.passport_issue_date = p.passport.issue_date;
        i.department_code = p.passport.department_code;
        return i;
    }

    static SandboxServer* server_;
    static std::thread* thread_;
    RegistryClients clients_;
};

SandboxServer* RegistriesClient::server_ = nullptr;
std::thread* RegistriesClient::thread_ = nullptr;

}  // namespace

TEST_F(RegistriesClient, PensionFundChecksSnilsAgainstThePerson) {
    PersonIdentity anna = identity(person("p0001"));
    EXPECT_EQ(clients_.pension_fund->check_snils(anna), SnilsCheck::match);
    PersonIdentity other = anna;
    other.birth_date += chr::days{1};
    EXPECT_EQ(clients_.pension_fund->check_snils(other), SnilsCheck::mismatch);
    other = anna;
    other.surname = "Смирнов";
    EXPECT_EQ(clients_.pension_fund->check_snils(other), SnilsCheck::mismatch);
    other = anna;
    other.snils = "112-233-445 95";  // valid, but nobody's
    EXPECT_EQ(clients_.pension_fund->check_snils(other), SnilsCheck::not_found);
    other.snils = "112-233-445 96";
    try {
        clients_.pension_fund->check_snils(other);
        FAIL() << "a malformed SNILS was accepted";
    } catch (const RegistryRejected& e) {
        EXPECT_EQ(e.code(), "snils.checksum");
        EXPECT_EQ(e.field(), "snils");
        EXPECT_EQ(e.http_status(), 422);
    }
}

TEST_F(RegistriesClient, InteriorMinistryTellsValidExpiredLostAndUnknownPassports) {
    auto anna = clients_.interior->check_passport(identity(person("p0001")));
    EXPECT_EQ(anna.status, PassportStatus::valid);
    EXPECT_TRUE(anna.owner_matches);
    auto maria = clients_.interior->check_passport(identity(person("p0003")));
    EXPECT_EQ(maria.status, PassportStatus::lost);
    EXPECT_TRUE(maria.lost_date.has_value());
    auto dmitry = clients_.interior->check_passport(identity(person("p0004")));
    EXPECT_EQ(dmitry.status, PassportStatus::expired);
    EXPECT_EQ(dmitry.reason, "age_limit");
    // Someone else's passport is valid, but not this person's.
    PersonIdentity thief = identity(person("p0001"));
    thief.surname = "Петров";
    EXPECT_FALSE(clients_.interior->check_passport(thief).owner_matches);
    // A replaced passport counts as expired; an unknown one is not found.
    const Person& ivanov = person("p0008");
    PersonIdentity old = identity(ivanov);
    old.passport_series = ivanov.previous_passports.at(0).series;
    old.passport_number = ivanov.previous_passports.at(0).number;
    old.passport_issue_date.reset();
    old.department_code.clear();
    auto replaced = clients_.interior->check_passport(old);
    EXPECT_EQ(replaced.status, PassportStatus::lost);
    EXPECT_TRUE(replaced.owner_matches);
    old.passport_number = "000001";
    EXPECT_EQ(clients_.interior->check_passport(old).status, PassportStatus::not_found);
}

TEST_F(RegistriesClient, TaxServiceFindsInnAndTaxes) {
    const Person& rustam = person("p0005");
    EXPECT_EQ(clients_.tax->find_inn(identity(rustam)), rustam.inn);
    PersonIdentity wrong = identity(rustam);
    wrong.birth_date -= chr::days{365};
    EXPECT_EQ(clients_.tax->find_inn(wrong), std::nullopt);
    const TaxSummary taxes = clients_.tax->taxes(rustam.inn);
    EXPECT_EQ(taxes.inn, rustam.inn);
    EXPECT_GT(taxes.owed, 0);
    EXPECT_GT(taxes.overdue, 0);
    EXPECT_EQ(taxes.accrued, taxes.paid + taxes.owed);
    EXPECT_EQ(taxes.charges.size(), rustam.taxes.size());
    EXPECT_TRUE(clients_.tax->property(rustam.inn).contains("real_estate"));
    try {
        clients_.tax->taxes("500100732259");  // valid, unknown
        FAIL();
    } catch (const RegistryRejected& e) {
        EXPECT_EQ(e.code(), "fns.taxpayer_not_found");
        EXPECT_EQ(e.http_status(), 404);
    }
}

TEST_F(RegistriesClient, TrafficPoliceAndBailiffs) {
    const Person& petr = person("p0002");
    const FineList by_licence = clients_.traffic_police->fines_by_licence(petr.driver_licence->number);
    EXPECT_TRUE(by_licence.document_found);
    ASSERT_EQ(by_licence.fines.size(), 2u);
    std::int64_t due = 0;
    for (const auto& f : by_licence.fines) {
        EXPECT_TRUE(f.uin.starts_with("188"));
        EXPECT_FALSE(f.paid);
        due += f.amount_due;
    }
    EXPECT_EQ(due, by_licence.total_due);
    EXPECT_EQ(clients_.traffic_police->fines_by_licence(petr.driver_licence->number, true).fines.size(), 3u);
    const FineList by_certificate = clients_.traffic_police->fines_by_certificate(petr.vehicles.at(0).certificate);
    EXPECT_EQ(by_certificate.fines.size(), 2u);
    EXPECT_FALSE(clients_.traffic_police->fines_by_licence("99 99 999999").document_found);

    const Person& rustam = person("p0005");
    const auto debts = clients_.bailiffs->debts(rustam.region_code, identity(rustam));
    EXPECT_EQ(debts.size(), 2u);
    EXPECT_TRUE(clients_.bailiffs->debts("77", identity(rustam)).empty());

    // Paying a fine is reported to the traffic police once; the fine then shows paid.
    const TrafficFine& fine = by_licence.fines.at(0);
    clients_.charges->report_paid("gibdd", fine.uin, fine.amount_due, "pay-test-1");
    clients_.charges->report_paid("gibdd", fine.uin, fine.amount_due, "pay-test-1");  // a retry
    EXPECT_EQ(clients_.traffic_police->fines_by_licence(petr.driver_licence->number).fines.size(), 1u);
    try {
        clients_.charges->report_paid("gibdd", fine.uin, fine.amount_due, "pay-test-2");
        FAIL();
    } catch (const RegistryRejected& e) {
        EXPECT_EQ(e.code(), "charge.already_paid");
    }
}

TEST_F(RegistriesClient, PostDeliversRegisteredLetters) {
    LetterRequest l;
    l.recipient = {"Смирнова Анна Сергеевна", "614000", "Пермь, ул. Ленина, д. 1"};
    l.content = "Код подтверждения личности: 4815-1623";
    l.delivery_seconds = 1;
    const std::string key = "letter-" + core::to_hex(core::random_bytes(4));
    const LetterTracking sent = clients_.post->send_letter(l, key);
    EXPECT_EQ(sent.status, LetterStatus::accepted);
    EXPECT_EQ(sent.tracking_number.size(), 14u);
    EXPECT_TRUE(post_tracking_valid(sent.tracking_number));
    // The same key does not send a second letter.
    EXPECT_EQ(clients_.post->send_letter(l, key).tracking_number, sent.tracking_number);
    std::this_thread::sleep_for(chr::milliseconds(1300));
    const LetterTracking later = clients_.post->track(sent.tracking_number);
    EXPECT_EQ(later.status, LetterStatus::handed_over);
    ASSERT_EQ(later.history.size(), 4u);
    EXPECT_EQ(later.history[2].status, LetterStatus::arrived);
}

TEST_F(RegistriesClient, BankVouchesAndTakesIdempotentCardPayments) {
    CardPaymentRequest r;
    r.amount = 150000;
    r.description = "Штраф ГИБДД";
    r.order_id = "order-" + core::to_hex(core::random_bytes(4));
    r.card = {"4111 1111 1111 1111", "12/35", "123"};
    const std::string key = "pay-" + core::to_hex(core::random_bytes(4));
    const CardPayment first = clients_.bank->pay(r, key);
    EXPECT_EQ(first.status, "succeeded");
    EXPECT_EQ(first.card_last4, "1111");
    EXPECT_EQ(clients_.bank->pay(r, key).id, first.id) << "the same key must not pay twice";
    const CardPayment refunded = clients_.bank->refund(first.id, 50000, key + "-refund");
    EXPECT_EQ(refunded.refunded_amount, 50000);
    EXPECT_EQ(clients_.bank->refund(first.id, 50000, key + "-refund").refunded_amount, 50000);

    r.card.number = "4000000000000002";
    const CardPayment declined = clients_.bank->pay(r, key + "-d");
    EXPECT_EQ(declined.status, "declined");
    EXPECT_EQ(declined.decline_reason, "insufficient_funds");

    r.card.number = "4000000000003220";
    const CardPayment pending = clients_.bank->pay(r, key + "-3ds");
    EXPECT_EQ(pending.status, "requires_action");
    EXPECT_NE(pending.action_url.find("/bank/3ds/" + pending.id), std::string::npos);
    EXPECT_EQ(clients_.bank->confirm_3ds(pending.id, "123456").status, "succeeded");
    EXPECT_EQ(clients_.bank->payment(pending.id).status, "succeeded");

    r.card.number = "4111111111111112";
    try {
        clients_.bank->pay(r, key + "-bad");
        FAIL();
    } catch (const RegistryRejected& e) {
        EXPECT_EQ(e.code(), "card.invalid_number");
    }
    EXPECT_NE(clients_.bank->authorize_url("uslugi", "http://127.0.0.1:8080/cb", "s1").find("/bank/id/authorize?"),
              std::string::npos);
}

TEST_F(RegistriesClient, SmsGatewayAcceptsOncePerKey) {
    const std::string key = "sms-" + core::to_hex(core::random_bytes(4));
    const std::string id = clients_.sms->send("+7 912 000-11-22", "Код: 1234", key);
    EXPECT_TRUE(id.starts_with("sms_"));
    EXPECT_EQ(clients_.sms->send("+7 912 000-11-22", "Код: 1234", key), id);
    EXPECT_NE(clients_.sms->send("+7 912 000-11-22", "Код: 1234", key + "-2"), id);
    EXPECT_TRUE(clients_.push->send("+79120001122", "Заявление", "Принято", key).starts_with("push_"));
    try {
        clients_.sms->send("12345", "x", "");
        FAIL();
    } catch (const RegistryRejected& e) {
        EXPECT_TRUE(e.code().starts_with("mobile_phone.")) << e.code();
    }
}

TEST_F(RegistriesClient, DownFailingAndSlowRegistriesAreUnavailable) {
    const PersonIdentity anna = identity(person("p0001"));
    server_->faults().apply(nlohmann::json::parse(R"({"pfr": {"down": true}})"));
    try {
        clients_.pension_fund->check_snils(anna);
        FAIL();
    } catch (const RegistryUnavailable& e) {
        EXPECT_EQ(e.reason(), RegistryUnavailable::Reason::server_error);
        EXPECT_EQ(e.http_status(), 503);
        EXPECT_EQ(e.code, "registry.down");
        EXPECT_EQ(e.registry(), "pfr");
    }
    // Only that registry is down.
    EXPECT_EQ(clients_.interior->check_passport(anna).status, PassportStatus::valid);

    server_->faults().apply(nlohmann::json::parse(R"({"pfr": {"down": false, "error_rate": 1}})"));
    try {
        clients_.pension_fund->check_snils(anna);
        FAIL();
    } catch (const RegistryUnavailable& e) {
        EXPECT_EQ(e.code, "registry.unavailable");
    }

    // Slower than the client waits: a timeout, within about the timeout.
    server_->faults().apply(nlohmann::json::parse(R"({"pfr": {"error_rate": 0, "latency_ms": 1500}})"));
    const auto started = chr::steady_clock::now();
    try {
        clients_.pension_fund->check_snils(anna);
        FAIL();
    } catch (const RegistryUnavailable& e) {
        EXPECT_EQ(e.reason(), RegistryUnavailable::Reason::timeout);
    }
    const auto waited = chr::steady_clock::now() - started;
    EXPECT_GE(waited, chr::milliseconds(900));
    EXPECT_LT(waited, chr::milliseconds(1450));

    // Slow but within the timeout: answers.
    server_->faults().apply(nlohmann::json::parse(R"({"pfr": {"latency_ms": 200}})"));
    EXPECT_EQ(clients_.pension_fund->check_snils(anna), SnilsCheck::match);
    server_->faults().reset();
    EXPECT_EQ(clients_.pension_fund->check_snils(anna), SnilsCheck::match);
}

TEST_F(RegistriesClient, ConnectionRefusedIsUnavailable) {
    // A port nobody listens on: bind one, then close it.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = a.local_endpoint().port();
    a.close();
    ClientOptions o;
    o.base_url = "http://127.0.0.1:" + std::to_string(port);
    auto dead = make_http_clients(o);
    try {
        dead.sms->send("+79120001122", "x", "k");
        FAIL();
    } catch (const RegistryUnavailable& e) {
        EXPECT_EQ(e.reason(), RegistryUnavailable::Reason::connection);
        EXPECT_EQ(e.registry(), "sms");
    }
    auto url = [](const char* base) {
        ClientOptions bad;
        bad.base_url = base;
        return bad;
    };
    EXPECT_THROW(make_http_clients(url("ftp://example.org")), std::invalid_argument);
    EXPECT_THROW(make_http_clients(url("http://host:notaport")), std::invalid_argument);
}

// Every field of the typed answers is the registry's field of that name.
namespace {
std::string json_text(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
std::string day(std::optional<Date> d) { return d ? format_date(*d) : ""; }
}  // namespace

TEST_F(RegistriesClient, TypedTaxesAndDebtsCarryTheRegistrysFields) {
    const Person& rustam = person("p0005");
    const TaxSummary taxes = clients_.tax->taxes(rustam.inn);
    const nlohmann::json raw = clients_.transport->call("fns", "GET", "/fns/taxpayers/" + rustam.inn + "/taxes");
    EXPECT_EQ(taxes.accrued, raw["accrued"]);
    EXPECT_EQ(taxes.paid, raw["paid"]);
    ASSERT_EQ(taxes.charges.size(), raw["items"].size());
    for (std::size_t k = 0; k < taxes.charges.size(); ++k) {
        const TaxCharge& c = taxes.charges[k];
        const nlohmann::json& r = raw["items"][k];
        EXPECT_EQ(c.uin, json_text(r, "uin"));
        EXPECT_EQ(c.kind, json_text(r, "kind"));
        EXPECT_EQ(c.object, json_text(r, "object"));
        EXPECT_EQ(c.oktmo, json_text(r, "oktmo"));
        EXPECT_EQ(c.year, r["year"]);
        EXPECT_EQ(c.owed, r["owed"]);
        EXPECT_EQ(format_date(c.due_date), json_text(r, "due_date"));
        EXPECT_EQ(c.overdue, r.value("overdue", false));
    }
    nlohmann::json query = {{"surname", rustam.surname}, {"name", rustam.name}, {"patronymic", rustam.patronymic},
                            {"birth_date", format_date(rustam.birth_date)}, {"region", rustam.region_code}};
    const nlohmann::json raw_debts = clients_.transport->call("fssp", "POST", "/fssp/debts/search", &query)["debts"];
    const auto debts = clients_.bailiffs->debts(rustam.region_code, identity(rustam));
    ASSERT_EQ(debts.size(), raw_debts.size());
    for (std::size_t k = 0; k < debts.size(); ++k) {
        EXPECT_EQ(debts[k].number, json_text(raw_debts[k], "number"));
        EXPECT_EQ(debts[k].department, json_text(raw_debts[k], "department"));
        EXPECT_EQ(debts[k].phone, json_text(raw_debts[k], "phone"));
        EXPECT_EQ(format_date(debts[k].opened_date), json_text(raw_debts[k], "opened_date"));
        EXPECT_EQ(debts[k].remaining, raw_debts[k]["remaining"]);
    }
}

TEST_F(RegistriesClient, TypedFinesCarryTheRegistrysFields) {
    const Person& petr = person("p0002");
    const std::string licence = petr.driver_licence->number;
    const FineList fines = clients_.traffic_police->fines_by_licence(licence, true);
    const nlohmann::json raw = clients_.transport->call(
        "gibdd", "GET", "/gibdd/fines?licence=" + http::url_encode(licence) + "&include_paid=true")["fines"];
    ASSERT_EQ(fines.fines.size(), raw.size());
    for (std::size_t k = 0; k < raw.size(); ++k) {
        const TrafficFine& f = fines.fines[k];
        const nlohmann::json& r = raw[k];
        const nlohmann::json d = r.value("discount", nlohmann::json::object());
        EXPECT_EQ(f.uin, json_text(r, "uin"));
        EXPECT_EQ(f.article, json_text(r, "article"));
        EXPECT_EQ(f.place, json_text(r, "place"));
        EXPECT_EQ(f.certificate, json_text(r, "certificate"));
        EXPECT_EQ(f.amount_due, r["amount_due"]);
        EXPECT_EQ(format_date(f.decision_date), json_text(r, "decision_date"));
        EXPECT_EQ(f.paid, r.value("paid", false));
        EXPECT_EQ(f.discount_eligible, d.value("eligible", false));
        EXPECT_EQ(f.discount_active, d.value("active", false));
        EXPECT_EQ(day(f.discount_until), json_text(d, "until"));
    }
}
