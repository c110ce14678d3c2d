#include "core/validators.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <cstdint>
#include <optional>

namespace uslugi::core {

namespace {

ValidationResult fail(std::string_view kind, std::string_view rule) {
    ValidationResult r;
    r.error_code.reserve(kind.size() + 1 + rule.size());
    r.error_code.append(kind).append(".").append(rule);
    return r;
}

ValidationResult ok(std::string normalized) {
    ValidationResult r;
    r.valid = true;
    r.normalized = std::move(normalized);
    return r;
}

// ---- UTF-8 ---------------------------------------------------------------------

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Strict decoding of the code point at s[i] (no overlongs, no surrogates, ≤ U+10FFFF);
// advances i past it. Returns kInvalid, advancing by one byte, on a malformed sequence.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    std::size_t len;
    char32_t cp, min;
    if (b0 < 0x80) {
        ++i;
        return b0;
    } else if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        ++i;
        return kInvalid;
    }
    if (i + len > s.size()) {
        ++i;
        return kInvalid;
    }
    for (std::size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return kInvalid;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kInvalid;
    }
    i += len;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// White space users type or paste: ASCII, no-break space, thin and narrow no-break space.
bool is_space(char32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0xA0 ||
           cp == 0x2009 || cp == 0x202F;
}

// Hyphen-minus and the dashes word processors substitute for it.
bool is_dash(char32_t cp) { return cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212; }

bool is_digit(char32_t cp) { return cp >= '0' && cp <= '9'; }

// Cyrillic letters of the Russian alphabet, either case.
bool is_cyrillic_upper(char32_t cp) { return (cp >= 0x0410 && cp <= 0x042F) || cp == 0x0401; }
bool is_cyrillic_lower(char32_t cp) { return (cp >= 0x0430 && cp <= 0x044F) || cp == 0x0451; }
bool is_cyrillic(char32_t cp) { return is_cyrillic_upper(cp) || is_cyrillic_lower(cp); }
char32_t cyrillic_upper(char32_t cp) {
    if (cp >= 0x0430 && cp <= 0x044F) return cp - 0x20;
    if (cp == 0x0451) return 0x0401;
    return cp;
}
char32_t cyrillic_lower(char32_t cp) {
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp == 0x0401) return 0x0451;
    return cp;
}
bool is_latin(char32_t cp) { return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'); }

// Removes leading and trailing white space (including multi-byte spaces).
std::string_view trim(std::string_view s) {
    std::size_t begin = 0;
    while (begin < s.size()) {
        std::size_t i = begin;
        if (!is_space(next_code_point(s, i))) break;
        begin = i;
    }
    s.remove_prefix(begin);
    // From the end: step back over continuation bytes to the start of the last code point.
    while (!s.empty()) {
        std::size_t start = s.size() - 1;
        while (start > 0 && s.size() - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
        std::size_t i = start;
        const char32_t cp = next_code_point(s, i);
        if (i != s.size() || !is_space(cp)) break;
        s.remove_suffix(s.size() - start);
    }
    return s;
}

// The checks every kind starts with. On success `input` is trimmed and non-empty.
std::optional<ValidationResult> precheck(std::string_view kind, std::string_view& input,
                                         std::size_t max_bytes = kMaxIdentifierBytes) {
    if (input.size() > max_bytes) return fail(kind, "too_long");
    input = trim(input);
    if (input.empty()) return fail(kind, "empty");
    return std::nullopt;
}

// The ASCII digits of `s` with spaces and dashes (and '№' if allowed) skipped;
// nullopt if anything else occurs.
std::optional<std::string> digits_only(std::string_view s, bool allow_numero_sign = false) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const char32_t cp = next_code_point(s, i);
        if (is_digit(cp))
            out += static_cast<char>(cp);
        else if (is_space(cp) || is_dash(cp) || (allow_numero_sign && cp == 0x2116))
            continue;
        else
            return std::nullopt;
    }
    return out;
}

int digit(char c) { return c - '0'; }

// ---- control digits (SPEC, Reference facts) ------------------------------------------

template <std::size_t N>
int weighted_sum(std::string_view digits, const std::array<int, N>& weights) {
    int sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += digit(digits[i]) * weights[i];
    return sum;
}

bool snils_control_ok(std::string_view d) {
    int number = 0;
    for (std::size_t i = 0; i < 9; ++i) number = number * 10 + digit(d[i]);
    if (number <= 1001998) return true;  // numbers up to 001-001-998 carry no control
    int sum = 0;
    for (std::size_t i = 0; i < 9; ++i) sum += digit(d[i]) * static_cast<int>(9 - i);
    int control;
    if (sum < 100)
        control = sum;
    else if (sum <= 101)
        control = 0;
    else
        control = sum % 101 == 100 ? 0 : sum % 101;
    return control == digit(d[9]) * 10 + digit(d[10]);
}

constexpr std::array<int, 9> kInnOrgWeights{2, 4, 10, 3, 5, 9, 4, 6, 8};
constexpr std::array<int, 10> kInnPersonWeights11{7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
constexpr std::array<int, 11> kInnPersonWeights12{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};

bool inn_org_control_ok(std::string_view d) {
    return weighted_sum(d, kInnOrgWeights) % 11 % 10 == digit(d[9]);
}

bool inn_person_control_ok(std::string_view d) {
    return weighted_sum(d, kInnPersonWeights11) % 11 % 10 == digit(d[10]) &&
           weighted_sum(d, kInnPersonWeights12) % 11 % 10 == digit(d[11]);
}

// (the number formed by all digits but the last) mod m mod 10 == the last digit.
bool mod_control_ok(std::string_view d, std::uint64_t modulus) {
    std::uint64_t rest = 0;
    for (std::size_t i = 0; i + 1 < d.size(); ++i) rest = (rest * 10 + digit(d[i])) % modulus;
    return rest % 10 == static_cast<std::uint64_t>(digit(d.back()));
}

bool ogrn_control_ok(std::string_view d) { return mod_control_ok(d, 11); }
bool ogrnip_control_ok(std::string_view d) { return mod_control_ok(d, 13); }

bool all_ascii_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int uin_control(std::string_view first19) {
    // Weights 1,2,…,10,1,2,… (first pass) or 3,4,…,10,1,2,… (second pass), mod 11.
    const auto pass = [&](int first_weight) {
        int sum = 0;
        for (int i = 0; i < 19; ++i) sum += digit(first19[i]) * ((first_weight - 1 + i) % 10 + 1);
        return sum % 11;
    };
    int r = pass(1);
    if (r == 10) r = pass(3);
    if (r == 10) r = 0;
    return r;
}

bool uin_control_ok(std::string_view d) { return uin_control(d.substr(0, 19)) == digit(d[19]); }

// A digit-only identifier of a fixed length with an optional control check.
ValidationResult validate_number(std::string_view kind, std::string_view input, std::size_t length,
                                 bool (*control_ok)(std::string_view), std::string (*format)(const std::string&),
                                 bool allow_numero_sign = false) {
    if (auto err = precheck(kind, input)) return *err;
    auto d = digits_only(input, allow_numero_sign);
    if (!d || d->size() != length) return fail(kind, "format");
    if (control_ok && !control_ok(*d)) return fail(kind, "checksum");
    return ok(format ? format(*d) : *d);
}

std::string format_snils(const std::string& d) {
    return d.substr(0, 3) + "-" + d.substr(3, 3) + "-" + d.substr(6, 3) + " " + d.substr(9, 2);
}
std::string format_passport(const std::string& d) { return d.substr(0, 4) + " " + d.substr(4); }
std::string format_department_code(const std::string& d) { return d.substr(0, 3) + "-" + d.substr(3); }
std::string format_driver_licence(const std::string& d) {
    return d.substr(0, 2) + " " + d.substr(2, 2) + " " + d.substr(4);
}
std::string format_foreign_passport(const std::string& d) { return d.substr(0, 2) + " " + d.substr(2); }

// ---- documents with letters ----------------------------------------------------------

// A character of a plate or a vehicle certificate: a digit, a Cyrillic capital, or a
// Latin capital that has no Cyrillic look-alike.
struct Glyph {
    bool is_digit;
    char32_t cp;
};

// Latin letters that look like the Cyrillic letters of plates → those Cyrillic letters.
char32_t latin_to_cyrillic(char32_t upper) {
    switch (upper) {
        case 'A': return 0x0410;  // А
        case 'B': return 0x0412;  // В
        case 'E': return 0x0415;  // Е
        case 'K': return 0x041A;  // К
        case 'M': return 0x041C;  // М
        case 'H': return 0x041D;  // Н
        case 'O': return 0x041E;  // О
        case 'P': return 0x0420;  // Р
        case 'C': return 0x0421;  // С
        case 'T': return 0x0422;  // Т
        case 'Y': return 0x0423;  // У
        case 'X': return 0x0425;  // Х
        default: return upper;
    }
}

std::optional<std::vector<Glyph>> to_glyphs(std::string_view s) {
    std::vector<Glyph> out;
    for (std::size_t i = 0; i < s.size();) {
        const char32_t cp = next_code_point(s, i);
        if (is_digit(cp))
            out.push_back({true, cp});
        else if (is_cyrillic(cp))
            out.push_back({false, cyrillic_upper(cp)});
        else if (is_latin(cp))
            out.push_back({false, latin_to_cyrillic(cp >= 'a' ? cp - 0x20 : cp)});
        else if (!is_space(cp) && !is_dash(cp))
            return std::nullopt;
    }
    return out;
}

bool is_plate_letter(char32_t cp) {
    switch (cp) {
        case 0x0410: case 0x0412: case 0x0415: case 0x041A: case 0x041C: case 0x041D:
        case 0x041E: case 0x0420: case 0x0421: case 0x0422: case 0x0423: case 0x0425:
            return true;
        default:
            return false;
    }
}

// ---- phones --------------------------------------------------------------------------

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Only what people write in a phone number: digits, spaces, dashes, brackets, dots and
// a leading '+'. Letters are refused (libphonenumber would read "8 800 FLOWERS").
// Returns the number in ASCII (Unicode spaces and dashes replaced), or nullopt.
std::optional<std::string> phone_ascii(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t at = i;
        const char32_t cp = next_code_point(s, i);
        if (is_digit(cp) || cp == '(' || cp == ')' || cp == '.' || (cp == '+' && at == 0))
            out += static_cast<char>(cp);
        else if (is_space(cp))
            out += ' ';
        else if (is_dash(cp))
            out += '-';
        else
            return std::nullopt;
    }
    return out;
}

ValidationResult check_phone(std::string_view kind, std::string_view input, bool mobile_only) {
    if (auto err = precheck(kind, input)) return *err;
    const auto ascii = phone_ascii(input);
    if (!ascii) return fail(kind, "format");
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(*ascii, "RU", &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
        !util.IsValidNumber(number))
        return fail(kind, "invalid");
    if (mobile_only) {
        const auto type = util.GetNumberType(number);
        if (type != PhoneNumberUtil::MOBILE && type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE)
            return fail(kind, "not_mobile");
    }
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return ok(std::move(e164));
}

// ---- e-mail --------------------------------------------------------------------------

bool is_atext(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Dot-atom of RFC 5322: atext runs separated by single dots, ≤ 64 bytes.
bool local_part_ok(std::string_view local) {
    if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
    for (std::size_t i = 0; i < local.size(); ++i) {
        if (local[i] == '.') {
            if (local[i + 1] == '.') return false;
        } else if (!is_atext(local[i])) {
            return false;
        }
    }
    return true;
}

// Host name of at least two labels; labels of Latin or Cyrillic letters (not mixed
// in one label), digits and inner hyphens, ≤ 63 bytes; a top-level label of letters
// or an "xn--" A-label. Returns the domain in lower case, or nullopt.
std::optional<std::string> normalize_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253) return std::nullopt;
    std::string out;
    out.reserve(domain.size());
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = domain.find('.', start);
        const std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
        const bool last = dot == std::string_view::npos;
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return std::nullopt;
        bool latin = false, cyrillic = false, non_letter = false;
        std::size_t letters = 0;
        std::string lower;
        for (std::size_t i = 0; i < label.size();) {
            const char32_t cp = next_code_point(label, i);
            if (is_latin(cp)) {
                latin = true;
                ++letters;
                lower += static_cast<char>(cp >= 'a' ? cp : cp + 0x20);
            } else if (is_cyrillic(cp)) {
                cyrillic = true;
                ++letters;
                append_utf8(lower, cyrillic_lower(cp));
            } else if (is_digit(cp) || cp == '-') {
                non_letter = true;
                lower += static_cast<char>(cp);
            } else {
                return std::nullopt;
            }
        }
        if (latin && cyrillic) return std::nullopt;  // homographs such as "gоsuslugi" with a Cyrillic "о"
        if (last && non_letter && !(lower.rfind("xn--", 0) == 0 && lower.size() > 5)) return std::nullopt;
        if (last && !non_letter && letters < 2) return std::nullopt;  // at least "ru", "рф"
        out += lower;
        ++labels;
        if (last) break;
        out += '.';
        start = dot + 1;
    }
    if (labels < 2) return std::nullopt;
    return out;
}

// ---- the table of kinds ------------------------------------------------------------

using Validator = ValidationResult (*)(std::string_view);

struct KindInfo {
    std::string_view name;
    Validator fn;
    std::array<std::string_view, 3> extra_rules;  // beyond too_long, empty, format
};

const std::array<KindInfo, 18> kKinds{{
    {"snils", validate_snils, {"checksum"}},
    {"inn", validate_inn, {"checksum"}},
    {"inn_person", validate_inn_person, {"checksum"}},
    {"inn_org", validate_inn_org, {"checksum"}},
    {"ogrn", validate_ogrn, {"checksum"}},
    {"ogrnip", validate_ogrnip, {"checksum"}},
    {"uin", validate_uin, {"checksum"}},
    {"passport", validate_passport_rf, {}},
    {"department_code", validate_department_code, {}},
    {"driver_licence", validate_driver_licence, {}},
    {"vehicle_certificate", validate_vehicle_certificate, {}},
    {"plate", validate_plate, {"letters"}},
    {"oms", validate_oms, {}},
    {"foreign_passport", validate_foreign_passport, {}},
    {"postcode", validate_postcode, {}},
    {"phone", validate_phone, {"invalid"}},
    {"mobile_phone", validate_mobile_phone, {"invalid", "not_mobile"}},
    {"email", validate_email, {"local_part", "domain"}},
}};

const std::array<std::string_view, kKinds.size()> kKindNames = [] {
    std::array<std::string_view, kKinds.size()> names{};
    for (std::size_t i = 0; i < kKinds.size(); ++i) names[i] = kKinds[i].name;
    return names;
}();

}  // namespace

// ---- public API ------------------------------------------------------------------------

ValidationResult validate_snils(std::string_view input) {
    return validate_number("snils", input, 11, snils_control_ok, format_snils);
}

ValidationResult validate_inn(std::string_view input) {
    if (auto err = precheck("inn", input)) return *err;
    auto d = digits_only(input);
    if (!d || (d->size() != 10 && d->size() != 12)) return fail("inn", "format");
    if (!(d->size() == 10 ? inn_org_control_ok(*d) : inn_person_control_ok(*d))) return fail("inn", "checksum");
    return ok(std::move(*d));
}

ValidationResult validate_inn_person(std::string_view input) {
    return validate_number("inn_person", input, 12, inn_person_control_ok, nullptr);
}

ValidationResult validate_inn_org(std::string_view input) {
    return validate_number("inn_org", input, 10, inn_org_control_ok, nullptr);
}

ValidationResult validate_ogrn(std::string_view input) {
    return validate_number("ogrn", input, 13, ogrn_control_ok, nullptr);
}

ValidationResult validate_ogrnip(std::string_view input) {
    return validate_number("ogrnip", input, 15, ogrnip_control_ok, nullptr);
}

ValidationResult validate_uin(std::string_view input) {
    return validate_number("uin", input, 20, uin_control_ok, nullptr);
}

char uin_control_digit(std::string_view first19) {
    if (first19.size() != 19 || !all_ascii_digits(first19)) return '\0';
    return static_cast<char>('0' + uin_control(first19));
}

std::string complete_uin(std::string_view first19) {
    const char control = uin_control_digit(first19);
    if (!control) return {};
    std::string uin(first19);
    uin += control;
    return uin;
}

ValidationResult validate_passport_rf(std::string_view input) {
    return validate_number("passport", input, 10, nullptr, format_passport, /*allow_numero_sign=*/true);
}

ValidationResult validate_department_code(std::string_view input) {
    return validate_number("department_code", input, 6, nullptr, format_department_code);
}

ValidationResult validate_driver_licence(std::string_view input) {
    return validate_number("driver_licence", input, 10, nullptr, format_driver_licence);
}

ValidationResult validate_oms(std::string_view input) {
    return validate_number("oms", input, 16, nullptr, nullptr);
}

ValidationResult validate_foreign_passport(std::string_view input) {
    return validate_number("foreign_passport", input, 9, nullptr, format_foreign_passport);
}

ValidationResult validate_postcode(std::string_view input) {
    return validate_number("postcode", input, 6, nullptr, nullptr);
}

ValidationResult validate_vehicle_certificate(std::string_view input) {
    constexpr std::string_view kind = "vehicle_certificate";
    if (auto err = precheck(kind, input)) return *err;
    const auto g = to_glyphs(input);
    if (!g || g->size() != 10) return fail(kind, "format");
    const auto digits = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            if (!(*g)[i].is_digit) return false;
        return true;
    };
    const auto cyrillic_letter = [&](std::size_t i) { return !(*g)[i].is_digit && is_cyrillic_upper((*g)[i].cp); };
    const bool middle_ok = digits(2, 4) || (cyrillic_letter(2) && cyrillic_letter(3));
    if (!digits(0, 2) || !middle_ok || !digits(4, 10)) return fail(kind, "format");
    std::string out;
    for (std::size_t i = 0; i < g->size(); ++i) {
        if (i == 2 || i == 4) out += ' ';
        append_utf8(out, (*g)[i].cp);
    }
    return ok(std::move(out));
}

ValidationResult validate_plate(std::string_view input) {
    constexpr std::string_view kind = "plate";
    if (auto err = precheck(kind, input)) return *err;
    auto g = to_glyphs(input);
    if (!g) return fail(kind, "format");
    // "А123ВС77 RUS" as printed on the plate: the country mark is not part of the number.
    if (g->size() >= 3 && (*g)[g->size() - 3].cp == 'R' && (*g)[g->size() - 2].cp == 'U' && g->back().cp == 'S')
        g->resize(g->size() - 3);
    if (g->size() != 8 && g->size() != 9) return fail(kind, "format");
    for (std::size_t i = 0; i < g->size(); ++i) {
        const bool want_letter = i == 0 || i == 4 || i == 5;
        if ((*g)[i].is_digit == want_letter) return fail(kind, "format");
    }
    for (std::size_t i : {0, 4, 5})
        if (!is_plate_letter((*g)[i].cp)) return fail(kind, "letters");
    std::string out;
    for (const auto& glyph : *g) append_utf8(out, glyph.cp);
    return ok(std::move(out));
}

ValidationResult validate_phone(std::string_view input) { return check_phone("phone", input, false); }

ValidationResult validate_mobile_phone(std::string_view input) { return check_phone("mobile_phone", input, true); }

ValidationResult validate_email(std::string_view input) {
    constexpr std::string_view kind = "email";
    if (auto err = precheck(kind, input, kMaxEmailBytes)) return *err;
    const std::size_t at = input.find('@');
    if (at == std::string_view::npos || input.find('@', at + 1) != std::string_view::npos) return fail(kind, "format");
    const std::string_view local = input.substr(0, at);
    if (!local_part_ok(local)) return fail(kind, "local_part");
    const auto domain = normalize_domain(input.substr(at + 1));
    if (!domain) return fail(kind, "domain");
    std::string out(local);
    out += '@';
    out += *domain;
    return ok(std::move(out));
}

ValidationResult validate(std::string_view kind, std::string_view input) {
    for (const auto& k : kKinds)
        if (k.name == kind) return k.fn(input);
    return fail("kind", "unknown");
}

std::span<const std::string_view> validation_kinds() { return kKindNames; }

std::vector<std::string> validation_error_codes() {
    std::vector<std::string> codes{"kind.unknown"};
    for (const auto& k : kKinds) {
        for (std::string_view rule : {"too_long", "empty", "format"}) codes.push_back(fail(k.name, rule).error_code);
        for (std::string_view rule : k.extra_rules)
            if (!rule.empty()) codes.push_back(fail(k.name, rule).error_code);
    }
    return codes;
}

}  // namespace uslugi::core
