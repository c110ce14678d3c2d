#include "catalog/routes.hpp"

#include "identity/model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "catalog/blank_pdf.hpp"
#include "http/pagination.hpp"
#include "http/session_store.hpp"

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;
using http::string_list;

namespace {

constexpr std::size_t kMaxQueryBytes = SearchIndex::kMaxQueryBytes;
const http::RouteOptions kReadOnly{.non_blocking = true};

// Trims, replaces control characters and caps the length on a UTF-8 boundary.
std::string clean_query(std::string_view raw, bool& truncated) {
    std::string out;
    for (char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
    }
    const auto first = out.find_first_not_of(' ');
    if (first == std::string::npos) return "";
    out = out.substr(first, out.find_last_not_of(' ') - first + 1);
    truncated = out.size() > kMaxQueryBytes;
    if (truncated) {
        std::size_t cut = kMaxQueryBytes;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
    }
    return out;
}

std::string audience_of(const Request& req) {
    const std::string a = req.query().get_or("audience", "");
    for (const char* known : {"individual", "entrepreneur", "foreigner", "legal"})
        if (a == known) return a;
    return "";
}

Catalog::Place place_of(const Request& req) {
    Catalog::Place p;
    if (req.session) {
        p.region = req.session->region;
        p.settlement = req.session->settlement;
    }
    p.audience = audience_of(req);
    return p;
}


std::string money(long long kopecks, const std::string& lang) {
    const long long rub = kopecks / 100, kop = kopecks % 100;
    std::string digits = std::to_string(rub), grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += lang == "en" ? "," : "\u00a0";
        grouped += digits[i];
    }
    if (kop) grouped += (lang == "en" ? "." : ",") + fmt::format("{:02}", kop);
    return grouped + "\u00a0₽";
}

Data audience_options(const std::string& chosen, const core::Locale& t) {
    Data audiences{Data::type::list};
    for (const char* a : {"", "individual", "entrepreneur", "foreigner", "legal"}) {
        Data item;
        item.set("value", std::string(a));
        item.set("label", t.text(std::string("catalog.audience.") + (*a ? a : "all")));
        item.set("selected", chosen == a);
        audiences.push_back(item);
    }
    return audiences;
}

Data service_card(const Service& s, const Catalog& cat, const std::string& lang) {
    Data d;
    d.set("id", s.id);
    d.set("href", "/services/" + s.id);
    d.set("title", s.title.in(lang));
    d.set("short", s.short_text.in(lang));
    if (const Authority* a = cat.authority(s.authority)) d.set("authority", a->short_name.in(lang).empty() ? a->name.in(lang) : a->short_name.in(lang));
    return d;
}

Data service_list(const std::vector<const Service*>& services, std::size_t page, const Catalog& cat, const std::string& lang) {
    Data list{Data::type::list};
    for (std::size_t i = (page - 1) * kPageSize; i < services.size() && i < page * kPageSize; ++i)
        list.push_back(service_card(*services[i], cat, lang));
    return list;
}

Data texts(const std::vector<Text>& items, const std::string& lang) {
    Data list{Data::type::list};
    for (const auto& t : items) list.push_back(Data(t.in(lang)));
    return list;
}

std::string place_name(const Catalog& cat, const Catalog::Place& p, const core::Locale& t) {
    if (const Settlement* s = cat.settlement(p.settlement)) return s->name.in(t.code());
    if (const Region* r = cat.region(p.region)) return r->name.in(t.code());
    return t.text("catalog.all_russia");
}

Response not_found(const http::Renderer& renderer, Request& req) { return renderer.error_page(req, http::Status::not_found); }

nlohmann::json service_json(const Service& s, const Catalog& cat, const std::string& lang) {
    nlohmann::json docs = nlohmann::json::array(), faq = nlohmann::json::array();
    for (const auto& d : s.documents) docs.push_back(d.in(lang));
    for (const auto& f : s.faq) faq.push_back({{"question", f.question.in(lang)}, {"answer", f.answer.in(lang)}});
    const Authority* a = cat.authority(s.authority);
    return {{"id", s.id}, {"title", s.title.in(lang)}, {"short", s.short_text.in(lang)}, {"description", s.description.in(lang)},
            {"audiences", s.audiences}, {"authority", {{"id", s.authority}, {"name", a ? a->name.in(lang) : ""}}},
            {"level", s.level}, {"regions", s.regions}, {"settlements", s.settlements}, {"categories", s.categories},
            {"min_account_level", std::string(to_string(s.min_level))}, {"fee_kopecks", s.fee_kopecks},
            {"fee_note", s.fee_note.in(lang)}, {"duration", s.duration.in(lang)}, {"result", s.result.in(lang)},
            {"documents", docs}, {"how_to_get", s.how_to_get}, {"online_form", s.online_form}, {"faq", faq}};
}

// The home page's category and life-situation lists only change with the
// catalog: built once per catalog version and language, then read in place.
class HomeLists {
public:
    std::shared_ptr<const Data> get(const Catalog& cat, const std::string& lang) {
        std::lock_guard lock(mutex_);
        if (version_ != cat.version()) {
            by_lang_.clear();
            version_ = cat.version();
        }
        auto& slot = by_lang_[lang];
        if (!slot) slot = build(cat, lang);
        return slot;
    }

private:
    static std::shared_ptr<const Data> build(const Catalog& cat, const std::string& lang) {
        Data categories{Data::type::list};
        for (const auto& c : cat.data().categories) {
            Data item;
            item.set("href", "/categories/" + c.id);
            item.set("title", c.name.in(lang));
            item.set("text", c.description.in(lang));
            categories.push_back(item);
        }
        Data situations{Data::type::list};
        for (const auto& l : cat.data().life_situations) {
            Data item;
            item.set("href", "/situations/" + l.id);
            item.set("title", l.title.in(lang));
            situations.push_back(item);
        }
        auto d = std::make_shared<Data>();
        d->set("categories", categories);
        d->set("situations", situations);
        return d;
    }

    std::mutex mutex_;
    long long version_ = -1;
    std::map<std::string, std::shared_ptr<const Data>> by_lang_;
};

// Authorities in tree order (parents before children) with their depth.
void walk_tree(const Catalog& cat, const Authority& a, int depth, std::vector<std::pair<const Authority*, int>>& out) {
    out.emplace_back(&a, depth);
    for (const auto& id : a.children)
        if (const Authority* c = cat.authority(id)) walk_tree(cat, *c, depth + 1, out);
}

}  // namespace

void register_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog,
                     const std::string& font_dir) {
    auto home_lists = std::make_shared<HomeLists>();
    router.get("/", [&renderer, &catalog, home_lists](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const auto place = place_of(req);
        const auto lists = home_lists->get(*cat, req.lang);
        Data d;
        d.set("popular", service_list(cat->popular(place, 8), 1, *cat, req.lang));
        d.set("place", place_name(*cat, place, t));
        d.set("place_href", "/location?next=%2F");
        return renderer.page(req, "catalog/home", d, t.text("home.title"), http::Status::ok, lists.get());
    }, kReadOnly);

    router.get("/search", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        bool truncated = false;
        const std::string q = clean_query(req.query().get_or("q", ""), truncated);
        const auto place = place_of(req);
        const std::size_t page = page_of(req);
        SearchOptions options{req.lang, place.region, place.settlement, place.audience, kPageSize, (page - 1) * kPageSize};
        const SearchResults found = q.empty() ? SearchResults{} : cat->search_index().search(q, options);
        Data hits{Data::type::list};
        for (const auto& h : found.hits) {
            const Service* s = cat->service(h.id);
            if (!s) continue;
            Data card = service_card(*s, *cat, req.lang);
            card.set("title_html", h.title_html);
            hits.push_back(card);
        }
        Data d;
        d.set("q", q);
        d.set("has_query", !q.empty());
        d.set("truncated", truncated);
        d.set("hits", hits);
        d.set("found", found.total > 0);
        d.set("total", fmt::format(fmt::runtime(t.text("search.found")), found.total));
        d.set("partial", found.partial);
        if (!found.corrected_query.empty()) d.set("corrected", found.corrected_query);
        d.set("pagination", pagination(renderer, req, page, found.total));
        d.set("audiences", audience_options(place.audience, t));
        return renderer.page(req, "catalog/search", d, t.text("search.title"));
    }, kReadOnly);

    router.get("/categories/{id}", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const Category* c = cat->category(req.param("id"));
        if (!c) return not_found(renderer, req);
        const auto place = place_of(req);
        const auto services = cat->in_category(c->id, place);
        const std::size_t page = page_of(req);
        Data d;
        d.set("audiences", audience_options(place.audience, t));
        d.set("title", c->name.in(req.lang));
        d.set("description", c->description.in(req.lang));
        d.set("services", service_list(services, page, *cat, req.lang));
        d.set("empty", services.empty());
        d.set("pagination", pagination(renderer, req, page, services.size()));
        return renderer.page(req, "catalog/category", d, c->name.in(req.lang));
    }, kReadOnly);

    router.get("/services/{id}", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const Service* s = cat->service(req.param("id"));
        if (!s) return not_found(renderer, req);
        const std::string& lang = req.lang;
        Data d;
        d.set("title", s->title.in(lang));
        d.set("short", s->short_text.in(lang));
        d.set("description", s->description.in(lang));
        if (const Authority* a = cat->authority(s->authority)) {
            d.set("authority", a->name.in(lang));
            d.set("authority_href", "/authorities/" + a->id);
        }
        d.set("level", t.text("catalog.level." + s->level));
        d.set("min_level", t.text(std::string("catalog.account.") + std::string(to_string(s->min_level))));
        d.set("min_level_hint", t.text(std::string("catalog.account_hint.") + std::string(to_string(s->min_level))));
        d.set("fee", s->fee_kopecks > 0 ? money(s->fee_kopecks, lang) : t.text("catalog.free"));
        d.set("fee_note", s->fee_note.in(lang));
        d.set("duration", s->duration.in(lang));
        d.set("result", s->result.in(lang));
        d.set("documents", texts(s->documents, lang));
        Data ways{Data::type::list};
        for (const auto& w : s->how_to_get) ways.push_back(Data(t.text("catalog.how." + w)));
        d.set("ways", ways);
        Data audiences{Data::type::list};
        for (const auto& a : s->audiences) audiences.push_back(Data(t.text("catalog.audience." + a)));
        d.set("audiences", audiences);
        Data where{Data::type::list};
        for (const auto& r : s->regions)
            if (const Region* region = cat->region(r)) where.push_back(Data(region->name.in(lang)));
        d.set("where", where);
        d.set("everywhere", std::find(s->regions.begin(), s->regions.end(), "*") != s->regions.end());
        Data faq{Data::type::list};
        for (const auto& f : s->faq) {
            Data item;
            item.set("q", f.question.in(lang));
            item.set("a", f.answer.in(lang));
            faq.push_back(item);
        }
        d.set("faq", faq);
        d.set("has_faq", !s->faq.empty());
        d.set("online", s->online_form);
        if (s->blank_form) {
            Data blank;
            blank.set("name", s->blank_form->name.in(lang));
            blank.set("fields", texts(s->blank_form->fields, lang));
            blank.set("href", "/services/" + s->id + "/blank.pdf");
            d.set("blank", blank);
        }
        d.set("place", place_name(*cat, place_of(req), t));
        d.set("available_here", s->available_in(place_of(req).region, place_of(req).settlement));
        // ID-4: whether this visitor's account is enough, else where to learn what is missing.
        std::optional<identity::Level> have;
        if (req.account) have = identity::parse_level(req.account->level);
        const bool enough = identity::gate(have, s->min_level).allowed;
        d.set("access_enough", enough);
        d.set("access_href", "/access?need=" + std::string(to_string(s->min_level)) + "&next=" +
                                 http::url_encode("/services/" + s->id));
        return renderer.page(req, "catalog/service", d, s->title.in(lang));
    }, kReadOnly);

    router.get("/services/{id}/blank.pdf", [&renderer, &catalog, font_dir](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const Service* s = cat->service(req.param("id"));
        if (!s || !s->blank_form) return not_found(renderer, req);
        const BlankTexts texts{t.text("blank.heading"), t.text("blank.to"), t.text("blank.applicant"),
                               t.text("blank.signature"), t.text("blank.footer")};
        Response r;
        r.content_type = "application/pdf";
        r.body = render_blank_pdf(*s, cat->authority(s->authority), req.lang, texts, font_dir);
        r.cacheable = true;
        r.set_header("Cache-Control", "public, max-age=3600");
        r.set_header("Content-Disposition", "inline; filename=\"" + s->id + ".pdf\"");
        return r;
    }, kReadOnly);

    router.get("/authorities", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        std::string level = req.query().get_or("level", "");
        if (level != "federal" && level != "regional" && level != "municipal") level.clear();
        std::string region = req.query().get_or("region", "");
        if (!cat->region(region)) region.clear();
        std::vector<std::pair<const Authority*, int>> ordered;
        for (const auto& a : cat->data().authorities)
            if (!cat->authority(a.parent)) walk_tree(*cat, a, 0, ordered);
        std::vector<std::pair<const Authority*, int>> shown;
        for (const auto& [a, depth] : ordered)
            if ((level.empty() || a->level == level) && (region.empty() || a->region == region)) shown.emplace_back(a, depth);
        const std::size_t page = page_of(req);
        Data list{Data::type::list};
        for (std::size_t i = (page - 1) * kPageSize; i < shown.size() && i < page * kPageSize; ++i) {
            Data item;
            item.set("href", "/authorities/" + shown[i].first->id);
            item.set("name", shown[i].first->name.in(req.lang));
            item.set("level", t.text("directory.level." + shown[i].first->level));
            item.set("depth", "depth-" + std::to_string(std::min(shown[i].second, 4)));
            list.push_back(item);
        }
        Data levels{Data::type::list};
        for (const char* l : {"", "federal", "regional", "municipal"}) {
            Data o;
            o.set("value", std::string(l));
            o.set("label", t.text(std::string("directory.level.") + (*l ? l : "all")));
            o.set("selected", level == l);
            levels.push_back(o);
        }
        Data regions{Data::type::list};
        for (const auto& r : cat->data().regions) {
            Data o;
            o.set("value", r.code);
            o.set("label", r.name.in(req.lang));
            o.set("selected", region == r.code);
            regions.push_back(o);
        }
        Data d;
        d.set("authorities", list);
        d.set("levels", levels);
        d.set("regions", regions);
        d.set("any_region", region.empty());
        d.set("empty", shown.empty());
        d.set("count", fmt::format(fmt::runtime(t.text("directory.count")), shown.size()));
        d.set("pagination", pagination(renderer, req, page, shown.size()));
        return renderer.page(req, "catalog/directory", d, t.text("directory.title"));
    }, kReadOnly);

    router.get("/authorities/{id}", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const Authority* a = cat->authority(req.param("id"));
        if (!a) return not_found(renderer, req);
        const std::string& lang = req.lang;
        Data d;
        d.set("name", a->name.in(lang));
        d.set("address", a->address.in(lang));
        d.set("hours", a->hours.in(lang));
        d.set("phones", string_list(a->phones));
        if (!a->website.empty()) d.set("website", a->website);
        if (const Authority* parent = cat->authority(a->parent)) {
            d.set("parent", parent->name.in(lang));
            d.set("parent_href", "/authorities/" + parent->id);
        }
        Data children{Data::type::list};
        for (const auto& id : a->children)
            if (const Authority* c = cat->authority(id)) {
                Data item;
                item.set("href", "/authorities/" + c->id);
                item.set("name", c->name.in(lang));
                children.push_back(item);
            }
        d.set("children", children);
        d.set("has_children", !a->children.empty());
        const auto services = cat->of_authority(a->id, place_of(req));
        const std::size_t page = page_of(req);
        d.set("services", service_list(services, page, *cat, lang));
        d.set("has_services", !services.empty());
        d.set("pagination", pagination(renderer, req, page, services.size()));
        return renderer.page(req, "catalog/authority", d, a->name.in(lang));
    }, kReadOnly);

    router.get("/situations/{id}", [&renderer, &catalog](Request& req) {
        const auto cat = catalog.current();
        const LifeSituation* l = cat->life_situation(req.param("id"));
        if (!l) return not_found(renderer, req);
        const std::string& lang = req.lang;
        Data steps{Data::type::list};
        for (const auto& st : l->steps)
            if (const Service* s = cat->service(st.service)) {
                Data item = service_card(*s, *cat, lang);
                item.set("note", st.note.in(lang));
                steps.push_back(item);
            }
        Data d;
        d.set("title", l->title.in(lang));
        d.set("description", l->description.in(lang));
        d.set("steps", steps);
        return renderer.page(req, "catalog/situation", d, l->title.in(lang));
    }, kReadOnly);

    router.get("/api/v1/catalog/services/{id}", [&catalog](Request& req) {
        const auto cat = catalog.current();
        const Service* s = cat->service(req.param("id"));
        if (!s) return Response::json_error(http::Status::not_found, "catalog.service_not_found", "no such service");
        return Response::json(service_json(*s, *cat, req.lang));
    }, kReadOnly);

    router.get("/api/v1/search/suggest", [&catalog](Request& req) {
        const auto cat = catalog.current();
        bool truncated = false;
        const std::string q = clean_query(req.query().get_or("q", ""), truncated);
        const auto place = place_of(req);
        SearchOptions options{req.lang, place.region, place.settlement, place.audience, 8, 0};
        nlohmann::json out = nlohmann::json::array();
        if (!q.empty())
            for (const auto& s : cat->search_index().suggest(q, options))
                out.push_back({{"id", s.id}, {"title", s.title}, {"href", "/services/" + s.id}});
        Response r = Response::json({{"query", q}, {"suggestions", out}});
        return r;
    }, kReadOnly);

    router.get("/api/v1/catalog/categories", [&catalog](Request& req) {
        const auto cat = catalog.current();
        const auto place = place_of(req);
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : cat->data().categories)
            out.push_back({{"id", c.id}, {"name", c.name.in(req.lang)}, {"description", c.description.in(req.lang)},
                           {"services", cat->in_category(c.id, place).size()}});
        return Response::json({{"categories", out}, {"version", cat->version()}});
    }, kReadOnly);

    router.get("/api/v1/catalog/categories/{id}/services", [&catalog](Request& req) {
        const auto cat = catalog.current();
        if (!cat->category(req.param("id")))
            return Response::json_error(http::Status::not_found, "catalog.category_not_found", "no such category");
        const auto services = cat->in_category(req.param("id"), place_of(req));
        const std::size_t page = page_of(req);
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = (page - 1) * kPageSize; i < services.size() && i < page * kPageSize; ++i)
            out.push_back({{"id", services[i]->id}, {"title", services[i]->title.in(req.lang)}});
        return Response::json({{"services", out}, {"total", services.size()}, {"page", page}, {"page_size", kPageSize}});
    }, kReadOnly);

    router.get("/api/v1/catalog/authorities/{id}", [&catalog](Request& req) {
        const auto cat = catalog.current();
        const Authority* a = cat->authority(req.param("id"));
        if (!a) return Response::json_error(http::Status::not_found, "catalog.authority_not_found", "no such authority");
        return Response::json({{"id", a->id}, {"name", a->name.in(req.lang)}, {"level", a->level}, {"parent", a->parent},
                               {"children", a->children}, {"region", a->region}, {"address", a->address.in(req.lang)},
                               {"hours", a->hours.in(req.lang)}, {"phones", a->phones}, {"website", a->website}});
    }, kReadOnly);

    router.get("/api/v1/catalog/situations/{id}", [&catalog](Request& req) {
        const auto cat = catalog.current();
        const LifeSituation* l = cat->life_situation(req.param("id"));
        if (!l) return Response::json_error(http::Status::not_found, "catalog.situation_not_found", "no such life situation");
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& st : l->steps) steps.push_back({{"service", st.service}, {"note", st.note.in(req.lang)}});
        return Response::json({{"id", l->id}, {"title", l->title.in(req.lang)}, {"steps", steps}});
    }, kReadOnly);

    router.get("/api/v1/search", [&catalog](Request& req) {
        const auto cat = catalog.current();
        bool truncated = false;
        const std::string q = clean_query(req.query().get_or("q", ""), truncated);
        const auto place = place_of(req);
        const std::size_t page = page_of(req);
        SearchOptions options{req.lang, place.region, place.settlement, place.audience, kPageSize, (page - 1) * kPageSize};
        const SearchResults found = q.empty() ? SearchResults{} : cat->search_index().search(q, options);
        nlohmann::json hits = nlohmann::json::array();
        for (const auto& h : found.hits) hits.push_back({{"id", h.id}, {"title", h.title}, {"title_html", h.title_html}, {"href", "/services/" + h.id}});
        return Response::json({{"query", q}, {"truncated", truncated}, {"total", found.total}, {"page", page},
                               {"partial", found.partial}, {"corrected_query", found.corrected_query}, {"results", hits}});
    }, kReadOnly);
}

}  // namespace uslugi::catalog
