#include "catalog/search_index.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "core/text.hpp"

namespace uslugi::catalog {

using text::Script;
using text::StemLang;
using text::Token;

namespace {

// How well a query word matched an indexed word (multiplied by the field weight).
constexpr float kExact = 1.0f;
constexpr float kStem = 0.85f;
constexpr float kTypo1 = 0.6f;   // one edit
constexpr float kTypo2 = 0.45f;  // two edits
constexpr float kSynonym = 0.9f;  // factor for words reached through a synonym group
constexpr float kLayout = 0.8f;   // factor for words retyped in the other keyboard layout
constexpr float kTranslit = 0.8f;  // factor for Latin letters read as Russian ("zagranpasport")
constexpr float kShrinkingPhrase = 0.8f;  // a phrase replaced by a single word, often an ambiguous one ("права")

// Where it matched: title, keywords, description.
constexpr std::array<float, 3> kFieldWeight{10.0f, 6.0f, 2.0f};
constexpr float kOtherLanguage = 0.9f;     // a field in another language than the one asked for
constexpr float kOtherFields = 0.05f;      // share of the weight of further fields matching the same word
constexpr float kAllInTitleBonus = 2.0f;   // every query word is in the title
constexpr float kTitleShareBonus = 1.0f;   // × matched words / words of the title: short exact titles first
constexpr float kPopularityWeight = 0.1f;  // the most popular service gains at most 10 %
// Tiers, added to scores that stay well below them (at most about 15).
constexpr float kTitleTier = 20.0f;   // every word of the query, as typed or in another form, in the title
constexpr float kPhraseTier = 40.0f;  // the query is one of the service's keyword phrases, or its title
constexpr float kAliasTier = 25.0f;   // a synonym of the whole query is one of the service's keyword phrases
                                      // and the title has the query or that synonym

constexpr std::size_t kMaxQueryWords = 16;
constexpr std::size_t kMaxVariants = 8;
constexpr std::size_t kMaxSlots = 32;  // words of one reading of the query (8-bit counters)
constexpr std::size_t kMaxPrefixWords = 64;
constexpr std::uint32_t kMinTypoLength = 4;
constexpr std::uint32_t kMaxKeyLength = 32;

constexpr int kLanguages = 4;  // ru, en, de, fr
constexpr int kFields = 3;
constexpr std::uint16_t kTitleBits = 0b001001001001;

int language_index(std::string_view lang) {
    if (lang == "en") return 1;
    if (lang == "de") return 2;
    if (lang == "fr") return 3;
    return 0;
}

std::uint16_t field_bit(int lang, int field) { return static_cast<std::uint16_t>(1u << (lang * kFields + field)); }

// The stemmer used for a word of `script` found in a field of display language `lang`.
StemLang term_language(Script script, int lang) {
    if (script == Script::cyrillic) return StemLang::ru;
    if (script != Script::latin) return StemLang::none;
    switch (lang) {
        case 2: return StemLang::de;
        case 3: return StemLang::fr;
        default: return StemLang::en;  // English text, or Latin words inside Russian text
    }
}

// The stemmers a query word is tried with: a Latin word may be English, German or French.
std::vector<StemLang> query_languages(Script script) {
    if (script == Script::cyrillic) return {StemLang::ru};
    if (script == Script::latin) return {StemLang::en, StemLang::de, StemLang::fr};
    return {};
}

std::string lang_key(StemLang lang, std::string_view s) {
    std::string key;
    key.reserve(s.size() + 1);
    key.push_back(static_cast<char>('0' + static_cast<int>(lang)));
    key.append(s);
    return key;
}

std::uint64_t hash_u32(std::u32string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (char32_t c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

// Hashes of `s` and of every string made by deleting up to `depth` code points
// (positions taken in increasing order, so each combination comes once).
void collect_deletes(std::u32string& s, int depth, std::vector<std::uint64_t>& out, std::size_t from = 0) {
    out.push_back(hash_u32(s));
    if (depth == 0 || s.size() <= 1) return;
    for (std::size_t i = from; i < s.size(); ++i) {
        if (i > from && s[i] == s[i - 1]) continue;  // same string as deleting the neighbour
        const char32_t c = s[i];
        s.erase(i, 1);
        collect_deletes(s, depth - 1, out, i);
        s.insert(i, 1, c);
    }
}

// A multimap from 64-bit hashes to key ids, open addressing: the symmetric
// deletion neighbourhood of the vocabulary (SymSpell). Collisions only add
// candidates, which are checked with the real edit distance.
class DeletionIndex {
public:
    void build(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& entries) {
        const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, entries.size() * 2));
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
        for (const auto& [hash, key] : entries) {
            std::size_t pos = hash & mask_;
            while (slots_[pos].key_plus_one != 0) pos = (pos + 1) & mask_;
            slots_[pos] = Slot{static_cast<std::uint32_t>(hash >> 32), key + 1};
        }
    }
    template <class F>
    void find(std::uint64_t hash, F&& f) const {
        if (slots_.empty()) return;
        const auto tag = static_cast<std::uint32_t>(hash >> 32);
        for (std::size_t pos = hash & mask_; slots_[pos].key_plus_one != 0; pos = (pos + 1) & mask_) {
            if (slots_[pos].tag == tag) f(slots_[pos].key_plus_one - 1);
        }
    }
    std::size_t capacity() const { return slots_.size(); }

private:
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t key_plus_one = 0;  // 0: empty
    };
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
};

struct Posting {
    std::uint32_t doc;
    std::uint16_t fields;  // bit (lang * 3 + field)
};

// An indexed word in one stemming language.
struct Term {
    std::uint32_t word;
    StemLang lang;
    std::uint32_t begin = 0, end = 0;  // its postings
};

struct Word {
    std::string text;   // folded
    std::string canon;  // key for synonym phrases
    std::vector<std::uint32_t> terms;  // empty for words known only from synonym groups
    std::uint32_t df = 0;
};

struct Stem {
    std::string text;
    std::vector<std::uint32_t> terms;
};

// A string of the typo vocabulary: a word, a stem, or both.
struct Key {
    std::u32string text;
    std::int32_t word = -1;
    std::vector<std::uint32_t> stems;
};

struct TitleSpan {
    std::uint32_t begin, end, term;
};

struct DocInfo {
    std::string id;
    std::int32_t group = -1;  // regional copies of one service share a group
    int popularity = 0;
    float boost = 1.0f;
    std::array<std::string, kLanguages> titles;
    std::array<std::vector<TitleSpan>, kLanguages> spans;
    std::array<std::uint16_t, kLanguages> title_words{};
    std::array<std::uint8_t, kLanguages> shown{};  // language whose title is shown for each asked language
    bool everywhere = false;
    bool merge_copies = true;
    std::vector<std::string> regions, audiences, settlements;
};

struct Alt {
    std::uint32_t term;
    float quality;
    bool synonym = false;  // reached through a synonym group, not the word as typed
};

// What one query word (or one word of a synonym phrase) may match.
using Slot = std::vector<Alt>;
// A reading of the query: the slots that must all match (indices into Plan::slots).
using Variant = std::vector<std::uint32_t>;

struct SynToken {
    std::string canon;
    std::vector<Alt> alts;  // its exact and stem matches
};

struct SynPhrase {
    std::vector<SynToken> tokens;
    std::uint32_t group;
    std::string key;  // as phrase_key(): to find the documents with this phrase as a keyword
};

// A query word with everything it may stand for.
struct QueryWord {
    std::vector<Alt> alts;
    std::vector<std::pair<std::string, float>> canon;  // keys for synonym phrases, with quality
    float best = 0;  // quality of its best match; 0 for an unknown word
    bool filler = false;  // "как", "получить": counts when it matches, excludes nothing
    std::string fixed;    // the indexed word a misspelt word was read as; empty if none
};

// A synonym phrase found in the query: where it starts, how long, which, how well.
struct PhraseMatch {
    std::size_t start, length;
    std::uint32_t phrase;
    float quality;
};

// The query as understood: words, and the text to offer as "did you mean".
struct Reading {
    std::vector<QueryWord> words;
    std::string corrected;   // the retyped query, if a chunk was retyped in the other layout
    std::string suggestion;  // with corrections applied, if any
};

struct Plan {
    std::vector<Slot> slots;
    std::vector<std::uint8_t> filler;  // per slot
    std::vector<Variant> variants;  // the query as typed first, then with synonym phrases swapped in
    std::vector<std::uint32_t> highlight;  // sorted term ids
    std::vector<std::uint32_t> phrase_docs;  // sorted: documents whose keyword phrase or title is the query
    std::vector<std::uint32_t> alias_docs;   // sorted: … whose keyword phrase is a synonym of the whole query
};

struct Scored {
    std::uint32_t doc;
    float score;
};

// How one document matches one slot.
struct SlotHit {
    std::uint32_t doc;
    float score;
    bool title;
    bool literal_title;  // in the title through the word as typed (or another form of it), not a synonym
};

// Per-thread working memory for scoring, all zero between queries.
struct Scratch {
    std::vector<float> cur, acc, best_full, best_partial;
    std::vector<std::uint8_t> cur_title, title_slots, literal_slots, matched, seen;
    std::vector<std::uint32_t> cur_touched, touched, best_touched;
    std::vector<std::vector<SlotHit>> slot_hits;

    void ensure(std::size_t n) {
        if (cur.size() >= n) return;
        cur.assign(n, 0);
        acc.assign(n, 0);
        best_full.assign(n, 0);
        best_partial.assign(n, 0);
        cur_title.assign(n, 0);
        title_slots.assign(n, 0);
        literal_slots.assign(n, 0);
        matched.assign(n, 0);
        seen.assign(n, 0);
    }
};

void dedupe(std::vector<Alt>& alts) {
    std::sort(alts.begin(), alts.end(), [](const Alt& a, const Alt& b) {
        return a.term != b.term ? a.term < b.term : a.quality > b.quality;
    });
    alts.erase(std::unique(alts.begin(), alts.end(), [](const Alt& a, const Alt& b) { return a.term == b.term; }),
               alts.end());
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

bool passes(const DocInfo& d, const SearchOptions& o) {
    if (!o.region.empty() && !d.everywhere && !contains(d.regions, o.region)) return false;
    if (!o.settlement.empty() && !d.settlements.empty() && !contains(d.settlements, o.settlement)) return false;
    if (!o.audience.empty() && !d.audiences.empty() && !contains(d.audiences, o.audience)) return false;
    return true;
}

std::vector<std::string_view> split_chunks(std::string_view s) {
    std::vector<std::string_view> out;
    const std::u32string cps = text::decode_utf8(s);  // s is valid UTF-8: offsets follow the encoding
    std::size_t pos = 0, start = std::string::npos;
    for (char32_t cp : cps) {
        const std::size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (text::is_space(cp)) {
            if (start != std::string::npos) out.push_back(s.substr(start, pos - start));
            start = std::string::npos;
        } else if (start == std::string::npos) {
            start = pos;
        }
        pos += len;
    }
    if (start != std::string::npos) out.push_back(s.substr(start));
    return out;
}

std::string clean_input(std::string_view raw) {
    return text::sanitize(text::cut_utf8(raw, SearchIndex::kMaxQueryBytes));
}

// Words that say what the person wants to do rather than what with: they
// rank a service up when it has them but never exclude one that lacks them.
bool is_filler(const Token& t) {
    static const std::unordered_set<std::string> words{
        "как", "где", "куда", "когда", "что", "зачем", "можно", "нужно", "надо", "хочу", "получить", "получение",
        "оформить", "оформление", "сделать", "подать", "узнать", "проверить", "посмотреть", "онлайн", "заказать",
        "свой", "свою", "свои", "своего", "своей", "мой", "моя", "мое", "мои", "моего", "срочно", "через",
        "интернет", "госуслуги", "госуслугах", "портал", "сайт", "электронно", "пожалуйста", "после", "при", "для",
        "перед",
        "how", "get", "apply", "online", "my", "want", "need", "where", "can", "check"};
    return words.contains(t.folded);
}

// Latin letters read as Russian, the way people type Russian words without a
// Cyrillic keyboard ("zagranpasport", "shtrafy", "pensiya"). Empty if the text
// has no Latin letters. Longer letter groups are tried first.
std::string transliterate(std::string_view s) {
    static const std::vector<std::pair<std::string_view, std::string_view>> table{
        {"shch", "щ"}, {"sch", "щ"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"}, {"tz", "ц"}, {"ch", "ч"}, {"sh", "ш"},
        {"yu", "ю"}, {"ju", "ю"}, {"ya", "я"}, {"ja", "я"}, {"yo", "е"}, {"jo", "е"}, {"iy", "ий"}, {"yy", "ый"},
        {"a", "а"}, {"b", "б"}, {"v", "в"}, {"w", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"},
        {"i", "и"}, {"j", "й"}, {"k", "к"}, {"q", "к"}, {"c", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"},
        {"o", "о"}, {"p", "п"}, {"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"}, {"h", "х"},
        {"x", "кс"}, {"'", "ь"}};
    std::string out;
    bool any = false;
    auto vowel_before = [&out] {
        return out.ends_with("а") || out.ends_with("е") || out.ends_with("и") || out.ends_with("о") || out.ends_with("у");
    };
    for (std::size_t i = 0; i < s.size();) {
        const char c = static_cast<char>(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
        if (c == 'y') {  // й after a vowel, ы elsewhere, unless it starts one of the groups above
            if (i + 1 < s.size() && std::string_view("uaoy").find(s[i + 1]) != std::string_view::npos) {
            } else {
                out += vowel_before() ? "й" : "ы";
                any = true;
                ++i;
                continue;
            }
        }
        bool done = false;
        for (const auto& [latin, cyrillic] : table) {
            if (s.size() - i < latin.size()) continue;
            bool same = true;
            for (std::size_t k = 0; k < latin.size() && same; ++k)
                same = (s[i + k] | 0x20) == latin[k] || s[i + k] == latin[k];
            if (!same) continue;
            out += cyrillic;
            i += latin.size();
            any = any || latin != "'";
            done = true;
            break;
        }
        if (!done) out.push_back(s[i++]);
    }
    return any ? out : std::string();
}

}  // namespace

struct SearchIndex::Impl {
    std::vector<DocInfo> docs;
    std::vector<Term> terms;
    std::vector<Posting> postings;
    std::vector<Word> words;
    std::unordered_map<std::string, std::uint32_t> word_ids;
    std::vector<std::uint32_t> words_by_text;  // words with postings, sorted by text
    std::vector<Stem> stems;
    std::unordered_map<std::string, std::uint32_t> stem_ids;  // lang_key(lang, stem)
    std::unordered_map<std::string, std::uint32_t> term_ids;  // lang_key(lang, word)
    std::vector<Key> keys;
    DeletionIndex deletions;
    std::vector<SynPhrase> phrases;
    std::vector<std::vector<std::uint32_t>> groups;  // group → phrases
    // Canonical keys of keyword phrases and titles ("пособ ребенк") → documents, sorted.
    std::unordered_map<std::string, std::vector<std::uint32_t>> phrase_docs;
    std::vector<std::vector<std::uint32_t>> copies;  // DocInfo::group → its documents, in catalog order
    std::unordered_map<std::string, std::vector<std::uint32_t>> phrases_by_first;
    std::array<std::vector<float>, kLanguages> field_scores;  // [asked language][fields mask]
    // Per document, kept apart from DocInfo so that scoring touches little memory.
    std::vector<float> boosts;
    std::array<std::vector<std::uint16_t>, kLanguages> title_words;  // [asked language][doc], of the title shown
    std::size_t indexed_words = 0;

    Impl(std::vector<SearchDocument>& documents, std::vector<SynonymGroup>& synonyms);

    // ---- building
    std::uint32_t intern_word(const Token& t);
    std::uint32_t intern_stem(StemLang lang, const std::string& s);
    std::uint32_t intern_term(const Token& t, StemLang lang);
    void index_documents(std::vector<SearchDocument>& documents);
    void index_synonyms(std::vector<SynonymGroup>& synonyms);
    void index_typo_keys();
    void compute_field_scores();

    // ---- querying
    // Exact and stem matches of a word; `canon` gets its key for synonym phrases.
    void collect_alts(const Token& t, float mult, std::vector<Alt>& out, bool& known, std::string* canon = nullptr) const;
    void typo_search(std::u32string_view q, int max, std::unordered_map<std::uint32_t, int>& found) const;
    // max_edits caps the typo search (2 for words of 8 letters and more).
    QueryWord resolve(const Token& t, float mult, int max_edits = 2) const;
    std::string correction(std::u32string_view typed, const std::unordered_map<std::uint32_t, int>& found, int distance) const;
    Reading resolve_text(std::string_view text, bool allow_layout) const;
    void add_phrase_key(const std::vector<Token>& tokens, std::uint32_t doc);
    void group_copies(const std::vector<std::string>& ru_titles);
    void set_boosts(int min_popularity, int max_popularity);
    std::vector<std::uint32_t> docs_named(const std::vector<QueryWord>& words) const;
    std::vector<PhraseMatch> phrase_matches(const std::vector<QueryWord>& words) const;
    std::vector<std::uint32_t> docs_aliased(const std::vector<QueryWord>& words, const std::vector<PhraseMatch>& matches) const;
    Plan plan(std::vector<QueryWord> words) const;
    std::vector<Scored> evaluate(const Plan& plan, const SearchOptions& o, bool allow_partial, bool& partial) const;
    void collect_slot_hits(const Plan& plan, const float* field_scores, Scratch& sc) const;
    void merge_copies(std::vector<Scored>& scored) const;
    // Puts the best of v[from..] in order into v[from..top).
    void sort_scored(std::vector<Scored>& v, std::size_t from, std::size_t top) const;
    std::string highlight(const DocInfo& doc, int lang, const std::vector<std::uint32_t>& terms) const;
    Slot prefix_slot(std::string_view prefix) const;
};

// ---------------------------------------------------------------- building

SearchIndex::Impl::Impl(std::vector<SearchDocument>& documents, std::vector<SynonymGroup>& synonyms) {
    index_documents(documents);
    index_synonyms(synonyms);
    index_typo_keys();
    compute_field_scores();
}

std::uint32_t SearchIndex::Impl::intern_word(const Token& t) {
    const auto [it, inserted] = word_ids.try_emplace(t.folded, static_cast<std::uint32_t>(words.size()));
    if (inserted) words.push_back(Word{t.folded, text::canonical(t), {}, 0});
    return it->second;
}

std::uint32_t SearchIndex::Impl::intern_stem(StemLang lang, const std::string& s) {
    const auto [it, inserted] = stem_ids.try_emplace(lang_key(lang, s), static_cast<std::uint32_t>(stems.size()));
    if (inserted) stems.push_back(Stem{s, {}});
    return it->second;
}

std::uint32_t SearchIndex::Impl::intern_term(const Token& t, StemLang lang) {
    const auto [it, inserted] = term_ids.try_emplace(lang_key(lang, t.folded), static_cast<std::uint32_t>(terms.size()));
    if (!inserted) return it->second;
    const std::uint32_t id = it->second;
    const std::uint32_t word = intern_word(t);
    terms.push_back(Term{word, lang});
    words[word].terms.push_back(id);
    if (lang != StemLang::none) {
        const std::string s = text::stem(lang, t.lower);
        if (!s.empty()) stems[intern_stem(lang, s)].terms.push_back(id);
    }
    return id;
}

namespace {
// The key of a phrase: canonical forms of its words in alphabetical order
// ("регистрация ИП" = "ИП регистрация"), without stop words and fillers
// ("Узнать ИНН" → "инн"); a phrase of fillers only keeps them. Negations and
// single Latin letters stay: "паспорт без чипа" is not "паспорт с чипом",
// "e-passport" is not "passport".
std::string phrase_key(const std::vector<Token>& tokens) {
    std::vector<std::string> key, all;
    for (const Token& t : tokens) {
        const bool negation = t.folded == "без" || t.folded == "не" || t.folded == "нет" || t.folded == "without" || t.folded == "no";
        if (text::is_stop_word(t) && !negation && !(t.length == 1 && t.script == Script::latin)) continue;
        (is_filler(t) ? all : key).push_back(text::canonical(t));
    }
    std::vector<std::string>& words = key.empty() ? all : key;
    std::sort(words.begin(), words.end());
    std::string out;
    for (const std::string& w : words) {
        if (!out.empty()) out.push_back(' ');
        out += w;
    }
    return out;
}

std::string phrase_key(std::vector<std::string> canon) {
    std::sort(canon.begin(), canon.end());
    std::string out;
    for (const std::string& w : canon) {
        if (!out.empty()) out.push_back(' ');
        out += w;
    }
    return out;
}
}  // namespace

void SearchIndex::Impl::add_phrase_key(const std::vector<Token>& tokens, std::uint32_t doc) {
    std::string key = phrase_key(tokens);
    if (key.empty()) return;
    auto& list = phrase_docs[std::move(key)];
    if (list.empty() || list.back() != doc) list.push_back(doc);
}

// Regional copies: services offered only in some regions whose Russian
// titles are the same (one per region in the seed data).
void SearchIndex::Impl::group_copies(const std::vector<std::string>& ru_titles) {
    std::unordered_map<std::string, std::vector<std::uint32_t>> by_title;
    for (std::uint32_t d = 0; d < docs.size(); ++d) {
        if (docs[d].everywhere || !docs[d].merge_copies || ru_titles[d].empty()) continue;
        by_title[ru_titles[d]].push_back(d);
    }
    for (auto& [title, members] : by_title) {
        if (members.size() < 2) continue;
        for (std::uint32_t d : members) docs[d].group = static_cast<std::int32_t>(copies.size());
        copies.push_back(std::move(members));
    }
}

void SearchIndex::Impl::set_boosts(int min_popularity, int max_popularity) {
    // Popularity on a log scale between the least and the most popular service.
    const double log_min = std::log1p(static_cast<double>(min_popularity));
    const double log_range = std::log1p(static_cast<double>(max_popularity)) - log_min;
    for (DocInfo& doc : docs) {
        if (log_range <= 0 || doc.popularity <= 0) continue;
        const double share = std::clamp((std::log1p(static_cast<double>(doc.popularity)) - log_min) / log_range, 0.0, 1.0);
        doc.boost = 1.0f + kPopularityWeight * static_cast<float>(share);
    }

    for (const DocInfo& doc : docs) {
        boosts.push_back(doc.boost);
        for (int lang = 0; lang < kLanguages; ++lang) title_words[lang].push_back(doc.title_words[doc.shown[lang]]);
    }

}

void SearchIndex::Impl::index_documents(std::vector<SearchDocument>& documents) {
    std::vector<std::vector<Posting>> lists;
    std::vector<std::string> ru_titles;
    std::vector<std::pair<std::uint32_t, std::uint16_t>> doc_terms;
    int max_popularity = 0, min_popularity = 0;
    docs.reserve(documents.size());
    for (std::size_t d = 0; d < documents.size(); ++d) {
        SearchDocument& src = documents[d];
        DocInfo info;
        info.id = std::move(src.id);
        info.popularity = std::max(0, src.popularity);
        max_popularity = std::max(max_popularity, info.popularity);
        if (info.popularity > 0 && (min_popularity == 0 || info.popularity < min_popularity)) {
            min_popularity = info.popularity;
        }
        info.everywhere = src.regions.empty() || contains(src.regions, "*");
        info.merge_copies = src.merge_copies;
        info.regions = std::move(src.regions);
        info.audiences = std::move(src.audiences);
        info.settlements = std::move(src.settlements);

        doc_terms.clear();
        auto add = [&](std::string_view field_text, int lang, int field, std::vector<TitleSpan>* spans) {
            std::uint16_t count = 0;
            for (const Token& t : text::tokenize(field_text)) {
                if (text::is_stop_word(t)) continue;
                const std::uint32_t term = intern_term(t, term_language(t.script, lang));
                doc_terms.emplace_back(term, field_bit(lang, field));
                if (spans != nullptr) spans->push_back(TitleSpan{t.begin, t.end, term});
                ++count;
            }
            return count;
        };
        const std::array<LocalizedText*, kLanguages> texts{&src.ru, &src.en, &src.de, &src.fr};
        for (int lang = 0; lang < kLanguages; ++lang) {
            LocalizedText& lt = *texts[lang];
            info.titles[lang] = text::sanitize(lt.title);
            info.title_words[lang] = add(info.titles[lang], lang, 0, &info.spans[lang]);
            add_phrase_key(text::tokenize(info.titles[lang]), static_cast<std::uint32_t>(d));
            for (const std::string& kw : lt.keywords) {
                const std::string clean = text::sanitize(kw);
                add(clean, lang, 1, nullptr);
                add_phrase_key(text::tokenize(clean), static_cast<std::uint32_t>(d));
            }
            add(text::sanitize(lt.description), lang, 2, nullptr);
        }
        for (int lang = 0; lang < kLanguages; ++lang) {
            int shown = lang;
            for (int fallback : {lang, 0, 1, 2, 3}) {
                if (!info.titles[fallback].empty()) {
                    shown = fallback;
                    break;
                }
            }
            info.shown[lang] = static_cast<std::uint8_t>(shown);
        }

        std::sort(doc_terms.begin(), doc_terms.end());
        if (lists.size() < terms.size()) lists.resize(terms.size());
        for (std::size_t i = 0; i < doc_terms.size();) {
            std::uint16_t fields = 0;
            std::size_t j = i;
            for (; j < doc_terms.size() && doc_terms[j].first == doc_terms[i].first; ++j) fields |= doc_terms[j].second;
            lists[doc_terms[i].first].push_back(Posting{static_cast<std::uint32_t>(d), fields});
            i = j;
        }
        std::string folded_title;
        for (const Token& t : text::tokenize(info.titles[0])) folded_title += t.folded + " ";
        ru_titles.push_back(std::move(folded_title));
        docs.push_back(std::move(info));
    }
    group_copies(ru_titles);

    set_boosts(min_popularity, max_popularity);
    lists.resize(terms.size());
    std::size_t total = 0;
    for (const auto& l : lists) total += l.size();
    postings.reserve(total);
    for (std::size_t t = 0; t < terms.size(); ++t) {
        terms[t].begin = static_cast<std::uint32_t>(postings.size());
        postings.insert(postings.end(), lists[t].begin(), lists[t].end());
        terms[t].end = static_cast<std::uint32_t>(postings.size());
        words[terms[t].word].df += terms[t].end - terms[t].begin;
    }
    for (std::uint32_t w = 0; w < words.size(); ++w) {
        if (!words[w].terms.empty()) words_by_text.push_back(w);
    }
    indexed_words = words_by_text.size();
    std::sort(words_by_text.begin(), words_by_text.end(),
              [this](std::uint32_t a, std::uint32_t b) { return words[a].text < words[b].text; });
}

void SearchIndex::Impl::index_synonyms(std::vector<SynonymGroup>& synonyms) {
    for (const SynonymGroup& group : synonyms) {
        std::vector<std::uint32_t> members;
        const auto group_id = static_cast<std::uint32_t>(groups.size());
        for (const std::string& phrase : group) {
            SynPhrase p{{}, group_id, phrase_key(text::tokenize(text::sanitize(phrase)))};
            for (const Token& t : text::tokenize(text::sanitize(phrase))) {
                if (text::is_stop_word(t)) continue;
                intern_word(t);  // known to the typo vocabulary even if no service uses it
                const StemLang lang = t.script == Script::cyrillic ? StemLang::ru
                                      : t.script == Script::latin  ? StemLang::en
                                                                   : StemLang::none;
                if (lang != StemLang::none) {
                    const std::string s = text::stem(lang, t.lower);
                    if (!s.empty()) intern_stem(lang, s);
                }
                SynToken st{text::canonical(t), {}};
                bool known = false;
                collect_alts(t, 1.0f, st.alts, known);
                dedupe(st.alts);
                p.tokens.push_back(std::move(st));
            }
            if (p.tokens.empty() || p.tokens.size() > 8) continue;
            members.push_back(static_cast<std::uint32_t>(phrases.size()));
            phrases.push_back(std::move(p));
        }
        if (members.size() < 2) {  // a group of one phrase expands nothing
            phrases.resize(phrases.size() - members.size());
            continue;
        }
        for (std::uint32_t id : members) phrases_by_first[phrases[id].tokens.front().canon].push_back(id);
        groups.push_back(std::move(members));
    }
}

void SearchIndex::Impl::index_typo_keys() {
    std::unordered_map<std::string, std::uint32_t> key_ids;
    auto key_for = [&](const std::string& s) -> Key* {
        if (s.empty()) return nullptr;
        std::u32string cps = text::decode_utf8(s);
        if (cps.size() < 3 || cps.size() > kMaxKeyLength) return nullptr;
        if (std::any_of(cps.begin(), cps.end(), [](char32_t c) { return c >= '0' && c <= '9'; })) return nullptr;
        const auto [it, inserted] = key_ids.try_emplace(s, static_cast<std::uint32_t>(keys.size()));
        if (inserted) keys.push_back(Key{std::move(cps), -1, {}});
        return &keys[it->second];
    };
    for (std::uint32_t w = 0; w < words.size(); ++w) {
        if (Key* k = key_for(words[w].text)) k->word = static_cast<std::int32_t>(w);
    }
    for (std::uint32_t s = 0; s < stems.size(); ++s) {
        if (Key* k = key_for(stems[s].text)) k->stems.push_back(s);
    }
    std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
    std::vector<std::uint64_t> hashes;
    for (std::uint32_t k = 0; k < keys.size(); ++k) {
        hashes.clear();
        std::u32string s = keys[k].text;
        collect_deletes(s, s.size() >= 4 ? 2 : 1, hashes);
        std::sort(hashes.begin(), hashes.end());
        hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
        for (std::uint64_t h : hashes) entries.emplace_back(h, k);
    }
    deletions.build(entries);
}

void SearchIndex::Impl::compute_field_scores() {
    for (int asked = 0; asked < kLanguages; ++asked) {
        auto& table = field_scores[asked];
        table.assign(1u << (kLanguages * kFields), 0.0f);
        for (std::uint32_t mask = 1; mask < table.size(); ++mask) {
            float best = 0, sum = 0;
            for (int lang = 0; lang < kLanguages; ++lang) {
                for (int field = 0; field < kFields; ++field) {
                    if ((mask & field_bit(lang, field)) == 0) continue;
                    const float w = kFieldWeight[field] * (lang == asked ? 1.0f : kOtherLanguage);
                    best = std::max(best, w);
                    sum += w;
                }
            }
            table[mask] = best + kOtherFields * (sum - best);
        }
    }
}

// ---------------------------------------------------------------- querying

void SearchIndex::Impl::collect_alts(const Token& t, float mult, std::vector<Alt>& out, bool& known,
                                     std::string* canon) const {
    if (const auto it = word_ids.find(t.folded); it != word_ids.end()) {
        known = true;
        for (std::uint32_t term : words[it->second].terms) out.push_back(Alt{term, kExact * mult});
    }
    if (canon != nullptr) *canon = t.folded;
    bool first = true;
    for (StemLang lang : query_languages(t.script)) {
        const std::string s = text::stem(lang, t.lower);
        if (first && canon != nullptr && !s.empty()) *canon = s;  // as text::canonical(t)
        first = false;
        if (s.empty()) continue;
        if (const auto it = stem_ids.find(lang_key(lang, s)); it != stem_ids.end()) {
            known = true;
            for (std::uint32_t term : stems[it->second].terms) out.push_back(Alt{term, kStem * mult});
        }
    }
}

void SearchIndex::Impl::typo_search(std::u32string_view q, int max,
                                    std::unordered_map<std::uint32_t, int>& found) const {
    std::vector<std::uint64_t> hashes;
    std::u32string s(q);
    collect_deletes(s, max, hashes);  // rare duplicates only repeat a lookup
    std::vector<std::uint32_t> candidates;
    for (std::uint64_t h : hashes) deletions.find(h, [&](std::uint32_t k) { candidates.push_back(k); });
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (std::uint32_t k : candidates) {
        const int d = text::edit_distance(q, keys[k].text, max);
        if (d > max) continue;
        const auto [it, inserted] = found.try_emplace(k, d);
        if (!inserted) it->second = std::min(it->second, d);
    }
}

QueryWord SearchIndex::Impl::resolve(const Token& t, float mult, int max_edits) const {
    QueryWord w;
    std::string canon;
    bool known = false;
    collect_alts(t, mult, w.alts, known, &canon);
    w.canon.emplace_back(std::move(canon), mult);
    if (known) {
        w.best = kSynonym * mult;  // at least: a word known from the synonym groups
        for (const Alt& a : w.alts) w.best = std::max(w.best, a.quality);
    } else if (!t.has_digit && t.length >= kMinTypoLength &&
               (t.script == Script::latin || t.script == Script::cyrillic)) {
        // Unknown word: look for words and stems within the allowed edit distance.
        const int max = std::min(t.length >= 8 ? 2 : 1, max_edits);
        std::unordered_map<std::uint32_t, int> found;
        const std::u32string word = text::decode_utf8(t.folded);
        typo_search(word, max, found);
        std::vector<std::string> tried{t.folded};
        for (StemLang lang : query_languages(t.script)) {
            const std::string s = text::stem(lang, t.lower);
            if (s.size() < 3 || std::find(tried.begin(), tried.end(), s) != tried.end()) continue;
            tried.push_back(s);
            typo_search(text::decode_utf8(s), max, found);
        }
        int nearest = max + 1;
        for (const auto& [k, d] : found) nearest = std::min(nearest, d);
        if (nearest <= max) w.fixed = correction(word, found, nearest);
        for (const auto& [k, d] : found) {
            if (d > nearest) continue;  // only the closest corrections
            const float q = (d <= 1 ? kTypo1 : kTypo2) * mult;
            const Key& key = keys[k];
            if (key.word >= 0) {
                const Word& kw = words[static_cast<std::size_t>(key.word)];
                for (std::uint32_t term : kw.terms) w.alts.push_back(Alt{term, q});
                w.canon.emplace_back(kw.canon, q);
            }
            for (std::uint32_t s : key.stems) {
                for (std::uint32_t term : stems[s].terms) w.alts.push_back(Alt{term, q});
                w.canon.emplace_back(stems[s].text, q);
            }
            w.best = std::max(w.best, q);
        }
    }
    w.filler = is_filler(t);
    dedupe(w.alts);
    return w;
}

// The word to show for a misspelt one: among the closest corrections (words,
// or words with the closest stem), the one nearest to what was typed, then the most used.
std::string SearchIndex::Impl::correction(std::u32string_view typed, const std::unordered_map<std::uint32_t, int>& found,
                                          int distance) const {
    const Word* best = nullptr;
    int best_distance = 0;
    auto consider = [&](const Word& w) {
        if (w.terms.empty()) return;
        const int d = text::edit_distance(typed, text::decode_utf8(w.text), 8);
        if (best == nullptr || d < best_distance || (d == best_distance && (w.df > best->df || (w.df == best->df && w.text < best->text)))) {
            best = &w;
            best_distance = d;
        }
    };
    for (const auto& [k, d] : found) {
        if (d != distance) continue;
        if (keys[k].word >= 0) consider(words[static_cast<std::size_t>(keys[k].word)]);
    }
    if (best == nullptr) {
        for (const auto& [k, d] : found) {
            if (d != distance) continue;
            for (std::uint32_t s : keys[k].stems)
                for (std::uint32_t term : stems[s].terms) consider(words[terms[term].word]);
        }
    }
    return best ? best->text : std::string();
}

namespace {
// A chunk of the query (text between spaces) read one way: its words, how well
// the worst of them matched (-1: nothing but stop words), and the chunk as
// understood, misspelt words replaced.
struct ChunkReading {
    std::vector<QueryWord> words;
    float quality = -1;
    std::string shown;
    bool fixed = false;
};
}  // namespace

Reading SearchIndex::Impl::resolve_text(std::string_view text, bool allow_layout) const {
    Reading out;
    bool any_retyped = false, any_fixed = false, any_unknown = false, any_known = false;
    std::string retyped, suggestion, known_only;
    auto read = [&](std::string_view chunk, float mult, int max_edits) {
        ChunkReading r;
        std::size_t pos = 0;
        for (const Token& t : text::tokenize(chunk)) {
            if (text::is_stop_word(t)) continue;
            r.words.push_back(resolve(t, mult, max_edits));
            const QueryWord& w = r.words.back();
            r.quality = r.quality < 0 ? w.best : std::min(r.quality, w.best);
            r.shown.append(chunk.substr(pos, t.begin - pos));
            r.shown.append(w.fixed.empty() ? chunk.substr(t.begin, t.end - t.begin) : std::string_view(w.fixed));
            r.fixed = r.fixed || !w.fixed.empty();
            pos = t.end;
        }
        r.shown.append(chunk.substr(pos));
        return r;
    };
    for (std::string_view chunk : split_chunks(text)) {
        ChunkReading best = read(chunk, 1.0f, 2);
        bool swapped = false;
        if (allow_layout && best.quality >= 0 && best.quality < kStem) {
            // Typed in the wrong layout, or Russian in Latin letters: keep the best reading.
            // A transliteration is already a guess: one edit more at most, which also
            // keeps long unknown Latin words from paying for a third full typo search.
            struct Retry {
                std::string text;
                float mult;
                int max_edits;
            };
            for (const Retry& retry : {Retry{text::swap_keyboard_layout(chunk), kLayout, 2},
                                       Retry{transliterate(chunk), kTranslit, 1}}) {
                if (retry.text.empty()) continue;
                const float mult = retry.mult;
                ChunkReading alt = read(retry.text, mult, retry.max_edits);
                if (alt.quality < 0) alt.quality = 0.5f * mult;  // the retyped chunk is a stop word
                if (alt.quality > best.quality) {
                    best = std::move(alt);
                    swapped = true;
                }
            }
        }
        any_retyped = any_retyped || swapped;
        any_fixed = any_fixed || swapped || best.fixed;
        if (!retyped.empty()) retyped.push_back(' ');
        retyped.append(swapped ? best.shown : std::string(chunk));
        if (!suggestion.empty()) suggestion.push_back(' ');
        suggestion.append(best.shown);
        const bool unknown = best.quality == 0;
        any_unknown = any_unknown || unknown;
        any_known = any_known || best.quality > 0;
        if (!unknown) {
            if (!known_only.empty()) known_only.push_back(' ');
            known_only.append(best.shown);
        }
        for (QueryWord& w : best.words) {
            if (out.words.size() < kMaxQueryWords) out.words.push_back(std::move(w));
        }
    }
    if (any_retyped) out.corrected = retyped;
    // Did you mean: the corrected query, or the query without the words that found nothing.
    if (any_fixed) {
        out.suggestion = any_unknown && any_known ? known_only : suggestion;
    } else if (any_unknown && any_known) {
        out.suggestion = known_only;
    }
    return out;
}

// Documents having the query (its words but fillers, in any form) as a
// keyword phrase or as their title: what editors said the service is called.
std::vector<std::uint32_t> SearchIndex::Impl::docs_named(const std::vector<QueryWord>& words) const {
    const bool all_fillers = std::all_of(words.begin(), words.end(), [](const QueryWord& w) { return w.filler; });
    std::vector<std::string> canon;
    for (const QueryWord& w : words) {
        if (w.filler && !all_fillers) continue;
        if (w.canon.empty() || w.best <= 0) return {};
        const auto best = std::max_element(w.canon.begin(), w.canon.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        canon.push_back(best->first);
    }
    const auto it = phrase_docs.find(phrase_key(std::move(canon)));
    return it == phrase_docs.end() ? std::vector<std::uint32_t>{} : it->second;
}

// Synonym phrases found in the query: where they start, how long, which, how well.
std::vector<PhraseMatch> SearchIndex::Impl::phrase_matches(const std::vector<QueryWord>& words) const {
    const std::size_t n = words.size();
    std::vector<PhraseMatch> matches;
    auto canon_quality = [&](const QueryWord& w, const std::string& canon) {
        float q = 0;
        for (const auto& [c, cq] : w.canon)
            if (c == canon) q = std::max(q, cq);
        return q;
    };
    for (std::size_t i = 0; i < n; ++i) {
        for (const auto& [c, cq] : words[i].canon) {
            const auto it = phrases_by_first.find(c);
            if (it == phrases_by_first.end()) continue;
            for (std::uint32_t pid : it->second) {
                const SynPhrase& ph = phrases[pid];
                const std::size_t k = ph.tokens.size();
                if (i + k > n) continue;
                float q = cq;
                for (std::size_t j = 1; j < k && q > 0; ++j) q = std::min(q, canon_quality(words[i + j], ph.tokens[j].canon));
                if (q <= 0) continue;
                auto same = std::find_if(matches.begin(), matches.end(),
                                         [&](const PhraseMatch& m) { return m.start == i && m.phrase == pid; });
                if (same == matches.end()) {
                    matches.push_back(PhraseMatch{i, k, pid, q});
                } else {
                    same->quality = std::max(same->quality, q);
                }
            }
        }
    }
    return matches;
}

// The whole query (but fillers) is a synonym phrase: services whose keyword
// is another phrase of its group are named by it too ("права" → "водительские права").
std::vector<std::uint32_t> SearchIndex::Impl::docs_aliased(const std::vector<QueryWord>& words,
                                                           const std::vector<PhraseMatch>& matches) const {
    std::vector<std::uint32_t> out;
    for (const PhraseMatch& m : matches) {
        bool whole = true;
        for (std::size_t i = 0; i < words.size() && whole; ++i)
            whole = (i >= m.start && i < m.start + m.length) || words[i].filler;
        if (!whole) continue;
        for (std::uint32_t other : groups[phrases[m.phrase].group]) {
            if (const auto it = phrase_docs.find(phrases[other].key); it != phrase_docs.end())
                out.insert(out.end(), it->second.begin(), it->second.end());
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Plan SearchIndex::Impl::plan(std::vector<QueryWord> words) const {
    Plan p;
    const std::size_t n = words.size();
    if (n == 0) return p;
    std::vector<Slot> base(n);
    for (std::size_t i = 0; i < n; ++i) base[i] = words[i].alts;
    const bool all_fillers = std::all_of(words.begin(), words.end(), [](const QueryWord& w) { return w.filler; });
    for (std::size_t i = 0; i < n; ++i) p.filler.push_back(words[i].filler && !all_fillers ? 1 : 0);
    p.phrase_docs = docs_named(words);

    const std::vector<PhraseMatch> matches = phrase_matches(words);
    struct Replacement {
        std::size_t start, length;
        std::uint32_t phrase;
        float quality;
    };
    std::vector<Replacement> replacements;
    for (const PhraseMatch& m : matches) {
        for (std::uint32_t other : groups[phrases[m.phrase].group]) {
            if (other == m.phrase) continue;
            const SynPhrase& ph = phrases[other];
            const float q = kSynonym * m.quality * (ph.tokens.size() < m.length ? kShrinkingPhrase : 1.0f);
            if (m.length == 1 && ph.tokens.size() == 1) {
                for (const Alt& a : ph.tokens[0].alts) base[m.start].push_back(Alt{a.term, a.quality * q, true});
            } else {
                replacements.push_back(Replacement{m.start, m.length, other, q});
            }
        }
    }
    p.alias_docs = docs_aliased(words, matches);
    for (Slot& s : base) dedupe(s);
    p.slots = std::move(base);
    Variant as_typed(n);
    for (std::uint32_t i = 0; i < n; ++i) as_typed[i] = i;
    p.variants.push_back(as_typed);
    for (const Replacement& r : replacements) {
        if (p.variants.size() >= kMaxVariants) break;
        Variant v(as_typed.begin(), as_typed.begin() + static_cast<std::ptrdiff_t>(r.start));
        for (const SynToken& t : phrases[r.phrase].tokens) {
            Slot s;
            for (const Alt& a : t.alts) s.push_back(Alt{a.term, a.quality * r.quality, true});
            v.push_back(static_cast<std::uint32_t>(p.slots.size()));
            p.slots.push_back(std::move(s));
            p.filler.push_back(0);
        }
        v.insert(v.end(), as_typed.begin() + static_cast<std::ptrdiff_t>(r.start + r.length), as_typed.end());
        if (v.size() <= kMaxSlots) p.variants.push_back(std::move(v));
    }
    if (p.variants.front().size() > kMaxSlots) p.variants.erase(p.variants.begin());
    for (const Slot& slot : p.slots)
        for (const Alt& a : slot) p.highlight.push_back(a.term);
    std::sort(p.highlight.begin(), p.highlight.end());
    p.highlight.erase(std::unique(p.highlight.begin(), p.highlight.end()), p.highlight.end());
    return p;
}

std::vector<Scored> SearchIndex::Impl::evaluate(const Plan& plan, const SearchOptions& o, bool allow_partial,
                                                bool& partial) const {
    thread_local Scratch sc;
    sc.ensure(docs.size());
    const int asked = language_index(o.lang);
    collect_slot_hits(plan, field_scores[asked].data(), sc);

    const bool filtering = !o.region.empty() || !o.settlement.empty() || !o.audience.empty();
    auto accepted = [&](std::uint32_t d) { return !filtering || passes(docs[d], o); };
    const std::uint16_t* title_words_of = title_words[asked].data();
    bool any_full = false;  // once a document matches every slot, partial matches are not needed
    for (std::size_t vi = 0; vi < plan.variants.size(); ++vi) {
        const Variant& slots = plan.variants[vi];
        if (slots.empty()) continue;
        const auto n = static_cast<float>(slots.size());
        const auto required = static_cast<std::uint32_t>(
            std::count_if(slots.begin(), slots.end(), [&](std::uint32_t slot) { return plan.filler[slot] == 0; }));
        for (const std::uint32_t slot : slots) {
            const bool counts = plan.filler[slot] == 0;
            for (const SlotHit& h : sc.slot_hits[slot]) {
                if (sc.seen[h.doc] == 0) sc.touched.push_back(h.doc);
                sc.seen[h.doc] = 1;
                sc.acc[h.doc] += h.score;
                if (!counts) continue;
                ++sc.matched[h.doc];
                sc.title_slots[h.doc] = static_cast<std::uint8_t>(sc.title_slots[h.doc] + (h.title ? 1 : 0));
                sc.literal_slots[h.doc] = static_cast<std::uint8_t>(sc.literal_slots[h.doc] + (h.literal_title ? 1 : 0));
            }
        }
        if (!any_full) {
            any_full = std::any_of(sc.touched.begin(), sc.touched.end(),
                                   [&](std::uint32_t d) { return sc.matched[d] == required && accepted(d); });
        }
        for (std::uint32_t d : sc.touched) {
            const std::uint32_t matched = sc.matched[d];
            if (matched > 0 && (matched == required || !any_full) && accepted(d)) {
                // The mean over the query's words, so that variants of different length compare.
                float s = sc.acc[d] / n;
                if (sc.title_slots[d] == required) s += kAllInTitleBonus;
                s += kTitleShareBonus * std::min(1.0f, static_cast<float>(sc.title_slots[d]) /
                                                           static_cast<float>(std::max<std::uint16_t>(1, title_words_of[d])));
                s *= boosts[d];
                if (sc.best_full[d] == 0 && sc.best_partial[d] == 0) sc.best_touched.push_back(d);
                if (matched == required) {
                    if (vi == 0 && sc.literal_slots[d] == required) s += kTitleTier;
                    if (std::binary_search(plan.phrase_docs.begin(), plan.phrase_docs.end(), d)) {
                        s += kPhraseTier;
                    } else if (sc.title_slots[d] == required &&
                               std::binary_search(plan.alias_docs.begin(), plan.alias_docs.end(), d)) {
                        // Named by a synonym of the query, and that synonym (or the query) is in its title.
                        s += kAliasTier;
                    }
                    sc.best_full[d] = std::max(sc.best_full[d], s);
                } else {
                    sc.best_partial[d] = std::max(sc.best_partial[d], s * static_cast<float>(matched) / static_cast<float>(required));
                }
            }
            sc.acc[d] = 0;
            sc.matched[d] = 0;
            sc.title_slots[d] = 0;
            sc.literal_slots[d] = 0;
            sc.seen[d] = 0;
        }
        sc.touched.clear();
    }
    std::vector<Scored> out;
    for (std::uint32_t d : sc.best_touched) {
        if (any_full) {
            if (sc.best_full[d] > 0) out.push_back(Scored{d, sc.best_full[d]});
        } else if (allow_partial) {
            out.push_back(Scored{d, sc.best_partial[d]});
        }
        sc.best_full[d] = 0;
        sc.best_partial[d] = 0;
    }
    sc.best_touched.clear();
    partial = !any_full && !out.empty();
    return out;
}

// Each slot once: its best match in every document it matches. Variants share slots.
void SearchIndex::Impl::collect_slot_hits(const Plan& plan, const float* fs, Scratch& sc) const {
    if (sc.slot_hits.size() < plan.slots.size()) sc.slot_hits.resize(plan.slots.size());
    for (std::size_t si = 0; si < plan.slots.size(); ++si) {
        for (const Alt& a : plan.slots[si]) {
            const Term& t = terms[a.term];
            for (std::uint32_t p = t.begin; p < t.end; ++p) {
                const Posting& po = postings[p];
                const float v = a.quality * fs[po.fields];
                float& cur = sc.cur[po.doc];
                if (cur == 0) sc.cur_touched.push_back(po.doc);
                cur = std::max(cur, v);
                if ((po.fields & kTitleBits) != 0) sc.cur_title[po.doc] |= a.synonym ? 1 : 3;
            }
        }
        std::vector<SlotHit>& hits = sc.slot_hits[si];
        hits.clear();
        for (std::uint32_t d : sc.cur_touched) {
            hits.push_back(SlotHit{d, sc.cur[d], sc.cur_title[d] != 0, (sc.cur_title[d] & 2) != 0});
            sc.cur[d] = 0;
            sc.cur_title[d] = 0;
        }
        sc.cur_touched.clear();
    }
}

// Keeps the best scored of each service's regional copies (the region filter
// has already removed those offered elsewhere).
void SearchIndex::Impl::merge_copies(std::vector<Scored>& scored) const {
    if (copies.empty()) return;
    std::unordered_map<std::int32_t, std::size_t> kept;  // group → index in scored
    std::size_t out = 0;
    for (std::size_t i = 0; i < scored.size(); ++i) {
        const std::int32_t group = docs[scored[i].doc].group;
        if (group >= 0) {
            const auto [it, inserted] = kept.try_emplace(group, out);
            if (!inserted) {
                Scored& first = scored[it->second];
                const DocInfo &a = docs[first.doc], &b = docs[scored[i].doc];
                if (scored[i].score > first.score || (scored[i].score == first.score && b.id < a.id)) first = scored[i];
                continue;
            }
        }
        scored[out++] = scored[i];
    }
    scored.resize(out);
}

void SearchIndex::Impl::sort_scored(std::vector<Scored>& v, std::size_t from, std::size_t top) const {
    auto better = [this](const Scored& a, const Scored& b) {
        if (a.score != b.score) return a.score > b.score;
        const DocInfo &da = docs[a.doc], &db = docs[b.doc];
        if (da.popularity != db.popularity) return da.popularity > db.popularity;
        return da.id < db.id;
    };
    top = std::min(top, v.size());
    if (from >= top) return;
    const auto first = v.begin() + static_cast<std::ptrdiff_t>(from);
    const auto middle = v.begin() + static_cast<std::ptrdiff_t>(top);
    if (middle == v.end()) {
        std::sort(first, middle, better);
    } else {
        std::partial_sort(first, middle, v.end(), better);
    }
}

std::string SearchIndex::Impl::highlight(const DocInfo& doc, int lang, const std::vector<std::uint32_t>& hl) const {
    const std::string& title = doc.titles[lang];
    std::string out;
    out.reserve(title.size() + 32);
    std::size_t pos = 0;
    for (const TitleSpan& s : doc.spans[lang]) {
        if (!std::binary_search(hl.begin(), hl.end(), s.term)) continue;
        text::append_html_escaped(out, std::string_view(title).substr(pos, s.begin - pos));
        out += "<mark>";
        text::append_html_escaped(out, std::string_view(title).substr(s.begin, s.end - s.begin));
        out += "</mark>";
        pos = s.end;
    }
    text::append_html_escaped(out, std::string_view(title).substr(pos));
    return out;
}

Slot SearchIndex::Impl::prefix_slot(std::string_view prefix) const {
    Slot slot;
    if (prefix.empty()) return slot;
    auto it = std::lower_bound(words_by_text.begin(), words_by_text.end(), prefix,
                               [this](std::uint32_t w, std::string_view p) { return words[w].text < p; });
    std::vector<std::uint32_t> found;
    for (; it != words_by_text.end() && words[*it].text.starts_with(prefix); ++it) found.push_back(*it);
    // The most frequent completions; fewer for one or two letters, which begin thousands of words.
    const auto letters = std::count_if(prefix.begin(), prefix.end(), [](char c) { return (c & 0xC0) != 0x80; });
    const std::size_t cap = letters <= 1 ? kMaxPrefixWords / 4 : letters == 2 ? kMaxPrefixWords / 2 : kMaxPrefixWords;
    if (found.size() > cap) {
        std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(cap), found.end(),
                          [this](std::uint32_t a, std::uint32_t b) { return words[a].df > words[b].df; });
        found.resize(cap);
    }
    for (std::uint32_t w : found) {
        const float q = words[w].text.size() == prefix.size() ? kExact : kStem;
        for (std::uint32_t term : words[w].terms) slot.push_back(Alt{term, q});
    }
    dedupe(slot);
    return slot;
}

// ---------------------------------------------------------------- public API

SearchIndex::SearchIndex(std::vector<SearchDocument> documents, std::vector<SynonymGroup> synonyms)
    : impl_(std::make_unique<const Impl>(documents, synonyms)) {}

SearchIndex::~SearchIndex() = default;
SearchIndex::SearchIndex(SearchIndex&&) noexcept = default;
SearchIndex& SearchIndex::operator=(SearchIndex&&) noexcept = default;

std::size_t SearchIndex::size() const { return impl_ ? impl_->docs.size() : 0; }
std::size_t SearchIndex::vocabulary_size() const { return impl_ ? impl_->indexed_words : 0; }

SearchResults SearchIndex::search(std::string_view query, const SearchOptions& options) const {
    SearchResults r;
    if (!impl_) return r;
    const std::string q = clean_input(query);
    Reading reading = impl_->resolve_text(q, true);
    r.corrected_query = std::move(reading.corrected);
    r.suggestion = std::move(reading.suggestion);
    Plan plan = impl_->plan(std::move(reading.words));
    if (plan.variants.empty()) return r;
    std::vector<Scored> scored = impl_->evaluate(plan, options, true, r.partial);
    impl_->merge_copies(scored);
    r.total = scored.size();
    const std::size_t limit = std::min(options.limit, kMaxLimit);
    if (options.offset >= scored.size() || limit == 0) return r;
    const std::size_t end = std::min(scored.size(), options.offset + limit);
    impl_->sort_scored(scored, 0, end);
    const int asked = language_index(options.lang);
    for (std::size_t i = options.offset; i < end; ++i) {
        const DocInfo& doc = impl_->docs[scored[i].doc];
        const int shown = doc.shown[asked];
        SearchHit hit{doc.id, scored[i].score, doc.titles[shown], impl_->highlight(doc, shown, plan.highlight), {}, false};
        if (doc.group >= 0) {
            for (std::uint32_t d : impl_->copies[static_cast<std::size_t>(doc.group)])
                if (passes(impl_->docs[d], options)) hit.copies.push_back(impl_->docs[d].id);
        }
        hit.in_region = !options.region.empty() && !doc.everywhere;
        r.hits.push_back(std::move(hit));
    }
    return r;
}

std::vector<Suggestion> SearchIndex::suggest(std::string_view prefix, const SearchOptions& options) const {
    std::vector<Suggestion> out;
    if (!impl_) return out;
    const std::size_t limit = std::min(options.limit, kMaxSuggestions);
    if (limit == 0) return out;
    const std::string cleaned = clean_input(prefix);
    const int asked = language_index(options.lang);

    auto attempt = [&](const std::string& q, bool allow_layout) {
        const std::vector<Token> tokens = text::tokenize(q);
        if (tokens.empty()) return false;
        // The last word is unfinished unless the text ends with a separator.
        const bool open = tokens.back().end == q.size();
        const std::size_t complete_end = open ? tokens.back().begin : q.size();
        Reading reading = impl_->resolve_text(std::string_view(q).substr(0, complete_end), allow_layout);
        Plan plan = impl_->plan(std::move(reading.words));
        if (open) {
            Slot last = impl_->prefix_slot(tokens.back().folded);
            if (last.empty()) return false;
            for (const Alt& a : last) plan.highlight.push_back(a.term);
            std::sort(plan.highlight.begin(), plan.highlight.end());
            const auto id = static_cast<std::uint32_t>(plan.slots.size());
            plan.slots.push_back(std::move(last));
            plan.filler.push_back(0);
            if (plan.variants.empty()) plan.variants.emplace_back();
            for (Variant& v : plan.variants) v.push_back(id);
        }
        if (plan.variants.empty()) return false;
        bool partial = false;
        std::vector<Scored> scored = impl_->evaluate(plan, options, false, partial);
        if (scored.empty()) return false;
        // Titles repeat (regional variants): sort a few times the limit, more only when needed.
        std::size_t sorted = std::min(scored.size(), limit * 4);
        impl_->sort_scored(scored, 0, sorted);
        for (std::size_t i = 0; i < scored.size(); ++i) {
            if (i == sorted) {
                sorted = scored.size();
                impl_->sort_scored(scored, i, sorted);
            }
            const DocInfo& doc = impl_->docs[scored[i].doc];
            const int shown = doc.shown[asked];
            const std::string& title = doc.titles[shown];
            if (title.empty() || std::any_of(out.begin(), out.end(), [&](const Suggestion& x) { return x.title == title; }))
                continue;
            out.push_back(Suggestion{doc.id, title, impl_->highlight(doc, shown, plan.highlight)});
            if (out.size() >= limit) break;
        }
        return true;
    };
    if (!attempt(cleaned, true)) {
        const std::string swapped = text::swap_keyboard_layout(cleaned);
        if (!swapped.empty()) attempt(swapped, false);
    }
    return out;
}

}  // namespace uslugi::catalog
