#pragma once
// Small helpers shared by pages of every module: page numbers, previous/next
// links, lists of strings for templates.
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "http/render.hpp"
#include "http/request.hpp"
#include "http/templates.hpp"

namespace uslugi::http {

inline constexpr std::size_t kPageSize = 20;

// The ?page= number, 1 when absent or malformed.
std::size_t page_of(const http::Request& req);
// The "previous / page 2 of 5 / next" navigation (templates/layout/pagination),
// with links that keep the rest of the query; empty when everything fits one page.
std::string pagination(const http::Renderer& renderer, const http::Request& req, std::size_t page, std::size_t total,
                       std::size_t page_size = kPageSize);
http::Data string_list(const std::vector<std::string>& items);

}  // namespace uslugi::http
