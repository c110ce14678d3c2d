#pragma once
// The catalog of services and authorities (CAT-1 … CAT-5) as an immutable,
// in-memory snapshot: built from the database at start and rebuilt when the
// catalog version changes. Pure data and rules, no I/O.
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalog/search_index.hpp"
#include "identity/model.hpp"

namespace uslugi::catalog {

// A text in the interface languages; a missing language falls back to English, then Russian.
struct Text {
    std::string ru, en, de, fr;
    const std::string& in(std::string_view lang) const;
    // The language in(lang) is written in: `lang` itself, or the one it fell back to
    // ("en", "ru"), so a page can mark a foreign text with its own lang attribute (WCAG 3.1.2).
    std::string_view language_in(std::string_view lang) const;
    static Text from_json(const nlohmann::json& j);
};

struct Settlement {
    std::string id, region_code, kind, oktmo, municipality;
    Text name;
    double lat = 0, lon = 0;
};

struct Region {
    std::string code, id, timezone;
    Text name;
    std::vector<std::string> settlements;  // ids, in file order
};

struct Authority {
    std::string id, parent, level, region, settlement, kind, website, inn, ogrn;
    Text name, short_name, address, hours;
    std::vector<std::string> phones;
    std::vector<std::string> children;  // derived: subordinate bodies
};

struct Category {
    std::string id, icon;
    Text name, description;
    int order = 0;
};

struct Faq {
    Text question, answer;
};

struct BlankForm {
    Text name;
    std::vector<Text> fields;
};

struct Service {
    std::string id, authority, level;
    Text title, short_text, description, fee_note, duration, result;
    std::vector<std::string> audiences, regions, settlements, categories, how_to_get;
    identity::Level min_level = identity::Level::confirmed;
    long long fee_kopecks = 0;
    std::vector<Text> documents;
    bool online_form = false;
    std::optional<BlankForm> blank_form;
    std::vector<Faq> faq;
    std::map<std::string, std::vector<std::string>> keywords;  // lang → words
    int popularity = 0;

    // Whether the service is offered at a place: federal ones everywhere, the
    // rest in their regions (and settlements, when listed). An empty region means "anywhere".
    bool available_in(std::string_view region, std::string_view settlement) const;
    bool for_audience(std::string_view audience) const;
};

struct LifeSituationStep {
    std::string service;
    Text note;
};

struct LifeSituation {
    std::string id;
    Text title, description;
    std::vector<LifeSituationStep> steps;
};

struct ServiceCentre {
    std::string id, kind, region, settlement;
    Text name, address, hours;
    std::vector<std::string> phones;
    double lat = 0, lon = 0;
    bool confirms_identity = false, registers_accounts = false;
};

// The whole catalog as loaded from data/catalog/*.json (or the database copy of them).
struct CatalogData {
    std::vector<Region> regions;
    std::vector<Authority> authorities;
    std::vector<Category> categories;
    std::vector<Service> services;
    std::vector<LifeSituation> life_situations;
    std::vector<ServiceCentre> service_centres;
    std::vector<std::vector<std::string>> synonyms;
    std::unordered_map<std::string, Settlement> settlements;

    // Parses one document of the seed format ({"services":[…]}, {"regions":[…]}, …) into this.
    void add_document(const nlohmann::json& doc);
    // Checks references (authority, categories, regions, steps …); returns the problems found.
    std::vector<std::string> validate() const;
};

// Great-circle distance in kilometres.
double distance_km(double lat1, double lon1, double lat2, double lon2);

class Catalog {
public:
    Catalog(CatalogData data, long long version);

    long long version() const { return version_; }
    const CatalogData& data() const { return data_; }
    const Service* service(std::string_view id) const;
    const Authority* authority(std::string_view id) const;
    const Category* category(std::string_view id) const;
    const LifeSituation* life_situation(std::string_view id) const;
    const Region* region(std::string_view code) const;
    const Settlement* settlement(std::string_view id) const;
    const SearchIndex& search_index() const { return *search_; }
    // Authorities ("authority:<id>") and service centres ("centre:<id>"), for the search box's second group.
    const SearchIndex& body_index() const { return *bodies_; }

    struct Place {
        std::string region, settlement, audience;
    };
    // Services applying to a place, most popular first.
    std::vector<const Service*> popular(const Place& place, std::size_t limit) const;
    std::vector<const Service*> in_category(std::string_view category, const Place& place) const;
    std::vector<const Service*> of_authority(std::string_view authority, const Place& place) const;
    // Service centres of a region, nearest first from a point (or from the settlement's centre).
    std::vector<std::pair<const ServiceCentre*, double>> centres_near(double lat, double lon, std::string_view region,
                                                                       bool identity_only) const;

private:
    CatalogData data_;
    long long version_;
    std::unordered_map<std::string, std::size_t> services_, authorities_, categories_, situations_, regions_;
    std::vector<const Service*> by_popularity_;  // every service, most popular first
    std::unique_ptr<SearchIndex> search_;
    std::unique_ptr<SearchIndex> bodies_;
};

}  // namespace uslugi::catalog
