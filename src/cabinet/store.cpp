#include "cabinet/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace uslugi::cabinet {

namespace {

using nlohmann::json;

// The account is part of a sealed value's row key: a row whose account_id is
// changed in the database does not open for the other account.
core::SealContext document_place(std::int64_t account_id, std::int64_t id) {
    return {"cabinet_documents", "data_enc", std::to_string(account_id) + ":" + std::to_string(id)};
}

core::SealContext address_place(std::int64_t account_id, AddressKind kind) {
    return {"cabinet_addresses", "data_enc", std::to_string(account_id) + ":" + std::string(to_string(kind))};
}

std::int64_t i64(const soci::row& r, std::size_t i) {
    return r.get_properties(i).get_data_type() == soci::dt_integer ? r.get<int>(i) : r.get<long long>(i);
}

json date_json(const std::optional<Date>& d) { return d ? json(core::format_iso_date(*d)) : json(); }

std::optional<Date> date_from(const json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return core::parse_iso_date(it->get<std::string>());
}

constexpr const char* kDocumentColumns = "id, account_id, kind, data_enc, updated_at";

}  // namespace

std::string document_to_json(const Document& d) {
    return json{{"number", d.number},         {"issued", date_json(d.issued)}, {"valid_until", date_json(d.valid_until)},
                {"categories", d.categories}, {"plate", d.plate},              {"make_model", d.make_model},
                {"year", d.year}}
        .dump();
}

void document_fields_from_json(Document& d, const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) throw std::runtime_error("a stored document is not a JSON object");
    d.number = j.value("number", "");
    d.issued = date_from(j, "issued");
    d.valid_until = date_from(j, "valid_until");
    d.categories = j.value("categories", std::vector<std::string>{});
    d.plate = j.value("plate", "");
    d.make_model = j.value("make_model", "");
    d.year = j.value("year", 0);
}

std::string address_to_json(const Address& a) {
    return json{{"region", a.region}, {"settlement", a.settlement}, {"street", a.street}, {"house", a.house},
                {"building", a.building}, {"flat", a.flat}, {"postcode", a.postcode}}
        .dump();
}

void address_fields_from_json(Address& a, const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) throw std::runtime_error("a stored address is not a JSON object");
    a.region = j.value("region", "");
    a.settlement = j.value("settlement", "");
    a.street = j.value("street", "");
    a.house = j.value("house", "");
    a.building = j.value("building", "");
    a.flat = j.value("flat", "");
    a.postcode = j.value("postcode", "");
}

std::string CabinetStore::number_index(const Document& d) const {
    return protector_.blind_index("cabinet." + std::string(to_string(d.kind)), d.number);
}

std::int64_t CabinetStore::add(soci::session& tx, const Document& d, std::int64_t now) {
    // The sealed value names its row, whose id exists only after the insert.
    long long id = 0;
    const long long account = d.account_id, t = now;
    const std::string kind(to_string(d.kind)), index = number_index(d), placeholder = "";
    tx << "INSERT INTO cabinet_documents (account_id, kind, number_index, data_enc, created_at, updated_at) "
          "VALUES (:a, :k, :n, :d, :c, :u) RETURNING id",
        soci::use(account), soci::use(kind), soci::use(index), soci::use(placeholder), soci::use(t), soci::use(t),
        soci::into(id);
    const std::string sealed = protector_.seal(document_to_json(d), document_place(d.account_id, id));
    tx << "UPDATE cabinet_documents SET data_enc = :d WHERE id = :id", soci::use(sealed), soci::use(id);
    return id;
}

bool CabinetStore::update(soci::session& tx, const Document& d, std::int64_t now) {
    const long long id = d.id, account = d.account_id, t = now;
    const std::string kind(to_string(d.kind)), index = number_index(d);
    const std::string sealed = protector_.seal(document_to_json(d), document_place(d.account_id, d.id));
    soci::statement st = (tx.prepare << "UPDATE cabinet_documents SET number_index = :n, data_enc = :d, updated_at = :u "
                                        "WHERE id = :id AND account_id = :a AND kind = :k",
                          soci::use(index), soci::use(sealed), soci::use(t), soci::use(id), soci::use(account),
                          soci::use(kind));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

bool CabinetStore::remove(soci::session& tx, std::int64_t account_id, std::int64_t id) {
    const long long key = id, account = account_id;
    soci::statement st = (tx.prepare << "DELETE FROM cabinet_documents WHERE id = :id AND account_id = :a",
                          soci::use(key), soci::use(account));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

namespace {

Document document_from(const soci::row& r, const core::DataProtector& protector) {
    Document d;
    d.id = i64(r, 0);
    d.account_id = i64(r, 1);
    d.kind = document_kind_from_string(r.get<std::string>(2)).value_or(DocumentKind::driver_licence);
    document_fields_from_json(d, protector.open(r.get<std::string>(3), document_place(d.account_id, d.id)));
    d.updated_at = i64(r, 4);
    return d;
}

}  // namespace

std::optional<Document> CabinetStore::document(std::int64_t account_id, std::int64_t id) {
    db::Connection c(db_);
    const long long key = id, account = account_id;
    soci::rowset<soci::row> rows =
        (c->prepare << std::string("SELECT ") + kDocumentColumns +
                           " FROM cabinet_documents WHERE id = :id AND account_id = :a",
         soci::use(key), soci::use(account));
    for (const auto& r : rows) return document_from(r, protector_);
    return std::nullopt;
}

std::vector<Document> CabinetStore::documents(std::int64_t account_id) {
    std::vector<Document> out;
    db::Connection c(db_);
    const long long account = account_id;
    soci::rowset<soci::row> rows = (c->prepare << std::string("SELECT ") + kDocumentColumns +
                                                      " FROM cabinet_documents WHERE account_id = :a ORDER BY id",
                                    soci::use(account));
    for (const auto& r : rows) out.push_back(document_from(r, protector_));
    // By kind in the model's order, then as added.
    std::stable_sort(out.begin(), out.end(), [](const Document& a, const Document& b) { return a.kind < b.kind; });
    return out;
}

std::vector<std::int64_t> CabinetStore::accounts_with_fine_documents(std::int64_t after, int limit) {
    std::vector<std::int64_t> out;
    db::Connection c(db_);
    const long long from = after, n = limit;
    soci::rowset<soci::row> rows =
        (c->prepare << "SELECT DISTINCT account_id FROM cabinet_documents WHERE account_id > :a AND kind IN "
                       "('driver_licence', 'vehicle') ORDER BY account_id LIMIT :n",
         soci::use(from), soci::use(n));
    for (const auto& r : rows) out.push_back(i64(r, 0));
    return out;
}

void CabinetStore::save_address(soci::session& tx, std::int64_t account_id, const Address& a, std::int64_t now) {
    const std::string kind(to_string(a.kind));
    const std::string sealed = protector_.seal(address_to_json(a), address_place(account_id, a.kind));
    const long long account = account_id, t = now;
    tx << "INSERT INTO cabinet_addresses (account_id, kind, data_enc, updated_at) VALUES (:a, :k, :d, :u) "
          "ON CONFLICT (account_id, kind) DO UPDATE SET data_enc = excluded.data_enc, updated_at = excluded.updated_at",
        soci::use(account), soci::use(kind), soci::use(sealed), soci::use(t);
}

bool CabinetStore::remove_address(soci::session& tx, std::int64_t account_id, AddressKind kind) {
    const std::string k(to_string(kind));
    const long long account = account_id;
    soci::statement st = (tx.prepare << "DELETE FROM cabinet_addresses WHERE account_id = :a AND kind = :k",
                          soci::use(account), soci::use(k));
    st.execute(true);
    return st.get_affected_rows() == 1;
}

std::vector<Address> CabinetStore::addresses(std::int64_t account_id) {
    std::vector<Address> out;
    db::Connection c(db_);
    const long long account = account_id;
    soci::rowset<soci::row> rows = (c->prepare << "SELECT kind, data_enc, updated_at FROM cabinet_addresses "
                                                  "WHERE account_id = :a",
                                    soci::use(account));
    for (const auto& r : rows) {
        const auto kind = address_kind_from_string(r.get<std::string>(0));
        if (!kind) continue;
        Address a;
        a.kind = *kind;
        address_fields_from_json(a, protector_.open(r.get<std::string>(1), address_place(account_id, a.kind)));
        a.updated_at = i64(r, 2);
        out.push_back(std::move(a));
    }
    std::sort(out.begin(), out.end(), [](const Address& a, const Address& b) { return a.kind < b.kind; });
    return out;
}

void CabinetStore::erase(soci::session& tx, std::int64_t account_id) {
    const long long account = account_id;
    tx << "DELETE FROM cabinet_documents WHERE account_id = :a", soci::use(account);
    tx << "DELETE FROM cabinet_addresses WHERE account_id = :a", soci::use(account);
}

}  // namespace uslugi::cabinet
