// The directory of authorities: the tree with its filters, one authority's
// page with its services, and its JSON.
#include "catalog/route_kit.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;

namespace {

using Ordered = std::vector<std::pair<const Authority*, int>>;  // an authority and its depth in the tree

// Authorities in tree order (parents before children) with their depth.
void walk_tree(const Catalog& cat, const Authority& a, int depth, Ordered& out) {
    out.emplace_back(&a, depth);
    for (const auto& id : a.children)
        if (const Authority* c = cat.authority(id)) walk_tree(cat, *c, depth + 1, out);
}

// The directory's filters from the query; an unknown value is no filter.
struct DirectoryFilter {
    std::string level, region;
};

DirectoryFilter filter_of(const Request& req, const Catalog& cat) {
    DirectoryFilter f{req.query().get_or("level", ""), req.query().get_or("region", "")};
    if (f.level != "federal" && f.level != "regional" && f.level != "municipal") f.level.clear();
    if (!cat.region(f.region)) f.region.clear();
    return f;
}

Ordered shown_authorities(const Catalog& cat, const DirectoryFilter& f) {
    Ordered ordered, shown;
    for (const auto& a : cat.data().authorities)
        if (!cat.authority(a.parent)) walk_tree(cat, a, 0, ordered);
    for (const auto& [a, depth] : ordered)
        if ((f.level.empty() || a->level == f.level) && (f.region.empty() || a->region == f.region))
            shown.emplace_back(a, depth);
    return shown;
}

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
    const Ordered shown = shown_authorities(*cat, f);
    const std::size_t page = http::page_of(req);
    Data list{Data::type::list};
    for (std::size_t i = (page - 1) * kPageSize; i < shown.size() && i < page * kPageSize; ++i) {
        Data item;
        item.set("href", "/authorities/" + shown[i].first->id);
        set_text(item, "name", shown[i].first->name, req.lang);
        item.set("level", t.text("directory.level." + shown[i].first->level));
        item.set("depth", "depth-" + std::to_string(std::min(shown[i].second, 4)));
        list.push_back(item);
    }
    Data d;
    d.set("levels", level_options(f, t));
    d.set("regions", region_options(*cat, f, req.lang));
    d.set("authorities", list);
    d.set("any_region", f.region.empty());
    d.set("empty", shown.empty());
    d.set("count", fmt::format(fmt::runtime(t.text("directory.count")), shown.size()));
    d.set("pagination", http::pagination(renderer, req, page, shown.size()));
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
    d.set("phones", http::string_list(a.phones));
    if (!a.website.empty()) d.set("website", a.website);
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
