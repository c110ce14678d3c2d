#include "catalog/routes.hpp"

#include "catalog/route_kit.hpp"
#include "http/session_store.hpp"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace uslugi::catalog {

using http::Data;
using http::Request;

namespace {

std::string audience_of(const Request& req) {
    const std::string a = req.query().get_or("audience", "");
    for (const char* known : {"individual", "entrepreneur", "foreigner", "legal"})
        if (a == known) return a;
    // Without a choice, the signed-in account's kind decides (ID-5): a person
    // acting for an organisation sees what legal entities may use, a foreign
    // citizen what applies to foreign citizens. "?audience=all" shows everything.
    if (req.account && a != "all") {
        if (req.account->acting_for) return "legal";
        if (req.account->kind == "foreign") return "foreigner";
    }
    return "";
}

}  // namespace

Catalog::Place place_of(const Request& req) {
    Catalog::Place p;
    if (req.session) {
        p.region = req.session->region;
        p.settlement = req.session->settlement;
    }
    p.audience = audience_of(req);
    return p;
}

std::string place_name(const Catalog& cat, const Catalog::Place& p, const core::Locale& t) {
    if (const Settlement* s = cat.settlement(p.settlement)) return s->name.in(t.code());
    if (const Region* r = cat.region(p.region)) return r->name.in(t.code());
    return t.text("catalog.all_russia");
}

void set_text(Data& d, const std::string& name, const Text& text, const std::string& lang) {
    d.set(name, text.in(lang));
    const std::string_view shown = text.language_in(lang);
    d.set(name + "_lang", shown == lang ? Data(false) : Data(std::string(shown)));
}

Data text_list(const std::vector<Text>& items, const std::string& lang) {
    Data list{Data::type::list};
    for (const auto& t : items) {
        Data item;
        set_text(item, "text", t, lang);
        list.push_back(item);
    }
    return list;
}

void set_place(Data& d, const Catalog& cat, const Catalog::Place& p, const core::Locale& t) {
    const std::string& lang = t.code();
    if (const Settlement* s = cat.settlement(p.settlement))
        set_text(d, "place", s->name, lang);
    else if (const Region* r = cat.region(p.region))
        set_text(d, "place", r->name, lang);
    else {
        d.set("place", t.text("catalog.all_russia"));  // an interface text: in the page's language
        d.set("place_lang", false);
    }
}

void add_place(Data& d, const Catalog& cat, const Request& req, const core::Locale& t) {
    set_place(d, cat, place_of(req), t);
    d.set("place_href", "/location?next=" + http::url_encode(req.target()));
}

Data audience_options(const std::string& chosen, const core::Locale& t) {
    Data audiences{Data::type::list};
    for (const char* a : {"", "individual", "entrepreneur", "foreigner", "legal"}) {
        Data item;
        item.set("value", std::string(*a ? a : "all"));
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
    set_text(d, "title", s.title, lang);
    set_text(d, "short", s.short_text, lang);
    if (const Authority* a = cat.authority(s.authority))
        set_text(d, "authority", a->short_name.in(lang).empty() ? a->name : a->short_name, lang);
    return d;
}

Data service_list(const std::vector<const Service*>& services, std::size_t page, const Catalog& cat,
                  const std::string& lang) {
    Data list{Data::type::list};
    for (std::size_t i = (page - 1) * http::kPageSize; i < services.size() && i < page * http::kPageSize; ++i)
        list.push_back(service_card(*services[i], cat, lang));
    return list;
}

Data phone_links(const std::vector<std::string>& phones) {
    Data list{Data::type::list};
    for (const auto& phone : phones) {
        std::string dial;
        for (char c : phone)
            if ((c >= '0' && c <= '9') || (c == '+' && dial.empty())) dial += c;
        Data item;
        item.set("text", phone);
        if (!dial.empty()) item.set("href", "tel:" + dial);
        list.push_back(item);
    }
    return list;
}

std::string readable_website(const std::string& url) {
    std::string_view rest = url;
    if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
    const auto host_end = rest.find_first_of("/?#");
    const std::string host(rest.substr(0, host_end));
    std::string tail(host_end == std::string_view::npos ? "" : rest.substr(host_end));
    if (tail == "/") tail.clear();
    char* unicode = nullptr;
    // A host libidn2 cannot decode is shown as it is written.
    if (idn2_to_unicode_8z8z(host.c_str(), &unicode, 0) != IDN2_OK || !unicode) return host + tail;
    const std::unique_ptr<char, decltype(&idn2_free)> owned(unicode, &idn2_free);
    return std::string(unicode) + tail;
}

http::Response not_found_page(const http::Renderer& renderer, Request& req) {
    return renderer.error_page(req, http::Status::not_found);
}

void register_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog,
                     const std::string& font_dir) {
    register_browse_routes(router, renderer, catalog);
    register_search_routes(router, renderer, catalog);
    register_service_routes(router, renderer, catalog, font_dir);
    register_directory_routes(router, renderer, catalog);
}

}  // namespace uslugi::catalog
