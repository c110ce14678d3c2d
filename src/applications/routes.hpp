#pragma once
#include "applications/marriage.hpp"
#include "applications/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

#include <string>

namespace CLI {
class App;
}

namespace uslugi::applications {

struct Options {
    std::string files_dir = "var/files";  // attachments, named by the SHA-256 of their content
    marriage::Options marriage;
};
// --files-dir for `uslugi serve`.
void add_options(CLI::App& serve, Options& options);

// Filling in and sending a service's form, the cabinet's applications, and
// the authorities' back-office.
void register_routes(http::Router& router, const http::Renderer& renderer, ApplicationService& service,
                     const std::string& public_url, const std::string& font_dir);

}  // namespace uslugi::applications
