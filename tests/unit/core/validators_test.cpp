#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/i18n.hpp"
#include "core/validators.hpp"
#include "store_fixture.hpp"

using namespace uslugi;
using namespace std::string_literals;
using namespace std::string_view_literals;
using core::ValidationResult;

namespace {

// ---- independent reference implementations, written from SPEC's text ---------------

namespace ref {

int d(char c) { return c - '0'; }

int snils_sum(std::string_view body9) {
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += d(body9[i]) * (9 - i);
    return sum;
}
int snils_control(int sum) {
    if (sum < 100) return sum;
    if (sum == 100 || sum == 101) return 0;
    const int r = sum % 101;
    return r == 100 ? 0 : r;
}
bool snils_is_checked(std::string_view body9) { return std::stol(std::string(body9)) > 1001998; }

const std::vector<int> kInn10{2, 4, 10, 3, 5, 9, 4, 6, 8};
const std::vector<int> kInn11{7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
const std::vector<int> kInn12{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
int residue11(std::string_view digits, const std::vector<int>& weights) {
    int sum = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) sum += d(digits[i]) * weights[i];
    return sum % 11;
}

std::uint64_t number(std::string_view digits) { return std::stoull(std::string(digits)); }

const std::array<int, 19> kUin1{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9};
const std::array<int, 19> kUin2{3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1};
int uin_pass(std::string_view body19, const std::array<int, 19>& weights) {
    int sum = 0;
    for (int i = 0; i < 19; ++i) sum += d(body19[i]) * weights[i];
    return sum % 11;
}
int uin_control(std::string_view body19) {
    int r = uin_pass(body19, kUin1);
    if (r != 10) return r;
    r = uin_pass(body19, kUin2);
    return r == 10 ? 0 : r;
}

}  // namespace ref

std::string random_digits(std::mt19937& rng, std::size_t n) {
    std::uniform_int_distribution<int> digit(0, 9);
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('0' + digit(rng));
    return s;
}

char ch(int digit) { return static_cast<char>('0' + digit); }

// Calls f(position, mutated) for every way of replacing one digit by a different one.
template <typename F>
void for_each_single_digit_change(const std::string& s, F f) {
    for (std::size_t pos = 0; pos < s.size(); ++pos)
        for (char c = '0'; c <= '9'; ++c)
            if (c != s[pos]) {
                std::string m = s;
                m[pos] = c;
                f(pos, m);
            }
}

}  // namespace

// ---- worked examples from SPEC ------------------------------------------------------------

TEST(ValidateSnils, WorkedExamples) {
    for (auto s : {"112-233-445 95", "148-481-255 85"}) {
        const auto r = core::validate_snils(s);
        EXPECT_TRUE(r.valid) << s << ": " << r.error_code;
        EXPECT_EQ(r.normalized, s);
        EXPECT_TRUE(r.error_code.empty());
        EXPECT_EQ(r.message_key(), "");
    }
    EXPECT_EQ(core::validate_snils("11223344595").normalized, "112-233-445 95");
    EXPECT_EQ(core::validate_snils("  112 233 445 95\t").normalized, "112-233-445 95");
    EXPECT_EQ(core::validate_snils("112-233-445-95").normalized, "112-233-445 95");
    EXPECT_EQ(core::validate_snils("112\u2013233\u2013445\u00A095").normalized, "112-233-445 95");  // en dash, NBSP

    const auto bad = core::validate_snils("112-233-445 96");
    EXPECT_FALSE(bad.valid);
    EXPECT_EQ(bad.error_code, "snils.checksum");
    EXPECT_EQ(bad.message_key(), "validation.snils.checksum");
    EXPECT_TRUE(bad.normalized.empty());
    EXPECT_EQ(core::validate_snils("148-481-255 58").error_code, "snils.checksum");
}

TEST(ValidateSnils, ControlIsCheckedOnlyAbove001001998) {
    // 001-001-998 and below: any control is accepted.
    EXPECT_TRUE(core::validate_snils("001-001-998 00").valid);
    EXPECT_TRUE(core::validate_snils("001-001-998 57").valid);
    EXPECT_TRUE(core::validate_snils("000-000-001 99").valid);
    // 001-001-999: sum = 1*7 + 1*4 + 9*3 + 9*2 + 9*1 = 65.
    EXPECT_TRUE(core::validate_snils("001-001-999 65").valid);
    EXPECT_EQ(core::validate_snils("001-001-999 00").error_code, "snils.checksum");
}

TEST(ValidateSnils, SumsOf100And101AndAbove) {
    // 100 and 101 → 00; above 101 → sum mod 101, where 100 → 00.
    // 000-000-0xy: sum = 3x + 2y … build bodies with the sums we need instead.
    const auto with_sum = [](int target) {
        // Greedy body with weights 9..1 reaching exactly `target` (target ≤ 405).
        std::string body(9, '0');
        int left = target;
        for (int i = 0; i < 9; ++i) {
            const int w = 9 - i;
            const int dgt = std::min(9, left / w);
            body[i] = ch(dgt);
            left -= dgt * w;
        }
        EXPECT_EQ(left, 0);
        EXPECT_EQ(ref::snils_sum(body), target);
        return body;
    };
    for (auto [sum, control] : std::vector<std::pair<int, std::string>>{
             {99, "99"}, {100, "00"}, {101, "00"}, {102, "01"}, {200, "99"}, {201, "00"}, {202, "00"},
             {203, "01"}, {302, "00"}, {303, "00"}, {403, "00"}, {404, "00"}, {405, "01"}}) {
        const std::string body = with_sum(sum);
        ASSERT_TRUE(ref::snils_is_checked(body)) << body;
        EXPECT_TRUE(core::validate_snils(body + control).valid) << body << control << " (sum " << sum << ")";
    }
}

TEST(ValidateInn, WorkedExamples) {
    EXPECT_EQ(core::validate_inn("500100732259").normalized, "500100732259");
    EXPECT_EQ(core::validate_inn("7707083893").normalized, "7707083893");
    EXPECT_EQ(core::validate_inn(" 7707 083 893 ").normalized, "7707083893");
    EXPECT_TRUE(core::validate_inn_person("500100732259").valid);
    EXPECT_TRUE(core::validate_inn_org("7707083893").valid);

    EXPECT_EQ(core::validate_inn("500100732250").error_code, "inn.checksum");  // 12th digit
    EXPECT_EQ(core::validate_inn("500100732209").error_code, "inn.checksum");  // 11th digit
    EXPECT_EQ(core::validate_inn("7707083894").error_code, "inn.checksum");
    EXPECT_EQ(core::validate_inn("77070838931").error_code, "inn.format");  // 11 digits
    EXPECT_EQ(core::validate_inn_person("7707083893").error_code, "inn_person.format");
    EXPECT_EQ(core::validate_inn_person("500100732258").error_code, "inn_person.checksum");
    EXPECT_EQ(core::validate_inn_org("500100732259").error_code, "inn_org.format");
    EXPECT_EQ(core::validate_inn_org("7707083890").error_code, "inn_org.checksum");
}

TEST(ValidateOgrn, WorkedExamples) {
    EXPECT_EQ(core::validate_ogrn("1027700132195").normalized, "1027700132195");
    EXPECT_EQ(core::validate_ogrn("1027700132194").error_code, "ogrn.checksum");
    EXPECT_EQ(core::validate_ogrn("102770013219").error_code, "ogrn.format");
    EXPECT_EQ(core::validate_ogrnip("304500116000157").normalized, "304500116000157");
    EXPECT_EQ(core::validate_ogrnip("304500116000156").error_code, "ogrnip.checksum");
    EXPECT_EQ(core::validate_ogrnip("1027700132195").error_code, "ogrnip.format");
}

TEST(ValidateUin, WorkedExampleAndControlDigit) {
    EXPECT_EQ(core::uin_control_digit("1881047718000123456"), '3');
    EXPECT_EQ(core::complete_uin("1881047718000123456"), "18810477180001234563");
    EXPECT_EQ(core::validate_uin("18810477180001234563").normalized, "18810477180001234563");
    EXPECT_EQ(core::validate_uin("18810477180001234564").error_code, "uin.checksum");
    EXPECT_EQ(core::validate_uin("1881047718000123456").error_code, "uin.format");
    // Not 19 ASCII digits: no control digit.
    EXPECT_EQ(core::uin_control_digit("188104771800012345"), '\0');
    EXPECT_EQ(core::uin_control_digit("18810477180001234567"), '\0');
    EXPECT_EQ(core::uin_control_digit("188104771800012345x"), '\0');
    EXPECT_EQ(core::complete_uin(""), "");
    EXPECT_EQ(core::complete_uin("1881047718000 23456"), "");
}

TEST(ValidateUin, SecondPassAndZeroFallback) {
    // Find, deterministically, prefixes that need the second pass and prefixes where
    // both passes give 10, and check both against the reference.
    std::mt19937 rng(20260101);
    int second_pass = 0, zero_fallback = 0;
    for (int i = 0; i < 200000 && (second_pass < 20 || zero_fallback < 20); ++i) {
        const std::string body = random_digits(rng, 19);
        if (ref::uin_pass(body, ref::kUin1) != 10) continue;
        const bool both = ref::uin_pass(body, ref::kUin2) == 10;
        if (both ? zero_fallback >= 20 : second_pass >= 20) continue;
        (both ? zero_fallback : second_pass)++;
        EXPECT_EQ(core::uin_control_digit(body), ch(ref::uin_control(body))) << body;
        if (both) {
            EXPECT_EQ(core::uin_control_digit(body), '0') << body;
        }
    }
    EXPECT_EQ(second_pass, 20);
    EXPECT_EQ(zero_fallback, 20);
}

// ---- documents ------------------------------------------------------------------------

TEST(ValidateDocuments, PassportRf) {
    for (auto s : {"45 08 123456", "4508 123456", "4508123456", " 4508 № 123456 ", "45-08-123456"})
        EXPECT_EQ(core::validate_passport_rf(s).normalized, "4508 123456") << s;
    EXPECT_EQ(core::validate_passport_rf("4508 12345").error_code, "passport.format");
    EXPECT_EQ(core::validate_passport_rf("45O8 123456").error_code, "passport.format");  // Latin O
    EXPECT_EQ(core::validate_passport_rf("4508 1234567").error_code, "passport.format");
    EXPECT_EQ(core::validate_passport_rf("").error_code, "passport.empty");
}

TEST(ValidateDocuments, DepartmentCode) {
    for (auto s : {"770-001", "770001", "770 001", " 770\u2013001 "})
        EXPECT_EQ(core::validate_department_code(s).normalized, "770-001") << s;
    EXPECT_EQ(core::validate_department_code("77-001").error_code, "department_code.format");
    EXPECT_EQ(core::validate_department_code("770-0011").error_code, "department_code.format");
    EXPECT_EQ(core::validate_department_code("770/001").error_code, "department_code.format");
}

TEST(ValidateDocuments, DriverLicence) {
    for (auto s : {"77 12 345678", "7712345678", "77 12-345678"})
        EXPECT_EQ(core::validate_driver_licence(s).normalized, "77 12 345678") << s;
    // SPEC: 10 characters "99 99 999999", i.e. digits only.
    EXPECT_EQ(core::validate_driver_licence("77 АВ 345678").error_code, "driver_licence.format");
    EXPECT_EQ(core::validate_driver_licence("77 12 34567").error_code, "driver_licence.format");
}

TEST(ValidateDocuments, VehicleCertificate) {
    EXPECT_EQ(core::validate_vehicle_certificate("99 12 345678").normalized, "99 12 345678");
    EXPECT_EQ(core::validate_vehicle_certificate("9912345678").normalized, "99 12 345678");
    EXPECT_EQ(core::validate_vehicle_certificate("77 УР 123456").normalized, "77 УР 123456");
    EXPECT_EQ(core::validate_vehicle_certificate("77ур123456").normalized, "77 УР 123456");
    EXPECT_EQ(core::validate_vehicle_certificate("77 YP 123456").normalized, "77 УР 123456");  // Latin look-alikes
    EXPECT_EQ(core::validate_vehicle_certificate("77 ЖЯ 123456").normalized, "77 ЖЯ 123456");
    EXPECT_EQ(core::validate_vehicle_certificate("77 У1 123456").error_code, "vehicle_certificate.format");
    EXPECT_EQ(core::validate_vehicle_certificate("77 ZZ 123456").error_code, "vehicle_certificate.format");
    EXPECT_EQ(core::validate_vehicle_certificate("УР 77 123456").error_code, "vehicle_certificate.format");
    EXPECT_EQ(core::validate_vehicle_certificate("77 УР 12345").error_code, "vehicle_certificate.format");
    EXPECT_EQ(core::validate_vehicle_certificate("77 УР 123456!").error_code, "vehicle_certificate.format");
}

TEST(ValidateDocuments, Oms) {
    EXPECT_EQ(core::validate_oms("7700000000000001").normalized, "7700000000000001");
    EXPECT_EQ(core::validate_oms("7700 0000 0000 0001").normalized, "7700000000000001");
    EXPECT_EQ(core::validate_oms("770000000000001").error_code, "oms.format");
    EXPECT_EQ(core::validate_oms("77000000000000012").error_code, "oms.format");
}

TEST(ValidatePlate, CyrillicLatinAndRegions) {
    EXPECT_EQ(core::validate_plate("А123ВС77").normalized, "А123ВС77");
    EXPECT_EQ(core::validate_plate("а123вс777").normalized, "А123ВС777");
    EXPECT_EQ(core::validate_plate(" А 123 ВС 77 ").normalized, "А123ВС77");
    EXPECT_EQ(core::validate_plate("А123ВС 77 RUS").normalized, "А123ВС77");
    // Latin look-alikes become Cyrillic letters (byte-exact check).
    const auto latin = core::validate_plate("a123bc77");
    EXPECT_EQ(latin.normalized, "\xD0\x90" "123" "\xD0\x92\xD0\xA1" "77");
    EXPECT_EQ(core::validate_plate("ABEKMHOPCTYX"[0] + "000"s + "XY" + "199").normalized, "А000ХУ199");
    for (char c : "ABEKMHOPCTYX"sv) {
        const std::string plate = c + "123"s + c + c + "77";
        EXPECT_TRUE(core::validate_plate(plate).valid) << plate;
    }
    // Letters outside АВЕКМНОРСТУХ.
    EXPECT_EQ(core::validate_plate("Б123ВС77").error_code, "plate.letters");
    EXPECT_EQ(core::validate_plate("А123ЖС77").error_code, "plate.letters");
    EXPECT_EQ(core::validate_plate("Z123BC77").error_code, "plate.letters");
    EXPECT_EQ(core::validate_plate("Ё123ВС77").error_code, "plate.letters");
    // Shape.
    for (auto s : {"А12ВС77", "А1234ВС77", "А123В77", "А123ВС7", "А123ВС7777", "1А23ВС77", "АА23ВС77", "А123ВС77!",
                   "А123ВС7R", "RUS"})
        EXPECT_EQ(core::validate_plate(s).error_code, "plate.format") << s;
}

// ---- phones -----------------------------------------------------------------------------

TEST(ValidatePhone, RussianSpellingsGiveE164) {
    for (auto s : {"+7 916 123-45-67", "8 (916) 123-45-67", "89161234567", "79161234567", "9161234567",
                   "+79161234567", " +7\u00A0916\u00A0123\u201245\u201267 ", "8.916.123.45.67"}) {
        const auto r = core::validate_phone(s);
        EXPECT_TRUE(r.valid) << s << ": " << r.error_code;
        EXPECT_EQ(r.normalized, "+79161234567") << s;
        EXPECT_EQ(core::validate_mobile_phone(s).normalized, "+79161234567") << s;
    }
}

TEST(ValidatePhone, LandlinesAreValidButNotMobile) {
    const auto moscow = core::validate_phone("+7 (495) 123-45-67");
    EXPECT_TRUE(moscow.valid) << moscow.error_code;
    EXPECT_EQ(moscow.normalized, "+74951234567");
    EXPECT_EQ(core::validate_mobile_phone("+7 (495) 123-45-67").error_code, "mobile_phone.not_mobile");
    // Foreign numbers: any valid number is a phone; SMS needs a mobile one.
    EXPECT_EQ(core::validate_phone("+44 20 7946 0958").normalized, "+442079460958");
    EXPECT_EQ(core::validate_mobile_phone("+44 20 7946 0958").error_code, "mobile_phone.not_mobile");
    EXPECT_EQ(core::validate_mobile_phone("+44 7400 123456").normalized, "+447400123456");
    EXPECT_EQ(core::validate_mobile_phone("+49 151 23456789").normalized, "+4915123456789");
}

TEST(ValidatePhone, Rejections) {
    EXPECT_EQ(core::validate_phone("123").error_code, "phone.invalid");
    EXPECT_EQ(core::validate_phone("+7 916 123-45-6").error_code, "phone.invalid");
    EXPECT_EQ(core::validate_phone("+7 916 123-45-678").error_code, "phone.invalid");
    EXPECT_EQ(core::validate_phone("+999 123456789").error_code, "phone.invalid");  // no such country code
    EXPECT_EQ(core::validate_phone("+").error_code, "phone.invalid");
    EXPECT_EQ(core::validate_phone("8 800 FLOWERS").error_code, "phone.format");  // no vanity numbers
    EXPECT_EQ(core::validate_phone("+7 916 123-45-67 доб. 5").error_code, "phone.format");
    EXPECT_EQ(core::validate_phone("7+9161234567").error_code, "phone.format");
    EXPECT_EQ(core::validate_phone("++79161234567").error_code, "phone.format");
    EXPECT_EQ(core::validate_mobile_phone("abc").error_code, "mobile_phone.format");
    EXPECT_EQ(core::validate_mobile_phone("12").error_code, "mobile_phone.invalid");
    EXPECT_EQ(core::validate_mobile_phone(" ").error_code, "mobile_phone.empty");
}

// ---- e-mail ---------------------------------------------------------------------------

TEST(ValidateEmail, AcceptsAndLowersTheDomain) {
    EXPECT_EQ(core::validate_email("Ivan.Ivanov@Example.RU").normalized, "Ivan.Ivanov@example.ru");
    EXPECT_EQ(core::validate_email("  ivan+tag@mail.example.ru ").normalized, "ivan+tag@mail.example.ru");
    EXPECT_EQ(core::validate_email("ivan@ПОЧТА.РФ").normalized, "ivan@почта.рф");
    EXPECT_EQ(core::validate_email("ivan@Президент.рф").normalized, "ivan@президент.рф");
    EXPECT_EQ(core::validate_email("ivan@xn--80a1acny.XN--P1AI").normalized, "ivan@xn--80a1acny.xn--p1ai");
    EXPECT_EQ(core::validate_email("o'brien_1-2@sub-domain.example.com").normalized,
              "o'brien_1-2@sub-domain.example.com");
    EXPECT_EQ(core::validate_email("a@b2.io").normalized, "a@b2.io");
    const std::string local64(64, 'a');
    EXPECT_TRUE(core::validate_email(local64 + "@example.ru").valid);
    // 254 bytes in all is the limit.
    const std::string label63(63, 'b');
    const std::string at254 = local64 + "@" + label63 + "." + label63 + "." + std::string(58, 'c') + ".ru";
    ASSERT_EQ(at254.size(), 254u);
    EXPECT_TRUE(core::validate_email(at254).valid);
    EXPECT_EQ(core::validate_email(at254 + "u").error_code, "email.too_long");
}

TEST(ValidateEmail, SaysWhichPartIsWrong) {
    for (auto s : {"ivan.example.ru", "ivan@@example.ru", "ivan@example@ru", "a@b@"})
        EXPECT_EQ(core::validate_email(s).error_code, "email.format") << s;
    for (auto s : {"@", "@example.ru", ".ivan@example.ru", "ivan.@example.ru", "iv..an@example.ru", "iv an@example.ru",
                   "\"ivan\"@example.ru", "иван@example.ru", "<script>@example.ru", "a;b@example.ru"})
        EXPECT_EQ(core::validate_email(s).error_code, "email.local_part") << s;
    EXPECT_EQ(core::validate_email(std::string(65, 'a') + "@example.ru").error_code, "email.local_part");
    for (auto s : {"ivan@", "ivan@example", "ivan@.ru", "ivan@example.", "ivan@example..ru", "ivan@-example.ru",
                   "ivan@example-.ru", "ivan@example.r", "ivan@example.1ru", "ivan@example.r-u", "ivan@[127.0.0.1]",
                   "ivan@127.0.0.1", "ivan@exa_mple.ru", "ivan@example.ru>", "ivan@gоsuslugi.ru" /* Cyrillic о */,
                   "ivan@почта.я", "ivan@müller.de", "ivan@exam ple.ru"})
        EXPECT_EQ(core::validate_email(s).error_code, "email.domain") << s;
    EXPECT_EQ(core::validate_email("ivan@" + std::string(64, 'x') + ".ru").error_code, "email.domain");
    EXPECT_EQ(core::validate_email("ivan@" + std::string(63, 'x') + ".ru").error_code, "");
}

// ---- all kinds: common rules, dispatcher, hostile input --------------------------------

namespace {

struct Case {
    std::string_view kind;
    std::string input;
    std::string expected;  // error code, or "=normalized" for a valid value
};

// At least one input for every error code (ValidatorLocales checks the coverage).
std::vector<Case> cases() {
    std::vector<Case> v{
        {"snils", "112-233-445 95", "=112-233-445 95"}, {"snils", "112-233-445 9", "snils.format"},
        {"snils", "112-233-445 96", "snils.checksum"},  {"inn", "7707083893", "=7707083893"},
        {"inn", "12345", "inn.format"},                 {"inn", "7707083894", "inn.checksum"},
        {"inn_person", "500100732259", "=500100732259"}, {"inn_person", "7707083893", "inn_person.format"},
        {"inn_person", "500100732250", "inn_person.checksum"}, {"inn_org", "7707083893", "=7707083893"},
        {"inn_org", "500100732259", "inn_org.format"},  {"inn_org", "7707083890", "inn_org.checksum"},
        {"ogrn", "1027700132195", "=1027700132195"},    {"ogrn", "102770013219", "ogrn.format"},
        {"ogrn", "1027700132196", "ogrn.checksum"},     {"ogrnip", "304500116000157", "=304500116000157"},
        {"ogrnip", "30450011600015", "ogrnip.format"},  {"ogrnip", "304500116000158", "ogrnip.checksum"},
        {"uin", "18810477180001234563", "=18810477180001234563"}, {"uin", "1881047718000123456", "uin.format"},
        {"uin", "18810477180001234564", "uin.checksum"}, {"passport", "45 08 123456", "=4508 123456"},
        {"passport", "4508 12345", "passport.format"},  {"department_code", "770 001", "=770-001"},
        {"department_code", "77-00", "department_code.format"}, {"driver_licence", "7712345678", "=77 12 345678"},
        {"driver_licence", "77 АВ 123456", "driver_licence.format"},
        {"vehicle_certificate", "77ур123456", "=77 УР 123456"},
        {"vehicle_certificate", "77 У1 123456", "vehicle_certificate.format"}, {"plate", "a123bc77", "=А123ВС77"},
        {"plate", "А12ВС77", "plate.format"},           {"plate", "Б123ВС77", "plate.letters"},
        {"oms", "7700000000000001", "=7700000000000001"}, {"oms", "770000000000000", "oms.format"},
        {"foreign_passport", "751234567", "=75 1234567"}, {"foreign_passport", " 75 123-45-67 ", "=75 1234567"},
        {"foreign_passport", "75 123456", "foreign_passport.format"},
        {"foreign_passport", "7512345678", "foreign_passport.format"},
        {"foreign_passport", "75 12З4567", "foreign_passport.format"},  // Cyrillic З for 3
        {"postcode", "614000", "=614000"}, {"postcode", "614 000", "=614000"},
        {"postcode", "61400", "postcode.format"}, {"postcode", "6140001", "postcode.format"},
        {"postcode", "61400O", "postcode.format"},
        {"phone", "8 916 123-45-67", "=+79161234567"},  {"phone", "8 800 FLOWERS", "phone.format"},
        {"phone", "+7 123", "phone.invalid"},           {"mobile_phone", "8 916 123-45-67", "=+79161234567"},
        {"mobile_phone", "8 (916) 1234-56-7 x", "mobile_phone.format"}, {"mobile_phone", "8 916 123", "mobile_phone.invalid"},
        {"mobile_phone", "+7 495 123-45-67", "mobile_phone.not_mobile"}, {"email", "A@B.RU", "=A@b.ru"},
        {"email", "ivan.example.ru", "email.format"},   {"email", ".ivan@example.ru", "email.local_part"},
        {"email", "ivan@example", "email.domain"},      {"passport_foreign", "1234", "kind.unknown"},
        {"", "1234", "kind.unknown"},                   {"SNILS", "112-233-445 95", "kind.unknown"},
    };
    for (std::string_view kind : core::validation_kinds()) {
        const std::size_t limit = kind == "email" ? core::kMaxEmailBytes : core::kMaxIdentifierBytes;
        v.push_back({kind, "", std::string(kind) + ".empty"});
        v.push_back({kind, " \t\r\n\u00A0 ", std::string(kind) + ".empty"});
        v.push_back({kind, std::string(limit + 1, '1'), std::string(kind) + ".too_long"});
        v.push_back({kind, std::string(limit + 1, ' '), std::string(kind) + ".too_long"});  // raw length counts
        v.push_back({kind, std::string(10 * 1024, '7'), std::string(kind) + ".too_long"});
        v.push_back({kind, std::string(10 * 1024, '\0'), std::string(kind) + ".too_long"});
    }
    return v;
}

}  // namespace

TEST(Validators, TableOfCasesThroughTheDispatcher) {
    for (const auto& c : cases()) {
        const auto r = core::validate(c.kind, c.input);
        const std::string shown = c.input.size() > 40 ? c.input.substr(0, 40) + "…" : c.input;
        if (c.expected.starts_with("=")) {
            EXPECT_TRUE(r.valid) << c.kind << " '" << shown << "': " << r.error_code;
            EXPECT_EQ(r.normalized, c.expected.substr(1)) << c.kind << " '" << shown << "'";
            EXPECT_EQ(r.error_code, "");
        } else {
            EXPECT_FALSE(r.valid) << c.kind << " '" << shown << "'";
            EXPECT_EQ(r.error_code, c.expected) << c.kind << " '" << shown << "'";
            EXPECT_EQ(r.normalized, "");
            EXPECT_EQ(r.message_key(), "validation." + c.expected);
        }
    }
}

TEST(Validators, DispatcherKnowsExactlyTheDocumentedKinds) {
    const std::vector<std::string_view> expected{"snils", "inn", "inn_person", "inn_org", "ogrn", "ogrnip",
                                                 "uin", "passport", "department_code", "driver_licence",
                                                 "vehicle_certificate", "plate", "oms", "foreign_passport",
                                                 "postcode", "phone", "mobile_phone", "email"};
    const auto kinds = core::validation_kinds();
    EXPECT_EQ(std::vector<std::string_view>(kinds.begin(), kinds.end()), expected);
    // The dispatcher and the direct functions agree.
    EXPECT_EQ(core::validate("snils", "11223344595").normalized, core::validate_snils("11223344595").normalized);
    EXPECT_EQ(core::validate("passport", "4508123456").normalized, core::validate_passport_rf("4508123456").normalized);
    EXPECT_EQ(core::validate("mobile_phone", "+74951234567").error_code,
              core::validate_mobile_phone("+74951234567").error_code);
    EXPECT_FALSE(core::validate("nope", "x"));
    EXPECT_TRUE(core::validate("oms", "7700000000000001"));
}

TEST(Validators, HostileInputGivesTheFormatCode) {
    const std::vector<std::string> hostile{
        "'; DROP TABLE users; --",
        "1' OR '1'='1",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{{t.layout.portal_name}}",
        "../../etc/passwd",
        "%00%27",
        "112\0"s "233-445 95",         // NUL inside a valid SNILS
        "4508\0 123456"s,              // NUL inside a valid passport
        "\xD0",                        // truncated UTF-8
        "\xFF\xFE\xFD",                // never valid in UTF-8
        "\xC0\xAF" "112233445",        // overlong '/'
        "\xED\xA0\x80" "7707083893",   // UTF-16 surrogate
        "\xF4\x90\x80\x80",            // above U+10FFFF
        "7707083893\x80",              // stray continuation byte
        "\xE2\x80\xAE" "3983807077",   // right-to-left override
        "１２３４５６７８９０",          // full-width digits (30 bytes)
        "\x1B[31m7707083893",          // terminal escape
    };
    for (std::string_view kind : core::validation_kinds()) {
        for (const auto& input : hostile) {
            const auto r = core::validate(kind, input);
            EXPECT_FALSE(r.valid) << kind << " accepted hostile input #" << (&input - hostile.data());
            std::string want = std::string(kind) + ".format";
            // An e-mail without '@' is a format error; with one, the local part is at fault.
            if (kind == "email" && std::count(input.begin(), input.end(), '@') == 1) want = "email.local_part";
            EXPECT_EQ(r.error_code, want) << kind << " input #" << (&input - hostile.data());
        }
    }
    // The domain part of an e-mail is checked just as strictly.
    EXPECT_EQ(core::validate_email("ivan@example.ru\0"s).error_code, "email.domain");
    EXPECT_EQ(core::validate_email("ivan@exam\xFFple.ru").error_code, "email.domain");
    EXPECT_EQ(core::validate_email("ivan@\xD0.ru").error_code, "email.domain");
    EXPECT_EQ(core::validate_email("ivan@example.ru<script>").error_code, "email.domain");
}

TEST(Validators, RandomInputNeverBreaksTheInvariants) {
    const auto declared = core::validation_error_codes();
    const std::set<std::string> codes(declared.begin(), declared.end());
    // Pieces that reach every branch: digits, separators, letters of both alphabets,
    // '@', '.', '+', brackets, broken UTF-8 and NUL.
    const std::vector<std::string> pieces{
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "1", "2", "7", "9", " ", "-", "\u00A0", "\u2013",
        "А", "В", "У", "Р", "Ж", "а", "A", "B", "Z", "x", "@", ".", "+", "(", ")", "№", "рф", "ru", "\xD0",
        "\0"s, "'", "<", "RUS", "xn--", "\xFF"};
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1), length(0, 24), byte(0, 255);
    std::size_t valid = 0, total = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string input;
        if (round % 4 == 0) {  // raw bytes
            const std::size_t n = length(rng) * 3;
            for (std::size_t i = 0; i < n; ++i) input += static_cast<char>(byte(rng));
        } else {
            const std::size_t n = length(rng);
            for (std::size_t i = 0; i < n; ++i) input += pieces[piece(rng)];
        }
        for (std::string_view kind : core::validation_kinds()) {
            const auto r = core::validate(kind, input);
            ++total;
            if (r.valid) {
                ++valid;
                EXPECT_TRUE(r.error_code.empty());
                ASSERT_FALSE(r.normalized.empty()) << kind;
                // The canonical spelling is a fixed point.
                const auto again = core::validate(kind, r.normalized);
                EXPECT_TRUE(again.valid) << kind << " " << r.normalized;
                EXPECT_EQ(again.normalized, r.normalized) << kind;
            } else {
                EXPECT_TRUE(r.normalized.empty()) << kind;
                EXPECT_TRUE(r.error_code.starts_with(std::string(kind) + ".")) << kind << " " << r.error_code;
                EXPECT_TRUE(codes.count(r.error_code)) << "undeclared code " << r.error_code;
            }
        }
    }
    EXPECT_GT(valid, 0u);
    EXPECT_EQ(total, 20000u * core::validation_kinds().size());
}

// ---- property tests: generated numbers, every single-digit change ---------------------------
//
// A single changed digit alters a weighted sum by w·δ with 1 ≤ |δ| ≤ 9. In the mod-11
// and mod-13 schemes no weight (nor 10^k) is a multiple of the prime modulus, so the
// residue always changes; the check is blind only where the final "mod 10" folds two
// residues into one digit: 0 and 10 (mod 11), 0/10, 1/11, 2/12 (mod 13), i.e. exactly
// when the residues differ by 10. A changed control digit is always detected.

TEST(ValidatorProperties, Snils) {
    std::mt19937 rng(1);
    int numbers = 0, changes = 0, blind = 0;
    while (numbers < 2000) {
        const std::string body = random_digits(rng, 9);
        if (!ref::snils_is_checked(body)) continue;
        const int sum = ref::snils_sum(body);
        const int control = ref::snils_control(sum);
        const std::string plain = body + ch(control / 10) + ch(control % 10);
        const std::string shown = plain.substr(0, 3) + "-" + plain.substr(3, 3) + "-" + plain.substr(6, 3) + " " +
                                  plain.substr(9);
        ++numbers;
        ASSERT_EQ(core::validate_snils(numbers % 2 ? plain : shown).normalized, shown);
        for_each_single_digit_change(plain, [&](std::size_t pos, const std::string& m) {
            ++changes;
            const bool accepted = core::validate_snils(m).valid;
            if (pos >= 9) {
                EXPECT_FALSE(accepted) << m;  // the control itself changed
                return;
            }
            if (!ref::snils_is_checked(m.substr(0, 9))) {
                EXPECT_TRUE(accepted) << m;  // fell to 001-001-998 or below: not checked
                return;
            }
            // Controls of sums ≤ 405 coincide within a distance of 81 only for the
            // pairs 100/101, 201/202, 302/303, 403/404 (all give 00).
            const int sum2 = ref::snils_sum(m.substr(0, 9));
            ASSERT_NE(sum2, sum);
            const int lo = std::min(sum, sum2);
            const bool undetectable = std::abs(sum - sum2) == 1 && (lo == 100 || lo == 201 || lo == 302 || lo == 403);
            EXPECT_EQ(accepted, undetectable) << m << " (sums " << sum << " → " << sum2 << ")";
            blind += undetectable;
        });
    }
    EXPECT_EQ(changes, 2000 * 11 * 9);
    EXPECT_GT(blind, 0);  // the blind spot exists and the generator reaches it

    // Numbers up to 001-001-998 are accepted with any control.
    for (int i = 0; i < 2000; ++i) {
        const std::string body = "00"s + ch(std::uniform_int_distribution<int>(0, 1)(rng)) + random_digits(rng, 6);
        if (ref::snils_is_checked(body)) continue;
        EXPECT_TRUE(core::validate_snils(body + random_digits(rng, 2)).valid) << body;
    }
}

TEST(ValidatorProperties, InnOrganisation) {
    std::mt19937 rng(2);
    int blind = 0;
    for (int n = 0; n < 2000; ++n) {
        const std::string body = random_digits(rng, 9);
        const int r = ref::residue11(body, ref::kInn10);
        const std::string inn = body + ch(r % 10);
        ASSERT_TRUE(core::validate_inn_org(inn).valid) << inn;
        ASSERT_TRUE(core::validate_inn(inn).valid) << inn;
        for_each_single_digit_change(inn, [&](std::size_t pos, const std::string& m) {
            const bool accepted = core::validate_inn_org(m).valid;
            EXPECT_EQ(core::validate_inn(m).valid, accepted) << m;
            if (pos == 9) {
                EXPECT_FALSE(accepted) << m;
                return;
            }
            const int r2 = ref::residue11(m, ref::kInn10);
            ASSERT_NE(r2, r);  // 11 is prime and divides no w·δ
            EXPECT_EQ(accepted, std::abs(r - r2) == 10) << m;
            blind += accepted;
        });
    }
    EXPECT_GT(blind, 0);
}

TEST(ValidatorProperties, InnPerson) {
    // A changed digit j < 10 moves both sums; to pass, both residues would have to flip
    // between 0 and 10 at once, i.e. w11[j]·δ ≡ ±1 and w12[j]·δ ≡ ±1 (mod 11), which
    // needs w11[j] ≡ ±w12[j] (mod 11). No position has that, so every single-digit
    // change of a 12-digit INN is detected.
    for (std::size_t j = 0; j < 10; ++j) {
        EXPECT_NE((ref::kInn11[j] - ref::kInn12[j] + 11) % 11, 0) << j;
        EXPECT_NE((ref::kInn11[j] + ref::kInn12[j]) % 11, 0) << j;
    }
    std::mt19937 rng(3);
    int first_check_fooled = 0;
    for (int n = 0; n < 2000; ++n) {
        std::string inn = random_digits(rng, 10);
        inn += ch(ref::residue11(inn, ref::kInn11) % 10);
        inn += ch(ref::residue11(inn, ref::kInn12) % 10);
        ASSERT_TRUE(core::validate_inn_person(inn).valid) << inn;
        ASSERT_TRUE(core::validate_inn(inn).valid) << inn;
        const int r11 = ref::residue11(inn, ref::kInn11), r12 = ref::residue11(inn, ref::kInn12);
        for_each_single_digit_change(inn, [&](std::size_t pos, const std::string& m) {
            const bool accepted = core::validate_inn_person(m).valid;
            EXPECT_FALSE(accepted) << m;
            EXPECT_FALSE(core::validate_inn(m).valid) << m;
            if (pos >= 10) return;  // a control digit changed (the 11th is not in its own sum)
            const int m11 = ref::residue11(m, ref::kInn11), m12 = ref::residue11(m, ref::kInn12);
            ASSERT_NE(m11, r11);
            ASSERT_NE(m12, r12);
            EXPECT_FALSE(std::abs(r11 - m11) == 10 && std::abs(r12 - m12) == 10) << m;
            // The 11th digit alone would have missed this change; the 12th caught it.
            first_check_fooled += std::abs(r11 - m11) == 10;
        });
    }
    EXPECT_GT(first_check_fooled, 0);
}

TEST(ValidatorProperties, Ogrn) {
    std::mt19937 rng(4);
    int blind = 0;
    for (int n = 0; n < 2000; ++n) {
        const std::string body = random_digits(rng, 12);
        const int r = static_cast<int>(ref::number(body) % 11);
        const std::string ogrn = body + ch(r % 10);
        ASSERT_TRUE(core::validate_ogrn(ogrn).valid) << ogrn;
        for_each_single_digit_change(ogrn, [&](std::size_t pos, const std::string& m) {
            const bool accepted = core::validate_ogrn(m).valid;
            if (pos == 12) {
                EXPECT_FALSE(accepted) << m;
                return;
            }
            const int r2 = static_cast<int>(ref::number(m.substr(0, 12)) % 11);
            ASSERT_NE(r2, r);  // δ·10^k ≡ ±δ (mod 11), never 0
            EXPECT_EQ(accepted, std::abs(r - r2) == 10) << m;
            blind += accepted;
        });
    }
    EXPECT_GT(blind, 0);
}

TEST(ValidatorProperties, Ogrnip) {
    std::mt19937 rng(5);
    int blind = 0;
    for (int n = 0; n < 2000; ++n) {
        const std::string body = random_digits(rng, 14);
        const int r = static_cast<int>(ref::number(body) % 13);
        const std::string ogrnip = body + ch(r % 10);
        ASSERT_TRUE(core::validate_ogrnip(ogrnip).valid) << ogrnip;
        for_each_single_digit_change(ogrnip, [&](std::size_t pos, const std::string& m) {
            const bool accepted = core::validate_ogrnip(m).valid;
            if (pos == 14) {
                EXPECT_FALSE(accepted) << m;
                return;
            }
            const int r2 = static_cast<int>(ref::number(m.substr(0, 14)) % 13);
            ASSERT_NE(r2, r);  // 13 is prime and divides no δ·10^k
            EXPECT_EQ(accepted, std::abs(r - r2) == 10) << m;  // 0↔10, 1↔11, 2↔12
            blind += accepted;
        });
    }
    EXPECT_GT(blind, 0);
}

TEST(ValidatorProperties, Uin) {
    // The first pass residue r1 always changes (weights 1…10, modulus 11). While
    // neither the old nor the new r1 is 10 the control is r1 itself, so the change is
    // detected; only when one of them is 10 does the control come from the second pass
    // (or the fallback 0) and may coincide.
    std::mt19937 rng(6);
    int blind = 0, via_second_pass = 0;
    for (int n = 0; n < 2000; ++n) {
        const std::string body = random_digits(rng, 19);
        const int control = ref::uin_control(body);
        const std::string uin = body + ch(control);
        ASSERT_EQ(core::complete_uin(body), uin);
        ASSERT_TRUE(core::validate_uin(uin).valid) << uin;
        const int r1 = ref::uin_pass(body, ref::kUin1);
        via_second_pass += r1 == 10;
        for_each_single_digit_change(uin, [&](std::size_t pos, const std::string& m) {
            const bool accepted = core::validate_uin(m).valid;
            if (pos == 19) {
                EXPECT_FALSE(accepted) << m;
                return;
            }
            const std::string mbody = m.substr(0, 19);
            const int m1 = ref::uin_pass(mbody, ref::kUin1);
            ASSERT_NE(m1, r1);
            if (r1 != 10 && m1 != 10) {
                EXPECT_FALSE(accepted) << m;
            } else {
                EXPECT_EQ(accepted, ref::uin_control(mbody) == control) << m;
                blind += accepted;
            }
        });
    }
    EXPECT_GT(via_second_pass, 0);
    EXPECT_GT(blind, 0);
}

// ---- messages -------------------------------------------------------------------------

TEST(ValidatorLocales, EveryErrorCodeHasAMessageInEveryLanguage) {
    core::Locales locales;
    locales.load(test_support::source_dir() + "/locales");
    const auto codes = core::validation_error_codes();
    EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), codes.size()) << "duplicate codes";
    for (const auto& code : codes) {
        const std::string key = "validation." + code;
        for (std::string_view lang : core::kLanguages) {
            const auto& locale = locales.get(lang);
            ASSERT_TRUE(locale.has(key)) << lang << " lacks " << key;
            EXPECT_FALSE(locale.text(key).empty()) << lang << " " << key;
        }
        // Translated, not copied.
        EXPECT_NE(locales.get("ru").text(key), locales.get("en").text(key)) << key;
        EXPECT_NE(locales.get("de").text(key), locales.get("en").text(key)) << key;
        EXPECT_NE(locales.get("fr").text(key), locales.get("en").text(key)) << key;
    }
    // And no stale messages for codes that no longer exist.
    const std::set<std::string> known(codes.begin(), codes.end());
    for (std::string_view lang : core::kLanguages)
        for (const auto& key : locales.get(lang).keys())
            if (key.starts_with("validation.")) {
                EXPECT_TRUE(known.count(key.substr(11))) << lang << " has a message for unknown " << key;
            }
}

TEST(ValidatorLocales, DeclaredCodesAreExactlyTheCodesTheValidatorsProduce) {
    std::set<std::string> produced;
    for (const auto& c : cases()) {
        const auto r = core::validate(c.kind, c.input);
        if (!r.valid) produced.insert(r.error_code);
    }
    const auto codes = core::validation_error_codes();
    EXPECT_EQ(produced, std::set<std::string>(codes.begin(), codes.end()));
}
