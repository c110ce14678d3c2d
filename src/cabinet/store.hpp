#pragma once
// The SQL of the cabinet (migrations/0370_cabinet.sql). Only this module reads
// or writes cabinet_* tables. Values are sealed here and opened here; callers
// see plain Documents and Addresses. A value that does not open throws
// core::UnreadableValue (never replaced by an empty one).
#include "cabinet/model.hpp"
#include "core/crypto.hpp"
#include "db/database.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace uslugi::cabinet {

class CabinetStore {
public:
    CabinetStore(db::Database& db, const core::DataProtector& protector) : db_(db), protector_(protector) {}

    // The id of the new document; throws a unique violation (db::is_unique_violation)
    // when the account holds a document of this kind and number already.
    std::int64_t add(soci::session& tx, const Document& d, std::int64_t now);
    // False when the account has no such document (someone else's id changes nothing).
    bool update(soci::session& tx, const Document& d, std::int64_t now);
    bool remove(soci::session& tx, std::int64_t account_id, std::int64_t id);
    // The account's document; nullopt for another account's id.
    std::optional<Document> document(std::int64_t account_id, std::int64_t id);
    // The account's documents, by kind then in the order added.
    std::vector<Document> documents(std::int64_t account_id);
    // Accounts holding a driver's licence or a vehicle, ids above `after` in
    // order, at most `limit` (the daily look-up of fines pages through them).
    std::vector<std::int64_t> accounts_with_fine_documents(std::int64_t after, int limit);

    void save_address(soci::session& tx, std::int64_t account_id, const Address& a, std::int64_t now);
    bool remove_address(soci::session& tx, std::int64_t account_id, AddressKind kind);
    std::vector<Address> addresses(std::int64_t account_id);

    // Everything of the account (its deletion).
    void erase(soci::session& tx, std::int64_t account_id);

    db::Database& database() { return db_; }

private:
    std::string number_index(const Document& d) const;
    db::Database& db_;
    const core::DataProtector& protector_;
};

// The sealed JSON of a document's fields and back (id, account and kind live in columns).
std::string document_to_json(const Document& d);
void document_fields_from_json(Document& d, const std::string& text);
std::string address_to_json(const Address& a);
void address_fields_from_json(Address& a, const std::string& text);

}  // namespace uslugi::cabinet
