#pragma once
#include "http/app.hpp"

namespace uslugi::http {

// Display preferences kept in the (possibly anonymous) session: interface
// language, the version for the visually impaired. The header's quick links
// are GETs (they only change how pages look, like ?lang= on many sites);
// the /settings form is a CSRF-protected POST.
void register_prefs_routes(Router& router, App& app, const Renderer& renderer, SessionStore& sessions);

}  // namespace uslugi::http
