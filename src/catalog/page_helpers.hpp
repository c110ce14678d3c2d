#pragma once
// Small helpers shared by the catalog's pages: page numbers, previous/next
// links, lists of strings for templates.
#include <string>
#include <vector>

#include "core/i18n.hpp"
#include "http/request.hpp"
#include "http/templates.hpp"

namespace uslugi::catalog {

inline constexpr std::size_t kPageSize = 20;

// The ?page= number, 1 when absent or malformed.
std::size_t page_of(const http::Request& req);
// {show, label "Page 2 of 5", prev, next} with links that keep the rest of the query.
http::Data pagination(const http::Request& req, std::size_t page, std::size_t total, const core::Locale& t,
                      std::size_t page_size = kPageSize);
http::Data string_list(const std::vector<std::string>& items);

}  // namespace uslugi::catalog
