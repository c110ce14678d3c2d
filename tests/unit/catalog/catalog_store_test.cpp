#include <gtest/gtest.h>

#include "catalog/service.hpp"
#include "catalog/store.hpp"
#include "store_fixture.hpp"

using namespace uslugi;

namespace {
std::vector<nlohmann::json> seed_files() { return catalog::read_seed_files(test_support::source_dir() + "/data/catalog"); }

nlohmann::json tiny_catalog(const std::string& title) {
    return nlohmann::json::parse(R"({
      "regions": [{"code": "59", "id": "perm-krai", "name": {"ru": "Пермский край", "en": "Perm Krai"}, "timezone": "Asia/Yekaterinburg",
                   "settlements": [{"id": "perm", "name": {"ru": "Пермь", "en": "Perm"}, "kind": "city", "lat": 58.01, "lon": 56.25}]}],
      "authorities": [{"id": "mvd", "parent": null, "level": "federal", "name": {"ru": "МВД России", "en": "Interior Ministry"}}],
      "categories": [{"id": "passports", "name": {"ru": "Паспорта", "en": "Passports"}, "order": 1}],
      "services": [{"id": "passport", "title": {"ru": ")" + title + R"(", "en": "Passport"}, "authority": "mvd", "level": "federal",
                    "regions": ["*"], "categories": ["passports"], "min_level": "confirmed", "fee_kopecks": 30000}]
    })");
}
}  // namespace

class CatalogStoreTest : public test_support::StoreTest {};

TEST_P(CatalogStoreTest, SeedLoadsTheDemoCatalogAndIsIdempotent) {
    catalog::CatalogStore store(db());
    const auto files = seed_files();
    const auto first = store.replace(files);
    EXPECT_TRUE(first.changed);
    EXPECT_EQ(first.version, 1);
    EXPECT_GE(first.services, 150u);
    const auto second = store.replace(files);
    EXPECT_FALSE(second.changed) << "the same content must not bump the version";
    EXPECT_EQ(second.version, 1);

    long long version = 0;
    catalog::CatalogData data = store.load(version);
    EXPECT_EQ(version, 1);
    EXPECT_EQ(data.services.size(), first.services);
    EXPECT_TRUE(data.validate().empty());
    catalog::Catalog cat(std::move(data), version);
    const auto* passport = cat.service("foreign-passport-chip");
    ASSERT_NE(passport, nullptr);
    EXPECT_EQ(passport->fee_kopecks, 600000);
    EXPECT_EQ(passport->min_level, identity::Level::confirmed);
    EXPECT_FALSE(cat.authority(passport->authority)->name.ru.empty());
}

TEST_P(CatalogStoreTest, BrokenReferencesAreRefusedAndNothingChanges) {
    catalog::CatalogStore store(db());
    store.replace({tiny_catalog("Паспорт")});
    auto broken = tiny_catalog("Паспорт");
    broken["services"][0]["authority"] = "nobody";
    try {
        store.replace({broken});
        FAIL() << "a service with an unknown authority must be refused";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("unknown authority nobody"), std::string::npos);
    }
    long long version = 0;
    auto data = store.load(version);
    EXPECT_EQ(version, 1);
    EXPECT_EQ(data.services.at(0).authority, "mvd");
}

TEST_P(CatalogStoreTest, SnapshotFollowsTheVersion) {
    catalog::CatalogStore store(db());
    store.replace({tiny_catalog("Паспорт гражданина")});
    catalog::CatalogService service(db());
    service.load();
    EXPECT_EQ(service.current()->service("passport")->title.ru, "Паспорт гражданина");
    EXPECT_FALSE(service.refresh());
    auto before = service.current();
    store.replace({tiny_catalog("Замена паспорта")});  // another instance seeds a change
    EXPECT_TRUE(service.refresh());
    EXPECT_EQ(service.current()->version(), 2);
    EXPECT_EQ(service.current()->service("passport")->title.ru, "Замена паспорта");
    EXPECT_EQ(before->service("passport")->title.ru, "Паспорт гражданина") << "readers keep the old snapshot";
}

USLUGI_STORE_TEST_SUITE(CatalogStoreTest);

TEST(CatalogModel, PlacesAudiencesAndDistances) {
    catalog::CatalogData data;
    for (const auto& f : seed_files()) data.add_document(f);
    ASSERT_TRUE(data.validate().empty());
    catalog::Catalog cat(std::move(data), 1);
    // A regional service of Perm krai applies there and not in Moscow.
    const catalog::Service* perm_only = nullptr;
    for (const auto& s : cat.data().services)
        if (s.regions.size() == 1 && s.regions[0] == "59") perm_only = &s;
    ASSERT_NE(perm_only, nullptr);
    EXPECT_TRUE(perm_only->available_in("59", ""));
    EXPECT_FALSE(perm_only->available_in("77", ""));
    const auto moscow = cat.popular({"77", "", ""}, 500);
    EXPECT_TRUE(std::none_of(moscow.begin(), moscow.end(), [&](auto* s) { return s == perm_only; }));
    for (std::size_t i = 1; i < moscow.size(); ++i) EXPECT_GE(moscow[i - 1]->popularity, moscow[i]->popularity);
    for (auto* s : cat.popular({"", "", "foreigner"}, 500)) EXPECT_TRUE(s->for_audience("foreigner"));
    // Moscow to St Petersburg is about 635 km.
    EXPECT_NEAR(catalog::distance_km(55.7558, 37.6173, 59.9343, 30.3351), 635, 10);
    const auto near = cat.centres_near(58.0105, 56.2502, "59", true);
    ASSERT_FALSE(near.empty());
    for (std::size_t i = 1; i < near.size(); ++i) EXPECT_LE(near[i - 1].second, near[i].second);
    for (auto& [c, km] : near) EXPECT_TRUE(c->confirms_identity);
    // Search over the real catalog finds the foreign passport by a colloquial name.
    const auto found = cat.search_index().search("загранпаспорт", {});
    ASSERT_FALSE(found.hits.empty());
    EXPECT_NE(found.hits[0].id.find("foreign-passport"), std::string::npos);
}
