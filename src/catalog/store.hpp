#pragma once
// The catalog tables: written by `uslugi seed`, read whole into a snapshot.
#include <nlohmann/json.hpp>

#include "catalog/model.hpp"
#include "db/database.hpp"

#include <string>

namespace uslugi::catalog {

struct SeedResult {
    bool changed = false;
    long long version = 0;
    std::size_t services = 0, authorities = 0;
};

class CatalogStore {
public:
    explicit CatalogStore(db::Database& db) : db_(db) {}

    // Replaces the catalog with `documents` (the seed files' JSON) in one
    // transaction and bumps the version; does nothing if the content is unchanged.
    // Throws std::invalid_argument listing the problems when references do not resolve.
    SeedResult replace(const std::vector<nlohmann::json>& documents);
    long long version();
    // Everything, as the seed format's documents, ready for CatalogData::add_document.
    CatalogData load(long long& version);

private:
    db::Database& db_;
};

// Reads every data/catalog/*.json file, in name order.
std::vector<nlohmann::json> read_seed_files(const std::string& dir);

}  // namespace uslugi::catalog
