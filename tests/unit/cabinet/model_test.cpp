#include <gtest/gtest.h>

#include "cabinet/model.hpp"

namespace uslugi::cabinet {
namespace {

using namespace std::chrono;

const Date kToday = sys_days{2026y / December / 3};

std::string first_error(const std::vector<FieldError>& errors, const std::string& field) {
    for (const auto& e : errors)
        if (e.field == field) return e.key;
    return "";
}

Fields licence() {
    return {{"number", "9999 999999"}, {"issued", "12.04.2020"}, {"valid_until", "2030-04-12"}, {"categories", "B, C"}};
}

TEST(CabinetDocuments, ALicenceIsCheckedAndNormalised) {
    const auto r = check_document(DocumentKind::driver_licence, licence(), kToday);
    ASSERT_TRUE(r.ok()) << r.errors.front().field << " " << r.errors.front().key;
    EXPECT_EQ(r.value.number, "99 99 999999");
    EXPECT_EQ(core::format_iso_date(*r.value.issued), "2020-04-12");
    EXPECT_EQ(core::format_iso_date(*r.value.valid_until), "2030-04-12");
    EXPECT_EQ(r.value.categories, (std::vector<std::string>{"B", "C"}));
}

TEST(CabinetDocuments, CategoriesInLicenceOrderWithCyrillicLookAlikes) {
    Fields f = licence();
    f["categories"] = "С В  A1 b tm B";  // Cyrillic С and В, repeated B, lower case
    const auto r = check_document(DocumentKind::driver_licence, f, kToday);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.categories, (std::vector<std::string>{"A1", "B", "C", "Tm"}));
    f["categories"] = "B Z";
    EXPECT_EQ(first_error(check_document(DocumentKind::driver_licence, f, kToday).errors, "categories"),
              "cabinet.error.categories.unknown");
    f["categories"] = " , ";
    EXPECT_EQ(first_error(check_document(DocumentKind::driver_licence, f, kToday).errors, "categories"),
              "cabinet.error.categories.required");
}

TEST(CabinetDocuments, EveryLicenceRuleNamesItsField) {
    const auto empty = check_document(DocumentKind::driver_licence, {}, kToday);
    EXPECT_EQ(first_error(empty.errors, "number"), "validation.driver_licence.empty");
    EXPECT_EQ(first_error(empty.errors, "issued"), "cabinet.error.issued.required");
    EXPECT_EQ(first_error(empty.errors, "valid_until"), "cabinet.error.valid_until.required");
    EXPECT_EQ(first_error(empty.errors, "categories"), "cabinet.error.categories.required");
    Fields f = licence();
    f["number"] = "99 99 99999";
    f["issued"] = "2026-12-04";  // tomorrow
    f["valid_until"] = "31.02.2030";
    auto r = check_document(DocumentKind::driver_licence, f, kToday);
    EXPECT_EQ(first_error(r.errors, "number"), "validation.driver_licence.format");
    EXPECT_EQ(first_error(r.errors, "issued"), "cabinet.error.issued.future");
    EXPECT_EQ(first_error(r.errors, "valid_until"), "cabinet.error.date_format");
    f = licence();
    f["valid_until"] = "12.04.2020";  // the day of issue
    EXPECT_EQ(first_error(check_document(DocumentKind::driver_licence, f, kToday).errors, "valid_until"),
              "cabinet.error.valid_until.before_issue");
    f["issued"] = "1899-12-31";
    EXPECT_EQ(first_error(check_document(DocumentKind::driver_licence, f, kToday).errors, "issued"),
              "cabinet.error.date_format");
    f["issued"] = "2026-12-03";  // today is fine
    f["valid_until"] = "2036-12-03";
    EXPECT_TRUE(check_document(DocumentKind::driver_licence, f, kToday).ok());
}

TEST(CabinetDocuments, VehicleCertificatePlateMakeAndYear) {
    Fields f{{"number", "77 ур 123456"}, {"plate", "a123bc 77"}, {"make_model", "  Лада   Веста "}, {"year", "2019"}};
    auto r = check_document(DocumentKind::vehicle, f, kToday);
    ASSERT_TRUE(r.ok()) << r.errors.front().key;
    EXPECT_EQ(r.value.number, "77 УР 123456");
    EXPECT_EQ(r.value.plate, "А123ВС77");
    EXPECT_EQ(r.value.make_model, "Лада Веста");
    EXPECT_EQ(r.value.year, 2019);
    EXPECT_FALSE(r.value.valid_until);
    f = {{"number", "77 QR 123456"}, {"plate", "Б123ВС77"}, {"make_model", std::string(101, 'x')}, {"year", "2028"}};
    r = check_document(DocumentKind::vehicle, f, kToday);
    EXPECT_EQ(first_error(r.errors, "number"), "validation.vehicle_certificate.format");
    EXPECT_EQ(first_error(r.errors, "plate"), "validation.plate.letters");
    EXPECT_EQ(first_error(r.errors, "make_model"), "cabinet.error.make_model.too_long");
    EXPECT_EQ(first_error(r.errors, "year"), "cabinet.error.year.range");
    f = {{"number", "9912345678"}, {"plate", "А123ВС777"}, {"make_model", "ВАЗ\x01"}, {"year", "1899"}};
    r = check_document(DocumentKind::vehicle, f, kToday);
    EXPECT_EQ(first_error(r.errors, "number"), "");
    EXPECT_EQ(first_error(r.errors, "plate"), "");
    EXPECT_EQ(first_error(r.errors, "make_model"), "cabinet.error.characters");
    EXPECT_EQ(first_error(r.errors, "year"), "cabinet.error.year.range");
    f["year"] = "2027";  // next year's models are on sale
    f["make_model"] = "ВАЗ";
    EXPECT_TRUE(check_document(DocumentKind::vehicle, f, kToday).ok());
    f["year"] = "20x7";
    EXPECT_EQ(first_error(check_document(DocumentKind::vehicle, f, kToday).errors, "year"), "cabinet.error.year.range");
    f.erase("make_model");
    f.erase("year");
    r = check_document(DocumentKind::vehicle, f, kToday);
    EXPECT_EQ(first_error(r.errors, "make_model"), "cabinet.error.make_model.required");
    EXPECT_EQ(first_error(r.errors, "year"), "cabinet.error.year.required");
}

TEST(CabinetDocuments, OmsNeedsNoEndAndForeignPassportNeedsBothDates) {
    auto r = check_document(DocumentKind::oms, {{"number", "7700 0000 0000 0001"}}, kToday);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.number, "7700000000000001");
    EXPECT_FALSE(r.value.valid_until);
    EXPECT_EQ(expiry_of(r.value, kToday), Expiry::none);
    r = check_document(DocumentKind::oms, {{"number", "770000000000000"}}, kToday);
    EXPECT_EQ(first_error(r.errors, "number"), "validation.oms.format");
    r = check_document(DocumentKind::foreign_passport, {{"number", "75 1234567"}, {"issued", "2018-01-10"}}, kToday);
    EXPECT_EQ(first_error(r.errors, "valid_until"), "cabinet.error.valid_until.required");
    r = check_document(DocumentKind::foreign_passport,
                       {{"number", "751234567"}, {"issued", "2018-01-10"}, {"valid_until", "2028-01-10"}}, kToday);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value.number, "75 1234567");
    r = check_document(DocumentKind::foreign_passport, {{"number", "75 123456"}}, kToday);
    EXPECT_EQ(first_error(r.errors, "number"), "validation.foreign_passport.format");
}

TEST(CabinetDocuments, ExpiryCountsTheLastDayAndWarnsSixtyDaysAhead) {
    Document d;
    d.kind = DocumentKind::driver_licence;
    auto until = [&](Date x) {
        d.valid_until = x;
        return expiry_of(d, kToday);
    };
    EXPECT_EQ(until(kToday + days{61}), Expiry::valid);
    EXPECT_EQ(until(kToday + days{60}), Expiry::expiring);
    EXPECT_EQ(days_left(d, kToday), 60);
    EXPECT_EQ(until(kToday), Expiry::expiring);  // valid through its last day
    EXPECT_EQ(until(kToday - days{1}), Expiry::expired);
    EXPECT_EQ(days_left(d, kToday), -1);
    d.valid_until.reset();
    EXPECT_EQ(expiry_of(d, kToday), Expiry::none);
    EXPECT_EQ(days_left(d, kToday), 0);
}

TEST(CabinetDocuments, ReplacementServicesAndKindNames) {
    EXPECT_EQ(replacement_service(DocumentKind::driver_licence), "driver-licence-replacement");
    EXPECT_EQ(replacement_service(DocumentKind::foreign_passport), "foreign-passport-chip");
    EXPECT_EQ(replacement_service(DocumentKind::oms), "oms-policy");
    EXPECT_EQ(replacement_service(DocumentKind::vehicle), "");
    for (auto k : document_kinds()) EXPECT_EQ(document_kind_from_string(to_string(k)), k);
    EXPECT_FALSE(document_kind_from_string("passport"));
    EXPECT_FALSE(document_kind_from_string(""));
}

// ---- addresses ----------------------------------------------------------------------------------

bool known(std::string_view code) { return code == "59" || code == "77"; }

TEST(CabinetAddresses, AStructuredAddressIsCheckedAndFormatted) {
    const Fields f{{"region", "59"}, {"settlement", " Пермь "}, {"street", "ул.  Ленина"}, {"house", "1"},
                   {"building", "2"}, {"flat", "3"}, {"postcode", "614 000"}};
    const auto r = check_address(AddressKind::registration, f, known);
    ASSERT_TRUE(r.ok()) << r.errors.front().key;
    EXPECT_EQ(r.value.settlement, "Пермь");
    EXPECT_EQ(r.value.street, "ул. Ленина");
    EXPECT_EQ(r.value.postcode, "614000");
    EXPECT_EQ(format_address(r.value, "Пермский край"), "614000, Пермский край, Пермь, ул. Ленина, д. 1, корп. 2, кв. 3");
    Address village = r.value;
    village.street = village.building = village.flat = "";
    EXPECT_EQ(format_address(village, "Пермский край"), "614000, Пермский край, Пермь, д. 1");
}

TEST(CabinetAddresses, EveryFieldSaysWhatIsWrong) {
    auto r = check_address(AddressKind::postal, {}, known);
    EXPECT_EQ(first_error(r.errors, "region"), "cabinet.error.region.required");
    EXPECT_EQ(first_error(r.errors, "settlement"), "cabinet.error.settlement.required");
    EXPECT_EQ(first_error(r.errors, "street"), "");  // optional
    EXPECT_EQ(first_error(r.errors, "house"), "cabinet.error.house.required");
    EXPECT_EQ(first_error(r.errors, "flat"), "");
    EXPECT_EQ(first_error(r.errors, "postcode"), "validation.postcode.empty");
    r = check_address(AddressKind::actual,
                      {{"region", "99"}, {"settlement", std::string(101, 'a')}, {"street", "a\nb"},
                       {"house", std::string(21, '1')}, {"building", std::string(21, 'b')},
                       {"flat", std::string(2000, 'f')}, {"postcode", "61400"}},
                      known);
    EXPECT_EQ(first_error(r.errors, "region"), "cabinet.error.region.unknown");
    EXPECT_EQ(first_error(r.errors, "settlement"), "cabinet.error.settlement.too_long");
    EXPECT_EQ(first_error(r.errors, "street"), "cabinet.error.characters");
    EXPECT_EQ(first_error(r.errors, "house"), "cabinet.error.house.too_long");
    EXPECT_EQ(first_error(r.errors, "building"), "cabinet.error.building.too_long");
    EXPECT_EQ(first_error(r.errors, "flat"), "cabinet.error.flat.too_long");
    EXPECT_EQ(first_error(r.errors, "postcode"), "validation.postcode.format");
    // 100 Cyrillic letters are 200 bytes and still fit.
    std::string hundred;
    for (int i = 0; i < 100; ++i) hundred += "ж";
    r = check_address(AddressKind::actual,
                      {{"region", "77"}, {"settlement", hundred}, {"house", "1"}, {"postcode", "101000"}}, known);
    EXPECT_TRUE(r.ok());
    for (auto k : address_kinds()) EXPECT_EQ(address_kind_from_string(to_string(k)), k);
    EXPECT_FALSE(address_kind_from_string("home"));
}

}  // namespace
}  // namespace uslugi::cabinet
