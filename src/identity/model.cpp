#include "identity/model.hpp"

#include "core/text.hpp"
#include "core/crypto.hpp"
#include "core/validators.hpp"

#include <zxcvbn.h>

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace uslugi::identity {

Level parse_level(std::string_view s) {
    if (s == "simplified") return Level::simplified;
    if (s == "standard") return Level::standard;
    if (s == "confirmed") return Level::confirmed;
    throw std::invalid_argument("unknown account level: " + std::string(s));
}

std::string_view to_string(Level level) {
    switch (level) {
        case Level::simplified: return "simplified";
        case Level::standard: return "standard";
        case Level::confirmed: return "confirmed";
    }
    return "confirmed";
}

std::string_view to_string(AccountStatus s) { return s == AccountStatus::active ? "active" : "deleted"; }

std::string_view to_string(LevelStep s) {
    switch (s) {
        case LevelStep::sign_in: return "sign_in";
        case LevelStep::fill_profile: return "fill_profile";
        case LevelStep::wait_for_checks: return "wait_for_checks";
        case LevelStep::confirm_identity: return "confirm_identity";
    }
    return "sign_in";
}

LevelGate gate(std::optional<Level> have, Level need, bool checks_running) {
    LevelGate g;
    if (have && *have >= need) {
        g.allowed = true;
        return g;
    }
    if (!have) g.missing.push_back(LevelStep::sign_in);
    const Level from = have.value_or(Level::simplified);
    if (from < Level::standard && need >= Level::standard)
        g.missing.push_back(checks_running ? LevelStep::wait_for_checks : LevelStep::fill_profile);
    if (need >= Level::confirmed) g.missing.push_back(LevelStep::confirm_identity);
    return g;
}

namespace {

// zxcvbn.js's thresholds on guesses (10^3, 10^6, 10^8, 10^10), in bits.
int score_of(double bits) {
    if (bits < 9.97) return 0;
    if (bits < 19.93) return 1;
    if (bits < 26.58) return 2;
    if (bits < 33.22) return 3;
    return 4;
}

// Lower-case words of a text joined without separators: "Анна-Мария" → "аннамария".
std::string squeezed_lower(std::string_view s) {
    std::string out;
    for (const auto& t : text::tokenize(s)) out += t.lower;
    return out;
}

std::size_t utf8_chars(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string digits_of(std::string_view s) {
    std::string d;
    for (char c : s)
        if (c >= '0' && c <= '9') d.push_back(c);
    return d;
}

}  // namespace

namespace {
// zxcvbn-c's dictionaries are English and it counts UTF-8 bytes, so it rates
// "пароль123" very strong. Words and keyboard runs Russians use most go in as
// extra dictionary entries, which it then guesses in a few tries.
const std::vector<std::string>& common_russian_passwords() {
    static const std::vector<std::string> words{
        "пароль", "йцукен", "йцукенг", "йцукенгш", "йцукенгшщз", "фывапролдж", "фывапролджэ", "ячсмитьбю",
        "привет", "любовь", "люблю", "солнце", "солнышко", "котик", "котенок", "зайка", "зайчик", "рыбка",
        "наташа", "настя", "марина", "светлана", "максим", "александр", "сергей", "андрей", "дмитрий",
        "россия", "москва", "спартак", "зенит", "кремль", "родина", "весна", "лето", "осень", "зима",
        "абвгд", "абвгде", "абвгдеж", "абвгдежз", "абвгдеёжз", "господь", "мамочка", "мама", "папа",
        "qwerty", "йфяцычувс", "вход", "госуслуги", "логин", "секрет", "хорошо", "счастье", "ангел",
        "пароль123", "привет123", "любовь123", "парольпароль"};
    return words;
}
}  // namespace

PasswordVerdict rate_password(std::string_view password, const std::vector<std::string>& user_inputs) {
    PasswordVerdict v;
    if (password.empty() || password.size() > kPasswordMaxBytes) return v;
    const std::string pw(password);
    if (pw.find('\0') != std::string::npos) return v;
    std::vector<const char*> dict;
    for (const auto& s : user_inputs)
        if (!s.empty()) dict.push_back(s.c_str());
    for (const auto& s : common_russian_passwords()) dict.push_back(s.c_str());
    dict.push_back(nullptr);
    v.entropy_bits = ZxcvbnMatch(pw.c_str(), dict.data(), nullptr);
    v.score = score_of(v.entropy_bits);
    return v;
}

PasswordVerdict check_new_password(std::string_view password, std::string_view repeated,
                                   const std::vector<std::string>& names, const std::vector<std::string>& contacts) {
    std::vector<std::string> inputs = names;
    inputs.insert(inputs.end(), contacts.begin(), contacts.end());
    PasswordVerdict v = rate_password(password, inputs);
    if (password.size() > kPasswordMaxBytes) {
        v.problem = "too_long";
    } else if (utf8_chars(password) < kPasswordMinChars) {
        v.problem = "too_short";
    } else if (password != repeated) {
        v.problem = "mismatch";
    } else {
        const std::string lower = squeezed_lower(password);
        for (const auto& n : names) {
            const std::string ln = squeezed_lower(n);
            if (utf8_chars(ln) >= 3 && lower.find(ln) != std::string::npos) v.problem = "contains_name";
        }
        if (v.problem.empty()) {
            const std::string pw_digits = digits_of(password);
            for (const auto& c : contacts) {
                // A phone's last 7 digits, or an e-mail's local part, inside the password.
                const std::string d = digits_of(c);
                const bool is_email = c.find('@') != std::string::npos;
                if (!is_email && d.size() >= 7 && pw_digits.find(d.substr(d.size() - 7)) != std::string::npos)
                    v.problem = "contains_contact";
                if (is_email) {
                    const std::string local = squeezed_lower(c.substr(0, c.find('@')));
                    if (utf8_chars(local) >= 4 && lower.find(local) != std::string::npos) v.problem = "contains_contact";
                }
            }
        }
        if (v.problem.empty() && v.score < kPasswordMinScore) v.problem = "too_weak";
    }
    return v;
}

namespace {
bool is_any_space(char32_t cp) {
    return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\f' || cp == U'\v' || cp == 0x00A0 ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}
}  // namespace

std::string tidy_text(std::string_view typed) { return text::collapse_blanks(text::sanitize(typed), is_any_space); }

std::int64_t wait_after_failures(const ThrottlePolicy& p, int failures) {
    if (failures >= p.lock_after) return p.lock_seconds;
    if (failures < p.free_failures) return 0;
    const int doublings = std::min(failures - p.free_failures, 20);
    return std::min(p.max_wait, p.first_wait << doublings);
}

ThrottlePolicy account_throttle() { return {}; }

ThrottlePolicy address_throttle() {
    ThrottlePolicy p;
    p.free_failures = 20;
    p.first_wait = 1;
    p.max_wait = 30;
    p.lock_after = 100;
    return p;
}

CodeRules sms_code_rules() { return {}; }

std::string new_code(int digits) {
    core::crypto_init();
    std::string code;
    for (int i = 0; i < digits; ++i) code.push_back(static_cast<char>('0' + randombytes_uniform(10)));
    return code;
}

std::string normalize_code(std::string_view typed) {
    if (typed.size() > 32) return {};
    return digits_of(typed);
}

core::ValidationResult validate_account_email(std::string_view typed) {
    core::ValidationResult r = core::validate_email(typed);
    for (char& c : r.normalized)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return r;
}

std::optional<Login> parse_login(std::string_view typed) {
    if (typed.size() > core::kMaxEmailBytes) return std::nullopt;
    if (typed.find('@') != std::string_view::npos) {
        auto r = validate_account_email(typed);
        if (r) return Login{LoginKind::email, r.normalized};
        return std::nullopt;
    }
    const std::string digits = digits_of(typed);
    // 11 digits that do not start like a Russian phone are a SNILS ("112-233-445 95").
    if (digits.size() == 11 && typed.find('+') == std::string_view::npos && digits[0] != '7' && digits[0] != '8') {
        if (auto r = core::validate_snils(typed)) return Login{LoginKind::snils, r.normalized};
        return std::nullopt;
    }
    if (auto r = core::validate_phone(typed)) return Login{LoginKind::phone, r.normalized};
    if (auto r = core::validate_snils(typed)) return Login{LoginKind::snils, r.normalized};
    return std::nullopt;
}

std::optional<Contact> parse_contact(std::string_view typed, std::string& error_key) {
    if (tidy_text(typed).empty()) {
        error_key = "identity.error.contact_required";
        return std::nullopt;
    }
    const bool email = typed.find('@') != std::string_view::npos;
    const core::ValidationResult v = email ? validate_account_email(typed) : core::validate_mobile_phone(typed);
    if (!v) {
        error_key = v.message_key();
        return std::nullopt;
    }
    return Contact{email ? ContactKind::email : ContactKind::phone, v.normalized};
}

std::string mask_contact(const Contact& c) {
    if (c.kind == ContactKind::phone) {
        const std::string& v = c.value;
        if (v.size() < 12) return "***" + v.substr(v.size() >= 2 ? v.size() - 2 : 0);
        return v.substr(0, v.size() - 10) + " " + v.substr(v.size() - 10, 3) + " ***-**-" + v.substr(v.size() - 2);
    }
    const auto at = c.value.find('@');
    if (at == std::string::npos) return "***";
    const std::string local = c.value.substr(0, at);
    return local.substr(0, std::min<std::size_t>(2, local.size())) + "***" + c.value.substr(at);
}

std::string describe_device(std::string_view ua) {
    auto has = [&](std::string_view s) { return ua.find(s) != std::string_view::npos; };
    std::string browser;
    if (has("YaBrowser/")) browser = "Yandex Browser";
    else if (has("Edg/")) browser = "Edge";
    else if (has("OPR/")) browser = "Opera";
    else if (has("Firefox/")) browser = "Firefox";
    else if (has("Chrome/") || has("Chromium/")) browser = "Chrome";
    else if (has("Safari/")) browser = "Safari";
    else if (has("curl/")) browser = "curl";
    else if (has("node")) browser = "Node.js";
    std::string os;
    if (has("Android")) os = "Android";
    else if (has("iPhone") || has("iPad")) os = "iOS";
    else if (has("Windows")) os = "Windows";
    else if (has("Mac OS X") || has("Macintosh")) os = "macOS";
    else if (has("Linux")) os = "Linux";
    if (browser.empty()) return os;
    return os.empty() ? browser : browser + " · " + os;
}

}  // namespace uslugi::identity
