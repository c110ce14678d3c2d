// A service's page (CAT-1, ID-4: whether the visitor's account is enough),
// its JSON and its blank application form as a PDF.
#include "catalog/blank_pdf.hpp"
#include "catalog/route_kit.hpp"
#include "core/format.hpp"
#include "identity/model.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;

namespace {

// A list of localised labels: "catalog.how.<way>" for each way.
Data labels(const core::Locale& t, const std::string& prefix, const std::vector<std::string>& keys) {
    Data list{Data::type::list};
    for (const auto& k : keys) list.push_back(Data(t.text(prefix + k)));
    return list;
}

// What it costs, how long it takes, what comes of it and what to bring.
void add_terms(Data& d, const Service& s, const core::Locale& t, const std::string& lang) {
    d.set("level", t.text("catalog.level." + s.level));
    d.set("min_level", t.text(std::string("catalog.account.") + std::string(to_string(s.min_level))));
    d.set("fee", s.fee_kopecks > 0 ? core::format_rubles(s.fee_kopecks, lang) : t.text("catalog.free"));
    set_text(d, "fee_note", s.fee_note, lang);
    set_text(d, "duration", s.duration, lang);
    set_text(d, "result", s.result, lang);
    d.set("documents", text_list(s.documents, lang));
    d.set("ways", labels(t, "catalog.how.", s.how_to_get));
    d.set("audiences", labels(t, "catalog.audience.", s.audiences));
}

void add_faq_and_forms(Data& d, const Service& s, const std::string& lang) {
    Data faq{Data::type::list};
    for (const auto& f : s.faq) {
        Data item;
        set_text(item, "q", f.question, lang);
        set_text(item, "a", f.answer, lang);
        faq.push_back(item);
    }
    d.set("faq", faq);
    d.set("has_faq", !s.faq.empty());
    d.set("online", s.online_form);
    if (s.blank_form) {
        Data blank;
        set_text(blank, "name", s.blank_form->name, lang);
        blank.set("fields", text_list(s.blank_form->fields, lang));
        blank.set("href", "/services/" + s.id + "/blank.pdf");
        d.set("blank", blank);
    }
}

// The access note follows the reader's own level: nothing to do when it is
// enough, the way up when it is not.
std::string access_note(const core::Locale& t, identity::Level need, bool enough) {
    if (enough) return "";
    return t.text(std::string("catalog.account_hint.") + std::string(to_string(need)));
}

// Where it is offered, whether here, and whether this visitor's account is enough (ID-4).
void add_availability(Data& d, const Service& s, const Catalog& cat, const Request& req, const core::Locale& t) {
    std::vector<Text> regions;
    for (const auto& r : s.regions)
        if (const Region* region = cat.region(r)) regions.push_back(region->name);
    d.set("where", text_list(regions, req.lang));
    d.set("everywhere", std::find(s.regions.begin(), s.regions.end(), "*") != s.regions.end());
    const auto place = place_of(req);
    add_place(d, cat, req, t);
    d.set("available_here", s.available_in(place.region, place.settlement));
    std::optional<identity::Level> have;
    if (req.account) have = identity::parse_level(req.account->level);
    const bool enough = identity::gate(have, s.min_level).allowed;
    d.set("access_enough", enough);
    const std::string note = access_note(t, s.min_level, enough);
    d.set("min_level_hint", note);
    d.set("has_access_note", !note.empty());  // an empty string is still "true" to mustache
    d.set("access_confirm", !enough && s.min_level == identity::Level::confirmed);
    d.set("access_href", "/access?need=" + std::string(to_string(s.min_level)) + "&next=" +
                             http::url_encode("/services/" + s.id));
}

Response service_page(const http::Renderer& renderer, Request& req, const Service& s, const Catalog& cat) {
    const core::Locale& t = renderer.locale(req);
    const std::string& lang = req.lang;
    Data d;
    d.set("id", s.id);
    set_text(d, "title", s.title, lang);
    set_text(d, "short", s.short_text, lang);
    set_text(d, "description", s.description, lang);
    if (const Authority* a = cat.authority(s.authority)) {
        set_text(d, "authority", a->name, lang);
        d.set("authority_href", "/authorities/" + a->id);
    }
    // The breadcrumb goes through the service's (first) category: Home › Category › Service.
    for (const auto& id : s.categories)
        if (const Category* c = cat.category(id)) {
            set_text(d, "category", c->name, lang);
            d.set("category_href", "/categories/" + c->id);
            break;
        }
    add_terms(d, s, t, lang);
    add_faq_and_forms(d, s, lang);
    add_availability(d, s, cat, req, t);
    return renderer.page(req, "catalog/service", d, s.title.in(lang));
}

nlohmann::json service_json(const Service& s, const Catalog& cat, const std::string& lang) {
    nlohmann::json docs = nlohmann::json::array(), faq = nlohmann::json::array();
    for (const auto& d : s.documents) docs.push_back(d.in(lang));
    for (const auto& f : s.faq) faq.push_back({{"question", f.question.in(lang)}, {"answer", f.answer.in(lang)}});
    const Authority* a = cat.authority(s.authority);
    return {{"id", s.id}, {"title", s.title.in(lang)}, {"short", s.short_text.in(lang)},
            {"description", s.description.in(lang)}, {"audiences", s.audiences},
            {"authority", {{"id", s.authority}, {"name", a ? a->name.in(lang) : ""}}}, {"level", s.level},
            {"regions", s.regions}, {"settlements", s.settlements}, {"categories", s.categories},
            {"min_account_level", std::string(to_string(s.min_level))}, {"fee_kopecks", s.fee_kopecks},
            {"fee_note", s.fee_note.in(lang)}, {"duration", s.duration.in(lang)}, {"result", s.result.in(lang)},
            {"documents", docs}, {"how_to_get", s.how_to_get}, {"online_form", s.online_form}, {"faq", faq}};
}

Response blank_pdf(const http::Renderer& renderer, Request& req, const Service& s, const Catalog& cat,
                   const std::string& font_dir) {
    const core::Locale& t = renderer.locale(req);
    const BlankTexts texts{t.text("blank.heading"), t.text("blank.to"), t.text("blank.applicant"),
                           t.text("blank.signature"), t.text("blank.footer")};
    Response r;
    r.content_type = "application/pdf";
    r.body = render_blank_pdf(s, cat.authority(s.authority), req.lang, texts, font_dir);
    r.cacheable = true;
    r.set_header("Cache-Control", "public, max-age=3600");
    r.set_header("Content-Disposition", "inline; filename=\"" + s.id + ".pdf\"");
    return r;
}

// The service the path names in the current snapshot; none when the id is unknown.
struct ServiceLookup {
    std::shared_ptr<const Catalog> cat;
    const Service* service = nullptr;
};

ServiceLookup find_service(const CatalogService& catalog, const Request& req) {
    ServiceLookup l{catalog.current()};
    l.service = l.cat->service(req.param("id"));
    return l;
}

}  // namespace

void register_service_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog,
                             const std::string& font_dir) {
    http::get_twins(
        router, {"/services/{id}", "/api/v1/catalog/services/{id}"},
        [&catalog](Request& req) { return find_service(catalog, req); },
        [&renderer](Request& req, const ServiceLookup& l) {
            if (!l.service) return not_found_page(renderer, req);
            return service_page(renderer, req, *l.service, *l.cat);
        },
        [](Request& req, const ServiceLookup& l) {
            if (!l.service)
                return Response::json_error(http::Status::not_found, "catalog.service_not_found", "no such service");
            return Response::json(service_json(*l.service, *l.cat, req.lang));
        },
        kReadOnly);
    router.get("/services/{id}/blank.pdf", [&renderer, &catalog, font_dir](Request& req) {
        const ServiceLookup l = find_service(catalog, req);
        if (!l.service || !l.service->blank_form) return not_found_page(renderer, req);
        return blank_pdf(renderer, req, *l.service, *l.cat, font_dir);
    }, kReadOnly);
}

}  // namespace uslugi::catalog
