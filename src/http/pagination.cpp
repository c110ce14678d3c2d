#include "http/pagination.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace uslugi::http {


std::size_t page_of(const Request& req) {
    const std::string p = req.query().get_or("page", "1");
    if (p.empty() || p.size() > 4 || !std::all_of(p.begin(), p.end(), ::isdigit)) return 1;
    return std::max<std::size_t>(1, std::stoul(p));
}

// Previous/next links that keep the rest of the query string.
std::string pagination(const http::Renderer& renderer, const Request& req, std::size_t page, std::size_t total,
                       std::size_t page_size) {
    const core::Locale& t = renderer.locale(req);
    const std::size_t pages = std::max<std::size_t>(1, (total + page_size - 1) / page_size);
    auto link = [&](std::size_t n) {
        std::string q;
        for (const auto& [k, v] : req.query().items())
            if (k != "page") q += (q.empty() ? "" : "&") + http::url_encode(k) + "=" + http::url_encode(v);
        q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(n);
        return req.path() + "?" + q;
    };
    if (pages <= 1) return "";
    Data d;
    d.set("label", fmt::format(fmt::runtime(t.text("catalog.page_of")), page, pages));
    if (page > 1) d.set("prev", link(page - 1));
    if (page < pages) d.set("next", link(page + 1));
    return renderer.fragment(req, "layout/pagination", d);
}

Data string_list(const std::vector<std::string>& items) {
    Data list{Data::type::list};
    for (const auto& s : items) list.push_back(Data(s));
    return list;
}

}  // namespace uslugi::http
