// Fuzz target: the catalog search as /search and /api/v1/search see it — the
// text functions of src/core/text.* on the query, then search()
// and suggest() of a small index (src/catalog/search_index.*) with the
// options a request can choose. The query is whatever the client sent, so
// the results must stay well-formed: valid UTF-8 that JSON can carry, and
// highlighted titles whose only markup is <mark>.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/search_index.hpp"
#include "core/text.hpp"
#include "fuzz_check.hpp"

namespace {

using uslugi::fuzz::expect;
namespace catalog = uslugi::catalog;
namespace text = uslugi::text;

bool valid_utf8(std::string_view s) { return text::encode_utf8(text::decode_utf8(s)) == s; }

// Markup-free once the <mark> tags the index adds are taken out.
bool only_mark_tags(std::string html) {
    for (std::string_view tag : {"<mark>", "</mark>"})
        for (std::size_t at; (at = html.find(tag)) != std::string::npos;) html.erase(at, tag.size());
    return html.find('<') == std::string::npos && html.find('>') == std::string::npos;
}

// A few cards in the shape of data/ (four languages, keywords, regions,
// audiences) and a synonym group, so that every kind of match can happen.
const catalog::SearchIndex& index() {
    static const catalog::SearchIndex built = [] {
        std::vector<catalog::SearchDocument> docs(5);
        docs[0] = {"passport-foreign",
                   {"Заграничный паспорт нового образца", {"загранпаспорт", "выезд за границу"},
                    "Биометрический паспорт на 10 лет для поездок за рубеж."},
                   {"Foreign passport of the new type", {"biometric passport"}, "Travel abroad for 10 years."},
                   {"Reisepass neuen Typs", {"biometrischer Reisepass"}, "Für Reisen ins Ausland."},
                   {"Passeport biométrique", {"passeport à puce"}, "Pour voyager à l'étranger."},
                   900000, {"individuals"}, {"*"}, {}};
        docs[1] = {"fines-traffic",
                   {"Штрафы ГИБДД", {"штраф", "оплата штрафа", "нарушение ПДД"}, "Проверка и оплата штрафов."},
                   {"Traffic fines", {"fine", "pay a fine"}, "Check and pay traffic police fines."},
                   {}, {}, 500000, {"individuals", "legal"}, {"*"}, {}};
        docs[2] = {"kindergarten-queue",
                   {"Запись в детский сад", {"очередь в детсад", "садик"}, "Постановка ребёнка на учёт."},
                   {"Kindergarten enrolment", {"nursery"}, "Put a child on the waiting list."},
                   {"Anmeldung im Kindergarten", {"Kita"}, "Warteliste für Kinder."},
                   {"Inscription à la crèche", {"école maternelle"}, "Liste d'attente."},
                   200000, {"individuals"}, {"59", "77"}, {"59401"}};
        docs[3] = {"tax-debt",
                   {"Налоговая задолженность", {"налоги", "ИНН", "долг"}, "Узнать и погасить задолженность."},
                   {"Tax debt", {"taxes", "TIN"}, "Find and pay tax debts."},
                   {}, {}, 300000, {}, {}, {}};
        docs[4] = {"registration-foreigners",
                   {"Миграционный учёт иностранных граждан", {"регистрация", "иностранцы"}, "Уведомление о прибытии."},
                   {"Migration registration of foreign citizens", {"registration"}, "Notice of arrival."},
                   {}, {"Déclaration d'arrivée des étrangers", {}, ""},
                   1000, {"foreigners"}, {"77"}, {}};
        return catalog::SearchIndex(std::move(docs),
                                    {{"загранпаспорт", "заграничный паспорт"}, {"детский сад", "детсад", "садик"}});
    }();
    return built;
}

void check_text_functions(std::string_view query, std::size_t cut) {
    const std::string clean = text::sanitize(query);
    expect(valid_utf8(clean), "sanitize() gives valid UTF-8");
    for (unsigned char c : clean) expect(c >= 0x20, "sanitize() leaves no control characters");
    const std::string_view head = text::cut_utf8(clean, cut);
    expect(head.size() <= cut && clean.substr(0, head.size()) == head, "cut_utf8() gives a prefix within the limit");
    expect(valid_utf8(head), "cut_utf8() does not split a sequence");
    const std::vector<text::Token> tokens = text::tokenize(query);
    for (const text::Token& t : tokens) {
        expect(t.begin < t.end && t.end <= query.size(), "token offsets lie inside the text");
        expect(!t.folded.empty() && valid_utf8(t.folded) && valid_utf8(t.lower), "tokens are valid UTF-8");
        (void)text::is_stop_word(t);
        expect(valid_utf8(text::canonical(t)), "stems are valid UTF-8");
    }
    if (tokens.size() >= 2) {
        const std::u32string a = text::decode_utf8(tokens[0].folded), b = text::decode_utf8(tokens[1].folded);
        const int d = text::edit_distance(a, b, 2);
        expect(d >= 0 && d <= 3 && d == text::edit_distance(b, a, 2), "edit distance is bounded and symmetric");
        expect(text::edit_distance(a, a, 2) == 0, "a word is at distance 0 from itself");
    }
    expect(valid_utf8(text::swap_keyboard_layout(query)), "the layout swap gives valid UTF-8");
    expect(only_mark_tags(text::html_escape(query)), "html_escape() leaves no markup");
}

catalog::SearchOptions options_from(FuzzedDataProvider& in) {
    catalog::SearchOptions o;
    o.lang = in.PickValueInArray({"ru", "en", "de", "fr", "xx", ""});
    o.region = in.PickValueInArray({"", "59", "77", "*", "00"});
    o.settlement = in.PickValueInArray({"", "59401", "77000"});
    o.audience = in.PickValueInArray({"", "individuals", "foreigners", "legal"});
    o.limit = in.ConsumeIntegralInRange<std::size_t>(0, 120);
    o.offset = in.ConsumeIntegralInRange<std::size_t>(0, 30);
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const catalog::SearchOptions options = options_from(in);
    const std::size_t cut = in.ConsumeIntegralInRange<std::size_t>(0, 64);
    const std::string query = in.ConsumeRemainingBytesAsString();
    check_text_functions(query, cut);

    const catalog::SearchResults found = index().search(query, options);
    expect(found.hits.size() <= std::min(options.limit, catalog::SearchIndex::kMaxLimit) && found.hits.size() <= found.total,
           "no more hits than asked for and found");
    nlohmann::json answer{{"corrected_query", found.corrected_query}, {"hits", nlohmann::json::array()}};
    for (const catalog::SearchHit& hit : found.hits) {
        expect(only_mark_tags(hit.title_html), "a highlighted title has no markup but <mark>");
        answer["hits"].push_back({{"id", hit.id}, {"title", hit.title}});
    }
    (void)answer.dump();  // throws on invalid UTF-8, which the API would answer with a 500

    const std::vector<catalog::Suggestion> suggestions = index().suggest(query, options);
    expect(suggestions.size() <= std::min(options.limit, catalog::SearchIndex::kMaxSuggestions),
           "no more suggestions than asked for");
    for (const catalog::Suggestion& s : suggestions)
        expect(only_mark_tags(s.title_html) && valid_utf8(s.title), "suggestions are well-formed");
    return 0;
}
