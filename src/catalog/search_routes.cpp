// Search (CAT-2): the results page, its JSON and the suggestions under the box.
#include "catalog/route_kit.hpp"

#include <fmt/format.h>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;

namespace {

constexpr std::size_t kMaxQueryBytes = SearchIndex::kMaxQueryBytes;

// The query as typed, made safe to search for and show: trimmed, control
// characters replaced and cut to the index's limit on a UTF-8 boundary.
struct CleanQuery {
    std::string text;
    bool truncated = false;
};

CleanQuery clean_query(std::string_view raw) {
    CleanQuery q;
    std::string& out = q.text;
    for (char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    out = out.substr(first, out.find_last_not_of(' ') - first + 1);
    q.truncated = out.size() > kMaxQueryBytes;
    if (q.truncated) {
        std::size_t cut = kMaxQueryBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
    }
    return q;
}

// One page of results for the request's query in the visitor's place.
struct SearchRun {
    std::shared_ptr<const Catalog> cat;
    CleanQuery query;
    Catalog::Place place;
    std::size_t page = 1;
    SearchResults found;
};

SearchRun run_search(const CatalogService& catalog, const Request& req) {
    SearchRun run{catalog.current(), clean_query(req.query().get_or("q", "")), place_of(req), http::page_of(req)};
    const SearchOptions options{req.lang, run.place.region, run.place.settlement, run.place.audience, kPageSize,
                                (run.page - 1) * kPageSize};
    if (!run.query.text.empty()) run.found = run.cat->search_index().search(run.query.text, options);
    return run;
}

Response results_page(const http::Renderer& renderer, Request& req, const SearchRun& run) {
    const core::Locale& t = renderer.locale(req);
    Data hits{Data::type::list};
    for (const auto& h : run.found.hits) {
        const Service* s = run.cat->service(h.id);
        if (!s) continue;
        Data card = service_card(*s, *run.cat, req.lang);
        card.set("title_html", h.title_html);
        hits.push_back(card);
    }
    Data d;
    d.set("q", run.query.text);
    d.set("has_query", !run.query.text.empty());
    d.set("truncated", run.query.truncated);
    d.set("hits", hits);
    d.set("found", run.found.total > 0);
    d.set("total", fmt::format(fmt::runtime(t.text("search.found")), run.found.total));
    d.set("partial", run.found.partial);
    if (!run.found.corrected_query.empty()) d.set("corrected", run.found.corrected_query);
    d.set("pagination", http::pagination(renderer, req, run.page, run.found.total));
    d.set("audiences", audience_options(run.place.audience, t));
    return renderer.page(req, "catalog/search", d, t.text("search.title"));
}

Response results_json(const SearchRun& run) {
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : run.found.hits)
        hits.push_back({{"id", h.id}, {"title", h.title}, {"title_html", h.title_html}, {"href", "/services/" + h.id}});
    return Response::json({{"query", run.query.text},
                           {"truncated", run.query.truncated},
                           {"total", run.found.total},
                           {"page", run.page},
                           {"partial", run.found.partial},
                           {"corrected_query", run.found.corrected_query},
                           {"results", hits}});
}

Response suggestions(const CatalogService& catalog, const Request& req) {
    const auto cat = catalog.current();
    const std::string q = clean_query(req.query().get_or("q", "")).text;
    const auto place = place_of(req);
    const SearchOptions options{req.lang, place.region, place.settlement, place.audience, 8, 0};
    nlohmann::json out = nlohmann::json::array();
    if (!q.empty())
        for (const auto& s : cat->search_index().suggest(q, options))
            out.push_back({{"id", s.id}, {"title", s.title}, {"href", "/services/" + s.id}});
    return Response::json({{"query", q}, {"suggestions", out}});
}

}  // namespace

void register_search_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    http::get_twins(
        router, {"/search", "/api/v1/search"}, [&catalog](Request& req) { return run_search(catalog, req); },
        [&renderer](Request& req, const SearchRun& run) { return results_page(renderer, req, run); },
        [](Request&, const SearchRun& run) { return results_json(run); }, kReadOnly);
    router.get("/api/v1/search/suggest", [&catalog](Request& req) { return suggestions(catalog, req); }, kReadOnly);
}

}  // namespace uslugi::catalog
