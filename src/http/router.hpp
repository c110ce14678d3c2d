#pragma once
// Method + path-pattern routing: "/services/{id}", and "{rest...}" for a tail.
#include "http/access.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace uslugi::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
    std::size_t body_limit = 0;  // 0: the server's default
    bool csrf = true;            // state-changing methods must carry the session's token
    bool load_session = true;    // look the session up before the handler runs
    bool on_io_thread = false;   // cheap, non-blocking handlers skip the worker queue
    // The handler itself never blocks (no database, no registry calls): for a
    // visitor without a session it runs on the I/O thread, saving two thread
    // switches; with a session cookie it goes to a worker for the lookup.
    bool non_blocking = false;
    // The answer depends only on the request target and the visitor's view
    // preferences (language, place, …), not on who asks: for visitors without
    // an account it is kept in the shared page cache and revalidated by ETag.
    bool shared = false;
    // Who may call it; the pipeline answers everyone else (sign-in redirect or
    // 401, the level's page or 403) before the handler runs.
    Access access;
};

// The options of a route only a signed-in account may call.
inline RouteOptions for_signed_in(RouteOptions options = {}) {
    options.access = signed_in();
    return options;
}

struct Route {
    bhttp::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
};

struct RouteMatch {
    const Route* route = nullptr;
    bool path_matched = false;  // some route has this path, but not for this method → 405
    std::vector<bhttp::verb> allowed;
};

class Router {
public:
    void add(bhttp::verb method, std::string pattern, Handler handler, RouteOptions options = {});
    void get(std::string pattern, Handler h, RouteOptions o = {}) { add(bhttp::verb::get, std::move(pattern), std::move(h), o); }
    void post(std::string pattern, Handler h, RouteOptions o = {}) { add(bhttp::verb::post, std::move(pattern), std::move(h), o); }

    // Finds the route; fills `params` with the pattern's named segments.
    RouteMatch match(bhttp::verb method, std::string_view path,
                     std::map<std::string, std::string, std::less<>>* params) const;

private:
    std::vector<Route> routes_;
};

}  // namespace uslugi::http
