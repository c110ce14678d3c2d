#pragma once
// What the groups of applications routes share (apply_routes.cpp,
// cabinet_routes.cpp, office_routes.cpp): the services, the request's
// Context, and the template data of fields, statuses and histories.
#include "applications/service.hpp"
#include "http/render.hpp"
#include "http/router.hpp"

#include <memory>
#include <string>

namespace uslugi::applications {

struct RouteKit {
    http::Router& router;
    const http::Renderer& renderer;
    ApplicationService& service;
    std::string public_url;
    std::string font_dir;

    identity::Context ctx(const http::Request& req) const;
    const core::Locale& locale(const http::Request& req) const { return renderer.locale(req); }
    std::string t(const http::Request& req, const std::string& key) const { return locale(req).text(key); }
    http::Response not_found(const http::Request& req) const { return renderer.error_page(req, http::Status::not_found); }
};
using Kit = std::shared_ptr<const RouteKit>;

// A path segment that must be a positive id; 0 when it is not.
std::int64_t id_param(const http::Request& req, std::string_view name);
// The text of an error key for a field (a pattern's own message for "applications.error.pattern").
std::string error_text(const core::Locale& t, const std::string& key, const Field* field, const std::string& lang);
// "status" (label), "status_code", "status_class" of an application.
void add_status(http::Data& d, Status s, const core::Locale& t);
// The history as a list for the templates, times in the reader's zone.
http::Data history_data(const http::Request& req, const std::vector<HistoryEntry>& history, const core::Locale& t);
// File ids of a form's values → {name, href} to show and link them.
using FileLinks = std::map<std::string, std::pair<std::string, std::string>>;
FileLinks file_links(const std::vector<StoredFile>& files, const std::string& href_prefix);
// Every visible answer of a form as {label, value, href?} (groups as one entry per item), for summaries.
http::Data answers_data(const FormDefinition& def, const Values& values, const std::string& lang, const core::Locale& t,
                        const FileLinks& files = {});
// {name, href, size} of each file, for the lists on the application's pages.
http::Data file_list(const std::vector<StoredFile>& files, const std::string& href_prefix);
// An attachment as a download: its own type, never sniffed, never shown inline.
http::Response file_response(const ApplicationService::FileContent& f);
// Upload routes take files up to this size (several attachments at once).
inline constexpr std::size_t kUploadBodyLimit = 24 * 1024 * 1024;
// A date and time in the reader's zone.
std::string when(const http::Request& req, std::int64_t at);
nlohmann::json application_json(const Application& a, const catalog::Catalog& cat, const core::Locale& t);

// An application's page in the back-office (office_routes.cpp).
http::Response office_detail(const Kit& kit, http::Request& req, const Application& a, const FieldErrors& errors,
                             http::Status status);
// Who handles it and the take / assign form, for that page (assign_routes.cpp).
void add_assignment(const Kit& kit, const http::Request& req, const Application& a, http::Data& d);

// A complaint's page for the officers who handle it, with a problem to show (complaint_routes.cpp).
http::Response office_complaint_page(const Kit& kit, http::Request& req, const Complaint& c, const std::string& problem,
                                     http::Status status);

void register_apply_routes(const Kit& kit);
void register_cabinet_routes(const Kit& kit);
void register_office_routes(const Kit& kit);
void register_complaint_routes(const Kit& kit);
void register_assign_routes(const Kit& kit);
void register_standalone_complaint_routes(const Kit& kit);
void register_form_api_routes(const Kit& kit);
void register_organisation_routes(const Kit& kit);

}  // namespace uslugi::applications
