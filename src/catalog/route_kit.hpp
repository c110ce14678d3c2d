#pragma once
// What the groups of catalog routes share (browse_routes.cpp,
// search_routes.cpp, service_routes.cpp, directory_routes.cpp): the visitor's
// place and the cards and lists every page shows services in.
#include "catalog/service.hpp"
#include "http/pagination.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "http/twin_routes.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace uslugi::catalog {

// The pages read only the in-memory snapshot: they never block, and a
// visitor without an account gets the page everyone with the same language
// and place gets (kept in the shared page cache).
inline const http::RouteOptions kReadOnly{.non_blocking = true, .shared = true};

// A catalog text on a page: `name` holds the text in `lang`, `name_lang` the
// language it fell back to ("en", "ru") or false when it is `lang`'s own, so the
// template writes {{#name_lang}} lang="{{name_lang}}"{{/name_lang}} (WCAG 3.1.2).
// The flag is always set, so a list item never inherits its page's.
void set_text(http::Data& d, const std::string& name, const Text& text, const std::string& lang);
// A list of {text, lang} items, one for each catalog text.
http::Data text_list(const std::vector<Text>& items, const std::string& lang);
// "place" and "place_lang": the chosen settlement or region (place_name) in `t`'s language.
void set_place(http::Data& d, const Catalog& cat, const Catalog::Place& p, const core::Locale& t);

// The region and settlement chosen (CAT-3) and the audience asked for in ?audience=.
Catalog::Place place_of(const http::Request& req);
// "Perm", "Perm Krai" or "All of Russia".
std::string place_name(const Catalog& cat, const Catalog::Place& p, const core::Locale& t);
// Names the visitor's place on a page that depends on it: "place" and
// "place_href" (the picker, returning to this page).
void add_place(http::Data& d, const Catalog& cat, const http::Request& req, const core::Locale& t);
// The audience filter's options with `chosen` selected.
http::Data audience_options(const std::string& chosen, const core::Locale& t);

http::Data service_card(const Service& s, const Catalog& cat, const std::string& lang);
// The cards of one page (1-based) of `services`.
http::Data service_list(const std::vector<const Service*>& services, std::size_t page, const Catalog& cat,
                        const std::string& lang);

// Phone numbers as {text, href} with a tel: link a phone can dial ("8 800 100-70-10" → tel:88001007010).
http::Data phone_links(const std::vector<std::string>& phones);
// A website address as people read it: the host decoded from punycode, no scheme,
// no trailing slash ("https://xn--b1aew.xn--p1ai/" → "мвд.рф"). The link keeps the address itself.
std::string readable_website(const std::string& url);

http::Response not_found_page(const http::Renderer& renderer, http::Request& req);

void register_browse_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog);
void register_search_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog);
void register_service_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog,
                             const std::string& font_dir);
void register_directory_routes(http::Router& router, const http::Renderer& renderer, const CatalogService& catalog);

}  // namespace uslugi::catalog
