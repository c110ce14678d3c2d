#pragma once
// A page's form and its /api/v1/ twin served by one handler. The handler reads
// the request and does the work once; each presenter turns what it returned
// into the answer its own client expects (a page or a redirect; JSON), so the
// two ways in can never do different things.
#include "http/router.hpp"

#include <string>
#include <utility>

namespace uslugi::http {

struct TwinPaths {
    std::string page;
    std::string api;
};

template <class Handle, class Page, class Json>
void add_twins(Router& router, bhttp::verb method, TwinPaths paths, Handle handle, Page page, Json json,
               RouteOptions options = {}) {
    router.add(method, std::move(paths.page), [handle, page](Request& req) { return page(req, handle(req)); }, options);
    router.add(method, std::move(paths.api), [handle, json](Request& req) { return json(req, handle(req)); }, options);
}

template <class Handle, class Page, class Json>
void post_twins(Router& router, TwinPaths paths, Handle handle, Page page, Json json, RouteOptions options = {}) {
    add_twins(router, bhttp::verb::post, std::move(paths), std::move(handle), std::move(page), std::move(json),
              options);
}

template <class Handle, class Page, class Json>
void get_twins(Router& router, TwinPaths paths, Handle handle, Page page, Json json, RouteOptions options = {}) {
    add_twins(router, bhttp::verb::get, std::move(paths), std::move(handle), std::move(page), std::move(json),
              options);
}

}  // namespace uslugi::http
