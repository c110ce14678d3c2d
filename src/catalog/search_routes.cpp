// Search (CAT-2): the results page, its JSON and the suggestions under the box.
// Services come first, one entry for all regional copies of a service; then
// the authorities and service centres matching the query, in a group of their
// own ("service or authority", as the box says).
#include "catalog/route_kit.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;

namespace {

constexpr std::size_t kMaxQueryBytes = SearchIndex::kMaxQueryBytes;
constexpr std::size_t kMaxBodies = 5;  // authorities and centres shown next to the services

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
    SearchResults bodies;  // authorities and service centres, on the first page only
};

SearchRun run_search(const CatalogService& catalog, const Request& req) {
    SearchRun run{catalog.current(), clean_query(req.query().get_or("q", "")), place_of(req), http::page_of(req), {}, {}};
    if (run.query.text.empty()) return run;
    const SearchOptions options{req.lang, run.place.region, run.place.settlement, run.place.audience, kPageSize,
                                (run.page - 1) * kPageSize};
    run.found = run.cat->search_index().search(run.query.text, options);
    if (run.page == 1) {
        const SearchOptions body_options{req.lang, run.place.region, "", "", kMaxBodies, 0};
        run.bodies = run.cat->body_index().search(run.query.text, body_options);
        if (run.bodies.partial) run.bodies = {};  // a body matching some of the words only is noise here
    }
    return run;
}

std::string search_href(std::string_view q) { return "/search?q=" + text::url_encode(q); }

// A regional copy of a service: its region's name and page.
struct Copy {
    std::string id, region, region_name, href;
};

std::vector<Copy> copies_of(const SearchHit& h, const Catalog& cat, const std::string& lang) {
    std::vector<Copy> out;
    for (const std::string& id : h.copies) {
        const Service* s = cat.service(id);
        if (!s) continue;
        Copy c{id, s->regions.empty() ? "" : s->regions.front(), "", "/services/" + id};
        if (const Region* r = cat.region(c.region)) c.region_name = r->name.in(lang);
        if (const Settlement* st = s->settlements.empty() ? nullptr : cat.settlement(s->settlements.front()))
            c.region_name = st->name.in(lang);
        out.push_back(std::move(c));
    }
    return out;
}

// An authority or a service centre found: what it is and where its page is.
struct Body {
    std::string id, kind, title, title_html, href;
};

Body body_of(const SearchHit& h) {
    Body b{h.id, "authority", h.title, h.title_html, ""};
    if (h.id.starts_with("authority:")) {
        b.id = h.id.substr(10);
        b.href = "/authorities/" + b.id;
    } else {
        b.kind = "centre";
        b.id = h.id.substr(7);
        b.href = "/centres";
    }
    return b;
}

Data service_hits(const SearchRun& run, const std::string& lang) {
    Data hits{Data::type::list};
    for (const auto& h : run.found.hits) {
        const Service* s = run.cat->service(h.id);
        if (!s) continue;
        Data card = service_card(*s, *run.cat, lang);
        card.set("title_html", h.title_html);
        card.set("in_region", h.in_region);
        const auto copies = copies_of(h, *run.cat, lang);
        if (!h.in_region && copies.size() > 1) {
            Data list{Data::type::list};
            for (const Copy& c : copies) {
                Data item;
                item.set("href", c.href);
                item.set("region", c.region_name);
                list.push_back(item);
            }
            card.set("copies", list);
            card.set("has_copies", true);
        }
        hits.push_back(card);
    }
    return hits;
}

Data body_hits(const SearchRun& run, const core::Locale& t) {
    Data list{Data::type::list};
    for (const auto& h : run.bodies.hits) {
        const Body b = body_of(h);
        Data item;
        item.set("href", b.href);
        item.set("title_html", b.title_html);
        item.set("kind", t.text("catalog_search.kind_" + b.kind));
        list.push_back(item);
    }
    return list;
}

Response results_page(const http::Renderer& renderer, Request& req, const SearchRun& run) {
    const core::Locale& t = renderer.locale(req);
    Data d;
    d.set("q", run.query.text);
    d.set("has_query", !run.query.text.empty());
    d.set("truncated", run.query.truncated);
    d.set("hits", service_hits(run, req.lang));
    d.set("found", run.found.total > 0);
    d.set("found_anything", run.found.total > 0 || !run.bodies.hits.empty());
    d.set("total", fmt::format(fmt::runtime(t.text("search.found")), run.found.total));
    d.set("partial", run.found.partial);
    if (!run.found.corrected_query.empty()) d.set("corrected", run.found.corrected_query);
    // A query retyped in the other layout is already named in the notice above.
    if (!run.found.suggestion.empty() && run.found.suggestion != run.found.corrected_query) {
        d.set("suggestion", run.found.suggestion);
        d.set("suggestion_href", search_href(run.found.suggestion));
    }
    d.set("bodies", body_hits(run, t));
    d.set("has_bodies", !run.bodies.hits.empty());
    d.set("place_next", text::url_encode(search_href(run.query.text)));
    d.set("pagination", http::pagination(renderer, req, run.page, run.found.total));
    d.set("audiences", audience_options(run.place.audience, t));
    return renderer.page(req, "catalog/search", d, t.text("search.title"));
}

// results[]: one entry per service; a service offered in several regions
// stands for all its copies: `in_region` when the visitor's region has it,
// else `regions` lists the copies to choose from. authorities[]: bodies and
// service centres (`kind`). suggestion: "did you mean", with its search href.
Response results_json(const SearchRun& run, const std::string& lang) {
    nlohmann::json hits = nlohmann::json::array();
    for (const auto& h : run.found.hits) {
        nlohmann::json regions = nlohmann::json::array();
        for (const Copy& c : copies_of(h, *run.cat, lang))
            regions.push_back({{"id", c.id}, {"region", c.region}, {"name", c.region_name}, {"href", c.href}});
        hits.push_back({{"id", h.id},
                        {"title", h.title},
                        {"title_html", h.title_html},
                        {"href", "/services/" + h.id},
                        {"in_region", h.in_region},
                        {"regions", regions}});
    }
    nlohmann::json bodies = nlohmann::json::array();
    for (const auto& h : run.bodies.hits) {
        const Body b = body_of(h);
        bodies.push_back({{"id", b.id}, {"kind", b.kind}, {"title", b.title}, {"title_html", b.title_html}, {"href", b.href}});
    }
    nlohmann::json suggestion = nullptr;
    if (!run.found.suggestion.empty())
        suggestion = {{"query", run.found.suggestion}, {"href", search_href(run.found.suggestion)}};
    return Response::json({{"query", run.query.text},
                           {"truncated", run.query.truncated},
                           {"total", run.found.total},
                           {"page", run.page},
                           {"partial", run.found.partial},
                           {"corrected_query", run.found.corrected_query},
                           {"suggestion", suggestion},
                           {"results", hits},
                           {"authorities", bodies}});
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
        [](Request& req, const SearchRun& run) { return results_json(run, req.lang); }, kReadOnly);
    router.get("/api/v1/search/suggest", [&catalog](Request& req) { return suggestions(catalog, req); }, kReadOnly);
}

}  // namespace uslugi::catalog
