#include "core/text.hpp"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <unordered_set>

namespace uslugi::text {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one sequence at s[i]; sets `len` to the bytes consumed (at least 1).
char32_t decode_one(std::string_view s, std::size_t i, std::size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    len = 1;
    if (b0 < 0x80) return b0;
    int extra = 0;
    char32_t cp = 0, min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        extra = 1, cp = b0 & 0x1F, min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        extra = 2, cp = b0 & 0x0F, min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        extra = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
        return kReplacement;
    }
    if (i + extra >= s.size()) return kReplacement;
    for (int k = 1; k <= extra; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return kReplacement;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
    len = static_cast<std::size_t>(extra) + 1;
    return cp;
}

bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029; }

bool is_combining(char32_t cp) { return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x483 && cp <= 0x489); }

bool is_cyrillic(char32_t cp) { return cp >= 0x400 && cp <= 0x52F && !is_combining(cp) && cp != 0x482; }

bool is_latin(char32_t cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x1E00 && cp <= 0x1EFF);
}

bool is_other_letter(char32_t cp) {
    return (cp >= 0x370 && cp <= 0x3FF && cp != 0x37E && cp != 0x387) ||  // Greek
           (cp >= 0x531 && cp <= 0x1DBF) ||                                // Armenian … Phonetic
           (cp >= 0x3040 && cp <= 0x9FFF) ||                               // Kana, CJK
           (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

char32_t to_lower(char32_t cp) {
    if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
    if (cp >= 0x100 && cp <= 0x17F) {
        if (cp == 0x130) return 'i';
        if (cp == 0x178) return 0xFF;
        const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
        if (odd_upper) return (cp % 2 == 1) ? cp + 1 : cp;
        if (cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
        return (cp % 2 == 0) ? cp + 1 : cp;
    }
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
    if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x52F))
        return (cp % 2 == 0) ? cp + 1 : cp;
    if (cp == 0x4C0) return 0x4CF;
    if (cp >= 0x4C1 && cp <= 0x4CE) return (cp % 2 == 1) ? cp + 1 : cp;
    if (cp == 0x1E9E) return 0xDF;
    if (cp >= 0x1E00 && cp <= 0x1EFF) return (cp % 2 == 0) ? cp + 1 : cp;
    return cp;
}

// Base letters of U+00E0..U+00FF (lower case Latin-1); '*' marks the special cases.
constexpr std::string_view kLatin1Fold = "aaaaaa*ceeeeiiii*nooooo/ouuuuy*y";
// Base letters of U+0100..U+017F.
constexpr std::string_view kLatinAFold =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "**" "jj" "kkk" "llllllllll"
    "nnnnnnnnn" "oooooo" "**" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
static_assert(kLatin1Fold.size() == 0x20 && kLatinAFold.size() == 0x80);

// Appends the folded form of a lower-case code point: accents removed, ё→е.
void append_folded(std::u32string& out, char32_t cp) {
    if (cp >= 0xE0 && cp <= 0xFF) {
        switch (cp) {
            case 0xE6: out += U"ae"; return;
            case 0xF0: out += U'd'; return;
            case 0xFE: out += U"th"; return;
            case 0xF7: out += cp; return;
            default: out += static_cast<char32_t>(kLatin1Fold[cp - 0xE0]); return;
        }
    }
    if (cp == 0xDF) {
        out += U"ss";
        return;
    }
    if (cp >= 0x100 && cp <= 0x17F) {
        if (cp == 0x132 || cp == 0x133) {
            out += U"ij";
        } else if (cp == 0x152 || cp == 0x153) {
            out += U"oe";
        } else {
            out += static_cast<char32_t>(kLatinAFold[cp - 0x100]);
        }
        return;
    }
    if (cp == 0x451 || cp == 0x450) {
        out += U'е';
        return;
    }
    out += cp;
}

Script script_of(char32_t cp) {
    if (cp >= '0' && cp <= '9') return Script::digits;
    if (is_latin(cp)) return Script::latin;
    if (is_cyrillic(cp)) return Script::cyrillic;
    return Script::other;
}

// Finishes a token: folds the lower-case form and decides its script.
void finish_token(std::u32string& lower, std::uint32_t begin, std::uint32_t end, std::vector<Token>& out) {
    if (lower.empty()) return;
    Token t;
    t.begin = begin;
    t.end = end;
    std::u32string folded;
    bool latin = false, cyrillic = false, digits = false;
    for (char32_t cp : lower) {
        append_folded(folded, cp);
        switch (script_of(cp)) {
            case Script::latin: latin = true; break;
            case Script::cyrillic: cyrillic = true; break;
            case Script::digits: digits = true; break;
            case Script::other: break;
        }
    }
    const bool all_digits = std::all_of(lower.begin(), lower.end(), [](char32_t c) { return c >= '0' && c <= '9'; });
    t.script = cyrillic ? Script::cyrillic : latin ? Script::latin : all_digits ? Script::digits : Script::other;
    t.has_digit = digits;
    t.length = static_cast<std::uint32_t>(folded.size());
    t.lower = encode_utf8(lower);
    t.folded = encode_utf8(folded);
    out.push_back(std::move(t));
    lower.clear();
}

// Stop words, already folded.
const std::unordered_set<std::string_view>& russian_stop_words() {
    static const std::unordered_set<std::string_view> words{
        "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его", "но",
        "да", "ты", "к", "ко", "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было", "вот", "от", "меня",
        "еще", "о", "об", "обо", "из", "ему", "когда", "ли", "если", "уже", "или", "ни", "быть", "был", "него", "до",
        "вас", "там", "себя", "ей", "они", "тут", "где", "есть", "ней", "для", "мы", "тебя", "их", "чем", "была",
        "чтоб", "чего", "себе", "под", "ж", "тогда", "кто", "этот", "того", "этого", "какой", "ним", "здесь", "этом",
        "мой", "тем", "чтобы", "нее", "куда", "зачем", "всех", "при", "над", "тот", "через", "эти", "нас", "про",
        "всего", "них", "какая", "эту", "моя", "свою", "этой", "перед", "том", "такой", "им", "всю", "между", "мои",
        "мое", "моего", "моей", "мою", "мной", "ваш", "ваши", "вашего", "можно", "нужно", "хочу", "надо", "ну",
        "либо", "также", "тоже", "это", "эта", "этим", "этих"};
    return words;
}

const std::unordered_set<std::string_view>& latin_stop_words() {
    static const std::unordered_set<std::string_view> words{
        // English
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "from", "as", "is", "are",
        "be", "was", "were", "it", "its", "this", "that", "these", "those", "my", "your", "our", "i", "you", "we",
        "he", "she", "they", "me", "how", "what", "where", "when", "which", "who", "do", "does", "can", "about",
        "into", "s", "t",
        // German
        "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "eines", "und", "oder",
        "zu", "im", "am", "an", "auf", "fur", "mit", "von", "vom", "zum", "zur", "bei", "aus", "ist", "sind", "wie",
        "ich", "du", "wir", "sie", "er", "es",
        // French (folded: à → a, où → ou)
        "le", "la", "les", "l", "un", "une", "du", "de", "d", "et", "ou", "au", "aux", "en", "dans", "pour", "par",
        "sur", "avec", "ce", "cette", "ces", "mon", "ma", "mes", "je", "tu", "il", "elle", "nous", "vous", "ils",
        "elles", "que", "qui", "quoi", "comment", "j", "m", "n", "c", "qu"};
    return words;
}

// One Snowball stemmer per language and thread, created on first use.
class Stemmers {
public:
    ~Stemmers() {
        for (sb_stemmer* s : stemmers_)
            if (s != nullptr) sb_stemmer_delete(s);
    }
    sb_stemmer* get(StemLang lang) {
        const auto i = static_cast<std::size_t>(lang);
        if (i == 0 || i >= stemmers_.size()) return nullptr;
        if (!tried_[i]) {
            static constexpr std::array<const char*, 5> kNames{nullptr, "russian", "english", "german", "french"};
            stemmers_[i] = sb_stemmer_new(kNames[i], "UTF_8");
            tried_[i] = true;
        }
        return stemmers_[i];
    }

private:
    std::array<sb_stemmer*, 5> stemmers_{};
    std::array<bool, 5> tried_{};
};

// QWERTY keys and the Cyrillic letters on the same keys (ЙЦУКЕН).
constexpr std::u32string_view kQwerty = U"qwertyuiop[]asdfghjkl;'zxcvbnm,./`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?~";
constexpr std::u32string_view kJcuken = U"йцукенгшщзхъфывапролджэячсмитьбю.ёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,Ё";
static_assert(kQwerty.size() == kJcuken.size());

}  // namespace

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        out.push_back(decode_one(s, i, len));
        i += len;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string encode_utf8(std::u32string_view s) {
    std::string out;
    out.reserve(s.size() * 2);
    for (char32_t cp : s) append_utf8(out, cp);
    return out;
}

std::string sanitize(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const char32_t cp = decode_one(s, i, len);
        if (is_control(cp)) {
            out.push_back(' ');
        } else if (cp == kReplacement || cp >= 0x80) {
            append_utf8(out, cp);
        } else {
            out.push_back(s[i]);
        }
        i += len;
    }
    return out;
}

std::string_view cut_utf8(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t cut = max_bytes;
    // Step back over at most three continuation bytes: a longer run is invalid anyway.
    while (cut > 0 && max_bytes - cut < 3 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

bool is_word_char(char32_t cp) {
    return (cp >= '0' && cp <= '9') || is_latin(cp) || is_cyrillic(cp) || is_other_letter(cp);
}

std::string collapse_blanks(std::string_view s, bool (*is_blank)(char32_t)) {
    std::u32string out;
    bool pending_space = false;
    for (char32_t cp : decode_utf8(s)) {
        if (is_blank(cp)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out.push_back(U' ');
        pending_space = false;
        out.push_back(cp);
    }
    return encode_utf8(out);
}

bool is_space(char32_t cp) {
    return cp == ' ' || is_control(cp) || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::u32string lower;
    std::uint32_t begin = 0, end = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const char32_t cp = decode_one(s, i, len);
        if (is_word_char(cp)) {
            if (lower.empty()) begin = static_cast<std::uint32_t>(i);
            char32_t low = to_lower(cp);
            if (low == 0x451 || low == 0x450) low = U'е';
            lower.push_back(low);
            end = static_cast<std::uint32_t>(i + len);
        } else if (is_combining(cp) && !lower.empty()) {
            if (cp == 0x306 && lower.back() == U'и') lower.back() = U'й';  // decomposed й
            end = static_cast<std::uint32_t>(i + len);
        } else {
            finish_token(lower, begin, end, out);
        }
        i += len;
    }
    finish_token(lower, begin, end, out);
    return out;
}

bool is_stop_word(const Token& token) {
    switch (token.script) {
        case Script::cyrillic: return russian_stop_words().contains(token.folded);
        case Script::latin: return latin_stop_words().contains(token.folded);
        default: return false;
    }
}

std::string stem(StemLang lang, std::string_view lower_word) {
    if (lang == StemLang::none || lower_word.empty()) return {};
    thread_local Stemmers stemmers;
    sb_stemmer* s = stemmers.get(lang);
    if (s == nullptr) return {};
    const sb_symbol* r =
        sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(lower_word.data()), static_cast<int>(lower_word.size()));
    if (r == nullptr) return {};
    const std::string stemmed(reinterpret_cast<const char*>(r), static_cast<std::size_t>(sb_stemmer_length(s)));
    // Fold the stem like words are folded (the French stemmer keeps accents).
    std::u32string folded;
    for (char32_t cp : decode_utf8(stemmed)) append_folded(folded, cp);
    return encode_utf8(folded);
}

std::string canonical(const Token& token) {
    std::string s;
    if (token.script == Script::cyrillic) s = stem(StemLang::ru, token.lower);
    if (token.script == Script::latin) s = stem(StemLang::en, token.lower);
    return s.empty() ? token.folded : s;
}

std::string swap_keyboard_layout(std::string_view s) {
    const std::u32string cps = decode_utf8(s);
    bool latin = false, cyrillic = false;
    for (char32_t cp : cps) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) latin = true;
        if (is_cyrillic(cp)) cyrillic = true;
    }
    if (latin == cyrillic) return {};
    const std::u32string_view from = latin ? kQwerty : kJcuken;
    const std::u32string_view to = latin ? kJcuken : kQwerty;
    std::u32string out;
    out.reserve(cps.size());
    for (char32_t cp : cps) {
        if (!latin && (cp == U'.' || cp == U',')) {  // real punctuation in Cyrillic text
            out.push_back(cp);
            continue;
        }
        const auto at = from.find(cp);
        out.push_back(at == std::u32string_view::npos ? cp : to[at]);
    }
    return encode_utf8(out);
}

int edit_distance(std::u32string_view a, std::u32string_view b, int max) {
    const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
    if (std::abs(n - m) > max) return max + 1;
    if (n == 0 || m == 0) return std::max(n, m) > max ? max + 1 : std::max(n, m);
    // Three rows of the optimal string alignment table.
    std::vector<int> prev2(static_cast<std::size_t>(m) + 1), prev(static_cast<std::size_t>(m) + 1),
        cur(static_cast<std::size_t>(m) + 1);
    for (int j = 0; j <= m; ++j) prev[j] = j;
    for (int i = 1; i <= n; ++i) {
        cur[0] = i;
        int row_min = cur[0];
        for (int j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
            cur[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > max) return max + 1;
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m] > max ? max + 1 : prev[m];
}

void append_html_escaped(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out.push_back(c);
        }
    }
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    append_html_escaped(out, s);
    return out;
}

std::string url_encode(std::string_view in) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

}  // namespace uslugi::text
