// identity/model.hpp: the rules with no I/O — levels, password policy,
// brute-force waits, one-time codes, logins, masks and device names.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "identity/model.hpp"

using namespace uslugi;
using namespace uslugi::identity;

namespace {

std::vector<std::string> steps(const LevelGate& g) {
    std::vector<std::string> out;
    for (LevelStep s : g.missing) out.emplace_back(to_string(s));
    return out;
}

using Steps = std::vector<std::string>;

}  // namespace

// ---- levels (ID-4) -------------------------------------------------------------------

TEST(LevelGate, EveryCombinationOfLevels) {
    const std::optional<Level> nobody;
    const Level S = Level::simplified, T = Level::standard, C = Level::confirmed;
    struct Case {
        std::optional<Level> have;
        Level need;
        bool checks_running;
        bool allowed;
        Steps missing;
    };
    const std::vector<Case> cases{
        // Nobody signed in: sign in first, then whatever the level still needs.
        {nobody, S, false, false, {"sign_in"}},
        {nobody, S, true, false, {"sign_in"}},
        {nobody, T, false, false, {"sign_in", "fill_profile"}},
        {nobody, T, true, false, {"sign_in", "wait_for_checks"}},
        {nobody, C, false, false, {"sign_in", "fill_profile", "confirm_identity"}},
        {nobody, C, true, false, {"sign_in", "wait_for_checks", "confirm_identity"}},
        // Simplified.
        {S, S, false, true, {}},
        {S, S, true, true, {}},
        {S, T, false, false, {"fill_profile"}},
        {S, T, true, false, {"wait_for_checks"}},
        {S, C, false, false, {"fill_profile", "confirm_identity"}},
        {S, C, true, false, {"wait_for_checks", "confirm_identity"}},
        // Standard: the profile is done; only confirmation can be missing.
        {T, S, false, true, {}},
        {T, T, false, true, {}},
        {T, T, true, true, {}},
        {T, C, false, false, {"confirm_identity"}},
        {T, C, true, false, {"confirm_identity"}},
        // Confirmed opens everything.
        {C, S, false, true, {}},
        {C, T, false, true, {}},
        {C, C, false, true, {}},
        {C, C, true, true, {}},
    };
    for (const auto& c : cases) {
        const LevelGate g = gate(c.have, c.need, c.checks_running);
        const std::string label = std::string(c.have ? to_string(*c.have) : "nobody") + " → " +
                                  std::string(to_string(c.need)) + (c.checks_running ? " (checks running)" : "");
        EXPECT_EQ(g.allowed, c.allowed) << label;
        EXPECT_EQ(steps(g), c.missing) << label;
    }
}

TEST(LevelGate, StepNamesAreStable) {
    EXPECT_EQ(to_string(LevelStep::sign_in), "sign_in");
    EXPECT_EQ(to_string(LevelStep::fill_profile), "fill_profile");
    EXPECT_EQ(to_string(LevelStep::wait_for_checks), "wait_for_checks");
    EXPECT_EQ(to_string(LevelStep::confirm_identity), "confirm_identity");
    EXPECT_EQ(to_string(AccountStatus::active), "active");
    EXPECT_EQ(to_string(AccountStatus::deleted), "deleted");
}

// ---- passwords (ID-1) ------------------------------------------------------------------

TEST(PasswordPolicy, TooShortCountsCharactersNotBytes) {
    EXPECT_EQ(check_new_password("a1b2c3d", "a1b2c3d", {}, {}).problem, "too_short");
    EXPECT_EQ(check_new_password("", "", {}, {}).problem, "too_short");
    // Seven Cyrillic letters are 14 bytes but still seven characters.
    EXPECT_EQ(check_new_password("щукарьъ", "щукарьъ", {}, {}).problem, "too_short");
    // Eight are long enough: what remains is strength.
    EXPECT_NE(check_new_password("щукарьъю", "щукарьъю", {}, {}).problem, "too_short");
}

TEST(PasswordPolicy, TooLongAboveTheByteLimit) {
    const std::string at_limit(kPasswordMaxBytes, 'x');
    const std::string over(kPasswordMaxBytes + 1, 'x');
    EXPECT_EQ(check_new_password(over, over, {}, {}).problem, "too_long");
    EXPECT_NE(check_new_password(at_limit, at_limit, {}, {}).problem, "too_long");
}

TEST(PasswordPolicy, MismatchOfTheTwoEntries) {
    const std::string good = "violet tractor umbrella justice marble";
    EXPECT_EQ(check_new_password(good, good + " ", {}, {}).problem, "mismatch");
    EXPECT_EQ(check_new_password(good, "", {}, {}).problem, "mismatch");
    EXPECT_TRUE(check_new_password(good, good, {}, {}).acceptable());
}

TEST(PasswordPolicy, ContainsNameInAnyCase) {
    const std::vector<std::string> names{"Иванова", "Анна-Мария"};
    EXPECT_EQ(check_new_password("ИВАНОВА-лучше-всех-2024", "ИВАНОВА-лучше-всех-2024", names, {}).problem,
              "contains_name");
    EXPECT_EQ(check_new_password("тихая аннамария в саду", "тихая аннамария в саду", names, {}).problem,
              "contains_name")
        << "the hyphenated name is found without its hyphen";
    EXPECT_EQ(check_new_password("Zeppelin-ivanova-Orbit", "Zeppelin-ivanova-Orbit", {"Ivanova"}, {}).problem,
              "contains_name");
    // Names shorter than three letters would forbid too much.
    EXPECT_TRUE(check_new_password("янтарный закат над рекой", "янтарный закат над рекой", {"Ян"}, {}).acceptable());
    // A strong password without the names passes.
    EXPECT_TRUE(check_new_password("плавный ветер гонит синие облака", "плавный ветер гонит синие облака", names, {})
                    .acceptable());
}

TEST(PasswordPolicy, ContainsContact) {
    const std::vector<std::string> phone{"+79161234567"};
    // The phone's last seven digits, however they are spelt inside the password.
    EXPECT_EQ(check_new_password("horse-123-45-67-battery", "horse-123-45-67-battery", {}, phone).problem,
              "contains_contact");
    EXPECT_EQ(check_new_password("mycode1234567!!", "mycode1234567!!", {}, phone).problem, "contains_contact");
    // Six of them are not the phone.
    EXPECT_NE(check_new_password("orbit zeppelin 234567 quartz", "orbit zeppelin 234567 quartz", {}, phone).problem,
              "contains_contact");

    const std::vector<std::string> email{"anna.smirnova@example.ru"};
    EXPECT_EQ(check_new_password("Anna.Smirnova-rules-42", "Anna.Smirnova-rules-42", {}, email).problem,
              "contains_contact");
    EXPECT_EQ(check_new_password("zebra annasmirnova orbit", "zebra annasmirnova orbit", {}, email).problem,
              "contains_contact");
    EXPECT_NE(check_new_password("example example zeppelin quartz", "example example zeppelin quartz", {}, email)
                  .problem,
              "contains_contact")
        << "the domain is not personal";
}

TEST(PasswordPolicy, CommonPasswordsAreTooWeak) {
    for (const std::string pw : {"qwerty123", "password", "password1", "12345678", "11111111", "1q2w3e4r"}) {
        const auto v = check_new_password(pw, pw, {}, {});
        EXPECT_EQ(v.problem, "too_weak") << pw << " scored " << v.score;
        EXPECT_LT(v.score, kPasswordMinScore) << pw;
    }
}

// zxcvbn-c knows no Russian words and counts UTF-8 bytes: the most common
// Russian passwords must still be refused (ID-1).
TEST(PasswordPolicy, CommonRussianPasswordsAreTooWeak) {
    for (const std::string pw : {"пароль123", "йцукенгш", "йцукен123", "привет123", "любовь123", "абвгдежз"}) {
        const auto v = check_new_password(pw, pw, {}, {});
        EXPECT_EQ(v.problem, "too_weak") << pw << " scored " << v.score << " (" << v.entropy_bits << " bits)";
    }
}

TEST(PasswordPolicy, PassphrasesAreAccepted) {
    const std::string five_words = "violet tractor umbrella justice marble";
    const auto v = check_new_password(five_words, five_words, {"Иванова", "Анна"}, {"+79161234567"});
    EXPECT_TRUE(v.acceptable()) << v.problem;
    EXPECT_EQ(v.score, 4);

    // 70 characters, Cyrillic (two bytes each) and Latin.
    const std::string cyrillic = "Мой кот Василий любит спать на тёплом подоконнике у окна утром зимой!!";
    const std::string latin = "the quiet harbour lights flicker while seven grey gulls argue at dusk.";
    auto chars = [](const std::string& s) { return std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }); };
    ASSERT_EQ(chars(cyrillic), 70);
    ASSERT_EQ(chars(latin), 70);
    for (const std::string& pw : {cyrillic, latin}) {
        const auto r = check_new_password(pw, pw, {"Иванова", "Анна"}, {"anna@example.ru"});
        EXPECT_TRUE(r.acceptable()) << pw << ": " << r.problem;
        EXPECT_EQ(r.score, 4) << pw;
    }
}

TEST(PasswordPolicy, ScoreFollowsEntropyMonotonically) {
    const std::vector<std::string> samples{
        "a", "abc", "password", "qwerty123", "Tr0ub4dor", "Tr0ub4dor&3", "kitten42", "zebra orbit",
        "zebra orbit quartz", "violet tractor umbrella", "violet tractor umbrella justice marble",
        "x7#Kp9!qLm2@", "плавный ветер", "плавный ветер гонит синие облака", "11111111", "abcdefgh",
    };
    std::vector<PasswordVerdict> verdicts;
    for (const auto& s : samples) {
        const auto v = rate_password(s, {});
        EXPECT_GE(v.score, 0);
        EXPECT_LE(v.score, 4);
        EXPECT_GE(v.entropy_bits, 0.0) << s;
        verdicts.push_back(v);
    }
    std::sort(verdicts.begin(), verdicts.end(),
              [](const auto& a, const auto& b) { return a.entropy_bits < b.entropy_bits; });
    for (std::size_t i = 1; i < verdicts.size(); ++i)
        EXPECT_LE(verdicts[i - 1].score, verdicts[i].score)
            << verdicts[i - 1].entropy_bits << " bits scored above " << verdicts[i].entropy_bits;
    // zxcvbn.js's guess thresholds 10^3, 10^6, 10^8, 10^10, in bits.
    for (const auto& v : verdicts) {
        const double b = v.entropy_bits;
        const int expected = b < 9.966 ? 0 : b < 19.932 ? 1 : b < 26.575 ? 2 : b < 33.219 ? 3 : 4;
        const bool near_threshold = std::abs(b - 9.966) < 0.01 || std::abs(b - 19.932) < 0.01 ||
                                    std::abs(b - 26.575) < 0.01 || std::abs(b - 33.219) < 0.01;
        if (!near_threshold) {
            EXPECT_EQ(v.score, expected) << b << " bits";
        }
    }
    EXPECT_EQ(rate_password("", {}).score, 0);
}

TEST(PasswordPolicy, UserInputsMakeAPasswordWeaker) {
    const std::string pw = "smirnova1987";
    const auto plain = rate_password(pw, {});
    const auto personal = rate_password(pw, {"Smirnova", "Anna", "+79161234567"});
    EXPECT_LT(personal.entropy_bits, plain.entropy_bits);
}

TEST(PasswordPolicy, ANulByteIsNotAccepted) {
    const std::string pw = std::string("violet tractor\0umbrella justice marble", 38);
    EXPECT_FALSE(check_new_password(pw, pw, {}, {}).acceptable());
}

// ---- brute force (ID-5) ------------------------------------------------------------------

TEST(Throttle, FreeFailuresThenDoublingUpToTheCapThenLock) {
    const ThrottlePolicy p = account_throttle();
    const std::map<int, std::int64_t> expected{{0, 0},  {1, 0},  {2, 0},  {3, 2},   {4, 4},   {5, 8},  {6, 16},
                                               {7, 32}, {8, 60}, {9, 60}, {10, 900}, {11, 900}, {50, 900}};
    for (const auto& [failures, wait] : expected)
        EXPECT_EQ(wait_after_failures(p, failures), wait) << failures << " failures";
    EXPECT_EQ(p.lock_seconds, 15 * 60);
    EXPECT_EQ(p.forget_after, 3600);
}

TEST(Throttle, CapHoldsForAnyNumberOfDoublings) {
    ThrottlePolicy p;
    p.free_failures = 0;
    p.first_wait = 3;
    p.max_wait = 1000;
    p.lock_after = 1'000'000;
    std::int64_t previous = 0;
    for (int f = 0; f < 200; ++f) {
        const std::int64_t w = wait_after_failures(p, f);
        EXPECT_GE(w, previous) << f;
        EXPECT_LE(w, 1000) << f << ": no overflow past the cap";
        previous = w;
    }
    EXPECT_EQ(wait_after_failures(p, 0), 3);
    EXPECT_EQ(wait_after_failures(p, 199), 1000);
}

TEST(Throttle, AnAddressIsAllowedMoreThanAnAccount) {
    const ThrottlePolicy a = account_throttle(), ip = address_throttle();
    EXPECT_GT(ip.free_failures, a.free_failures);
    EXPECT_GT(ip.lock_after, a.lock_after);
    EXPECT_EQ(wait_after_failures(ip, 19), 0);
    EXPECT_GT(wait_after_failures(ip, 20), 0);
    EXPECT_EQ(wait_after_failures(ip, ip.lock_after), ip.lock_seconds);
}

// ---- one-time codes ------------------------------------------------------------------------

TEST(Codes, RulesOfAnSmsCode) {
    const CodeRules r = sms_code_rules();
    EXPECT_EQ(r.digits, 6);
    EXPECT_EQ(r.ttl, 300) << "ID-1: an SMS code is valid 300 s";
    EXPECT_GT(r.max_failures, r.tries_per_code);
}

TEST(Codes, NewCodeIsUniformDigits) {
    std::set<std::string> distinct;
    std::array<std::array<int, 10>, 6> per_position{};
    for (int i = 0; i < 1000; ++i) {
        const std::string code = new_code(6);
        ASSERT_EQ(code.size(), 6u) << code;
        for (std::size_t p = 0; p < code.size(); ++p) {
            ASSERT_TRUE(code[p] >= '0' && code[p] <= '9') << code;
            ++per_position[p][code[p] - '0'];
        }
        distinct.insert(code);
    }
    EXPECT_GT(distinct.size(), 990u) << "10^6 possible codes: 1000 draws barely ever repeat";
    for (std::size_t p = 0; p < per_position.size(); ++p)
        for (int d = 0; d < 10; ++d) {
            // Expected 100 each; 40 and 160 are more than six standard deviations away.
            EXPECT_GT(per_position[p][d], 40) << "digit " << d << " at position " << p;
            EXPECT_LT(per_position[p][d], 160) << "digit " << d << " at position " << p;
        }
    EXPECT_EQ(new_code(4).size(), 4u);
    EXPECT_EQ(new_code(8).size(), 8u);
}

TEST(Codes, NormalizeKeepsDigitsOnly) {
    EXPECT_EQ(normalize_code("123 456"), "123456");
    EXPECT_EQ(normalize_code(" 12-34-56 "), "123456");
    EXPECT_EQ(normalize_code("012345"), "012345") << "leading zeros stay";
    EXPECT_EQ(normalize_code("abc"), "");
    EXPECT_EQ(normalize_code(""), "");
    EXPECT_EQ(normalize_code("１２３４５６"), "") << "full-width digits are not ASCII digits";
    EXPECT_EQ(normalize_code(std::string(33, '1')), "") << "overlong input is refused, not truncated";
    EXPECT_EQ(normalize_code(std::string(32, '1')), std::string(32, '1'));
}

// ---- text fields -------------------------------------------------------------------------------

TEST(TidyText, TrimsAndFoldsEveryKindOfSpace) {
    EXPECT_EQ(tidy_text(""), "");
    EXPECT_EQ(tidy_text("   "), "");
    EXPECT_EQ(tidy_text("\u00a0\u2009\u3000\u200b\ufeff"), "") << "no-break, thin, ideographic, zero-width";
    EXPECT_EQ(tidy_text("  Анна   Мария \t"), "Анна Мария");
    EXPECT_EQ(tidy_text("Анна\u00a0Мария"), "Анна Мария");
    EXPECT_EQ(tidy_text("a\nb\r\nc"), "a b c") << "line breaks are spaces";
    EXPECT_EQ(tidy_text(std::string("a\0b", 3)), "a b") << "control characters become spaces";
    EXPECT_EQ(tidy_text("\xff\xfe"), "\uFFFD\uFFFD") << "invalid UTF-8 is replaced, not passed on";
    EXPECT_EQ(tidy_text("О’Коннор-Смит"), "О’Коннор-Смит");
}

// ---- logins ------------------------------------------------------------------------------------

TEST(ParseLogin, PhoneInSeveralSpellings) {
    for (const std::string typed : {"+79161234567", "+7 916 123-45-67", "+7 (916) 123-45-67", "8 916 123 45 67",
                                    "89161234567", "8(916)1234567", " +7 916 1234567 "}) {
        const auto l = parse_login(typed);
        ASSERT_TRUE(l) << typed;
        EXPECT_EQ(l->kind, LoginKind::phone) << typed;
        EXPECT_EQ(l->value, "+79161234567") << typed;
    }
}

TEST(ParseLogin, Email) {
    const auto l = parse_login("Anna.Smirnova@Example.RU");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->kind, LoginKind::email);
    EXPECT_EQ(l->value, "anna.smirnova@example.ru") << "an account's e-mail is one login whatever the case";
    EXPECT_FALSE(parse_login("anna@"));
    EXPECT_FALSE(parse_login("@example.ru"));
    EXPECT_FALSE(parse_login("anna@@example.ru"));
}

TEST(ParseLogin, SnilsWithOrWithoutSeparators) {
    for (const std::string typed : {"112-233-445 95", "11223344595", "112 233 445 95", "112-233-445-95"}) {
        const auto l = parse_login(typed);
        ASSERT_TRUE(l) << typed;
        EXPECT_EQ(l->kind, LoginKind::snils) << typed;
        EXPECT_EQ(l->value, "112-233-445 95") << typed;
    }
    EXPECT_FALSE(parse_login("112-233-445 96")) << "wrong control number";
}

TEST(ParseLogin, GarbageAndOverlongInput) {
    for (const std::string typed : {"", "   ", "hello", "12345", "+7 916", "ivanov", "9999999999999999999",
                                    "<script>alert(1)</script>", "' OR 1=1 --"})
        EXPECT_FALSE(parse_login(typed)) << typed;
    EXPECT_FALSE(parse_login(std::string(300, '9')));
    EXPECT_FALSE(parse_login(std::string(250, 'a') + "@example.ru")) << "longer than an e-mail may be";
    EXPECT_FALSE(parse_login(std::string(100000, '+')));
}

// ---- masks and devices -------------------------------------------------------------------------

TEST(MaskContact, PhoneAndEmail) {
    EXPECT_EQ(mask_contact({ContactKind::phone, "+79161234567"}), "+7 916 ***-**-67");
    EXPECT_EQ(mask_contact({ContactKind::email, "anna@example.org"}), "an***@example.org");
    EXPECT_EQ(mask_contact({ContactKind::email, "a@example.org"}), "a***@example.org");
    EXPECT_EQ(mask_contact({ContactKind::email, "no-at-sign"}), "***");
    // Whatever the input, the middle digits never show.
    const std::string masked = mask_contact({ContactKind::phone, "+79161234567"});
    EXPECT_EQ(masked.find("12345"), std::string::npos);
    EXPECT_EQ(mask_contact({ContactKind::phone, ""}), "***");
    EXPECT_EQ(mask_contact({ContactKind::phone, "+7"}), "***+7");
}

TEST(DescribeDevice, RealUserAgents) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
         "Safari/537.36",
         "Chrome · Windows"},
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
         "Safari/537.36 Edg/120.0.2210.91",
         "Edge · Windows"},
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 "
         "YaBrowser/23.11.0.0 Safari/537.36",
         "Yandex Browser · Windows"},
        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
         "Safari/537.36 OPR/106.0.0.0",
         "Opera · macOS"},
        {"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
         "Safari/605.1.15",
         "Safari · macOS"},
        {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.2 Mobile/15E148 Safari/604.1",
         "Safari · iOS"},
        {"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
         "Mobile/15E148 Safari/604.1",
         "Safari · iOS"},
        {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile "
         "Safari/537.36",
         "Chrome · Android"},
        {"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox · Android"},
        {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox · Linux"},
        {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.28 "
         "Safari/537.36",
         "Chrome · Linux"},
        {"curl/8.5.0", "curl"},
        {"node", "Node.js"},
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Windows"},
        {"", ""},
        {"SomeBot/1.0", ""},
    };
    for (const auto& [ua, expected] : cases) EXPECT_EQ(describe_device(ua), expected) << ua;
}

TEST(Logins, EMailsAreOneLoginWhateverTheCase) {
    const auto a = parse_login("Anna.Smirnova@Example.ORG");
    const auto b = parse_login("anna.smirnova@example.org");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->value, b->value);
    EXPECT_EQ(validate_account_email("Ivanova@Mail.RU").normalized, "ivanova@mail.ru");
    EXPECT_FALSE(validate_account_email("not an address"));
}
