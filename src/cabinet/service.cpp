#include "cabinet/service.hpp"

#include "core/clock.hpp"
#include "core/time.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"

namespace uslugi::cabinet {

namespace {

DocumentView view_of(Document d, Date today) {
    DocumentView v;
    v.expiry = expiry_of(d, today);
    v.days_left = days_left(d, today);
    if (v.expiry == Expiry::expired || v.expiry == Expiry::expiring) v.replacement = replacement_service(d.kind);
    v.document = std::move(d);
    return v;
}

Outcome invalid(std::vector<FieldError> errors) {
    Outcome o;
    o.error = "invalid";
    o.errors = std::move(errors);
    return o;
}

Outcome duplicate() {
    return invalid({{"number", "cabinet.error.number.duplicate"}});
}

}  // namespace

CabinetService::CabinetService(db::Database& db, const core::DataProtector& protector,
                               const catalog::CatalogService* catalog)
    : db_(db), store_(db, protector), catalog_(catalog) {}

std::vector<DocumentView> CabinetService::documents(std::int64_t account_id) {
    std::vector<DocumentView> out;
    const Date today = core::today_utc();
    for (auto& d : store_.documents(account_id)) out.push_back(view_of(std::move(d), today));
    return out;
}

std::optional<DocumentView> CabinetService::document(std::int64_t account_id, std::int64_t id) {
    auto d = store_.document(account_id, id);
    if (!d) return std::nullopt;
    return view_of(std::move(*d), core::today_utc());
}

Outcome CabinetService::add_document(std::int64_t account_id, DocumentKind kind, const Fields& typed) {
    auto checked = check_document(kind, typed, core::today_utc());
    if (!checked.ok()) return invalid(std::move(checked.errors));
    checked.value.account_id = account_id;
    Outcome o;
    try {
        o.id = db::transact(db_, [&](soci::session& tx) { return store_.add(tx, checked.value, core::now_unix()); });
    } catch (const std::exception& e) {
        if (db::is_unique_violation(e)) return duplicate();
        throw;
    }
    return o;
}

Outcome CabinetService::update_document(std::int64_t account_id, std::int64_t id, const Fields& typed) {
    const auto before = store_.document(account_id, id);
    if (!before) return Outcome{"not_found", {}, 0};
    auto checked = check_document(before->kind, typed, core::today_utc());
    if (!checked.ok()) return invalid(std::move(checked.errors));
    checked.value.account_id = account_id;
    checked.value.id = id;
    bool written = false;
    try {
        written = db::transact(db_, [&](soci::session& tx) { return store_.update(tx, checked.value, core::now_unix()); });
    } catch (const std::exception& e) {
        if (db::is_unique_violation(e)) return duplicate();
        throw;
    }
    if (!written) return Outcome{"not_found", {}, 0};
    Outcome o;
    o.id = id;
    return o;
}

bool CabinetService::remove_document(std::int64_t account_id, std::int64_t id) {
    return db::transact(db_, [&](soci::session& tx) { return store_.remove(tx, account_id, id); });
}

std::optional<Address> CabinetService::address(std::int64_t account_id, AddressKind kind) {
    for (auto& a : store_.addresses(account_id))
        if (a.kind == kind) return a;
    return std::nullopt;
}

Outcome CabinetService::save_address(std::int64_t account_id, AddressKind kind, const Fields& typed) {
    auto checked = check_address(kind, typed, [this](std::string_view code) { return region_known(code); });
    if (!checked.ok()) return invalid(std::move(checked.errors));
    db::transact(db_, [&](soci::session& tx) { store_.save_address(tx, account_id, checked.value, core::now_unix()); });
    return {};
}

bool CabinetService::remove_address(std::int64_t account_id, AddressKind kind) {
    return db::transact(db_, [&](soci::session& tx) { return store_.remove_address(tx, account_id, kind); });
}

bool CabinetService::region_known(std::string_view code) const {
    return catalog_ && catalog_->current()->region(code) != nullptr;
}

std::string CabinetService::region_name(const std::string& code, std::string_view lang) const {
    if (!catalog_) return code;
    const catalog::Region* r = catalog_->current()->region(code);
    return r ? r->name.in(lang) : code;
}

std::string CabinetService::formatted(const Address& a) const { return format_address(a, region_name(a.region, "ru")); }

FineKeys CabinetService::fine_keys(std::int64_t account_id) {
    FineKeys keys;
    for (const auto& d : store_.documents(account_id)) {
        if (d.kind == DocumentKind::driver_licence) keys.licences.push_back(d.number);
        if (d.kind == DocumentKind::vehicle) keys.certificates.push_back(d.number);
    }
    return keys;
}

std::optional<AddressClaim> CabinetService::address_claim(std::int64_t account_id) {
    const auto all = store_.addresses(account_id);  // in the order registration, actual, postal
    if (all.empty()) return std::nullopt;
    const Address& a = all.front();
    AddressClaim c;
    c.formatted = formatted(a);
    std::string street = a.street;
    auto add = [&street](const std::string& prefix, const std::string& v) {
        if (v.empty()) return;
        if (!street.empty()) street += ", ";
        street += prefix + v;
    };
    add("д. ", a.house);
    add("корп. ", a.building);
    add("кв. ", a.flat);
    c.street_address = street;
    c.locality = a.settlement;
    c.region = region_name(a.region, "ru");
    c.postal_code = a.postcode;
    return c;
}

}  // namespace uslugi::cabinet
