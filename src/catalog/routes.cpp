#include "catalog/routes.hpp"

#include <array>

namespace uslugi::catalog {

using http::Data;
using http::Request;
using http::Response;

namespace {

constexpr std::array<std::string_view, 8> kSections{"passports", "transport", "family", "health",
                                                    "taxes",     "pension",   "business", "foreigners"};
constexpr std::size_t kMaxQueryBytes = 200;

// Trims, drops control characters and caps the length (on a UTF-8 boundary).
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

}  // namespace

void register_routes(http::Router& router, const http::Renderer& renderer) {
    router.get("/", [&renderer](Request& req) {
        const core::Locale& t = renderer.locale(req);
        Data sections{Data::type::list};
        for (std::string_view id : kSections) {
            Data s;
            s.set("id", std::string(id));
            s.set("title", t.text("home.sections." + std::string(id) + ".title"));
            s.set("text", t.text("home.sections." + std::string(id) + ".text"));
            sections.push_back(s);
        }
        Data d;
        d.set("sections", sections);
        return renderer.page(req, "catalog/home", d, t.text("home.title"));
    }, http::RouteOptions{.non_blocking = true});

    router.get("/search", [&renderer](Request& req) {
        const core::Locale& t = renderer.locale(req);
        bool truncated = false;
        const std::string q = clean_query(req.query().get_or("q", ""), truncated);
        Data d;
        d.set("q", q);
        d.set("has_query", !q.empty());
        d.set("truncated", truncated);
        return renderer.page(req, "catalog/search", d, t.text("search.title"));
    }, http::RouteOptions{.non_blocking = true});
}

}  // namespace uslugi::catalog
