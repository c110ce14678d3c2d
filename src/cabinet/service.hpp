#pragma once
// CabinetService: the account's documents and addresses (CAB-3, CAB-5), and the
// interface other modules call for them (payments looks fines up by the
// account's licences and vehicle certificates; the OpenID Connect provider
// hands a consenting site the address). Modules never read cabinet_* tables.
//
// Reads by the owner are not recorded. Reads for someone else go through
// methods that say so: a site's read is recorded by the OIDC provider in the
// one "Who accessed my data" entry that lists everything the site received.
#include "cabinet/model.hpp"
#include "cabinet/store.hpp"
#include "catalog/service.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace uslugi::cabinet {

// The outcome of a change: the field errors (message keys) or the id written.
struct Outcome {
    std::string error;  // "" | invalid | duplicate | not_found
    std::vector<FieldError> errors;
    std::int64_t id = 0;
    bool ok() const { return error.empty(); }
};

// A document as pages show it: with its expiry as of today.
struct DocumentView {
    Document document;
    Expiry expiry = Expiry::none;
    int days_left = 0;
    std::string replacement;  // catalog service id when expired or expiring, else ""
};

// What the traffic police look fines up by.
struct FineKeys {
    std::vector<std::string> licences, certificates;  // canonical spellings
};

// The OIDC "address" claim's parts (OpenID Connect Core §5.1.1).
struct AddressClaim {
    std::string formatted, street_address, locality, region, postal_code, country = "RU";
};

class CabinetService {
public:
    // `catalog` names regions and checks their codes; may be null where no
    // address is written or named (the payments worker).
    CabinetService(db::Database& db, const core::DataProtector& protector, const catalog::CatalogService* catalog);

    // ---- the owner's documents ----
    std::vector<DocumentView> documents(std::int64_t account_id);
    std::optional<DocumentView> document(std::int64_t account_id, std::int64_t id);
    Outcome add_document(std::int64_t account_id, DocumentKind kind, const Fields& typed);
    // not_found for another account's id.
    Outcome update_document(std::int64_t account_id, std::int64_t id, const Fields& typed);
    bool remove_document(std::int64_t account_id, std::int64_t id);

    // ---- the owner's addresses ----
    std::vector<Address> addresses(std::int64_t account_id) { return store_.addresses(account_id); }
    std::optional<Address> address(std::int64_t account_id, AddressKind kind);
    Outcome save_address(std::int64_t account_id, AddressKind kind, const Fields& typed);
    bool remove_address(std::int64_t account_id, AddressKind kind);
    // "614000, Пермский край, Пермь, …" in the region's Russian name.
    std::string formatted(const Address& a) const;
    std::string region_name(const std::string& code, std::string_view lang) const;

    // ---- for other modules ----
    // The account's own look-up of fines, done by the portal on its behalf.
    FineKeys fine_keys(std::int64_t account_id);
    // Accounts with a licence or a vehicle, ids above `after`, at most `limit`, in id order.
    std::vector<std::int64_t> accounts_with_fine_keys(std::int64_t after, int limit) {
        return store_.accounts_with_fine_documents(after, limit);
    }
    // The address a site receives with the "addresses" scope: the place of
    // residence, else the actual, else the postal address; nullopt when none.
    // The caller records the site's read ("addresses").
    std::optional<AddressClaim> address_claim(std::int64_t account_id);

    // Everything of the account (its deletion).
    void erase(soci::session& tx, std::int64_t account_id) { store_.erase(tx, account_id); }
    CabinetStore& store() { return store_; }

private:
    bool region_known(std::string_view code) const;

    db::Database& db_;
    CabinetStore store_;
    const catalog::CatalogService* catalog_;
};

}  // namespace uslugi::cabinet
