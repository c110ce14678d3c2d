#include "catalog/store.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/crypto.hpp"
#include "db/transaction.hpp"

namespace uslugi::catalog {

namespace fs = std::filesystem;

std::vector<nlohmann::json> read_seed_files(const std::string& dir) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<nlohmann::json> out;
    for (const auto& f : files) {
        std::ifstream in(f);
        try {
            out.push_back(nlohmann::json::parse(in));
        } catch (const nlohmann::json::exception& e) {
            throw std::invalid_argument(f.string() + ": " + e.what());
        }
    }
    return out;
}

namespace {

std::string meta(soci::session& s, const std::string& name) {
    std::string value;
    s << "SELECT value FROM catalog_meta WHERE name = :n", soci::use(name), soci::into(value);
    return value;
}

void set_meta(soci::session& s, const std::string& name, const std::string& value) {  // named args: see replace()
    s << "UPDATE catalog_meta SET value = :v WHERE name = :n", soci::use(value), soci::use(name);
}

std::string json_text(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict); }

std::string opt(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

SeedResult CatalogStore::replace(const std::vector<nlohmann::json>& documents) {
    CatalogData check;
    for (const auto& d : documents) check.add_document(d);
    if (auto problems = check.validate(); !problems.empty()) {
        std::string all;
        for (const auto& p : problems) all += "\n  " + p;
        throw std::invalid_argument("the catalog has problems:" + all);
    }
    std::string canonical;
    for (const auto& d : documents) canonical += json_text(d);
    const std::string hash = core::sha256_hex(canonical);

    return db::transact(db_, [&](soci::session& s) {
        SeedResult result;
        result.services = check.services.size();
        result.authorities = check.authorities.size();
        result.version = std::stoll(meta(s, "version"));
        if (meta(s, "content_hash") == hash) return result;

        for (const char* table : {"catalog_regions", "catalog_authorities", "catalog_categories", "catalog_services",
                                  "catalog_life_situations", "catalog_service_centres", "catalog_synonyms"})
            s << std::string("DELETE FROM ") + table;
        // SOCI binds references and runs the statement when the whole
        // expression ends, after temporaries die: every bound value is a named local.
        int position = 0;
        auto insert_plain = [&](const std::string& sql, const std::string& id, const nlohmann::json& item) {
            const std::string data = json_text(item);
            ++position;
            s << sql, soci::use(id), soci::use(position), soci::use(data);
        };
        for (const auto& doc : documents) {
            for (const auto& r : doc.value("regions", nlohmann::json::array()))
                insert_plain("INSERT INTO catalog_regions (code, position, data) VALUES (:c, :p, :d)", opt(r, "code"), r);
            for (const auto& c : doc.value("categories", nlohmann::json::array()))
                insert_plain("INSERT INTO catalog_categories (id, position, data) VALUES (:i, :p, :d)", opt(c, "id"), c);
            for (const auto& l : doc.value("life_situations", nlohmann::json::array()))
                insert_plain("INSERT INTO catalog_life_situations (id, position, data) VALUES (:i, :p, :d)", opt(l, "id"), l);
            for (const auto& a : doc.value("authorities", nlohmann::json::array())) {
                const std::string id = opt(a, "id"), parent = opt(a, "parent"), level = opt(a, "level"),
                                  region = opt(a, "region"), data = json_text(a);
                soci::indicator pi = parent.empty() ? soci::i_null : soci::i_ok, ri = region.empty() ? soci::i_null : soci::i_ok;
                ++position;
                s << "INSERT INTO catalog_authorities (id, position, parent_id, level, region_code, data) "
                     "VALUES (:i, :p, :pa, :l, :r, :d)",
                    soci::use(id), soci::use(position), soci::use(parent, pi), soci::use(level), soci::use(region, ri),
                    soci::use(data);
            }
            for (const auto& v : doc.value("services", nlohmann::json::array())) {
                const std::string id = opt(v, "id"), authority = opt(v, "authority"), level = opt(v, "level"),
                                  min_level = opt(v, "min_level"), data = json_text(v);
                const long long fee = v.value("fee_kopecks", 0LL);
                const int popularity = v.value("popularity", 0);
                ++position;
                s << "INSERT INTO catalog_services (id, position, authority_id, level, min_level, fee_kopecks, popularity, data) "
                     "VALUES (:i, :p, :a, :l, :m, :f, :pop, :d)",
                    soci::use(id), soci::use(position), soci::use(authority), soci::use(level), soci::use(min_level),
                    soci::use(fee), soci::use(popularity), soci::use(data);
            }
            for (const auto& c : doc.value("service_centres", nlohmann::json::array())) {
                const std::string id = opt(c, "id"), region = opt(c, "region"), settlement = opt(c, "settlement"),
                                  kind = opt(c, "kind"), data = json_text(c);
                const int identity = c.value("confirms_identity", false) ? 1 : 0;
                ++position;
                s << "INSERT INTO catalog_service_centres (id, position, region_code, settlement_id, kind, confirms_identity, data) "
                     "VALUES (:i, :p, :r, :s, :k, :c, :d)",
                    soci::use(id), soci::use(position), soci::use(region), soci::use(settlement), soci::use(kind),
                    soci::use(identity), soci::use(data);
            }
            for (const auto& g : doc.value("synonyms", nlohmann::json::array())) {
                const std::string data = json_text(g);
                ++position;
                s << "INSERT INTO catalog_synonyms (position, data) VALUES (:p, :d)", soci::use(position), soci::use(data);
            }
        }
        result.version += 1;
        set_meta(s, "version", std::to_string(result.version));
        set_meta(s, "content_hash", hash);
        result.changed = true;
        return result;
    });
}

long long CatalogStore::version() {
    db::Connection c(db_);
    return std::stoll(meta(*c, "version"));
}

CatalogData CatalogStore::load(long long& version) {
    // One read transaction, so the version matches the rows read.
    db::Connection c(db_);
    db::Transaction tx(c, db::Transaction::Mode::read_only_snapshot);
    version = std::stoll(meta(*c, "version"));
    CatalogData data;
    const std::pair<const char*, const char*> tables[] = {
        {"regions", "catalog_regions"},           {"authorities", "catalog_authorities"},
        {"categories", "catalog_categories"},     {"services", "catalog_services"},
        {"life_situations", "catalog_life_situations"}, {"service_centres", "catalog_service_centres"},
        {"synonyms", "catalog_synonyms"}};
    for (const auto& [key, table] : tables) {
        nlohmann::json list = nlohmann::json::array();
        soci::rowset<std::string> rows = (c->prepare << std::string("SELECT data FROM ") + table + " ORDER BY position");
        for (const auto& row : rows) list.push_back(nlohmann::json::parse(row));
        data.add_document({{key, std::move(list)}});
    }
    tx.commit();
    return data;
}

}  // namespace uslugi::catalog
