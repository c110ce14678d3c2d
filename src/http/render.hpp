#pragma once
// Pages in the shared layout: header (portal name, language switch, version
// for the visually impaired, sign-in), the page itself, footer with hotlines.
#include "core/i18n.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "http/static_files.hpp"
#include "http/templates.hpp"

#include <optional>
#include <string>

namespace uslugi::http {

class Renderer {
public:
    Renderer(const Templates& templates, const core::Locales& locales, const StaticFiles& statics)
        : templates_(templates), locales_(locales), statics_(statics) {}

    // templates/<name>.mustache inside templates/layout/page.mustache.
    // `title` is already in the user's language.
    // `shared` (optional) is read in place under `data`: see Templates::render.
    Response page(const Request& request, const std::string& name, const Data& data,
                  const std::string& title, Status status = Status::ok, const Data* shared = nullptr) const;
    // A piece of a page (templates/<name>.mustache) rendered on its own, for
    // markup several pages share: insert it with {{{…}}}.
    std::string fragment(const Request& request, const std::string& name, const Data& data) const;
    // An error page (404, 403, 500, 503 …) in the layout.
    Response error_page(const Request& request, Status status, const std::string& detail_key = "") const;
    // The same before a Request exists (the server rejected the bytes).
    Response bare_error_page(Status status, const std::string& lang, const std::string& request_id) const;

    const core::Locale& locale(const Request& request) const { return locales_.get(request.lang); }
    const core::Locales& locales() const { return locales_; }
    const StaticFiles& statics() const { return statics_; }

private:
    Data chrome(const Request* request, const std::string& lang, bool vi, const std::string& title) const;
    Response error_response(const Request* request, Status status, const std::string& lang, bool vi,
                            const std::string& request_id, const std::string& detail_key) const;

    const Templates& templates_;
    const core::Locales& locales_;
    const StaticFiles& statics_;
};

// The choices of the version for the visually impaired (ACC-1), as the real
// portal offers them. Packed into SessionData::vi_options as small numbers
// whose zero is the default (large type, black on white, normal spacing), so
// sessions saved before the choices existed keep the look they had.
struct ViOptions {
    std::string size = "large";     // normal, large, huge
    std::string scheme = "bw";      // bw (black on white), wb (white on black), blue (dark blue on light blue)
    std::string spacing = "normal"; // normal, wide (letters and lines)
};
inline constexpr const char* kViSizes[] = {"large", "normal", "huge"};
inline constexpr const char* kViSchemes[] = {"bw", "wb", "blue"};
inline constexpr const char* kViSpacings[] = {"normal", "wide"};
ViOptions unpack_vi_options(int packed);
// Empty when a value is not one of the choices above.
std::optional<int> pack_vi_options(const ViOptions& options);

// Only local paths are allowed as redirect targets ("next=").
std::string safe_next(std::string_view next);

}  // namespace uslugi::http
