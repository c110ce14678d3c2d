// The home page, categories and life situations (CAT-1), and their JSON.
#include "catalog/route_kit.hpp"

#include <map>
#include <memory>
#include <mutex>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;

namespace {

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
            set_text(item, "title", c.name, lang);
            set_text(item, "text", c.description, lang);
            categories.push_back(item);
        }
        Data situations{Data::type::list};
        for (const auto& l : cat.data().life_situations) {
            Data item;
            item.set("href", "/situations/" + l.id);
            set_text(item, "title", l.title, lang);
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

void register_home(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    auto home_lists = std::make_shared<HomeLists>();
    router.get("/", [&renderer, &catalog, home_lists](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        const auto place = place_of(req);
        const auto lists = home_lists->get(*cat, req.lang);
        Data d;
        d.set("popular", service_list(cat->popular(place, 8), 1, *cat, req.lang));
        add_place(d, *cat, req, t);
        return renderer.page(req, "catalog/home", d, t.text("home.title"), http::Status::ok, lists.get());
    }, kReadOnly);
}

// One page of a category's services in the visitor's place; no category when the id is unknown.
struct CategoryPage {
    std::shared_ptr<const Catalog> cat;
    const Category* category = nullptr;
    Catalog::Place place;
    std::vector<const Service*> services;
    std::size_t page = 1;
};

CategoryPage category_page(const CatalogService& catalog, const Request& req) {
    CategoryPage p{catalog.current()};
    p.category = p.cat->category(req.param("id"));
    if (!p.category) return p;
    p.place = place_of(req);
    p.services = p.cat->in_category(p.category->id, p.place);
    p.page = http::page_of(req);
    return p;
}

void register_categories(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    http::get_twins(
        router, {"/categories/{id}", "/api/v1/catalog/categories/{id}/services"},
        [&catalog](Request& req) { return category_page(catalog, req); },
        [&renderer](Request& req, const CategoryPage& p) {
            if (!p.category) return not_found_page(renderer, req);
            const core::Locale& t = renderer.locale(req);
            Data d;
            d.set("audiences", audience_options(p.place.audience, t));
            add_place(d, *p.cat, req, t);
            set_text(d, "title", p.category->name, req.lang);
            set_text(d, "description", p.category->description, req.lang);
            d.set("services", service_list(p.services, p.page, *p.cat, req.lang));
            d.set("empty", p.services.empty());
            d.set("pagination", http::pagination(renderer, req, p.page, p.services.size()));
            return renderer.page(req, "catalog/category", d, p.category->name.in(req.lang));
        },
        [](Request& req, const CategoryPage& p) {
            if (!p.category)
                return Response::json_error(http::Status::not_found, "catalog.category_not_found", "no such category");
            nlohmann::json out = nlohmann::json::array();
            for (std::size_t i = (p.page - 1) * kPageSize; i < p.services.size() && i < p.page * kPageSize; ++i)
                out.push_back({{"id", p.services[i]->id}, {"title", p.services[i]->title.in(req.lang)}});
            return Response::json(
                {{"services", out}, {"total", p.services.size()}, {"page", p.page}, {"page_size", kPageSize}});
        },
        kReadOnly);

    router.get("/api/v1/catalog/categories", [&catalog](Request& req) {
        const auto cat = catalog.current();
        const auto place = place_of(req);
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : cat->data().categories)
            out.push_back({{"id", c.id}, {"name", c.name.in(req.lang)}, {"description", c.description.in(req.lang)},
                           {"services", cat->in_category(c.id, place).size()}});
        return Response::json({{"categories", out}, {"version", cat->version()}});
    }, kReadOnly);
}

struct SituationPage {
    std::shared_ptr<const Catalog> cat;
    const LifeSituation* situation = nullptr;
};

void register_situations(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    http::get_twins(
        router, {"/situations/{id}", "/api/v1/catalog/situations/{id}"},
        [&catalog](Request& req) {
            SituationPage p{catalog.current()};
            p.situation = p.cat->life_situation(req.param("id"));
            return p;
        },
        [&renderer](Request& req, const SituationPage& p) {
            if (!p.situation) return not_found_page(renderer, req);
            const std::string& lang = req.lang;
            Data steps{Data::type::list};
            for (const auto& st : p.situation->steps)
                if (const Service* s = p.cat->service(st.service)) {
                    Data item = service_card(*s, *p.cat, lang);
                    set_text(item, "note", st.note, lang);
                    steps.push_back(item);
                }
            Data d;
            add_place(d, *p.cat, req, renderer.locale(req));
            set_text(d, "title", p.situation->title, lang);
            set_text(d, "description", p.situation->description, lang);
            d.set("steps", steps);
            return renderer.page(req, "catalog/situation", d, p.situation->title.in(lang));
        },
        [](Request& req, const SituationPage& p) {
            if (!p.situation)
                return Response::json_error(http::Status::not_found, "catalog.situation_not_found",
                                            "no such life situation");
            nlohmann::json steps = nlohmann::json::array();
            for (const auto& st : p.situation->steps)
                steps.push_back({{"service", st.service}, {"note", st.note.in(req.lang)}});
            return Response::json(
                {{"id", p.situation->id}, {"title", p.situation->title.in(req.lang)}, {"steps", steps}});
        },
        kReadOnly);
}

}  // namespace

void register_browse_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog) {
    register_home(router, renderer, catalog);
    register_categories(router, renderer, catalog);
    register_situations(router, renderer, catalog);
}

}  // namespace uslugi::catalog
