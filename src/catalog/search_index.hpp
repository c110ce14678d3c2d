#pragma once
// CAT-2: the in-process search index of the catalog. A pure component: the
// catalog service loads the services and synonym groups from the database and
// builds an index from them (again whenever the catalog changes); the index
// itself does no I/O. It is immutable once built, so any number of threads may
// query one index at the same time.
//
// What matches, best first: the exact word > another form of it (Snowball
// stems: "паспорта" finds "паспорт") > a typo (edit distance 1 for words of
// 4–7 letters, 2 for 8 and more) or a word typed in the wrong keyboard layout
// ("gfcgjhn" finds "паспорт") or in Latin letters ("zagranpasport"). Synonym
// groups expand words and phrases, a phrase only as a whole phrase
// ("загранпаспорт" ↔ "заграничный паспорт"). Where: title > keywords >
// description, in any of the four languages (the requested one a little
// ahead). Tiers come before scores: a service whose keyword phrase or title is
// the query itself; then one whose keyword phrase is a synonym of the whole
// query and whose title has it ("права" → "водительские права"); then services
// with every word of the query (as typed or another form of it, not a synonym)
// in the title; then the rest. Filler words
// ("как", "получить", "проверить") count when they match but never exclude a
// service. When some services match every other word only those are returned;
// otherwise the services matching most words (`partial`). Popularity adds at
// most a few per cent. Regional copies of one service (the same Russian title,
// each offered in other regions) come back as one hit.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace uslugi::catalog {

struct LocalizedText {
    std::string title;
    std::vector<std::string> keywords;
    std::string description;
};

struct SearchDocument {
    std::string id;
    LocalizedText ru, en, de, fr;  // any of them may be empty
    int popularity = 0;            // e.g. applications a year; only its logarithm counts
    std::vector<std::string> audiences;    // "individuals", "foreigners", …; empty: everybody
    std::vector<std::string> regions;      // "*" = everywhere, else codes ("59"); empty: everywhere
    std::vector<std::string> settlements;  // empty: every settlement of those regions
    // Whether documents of this kind with the same Russian title, each offered
    // in some regions only, are regional copies of one service (SearchHit::copies).
    bool merge_copies = true;
};

// Phrases meaning the same thing: {"загранпаспорт", "заграничный паспорт"}.
using SynonymGroup = std::vector<std::string>;

struct SearchOptions {
    std::string lang = "ru";  // ru, en, de, fr: the titles shown, and matches there count a little more
    std::string region;       // region code; empty: no filter
    std::string settlement;   // settlement code; empty: no filter
    std::string audience;     // empty: no filter
    std::size_t limit = 10;   // at most SearchIndex::kMaxLimit
    std::size_t offset = 0;
};

struct SearchHit {
    std::string id;
    double score = 0;
    std::string title;       // plain text (valid UTF-8; needs escaping)
    std::string title_html;  // escaped, matched words wrapped in <mark>…</mark>: safe to insert as is
    // Regional copies of the same service that this hit stands for, `id`
    // included, in catalog order; empty when the service has no copies.
    std::vector<std::string> copies;
    bool in_region = false;  // a regional service offered in options.region
};

struct SearchResults {
    std::vector<SearchHit> hits;  // the page asked for
    std::size_t total = 0;        // all services found, regional copies once (before offset and limit)
    bool partial = false;         // no service matched every word; these match some of them
    std::string corrected_query;  // the query as retyped (other keyboard layout, Latin letters read as Russian), when used
    // "Did you mean": the query with misspelt, mistyped or transliterated words
    // replaced by the words found, or without the words that found nothing;
    // empty when the query was understood as typed.
    std::string suggestion;
};

struct Suggestion {
    std::string id;
    std::string title;
    std::string title_html;
};

class SearchIndex {
public:
    static constexpr std::size_t kMaxQueryBytes = 200;  // longer queries are cut (on a UTF-8 boundary)
    static constexpr std::size_t kMaxLimit = 100;
    static constexpr std::size_t kMaxSuggestions = 20;

    explicit SearchIndex(std::vector<SearchDocument> documents, std::vector<SynonymGroup> synonyms = {});
    ~SearchIndex();
    SearchIndex(SearchIndex&&) noexcept;
    SearchIndex& operator=(SearchIndex&&) noexcept;
    SearchIndex(const SearchIndex&) = delete;
    SearchIndex& operator=(const SearchIndex&) = delete;

    // Any input is acceptable: empty or blank queries find nothing, control
    // characters and invalid UTF-8 are treated as separators, markup is text.
    SearchResults search(std::string_view query, const SearchOptions& options = {}) const;

    // As-you-type suggestions: titles (in options.lang) of services matching
    // every complete word and a word starting with the last, unfinished one.
    // At most options.limit (capped at kMaxSuggestions) distinct titles.
    std::vector<Suggestion> suggest(std::string_view prefix, const SearchOptions& options = {}) const;

    std::size_t size() const;             // documents
    std::size_t vocabulary_size() const;  // distinct indexed words

private:
    struct Impl;
    std::unique_ptr<const Impl> impl_;
};

}  // namespace uslugi::catalog
