#include <gtest/gtest.h>

#include "cabinet/service.hpp"
#include "cabinet/store.hpp"
#include "db/dialect.hpp"
#include "db/transaction.hpp"
#include "store_fixture.hpp"

namespace uslugi::cabinet {
namespace {

using namespace std::chrono;

class CabinetStoreTest : public test_support::StoreTest {
protected:
    core::DataProtector protector{std::string(32, 'k')};

    Document licence(std::int64_t account, const std::string& number) {
        Document d;
        d.account_id = account;
        d.kind = DocumentKind::driver_licence;
        d.number = number;
        d.issued = sys_days{2020y / April / 12};
        d.valid_until = sys_days{2030y / April / 12};
        d.categories = {"B", "C"};
        return d;
    }

    std::string raw(const std::string& sql) {
        db::Connection c(db());
        std::string out;
        *c << sql, soci::into(out);
        return out;
    }
};

TEST_P(CabinetStoreTest, DocumentsAreSealedAndOnlyTheOwnersToSee) {
    CabinetStore store(db(), protector);
    const auto id = db::transact(db(), [&](soci::session& tx) { return store.add(tx, licence(7, "99 99 999999"), 100); });
    const auto mine = store.document(7, id);
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->number, "99 99 999999");
    EXPECT_EQ(mine->categories, (std::vector<std::string>{"B", "C"}));
    EXPECT_EQ(core::format_iso_date(*mine->valid_until), "2030-04-12");
    EXPECT_FALSE(store.document(8, id));  // another account's id
    EXPECT_TRUE(store.documents(8).empty());
    // Nothing readable at rest.
    const std::string sealed = raw("SELECT data_enc FROM cabinet_documents WHERE id = " + std::to_string(id));
    EXPECT_EQ(sealed.find("999999"), std::string::npos);
    EXPECT_EQ(sealed.rfind("v2.", 0), 0u);
    // Another account cannot change or remove it.
    Document other = *mine;
    other.account_id = 8;
    other.number = "11 11 111111";
    EXPECT_FALSE(db::transact(db(), [&](soci::session& tx) { return store.update(tx, other, 200); }));
    EXPECT_FALSE(db::transact(db(), [&](soci::session& tx) { return store.remove(tx, 8, id); }));
    EXPECT_EQ(store.document(7, id)->number, "99 99 999999");
    EXPECT_TRUE(db::transact(db(), [&](soci::session& tx) { return store.remove(tx, 7, id); }));
    EXPECT_FALSE(store.document(7, id));
}

TEST_P(CabinetStoreTest, ARowMovedToAnotherAccountDoesNotOpen) {
    CabinetStore store(db(), protector);
    const auto id = db::transact(db(), [&](soci::session& tx) { return store.add(tx, licence(7, "99 99 999999"), 100); });
    {
        db::Connection c(db());
        const long long key = id;
        *c << "UPDATE cabinet_documents SET account_id = 8 WHERE id = :id", soci::use(key);
    }
    EXPECT_THROW(store.document(8, id), core::UnreadableValue);
}

TEST_P(CabinetStoreTest, OneNumberOncePerAccount) {
    CabinetStore store(db(), protector);
    db::transact(db(), [&](soci::session& tx) { store.add(tx, licence(7, "99 99 999999"), 100); });
    try {
        db::transact(db(), [&](soci::session& tx) { store.add(tx, licence(7, "99 99 999999"), 101); });
        ADD_FAILURE() << "a second copy was stored";
    } catch (const std::exception& e) {
        EXPECT_TRUE(db::is_unique_violation(e)) << e.what();
    }
    // Another account may hold the same number (a shared car's certificate, a typo of theirs).
    EXPECT_NO_THROW(db::transact(db(), [&](soci::session& tx) { store.add(tx, licence(8, "99 99 999999"), 102); }));
}

TEST_P(CabinetStoreTest, AddressesOnePerKindSealedAndErased) {
    CabinetStore store(db(), protector);
    Address a;
    a.kind = AddressKind::actual;
    a.region = "59";
    a.settlement = "Пермь";
    a.house = "1";
    a.postcode = "614000";
    db::transact(db(), [&](soci::session& tx) { store.save_address(tx, 7, a, 100); });
    a.house = "2";
    db::transact(db(), [&](soci::session& tx) { store.save_address(tx, 7, a, 101); });
    a.kind = AddressKind::registration;
    db::transact(db(), [&](soci::session& tx) { store.save_address(tx, 7, a, 102); });
    const auto all = store.addresses(7);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].kind, AddressKind::registration);
    EXPECT_EQ(all[1].kind, AddressKind::actual);
    EXPECT_EQ(all[1].house, "2");
    EXPECT_EQ(raw("SELECT data_enc FROM cabinet_addresses WHERE kind = 'actual'").find("Пермь"), std::string::npos);
    EXPECT_TRUE(store.addresses(8).empty());
    EXPECT_FALSE(db::transact(db(), [&](soci::session& tx) { return store.remove_address(tx, 8, AddressKind::actual); }));
    EXPECT_TRUE(db::transact(db(), [&](soci::session& tx) { return store.remove_address(tx, 7, AddressKind::actual); }));
    db::transact(db(), [&](soci::session& tx) { store.add(tx, licence(7, "99 99 999999"), 103); });
    db::transact(db(), [&](soci::session& tx) { store.erase(tx, 7); });
    EXPECT_TRUE(store.addresses(7).empty());
    EXPECT_TRUE(store.documents(7).empty());
}

TEST_P(CabinetStoreTest, ServiceFindsFineKeysAndRefusesDuplicates) {
    CabinetService service(db(), protector, nullptr);
    ASSERT_TRUE(service.add_document(7, DocumentKind::driver_licence,
                                     {{"number", "9999999999"}, {"issued", "2020-04-12"}, {"valid_until", "2030-04-12"},
                                      {"categories", "B"}}).ok());
    const auto again = service.add_document(7, DocumentKind::driver_licence,
                                            {{"number", "99 99 999999"}, {"issued", "2020-04-12"},
                                             {"valid_until", "2030-04-12"}, {"categories", "B"}});
    EXPECT_EQ(again.error, "invalid");
    ASSERT_EQ(again.errors.size(), 1u);
    EXPECT_EQ(again.errors[0].key, "cabinet.error.number.duplicate");
    ASSERT_TRUE(service.add_document(7, DocumentKind::vehicle,
                                     {{"number", "77УР123456"}, {"plate", "А123ВС77"}, {"make_model", "Лада"},
                                      {"year", "2019"}}).ok());
    ASSERT_TRUE(service.add_document(7, DocumentKind::oms, {{"number", "7700000000000001"}}).ok());
    const auto keys = service.fine_keys(7);
    EXPECT_EQ(keys.licences, (std::vector<std::string>{"99 99 999999"}));
    EXPECT_EQ(keys.certificates, (std::vector<std::string>{"77 УР 123456"}));
    EXPECT_TRUE(service.fine_keys(8).licences.empty());
    // Without a catalog no region is known, so no address is accepted.
    const auto addr = service.save_address(7, AddressKind::postal,
                                           {{"region", "59"}, {"settlement", "Пермь"}, {"house", "1"}, {"postcode", "614000"}});
    ASSERT_EQ(addr.errors.size(), 1u);
    EXPECT_EQ(addr.errors[0].key, "cabinet.error.region.unknown");
    EXPECT_FALSE(service.address_claim(7));
}

USLUGI_STORE_TEST_SUITE(CabinetStoreTest);

}  // namespace
}  // namespace uslugi::cabinet
