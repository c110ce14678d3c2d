#pragma once
// What the HTTP server asks of the application that answers requests: the
// contract between the Beast/Asio server (server.hpp) and the request
// pipeline (app.hpp), kept apart so that the pipeline and every module's
// routes compile without Asio.
#include "http/request.hpp"
#include "http/response.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace uslugi::http {

struct Peer {
    std::string ip;
};

// What the server asks of the application.
class Application {
public:
    virtual ~Application() = default;
    struct Plan {
        std::size_t body_limit = 0;  // 0: the server's default
        bool on_io_thread = false;
    };
    // Called once the header is read, before the body: routing decides the
    // body limit and whether the handler may run on the I/O thread.
    virtual Plan plan(const RawRequest& header) = 0;
    virtual Response handle(RawRequest&& request, const Peer& peer) = 0;
    // A response the server itself must give (400, 413, 431, 503) before any handler ran.
    virtual Response reject(Status status, std::string_view accept_language, const Peer& peer) = 0;
};

}  // namespace uslugi::http
