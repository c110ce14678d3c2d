// The directory of authorities: the tree with its filters, one authority's
// page with its services, and its JSON.
#include "catalog/route_kit.hpp"
#include "core/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;

namespace {

// The directory's filters from the query; an unknown value is no filter.
struct DirectoryFilter {
    std::string level, region, name;
};

DirectoryFilter filter_of(const Request& req, const Catalog& cat) {
    DirectoryFilter f{req.query().get_or("level", ""), req.query().get_or("region", ""),
                      std::string(text::cut_utf8(req.query().get_or("q", ""), 200))};
    if (f.level != "federal" && f.level != "regional" && f.level != "municipal") f.level.clear();
    if (!cat.region(f.region)) f.region.clear();
    return f;
}

// Every word of the query begins a word of the authority's full or short name
// (in any language it has), case and accents aside: «мвд», «налог», «пермск».
bool name_matches(const Authority& a, const std::vector<text::Token>& query, const std::string& lang) {
    if (query.empty()) return true;
    std::vector<text::Token> words;
    for (const Text* t : {&a.name, &a.short_name})
        for (const std::string& l : {lang, std::string("ru")})
            for (auto& w : text::tokenize(t->in(l))) words.push_back(std::move(w));
    return std::all_of(query.begin(), query.end(), [&words](const text::Token& q) {
        return std::any_of(words.begin(), words.end(),
                           [&q](const text::Token& w) { return w.folded.starts_with(q.folded); });
    });
}

// The directory as a tree in three parts, federal (from the President down),
// regional and municipal: an authority sits under its parent of the same level.
// A filter keeps the matching authorities and, greyed, the parents that lead to them.
class DirectoryTree {
public:
    DirectoryTree(const Catalog& cat, const DirectoryFilter& f, const std::string& lang)
        : cat_(cat), filter_(f), lang_(lang), query_(text::tokenize(f.name)) {}

    // The part of one level: items in tree order, each saying how to open and close its <li>.
    Data part(const std::string& level) {
        std::vector<Data> items;
        std::vector<int> depths;
        for (const auto& a : cat_.data().authorities) {
            const Authority* parent = cat_.authority(a.parent);
            if (a.level == level && (!parent || parent->level != level)) walk(a, 0, items, depths);
        }
        return nest(items, depths);
    }
    std::size_t matches() const { return matches_; }

private:
    bool matches(const Authority& a) const {
        return (filter_.level.empty() || a.level == filter_.level) &&
               (filter_.region.empty() || a.region == filter_.region) && name_matches(a, query_, lang_);
    }

    // Whether `a` or one of its descendants of the same level is shown.
    bool shown(const Authority& a) const {
        if (matches(a)) return true;
        for (const auto& id : a.children)
            if (const Authority* c = cat_.authority(id); c && c->level == a.level && shown(*c)) return true;
        return false;
    }

    void walk(const Authority& a, int depth, std::vector<Data>& items, std::vector<int>& depths) {
        if (!shown(a)) return;
        const bool hit = matches(a);
        matches_ += hit ? 1 : 0;
        Data item;
        item.set("href", "/authorities/" + a.id);
        set_text(item, "name", a.name, lang_);
        item.set("context", !hit);
        if (const Region* r = cat_.region(a.region); r && depth == 0) set_text(item, "region", r->name, lang_);
        items.push_back(item);
        depths.push_back(depth);
        for (const auto& id : a.children)
            if (const Authority* c = cat_.authority(id); c && c->level == a.level) walk(*c, depth + 1, items, depths);
    }

    // Each item opens a nested list when the next is deeper, and closes as many
    // lists as the next one is shallower; the last closes them all.
    static Data nest(std::vector<Data>& items, const std::vector<int>& depths) {
        Data out{Data::type::list};
        for (std::size_t i = 0; i < items.size(); ++i) {
            const int next = i + 1 < depths.size() ? depths[i + 1] : 0;
            items[i].set("opens", next > depths[i]);
            Data closes{Data::type::list};
            for (int k = next; k < depths[i]; ++k) closes.push_back(Data(true));
            items[i].set("closes", closes);
            out.push_back(items[i]);
        }
        return out;
    }

    const Catalog& cat_;
    const DirectoryFilter& filter_;
    const std::string& lang_;
    std::vector<text::Token> query_;
    std::size_t matches_ = 0;
};

Data level_options(const DirectoryFilter& f, const core::Locale& t) {
    Data levels{Data::type::list};
    for (const char* l : {"", "federal", "regional", "municipal"}) {
        Data o;
        o.set("value", std::string(l));
        o.set("label", t.text(std::string("directory.level.") + (*l ? l : "all")));
        o.set("selected", f.level == l);
        levels.push_back(o);
    }
    return levels;
}

Data region_options(const Catalog& cat, const DirectoryFilter& f, const std::string& lang) {
    Data regions{Data::type::list};
    for (const auto& r : cat.data().regions) {
        Data o;
        o.set("value", r.code);
        set_text(o, "label", r.name, lang);
        o.set("selected", f.region == r.code);
        regions.push_back(o);
    }
    return regions;
}

Response directory_page(const http::Renderer& renderer, const CatalogService& catalog, Request& req) {
    const core::Locale& t = renderer.locale(req);
    const auto cat = catalog.current();
    const DirectoryFilter f = filter_of(req, *cat);
    DirectoryTree tree(*cat, f, req.lang);
    Data parts{Data::type::list};
    for (const char* level : {"federal", "regional", "municipal"}) {
        Data items = tree.part(level);
        if (items.is_empty_list()) continue;
        Data part;
        part.set("id", std::string("dir-") + level);
        part.set("title", t.text(std::string("ui.directory.part.") + level));
        part.set("items", items);
        parts.push_back(part);
    }
    Data d;
    d.set("levels", level_options(f, t));
    d.set("regions", region_options(*cat, f, req.lang));
    d.set("q", f.name);
    d.set("parts", parts);
    d.set("any_region", f.region.empty());
    d.set("empty", tree.matches() == 0);
    d.set("count", fmt::format(fmt::runtime(t.text("directory.count")), tree.matches()));
    return renderer.page(req, "catalog/directory", d, t.text("directory.title"));
}

struct AuthorityLookup {
    std::shared_ptr<const Catalog> cat;
    const Authority* authority = nullptr;
};

Response authority_page(const http::Renderer& renderer, Request& req, const Authority& a, const Catalog& cat) {
    const std::string& lang = req.lang;
    Data d;
    set_text(d, "name", a.name, lang);
    set_text(d, "address", a.address, lang);
    set_text(d, "hours", a.hours, lang);
    d.set("phones", phone_links(a.phones));
    if (!a.website.empty()) {
        d.set("website", a.website);
        d.set("website_text", readable_website(a.website));
    }
    if (const Authority* parent = cat.authority(a.parent)) {
        set_text(d, "parent", parent->name, lang);
        d.set("parent_href", "/authorities/" + parent->id);
    }
    Data children{Data::type::list};
    for (const auto& id : a.children)
        if (const Authority* c = cat.authority(id)) {
            Data item;
            item.set("href", "/authorities/" + c->id);
            set_text(item, "name", c->name, lang);
            children.push_back(item);
        }
    d.set("children", children);
    d.set("has_children", !a.children.empty());
    const auto services = cat.of_authority(a.id, place_of(req));
    const std::size_t page = http::page_of(req);
    d.set("services", service_list(services, page, cat, lang));
    d.set("has_services", !services.empty());
    d.set("pagination", http::pagination(renderer, req, page, services.size()));
    return renderer.page(req, "catalog/authority", d, a.name.in(lang));
}

nlohmann::json authority_json(const Authority& a, const std::string& lang) {
    return {{"id", a.id},         {"name", a.name.in(lang)},       {"level", a.level},
            {"parent", a.parent}, {"children", a.children},        {"region", a.region},
            {"address", a.address.in(lang)}, {"hours", a.hours.in(lang)}, {"phones", a.phones},
            {"website", a.website}};
}

}  // namespace

void register_directory_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    router.get("/authorities", [&renderer, &catalog](Request& req) { return directory_page(renderer, catalog, req); },
               kReadOnly);
    http::get_twins(
        router, {"/authorities/{id}", "/api/v1/catalog/authorities/{id}"},
        [&catalog](Request& req) {
            AuthorityLookup l{catalog.current()};
            l.authority = l.cat->authority(req.param("id"));
            return l;
        },
        [&renderer](Request& req, const AuthorityLookup& l) {
            if (!l.authority) return not_found_page(renderer, req);
            return authority_page(renderer, req, *l.authority, *l.cat);
        },
        [](Request& req, const AuthorityLookup& l) {
            if (!l.authority)
                return Response::json_error(http::Status::not_found, "catalog.authority_not_found",
                                            "no such authority");
            return Response::json(authority_json(*l.authority, req.lang));
        },
        kReadOnly);
}

}  // namespace uslugi::catalog
