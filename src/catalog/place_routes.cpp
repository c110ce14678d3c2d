#include <fmt/format.h>

#include <cmath>

#include "http/pagination.hpp"
#include "catalog/route_kit.hpp"
#include "core/text.hpp"

#include <algorithm>
#include "catalog/routes.hpp"
#include "core/format.hpp"
#include "http/session_store.hpp"

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;
using http::kPageSize;
using http::string_list;

namespace {

constexpr std::size_t kCentresPerPage = 20;

// "59" (a whole region) or "59/perm" (a settlement); "" is all of Russia.
struct PlaceChoice {
    std::string region, settlement;
    bool valid = true;
};

PlaceChoice parse_place(const Catalog& cat, std::string_view value) {
    PlaceChoice p;
    if (value.empty()) return p;
    const auto slash = value.find('/');
    p.region = std::string(value.substr(0, slash));
    if (slash != std::string_view::npos) p.settlement = std::string(value.substr(slash + 1));
    const Region* region = cat.region(p.region);
    const Settlement* settlement = p.settlement.empty() ? nullptr : cat.settlement(p.settlement);
    p.valid = region && (p.settlement.empty() || (settlement && settlement->region_code == p.region));
    return p;
}

Data place_options(const Catalog& cat, const std::string& lang, const core::Locale& t, const std::string& region,
                   const std::string& settlement) {
    Data groups{Data::type::list};
    for (const auto& r : cat.data().regions) {
        Data group;
        set_text(group, "label", r.name, lang);
        Data options{Data::type::list};
        Data whole;
        whole.set("value", r.code);
        whole.set("label", fmt::format(fmt::runtime(t.text("location.whole_region")), r.name.in(lang)));
        whole.set("label_lang", false);  // a sentence of the interface around a name
        whole.set("selected", region == r.code && settlement.empty());
        options.push_back(whole);
        for (const auto& id : r.settlements)
            if (const Settlement* s = cat.settlement(id)) {
                Data o;
                o.set("value", r.code + "/" + id);
                set_text(o, "label", s->name, lang);
                o.set("selected", settlement == id);
                options.push_back(o);
            }
        group.set("options", options);
        groups.push_back(group);
    }
    return groups;
}

// Every place as "Perm, Perm Krai" or "Perm Krai — whole region", with its form value.
struct PlaceEntry {
    std::string value, label;
};

std::vector<PlaceEntry> place_entries(const Catalog& cat, const std::string& lang, const core::Locale& t) {
    std::vector<PlaceEntry> out;
    for (const auto& r : cat.data().regions) {
        const std::string region = r.name.in(lang);
        out.push_back({r.code, fmt::format(fmt::runtime(t.text("location.whole_region")), region)});
        for (const auto& id : r.settlements)
            if (const Settlement* s = cat.settlement(id)) out.push_back({r.code + "/" + id, s->name.in(lang) + ", " + region});
    }
    return out;
}

// Places whose label (or Russian name) has a word beginning with each word of the query.
std::vector<PlaceEntry> search_places(const std::vector<PlaceEntry>& all, const std::vector<PlaceEntry>& russian,
                                      std::string_view query) {
    const auto wanted = text::tokenize(query);
    std::vector<PlaceEntry> found;
    if (wanted.empty()) return found;
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto words = text::tokenize(all[i].label);
        for (auto& w : text::tokenize(russian[i].label)) words.push_back(std::move(w));
        const bool hit = std::all_of(wanted.begin(), wanted.end(), [&words](const text::Token& q) {
            return std::any_of(words.begin(), words.end(), [&q](const text::Token& w) { return w.folded.starts_with(q.folded); });
        });
        if (hit) found.push_back(all[i]);
    }
    return found;
}

Data entries_data(const std::vector<PlaceEntry>& entries) {
    Data list{Data::type::list};
    for (const auto& e : entries) {
        Data item;
        item.set("value", e.value);
        item.set("label", e.label);
        list.push_back(item);
    }
    return list;
}

bool parse_coordinate(std::string_view text, double limit, double& out) {
    if (text.empty() || text.size() > 20) return false;
    try {
        std::size_t used = 0;
        out = std::stod(std::string(text), &used);
        return used == text.size() && std::isfinite(out) && std::fabs(out) <= limit;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

void register_place_routes(http::Router& router, http::App& app, const http::Renderer& renderer,
                           http::SessionStore& sessions, const CatalogService& catalog) {
    auto show = [&renderer, &catalog](Request& req, const std::string& error_key, http::Status status) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        Data d;
        const std::string region = req.session ? req.session->region : "";
        const std::string settlement = req.session ? req.session->settlement : "";
        d.set("groups", place_options(*cat, req.lang, t, region, settlement));
        d.set("everywhere_selected", region.empty());
        d.set("current", place_name(*cat, place_of(req), t));
        d.set("next", http::safe_next(req.query().get_or("next", req.form().get_or("next", "/"))));
        const auto entries = place_entries(*cat, req.lang, t);
        d.set("places", entries_data(entries));
        // The plain search (GET ?q=) lists the matches as buttons: it needs no JavaScript.
        const std::string q(text::cut_utf8(req.query().get_or("q", ""), 100));
        if (!q.empty()) {
            const auto found = search_places(entries, place_entries(*cat, "ru", renderer.locales().get("ru")), q);
            d.set("q", q);
            d.set("searched", true);
            d.set("found", entries_data(found));
            d.set("found_count", fmt::format(fmt::runtime(t.text("ui.location.found")), found.size()));
            d.set("none_found", found.empty());
        }
        if (!error_key.empty()) d.set("error", t.text(error_key));
        return renderer.page(req, "catalog/location", d, t.text("location.title"), status);
    };

    router.get("/location", [&app, show](Request& req) {
        app.ensure_csrf(req);
        return show(req, "", http::Status::ok);
    });

    router.post("/location", [&catalog, &sessions, show](Request& req) {
        const auto cat = catalog.current();
        const PlaceChoice choice = parse_place(*cat, req.form().get_or("place", ""));
        if (!choice.valid) return show(req, "location.error_unknown", http::Status::unprocessable_entity);
        http::SessionData& s = *req.session;
        s.region = choice.region;
        s.settlement = choice.settlement;
        sessions.save_preferences(s);
        return Response::redirect(http::safe_next(req.form().get_or("next", "/")));
    });

    router.get("/centres", [&renderer, &catalog](Request& req) {
        const core::Locale& t = renderer.locale(req);
        const auto cat = catalog.current();
        std::string region = req.session ? req.session->region : "";
        const std::string settlement_id = req.session ? req.session->settlement : "";
        double lat = 0, lon = 0;
        bool have_origin = false, from_browser = false;
        std::string origin;  // the place the distances are measured from, named on the page
        if (parse_coordinate(req.query().get_or("lat", ""), 90, lat) && parse_coordinate(req.query().get_or("lon", ""), 180, lon)) {
            have_origin = from_browser = true;
            region.clear();  // the browser's position wins over the chosen region
        } else if (const Settlement* s = cat->settlement(settlement_id)) {
            lat = s->lat, lon = s->lon, have_origin = true;
            origin = s->name.in(req.lang);
        } else if (const Region* r = cat->region(region); r && !r->settlements.empty()) {
            // A whole region: from its first settlement, its capital in the catalog's data.
            if (const Settlement* first = cat->settlement(r->settlements.front())) {
                lat = first->lat, lon = first->lon, have_origin = true;
                origin = first->name.in(req.lang) + " (" + r->name.in(req.lang) + ")";
            }
        }
        const bool identity_only = req.query().get_or("identity", "") == "1";
        std::vector<std::pair<const ServiceCentre*, double>> centres;
        if (have_origin) {
            centres = cat->centres_near(lat, lon, region, identity_only);
        } else {
            for (const auto& c : cat->data().service_centres)
                if (!identity_only || c.confirms_identity) centres.emplace_back(&c, -1);
        }
        const std::size_t page = page_of(req);
        Data list{Data::type::list};
        for (std::size_t i = (page - 1) * kCentresPerPage; i < centres.size() && i < page * kCentresPerPage; ++i) {
            const auto& [c, km] = centres[i];
            Data item;
            set_text(item, "name", c->name, req.lang);
            item.set("kind", t.text("centres.kind." + c->kind));
            set_text(item, "address", c->address, req.lang);
            set_text(item, "hours", c->hours, req.lang);
            item.set("confirms", c->confirms_identity);
            if (km >= 0) item.set("distance", core::format_distance_km(km, req.lang));
            item.set("phones", phone_links(c->phones));
            list.push_back(item);
        }
        Data d;
        d.set("centres", list);
        d.set("empty", centres.empty());
        d.set("identity_only", identity_only);
        d.set("from_browser", from_browser);
        d.set("no_place", !have_origin);
        if (!origin.empty()) d.set("origin", fmt::format(fmt::runtime(t.text("ui.centres.distances_from")), origin));
        d.set("place", place_name(*cat, place_of(req), t));
        d.set("pagination", pagination(renderer, req, page, centres.size(), kCentresPerPage));
        return renderer.page(req, "catalog/centres", d, t.text("centres.title"));
    }, http::RouteOptions{.non_blocking = true});
}

}  // namespace uslugi::catalog
