#pragma once
// Text processing shared by every module and the catalog search index (CAT-2): UTF-8 decoding that
// never fails, case and accent folding, tokens, stop words, Snowball stems,
// keyboard-layout swaps and edit distance. Pure functions without I/O; all of
// them may be called from any number of threads at once.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::text {

enum class Script : std::uint8_t { other, digits, latin, cyrillic };

// Languages with a Snowball stemmer; `none` for digits and other scripts.
enum class StemLang : std::uint8_t { none, ru, en, de, fr };

// Decodes UTF-8. Invalid, overlong or truncated sequences and surrogates become
// U+FFFD, one per offending byte, so any byte string decodes.
std::u32string decode_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(std::u32string_view s);

// Valid UTF-8: invalid bytes become U+FFFD, control characters become spaces.
std::string sanitize(std::string_view s);

// Trims the characters `is_blank` accepts and collapses each run of them
// inside into one U+0020. Callers differ in what counts as blank.
std::string collapse_blanks(std::string_view s, bool (*is_blank)(char32_t));

// The longest prefix of at most `max_bytes` that does not split a UTF-8 sequence.
std::string_view cut_utf8(std::string_view s, std::size_t max_bytes);

// Letters of any script and ASCII digits make words; everything else separates them.
bool is_word_char(char32_t cp);
bool is_space(char32_t cp);

struct Token {
    std::string lower;   // lower case, accents kept, ё→е: what the stemmer gets
    std::string folded;  // lower case without accents (é→e, ß→ss, ё→е): the indexed word
    std::uint32_t begin = 0;   // byte offsets of the word in the tokenised text
    std::uint32_t end = 0;
    std::uint32_t length = 0;  // code points of `folded`
    Script script = Script::other;
    bool has_digit = false;
};

// Splits on everything that is not a letter or digit. Combining accents are
// dropped (и + U+0306 makes й). Offsets refer to `s` as given.
std::vector<Token> tokenize(std::string_view s);

// Small stop-word lists: Russian for Cyrillic words, English+German+French for
// Latin ones (one list, so a query's language need not be guessed).
bool is_stop_word(const Token& token);

// The stem of a lower-case word, folded like words are. Uses one Snowball
// stemmer per language and thread (sb_stemmer is not thread-safe).
std::string stem(StemLang lang, std::string_view lower_word);

// The word's key for synonym matching: Russian stem for Cyrillic, English stem
// for Latin, the word itself otherwise.
std::string canonical(const Token& token);

// Retypes text as if the other keyboard layout had been active: QWERTY → ЙЦУКЕН
// when the text has Latin letters and no Cyrillic ones ("gfcgjhn" → "паспорт"),
// ЙЦУКЕН → QWERTY in the opposite case ("руддщ" → "hello"). Returns "" when the
// text has letters of both layouts or of neither.
std::string swap_keyboard_layout(std::string_view s);

// Optimal string alignment distance (an adjacent transposition counts as one
// edit), in code points. Returns max + 1 as soon as the distance exceeds max.
int edit_distance(std::u32string_view a, std::u32string_view b, int max);

// Escapes & < > " ' for HTML text and attribute values.
void append_html_escaped(std::string& out, std::string_view s);
std::string html_escape(std::string_view s);

// Percent-encodes everything but RFC 3986 unreserved characters (for a query value or a path segment).
std::string url_encode(std::string_view in);

}  // namespace uslugi::text
