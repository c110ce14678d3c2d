// Pure rules of the registries sandbox: dates, the 20/45 passport rule, name
// matching, the traffic-fine discount, card numbers, Post tracking numbers,
// fault settings, and the e-mail decoding of the demo inbox.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "registries/faults.hpp"
#include "registries/mailbox.hpp"
#include "registries/model.hpp"

using namespace uslugi::registries;
namespace chr = std::chrono;

namespace {
Date d(const char* iso) { return *parse_date(iso); }
}  // namespace

TEST(RegistriesModel, ParsesAndFormatsDates) {
    EXPECT_EQ(format_date(d("2026-01-15")), "2026-01-15");
    EXPECT_TRUE(parse_date("2024-02-29"));
    for (const char* bad : {"2023-02-29", "2023-13-01", "2023-00-10", "2023-1-01", "20230101", "", "2023-01-01x",
                            "abcd-ef-gh", "1700-01-01"})
        EXPECT_FALSE(parse_date(bad)) << bad;
    EXPECT_EQ(age_on(d("2000-06-15"), d("2020-06-14")), 19);
    EXPECT_EQ(age_on(d("2000-06-15"), d("2020-06-15")), 20);
    EXPECT_EQ(add_years(d("2004-02-29"), 20), d("2024-02-29"));
    EXPECT_EQ(add_years(d("2004-02-29"), 21), d("2025-02-28"));
}

TEST(RegistriesModel, PassportTwentyFortyFiveRule) {
    // Issued at 14: valid until the 20th birthday plus 90 days.
    EXPECT_EQ(passport_valid_until(d("2000-03-10"), d("2014-04-01")), d("2020-03-10") + chr::days{90});
    // Issued the day before the 20th birthday: still the first period.
    EXPECT_EQ(passport_valid_until(d("2000-03-10"), d("2020-03-09")), d("2020-03-10") + chr::days{90});
    // Issued at 20: until the 45th birthday plus 90 days.
    EXPECT_EQ(passport_valid_until(d("2000-03-10"), d("2020-03-10")), d("2045-03-10") + chr::days{90});
    EXPECT_EQ(passport_valid_until(d("1970-07-01"), d("2015-06-30")), d("2015-07-01") + chr::days{90});
    // Issued at 45 or later: no end.
    EXPECT_FALSE(passport_valid_until(d("1970-07-01"), d("2015-07-01")));
    EXPECT_FALSE(passport_valid_until(d("1940-01-01"), d("2001-05-05")));
}

TEST(RegistriesModel, NamesMatchIgnoringCaseYoAndSpaces) {
    EXPECT_EQ(fold_name("  ФЁДОРОВ  "), "федоров");
    EXPECT_TRUE(same_name("Фёдоров", "федоров"));
    EXPECT_TRUE(same_name("Римский-Корсаков", "римский - корсаков"));
    EXPECT_TRUE(same_name("Анна  Мария", "анна мария"));
    EXPECT_TRUE(same_name("O'Neil", "o'neil"));
    EXPECT_FALSE(same_name("Иванов", "Иванова"));
    EXPECT_FALSE(same_name("Ёлкин", "Елкина"));
    Person p;
    p.surname = "Хабибуллин";
    p.name = "Рустам";
    p.patronymic = "Ринатович";
    p.birth_date = d("1979-11-30");
    EXPECT_TRUE(person_matches(p, {"ХАБИБУЛЛИН", "рустам", "Ринатович", d("1979-11-30")}));
    EXPECT_FALSE(person_matches(p, {"Хабибуллин", "Рустам", "", d("1979-11-30")}));
    EXPECT_FALSE(person_matches(p, {"Хабибуллин", "Рустам", "Ринатович", d("1979-11-29")}));
    p.patronymic.clear();
    EXPECT_TRUE(person_matches(p, {"Хабибуллин", "Рустам", "", d("1979-11-30")}));
}

TEST(RegistriesModel, TrafficFineDiscount) {
    Fine f;
    f.amount = 50000;
    // From 2026: 25 % within 30 days.
    auto s = fine_discount(f, d("2026-03-01"), d("2026-03-31"), false);
    EXPECT_TRUE(s.eligible);
    EXPECT_TRUE(s.active);
    EXPECT_EQ(s.rate_percent, 25);
    EXPECT_EQ(s.until, d("2026-03-31"));
    EXPECT_EQ(s.amount_due, 37500);
    s = fine_discount(f, d("2026-03-01"), d("2026-04-01"), false);
    EXPECT_FALSE(s.active);
    EXPECT_EQ(s.amount_due, 50000);
    // Before 2026: 50 % within 20 days.
    s = fine_discount(f, d("2025-12-20"), d("2026-01-09"), false);
    EXPECT_TRUE(s.active);
    EXPECT_EQ(s.rate_percent, 50);
    EXPECT_EQ(s.amount_due, 25000);
    EXPECT_FALSE(fine_discount(f, d("2025-12-20"), d("2026-01-10"), false).active);
    // Excluded offences never get it; paid fines owe nothing.
    f.discount_excluded = true;
    s = fine_discount(f, d("2026-03-01"), d("2026-03-02"), false);
    EXPECT_FALSE(s.eligible);
    EXPECT_FALSE(s.active);
    EXPECT_EQ(s.amount_due, 50000);
    f.discount_excluded = false;
    EXPECT_EQ(fine_discount(f, d("2026-03-01"), d("2026-03-02"), true).amount_due, 0);
}

TEST(RegistriesModel, CardNumbersAndTrackingNumbers) {
    for (const char* good : {"4111111111111111", "5555555555554444", "2200000000000004", "4000000000000002",
                             "4000000000003220"})
        EXPECT_TRUE(luhn_valid(good)) << good;
    for (const char* bad : {"4111111111111112", "41111111111", "", "4111 1111 1111 1111", "abcdabcdabcdabcd"})
        EXPECT_FALSE(luhn_valid(bad)) << bad;
    EXPECT_EQ(card_brand("2200000000000004"), "mir");
    EXPECT_EQ(card_brand("4111111111111111"), "visa");
    EXPECT_EQ(card_brand("5555555555554444"), "mastercard");
    // A Russian Post tracking number: 6-digit postcode, month, number, control.
    const std::string t = post_tracking_number("6140001100001");
    ASSERT_EQ(t.size(), 14u);
    EXPECT_TRUE(post_tracking_valid(t));
    std::string wrong = t;
    wrong[13] = wrong[13] == '9' ? '0' : char(wrong[13] + 1);
    EXPECT_FALSE(post_tracking_valid(wrong));
    // 8010 5431 2211 1 → weights 3,1,3,1,…: 24+0+3+0+15+4+9+1+6+2+3+1+3 = 71 → 9.
    EXPECT_EQ(post_tracking_number("8010543122111"), "80105431221119");
}

TEST(RegistriesFaults, AppliesValidatesAndDecides) {
    Faults f;
    EXPECT_EQ(f.get("pfr"), Fault{});
    f.apply(nlohmann::json::parse(R"({"pfr": {"latency_ms": 250}, "mvd": {"down": true, "error_rate": 0.5}})"));
    EXPECT_EQ(f.get("pfr").latency_ms, 250);
    EXPECT_TRUE(f.get("mvd").down);
    EXPECT_DOUBLE_EQ(f.get("mvd").error_rate, 0.5);
    // A partial change keeps the rest.
    f.apply("mvd", nlohmann::json::parse(R"({"down": false})"));
    EXPECT_FALSE(f.get("mvd").down);
    EXPECT_DOUBLE_EQ(f.get("mvd").error_rate, 0.5);
    // Bad input changes nothing at all.
    for (const char* bad : {R"({"pfr": {"latency_ms": -1}})", R"({"pfr": {"error_rate": 1.5}})",
                            R"({"pfr": {"down": "yes"}})", R"({"pfr": {"colour": 1}})", R"({"nope": {}})",
                            R"({"fns": {"latency_ms": 5}, "pfr": {"latency_ms": 999999}})", "[1]"}) {
        try {
            f.apply(nlohmann::json::parse(bad));
            ADD_FAILURE() << bad;
        } catch (const FaultError& e) {
            EXPECT_TRUE(e.code() == "faults.invalid" || e.code() == "faults.unknown_registry") << e.code();
        }
    }
    EXPECT_EQ(f.get("fns").latency_ms, 0);
    EXPECT_EQ(f.get("pfr").latency_ms, 250);
    // error_rate 1 always fails, 0 never; down is reported as such.
    f.apply(nlohmann::json::parse(R"({"sms": {"error_rate": 1}, "push": {"down": true}})"));
    for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(f.decide("sms").fail);
        EXPECT_FALSE(f.decide("fns").fail);
    }
    EXPECT_TRUE(f.decide("push").down);
    EXPECT_FALSE(f.decide("admin").down);
    f.reset();
    EXPECT_EQ(f.get("sms"), Fault{});
    EXPECT_EQ(f.to_json().size(), kRegistries.size());
}

TEST(RegistriesMailbox, DecodesEncodedWords) {
    EXPECT_EQ(decode_rfc2047("=?UTF-8?B?0JrQvtC0INC/0L7QtNGC0LLQtdGA0LbQtNC10L3QuNGP?="), "Код подтверждения");
    EXPECT_EQ(decode_rfc2047("=?utf-8?q?=D0=9A=D0=BE=D0=B4_123?="), "Код 123");
    // White space between encoded words disappears, around plain text it stays.
    EXPECT_EQ(decode_rfc2047("=?UTF-8?B?0JrQvtC0?= =?UTF-8?B?INCy0YXQvtC00LA=?= for you"), "Код входа for you");
    EXPECT_EQ(decode_rfc2047("Hello =?UTF-8?Q?W=C3=B6rld?="), "Hello Wörld");
    // Other charsets are converted to UTF-8.
    EXPECT_EQ(decode_rfc2047("=?windows-1251?B?z+Dw7uv8?="), "Пароль");
    EXPECT_EQ(decode_rfc2047("=?KOI8-R?Q?=F0=C1=D2=CF=CC=D8?="), "Пароль");
    // Malformed words stay as they are.
    EXPECT_EQ(decode_rfc2047("=?UTF-8?B?broken"), "=?UTF-8?B?broken");
    EXPECT_EQ(decode_rfc2047("plain subject"), "plain subject");
    EXPECT_EQ(decode_quoted_printable("a=3Db=\r\nc"), "a=bc");
    EXPECT_EQ(decode_base64("0J/RgNC40LLQtdGC"), "Привет");
}

TEST(RegistriesMailbox, ParsesMessagesAndReadsTheMaildirNewestFirst) {
    const std::string plain =
        "From: =?UTF-8?B?0JPQvtGB0YPRgdC70YPQs9C4?= <noreply@uslugi.example>\r\n"
        "To: Anna <anna@example.org>\r\n"
        "Subject: =?UTF-8?B?0JrQvtC0INC/0L7QtNGC0LLQtdGA0LbQtNC10L3QuNGP?=\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "X-RcptTo: anna@example.org\r\n"
        "\r\n"
        "0JLQsNGIINC60L7QtDogNDgxNTE2\r\n";
    MailMessage m = parse_mail(plain);
    EXPECT_EQ(m.from, "Госуслуги <noreply@uslugi.example>");
    EXPECT_EQ(m.subject, "Код подтверждения");
    EXPECT_EQ(m.body, "Ваш код: 481516");
    EXPECT_EQ(m.recipients, std::vector<std::string>({"anna@example.org", "anna@example.org"}));

    const std::string multipart =
        "From: a@b.example\nTo: x@y.example\nSubject: =?utf-8?Q?=D0=9F=D0=B8=D1=81=D1=8C=D0=BC=D0=BE?=\n"
        "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
        "preamble\n--b1\nContent-Type: text/html; charset=utf-8\n\n<p>HTML &amp; text</p>\n"
        "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        "=D0=A2=D0=B5=D0=BA=D1=81=D1=82 =\n=D0=BF=D0=B8=D1=81=D1=8C=D0=BC=D0=B0\n--b1--\n";
    m = parse_mail(multipart);
    EXPECT_EQ(m.subject, "Письмо");
    EXPECT_EQ(m.body, "Текст письма");
    const std::string html_only =
        "Subject: x\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/html\n\n"
        "<div>Hello<br>world &lt;3</div>\n--zz--\n";
    EXPECT_EQ(parse_mail(html_only).body, "Hello\nworld <3");

    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("uslugi-maildir-" + std::to_string(::getpid()));
    fs::create_directories(dir / "new");
    fs::create_directories(dir / "cur");
    std::ofstream(dir / "new" / "1.old") << plain;
    std::ofstream(dir / "cur" / "2.new") << multipart;
    fs::last_write_time(dir / "new" / "1.old", fs::file_time_type::clock::now() - chr::minutes(5));
    auto all = read_maildir(dir.string());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].subject, "Письмо");
    EXPECT_EQ(all[1].subject, "Код подтверждения");
    auto for_anna = read_maildir(dir.string(), "ANNA@example.org");
    ASSERT_EQ(for_anna.size(), 1u);
    EXPECT_EQ(for_anna[0].id, "1.old");
    EXPECT_TRUE(read_maildir((dir / "missing").string()).empty());
    fs::remove_all(dir);
}
